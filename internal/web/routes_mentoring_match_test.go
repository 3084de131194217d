package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/pillars-ot/pillars/internal/mentoring"
	"github.com/pillars-ot/pillars/internal/store"
	"github.com/pillars-ot/pillars/internal/testutil"
)

// mentoringMatchRoutes sets up its own records and returns TestRouteByRole's rows for its routes.
//
// The supervisor persona, Ruth, is a mentor, asked by the learner, Sam, and by Tomasz; the
// practitioner, Alex, has an open ask and has asked Grace. Sam is also a coach whose ICF claim
// waits for a verifier. (The relationship routes' own fixture pairs Alex and Ruth, so these
// pairs differ: one pair has one live relationship at a time.)
func mentoringMatchRoutes(t *testing.T, app *testutil.App, db *store.DB) []routeRow {
	ctx := context.Background()
	m := app.Mentoring
	user := func(email string) int64 {
		u, err := app.Accounts.UserByEmail(ctx, email)
		if err != nil {
			t.Fatal(err)
		}
		return u.ID
	}
	profile := func(email string, change func(*mentoring.ProfileInput)) int64 {
		id := user(email)
		in := mentoring.ProfileInput{Kind: "mentor", Level: "7", Background: "Route test mentor.", Free: true, Modes: []string{"video"},
			Capacity: "5", Listed: true, Elements: []string{"ot-leadership:influence"}}
		if change != nil {
			change(&in)
		}
		if _, err := m.SaveProfile(ctx, id, in); err != nil {
			t.Fatalf("profile for %s: %v", email, err)
		}
		return id
	}
	ruth := profile(personaEmail["supervisor"], nil)
	grace := profile("grace.whitfield@demo.pillars.test", nil)
	sam := profile(personaEmail["learner"], func(in *mentoring.ProfileInput) {
		in.Kind, in.Accreditation, in.EvidenceName, in.Evidence = "coach", "icf", "icf.pdf", []byte("%PDF-1.4\n%%EOF\n")
	})
	alex, err := app.Accounts.UserByEmail(ctx, personaEmail["practitioner"])
	if err != nil {
		t.Fatal(err)
	}
	tomasz, err := app.Accounts.UserByEmail(ctx, "tomasz.nowak@demo.pillars.test")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.SaveAsk(ctx, alex, mentoring.AskInput{Want: "either", Budget: "free", Picks: []string{"ot-leadership:influence"}}); err != nil {
		t.Fatal(err)
	}
	need := mentoring.Need{Want: "either", BudgetPence: -1, Gaps: []mentoring.Gap{{Ref: "ot-leadership:influence", Size: 1}}}
	samUser, err := app.Accounts.UserByID(ctx, sam)
	if err != nil {
		t.Fatal(err)
	}
	samToRuth, err := m.Request(ctx, samUser, ruth, need, "Route test request", nil)
	if err != nil {
		t.Fatal(err)
	}
	tomaszToRuth, err := m.Request(ctx, tomasz, ruth, need, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	toGrace, err := m.Request(ctx, alex, grace, need, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	id := func(n int64) string { return strconv.FormatInt(n, 10) }
	verifiers := func(ok int) expect {
		return signedIn(http.StatusForbidden).with("programme-lead", ok).with("site-admin", ok)
	}
	pair := func(ok int, people ...string) expect {
		e := signedIn(http.StatusNotFound)
		for _, p := range people {
			e = e.with(p, ok)
		}
		return e
	}
	return []routeRow{
		{route: "GET /mentoring", path: "/mentoring", expect: signedIn(200)},
		{route: "GET /mentoring/profile", path: "/mentoring/profile", expect: signedIn(200)},
		// An empty profile form is refused field by field, for a new profile or a change.
		{route: "POST /mentoring/profile", path: "/mentoring/profile", form: url.Values{}, expect: signedIn(http.StatusUnprocessableEntity)},
		// Only Sam has evidence, and only Sam may download it from here.
		{route: "GET /mentoring/profile/evidence", path: "/mentoring/profile/evidence", expect: pair(200, "learner")},
		{route: "GET /mentoring/find", path: "/mentoring/find", expect: signedIn(200)},
		{route: "POST /mentoring/find", path: "/mentoring/find", form: url.Values{"budget": {"max"}, "max": {"-5"}}, expect: signedIn(http.StatusUnprocessableEntity)},
		{route: "GET /mentoring/mentors/{id}", path: "/mentoring/mentors/" + id(ruth), expect: signedIn(200)},
		{route: "POST /mentoring/mentors/{id}/request", path: "/mentoring/mentors/" + id(ruth) + "/request",
			form: url.Values{"message": {strings.Repeat("x", 2001)}}, expect: signedIn(http.StatusUnprocessableEntity)},
		// A request is its mentee's and its mentor's; to anyone else it does not exist.
		{route: "GET /mentoring/requests/{id}", path: "/mentoring/requests/" + id(samToRuth), expect: pair(200, "learner", "supervisor")},
		{route: "GET /mentoring/verification", path: "/mentoring/verification", expect: verifiers(200)},
		{route: "GET /mentoring/verification/{id}/evidence", path: "/mentoring/verification/" + id(sam) + "/evidence", expect: verifiers(200)},
		// A rejection needs a note: refused for verifiers, forbidden for everyone else.
		{route: "POST /mentoring/verification/{id}", path: "/mentoring/verification/" + id(sam), form: url.Values{"decision": {"reject"}},
			expect: verifiers(http.StatusUnprocessableEntity)},
		{route: "GET /mentoring/cohort", path: "/mentoring/cohort?org=north-vale-nhs", expect: verifiers(200)},
		{route: "POST /mentoring/cohort", path: "/mentoring/cohort", form: url.Values{"org": {"north-vale-nhs"}}, expect: verifiers(http.StatusSeeOther)},

		// These change state, so they come last. Only the mentor answers; only the mentee withdraws.
		{route: "POST /mentoring/requests/{id}/accept", path: "/mentoring/requests/" + id(tomaszToRuth) + "/accept", form: url.Values{}, expect: pair(http.StatusSeeOther, "supervisor")},
		{route: "POST /mentoring/requests/{id}/decline", path: "/mentoring/requests/" + id(samToRuth) + "/decline", form: url.Values{"reply": {"Not this term."}}, expect: pair(http.StatusSeeOther, "supervisor")},
		{route: "POST /mentoring/requests/{id}/withdraw", path: "/mentoring/requests/" + id(toGrace) + "/withdraw", form: url.Values{}, expect: pair(http.StatusSeeOther, "practitioner")},
		{route: "POST /mentoring/find/withdraw", path: "/mentoring/find/withdraw", form: url.Values{}, expect: signedIn(http.StatusSeeOther)},
	}
}
