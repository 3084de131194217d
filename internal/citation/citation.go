// Package citation reads and writes the citations of the directory's journal articles and web
// resources as BibTeX and RIS, the two formats every reference manager (Zotero, Mendeley,
// EndNote, Google Scholar, PubMed) can export and import.
//
// Everything read is untrusted. A file is accepted whole or not at all: any problem comes back as
// valid.Errors on the field "file", each message naming the record and line, and no references.
// Every reference read is in one normal form (see Normalise), and the writers write that form so
// that reading what they wrote gives the same references back.
//
// The package is pure: no database, no HTTP. Identity gives the key the directory compares to flag
// a suggestion that is already listed.
package citation

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/pillars-ot/pillars/internal/valid"
)

// Reference is one citation in normal form.
type Reference struct {
	Kind       string   // one of Kinds
	Authors    []string // "Family, Given", or one name for an organisation; see Normalise
	Year       int      // 0 when unknown
	Title      string
	Journal    string // or the book, website or proceedings it appears in
	Volume     string
	Issue      string
	Pages      string // "215-224": one hyphen, whatever dash the source used
	Publisher  string // or institution, university
	DOI        string // lower case, without https://doi.org/ or doi:
	URL        string // http or https only
	Abstract   string
	Annotation string // the directory's note on why it is worth reading
	Keywords   []string
	Key        string // citation key, e.g. smith2020occupational
}

// Kinds are the kinds of reference, in the order a form offers them.
var Kinds = []string{"article", "web", "book", "report", "chapter", "thesis", "other"}

// Limits on what the parsers accept. A larger reading list is split into several files; nobody
// curates 20,000 references by hand, so more than that is a mistake or an attack.
const (
	MaxFileBytes = 5 << 20
	MaxRecords   = 20000
)

// maxProblems bounds the messages for one file: a file with a systematic fault would otherwise
// bury the first, most useful, message under thousands of copies.
const maxProblems = 10

// Normalise puts a reference into normal form and checks it, as the parsers do for every record
// and a form should for what was typed. Text is trimmed, runs of spaces and line breaks become one
// space (Abstract and Annotation keep paragraph breaks as a blank line), control characters go,
// and accents are composed (NFC). Problems are on the fields "kind", "title", "year", "doi" and
// "url". A missing year is allowed; a missing title is not.
func Normalise(r Reference) (Reference, valid.Errors) {
	var errs valid.Errors
	n := Reference{
		Kind:       strings.ToLower(strings.TrimSpace(r.Kind)),
		Year:       r.Year,
		Title:      normText(r.Title, false),
		Journal:    normText(r.Journal, false),
		Volume:     normText(r.Volume, false),
		Issue:      normText(r.Issue, false),
		Pages:      normPages(r.Pages),
		Publisher:  normText(r.Publisher, false),
		Abstract:   normText(r.Abstract, true),
		Annotation: normText(r.Annotation, true),
		Key:        cleanKey(r.Key),
	}
	if !isKind(n.Kind) {
		errs.Add("kind", "Choose what kind of reference this is: "+strings.Join(Kinds[:len(Kinds)-1], ", ")+" or other.")
	}
	for _, a := range r.Authors {
		if a = canonName(strings.Split(a, ",")); a != "" {
			n.Authors = append(n.Authors, a)
		}
	}
	n.Keywords = normKeywords(r.Keywords)
	if n.Title == "" {
		errs.Add("title", "There is no title. Every reference needs one.")
	}
	if n.Year < 0 || n.Year > 9999 {
		errs.Add("year", fmt.Sprintf("The year %d is not a year of four digits.", n.Year))
	}
	if doi := normText(r.DOI, false); doi != "" {
		d, ok := NormaliseDOI(doi)
		if !ok {
			errs.Add("doi", fmt.Sprintf("The DOI %s does not look like a DOI: it should start with 10. and contain a slash, like 10.1177/0308022620912345.", quote(doi)))
		}
		n.DOI = d
	}
	if u := normText(r.URL, false); u != "" {
		if msg := CheckURL(u); msg != "" {
			errs.Add("url", msg)
		}
		n.URL = u
	}
	return n, errs
}

func isKind(k string) bool {
	for _, want := range Kinds {
		if k == want {
			return true
		}
	}
	return false
}

// normKeywords trims keywords and drops empty ones and repeats (ignoring case): reference
// managers often export the same tag twice, once from the publisher and once from the user.
func normKeywords(in []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, k := range in {
		k = normText(k, false)
		if k == "" || seen[strings.ToLower(k)] {
			continue
		}
		seen[strings.ToLower(k)] = true
		out = append(out, k)
	}
	return out
}

// canonName is the normal form of a name split at its commas: "Family, Given" or "Family, Given,
// Suffix" (the order RIS uses), or a single name for an organisation. Empty parts at either end
// go; one in the middle stays, so that a suffix is never read back as a given name.
func canonName(parts []string) string {
	var keep []string
	for _, p := range parts {
		keep = append(keep, normText(p, false))
	}
	for len(keep) > 0 && keep[0] == "" {
		keep = keep[1:]
	}
	for len(keep) > 0 && keep[len(keep)-1] == "" {
		keep = keep[:len(keep)-1]
	}
	return strings.Join(keep, ", ")
}

// problems collects the messages for one file, up to maxProblems.
type problems struct {
	errs valid.Errors
	more int
}

func (p *problems) add(format string, args ...any) {
	if len(p.errs) >= maxProblems {
		p.more++
		return
	}
	p.errs = append(p.errs, valid.FieldError{Field: "file", Message: fmt.Sprintf(format, args...)})
}

// record adds a reference's own problems, each after where to find the reference.
func (p *problems) record(where string, errs valid.Errors) {
	for _, e := range errs {
		p.add("%s: %s", where, lowerFirst(e.Message))
	}
}

func (p *problems) full() bool { return len(p.errs) >= maxProblems }

func (p *problems) err() error {
	if len(p.errs) == 0 {
		return nil
	}
	errs := p.errs
	if p.more > 0 {
		errs = append(errs, valid.FieldError{Field: "file", Message: fmt.Sprintf("There are %d more problems. Fix these first, then import the file again.", p.more)})
	}
	return errs
}

// fileProblem refuses a whole file with one message.
func fileProblem(format string, args ...any) error {
	return valid.Errors{{Field: "file", Message: fmt.Sprintf(format, args...)}}
}

func lowerFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	// "URL" and "DOI" stay as they are; only a capital starting an ordinary word is lowered.
	if n < len(s) {
		if next, _ := utf8.DecodeRuneInString(s[n:]); unicode.IsUpper(next) {
			return s
		}
	}
	return string(unicode.ToLower(r)) + s[n:]
}

// quote shows a value in a message: in double quotes, shortened, on one line.
func quote(s string) string {
	s = strings.TrimSpace(strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s))
	const max = 60
	if utf8.RuneCountInString(s) > max {
		s = string([]rune(s)[:max]) + "…"
	}
	return `"` + s + `"`
}
