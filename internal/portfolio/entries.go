package portfolio

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/pillars-ot/pillars/internal/store"
	"github.com/pillars-ot/pillars/internal/valid"
)

// Tag links an entry to an element of any framework on the site.
type Tag struct {
	Framework string `json:"framework"`
	Element   string `json:"element"`
	Title     string `json:"title,omitempty"` // filled when read
}

// Entry is one CPD activity with its reflection.
type Entry struct {
	ID           int64
	UserID       int64
	Status       string // "draft" or "saved"
	Title        string
	StartedOn    string // YYYY-MM-DD
	EndedOn      string // YYYY-MM-DD, equal to StartedOn for a one-day activity
	ActivityType string
	Minutes      int
	Model        string
	Stages       map[string]string
	Tags         []Tag
	GoalID       int64 // 0 when not linked
	Evidence     []File
	Pending      *EntryInput // autosaved changes not yet saved, for a saved entry
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// Hours shows the entry's hours as typed: "2", "1.5", "0.25".
func (e *Entry) Hours() string { return FormatHours(e.Minutes) }

// FormatHours shows minutes as hours without trailing zeros.
func FormatHours(minutes int) string {
	return strconv.FormatFloat(math.Round(float64(minutes)/60*100)/100, 'f', -1, 64)
}

// ModelInfo returns the entry's reflective model (free text when unknown).
func (e *Entry) ModelInfo() *Model {
	if m := ModelByKey(e.Model); m != nil {
		return m
	}
	return ModelByKey("free")
}

// Input returns the entry as the form shows it.
func (e *Entry) Input() EntryInput {
	in := EntryInput{Title: e.Title, StartedOn: e.StartedOn, ActivityType: e.ActivityType, Model: e.Model,
		Stages: e.Stages, Tags: e.Tags, GoalID: e.GoalID}
	if e.EndedOn != e.StartedOn {
		in.EndedOn = e.EndedOn
	}
	if e.Minutes > 0 || e.Status == "saved" {
		in.Hours = e.Hours()
	}
	return in
}

// EntryInput is what a person types for an entry.
type EntryInput struct {
	Title        string            `json:"title"`
	StartedOn    string            `json:"started_on"`
	EndedOn      string            `json:"ended_on,omitempty"`
	ActivityType string            `json:"activity_type"`
	Hours        string            `json:"hours"`
	Model        string            `json:"model"`
	Stages       map[string]string `json:"stages"`
	Tags         []Tag             `json:"tags,omitempty"`
	GoalID       int64             `json:"goal_id,omitempty"`
}

// Limits on what one entry holds.
const (
	maxTitle      = 200
	maxStageRunes = 30000 // about 5,000 words in one stage
	maxHours      = 1000
)

// GoalOwner reports whether a development-plan goal belongs to a person; package plan answers it.
type GoalOwner func(ctx context.Context, ownerID, goalID int64) bool

// checked is an entry's input after checking: what is stored.
type checked struct {
	EntryInput
	endedOn string
	minutes int
	body    string
}

// ParseHours reads hours as typed ("1", "1.5", "0.75", "1,5") into whole minutes.
func ParseHours(v string) (int, error) {
	v = strings.ReplaceAll(strings.TrimSpace(v), ",", ".")
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, errors.New("Enter the hours as a number, like 2 or 1.5")
	}
	if f < 0 {
		return 0, errors.New("Hours cannot be negative: enter 0 or more")
	}
	if f > maxHours {
		return 0, fmt.Errorf("Hours must be %d or fewer for one entry: split a long course into several entries", maxHours)
	}
	return int(math.Round(f * 60)), nil
}

func (s *Service) checkDate(errs *valid.Errors, field, label, v string, required bool) bool {
	if v == "" {
		if required {
			errs.Add(field, "Enter the "+label)
		}
		return false
	}
	d, err := time.Parse(time.DateOnly, v)
	if err != nil || d.Year() < 1950 {
		errs.Add(field, "The "+label+" must be a real date, like 2026-03-31")
		return false
	}
	if v > today(s.now()) {
		errs.Add(field, "The "+label+" must be today or earlier: record CPD once it has happened")
		return false
	}
	return true
}

// check validates an entry. A draft may be incomplete, but what it does hold must make sense;
// a saved entry must be complete.
func (s *Service) check(ctx context.Context, ownerID int64, in EntryInput, draft bool, goalOwner GoalOwner) (checked, valid.Errors) {
	var errs valid.Errors
	c := checked{EntryInput: in}
	c.Title = strings.TrimSpace(in.Title)
	c.StartedOn, c.EndedOn = strings.TrimSpace(in.StartedOn), strings.TrimSpace(in.EndedOn)
	c.ActivityType, c.Model = strings.TrimSpace(in.ActivityType), strings.TrimSpace(in.Model)
	if c.Title == "" && !draft {
		errs.Add("title", "Enter a title for the activity")
	} else if utf8.RuneCountInString(c.Title) > maxTitle {
		errs.Add("title", fmt.Sprintf("The title must be %d characters or fewer", maxTitle))
	}
	startOK := s.checkDate(&errs, "started_on", "date of the activity", c.StartedOn, !draft)
	endOK := s.checkDate(&errs, "ended_on", "end date", c.EndedOn, false)
	c.endedOn = c.StartedOn
	if endOK {
		c.endedOn = c.EndedOn
		if startOK && c.EndedOn < c.StartedOn {
			errs.Add("ended_on", "The end date must be on or after the start date")
		}
	}
	types, err := s.ActivityTypes(ctx)
	if err != nil {
		errs.Add("activity_type", "Activity types cannot be read just now: try again")
	}
	if c.ActivityType == "" {
		if !draft {
			errs.Add("activity_type", "Choose the type of activity")
		}
	} else if Label(types, c.ActivityType) == c.ActivityType {
		errs.Add("activity_type", "Choose one of the HCPC activity types")
	}
	if strings.TrimSpace(in.Hours) == "" {
		if !draft {
			errs.Add("hours", "Enter the hours the activity took, like 2 or 1.5")
		}
	} else if m, err := ParseHours(in.Hours); err != nil {
		errs.Add("hours", err.Error())
	} else {
		c.minutes = m
	}
	if c.Model == "" {
		c.Model = "free"
	}
	model := ModelByKey(c.Model)
	if model == nil {
		errs.Add("model", "Choose one of the reflective models")
		model = ModelByKey("free")
	}
	// Keep only the chosen model's stages, trimmed, so the stored write-up matches its model.
	c.Stages = map[string]string{}
	var body strings.Builder
	body.WriteString(c.Title)
	wrote := false
	for _, st := range model.Stages {
		v := strings.TrimSpace(strings.ReplaceAll(in.Stages[st.Key], "\r\n", "\n"))
		if v == "" {
			continue
		}
		if utf8.RuneCountInString(v) > maxStageRunes {
			errs.Add("stage_"+st.Key, fmt.Sprintf("%s must be %d characters or fewer", st.Title, maxStageRunes))
		}
		c.Stages[st.Key] = v
		body.WriteString("\n" + v)
		wrote = true
	}
	if !wrote && !draft {
		errs.Add("stage_"+model.Stages[0].Key, "Write your reflection: at least the first part")
	}
	c.body = body.String()
	c.Tags = nil
	seen := map[Tag]bool{}
	for _, t := range in.Tags {
		t.Title = ""
		if seen[t] {
			continue
		}
		seen[t] = true
		f, _, err := s.frameworks.Get(ctx, t.Framework, "")
		if err != nil || f.Element(t.Element) == nil {
			errs.Add("tags", fmt.Sprintf("%q is not an element of a framework on this site", t.Element))
			continue
		}
		c.Tags = append(c.Tags, t)
	}
	if in.GoalID != 0 && (goalOwner == nil || !goalOwner(ctx, ownerID, in.GoalID)) {
		errs.Add("goal_id", "Choose one of your own development-plan goals, or none")
	}
	return c, errs
}

// Create stores a new entry, as a draft or saved.
func (s *Service) Create(ctx context.Context, ownerID int64, in EntryInput, draft bool, goals GoalOwner) (*Entry, error) {
	c, errs := s.check(ctx, ownerID, in, draft, goals)
	if errs.Any() {
		return nil, errs
	}
	var id int64
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		var err error
		id, err = s.insertEntry(ctx, tx, ownerID, c, draft)
		return err
	})
	if err != nil {
		return nil, err
	}
	return s.Get(ctx, ownerID, id)
}

// CreateTx checks and stores a new entry inside the caller's transaction, so another area can
// make an entry and record it on its own rows at once (mentoring links a session to the entry
// made from it): if the caller's transaction rolls back, no entry is left behind. It returns
// the new entry's id. The checks read reference data (frameworks, the owner's goals through
// goals) outside tx, through the read pool.
func (s *Service) CreateTx(ctx context.Context, tx *store.Tx, ownerID int64, in EntryInput, draft bool, goals GoalOwner) (int64, error) {
	c, errs := s.check(ctx, ownerID, in, draft, goals)
	if errs.Any() {
		return 0, errs
	}
	return s.insertEntry(ctx, tx, ownerID, c, draft)
}

// insertEntry stores a checked entry with its tags and search index in tx.
func (s *Service) insertEntry(ctx context.Context, tx *store.Tx, ownerID int64, c checked, draft bool) (int64, error) {
	now := s.now()
	stages, _ := json.Marshal(c.Stages)
	id, err := tx.Insert(ctx, `INSERT INTO cpd_entries (user_id, status, title, started_on, ended_on, activity_type, minutes, model, stages, body, goal_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		ownerID, status(draft), c.Title, c.StartedOn, c.endedOn, c.ActivityType, c.minutes, c.Model, string(stages), c.body, nullID(c.GoalID), now, now)
	if err != nil {
		return 0, fmt.Errorf("portfolio: create entry: %w", err)
	}
	if err := s.writeTagsAndIndex(ctx, tx, id, c, draft); err != nil {
		return 0, err
	}
	return id, nil
}

// Update replaces an entry's content. Saving a draft makes it a saved entry; a saved entry can
// never go back to being a draft. Any autosaved pending changes are cleared.
func (s *Service) Update(ctx context.Context, ownerID, id int64, in EntryInput, draft bool, goals GoalOwner) (*Entry, error) {
	cur, err := s.Get(ctx, ownerID, id)
	if err != nil {
		return nil, err
	}
	if cur.Status == "saved" && draft {
		return nil, s.KeepPending(ctx, ownerID, id, in)
	}
	c, errs := s.check(ctx, ownerID, in, draft, goals)
	if errs.Any() {
		return nil, errs
	}
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		stages, _ := json.Marshal(c.Stages)
		res, err := tx.Exec(ctx, `UPDATE cpd_entries SET status = ?, title = ?, started_on = ?, ended_on = ?, activity_type = ?, minutes = ?, model = ?, stages = ?, body = ?, goal_id = ?, pending = '', updated_at = ? WHERE id = ? AND user_id = ?`,
			status(draft), c.Title, c.StartedOn, c.endedOn, c.ActivityType, c.minutes, c.Model, string(stages), c.body, nullID(c.GoalID), s.now(), id, ownerID)
		if err != nil {
			return fmt.Errorf("portfolio: update entry %d: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotFound
		}
		if _, err := tx.Exec(ctx, `DELETE FROM cpd_entry_tags WHERE entry_id = ?`, id); err != nil {
			return err
		}
		return s.writeTagsAndIndex(ctx, tx, id, c, draft)
	})
	if err != nil {
		return nil, err
	}
	return s.Get(ctx, ownerID, id)
}

// KeepPending stores autosaved changes to a saved entry without touching what is saved, so a
// half-typed edit is never lost and never replaces checked content by itself.
func (s *Service) KeepPending(ctx context.Context, ownerID, id int64, in EntryInput) error {
	b, _ := json.Marshal(in)
	if len(b) > 8*maxStageRunes {
		var errs valid.Errors
		errs.Add("title", "This entry is too long to keep: shorten it")
		return errs
	}
	res, err := s.db.Exec(ctx, `UPDATE cpd_entries SET pending = ? WHERE id = ? AND user_id = ?`, string(b), id, ownerID)
	if err != nil {
		return fmt.Errorf("portfolio: keep pending changes %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

// DiscardPending drops autosaved changes to a saved entry.
func (s *Service) DiscardPending(ctx context.Context, ownerID, id int64) error {
	res, err := s.db.Exec(ctx, `UPDATE cpd_entries SET pending = '' WHERE id = ? AND user_id = ?`, id, ownerID)
	if err != nil {
		return err
	}
	// Like KeepPending: another person's (or no) entry answers ErrNotFound, not silent success.
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

func (s *Service) writeTagsAndIndex(ctx context.Context, tx *store.Tx, id int64, c checked, draft bool) error {
	for _, t := range c.Tags {
		if _, err := tx.Exec(ctx, `INSERT INTO cpd_entry_tags (entry_id, framework_key, element_key) VALUES (?, ?, ?)`, id, t.Framework, t.Element); err != nil {
			return fmt.Errorf("portfolio: tag entry %d: %w", id, err)
		}
	}
	if tx.Dialect() != store.SQLite {
		return nil // PostgreSQL keeps its tsvector column itself
	}
	if _, err := tx.Exec(ctx, `DELETE FROM cpd_search WHERE rowid = ?`, id); err != nil {
		return fmt.Errorf("portfolio: index entry %d: %w", id, err)
	}
	if draft {
		return nil // search covers saved entries only
	}
	_, err := tx.Exec(ctx, `INSERT INTO cpd_search (rowid, title, body) VALUES (?, ?, ?)`, id, c.Title, c.body)
	return err
}

// Delete removes an entry, its evidence, tags and shares.
func (s *Service) Delete(ctx context.Context, ownerID, id int64) error {
	return s.db.InTx(ctx, func(tx *store.Tx) error {
		res, err := tx.Exec(ctx, `DELETE FROM cpd_entries WHERE id = ? AND user_id = ?`, id, ownerID)
		if err != nil {
			return fmt.Errorf("portfolio: delete entry %d: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotFound
		}
		if err := dropExports(ctx, tx, ownerID); err != nil {
			return err
		}
		if tx.Dialect() == store.SQLite {
			_, err = tx.Exec(ctx, `DELETE FROM cpd_search WHERE rowid = ?`, id)
		}
		return err
	})
}

const entryColumns = `id, user_id, status, title, started_on, ended_on, activity_type, minutes, model, stages, goal_id, pending, created_at, updated_at`

func scanEntry(row interface{ Scan(...any) error }) (*Entry, error) {
	var e Entry
	var stages, pending string
	var goal sql.NullInt64
	if err := row.Scan(&e.ID, &e.UserID, &e.Status, &e.Title, &e.StartedOn, &e.EndedOn, &e.ActivityType, &e.Minutes, &e.Model, &stages, &goal, &pending, &e.CreatedAt, &e.UpdatedAt); err != nil {
		return nil, err
	}
	e.GoalID = goal.Int64
	if err := json.Unmarshal([]byte(stages), &e.Stages); err != nil {
		return nil, fmt.Errorf("portfolio: entry %d stages: %w", e.ID, err)
	}
	if pending != "" {
		var in EntryInput
		if json.Unmarshal([]byte(pending), &in) == nil {
			e.Pending = &in
		}
	}
	return &e, nil
}

// Get returns one of the owner's entries with its tags and evidence list.
func (s *Service) Get(ctx context.Context, ownerID, id int64) (*Entry, error) {
	e, err := scanEntry(s.db.QueryRow(ctx, `SELECT `+entryColumns+` FROM cpd_entries WHERE id = ? AND user_id = ?`, id, ownerID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("portfolio: get entry %d: %w", id, err)
	}
	if err := s.fill(ctx, []*Entry{e}); err != nil {
		return nil, err
	}
	return e, nil
}

// fill reads tags (with titles) and evidence for entries.
func (s *Service) fill(ctx context.Context, entries []*Entry) error {
	for _, e := range entries {
		rows, err := s.db.Query(ctx, `SELECT framework_key, element_key FROM cpd_entry_tags WHERE entry_id = ? ORDER BY framework_key, element_key`, e.ID)
		if err != nil {
			return err
		}
		for rows.Next() {
			var t Tag
			if err := rows.Scan(&t.Framework, &t.Element); err != nil {
				rows.Close()
				return err
			}
			e.Tags = append(e.Tags, t)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		// Titles only after the rows are closed: a query while they hold a read connection
		// can deadlock the pool under load (see itemTags).
		for i := range e.Tags {
			e.Tags[i].Title = s.elementTitle(ctx, e.Tags[i])
		}
		if e.Evidence, err = s.files(ctx, e.UserID, e.ID); err != nil {
			return err
		}
	}
	return nil
}

func (s *Service) elementTitle(ctx context.Context, t Tag) string {
	f, _, err := s.frameworks.Get(ctx, t.Framework, "")
	if err != nil {
		return t.Element
	}
	if el := f.Element(t.Element); el != nil {
		return f.DisplayTitle() + ": " + el.Title
	}
	return t.Element
}

// Drafts lists the owner's unsaved drafts, newest first.
func (s *Service) Drafts(ctx context.Context, ownerID int64) ([]*Entry, error) {
	rows, err := s.db.Query(ctx, `SELECT `+entryColumns+` FROM cpd_entries WHERE user_id = ? AND status = 'draft' ORDER BY updated_at DESC`, ownerID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*Entry
	for rows.Next() {
		e, err := scanEntry(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

func status(draft bool) string {
	if draft {
		return "draft"
	}
	return "saved"
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

func today(now time.Time) string { return now.In(london).Format(time.DateOnly) }

var london = mustLondon()

func mustLondon() *time.Location {
	l, err := time.LoadLocation("Europe/London")
	if err != nil {
		panic(err)
	}
	return l
}

// Check validates an entry without saving it, so a form can show every problem at once.
func (s *Service) Check(ctx context.Context, ownerID int64, in EntryInput, draft bool, goals GoalOwner) valid.Errors {
	_, errs := s.check(ctx, ownerID, in, draft, goals)
	return errs
}
