// Package org owns organisations: the NHS trusts, universities, local authorities, charities,
// professional bodies and practices that people belong to and that run programmes.
package org

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/pillars-ot/pillars/internal/auth"
	"github.com/pillars-ot/pillars/internal/rollup"
	"github.com/pillars-ot/pillars/internal/store"
	"github.com/pillars-ot/pillars/internal/valid"
)

// Kind is the type of organisation.
type Kind string

// The organisation kinds, as stored.
const (
	NHSTrust            Kind = "nhs-trust"
	University          Kind = "university"
	LocalAuthority      Kind = "local-authority"
	CharityFunder       Kind = "charity-funder"
	ProfessionalBody    Kind = "professional-body"
	IndependentPractice Kind = "independent-practice"
)

// Kinds lists every kind in the order offered.
var Kinds = []Kind{NHSTrust, University, LocalAuthority, CharityFunder, ProfessionalBody, IndependentPractice}

var kindLabels = map[Kind]string{
	NHSTrust:            "NHS trust",
	University:          "University",
	LocalAuthority:      "Local authority",
	CharityFunder:       "Charity or funder",
	ProfessionalBody:    "Professional body",
	IndependentPractice: "Independent practice",
}

// Label is the kind's name for people.
func (k Kind) Label() string { return kindLabels[k] }

// Organisation is one organisation.
type Organisation struct {
	ID        int64
	Slug      string
	Name      string
	Kind      Kind
	Region    string
	CreatedAt time.Time
}

// Member is one person's role in an organisation, as shown to those allowed to see the list.
type Member struct {
	UserID   int64
	Name     string
	Email    string
	JobTitle string
	Role     auth.Role
}

// ErrNotFound means no organisation has that slug.
var ErrNotFound = errors.New("org: not found")

var slugRE = regexp.MustCompile(`^[a-z0-9]+(?:-[a-z0-9]+)*$`)

// Service is the organisations area.
type Service struct{ db *store.DB }

// NewService returns the organisations area over db.
func NewService(db *store.DB) *Service { return &Service{db: db} }

// Create checks and stores a new organisation.
func (s *Service) Create(ctx context.Context, o Organisation) (*Organisation, error) {
	o.Slug, o.Name, o.Region = strings.TrimSpace(o.Slug), strings.TrimSpace(o.Name), strings.TrimSpace(o.Region)
	var errs valid.Errors
	if o.Name == "" {
		errs.Add("name", "Enter the organisation's name")
	}
	if !slugRE.MatchString(o.Slug) {
		errs.Add("slug", "Short name must be lower-case letters, digits and hyphens, such as north-trust")
	}
	if _, ok := kindLabels[o.Kind]; !ok {
		errs.Add("kind", "Choose the type of organisation")
	}
	if errs.Any() {
		return nil, errs
	}
	o.CreatedAt = store.Now()
	id, err := s.db.Insert(ctx, `INSERT INTO organisations (slug, name, kind, region, created_at) VALUES (?, ?, ?, ?, ?)`, o.Slug, o.Name, o.Kind, o.Region, o.CreatedAt)
	if store.IsUniqueViolation(err) {
		errs.Add("slug", "Another organisation already has this short name")
		return nil, errs
	}
	if err != nil {
		return nil, fmt.Errorf("org: create: %w", err)
	}
	o.ID = id
	return &o, nil
}

// BySlug returns one organisation.
func (s *Service) BySlug(ctx context.Context, slug string) (*Organisation, error) {
	var o Organisation
	err := s.db.QueryRow(ctx, `SELECT id, slug, name, kind, region, created_at FROM organisations WHERE slug = ?`, slug).Scan(&o.ID, &o.Slug, &o.Name, &o.Kind, &o.Region, &o.CreatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	return &o, err
}

// List returns every organisation by name.
func (s *Service) List(ctx context.Context) ([]Organisation, error) {
	rows, err := s.db.Query(ctx, `SELECT id, slug, name, kind, region, created_at FROM organisations ORDER BY name`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Organisation
	for rows.Next() {
		var o Organisation
		if err := rows.Scan(&o.ID, &o.Slug, &o.Name, &o.Kind, &o.Region, &o.CreatedAt); err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// CanView decides who may see an organisation's page: its members and site administrators.
func CanView(actor *auth.User, o *Organisation) bool {
	return actor != nil && (actor.IsSiteAdmin() || actor.MemberOf(o.ID))
}

// CanViewMembers decides who may see who belongs to an organisation: its programme and workforce
// leads, and site administrators. Ordinary members do not see a staff list.
func CanViewMembers(actor *auth.User, o *Organisation) bool {
	return actor != nil && (actor.IsSiteAdmin() || actor.HasIn(o.ID, auth.RoleProgrammeLead) || actor.HasIn(o.ID, auth.RoleWorkforceLead))
}

// Members lists the organisation's people and roles. Callers must check CanViewMembers first.
func (s *Service) Members(ctx context.Context, orgID int64) ([]Member, error) {
	rows, err := s.db.Query(ctx, `SELECT u.id, u.name, u.email, u.job_title, m.role FROM memberships m JOIN users u ON u.id = m.user_id
		WHERE m.org_id = ? AND u.disabled_at IS NULL ORDER BY u.name, m.role`, orgID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Member
	for rows.Next() {
		var m Member
		if err := rows.Scan(&m.UserID, &m.Name, &m.Email, &m.JobTitle, &m.Role); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// CanViewAggregates decides who may see an organisation's aggregate views (heat maps): its
// programme and workforce leads, and site administrators. Aggregates never show an individual.
func CanViewAggregates(actor *auth.User, o *Organisation) bool { return CanViewMembers(actor, o) }

// SetTeam puts a member in a team of the organisation, creating the team if it is new. An empty
// name takes them out of any team. Teams exist for aggregate views only.
func (s *Service) SetTeam(ctx context.Context, userID, orgID int64, team string) error {
	team = strings.TrimSpace(team)
	return s.db.InTx(ctx, func(tx *store.Tx) error {
		var teamID any
		if team != "" {
			var id int64
			err := tx.QueryRow(ctx, `SELECT id FROM teams WHERE org_id = ? AND name = ?`, orgID, team).Scan(&id)
			if errors.Is(err, sql.ErrNoRows) {
				id, err = tx.Insert(ctx, `INSERT INTO teams (org_id, name) VALUES (?, ?)`, orgID, team)
			}
			if err != nil {
				return fmt.Errorf("org: team %q: %w", team, err)
			}
			teamID = id
		}
		// The same team again changes nothing, and must not count the person as changed.
		var current sql.NullInt64
		var n int
		if err := tx.QueryRow(ctx, `SELECT COUNT(*), MAX(team_id) FROM memberships WHERE user_id = ? AND org_id = ?`, userID, orgID).Scan(&n, &current); err != nil {
			return err
		}
		if n == 0 {
			return ErrNotFound
		}
		if (teamID == nil && !current.Valid) || (teamID != nil && current.Valid && current.Int64 == teamID.(int64)) {
			return nil
		}
		if err := rollup.Remove(ctx, tx, userID, orgID); err != nil {
			return err
		}
		res, err := tx.Exec(ctx, `UPDATE memberships SET team_id = ? WHERE user_id = ? AND org_id = ?`, teamID, userID, orgID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotFound
		}
		return rollup.Add(ctx, tx, userID, orgID)
	})
}
