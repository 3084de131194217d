package assess

import (
	"context"
	"fmt"
	"math"
	"sort"
	"time"

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
	// PublishedAt is when the newest team figures were published. A team's figures are published
	// only after at least 5 different people in it have changed (package rollup), so no view can
	// be compared with an earlier one to single out one person.
	PublishedAt time.Time
}

// Cell returns a team's cell for an element.
func (h *HeatMap) Cell(team, element string) Cell { return h.Cells[team][element] }

// NoTeam labels members whose team is not recorded.
const NoTeam = "No team recorded"

// HeatMap aggregates an organisation's members' latest assessments on a framework. Callers must
// have checked that the person asking may see the organisation's aggregates.
//
// It reads the published running totals kept by package rollup (one row per team, framework version and
// element) rather than every rating: a trust of 5,000 people with 20 ratings each is 1,000 rows
// instead of 100,000. Names are put back from the small result in Go.
func (s *Service) HeatMap(ctx context.Context, orgID int64, frameworkKey string) (*HeatMap, error) {
	f, _, err := s.frameworks.Get(ctx, frameworkKey, "")
	if err != nil {
		return nil, err
	}
	teamNames := map[int64]string{0: NoTeam}
	trows, err := s.db.Query(ctx, `SELECT id, name FROM teams WHERE org_id = ?`, orgID)
	if err != nil {
		return nil, err
	}
	for trows.Next() {
		var id int64
		var name string
		if err := trows.Scan(&id, &name); err != nil {
			trows.Close()
			return nil, err
		}
		teamNames[id] = name
	}
	trows.Close()

	rows, err := s.db.Query(ctx, `SELECT team_id, version_id, element_pos, total, n, published_at FROM heat_published
		WHERE org_id = ? AND framework_key = ? AND n > 0`, orgID, frameworkKey)
	if err != nil {
		return nil, fmt.Errorf("assess: heat map: %w", err)
	}
	type acc struct{ sum, n int }
	totals := map[string]map[string]acc{}
	versions := map[int64][]*framework.Element{} // version -> rateable elements by position
	type part struct {
		team        int64
		version     int64
		pos, sum, n int
		at          time.Time
	}
	var parts []part
	for rows.Next() {
		var p part
		if err := rows.Scan(&p.team, &p.version, &p.pos, &p.sum, &p.n, &p.at); err != nil {
			rows.Close()
			return nil, err
		}
		parts = append(parts, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var latest time.Time
	for _, p := range parts {
		if p.at.After(latest) {
			latest = p.at
		}
		els, ok := versions[p.version]
		if !ok {
			vf, _, err := s.frameworks.GetVersionByID(ctx, frameworkKey, p.version)
			if err != nil {
				return nil, err
			}
			els = vf.Rateable()
			versions[p.version] = els
		}
		if p.pos < 0 || p.pos >= len(els) {
			continue
		}
		team := teamNames[p.team]
		if team == "" {
			team = NoTeam
		}
		if totals[team] == nil {
			totals[team] = map[string]acc{}
		}
		key := els[p.pos].Key
		t := totals[team][key]
		totals[team][key] = acc{t.sum + p.sum, t.n + p.n}
	}
	h := &HeatMap{Framework: f, People: map[string]int{}, Cells: map[string]map[string]Cell{}, PublishedAt: latest}
	for team, els := range totals {
		h.Teams = append(h.Teams, team)
		h.Cells[team] = map[string]Cell{}
		for key, t := range els {
			c := Cell{N: t.n}
			if t.n >= MinCell {
				c.Mean, c.Shown = math.Round(float64(t.sum)/float64(t.n)*10)/10, true
			}
			h.Cells[team][key] = c
			h.People[team] = max(h.People[team], t.n)
		}
	}
	sort.Strings(h.Teams)
	return h, nil
}
