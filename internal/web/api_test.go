package web_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pillars-ot/pillars/internal/api"
	"github.com/pillars-ot/pillars/internal/assess"
	"github.com/pillars-ot/pillars/internal/auth"
	"github.com/pillars-ot/pillars/internal/store"
	"github.com/pillars-ot/pillars/internal/testutil"
	"github.com/pillars-ot/pillars/internal/valid"
)

// TestOpenAPIDescribesEveryRoute checks the OpenAPI document against the route table both ways:
// every /api/v1 route is documented, and every documented operation exists.
func TestOpenAPIDescribesEveryRoute(t *testing.T) {
	app := testutil.StartApp(t, testutil.SQLite(t), testutil.AppOptions{})
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Servers []struct{ URL string }                `json:"servers"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(api.OpenAPIDocument(), &doc); err != nil {
		t.Fatalf("openapi.json is not valid JSON: %v", err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.") || len(doc.Servers) != 1 || doc.Servers[0].URL != "/api/v1" {
		t.Fatalf("unexpected document header: %s %v", doc.OpenAPI, doc.Servers)
	}
	documented := map[string]bool{}
	for path, ops := range doc.Paths {
		for method, op := range ops {
			documented[strings.ToUpper(method)+" /api/v1"+path] = true
			var o struct {
				OperationID string                     `json:"operationId"`
				Responses   map[string]json.RawMessage `json:"responses"`
			}
			if err := json.Unmarshal(op, &o); err != nil || o.OperationID == "" || len(o.Responses) == 0 {
				t.Errorf("%s %s needs an operationId and responses", method, path)
			}
		}
	}
	param := regexp.MustCompile(`\{([a-z]+)(\.\.\.)?\}`)
	routed := map[string]bool{}
	for _, rt := range app.Server.Routes() {
		if !strings.HasPrefix(rt.Pattern, "/api/") {
			continue
		}
		key := rt.Method + " " + param.ReplaceAllString(rt.Pattern, "{$1}")
		routed[key] = true
		if !documented[key] {
			t.Errorf("route %s is not described in openapi.json", key)
		}
	}
	var extra []string
	for k := range documented {
		if !routed[k] {
			extra = append(extra, k)
		}
	}
	sort.Strings(extra)
	for _, k := range extra {
		t.Errorf("openapi.json describes %s, which is not a route", k)
	}
}

func TestAPI(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		app := testutil.StartApp(t, db, testutil.AppOptions{Demo: true})
		ctx := context.Background()
		u, _ := app.Accounts.UserByEmail(ctx, alex)
		token, _ := app.Accounts.CreateToken(ctx, u.ID, "test", time.Hour)
		adm, _ := app.Accounts.UserByEmail(ctx, "admin@demo.pillars.test")
		adminToken, _ := app.Accounts.CreateToken(ctx, adm.ID, "test", time.Hour)
		c := app.Client()
		call := func(method, path, tok, body string) (int, map[string]any) {
			t.Helper()
			h := map[string]string{"Authorization": "Bearer " + tok}
			var status int
			var raw string
			if body != "" {
				h["Content-Type"] = "application/yaml"
				status, raw, _ = fetch(t, c, method, app.URL+path, strings.NewReader(body), h)
			} else {
				status, raw, _ = fetch(t, c, method, app.URL+path, nil, h)
			}
			var out map[string]any
			if err := json.Unmarshal([]byte(raw), &out); err != nil {
				t.Fatalf("%s %s: not JSON (%v): %s", method, path, err, raw)
			}
			return status, out
		}

		status, me := call("GET", "/api/v1/me", token, "")
		if status != 200 || me["email"] != alex || me["career_level"].(float64) != 6 {
			t.Fatalf("me: %d %v", status, me)
		}
		status, list := call("GET", "/api/v1/frameworks", token, "")
		if status != 200 || len(list["frameworks"].([]any)) != 4 {
			t.Fatalf("frameworks: %d %v", status, list)
		}
		status, fw := call("GET", "/api/v1/frameworks/nhs-hlm", token, "")
		if status != 200 || fw["key"] != "nhs-hlm" || fw["scale"].(map[string]any)["name"] == "" {
			t.Fatalf("framework: %d %v", status, fw)
		}
		status, el := call("GET", "/api/v1/frameworks/ot-leadership/elements/influence", token, "")
		if status != 200 || el["title"] != "Influence" || el["path"].([]any)[0] != "skills" {
			t.Fatalf("element: %d %v", status, el)
		}
		if status, e := call("GET", "/api/v1/frameworks/nope", token, ""); status != 404 || e["error"] != "not_found" {
			t.Fatalf("missing framework: %d %v", status, e)
		}
		if status, e := call("GET", "/api/v1/me", "plr_forged", ""); status != 401 || e["error"] != "invalid_token" {
			t.Fatalf("forged token: %d %v", status, e)
		}

		bad := "key: api-fw\nversion: \"1\"\ntitle: API\nsummary: S\nelements:\n  - key: a\n    titel: A\n"
		status, e := call("POST", "/api/v1/frameworks?name=mine.yaml", adminToken, bad)
		if status != 422 || e["error"] != "invalid_framework" || !strings.Contains(e["fields"].([]any)[0].(map[string]any)["message"].(string), "mine.yaml:7:") {
			t.Fatalf("malformed import: %d %v", status, e)
		}
		good := strings.Replace(bad, "titel", "title", 1)
		if status, r := call("POST", "/api/v1/frameworks", adminToken, good); status != 201 || r["outcome"] != "created" {
			t.Fatalf("import: %d %v", status, r)
		}
		if status, r := call("POST", "/api/v1/frameworks", adminToken, good); status != 200 || r["outcome"] != "unchanged" {
			t.Fatalf("re-import: %d %v", status, r)
		}
		_, vi, _ := app.Frameworks.Get(ctx, "api-fw", "")
		lockVersion(t, app, vi.ID)
		changed := strings.Replace(good, "title: A", "title: Changed", 1)
		if status, r := call("POST", "/api/v1/frameworks", adminToken, changed); status != http.StatusConflict || r["error"] != "version_locked" {
			t.Fatalf("changing a locked version: %d %v", status, r)
		}
	})
}

func lockVersion(t *testing.T, app *testutil.App, id int64) {
	t.Helper()
	if _, err := app.DB.Exec(context.Background(), `UPDATE framework_versions SET locked_at = ? WHERE id = ?`, store.Now(), id); err != nil {
		t.Fatal(err)
	}
}

// TestLeadershipAPI drives self-assessment, gaps, 360 feedback and the plan through personal API
// tokens, with the bad inputs a client will send: each refused with the right status and nothing
// changed, and another person's records answering 404 without a trace of their contents.
func TestLeadershipAPI(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		app := testutil.StartApp(t, db, testutil.AppOptions{Demo: true})
		ctx := context.Background()
		tokenFor := func(email string) (*auth.User, string) {
			u, err := app.Accounts.UserByEmail(ctx, email)
			if err != nil {
				t.Fatal(err)
			}
			tok, err := app.Accounts.CreateToken(ctx, u.ID, "test", time.Hour)
			if err != nil {
				t.Fatal(err)
			}
			return u, tok
		}
		alexUser, token := tokenFor(alex)
		_, other := tokenFor("tomasz.nowak@demo.pillars.test") // another practitioner
		_, student := tokenFor("sam.okafor@demo.pillars.test") // no career level
		c := app.Client()
		// call sends a JSON body (when given) and decodes the answer into out (when given).
		call := func(method, path, tok, body string, out any) (int, string) {
			t.Helper()
			h := map[string]string{"Authorization": "Bearer " + tok}
			var r io.Reader
			if body != "" {
				h["Content-Type"] = "application/json"
				r = strings.NewReader(body)
			}
			status, raw, hdr := fetch(t, c, method, app.URL+path, r, h)
			if status != http.StatusNoContent && !strings.HasPrefix(hdr.Get("Content-Type"), "application/json") {
				t.Fatalf("%s %s: %d with content type %q: %s", method, path, status, hdr.Get("Content-Type"), raw)
			}
			if out != nil {
				if err := json.Unmarshal([]byte(raw), out); err != nil {
					t.Fatalf("%s %s: not the JSON expected (%v): %s", method, path, err, raw)
				}
			}
			return status, raw
		}
		// refused checks an error answer: its status, its code, and (for 422) the fields named.
		refused := func(what string, status int, raw string, wantStatus int, wantCode string, fields ...string) {
			t.Helper()
			var e api.ErrorBody
			if err := json.Unmarshal([]byte(raw), &e); err != nil || status != wantStatus || e.Error != wantCode || e.Message == "" {
				t.Fatalf("%s: %d %s, want %d %s", what, status, raw, wantStatus, wantCode)
			}
			for _, f := range fields {
				if e.Fields == nil || (valid.Errors(e.Fields)).For(f) == "" {
					t.Fatalf("%s: no problem reported for field %q: %s", what, f, raw)
				}
			}
		}
		// hidden checks a 404 for someone else's record carries none of its contents.
		hidden := func(what string, status int, raw string, secrets ...string) {
			t.Helper()
			refused(what, status, raw, http.StatusNotFound, "not_found")
			for _, s := range secrets {
				if strings.Contains(raw, s) {
					t.Fatalf("%s: the 404 gives away %q: %s", what, s, raw)
				}
			}
		}
		id := func(n int64) string { return strconv.FormatInt(n, 10) }
		date := func(days int) string { return time.Now().In(londonTZ(t)).AddDate(0, 0, days).Format(time.DateOnly) }

		if status, raw := call("GET", "/api/v1/assessments", "", "", nil); status != http.StatusUnauthorized {
			t.Fatalf("no token: %d %s", status, raw)
		}

		// Self-assessment: start, resume, save, refuse, submit.
		var first api.AssessmentJSON
		if status, raw := call("POST", "/api/v1/assessments", token, `{"framework": "ot-leadership"}`, &first); status != http.StatusCreated || first.Status != "draft" || first.Framework != "ot-leadership" || first.Version == "" || len(first.Elements) != 13 {
			t.Fatalf("start: %d %s", status, raw)
		}
		var again api.AssessmentJSON
		if status, _ := call("POST", "/api/v1/assessments", token, `{"framework": "ot-leadership"}`, &again); status != http.StatusOK || again.ID != first.ID {
			t.Fatalf("resume: %d, id %d want %d", status, again.ID, first.ID)
		}
		status, raw := call("POST", "/api/v1/assessments", token, `{"framework": "no-such-framework"}`, nil)
		refused("unknown framework", status, raw, http.StatusNotFound, "not_found")
		status, raw = call("POST", "/api/v1/assessments", token, `{"framework": "rcot-pillars"}`, nil)
		refused("a framework with no rating scale", status, raw, http.StatusUnprocessableEntity, "not_assessable", "framework")
		status, raw = call("POST", "/api/v1/assessments", token, `{}`, nil)
		refused("no framework", status, raw, http.StatusUnprocessableEntity, "invalid", "framework")
		status, raw = call("POST", "/api/v1/assessments", token, `{"framework": `, nil)
		refused("broken JSON", status, raw, http.StatusBadRequest, "bad_request")

		ratingsPath := "/api/v1/assessments/" + id(first.ID) + "/ratings"
		var saved api.AssessmentJSON
		status, raw = call("PUT", ratingsPath, token, `{"ratings": {"influence": {"rating": 3, "importance": 2, "evidence": "Chaired the discharge huddle"}}}`, &saved)
		if status != 200 || *saved.Ratings["influence"].Rating != 3 || *saved.Ratings["influence"].Importance != 2 || saved.Ratings["influence"].Evidence != "Chaired the discharge huddle" {
			t.Fatalf("save draft: %d %s", status, raw)
		}
		// A part not sent stays as it was.
		status, raw = call("PUT", ratingsPath, token, `{"ratings": {"influence": {"rating": 4}}}`, &saved)
		if status != 200 || *saved.Ratings["influence"].Rating != 4 || saved.Ratings["influence"].Evidence != "Chaired the discharge huddle" {
			t.Fatalf("save one part: %d %s", status, raw)
		}
		// A rating off the scale refuses the whole request: the good answer beside it is not saved.
		status, raw = call("PUT", ratingsPath, token, `{"ratings": {"team": {"rating": 2}, "influence": {"rating": 9}}}`, nil)
		refused("rating off the scale", status, raw, http.StatusUnprocessableEntity, "invalid", "ratings.influence.rating")
		status, raw = call("PUT", ratingsPath, token, `{"ratings": {"made-up": {"rating": 2}}}`, nil)
		refused("unknown element", status, raw, http.StatusUnprocessableEntity, "invalid", "ratings.made-up.rating")
		status, raw = call("PUT", ratingsPath, token, `{"ratings": {"influence": {"rating": "three"}}}`, nil)
		refused("a rating that is not a number", status, raw, http.StatusBadRequest, "bad_request")
		var now api.AssessmentJSON
		call("GET", "/api/v1/assessments/"+id(first.ID), token, "", &now)
		if _, ok := now.Ratings["team"]; ok || *now.Ratings["influence"].Rating != 4 || now.Status != "draft" {
			t.Fatalf("a refused save changed the draft: %+v", now.Ratings)
		}
		// Another person can neither read nor change it.
		status, raw = call("GET", "/api/v1/assessments/"+id(first.ID), other, "", nil)
		hidden("another's assessment", status, raw, "Chaired", "influence", "ratings")
		status, raw = call("PUT", ratingsPath, other, `{"ratings": {"influence": {"rating": 1}}}`, nil)
		hidden("changing another's assessment", status, raw, "Chaired", "ratings")
		call("GET", "/api/v1/assessments/"+id(first.ID), token, "", &now)
		if *now.Ratings["influence"].Rating != 4 {
			t.Fatal("another person changed the draft")
		}
		// Submitting needs every element.
		status, raw = call("PUT", ratingsPath, token, `{"submit": true}`, nil)
		refused("incomplete submit", status, raw, http.StatusUnprocessableEntity, "invalid", "ratings.team.rating")
		all3, _ := json.Marshal(map[string]any{"ratings": allRatingsJSON(3), "submit": true})
		var submitted api.AssessmentJSON
		if status, raw := call("PUT", ratingsPath, token, string(all3), &submitted); status != 200 || submitted.Status != "submitted" || submitted.SubmittedAt == nil {
			t.Fatalf("submit: %d %s", status, raw)
		}
		status, raw = call("PUT", ratingsPath, token, `{"ratings": {"influence": {"rating": 1}}}`, nil)
		refused("changing a submitted assessment", status, raw, http.StatusConflict, "already_submitted")
		status, raw = call("PUT", ratingsPath, token, `{"ratings": {"influence": {"rating": 9}}}`, nil)
		refused("changing a submitted assessment, badly", status, raw, http.StatusConflict, "already_submitted")
		call("GET", "/api/v1/assessments/"+id(first.ID), token, "", &now)
		if *now.Ratings["influence"].Rating != 3 {
			t.Fatalf("a submitted assessment changed: %+v", now.Ratings["influence"])
		}

		// A second assessment, a point higher everywhere, compared with the first.
		var second api.AssessmentJSON
		call("POST", "/api/v1/assessments", token, `{"framework": "ot-leadership"}`, &second)
		all4, _ := json.Marshal(map[string]any{"ratings": allRatingsJSON(4), "submit": true})
		if status, raw := call("PUT", "/api/v1/assessments/"+id(second.ID)+"/ratings", token, string(all4), nil); status != 200 {
			t.Fatalf("submit second: %d %s", status, raw)
		}
		var list struct {
			Assessments []api.AssessmentSummaryJSON `json:"assessments"`
		}
		if call("GET", "/api/v1/assessments", token, "", &list); len(list.Assessments) < 2 || list.Assessments[0].ID != second.ID || list.Assessments[0].Rated != 13 {
			t.Fatalf("history: %+v", list.Assessments)
		}
		var cmp struct {
			Before  api.AssessmentSummaryJSON `json:"before"`
			Changes []api.ChangeJSON          `json:"changes"`
		}
		status, raw = call("GET", "/api/v1/assessments/compare?before="+id(first.ID)+"&after="+id(second.ID), token, "", &cmp)
		if status != 200 || cmp.Before.ID != first.ID || len(cmp.Changes) != 13 || cmp.Changes[0].Delta == nil || *cmp.Changes[0].Delta != 1 {
			t.Fatalf("compare: %d %s", status, raw)
		}
		status, raw = call("GET", "/api/v1/assessments/compare?before="+id(first.ID)+"&after="+id(second.ID), other, "", nil)
		hidden("comparing another's assessments", status, raw, "influence")
		status, raw = call("GET", "/api/v1/assessments/compare?before=x", token, "", nil)
		refused("compare without ids", status, raw, http.StatusUnprocessableEntity, "invalid", "before", "after")

		// Gaps: Alex is at level 6.
		var gaps api.GapsJSON
		status, raw = call("GET", "/api/v1/gaps?framework=ot-leadership", token, "", &gaps)
		if status != 200 || gaps.Level != 6 || gaps.NextLevel == nil || *gaps.NextLevel != 7 || len(gaps.Gaps) != 13 || !strings.Contains(gaps.Source, "self-assessment") || gaps.Gaps[0].Current == nil || *gaps.Gaps[0].Current != 4 {
			t.Fatalf("gaps: %d %s", status, raw)
		}
		for i := 1; i < len(gaps.Gaps); i++ {
			if g0, g1 := gaps.Gaps[i-1].Gap, gaps.Gaps[i].Gap; g0 != nil && g1 != nil && *g0 < *g1 {
				t.Fatalf("gaps are not ranked largest first: %s", raw)
			}
		}
		status, raw = call("GET", "/api/v1/gaps", other, "", nil)
		refused("gaps with no assessment", status, raw, http.StatusNotFound, "not_found")
		status, raw = call("GET", "/api/v1/gaps", student, "", nil)
		refused("gaps with no career level", status, raw, http.StatusUnprocessableEntity, "no_career_level")

		// 360 feedback: a round on the submitted assessment, raters, the report.
		var draft api.AssessmentJSON
		call("POST", "/api/v1/assessments", token, `{"framework": "ot-leadership"}`, &draft)
		status, raw = call("POST", "/api/v1/feedback", token, `{"assessment": `+id(draft.ID)+`, "deadline": "`+date(14)+`"}`, nil)
		refused("a round on a draft", status, raw, http.StatusUnprocessableEntity, "invalid", "assessment")
		status, raw = call("POST", "/api/v1/feedback", other, `{"assessment": `+id(first.ID)+`, "deadline": "`+date(14)+`"}`, nil)
		hidden("a round on another's assessment", status, raw)
		status, raw = call("POST", "/api/v1/feedback", token, `{"assessment": `+id(second.ID)+`, "deadline": "31/01/2027"}`, nil)
		refused("a deadline that is not a date", status, raw, http.StatusUnprocessableEntity, "invalid", "deadline")
		status, raw = call("POST", "/api/v1/feedback", token, `{"assessment": `+id(second.ID)+`, "deadline": "`+date(-1)+`"}`, nil)
		refused("a deadline in the past", status, raw, http.StatusUnprocessableEntity, "invalid", "deadline")
		var round api.RoundJSON
		status, raw = call("POST", "/api/v1/feedback", token, `{"assessment": `+id(second.ID)+`, "title": "Spring 360", "deadline": "`+date(14)+`"}`, &round)
		if status != http.StatusCreated || round.Title != "Spring 360" || round.Status != "open" || round.DeadlineDate != date(14) || !strings.HasSuffix(round.Deadline, ":59:59Z") {
			t.Fatalf("create round: %d %s", status, raw)
		}
		var jobsQueued int // the only round in this test
		if err := app.DB.QueryRow(ctx, `SELECT COUNT(*) FROM river_job WHERE kind IN ('feedback_reminder', 'feedback_close')`).Scan(&jobsQueued); err != nil || jobsQueued != 2 {
			t.Fatalf("the round's reminder and close: %d jobs (%v)", jobsQueued, err)
		}
		var rounds struct {
			Rounds []api.RoundJSON `json:"rounds"`
		}
		if call("GET", "/api/v1/feedback", token, "", &rounds); len(rounds.Rounds) == 0 || rounds.Rounds[0].ID != round.ID {
			t.Fatalf("rounds: %+v", rounds.Rounds)
		}
		raters := "/api/v1/feedback/" + id(round.ID) + "/raters"
		status, raw = call("POST", raters, token, `{"name": "Kim", "email": "kim at example", "relationship": "peer"}`, nil)
		refused("a malformed email", status, raw, http.StatusUnprocessableEntity, "invalid", "email")
		status, raw = call("POST", raters, other, `{"name": "Kim", "email": "kim@example.org", "relationship": "peer"}`, nil)
		hidden("inviting to another's round", status, raw, "Spring 360")
		var invited map[string]any
		status, raw = call("POST", raters, token, `{"name": "Morgan Hale", "email": "morgan@example.org", "relationship": "line-manager"}`, &invited)
		if status != http.StatusCreated || len(invited) != 2 || invited["relationship"] != "line-manager" || invited["id"] == nil {
			t.Fatalf("invite: %d %s", status, raw)
		}
		m := app.Mail.Wait(t, 20*time.Second)
		if len(m.To) != 1 || m.To[0] != "morgan@example.org" || !strings.Contains(m.Body, app.URL+"/rate/") {
			t.Fatalf("invitation email: to %v\n%s", m.To, m.Body)
		}
		if link := rateTokenRE.FindString(m.Body); link == "" || strings.Contains(raw, strings.TrimPrefix(link, "/rate/")) {
			t.Fatal("the invitation's link token is in the answer")
		}
		// Four peers answer through links from the area itself (their tokens are only in email).
		var links []string
		for _, name := range []string{"Pat Peer", "Quinn Peer", "Robin Peer", "Sasha Peer"} {
			inv, err := app.Assess.Invite(ctx, alexUser, round.ID, name, strings.ToLower(strings.Fields(name)[0])+"@example.org", assess.Peer, nil)
			if err != nil {
				t.Fatal(err)
			}
			links = append(links, inv.Token)
		}
		answer := func(token string, v int, comment string) {
			t.Helper()
			r := map[string]int{}
			for k := range allRatingsJSON(v) {
				r[k] = v
			}
			if err := app.Assess.Respond(ctx, token, assess.Response{Ratings: r, Strength: comment}); err != nil {
				t.Fatal(err)
			}
		}
		answer(links[0], 2, "Calm under pressure")
		answer(links[1], 2, "")
		var detail api.RoundDetailJSON
		status, raw = call("GET", "/api/v1/feedback/"+id(round.ID), token, "", &detail)
		if status != 200 || detail.Invited != 5 || detail.Answered != 2 || detail.LineManager == nil || detail.LineManager.Name != "Morgan Hale" || detail.LineManager.Answered {
			t.Fatalf("round: %d %s", status, raw)
		}
		for _, name := range []string{"Pat", "Quinn", "Robin", "Sasha", "@example.org"} {
			if strings.Contains(raw, name) {
				t.Fatalf("the round names a rater (%s): %s", name, raw)
			}
		}
		status, raw = call("GET", "/api/v1/feedback/"+id(round.ID), other, "", nil)
		hidden("another's round", status, raw, "Spring 360", "Morgan")
		// While the round is open nothing others said is shown.
		var rep api.ReportJSON
		status, raw = call("GET", "/api/v1/feedback/"+id(round.ID)+"/report", token, "", &rep)
		if status != 200 || !rep.Pending || rep.OthersShown || rep.Answered != 2 || len(rep.Rows) != 13 || len(rep.Comments) != 0 || len(rep.Groups) != 0 || strings.Contains(raw, "Calm under pressure") {
			t.Fatalf("report with two answers: %d %s", status, raw)
		}
		for _, row := range rep.Rows {
			if row.Others != nil || row.Min != nil || row.Difference != nil || row.Self == nil || *row.Self != 4 {
				t.Fatalf("report with two answers shows others' figures: %+v", row)
			}
		}
		// Three peers and a direct report: the peers are a group; the lone direct report is
		// left out of "all others" too, or subtracting the peers would reveal their rating.
		answer(links[2], 2, "")
		inv, err := app.Assess.Invite(ctx, alexUser, round.ID, "Lee", "lee@example.org", assess.DirectReport, nil)
		if err != nil {
			t.Fatal(err)
		}
		answer(inv.Token, 4, "")
		if err := app.Assess.Close(ctx, alexUser.ID, round.ID); err != nil { // reports open once closed
			t.Fatal(err)
		}
		status, raw = call("GET", "/api/v1/feedback/"+id(round.ID)+"/report", token, "", &rep)
		if status != 200 || !rep.OthersShown || rep.Answered != 4 || len(rep.Groups) != 1 || rep.Groups[0].Key != "peer" || rep.Groups[0].Raters != 3 {
			t.Fatalf("report with four answers: %d %s", status, raw)
		}
		row := rep.Rows[0]
		// Three ratings are too few for the spread to be shown.
		if row.Others == nil || *row.Others != 2 || row.Min != nil || row.Max != nil || row.Groups[0].Mean == nil || *row.Groups[0].Mean != 2 || *row.Difference != -2 {
			t.Fatalf("report row: %+v", row)
		}
		if len(rep.BlindSpots) != 13 || len(rep.HiddenStrengths) != 0 || len(rep.Comments) != 1 || rep.Comments[0].Body != "Calm under pressure" {
			t.Fatalf("report findings: %s", raw)
		}
		status, raw = call("GET", "/api/v1/feedback/"+id(round.ID)+"/report", other, "", nil)
		hidden("another's report", status, raw, "Calm under pressure", "Spring 360")

		// The development plan.
		goalJSON := func(due string, elements string) string {
			return `{"specific": "Chair the discharge huddle", "measurable": "Six huddles", "due_on": "` + due + `", "review_on": "` + date(30) + `", "elements": ` + elements + `}`
		}
		influence := `[{"framework": "ot-leadership", "element": "influence"}]`
		status, raw = call("POST", "/api/v1/plan/goals", token, goalJSON(date(90), `[]`), nil)
		refused("a goal with no element", status, raw, http.StatusUnprocessableEntity, "invalid", "elements")
		status, raw = call("POST", "/api/v1/plan/goals", token, goalJSON(date(90), `[{"framework": "ot-leadership", "element": "nope"}]`), nil)
		refused("a goal with an unknown element", status, raw, http.StatusUnprocessableEntity, "invalid", "elements")
		status, raw = call("POST", "/api/v1/plan/goals", token, goalJSON(date(-1), influence), nil)
		refused("a due date in the past", status, raw, http.StatusUnprocessableEntity, "invalid", "due_on")
		var goals struct {
			Goals []api.GoalJSON `json:"goals"`
		}
		if call("GET", "/api/v1/plan/goals", token, "", &goals); len(goals.Goals) != 0 {
			t.Fatalf("refused goals were stored: %+v", goals.Goals)
		}
		var goal api.GoalJSON
		status, raw = call("POST", "/api/v1/plan/goals", token, goalJSON(date(90), influence), &goal)
		if status != http.StatusCreated || goal.Status != "active" || len(goal.Elements) != 1 || goal.Elements[0].Title != "Influence" || goal.DueOn != date(90) || goal.ReviewOn == nil {
			t.Fatalf("create goal: %d %s", status, raw)
		}
		goalPath := "/api/v1/plan/goals/" + id(goal.ID)
		status, raw = call("GET", goalPath, other, "", nil)
		hidden("another's goal", status, raw, "Chair", "influence")
		status, raw = call("PUT", goalPath, other, `{"specific": "Mine now", "due_on": "`+date(90)+`", "status": "dropped", "elements": `+influence+`}`, nil)
		hidden("changing another's goal", status, raw, "Chair")
		status, raw = call("POST", goalPath+"/actions", other, `{"title": "Sneak", "pathway": "coaching"}`, nil)
		hidden("an action on another's goal", status, raw, "Chair")

		status, raw = call("POST", goalPath+"/actions", token, `{"title": "Ask to chair", "pathway": "walking"}`, nil)
		refused("an unknown pathway", status, raw, http.StatusUnprocessableEntity, "invalid", "pathway")
		status, raw = call("POST", goalPath+"/actions", token, `{"title": "Ask to chair", "pathway": "progressive-responsibility", "due_on": "`+date(-2)+`"}`, nil)
		refused("an action due in the past", status, raw, http.StatusUnprocessableEntity, "invalid", "due_on")
		var action api.ActionJSON
		status, raw = call("POST", goalPath+"/actions", token, `{"title": "Ask to chair", "pathway": "progressive-responsibility", "due_on": "`+date(20)+`"}`, &action)
		if status != http.StatusCreated || action.Goal != goal.ID || action.Status != "not-started" || action.DueOn == nil {
			t.Fatalf("add action: %d %s", status, raw)
		}
		actionPath := "/api/v1/plan/actions/" + id(action.ID)
		status, raw = call("PUT", actionPath, other, `{"status": "done"}`, nil)
		hidden("moving another's action", status, raw, "Ask to chair")
		status, raw = call("PUT", actionPath, token, `{"status": "finished"}`, nil)
		refused("an unknown action status", status, raw, http.StatusUnprocessableEntity, "invalid", "status")
		if status, raw := call("PUT", actionPath, token, `{"status": "done"}`, &action); status != 200 || action.Status != "done" {
			t.Fatalf("action done: %d %s", status, raw)
		}
		call("GET", goalPath, token, "", &goal)
		if goal.Specific != "Chair the discharge huddle" || len(goal.Actions) != 1 || goal.Progress.Percent != 100 || goal.Progress.Done != 1 {
			t.Fatalf("goal after another's attempts and an action: %+v", goal)
		}
		status, raw = call("PUT", goalPath, token, `{"specific": "Chair the huddle weekly", "due_on": "`+date(120)+`", "status": "achieved", "elements": [{"framework": "ot-leadership", "element": "influence"}, {"framework": "ot-leadership", "element": "team"}]}`, &goal)
		if status != 200 || goal.Status != "achieved" || len(goal.Elements) != 2 || goal.Specific != "Chair the huddle weekly" || goal.ReviewOn != nil {
			t.Fatalf("update goal: %d %s", status, raw)
		}
		status, raw = call("PUT", goalPath, token, `{"specific": "x", "due_on": "`+date(120)+`", "status": "finished", "elements": `+influence+`}`, nil)
		refused("an unknown goal status", status, raw, http.StatusUnprocessableEntity, "invalid", "status")

		// Sharing with a supervisor, and stopping.
		status, raw = call("POST", "/api/v1/plan/shares", token, `{"email": "nobody@example.org"}`, nil)
		refused("sharing with nobody", status, raw, http.StatusUnprocessableEntity, "invalid", "email")
		var share api.ShareJSON
		if status, raw := call("POST", "/api/v1/plan/shares", token, `{"email": "Ruth.Lindqvist@demo.pillars.test"}`, &share); status != http.StatusCreated || !share.Active || share.ViewerName != "Ruth Lindqvist" {
			t.Fatalf("share: %d %s", status, raw)
		}
		if status, raw := call("POST", "/api/v1/plan/shares", token, `{"email": "ruth.lindqvist@demo.pillars.test"}`, nil); status != 200 {
			t.Fatalf("share again: %d %s", status, raw)
		}
		status, raw = call("DELETE", "/api/v1/plan/shares/"+id(share.ID), other, "", nil)
		hidden("revoking another's share", status, raw, "Ruth")
		if status, raw := call("DELETE", "/api/v1/plan/shares/"+id(share.ID), token, "", nil); status != http.StatusNoContent || raw != "" {
			t.Fatalf("revoke: %d %s", status, raw)
		}
		status, raw = call("DELETE", "/api/v1/plan/shares/"+id(share.ID), token, "", nil)
		refused("revoking twice", status, raw, http.StatusNotFound, "not_found")
		var shares struct {
			Shares []api.ShareJSON `json:"shares"`
		}
		if call("GET", "/api/v1/plan/shares", token, "", &shares); len(shares.Shares) != 1 || shares.Shares[0].Active || shares.Shares[0].RevokedAt == nil {
			t.Fatalf("shares after revoking: %+v", shares.Shares)
		}
	})
}

var rateTokenRE = regexp.MustCompile(`/rate/[A-Za-z0-9_-]+`)

func londonTZ(t *testing.T) *time.Location {
	l, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// allRatingsJSON is a complete set of OT leadership answers, all v, as the API takes them.
func allRatingsJSON(v int) map[string]map[string]int {
	out := map[string]map[string]int{}
	for k := range allRatings(v) {
		out[k] = map[string]int{"rating": v}
	}
	return out
}

// TestAPIEvidenceIsCheckedForIdentifiers: the API saves evidence only after the same check as the
// web form, with checked_confidential as its override.
func TestAPIEvidenceIsCheckedForIdentifiers(t *testing.T) {
	app := testutil.StartApp(t, testutil.SQLite(t), testutil.AppOptions{Demo: true})
	ctx := context.Background()
	u, _ := app.Accounts.UserByEmail(ctx, alex)
	token, _ := app.Accounts.CreateToken(ctx, u.ID, "t", time.Hour)
	a, _ := app.Assess.Start(ctx, u.ID, "ot-leadership")
	h := map[string]string{"Authorization": "Bearer " + token, "Content-Type": "application/json"}
	path := app.URL + "/api/v1/assessments/" + strconv.FormatInt(a.ID, 10) + "/ratings"
	body := `{"ratings": {"influence": {"rating": 3, "evidence": "Reviewed with Mr Jones, DOB 01/02/1940"}}}`
	status, raw, _ := fetch(t, app.Client(), "PUT", path, strings.NewReader(body), h)
	if status != http.StatusUnprocessableEntity || !strings.Contains(raw, `"possible_identifiers"`) || !strings.Contains(raw, "ratings.influence.evidence") {
		t.Fatalf("flagged evidence: %d %s", status, raw)
	}
	if got, _ := app.Assess.Get(ctx, u.ID, a.ID); got.Ratings["influence"].Rating != 0 {
		t.Fatal("flagged evidence was saved")
	}
	body = `{"checked_confidential": true, "ratings": {"influence": {"rating": 3, "evidence": "Reviewed with Mr Jones, DOB 01/02/1940"}}}`
	if status, raw, _ = fetch(t, app.Client(), "PUT", path, strings.NewReader(body), h); status != 200 {
		t.Fatalf("confirmed evidence: %d %s", status, raw)
	}
}
