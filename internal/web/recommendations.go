package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pillars-ot/pillars/internal/assess"
	"github.com/pillars-ot/pillars/internal/auth"
	"github.com/pillars-ot/pillars/internal/directory"
	"github.com/pillars-ot/pillars/internal/framework"
	"github.com/pillars-ot/pillars/internal/mentoring"
	"github.com/pillars-ot/pillars/internal/plan"
	"github.com/pillars-ot/pillars/internal/valid"
)

// maxPicks is how many elements a person without an assessment may choose.
const maxPicks = 3

type recommendationsData struct {
	FromGaps     bool   // the gaps come from the person's assessment
	Source       string // where the gaps came from, when they did
	FrameworkKey string
	Elements     []elementGroup
	Picks        []string // the chosen elements, one per choice box
	Formats      []option
	Asked        bool // there was something to rank
	Items        []directory.Recommendation
	Mentors      []mentorRecommendation
}

// profileGaps turns the person's measured gaps into the ranking's gaps: their own level's
// first; when they meet all of those, the next level's.
func profileGaps(g *assess.Gaps) []directory.Gap {
	var own, next []directory.Gap
	for _, row := range g.Rows {
		if !row.HasCurrent {
			continue
		}
		ref := directory.Gap{Framework: g.Framework.Key, Element: row.Element.Key, Title: row.Element.Title}
		if row.Gap > 0 {
			ref.Size = row.Gap
			own = append(own, ref)
		} else if g.NextLevel > 0 && row.NextGap > 0 {
			ref.Size = row.NextGap
			next = append(next, ref)
		}
	}
	if len(own) > 0 {
		return own
	}
	slices.SortStableFunc(next, func(a, b directory.Gap) int {
		switch {
		case a.Size > b.Size:
			return -1
		case a.Size < b.Size:
			return 1
		}
		return 0
	})
	return next
}

// elementRef checks "framework:element" against the frameworks on this site and returns its title.
func (s *Server) elementRef(ctx context.Context, ref string) (fw, el, title string, ok bool) {
	fw, el, ok = directory.SplitRef(ref)
	if !ok {
		return "", "", "", false
	}
	f, _, err := s.frameworks.Get(ctx, fw, "")
	if err != nil || f.Element(el) == nil {
		return "", "", "", false
	}
	return fw, el, f.Element(el).Title, true
}

func (s *Server) recommendations(w http.ResponseWriter, r *http.Request) {
	u := auth.UserFrom(r.Context())
	q := r.URL.Query()
	key := q.Get("framework")
	if key == "" {
		key = assess.DefaultFramework
	}
	d := &recommendationsData{FrameworkKey: key, Formats: directoryFormats}
	p := directory.Profile{Level: u.CareerLevel, BudgetPence: -1, Region: strings.TrimSpace(q.Get("region"))}
	var errs valid.Errors

	g, err := s.assess.Gaps(r.Context(), u, key)
	switch {
	case err == nil:
		p.Gaps = profileGaps(g)
		d.FromGaps, d.Source = len(p.Gaps) > 0, g.Source
	case errors.Is(err, assess.ErrNoLevel), errors.Is(err, assess.ErrNotFound), errors.Is(err, framework.ErrNotFound):
	default:
		s.serverError(w, r, err)
		return
	}
	if !d.FromGaps {
		p.Picked = true
		seen := map[string]bool{}
		for _, ref := range q["element"] {
			if strings.TrimSpace(ref) == "" || seen[ref] {
				continue
			}
			fw, el, title, ok := s.elementRef(r.Context(), ref)
			if !ok {
				errs.Add("element-1", "Choose elements from the lists")
				continue
			}
			seen[ref] = true
			d.Picks = append(d.Picks, ref)
			p.Gaps = append(p.Gaps, directory.Gap{Framework: fw, Element: el, Title: title, Size: float64(maxPicks + 1 - len(p.Gaps))})
			if len(p.Gaps) == maxPicks {
				break
			}
		}
		for len(d.Picks) < maxPicks {
			d.Picks = append(d.Picks, "")
		}
		d.Elements = s.directoryElements(r)
	}

	switch q.Get("budget") {
	case "", "any":
	case "free":
		p.BudgetPence = 0
	case "max":
		pounds, err := strconv.Atoi(strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(q.Get("max")), "£")))
		if err != nil || pounds < 1 || pounds > 100000 {
			errs.Add("max", "Enter the most you would pay in whole pounds, like 500")
		} else {
			p.BudgetPence = pounds * 100
		}
	default:
		errs.Add("budget", "Choose free only, up to an amount, or no limit")
	}
	switch f := q.Get("format"); f {
	case "":
	case "online", "blended", "in-person":
		p.Formats = []string{f}
	default:
		errs.Add("format", "Choose online, blended or in person")
	}
	if len([]rune(p.Region)) > 100 {
		errs.Add("region", "Enter a region of 100 characters or fewer")
	}

	status := http.StatusOK
	if errs.Any() {
		status = http.StatusUnprocessableEntity
	} else if len(p.Gaps) > 0 {
		d.Asked = true
		// Courses and mentors are ranked side by side: the two read different tables, and on
		// two cores the page waits for the slower rather than for both.
		var mentorsErr error
		done := make(chan struct{})
		go func() {
			defer close(done)
			d.Mentors, mentorsErr = s.recommendMentors(r, u, p)
		}()
		d.Items, err = s.directory.Recommendations(r.Context(), p, 20)
		<-done
		if err == nil {
			err = mentorsErr
		}
		if err != nil {
			s.serverError(w, r, err)
			return
		}
	}
	s.render(w, r, status, "recommendations", view{Title: "Recommended for you", Errors: errs, Form: q, Data: d})
}

// addRecommendation adds a recommendation ("Do <course>", "Read <resource>", "Ask <mentor> to
// mentor me") to the person's active goal for the element, making the goal first when there is
// none. The same action twice is added once.
func (s *Server) addRecommendation(w http.ResponseWriter, r *http.Request) {
	if !s.parseForm(w, r) {
		return
	}
	ctx := r.Context()
	u := auth.UserFrom(ctx)
	ref := r.PostForm.Get("element")
	fw, el, elTitle, ok := s.elementRef(ctx, ref)
	if !ok {
		s.notFound(w, r)
		return
	}
	title, pathway, found, err := s.recommendedAction(r, ref)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if !found {
		s.notFound(w, r)
		return
	}

	goals, err := s.plans.Goals(ctx, u.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	var goal *plan.Goal
	for i := range goals {
		if goals[i].Status == "active" && slices.ContainsFunc(goals[i].Elements, func(e plan.ElementRef) bool { return e.Framework == fw && e.Element == el }) {
			goal = &goals[i]
			break
		}
	}
	if goal != nil && slices.ContainsFunc(goal.Actions, func(a plan.Action) bool { return a.Title == title }) {
		s.flash(r, fmt.Sprintf("%q is already in your plan, under your goal for %s.", title, elTitle))
		http.Redirect(w, r, "/plan#goal-"+strconv.FormatInt(goal.ID, 10), http.StatusSeeOther)
		return
	}
	if goal == nil {
		if goal, err = s.goalForElement(r, u, fw, el, elTitle); err != nil {
			s.serverError(w, r, err)
			return
		}
	}
	if _, err := s.plans.AddAction(ctx, u.ID, goal.ID, plan.ActionInput{Title: title, Pathway: pathway}); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.flash(r, fmt.Sprintf("Added %q to your goal for %s.", title, elTitle))
	http.Redirect(w, r, "/plan#goal-"+strconv.FormatInt(goal.ID, 10), http.StatusSeeOther)
}

// recommendedAction is the plan action for a recommended course or resource ("item") or mentor
// ("mentor") that develops element ref: "Do <course>" or "Read <resource>" by formal
// development, "Ask <name> to mentor me" by mentoring, "Ask <name> to coach me" by coaching.
// found is false for anything that is not a listed recommendation for that element.
func (s *Server) recommendedAction(r *http.Request, ref string) (title, pathway string, found bool, err error) {
	ctx := r.Context()
	if raw := r.PostForm.Get("mentor"); raw != "" {
		id, perr := strconv.ParseInt(raw, 10, 64)
		if perr != nil {
			return "", "", false, nil
		}
		l, err := s.mentoring.Mentor(ctx, id)
		if errors.Is(err, mentoring.ErrNotFound) || (err == nil && (!l.Listed || !slices.Contains(l.Elements, ref) || l.UserID == auth.UserFrom(ctx).ID)) {
			return "", "", false, nil
		} else if err != nil {
			return "", "", false, err
		}
		if l.Kind == "coach" {
			return "Ask " + l.Name + " to coach me", "coaching", true, nil
		}
		return "Ask " + l.Name + " to mentor me", "mentoring", true, nil
	}
	id, perr := strconv.ParseInt(r.PostForm.Get("item"), 10, 64)
	if perr != nil {
		return "", "", false, nil
	}
	item, err := s.directory.Get(ctx, id)
	if errors.Is(err, directory.ErrNotFound) {
		return "", "", false, nil
	} else if err != nil {
		return "", "", false, err
	}
	if (item.Group != directory.GroupCourses && item.Group != directory.GroupResources) || !slices.Contains(item.Elements, ref) {
		return "", "", false, nil
	}
	if item.Group == directory.GroupResources {
		return "Read " + item.Title, "formal-development", true, nil
	}
	return "Do " + item.Title, "formal-development", true, nil
}

// goalForElement makes a goal for an element: from the person's measured gap when there is one
// (as "Make a goal" on the gaps page does), otherwise a goal to develop the element they chose.
func (s *Server) goalForElement(r *http.Request, u *auth.User, fw, el, elTitle string) (*plan.Goal, error) {
	ctx := r.Context()
	g, err := s.assess.Gaps(ctx, u, fw)
	if err == nil {
		for _, row := range g.Rows {
			if row.Element.Key != el || !row.HasCurrent {
				continue
			}
			target, level := row.Target, g.Level
			if row.Gap <= 0 && g.NextLevel > 0 && row.NextGap > 0 {
				target, level = row.NextTarget, g.NextLevel
			}
			if float64(target) > row.Current {
				return s.plans.GoalFromGap(ctx, u, fw, row.Element, row.Current, target, level, s.careerLevelNames(r)[level])
			}
		}
	} else if !errors.Is(err, assess.ErrNoLevel) && !errors.Is(err, assess.ErrNotFound) && !errors.Is(err, framework.ErrNotFound) {
		return nil, err
	}
	today, _ := time.Parse(time.DateOnly, plan.Today(time.Now()))
	return s.plans.CreateGoal(ctx, u.ID, plan.GoalInput{
		Specific:   "Develop my " + elTitle + " through formal development",
		Measurable: "I can give an example of using what I learned about " + elTitle + " in practice, recorded in my CPD portfolio",
		Achievable: "Through the actions below, reviewed with my supervisor or mentor",
		Relevant:   elTitle + " is an element I chose to develop",
		DueOn:      today.AddDate(0, 6, 0).Format(time.DateOnly),
		ReviewOn:   today.AddDate(0, 3, 0).Format(time.DateOnly),
		Elements:   []plan.ElementRef{{Framework: fw, Element: el}},
	})
}
