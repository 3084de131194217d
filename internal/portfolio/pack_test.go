package portfolio_test

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/pillars-ot/pillars/internal/auditpack"
	"github.com/pillars-ot/pillars/internal/portfolio"
	"github.com/pillars-ot/pillars/internal/store"
	"github.com/pillars-ot/pillars/internal/testutil"
)

func span(from, to string) *portfolio.Entry { return &portfolio.Entry{StartedOn: from, EndedOn: to} }
func day(d string) *portfolio.Entry         { return span(d, d) }

func TestGaps(t *testing.T) {
	const start, end = "2025-11-01", "2027-10-31"
	var monthly []*portfolio.Entry
	for m := time.Date(2025, 11, 15, 0, 0, 0, 0, time.UTC); m.Before(time.Date(2026, 11, 16, 0, 0, 0, 0, time.UTC)); m = m.AddDate(0, 1, 0) {
		monthly = append(monthly, day(m.Format(time.DateOnly)))
	}
	cases := []struct {
		name    string
		entries []*portfolio.Entry
		today   string
		want    []portfolio.Gap
	}{
		{"no entries: the cycle so far", nil, "2026-11-21", []portfolio.Gap{{From: "2025-11-01", To: "2026-11-21", Months: 12}}},
		{"an entry every month", monthly, "2026-11-21", nil},
		{"exactly three months empty", []*portfolio.Entry{span("2025-11-01", "2026-01-31"), span("2026-05-01", "2026-06-15")}, "2026-06-15",
			[]portfolio.Gap{{From: "2026-02-01", To: "2026-04-30", Months: 3}}},
		{"two months and 29 days empty", []*portfolio.Entry{span("2025-11-01", "2026-01-31"), span("2026-04-30", "2026-06-15")}, "2026-06-15", nil},
		{"three months at the start", []*portfolio.Entry{day("2026-02-01")}, "2026-02-01", []portfolio.Gap{{From: "2025-11-01", To: "2026-01-31", Months: 3}}},
		{"just under three months at the start", []*portfolio.Entry{day("2026-01-31")}, "2026-02-01", nil},
		{"three months at the end, up to today", []*portfolio.Entry{span("2025-11-01", "2026-01-31")}, "2026-04-30",
			[]portfolio.Gap{{From: "2026-02-01", To: "2026-04-30", Months: 3}}},
		{"overlapping ranges merge", []*portfolio.Entry{span("2025-11-01", "2026-02-28"), span("2026-01-10", "2026-01-20"), span("2026-02-15", "2026-06-01"), day("2026-08-01")}, "2026-08-20", nil},
		{"a short entry inside a long one does not end the cover", []*portfolio.Entry{span("2025-11-01", "2026-03-31"), day("2025-12-01"), day("2026-06-15")}, "2026-06-20", nil},
		{"order of entries does not matter", []*portfolio.Entry{day("2026-06-15"), day("2025-12-01"), span("2025-11-01", "2026-03-31")}, "2026-06-20", nil},
		{"a long multi-month activity covers its span", []*portfolio.Entry{span("2025-11-01", "2026-10-31")}, "2026-11-21", nil},
		{"an activity from before the cycle counts", []*portfolio.Entry{span("2025-09-01", "2025-12-31")}, "2026-03-15", nil},
		{"three gaps", []*portfolio.Entry{day("2026-02-10"), day("2026-07-01")}, "2026-11-21", []portfolio.Gap{
			{From: "2025-11-01", To: "2026-02-09", Months: 3},
			{From: "2026-02-11", To: "2026-06-30", Months: 4},
			{From: "2026-07-02", To: "2026-11-21", Months: 4},
		}},
		{"the cycle end after today is clipped to today", nil, "2026-03-01", []portfolio.Gap{{From: "2025-11-01", To: "2026-03-01", Months: 4}}},
		{"clipped to today, too short", nil, "2026-01-15", nil},
		{"today before the cycle", nil, "2025-06-01", nil},
		{"a whole past cycle", nil, "2028-05-01", []portfolio.Gap{{From: "2025-11-01", To: "2027-10-31", Months: 24}}},
		{"activities after the end are ignored", []*portfolio.Entry{day("2027-12-01")}, "2028-05-01", []portfolio.Gap{{From: "2025-11-01", To: "2027-10-31", Months: 24}}},
		{"an undated draft is ignored", []*portfolio.Entry{span("", ""), span("2025-11-01", "2026-10-31")}, "2026-11-21", nil},
	}
	for _, c := range cases {
		got := portfolio.Gaps(c.entries, start, end, c.today)
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: got %+v, want %+v", c.name, got, c.want)
		}
	}
}

func TestDefaultCycle(t *testing.T) {
	cases := []struct{ now, start, end string }{
		{"2026-11-21T12:00:00Z", "2025-11-01", "2027-10-31"},
		{"2027-10-31T12:00:00Z", "2025-11-01", "2027-10-31"},
		{"2027-10-31T23:59:00Z", "2025-11-01", "2027-10-31"}, // GMT by then: still 31 October in London
		{"2027-11-01T00:00:00Z", "2027-11-01", "2029-10-31"},
		{"2026-01-05T09:00:00Z", "2025-11-01", "2027-10-31"},
		{"2025-11-01T00:00:00Z", "2025-11-01", "2027-10-31"},
		{"2025-10-31T23:30:00Z", "2023-11-01", "2025-10-31"},
		{"2028-02-29T12:00:00Z", "2027-11-01", "2029-10-31"},
		// London's calendar decides: 22:00 on 31 October in New York is 1 November in London.
		{"2027-10-31T22:00:00-04:00", "2027-11-01", "2029-10-31"},
		{"2027-10-31T19:00:00-04:00", "2025-11-01", "2027-10-31"},
	}
	for _, c := range cases {
		now, err := time.Parse(time.RFC3339, c.now)
		if err != nil {
			t.Fatal(err)
		}
		if s, e := portfolio.DefaultCycle(now); s != c.start || e != c.end {
			t.Errorf("DefaultCycle(%s) = %s..%s, want %s..%s", c.now, s, e, c.start, c.end)
		}
	}
}

func TestCountWords(t *testing.T) {
	cases := []struct {
		in   string
		want int
	}{
		{"", 0},
		{"   \n\t ", 0},
		{"one", 1},
		{"Hello, world!", 2},
		{"don't", 1},
		{"it’s the team’s", 3},
		{"well-being", 1},
		{"person-centred, goal-directed care", 3},
		{" - ", 0},
		{"word - word", 2},
		{"'quoted'", 1},
		{"12 hours over 3 days", 5},
		{"2026", 1},
		{"NHS: 5 (five) OTs.", 4},
		{"line one\nline two\n\nline three", 6},
		{"...!?", 0},
		{"café naïve", 2},
		{strings.Repeat("word ", 500), 500},
	}
	for _, c := range cases {
		if got := portfolio.CountWords(c.in); got != c.want {
			t.Errorf("CountWords(%q) = %d, want %d", c.in, got, c.want)
		}
	}
}

// packWorld is a person with seven activities in the 2025-11-01 to 2027-10-31 cycle, one from
// before it, a five-month gap from 16 December 2025, and a second person.
type packWorld struct {
	e       *env
	alex    int64
	sam     int64
	ids     []int64 // the seven in-cycle entries, oldest first
	before  int64
	samOnly int64
	pack    *portfolio.Pack
}

func newPackWorld(t *testing.T, db *store.DB) *packWorld {
	t.Helper()
	e := newEnv(t, db)
	w := &packWorld{e: e, alex: e.user(t, "Alex Marlowe").ID, sam: e.user(t, "Sam Okafor").ID}
	for _, in := range []portfolio.EntryInput{
		gibbs("Leading the stroke ward huddle", "2025-11-10"),
		free("Leadership course", "2025-12-15", "formal-educational", "A day on influencing and leading change."),
		free("Reading on falls", "2026-05-20", "self-directed", "The national falls guideline."),
		free("Supervision session", "2026-06-10", "work-based", "Caseload and a complex discharge."),
		free("Journal club", "2026-08-01", "professional-activity", "Presented a paper on vocational rehabilitation."),
		free("Falls audit", "2026-10-01", "work-based", "Audited the ward's falls screening."),
		free("Home visit with a student", "2026-11-01", "work-based", "Supervised a student on a home visit."),
	} {
		w.ids = append(w.ids, mustCreate(t, e, w.alex, in).ID)
	}
	w.before = mustCreate(t, e, w.alex, free("Before the cycle", "2025-06-01", "other", "Old.")).ID
	w.samOnly = mustCreate(t, e, w.sam, free("Sam's activity", "2026-01-01", "work-based", "Sam's.")).ID
	if _, err := e.svc.Create(context.Background(), w.alex, portfolio.EntryInput{Title: "A draft in the cycle", StartedOn: "2026-02-01"}, true, nil); err != nil {
		t.Fatal(err)
	}
	start, end := portfolio.DefaultCycle(testNow)
	p, err := e.svc.OpenPack(context.Background(), w.alex, "", start, end)
	if err != nil {
		t.Fatal(err)
	}
	w.pack = p
	return w
}

// goodPack is a pack input that meets every rule.
func (w *packWorld) goodPack() portfolio.PackInput {
	return portfolio.PackInput{
		Summary: "I am an occupational therapist on a stroke ward. " + words(120),
		Statement: map[string]string{"standard-1": words(100), "standard-2": words(100), "standard-3": words(200),
			"standard-4": words(200), "standard-5": words(50)},
		Selected: []int64{w.ids[3], w.ids[0], w.ids[4], w.ids[1]},
		GapNotes: map[string]string{"2025-12-16": "I was on parental leave."},
	}
}

func TestOpenPack(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newPackWorld(t, db)
		e := w.e
		cases := []struct {
			profession, start, end string
			field, want            string
		}{
			{"", "2025-13-01", "2027-10-31", "cycle_start", "real date"},
			{"", "", "2027-10-31", "cycle_start", "real date"},
			{"", "2025-11-01", "31/10/2027", "cycle_end", "real date"},
			{"", "2027-10-31", "2025-11-01", "cycle_end", "end after it starts"},
			{"", "2025-11-01", "2025-11-01", "cycle_end", "end after it starts"},
			{"", "2019-11-01", "2027-10-31", "cycle_end", "four years"},
			{strings.Repeat("x", 101), "2025-11-01", "2027-10-31", "profession", "100 characters"},
		}
		before := e.rowCounts(t)
		for _, c := range cases {
			_, err := e.svc.OpenPack(ctx, w.alex, c.profession, c.start, c.end)
			if msg := fieldErr(t, err, c.field); !strings.Contains(msg, c.want) {
				t.Errorf("%+v: %q", c, msg)
			}
		}
		sameCounts(t, "refused packs", before, e.rowCounts(t))

		p := w.pack
		if p.Profession != portfolio.DefaultProfession || p.CycleStart != "2025-11-01" || p.CycleEnd != "2027-10-31" || p.UserID != w.alex ||
			p.Summary != "" || len(p.Selected) != 0 || len(p.Statement) != 0 {
			t.Errorf("new pack: %+v", p)
		}
		again, err := e.svc.OpenPack(ctx, w.alex, "", "2025-11-01", "2027-10-31")
		if err != nil || again.ID != p.ID {
			t.Fatalf("opening again: %+v %v", again, err)
		}
		if packs, _ := e.svc.Packs(ctx, w.alex); len(packs) != 1 {
			t.Errorf("opening twice made %d packs", len(packs))
		}
		// What the person wrote survives opening the pack again without naming a profession.
		in := w.goodPack()
		in.Profession = "Occupational therapist (stroke)"
		if err := e.svc.SavePack(ctx, w.alex, p.ID, in); err != nil {
			t.Fatal(err)
		}
		again, _ = e.svc.OpenPack(ctx, w.alex, "", "2025-11-01", "2027-10-31")
		if again.Profession != "Occupational therapist (stroke)" || again.Summary == "" {
			t.Errorf("reopening lost what was written: %+v", again)
		}
		again, _ = e.svc.OpenPack(ctx, w.alex, "Occupational therapist (community)", "2025-11-01", "2027-10-31")
		if again.Profession != "Occupational therapist (community)" {
			t.Errorf("a profession given on opening: %q", again.Profession)
		}
		// Each cycle has its own pack, and each person their own.
		older, err := e.svc.OpenPack(ctx, w.alex, "", "2023-11-01", "2025-10-31")
		if err != nil || older.ID == p.ID {
			t.Fatalf("another cycle: %+v %v", older, err)
		}
		if packs, _ := e.svc.Packs(ctx, w.alex); len(packs) != 2 || packs[0].ID != p.ID {
			t.Errorf("packs, newest cycle first: %+v", packs)
		}
		samPack, err := e.svc.OpenPack(ctx, w.sam, "", "2025-11-01", "2027-10-31")
		if err != nil || samPack.ID == p.ID {
			t.Fatalf("Sam's pack: %+v %v", samPack, err)
		}
		if _, err := e.svc.Pack(ctx, w.sam, p.ID); !errors.Is(err, portfolio.ErrNotFound) {
			t.Errorf("Sam read Alex's pack: %v", err)
		}
		if _, err := e.svc.Readiness(ctx, w.sam, p.ID); !errors.Is(err, portfolio.ErrNotFound) {
			t.Errorf("Sam checked Alex's pack: %v", err)
		}
		if err := e.svc.SavePack(ctx, w.sam, p.ID, w.goodPack()); !errors.Is(err, portfolio.ErrNotFound) {
			t.Errorf("Sam wrote Alex's pack: %v", err)
		}
	})
}

func TestSavePackLimits(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newPackWorld(t, db)
		e := w.e
		good := w.goodPack()
		if err := e.svc.SavePack(ctx, w.alex, w.pack.ID, good); err != nil {
			t.Fatal(err)
		}
		saved, _ := e.svc.Pack(ctx, w.alex, w.pack.ID)
		if saved.Summary != good.Summary || !reflect.DeepEqual(saved.Selected, good.Selected) || !reflect.DeepEqual(saved.Statement, good.Statement) ||
			!reflect.DeepEqual(saved.GapNotes, good.GapNotes) {
			t.Fatalf("saved: %+v", saved)
		}
		cases := []struct {
			name  string
			edit  func(*portfolio.PackInput)
			field string
			want  []string
		}{
			{"a 501-word summary", func(in *portfolio.PackInput) { in.Summary = words(501) }, "summary", []string{"501 words", "limit is 500", "Cut 1 word"}},
			{"a 600-word summary", func(in *portfolio.PackInput) { in.Summary = words(600) }, "summary", []string{"600 words", "Cut 100"}},
			{"a statement over 1,500 words in all", func(in *portfolio.PackInput) {
				in.Statement = map[string]string{"standard-1": words(800), "standard-4": words(701)}
			}, "statement_standard-1", []string{"1501 words in all", "Cut 1"}},
			{"seven picked", func(in *portfolio.PackInput) { in.Selected = w.ids }, "selected", []string{"at most 6", "you picked 7"}},
			{"another person's entry", func(in *portfolio.PackInput) { in.Selected = []int64{w.ids[0], w.samOnly} }, "selected", []string{"your own saved activities"}},
			{"an entry from before the cycle", func(in *portfolio.PackInput) { in.Selected = []int64{w.before} }, "selected", []string{"from this cycle"}},
			{"an entry that does not exist", func(in *portfolio.PackInput) { in.Selected = []int64{99999} }, "selected", []string{"your own"}},
			{"a long profession", func(in *portfolio.PackInput) { in.Profession = strings.Repeat("x", 101) }, "profession", []string{"100 characters"}},
			{"a long gap note", func(in *portfolio.PackInput) { in.GapNotes = map[string]string{"2025-12-16": words(201)} }, "gap_2025-12-16", []string{"200 words"}},
		}
		for _, c := range cases {
			in := w.goodPack()
			in.Summary = "A different summary that must not be stored."
			c.edit(&in)
			err := e.svc.SavePack(ctx, w.alex, w.pack.ID, in)
			msg := fieldErr(t, err, c.field)
			for _, want := range c.want {
				if !strings.Contains(msg, want) {
					t.Errorf("%s: %q does not say %q", c.name, msg, want)
				}
			}
			now, _ := e.svc.Pack(ctx, w.alex, w.pack.ID)
			if now.Summary != good.Summary || !reflect.DeepEqual(now.Selected, good.Selected) || !reflect.DeepEqual(now.Statement, good.Statement) {
				t.Errorf("%s: a refused save changed the pack: %+v", c.name, now)
			}
		}
		// Exactly at the limits is fine; duplicates and blank notes are dropped.
		in := w.goodPack()
		in.Summary = words(500)
		in.Statement = map[string]string{"standard-1": words(1000), "standard-2": words(500), "not-a-standard": words(900)}
		in.Selected = []int64{w.ids[0], w.ids[0], w.ids[1]}
		in.GapNotes = map[string]string{"2025-12-16": "  ", "2026-01-01": "Noted."}
		if err := e.svc.SavePack(ctx, w.alex, w.pack.ID, in); err != nil {
			t.Fatal(err)
		}
		now, _ := e.svc.Pack(ctx, w.alex, w.pack.ID)
		if !reflect.DeepEqual(now.Selected, []int64{w.ids[0], w.ids[1]}) || len(now.Statement) != 2 || len(now.GapNotes) != 1 || now.Profession != portfolio.DefaultProfession {
			t.Errorf("at the limits: %+v", now)
		}
	})
}

func TestReadiness(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newPackWorld(t, db)
		e := w.e
		checks := func(r *portfolio.Readiness) map[string]bool {
			out := map[string]bool{}
			for _, c := range r.Checks {
				out[c.Title] = c.Done
			}
			return out
		}
		r, err := e.svc.Readiness(ctx, w.alex, w.pack.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Entries) != 7 || r.Entries[0].ID != w.ids[0] || r.TypesUsed != 4 || len(r.Types) != 5 {
			t.Fatalf("entries %d, types used %d", len(r.Entries), r.TypesUsed)
		}
		wantGaps := []portfolio.Gap{{From: "2025-12-16", To: "2026-05-19", Months: 5}}
		if !reflect.DeepEqual(r.Gaps, wantGaps) {
			t.Errorf("gaps: %+v", r.Gaps)
		}
		want := map[string]bool{
			"Activities in the cycle": true, "At least two activity types": true, "Gaps of three months or more explained": false,
			"Summary of practice": false, "Statement of how you meet the standards": false, "4 to 6 activities picked for the statement": false,
			"Nothing that could identify a service user": true,
		}
		if got := checks(r); !reflect.DeepEqual(got, want) || r.Ready {
			t.Errorf("empty pack checks: %v (ready %v)", got, r.Ready)
		}

		// Everything written: ready.
		if err := e.svc.SavePack(ctx, w.alex, w.pack.ID, w.goodPack()); err != nil {
			t.Fatal(err)
		}
		r, _ = e.svc.Readiness(ctx, w.alex, w.pack.ID)
		for k, v := range checks(r) {
			if !v {
				t.Errorf("complete pack: %q not done", k)
			}
		}
		if !r.Ready || r.Gaps[0].Note != "I was on parental leave." || r.Summary != 129 || r.Statement != 650 {
			t.Errorf("complete pack: ready %v, gaps %+v, summary %d, statement %d", r.Ready, r.Gaps, r.Summary, r.Statement)
		}

		// A note keyed to another day does not explain the gap.
		in := w.goodPack()
		in.GapNotes = map[string]string{"2025-12-17": "Wrong day."}
		_ = e.svc.SavePack(ctx, w.alex, w.pack.ID, in)
		r, _ = e.svc.Readiness(ctx, w.alex, w.pack.ID)
		if checks(r)["Gaps of three months or more explained"] || r.Ready {
			t.Error("a note for another day explained the gap")
		}

		// Three picked, or seven (impossible to save) is not ready; a missing standard is not.
		in = w.goodPack()
		in.Selected = in.Selected[:3]
		delete(in.Statement, "standard-5")
		_ = e.svc.SavePack(ctx, w.alex, w.pack.ID, in)
		r, _ = e.svc.Readiness(ctx, w.alex, w.pack.ID)
		if c := checks(r); c["4 to 6 activities picked for the statement"] || c["Statement of how you meet the standards"] || r.Ready {
			t.Errorf("three picked, four standards: %v", c)
		}

		// A valid NHS number in the summary and in a file name is found.
		in = w.goodPack()
		in.Summary = "I saw a man, NHS number 943 476 5919, for a home visit."
		_ = e.svc.SavePack(ctx, w.alex, w.pack.ID, in)
		if _, err := e.svc.AddFile(ctx, w.alex, w.ids[2], "943 476 5919 letter.pdf", pdfBytes(0)); err != nil {
			t.Fatal(err)
		}
		r, _ = e.svc.Readiness(ctx, w.alex, w.pack.ID)
		wantFindings := []portfolio.Finding{
			{Where: "Summary of practice", Kind: "NHS number", Text: "943 476 5919"},
			{Where: "File name: 943 476 5919 letter.pdf", Kind: "NHS number", Text: "943 476 5919"},
		}
		if !reflect.DeepEqual(r.Findings, wantFindings) || checks(r)["Nothing that could identify a service user"] || r.Ready {
			t.Errorf("findings: %+v", r.Findings)
		}
		// An invalid NHS number (fails the check digit) is not a finding.
		in.Summary = "Reference 943 476 5918 from the audit."
		_ = e.svc.SavePack(ctx, w.alex, w.pack.ID, in)
		r, _ = e.svc.Readiness(ctx, w.alex, w.pack.ID)
		if len(r.Findings) != 1 {
			t.Errorf("findings after fixing the summary: %+v", r.Findings)
		}

		// A picked activity deleted later no longer counts as picked.
		in = w.goodPack()
		_ = e.svc.SavePack(ctx, w.alex, w.pack.ID, in)
		if err := e.svc.Delete(ctx, w.alex, in.Selected[0]); err != nil {
			t.Fatal(err)
		}
		r, _ = e.svc.Readiness(ctx, w.alex, w.pack.ID)
		if checks(r)["4 to 6 activities picked for the statement"] {
			t.Error("a deleted entry still counts as picked")
		}

		// Only one activity type: that check fails.
		solo := e.user(t, "Solo Worker").ID
		for _, d := range []string{"2025-11-05", "2026-01-05", "2026-03-05", "2026-05-05", "2026-07-05", "2026-09-05", "2026-11-05"} {
			mustCreate(t, e, solo, free("Ward work", d, "work-based", "Ward work."))
		}
		sp, _ := e.svc.OpenPack(ctx, solo, "", "2025-11-01", "2027-10-31")
		r, _ = e.svc.Readiness(ctx, solo, sp.ID)
		if r.TypesUsed != 1 || checks(r)["At least two activity types"] || len(r.Gaps) != 0 || !checks(r)["Gaps of three months or more explained"] {
			t.Errorf("one type: used %d, checks %v, gaps %+v", r.TypesUsed, checks(r), r.Gaps)
		}
	})
}

func TestRender(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newPackWorld(t, db)
		e := w.e
		// Evidence on the second and fifth activities: numbered in activity order.
		var files []int64
		for _, f := range []struct {
			entry int
			name  string
		}{{4, "journal-club-slides.pdf"}, {1, "certificate.pdf"}, {1, "course-notes.pdf"}} {
			got, err := e.svc.AddFile(ctx, w.alex, w.ids[f.entry], f.name, pdfBytes(10))
			if err != nil {
				t.Fatal(err)
			}
			files = append(files, got.ID)
		}
		in := w.goodPack()
		in.Profession = "Occupational therapist (stroke)"
		if err := e.svc.SavePack(ctx, w.alex, w.pack.ID, in); err != nil {
			t.Fatal(err)
		}
		r, err := e.svc.Readiness(ctx, w.alex, w.pack.ID)
		if err != nil {
			t.Fatal(err)
		}
		types, _ := e.svc.ActivityTypes(ctx)
		p := r.Render("Alex Marlowe", testNow, types)
		if p.Owner != "Alex Marlowe" || p.Profession != "Occupational therapist (stroke)" || p.CycleStart != "2025-11-01" || p.CycleEnd != "2027-10-31" || !p.GeneratedAt.Equal(testNow) {
			t.Errorf("header: %+v", p)
		}
		var titles []string
		for i, a := range p.Activities {
			if a.Number != i+1 {
				t.Errorf("activity %d numbered %d", i+1, a.Number)
			}
			titles = append(titles, a.Title)
		}
		wantTitles := []string{"Leading the stroke ward huddle", "Leadership course", "Reading on falls", "Supervision session", "Journal club", "Falls audit", "Home visit with a student"}
		if !reflect.DeepEqual(titles, wantTitles) {
			t.Errorf("activities: %v", titles)
		}
		a := p.Activities[0]
		if a.Dates != "10 November 2025" || a.Type != "Work-based learning" || a.Hours != 1.5 || a.Model != "Gibbs' reflective cycle" || len(a.Reflection) != 6 ||
			a.Reflection[0].Title != "Description" || a.Reflection[5].Title != "Action plan" {
			t.Errorf("first activity: %+v", a)
		}
		if p.Activities[2].Reflection != nil || p.Activities[2].Model != "" {
			t.Errorf("an activity not picked shows its reflection: %+v", p.Activities[2])
		}
		// Picked in the person's order, as activity numbers.
		if !reflect.DeepEqual(p.Selected, []int{4, 1, 5, 2}) {
			t.Errorf("selected: %v", p.Selected)
		}
		// Evidence cross-references: numbers follow the activities, and each side names the other.
		wantEv := []auditpack.Evidence{
			{Number: 1, Label: "Evidence 1: certificate.pdf (Leadership course)", Filename: "certificate.pdf", ContentType: "application/pdf", Size: int64(len(pdfBytes(10))), Activity: 2},
			{Number: 2, Label: "Evidence 2: course-notes.pdf (Leadership course)", Filename: "course-notes.pdf", ContentType: "application/pdf", Size: int64(len(pdfBytes(10))), Activity: 2},
			{Number: 3, Label: "Evidence 3: journal-club-slides.pdf (Journal club)", Filename: "journal-club-slides.pdf", ContentType: "application/pdf", Size: int64(len(pdfBytes(10))), Activity: 5},
		}
		if !reflect.DeepEqual(p.Evidence, wantEv) {
			t.Errorf("evidence:\n%+v\nwant\n%+v", p.Evidence, wantEv)
		}
		for i, a := range p.Activities {
			var want []int
			switch i + 1 {
			case 2:
				want = []int{1, 2}
			case 5:
				want = []int{3}
			}
			if !reflect.DeepEqual(a.Evidence, want) {
				t.Errorf("activity %d evidence %v, want %v", i+1, a.Evidence, want)
			}
		}
		if ids := r.EvidenceFileIDs(); !reflect.DeepEqual(ids, []int64{files[1], files[2], files[0]}) {
			t.Errorf("evidence file ids %v, files %v", ids, files)
		}
		if !reflect.DeepEqual(p.Gaps, []auditpack.Gap{{From: "16 December 2025", To: "19 May 2026", Months: 5, Explanation: "I was on parental leave."}}) {
			t.Errorf("gaps: %+v", p.Gaps)
		}
		if len(p.TypeCounts) != 5 || p.TypeCounts[0] != (auditpack.TypeCount{Type: "Work-based learning", Activities: 4, Hours: 4.5}) {
			t.Errorf("type counts: %+v", p.TypeCounts)
		}
		if len(p.Statement) != 5 || p.Statement[0].Standard != "Standard 1: Keep a CPD record" || p.Statement[2].Text != in.Statement["standard-3"] {
			t.Errorf("statement: %+v", p.Statement)
		}
	})
}
