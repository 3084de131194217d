package stories

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/pillars-ot/pillars/internal/auth"
	"github.com/pillars-ot/pillars/internal/mail"
	"github.com/pillars-ot/pillars/internal/portfolio"
	"github.com/pillars-ot/pillars/internal/store"
	"github.com/pillars-ot/pillars/internal/valid"
)

// storyCols are a story's columns (alias s) with its attachment's description (alias a, from a
// LEFT JOIN), never the attachment's bytes.
const storyCols = `s.id, COALESCE(s.key, ''), COALESCE(s.author_id, 0), s.display_name, s.role, s.level, s.setting, s.path, s.barriers,
	s.enablers, s.five_years, s.advice, s.status, s.revision, s.decline_reason, s.published_at, s.created_at, s.updated_at,
	COALESCE(a.filename, ''), COALESCE(a.content_type, ''), COALESCE(a.size, 0)`

const storyFrom = `career_stories s LEFT JOIN career_story_attachments a ON a.story_id = s.id`

type scanner interface{ Scan(...any) error }

func scanStory(r scanner) (*Story, error) {
	var s Story
	var published sql.NullTime
	var att Attachment
	if err := r.Scan(&s.ID, &s.Key, &s.AuthorID, &s.DisplayName, &s.Role, &s.Level, &s.Setting, &s.Path, &s.Barriers,
		&s.Enablers, &s.FiveYears, &s.Advice, &s.Status, &s.Revision, &s.DeclineReason, &published, &s.CreatedAt, &s.UpdatedAt,
		&att.Name, &att.ContentType, &att.Size); err != nil {
		return nil, err
	}
	s.PublishedAt = store.TimePtr(published)
	if att.Name != "" {
		s.Attachment = &att
	}
	return &s, nil
}

func (s *Service) list(ctx context.Context, q string, args ...any) ([]*Story, error) {
	rows, err := s.db.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("stories: list: %w", err)
	}
	defer rows.Close()
	var out []*Story
	for rows.Next() {
		st, err := scanStory(rows)
		if err != nil {
			return nil, fmt.Errorf("stories: list: %w", err)
		}
		out = append(out, st)
	}
	return out, rows.Err()
}

func (s *Service) one(ctx context.Context, q string, args ...any) (*Story, error) {
	st, err := scanStory(s.db.QueryRow(ctx, q, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("stories: get: %w", err)
	}
	return st, nil
}

// Create stores a new story by authorID, waiting for a moderator.
func (s *Service) Create(ctx context.Context, authorID int64, in Input, up *Upload) (*Story, error) {
	st, ctype, errs := Check(in, up)
	if errs.Any() {
		return nil, errs
	}
	st.AuthorID, st.Status, st.Revision = authorID, StatusPending, 1
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		return s.insert(ctx, tx, st, up, ctype)
	})
	if err != nil {
		return nil, err
	}
	return st, nil
}

// insert writes a new story, its attachment and its search row in the caller's transaction.
func (s *Service) insert(ctx context.Context, tx *store.Tx, st *Story, up *Upload, ctype string) error {
	now := s.now()
	st.CreatedAt, st.UpdatedAt = now, now
	var key, author, published any
	if st.Key != "" {
		key = st.Key
	}
	if st.AuthorID != 0 {
		author = st.AuthorID
	}
	if st.Status == StatusPublished {
		published, st.PublishedAt = now, &now
	}
	id, err := tx.Insert(ctx, `INSERT INTO career_stories (key, author_id, display_name, role, level, setting, path, barriers, enablers,
		five_years, advice, status, revision, published_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		key, author, st.DisplayName, st.Role, st.Level, st.Setting, st.Path, st.Barriers, st.Enablers, st.FiveYears, st.Advice,
		st.Status, st.Revision, published, now, now)
	if err != nil {
		return fmt.Errorf("stories: insert: %w", err)
	}
	st.ID = id
	if up != nil {
		if err := s.putAttachment(ctx, tx, st, up, ctype); err != nil {
			return err
		}
	}
	return s.index(ctx, tx, st)
}

func (s *Service) putAttachment(ctx context.Context, tx *store.Tx, st *Story, up *Upload, ctype string) error {
	if _, err := tx.Exec(ctx, `DELETE FROM career_story_attachments WHERE story_id = ?`, st.ID); err != nil {
		return err
	}
	name := portfolio.CleanFilename(up.Name)
	if _, err := tx.Exec(ctx, `INSERT INTO career_story_attachments (story_id, filename, content_type, size, data, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
		st.ID, name, ctype, len(up.Data), up.Data, s.now()); err != nil {
		return fmt.Errorf("stories: attachment: %w", err)
	}
	st.Attachment = &Attachment{Name: name, ContentType: ctype, Size: int64(len(up.Data))}
	return nil
}

// index keeps SQLite's full-text row in step with the story, in the same transaction
// (PostgreSQL's is a generated column).
func (s *Service) index(ctx context.Context, tx *store.Tx, st *Story) error {
	if tx.Dialect() != store.SQLite {
		return nil
	}
	if _, err := tx.Exec(ctx, `DELETE FROM career_story_search WHERE rowid = ?`, st.ID); err != nil {
		return err
	}
	body := strings.Join([]string{st.Path, st.Barriers, st.Enablers, st.FiveYears, st.Advice}, "\n")
	_, err := tx.Exec(ctx, `INSERT INTO career_story_search (rowid, title, body) VALUES (?, ?, ?)`, st.ID, st.Role, body)
	return err
}

// Update replaces the author's own story with what they typed, and sends it back to the
// moderators. A new upload replaces the attachment; remove drops it.
func (s *Service) Update(ctx context.Context, authorID, id int64, in Input, up *Upload, remove bool) (*Story, error) {
	st, ctype, errs := Check(in, up)
	if errs.Any() {
		return nil, errs
	}
	st.ID, st.AuthorID, st.Status = id, authorID, StatusPending
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		return s.update(ctx, tx, st, up, ctype, remove)
	})
	if err != nil {
		return nil, err
	}
	return s.Own(ctx, authorID, id)
}

// update writes the author's checked change to st (its ID and AuthorID set) in the caller's
// transaction, as a new revision waiting for a moderator.
func (s *Service) update(ctx context.Context, tx *store.Tx, st *Story, up *Upload, ctype string, remove bool) error {
	now := s.now()
	res, err := tx.Exec(ctx, `UPDATE career_stories SET display_name = ?, role = ?, level = ?, setting = ?, path = ?, barriers = ?,
		enablers = ?, five_years = ?, advice = ?, status = 'pending', revision = revision + 1, decline_reason = '', updated_at = ?
		WHERE id = ? AND author_id = ?`,
		st.DisplayName, st.Role, st.Level, st.Setting, st.Path, st.Barriers, st.Enablers, st.FiveYears, st.Advice, now, st.ID, st.AuthorID)
	if err != nil {
		return fmt.Errorf("stories: update %d: %w", st.ID, err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return ErrNotFound
	}
	switch {
	case up != nil:
		if err := s.putAttachment(ctx, tx, st, up, ctype); err != nil {
			return err
		}
	case remove:
		if _, err := tx.Exec(ctx, `DELETE FROM career_story_attachments WHERE story_id = ?`, st.ID); err != nil {
			return err
		}
	}
	return s.index(ctx, tx, st)
}

// Withdraw deletes the author's own story and its attachment for good.
func (s *Service) Withdraw(ctx context.Context, authorID, id int64) error {
	return s.db.InTx(ctx, func(tx *store.Tx) error {
		res, err := tx.Exec(ctx, `DELETE FROM career_stories WHERE id = ? AND author_id = ?`, id, authorID)
		if err != nil {
			return fmt.Errorf("stories: withdraw %d: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return ErrNotFound
		}
		if _, err := tx.Exec(ctx, `DELETE FROM career_story_attachments WHERE story_id = ?`, id); err != nil {
			return err
		}
		if tx.Dialect() == store.SQLite {
			_, err = tx.Exec(ctx, `DELETE FROM career_story_search WHERE rowid = ?`, id)
		}
		return err
	})
}

// Get returns a story if the viewer may open it (see CanView), else ErrNotFound.
func (s *Service) Get(ctx context.Context, viewer *auth.User, id int64) (*Story, error) {
	cond, args := visibleTo(viewer)
	return s.one(ctx, `SELECT `+storyCols+` FROM `+storyFrom+` WHERE s.id = ? AND `+cond, append([]any{id}, args...)...)
}

// Own returns the author's own story in any status, for editing.
func (s *Service) Own(ctx context.Context, authorID, id int64) (*Story, error) {
	return s.one(ctx, `SELECT `+storyCols+` FROM `+storyFrom+` WHERE s.id = ? AND s.author_id = ?`, id, authorID)
}

// Mine lists the author's own stories in any status, most recently changed first.
func (s *Service) Mine(ctx context.Context, authorID int64) ([]*Story, error) {
	return s.list(ctx, `SELECT `+storyCols+` FROM `+storyFrom+` WHERE s.author_id = ? ORDER BY s.updated_at DESC, s.id DESC LIMIT 100`, authorID)
}

// AttachmentData returns a story's attachment if the viewer may open the story.
func (s *Service) AttachmentData(ctx context.Context, viewer *auth.User, id int64) (*Attachment, []byte, error) {
	cond, args := visibleTo(viewer)
	var a Attachment
	var data []byte
	err := s.db.QueryRow(ctx, `SELECT a.filename, a.content_type, a.size, a.data FROM career_story_attachments a
		JOIN career_stories s ON s.id = a.story_id WHERE s.id = ? AND `+cond, append([]any{id}, args...)...).Scan(&a.Name, &a.ContentType, &a.Size, &data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, ErrNotFound
	}
	if err != nil {
		return nil, nil, fmt.Errorf("stories: attachment %d: %w", id, err)
	}
	return &a, data, nil
}

// Queue is one page of the stories waiting for a moderator.
type Queue struct {
	Results     // the stories this moderator may decide on, oldest first
	Yours   int // the moderator's own stories waiting, which another moderator decides on
}

// pendingFor is the moderation queue's condition for moderatorID: waiting stories they did not
// write (demo stories have no author).
const pendingFor = `s.status = 'pending' AND (s.author_id IS NULL OR s.author_id <> ?)`

// Pending lists a page (PageSize a page, from 1; a page past the end shows the last) of the
// stories waiting for this moderator, oldest first: never their own, which are only counted.
func (s *Service) Pending(ctx context.Context, moderator *auth.User, page int) (*Queue, error) {
	if !CanModerate(moderator) {
		return nil, ErrNotAllowed
	}
	q := &Queue{}
	if err := s.db.QueryRow(ctx, `SELECT COUNT(*) FROM career_stories s WHERE `+pendingFor, moderator.ID).Scan(&q.Total); err != nil {
		return nil, fmt.Errorf("stories: pending: %w", err)
	}
	if err := s.db.QueryRow(ctx, `SELECT COUNT(*) FROM career_stories WHERE status = 'pending' AND author_id = ?`, moderator.ID).Scan(&q.Yours); err != nil {
		return nil, fmt.Errorf("stories: pending: %w", err)
	}
	q.Pages = max(1, (q.Total+PageSize-1)/PageSize)
	q.Page = min(max(page, 1), q.Pages)
	if q.Total == 0 {
		return q, nil
	}
	var err error
	q.Stories, err = s.list(ctx, `SELECT `+storyCols+` FROM `+storyFrom+` WHERE `+pendingFor+` ORDER BY s.updated_at, s.id LIMIT ? OFFSET ?`,
		moderator.ID, PageSize, (q.Page-1)*PageSize)
	return q, err
}

// QueuePage is the page of this moderator's queue (Pending) that lists the story, for links to
// it; 1 when it is not there.
func (s *Service) QueuePage(ctx context.Context, moderator *auth.User, id int64) (int, error) {
	if !CanModerate(moderator) {
		return 0, ErrNotAllowed
	}
	var before int
	err := s.db.QueryRow(ctx, `SELECT COUNT(*) FROM career_stories s JOIN career_stories t ON t.id = ?
		WHERE `+pendingFor+` AND (s.updated_at < t.updated_at OR (s.updated_at = t.updated_at AND s.id < t.id))`, id, moderator.ID).Scan(&before)
	if err != nil {
		return 0, fmt.Errorf("stories: queue page: %w", err)
	}
	return before/PageSize + 1, nil
}

// decide loads a story for a moderator's decision in the transaction (locking its row on
// PostgreSQL, so an author's edit waits for the decision): ErrNotFound unless it exists with one
// of the statuses allowed, ErrOwnStory if the moderator wrote it, ErrChanged unless it is still
// the revision read.
func decide(ctx context.Context, tx *store.Tx, moderatorID, id int64, revision int, statuses ...string) (status string, authorID int64, role string, err error) {
	q := `SELECT status, revision, COALESCE(author_id, 0), role FROM career_stories WHERE id = ?`
	if tx.Dialect() == store.Postgres {
		q += ` FOR UPDATE`
	}
	var rev int
	err = tx.QueryRow(ctx, q, id).Scan(&status, &rev, &authorID, &role)
	if errors.Is(err, sql.ErrNoRows) {
		return "", 0, "", ErrNotFound
	}
	if err != nil {
		return "", 0, "", err
	}
	ok := false
	for _, st := range statuses {
		ok = ok || st == status
	}
	switch {
	case !ok:
		return "", 0, "", ErrNotFound
	case authorID != 0 && authorID == moderatorID:
		return "", 0, "", ErrOwnStory
	case rev != revision:
		return "", 0, "", ErrChanged
	}
	return status, authorID, role, nil
}

// Publish lists a pending story, at the revision the moderator read, and tells its author.
// Publishing a story that is already published changes nothing. ErrNotAllowed unless the person
// may moderate; ErrOwnStory for their own story.
func (s *Service) Publish(ctx context.Context, moderator *auth.User, id int64, revision int, notify Notify) error {
	if !CanModerate(moderator) {
		return ErrNotAllowed
	}
	return s.db.InTx(ctx, func(tx *store.Tx) error {
		status, authorID, role, err := decide(ctx, tx, moderator.ID, id, revision, StatusPending, StatusPublished)
		if err != nil || status == StatusPublished {
			return err
		}
		if s.afterRead != nil {
			if err := s.afterRead(ctx, tx); err != nil {
				return err
			}
		}
		now := s.now()
		// The revision read and the pending status are conditions of the write itself: a change
		// committed since the read makes it change nothing, rather than publish what nobody read.
		res, err := tx.Exec(ctx, `UPDATE career_stories SET status = 'published', published_at = ?, moderated_by = ?, moderated_at = ?
			WHERE id = ? AND revision = ? AND status = 'pending'`, now, moderator.ID, now, id, revision)
		if err != nil {
			return fmt.Errorf("stories: publish %d: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			// Say what happened meanwhile: another moderator published this same revision
			// (nothing to do), or the story was changed, decided on or withdrawn.
			status, _, _, err := decide(ctx, tx, moderator.ID, id, revision, StatusPending, StatusPublished)
			if err != nil || status == StatusPublished {
				return err
			}
			return ErrChanged
		}
		return s.tell(ctx, tx, notify, authorID, "Your career story is published",
			"Thank you for sharing your career story (%s). A moderator has published it, so everyone signed in to Pillars can now read it.\n\nYou can change it or withdraw it at any time from the career stories page; a changed story is checked again before it is shown.", role)
	})
}

// Decline refuses a pending story with a reason, which is emailed to the author. ErrNotAllowed
// unless the person may moderate; ErrOwnStory for their own story.
func (s *Service) Decline(ctx context.Context, moderator *auth.User, id int64, revision int, reason string, notify Notify) error {
	if !CanModerate(moderator) {
		return ErrNotAllowed
	}
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return valid.Errors{{Field: "reason", Message: "Say why you are declining it: the author will be sent your reason"}}
	}
	if utf8.RuneCountInString(reason) > 2000 {
		return valid.Errors{{Field: "reason", Message: "Write the reason in 2,000 characters or fewer"}}
	}
	return s.db.InTx(ctx, func(tx *store.Tx) error {
		_, authorID, role, err := decide(ctx, tx, moderator.ID, id, revision, StatusPending)
		if err != nil {
			return err
		}
		if s.afterRead != nil {
			if err := s.afterRead(ctx, tx); err != nil {
				return err
			}
		}
		now := s.now()
		res, err := tx.Exec(ctx, `UPDATE career_stories SET status = 'declined', decline_reason = ?, moderated_by = ?, moderated_at = ?
			WHERE id = ? AND revision = ? AND status = 'pending'`, reason, moderator.ID, now, id, revision)
		if err != nil {
			return fmt.Errorf("stories: decline %d: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			if _, _, _, err := decide(ctx, tx, moderator.ID, id, revision, StatusPending); err != nil {
				return err
			}
			return ErrChanged
		}
		return s.tell(ctx, tx, notify, authorID, "Your career story for Pillars",
			"Thank you for writing your career story (%s). A moderator has decided not to publish it as it is, for this reason:\n\n"+
				strings.ReplaceAll(reason, "%", "%%")+"\n\nYou can change it and send it again from the career stories page, or withdraw it.", role)
	})
}

// tell emails a story's author through notify in the caller's transaction (demo stories have no
// author, and a missing hook sends nothing).
func (s *Service) tell(ctx context.Context, tx *store.Tx, notify Notify, authorID int64, subject, format, role string) error {
	if authorID == 0 || notify == nil {
		return nil
	}
	u, err := s.accounts.UserByID(ctx, authorID)
	if errors.Is(err, auth.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	return notify(ctx, tx, mail.Message{To: u.Email, Subject: subject,
		Text: fmt.Sprintf("Hello %s,\n\n", u.Name) + fmt.Sprintf(format, role) + "\n\nPillars\n"})
}

// Keyed is a story loaded as data (the demo's), found again by its key.
type Keyed struct {
	Key    string
	Input  Input
	Upload *Upload
}

// LoadKeyed adds the published stories whose keys are not stored yet, checked like any story,
// all or none. It returns how many it added; loading the same stories again adds nothing.
func (s *Service) LoadKeyed(ctx context.Context, list []Keyed) (int, error) {
	added := 0
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		added = 0
		for _, k := range list {
			if k.Key == "" {
				return fmt.Errorf("stories: a loaded story needs a key")
			}
			var n int
			if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM career_stories WHERE key = ?`, k.Key).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				continue
			}
			st, ctype, errs := Check(k.Input, k.Upload)
			if errs.Any() {
				return fmt.Errorf("stories: %s: %w", k.Key, errs)
			}
			st.Key, st.Status, st.Revision = k.Key, StatusPublished, 1
			if err := s.insert(ctx, tx, st, k.Upload, ctype); err != nil {
				return fmt.Errorf("stories: %s: %w", k.Key, err)
			}
			added++
		}
		return nil
	})
	return added, err
}
