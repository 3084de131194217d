package web

import (
	"net/http"

	"github.com/pillars-ot/pillars/internal/framework"
)

type frameworkData struct {
	F          *framework.Framework
	Version    framework.VersionInfo
	Key        string
	LevelNames map[int]string
	Grid       *levelGrid
	E          *framework.Element // on element pages
}

// levelGrid is the "elements by career level" table, shown when a framework gives descriptors for
// a handful of elements (the four pillars by nine levels).
type levelGrid struct {
	Columns []*framework.Element
	Rows    []levelRow
}

type levelRow struct {
	Number int
	Name   string
	Cells  []string
}

const maxGridColumns = 5

func buildGrid(f *framework.Framework, names map[int]string) *levelGrid {
	if len(f.Levels) == 0 {
		return nil
	}
	var cols []*framework.Element
	for _, e := range f.All() {
		if len(e.Descriptors) > 0 && e.Depth == 0 {
			cols = append(cols, e)
		}
	}
	if len(cols) == 0 || len(cols) > maxGridColumns {
		return nil
	}
	g := &levelGrid{Columns: cols}
	for _, l := range f.Levels {
		row := levelRow{Number: l.Number, Name: names[l.Number]}
		for _, c := range cols {
			row.Cells = append(row.Cells, c.Descriptor(l.Number))
		}
		g.Rows = append(g.Rows, row)
	}
	return g
}

func (s *Server) frameworkList(w http.ResponseWriter, r *http.Request) {
	list, err := s.frameworks.List(r.Context())
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "frameworks", view{Title: "Frameworks", Data: list})
}

// loadFramework fetches the framework named in the path (and ?version=), answering 404 itself.
func (s *Server) loadFramework(w http.ResponseWriter, r *http.Request) (*frameworkData, bool) {
	key := r.PathValue("key")
	f, vi, err := s.frameworks.Get(r.Context(), key, r.URL.Query().Get("version"))
	if s.failed(w, r, err, framework.ErrNotFound) {
		return nil, false
	}
	names, err := s.frameworks.LevelNames(r.Context(), key, f)
	if err != nil {
		s.serverError(w, r, err)
		return nil, false
	}
	return &frameworkData{F: f, Version: vi, Key: key, LevelNames: names}, true
}

func (s *Server) frameworkShow(w http.ResponseWriter, r *http.Request) {
	d, ok := s.loadFramework(w, r)
	if !ok {
		return
	}
	d.Grid = buildGrid(d.F, d.LevelNames)
	s.render(w, r, http.StatusOK, "framework", view{Title: d.F.Title, Data: d, Crumbs: []navLink{{Label: "Frameworks", Href: "/frameworks"}}})
}

type versionsData struct {
	Key      string
	Title    string
	Versions []framework.VersionInfo
}

func (s *Server) frameworkVersions(w http.ResponseWriter, r *http.Request) {
	d, ok := s.loadFramework(w, r)
	if !ok {
		return
	}
	vs, err := s.frameworks.Versions(r.Context(), d.Key)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "framework-versions", view{Title: "Versions of " + d.F.Title, Data: versionsData{Key: d.Key, Title: d.F.Title, Versions: vs},
		Crumbs: []navLink{{Label: "Frameworks", Href: "/frameworks"}, {Label: d.F.DisplayTitle(), Href: "/frameworks/" + d.Key}}})
}

func (s *Server) frameworkElement(w http.ResponseWriter, r *http.Request) {
	d, ok := s.loadFramework(w, r)
	if !ok {
		return
	}
	d.E = d.F.Element(r.PathValue("element"))
	if d.E == nil {
		s.notFound(w, r)
		return
	}
	crumbs := []navLink{{Label: "Frameworks", Href: "/frameworks"}, {Label: d.F.DisplayTitle(), Href: frameworkHref(d, "")}}
	for _, p := range d.E.Path() {
		crumbs = append(crumbs, navLink{Label: p.Title, Href: frameworkHref(d, p.Key)})
	}
	s.render(w, r, http.StatusOK, "framework-element", view{Title: d.E.Title + " – " + d.F.DisplayTitle(), Data: d, Crumbs: crumbs})
}

// frameworkHref links within the version being viewed: the current version needs no parameter.
func frameworkHref(d *frameworkData, element string) string {
	h := "/frameworks/" + d.Key
	if element != "" {
		h += "/elements/" + element
	}
	if !d.Version.Current {
		h += "?version=" + d.Version.Version
	}
	return h
}
