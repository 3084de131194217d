package citation

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/unicode/norm"
)

// normText is the normal form of one field's text. Line breaks inside a field are where an
// exporter wrapped a long line, so they count as spaces; a blank line is a paragraph break, kept
// only where paragraphs mean something (multi).
func normText(s string, multi bool) string {
	if plainASCII(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	space, newlines := false, 0
	for _, r := range s {
		switch {
		case r == '\n':
			space = true
			newlines++
		case unicode.IsSpace(r):
			space = true
		case unicode.IsControl(r) || r == utf8.RuneError:
			// Dropped: invisible, and a stray one would break a RIS line or a form.
		default:
			if space && b.Len() > 0 {
				if multi && newlines >= 2 {
					b.WriteString("\n\n")
				} else {
					b.WriteByte(' ')
				}
			}
			space, newlines = false, 0
			b.WriteRune(r)
		}
	}
	return norm.NFC.String(b.String())
}

// plainASCII reports whether s is already in normal form and simple: printable ASCII, no space
// at either end or twice in a row. Most of a file is, and is then not copied.
func plainASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < ' ' || c > '~' || c == ' ' && (i == 0 || i == len(s)-1 || s[i-1] == ' ') {
			return false
		}
	}
	return true
}

// normPages writes every page range with one hyphen: sources use -, --, en dashes and spaces.
func normPages(s string) string {
	var keep []string
	for _, p := range strings.FieldsFunc(normText(s, false), isDash) {
		if p = strings.TrimSpace(p); p != "" {
			keep = append(keep, p)
		}
	}
	return strings.Join(keep, "-")
}

func isDash(r rune) bool {
	return r == '-' || r == '‐' || r == '‑' || r == '‒' || r == '–' || r == '—' || r == '−'
}

// readInput reads a whole file within the size limit and turns it into UTF-8 text with Unix line
// ends. Files from older Windows tools are often Windows-1252; any byte that is not part of valid
// UTF-8 is read that way, so one stray byte does not garble every accent in a UTF-8 file.
func readInput(r io.Reader, format string) (string, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxFileBytes+1))
	if err != nil {
		return "", fmt.Errorf("citation: read %s file: %w", format, err)
	}
	if len(data) > MaxFileBytes {
		return "", fileProblem("This file is larger than %d MB. Split it into smaller files and import each one.", MaxFileBytes>>20)
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if len(bytes.TrimSpace(data)) == 0 {
		return "", fileProblem("This file is empty. Export your references from your reference manager as %s and choose that file.", format)
	}
	if binary(data) {
		return "", fileProblem("This is not a text file, so it cannot be a %s file. Export your references from your reference manager as %s and choose that file.", format, format)
	}
	if t := bytes.TrimSpace(data); (t[0] == '{' || t[0] == '[') && json.Valid(t) {
		return "", fileProblem("This is a JSON file, not a %s file. Export your references from your reference manager as %s and choose that file.", format, format)
	}
	s := string(data)
	if !utf8.ValidString(s) {
		s = fromWindows1252(data)
	}
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.ReplaceAll(s, "\r", "\n"), nil
}

// binary reports whether data looks like something other than text: a NUL byte, or more control
// characters than a text file's occasional stray one.
func binary(data []byte) bool {
	controls := 0
	for _, c := range data {
		switch {
		case c == 0:
			return true
		case c < 0x20 && c != '\n' && c != '\r' && c != '\t' && c != '\f':
			controls++
		}
	}
	return controls > 8 && controls*100 > len(data)
}

func fromWindows1252(data []byte) string {
	var b strings.Builder
	b.Grow(len(data) + len(data)/8)
	for len(data) > 0 {
		r, n := utf8.DecodeRune(data)
		if r == utf8.RuneError && n == 1 {
			r = charmap.Windows1252.DecodeByte(data[0])
		}
		b.WriteRune(r)
		data = data[n:]
	}
	return b.String()
}

// lines finds the line number of a byte offset, for messages.
type lines []int // offsets of each '\n'

func newLines(s string) lines {
	var l lines
	for i := 0; i < len(s); i++ {
		if s[i] == '\n' {
			l = append(l, i)
		}
	}
	return l
}

func (l lines) at(offset int) int {
	return sort.SearchInts(l, offset) + 1
}
