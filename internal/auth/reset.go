package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/pillars-ot/pillars/internal/store"
	"github.com/pillars-ot/pillars/internal/valid"
)

// MaxResetsPerHour limits reset emails to one account.
const MaxResetsPerHour = 3

// ErrTooManyResets means enough links were sent recently; the caller says nothing different.
var ErrTooManyResets = errors.New("auth: too many reset links recently")

// ResetLinkLifetime is how long a password reset link works.
const ResetLinkLifetime = time.Hour

// Reset link failures, each with its own plain message on the page.
var (
	ErrResetInvalid = errors.New("this password reset link is not valid")
	ErrResetExpired = errors.New("this password reset link has expired")
	ErrResetUsed    = errors.New("this password reset link has already been used")
)

func randomToken(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// RequestReset makes a reset link for the account with this email. It returns ErrNotFound when
// there is none; callers must still tell the person "if an account exists, we sent a link", so
// nobody can discover who has an account.
func (s *Service) RequestReset(ctx context.Context, email string) (*User, string, error) {
	u, err := s.UserByEmail(ctx, email)
	if err != nil {
		return nil, "", err
	}
	now := s.now()
	// At most a few links an hour: the form must not become a way to flood someone's inbox.
	var recent int
	if err := s.db.QueryRow(ctx, `SELECT COUNT(*) FROM password_resets WHERE user_id = ? AND created_at > ?`, u.ID, now.Add(-time.Hour)).Scan(&recent); err != nil {
		return nil, "", err
	}
	if recent >= MaxResetsPerHour {
		return nil, "", ErrTooManyResets
	}
	token := randomToken(32)
	if _, err := s.db.Exec(ctx, `INSERT INTO password_resets (user_id, token_hash, created_at, expires_at) VALUES (?, ?, ?, ?)`,
		u.ID, sha256Hex(token), now, now.Add(ResetLinkLifetime)); err != nil {
		return nil, "", fmt.Errorf("auth: store reset: %w", err)
	}
	return u, token, nil
}

// CheckReset reports whether a reset token can still be used, without using it.
func (s *Service) CheckReset(ctx context.Context, token string) error {
	_, err := s.resetUser(ctx, s.db.QueryRow(ctx, `SELECT user_id, expires_at, used_at FROM password_resets WHERE token_hash = ?`, sha256Hex(token)))
	return err
}

func (s *Service) resetUser(_ context.Context, row *sql.Row) (int64, error) {
	var userID int64
	var expires time.Time
	var used sql.NullTime
	if err := row.Scan(&userID, &expires, &used); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return 0, ErrResetInvalid
		}
		return 0, err
	}
	if used.Valid {
		return 0, ErrResetUsed
	}
	if !s.now().Before(expires) {
		return 0, ErrResetExpired
	}
	return userID, nil
}

// ResetPassword uses a reset token to set a new password. The token is spent, any other
// outstanding links for the person stop working, and so do all their sessions. On any error
// nothing changes.
func (s *Service) ResetPassword(ctx context.Context, token, password string) (*User, error) {
	var userID int64
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		var err error
		userID, err = s.resetUser(ctx, tx.QueryRow(ctx, `SELECT user_id, expires_at, used_at FROM password_resets WHERE token_hash = ?`, sha256Hex(token)))
		if err != nil {
			return err
		}
		var email string
		if err := tx.QueryRow(ctx, `SELECT email FROM users WHERE id = ?`, userID).Scan(&email); err != nil {
			return err
		}
		if msg := ValidatePassword(password, email); msg != "" {
			return valid.Errors{{Field: "password", Message: msg}}
		}
		hash, err := HashPassword(password)
		if err != nil {
			return err
		}
		now := s.now()
		if _, err := tx.Exec(ctx, `UPDATE users SET password_hash = ?, password_changed_at = ? WHERE id = ?`, hash, now, userID); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE password_resets SET used_at = ? WHERE user_id = ? AND used_at IS NULL`, now, userID); err != nil {
			return err
		}
		// Tokens made by whoever had the account before the reset stop working too.
		if _, err := tx.Exec(ctx, `UPDATE api_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL`, now, userID); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `DELETE FROM signin_failures WHERE email = ?`, email)
		return err
	})
	if err != nil {
		return nil, err
	}
	return s.UserByID(ctx, userID)
}
