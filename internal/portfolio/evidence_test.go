package portfolio_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	"github.com/pillars-ot/pillars/internal/portfolio"
	"github.com/pillars-ot/pillars/internal/store"
	"github.com/pillars-ot/pillars/internal/testutil"
)

func TestCheckFile(t *testing.T) {
	pdf, pngData, docx, odt := pdfBytes(0), pngBytes(t), docxBytes(t), odtBytes(t)
	xlsx := zipOf(t, [2]string{"[Content_Types].xml", "<Types/>"}, [2]string{"xl/workbook.xml", "<workbook/>"})
	plainZip := zipOf(t, [2]string{"notes.txt", "hello"})
	cases := []struct {
		name, filename string
		data           []byte
		contentType    string // when accepted
		want           []string
	}{
		{"real PDF", "certificate.pdf", pdf, "application/pdf", nil},
		{"upper-case extension", "CERTIFICATE.PDF", pdf, "application/pdf", nil},
		{"PNG", "whiteboard.png", pngData, "image/png", nil},
		{"JPEG", "photo.jpeg", []byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00"), "image/jpeg", nil},
		{"JPEG as .jpg", "photo.jpg", []byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00"), "image/jpeg", nil},
		{"GIF", "chart.gif", []byte("GIF89a\x01\x00\x01\x00"), "image/gif", nil},
		{"WebP", "photo.webp", []byte("RIFF\x10\x00\x00\x00WEBPVP8 "), "image/webp", nil},
		{"old Word", "notes.doc", []byte("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest"), "application/x-ole-storage", nil},
		{"real docx", "reflection.docx", docx, "application/vnd.openxmlformats-officedocument.wordprocessingml.document", nil},
		{"xlsx", "hours.xlsx", xlsx, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", nil},
		{"odt", "reflection.odt", odt, "application/vnd.oasis.opendocument.text", nil},
		{"PNG named as a PDF", "certificate.pdf", pngData, "", []string{`"certificate.pdf"`, "named as a PDF", "content is a PNG image"}},
		{"docx named as xlsx", "hours.xlsx", docx, "", []string{"named as an Excel spreadsheet", "content is a Word document"}},
		{"odt named as docx", "reflection.docx", odt, "", []string{"named as a Word document", "content is an OpenDocument text"}},
		{"text named as docx", "notes.docx", []byte("just some text, not a Word file"), "", []string{"named as a Word document but its content is not"}},
		{"plain zip named as docx", "notes.docx", plainZip, "", []string{"named as a Word document but its content is not"}},
		{"truncated zip", "notes.docx", docx[:len(docx)/2], "", []string{"content is not"}},
		{"exe", "setup.exe", []byte("MZ\x90\x00"), "", []string{`"setup.exe" is not a type Pillars keeps`, ".pdf"}},
		{"PDF named exe", "certificate.exe", pdf, "", []string{"not a type Pillars keeps"}},
		{"no extension", "certificate", pdf, "", []string{"not a type Pillars keeps"}},
		{"empty", "certificate.pdf", nil, "", []string{`"certificate.pdf" is empty`}},
		{"at the limit", "big.pdf", pdfBytes(portfolio.MaxFileBytes - len(pdf)), "application/pdf", nil},
		{"too large", "big.pdf", pdfBytes(portfolio.MaxFileBytes + 1 - len(pdf)), "", []string{`"big.pdf" is 8.1 MB`, "8 MB or smaller"}},
		{"folders in the name", "../../secret/certificate.pdf", pdf, "application/pdf", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ct, errs := portfolio.CheckFile(c.filename, c.data)
			if c.want == nil {
				if errs.Any() || ct != c.contentType {
					t.Fatalf("got %q, %v; want %q", ct, errs, c.contentType)
				}
				return
			}
			msg := errs.For("evidence")
			if ct != "" || msg == "" {
				t.Fatalf("accepted as %q (%v)", ct, errs)
			}
			for _, w := range c.want {
				if !strings.Contains(msg, w) {
					t.Errorf("%q does not say %q", msg, w)
				}
			}
		})
	}
}

func TestSizeLabel(t *testing.T) {
	cases := []struct {
		n    int64
		want string
	}{{0, "0 bytes"}, {1023, "1023 bytes"}, {1024, "1 KB"}, {1025, "2 KB"}, {812 << 10, "812 KB"}, {1 << 20, "1 MB"},
		{3 << 19, "1.5 MB"}, {8 << 20, "8 MB"}, {8<<20 + 1, "8.1 MB"}, {200 << 20, "200 MB"}}
	for _, c := range cases {
		if got := portfolio.SizeLabel(c.n); got != c.want {
			t.Errorf("SizeLabel(%d) = %q, want %q", c.n, got, c.want)
		}
	}
}

func TestCleanFilename(t *testing.T) {
	long := strings.Repeat("a", 200) + ".pdf"
	cases := []struct{ in, want string }{
		{"certificate.pdf", "certificate.pdf"},
		{"../../etc/passwd", "passwd"},
		{`C:\Users\x\report.pdf`, "report.pdf"},
		{`\\server\share\notes.docx`, "notes.docx"},
		{"/tmp/", "tmp"},
		{"rep\x00ort\r\n.pdf", "report.pdf"},
		{"tab\there.pdf", "tabhere.pdf"},
		{`a:b*c?d"e<f>g|h.pdf`, "abcdefgh.pdf"},
		{"  spaced out.pdf  ", "spaced out.pdf"},
		{"...", "evidence"},
		{"..", "evidence"},
		{"", "evidence"},
		{"\x01\x02", "evidence"},
		{"Café notes – week 3.pdf", "Café notes – week 3.pdf"},
		{long, strings.Repeat("a", 146) + ".pdf"},
		// A very long "extension" must not break the cut (it used to panic).
		{"a." + strings.Repeat("x", 300), "a." + strings.Repeat("x", 148)},
	}
	for _, c := range cases {
		got := portfolio.CleanFilename(c.in)
		if got != c.want {
			t.Errorf("CleanFilename(%q) = %q, want %q", c.in, got, c.want)
		}
		if strings.ContainsAny(got, `/\`) || len([]rune(got)) > 150 {
			t.Errorf("CleanFilename(%q) = %q: unsafe", c.in, got)
		}
	}
}

func TestEvidenceFiles(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		alex, sam := e.user(t, "Alex Marlowe"), e.user(t, "Sam Okafor")
		entry := mustCreate(t, e, alex.ID, gibbs("Huddle", "2026-03-10"))
		samsEntry := mustCreate(t, e, sam.ID, gibbs("Sam's huddle", "2026-03-10"))

		pdf := pdfBytes(100)
		f, err := e.svc.AddFile(ctx, alex.ID, entry.ID, `C:\Users\alex\Certificate.pdf`, pdf)
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(pdf)
		if f.Filename != "Certificate.pdf" || f.ContentType != "application/pdf" || f.Size != int64(len(pdf)) || f.SHA256 != hex.EncodeToString(sum[:]) || f.EntryID != entry.ID {
			t.Errorf("file: %+v", f)
		}
		meta, data, err := e.svc.FileData(ctx, alex.ID, f.ID)
		if err != nil || !bytes.Equal(data, pdf) || meta.Filename != "Certificate.pdf" {
			t.Fatalf("FileData: %+v, %d bytes, %v", meta, len(data), err)
		}
		if got, _ := e.svc.Get(ctx, alex.ID, entry.ID); len(got.Evidence) != 1 || got.Evidence[0].ID != f.ID {
			t.Errorf("entry evidence: %+v", got.Evidence)
		}
		// Nobody else can read, remove or add to it.
		if _, _, err := e.svc.FileData(ctx, sam.ID, f.ID); !errors.Is(err, portfolio.ErrNotFound) {
			t.Errorf("another person read the file: %v", err)
		}
		if err := e.svc.RemoveFile(ctx, sam.ID, f.ID); !errors.Is(err, portfolio.ErrNotFound) {
			t.Errorf("another person removed the file: %v", err)
		}
		if _, err := e.svc.AddFile(ctx, alex.ID, samsEntry.ID, "x.pdf", pdf); !errors.Is(err, portfolio.ErrNotFound) {
			t.Errorf("added a file to another person's entry: %v", err)
		}
		if _, err := e.svc.AddFile(ctx, sam.ID, entry.ID, "x.pdf", pdf); !errors.Is(err, portfolio.ErrNotFound) {
			t.Errorf("another person added a file: %v", err)
		}

		// A rejected file leaves no row.
		before := e.count(t, "cpd_evidence", "")
		if _, err := e.svc.AddFile(ctx, alex.ID, entry.ID, "photo.pdf", pngBytes(t)); !strings.Contains(fieldErr(t, err, "evidence"), "PNG image") {
			t.Errorf("PNG named as a PDF: %v", err)
		}
		if n := e.count(t, "cpd_evidence", ""); n != before {
			t.Errorf("a rejected file was stored: %d rows, want %d", n, before)
		}

		// The per-person limit: simulate a nearly full store with one row whose recorded size
		// is large, then a file that would go over is refused and one that fits is not.
		used, _ := e.svc.StorageUsed(ctx, alex.ID)
		fill := int64(portfolio.MaxPersonBytes) - used - 1000
		if _, err := db.Exec(ctx, `INSERT INTO cpd_evidence (entry_id, user_id, filename, content_type, size, sha256, data, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			entry.ID, alex.ID, "earlier.pdf", "application/pdf", fill, "0", []byte("%PDF-"), testNow); err != nil {
			t.Fatal(err)
		}
		before = e.count(t, "cpd_evidence", "")
		_, err = e.svc.AddFile(ctx, alex.ID, entry.ID, "one-too-many.pdf", pdfBytes(2000))
		if msg := fieldErr(t, err, "evidence"); !strings.Contains(msg, "over your limit of 200 MB") {
			t.Errorf("limit message: %q", msg)
		}
		if n := e.count(t, "cpd_evidence", ""); n != before {
			t.Errorf("a file over the limit was stored: %d rows, want %d", n, before)
		}
		// Another person's store is separate.
		if _, err := e.svc.AddFile(ctx, sam.ID, samsEntry.ID, "big.pdf", pdfBytes(2000)); err != nil {
			t.Errorf("another person's limit: %v", err)
		}
		small := pdfBytes(1000 - len(pdfBytes(0)))
		if _, err := e.svc.AddFile(ctx, alex.ID, entry.ID, "fits.pdf", small); err != nil {
			t.Errorf("a file exactly up to the limit: %v", err)
		}
		if used, _ := e.svc.StorageUsed(ctx, alex.ID); used != portfolio.MaxPersonBytes {
			t.Errorf("used %d, want %d", used, portfolio.MaxPersonBytes)
		}
		if _, err := e.svc.AddFile(ctx, alex.ID, entry.ID, "tiny.pdf", pdfBytes(0)); err == nil {
			t.Error("a file over a full store was accepted")
		}

		if err := e.svc.RemoveFile(ctx, alex.ID, f.ID); err != nil {
			t.Fatal(err)
		}
		if _, _, err := e.svc.FileData(ctx, alex.ID, f.ID); !errors.Is(err, portfolio.ErrNotFound) {
			t.Errorf("removed file still readable: %v", err)
		}
	})
}
