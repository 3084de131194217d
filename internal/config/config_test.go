package config

import (
	"strings"
	"testing"
)

func TestDefaultsAreValid(t *testing.T) {
	c := Defaults()
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if c.BaseURL != "http://127.0.0.1:8080" {
		t.Fatalf("base URL = %q", c.BaseURL)
	}
}

func TestValidateSaysWhatToFix(t *testing.T) {
	cases := map[string]struct {
		change func(*Config)
		want   string
	}{
		"addr":     {func(c *Config) { c.Addr = "8080" }, "PILLARS_ADDR \"8080\" must be host:port"},
		"port":     {func(c *Config) { c.Addr = ":99999" }, "port that is not a number from 0 to 65535"},
		"db":       {func(c *Config) { c.DatabaseURL = "mysql://x" }, "use a SQLite file path or a postgres:// URL"},
		"smtp":     {func(c *Config) { c.SMTPURL = "mail.example.org" }, "PILLARS_SMTP_URL must look like smtp://"},
		"from":     {func(c *Config) { c.MailFrom = "nobody" }, "PILLARS_MAIL_FROM"},
		"tls":      {func(c *Config) { c.TLSCert = "cert.pem" }, "must be set together"},
		"level":    {func(c *Config) { c.LogLevel = "loud" }, "PILLARS_LOG_LEVEL must be debug, info, warn or error"},
		"base url": {func(c *Config) { c.BaseURL = "ftp://x" }, "must be an http:// or https:// address"},
	}
	for name, tc := range cases {
		c := Defaults()
		tc.change(&c)
		err := c.Validate()
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", name, err, tc.want)
		}
	}
}

func TestFromEnvReportsMalformedValues(t *testing.T) {
	env := map[string]string{"PILLARS_DEMO": "perhaps", "PILLARS_MAX_BODY_BYTES": "lots", "PILLARS_ADDR": ":9000"}
	c, errs := FromEnv(func(k string) string { return env[k] })
	if len(errs) != 2 || c.Addr != ":9000" {
		t.Fatalf("errs=%v addr=%s", errs, c.Addr)
	}
}

func TestHTTPSBaseURLMakesCookiesSecure(t *testing.T) {
	c := Defaults()
	c.BaseURL = "https://pillars.example.nhs.uk/"
	if err := c.Validate(); err != nil || !c.SecureCookies || c.BaseURL != "https://pillars.example.nhs.uk" {
		t.Fatalf("%v %v %s", err, c.SecureCookies, c.BaseURL)
	}
}
