// Package assess owns how a person sees where their leadership stands: self-assessments against
// any framework with a rating scale, 360 feedback from others, targets for each career level,
// and the gaps between them. Everything here belongs to the person assessed: every read is
// filtered by its owner, and someone else's record answers ErrNotFound, exactly like one that
// does not exist.
package assess

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/pillars-ot/pillars/internal/framework"
	"github.com/pillars-ot/pillars/internal/rollup"
	"github.com/pillars-ot/pillars/internal/store"
	"github.com/pillars-ot/pillars/internal/valid"
)

// Errors callers turn into pages.
var (
	ErrNotFound         = errors.New("assess: not found")
	ErrNotAssessable    = errors.New("this framework has no rating scale, so it cannot be used for a self-assessment")
	ErrAlreadySubmitted = errors.New("this assessment has been submitted and can no longer change; start a new one")
)

// DefaultFramework is offered first: the OT leadership framework's 8 skills and 5 dimensions.
const DefaultFramework = "ot-leadership"

// MaxEvidence is the longest evidence note, in characters.
const MaxEvidence = 2000

// Rating is one element's answer in an assessment. Zero means "not given".
type Rating struct {
	Rating     int
	Importance int
	Evidence   string
}

// Assessment is one self-assessment.
type Assessment struct {
	ID           int64
	UserID       int64
	FrameworkKey string
	VersionID    int64
	Status       string // draft or submitted
	CreatedAt    time.Time
	UpdatedAt    time.Time
	SubmittedAt  *time.Time
	Ratings      map[string]Rating
}

// Submitted reports whether the assessment is fixed.
func (a *Assessment) Submitted() bool { return a.Status == "submitted" }

// Service is the assessment area.
type Service struct {
	db         *store.DB
	frameworks *framework.Catalogue
	now        func() time.Time
}

// NewService returns the area over db.
func NewService(db *store.DB, frameworks *framework.Catalogue) *Service {
	return &Service{db: db, frameworks: frameworks, now: store.Now}
}

// Start returns the person's draft for the framework, creating one against its current version if
// there is none, so leaving and coming back always resumes the same draft.
func (s *Service) Start(ctx context.Context, userID int64, frameworkKey string) (*Assessment, error) {
	f, vi, err := s.frameworks.Get(ctx, frameworkKey, "")
	if err != nil {
		return nil, err
	}
	if f.Scale == nil || len(f.Rateable()) == 0 {
		return nil, ErrNotAssessable
	}
	var id int64
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		err := tx.QueryRow(ctx, `SELECT id FROM assessments WHERE user_id = ? AND framework_key = ? AND status = 'draft' ORDER BY id DESC LIMIT 1`, userID, frameworkKey).Scan(&id)
		if err == nil || !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		now := s.now()
		id, err = tx.Insert(ctx, `INSERT INTO assessments (user_id, framework_key, framework_version_id, status, created_at, updated_at) VALUES (?, ?, ?, 'draft', ?, ?)`,
			userID, frameworkKey, vi.ID, now, now)
		if err != nil {
			return fmt.Errorf("assess: start: %w", err)
		}
		// Saved data now refers to this version: it can never change under the person's answers.
		return framework.MarkUsed(ctx, tx, vi.ID)
	})
	if err != nil {
		return nil, err
	}
	return s.Get(ctx, userID, id)
}

// Get returns one of the person's own assessments with its ratings.
func (s *Service) Get(ctx context.Context, userID, id int64) (*Assessment, error) {
	a := &Assessment{Ratings: map[string]Rating{}}
	var submitted sql.NullTime
	err := s.db.QueryRow(ctx, `SELECT id, user_id, framework_key, framework_version_id, status, created_at, updated_at, submitted_at
		FROM assessments WHERE id = ? AND user_id = ?`, id, userID).Scan(&a.ID, &a.UserID, &a.FrameworkKey, &a.VersionID, &a.Status, &a.CreatedAt, &a.UpdatedAt, &submitted)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("assess: get %d: %w", id, err)
	}
	a.SubmittedAt = store.TimePtr(submitted)
	rows, err := s.db.Query(ctx, `SELECT element_key, rating, importance, evidence FROM assessment_ratings WHERE assessment_id = ?`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var key string
		var r, imp sql.NullInt64
		var ev string
		if err := rows.Scan(&key, &r, &imp, &ev); err != nil {
			return nil, err
		}
		a.Ratings[key] = Rating{Rating: int(r.Int64), Importance: int(imp.Int64), Evidence: ev}
	}
	return a, rows.Err()
}

// Framework returns the framework version an assessment was made against.
func (s *Service) Framework(ctx context.Context, a *Assessment) (*framework.Framework, error) {
	f, _, err := s.frameworks.GetVersionByID(ctx, a.FrameworkKey, a.VersionID)
	return f, err
}

// FieldFor names the form field of an element's rating, so errors point at the right control.
func FieldFor(elementKey, part string) string { return part + "-" + elementKey }

// check validates answers against the framework's own scales. With complete set, every rateable
// element must have a rating.
func check(f *framework.Framework, ratings map[string]Rating, complete bool) valid.Errors {
	var errs valid.Errors
	inScale := func(sc *framework.Scale, v int) bool {
		if sc == nil {
			return false
		}
		for _, p := range sc.Points {
			if p.Value == v {
				return true
			}
		}
		return false
	}
	describe := func(sc *framework.Scale) string {
		return fmt.Sprintf("%d to %d", sc.Points[0].Value, sc.Points[len(sc.Points)-1].Value)
	}
	rateable := map[string]bool{}
	for _, e := range f.Rateable() {
		rateable[e.Key] = true
	}
	for key := range ratings {
		if !rateable[key] {
			errs.Add(FieldFor(key, "rating"), fmt.Sprintf("%q is not an element you can rate in %s", key, f.Title))
		}
	}
	for _, e := range f.Rateable() {
		r, given := ratings[e.Key]
		switch {
		case (!given || r.Rating == 0) && complete:
			errs.Add(FieldFor(e.Key, "rating"), fmt.Sprintf("Choose a rating for %s", e.Title))
		case given && r.Rating != 0 && !inScale(f.Scale, r.Rating):
			errs.Add(FieldFor(e.Key, "rating"), fmt.Sprintf("The rating for %s must be on the scale, %s", e.Title, describe(f.Scale)))
		}
		if given && r.Importance != 0 && !inScale(f.ImportanceScale, r.Importance) {
			if f.ImportanceScale == nil {
				errs.Add(FieldFor(e.Key, "importance"), fmt.Sprintf("%s has no importance scale", f.Title))
			} else {
				errs.Add(FieldFor(e.Key, "importance"), fmt.Sprintf("The importance of %s must be on the scale, %s", e.Title, describe(f.ImportanceScale)))
			}
		}
		if given && utf8.RuneCountInString(r.Evidence) > MaxEvidence {
			errs.Add(FieldFor(e.Key, "evidence"), fmt.Sprintf("The evidence note for %s must be %d characters or fewer", e.Title, MaxEvidence))
		}
	}
	return errs
}

// SaveDraft stores answers in a draft. Answers not given are left as they were. Nothing is saved
// if any answer is invalid.
func (s *Service) SaveDraft(ctx context.Context, userID, id int64, ratings map[string]Rating) error {
	return s.save(ctx, userID, id, ratings, false)
}

// Submit stores the answers and fixes the assessment. Every rateable element needs a rating.
// It becomes the person's latest assessment for that framework; earlier ones never change.
func (s *Service) Submit(ctx context.Context, userID, id int64, ratings map[string]Rating) error {
	return s.save(ctx, userID, id, ratings, true)
}

func (s *Service) save(ctx context.Context, userID, id int64, ratings map[string]Rating, submit bool) error {
	a, err := s.Get(ctx, userID, id)
	if err != nil {
		return err
	}
	if a.Submitted() {
		return ErrAlreadySubmitted
	}
	f, err := s.Framework(ctx, a)
	if err != nil {
		return err
	}
	trimmed := make(map[string]Rating, len(ratings)) // never change the caller's map
	for k, r := range ratings {
		r.Evidence = strings.TrimSpace(r.Evidence)
		trimmed[k] = r
	}
	ratings = trimmed
	if submit {
		merged := map[string]Rating{}
		for k, r := range a.Ratings {
			merged[k] = r
		}
		for k, r := range ratings {
			merged[k] = r
		}
		if errs := check(f, merged, true); errs.Any() {
			return errs
		}
	} else if errs := check(f, ratings, false); errs.Any() {
		return errs
	}
	return s.db.InTx(ctx, func(tx *store.Tx) error {
		// Claim the draft first: the update locks the row (on PostgreSQL), so of two submissions
		// racing, from a double click or a second tab, only one finds it still a draft.
		res, err := tx.Exec(ctx, `UPDATE assessments SET updated_at = ? WHERE id = ? AND user_id = ? AND status = 'draft'`, s.now(), id, userID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrAlreadySubmitted
		}
		pos := map[string]int{}
		for i, e := range f.Rateable() {
			pos[e.Key] = i
		}
		keys := make([]string, 0, len(ratings))
		for k := range ratings {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			r := ratings[k]
			if _, err := tx.Exec(ctx, `INSERT INTO assessment_ratings (assessment_id, element_key, element_pos, rating, importance, evidence) VALUES (?, ?, ?, ?, ?, ?)
				ON CONFLICT (assessment_id, element_key) DO UPDATE SET rating = excluded.rating, importance = excluded.importance, evidence = excluded.evidence`,
				id, k, pos[k], nullInt(r.Rating), nullInt(r.Importance), r.Evidence); err != nil {
				return fmt.Errorf("assess: save rating: %w", err)
			}
		}
		now := s.now()
		if !submit {
			_, err := tx.Exec(ctx, `UPDATE assessments SET updated_at = ? WHERE id = ?`, now, id)
			return err
		}
		// The organisations' heat map totals swap the old latest assessment for this one.
		orgs, err := rollup.Orgs(ctx, tx, userID)
		if err != nil {
			return err
		}
		for _, o := range orgs {
			if err := rollup.RemoveFramework(ctx, tx, userID, o, a.FrameworkKey); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, `UPDATE assessments SET is_latest = ? WHERE user_id = ? AND framework_key = ? AND is_latest = ?`, false, userID, a.FrameworkKey, true); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE assessments SET status = 'submitted', submitted_at = ?, updated_at = ?, is_latest = ? WHERE id = ?`, now, now, true, id); err != nil {
			return err
		}
		for _, o := range orgs {
			if err := rollup.AddFramework(ctx, tx, userID, o, a.FrameworkKey); err != nil {
				return err
			}
		}
		return nil
	})
}

func nullInt(v int) any {
	if v == 0 {
		return nil
	}
	return v
}

// Summary is one assessment in the person's history.
type Summary struct {
	ID           int64
	FrameworkKey string
	Status       string
	CreatedAt    time.Time
	SubmittedAt  *time.Time
	Rated        int
}

// History lists every assessment the person has made, newest first.
func (s *Service) History(ctx context.Context, userID int64) ([]Summary, error) {
	rows, err := s.db.Query(ctx, `SELECT a.id, a.framework_key, a.status, a.created_at, a.submitted_at,
		(SELECT COUNT(*) FROM assessment_ratings r WHERE r.assessment_id = a.id AND r.rating IS NOT NULL)
		FROM assessments a WHERE a.user_id = ? ORDER BY COALESCE(a.submitted_at, a.created_at) DESC, a.id DESC`, userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Summary
	for rows.Next() {
		var x Summary
		var sub sql.NullTime
		if err := rows.Scan(&x.ID, &x.FrameworkKey, &x.Status, &x.CreatedAt, &sub, &x.Rated); err != nil {
			return nil, err
		}
		x.SubmittedAt = store.TimePtr(sub)
		out = append(out, x)
	}
	return out, rows.Err()
}

// Latest returns the person's newest submitted assessment for a framework, or ErrNotFound.
func (s *Service) Latest(ctx context.Context, userID int64, frameworkKey string) (*Assessment, error) {
	var id int64
	err := s.db.QueryRow(ctx, `SELECT id FROM assessments WHERE user_id = ? AND framework_key = ? AND is_latest = ?`, userID, frameworkKey, true).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	return s.Get(ctx, userID, id)
}

// Change is one element compared across two assessments.
type Change struct {
	Element *framework.Element
	Before  int
	After   int
	Delta   int
	Known   bool // both assessments rated it
}

// Compare lines up two of the person's assessments of the same framework, element by element,
// in the later one's framework order.
func (s *Service) Compare(ctx context.Context, userID, beforeID, afterID int64) (*Assessment, *Assessment, []Change, error) {
	before, err := s.Get(ctx, userID, beforeID)
	if err != nil {
		return nil, nil, nil, err
	}
	after, err := s.Get(ctx, userID, afterID)
	if err != nil {
		return nil, nil, nil, err
	}
	if before.FrameworkKey != after.FrameworkKey {
		return nil, nil, nil, valid.Errors{{Field: "after", Message: "Choose two assessments of the same framework to compare"}}
	}
	f, err := s.Framework(ctx, after)
	if err != nil {
		return nil, nil, nil, err
	}
	var out []Change
	for _, e := range f.Rateable() {
		c := Change{Element: e, Before: before.Ratings[e.Key].Rating, After: after.Ratings[e.Key].Rating}
		c.Known = c.Before != 0 && c.After != 0
		if c.Known {
			c.Delta = c.After - c.Before
		}
		out = append(out, c)
	}
	return before, after, out, nil
}
