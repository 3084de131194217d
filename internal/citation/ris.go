package citation

import (
	"fmt"
	"html"
	"io"
	"regexp"
	"strings"

	"github.com/pillars-ot/pillars/internal/valid"
)

// RIS is lines of "TY  - JOUR": a two-character tag, two spaces, a hyphen, a space and the value.
// A record starts with TY and ends with ER. A line without a tag continues the line before it
// (exporters wrap long abstracts), and a blank line inside a record is a paragraph break.

// risKinds maps RIS reference types to kinds; any other type is "other".
var risKinds = map[string]string{
	"JOUR": "article", "JFULL": "article", "EJOUR": "article", "MGZN": "article", "NEWS": "article", "INPR": "article", "ABST": "article",
	"ELEC": "web", "WEB": "web", "BLOG": "web", "ICOMM": "web",
	"BOOK": "book", "EBOOK": "book", "EDBOOK": "book",
	"RPRT": "report", "GOVDOC": "report",
	"CHAP": "chapter", "ECHAP": "chapter", "CONF": "chapter", "CPAPER": "chapter",
	"THES": "thesis",
}

var risTypes = map[string]string{
	"article": "JOUR", "web": "ELEC", "book": "BOOK", "report": "RPRT", "chapter": "CHAP", "thesis": "THES", "other": "GEN",
}

type risField struct{ tag, value string }

type risRecord struct {
	line       int
	start, end int // its fields, in the file's list
	fields     []risField
}

// ParseRIS reads a RIS file as exported by PubMed, EndNote, Zotero, Mendeley and publishers'
// sites, with Windows or Unix line ends and with or without a byte order mark. Text before the
// first record (some sites add a header) is ignored. It returns every reference in normal form,
// or valid.Errors on "file" and no references.
func ParseRIS(r io.Reader) ([]Reference, error) {
	text, err := readInput(r, "RIS")
	if err != nil {
		return nil, err
	}
	var probs problems
	// Every record's fields, one after another: one allocation, not one a record.
	fields := make([]risField, 0, strings.Count(text, "\n")+1)
	var recs []risRecord
	open, blank := false, false
	// Lines that continue the last field are gathered here and joined once: adding each to the
	// field's value in turn would copy a long wrapped value once for every line.
	var more strings.Builder
	flush := func() {
		if more.Len() > 0 {
			fields[len(fields)-1].value += more.String()
			more.Reset()
		}
	}
	rest := text
	for n := 1; rest != ""; n++ {
		var line string
		line, rest, _ = strings.Cut(rest, "\n")
		tag, value, ok := risTag(line)
		if ok {
			flush()
		}
		switch {
		case !ok && strings.TrimSpace(line) == "":
			blank = open
			continue
		case !ok && open:
			if blank {
				more.WriteString("\n\n")
			} else {
				more.WriteByte(' ')
			}
			more.WriteString(strings.TrimSpace(line))
		case !ok:
			// Text outside a record, such as a header: not part of any field.
		case tag == "TY":
			if open {
				probs.add("Record %d (line %d) has no \"ER  - \" line before the next record starts on line %d. Check the file was exported completely.", len(recs), recs[len(recs)-1].line, n)
				recs[len(recs)-1].end = len(fields)
			}
			if len(recs) >= MaxRecords {
				return nil, fileProblem("This file has more than %s references. Split it into smaller files and import each one.", thousands(MaxRecords))
			}
			recs = append(recs, risRecord{line: n, start: len(fields)})
			fields = append(fields, risField{tag, value})
			open = true
		case !open:
			probs.add("Line %d: %s comes before any record. Each record starts with a \"TY  - \" line.", n, quote(line))
		case tag == "ER":
			recs[len(recs)-1].end = len(fields)
			open = false
		default:
			fields = append(fields, risField{tag, value})
		}
		blank = false
		if probs.full() {
			return nil, probs.err()
		}
	}
	flush()
	if open {
		probs.add("Record %d (line %d) has no \"ER  - \" line at its end. Check the file was exported completely.", len(recs), recs[len(recs)-1].line)
		recs[len(recs)-1].end = len(fields)
	}
	for i := range recs {
		recs[i].fields = fields[recs[i].start:recs[i].end]
	}
	refs := make([]Reference, 0, len(recs))
	for i, rec := range recs {
		ref, urls := rec.reference()
		n, errs := Normalise(ref)
		for _, u := range urls[min(1, len(urls)):] { // the first was checked as the URL
			if msg := CheckURL(normText(u, false)); msg != "" {
				errs = append(errs, valid.FieldError{Field: "url", Message: msg})
			}
		}
		if errs.Any() {
			probs.record(fmt.Sprintf("Record %d (line %d)", i+1, rec.line), errs)
		}
		refs = append(refs, n)
	}
	if err := probs.err(); err != nil {
		return nil, err
	}
	if len(refs) == 0 {
		if bibStart.MatchString(text) {
			return nil, fileProblem("This looks like a BibTeX file, not RIS. Import it as BibTeX instead.")
		}
		return nil, fileProblem("There are no references in this file. A RIS file has records that start with a \"TY  - \" line and end with an \"ER  - \" line.")
	}
	assignKeys(refs, false)
	return refs, nil
}

var bibStart = regexp.MustCompile(`(?m)^[ \t]*@[a-zA-Z]+[ \t]*[{(]`)

// risTag splits a tagged line. The standard puts two spaces before the hyphen; one or more are
// accepted, since some exporters write one.
func risTag(line string) (tag, value string, ok bool) {
	if len(line) < 4 || !(line[0] >= 'A' && line[0] <= 'Z') || !(line[1] >= 'A' && line[1] <= 'Z' || line[1] >= '0' && line[1] <= '9') {
		return "", "", false
	}
	i := 2
	for i < len(line) && line[i] == ' ' {
		i++
	}
	if i == 2 || i >= len(line) || line[i] != '-' || i+1 < len(line) && line[i+1] != ' ' {
		return "", "", false
	}
	return line[:2], strings.TrimSpace(line[i+1:]), true
}

// reference turns a record into a reference (not yet normalised), and returns all its URLs.
func (rec risRecord) reference() (Reference, []string) {
	fields := rec.fields[1:] // after TY
	all := func(tags ...string) []string {
		var out []string
		for _, f := range fields {
			for _, t := range tags {
				if f.tag == t && strings.TrimSpace(f.value) != "" {
					out = append(out, f.value)
				}
			}
		}
		return out
	}
	first := func(tags ...string) string {
		for _, t := range tags {
			for _, f := range fields {
				if f.tag == t && strings.TrimSpace(f.value) != "" {
					return f.value
				}
			}
		}
		return ""
	}
	urls := all("UR")
	r := Reference{
		Kind:      risKinds[strings.ToUpper(strings.TrimSpace(rec.fields[0].value))],
		Authors:   all("AU", "A1"),
		Title:     first("TI", "T1", "CT", "BT"),
		Journal:   first("JF", "T2", "JO", "JA", "J2"),
		Volume:    first("VL"),
		Issue:     first("IS", "CP"),
		Publisher: first("PB"),
		DOI:       first("DO"),
		Abstract:  first("AB", "N2"),
		Keywords:  all("KW"),
		Key:       first("ID"),
	}
	if r.Kind == "" {
		r.Kind = "other"
	}
	if len(urls) > 0 {
		r.URL = urls[0]
	}
	var pages []string
	for _, p := range []string{first("SP"), first("EP")} {
		if p = normPages(p); p != "" {
			pages = append(pages, p)
		}
	}
	r.Pages = strings.Join(pages, "-")
	for _, t := range []string{"PY", "Y1", "DA"} {
		for _, v := range all(t) {
			if r.Year = yearOf(v); r.Year > 0 {
				break
			}
		}
		if r.Year > 0 {
			break
		}
	}
	var notes []string
	for _, n := range all("N1") {
		if n = noteText(n); n != "" {
			notes = append(notes, n)
		}
	}
	r.Annotation = strings.Join(notes, "\n\n")
	return r, urls
}

var htmlTag = regexp.MustCompile(`<[^>]*>`)
var htmlBreak = regexp.MustCompile(`(?i)</p>|<br\s*/?>|</div>|</h[1-6]>|</li>`)

// noteText reads a note. Zotero writes notes as HTML (<p>...</p>); a note that starts with a
// paragraph or division tag has its tags taken out and its entities read, once.
func noteText(s string) string {
	s = normText(s, true)
	if isHTML(s) {
		s = normText(html.UnescapeString(htmlTag.ReplaceAllString(htmlBreak.ReplaceAllString(s, "\n\n"), "")), true)
	}
	return s
}

// risNote is how an annotation is written: as it is, unless it starts like HTML, when it is
// written as HTML so that noteText gives it back exactly.
func risNote(s string) string {
	if !isHTML(s) {
		return s
	}
	return "<p>" + html.EscapeString(s) + "</p>"
}

func isHTML(s string) bool {
	l := strings.ToLower(s)
	return strings.HasPrefix(l, "<p>") || strings.HasPrefix(l, "<p ") || strings.HasPrefix(l, "<div")
}

// WriteRIS writes references as RIS in UTF-8 with Windows line ends, as the standard asks.
// References are normalised first and one that would not be accepted on reading is refused
// (valid.Errors), so an export can always be imported again.
func WriteRIS(w io.Writer, refs []Reference) error {
	norm, err := normaliseAll(refs)
	if err != nil {
		return err
	}
	assignKeys(norm, false)
	var b strings.Builder
	line := func(tag, value string) {
		if value == "" && tag != "ER" {
			return
		}
		// Paragraphs after the first go on lines of their own, after a blank line. One that
		// would look like a tag is indented, which the reader takes off again.
		for i, p := range strings.Split(value, "\n\n") {
			if i == 0 {
				b.WriteString(tag + "  - " + p + "\r\n")
				continue
			}
			if _, _, ok := risTag(p); ok {
				p = " " + p
			}
			b.WriteString("\r\n" + p + "\r\n")
		}
	}
	for _, r := range norm {
		line("TY", risTypes[r.Kind])
		line("ID", r.Key)
		for _, a := range r.Authors {
			line("AU", a)
		}
		line("TI", r.Title)
		line("T2", r.Journal)
		if r.Year > 0 {
			line("PY", fmt.Sprintf("%04d", r.Year))
		}
		line("VL", r.Volume)
		line("IS", r.Issue)
		sp, ep, _ := strings.Cut(r.Pages, "-")
		line("SP", sp)
		line("EP", ep)
		line("PB", r.Publisher)
		line("DO", r.DOI)
		line("UR", r.URL)
		line("AB", r.Abstract)
		line("N1", risNote(r.Annotation))
		for _, k := range r.Keywords {
			line("KW", k)
		}
		line("ER", "")
		b.WriteString("\r\n")
		if b.Len() > 64<<10 {
			if _, err := io.WriteString(w, b.String()); err != nil {
				return fmt.Errorf("citation: write RIS: %w", err)
			}
			b.Reset()
		}
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("citation: write RIS: %w", err)
	}
	return nil
}
