package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/pillars-ot/pillars/internal/auth"
	"github.com/pillars-ot/pillars/internal/mentoring"
	"github.com/pillars-ot/pillars/internal/valid"
)

// verifier answers 403 itself unless the person may check accreditation.
func (s *Server) verifier(w http.ResponseWriter, r *http.Request) (*auth.User, bool) {
	u := auth.UserFrom(r.Context())
	if !mentoring.CanVerify(u) {
		s.errorPage(w, r, http.StatusForbidden, "You cannot see this page",
			"Coaches' accreditation is checked by site administrators and programme leads.")
		return nil, false
	}
	return u, true
}

type verificationData struct {
	Claims []mentoring.Claim
	Self   int64
}

func (s *Server) renderVerification(w http.ResponseWriter, r *http.Request, status int, u *auth.User, errs valid.Errors, form url.Values) {
	claims, err := s.mentoring.PendingClaims(r.Context(), u)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if form == nil {
		form = url.Values{}
	}
	s.render(w, r, status, "mentoring-verification", view{Title: "Check coaches' accreditation", Errors: errs, Form: form,
		Data: verificationData{Claims: claims, Self: u.ID}, Crumbs: []navLink{{Label: "Mentoring", Href: "/mentoring"}}})
}

func (s *Server) verificationQueue(w http.ResponseWriter, r *http.Request) {
	u, ok := s.verifier(w, r)
	if !ok {
		return
	}
	s.renderVerification(w, r, http.StatusOK, u, nil, nil)
}

func (s *Server) verificationEvidence(w http.ResponseWriter, r *http.Request) {
	u, ok := s.verifier(w, r)
	if !ok {
		return
	}
	id, ok := pathID(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	// The queue's link names the claim's revision, so the file sent is the one the page
	// described; one replaced since is refused, and the queue shows the new claim.
	var name, ctype string
	var data []byte
	var err error
	if v := r.URL.Query().Get("revision"); v != "" {
		name, ctype, data, err = s.mentoring.ClaimEvidence(r.Context(), u, id, claimRevision(v))
	} else {
		name, ctype, data, err = s.mentoring.Evidence(r.Context(), u, id)
	}
	var refused *mentoring.Refused
	if errors.As(err, &refused) {
		s.errorPage(w, r, refusedStatus, refused.Message, "The coach has changed their claim or its evidence since the page was shown. Go back to the verification page to see it as it is now.")
		return
	}
	if s.failed(w, r, err, mentoring.ErrNotFound) {
		return
	}
	sendFile(w, name, ctype, data)
}

// claimRevision reads a claim's revision as sent back by the queue; anything else is -1,
// which no claim has, so the decision is refused as made on a claim that changed.
func claimRevision(v string) int64 {
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return -1
	}
	return n
}

func (s *Server) decideClaim(w http.ResponseWriter, r *http.Request) {
	u, ok := s.verifier(w, r)
	if !ok || !s.parseForm(w, r) {
		return
	}
	id, ok := pathID(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	decision := r.PostForm.Get("decision")
	if decision != "verify" && decision != "reject" {
		errs := valid.Errors{{Field: fmt.Sprintf("note-%d", id), Message: "Choose Verify or Not verified"}}
		s.renderVerification(w, r, http.StatusUnprocessableEntity, u, errs, url.Values{fmt.Sprintf("note-%d", id): {r.PostForm.Get("note")}})
		return
	}
	err := s.mentoring.DecideAt(r.Context(), u, id, claimRevision(r.PostForm.Get("revision")), decision == "verify", r.PostForm.Get("note"), s.relationshipOutbox())
	var errs valid.Errors
	var refused *mentoring.Refused
	switch {
	case errors.As(err, &errs):
		s.renderVerification(w, r, http.StatusUnprocessableEntity, u, suffixed(errs, id), url.Values{fmt.Sprintf("note-%d", id): {r.PostForm.Get("note")}})
		return
	case errors.As(err, &refused):
		s.renderVerification(w, r, refusedStatus, u, valid.Errors{{Field: fmt.Sprintf("note-%d", id), Message: refused.Message}}, url.Values{fmt.Sprintf("note-%d", id): {r.PostForm.Get("note")}})
		return
	case errors.Is(err, mentoring.ErrNotFound):
		s.flash(r, "That claim has already been decided, or was changed meanwhile. Nothing was changed.")
	case err != nil:
		s.serverError(w, r, err)
		return
	case decision == "verify":
		s.flash(r, "Verified. The coach has been told, and their profile now shows their accreditation.")
	default:
		s.flash(r, "Not verified. The coach has been sent your note.")
	}
	http.Redirect(w, r, "/mentoring/verification", http.StatusSeeOther)
}
