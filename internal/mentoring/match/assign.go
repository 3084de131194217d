package match

import (
	"cmp"
	"fmt"
	"math"
	"slices"
)

// Cohort matching is the Hungarian algorithm (Kuhn–Munkres) in its shortest-augmenting-path
// form with row and column potentials (as in Jonker–Volgenant), on a mentee × mentor-slot
// matrix: each mentor becomes one column per free place, so "at most Capacity-Active mentees"
// becomes the one-to-one assignment the algorithm solves. It runs in O(r²·c) for r mentees
// and c slots, with no allocation inside the loops.
//
// Why the Hungarian algorithm rather than min-cost flow: the matrix is dense (nearly every
// mentee may be matched with nearly every mentor), so plain arrays beat a flow network's edge
// lists and heap, and the whole algorithm is one short function to check against the textbook.
//
// Unmatched mentees. The algorithm assigns every row, so a pair that may not be matched has
// weight 0, the same as leaving the mentee unmatched, and there are at least as many columns as
// rows (zero-weight "no mentor" columns make up any shortfall). Eligible pairs always score
// more than 0 (a mentor with a free place earns Places points), so an assignment of maximum
// weight never gains by a zero-weight pair: those pairs are read back as "unmatched" and the
// slot they sat in is simply left free. Adding a match therefore never lowers the total.

// Assignment is a cohort matched to mentors.
type Assignment struct {
	Pairs     map[int64]int64 // mentee id -> mentor id
	Total     float64         // the sum of the matched pairs' scores: the largest possible
	Unmatched []int64         // mentee ids with no mentor, ascending
}

// AssignCohort matches mentees to mentors so that the total score is as large as possible,
// each mentee having at most one mentor and each mentor at most Capacity-Active new mentees.
// Ineligible pairs are never matched. The result depends only on the people given, not on
// the order they are given in: both lists are put in id order first, which also fixes how
// ties between equally good assignments fall. Duplicate ids are an error.
func AssignCohort(mentees []Mentee, mentors []Mentor) (Assignment, error) {
	mes, err := byID(mentees, func(m *Mentee) int64 { return m.ID }, "mentee")
	if err != nil {
		return Assignment{}, err
	}
	mos, err := byID(mentors, func(m *Mentor) int64 { return m.ID }, "mentor")
	if err != nil {
		return Assignment{}, err
	}
	nMo := len(mos)
	facts := make([]mentorFacts, nMo)
	for j, mo := range mos {
		facts[j] = mentorFactsOf(mo)
	}

	// Scores once, as weights: row i holds mentee i's weight for each mentor, then a 0 that
	// every "no mentor" column points at, so the inner loop needs no branch for them.
	stride := nMo + 1
	var (
		weights  []float64
		rowOf    []int // matrix row -> index in mes, for mentees with any eligible mentor
		eligible = make([]int, nMo)
	)
	rowW := make([]float64, stride)
	for i, me := range mes {
		fe := menteeFactsOf(me)
		hasAny := false
		for j := range facts {
			p := points(&fe, &facts[j])
			rowW[j] = 0
			if t := p.total(); p.reason == "" && t > 0 {
				rowW[j] = t
				eligible[j]++
				hasAny = true
			}
		}
		if hasAny {
			weights = append(weights, rowW...)
			rowOf = append(rowOf, i)
		}
	}

	// One column per free place, but never more than the mentees who could take them.
	var colMentor []int
	for j := range facts {
		for range min(facts[j].free, eligible[j]) {
			colMentor = append(colMentor, j)
		}
	}
	for len(colMentor) < len(rowOf) {
		colMentor = append(colMentor, nMo) // no mentor
	}

	colOfRow := hungarianMax(weights, stride, len(rowOf), colMentor)

	a := Assignment{Pairs: make(map[int64]int64)}
	matched := make([]bool, len(mes))
	for r, c := range colOfRow {
		j := colMentor[c]
		if w := weights[r*stride+j]; j < nMo && w > 0 {
			i := rowOf[r]
			matched[i] = true
			a.Pairs[mes[i].ID] = mos[j].ID
			a.Total += w // rows are in mentee id order, so the sum is always added up alike
		}
	}
	for i, me := range mes {
		if !matched[i] {
			a.Unmatched = append(a.Unmatched, me.ID)
		}
	}
	return a, nil
}

// byID returns pointers to the items in id order, or an error naming a repeated id.
func byID[T any](items []T, id func(*T) int64, what string) ([]*T, error) {
	out := make([]*T, len(items))
	for i := range items {
		out[i] = &items[i]
	}
	slices.SortStableFunc(out, func(a, b *T) int { return cmp.Compare(id(a), id(b)) })
	for i := 1; i < len(out); i++ {
		if id(out[i]) == id(out[i-1]) {
			return nil, fmt.Errorf("match: %s %d appears twice", what, id(out[i]))
		}
	}
	return out, nil
}

// hungarianMax assigns each of rows rows to a different column, maximising the total weight,
// where the weight of row r and column c is w[r*stride+colMentor[c]]; it needs
// len(colMentor) >= rows and returns each row's column.
//
// It is the classic O(rows²·cols) shortest-augmenting-path Hungarian algorithm minimising the
// cost -weight: rows are added one at a time, and each is placed by a Dijkstra-like search over
// columns using reduced costs cost-u[row]-v[col], which the potentials u and v keep
// non-negative, moving earlier rows along the cheapest alternating path. Index 0 of p, way, v
// and minv is a virtual column that holds the row being added.
func hungarianMax(w []float64, stride, rows int, colMentor []int) []int {
	cols := len(colMentor)
	u := make([]float64, rows+1)
	v := make([]float64, cols+1)
	p := make([]int, cols+1) // p[c]: the row (1-based) in column c, 0 if free
	way := make([]int, cols+1)
	minv := make([]float64, cols+1)
	used := make([]bool, cols+1)
	for i := 1; i <= rows; i++ {
		p[0] = i
		c0 := 0
		for c := range minv {
			minv[c] = math.Inf(1)
			used[c] = false
		}
		for {
			used[c0] = true
			i0 := p[c0]
			row := w[(i0-1)*stride : i0*stride]
			ui := u[i0]
			delta, c1 := math.Inf(1), 0
			for c := 1; c <= cols; c++ {
				if used[c] {
					continue
				}
				if cur := -row[colMentor[c-1]] - ui - v[c]; cur < minv[c] {
					minv[c] = cur
					way[c] = c0
				}
				if minv[c] < delta {
					delta, c1 = minv[c], c
				}
			}
			for c := 0; c <= cols; c++ {
				if used[c] {
					u[p[c]] += delta
					v[c] -= delta
				} else {
					minv[c] -= delta
				}
			}
			c0 = c1
			if p[c0] == 0 {
				break
			}
		}
		for c0 != 0 {
			c1 := way[c0]
			p[c0] = p[c1]
			c0 = c1
		}
	}
	colOfRow := make([]int, rows)
	for c := 1; c <= cols; c++ {
		if p[c] != 0 {
			colOfRow[p[c]-1] = c - 1
		}
	}
	return colOfRow
}
