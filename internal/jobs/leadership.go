package jobs

import (
	"context"
	"time"

	"github.com/riverqueue/river"

	"github.com/pillars-ot/pillars/internal/assess"
	"github.com/pillars-ot/pillars/internal/plan"
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
	invs, err := w.deps.Assess.Reminders(ctx, job.Args.RoundID)
	if err != nil {
		return err
	}
	for _, inv := range invs {
		if err := w.ref.q.Enqueue(ctx, EmailArgs{Message: assess.InvitationMessage(inv, w.deps.BaseURL)}); err != nil {
			return err
		}
	}
	return nil
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

// ScheduleRound queues a new round's reminder (two days before the deadline, or halfway there
// for a short round) and its close at the deadline.
func ScheduleRound(ctx context.Context, q Queue, roundID int64, now, deadline time.Time) error {
	remindAt := deadline.Add(-48 * time.Hour)
	if !remindAt.After(now) {
		remindAt = now.Add(deadline.Sub(now) / 2)
	}
	if err := q.EnqueueAt(ctx, FeedbackReminderArgs{RoundID: roundID}, remindAt); err != nil {
		return err
	}
	return q.EnqueueAt(ctx, FeedbackCloseArgs{RoundID: roundID}, deadline)
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
	due, err := w.deps.Plans.DueReviews(ctx)
	if err != nil {
		return err
	}
	for _, r := range due {
		if err := w.ref.q.Enqueue(ctx, EmailArgs{Message: plan.ReviewMessage(r, w.deps.BaseURL)}); err != nil {
			return err
		}
	}
	return nil
}
