package web

import (
	"errors"
	"html"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/pillars-ot/pillars/internal/assess"
	"github.com/pillars-ot/pillars/internal/auth"
	"github.com/pillars-ot/pillars/internal/framework"
	"github.com/pillars-ot/pillars/internal/privacy"
	"github.com/pillars-ot/pillars/internal/valid"
)

// pathID reads a numeric id from the path; anything else is simply not found.
func pathID(r *http.Request, name string) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	return id, err == nil && id > 0
}

// assessable lists the frameworks that can be used for a self-assessment.
func (s *Server) assessable(r *http.Request) ([]framework.Summary, map[string]string, error) {
	list, err := s.frameworks.List(r.Context())
	if err != nil {
		return nil, nil, err
	}
	titles := map[string]string{}
	var out []framework.Summary
	for _, f := range list {
		titles[f.Key] = f.Title
		if f.HasScale {
			out = append(out, f)
		}
	}
	return out, titles, nil
}

type assessmentsData struct {
	Frameworks []framework.Summary
	Default    string
	Drafts     map[string]bool
	History    []assess.Summary
	Submitted  []assess.Summary
	Titles     map[string]string
}

func (s *Server) assessmentsPage(w http.ResponseWriter, r *http.Request, status int, errs valid.Errors) {
	u := auth.UserFrom(r.Context())
	fws, titles, err := s.assessable(r)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	hist, err := s.assess.History(r.Context(), u.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	d := assessmentsData{Frameworks: fws, Default: assess.DefaultFramework, Drafts: map[string]bool{}, History: hist, Titles: titles}
	for _, h := range hist {
		if h.Status == "draft" {
			d.Drafts[h.FrameworkKey] = true
		} else {
			d.Submitted = append(d.Submitted, h)
		}
	}
	s.render(w, r, status, "assessments", view{Title: "Self-assessments", Errors: errs, Data: d})
}

func (s *Server) assessments(w http.ResponseWriter, r *http.Request) {
	s.assessmentsPage(w, r, http.StatusOK, nil)
}

func (s *Server) startAssessment(w http.ResponseWriter, r *http.Request) {
	if !s.parseForm(w, r) {
		return
	}
	u := auth.UserFrom(r.Context())
	a, err := s.assess.Start(r.Context(), u.ID, r.PostForm.Get("framework"))
	if errors.Is(err, framework.ErrNotFound) || errors.Is(err, assess.ErrNotAssessable) {
		s.assessmentsPage(w, r, http.StatusUnprocessableEntity, valid.Errors{{Field: "framework", Message: "Choose a framework to assess yourself against"}})
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, "/assessments/"+strconv.FormatInt(a.ID, 10)+"/edit", http.StatusSeeOther)
}

// assessmentRow is one element on the assessment pages.
type assessmentRow struct {
	Element         *framework.Element
	Rating          int
	Importance      int
	Evidence        string
	RatingLabel     string
	ImportanceLabel string
	Descriptor      string
	RatingField     string
	ImportanceField string
	EvidenceField   string
}

type assessmentData struct {
	A        *assess.Assessment
	F        *framework.Framework
	Rows     []assessmentRow
	SavedAt  string
	Autosave bool
}

func pointLabel(sc *framework.Scale, v int) string {
	if sc == nil {
		return ""
	}
	for _, p := range sc.Points {
		if p.Value == v {
			return p.Label
		}
	}
	return ""
}

// loadAssessment fetches one of the signed-in person's assessments, answering 404 itself.
func (s *Server) loadAssessment(w http.ResponseWriter, r *http.Request) (*assess.Assessment, *framework.Framework, bool) {
	u := auth.UserFrom(r.Context())
	id, ok := pathID(r, "id")
	if !ok {
		s.notFound(w, r)
		return nil, nil, false
	}
	a, err := s.assess.Get(r.Context(), u.ID, id)
	if errors.Is(err, assess.ErrNotFound) {
		s.notFound(w, r) // another person's assessment looks exactly like none
		return nil, nil, false
	}
	if err != nil {
		s.serverError(w, r, err)
		return nil, nil, false
	}
	f, err := s.assess.Framework(r.Context(), a)
	if err != nil {
		s.serverError(w, r, err)
		return nil, nil, false
	}
	return a, f, true
}

func buildRows(a *assess.Assessment, f *framework.Framework, level int, typed map[string]assess.Rating) []assessmentRow {
	var rows []assessmentRow
	for _, e := range f.Rateable() {
		r := a.Ratings[e.Key]
		if t, ok := typed[e.Key]; ok {
			r = t
		}
		rows = append(rows, assessmentRow{Element: e, Rating: r.Rating, Importance: r.Importance, Evidence: r.Evidence,
			RatingLabel: pointLabel(f.Scale, r.Rating), ImportanceLabel: pointLabel(f.ImportanceScale, r.Importance), Descriptor: e.Descriptor(level),
			RatingField: assess.FieldFor(e.Key, "rating"), ImportanceField: assess.FieldFor(e.Key, "importance"), EvidenceField: assess.FieldFor(e.Key, "evidence")})
	}
	return rows
}

func (s *Server) showAssessment(w http.ResponseWriter, r *http.Request) {
	a, f, ok := s.loadAssessment(w, r)
	if !ok {
		return
	}
	if !a.Submitted() {
		http.Redirect(w, r, "/assessments/"+strconv.FormatInt(a.ID, 10)+"/edit", http.StatusSeeOther)
		return
	}
	s.render(w, r, http.StatusOK, "assessment", view{Title: f.Title + " self-assessment", Data: assessmentData{A: a, F: f, Rows: buildRows(a, f, 0, nil)},
		Crumbs: []navLink{{Label: "Self-assessments", Href: "/assessments"}}})
}

func (s *Server) editAssessmentPage(w http.ResponseWriter, r *http.Request, status int, a *assess.Assessment, f *framework.Framework, errs valid.Errors, typed map[string]assess.Rating) {
	u := auth.UserFrom(r.Context())
	d := assessmentData{A: a, F: f, Rows: buildRows(a, f, u.CareerLevel, typed), Autosave: true}
	if len(a.Ratings) > 0 {
		d.SavedAt = a.UpdatedAt.In(london).Format("at 15:04 on 2 January")
	}
	s.render(w, r, status, "assessment-edit", view{Title: "Self-assessment: " + f.Title, Errors: errs, Data: d,
		Crumbs: []navLink{{Label: "Self-assessments", Href: "/assessments"}}})
}

func (s *Server) editAssessment(w http.ResponseWriter, r *http.Request) {
	a, f, ok := s.loadAssessment(w, r)
	if !ok {
		return
	}
	if a.Submitted() {
		http.Redirect(w, r, "/assessments/"+strconv.FormatInt(a.ID, 10), http.StatusSeeOther)
		return
	}
	s.editAssessmentPage(w, r, http.StatusOK, a, f, nil, nil)
}

// ratingsFromForm reads the answers a form carries; a field that is absent is not an answer.
// A value that is not a number becomes -1, which the area rejects as off the scale.
func ratingsFromForm(form url.Values, f *framework.Framework) map[string]assess.Rating {
	out := map[string]assess.Rating{}
	num := func(v string) int {
		if v == "" {
			return 0
		}
		n, err := strconv.Atoi(v)
		if err != nil {
			return -1
		}
		return n
	}
	for _, e := range f.Rateable() {
		rk, ik, ek := assess.FieldFor(e.Key, "rating"), assess.FieldFor(e.Key, "importance"), assess.FieldFor(e.Key, "evidence")
		_, hasR := form[rk]
		_, hasI := form[ik]
		_, hasE := form[ek]
		if !hasR && !hasI && !hasE {
			continue
		}
		out[e.Key] = assess.Rating{Rating: num(form.Get(rk)), Importance: num(form.Get(ik)), Evidence: form.Get(ek)}
	}
	return out
}

func (s *Server) saveAssessment(w http.ResponseWriter, r *http.Request) {
	if !s.parseForm(w, r) {
		return
	}
	a, f, ok := s.loadAssessment(w, r)
	if !ok {
		return
	}
	u := auth.UserFrom(r.Context())
	typed := ratingsFromForm(r.PostForm, f)
	submit := r.PostForm.Get("action") == "submit"
	evidence := map[string]string{}
	for key, rt := range typed {
		evidence[assess.FieldFor(key, "evidence")] = rt.Evidence
	}
	if errs := s.confidentiality(r, r.PostForm, evidence, "assessment:"+strconv.FormatInt(a.ID, 10)); errs.Any() {
		s.editAssessmentPage(w, r, http.StatusUnprocessableEntity, a, f, errs, typed)
		return
	}
	var err error
	if submit {
		err = s.assess.Submit(r.Context(), u.ID, a.ID, typed)
	} else {
		err = s.assess.SaveDraft(r.Context(), u.ID, a.ID, typed)
	}
	var errs valid.Errors
	switch {
	case errors.As(err, &errs):
		s.editAssessmentPage(w, r, http.StatusUnprocessableEntity, a, f, errs, typed)
		return
	case errors.Is(err, assess.ErrAlreadySubmitted):
		s.flash(r, "This assessment had already been submitted, so it was not changed.")
		http.Redirect(w, r, "/assessments/"+strconv.FormatInt(a.ID, 10), http.StatusSeeOther)
		return
	case err != nil:
		s.serverError(w, r, err)
		return
	}
	if submit {
		s.flash(r, "Your self-assessment has been submitted.")
		http.Redirect(w, r, "/gaps?framework="+a.FrameworkKey, http.StatusSeeOther)
		return
	}
	s.flash(r, "Your draft has been saved. Come back to it any time from Self-assessments.")
	http.Redirect(w, r, "/assessments/"+strconv.FormatInt(a.ID, 10)+"/edit", http.StatusSeeOther)
}

// autosaveAssessment is the htmx endpoint behind "drafts save as they go": it saves what is valid
// so far and answers with a one-line status for the page's live region.
func (s *Server) autosaveAssessment(w http.ResponseWriter, r *http.Request) {
	if !s.parseForm(w, r) {
		return
	}
	a, f, ok := s.loadAssessment(w, r)
	if !ok {
		return
	}
	typed := ratingsFromForm(r.PostForm, f)
	// Autosave never stores evidence the confidentiality check flags: that waits for the
	// person to press Save and confirm. The stored note is kept meanwhile.
	held := 0
	for key, rt := range typed {
		if len(privacy.Check(rt.Evidence)) > 0 {
			rt.Evidence = a.Ratings[key].Evidence
			typed[key] = rt
			held++
		}
	}
	err := s.assess.SaveDraft(r.Context(), auth.UserFrom(r.Context()).ID, a.ID, typed)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	var errs valid.Errors
	switch {
	case err == nil && held > 0:
		_, _ = w.Write([]byte("Ratings saved at " + time.Now().In(london).Format("15:04") + ". An evidence note that may identify a service user was not saved: press “Save and come back later” to check it."))
	case errors.As(err, &errs):
		w.WriteHeader(http.StatusOK) // htmx swaps only successful answers; the message says what is wrong
		_, _ = w.Write([]byte(html.EscapeString("Not saved: " + errs[0].Message)))
	case err != nil:
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte("Not saved. Use “Save and come back later”."))
	default:
		_, _ = w.Write([]byte("Draft saved at " + time.Now().In(london).Format("15:04") + "."))
	}
}

type compareData struct {
	Title         string
	Before, After *assess.Assessment
	Changes       []assess.Change
}

func (s *Server) compareAssessments(w http.ResponseWriter, r *http.Request) {
	u := auth.UserFrom(r.Context())
	before, err1 := strconv.ParseInt(r.URL.Query().Get("before"), 10, 64)
	after, err2 := strconv.ParseInt(r.URL.Query().Get("after"), 10, 64)
	if err1 != nil || err2 != nil {
		s.assessmentsPage(w, r, http.StatusUnprocessableEntity, valid.Errors{{Field: "before", Message: "Choose two assessments to compare"}})
		return
	}
	b, a, changes, err := s.assess.Compare(r.Context(), u.ID, before, after)
	var errs valid.Errors
	switch {
	case errors.Is(err, assess.ErrNotFound):
		s.notFound(w, r)
		return
	case errors.As(err, &errs):
		s.assessmentsPage(w, r, http.StatusUnprocessableEntity, errs)
		return
	case err != nil:
		s.serverError(w, r, err)
		return
	}
	f, err := s.assess.Framework(r.Context(), a)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "assessment-compare", view{Title: "Compare assessments", Data: compareData{Title: f.Title, Before: b, After: a, Changes: changes},
		Crumbs: []navLink{{Label: "Self-assessments", Href: "/assessments"}}})
}

type gapsData struct {
	Gaps         *assess.Gaps
	Problem      string
	NeedLevel    bool
	FrameworkKey string
	LevelName    string
	NextName     string
	Others       []framework.Summary
}

func (s *Server) gaps(w http.ResponseWriter, r *http.Request) {
	u := auth.UserFrom(r.Context())
	key := r.URL.Query().Get("framework")
	if key == "" {
		key = assess.DefaultFramework
	}
	fws, _, err := s.assessable(r)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	d := gapsData{FrameworkKey: key}
	for _, f := range fws {
		if f.Key != key {
			d.Others = append(d.Others, f)
		}
	}
	g, err := s.assess.Gaps(r.Context(), u, key)
	switch {
	case errors.Is(err, assess.ErrNoLevel):
		d.Problem, d.NeedLevel = "Record your career level first, so your ratings can be compared with what your level typically shows.", true
	case errors.Is(err, assess.ErrNotFound), errors.Is(err, framework.ErrNotFound):
		d.Problem = "Submit a self-assessment on this framework first: your gaps come from your latest ratings."
	case err != nil:
		s.serverError(w, r, err)
		return
	default:
		names := s.careerLevelNames(r)
		d.Gaps, d.LevelName, d.NextName = g, names[g.Level], names[g.NextLevel]
	}
	s.render(w, r, http.StatusOK, "gaps", view{Title: "Your gaps", Data: d})
}
