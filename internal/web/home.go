package web

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/pillars-ot/pillars/internal/assess"
	"github.com/pillars-ot/pillars/internal/auth"
	"github.com/pillars-ot/pillars/internal/framework"
	"github.com/pillars-ot/pillars/internal/org"
	"github.com/pillars-ot/pillars/internal/plan"
	"github.com/pillars-ot/pillars/internal/valid"
)

// levelFramework is the framework whose levels are the career levels people record.
const levelFramework = "rcot-pillars"

type homeData struct {
	LevelName  string
	Frameworks []framework.Summary
	Latest     *assess.Assessment // the latest submitted OT leadership self-assessment
	LatestF    *framework.Framework
	Strongest  []*framework.Element
	Goals      []plan.Goal // active goals
	Draft      bool
}

func (s *Server) home(w http.ResponseWriter, r *http.Request) {
	u := auth.UserFrom(r.Context())
	var d homeData
	if u.CareerLevel > 0 {
		d.LevelName = s.levelName(r, u.CareerLevel)
	}
	fws, err := s.frameworks.List(r.Context())
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	d.Frameworks = fws
	if latest, err := s.assess.Latest(r.Context(), u.ID, assess.DefaultFramework); err == nil {
		d.Latest = latest
		if d.LatestF, err = s.assess.Framework(r.Context(), latest); err != nil {
			s.serverError(w, r, err)
			return
		}
		best := 0
		for _, e := range d.LatestF.Rateable() {
			switch v := latest.Ratings[e.Key].Rating; {
			case v > best:
				best, d.Strongest = v, []*framework.Element{e}
			case v == best:
				d.Strongest = append(d.Strongest, e)
			}
		}
	} else if !errors.Is(err, assess.ErrNotFound) {
		s.serverError(w, r, err)
		return
	}
	goals, err := s.plans.Goals(r.Context(), u.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	for _, g := range goals {
		if g.Status == "active" {
			d.Goals = append(d.Goals, g)
		}
	}
	s.render(w, r, http.StatusOK, "home", view{Title: "Home", Data: d})
}

// careerLevelNames returns the (possibly relabelled) career level names, or nil if the levels
// framework is missing.
func (s *Server) careerLevelNames(r *http.Request) map[int]string {
	f, _, err := s.frameworks.Get(r.Context(), levelFramework, "")
	if err != nil {
		return nil
	}
	names, err := s.frameworks.LevelNames(r.Context(), levelFramework, f)
	if err != nil {
		return nil
	}
	return names
}

func (s *Server) levelName(r *http.Request, level int) string {
	if n := s.careerLevelNames(r)[level]; n != "" {
		return "Level " + strconv.Itoa(level) + ": " + n
	}
	return "Level " + strconv.Itoa(level)
}

type levelOption struct {
	Number   int
	Name     string
	Selected bool
}

type accountData struct {
	Levels []levelOption
}

func (s *Server) accountPage(w http.ResponseWriter, r *http.Request, status int, errs valid.Errors, selected int) {
	names := s.careerLevelNames(r)
	var d accountData
	for n := 1; n <= 9; n++ {
		d.Levels = append(d.Levels, levelOption{Number: n, Name: names[n], Selected: n == selected})
	}
	s.render(w, r, status, "account", view{Title: "Your account", Errors: errs, Data: d})
}

func (s *Server) account(w http.ResponseWriter, r *http.Request) {
	s.accountPage(w, r, http.StatusOK, nil, auth.UserFrom(r.Context()).CareerLevel)
}

func (s *Server) setCareerLevel(w http.ResponseWriter, r *http.Request) {
	if !s.parseForm(w, r) {
		return
	}
	u := auth.UserFrom(r.Context())
	raw := r.PostForm.Get("career_level")
	level, err := strconv.Atoi(raw)
	if raw == "" || err != nil || level < 1 || level > 9 {
		s.accountPage(w, r, http.StatusUnprocessableEntity, valid.Errors{{Field: "career_level", Message: "Choose the career level that best describes your current role"}}, u.CareerLevel)
		return
	}
	if err := s.accounts.SetCareerLevel(r.Context(), u.ID, level); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.flash(r, "Your career level is now "+s.levelName(r, level)+".")
	http.Redirect(w, r, "/account", http.StatusSeeOther)
}

type tokensData struct {
	Tokens []auth.Token
	Now    time.Time
	Secret string // shown once, straight after creation
}

func (s *Server) tokensPage(w http.ResponseWriter, r *http.Request, status int, errs valid.Errors, form map[string][]string, secret string) {
	u := auth.UserFrom(r.Context())
	toks, err := s.accounts.Tokens(r.Context(), u.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, status, "tokens", view{Title: "API tokens", Errors: errs, Form: form, Data: tokensData{Tokens: toks, Now: time.Now(), Secret: secret},
		Crumbs: []navLink{{Label: "Your account", Href: "/account"}}})
}

func (s *Server) tokens(w http.ResponseWriter, r *http.Request) {
	s.tokensPage(w, r, http.StatusOK, nil, map[string][]string{"expires": {"90"}}, "")
}

func (s *Server) createToken(w http.ResponseWriter, r *http.Request) {
	if !s.parseForm(w, r) {
		return
	}
	u := auth.UserFrom(r.Context())
	// The form offers 30, 90 or 365 days; a token made here always expires.
	days, err := strconv.Atoi(r.PostForm.Get("expires"))
	if err != nil || days < 1 || days > 366 {
		s.tokensPage(w, r, http.StatusUnprocessableEntity, valid.Errors{{Field: "expires", Message: "Choose how long the token lasts: 30 days, 90 days or a year"}}, r.PostForm, "")
		return
	}
	secret, err := s.accounts.CreateToken(r.Context(), u.ID, r.PostForm.Get("name"), time.Duration(days)*24*time.Hour)
	var errs valid.Errors
	if errors.As(err, &errs) {
		s.tokensPage(w, r, http.StatusUnprocessableEntity, errs, r.PostForm, "")
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.tokensPage(w, r, http.StatusCreated, nil, map[string][]string{"expires": {"90"}}, secret)
}

func (s *Server) revokeToken(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	err := s.accounts.RevokeToken(r.Context(), auth.UserFrom(r.Context()).ID, id)
	if s.failed(w, r, err, auth.ErrNotFound) {
		return
	}
	s.flash(r, "The token has been revoked. Anything using it can no longer reach Pillars.")
	http.Redirect(w, r, "/account/tokens", http.StatusSeeOther)
}

type orgData struct {
	Org         *org.Organisation
	Members     []org.Member
	ShowMembers bool
}

func (s *Server) organisation(w http.ResponseWriter, r *http.Request) {
	u := auth.UserFrom(r.Context())
	o, err := s.orgs.BySlug(r.Context(), r.PathValue("slug"))
	// Not a member reads exactly like no such organisation: the answer must not reveal which
	// organisations exist to people outside them.
	if errors.Is(err, org.ErrNotFound) || (err == nil && !org.CanView(u, o)) {
		s.notFound(w, r)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	d := orgData{Org: o, ShowMembers: org.CanViewMembers(u, o)}
	if d.ShowMembers {
		if d.Members, err = s.orgs.Members(r.Context(), o.ID); err != nil {
			s.serverError(w, r, err)
			return
		}
	}
	s.render(w, r, http.StatusOK, "organisation", view{Title: o.Name, Data: d})
}

type adminData struct {
	Orgs       []org.Organisation
	Users      int
	Frameworks []framework.Summary
}

func (s *Server) adminHome(w http.ResponseWriter, r *http.Request) {
	var d adminData
	var err error
	if d.Orgs, err = s.orgs.List(r.Context()); err == nil {
		if d.Users, err = s.accounts.CountUsers(r.Context()); err == nil {
			d.Frameworks, err = s.frameworks.List(r.Context())
		}
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "admin", view{Title: "Administration", Data: d})
}
