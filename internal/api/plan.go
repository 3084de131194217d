package api

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/pillars-ot/pillars/internal/auth"
	"github.com/pillars-ot/pillars/internal/plan"
)

// ---- Development plan ----

// GoalElementJSON is a framework element a goal develops.
type GoalElementJSON struct {
	Framework string `json:"framework"`
	Element   string `json:"element"`
	Title     string `json:"title"`
}

// ActionJSON is one step towards a goal.
type ActionJSON struct {
	ID      int64   `json:"id"`
	Goal    int64   `json:"goal"`
	Title   string  `json:"title"`
	Pathway string  `json:"pathway"`
	Status  string  `json:"status"`
	DueOn   *string `json:"due_on"`
}

// ProgressJSON is how far a goal's actions have got.
type ProgressJSON struct {
	Done    int `json:"done"`
	Total   int `json:"total"`
	Percent int `json:"percent"`
}

// GoalJSON is one SMART goal with its elements, actions and progress.
type GoalJSON struct {
	ID         int64             `json:"id"`
	Specific   string            `json:"specific"`
	Measurable string            `json:"measurable"`
	Achievable string            `json:"achievable"`
	Relevant   string            `json:"relevant"`
	DueOn      string            `json:"due_on"`
	ReviewOn   *string           `json:"review_on"`
	Status     string            `json:"status"`
	CreatedAt  string            `json:"created_at"`
	UpdatedAt  string            `json:"updated_at"`
	Elements   []GoalElementJSON `json:"elements"`
	Actions    []ActionJSON      `json:"actions"`
	Progress   ProgressJSON      `json:"progress"`
}

func actionJSON(x plan.Action) ActionJSON {
	return ActionJSON{ID: x.ID, Goal: x.GoalID, Title: x.Title, Pathway: x.Pathway, Status: x.Status, DueOn: optString(x.DueOn)}
}

func goalJSON(g *plan.Goal) GoalJSON {
	out := GoalJSON{ID: g.ID, Specific: g.Specific, Measurable: g.Measurable, Achievable: g.Achievable, Relevant: g.Relevant,
		DueOn: g.DueOn, ReviewOn: optString(g.ReviewOn), Status: g.Status, CreatedAt: stamp(g.CreatedAt), UpdatedAt: stamp(g.UpdatedAt),
		Elements: []GoalElementJSON{}, Actions: []ActionJSON{}}
	for _, e := range g.Elements {
		out.Elements = append(out.Elements, GoalElementJSON{e.Framework, e.Element, e.Title})
	}
	for _, x := range g.Actions {
		out.Actions = append(out.Actions, actionJSON(x))
	}
	out.Progress.Done, out.Progress.Total, out.Progress.Percent = g.Progress()
	return out
}

// goalBody is what a client sends for a goal.
type goalBody struct {
	Specific   string `json:"specific"`
	Measurable string `json:"measurable"`
	Achievable string `json:"achievable"`
	Relevant   string `json:"relevant"`
	DueOn      string `json:"due_on"`
	ReviewOn   string `json:"review_on"`
	Status     string `json:"status"`
	Elements   []struct {
		Framework string `json:"framework"`
		Element   string `json:"element"`
	} `json:"elements"`
}

func (b goalBody) input() plan.GoalInput {
	in := plan.GoalInput{Specific: b.Specific, Measurable: b.Measurable, Achievable: b.Achievable, Relevant: b.Relevant, DueOn: b.DueOn, ReviewOn: b.ReviewOn}
	for _, e := range b.Elements {
		in.Elements = append(in.Elements, plan.ElementRef{Framework: strings.TrimSpace(e.Framework), Element: strings.TrimSpace(e.Element)})
	}
	return in
}

// ListGoals answers GET /api/v1/plan/goals.
func (a *API) ListGoals(w http.ResponseWriter, r *http.Request) {
	goals, err := a.Plans.Goals(r.Context(), auth.UserFrom(r.Context()).ID)
	if err != nil {
		a.serverError(w, err)
		return
	}
	out := make([]GoalJSON, 0, len(goals))
	for i := range goals {
		out = append(out, goalJSON(&goals[i]))
	}
	WriteJSON(w, http.StatusOK, map[string]any{"goals": out})
}

// CreateGoal answers POST /api/v1/plan/goals.
func (a *API) CreateGoal(w http.ResponseWriter, r *http.Request) {
	var body goalBody
	if !decode(w, r, &body) {
		return
	}
	g, err := a.Plans.CreateGoal(r.Context(), auth.UserFrom(r.Context()).ID, body.input())
	if err != nil {
		a.fail(w, err, "goal", nil)
		return
	}
	WriteJSON(w, http.StatusCreated, goalJSON(g))
}

func (a *API) loadGoal(w http.ResponseWriter, r *http.Request) (*plan.Goal, bool) {
	id, ok := pathID(r)
	if !ok {
		notFound(w, "goal")
		return nil, false
	}
	g, err := a.Plans.Goal(r.Context(), auth.UserFrom(r.Context()).ID, id)
	if err != nil {
		a.fail(w, err, "goal", nil)
		return nil, false
	}
	return g, true
}

// GetGoal answers GET /api/v1/plan/goals/{id}.
func (a *API) GetGoal(w http.ResponseWriter, r *http.Request) {
	if g, ok := a.loadGoal(w, r); ok {
		WriteJSON(w, http.StatusOK, goalJSON(g))
	}
}

// UpdateGoal answers PUT /api/v1/plan/goals/{id}: the whole goal, with its status, is replaced.
func (a *API) UpdateGoal(w http.ResponseWriter, r *http.Request) {
	var body goalBody
	if !decode(w, r, &body) {
		return
	}
	g, ok := a.loadGoal(w, r)
	if !ok {
		return
	}
	g, err := a.Plans.UpdateGoal(r.Context(), g.UserID, g.ID, body.input(), body.Status)
	if err != nil {
		a.fail(w, err, "goal", nil)
		return
	}
	WriteJSON(w, http.StatusOK, goalJSON(g))
}

// AddAction answers POST /api/v1/plan/goals/{id}/actions.
func (a *API) AddAction(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Title   string `json:"title"`
		Pathway string `json:"pathway"`
		DueOn   string `json:"due_on"`
	}
	if !decode(w, r, &body) {
		return
	}
	g, ok := a.loadGoal(w, r)
	if !ok {
		return
	}
	x, err := a.Plans.AddAction(r.Context(), g.UserID, g.ID, plan.ActionInput{Title: body.Title, Pathway: body.Pathway, DueOn: body.DueOn})
	if err != nil {
		a.fail(w, err, "goal", func(f string) string {
			if f == "action_due_on" {
				return "due_on"
			}
			return f
		})
		return
	}
	WriteJSON(w, http.StatusCreated, actionJSON(*x))
}

// SetActionStatus answers PUT /api/v1/plan/actions/{id}.
func (a *API) SetActionStatus(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Status string `json:"status"`
	}
	if !decode(w, r, &body) {
		return
	}
	id, ok := pathID(r)
	if !ok {
		notFound(w, "action")
		return
	}
	u := auth.UserFrom(r.Context())
	if err := a.Plans.SetActionStatus(r.Context(), u.ID, id, body.Status); err != nil {
		a.fail(w, err, "action", nil)
		return
	}
	goals, err := a.Plans.Goals(r.Context(), u.ID)
	if err != nil {
		a.serverError(w, err)
		return
	}
	for _, g := range goals {
		for _, x := range g.Actions {
			if x.ID == id {
				WriteJSON(w, http.StatusOK, actionJSON(x))
				return
			}
		}
	}
	notFound(w, "action")
}

// ShareJSON is one person the plan is shared with, now or in the past.
type ShareJSON struct {
	ID          int64   `json:"id"`
	ViewerName  string  `json:"viewer_name"`
	ViewerEmail string  `json:"viewer_email"`
	Active      bool    `json:"active"`
	CreatedAt   string  `json:"created_at"`
	RevokedAt   *string `json:"revoked_at"`
}

func shareJSON(x plan.Share) ShareJSON {
	return ShareJSON{ID: x.ID, ViewerName: x.ViewerName, ViewerEmail: x.ViewerEmail, Active: x.RevokedAt == nil, CreatedAt: stamp(x.CreatedAt), RevokedAt: stampPtr(x.RevokedAt)}
}

// activeShare finds the current share with a viewer, by email.
func activeShare(shares []plan.Share, email string) *plan.Share {
	for i := range shares {
		if shares[i].RevokedAt == nil && shares[i].ViewerEmail == email {
			return &shares[i]
		}
	}
	return nil
}

// ListShares answers GET /api/v1/plan/shares.
func (a *API) ListShares(w http.ResponseWriter, r *http.Request) {
	shares, err := a.Plans.Shares(r.Context(), auth.UserFrom(r.Context()).ID)
	if err != nil {
		a.serverError(w, err)
		return
	}
	out := make([]ShareJSON, 0, len(shares))
	for _, x := range shares {
		out = append(out, shareJSON(x))
	}
	WriteJSON(w, http.StatusOK, map[string]any{"shares": out})
}

// SharePlan answers POST /api/v1/plan/shares: 201 with the new share, or 200 when the plan was
// already shared with that person.
func (a *API) SharePlan(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Email string `json:"email"`
	}
	if !decode(w, r, &body) {
		return
	}
	u := auth.UserFrom(r.Context())
	email := auth.NormaliseEmail(body.Email)
	before, err := a.Plans.Shares(r.Context(), u.ID)
	if err != nil {
		a.serverError(w, err)
		return
	}
	if err := a.Plans.ShareWith(r.Context(), u, email, a.Accounts); err != nil {
		a.fail(w, err, "", func(f string) string {
			if f == "viewer" {
				return "email"
			}
			return f
		})
		return
	}
	after, err := a.Plans.Shares(r.Context(), u.ID)
	if err != nil {
		a.serverError(w, err)
		return
	}
	x := activeShare(after, email)
	if x == nil {
		a.serverError(w, fmt.Errorf("api: share with %q not found after sharing", email))
		return
	}
	status := http.StatusCreated
	if activeShare(before, email) != nil {
		status = http.StatusOK
	}
	WriteJSON(w, status, shareJSON(*x))
}

// RevokeShare answers DELETE /api/v1/plan/shares/{id}: 204, and the viewer can no longer see
// the plan. A share already revoked is not found.
func (a *API) RevokeShare(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		notFound(w, "current share")
		return
	}
	if err := a.Plans.Revoke(r.Context(), auth.UserFrom(r.Context()).ID, id); err != nil {
		a.fail(w, err, "current share", nil)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusNoContent)
}
