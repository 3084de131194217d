package auditpack

import (
	"fmt"
	"io"
	"unicode/utf16"

	"github.com/go-pdf/fpdf"
)

// RenderPDF writes the profile as an A4 PDF, drawn in pure Go with fpdf so that the server
// needs no browser or C library. It uses the PDF's built-in Helvetica: nothing is embedded, the
// file stays small for email, and the text is real text that assessors can search and copy.
// Helvetica covers Windows-1252 (so £, en dashes and curly quotes work); anything else is
// replaced by its nearest equivalent (see toCP1252).
func RenderPDF(w io.Writer, p *Pack) error {
	f := fpdf.New("P", "mm", "A4", "")
	r := &pdfDoc{f: f, tr: f.UnicodeTranslatorFromDescriptor("")}
	f.SetMargins(pdfMargin, pdfMargin, pdfMargin)
	f.SetAutoPageBreak(true, pdfMargin)
	f.SetCellMargin(1.2)
	f.AliasNbPages("{nb}")
	f.SetTitle(docTitle(p), true)
	f.SetAuthor(p.Owner, true)
	f.SetSubject("HCPC continuing professional development profile", true)
	f.SetCreator("Pillars", true)
	f.SetLang("en-GB")
	if !p.GeneratedAt.IsZero() {
		// A fixed date keeps the file the same when the same pack is rendered again.
		f.SetCreationDate(p.GeneratedAt)
		f.SetModificationDate(p.GeneratedAt)
	}
	footer := r.t(docTitle(p))
	f.SetFooterFunc(func() {
		f.SetY(-pdfMargin + 5)
		f.SetFont("Helvetica", "", 8.5)
		f.SetTextColor(80, 80, 80)
		f.CellFormat(pdfTextWidth*0.7, 5, footer, "", 0, "L", false, 0, "")
		f.CellFormat(0, 5, fmt.Sprintf("Page %d of {nb}", f.PageNo()), "", 0, "R", false, 0, "")
		f.SetTextColor(0, 0, 0)
	})
	f.AddPage()
	for _, b := range layout(p) {
		switch b.Kind {
		case kindHeading:
			r.heading(b.Level, b.Lines[0])
		case kindPara:
			r.para(b)
		case kindFacts:
			r.facts(b.Facts)
		case kindTable:
			r.table(b.Table)
		}
	}
	if err := f.Output(w); err != nil {
		return fmt.Errorf("auditpack: render PDF: %w", err)
	}
	return nil
}

const (
	pdfMargin    = 20.0 // mm on every side
	pdfTextWidth = 210 - 2*pdfMargin
	pdfBottom    = 297 - pdfMargin
	bodySize     = 10.5 // points
	bodyLine     = 5.2  // mm
	tableSize    = 9.0
	tableLine    = 4.4
)

type pdfDoc struct {
	f  *fpdf.Fpdf
	tr func(string) string
}

// t turns UTF-8 into the font's cp1252 bytes, after replacing what cp1252 cannot show.
func (r *pdfDoc) t(s string) string { return r.tr(toCP1252(s)) }

// needs starts a new page unless h mm are left, so headings are not stranded at a page foot.
func (r *pdfDoc) needs(h float64) {
	if r.f.GetY()+h > pdfBottom {
		r.f.AddPage()
	}
}

func (r *pdfDoc) heading(level int, text string) {
	f := r.f
	size, line, before, keep := 11.0, 5.5, 3.0, 20.0
	switch level {
	case 1:
		size, line, before, keep = 24, 11, 0, 40
	case 2:
		size, line, before, keep = 15, 7.5, 6, 35
	case 3:
		size, line, before, keep = 12.5, 6.5, 4, 25
	}
	if f.GetY() > pdfMargin+0.1 { // no space above what starts a page
		f.Ln(before)
	}
	r.needs(keep)
	if level <= 3 {
		// The PDF outline lets an assessor jump to a section, like Word's navigation pane.
		f.Bookmark(pdfUTF16(text), max(0, level-2), -1)
	}
	f.SetFont("Helvetica", "B", size)
	f.MultiCell(0, line, r.t(text), "", "L", false)
	if level == 1 {
		f.SetDrawColor(0, 94, 184)
		f.SetLineWidth(0.6)
		f.Line(pdfMargin, f.GetY()+1, pdfMargin+pdfTextWidth, f.GetY()+1)
		f.Ln(4)
	}
	f.Ln(1)
}

func (r *pdfDoc) para(b block) {
	f := r.f
	style := ""
	if b.Note {
		style = "I"
	}
	f.SetFont("Helvetica", style, bodySize)
	f.MultiCell(0, bodyLine, r.t(b.Text()), "", "L", false)
	f.Ln(2)
}

func (r *pdfDoc) facts(facts []fact) {
	f := r.f
	for _, ft := range facts {
		f.SetFont("Helvetica", "B", 11)
		f.CellFormat(35, 6.5, r.t(ft.Label), "", 0, "L", false, 0, "")
		f.SetFont("Helvetica", "", 11)
		f.MultiCell(0, 6.5, r.t(ft.Value), "", "L", false)
	}
	f.Ln(3)
}

// table draws a table row by row, wrapping each cell, and draws the header again at the top of
// every page the table reaches. A row taller than the space left is continued on the next page
// rather than drawn over the footer.
func (r *pdfDoc) table(t *table) {
	f := r.f
	widths := make([]float64, len(t.Widths))
	for i, share := range t.Widths {
		widths[i] = share * pdfTextWidth
	}
	f.SetFont("Helvetica", "B", bodySize)
	r.needs(bodyLine + 4*tableLine)
	f.MultiCell(0, bodyLine, r.t(t.Caption), "", "L", false)
	f.Ln(1)
	f.SetDrawColor(150, 150, 150)
	f.SetLineWidth(0.2)
	f.SetFillColor(232, 237, 238)

	head := r.cells("B", widths, t.Head)
	drawHead := func() { r.row(widths, head, t.Right, true) }
	// How many lines of a row fit on a page that starts with the header.
	pageLines := int((pdfBottom - pdfMargin - rowHeight(head) - 1) / tableLine)
	drawHead()
	f.SetFont("Helvetica", "", tableSize)
	for _, row := range t.Rows {
		lines := r.cells("", widths, row)
		for {
			room := int((pdfBottom - f.GetY() - 1) / tableLine)
			left := 0
			for _, c := range lines {
				left = max(left, len(c))
			}
			if left > room && (left <= pageLines || room < 2) {
				// Keep a row whole when a page can hold it; split only rows longer than a page.
				f.AddPage()
				drawHead()
				f.SetFont("Helvetica", "", tableSize)
				continue
			}
			n := min(room, left)
			slice := make([][]string, len(lines))
			for i, c := range lines {
				slice[i] = c[:min(n, len(c))]
				lines[i] = c[min(n, len(c)):]
			}
			r.row(widths, slice, t.Right, false)
			if n == left {
				break
			}
		}
	}
	f.Ln(3)
}

// cells wraps each cell's text to its column, in the given font style.
func (r *pdfDoc) cells(style string, widths []float64, texts []string) [][]string {
	r.f.SetFont("Helvetica", style, tableSize)
	out := make([][]string, len(texts))
	for i, s := range texts {
		for _, l := range r.f.SplitLines([]byte(r.t(s)), widths[i]) {
			out[i] = append(out[i], string(l))
		}
		if len(out[i]) == 0 {
			out[i] = []string{""}
		}
	}
	return out
}

// row draws one row (or the slice of one that fits on this page) with a border round each cell.
func (r *pdfDoc) row(widths []float64, cells [][]string, right []bool, head bool) {
	f := r.f
	h := rowHeight(cells)
	style := "D"
	if head {
		f.SetFont("Helvetica", "B", tableSize)
		style = "FD"
	}
	x, y := pdfMargin, f.GetY()
	for i, c := range cells {
		f.Rect(x, y, widths[i], h, style)
		align := "L"
		if right[i] {
			align = "R"
		}
		for j, line := range c {
			f.SetXY(x, y+0.5+float64(j)*tableLine)
			f.CellFormat(widths[i], tableLine, line, "", 0, align, false, 0, "")
		}
		x += widths[i]
	}
	f.SetXY(pdfMargin, y+h)
}

func rowHeight(cells [][]string) float64 {
	n := 0
	for _, c := range cells {
		n = max(n, len(c))
	}
	return float64(n)*tableLine + 1
}

// pdfUTF16 encodes an outline title as UTF-16 with a byte order mark, which PDF readers accept
// for any text string: bookmarks are not drawn with the font, so they can keep every character.
func pdfUTF16(s string) string {
	u := utf16.Encode([]rune(s))
	b := make([]byte, 2, 2+2*len(u))
	b[0], b[1] = 0xfe, 0xff
	for _, c := range u {
		b = append(b, byte(c>>8), byte(c))
	}
	return string(b)
}
