package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/pillars-ot/pillars/internal/auth"
	"github.com/pillars-ot/pillars/internal/mentoring"
	"github.com/pillars-ot/pillars/internal/org"
)

type cohortPair struct {
	mentoring.Proposal
	Score *scoreView
	Value string // "mentee:mentor", sent back by "Send these requests"
}

type cohortData struct {
	Org       *org.Organisation
	Orgs      []navLink // when no organisation is chosen
	Cohort    *mentoring.Cohort
	Pairs     []cohortPair
	Total     string
	Algorithm string
}

// cohortOrg reads the organisation a cohort page is for, answering 404 (no such organisation)
// or 403 (not its programme lead or a site administrator) itself.
func (s *Server) cohortOrg(w http.ResponseWriter, r *http.Request, u *auth.User, slug string) (*org.Organisation, bool) {
	o, err := s.orgs.BySlug(r.Context(), slug)
	if errors.Is(err, org.ErrNotFound) {
		s.notFound(w, r)
		return nil, false
	} else if err != nil {
		s.serverError(w, r, err)
		return nil, false
	}
	if !mentoring.CanMatchCohort(u, o.ID) {
		s.errorPage(w, r, http.StatusForbidden, "You cannot see this page",
			"Matching a cohort is for the organisation's programme leads and site administrators.")
		return nil, false
	}
	return o, true
}

func (s *Server) cohortPage(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	u := auth.UserFrom(ctx)
	slug := strings.TrimSpace(r.URL.Query().Get("org"))
	if slug == "" {
		orgs, err := s.cohortOrgs(r, u)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		switch len(orgs) {
		case 0:
			s.errorPage(w, r, http.StatusForbidden, "You cannot see this page",
				"Matching a cohort is for programme leads and site administrators.")
		case 1:
			http.Redirect(w, r, orgs[0].Href, http.StatusSeeOther)
		default:
			s.render(w, r, http.StatusOK, "mentoring-cohort", view{Title: "Match a cohort", Data: &cohortData{Orgs: orgs, Algorithm: mentoring.CohortAlgorithm},
				Crumbs: []navLink{{Label: "Mentoring", Href: "/mentoring"}}})
		}
		return
	}
	o, ok := s.cohortOrg(w, r, u, slug)
	if !ok {
		return
	}
	c, err := s.mentoring.ProposeCohort(ctx, u, o.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	d := &cohortData{Org: o, Cohort: c, Total: scorePoints(c.Total), Algorithm: mentoring.CohortAlgorithm}
	for _, p := range c.Pairs {
		d.Pairs = append(d.Pairs, cohortPair{Proposal: p, Score: scoreViewOf(&p.Score), Value: fmt.Sprintf("%d:%d", p.MenteeID, p.MentorID)})
	}
	s.render(w, r, http.StatusOK, "mentoring-cohort", view{Title: "Match a cohort: " + o.Name, Data: d,
		Crumbs: []navLink{{Label: "Mentoring", Href: "/mentoring"}}})
}

func (s *Server) sendCohort(w http.ResponseWriter, r *http.Request) {
	if !s.parseForm(w, r) {
		return
	}
	u := auth.UserFrom(r.Context())
	o, ok := s.cohortOrg(w, r, u, r.PostForm.Get("org"))
	if !ok {
		return
	}
	var pairs [][2]int64
	for _, v := range r.PostForm["pair"] {
		a, b, found := strings.Cut(v, ":")
		menteeID, err1 := strconv.ParseInt(a, 10, 64)
		mentorID, err2 := strconv.ParseInt(b, 10, 64)
		if !found || err1 != nil || err2 != nil {
			continue // not a pair this page made
		}
		pairs = append(pairs, [2]int64{menteeID, mentorID})
	}
	back := "/mentoring/cohort?" + url.Values{"org": {o.Slug}}.Encode()
	if len(pairs) == 0 {
		s.flash(r, "There were no pairs to send.")
		http.Redirect(w, r, back, http.StatusSeeOther)
		return
	}
	res, err := s.mentoring.SendCohort(r.Context(), u, o.ID, pairs, s.relationshipOutbox())
	var refused *mentoring.Refused
	switch {
	case errors.As(err, &refused):
		s.flash(r, refused.Message+". Nothing was sent.")
	case err != nil:
		s.serverError(w, r, err)
		return
	default:
		msg := fmt.Sprintf("%d %s sent. The mentors will accept or decline.", res.Sent, pluralWords(res.Sent, "request was", "requests were"))
		if len(res.Skipped) > 0 {
			msg += fmt.Sprintf(" %d skipped because things changed since the match was shown: %s.", len(res.Skipped), strings.Join(res.Skipped, "; "))
		}
		s.flash(r, msg)
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
}
