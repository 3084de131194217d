package assess

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/pillars-ot/pillars/internal/auth"
	"github.com/pillars-ot/pillars/internal/store"
	"github.com/pillars-ot/pillars/internal/valid"
)

// Relationship is how a rater knows the person.
type Relationship string

// The relationships a rater can have, as stored.
const (
	LineManager  Relationship = "line-manager"
	Peer         Relationship = "peer"
	DirectReport Relationship = "direct-report"
	MDT          Relationship = "mdt"
	Other        Relationship = "other"
)

// Relationships lists them in the order offered.
var Relationships = []Relationship{LineManager, Peer, DirectReport, MDT, Other}

var relationshipLabels = map[Relationship]string{
	LineManager:  "Line manager",
	Peer:         "Peer",
	DirectReport: "Direct report",
	MDT:          "Multidisciplinary colleague",
	Other:        "Other",
}

// Label is the relationship's name for people.
func (r Relationship) Label() string { return relationshipLabels[r] }

// MaxRaters caps a round, and MaxInvitesPerDay a person's invitations across rounds, so that
// Pillars cannot be used to email people in bulk.
const (
	MaxRaters        = 30
	MaxInvitesPerDay = 60
)

// MinGroup is the fewest raters whose answers may be shown as a group: fewer could identify
// someone. It is the NHS Leadership Academy's usual rule.
const MinGroup = 3

// Link failures for raters, each with its own plain message.
var (
	ErrLinkInvalid  = errors.New("this feedback link is not valid")
	ErrLinkExpired  = errors.New("this feedback request has closed")
	ErrLinkAnswered = errors.New("feedback has already been given through this link")
)

// Round is one 360 feedback request.
type Round struct {
	ID           int64
	UserID       int64
	AssessmentID int64
	Title        string
	Deadline     time.Time
	Status       string
	CreatedAt    time.Time
	ClosedAt     *time.Time
}

// Open reports whether raters can still answer.
func (r *Round) Open(now time.Time) bool { return r.Status == "open" && now.Before(r.Deadline) }

// Rater is someone invited to a round.
type Rater struct {
	ID           int64
	RoundID      int64
	Name         string
	Email        string
	Relationship Relationship
	InvitedAt    time.Time
	RespondedAt  *time.Time
}

// Invitation is an email to send a rater: the caller puts the link in a message and queues it.
type Invitation struct {
	Rater    Rater
	Token    string
	Subject  string // the person being rated
	Deadline time.Time
	Reminder bool
}

func newToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func tokenHash(t string) string {
	s := sha256.Sum256([]byte(t))
	return hex.EncodeToString(s[:])
}

// CreateRound starts a 360 on one of the person's submitted self-assessments.
// RoundHook runs inside the transaction that creates a round (to schedule its jobs); an error
// undoes the round.
type RoundHook func(ctx context.Context, tx *store.Tx, r *Round) error

// InvitationHook runs inside the transaction that invites (or reminds) a rater, to queue the
// email; an error undoes the invitation.
type InvitationHook func(ctx context.Context, tx *store.Tx, inv *Invitation) error

// CreateRound starts a 360 on one of the person's submitted self-assessments. then, if given,
// runs in the same transaction.
func (s *Service) CreateRound(ctx context.Context, userID, assessmentID int64, title string, deadline time.Time, then RoundHook) (*Round, error) {
	a, err := s.Get(ctx, userID, assessmentID)
	if err != nil {
		return nil, err
	}
	var errs valid.Errors
	if !a.Submitted() {
		errs.Add("assessment", "Submit your self-assessment first: raters are compared with it")
	}
	title = strings.TrimSpace(title)
	if title == "" {
		title = "360 feedback"
	}
	if utf8.RuneCountInString(title) > 120 {
		errs.Add("title", "Title must be 120 characters or fewer")
	}
	now := s.now()
	switch {
	case deadline.IsZero():
		errs.Add("deadline", "Enter the date by which raters should answer")
	case !deadline.After(now.Add(24 * time.Hour)):
		errs.Add("deadline", "The deadline must be at least a day from now, so raters have time to answer")
	case deadline.After(now.AddDate(0, 6, 0)):
		errs.Add("deadline", "The deadline must be within 6 months")
	}
	if errs.Any() {
		return nil, errs
	}
	var id int64
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		var err error
		id, err = tx.Insert(ctx, `INSERT INTO feedback_rounds (user_id, assessment_id, title, deadline, status, created_at) VALUES (?, ?, ?, ?, 'open', ?)`,
			userID, assessmentID, title, deadline.UTC(), now)
		if err != nil {
			return fmt.Errorf("assess: create round: %w", err)
		}
		if then != nil {
			return then(ctx, tx, &Round{ID: id, UserID: userID, AssessmentID: assessmentID, Title: title, Deadline: deadline.UTC(), Status: "open", CreatedAt: now})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s.Round(ctx, userID, id)
}

const roundColumns = `id, user_id, assessment_id, title, deadline, status, created_at, closed_at`

func scanRound(row interface{ Scan(...any) error }) (*Round, error) {
	var r Round
	var closed sql.NullTime
	if err := row.Scan(&r.ID, &r.UserID, &r.AssessmentID, &r.Title, &r.Deadline, &r.Status, &r.CreatedAt, &closed); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, ErrNotFound
		}
		return nil, err
	}
	r.ClosedAt = store.TimePtr(closed)
	return &r, nil
}

// Round returns one of the person's own rounds.
func (s *Service) Round(ctx context.Context, userID, id int64) (*Round, error) {
	return scanRound(s.db.QueryRow(ctx, `SELECT `+roundColumns+` FROM feedback_rounds WHERE id = ? AND user_id = ?`, id, userID))
}

// Rounds lists the person's rounds, newest first.
func (s *Service) Rounds(ctx context.Context, userID int64) ([]Round, error) {
	rows, err := s.db.Query(ctx, `SELECT `+roundColumns+` FROM feedback_rounds WHERE user_id = ? ORDER BY id DESC`, userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Round
	for rows.Next() {
		r, err := scanRound(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *r)
	}
	return out, rows.Err()
}

// Invite adds a rater to one of the person's open rounds and returns the invitation to email.
func (s *Service) Invite(ctx context.Context, subject *auth.User, roundID int64, name, email string, rel Relationship, then InvitationHook) (*Invitation, error) {
	r, err := s.Round(ctx, subject.ID, roundID)
	if err != nil {
		return nil, err
	}
	name, email = strings.TrimSpace(name), auth.NormaliseEmail(email)
	var errs valid.Errors
	if !r.Open(s.now()) {
		errs.Add("email", "This feedback request has closed, so no more raters can be invited")
	}
	if name == "" {
		errs.Add("name", "Enter the rater's name, so the email greets them properly")
	} else if utf8.RuneCountInString(name) > 120 {
		errs.Add("name", "Name must be 120 characters or fewer")
	}
	switch {
	case email == "":
		errs.Add("email", "Enter the rater's email address")
	case !auth.ValidEmail(email):
		errs.Add("email", "Enter an email address in the correct format, like name@example.nhs.uk")
	case email == subject.Email:
		errs.Add("email", "Invite other people: your own ratings come from your self-assessment")
	}
	if _, ok := relationshipLabels[rel]; !ok {
		errs.Add("relationship", "Choose how this person knows you")
	}
	if errs.Any() {
		return nil, errs
	}
	token := newToken()
	now := s.now()
	var raterID int64
	var inv *Invitation
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		if rel == LineManager {
			var n int
			if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM feedback_raters WHERE round_id = ? AND relationship = 'line-manager'`, roundID).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return valid.Errors{{Field: "relationship", Message: "You have already invited a line manager for this round"}}
			}
		}
		var invited int
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM feedback_raters WHERE round_id = ?`, roundID).Scan(&invited); err != nil {
			return err
		}
		if invited >= MaxRaters {
			return valid.Errors{{Field: "email", Message: fmt.Sprintf("A request can have at most %d raters", MaxRaters)}}
		}
		var today int
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM feedback_raters r JOIN feedback_rounds f ON f.id = r.round_id WHERE f.user_id = ? AND r.invited_at > ?`,
			subject.ID, now.Add(-24*time.Hour)).Scan(&today); err != nil {
			return err
		}
		if today >= MaxInvitesPerDay {
			return valid.Errors{{Field: "email", Message: fmt.Sprintf("You have sent %d invitations in the last 24 hours, the most Pillars sends for one person. Try again tomorrow.", MaxInvitesPerDay)}}
		}
		var err error
		raterID, err = tx.Insert(ctx, `INSERT INTO feedback_raters (round_id, name, email, relationship, invited_at) VALUES (?, ?, ?, ?, ?)`, roundID, name, email, rel, now)
		if store.IsUniqueViolation(err) {
			if rel == LineManager && strings.Contains(err.Error(), "line_manager") {
				return valid.Errors{{Field: "relationship", Message: "You have already invited a line manager for this round"}}
			}
			return valid.Errors{{Field: "email", Message: "You have already invited this person"}}
		}
		if err != nil {
			return err
		}
		if _, err = tx.Exec(ctx, `INSERT INTO feedback_links (token_hash, rater_id, created_at) VALUES (?, ?, ?)`, tokenHash(token), raterID, now); err != nil {
			return err
		}
		inv = &Invitation{Rater: Rater{ID: raterID, RoundID: roundID, Name: name, Email: email, Relationship: rel, InvitedAt: now}, Token: token, Subject: subject.Name, Deadline: r.Deadline}
		if then != nil {
			return then(ctx, tx, inv)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return inv, nil
}

// Raters lists a round's raters. The person sees only counts and the line manager's name; this
// full list is for sending email and for the round owner's own status counts.
func (s *Service) raters(ctx context.Context, roundID int64) ([]Rater, error) {
	rows, err := s.db.Query(ctx, `SELECT id, round_id, name, email, relationship, invited_at, responded_at FROM feedback_raters WHERE round_id = ? ORDER BY id`, roundID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Rater
	for rows.Next() {
		var r Rater
		var resp sql.NullTime
		if err := rows.Scan(&r.ID, &r.RoundID, &r.Name, &r.Email, &r.Relationship, &r.InvitedAt, &resp); err != nil {
			return nil, err
		}
		r.RespondedAt = store.TimePtr(resp)
		out = append(out, r)
	}
	return out, rows.Err()
}

// GroupCount is how many were invited and have answered in one relationship group.
type GroupCount struct {
	Relationship Relationship
	Invited      int
	Answered     int
}

// RoundStatus is what the person may see of their round's raters: how many they invited in each
// relationship, how many have answered in all, and the line manager by name (line managers are
// not anonymous). Answers per relationship are not given: watching them change would tell the
// person who has just answered.
type RoundStatus struct {
	Groups      []GroupCount
	Invited     int
	Answered    int
	LineManager *Rater
}

// Status summarises one of the person's rounds without naming anonymous raters.
func (s *Service) Status(ctx context.Context, userID, roundID int64) (*RoundStatus, error) {
	if _, err := s.Round(ctx, userID, roundID); err != nil {
		return nil, err
	}
	rs, err := s.raters(ctx, roundID)
	if err != nil {
		return nil, err
	}
	st := &RoundStatus{}
	for _, rel := range Relationships {
		g := GroupCount{Relationship: rel}
		for i, r := range rs {
			if r.Relationship != rel {
				continue
			}
			g.Invited++
			if r.RespondedAt != nil {
				g.Answered++
			}
			if rel == LineManager {
				st.LineManager = &rs[i]
			}
		}
		st.Invited += g.Invited
		st.Answered += g.Answered
		st.Groups = append(st.Groups, g)
	}
	return st, nil
}

// RaterView is what a rater sees through their link.
type RaterView struct {
	Rater      Rater
	Round      Round
	Subject    string // the name of the person being rated
	Assessment *Assessment
}

// ByToken finds the rater a link belongs to. It says why a link cannot be used.
func (s *Service) ByToken(ctx context.Context, token string) (*RaterView, error) {
	if token == "" || len(token) > 100 {
		return nil, ErrLinkInvalid
	}
	var v RaterView
	var resp, closed sql.NullTime
	err := s.db.QueryRow(ctx, `SELECT r.id, r.round_id, r.name, r.email, r.relationship, r.invited_at, r.responded_at,
			f.id, f.user_id, f.assessment_id, f.title, f.deadline, f.status, f.created_at, f.closed_at, u.name
		FROM feedback_links l JOIN feedback_raters r ON r.id = l.rater_id JOIN feedback_rounds f ON f.id = r.round_id JOIN users u ON u.id = f.user_id
		WHERE l.token_hash = ?`, tokenHash(token)).Scan(&v.Rater.ID, &v.Rater.RoundID, &v.Rater.Name, &v.Rater.Email, &v.Rater.Relationship, &v.Rater.InvitedAt, &resp,
		&v.Round.ID, &v.Round.UserID, &v.Round.AssessmentID, &v.Round.Title, &v.Round.Deadline, &v.Round.Status, &v.Round.CreatedAt, &closed, &v.Subject)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrLinkInvalid
	}
	if err != nil {
		return nil, err
	}
	if resp.Valid {
		return nil, ErrLinkAnswered
	}
	if !v.Round.Open(s.now()) {
		return nil, ErrLinkExpired
	}
	if v.Assessment, err = s.Get(ctx, v.Round.UserID, v.Round.AssessmentID); err != nil {
		return nil, err
	}
	return &v, nil
}

// MaxComment is the longest comment, in characters.
const MaxComment = 2000

// Response is a rater's answers: element -> rating, where 0 means "not able to say".
type Response struct {
	Ratings     map[string]int
	Strength    string
	Development string
}

// Respond records a rater's answers once. Every element needs a rating or "not able to say".
// Comments are stored apart from the rater, in random order, so they cannot be traced back.
func (s *Service) Respond(ctx context.Context, token string, resp Response) error {
	v, err := s.ByToken(ctx, token)
	if err != nil {
		return err
	}
	f, err := s.Framework(ctx, v.Assessment)
	if err != nil {
		return err
	}
	var errs valid.Errors
	onScale := map[int]bool{0: true}
	for _, p := range f.Scale.Points {
		onScale[p.Value] = true
	}
	for _, e := range f.Rateable() {
		r, given := resp.Ratings[e.Key]
		switch {
		case !given:
			errs.Add(FieldFor(e.Key, "rating"), fmt.Sprintf("Choose a rating for %s, or “not able to say”", e.Title))
		case !onScale[r]:
			errs.Add(FieldFor(e.Key, "rating"), fmt.Sprintf("The rating for %s must be on the scale, %d to %d", e.Title, f.Scale.Points[0].Value, f.Scale.Points[len(f.Scale.Points)-1].Value))
		}
	}
	resp.Strength, resp.Development = strings.TrimSpace(resp.Strength), strings.TrimSpace(resp.Development)
	if utf8.RuneCountInString(resp.Strength) > MaxComment {
		errs.Add("strength", fmt.Sprintf("The comment must be %d characters or fewer", MaxComment))
	}
	if utf8.RuneCountInString(resp.Development) > MaxComment {
		errs.Add("development", fmt.Sprintf("The comment must be %d characters or fewer", MaxComment))
	}
	if errs.Any() {
		return errs
	}
	return s.db.InTx(ctx, func(tx *store.Tx) error {
		// Claim the response first: of two submissions racing, exactly one wins.
		res, err := tx.Exec(ctx, `UPDATE feedback_raters SET responded_at = ? WHERE id = ? AND responded_at IS NULL`, s.now(), v.Rater.ID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrLinkAnswered
		}
		for _, e := range f.Rateable() {
			if r := resp.Ratings[e.Key]; r != 0 {
				if _, err := tx.Exec(ctx, `INSERT INTO feedback_ratings (rater_id, element_key, rating) VALUES (?, ?, ?)`, v.Rater.ID, e.Key, r); err != nil {
					return err
				}
			}
		}
		for kind, body := range map[string]string{"strength": resp.Strength, "development": resp.Development} {
			if body == "" {
				continue
			}
			if _, err := tx.Exec(ctx, `INSERT INTO feedback_comments (round_id, kind, body, sort_key) VALUES (?, ?, ?, ?)`, v.Round.ID, kind, body, newToken()[:16]); err != nil {
				return err
			}
		}
		return nil
	})
}

// Close ends a round: links stop working. Closing a closed round changes nothing.
func (s *Service) Close(ctx context.Context, userID, roundID int64) error {
	if _, err := s.Round(ctx, userID, roundID); err != nil {
		return err
	}
	return s.closeRound(ctx, roundID)
}

func (s *Service) closeRound(ctx context.Context, roundID int64) error {
	_, err := s.db.Exec(ctx, `UPDATE feedback_rounds SET status = 'closed', closed_at = ? WHERE id = ? AND status = 'open'`, s.now(), roundID)
	return err
}

// CloseDue closes a round whose deadline has passed. The close job calls it at the deadline.
func (s *Service) CloseDue(ctx context.Context, roundID int64) (bool, error) {
	res, err := s.db.Exec(ctx, `UPDATE feedback_rounds SET status = 'closed', closed_at = ? WHERE id = ? AND status = 'open' AND deadline <= ?`, s.now(), roundID, s.now())
	if err != nil {
		return false, err
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

// Reminders issues fresh links for the round's raters who have not answered and have not been
// reminded, and returns the invitations to email. The reminder job calls it before the deadline.
func (s *Service) Reminders(ctx context.Context, roundID int64, then InvitationHook) ([]Invitation, error) {
	var r Round
	var subject string
	var closed sql.NullTime
	err := s.db.QueryRow(ctx, `SELECT f.id, f.user_id, f.assessment_id, f.title, f.deadline, f.status, f.created_at, f.closed_at, u.name
		FROM feedback_rounds f JOIN users u ON u.id = f.user_id WHERE f.id = ?`, roundID).
		Scan(&r.ID, &r.UserID, &r.AssessmentID, &r.Title, &r.Deadline, &r.Status, &r.CreatedAt, &closed, &subject)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil // the round was deleted with its owner
	}
	if err != nil {
		return nil, err
	}
	if !r.Open(s.now()) {
		return nil, nil
	}
	var out []Invitation
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		rows, err := tx.Query(ctx, `SELECT id, name, email, relationship, invited_at FROM feedback_raters WHERE round_id = ? AND responded_at IS NULL AND reminded_at IS NULL ORDER BY id`, roundID)
		if err != nil {
			return err
		}
		var pending []Rater
		for rows.Next() {
			var x Rater
			if err := rows.Scan(&x.ID, &x.Name, &x.Email, &x.Relationship, &x.InvitedAt); err != nil {
				rows.Close()
				return err
			}
			x.RoundID = roundID
			pending = append(pending, x)
		}
		rows.Close()
		now := s.now()
		for _, x := range pending {
			token := newToken()
			if _, err := tx.Exec(ctx, `INSERT INTO feedback_links (token_hash, rater_id, created_at) VALUES (?, ?, ?)`, tokenHash(token), x.ID, now); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `UPDATE feedback_raters SET reminded_at = ? WHERE id = ?`, now, x.ID); err != nil {
				return err
			}
			inv := Invitation{Rater: x, Token: token, Subject: subject, Deadline: r.Deadline, Reminder: true}
			if then != nil {
				if err := then(ctx, tx, &inv); err != nil {
					return err
				}
			}
			out = append(out, inv)
		}
		return nil
	})
	return out, err
}
