// Package stories holds career stories (issue 5, seed 004): a practitioner's own account of their
// path, the barriers and enablers to progression and where they see themselves in five years,
// asked as the same questions every time so stories at one level can be read side by side. It
// also builds the level-to-level comparison (compare.go) that puts a level's targets beside the
// next level's.
//
// Rules:
//   - Anyone signed in may write a story; it waits ("pending") for a moderator (CanModerate:
//     site administrators and programme leads), who publishes it or declines it with a reason
//     that is emailed to the author in the same transaction. The area checks this itself
//     (ErrNotAllowed), and a moderator never decides on their own story (ErrOwnStory): another
//     moderator does, so every published story was read by someone other than its author.
//   - Only published stories are listed or opened by others. Authors see their own in any
//     status; moderators may open pending ones (to read them, and their attachment, before
//     deciding). To anyone else an unpublished story does not exist (ErrNotFound). The rule is
//     in the WHERE clause of every read (visibleTo), never decided after reading.
//   - An author's edit sends the story back to the moderators, and counts as a new revision: a
//     moderator publishes or declines the revision they read (ErrChanged otherwise). The
//     decision's UPDATE names that revision and the pending status in its WHERE clause, so an
//     edit committed between the moderator's read and the write (PostgreSQL's READ COMMITTED)
//     is never published unseen; on PostgreSQL the read also locks the row (FOR UPDATE).
//   - Withdrawing deletes the story and its attachment for good.
package stories

import (
	"context"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/pillars-ot/pillars/internal/auth"
	"github.com/pillars-ot/pillars/internal/directory"
	"github.com/pillars-ot/pillars/internal/mail"
	"github.com/pillars-ot/pillars/internal/store"
)

// Story statuses.
const (
	StatusPending   = "pending"
	StatusPublished = "published"
	StatusDeclined  = "declined"
)

// PageSize is how many stories a browse page lists.
const PageSize = 25

// Levels is how many career levels there are (the RCOT framework's nine).
const Levels = 9

var (
	// ErrNotFound means there is no such story, or not one the person may see.
	ErrNotFound = errors.New("stories: not found")
	// ErrChanged means the author changed the story after the moderator read it.
	ErrChanged = errors.New("stories: the story has changed since it was read")
	// ErrNotAllowed means the person may not moderate stories at all (the web answers 403).
	ErrNotAllowed = errors.New("stories: only moderators may do this")
	// ErrOwnStory means a moderator tried to decide on a story they wrote: another moderator
	// reviews it (the web answers 403).
	ErrOwnStory = errors.New("stories: a moderator cannot decide on their own story")
)

// Setting is where a storyteller works.
type Setting struct{ Key, Label string }

// Settings are the four settings a story can come from, in the order forms offer them.
var Settings = []Setting{
	{"nhs", "NHS"},
	{"social-care", "Social care"},
	{"independent", "Independent practice"},
	{"education", "Education"},
}

// SettingLabel names a setting for people; "" for an unknown key.
func SettingLabel(key string) string {
	for _, s := range Settings {
		if s.Key == key {
			return s.Label
		}
	}
	return ""
}

// Story is one career story, without its attachment's bytes.
type Story struct {
	ID            int64
	Key           string // demo stories only
	AuthorID      int64  // 0 for demo stories
	DisplayName   string
	Role          string
	Level         int
	Setting       string
	Path          string
	Barriers      string
	Enablers      string
	FiveYears     string
	Advice        string
	Status        string
	Revision      int
	DeclineReason string
	Attachment    *Attachment // nil when there is none
	PublishedAt   *time.Time
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// Attachment describes a story's file.
type Attachment struct {
	Name        string
	ContentType string
	Size        int64
}

// SettingLabel names the story's setting.
func (s *Story) SettingLabel() string { return SettingLabel(s.Setting) }

// Excerpt is the start of the story's path, cut at a word, for lists.
func (s *Story) Excerpt() string {
	const n = 220
	text := strings.Join(strings.Fields(s.Path), " ")
	if utf8.RuneCountInString(text) <= n {
		return text
	}
	r := []rune(text)[:n]
	cut := string(r)
	if i := strings.LastIndexByte(cut, ' '); i > n/2 {
		cut = cut[:i]
	}
	return strings.TrimRight(cut, " ,.;:") + "…"
}

// IsAuthor reports whether u wrote the story.
func (s *Story) IsAuthor(u *auth.User) bool { return u != nil && s.AuthorID != 0 && s.AuthorID == u.ID }

// CanModerate reports whether a person may publish and decline stories: the directory's
// moderators, site administrators and programme leads.
func CanModerate(u *auth.User) bool { return directory.CanModerate(u) }

// CanDecide reports whether u may publish or decline the story now: a moderator, not its
// author, and the story is waiting. Publish and Decline apply the same rule.
func CanDecide(u *auth.User, s *Story) bool {
	return s.Status == StatusPending && CanModerate(u) && !s.IsAuthor(u)
}

// CanView says whether u may open the story: published ones anyone signed in, their own in any
// status, and pending ones for moderators. Reads apply the same rule in SQL (visibleTo).
func CanView(u *auth.User, s *Story) bool {
	switch {
	case u == nil:
		return false
	case s.Status == StatusPublished, s.IsAuthor(u):
		return true
	}
	return s.Status == StatusPending && CanModerate(u)
}

// visibleTo is CanView as a condition on career_stories s, with its arguments.
func visibleTo(u *auth.User) (string, []any) {
	if u == nil {
		return "s.status = 'published'", nil
	}
	cond := "(s.status = 'published' OR s.author_id = ?"
	if CanModerate(u) {
		cond += " OR s.status = 'pending'"
	}
	return cond + ")", []any{u.ID}
}

// Notify is the hook that sends an email in the transaction that calls for it (the web wires it
// to the job queue), so a decision and its email happen together or not at all.
type Notify func(ctx context.Context, tx *store.Tx, m mail.Message) error

// Service stores, lists and moderates career stories.
type Service struct {
	db       *store.DB
	accounts *auth.Service
	now      func() time.Time
	// afterRead, set only by tests (export_test.go), runs in a moderator's decision between
	// reading the story and changing it: where another transaction's commit can land.
	afterRead func(ctx context.Context, tx *store.Tx) error
}

// NewService returns the stories area over a migrated database.
func NewService(db *store.DB) *Service {
	return &Service{db: db, accounts: auth.NewService(db), now: store.Now}
}
