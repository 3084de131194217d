package auditpack

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Plain-text helpers shared by every renderer, so that a word count, an hour total or a date
// reads the same in the PDF, the DOCX and the HTML.

// cleanText normalises line endings and tabs once, before any renderer sees the text: Word and
// PDF treat a tab as a jump to the next stop, which breaks lines typed into a web form.
func cleanText(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	s = strings.ReplaceAll(s, "\u2028", "\n")
	s = strings.ReplaceAll(s, "\u2029", "\n\n")
	return strings.ReplaceAll(s, "\t", " ")
}

// paragraphs splits text on blank lines, the way people type paragraphs into a text area. Each
// paragraph keeps its single line breaks (an address, a list typed one item a line) as lines.
func paragraphs(s string) [][]string {
	var out [][]string
	var cur []string
	flush := func() {
		if len(cur) > 0 {
			out = append(out, cur)
			cur = nil
		}
	}
	for _, line := range strings.Split(cleanText(s), "\n") {
		line = strings.TrimRightFunc(line, unicode.IsSpace)
		if strings.TrimSpace(line) == "" {
			flush()
			continue
		}
		cur = append(cur, line)
	}
	flush()
	return out
}

// wordCount counts words as the HCPC's limits are usually checked: runs of non-space characters.
func wordCount(s string) int {
	return len(strings.Fields(s))
}

// thousands writes 1500 as "1,500", as limits are quoted in HCPC guidance.
func thousands(n int) string {
	s := strconv.Itoa(n)
	if n < 0 {
		return "-" + thousands(-n)
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// hours shows at most two decimals without trailing zeros: "1.5", "2", "0.25".
func hours(h float64) string {
	s := strconv.FormatFloat(h, 'f', 2, 64)
	s = strings.TrimRight(s, "0")
	return strings.TrimSuffix(s, ".")
}

// longDate shows a stored YYYY-MM-DD date the way UK readers expect ("1 August 2024"); anything
// else is shown as given rather than hidden.
func longDate(s string) string {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return s
	}
	return t.Format("2 January 2006")
}

// cycle describes the CPD cycle as one phrase.
func cycle(p *Pack) string {
	switch {
	case p.CycleStart == "" && p.CycleEnd == "":
		return "Not given"
	case p.CycleEnd == "":
		return "From " + longDate(p.CycleStart)
	case p.CycleStart == "":
		return "To " + longDate(p.CycleEnd)
	}
	return longDate(p.CycleStart) + " to " + longDate(p.CycleEnd)
}

// byteSize gives a file size in the units an email client shows, so people can see why the
// evidence was split where it was.
func byteSize(n int64) string {
	switch {
	case n < 1024:
		return fmt.Sprintf("%d bytes", n)
	case n < 1<<20:
		return fmt.Sprintf("%d KB", (n+1023)/1024)
	}
	return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
}

// evidenceRefs lists evidence numbers the way the statement refers to them ("E3, E4").
func evidenceRefs(nums []int) string {
	if len(nums) == 0 {
		return "None"
	}
	refs := make([]string, len(nums))
	for i, n := range nums {
		refs[i] = "E" + strconv.Itoa(n)
	}
	return strings.Join(refs, ", ")
}

// plural picks "1 activity" or "2 activities".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return thousands(n) + " " + many
}

// cp1252Extra holds the characters Windows-1252 adds in 0x80-0x9F to Latin-1. The PDF's core
// Helvetica font is encoded in cp1252, so these plus Latin-1 are all it can show.
var cp1252Extra = map[rune]bool{
	'€': true, '‚': true, 'ƒ': true, '„': true, '…': true, '†': true, '‡': true, 'ˆ': true,
	'‰': true, 'Š': true, '‹': true, 'Œ': true, 'Ž': true, '‘': true, '’': true, '“': true,
	'”': true, '•': true, '–': true, '—': true, '˜': true, '™': true, 'š': true, '›': true,
	'œ': true, 'ž': true, 'Ÿ': true,
}

func inCP1252(r rune) bool {
	return r == '\n' || (r >= 0x20 && r < 0x7f) || (r >= 0xa0 && r <= 0xff && r != 0xad) || cp1252Extra[r]
}

// cp1252Fallback replaces common characters that cp1252 lacks with their nearest readable
// equivalent; without it the font's translator prints "." in their place.
var cp1252Fallback = map[rune]string{
	'\u2010': "-", '\u2011': "-", '\u2012': "–", '\u2015': "—", '\u2212': "-", '\u2043': "-",
	'\u201b': "'", '\u201f': "\"", '\u2032': "'", '\u2033': "\"", '\u2035': "'",
	'\u2190': "<-", '\u2192': "->", '\u2194': "<->", '\u21d2': "=>", '\u2264': "<=", '\u2265': ">=",
	'\u2260': "!=", '\u2248': "~", '\u2713': "[x]", '\u2714': "[x]", '\u2717': "x", '\u2718': "x",
	'\u2023': "•", '\u2219': "•", '\u25cf': "•", '\u25aa': "•", '\u25e6': "•", '\u25a0': "•",
	'\u0141': "L", '\u0142': "l", '\u0110': "D", '\u0111': "d", '\u0126': "H", '\u0127': "h",
	'\u0131': "i", '\u017f': "s", '\u1e9e': "SS", '\u0132': "IJ", '\u0133': "ij",
	'\u2153': "1/3", '\u2154': "2/3", '\u215b': "1/8",
}

// toCP1252 rewrites s so that every character can be drawn by the PDF's core font: letters with
// accents cp1252 lacks lose the accent (Dvořák becomes Dvorak, which is how such names are
// usually typed where accents are unavailable), known symbols get a readable stand-in, invisible
// characters vanish, spaces become spaces and anything else becomes "?" so a reader can see that
// something was there.
func toCP1252(s string) string {
	ok := true
	for _, r := range s {
		if !inCP1252(r) {
			ok = false
			break
		}
	}
	if ok {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case inCP1252(r):
			b.WriteRune(r)
		case cp1252Fallback[r] != "":
			b.WriteString(cp1252Fallback[r])
		case r == '\u00ad' || r == '\u200b' || r == '\u200c' || r == '\u200d' || r == '\u2060' ||
			r == '\ufeff' || unicode.Is(unicode.Variation_Selector, r) || unicode.IsControl(r):
			// invisible: soft hyphens, zero-width characters, emoji variation selectors
		case unicode.IsSpace(r):
			b.WriteByte(' ')
		default:
			b.WriteString(stripAccent(r))
		}
	}
	return b.String()
}

// stripAccent decomposes r and keeps its base letter when cp1252 has it, or "?" otherwise.
func stripAccent(r rune) string {
	d := norm.NFD.String(string(r))
	for _, base := range d {
		if base != r && inCP1252(base) && !unicode.Is(unicode.Mn, base) {
			return string(base)
		}
		break
	}
	return "?"
}

// splitLines splits a table cell at its line breaks.
func splitLines(s string) []string { return strings.Split(s, "\n") }
