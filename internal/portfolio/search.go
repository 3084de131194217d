package portfolio

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/pillars-ot/pillars/internal/store"
	"github.com/pillars-ot/pillars/internal/valid"
)

// Filter narrows the owner's saved entries. Every field is optional.
type Filter struct {
	Query    string // words to find in titles and reflections
	Type     string // an activity type key
	Tag      Tag    // an element of any framework
	Standard string // an HCPC standard key (a tag in the CPD framework)
	From, To string // YYYY-MM-DD, inclusive, on the activity's start date
	Page     int    // from 1
}

// PageSize is how many entries a list page shows.
const PageSize = 25

// Item is one entry in a list: enough to show a line, without the whole reflection.
type Item struct {
	ID           int64
	Title        string
	StartedOn    string
	EndedOn      string
	ActivityType string
	Minutes      int
	Model        string
	Snippet      string
	Tags         []Tag
	Evidence     int
}

// Hours shows the item's hours.
func (i *Item) Hours() string { return FormatHours(i.Minutes) }

// Results is one page of a list.
type Results struct {
	Items []Item
	Total int
	Page  int
	Pages int
}

// CheckFilter validates a filter's dates, so a list never silently ignores what was typed.
func CheckFilter(f *Filter) valid.Errors {
	var errs valid.Errors
	f.Query = strings.TrimSpace(f.Query)
	for _, d := range []struct {
		field string
		v     *string
	}{{"from", &f.From}, {"to", &f.To}} {
		*d.v = strings.TrimSpace(*d.v)
		if *d.v == "" {
			continue
		}
		if _, err := time.Parse(time.DateOnly, *d.v); err != nil {
			errs.Add(d.field, "Enter a real date, like 2026-03-31")
		}
	}
	if f.From != "" && f.To != "" && f.To < f.From && !errs.Any() {
		errs.Add("to", "The end of the period must be on or after its start")
	}
	if utf8.RuneCountInString(f.Query) > 200 {
		errs.Add("q", "Search for 200 characters or fewer")
	}
	if f.Page < 1 {
		f.Page = 1
	}
	return errs
}

// Search lists the owner's saved entries matching the filter: by relevance when there are words
// to find, otherwise newest first (the timeline).
func (s *Service) Search(ctx context.Context, ownerID int64, f Filter) (*Results, error) {
	if errs := CheckFilter(&f); errs.Any() {
		return nil, errs
	}
	where := []string{"e.user_id = ?", "e.status = 'saved'"}
	args := []any{ownerID}
	from := "cpd_entries e"
	order := "e.started_on DESC, e.id DESC"
	var orderArgs []any
	words := store.SearchTerms(f.Query)
	if len(words) > 0 {
		if s.db.Dialect == store.SQLite {
			// CROSS JOIN makes SQLite run the full-text query once and look entries up by id.
			// With a plain JOIN and a date filter it drove the loop from the entries index and
			// re-ran the MATCH for every row: 2 s instead of milliseconds for 2,000 entries.
			from = "cpd_search CROSS JOIN cpd_entries e ON e.id = cpd_search.rowid"
			where = append(where, "cpd_search MATCH ?")
			args = append(args, store.FTS5Match(words))
			order = "bm25(cpd_search), e.started_on DESC"
		} else {
			tsquery := store.TSQuery(words)
			where = append(where, "e.search @@ to_tsquery('english', ?)")
			args = append(args, tsquery)
			// Relevance is how well the title matches, then the newest first: ranking against
			// the whole reflection read every match's tsvector a second time (8 of 28 ms for a
			// broad search over 2,000 entries), and the title is where the words matter most.
			order = "ts_rank(to_tsvector('english', e.title), to_tsquery('english', ?)) DESC, e.started_on DESC"
			orderArgs = []any{tsquery}
		}
	}
	if f.Type != "" {
		where, args = append(where, "e.activity_type = ?"), append(args, f.Type)
	}
	if f.Tag.Element != "" {
		where = append(where, "EXISTS (SELECT 1 FROM cpd_entry_tags t WHERE t.entry_id = e.id AND t.framework_key = ? AND t.element_key = ?)")
		args = append(args, f.Tag.Framework, f.Tag.Element)
	}
	if f.Standard != "" {
		where = append(where, "EXISTS (SELECT 1 FROM cpd_entry_tags t WHERE t.entry_id = e.id AND t.framework_key = ? AND t.element_key = ?)")
		args = append(args, CPDFramework, f.Standard)
	}
	if f.From != "" {
		where, args = append(where, "e.started_on >= ?"), append(args, f.From)
	}
	if f.To != "" {
		where, args = append(where, "e.started_on <= ?"), append(args, f.To)
	}
	cond := strings.Join(where, " AND ")
	res := &Results{Page: f.Page}
	// Where the count is cheap it runs on its own and the page reads only its 25 rows through the
	// (user, status, date) index: the timeline, and SQLite's FTS5, which counts from its own index
	// (and whose ranking function cannot run beside a window anyway). A PostgreSQL text search
	// counts in the same pass with a window, because each pass reads every match's tsvector.
	total := "0"
	separateCount := s.db.Dialect == store.SQLite || len(words) == 0
	if !separateCount {
		total = "COUNT(*) OVER ()"
	}
	pageArgs := append(append(append([]any{}, args...), orderArgs...), PageSize, (f.Page-1)*PageSize)
	// The timeline shows only the opening of each reflection, so it reads only that.
	body := "e.body"
	if len(words) == 0 {
		body = "substr(e.body, 1, 600)"
	}
	query := `SELECT e.id, e.title, e.started_on, e.ended_on, e.activity_type, e.minutes, e.model, ` + body + `,
		` + total + ` FROM ` + from + ` WHERE ` + cond + ` ORDER BY ` + order + ` LIMIT ? OFFSET ?`
	if !separateCount {
		// The window needs every match, so it ranks and counts ids alone; the page's 25 rows are
		// then read whole, and no other match's reflection is carried through the sort.
		query = `WITH page AS (SELECT e.id, ts_rank(to_tsvector('english', e.title), to_tsquery('english', ?)) AS rank, e.started_on, ` + total + ` AS total
			FROM ` + from + ` WHERE ` + cond + ` ORDER BY rank DESC, e.started_on DESC LIMIT ? OFFSET ?)
			SELECT e.id, e.title, e.started_on, e.ended_on, e.activity_type, e.minutes, e.model, e.body, page.total
			FROM page JOIN cpd_entries e ON e.id = page.id ORDER BY page.rank DESC, page.started_on DESC`
		pageArgs = append(append(append([]any{}, orderArgs...), args...), PageSize, (f.Page-1)*PageSize)
	}
	rows, err := s.db.Query(ctx, query, pageArgs...)
	if err != nil {
		return nil, fmt.Errorf("portfolio: list entries: %w", err)
	}
	defer rows.Close()
	byID := map[int64]int{}
	for rows.Next() {
		var it Item
		var body string
		if err := rows.Scan(&it.ID, &it.Title, &it.StartedOn, &it.EndedOn, &it.ActivityType, &it.Minutes, &it.Model, &body, &res.Total); err != nil {
			return nil, err
		}
		it.Snippet = snippet(strings.TrimPrefix(body, it.Title), words)
		byID[it.ID] = len(res.Items)
		res.Items = append(res.Items, it)
	}
	rows.Close() // before the queries below: see itemTags
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if separateCount || (len(res.Items) == 0 && f.Page > 1) {
		// A page past the end has no rows to carry the total: count on its own.
		if err := s.db.QueryRow(ctx, `SELECT COUNT(*) FROM `+from+` WHERE `+cond, args...).Scan(&res.Total); err != nil {
			return nil, fmt.Errorf("portfolio: count entries: %w", err)
		}
	}
	res.Pages = max(1, (res.Total+PageSize-1)/PageSize)
	if err := s.evidenceCounts(ctx, res.Items, byID); err != nil {
		return nil, err
	}
	return res, s.itemTags(ctx, res.Items, byID)
}

// evidenceCounts counts a page's evidence files in one query. As a subquery in the list it ran
// for every match before the page was cut (655 times for a broad search on PostgreSQL).
func (s *Service) evidenceCounts(ctx context.Context, items []Item, byID map[int64]int) error {
	if len(items) == 0 {
		return nil
	}
	ids := make([]any, 0, len(items))
	for _, it := range items {
		ids = append(ids, it.ID)
	}
	rows, err := s.db.Query(ctx, `SELECT entry_id, COUNT(*) FROM cpd_evidence WHERE entry_id IN (?`+strings.Repeat(", ?", len(ids)-1)+`) GROUP BY entry_id`, ids...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			return err
		}
		items[byID[id]].Evidence = n
	}
	return rows.Err()
}

// itemTags reads the tags of a page of items in one query.
func (s *Service) itemTags(ctx context.Context, items []Item, byID map[int64]int) error {
	if len(items) == 0 {
		return nil
	}
	ids := make([]any, 0, len(items))
	for _, it := range items {
		ids = append(ids, it.ID)
	}
	rows, err := s.db.Query(ctx, `SELECT entry_id, framework_key, element_key FROM cpd_entry_tags WHERE entry_id IN (?`+strings.Repeat(", ?", len(ids)-1)+`) ORDER BY framework_key, element_key`, ids...)
	if err != nil {
		return err
	}
	// Read every row before looking titles up: a title costs a query, and a query made while
	// these rows hold a read connection waits for another one; under load every connection ends
	// up held by a request waiting for a second, and the pool deadlocks.
	type tagged struct {
		id  int64
		tag Tag
	}
	var found []tagged
	for rows.Next() {
		var x tagged
		if err := rows.Scan(&x.id, &x.tag.Framework, &x.tag.Element); err != nil {
			rows.Close()
			return err
		}
		found = append(found, x)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	// A page repeats the same few tags: look each title up once per page.
	titles := map[Tag]string{}
	for _, x := range found {
		title, ok := titles[x.tag]
		if !ok {
			title = s.elementTitle(ctx, x.tag)
			titles[x.tag] = title
		}
		x.tag.Title = title
		items[byID[x.id]].Tags = append(items[byID[x.id]].Tags, x.tag)
	}
	return nil
}

// snippet returns about 200 characters of the reflection, around the first word searched for.
func snippet(body string, words []string) string {
	if len(words) == 0 && len(body) > 600 {
		// The timeline shows the opening of each reflection: tidying the whole text (thousands
		// of words) for 200 characters was a fifth of the page's time.
		cut := 600
		for cut > 0 && !utf8.RuneStart(body[cut]) {
			cut--
		}
		body = body[:cut]
	}
	body = strings.Join(strings.Fields(body), " ")
	start := 0
	// Index positions in lower are used in body, so each character must keep its byte length:
	// strings.ToLower lengthens a few letters (Ⱥ to ⱥ) and invalid UTF-8, and a snippet of such
	// text was cut in the wrong place or panicked past the end.
	lower := strings.Map(func(r rune) rune {
		if l := unicode.ToLower(r); utf8.RuneLen(l) == utf8.RuneLen(r) {
			return l
		}
		return r
	}, body)
	if len(lower) != len(body) { // invalid UTF-8: search as typed rather than misalign
		lower = body
	}
	for _, w := range words {
		if i := strings.Index(lower, w); i >= 0 {
			start = max(0, i-60)
			break
		}
	}
	for start > 0 && !utf8.RuneStart(body[start]) {
		start--
	}
	if start > 0 {
		if sp := strings.IndexByte(body[start:], ' '); sp >= 0 && sp < 20 {
			start += sp + 1
		}
	}
	out := body[start:]
	if len(out) > 200 {
		cut := 200
		for cut > 0 && !utf8.RuneStart(out[cut]) {
			cut--
		}
		if sp := strings.LastIndexByte(out[:cut], ' '); sp > 120 {
			cut = sp
		}
		out = out[:cut] + "…"
	}
	if start > 0 {
		out = "…" + out
	}
	return out
}

// Total is the hours and number of entries under one heading.
type Total struct {
	Key     string
	Label   string
	Entries int
	Minutes int
}

// Hours shows the total's hours.
func (t *Total) Hours() string { return FormatHours(t.Minutes) }

// Totals sums the owner's saved entries over a period, by activity type and by framework element.
type Totals struct {
	From, To  string
	All       Total
	ByType    []Total
	ByElement []Total
}

// Totals adds up hours by type and by element over a period (either end may be open).
func (s *Service) Totals(ctx context.Context, ownerID int64, from, to string) (*Totals, error) {
	f := Filter{From: from, To: to}
	if errs := CheckFilter(&f); errs.Any() {
		return nil, errs
	}
	cond, args := "user_id = ? AND status = 'saved'", []any{ownerID}
	if f.From != "" {
		cond, args = cond+" AND started_on >= ?", append(args, f.From)
	}
	if f.To != "" {
		cond, args = cond+" AND started_on <= ?", append(args, f.To)
	}
	t := &Totals{From: f.From, To: f.To, All: Total{Label: "All activities"}}
	types, err := s.ActivityTypes(ctx)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.Query(ctx, `SELECT activity_type, COUNT(*), COALESCE(SUM(minutes), 0) FROM cpd_entries WHERE `+cond+` GROUP BY activity_type`, args...)
	if err != nil {
		return nil, fmt.Errorf("portfolio: totals by type: %w", err)
	}
	got := map[string]Total{}
	for rows.Next() {
		var r Total
		if err := rows.Scan(&r.Key, &r.Entries, &r.Minutes); err != nil {
			rows.Close()
			return nil, err
		}
		got[r.Key] = r
		t.All.Entries += r.Entries
		t.All.Minutes += r.Minutes
	}
	rows.Close()
	for _, o := range types { // every type, in the HCPC's order, so a missing type shows as 0
		r := got[o.Key]
		r.Key, r.Label = o.Key, o.Title
		t.ByType = append(t.ByType, r)
	}
	rows, err = s.db.Query(ctx, `SELECT t.framework_key, t.element_key, COUNT(*), COALESCE(SUM(e.minutes), 0) FROM cpd_entry_tags t JOIN cpd_entries e ON e.id = t.entry_id WHERE `+
		strings.ReplaceAll(strings.ReplaceAll(strings.ReplaceAll(cond, "user_id", "e.user_id"), "status", "e.status"), "started_on", "e.started_on")+` GROUP BY t.framework_key, t.element_key`, args...)
	if err != nil {
		return nil, fmt.Errorf("portfolio: totals by element: %w", err)
	}
	var tags []Tag
	for rows.Next() {
		var r Total
		var tag Tag
		if err := rows.Scan(&tag.Framework, &tag.Element, &r.Entries, &r.Minutes); err != nil {
			rows.Close()
			return nil, err
		}
		r.Key = tag.Framework + ":" + tag.Element
		tags = append(tags, tag)
		t.ByElement = append(t.ByElement, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i, tag := range tags { // titles once the rows are closed (see itemTags)
		t.ByElement[i].Label = s.elementTitle(ctx, tag)
	}
	sort.SliceStable(t.ByElement, func(i, j int) bool {
		if t.ByElement[i].Minutes != t.ByElement[j].Minutes {
			return t.ByElement[i].Minutes > t.ByElement[j].Minutes
		}
		return t.ByElement[i].Label < t.ByElement[j].Label
	})
	return t, nil
}
