package auditpack

import (
	"archive/zip"
	"bufio"
	"encoding/xml"
	"fmt"
	"io"
	"math"
	"time"
)

// RenderDOCX writes the profile as a Word document the person can edit before sending. It is
// written by hand as Office Open XML: the format needs only a handful of small parts, and no Go
// library for it is as well kept as the standard library's zip and XML escaping. Headings use
// Word's own Title and Heading styles so the navigation pane and a table of contents work.
func RenderDOCX(w io.Writer, p *Pack) error {
	zw := zip.NewWriter(w)
	parts := []struct {
		name string
		body func(*xmlWriter)
	}{
		{"[Content_Types].xml", func(x *xmlWriter) { x.raw(docxContentTypes) }},
		{"_rels/.rels", func(x *xmlWriter) { x.raw(docxRootRels) }},
		{"docProps/core.xml", func(x *xmlWriter) { docxCore(x, p) }},
		{"word/_rels/document.xml.rels", func(x *xmlWriter) { x.raw(docxDocumentRels) }},
		{"word/styles.xml", func(x *xmlWriter) { x.raw(docxStyles) }},
		{"word/footer1.xml", func(x *xmlWriter) { docxFooter(x, p) }},
		{"word/document.xml", func(x *xmlWriter) { docxDocument(x, p) }},
	}
	mod := p.GeneratedAt
	if mod.IsZero() {
		mod = time.Now().UTC()
	}
	for _, part := range parts {
		fw, err := zw.CreateHeader(&zip.FileHeader{Name: part.name, Method: zip.Deflate, Modified: mod})
		if err != nil {
			return fmt.Errorf("auditpack: DOCX %s: %w", part.name, err)
		}
		x := &xmlWriter{w: bufio.NewWriter(fw)}
		part.body(x)
		if err := x.flush(); err != nil {
			return fmt.Errorf("auditpack: DOCX %s: %w", part.name, err)
		}
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("auditpack: DOCX: %w", err)
	}
	return nil
}

// xmlWriter keeps the first write error, so the part writers read as straight-line markup.
type xmlWriter struct {
	w   *bufio.Writer
	err error
}

func (x *xmlWriter) raw(s string) {
	if x.err == nil {
		_, x.err = x.w.WriteString(s)
	}
}

// text escapes s for element content and attribute values alike (it escapes quotes too).
func (x *xmlWriter) text(s string) {
	if x.err == nil {
		x.err = xml.EscapeText(x.w, []byte(s))
	}
}

func (x *xmlWriter) flush() error {
	if x.err != nil {
		return x.err
	}
	return x.w.Flush()
}

// Twentieths of a point: A4 with 2 cm margins.
const (
	docxPageW  = 11906
	docxPageH  = 16838
	docxMargin = 1134
	docxTextW  = docxPageW - 2*docxMargin
)

func docxDocument(x *xmlWriter, p *Pack) {
	x.raw(xml.Header)
	x.raw(`<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" ` +
		`xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><w:body>`)
	for _, b := range layout(p) {
		switch b.Kind {
		case kindHeading:
			style := "Title"
			if b.Level > 1 {
				style = fmt.Sprintf("Heading%d", b.Level-1)
			}
			docxPara(x, style, "", b.Lines)
		case kindPara:
			style := ""
			if b.Note {
				style = "Note"
			}
			docxPara(x, style, "", b.Lines)
		case kindFacts:
			for _, f := range b.Facts {
				x.raw(`<w:p><w:r><w:rPr><w:b/></w:rPr><w:t xml:space="preserve">`)
				x.text(f.Label + ": ")
				x.raw(`</w:t></w:r><w:r><w:t xml:space="preserve">`)
				x.text(f.Value)
				x.raw(`</w:t></w:r></w:p>`)
			}
		case kindTable:
			docxTable(x, b.Table)
		}
	}
	x.raw(fmt.Sprintf(`<w:sectPr><w:footerReference w:type="default" r:id="rIdFooter1"/>`+
		`<w:pgSz w:w="%d" w:h="%d"/><w:pgMar w:top="%d" w:right="%d" w:bottom="%d" w:left="%d" `+
		`w:header="567" w:footer="567" w:gutter="0"/></w:sectPr></w:body></w:document>`,
		docxPageW, docxPageH, docxMargin, docxMargin, docxMargin, docxMargin))
}

// docxPara writes one paragraph, keeping its line breaks as Word line breaks.
func docxPara(x *xmlWriter, style, runProps string, lines []string) {
	x.raw(`<w:p>`)
	if style != "" {
		x.raw(`<w:pPr><w:pStyle w:val="` + style + `"/></w:pPr>`)
	}
	x.raw(`<w:r>`)
	x.raw(runProps)
	for i, l := range lines {
		if i > 0 {
			x.raw(`<w:br/>`)
		}
		x.raw(`<w:t xml:space="preserve">`)
		x.text(l)
		x.raw(`</w:t>`)
	}
	x.raw(`</w:r></w:p>`)
}

// docxTable writes a w:tbl whose first row is marked as a header, which Word repeats at the top
// of every page the table reaches.
func docxTable(x *xmlWriter, t *table) {
	docxPara(x, "Caption", "", []string{t.Caption})
	widths := make([]int, len(t.Widths))
	for i, share := range t.Widths {
		widths[i] = int(math.Round(share * docxTextW))
	}
	x.raw(fmt.Sprintf(`<w:tbl><w:tblPr><w:tblStyle w:val="TableGrid"/><w:tblW w:w="%d" w:type="dxa"/>`+
		`<w:tblLayout w:type="fixed"/><w:tblLook w:val="0420" w:firstRow="1" w:noVBand="1"/></w:tblPr><w:tblGrid>`, docxTextW))
	for _, w := range widths {
		x.raw(fmt.Sprintf(`<w:gridCol w:w="%d"/>`, w))
	}
	x.raw(`</w:tblGrid>`)
	docxRow(x, widths, t.Head, t.Right, true)
	for _, row := range t.Rows {
		docxRow(x, widths, row, t.Right, false)
	}
	x.raw(`</w:tbl>`)
	docxPara(x, "", "", nil) // Word runs adjacent tables together without a paragraph between
}

func docxRow(x *xmlWriter, widths []int, cells []string, right []bool, head bool) {
	// Rows are kept whole on a page (Word still splits one taller than a page).
	if head {
		x.raw(`<w:tr><w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>`)
	} else {
		x.raw(`<w:tr><w:trPr><w:cantSplit/></w:trPr>`)
	}
	for i, c := range cells {
		x.raw(fmt.Sprintf(`<w:tc><w:tcPr><w:tcW w:w="%d" w:type="dxa"/>`, widths[i]))
		if head {
			x.raw(`<w:shd w:val="clear" w:color="auto" w:fill="E8EDEE"/>`)
		}
		x.raw(`</w:tcPr><w:p><w:pPr><w:pStyle w:val="TableText"/>`)
		if right[i] {
			x.raw(`<w:jc w:val="right"/>`)
		}
		x.raw(`</w:pPr><w:r>`)
		if head {
			x.raw(`<w:rPr><w:b/></w:rPr>`)
		}
		for j, l := range splitLines(c) {
			if j > 0 {
				x.raw(`<w:br/>`)
			}
			x.raw(`<w:t xml:space="preserve">`)
			x.text(l)
			x.raw(`</w:t>`)
		}
		x.raw(`</w:r></w:p></w:tc>`)
	}
	x.raw(`</w:tr>`)
}

// docxFooter shows the title and "Page N of M" using Word's PAGE and NUMPAGES fields, which Word
// fills in as the document is laid out.
func docxFooter(x *xmlWriter, p *Pack) {
	x.raw(xml.Header)
	x.raw(`<w:ftr xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:p>` +
		`<w:pPr><w:pStyle w:val="Footer"/></w:pPr><w:r><w:t xml:space="preserve">`)
	x.text(docTitle(p) + " – Page ")
	x.raw(`</w:t></w:r>` + docxField("PAGE") + `<w:r><w:t xml:space="preserve"> of </w:t></w:r>` +
		docxField("NUMPAGES") + `</w:p></w:ftr>`)
}

func docxField(name string) string {
	return `<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve"> ` + name +
		` </w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>1</w:t></w:r>` +
		`<w:r><w:fldChar w:fldCharType="end"/></w:r>`
}

func docxCore(x *xmlWriter, p *Pack) {
	x.raw(xml.Header)
	x.raw(`<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" ` +
		`xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" ` +
		`xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><dc:title>`)
	x.text(docTitle(p))
	x.raw(`</dc:title><dc:subject>HCPC continuing professional development profile</dc:subject><dc:creator>`)
	x.text(p.Owner)
	x.raw(`</dc:creator><dc:language>en-GB</dc:language>`)
	if !p.GeneratedAt.IsZero() {
		when := p.GeneratedAt.UTC().Format(time.RFC3339)
		x.raw(`<dcterms:created xsi:type="dcterms:W3CDTF">` + when + `</dcterms:created>`)
		x.raw(`<dcterms:modified xsi:type="dcterms:W3CDTF">` + when + `</dcterms:modified>`)
	}
	x.raw(`</cp:coreProperties>`)
}
