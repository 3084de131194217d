package mentoring

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/pillars-ot/pillars/internal/auth"
	"github.com/pillars-ot/pillars/internal/mentoring/match"
	"github.com/pillars-ot/pillars/internal/store"
)

// CohortAlgorithm names how a cohort is matched, for the page that shows it.
const CohortAlgorithm = "the Hungarian algorithm (Kuhn-Munkres)"

// maxCohortPairs bounds one "send these requests".
const maxCohortPairs = 2000

// CanMatchCohort reports whether the person may match an organisation's open asks at once:
// a programme lead of that organisation, or a site administrator.
func CanMatchCohort(u *auth.User, orgID int64) bool {
	return u != nil && (u.IsSiteAdmin() || u.HasIn(orgID, auth.RoleProgrammeLead))
}

// Proposal is one proposed pair with its score and parts.
type Proposal struct {
	MenteeID, MentorID     int64
	MenteeName, MentorName string
	Score                  match.Score
}

// Unmatched is a mentee the assignment left without a mentor, and why.
type Unmatched struct {
	MenteeID int64
	Name     string
	Why      string
}

// Cohort is a proposed matching of an organisation's open asks to the listed mentors, with the
// largest total score possible under the mentors' free places.
type Cohort struct {
	Asks      int // open asks in the organisation
	Mentors   int // listed mentors with a place free
	Places    int // free places in all
	Pairs     []Proposal
	Unmatched []Unmatched
	Total     float64
}

// cohortMentee is an open ask with what matching needs.
type cohortMentee struct {
	user *auth.User
	ask  *Ask
	me   match.Mentee
}

// cohortData loads an organisation's open asks and every listed mentor, in a fixed number of
// queries, and the pairs that already have a live request.
func (s *Service) cohortData(ctx context.Context, q querier, orgID int64) ([]*cohortMentee, []*Listing, map[[2]int64]bool, error) {
	rows, err := q.Query(ctx, `SELECT a.user_id, u.name, u.email, u.career_level, a.want, a.modes, a.region, a.budget_pence, a.goals
		FROM mentoring_asks a JOIN users u ON u.id = a.user_id
		WHERE a.org_id = ? AND a.status = 'open' AND u.disabled_at IS NULL ORDER BY a.user_id`, orgID)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("mentoring: cohort asks: %w", err)
	}
	var mentees []*cohortMentee
	byID := map[int64]*cohortMentee{}
	for rows.Next() {
		var level, budget sql.NullInt64
		var modes string
		c := &cohortMentee{user: &auth.User{}, ask: &Ask{OrgID: orgID, Status: AskOpen, BudgetPence: -1}}
		if err := rows.Scan(&c.user.ID, &c.user.Name, &c.user.Email, &level, &c.ask.Want, &modes, &c.ask.Region, &budget, &c.ask.Goals); err != nil {
			rows.Close()
			return nil, nil, nil, err
		}
		c.ask.UserID, c.user.CareerLevel, c.ask.Modes = c.user.ID, int(level.Int64), modesFrom(modes)
		if budget.Valid {
			c.ask.BudgetPence = budget.Int64
		}
		mentees = append(mentees, c)
		byID[c.user.ID] = c
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, nil, nil, err
	}
	const openAsks = `(SELECT user_id FROM mentoring_asks WHERE org_id = ? AND status = 'open')`
	gaps, err := s.askGaps(ctx, q, `e.user_id IN `+openAsks, orgID)
	if err != nil {
		return nil, nil, nil, err
	}
	ch, err := chains(ctx, q, `lm.user_id IN `+openAsks, orgID)
	if err != nil {
		return nil, nil, nil, err
	}
	for _, c := range mentees {
		c.ask.Gaps = gaps[c.user.ID]
		n := c.ask.Need(nil)
		c.me = match.Mentee{ID: c.user.ID, Level: c.user.CareerLevel, Modes: modeWords(n.Modes), Region: n.Region,
			Gaps: map[string]float64{}, Managers: ch[c.user.ID]}
		for _, g := range n.Gaps {
			c.me.Gaps[g.Ref] = g.Size
		}
	}
	mentors, err := s.listedMentors(ctx, q)
	if err != nil {
		return nil, nil, nil, err
	}
	live := map[[2]int64]bool{}
	rows, err = q.Query(ctx, `SELECT r.mentee_id, r.mentor_id FROM mentoring_relationships r
		WHERE r.status IN ('requested', 'active') AND r.mentee_id IN `+openAsks, orgID)
	if err != nil {
		return nil, nil, nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var a, b int64
		if err := rows.Scan(&a, &b); err != nil {
			return nil, nil, nil, err
		}
		live[[2]int64{a, b}] = true
	}
	return mentees, mentors, live, rows.Err()
}

// excluding gives each mentee's copy for match.AssignCohort the mentors their ask rules out:
// one who does not offer what they want, one whose fee is over their budget, or one they have
// a live request with already. Only the copies given to AssignCohort carry them; scores shown
// are worked out without.
func excluding(mentees []*cohortMentee, mentors []*Listing, live map[[2]int64]bool) ([]match.Mentee, []match.Mentor) {
	outMo := make([]match.Mentor, 0, len(mentors))
	for _, l := range mentors {
		outMo = append(outMo, l.forMatch())
	}
	outMe := make([]match.Mentee, 0, len(mentees))
	for _, c := range mentees {
		me := c.me
		me.Excluded = map[int64]string{}
		for _, l := range mentors {
			switch {
			case !l.offers(c.ask.Want):
				me.Excluded[l.UserID] = "does not offer what they asked for"
			case !l.affordable(c.ask.BudgetPence):
				me.Excluded[l.UserID] = "costs more than their budget"
			case live[[2]int64{c.user.ID, l.UserID}]:
				me.Excluded[l.UserID] = "already asked"
			}
		}
		outMe = append(outMe, me)
	}
	return outMe, outMo
}

// ProposeCohort matches an organisation's open asks to the listed mentors so that the total
// score is as large as possible, each mentor taking at most their free places (match.AssignCohort,
// the Hungarian algorithm). Nothing is stored: SendCohort sends what the lead accepts.
func (s *Service) ProposeCohort(ctx context.Context, lead *auth.User, orgID int64) (*Cohort, error) {
	if !CanMatchCohort(lead, orgID) {
		return nil, ErrNotAllowed
	}
	mentees, mentors, live, err := s.cohortData(ctx, s.db, orgID)
	if err != nil {
		return nil, err
	}
	title, err := s.titleFunc(ctx)
	if err != nil {
		return nil, err
	}
	c := &Cohort{Asks: len(mentees)}
	for _, l := range mentors {
		if l.Places() > 0 {
			c.Mentors++
			c.Places += l.Places()
		}
	}
	ms, mos := excluding(mentees, mentors, live)
	a, err := match.AssignCohort(ms, mos)
	if err != nil {
		return nil, err
	}
	byMentor := map[int64]*Listing{}
	for _, l := range mentors {
		byMentor[l.UserID] = l
	}
	for _, cm := range mentees {
		mo, ok := a.Pairs[cm.user.ID]
		if !ok {
			continue
		}
		l := byMentor[mo]
		sc := match.ScoreOneWith(cm.me, l.forMatch(), title)
		c.Pairs = append(c.Pairs, Proposal{MenteeID: cm.user.ID, MentorID: mo, MenteeName: cm.user.Name, MentorName: l.Name, Score: sc})
	}
	c.Total = a.Total
	slices.SortStableFunc(c.Pairs, func(x, y Proposal) int { return cmp.Compare(y.Score.Total, x.Score.Total) })
	for i, cm := range mentees {
		if _, ok := a.Pairs[cm.user.ID]; !ok {
			c.Unmatched = append(c.Unmatched, Unmatched{MenteeID: cm.user.ID, Name: cm.user.Name, Why: whyUnmatched(cm, ms[i], mentors, mos)})
		}
	}
	return c, nil
}

// whyUnmatched says in plain words why the assignment left a mentee without a mentor.
func whyUnmatched(c *cohortMentee, me match.Mentee, mentors []*Listing, mos []match.Mentor) string {
	offers, affordable, eligible := 0, 0, 0
	for i, l := range mentors {
		if l.UserID == c.user.ID || !l.offers(c.ask.Want) {
			continue
		}
		offers++
		if !l.affordable(c.ask.BudgetPence) {
			continue
		}
		affordable++
		if match.ScoreOne(me, mos[i]).Eligible {
			eligible++
		}
	}
	what := "mentoring or coaching"
	switch c.ask.Want {
	case "mentor":
		what = "mentoring"
	case "coach":
		what = "coaching"
	}
	switch {
	case offers == 0:
		return "No listed mentor offers " + what
	case affordable == 0:
		return "No listed mentor offers " + what + " within their budget (" + lowerFirst(budgetLabel(c.ask.BudgetPence)) + ")"
	case eligible == 0:
		return "Every mentor who fits is full, in their line-management chain, or already asked"
	}
	return "The mentors who fit them had more to offer other mentees in this cohort, and their places are all used"
}

// lowerFirst makes "Free only" read "free only" inside a sentence.
func lowerFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToLower(r)) + s[n:]
}

// CohortResult says what SendCohort did.
type CohortResult struct {
	Sent    int
	Skipped []string // "Alex Marlowe: the mentor has no places left", one per pair not sent
}

// SendCohort sends the proposed pairs as requests, proposed by the lead, all in one
// transaction: each pair is checked again as it is sent (the ask still open in the
// organisation, the mentor still listed with a place, no live request, outside the chain) and
// one that is no longer valid is skipped and reported. Mentors still accept or decline.
func (s *Service) SendCohort(ctx context.Context, lead *auth.User, orgID int64, pairs [][2]int64, ob *Outbox) (*CohortResult, error) {
	if !CanMatchCohort(lead, orgID) {
		return nil, ErrNotAllowed
	}
	if len(pairs) > maxCohortPairs {
		return nil, &Refused{Message: fmt.Sprintf("Send at most %d requests at once", maxCohortPairs)}
	}
	title, err := s.titleFunc(ctx)
	if err != nil {
		return nil, err
	}
	res := &CohortResult{}
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		if err := lockCohort(ctx, tx, pairs); err != nil {
			return err
		}
		seen := map[int64]bool{}
		for _, p := range pairs {
			menteeID, mentorID := p[0], p[1]
			if seen[menteeID] {
				continue // one request per mentee from one match
			}
			seen[menteeID] = true
			var name, email string
			var level sql.NullInt64
			err := tx.QueryRow(ctx, `SELECT u.name, u.email, u.career_level FROM mentoring_asks a JOIN users u ON u.id = a.user_id
				WHERE a.user_id = ? AND a.org_id = ? AND a.status = 'open' AND u.disabled_at IS NULL`, menteeID, orgID).Scan(&name, &email, &level)
			if errors.Is(err, sql.ErrNoRows) {
				res.Skipped = append(res.Skipped, fmt.Sprintf("person %d: no longer has an open ask in this organisation", menteeID))
				continue
			}
			if err != nil {
				return err
			}
			a, err := s.ask(ctx, tx, menteeID)
			if err != nil {
				return err
			}
			mentee := &auth.User{ID: menteeID, Name: name, Email: email, CareerLevel: int(level.Int64)}
			if _, err := tx.Exec(ctx, `SAVEPOINT cohort_pair`); err != nil {
				return err
			}
			// The ask's own need (what they want, their budget), whatever pair was posted:
			// insertRequest refuses a mentor of the wrong kind or over budget for a proposal.
			_, err = s.insertRequest(ctx, tx, pairRequest{mentee: mentee, mentorID: mentorID, need: a.Need(nil), orgID: orgID, proposedBy: lead.ID}, title, ob)
			var refused *Refused
			switch {
			case errors.As(err, &refused), errors.Is(err, ErrNotFound):
				// Undo this pair only (PostgreSQL also needs this after a failed statement).
				if _, err := tx.Exec(ctx, `ROLLBACK TO SAVEPOINT cohort_pair`); err != nil {
					return err
				}
				why := "the mentor no longer has a profile"
				if refused != nil {
					why = refused.Short
				}
				res.Skipped = append(res.Skipped, name+": "+why)
			case err != nil:
				return err
			default:
				res.Sent++
			}
			if _, err := tx.Exec(ctx, `RELEASE SAVEPOINT cohort_pair`); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// lockCohort takes, on PostgreSQL, the row locks every pair's request needs, before any is
// sent: all the mentees' rows and then all the mentors' profiles, each in id order. One
// request locks its mentee and then its mentor (insertRequest), so locking pair by pair here
// would take mentee, mentor, mentee, mentor... and could wait in a circle with a request
// sent meanwhile; this order cannot.
func lockCohort(ctx context.Context, tx *store.Tx, pairs [][2]int64) error {
	if tx.Dialect() != store.Postgres || len(pairs) == 0 {
		return nil
	}
	for i, q := range []string{`SELECT id FROM users WHERE id IN (%s) ORDER BY id FOR NO KEY UPDATE`,
		`SELECT user_id FROM mentor_profiles WHERE user_id IN (%s) ORDER BY user_id FOR UPDATE`} {
		seen := map[int64]bool{}
		var args []any
		for _, p := range pairs {
			if !seen[p[i]] {
				seen[p[i]] = true
				args = append(args, p[i])
			}
		}
		rows, err := tx.Query(ctx, fmt.Sprintf(q, strings.TrimSuffix(strings.Repeat("?, ", len(args)), ", ")), args...)
		if err != nil {
			return fmt.Errorf("mentoring: lock cohort: %w", err)
		}
		for rows.Next() {
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("mentoring: lock cohort: %w", err)
		}
	}
	return nil
}
