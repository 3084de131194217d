package portfolio_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/pillars-ot/pillars/internal/portfolio"
	"github.com/pillars-ot/pillars/internal/store"
	"github.com/pillars-ot/pillars/internal/testutil"
)

// archiveWorld fills Alex's portfolio with one of everything an archive carries.
func archiveWorld(t *testing.T, e *env, owner int64) {
	t.Helper()
	ctx := context.Background()
	huddle := gibbs("Leading the stroke ward huddle", "2026-04-20")
	huddle.EndedOn = "2026-04-22"
	huddle.Hours = "7.5"
	huddle.Tags = []portfolio.Tag{{Framework: "ot-leadership", Element: "influence"}, {Framework: "hcpc-cpd", Element: "standard-3"}}
	h := mustCreate(t, e, owner, huddle)
	e.clock.Add(time.Minute)
	course := free("Leadership course", "2026-01-15", "formal-educational", "Influencing without authority.\n\nSecond paragraph.")
	course.Hours = "0.25"
	course.Tags = []portfolio.Tag{{Framework: "hcpc-cpd", Element: "standard-1"}}
	c := mustCreate(t, e, owner, course)
	e.clock.Add(time.Minute)
	same := mustCreate(t, e, owner, free("Journal club", "2026-01-15", "professional-activity", "Same day as the course."))
	for _, f := range []struct {
		entry int64
		name  string
		data  []byte
	}{{h.ID, "agenda.pdf", pdfBytes(50)}, {h.ID, "whiteboard.png", pngBytes(t)}, {c.ID, "notes.docx", docxBytes(t)}} {
		if _, err := e.svc.AddFile(ctx, owner, f.entry, f.name, f.data); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := e.svc.Create(ctx, owner, portfolio.EntryInput{Title: "Just a title"}, true, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Create(ctx, owner, portfolio.EntryInput{Title: "Half done", StartedOn: "2026-05-01", Hours: "2", Model: "driscoll",
		Stages: map[string]string{"what": "A difficult conversation."}}, true, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.CreateCollection(ctx, owner, "For supervision", "Two to talk about", []int64{c.ID, h.ID}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.CreateCollection(ctx, owner, "Leadership", "", []int64{h.ID}); err != nil {
		t.Fatal(err)
	}
	p, err := e.svc.OpenPack(ctx, owner, "Occupational therapist (stroke)", "2025-11-01", "2027-10-31")
	if err != nil {
		t.Fatal(err)
	}
	if err := e.svc.SavePack(ctx, owner, p.ID, portfolio.PackInput{Summary: "My practice.", Statement: map[string]string{"standard-1": "I keep a record."},
		Selected: []int64{h.ID, c.ID, same.ID}, GapNotes: map[string]string{"2025-11-01": "New in post."}}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.OpenPack(ctx, owner, "", "2023-11-01", "2025-10-31"); err != nil {
		t.Fatal(err)
	}
}

// normal is a snapshot without what differs between two people's copies of it.
func normal(t *testing.T, e *env, owner int64) *portfolio.Archive {
	t.Helper()
	a, err := e.svc.Snapshot(context.Background(), owner)
	if err != nil {
		t.Fatal(err)
	}
	a.Owner, a.ExportedAt = portfolio.ArchiveOwner{}, time.Time{}
	return a
}

func roundTrip(t *testing.T, a *portfolio.Archive) *portfolio.Archive {
	t.Helper()
	var buf bytes.Buffer
	if err := portfolio.WriteJSON(&buf, a); err != nil {
		t.Fatal(err)
	}
	got, err := portfolio.ReadJSON(&buf)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func TestArchiveRoundTrip(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		alex, bea := e.user(t, "Alex Marlowe"), e.user(t, "Bea Lindqvist")
		archiveWorld(t, e, alex.ID)
		a, err := e.svc.Snapshot(ctx, alex.ID)
		if err != nil {
			t.Fatal(err)
		}
		if a.Format != "pillars-portfolio" || a.Version != portfolio.ArchiveVersion || a.Owner.Name != "Alex Marlowe" || len(a.Entries) != 5 ||
			len(a.Collections) != 2 || len(a.Packs) != 2 || a.Collections[0].Title != "For supervision" || a.Packs[0].CycleStart != "2023-11-01" {
			t.Fatalf("snapshot: %d entries, %d collections, %d packs", len(a.Entries), len(a.Collections), len(a.Packs))
		}
		read := roundTrip(t, a)
		if !reflect.DeepEqual(read, a) {
			t.Fatalf("JSON changed the archive")
		}
		e.clock.Add(time.Hour)
		res, err := e.svc.Restore(ctx, bea.ID, read)
		if err != nil {
			t.Fatal(err)
		}
		if *res != (portfolio.ImportResult{Entries: 5, Files: 3, Collections: 2, Packs: 2}) {
			t.Errorf("import: %+v", res)
		}
		want, got := normal(t, e, alex.ID), normal(t, e, bea.ID)
		if !reflect.DeepEqual(got, want) {
			wj, _ := json.MarshalIndent(want, "", " ")
			gj, _ := json.MarshalIndent(got, "", " ")
			t.Fatalf("restored portfolio differs:\n%s\nwant\n%s", trimData(gj), trimData(wj))
		}
		// The pack's picks point at Bea's new entries, not Alex's.
		packs, _ := e.svc.Packs(ctx, bea.ID)
		p, _ := e.svc.Pack(ctx, bea.ID, packs[0].ID)
		for _, id := range p.Selected {
			if _, err := e.svc.Get(ctx, bea.ID, id); err != nil {
				t.Errorf("picked entry %d is not Bea's: %v", id, err)
			}
		}
		if len(p.Selected) != 3 || p.Profession != "Occupational therapist (stroke)" {
			t.Errorf("restored pack: %+v", p)
		}
		// Restored entries are searchable, drafts are not.
		if r, _ := e.svc.Search(ctx, bea.ID, portfolio.Filter{Query: "huddle"}); r.Total != 1 {
			t.Errorf("search after import: %+v", r)
		}
		if r, _ := e.svc.Search(ctx, bea.ID, portfolio.Filter{Query: "difficult conversation"}); r.Total != 0 {
			t.Errorf("an imported draft is searchable: %+v", r)
		}
		if d, _ := e.svc.Drafts(ctx, bea.ID); len(d) != 2 {
			t.Errorf("drafts after import: %d", len(d))
		}

		// The same file again adds nothing.
		before := e.rowCounts(t)
		res, err = e.svc.Restore(ctx, bea.ID, roundTrip(t, a))
		if err != nil {
			t.Fatal(err)
		}
		if *res != (portfolio.ImportResult{Skipped: 5}) {
			t.Errorf("second import: %+v", res)
		}
		sameCounts(t, "a second import", before, e.rowCounts(t))
		if again := normal(t, e, bea.ID); !reflect.DeepEqual(again, want) {
			t.Error("a second import changed the portfolio")
		}
		// Alex's own portfolio is untouched by all this.
		if again := normal(t, e, alex.ID); !reflect.DeepEqual(again, want) {
			t.Error("importing into Bea's portfolio changed Alex's")
		}
	})
}

// trimData shortens base64 evidence in a JSON dump so a failure message stays readable.
func trimData(b []byte) string {
	var out []string
	for _, line := range strings.Split(string(b), "\n") {
		if strings.Contains(line, `"data":`) && len(line) > 80 {
			line = line[:80] + "…"
		}
		out = append(out, line)
	}
	return strings.Join(out, "\n")
}

// Importing the same file near the evidence limit adds nothing, so it is not refused for space.
func TestArchiveReimportNearLimit(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		alex := e.user(t, "Alex Marlowe")
		entry := mustCreate(t, e, alex.ID, gibbs("Huddle", "2026-03-10"))
		if _, err := e.svc.AddFile(ctx, alex.ID, entry.ID, "agenda.pdf", pdfBytes(1<<20)); err != nil {
			t.Fatal(err)
		}
		a, err := e.svc.Snapshot(ctx, alex.ID)
		if err != nil {
			t.Fatal(err)
		}
		used, _ := e.svc.StorageUsed(ctx, alex.ID)
		// Fill the store to within half the file's size of the limit.
		if _, err := db.Exec(ctx, `INSERT INTO cpd_evidence (entry_id, user_id, filename, content_type, size, sha256, data, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			entry.ID, alex.ID, "earlier.pdf", "application/pdf", portfolio.MaxPersonBytes-used-used/2, "0", []byte("%PDF-"), testNow); err != nil {
			t.Fatal(err)
		}
		res, err := e.svc.Restore(ctx, alex.ID, a)
		if err != nil {
			t.Fatalf("re-importing what is already there: %v", err)
		}
		if res.Skipped != 1 || res.Entries != 0 || res.Files != 0 {
			t.Errorf("re-import: %+v", res)
		}
		// New evidence over the limit is still refused, and nothing is stored.
		a.Entries[0].Title = "A different huddle"
		before := e.rowCounts(t)
		_, err = e.svc.Restore(ctx, alex.ID, a)
		if msg := fieldErr(t, err, "file"); !strings.Contains(msg, "over your limit") {
			t.Errorf("import over the limit: %q", msg)
		}
		sameCounts(t, "an import over the limit", before, e.rowCounts(t))
	})
}

func TestArchiveRejectsBadEntries(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		alex, bea := e.user(t, "Alex Marlowe"), e.user(t, "Bea Lindqvist")
		archiveWorld(t, e, alex.ID)
		mustCreate(t, e, bea.ID, free("Bea's own entry", "2026-02-01", "work-based", "Already here."))
		a, err := e.svc.Snapshot(ctx, alex.ID)
		if err != nil {
			t.Fatal(err)
		}
		last := -1 // the huddle, which has evidence
		for i, ae := range a.Entries {
			if ae.Title == "Leading the stroke ward huddle" {
				last = i
			}
		}
		if last < 0 || len(a.Entries[last].Evidence) == 0 {
			t.Fatalf("no huddle with evidence in %+v", a.Entries)
		}
		cases := []struct {
			name string
			edit func(a *portfolio.Archive)
			want []string
		}{
			{"no date", func(a *portfolio.Archive) { a.Entries[last].StartedOn = "" }, []string{`Entry "Leading the stroke ward huddle"`, "Enter the date"}},
			{"negative minutes", func(a *portfolio.Archive) { a.Entries[last].Minutes = -30 }, []string{`Entry "Leading the stroke ward huddle"`, "negative"}},
			{"too many minutes", func(a *portfolio.Archive) { a.Entries[last].Minutes = 60*1000 + 60 }, []string{"1000 or fewer"}},
			{"a date in the future", func(a *portfolio.Archive) {
				a.Entries[last].StartedOn = "2030-01-01"
				a.Entries[last].EndedOn = "2030-01-01"
			}, []string{"today or earlier"}},
			{"an unknown type", func(a *portfolio.Archive) { a.Entries[last].ActivityType = "juggling" }, []string{"HCPC activity types"}},
			{"a tag to nothing", func(a *portfolio.Archive) {
				a.Entries[last].Tags = append(a.Entries[last].Tags, portfolio.Tag{Framework: "ot-leadership", Element: "juggling"})
			}, []string{`"juggling"`}},
			{"a file that is not what it says", func(a *portfolio.Archive) { a.Entries[last].Evidence[0].Data = pngBytes(t) }, []string{"named as a PDF but its content is a PNG image"}},
			{"a pack with no real cycle", func(a *portfolio.Archive) { a.Packs[0].CycleStart = "../../x" }, []string{`Audit pack "../../x"`, "real dates"}},
			{"a pack that ends before it starts", func(a *portfolio.Archive) { a.Packs[1].CycleEnd = "2020-01-01" }, []string{"the second after the first"}},
			{"a saved entry with no title", func(a *portfolio.Archive) { a.Entries[last].Title = "" }, []string{fmt.Sprintf("Entry \"number %d\"", last+1), "Enter a title"}},
		}
		for _, c := range cases {
			bad := roundTrip(t, a) // a deep copy
			c.edit(bad)
			before := e.rowCounts(t)
			_, err := e.svc.Restore(ctx, bea.ID, bad)
			fieldErr(t, err, "file")
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("%s: %q does not say %q", c.name, err.Error(), w)
				}
			}
			sameCounts(t, c.name, before, e.rowCounts(t))
		}
		if got, _ := e.svc.Snapshot(ctx, bea.ID); len(got.Entries) != 1 {
			t.Errorf("Bea has %d entries after refused imports", len(got.Entries))
		}
	})
}

func TestReadJSON(t *testing.T) {
	var good bytes.Buffer
	a := &portfolio.Archive{Format: "pillars-portfolio", Version: portfolio.ArchiveVersion, Entries: []portfolio.ArchivedEntry{{Key: "entry-1", Status: "saved",
		Title: "Huddle", StartedOn: "2026-03-10", EndedOn: "2026-03-10", ActivityType: "work-based", Minutes: 60, Model: "free", Stages: map[string]string{"reflection": "Text"}}}}
	if err := portfolio.WriteJSON(&good, a); err != nil {
		t.Fatal(err)
	}
	if got, err := portfolio.ReadJSON(bytes.NewReader(good.Bytes())); err != nil || got.Entries[0].Title != "Huddle" {
		t.Fatalf("a good file: %+v %v", got, err)
	}
	cases := []struct {
		name, in string
		want     string
	}{
		{"an unknown field", `{"format":"pillars-portfolio","version":1,"entries":[],"surprise":true}`, `"surprise"`},
		{"an unknown field in an entry", `{"format":"pillars-portfolio","version":1,"entries":[{"title":"x","secret":1}]}`, `"secret"`},
		{"another format", `{"format":"something-else","version":1,"entries":[]}`, "not a Pillars portfolio export"},
		{"no format", `{"version":1,"entries":[]}`, "not a Pillars portfolio export"},
		{"a newer version", `{"format":"pillars-portfolio","version":2,"entries":[]}`, "newer version of Pillars"},
		{"truncated", good.String()[:good.Len()/2], "damaged"},
		{"empty", ``, "damaged"},
		{"not JSON", `hello`, "not valid JSON"},
		{"a wrong kind of value", `{"format":"pillars-portfolio","version":"one"}`, `"version" has the wrong kind of value`},
		{"an array", `[1,2,3]`, "damaged"},
	}
	for _, c := range cases {
		_, err := portfolio.ReadJSON(strings.NewReader(c.in))
		if err == nil {
			t.Errorf("%s: accepted", c.name)
			continue
		}
		msg := fieldErr(t, err, "file")
		if !strings.Contains(msg, c.want) {
			t.Errorf("%s: %q does not say %q", c.name, msg, c.want)
		}
		// Plain words for people: no Go or parser jargon.
		for _, jargon := range []string{"json:", "EOF", "Go value", "struct", "unmarshal"} {
			if strings.Contains(msg, jargon) {
				t.Errorf("%s: %q says %q", c.name, msg, jargon)
			}
		}
	}
}
