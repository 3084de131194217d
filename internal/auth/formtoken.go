package auth

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
)

// FormToken proves that a form was given to this person by Pillars. A form posted after the
// session has ended carries it, so Pillars can keep the text for its writer without anyone being
// able to plant text in another person's form: the token is an HMAC of the person's id keyed by
// their password hash, which never leaves the server and changes with the password.
func (s *Service) FormToken(ctx context.Context, userID int64) (string, error) {
	var hash string
	if err := s.db.QueryRow(ctx, `SELECT password_hash FROM users WHERE id = ? AND disabled_at IS NULL`, userID).Scan(&hash); err != nil {
		return "", err
	}
	mac := hmac.New(sha256.New, []byte(hash))
	mac.Write([]byte("kept-form:" + strconv.FormatInt(userID, 10)))
	return hex.EncodeToString(mac.Sum(nil)), nil
}

// CheckFormToken reports whether token is userID's current form token.
func (s *Service) CheckFormToken(ctx context.Context, userID int64, token string) bool {
	want, err := s.FormToken(ctx, userID)
	return err == nil && token != "" && hmac.Equal([]byte(want), []byte(token))
}
