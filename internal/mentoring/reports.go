package mentoring

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/pillars-ot/pillars/internal/auth"
	"github.com/pillars-ot/pillars/internal/store"
)

// Coordinators' reports count; they never show what anyone wrote. The queries below read
// statuses, dates, counts, fixed reasons, element keys and review scores only: no notes,
// agreement, ended-early note or review text is ever selected, so no page built on a Report
// can show one.

// CanReport decides who may see an organisation's mentoring report: its programme leads and
// site administrators.
func CanReport(u *auth.User, orgID int64) bool {
	return u != nil && (u.IsSiteAdmin() || (orgID != 0 && u.HasIn(orgID, auth.RoleProgrammeLead)))
}

// minReviewsShown is the fewest reviews whose scores a report shows: with fewer, a
// coordinator who knows the pairs could read one person's answer.
const minReviewsShown = 3

// minReasonShown is the fewest relationships a count of ended-early reasons is shown for, on
// its own or combined: a coordinator who knows which pair ended could otherwise read why.
const minReasonShown = 3

// OtherReasons is the row that combines reasons given by too few to show on their own.
const OtherReasons = "other-combined"

// Spread is the middle and range of some counts.
type Spread struct {
	N        int // how many values
	Median   float64
	Min, Max int
}

func spreadOf(vals []int) Spread {
	if len(vals) == 0 {
		return Spread{}
	}
	v := append([]int(nil), vals...)
	sort.Ints(v)
	sp := Spread{N: len(v), Min: v[0], Max: v[len(v)-1]}
	if len(v)%2 == 1 {
		sp.Median = float64(v[len(v)/2])
	} else {
		sp.Median = float64(v[len(v)/2-1]+v[len(v)/2]) / 2
	}
	return sp
}

// foldReasons turns counts per reason into the rows a report may show: reasons given by
// minReasonShown or more on their own, in EndReasons' order, and the rest combined into one
// OtherReasons row. If that row would hold fewer than minReasonShown, no row is shown at all
// (withheld): the combined count would be EndedEarly less the rows shown.
func foldReasons(counts map[string]int) (rows []ReasonCount, withheld bool) {
	rest := 0
	for _, r := range EndReasons {
		switch n := counts[r.Value]; {
		case n >= minReasonShown:
			rows = append(rows, ReasonCount{Reason: r.Value, Label: r.Label, Count: n})
		case n > 0:
			rest += n
		}
	}
	switch {
	case rest == 0:
		return rows, false
	case rest < minReasonShown:
		return nil, true
	}
	return append(rows, ReasonCount{Reason: OtherReasons, Label: "Other reasons combined", Count: rest}), false
}

// ReasonCount is how many relationships ended early for one reason.
type ReasonCount struct {
	Reason, Label string
	Count         int
}

// Coverage is how many pairs work on one framework element.
type Coverage struct {
	Framework, Element, Title string
	Pairs                     int
}

// Report is an organisation's mentoring in numbers.
type Report struct {
	OrgID      int64
	Active     int
	Completed  int
	EndedEarly int
	// Pairs is every relationship that started (active, completed or ended early).
	Pairs int
	// SessionsHeld counts held sessions across all pairs; HeldPerPair spreads them by pair.
	SessionsHeld int
	HeldPerPair  Spread
	// DaysToFirst spreads the days from a pair's start to its first held session, over pairs
	// that have held one; PairsWaiting have not yet.
	DaysToFirst  Spread
	PairsWaiting int
	// EndedEarlyRate is the percentage of ended relationships (completed or ended early) that
	// ended early, 0 when none has ended.
	EndedEarlyRate float64
	// Reasons counts why relationships ended early, each from minReasonShown; reasons given
	// fewer times are one row, OtherReasons ("Other reasons combined"). When even that row
	// would be too small, no reason is shown (ReasonsWithheld), so none can be worked out by
	// subtracting the others from EndedEarly.
	Reasons         []ReasonCount
	ReasonsWithheld bool
	Coverage        []Coverage
	// Reviews counts reviews written; their scores are shown only from minReviewsShown, and
	// then over ReviewsCounted, the oldest in whole blocks of minReviewsShown.
	Reviews         int
	ReviewsCounted  int
	ReviewsWithheld bool
	HelpfulMedian   float64
	GoalsMet        []ReasonCount // yes, partly, no
}

// MinReviewsShown is the fewest reviews a report shows scores for.
func (r *Report) MinReviewsShown() int { return minReviewsShown }

// MinReasonShown is the fewest relationships a report shows an ended-early reason for.
func (r *Report) MinReasonShown() int { return minReasonShown }

// Report counts the mentoring coordinated by an organisation, for a viewer who may see it
// (CanReport); anyone else gets ErrNotAllowed and nothing is read.
func (s *Service) Report(ctx context.Context, viewer *auth.User, orgID int64) (*Report, error) {
	if !CanReport(viewer, orgID) {
		return nil, ErrNotAllowed
	}
	rep := &Report{OrgID: orgID}
	rows, err := s.db.Query(ctx, `SELECT id, status, started_at FROM mentoring_relationships
		WHERE org_id = ? AND status IN ('active', 'completed', 'ended_early')`, orgID)
	if err != nil {
		return nil, fmt.Errorf("mentoring: report pairs: %w", err)
	}
	started := map[int64]*time.Time{}
	for rows.Next() {
		var id int64
		var status string
		var at sql.NullTime
		if err := rows.Scan(&id, &status, &at); err != nil {
			rows.Close()
			return nil, err
		}
		started[id] = store.TimePtr(at)
		switch status {
		case StatusActive:
			rep.Active++
		case StatusCompleted:
			rep.Completed++
		case StatusEndedEarly:
			rep.EndedEarly++
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rep.Pairs = len(started)
	if ended := rep.Completed + rep.EndedEarly; ended > 0 {
		rep.EndedEarlyRate = math.Round(float64(rep.EndedEarly)*1000/float64(ended)) / 10
	}

	// Held sessions, earliest first per pair: counts per pair, and the first for time to start.
	rows, err = s.db.Query(ctx, `SELECT s.relationship_id, s.starts_at FROM mentoring_sessions s
		JOIN mentoring_relationships r ON r.id = s.relationship_id
		WHERE r.org_id = ? AND r.status IN ('active', 'completed', 'ended_early') AND s.status = 'held'
		ORDER BY s.relationship_id, s.starts_at`, orgID)
	if err != nil {
		return nil, fmt.Errorf("mentoring: report sessions: %w", err)
	}
	held := map[int64]int{}
	first := map[int64]time.Time{}
	for rows.Next() {
		var id int64
		var at time.Time
		if err := rows.Scan(&id, &at); err != nil {
			rows.Close()
			return nil, err
		}
		if held[id] == 0 {
			first[id] = at
		}
		held[id]++
		rep.SessionsHeld++
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var perPair, days []int
	for id, at := range started {
		perPair = append(perPair, held[id])
		f, ok := first[id]
		if !ok {
			rep.PairsWaiting++
			continue
		}
		if at != nil {
			d := int(math.Floor(f.Sub(*at).Hours() / 24))
			if d < 0 {
				d = 0 // a session logged from before the pair was set up in Pillars
			}
			days = append(days, d)
		}
	}
	rep.HeldPerPair, rep.DaysToFirst = spreadOf(perPair), spreadOf(days)

	// Why relationships ended early: the fixed reasons only, never the note beside them.
	counts := map[string]int{}
	rows, err = s.db.Query(ctx, `SELECT ended_reason, COUNT(*) FROM mentoring_relationships WHERE org_id = ? AND status = 'ended_early' GROUP BY ended_reason`, orgID)
	if err != nil {
		return nil, fmt.Errorf("mentoring: report reasons: %w", err)
	}
	for rows.Next() {
		var reason string
		var n int
		if err := rows.Scan(&reason, &n); err != nil {
			rows.Close()
			return nil, err
		}
		if !inList(EndReasons, reason) {
			reason = "other"
		}
		counts[reason] += n
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rep.Reasons, rep.ReasonsWithheld = foldReasons(counts)

	// Element coverage: pairs per element, most first.
	rows, err = s.db.Query(ctx, `SELECT e.framework_key, e.element_key, COUNT(*) FROM mentoring_relationship_elements e
		JOIN mentoring_relationships r ON r.id = e.relationship_id
		WHERE r.org_id = ? AND r.status IN ('active', 'completed', 'ended_early')
		GROUP BY e.framework_key, e.element_key`, orgID)
	if err != nil {
		return nil, fmt.Errorf("mentoring: report coverage: %w", err)
	}
	for rows.Next() {
		var c Coverage
		if err := rows.Scan(&c.Framework, &c.Element, &c.Pairs); err != nil {
			rows.Close()
			return nil, err
		}
		rep.Coverage = append(rep.Coverage, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range rep.Coverage {
		rep.Coverage[i].Title = s.elementTitle(ctx, rep.Coverage[i].Framework, rep.Coverage[i].Element)
	}
	sort.Slice(rep.Coverage, func(i, j int) bool {
		a, b := rep.Coverage[i], rep.Coverage[j]
		if a.Pairs != b.Pairs {
			return a.Pairs > b.Pairs
		}
		return a.Title < b.Title
	})

	// Reviews: scores only, never the text.
	// Oldest first, so the reviews counted below are always the same ones.
	rows, err = s.db.Query(ctx, `SELECT v.helpful, v.goals_met FROM mentoring_reviews v
		JOIN mentoring_relationships r ON r.id = v.relationship_id WHERE r.org_id = ?
		ORDER BY v.created_at, v.relationship_id, v.author_id`, orgID)
	if err != nil {
		return nil, fmt.Errorf("mentoring: report reviews: %w", err)
	}
	var helpful []int
	var goals []string
	for rows.Next() {
		var h int
		var g string
		if err := rows.Scan(&h, &g); err != nil {
			rows.Close()
			return nil, err
		}
		helpful, goals = append(helpful, h), append(goals, g)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rep.Reviews = len(helpful)
	// Scores move only in whole blocks of minReviewsShown reviews, oldest first: if they moved
	// with each review, the report before and after one person's review would give away their
	// answer (as the heat map publishes a team only after 5 people have changed).
	rep.ReviewsCounted = rep.Reviews / minReviewsShown * minReviewsShown
	helpful, goals = helpful[:rep.ReviewsCounted], goals[:rep.ReviewsCounted]
	met := map[string]int{}
	for _, g := range goals {
		met[g]++
	}
	if rep.Reviews > 0 && rep.ReviewsCounted == 0 {
		rep.ReviewsWithheld = true
	} else if rep.Reviews > 0 {
		rep.HelpfulMedian = spreadOf(helpful).Median
		for _, g := range GoalsMet {
			rep.GoalsMet = append(rep.GoalsMet, ReasonCount{Reason: g.Value, Label: g.Label, Count: met[g.Value]})
		}
	}
	return rep, nil
}
