package mentoring_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/pillars-ot/pillars/internal/auth"
	"github.com/pillars-ot/pillars/internal/framework"
	"github.com/pillars-ot/pillars/internal/mentoring"
	"github.com/pillars-ot/pillars/internal/store"
	"github.com/pillars-ot/pillars/internal/testutil"
)

func TestCalendarFeed(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		e := newPairEnv(t, db)
		ctx := context.Background()
		// The mentee is also a mentor to the stranger: the feed holds both roles.
		other := activeRelationship(t, db, e.stranger.ID, e.mentee.ID, 0, time.Now().AddDate(0, 0, -5))
		a, _ := e.svc.ScheduleSession(ctx, e.mentee.ID, e.rel, goodSession(inDays(3)), nil)
		b, _ := e.svc.ScheduleSession(ctx, e.stranger.ID, other, goodSession(inDays(6)), nil)
		held, _ := e.svc.ScheduleSession(ctx, e.mentee.ID, e.rel, goodSession(inDays(-6)), nil)
		_ = e.svc.MarkHeld(ctx, e.mentee.ID, held.ID)
		_ = e.svc.SaveSharedNotes(ctx, e.mentee.ID, held.ID, "SHARED-SECRET notes", mentoring.NotesVersion(""))
		_, _ = e.svc.SavePrivateNote(ctx, e.mentee.ID, held.ID, "PRIVATE-SECRET note")
		gone, _ := e.svc.ScheduleSession(ctx, e.mentee.ID, e.rel, goodSession(inDays(8)), nil)
		_ = e.svc.CancelSession(ctx, e.mentee.ID, gone.ID, nil)

		if at, _ := e.svc.FeedCreated(ctx, e.mentee.ID); at != nil {
			t.Fatal("no feed yet")
		}
		token, err := e.svc.ResetFeed(ctx, e.mentee.ID)
		if err != nil || len(token) < 40 {
			t.Fatalf("token %q: %v", token, err)
		}
		var stored string
		_ = db.QueryRow(ctx, `SELECT token_hash FROM calendar_feeds WHERE user_id = ?`, e.mentee.ID).Scan(&stored)
		if stored == "" || strings.Contains(stored, token) {
			t.Fatal("the token itself must not be stored")
		}
		data, err := e.svc.Feed(ctx, token, "https://pillars.test")
		if err != nil {
			t.Fatal(err)
		}
		cal := parseICS(t, data)
		uids := map[string]bool{}
		for _, ev := range cal.Events() {
			uids[ev.Id()] = true
		}
		if len(uids) != 3 || !uids[a.ICSUID] || !uids[b.ICSUID] || !uids[held.ICSUID] || uids[gone.ICSUID] {
			t.Fatalf("feed events %v", uids)
		}
		for _, secret := range []string{"SHARED-SECRET", "PRIVATE-SECRET", "Delegation"} {
			if strings.Contains(string(data), secret) {
				t.Fatalf("the feed shows %q", secret)
			}
		}
		if method(cal) != "PUBLISH" {
			t.Fatalf("method %q", method(cal))
		}

		if _, err := e.svc.Feed(ctx, "not-a-token", ""); !errors.Is(err, mentoring.ErrNotFound) {
			t.Fatalf("unknown token: %v", err)
		}
		// Resetting kills the old URL.
		fresh, _ := e.svc.ResetFeed(ctx, e.mentee.ID)
		if _, err := e.svc.Feed(ctx, token, ""); !errors.Is(err, mentoring.ErrNotFound) {
			t.Fatalf("old token after reset: %v", err)
		}
		if _, err := e.svc.Feed(ctx, fresh, ""); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.StopFeed(ctx, e.mentee.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Feed(ctx, fresh, ""); !errors.Is(err, mentoring.ErrNotFound) {
			t.Fatalf("stopped feed: %v", err)
		}
		// Once the relationship ends, its sessions still to come leave the mentor's feed; the
		// held one stays. A feed with no sessions at all still parses.
		mentorFeed, _ := e.svc.ResetFeed(ctx, e.mentor.ID)
		_ = e.svc.Complete(ctx, e.mentor.ID, e.rel, nil)
		data, err = e.svc.Feed(ctx, mentorFeed, "")
		if err != nil {
			t.Fatal(err)
		}
		if evs := parseICS(t, data).Events(); len(evs) != 1 || evs[0].Id() != held.ICSUID {
			t.Fatalf("mentor's feed after the end: %d events", len(evs))
		}
		empty, _ := e.svc.ResetFeed(ctx, e.stranger.ID)
		_ = e.svc.Complete(ctx, e.stranger.ID, other, nil)
		data, err = e.svc.Feed(ctx, empty, "")
		if err != nil {
			t.Fatal(err)
		}
		if evs := parseICS(t, data).Events(); len(evs) != 0 {
			t.Fatalf("empty feed has %d events", len(evs))
		}
	})
}

// BenchmarkFeed500 writes the calendar feed of a person in 20 relationships (as mentee in some,
// mentor in others) with 500 sessions in the last year and the next few months.
func BenchmarkFeed500(b *testing.B) {
	for _, eng := range testutil.Engines() {
		b.Run(eng.Name, func(b *testing.B) {
			db := eng.Open(b)
			ctx := context.Background()
			svc := mentoring.NewService(db, framework.NewCatalogue(db))
			acc := auth.NewService(db)
			me, err := acc.CreateUser(ctx, auth.NewUser{Email: "me@example.org", Name: "Me Myself", Password: "a long enough password"})
			if err != nil {
				b.Fatal(err)
			}
			now := time.Now().UTC().Truncate(time.Microsecond)
			err = db.InTx(ctx, func(tx *store.Tx) error {
				seq := 0
				for p := range 20 {
					other, err := tx.Insert(ctx, `INSERT INTO users (email, name, password_hash, password_changed_at, created_at) VALUES (?, ?, 'x', ?, ?)`,
						fmt.Sprintf("other%d@example.org", p), fmt.Sprintf("Other Person %d", p), now, now)
					if err != nil {
						return err
					}
					mentee, mentor := me.ID, other
					if p%2 == 1 {
						mentee, mentor = other, me.ID
					}
					rel, err := tx.Insert(ctx, `INSERT INTO mentoring_relationships (mentee_id, mentor_id, kind, status, requested_at, started_at, updated_at) VALUES (?, ?, 'mentoring', 'active', ?, ?, ?)`,
						mentee, mentor, now, now, now)
					if err != nil {
						return err
					}
					for s := range 25 {
						seq++
						if _, err := tx.Exec(ctx, `INSERT INTO mentoring_sessions (relationship_id, starts_at, minutes, mode, location, agenda, status, ics_uid, created_by, created_at, updated_at)
							VALUES (?, ?, 60, 'video', 'https://meet.example.org/room', 'an agenda', 'planned', ?, ?, ?, ?)`, rel, now.AddDate(0, 0, -300+15*s), fmt.Sprintf("feed-%d@pillars", seq), mentee, now, now); err != nil {
							return err
						}
					}
				}
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
			token, _ := svc.ResetFeed(ctx, me.ID)
			data, err := svc.Feed(ctx, token, "https://pillars.test")
			if err != nil || strings.Count(string(data), "BEGIN:VEVENT") != 500 {
				b.Fatalf("not a fair benchmark: %d events, %v", strings.Count(string(data), "BEGIN:VEVENT"), err)
			}
			b.ResetTimer()
			for b.Loop() {
				if _, err := svc.Feed(ctx, token, "https://pillars.test"); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(len(data)), "bytes")
		})
	}
}
