package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
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
	"github.com/pillars-ot/pillars/internal/web"
)

func cmdServe(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("serve", "serve [--demo] [--addr host:port] [--db URL]",
		"Runs the web server. It creates the database if needed, applies migrations and loads the\nbuilt-in frameworks first. With --demo it also loads fictional organisations and people.", stderr)
	cfg, err := config.Load(args, fs)
	var invalid *config.InvalidError
	switch {
	case errors.Is(err, flag.ErrHelp):
		return exitError{0}
	case errors.As(err, &invalid):
		fmt.Fprintf(stderr, "pillars serve: the settings need fixing:\n  %s\n", strings.ReplaceAll(invalid.Error(), "\n", "\n  "))
		return exitError{2}
	case err != nil:
		return exitError{2} // the flag package has already said what was wrong
	}
	log := newLogger(stderr, cfg.LogLevel, cfg.LogFormat)

	db, err := openMigrated(ctx, cfg.DatabaseURL, log)
	if err != nil {
		return err
	}
	defer db.Close()
	accounts, orgs := auth.NewService(db), org.NewService(db)
	frameworks := framework.NewCatalogue(db)
	assessments, plans := assess.NewService(db, frameworks), plan.NewService(db, frameworks)
	portfolios := portfolio.NewService(db, frameworks)
	if cfg.Demo {
		if _, err := demo.Load(ctx, accounts, orgs); err != nil {
			return err
		}
		if err := demo.LoadActivity(ctx, db, accounts, assessments, plans); err != nil {
			return err
		}
		if err := demo.LoadPortfolio(ctx, accounts, portfolios); err != nil {
			return err
		}
		if err := demo.LoadMentoring(ctx, db, accounts, mentoring.NewService(db, frameworks)); err != nil {
			return err
		}
		if _, err := demo.LoadStories(ctx, db); err != nil {
			return err
		}
		// After the mentoring demo, which makes the pair these sessions belong to.
		if err := demo.LoadMentoringSessions(ctx, db, accounts, mentoring.NewService(db, frameworks)); err != nil {
			return err
		}
	}

	var sender mail.Sender = mail.Log{Logger: log}
	if cfg.SMTPURL != "" {
		smtp, err := mail.NewSMTP(cfg.SMTPURL, cfg.MailFrom)
		if err != nil {
			return err
		}
		sender = smtp
		log.Info("email goes through SMTP", slog.String("server", smtp.Redacted))
	} else if !cfg.Demo {
		log.Warn("no SMTP server is set (PILLARS_SMTP_URL), so emails such as password resets are written to this log instead of being sent")
	}
	queue, err := jobs.New(db, jobs.Deps{Mail: sender, Accounts: accounts, Assess: assessments, Plans: plans, Portfolio: portfolios, BaseURL: cfg.BaseURL, Logger: log})
	if err != nil {
		return err
	}
	if err := queue.Start(ctx); err != nil {
		return fmt.Errorf("start the job queue: %w", err)
	}

	srv, err := web.New(web.Deps{Config: cfg, DB: db, Logger: log, Accounts: accounts, Orgs: orgs, Frameworks: frameworks, Assess: assessments, Plans: plans, Portfolio: portfolios, Queue: queue})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("cannot listen on %s: %w (is another program using that port? set PILLARS_ADDR or --addr)", cfg.Addr, err)
	}
	httpSrv := &http.Server{
		Handler:           srv,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	scheme := "http"
	if cfg.TLSCert != "" {
		scheme = "https"
	}
	fmt.Fprintf(stdout, "Pillars is running at %s://%s (database: %s)\n", scheme, displayAddr(ln.Addr()), db.Where)
	if cfg.Demo {
		fmt.Fprintf(stdout, "Demo sign-in: any demo person, password %q. For example:\n", demo.Password)
		for _, p := range demo.People {
			fmt.Fprintf(stdout, "  %-38s %s\n", p.Email, p.Roles[0].Role.Label())
		}
	}
	fmt.Fprintln(stdout, "Press Ctrl+C to stop.")

	errs := make(chan error, 1)
	go func() {
		if cfg.TLSCert != "" {
			errs <- httpSrv.ServeTLS(ln, cfg.TLSCert, cfg.TLSKey)
		} else {
			errs <- httpSrv.Serve(ln)
		}
	}()
	select {
	case err := <-errs:
		_ = queue.Stop(context.Background())
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	err = httpSrv.Shutdown(shutdownCtx)
	if qerr := queue.Stop(shutdownCtx); err == nil {
		err = qerr
	}
	return err
}

// displayAddr turns a listen address into one a person can click: 0.0.0.0 becomes localhost.
func displayAddr(a net.Addr) string {
	host, port, err := net.SplitHostPort(a.String())
	if err != nil {
		return a.String()
	}
	if ip := net.ParseIP(host); ip == nil || ip.IsUnspecified() {
		host = "localhost"
	}
	return net.JoinHostPort(host, port)
}
