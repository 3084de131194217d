package mentoring

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/pillars-ot/pillars/internal/portfolio"
	"github.com/pillars-ot/pillars/internal/store"
	"github.com/pillars-ot/pillars/internal/valid"
)

// Notes come in two parts. Shared notes belong to the session: both people read and write
// them. Private notes belong to their author alone: every read has the author's id in the
// WHERE clause, so the other person in the pair finds nothing, exactly as a stranger would.

const maxPrivateNote = 20000

// NotesVersion identifies the shared notes as someone read them. Saving carries it back, so
// one person's save never silently overwrites what the other wrote meanwhile.
func NotesVersion(notes string) string {
	h := sha256.Sum256([]byte(notes))
	return hex.EncodeToString(h[:8])
}

// ErrNotesChanged means the shared notes were changed by the other person after the writer
// opened them. Nothing was saved; Current holds the notes as they now are.
type ErrNotesChanged struct{ Current string }

func (e *ErrNotesChanged) Error() string { return "mentoring: the shared notes were changed meanwhile" }

// SaveSharedNotes writes a session's shared notes. seen is the NotesVersion the writer
// started from; if the notes have changed since, nothing is saved and *ErrNotesChanged
// carries the current notes so both versions can be shown.
func (s *Service) SaveSharedNotes(ctx context.Context, viewerID, sessionID int64, notes, seen string) error {
	notes = cleanText(notes)
	if utf8.RuneCountInString(notes) > maxSharedNotes {
		return valid.Errors{{Field: "shared_notes", Message: "Write the shared notes in 20,000 characters or fewer"}}
	}
	return s.db.InTx(ctx, func(tx *store.Tx) error {
		x, _, err := s.sessionTx(ctx, tx, viewerID, sessionID)
		if err != nil {
			return err
		}
		if x.Status == SessionCancelled {
			return ErrSessionClosed
		}
		if x.SharedNotes == notes {
			return nil
		}
		if seen != NotesVersion(x.SharedNotes) {
			return &ErrNotesChanged{Current: x.SharedNotes}
		}
		_, err = tx.Exec(ctx, `UPDATE mentoring_sessions SET shared_notes = ?, updated_at = ? WHERE id = ?`, notes, s.now(), sessionID)
		return err
	})
}

// PrivateNote is one person's own note on a session.
type PrivateNote struct {
	ID        int64
	SessionID int64
	AuthorID  int64
	Body      string
	UpdatedAt time.Time
}

func scanNote(row scanner) (*PrivateNote, error) {
	var n PrivateNote
	if err := row.Scan(&n.ID, &n.SessionID, &n.AuthorID, &n.Body, &n.UpdatedAt); err != nil {
		return nil, err
	}
	n.UpdatedAt = n.UpdatedAt.UTC()
	return &n, nil
}

// PrivateNoteByID returns a private note if authorID wrote it, and ErrNotFound otherwise,
// to the other person in the pair as to anyone else.
func (s *Service) PrivateNoteByID(ctx context.Context, authorID, id int64) (*PrivateNote, error) {
	n, err := scanNote(s.db.QueryRow(ctx, `SELECT id, session_id, author_id, body, updated_at FROM mentoring_private_notes WHERE id = ? AND author_id = ?`, id, authorID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("mentoring: private note %d: %w", id, err)
	}
	return n, nil
}

// MyPrivateNote returns the author's own note on a session, or nil when they have written
// none.
func (s *Service) MyPrivateNote(ctx context.Context, authorID, sessionID int64) (*PrivateNote, error) {
	n, err := scanNote(s.db.QueryRow(ctx, `SELECT id, session_id, author_id, body, updated_at FROM mentoring_private_notes WHERE session_id = ? AND author_id = ?`, sessionID, authorID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("mentoring: private note on %d: %w", sessionID, err)
	}
	return n, nil
}

func checkPrivateNote(body string) (string, error) {
	body = cleanText(body)
	if utf8.RuneCountInString(body) > maxPrivateNote {
		return "", valid.Errors{{Field: "private_notes", Message: "Write your private notes in 20,000 characters or fewer"}}
	}
	return body, nil
}

// SavePrivateNote writes the author's own note on a session of theirs, making it on the
// first save, and returns it.
func (s *Service) SavePrivateNote(ctx context.Context, authorID, sessionID int64, body string) (*PrivateNote, error) {
	body, err := checkPrivateNote(body)
	if err != nil {
		return nil, err
	}
	var id int64
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		x, _, err := s.sessionTx(ctx, tx, authorID, sessionID)
		if err != nil {
			return err
		}
		now := s.now()
		res, err := tx.Exec(ctx, `UPDATE mentoring_private_notes SET body = ?, updated_at = ? WHERE session_id = ? AND author_id = ?`, body, now, x.ID, authorID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 1 {
			return tx.QueryRow(ctx, `SELECT id FROM mentoring_private_notes WHERE session_id = ? AND author_id = ?`, x.ID, authorID).Scan(&id)
		}
		id, err = tx.Insert(ctx, `INSERT INTO mentoring_private_notes (session_id, author_id, body, updated_at) VALUES (?, ?, ?, ?)`, x.ID, authorID, body, now)
		return err
	})
	if err != nil {
		return nil, err
	}
	return s.PrivateNoteByID(ctx, authorID, id)
}

// UpdatePrivateNote rewrites a private note by its id, for its author only: anyone else gets
// ErrNotFound and the note is unchanged.
func (s *Service) UpdatePrivateNote(ctx context.Context, authorID, id int64, body string) error {
	body, err := checkPrivateNote(body)
	if err != nil {
		return err
	}
	res, err := s.db.Exec(ctx, `UPDATE mentoring_private_notes SET body = ?, updated_at = ? WHERE id = ? AND author_id = ?`, body, s.now(), id, authorID)
	if err != nil {
		return fmt.Errorf("mentoring: update private note %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

// ErrMenteeOnly means only the mentee may do this (turning a session into CPD: it is their
// learning). Nothing was changed.
var ErrMenteeOnly = errors.New("mentoring: only the mentee can do this")

// cpdActivityType is the HCPC activity type of being mentored or coached: the CPD framework
// lists "coaching from others" under work-based learning (mentoring others is professional
// activity, which is the mentor's, not the mentee's).
const cpdActivityType = "work-based"

// maxCPDReflection keeps the prefilled reflection inside the portfolio's limit for one stage.
const maxCPDReflection = 29000

// SessionToCPD makes the mentee's draft CPD entry from a held session, or returns the one
// already made, so a second click never makes a second entry. The draft holds the title, the
// date, hours from the length, tags for the pair's focus areas that the portfolio accepts,
// and a free-text reflection started from the agenda, the shared notes and the mentee's own
// private notes, for them to finish in their own words.
//
// Making the entry and recording it on the session are one transaction, with the session
// locked (its relationship and then the session, FOR UPDATE on PostgreSQL; SQLite has one
// writer): two clicks at once make one entry, and a failure leaves neither an entry nor a link.
func (s *Service) SessionToCPD(ctx context.Context, menteeID, sessionID int64, p *portfolio.Service) (int64, error) {
	var id int64
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		x, r, err := s.sessionTx(ctx, tx, menteeID, sessionID)
		if err != nil {
			return err
		}
		if !r.IsMentee(menteeID) {
			return ErrMenteeOnly
		}
		if x.CPDEntryID != 0 {
			// Deleting the entry clears the link (ON DELETE SET NULL), and that waits for the
			// session's lock, so a linked entry is still there; Get checks that it is theirs.
			if _, err := p.Get(ctx, menteeID, x.CPDEntryID); err == nil {
				id = x.CPDEntryID
				return nil
			} else if !errors.Is(err, portfolio.ErrNotFound) {
				return err
			}
		}
		if x.Status != SessionHeld {
			return valid.Errors{{Field: "cpd", Message: "Mark the session as held before turning it into a CPD entry"}}
		}
		in, err := s.cpdInput(ctx, menteeID, r, x)
		if err != nil {
			return err
		}
		if id, err = p.CreateTx(ctx, tx, menteeID, in, true, nil); err != nil {
			return fmt.Errorf("mentoring: CPD entry from session %d: %w", sessionID, err)
		}
		if _, err := tx.Exec(ctx, `UPDATE mentoring_sessions SET cpd_entry_id = ?, updated_at = ? WHERE id = ?`, id, s.now(), sessionID); err != nil {
			return fmt.Errorf("mentoring: link CPD entry to session %d: %w", sessionID, err)
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return id, nil
}

func (s *Service) cpdInput(ctx context.Context, menteeID int64, r *Relationship, x *Session) (portfolio.EntryInput, error) {
	var b strings.Builder
	section := func(title, text string) {
		if text = strings.TrimSpace(text); text != "" {
			if b.Len() > 0 {
				b.WriteString("\n\n")
			}
			b.WriteString(title + ":\n" + text)
		}
	}
	section("What we planned to discuss", x.Agenda)
	section("Our shared notes", x.SharedNotes)
	own, err := s.MyPrivateNote(ctx, menteeID, x.ID)
	if err != nil {
		return portfolio.EntryInput{}, err
	}
	if own != nil {
		section("My own notes", own.Body)
	}
	if b.Len() > 0 {
		b.WriteString("\n\n")
	}
	b.WriteString("What I learnt, and what I will do differently:\n")
	reflection := b.String()
	if utf8.RuneCountInString(reflection) > maxCPDReflection {
		reflection = string([]rune(reflection)[:maxCPDReflection]) + "…"
	}
	in := portfolio.EntryInput{
		Title:        "Mentoring session with " + r.MentorName,
		StartedOn:    x.DateUK(),
		ActivityType: cpdActivityType,
		Hours:        portfolio.FormatHours(x.Minutes),
		Model:        "free",
		Stages:       map[string]string{"reflection": reflection},
	}
	if r.Kind == "coaching" {
		in.Title = "Coaching session with " + r.MentorName
	}
	areas, err := s.FocusAreas(ctx, menteeID, r.ID)
	if err != nil {
		return portfolio.EntryInput{}, err
	}
	for _, a := range areas {
		if s.taggable(ctx, a.Framework, a.Element) {
			in.Tags = append(in.Tags, portfolio.Tag{Framework: a.Framework, Element: a.Element})
		}
	}
	return in, nil
}

// taggable reports whether the portfolio offers an element as a tag (portfolio.TagSets).
func (s *Service) taggable(ctx context.Context, fw, el string) bool {
	if s.frameworks == nil {
		return false
	}
	for _, set := range portfolio.TagSets {
		if set.Framework != fw {
			continue
		}
		f, _, err := s.frameworks.Get(ctx, fw, "")
		if err != nil {
			return false
		}
		e := f.Element(el)
		if e == nil {
			return false
		}
		for _, k := range set.Kinds {
			if e.Kind == k {
				return true
			}
		}
	}
	return false
}
