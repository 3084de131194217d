package web

import (
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strconv"

	"github.com/pillars-ot/pillars/internal/auth"
	"github.com/pillars-ot/pillars/internal/mentoring"
	"github.com/pillars-ot/pillars/internal/mentoring/match"
	"github.com/pillars-ot/pillars/internal/valid"
)

// findShown is how many ranked mentors the find page lists.
const findShown = 20

// scorePart is one part of a score as a page shows it.
type scorePart struct {
	Name, Detail, Points string
}

// scoreView is a score with its parts, rounded for people.
type scoreView struct {
	Total    string
	Parts    []scorePart
	Eligible bool
	Reason   string
}

// scorePoints shows points to one decimal place, without ".0".
func scorePoints(f float64) string {
	r := math.Round(f*10) / 10
	if r == math.Trunc(r) {
		return strconv.FormatFloat(r, 'f', 0, 64)
	}
	return strconv.FormatFloat(r, 'f', 1, 64)
}

func scoreViewOf(sc *match.Score) *scoreView {
	if sc == nil {
		return nil
	}
	v := &scoreView{Total: scorePoints(sc.Total), Eligible: sc.Eligible, Reason: sc.Reason}
	for _, p := range sc.Parts {
		v.Parts = append(v.Parts, scorePart{p.Name, p.Detail, scorePoints(p.Points)})
	}
	return v
}

type rankedView struct {
	Mentor  *mentoring.Listing
	Score   *scoreView
	Working []mentoring.Gap
}

type findData struct {
	Ask         *mentoring.Ask
	FromGaps    bool // the person has assessed gaps, so they pick no elements
	Source      string
	Gaps        []mentoring.Gap
	Picks       []string
	Elements    []elementGroup
	Wants       []mentoring.Labelled
	Modes       []mentoring.Labelled
	Regions     []string
	Chosen      map[string]bool // modes ticked
	Ranked      []rankedView
	More        int // eligible mentors not shown
	MaxPicks    int
	ShowResults bool // the person has an ask, so mentors are ranked for it
}

// askForm is an ask input as the form's values.
func askForm(in mentoring.AskInput) url.Values {
	return url.Values{"want": {in.Want}, "modes": in.Modes, "region": {in.Region}, "budget": {in.Budget}, "max": {in.Max},
		"goals": {in.Goals}, "line_manager": {in.LineManager}, "element": in.Picks}
}

func (s *Server) renderFind(w http.ResponseWriter, r *http.Request, status int, errs valid.Errors, form url.Values) {
	ctx := r.Context()
	u := auth.UserFrom(ctx)
	gaps, source, err := s.assessedGaps(r, u)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	d := &findData{FromGaps: len(gaps) > 0, Source: source, Gaps: gaps, Wants: mentoring.Wants, Modes: mentoring.Modes,
		Regions: mentoring.Regions, Chosen: map[string]bool{}, MaxPicks: mentoring.MaxPicks}
	if d.Ask, err = s.mentoring.Ask(ctx, u.ID); errors.Is(err, mentoring.ErrNotFound) {
		d.Ask = nil
	} else if err != nil {
		s.serverError(w, r, err)
		return
	}
	if form == nil {
		manager, _, err := s.mentoring.LineManager(ctx, u.ID)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		in := mentoring.AskInput{Want: "either", Budget: "any", LineManager: manager}
		if d.Ask != nil {
			in = mentoring.AskInputOf(d.Ask, manager)
		}
		form = askForm(in)
	}
	for _, m := range form["modes"] {
		d.Chosen[m] = true
	}
	if !d.FromGaps {
		d.Picks = append(d.Picks, form["element"]...)
		for len(d.Picks) < mentoring.MaxPicks {
			d.Picks = append(d.Picks, "")
		}
		d.Picks = d.Picks[:mentoring.MaxPicks]
		if d.Elements, err = s.mentoringElementGroups(r, nil); err != nil {
			s.serverError(w, r, err)
			return
		}
	}
	// Mentors are ranked for the saved ask, never for a form with problems.
	if d.Ask != nil && !errs.Any() {
		d.ShowResults = true
		ranked, err := s.mentoring.RankFor(ctx, u.ID, d.Ask.Need(gaps))
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		for i := range ranked[:min(len(ranked), findShown)] {
			d.Ranked = append(d.Ranked, rankedView{Mentor: ranked[i].Mentor, Score: scoreViewOf(&ranked[i].Score), Working: ranked[i].Working})
		}
		d.More = max(len(ranked)-findShown, 0)
	}
	s.render(w, r, status, "mentoring-find", view{Title: "Find a mentor or coach", Errors: errs, Form: form, Data: d,
		Crumbs: []navLink{{Label: "Mentoring", Href: "/mentoring"}}})
}

func (s *Server) findMentor(w http.ResponseWriter, r *http.Request) {
	s.renderFind(w, r, http.StatusOK, nil, nil)
}

func (s *Server) saveAsk(w http.ResponseWriter, r *http.Request) {
	if !s.parseForm(w, r) {
		return
	}
	u := auth.UserFrom(r.Context())
	gaps, _, err := s.assessedGaps(r, u)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	f := r.PostForm
	in := mentoring.AskInput{Want: f.Get("want"), Modes: f["modes"], Region: f.Get("region"), Budget: f.Get("budget"), Max: f.Get("max"),
		Goals: f.Get("goals"), Picks: f["element"], Assessed: gaps, LineManager: f.Get("line_manager")}
	_, err = s.mentoring.SaveAsk(r.Context(), u, in)
	var errs valid.Errors
	if errors.As(err, &errs) {
		s.renderFind(w, r, http.StatusUnprocessableEntity, errs, f)
		return
	} else if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.flash(r, "Your ask is saved. Here are the mentors who fit it best.")
	http.Redirect(w, r, "/mentoring/find#results", http.StatusSeeOther)
}

func (s *Server) withdrawAsk(w http.ResponseWriter, r *http.Request) {
	u := auth.UserFrom(r.Context())
	err := s.mentoring.WithdrawAsk(r.Context(), u.ID)
	if errors.Is(err, mentoring.ErrNotFound) {
		s.flash(r, "You have no open ask to close.")
	} else if err != nil {
		s.serverError(w, r, err)
		return
	} else {
		s.flash(r, "Your ask is closed: no programme lead will match you from it. Save it again to reopen it.")
	}
	http.Redirect(w, r, "/mentoring", http.StatusSeeOther)
}

type mentorPageData struct {
	Mentor   *mentoring.Listing
	Elements []string // titles of the elements they help with
	Score    *scoreView
	Working  []mentoring.Gap
	Mismatch string
	NotOffer string // why Pillars will not offer this pair, if it will not
	Self     bool
	Existing *mentoringRow // a live request or relationship with this mentor
	CanAsk   bool
	HasAsk   bool
}

func (s *Server) renderMentorPage(w http.ResponseWriter, r *http.Request, status int, id int64, errs valid.Errors, form url.Values) {
	ctx := r.Context()
	u := auth.UserFrom(ctx)
	need, ask, err := s.menteeNeed(r, u)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	ranked, mismatch, err := s.mentoring.ScoreFor(ctx, u.ID, id, need)
	if s.failed(w, r, err, mentoring.ErrNotFound) {
		return
	}
	l := ranked.Mentor
	d := &mentorPageData{Mentor: l, Score: scoreViewOf(&ranked.Score), Working: ranked.Working, Mismatch: mismatch, Self: u.ID == id, HasAsk: ask != nil}
	for _, ref := range l.Elements {
		if t := s.mentoring.ElementTitle(ctx, ref); t != "" {
			d.Elements = append(d.Elements, t)
		}
	}
	rels, err := s.mentoring.Relationships(ctx, u.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	for _, rel := range rels {
		if rel.IsMentee(u.ID) && rel.MentorID == id && rel.Live() {
			row := mentoringRowOf(rel, u.ID)
			d.Existing = &row
		}
	}
	switch ranked.Score.Reason {
	case match.ReasonChain:
		d.NotOffer = "You and " + l.Name + " are in the same line-management chain. Mentoring needs a space outside line management."
	case match.ReasonFull:
		d.NotOffer = l.Name + " has no places left."
	}
	d.CanAsk = !d.Self && l.Listed && d.Existing == nil && ranked.Score.Eligible
	if form == nil {
		form = url.Values{}
	}
	s.render(w, r, status, "mentoring-mentor", view{Title: l.Name, Errors: errs, Form: form, Data: d,
		Crumbs: []navLink{{Label: "Mentoring", Href: "/mentoring"}, {Label: "Find a mentor or coach", Href: "/mentoring/find"}}})
}

func (s *Server) mentorPage(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	s.renderMentorPage(w, r, http.StatusOK, id, nil, nil)
}

// postedID reads the id in the path and the posted form, answering a bad one itself.
func (s *Server) postedID(w http.ResponseWriter, r *http.Request) (int64, bool) {
	id, ok := pathID(r, "id")
	if !ok {
		s.notFound(w, r)
		return 0, false
	}
	return id, s.parseForm(w, r)
}

// refusedStatus is how a refusal answers: the request conflicts with the state of things.
const refusedStatus = http.StatusConflict

func (s *Server) requestMentor(w http.ResponseWriter, r *http.Request) {
	id, ok := s.postedID(w, r)
	if !ok {
		return
	}
	u := auth.UserFrom(r.Context())
	need, _, err := s.menteeNeed(r, u)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	relID, err := s.mentoring.Request(r.Context(), u, id, need, r.PostForm.Get("message"), s.relationshipOutbox())
	var errs valid.Errors
	var refused *mentoring.Refused
	switch {
	case errors.As(err, &errs):
		s.renderMentorPage(w, r, http.StatusUnprocessableEntity, id, errs, r.PostForm)
		return
	case errors.As(err, &refused):
		s.renderMentorPage(w, r, refusedStatus, id, valid.Errors{{Field: "request", Message: refused.Message}}, r.PostForm)
		return
	case s.failed(w, r, err, mentoring.ErrNotFound):
		return
	}
	s.flash(r, "Your request is sent. You will get an email when they answer.")
	http.Redirect(w, r, mentoring.RequestPath(relID), http.StatusSeeOther)
}

type requestPageData struct {
	*mentoring.RequestDetail
	IsMentor    bool
	StatusLabel string
	Tag         string
	Seen        *scoreView
	Other       string
}

// renderRequest shows a request to its mentee or mentor. Once accepted, its page is the
// relationship's, unless a refusal (accepting twice) is being explained.
func (s *Server) renderRequest(w http.ResponseWriter, r *http.Request, status int, errs valid.Errors, form url.Values) {
	id, ok := pathID(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	u := auth.UserFrom(r.Context())
	detail, err := s.mentoring.RequestDetail(r.Context(), u.ID, id)
	if s.failed(w, r, err, mentoring.ErrNotFound) {
		return
	}
	if !errs.Any() && status == http.StatusOK && mentoringPath(detail.Relationship) != mentoring.RequestPath(id) {
		http.Redirect(w, r, mentoringPath(detail.Relationship), http.StatusSeeOther)
		return
	}
	d := &requestPageData{RequestDetail: detail, IsMentor: detail.IsMentor(u.ID), Seen: scoreViewOf(detail.Seen)}
	_, d.Other = detail.Other(u.ID)
	d.StatusLabel, d.Tag = mentoringStatus(detail.Status)
	if form == nil {
		form = url.Values{}
	}
	title := fmt.Sprintf("Request from %s", detail.MenteeName)
	if !d.IsMentor {
		title = fmt.Sprintf("Your request to %s", detail.MentorName)
	}
	s.render(w, r, status, "mentoring-request", view{Title: title, Errors: errs, Form: form, Data: d,
		Crumbs: []navLink{{Label: "Mentoring", Href: "/mentoring"}}})
}

func (s *Server) requestPage(w http.ResponseWriter, r *http.Request) {
	s.renderRequest(w, r, http.StatusOK, nil, nil)
}

// answerFailed shows why an answer was not made, on the request's page; it reports whether
// it answered.
func (s *Server) answerFailed(w http.ResponseWriter, r *http.Request, err error, field string) bool {
	var errs valid.Errors
	var refused *mentoring.Refused
	switch {
	case err == nil:
		return false
	case errors.As(err, &errs):
		for i := range errs {
			errs[i].Field = field
		}
		s.renderRequest(w, r, http.StatusUnprocessableEntity, errs, url.Values{field: {r.PostForm.Get("reply")}})
	case errors.As(err, &refused):
		s.renderRequest(w, r, refusedStatus, valid.Errors{{Field: "answer", Message: refused.Message}}, url.Values{field: {r.PostForm.Get("reply")}})
	default:
		s.failed(w, r, err, mentoring.ErrNotFound)
	}
	return true
}

func (s *Server) acceptRequest(w http.ResponseWriter, r *http.Request) {
	id, ok := s.postedID(w, r)
	if !ok {
		return
	}
	u := auth.UserFrom(r.Context())
	if s.answerFailed(w, r, s.mentoring.Accept(r.Context(), u.ID, id, r.PostForm.Get("reply"), s.relationshipOutbox()), "accept-reply") {
		return
	}
	s.flash(r, "You have accepted. Agree how you will work together and plan your first session.")
	http.Redirect(w, r, "/mentoring/relationships/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
}

func (s *Server) declineRequest(w http.ResponseWriter, r *http.Request) {
	id, ok := s.postedID(w, r)
	if !ok {
		return
	}
	u := auth.UserFrom(r.Context())
	if s.answerFailed(w, r, s.mentoring.Decline(r.Context(), u.ID, id, r.PostForm.Get("reply"), s.relationshipOutbox()), "reply") {
		return
	}
	s.flash(r, "You have declined, and your message has been sent.")
	http.Redirect(w, r, "/mentoring", http.StatusSeeOther)
}

func (s *Server) withdrawRequest(w http.ResponseWriter, r *http.Request) {
	id, ok := s.postedID(w, r)
	if !ok {
		return
	}
	u := auth.UserFrom(r.Context())
	if s.answerFailed(w, r, s.mentoring.Withdraw(r.Context(), u.ID, id, s.relationshipOutbox()), "reply") {
		return
	}
	s.flash(r, "Your request is withdrawn.")
	http.Redirect(w, r, "/mentoring", http.StatusSeeOther)
}
