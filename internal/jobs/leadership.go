package jobs

import (
	"context"
	"time"

	"github.com/riverqueue/river"

	"github.com/pillars-ot/pillars/internal/assess"
	"github.com/pillars-ot/pillars/internal/plan"
	"github.com/pillars-ot/pillars/internal/store"
)

// FeedbackReminderArgs reminds a 360 round's raters who have not answered. It is scheduled when
// the round is created, two days before its deadline.
type FeedbackReminderArgs struct {
	RoundID int64 `json:"round_id"`
}

// Kind names the job in the queue.
func (FeedbackReminderArgs) Kind() string { return "feedback_reminder" }

type feedbackReminderWorker struct {
	river.WorkerDefaults[FeedbackReminderArgs]
	deps Deps
	ref  *queueRef
}

func (w *feedbackReminderWorker) Work(ctx context.Context, job *river.Job[FeedbackReminderArgs]) error {
	// Each reminder email is queued in the transaction that marks the rater reminded, so a
	// failure leaves them unreminded and the retried job tries again.
	_, err := w.deps.Assess.Reminders(ctx, job.Args.RoundID, Invite(w.ref.q, w.deps.BaseURL))
	return err
}

// FeedbackCloseArgs closes a 360 round at its deadline.
type FeedbackCloseArgs struct {
	RoundID int64 `json:"round_id"`
}

// Kind names the job in the queue.
func (FeedbackCloseArgs) Kind() string { return "feedback_close" }

type feedbackCloseWorker struct {
	river.WorkerDefaults[FeedbackCloseArgs]
	deps Deps
}

func (w *feedbackCloseWorker) Work(ctx context.Context, job *river.Job[FeedbackCloseArgs]) error {
	_, err := w.deps.Assess.CloseDue(ctx, job.Args.RoundID)
	return err
}

// ScheduleRound queues, in the transaction that creates the round, its reminder (two days
// before the deadline, or halfway there for a short round) and its close at the deadline.
func ScheduleRound(ctx context.Context, q Queue, tx *store.Tx, roundID int64, now, deadline time.Time) error {
	remindAt := deadline.Add(-48 * time.Hour)
	if !remindAt.After(now) {
		remindAt = now.Add(deadline.Sub(now) / 2)
	}
	if err := q.EnqueueTx(ctx, tx, FeedbackReminderArgs{RoundID: roundID}, remindAt); err != nil {
		return err
	}
	return q.EnqueueTx(ctx, tx, FeedbackCloseArgs{RoundID: roundID}, deadline)
}

// Schedule returns the hook that schedules a new round's reminder and close, in the transaction
// that creates it.
func Schedule(q Queue) func(context.Context, *store.Tx, *assess.Round) error {
	return func(ctx context.Context, tx *store.Tx, r *assess.Round) error {
		return ScheduleRound(ctx, q, tx, r.ID, time.Now(), r.Deadline)
	}
}

// Invite returns the hook that emails a new rater, in the transaction that invites them.
func Invite(q Queue, baseURL string) func(context.Context, *store.Tx, *assess.Invitation) error {
	return func(ctx context.Context, tx *store.Tx, inv *assess.Invitation) error {
		return q.EnqueueTx(ctx, tx, EmailArgs{Message: assess.InvitationMessage(*inv, baseURL)}, time.Time{})
	}
}

// ReviewRemindersArgs is the hourly job that emails people whose goals are due for review.
type ReviewRemindersArgs struct{}

// Kind names the job in the queue.
func (ReviewRemindersArgs) Kind() string { return "review_reminders" }

type reviewReminderWorker struct {
	river.WorkerDefaults[ReviewRemindersArgs]
	deps Deps
	ref  *queueRef
}

func (w *reviewReminderWorker) Work(ctx context.Context, _ *river.Job[ReviewRemindersArgs]) error {
	if w.deps.Plans == nil {
		return nil
	}
	_, err := w.deps.Plans.DueReviews(ctx, func(ctx context.Context, tx *store.Tx, r plan.Reminder) error {
		return w.ref.q.EnqueueTx(ctx, tx, EmailArgs{Message: plan.ReviewMessage(r, w.deps.BaseURL)}, time.Time{})
	})
	return err
}
