package auth

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"github.com/pillars-ot/pillars/internal/store"
	"strings"
	"time"

	"github.com/pillars-ot/pillars/internal/valid"
)

// TokenPrefix starts every personal API token, so a leaked one is easy to recognise in logs
// and by secret scanners.
const TokenPrefix = "plr_"

// Token describes a personal API token. The secret itself is shown once, at creation.
type Token struct {
	ID         int64
	Name       string
	Prefix     string
	CreatedAt  time.Time
	ExpiresAt  *time.Time
	LastUsedAt *time.Time
	RevokedAt  *time.Time
}

// Active reports whether the token can still be used.
func (t Token) Active(now time.Time) bool {
	return t.RevokedAt == nil && (t.ExpiresAt == nil || now.Before(*t.ExpiresAt))
}

// CreateToken makes a personal API token and returns its secret, which is never stored.
// validFor of 0 means it does not expire.
func (s *Service) CreateToken(ctx context.Context, userID int64, name string, validFor time.Duration) (string, error) {
	name = strings.TrimSpace(name)
	var errs valid.Errors
	if name == "" {
		errs.Add("name", "Enter a name for the token, such as the tool that will use it")
	} else if len(name) > 100 {
		errs.Add("name", "Name must be 100 characters or fewer")
	}
	if validFor < 0 || validFor > 366*24*time.Hour {
		errs.Add("expires", "Choose how long the token lasts: up to a year")
	}
	if errs.Any() {
		return "", errs
	}
	secret := TokenPrefix + randomToken(24)
	now := s.now()
	var expires any
	if validFor > 0 {
		expires = now.Add(validFor)
	}
	if _, err := s.db.Exec(ctx, `INSERT INTO api_tokens (user_id, name, prefix, token_hash, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)`,
		userID, name, secret[:len(TokenPrefix)+6], sha256Hex(secret), now, expires); err != nil {
		return "", fmt.Errorf("auth: create token: %w", err)
	}
	return secret, nil
}

// Tokens lists a person's own tokens, newest first.
func (s *Service) Tokens(ctx context.Context, userID int64) ([]Token, error) {
	rows, err := s.db.Query(ctx, `SELECT id, name, prefix, created_at, expires_at, last_used_at, revoked_at FROM api_tokens WHERE user_id = ? ORDER BY id DESC`, userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Token
	for rows.Next() {
		var t Token
		var exp, used, rev sql.NullTime
		if err := rows.Scan(&t.ID, &t.Name, &t.Prefix, &t.CreatedAt, &exp, &used, &rev); err != nil {
			return nil, err
		}
		t.ExpiresAt, t.LastUsedAt, t.RevokedAt = store.TimePtr(exp), store.TimePtr(used), store.TimePtr(rev)
		out = append(out, t)
	}
	return out, rows.Err()
}

// RevokeToken stops one of the person's own tokens working. Another person's token id answers
// ErrNotFound, exactly like a token that does not exist.
func (s *Service) RevokeToken(ctx context.Context, userID, tokenID int64) error {
	res, err := s.db.Exec(ctx, `UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND user_id = ? AND revoked_at IS NULL`, s.now(), tokenID, userID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

// UserByToken returns the owner of an active token. last_used_at is updated at most once a
// minute so that API reads do not each become a write.
func (s *Service) UserByToken(ctx context.Context, secret string) (*User, error) {
	if !strings.HasPrefix(secret, TokenPrefix) {
		return nil, ErrNotFound
	}
	var id, userID int64
	var exp, used sql.NullTime
	err := s.db.QueryRow(ctx, `SELECT id, user_id, expires_at, last_used_at FROM api_tokens WHERE token_hash = ? AND revoked_at IS NULL`, sha256Hex(secret)).Scan(&id, &userID, &exp, &used)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	now := s.now()
	if exp.Valid && !now.Before(exp.Time) {
		return nil, ErrNotFound
	}
	if !used.Valid || now.Sub(used.Time) > time.Minute {
		if _, err := s.db.Exec(ctx, `UPDATE api_tokens SET last_used_at = ? WHERE id = ?`, now, id); err != nil {
			return nil, err
		}
	}
	return s.UserByID(ctx, userID)
}
