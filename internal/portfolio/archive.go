package portfolio

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/pillars-ot/pillars/internal/privacy"
	"github.com/pillars-ot/pillars/internal/store"
	"github.com/pillars-ot/pillars/internal/valid"
)

// ArchiveVersion is the version of the JSON export format.
const ArchiveVersion = 1

// Archive is a person's whole portfolio, for export and import: entries with their evidence,
// collections and audit packs. LEAP2A (package leap2a) and JSON are two spellings of it.
type Archive struct {
	Format      string               `json:"format"` // "pillars-portfolio"
	Version     int                  `json:"version"`
	ExportedAt  time.Time            `json:"exported_at"`
	Owner       ArchiveOwner         `json:"owner"`
	Entries     []ArchivedEntry      `json:"entries"`
	Collections []ArchivedCollection `json:"collections,omitempty"`
	Packs       []ArchivedPack       `json:"packs,omitempty"`
}

// ArchiveOwner names whose portfolio it is.
type ArchiveOwner struct {
	Name  string `json:"name"`
	Email string `json:"email"`
}

// ArchivedEntry is one entry. Key identifies it within the archive (collections and packs refer
// to it); it is not a database id and is never trusted as one on import.
type ArchivedEntry struct {
	Key          string            `json:"key"`
	Status       string            `json:"status"`
	Title        string            `json:"title"`
	StartedOn    string            `json:"started_on"`
	EndedOn      string            `json:"ended_on"`
	ActivityType string            `json:"activity_type"`
	Minutes      int               `json:"minutes"`
	Model        string            `json:"model"`
	Stages       map[string]string `json:"stages"`
	Tags         []Tag             `json:"tags,omitempty"`
	CreatedAt    time.Time         `json:"created_at"`
	UpdatedAt    time.Time         `json:"updated_at"`
	Evidence     []ArchivedFile    `json:"evidence,omitempty"`
}

// ArchivedFile is one evidence file with its content.
type ArchivedFile struct {
	Filename    string `json:"filename"`
	ContentType string `json:"content_type"`
	Data        []byte `json:"data"`
}

// ArchivedCollection is a collection by entry keys.
type ArchivedCollection struct {
	Title       string   `json:"title"`
	Description string   `json:"description,omitempty"`
	Entries     []string `json:"entries"`
}

// ArchivedPack is an audit pack; Selected are entry keys.
type ArchivedPack struct {
	Profession string            `json:"profession"`
	CycleStart string            `json:"cycle_start"`
	CycleEnd   string            `json:"cycle_end"`
	Summary    string            `json:"summary"`
	Statement  map[string]string `json:"statement"`
	Selected   []string          `json:"selected"`
	GapNotes   map[string]string `json:"gap_notes"`
}

// Snapshot reads the owner's whole portfolio, evidence included.
func (s *Service) Snapshot(ctx context.Context, ownerID int64) (*Archive, error) {
	a := &Archive{Format: "pillars-portfolio", Version: ArchiveVersion, ExportedAt: s.now()}
	if err := s.db.QueryRow(ctx, `SELECT name, email FROM users WHERE id = ?`, ownerID).Scan(&a.Owner.Name, &a.Owner.Email); err != nil {
		return nil, err
	}
	rows, err := s.db.Query(ctx, `SELECT `+entryColumns+` FROM cpd_entries WHERE user_id = ? ORDER BY started_on, id`, ownerID)
	if err != nil {
		return nil, err
	}
	var entries []*Entry
	for rows.Next() {
		e, err := scanEntry(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		entries = append(entries, e)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if err := s.fill(ctx, entries); err != nil {
		return nil, err
	}
	key := map[int64]string{}
	for i, e := range entries {
		k := fmt.Sprintf("entry-%d", i+1)
		key[e.ID] = k
		ae := ArchivedEntry{Key: k, Status: e.Status, Title: e.Title, StartedOn: e.StartedOn, EndedOn: e.EndedOn, ActivityType: e.ActivityType,
			Minutes: e.Minutes, Model: e.Model, Stages: e.Stages, CreatedAt: e.CreatedAt.UTC(), UpdatedAt: e.UpdatedAt.UTC()}
		for _, t := range e.Tags {
			ae.Tags = append(ae.Tags, Tag{Framework: t.Framework, Element: t.Element})
		}
		for _, f := range e.Evidence {
			_, data, err := s.FileData(ctx, ownerID, f.ID)
			if err != nil {
				return nil, err
			}
			ae.Evidence = append(ae.Evidence, ArchivedFile{Filename: f.Filename, ContentType: f.ContentType, Data: data})
		}
		a.Entries = append(a.Entries, ae)
	}
	cols, err := s.Collections(ctx, ownerID)
	if err != nil {
		return nil, err
	}
	for i := len(cols) - 1; i >= 0; i-- { // oldest first, so an import recreates them in order
		c := ArchivedCollection{Title: cols[i].Title, Description: cols[i].Description}
		for _, id := range cols[i].EntryIDs {
			c.Entries = append(c.Entries, key[id])
		}
		a.Collections = append(a.Collections, c)
	}
	packs, err := s.Packs(ctx, ownerID)
	if err != nil {
		return nil, err
	}
	for _, sum := range packs {
		p, err := s.Pack(ctx, ownerID, sum.ID)
		if err != nil {
			return nil, err
		}
		ap := ArchivedPack{Profession: p.Profession, CycleStart: p.CycleStart, CycleEnd: p.CycleEnd, Summary: p.Summary, Statement: p.Statement, GapNotes: p.GapNotes}
		for _, id := range p.Selected {
			if k := key[id]; k != "" {
				ap.Selected = append(ap.Selected, k)
			}
		}
		a.Packs = append(a.Packs, ap)
	}
	sort.SliceStable(a.Packs, func(i, j int) bool { return a.Packs[i].CycleStart < a.Packs[j].CycleStart })
	return a, nil
}

// WriteJSON writes an archive as indented JSON (evidence as base64).
func WriteJSON(w io.Writer, a *Archive) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(a)
}

// MaxArchiveBytes bounds an uploaded archive: a whole portfolio's evidence plus its text.
const MaxArchiveBytes = MaxPersonBytes + 50<<20

// ReadJSON reads a JSON archive, refusing anything that is not one.
func ReadJSON(r io.Reader) (*Archive, error) {
	dec := json.NewDecoder(io.LimitReader(r, MaxArchiveBytes))
	dec.DisallowUnknownFields()
	var a Archive
	if err := dec.Decode(&a); err != nil {
		return nil, valid.Errors{{Field: "file", Message: "This is not a Pillars portfolio JSON file, or it is damaged: " + plainJSONError(err)}}
	}
	if a.Format != "pillars-portfolio" {
		return nil, valid.Errors{{Field: "file", Message: "This JSON file is not a Pillars portfolio export"}}
	}
	if a.Version > ArchiveVersion {
		return nil, valid.Errors{{Field: "file", Message: "This portfolio was exported by a newer version of Pillars: ask your administrator to upgrade"}}
	}
	return &a, nil
}

func plainJSONError(err error) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	// The decoder's own words ("unexpected EOF", "json: unknown field") are not for people.
	switch {
	case errors.Is(err, io.EOF):
		return "the file is empty"
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "the file ends too soon, so it may not have finished downloading"
	case asErr(err, &se):
		return fmt.Sprintf("the file is not valid JSON near byte %d", se.Offset)
	case asErr(err, &te) && te.Field == "":
		return "it does not hold a portfolio"
	case asErr(err, &te):
		return fmt.Sprintf("%q has the wrong kind of value", te.Field)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return "it has a field Pillars does not know: " + strings.TrimPrefix(err.Error(), "json: unknown field ")
	}
	return err.Error()
}

// ImportResult says what an import added.
type ImportResult struct {
	Entries     int
	Files       int
	Collections int
	Packs       int
	Skipped     int // entries already in the portfolio (same title, dates and text)
}

// Restore adds an archive's contents to the owner's portfolio in one transaction: every entry is
// checked as if typed, and any problem rejects the whole import, naming the entry, so nothing
// already stored changes. Entries already present (same title, dates and reflection) are
// skipped, so importing the same file twice adds nothing.
func (s *Service) Restore(ctx context.Context, ownerID int64, a *Archive) (*ImportResult, error) {
	var errs valid.Errors
	res := &ImportResult{}
	type prepared struct {
		c     checked
		draft bool
		files []ArchivedFile
		src   ArchivedEntry
	}
	var todo []prepared
	var size int64
	keys := map[string]int{}
	for i, ae := range a.Entries {
		in := EntryInput{Title: ae.Title, StartedOn: ae.StartedOn, EndedOn: ae.EndedOn, ActivityType: ae.ActivityType,
			Hours: FormatHours(ae.Minutes), Model: ae.Model, Stages: ae.Stages, Tags: ae.Tags}
		if ae.Minutes < 0 {
			in.Hours = "-1"
		}
		if in.EndedOn == in.StartedOn {
			in.EndedOn = ""
		}
		draft := ae.Status == "draft"
		c, ferrs := s.check(ctx, ownerID, in, draft, nil)
		name := ae.Title
		if name == "" {
			name = fmt.Sprintf("number %d", i+1)
		}
		for _, fe := range ferrs {
			errs = append(errs, valid.FieldError{Field: "file", Message: fmt.Sprintf("Entry %q: %s", name, fe.Message)})
		}
		c.minutes = ae.Minutes
		for _, f := range ae.Evidence {
			if _, ferrs := CheckFile(f.Filename, f.Data); ferrs.Any() {
				errs = append(errs, valid.FieldError{Field: "file", Message: fmt.Sprintf("Entry %q: %s", name, ferrs[0].Message)})
			}
			size += int64(len(f.Data))
		}
		if ae.Key != "" {
			keys[ae.Key] = i
		}
		todo = append(todo, prepared{c: c, draft: draft, files: ae.Evidence, src: ae})
	}
	// A pack's cycle is checked as OpenPack checks it, so an import cannot make a pack with
	// dates the pack pages and export file names were never meant to hold.
	for _, p := range a.Packs {
		ds, err1 := time.Parse(time.DateOnly, p.CycleStart)
		de, err2 := time.Parse(time.DateOnly, p.CycleEnd)
		if err1 != nil || err2 != nil || !de.After(ds) {
			errs = append(errs, valid.FieldError{Field: "file", Message: fmt.Sprintf("Audit pack %q to %q: the cycle must be two real dates, like 2025-11-01 and 2027-10-31, the second after the first", p.CycleStart, p.CycleEnd)})
		}
	}
	if errs.Any() {
		return nil, errs
	}
	ids := make([]int64, len(todo))
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		var used int64
		if err := tx.QueryRow(ctx, `SELECT COALESCE(SUM(size), 0) FROM cpd_evidence WHERE user_id = ?`, ownerID).Scan(&used); err != nil {
			return err
		}
		// The limit counts only evidence this import adds: entries already present are skipped
		// with their files, so importing the same file again near the limit is not refused.
		overLimit := valid.Errors{{Field: "file", Message: fmt.Sprintf("The evidence in this file (%s) would take you over your limit of %s: remove some files first", SizeLabel(size), SizeLabel(MaxPersonBytes))}}
		for i, p := range todo {
			stages, _ := json.Marshal(p.c.Stages)
			var existing int64
			err := tx.QueryRow(ctx, `SELECT COALESCE(MIN(id), 0) FROM cpd_entries WHERE user_id = ? AND title = ? AND started_on = ? AND ended_on = ? AND stages = ?`,
				ownerID, p.c.Title, p.c.StartedOn, p.c.endedOn, string(stages)).Scan(&existing)
			if err != nil {
				return err
			}
			if existing != 0 {
				ids[i] = existing
				res.Skipped++
				continue
			}
			created, updated := p.src.CreatedAt, p.src.UpdatedAt
			if created.IsZero() {
				created = s.now()
			}
			if updated.IsZero() {
				updated = created
			}
			id, err := tx.Insert(ctx, `INSERT INTO cpd_entries (user_id, status, title, started_on, ended_on, activity_type, minutes, model, stages, body, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				ownerID, status(p.draft), p.c.Title, p.c.StartedOn, p.c.endedOn, p.c.ActivityType, p.c.minutes, p.c.Model, string(stages), p.c.body, created, updated)
			if err != nil {
				return fmt.Errorf("portfolio: import entry: %w", err)
			}
			ids[i] = id
			if err := s.writeTagsAndIndex(ctx, tx, id, p.c, p.draft); err != nil {
				return err
			}
			for _, f := range p.files {
				if used += int64(len(f.Data)); used > MaxPersonBytes {
					return overLimit
				}
				ct, _ := CheckFile(f.Filename, f.Data)
				if _, err := tx.Exec(ctx, `INSERT INTO cpd_evidence (entry_id, user_id, filename, content_type, size, sha256, data, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
					id, ownerID, CleanFilename(f.Filename), ct, len(f.Data), sha256Hex(f.Data), f.Data, s.now()); err != nil {
					return err
				}
				res.Files++
			}
			res.Entries++
		}
		for _, c := range a.Collections {
			if c.Title == "" {
				continue
			}
			var entryIDs []int64
			seen := map[int64]bool{}
			for _, k := range c.Entries {
				i, ok := keys[k]
				if !ok || seen[ids[i]] {
					continue
				}
				seen[ids[i]] = true
				entryIDs = append(entryIDs, ids[i])
			}
			// Like entries, a collection already in the portfolio (same title, description and
			// entries in order) is not added again, so a second import of the same file adds nothing.
			if dup, err := hasCollection(ctx, tx, ownerID, c.Title, c.Description, entryIDs); err != nil || dup {
				if err != nil {
					return err
				}
				continue
			}
			cid, err := tx.Insert(ctx, `INSERT INTO cpd_collections (user_id, title, description, created_at) VALUES (?, ?, ?, ?)`, ownerID, c.Title, c.Description, s.now())
			if err != nil {
				return err
			}
			for pos, id := range entryIDs {
				if _, err := tx.Exec(ctx, `INSERT INTO cpd_collection_entries (collection_id, entry_id, position) VALUES (?, ?, ?)`, cid, id, pos); err != nil {
					return err
				}
			}
			res.Collections++
		}
		for _, p := range a.Packs {
			var n int
			if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM audit_packs WHERE user_id = ? AND cycle_start = ? AND cycle_end = ?`, ownerID, p.CycleStart, p.CycleEnd).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				continue // never overwrite a pack the person is already writing
			}
			var sel []int64
			for _, k := range p.Selected {
				if i, ok := keys[k]; ok {
					sel = append(sel, ids[i])
				}
			}
			st, _ := json.Marshal(nonNil(p.Statement))
			gn, _ := json.Marshal(nonNil(p.GapNotes))
			sj, _ := json.Marshal(sel)
			if sel == nil {
				sj = []byte("[]")
			}
			prof := p.Profession
			if prof == "" {
				prof = DefaultProfession
			}
			if _, err := tx.Exec(ctx, `INSERT INTO audit_packs (user_id, profession, cycle_start, cycle_end, summary, statement, selected, gap_notes, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				ownerID, prof, p.CycleStart, p.CycleEnd, p.Summary, string(st), string(sj), string(gn), s.now(), s.now()); err != nil {
				return err
			}
			res.Packs++
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// hasCollection reports whether the owner has a collection with this title and description
// holding exactly these entries, in this order.
func hasCollection(ctx context.Context, tx *store.Tx, ownerID int64, title, description string, entryIDs []int64) (bool, error) {
	rows, err := tx.Query(ctx, `SELECT id FROM cpd_collections WHERE user_id = ? AND title = ? AND description = ?`, ownerID, title, description)
	if err != nil {
		return false, err
	}
	var candidates []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return false, err
		}
		candidates = append(candidates, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return false, err
	}
	for _, cid := range candidates {
		rows, err := tx.Query(ctx, `SELECT entry_id FROM cpd_collection_entries WHERE collection_id = ? ORDER BY position`, cid)
		if err != nil {
			return false, err
		}
		var got []int64
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return false, err
			}
			got = append(got, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return false, err
		}
		if slices.Equal(got, entryIDs) {
			return true, nil
		}
	}
	return false, nil
}

func nonNil(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}

func asErr[T error](err error, target *T) bool { return errors.As(err, target) }

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// ArchiveFindings runs the confidentiality check over everything an export would carry: every
// entry's title and reflection, evidence file names, and the packs' text. Pillars checks again
// before any export, because an entry may have been saved with "I have checked this".
func ArchiveFindings(a *Archive) []Finding {
	var out []Finding
	add := func(where, text string) {
		for _, f := range privacy.Check(text) {
			out = append(out, Finding{Where: where, Kind: f.Kind.Label(), Text: f.Text})
		}
	}
	for _, e := range a.Entries {
		add(e.Title, e.Title)
		for _, st := range modelOrFree(e.Model).Stages {
			add(e.Title+": "+st.Title, e.Stages[st.Key])
		}
		for _, f := range e.Evidence {
			add(e.Title+": file name", f.Filename)
		}
	}
	for _, p := range a.Packs {
		where := "Audit pack " + DatesLabel(p.CycleStart, p.CycleEnd)
		add(where+": summary", p.Summary)
		for _, k := range sortedKeys(p.Statement) {
			add(where+": statement", p.Statement[k])
		}
		for _, k := range sortedKeys(p.GapNotes) {
			add(where+": gap explanation", p.GapNotes[k])
		}
	}
	return out
}

func modelOrFree(key string) *Model {
	if m := ModelByKey(key); m != nil {
		return m
	}
	return ModelByKey("free")
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
