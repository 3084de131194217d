package portfolio_test

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/pillars-ot/pillars/internal/auditpack"
	"github.com/pillars-ot/pillars/internal/portfolio"
	"github.com/pillars-ot/pillars/internal/store"
	"github.com/pillars-ot/pillars/internal/testutil"
)

func TestExport(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newPackWorld(t, db)
		e := w.e
		// Two 6 MB files cannot share one 10 MB part: the evidence comes in two parts.
		big1, big2 := pdfBytes(6<<20), pdfBytes(6<<20)
		big2[len(big2)-1] = '!'
		small := pngBytes(t)
		for _, f := range []struct {
			entry int
			name  string
			data  []byte
		}{{1, "certificate.pdf", big1}, {1, "whiteboard.png", small}, {4, "slides.pdf", big2}} {
			if _, err := e.svc.AddFile(ctx, w.alex, w.ids[f.entry], f.name, f.data); err != nil {
				t.Fatal(err)
			}
		}
		if err := e.svc.SavePack(ctx, w.alex, w.pack.ID, w.goodPack()); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.StartExport(ctx, w.sam, w.pack.ID, nil); !errors.Is(err, portfolio.ErrNotFound) {
			t.Errorf("Sam exported Alex's pack: %v", err)
		}
		// The hook runs in the same transaction: when it fails there is no export.
		if _, err := e.svc.StartExport(ctx, w.alex, w.pack.ID, func(context.Context, *store.Tx, int64) error { return errors.New("queue down") }); err == nil {
			t.Fatal("a failing hook was ignored")
		}
		if n := e.count(t, "audit_pack_exports", ""); n != 0 {
			t.Fatalf("an export without its job: %d rows", n)
		}
		var hooked int64
		id, err := e.svc.StartExport(ctx, w.alex, w.pack.ID, func(_ context.Context, _ *store.Tx, id int64) error { hooked = id; return nil })
		if err != nil || hooked != id {
			t.Fatalf("start: %d %d %v", id, hooked, err)
		}
		x, err := e.svc.Export(ctx, w.alex, id)
		if err != nil || x.Status != "queued" || x.Percent() != 0 || len(x.Files) != 0 {
			t.Fatalf("queued export: %+v %v", x, err)
		}
		if err := e.svc.BuildExport(ctx, id); err != nil {
			t.Fatal(err)
		}
		x, err = e.svc.Export(ctx, w.alex, id)
		if err != nil {
			t.Fatal(err)
		}
		if x.Status != "done" || x.Percent() != 100 || x.DoneSteps != 5 || x.TotalSteps != 5 || x.FinishedAt == nil || x.PackID != w.pack.ID {
			t.Errorf("built export: %+v", x)
		}
		wantNames := []string{"cpd-profile-2025-11-01-to-2027-10-31.pdf", "cpd-profile-2025-11-01-to-2027-10-31.docx", "cpd-profile-2025-11-01-to-2027-10-31.html",
			"cpd-evidence-part-1-of-2.zip", "cpd-evidence-part-2-of-2.zip"}
		if len(x.Files) != len(wantNames) {
			t.Fatalf("files: %+v", x.Files)
		}
		for i, f := range x.Files {
			if f.Name != wantNames[i] {
				t.Errorf("file %d is %q, want %q", i, f.Name, wantNames[i])
			}
			meta, b, err := e.svc.ExportFileData(ctx, w.alex, id, f.ID)
			if err != nil || int64(len(b)) != f.Size || meta.Name != f.Name {
				t.Fatalf("%s: %d bytes (size %d), %v", f.Name, len(b), f.Size, err)
			}
			if _, _, err := e.svc.ExportFileData(ctx, w.sam, id, f.ID); !errors.Is(err, portfolio.ErrNotFound) {
				t.Errorf("Sam downloaded %s: %v", f.Name, err)
			}
			if f.ContentType == "application/zip" && f.Size > auditpack.PartLimit {
				t.Errorf("%s is %d bytes, over the HCPC's 10 MB", f.Name, f.Size)
			}
		}
		pdf, _, _ := fileByName(t, e, w.alex, x, wantNames[0])
		if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
			t.Errorf("the PDF starts %q", pdf[:min(len(pdf), 10)])
		}
		docx, _, _ := fileByName(t, e, w.alex, x, wantNames[1])
		zr, err := zip.NewReader(bytes.NewReader(docx), int64(len(docx)))
		if err != nil {
			t.Fatalf("the DOCX is not a zip: %v", err)
		}
		if ct, errs := portfolio.CheckFile("profile.docx", docx); errs.Any() || !strings.Contains(ct, "wordprocessingml") {
			t.Errorf("the DOCX is not recognised as Word: %v (%d entries)", errs, len(zr.File))
		}
		html, _, _ := fileByName(t, e, w.alex, x, wantNames[2])
		for _, want := range []string{"<html", "Alex Marlowe", "Leading the stroke ward huddle", "I was on parental leave."} {
			if !bytes.Contains(html, []byte(want)) {
				t.Errorf("the HTML has no %q", want)
			}
		}
		// The evidence parts hold every file, byte for byte.
		found := map[string][]byte{}
		for _, name := range wantNames[3:] {
			part, _, _ := fileByName(t, e, w.alex, x, name)
			zr, err := zip.NewReader(bytes.NewReader(part), int64(len(part)))
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			for _, f := range zr.File {
				rc, err := f.Open()
				if err != nil {
					t.Fatal(err)
				}
				b, _ := io.ReadAll(rc)
				rc.Close()
				found[f.Name] = b
			}
		}
		for name, want := range map[string][]byte{"certificate.pdf": big1, "whiteboard.png": small, "slides.pdf": big2} {
			ok := false
			for got, b := range found {
				if strings.HasSuffix(got, name) && bytes.Equal(b, want) {
					ok = true
				}
			}
			if !ok {
				t.Errorf("%s is not in the evidence parts (%d files there)", name, len(found))
			}
		}

		// Nobody else sees the export.
		if _, err := e.svc.Export(ctx, w.sam, id); !errors.Is(err, portfolio.ErrNotFound) {
			t.Errorf("Sam read the export: %v", err)
		}
		if x, err := e.svc.LatestExport(ctx, w.sam, w.pack.ID); x != nil || err != nil {
			t.Errorf("Sam's latest export of Alex's pack: %+v %v", x, err)
		}
		if latest, err := e.svc.LatestExport(ctx, w.alex, w.pack.ID); err != nil || latest.ID != id {
			t.Errorf("latest export: %+v %v", latest, err)
		}
		// Building again (a retried job) changes nothing once done.
		if err := e.svc.BuildExport(ctx, id); err != nil {
			t.Fatal(err)
		}
		if n := e.count(t, "audit_pack_files", "export_id = ?", id); n != 5 {
			t.Errorf("files after a second build: %d", n)
		}
		if err := e.svc.BuildExport(ctx, id+100); err != nil {
			t.Errorf("building a missing export: %v", err)
		}
	})
}

func fileByName(t *testing.T, e *env, owner int64, x *portfolio.Export, name string) ([]byte, *portfolio.ExportFile, error) {
	t.Helper()
	for _, f := range x.Files {
		if f.Name == name {
			meta, b, err := e.svc.ExportFileData(context.Background(), owner, x.ID, f.ID)
			if err != nil {
				t.Fatal(err)
			}
			return b, meta, nil
		}
	}
	t.Fatalf("no file %q", name)
	return nil, nil, nil
}

// An export with no evidence is the three profile files only.
func TestExportWithoutEvidence(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newPackWorld(t, db)
		id, err := w.e.svc.StartExport(ctx, w.alex, w.pack.ID, nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := w.e.svc.BuildExport(ctx, id); err != nil {
			t.Fatal(err)
		}
		x, _ := w.e.svc.Export(ctx, w.alex, id)
		if x.Status != "done" || len(x.Files) != 3 {
			t.Errorf("export: %+v", x)
		}
		if err := w.e.svc.FailExport(ctx, id, "Evidence 3 is too large to email"); err != nil {
			t.Fatal(err)
		}
		if x, _ := w.e.svc.Export(ctx, w.alex, id); x.Status != "failed" || x.Message != "Evidence 3 is too large to email" {
			t.Errorf("failed export: %+v", x)
		}
	})
}
