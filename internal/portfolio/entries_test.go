package portfolio_test

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/pillars-ot/pillars/internal/plan"
	"github.com/pillars-ot/pillars/internal/portfolio"
	"github.com/pillars-ot/pillars/internal/store"
	"github.com/pillars-ot/pillars/internal/testutil"
)

func TestCreateSavesEveryField(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		alex, sam := e.user(t, "Alex Marlowe"), e.user(t, "Sam Okafor")
		goal, err := e.plans.CreateGoal(ctx, alex.ID, plan.GoalInput{Specific: "Lead the weekly huddle", DueOn: time.Now().AddDate(0, 0, 90).Format(time.DateOnly),
			Elements: []plan.ElementRef{{Framework: "ot-leadership", Element: "influence"}}})
		if err != nil {
			t.Fatal(err)
		}
		in := gibbs("  Leading the stroke ward huddle  ", "2026-03-10")
		in.EndedOn = "2026-03-12"
		in.Hours = "7.5"
		in.Stages["reflection"] = "not a Gibbs stage: dropped"
		in.Tags = []portfolio.Tag{{Framework: "ot-leadership", Element: "influence"}, {Framework: "hcpc-cpd", Element: "standard-1"}, {Framework: "ot-leadership", Element: "influence"}}
		in.GoalID = goal.ID
		got, err := e.svc.Create(ctx, alex.ID, in, false, e.goals())
		if err != nil {
			t.Fatal(err)
		}
		wantStages := gibbs("", "").Stages
		checks := []struct {
			name      string
			got, want any
		}{
			{"status", got.Status, "saved"},
			{"owner", got.UserID, alex.ID},
			{"title", got.Title, "Leading the stroke ward huddle"},
			{"started", got.StartedOn, "2026-03-10"},
			{"ended", got.EndedOn, "2026-03-12"},
			{"type", got.ActivityType, "work-based"},
			{"minutes", got.Minutes, 450},
			{"hours", got.Hours(), "7.5"},
			{"model", got.Model, "gibbs"},
			{"stages", got.Stages, wantStages},
			{"goal", got.GoalID, goal.ID},
			{"tags", got.Tags, []portfolio.Tag{
				{Framework: "hcpc-cpd", Element: "standard-1", Title: "HCPC CPD standards: Keep a CPD record"},
				{Framework: "ot-leadership", Element: "influence", Title: "OT leadership: Influence"},
			}},
			{"pending", got.Pending, (*portfolio.EntryInput)(nil)},
		}
		for _, c := range checks {
			if !reflect.DeepEqual(c.got, c.want) {
				t.Errorf("%s: got %#v, want %#v", c.name, c.got, c.want)
			}
		}
		again, err := e.svc.Get(ctx, alex.ID, got.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(again.Stages, got.Stages) || !reflect.DeepEqual(again.Tags, got.Tags) || again.Title != got.Title || again.GoalID != goal.ID {
			t.Errorf("Get differs from Create:\n%+v\n%+v", again, got)
		}
		if _, err := e.svc.Get(ctx, sam.ID, got.ID); !errors.Is(err, portfolio.ErrNotFound) {
			t.Errorf("another person read the entry: %v", err)
		}
		if _, err := e.svc.Get(ctx, alex.ID, got.ID+1000); !errors.Is(err, portfolio.ErrNotFound) {
			t.Errorf("missing entry: %v", err)
		}
		// The form shows what was typed: a one-day entry has no end date, hours as typed.
		if fi := again.Input(); fi.EndedOn != "2026-03-12" || fi.Hours != "7.5" || fi.GoalID != goal.ID {
			t.Errorf("Input: %+v", fi)
		}
	})
}

func TestCreateValidation(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		alex, sam := e.user(t, "Alex Marlowe"), e.user(t, "Sam Okafor")
		samsGoal, err := e.plans.CreateGoal(ctx, sam.ID, plan.GoalInput{Specific: "Sam's goal", DueOn: time.Now().AddDate(0, 0, 30).Format(time.DateOnly),
			Elements: []plan.ElementRef{{Framework: "ot-leadership", Element: "influence"}}})
		if err != nil {
			t.Fatal(err)
		}
		// One saved entry already there, so "unchanged" means more than "still empty".
		mustCreate(t, e, alex.ID, gibbs("Existing", "2026-01-05"))
		tomorrow := testNow.AddDate(0, 0, 1).Format(time.DateOnly)

		cases := []struct {
			name        string
			edit        func(*portfolio.EntryInput)
			field, want string
		}{
			{"no date", func(in *portfolio.EntryInput) { in.StartedOn = "" }, "started_on", "Enter the date"},
			{"not a date", func(in *portfolio.EntryInput) { in.StartedOn = "31/03/2026" }, "started_on", "real date"},
			{"negative hours", func(in *portfolio.EntryInput) { in.Hours = "-1" }, "hours", "negative"},
			{"hours not a number", func(in *portfolio.EntryInput) { in.Hours = "two" }, "hours", "as a number"},
			{"no hours", func(in *portfolio.EntryInput) { in.Hours = " " }, "hours", "Enter the hours"},
			{"too many hours", func(in *portfolio.EntryInput) { in.Hours = "1001" }, "hours", "1000 or fewer"},
			{"end before start", func(in *portfolio.EntryInput) { in.EndedOn = "2026-03-09" }, "ended_on", "on or after the start date"},
			{"future date", func(in *portfolio.EntryInput) { in.StartedOn = tomorrow }, "started_on", "today or earlier"},
			{"future end", func(in *portfolio.EntryInput) { in.EndedOn = tomorrow }, "ended_on", "today or earlier"},
			{"unknown activity type", func(in *portfolio.EntryInput) { in.ActivityType = "juggling" }, "activity_type", "HCPC activity types"},
			{"no activity type", func(in *portfolio.EntryInput) { in.ActivityType = "" }, "activity_type", "Choose the type"},
			{"unknown model", func(in *portfolio.EntryInput) { in.Model = "six-hats" }, "model", "reflective models"},
			{"empty reflection", func(in *portfolio.EntryInput) { in.Stages = map[string]string{"description": "  \r\n "} }, "stage_description", "Write your reflection"},
			{"reflection in another model's stage", func(in *portfolio.EntryInput) { in.Stages = map[string]string{"reflection": "Free text"} }, "stage_description", "Write your reflection"},
			{"no title", func(in *portfolio.EntryInput) { in.Title = "   " }, "title", "Enter a title"},
			{"title too long", func(in *portfolio.EntryInput) { in.Title = strings.Repeat("é", 201) }, "title", "200 characters or fewer"},
			{"stage too long", func(in *portfolio.EntryInput) { in.Stages["feelings"] = strings.Repeat("a", 30001) }, "stage_feelings", "30000 characters"},
			{"tag to a missing element", func(in *portfolio.EntryInput) {
				in.Tags = []portfolio.Tag{{Framework: "ot-leadership", Element: "juggling"}}
			}, "tags", `"juggling" is not an element`},
			{"tag to a missing framework", func(in *portfolio.EntryInput) {
				in.Tags = []portfolio.Tag{{Framework: "no-such-framework", Element: "influence"}}
			}, "tags", "not an element"},
			{"another person's goal", func(in *portfolio.EntryInput) { in.GoalID = samsGoal.ID }, "goal_id", "your own development-plan goals"},
			{"a goal that does not exist", func(in *portfolio.EntryInput) { in.GoalID = samsGoal.ID + 100 }, "goal_id", "your own"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				in := gibbs("Huddle", "2026-03-10")
				c.edit(&in)
				before := e.rowCounts(t)
				got, err := e.svc.Create(ctx, alex.ID, in, false, e.goals())
				if got != nil {
					t.Errorf("an entry came back: %+v", got)
				}
				if msg := fieldErr(t, err, c.field); !strings.Contains(msg, c.want) {
					t.Errorf("%s: %q does not say %q", c.field, msg, c.want)
				}
				sameCounts(t, "a refused save", before, e.rowCounts(t))
			})
		}
		// A goal link with no way to check it is refused, never trusted.
		in := gibbs("Huddle", "2026-03-10")
		in.GoalID = samsGoal.ID
		if _, err := e.svc.Create(ctx, alex.ID, in, false, nil); fieldErr(t, err, "goal_id") == "" {
			t.Error("goal accepted without a GoalOwner")
		}
		// Several problems are reported together, one per field.
		bad := portfolio.EntryInput{Hours: "-1", ActivityType: "juggling", Model: "gibbs"}
		_, err = e.svc.Create(ctx, alex.ID, bad, false, e.goals())
		for _, f := range []string{"title", "started_on", "activity_type", "hours", "stage_description"} {
			fieldErr(t, err, f)
		}
	})
}

func TestParseHours(t *testing.T) {
	cases := []struct {
		in      string
		minutes int
		err     string
	}{
		{"1", 60, ""},
		{"1.5", 90, ""},
		{"1,5", 90, ""},
		{" 2 ", 120, ""},
		{"0.25", 15, ""},
		{"0.75", 45, ""},
		{"0", 0, ""},
		{"1000", 60000, ""},
		{"0.33", 20, ""},
		{"abc", 0, "as a number"},
		{"", 0, "as a number"},
		{"1.5h", 0, "as a number"},
		{"NaN", 0, "as a number"},
		{"Inf", 0, "as a number"},
		{"-0.5", 0, "negative"},
		{"-1", 0, "negative"},
		{"1001", 0, "1000 or fewer"},
		{"1e9", 0, "1000 or fewer"},
	}
	for _, c := range cases {
		got, err := portfolio.ParseHours(c.in)
		switch {
		case c.err == "" && (err != nil || got != c.minutes):
			t.Errorf("ParseHours(%q) = %d, %v; want %d", c.in, got, err, c.minutes)
		case c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)):
			t.Errorf("ParseHours(%q) = %d, %v; want an error saying %q", c.in, got, err, c.err)
		}
	}
}

func TestFormatHours(t *testing.T) {
	cases := []struct {
		minutes int
		want    string
	}{{0, "0"}, {15, "0.25"}, {20, "0.33"}, {30, "0.5"}, {60, "1"}, {90, "1.5"}, {450, "7.5"}, {60000, "1000"}}
	for _, c := range cases {
		if got := portfolio.FormatHours(c.minutes); got != c.want {
			t.Errorf("FormatHours(%d) = %q, want %q", c.minutes, got, c.want)
		}
		// What is shown reads back as the same minutes (to the minute).
		if m, err := portfolio.ParseHours(portfolio.FormatHours(c.minutes)); err != nil || m != c.minutes {
			t.Errorf("ParseHours(FormatHours(%d)) = %d, %v", c.minutes, m, err)
		}
	}
}

func TestDrafts(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		alex, sam := e.user(t, "Alex Marlowe"), e.user(t, "Sam Okafor")

		// A draft with only a title is kept.
		d, err := e.svc.Create(ctx, alex.ID, portfolio.EntryInput{Title: "Half-written thoughts on the huddle"}, true, e.goals())
		if err != nil {
			t.Fatal(err)
		}
		if d.Status != "draft" || d.Model != "free" || d.Minutes != 0 || d.StartedOn != "" {
			t.Errorf("draft: %+v", d)
		}
		// What a draft does hold must still make sense.
		if _, err := e.svc.Create(ctx, alex.ID, portfolio.EntryInput{Title: "x", Hours: "-2"}, true, nil); fieldErr(t, err, "hours") == "" {
			t.Error("a draft with negative hours")
		}
		if drafts, err := e.svc.Drafts(ctx, alex.ID); err != nil || len(drafts) != 1 || drafts[0].ID != d.ID {
			t.Errorf("Drafts: %v %v", drafts, err)
		}
		if drafts, _ := e.svc.Drafts(ctx, sam.ID); len(drafts) != 0 {
			t.Errorf("another person sees the drafts: %v", drafts)
		}

		// Saving the draft checks it as a saved entry.
		before := e.rowCounts(t)
		_, err = e.svc.Update(ctx, alex.ID, d.ID, portfolio.EntryInput{Title: d.Title}, false, e.goals())
		fieldErr(t, err, "started_on")
		sameCounts(t, "a refused save of a draft", before, e.rowCounts(t))
		if still, _ := e.svc.Get(ctx, alex.ID, d.ID); still.Status != "draft" {
			t.Errorf("a refused save changed the draft: %+v", still)
		}
		saved, err := e.svc.Update(ctx, alex.ID, d.ID, gibbs("The huddle, written up", "2026-02-02"), false, e.goals())
		if err != nil {
			t.Fatal(err)
		}
		if saved.Status != "saved" || saved.Title != "The huddle, written up" || saved.Minutes != 90 {
			t.Errorf("saved draft: %+v", saved)
		}
		if drafts, _ := e.svc.Drafts(ctx, alex.ID); len(drafts) != 0 {
			t.Errorf("still a draft: %v", drafts)
		}
		if _, err := e.svc.Update(ctx, sam.ID, d.ID, gibbs("Mine now", "2026-02-02"), false, nil); !errors.Is(err, portfolio.ErrNotFound) {
			t.Errorf("another person updated the entry: %v", err)
		}

		// Autosaving a saved entry keeps the changes apart and leaves what is saved alone,
		// even when the changes would not pass the checks.
		changed := gibbs("A better title", "")
		changed.Hours = "-3"
		got, err := e.svc.Update(ctx, alex.ID, saved.ID, changed, true, e.goals())
		if err != nil || got != nil {
			t.Fatalf("keeping pending changes: %v, %v", got, err)
		}
		now, _ := e.svc.Get(ctx, alex.ID, saved.ID)
		if now.Status != "saved" || now.Title != "The huddle, written up" || now.StartedOn != "2026-02-02" || now.Minutes != 90 {
			t.Errorf("pending changes touched the saved entry: %+v", now)
		}
		if now.Pending == nil || now.Pending.Title != "A better title" || now.Pending.Hours != "-3" {
			t.Fatalf("pending: %+v", now.Pending)
		}
		// Search still shows the saved words, not the pending ones.
		if res, _ := e.svc.Search(ctx, alex.ID, portfolio.Filter{Query: "better"}); res.Total != 0 {
			t.Errorf("pending words are searchable: %+v", res.Items)
		}
		if err := e.svc.KeepPending(ctx, sam.ID, saved.ID, changed); !errors.Is(err, portfolio.ErrNotFound) {
			t.Errorf("another person kept pending changes: %v", err)
		}
		if err := e.svc.DiscardPending(ctx, sam.ID, saved.ID); !errors.Is(err, portfolio.ErrNotFound) {
			t.Errorf("another person discarded the pending changes: %v", err)
		}
		if now, _ := e.svc.Get(ctx, alex.ID, saved.ID); now.Pending == nil {
			t.Error("pending changes gone after another person's discard")
		}
		if err := e.svc.DiscardPending(ctx, alex.ID, saved.ID); err != nil {
			t.Fatal(err)
		}
		if now, _ := e.svc.Get(ctx, alex.ID, saved.ID); now.Pending != nil || now.Title != "The huddle, written up" {
			t.Errorf("after discarding: %+v", now)
		}
		// Saving the changes properly clears them.
		if err := e.svc.KeepPending(ctx, alex.ID, saved.ID, changed); err != nil {
			t.Fatal(err)
		}
		final, err := e.svc.Update(ctx, alex.ID, saved.ID, gibbs("A better title", "2026-02-03"), false, e.goals())
		if err != nil {
			t.Fatal(err)
		}
		if final.Pending != nil || final.Title != "A better title" || final.Status != "saved" {
			t.Errorf("after saving: %+v", final)
		}
		// A saved entry never goes back to being a draft.
		if res, _ := e.svc.Search(ctx, alex.ID, portfolio.Filter{Query: "better"}); res.Total != 1 {
			t.Errorf("saved words not found: %+v", res)
		}
	})
}

func TestDelete(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		alex, sam := e.user(t, "Alex Marlowe"), e.user(t, "Sam Okafor")
		in := free("Falls prevention workshop", "2026-04-01", "formal-educational", "Learned the new falls pathway.")
		in.Tags = []portfolio.Tag{{Framework: "hcpc-cpd", Element: "standard-3"}}
		keep := mustCreate(t, e, alex.ID, free("Falls audit", "2026-04-02", "work-based", "Audited falls on the ward."))
		gone := mustCreate(t, e, alex.ID, in)
		if _, err := e.svc.AddFile(ctx, alex.ID, gone.ID, "certificate.pdf", pdfBytes(0)); err != nil {
			t.Fatal(err)
		}
		if res, _ := e.svc.Search(ctx, alex.ID, portfolio.Filter{Query: "falls"}); res.Total != 2 {
			t.Fatalf("before delete: %+v", res)
		}
		if err := e.svc.Delete(ctx, sam.ID, gone.ID); !errors.Is(err, portfolio.ErrNotFound) {
			t.Errorf("another person deleted it: %v", err)
		}
		if err := e.svc.Delete(ctx, alex.ID, gone.ID); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.Delete(ctx, alex.ID, gone.ID); !errors.Is(err, portfolio.ErrNotFound) {
			t.Errorf("deleted twice: %v", err)
		}
		if _, err := e.svc.Get(ctx, alex.ID, gone.ID); !errors.Is(err, portfolio.ErrNotFound) {
			t.Errorf("still there: %v", err)
		}
		res, err := e.svc.Search(ctx, alex.ID, portfolio.Filter{Query: "falls"})
		if err != nil || res.Total != 1 || res.Items[0].ID != keep.ID {
			t.Errorf("search after delete: %+v %v", res, err)
		}
		if res, _ := e.svc.Search(ctx, alex.ID, portfolio.Filter{Query: "workshop"}); res.Total != 0 {
			t.Errorf("the deleted entry is still found: %+v", res)
		}
		for table, where := range map[string]string{"cpd_entry_tags": "entry_id = ?", "cpd_evidence": "entry_id = ?"} {
			if n := e.count(t, table, where, gone.ID); n != 0 {
				t.Errorf("%s rows left: %d", table, n)
			}
		}
		if db.Dialect == store.SQLite {
			if n := e.count(t, "cpd_search", "rowid = ?", gone.ID); n != 0 {
				t.Errorf("search row left: %d", n)
			}
		}
	})
}
