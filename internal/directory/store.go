package directory

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/pillars-ot/pillars/internal/auth"
	"github.com/pillars-ot/pillars/internal/citation"
	"github.com/pillars-ot/pillars/internal/framework"
	"github.com/pillars-ot/pillars/internal/store"
)

// The three lists an entry belongs to, whatever its kind.
const (
	GroupCourses       = "courses"
	GroupResources     = "resources"
	GroupOrganisations = "organisations"
)

// Entry statuses: only published entries are ever listed or exported.
const (
	StatusPublished = "published"
	StatusPending   = "pending"
	StatusDeclined  = "declined"
)

// ErrNotFound means there is no such entry, or not one the person may see.
var ErrNotFound = errors.New("directory: not found")

// Entry is one stored directory row: a programme or course, a resource or an organisation.
type Entry struct {
	ID            int64
	Key           string // built-in rows only
	Kind          string
	Group         string
	Provider      string
	Title         string
	Summary       string
	Format        string
	Length        string
	Hours         int
	CostPence     *int64
	Free          bool
	CostNote      string
	Eligibility   string
	Levels        []int
	Award         string
	Location      string
	URL           string
	Authors       []string
	Year          int
	Journal       string
	Volume        string
	Issue         string
	Pages         string
	Publisher     string
	DOI           string
	Annotation    string
	Elements      []string // "framework:element"
	ElementTitles []string // the same, as titles to show
	Identity      string
	Status        string
	SuggestedBy   int64 // 0 for built-in and imported rows
	DeclineReason string
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// CostLabel shows the price: "Free", "£1,250.50", or "" when unknown.
func (e *Entry) CostLabel() string {
	switch {
	case e.Free:
		return "Free"
	case e.CostPence != nil:
		return FormatPence(*e.CostPence)
	}
	return ""
}

// LevelsLabel shows the levels as "5, 6 and 7".
func (e *Entry) LevelsLabel() string {
	parts := make([]string, len(e.Levels))
	for i, l := range e.Levels {
		parts[i] = strconv.Itoa(l)
	}
	if len(parts) < 2 {
		return strings.Join(parts, "")
	}
	return strings.Join(parts[:len(parts)-1], ", ") + " and " + parts[len(parts)-1]
}

// FormatPence shows whole pence as pounds: 125050 is "£1,250.50", 5000 is "£50".
func FormatPence(p int64) string {
	pounds, pence := p/100, p%100
	s := strconv.FormatInt(pounds, 10)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	if pence != 0 {
		s += fmt.Sprintf(".%02d", pence)
	}
	return "£" + s
}

// Service stores, searches and moderates the directory.
type Service struct {
	db         *store.DB
	frameworks *framework.Catalogue
	accounts   *auth.Service
	scoring    *scoringCache // what recommendations score, kept in memory (recommend.go)
}

// NewService returns the directory over a migrated database.
func NewService(db *store.DB) *Service {
	return &Service{db: db, frameworks: framework.NewCatalogue(db), accounts: auth.NewService(db), scoring: &scoringCache{}}
}

// CanModerate reports whether a person may approve, decline and import: site administrators
// and programme leads.
func CanModerate(u *auth.User) bool {
	return u != nil && (u.IsSiteAdmin() || u.Has(auth.RoleProgrammeLead))
}

// LoadBuiltin writes the embedded catalogue into the database by key. It is idempotent: run on
// every start, it brings built-in rows in step with the catalogue shipped and touches nothing else.
func (s *Service) LoadBuiltin(ctx context.Context) error {
	c := Builtin()
	var entries []Entry
	for _, it := range c.Items {
		entries = append(entries, Entry{Key: it.Key, Kind: string(it.Kind), Group: GroupCourses, Provider: it.Provider, Title: it.Title,
			Summary: it.Summary, Format: string(it.Format), Length: it.Length, Hours: it.Hours, CostPence: it.CostPence, Free: it.Free,
			CostNote: it.CostNote, Eligibility: it.Eligibility, Levels: it.Levels, Award: it.Award, Location: it.Location, URL: it.URL, Elements: it.Elements})
	}
	for _, r := range c.Resources {
		provider := r.Publisher
		if r.Journal != "" {
			provider = r.Journal
		}
		entries = append(entries, Entry{Key: r.Key, Kind: string(r.Kind), Group: GroupResources, Provider: provider, Title: r.Title,
			Summary: r.Annotation, Annotation: r.Annotation, Authors: r.Authors, Year: r.Year, Journal: r.Journal, Volume: r.Volume,
			Issue: r.Issue, Pages: r.Pages, Publisher: r.Publisher, DOI: r.DOI, URL: r.URL, Eligibility: r.Access, Elements: r.Elements})
	}
	for _, o := range c.Organisations {
		entries = append(entries, Entry{Key: o.Key, Kind: string(o.Kind), Group: GroupOrganisations, Provider: o.RunBy, Title: o.Name,
			Summary: o.Description, URL: o.URL, Elements: o.Elements})
	}
	return s.db.InTx(ctx, func(tx *store.Tx) error {
		for i := range entries {
			e := &entries[i]
			e.Status = StatusPublished
			if err := s.upsertBuiltin(ctx, tx, e); err != nil {
				return fmt.Errorf("directory: load %s: %w", e.Key, err)
			}
		}
		return nil
	})
}

// columns are the stored fields in the order values() gives them.
const columns = `kind, grp, provider, title, summary, format, length, hours, cost_pence, free, cost_note, eligibility, levels, award, location, url,
	authors, year, journal, volume, issue, pages, publisher, doi, annotation, identity, status`

func (e *Entry) values() []any {
	e.Identity = citation.Identity(citation.Reference{DOI: e.DOI, URL: e.URL})
	var cost any
	if e.CostPence != nil {
		cost = *e.CostPence
	}
	return []any{e.Kind, e.Group, e.Provider, e.Title, e.Summary, e.Format, e.Length, e.Hours, cost, e.Free, e.CostNote, e.Eligibility,
		levelsText(e.Levels), e.Award, e.Location, e.URL, strings.Join(e.Authors, "\n"), e.Year, e.Journal, e.Volume, e.Issue, e.Pages,
		e.Publisher, e.DOI, e.Annotation, e.Identity, e.Status}
}

func levelsText(levels []int) string {
	if len(levels) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString(",")
	for _, l := range levels {
		b.WriteString(strconv.Itoa(l))
		b.WriteString(",")
	}
	return b.String()
}

func parseLevels(s string) []int {
	var out []int
	for _, p := range strings.Split(strings.Trim(s, ","), ",") {
		if n, err := strconv.Atoi(p); err == nil {
			out = append(out, n)
		}
	}
	return out
}

func placeholders(n int) string { return "?" + strings.Repeat(", ?", n-1) }

func (s *Service) upsertBuiltin(ctx context.Context, tx *store.Tx, e *Entry) error {
	vals := e.values()
	now := store.Now()
	var set []string
	for _, c := range strings.Split(columns, ",") {
		c = strings.TrimSpace(c)
		set = append(set, c+" = excluded."+c)
	}
	args := append([]any{e.Key}, vals...)
	args = append(args, now, now)
	id, err := tx.Insert(ctx, `INSERT INTO directory_items (key, `+columns+`, created_at, updated_at) VALUES (`+placeholders(len(vals)+3)+`)
		ON CONFLICT (key) DO UPDATE SET `+strings.Join(set, ", ")+``, args...)
	if err != nil {
		return err
	}
	e.ID = id
	return s.writeChildren(ctx, tx, e)
}

// insert stores a new entry (suggested or imported) with its elements and search text.
func (s *Service) insert(ctx context.Context, tx *store.Tx, e *Entry) error {
	vals := e.values()
	now := store.Now()
	var by any
	if e.SuggestedBy != 0 {
		by = e.SuggestedBy
	}
	args := append(vals, by, now, now)
	id, err := tx.Insert(ctx, `INSERT INTO directory_items (`+columns+`, suggested_by, created_at, updated_at) VALUES (`+placeholders(len(args))+`)`, args...)
	if err != nil {
		return err
	}
	e.ID = id
	return s.writeChildren(ctx, tx, e)
}

// update rewrites an entry's fields (a moderator's edit) with its elements and search text.
func (s *Service) update(ctx context.Context, tx *store.Tx, e *Entry) error {
	vals := e.values()
	var set []string
	for _, c := range strings.Split(columns, ",") {
		set = append(set, strings.TrimSpace(c)+" = ?")
	}
	args := append(vals, store.Now(), e.ID)
	if _, err := tx.Exec(ctx, `UPDATE directory_items SET `+strings.Join(set, ", ")+`, updated_at = ? WHERE id = ?`, args...); err != nil {
		return err
	}
	return s.writeChildren(ctx, tx, e)
}

// writeChildren replaces an entry's element refs and, on SQLite, its full-text row, in the
// caller's transaction so search never disagrees with the table.
func (s *Service) writeChildren(ctx context.Context, tx *store.Tx, e *Entry) error {
	// Every write that can change the published list passes here: tell every app server's
	// scoring cache, in the same transaction.
	if _, err := tx.Exec(ctx, `UPDATE directory_version SET n = n + 1 WHERE id = 1`); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `DELETE FROM directory_item_elements WHERE item_id = ?`, e.ID); err != nil {
		return err
	}
	for _, ref := range e.Elements {
		fw, el, ok := SplitRef(ref)
		if !ok {
			continue
		}
		if _, err := tx.Exec(ctx, `INSERT INTO directory_item_elements (item_id, framework_key, element_key) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`, e.ID, fw, el); err != nil {
			return err
		}
	}
	if tx.Dialect() != store.SQLite {
		return nil
	}
	if _, err := tx.Exec(ctx, `DELETE FROM directory_search WHERE rowid = ?`, e.ID); err != nil {
		return err
	}
	body := strings.Join([]string{e.Provider, e.Summary, e.Annotation, strings.Join(e.Authors, " "), e.Journal, e.Award}, " ")
	_, err := tx.Exec(ctx, `INSERT INTO directory_search (rowid, title, body) VALUES (?, ?, ?)`, e.ID, e.Title, body)
	return err
}

const entryCols = `d.id, COALESCE(d.key, ''), d.kind, d.grp, d.provider, d.title, d.summary, d.format, d.length, d.hours, d.cost_pence, d.free,
	d.cost_note, d.eligibility, d.levels, d.award, d.location, d.url, d.authors, d.year, d.journal, d.volume, d.issue, d.pages, d.publisher,
	d.doi, d.annotation, d.identity, d.status, COALESCE(d.suggested_by, 0), d.decline_reason, d.created_at, d.updated_at`

const selectEntry = `SELECT ` + entryCols + ` FROM directory_items d`

type scanner interface{ Scan(...any) error }

func scanEntry(r scanner) (*Entry, error) {
	var e Entry
	var cost sql.NullInt64
	var levels, authors string
	if err := r.Scan(&e.ID, &e.Key, &e.Kind, &e.Group, &e.Provider, &e.Title, &e.Summary, &e.Format, &e.Length, &e.Hours, &cost, &e.Free,
		&e.CostNote, &e.Eligibility, &levels, &e.Award, &e.Location, &e.URL, &authors, &e.Year, &e.Journal, &e.Volume, &e.Issue, &e.Pages,
		&e.Publisher, &e.DOI, &e.Annotation, &e.Identity, &e.Status, &e.SuggestedBy, &e.DeclineReason, &e.CreatedAt, &e.UpdatedAt); err != nil {
		return nil, err
	}
	if cost.Valid {
		e.CostPence = &cost.Int64
	}
	e.Levels = parseLevels(levels)
	if authors != "" {
		e.Authors = strings.Split(authors, "\n")
	}
	return &e, nil
}

// Get returns a published entry with its elements.
func (s *Service) Get(ctx context.Context, id int64) (*Entry, error) {
	return s.get(ctx, id, true)
}

func (s *Service) get(ctx context.Context, id int64, publishedOnly bool) (*Entry, error) {
	q := selectEntry + ` WHERE d.id = ?`
	if publishedOnly {
		q += ` AND d.status = 'published'`
	}
	e, err := scanEntry(s.db.QueryRow(ctx, q, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("directory: get %d: %w", id, err)
	}
	return e, s.loadElements(ctx, []*Entry{e})
}

// loadElements reads the element refs of a page of entries in one query, then their titles.
func (s *Service) loadElements(ctx context.Context, entries []*Entry) error {
	if len(entries) == 0 {
		return nil
	}
	byID := map[int64]*Entry{}
	ids := make([]any, len(entries))
	for i, e := range entries {
		byID[e.ID] = e
		ids[i] = e.ID
	}
	rows, err := s.db.Query(ctx, `SELECT item_id, framework_key, element_key FROM directory_item_elements WHERE item_id IN (`+placeholders(len(ids))+`) ORDER BY framework_key, element_key`, ids...)
	if err != nil {
		return err
	}
	type ref struct {
		id     int64
		fw, el string
	}
	var found []ref
	for rows.Next() {
		var r ref
		if err := rows.Scan(&r.id, &r.fw, &r.el); err != nil {
			rows.Close()
			return err
		}
		found = append(found, r)
	}
	rows.Close() // before looking titles up: a query under open rows can starve the pool
	if err := rows.Err(); err != nil {
		return err
	}
	for _, r := range found {
		e := byID[r.id]
		e.Elements = append(e.Elements, r.fw+":"+r.el)
		e.ElementTitles = append(e.ElementTitles, s.ElementTitle(ctx, r.fw, r.el))
	}
	return nil
}

// ElementTitle is an element's title for showing, or its key when the framework is missing.
func (s *Service) ElementTitle(ctx context.Context, fw, el string) string {
	f, _, err := s.frameworks.Get(ctx, fw, "")
	if err != nil {
		return el
	}
	if e := f.Element(el); e != nil {
		return e.Title
	}
	return el
}

// elementExists reports whether "framework:element" names an element of a loaded framework.
func (s *Service) elementExists(ctx context.Context, ref string) bool {
	fw, el, ok := SplitRef(ref)
	if !ok {
		return false
	}
	f, _, err := s.frameworks.Get(ctx, fw, "")
	return err == nil && f.Element(el) != nil
}
