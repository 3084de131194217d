package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pillars-ot/pillars/internal/assess"
	"github.com/pillars-ot/pillars/internal/directory"
	"github.com/pillars-ot/pillars/internal/plan"
	"github.com/pillars-ot/pillars/internal/portfolio"
	"github.com/pillars-ot/pillars/internal/store"
	"github.com/pillars-ot/pillars/internal/testutil"
)

// The personas every route is tried as. Browser personas carry a session cookie and no token;
// token personas carry an API token and no cookie.
var personas = []string{"anonymous", "learner", "practitioner", "supervisor", "programme-lead", "site-admin", "token-practitioner", "token-admin"}

var personaEmail = map[string]string{
	"learner":        "sam.okafor@demo.pillars.test",
	"practitioner":   "alex.marlowe@demo.pillars.test",
	"supervisor":     "ruth.lindqvist@demo.pillars.test",
	"programme-lead": "priya.castellano@demo.pillars.test",
	"site-admin":     "admin@demo.pillars.test",
}

type expect map[string]int

func isToken(p string) bool   { return strings.HasPrefix(p, "token-") }
func isBrowser(p string) bool { return p != "anonymous" && !isToken(p) }

// public: the same answer for everyone.
func public(status int) expect {
	e := expect{}
	for _, p := range personas {
		e[p] = status
	}
	return e
}

// signedIn: browser personas get status; everyone else is sent to sign in.
func signedIn(status int) expect {
	e := expect{}
	for _, p := range personas {
		e[p] = http.StatusSeeOther
		if isBrowser(p) {
			e[p] = status
		}
	}
	return e
}

// adminOnly: the site administrator gets status, other browsers 403, the rest sign in.
func adminOnly(status int) expect {
	e := signedIn(http.StatusForbidden)
	e["site-admin"] = status
	return e
}

// apiToken: token personas get status, everyone else 401 (a browser session is not an API key).
func apiToken(status int) expect {
	e := expect{}
	for _, p := range personas {
		e[p] = http.StatusUnauthorized
		if isToken(p) {
			e[p] = status
		}
	}
	return e
}

func (e expect) with(p string, status int) expect {
	out := expect{}
	for k, v := range e {
		out[k] = v
	}
	out[p] = status
	return out
}

type routeRow struct {
	route  string // "METHOD pattern", exactly as in the route table
	path   string // a concrete path to request
	form   url.Values
	body   string // raw body for API posts
	expect expect
}

// TestRouteByRole requests every route as every persona. A route in the table without a row here
// fails the test, so no route ships without its access being decided and checked.
func TestRouteByRole(t *testing.T) {
	for _, engine := range testutil.Engines() {
		t.Run(engine.Name, func(t *testing.T) { routeByRole(t, engine.Open(t)) })
	}
}

func routeByRole(t *testing.T, db *store.DB) {
	app := testutil.StartApp(t, db, testutil.AppOptions{Demo: true})
	ctx := context.Background()
	clients := map[string]*http.Client{"anonymous": app.Client()}
	for p, email := range personaEmail {
		clients[p] = demoClient(t, app, email)
	}
	tokens := map[string]string{}
	for p, email := range map[string]string{"token-practitioner": personaEmail["practitioner"], "token-admin": personaEmail["site-admin"]} {
		u, err := app.Accounts.UserByEmail(ctx, email)
		if err != nil {
			t.Fatal(err)
		}
		if tokens[p], err = app.Accounts.CreateToken(ctx, u.ID, "route test", time.Hour); err != nil {
			t.Fatal(err)
		}
		clients[p] = app.Client()
	}
	alex, _ := app.Accounts.UserByEmail(ctx, personaEmail["practitioner"])
	if _, err := app.Accounts.CreateToken(ctx, alex.ID, "to revoke", time.Hour); err != nil {
		t.Fatal(err)
	}
	toks, _ := app.Accounts.Tokens(ctx, alex.ID)
	alexToken := strconv.FormatInt(toks[0].ID, 10)

	// The practitioner's own records: everyone else must find that they do not exist.
	ruth, _ := app.Accounts.UserByEmail(ctx, personaEmail["supervisor"])
	submitted, err := app.Assess.Start(ctx, alex.ID, "ot-leadership")
	if err != nil {
		t.Fatal(err)
	}
	if err := app.Assess.Submit(ctx, alex.ID, submitted.ID, allRatings(3)); err != nil {
		t.Fatal(err)
	}
	draft, _ := app.Assess.Start(ctx, alex.ID, "ot-leadership")
	round, err := app.Assess.CreateRound(ctx, alex.ID, submitted.ID, "Route test", time.Now().Add(7*24*time.Hour), nil)
	if err != nil {
		t.Fatal(err)
	}
	inv, err := app.Assess.Invite(ctx, alex, round.ID, "Kim", "kim@example.org", "peer", nil)
	if err != nil {
		t.Fatal(err)
	}
	goal, err := app.Plans.CreateGoal(ctx, alex.ID, plan.GoalInput{Specific: "Lead the huddle", DueOn: time.Now().AddDate(0, 3, 0).Format(time.DateOnly),
		Elements: []plan.ElementRef{{Framework: "ot-leadership", Element: "influence"}}})
	if err != nil {
		t.Fatal(err)
	}
	action, err := app.Plans.AddAction(ctx, alex.ID, goal.ID, plan.ActionInput{Title: "Ask to chair", Pathway: "progressive-responsibility"})
	if err != nil {
		t.Fatal(err)
	}
	if err := app.Plans.ShareWith(ctx, alex, ruth.Email, app.Accounts); err != nil {
		t.Fatal(err)
	}
	shares, _ := app.Plans.Shares(ctx, alex.ID)
	// A second share, with a mentor, for the API's DELETE row: the web revoke row takes the first.
	if err := app.Plans.ShareWith(ctx, alex, "dev.ramesh@demo.pillars.test", app.Accounts); err != nil {
		t.Fatal(err)
	}
	var mentorShare int64
	all, _ := app.Plans.Shares(ctx, alex.ID)
	for _, sh := range all {
		if sh.ViewerEmail == "dev.ramesh@demo.pillars.test" && sh.RevokedAt == nil {
			mentorShare = sh.ID
		}
	}
	// The practitioner's portfolio: an entry with evidence, a draft, a collection, shares with
	// the supervisor and by link, and an audit pack with a built export.
	entry, err := app.Portfolio.Create(ctx, alex.ID, portfolio.EntryInput{Title: "Route entry", StartedOn: time.Now().AddDate(0, 0, -3).Format(time.DateOnly),
		ActivityType: "work-based", Hours: "1", Model: "driscoll", Stages: map[string]string{"what": "Led a huddle"}}, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	evidence, err := app.Portfolio.AddFile(ctx, alex.ID, entry.ID, "notes.pdf", []byte("%PDF-1.4\n%%EOF\n"))
	if err != nil {
		t.Fatal(err)
	}
	entryDraft, err := app.Portfolio.Create(ctx, alex.ID, portfolio.EntryInput{Title: "Route draft"}, true, nil)
	if err != nil {
		t.Fatal(err)
	}
	collection, err := app.Portfolio.CreateCollection(ctx, alex.ID, "Route collection", "", []int64{entry.ID})
	if err != nil {
		t.Fatal(err)
	}
	if err := app.Portfolio.ShareWith(ctx, alex, portfolio.Target{EntryID: entry.ID}, ruth.Email, app.Accounts); err != nil {
		t.Fatal(err)
	}
	linkToken, err := app.Portfolio.ShareLink(ctx, alex.ID, portfolio.Target{EntryID: entry.ID}, 7)
	if err != nil {
		t.Fatal(err)
	}
	cpdShares, _ := app.Portfolio.Shares(ctx, alex.ID)
	var ruthShare int64
	for _, sh := range cpdShares {
		if sh.ViewerID == ruth.ID {
			ruthShare = sh.ID
		}
	}
	cycleStart, cycleEnd := portfolio.DefaultCycle(time.Now())
	pack, err := app.Portfolio.OpenPack(ctx, alex.ID, "", cycleStart, cycleEnd)
	if err != nil {
		t.Fatal(err)
	}
	exportID, err := app.Portfolio.StartExport(ctx, alex.ID, pack.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := app.Portfolio.BuildExport(ctx, exportID); err != nil {
		t.Fatal(err)
	}
	built, err := app.Portfolio.Export(ctx, alex.ID, exportID)
	if err != nil || len(built.Files) == 0 {
		t.Fatalf("export: %v, %+v", err, built)
	}
	id := func(n int64) string { return strconv.FormatInt(n, 10) }
	// The directory: a built-in programme, and a suggestion waiting for a moderator.
	var jenner int64
	if err := db.QueryRow(ctx, `SELECT id FROM directory_items WHERE key = 'nhsla-edward-jenner'`).Scan(&jenner); err != nil {
		t.Fatal(err)
	}
	suggestion, err := directory.NewService(db).Suggest(ctx, alex.ID, directory.Input{Kind: "web", Title: "Route suggestion", URL: "https://example.org/route"})
	if err != nil {
		t.Fatal(err)
	}
	moderators := func(ok int) expect {
		return signedIn(http.StatusForbidden).with("programme-lead", ok).with("site-admin", ok)
	}
	mine := func(ok int) expect { return signedIn(http.StatusNotFound).with("practitioner", ok) }
	// apiMine: Alex's token gets ok; to the administrator's token Alex's record does not exist.
	apiMine := func(ok int) expect { return apiToken(http.StatusNotFound).with("token-practitioner", ok) }
	inMonths := func(n int) string { return time.Now().AddDate(0, n, 0).Format(time.DateOnly) }
	goalBody := `{"specific": "Chair the huddle", "due_on": "` + inMonths(3) + `", "elements": [{"framework": "ot-leadership", "element": "influence"}]}`

	validFramework := "key: route-test\nversion: \"1\"\ntitle: Route test\nsummary: For the route test.\nelements:\n  - key: a\n    title: A\n"
	rows := []routeRow{
		{route: "GET /{$}", path: "/", expect: signedIn(http.StatusSeeOther).with("anonymous", 200).with("token-practitioner", 200).with("token-admin", 200)},
		{route: "GET /sign-in", path: "/sign-in", expect: signedIn(http.StatusSeeOther).with("anonymous", 200).with("token-practitioner", 200).with("token-admin", 200)},
		{route: "POST /sign-in", path: "/sign-in", form: url.Values{}, expect: public(http.StatusUnprocessableEntity)},
		{route: "GET /password/forgot", path: "/password/forgot", expect: public(200)},
		{route: "POST /password/forgot", path: "/password/forgot", form: url.Values{}, expect: public(http.StatusUnprocessableEntity)},
		{route: "GET /password/reset/{token}", path: "/password/reset/not-a-real-token", expect: public(http.StatusGone)},
		{route: "POST /password/reset/{token}", path: "/password/reset/not-a-real-token", form: url.Values{"password": {"a long new password"}, "confirm": {"a long new password"}}, expect: public(http.StatusGone)},
		{route: "GET /accessibility", path: "/accessibility", expect: public(200)},
		{route: "GET /privacy", path: "/privacy", expect: public(200)},
		{route: "GET /healthz", path: "/healthz", expect: public(200)},
		{route: "GET /readyz", path: "/readyz", expect: public(200)},
		{route: "GET /static/{hash}/{path...}", path: app.Server.Static("pillars.css"), expect: public(200)},

		{route: "GET /home", path: "/home", expect: signedIn(200)},
		{route: "GET /account", path: "/account", expect: signedIn(200)},
		{route: "POST /account/career-level", path: "/account/career-level", form: url.Values{"career_level": {"6"}}, expect: signedIn(http.StatusSeeOther)},
		{route: "GET /account/tokens", path: "/account/tokens", expect: signedIn(200)},
		{route: "POST /account/tokens", path: "/account/tokens", form: url.Values{"name": {"x"}, "expires": {"30"}}, expect: signedIn(http.StatusCreated)},
		// Only the owner may revoke a token; for anyone else it does not exist.
		{route: "POST /account/tokens/{id}/revoke", path: "/account/tokens/" + alexToken + "/revoke", form: url.Values{}, expect: signedIn(http.StatusNotFound).with("practitioner", http.StatusSeeOther)},
		// Organisation pages are for members and site administrators; to others they do not exist.
		{route: "GET /organisations/{slug}", path: "/organisations/north-vale-nhs", expect: signedIn(200).with("learner", http.StatusNotFound)},
		{route: "GET /frameworks", path: "/frameworks", expect: signedIn(200)},
		{route: "GET /frameworks/{key}", path: "/frameworks/ot-leadership", expect: signedIn(200)},
		{route: "GET /frameworks/{key}/versions", path: "/frameworks/ot-leadership/versions", expect: signedIn(200)},
		{route: "GET /frameworks/{key}/elements/{element}", path: "/frameworks/ot-leadership/elements/influence", expect: signedIn(200)},

		{route: "GET /assessments", path: "/assessments", expect: signedIn(200)},
		{route: "POST /assessments", path: "/assessments", form: url.Values{"framework": {"nhs-hlm"}}, expect: signedIn(http.StatusSeeOther)},
		{route: "GET /assessments/compare", path: "/assessments/compare?before=" + id(submitted.ID) + "&after=" + id(submitted.ID), expect: mine(200)},
		{route: "GET /assessments/{id}", path: "/assessments/" + id(submitted.ID), expect: mine(200)},
		{route: "GET /assessments/{id}/edit", path: "/assessments/" + id(draft.ID) + "/edit", expect: mine(200)},
		{route: "POST /assessments/{id}/edit", path: "/assessments/" + id(draft.ID) + "/edit", form: url.Values{"action": {"save"}}, expect: mine(http.StatusSeeOther)},
		{route: "POST /assessments/{id}/autosave", path: "/assessments/" + id(draft.ID) + "/autosave", form: url.Values{"rating-influence": {"2"}}, expect: mine(200)},
		{route: "GET /gaps", path: "/gaps", expect: signedIn(200)},
		{route: "GET /feedback", path: "/feedback", expect: signedIn(200)},
		{route: "POST /feedback", path: "/feedback", form: url.Values{}, expect: signedIn(http.StatusUnprocessableEntity)},
		{route: "GET /feedback/{id}", path: "/feedback/" + id(round.ID), expect: mine(200)},
		{route: "POST /feedback/{id}/raters", path: "/feedback/" + id(round.ID) + "/raters", form: url.Values{}, expect: mine(http.StatusUnprocessableEntity)},
		{route: "GET /feedback/{id}/report", path: "/feedback/" + id(round.ID) + "/report", expect: mine(200)},
		{route: "GET /feedback/{id}/report/print", path: "/feedback/" + id(round.ID) + "/report/print", expect: mine(200)},
		// A rater's link needs no account: everyone holding it is treated alike.
		{route: "GET /rate/{token}", path: "/rate/" + inv.Token, expect: public(200)},
		{route: "POST /rate/{token}", path: "/rate/" + inv.Token, form: url.Values{}, expect: public(http.StatusUnprocessableEntity)},
		{route: "GET /plan", path: "/plan", expect: signedIn(200)},
		{route: "GET /plan/print", path: "/plan/print", expect: signedIn(200)},
		{route: "GET /plan/goals/new", path: "/plan/goals/new", expect: signedIn(200)},
		{route: "POST /plan/goals", path: "/plan/goals", form: url.Values{}, expect: signedIn(http.StatusUnprocessableEntity)},
		{route: "POST /plan/goals/from-gap", path: "/plan/goals/from-gap", form: url.Values{"framework": {"ot-leadership"}, "element": {"strategic"}}, expect: signedIn(http.StatusSeeOther)},
		{route: "GET /plan/goals/{id}/edit", path: "/plan/goals/" + id(goal.ID) + "/edit", expect: mine(200)},
		{route: "POST /plan/goals/{id}", path: "/plan/goals/" + id(goal.ID), form: url.Values{}, expect: mine(http.StatusUnprocessableEntity)},
		{route: "POST /plan/goals/{id}/actions", path: "/plan/goals/" + id(goal.ID) + "/actions", form: url.Values{}, expect: mine(http.StatusUnprocessableEntity)},
		{route: "POST /plan/actions/{id}/status", path: "/plan/actions/" + id(action.ID) + "/status", form: url.Values{"status": {"done"}}, expect: mine(http.StatusSeeOther)},
		{route: "POST /plan/comments", path: "/plan/comments", form: url.Values{"body": {"A note"}}, expect: signedIn(http.StatusSeeOther)},
		{route: "GET /plan/challenges", path: "/plan/challenges?challenge=invisibility", expect: signedIn(200)},
		{route: "POST /plan/challenges/add", path: "/plan/challenges/add", form: url.Values{"challenge": {"invisibility"}, "index": {"0"}, "goal": {id(goal.ID)}}, expect: mine(http.StatusSeeOther)},
		{route: "GET /plans", path: "/plans", expect: signedIn(200)},
		// A shared plan: its owner is sent to their own page, the supervisor it is shared with
		// reads it, and to anyone else it does not exist.
		{route: "GET /plans/{owner}", path: "/plans/" + id(alex.ID), expect: mine(http.StatusSeeOther).with("supervisor", 200)},
		{route: "POST /plans/{owner}/comments", path: "/plans/" + id(alex.ID) + "/comments", form: url.Values{"body": {"Looks good"}}, expect: mine(http.StatusSeeOther).with("supervisor", http.StatusSeeOther)},
		{route: "POST /plan/shares", path: "/plan/shares", form: url.Values{"viewer": {ruth.Email}}, expect: signedIn(http.StatusSeeOther).with("supervisor", http.StatusUnprocessableEntity)},
		// Aggregates are for the organisation's leads and site administrators.
		{route: "GET /organisations/{slug}/heatmap", path: "/organisations/north-vale-nhs/heatmap", expect: signedIn(http.StatusNotFound).with("programme-lead", 200).with("site-admin", 200)},

		// The CPD portfolio: each person's own; another's entry, file, pack or export does not
		// exist for them. A share is readable by the person it names, or by anyone with its link.
		{route: "GET /portfolio", path: "/portfolio", expect: signedIn(200)},
		{route: "GET /portfolio/totals", path: "/portfolio/totals", expect: signedIn(200)},
		{route: "GET /portfolio/entries/new", path: "/portfolio/entries/new", expect: signedIn(200)},
		{route: "POST /portfolio/entries", path: "/portfolio/entries", form: url.Values{"model": {"free"}}, expect: signedIn(http.StatusUnprocessableEntity)},
		{route: "POST /portfolio/autosave", path: "/portfolio/autosave", form: url.Values{"title": {"Half a thought"}, "model": {"free"}}, expect: signedIn(200)},
		{route: "GET /portfolio/entries/{id}", path: "/portfolio/entries/" + id(entry.ID), expect: mine(200)},
		{route: "GET /portfolio/entries/{id}/edit", path: "/portfolio/entries/" + id(entryDraft.ID) + "/edit", expect: mine(200)},
		{route: "POST /portfolio/entries/{id}", path: "/portfolio/entries/" + id(entry.ID), form: url.Values{"model": {"driscoll"}}, expect: mine(http.StatusUnprocessableEntity)},
		{route: "POST /portfolio/entries/{id}/autosave", path: "/portfolio/entries/" + id(entry.ID) + "/autosave", form: url.Values{"title": {"Route entry, edited"}, "model": {"driscoll"}}, expect: mine(200)},
		{route: "POST /portfolio/entries/{id}/discard", path: "/portfolio/entries/" + id(entry.ID) + "/discard", form: url.Values{}, expect: mine(http.StatusSeeOther)},
		{route: "POST /portfolio/entries/{id}/delete", path: "/portfolio/entries/" + id(entry.ID) + "/delete", form: url.Values{}, expect: mine(200)},
		{route: "POST /portfolio/entries/{id}/evidence", path: "/portfolio/entries/" + id(entry.ID) + "/evidence", form: url.Values{}, expect: mine(http.StatusUnprocessableEntity)},
		{route: "POST /portfolio/entries/{id}/shares", path: "/portfolio/entries/" + id(entry.ID) + "/shares", form: url.Values{"how": {"link"}, "days": {"3"}}, expect: mine(200)},
		{route: "GET /portfolio/evidence/{id}", path: "/portfolio/evidence/" + id(evidence.ID), expect: mine(200)},
		{route: "GET /portfolio/sharing", path: "/portfolio/sharing", expect: signedIn(200)},
		{route: "POST /portfolio/collections", path: "/portfolio/collections", form: url.Values{}, expect: signedIn(http.StatusUnprocessableEntity)},
		{route: "POST /portfolio/collections/{id}/shares", path: "/portfolio/collections/" + id(collection.ID) + "/shares", form: url.Values{"how": {"link"}, "days": {"7"}}, expect: mine(200)},
		{route: "GET /portfolio/shared", path: "/portfolio/shared", expect: signedIn(200)},
		{route: "GET /portfolio/shared/{id}", path: "/portfolio/shared/" + id(ruthShare), expect: signedIn(http.StatusNotFound).with("supervisor", 200)},
		{route: "POST /portfolio/shared/{id}/comments", path: "/portfolio/shared/" + id(ruthShare) + "/comments", form: url.Values{"body": {"Well reflected"}}, expect: signedIn(http.StatusNotFound).with("supervisor", http.StatusSeeOther)},
		{route: "GET /shared/{token}", path: "/shared/" + linkToken, expect: public(200)},
		{route: "POST /shared/{token}/comments", path: "/shared/" + linkToken + "/comments", form: url.Values{"body": {"Thoughtful"}}, expect: public(http.StatusUnprocessableEntity)},
		{route: "GET /portfolio/audit", path: "/portfolio/audit", expect: signedIn(200)},
		{route: "POST /portfolio/audit", path: "/portfolio/audit", form: url.Values{}, expect: signedIn(http.StatusUnprocessableEntity)},
		{route: "GET /portfolio/audit/{id}", path: "/portfolio/audit/" + id(pack.ID), expect: mine(200)},
		{route: "POST /portfolio/audit/{id}", path: "/portfolio/audit/" + id(pack.ID), form: url.Values{"summary": {"I am an occupational therapist."}}, expect: mine(http.StatusSeeOther)},
		{route: "GET /portfolio/audit/{id}/exports/{export}", path: "/portfolio/audit/" + id(pack.ID) + "/exports/" + id(exportID), expect: mine(200)},
		{route: "GET /portfolio/audit/{id}/exports/{export}/files/{file}", path: "/portfolio/audit/" + id(pack.ID) + "/exports/" + id(exportID) + "/files/" + id(built.Files[0].ID), expect: mine(200)},
		{route: "POST /portfolio/audit/{id}/exports", path: "/portfolio/audit/" + id(pack.ID) + "/exports", form: url.Values{}, expect: mine(http.StatusSeeOther)},
		{route: "GET /portfolio/export/{format}", path: "/portfolio/export/json", expect: signedIn(200)},
		{route: "GET /portfolio/import", path: "/portfolio/import", expect: signedIn(200)},
		{route: "POST /portfolio/import", path: "/portfolio/import", form: url.Values{}, expect: signedIn(http.StatusUnprocessableEntity)},

		// The directory: everyone signed in searches and suggests; only moderators (site
		// administrators and programme leads) see the queue, approve, decline and import.
		{route: "GET /directory", path: "/directory?cost=free&format=online", expect: signedIn(200)},
		{route: "GET /directory/{id}", path: "/directory/" + id(jenner), expect: signedIn(200)},
		{route: "GET /directory/suggest", path: "/directory/suggest", expect: signedIn(200)},
		{route: "POST /directory/suggest", path: "/directory/suggest", form: url.Values{"url": {"javascript:alert(1)"}}, expect: signedIn(http.StatusUnprocessableEntity)},
		{route: "GET /directory/export.bib", path: "/directory/export.bib", expect: signedIn(200)},
		{route: "GET /directory/export.ris", path: "/directory/export.ris?q=leadership", expect: signedIn(200)},
		{route: "GET /directory/moderation", path: "/directory/moderation", expect: moderators(200)},
		{route: "POST /directory/moderation/{id}/approve", path: "/directory/moderation/" + id(suggestion.ID) + "/approve", form: url.Values{"title": {""}}, expect: moderators(http.StatusUnprocessableEntity)},
		{route: "POST /directory/moderation/{id}/decline", path: "/directory/moderation/" + id(suggestion.ID) + "/decline", form: url.Values{"reason": {" "}}, expect: moderators(http.StatusUnprocessableEntity)},
		{route: "POST /directory/import", path: "/directory/import", form: url.Values{}, expect: moderators(http.StatusUnprocessableEntity)},
		{route: "GET /recommendations", path: "/recommendations?budget=free&format=online&element=ot-leadership:communication", expect: signedIn(200)},
		{route: "POST /recommendations/add", path: "/recommendations/add", form: url.Values{"item": {id(jenner)}, "element": {"ot-leadership:communication"}}, expect: signedIn(http.StatusSeeOther)},

		{route: "GET /admin", path: "/admin", expect: adminOnly(200)},
		{route: "GET /admin/targets/{key}", path: "/admin/targets/ot-leadership", expect: adminOnly(200)},
		{route: "POST /admin/targets/{key}", path: "/admin/targets/ot-leadership", form: url.Values{"t-5-influence": {"2"}}, expect: adminOnly(http.StatusSeeOther)},
		{route: "GET /admin/frameworks/import", path: "/admin/frameworks/import", expect: adminOnly(200)},
		{route: "POST /admin/frameworks/import", path: "/admin/frameworks/import", form: url.Values{"document": {""}}, expect: adminOnly(http.StatusUnprocessableEntity)},
		{route: "GET /admin/frameworks/{key}/levels", path: "/admin/frameworks/rcot-pillars/levels", expect: adminOnly(200)},
		{route: "POST /admin/frameworks/{key}/levels", path: "/admin/frameworks/rcot-pillars/levels", form: url.Values{"level-5": {"Newly qualified"}}, expect: adminOnly(http.StatusSeeOther)},

		{route: "GET /api/v1/openapi.json", path: "/api/v1/openapi.json", expect: public(200)},
		{route: "GET /api/v1/me", path: "/api/v1/me", expect: apiToken(200)},
		{route: "GET /api/v1/frameworks", path: "/api/v1/frameworks", expect: apiToken(200)},
		{route: "POST /api/v1/frameworks", path: "/api/v1/frameworks", body: validFramework, expect: apiToken(http.StatusForbidden).with("token-admin", http.StatusCreated)},
		{route: "GET /api/v1/frameworks/{key}", path: "/api/v1/frameworks/ot-leadership", expect: apiToken(200)},
		{route: "GET /api/v1/frameworks/{key}/versions", path: "/api/v1/frameworks/ot-leadership/versions", expect: apiToken(200)},
		{route: "GET /api/v1/frameworks/{key}/elements/{element}", path: "/api/v1/frameworks/ot-leadership/elements/influence", expect: apiToken(200)},
		// My leadership over the API. The administrator has no draft (201) and, with the career level
		// set by the web row above, no submitted assessment to find gaps in (404).
		{route: "GET /api/v1/assessments", path: "/api/v1/assessments", expect: apiToken(200)},
		{route: "POST /api/v1/assessments", path: "/api/v1/assessments", body: `{"framework": "ot-leadership"}`, expect: apiToken(http.StatusCreated).with("token-practitioner", 200)},
		{route: "GET /api/v1/assessments/compare", path: "/api/v1/assessments/compare?before=" + id(submitted.ID) + "&after=" + id(submitted.ID), expect: apiMine(200)},
		{route: "GET /api/v1/assessments/{id}", path: "/api/v1/assessments/" + id(submitted.ID), expect: apiMine(200)},
		{route: "PUT /api/v1/assessments/{id}/ratings", path: "/api/v1/assessments/" + id(draft.ID) + "/ratings", body: `{"ratings": {"influence": {"rating": 2}}}`, expect: apiMine(200)},
		{route: "GET /api/v1/gaps", path: "/api/v1/gaps?framework=ot-leadership", expect: apiToken(200).with("token-admin", http.StatusNotFound)},
		{route: "GET /api/v1/feedback", path: "/api/v1/feedback", expect: apiToken(200)},
		{route: "POST /api/v1/feedback", path: "/api/v1/feedback", body: `{"assessment": ` + id(submitted.ID) + `, "title": "API route test", "deadline": "` + inMonths(1) + `"}`, expect: apiMine(http.StatusCreated)},
		{route: "GET /api/v1/feedback/{id}", path: "/api/v1/feedback/" + id(round.ID), expect: apiMine(200)},
		{route: "POST /api/v1/feedback/{id}/raters", path: "/api/v1/feedback/" + id(round.ID) + "/raters", body: `{"name": "Lee", "email": "lee@example.org", "relationship": "peer"}`, expect: apiMine(http.StatusCreated)},
		{route: "GET /api/v1/feedback/{id}/report", path: "/api/v1/feedback/" + id(round.ID) + "/report", expect: apiMine(200)},
		{route: "GET /api/v1/plan/goals", path: "/api/v1/plan/goals", expect: apiToken(200)},
		{route: "POST /api/v1/plan/goals", path: "/api/v1/plan/goals", body: goalBody, expect: apiToken(http.StatusCreated)},
		{route: "GET /api/v1/plan/goals/{id}", path: "/api/v1/plan/goals/" + id(goal.ID), expect: apiMine(200)},
		{route: "PUT /api/v1/plan/goals/{id}", path: "/api/v1/plan/goals/" + id(goal.ID), body: strings.Replace(goalBody, "{", `{"status": "active", `, 1), expect: apiMine(200)},
		{route: "POST /api/v1/plan/goals/{id}/actions", path: "/api/v1/plan/goals/" + id(goal.ID) + "/actions", body: `{"title": "Ask to chair", "pathway": "progressive-responsibility"}`, expect: apiMine(http.StatusCreated)},
		{route: "PUT /api/v1/plan/actions/{id}", path: "/api/v1/plan/actions/" + id(action.ID), body: `{"status": "in-progress"}`, expect: apiMine(200)},
		{route: "GET /api/v1/plan/shares", path: "/api/v1/plan/shares", expect: apiToken(200)},
		// Both already share with Ruth (the administrator through the web row above): 200, unchanged.
		{route: "POST /api/v1/plan/shares", path: "/api/v1/plan/shares", body: `{"email": "` + ruth.Email + `"}`, expect: apiToken(200)},

		// These change state that rows above rely on, so they come late.
		{route: "POST /feedback/{id}/close", path: "/feedback/" + id(round.ID) + "/close", form: url.Values{}, expect: mine(http.StatusSeeOther)},
		{route: "POST /plan/shares/{id}/revoke", path: "/plan/shares/" + id(shares[0].ID) + "/revoke", form: url.Values{}, expect: mine(http.StatusSeeOther)},
		{route: "POST /portfolio/evidence/{id}/delete", path: "/portfolio/evidence/" + id(evidence.ID) + "/delete", form: url.Values{}, expect: mine(http.StatusSeeOther)},
		{route: "POST /portfolio/shares/{id}/revoke", path: "/portfolio/shares/" + id(ruthShare) + "/revoke", form: url.Values{}, expect: mine(http.StatusSeeOther)},
		{route: "POST /portfolio/collections/{id}/delete", path: "/portfolio/collections/" + id(collection.ID) + "/delete", form: url.Values{}, expect: mine(http.StatusSeeOther)},
		{route: "DELETE /api/v1/plan/shares/{id}", path: "/api/v1/plan/shares/" + id(mentorShare), expect: apiMine(http.StatusNoContent)},
	}
	// Areas with fixtures of their own add their rows from their own files, after the rows above.
	for _, more := range []func(*testing.T, *testutil.App, *store.DB) []routeRow{mentoringMatchRoutes, mentoringRelationshipRoutes, storyRoutes} {
		rows = append(rows, more(t, app, db)...)
	}
	// Last: it ends each persona's session.
	rows = append(rows, routeRow{route: "POST /sign-out", path: "/sign-out", form: url.Values{}, expect: signedIn(http.StatusSeeOther)})

	covered := map[string]bool{}
	for _, r := range rows {
		covered[r.route] = true
	}
	for _, rt := range app.Server.Routes() {
		if key := rt.Method + " " + rt.Pattern; !covered[key] {
			t.Errorf("route %s (%s) has no row in TestRouteByRole: decide who may use it and add one", key, rt.Gate)
		}
	}
	known := map[string]bool{}
	for _, rt := range app.Server.Routes() {
		known[rt.Method+" "+rt.Pattern] = true
	}

	for _, r := range rows {
		if !known[r.route] {
			t.Errorf("row %s names a route that is not in the table", r.route)
			continue
		}
		for _, p := range personas {
			want, ok := r.expect[p]
			if !ok {
				t.Fatalf("row %s has no expectation for %s", r.route, p)
			}
			method := strings.Fields(r.route)[0]
			headers := map[string]string{}
			if tok, ok := tokens[p]; ok {
				headers["Authorization"] = "Bearer " + tok
			}
			var status int
			switch {
			case r.body != "":
				headers["Content-Type"] = "application/yaml"
				status, _, _ = fetch(t, clients[p], method, app.URL+r.path, strings.NewReader(r.body), headers)
			case method == "POST":
				status, _, _ = fetch(t, clients[p], method, app.URL+r.path, strings.NewReader(r.form.Encode()), headers)
			default:
				status, _, _ = fetch(t, clients[p], method, app.URL+r.path, nil, headers)
			}
			if status != want {
				t.Errorf("%s %s as %s: status %d, want %d", method, r.path, p, status, want)
			}
		}
	}
}

func allRatings(v int) map[string]assess.Rating {
	out := map[string]assess.Rating{}
	for _, k := range []string{"clinical", "professional", "team", "service", "strategic", "communication", "influence", "clinical-credibility", "collaboration", "advocacy", "improvement", "emotional-intelligence", "strategic-thinking"} {
		out[k] = assess.Rating{Rating: v}
	}
	return out
}
