package citation

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// WriteBibTeX writes references as BibTeX in UTF-8, one entry each, with every LaTeX special
// character escaped and braces balanced. References are normalised first and a reference that
// would not be accepted on reading is refused (valid.Errors), so an export can always be
// imported again. Missing keys are made as familyYEARfirstword and repeated ones get a letter.
func WriteBibTeX(w io.Writer, refs []Reference) error {
	norm, err := normaliseAll(refs)
	if err != nil {
		return err
	}
	assignKeys(norm, true)
	bw := bufio.NewWriter(w)
	for i, r := range norm {
		if i > 0 {
			bw.WriteString("\n")
		}
		writeBibEntry(bw, r)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("citation: write BibTeX: %w", err)
	}
	return nil
}

func writeBibEntry(w *bufio.Writer, r Reference) {
	fmt.Fprintf(w, "@%s{%s,\n", bibType(r), r.Key)
	field := func(name, value string) {
		if value != "" {
			fmt.Fprintf(w, "  %s = {%s},\n", name, value)
		}
	}
	var names []string
	for _, a := range r.Authors {
		names = append(names, bibWriteName(a))
	}
	field("author", strings.Join(names, " and "))
	// Double braces keep the title's capitals as they are in every bibliography style.
	field("title", "{"+escapeLaTeX(r.Title)+"}")
	journal, publisher := "journal", "publisher"
	switch r.Kind {
	case "chapter":
		journal = "booktitle"
	case "report":
		publisher = "institution"
	case "thesis":
		publisher = "school"
	}
	field(journal, escapeLaTeX(r.Journal))
	if r.Year > 0 {
		field("year", fmt.Sprintf("%04d", r.Year))
	}
	field("volume", escapeLaTeX(r.Volume))
	field("number", escapeLaTeX(r.Issue))
	field("pages", strings.ReplaceAll(escapeLaTeX(r.Pages), "-", "--"))
	field(publisher, escapeLaTeX(r.Publisher))
	// A DOI or URL in normal form has no braces, backslashes or spaces, and is written as it is:
	// reference managers read these fields verbatim.
	field("doi", r.DOI)
	field("url", r.URL)
	field("abstract", escapeLaTeX(r.Abstract))
	field("annote", escapeLaTeX(r.Annotation))
	field("keywords", bibKeywords(r.Keywords))
	w.WriteString("}\n")
}

// bibKeywords joins keywords with commas, or with semicolons when a keyword has a comma in it
// (MeSH headings such as "Arthritis, Rheumatoid"); the reader splits at semicolons when there
// are any. A single such keyword gets a semicolon after it for the same reason. A semicolon
// inside a keyword (possible in RIS) cannot be written, and becomes a comma.
func bibKeywords(kws []string) string {
	sep := ", "
	var esc []string
	for _, k := range kws {
		k = strings.ReplaceAll(k, ";", ",")
		if strings.Contains(k, ",") {
			sep = "; "
		}
		esc = append(esc, escapeLaTeX(k))
	}
	s := strings.Join(esc, sep)
	if sep == "; " && len(kws) == 1 {
		s += ";"
	}
	return s
}

// normaliseAll normalises references for writing, refusing any that would not be read back.
func normaliseAll(refs []Reference) ([]Reference, error) {
	var probs problems
	out := make([]Reference, len(refs))
	for i, r := range refs {
		n, errs := Normalise(r)
		if errs.Any() {
			name := "untitled"
			if n.Title != "" {
				name = quote(n.Title)
			}
			probs.record(fmt.Sprintf("Reference %d (%s)", i+1, name), errs)
		}
		out[i] = n
	}
	return out, probs.err()
}
