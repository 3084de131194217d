package mentoring

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
)

// A personal calendar feed is a secret URL a calendar app polls. Only the SHA-256 of its token
// is stored, so the URL is shown once when made; making a new one replaces the old, which stops
// working at once.

func newFeedToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func feedHash(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

// FeedPath is the path of a feed for its token.
func FeedPath(token string) string { return "/calendar/" + token + ".ics" }

// ResetFeed makes the person a new feed token, replacing any old one, and returns it. It
// cannot be read back later.
func (s *Service) ResetFeed(ctx context.Context, userID int64) (string, error) {
	token := newFeedToken()
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM calendar_feeds WHERE user_id = ?`, userID); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO calendar_feeds (user_id, token_hash, created_at) VALUES (?, ?, ?)`, userID, feedHash(token), s.now())
		return err
	})
	if err != nil {
		return "", fmt.Errorf("mentoring: reset feed of %d: %w", userID, err)
	}
	return token, nil
}

// StopFeed turns the person's feed off: its URL answers "not found" from now on.
func (s *Service) StopFeed(ctx context.Context, userID int64) error {
	if _, err := s.db.Exec(ctx, `DELETE FROM calendar_feeds WHERE user_id = ?`, userID); err != nil {
		return fmt.Errorf("mentoring: stop feed of %d: %w", userID, err)
	}
	return nil
}

// FeedCreated says when the person's current feed was made, or nil when they have none.
func (s *Service) FeedCreated(ctx context.Context, userID int64) (*time.Time, error) {
	var at time.Time
	err := s.db.QueryRow(ctx, `SELECT created_at FROM calendar_feeds WHERE user_id = ?`, userID).Scan(&at)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("mentoring: feed of %d: %w", userID, err)
	}
	at = at.UTC()
	return &at, nil
}

// maxFeedSessions bounds one feed: far more than any person's year of sessions.
const maxFeedSessions = 2000

// Feed is the calendar for a feed token: the owner's planned and held sessions from the last
// year onwards, as mentee and as mentor. An unknown or replaced token is ErrNotFound.
func (s *Service) Feed(ctx context.Context, token, baseURL string) ([]byte, error) {
	if token == "" || len(token) > 200 {
		return nil, ErrNotFound
	}
	var userID int64
	var name string
	var made, passwordChanged time.Time
	err := s.db.QueryRow(ctx, `SELECT f.user_id, u.name, f.created_at, u.password_changed_at FROM calendar_feeds f JOIN users u ON u.id = f.user_id
		WHERE f.token_hash = ? AND u.disabled_at IS NULL`, feedHash(token)).Scan(&userID, &name, &made, &passwordChanged)
	// A password change or reset ends every way into the account, as it does sessions and API
	// tokens: an address made before it stops working (compared in Go, where times are times).
	if errors.Is(err, sql.ErrNoRows) || (err == nil && passwordChanged.After(made)) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("mentoring: feed: %w", err)
	}
	rels := map[int64]*Relationship{}
	all, err := s.Relationships(ctx, userID)
	if err != nil {
		return nil, err
	}
	for _, r := range all {
		rels[r.ID] = r
	}
	sessions, err := s.sessionsQuery(ctx, s.db, ` WHERE status IN ('planned', 'held') AND starts_at >= ?
		AND relationship_id IN (SELECT id FROM mentoring_relationships WHERE mentee_id = ? OR mentor_id = ?)
		ORDER BY starts_at, id LIMIT `+fmt.Sprint(maxFeedSessions), s.now().Add(-feedWindow), userID, userID)
	if err != nil {
		return nil, err
	}
	items := make([]feedItem, 0, len(sessions))
	for _, x := range sessions {
		if r := rels[x.RelationshipID]; r != nil {
			items = append(items, feedItem{r: r, x: x})
		}
	}
	return s.feedCalendar(name, items, baseURL), nil
}
