package portfolio

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/pillars-ot/pillars/internal/auditpack"
	"github.com/pillars-ot/pillars/internal/store"
)

// Export is one build of an audit pack into files, done by a background job.
type Export struct {
	ID         int64
	PackID     int64
	Status     string // queued, running, done, failed
	DoneSteps  int
	TotalSteps int
	Message    string
	CreatedAt  time.Time
	FinishedAt *time.Time
	Files      []ExportFile
}

// Percent is how far the build has got.
func (e *Export) Percent() int {
	if e.Status == "done" {
		return 100
	}
	if e.TotalSteps == 0 {
		return 0
	}
	return e.DoneSteps * 100 / e.TotalSteps
}

// ExportFile is one file an export made.
type ExportFile struct {
	ID          int64
	Name        string
	Label       string
	ContentType string
	Size        int64
}

// ExportHook runs in the transaction that records a new export; the jobs package enqueues the
// build there, so an export row never exists without its job.
type ExportHook func(ctx context.Context, tx *store.Tx, exportID int64) error

// StartExport records a new export of one of the owner's packs and queues its build.
func (s *Service) StartExport(ctx context.Context, ownerID, packID int64, then ExportHook) (int64, error) {
	if _, err := s.Pack(ctx, ownerID, packID); err != nil {
		return 0, err
	}
	var id int64
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		// One build at a time per pack: pressing the button again shows the build under way.
		err := tx.QueryRow(ctx, `SELECT COALESCE(MAX(id), 0) FROM audit_pack_exports WHERE pack_id = ? AND user_id = ? AND status IN ('queued','running')`, packID, ownerID).Scan(&id)
		if err != nil || id != 0 {
			return err
		}
		// Only the newest export is kept: each holds a copy of the evidence, and an old one
		// would keep what the person has since deleted.
		if _, err := tx.Exec(ctx, `DELETE FROM audit_pack_exports WHERE pack_id = ? AND user_id = ?`, packID, ownerID); err != nil {
			return err
		}
		id, err = tx.Insert(ctx, `INSERT INTO audit_pack_exports (pack_id, user_id, status, created_at) VALUES (?, ?, 'queued', ?)`, packID, ownerID, s.now())
		if err != nil {
			return fmt.Errorf("portfolio: start export: %w", err)
		}
		if then != nil {
			return then(ctx, tx, id)
		}
		return nil
	})
	return id, err
}

// Export returns one of the owner's exports with its files.
func (s *Service) Export(ctx context.Context, ownerID, id int64) (*Export, error) {
	var e Export
	var fin sql.NullTime
	err := s.db.QueryRow(ctx, `SELECT id, pack_id, status, done_steps, total_steps, message, created_at, finished_at FROM audit_pack_exports WHERE id = ? AND user_id = ?`, id, ownerID).
		Scan(&e.ID, &e.PackID, &e.Status, &e.DoneSteps, &e.TotalSteps, &e.Message, &e.CreatedAt, &fin)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("portfolio: export %d: %w", id, err)
	}
	e.FinishedAt = store.TimePtr(fin)
	rows, err := s.db.Query(ctx, `SELECT id, name, label, content_type, size FROM audit_pack_files WHERE export_id = ? AND user_id = ? ORDER BY position`, id, ownerID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var f ExportFile
		if err := rows.Scan(&f.ID, &f.Name, &f.Label, &f.ContentType, &f.Size); err != nil {
			return nil, err
		}
		e.Files = append(e.Files, f)
	}
	return &e, rows.Err()
}

// LatestExport returns the newest export of a pack, or nil.
func (s *Service) LatestExport(ctx context.Context, ownerID, packID int64) (*Export, error) {
	var id int64
	err := s.db.QueryRow(ctx, `SELECT id FROM audit_pack_exports WHERE pack_id = ? AND user_id = ? ORDER BY id DESC LIMIT 1`, packID, ownerID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return s.Export(ctx, ownerID, id)
}

// ExportFileData returns one file of one of the owner's exports. The owner's id is in the
// WHERE clause: nobody else can download it, whatever id they try.
func (s *Service) ExportFileData(ctx context.Context, ownerID, exportID, fileID int64) (*ExportFile, []byte, error) {
	var f ExportFile
	var data []byte
	err := s.db.QueryRow(ctx, `SELECT id, name, label, content_type, size, data FROM audit_pack_files WHERE id = ? AND export_id = ? AND user_id = ?`, fileID, exportID, ownerID).
		Scan(&f.ID, &f.Name, &f.Label, &f.ContentType, &f.Size, &data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, ErrNotFound
	}
	if err != nil {
		return nil, nil, err
	}
	return &f, data, nil
}

// BuildExport makes an export's files: the profile as PDF, DOCX and HTML, then the evidence in
// parts of at most 10 MB. Progress is written after each file so the page can show it. Running
// it again (a retried job) starts the files afresh.
func (s *Service) BuildExport(ctx context.Context, exportID int64) error {
	var ownerID, packID int64
	var ownerName, status string
	err := s.db.QueryRow(ctx, `SELECT x.user_id, x.pack_id, x.status, u.name FROM audit_pack_exports x JOIN users u ON u.id = x.user_id WHERE x.id = ?`, exportID).Scan(&ownerID, &packID, &status, &ownerName)
	if errors.Is(err, sql.ErrNoRows) || status == "done" {
		return nil // deleted, or already built
	}
	if err != nil {
		return err
	}
	r, err := s.Readiness(ctx, ownerID, packID)
	if err != nil {
		return err
	}
	types, err := s.ActivityTypes(ctx)
	if err != nil {
		return err
	}
	pack := r.Render(ownerName, s.now(), types)
	parts, err := auditpack.SplitEvidence(pack.Evidence, auditpack.PartLimit)
	if err != nil {
		return s.failExport(ctx, exportID, err.Error())
	}
	total := 3 + len(parts)
	if _, err := s.db.Exec(ctx, `DELETE FROM audit_pack_files WHERE export_id = ?`, exportID); err != nil {
		return err
	}
	if _, err := s.db.Exec(ctx, `UPDATE audit_pack_exports SET status = 'running', done_steps = 0, total_steps = ? WHERE id = ?`, total, exportID); err != nil {
		return err
	}
	base := fmt.Sprintf("cpd-profile-%s-to-%s", pack.CycleStart, pack.CycleEnd)
	steps := []struct {
		name, label, contentType string
		render                   func(io.Writer, *auditpack.Pack) error
	}{
		{base + ".pdf", "CPD profile (PDF, to send)", "application/pdf", auditpack.RenderPDF},
		{base + ".docx", "CPD profile (Word, to edit)", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", auditpack.RenderDOCX},
		{base + ".html", "CPD profile (web page, to edit)", "text/html; charset=utf-8", auditpack.RenderHTML},
	}
	for i, st := range steps {
		var buf bytes.Buffer
		if err := st.render(&buf, pack); err != nil {
			return fmt.Errorf("portfolio: render %s: %w", st.name, err)
		}
		if err := s.addExportFile(ctx, exportID, ownerID, i, st.name, st.label, st.contentType, buf.Bytes()); err != nil {
			return err
		}
	}
	fileIDs := r.EvidenceFileIDs()
	open := func(ev auditpack.Evidence) (io.ReadCloser, error) {
		_, data, err := s.FileData(ctx, ownerID, fileIDs[ev.Number-1])
		if err != nil {
			return nil, err
		}
		return io.NopCloser(bytes.NewReader(data)), nil
	}
	for i, part := range parts {
		var buf bytes.Buffer
		if err := auditpack.WritePart(&buf, part, open); err != nil {
			return fmt.Errorf("portfolio: evidence part %d: %w", i+1, err)
		}
		if err := s.addExportFile(ctx, exportID, ownerID, 3+i, part.Name, part.Label, "application/zip", buf.Bytes()); err != nil {
			return err
		}
	}
	_, err = s.db.Exec(ctx, `UPDATE audit_pack_exports SET status = 'done', done_steps = total_steps, finished_at = ? WHERE id = ?`, s.now(), exportID)
	return err
}

func (s *Service) addExportFile(ctx context.Context, exportID, ownerID int64, pos int, name, label, contentType string, data []byte) error {
	return s.db.InTx(ctx, func(tx *store.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO audit_pack_files (export_id, user_id, position, name, label, content_type, size, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			exportID, ownerID, pos, name, label, contentType, len(data), data); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `UPDATE audit_pack_exports SET done_steps = done_steps + 1 WHERE id = ?`, exportID)
		return err
	})
}

// dropExports deletes every built export of the person's packs. Called when an entry or an
// evidence file is deleted: an export may hold a copy of it, and deleting must really delete.
func dropExports(ctx context.Context, tx *store.Tx, ownerID int64) error {
	_, err := tx.Exec(ctx, `DELETE FROM audit_pack_exports WHERE user_id = ?`, ownerID)
	return err
}

// FailExport records that an export could not be built, in words for the person.
func (s *Service) FailExport(ctx context.Context, exportID int64, message string) error {
	return s.failExport(ctx, exportID, message)
}

func (s *Service) failExport(ctx context.Context, exportID int64, message string) error {
	_, err := s.db.Exec(ctx, `UPDATE audit_pack_exports SET status = 'failed', message = ?, finished_at = ? WHERE id = ?`, message, s.now(), exportID)
	return err
}
