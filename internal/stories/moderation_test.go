package stories_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/pillars-ot/pillars/internal/auth"
	"github.com/pillars-ot/pillars/internal/store"
	"github.com/pillars-ot/pillars/internal/stories"
	"github.com/pillars-ot/pillars/internal/testutil"
)

// changedStory is the author's edit that lands while a moderator is deciding.
func changedStory() stories.Input {
	in := good()
	in.FiveYears = "Something the moderator never read."
	return in
}

// wantUnpublishedEdit checks that the story is waiting at revision 2 with the edit, and that
// nobody but its author and the moderators can open it.
func wantUnpublishedEdit(t *testing.T, svc *stories.Service, p people, id int64) {
	t.Helper()
	ctx := context.Background()
	got, err := svc.Own(ctx, p.alex.ID, id)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != stories.StatusPending || got.Revision != 2 || got.FiveYears != changedStory().FiveYears || got.DeclineReason != "" {
		t.Fatalf("after an edit made while a moderator decided: status %s, revision %d, %q, reason %q", got.Status, got.Revision, got.FiveYears, got.DeclineReason)
	}
	if _, err := svc.Get(ctx, p.tomasz, id); !errors.Is(err, stories.ErrNotFound) {
		t.Fatalf("the edit nobody read is shown to others: %v", err)
	}
	if res, _ := svc.Search(ctx, stories.Filter{}); res.Total != 0 {
		t.Fatalf("the edit nobody read is listed: %d", res.Total)
	}
}

// TestDecisionMeetsAnEditMadeMeanwhile: the moderator reads revision 1, the author's edit is
// written between the decision's read and its write (what a commit in between looks like to the
// write under PostgreSQL's READ COMMITTED), and the decision changes nothing.
func TestDecisionMeetsAnEditMadeMeanwhile(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc, p := setup(t, db)
		box := &outbox{}
		for _, c := range []struct {
			name   string
			decide func(id int64) error
		}{
			{"publish", func(id int64) error { return svc.Publish(ctx, p.lead, id, 1, box.notify()) }},
			{"decline", func(id int64) error { return svc.Decline(ctx, p.lead, id, 1, "Please say more.", box.notify()) }},
		} {
			t.Run(c.name, func(t *testing.T) {
				st, err := svc.Create(ctx, p.alex.ID, good(), nil)
				if err != nil {
					t.Fatal(err)
				}
				q, err := svc.Pending(ctx, p.lead, 1)
				if err != nil || q.Stories[len(q.Stories)-1].Revision != 1 {
					t.Fatalf("the moderator's read: %+v %v", q, err)
				}
				svc.SetAfterRead(func(ctx context.Context, tx *store.Tx) error {
					return svc.UpdateIn(ctx, tx, p.alex.ID, st.ID, changedStory())
				})
				err = c.decide(st.ID)
				svc.SetAfterRead(nil)
				if !errors.Is(err, stories.ErrChanged) {
					t.Fatalf("%s over an edit made meanwhile: %v, want ErrChanged", c.name, err)
				}
				if len(box.sent) != 0 {
					t.Fatalf("the author was emailed: %+v", box.sent)
				}
				// The decision rolled back, the simulated edit with it: still revision 1, waiting.
				got, _ := svc.Own(ctx, p.alex.ID, st.ID)
				if got.Status != stories.StatusPending || got.Revision != 1 || got.PublishedAt != nil || got.DeclineReason != "" {
					t.Fatalf("after the refused %s: %+v", c.name, got)
				}
				if _, err := svc.Get(ctx, p.tomasz, st.ID); !errors.Is(err, stories.ErrNotFound) {
					t.Fatalf("shown to others: %v", err)
				}
				if err := svc.Withdraw(ctx, p.alex.ID, st.ID); err != nil {
					t.Fatal(err)
				}
			})
		}
	})
}

// TestAuthorsEditRacesAPublish runs the author's edit for real, on its own connection, while a
// moderator's publish is between its read and its write. Whichever way the engine orders them,
// the edit must end up waiting for a moderator, never published unread. (PostgreSQL only:
// SQLite has one writer, so the edit cannot start until the publish has finished.)
func TestAuthorsEditRacesAPublish(t *testing.T) {
	if testutil.PostgresURL() == "" {
		t.Skip("PILLARS_TEST_POSTGRES is not set")
	}
	db := testutil.Postgres(t)
	ctx := context.Background()
	svc, p := setup(t, db)
	box := &outbox{}
	st, err := svc.Create(ctx, p.alex.ID, good(), nil)
	if err != nil {
		t.Fatal(err)
	}
	edited := make(chan error, 1)
	svc.SetAfterRead(func(ctx context.Context, tx *store.Tx) error {
		go func() {
			_, err := svc.Update(context.Background(), p.alex.ID, st.ID, changedStory(), nil, false)
			edited <- err
		}()
		// Carry on once the edit has committed or is waiting for this transaction's row lock.
		for {
			select {
			case err := <-edited:
				edited <- err
				return nil
			default:
			}
			var waiting int
			if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database()
				AND pid <> pg_backend_pid() AND wait_event_type = 'Lock'`).Scan(&waiting); err != nil {
				return err
			}
			if waiting > 0 {
				return nil
			}
			time.Sleep(time.Millisecond)
		}
	})
	perr := svc.Publish(ctx, p.lead, st.ID, 1, box.notify())
	svc.SetAfterRead(nil)
	if err := <-edited; err != nil {
		t.Fatalf("the author's edit: %v", err)
	}
	// Either the publish went first (revision 1, which the moderator read, then the edit sent it
	// back) or it saw the edit and refused.
	if perr != nil && !errors.Is(perr, stories.ErrChanged) {
		t.Fatalf("publish: %v", perr)
	}
	wantUnpublishedEdit(t, svc, p, st.ID)
}

// TestWhoMayModerate: only moderators may see the queue and decide, the area says so itself,
// and a moderator's own story is left to another moderator.
func TestWhoMayModerate(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc, p := setup(t, db)
		box := &outbox{}
		alexs, err := svc.Create(ctx, p.alex.ID, good(), nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range []*auth.User{nil, p.alex, p.tomasz, p.ruth} {
			name := "nobody"
			if u != nil {
				name = u.Name
			}
			if _, err := svc.Pending(ctx, u, 1); !errors.Is(err, stories.ErrNotAllowed) {
				t.Errorf("%s's queue: %v", name, err)
			}
			if err := svc.Publish(ctx, u, alexs.ID, 1, box.notify()); !errors.Is(err, stories.ErrNotAllowed) {
				t.Errorf("%s publishing: %v", name, err)
			}
			if err := svc.Decline(ctx, u, alexs.ID, 1, "No", box.notify()); !errors.Is(err, stories.ErrNotAllowed) {
				t.Errorf("%s declining: %v", name, err)
			}
		}

		// The programme lead writes a story: it waits for another moderator.
		in := good()
		in.DisplayName, in.Role = "Priya", "Programme lead"
		own, err := svc.Create(ctx, p.lead.ID, in, nil)
		if err != nil {
			t.Fatal(err)
		}
		if stories.CanDecide(p.lead, own) || !stories.CanDecide(p.admin, own) || stories.CanDecide(p.tomasz, own) {
			t.Fatal("CanDecide on the lead's own story")
		}
		q, err := svc.Pending(ctx, p.lead, 1)
		if err != nil || q.Total != 1 || len(q.Stories) != 1 || q.Stories[0].ID != alexs.ID || q.Yours != 1 {
			t.Fatalf("the lead's queue lists their own story: %+v %v", q, err)
		}
		if err := svc.Publish(ctx, p.lead, own.ID, 1, box.notify()); !errors.Is(err, stories.ErrOwnStory) {
			t.Fatalf("publishing one's own story: %v", err)
		}
		if err := svc.Decline(ctx, p.lead, own.ID, 1, "Not mine to judge", box.notify()); !errors.Is(err, stories.ErrOwnStory) {
			t.Fatalf("declining one's own story: %v", err)
		}
		if got, _ := svc.Own(ctx, p.lead.ID, own.ID); got.Status != stories.StatusPending || len(box.sent) != 0 {
			t.Fatalf("after refusing the lead's own decision: %s, %d emails", got.Status, len(box.sent))
		}
		q, err = svc.Pending(ctx, p.admin, 1)
		if err != nil || q.Total != 2 || q.Yours != 0 {
			t.Fatalf("the administrator's queue: %+v %v", q, err)
		}
		if err := svc.Publish(ctx, p.admin, own.ID, 1, box.notify()); err != nil {
			t.Fatal(err)
		}
		if len(box.sent) != 1 || box.sent[0].To != p.lead.Email {
			t.Fatalf("publish email: %+v", box.sent)
		}
	})
}

// TestPendingPages: the queue is paged, oldest first, with no story on two pages and none left
// out; a page past the end shows the last.
func TestPendingPages(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc, p := setup(t, db)
		const n = stories.PageSize + 7
		var ids []int64
		for i := range n {
			in := good()
			in.Role = fmt.Sprintf("Role %d", i)
			st, err := svc.Create(ctx, p.alex.ID, in, nil)
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, st.ID)
		}
		// Two of the administrator's own: not in their queue, counted apart.
		for range 2 {
			if _, err := svc.Create(ctx, p.admin.ID, good(), nil); err != nil {
				t.Fatal(err)
			}
		}
		first, err := svc.Pending(ctx, p.admin, 1)
		if err != nil || first.Total != n || first.Pages != 2 || first.Page != 1 || len(first.Stories) != stories.PageSize || first.Yours != 2 {
			t.Fatalf("page 1: total %d, pages %d, %d stories, yours %d, %v", first.Total, first.Pages, len(first.Stories), first.Yours, err)
		}
		second, err := svc.Pending(ctx, p.admin, 2)
		if err != nil || second.Page != 2 || len(second.Stories) != 7 {
			t.Fatalf("page 2: %d stories, %v", len(second.Stories), err)
		}
		for i, st := range append(first.Stories, second.Stories...) {
			if st.ID != ids[i] {
				t.Fatalf("position %d holds story %d, want %d (oldest first, each once)", i, st.ID, ids[i])
			}
		}
		if past, _ := svc.Pending(ctx, p.admin, 9); past.Page != 2 || len(past.Stories) != 7 {
			t.Fatalf("a page past the end: page %d, %d stories", past.Page, len(past.Stories))
		}
		if q, _ := svc.Pending(ctx, p.lead, 1); q.Total != n+2 || q.Pages != 2 {
			t.Fatalf("the lead's queue: %d", q.Total)
		}
		for i, want := range map[int]int{0: 1, stories.PageSize - 1: 1, stories.PageSize: 2, n - 1: 2} {
			if got, err := svc.QueuePage(ctx, p.admin, ids[i]); err != nil || got != want {
				t.Errorf("story %d is on page %d (%v), want %d", i, got, err, want)
			}
		}
		if _, err := svc.QueuePage(ctx, p.tomasz, ids[0]); !errors.Is(err, stories.ErrNotAllowed) {
			t.Errorf("a practitioner's queue page: %v", err)
		}
	})
}
