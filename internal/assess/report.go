package assess

import (
	"context"
	"math"
	"sort"

	"github.com/pillars-ot/pillars/internal/framework"
)

// Stat is a group's mean rating on one element. Shown is false when too few answered for the
// figure to be anonymous; then Mean must not be displayed.
type Stat struct {
	Mean  float64
	N     int
	Shown bool
}

// Group is a column of the report: a relationship group with enough raters, or the combined
// "others" made of the groups too small to show alone.
type Group struct {
	Key    string // a relationship, or "combined"
	Label  string
	Raters int
}

// ReportRow is one element of the report.
type ReportRow struct {
	Element  *framework.Element
	Self     int
	Groups   []Stat  // in the order of Report.Groups
	Others   Stat    // everyone but the person
	Min, Max int     // the spread of others' ratings (only when Others.Shown)
	Diff     float64 // Others.Mean - Self (only when both are known)
	Withheld int     // ratings left out because they sit in a cell too small to show
}

func (r ReportRow) totalRatings(byGroup map[string][]int) int {
	n := 0
	for _, v := range byGroup {
		n += len(v)
	}
	return n
}

// BlindSpot reports whether the person rates themself at least one point above others.
func (r ReportRow) BlindSpot() bool { return r.Others.Shown && r.Self > 0 && r.Diff <= -1 }

// HiddenStrength reports whether others rate the person at least one point above their own view.
func (r ReportRow) HiddenStrength() bool { return r.Others.Shown && r.Self > 0 && r.Diff >= 1 }

// Comment is one anonymous comment.
type Comment struct {
	Kind string // strength or development
	Body string
}

// Report is a 360 round's result as the person may see it.
type Report struct {
	Round       *Round
	Framework   *framework.Framework
	Status      *RoundStatus
	Groups      []Group
	Rows        []ReportRow
	Answered    int
	OthersShown bool // the round has closed and at least MinGroup raters answered
	Pending     bool // the round is still open: nothing others said is shown yet
	Comments    []Comment
}

// BlindSpots are the rows where the person rates themself a point or more above others.
func (r *Report) BlindSpots() []ReportRow { return r.filter(ReportRow.BlindSpot) }

// HiddenStrengths are the rows where others rate the person a point or more above themself.
func (r *Report) HiddenStrengths() []ReportRow { return r.filter(ReportRow.HiddenStrength) }

func (r *Report) filter(keep func(ReportRow) bool) []ReportRow {
	var out []ReportRow
	for _, row := range r.Rows {
		if keep(row) {
			out = append(out, row)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return math.Abs(out[i].Diff) > math.Abs(out[j].Diff) })
	return out
}

type raterRatings struct {
	rel     Relationship
	ratings map[string]int
}

// Report builds the person's own report for a round. No rater's individual answers can be read
// from it: groups of fewer than MinGroup are folded together, and any figure built from fewer than
// MinGroup ratings is withheld.
func (s *Service) Report(ctx context.Context, userID, roundID int64) (*Report, error) {
	round, err := s.Round(ctx, userID, roundID)
	if err != nil {
		return nil, err
	}
	self, err := s.Get(ctx, userID, round.AssessmentID)
	if err != nil {
		return nil, err
	}
	f, err := s.Framework(ctx, self)
	if err != nil {
		return nil, err
	}
	status, err := s.Status(ctx, userID, roundID)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.Query(ctx, `SELECT r.id, r.relationship, x.element_key, x.rating FROM feedback_raters r
		JOIN feedback_ratings x ON x.rater_id = r.id WHERE r.round_id = ? AND r.responded_at IS NOT NULL`, roundID)
	if err != nil {
		return nil, err
	}
	byRater := map[int64]*raterRatings{}
	for rows.Next() {
		var id int64
		var rel Relationship
		var el string
		var v int
		if err := rows.Scan(&id, &rel, &el, &v); err != nil {
			rows.Close()
			return nil, err
		}
		if byRater[id] == nil {
			byRater[id] = &raterRatings{rel: rel, ratings: map[string]int{}}
		}
		byRater[id].ratings[el] = v
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}

	rep := &Report{Round: round, Framework: f, Status: status, Answered: status.Answered}
	// Nothing others said is shown while the round is open. A report that changed with each
	// answer could be compared before and after one person answered, revealing their ratings
	// and their comment; the closed round gives one snapshot only.
	if round.Open(s.now()) {
		rep.Pending = true
		for _, e := range f.Rateable() {
			rep.Rows = append(rep.Rows, ReportRow{Element: e, Self: self.Ratings[e.Key].Rating})
		}
		return rep, nil
	}
	rep.OthersShown = status.Answered >= MinGroup
	// Decide the columns from who answered, not from per-element counts, so the columns do not
	// change from row to row.
	shownRel := map[Relationship]bool{}
	combined := 0
	for _, g := range status.Groups {
		if g.Answered >= MinGroup && g.Relationship != Other {
			shownRel[g.Relationship] = true
			rep.Groups = append(rep.Groups, Group{Key: string(g.Relationship), Label: g.Relationship.Label(), Raters: g.Answered})
		} else {
			combined += g.Answered
		}
	}
	if combined >= MinGroup {
		rep.Groups = append(rep.Groups, Group{Key: "combined", Label: "Others combined", Raters: combined})
	}
	groupOf := func(rel Relationship) string {
		if shownRel[rel] {
			return string(rel)
		}
		return "combined"
	}
	for _, e := range f.Rateable() {
		row := ReportRow{Element: e, Self: self.Ratings[e.Key].Rating}
		byGroup := map[string][]int{}
		for _, rr := range byRater {
			if v, ok := rr.ratings[e.Key]; ok { // absent means "not able to say"
				g := groupOf(rr.rel)
				byGroup[g] = append(byGroup[g], v)
			}
		}
		// "All others" is built only from cells that are shown themselves. Were it to include
		// ratings from a cell that is withheld (a lone line manager, say), subtracting the shown
		// groups from it would reveal that person's rating exactly.
		var shown []int
		for _, g := range rep.Groups {
			st := statOf(byGroup[g.Key])
			row.Groups = append(row.Groups, st)
			if st.Shown {
				shown = append(shown, byGroup[g.Key]...)
			}
		}
		row.Others = statOf(shown)
		row.Withheld = row.totalRatings(byGroup) - len(shown)
		if row.Others.Shown {
			sort.Ints(shown)
			// The range of just three or four ratings, with their mean, often pins every one.
			if len(shown) >= MinSpread {
				row.Min, row.Max = shown[0], shown[len(shown)-1]
			}
			if row.Self > 0 {
				row.Diff = math.Round((row.Others.Mean-float64(row.Self))*100) / 100
			}
		}
		rep.Rows = append(rep.Rows, row)
	}
	if rep.OthersShown {
		crows, err := s.db.Query(ctx, `SELECT kind, body FROM feedback_comments WHERE round_id = ? ORDER BY sort_key`, roundID)
		if err != nil {
			return nil, err
		}
		defer crows.Close()
		for crows.Next() {
			var c Comment
			if err := crows.Scan(&c.Kind, &c.Body); err != nil {
				return nil, err
			}
			rep.Comments = append(rep.Comments, c)
		}
		if err := crows.Err(); err != nil {
			return nil, err
		}
	}
	return rep, nil
}

// statOf summarises ratings, withholding the mean when fewer than MinGroup gave them.
// MinSpread is the fewest ratings whose lowest and highest may be shown.
const MinSpread = 5

func statOf(vals []int) Stat {
	if len(vals) < MinGroup {
		return Stat{N: len(vals)}
	}
	sum := 0
	for _, v := range vals {
		sum += v
	}
	return Stat{Mean: math.Round(float64(sum)/float64(len(vals))*100) / 100, N: len(vals), Shown: true}
}
