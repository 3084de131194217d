package citation

import (
	"bytes"
	"os"
	"reflect"
	"strings"
	"testing"
)

// format is one of the two spellings, for tests that run over both.
type format struct {
	name  string
	parse func([]byte) ([]Reference, error)
	write func(*bytes.Buffer, []Reference) error
}

var formats = []format{
	{"BibTeX", func(b []byte) ([]Reference, error) { return ParseBibTeX(bytes.NewReader(b)) },
		func(w *bytes.Buffer, r []Reference) error { return WriteBibTeX(w, r) }},
	{"RIS", func(b []byte) ([]Reference, error) { return ParseRIS(bytes.NewReader(b)) },
		func(w *bytes.Buffer, r []Reference) error { return WriteRIS(w, r) }},
}

// awkward are references with everything that needs escaping or care in one format or the other.
var awkward = []Reference{
	{
		Kind:    "article",
		Authors: []string{"Ó Briain, Seán", "Maßmann, Gréta", "van der Berg, Ludwig", "King, Martin, Jr", "World Health Organization", "Nguyễn, Thị Minh"},
		Year:    2020, Title: "Braces {kept}, a } stray, 50% & $5 #1 under_score ~tilde^ back\\slash -- dashes --- and ``quotes'' 'single'",
		Journal: "Occupational Therapy & Health", Volume: "83", Issue: "4", Pages: "215-224",
		Publisher: "Pillar {Press}", DOI: "10.1177/0308022620912345", URL: "https://www.example.org/a_b?x=1&y=%20#frag",
		// Text is normalised to single spaces, so "ER  -" reaches the writer as "ER -", which
		// the reader would still take for a tag.
		Abstract:   "First paragraph with an @ sign.\n\n@article{not, an = {entry}} at the start of a paragraph.\n\nER  - looks like a RIS end line.",
		Annotation: "Read with care: 100% worth it.\n\nTY  - JOUR is not a new record.",
		Keywords:   []string{"Arthritis, Rheumatoid", "leadership & management", "café"},
		Key:        "obriain2020braces",
	},
	{
		Kind: "web", Authors: []string{"Royal College of Occupational Therapists"}, Title: "Career development framework",
		URL: "https://www.rcot.co.uk/career-development-framework", Annotation: "Start here.", Keywords: []string{"careers"},
	},
	{Kind: "book", Authors: []string{"Smith and Sons, Ann and Bob"}, Year: 1999, Title: "A book {with", Publisher: "Oxford University Press"},
	{Kind: "report", Title: "A report}", Publisher: "Health Education England", Issue: "HEE-12"},
	{Kind: "chapter", Authors: []string{"Ferreira, João"}, Title: "A chapter", Journal: "The edited book", Pages: "1-2-3"},
	{Kind: "thesis", Authors: []string{"Nakamura, Emi"}, Year: 2021, Title: "A thesis", Publisher: "University of Northbridge"},
	{Kind: "other", Authors: []string{"Adeyemi, Funmilayo"}, Title: "Notes with a link", URL: "http://example.org/notes"},
	{Kind: "other", Title: "Notes with a link and a journal", URL: "http://example.org/notes2", Journal: "Newsletter"},
	{Kind: "other", Title: "No year, no authors, only a title"},
	{Kind: "article", Title: "The same key twice", Key: "dup"},
	{Kind: "article", Title: "The same key twice again", Key: "DUP"},
	{Kind: "article", Title: "Years before 1000", Year: 999},
}

// TestRoundTrip checks that reading what the writers wrote gives back every field: the
// references in normal form, with keys made where there were none (BibTeX) or repeated.
func TestRoundTrip(t *testing.T) {
	for _, f := range formats {
		t.Run(f.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := f.write(&buf, awkward); err != nil {
				t.Fatalf("write: %v", err)
			}
			got, err := f.parse(buf.Bytes())
			if err != nil {
				t.Fatalf("parse what was written: %v\n%s", err, buf.String())
			}
			want := make([]Reference, len(awkward))
			for i, r := range awkward {
				want[i], _ = Normalise(r)
			}
			assignKeys(want, f.name == "BibTeX")
			if len(got) != len(want) {
				t.Fatalf("got %d references, want %d", len(got), len(want))
			}
			for i := range want {
				if !reflect.DeepEqual(got[i], want[i]) {
					t.Errorf("reference %d changed\n got: %#v\nwant: %#v", i+1, got[i], want[i])
				}
			}
		})
	}
}

// TestRoundTripFixtures checks that what was read from real exports survives writing and reading.
func TestRoundTripFixtures(t *testing.T) {
	for _, name := range []string{"scholar.bib", "zotero.bib", "mendeley.bib", "edge.bib", "pubmed.ris", "zotero.ris", "endnote.ris"} {
		t.Run(name, func(t *testing.T) {
			f := formats[0]
			if strings.HasSuffix(name, ".ris") {
				f = formats[1]
			}
			data, err := os.ReadFile("testdata/" + name)
			if err != nil {
				t.Fatal(err)
			}
			refs, err := f.parse(data)
			if err != nil {
				t.Fatal(err)
			}
			for _, g := range formats {
				var buf bytes.Buffer
				if err := g.write(&buf, refs); err != nil {
					t.Fatalf("write %s: %v", g.name, err)
				}
				again, err := g.parse(buf.Bytes())
				if err != nil {
					t.Fatalf("parse %s: %v\n%s", g.name, err, buf.String())
				}
				if g.name == f.name && !reflect.DeepEqual(again, refs) {
					t.Errorf("%s round trip changed the references\n got: %#v\nwant: %#v", g.name, again, refs)
				}
			}
		})
	}
}

// TestWriteBibTeXEscapes checks the text of the output, not just that it reads back: what other
// tools see.
func TestWriteBibTeXEscapes(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteBibTeX(&buf, awkward[:3]); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{
		`@article{obriain2020braces,`,
		`author = {Ó Briain, Seán and Maßmann, Gréta and van der Berg, Ludwig and King, Jr, Martin and {World Health Organization} and Nguyễn, Thị Minh},`,
		`title = {{Braces \textbraceleft{}kept\textbraceright{}, a \textbraceright{} stray, 50\% \& \$5 \#1 under\_score \textasciitilde{}tilde\textasciicircum{} back\textbackslash{}slash -{}- dashes -{}-{}- and `,
		"`{}`quotes'{}' 'single'}},",
		`pages = {215--224},`,
		`keywords = {Arthritis, Rheumatoid; leadership \& management; café},`,
		`url = {https://www.example.org/a_b?x=1&y=%20#frag},`,
		"\n\n{@}article\\{not, an = \\{entry\\}\\} at the start",
		`@online{royalcollegeofoccupationaltherapists2023career,`[:8],
		`author = {{Smith and Sons}, {Ann and Bob}},`,
		`title = {{A book \textbraceleft{}with}},`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q\n%s", want, out)
		}
	}
	if d := braceDepth(out); d != 0 {
		t.Errorf("braces do not balance (depth %d at the end)", d)
	}
}

// braceDepth counts braces as BibTeX does, escaped or not.
func braceDepth(s string) int {
	return strings.Count(s, "{") - strings.Count(s, "}")
}

func TestWriteRISLayout(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteRIS(&buf, awkward[:1]); err != nil {
		t.Fatal(err)
	}
	want := "TY  - JOUR\r\nID  - obriain2020braces\r\nAU  - Ó Briain, Seán\r\n"
	if !strings.HasPrefix(buf.String(), want) {
		t.Errorf("output starts %q, want %q", buf.String()[:len(want)], want)
	}
	for _, want := range []string{"\r\nSP  - 215\r\nEP  - 224\r\n", "\r\n\r\n ER - looks like", "\r\n\r\n TY - JOUR is not", "\r\nER  - \r\n"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("output lacks %q\n%s", want, buf.String())
		}
	}
}

// TestWriteRefuses checks that the writers refuse what the readers would, rather than export a
// file that cannot be imported again or a link that runs script.
func TestWriteRefuses(t *testing.T) {
	bad := []Reference{{Kind: "web", Title: "A page", URL: "javascript:alert(1)"}}
	for _, f := range formats {
		var buf bytes.Buffer
		err := f.write(&buf, bad)
		if msg := fileMessage(t, err); msg != `Reference 1 ("A page"): the URL "javascript:alert(1)" is not a web address starting with http:// or https://.` {
			t.Errorf("%s: message %q", f.name, msg)
		}
		if buf.Len() != 0 {
			t.Errorf("%s: wrote %q", f.name, buf.String())
		}
	}
}

// TestRISNoteLikeHTML checks annotations that start like HTML, which the reader would otherwise
// take for a Zotero note and strip.
func TestRISNoteLikeHTML(t *testing.T) {
	for _, note := range []string{"<p>a literal tag</p> & more", "<div", "<p 0\n\n>", "<P>upper\n\nsecond & <b>bold</b>"} {
		var buf bytes.Buffer
		if err := WriteRIS(&buf, []Reference{{Kind: "other", Title: "T", Annotation: note}}); err != nil {
			t.Fatal(err)
		}
		refs, err := ParseRIS(&buf)
		if err != nil || refs[0].Annotation != note {
			t.Errorf("%q came back as %q, %v", note, refs[0].Annotation, err)
		}
	}
}
