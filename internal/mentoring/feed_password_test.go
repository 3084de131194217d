package mentoring_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/pillars-ot/pillars/internal/auth"
	"github.com/pillars-ot/pillars/internal/mentoring"
	"github.com/pillars-ot/pillars/internal/store"
	"github.com/pillars-ot/pillars/internal/testutil"
)

// TestCalendarFeedEndsWithAPasswordChange checks that a password change ends the calendar
// feed as it ends sessions and API tokens: someone who had taken over the account keeps no
// live view of names, times and meeting links. A feed made after the change works.
func TestCalendarFeedEndsWithAPasswordChange(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		e := newPairEnv(t, db)
		ctx := context.Background()
		if _, err := e.svc.ScheduleSession(ctx, e.mentee.ID, e.rel, goodSession(inDays(3)), nil); err != nil {
			t.Fatal(err)
		}
		token, err := e.svc.ResetFeed(ctx, e.mentee.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Feed(ctx, token, ""); err != nil {
			t.Fatalf("before the change: %v", err)
		}
		time.Sleep(2 * time.Millisecond) // the change must come after the feed was made
		if err := auth.NewService(db).SetPassword(ctx, e.mentee.ID, "a brand new passphrase 2"); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Feed(ctx, token, ""); !errors.Is(err, mentoring.ErrNotFound) {
			t.Fatalf("after a password change the old address answers %v, want not found", err)
		}
		fresh, err := e.svc.ResetFeed(ctx, e.mentee.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Feed(ctx, fresh, ""); err != nil {
			t.Fatalf("a feed made after the change: %v", err)
		}
	})
}
