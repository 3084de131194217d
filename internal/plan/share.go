package plan

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/pillars-ot/pillars/internal/auth"
	"github.com/pillars-ot/pillars/internal/store"
	"github.com/pillars-ot/pillars/internal/valid"
)

// Share is one person a plan is shared with.
type Share struct {
	ID          int64
	ViewerID    int64
	ViewerName  string
	ViewerEmail string
	CreatedAt   time.Time
	RevokedAt   *time.Time
}

// Owner is someone who shares their plan with the viewer.
type Owner struct {
	ID   int64
	Name string
}

// CanView decides who may read a person's plan: the owner, and anyone they have shared it with
// and not revoked. It is the one place plan access is decided.
func (s *Service) CanView(ctx context.Context, actor *auth.User, ownerID int64) (bool, error) {
	if actor == nil {
		return false, nil
	}
	if actor.ID == ownerID {
		return true, nil
	}
	var n int
	err := s.db.QueryRow(ctx, `SELECT COUNT(*) FROM plan_shares WHERE owner_id = ? AND viewer_id = ? AND revoked_at IS NULL`, ownerID, actor.ID).Scan(&n)
	return n > 0, err
}

// ShareWith shares the owner's plan, read-only with comments, with a supervisor or mentor named by
// email. Sharing again with the same person changes nothing.
func (s *Service) ShareWith(ctx context.Context, owner *auth.User, viewerEmail string, accounts *auth.Service) error {
	email := auth.NormaliseEmail(viewerEmail)
	var errs valid.Errors
	if email == "" {
		errs.Add("viewer", "Enter the email address of your supervisor or mentor")
		return errs
	}
	if email == owner.Email {
		errs.Add("viewer", "You can already see your own plan: enter someone else's email address")
		return errs
	}
	viewer, err := accounts.UserByEmail(ctx, email)
	if errors.Is(err, auth.ErrNotFound) || (err == nil && !viewer.Has(auth.RoleSupervisor) && !viewer.Has(auth.RoleMentor)) {
		errs.Add("viewer", "There is no supervisor, practice educator, mentor or coach with that email address on Pillars")
		return errs
	}
	if err != nil {
		return err
	}
	return s.db.InTx(ctx, func(tx *store.Tx) error {
		var n int
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM plan_shares WHERE owner_id = ? AND viewer_id = ? AND revoked_at IS NULL`, owner.ID, viewer.ID).Scan(&n); err != nil || n > 0 {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO plan_shares (owner_id, viewer_id, created_at) VALUES (?, ?, ?)`, owner.ID, viewer.ID, s.now())
		return err
	})
}

// Revoke stops one of the owner's shares. The viewer can no longer see the plan.
func (s *Service) Revoke(ctx context.Context, ownerID, shareID int64) error {
	res, err := s.db.Exec(ctx, `UPDATE plan_shares SET revoked_at = ? WHERE id = ? AND owner_id = ? AND revoked_at IS NULL`, s.now(), shareID, ownerID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

// Shares lists who the owner has shared their plan with, current and past.
func (s *Service) Shares(ctx context.Context, ownerID int64) ([]Share, error) {
	rows, err := s.db.Query(ctx, `SELECT p.id, u.id, u.name, u.email, p.created_at, p.revoked_at FROM plan_shares p JOIN users u ON u.id = p.viewer_id
		WHERE p.owner_id = ? ORDER BY p.revoked_at IS NOT NULL, p.id DESC`, ownerID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Share
	for rows.Next() {
		var x Share
		var rev sql.NullTime
		if err := rows.Scan(&x.ID, &x.ViewerID, &x.ViewerName, &x.ViewerEmail, &x.CreatedAt, &rev); err != nil {
			return nil, err
		}
		x.RevokedAt = store.TimePtr(rev)
		out = append(out, x)
	}
	return out, rows.Err()
}

// SharedWith lists the people whose plans the viewer can currently see.
func (s *Service) SharedWith(ctx context.Context, viewerID int64) ([]Owner, error) {
	rows, err := s.db.Query(ctx, `SELECT DISTINCT u.id, u.name FROM plan_shares p JOIN users u ON u.id = p.owner_id
		WHERE p.viewer_id = ? AND p.revoked_at IS NULL AND u.disabled_at IS NULL ORDER BY u.name`, viewerID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Owner
	for rows.Next() {
		var o Owner
		if err := rows.Scan(&o.ID, &o.Name); err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// Comment is a note on a plan by its owner or someone it is shared with.
type Comment struct {
	ID         int64
	AuthorID   int64
	AuthorName string
	GoalID     int64
	Body       string
	CreatedAt  time.Time
}

// AddComment adds a comment to a plan the actor can see.
func (s *Service) AddComment(ctx context.Context, actor *auth.User, ownerID, goalID int64, body string) error {
	ok, err := s.CanView(ctx, actor, ownerID)
	if err != nil {
		return err
	}
	if !ok {
		return ErrNotFound
	}
	body = strings.TrimSpace(body)
	switch {
	case body == "":
		return valid.Errors{{Field: "body", Message: "Write a comment"}}
	case utf8.RuneCountInString(body) > 2000:
		return valid.Errors{{Field: "body", Message: "A comment must be 2,000 characters or fewer"}}
	}
	var goal any
	if goalID > 0 {
		if _, err := s.Goal(ctx, ownerID, goalID); err != nil {
			return err
		}
		goal = goalID
	}
	_, err = s.db.Exec(ctx, `INSERT INTO plan_comments (owner_id, author_id, goal_id, body, created_at) VALUES (?, ?, ?, ?, ?)`, ownerID, actor.ID, goal, body, s.now())
	if err != nil {
		return fmt.Errorf("plan: comment: %w", err)
	}
	return nil
}

// Comments lists a plan's comments, oldest first. Callers must check CanView.
func (s *Service) Comments(ctx context.Context, ownerID int64) ([]Comment, error) {
	rows, err := s.db.Query(ctx, `SELECT c.id, c.author_id, u.name, COALESCE(c.goal_id, 0), c.body, c.created_at FROM plan_comments c JOIN users u ON u.id = c.author_id
		WHERE c.owner_id = ? ORDER BY c.created_at, c.id`, ownerID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Comment
	for rows.Next() {
		var c Comment
		if err := rows.Scan(&c.ID, &c.AuthorID, &c.AuthorName, &c.GoalID, &c.Body, &c.CreatedAt); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}
