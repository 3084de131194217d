package mentoring

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/pillars-ot/pillars/internal/auth"
	"github.com/pillars-ot/pillars/internal/store"
	"github.com/pillars-ot/pillars/internal/valid"
)

// maxChainDepth bounds how far up a line-management chain is followed: deeper than any real
// organisation, and it keeps a cycle that slipped in some other way from looping for ever.
const maxChainDepth = 20

// LineManager returns the email and name of the person's line manager, or "" when none is
// recorded.
func (s *Service) LineManager(ctx context.Context, userID int64) (email, name string, err error) {
	err = s.db.QueryRow(ctx, `SELECT u.email, u.name FROM line_managers lm JOIN users u ON u.id = lm.manager_id WHERE lm.user_id = ?`, userID).Scan(&email, &name)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", nil
	}
	if err != nil {
		return "", "", fmt.Errorf("mentoring: line manager of %d: %w", userID, err)
	}
	return email, name, nil
}

// checkLineManager finds the account named as the person's line manager: 0 for none. It
// refuses the person themselves and anyone they manage, directly or further down, since that
// would make the chain a loop.
func (s *Service) checkLineManager(ctx context.Context, q querier, userID int64, email, field string) (int64, valid.Errors, error) {
	email = auth.NormaliseEmail(email)
	if email == "" {
		return 0, nil, nil
	}
	if !auth.ValidEmail(email) {
		return 0, valid.Errors{{Field: field, Message: "Enter your line manager's email address, like name@example.org, or leave it empty"}}, nil
	}
	var id int64
	var name string
	err := q.QueryRow(ctx, `SELECT id, name FROM users WHERE email = ? AND disabled_at IS NULL`, email).Scan(&id, &name)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, valid.Errors{{Field: field, Message: "No one with a Pillars account has that email address: check it, or leave it empty"}}, nil
	}
	if err != nil {
		return 0, nil, fmt.Errorf("mentoring: line manager %q: %w", email, err)
	}
	if id == userID {
		return 0, valid.Errors{{Field: field, Message: "Enter your line manager's email address, not your own"}}, nil
	}
	up, err := managersOf(ctx, q, id)
	if err != nil {
		return 0, nil, err
	}
	for _, m := range up {
		if m == userID {
			return 0, valid.Errors{{Field: field, Message: name + " is managed by you, directly or further down, so cannot be your line manager"}}, nil
		}
	}
	return id, nil, nil
}

// setLineManager records the person's line manager, or removes it when managerID is 0.
func (s *Service) setLineManager(ctx context.Context, tx *store.Tx, userID, managerID int64) error {
	var err error
	if managerID == 0 {
		_, err = tx.Exec(ctx, `DELETE FROM line_managers WHERE user_id = ?`, userID)
	} else {
		_, err = tx.Exec(ctx, `INSERT INTO line_managers (user_id, manager_id, updated_at) VALUES (?, ?, ?)
			ON CONFLICT (user_id) DO UPDATE SET manager_id = excluded.manager_id, updated_at = excluded.updated_at`,
			userID, managerID, s.now())
	}
	if err != nil {
		return fmt.Errorf("mentoring: line manager of %d: %w", userID, err)
	}
	return nil
}

// SetLineManager records (or, with "", removes) the person's line manager by email.
func (s *Service) SetLineManager(ctx context.Context, userID int64, email string) error {
	return s.db.InTx(ctx, func(tx *store.Tx) error {
		id, errs, err := s.checkLineManager(ctx, tx, userID, email, "line_manager")
		if err != nil {
			return err
		}
		if errs.Any() {
			return errs
		}
		return s.setLineManager(ctx, tx, userID, id)
	})
}

// chainQuery walks up from the line_managers rows that match the seed condition (on lm), one
// row per manager with its distance, in one recursive query on both engines.
func chainQuery(seed string) string {
	return `WITH RECURSIVE up(person, manager, depth) AS (
		SELECT lm.user_id, lm.manager_id, 1 FROM line_managers lm WHERE ` + seed + `
		UNION ALL
		SELECT up.person, lm.manager_id, up.depth + 1 FROM up JOIN line_managers lm ON lm.user_id = up.manager WHERE up.depth < ` + fmt.Sprint(maxChainDepth) + `
	) SELECT person, manager FROM up ORDER BY person, depth`
}

// chains returns, for each person the seed selects, the managers above them, nearest first and
// each once (a loop ends the walk).
func chains(ctx context.Context, q querier, seed string, args ...any) (map[int64][]int64, error) {
	rows, err := q.Query(ctx, chainQuery(seed), args...)
	if err != nil {
		return nil, fmt.Errorf("mentoring: line-management chains: %w", err)
	}
	defer rows.Close()
	out := map[int64][]int64{}
	done := map[int64]bool{}
	for rows.Next() {
		var person, manager int64
		if err := rows.Scan(&person, &manager); err != nil {
			return nil, err
		}
		if done[person] {
			continue
		}
		if manager == person || containsID(out[person], manager) {
			done[person] = true // round a loop: everything further repeats
			continue
		}
		out[person] = append(out[person], manager)
	}
	return out, rows.Err()
}

// managersOf is the chain above one person, nearest first.
func managersOf(ctx context.Context, q querier, userID int64) ([]int64, error) {
	m, err := chains(ctx, q, `lm.user_id = ?`, userID)
	return m[userID], err
}

func containsID(list []int64, id int64) bool {
	for _, x := range list {
		if x == id {
			return true
		}
	}
	return false
}

// seedIn is a seed condition for a list of ids.
func seedIn(ids []int64) (string, []any) {
	if len(ids) == 0 {
		return "1 = 0", nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	return "lm.user_id IN (" + strings.TrimSuffix(strings.Repeat("?, ", len(ids)), ", ") + ")", args
}
