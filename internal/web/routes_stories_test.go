package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"testing"

	"github.com/pillars-ot/pillars/internal/store"
	"github.com/pillars-ot/pillars/internal/stories"
	"github.com/pillars-ot/pillars/internal/testutil"
)

// storyRoutes sets up its own records and returns TestRouteByRole's rows for its routes.
func storyRoutes(t *testing.T, app *testutil.App, db *store.DB) []routeRow {
	ctx := context.Background()
	svc := stories.NewService(db)
	alex, err := app.Accounts.UserByEmail(ctx, personaEmail["practitioner"])
	if err != nil {
		t.Fatal(err)
	}
	in := stories.Input{DisplayName: "Alex", Role: "Specialist occupational therapist", Level: "6", Setting: "nhs",
		Path: "Community rehabilitation.", Barriers: "Time.", Enablers: "A mentor.", FiveYears: "Advanced practice."}
	// The practitioner's story waiting for a moderator, with an attachment: the author and the
	// moderators may open it; to everyone else it does not exist.
	pending, err := svc.Create(ctx, alex.ID, in, &stories.Upload{Name: "timeline.png", Data: []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")})
	if err != nil {
		t.Fatal(err)
	}
	// A published one, which everyone signed in may read.
	published, err := svc.Create(ctx, alex.ID, in, nil)
	if err != nil {
		t.Fatal(err)
	}
	admin, _ := app.Accounts.UserByEmail(ctx, personaEmail["site-admin"])
	if err := svc.Publish(ctx, admin, published.ID, 1, nil); err != nil {
		t.Fatal(err)
	}
	// The programme lead's own story: another moderator decides on it.
	lead, _ := app.Accounts.UserByEmail(ctx, personaEmail["programme-lead"])
	leads, err := svc.Create(ctx, lead.ID, in, nil)
	if err != nil {
		t.Fatal(err)
	}
	id := func(n int64) string { return strconv.FormatInt(n, 10) }
	p, pub := "/stories/"+id(pending.ID), "/stories/"+id(published.ID)
	mine := func(ok int) expect { return signedIn(http.StatusNotFound).with("practitioner", ok) }
	moderators := func(ok int) expect {
		return signedIn(http.StatusForbidden).with("programme-lead", ok).with("site-admin", ok)
	}
	// Pending: the author and the moderators.
	readers := func(ok int) expect {
		return signedIn(http.StatusNotFound).with("practitioner", ok).with("programme-lead", ok).with("site-admin", ok)
	}
	return []routeRow{
		{route: "GET /stories", path: "/stories?level=6&setting=nhs", expect: signedIn(200)},
		{route: "GET /stories/new", path: "/stories/new", expect: signedIn(200)},
		{route: "POST /stories", path: "/stories", form: url.Values{"display_name": {"Kept"}}, expect: signedIn(http.StatusUnprocessableEntity)},
		{route: "GET /stories/moderation", path: "/stories/moderation", expect: moderators(200)},
		{route: "GET /stories/moderation", path: "/stories/moderation?page=2", expect: moderators(200)},
		{route: "GET /stories/{id}", path: p, expect: readers(200)},
		{route: "GET /stories/{id}", path: pub, expect: signedIn(200)},
		{route: "GET /stories/{id}/attachment", path: p + "/attachment", expect: readers(200)},
		{route: "GET /stories/{id}/edit", path: p + "/edit", expect: mine(200)},
		{route: "POST /stories/{id}", path: p, form: url.Values{"role": {""}}, expect: mine(http.StatusUnprocessableEntity)},
		// Without "confirm" the author is asked first; nothing is deleted.
		{route: "POST /stories/{id}/withdraw", path: p + "/withdraw", form: url.Values{}, expect: mine(200)},
		{route: "POST /stories/{id}/decline", path: p + "/decline", form: url.Values{"revision": {"1"}, "reason": {" "}}, expect: moderators(http.StatusUnprocessableEntity)},
		// The first moderator publishes; the second finds it published already, which changes nothing.
		{route: "POST /stories/{id}/publish", path: p + "/publish", form: url.Values{"revision": {"1"}}, expect: moderators(http.StatusSeeOther)},
		// Nobody publishes their own story (403 for the lead); the administrator may.
		{route: "POST /stories/{id}/publish", path: "/stories/" + id(leads.ID) + "/publish", form: url.Values{"revision": {"1"}},
			expect: signedIn(http.StatusForbidden).with("site-admin", http.StatusSeeOther)},
		// Everyone signed in has a career level by now (the /account/career-level row sets 6).
		{route: "GET /career", path: "/career?framework=ot-leadership", expect: signedIn(200)},
	}
}
