package directory

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/pillars-ot/pillars/internal/store"
)

// Recommend ranks courses and resources for one person. The score is a sum of points:
//
//   - gaps: for each of the person's gaps the item develops, 10 x (that gap's size / the largest
//     gap's size), so the largest gap counts most; an item that develops none is not shown;
//   - level: 3 when the person's career level is one of the item's levels, 1.5 for their next;
//   - cost: 2 when free, 1 for a known price within the budget, 0 when the price is unknown;
//     a known price over the budget (BudgetPence >= 0) is never shown;
//   - format: 2 when the item's format is one the person prefers;
//   - region: 2 for an in-person item whose location names the person's region.
//
// Ties go to the title, then the id, so the order is stable. Why says each point in words.

// Gap is one element the person wants to develop, with how far they are from their target.
type Gap struct {
	Framework string
	Element   string
	Title     string
	Size      float64
}

// Profile is what a ranking knows about the person.
type Profile struct {
	Gaps        []Gap // largest first
	Picked      bool  // the gaps are elements the person chose, not measured
	Level       int   // career level, 0 when not recorded
	BudgetPence int   // -1 no limit, 0 free only
	Formats     []string
	Region      string
}

// Recommendation is one ranked item with its score and the reasons, in plain English.
type Recommendation struct {
	Item  *Entry
	Score float64
	Why   []string
	Gap   Gap // the largest gap the item develops: where "Add to my plan" puts it
}

const (
	pointsGap        = 10.0
	pointsLevel      = 3.0
	pointsNextLevel  = 1.5
	pointsFree       = 2.0
	pointsKnownPrice = 1.0
	pointsFormat     = 2.0
	pointsRegion     = 2.0
)

var ordinals = []string{"largest", "second-largest", "third-largest"}

// gapPhrase says why a gap counted: "develops Influence, your largest gap".
func gapPhrase(p Profile, i int) string {
	t := p.Gaps[i].Title
	switch {
	case p.Picked && i == 0:
		return "develops " + t + ", your first choice"
	case p.Picked:
		return "develops " + t + ", which you chose"
	case i < len(ordinals):
		return "develops " + t + ", your " + ordinals[i] + " gap"
	}
	return "develops " + t + ", one of your gaps"
}

var formatWords = map[string]string{"online": "online", "blended": "blended", "in-person": "in person"}

// Recommend ranks items for the profile (see the comment at the top of this file). Only
// published courses and resources within budget that develop one of the gaps are returned.
func Recommend(items []*Entry, p Profile) []Recommendation { return RecommendTop(items, p, 0) }

// RecommendTop is Recommend keeping only the best n (all when n <= 0): it scores every item
// without building any text, and writes the reasons only for the ones it returns.
func RecommendTop(items []*Entry, p Profile, n int) []Recommendation {
	largest := 0.0
	for _, g := range p.Gaps {
		largest = max(largest, g.Size)
	}
	gapIndex := make(map[string]int, len(p.Gaps))
	for i, g := range p.Gaps {
		ref := g.Framework + ":" + g.Element
		if _, seen := gapIndex[ref]; !seen {
			gapIndex[ref] = i
		}
	}
	formats := map[string]bool{}
	for _, f := range p.Formats {
		formats[f] = true
	}
	region := strings.ToLower(strings.TrimSpace(p.Region))
	regional := func(e *Entry) bool {
		return region != "" && e.Format == string(FormatInPerson) && strings.Contains(strings.ToLower(e.Location), region)
	}

	type scored struct {
		e     *Entry
		score float64
		gaps  uint64 // bit i: develops gap i (the first 64 gaps)
	}
	var all []scored
	for _, e := range items {
		if e.Status != StatusPublished || (e.Group != GroupCourses && e.Group != GroupResources) {
			continue
		}
		if p.BudgetPence >= 0 && !e.Free && e.CostPence != nil && *e.CostPence > int64(p.BudgetPence) {
			continue
		}
		var sc scored
		for _, ref := range e.Elements {
			if i, ok := gapIndex[ref]; ok && i < 64 && sc.gaps&(1<<i) == 0 {
				sc.gaps |= 1 << i
				w := 1.0
				if largest > 0 {
					w = p.Gaps[i].Size / largest
				}
				sc.score += pointsGap * w
			}
		}
		if sc.gaps == 0 {
			continue
		}
		sc.e = e
		if p.Level > 0 {
			if hasLevel(e.Levels, p.Level) {
				sc.score += pointsLevel
			} else if hasLevel(e.Levels, p.Level+1) {
				sc.score += pointsNextLevel
			}
		}
		if e.Free {
			sc.score += pointsFree
		} else if e.CostPence != nil {
			sc.score += pointsKnownPrice
		}
		if e.Format != "" && formats[e.Format] {
			sc.score += pointsFormat
		}
		if regional(e) {
			sc.score += pointsRegion
		}
		all = append(all, sc)
	}
	sort.Slice(all, func(i, j int) bool {
		a, b := all[i], all[j]
		if a.score != b.score {
			return a.score > b.score
		}
		if a.e.Title != b.e.Title {
			return a.e.Title < b.e.Title
		}
		return a.e.ID < b.e.ID
	})
	if n > 0 && len(all) > n {
		all = all[:n]
	}

	out := make([]Recommendation, len(all))
	for k, sc := range all {
		e := sc.e
		r := Recommendation{Item: e, Score: sc.score}
		for i := range p.Gaps {
			if i < 64 && sc.gaps&(1<<i) != 0 {
				if len(r.Why) == 0 {
					r.Gap = p.Gaps[i]
				}
				r.Why = append(r.Why, gapPhrase(p, i))
			}
		}
		if p.Level > 0 {
			if hasLevel(e.Levels, p.Level) {
				r.Why = append(r.Why, "suits level "+strconv.Itoa(p.Level))
			} else if hasLevel(e.Levels, p.Level+1) {
				r.Why = append(r.Why, fmt.Sprintf("suits level %d, your next level", p.Level+1))
			}
		}
		switch {
		case e.Free:
			r.Why = append(r.Why, "free")
		case e.CostPence != nil && p.BudgetPence > 0:
			r.Why = append(r.Why, "costs "+FormatPence(*e.CostPence)+", within your budget")
		case e.CostPence != nil:
			r.Why = append(r.Why, "costs "+FormatPence(*e.CostPence))
		default:
			r.Why = append(r.Why, "cost not listed: check with the provider")
		}
		if e.Format != "" && formats[e.Format] {
			r.Why = append(r.Why, formatWords[e.Format])
		}
		if regional(e) {
			r.Why = append(r.Why, "in "+e.Location)
		}
		out[k] = r
	}
	return out
}

func hasLevel(levels []int, l int) bool {
	for _, x := range levels {
		if x == l {
			return true
		}
	}
	return false
}

// Recommendations ranks the published courses and resources for the profile with
// RecommendTop and returns the best limit of them, with their full rows.
//
// The few columns the score needs, for every published course and resource, are kept in
// memory (scoringCache) and read again, in the background, only when directory_version says the
// list has changed: one single-row read instead of gathering thousands of candidates on every
// page view. The full rows are read for the ones returned.
func (s *Service) Recommendations(ctx context.Context, p Profile, limit int) ([]Recommendation, error) {
	if len(p.Gaps) == 0 {
		return nil, nil
	}
	entries, fresh, err := s.scoring.get(ctx, s.db)
	if err != nil {
		return nil, err
	}
	if !fresh {
		// The columns are being read again in the background (reading every published item
		// takes longer than one view should wait): gather this view's candidates directly.
		if entries, err = s.candidates(ctx, p); err != nil {
			return nil, err
		}
	}
	ranked := RecommendTop(entries, p, limit)
	if len(ranked) == 0 {
		return nil, nil
	}
	// The full rows of the few returned, for the page.
	ids := make([]any, len(ranked))
	for i, r := range ranked {
		ids[i] = r.Item.ID
	}
	var full []*Entry
	if err := s.list(ctx, &full, selectEntry+` WHERE d.id IN (`+placeholders(len(ids))+`)`, ids...); err != nil {
		return nil, err
	}
	if err := s.loadElements(ctx, full); err != nil {
		return nil, err
	}
	fullByID := map[int64]*Entry{}
	for _, e := range full {
		fullByID[e.ID] = e
	}
	for i := range ranked {
		if e := fullByID[ranked[i].Item.ID]; e != nil {
			ranked[i].Item = e
		}
	}
	return ranked, nil
}

// scoringCache holds what RecommendTop reads of every published course and resource (never
// the text), tagged with the directory_version it was read at. Entries are never changed once
// loaded: a reload builds a new slice, so callers may range over one without a lock.
type scoringCache struct {
	mu        sync.Mutex
	version   int64
	loaded    bool
	reloading bool
	entries   []*Entry
}

// get returns the cached entries and true when they are current. When the stored version has
// moved on it starts one reload in the background and returns false: the caller gathers its
// candidates directly meanwhile. The version is read before the rows, so a change that lands in
// between makes a later call reload rather than leaving new rows labelled with an old version.
func (c *scoringCache) get(ctx context.Context, db *store.DB) ([]*Entry, bool, error) {
	var version int64
	if err := db.QueryRow(ctx, `SELECT n FROM directory_version WHERE id = 1`).Scan(&version); err != nil {
		return nil, false, fmt.Errorf("directory: version: %w", err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.loaded && c.version == version {
		return c.entries, true, nil
	}
	if !c.reloading {
		c.reloading = true
		go c.reload(db, version)
	}
	return nil, false, nil
}

// reload reads the columns at version and keeps them unless a newer version got there first.
// A failure is dropped: the next view starts another reload.
func (c *scoringCache) reload(db *store.DB, version int64) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	entries, err := loadScoring(ctx, db)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.reloading = false
	if err == nil && (!c.loaded || version >= c.version) {
		c.version, c.loaded, c.entries = version, true, entries
	}
}

// candidates gathers, straight from the tables, the published courses and resources that
// develop one of the profile's gaps and are within its budget, with the columns the score
// needs: what a view uses while the in-memory columns are being read again.
func (s *Service) candidates(ctx context.Context, p Profile) ([]*Entry, error) {
	var refs []string
	var args []any
	for _, g := range p.Gaps {
		refs = append(refs, "(x.framework_key = ? AND x.element_key = ?)")
		args = append(args, g.Framework, g.Element)
	}
	cond := `d.id IN (SELECT x.item_id FROM directory_item_elements x WHERE ` + strings.Join(refs, " OR ") + `)
		AND d.status = 'published' AND d.grp IN ('courses', 'resources')`
	if p.BudgetPence >= 0 {
		cond += ` AND (d.free = ? OR d.cost_pence IS NULL OR d.cost_pence <= ?)`
		args = append(args, true, p.BudgetPence)
	}
	// One pass: a candidate's row once per element it develops, driven from the element index.
	return scanScoring(ctx, s.db, `SELECT d.id, d.title, d.grp, d.format, d.cost_pence, d.free, d.levels, d.location, y.framework_key, y.element_key
		FROM directory_items d JOIN directory_item_elements y ON y.item_id = d.id WHERE `+cond+` ORDER BY d.id, y.framework_key, y.element_key`, args...)
}

// loadScoring reads the scoring columns of every published course and resource, with their
// element refs, in one pass ordered by id.
func loadScoring(ctx context.Context, db *store.DB) ([]*Entry, error) {
	return scanScoring(ctx, db, `SELECT d.id, d.title, d.grp, d.format, d.cost_pence, d.free, d.levels, d.location,
		COALESCE(y.framework_key, ''), COALESCE(y.element_key, '')
		FROM directory_items d LEFT JOIN directory_item_elements y ON y.item_id = d.id
		WHERE d.status = 'published' AND d.grp IN ('courses', 'resources')
		ORDER BY d.id, y.framework_key, y.element_key`)
}

// scanScoring reads rows of (scoring columns, one element ref) ordered by id into entries.
func scanScoring(ctx context.Context, db *store.DB, query string, args ...any) ([]*Entry, error) {
	rows, err := db.Query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("directory: scoring columns: %w", err)
	}
	defer rows.Close()
	var entries []*Entry
	var last *Entry
	for rows.Next() {
		e := &Entry{Status: StatusPublished}
		var cost sql.NullInt64
		var levels, fw, el string
		if err := rows.Scan(&e.ID, &e.Title, &e.Group, &e.Format, &cost, &e.Free, &levels, &e.Location, &fw, &el); err != nil {
			return nil, err
		}
		if last == nil || last.ID != e.ID {
			if cost.Valid {
				e.CostPence = &cost.Int64
			}
			e.Levels = parseLevels(levels)
			entries = append(entries, e)
			last = e
		}
		if fw != "" {
			last.Elements = append(last.Elements, fw+":"+el)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("directory: scoring columns: %w", err)
	}
	return entries, nil
}
