// Package mail sends email: over SMTP when a server is configured, or into the log when Pillars
// runs as a demo with none, so a newcomer can still follow a password-reset link.
// Emails are always sent from a background job (see package jobs), never inside a request.
package mail

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"strconv"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// Message is one email.
type Message struct {
	To          string       `json:"to"`
	Subject     string       `json:"subject"`
	Text        string       `json:"text"`
	Attachments []Attachment `json:"attachments,omitempty"`
}

// Attachment is a file sent with a message, such as an iCalendar invitation. Keep them small:
// the message travels through the job queue as JSON.
type Attachment struct {
	Name        string `json:"name"`         // e.g. "session.ics"
	ContentType string `json:"content_type"` // e.g. "text/calendar; charset=utf-8; method=REQUEST"
	Data        []byte `json:"data"`
}

// Sender delivers a message or returns an error worth retrying.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// SMTP sends through an SMTP server.
type SMTP struct {
	host     string
	from     string
	opts     []gomail.Option
	Redacted string // the server address without the password, for logs
}

// NewSMTP reads an smtp:// or smtps:// URL. smtp:// upgrades with STARTTLS when the server offers
// it; smtps:// uses TLS from the start. Credentials in the URL enable authentication.
func NewSMTP(rawURL, from string) (*SMTP, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("mail: bad SMTP URL: %w", err)
	}
	port, err := strconv.Atoi(u.Port())
	if err != nil {
		return nil, fmt.Errorf("mail: SMTP URL needs a port")
	}
	opts := []gomail.Option{gomail.WithPort(port), gomail.WithTimeout(20 * time.Second)}
	if u.Scheme == "smtps" {
		opts = append(opts, gomail.WithSSL())
	} else {
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSOpportunistic))
	}
	if u.User != nil && u.User.Username() != "" {
		pass, _ := u.User.Password()
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover), gomail.WithUsername(u.User.Username()), gomail.WithPassword(pass))
	}
	redacted := *u
	redacted.User = nil
	return &SMTP{host: u.Hostname(), from: from, opts: opts, Redacted: redacted.String()}, nil
}

// Send delivers one message.
func (s *SMTP) Send(ctx context.Context, m Message) error {
	msg := gomail.NewMsg()
	if err := msg.From(s.from); err != nil {
		return fmt.Errorf("mail: from: %w", err)
	}
	if err := msg.To(m.To); err != nil {
		return fmt.Errorf("mail: to: %w", err)
	}
	msg.Subject(m.Subject)
	msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	for _, a := range m.Attachments {
		if err := msg.AttachReader(a.Name, bytes.NewReader(a.Data), gomail.WithFileContentType(gomail.ContentType(a.ContentType))); err != nil {
			return fmt.Errorf("mail: attach %s: %w", a.Name, err)
		}
	}
	c, err := gomail.NewClient(s.host, s.opts...)
	if err != nil {
		return fmt.Errorf("mail: client: %w", err)
	}
	if err := c.DialAndSendWithContext(ctx, msg); err != nil {
		return fmt.Errorf("mail: send to %s via %s: %w", m.To, s.Redacted, err)
	}
	return nil
}

// Log writes emails to the log instead of sending them. Used only when no SMTP server is set.
type Log struct{ Logger *slog.Logger }

// Send logs the message, body included, so the demo's reset links can be followed.
func (l Log) Send(_ context.Context, m Message) error {
	l.Logger.Info("email not sent (no SMTP server is set; PILLARS_SMTP_URL); here it is instead",
		slog.String("to", m.To), slog.String("subject", m.Subject), slog.String("body", m.Text), slog.Int("attachments", len(m.Attachments)))
	return nil
}
