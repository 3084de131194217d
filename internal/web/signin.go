package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/pillars-ot/pillars/internal/auth"
	"github.com/pillars-ot/pillars/internal/jobs"
	"github.com/pillars-ot/pillars/internal/mail"
	"github.com/pillars-ot/pillars/internal/valid"
)

func (s *Server) landing(w http.ResponseWriter, r *http.Request) {
	if auth.UserFrom(r.Context()) != nil {
		http.Redirect(w, r, "/home", http.StatusSeeOther)
		return
	}
	s.render(w, r, http.StatusOK, "landing", view{Title: "Grow your leadership in occupational therapy"})
}

func (s *Server) signInForm(w http.ResponseWriter, r *http.Request) {
	if auth.UserFrom(r.Context()) != nil {
		http.Redirect(w, r, safeNext(r.URL.Query().Get("next")), http.StatusSeeOther)
		return
	}
	q := r.URL.Query()
	notice := ""
	switch {
	case q.Get("signed-out") != "":
		notice = "You have signed out."
	case q.Get("kept") != "":
		notice = "You were signed out, so your work has not been saved yet. Pillars has kept what you typed: sign in again and it will be back in the form for you to save."
	case q.Get("reset") != "":
		notice = "Your password has been changed. Sign in with your new password. Any other devices signed in to your account have been signed out."
	}
	s.signInPage(w, r, http.StatusOK, url.Values{"next": {q.Get("next")}}, nil, notice)
}

type signInData struct {
	Demo   bool
	Notice string
}

func (s *Server) signInPage(w http.ResponseWriter, r *http.Request, status int, form url.Values, errs valid.Errors, notice string) {
	s.render(w, r, status, "sign-in", view{Title: "Sign in", Form: form, Errors: errs, ShowSignIn: true, Data: signInData{Demo: s.cfg.Demo, Notice: notice}})
}

func (s *Server) signIn(w http.ResponseWriter, r *http.Request) {
	if !s.parseForm(w, r) {
		return
	}
	email, password := strings.TrimSpace(r.PostForm.Get("email")), r.PostForm.Get("password")
	form := url.Values{"email": {email}, "next": {r.PostForm.Get("next")}}
	var errs valid.Errors
	if email == "" {
		errs.Add("email", "Enter your email address")
	}
	if password == "" {
		errs.Add("password", "Enter your password")
	}
	if errs.Any() {
		s.signInPage(w, r, http.StatusUnprocessableEntity, form, errs, "")
		return
	}
	u, err := s.accounts.SignIn(r.Context(), email, password, clientIP(r))
	var locked *auth.LockedError
	switch {
	case errors.As(err, &locked):
		mins := int(time.Until(locked.Until).Minutes()) + 1
		errs.Add("email", "You have entered the wrong details too many times, so signing in to this account is paused for "+plural(mins, "minute")+
			". Wait and try again, or reset your password using the link below. If you did not try to sign in, tell your Pillars administrator.")
	case errors.Is(err, auth.ErrBadCredentials):
		errs.Add("email", "The email address or password is not right. Check them and try again, or reset your password.")
	case err != nil:
		s.serverError(w, r, err)
		return
	}
	if errs.Any() {
		s.signInPage(w, r, http.StatusUnprocessableEntity, form, errs, "")
		return
	}
	// A new token on sign-in stops session fixation.
	if err := s.sessions.RenewToken(r.Context()); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.sessions.Put(r.Context(), sessionUserID, u.ID)
	s.sessions.Put(r.Context(), sessionAuthAt, u.PasswordChangedAt.UnixNano())
	http.Redirect(w, r, safeNext(r.PostForm.Get("next")), http.StatusSeeOther)
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return strconv.Itoa(n) + " " + word + "s"
}

func (s *Server) signOut(w http.ResponseWriter, r *http.Request) {
	if err := s.sessions.Destroy(r.Context()); err != nil {
		s.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, "/sign-in?signed-out=1", http.StatusSeeOther)
}

func (s *Server) forgotForm(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "forgot", view{Title: "Reset your password", ShowSignIn: true})
}

func (s *Server) forgot(w http.ResponseWriter, r *http.Request) {
	if !s.parseForm(w, r) {
		return
	}
	email := strings.TrimSpace(r.PostForm.Get("email"))
	form := url.Values{"email": {email}}
	var errs valid.Errors
	if email == "" {
		errs.Add("email", "Enter the email address you use to sign in")
	} else if !auth.ValidEmail(auth.NormaliseEmail(email)) {
		errs.Add("email", "Enter an email address in the correct format, like name@example.nhs.uk")
	}
	if errs.Any() {
		s.render(w, r, http.StatusUnprocessableEntity, "forgot", view{Title: "Reset your password", Form: form, Errors: errs, ShowSignIn: true})
		return
	}
	u, token, err := s.accounts.RequestReset(r.Context(), email)
	switch {
	case errors.Is(err, auth.ErrNotFound), errors.Is(err, auth.ErrTooManyResets):
		// Same page as success: the form must not reveal who has an account, nor how often
		// links were asked for.
	case err != nil:
		s.serverError(w, r, err)
		return
	default:
		link := s.cfg.BaseURL + "/password/reset/" + token
		msg := mail.Message{To: u.Email, Subject: "Reset your Pillars password", Text: resetEmail(u.Name, link)}
		if err := s.queue.Enqueue(r.Context(), jobs.EmailArgs{Message: msg}); err != nil {
			s.serverError(w, r, err)
			return
		}
	}
	s.render(w, r, http.StatusOK, "forgot-sent", view{Title: "Check your email", Form: form, ShowSignIn: true})
}

func resetEmail(name, link string) string {
	return "Hello " + name + ",\n\n" +
		"Someone asked to reset the password for your Pillars account. If it was you, open this link within 60 minutes to choose a new password:\n\n" +
		link + "\n\n" +
		"The link works once. If you did not ask for this, you can ignore this email: your password has not changed.\n\n" +
		"Pillars\n"
}

type resetData struct {
	Problem string // why the link cannot be used, or ""
	Token   string
}

func (s *Server) resetForm(w http.ResponseWriter, r *http.Request) {
	token := r.PathValue("token")
	if err := s.accounts.CheckReset(r.Context(), token); err != nil {
		s.resetProblem(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "reset", view{Title: "Choose a new password", ShowSignIn: true, NoIndex: true, Data: resetData{Token: token}})
}

// resetProblem explains why a reset link cannot be used and what to do instead.
func (s *Server) resetProblem(w http.ResponseWriter, r *http.Request, err error) {
	var msg string
	switch {
	case errors.Is(err, auth.ErrResetExpired):
		msg = "This link has expired: reset links work for 60 minutes. Ask for a new one below."
	case errors.Is(err, auth.ErrResetUsed):
		msg = "This link has already been used. If you did not change your password yourself, ask for a new link below and tell your Pillars administrator."
	case errors.Is(err, auth.ErrResetInvalid):
		msg = "This link is not valid. Check you copied the whole link from the email, or ask for a new one below."
	default:
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, http.StatusGone, "reset", view{Title: "This password reset link cannot be used", ShowSignIn: true, NoIndex: true, Data: resetData{Problem: msg}})
}

func (s *Server) reset(w http.ResponseWriter, r *http.Request) {
	if !s.parseForm(w, r) {
		return
	}
	token := r.PathValue("token")
	password, confirm := r.PostForm.Get("password"), r.PostForm.Get("confirm")
	var errs valid.Errors
	if password == "" {
		errs.Add("password", "Enter a new password")
	} else if password != confirm {
		errs.Add("confirm", "The two passwords do not match. Type the same password in both boxes.")
	}
	if !errs.Any() {
		_, err := s.accounts.ResetPassword(r.Context(), token, password)
		var verrs valid.Errors
		switch {
		case errors.As(err, &verrs):
			errs = verrs
		case errors.Is(err, auth.ErrResetExpired), errors.Is(err, auth.ErrResetUsed), errors.Is(err, auth.ErrResetInvalid):
			s.resetProblem(w, r, err)
			return
		case err != nil:
			s.serverError(w, r, err)
			return
		}
	}
	if errs.Any() {
		s.render(w, r, http.StatusUnprocessableEntity, "reset", view{Title: "Choose a new password", ShowSignIn: true, NoIndex: true, Errors: errs, Data: resetData{Token: token}})
		return
	}
	_ = s.sessions.Destroy(r.Context())
	http.Redirect(w, r, "/sign-in?reset=1", http.StatusSeeOther)
}
