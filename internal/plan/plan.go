// Package plan owns a person's development plan: SMART goals linked to framework elements,
// actions typed by the OT leadership framework's development pathways, review reminders, and
// sharing with a named supervisor or mentor who may comment. A plan belongs to its owner: every
// read goes through CanView, and another person's goal answers ErrNotFound.
package plan

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"strings"
	"time"
	_ "time/tzdata" // "today" is a UK date, wherever the server runs
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/pillars-ot/pillars/internal/auth"
	"github.com/pillars-ot/pillars/internal/framework"
	"github.com/pillars-ot/pillars/internal/store"
	"github.com/pillars-ot/pillars/internal/valid"
)

// ErrNotFound means no such goal, action or share for this person.
var ErrNotFound = errors.New("plan: not found")

// Pathways are the seven development pathways of the OT leadership framework, in its order.
var Pathways = []string{"clinical-excellence", "progressive-responsibility", "formal-development", "mentoring", "coaching", "reflection", "professional-engagement"}

var pathwayLabels = map[string]string{
	"clinical-excellence": "Clinical excellence", "progressive-responsibility": "Progressive responsibility",
	"formal-development": "Formal development", "mentoring": "Mentoring", "coaching": "Coaching",
	"reflection": "Reflection", "professional-engagement": "Professional engagement",
}

// PathwayLabel names a pathway for people.
func PathwayLabel(p string) string { return pathwayLabels[p] }

// ActionStatuses are an action's states, in order.
var ActionStatuses = []string{"not-started", "in-progress", "done"}

var statusLabels = map[string]string{"not-started": "Not started", "in-progress": "In progress", "done": "Done",
	"active": "Active", "achieved": "Achieved", "dropped": "No longer pursuing"}

// StatusLabel names a goal or action status for people.
func StatusLabel(s string) string { return statusLabels[s] }

var london, _ = time.LoadLocation("Europe/London")

// Today is the current date in the UK, as YYYY-MM-DD.
func Today(now time.Time) string { return now.In(london).Format(time.DateOnly) }

// ElementRef names a framework element a goal develops.
type ElementRef struct {
	Framework string
	Element   string
	Title     string // filled when read
}

// Action is one step towards a goal.
type Action struct {
	ID      int64
	GoalID  int64
	Title   string
	Pathway string
	Status  string
	DueOn   string
}

// Goal is one SMART goal.
type Goal struct {
	ID         int64
	UserID     int64
	Specific   string
	Measurable string
	Achievable string
	Relevant   string
	DueOn      string
	ReviewOn   string
	Status     string
	CreatedAt  time.Time
	UpdatedAt  time.Time
	Elements   []ElementRef
	Actions    []Action
}

// Progress is the share of the goal's actions that are done, as a whole percentage.
func (g *Goal) Progress() (done, total, percent int) {
	total = len(g.Actions)
	for _, a := range g.Actions {
		if a.Status == "done" {
			done++
		}
	}
	if total > 0 {
		percent = done * 100 / total
	}
	if g.Status == "achieved" {
		percent = 100
	}
	return done, total, percent
}

// Service is the plan area.
type Service struct {
	db         *store.DB
	frameworks *framework.Catalogue
	now        func() time.Time
}

// NewService returns the plan area over db.
func NewService(db *store.DB, frameworks *framework.Catalogue) *Service {
	return &Service{db: db, frameworks: frameworks, now: store.Now}
}

// GoalInput is what a person types for a goal.
type GoalInput struct {
	Specific   string
	Measurable string
	Achievable string
	Relevant   string
	DueOn      string
	ReviewOn   string
	Elements   []ElementRef
}

const maxText = 1000

func (s *Service) checkDate(errs *valid.Errors, field, label, v string, required bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		if required {
			errs.Add(field, "Enter a "+label)
		}
		return
	}
	d, err := time.Parse(time.DateOnly, v)
	if err != nil || d.Year() < 2000 || d.Year() > 2100 {
		errs.Add(field, "The "+label+" must be a real date, like 2027-03-31")
		return
	}
	if v < Today(s.now()) {
		errs.Add(field, "The "+label+" must be today or in the future")
	}
}

func (s *Service) checkGoal(ctx context.Context, in *GoalInput) valid.Errors {
	var errs valid.Errors
	in.Specific, in.Measurable, in.Achievable, in.Relevant = strings.TrimSpace(in.Specific), strings.TrimSpace(in.Measurable), strings.TrimSpace(in.Achievable), strings.TrimSpace(in.Relevant)
	in.DueOn, in.ReviewOn = strings.TrimSpace(in.DueOn), strings.TrimSpace(in.ReviewOn)
	if in.Specific == "" {
		errs.Add("specific", "Say what you will achieve: the specific part of the goal")
	}
	for field, v := range map[string]string{"specific": in.Specific, "measurable": in.Measurable, "achievable": in.Achievable, "relevant": in.Relevant} {
		if utf8.RuneCountInString(v) > maxText {
			errs.Add(field, fmt.Sprintf("This must be %d characters or fewer", maxText))
		}
	}
	s.checkDate(&errs, "due_on", "due date", in.DueOn, true)
	s.checkDate(&errs, "review_on", "review date", in.ReviewOn, false)
	if in.ReviewOn != "" && in.DueOn != "" && in.ReviewOn > in.DueOn && errs.For("review_on") == "" {
		errs.Add("review_on", "The review date must be on or before the due date")
	}
	if len(in.Elements) == 0 {
		errs.Add("elements", "Choose at least one framework element this goal develops")
	}
	seen := map[ElementRef]bool{}
	var elems []ElementRef
	for _, e := range in.Elements {
		e.Title = ""
		if seen[e] {
			continue
		}
		seen[e] = true
		f, _, err := s.frameworks.Get(ctx, e.Framework, "")
		if err != nil || f.Element(e.Element) == nil {
			errs.Add("elements", fmt.Sprintf("%q is not an element of a framework on this site", e.Element))
			continue
		}
		elems = append(elems, e)
	}
	in.Elements = elems
	return errs
}

// CreateGoal checks and stores a goal.
func (s *Service) CreateGoal(ctx context.Context, ownerID int64, in GoalInput) (*Goal, error) {
	if errs := s.checkGoal(ctx, &in); errs.Any() {
		return nil, errs
	}
	var id int64
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		now := s.now()
		var err error
		id, err = tx.Insert(ctx, `INSERT INTO goals (user_id, specific, measurable, achievable, relevant, due_on, review_on, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'active', ?, ?)`,
			ownerID, in.Specific, in.Measurable, in.Achievable, in.Relevant, in.DueOn, in.ReviewOn, now, now)
		if err != nil {
			return fmt.Errorf("plan: create goal: %w", err)
		}
		return insertElements(ctx, tx, id, in.Elements)
	})
	if err != nil {
		return nil, err
	}
	return s.Goal(ctx, ownerID, id)
}

func insertElements(ctx context.Context, tx *store.Tx, goalID int64, elems []ElementRef) error {
	for _, e := range elems {
		if _, err := tx.Exec(ctx, `INSERT INTO goal_elements (goal_id, framework_key, element_key) VALUES (?, ?, ?)`, goalID, e.Framework, e.Element); err != nil {
			return err
		}
	}
	return nil
}

// UpdateGoal replaces a goal's text, dates, elements and status.
func (s *Service) UpdateGoal(ctx context.Context, ownerID, goalID int64, in GoalInput, status string) (*Goal, error) {
	g, err := s.Goal(ctx, ownerID, goalID)
	if err != nil {
		return nil, err
	}
	errs := s.checkGoal(ctx, &in)
	// A due date already in the past may be kept as it was: the goal may simply be overdue.
	if in.DueOn == g.DueOn && strings.Contains(errs.For("due_on"), "future") {
		errs = without(errs, "due_on")
	}
	if in.ReviewOn == g.ReviewOn && strings.Contains(errs.For("review_on"), "future") {
		errs = without(errs, "review_on")
	}
	if _, ok := statusLabels[status]; !ok || status == "not-started" || status == "in-progress" || status == "done" {
		errs.Add("status", "Choose whether the goal is active, achieved or no longer pursued")
	}
	if errs.Any() {
		return nil, errs
	}
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE goals SET specific = ?, measurable = ?, achievable = ?, relevant = ?, due_on = ?, review_on = ?, status = ?, updated_at = ? WHERE id = ? AND user_id = ?`,
			in.Specific, in.Measurable, in.Achievable, in.Relevant, in.DueOn, in.ReviewOn, status, s.now(), goalID, ownerID); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM goal_elements WHERE goal_id = ?`, goalID); err != nil {
			return err
		}
		return insertElements(ctx, tx, goalID, in.Elements)
	})
	if err != nil {
		return nil, err
	}
	return s.Goal(ctx, ownerID, goalID)
}

func without(errs valid.Errors, field string) valid.Errors {
	var out valid.Errors
	for _, e := range errs {
		if e.Field != field {
			out = append(out, e)
		}
	}
	return out
}

// Goal returns one of the owner's goals with its elements and actions.
func (s *Service) Goal(ctx context.Context, ownerID, id int64) (*Goal, error) {
	goals, err := s.goals(ctx, ownerID, id)
	if err != nil {
		return nil, err
	}
	if len(goals) == 0 {
		return nil, ErrNotFound
	}
	return &goals[0], nil
}

// Goals returns the owner's goals: active first, then by due date.
func (s *Service) Goals(ctx context.Context, ownerID int64) ([]Goal, error) {
	return s.goals(ctx, ownerID, 0)
}

func (s *Service) goals(ctx context.Context, ownerID, onlyID int64) ([]Goal, error) {
	q := `SELECT id, user_id, specific, measurable, achievable, relevant, due_on, review_on, status, created_at, updated_at FROM goals WHERE user_id = ?`
	args := []any{ownerID}
	if onlyID > 0 {
		q += ` AND id = ?`
		args = append(args, onlyID)
	}
	q += ` ORDER BY CASE status WHEN 'active' THEN 0 ELSE 1 END, due_on, id`
	rows, err := s.db.Query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	var out []Goal
	index := map[int64]int{}
	for rows.Next() {
		var g Goal
		if err := rows.Scan(&g.ID, &g.UserID, &g.Specific, &g.Measurable, &g.Achievable, &g.Relevant, &g.DueOn, &g.ReviewOn, &g.Status, &g.CreatedAt, &g.UpdatedAt); err != nil {
			rows.Close()
			return nil, err
		}
		index[g.ID] = len(out)
		out = append(out, g)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(out) == 0 {
		return out, err
	}
	// Elements and actions for all the goals in two queries, not two per goal.
	erows, err := s.db.Query(ctx, `SELECT e.goal_id, e.framework_key, e.element_key FROM goal_elements e JOIN goals g ON g.id = e.goal_id WHERE g.user_id = ? ORDER BY e.framework_key, e.element_key`, ownerID)
	if err != nil {
		return nil, err
	}
	type goalElement struct {
		goal int64
		ref  ElementRef
	}
	var elems []goalElement
	for erows.Next() {
		var ge goalElement
		if err := erows.Scan(&ge.goal, &ge.ref.Framework, &ge.ref.Element); err != nil {
			erows.Close()
			return nil, err
		}
		elems = append(elems, ge)
	}
	erows.Close()
	// Titles are looked up only after the rows are closed: a query run while rows are open needs
	// a second connection, and under load every request waiting for a second connection while
	// holding its first empties the pool for good.
	titles := map[ElementRef]string{}
	for _, ge := range elems {
		i, ok := index[ge.goal]
		if !ok {
			continue
		}
		if _, seen := titles[ge.ref]; !seen {
			titles[ge.ref] = s.elementTitle(ctx, ge.ref)
		}
		ge.ref.Title = titles[ge.ref]
		out[i].Elements = append(out[i].Elements, ge.ref)
	}
	arows, err := s.db.Query(ctx, `SELECT a.id, a.goal_id, a.title, a.pathway, a.status, a.due_on FROM goal_actions a JOIN goals g ON g.id = a.goal_id WHERE g.user_id = ? ORDER BY a.id`, ownerID)
	if err != nil {
		return nil, err
	}
	defer arows.Close()
	for arows.Next() {
		var a Action
		if err := arows.Scan(&a.ID, &a.GoalID, &a.Title, &a.Pathway, &a.Status, &a.DueOn); err != nil {
			return nil, err
		}
		if i, ok := index[a.GoalID]; ok {
			out[i].Actions = append(out[i].Actions, a)
		}
	}
	return out, arows.Err()
}

func (s *Service) elementTitle(ctx context.Context, e ElementRef) string {
	if f, _, err := s.frameworks.Get(ctx, e.Framework, ""); err == nil {
		if el := f.Element(e.Element); el != nil {
			return el.Title
		}
	}
	return e.Element
}

// ActionInput is what a person types for an action.
type ActionInput struct {
	Title   string
	Pathway string
	DueOn   string
}

// AddAction adds an action to one of the owner's goals.
func (s *Service) AddAction(ctx context.Context, ownerID, goalID int64, in ActionInput) (*Action, error) {
	if _, err := s.Goal(ctx, ownerID, goalID); err != nil {
		return nil, err
	}
	in.Title, in.DueOn = strings.TrimSpace(in.Title), strings.TrimSpace(in.DueOn)
	var errs valid.Errors
	if in.Title == "" {
		errs.Add("title", "Say what you will do")
	} else if utf8.RuneCountInString(in.Title) > 300 {
		errs.Add("title", "The action must be 300 characters or fewer")
	}
	if pathwayLabels[in.Pathway] == "" {
		errs.Add("pathway", "Choose the development pathway this action follows")
	}
	s.checkDate(&errs, "action_due_on", "due date", in.DueOn, false)
	if errs.Any() {
		return nil, errs
	}
	now := s.now()
	id, err := s.db.Insert(ctx, `INSERT INTO goal_actions (goal_id, title, pathway, status, due_on, created_at, updated_at) VALUES (?, ?, ?, 'not-started', ?, ?, ?)`,
		goalID, in.Title, in.Pathway, in.DueOn, now, now)
	if err != nil {
		return nil, fmt.Errorf("plan: add action: %w", err)
	}
	return &Action{ID: id, GoalID: goalID, Title: in.Title, Pathway: in.Pathway, Status: "not-started", DueOn: in.DueOn}, nil
}

// SetActionStatus moves one of the owner's actions on.
func (s *Service) SetActionStatus(ctx context.Context, ownerID, actionID int64, status string) error {
	// Someone else's action does not exist for this person, whatever they send.
	var n int
	if err := s.db.QueryRow(ctx, `SELECT COUNT(*) FROM goal_actions a JOIN goals g ON g.id = a.goal_id WHERE a.id = ? AND g.user_id = ?`, actionID, ownerID).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return ErrNotFound
	}
	ok := false
	for _, st := range ActionStatuses {
		ok = ok || st == status
	}
	if !ok {
		return valid.Errors{{Field: "status", Message: "Choose not started, in progress or done"}}
	}
	res, err := s.db.Exec(ctx, `UPDATE goal_actions SET status = ?, updated_at = ? WHERE id = ? AND goal_id IN (SELECT id FROM goals WHERE user_id = ?)`, status, s.now(), actionID, ownerID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

// Suggestion is a suggested action for a leadership challenge.
type Suggestion struct {
	Title   string `yaml:"title"`
	Pathway string `yaml:"pathway"`
}

//go:embed challenges.yaml
var challengesYAML []byte

// Suggestions returns the suggested actions for each challenge key.
func Suggestions() (map[string][]Suggestion, error) {
	var out map[string][]Suggestion
	if err := yaml.Unmarshal(challengesYAML, &out); err != nil {
		return nil, fmt.Errorf("plan: challenges.yaml: %w", err)
	}
	for k, list := range out {
		for _, s := range list {
			if pathwayLabels[s.Pathway] == "" {
				return nil, fmt.Errorf("plan: challenges.yaml: %s: unknown pathway %q", k, s.Pathway)
			}
		}
	}
	return out, nil
}

// GoalFromGap turns a gap into a goal in one step, with SMART text the person can then edit.
func (s *Service) GoalFromGap(ctx context.Context, owner *auth.User, frameworkKey string, e *framework.Element, current float64, target, level int, levelName string) (*Goal, error) {
	today, _ := time.Parse(time.DateOnly, Today(s.now()))
	in := GoalInput{
		Specific:   fmt.Sprintf("Raise my rating for %s from %s to %d, what level %d (%s) typically shows", e.Title, trimFloat(current), target, level, levelName),
		Measurable: fmt.Sprintf("A rating of %d or more for %s in my next self-assessment or 360 feedback", target, e.Title),
		Achievable: "Through the actions below, reviewed with my supervisor or mentor",
		Relevant:   fmt.Sprintf("%s is one of my largest gaps for my career level", e.Title),
		DueOn:      today.AddDate(0, 6, 0).Format(time.DateOnly),
		ReviewOn:   today.AddDate(0, 3, 0).Format(time.DateOnly),
		Elements:   []ElementRef{{Framework: frameworkKey, Element: e.Key}},
	}
	return s.CreateGoal(ctx, owner.ID, in)
}

func trimFloat(f float64) string {
	s := fmt.Sprintf("%.2f", f)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	return s
}

// Reminder is a goal whose review is due, with whom to tell.
type Reminder struct {
	Goal  Goal
	Email string
	Name  string
}

// DueReviews returns the active goals whose review date has come (or comes tomorrow) and that have
// not been reminded for that date, and marks them reminded. The daily reminder job calls it.
// then, if given, runs for each in the same transaction (to queue its email); an error undoes
// the marking, so the reminder is tried again.
func (s *Service) DueReviews(ctx context.Context, then func(context.Context, *store.Tx, Reminder) error) ([]Reminder, error) {
	tomorrow := s.now().In(london).AddDate(0, 0, 1).Format(time.DateOnly)
	var out []Reminder
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		rows, err := tx.Query(ctx, `SELECT g.id, g.user_id, g.specific, g.due_on, g.review_on, u.email, u.name FROM goals g JOIN users u ON u.id = g.user_id
			WHERE g.status = 'active' AND g.review_on <> '' AND g.review_on <= ? AND g.reviewed_reminder_for <> g.review_on AND u.disabled_at IS NULL`, tomorrow)
		if err != nil {
			return err
		}
		for rows.Next() {
			var r Reminder
			if err := rows.Scan(&r.Goal.ID, &r.Goal.UserID, &r.Goal.Specific, &r.Goal.DueOn, &r.Goal.ReviewOn, &r.Email, &r.Name); err != nil {
				rows.Close()
				return err
			}
			out = append(out, r)
		}
		rows.Close()
		for _, r := range out {
			if _, err := tx.Exec(ctx, `UPDATE goals SET reviewed_reminder_for = review_on WHERE id = ?`, r.Goal.ID); err != nil {
				return err
			}
			if then != nil {
				if err := then(ctx, tx, r); err != nil {
					return err
				}
			}
		}
		return nil
	})
	return out, err
}
