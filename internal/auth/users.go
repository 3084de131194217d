// Package auth owns accounts: people, their passwords and role memberships, server-side
// sessions, sign-in with rate limiting, password reset links and personal API tokens.
package auth

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"

	"github.com/pillars-ot/pillars/internal/rollup"
	"github.com/pillars-ot/pillars/internal/store"
	"github.com/pillars-ot/pillars/internal/valid"
)

// User is a person with an account, as the rest of Pillars sees them.
type User struct {
	ID                int64
	Email             string
	Name              string
	JobTitle          string
	CareerLevel       int // 0 when not recorded
	PasswordChangedAt time.Time
	CreatedAt         time.Time
	Memberships       []Membership
}

// Has reports whether the person holds role in any organisation.
func (u *User) Has(role Role) bool {
	if u == nil {
		return false
	}
	for _, m := range u.Memberships {
		if m.Role == role {
			return true
		}
	}
	return false
}

// HasIn reports whether the person holds role in the organisation.
func (u *User) HasIn(orgID int64, role Role) bool {
	if u == nil {
		return false
	}
	for _, m := range u.Memberships {
		if m.OrgID == orgID && m.Role == role {
			return true
		}
	}
	return false
}

// IsSiteAdmin reports whether the person administers the whole site.
func (u *User) IsSiteAdmin() bool { return u.Has(RoleSiteAdmin) }

// MemberOf reports whether the person holds any role in the organisation.
func (u *User) MemberOf(orgID int64) bool {
	if u == nil {
		return false
	}
	for _, m := range u.Memberships {
		if m.OrgID == orgID {
			return true
		}
	}
	return false
}

// PrimaryMembership is the first membership, used for the home page's "organisation and role".
func (u *User) PrimaryMembership() *Membership {
	if u == nil || len(u.Memberships) == 0 {
		return nil
	}
	return &u.Memberships[0]
}

// Service is the accounts area.
type Service struct {
	db  *store.DB
	now func() time.Time
}

// NewService returns the accounts area over db.
func NewService(db *store.DB) *Service { return &Service{db: db, now: store.Now} }

// ErrNotFound means there is no such account (or token).
var ErrNotFound = errors.New("auth: not found")

// NewUser is what creating an account needs.
type NewUser struct {
	Email       string
	Name        string
	Password    string
	JobTitle    string
	CareerLevel int
}

// NormaliseEmail lower-cases and trims an address, so one person cannot have two accounts that
// differ only in case.
func NormaliseEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// ValidEmail reports whether s is a plain email address (no display name).
func ValidEmail(s string) bool {
	a, err := mail.ParseAddress(s)
	return err == nil && a.Address == s && strings.Contains(s[strings.LastIndexByte(s, '@'):], ".")
}

// CreateUser checks and stores a new account. Problems come back as valid.Errors with one plain
// sentence per field, including a duplicate email.
func (s *Service) CreateUser(ctx context.Context, n NewUser) (*User, error) {
	n.Email = NormaliseEmail(n.Email)
	n.Name = strings.TrimSpace(n.Name)
	var errs valid.Errors
	switch {
	case n.Email == "":
		errs.Add("email", "Enter an email address")
	case !ValidEmail(n.Email):
		errs.Add("email", "Enter an email address in the correct format, like name@example.nhs.uk")
	}
	if n.Name == "" {
		errs.Add("name", "Enter a name")
	} else if len(n.Name) > 200 {
		errs.Add("name", "Name must be 200 characters or fewer")
	}
	if msg := ValidatePassword(n.Password, n.Email); msg != "" {
		errs.Add("password", msg)
	}
	if n.CareerLevel < 0 || n.CareerLevel > 9 {
		errs.Add("career_level", "Career level must be from 1 to 9")
	}
	if errs.Any() {
		return nil, errs
	}
	hash, err := HashPassword(n.Password)
	if err != nil {
		return nil, err
	}
	now := s.now()
	var level any
	if n.CareerLevel > 0 {
		level = n.CareerLevel
	}
	id, err := s.db.Insert(ctx, `INSERT INTO users (email, name, password_hash, password_changed_at, career_level, job_title, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		n.Email, n.Name, hash, now, level, strings.TrimSpace(n.JobTitle), now)
	if store.IsUniqueViolation(err) {
		errs.Add("email", "An account with this email address already exists. Sign in, or reset the password if it has been forgotten.")
		return nil, errs
	}
	if err != nil {
		return nil, fmt.Errorf("auth: create user: %w", err)
	}
	return s.UserByID(ctx, id)
}

const userColumns = `id, email, name, job_title, career_level, password_changed_at, created_at`

func scanUser(row interface{ Scan(...any) error }) (*User, error) {
	var u User
	var level sql.NullInt64
	if err := row.Scan(&u.ID, &u.Email, &u.Name, &u.JobTitle, &level, &u.PasswordChangedAt, &u.CreatedAt); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, ErrNotFound
		}
		return nil, err
	}
	u.CareerLevel = int(level.Int64)
	return &u, nil
}

// UserByID loads an active account with its memberships.
func (s *Service) UserByID(ctx context.Context, id int64) (*User, error) {
	u, err := scanUser(s.db.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE id = ? AND disabled_at IS NULL`, id))
	if err != nil {
		return nil, err
	}
	return u, s.loadMemberships(ctx, u)
}

// UserByEmail loads an active account by email address.
func (s *Service) UserByEmail(ctx context.Context, email string) (*User, error) {
	u, err := scanUser(s.db.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE email = ? AND disabled_at IS NULL`, NormaliseEmail(email)))
	if err != nil {
		return nil, err
	}
	return u, s.loadMemberships(ctx, u)
}

// Memberships are role grants, so auth reads them, with the organisation's name for display.
func (s *Service) loadMemberships(ctx context.Context, u *User) error {
	rows, err := s.db.Query(ctx, `SELECT o.id, o.slug, o.name, o.kind, m.role FROM memberships m JOIN organisations o ON o.id = m.org_id WHERE m.user_id = ? ORDER BY m.id`, u.ID)
	if err != nil {
		return fmt.Errorf("auth: memberships of %d: %w", u.ID, err)
	}
	defer rows.Close()
	u.Memberships = u.Memberships[:0]
	for rows.Next() {
		var m Membership
		if err := rows.Scan(&m.OrgID, &m.OrgSlug, &m.OrgName, &m.OrgKind, &m.Role); err != nil {
			return err
		}
		u.Memberships = append(u.Memberships, m)
	}
	return rows.Err()
}

// ErrNoSuchOrganisation means a membership named an organisation that does not exist.
var ErrNoSuchOrganisation = errors.New("no organisation has that short name")

// Grant gives a person a role in an organisation (by its slug). Granting a role they already
// hold changes nothing.
func (s *Service) Grant(ctx context.Context, actorID, userID int64, orgSlug string, role Role) error {
	if !role.Valid() {
		return fmt.Errorf("%q is not a role; choose one of: %s", role, roleList())
	}
	return s.db.InTx(ctx, func(tx *store.Tx) error {
		var orgID int64
		if err := tx.QueryRow(ctx, `SELECT id FROM organisations WHERE slug = ?`, orgSlug).Scan(&orgID); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("%w: %q", ErrNoSuchOrganisation, orgSlug)
			}
			return err
		}
		var exists, inOrg int
		var team sql.NullInt64
		err := tx.QueryRow(ctx, `SELECT COUNT(CASE WHEN role = ? THEN 1 END), COUNT(*), MAX(team_id) FROM memberships WHERE user_id = ? AND org_id = ?`, role, userID, orgID).Scan(&exists, &inOrg, &team)
		if err != nil || exists > 0 {
			return err
		}
		now := s.now()
		// A person has one team in an organisation, whatever roles they hold there.
		if _, err := tx.Exec(ctx, `INSERT INTO memberships (user_id, org_id, role, team_id, created_at) VALUES (?, ?, ?, ?, ?)`, userID, orgID, role, team, now); err != nil {
			return fmt.Errorf("auth: grant: %w", err)
		}
		if inOrg == 0 { // newly in the organisation: their latest assessments now count in its heat map
			if err := rollup.Add(ctx, tx, userID, orgID); err != nil {
				return err
			}
		}
		_, err = tx.Exec(ctx, `INSERT INTO audit_events (actor_id, action, subject, detail, at) VALUES (?, 'role.grant', ?, ?, ?)`, nullID(actorID), fmt.Sprintf("user:%d", userID), orgSlug+":"+string(role), now)
		return err
	})
}

func roleList() string {
	names := make([]string, len(Roles))
	for i, r := range Roles {
		names[i] = string(r)
	}
	return strings.Join(names, ", ")
}

func nullID(id int64) any {
	if id <= 0 {
		return nil
	}
	return id
}

// SetPassword replaces a password. Every existing session of that person stops working, because
// sessions remember the password_changed_at they were made under.
func (s *Service) SetPassword(ctx context.Context, userID int64, password string) error {
	u, err := s.UserByID(ctx, userID)
	if err != nil {
		return err
	}
	if msg := ValidatePassword(password, u.Email); msg != "" {
		return valid.Errors{{Field: "password", Message: msg}}
	}
	hash, err := HashPassword(password)
	if err != nil {
		return err
	}
	// A new password ends every session and every API token, as a reset does.
	return s.db.InTx(ctx, func(tx *store.Tx) error {
		now := s.now()
		if _, err := tx.Exec(ctx, `UPDATE users SET password_hash = ?, password_changed_at = ? WHERE id = ?`, hash, now, userID); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `UPDATE api_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL`, now, userID)
		return err
	})
}

// SetCareerLevel records the person's career level (1 to 9), or clears it with 0.
func (s *Service) SetCareerLevel(ctx context.Context, userID int64, level int) error {
	if level < 0 || level > 9 {
		return valid.Errors{{Field: "career_level", Message: "Choose a career level from 1 to 9"}}
	}
	var v any
	if level > 0 {
		v = level
	}
	_, err := s.db.Exec(ctx, `UPDATE users SET career_level = ? WHERE id = ?`, v, userID)
	return err
}

// CountUsers returns how many accounts exist (for the first-run message).
func (s *Service) CountUsers(ctx context.Context) (int, error) {
	var n int
	err := s.db.QueryRow(ctx, `SELECT COUNT(*) FROM users`).Scan(&n)
	return n, err
}
