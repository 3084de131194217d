package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/pillars-ot/pillars/internal/auth"
	"github.com/pillars-ot/pillars/internal/jobs"
	"github.com/pillars-ot/pillars/internal/mail"
	"github.com/pillars-ot/pillars/internal/mentoring"
	"github.com/pillars-ot/pillars/internal/store"
	"github.com/pillars-ot/pillars/internal/valid"
)

// relationshipOutbox sends a relationship's emails (session invitations and cancellations)
// through the job queue, in the transaction of the change that calls for them.
func (s *Server) relationshipOutbox() *mentoring.Outbox {
	return &mentoring.Outbox{BaseURL: s.cfg.BaseURL, Send: func(ctx context.Context, tx *store.Tx, m mail.Message) error {
		return s.queue.EnqueueTx(ctx, tx, jobs.EmailArgs{Message: m}, time.Time{})
	}}
}

// relationshipFor reads the relationship in the path through the area's gate: anyone but
// the mentee and the mentor gets 404, as if it did not exist.
func (s *Server) relationshipFor(w http.ResponseWriter, r *http.Request) (*mentoring.Relationship, *auth.User, bool) {
	u := auth.UserFrom(r.Context())
	id, ok := pathID(r, "id")
	if !ok {
		s.notFound(w, r)
		return nil, nil, false
	}
	rel, err := s.mentoring.Relationship(r.Context(), u.ID, id)
	if s.failed(w, r, err, mentoring.ErrNotFound) {
		return nil, nil, false
	}
	return rel, u, true
}

func relationshipPath(id int64) string {
	return "/mentoring/relationships/" + strconv.FormatInt(id, 10)
}

func relationshipTitle(rel *mentoring.Relationship, viewerID int64) string {
	_, other := rel.Other(viewerID)
	if rel.Kind == "coaching" {
		return "Coaching with " + other
	}
	return "Mentoring with " + other
}

func relationshipCrumbs(rel *mentoring.Relationship, viewerID int64) []navLink {
	return []navLink{{Label: "Mentoring", Href: "/mentoring"}, {Label: relationshipTitle(rel, viewerID), Href: relationshipPath(rel.ID)}}
}

var relationshipStatusLabels = map[string]string{
	mentoring.StatusActive: "Active", mentoring.StatusCompleted: "Completed", mentoring.StatusEndedEarly: "Ended early",
}

// ukDateLabel shows a YYYY-MM-DD date as "31 March 2027".
func ukDateLabel(d string) string {
	t, err := time.Parse(time.DateOnly, d)
	if err != nil {
		return d
	}
	return t.Format("2 January 2006")
}

// sessionRow is one session in a relationship's list.
type sessionRow struct {
	ID     int64
	When   string
	Mode   string
	Length string
	Status string
}

func sessionRowOf(x *mentoring.Session) sessionRow {
	status := map[string]string{mentoring.SessionPlanned: "Planned", mentoring.SessionHeld: "Held", mentoring.SessionCancelled: "Cancelled"}[x.Status]
	return sessionRow{ID: x.ID, When: x.When(), Mode: x.ModeLabel(), Length: strconv.Itoa(x.Minutes) + " minutes", Status: status}
}

type relationshipView struct {
	R                *mentoring.Relationship
	Title            string
	IsMentee         bool
	OtherName        string
	Status           string
	Started, Ended   string
	EndedBy          string
	EndedReason      string
	Focus            []mentoring.FocusArea
	Frequency        string
	EndOn            string
	YouAgreed        bool
	TheyAgreed       bool
	AgreementVersion string
	Upcoming, Past   []sessionRow
	Reviews          *mentoring.ReviewPair
	Active, Finished bool
}

func (s *Server) relationshipShow(w http.ResponseWriter, r *http.Request) {
	rel, u, ok := s.relationshipFor(w, r)
	if !ok {
		return
	}
	s.relationshipPage(w, r, http.StatusOK, rel, u, nil)
}

// relationshipPage shows the relationship; errs, when set, come from "I agree".
func (s *Server) relationshipPage(w http.ResponseWriter, r *http.Request, status int, rel *mentoring.Relationship, u *auth.User, errs valid.Errors) {
	switch rel.Status {
	case mentoring.StatusRequested, mentoring.StatusDeclined, mentoring.StatusWithdrawn:
		// Not begun: the request's own page says where it stands.
		http.Redirect(w, r, "/mentoring/requests/"+strconv.FormatInt(rel.ID, 10), http.StatusSeeOther)
		return
	}
	ctx := r.Context()
	otherID, other := rel.Other(u.ID)
	d := &relationshipView{R: rel, Title: relationshipTitle(rel, u.ID), IsMentee: rel.IsMentee(u.ID), OtherName: other,
		Status: relationshipStatusLabels[rel.Status], Frequency: mentoring.LabelFor(mentoring.Frequencies, rel.AgreementFrequency),
		EndOn: ukDateLabel(rel.AgreementEndOn), YouAgreed: rel.AgreedBy(u.ID), TheyAgreed: rel.AgreedBy(otherID),
		AgreementVersion: rel.AgreementVersion(), Active: rel.Status == mentoring.StatusActive, Finished: rel.Reviewable()}
	if rel.StartedAt != nil {
		d.Started = rel.StartedAt.In(london).Format("2 January 2006")
	}
	if rel.EndedAt != nil {
		d.Ended = rel.EndedAt.In(london).Format("2 January 2006")
		d.EndedBy = "you"
		if rel.EndedBy != u.ID {
			d.EndedBy = other
		}
		d.EndedReason = mentoring.LabelFor(mentoring.EndReasons, rel.EndedReason)
	}
	var err error
	if d.Focus, err = s.mentoring.FocusAreas(ctx, u.ID, rel.ID); err != nil {
		s.serverError(w, r, err)
		return
	}
	sessions, err := s.mentoring.Sessions(ctx, u.ID, rel.ID)
	if s.failed(w, r, err, mentoring.ErrNotFound) {
		return
	}
	now := time.Now()
	for _, x := range sessions {
		if x.Upcoming(now) {
			d.Upcoming = append(d.Upcoming, sessionRowOf(x))
		} else {
			d.Past = append([]sessionRow{sessionRowOf(x)}, d.Past...) // newest first
		}
	}
	if d.Finished {
		if d.Reviews, err = s.mentoring.Reviews(ctx, u.ID, rel.ID); s.failed(w, r, err, mentoring.ErrNotFound) {
			return
		}
	}
	s.render(w, r, status, "mentoring-relationship", view{Title: d.Title, Errors: errs, Data: d,
		Crumbs: []navLink{{Label: "Mentoring", Href: "/mentoring"}}})
}

// relationshipRefused answers a change the relationship's state no longer allows (it has
// ended, or the session was held or cancelled meanwhile): back to the page, saying why.
func (s *Server) relationshipRefused(w http.ResponseWriter, r *http.Request, err error, back string) bool {
	switch {
	case errors.Is(err, mentoring.ErrRelationshipClosed):
		s.flash(r, "Nothing was changed: this relationship is not active. It has ended, or has not begun.")
	case errors.Is(err, mentoring.ErrSessionClosed):
		s.flash(r, "Nothing was changed: this session has already been held or cancelled.")
	default:
		return false
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
	return true
}

type agreementFormView struct {
	R           *mentoring.Relationship
	Frequencies []mentoring.Labelled
	Agreed      bool // someone has agreed already: saving a change asks both again
}

func agreementForm(in mentoring.AgreementInput) url.Values {
	return url.Values{"goals": {in.Goals}, "frequency": {in.Frequency}, "confidentiality": {in.Confidentiality}, "end_on": {in.EndOn}}
}

func (s *Server) relationshipAgreementForm(w http.ResponseWriter, r *http.Request) {
	rel, u, ok := s.relationshipFor(w, r)
	if !ok {
		return
	}
	if rel.Status != mentoring.StatusActive {
		s.relationshipRefused(w, r, mentoring.ErrRelationshipClosed, relationshipPath(rel.ID))
		return
	}
	s.renderAgreementForm(w, r, http.StatusOK, rel, u, nil, agreementForm(mentoring.AgreementOf(rel)))
}

func (s *Server) renderAgreementForm(w http.ResponseWriter, r *http.Request, status int, rel *mentoring.Relationship, u *auth.User, errs valid.Errors, form url.Values) {
	d := agreementFormView{R: rel, Frequencies: mentoring.Frequencies, Agreed: rel.AgreementMenteeAt != nil || rel.AgreementMentorAt != nil}
	s.render(w, r, status, "mentoring-relationship-agreement", view{Title: "Your agreement", Errors: errs, Form: form, Data: d, Crumbs: relationshipCrumbs(rel, u.ID)})
}

func (s *Server) relationshipAgreementSave(w http.ResponseWriter, r *http.Request) {
	rel, u, ok := s.relationshipFor(w, r)
	if !ok || !s.parseForm(w, r) {
		return
	}
	f := r.PostForm
	in := mentoring.AgreementInput{Goals: f.Get("goals"), Frequency: f.Get("frequency"), Confidentiality: f.Get("confidentiality"), EndOn: f.Get("end_on")}
	err := s.mentoring.SaveAgreement(r.Context(), u.ID, rel.ID, in)
	var errs valid.Errors
	switch {
	case errors.As(err, &errs):
		s.renderAgreementForm(w, r, http.StatusUnprocessableEntity, rel, u, errs, f)
		return
	case s.relationshipRefused(w, r, err, relationshipPath(rel.ID)):
		return
	case s.failed(w, r, err, mentoring.ErrNotFound):
		return
	}
	_, other := rel.Other(u.ID)
	s.flash(r, "The agreement is saved. You and "+other+" each need to agree to it.")
	http.Redirect(w, r, relationshipPath(rel.ID)+"#agreement", http.StatusSeeOther)
}

func (s *Server) relationshipAgree(w http.ResponseWriter, r *http.Request) {
	rel, u, ok := s.relationshipFor(w, r)
	if !ok || !s.parseForm(w, r) {
		return
	}
	err := s.mentoring.Agree(r.Context(), u.ID, rel.ID, r.PostForm.Get("version"))
	var errs valid.Errors
	switch {
	case errors.As(err, &errs):
		s.relationshipPage(w, r, http.StatusUnprocessableEntity, rel, u, errs)
		return
	case s.relationshipRefused(w, r, err, relationshipPath(rel.ID)):
		return
	case s.failed(w, r, err, mentoring.ErrNotFound):
		return
	}
	s.flash(r, "You have agreed to the agreement.")
	http.Redirect(w, r, relationshipPath(rel.ID)+"#agreement", http.StatusSeeOther)
}

func (s *Server) relationshipComplete(w http.ResponseWriter, r *http.Request) {
	rel, u, ok := s.relationshipFor(w, r)
	if !ok {
		return
	}
	err := s.mentoring.Complete(r.Context(), u.ID, rel.ID, s.relationshipOutbox())
	if s.relationshipRefused(w, r, err, relationshipPath(rel.ID)) || s.failed(w, r, err, mentoring.ErrNotFound) {
		return
	}
	s.flash(r, "The relationship is marked as completed. Sessions still to come have been cancelled. Please write your review.")
	http.Redirect(w, r, relationshipPath(rel.ID), http.StatusSeeOther)
}

type endFormView struct {
	R         *mentoring.Relationship
	OtherName string
	Reasons   []mentoring.Labelled
}

func (s *Server) relationshipEndForm(w http.ResponseWriter, r *http.Request) {
	rel, u, ok := s.relationshipFor(w, r)
	if !ok {
		return
	}
	if rel.Status != mentoring.StatusActive {
		s.relationshipRefused(w, r, mentoring.ErrRelationshipClosed, relationshipPath(rel.ID))
		return
	}
	s.renderEndForm(w, r, http.StatusOK, rel, u, nil, url.Values{})
}

func (s *Server) renderEndForm(w http.ResponseWriter, r *http.Request, status int, rel *mentoring.Relationship, u *auth.User, errs valid.Errors, form url.Values) {
	_, other := rel.Other(u.ID)
	s.render(w, r, status, "mentoring-relationship-end", view{Title: "End the relationship early", Errors: errs, Form: form,
		Data: endFormView{R: rel, OtherName: other, Reasons: mentoring.EndReasons}, Crumbs: relationshipCrumbs(rel, u.ID)})
}

func (s *Server) relationshipEnd(w http.ResponseWriter, r *http.Request) {
	rel, u, ok := s.relationshipFor(w, r)
	if !ok || !s.parseForm(w, r) {
		return
	}
	err := s.mentoring.EndEarly(r.Context(), u.ID, rel.ID, r.PostForm.Get("reason"), r.PostForm.Get("note"), s.relationshipOutbox())
	var errs valid.Errors
	switch {
	case errors.As(err, &errs):
		s.renderEndForm(w, r, http.StatusUnprocessableEntity, rel, u, errs, r.PostForm)
		return
	case s.relationshipRefused(w, r, err, relationshipPath(rel.ID)):
		return
	case s.failed(w, r, err, mentoring.ErrNotFound):
		return
	}
	s.flash(r, "The relationship has ended. Sessions still to come have been cancelled. Please write your review.")
	http.Redirect(w, r, relationshipPath(rel.ID), http.StatusSeeOther)
}

type reviewFormView struct {
	R         *mentoring.Relationship
	OtherName string
	Helpful   []mentoring.Labelled
	GoalsMet  []mentoring.Labelled
}

var helpfulChoices = []mentoring.Labelled{{Value: "1", Label: "1, not helpful"}, {Value: "2", Label: "2"}, {Value: "3", Label: "3"}, {Value: "4", Label: "4"}, {Value: "5", Label: "5, very helpful"}}

func (s *Server) relationshipReviewForm(w http.ResponseWriter, r *http.Request) {
	rel, u, ok := s.relationshipFor(w, r)
	if !ok {
		return
	}
	if rel.Reviewable() {
		pair, err := s.mentoring.Reviews(r.Context(), u.ID, rel.ID)
		if s.failed(w, r, err, mentoring.ErrNotFound) {
			return
		}
		if pair.Mine != nil {
			s.flash(r, "You have already written your review.")
			http.Redirect(w, r, relationshipPath(rel.ID)+"#review", http.StatusSeeOther)
			return
		}
	}
	s.renderReviewForm(w, r, http.StatusOK, rel, u, nil, url.Values{})
}

func (s *Server) renderReviewForm(w http.ResponseWriter, r *http.Request, status int, rel *mentoring.Relationship, u *auth.User, errs valid.Errors, form url.Values) {
	if !rel.Reviewable() {
		s.flash(r, "You can review the relationship once it has ended.")
		http.Redirect(w, r, relationshipPath(rel.ID), http.StatusSeeOther)
		return
	}
	_, other := rel.Other(u.ID)
	s.render(w, r, status, "mentoring-relationship-review", view{Title: "Review the relationship", Errors: errs, Form: form,
		Data: reviewFormView{R: rel, OtherName: other, Helpful: helpfulChoices, GoalsMet: mentoring.GoalsMet}, Crumbs: relationshipCrumbs(rel, u.ID)})
}

func (s *Server) relationshipReviewSave(w http.ResponseWriter, r *http.Request) {
	rel, u, ok := s.relationshipFor(w, r)
	if !ok || !s.parseForm(w, r) {
		return
	}
	f := r.PostForm
	err := s.mentoring.SaveReview(r.Context(), u.ID, rel.ID, mentoring.ReviewInput{Helpful: f.Get("helpful"), GoalsMet: f.Get("goals_met"),
		WentWell: f.Get("went_well"), DoDifferently: f.Get("do_differently")})
	var errs valid.Errors
	if errors.As(err, &errs) {
		s.renderReviewForm(w, r, http.StatusUnprocessableEntity, rel, u, errs, f)
		return
	}
	if s.failed(w, r, err, mentoring.ErrNotFound) {
		return
	}
	s.flash(r, "Thank you: your review is saved.")
	http.Redirect(w, r, relationshipPath(rel.ID)+"#review", http.StatusSeeOther)
}
