package portfolio_test

import (
	"context"
	"errors"
	"testing"

	"github.com/pillars-ot/pillars/internal/portfolio"
	"github.com/pillars-ot/pillars/internal/store"
	"github.com/pillars-ot/pillars/internal/testutil"
)

// TestDeletingRemovesCopiesInExports: an audit-pack export holds copies of entries and evidence,
// so deleting a file or an entry deletes the exports too. Otherwise a patient letter uploaded by
// mistake could never really be removed. Only the newest export of a pack is kept, and a second
// build while one is under way shows that one.
func TestDeletingRemovesCopiesInExports(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		alex := e.user(t, "Alex Marlowe")
		entry := mustCreate(t, e, alex.ID, gibbs("Leading the huddle", "2026-06-01"))
		file, err := e.svc.AddFile(ctx, alex.ID, entry.ID, "letter.pdf", pdfBytes(100))
		if err != nil {
			t.Fatal(err)
		}
		pack, err := e.svc.OpenPack(ctx, alex.ID, "", "2025-11-01", "2027-10-31")
		if err != nil {
			t.Fatal(err)
		}
		build := func() int64 {
			id, err := e.svc.StartExport(ctx, alex.ID, pack.ID, nil)
			if err != nil {
				t.Fatal(err)
			}
			if again, err := e.svc.StartExport(ctx, alex.ID, pack.ID, nil); err != nil || again != id {
				t.Fatalf("a second build while one is queued made %d (want %d): %v", again, id, err)
			}
			if err := e.svc.BuildExport(ctx, id); err != nil {
				t.Fatal(err)
			}
			return id
		}
		first := build()
		second := build()
		if _, err := e.svc.Export(ctx, alex.ID, first); !errors.Is(err, portfolio.ErrNotFound) {
			t.Errorf("the older export is still kept: %v", err)
		}
		if err := e.svc.RemoveFile(ctx, alex.ID, file.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Export(ctx, alex.ID, second); !errors.Is(err, portfolio.ErrNotFound) {
			t.Errorf("an export holding the deleted file survived: %v", err)
		}
		third := build()
		if err := e.svc.Delete(ctx, alex.ID, entry.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Export(ctx, alex.ID, third); !errors.Is(err, portfolio.ErrNotFound) {
			t.Errorf("an export holding the deleted entry survived: %v", err)
		}
		if n := e.count(t, "audit_pack_files", ""); n != 0 {
			t.Errorf("%d exported files remain", n)
		}
	})
}
