// Package mentoring is mentoring and coaching (issue 5): mentor and coach profiles with
// accreditation verified by an administrator, a mentee's ask for a match scored by package
// match, requests that the mentor accepts or declines, relationships with an agreement,
// sessions with private and shared notes, iCalendar invitations and feeds, end-of-relationship
// reviews, and coordinators' reports that count and never show notes.
//
// Access: Relationship is the one gate to a relationship and everything under it (sessions,
// shared notes, reviews). It answers ErrNotFound unless the viewer is the mentee or the
// mentor, exactly as if the relationship did not exist. Private notes are read only with the
// author's id in the WHERE clause.
package mentoring

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/pillars-ot/pillars/internal/framework"
	"github.com/pillars-ot/pillars/internal/mail"
	"github.com/pillars-ot/pillars/internal/store"
)

// ErrNotFound means there is no such record, or not one the person may see.
var ErrNotFound = errors.New("mentoring: not found")

// Relationship statuses.
const (
	StatusRequested  = "requested"
	StatusDeclined   = "declined"
	StatusWithdrawn  = "withdrawn"
	StatusActive     = "active"
	StatusCompleted  = "completed"
	StatusEndedEarly = "ended_early"
)

// Service is the mentoring area.
type Service struct {
	db         *store.DB
	frameworks *framework.Catalogue
	now        func() time.Time // store.Now; tests may fix it
}

// NewService returns the mentoring area over db.
func NewService(db *store.DB, frameworks *framework.Catalogue) *Service {
	return &Service{db: db, frameworks: frameworks, now: store.Now}
}

// Relationship is a mentee and a mentor, from the request to its end.
type Relationship struct {
	ID                       int64
	MenteeID, MentorID       int64
	MenteeName, MentorName   string
	MenteeEmail, MentorEmail string
	OrgID                    int64  // 0 when no organisation coordinates it
	Kind                     string // mentoring | coaching
	Status                   string
	RequestMessage           string
	ResponseMessage          string
	Score                    float64
	ScoreParts               string // JSON of match.Score as the mentee saw it
	ProposedBy               int64  // the programme lead who proposed the pair, or 0
	AgreementGoals           string
	AgreementFrequency       string
	AgreementConfidentiality string
	AgreementEndOn           string // YYYY-MM-DD
	AgreementMenteeAt        *time.Time
	AgreementMentorAt        *time.Time
	EndedReason              string
	EndedNote                string
	EndedBy                  int64
	RequestedAt              time.Time
	RespondedAt              *time.Time
	StartedAt                *time.Time
	EndedAt                  *time.Time
	UpdatedAt                time.Time
}

// IsMentee reports whether person id is the mentee.
func (r *Relationship) IsMentee(id int64) bool { return r.MenteeID == id }

// IsMentor reports whether person id is the mentor.
func (r *Relationship) IsMentor(id int64) bool { return r.MentorID == id }

// Other is the other person's id and name, seen from viewer id.
func (r *Relationship) Other(id int64) (int64, string) {
	if r.MenteeID == id {
		return r.MentorID, r.MentorName
	}
	return r.MenteeID, r.MenteeName
}

// Live reports whether the relationship is requested or active.
func (r *Relationship) Live() bool {
	return r.Status == StatusRequested || r.Status == StatusActive
}

const selectRelationship = `SELECT r.id, r.mentee_id, r.mentor_id, me.name, mo.name, me.email, mo.email,
	COALESCE(r.org_id, 0), r.kind, r.status, r.request_message, r.response_message, r.score, r.score_parts,
	COALESCE(r.proposed_by, 0), r.agreement_goals, r.agreement_frequency, r.agreement_confidentiality,
	r.agreement_end_on, r.agreement_mentee_at, r.agreement_mentor_at, r.ended_reason, r.ended_note,
	COALESCE(r.ended_by, 0), r.requested_at, r.responded_at, r.started_at, r.ended_at, r.updated_at
	FROM mentoring_relationships r
	JOIN users me ON me.id = r.mentee_id
	JOIN users mo ON mo.id = r.mentor_id`

type scanner interface{ Scan(dest ...any) error }

func scanRelationship(row scanner) (*Relationship, error) {
	var (
		r                                               Relationship
		menteeAt, mentorAt, respondedAt, started, ended sql.NullTime
	)
	err := row.Scan(&r.ID, &r.MenteeID, &r.MentorID, &r.MenteeName, &r.MentorName, &r.MenteeEmail, &r.MentorEmail,
		&r.OrgID, &r.Kind, &r.Status, &r.RequestMessage, &r.ResponseMessage, &r.Score, &r.ScoreParts,
		&r.ProposedBy, &r.AgreementGoals, &r.AgreementFrequency, &r.AgreementConfidentiality,
		&r.AgreementEndOn, &menteeAt, &mentorAt, &r.EndedReason, &r.EndedNote,
		&r.EndedBy, &r.RequestedAt, &respondedAt, &started, &ended, &r.UpdatedAt)
	if err != nil {
		return nil, err
	}
	r.AgreementMenteeAt, r.AgreementMentorAt = store.TimePtr(menteeAt), store.TimePtr(mentorAt)
	r.RespondedAt, r.StartedAt, r.EndedAt = store.TimePtr(respondedAt), store.TimePtr(started), store.TimePtr(ended)
	r.RequestedAt, r.UpdatedAt = r.RequestedAt.UTC(), r.UpdatedAt.UTC()
	return &r, nil
}

// Relationship returns relationship id if viewerID is its mentee or its mentor, and
// ErrNotFound otherwise: the one gate to a relationship and everything under it.
func (s *Service) Relationship(ctx context.Context, viewerID, id int64) (*Relationship, error) {
	r, err := scanRelationship(s.db.QueryRow(ctx, selectRelationship+` WHERE r.id = ? AND (r.mentee_id = ? OR r.mentor_id = ?)`, id, viewerID, viewerID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("mentoring: relationship %d: %w", id, err)
	}
	return r, nil
}

// relationshipTx is Relationship inside a transaction, for changes that must see the row as
// it is now (callers on PostgreSQL lock it with FOR UPDATE through lockClause).
func (s *Service) relationshipTx(ctx context.Context, tx *store.Tx, viewerID, id int64) (*Relationship, error) {
	q := selectRelationship + ` WHERE r.id = ? AND (r.mentee_id = ? OR r.mentor_id = ?)`
	if tx.Dialect() == store.Postgres {
		q += ` FOR UPDATE OF r`
	}
	r, err := scanRelationship(tx.QueryRow(ctx, q, id, viewerID, viewerID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("mentoring: relationship %d: %w", id, err)
	}
	return r, nil
}

// Relationships lists the person's relationships, as mentee or mentor, newest first.
func (s *Service) Relationships(ctx context.Context, personID int64) ([]*Relationship, error) {
	rows, err := s.db.Query(ctx, selectRelationship+` WHERE r.mentee_id = ? OR r.mentor_id = ? ORDER BY r.requested_at DESC, r.id DESC`, personID, personID)
	if err != nil {
		return nil, fmt.Errorf("mentoring: relationships of %d: %w", personID, err)
	}
	defer rows.Close()
	var out []*Relationship
	for rows.Next() {
		r, err := scanRelationship(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// Labelled is a stored value and the words a person sees for it.
type Labelled struct{ Value, Label string }

// LabelFor returns the label of value in list, or value itself when it is not there.
func LabelFor(list []Labelled, value string) string {
	for _, l := range list {
		if l.Value == value {
			return l.Label
		}
	}
	return value
}

func inList(list []Labelled, value string) bool {
	for _, l := range list {
		if l.Value == value {
			return true
		}
	}
	return false
}

// Outbox sends email in the transaction that calls for it (the web enqueues a jobs.EmailArgs
// with the same transaction), so a change and its emails happen together or not at all.
// A nil Outbox sends nothing (demo data, some tests).
type Outbox struct {
	BaseURL string // for links in emails and invitations
	Send    func(ctx context.Context, tx *store.Tx, m mail.Message) error
}

func (o *Outbox) send(ctx context.Context, tx *store.Tx, m mail.Message) error {
	if o == nil || o.Send == nil {
		return nil
	}
	return o.Send(ctx, tx, m)
}

func (o *Outbox) link(path string) string {
	if o == nil {
		return ""
	}
	return strings.TrimRight(o.BaseURL, "/") + path
}
