package testutil

import (
	"context"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/pillars-ot/pillars/internal/assess"
	"github.com/pillars-ot/pillars/internal/auth"
	"github.com/pillars-ot/pillars/internal/config"
	"github.com/pillars-ot/pillars/internal/demo"
	"github.com/pillars-ot/pillars/internal/framework"
	"github.com/pillars-ot/pillars/internal/jobs"
	"github.com/pillars-ot/pillars/internal/mail"
	"github.com/pillars-ot/pillars/internal/mentoring"
	"github.com/pillars-ot/pillars/internal/org"
	"github.com/pillars-ot/pillars/internal/plan"
	"github.com/pillars-ot/pillars/internal/portfolio"
	"github.com/pillars-ot/pillars/internal/store"
	"github.com/pillars-ot/pillars/internal/web"
)

// App is the whole application running on a local port for a test.
type App struct {
	URL        string
	DB         *store.DB
	Accounts   *auth.Service
	Orgs       *org.Service
	Frameworks *framework.Catalogue
	Assess     *assess.Service
	Plans      *plan.Service
	Portfolio  *portfolio.Service
	Mentoring  *mentoring.Service
	Queue      jobs.Queue
	Server     *web.Server
	Mail       *SMTPServer
	Config     config.Config
}

// AppOptions adjusts the application under test.
type AppOptions struct {
	Demo      bool                 // load the demo world
	Configure func(*config.Config) // change settings before start
}

// StartApp runs Pillars on db with a real SMTP server and a running job queue.
func StartApp(t testing.TB, db *store.DB, opts AppOptions) *App {
	t.Helper()
	ctx := context.Background()
	a := &App{DB: db, Accounts: auth.NewService(db), Orgs: org.NewService(db), Frameworks: framework.NewCatalogue(db), Mail: StartSMTP(t)}
	a.Assess, a.Plans = assess.NewService(db, a.Frameworks), plan.NewService(db, a.Frameworks)
	a.Portfolio = portfolio.NewService(db, a.Frameworks)
	a.Mentoring = mentoring.NewService(db, a.Frameworks)
	if opts.Demo {
		if _, err := demo.Load(ctx, a.Accounts, a.Orgs); err != nil {
			t.Fatal(err)
		}
	}
	smtp, err := mail.NewSMTP(a.Mail.URL(), "Pillars <no-reply@pillars.test>")
	if err != nil {
		t.Fatal(err)
	}
	// The listener comes first so the base URL in emails is the real address.
	ts := httptest.NewUnstartedServer(nil)
	a.URL = "http://" + ts.Listener.Addr().String()
	queue, err := jobs.New(db, jobs.Deps{Mail: smtp, Accounts: a.Accounts, Assess: a.Assess, Plans: a.Plans, Portfolio: a.Portfolio, BaseURL: a.URL, Logger: Quiet()})
	if err != nil {
		t.Fatal(err)
	}
	qctx, cancel := context.WithCancel(ctx)
	if err := queue.Start(qctx); err != nil {
		t.Fatal(err)
	}
	a.Queue = queue
	cfg := config.Defaults()
	cfg.DatabaseURL = "(test)"
	cfg.Addr = ts.Listener.Addr().String()
	cfg.BaseURL = a.URL
	cfg.Demo = opts.Demo
	cfg.SMTPURL = a.Mail.URL()
	if opts.Configure != nil {
		opts.Configure(&cfg)
	}
	a.Config = cfg
	srv, err := web.New(web.Deps{Config: cfg, DB: db, Logger: Quiet(), Accounts: a.Accounts, Orgs: a.Orgs, Frameworks: a.Frameworks, Assess: a.Assess, Plans: a.Plans, Portfolio: a.Portfolio, Queue: queue})
	if err != nil {
		t.Fatal(err)
	}
	a.Server = srv
	ts.Config.Handler = srv
	ts.Start()
	t.Cleanup(func() {
		ts.Close()
		stopCtx, c := context.WithTimeout(context.Background(), 10*time.Second)
		defer c()
		_ = queue.Stop(stopCtx)
		cancel()
	})
	return a
}

// Client returns an HTTP client with its own cookie jar that does not follow redirects, so
// tests see exactly what the server answered. The Origin header is set on every request, as a
// browser does on a form post, so cross-origin protection lets it through.
func (a *App) Client() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{
		Jar:           jar,
		Timeout:       30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}
