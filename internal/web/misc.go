package web

import (
	"encoding/json"
	"errors"
	"github.com/pillars-ot/pillars/internal/api"
	"github.com/pillars-ot/pillars/internal/valid"
	"net/http"
	"time"
	_ "time/tzdata"
)

func (s *Server) accessibility(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "accessibility", view{Title: "Accessibility statement"})
}

func (s *Server) privacy(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "privacy", view{Title: "Privacy notice"})
}

// healthz says the process is up. It touches nothing else, so a slow database never makes a
// load balancer kill a healthy process.
func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	_ = json.NewEncoder(w).Encode(map[string]any{"status": "ok", "uptime_seconds": int(time.Since(s.started).Seconds())})
}

// readyz says whether this server can take traffic: the database answers and its schema matches.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	if err := s.ready(r.Context()); err != nil {
		s.log.Warn("not ready", "err", err)
		w.WriteHeader(http.StatusServiceUnavailable)
		_ = json.NewEncoder(w).Encode(map[string]any{"status": "unavailable", "database": "not answering or schema mismatch"})
		return
	}
	_ = json.NewEncoder(w).Encode(map[string]any{"status": "ready", "database": string(s.db.Dialect)})
}

func (s *Server) apiError(w http.ResponseWriter, status int, code, message string, fields []valid.FieldError) {
	api.Error(w, status, code, message, fields)
}

// london is the time zone dates are shown and read in: Pillars' users are in the UK.
var london = func() *time.Location {
	l, err := time.LoadLocation("Europe/London")
	if err != nil {
		return time.UTC
	}
	return l
}()

// failed answers a call on someone's record that went wrong: 404 when the record is not the
// person's or does not exist (notFound), which look the same from outside, and the plain error
// page for anything else. It reports whether there was an error to answer.
func (s *Server) failed(w http.ResponseWriter, r *http.Request, err, notFound error) bool {
	switch {
	case err == nil:
		return false
	case errors.Is(err, notFound):
		s.notFound(w, r)
	default:
		s.serverError(w, r, err)
	}
	return true
}
