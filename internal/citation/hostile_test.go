package citation

import (
	"strings"
	"testing"
)

// TestHostileInputs feeds inputs built to make a careless parser slow (work growing with the
// square of the size) or deep. Each is about a megabyte; the test only checks the answer, and
// would take hours rather than milliseconds if any of them went quadratic again.
func TestHostileInputs(t *testing.T) {
	tests := []struct {
		name  string
		f     format
		in    string
		count int    // references expected, or 0 for a refusal
		want  string // the start of the refusal
	}{
		{"RIS field wrapped over 100,000 lines", formats[1],
			"TY  - JOUR\nTI  - T\nAB  - start\n" + strings.Repeat("more words\n", 100000) + "ER  - \n", 1, ""},
		{"RIS note of nested entities", formats[1],
			"TY  - GEN\nTI  - T\nN1  - <p>" + strings.Repeat("&amp;", 200000) + "lt;p&gt;</p>\nER  - \n", 1, ""},
		{"RIS of blank lines", formats[1], strings.Repeat("\n", 1<<20) + "TY  - JOUR\nTI  - T\nER  - \n", 1, ""},
		{"BibTeX accents over unclosed groups", formats[0],
			"@misc{k, title = {" + strings.Repeat(`\'{\}`, 200000) + "}}", 1, ""},
		{"BibTeX links with unclosed groups", formats[0],
			"@misc{k, title = {" + strings.Repeat(`\href{\}`, 100000) + "}}", 1, ""},
		{"BibTeX of @ signs", formats[0], strings.Repeat("@", 1<<20) + "\n@misc{k, title = {T}}", 1, ""},
		{"BibTeX of unknown @ words", formats[0], strings.Repeat("@x ", 300000) + "\n@misc{k, title = {T}}", 1, ""},
		{"BibTeX of unclosed comments", formats[0], strings.Repeat("@comment{\n", 100000), 0, "Line 1: the @comment is missing its closing brace."},
		{"BibTeX of comment lines", formats[0], strings.Repeat("% @misc{\n", 100000) + "@misc{k, title = {T}}", 1, ""},
		{"BibTeX with 100,000 authors", formats[0], "@misc{k, title = {T}, author = {" + strings.Repeat("A. B and ", 100000) + "C}}", 1, ""},
		{"BibTeX with one key 20,000 times", formats[0], strings.Repeat("@misc{k, title = {T}}\n", MaxRecords), MaxRecords, ""},
		{"BibTeX without keys 20,000 times", formats[0], strings.Repeat("@misc{, title = {T}, author = {A}, year = 2020}\n", MaxRecords), MaxRecords, ""},
	}
	for _, tt := range tests {
		t.Run(tt.f.name+"/"+tt.name, func(t *testing.T) {
			refs, err := tt.f.parse([]byte(tt.in))
			if tt.count == 0 {
				if msg := fileMessage(t, err); !strings.HasPrefix(msg, tt.want) {
					t.Errorf("message %q, want %q", msg, tt.want)
				}
				return
			}
			if err != nil || len(refs) != tt.count {
				t.Fatalf("got %d references, %v", len(refs), err)
			}
			keys := map[string]bool{}
			for _, r := range refs {
				if tt.f.name == "BibTeX" && (r.Key == "" || keys[strings.ToLower(r.Key)]) {
					t.Fatalf("key %q missing or repeated", r.Key)
				}
				keys[strings.ToLower(r.Key)] = true
			}
		})
	}
}
