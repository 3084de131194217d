package auditpack

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"strings"
	"testing"
)

// hostilePack is a small pack whose text would break markup if it were not escaped.
func hostilePack() *Pack {
	p := FixturePack(12)
	p.Owner = `Alex "AJ" O’Neil <ot@example.org>`
	p.Activities[0].Title = `Budget <review> & "fish & chips" session`
	p.Summary = "First paragraph, line one.\nLine two of the first paragraph.\n\nSecond paragraph costs £40 & more."
	return p
}

func TestRenderDOCX(t *testing.T) {
	var buf bytes.Buffer
	if err := RenderDOCX(&buf, hostilePack()); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatalf("DOCX is not a zip: %v", err)
	}
	parts := map[string]string{}
	for _, f := range zr.File {
		parts[f.Name] = string(readEntry(t, f))
	}
	for _, name := range []string{"[Content_Types].xml", "_rels/.rels", "word/document.xml", "word/styles.xml",
		"docProps/core.xml", "word/_rels/document.xml.rels", "word/footer1.xml"} {
		body, ok := parts[name]
		if !ok {
			t.Errorf("DOCX lacks %s", name)
			continue
		}
		if err := wellFormed(body); err != nil {
			t.Errorf("%s is not well-formed XML: %v", name, err)
		}
	}
	for name := range parts {
		if name != "[Content_Types].xml" && !strings.HasSuffix(name, ".rels") &&
			!strings.Contains(parts["[Content_Types].xml"], `PartName="/`+name+`"`) {
			t.Errorf("%s has no content type override", name)
		}
	}

	doc := parts["word/document.xml"]
	text := docxText(t, doc)
	for _, want := range []string{
		"CPD profile",
		`Alex "AJ" O’Neil <ot@example.org>`,
		`Budget <review> & "fish & chips" session`,
		"1. Summary of practice",
		"Word count: ",
		"2. Statement of how I have met the standards",
		"Gibbs’ reflective cycle",
		"3. Dated list of activities",
		"4. Activity types",
		"5. Gaps of three months or more",
		"6. Evidence",
		"E01 - certificate 3.pdf",
		"Second paragraph costs £40 & more.",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("document text lacks %q", want)
		}
	}
	for _, want := range []string{
		`<w:pStyle w:val="Title"/>`, `<w:pStyle w:val="Heading1"/>`, `<w:pStyle w:val="Heading2"/>`,
		`<w:tbl>`, `<w:tblHeader/>`,
		// the first paragraph's line break kept, the blank line a new paragraph
		`First paragraph, line one.</w:t><w:br/><w:t xml:space="preserve">Line two`,
	} {
		if !strings.Contains(doc, want) {
			t.Errorf("document.xml lacks %s", want)
		}
	}
	if strings.Count(doc, "<w:tbl>") != 4 { // activities, types, gaps, evidence
		t.Errorf("got %d tables, want 4", strings.Count(doc, "<w:tbl>"))
	}
	for _, style := range []string{`w:styleId="Title"`, `w:styleId="Heading1"`, `w:styleId="Heading2"`, `w:styleId="Heading3"`} {
		if !strings.Contains(parts["word/styles.xml"], style) {
			t.Errorf("styles.xml lacks %s", style)
		}
	}
	if !strings.Contains(parts["docProps/core.xml"], "<dc:creator>Alex &#34;AJ&#34; O’Neil &lt;ot@example.org&gt;</dc:creator>") {
		t.Errorf("core.xml creator not escaped as expected:\n%s", parts["docProps/core.xml"])
	}
}

func wellFormed(s string) error {
	d := xml.NewDecoder(strings.NewReader(s))
	for {
		_, err := d.Token()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// docxText decodes document.xml and returns its text, one paragraph a line, as Word shows it.
func docxText(t *testing.T, doc string) string {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(doc))
	var b strings.Builder
	inText := false
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			return b.String()
		}
		if err != nil {
			t.Fatalf("document.xml: %v", err)
		}
		switch el := tok.(type) {
		case xml.StartElement:
			inText = el.Name.Local == "t"
		case xml.EndElement:
			inText = false
			if el.Name.Local == "p" {
				b.WriteByte('\n')
			}
		case xml.CharData:
			if inText {
				b.Write(el)
			}
		}
	}
}
