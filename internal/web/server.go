// Package web serves Pillars' pages and its JSON API: one route table, plain middleware, thin
// handlers that call the areas, and NHS.UK templates. Handlers never decide access themselves:
// each route names its gate in the table, and resource checks are the areas' Can* functions.
package web

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/alexedwards/scs/v2"

	"github.com/pillars-ot/pillars/internal/api"
	"github.com/pillars-ot/pillars/internal/assess"
	"github.com/pillars-ot/pillars/internal/auth"
	"github.com/pillars-ot/pillars/internal/config"
	"github.com/pillars-ot/pillars/internal/directory"
	"github.com/pillars-ot/pillars/internal/framework"
	"github.com/pillars-ot/pillars/internal/jobs"
	"github.com/pillars-ot/pillars/internal/mentoring"
	"github.com/pillars-ot/pillars/internal/org"
	"github.com/pillars-ot/pillars/internal/plan"
	"github.com/pillars-ot/pillars/internal/portfolio"
	"github.com/pillars-ot/pillars/internal/store"
	"github.com/pillars-ot/pillars/internal/stories"
)

// Server holds what the handlers need.
type Server struct {
	cfg        config.Config
	db         *store.DB
	log        *slog.Logger
	accounts   *auth.Service
	orgs       *org.Service
	frameworks *framework.Catalogue
	assess     *assess.Service
	plans      *plan.Service
	portfolio  *portfolio.Service
	directory  *directory.Service
	mentoring  *mentoring.Service
	stories    *stories.Service
	queue      jobs.Queue
	sessions   *scs.SessionManager
	static     *staticAssets
	api        *api.API
	pages      *templates
	handler    http.Handler
	started    time.Time
	// importSlots bounds how many portfolio imports run at once: each can be large.
	importSlots chan struct{}
}

// Deps are the parts a Server is built from.
type Deps struct {
	Config     config.Config
	DB         *store.DB
	Logger     *slog.Logger
	Accounts   *auth.Service
	Orgs       *org.Service
	Frameworks *framework.Catalogue
	Assess     *assess.Service
	Plans      *plan.Service
	Portfolio  *portfolio.Service
	Queue      jobs.Queue
}

// New builds the HTTP handler for the whole application.
func New(d Deps) (*Server, error) {
	s := &Server{cfg: d.Config, db: d.DB, log: d.Logger, accounts: d.Accounts, orgs: d.Orgs, frameworks: d.Frameworks, assess: d.Assess, plans: d.Plans, portfolio: d.Portfolio, queue: d.Queue, directory: directory.NewService(d.DB), mentoring: mentoring.NewService(d.DB, d.Frameworks), stories: stories.NewService(d.DB), started: time.Now(), importSlots: make(chan struct{}, 2)}
	s.api = &api.API{Frameworks: d.Frameworks, Log: d.Logger, Assess: d.Assess, Plans: d.Plans, Accounts: d.Accounts, Queue: d.Queue, BaseURL: d.Config.BaseURL}
	var err error
	if s.static, err = newStaticAssets(); err != nil {
		return nil, err
	}
	if s.pages, err = loadTemplates(s.static); err != nil {
		return nil, err
	}
	s.sessions = scs.New()
	s.sessions.Store = auth.NewSessionStore(d.DB)
	s.sessions.Lifetime = d.Config.SessionLifetime
	s.sessions.Cookie.Name = "pillars_session"
	s.sessions.Cookie.HttpOnly = true
	s.sessions.Cookie.SameSite = http.SameSiteLaxMode
	s.sessions.Cookie.Secure = d.Config.SecureCookies
	s.sessions.Cookie.Persist = false // ends when the browser closes, as on a shared ward PC
	s.sessions.ErrorFunc = func(w http.ResponseWriter, r *http.Request, err error) {
		s.serverError(w, r, err)
	}

	mux := http.NewServeMux()
	for _, rt := range s.Routes() {
		mux.Handle(rt.Method+" "+rt.Pattern, s.gate(rt))
	}
	mux.HandleFunc("/", s.notFound)

	csrf := http.NewCrossOriginProtection()
	csrf.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.errorPage(w, r, http.StatusForbidden, "This form was sent from another website",
			"For your safety, Pillars only accepts forms sent from its own pages. Go back, reload the page and try again.")
	}))
	var h http.Handler = mux
	h = s.withSessions(h)
	h = csrf.Handler(h)
	h = s.limitBody(h)
	h = s.securityHeaders(h)
	h = s.withDeadline(h)
	h = s.recoverPanics(h)
	h = s.logRequests(h)
	s.handler = h
	return s, nil
}

// ServeHTTP makes Server an http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// Static returns the URL of an embedded static file (used by tests and benchmarks).
func (s *Server) Static(name string) string { return s.static.URL(name) }

// ready reports whether the database answers, for /readyz.
func (s *Server) ready(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if err := s.db.Read.PingContext(ctx); err != nil {
		return err
	}
	_, err := s.db.Status(ctx)
	return err
}
