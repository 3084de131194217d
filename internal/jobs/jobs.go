// Package jobs runs Pillars' background work on River, a real job queue with retries and
// scheduling, on SQLite and PostgreSQL alike. Emails are jobs, so a slow or failing mail server
// never holds up a page and a failed send is retried with backoff.
package jobs

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"

	"github.com/pillars-ot/pillars/internal/assess"
	"github.com/pillars-ot/pillars/internal/auth"
	"github.com/pillars-ot/pillars/internal/mail"
	"github.com/pillars-ot/pillars/internal/plan"
	"github.com/pillars-ot/pillars/internal/portfolio"
	"github.com/pillars-ot/pillars/internal/store"
)

// EmailArgs is the job that sends one email.
type EmailArgs struct {
	Message mail.Message `json:"message"`
}

// Kind names the job in the queue.
func (EmailArgs) Kind() string { return "email" }

// InsertOpts retries a failed send up to 8 times with River's backoff (about an hour in all).
func (EmailArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{MaxAttempts: 8} }

type emailWorker struct {
	river.WorkerDefaults[EmailArgs]
	sender mail.Sender
}

func (w *emailWorker) Work(ctx context.Context, job *river.Job[EmailArgs]) error {
	return w.sender.Send(ctx, job.Args.Message)
}

// Timeout bounds one send attempt.
func (w *emailWorker) Timeout(*river.Job[EmailArgs]) time.Duration { return time.Minute }

// CleanupArgs is the hourly job that prunes expired sessions, reset links and sign-in failures.
type CleanupArgs struct{}

// Kind names the job in the queue.
func (CleanupArgs) Kind() string { return "cleanup" }

type cleanupWorker struct {
	river.WorkerDefaults[CleanupArgs]
	accounts *auth.Service
	log      *slog.Logger
}

func (w *cleanupWorker) Work(ctx context.Context, _ *river.Job[CleanupArgs]) error {
	n, err := w.accounts.Prune(ctx)
	if err == nil && n > 0 {
		w.log.Info("pruned expired sign-in data", slog.Int64("rows", n))
	}
	return err
}

// Queue is the running job queue. It hides River's engine-specific transaction type.
type Queue interface {
	Start(ctx context.Context) error
	Stop(ctx context.Context) error
	// Enqueue adds a job; it runs shortly after on any app server.
	Enqueue(ctx context.Context, args river.JobArgs) error
	// EnqueueAt adds a job that runs at a given time.
	EnqueueAt(ctx context.Context, args river.JobArgs, at time.Time) error
	// EnqueueTx adds a job inside a transaction: it exists only if the transaction commits, so a
	// change and the work it calls for (an email, a reminder) happen together or not at all.
	// A zero time means as soon as possible.
	EnqueueTx(ctx context.Context, tx *store.Tx, args river.JobArgs, at time.Time) error
}

type riverQueue[TTx any] struct {
	client *river.Client[TTx]
	// insertTx inserts a job in an application transaction (*sql.Tx): River's own client on
	// SQLite, an insert-only database/sql client on PostgreSQL, whose main client speaks pgx.
	insertTx func(ctx context.Context, tx *sql.Tx, args river.JobArgs, opts *river.InsertOpts) error
}

func (q *riverQueue[TTx]) EnqueueTx(ctx context.Context, tx *store.Tx, args river.JobArgs, at time.Time) error {
	var opts *river.InsertOpts
	if !at.IsZero() {
		opts = &river.InsertOpts{ScheduledAt: at}
	}
	return q.insertTx(ctx, tx.SQL(), args, opts)
}

func (q *riverQueue[TTx]) Start(ctx context.Context) error { return q.client.Start(ctx) }
func (q *riverQueue[TTx]) Stop(ctx context.Context) error  { return q.client.Stop(ctx) }
func (q *riverQueue[TTx]) Enqueue(ctx context.Context, args river.JobArgs) error {
	_, err := q.client.Insert(ctx, args, nil)
	return err
}
func (q *riverQueue[TTx]) EnqueueAt(ctx context.Context, args river.JobArgs, at time.Time) error {
	_, err := q.client.Insert(ctx, args, &river.InsertOpts{ScheduledAt: at})
	return err
}

// Deps are what the workers need.
type Deps struct {
	Mail     mail.Sender
	Accounts *auth.Service
	Assess   *assess.Service // 360 reminders and closing; optional in tests of other jobs
	Plans    *plan.Service   // goal review reminders
	// Portfolio builds audit-pack exports; optional in tests of other jobs.
	Portfolio *portfolio.Service
	BaseURL   string // for links in emails
	Logger    *slog.Logger
}

// queueRef lets workers enqueue further jobs (one email each) on the queue they run in, which
// exists only after the workers are registered.
type queueRef struct{ q Queue }

// New builds the queue for the database's engine. Call Start to begin working jobs.
func New(db *store.DB, deps Deps) (Queue, error) {
	workers := river.NewWorkers()
	ref := &queueRef{}
	river.AddWorker(workers, &emailWorker{sender: deps.Mail})
	river.AddWorker(workers, &cleanupWorker{accounts: deps.Accounts, log: deps.Logger})
	river.AddWorker(workers, &feedbackReminderWorker{deps: deps, ref: ref})
	river.AddWorker(workers, &feedbackCloseWorker{deps: deps})
	river.AddWorker(workers, &reviewReminderWorker{deps: deps, ref: ref})
	river.AddWorker(workers, &packExportWorker{deps: deps})
	cfg := &river.Config{
		Queues:  map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: 4}},
		Workers: workers,
		Logger:  slog.New(quiet{deps.Logger.Handler()}).With(slog.String("component", "jobs")),
		PeriodicJobs: []*river.PeriodicJob{
			river.NewPeriodicJob(river.PeriodicInterval(time.Hour),
				func() (river.JobArgs, *river.InsertOpts) { return CleanupArgs{}, nil },
				&river.PeriodicJobOpts{RunOnStart: true}),
			river.NewPeriodicJob(river.PeriodicInterval(time.Hour),
				func() (river.JobArgs, *river.InsertOpts) { return ReviewRemindersArgs{}, nil },
				&river.PeriodicJobOpts{RunOnStart: true}),
		},
		FetchPollInterval: 500 * time.Millisecond,
	}
	switch db.Dialect {
	case store.SQLite:
		// SQLite has no LISTEN/NOTIFY, so workers poll. River shares the single writer
		// connection, as its SQLite driver recommends.
		cfg.PollOnly = true
		c, err := river.NewClient(riversqlite.New(db.Write), cfg)
		if err != nil {
			return nil, fmt.Errorf("jobs: %w", err)
		}
		ref.q = &riverQueue[*sql.Tx]{client: c, insertTx: func(ctx context.Context, tx *sql.Tx, args river.JobArgs, opts *river.InsertOpts) error {
			_, err := c.InsertTx(ctx, tx, args, opts)
			return err
		}}
		return ref.q, nil
	default:
		c, err := river.NewClient(riverpgxv5.New(db.PgxPool), cfg)
		if err != nil {
			return nil, fmt.Errorf("jobs: %w", err)
		}
		inserter, err := river.NewClient(riverdatabasesql.New(db.Write), &river.Config{Logger: cfg.Logger})
		if err != nil {
			return nil, fmt.Errorf("jobs: insert client: %w", err)
		}
		ref.q = &riverQueue[pgx.Tx]{client: c, insertTx: func(ctx context.Context, tx *sql.Tx, args river.JobArgs, opts *river.InsertOpts) error {
			_, err := inserter.InsertTx(ctx, tx, args, opts)
			return err
		}}
		return ref.q, nil
	}
}

// Migrate creates or updates River's own tables.
func Migrate(ctx context.Context, db *store.DB, log *slog.Logger) (int, error) {
	cfg := &rivermigrate.Config{Logger: slog.New(quiet{log.Handler()})}
	var n int
	switch db.Dialect {
	case store.SQLite:
		m, err := rivermigrate.New(riversqlite.New(db.Write), cfg)
		if err != nil {
			return 0, err
		}
		res, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil)
		if err != nil {
			return 0, fmt.Errorf("jobs: migrate: %w", err)
		}
		n = len(res.Versions)
	default:
		m, err := rivermigrate.New(riverpgxv5.New(db.PgxPool), cfg)
		if err != nil {
			return 0, err
		}
		res, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil)
		if err != nil {
			return 0, fmt.Errorf("jobs: migrate: %w", err)
		}
		n = len(res.Versions)
	}
	return n, nil
}

// quiet drops River's routine info messages (every poll and producer count) but keeps its
// warnings and errors.
type quiet struct{ slog.Handler }

func (q quiet) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= slog.LevelWarn && q.Handler.Enabled(ctx, l)
}
func (q quiet) WithAttrs(a []slog.Attr) slog.Handler { return quiet{q.Handler.WithAttrs(a)} }
func (q quiet) WithGroup(n string) slog.Handler      { return quiet{q.Handler.WithGroup(n)} }
