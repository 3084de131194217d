package assess

import (
	"context"
	"fmt"
	"math"
	"sort"

	"github.com/pillars-ot/pillars/internal/framework"
)

// MinCell is the fewest people a heat map cell may be built from. Smaller cells are withheld so
// that no one's self-assessment can be inferred.
const MinCell = 5

// Cell is one team's mean on one element.
type Cell struct {
	Mean  float64
	N     int
	Shown bool
}

// HeatMap is an organisation's elements by team, from each member's latest self-assessment. It
// never names or shows an individual.
type HeatMap struct {
	Framework *framework.Framework
	Teams     []string
	People    map[string]int // team -> people with an assessment
	Cells     map[string]map[string]Cell
}

// Cell returns a team's cell for an element.
func (h *HeatMap) Cell(team, element string) Cell { return h.Cells[team][element] }

// HeatMap aggregates an organisation's members' latest assessments on a framework. Callers must
// have checked that the person asking may see the organisation's aggregates.
func (s *Service) HeatMap(ctx context.Context, orgID int64, frameworkKey string) (*HeatMap, error) {
	f, _, err := s.frameworks.Get(ctx, frameworkKey, "")
	if err != nil {
		return nil, err
	}
	h := &HeatMap{Framework: f, People: map[string]int{}, Cells: map[string]map[string]Cell{}}
	rows, err := s.db.Query(ctx, `
		SELECT m.team, r.element_key, SUM(r.rating), COUNT(r.rating)
		FROM (SELECT DISTINCT user_id, team FROM memberships WHERE org_id = ?) m
		JOIN assessments a ON a.user_id = m.user_id AND a.framework_key = ? AND a.is_latest = ?
		JOIN assessment_ratings r ON r.assessment_id = a.id
		WHERE r.rating IS NOT NULL
		GROUP BY m.team, r.element_key`, orgID, frameworkKey, true)
	if err != nil {
		return nil, fmt.Errorf("assess: heat map: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var team, el string
		var sum, n int
		if err := rows.Scan(&team, &el, &sum, &n); err != nil {
			return nil, err
		}
		if team == "" {
			team = "No team recorded"
		}
		if h.Cells[team] == nil {
			h.Cells[team] = map[string]Cell{}
		}
		c := Cell{N: n}
		if n >= MinCell {
			c.Mean, c.Shown = math.Round(float64(sum)/float64(n)*10)/10, true
		}
		h.Cells[team][el] = c
		if n > h.People[team] {
			h.People[team] = n
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for t := range h.Cells {
		h.Teams = append(h.Teams, t)
	}
	sort.Strings(h.Teams)
	return h, nil
}
