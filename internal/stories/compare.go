package stories

import (
	"sort"

	"github.com/pillars-ot/pillars/internal/framework"
)

// Step is one element of a level-to-level comparison: what the two levels typically show, and
// where the person stands when they have rated themselves.
type Step struct {
	Element    *framework.Element
	From, To   int // the targets at the two levels; 0 when none is set
	Current    float64
	HasCurrent bool
}

// Rise is how much the typical rating goes up between the levels.
func (s Step) Rise() int {
	if s.From == 0 || s.To == 0 {
		return 0
	}
	return s.To - s.From
}

// Gap is how far the person's rating is below the next level's target (0 when it is not, or
// when they have not rated this element).
func (s Step) Gap() float64 {
	if !s.HasCurrent || s.To == 0 {
		return 0
	}
	return max(0, float64(s.To)-s.Current)
}

// Comparison sets one level's targets beside another's.
type Comparison struct {
	Framework *framework.Framework
	From, To  int
	Steps     []Step // rising elements first (see Compare)
	Rated     bool   // the person has ratings to show
}

// Rising returns the steps whose target rises, at most n of them (all when n <= 0).
func (c *Comparison) Rising(n int) []Step {
	var out []Step
	for _, s := range c.Steps {
		if s.Rise() > 0 && (n <= 0 || len(out) < n) {
			out = append(out, s)
		}
	}
	return out
}

// Compare builds the comparison of a framework's rateable elements between two levels' targets
// (element key -> target) and the person's current ratings (nil when they have none). Elements
// whose target rises come first, the largest rise first, then the largest gap between the
// person and the next level; the rest follow in the framework's order. The order is stable.
func Compare(f *framework.Framework, fromLevel, toLevel int, from, to map[string]int, current map[string]float64) *Comparison {
	c := &Comparison{Framework: f, From: fromLevel, To: toLevel, Rated: len(current) > 0}
	for _, e := range f.Rateable() {
		st := Step{Element: e, From: from[e.Key], To: to[e.Key]}
		st.Current, st.HasCurrent = current[e.Key]
		c.Steps = append(c.Steps, st)
	}
	sort.SliceStable(c.Steps, func(i, j int) bool {
		a, b := c.Steps[i], c.Steps[j]
		if (a.Rise() > 0) != (b.Rise() > 0) {
			return a.Rise() > 0
		}
		if a.Rise() <= 0 {
			return false // the rest keep the framework's order
		}
		if a.Rise() != b.Rise() {
			return a.Rise() > b.Rise()
		}
		return a.Gap() > b.Gap()
	})
	return c
}
