package portfolio

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/pillars-ot/pillars/internal/auth"
	"github.com/pillars-ot/pillars/internal/store"
	"github.com/pillars-ot/pillars/internal/valid"
)

// Collection is a named set of the owner's entries, shared as one.
type Collection struct {
	ID          int64
	Title       string
	Description string
	EntryIDs    []int64
	CreatedAt   time.Time
}

// Share is one read-only share of an entry or a collection.
type Share struct {
	ID           int64
	OwnerID      int64
	EntryID      int64
	CollectionID int64
	Subject      string // the entry's or collection's title
	ViewerID     int64  // 0 for a link
	ViewerName   string
	ViewerEmail  string
	ExpiresAt    *time.Time
	CreatedAt    time.Time
	RevokedAt    *time.Time
	Views        int
	LastViewedAt *time.Time
}

// IsLink reports whether the share is by link rather than with a named person.
func (sh *Share) IsLink() bool { return sh.ViewerID == 0 }

// Active reports whether the share can still be used.
func (sh *Share) Active(now time.Time) bool {
	return sh.RevokedAt == nil && (sh.ExpiresAt == nil || now.Before(*sh.ExpiresAt))
}

// View is one line of the owner's log of views through their shares.
type View struct {
	ShareID    int64
	Subject    string
	ViewerName string // "Someone with the link" for a link share
	EntryTitle string
	ViewedAt   time.Time
}

// Comment is feedback left on a shared entry.
type Comment struct {
	ID         int64
	EntryID    int64
	AuthorName string
	ViaLink    bool // left by someone holding a link, who typed the name themselves
	Body       string
	CreatedAt  time.Time
}

// CreateCollection gathers some of the owner's saved entries under a title.
func (s *Service) CreateCollection(ctx context.Context, ownerID int64, title, description string, entryIDs []int64) (*Collection, error) {
	var errs valid.Errors
	title, description = strings.TrimSpace(title), strings.TrimSpace(description)
	if title == "" {
		errs.Add("title", "Enter a title for the collection")
	} else if utf8.RuneCountInString(title) > maxTitle {
		errs.Add("title", fmt.Sprintf("The title must be %d characters or fewer", maxTitle))
	}
	if utf8.RuneCountInString(description) > 2000 {
		errs.Add("description", "The description must be 2,000 characters or fewer")
	}
	if len(entryIDs) == 0 {
		errs.Add("entries", "Choose at least one entry to put in the collection")
	}
	if errs.Any() {
		return nil, errs
	}
	c := &Collection{Title: title, Description: description, CreatedAt: s.now()}
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		var err error
		c.ID, err = tx.Insert(ctx, `INSERT INTO cpd_collections (user_id, title, description, created_at) VALUES (?, ?, ?, ?)`, ownerID, title, description, c.CreatedAt)
		if err != nil {
			return err
		}
		seen := map[int64]bool{}
		for _, id := range entryIDs {
			if seen[id] {
				continue
			}
			seen[id] = true
			var n int
			if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM cpd_entries WHERE id = ? AND user_id = ? AND status = 'saved'`, id, ownerID).Scan(&n); err != nil {
				return err
			}
			if n == 0 {
				return valid.Errors{{Field: "entries", Message: "Choose only your own saved entries"}}
			}
			if _, err := tx.Exec(ctx, `INSERT INTO cpd_collection_entries (collection_id, entry_id, position) VALUES (?, ?, ?)`, c.ID, id, len(c.EntryIDs)); err != nil {
				return err
			}
			c.EntryIDs = append(c.EntryIDs, id)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// Collections lists the owner's collections.
func (s *Service) Collections(ctx context.Context, ownerID int64) ([]Collection, error) {
	rows, err := s.db.Query(ctx, `SELECT id, title, description, created_at FROM cpd_collections WHERE user_id = ? ORDER BY id DESC`, ownerID)
	if err != nil {
		return nil, err
	}
	var out []Collection
	for rows.Next() {
		var c Collection
		if err := rows.Scan(&c.ID, &c.Title, &c.Description, &c.CreatedAt); err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range out {
		if out[i].EntryIDs, err = s.collectionEntries(ctx, out[i].ID); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (s *Service) collectionEntries(ctx context.Context, collectionID int64) ([]int64, error) {
	rows, err := s.db.Query(ctx, `SELECT entry_id FROM cpd_collection_entries WHERE collection_id = ? ORDER BY position`, collectionID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// DeleteCollection removes a collection (its entries stay) and its shares.
func (s *Service) DeleteCollection(ctx context.Context, ownerID, id int64) error {
	res, err := s.db.Exec(ctx, `DELETE FROM cpd_collections WHERE id = ? AND user_id = ?`, id, ownerID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

// Target names what is shared: one entry or one collection of the owner's.
type Target struct {
	EntryID      int64
	CollectionID int64
}

func (s *Service) checkTarget(ctx context.Context, ownerID int64, t Target) error {
	var n int
	var err error
	switch {
	case t.EntryID != 0 && t.CollectionID == 0:
		err = s.db.QueryRow(ctx, `SELECT COUNT(*) FROM cpd_entries WHERE id = ? AND user_id = ? AND status = 'saved'`, t.EntryID, ownerID).Scan(&n)
	case t.CollectionID != 0 && t.EntryID == 0:
		err = s.db.QueryRow(ctx, `SELECT COUNT(*) FROM cpd_collections WHERE id = ? AND user_id = ?`, t.CollectionID, ownerID).Scan(&n)
	}
	if err != nil {
		return err
	}
	if n == 0 {
		return ErrNotFound
	}
	return nil
}

// ShareWith shares an entry or collection, read-only with comments, with a supervisor, practice
// educator, mentor or coach named by email. Sharing the same thing again with the same person
// changes nothing.
func (s *Service) ShareWith(ctx context.Context, owner *auth.User, t Target, viewerEmail string, accounts *auth.Service) error {
	if err := s.checkTarget(ctx, owner.ID, t); err != nil {
		return err
	}
	email := auth.NormaliseEmail(viewerEmail)
	var errs valid.Errors
	switch {
	case email == "":
		errs.Add("viewer", "Enter the email address of your supervisor or mentor")
	case email == owner.Email:
		errs.Add("viewer", "You can already see your own portfolio: enter someone else's email address")
	}
	if errs.Any() {
		return errs
	}
	viewer, err := accounts.UserByEmail(ctx, email)
	if errors.Is(err, auth.ErrNotFound) || (err == nil && !viewer.Has(auth.RoleSupervisor) && !viewer.Has(auth.RoleMentor)) {
		errs.Add("viewer", "There is no supervisor, practice educator, mentor or coach with that email address on Pillars")
		return errs
	}
	if err != nil {
		return err
	}
	return s.db.InTx(ctx, func(tx *store.Tx) error {
		var n int
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM cpd_shares WHERE owner_id = ? AND viewer_id = ? AND COALESCE(entry_id, 0) = ? AND COALESCE(collection_id, 0) = ? AND revoked_at IS NULL`,
			owner.ID, viewer.ID, t.EntryID, t.CollectionID).Scan(&n); err != nil || n > 0 {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO cpd_shares (owner_id, entry_id, collection_id, viewer_id, created_at) VALUES (?, ?, ?, ?, ?)`,
			owner.ID, nullID(t.EntryID), nullID(t.CollectionID), viewer.ID, s.now())
		return err
	})
}

// MaxLinkDays is the longest a share link may last.
const MaxLinkDays = 90

// ShareLink makes an expiring read-only link to an entry or collection. The token is returned
// once and stored only as its SHA-256.
func (s *Service) ShareLink(ctx context.Context, ownerID int64, t Target, days int) (string, error) {
	if days < 1 || days > MaxLinkDays {
		return "", valid.Errors{{Field: "days", Message: fmt.Sprintf("Choose how many days the link works for, from 1 to %d", MaxLinkDays)}}
	}
	if err := s.checkTarget(ctx, ownerID, t); err != nil {
		return "", err
	}
	raw := make([]byte, 24)
	if _, err := rand.Read(raw); err != nil {
		return "", err
	}
	token := base64.RawURLEncoding.EncodeToString(raw)
	now := s.now()
	_, err := s.db.Exec(ctx, `INSERT INTO cpd_shares (owner_id, entry_id, collection_id, link_hash, expires_at, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
		ownerID, nullID(t.EntryID), nullID(t.CollectionID), hashToken(token), now.Add(time.Duration(days)*24*time.Hour), now)
	if err != nil {
		return "", fmt.Errorf("portfolio: share link: %w", err)
	}
	return token, nil
}

func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// RevokeShare stops one of the owner's shares at once.
func (s *Service) RevokeShare(ctx context.Context, ownerID, shareID int64) error {
	res, err := s.db.Exec(ctx, `UPDATE cpd_shares SET revoked_at = ? WHERE id = ? AND owner_id = ? AND revoked_at IS NULL`, s.now(), shareID, ownerID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

const shareSelect = `SELECT sh.id, sh.owner_id, COALESCE(sh.entry_id, 0), COALESCE(sh.collection_id, 0), COALESCE(e.title, c.title, ''),
	COALESCE(sh.viewer_id, 0), COALESCE(u.name, ''), COALESCE(u.email, ''), sh.expires_at, sh.created_at, sh.revoked_at,
	(SELECT COUNT(*) FROM cpd_share_views v WHERE v.share_id = sh.id), (SELECT MAX(v.viewed_at) FROM cpd_share_views v WHERE v.share_id = sh.id)
	FROM cpd_shares sh LEFT JOIN cpd_entries e ON e.id = sh.entry_id LEFT JOIN cpd_collections c ON c.id = sh.collection_id LEFT JOIN users u ON u.id = sh.viewer_id`

func scanShares(rows *sql.Rows, err error) ([]Share, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Share
	for rows.Next() {
		var sh Share
		var exp, rev, last sql.NullTime
		// MAX() of a timestamp comes back as text on SQLite; read it through a string there.
		var lastAny any
		if err := rows.Scan(&sh.ID, &sh.OwnerID, &sh.EntryID, &sh.CollectionID, &sh.Subject, &sh.ViewerID, &sh.ViewerName, &sh.ViewerEmail, &exp, &sh.CreatedAt, &rev, &sh.Views, &lastAny); err != nil {
			return nil, err
		}
		sh.ExpiresAt, sh.RevokedAt = store.TimePtr(exp), store.TimePtr(rev)
		if err := last.Scan(lastAny); err == nil && last.Valid {
			sh.LastViewedAt = &last.Time
		} else if str, ok := lastAny.(string); ok {
			if t, err := time.Parse("2006-01-02 15:04:05.999999999-07:00", str); err == nil {
				sh.LastViewedAt = &t
			}
		}
		out = append(out, sh)
	}
	return out, rows.Err()
}

// Shares lists the owner's shares, current first.
func (s *Service) Shares(ctx context.Context, ownerID int64) ([]Share, error) {
	return scanShares(s.db.Query(ctx, shareSelect+` WHERE sh.owner_id = ? ORDER BY sh.revoked_at IS NOT NULL, sh.id DESC`, ownerID))
}

// SharedWithMe lists what others currently share with the viewer by name.
func (s *Service) SharedWithMe(ctx context.Context, viewerID int64) ([]SharedItem, error) {
	rows, err := s.db.Query(ctx, `SELECT sh.id, o.name, COALESCE(e.title, c.title, ''), sh.created_at FROM cpd_shares sh
		JOIN users o ON o.id = sh.owner_id LEFT JOIN cpd_entries e ON e.id = sh.entry_id LEFT JOIN cpd_collections c ON c.id = sh.collection_id
		WHERE sh.viewer_id = ? AND sh.revoked_at IS NULL AND o.disabled_at IS NULL ORDER BY sh.id DESC`, viewerID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []SharedItem
	for rows.Next() {
		var it SharedItem
		if err := rows.Scan(&it.ShareID, &it.OwnerName, &it.Subject, &it.SharedAt); err != nil {
			return nil, err
		}
		out = append(out, it)
	}
	return out, rows.Err()
}

// SharedItem is one line of "shared with me".
type SharedItem struct {
	ShareID   int64
	OwnerName string
	Subject   string
	SharedAt  time.Time
}

// ViewLog lists every view through the owner's shares, newest first.
func (s *Service) ViewLog(ctx context.Context, ownerID int64, limit int) ([]View, error) {
	rows, err := s.db.Query(ctx, `SELECT v.share_id, COALESCE(e.title, c.title, ''), COALESCE(u.name, ''), COALESCE(ve.title, ''), v.viewed_at FROM cpd_share_views v
		JOIN cpd_shares sh ON sh.id = v.share_id LEFT JOIN cpd_entries e ON e.id = sh.entry_id LEFT JOIN cpd_collections c ON c.id = sh.collection_id
		LEFT JOIN users u ON u.id = v.viewer_id LEFT JOIN cpd_entries ve ON ve.id = v.entry_id
		WHERE sh.owner_id = ? ORDER BY v.viewed_at DESC, v.id DESC LIMIT ?`, ownerID, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []View
	for rows.Next() {
		var v View
		if err := rows.Scan(&v.ShareID, &v.Subject, &v.ViewerName, &v.EntryTitle, &v.ViewedAt); err != nil {
			return nil, err
		}
		if v.ViewerName == "" {
			v.ViewerName = "Someone with the link"
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// Shared is what a reader sees through a share.
type Shared struct {
	Share     Share
	OwnerName string
	Title     string
	Entries   []*Entry
	Comments  []Comment
}

// CanViewShared is the one place that decides whether someone other than the owner may read a
// share: the named viewer while it is unrevoked, or anyone holding the link while it is
// unrevoked and unexpired. It answers ErrNotFound otherwise, like a share that does not exist.
func (s *Service) CanViewShared(ctx context.Context, actor *auth.User, shareID int64, token string) (*Share, error) {
	var shares []Share
	var err error
	if token != "" {
		shares, err = scanShares(s.db.Query(ctx, shareSelect+` WHERE sh.link_hash = ?`, hashToken(token)))
	} else {
		if actor == nil {
			return nil, ErrNotFound
		}
		shares, err = scanShares(s.db.Query(ctx, shareSelect+` WHERE sh.id = ? AND sh.viewer_id = ?`, shareID, actor.ID))
	}
	if err != nil {
		return nil, err
	}
	if len(shares) == 0 || !shares[0].Active(s.now()) {
		return nil, ErrNotFound
	}
	// A disabled account's shares stop working with it.
	var active int
	if err := s.db.QueryRow(ctx, `SELECT COUNT(*) FROM users WHERE id = ? AND disabled_at IS NULL`, shares[0].OwnerID).Scan(&active); err != nil {
		return nil, err
	}
	if active == 0 {
		return nil, ErrNotFound
	}
	return &shares[0], nil
}

// OpenShared returns what a share shows, after CanViewShared, and logs the view. entryID picks
// one entry of a shared collection (0 for the collection's list).
func (s *Service) OpenShared(ctx context.Context, actor *auth.User, sh *Share, entryID int64) (*Shared, error) {
	out := &Shared{Share: *sh, Title: sh.Subject}
	if err := s.db.QueryRow(ctx, `SELECT name FROM users WHERE id = ?`, sh.OwnerID).Scan(&out.OwnerName); err != nil {
		return nil, err
	}
	ids := []int64{sh.EntryID}
	if sh.CollectionID != 0 {
		var err error
		if ids, err = s.collectionEntries(ctx, sh.CollectionID); err != nil {
			return nil, err
		}
	}
	if entryID != 0 {
		found := false
		for _, id := range ids {
			found = found || id == entryID
		}
		if !found {
			return nil, ErrNotFound
		}
		ids = []int64{entryID}
	}
	for _, id := range ids {
		e, err := s.Get(ctx, sh.OwnerID, id)
		if errors.Is(err, ErrNotFound) {
			continue // deleted since it was shared
		}
		if err != nil {
			return nil, err
		}
		if e.Status != "saved" {
			continue
		}
		e.Pending = nil // the owner's unsaved changes are never shown
		out.Entries = append(out.Entries, e)
	}
	var viewer any
	if actor != nil && sh.ViewerID != 0 {
		viewer = actor.ID
	}
	if _, err := s.db.Exec(ctx, `INSERT INTO cpd_share_views (share_id, viewer_id, entry_id, viewed_at) VALUES (?, ?, ?, ?)`, sh.ID, viewer, nullID(entryID), s.now()); err != nil {
		return nil, fmt.Errorf("portfolio: log view: %w", err)
	}
	var err error
	out.Comments, err = s.shareComments(ctx, sh.OwnerID, sh.ID, ids)
	return out, err
}

// AddComment leaves feedback on an entry through a share the reader may use. A named viewer's
// name comes from their account; a link reader gives one.
func (s *Service) AddComment(ctx context.Context, actor *auth.User, sh *Share, entryID int64, authorName, body string) error {
	var errs valid.Errors
	body = strings.TrimSpace(body)
	authorName = strings.TrimSpace(authorName)
	if actor != nil && sh.ViewerID == actor.ID {
		authorName = actor.Name
	}
	if authorName == "" {
		errs.Add("author", "Enter your name, so the owner knows who the feedback is from")
	} else if utf8.RuneCountInString(authorName) > 100 {
		errs.Add("author", "Your name must be 100 characters or fewer")
	}
	switch {
	case body == "":
		errs.Add("body", "Write your feedback")
	case utf8.RuneCountInString(body) > 4000:
		errs.Add("body", "Feedback must be 4,000 characters or fewer")
	}
	if errs.Any() {
		return errs
	}
	ids := []int64{sh.EntryID}
	if sh.CollectionID != 0 {
		var err error
		if ids, err = s.collectionEntries(ctx, sh.CollectionID); err != nil {
			return err
		}
	}
	ok := false
	for _, id := range ids {
		ok = ok || id == entryID
	}
	if !ok {
		return ErrNotFound
	}
	var author any
	if actor != nil {
		author = actor.ID
	}
	_, err := s.db.Exec(ctx, `INSERT INTO cpd_comments (share_id, entry_id, author_id, author_name, body, created_at) VALUES (?, ?, ?, ?, ?, ?)`, sh.ID, entryID, author, authorName, body, s.now())
	return err
}

// shareComments lists the feedback left through one share. A reader sees only what was said
// through their own share: a supervisor's note never reaches someone holding a link, and two
// named readers never see each other's feedback.
func (s *Service) shareComments(ctx context.Context, ownerID, shareID int64, entryIDs []int64) ([]Comment, error) {
	var out []Comment
	for _, id := range entryIDs {
		c, err := s.comments(ctx, ownerID, id, shareID)
		if err != nil {
			return nil, err
		}
		out = append(out, c...)
	}
	return out, nil
}

// EntryComments lists all feedback on one of the owner's entries, oldest first: the owner sees
// what every reader said.
func (s *Service) EntryComments(ctx context.Context, ownerID, entryID int64) ([]Comment, error) {
	return s.comments(ctx, ownerID, entryID, 0)
}

// comments lists feedback on an entry, through one share only when shareID is not 0.
func (s *Service) comments(ctx context.Context, ownerID, entryID, shareID int64) ([]Comment, error) {
	q := `SELECT c.id, c.entry_id, c.author_name, c.author_id IS NULL OR sh.viewer_id IS NULL, c.body, c.created_at FROM cpd_comments c
		JOIN cpd_entries e ON e.id = c.entry_id JOIN cpd_shares sh ON sh.id = c.share_id
		WHERE c.entry_id = ? AND e.user_id = ?`
	args := []any{entryID, ownerID}
	if shareID != 0 {
		q, args = q+` AND c.share_id = ?`, append(args, shareID)
	}
	rows, err := s.db.Query(ctx, q+` ORDER BY c.created_at, c.id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Comment
	for rows.Next() {
		var c Comment
		if err := rows.Scan(&c.ID, &c.EntryID, &c.AuthorName, &c.ViaLink, &c.Body, &c.CreatedAt); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}
