// Package config holds Pillars' settings. Each comes from a PILLARS_* environment variable and
// can be overridden by a command-line flag; Validate checks them all at start-up and says in
// plain words what to fix, so a mistake never surfaces later as a strange failure.
package config

import (
	"errors"
	"flag"
	"fmt"
	"net"
	"net/mail"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"
)

// Config is every setting the server reads.
type Config struct {
	DatabaseURL string // SQLite path or postgres:// URL
	Addr        string // listen address, host:port
	BaseURL     string // public address used in emails; defaults to http://Addr
	Demo        bool   // load the demo world and log emails when no SMTP server is set

	SMTPURL  string // smtp://user:pass@host:port or smtps://...; empty = log emails
	MailFrom string

	TLSCert string // serve HTTPS directly when both are set (HSTS is then sent)
	TLSKey  string

	SecureCookies bool // mark cookies Secure; on whenever BaseURL is https
	LogLevel      string
	LogFormat     string // text or json

	SessionLifetime time.Duration
	MaxBodyBytes    int64 // ordinary form and API bodies
	MaxUploadBytes  int64 // framework imports and, later, evidence files
}

// Defaults are what a newcomer gets with no settings at all.
func Defaults() Config {
	return Config{
		DatabaseURL:     "pillars.db",
		Addr:            "127.0.0.1:8080",
		MailFrom:        "Pillars <no-reply@pillars.localhost>",
		LogLevel:        "info",
		LogFormat:       "text",
		SessionLifetime: 12 * time.Hour,
		MaxBodyBytes:    1 << 20,
		MaxUploadBytes:  4 << 20,
	}
}

// FromEnv starts from Defaults and applies PILLARS_* variables. Malformed values are collected and
// reported by Validate rather than silently ignored.
func FromEnv(getenv func(string) string) (Config, []error) {
	c := Defaults()
	var errs []error
	str := func(name string, dst *string) {
		if v := getenv(name); v != "" {
			*dst = v
		}
	}
	boolean := func(name string, dst *bool) {
		if v := getenv(name); v != "" {
			b, err := strconv.ParseBool(v)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s must be true or false, not %q", name, v))
				return
			}
			*dst = b
		}
	}
	size := func(name string, dst *int64) {
		if v := getenv(name); v != "" {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s must be a whole number of bytes, not %q", name, v))
				return
			}
			*dst = n
		}
	}
	str("PILLARS_DATABASE_URL", &c.DatabaseURL)
	str("PILLARS_ADDR", &c.Addr)
	str("PILLARS_BASE_URL", &c.BaseURL)
	boolean("PILLARS_DEMO", &c.Demo)
	str("PILLARS_SMTP_URL", &c.SMTPURL)
	str("PILLARS_MAIL_FROM", &c.MailFrom)
	str("PILLARS_TLS_CERT", &c.TLSCert)
	str("PILLARS_TLS_KEY", &c.TLSKey)
	boolean("PILLARS_SECURE_COOKIES", &c.SecureCookies)
	str("PILLARS_LOG_LEVEL", &c.LogLevel)
	str("PILLARS_LOG_FORMAT", &c.LogFormat)
	if v := getenv("PILLARS_SESSION_LIFETIME"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("PILLARS_SESSION_LIFETIME must be a duration such as 12h, not %q", v))
		} else {
			c.SessionLifetime = d
		}
	}
	size("PILLARS_MAX_BODY_BYTES", &c.MaxBodyBytes)
	size("PILLARS_MAX_UPLOAD_BYTES", &c.MaxUploadBytes)
	return c, errs
}

// Load reads the environment, then the flags in args (for the serve command), then validates.
func Load(args []string, fs *flag.FlagSet) (Config, error) {
	c, envErrs := FromEnv(os.Getenv)
	fs.StringVar(&c.DatabaseURL, "db", c.DatabaseURL, "database: a SQLite file path or a postgres:// URL (PILLARS_DATABASE_URL)")
	fs.StringVar(&c.Addr, "addr", c.Addr, "listen address, host:port (PILLARS_ADDR)")
	fs.StringVar(&c.BaseURL, "base-url", c.BaseURL, "public address used in links in emails (PILLARS_BASE_URL)")
	fs.BoolVar(&c.Demo, "demo", c.Demo, "load the demo organisations and people, and log emails if no SMTP server is set (PILLARS_DEMO)")
	fs.StringVar(&c.SMTPURL, "smtp", c.SMTPURL, "SMTP server, smtp://user:pass@host:port or smtps://... (PILLARS_SMTP_URL)")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if len(envErrs) > 0 {
		return c, &InvalidError{errors.Join(envErrs...)}
	}
	if err := c.Validate(); err != nil {
		return c, &InvalidError{err}
	}
	return c, nil
}

// InvalidError holds every problem with the settings, one per line.
type InvalidError struct{ Problems error }

func (e *InvalidError) Error() string { return e.Problems.Error() }

// Validate checks every setting and returns all problems at once, one sentence each.
func (c *Config) Validate() error {
	var errs []error
	if strings.TrimSpace(c.DatabaseURL) == "" {
		errs = append(errs, errors.New("PILLARS_DATABASE_URL is empty: give a SQLite file path such as pillars.db, or a postgres:// URL"))
	} else if strings.Contains(c.DatabaseURL, "://") && !strings.HasPrefix(c.DatabaseURL, "postgres://") && !strings.HasPrefix(c.DatabaseURL, "postgresql://") {
		errs = append(errs, fmt.Errorf("PILLARS_DATABASE_URL %q is not understood: use a SQLite file path or a postgres:// URL", c.DatabaseURL))
	}
	if _, port, err := net.SplitHostPort(c.Addr); err != nil {
		errs = append(errs, fmt.Errorf("PILLARS_ADDR %q must be host:port, for example 127.0.0.1:8080 or :8080", c.Addr))
	} else if p, err := strconv.Atoi(port); err != nil || p < 0 || p > 65535 {
		errs = append(errs, fmt.Errorf("PILLARS_ADDR %q has a port that is not a number from 0 to 65535", c.Addr))
	}
	if c.BaseURL == "" {
		host := c.Addr
		if strings.HasPrefix(host, ":") {
			host = "localhost" + host
		}
		scheme := "http"
		if c.TLSCert != "" {
			scheme = "https"
		}
		c.BaseURL = scheme + "://" + host
	}
	if u, err := url.Parse(c.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		errs = append(errs, fmt.Errorf("PILLARS_BASE_URL %q must be an http:// or https:// address", c.BaseURL))
	} else {
		c.BaseURL = strings.TrimRight(c.BaseURL, "/")
		if u.Scheme == "https" {
			c.SecureCookies = true
		}
	}
	if c.SMTPURL != "" {
		u, err := url.Parse(c.SMTPURL)
		if err != nil || (u.Scheme != "smtp" && u.Scheme != "smtps") || u.Hostname() == "" || u.Port() == "" {
			errs = append(errs, errors.New("PILLARS_SMTP_URL must look like smtp://user:password@host:587 or smtps://host:465"))
		}
	}
	if _, err := mail.ParseAddress(c.MailFrom); err != nil {
		errs = append(errs, fmt.Errorf("PILLARS_MAIL_FROM %q is not an email address", c.MailFrom))
	}
	if (c.TLSCert == "") != (c.TLSKey == "") {
		errs = append(errs, errors.New("PILLARS_TLS_CERT and PILLARS_TLS_KEY must be set together"))
	}
	switch strings.ToLower(c.LogLevel) {
	case "debug", "info", "warn", "error":
	default:
		errs = append(errs, fmt.Errorf("PILLARS_LOG_LEVEL must be debug, info, warn or error, not %q", c.LogLevel))
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		errs = append(errs, fmt.Errorf("PILLARS_LOG_FORMAT must be text or json, not %q", c.LogFormat))
	}
	if c.SessionLifetime < time.Minute {
		errs = append(errs, errors.New("PILLARS_SESSION_LIFETIME must be at least 1m"))
	}
	if c.MaxBodyBytes < 1024 {
		errs = append(errs, errors.New("PILLARS_MAX_BODY_BYTES must be at least 1024"))
	}
	if c.MaxUploadBytes < c.MaxBodyBytes {
		errs = append(errs, errors.New("PILLARS_MAX_UPLOAD_BYTES must be at least PILLARS_MAX_BODY_BYTES"))
	}
	return errors.Join(errs...)
}
