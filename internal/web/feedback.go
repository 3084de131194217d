package web

import (
	"errors"
	"html/template"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/pillars-ot/pillars/internal/assess"
	"github.com/pillars-ot/pillars/internal/auth"
	"github.com/pillars-ot/pillars/internal/chart"
	"github.com/pillars-ot/pillars/internal/framework"
	"github.com/pillars-ot/pillars/internal/jobs"
	"github.com/pillars-ot/pillars/internal/valid"
)

type feedbackData struct {
	Assessments []assess.Summary
	Rounds      []assess.Round
	Titles      map[string]string
}

func (s *Server) feedbackPage(w http.ResponseWriter, r *http.Request, status int, errs valid.Errors, form url.Values) {
	u := auth.UserFrom(r.Context())
	hist, err := s.assess.History(r.Context(), u.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	_, titles, err := s.assessable(r)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	d := feedbackData{Titles: titles}
	for _, h := range hist {
		if h.Status == "submitted" {
			d.Assessments = append(d.Assessments, h)
		}
	}
	if d.Rounds, err = s.assess.Rounds(r.Context(), u.ID); err != nil {
		s.serverError(w, r, err)
		return
	}
	if form == nil {
		form = url.Values{"deadline": {time.Now().In(london).AddDate(0, 0, 14).Format(time.DateOnly)}}
	}
	s.render(w, r, status, "feedback", view{Title: "360 feedback", Errors: errs, Form: form, Data: d})
}

func (s *Server) feedback(w http.ResponseWriter, r *http.Request) {
	s.feedbackPage(w, r, http.StatusOK, nil, nil)
}

// endOfDay is the last moment of a UK calendar date: a deadline "on the 14th" includes the 14th.
func endOfDay(date string) (time.Time, bool) {
	d, err := time.ParseInLocation(time.DateOnly, date, london)
	if err != nil {
		return time.Time{}, false
	}
	return d.AddDate(0, 0, 1).Add(-time.Second).UTC(), true
}

func (s *Server) createRound(w http.ResponseWriter, r *http.Request) {
	if !s.parseForm(w, r) {
		return
	}
	u := auth.UserFrom(r.Context())
	aid, _ := strconv.ParseInt(r.PostForm.Get("assessment"), 10, 64)
	deadline, okDate := endOfDay(r.PostForm.Get("deadline"))
	round, err := s.assess.CreateRound(r.Context(), u.ID, aid, r.PostForm.Get("title"), deadline, jobs.Schedule(s.queue))
	var errs valid.Errors
	switch {
	case !okDate && r.PostForm.Get("deadline") != "":
		errs = valid.Errors{{Field: "deadline", Message: "Enter the deadline as a real date, like 2027-03-31"}}
	case errors.As(err, &errs):
	case errors.Is(err, assess.ErrNotFound):
		errs = valid.Errors{{Field: "assessment", Message: "Choose one of your submitted self-assessments"}}
	case err != nil:
		s.serverError(w, r, err)
		return
	}
	if errs.Any() {
		s.feedbackPage(w, r, http.StatusUnprocessableEntity, errs, r.PostForm)
		return
	}
	s.flash(r, "Your feedback request is open. Now invite your raters.")
	http.Redirect(w, r, "/feedback/"+strconv.FormatInt(round.ID, 10), http.StatusSeeOther)
}

type roundData struct {
	Round         *assess.Round
	Status        *assess.RoundStatus
	Open          bool
	Relationships []assess.Relationship
}

// loadRound fetches one of the signed-in person's rounds, answering 404 itself.
func (s *Server) loadRound(w http.ResponseWriter, r *http.Request) (*assess.Round, bool) {
	id, ok := pathID(r, "id")
	if !ok {
		s.notFound(w, r)
		return nil, false
	}
	round, err := s.assess.Round(r.Context(), auth.UserFrom(r.Context()).ID, id)
	if s.failed(w, r, err, assess.ErrNotFound) {
		return nil, false
	}
	return round, true
}

func (s *Server) roundPage(w http.ResponseWriter, r *http.Request, status int, round *assess.Round, errs valid.Errors, form url.Values) {
	st, err := s.assess.Status(r.Context(), round.UserID, round.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, status, "feedback-round", view{Title: round.Title, Errors: errs, Form: form,
		Data:   roundData{Round: round, Status: st, Open: round.Open(time.Now()), Relationships: assess.Relationships},
		Crumbs: []navLink{{Label: "360 feedback", Href: "/feedback"}}})
}

func (s *Server) showRound(w http.ResponseWriter, r *http.Request) {
	if round, ok := s.loadRound(w, r); ok {
		s.roundPage(w, r, http.StatusOK, round, nil, nil)
	}
}

func (s *Server) inviteRater(w http.ResponseWriter, r *http.Request) {
	if !s.parseForm(w, r) {
		return
	}
	round, ok := s.loadRound(w, r)
	if !ok {
		return
	}
	u := auth.UserFrom(r.Context())
	inv, err := s.assess.Invite(r.Context(), u, round.ID, r.PostForm.Get("name"), r.PostForm.Get("email"), assess.Relationship(r.PostForm.Get("relationship")), jobs.Invite(s.queue, s.cfg.BaseURL))
	var errs valid.Errors
	if errors.As(err, &errs) {
		s.roundPage(w, r, http.StatusUnprocessableEntity, round, errs, r.PostForm)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.flash(r, "Invitation sent to "+inv.Rater.Email+".")
	http.Redirect(w, r, "/feedback/"+strconv.FormatInt(round.ID, 10), http.StatusSeeOther)
}

func (s *Server) closeRound(w http.ResponseWriter, r *http.Request) {
	round, ok := s.loadRound(w, r)
	if !ok {
		return
	}
	if err := s.assess.Close(r.Context(), round.UserID, round.ID); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.flash(r, "The request is closed. Raters' links no longer work.")
	http.Redirect(w, r, "/feedback/"+strconv.FormatInt(round.ID, 10), http.StatusSeeOther)
}

type reportData struct {
	Report       *assess.Report
	Radar        template.HTML
	Strengths    []string
	Developments []string
}

// RadarFor draws a report's radar chart of self against all others.
func RadarFor(rep *assess.Report) template.HTML {
	labels := make([]string, len(rep.Rows))
	self := make([]float64, len(rep.Rows))
	others := make([]float64, len(rep.Rows))
	for i, row := range rep.Rows {
		labels[i] = row.Element.Title
		self[i], others[i] = math.NaN(), math.NaN()
		if row.Self > 0 {
			self[i] = float64(row.Self)
		}
		if row.Others.Shown {
			others[i] = row.Others.Mean
		}
	}
	pts := rep.Framework.Scale.Points
	return chart.Radar("radar", "Your ratings and others' ratings", "A radar chart with one spoke per element; the same figures are in the table beside it.",
		labels, float64(pts[0].Value), float64(pts[len(pts)-1].Value), []chart.Series{{Name: "You", Values: self}, {Name: "All others", Values: others}})
}

func (s *Server) roundReport(w http.ResponseWriter, r *http.Request, print bool) {
	round, ok := s.loadRound(w, r)
	if !ok {
		return
	}
	rep, err := s.assess.Report(r.Context(), round.UserID, round.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	d := reportData{Report: rep, Radar: RadarFor(rep)}
	for _, c := range rep.Comments {
		if c.Kind == "strength" {
			d.Strengths = append(d.Strengths, c.Body)
		} else {
			d.Developments = append(d.Developments, c.Body)
		}
	}
	s.render(w, r, http.StatusOK, "feedback-report", view{Title: "360 report: " + round.Title, Print: print, Data: d,
		Crumbs: []navLink{{Label: "360 feedback", Href: "/feedback"}, {Label: round.Title, Href: "/feedback/" + strconv.FormatInt(round.ID, 10)}}})
}

func (s *Server) feedbackReport(w http.ResponseWriter, r *http.Request) { s.roundReport(w, r, false) }
func (s *Server) feedbackReportPrint(w http.ResponseWriter, r *http.Request) {
	s.roundReport(w, r, true)
}

type rateRow struct {
	Element *framework.Element
	Field   string
	Value   string
}

type rateData struct {
	Token        string
	Subject      string
	Relationship assess.Relationship
	Deadline     time.Time
	Rows         []rateRow
	Points       []framework.Point
	Problem      string
	ProblemTitle string
	Thanks       bool
}

// rateProblem explains why a rater's link cannot be used.
func (s *Server) rateProblem(w http.ResponseWriter, r *http.Request, err error) {
	d := rateData{}
	status := http.StatusNotFound
	switch {
	case errors.Is(err, assess.ErrLinkAnswered):
		d.ProblemTitle, d.Problem, status = "You have already given feedback", "Feedback has already been given through this link, and it can be given only once. Thank you.", http.StatusConflict
	case errors.Is(err, assess.ErrLinkExpired):
		d.ProblemTitle, d.Problem, status = "This feedback request has closed", "The deadline has passed or the person closed the request, so it no longer takes answers. Thank you for your time.", http.StatusGone
	case errors.Is(err, assess.ErrLinkInvalid):
		d.ProblemTitle, d.Problem = "This link is not valid", "Check you copied the whole link from the email. If it still does not work, ask the person who invited you to send it again."
	default:
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, status, "rate", view{Title: d.ProblemTitle, Data: d, NoIndex: true, ShowSignIn: true})
}

func (s *Server) ratePage(w http.ResponseWriter, r *http.Request, status int, v *assess.RaterView, token string, form url.Values, errs valid.Errors) {
	f, err := s.assess.Framework(r.Context(), v.Assessment)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	d := rateData{Token: token, Subject: v.Subject, Relationship: v.Rater.Relationship, Deadline: v.Round.Deadline, Points: f.Scale.Points}
	for _, e := range f.Rateable() {
		field := assess.FieldFor(e.Key, "rating")
		d.Rows = append(d.Rows, rateRow{Element: e, Field: field, Value: form.Get(field)})
	}
	s.render(w, r, status, "rate", view{Title: "Feedback for " + v.Subject, Data: d, Form: form, Errors: errs, NoIndex: true, ShowSignIn: true})
}

func (s *Server) rateForm(w http.ResponseWriter, r *http.Request) {
	token := r.PathValue("token")
	v, err := s.assess.ByToken(r.Context(), token)
	if err != nil {
		s.rateProblem(w, r, err)
		return
	}
	s.ratePage(w, r, http.StatusOK, v, token, url.Values{}, nil)
}

func (s *Server) rate(w http.ResponseWriter, r *http.Request) {
	if !s.parseForm(w, r) {
		return
	}
	token := r.PathValue("token")
	v, err := s.assess.ByToken(r.Context(), token)
	if err != nil {
		s.rateProblem(w, r, err)
		return
	}
	f, err := s.assess.Framework(r.Context(), v.Assessment)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	resp := assess.Response{Ratings: map[string]int{}, Strength: r.PostForm.Get("strength"), Development: r.PostForm.Get("development")}
	for _, e := range f.Rateable() {
		raw := r.PostForm.Get(assess.FieldFor(e.Key, "rating"))
		if raw == "" {
			continue
		}
		n, err := strconv.Atoi(raw)
		if err != nil {
			n = -1
		}
		resp.Ratings[e.Key] = n
	}
	if errs := s.confidentiality(r, r.PostForm, map[string]string{"strength": resp.Strength, "development": resp.Development},
		"feedback round:"+strconv.FormatInt(v.Round.ID, 10)); errs.Any() {
		s.ratePage(w, r, http.StatusUnprocessableEntity, v, token, r.PostForm, errs)
		return
	}
	err = s.assess.Respond(r.Context(), token, resp)
	var errs valid.Errors
	switch {
	case errors.As(err, &errs):
		s.ratePage(w, r, http.StatusUnprocessableEntity, v, token, r.PostForm, errs)
		return
	case err != nil:
		s.rateProblem(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "rate", view{Title: "Thank you", Data: rateData{Thanks: true, Subject: v.Subject}, NoIndex: true, ShowSignIn: true})
}
