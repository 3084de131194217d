package jobs_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/pillars-ot/pillars/internal/assess"
	"github.com/pillars-ot/pillars/internal/auth"
	"github.com/pillars-ot/pillars/internal/framework"
	"github.com/pillars-ot/pillars/internal/jobs"
	"github.com/pillars-ot/pillars/internal/mail"
	"github.com/pillars-ot/pillars/internal/plan"
	"github.com/pillars-ot/pillars/internal/store"
	"github.com/pillars-ot/pillars/internal/testutil"
)

// TestRoundReminderAndCloseRunAsScheduledJobs: a round's reminder and close are River jobs
// scheduled for their times; the reminder mails a fresh link to whoever has not answered, and the
// close ends the round at its deadline.
func TestRoundReminderAndCloseRunAsScheduledJobs(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		cat := framework.NewCatalogue(db)
		acc, as := auth.NewService(db), assess.NewService(db, cat)
		u, err := acc.CreateUser(ctx, auth.NewUser{Email: "sched@example.org", Name: "Sam Schedule", Password: "long enough password", CareerLevel: 6})
		if err != nil {
			t.Fatal(err)
		}
		a, _ := as.Start(ctx, u.ID, assess.DefaultFramework)
		ratings := map[string]assess.Rating{}
		for _, k := range []string{"clinical", "professional", "team", "service", "strategic", "communication", "influence", "clinical-credibility", "collaboration", "advocacy", "improvement", "emotional-intelligence", "strategic-thinking"} {
			ratings[k] = assess.Rating{Rating: 3}
		}
		if err := as.Submit(ctx, u.ID, a.ID, ratings); err != nil {
			t.Fatal(err)
		}
		round, err := as.CreateRound(ctx, u.ID, a.ID, "Soon", time.Now().Add(48*time.Hour), nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := as.Invite(ctx, u, round.ID, "Pat", "pat@example.org", assess.Peer, nil); err != nil {
			t.Fatal(err)
		}
		// Bring the deadline close so the test need not wait two days.
		deadline := time.Now().Add(4 * time.Second)
		if _, err := db.Exec(ctx, `UPDATE feedback_rounds SET deadline = ? WHERE id = ?`, deadline.UTC(), round.ID); err != nil {
			t.Fatal(err)
		}
		srv := testutil.StartSMTP(t)
		sender, _ := mail.NewSMTP(srv.URL(), "Pillars <no-reply@pillars.test>")
		q, err := jobs.New(db, jobs.Deps{Mail: sender, Accounts: acc, Assess: as, Plans: plan.NewService(db, cat), BaseURL: "http://pillars.test", Logger: testutil.Quiet()})
		if err != nil {
			t.Fatal(err)
		}
		qctx, cancel := context.WithCancel(ctx)
		defer cancel()
		if err := q.Start(qctx); err != nil {
			t.Fatal(err)
		}
		defer func() {
			stop, c := context.WithTimeout(context.Background(), 10*time.Second)
			defer c()
			_ = q.Stop(stop)
		}()
		if err := db.InTx(ctx, func(tx *store.Tx) error { return jobs.ScheduleRound(ctx, q, tx, round.ID, time.Now(), deadline) }); err != nil {
			t.Fatal(err)
		}
		// River moves scheduled jobs to running every 5 s, once this client is elected leader
		// (also every 5 s); on a loaded machine a failed attempt is retried with backoff. Allow
		// for that, and if the email still has not come, say what state the jobs are in.
		var m testutil.Mail
		select {
		case m = <-srv.Received():
		case <-time.After(150 * time.Second):
			rows, err := db.Query(ctx, `SELECT kind, state, attempt, COALESCE(CAST(errors AS TEXT), '') FROM river_job ORDER BY id`)
			if err == nil {
				for rows.Next() {
					var kind, state, errs string
					var attempt int
					_ = rows.Scan(&kind, &state, &attempt, &errs)
					t.Logf("job %s: %s, attempt %d, errors %s", kind, state, attempt, errs)
				}
				rows.Close()
			}
			t.Fatal("no reminder email arrived within 150 s")
		}
		if m.To[0] != "pat@example.org" || !strings.HasPrefix(m.Subject, "Reminder:") || !strings.Contains(m.Body, "http://pillars.test/rate/") {
			t.Fatalf("reminder: to %v subject %q\n%s", m.To, m.Subject, m.Body)
		}
		for start := time.Now(); ; time.Sleep(200 * time.Millisecond) {
			r, err := as.Round(ctx, u.ID, round.ID)
			if err != nil {
				t.Fatal(err)
			}
			if r.Status == "closed" {
				break
			}
			if time.Since(start) > 60*time.Second {
				t.Fatal("the close job did not close the round after its deadline")
			}
		}
	})
}
