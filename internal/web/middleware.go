package web

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"runtime/debug"
	"strings"
	"time"

	"github.com/pillars-ot/pillars/internal/auth"
	"github.com/pillars-ot/pillars/internal/framework"
	"github.com/pillars-ot/pillars/internal/portfolio"
)

// statusRecorder remembers the status a handler wrote, for the request log.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// logPath is the path as logged: secrets that live in paths (reset links) are cut off, and
// query strings are never logged.
func logPath(p string) string {
	for _, secret := range []string{"/password/reset/", "/rate/", "/shared/", "/calendar/"} {
		if strings.HasPrefix(p, secret) {
			return secret + "[redacted]"
		}
	}
	return p
}

func (s *Server) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w}
		next.ServeHTTP(rec, r)
		if strings.HasPrefix(r.URL.Path, "/static/") || r.URL.Path == "/healthz" {
			return
		}
		level := slog.LevelDebug
		if rec.status >= 500 {
			level = slog.LevelError
		}
		s.log.Log(r.Context(), level, "request", slog.String("method", r.Method), slog.String("path", logPath(r.URL.Path)),
			slog.Int("status", rec.status), slog.Duration("took", time.Since(start)))
	})
}

// recoverPanics turns a panic into the ordinary "sorry" page. The stack goes to the log with a
// reference the person can quote; it never reaches the page.
// requestDeadline bounds the database work a request may do: waiting for a pooled connection,
// say, ends with the ordinary error page instead of a hang.
const requestDeadline = 30 * time.Second

func (s *Server) withDeadline(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), requestDeadline)
		defer cancel()
		if r.Method == http.MethodGet {
			// Reading pages memo framework look-ups for the request; a request that changes
			// things never does, so it always sees what it has just written.
			ctx = framework.WithRequestCache(ctx)
		}
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

func (s *Server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				s.serverError(w, r, fmt.Errorf("panic: %v\n%s", p, debug.Stack()))
			}
		}()
		next.ServeHTTP(w, r)
	})
}

const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; " +
	"connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"

func (s *Server) securityHeaders(next http.Handler) http.Handler {
	hsts := s.cfg.TLSCert != "" || strings.HasPrefix(s.cfg.BaseURL, "https://")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
		if hsts || r.TLS != nil {
			h.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
		}
		if strings.HasPrefix(r.URL.Path, "/password/reset/") || strings.HasPrefix(r.URL.Path, "/rate/") || strings.HasPrefix(r.URL.Path, "/shared/") || strings.HasPrefix(r.URL.Path, "/calendar/") {
			h.Set("Referrer-Policy", "no-referrer") // the token is in the URL
			h.Set("Cache-Control", "no-store")
		}
		next.ServeHTTP(w, r)
	})
}

// limitBody caps request bodies. A body declared too large is refused at once; one that turns out
// too large while being read makes the handler's form parsing fail, which tooLarge reports.
func (s *Server) limitBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		limit := s.cfg.MaxBodyBytes
		switch p := r.URL.Path; {
		case p == "/admin/frameworks/import" || p == "/api/v1/frameworks":
			limit = s.cfg.MaxUploadBytes
		case p == "/portfolio/import":
			limit = portfolio.MaxArchiveBytes
		case strings.HasPrefix(p, "/portfolio/entries") && !strings.HasSuffix(p, "/autosave"):
			// Room for a few evidence files, so one that is too large gets a message on the
			// form (with everything typed kept) instead of this plain page.
			limit = evidenceBodyLimit
		case storyUpload(p): // a career story with its attachment (stories.go)
			limit = storyBodyLimit
		case p == "/mentoring/profile": // a coach's evidence of accreditation, up to 8 MB
			limit = evidenceBodyLimit
		}
		if r.ContentLength > limit {
			s.tooLarge(w, r, limit)
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, limit)
		next.ServeHTTP(w, r)
	})
}

// evidenceBodyLimit is the most an entry form with its evidence files may send.
const evidenceBodyLimit = 3*portfolio.MaxFileBytes + 1<<20

func (s *Server) tooLarge(w http.ResponseWriter, r *http.Request, limit int64) {
	msg := fmt.Sprintf("What you sent is larger than Pillars accepts here (%s at most). Nothing was saved. Go back and send something smaller.", humanBytes(limit))
	if strings.HasPrefix(r.URL.Path, "/api/") {
		s.apiError(w, http.StatusRequestEntityTooLarge, "too_large", msg, nil)
		return
	}
	w.Header().Set("Connection", "close")
	s.errorPage(w, r, http.StatusRequestEntityTooLarge, "What you sent is too large", msg)
}

func humanBytes(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MB", n>>20)
	case n >= 1<<10:
		return fmt.Sprintf("%d KB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// isTooLarge reports whether err came from reading past the body limit.
func isTooLarge(err error) bool {
	var mbe *http.MaxBytesError
	return errors.As(err, &mbe)
}

// sessionless reports whether a path never needs the session (assets, probes, the token API),
// so those requests cost no session look-up.
func sessionless(p string) bool {
	return strings.HasPrefix(p, "/static/") || strings.HasPrefix(p, "/api/") || p == "/healthz" || p == "/readyz"
}

const (
	sessionUserID = "user_id"
	sessionAuthAt = "auth_at" // the user's password_changed_at when the session was made
	sessionFlash  = "flash"
)

// loadUser puts the signed-in person into the request context. A session made before the
// person's latest password change is ended: resetting a password signs out every device.
func (s *Server) loadUser(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := s.sessions.GetInt64(r.Context(), sessionUserID)
		if id == 0 {
			next.ServeHTTP(w, r)
			return
		}
		u, err := s.accounts.UserByID(r.Context(), id)
		if errors.Is(err, auth.ErrNotFound) || (err == nil && u.PasswordChangedAt.UnixNano() != s.sessions.GetInt64(r.Context(), sessionAuthAt)) {
			_ = s.sessions.Destroy(r.Context())
			next.ServeHTTP(w, r)
			return
		}
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		next.ServeHTTP(w, r.WithContext(auth.WithUser(r.Context(), u)))
	})
}

func (s *Server) withSessions(next http.Handler) http.Handler {
	withSession := s.sessions.LoadAndSave(s.loadUser(next))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if sessionless(r.URL.Path) {
			next.ServeHTTP(w, r)
			return
		}
		withSession.ServeHTTP(w, r)
	})
}

// redirectToSignIn sends an anonymous visitor to sign in, remembering where they were going.
func (s *Server) redirectToSignIn(w http.ResponseWriter, r *http.Request) {
	target := "/sign-in"
	if r.Method == http.MethodGet && r.URL.Path != "/" {
		target += "?next=" + url.QueryEscape(r.URL.RequestURI())
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

// safeNext accepts only a local path as a place to return to after signing in, so the sign-in
// page cannot be used to send people to another site. Browsers drop tabs and newlines from URLs
// and treat "\" like "/", so "/\tevil.example" would become "//evil.example": any control
// character or backslash is refused, and what remains must parse as a bare path.
func safeNext(next string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\") {
		return "/home"
	}
	for _, r := range next {
		if r < 0x20 || r == 0x7f {
			return "/home"
		}
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || !strings.HasPrefix(u.Path, "/") || strings.HasPrefix(u.Path, "//") {
		return "/home"
	}
	return next
}

func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func errorRef() string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return strings.ToUpper(hex.EncodeToString(b))
}

// serverError logs err with a reference and shows the plain "sorry" page with that reference.
// A request whose client has gone away is not a server error: nobody is waiting for the page.
func (s *Server) serverError(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, context.Canceled) && r.Context().Err() != nil {
		s.log.Debug("client went away", slog.String("path", logPath(r.URL.Path)))
		return
	}
	ref := errorRef()
	s.log.Error("server error", slog.String("ref", ref), slog.String("method", r.Method), slog.String("path", logPath(r.URL.Path)), slog.Any("err", err))
	if strings.HasPrefix(r.URL.Path, "/api/") {
		s.apiError(w, http.StatusInternalServerError, "server_error", "Something went wrong on our side. Nothing was changed. Quote reference "+ref+" if you contact support.", nil)
		return
	}
	s.errorPage(w, r, http.StatusInternalServerError, "Sorry, there is a problem with the service",
		"Something went wrong on our side and nothing you sent was saved. Try again later. If it keeps happening, contact your Pillars administrator and quote reference "+ref+".")
}

func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/api/") {
		s.apiError(w, http.StatusNotFound, "not_found", "There is no such endpoint or record. See /api/v1/openapi.json.", nil)
		return
	}
	s.errorPage(w, r, http.StatusNotFound, "Page not found",
		"If you typed the web address, check it is correct. If you pasted the web address, check you copied the entire address.")
}
