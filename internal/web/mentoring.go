package web

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/pillars-ot/pillars/internal/assess"
	"github.com/pillars-ot/pillars/internal/auth"
	"github.com/pillars-ot/pillars/internal/framework"
	"github.com/pillars-ot/pillars/internal/mentoring"
)

// mentoringRow is one request or relationship in the hub's lists.
type mentoringRow struct {
	Href     string
	Other    string // the other person's name
	Kind     string // Mentoring or Coaching
	Status   string
	Tag      string // the tag's colour class
	Since    string
	Proposed bool // a programme lead proposed the pair
}

type mentoringHubData struct {
	Profile       *mentoring.Profile
	Places        int
	Ask           *mentoring.Ask
	Incoming      []mentoringRow // requests waiting for this person's answer, as mentor
	AsMentee      []mentoringRow
	AsMentor      []mentoringRow
	CanVerify     bool
	Pending       int // claims waiting, for verifiers
	CohortOrgs    []navLink
	ReportVisible bool
}

// mentoringStatus is a relationship's status as a tag.
func mentoringStatus(status string) (label, tag string) {
	switch status {
	case mentoring.StatusRequested:
		return "Waiting for an answer", "nhsuk-tag--yellow"
	case mentoring.StatusActive:
		return "Active", "nhsuk-tag--green"
	case mentoring.StatusCompleted:
		return "Completed", "nhsuk-tag--blue"
	case mentoring.StatusEndedEarly:
		return "Ended early", "nhsuk-tag--grey"
	case mentoring.StatusDeclined:
		return "Declined", "nhsuk-tag--red"
	case mentoring.StatusWithdrawn:
		return "Withdrawn", "nhsuk-tag--grey"
	}
	return status, "nhsuk-tag--grey"
}

// mentoringPath is where a request or relationship is read: its request page until it is
// accepted, then the relationship's own page.
func mentoringPath(r *mentoring.Relationship) string {
	switch r.Status {
	case mentoring.StatusActive, mentoring.StatusCompleted, mentoring.StatusEndedEarly:
		return "/mentoring/relationships/" + strconv.FormatInt(r.ID, 10)
	}
	return mentoring.RequestPath(r.ID)
}

func mentoringRowOf(r *mentoring.Relationship, viewerID int64) mentoringRow {
	_, other := r.Other(viewerID)
	row := mentoringRow{Href: mentoringPath(r), Other: other, Kind: "Mentoring", Since: r.RequestedAt.Format("2 January 2006"), Proposed: r.ProposedBy != 0}
	if r.Kind == "coaching" {
		row.Kind = "Coaching"
	}
	if r.StartedAt != nil {
		row.Since = r.StartedAt.Format("2 January 2006")
	}
	row.Status, row.Tag = mentoringStatus(r.Status)
	return row
}

// cohortOrgs are the organisations whose cohorts the person may match: where they are a
// programme lead, or every organisation for a site administrator.
func (s *Server) cohortOrgs(r *http.Request, u *auth.User) ([]navLink, error) {
	var out []navLink
	if u.IsSiteAdmin() {
		all, err := s.orgs.List(r.Context())
		if err != nil {
			return nil, err
		}
		for _, o := range all {
			out = append(out, navLink{Label: o.Name, Href: "/mentoring/cohort?org=" + o.Slug})
		}
		return out, nil
	}
	seen := map[int64]bool{}
	for _, m := range u.Memberships {
		if mentoring.CanMatchCohort(u, m.OrgID) && !seen[m.OrgID] {
			seen[m.OrgID] = true
			out = append(out, navLink{Label: m.OrgName, Href: "/mentoring/cohort?org=" + m.OrgSlug})
		}
	}
	return out, nil
}

func (s *Server) mentoringHub(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	u := auth.UserFrom(ctx)
	d := &mentoringHubData{CanVerify: mentoring.CanVerify(u)}
	var err error
	if d.Profile, err = s.mentoring.Profile(ctx, u.ID); err != nil && !errors.Is(err, mentoring.ErrNotFound) {
		s.serverError(w, r, err)
		return
	}
	if d.Ask, err = s.mentoring.Ask(ctx, u.ID); err != nil && !errors.Is(err, mentoring.ErrNotFound) {
		s.serverError(w, r, err)
		return
	}
	rels, err := s.mentoring.Relationships(ctx, u.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	active := 0
	for _, rel := range rels {
		row := mentoringRowOf(rel, u.ID)
		switch {
		case rel.IsMentor(u.ID) && rel.Status == mentoring.StatusRequested:
			d.Incoming = append(d.Incoming, row)
		case rel.IsMentor(u.ID):
			d.AsMentor = append(d.AsMentor, row)
			if rel.Status == mentoring.StatusActive {
				active++
			}
		default:
			d.AsMentee = append(d.AsMentee, row)
		}
	}
	if d.Profile != nil {
		d.Places = max(d.Profile.Capacity-active, 0)
	}
	if d.CanVerify {
		if d.Pending, err = s.mentoring.PendingClaimCount(ctx, u); err != nil {
			s.serverError(w, r, err)
			return
		}
	}
	if d.CohortOrgs, err = s.cohortOrgs(r, u); err != nil {
		s.serverError(w, r, err)
		return
	}
	d.ReportVisible = u.IsSiteAdmin()
	for _, m := range u.Memberships {
		d.ReportVisible = d.ReportVisible || mentoring.CanReport(u, m.OrgID)
	}
	s.render(w, r, http.StatusOK, "mentoring", view{Title: "Mentoring and coaching", Data: d})
}

// assessedGaps is the person's gaps from their latest self-assessment or 360 feedback on the
// default framework, largest first, or none when they have not been assessed.
func (s *Server) assessedGaps(r *http.Request, u *auth.User) ([]mentoring.Gap, string, error) {
	g, err := s.assess.Gaps(r.Context(), u, assess.DefaultFramework)
	switch {
	case err == nil:
		return mentoring.GapsOf(g), g.Source, nil
	case errors.Is(err, assess.ErrNoLevel), errors.Is(err, assess.ErrNotFound), errors.Is(err, framework.ErrNotFound):
		return nil, "", nil
	}
	return nil, "", err
}

// menteeNeed is what the signed-in person asks for: their saved ask with their current
// assessed gaps, or with no ask, any mentor for those gaps.
func (s *Server) menteeNeed(r *http.Request, u *auth.User) (mentoring.Need, *mentoring.Ask, error) {
	gaps, _, err := s.assessedGaps(r, u)
	if err != nil {
		return mentoring.Need{}, nil, err
	}
	a, err := s.mentoring.Ask(r.Context(), u.ID)
	switch {
	case err == nil:
		return a.Need(gaps), a, nil
	case errors.Is(err, mentoring.ErrNotFound):
		return mentoring.Need{Want: "either", BudgetPence: -1, Gaps: gaps}, nil, nil
	}
	return mentoring.Need{}, nil, err
}

// mentoringElementGroups are the element choices as the forms show them, ticked as chosen.
func (s *Server) mentoringElementGroups(r *http.Request, chosen []string) ([]elementGroup, error) {
	groups, err := s.mentoring.ElementChoices(r.Context())
	if err != nil {
		return nil, err
	}
	picked := map[string]bool{}
	for _, c := range chosen {
		picked[c] = true
	}
	var out []elementGroup
	for _, g := range groups {
		eg := elementGroup{Title: g.Title}
		for _, e := range g.Elements {
			eg.Options = append(eg.Options, elementOption{Value: e.Value, Label: e.Label, Checked: picked[e.Value]})
		}
		out = append(out, eg)
	}
	return out, nil
}
