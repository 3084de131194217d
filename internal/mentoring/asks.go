package mentoring

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/pillars-ot/pillars/internal/auth"
	"github.com/pillars-ot/pillars/internal/store"
	"github.com/pillars-ot/pillars/internal/valid"
)

// Ask statuses.
const (
	AskOpen      = "open"
	AskMatched   = "matched"
	AskWithdrawn = "withdrawn"
)

// Wants are what a mentee can look for.
var Wants = []Labelled{{"either", "A mentor or a coach"}, {"mentor", "A mentor"}, {"coach", "A coach"}}

// MaxPicks is how many elements a mentee without assessed gaps may choose.
const MaxPicks = 3

// maxBudgetPounds bounds the budget typed: more is a typing slip.
const maxBudgetPounds = 10000

// Ask is a mentee's ask for a match.
type Ask struct {
	UserID      int64
	OrgID       int64 // the organisation whose programme may match them; 0 for none
	Want        string
	Modes       []string
	Region      string
	BudgetPence int64 // -1 no limit, 0 free only
	Goals       string
	Status      string
	// Gaps are the ask's elements: the assessed gaps when the ask was saved, or the elements
	// picked (sized 3, 2, 1 in the order chosen). Cohort matching reads them, so it never
	// recomputes hundreds of assessments.
	Gaps      []Gap
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Need is the ask as ranking uses it, with the mentee's current assessed gaps when they have
// any (live), else the ask's own.
func (a *Ask) Need(live []Gap) Need {
	n := Need{Want: a.Want, Modes: a.Modes, Region: a.Region, BudgetPence: a.BudgetPence, Gaps: a.Gaps}
	if len(live) > 0 {
		n.Gaps = live
	}
	return n
}

// BudgetLabel is "Free only", "Up to £60 a session" or "No limit".
func (a *Ask) BudgetLabel() string { return budgetLabel(a.BudgetPence) }

func budgetLabel(p int64) string {
	switch {
	case p < 0:
		return "No limit"
	case p == 0:
		return "Free only"
	}
	return "Up to " + feeLabel(false, p)
}

// Summary says the ask in a few words: "a mentor or a coach, meeting by video or in person,
// up to £60 a session".
func (a *Ask) Summary() string {
	var ways []string
	for _, m := range a.Modes {
		if m == "in-person" {
			ways = append(ways, "in person")
		} else {
			ways = append(ways, "by "+strings.ToLower(LabelFor(Modes, m)))
		}
	}
	meeting := "any way"
	if len(ways) > 0 {
		meeting = strings.Join(ways, " or ")
	}
	budget := lowerFirst(a.BudgetLabel())
	if a.BudgetPence < 0 {
		budget = "any fee"
	}
	return lowerFirst(a.WantLabel()) + ", meeting " + meeting + ", " + budget
}

// WantLabel says what they are looking for.
func (a *Ask) WantLabel() string { return LabelFor(Wants, a.Want) }

// ModesLabel is "video and phone", or "any way" when none were chosen.
func (a *Ask) ModesLabel() string {
	if len(a.Modes) == 0 {
		return "any way"
	}
	return modesLabel(a.Modes)
}

// AskInput is the ask form as typed.
type AskInput struct {
	Want        string
	Modes       []string
	Region      string
	Budget      string // free, max or any
	Max         string // pounds, when Budget is max
	Goals       string
	Picks       []string // chosen elements, first counts most; used when Assessed is empty
	Assessed    []Gap    // the person's assessed gaps, from GapsOf
	LineManager string
}

// AskInputOf is a stored ask as the form shows it.
func AskInputOf(a *Ask, lineManager string) AskInput {
	in := AskInput{Want: a.Want, Modes: a.Modes, Region: a.Region, Goals: a.Goals, LineManager: lineManager, Budget: "any"}
	switch {
	case a.BudgetPence == 0:
		in.Budget = "free"
	case a.BudgetPence > 0:
		in.Budget, in.Max = "max", strconv.FormatInt(a.BudgetPence/100, 10)
	}
	// Shown only to a person with no assessed gaps, whose ask's elements are the ones they picked.
	for _, g := range a.Gaps[:min(len(a.Gaps), MaxPicks)] {
		in.Picks = append(in.Picks, g.Ref)
	}
	return in
}

// Ask returns the person's ask, or ErrNotFound when they have not asked.
func (s *Service) Ask(ctx context.Context, userID int64) (*Ask, error) {
	return s.ask(ctx, s.db, userID)
}

func (s *Service) ask(ctx context.Context, q querier, userID int64) (*Ask, error) {
	a := Ask{UserID: userID}
	var budget sql.NullInt64
	var modes string
	err := q.QueryRow(ctx, `SELECT COALESCE(org_id, 0), want, modes, region, budget_pence, goals, status, created_at, updated_at
		FROM mentoring_asks WHERE user_id = ?`, userID).
		Scan(&a.OrgID, &a.Want, &modes, &a.Region, &budget, &a.Goals, &a.Status, &a.CreatedAt, &a.UpdatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("mentoring: ask of %d: %w", userID, err)
	}
	a.Modes, a.BudgetPence = modesFrom(modes), -1
	if budget.Valid {
		a.BudgetPence = budget.Int64
	}
	gaps, err := s.askGaps(ctx, q, `e.user_id = ?`, userID)
	if err != nil {
		return nil, err
	}
	a.Gaps = gaps[userID]
	return &a, nil
}

// askGaps loads the elements of the asks the condition (on e) selects, largest first.
func (s *Service) askGaps(ctx context.Context, q querier, cond string, args ...any) (map[int64][]Gap, error) {
	titles, err := s.elementTitles(ctx)
	if err != nil {
		return nil, err
	}
	rows, err := q.Query(ctx, `SELECT e.user_id, e.framework_key, e.element_key, e.size FROM mentoring_ask_elements e
		WHERE `+cond+` ORDER BY e.user_id, e.size DESC, e.framework_key, e.element_key`, args...)
	if err != nil {
		return nil, fmt.Errorf("mentoring: asks' elements: %w", err)
	}
	defer rows.Close()
	out := map[int64][]Gap{}
	for rows.Next() {
		var id int64
		var fw, el string
		var size float64
		if err := rows.Scan(&id, &fw, &el, &size); err != nil {
			return nil, err
		}
		ref := fw + ":" + el
		title := titles[ref]
		if title == "" {
			title = el
		}
		out[id] = append(out[id], Gap{Ref: ref, Title: title, Size: size})
	}
	return out, rows.Err()
}

// SaveAsk records the person's ask (opening it again if it was matched or withdrawn) and their
// line manager, all at once or not at all. The ask belongs to the person's first
// organisation, whose programme lead may then match them in a cohort.
func (s *Service) SaveAsk(ctx context.Context, u *auth.User, in AskInput) (*Ask, error) {
	var errs valid.Errors
	a := Ask{UserID: u.ID, Want: strings.TrimSpace(in.Want), Region: strings.TrimSpace(in.Region), Goals: strings.TrimSpace(in.Goals), BudgetPence: -1}
	if a.Want == "" {
		a.Want = "either"
	}
	if !inList(Wants, a.Want) {
		errs.Add("want", "Choose a mentor, a coach, or either")
	}
	seen := map[string]bool{}
	for _, m := range in.Modes {
		if m = strings.TrimSpace(m); m == "" {
			continue
		}
		if !inList(Modes, m) {
			errs.Add("modes", "Choose how you can meet from the list")
			break
		}
		seen[m] = true
	}
	for _, m := range Modes {
		if seen[m.Value] {
			a.Modes = append(a.Modes, m.Value)
		}
	}
	if a.Region != "" && !slices.Contains(Regions, a.Region) {
		errs.Add("region", "Choose your region from the list, or Anywhere")
	}
	switch in.Budget {
	case "", "any":
	case "free":
		a.BudgetPence = 0
	case "max":
		raw := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(in.Max), "£"))
		pounds, err := strconv.Atoi(strings.ReplaceAll(raw, ",", ""))
		switch {
		case raw == "":
			errs.Add("max", "Enter the most you would pay per session, in whole pounds, like 60")
		case err != nil:
			errs.Add("max", "Enter the most you would pay in whole pounds, like 60")
		case pounds < 0:
			errs.Add("max", "The amount cannot be negative: enter whole pounds, like 60, or choose Free only")
		case pounds == 0:
			errs.Add("max", "Enter an amount of £1 or more, or choose Free only")
		case pounds > maxBudgetPounds:
			errs.Add("max", "Enter an amount of £10,000 or less")
		default:
			a.BudgetPence = int64(pounds) * 100
		}
	default:
		errs.Add("budget", "Choose free only, up to an amount, or no limit")
	}
	if utf8.RuneCountInString(a.Goals) > maxTextRunes {
		errs.Add("goals", "Write what you want to work on in 2,000 characters or fewer")
	}
	if len(in.Assessed) > 0 {
		for _, g := range in.Assessed {
			if g.Size > 0 && !slices.ContainsFunc(a.Gaps, func(x Gap) bool { return x.Ref == g.Ref }) {
				a.Gaps = append(a.Gaps, g)
			}
		}
	} else {
		refs, ok := s.checkElements(ctx, in.Picks)
		switch {
		case !ok:
			errs.Add("element-1", "Choose elements from the lists")
		case len(refs) == 0:
			errs.Add("element-1", "Choose at least one element you want to work on")
		case len(refs) > MaxPicks:
			errs.Add("element-1", fmt.Sprintf("Choose up to %d elements", MaxPicks))
		}
		for i, r := range refs {
			a.Gaps = append(a.Gaps, Gap{Ref: r, Size: float64(MaxPicks - i)})
		}
	}
	if m := u.PrimaryMembership(); m != nil {
		a.OrgID = m.OrgID
	}
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		manager, merrs, err := s.checkLineManager(ctx, tx, u.ID, in.LineManager, "line_manager")
		if err != nil {
			return err
		}
		errs = append(errs, merrs...)
		if errs.Any() {
			return errs
		}
		var budget, org any
		if a.BudgetPence >= 0 {
			budget = a.BudgetPence
		}
		if a.OrgID != 0 {
			org = a.OrgID
		}
		now := s.now()
		if _, err := tx.Exec(ctx, `INSERT INTO mentoring_asks (user_id, org_id, want, modes, region, budget_pence, goals, status, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, 'open', ?, ?)
			ON CONFLICT (user_id) DO UPDATE SET org_id = excluded.org_id, want = excluded.want, modes = excluded.modes,
				region = excluded.region, budget_pence = excluded.budget_pence, goals = excluded.goals, status = 'open', updated_at = excluded.updated_at`,
			u.ID, org, a.Want, modesColumn(a.Modes), a.Region, budget, a.Goals, now, now); err != nil {
			return fmt.Errorf("mentoring: save ask of %d: %w", u.ID, err)
		}
		if _, err := tx.Exec(ctx, `DELETE FROM mentoring_ask_elements WHERE user_id = ?`, u.ID); err != nil {
			return err
		}
		for _, g := range a.Gaps {
			fw, el, _ := strings.Cut(g.Ref, ":")
			if _, err := tx.Exec(ctx, `INSERT INTO mentoring_ask_elements (user_id, framework_key, element_key, size) VALUES (?, ?, ?, ?)`, u.ID, fw, el, g.Size); err != nil {
				return err
			}
		}
		return s.setLineManager(ctx, tx, u.ID, manager)
	})
	if err != nil {
		return nil, err
	}
	return s.Ask(ctx, u.ID)
}

// WithdrawAsk closes the person's ask: no programme lead will match them from it.
func (s *Service) WithdrawAsk(ctx context.Context, userID int64) error {
	res, err := s.db.Exec(ctx, `UPDATE mentoring_asks SET status = 'withdrawn', updated_at = ? WHERE user_id = ? AND status = 'open'`, s.now(), userID)
	if err != nil {
		return fmt.Errorf("mentoring: withdraw ask of %d: %w", userID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}
