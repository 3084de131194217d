package e2e

// Browser tests for "My leadership": self-assessment, gaps, 360 feedback, and the development
// plan with sharing. Every page visited is checked with axe, as everywhere in this package.

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp/kb"

	"github.com/pillars-ot/pillars/internal/auth"
	"github.com/pillars-ot/pillars/internal/demo"
	"github.com/pillars-ot/pillars/internal/testutil"
)

const (
	supervisorEmail = "ruth.lindqvist@demo.pillars.test"
	supervisorName  = "Ruth Lindqvist"
	// otElements is how many elements the OT leadership framework asks a person to rate: five
	// leadership dimensions and eight essential skills.
	otElements = 13
)

// person is an account made for one test, so demo data given to the demo people cannot change
// what the test sees.
type person struct {
	ID    int64
	Email string
	Name  string
}

// newPractitioner creates a practitioner at career level 6 in North Vale NHS Foundation Trust.
func newPractitioner(t *testing.T, app *testutil.App, email, name string) person {
	t.Helper()
	ctx := context.Background()
	u, err := app.Accounts.CreateUser(ctx, auth.NewUser{Email: email, Name: name, Password: demo.Password, CareerLevel: 6})
	if err != nil {
		t.Fatalf("create %s: %v", email, err)
	}
	if err := app.Accounts.Grant(ctx, 0, u.ID, "north-vale-nhs", auth.RolePractitioner); err != nil {
		t.Fatalf("make %s a practitioner: %v", email, err)
	}
	return person{ID: u.ID, Email: email, Name: name}
}

// navigateTo follows a link in the header navigation with the keyboard. When the navigation does
// not fit and the design system's script has moved the link under "More", it opens that menu
// first, as a person would.
func navigateTo(t *testing.T, b *tab, step, href string) {
	t.Helper()
	link := fmt.Sprintf(`header a.nhsuk-header__navigation-link[href=%q]`, href)
	visible := fmt.Sprintf(`(() => { const a = document.querySelector(%s); return !!a && a.offsetParent !== null })()`, jsString(link))
	if !eval[bool](t, b, visible) {
		if !eval[bool](t, b, `(() => { const m = document.querySelector('header #toggle-menu'); return !!m && m.offsetParent !== null })()`) {
			t.Fatalf("%s: the header has no visible link to %s and no More menu", step, href)
		}
		b.focus(t, "header #toggle-menu")
		b.do(t, "open the More menu", enter())
		if !eval[bool](t, b, visible) {
			t.Fatalf("%s: the link to %s is not visible even in the More menu", step, href)
		}
	}
	b.activate(t, step, link)
	if got := b.path(t); got != href {
		t.Fatalf("%s: at %s, want %s", step, got, href)
	}
}

// flash is the success banner's message.
func flash(t *testing.T, b *tab) string {
	t.Helper()
	return b.text(t, "main .nhsuk-notification-banner")
}

// ratingGroups lists the names of the rating radio groups in the main content, in page order.
func ratingGroups(t *testing.T, b *tab) []string {
	t.Helper()
	return eval[[]string](t, b, `[...new Set([...document.querySelectorAll('main input[type=radio][name^="rating-"]')].map(i => i.name))]`)
}

// checked is the value of the checked radio in a group, or "" when none is.
func checked(t *testing.T, b *tab, name string) string {
	t.Helper()
	return eval[string](t, b, fmt.Sprintf(`(() => { const e = document.querySelector(%s); return e ? e.value : '' })()`,
		jsString(fmt.Sprintf(`input[type=radio][name=%q]:checked`, name))))
}

// choose picks a radio with the keyboard: focus it and press Space.
func choose(t *testing.T, b *tab, css string) {
	t.Helper()
	b.focus(t, css)
	if !b.focusedMatches(t, css) {
		t.Fatalf("could not focus %s (focus is on %s)", css, b.focused(t))
	}
	b.press(t, " ")
	if !eval[bool](t, b, fmt.Sprintf(`document.querySelector(%s).checked`, jsString(css))) {
		t.Fatalf("Space on %s did not choose it", css)
	}
}

// rate chooses a value in a radio group with the keyboard.
func rate(t *testing.T, b *tab, name string, value int) {
	t.Helper()
	choose(t, b, fmt.Sprintf(`input[type=radio][name=%q][value="%d"]`, name, value))
}

// elementKey is the element a rating group is for.
func elementKey(group string) string { return strings.TrimPrefix(group, "rating-") }

// legendFor is the legend of the fieldset that holds the named radio group.
func legendFor(t *testing.T, b *tab, name string) string {
	t.Helper()
	return eval[string](t, b, fmt.Sprintf(`(() => { const i = document.querySelector(%s); const l = i && i.closest('fieldset').querySelector('legend'); return l ? l.innerText.trim() : '' })()`,
		jsString(fmt.Sprintf(`input[name=%q]`, name))))
}

var (
	rateLink = regexp.MustCompile(`https?://\S+/rate/[A-Za-z0-9_\-]+`)
	goalHash = regexp.MustCompile(`^#goal-(\d+)$`)
	roundURL = regexp.MustCompile(`^/feedback/(\d+)$`)
	editURL  = regexp.MustCompile(`^/assessments/(\d+)/edit$`)
)

// startAssessment goes from the header to a new OT leadership self-assessment and returns the
// edit page's path.
func startAssessment(t *testing.T, b *tab) string {
	t.Helper()
	navigateTo(t, b, "self-assessments (from the header)", "/assessments")
	if h := b.text(t, "main h1"); h != "Self-assessments" {
		t.Errorf("heading is %q, want Self-assessments", h)
	}
	if got := checked(t, b, "framework"); got != "ot-leadership" {
		t.Errorf("the framework chosen at first is %q, want ot-leadership (the OT leadership framework)", got)
	}
	resp := b.activate(t, "assessment form", `main form[action="/assessments"] button[type="submit"]`)
	wantStatus(t, "start assessment", resp.Status, 200)
	path := b.path(t)
	if !editURL.MatchString(path) {
		t.Fatalf("Continue went to %s, want /assessments/{id}/edit", path)
	}
	if h := b.text(t, "main h1"); h != "OT leadership framework" {
		t.Errorf("assessment heading is %q", h)
	}
	if groups := ratingGroups(t, b); len(groups) != otElements {
		t.Fatalf("the assessment asks for %d ratings (%q), want %d", len(groups), groups, otElements)
	}
	return path
}

// TestLeadershipJourney follows one practitioner through the whole of "My leadership": a
// self-assessment saved as a draft and then submitted, 360 feedback from three peers who answer
// through their emailed links, the report, a goal made from a gap with an action, and the plan
// shared with a supervisor who comments on it until sharing stops.
func TestLeadershipJourney(t *testing.T) {
	app := startApp(t)
	me := newPractitioner(t, app, "jordan.ellery@e2e.pillars.test", "Jordan Ellery")
	b := newTab(t, app, true)
	signIn(t, b, me.Email, demo.Password)

	var groups []string
	t.Run("self-assessment: draft, problems, submit", func(t *testing.T) {
		edit := startAssessment(t, b)
		groups = ratingGroups(t, b)

		// One group with arrow keys, as radios are meant to be used: focus, Space, then arrows.
		first := groups[0]
		b.focus(t, `input[name="`+first+`"]`)
		b.press(t, " ")
		if got := checked(t, b, first); got != "1" {
			t.Fatalf("Space on the first radio of %s chose %q, want 1", first, got)
		}
		b.press(t, kb.ArrowRight)
		b.press(t, kb.ArrowRight)
		if got := checked(t, b, first); got != "3" {
			t.Fatalf("two presses of ArrowRight in %s chose %q, want 3", first, got)
		}
		rate(t, b, groups[1], 2)

		resp := b.activate(t, "draft saved", `main button[name="action"][value="save"]`)
		wantStatus(t, "save draft", resp.Status, 200)
		wantPath(t, b, edit)
		wantContains(t, "flash", flash(t, b), "Your draft has been saved")
		wantContains(t, "saved note", b.text(t, "#autosave-status"), "Draft saved")

		// Coming back later: the draft is kept.
		b.visit(t, "draft reopened", edit)
		if got := checked(t, b, first); got != "3" {
			t.Errorf("after reopening the draft, %s has %q chosen, want 3", first, got)
		}
		if got := checked(t, b, groups[1]); got != "2" {
			t.Errorf("after reopening the draft, %s has %q chosen, want 2", groups[1], got)
		}
		for _, g := range groups[2:] {
			if got := checked(t, b, g); got != "" {
				t.Errorf("after reopening the draft, %s has %q chosen, but it was never rated", g, got)
			}
		}

		// Submitting with elements unrated is refused, and says which.
		rate(t, b, groups[2], 2)
		resp = b.activate(t, "submit with ratings missing", `main button[name="action"][value="submit"]`)
		wantStatus(t, "incomplete submit", resp.Status, 422)
		wantPath(t, b, edit)
		if got := b.title(t); !strings.HasPrefix(got, "Error: ") {
			t.Errorf("title is %q, want it to start with Error:", got)
		}
		errs := b.errorSummary(t)
		if len(errs) != otElements-3 {
			t.Errorf("error summary lists %d problems (%q), want one for each of the %d unrated elements", len(errs), errs, otElements-3)
		}
		missing := strings.TrimPrefix(legendFor(t, b, groups[3]), "Your rating for ")
		if !slices.Contains(errs, "Choose a rating for "+missing) {
			t.Errorf("error summary %q does not name the unrated element %q", errs, missing)
		}
		if n := eval[int](t, b, fmt.Sprintf(`document.querySelectorAll('.nhsuk-error-summary a[href="#%s"]').length`, groups[3])); n != 1 {
			t.Errorf("the error summary has %d links to the first radio of %s, want 1", n, groups[3])
		}
		wantContains(t, "field error", b.text(t, "#"+groups[3]+"-error"), "Choose a rating for "+missing)
		for g, want := range map[string]string{groups[0]: "3", groups[1]: "2", groups[2]: "2"} {
			if got := checked(t, b, g); got != want {
				t.Errorf("after the error, %s has %q chosen, want %s as chosen before", g, got, want)
			}
		}
		if !b.focusedMatches(t, ".nhsuk-error-summary") {
			t.Errorf("focus is on %s, want the error summary", b.focused(t))
		}

		// Rate the rest, say how important one is, note some evidence, and submit.
		for i, g := range groups[3:] {
			rate(t, b, g, 2+i%2) // 2s and 3s: below what level 7 typically shows, so every row has a gap
		}
		key := elementKey(groups[0])
		choose(t, b, fmt.Sprintf(`input[name="importance-%s"][value="3"]`, key))
		b.typeInto(t, "#evidence-"+key, "Led the discharge huddle for a month while the team lead was away.")
		resp = b.activate(t, "assessment submitted", `main button[name="action"][value="submit"]`)
		wantStatus(t, "submit", resp.Status, 200)
		wantPath(t, b, "/gaps?framework=ot-leadership")
		wantContains(t, "flash", flash(t, b), "Your self-assessment has been submitted")
		rows := b.texts(t, "main table tbody th[scope=row]")
		if len(rows) != otElements {
			t.Errorf("the gaps table lists %d elements (%q), want %d", len(rows), rows, otElements)
		}
		buttons := b.texts(t, `main table tbody form[action="/plan/goals/from-gap"] button`)
		if len(buttons) == 0 || !strings.HasPrefix(buttons[0], "Make a goal") {
			t.Errorf("the gaps table has buttons %q, want Make a goal buttons", buttons)
		}

		// The submitted assessment is listed, and shows the answers.
		navigateTo(t, b, "self-assessments again", "/assessments")
		if got := b.texts(t, "main table tbody td strong.nhsuk-tag"); !slices.Equal(got, []string{"Submitted"}) {
			t.Errorf("the assessments table shows statuses %q, want one Submitted", got)
		}
	})
	if t.Failed() {
		t.FailNow()
	}

	// 360 feedback: a request, three peers, one bad address.
	peers := []struct{ name, email, strength string }{
		{"Morgan Peer", "peer1@example.org", "Explains what OT adds in every MDT meeting."},
		{"Riley Peer", "peer2@example.org", "Calm and clear when the ward is under pressure."},
		{"Casey Peer", "peer3@example.org", "Brings students into real decisions."},
	}
	var roundPath string
	links := map[string]string{}
	t.Run("ask for 360 feedback", func(t *testing.T) {
		navigateTo(t, b, "360 feedback (from the header)", "/feedback")
		if h := b.text(t, "main h1"); h != "360 feedback" {
			t.Errorf("heading is %q", h)
		}
		deadline := b.value(t, "#deadline")
		var ok []string
		for _, tz := range []string{"Europe/London", "UTC"} {
			if loc, err := time.LoadLocation(tz); err == nil {
				ok = append(ok, time.Now().In(loc).AddDate(0, 0, 14).Format(time.DateOnly))
			}
		}
		if !slices.Contains(ok, deadline) {
			t.Errorf("the deadline starts as %q, want 14 days ahead (%q)", deadline, ok)
		}
		b.typeInto(t, "#title", "Before my band 7 interview")
		resp := b.activate(t, "feedback request created", `main form[action="/feedback"] button[type="submit"]`)
		wantStatus(t, "create round", resp.Status, 200)
		roundPath = b.path(t)
		if !roundURL.MatchString(roundPath) {
			t.Fatalf("creating the request went to %s, want /feedback/{id}", roundPath)
		}
		if h := b.text(t, "main h1"); h != "Before my band 7 interview" {
			t.Errorf("request heading is %q", h)
		}
		wantContains(t, "flash", flash(t, b), "Now invite your raters")

		// A malformed address is explained, and what was typed is kept.
		b.typeInto(t, "#name", "Dana Peer")
		b.typeInto(t, "#email", "not-an-email")
		choose(t, b, "#relationship-peer")
		resp = b.activate(t, "invitation with a malformed email", `main form[action$="/raters"] button[type="submit"]`)
		wantStatus(t, "malformed email", resp.Status, 422)
		wantPath(t, b, roundPath+"/raters")
		wantItems(t, "errors", b.errorSummary(t), []string{"Enter an email address in the correct format, like name@example.nhs.uk"})
		wantContains(t, "field error", b.text(t, "#email-error"), "correct format")
		if got := b.value(t, "#name"); got != "Dana Peer" {
			t.Errorf("the name field holds %q after the error, want what was typed (Dana Peer)", got)
		}
		if got := b.value(t, "#email"); got != "not-an-email" {
			t.Errorf("the email field holds %q after the error, want what was typed", got)
		}
		if got := checked(t, b, "relationship"); got != "peer" {
			t.Errorf("the relationship chosen after the error is %q, want peer", got)
		}

		for _, p := range peers {
			b.typeInto(t, "#name", p.name)
			b.typeInto(t, "#email", p.email)
			choose(t, b, "#relationship-peer")
			resp := b.activate(t, "invitation sent to "+p.email, `main form[action$="/raters"] button[type="submit"]`)
			wantStatus(t, "invite "+p.email, resp.Status, 200)
			wantPath(t, b, roundPath)
			wantContains(t, "flash", flash(t, b), "Invitation sent to "+p.email)
		}
		if got := b.summaryList(t)["Answers"]; got != "0 of 3 invited" {
			t.Errorf("Answers: %q, want 0 of 3 invited", got)
		}

		invited := map[string]bool{}
		for _, p := range peers {
			invited[p.email] = true
		}
		// The invitations may arrive in any order, and among other mail.
		for n := 0; len(links) < len(peers); n++ {
			if n == 10 {
				t.Fatalf("ten emails arrived, but invitations reached only %q", links)
			}
			m := app.Mail.Wait(t, 30*time.Second)
			if len(m.To) != 1 || !invited[m.To[0]] {
				t.Logf("an email that is not an invitation: to %q, subject %q", m.To, m.Subject)
				continue
			}
			if want := me.Name + " has asked for your feedback"; m.Subject != want {
				t.Errorf("invitation subject %q, want %q", m.Subject, want)
			}
			link := rateLink.FindString(m.Body)
			if !strings.HasPrefix(link, app.URL+"/rate/") {
				t.Fatalf("no rating link to this server in the email to %s:\n%s", m.To[0], m.Body)
			}
			links[m.To[0]] = link
		}
	})
	if t.Failed() {
		t.FailNow()
	}

	t.Run("raters answer through their links", func(t *testing.T) {
		for i, p := range peers {
			resp := b.open(t, "rating form for "+p.email, links[p.email])
			wantStatus(t, "rating form", resp.Status, 200)
			if h := b.text(t, "main h1"); h != "Feedback for "+me.Name {
				t.Errorf("rating form heading is %q", h)
			}
			rg := ratingGroups(t, b)
			if !slices.Equal(rg, groups) {
				t.Fatalf("the rating form asks about %q, want the self-assessment's elements %q", rg, groups)
			}
			for j, g := range rg {
				if i == 0 && j == len(rg)-1 {
					choose(t, b, "#"+g+"-0")
					wantContains(t, "label", b.text(t, `label[for="`+g+`-0"]`), "Not able to say")
					continue
				}
				rate(t, b, g, 3+(i+j)%2)
			}
			b.typeInto(t, "#strength", p.strength)
			resp = b.activate(t, "feedback sent by "+p.email, `main form[action^="/rate/"] button[type="submit"]`)
			wantStatus(t, "send feedback", resp.Status, 200)
			if h := b.text(t, "main h1"); h != "Thank you" {
				t.Errorf("after sending, the heading is %q, want Thank you", h)
			}
		}

		// A link works once.
		resp := b.open(t, "used rating link", links[peers[0].email])
		wantStatus(t, "used rating link", resp.Status, 409)
		if h := b.text(t, "main h1"); h != "You have already given feedback" {
			t.Errorf("used link: heading %q", h)
		}
		if n := eval[int](t, b, `document.querySelectorAll('main form').length`); n != 0 {
			t.Errorf("the used link still shows %d form(s)", n)
		}
	})

	t.Run("report", func(t *testing.T) {
		resp := b.visit(t, "feedback request", roundPath)
		wantStatus(t, "round", resp.Status, 200)
		if got := b.summaryList(t)["Answers"]; got != "3 of 3 invited" {
			t.Errorf("Answers: %q, want 3 of 3 invited", got)
		}
		// While the request is open the report holds nothing others said: comparing it before and
		// after one person answered would give them away.
		b.activate(t, "report while open", `main a[href="`+roundPath+`/report"]`)
		wantPath(t, b, roundPath+"/report")
		wantContains(t, "pending report", b.text(t, "main"), "The report opens when the request closes")
		if n := eval[int](t, b, `document.querySelectorAll('main svg[role="img"]').length`); n != 0 {
			t.Errorf("an open request's report draws a chart")
		}
		resp = b.visit(t, "feedback request", roundPath)
		wantStatus(t, "round", resp.Status, 200)
		b.activate(t, "close the request", `main form[action="`+roundPath+`/close"] button`)
		wantPath(t, b, roundPath)
		wantContains(t, "closed", b.text(t, "main"), "Closed")
		b.activate(t, "report", `main a[href="`+roundPath+`/report"]`)
		wantPath(t, b, roundPath+"/report")
		wantContains(t, "answered", b.text(t, "main"), "3 people have answered")

		chart := eval[map[string]string](t, b, `(() => {
			const svg = document.querySelector('main svg[role="img"]');
			if (!svg) return {};
			const name = (svg.getAttribute('aria-labelledby') || '').split(/\s+/).map(id => document.getElementById(id)).filter(Boolean).map(e => e.textContent.trim()).join(' ');
			const t = svg.querySelector('title');
			return {title: t ? t.textContent.trim() : '', name: name, polygons: String(svg.querySelectorAll('polygon').length)};
		})()`)
		if chart["title"] == "" {
			t.Errorf("no radar chart with a title: %q", chart)
		} else if !strings.Contains(chart["name"], chart["title"]) {
			t.Errorf("the chart's accessible name %q does not include its title %q", chart["name"], chart["title"])
		}

		figures := eval[[]string](t, b, `(() => {
			const t = [...document.querySelectorAll('main table')].find(t => t.caption && t.caption.innerText.trim() === 'The figures in the chart');
			return t ? [...t.querySelectorAll('tbody th[scope=row]')].map(th => th.innerText.trim()) : [];
		})()`)
		if len(figures) != otElements {
			t.Errorf("the table of the chart's figures lists %d elements (%q), want %d", len(figures), figures, otElements)
		}
		heads := b.texts(t, "main table thead th")
		if !slices.Contains(heads, "Peer (3)") {
			t.Errorf("report columns %q, want a Peer (3) column", heads)
		}
		comments := b.texts(t, "main h3 + ul li")
		for _, p := range peers {
			if !slices.Contains(comments, p.strength) {
				t.Errorf("the report's comments %q do not include %q", comments, p.strength)
			}
		}
		if strings.Contains(b.text(t, "main"), peers[0].name) {
			t.Errorf("the report names a peer (%s): comments must be anonymous", peers[0].name)
		}

		b.activate(t, "report print view", `main a[href="`+roundPath+`/report/print"]`)
		wantPath(t, b, roundPath+"/report/print")
		if n := eval[int](t, b, `document.querySelectorAll('header, .nhsuk-header__navigation, nav').length`); n != 0 {
			t.Errorf("the print view has %d header or navigation element(s), want none", n)
		}
		if !eval[bool](t, b, `!!document.querySelector('main svg[role="img"] title')`) {
			t.Errorf("the print view has no radar chart")
		}
		b.activate(t, "back from the print view", `main p.pillars-no-print a`)
		wantPath(t, b, roundPath+"/report")
	})

	var goalID, goalPath string
	t.Run("a goal from a gap, with an action", func(t *testing.T) {
		navigateTo(t, b, "development plan (from the header)", "/plan")
		if h := b.text(t, "main h1"); h != "Your development plan" {
			t.Errorf("heading is %q", h)
		}
		b.activate(t, "gaps", `main a[href="/gaps"]`)
		wantPath(t, b, "/gaps")
		element := b.text(t, "main table tbody tr:first-child th[scope=row]")
		resp := b.activate(t, "goal made from a gap", `main table tbody tr:first-child form[action="/plan/goals/from-gap"] button`)
		wantStatus(t, "goal from gap", resp.Status, 200)
		wantPath(t, b, "/plan")
		m := goalHash.FindStringSubmatch(eval[string](t, b, `location.hash`))
		if m == nil {
			t.Fatalf("the new goal's page has no #goal-{id} fragment: %s", eval[string](t, b, `location.href`))
		}
		goalID = m[1]
		goalPath = "#goal-" + goalID
		wantContains(t, "flash", flash(t, b), "Goal added for "+element)
		if n := eval[int](t, b, `document.querySelectorAll('main .nhsuk-card[id^="goal-"]').length`); n != 1 {
			t.Errorf("the plan has %d goals, want the one just made", n)
		}
		wantContains(t, "goal heading", b.text(t, goalPath+" h2"), "Raise my rating for "+element)
		wantContains(t, "goal elements", b.text(t, goalPath+" .nhsuk-summary-list"), element)
		wantContains(t, "goal actions", b.text(t, goalPath), "No actions yet")

		// "Add an action" opens with the keyboard.
		summary := goalPath + " details.nhsuk-details summary"
		wantContains(t, "details", b.text(t, summary), "Add an action")
		b.focus(t, summary)
		b.do(t, "open Add an action", enter())
		if !eval[bool](t, b, fmt.Sprintf(`document.querySelector(%s).open`, jsString(goalPath+" details.nhsuk-details"))) {
			t.Fatalf("Enter on the Add an action summary did not open it")
		}

		// Nothing entered: the problems are explained, beside this goal's fields, and nothing is added.
		submit := goalPath + ` form[action$="/actions"] button[type="submit"]`
		resp = b.activate(t, "empty action", submit)
		wantStatus(t, "empty action", resp.Status, 422)
		wantItems(t, "errors", b.errorSummary(t), []string{"Say what you will do", "Choose the development pathway this action follows"})
		links := eval[[]string](t, b, `[...document.querySelectorAll('.nhsuk-error-summary__list a')].map(a => a.getAttribute('href'))`)
		for _, href := range links {
			if !eval[bool](t, b, fmt.Sprintf(`!!document.getElementById(%s)`, jsString(strings.TrimPrefix(href, "#")))) {
				t.Errorf("the error summary links to %s, which is not on the page", href)
			}
		}
		if !eval[bool](t, b, fmt.Sprintf(`document.querySelector(%s).open`, jsString(goalPath+" details.nhsuk-details"))) {
			t.Errorf("after the error, this goal's Add an action is closed: its errors are hidden")
		}
		wantContains(t, "title error", b.text(t, "#title-"+goalID+"-error"), "Say what you will do")
		wantContains(t, "pathway error", b.text(t, "#pathway-"+goalID+"-error"), "Choose the development pathway")
		// Each message is tied to its field, so a screen reader reads it on reaching the field.
		for _, f := range []string{"title-" + goalID, "pathway-" + goalID} {
			desc := eval[string](t, b, fmt.Sprintf(`document.getElementById(%s).getAttribute('aria-describedby') || ''`, jsString(f)))
			if !slices.Contains(strings.Fields(desc), f+"-error") {
				t.Errorf("#%s has aria-describedby %q, want it to include its error message %s-error", f, desc, f)
			}
		}
		wantContains(t, "no action added", b.text(t, goalPath), "No actions yet")

		b.typeInto(t, "#title-"+goalID, "Monthly mentoring with a consultant OT")
		b.fill(t, "#pathway-"+goalID, "mentoring")
		resp = b.activate(t, "action added", submit)
		wantStatus(t, "add action", resp.Status, 200)
		wantPath(t, b, "/plan")
		wantContains(t, "flash", flash(t, b), "Action added")
		cells := b.texts(t, goalPath+" table tbody td")
		if len(cells) < 2 || cells[0] != "Monthly mentoring with a consultant OT" || cells[1] != "Mentoring" {
			t.Errorf("the goal's actions table shows %q, want the action with pathway Mentoring", cells)
		}
		wantContains(t, "progress", b.text(t, goalPath), "0% complete (0 of 1 actions done)")

		// Done.
		status := goalPath + ` select[name="status"]`
		b.fill(t, status, "done")
		resp = b.activate(t, "action done", goalPath+` form[action$="/status"] button[type="submit"]`)
		wantStatus(t, "action done", resp.Status, 200)
		wantContains(t, "flash", flash(t, b), "Action updated")
		wantContains(t, "progress", b.text(t, goalPath), "100% complete (1 of 1 actions done)")
		if got := b.value(t, status); got != "done" {
			t.Errorf("the action's status shows %q, want done", got)
		}
	})
	if goalID == "" {
		t.FailNow()
	}

	t.Run("share the plan with a supervisor", func(t *testing.T) {
		b.typeInto(t, "#viewer", supervisorEmail)
		resp := b.navigate(t, "plan shared", enter())
		wantStatus(t, "share", resp.Status, 200)
		wantPath(t, b, "/plan")
		wantContains(t, "flash", flash(t, b), "Your plan is shared")
		wantContains(t, "sharing", b.text(t, "main #sharing + p + table"), supervisorName+" ("+supervisorEmail+")")
		signOut(t, b)

		signIn(t, b, supervisorEmail, demo.Password)
		navigateTo(t, b, "shared plans (from the header)", "/plans")
		if got := b.texts(t, "main ul li a"); !slices.Contains(got, me.Name) {
			t.Fatalf("plans shared with Ruth: %q, want %s", got, me.Name)
		}
		ownerPath := fmt.Sprintf("/plans/%d", me.ID)
		b.activate(t, "shared plan", `main a[href="`+ownerPath+`"]`)
		wantPath(t, b, ownerPath)
		if h := b.text(t, "main h1"); h != me.Name+"'s development plan" {
			t.Errorf("heading is %q", h)
		}
		wantContains(t, "goal", b.text(t, goalPath+" h2"), "Raise my rating for")
		wantContains(t, "action", b.text(t, goalPath+" table"), "Monthly mentoring with a consultant OT")
		readOnly := eval[map[string]int](t, b, `({
			details: [...document.querySelectorAll('main summary')].filter(s => s.innerText.includes('Add an action')).length,
			actionForms: document.querySelectorAll('main form[action^="/plan/"]').length,
			selects: document.querySelectorAll('main select').length,
			edit: [...document.querySelectorAll('main a')].filter(a => a.innerText.includes('Edit this goal')).length,
		})`)
		for what, n := range readOnly {
			if n != 0 {
				t.Errorf("the shared plan is not read-only: %d %s", n, what)
			}
		}
		b.typeInto(t, "#body", "Good progress. Bring your mentoring notes to supervision.")
		resp = b.activate(t, "comment added", `main form[action="`+ownerPath+`/comments"] button[type="submit"]`)
		wantStatus(t, "comment", resp.Status, 200)
		wantPath(t, b, ownerPath)
		wantContains(t, "flash", flash(t, b), "Comment added")
		wantContains(t, "comments", b.text(t, "main ul.nhsuk-list"), "Good progress. Bring your mentoring notes to supervision.")
		signOut(t, b)
	})

	t.Run("stop sharing", func(t *testing.T) {
		signIn(t, b, me.Email, demo.Password)
		navigateTo(t, b, "development plan", "/plan")
		comments := b.texts(t, "main ul.nhsuk-list li")
		if !slices.ContainsFunc(comments, func(c string) bool {
			return strings.HasPrefix(c, supervisorName) && strings.Contains(c, "Bring your mentoring notes to supervision.")
		}) {
			t.Errorf("the plan's comments are %q, want Ruth's comment", comments)
		}
		resp := b.activate(t, "sharing stopped", `main form[action^="/plan/shares/"][action$="/revoke"] button[type="submit"]`)
		wantStatus(t, "revoke", resp.Status, 200)
		wantContains(t, "flash", flash(t, b), "You have stopped sharing your plan")
		if n := eval[int](t, b, `document.querySelectorAll('main form[action$="/revoke"]').length`); n != 0 {
			t.Errorf("after stopping, %d Stop sharing button(s) remain", n)
		}
		signOut(t, b)

		signIn(t, b, supervisorEmail, demo.Password)
		resp = b.visit(t, "plan no longer shared", fmt.Sprintf("/plans/%d", me.ID))
		wantStatus(t, "revoked plan", resp.Status, 404)
		if h := b.text(t, "main h1"); h != "Page not found" {
			t.Errorf("heading is %q, want Page not found", h)
		}
		navigateTo(t, b, "shared plans", "/plans")
		if got := b.texts(t, "main ul li a"); slices.Contains(got, me.Name) {
			t.Errorf("plans shared with Ruth still list %s: %q", me.Name, got)
		}
		signOut(t, b)
	})
}

// TestLeadershipWithoutJavaScript saves a self-assessment draft and submits it with page scripts
// turned off: the buttons alone must do it, with no autosave.
func TestLeadershipWithoutJavaScript(t *testing.T) {
	app := startApp(t)
	me := newPractitioner(t, app, "nojs.practitioner@e2e.pillars.test", "Sasha Brennan")
	b := newTab(t, app, false)
	signIn(t, b, me.Email, demo.Password)

	edit := startAssessment(t, b)
	groups := ratingGroups(t, b)
	rate(t, b, groups[0], 4)
	rate(t, b, groups[1], 2)
	resp := b.activate(t, "draft saved", `main button[name="action"][value="save"]`)
	wantStatus(t, "save draft", resp.Status, 200)
	wantPath(t, b, edit)
	wantContains(t, "flash", flash(t, b), "Your draft has been saved")
	b.visit(t, "draft reopened", edit)
	if a, c := checked(t, b, groups[0]), checked(t, b, groups[1]); a != "4" || c != "2" {
		t.Errorf("after reopening the draft, the ratings are %q and %q, want 4 and 2", a, c)
	}

	resp = b.activate(t, "submit with ratings missing", `main button[name="action"][value="submit"]`)
	wantStatus(t, "incomplete submit", resp.Status, 422)
	if errs := b.errorSummary(t); len(errs) != otElements-2 {
		t.Errorf("error summary lists %q, want %d problems", errs, otElements-2)
	}
	for _, g := range groups[2:] {
		rate(t, b, g, 3)
	}
	b.typeInto(t, "#evidence-"+elementKey(groups[0]), "Chaired the falls pathway review.")
	resp = b.activate(t, "assessment submitted", `main button[name="action"][value="submit"]`)
	wantStatus(t, "submit", resp.Status, 200)
	wantPath(t, b, "/gaps?framework=ot-leadership")
	wantContains(t, "flash", flash(t, b), "Your self-assessment has been submitted")
	if n := len(b.texts(t, "main table tbody th[scope=row]")); n != otElements {
		t.Errorf("the gaps table lists %d elements, want %d", n, otElements)
	}

	// The submitted assessment shows the answers, evidence included.
	navigateTo(t, b, "self-assessments", "/assessments")
	b.activate(t, "submitted assessment", `main table tbody a[href^="/assessments/"]`)
	wantContains(t, "evidence", b.text(t, "main"), "Chaired the falls pathway review.")
}

// TestLeadershipKeyboardOnly rates and submits a whole self-assessment using only Tab, Space and
// Enter from the top of the page: every rating group and the Submit button must be reachable, and
// show where focus is.
func TestLeadershipKeyboardOnly(t *testing.T) {
	app := startApp(t)
	me := newPractitioner(t, app, "keyboard.practitioner@e2e.pillars.test", "Robin Kaur")
	b := newTab(t, app, true)
	signIn(t, b, me.Email, demo.Password)
	startAssessment(t, b)
	groups := ratingGroups(t, b)

	b.press(t, kb.Tab)
	if !b.focusedMatches(t, "a.nhsuk-skip-link") {
		t.Fatalf("the first Tab focused %s, want the skip link", b.focused(t))
	}
	rated := map[string]bool{}
	reached := map[string]int{} // kinds of control reached
	var path []string
	for range 300 {
		b.press(t, kb.Tab)
		f := b.focused(t)
		path = append(path, f.String())
		if b.focusedMatches(t, `main button[name="action"][value="submit"]`) {
			reached["submit"]++
			break
		}
		kind := eval[string](t, b, `(() => {
			const e = document.activeElement;
			if (e.matches('main input[type=radio][name^="rating-"]')) return 'rating';
			if (e.matches('main input[type=radio][name^="importance-"]')) return 'importance';
			if (e.matches('main textarea[name^="evidence-"]')) return 'evidence';
			return '';
		})()`)
		if kind == "" {
			continue
		}
		reached[kind]++
		// Where focus is must show: NHS.UK radios draw it on the label's ::before.
		if kind != "evidence" {
			ring := eval[string](t, b, `getComputedStyle(document.querySelector('label[for="' + document.activeElement.id + '"]'), '::before').boxShadow`)
			if ring == "" || ring == "none" {
				t.Errorf("a focused %s radio (%s) shows no focus ring", kind, f)
			}
		}
		if kind == "rating" {
			name := eval[string](t, b, `document.activeElement.name`)
			if checked(t, b, name) == "" {
				b.press(t, " ")
				rated[name] = checked(t, b, name) != ""
			}
		}
	}
	if reached["submit"] == 0 {
		t.Fatalf("tabbing through the form never reached Submit assessment; focus went: %s", strings.Join(path, " → "))
	}
	for _, g := range groups {
		if !rated[g] {
			t.Errorf("tabbing through the form did not reach %s to rate it", g)
		}
	}
	if reached["rating"] != otElements || reached["importance"] != otElements || reached["evidence"] != otElements {
		t.Errorf("Tab reached %d rating groups, %d importance groups and %d evidence fields, want %d of each (one stop per group)",
			reached["rating"], reached["importance"], reached["evidence"], otElements)
	}
	ring := eval[string](t, b, `(() => { const s = getComputedStyle(document.activeElement); return s.boxShadow + ' ' + s.outlineStyle })()`)
	if ring == "none none" {
		t.Errorf("the focused Submit button shows no focus indicator")
	}
	resp := b.navigate(t, "assessment submitted", enter())
	wantStatus(t, "submit", resp.Status, 200)
	wantPath(t, b, "/gaps?framework=ot-leadership")
	wantContains(t, "flash", flash(t, b), "Your self-assessment has been submitted")
}
