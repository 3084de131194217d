package directory_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/pillars-ot/pillars/internal/citation"
	"github.com/pillars-ot/pillars/internal/directory"
	"github.com/pillars-ot/pillars/internal/mail"
	"github.com/pillars-ot/pillars/internal/store"
	"github.com/pillars-ot/pillars/internal/testutil"
	"github.com/pillars-ot/pillars/internal/valid"
)

func count(t *testing.T, db *store.DB, where string, args ...any) int {
	t.Helper()
	var n int
	if err := db.QueryRow(context.Background(), `SELECT COUNT(*) FROM directory_items WHERE `+where, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func titles(r *directory.Results) []string {
	var out []string
	for _, e := range r.Entries {
		out = append(out, e.Title)
	}
	return out
}

func search(t *testing.T, svc *directory.Service, f directory.Filter) *directory.Results {
	t.Helper()
	r, err := svc.Search(context.Background(), f)
	if err != nil {
		t.Fatalf("search %+v: %v", f, err)
	}
	return r
}

func has(r *directory.Results, title string) bool {
	for _, e := range r.Entries {
		if e.Title == title {
			return true
		}
	}
	return false
}

func fieldErr(t *testing.T, err error, field string) string {
	t.Helper()
	var errs valid.Errors
	if !errors.As(err, &errs) || errs.For(field) == "" {
		t.Fatalf("want a problem on %s, got %v", field, err)
	}
	return errs.For(field)
}

func user(t *testing.T, db *store.DB, email string) int64 {
	t.Helper()
	id, err := db.Insert(context.Background(), `INSERT INTO users (email, name, password_hash, created_at, password_changed_at) VALUES (?, ?, '', ?, ?)`,
		email, "Test "+email, store.Now(), store.Now())
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func TestBuiltinLoadIsIdempotent(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc := directory.NewService(db)
		c := directory.Builtin()
		want := len(c.Items) + len(c.Resources) + len(c.Organisations)
		before := count(t, db, "key IS NOT NULL")
		if before != want {
			t.Fatalf("after start-up %d built-in rows, want %d", before, want)
		}
		for i := 0; i < 2; i++ {
			if err := svc.LoadBuiltin(ctx); err != nil {
				t.Fatal(err)
			}
		}
		if n := count(t, db, "1 = 1"); n != want {
			t.Fatalf("after loading twice more %d rows, want %d", n, want)
		}
		r := search(t, svc, directory.Filter{Query: "Edward Jenner"})
		if len(r.Entries) == 0 || r.Entries[0].Title != "Edward Jenner programme" {
			t.Fatalf("search for Edward Jenner: %v", titles(r))
		}
	})
}

func TestSearchFilters(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc := directory.NewService(db)
		jenner := "Edward Jenner programme"
		for _, c := range []struct {
			name string
			f    directory.Filter
			want bool
		}{
			{"free online", directory.Filter{Cost: "free", Format: "online"}, true},
			{"paid", directory.Filter{Cost: "paid"}, false},
			{"under £10", directory.Filter{Cost: "1000"}, true},
			{"blended", directory.Filter{Format: "blended"}, false},
			{"level 5", directory.Filter{Level: 5}, true},
			{"level 9", directory.Filter{Level: 9}, false},
			{"element", directory.Filter{Element: "nhs-hlm:leading-with-care"}, true},
			{"other element", directory.Filter{Element: "ot-leadership:strategic"}, false},
			{"provider", directory.Filter{Provider: "NHS Leadership Academy"}, true},
			{"courses", directory.Filter{Group: "courses", Query: "jenner"}, true},
			{"resources", directory.Filter{Group: "resources", Query: "jenner"}, false},
			{"words", directory.Filter{Query: "online introduction leadership"}, true},
		} {
			r := search(t, svc, c.f)
			if has(r, jenner) != c.want && !(c.want && r.Total > directory.PageSize) {
				t.Errorf("%s: Edward Jenner listed = %v, want %v (%v)", c.name, !c.want, c.want, titles(r))
			}
			for _, e := range r.Entries {
				if c.f.Cost == "free" && !e.Free || c.f.Format != "" && e.Format != c.f.Format {
					t.Errorf("%s: %q does not match", c.name, e.Title)
				}
			}
		}
		if _, err := svc.Search(ctx, directory.Filter{Level: 12}); err == nil {
			t.Error("level 12 accepted")
		}
		// Paging: 30 more resources make more than one page, in title order without words.
		for i := 0; i < 30; i++ {
			if _, err := svc.ImportCitations(ctx, 0, []citation.Reference{{Kind: "web", Title: fmt.Sprintf("Zzz paging resource %02d", i), URL: fmt.Sprintf("https://example.org/p/%d", i)}}); err != nil {
				t.Fatal(err)
			}
		}
		all := search(t, svc, directory.Filter{Query: "zzz paging"})
		if all.Total != 30 || all.Pages != 2 || len(all.Entries) != 25 {
			t.Fatalf("paging: total %d pages %d on page %d", all.Total, all.Pages, len(all.Entries))
		}
		p2 := search(t, svc, directory.Filter{Query: "zzz paging", Page: 2})
		if len(p2.Entries) != 5 {
			t.Fatalf("page 2 has %d", len(p2.Entries))
		}
	})
}

func TestSuggestModerate(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc := directory.NewService(db)
		alex := user(t, db, "alex@example.org")
		mod := user(t, db, "mod@example.org")
		rows := count(t, db, "1 = 1")

		good := directory.Input{Kind: "web", Title: "A guide to huddles", URL: "https://example.org/huddles", Summary: "Short and practical.", Levels: []string{"5", "6"}, Elements: []string{"ot-leadership:team"}}
		for _, c := range []struct {
			field string
			in    func(directory.Input) directory.Input
		}{
			{"url", func(in directory.Input) directory.Input { in.URL = "javascript:alert(1)"; return in }},
			{"url", func(in directory.Input) directory.Input { in.URL = "ftp://example.org/x"; return in }},
			{"cost", func(in directory.Input) directory.Input { in.Cost = "-5"; return in }},
			{"title", func(in directory.Input) directory.Input { in.Title = " "; return in }},
			{"levels", func(in directory.Input) directory.Input { in.Levels = []string{"10"}; return in }},
			{"elements", func(in directory.Input) directory.Input { in.Elements = []string{"ot-leadership:nope"}; return in }},
		} {
			_, err := svc.Suggest(ctx, alex, c.in(good))
			fieldErr(t, err, c.field)
		}
		if n := count(t, db, "1 = 1"); n != rows {
			t.Fatalf("bad suggestions stored rows: %d, want %d", n, rows)
		}

		e, err := svc.Suggest(ctx, alex, good)
		if err != nil {
			t.Fatal(err)
		}
		if r := search(t, svc, directory.Filter{Query: "huddles"}); r.Total != 0 {
			t.Fatal("a pending suggestion is listed")
		}
		if _, err := svc.Get(ctx, e.ID); !errors.Is(err, directory.ErrNotFound) {
			t.Fatalf("a pending suggestion can be opened: %v", err)
		}
		// The same URL (http, trailing slash) again: a warning until confirmed.
		dup := good
		dup.URL = "http://EXAMPLE.org/huddles/"
		_, err = svc.Suggest(ctx, alex, dup)
		if msg := fieldErr(t, err, "duplicate"); !strings.Contains(msg, "A guide to huddles") {
			t.Fatalf("duplicate message: %s", msg)
		}
		// The same DOI as a built-in resource.
		var doi string
		for _, r := range directory.Builtin().Resources {
			if r.DOI != "" {
				doi = r.DOI
				break
			}
		}
		if doi != "" {
			_, err = svc.Suggest(ctx, alex, directory.Input{Kind: "article", Title: "Copy", DOI: "https://doi.org/" + strings.ToUpper(doi)})
			fieldErr(t, err, "duplicate")
		}
		dup.ConfirmDuplicate = true
		second, err := svc.Suggest(ctx, alex, dup)
		if err != nil {
			t.Fatal(err)
		}
		pending, err := svc.Pending(ctx)
		if err != nil || len(pending) != 2 {
			t.Fatalf("pending: %v %d", err, len(pending))
		}

		in := directory.InputOf(pending[0])
		in.Title = "A guide to safety huddles"
		if _, err := svc.Approve(ctx, mod, e.ID, in); err != nil {
			t.Fatal(err)
		}
		r := search(t, svc, directory.Filter{Query: "safety huddles"})
		if r.Total != 1 || r.Entries[0].Title != "A guide to safety huddles" || r.Entries[0].LevelsLabel() != "5 and 6" {
			t.Fatalf("approved: %v", titles(r))
		}

		var sent []mail.Message
		notify := func(_ context.Context, _ *store.Tx, m mail.Message) error { sent = append(sent, m); return nil }
		err = svc.Decline(ctx, mod, second.ID, "  ", notify)
		fieldErr(t, err, "reason")
		if count(t, db, "id = ? AND status = 'pending'", second.ID) != 1 || len(sent) != 0 {
			t.Fatal("a decline without a reason changed something")
		}
		if err := svc.Decline(ctx, mod, second.ID, "Already listed.", notify); err != nil {
			t.Fatal(err)
		}
		if len(sent) != 1 || sent[0].To != "alex@example.org" || !strings.Contains(sent[0].Text, "Already listed.") {
			t.Fatalf("email: %+v", sent)
		}
		if err := svc.Decline(ctx, mod, second.ID, "Again", notify); !errors.Is(err, directory.ErrNotFound) {
			t.Fatalf("declining twice: %v", err)
		}
		if r := search(t, svc, directory.Filter{Query: "huddles"}); r.Total != 1 {
			t.Fatalf("declined listed: %v", titles(r))
		}
	})
}

func TestImportExport(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc := directory.NewService(db)
		rows := count(t, db, "1 = 1")
		for _, bad := range []struct{ name, doc string }{
			{"bibtex", "@article{a,\n  title = {Unclosed\n"},
			{"ris", "TY  - JOUR\nTI  - No end\n"},
		} {
			var err error
			if bad.name == "bibtex" {
				_, err = citation.ParseBibTeX(strings.NewReader(bad.doc))
			} else {
				_, err = citation.ParseRIS(strings.NewReader(bad.doc))
			}
			if err == nil {
				t.Fatalf("%s: malformed file parsed", bad.name)
			}
		}
		// A reference with a bad URL in an otherwise good list: nothing is added.
		_, err := svc.ImportCitations(ctx, 0, []citation.Reference{{Kind: "web", Title: "Fine", URL: "https://example.org/fine"}, {Kind: "web", Title: "Bad", URL: "javascript:x"}})
		fieldErr(t, err, "file")
		if n := count(t, db, "1 = 1"); n != rows {
			t.Fatalf("a failed import added %d rows", n-rows)
		}
		var bib bytes.Buffer
		if err := citation.WriteBibTeX(&bib, []citation.Reference{{Kind: "article", Title: "Leading occupational therapy teams", Authors: []string{"Smith, Jo"}, Year: 2021, Journal: "BJOT", DOI: "10.1177/0308022621999999"}}); err != nil {
			t.Fatal(err)
		}
		refs, err := citation.ParseBibTeX(&bib)
		if err != nil {
			t.Fatal(err)
		}
		res, err := svc.ImportCitations(ctx, 0, refs)
		if err != nil || res.Added != 1 {
			t.Fatalf("import: %v %+v", err, res)
		}
		res, err = svc.ImportCitations(ctx, 0, refs)
		if err != nil || res.Added != 0 || len(res.Duplicates) != 1 {
			t.Fatalf("import again: %v %+v", err, res)
		}
		var out bytes.Buffer
		if err := svc.ExportRIS(ctx, &out, directory.Filter{Query: "leading occupational therapy teams"}); err != nil {
			t.Fatal(err)
		}
		back, err := citation.ParseRIS(&out)
		if err != nil || len(back) != 1 || back[0].DOI != "10.1177/0308022621999999" {
			t.Fatalf("RIS export: %v %+v", err, back)
		}
		out.Reset()
		if err := svc.ExportBibTeX(ctx, &out, directory.Filter{}); err != nil {
			t.Fatal(err)
		}
		all, err := citation.ParseBibTeX(&out)
		if err != nil || len(all) < 2 {
			t.Fatalf("BibTeX export of every resource: %v, %d", err, len(all))
		}
	})
}
