package citation

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/pillars-ot/pillars/internal/valid"
)

// fileMessage returns all the messages of a refusal, one a line, failing unless err is
// valid.Errors on the field "file".
func fileMessage(t *testing.T, err error) string {
	t.Helper()
	var ve valid.Errors
	if !errors.As(err, &ve) || len(ve) == 0 {
		t.Fatalf("want valid.Errors, got %#v", err)
	}
	var msgs []string
	for _, fe := range ve {
		if fe.Field != "file" {
			t.Errorf("problem on field %q, want file: %s", fe.Field, fe.Message)
		}
		msgs = append(msgs, fe.Message)
	}
	return strings.Join(msgs, "\n")
}

// padLines puts n filler lines before s, so a message can be checked for its line number.
func padLines(n int, s string) string {
	return strings.Repeat("% filler\n", n) + s
}

func TestMalformed(t *testing.T) {
	bib, ris := formats[0], formats[1]
	tests := []struct {
		name string
		f    format
		in   string
		want string // the whole message, or its start when it ends with "…"
	}{
		{"unclosed entry", bib, padLines(11, "@article{smith2020,\n  title = {A title},\n  year = 2020\n"),
			`Line 12: the entry "smith2020" is missing its closing brace. Check the file was exported completely.`},
		{"unclosed value before the next entry", bib, "@article{smith2020,\n  title = {Open\n\n@article{jones2021, title = {Fine}}\n",
			`Line 1: the entry "smith2020" is missing its closing brace. Check the file was exported completely.`},
		{"unclosed entry without a key", bib, "@book{title = {A}",
			`Line 1: the @book entry is missing its closing brace. Check the file was exported completely.`},
		{"unclosed parenthesis", bib, "@article(a, title = {x}",
			`Line 1: the entry "a" is missing its closing bracket. Check the file was exported completely.`},
		{"missing comma", bib, "@article{a,\n title = {x}\n year = 2020}",
			`Line 3: in the entry "a", a comma is missing after the field "title".`},
		{"no brace after the type", bib, "@article smith2020, title = {x}}",
			`Line 1: @article should be followed by an opening brace, like @article{smith2020, title = {...}}.`},
		{"no equals sign", bib, "@article{a, title {x}}",
			`Line 1: in the entry "a", the field "title" should be followed by =.`},
		{"no value", bib, "@article{a, title = , year = 2020}",
			`Line 1: in the entry "a", the value of "title" should be in braces {...} or quotes "...".`},
		{"space in the key", bib, "@article{smith 2020, title = {x}}",
			`Line 1: in the entry "smith", a comma should follow the citation key.`},
		{"brace in quotes", bib, `@article{a, title = "x } y"}`,
			`Line 1: in the entry "a", the value of "title" has a closing brace } with no opening brace before it.`},
		{"braces too deep", bib, "@article{a, title = {" + strings.Repeat("{", 60) + strings.Repeat("}", 61) + "}",
			`Line 1: in the entry "a", the value of "title" has braces nested more than 50 deep.`},
		{"unclosed preamble", bib, `@preamble{"x"`, `Line 1: the @preamble is missing its closing brace. Check the file was exported completely.`},
		{"macros that explode", bib, explodingMacros(),
			`Line 21: in the @string definition, the value of "m20" is longer than 1 MB once its @string macros are filled in.`},
		{"missing title", bib, "@article{a, year = 2020}", `Record 1 (line 1, "a"): there is no title. Every reference needs one.`},
		{"bad URL", bib, padLines(39, "@misc{a, title = {x}, url = {https://ok.example.org}}\n@misc{b, title = {y}}\n@misc{c, title = {z}, url = {javascript:alert(1)}}"),
			`Record 3 (line 42, "c"): the URL "javascript:alert(1)" is not a web address starting with http:// or https://.`},
		{"bad DOI", bib, "@article{a, title = {x}, doi = {not a doi}}",
			`Record 1 (line 1, "a"): the DOI "not a doi" does not look like a DOI: it should start with 10. and contain a slash, like 10.1177/0308022620912345.`},
		{"no entries", bib, "Just some notes about reading.\n", `There are no references in this file. A BibTeX file has entries that start with @, like @article{smith2020, title = {...}}.`},
		{"only a string", bib, "@string{a = {b}}", `There are no references in this file…`},
		{"RIS given as BibTeX", bib, "TY  - JOUR\nTI  - x\nER  - \n", `This looks like a RIS file, not BibTeX. Import it as RIS instead.`},

		{"missing ER at the end", ris, "TY  - JOUR\nTI  - A title\n",
			`Record 1 (line 1) has no "ER  - " line at its end. Check the file was exported completely.`},
		{"missing ER before the next record", ris, "TY  - JOUR\nTI  - A\nTY  - JOUR\nTI  - B\nER  - \n",
			`Record 1 (line 1) has no "ER  - " line before the next record starts on line 3. Check the file was exported completely.`},
		{"tag before any record", ris, "AU  - Smith, Jane\nTY  - JOUR\nTI  - A\nER  - \n",
			`Line 1: "AU  - Smith, Jane" comes before any record. Each record starts with a "TY  - " line.`},
		{"end before any record", ris, "ER  - \n", `Line 1: "ER  -" comes before any record. Each record starts with a "TY  - " line.`},
		{"bad URL", ris, risBadURL(),
			`Record 3 (line 40): the URL "javascript:alert(1)" is not a web address starting with http:// or https://.`},
		{"bad second URL", ris, "TY  - ELEC\nTI  - A page\nUR  - https://example.org\nUR  - data:text/html,<script>alert(1)</script>\nER  - \n",
			`Record 1 (line 1): the URL "data:text/html,<script>alert(1)</script>" is not a web address starting with http:// or https://.`},
		{"missing title", ris, "TY  - JOUR\nAU  - Smith, Jane\nER  - \n", `Record 1 (line 1): there is no title. Every reference needs one.`},
		{"no records", ris, "Provider: nobody\nJust text.\n", `There are no references in this file. A RIS file has records that start with a "TY  - " line and end with an "ER  - " line.`},
		{"BibTeX given as RIS", ris, "@article{a, title = {x}}\n", `This looks like a BibTeX file, not RIS. Import it as BibTeX instead.`},
	}
	for _, f := range formats {
		tests = append(tests, []struct {
			name string
			f    format
			in   string
			want string
		}{
			{"empty", f, "", "This file is empty. Export your references from your reference manager as " + f.name + " and choose that file."},
			{"blank", f, "\ufeff \r\n\n\t", "This file is empty…"},
			{"binary", f, "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "This is not a text file, so it cannot be a " + f.name + " file…"},
			{"control characters", f, strings.Repeat("\x01\x02\x03", 10) + "TY  - JOUR", "This is not a text file…"},
			{"JSON", f, `[{"title": "A title", "DOI": "10.1/x", "note": "TY  - JOUR"}]`, "This is a JSON file, not a " + f.name + " file. Export your references from your reference manager as " + f.name + " and choose that file."},
			{"too large", f, strings.Repeat(" ", MaxFileBytes+1), "This file is larger than 5 MB. Split it into smaller files and import each one."},
		}...)
	}
	for _, tt := range tests {
		t.Run(tt.f.name+"/"+tt.name, func(t *testing.T) {
			refs, err := tt.f.parse([]byte(tt.in))
			if refs != nil {
				t.Errorf("got %d references with the error", len(refs))
			}
			msg := fileMessage(t, err)
			if want, ok := strings.CutSuffix(tt.want, "…"); ok {
				if !strings.HasPrefix(msg, want) {
					t.Errorf("message\n %q\nwant it to start\n %q", msg, want)
				}
			} else if msg != tt.want {
				t.Errorf("message\n %q\nwant\n %q", msg, tt.want)
			}
		})
	}
}

// risBadURL is a file whose third record, starting on line 40, links to script.
func risBadURL() string {
	s := "TY  - JOUR\nTI  - One\nER  - \n\nTY  - JOUR\nTI  - Two\nER  - \n" // lines 1-7
	s += strings.Repeat("\n", 32)                                           // lines 8-39
	return s + "TY  - ELEC\nTI  - A page\nUR  - javascript:alert(1)\nER  - \n"
}

// explodingMacros doubles a value at each of 25 steps: 32 MB from a few lines.
func explodingMacros() string {
	s := "@string{m0 = {xx}}\n"
	for i := 1; i <= 24; i++ {
		s += fmt.Sprintf("@string{m%d = m%d # m%d}\n", i, i-1, i-1)
	}
	return s + "@article{k, title = m24 # m24}\n"
}

// TestAllOrNothing checks that one bad record refuses the whole file, with every problem named.
func TestAllOrNothing(t *testing.T) {
	in := "TY  - JOUR\nTI  - Good\nER  - \nTY  - JOUR\nAU  - No title\nER  - \nTY  - ELEC\nTI  - Bad link\nUR  - ftp://example.org/x\nER  - \n"
	refs, err := ParseRIS(strings.NewReader(in))
	if refs != nil {
		t.Fatalf("got %d references", len(refs))
	}
	want := "Record 2 (line 4): there is no title. Every reference needs one.\n" +
		`Record 3 (line 7): the URL "ftp://example.org/x" is not a web address starting with http:// or https://.`
	if msg := fileMessage(t, err); msg != want {
		t.Errorf("messages\n%s\nwant\n%s", msg, want)
	}
}

func TestProblemsAreCapped(t *testing.T) {
	refs, err := ParseBibTeX(strings.NewReader(strings.Repeat("@misc{k, year = 2020}\n", 15)))
	if refs != nil {
		t.Fatal("references with errors")
	}
	msgs := strings.Split(fileMessage(t, err), "\n")
	if len(msgs) != maxProblems+1 || msgs[maxProblems] != "There are 5 more problems. Fix these first, then import the file again." {
		t.Errorf("got %d messages, the last %q", len(msgs), msgs[len(msgs)-1])
	}
}

func TestTooManyRecords(t *testing.T) {
	var bib, ris strings.Builder
	for i := 0; i <= MaxRecords; i++ {
		fmt.Fprintf(&bib, "@misc{k%d,title={t}}\n", i)
		ris.WriteString("TY  - GEN\nTI  - t\nER  - \n")
	}
	for _, tt := range []struct {
		f  format
		in string
	}{{formats[0], bib.String()}, {formats[1], ris.String()}} {
		_, err := tt.f.parse([]byte(tt.in))
		if msg := fileMessage(t, err); msg != "This file has more than 20,000 references. Split it into smaller files and import each one." {
			t.Errorf("%s: %q", tt.f.name, msg)
		}
		// Exactly the limit is fine.
		cut := tt.in[:strings.LastIndex(tt.in[:len(tt.in)-1], "\n")+1]
		if tt.f.name == "RIS" {
			cut = strings.Repeat("TY  - GEN\nTI  - t\nER  - \n", MaxRecords)
		}
		if refs, err := tt.f.parse([]byte(cut)); err != nil || len(refs) != MaxRecords {
			t.Errorf("%s: %d references at the limit, %v", tt.f.name, len(refs), err)
		}
	}
}

// TestReadFailure checks that a failing reader is an ordinary error, not a message for the person.
func TestReadFailure(t *testing.T) {
	_, err := ParseRIS(failingReader{})
	var ve valid.Errors
	if err == nil || errors.As(err, &ve) {
		t.Errorf("got %#v", err)
	}
}

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errors.New("disk on fire") }
