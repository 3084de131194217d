package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pillars-ot/pillars/internal/mentoring"
	"github.com/pillars-ot/pillars/internal/store"
	"github.com/pillars-ot/pillars/internal/testutil"
)

// insertRelationship makes a relationship as the accept step (or its end) would leave it, with
// SQL, so these tests do not depend on how pairs are matched.
func insertRelationship(t testing.TB, db *store.DB, menteeID, mentorID, orgID int64, status string, elements ...string) int64 {
	t.Helper()
	ctx := context.Background()
	started := time.Now().AddDate(0, -1, 0).UTC().Truncate(time.Microsecond)
	var ended any
	if status != mentoring.StatusActive {
		ended = started.AddDate(0, 0, 20)
	}
	var orgArg any
	if orgID != 0 {
		orgArg = orgID
	}
	var id int64
	err := db.InTx(ctx, func(tx *store.Tx) error {
		var err error
		id, err = tx.Insert(ctx, `INSERT INTO mentoring_relationships (mentee_id, mentor_id, org_id, kind, status, requested_at, responded_at, started_at, ended_at, updated_at)
			VALUES (?, ?, ?, 'mentoring', ?, ?, ?, ?, ?, ?)`, menteeID, mentorID, orgArg, status, started, started, started, ended, started)
		if err != nil {
			return err
		}
		for _, ref := range elements {
			fw, el, _ := strings.Cut(ref, ":")
			if _, err := tx.Exec(ctx, `INSERT INTO mentoring_relationship_elements (relationship_id, framework_key, element_key) VALUES (?, ?, ?)`, id, fw, el); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("insert relationship %d -> %d (%s): %v", menteeID, mentorID, status, err)
	}
	return id
}

// ukDay is the UK date n days from today.
func ukDay(n int) string {
	uk, _ := time.LoadLocation("Europe/London")
	return time.Now().In(uk).AddDate(0, 0, n).Format(time.DateOnly)
}

// mentoringRelationshipRoutes sets up its own records and returns TestRouteByRole's rows for its routes.
// Alex (practitioner) is the mentee and Ruth (supervisor) the mentor: they get 200 or 303, and
// to everyone else the relationship, its sessions and notes do not exist (404). A private note
// is its author's alone, so Ruth gets 404 for Alex's as well.
func mentoringRelationshipRoutes(t *testing.T, app *testutil.App, db *store.DB) []routeRow {
	ctx := context.Background()
	alex, err := app.Accounts.UserByEmail(ctx, personaEmail["practitioner"])
	if err != nil {
		t.Fatal(err)
	}
	ruth, _ := app.Accounts.UserByEmail(ctx, personaEmail["supervisor"])
	northVale, err := app.Orgs.BySlug(ctx, "north-vale-nhs")
	if err != nil {
		t.Fatal(err)
	}
	m := app.Mentoring
	rel := insertRelationship(t, db, alex.ID, ruth.ID, northVale.ID, mentoring.StatusActive, "ot-leadership:influence")
	// The other way round, for "We have finished", which ends it.
	toFinish := insertRelationship(t, db, ruth.ID, alex.ID, northVale.ID, mentoring.StatusActive)
	done := insertRelationship(t, db, alex.ID, ruth.ID, northVale.ID, mentoring.StatusCompleted)
	plan := func(day int) *mentoring.Session {
		t.Helper()
		x, err := m.ScheduleSession(ctx, alex.ID, rel, mentoring.SessionInput{Date: ukDay(day), Time: "10:00", Minutes: "60", Mode: "video", Agenda: "Route agenda"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		return x
	}
	sess, toCancel, toHold, held := plan(3), plan(4), plan(-1), plan(-2)
	if err := m.MarkHeld(ctx, alex.ID, held.ID); err != nil {
		t.Fatal(err)
	}
	note, err := m.SavePrivateNote(ctx, alex.ID, sess.ID, "Alex's own thoughts")
	if err != nil {
		t.Fatal(err)
	}
	feed, err := m.ResetFeed(ctx, alex.ID)
	if err != nil {
		t.Fatal(err)
	}

	id := func(n int64) string { return strconv.FormatInt(n, 10) }
	r, s := "/mentoring/relationships/", "/mentoring/sessions/"
	pair := func(ok int) expect {
		return signedIn(http.StatusNotFound).with("practitioner", ok).with("supervisor", ok)
	}
	author := func(ok int) expect { return signedIn(http.StatusNotFound).with("practitioner", ok) }
	agreement := url.Values{"goals": {"Chair the huddle"}, "frequency": {"monthly"}, "confidentiality": {mentoring.DefaultConfidentiality}, "end_on": {ukDay(120)}}
	badSession := url.Values{"date": {ukDay(5)}, "time": {"25:00"}, "minutes": {"60"}, "mode": {"video"}}
	return []routeRow{
		{route: "GET /mentoring/relationships/{id}", path: r + id(rel), expect: pair(200)},
		{route: "GET /mentoring/relationships/{id}/agreement", path: r + id(rel) + "/agreement", expect: pair(200)},
		{route: "POST /mentoring/relationships/{id}/agreement", path: r + id(rel) + "/agreement", form: agreement, expect: pair(http.StatusSeeOther)},
		// A version that is not the agreement's is refused on the page.
		{route: "POST /mentoring/relationships/{id}/agree", path: r + id(rel) + "/agree", form: url.Values{"version": {"stale"}}, expect: pair(http.StatusUnprocessableEntity)},
		{route: "GET /mentoring/relationships/{id}/end", path: r + id(rel) + "/end", expect: pair(200)},
		{route: "POST /mentoring/relationships/{id}/end", path: r + id(rel) + "/end", form: url.Values{"reason": {""}}, expect: pair(http.StatusUnprocessableEntity)},
		// Alex finishes it; Ruth, second, is told it has already ended.
		{route: "POST /mentoring/relationships/{id}/complete", path: r + id(toFinish) + "/complete", form: url.Values{}, expect: pair(http.StatusSeeOther)},
		{route: "GET /mentoring/relationships/{id}/review", path: r + id(done) + "/review", expect: pair(200)},
		{route: "POST /mentoring/relationships/{id}/review", path: r + id(done) + "/review", form: url.Values{"helpful": {"9"}}, expect: pair(http.StatusUnprocessableEntity)},
		{route: "GET /mentoring/relationships/{id}/sessions/new", path: r + id(rel) + "/sessions/new", expect: pair(200)},
		{route: "POST /mentoring/relationships/{id}/sessions", path: r + id(rel) + "/sessions", form: badSession, expect: pair(http.StatusUnprocessableEntity)},
		{route: "GET /mentoring/sessions/{id}", path: s + id(sess.ID), expect: pair(200)},
		{route: "GET /mentoring/sessions/{id}/edit", path: s + id(sess.ID) + "/edit", expect: pair(200)},
		{route: "POST /mentoring/sessions/{id}", path: s + id(sess.ID), form: badSession, expect: pair(http.StatusUnprocessableEntity)},
		{route: "POST /mentoring/sessions/{id}/cancel", path: s + id(toCancel.ID) + "/cancel", form: url.Values{}, expect: pair(http.StatusSeeOther)},
		{route: "POST /mentoring/sessions/{id}/held", path: s + id(toHold.ID) + "/held", form: url.Values{}, expect: pair(http.StatusSeeOther)},
		// Alex writes the notes; Ruth sends the same words, which is no change.
		{route: "POST /mentoring/sessions/{id}/notes", path: s + id(sess.ID) + "/notes", form: url.Values{"shared_notes": {"Agreed three actions."}, "version": {mentoring.NotesVersion("")}}, expect: pair(http.StatusSeeOther)},
		{route: "POST /mentoring/sessions/{id}/private-notes", path: s + id(sess.ID) + "/private-notes", form: url.Values{"private_notes": {"My own view"}}, expect: pair(http.StatusSeeOther)},
		{route: "GET /mentoring/sessions/{id}/invite.ics", path: s + id(sess.ID) + "/invite.ics", expect: pair(200)},
		// The mentee is taken to the new CPD draft; the mentor is told it is the mentee's to make.
		{route: "POST /mentoring/sessions/{id}/cpd", path: s + id(held.ID) + "/cpd", form: url.Values{}, expect: pair(http.StatusSeeOther)},
		{route: "GET /mentoring/notes/{id}", path: "/mentoring/notes/" + id(note.ID), expect: author(200)},
		{route: "POST /mentoring/notes/{id}", path: "/mentoring/notes/" + id(note.ID), form: url.Values{"private_notes": {"Still mine"}}, expect: author(http.StatusSeeOther)},
		{route: "GET /mentoring/calendar", path: "/mentoring/calendar", expect: signedIn(200)},
		// The feed needs no account: its secret address is the credential. Before the reset below.
		{route: "GET /calendar/{file}", path: "/calendar/" + feed + ".ics", expect: public(200)},
		{route: "POST /mentoring/calendar", path: "/mentoring/calendar", form: url.Values{}, expect: signedIn(http.StatusCreated)},
		{route: "POST /mentoring/calendar/stop", path: "/mentoring/calendar/stop", form: url.Values{}, expect: signedIn(http.StatusSeeOther)},
		{route: "GET /mentoring/reports", path: "/mentoring/reports?org=north-vale-nhs", expect: signedIn(http.StatusForbidden).with("programme-lead", 200).with("site-admin", 200)},
	}
}
