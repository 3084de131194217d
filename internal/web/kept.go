package web

import (
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/pillars-ot/pillars/internal/auth"
	"github.com/pillars-ot/pillars/internal/store"
)

// Nothing typed is lost to a timeout. When a long reflection is sent after the session has
// ended, the form is kept on the server (never the files) and the person is asked to sign in
// again; the form then opens with their text in it. The kept form is given back only to the
// person it was written by (the form carries their id, and the signed-in person must match),
// only once, and only within a day.

const keptCookie = "pillars_kept"

// maxKeptForm is the largest form kept after a session ends: a long reflection in every stage
// fits many times over.
const maxKeptForm = 512 << 10

// keptFormPaths maps a route whose form is worth keeping to the page that shows the form again.
var keptFormPaths = map[string]func(r *http.Request) string{
	"/portfolio/entries":      func(*http.Request) string { return "/portfolio/entries/new" },
	"/portfolio/entries/{id}": func(r *http.Request) string { return "/portfolio/entries/" + r.PathValue("id") + "/edit" },
}

// keepForm stores a form sent without a session and sends the person to sign in. It reports
// false when the form cannot be kept, and the caller carries on as for any signed-out request.
func (s *Server) keepForm(w http.ResponseWriter, r *http.Request, pattern string) bool {
	formPage, ok := keptFormPaths[pattern]
	if r.Method != http.MethodPost || !ok {
		return false
	}
	// Only a form from a browser that had a session, and only a form of a sensible size: the
	// writer's text, not an upload (files are never kept). Nobody can use this to fill the
	// database without signing in.
	if _, err := r.Cookie("pillars_session"); err != nil {
		return false
	}
	if r.ContentLength < 0 || r.ContentLength > maxKeptForm {
		return false
	}
	var err error
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		err = r.ParseMultipartForm(4 << 20)
	} else {
		err = r.ParseForm()
	}
	if err != nil {
		return false
	}
	ownerID, _ := strconv.ParseInt(r.PostForm.Get("owner_id"), 10, 64)
	if ownerID == 0 || !s.accounts.CheckFormToken(r.Context(), ownerID, r.PostForm.Get("owner_token")) {
		return false
	}
	form := url.Values{}
	for k, v := range r.PostForm {
		if k != "owner_id" && k != "owner_token" && k != "action" && k != "redact" && k != confirmField {
			form[k] = v
		}
	}
	b, _ := json.Marshal(form)
	raw := make([]byte, 24)
	_, _ = rand.Read(raw)
	token := base64.RawURLEncoding.EncodeToString(raw)
	path := formPage(r)
	// One kept form per person (the newest), and none older than a day: the table stays small
	// without a job of its own.
	now := store.Now()
	err = s.db.InTx(r.Context(), func(tx *store.Tx) error {
		if _, err := tx.Exec(r.Context(), `DELETE FROM kept_forms WHERE user_id = ? OR created_at < ?`, ownerID, now.Add(-24*time.Hour)); err != nil {
			return err
		}
		_, err := tx.Exec(r.Context(), `INSERT INTO kept_forms (token_hash, user_id, path, form, created_at) VALUES (?, ?, ?, ?, ?)`, keptHash(token), ownerID, path, string(b), now)
		return err
	})
	if err != nil {
		s.log.Warn("keep form", "err", err)
		return false
	}
	http.SetCookie(w, &http.Cookie{Name: keptCookie, Value: token, Path: "/", MaxAge: 86400, HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.cfg.SecureCookies})
	http.Redirect(w, r, "/sign-in?kept=1&next="+url.QueryEscape(path), http.StatusSeeOther)
	return true
}

func keptHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// takeKeptForm returns the form kept for the signed-in person on this page, once, or nil.
func (s *Server) takeKeptForm(w http.ResponseWriter, r *http.Request) url.Values {
	c, err := r.Cookie(keptCookie)
	if err != nil || c.Value == "" {
		return nil
	}
	u := auth.UserFrom(r.Context())
	var id, userID int64
	var path, form string
	var at time.Time
	err = s.db.QueryRow(r.Context(), `SELECT id, user_id, path, form, created_at FROM kept_forms WHERE token_hash = ?`, keptHash(c.Value)).Scan(&id, &userID, &path, &form, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		s.log.Error("kept form", "err", err)
		return nil
	}
	if path != r.URL.Path {
		return nil // kept for another page: leave it, and its cookie, for that page
	}
	http.SetCookie(w, &http.Cookie{Name: keptCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.cfg.SecureCookies})
	// Whoever signed in, the kept form is used up: another person on a shared computer never
	// sees it.
	if _, err := s.db.Exec(r.Context(), `DELETE FROM kept_forms WHERE id = ?`, id); err != nil {
		s.log.Error("kept form", "err", err)
	}
	if u == nil || u.ID != userID || time.Since(at) > 24*time.Hour {
		return nil
	}
	var v url.Values
	if json.Unmarshal([]byte(form), &v) != nil {
		return nil
	}
	return v
}
