package portfolio

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode"

	"github.com/pillars-ot/pillars/internal/auditpack"
	"github.com/pillars-ot/pillars/internal/privacy"
	"github.com/pillars-ot/pillars/internal/store"
	"github.com/pillars-ot/pillars/internal/valid"
)

// HCPC profile limits (DOMAIN.md section 3).
const (
	SummaryWordLimit   = 500
	StatementWordLimit = 1500
	MinSelected        = 4
	MaxSelected        = 6
	GapMonths          = 3
)

// DefaultProfession is who Pillars is for first.
const DefaultProfession = "Occupational therapist"

// DefaultCycle is an occupational therapist's renewal cycle: the two years up to the next
// 31 October of an odd year (OTs renew from 1 August to 31 October in odd years).
func DefaultCycle(now time.Time) (start, end string) {
	d := now.In(london)
	y := d.Year()
	if y%2 == 0 || d.Format(time.DateOnly) > fmt.Sprintf("%d-10-31", y) {
		y++
	}
	if y%2 == 0 {
		y++
	}
	return fmt.Sprintf("%d-11-01", y-2), fmt.Sprintf("%d-10-31", y)
}

// CountWords counts words as a reader would: runs of letters or digits, with apostrophes and
// hyphens inside a word.
func CountWords(s string) int {
	n, in := 0, false
	for _, r := range s {
		word := unicode.IsLetter(r) || unicode.IsDigit(r) || ((r == '\'' || r == '’' || r == '-') && in)
		if word && !in {
			n++
		}
		in = word
	}
	return n
}

// Pack is a person's audit pack as they write it.
type Pack struct {
	ID         int64
	UserID     int64
	Profession string
	CycleStart string
	CycleEnd   string
	Summary    string
	Statement  map[string]string // by standard key
	Selected   []int64           // entry ids, in the person's order
	GapNotes   map[string]string // by the gap's first day
	UpdatedAt  time.Time
}

// PackInput is what a person types for the pack.
type PackInput struct {
	Profession string
	Summary    string
	Statement  map[string]string
	Selected   []int64
	GapNotes   map[string]string
}

// OpenPack returns the owner's pack for a cycle, creating it when there is none.
func (s *Service) OpenPack(ctx context.Context, ownerID int64, profession, start, end string) (*Pack, error) {
	var errs valid.Errors
	profession = strings.TrimSpace(profession)
	// Only a profession actually given replaces the stored one: opening an existing pack
	// without one used to reset what the person had saved to the default.
	given := profession != ""
	if !given {
		profession = DefaultProfession
	}
	if len([]rune(profession)) > 100 {
		errs.Add("profession", "The profession must be 100 characters or fewer")
	}
	ds, err1 := time.Parse(time.DateOnly, start)
	de, err2 := time.Parse(time.DateOnly, end)
	switch {
	case err1 != nil:
		errs.Add("cycle_start", "Enter the first day of the cycle as a real date, like 2025-11-01")
	case err2 != nil:
		errs.Add("cycle_end", "Enter the last day of the cycle as a real date, like 2027-10-31")
	case !de.After(ds):
		errs.Add("cycle_end", "The cycle must end after it starts")
	case de.Sub(ds) > 4*366*24*time.Hour:
		errs.Add("cycle_end", "A cycle can be at most four years long")
	}
	if errs.Any() {
		return nil, errs
	}
	now := s.now()
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		var n int
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM audit_packs WHERE user_id = ? AND cycle_start = ? AND cycle_end = ?`, ownerID, start, end).Scan(&n); err != nil || n > 0 {
			if err == nil && given {
				_, err = tx.Exec(ctx, `UPDATE audit_packs SET profession = ? WHERE user_id = ? AND cycle_start = ? AND cycle_end = ?`, profession, ownerID, start, end)
			}
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO audit_packs (user_id, profession, cycle_start, cycle_end, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)`, ownerID, profession, start, end, now, now)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("portfolio: open pack: %w", err)
	}
	var id int64
	if err := s.db.QueryRow(ctx, `SELECT id FROM audit_packs WHERE user_id = ? AND cycle_start = ? AND cycle_end = ?`, ownerID, start, end).Scan(&id); err != nil {
		return nil, err
	}
	return s.Pack(ctx, ownerID, id)
}

// Pack returns one of the owner's packs.
func (s *Service) Pack(ctx context.Context, ownerID, id int64) (*Pack, error) {
	var p Pack
	var statement, selected, gaps string
	err := s.db.QueryRow(ctx, `SELECT id, user_id, profession, cycle_start, cycle_end, summary, statement, selected, gap_notes, updated_at FROM audit_packs WHERE id = ? AND user_id = ?`, id, ownerID).
		Scan(&p.ID, &p.UserID, &p.Profession, &p.CycleStart, &p.CycleEnd, &p.Summary, &statement, &selected, &gaps, &p.UpdatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("portfolio: pack %d: %w", id, err)
	}
	if err := errors.Join(json.Unmarshal([]byte(statement), &p.Statement), json.Unmarshal([]byte(selected), &p.Selected), json.Unmarshal([]byte(gaps), &p.GapNotes)); err != nil {
		return nil, fmt.Errorf("portfolio: pack %d: %w", id, err)
	}
	return &p, nil
}

// Packs lists the owner's packs, newest cycle first.
func (s *Service) Packs(ctx context.Context, ownerID int64) ([]Pack, error) {
	rows, err := s.db.Query(ctx, `SELECT id, profession, cycle_start, cycle_end, updated_at FROM audit_packs WHERE user_id = ? ORDER BY cycle_end DESC`, ownerID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Pack
	for rows.Next() {
		p := Pack{UserID: ownerID}
		if err := rows.Scan(&p.ID, &p.Profession, &p.CycleStart, &p.CycleEnd, &p.UpdatedAt); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// SavePack checks and stores what the person wrote. Word limits are hard: over a limit nothing
// is saved and the message says how many words to cut.
func (s *Service) SavePack(ctx context.Context, ownerID, id int64, in PackInput) error {
	p, err := s.Pack(ctx, ownerID, id)
	if err != nil {
		return err
	}
	var errs valid.Errors
	in.Summary = strings.TrimSpace(strings.ReplaceAll(in.Summary, "\r\n", "\n"))
	if n := CountWords(in.Summary); n > SummaryWordLimit {
		errs.Add("summary", fmt.Sprintf("Your summary of practice is %d words: the HCPC's limit is %d. Cut %s", n, SummaryWordLimit, words(n-SummaryWordLimit)))
	}
	standards, err := s.Standards(ctx)
	if err != nil {
		return err
	}
	statement := map[string]string{}
	total := 0
	for _, st := range standards {
		v := strings.TrimSpace(strings.ReplaceAll(in.Statement[st.Key], "\r\n", "\n"))
		if v != "" {
			statement[st.Key] = v
			total += CountWords(v)
		}
	}
	if total > StatementWordLimit {
		errs.Add("statement_"+standards[0].Key, fmt.Sprintf("Your statement is %d words in all: the HCPC's limit is %d. Cut %s", total, StatementWordLimit, words(total-StatementWordLimit)))
	}
	if len(in.Selected) > MaxSelected {
		errs.Add("selected", fmt.Sprintf("Pick at most %d activities to build your statement around: you picked %d", MaxSelected, len(in.Selected)))
	}
	inCycle, err := s.cycleEntries(ctx, ownerID, p.CycleStart, p.CycleEnd)
	if err != nil {
		return err
	}
	ok := map[int64]bool{}
	for _, e := range inCycle {
		ok[e.ID] = true
	}
	var selected []int64
	seen := map[int64]bool{}
	for _, id := range in.Selected {
		if !ok[id] {
			errs.Add("selected", "Pick only your own saved activities from this cycle")
			continue
		}
		if !seen[id] {
			seen[id] = true
			selected = append(selected, id)
		}
	}
	notes := map[string]string{}
	for k, v := range in.GapNotes {
		v = strings.TrimSpace(v)
		if v == "" {
			continue
		}
		if CountWords(v) > 200 {
			errs.Add("gap_"+k, "Explain the gap in 200 words or fewer")
		}
		notes[k] = v
	}
	profession := strings.TrimSpace(in.Profession)
	if profession == "" {
		profession = p.Profession
	} else if len([]rune(profession)) > 100 { // the same limit OpenPack applies
		errs.Add("profession", "The profession must be 100 characters or fewer")
	}
	if errs.Any() {
		return errs
	}
	st, _ := json.Marshal(statement)
	sel, _ := json.Marshal(selected)
	gn, _ := json.Marshal(notes)
	if selected == nil {
		sel = []byte("[]")
	}
	_, err = s.db.Exec(ctx, `UPDATE audit_packs SET profession = ?, summary = ?, statement = ?, selected = ?, gap_notes = ?, updated_at = ? WHERE id = ? AND user_id = ?`,
		profession, in.Summary, string(st), string(sel), string(gn), s.now(), id, ownerID)
	return err
}

// cycleEntries lists the owner's saved entries that overlap a cycle, oldest first, complete.
func (s *Service) cycleEntries(ctx context.Context, ownerID int64, start, end string) ([]*Entry, error) {
	rows, err := s.db.Query(ctx, `SELECT `+entryColumns+` FROM cpd_entries WHERE user_id = ? AND status = 'saved' AND ended_on >= ? AND started_on <= ? ORDER BY started_on, id`, ownerID, start, end)
	if err != nil {
		return nil, err
	}
	var out []*Entry
	for rows.Next() {
		e, err := scanEntry(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, e)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, s.fill(ctx, out)
}

// Gap is a period of GapMonths or more with no CPD activity.
type Gap struct {
	From, To string // first and last day without activity
	Months   int
	Note     string
}

// Gaps finds every run of three months or more without activity in the cycle, up to the cycle's
// end or today, whichever is sooner. Activities are intervals; overlapping ones merge.
func Gaps(entries []*Entry, start, end, today string) []Gap {
	if today < end {
		end = today
	}
	type span struct{ from, to time.Time }
	var spans []span
	for _, e := range entries {
		a, err1 := time.Parse(time.DateOnly, e.StartedOn)
		b, err2 := time.Parse(time.DateOnly, e.EndedOn)
		if err1 == nil && err2 == nil {
			spans = append(spans, span{a, b})
		}
	}
	sort.Slice(spans, func(i, j int) bool { return spans[i].from.Before(spans[j].from) })
	cs, err1 := time.Parse(time.DateOnly, start)
	ce, err2 := time.Parse(time.DateOnly, end)
	if err1 != nil || err2 != nil || ce.Before(cs) {
		return nil
	}
	var gaps []Gap
	// covered is the last day so far with activity (the day before the cycle at first).
	covered := cs.AddDate(0, 0, -1)
	check := func(next time.Time) {
		first, last := covered.AddDate(0, 0, 1), next.AddDate(0, 0, -1)
		if last.Before(first) {
			return
		}
		// Three or more consecutive months: the day three months after the first empty day is
		// still empty.
		if !first.AddDate(0, GapMonths, 0).After(last.AddDate(0, 0, 1)) {
			months := 0
			for !first.AddDate(0, months+1, 0).After(last.AddDate(0, 0, 1)) {
				months++
			}
			gaps = append(gaps, Gap{From: first.Format(time.DateOnly), To: last.Format(time.DateOnly), Months: months})
		}
	}
	for _, sp := range spans {
		if sp.from.After(ce) {
			break
		}
		if sp.from.After(covered) {
			check(sp.from)
		}
		if sp.to.After(covered) {
			covered = sp.to
		}
	}
	if covered.Before(ce) {
		check(ce.AddDate(0, 0, 1))
	}
	return gaps
}

// Check is one line of the readiness checklist.
type Check struct {
	Done   bool
	Title  string
	Detail string
	Link   string // the part of the page that fixes it
}

// Readiness is a pack with what is in it and what is still missing.
type Readiness struct {
	Pack       *Pack
	Entries    []*Entry
	Gaps       []Gap
	Types      []Total
	TypesUsed  int
	Summary    int // words
	Statement  int // words
	Findings   []Finding
	Checks     []Check
	Ready      bool
	Standards  []Option
	Evidence   []auditpack.Evidence
	evidenceOf map[int64][]int
}

// Finding is something the confidentiality check found in the pack's text or file names.
type Finding struct {
	Where string // "Summary of practice", an entry's title, a file name
	Kind  string
	Text  string
}

// Readiness assembles the pack's content and checks it against the HCPC's rules.
func (s *Service) Readiness(ctx context.Context, ownerID, packID int64) (*Readiness, error) {
	p, err := s.Pack(ctx, ownerID, packID)
	if err != nil {
		return nil, err
	}
	r := &Readiness{Pack: p, evidenceOf: map[int64][]int{}}
	if r.Entries, err = s.cycleEntries(ctx, ownerID, p.CycleStart, p.CycleEnd); err != nil {
		return nil, err
	}
	if r.Standards, err = s.Standards(ctx); err != nil {
		return nil, err
	}
	types, err := s.ActivityTypes(ctx)
	if err != nil {
		return nil, err
	}
	counts := map[string]*Total{}
	for _, o := range types {
		counts[o.Key] = &Total{Key: o.Key, Label: o.Title}
	}
	for _, e := range r.Entries {
		if t := counts[e.ActivityType]; t != nil {
			t.Entries++
			t.Minutes += e.Minutes
		}
		for _, f := range e.Evidence {
			n := len(r.Evidence) + 1
			r.Evidence = append(r.Evidence, auditpack.Evidence{Number: n, Filename: f.Filename, ContentType: f.ContentType, Size: f.Size,
				Label: fmt.Sprintf("Evidence %d: %s (%s)", n, f.Filename, e.Title)})
			r.evidenceOf[e.ID] = append(r.evidenceOf[e.ID], n)
		}
	}
	for _, o := range types {
		r.Types = append(r.Types, *counts[o.Key])
		if counts[o.Key].Entries > 0 {
			r.TypesUsed++
		}
	}
	r.Gaps = Gaps(r.Entries, p.CycleStart, p.CycleEnd, today(s.now()))
	unexplained := 0
	for i := range r.Gaps {
		r.Gaps[i].Note = p.GapNotes[r.Gaps[i].From]
		if r.Gaps[i].Note == "" {
			unexplained++
		}
	}
	r.Summary = CountWords(p.Summary)
	missingStandards := 0
	for _, st := range r.Standards {
		r.Statement += CountWords(p.Statement[st.Key])
		if strings.TrimSpace(p.Statement[st.Key]) == "" {
			missingStandards++
		}
	}
	r.Findings = s.packFindings(r)
	// Count only picks still in the cycle, as Render does: a picked entry since deleted or
	// moved out of the cycle used to keep the check ticked while the pack showed fewer.
	inCycle := map[int64]bool{}
	for _, e := range r.Entries {
		inCycle[e.ID] = true
	}
	picked := 0
	for _, id := range p.Selected {
		if inCycle[id] {
			picked++
		}
	}
	n := len(r.Entries)
	r.Checks = []Check{
		{n > 0, "Activities in the cycle", fmt.Sprintf("%d activities recorded between %s and %s. The HCPC suggests roughly 12 to 50.", n, DateLabel(p.CycleStart), DateLabel(p.CycleEnd)), "#activities"},
		{r.TypesUsed >= 2, "At least two activity types", fmt.Sprintf("%d of %d types used.", r.TypesUsed, len(types)), "#types"},
		{unexplained == 0, "Gaps of three months or more explained", gapDetail(len(r.Gaps), unexplained), "#gaps"},
		{r.Summary > 0 && r.Summary <= SummaryWordLimit, "Summary of practice", fmt.Sprintf("%d of %d words.", r.Summary, SummaryWordLimit), "#summary"},
		{missingStandards == 0 && r.Statement <= StatementWordLimit, "Statement of how you meet the standards", fmt.Sprintf("%d of %d words; %d of %d standards written about.", r.Statement, StatementWordLimit, len(r.Standards)-missingStandards, len(r.Standards)), "#statement"},
		{picked >= MinSelected && picked <= MaxSelected, "4 to 6 activities picked for the statement", fmt.Sprintf("%d picked.", picked), "#selected"},
		{len(r.Findings) == 0, "Nothing that could identify a service user", fmt.Sprintf("%d possible identifiers found in the text and file names.", len(r.Findings)), "#confidentiality"},
	}
	r.Ready = true
	for _, c := range r.Checks {
		r.Ready = r.Ready && c.Done
	}
	return r, nil
}

func gapDetail(gaps, unexplained int) string {
	switch {
	case gaps == 0:
		return "No gaps of three months or more."
	case unexplained == 0:
		if gaps == 1 {
			return "1 gap, explained."
		}
		return fmt.Sprintf("%d gaps, all explained.", gaps)
	}
	if gaps == 1 {
		return "1 gap still needs an explanation."
	}
	return fmt.Sprintf("%d of %d gaps still need an explanation.", unexplained, gaps)
}

// words is "1 word" or "n words".
func words(n int) string {
	if n == 1 {
		return "1 word"
	}
	return fmt.Sprintf("%d words", n)
}

// packFindings runs the confidentiality check over everything the pack would send.
func (s *Service) packFindings(r *Readiness) []Finding {
	var out []Finding
	add := func(where, text string) {
		for _, f := range privacy.Check(text) {
			out = append(out, Finding{Where: where, Kind: f.Kind.Label(), Text: f.Text})
		}
	}
	add("Summary of practice", r.Pack.Summary)
	for _, st := range r.Standards {
		add("Statement: "+st.Title, r.Pack.Statement[st.Key])
	}
	for _, g := range r.Gaps {
		add("Gap explanation", g.Note)
	}
	selected := map[int64]bool{}
	for _, id := range r.Pack.Selected {
		selected[id] = true
	}
	for _, e := range r.Entries {
		add("Activity title: "+e.Title, e.Title)
		if selected[e.ID] {
			for _, st := range e.ModelInfo().Stages {
				add(e.Title+": "+st.Title, e.Stages[st.Key])
			}
		}
		for _, f := range e.Evidence {
			add("File name: "+f.Filename, f.Filename)
		}
	}
	return out
}

// DateLabel shows a date as people write it: "3 March 2026".
func DateLabel(d string) string {
	t, err := time.Parse(time.DateOnly, d)
	if err != nil {
		return d
	}
	return t.Format("2 January 2006")
}

// DatesLabel shows an activity's dates: "3 March 2026" or "3 March 2026 to 5 March 2026".
func DatesLabel(from, to string) string {
	if to == "" || to == from {
		return DateLabel(from)
	}
	return DateLabel(from) + " to " + DateLabel(to)
}

// Render turns a checked pack into what package auditpack draws.
func (r *Readiness) Render(owner string, now time.Time, types []Option) *auditpack.Pack {
	p := &auditpack.Pack{Owner: owner, Profession: r.Pack.Profession, CycleStart: r.Pack.CycleStart, CycleEnd: r.Pack.CycleEnd,
		GeneratedAt: now, Summary: r.Pack.Summary, Evidence: r.Evidence}
	number := map[int64]int{}
	selected := map[int64]bool{}
	for _, id := range r.Pack.Selected {
		selected[id] = true
	}
	for i, e := range r.Entries {
		number[e.ID] = i + 1
		a := auditpack.Activity{Number: i + 1, Dates: DatesLabel(e.StartedOn, e.EndedOn), Title: e.Title, Type: Label(types, e.ActivityType),
			Hours: float64(e.Minutes) / 60, Evidence: r.evidenceOf[e.ID]}
		for _, t := range e.Tags {
			a.Tags = append(a.Tags, t.Title)
		}
		if selected[e.ID] {
			m := e.ModelInfo()
			a.Model = m.Name
			for _, st := range m.Stages {
				if v := e.Stages[st.Key]; v != "" {
					a.Reflection = append(a.Reflection, auditpack.Stage{Title: st.Title, Text: v})
				}
			}
		}
		p.Activities = append(p.Activities, a)
		for _, n := range r.evidenceOf[e.ID] {
			p.Evidence[n-1].Activity = i + 1
		}
	}
	for _, id := range r.Pack.Selected {
		if n := number[id]; n > 0 {
			p.Selected = append(p.Selected, n)
		}
	}
	for _, g := range r.Gaps {
		p.Gaps = append(p.Gaps, auditpack.Gap{From: DateLabel(g.From), To: DateLabel(g.To), Months: g.Months, Explanation: g.Note})
	}
	for _, t := range r.Types {
		p.TypeCounts = append(p.TypeCounts, auditpack.TypeCount{Type: t.Label, Activities: t.Entries, Hours: float64(t.Minutes) / 60})
	}
	for i, st := range r.Standards {
		p.Statement = append(p.Statement, auditpack.Section{Standard: fmt.Sprintf("Standard %d: %s", i+1, st.Title), Text: r.Pack.Statement[st.Key]})
	}
	return p
}

// EvidenceFileIDs lists the pack's evidence file ids in evidence-number order, for the export.
func (r *Readiness) EvidenceFileIDs() []int64 {
	var ids []int64
	for _, e := range r.Entries {
		for _, f := range e.Evidence {
			ids = append(ids, f.ID)
		}
	}
	return ids
}
