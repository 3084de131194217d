package framework

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"sync"
	"time"

	"github.com/pillars-ot/pillars/internal/store"
)

//go:embed builtin/*.yaml
var builtinFiles embed.FS

// ErrVersionLocked means saved data already refers to this version, so its content is frozen.
var ErrVersionLocked = errors.New("framework version in use")

// ErrNotFound means no framework, version or element has that key.
var ErrNotFound = errors.New("framework not found")

// Summary describes a stored framework and its current version, for lists.
type Summary struct {
	ID         int64
	Key        string
	Title      string
	ShortTitle string
	Summary    string
	Version    string
	VersionID  int64
	Elements   int
	Versions   int
	Builtin    bool
	ImportedAt time.Time
	HasLevels  bool
	HasScale   bool
}

// VersionInfo describes one stored version.
type VersionInfo struct {
	ID         int64
	Version    string
	Title      string
	Current    bool
	Locked     bool
	Builtin    bool
	SourceName string
	ImportedAt time.Time
}

// ImportResult says what an import did.
type ImportResult struct {
	Framework *Framework
	VersionID int64
	Outcome   string // "created", "replaced" or "unchanged"
}

// Catalogue reads and writes frameworks. Parsed versions are cached by content hash: a version's
// content can only change while nothing refers to it, and the hash changes with it, so the cache
// is never stale, even with several app servers sharing one database.
type Catalogue struct {
	db    *store.DB
	mu    sync.RWMutex
	cache map[string]*Framework // content hash -> parsed
}

// NewCatalogue returns a Catalogue over db.
func NewCatalogue(db *store.DB) *Catalogue {
	return &Catalogue{db: db, cache: map[string]*Framework{}}
}

func hashOf(doc []byte) string {
	sum := sha256.Sum256(doc)
	return hex.EncodeToString(sum[:])
}

// LoadBuiltin imports the embedded frameworks. Unchanged ones are left alone, so it is cheap to
// run at every start.
func (c *Catalogue) LoadBuiltin(ctx context.Context) ([]ImportResult, error) {
	names, err := fs.Glob(builtinFiles, "builtin/*.yaml")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	var out []ImportResult
	for _, name := range names {
		doc, err := fs.ReadFile(builtinFiles, name)
		if err != nil {
			return out, err
		}
		res, err := c.Import(ctx, name, doc, 0, true)
		if err != nil {
			return out, fmt.Errorf("framework: built-in %s: %w", name, err)
		}
		out = append(out, res)
	}
	return out, nil
}

// BuiltinFiles lists the embedded framework files and their contents, for tests and the CLI.
func BuiltinFiles() (map[string][]byte, error) {
	names, err := fs.Glob(builtinFiles, "builtin/*.yaml")
	if err != nil {
		return nil, err
	}
	out := map[string][]byte{}
	for _, n := range names {
		b, err := fs.ReadFile(builtinFiles, n)
		if err != nil {
			return nil, err
		}
		out[n] = b
	}
	return out, nil
}

// Import validates doc and stores it as a version of its framework, which becomes the current
// version. Importing identical content again changes nothing. Changing a version's content in
// place is allowed only while no saved data refers to it. Everything happens in one transaction:
// on any error nothing is stored.
func (c *Catalogue) Import(ctx context.Context, sourceName string, doc []byte, actorID int64, builtin bool) (ImportResult, error) {
	f, err := Parse(sourceName, doc)
	if err != nil {
		return ImportResult{}, err
	}
	hash := hashOf(doc)
	res := ImportResult{Framework: f}
	var actor any
	if actorID > 0 {
		actor = actorID
	}
	err = c.db.InTx(ctx, func(tx *store.Tx) error {
		now := store.Now()
		var fwID int64
		err := tx.QueryRow(ctx, `SELECT id FROM frameworks WHERE key = ?`, f.Key).Scan(&fwID)
		if errors.Is(err, sql.ErrNoRows) {
			fwID, err = tx.Insert(ctx, `INSERT INTO frameworks (key, created_at) VALUES (?, ?)`, f.Key, now)
		}
		if err != nil {
			return fmt.Errorf("framework: find %s: %w", f.Key, err)
		}
		var (
			verID   int64
			oldHash string
			locked  sql.NullTime
		)
		err = tx.QueryRow(ctx, `SELECT id, content_hash, locked_at FROM framework_versions WHERE framework_id = ? AND version = ?`, fwID, f.Version).Scan(&verID, &oldHash, &locked)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			verID, err = tx.Insert(ctx, `INSERT INTO framework_versions (framework_id, version, title, document, content_hash, source_name, builtin, imported_by, imported_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				fwID, f.Version, f.Title, string(doc), hash, sourceName, builtin, actor, now)
			if err != nil {
				return fmt.Errorf("framework: store version: %w", err)
			}
			res.Outcome = "created"
		case err != nil:
			return fmt.Errorf("framework: find version: %w", err)
		case oldHash == hash:
			res.Outcome = "unchanged"
			res.VersionID = verID
			return nil
		case locked.Valid:
			return fmt.Errorf("%w: version %q of %q is already used by saved data, so it can never be changed; publish the changes as a new version (change the version: line)", ErrVersionLocked, f.Version, f.Key)
		default:
			if _, err := tx.Exec(ctx, `UPDATE framework_versions SET title = ?, document = ?, content_hash = ?, source_name = ?, imported_by = ?, imported_at = ? WHERE id = ?`,
				f.Title, string(doc), hash, sourceName, actor, now, verID); err != nil {
				return fmt.Errorf("framework: replace version: %w", err)
			}
			if _, err := tx.Exec(ctx, `DELETE FROM framework_elements WHERE version_id = ?`, verID); err != nil {
				return err
			}
			res.Outcome = "replaced"
		}
		res.VersionID = verID
		for i, e := range f.All() {
			parent := ""
			if e.Parent != nil {
				parent = e.Parent.Key
			}
			if _, err := tx.Exec(ctx, `INSERT INTO framework_elements (version_id, key, parent_key, position, title, rateable) VALUES (?, ?, ?, ?, ?, ?)`,
				verID, e.Key, parent, i, e.Title, e.Rateable); err != nil {
				return fmt.Errorf("framework: store element %s: %w", e.Key, err)
			}
		}
		if _, err := tx.Exec(ctx, `UPDATE frameworks SET current_version_id = ? WHERE id = ?`, verID, fwID); err != nil {
			return err
		}
		if !builtin {
			_, err = tx.Exec(ctx, `INSERT INTO audit_events (actor_id, action, subject, detail, at) VALUES (?, ?, ?, ?, ?)`,
				actor, "framework."+res.Outcome, f.Key+"@"+f.Version, sourceName, now)
		}
		return err
	})
	if err != nil {
		return ImportResult{}, err
	}
	return res, nil
}

// MarkUsed freezes a version: call it in the same transaction that first saves data referring
// to the version (an assessment, a tag). Afterwards the version can never be changed in place.
func MarkUsed(ctx context.Context, tx *store.Tx, versionID int64) error {
	_, err := tx.Exec(ctx, `UPDATE framework_versions SET locked_at = ? WHERE id = ? AND locked_at IS NULL`, store.Now(), versionID)
	return err
}

// parsed returns the framework for a stored version, from the cache when possible. The document
// (tens of kilobytes) is read from the database only on a cache miss, so pages that show
// frameworks cost one small query, not a read of every document.
func (c *Catalogue) parsed(ctx context.Context, versionID int64, name, hash string) (*Framework, error) {
	c.mu.RLock()
	f := c.cache[hash]
	c.mu.RUnlock()
	if f != nil {
		return f, nil
	}
	var doc string
	if err := c.db.QueryRow(ctx, `SELECT document FROM framework_versions WHERE id = ?`, versionID).Scan(&doc); err != nil {
		return nil, fmt.Errorf("framework: read document %d: %w", versionID, err)
	}
	f, err := Parse(name, []byte(doc))
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	c.cache[hash] = f
	c.mu.Unlock()
	return f, nil
}

// List returns every framework with its current version.
func (c *Catalogue) List(ctx context.Context) ([]Summary, error) {
	rows, err := c.db.Query(ctx, `
		SELECT f.id, f.key, v.id, v.version, v.source_name, v.content_hash, v.builtin, v.imported_at,
		       (SELECT COUNT(*) FROM framework_versions x WHERE x.framework_id = f.id)
		FROM frameworks f JOIN framework_versions v ON v.id = f.current_version_id
		ORDER BY f.key`)
	if err != nil {
		return nil, fmt.Errorf("framework: list: %w", err)
	}
	defer rows.Close()
	var out []Summary
	var hashes [][2]string
	for rows.Next() {
		var s Summary
		var name, hash string
		if err := rows.Scan(&s.ID, &s.Key, &s.VersionID, &s.Version, &name, &hash, &s.Builtin, &s.ImportedAt, &s.Versions); err != nil {
			return nil, err
		}
		out = append(out, s)
		hashes = append(hashes, [2]string{name, hash})
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	for i := range out {
		s := &out[i]
		f, err := c.parsed(ctx, s.VersionID, hashes[i][0], hashes[i][1])
		if err != nil {
			return nil, err
		}
		s.Title, s.ShortTitle, s.Summary = f.Title, f.DisplayTitle(), f.Summary
		s.Elements, s.HasLevels, s.HasScale = len(f.All()), len(f.Levels) > 0, f.Scale != nil
	}
	return out, nil
}

type requestCacheKey struct{}

type cached struct {
	f  *Framework
	vi VersionInfo
}

// WithRequestCache gives a context a memo of the current framework versions it has looked up,
// for one request: a portfolio page names the same three frameworks for every tag on it, and
// each look-up is a query. The memo lives only as long as the request, so a framework imported
// meanwhile is seen by the next request, on every app server.
func WithRequestCache(ctx context.Context) context.Context {
	return context.WithValue(ctx, requestCacheKey{}, &sync.Map{})
}

// Get returns a version of a framework: the current one when version is "".
func (c *Catalogue) Get(ctx context.Context, key, version string) (*Framework, VersionInfo, error) {
	memo, _ := ctx.Value(requestCacheKey{}).(*sync.Map)
	if memo != nil && version == "" {
		if v, ok := memo.Load(key); ok {
			return v.(cached).f, v.(cached).vi, nil
		}
		f, vi, err := c.get(ctx, key, version)
		if err == nil {
			memo.Store(key, cached{f, vi})
		}
		return f, vi, err
	}
	return c.get(ctx, key, version)
}

func (c *Catalogue) get(ctx context.Context, key, version string) (*Framework, VersionInfo, error) {
	q := versionQuery + `WHERE f.key = ? AND `
	args := []any{key}
	if version == "" {
		q += `v.id = f.current_version_id`
	} else {
		q += `v.version = ?`
		args = append(args, version)
	}
	return c.version(ctx, q, args...)
}

const versionQuery = `SELECT v.id, v.version, v.title, v.source_name, v.content_hash, v.builtin, v.imported_at, v.locked_at, v.id = f.current_version_id
	FROM frameworks f JOIN framework_versions v ON v.framework_id = f.id `

// version runs a versionQuery and returns the parsed framework with its facts.
func (c *Catalogue) version(ctx context.Context, q string, args ...any) (*Framework, VersionInfo, error) {
	var vi VersionInfo
	var hash string
	var locked sql.NullTime
	err := c.db.QueryRow(ctx, q, args...).Scan(&vi.ID, &vi.Version, &vi.Title, &vi.SourceName, &hash, &vi.Builtin, &vi.ImportedAt, &locked, &vi.Current)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, vi, ErrNotFound
	}
	if err != nil {
		return nil, vi, fmt.Errorf("framework: get: %w", err)
	}
	vi.Locked = locked.Valid
	f, err := c.parsed(ctx, vi.ID, vi.SourceName, hash)
	return f, vi, err
}

// Versions lists every stored version of a framework, newest first.
func (c *Catalogue) Versions(ctx context.Context, key string) ([]VersionInfo, error) {
	rows, err := c.db.Query(ctx, `
		SELECT v.id, v.version, v.title, v.source_name, v.builtin, v.imported_at, v.locked_at, v.id = f.current_version_id
		FROM frameworks f JOIN framework_versions v ON v.framework_id = f.id
		WHERE f.key = ? ORDER BY v.imported_at DESC, v.id DESC`, key)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []VersionInfo
	for rows.Next() {
		var vi VersionInfo
		var locked sql.NullTime
		if err := rows.Scan(&vi.ID, &vi.Version, &vi.Title, &vi.SourceName, &vi.Builtin, &vi.ImportedAt, &locked, &vi.Current); err != nil {
			return nil, err
		}
		vi.Locked = locked.Valid
		out = append(out, vi)
	}
	if len(out) == 0 {
		return nil, ErrNotFound
	}
	return out, rows.Err()
}

// LevelNames returns the level names for a framework: the file's names with any administrator's
// relabelling applied.
func (c *Catalogue) LevelNames(ctx context.Context, key string, f *Framework) (map[int]string, error) {
	out := map[int]string{}
	for _, l := range f.Levels {
		out[l.Number] = l.Name
	}
	rows, err := c.db.Query(ctx, `SELECT l.level, l.label FROM framework_level_labels l JOIN frameworks f ON f.id = l.framework_id WHERE f.key = ?`, key)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var n int
		var label string
		if err := rows.Scan(&n, &label); err != nil {
			return nil, err
		}
		if _, ok := out[n]; ok {
			out[n] = label
		}
	}
	return out, rows.Err()
}

// SetLevelNames relabels a framework's levels. An empty name restores the file's own name.
// Names are labels only, so no new version is needed.
func (c *Catalogue) SetLevelNames(ctx context.Context, key string, names map[int]string, actorID int64) error {
	f, _, err := c.Get(ctx, key, "")
	if err != nil {
		return err
	}
	return c.db.InTx(ctx, func(tx *store.Tx) error {
		var fwID int64
		if err := tx.QueryRow(ctx, `SELECT id FROM frameworks WHERE key = ?`, key).Scan(&fwID); err != nil {
			return err
		}
		now := store.Now()
		var actor any // NULL for changes made by the system or the command line
		if actorID > 0 {
			actor = actorID
		}
		for _, l := range f.Levels {
			name, given := names[l.Number]
			if !given {
				continue
			}
			if _, err := tx.Exec(ctx, `DELETE FROM framework_level_labels WHERE framework_id = ? AND level = ?`, fwID, l.Number); err != nil {
				return err
			}
			if name == "" || name == l.Name {
				continue
			}
			if _, err := tx.Exec(ctx, `INSERT INTO framework_level_labels (framework_id, level, label, updated_by, updated_at) VALUES (?, ?, ?, ?, ?)`, fwID, l.Number, name, actor, now); err != nil {
				return err
			}
		}
		_, err := tx.Exec(ctx, `INSERT INTO audit_events (actor_id, action, subject, at) VALUES (?, 'framework.relabel', ?, ?)`, actor, key, now)
		return err
	})
}

// GetVersionByID returns a stored version by its id (as saved data refers to it), checking it
// belongs to the framework key given.
func (c *Catalogue) GetVersionByID(ctx context.Context, key string, versionID int64) (*Framework, VersionInfo, error) {
	return c.version(ctx, versionQuery+`WHERE f.key = ? AND v.id = ?`, key, versionID)
}
