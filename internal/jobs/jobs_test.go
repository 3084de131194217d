package jobs_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pillars-ot/pillars/internal/auth"
	"github.com/pillars-ot/pillars/internal/jobs"
	"github.com/pillars-ot/pillars/internal/mail"
	"github.com/pillars-ot/pillars/internal/store"
	"github.com/pillars-ot/pillars/internal/testutil"
)

func startQueue(t *testing.T, db *store.DB, sender mail.Sender) jobs.Queue {
	t.Helper()
	q, err := jobs.New(db, jobs.Deps{Mail: sender, Accounts: auth.NewService(db), Logger: testutil.Quiet()})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	if err := q.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		stop, c := context.WithTimeout(context.Background(), 10*time.Second)
		defer c()
		_ = q.Stop(stop)
		cancel()
	})
	return q
}

// TestEmailIsRetried: the SMTP server refuses the first attempt; River retries and it arrives.
func TestEmailIsRetried(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		srv := testutil.StartSMTP(t)
		srv.FailNext = 1
		sender, err := mail.NewSMTP(srv.URL(), "Pillars <no-reply@pillars.test>")
		if err != nil {
			t.Fatal(err)
		}
		q := startQueue(t, db, sender)
		msg := mail.Message{To: "someone@example.org", Subject: "Hello", Text: "A line with a link: http://x.test/a?b=c\n"}
		if err := q.Enqueue(context.Background(), jobs.EmailArgs{Message: msg}); err != nil {
			t.Fatal(err)
		}
		got := srv.Wait(t, 60*time.Second)
		if got.Subject != "Hello" || got.To[0] != "someone@example.org" || !strings.Contains(got.Body, "http://x.test/a?b=c") {
			t.Fatalf("received %+v", got)
		}
		var attempts int
		if err := db.QueryRow(context.Background(), `SELECT attempt FROM river_job WHERE kind = 'email'`).Scan(&attempts); err != nil {
			t.Fatal(err)
		}
		if attempts != 2 {
			t.Fatalf("the email was delivered on attempt %d, want 2 (one refusal, one retry)", attempts)
		}
	})
}

// TestEmailToTheLogWithoutSMTP: with no SMTP server (demo mode), the message, link included, is
// written to the log so a newcomer can still follow it.
func TestEmailToTheLogWithoutSMTP(t *testing.T) {
	var buf lockedBuffer
	logger := slog.New(slog.NewTextHandler(&buf, nil))
	q := startQueue(t, testutil.SQLite(t), mail.Log{Logger: logger})
	if err := q.Enqueue(context.Background(), jobs.EmailArgs{Message: mail.Message{To: "a@example.org", Subject: "Reset", Text: "http://x.test/password/reset/abc"}}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(buf.String(), "password/reset/abc") {
		if time.Now().After(deadline) {
			t.Fatalf("the email never reached the log: %s", buf.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// lockedBuffer is a bytes.Buffer that the queue's goroutines may write while the test reads.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
