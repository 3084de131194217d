package citation

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/pillars-ot/pillars/internal/valid"
)

func FuzzParseBibTeX(f *testing.F) {
	fuzzParser(f, formats[0], "*.bib", []string{
		"@article{a, title = {x}",
		"@string{a = b # a}@misc{k, title = a # a}",
		`@article{k, title = {\'{\i}\"{}\~{}{\{}-{}-}, author = {a and {b, c} and , and d, e, f, g}}`,
		"@misc{k, title = {x}, url = {https://example.org/{}}}",
		"@misc{k, title = {\n@article{x}}}",
	})
}

func FuzzParseRIS(f *testing.F) {
	fuzzParser(f, formats[1], "*.ris", []string{
		"TY  - JOUR\nTI  - x\n",
		"AU  - x\nTY  - JOUR\nER  - \n",
		"TY  - JOUR\nTI  - a\n\nER  - b\n\nc\nER  -\n",
		"TY  - GEN\nTI  - t\nN1  - <p>a &lt;p&gt;b</p>\nUR  - https://x.org\nUR  - data:x\nER  - \n",
	})
}

// fuzzParser checks that no input makes a parser panic, that every refusal is a plain problem
// on the file, and that whatever is accepted survives writing and reading unchanged.
func fuzzParser(f *testing.F, fm format, glob string, seeds []string) {
	files, err := filepath.Glob(filepath.Join("testdata", glob))
	if err != nil || len(files) == 0 {
		f.Fatalf("no seed files %s: %v", glob, err)
	}
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Add([]byte{})
	f.Add([]byte("\x00\x01\x02garbage"))
	f.Fuzz(func(t *testing.T, in []byte) {
		refs, err := fm.parse(in)
		if err != nil {
			var ve valid.Errors
			if !errors.As(err, &ve) || len(ve) == 0 || ve[0].Field != "file" || ve[0].Message == "" {
				t.Fatalf("refusal is not a plain problem on the file: %#v", err)
			}
			if refs != nil {
				t.Fatal("references returned with an error")
			}
			return
		}
		if len(refs) == 0 {
			t.Fatal("no references and no error")
		}
		var buf bytes.Buffer
		if err := fm.write(&buf, refs); err != nil {
			t.Fatalf("write what was read: %v", err)
		}
		again, err := fm.parse(buf.Bytes())
		if err != nil {
			t.Fatalf("read what was written: %v\n%s", err, buf.String())
		}
		if !reflect.DeepEqual(again, refs) {
			t.Fatalf("write and read changed the references\n got: %#v\nwant: %#v\n%s", again, refs, buf.String())
		}
	})
}
