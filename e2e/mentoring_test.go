package e2e

// Browser tests for mentoring and coaching (issue 5). The journey is the "Done means": a
// practitioner finds a free online course for their largest gap and adds it to their plan, asks
// for a mentor, the mentor accepts in their own browser, and the pair hold and log a session,
// turn it into a CPD entry and download its invitation. Then: private notes stay private, the
// main pages work with JavaScript off, and programme leads and administrators verify claims,
// match a cohort and read the report. Keyboard only; axe checks every page visited.

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	netmail "net/mail"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // UK time must not depend on the host's zone database

	ics "github.com/arran4/golang-ical"

	"github.com/pillars-ot/pillars/internal/assess"
	"github.com/pillars-ot/pillars/internal/demo"
	"github.com/pillars-ot/pillars/internal/mentoring"
	"github.com/pillars-ot/pillars/internal/testutil"
)

const (
	priyaEmail  = "priya.castellano@demo.pillars.test"
	tomaszEmail = "tomasz.nowak@demo.pillars.test"
	owenEmail   = "owen.pritchard@demo.pillars.test"
)

var (
	requestURL      = regexp.MustCompile(`^/mentoring/requests/(\d+)$`)
	relationshipURL = regexp.MustCompile(`^/mentoring/relationships/(\d+)$`)
	sessionURL      = regexp.MustCompile(`^/mentoring/sessions/(\d+)$`)
	noteURL         = regexp.MustCompile(`^/mentoring/notes/(\d+)$`)
	draftURL        = regexp.MustCompile(`^/portfolio/entries/(\d+)/edit$`)
)

// scoreParts are the parts every mentor's score is made of, in the order the page lists them.
var scoreParts = []string{"Elements", "Career level", "Mode", "Region", "Places", "Line management"}

// startMentoringApp runs the demo with its mentoring loaded, as `serve --demo` does: mentor and
// coach profiles (Owen's accreditation waiting to be checked), open asks for Alex and Ruth, and
// Tomasz mentored by Grace with a session held.
func startMentoringApp(t *testing.T) *testutil.App {
	t.Helper()
	app := startApp(t)
	ctx := context.Background()
	if err := demo.LoadMentoring(ctx, app.DB, app.Accounts, app.Mentoring); err != nil {
		t.Fatalf("load the mentoring demo: %v", err)
	}
	if err := demo.LoadMentoringSessions(ctx, app.DB, app.Accounts, app.Mentoring); err != nil {
		t.Fatalf("load the demo's mentoring sessions: %v", err)
	}
	return app
}

// userID is the id of a demo account.
func userID(t *testing.T, app *testutil.App, email string) int64 {
	t.Helper()
	u, err := app.Accounts.UserByEmail(context.Background(), email)
	if err != nil {
		t.Fatalf("no account %s: %v", email, err)
	}
	return u.ID
}

// submitSelfAssessment gives a person a submitted OT leadership self-assessment: every element
// rated 5 except those in low, so the gaps are exactly what the test chooses.
func submitSelfAssessment(t *testing.T, app *testutil.App, userID int64, low map[string]int) {
	t.Helper()
	ctx := context.Background()
	ratings := map[string]assess.Rating{}
	for _, k := range []string{"clinical", "professional", "team", "service", "strategic", "communication", "influence",
		"clinical-credibility", "collaboration", "advocacy", "improvement", "emotional-intelligence", "strategic-thinking"} {
		ratings[k] = assess.Rating{Rating: 5}
	}
	for k, v := range low {
		ratings[k] = assess.Rating{Rating: v}
	}
	a, err := app.Assess.Start(ctx, userID, assess.DefaultFramework)
	if err != nil {
		t.Fatalf("start a self-assessment: %v", err)
	}
	if err := app.Assess.Submit(ctx, userID, a.ID, ratings); err != nil {
		t.Fatalf("submit the self-assessment: %v", err)
	}
}

// idFrom is the number a path pattern captures, failing the test when the path does not match.
func idFrom(t *testing.T, re *regexp.Regexp, path string) int64 {
	t.Helper()
	m := re.FindStringSubmatch(path)
	if m == nil {
		t.Fatalf("at %s, want a path like %s", path, re)
	}
	id, _ := strconv.ParseInt(m[1], 10, 64)
	return id
}

// rowLink is the href of the link in the first table row of main that contains text, or "".
func rowLink(t *testing.T, b *tab, table, text string) string {
	t.Helper()
	return eval[string](t, b, fmt.Sprintf(`(() => {
		const tr = [...document.querySelectorAll(%s)].find(r => r.innerText.includes(%s));
		const a = tr && tr.querySelector('a');
		return a ? a.getAttribute('href') : '';
	})()`, jsString(table+" tbody tr"), jsString(text)))
}

// rowText is the text of the first table row of main that contains text, cells joined by " | ".
func rowText(t *testing.T, b *tab, table, text string) string {
	t.Helper()
	return eval[string](t, b, fmt.Sprintf(`(() => {
		const tr = [...document.querySelectorAll(%s)].find(r => r.innerText.includes(%s));
		return tr ? [...tr.cells].map(c => c.innerText.trim()).join(' | ') : '';
	})()`, jsString(table+" tbody tr"), jsString(text)))
}

// attachment is a file attached to an email.
type attachment struct {
	Name, ContentType string
	Data              []byte
}

// mailAttachments reads the attachments of a raw email, walking nested multipart bodies.
func mailAttachments(t *testing.T, raw string) []attachment {
	t.Helper()
	msg, err := netmail.ReadMessage(strings.NewReader(raw))
	if err != nil {
		t.Fatalf("read an email: %v", err)
	}
	var out []attachment
	var walk func(ctype, encoding, disposition string, body io.Reader)
	walk = func(ctype, encoding, disposition string, body io.Reader) {
		mt, params, err := mime.ParseMediaType(ctype)
		if err != nil {
			return
		}
		if strings.HasPrefix(mt, "multipart/") {
			mr := multipart.NewReader(body, params["boundary"])
			for {
				p, err := mr.NextRawPart()
				if err != nil {
					return
				}
				walk(p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p.Header.Get("Content-Disposition"), p)
			}
		}
		_, dparams, _ := mime.ParseMediaType(disposition)
		name := dparams["filename"]
		if name == "" {
			name = params["name"]
		}
		if name == "" {
			return // a body part, not a file
		}
		data, _ := io.ReadAll(body)
		switch strings.ToLower(strings.TrimSpace(encoding)) {
		case "base64":
			data, err = decodeBase64(data)
			if err != nil {
				t.Errorf("attachment %s: bad base64: %v", name, err)
			}
		case "quoted-printable":
			data, _ = io.ReadAll(quotedprintable.NewReader(bytes.NewReader(data)))
		}
		out = append(out, attachment{Name: name, ContentType: ctype, Data: data})
	}
	walk(msg.Header.Get("Content-Type"), msg.Header.Get("Content-Transfer-Encoding"), msg.Header.Get("Content-Disposition"), msg.Body)
	return out
}

func decodeBase64(b []byte) ([]byte, error) {
	return base64.StdEncoding.DecodeString(strings.Join(strings.Fields(string(b)), ""))
}

// waitForMail waits until the SMTP server has received a message to the address whose subject
// starts with prefix, and returns it. The deadline only guards against a hang.
func waitForMail(t *testing.T, app *testutil.App, to, prefix string) testutil.Mail {
	t.Helper()
	deadline := time.Now().Add(navigationTimeout)
	for {
		for _, m := range app.Mail.All() {
			if slices.Contains(m.To, to) && strings.HasPrefix(m.Subject, prefix) {
				return m
			}
		}
		if time.Now().After(deadline) {
			var got []string
			for _, m := range app.Mail.All() {
				got = append(got, fmt.Sprintf("%v: %s", m.To, m.Subject))
			}
			t.Fatalf("no email to %s with a subject starting %q arrived within %s; received: %q", to, prefix, navigationTimeout, got)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// parseCalendar reads an iCalendar file, failing the test when it is not one.
func parseCalendar(t *testing.T, what string, data []byte) *ics.Calendar {
	t.Helper()
	cal, err := ics.ParseCalendar(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("%s is not an iCalendar file: %v\n%s", what, err, data)
	}
	return cal
}

// calendarMethod is the calendar's METHOD.
func calendarMethod(cal *ics.Calendar) string {
	for _, p := range cal.CalendarProperties {
		if p.IANAToken == string(ics.PropertyMethod) {
			return p.Value
		}
	}
	return ""
}

// eventProp is a property's value of the calendar's only event.
func eventProp(t *testing.T, what string, cal *ics.Calendar, prop ics.ComponentProperty) string {
	t.Helper()
	events := cal.Events()
	if len(events) != 1 {
		t.Fatalf("%s has %d events, want 1", what, len(events))
	}
	p := events[0].GetProperty(prop)
	if p == nil {
		return ""
	}
	return p.Value
}

// TestMentoringJourney is the journey, with the mentee and the mentor each in their own
// browser.
func TestMentoringJourney(t *testing.T) {
	app := startMentoringApp(t)
	ctx := context.Background()
	uk, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}

	// A level 6 practitioner whose largest gap is Communication (target 4, rated 1) with a smaller
	// one in Influence (target 3, rated 2).
	mentee := newPractitioner(t, app, "jo.ellery@e2e.pillars.test", "Jo Ellery")
	submitSelfAssessment(t, app, mentee.ID, map[string]int{"communication": 1, "influence": 2})
	const mentorEmail, mentorName = supervisorEmail, supervisorName // Ruth: a free mentor for Communication
	mentorID := userID(t, app, mentorEmail)

	b := newTab(t, app, true)
	signIn(t, b, mentee.Email, demo.Password)

	t.Run("1 a free online course for the largest gap", func(t *testing.T) {
		navigateTo(t, b, "directory", "/directory")
		b.activate(t, "recommendations", `main a[href="/recommendations"]`)
		wantPath(t, b, "/recommendations")
		wantContains(t, "lede", b.text(t, "main .nhsuk-lede-text"), "Courses and resources for your largest gaps")
		if n := eval[int](t, b, `document.querySelectorAll('main select[name=element]').length`); n != 0 {
			t.Errorf("with an assessment, the page still asks for %d elements", n)
		}
		choose(t, b, "#budget-free")
		arrowTo(t, b, "#format", 1, "online")
		resp := b.activate(t, "free online recommendations", `main form[action="/recommendations"] button[type="submit"]`)
		wantStatus(t, "recommendations", resp.Status, 200)
		titles := b.texts(t, "main .pillars-recommendations h3")
		if len(titles) == 0 {
			t.Fatalf("nothing recommended; the page says %q", b.text(t, "main"))
		}
		why := b.text(t, "main .pillars-recommendations li:first-child .pillars-why")
		for _, want := range []string{"develops Communication, your largest gap", "suits level 6", "free", "online"} {
			wantContains(t, "why the first is recommended", why, want)
		}
		for _, meta := range b.texts(t, "main .pillars-recommendations .pillars-meta") {
			if strings.Contains(meta, "£") {
				t.Errorf("free only, but: %q", meta)
			}
		}
		t.Logf("first recommendation: %s (%s)", titles[0], why)

		// 2: one key press adds it to the plan, under a goal for the gap.
		resp = b.activate(t, "add to my plan", `main .pillars-recommendations li:first-child form[action="/recommendations/add"] button`)
		wantStatus(t, "add to my plan", resp.Status, 200)
		if p := b.path(t); !strings.HasPrefix(p, "/plan") {
			t.Fatalf("at %s after adding", p)
		}
		action := "Do " + titles[0]
		wantContains(t, "flash", flash(t, b), fmt.Sprintf("Added %q to your goal for Communication", action))
		wantContains(t, "plan", b.text(t, "main"), action)
	})

	var relID int64
	t.Run("3 ask for a match and request a mentor", func(t *testing.T) {
		navigateTo(t, b, "mentoring (from the header)", "/mentoring")
		if h := b.text(t, "main h1"); h != "Mentoring and coaching" {
			t.Errorf("hub heading %q", h)
		}
		b.activate(t, "find a mentor", `main a[href="/mentoring/find"]`)
		wantPath(t, b, "/mentoring/find")
		wantContains(t, "lede", b.text(t, "main .nhsuk-lede-text"), "Communication")
		choose(t, b, "#want-mentor")
		choose(t, b, "#modes") // video
		b.fill(t, "#region", "North West")
		choose(t, b, "#budget-free")
		b.typeInto(t, "#goals", "Speaking up with confidence in multidisciplinary meetings.")
		resp := b.activate(t, "mentors ranked", `main form[action="/mentoring/find"] button[type="submit"]`)
		wantStatus(t, "save ask", resp.Status, 200)
		wantPath(t, b, "/mentoring/find")
		wantContains(t, "flash", flash(t, b), "Your ask is saved")
		names := b.texts(t, "main ol > li h3 a")
		if len(names) == 0 {
			t.Fatalf("no mentors ranked: %q", b.text(t, "main"))
		}
		if names[0] != mentorName {
			t.Errorf("ranked %q, want %s first (free, video, North West, helps with Communication, one level ahead)", names, mentorName)
		}
		// Every mentor's score shows its parts.
		cards := eval[[][]string](t, b, `[...document.querySelectorAll('main ol > li')].map(li => [...li.querySelectorAll('table tbody tr td:first-child')].map(td => td.innerText.trim()))`)
		for i, parts := range cards {
			if !slices.Equal(parts, scoreParts) {
				t.Errorf("mentor %d's score parts are %q, want %q", i+1, parts, scoreParts)
			}
		}
		first := collapse(b.text(t, "main ol > li:first-child table"))
		wantContains(t, "first score", first, "How the score of")
		wantContains(t, "first score", first, "Communication")
		t.Logf("first score: %s", first)

		b.activate(t, "mentor's page", fmt.Sprintf(`main ol > li a[href="/mentoring/mentors/%d"]`, mentorID))
		wantPath(t, b, fmt.Sprintf("/mentoring/mentors/%d", mentorID))
		if h := b.text(t, "main h1"); h != mentorName {
			t.Errorf("mentor page heading %q", h)
		}
		if got := b.texts(t, "main table tbody tr td:first-child"); !slices.Equal(got, scoreParts) {
			t.Errorf("the mentor page's score parts are %q", got)
		}
		b.typeInto(t, "#message", "I am a level 6 occupational therapist and would value help with communication in MDTs.")
		resp = b.activate(t, "request sent", `main form[action$="/request"] button[type="submit"]`)
		wantStatus(t, "request", resp.Status, 200)
		relID = idFrom(t, requestURL, b.path(t))
		wantContains(t, "flash", flash(t, b), "Your request is sent")
		if h := b.text(t, "main h1"); h != "Your request to "+mentorName {
			t.Errorf("request heading %q", h)
		}
		if got := b.summaryList(t)["Status"]; got != "Waiting for an answer" {
			t.Errorf("request status %q", got)
		}
		wantContains(t, "score seen", b.text(t, "main table caption"), "The score when you asked")
	})
	if relID == 0 {
		t.FailNow()
	}
	// The mentor is told by email.
	waitForMail(t, app, mentorEmail, mentee.Name+" would like you as their mentor")

	m := newTab(t, app, true)
	t.Run("4 the mentor accepts with a message", func(t *testing.T) {
		signIn(t, m, mentorEmail, demo.Password)
		navigateTo(t, m, "mentoring (mentor)", "/mentoring")
		href := rowLink(t, m, "main #incoming + table", mentee.Name)
		if href != mentoring.RequestPath(relID) {
			t.Fatalf("the mentor's hub links the request from %s as %q, want %s; incoming: %q", mentee.Name, href, mentoring.RequestPath(relID), m.text(t, "main"))
		}
		m.activate(t, "request (mentor)", fmt.Sprintf(`main a[href=%q]`, href))
		if h := m.text(t, "main h1"); h != "Request from "+mentee.Name {
			t.Errorf("mentor's request heading %q", h)
		}
		wantContains(t, "mentee's message", m.text(t, "main"), "help with communication in MDTs")
		m.typeInto(t, "#accept-reply", "Happy to. Let's meet by video every fortnight.")
		resp := m.activate(t, "accepted", `main form[action$="/accept"] button[type="submit"]`)
		wantStatus(t, "accept", resp.Status, 200)
		wantPath(t, m, fmt.Sprintf("/mentoring/relationships/%d", relID))
		wantContains(t, "flash", flash(t, m), "You have accepted")
		if got := m.summaryList(t)["Status"]; got != "Active" {
			t.Errorf("relationship status for the mentor %q", got)
		}

		// The mentee sees it active.
		navigateTo(t, b, "mentoring (mentee, after acceptance)", "/mentoring")
		row := rowText(t, b, "main #as-mentee + table", mentorName)
		wantContains(t, "mentee's row", row, "Active")
		b.activate(t, "relationship (mentee)", fmt.Sprintf(`main a[href="/mentoring/relationships/%d"]`, relID))
		if got := b.summaryList(t)["Status"]; got != "Active" {
			t.Errorf("relationship status for the mentee %q", got)
		}
		waitForMail(t, app, mentee.Email, mentorName+" has accepted your request")
		if h := b.text(t, "main h1"); h != "Mentoring with "+mentorName {
			t.Errorf("relationship heading %q", h)
		}
		// The request's page now leads to the relationship.
		b.visit(t, "request page after acceptance", mentoring.RequestPath(relID))
		wantPath(t, b, fmt.Sprintf("/mentoring/relationships/%d", relID))
	})

	// 5: the mentee plans yesterday's session (so it can be marked as held), at 09:30 UK time.
	day := time.Now().In(uk).AddDate(0, 0, -1)
	date := day.Format(time.DateOnly)
	startUTC := time.Date(day.Year(), day.Month(), day.Day(), 9, 30, 0, 0, uk).UTC()
	const agenda = "How the last two MDT meetings went.\nPreparing to present the falls audit."
	const shared = "Agreed: open with the one decision needed; ask the chair for two minutes at the start."
	const private = "I rushed my point again when the consultant interrupted. Practise the opening line."
	var sessionID, noteID, entryID int64
	t.Run("5 plan, hold and log a session", func(t *testing.T) {
		b.activate(t, "plan a session", fmt.Sprintf(`main a[href="/mentoring/relationships/%d/sessions/new"]`, relID))
		if got := eval[[]string](t, b, `['date','time'].map(id => document.getElementById(id).type)`); !slices.Equal(got, []string{"date", "time"}) {
			t.Errorf("date and time inputs are of types %q, want date and time", got)
		}
		b.fill(t, "#date", date)
		b.fill(t, "#time", "09:30")
		b.fill(t, "#minutes", "45")
		choose(t, b, "#mode") // video call
		b.typeInto(t, "#location", "https://video.example.org/e2e-room")
		b.fill(t, "#agenda", agenda)
		resp := b.activate(t, "session planned", `main form[action$="/sessions"] button[type="submit"]`)
		wantStatus(t, "plan session", resp.Status, 200)
		sessionID = idFrom(t, sessionURL, b.path(t))
		wantContains(t, "flash", flash(t, b), "The session is planned")
		rows := b.summaryList(t)
		wantContains(t, "when", rows["When (UK time)"], day.Format("Monday 2 January 2006")+", 09:30 to 10:15")
		if rows["Status"] != "Planned" || rows["Length"] != "45 minutes" || rows["How"] != "Video call" {
			t.Errorf("session summary %q", rows)
		}

		resp = b.activate(t, "marked as held", `main form[action$="/held"] button`)
		wantStatus(t, "held", resp.Status, 200)
		wantContains(t, "flash", flash(t, b), "The session is marked as held")
		if got := b.summaryList(t)["Status"]; got != "Held" {
			t.Errorf("status after marking as held %q", got)
		}

		b.fill(t, "#shared_notes", shared)
		resp = b.activate(t, "shared notes saved", `main form[action$="/notes"] button[type="submit"]`)
		wantStatus(t, "shared notes", resp.Status, 200)
		wantContains(t, "flash", flash(t, b), "The shared notes are saved")
		if got := b.value(t, "#shared_notes"); got != shared {
			t.Errorf("shared notes hold %q", got)
		}

		b.fill(t, "#private_notes", private)
		resp = b.activate(t, "private notes saved", `main form[action$="/private-notes"] button[type="submit"]`)
		wantStatus(t, "private notes", resp.Status, 200)
		wantContains(t, "flash", flash(t, b), "Your private notes are saved")
		href := eval[string](t, b, `(() => { const a = document.querySelector('main a[href^="/mentoring/notes/"]'); return a ? a.getAttribute('href') : '' })()`)
		noteID = idFrom(t, noteURL, href)

		// The mentor reads the shared notes, never the mentee's private ones.
		m.visit(t, "session (mentor)", fmt.Sprintf("/mentoring/sessions/%d", sessionID))
		if got := m.value(t, "#shared_notes"); got != shared {
			t.Errorf("the mentor's shared notes hold %q, want %q", got, shared)
		}
		if got := m.value(t, "#private_notes"); got != "" {
			t.Errorf("the mentor's private notes box holds %q", got)
		}
		if strings.Contains(m.text(t, "body"), "consultant interrupted") {
			t.Errorf("the mentor's session page shows the mentee's private note")
		}
		if eval[bool](t, m, `!!document.querySelector('main form[action$="/cpd"]')`) {
			t.Errorf("the mentor is offered a CPD entry from the mentee's session")
		}

		// One click makes the CPD entry, and the mentee lands on the draft.
		resp = b.activate(t, "CPD draft from the session", `main form[action$="/cpd"] button[type="submit"]`)
		wantStatus(t, "to CPD", resp.Status, 200)
		entryID = idFrom(t, draftURL, b.path(t))
		wantContains(t, "flash", flash(t, b), "Here is your draft CPD entry from the session")
		if h := b.text(t, "main h1"); h != "Finish your draft" {
			t.Errorf("draft heading %q", h)
		}
		if got := b.value(t, "#title"); got != "Mentoring session with "+mentorName {
			t.Errorf("draft title %q", got)
		}
		reflection := strings.Join(eval[[]string](t, b, `[...document.querySelectorAll('main textarea')].map(e => e.value)`), "\n")
		for _, want := range []string{"How the last two MDT meetings went.", shared, private} {
			wantContains(t, "draft reflection", reflection, want)
		}
		if e, err := app.Portfolio.Get(ctx, mentee.ID, entryID); err != nil {
			t.Errorf("the draft entry %d is not the mentee's: %v", entryID, err)
		} else if e.Status != "draft" {
			t.Errorf("the entry made from the session is %q, want a draft", e.Status)
		}
	})
	if sessionID == 0 {
		t.FailNow()
	}

	t.Run("5 the invitation: download and email", func(t *testing.T) {
		b.visit(t, "session (mentee, for the download)", fmt.Sprintf("/mentoring/sessions/%d", sessionID))
		href := eval[string](t, b, `(() => { const a = document.querySelector('main a[href$="/invite.ics"]'); return a ? a.getAttribute('href') : '' })()`)
		if href != fmt.Sprintf("/mentoring/sessions/%d/invite.ics", sessionID) {
			t.Fatalf("download link %q", href)
		}
		resp, body := download(t, b, href)
		if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/calendar") {
			t.Errorf("Content-Type %q, want text/calendar", ct)
		}
		wantContains(t, "Content-Disposition", resp.Header.Get("Content-Disposition"), ".ics")
		if !bytes.HasPrefix(body, []byte("BEGIN:VCALENDAR")) {
			t.Errorf("the download does not start with BEGIN:VCALENDAR: %.80q", body)
		}
		var uid string
		if err := app.DB.QueryRow(ctx, `SELECT ics_uid FROM mentoring_sessions WHERE id = ?`, sessionID).Scan(&uid); err != nil {
			t.Fatal(err)
		}
		wantStart := startUTC.Format("20060102T150405Z")
		check := func(what string, data []byte) {
			t.Helper()
			cal := parseCalendar(t, what, data)
			if got := calendarMethod(cal); got != "REQUEST" {
				t.Errorf("%s: METHOD %q, want REQUEST", what, got)
			}
			if got := eventProp(t, what, cal, ics.ComponentPropertyUniqueId); got != uid {
				t.Errorf("%s: UID %q, want the session's %q", what, got, uid)
			}
			if got := eventProp(t, what, cal, ics.ComponentPropertyDtStart); got != wantStart {
				t.Errorf("%s: DTSTART %q, want 09:30 UK time on %s in UTC, %s", what, got, date, wantStart)
			}
			if got := eventProp(t, what, cal, ics.ComponentPropertyDtEnd); got != startUTC.Add(45*time.Minute).Format("20060102T150405Z") {
				t.Errorf("%s: DTEND %q", what, got)
			}
		}
		check("the downloaded invitation", body)

		// Both people were emailed the invitation with the .ics attached.
		subject := "Mentoring session: " + day.Format("Monday 2 January 2006") + " at 09:30"
		for _, to := range []string{mentee.Email, mentorEmail} {
			msg := waitForMail(t, app, to, subject)
			var cal []attachment
			for _, a := range mailAttachments(t, msg.Raw) {
				if strings.HasPrefix(a.ContentType, "text/calendar") {
					cal = append(cal, a)
				}
			}
			if len(cal) != 1 {
				t.Errorf("the invitation to %s has %d calendar attachments, want 1", to, len(cal))
				continue
			}
			wantContains(t, "attachment name", cal[0].Name, ".ics")
			wantContains(t, "attachment type", cal[0].ContentType, "method=REQUEST")
			check("the invitation emailed to "+to, cal[0].Data)
		}
	})

	t.Run("privacy: the mentor cannot open the mentee's private note", func(t *testing.T) {
		if noteID == 0 {
			t.Skip("no private note was saved")
		}
		resp := m.visit(t, "mentee's private note (mentor)", fmt.Sprintf("/mentoring/notes/%d", noteID))
		wantStatus(t, "another's private note", resp.Status, 404)
		notFound := m.text(t, "main h1")
		if notFound != "Page not found" {
			t.Errorf("heading %q, want Page not found", notFound)
		}
		if strings.Contains(m.text(t, "body"), "consultant interrupted") {
			t.Errorf("the 404 page shows the private note")
		}
		// Exactly like a note that does not exist.
		resp = m.visit(t, "a note that does not exist", fmt.Sprintf("/mentoring/notes/%d", noteID+100000))
		wantStatus(t, "missing note", resp.Status, 404)
		if h := m.text(t, "main h1"); h != notFound {
			t.Errorf("a missing note says %q, another's note %q", h, notFound)
		}
		// The author can.
		resp = b.visit(t, "own private note", fmt.Sprintf("/mentoring/notes/%d", noteID))
		wantStatus(t, "own note", resp.Status, 200)
		if got := b.value(t, "#private_notes"); got != private {
			t.Errorf("own private note holds %q", got)
		}
	})
}

// TestMentoringWithoutJavaScript uses the main mentoring pages with page scripts turned off.
func TestMentoringWithoutJavaScript(t *testing.T) {
	app := startMentoringApp(t)
	ctx := context.Background()
	b := newTab(t, app, false)
	devID := userID(t, app, "dev.ramesh@demo.pillars.test")

	t.Run("find, mentor page and request", func(t *testing.T) {
		signIn(t, b, practitionerEmail, demo.Password) // Alex, whose demo ask is open
		navigateTo(t, b, "mentoring hub", "/mentoring")
		wantContains(t, "hub", b.text(t, "main"), "You are looking for")
		b.activate(t, "find with results", `main a[href="/mentoring/find"]`)
		if names := b.texts(t, "main ol > li h3 a"); len(names) == 0 {
			t.Fatalf("no results without JavaScript: %q", b.text(t, "main"))
		}

		// A negative budget is explained and kept.
		choose(t, b, "#budget-max")
		b.fill(t, "#max", "-5")
		resp := b.activate(t, "negative budget", `main form[action="/mentoring/find"] button[type="submit"]`)
		wantStatus(t, "negative budget", resp.Status, 422)
		if errs := b.errorSummary(t); len(errs) != 1 || !strings.Contains(errs[0], "cannot be negative") {
			t.Errorf("errors %q", errs)
		}
		if got := b.value(t, "#max"); got != "-5" {
			t.Errorf("#max holds %q after the error, want what was typed", got)
		}
		if a, err := app.Mentoring.Ask(ctx, userID(t, app, practitionerEmail)); err != nil || a.BudgetPence != 8000 {
			t.Errorf("the saved ask changed after a refused budget: %+v %v", a, err)
		}

		b.fill(t, "#max", "80")
		resp = b.activate(t, "ask saved", `main form[action="/mentoring/find"] button[type="submit"]`)
		wantStatus(t, "ask saved", resp.Status, 200)
		wantContains(t, "flash", flash(t, b), "Your ask is saved")

		b.activate(t, "Dev's page", fmt.Sprintf(`main ol > li a[href="/mentoring/mentors/%d"]`, devID))
		if h := b.text(t, "main h1"); h != "Dev Ramesh" {
			t.Errorf("mentor heading %q", h)
		}
		if got := b.summaryList(t)["Accreditation"]; got != "Accredited (ICF)" {
			t.Errorf("Dev's verified accreditation shows as %q", got)
		}
		b.typeInto(t, "#message", "I would like to work on influence at board level.")
		resp = b.activate(t, "request sent", `main form[action$="/request"] button[type="submit"]`)
		wantStatus(t, "request", resp.Status, 200)
		idFrom(t, requestURL, b.path(t))
		if h := b.text(t, "main h1"); h != "Your request to Dev Ramesh" {
			t.Errorf("request heading %q", h)
		}
		signOut(t, b)
	})

	t.Run("relationship and a session form with an error", func(t *testing.T) {
		signIn(t, b, tomaszEmail, demo.Password) // mentored by Grace in the demo
		navigateTo(t, b, "mentoring hub", "/mentoring")
		href := rowLink(t, b, "main #as-mentee + table", "Grace Whitfield")
		relID := idFrom(t, relationshipURL, href)
		b.activate(t, "relationship", fmt.Sprintf(`main a[href=%q]`, href))
		if got := b.summaryList(t)["Status"]; got != "Active" {
			t.Errorf("status %q", got)
		}
		b.activate(t, "plan a session", fmt.Sprintf(`main a[href="/mentoring/relationships/%d/sessions/new"]`, relID))
		later := time.Now().AddDate(0, 0, 2).Format(time.DateOnly)
		b.fill(t, "#date", later)
		b.fill(t, "#time", "14:00")
		b.fill(t, "#minutes", "600")
		choose(t, b, "#mode-phone")
		b.fill(t, "#agenda", "Draft of the front-door case.")
		var before int
		if err := app.DB.QueryRow(ctx, `SELECT COUNT(*) FROM mentoring_sessions WHERE relationship_id = ?`, relID).Scan(&before); err != nil {
			t.Fatal(err)
		}
		resp := b.activate(t, "session too long", `main form[action$="/sessions"] button[type="submit"]`)
		wantStatus(t, "too long", resp.Status, 422)
		wantItems(t, "errors", b.errorSummary(t), []string{"The length must be between 5 and 480 minutes (8 hours)"})
		for css, want := range map[string]string{"#date": later, "#time": "14:00", "#minutes": "600", "#agenda": "Draft of the front-door case."} {
			if got := b.value(t, css); got != want {
				t.Errorf("%s holds %q after the error, want %q", css, got, want)
			}
		}
		if got := checked(t, b, "mode"); got != "phone" {
			t.Errorf("mode chosen after the error %q, want phone", got)
		}
		var after int
		if err := app.DB.QueryRow(ctx, `SELECT COUNT(*) FROM mentoring_sessions WHERE relationship_id = ?`, relID).Scan(&after); err != nil {
			t.Fatal(err)
		}
		if after != before {
			t.Errorf("a refused session changed the count of sessions from %d to %d", before, after)
		}
	})

	t.Run("profile: accreditation claimed without evidence", func(t *testing.T) {
		navigateTo(t, b, "mentoring hub", "/mentoring")
		b.activate(t, "profile form", `main a[href="/mentoring/profile"]`)
		if h := b.text(t, "main h1"); h != "Offer mentoring or coaching" {
			t.Errorf("profile heading %q", h)
		}
		const background = "Five years in acute medicine; I can help newer colleagues find their feet on the ward."
		choose(t, b, "#kind-coach")
		b.fill(t, "#background", background)
		choose(t, b, "#elements")
		b.fill(t, "#accreditation", "icf")
		choose(t, b, "#modes")
		resp := b.activate(t, "no evidence", `main form[action="/mentoring/profile"] button[type="submit"]`)
		wantStatus(t, "no evidence", resp.Status, 422)
		errs := b.errorSummary(t)
		if len(errs) != 1 || !strings.Contains(errs[0], "Upload evidence of your ICF accreditation") {
			t.Errorf("errors %q", errs)
		}
		wantContains(t, "field error", b.text(t, "#evidence-error"), "Upload evidence")
		if got := b.value(t, "#background"); got != background {
			t.Errorf("background holds %q after the error", got)
		}
		if got := b.value(t, "#accreditation"); got != "icf" {
			t.Errorf("accreditation holds %q after the error", got)
		}
		if got := checked(t, b, "kind"); got != "coach" {
			t.Errorf("kind %q after the error", got)
		}
		if _, err := app.Mentoring.Profile(ctx, userID(t, app, tomaszEmail)); !errors.Is(err, mentoring.ErrNotFound) {
			t.Errorf("a refused profile was saved (or reading it failed): %v", err)
		}
	})
}

// TestMentoringAdministration: a programme lead verifies a coach's accreditation, matches a
// cohort and reads the report; the site administrator turns down a claim on the same page.
func TestMentoringAdministration(t *testing.T) {
	app := startMentoringApp(t)
	ctx := context.Background()
	owenID := userID(t, app, owenEmail)
	priyaID := userID(t, app, priyaEmail)

	// A second claim waiting, for the administrator.
	coach := newPractitioner(t, app, "quinn.harlow@e2e.pillars.test", "Quinn Harlow")
	pdf := certificatePDF(t, filepath.Join(t.TempDir(), "emcc.pdf"))
	if _, err := app.Mentoring.SaveProfile(ctx, coach.ID, mentoring.ProfileInput{Kind: "coach", Level: "7", Accreditation: "emcc",
		Evidence: pdf, EvidenceName: "EMCC certificate.pdf", Free: true, Modes: []string{"video"}, Region: "London", Capacity: "2", Listed: true,
		Background: "Coach for new team leads.", Elements: []string{"ot-leadership:team"}}); err != nil {
		t.Fatalf("a coach's claim: %v", err)
	}

	b := newTab(t, app, true)
	t.Run("programme lead", func(t *testing.T) {
		signIn(t, b, priyaEmail, demo.Password)
		navigateTo(t, b, "mentoring hub", "/mentoring")
		wantContains(t, "hub", b.text(t, "main"), "For administrators and programme leads")
		b.activate(t, "verification queue", `main a[href="/mentoring/verification"]`)
		if got := b.texts(t, "main section h2"); !slices.Equal(got, []string{"Owen Pritchard: ICF", "Quinn Harlow: EMCC"}) {
			t.Errorf("claims waiting: %q", got)
		}
		b.fill(t, fmt.Sprintf("#note-%d", owenID), "Checked against the federation's register.")
		resp := b.activate(t, "Owen verified", fmt.Sprintf(`main form[action="/mentoring/verification/%d"] button[value="verify"]`, owenID))
		wantStatus(t, "verify", resp.Status, 200)
		wantPath(t, b, "/mentoring/verification")
		wantContains(t, "flash", flash(t, b), "Verified.")
		if got := b.texts(t, "main section h2"); !slices.Equal(got, []string{"Quinn Harlow: EMCC"}) {
			t.Errorf("claims waiting after verifying Owen: %q", got)
		}
		if p, err := app.Mentoring.Profile(ctx, owenID); err != nil || p.Status != mentoring.AccreditationVerified {
			t.Errorf("Owen's profile after verifying: %+v %v", p, err)
		}
		waitForMail(t, app, owenEmail, "Your coaching accreditation is verified")

		navigateTo(t, b, "mentoring hub", "/mentoring")
		b.activate(t, "cohort", `main a[href="/mentoring/cohort?org=north-vale-nhs"]`)
		wantPath(t, b, "/mentoring/cohort?org=north-vale-nhs")
		wantContains(t, "algorithm", b.text(t, "main .nhsuk-inset-text"), "Hungarian")
		pairs := eval[[][]string](t, b, `[...document.querySelectorAll('main #pairs + div table tbody tr')].map(tr => [...tr.cells].map(c => c.innerText.trim()))`)
		if len(pairs) == 0 {
			t.Fatalf("no pairs proposed: %q", b.text(t, "main"))
		}
		for _, p := range pairs {
			if len(p) != 4 || p[3] == "" {
				t.Errorf("a proposed pair without its score's parts: %q", p)
			}
		}
		t.Logf("proposed: %q", pairs)
		resp = b.activate(t, "cohort sent", `main form[action="/mentoring/cohort"] button[type="submit"]`)
		wantStatus(t, "send cohort", resp.Status, 200)
		wantPath(t, b, "/mentoring/cohort?org=north-vale-nhs")
		sent := fmt.Sprintf("%d requests were sent", len(pairs))
		if len(pairs) == 1 {
			sent = "1 request was sent"
		}
		wantContains(t, "flash", flash(t, b), sent)
		var proposed int
		if err := app.DB.QueryRow(ctx, `SELECT COUNT(*) FROM mentoring_relationships WHERE proposed_by = ? AND status = 'requested'`, priyaID).Scan(&proposed); err != nil {
			t.Fatal(err)
		}
		if proposed != len(pairs) {
			t.Errorf("%d requests proposed by the programme lead are stored, want %d", proposed, len(pairs))
		}

		navigateTo(t, b, "mentoring hub", "/mentoring")
		b.activate(t, "reports", `main a[href="/mentoring/reports"]`)
		b.activate(t, "North Vale's report", `main a[href="/mentoring/reports?org=north-vale-nhs"]`)
		wantPath(t, b, "/mentoring/reports?org=north-vale-nhs")
		rows := b.summaryList(t)
		// The demo: Tomasz (North Vale) mentored by Grace, one session held; the cohort's
		// requests are not active yet.
		if rows["Active pairs"] != "1" || rows["Completed"] != "0" || rows["Ended early"] != "0" {
			t.Errorf("pair counts %q", rows)
		}
		wantContains(t, "sessions held", rows["Sessions held"], "1 across 1 pair")
		if body := b.text(t, "main"); strings.Contains(body, "Two huddles led so far") {
			t.Errorf("the report shows a pair's shared notes")
		}
		signOut(t, b)
	})

	t.Run("site administrator", func(t *testing.T) {
		signIn(t, b, adminEmail, demo.Password)
		navigateTo(t, b, "mentoring hub", "/mentoring")
		b.activate(t, "verification queue", `main a[href="/mentoring/verification"]`)
		if got := b.texts(t, "main section h2"); !slices.Equal(got, []string{"Quinn Harlow: EMCC"}) {
			t.Errorf("claims waiting: %q", got)
		}
		// Not verified needs a note: the page says so and nothing changes.
		button := fmt.Sprintf(`main form[action="/mentoring/verification/%d"] button[value="reject"]`, coach.ID)
		resp := b.activate(t, "not verified without a note", button)
		wantStatus(t, "reject without a note", resp.Status, 422)
		if errs := b.errorSummary(t); len(errs) != 1 {
			t.Errorf("errors %q", errs)
		}
		if p, err := app.Mentoring.Profile(ctx, coach.ID); err != nil || p.Status != mentoring.AccreditationPending {
			t.Errorf("the claim after a refused decision: %+v %v", p, err)
		}
		b.typeInto(t, fmt.Sprintf("#note-%d", coach.ID), "The certificate has expired: please send the current one.")
		resp = b.activate(t, "not verified", button)
		wantStatus(t, "reject", resp.Status, 200)
		wantContains(t, "flash", flash(t, b), "Not verified.")
		wantContains(t, "queue", b.text(t, "main"), "There are no claims waiting to be checked")
		if p, err := app.Mentoring.Profile(ctx, coach.ID); err != nil || p.Status != mentoring.AccreditationRejected {
			t.Errorf("the claim after turning it down: %+v %v", p, err)
		}
		waitForMail(t, app, coach.Email, "Your coaching accreditation could not be verified")
	})
}
