package plan_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/pillars-ot/pillars/internal/auth"
	"github.com/pillars-ot/pillars/internal/demo"
	"github.com/pillars-ot/pillars/internal/framework"
	"github.com/pillars-ot/pillars/internal/org"
	"github.com/pillars-ot/pillars/internal/plan"
	"github.com/pillars-ot/pillars/internal/store"
	"github.com/pillars-ot/pillars/internal/testutil"
	"github.com/pillars-ot/pillars/internal/valid"
)

func setup(t *testing.T, db *store.DB) (*plan.Service, *auth.Service) {
	t.Helper()
	acc := auth.NewService(db)
	if _, err := demo.Load(context.Background(), acc, org.NewService(db)); err != nil {
		t.Fatal(err)
	}
	return plan.NewService(db, framework.NewCatalogue(db)), acc
}

func user(t *testing.T, acc *auth.Service, email string) *auth.User {
	u, err := acc.UserByEmail(context.Background(), email)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func future(days int) string { return time.Now().AddDate(0, 0, days).Format(time.DateOnly) }

func TestGoalsAndActions(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc, acc := setup(t, db)
		alex := user(t, acc, "alex.marlowe@demo.pillars.test")
		inf := []plan.ElementRef{{Framework: "ot-leadership", Element: "influence"}}

		cases := []struct {
			in          plan.GoalInput
			field, want string
		}{
			{plan.GoalInput{Specific: "Lead huddles", DueOn: future(90)}, "elements", "Choose at least one framework element"},
			{plan.GoalInput{Specific: "Lead huddles", DueOn: "2001-01-01", Elements: inf}, "due_on", "today or in the future"},
			{plan.GoalInput{Specific: "Lead huddles", DueOn: "31/12/2030", Elements: inf}, "due_on", "real date"},
			{plan.GoalInput{Specific: "", DueOn: future(90), Elements: inf}, "specific", "specific part"},
			{plan.GoalInput{Specific: "X", DueOn: future(30), ReviewOn: future(60), Elements: inf}, "review_on", "on or before the due date"},
			{plan.GoalInput{Specific: "X", DueOn: future(30), Elements: []plan.ElementRef{{Framework: "ot-leadership", Element: "juggling"}}}, "elements", "not an element"},
		}
		for _, c := range cases {
			_, err := svc.CreateGoal(ctx, alex.ID, c.in)
			var errs valid.Errors
			if !errors.As(err, &errs) || !strings.Contains(errs.For(c.field), c.want) {
				t.Errorf("%+v: got %v, want %s error %q", c.in, err, c.field, c.want)
			}
		}
		if goals, _ := svc.Goals(ctx, alex.ID); len(goals) != 0 {
			t.Fatalf("refused goals were stored: %d", len(goals))
		}

		g, err := svc.CreateGoal(ctx, alex.ID, plan.GoalInput{Specific: "Lead the weekly huddle", Measurable: "Six huddles led", DueOn: future(90), ReviewOn: future(30), Elements: inf})
		if err != nil {
			t.Fatal(err)
		}
		if g.Elements[0].Title != "Influence" {
			t.Fatalf("element title: %+v", g.Elements)
		}
		if _, err := svc.AddAction(ctx, alex.ID, g.ID, plan.ActionInput{Title: "Ask to chair", Pathway: "juggling"}); err == nil {
			t.Fatal("an action with an unknown pathway was added")
		}
		a1, err := svc.AddAction(ctx, alex.ID, g.ID, plan.ActionInput{Title: "Ask to chair", Pathway: "progressive-responsibility", DueOn: future(14)})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.AddAction(ctx, alex.ID, g.ID, plan.ActionInput{Title: "Reflect after each", Pathway: "reflection"}); err != nil {
			t.Fatal(err)
		}
		if err := svc.SetActionStatus(ctx, alex.ID, a1.ID, "done"); err != nil {
			t.Fatal(err)
		}
		g, _ = svc.Goal(ctx, alex.ID, g.ID)
		if done, total, pct := g.Progress(); done != 1 || total != 2 || pct != 50 {
			t.Fatalf("progress %d/%d %d%%", done, total, pct)
		}
		// Another person can neither read nor change it.
		sam := user(t, acc, "sam.okafor@demo.pillars.test")
		if _, err := svc.Goal(ctx, sam.ID, g.ID); !errors.Is(err, plan.ErrNotFound) {
			t.Fatalf("another person's goal: %v", err)
		}
		if err := svc.SetActionStatus(ctx, sam.ID, a1.ID, "not-started"); !errors.Is(err, plan.ErrNotFound) {
			t.Fatalf("another person's action: %v", err)
		}
		if _, err := svc.AddAction(ctx, sam.ID, g.ID, plan.ActionInput{Title: "x", Pathway: "reflection"}); !errors.Is(err, plan.ErrNotFound) {
			t.Fatalf("adding to another person's goal: %v", err)
		}
	})
}

func TestSharingAndComments(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc, acc := setup(t, db)
		alex := user(t, acc, "alex.marlowe@demo.pillars.test")
		ruth := user(t, acc, "ruth.lindqvist@demo.pillars.test") // supervisor
		sam := user(t, acc, "sam.okafor@demo.pillars.test")      // learner
		var errs valid.Errors
		if err := svc.ShareWith(ctx, alex, sam.Email, acc); !errors.As(err, &errs) {
			t.Fatalf("shared with someone who is not a supervisor or mentor: %v", err)
		}
		if err := svc.ShareWith(ctx, alex, "nobody@example.org", acc); !errors.As(err, &errs) {
			t.Fatalf("shared with nobody: %v", err)
		}
		if err := svc.ShareWith(ctx, alex, "RUTH.lindqvist@demo.pillars.test", acc); err != nil {
			t.Fatal(err)
		}
		if err := svc.ShareWith(ctx, alex, ruth.Email, acc); err != nil {
			t.Fatal(err)
		}
		shares, _ := svc.Shares(ctx, alex.ID)
		if len(shares) != 1 {
			t.Fatalf("sharing twice made %d shares", len(shares))
		}
		if ok, _ := svc.CanView(ctx, ruth, alex.ID); !ok {
			t.Fatal("the supervisor cannot see the shared plan")
		}
		if ok, _ := svc.CanView(ctx, sam, alex.ID); ok {
			t.Fatal("someone it was not shared with can see the plan")
		}
		if err := svc.AddComment(ctx, ruth, alex.ID, 0, "Good start: try the huddle next week."); err != nil {
			t.Fatal(err)
		}
		if err := svc.AddComment(ctx, sam, alex.ID, 0, "Nosy"); !errors.Is(err, plan.ErrNotFound) {
			t.Fatalf("a comment from someone without access: %v", err)
		}
		if err := svc.Revoke(ctx, sam.ID, shares[0].ID); !errors.Is(err, plan.ErrNotFound) {
			t.Fatal("someone else revoked the share")
		}
		if err := svc.Revoke(ctx, alex.ID, shares[0].ID); err != nil {
			t.Fatal(err)
		}
		if ok, _ := svc.CanView(ctx, ruth, alex.ID); ok {
			t.Fatal("a revoked share still gives access")
		}
		if err := svc.AddComment(ctx, ruth, alex.ID, 0, "Still here?"); !errors.Is(err, plan.ErrNotFound) {
			t.Fatalf("comment after revoke: %v", err)
		}
		comments, _ := svc.Comments(ctx, alex.ID)
		if len(comments) != 1 || comments[0].AuthorName != "Ruth Lindqvist" {
			t.Fatalf("comments: %+v", comments)
		}
	})
}

func TestDueReviewsRemindOnce(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc, acc := setup(t, db)
		alex := user(t, acc, "alex.marlowe@demo.pillars.test")
		g, err := svc.CreateGoal(ctx, alex.ID, plan.GoalInput{Specific: "Review me", DueOn: future(60), ReviewOn: future(1), Elements: []plan.ElementRef{{Framework: "ot-leadership", Element: "team"}}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.CreateGoal(ctx, alex.ID, plan.GoalInput{Specific: "Not yet", DueOn: future(60), ReviewOn: future(20), Elements: []plan.ElementRef{{Framework: "ot-leadership", Element: "team"}}}); err != nil {
			t.Fatal(err)
		}
		due, err := svc.DueReviews(ctx, nil)
		if err != nil || len(due) != 1 || due[0].Goal.ID != g.ID || due[0].Email != alex.Email {
			t.Fatalf("due: %+v %v", due, err)
		}
		if again, _ := svc.DueReviews(ctx, nil); len(again) != 0 {
			t.Fatal("reminded twice for the same review date")
		}
	})
}

func TestChallengeSuggestionsCoverEveryChallenge(t *testing.T) {
	sugg, err := plan.Suggestions()
	if err != nil {
		t.Fatal(err)
	}
	files, _ := framework.BuiltinFiles()
	f, err := framework.Parse("ot", files["builtin/ot-leadership.yaml"])
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range f.Element("challenges").Children {
		if len(sugg[c.Key]) < 2 {
			t.Errorf("challenge %s has %d suggested actions", c.Key, len(sugg[c.Key]))
		}
	}
}
