package mentoring

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // UK time must not depend on the host having a time zone database
	"unicode/utf8"

	"github.com/pillars-ot/pillars/internal/mail"
	"github.com/pillars-ot/pillars/internal/store"
	"github.com/pillars-ot/pillars/internal/valid"
)

// Session statuses.
const (
	SessionPlanned   = "planned"
	SessionHeld      = "held"
	SessionCancelled = "cancelled"
)

// ErrSessionClosed means the session has already been held or cancelled, so it can no
// longer be moved, cancelled or marked as held. Nothing was changed.
var ErrSessionClosed = errors.New("mentoring: the session has been held or cancelled")

// SessionModes are how a session can happen.
var SessionModes = []Labelled{{"video", "Video call"}, {"phone", "Phone"}, {"in-person", "In person"}}

// Limits on a session.
const (
	minSessionMinutes = 5
	maxSessionMinutes = 480
	maxAgenda         = 4000
	maxLocation       = 500
	maxSharedNotes    = 20000
)

// Session is one meeting of a pair.
type Session struct {
	ID             int64
	RelationshipID int64
	StartsAt       time.Time // UTC
	Minutes        int
	Mode           string
	Location       string
	Agenda         string
	SharedNotes    string
	Status         string
	ICSUID         string
	ICSSequence    int
	CPDEntryID     int64 // the mentee's CPD entry made from it, or 0
	CreatedBy      int64
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// EndsAt is when the session ends.
func (x *Session) EndsAt() time.Time { return x.StartsAt.Add(time.Duration(x.Minutes) * time.Minute) }

// When says when the session is, in UK time: "Tuesday 3 March 2026, 14:00 to 15:00".
func (x *Session) When() string {
	start, end := x.StartsAt.In(ukZone), x.EndsAt().In(ukZone)
	s := start.Format("Monday 2 January 2006, 15:04") + " to " + end.Format("15:04")
	if end.Format(time.DateOnly) != start.Format(time.DateOnly) {
		s = start.Format("Monday 2 January 2006, 15:04") + " to " + end.Format("Monday 2 January 2006, 15:04")
	}
	return s
}

// ukDate shows a YYYY-MM-DD date as people read it, "31 March 2027".
func ukDate(v string) string {
	d, err := time.Parse(time.DateOnly, v)
	if err != nil {
		return v
	}
	return d.Format("2 January 2006")
}

// DateUK is the session's date in the UK, as YYYY-MM-DD.
func (x *Session) DateUK() string { return x.StartsAt.In(ukZone).Format(time.DateOnly) }

// ModeLabel says how the session happens.
func (x *Session) ModeLabel() string { return LabelFor(SessionModes, x.Mode) }

// Link is the location when it is a meeting link (always https), for showing as a link.
func (x *Session) Link() string {
	if u, ok := httpsLink(x.Location); ok {
		return u
	}
	return ""
}

// Upcoming reports whether the session is planned and has not yet ended.
func (x *Session) Upcoming(now time.Time) bool {
	return x.Status == SessionPlanned && x.EndsAt().After(now)
}

// SessionInput is a session as typed: date and start time in UK time.
type SessionInput struct {
	Date     string // YYYY-MM-DD
	Time     string // HH:MM, 24-hour
	Minutes  string
	Mode     string
	Location string
	Agenda   string
}

// SessionInputOf is a session as its form shows it.
func SessionInputOf(x *Session) SessionInput {
	start := x.StartsAt.In(ukZone)
	return SessionInput{Date: start.Format(time.DateOnly), Time: start.Format("15:04"), Minutes: strconv.Itoa(x.Minutes),
		Mode: x.Mode, Location: x.Location, Agenda: x.Agenda}
}

type checkedSession struct {
	startsAt time.Time
	minutes  int
	mode     string
	location string
	agenda   string
}

var clockPattern = regexp.MustCompile(`^([01]?[0-9]|2[0-3])[:.]([0-5][0-9])(?::00)?$`)

// linkSchemes are the schemes that make a location a link when it starts with one and a
// colon. A place can have a colon too ("Room:3B", "Ward:5"), so any other word before a colon
// is not a scheme.
var linkSchemes = []string{"http", "https", "javascript", "data", "vbscript", "file", "ftp", "tel", "mailto"}

// httpsLink reports whether v is a well-formed https link, and returns it.
func httpsLink(v string) (string, bool) {
	if strings.ContainsAny(v, " \t\n<>\"") {
		return "", false
	}
	u, err := url.Parse(v)
	if err != nil || u.Scheme != "https" || u.Host == "" || u.User != nil {
		return "", false
	}
	return u.String(), true
}

// looksLikeLink says whether a location was meant as a link rather than a place: it has
// "://", starts with "www.", or starts with one of linkSchemes and a colon.
func looksLikeLink(v string) bool {
	lower := strings.ToLower(strings.TrimSpace(v))
	if strings.Contains(lower, "://") || strings.HasPrefix(lower, "www.") {
		return true
	}
	if scheme, _, ok := strings.Cut(lower, ":"); ok {
		return slices.Contains(linkSchemes, strings.TrimSpace(scheme))
	}
	return false
}

// CheckSession says field by field what is wrong with a session of relationship r as typed,
// without saving anything, so a form can show every problem at once alongside its own checks.
func (s *Service) CheckSession(r *Relationship, in SessionInput) valid.Errors {
	_, errs := s.checkSession(r, in)
	return errs
}

// checkSession checks a session as typed for relationship r, whose agreed end date (when the
// pair has set one) is the last day a session can be planned for.
func (s *Service) checkSession(r *Relationship, in SessionInput) (checkedSession, valid.Errors) {
	var errs valid.Errors
	var c checkedSession
	date, clock := strings.TrimSpace(in.Date), strings.TrimSpace(in.Time)
	var day time.Time
	dayOK := false
	if date == "" {
		errs.Add("date", "Enter the date of the session")
	} else if d, err := time.ParseInLocation(time.DateOnly, date, ukZone); err != nil {
		errs.Add("date", "The date must be a real date, like 2026-03-31")
	} else {
		today, _ := time.ParseInLocation(time.DateOnly, s.todayUK(), ukZone)
		switch {
		case d.Before(today.AddDate(-1, 0, 0)):
			errs.Add("date", "The date must be within the last year: older sessions cannot be logged")
		case d.After(today.AddDate(maxAgreementYears, 0, 0)):
			errs.Add("date", "The date must be within 2 years from today")
		case r != nil && r.AgreementEndOn != "" && d.Format(time.DateOnly) > r.AgreementEndOn:
			errs.Add("date", "The date must be on or before "+ukDate(r.AgreementEndOn)+", when your agreement says you will finish. Change the agreement's end date first if you need to meet later")
		default:
			day, dayOK = d, true
		}
	}
	var hour, minute int
	clockOK := false
	if clock == "" {
		errs.Add("time", "Enter the start time, like 14:30")
	} else if m := clockPattern.FindStringSubmatch(clock); m == nil {
		errs.Add("time", "Enter the start time on the 24-hour clock, like 09:30 or 14:30")
	} else {
		hour, _ = strconv.Atoi(m[1])
		minute, _ = strconv.Atoi(m[2])
		clockOK = true
	}
	if dayOK && clockOK {
		// UK time: on the night the clocks go forward a time that does not exist moves on
		// an hour, as a calendar app does.
		c.startsAt = time.Date(day.Year(), day.Month(), day.Day(), hour, minute, 0, 0, ukZone).UTC()
	}
	if v := strings.TrimSpace(in.Minutes); v == "" {
		errs.Add("minutes", "Enter how long the session is, in minutes")
	} else if n, err := strconv.Atoi(v); err != nil {
		errs.Add("minutes", "Enter the length as a whole number of minutes, like 60")
	} else if n < minSessionMinutes || n > maxSessionMinutes {
		errs.Add("minutes", "The length must be between 5 and 480 minutes (8 hours)")
	} else {
		c.minutes = n
	}
	c.mode = strings.TrimSpace(in.Mode)
	if !inList(SessionModes, c.mode) {
		errs.Add("mode", "Choose video call, phone or in person")
	}
	c.location = strings.TrimSpace(in.Location)
	if utf8.RuneCountInString(c.location) > maxLocation {
		errs.Add("location", "Write the place or link in 500 characters or fewer")
	} else if looksLikeLink(c.location) {
		if link, ok := httpsLink(c.location); ok {
			c.location = link
		} else if strings.HasPrefix(strings.ToLower(c.location), "http://") {
			errs.Add("location", "Use a secure meeting link that starts with https://")
		} else {
			errs.Add("location", "Enter a meeting link that starts with https://, or a place such as a room name")
		}
	}
	c.agenda = cleanText(in.Agenda)
	if utf8.RuneCountInString(c.agenda) > maxAgenda {
		errs.Add("agenda", "Write the agenda in 4,000 characters or fewer")
	}
	return c, errs
}

const selectSession = `SELECT id, relationship_id, starts_at, minutes, mode, location, agenda, shared_notes, status, ics_uid, ics_sequence,
	COALESCE(cpd_entry_id, 0), COALESCE(created_by, 0), created_at, updated_at FROM mentoring_sessions`

func scanSession(row scanner) (*Session, error) {
	var x Session
	if err := row.Scan(&x.ID, &x.RelationshipID, &x.StartsAt, &x.Minutes, &x.Mode, &x.Location, &x.Agenda, &x.SharedNotes, &x.Status,
		&x.ICSUID, &x.ICSSequence, &x.CPDEntryID, &x.CreatedBy, &x.CreatedAt, &x.UpdatedAt); err != nil {
		return nil, err
	}
	x.StartsAt, x.CreatedAt, x.UpdatedAt = x.StartsAt.UTC(), x.CreatedAt.UTC(), x.UpdatedAt.UTC()
	return &x, nil
}

// sessionReader is what both the database and a transaction offer for reading.
type sessionReader interface {
	Query(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRow(ctx context.Context, query string, args ...any) *sql.Row
}

func (s *Service) sessionsWhere(ctx context.Context, q sessionReader, where string, args ...any) ([]*Session, error) {
	return s.sessionsQuery(ctx, q, ` WHERE `+where+` ORDER BY starts_at, id`, args...)
}

// sessionsQuery reads sessions with tail (WHERE, ORDER BY, LIMIT) after the select.
func (s *Service) sessionsQuery(ctx context.Context, q sessionReader, tail string, args ...any) ([]*Session, error) {
	rows, err := q.Query(ctx, selectSession+tail, args...)
	if err != nil {
		return nil, fmt.Errorf("mentoring: sessions: %w", err)
	}
	defer rows.Close()
	var out []*Session
	for rows.Next() {
		x, err := scanSession(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, x)
	}
	return out, rows.Err()
}

// Sessions lists a relationship's sessions, earliest first, for the viewer if they are in
// the pair.
func (s *Service) Sessions(ctx context.Context, viewerID, relationshipID int64) ([]*Session, error) {
	if _, err := s.Relationship(ctx, viewerID, relationshipID); err != nil {
		return nil, err
	}
	return s.sessionsWhere(ctx, s.db, `relationship_id = ?`, relationshipID)
}

// SessionFor returns a session and its relationship if the viewer is in the pair, and
// ErrNotFound otherwise, through the relationship gate.
func (s *Service) SessionFor(ctx context.Context, viewerID, id int64) (*Session, *Relationship, error) {
	x, err := scanSession(s.db.QueryRow(ctx, selectSession+` WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, ErrNotFound
	}
	if err != nil {
		return nil, nil, fmt.Errorf("mentoring: session %d: %w", id, err)
	}
	r, err := s.Relationship(ctx, viewerID, x.RelationshipID)
	if err != nil {
		return nil, nil, err
	}
	return x, r, nil
}

// sessionTx reads a session for a change, locking its relationship first and then the
// session (the order every change takes, so two changes never wait for each other).
func (s *Service) sessionTx(ctx context.Context, tx *store.Tx, viewerID, id int64) (*Session, *Relationship, error) {
	var relID int64
	err := tx.QueryRow(ctx, `SELECT relationship_id FROM mentoring_sessions WHERE id = ?`, id).Scan(&relID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, ErrNotFound
	}
	if err != nil {
		return nil, nil, fmt.Errorf("mentoring: session %d: %w", id, err)
	}
	r, err := s.relationshipTx(ctx, tx, viewerID, relID)
	if err != nil {
		return nil, nil, err
	}
	q := selectSession + ` WHERE id = ?`
	if tx.Dialect() == store.Postgres {
		q += ` FOR UPDATE`
	}
	x, err := scanSession(tx.QueryRow(ctx, q, id))
	if err != nil {
		return nil, nil, fmt.Errorf("mentoring: session %d: %w", id, err)
	}
	return x, r, nil
}

func newICSUID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b) + "@pillars"
}

// ScheduleSession plans a session of an active relationship and sends both people an
// invitation (METHOD:REQUEST) in the same transaction.
func (s *Service) ScheduleSession(ctx context.Context, viewerID, relationshipID int64, in SessionInput, out *Outbox) (*Session, error) {
	if _, errs := s.checkSession(nil, in); errs.Any() {
		return nil, errs
	}
	var x *Session
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		r, err := s.relationshipTx(ctx, tx, viewerID, relationshipID)
		if err != nil {
			return err
		}
		if r.Status != StatusActive {
			return ErrRelationshipClosed
		}
		// Checked again against the agreement as it is now, under the relationship's lock.
		c, errs := s.checkSession(r, in)
		if errs.Any() {
			return errs
		}
		now := s.now()
		x = &Session{RelationshipID: r.ID, StartsAt: c.startsAt, Minutes: c.minutes, Mode: c.mode, Location: c.location, Agenda: c.agenda,
			Status: SessionPlanned, ICSUID: newICSUID(), CreatedBy: viewerID, CreatedAt: now, UpdatedAt: now}
		x.ID, err = tx.Insert(ctx, `INSERT INTO mentoring_sessions (relationship_id, starts_at, minutes, mode, location, agenda, status, ics_uid, ics_sequence, created_by, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, 'planned', ?, 0, ?, ?, ?)`, r.ID, x.StartsAt, x.Minutes, x.Mode, x.Location, x.Agenda, x.ICSUID, viewerID, now, now)
		if err != nil {
			return fmt.Errorf("mentoring: schedule session: %w", err)
		}
		return s.sendInvitations(ctx, tx, r, x, viewerID, icsRequest, "arranged", out)
	})
	if err != nil {
		return nil, err
	}
	return x, nil
}

// RescheduleSession changes a planned session. A change raises the invitation's SEQUENCE and
// sends the updated invitation to both people; saving it unchanged sends nothing.
func (s *Service) RescheduleSession(ctx context.Context, viewerID, id int64, in SessionInput, out *Outbox) error {
	if _, errs := s.checkSession(nil, in); errs.Any() {
		return errs
	}
	return s.db.InTx(ctx, func(tx *store.Tx) error {
		x, r, err := s.sessionTx(ctx, tx, viewerID, id)
		if err != nil {
			return err
		}
		if r.Status != StatusActive {
			return ErrRelationshipClosed
		}
		if x.Status != SessionPlanned {
			return ErrSessionClosed
		}
		c, errs := s.checkSession(r, in)
		if errs.Any() {
			return errs
		}
		if x.StartsAt.Equal(c.startsAt) && x.Minutes == c.minutes && x.Mode == c.mode && x.Location == c.location && x.Agenda == c.agenda {
			return nil
		}
		x.StartsAt, x.Minutes, x.Mode, x.Location, x.Agenda = c.startsAt, c.minutes, c.mode, c.location, c.agenda
		x.ICSSequence++
		x.UpdatedAt = s.now()
		if _, err := tx.Exec(ctx, `UPDATE mentoring_sessions SET starts_at = ?, minutes = ?, mode = ?, location = ?, agenda = ?, ics_sequence = ?, updated_at = ? WHERE id = ?`,
			x.StartsAt, x.Minutes, x.Mode, x.Location, x.Agenda, x.ICSSequence, x.UpdatedAt, x.ID); err != nil {
			return fmt.Errorf("mentoring: reschedule session %d: %w", id, err)
		}
		return s.sendInvitations(ctx, tx, r, x, viewerID, icsRequest, "changed", out)
	})
}

// CancelSession cancels a planned session of an active relationship and sends both people a
// cancellation (METHOD:CANCEL), so it leaves their calendars. Once the relationship has ended
// (which cancels the sessions still to come) nothing is cancelled and nobody is emailed.
func (s *Service) CancelSession(ctx context.Context, viewerID, id int64, out *Outbox) error {
	return s.db.InTx(ctx, func(tx *store.Tx) error {
		x, r, err := s.sessionTx(ctx, tx, viewerID, id)
		if err != nil {
			return err
		}
		if r.Status != StatusActive {
			return ErrRelationshipClosed
		}
		if x.Status != SessionPlanned {
			return ErrSessionClosed
		}
		return s.cancelTx(ctx, tx, r, x, viewerID, out)
	})
}

func (s *Service) cancelTx(ctx context.Context, tx *store.Tx, r *Relationship, x *Session, actorID int64, out *Outbox) error {
	x.Status, x.UpdatedAt = SessionCancelled, s.now()
	x.ICSSequence++
	res, err := tx.Exec(ctx, `UPDATE mentoring_sessions SET status = 'cancelled', ics_sequence = ?, updated_at = ? WHERE id = ? AND status = 'planned'`, x.ICSSequence, x.UpdatedAt, x.ID)
	if err != nil {
		return fmt.Errorf("mentoring: cancel session %d: %w", x.ID, err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return ErrSessionClosed
	}
	return s.sendInvitations(ctx, tx, r, x, actorID, icsCancel, "cancelled", out)
}

// MarkHeld records that a planned session took place. It can be marked from the day it
// starts (UK time), so notes can be written during it.
func (s *Service) MarkHeld(ctx context.Context, viewerID, id int64) error {
	return s.db.InTx(ctx, func(tx *store.Tx) error {
		x, _, err := s.sessionTx(ctx, tx, viewerID, id)
		if err != nil {
			return err
		}
		if x.Status != SessionPlanned {
			return ErrSessionClosed
		}
		if x.DateUK() > s.todayUK() {
			return valid.Errors{{Field: "held", Message: "This session has not happened yet: mark it as held on the day"}}
		}
		_, err = tx.Exec(ctx, `UPDATE mentoring_sessions SET status = 'held', updated_at = ? WHERE id = ? AND status = 'planned'`, s.now(), id)
		return err
	})
}

// sendInvitations emails both people the session's invitation (or cancellation) with the
// .ics attached. verb says what happened: arranged, changed or cancelled.
func (s *Service) sendInvitations(ctx context.Context, tx *store.Tx, r *Relationship, x *Session, actorID int64, method, verb string, out *Outbox) error {
	if out == nil || out.Send == nil {
		return nil
	}
	link := out.link("/mentoring/sessions/" + strconv.FormatInt(x.ID, 10))
	ics, err := s.invitation(r, x, method, link)
	if err != nil {
		return err
	}
	actor := r.MenteeName
	if actorID == r.MentorID {
		actor = r.MentorName
	}
	kind, arranged := "mentoring", "Mentoring session: "
	if r.Kind == "coaching" {
		kind, arranged = "coaching", "Coaching session: "
	}
	subject := map[string]string{"arranged": arranged, "changed": "Session changed: ", "cancelled": "Session cancelled: "}[verb] +
		x.StartsAt.In(ukZone).Format("Monday 2 January 2006 at 15:04")
	for _, to := range []struct{ name, email, other string }{{r.MenteeName, r.MenteeEmail, r.MentorName}, {r.MentorName, r.MentorEmail, r.MenteeName}} {
		var b strings.Builder
		fmt.Fprintf(&b, "Hello %s,\n\n", to.name)
		if verb == "cancelled" {
			fmt.Fprintf(&b, "The %s session between you and %s has been cancelled", kind, to.other)
		} else {
			fmt.Fprintf(&b, "A %s session between you and %s has been %s", kind, to.other, verb)
		}
		if to.name != actor {
			fmt.Fprintf(&b, " by %s", actor)
		}
		b.WriteString(".\n\n")
		fmt.Fprintf(&b, "When: %s (UK time)\nLength: %d minutes\nHow: %s\n", x.When(), x.Minutes, x.ModeLabel())
		if x.Location != "" {
			fmt.Fprintf(&b, "Where: %s\n", x.Location)
		}
		if x.Agenda != "" && verb != "cancelled" {
			fmt.Fprintf(&b, "\nAgenda:\n%s\n", x.Agenda)
		}
		if verb == "cancelled" {
			b.WriteString("\nThe attached cancellation removes it from your calendar.\n")
		} else {
			b.WriteString("\nThe invitation is attached: open it to add the session to your calendar.\n")
		}
		fmt.Fprintf(&b, "See the session in Pillars: %s\n\nPillars\n", link)
		m := mail.Message{To: to.email, Subject: subject, Text: b.String(), Attachments: []mail.Attachment{{
			Name: "session.ics", ContentType: "text/calendar; charset=utf-8; method=" + method, Data: ics}}}
		if err := out.send(ctx, tx, m); err != nil {
			return fmt.Errorf("mentoring: email invitation: %w", err)
		}
	}
	return nil
}

// SessionInvite is the session's invitation as last sent (a cancellation once cancelled),
// for the viewer if they are in the pair.
func (s *Service) SessionInvite(ctx context.Context, viewerID, id int64, baseURL string) ([]byte, error) {
	x, r, err := s.SessionFor(ctx, viewerID, id)
	if err != nil {
		return nil, err
	}
	method := icsRequest
	if x.Status == SessionCancelled {
		method = icsCancel
	}
	return s.invitation(r, x, method, strings.TrimRight(baseURL, "/")+"/mentoring/sessions/"+strconv.FormatInt(x.ID, 10))
}
