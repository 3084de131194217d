package citation

import (
	"regexp"
	"strconv"
	"strings"
)

// bibKinds maps BibTeX and biblatex entry types to kinds. A conference paper is a chapter: it
// is cited like one, by the volume it appears in and its pages. @misc is decided by its fields.
var bibKinds = map[string]string{
	"article": "article", "periodical": "article",
	"online": "web", "electronic": "web", "www": "web", "webpage": "web",
	"book": "book", "booklet": "book", "proceedings": "book", "collection": "book", "mvbook": "book",
	"inbook": "chapter", "incollection": "chapter", "inproceedings": "chapter", "conference": "chapter", "bookinbook": "chapter",
	"techreport": "report", "report": "report",
	"phdthesis": "thesis", "mastersthesis": "thesis", "thesis": "thesis",
}

// bibTypes is the entry type written for each kind; see bibType for other.
var bibTypes = map[string]string{
	"article": "article", "web": "online", "book": "book", "report": "techreport",
	"chapter": "incollection", "thesis": "phdthesis", "other": "misc",
}

// reference turns an entry's raw fields into a reference (not yet normalised).
func (e bibEntry) reference() Reference {
	get := func(multi bool, names ...string) string {
		for _, n := range names {
			if t := normText(decodeLaTeX(e.fields[n]), multi); t != "" {
				return t
			}
		}
		return ""
	}
	r := Reference{
		Key:        e.key,
		Title:      get(false, "title"),
		Journal:    get(false, "journal", "journaltitle", "booktitle"),
		Volume:     get(false, "volume"),
		Issue:      get(false, "number", "issue"),
		Pages:      get(false, "pages"),
		Publisher:  get(false, "publisher", "institution", "school", "organization"),
		Abstract:   get(true, "abstract"),
		Annotation: get(true, "annote", "annotation"),
		DOI:        normText(decodeVerbatim(e.fields["doi"]), false),
		Year:       yearOf(get(false, "year")),
	}
	if r.Year == 0 {
		r.Year = yearOf(get(false, "date"))
	}
	if a, ok := e.fields["author"]; ok {
		r.Authors = bibNames(a)
	} else {
		r.Authors = bibNames(e.fields["editor"]) // an edited book is found by its editors
	}
	if kw := get(false, "keywords"); kw != "" {
		sep := ","
		if strings.Contains(kw, ";") {
			sep = ";"
		}
		r.Keywords = strings.Split(kw, sep)
	}
	// Mendeley sometimes puts several addresses in url, separated by spaces: the first is the
	// main one. A web page may have its address only in howpublished, as \url{...}.
	if u := strings.Fields(decodeVerbatim(e.fields["url"])); len(u) > 0 {
		r.URL = u[0]
	} else if h := strings.Fields(decodeVerbatim(e.fields["howpublished"])); len(h) > 0 && urlScheme(h[0]) != "" {
		r.URL = h[0]
	}
	r.Kind = bibKinds[e.typ]
	switch {
	case r.Kind != "":
	case e.typ == "misc" && r.URL != "" && get(false, "journal", "journaltitle") == "":
		r.Kind = "web" // how Zotero and Mendeley export a web page
	default:
		r.Kind = "other"
	}
	return r
}

// bibType is the entry type to write. A reference of another kind with an address and no
// journal is written @unpublished, because @misc with those fields is read as a web page.
func bibType(r Reference) string {
	if r.Kind == "other" && r.URL != "" && r.Journal == "" {
		return "unpublished"
	}
	return bibTypes[r.Kind]
}

var fourDigits = regexp.MustCompile(`(?:^|[^0-9])([0-9]{4})(?:[^0-9]|$)`)

// yearOf finds the year in a date as sources write it: 2020, 2020/04/01/, 2020-04, April 2020.
func yearOf(s string) int {
	m := fourDigits.FindStringSubmatch(s)
	if m == nil {
		return 0
	}
	y, _ := strconv.Atoi(m[1])
	return y
}
