package mentoring_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/pillars-ot/pillars/internal/mentoring"
	"github.com/pillars-ot/pillars/internal/store"
	"github.com/pillars-ot/pillars/internal/testutil"
)

func TestElementChoicesMatchWhatGapsAreMadeOf(t *testing.T) {
	f := newMatchFx(t, testutil.SQLite(t))
	groups, err := f.svc.ElementChoices(f.ctx)
	if err != nil || len(groups) != 2 {
		t.Fatalf("%+v %v", groups, err)
	}
	// ot-leadership: its 13 rateable elements, the keys assessed gaps use.
	if groups[0].Framework != "ot-leadership" || len(groups[0].Elements) != 13 || groups[0].Elements[6].Value != "ot-leadership:influence" {
		t.Errorf("ot-leadership choices: %+v", groups[0])
	}
	// rcot-pillars rates nothing, so its four pillars are offered.
	var pillars []string
	for _, e := range groups[1].Elements {
		pillars = append(pillars, e.Value)
	}
	if !slices.Contains(pillars, "rcot-pillars:leadership") || len(pillars) != 4 {
		t.Errorf("rcot-pillars choices: %v", pillars)
	}
	if f.svc.ElementTitle(f.ctx, "ot-leadership:influence") != "Influence" || f.svc.ElementTitle(f.ctx, "nope:x") != "" {
		t.Error("element titles")
	}
}

// TestRankForOffersOnlyAvailableMentors: each mentor that should not be offered is left out
// for its reason, and the rest come best first with every part explained.
func TestRankForOffersOnlyAvailableMentors(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		f := newMatchFx(t, db)
		mentee := f.person("Mina Mentee", 5)
		f.mentor("Best Fit", 7, func(in *mentoring.ProfileInput) {
			in.Elements = []string{"ot-leadership:influence", "ot-leadership:advocacy"}
		})
		f.mentor("Partial Fit", 6, func(in *mentoring.ProfileInput) {
			in.Elements, in.Modes = []string{"ot-leadership:advocacy"}, []string{"phone"}
		})
		f.mentor("Only Coach", 7, func(in *mentoring.ProfileInput) { in.Kind = "coach" })
		paid := f.mentor("Paid Mentor", 7, func(in *mentoring.ProfileInput) { in.Free, in.Fee = false, "80" })
		f.mentor("Cheap Mentor", 7, func(in *mentoring.ProfileInput) { in.Free, in.Fee = false, "30" })
		f.mentor("Unlisted Mentor", 7, func(in *mentoring.ProfileInput) { in.Listed = false })
		f.mentor("No Places", 7, func(in *mentoring.ProfileInput) { in.Capacity = "0" })
		// The mentee is a mentor too, and never offered to themselves.
		if _, err := f.svc.SaveProfile(f.ctx, mentee.ID, goodProfile()); err != nil {
			t.Fatal(err)
		}
		need := mentoring.Need{Want: "mentor", Modes: []string{"video"}, BudgetPence: 5000,
			Gaps: []mentoring.Gap{{Ref: "ot-leadership:influence", Title: "Influence", Size: 3}, {Ref: "ot-leadership:advocacy", Title: "Advocacy", Size: 1}}}
		ranked, err := f.svc.RankFor(f.ctx, mentee.ID, need)
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(names(ranked), ", "); got != "Best Fit, Cheap Mentor, Partial Fit" {
			t.Fatalf("ranked %s", got)
		}
		top := ranked[0]
		if top.Score.Total != 100 || len(top.Score.Parts) != 6 {
			t.Errorf("best fit scored %+v", top.Score)
		}
		if d := top.Score.Parts[0].Detail; d != "helps with Influence and Advocacy, 100% of your gaps" {
			t.Errorf("elements part names element titles: %q", d)
		}
		if len(top.Working) != 2 || top.Working[0].Ref != "ot-leadership:influence" {
			t.Errorf("what they would work on: %+v", top.Working)
		}
		if d := ranked[2].Score.Parts[2].Detail; d != "does not offer video" {
			t.Errorf("partial fit's mode: %q", d)
		}

		// Wanting a coach, free only, or with no limit, changes who is offered.
		need.Want = "coach"
		if r, _ := f.svc.RankFor(f.ctx, mentee.ID, need); strings.Join(names(r), ",") != "Only Coach" {
			t.Errorf("coach: %v", names(r))
		}
		need.Want, need.BudgetPence = "either", 0
		if r, _ := f.svc.RankFor(f.ctx, mentee.ID, need); slices.Contains(names(r), "Cheap Mentor") || len(r) != 3 {
			t.Errorf("free only: %v", names(r))
		}
		need.BudgetPence = -1
		if r, _ := f.svc.RankFor(f.ctx, mentee.ID, need); !slices.Contains(names(r), "Paid Mentor") || len(r) != 5 {
			t.Errorf("no limit: %v", names(r))
		}

		// A mentor's own page scores them even when they are not offered, and says why.
		r, mismatch, err := f.svc.ScoreFor(f.ctx, mentee.ID, paid.ID, mentoring.Need{Want: "coach", BudgetPence: 0})
		if err != nil || !r.Score.Eligible || mismatch != "offers mentoring, not coaching" {
			t.Errorf("paid: %+v %q %v", r, mismatch, err)
		}
		if _, mismatch, _ = f.svc.ScoreFor(f.ctx, mentee.ID, paid.ID, mentoring.Need{BudgetPence: 0}); mismatch != "charges £80 a session, and you asked for free only" {
			t.Errorf("budget mismatch: %q", mismatch)
		}
		if r, _, _ = f.svc.ScoreFor(f.ctx, mentee.ID, mentee.ID, need); r.Score.Eligible || r.Score.Reason != "is you" {
			t.Errorf("self: %+v", r.Score)
		}
		if _, _, err := f.svc.ScoreFor(f.ctx, mentee.ID, 999999, need); err != mentoring.ErrNotFound {
			t.Errorf("no such mentor: %v", err)
		}
	})
}
