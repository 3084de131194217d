package jobs

import (
	"context"
	"log/slog"
	"time"

	"github.com/riverqueue/river"

	"github.com/pillars-ot/pillars/internal/portfolio"
	"github.com/pillars-ot/pillars/internal/store"
)

// PackExportArgs builds one audit-pack export: the profile as PDF, DOCX and HTML and the
// evidence in 10 MB parts. Big evidence bundles take time, so this never runs in a request.
type PackExportArgs struct {
	ExportID int64 `json:"export_id"`
}

// Kind names the job in the queue.
func (PackExportArgs) Kind() string { return "pack_export" }

// InsertOpts retries a failed build twice.
func (PackExportArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{MaxAttempts: 3} }

type packExportWorker struct {
	river.WorkerDefaults[PackExportArgs]
	deps Deps
}

func (w *packExportWorker) Work(ctx context.Context, job *river.Job[PackExportArgs]) error {
	err := w.deps.Portfolio.BuildExport(ctx, job.Args.ExportID)
	if err != nil && job.Attempt >= job.MaxAttempts {
		// The last attempt: tell the person in words, and keep the detail in the log.
		w.deps.Logger.Error("audit pack export failed", slog.Int64("export", job.Args.ExportID), slog.Any("err", err))
		if ferr := w.deps.Portfolio.FailExport(ctx, job.Args.ExportID, "The pack could not be built. Try again; if it fails again, contact your administrator."); ferr != nil {
			return ferr
		}
		return nil
	}
	return err
}

// Timeout allows for a large evidence bundle.
func (w *packExportWorker) Timeout(*river.Job[PackExportArgs]) time.Duration { return 10 * time.Minute }

// ExportPack queues an export's build in the transaction that records it.
func ExportPack(q Queue) portfolio.ExportHook {
	return func(ctx context.Context, tx *store.Tx, exportID int64) error {
		return q.EnqueueTx(ctx, tx, PackExportArgs{ExportID: exportID}, time.Time{})
	}
}
