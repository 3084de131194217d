package auth

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/pillars-ot/pillars/internal/store"
)

// SessionStore keeps scs sessions in the database, so they are server-side, revocable and shared
// by every app server.
type SessionStore struct{ db *store.DB }

// NewSessionStore returns a store over db.
func NewSessionStore(db *store.DB) *SessionStore { return &SessionStore{db: db} }

// FindCtx returns a live session's data.
func (s *SessionStore) FindCtx(ctx context.Context, token string) ([]byte, bool, error) {
	var data []byte
	err := s.db.QueryRow(ctx, `SELECT data FROM sessions WHERE token = ? AND expiry > ?`, token, store.Now()).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	}
	return data, err == nil, err
}

// CommitCtx saves a session, replacing any earlier data for its token.
func (s *SessionStore) CommitCtx(ctx context.Context, token string, b []byte, expiry time.Time) error {
	_, err := s.db.Exec(ctx, `INSERT INTO sessions (token, data, expiry) VALUES (?, ?, ?)
		ON CONFLICT (token) DO UPDATE SET data = excluded.data, expiry = excluded.expiry`, token, b, expiry.UTC())
	return err
}

// DeleteCtx removes a session (sign-out).
func (s *SessionStore) DeleteCtx(ctx context.Context, token string) error {
	_, err := s.db.Exec(ctx, `DELETE FROM sessions WHERE token = ?`, token)
	return err
}

// Find implements scs.Store.
func (s *SessionStore) Find(token string) ([]byte, bool, error) {
	return s.FindCtx(context.Background(), token)
}

// Commit implements scs.Store.
func (s *SessionStore) Commit(token string, b []byte, expiry time.Time) error {
	return s.CommitCtx(context.Background(), token, b, expiry)
}

// Delete implements scs.Store.
func (s *SessionStore) Delete(token string) error {
	return s.DeleteCtx(context.Background(), token)
}
