package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/pillars-ot/pillars/internal/auth"
	"github.com/pillars-ot/pillars/internal/mentoring"
)

type calendarView struct {
	NewURL string // shown once, just after it is made
	Since  string // when the current feed was made, "" when there is none
}

func (s *Server) calendarShow(w http.ResponseWriter, r *http.Request) {
	s.renderCalendar(w, r, http.StatusOK, "")
}

func (s *Server) renderCalendar(w http.ResponseWriter, r *http.Request, status int, newURL string) {
	u := auth.UserFrom(r.Context())
	at, err := s.mentoring.FeedCreated(r.Context(), u.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	d := calendarView{NewURL: newURL}
	if at != nil {
		d.Since = at.In(london).Format("2 January 2006 at 15:04")
	}
	s.render(w, r, status, "mentoring-calendar", view{Title: "Your sessions in your calendar", Data: d, Crumbs: []navLink{{Label: "Mentoring", Href: "/mentoring"}}})
}

// calendarReset makes a new secret feed address, replacing any old one, and shows it once:
// only its hash is kept.
func (s *Server) calendarReset(w http.ResponseWriter, r *http.Request) {
	u := auth.UserFrom(r.Context())
	token, err := s.mentoring.ResetFeed(r.Context(), u.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.renderCalendar(w, r, http.StatusCreated, strings.TrimRight(s.cfg.BaseURL, "/")+mentoring.FeedPath(token))
}

func (s *Server) calendarStop(w http.ResponseWriter, r *http.Request) {
	u := auth.UserFrom(r.Context())
	if err := s.mentoring.StopFeed(r.Context(), u.ID); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.flash(r, "Your calendar feed is turned off. Its address no longer works.")
	http.Redirect(w, r, "/mentoring/calendar", http.StatusSeeOther)
}

// calendarFeed answers a calendar app polling a person's secret feed address
// (/calendar/{token}.ics). The token is the only credential, so an unknown one is simply 404.
func (s *Server) calendarFeed(w http.ResponseWriter, r *http.Request) {
	token, ok := strings.CutSuffix(r.PathValue("file"), ".ics")
	if !ok {
		s.notFound(w, r)
		return
	}
	data, err := s.mentoring.Feed(r.Context(), token, s.cfg.BaseURL)
	if errors.Is(err, mentoring.ErrNotFound) {
		http.Error(w, "There is no calendar at this address. It may have been replaced: make a new one in Pillars.", http.StatusNotFound)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/calendar; charset=utf-8")
	_, _ = w.Write(data)
}
