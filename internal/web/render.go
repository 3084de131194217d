package web

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/pillars-ot/pillars/internal/auth"
	"github.com/pillars-ot/pillars/internal/directory"
	"github.com/pillars-ot/pillars/internal/framework"
	"github.com/pillars-ot/pillars/internal/org"
	"github.com/pillars-ot/pillars/internal/plan"
	"github.com/pillars-ot/pillars/internal/portfolio"
	"github.com/pillars-ot/pillars/internal/valid"
)

//go:embed templates
var templateFiles embed.FS

type templates struct{ byName map[string]*template.Template }

// loadTemplates parses every page with the shared layout and partials. Pages are parsed once at
// start-up; a template error stops the server before it serves anything.
func loadTemplates(static *staticAssets) (*templates, error) {
	funcs := template.FuncMap{
		"static":    static.URL,
		"roleLabel": func(r auth.Role) string { return r.Label() },
		"kindLabel": func(k string) string { return org.Kind(k).Label() },
		"date":      func(t time.Time) string { return t.UTC().Format("2 January 2006") },
		"datetime":  func(t time.Time) string { return t.UTC().Format("2 January 2006 at 15:04 UTC") },
		"dateptr": func(t *time.Time) string {
			if t == nil {
				return ""
			}
			return t.UTC().Format("2 January 2006")
		},
		"paras":     paragraphs,
		"printBack": func(path string) string { return strings.TrimSuffix(path, "/print") },
		"add":       func(a, b int) int { return a + b },
		"sub":       func(a, b int) int { return a - b },
		"neg":       func(a int) int { return -a },
		// num shows a mean with at most two decimals and no trailing zeros: 3, 3.5, 3.67.
		"num": func(f float64) string {
			s := strconv.FormatFloat(math.Round(f*100)/100, 'f', 2, 64)
			return strings.TrimSuffix(strings.TrimRight(strings.TrimRight(s, "0"), "."), ".")
		},
		"progress":     func(g plan.Goal) [3]int { d, t, p := g.Progress(); return [3]int{d, t, p} },
		"statusLabel":  plan.StatusLabel,
		"pathwayLabel": plan.PathwayLabel,
		// heatClass shades a heat map cell by where its mean sits on the framework's scale.
		"heatClass": func(mean float64, f *framework.Framework) string {
			pts := f.Scale.Points
			lo, hi := float64(pts[0].Value), float64(pts[len(pts)-1].Value)
			switch x := (mean - lo) / (hi - lo); {
			case x >= 0.67:
				return "pillars-heat-3"
			case x >= 0.34:
				return "pillars-heat-2"
			}
			return "pillars-heat-1"
		},
		"errorFor": func(errs valid.Errors, field string) string {
			return errs.For(field)
		},
		"value": func(form url.Values, field string) string { return form.Get(field) },
		"dict": func(kv ...any) (map[string]any, error) {
			if len(kv)%2 != 0 {
				return nil, fmt.Errorf("dict needs pairs")
			}
			m := map[string]any{}
			for i := 0; i < len(kv); i += 2 {
				m[fmt.Sprint(kv[i])] = kv[i+1]
			}
			return m, nil
		},
		"entryDates":  portfolio.DatesLabel,
		"optionLabel": portfolio.Label,
		"sizeLabel":   portfolio.SizeLabel,
		// pageLink is a list page's address for another page, keeping the filters.
		"pageLink": func(q url.Values, page int) string {
			v := url.Values{}
			for k, vs := range q {
				v[k] = vs
			}
			v.Set("page", strconv.Itoa(page))
			return "/portfolio?" + v.Encode() + "#timeline"
		},
		"directoryPageLink": directoryPageLink,
		"kindName":          directory.KindLabel,
		"list9":             func() []int { return []int{1, 2, 3, 4, 5, 6, 7, 8, 9} },
		"has": func(list []string, v string) bool {
			for _, x := range list {
				if x == v {
					return true
				}
			}
			return false
		},
		"checkedIf": func(cond bool) template.HTMLAttr {
			if cond {
				return "checked"
			}
			return ""
		},
	}
	partials, err := fs.Glob(templateFiles, "templates/partials/*.html")
	if err != nil {
		return nil, err
	}
	pages, err := fs.Glob(templateFiles, "templates/pages/*.html")
	if err != nil {
		return nil, err
	}
	t := &templates{byName: map[string]*template.Template{}}
	for _, p := range pages {
		files := append([]string{"templates/layout.html"}, partials...)
		files = append(files, p)
		tmpl, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFiles, files...)
		if err != nil {
			return nil, fmt.Errorf("web: parse %s: %w", p, err)
		}
		name := strings.TrimSuffix(strings.TrimPrefix(p, "templates/pages/"), ".html")
		t.byName[name] = tmpl
	}
	return t, nil
}

// paragraphs turns plain text with blank lines into HTML paragraphs, escaping everything.
func paragraphs(s string) template.HTML {
	var b strings.Builder
	for _, p := range strings.Split(strings.TrimSpace(s), "\n\n") {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		b.WriteString(`<p>`)
		b.WriteString(strings.ReplaceAll(template.HTMLEscapeString(p), "\n", " "))
		b.WriteString("</p>\n")
	}
	return template.HTML(b.String())
}

// view is what every page template receives.
type view struct {
	Title      string // the page's <title> and, usually, its heading
	User       *auth.User
	Nav        []navLink
	Flash      string
	Errors     valid.Errors
	Form       url.Values // what the person typed, shown again after a problem
	Data       any
	Path       string
	Crumbs     []navLink
	MainClass  string
	NoIndex    bool
	ShowSignIn bool
	Print      bool // a print view: no navigation, ready for the browser's "Save as PDF"
	// NeedsConfirm offers the "I have checked this" override: set when an error came from the
	// confidentiality check.
	NeedsConfirm bool
}

type navLink struct {
	Label   string
	Href    string
	Current bool
}

// navFor returns the navigation that fits the person's roles.
func navFor(u *auth.User, path string) []navLink {
	if u == nil {
		return nil
	}
	// No "Home": the service name at the top left goes home, as on NHS.UK services, and one
	// link fewer keeps the menu on one line at 1280 pixels now that Mentoring is in it.
	links := []navLink{{Label: "Self-assessment", Href: "/assessments"}, {Label: "360 feedback", Href: "/feedback"},
		{Label: "Development plan", Href: "/plan"}, {Label: "CPD portfolio", Href: "/portfolio"}, {Label: "Mentoring", Href: "/mentoring"}}
	if u.Has(auth.RoleSupervisor) || u.Has(auth.RoleMentor) {
		links = append(links, navLink{Label: "Shared plans", Href: "/plans"}, navLink{Label: "Shared CPD", Href: "/portfolio/shared"})
	}
	links = append(links, navLink{Label: "Directory", Href: "/directory"})
	// Frameworks are reference: the home page lists them (and "All frameworks"), and site
	// administrators' Admin page too. Leaving them out of the menu keeps it on one line at
	// 1280 pixels with Mentoring in it.
	seen := map[string]bool{}
	for _, m := range u.Memberships {
		if (m.Role == auth.RoleProgrammeLead || m.Role == auth.RoleWorkforceLead) && !seen[m.OrgSlug] {
			seen[m.OrgSlug] = true
			links = append(links, navLink{Label: m.OrgName, Href: "/organisations/" + m.OrgSlug})
		}
	}
	if u.IsSiteAdmin() {
		links = append(links, navLink{Label: "Admin", Href: "/admin"})
	}
	// "Your account" is the person's name in the header's account area, not a menu item: the
	// menu must fit a 1280-pixel screen without folding items into "More".
	// The longest matching link is the current one, so /portfolio/shared marks "Shared CPD"
	// and not "CPD portfolio" as well.
	best := -1
	for i := range links {
		if path == links[i].Href || (links[i].Href != "/home" && strings.HasPrefix(path, links[i].Href+"/")) {
			if best < 0 || len(links[i].Href) > len(links[best].Href) {
				best = i
			}
		}
	}
	if best >= 0 {
		links[best].Current = true
	}
	return links
}

// render writes a page. It renders into a buffer first, so a template failure becomes the
// ordinary error page rather than half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, v view) {
	tmpl, ok := s.pages.byName[name]
	if !ok {
		s.serverError(w, r, fmt.Errorf("web: no template %q", name))
		return
	}
	if v.User == nil {
		v.User = auth.UserFrom(r.Context())
	}
	v.Path = r.URL.Path
	v.Nav = navFor(v.User, r.URL.Path)
	for _, e := range v.Errors {
		if strings.HasPrefix(e.Message, confidentialPrefix) {
			v.NeedsConfirm = true
		}
	}
	if v.User != nil && v.Flash == "" && !sessionless(r.URL.Path) {
		v.Flash = s.sessions.PopString(r.Context(), sessionFlash)
	}
	var buf bytes.Buffer
	if err := tmpl.Execute(&buf, v); err != nil {
		s.log.Error("render", "template", name, "err", err)
		if name != "error" {
			s.serverError(w, r, err)
		} else {
			http.Error(w, "Sorry, there is a problem with the service. Try again later.", http.StatusInternalServerError)
		}
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	if v.User != nil {
		h.Set("Cache-Control", "no-store") // personal pages must not sit in shared caches
	}
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

type errorData struct {
	Status  int
	Heading string
	Message string
}

// errorPage shows a plain page that says what happened and what to do.
func (s *Server) errorPage(w http.ResponseWriter, r *http.Request, status int, heading, message string) {
	s.render(w, r, status, "error", view{Title: heading, Data: errorData{status, heading, message}, NoIndex: true})
}

// flash shows a message on the next page the person sees.
func (s *Server) flash(r *http.Request, msg string) { s.sessions.Put(r.Context(), sessionFlash, msg) }

// parseForm reads a posted form, answering a too-large body itself. It returns false when the
// handler should stop.
func (s *Server) parseForm(w http.ResponseWriter, r *http.Request) bool {
	if err := r.ParseForm(); err != nil {
		if isTooLarge(err) {
			s.tooLarge(w, r, s.cfg.MaxBodyBytes)
			return false
		}
		s.errorPage(w, r, http.StatusBadRequest, "Pillars could not read what you sent", "The form arrived incomplete or garbled. Go back, check it and send it again.")
		return false
	}
	return true
}
