package web

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/pillars-ot/pillars/internal/assess"
	"github.com/pillars-ot/pillars/internal/auth"
	"github.com/pillars-ot/pillars/internal/framework"
	"github.com/pillars-ot/pillars/internal/org"
	"github.com/pillars-ot/pillars/internal/valid"
)

type heatmapData struct {
	Org      *org.Organisation
	Map      *assess.HeatMap
	Elements []*framework.Element
	Others   []framework.Summary
	MinCell  int
}

func (s *Server) heatmap(w http.ResponseWriter, r *http.Request) {
	u := auth.UserFrom(r.Context())
	o, err := s.orgs.BySlug(r.Context(), r.PathValue("slug"))
	// Aggregates are for the organisation's programme and workforce leads and site administrators.
	if errors.Is(err, org.ErrNotFound) || (err == nil && !org.CanViewAggregates(u, o)) {
		s.notFound(w, r)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	key := r.URL.Query().Get("framework")
	if key == "" {
		key = assess.DefaultFramework
	}
	h, err := s.assess.HeatMap(r.Context(), o.ID, key)
	if s.failed(w, r, err, framework.ErrNotFound) {
		return
	}
	if h.Framework.Scale == nil {
		s.notFound(w, r)
		return
	}
	fws, _, err := s.assessable(r)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	d := heatmapData{Org: o, Map: h, Elements: h.Framework.Rateable(), MinCell: assess.MinCell}
	for _, f := range fws {
		if f.Key != key {
			d.Others = append(d.Others, f)
		}
	}
	s.render(w, r, http.StatusOK, "heatmap", view{Title: "Leadership by team: " + o.Name, Data: d,
		Crumbs: []navLink{{Label: o.Name, Href: "/organisations/" + o.Slug}}})
}

type targetCell struct {
	Level int
	Field string
	Value string
}

type targetRow struct {
	Element *framework.Element
	Cells   []targetCell
}

type targetsData struct {
	F      *framework.Framework
	Levels []int
	Rows   []targetRow
}

func (s *Server) targetsPage(w http.ResponseWriter, r *http.Request, status int, f *framework.Framework, values func(level int, el string) string, errs valid.Errors) {
	d := targetsData{F: f}
	for l := 1; l <= assess.Levels; l++ {
		d.Levels = append(d.Levels, l)
	}
	for _, e := range f.Rateable() {
		row := targetRow{Element: e}
		for l := 1; l <= assess.Levels; l++ {
			row.Cells = append(row.Cells, targetCell{Level: l, Field: assess.TargetField(l, e.Key), Value: values(l, e.Key)})
		}
		d.Rows = append(d.Rows, row)
	}
	s.render(w, r, status, "targets", view{Title: "Career level targets", Errors: errs, Data: d, Crumbs: []navLink{{Label: "Administration", Href: "/admin"}}})
}

func (s *Server) loadAssessableFramework(w http.ResponseWriter, r *http.Request) (*framework.Framework, bool) {
	f, _, err := s.frameworks.Get(r.Context(), r.PathValue("key"), "")
	if errors.Is(err, framework.ErrNotFound) || (err == nil && f.Scale == nil) {
		s.notFound(w, r)
		return nil, false
	}
	if err != nil {
		s.serverError(w, r, err)
		return nil, false
	}
	return f, true
}

func (s *Server) targetsForm(w http.ResponseWriter, r *http.Request) {
	f, ok := s.loadAssessableFramework(w, r)
	if !ok {
		return
	}
	all, err := s.assess.AllTargets(r.Context(), f.Key)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.targetsPage(w, r, http.StatusOK, f, func(l int, el string) string {
		if v, ok := all[l][el]; ok {
			return strconv.Itoa(v)
		}
		return ""
	}, nil)
}

func (s *Server) saveTargets(w http.ResponseWriter, r *http.Request) {
	if !s.parseForm(w, r) {
		return
	}
	f, ok := s.loadAssessableFramework(w, r)
	if !ok {
		return
	}
	targets := map[int]map[string]int{}
	var errs valid.Errors
	for l := 1; l <= assess.Levels; l++ {
		targets[l] = map[string]int{}
		for _, e := range f.Rateable() {
			field := assess.TargetField(l, e.Key)
			raw := r.PostForm.Get(field)
			if raw == "" {
				continue
			}
			v, err := strconv.Atoi(raw)
			if err != nil {
				errs.Add(field, "The level "+strconv.Itoa(l)+" target for "+e.Title+" must be a whole number")
				continue
			}
			targets[l][e.Key] = v
		}
	}
	if !errs.Any() {
		err := s.assess.SetTargets(r.Context(), f, targets, auth.UserFrom(r.Context()).ID)
		if !errors.As(err, &errs) && err != nil {
			s.serverError(w, r, err)
			return
		}
	}
	if errs.Any() {
		s.targetsPage(w, r, http.StatusUnprocessableEntity, f, func(l int, el string) string { return r.PostForm.Get(assess.TargetField(l, el)) }, errs)
		return
	}
	s.flash(r, "Targets saved. Everyone's gaps now use them.")
	http.Redirect(w, r, "/admin/targets/"+f.Key, http.StatusSeeOther)
}
