package mentoring_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/pillars-ot/pillars/internal/mentoring"
	"github.com/pillars-ot/pillars/internal/store"
	"github.com/pillars-ot/pillars/internal/testutil"
)

func goodAsk() mentoring.AskInput {
	return mentoring.AskInput{Want: "either", Modes: []string{"video"}, Region: "North West", Budget: "max", Max: "60",
		Goals: "Chairing meetings with consultants.", Picks: []string{"ot-leadership:influence", "", "rcot-pillars:leadership"}}
}

func TestAskSavedWithPicksOrGaps(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		f := newMatchFx(t, db)
		u := f.person("Mina Mentee", 5, "south-trust:practitioner", "north-trust:practitioner")
		a, err := f.svc.SaveAsk(f.ctx, u, goodAsk())
		if err != nil {
			t.Fatal(err)
		}
		if a.BudgetPence != 6000 || a.BudgetLabel() != "Up to £60 a session" || a.Status != mentoring.AskOpen || a.Want != "either" {
			t.Errorf("saved %+v", a)
		}
		south, _ := f.orgs.BySlug(f.ctx, "south-trust")
		if a.OrgID != south.ID {
			t.Errorf("the ask belongs to org %d, want the person's first (%d)", a.OrgID, south.ID)
		}
		// Picks are sized by order: the first counts most.
		if len(a.Gaps) != 2 || a.Gaps[0].Ref != "ot-leadership:influence" || a.Gaps[0].Size != 3 || a.Gaps[1].Size != 2 || a.Gaps[0].Title != "Influence" {
			t.Errorf("picked gaps: %+v", a.Gaps)
		}
		in := mentoring.AskInputOf(a, "")
		if in.Budget != "max" || in.Max != "60" || strings.Join(in.Picks, ",") != "ot-leadership:influence,rcot-pillars:leadership" {
			t.Errorf("the form shows %+v", in)
		}
		// Assessed gaps replace picks, and the live ones are used when ranking.
		in = goodAsk()
		in.Budget, in.Picks = "free", nil
		in.Assessed = []mentoring.Gap{{Ref: "ot-leadership:advocacy", Title: "Advocacy", Size: 1.5}, {Ref: "ot-leadership:team", Size: 0}}
		if a, err = f.svc.SaveAsk(f.ctx, u, in); err != nil || len(a.Gaps) != 1 || a.Gaps[0].Size != 1.5 || a.BudgetPence != 0 {
			t.Fatalf("assessed: %+v %v", a, err)
		}
		if n := a.Need([]mentoring.Gap{{Ref: "ot-leadership:team", Size: 2}}); n.Gaps[0].Ref != "ot-leadership:team" || n.BudgetPence != 0 {
			t.Errorf("need: %+v", n)
		}
		if n := a.Need(nil); n.Gaps[0].Ref != "ot-leadership:advocacy" {
			t.Errorf("need without live gaps: %+v", n)
		}
		// Withdrawn, then reopened by saving again.
		if err := f.svc.WithdrawAsk(f.ctx, u.ID); err != nil {
			t.Fatal(err)
		}
		if err := f.svc.WithdrawAsk(f.ctx, u.ID); !errors.Is(err, mentoring.ErrNotFound) {
			t.Errorf("withdrawing twice: %v", err)
		}
		if a, _ = f.svc.SaveAsk(f.ctx, u, goodAsk()); a.Status != mentoring.AskOpen || f.count("mentoring_asks") != 1 {
			t.Errorf("reopened: %+v", a)
		}
	})
}

func TestAskBadInput(t *testing.T) {
	cases := []struct {
		name   string
		change func(*mentoring.AskInput)
		field  string
		says   string
	}{
		{"a negative budget", func(in *mentoring.AskInput) { in.Max = "-5" }, "max", "cannot be negative"},
		{"a budget that is not a number", func(in *mentoring.AskInput) { in.Max = "sixty" }, "max", "whole pounds"},
		{"no budget amount", func(in *mentoring.AskInput) { in.Max = "" }, "max", "Enter the most"},
		{"an unknown budget choice", func(in *mentoring.AskInput) { in.Budget = "lots" }, "budget", "free only"},
		{"nothing to work on", func(in *mentoring.AskInput) { in.Picks = []string{"", ""} }, "element-1", "at least one"},
		{"an element not offered", func(in *mentoring.AskInput) { in.Picks = []string{"ot-leadership:juggling"} }, "element-1", "from the lists"},
		{"an unknown want", func(in *mentoring.AskInput) { in.Want = "guru" }, "want", "mentor, a coach"},
		{"an unknown mode", func(in *mentoring.AskInput) { in.Modes = []string{"telepathy"} }, "modes", "from the list"},
		{"a region not on the list", func(in *mentoring.AskInput) { in.Region = "Narnia" }, "region", "from the list"},
		{"goals too long", func(in *mentoring.AskInput) { in.Goals = strings.Repeat("a", 2001) }, "goals", "2,000 characters"},
		{"a line manager with no account", func(in *mentoring.AskInput) { in.LineManager = "ghost@example.test" }, "line_manager", "No one"},
	}
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		f := newMatchFx(t, db)
		u := f.person("Mina Mentee", 5)
		if _, err := f.svc.SaveAsk(f.ctx, u, goodAsk()); err != nil {
			t.Fatal(err)
		}
		before, _ := f.svc.Ask(f.ctx, u.ID)
		for _, tc := range cases {
			counts := f.counts()
			in := goodAsk()
			tc.change(&in)
			_, err := f.svc.SaveAsk(f.ctx, u, in)
			if msg := fieldProblem(t, err, tc.field); !strings.Contains(msg, tc.says) {
				t.Errorf("%s: %q does not say %q", tc.name, msg, tc.says)
			}
			if after := f.counts(); after != counts {
				t.Errorf("%s changed the data: %s -> %s", tc.name, counts, after)
			}
		}
		if after, _ := f.svc.Ask(f.ctx, u.ID); after.UpdatedAt != before.UpdatedAt || after.BudgetPence != before.BudgetPence {
			t.Errorf("a refused ask changed the stored one: %+v", after)
		}
	})
}

func TestAskSummary(t *testing.T) {
	for _, tc := range []struct {
		a    mentoring.Ask
		want string
	}{
		{mentoring.Ask{Want: "either", Modes: []string{"video", "phone"}, BudgetPence: 6000}, "a mentor or a coach, meeting by video or by phone, up to £60 a session"},
		{mentoring.Ask{Want: "coach", BudgetPence: 0}, "a coach, meeting any way, free only"},
		{mentoring.Ask{Want: "mentor", Modes: []string{"in-person"}, BudgetPence: -1}, "a mentor, meeting in person, any fee"},
	} {
		if got := tc.a.Summary(); got != tc.want {
			t.Errorf("%q, want %q", got, tc.want)
		}
	}
}
