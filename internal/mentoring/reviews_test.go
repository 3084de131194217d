package mentoring_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/pillars-ot/pillars/internal/mentoring"
	"github.com/pillars-ot/pillars/internal/store"
	"github.com/pillars-ot/pillars/internal/testutil"
)

func TestReviews(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		e := newPairEnv(t, db)
		ctx := context.Background()
		good := mentoring.ReviewInput{Helpful: "4", GoalsMet: "partly", WentWell: "Honest conversations.", DoDifferently: "Meet more often."}
		// Not while the relationship is still active.
		wantField(t, e.svc.SaveReview(ctx, e.mentee.ID, e.rel, good), "helpful", "once it has ended")
		if err := e.svc.Complete(ctx, e.mentor.ID, e.rel, nil); err != nil {
			t.Fatal(err)
		}
		wantField(t, e.svc.SaveReview(ctx, e.mentee.ID, e.rel, mentoring.ReviewInput{Helpful: "6", GoalsMet: "yes"}), "helpful", "from 1 to 5")
		wantField(t, e.svc.SaveReview(ctx, e.mentee.ID, e.rel, mentoring.ReviewInput{Helpful: "3", GoalsMet: "mostly"}), "goals_met", "yes, partly or no")
		wantField(t, e.svc.SaveReview(ctx, e.mentee.ID, e.rel, mentoring.ReviewInput{Helpful: "3", GoalsMet: "no", WentWell: strings.Repeat("x", 4001)}), "went_well", "4,000")
		if err := e.svc.SaveReview(ctx, e.stranger.ID, e.rel, good); !errors.Is(err, mentoring.ErrNotFound) {
			t.Fatalf("stranger review: %v", err)
		}

		if err := e.svc.SaveReview(ctx, e.mentee.ID, e.rel, good); err != nil {
			t.Fatal(err)
		}
		wantField(t, e.svc.SaveReview(ctx, e.mentee.ID, e.rel, mentoring.ReviewInput{Helpful: "1", GoalsMet: "no"}), "helpful", "already reviewed")

		// The mentor has not written theirs: they learn that the mentee's exists, not what it says.
		pair, err := e.svc.Reviews(ctx, e.mentor.ID, e.rel)
		if err != nil {
			t.Fatal(err)
		}
		if pair.Mine != nil || pair.Theirs != nil || !pair.TheirsWritten {
			t.Fatalf("mentor before writing: %+v", pair)
		}
		pair, _ = e.svc.Reviews(ctx, e.mentee.ID, e.rel)
		if pair.Mine == nil || pair.Mine.Helpful != 4 || pair.Theirs != nil || pair.TheirsWritten {
			t.Fatalf("mentee: %+v", pair)
		}
		if err := e.svc.SaveReview(ctx, e.mentor.ID, e.rel, mentoring.ReviewInput{Helpful: "5", GoalsMet: "yes", WentWell: "Mina grew fast."}); err != nil {
			t.Fatal(err)
		}
		pair, _ = e.svc.Reviews(ctx, e.mentor.ID, e.rel)
		if pair.Theirs == nil || pair.Theirs.WentWell != "Honest conversations." || pair.Theirs.GoalsMetLabel() != "Partly" {
			t.Fatalf("mentor after writing: %+v", pair)
		}
		if _, err := e.svc.Reviews(ctx, e.stranger.ID, e.rel); !errors.Is(err, mentoring.ErrNotFound) {
			t.Fatalf("stranger reads reviews: %v", err)
		}
	})
}
