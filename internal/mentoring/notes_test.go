package mentoring_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/pillars-ot/pillars/internal/mentoring"
	"github.com/pillars-ot/pillars/internal/portfolio"
	"github.com/pillars-ot/pillars/internal/store"
	"github.com/pillars-ot/pillars/internal/testutil"
)

// The bad-input case: another person's private session notes requested by id are not
// found, for the other person in the pair exactly as for a stranger, and stay unchanged.
func TestPrivateNotesAreTheAuthors(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		e := newPairEnv(t, db)
		ctx := context.Background()
		x, _ := e.svc.ScheduleSession(ctx, e.mentee.ID, e.rel, goodSession(inDays(-1)), nil)
		mine, err := e.svc.SavePrivateNote(ctx, e.mentee.ID, x.ID, "I felt defensive when delegation came up.")
		if err != nil {
			t.Fatal(err)
		}
		theirs, err := e.svc.SavePrivateNote(ctx, e.mentor.ID, x.ID, "Mina is ready to chair the huddle.")
		if err != nil {
			t.Fatal(err)
		}
		if mine.ID == theirs.ID {
			t.Fatal("each person has their own note")
		}
		for _, who := range []int64{e.mentor.ID, e.stranger.ID} {
			if _, err := e.svc.PrivateNoteByID(ctx, who, mine.ID); !errors.Is(err, mentoring.ErrNotFound) {
				t.Fatalf("reader %d read the mentee's private note: %v", who, err)
			}
			if err := e.svc.UpdatePrivateNote(ctx, who, mine.ID, "overwritten"); !errors.Is(err, mentoring.ErrNotFound) {
				t.Fatalf("writer %d changed the mentee's private note: %v", who, err)
			}
		}
		got, err := e.svc.PrivateNoteByID(ctx, e.mentee.ID, mine.ID)
		if err != nil || got.Body != "I felt defensive when delegation came up." {
			t.Fatalf("author's note: %+v %v", got, err)
		}
		if n, _ := e.svc.MyPrivateNote(ctx, e.mentor.ID, x.ID); n == nil || n.ID != theirs.ID {
			t.Fatalf("mentor's own note on the session: %+v", n)
		}
		if n, _ := e.svc.MyPrivateNote(ctx, e.stranger.ID, x.ID); n != nil {
			t.Fatal("a stranger has a note")
		}
		// A stranger cannot write a private note on the pair's session either.
		if _, err := e.svc.SavePrivateNote(ctx, e.stranger.ID, x.ID, "hello"); !errors.Is(err, mentoring.ErrNotFound) {
			t.Fatalf("stranger note: %v", err)
		}
		// Saving again updates the same note; too long is refused and keeps the old text.
		again, err := e.svc.SavePrivateNote(ctx, e.mentee.ID, x.ID, "Second thoughts.")
		if err != nil || again.ID != mine.ID {
			t.Fatalf("second save: %+v %v", again, err)
		}
		wantField(t, e.svc.UpdatePrivateNote(ctx, e.mentee.ID, mine.ID, strings.Repeat("x", 20001)), "private_notes", "20,000")
		if got, _ := e.svc.PrivateNoteByID(ctx, e.mentee.ID, mine.ID); got.Body != "Second thoughts." {
			t.Fatalf("after a refused update: %q", got.Body)
		}
	})
}

func TestSharedNotes(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		e := newPairEnv(t, db)
		ctx := context.Background()
		x, _ := e.svc.ScheduleSession(ctx, e.mentee.ID, e.rel, goodSession(inDays(-1)), nil)
		v0 := mentoring.NotesVersion("")
		if err := e.svc.SaveSharedNotes(ctx, e.mentee.ID, x.ID, "We agreed three actions.", v0); err != nil {
			t.Fatal(err)
		}
		// The mentor started from the empty notes: their save would overwrite, so it is refused
		// with the current notes, and nothing changes.
		err := e.svc.SaveSharedNotes(ctx, e.mentor.ID, x.ID, "My version.", v0)
		var changed *mentoring.ErrNotesChanged
		if !errors.As(err, &changed) || changed.Current != "We agreed three actions." {
			t.Fatalf("concurrent edit: %v", err)
		}
		got, _, _ := e.svc.SessionFor(ctx, e.mentor.ID, x.ID)
		if got.SharedNotes != "We agreed three actions." {
			t.Fatalf("notes after a refused save: %q", got.SharedNotes)
		}
		if err := e.svc.SaveSharedNotes(ctx, e.mentor.ID, x.ID, "We agreed three actions. And a fourth.", mentoring.NotesVersion(got.SharedNotes)); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.SaveSharedNotes(ctx, e.stranger.ID, x.ID, "x", ""); !errors.Is(err, mentoring.ErrNotFound) {
			t.Fatalf("stranger: %v", err)
		}
		wantField(t, e.svc.SaveSharedNotes(ctx, e.mentee.ID, x.ID, strings.Repeat("x", 20001), ""), "shared_notes", "20,000")
	})
}

func TestSessionToCPD(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		e := newPairEnv(t, db)
		ctx := context.Background()
		p := portfolio.NewService(db, e.cat)
		in := goodSession(inDays(-2))
		in.Minutes = "90"
		x, _ := e.svc.ScheduleSession(ctx, e.mentee.ID, e.rel, in, nil)
		// Only once held, and only by the mentee.
		if _, err := e.svc.SessionToCPD(ctx, e.mentee.ID, x.ID, p); err == nil {
			t.Fatal("a planned session became CPD")
		}
		if err := e.svc.MarkHeld(ctx, e.mentee.ID, x.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.SessionToCPD(ctx, e.mentor.ID, x.ID, p); !errors.Is(err, mentoring.ErrMenteeOnly) {
			t.Fatalf("mentor: %v", err)
		}
		if _, err := e.svc.SessionToCPD(ctx, e.stranger.ID, x.ID, p); !errors.Is(err, mentoring.ErrNotFound) {
			t.Fatalf("stranger: %v", err)
		}
		_ = e.svc.SaveSharedNotes(ctx, e.mentee.ID, x.ID, "Agreed to chair Tuesday's huddle.", mentoring.NotesVersion(""))
		_, _ = e.svc.SavePrivateNote(ctx, e.mentee.ID, x.ID, "Nervous, but ready.")
		_, _ = e.svc.SavePrivateNote(ctx, e.mentor.ID, x.ID, "MENTOR-ONLY thought.")

		id, err := e.svc.SessionToCPD(ctx, e.mentee.ID, x.ID, p)
		if err != nil {
			t.Fatal(err)
		}
		entry, err := p.Get(ctx, e.mentee.ID, id)
		if err != nil {
			t.Fatal(err)
		}
		if entry.Status != "draft" || entry.Title != "Mentoring session with Theo Grant" || entry.StartedOn != inDays(-2) ||
			entry.ActivityType != "work-based" || entry.Minutes != 90 || entry.Model != "free" {
			t.Fatalf("entry: %+v", entry)
		}
		body := entry.Stages["reflection"]
		for _, want := range []string{"Delegation, and the huddle", "Agreed to chair Tuesday's huddle.", "Nervous, but ready."} {
			if !strings.Contains(body, want) {
				t.Fatalf("reflection lacks %q:\n%s", want, body)
			}
		}
		if strings.Contains(body, "MENTOR-ONLY") {
			t.Fatal("the mentor's private note went into the mentee's CPD")
		}
		// Tagged with the focus areas the portfolio accepts: a leadership skill, not an NHS
		// healthcare leadership dimension.
		if len(entry.Tags) != 1 || entry.Tags[0].Framework != "ot-leadership" || entry.Tags[0].Element != "influence" {
			t.Fatalf("tags: %+v", entry.Tags)
		}
		// A second click goes to the same entry.
		again, err := e.svc.SessionToCPD(ctx, e.mentee.ID, x.ID, p)
		if err != nil || again != id {
			t.Fatalf("second click: %d %v (first %d)", again, err, id)
		}
		var n int
		if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM cpd_entries WHERE user_id = ?`, e.mentee.ID).Scan(&n); err != nil || n != 1 {
			t.Fatalf("entries: %d %v", n, err)
		}
		// If the mentee deletes the entry, the next click makes a new one.
		if err := p.Delete(ctx, e.mentee.ID, id); err != nil {
			t.Fatal(err)
		}
		third, err := e.svc.SessionToCPD(ctx, e.mentee.ID, x.ID, p)
		if err != nil || third == id {
			t.Fatalf("after deleting: %d %v", third, err)
		}
	})
}
