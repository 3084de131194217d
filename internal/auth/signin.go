package auth

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Sign-in limits. Per account they stop password guessing against one person; per address they
// stop one machine spraying guesses across many accounts.
const (
	FailuresPerAccount = 5
	FailuresPerAddress = 30
	FailureWindow      = 15 * time.Minute
)

// ErrBadCredentials is the one answer for a wrong email or a wrong password, so the form does not
// reveal who has an account.
var ErrBadCredentials = errors.New("the email address or password is not right")

// LockedError says sign-in is paused and until when.
type LockedError struct{ Until time.Time }

func (e *LockedError) Error() string {
	return fmt.Sprintf("sign-in paused until %s after too many failed attempts", e.Until.Format(time.Kitchen))
}

// SignIn checks an email and password. It returns ErrBadCredentials for any mismatch and a
// *LockedError when too many attempts have failed recently; a locked account is refused even with
// the right password, so a guesser learns nothing from the lock.
func (s *Service) SignIn(ctx context.Context, email, password, ip string) (*User, error) {
	email = NormaliseEmail(email)
	now := s.now()
	since := now.Add(-FailureWindow)
	if until, err := s.lockedUntil(ctx, `email`, email, FailuresPerAccount, since); err != nil || !until.IsZero() {
		return nil, lockedOr(until, err)
	}
	if until, err := s.lockedUntil(ctx, `ip`, ip, FailuresPerAddress, since); err != nil || !until.IsZero() {
		return nil, lockedOr(until, err)
	}
	// Count this attempt before checking the password, so that attempts made at the same moment
	// each see the others: otherwise many parallel guesses would all pass the check above.
	if _, err := s.db.Exec(ctx, `INSERT INTO signin_failures (email, ip, failed_at) VALUES (?, ?, ?)`, email, ip, now); err != nil {
		return nil, fmt.Errorf("auth: record attempt: %w", err)
	}
	if until, err := s.lockedUntil(ctx, `email`, email, FailuresPerAccount+1, since); err != nil || !until.IsZero() {
		return nil, lockedOr(until, err)
	}
	var id int64
	var hash string
	err := s.db.QueryRow(ctx, `SELECT id, password_hash FROM users WHERE email = ? AND disabled_at IS NULL`, email).Scan(&id, &hash)
	if errors.Is(err, sql.ErrNoRows) {
		_, _ = CheckPassword(dummyHash, password)
		return nil, s.failure(ctx, email, now)
	}
	if err != nil {
		return nil, fmt.Errorf("auth: sign in: %w", err)
	}
	ok, err := CheckPassword(hash, password)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, s.failure(ctx, email, now)
	}
	// Right password: the attempt was not a failure after all, and earlier ones are forgiven.
	if _, err := s.db.Exec(ctx, `DELETE FROM signin_failures WHERE email = ?`, email); err != nil {
		return nil, err
	}
	return s.UserByID(ctx, id)
}

func lockedOr(until time.Time, err error) error {
	if err != nil {
		return err
	}
	return &LockedError{Until: until}
}

// lockedUntil returns when the lock on this email or address lifts, or zero if it is not locked.
// The lock lasts FailureWindow from the oldest failure that still counts.
func (s *Service) lockedUntil(ctx context.Context, column, value string, limit int, since time.Time) (time.Time, error) {
	if value == "" {
		return time.Time{}, nil
	}
	rows, err := s.db.Query(ctx, `SELECT failed_at FROM signin_failures WHERE `+column+` = ? AND failed_at > ? ORDER BY failed_at DESC LIMIT ?`, value, since, limit)
	if err != nil {
		return time.Time{}, fmt.Errorf("auth: read failures: %w", err)
	}
	defer rows.Close()
	var times []time.Time
	for rows.Next() {
		var t time.Time
		if err := rows.Scan(&t); err != nil {
			return time.Time{}, err
		}
		times = append(times, t)
	}
	if len(times) < limit {
		return time.Time{}, rows.Err()
	}
	return times[len(times)-1].Add(FailureWindow), nil
}

// failure reports a wrong password or email, whose attempt is already recorded: locked if
// that attempt reached the limit.
func (s *Service) failure(ctx context.Context, email string, now time.Time) error {
	if until, err := s.lockedUntil(ctx, "email", email, FailuresPerAccount, now.Add(-FailureWindow)); err == nil && !until.IsZero() {
		return &LockedError{Until: until}
	}
	return ErrBadCredentials
}

// Prune deletes sign-in failures, reset links and sessions that no longer matter. The cleanup
// job calls it.
func (s *Service) Prune(ctx context.Context) (int64, error) {
	now := s.now()
	var total int64
	for _, q := range []struct {
		sql string
		arg time.Time
	}{
		{`DELETE FROM signin_failures WHERE failed_at < ?`, now.Add(-24 * time.Hour)},
		{`DELETE FROM password_resets WHERE expires_at < ?`, now.Add(-24 * time.Hour)},
		{`DELETE FROM sessions WHERE expiry < ?`, now},
	} {
		res, err := s.db.Exec(ctx, q.sql, q.arg)
		if err != nil {
			return total, err
		}
		n, _ := res.RowsAffected()
		total += n
	}
	return total, nil
}
