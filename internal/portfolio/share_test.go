package portfolio_test

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/pillars-ot/pillars/internal/auth"
	"github.com/pillars-ot/pillars/internal/portfolio"
	"github.com/pillars-ot/pillars/internal/store"
	"github.com/pillars-ot/pillars/internal/testutil"
)

// shareWorld is an owner with two saved entries and a draft, a supervisor, a mentor and a
// learner.
type shareWorld struct {
	e                             *env
	alex, ruth, mo, sam           *auth.User
	huddle, course, draft, samOwn *portfolio.Entry
}

func newShareWorld(t *testing.T, db *store.DB) *shareWorld {
	t.Helper()
	e := newEnv(t, db)
	w := &shareWorld{e: e}
	w.alex = e.grant(t, e.user(t, "Alex Marlowe"), auth.RolePractitioner)
	w.ruth = e.grant(t, e.user(t, "Ruth Lindqvist"), auth.RoleSupervisor)
	w.mo = e.grant(t, e.user(t, "Mo Hassan"), auth.RoleMentor)
	w.sam = e.grant(t, e.user(t, "Sam Okafor"), auth.RoleLearner)
	w.huddle = mustCreate(t, e, w.alex.ID, gibbs("Leading the stroke ward huddle", "2026-04-20"))
	w.course = mustCreate(t, e, w.alex.ID, free("Leadership course", "2026-01-15", "formal-educational", "Influencing without authority."))
	d, err := e.svc.Create(context.Background(), w.alex.ID, portfolio.EntryInput{Title: "Unfinished"}, true, nil)
	if err != nil {
		t.Fatal(err)
	}
	w.draft = d
	w.samOwn = mustCreate(t, e, w.sam.ID, free("Sam's entry", "2026-01-15", "work-based", "Sam's."))
	return w
}

func shareTo(t *testing.T, w *shareWorld, viewerID int64) *portfolio.Share {
	t.Helper()
	shares, err := w.e.svc.Shares(context.Background(), w.alex.ID)
	if err != nil {
		t.Fatal(err)
	}
	for i := range shares {
		if shares[i].ViewerID == viewerID && shares[i].RevokedAt == nil {
			return &shares[i]
		}
	}
	t.Fatalf("no share with %d in %+v", viewerID, shares)
	return nil
}

func TestShareWithNamedPerson(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newShareWorld(t, db)
		svc := w.e.svc
		entry := portfolio.Target{EntryID: w.huddle.ID}
		cases := []struct {
			name   string
			target portfolio.Target
			email  string
			want   string // a problem with "viewer", or "not found"
		}{
			{"a learner", entry, w.sam.Email, "no supervisor, practice educator, mentor or coach"},
			{"nobody", entry, "nobody@example.test", "no supervisor"},
			{"no email", entry, "  ", "Enter the email address"},
			{"oneself", entry, w.alex.Email, "someone else's email"},
			{"a draft", portfolio.Target{EntryID: w.draft.ID}, w.ruth.Email, "not found"},
			{"another person's entry", portfolio.Target{EntryID: w.samOwn.ID}, w.ruth.Email, "not found"},
			{"nothing", portfolio.Target{}, w.ruth.Email, "not found"},
			{"both an entry and a collection", portfolio.Target{EntryID: w.huddle.ID, CollectionID: 1}, w.ruth.Email, "not found"},
		}
		for _, c := range cases {
			err := svc.ShareWith(ctx, w.alex, c.target, c.email, w.e.acc)
			if c.want == "not found" {
				if !errors.Is(err, portfolio.ErrNotFound) {
					t.Errorf("%s: %v", c.name, err)
				}
			} else if msg := fieldErr(t, err, "viewer"); !strings.Contains(msg, c.want) {
				t.Errorf("%s: %q", c.name, msg)
			}
		}
		if n := w.e.count(t, "cpd_shares", ""); n != 0 {
			t.Fatalf("refused shares stored: %d", n)
		}
		// A supervisor (by email in any case) and a mentor may be given access; twice is once.
		for _, email := range []string{"  RUTH.Lindqvist@example.test ", w.ruth.Email, w.mo.Email} {
			if err := svc.ShareWith(ctx, w.alex, entry, email, w.e.acc); err != nil {
				t.Fatalf("share with %s: %v", email, err)
			}
		}
		if n := w.e.count(t, "cpd_shares", ""); n != 2 {
			t.Errorf("shares: %d, want 2", n)
		}
		sh := shareTo(t, w, w.ruth.ID)
		if sh.Subject != w.huddle.Title || sh.ViewerName != "Ruth Lindqvist" || sh.IsLink() || sh.ExpiresAt != nil {
			t.Errorf("share: %+v", sh)
		}
		if items, _ := svc.SharedWithMe(ctx, w.ruth.ID); len(items) != 1 || items[0].OwnerName != "Alex Marlowe" || items[0].Subject != w.huddle.Title {
			t.Errorf("shared with Ruth: %+v", items)
		}
		if items, _ := svc.SharedWithMe(ctx, w.sam.ID); len(items) != 0 {
			t.Errorf("shared with Sam: %+v", items)
		}

		// Who may open it.
		if got, err := svc.CanViewShared(ctx, w.ruth, sh.ID, ""); err != nil || got.ID != sh.ID {
			t.Fatalf("the named viewer: %v", err)
		}
		for name, actor := range map[string]*auth.User{"someone else": w.sam, "the mentor, on the supervisor's share": w.mo, "nobody signed in": nil} {
			if _, err := svc.CanViewShared(ctx, actor, sh.ID, ""); !errors.Is(err, portfolio.ErrNotFound) {
				t.Errorf("%s: %v", name, err)
			}
		}
		if _, err := svc.CanViewShared(ctx, w.ruth, sh.ID, "not-a-token"); !errors.Is(err, portfolio.ErrNotFound) {
			t.Errorf("a made-up token: %v", err)
		}

		// Opening it is logged with the viewer's name.
		got, err := svc.OpenShared(ctx, w.ruth, sh, 0)
		if err != nil {
			t.Fatal(err)
		}
		if got.OwnerName != "Alex Marlowe" || got.Title != w.huddle.Title || len(got.Entries) != 1 || got.Entries[0].ID != w.huddle.ID {
			t.Errorf("opened: %+v", got)
		}
		log, err := svc.ViewLog(ctx, w.alex.ID, 10)
		if err != nil || len(log) != 1 || log[0].ViewerName != "Ruth Lindqvist" || log[0].Subject != w.huddle.Title || log[0].ShareID != sh.ID {
			t.Errorf("view log: %+v %v", log, err)
		}
		if now := shareTo(t, w, w.ruth.ID); now.Views != 1 || now.LastViewedAt == nil || !now.LastViewedAt.Equal(testNow) {
			t.Errorf("share after a view: views %d, last %v", now.Views, now.LastViewedAt)
		}
		if log, _ := svc.ViewLog(ctx, w.sam.ID, 10); len(log) != 0 {
			t.Errorf("Sam's view log: %+v", log)
		}

		// Only the owner revokes; then the viewer cannot open it.
		if err := svc.RevokeShare(ctx, w.ruth.ID, sh.ID); !errors.Is(err, portfolio.ErrNotFound) {
			t.Errorf("the viewer revoked the share: %v", err)
		}
		if err := svc.RevokeShare(ctx, w.alex.ID, sh.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.CanViewShared(ctx, w.ruth, sh.ID, ""); !errors.Is(err, portfolio.ErrNotFound) {
			t.Errorf("after revoking: %v", err)
		}
		if err := svc.RevokeShare(ctx, w.alex.ID, sh.ID); !errors.Is(err, portfolio.ErrNotFound) {
			t.Errorf("revoked twice: %v", err)
		}
		if items, _ := svc.SharedWithMe(ctx, w.ruth.ID); len(items) != 0 {
			t.Errorf("still shared with Ruth: %+v", items)
		}
		// Sharing again after revoking makes a new share.
		if err := svc.ShareWith(ctx, w.alex, entry, w.ruth.Email, w.e.acc); err != nil {
			t.Fatal(err)
		}
		if again := shareTo(t, w, w.ruth.ID); again.ID == sh.ID {
			t.Error("the revoked share came back")
		}
	})
}

func TestShareLink(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newShareWorld(t, db)
		svc := w.e.svc
		target := portfolio.Target{EntryID: w.course.ID}
		for _, days := range []int{0, -1, 91} {
			if _, err := svc.ShareLink(ctx, w.alex.ID, target, days); !strings.Contains(fieldErr(t, err, "days"), "from 1 to 90") {
				t.Errorf("%d days: %v", days, err)
			}
		}
		if _, err := svc.ShareLink(ctx, w.sam.ID, target, 7); !errors.Is(err, portfolio.ErrNotFound) {
			t.Errorf("a link to another person's entry: %v", err)
		}
		if _, err := svc.ShareLink(ctx, w.alex.ID, portfolio.Target{EntryID: w.draft.ID}, 7); !errors.Is(err, portfolio.ErrNotFound) {
			t.Errorf("a link to a draft: %v", err)
		}
		if n := w.e.count(t, "cpd_shares", ""); n != 0 {
			t.Fatalf("refused links stored: %d", n)
		}
		token, err := svc.ShareLink(ctx, w.alex.ID, target, 7)
		if err != nil {
			t.Fatal(err)
		}
		if len(token) < 32 {
			t.Errorf("token %q is short", token)
		}
		// Only its hash is stored.
		if n := w.e.count(t, "cpd_shares", "link_hash = ?", token); n != 0 {
			t.Error("the token is stored as it is")
		}
		sh, err := svc.CanViewShared(ctx, nil, 0, token)
		if err != nil {
			t.Fatal(err)
		}
		if !sh.IsLink() || sh.ExpiresAt == nil || !sh.ExpiresAt.Equal(testNow.Add(7*24*time.Hour)) {
			t.Errorf("link share: %+v", sh)
		}
		// Signed in or not, the link works the same; a wrong token does not.
		if _, err := svc.CanViewShared(ctx, w.sam, 0, token); err != nil {
			t.Errorf("a signed-in reader with the link: %v", err)
		}
		for _, bad := range []string{token[:len(token)-1], token + "x", strings.ToUpper(token), "x"} {
			if _, err := svc.CanViewShared(ctx, nil, 0, bad); !errors.Is(err, portfolio.ErrNotFound) {
				t.Errorf("wrong token %q: %v", bad, err)
			}
		}
		got, err := svc.OpenShared(ctx, nil, sh, 0)
		if err != nil || len(got.Entries) != 1 || got.Entries[0].Title != "Leadership course" {
			t.Fatalf("opened: %+v %v", got, err)
		}
		w.e.clock.Add(time.Hour)
		if _, err := svc.OpenShared(ctx, w.sam, sh, 0); err != nil {
			t.Fatal(err)
		}
		log, _ := svc.ViewLog(ctx, w.alex.ID, 10)
		if len(log) != 2 || log[0].ViewerName != "Someone with the link" || log[1].ViewerName != "Someone with the link" || !log[0].ViewedAt.After(log[1].ViewedAt) {
			t.Errorf("view log, newest first: %+v", log)
		}
		if log, _ := svc.ViewLog(ctx, w.alex.ID, 1); len(log) != 1 {
			t.Errorf("limited log: %d", len(log))
		}

		// Just before expiry it works; at expiry it does not.
		w.e.clock.Add(7*24*time.Hour - time.Hour - time.Second)
		if _, err := svc.CanViewShared(ctx, nil, 0, token); err != nil {
			t.Errorf("a second before expiry: %v", err)
		}
		w.e.clock.Add(time.Second)
		if _, err := svc.CanViewShared(ctx, nil, 0, token); !errors.Is(err, portfolio.ErrNotFound) {
			t.Errorf("expired: %v", err)
		}

		// Revoking a link stops it at once.
		w.e.clock.Set(testNow)
		token2, err := svc.ShareLink(ctx, w.alex.ID, target, 90)
		if err != nil {
			t.Fatal(err)
		}
		sh2, err := svc.CanViewShared(ctx, nil, 0, token2)
		if err != nil {
			t.Fatal(err)
		}
		if err := svc.RevokeShare(ctx, w.alex.ID, sh2.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.CanViewShared(ctx, nil, 0, token2); !errors.Is(err, portfolio.ErrNotFound) {
			t.Errorf("revoked link: %v", err)
		}
		// Deleting the entry ends its shares.
		if err := svc.Delete(ctx, w.alex.ID, w.course.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.CanViewShared(ctx, nil, 0, token); !errors.Is(err, portfolio.ErrNotFound) {
			t.Errorf("link to a deleted entry: %v", err)
		}
	})
}

// The owner's autosaved, unsaved changes are never shown through a share.
func TestSharedPendingChangesHidden(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newShareWorld(t, db)
		svc := w.e.svc
		if err := svc.ShareWith(ctx, w.alex, portfolio.Target{EntryID: w.huddle.ID}, w.ruth.Email, w.e.acc); err != nil {
			t.Fatal(err)
		}
		token, err := svc.ShareLink(ctx, w.alex.ID, portfolio.Target{EntryID: w.huddle.ID}, 7)
		if err != nil {
			t.Fatal(err)
		}
		secret := gibbs("Private second thoughts", "2026-04-20")
		secret.Stages["feelings"] = "Something I have not decided to share yet."
		if _, err := svc.Update(ctx, w.alex.ID, w.huddle.ID, secret, true, nil); err != nil {
			t.Fatal(err)
		}
		if own, _ := svc.Get(ctx, w.alex.ID, w.huddle.ID); own.Pending == nil {
			t.Fatal("no pending changes to hide")
		}
		named := shareTo(t, w, w.ruth.ID)
		link, err := svc.CanViewShared(ctx, nil, 0, token)
		if err != nil {
			t.Fatal(err)
		}
		for name, open := range map[string]func() (*portfolio.Shared, error){
			"named": func() (*portfolio.Shared, error) { return svc.OpenShared(ctx, w.ruth, named, 0) },
			"link":  func() (*portfolio.Shared, error) { return svc.OpenShared(ctx, nil, link, 0) },
		} {
			got, err := open()
			if err != nil {
				t.Fatal(err)
			}
			e := got.Entries[0]
			if e.Pending != nil || e.Title != w.huddle.Title || strings.Contains(e.Stages["feelings"], "not decided") {
				t.Errorf("%s share shows unsaved changes: %+v", name, e)
			}
		}
	})
}

func TestCollections(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newShareWorld(t, db)
		svc := w.e.svc
		before := w.e.rowCounts(t)
		cases := []struct {
			title string
			ids   []int64
			field string
		}{
			{"For supervision", []int64{w.huddle.ID, w.samOwn.ID}, "entries"},
			{"For supervision", []int64{w.huddle.ID, w.draft.ID}, "entries"},
			{"For supervision", []int64{w.huddle.ID, 99999}, "entries"},
			{"For supervision", nil, "entries"},
			{"  ", []int64{w.huddle.ID}, "title"},
			{strings.Repeat("x", 201), []int64{w.huddle.ID}, "title"},
		}
		for _, c := range cases {
			if _, err := svc.CreateCollection(ctx, w.alex.ID, c.title, "", c.ids); fieldErr(t, err, c.field) == "" {
				t.Errorf("%+v accepted", c)
			}
		}
		sameCounts(t, "refused collections", before, w.e.rowCounts(t))

		col, err := svc.CreateCollection(ctx, w.alex.ID, " For supervision ", "Two to talk about", []int64{w.huddle.ID, w.course.ID, w.huddle.ID})
		if err != nil {
			t.Fatal(err)
		}
		if col.Title != "For supervision" || !reflect.DeepEqual(col.EntryIDs, []int64{w.huddle.ID, w.course.ID}) {
			t.Errorf("collection: %+v", col)
		}
		if cols, _ := svc.Collections(ctx, w.alex.ID); len(cols) != 1 || !reflect.DeepEqual(cols[0].EntryIDs, col.EntryIDs) {
			t.Errorf("collections: %+v", cols)
		}
		if cols, _ := svc.Collections(ctx, w.sam.ID); len(cols) != 0 {
			t.Errorf("Sam's collections: %+v", cols)
		}
		if err := svc.ShareWith(ctx, w.sam, portfolio.Target{CollectionID: col.ID}, w.ruth.Email, w.e.acc); !errors.Is(err, portfolio.ErrNotFound) {
			t.Errorf("Sam shared Alex's collection: %v", err)
		}
		if err := svc.ShareWith(ctx, w.alex, portfolio.Target{CollectionID: col.ID}, w.ruth.Email, w.e.acc); err != nil {
			t.Fatal(err)
		}
		sh := shareTo(t, w, w.ruth.ID)
		if sh.Subject != "For supervision" || sh.CollectionID != col.ID {
			t.Errorf("collection share: %+v", sh)
		}
		got, err := svc.OpenShared(ctx, w.ruth, sh, 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Entries) != 2 || got.Entries[0].ID != w.huddle.ID || got.Entries[1].ID != w.course.ID || got.Title != "For supervision" {
			t.Errorf("collection entries: %+v", got.Entries)
		}
		one, err := svc.OpenShared(ctx, w.ruth, sh, w.course.ID)
		if err != nil || len(one.Entries) != 1 || one.Entries[0].ID != w.course.ID {
			t.Errorf("one entry of the collection: %+v %v", one, err)
		}
		for _, id := range []int64{w.draft.ID, w.samOwn.ID, 99999} {
			if _, err := svc.OpenShared(ctx, w.ruth, sh, id); !errors.Is(err, portfolio.ErrNotFound) {
				t.Errorf("entry %d outside the collection: %v", id, err)
			}
		}
		log, _ := svc.ViewLog(ctx, w.alex.ID, 10)
		if len(log) != 2 || log[0].EntryTitle != "Leadership course" || log[1].EntryTitle != "" || log[0].Subject != "For supervision" {
			t.Errorf("view log: %+v", log)
		}
		// An entry deleted from the portfolio drops out of the shared collection.
		if err := svc.Delete(ctx, w.alex.ID, w.course.ID); err != nil {
			t.Fatal(err)
		}
		if got, _ := svc.OpenShared(ctx, w.ruth, sh, 0); len(got.Entries) != 1 {
			t.Errorf("after deleting one: %+v", got.Entries)
		}
		if err := svc.DeleteCollection(ctx, w.sam.ID, col.ID); !errors.Is(err, portfolio.ErrNotFound) {
			t.Errorf("Sam deleted the collection: %v", err)
		}
		if err := svc.DeleteCollection(ctx, w.alex.ID, col.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.CanViewShared(ctx, w.ruth, sh.ID, ""); !errors.Is(err, portfolio.ErrNotFound) {
			t.Errorf("share of a deleted collection: %v", err)
		}
		if _, err := svc.Get(ctx, w.alex.ID, w.huddle.ID); err != nil {
			t.Errorf("deleting a collection deleted its entries: %v", err)
		}
	})
}

func TestComments(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newShareWorld(t, db)
		svc := w.e.svc
		if err := svc.ShareWith(ctx, w.alex, portfolio.Target{EntryID: w.huddle.ID}, w.ruth.Email, w.e.acc); err != nil {
			t.Fatal(err)
		}
		named := shareTo(t, w, w.ruth.ID)
		token, _ := svc.ShareLink(ctx, w.alex.ID, portfolio.Target{EntryID: w.huddle.ID}, 7)
		link, _ := svc.CanViewShared(ctx, nil, 0, token)

		cases := []struct {
			name        string
			actor       *auth.User
			sh          *portfolio.Share
			author      string
			body        string
			field, want string
		}{
			{"no feedback", w.ruth, named, "", "   ", "body", "Write your feedback"},
			{"too long", w.ruth, named, "", strings.Repeat("a", 4001), "body", "4,000 characters"},
			{"a link reader with no name", nil, link, " ", "Good work", "author", "Enter your name"},
			{"a very long name", nil, link, strings.Repeat("n", 101), "Good work", "author", "100 characters"},
		}
		for _, c := range cases {
			err := svc.AddComment(ctx, c.actor, c.sh, w.huddle.ID, c.author, c.body)
			if msg := fieldErr(t, err, c.field); !strings.Contains(msg, c.want) {
				t.Errorf("%s: %q", c.name, msg)
			}
		}
		if err := svc.AddComment(ctx, w.ruth, named, w.course.ID, "", "On the wrong entry"); !errors.Is(err, portfolio.ErrNotFound) {
			t.Errorf("a comment on an entry outside the share: %v", err)
		}
		if n := w.e.count(t, "cpd_comments", ""); n != 0 {
			t.Fatalf("refused comments stored: %d", n)
		}
		// The named viewer's name comes from their account, whatever they type.
		if err := svc.AddComment(ctx, w.ruth, named, w.huddle.ID, "Someone Else", " Good structure: try timing each item. "); err != nil {
			t.Fatal(err)
		}
		w.e.clock.Add(time.Minute)
		if err := svc.AddComment(ctx, nil, link, w.huddle.ID, " Jo Practice Educator ", "Clear reflection."); err != nil {
			t.Fatal(err)
		}
		got, err := svc.EntryComments(ctx, w.alex.ID, w.huddle.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[0].AuthorName != "Ruth Lindqvist" || got[0].Body != "Good structure: try timing each item." ||
			got[1].AuthorName != "Jo Practice Educator" || got[1].EntryID != w.huddle.ID {
			t.Errorf("comments, oldest first: %+v", got)
		}
		if other, _ := svc.EntryComments(ctx, w.sam.ID, w.huddle.ID); len(other) != 0 {
			t.Errorf("Sam read Alex's comments: %+v", other)
		}
		if got[0].ViaLink || !got[1].ViaLink {
			t.Errorf("the owner cannot tell a named reader's feedback from a link's: %+v", got)
		}
		// Readers see only the feedback left through their own share: the supervisor's note
		// never reaches someone holding the link, and the other way round.
		shared, err := svc.OpenShared(ctx, nil, link, 0)
		if err != nil || len(shared.Comments) != 1 || shared.Comments[0].Body != "Clear reflection." {
			t.Errorf("comments through the link: %+v %v", shared, err)
		}
		shared, err = svc.OpenShared(ctx, w.ruth, named, 0)
		if err != nil || len(shared.Comments) != 1 || shared.Comments[0].AuthorName != "Ruth Lindqvist" {
			t.Errorf("comments through the named share: %+v %v", shared, err)
		}
	})
}
