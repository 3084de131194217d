package mentoring

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/pillars-ot/pillars/internal/assess"
	"github.com/pillars-ot/pillars/internal/directory"
	"github.com/pillars-ot/pillars/internal/framework"
	"github.com/pillars-ot/pillars/internal/mentoring/match"
)

// ElementFrameworks are the frameworks whose elements mentors help with and mentees pick.
var ElementFrameworks = []string{"ot-leadership", "rcot-pillars"}

// ElementGroup is one framework's elements, for a form's choices.
type ElementGroup struct {
	Framework string
	Title     string
	Elements  []Labelled // Value "framework:element"
}

// ElementChoices lists the elements a mentor can help with: each framework's rateable
// elements (the ones a self-assessment finds gaps in), or its top-level elements when it has
// none to rate, so that a mentor's elements and a mentee's gaps are the same keys.
func (s *Service) ElementChoices(ctx context.Context) ([]ElementGroup, error) {
	var out []ElementGroup
	for _, key := range ElementFrameworks {
		f, _, err := s.frameworks.Get(ctx, key, "")
		if errors.Is(err, framework.ErrNotFound) {
			continue // removed by an administrator: nothing to offer
		}
		if err != nil {
			return nil, err
		}
		g := ElementGroup{Framework: f.Key, Title: f.Title}
		elems := f.Rateable()
		if len(elems) == 0 {
			for _, e := range f.All() {
				if e.Parent == nil {
					elems = append(elems, e)
				}
			}
		}
		for _, e := range elems {
			g.Elements = append(g.Elements, Labelled{f.Key + ":" + e.Key, e.Title})
		}
		out = append(out, g)
	}
	return out, nil
}

// elementTitles maps every element that can be chosen to its title.
func (s *Service) elementTitles(ctx context.Context) (map[string]string, error) {
	groups, err := s.ElementChoices(ctx)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, g := range groups {
		for _, e := range g.Elements {
			out[e.Value] = e.Label
		}
	}
	return out, nil
}

// ElementTitle names an element ref, or "" when it is not one that can be chosen.
func (s *Service) ElementTitle(ctx context.Context, ref string) string {
	t, _ := s.elementTitles(ctx)
	return t[ref]
}

// checkElements keeps the chosen refs, without repeats and in the order given; ok is false
// when one is not an element that can be chosen.
func (s *Service) checkElements(ctx context.Context, refs []string) ([]string, bool) {
	titles, err := s.elementTitles(ctx)
	if err != nil {
		return nil, false
	}
	var out []string
	for _, r := range refs {
		r = strings.TrimSpace(r)
		if r == "" || slices.Contains(out, r) {
			continue
		}
		if titles[r] == "" {
			return out, false
		}
		out = append(out, r)
	}
	return out, true
}

// Gap is an element the mentee wants to grow in, and how much: a measured gap, or a rank when
// they picked it.
type Gap struct {
	Ref   string // "framework:element"
	Title string
	Size  float64
}

// GapsOf is the mentee's gaps as matching uses them: their own level's gaps, or when they meet
// all of those, the next level's; largest first.
func GapsOf(g *assess.Gaps) []Gap {
	var own, next []Gap
	for _, row := range g.Rows {
		if !row.HasCurrent {
			continue
		}
		ref := Gap{Ref: g.Framework.Key + ":" + row.Element.Key, Title: row.Element.Title}
		if row.Gap > 0 {
			ref.Size = row.Gap
			own = append(own, ref)
		} else if g.NextLevel > 0 && row.NextGap > 0 {
			ref.Size = row.NextGap
			next = append(next, ref)
		}
	}
	out := own
	if len(out) == 0 {
		out = next
	}
	slices.SortStableFunc(out, func(a, b Gap) int { return cmp.Compare(b.Size, a.Size) })
	return out
}

// Need is what a mentee asks for, as ranking uses it.
type Need struct {
	Want        string   // mentor, coach or either
	Modes       []string // values of Modes; none means any
	Region      string
	BudgetPence int64 // the most per session: -1 no limit, 0 free only
	Gaps        []Gap
}

// Listing is what anyone signed in may see of a mentor: never the evidence, and an
// accreditation only once it is verified.
type Listing struct {
	UserID        int64
	Name          string
	JobTitle      string
	Kind          string
	Level         int
	Background    string // loaded for one mentor's page, not for lists
	Accreditation string // e.g. "ICF", only when verified
	Free          bool
	FeePence      int64
	Modes         []string
	Region        string
	Capacity      int
	Active        int // mentees now
	Listed        bool
	Elements      []string
	chain         []int64  // managers above, nearest first
	words         []string // Modes as match's explanations say them
}

// KindLabel says what the mentor offers.
func (l *Listing) KindLabel() string { return LabelFor(ProfileKinds, l.Kind) }

// Accredited is "Accredited (ICF)", or "" when nothing is verified.
func (l *Listing) Accredited() string {
	if l.Accreditation == "" {
		return ""
	}
	return "Accredited (" + l.Accreditation + ")"
}

// FeeLabel is "Free" or "£45 a session".
func (l *Listing) FeeLabel() string { return feeLabel(l.Free, l.FeePence) }

// ModesLabel is "video and phone".
func (l *Listing) ModesLabel() string { return modesLabel(l.Modes) }

// Places is how many more mentees the mentor can take.
func (l *Listing) Places() int { return max(l.Capacity-l.Active, 0) }

// offers reports whether the mentor offers what the mentee wants.
func (l *Listing) offers(want string) bool {
	switch want {
	case "mentor":
		return l.Kind == "mentor" || l.Kind == "both"
	case "coach":
		return l.Kind == "coach" || l.Kind == "both"
	}
	return true
}

// affordable reports whether the fee is within the budget (-1 no limit).
func (l *Listing) affordable(budget int64) bool {
	return budget < 0 || l.Free || l.FeePence <= budget
}

// forMatch is the mentor as package match scores them.
func (l *Listing) forMatch() match.Mentor {
	words := l.words
	if words == nil {
		words = modeWords(l.Modes)
	}
	return match.Mentor{ID: l.UserID, Level: l.Level, Elements: l.Elements, Modes: words, Region: l.Region,
		Capacity: l.Capacity, Active: l.Active, Chain: append([]int64{l.UserID}, l.chain...)}
}

const listingColumns = `p.user_id, u.name, u.job_title, p.kind, p.level, p.accreditation, p.accreditation_detail, p.accreditation_status,
	p.free, COALESCE(p.fee_pence, 0), p.modes, p.region, p.capacity, p.listed`

// interner shares the values that repeat across thousands of rows (kinds, modes, regions,
// element refs), read as raw bytes, so loading every listed mentor allocates little: ranking
// 2,000 mentors has a few milliseconds to spend.
type interner struct {
	strs  map[string]string
	modes map[string]*modeSet
}

type modeSet struct{ values, words []string }

func newInterner() *interner {
	return &interner{strs: map[string]string{}, modes: map[string]*modeSet{}}
}

func (in *interner) str(b []byte) string {
	if s, ok := in.strs[string(b)]; ok {
		return s
	}
	s := string(b)
	in.strs[s] = s
	return s
}

func (in *interner) modeSet(b []byte) *modeSet {
	if m, ok := in.modes[string(b)]; ok {
		return m
	}
	values := modesFrom(string(b))
	m := &modeSet{values: values, words: modeWords(values)}
	in.modes[string(b)] = m
	return m
}

// listingRow reads one row of listingColumns (then extra destinations), interning what repeats.
// From *sql.Rows (raw) the repeated columns are read without copying; *sql.Row does not
// allow that, so there they are copied.
func listingRow(row scanner, raw bool, in *interner, extra ...any) (*Listing, error) {
	var l Listing
	var b [6]sql.RawBytes
	var d [6]any
	for i := range b {
		if raw {
			d[i] = &b[i]
		} else {
			d[i] = (*[]byte)(&b[i])
		}
	}
	kind, acc, detail, status, modes, region := &b[0], &b[1], &b[2], &b[3], &b[4], &b[5]
	dest := append([]any{&l.UserID, &l.Name, &l.JobTitle, d[0], &l.Level, d[1], d[2], d[3], &l.Free, &l.FeePence,
		d[4], d[5], &l.Capacity, &l.Listed}, extra...)
	if err := row.Scan(dest...); err != nil {
		return nil, err
	}
	l.Kind, l.Region = in.str(*kind), in.str(*region)
	if string(*status) == AccreditationVerified {
		l.Accreditation = accreditationName(in.str(*acc), string(*detail))
	}
	m := in.modeSet(*modes)
	l.Modes, l.words = m.values, m.words
	return &l, nil
}

// listedMentors loads every listed mentor with their elements, active mentees and chain: four
// queries whatever the number of mentors (profiles, elements, counts, chains), never one per
// mentor.
func (s *Service) listedMentors(ctx context.Context, q querier) ([]*Listing, error) {
	// Every profile, with the few unlisted ones skipped here: reading the table straight
	// through is faster than through the listed index, and match sorts the result anyway.
	rows, err := q.Query(ctx, `SELECT `+listingColumns+` FROM mentor_profiles p JOIN users u ON u.id = p.user_id
		WHERE u.disabled_at IS NULL`)
	if err != nil {
		return nil, fmt.Errorf("mentoring: listed mentors: %w", err)
	}
	in := newInterner()
	var out []*Listing
	byID := map[int64]*Listing{}
	for rows.Next() {
		l, err := listingRow(rows, true, in)
		if err != nil {
			rows.Close()
			return nil, err
		}
		if l.Listed {
			out = append(out, l)
			byID[l.UserID] = l
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// Every profile's elements and every mentor's count, without a join: the few rows of
	// unlisted mentors are skipped in Go, cheaper than looking each row's profile up. No
	// ORDER BY: a mentor's elements are a set here, and PostgreSQL would sort 10,000 strings.
	if err := fillMentors(ctx, q, in, byID, `SELECT user_id, framework_key || ':' || element_key FROM mentor_profile_elements`,
		`SELECT mentor_id, COUNT(*) FROM mentoring_relationships WHERE status = 'active' GROUP BY mentor_id`); err != nil {
		return nil, err
	}
	ch, err := chains(ctx, q, `lm.user_id IN (SELECT user_id FROM mentor_profiles WHERE listed = ?)`, true)
	if err != nil {
		return nil, err
	}
	for id, c := range ch {
		if l := byID[id]; l != nil {
			l.chain = c
		}
	}
	return out, nil
}

// fillMentors adds elements and active counts to loaded mentors, from two queries that take
// the same arguments: (mentor id, "framework:element") and (mentor id, count).
func fillMentors(ctx context.Context, q querier, in *interner, byID map[int64]*Listing, elemQuery, activeQuery string, args ...any) error {
	rows, err := q.Query(ctx, elemQuery, args...)
	if err != nil {
		return fmt.Errorf("mentoring: mentors' elements: %w", err)
	}
	var ref sql.RawBytes
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id, &ref); err != nil {
			rows.Close()
			return err
		}
		if l := byID[id]; l != nil {
			l.Elements = append(l.Elements, in.str(ref))
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	rows, err = q.Query(ctx, activeQuery, args...)
	if err != nil {
		return fmt.Errorf("mentoring: mentors' active mentees: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			return err
		}
		if l := byID[id]; l != nil {
			l.Active = n
		}
	}
	return rows.Err()
}

// mentor loads one mentor, listed or not, with their background, elements, active mentees and
// chain; lock takes the profile's row lock on PostgreSQL, so capacity is checked and used in
// one step.
func (s *Service) mentor(ctx context.Context, q querier, id int64, lock bool) (*Listing, error) {
	query := `SELECT ` + listingColumns + `, p.background FROM mentor_profiles p JOIN users u ON u.id = p.user_id
		WHERE p.user_id = ? AND u.disabled_at IS NULL`
	if lock {
		query += ` FOR UPDATE OF p`
	}
	var background string
	in := newInterner()
	l, err := listingRow(q.QueryRow(ctx, query, id), false, in, &background)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("mentoring: mentor %d: %w", id, err)
	}
	l.Background = background
	if err := fillMentors(ctx, q, in, map[int64]*Listing{id: l},
		`SELECT user_id, framework_key || ':' || element_key FROM mentor_profile_elements WHERE user_id = ? ORDER BY framework_key, element_key`,
		`SELECT mentor_id, COUNT(*) FROM mentoring_relationships WHERE status = 'active' AND mentor_id = ? GROUP BY mentor_id`, id); err != nil {
		return nil, err
	}
	if l.chain, err = managersOf(ctx, q, id); err != nil {
		return nil, err
	}
	return l, nil
}

// Mentor returns the public listing of a mentor (listed or not), or ErrNotFound when the
// person has no profile.
func (s *Service) Mentor(ctx context.Context, id int64) (*Listing, error) {
	return s.mentor(ctx, s.db, id, false)
}

// menteeFor is the mentee as package match scores them.
func (s *Service) menteeFor(ctx context.Context, q querier, id int64, n Need) (match.Mentee, error) {
	me := match.Mentee{ID: id, Modes: modeWords(n.Modes), Region: n.Region, Gaps: map[string]float64{}}
	var level sql.NullInt64
	if err := q.QueryRow(ctx, `SELECT career_level FROM users WHERE id = ?`, id).Scan(&level); errors.Is(err, sql.ErrNoRows) {
		return me, ErrNotFound
	} else if err != nil {
		return me, fmt.Errorf("mentoring: mentee %d: %w", id, err)
	}
	me.Level = int(level.Int64)
	for _, g := range n.Gaps {
		me.Gaps[g.Ref] = g.Size
	}
	var err error
	me.Managers, err = managersOf(ctx, q, id)
	return me, err
}

// Ranked is one mentor scored for a mentee, with the mentee's gaps the mentor helps with.
type Ranked struct {
	Mentor  *Listing
	Score   match.Score
	Working []Gap // largest first: what the pair would work on
}

// titleFunc names element refs for match's explanations.
func (s *Service) titleFunc(ctx context.Context) (func(string) string, error) {
	t, err := s.elementTitles(ctx)
	if err != nil {
		return nil, err
	}
	return func(ref string) string { return t[ref] }, nil
}

// working lists the mentee's gaps that the mentor helps with, largest first.
func working(n Need, l *Listing) []Gap {
	var out []Gap
	for _, g := range n.Gaps {
		if g.Size > 0 && slices.Contains(l.Elements, g.Ref) {
			out = append(out, g)
		}
	}
	slices.SortStableFunc(out, func(a, b Gap) int { return cmp.Compare(b.Size, a.Size) })
	return out
}

// RankFor ranks the mentors a mentee could ask, best first: listed, not the mentee, offering
// what they want (mentoring, coaching or either) within their budget, with a place free and
// outside their line-management chain. Each comes with its score's explained parts. The
// recommendations page uses it too.
func (s *Service) RankFor(ctx context.Context, menteeID int64, n Need) ([]Ranked, error) {
	me, err := s.menteeFor(ctx, s.db, menteeID, n)
	if err != nil {
		return nil, err
	}
	pool, err := s.listedMentors(ctx, s.db)
	if err != nil {
		return nil, err
	}
	title, err := s.titleFunc(ctx)
	if err != nil {
		return nil, err
	}
	byID := make(map[int64]*Listing, len(pool))
	candidates := make([]match.Mentor, 0, len(pool))
	for _, l := range pool {
		// Those with no place free would only be ranked to be dropped (match.ReasonFull).
		if l.UserID == menteeID || l.Places() == 0 || !l.offers(n.Want) || !l.affordable(n.BudgetPence) {
			continue
		}
		byID[l.UserID] = l
		candidates = append(candidates, l.forMatch())
	}
	var out []Ranked
	for _, sc := range match.RankWith(me, candidates, title) {
		if !sc.Eligible {
			break // ineligible ones come last
		}
		l := byID[sc.MentorID]
		out = append(out, Ranked{Mentor: l, Score: sc, Working: working(n, l)})
	}
	return out, nil
}

// ScoreFor scores one mentor for a mentee, eligible or not (Score.Reason says why not), for
// the mentor's own page. Mismatch says what in the ask the mentor does not offer, if anything.
func (s *Service) ScoreFor(ctx context.Context, menteeID, mentorID int64, n Need) (r *Ranked, mismatch string, err error) {
	l, err := s.mentor(ctx, s.db, mentorID, false)
	if err != nil {
		return nil, "", err
	}
	me, err := s.menteeFor(ctx, s.db, menteeID, n)
	if err != nil {
		return nil, "", err
	}
	title, err := s.titleFunc(ctx)
	if err != nil {
		return nil, "", err
	}
	r = &Ranked{Mentor: l, Score: match.ScoreOneWith(me, l.forMatch(), title), Working: working(n, l)}
	return r, mismatchOf(n, l), nil
}

// mismatchOf says what the mentee asked for that the mentor does not offer, or "".
func mismatchOf(n Need, l *Listing) string {
	switch {
	case !l.offers(n.Want) && n.Want == "coach":
		return "offers mentoring, not coaching"
	case !l.offers(n.Want):
		return "offers coaching, not mentoring"
	case !l.affordable(n.BudgetPence) && n.BudgetPence == 0:
		return "charges " + l.FeeLabel() + ", and you asked for free only"
	case !l.affordable(n.BudgetPence):
		return "charges " + l.FeeLabel() + ", more than your budget of " + directory.FormatPence(n.BudgetPence)
	}
	return ""
}
