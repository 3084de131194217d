// Package match scores mentors for a mentee and matches a whole cohort of mentees to mentors.
// It is pure: callers load people, gaps and line-management chains, and store what it decides.
//
// How a mentor is scored for a mentee (at most 100 points, each part shown to the mentee):
//
//	Elements      50 × the share of the mentee's total gap in elements the mentor helps with
//	Career level  25 if the mentor is 1 to 3 levels ahead; 10 at the same level or 4 or more
//	              ahead (still useful, but further from the mentee's next step); 0 if below
//	Mode          10 if the mentor offers a mode the mentee asked for (any mode, if they asked
//	              for none)
//	Region         5 in the same region, or when they can meet by video, where distance
//	              does not matter
//	Places        10 × the share of the mentor's places still free, so that busy mentors are
//	              offered a little less often and their mentees keep their attention
//
// A pair is never matched (Eligible is false, with a Reason) when the mentor is the mentee,
// when the caller excluded the mentor for the mentee (Mentee.Excluded), when they are in one
// line-management chain (one manages the other, directly or further up, or
// they share a manager), or when the mentor has no places left. Mentoring needs a safe space
// outside line management, so a shared chain is a rule, not a penalty.
package match

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
)

// Weights of the parts: the maxima, as documented above.
const (
	elementsWeight = 50
	levelBest      = 25 // 1 to 3 levels ahead
	levelSome      = 10 // same level, or 4 or more ahead
	modeWeight     = 10
	regionWeight   = 5
	placesWeight   = 10
)

// Reasons a pair is ineligible.
const (
	ReasonSelf  = "is you"
	ReasonChain = "in the same line-management chain"
	ReasonFull  = "has no places left"
)

// Video is the mode that makes region irrelevant.
const Video = "video"

// Mentee is a person asking for a mentor.
type Mentee struct {
	ID       int64
	Level    int
	Gaps     map[string]float64 // element key -> gap size > 0; other sizes are ignored
	Modes    []string           // e.g. "video", "phone", "in person"; none means any
	Region   string
	Managers []int64 // ids up their line-management chain, nearest first
	// Excluded are mentors this mentee may not be matched with for reasons the caller knows
	// (they do not offer what was asked, cost more than the budget, were already asked), each
	// with its reason in plain words.
	Excluded map[int64]string
}

// Mentor is a person offering to mentor.
type Mentor struct {
	ID               int64
	Level            int
	Elements         []string // element keys they help with
	Modes            []string
	Region           string
	Capacity, Active int     // how many mentees at once, and how many they have now
	Chain            []int64 // this mentor's own id and those up their chain
}

// Part is one explained part of a score.
type Part struct {
	Name   string  // e.g. "Career level"
	Detail string  // plain English, e.g. "2 levels ahead of you"
	Points float64 // what this part adds to the total
}

// Score is one mentor scored for one mentee.
type Score struct {
	MentorID int64
	Total    float64 // the sum of the parts' points
	Parts    []Part  // always in the same order: elements, level, mode, region, places, chain
	Eligible bool
	Reason   string // why not, when not eligible
}

// ScoreOne scores mentor mo for mentee me, naming elements by their keys made readable
// ("influence-and-advocacy" reads "Influence and advocacy").
func ScoreOne(me Mentee, mo Mentor) Score { return ScoreOneWith(me, mo, nil) }

// ScoreOneWith is ScoreOne with elements named by title (e.g. a framework's element titles);
// a nil title, or one that answers "", falls back to the readable key.
func ScoreOneWith(me Mentee, mo Mentor, title func(key string) string) Score {
	fe, fo := menteeFactsOf(&me), mentorFactsOf(&mo)
	return explain(&fe, &fo, points(&fe, &fo), title)
}

// Rank scores every mentor for a mentee: eligible mentors first, highest total first, and ties
// (and equal totals among the ineligible) in mentor id order, so the list never shuffles.
func Rank(me Mentee, mentors []Mentor) []Score { return RankWith(me, mentors, nil) }

// RankWith is Rank with elements named by title, as in ScoreOneWith.
func RankWith(me Mentee, mentors []Mentor, title func(key string) string) []Score {
	fe := menteeFactsOf(&me)
	out := make([]Score, len(mentors))
	for i := range mentors {
		fo := mentorFactsOf(&mentors[i])
		out[i] = explain(&fe, &fo, points(&fe, &fo), title)
	}
	slices.SortStableFunc(out, func(a, b Score) int {
		if a.Eligible != b.Eligible {
			if a.Eligible {
				return -1
			}
			return 1
		}
		if a.Total != b.Total {
			return cmp.Compare(b.Total, a.Total)
		}
		return cmp.Compare(a.MentorID, b.MentorID)
	})
	return out
}

// menteeFacts and mentorFacts are what scoring needs, worked out once per person so that a
// cohort's 150,000 pairs are scored without re-sorting or re-normalising anyone.
type menteeFacts struct {
	m        *Mentee
	gapKeys  []string // the valid gaps' keys, sorted: the one order gaps are ever summed in
	totalGap float64
	modes    []string // normalised, without repeats, in the mentee's order
	region   string   // normalised
}

type mentorFacts struct {
	m        *Mentor
	elements map[string]bool
	modes    []string
	region   string
	free     int
}

func menteeFactsOf(me *Mentee) menteeFacts {
	f := menteeFacts{m: me, modes: normalSet(me.Modes), region: normal(me.Region)}
	for k, g := range me.Gaps {
		if validGap(g) {
			f.gapKeys = append(f.gapKeys, k)
		}
	}
	slices.Sort(f.gapKeys)
	for _, k := range f.gapKeys {
		f.totalGap += me.Gaps[k]
	}
	return f
}

func mentorFactsOf(mo *Mentor) mentorFacts {
	f := mentorFacts{m: mo, modes: normalSet(mo.Modes), region: normal(mo.Region),
		elements: make(map[string]bool, len(mo.Elements))}
	for _, e := range mo.Elements {
		f.elements[e] = true
	}
	f.free = mo.Capacity - max(mo.Active, 0)
	return f
}

// validGap keeps only real, positive gaps, so one bad value cannot poison every share.
func validGap(g float64) bool { return g > 0 && !math.IsInf(g, 1) }

func normal(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

func normalSet(in []string) []string {
	out := make([]string, 0, len(in))
	for _, s := range in {
		if n := normal(s); n != "" && !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	return out
}

// pairPoints is a pair's points before any words are written: AssignCohort needs only these,
// and ScoreOne explains exactly the same numbers.
type pairPoints struct {
	covered                                 float64 // gap covered by the mentor's elements
	elements, level, mode, region, capacity float64
	reason                                  string // "" when eligible
}

func (p *pairPoints) total() float64 {
	return p.elements + p.level + p.mode + p.region + p.capacity
}

func points(fe *menteeFacts, fo *mentorFacts) pairPoints {
	var p pairPoints
	me, mo := fe.m, fo.m
	// Summed in the same order as the total, so a mentor covering every gap scores exactly 50.
	for _, k := range fe.gapKeys {
		if fo.elements[k] {
			p.covered += me.Gaps[k]
		}
	}
	if fe.totalGap > 0 {
		p.elements = elementsWeight * p.covered / fe.totalGap
	}
	switch d := mo.Level - me.Level; {
	case d >= 1 && d <= 3:
		p.level = levelBest
	case d >= 0:
		p.level = levelSome
	}
	anyMode, video := modesMet(fe, fo)
	if anyMode {
		p.mode = modeWeight
	}
	if (fe.region != "" && fe.region == fo.region) || video {
		p.region = regionWeight
	}
	if fo.free > 0 && mo.Capacity > 0 {
		p.capacity = placesWeight * float64(fo.free) / float64(mo.Capacity)
	}
	switch {
	case me.ID == mo.ID:
		p.reason = ReasonSelf
	case me.Excluded[mo.ID] != "":
		p.reason = me.Excluded[mo.ID]
	case sameChain(me, mo):
		p.reason = ReasonChain
	case fo.free <= 0:
		p.reason = ReasonFull
	}
	return p
}

// sharedModes are the modes the mentor offers that the mentee asked for; a mentee who asked
// for none takes any.
func sharedModes(fe *menteeFacts, fo *mentorFacts) []string {
	if len(fe.modes) == 0 {
		return fo.modes
	}
	var out []string
	for _, m := range fe.modes {
		if slices.Contains(fo.modes, m) {
			out = append(out, m)
		}
	}
	return out
}

// modesMet says what sharedModes would, without building the list: whether any mode is shared,
// and whether video is. Scoring a cohort calls it for every pair.
func modesMet(fe *menteeFacts, fo *mentorFacts) (anyMode, video bool) {
	for _, m := range fo.modes {
		if len(fe.modes) == 0 || slices.Contains(fe.modes, m) {
			anyMode = true
			video = video || m == Video
		}
	}
	return anyMode, video
}

// sameChain: the mentor manages the mentee (directly or further up), the mentee manages the
// mentor, or someone manages them both.
func sameChain(me *Mentee, mo *Mentor) bool {
	if slices.Contains(me.Managers, mo.ID) || slices.Contains(mo.Chain, me.ID) {
		return true
	}
	for _, m := range me.Managers {
		if slices.Contains(mo.Chain, m) {
			return true
		}
	}
	return false
}

func explain(fe *menteeFacts, fo *mentorFacts, p pairPoints, title func(string) string) Score {
	mo := fo.m
	s := Score{MentorID: mo.ID, Total: p.total(), Eligible: p.reason == "", Reason: p.reason}
	s.Parts = []Part{
		{"Elements", elementsDetail(fe, fo, p, title), p.elements},
		{"Career level", levelDetail(mo.Level - fe.m.Level), p.level},
		{"Mode", modeDetail(fe, fo), p.mode},
		{"Region", regionDetail(fe, fo, p), p.region},
		{"Places", placesDetail(mo.Capacity, fo.free), p.capacity},
		{"Line management", chainDetail(p.reason), 0},
	}
	return s
}

// maxNamed is how many elements a detail names before saying "and N more".
const maxNamed = 3

func elementsDetail(fe *menteeFacts, fo *mentorFacts, p pairPoints, title func(string) string) string {
	if fe.totalGap == 0 {
		return "you have no gaps recorded yet"
	}
	var keys []string
	for _, k := range fe.gapKeys {
		if fo.elements[k] {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return "does not help with any of your gaps"
	}
	gaps := fe.m.Gaps
	slices.SortStableFunc(keys, func(a, b string) int { return cmp.Compare(gaps[b], gaps[a]) })
	names := make([]string, 0, maxNamed+1)
	for _, k := range keys[:min(len(keys), maxNamed)] {
		names = append(names, elementName(k, title))
	}
	if more := len(keys) - maxNamed; more > 0 {
		names = append(names, fmt.Sprintf("%d more", more))
	}
	return fmt.Sprintf("helps with %s, %d%% of your gaps", joinList(names, "and"),
		percent(p.covered/fe.totalGap))
}

// percent never rounds a partial share up to 100% or a real one down to 0%.
func percent(share float64) int {
	n := int(math.Round(share * 100))
	switch {
	case n >= 100 && share < 1:
		return 99
	case n <= 0 && share > 0:
		return 1
	}
	return n
}

func elementName(key string, title func(string) string) string {
	if title != nil {
		if t := title(key); t != "" {
			return t
		}
	}
	s := strings.NewReplacer("-", " ", "_", " ").Replace(key)
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func levelDetail(d int) string {
	switch {
	case d == 0:
		return "at your level"
	case d > 0:
		return plural(d, "level") + " ahead of you"
	}
	return plural(-d, "level") + " below you"
}

func modeDetail(fe *menteeFacts, fo *mentorFacts) string {
	if shared := sharedModes(fe, fo); len(shared) > 0 {
		return "offers " + joinList(shared, "and")
	}
	if len(fo.modes) == 0 {
		return "has not said how they meet"
	}
	return "does not offer " + joinList(fe.modes, "or")
}

func regionDetail(fe *menteeFacts, fo *mentorFacts, p pairPoints) string {
	switch {
	case fe.region != "" && fe.region == fo.region:
		return "also in " + strings.TrimSpace(fo.m.Region)
	case p.region > 0:
		return "meets by video, so distance does not matter"
	case fo.region == "":
		return "has not given a region"
	case fe.region == "":
		return "in " + strings.TrimSpace(fo.m.Region) + "; you have not given a region"
	}
	return "in " + strings.TrimSpace(fo.m.Region) + ", not your region"
}

func placesDetail(capacity, free int) string {
	switch {
	case free <= 0 || capacity <= 0:
		return ReasonFull
	case capacity == 1:
		return "their one place is free"
	}
	return fmt.Sprintf("%d of %d places free", free, capacity)
}

func chainDetail(reason string) string {
	switch reason {
	case ReasonSelf, ReasonChain:
		return reason
	}
	return "outside your line-management chain"
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// joinList writes "a", "a and b", "a, b and c".
func joinList(items []string, conj string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + " " + conj + " " + items[len(items)-1]
}
