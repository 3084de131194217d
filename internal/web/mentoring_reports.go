package web

import (
	"errors"
	"net/http"
	"sort"

	"github.com/pillars-ot/pillars/internal/auth"
	"github.com/pillars-ot/pillars/internal/mentoring"
	"github.com/pillars-ot/pillars/internal/org"
)

type mentoringReportView struct {
	Org     *org.Organisation
	Choices []navLink // organisations the person can report on, when none is chosen
	Report  *mentoring.Report
}

// reportableOrgs are the organisations whose mentoring report the person may see.
func (s *Server) reportableOrgs(r *http.Request, u *auth.User) ([]navLink, error) {
	var out []navLink
	if u.IsSiteAdmin() {
		all, err := s.orgs.List(r.Context())
		if err != nil {
			return nil, err
		}
		for _, o := range all {
			out = append(out, navLink{Label: o.Name, Href: "/mentoring/reports?org=" + o.Slug})
		}
		return out, nil
	}
	seen := map[int64]bool{}
	for _, m := range u.Memberships {
		if mentoring.CanReport(u, m.OrgID) && !seen[m.OrgID] {
			seen[m.OrgID] = true
			out = append(out, navLink{Label: m.OrgName, Href: "/mentoring/reports?org=" + m.OrgSlug})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Label < out[j].Label })
	return out, nil
}

// mentoringReport shows an organisation's mentoring in numbers, for its programme leads and
// site administrators (mentoring.CanReport). The report holds counts only: no notes, agreement
// or review text is ever read for it.
func (s *Server) mentoringReport(w http.ResponseWriter, r *http.Request) {
	u := auth.UserFrom(r.Context())
	forbidden := func() {
		s.errorPage(w, r, http.StatusForbidden, "You cannot see this page",
			"Mentoring reports are for an organisation's programme leads and for site administrators.")
	}
	choices, err := s.reportableOrgs(r, u)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if len(choices) == 0 {
		forbidden()
		return
	}
	d := &mentoringReportView{}
	slug := r.URL.Query().Get("org")
	if slug == "" {
		d.Choices = choices
		s.render(w, r, http.StatusOK, "mentoring-report", view{Title: "Mentoring reports", Data: d, Crumbs: []navLink{{Label: "Mentoring", Href: "/mentoring"}}})
		return
	}
	o, err := s.orgs.BySlug(r.Context(), slug)
	if errors.Is(err, org.ErrNotFound) {
		s.notFound(w, r)
		return
	} else if err != nil {
		s.serverError(w, r, err)
		return
	}
	// The area decides who may see the report (mentoring.CanReport).
	d.Org = o
	d.Report, err = s.mentoring.Report(r.Context(), u, o.ID)
	if errors.Is(err, mentoring.ErrNotAllowed) {
		forbidden()
		return
	} else if err != nil {
		s.serverError(w, r, err)
		return
	}
	for _, c := range choices {
		if c.Label != o.Name {
			d.Choices = append(d.Choices, c)
		}
	}
	s.render(w, r, http.StatusOK, "mentoring-report", view{Title: "Mentoring report: " + o.Name, Data: d, Crumbs: []navLink{{Label: "Mentoring", Href: "/mentoring"}}})
}
