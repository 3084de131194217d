package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/pillars-ot/pillars/internal/assess"
	"github.com/pillars-ot/pillars/internal/auth"
	"github.com/pillars-ot/pillars/internal/framework"
	"github.com/pillars-ot/pillars/internal/plan"
	"github.com/pillars-ot/pillars/internal/valid"
)

type planData struct {
	Own           bool
	OwnerName     string
	Goals         []plan.Goal
	Shares        []plan.Share
	Comments      []plan.Comment
	CommentAction string
	Pathways      []string
	Statuses      []string
}

func (s *Server) loadPlan(r *http.Request, ownerID int64, own bool) (*planData, error) {
	d := &planData{Own: own, Pathways: plan.Pathways, Statuses: plan.ActionStatuses, CommentAction: "/plans/" + strconv.FormatInt(ownerID, 10) + "/comments"}
	var err error
	if d.Goals, err = s.plans.Goals(r.Context(), ownerID); err != nil {
		return nil, err
	}
	if d.Comments, err = s.plans.Comments(r.Context(), ownerID); err != nil {
		return nil, err
	}
	if own {
		d.CommentAction = "/plan/comments"
		if d.Shares, err = s.plans.Shares(r.Context(), ownerID); err != nil {
			return nil, err
		}
	}
	return d, nil
}

func (s *Server) planPage(w http.ResponseWriter, r *http.Request, status int, errs valid.Errors, form url.Values, print bool) {
	u := auth.UserFrom(r.Context())
	d, err := s.loadPlan(r, u.ID, true)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, status, "plan", view{Title: "Your development plan", Errors: errs, Form: form, Data: d, Print: print})
}

func (s *Server) planHome(w http.ResponseWriter, r *http.Request) {
	s.planPage(w, r, http.StatusOK, nil, nil, false)
}
func (s *Server) planPrint(w http.ResponseWriter, r *http.Request) {
	s.planPage(w, r, http.StatusOK, nil, nil, true)
}

type elementOption struct {
	Value   string // framework:element
	Label   string
	Checked bool
}

type elementGroup struct {
	Title   string
	Options []elementOption
}

type textField struct{ Name, Label, Hint string }

type goalFormData struct {
	GoalID        int64
	TextFields    []textField
	ElementGroups []elementGroup
	Statuses      []string
}

var goalTextFields = []textField{
	{"specific", "Specific: what will you achieve?", "For example: lead the weekly multidisciplinary huddle"},
	{"measurable", "Measurable: how will you know? (optional)", "For example: six huddles led, with feedback from two colleagues"},
	{"achievable", "Achievable: what makes it possible? (optional)", "Time, support or opportunities you have"},
	{"relevant", "Relevant: why does it matter to you? (optional)", "How it links to your role or your next career step"},
}

func (s *Server) goalForm(w http.ResponseWriter, r *http.Request, status int, goalID int64, form url.Values, errs valid.Errors) {
	fws, _, err := s.assessable(r)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	chosen := map[string]bool{}
	for _, v := range form["elements"] {
		chosen[v] = true
	}
	d := goalFormData{GoalID: goalID, TextFields: goalTextFields, Statuses: []string{"active", "achieved", "dropped"}}
	for _, sum := range fws {
		f, _, err := s.frameworks.Get(r.Context(), sum.Key, "")
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		g := elementGroup{Title: f.Title}
		for _, e := range f.Rateable() {
			v := f.Key + ":" + e.Key
			g.Options = append(g.Options, elementOption{Value: v, Label: e.Title, Checked: chosen[v]})
		}
		d.ElementGroups = append(d.ElementGroups, g)
	}
	title := "Add a goal"
	if goalID > 0 {
		title = "Edit a goal"
	}
	s.render(w, r, status, "goal-form", view{Title: title, Errors: errs, Form: form, Data: d, Crumbs: []navLink{{Label: "Your development plan", Href: "/plan"}}})
}

func goalInput(form url.Values) plan.GoalInput {
	in := plan.GoalInput{Specific: form.Get("specific"), Measurable: form.Get("measurable"), Achievable: form.Get("achievable"),
		Relevant: form.Get("relevant"), DueOn: form.Get("due_on"), ReviewOn: form.Get("review_on")}
	for _, v := range form["elements"] {
		fw, el, _ := strings.Cut(v, ":")
		in.Elements = append(in.Elements, plan.ElementRef{Framework: fw, Element: el})
	}
	return in
}

func (s *Server) newGoal(w http.ResponseWriter, r *http.Request) {
	form := url.Values{}
	if el := r.URL.Query().Get("element"); el != "" {
		form.Set("elements", el)
	}
	s.goalForm(w, r, http.StatusOK, 0, form, nil)
}

func (s *Server) createGoal(w http.ResponseWriter, r *http.Request) {
	if !s.parseForm(w, r) {
		return
	}
	g, err := s.plans.CreateGoal(r.Context(), auth.UserFrom(r.Context()).ID, goalInput(r.PostForm))
	var errs valid.Errors
	if errors.As(err, &errs) {
		s.goalForm(w, r, http.StatusUnprocessableEntity, 0, r.PostForm, errs)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.flash(r, "Goal added. Now add the actions that will get you there.")
	http.Redirect(w, r, "/plan#goal-"+strconv.FormatInt(g.ID, 10), http.StatusSeeOther)
}

func (s *Server) loadGoal(w http.ResponseWriter, r *http.Request) (*plan.Goal, bool) {
	id, ok := pathID(r, "id")
	if !ok {
		s.notFound(w, r)
		return nil, false
	}
	g, err := s.plans.Goal(r.Context(), auth.UserFrom(r.Context()).ID, id)
	if s.failed(w, r, err, plan.ErrNotFound) {
		return nil, false
	}
	return g, true
}

func (s *Server) editGoal(w http.ResponseWriter, r *http.Request) {
	g, ok := s.loadGoal(w, r)
	if !ok {
		return
	}
	form := url.Values{"specific": {g.Specific}, "measurable": {g.Measurable}, "achievable": {g.Achievable}, "relevant": {g.Relevant},
		"due_on": {g.DueOn}, "review_on": {g.ReviewOn}, "status": {g.Status}}
	for _, e := range g.Elements {
		form.Add("elements", e.Framework+":"+e.Element)
	}
	s.goalForm(w, r, http.StatusOK, g.ID, form, nil)
}

func (s *Server) updateGoal(w http.ResponseWriter, r *http.Request) {
	if !s.parseForm(w, r) {
		return
	}
	g, ok := s.loadGoal(w, r)
	if !ok {
		return
	}
	_, err := s.plans.UpdateGoal(r.Context(), g.UserID, g.ID, goalInput(r.PostForm), r.PostForm.Get("status"))
	var errs valid.Errors
	if errors.As(err, &errs) {
		s.goalForm(w, r, http.StatusUnprocessableEntity, g.ID, r.PostForm, errs)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.flash(r, "Goal saved.")
	http.Redirect(w, r, "/plan#goal-"+strconv.FormatInt(g.ID, 10), http.StatusSeeOther)
}

func (s *Server) addAction(w http.ResponseWriter, r *http.Request) {
	if !s.parseForm(w, r) {
		return
	}
	g, ok := s.loadGoal(w, r)
	if !ok {
		return
	}
	_, err := s.plans.AddAction(r.Context(), g.UserID, g.ID, plan.ActionInput{Title: r.PostForm.Get("title"), Pathway: r.PostForm.Get("pathway"), DueOn: r.PostForm.Get("due_on")})
	var errs valid.Errors
	if errors.As(err, &errs) {
		form := r.PostForm
		form.Set("goal", strconv.FormatInt(g.ID, 10))
		// Point the error summary at this goal's own fields.
		for i := range errs {
			switch errs[i].Field {
			case "title", "pathway":
				errs[i].Field += "-" + strconv.FormatInt(g.ID, 10)
			case "action_due_on":
				errs[i].Field = "due-" + strconv.FormatInt(g.ID, 10)
			}
		}
		s.planPage(w, r, http.StatusUnprocessableEntity, errs, form, false)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.flash(r, "Action added.")
	http.Redirect(w, r, "/plan#goal-"+strconv.FormatInt(g.ID, 10), http.StatusSeeOther)
}

func (s *Server) setActionStatus(w http.ResponseWriter, r *http.Request) {
	if !s.parseForm(w, r) {
		return
	}
	id, ok := pathID(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	err := s.plans.SetActionStatus(r.Context(), auth.UserFrom(r.Context()).ID, id, r.PostForm.Get("status"))
	var errs valid.Errors
	switch {
	case errors.Is(err, plan.ErrNotFound):
		s.notFound(w, r)
	case errors.As(err, &errs):
		s.planPage(w, r, http.StatusUnprocessableEntity, errs, nil, false)
	case err != nil:
		s.serverError(w, r, err)
	default:
		s.flash(r, "Action updated.")
		http.Redirect(w, r, "/plan", http.StatusSeeOther)
	}
}

func (s *Server) goalFromGap(w http.ResponseWriter, r *http.Request) {
	if !s.parseForm(w, r) {
		return
	}
	u := auth.UserFrom(r.Context())
	key, el := r.PostForm.Get("framework"), r.PostForm.Get("element")
	g, err := s.assess.Gaps(r.Context(), u, key)
	if err != nil {
		if errors.Is(err, assess.ErrNoLevel) || errors.Is(err, assess.ErrNotFound) || errors.Is(err, framework.ErrNotFound) {
			http.Redirect(w, r, "/gaps?framework="+url.QueryEscape(key), http.StatusSeeOther)
			return
		}
		s.serverError(w, r, err)
		return
	}
	var row *assess.GapRow
	for i := range g.Rows {
		if g.Rows[i].Element.Key == el {
			row = &g.Rows[i]
		}
	}
	if row == nil || !row.HasCurrent {
		s.notFound(w, r)
		return
	}
	if row.Gap <= 0 && (g.NextLevel == 0 || row.NextGap <= 0) {
		s.flash(r, "You already meet the targets for "+row.Element.Title+", so there is no gap to turn into a goal. You can still add your own goal.")
		http.Redirect(w, r, "/gaps?framework="+url.QueryEscape(key), http.StatusSeeOther)
		return
	}
	// Aim at the person's own level; if they already meet it, at the next.
	target, level := row.Target, g.Level
	if row.Gap <= 0 && g.NextLevel > 0 {
		target, level = row.NextTarget, g.NextLevel
	}
	goal, err := s.plans.GoalFromGap(r.Context(), u, key, row.Element, row.Current, target, level, s.careerLevelNames(r)[level])
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.flash(r, "Goal added for "+row.Element.Title+". Edit its wording if you like, and add actions.")
	http.Redirect(w, r, "/plan#goal-"+strconv.FormatInt(goal.ID, 10), http.StatusSeeOther)
}

func (s *Server) sharePlan(w http.ResponseWriter, r *http.Request) {
	if !s.parseForm(w, r) {
		return
	}
	err := s.plans.ShareWith(r.Context(), auth.UserFrom(r.Context()), r.PostForm.Get("viewer"), s.accounts)
	var errs valid.Errors
	if errors.As(err, &errs) {
		s.planPage(w, r, http.StatusUnprocessableEntity, errs, r.PostForm, false)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.flash(r, "Your plan is shared. They can read it and comment, but not change it.")
	http.Redirect(w, r, "/plan#sharing", http.StatusSeeOther)
}

func (s *Server) revokeShare(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	err := s.plans.Revoke(r.Context(), auth.UserFrom(r.Context()).ID, id)
	if s.failed(w, r, err, plan.ErrNotFound) {
		return
	}
	s.flash(r, "You have stopped sharing your plan with them. They can no longer see it.")
	http.Redirect(w, r, "/plan#sharing", http.StatusSeeOther)
}

func (s *Server) commentOwnPlan(w http.ResponseWriter, r *http.Request) {
	s.comment(w, r, auth.UserFrom(r.Context()).ID)
}

func (s *Server) commentSharedPlan(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "owner")
	if !ok {
		s.notFound(w, r)
		return
	}
	s.comment(w, r, id)
}

func (s *Server) comment(w http.ResponseWriter, r *http.Request, ownerID int64) {
	if !s.parseForm(w, r) {
		return
	}
	u := auth.UserFrom(r.Context())
	ok, err := s.plans.CanView(r.Context(), u, ownerID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if !ok {
		s.notFound(w, r)
		return
	}
	body := r.PostForm.Get("body")
	errs := s.confidentiality(r, r.PostForm, map[string]string{"body": body}, "plan:"+strconv.FormatInt(ownerID, 10))
	if !errs.Any() {
		err = s.plans.AddComment(r.Context(), u, ownerID, 0, body)
		if !errors.As(err, &errs) && err != nil {
			if errors.Is(err, plan.ErrNotFound) {
				s.notFound(w, r)
			} else {
				s.serverError(w, r, err)
			}
			return
		}
	}
	if errs.Any() {
		if ownerID == u.ID {
			s.planPage(w, r, http.StatusUnprocessableEntity, errs, r.PostForm, false)
		} else {
			s.sharedPlanPage(w, r, http.StatusUnprocessableEntity, ownerID, errs, r.PostForm)
		}
		return
	}
	s.flash(r, "Comment added.")
	if ownerID == u.ID {
		http.Redirect(w, r, "/plan", http.StatusSeeOther)
	} else {
		http.Redirect(w, r, "/plans/"+strconv.FormatInt(ownerID, 10), http.StatusSeeOther)
	}
}

func (s *Server) plansSharedWithMe(w http.ResponseWriter, r *http.Request) {
	owners, err := s.plans.SharedWith(r.Context(), auth.UserFrom(r.Context()).ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "plans-shared", view{Title: "Plans shared with you", Data: owners})
}

func (s *Server) sharedPlanPage(w http.ResponseWriter, r *http.Request, status int, ownerID int64, errs valid.Errors, form url.Values) {
	u := auth.UserFrom(r.Context())
	if ownerID == u.ID {
		http.Redirect(w, r, "/plan", http.StatusSeeOther)
		return
	}
	ok, err := s.plans.CanView(r.Context(), u, ownerID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if !ok {
		s.notFound(w, r) // not shared with you reads exactly like no such plan
		return
	}
	owner, err := s.accounts.UserByID(r.Context(), ownerID)
	if err != nil {
		s.notFound(w, r)
		return
	}
	d, err := s.loadPlan(r, ownerID, false)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	d.OwnerName = owner.Name
	s.render(w, r, status, "plan-shared", view{Title: owner.Name + "'s development plan", Data: d, Errors: errs, Form: form,
		Crumbs: []navLink{{Label: "Plans shared with you", Href: "/plans"}}})
}

func (s *Server) sharedPlan(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "owner")
	if !ok {
		s.notFound(w, r)
		return
	}
	s.sharedPlanPage(w, r, http.StatusOK, id, nil, nil)
}

type challengeView struct {
	Key, Title, Nature, Strategy string
	Chosen                       bool
	Suggestions                  []plan.Suggestion
}

type challengesData struct {
	Challenges []challengeView
	Chosen     []string
	Goals      []plan.Goal
}

func (s *Server) challengesPage(w http.ResponseWriter, r *http.Request, status int, chosen []string, errs valid.Errors) {
	f, _, err := s.frameworks.Get(r.Context(), assess.DefaultFramework, "")
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	sugg, err := plan.Suggestions()
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	pick := map[string]bool{}
	for _, c := range chosen {
		pick[c] = true
	}
	d := challengesData{Chosen: chosen}
	if group := f.Element("challenges"); group != nil {
		for _, c := range group.Children {
			cv := challengeView{Key: c.Key, Title: c.Title, Chosen: pick[c.Key], Suggestions: sugg[c.Key]}
			for _, a := range c.Attributes {
				switch strings.ToLower(a.Label) {
				case "nature":
					cv.Nature = a.Text
				case "navigation strategy":
					cv.Strategy = a.Text
				}
			}
			d.Challenges = append(d.Challenges, cv)
		}
	}
	goals, err := s.plans.Goals(r.Context(), auth.UserFrom(r.Context()).ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	for _, g := range goals {
		if g.Status == "active" {
			d.Goals = append(d.Goals, g)
		}
	}
	s.render(w, r, status, "challenges", view{Title: "Leadership challenges", Errors: errs, Data: d, Crumbs: []navLink{{Label: "Your development plan", Href: "/plan"}}})
}

func (s *Server) challenges(w http.ResponseWriter, r *http.Request) {
	s.challengesPage(w, r, http.StatusOK, r.URL.Query()["challenge"], nil)
}

func (s *Server) addChallengeAction(w http.ResponseWriter, r *http.Request) {
	if !s.parseForm(w, r) {
		return
	}
	sugg, err := plan.Suggestions()
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	list := sugg[r.PostForm.Get("challenge")]
	i, err := strconv.Atoi(r.PostForm.Get("index"))
	goalID, gerr := strconv.ParseInt(r.PostForm.Get("goal"), 10, 64)
	if err != nil || i < 0 || i >= len(list) || gerr != nil {
		s.challengesPage(w, r, http.StatusUnprocessableEntity, r.PostForm["chosen"], valid.Errors{{Field: "challenge", Message: "Choose a suggestion and a goal to add it to"}})
		return
	}
	_, err = s.plans.AddAction(r.Context(), auth.UserFrom(r.Context()).ID, goalID, plan.ActionInput{Title: list[i].Title, Pathway: list[i].Pathway})
	if s.failed(w, r, err, plan.ErrNotFound) {
		return
	}
	s.flash(r, "Added to your plan: "+list[i].Title)
	q := url.Values{"challenge": r.PostForm["chosen"]}
	http.Redirect(w, r, "/plan/challenges?"+q.Encode(), http.StatusSeeOther)
}
