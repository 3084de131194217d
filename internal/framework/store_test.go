package framework_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/pillars-ot/pillars/internal/framework"
	"github.com/pillars-ot/pillars/internal/store"
	"github.com/pillars-ot/pillars/internal/testutil"
)

const v1 = `key: demo-fw
version: "1"
title: Demo framework
summary: A small framework for tests.
scale:
  name: Confidence
  points:
    - {value: 1, label: Low}
    - {value: 2, label: High}
levels:
  - {number: 1, name: Starter}
  - {number: 2, name: Expert}
elements:
  - key: group
    title: Group
    children:
      - key: a
        title: Element A
        rateable: true
`

func TestImportVersions(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		cat := framework.NewCatalogue(db)

		res, err := cat.Import(ctx, "v1.yaml", []byte(v1), 0, false)
		if err != nil || res.Outcome != "created" {
			t.Fatalf("first import: %v %v", res.Outcome, err)
		}
		again, err := cat.Import(ctx, "v1.yaml", []byte(v1), 0, false)
		if err != nil || again.Outcome != "unchanged" || again.VersionID != res.VersionID {
			t.Fatalf("identical re-import should change nothing: %+v %v", again, err)
		}

		// Not yet used: the same version may be corrected in place.
		fixed := strings.Replace(v1, "Element A", "Element A (fixed)", 1)
		rep, err := cat.Import(ctx, "v1.yaml", []byte(fixed), 0, false)
		if err != nil || rep.Outcome != "replaced" {
			t.Fatalf("in-place fix of an unused version: %+v %v", rep, err)
		}
		f, vi, err := cat.Get(ctx, "demo-fw", "1")
		if err != nil || f.Element("a").Title != "Element A (fixed)" || vi.Locked {
			t.Fatalf("after replace: %v %+v %v", f.Element("a").Title, vi, err)
		}

		// Saved data now refers to it: it is frozen.
		if err := db.InTx(ctx, func(tx *store.Tx) error { return framework.MarkUsed(ctx, tx, rep.VersionID) }); err != nil {
			t.Fatal(err)
		}
		changed := strings.Replace(v1, "Element A", "Something else", 1)
		_, err = cat.Import(ctx, "v1.yaml", []byte(changed), 0, false)
		if !errors.Is(err, framework.ErrVersionLocked) || !strings.Contains(err.Error(), "new version") {
			t.Fatalf("changing a used version must be refused with advice, got %v", err)
		}
		f, vi, _ = cat.Get(ctx, "demo-fw", "1")
		if f.Element("a").Title != "Element A (fixed)" || !vi.Locked {
			t.Fatalf("a refused import changed the stored version: %q locked=%v", f.Element("a").Title, vi.Locked)
		}

		// A new version becomes current; the old one stays readable.
		v2 := strings.Replace(changed, `version: "1"`, `version: "2"`, 1)
		if _, err := cat.Import(ctx, "v2.yaml", []byte(v2), 0, false); err != nil {
			t.Fatal(err)
		}
		cur, vi, err := cat.Get(ctx, "demo-fw", "")
		if err != nil || vi.Version != "2" || cur.Element("a").Title != "Something else" {
			t.Fatalf("current version after v2: %+v %v", vi, err)
		}
		vs, err := cat.Versions(ctx, "demo-fw")
		if err != nil || len(vs) != 2 {
			t.Fatalf("versions: %+v %v", vs, err)
		}

		// Elements are stored for other areas to refer to.
		var n int
		if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM framework_elements WHERE version_id = ?`, vi.ID).Scan(&n); err != nil || n != 2 {
			t.Fatalf("stored elements = %d, %v", n, err)
		}
	})
}

func TestMalformedImportStoresNothing(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		cat := framework.NewCatalogue(db)
		before, _ := cat.List(ctx)
		bad := strings.Replace(v1, "title: Element A", "titel: Element A", 1)
		_, err := cat.Import(ctx, "bad.yaml", []byte(bad), 0, false)
		var verr *framework.ValidationError
		if !errors.As(err, &verr) || !strings.Contains(err.Error(), "bad.yaml:18:") {
			t.Fatalf("want a validation error at bad.yaml:18, got %v", err)
		}
		after, _ := cat.List(ctx)
		if len(after) != len(before) {
			t.Fatalf("a malformed import stored something: %d -> %d frameworks", len(before), len(after))
		}
		if _, _, err := cat.Get(ctx, "demo-fw", ""); !errors.Is(err, framework.ErrNotFound) {
			t.Fatalf("demo-fw exists after a failed import: %v", err)
		}
	})
}

func TestLevelNamesRelabel(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		cat := framework.NewCatalogue(db)
		f, _, err := cat.Get(ctx, "rcot-pillars", "")
		if err != nil {
			t.Fatal(err)
		}
		if err := cat.SetLevelNames(ctx, "rcot-pillars", map[int]string{5: "Band 5 OT"}, 0); err != nil {
			t.Fatal(err)
		}
		names, err := cat.LevelNames(ctx, "rcot-pillars", f)
		if err != nil || names[5] != "Band 5 OT" || names[6] != f.Level(6).Name {
			t.Fatalf("names after relabel: %v %v", names, err)
		}
		if err := cat.SetLevelNames(ctx, "rcot-pillars", map[int]string{5: ""}, 0); err != nil {
			t.Fatal(err)
		}
		names, _ = cat.LevelNames(ctx, "rcot-pillars", f)
		if names[5] != f.Level(5).Name {
			t.Fatalf("an empty name should restore the file's own: %q", names[5])
		}
		// Relabelling is not a content change: the version is untouched.
		_, vi, _ := cat.Get(ctx, "rcot-pillars", "")
		if vi.Locked {
			t.Fatal("relabelling locked the version")
		}
	})
}
