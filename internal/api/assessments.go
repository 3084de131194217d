package api

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/pillars-ot/pillars/internal/assess"
	"github.com/pillars-ot/pillars/internal/auth"
	"github.com/pillars-ot/pillars/internal/framework"
	"github.com/pillars-ot/pillars/internal/privacy"
	"github.com/pillars-ot/pillars/internal/valid"
)

// ---- Self-assessments ----

// AssessmentSummaryJSON is one assessment in the person's history.
type AssessmentSummaryJSON struct {
	ID          int64   `json:"id"`
	Framework   string  `json:"framework"`
	Status      string  `json:"status"`
	Rated       int     `json:"rated"`
	CreatedAt   string  `json:"created_at"`
	SubmittedAt *string `json:"submitted_at"`
}

// RatingJSON is one element's answer; null means not given.
type RatingJSON struct {
	Rating     *int   `json:"rating"`
	Importance *int   `json:"importance"`
	Evidence   string `json:"evidence"`
}

// AssessmentJSON is one assessment with its answers.
type AssessmentJSON struct {
	ID             int64                 `json:"id"`
	Framework      string                `json:"framework"`
	FrameworkTitle string                `json:"framework_title"`
	Version        string                `json:"version"`
	Status         string                `json:"status"`
	CreatedAt      string                `json:"created_at"`
	UpdatedAt      string                `json:"updated_at"`
	SubmittedAt    *string               `json:"submitted_at"`
	Elements       []ElementRefJSON      `json:"elements"`
	Ratings        map[string]RatingJSON `json:"ratings"`
}

func (a *API) assessmentJSON(r *http.Request, x *assess.Assessment) (AssessmentJSON, error) {
	f, err := a.Assess.Framework(r.Context(), x)
	if err != nil {
		return AssessmentJSON{}, err
	}
	out := AssessmentJSON{ID: x.ID, Framework: x.FrameworkKey, FrameworkTitle: f.Title, Version: f.Version, Status: x.Status,
		CreatedAt: stamp(x.CreatedAt), UpdatedAt: stamp(x.UpdatedAt), SubmittedAt: stampPtr(x.SubmittedAt),
		Elements: []ElementRefJSON{}, Ratings: map[string]RatingJSON{}}
	for _, e := range f.Rateable() {
		out.Elements = append(out.Elements, ElementRefJSON{e.Key, e.Title})
	}
	for k, v := range x.Ratings {
		out.Ratings[k] = RatingJSON{Rating: optInt(v.Rating), Importance: optInt(v.Importance), Evidence: v.Evidence}
	}
	return out, nil
}

// ListAssessments answers GET /api/v1/assessments.
func (a *API) ListAssessments(w http.ResponseWriter, r *http.Request) {
	hist, err := a.Assess.History(r.Context(), auth.UserFrom(r.Context()).ID)
	if err != nil {
		a.serverError(w, err)
		return
	}
	out := make([]AssessmentSummaryJSON, 0, len(hist))
	for _, h := range hist {
		out = append(out, AssessmentSummaryJSON{h.ID, h.FrameworkKey, h.Status, h.Rated, stamp(h.CreatedAt), stampPtr(h.SubmittedAt)})
	}
	WriteJSON(w, http.StatusOK, map[string]any{"assessments": out})
}

// StartAssessment answers POST /api/v1/assessments: 201 with a new draft, or 200 with the draft
// already under way for that framework.
func (a *API) StartAssessment(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Framework string `json:"framework"`
	}
	if !decode(w, r, &body) {
		return
	}
	body.Framework = strings.TrimSpace(body.Framework)
	if body.Framework == "" {
		Error(w, http.StatusUnprocessableEntity, "invalid", "Name the framework to assess yourself against.",
			[]valid.FieldError{{Field: "framework", Message: "Enter a framework key, like " + assess.DefaultFramework}})
		return
	}
	u := auth.UserFrom(r.Context())
	hist, err := a.Assess.History(r.Context(), u.ID)
	if err != nil {
		a.serverError(w, err)
		return
	}
	drafts := map[int64]bool{}
	for _, h := range hist {
		if h.Status == "draft" {
			drafts[h.ID] = true
		}
	}
	x, err := a.Assess.Start(r.Context(), u.ID, body.Framework)
	if err != nil {
		a.fail(w, err, "framework", nil)
		return
	}
	out, err := a.assessmentJSON(r, x)
	if err != nil {
		a.serverError(w, err)
		return
	}
	status := http.StatusCreated
	if drafts[x.ID] {
		status = http.StatusOK
	}
	WriteJSON(w, status, out)
}

func (a *API) loadAssessment(w http.ResponseWriter, r *http.Request) (*assess.Assessment, bool) {
	id, ok := pathID(r)
	if !ok {
		notFound(w, "assessment")
		return nil, false
	}
	x, err := a.Assess.Get(r.Context(), auth.UserFrom(r.Context()).ID, id)
	if err != nil {
		a.fail(w, err, "assessment", nil)
		return nil, false
	}
	return x, true
}

// GetAssessment answers GET /api/v1/assessments/{id}.
func (a *API) GetAssessment(w http.ResponseWriter, r *http.Request) {
	x, ok := a.loadAssessment(w, r)
	if !ok {
		return
	}
	out, err := a.assessmentJSON(r, x)
	if err != nil {
		a.serverError(w, err)
		return
	}
	WriteJSON(w, http.StatusOK, out)
}

// ratingFieldName turns the area's form field ("rating-influence") into the body's path
// ("ratings.influence.rating").
func ratingFieldName(f string) string {
	for _, part := range []string{"rating", "importance", "evidence"} {
		if key, ok := strings.CutPrefix(f, part+"-"); ok {
			return "ratings." + key + "." + part
		}
	}
	return f
}

// SaveRatings answers PUT /api/v1/assessments/{id}/ratings. Each part of an element's answer
// that is sent replaces what was saved; parts not sent stay as they were (send 0 or "" to clear).
// With submit, the assessment is fixed once every element has a rating.
func (a *API) SaveRatings(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Ratings map[string]struct {
			Rating     *int    `json:"rating"`
			Importance *int    `json:"importance"`
			Evidence   *string `json:"evidence"`
		} `json:"ratings"`
		Submit bool `json:"submit"`
		// CheckedConfidential confirms the person has checked evidence the confidentiality
		// check flagged, as the web form's "I have checked this" does.
		CheckedConfidential bool `json:"checked_confidential"`
	}
	if !decode(w, r, &body) {
		return
	}
	x, ok := a.loadAssessment(w, r)
	if !ok {
		return
	}
	if x.Submitted() {
		a.fail(w, assess.ErrAlreadySubmitted, "", nil)
		return
	}
	ratings := map[string]assess.Rating{}
	for k, in := range body.Ratings {
		v := x.Ratings[k]
		if in.Rating != nil {
			v.Rating = *in.Rating
		}
		if in.Importance != nil {
			v.Importance = *in.Importance
		}
		if in.Evidence != nil {
			v.Evidence = *in.Evidence
		}
		ratings[k] = v
	}
	// Check what will be stored: the evidence sent, and on submit the draft's evidence too.
	evidence := map[string]string{}
	if body.Submit {
		for k, v := range x.Ratings {
			evidence["ratings."+k+".evidence"] = v.Evidence
		}
	}
	for k, v := range ratings {
		evidence["ratings."+k+".evidence"] = v.Evidence
	}
	if errs, n := privacy.Problems(evidence); n > 0 && !body.CheckedConfidential {
		Error(w, http.StatusUnprocessableEntity, "possible_identifiers", "The evidence may identify a service user. Remove it, or send checked_confidential: true if you have checked it identifies no one. Nothing was saved.", errs)
		return
	}
	u := auth.UserFrom(r.Context())
	var err error
	if body.Submit {
		err = a.Assess.Submit(r.Context(), u.ID, x.ID, ratings)
	} else {
		err = a.Assess.SaveDraft(r.Context(), u.ID, x.ID, ratings)
	}
	if err != nil {
		a.fail(w, err, "assessment", ratingFieldName)
		return
	}
	a.GetAssessment(w, r)
}

// ChangeJSON is one element across two assessments.
type ChangeJSON struct {
	Element string `json:"element"`
	Title   string `json:"title"`
	Before  *int   `json:"before"`
	After   *int   `json:"after"`
	Delta   *int   `json:"delta"`
}

// CompareAssessments answers GET /api/v1/assessments/compare?before=ID&after=ID.
func (a *API) CompareAssessments(w http.ResponseWriter, r *http.Request) {
	var errs valid.Errors
	before, err := strconv.ParseInt(r.URL.Query().Get("before"), 10, 64)
	if err != nil {
		errs.Add("before", "Give the id of the earlier assessment")
	}
	after, err := strconv.ParseInt(r.URL.Query().Get("after"), 10, 64)
	if err != nil {
		errs.Add("after", "Give the id of the later assessment")
	}
	if errs.Any() {
		a.fail(w, errs, "", nil)
		return
	}
	u := auth.UserFrom(r.Context())
	b, aft, changes, err := a.Assess.Compare(r.Context(), u.ID, before, after)
	if err != nil {
		// The area names its one problem "b"; here it is about the pair, so it points at "after".
		a.fail(w, err, "assessment", func(f string) string {
			if f == "b" {
				return "after"
			}
			return f
		})
		return
	}
	f, err := a.Assess.Framework(r.Context(), aft)
	if err != nil {
		a.serverError(w, err)
		return
	}
	out := make([]ChangeJSON, 0, len(changes))
	for _, c := range changes {
		cj := ChangeJSON{Element: c.Element.Key, Title: c.Element.Title, Before: optInt(c.Before), After: optInt(c.After)}
		if c.Known {
			d := c.Delta
			cj.Delta = &d
		}
		out = append(out, cj)
	}
	WriteJSON(w, http.StatusOK, map[string]any{
		"framework": f.Key, "version": f.Version,
		"before":  AssessmentSummaryJSON{ID: b.ID, Framework: b.FrameworkKey, Status: b.Status, Rated: rated(b), CreatedAt: stamp(b.CreatedAt), SubmittedAt: stampPtr(b.SubmittedAt)},
		"after":   AssessmentSummaryJSON{ID: aft.ID, Framework: aft.FrameworkKey, Status: aft.Status, Rated: rated(aft), CreatedAt: stamp(aft.CreatedAt), SubmittedAt: stampPtr(aft.SubmittedAt)},
		"changes": out,
	})
}

func rated(x *assess.Assessment) int {
	n := 0
	for _, v := range x.Ratings {
		if v.Rating != 0 {
			n++
		}
	}
	return n
}

// ---- Gaps ----

// GapJSON is one element's gap. Figures are null when there is nothing to compare.
type GapJSON struct {
	Element    string   `json:"element"`
	Title      string   `json:"title"`
	Current    *float64 `json:"current"`
	Target     *int     `json:"target"`
	Gap        *float64 `json:"gap"`
	NextTarget *int     `json:"next_target"`
	NextGap    *float64 `json:"next_gap"`
}

// GapsJSON is the person's ranked gaps on one framework.
type GapsJSON struct {
	Framework     string    `json:"framework"`
	Version       string    `json:"version"`
	Level         int       `json:"level"`
	LevelName     string    `json:"level_name"`
	NextLevel     *int      `json:"next_level"`
	NextLevelName string    `json:"next_level_name,omitempty"`
	Source        string    `json:"source"`
	SourceDate    string    `json:"source_date"`
	SourceRound   *int64    `json:"source_round"`
	Gaps          []GapJSON `json:"gaps"`
}

// Gaps answers GET /api/v1/gaps?framework=KEY.
func (a *API) Gaps(w http.ResponseWriter, r *http.Request) {
	key := r.URL.Query().Get("framework")
	if key == "" {
		key = assess.DefaultFramework
	}
	g, err := a.Assess.Gaps(r.Context(), auth.UserFrom(r.Context()), key)
	if errors.Is(err, assess.ErrNotFound) || errors.Is(err, framework.ErrNotFound) {
		Error(w, http.StatusNotFound, "not_found", "You have no submitted self-assessment on that framework: your gaps come from your latest ratings.", nil)
		return
	}
	if err != nil {
		a.fail(w, err, "", nil)
		return
	}
	out := GapsJSON{Framework: g.Framework.Key, Version: g.Framework.Version, Level: g.Level, Source: g.Source, SourceDate: stamp(g.SourceDate), Gaps: []GapJSON{}}
	if lf, _, err := a.Frameworks.Get(r.Context(), levelFramework, ""); err == nil {
		if names, err := a.Frameworks.LevelNames(r.Context(), levelFramework, lf); err == nil {
			out.LevelName, out.NextLevelName = names[g.Level], names[g.NextLevel]
		}
	}
	if g.NextLevel > 0 {
		n := g.NextLevel
		out.NextLevel = &n
	}
	if g.SourceRound > 0 {
		id := g.SourceRound
		out.SourceRound = &id
	}
	for _, row := range g.Rows {
		gj := GapJSON{Element: row.Element.Key, Title: row.Element.Title, Target: optInt(row.Target), NextTarget: optInt(row.NextTarget)}
		if row.HasCurrent {
			cur := row.Current
			gj.Current = &cur
			if row.Target > 0 {
				v := row.Gap
				gj.Gap = &v
			}
			if row.NextTarget > 0 {
				v := row.NextGap
				gj.NextGap = &v
			}
		}
		out.Gaps = append(out.Gaps, gj)
	}
	WriteJSON(w, http.StatusOK, out)
}
