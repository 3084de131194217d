package e2e

import (
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/pillars-ot/pillars/internal/demo"
	"github.com/pillars-ot/pillars/internal/testutil"
)

const (
	practitionerEmail = "alex.marlowe@demo.pillars.test"
	adminEmail        = "admin@demo.pillars.test"
)

func startApp(t *testing.T) *testutil.App {
	t.Helper()
	return testutil.StartApp(t, testutil.SQLite(t), testutil.AppOptions{Demo: true})
}

// wantPath fails the test unless the tab is at path (path and query).
func wantPath(t *testing.T, b *tab, want string) {
	t.Helper()
	if got := b.path(t); got != want {
		t.Fatalf("at %s, want %s (page heading: %q)", got, want, b.text(t, "h1"))
	}
}

func wantStatus(t *testing.T, step string, got int64, want int64) {
	t.Helper()
	if got != want {
		t.Fatalf("%s: HTTP status %d, want %d", step, got, want)
	}
}

func wantContains(t *testing.T, what, got, want string) {
	t.Helper()
	if !strings.Contains(got, want) {
		t.Errorf("%s: %q does not contain %q", what, got, want)
	}
}

// signIn signs in through the form, typing as a person does, and checks where it lands.
func signIn(t *testing.T, b *tab, email, password string) {
	t.Helper()
	b.visit(t, "sign-in form", "/sign-in")
	b.typeInto(t, "#email", email)
	b.typeInto(t, "#password", password)
	resp := b.navigate(t, "signed in", enter())
	wantStatus(t, "sign in as "+email, resp.Status, 200)
	wantPath(t, b, "/home")
}

// signOut uses the header's Sign out button by keyboard.
func signOut(t *testing.T, b *tab) {
	t.Helper()
	b.activate(t, "signed out", "header button.nhsuk-header__account-button")
	wantPath(t, b, "/sign-in?signed-out=1")
}

// elementSection is one top-level element of a framework page: its children, and the table of
// their attributes when it has one.
type elementSection struct {
	Title   string              `json:"title"`
	Items   []string            `json:"items"`
	Columns []string            `json:"columns"`
	Rows    map[string][]string `json:"rows"`
}

// frameworkSections reads a framework page: each top-level element heading (h2 with an id) and
// what follows it up to the next h2.
func frameworkSections(t *testing.T, b *tab) map[string]elementSection {
	t.Helper()
	return eval[map[string]elementSection](t, b, `(() => {
		const out = {};
		for (const h of document.querySelectorAll('main h2[id]')) {
			const s = {title: h.innerText.trim(), items: [], columns: [], rows: {}};
			for (let el = h.nextElementSibling; el && el.tagName !== 'H2'; el = el.nextElementSibling) {
				const table = el.matches('table') ? el : el.querySelector('table');
				if (table) {
					s.columns = [...table.querySelectorAll('thead th')].map(th => th.innerText.trim());
					for (const tr of table.querySelectorAll('tbody tr')) {
						const name = tr.querySelector('th').innerText.trim();
						s.items.push(name);
						s.rows[name] = [...tr.querySelectorAll('td')].map(td => td.innerText.trim());
					}
				}
				if (el.matches('ul.pillars-element-tree')) {
					for (const a of el.querySelectorAll(':scope > li > a')) s.items.push(a.innerText.trim());
				}
			}
			out[h.id] = s;
		}
		return out;
	})()`)
}

// scaleLabels reads the labels of the table after the heading that starts with heading.
func scaleLabels(t *testing.T, b *tab, heading string) []string {
	t.Helper()
	return eval[[]string](t, b, `(() => {
		const h = [...document.querySelectorAll('main h2')].find(h => h.innerText.trim().startsWith(`+jsString(heading)+`));
		if (!h) return [];
		let el = h.nextElementSibling;
		while (el && !el.matches('table')) el = el.nextElementSibling;
		return el ? [...el.querySelectorAll('tbody tr')].map(tr => tr.cells[1].innerText.trim()) : [];
	})()`)
}

func wantItems(t *testing.T, what string, got, want []string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("%s: got %q, want %q", what, got, want)
	}
}

// skipToMain checks the skip link comes first and takes keyboard focus past the header.
func skipToMain(t *testing.T, b *tab) {
	t.Helper()
	b.press(t, kb.Tab)
	if !b.focusedMatches(t, "a.nhsuk-skip-link") {
		t.Fatalf("the first Tab focused %s, want the skip link", b.focused(t))
	}
	b.do(t, "follow the skip link", enter())
	// The next Tab goes into the main content, past the header and its navigation.
	b.press(t, kb.Tab)
	if !b.focusedMatches(t, "main *") {
		t.Errorf("after the skip link, Tab focused %s, want something in the main content", b.focused(t))
	}
}

// TestPractitioner follows a practitioner who uses only the keyboard: sign in, look around the
// frameworks, sign out.
func TestPractitioner(t *testing.T) {
	app := startApp(t)
	b := newTab(t, app, true)

	t.Run("sign in with the keyboard", func(t *testing.T) {
		b.visit(t, "sign-in page", "/sign-in")
		// From the start of the page, the first Tab reaches the skip link.
		b.press(t, kb.Tab)
		first := b.focused(t)
		if !strings.Contains(first.Class, "nhsuk-skip-link") || first.Href != "#maincontent" {
			t.Fatalf("the first Tab focused %s, want the skip link to #maincontent", first)
		}
		path := []string{first.String()}
		for range 10 {
			if b.focusedMatches(t, "#email") {
				break
			}
			b.press(t, kb.Tab)
			path = append(path, b.focused(t).String())
		}
		if !b.focusedMatches(t, "#email") {
			t.Fatalf("tabbing from the start of the page never reached the email field; focus went: %s", strings.Join(path, " → "))
		}
		t.Logf("Tab order to the email field: %s", strings.Join(path, " → "))
		b.press(t, practitionerEmail)
		b.press(t, kb.Tab)
		if !b.focusedMatches(t, "#password") {
			t.Fatalf("Tab from the email field went to %s, want the password field", b.focused(t))
		}
		b.press(t, demo.Password)
		if got := b.value(t, "#email"); got != practitionerEmail {
			t.Fatalf("email field holds %q after typing, want %q", got, practitionerEmail)
		}
		resp := b.navigate(t, "home", enter())
		wantStatus(t, "sign in", resp.Status, 200)
		wantPath(t, b, "/home")

		if h := b.text(t, "main h1"); h != "Welcome, Alex Marlowe" {
			t.Errorf("home heading is %q", h)
		}
		about := b.summaryList(t)
		wantContains(t, "Name", about["Name"], "Alex Marlowe")
		if got := about["Organisation"]; got != "North Vale NHS Foundation Trust" {
			t.Errorf("Organisation is %q, want North Vale NHS Foundation Trust", got)
		}
		if got := about["Role"]; got != "Practitioner, North Vale NHS Foundation Trust" {
			t.Errorf("Role is %q, want Practitioner, North Vale NHS Foundation Trust", got)
		}
		if got := about["Career level"]; !regexp.MustCompile(`^Level 6\b`).MatchString(got) {
			t.Errorf("Career level is %q, want Level 6", got)
		}
		if got := b.text(t, "header .nhsuk-header__account-link"); got != "Alex Marlowe" {
			t.Errorf("the header shows %q as the account, want Alex Marlowe", got)
		}
	})

	t.Run("browse frameworks", func(t *testing.T) {
		b.activate(t, "home (the service name)", `header a.nhsuk-header__service-name`)
		wantPath(t, b, "/home")
		b.activate(t, "all frameworks (from the home page)", `main a[href="/frameworks"]`)
		wantPath(t, b, "/frameworks")
		titles := b.texts(t, "main .nhsuk-card__heading a")
		slices.Sort(titles)
		wantItems(t, "frameworks listed", titles, []string{
			"Four pillars of practice",
			"HCPC standards for continuing professional development",
			"NHS Healthcare Leadership Model",
			"OT leadership framework",
		})

		// The OT leadership framework: dimensions, skills, and challenges with their strategies.
		b.activate(t, "OT leadership framework", `main a[href="/frameworks/ot-leadership"]`)
		wantPath(t, b, "/frameworks/ot-leadership")
		if h := b.text(t, "main h1"); h != "OT leadership framework" {
			t.Errorf("heading is %q", h)
		}
		secs := frameworkSections(t, b)
		wantItems(t, "leadership dimensions", secs["dimensions"].Items, []string{"Clinical", "Professional", "Team", "Service", "Strategic"})
		wantItems(t, "essential skills", secs["skills"].Items, []string{
			"Communication", "Influence", "Clinical credibility", "Collaboration",
			"Advocacy", "Improvement", "Emotional intelligence", "Strategic thinking",
		})
		ch := secs["challenges"]
		col := slices.Index(ch.Columns, "Navigation strategy")
		if col < 1 {
			t.Fatalf("the challenges table has columns %q, want a Navigation strategy column", ch.Columns)
		}
		if row := ch.Rows["Invisibility"]; len(row) < col || row[col-1] != "Articulate value consistently" {
			t.Errorf("challenge Invisibility: cells %q, want navigation strategy Articulate value consistently", row)
		}
		if got := scaleLabels(t, b, "Rating scale"); len(got) != 5 {
			t.Errorf("OT leadership rating scale has %d points (%q), want 5", len(got), got)
		}

		// An element page, reached by keyboard.
		b.activate(t, "Influence element", `main a[href="/frameworks/ot-leadership/elements/influence"]`)
		wantPath(t, b, "/frameworks/ot-leadership/elements/influence")
		if h := b.text(t, "main h1"); h != "Influence" {
			t.Errorf("element heading is %q, want Influence", h)
		}
		wantContains(t, "caption", b.text(t, "main .nhsuk-caption-l"), "skill")
		wantContains(t, "summary", b.text(t, "main .nhsuk-lede-text"), "Persuading others and changing minds")
		facts := b.summaryList(t)
		if facts["Application"] != "Persuading others" || facts["OT context"] != "Advocating for OT approaches" {
			t.Errorf("Influence attributes: %q", facts)
		}
		wantContains(t, "level 6 descriptor", facts["Level 6: Experienced practitioner"], "Persuades colleagues to try OT approaches")
		wantContains(t, "rating note", b.text(t, "main .nhsuk-inset-text"), "Current practice")

		// The four pillars across nine levels.
		b.visit(t, "four pillars", "/frameworks/rcot-pillars")
		if h := b.text(t, "main h1"); h != "Four pillars of practice" {
			t.Errorf("heading is %q", h)
		}
		cols := b.texts(t, "main table.pillars-levels thead th")
		wantItems(t, "level grid columns", cols, []string{"Level", "Professional practice", "Facilitation of learning", "Leadership", "Evidence, research and development"})
		rows := b.texts(t, "main table.pillars-levels tbody th[scope=row]")
		if len(rows) != 9 || rows[0] != "1. Entry level" || rows[5] != "6. Experienced practitioner" || rows[8] != "9. Strategic leader" {
			t.Errorf("level grid rows: %q, want 9 levels from 1. Entry level to 9. Strategic leader", rows)
		}
		if cells := b.texts(t, "main table.pillars-levels tbody td"); len(cells) != 9*4 || slices.Contains(cells, "") {
			t.Errorf("level grid has %d cells, want 36 with text in each", len(cells))
		}

		// The NHS Healthcare Leadership Model: nine dimensions, four-point scale.
		b.visit(t, "healthcare leadership model", "/frameworks/nhs-hlm")
		if h := b.text(t, "main h1"); h != "NHS Healthcare Leadership Model" {
			t.Errorf("heading is %q", h)
		}
		wantItems(t, "HLM dimensions", frameworkSections(t, b)["dimensions"].Items, []string{
			"Inspiring shared purpose", "Leading with care", "Evaluating information", "Connecting our service",
			"Sharing the vision", "Engaging the team", "Holding to account", "Developing capability", "Influencing for results",
		})
		wantItems(t, "HLM rating scale", scaleLabels(t, b, "Rating scale"), []string{"Essential", "Proficient", "Strong", "Exemplary"})

		// HCPC: five standards.
		b.visit(t, "HCPC standards", "/frameworks/hcpc-cpd")
		if h := b.text(t, "main h1"); h != "HCPC standards for continuing professional development" {
			t.Errorf("heading is %q", h)
		}
		wantItems(t, "HCPC standards", frameworkSections(t, b)["standards"].Items, []string{
			"Keep a CPD record", "A mixture of learning activities", "Improve practice and service delivery",
			"Benefit service users", "Present a profile on request",
		})
	})

	t.Run("skip link", func(t *testing.T) {
		b.visit(t, "frameworks", "/frameworks")
		skipToMain(t, b)
	})

	t.Run("account, tokens and other pages", func(t *testing.T) {
		b.activate(t, "account (from the header)", `header a.nhsuk-header__account-link[href="/account"]`)
		wantPath(t, b, "/account")
		if got := b.summaryList(t)["Email address"]; got != practitionerEmail {
			t.Errorf("account shows email %q", got)
		}
		// Choose a career level with the arrow keys, as in any radio group.
		b.focus(t, `input[name="career_level"]:checked`)
		if got := b.value(t, `input[name="career_level"]:checked`); got != "6" {
			t.Fatalf("career level 6 is not the one chosen (%q)", got)
		}
		b.press(t, kb.ArrowDown)
		if got := b.value(t, `input[name="career_level"]:checked`); got != "7" {
			t.Fatalf("ArrowDown chose level %q, want 7", got)
		}
		b.activate(t, "career level saved", `main form[action="/account/career-level"] button[type="submit"]`)
		wantPath(t, b, "/account")
		wantContains(t, "flash", b.text(t, "main .nhsuk-notification-banner"), "Your career level is now Level 7: Advanced practitioner")

		b.activate(t, "tokens", `main a[href="/account/tokens"]`)
		wantPath(t, b, "/account/tokens")
		resp := b.activate(t, "token with no name", `main form[action="/account/tokens"] button[type="submit"]`)
		wantStatus(t, "token with no name", resp.Status, 422)
		wantItems(t, "errors", b.errorSummary(t), []string{"Enter a name for the token, such as the tool that will use it"})
		b.typeInto(t, "#name", "e2e spreadsheet")
		resp = b.navigate(t, "token created", enter())
		wantStatus(t, "create token", resp.Status, 201)
		if tok := b.text(t, "#new-token"); !strings.HasPrefix(tok, "plr_") {
			t.Errorf("new token shown as %q", tok)
		}
		b.activate(t, "token revoked", `main form[action$="/revoke"] button`)
		wantContains(t, "flash", b.text(t, "main .nhsuk-notification-banner"), "The token has been revoked")

		resp = b.visit(t, "framework versions", "/frameworks/ot-leadership/versions")
		wantStatus(t, "versions", resp.Status, 200)
		resp = b.visit(t, "own organisation", "/organisations/north-vale-nhs")
		wantStatus(t, "organisation", resp.Status, 200)
		if h := b.text(t, "main h1"); h != "North Vale NHS Foundation Trust" {
			t.Errorf("organisation heading %q", h)
		}
		resp = b.visit(t, "administration, not allowed", "/admin")
		wantStatus(t, "admin as practitioner", resp.Status, 403)
		resp = b.visit(t, "no such framework", "/frameworks/no-such-framework")
		wantStatus(t, "missing framework", resp.Status, 404)
		b.visit(t, "accessibility statement", "/accessibility")
		b.visit(t, "privacy notice", "/privacy")
	})

	t.Run("sign out with the keyboard", func(t *testing.T) {
		signOut(t, b)
		if h := b.text(t, "main h1"); h != "Sign in" {
			t.Errorf("after signing out the heading is %q, want Sign in", h)
		}
		wantContains(t, "notice", b.text(t, "main .nhsuk-inset-text"), "You have signed out")
		if got := b.text(t, "header .nhsuk-header__account-link"); got != "" {
			t.Errorf("the header still shows an account (%q) after signing out", got)
		}
		b.visit(t, "home after signing out", "/home")
		wantPath(t, b, "/sign-in?next=%2Fhome")
		if got := b.value(t, `input[name="next"]`); got != "/home" {
			t.Errorf("sign-in form would return to %q, want /home", got)
		}
		b.visit(t, "landing page", "/")
		b.activate(t, "sign in from the landing page", `main a[href="/sign-in"]`)
		wantPath(t, b, "/sign-in")
	})
}

// TestFailedSignIn checks a wrong password is explained properly and keeps what was typed.
func TestFailedSignIn(t *testing.T) {
	app := startApp(t)
	b := newTab(t, app, true)

	t.Run("nothing entered", func(t *testing.T) {
		b.visit(t, "sign-in page", "/sign-in")
		resp := b.activate(t, "sign in with nothing entered", `main button[type="submit"]`)
		wantStatus(t, "empty sign-in", resp.Status, 422)
		wantItems(t, "errors", b.errorSummary(t), []string{"Enter your email address", "Enter your password"})
	})

	t.Run("wrong password", func(t *testing.T) {
		b.visit(t, "sign-in page", "/sign-in")
		b.typeInto(t, "#email", practitionerEmail)
		b.typeInto(t, "#password", "not-the-password")
		resp := b.navigate(t, "wrong password", enter())
		wantStatus(t, "wrong password", resp.Status, 422)
		wantPath(t, b, "/sign-in")
		if got := b.text(t, ".nhsuk-error-summary h2"); got != "There is a problem" {
			t.Fatalf("error summary heading is %q, want There is a problem", got)
		}
		errs := b.errorSummary(t)
		if len(errs) != 1 || !strings.Contains(errs[0], "email address or password is not right") {
			t.Errorf("error summary lists %q", errs)
		}
		if got := b.title(t); !strings.HasPrefix(got, "Error: ") {
			t.Errorf("title is %q, want it to start with Error:", got)
		}
		if got := b.value(t, "#email"); got != practitionerEmail {
			t.Errorf("email field holds %q, want what was typed (%q)", got, practitionerEmail)
		}
		if got := b.value(t, "#password"); got != "" {
			t.Errorf("the password field was filled in again (%q): it must be empty", got)
		}
		wantContains(t, "field error", b.text(t, "#email-error"), "not right")
		if !b.focusedMatches(t, ".nhsuk-error-summary") {
			t.Errorf("focus is on %s, want the error summary (so screen readers announce it)", b.focused(t))
		}
		// The error's link takes keyboard users to the field.
		b.do(t, "follow the error link", chromedp.Focus(chromedp.CSS(`.nhsuk-error-summary__list a[href="#email"]`)), enter())
		if !b.focusedMatches(t, "#email") {
			t.Errorf("the error link moved focus to %s, want the email field", b.focused(t))
		}
	})
}

var resetLink = regexp.MustCompile(`https?://\S+/password/reset/[A-Za-z0-9_\-]+`)

// TestPasswordReset resets a forgotten password through the email link.
func TestPasswordReset(t *testing.T) {
	app := startApp(t)
	b := newTab(t, app, true)
	const newPassword = "a new and rather long password"

	var link string
	t.Run("ask for a link", func(t *testing.T) {
		b.visit(t, "sign-in page", "/sign-in")
		b.activate(t, "forgotten password", `main a[href="/password/forgot"]`)
		wantPath(t, b, "/password/forgot")

		resp := b.activate(t, "no email entered", `main button[type="submit"]`)
		wantStatus(t, "forgot with no email", resp.Status, 422)
		wantItems(t, "errors", b.errorSummary(t), []string{"Enter the email address you use to sign in"})

		b.typeInto(t, "#email", practitionerEmail)
		resp = b.navigate(t, "check your email", enter())
		wantStatus(t, "forgot", resp.Status, 200)
		if h := b.text(t, "main h1"); h != "Check your email" {
			t.Fatalf("heading is %q, want Check your email", h)
		}
		m := app.Mail.Wait(t, 15*time.Second)
		if !slices.Contains(m.To, practitionerEmail) {
			t.Errorf("reset email went to %q", m.To)
		}
		if m.Subject != "Reset your Pillars password" {
			t.Errorf("subject %q", m.Subject)
		}
		link = resetLink.FindString(m.Body)
		if link == "" || !strings.HasPrefix(link, app.URL+"/password/reset/") {
			t.Fatalf("no reset link to this server in the email:\n%s", m.Body)
		}
	})
	if link == "" {
		t.FailNow()
	}

	t.Run("choose a new password", func(t *testing.T) {
		resp := b.open(t, "reset form", link)
		wantStatus(t, "reset form", resp.Status, 200)
		if h := b.text(t, "main h1"); h != "Choose a new password" {
			t.Fatalf("heading is %q", h)
		}
		// Two different passwords: the form says so.
		b.typeInto(t, "#password", newPassword)
		b.typeInto(t, "#confirm", newPassword+" typo")
		resp = b.navigate(t, "passwords differ", enter())
		wantStatus(t, "mismatched passwords", resp.Status, 422)
		if errs := b.errorSummary(t); len(errs) != 1 || !strings.Contains(errs[0], "do not match") {
			t.Errorf("errors %q, want the passwords do not match", errs)
		}

		b.typeInto(t, "#password", newPassword)
		b.typeInto(t, "#confirm", newPassword)
		resp = b.navigate(t, "password changed", enter())
		wantStatus(t, "reset", resp.Status, 200)
		wantPath(t, b, "/sign-in?reset=1")
		wantContains(t, "notice", b.text(t, "main .nhsuk-inset-text"), "Your password has been changed")

		// The link works once.
		resp = b.open(t, "used reset link", link)
		wantStatus(t, "used link", resp.Status, 410)
		if h := b.text(t, "main h1"); h != "This password reset link cannot be used" {
			t.Errorf("used link: heading %q", h)
		}
	})

	t.Run("the new password works and the old one does not", func(t *testing.T) {
		signIn(t, b, practitionerEmail, newPassword)
		signOut(t, b)

		b.visit(t, "sign-in page", "/sign-in")
		b.typeInto(t, "#email", practitionerEmail)
		b.typeInto(t, "#password", demo.Password)
		resp := b.navigate(t, "old password refused", enter())
		wantStatus(t, "old password", resp.Status, 422)
		wantPath(t, b, "/sign-in")
		if b.text(t, ".nhsuk-error-summary h2") != "There is a problem" {
			t.Errorf("the old password was not refused with an error summary")
		}
	})
}

// TestWithoutJavaScript signs in and reads a framework with page scripts turned off.
func TestWithoutJavaScript(t *testing.T) {
	app := startApp(t)
	b := newTab(t, app, false)

	b.visit(t, "sign-in page", "/sign-in")
	b.typeInto(t, "#email", practitionerEmail)
	b.typeInto(t, "#password", "not-the-password")
	resp := b.navigate(t, "wrong password", enter())
	wantStatus(t, "wrong password", resp.Status, 422)
	if got := b.value(t, "#email"); got != practitionerEmail {
		t.Errorf("email field holds %q after a wrong password, want %q", got, practitionerEmail)
	}
	if len(b.errorSummary(t)) != 1 {
		t.Errorf("error summary %q", b.errorSummary(t))
	}

	signIn(t, b, practitionerEmail, demo.Password)
	if h := b.text(t, "main h1"); h != "Welcome, Alex Marlowe" {
		t.Errorf("home heading is %q", h)
	}

	b.activate(t, "frameworks", `main a[href="/frameworks"]`)
	b.activate(t, "OT leadership framework", `main a[href="/frameworks/ot-leadership"]`)
	wantPath(t, b, "/frameworks/ot-leadership")
	if got := len(frameworkSections(t, b)["skills"].Items); got != 8 {
		t.Errorf("the framework page lists %d skills without JavaScript, want 8", got)
	}
	skipToMain(t, b)
	b.activate(t, "Influence element", `main a[href="/frameworks/ot-leadership/elements/influence"]`)
	if h := b.text(t, "main h1"); h != "Influence" {
		t.Errorf("element heading is %q", h)
	}
	// Everything in the header is reachable, including the navigation, with no script to open
	// a menu.
	if hidden := eval[[]string](t, b, `[...document.querySelectorAll('header .nhsuk-header__navigation-link')].filter(a => a.offsetParent === null && !a.closest('[hidden]')).map(a => a.innerText.trim())`); len(hidden) > 0 {
		t.Errorf("header links invisible without JavaScript: %q", hidden)
	}
	signOut(t, b)
}

// TestAdministrator imports a broken framework, then renames a level.
func TestAdministrator(t *testing.T) {
	app := startApp(t)
	b := newTab(t, app, true)
	signIn(t, b, adminEmail, demo.Password)

	t.Run("import a broken framework", func(t *testing.T) {
		b.activate(t, "administration", `header a.nhsuk-header__navigation-link[href="/admin"]`)
		wantPath(t, b, "/admin")
		b.activate(t, "import form", `main a[href="/admin/frameworks/import"]`)
		wantPath(t, b, "/admin/frameworks/import")

		broken := strings.Join([]string{
			`key: e2e-broken`,
			`version: "1"`,
			`summary: A framework with no title and a key used twice.`,
			`elements:`,
			`  - key: listening`,
			`    title: Listening`,
			`  - key: listening`,
			`    title: Listening again`,
			``,
		}, "\n")
		b.fill(t, "#document", broken)
		resp := b.activate(t, "import problems", `main button[type="submit"]`)
		wantStatus(t, "import", resp.Status, 422)
		if got := b.text(t, ".nhsuk-error-summary h2"); got != "There is a problem" {
			t.Fatalf("error summary heading is %q", got)
		}
		errs := b.errorSummary(t)
		lineRef := regexp.MustCompile(`^pasted text:\d+: `)
		for _, e := range errs {
			if !lineRef.MatchString(e) {
				t.Errorf("problem %q has no line number (want pasted text:N: ...)", e)
			}
		}
		if !slices.ContainsFunc(errs, func(e string) bool { return strings.Contains(e, "title") }) {
			t.Errorf("no problem about the missing title in %q", errs)
		}
		if !slices.ContainsFunc(errs, func(e string) bool {
			return strings.HasPrefix(e, "pasted text:7: ") && strings.Contains(e, "listening")
		}) {
			t.Errorf("no problem about the key used twice at line 7 in %q", errs)
		}
		t.Logf("import problems: %q", errs)
		if got := b.value(t, "#document"); got != broken {
			t.Errorf("the textarea holds %q after the error, want what was pasted: %q", got, broken)
		}
		if got := b.title(t); !strings.HasPrefix(got, "Error: ") {
			t.Errorf("title is %q, want it to start with Error:", got)
		}
	})

	t.Run("rename a level", func(t *testing.T) {
		b.visit(t, "level names", "/admin/frameworks/rcot-pillars/levels")
		if got := b.value(t, "#level-6"); got != "Experienced practitioner" {
			t.Errorf("level 6 field holds %q, want the current name", got)
		}
		// A name that is too long is explained and kept.
		long := strings.Repeat("x", 81)
		b.fill(t, "#level-3", long)
		resp := b.activate(t, "level name too long", `main button[type="submit"]`)
		wantStatus(t, "long level name", resp.Status, 422)
		wantItems(t, "errors", b.errorSummary(t), []string{"The name for level 3 must be 80 characters or fewer"})
		if got := b.value(t, "#level-3"); got != long {
			t.Errorf("level 3 field holds %q, want what was typed", got)
		}

		b.fill(t, "#level-3", "")
		b.typeInto(t, "#level-6", "Senior occupational therapist")
		resp = b.navigate(t, "level renamed", enter())
		wantStatus(t, "rename level", resp.Status, 200)
		wantPath(t, b, "/frameworks/rcot-pillars")
		wantContains(t, "flash", b.text(t, "main .nhsuk-notification-banner"), "The level names have been saved")
		rows := b.texts(t, "main table.pillars-levels tbody th[scope=row]")
		if len(rows) != 9 || rows[5] != "6. Senior occupational therapist" {
			t.Errorf("level grid rows after renaming: %q", rows)
		}
		if len(rows) == 9 && rows[2] != "3. Senior support worker" {
			t.Errorf("level 3, left empty, should go back to the framework's own name; it is %q", rows[2])
		}
	})
}
