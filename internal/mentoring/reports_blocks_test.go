package mentoring_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/pillars-ot/pillars/internal/auth"
	"github.com/pillars-ot/pillars/internal/store"
	"github.com/pillars-ot/pillars/internal/testutil"
)

// TestReportReviewScoresMoveInBlocks checks that the review scores a coordinator sees change
// only when a whole block of 3 more reviews has been written: the report before and after one
// person's review is the same, so it cannot give their answer away.
func TestReportReviewScoresMoveInBlocks(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		e := newPairEnv(t, db)
		ctx := context.Background()
		lead := e.lead(t)
		base := time.Now().AddDate(0, 0, -40)
		review := func(i, helpful int, met string) {
			t.Helper()
			mentee, err := e.acc.UserByEmail(ctx, "mentee@example.org")
			if err != nil {
				t.Fatal(err)
			}
			// Each review from its own ended pair, written a minute after the last.
			m, err := e.acc.CreateUser(ctx, auth.NewUser{Email: fmt.Sprintf("reviewed-mentor-%d@example.org", i), Name: "Reviewed Mentor", Password: "a long enough password"})
			if err != nil {
				t.Fatal(err)
			}
			mentor := m.ID
			rel := activeRelationship(t, db, mentee.ID, mentor, e.orgID, base)
			at := base.Add(time.Duration(i) * time.Minute).UTC().Truncate(time.Microsecond)
			if _, err := db.Exec(ctx, `UPDATE mentoring_relationships SET status = 'completed', ended_at = ? WHERE id = ?`, at, rel); err != nil {
				t.Fatal(err)
			}
			if _, err := db.Exec(ctx, `INSERT INTO mentoring_reviews (relationship_id, author_id, helpful, goals_met, created_at) VALUES (?, ?, ?, ?, ?)`,
				rel, mentee.ID, helpful, met, at); err != nil {
				t.Fatal(err)
			}
		}
		scores := func() string {
			t.Helper()
			rep, err := e.svc.Report(ctx, lead, e.orgID)
			if err != nil {
				t.Fatal(err)
			}
			return fmt.Sprintf("counted %d withheld %v median %v goals %+v", rep.ReviewsCounted, rep.ReviewsWithheld, rep.HelpfulMedian, rep.GoalsMet)
		}
		review(1, 5, "yes")
		review(2, 4, "yes")
		review(3, 4, "partly")
		three := scores()
		review(4, 1, "no") // one person's answer: nothing a coordinator sees may move
		if got := scores(); got != three {
			t.Fatalf("one more review changed the scores:\n%s\n%s", three, got)
		}
		review(5, 1, "no")
		if got := scores(); got != three {
			t.Fatalf("two more reviews changed the scores:\n%s\n%s", three, got)
		}
		review(6, 1, "no")
		if got := scores(); got == three {
			t.Fatalf("a whole block of 3 more did not move the scores: %s", got)
		}
	})
}
