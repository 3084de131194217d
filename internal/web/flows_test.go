package web_test

import (
	"bytes"
	"context"
	"fmt"
	"html"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pillars-ot/pillars/internal/config"
	"github.com/pillars-ot/pillars/internal/demo"
	"github.com/pillars-ot/pillars/internal/plan"
	"github.com/pillars-ot/pillars/internal/store"
	"github.com/pillars-ot/pillars/internal/testutil"
)

const alex = "alex.marlowe@demo.pillars.test"

func TestHomeShowsWhoYouAre(t *testing.T) {
	app := testutil.StartApp(t, testutil.SQLite(t), testutil.AppOptions{Demo: true})
	c := demoClient(t, app, alex)
	status, body := get(t, c, app.URL+"/home")
	if status != 200 {
		t.Fatalf("home: %d", status)
	}
	for _, want := range []string{"Welcome, Alex Marlowe", "North Vale NHS Foundation Trust", "Practitioner", "Level 6: Experienced practitioner", `href="/frameworks"`} {
		if !strings.Contains(body, want) {
			t.Errorf("home page lacks %q", want)
		}
	}
	if strings.Contains(body, `href="/admin"`) {
		t.Error("a practitioner's navigation offers administration")
	}
	_, adminHome := get(t, demoClient(t, app, "admin@demo.pillars.test"), app.URL+"/home")
	if !strings.Contains(adminHome, `href="/admin"`) {
		t.Error("a site administrator's navigation lacks administration")
	}
}

var resetLinkRE = regexp.MustCompile(`http://[^\s]+/password/reset/[A-Za-z0-9_-]+`)

func TestPasswordResetByEmail(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		app := testutil.StartApp(t, db, testutil.AppOptions{Demo: true})
		before := demoClient(t, app, alex) // a session from before the reset

		anon := app.Client()
		status, body, _ := post(t, anon, app.URL+"/password/forgot", url.Values{"email": {"ALEX.MARLOWE@demo.pillars.test"}})
		if status != 200 || !strings.Contains(body, "Check your email") {
			t.Fatalf("forgot: %d", status)
		}
		// Unknown addresses get the same page and no email.
		status, body, _ = post(t, anon, app.URL+"/password/forgot", url.Values{"email": {"nobody@demo.pillars.test"}})
		if status != 200 || !strings.Contains(body, "Check your email") {
			t.Fatalf("forgot for unknown email: %d", status)
		}

		m := app.Mail.Wait(t, 20*time.Second)
		if len(m.To) != 1 || m.To[0] != alex || m.Subject != "Reset your Pillars password" {
			t.Fatalf("email: to %v subject %q", m.To, m.Subject)
		}
		link := resetLinkRE.FindString(m.Body)
		if link == "" || !strings.HasPrefix(link, app.URL) {
			t.Fatalf("no reset link in the email body:\n%s", m.Body)
		}

		status, body = get(t, anon, link)
		if status != 200 || !strings.Contains(body, "Choose a new password") {
			t.Fatalf("reset form: %d", status)
		}
		// Mismatched passwords: nothing changes and the link still works.
		status, body, _ = post(t, anon, link, url.Values{"password": {"my new long password"}, "confirm": {"something else"}})
		if status != http.StatusUnprocessableEntity || !strings.Contains(body, "do not match") {
			t.Fatalf("mismatch: %d", status)
		}
		status, _, hdr := post(t, anon, link, url.Values{"password": {"my new long password"}, "confirm": {"my new long password"}})
		if status != http.StatusSeeOther || hdr.Get("Location") != "/sign-in?reset=1" {
			t.Fatalf("reset: %d %s", status, hdr.Get("Location"))
		}
		// The link is spent.
		status, body = get(t, anon, link)
		if status != http.StatusGone || !strings.Contains(body, "already been used") {
			t.Fatalf("reused link: %d", status)
		}
		// The session from before the reset has ended.
		if status, _ := get(t, before, app.URL+"/home"); status != http.StatusSeeOther {
			t.Fatalf("an old session survived a password reset: %d", status)
		}
		signIn(t, app, app.Client(), alex, "my new long password")
		status, _, _ = post(t, app.Client(), app.URL+"/sign-in", url.Values{"email": {alex}, "password": {demo.Password}})
		if status != http.StatusUnprocessableEntity {
			t.Fatalf("the old password still works: %d", status)
		}
		if n := len(app.Mail.All()); n != 1 {
			t.Fatalf("%d emails sent, want 1 (none for the unknown address)", n)
		}
	})
}

func TestExpiredResetLinkSaysSo(t *testing.T) {
	app := testutil.StartApp(t, testutil.SQLite(t), testutil.AppOptions{Demo: true})
	_, token, err := app.Accounts.RequestReset(context.Background(), alex)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := app.DB.Exec(context.Background(), `UPDATE password_resets SET expires_at = ?`, time.Now().Add(-time.Second).UTC()); err != nil {
		t.Fatal(err)
	}
	c := app.Client()
	status, body := get(t, c, app.URL+"/password/reset/"+token)
	if status != http.StatusGone || !strings.Contains(body, "This link has expired") || !strings.Contains(body, `href="/password/forgot"`) {
		t.Fatalf("expired link page: %d", status)
	}
	status, body, _ = post(t, c, app.URL+"/password/reset/"+token, url.Values{"password": {"a long new password"}, "confirm": {"a long new password"}})
	if status != http.StatusGone || !strings.Contains(body, "expired") {
		t.Fatalf("posting to an expired link: %d", status)
	}
	signIn(t, app, app.Client(), alex, demo.Password) // unchanged
}

func TestSignInErrorsKeepWhatWasTyped(t *testing.T) {
	app := testutil.StartApp(t, testutil.SQLite(t), testutil.AppOptions{Demo: true})
	c := app.Client()
	status, body, _ := post(t, c, app.URL+"/sign-in", url.Values{"email": {alex}, "password": {"not the password"}})
	if status != http.StatusUnprocessableEntity {
		t.Fatalf("wrong password: %d", status)
	}
	for _, want := range []string{"<title>Error: Sign in", "There is a problem", "The email address or password is not right", `value="` + alex + `"`} {
		if !strings.Contains(body, want) {
			t.Errorf("wrong-password page lacks %q", want)
		}
	}
	// Five failures lock the account, with advice on what to do.
	for i := 0; i < 4; i++ {
		_, body, _ = post(t, c, app.URL+"/sign-in", url.Values{"email": {alex}, "password": {"not the password"}})
	}
	if !strings.Contains(body, "paused for 15 minutes") || !strings.Contains(html.UnescapeString(body), "reset your password") {
		t.Fatalf("lock-out page does not say what to do:\n%s", body)
	}
	status, body, _ = post(t, c, app.URL+"/sign-in", url.Values{"email": {alex}, "password": {demo.Password}})
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, "paused") {
		t.Fatalf("locked account signed in with the right password: %d", status)
	}
	// Empty fields get their own messages.
	_, body, _ = post(t, app.Client(), app.URL+"/sign-in", url.Values{})
	if !strings.Contains(body, "Enter your email address") || !strings.Contains(body, "Enter your password") {
		t.Fatal("empty sign-in lacks field messages")
	}
}

func TestNextIsLocalOnly(t *testing.T) {
	app := testutil.StartApp(t, testutil.SQLite(t), testutil.AppOptions{Demo: true})
	for next, want := range map[string]string{"/frameworks": "/frameworks", "https://evil.example/": "/home", "//evil.example": "/home", "/\\evil.example": "/home"} {
		status, _, hdr := post(t, app.Client(), app.URL+"/sign-in", url.Values{"email": {alex}, "password": {demo.Password}, "next": {next}})
		if status != http.StatusSeeOther || hdr.Get("Location") != want {
			t.Errorf("next=%q: went to %q, want %q", next, hdr.Get("Location"), want)
		}
	}
}

func TestOversizedBodyIsRefusedPlainly(t *testing.T) {
	app := testutil.StartApp(t, testutil.SQLite(t), testutil.AppOptions{Demo: true, Configure: func(c *config.Config) {
		c.MaxBodyBytes, c.MaxUploadBytes = 16<<10, 64<<10
	}})
	big := strings.Repeat("a", 100<<10)
	// Declared too large.
	status, body, _ := post(t, app.Client(), app.URL+"/sign-in", url.Values{"email": {big}})
	if status != http.StatusRequestEntityTooLarge || !strings.Contains(body, "What you sent is too large") || !strings.Contains(body, "16 KB") {
		t.Fatalf("oversized form: %d\n%s", status, body)
	}
	// Too large but not declared (chunked): caught while reading.
	req, _ := http.NewRequest("POST", app.URL+"/password/forgot", struct{ *strings.Reader }{strings.NewReader("email=" + big)})
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := app.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("chunked oversized form: %d", resp.StatusCode)
	}
	n, _ := app.Accounts.CountUsers(context.Background())
	if n != len(demo.People) {
		t.Fatalf("users changed: %d", n)
	}
}

func TestSecurityHeaders(t *testing.T) {
	app := testutil.StartApp(t, testutil.SQLite(t), testutil.AppOptions{})
	_, _, h := fetch(t, app.Client(), "GET", app.URL+"/", nil, nil)
	csp := h.Get("Content-Security-Policy")
	for _, want := range []string{"script-src 'self'", "frame-ancestors 'none'", "object-src 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %q", csp, want)
		}
	}
	if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
		t.Errorf("CSP allows inline or eval: %q", csp)
	}
	if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Referrer-Policy") == "" || h.Get("X-Frame-Options") != "DENY" {
		t.Errorf("headers: %v", h)
	}
	if h.Get("Strict-Transport-Security") != "" {
		t.Error("HSTS sent over plain HTTP")
	}
	tls := testutil.StartApp(t, testutil.SQLite(t), testutil.AppOptions{Configure: func(c *config.Config) { c.BaseURL = "https://pillars.example" }})
	_, _, h = fetch(t, tls.Client(), "GET", tls.URL+"/", nil, nil)
	if !strings.Contains(h.Get("Strict-Transport-Security"), "max-age=") {
		t.Error("no HSTS when served as https")
	}
	_, _, h = fetch(t, app.Client(), "GET", app.URL+"/password/reset/abc", nil, nil)
	if h.Get("Referrer-Policy") != "no-referrer" {
		t.Error("a reset page could leak its token in the Referer header")
	}
	// The page references no inline script.
	_, body := get(t, app.Client(), app.URL+"/sign-in")
	if regexp.MustCompile(`<script(?:\s+type="module")?>`).MatchString(body) {
		t.Error("a page has an inline script")
	}
}

func TestCrossOriginPostIsRefused(t *testing.T) {
	app := testutil.StartApp(t, testutil.SQLite(t), testutil.AppOptions{Demo: true})
	c := demoClient(t, app, alex)
	status, body, _ := fetch(t, c, "POST", app.URL+"/account/career-level", strings.NewReader("career_level=9"),
		map[string]string{"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"})
	if status != http.StatusForbidden || !strings.Contains(body, "sent from another website") {
		t.Fatalf("cross-site post: %d", status)
	}
	u, _ := app.Accounts.UserByEmail(context.Background(), alex)
	if u.CareerLevel != 6 {
		t.Fatalf("a cross-site post changed the career level to %d", u.CareerLevel)
	}
	status, _, _ = fetch(t, c, "POST", app.URL+"/account/career-level", strings.NewReader("career_level=7"),
		map[string]string{"Origin": app.URL, "Sec-Fetch-Site": "same-origin"})
	if status != http.StatusSeeOther {
		t.Fatalf("same-origin post: %d", status)
	}
}

func TestPanicShowsNoStackTrace(t *testing.T) {
	app := testutil.StartApp(t, testutil.SQLite(t), testutil.AppOptions{})
	h := app.Server.RecoverPanicsForTest(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("secret internal detail") }))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/home", nil))
	body := rec.Body.String()
	if rec.Code != 500 || !strings.Contains(body, "Sorry, there is a problem with the service") || !strings.Contains(body, "reference") {
		t.Fatalf("panic page: %d\n%s", rec.Code, body)
	}
	for _, leak := range []string{"secret internal detail", "goroutine", ".go:"} {
		if strings.Contains(body, leak) {
			t.Errorf("the error page shows %q", leak)
		}
	}
}

func TestCareerLevelFormValidates(t *testing.T) {
	app := testutil.StartApp(t, testutil.SQLite(t), testutil.AppOptions{Demo: true})
	c := demoClient(t, app, alex)
	status, body, _ := post(t, c, app.URL+"/account/career-level", url.Values{"career_level": {"12"}})
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, "Choose the career level") {
		t.Fatalf("bad level: %d", status)
	}
	status, _, _ = post(t, c, app.URL+"/account/career-level", url.Values{"career_level": {"7"}})
	if status != http.StatusSeeOther {
		t.Fatalf("good level: %d", status)
	}
	_, body = get(t, c, app.URL+"/home")
	if !strings.Contains(body, "Level 7: Advanced practitioner") {
		t.Fatal("home does not show the new level")
	}
}

func TestFrameworkImportInTheBrowserKeepsTheText(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		app := testutil.StartApp(t, db, testutil.AppOptions{Demo: true})
		admin := demoClient(t, app, "admin@demo.pillars.test")
		bad := "key: web-fw\nversion: \"1\"\nsummary: No title here.\nelements:\n  - key: a\n    title: A\n  - key: a\n    title: B\n"
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		fw, _ := mw.CreateFormFile("file", "mine.yaml")
		fw.Write([]byte(bad))
		mw.WriteField("document", "")
		mw.Close()
		status, body, _ := fetch(t, admin, "POST", app.URL+"/admin/frameworks/import", &buf, map[string]string{"Content-Type": mw.FormDataContentType()})
		if status != http.StatusUnprocessableEntity {
			t.Fatalf("malformed import: %d", status)
		}
		for _, want := range []string{`mine.yaml:1: &#34;title&#34; is required`, `mine.yaml:7: element &#34;a&#34;: key is used twice (first at line 5)`} {
			if !strings.Contains(body, want) {
				t.Errorf("import page lacks %q", want)
			}
		}
		if !strings.Contains(html.UnescapeString(body), bad) {
			t.Error("the uploaded text is not kept in the box")
		}
		if _, _, err := app.Frameworks.Get(context.Background(), "web-fw", ""); err == nil {
			t.Fatal("a malformed framework was stored")
		}
		good := strings.Replace(strings.Replace(bad, "summary:", "title: Web framework\nsummary:", 1), "  - key: a\n    title: B\n", "  - key: b\n    title: B\n", 1)
		status, _, hdr := post(t, admin, app.URL+"/admin/frameworks/import", url.Values{"document": {good}})
		if status != http.StatusSeeOther || hdr.Get("Location") != "/frameworks/web-fw" {
			t.Fatalf("good import: %d %s", status, hdr.Get("Location"))
		}
		_, body = get(t, admin, app.URL+"/frameworks/web-fw")
		if !strings.Contains(body, "Imported version 1 of Web framework") {
			t.Error("no confirmation after import")
		}
	})
}

// TestHomeUnderConcurrentLoad: many people loading a home page with a plan at once must all be
// served. A query run while another's rows are still open needs a second pooled connection;
// under load every request then waits for one while holding one, and the pool never frees up.
func TestHomeUnderConcurrentLoad(t *testing.T) {
	app := testutil.StartApp(t, testutil.SQLite(t), testutil.AppOptions{Demo: true})
	ctx := context.Background()
	u, _ := app.Accounts.UserByEmail(ctx, alex)
	for i := 0; i < 3; i++ {
		if _, err := app.Plans.CreateGoal(ctx, u.ID, plan.GoalInput{Specific: fmt.Sprintf("Goal %d", i), DueOn: time.Now().AddDate(0, 2, 0).Format(time.DateOnly),
			Elements: []plan.ElementRef{{Framework: "ot-leadership", Element: "influence"}, {Framework: "ot-leadership", Element: "team"}}}); err != nil {
			t.Fatal(err)
		}
	}
	c := demoClient(t, app, alex)
	var wg sync.WaitGroup
	statuses := make(chan int, 32*5)
	for g := 0; g < 32; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 5; i++ {
				resp, err := c.Get(app.URL + "/home")
				if err != nil {
					statuses <- -1
					continue
				}
				resp.Body.Close()
				statuses <- resp.StatusCode
			}
		}()
	}
	wg.Wait()
	close(statuses)
	for s := range statuses {
		if s != http.StatusOK {
			t.Fatalf("a concurrent home page load answered %d", s)
		}
	}
}

// TestConfidentialityCheckOnFreeText: a rater's comment with an NHS number is stopped with a
// plain message and kept in the box; ticking "I have checked this" saves it and is recorded.
func TestConfidentialityCheckOnFreeText(t *testing.T) {
	app := testutil.StartApp(t, testutil.SQLite(t), testutil.AppOptions{Demo: true})
	ctx := context.Background()
	u, _ := app.Accounts.UserByEmail(ctx, alex)
	a, _ := app.Assess.Start(ctx, u.ID, "ot-leadership")
	if err := app.Assess.Submit(ctx, u.ID, a.ID, allRatings(3)); err != nil {
		t.Fatal(err)
	}
	round, _ := app.Assess.CreateRound(ctx, u.ID, a.ID, "", time.Now().Add(72*time.Hour), nil)
	inv, err := app.Assess.Invite(ctx, u, round.ID, "Kim", "kim@example.org", "peer", nil)
	if err != nil {
		t.Fatal(err)
	}
	form := url.Values{"strength": {"Helped Mrs Patel (943 476 5919) home safely."}}
	for k := range allRatings(0) {
		form.Set("rating-"+k, "4")
	}
	c := app.Client()
	status, body, _ := post(t, c, app.URL+"/rate/"+inv.Token, form)
	plain := html.UnescapeString(body)
	if status != http.StatusUnprocessableEntity || !strings.Contains(plain, "This may identify a service user: a name “Mrs Patel”, an NHS number “943 476 5919”") ||
		!strings.Contains(plain, "Helped Mrs Patel (943 476 5919) home safely.") || !strings.Contains(body, `name="checked_confidential"`) {
		t.Fatalf("comment with identifiers: %d\n%s", status, body)
	}
	if st, _ := app.Assess.Status(ctx, u.ID, round.ID); st.Answered != 0 {
		t.Fatal("the answer was saved despite the finding")
	}
	form.Set("checked_confidential", "yes")
	status, body, _ = post(t, c, app.URL+"/rate/"+inv.Token, form)
	if status != http.StatusOK || !strings.Contains(body, "Thank you") {
		t.Fatalf("after ticking the box: %d", status)
	}
	var n int
	if err := app.DB.QueryRow(ctx, `SELECT COUNT(*) FROM audit_events WHERE action = 'privacy.confirmed' AND detail LIKE '2 %'`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("the override was not recorded: %d %v", n, err)
	}
	var stored int
	_ = app.DB.QueryRow(ctx, `SELECT COUNT(*) FROM audit_events WHERE detail LIKE '%Patel%' OR subject LIKE '%Patel%'`).Scan(&stored)
	if stored != 0 {
		t.Fatal("the audit log holds the identifying text")
	}
}

// TestAutosaveHoldsBackFlaggedEvidence: autosave stores ratings as the person works, but never
// evidence the confidentiality check flags; that waits for Save and an explicit confirmation.
func TestAutosaveHoldsBackFlaggedEvidence(t *testing.T) {
	app := testutil.StartApp(t, testutil.SQLite(t), testutil.AppOptions{Demo: true})
	ctx := context.Background()
	u, _ := app.Accounts.UserByEmail(ctx, alex)
	a, _ := app.Assess.Start(ctx, u.ID, "ot-leadership")
	c := demoClient(t, app, alex)
	status, body, _ := post(t, c, app.URL+"/assessments/"+strconv.FormatInt(a.ID, 10)+"/autosave",
		url.Values{"rating-influence": {"4"}, "evidence-influence": {"Discussed with Mrs Patel on the ward"}})
	if status != 200 || !strings.Contains(html.UnescapeString(body), "was not saved") {
		t.Fatalf("autosave: %d %s", status, body)
	}
	got, _ := app.Assess.Get(ctx, u.ID, a.ID)
	if got.Ratings["influence"].Rating != 4 || got.Ratings["influence"].Evidence != "" {
		t.Fatalf("stored: %+v", got.Ratings["influence"])
	}
}
