package testutil

import (
	"io"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// Mail is one message the SMTP server received.
type Mail struct {
	From    string
	To      []string
	Subject string
	Body    string
	Raw     string
}

// SMTPServer is a real SMTP server on a local port that keeps what it receives.
type SMTPServer struct {
	Addr     string
	received chan Mail
	mu       sync.Mutex
	all      []Mail
	// FailNext makes the server refuse this many messages, to exercise retries.
	FailNext int
}

// StartSMTP starts an SMTP server for the test and stops it when the test ends.
func StartSMTP(t testing.TB) *SMTPServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &SMTPServer{Addr: ln.Addr().String(), received: make(chan Mail, 100)}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &smtpSession{s: s}, nil }))
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { srv.Close() })
	return s
}

// URL is the smtp:// address to give Pillars.
func (s *SMTPServer) URL() string { return "smtp://" + s.Addr }

// Wait returns the next message, failing the test if none arrives in time.
func (s *SMTPServer) Wait(t testing.TB, within time.Duration) Mail {
	t.Helper()
	select {
	case m := <-s.received:
		return m
	case <-time.After(within):
		t.Fatalf("no email arrived within %s", within)
		return Mail{}
	}
}

// Received is the channel messages arrive on, for a test that waits on something else too.
func (s *SMTPServer) Received() <-chan Mail { return s.received }

// All returns every message received so far.
func (s *SMTPServer) All() []Mail {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Mail(nil), s.all...)
}

type smtpSession struct {
	s    *SMTPServer
	from string
	to   []string
}

func (x *smtpSession) Mail(from string, _ *smtp.MailOptions) error { x.from = from; return nil }
func (x *smtpSession) Rcpt(to string, _ *smtp.RcptOptions) error   { x.to = append(x.to, to); return nil }
func (x *smtpSession) Reset()                                      { x.from, x.to = "", nil }
func (x *smtpSession) Logout() error                               { return nil }

func (x *smtpSession) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	x.s.mu.Lock()
	if x.s.FailNext > 0 {
		x.s.FailNext--
		x.s.mu.Unlock()
		return &smtp.SMTPError{Code: 451, Message: "try again later"}
	}
	x.s.mu.Unlock()
	m := Mail{From: x.from, To: x.to, Raw: string(raw)}
	if msg, err := mail.ReadMessage(strings.NewReader(string(raw))); err == nil {
		dec := new(mimeDecoder)
		m.Subject = dec.header(msg.Header.Get("Subject"))
		body, _ := io.ReadAll(msg.Body)
		m.Body = decodeBody(msg.Header.Get("Content-Transfer-Encoding"), string(body))
	}
	x.s.mu.Lock()
	x.s.all = append(x.s.all, m)
	x.s.mu.Unlock()
	x.s.received <- m
	return nil
}
