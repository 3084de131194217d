package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/pillars-ot/pillars/internal/assess"
	"github.com/pillars-ot/pillars/internal/auth"
	"github.com/pillars-ot/pillars/internal/portfolio"
	"github.com/pillars-ot/pillars/internal/rollup"
	"github.com/pillars-ot/pillars/internal/store"
	"github.com/pillars-ot/pillars/internal/testutil"
)

// sessionCookie signs in over HTTP and returns the session cookie, so benchmarks can call the
// handler directly (no network) as that person.
func sessionCookie(b *testing.B, app *testutil.App, email, password string) string {
	b.Helper()
	c := app.Client()
	resp, err := c.PostForm(app.URL+"/sign-in", url.Values{"email": {email}, "password": {password}})
	if err != nil {
		b.Fatal(err)
	}
	resp.Body.Close()
	for _, ck := range resp.Cookies() {
		if ck.Name == "pillars_session" {
			return ck.Name + "=" + ck.Value
		}
	}
	b.Fatalf("sign in as %s gave no session (%d)", email, resp.StatusCode)
	return ""
}

func serve(b *testing.B, app *testutil.App, path, cookie, want string) {
	req := httptest.NewRequest("GET", path, nil)
	req.Header.Set("Cookie", cookie)
	rec := httptest.NewRecorder()
	app.Server.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), want) {
		b.Fatalf("GET %s: %d, body lacks %q", path, rec.Code, want)
	}
}

// BenchmarkFeedbackReport360: the whole report page (session, the person, the report from the
// database, the radar chart and the template) for one person rated by 15 others.
// Target (issue 3): under 20 ms.
func BenchmarkFeedbackReport360(b *testing.B) {
	ctx := context.Background()
	app := testutil.StartApp(b, testutil.SQLite(b), testutil.AppOptions{Demo: true})
	u, err := app.Accounts.CreateUser(ctx, auth.NewUser{Email: "bench@example.org", Name: "Bench Person", Password: "bench password 1", CareerLevel: 6})
	if err != nil {
		b.Fatal(err)
	}
	a, _ := app.Assess.Start(ctx, u.ID, assess.DefaultFramework)
	if err := app.Assess.Submit(ctx, u.ID, a.ID, allRatings(3)); err != nil {
		b.Fatal(err)
	}
	round, err := app.Assess.CreateRound(ctx, u.ID, a.ID, "Bench", time.Now().Add(72*time.Hour), nil)
	if err != nil {
		b.Fatal(err)
	}
	rels := []assess.Relationship{assess.LineManager, assess.Peer, assess.Peer, assess.Peer, assess.Peer, assess.Peer, assess.DirectReport, assess.DirectReport,
		assess.DirectReport, assess.DirectReport, assess.MDT, assess.MDT, assess.MDT, assess.Other, assess.Other}
	for i, rel := range rels {
		inv, err := app.Assess.Invite(ctx, u, round.ID, fmt.Sprintf("Rater %d", i), fmt.Sprintf("r%d@example.org", i), rel, nil)
		if err != nil {
			b.Fatal(err)
		}
		answers := map[string]int{}
		for k := range allRatings(0) {
			answers[k] = 1 + (i+len(k))%5
		}
		if err := app.Assess.Respond(ctx, inv.Token, assess.Response{Ratings: answers, Strength: "Clear and kind", Development: "Delegate more"}); err != nil {
			b.Fatal(err)
		}
	}
	if err := app.Assess.Close(ctx, u.ID, round.ID); err != nil { // reports open once a round closes
		b.Fatal(err)
	}
	cookie := sessionCookie(b, app, "bench@example.org", "bench password 1")
	path := fmt.Sprintf("/feedback/%d/report", round.ID)
	serve(b, app, path, cookie, `role="img"`)
	b.ResetTimer()
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		serve(b, app, path, cookie, "Hidden strengths")
	}
}

// BenchmarkHeatMap5000: the heat map page of a synthetic trust of 5,000 people in 50 teams, each
// with a self-assessment of 20 ratings (100,000 ratings), on SQLite.
// Target (issue 3): under 100 ms.
func BenchmarkHeatMap5000(b *testing.B) {
	ctx := context.Background()
	db := testutil.SQLite(b)
	app := testutil.StartApp(b, db, testutil.AppOptions{Demo: true})
	// A framework with 20 rateable elements, so each person has exactly 20 ratings.
	var doc strings.Builder
	doc.WriteString("key: bench-20\nversion: \"1\"\ntitle: Twenty elements\nsummary: For the heat map benchmark.\nscale:\n  name: Level\n  points:\n")
	for v := 1; v <= 5; v++ {
		fmt.Fprintf(&doc, "    - {value: %d, label: L%d}\n", v, v)
	}
	doc.WriteString("elements:\n")
	for e := 1; e <= 20; e++ {
		fmt.Fprintf(&doc, "  - {key: e%02d, title: Element %d, rateable: true}\n", e, e)
	}
	res, err := app.Frameworks.Import(ctx, "bench.yaml", []byte(doc.String()), 0, false)
	if err != nil {
		b.Fatal(err)
	}
	org, _ := app.Orgs.BySlug(ctx, "north-vale-nhs")
	if err := generateTrust(ctx, db, org.ID, res.VersionID, 5000, 50); err != nil {
		b.Fatal(err)
	}
	cookie := sessionCookie(b, app, "priya.castellano@demo.pillars.test", "pillars-demo-2026")
	path := "/organisations/north-vale-nhs/heatmap?framework=bench-20"
	serve(b, app, path, cookie, "Team 49")
	b.ResetTimer()
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		serve(b, app, path, cookie, "Element 20")
	}
}

// generateTrust bulk-loads people, memberships, assessments and ratings in one transaction: the
// synthetic data a national-scale benchmark needs, far faster than one submission at a time.
func generateTrust(ctx context.Context, db *store.DB, orgID, versionID int64, people, teams int) error {
	return db.InTx(ctx, func(tx *store.Tx) error {
		now := store.Now()
		teamIDs := make([]int64, teams)
		for i := range teamIDs {
			id, err := tx.Insert(ctx, `INSERT INTO teams (org_id, name) VALUES (?, ?)`, orgID, fmt.Sprintf("Team %02d", i))
			if err != nil {
				return err
			}
			teamIDs[i] = id
		}
		for p := 0; p < people; p++ {
			uid, err := tx.Insert(ctx, `INSERT INTO users (email, name, password_hash, password_changed_at, created_at) VALUES (?, ?, 'x', ?, ?)`,
				fmt.Sprintf("synthetic%05d@example.org", p), fmt.Sprintf("Synthetic %d", p), now, now)
			if err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `INSERT INTO memberships (user_id, org_id, role, team_id, created_at) VALUES (?, ?, 'practitioner', ?, ?)`,
				uid, orgID, teamIDs[p%teams], now); err != nil {
				return err
			}
			aid, err := tx.Insert(ctx, `INSERT INTO assessments (user_id, framework_key, framework_version_id, status, is_latest, created_at, updated_at, submitted_at) VALUES (?, 'bench-20', ?, 'submitted', ?, ?, ?, ?)`,
				uid, versionID, true, now, now, now)
			if err != nil {
				return err
			}
			for e := 1; e <= 20; e++ {
				if _, err := tx.Exec(ctx, `INSERT INTO assessment_ratings (assessment_id, element_key, element_pos, rating) VALUES (?, ?, ?, ?)`, aid, fmt.Sprintf("e%02d", e), e-1, 1+(p*7+e*3)%5); err != nil {
					return err
				}
			}
		}
		// Bulk rows bypass the areas, so the running totals are rebuilt once at the end.
		return rollup.Rebuild(ctx, tx, orgID)
	})
}

// BenchmarkTimeline2000: the whole /portfolio page (session, search, tags, drafts, filters and
// the template) for a practitioner with 2,000 entries, on SQLite. The load target (1,000 req/s,
// p99 under 50 ms at 16 connections) is measured with wrk in bench/run.sh; this shows where the
// time per request goes.
func BenchmarkTimeline2000(b *testing.B) {
	ctx := context.Background()
	app := testutil.StartApp(b, testutil.SQLite(b), testutil.AppOptions{Demo: true})
	u, _ := app.Accounts.UserByEmail(ctx, "alex.marlowe@demo.pillars.test")
	skills := []string{"communication", "influence", "clinical-credibility", "collaboration", "advocacy", "improvement", "emotional-intelligence", "strategic-thinking"}
	types := []string{"work-based", "professional-activity", "formal-educational", "self-directed", "other"}
	words := strings.Fields("supervision huddle discharge planning falls prevention delegation student placement reflection leadership team home visit assessment goals audit referral")
	text := func(i, n int) string {
		w := make([]string, n)
		for j := range w {
			w[j] = words[(i*7+j*3)%len(words)]
		}
		return strings.Join(w, " ")
	}
	for i := range 2000 {
		_, err := app.Portfolio.Create(ctx, u.ID, portfolio.EntryInput{Title: "Entry " + text(i, 5), StartedOn: time.Now().AddDate(0, 0, -i).Format(time.DateOnly),
			ActivityType: types[i%len(types)], Hours: "2", Model: "driscoll",
			Stages: map[string]string{"what": text(i, 100), "so-what": text(i+1, 100), "now-what": text(i+2, 100)},
			Tags:   []portfolio.Tag{{Framework: "ot-leadership", Element: skills[i%len(skills)]}, {Framework: "hcpc-cpd", Element: fmt.Sprintf("standard-%d", 1+i%5)}}}, false, nil)
		if err != nil {
			b.Fatal(err)
		}
	}
	cookie := sessionCookie(b, app, "alex.marlowe@demo.pillars.test", "pillars-demo-2026")
	serve(b, app, "/portfolio", cookie, "Timeline: 2000 entries")
	b.ResetTimer()
	b.ReportAllocs()
	for b.Loop() {
		serve(b, app, "/portfolio", cookie, "Timeline: 2000 entries")
	}
}
