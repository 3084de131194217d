package web_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"html"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/mail"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"

	"github.com/pillars-ot/pillars/internal/auth"
	"github.com/pillars-ot/pillars/internal/mentoring"
	"github.com/pillars-ot/pillars/internal/store"
	"github.com/pillars-ot/pillars/internal/testutil"
)

// pairApp is the running app with Alex as Ruth's mentee in North Vale's programme.
type pairApp struct {
	app              *testutil.App
	alex, ruth, tom  *auth.User
	alexC, ruthC     *http.Client
	tomC, priyaC     *http.Client
	rel              int64
	relPath          string
	orgID            int64
	ctx              context.Context
	mentoringService *mentoring.Service
}

func newPairApp(t *testing.T, db *store.DB) *pairApp {
	t.Helper()
	ctx := context.Background()
	app := testutil.StartApp(t, db, testutil.AppOptions{Demo: true})
	p := &pairApp{app: app, ctx: ctx, mentoringService: app.Mentoring}
	p.alex, _ = app.Accounts.UserByEmail(ctx, personaEmail["practitioner"])
	p.ruth, _ = app.Accounts.UserByEmail(ctx, personaEmail["supervisor"])
	p.tom, _ = app.Accounts.UserByEmail(ctx, "tomasz.nowak@demo.pillars.test")
	o, err := app.Orgs.BySlug(ctx, "north-vale-nhs")
	if err != nil {
		t.Fatal(err)
	}
	p.orgID = o.ID
	p.rel = insertRelationship(t, db, p.alex.ID, p.ruth.ID, o.ID, mentoring.StatusActive, "ot-leadership:influence")
	p.relPath = "/mentoring/relationships/" + strconv.FormatInt(p.rel, 10)
	p.alexC, p.ruthC = demoClient(t, app, personaEmail["practitioner"]), demoClient(t, app, personaEmail["supervisor"])
	p.tomC, p.priyaC = demoClient(t, app, "tomasz.nowak@demo.pillars.test"), demoClient(t, app, personaEmail["programme-lead"])
	return p
}

func (p *pairApp) session(t *testing.T, day int, agenda string) *mentoring.Session {
	t.Helper()
	x, err := p.mentoringService.ScheduleSession(p.ctx, p.alex.ID, p.rel, mentoring.SessionInput{Date: ukDay(day), Time: "10:00", Minutes: "60", Mode: "video", Agenda: agenda}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return x
}

// The bad input: another person's private session notes requested by id answer 404,
// to the other person in the pair exactly as to a stranger, and stay as they were.
func TestPrivateNotesByIDAreNotFound(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		p := newPairApp(t, db)
		x := p.session(t, -1, "")
		note, err := p.mentoringService.SavePrivateNote(p.ctx, p.alex.ID, x.ID, "ALEX-PRIVATE worry about the audit")
		if err != nil {
			t.Fatal(err)
		}
		u := p.app.URL + "/mentoring/notes/" + strconv.FormatInt(note.ID, 10)
		status, body := get(t, p.alexC, u)
		if status != 200 || !strings.Contains(body, "ALEX-PRIVATE") {
			t.Fatalf("author: %d", status)
		}
		missing, _ := get(t, p.ruthC, p.app.URL+"/mentoring/notes/999999")
		for who, c := range map[string]*http.Client{"the mentor": p.ruthC, "a stranger": p.tomC, "a programme lead": p.priyaC} {
			status, body := get(t, c, u)
			if status != http.StatusNotFound || status != missing || strings.Contains(body, "ALEX-PRIVATE") {
				t.Errorf("%s reading the note: %d (a missing note is %d)", who, status, missing)
			}
			status, _, _ = post(t, c, u, url.Values{"private_notes": {"overwritten by " + who}})
			if status != http.StatusNotFound {
				t.Errorf("%s writing the note: %d", who, status)
			}
		}
		got, _ := p.mentoringService.PrivateNoteByID(p.ctx, p.alex.ID, note.ID)
		if got.Body != "ALEX-PRIVATE worry about the audit" {
			t.Fatalf("the note changed: %q", got.Body)
		}
		// Ruth's view of the session shows the shared notes and her own, never Alex's.
		status, body = get(t, p.ruthC, p.app.URL+"/mentoring/sessions/"+strconv.FormatInt(x.ID, 10))
		if status != 200 || strings.Contains(body, "ALEX-PRIVATE") {
			t.Fatalf("Ruth's session page: %d, shows Alex's private note: %v", status, strings.Contains(body, "ALEX-PRIVATE"))
		}
		if status, _ := get(t, p.tomC, p.app.URL+"/mentoring/sessions/"+strconv.FormatInt(x.ID, 10)); status != http.StatusNotFound {
			t.Fatalf("a stranger sees the session: %d", status)
		}
	})
}

// A bad session form says what to fix on the field, keeps everything typed and stores nothing.
func TestSessionFormKeepsWhatWasTyped(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		p := newPairApp(t, db)
		form := url.Values{"date": {ukDay(6)}, "time": {"25:61"}, "minutes": {"600"}, "mode": {"in-person"},
			"location": {"Room 4, Vale House"}, "agenda": {"Kept agenda: delegation and the huddle"}}
		status, body, _ := post(t, p.alexC, p.app.URL+p.relPath+"/sessions", form)
		text := html.UnescapeString(body)
		if status != http.StatusUnprocessableEntity {
			t.Fatalf("status %d", status)
		}
		for _, want := range []string{"There is a problem", "Enter the start time on the 24-hour clock", "between 5 and 480 minutes",
			`value="25:61"`, `value="600"`, "Room 4, Vale House", "Kept agenda: delegation and the huddle", ukDay(6)} {
			if !strings.Contains(text, want) {
				t.Errorf("the form does not show %q", want)
			}
		}
		if !regexp.MustCompile(`value="in-person" checked`).MatchString(body) {
			t.Error("the chosen mode was not kept")
		}
		// A link that is not https is refused on its field.
		form.Set("time", "10:00")
		form.Set("minutes", "60")
		form.Set("location", "http://meet.example.org/room")
		status, body, _ = post(t, p.alexC, p.app.URL+p.relPath+"/sessions", form)
		if status != http.StatusUnprocessableEntity || !strings.Contains(body, "https://") {
			t.Fatalf("http link: %d", status)
		}
		if list, _ := p.mentoringService.Sessions(p.ctx, p.alex.ID, p.rel); len(list) != 0 {
			t.Fatalf("%d sessions stored from bad forms", len(list))
		}
		// An agenda naming a service user's NHS number needs "I have checked this"; the other
		// problems are shown with it, all at once.
		form.Set("location", "")
		form.Set("time", "7pm")
		form.Set("agenda", "Discuss NHS number 943 476 5919")
		status, body, _ = post(t, p.alexC, p.app.URL+p.relPath+"/sessions", form)
		if status != http.StatusUnprocessableEntity || !strings.Contains(body, "checked_confidential") || !strings.Contains(body, "24-hour clock") {
			t.Fatalf("confidentiality: %d", status)
		}
		form.Set("time", "19:00")
		form.Set("checked_confidential", "yes")
		if status, _, _ = post(t, p.alexC, p.app.URL+p.relPath+"/sessions", form); status != http.StatusSeeOther {
			t.Fatalf("after checking: %d", status)
		}
	})
}

// calendarPart finds the iCalendar attachment in a raw email.
func calendarPart(t *testing.T, raw string) (contentType string, data []byte) {
	t.Helper()
	msg, err := mail.ReadMessage(strings.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	var walk func(h map[string][]string, body io.Reader) bool
	walk = func(h map[string][]string, body io.Reader) bool {
		ct := mail.Header(h).Get("Content-Type")
		mt, params, _ := mime.ParseMediaType(ct)
		if strings.HasPrefix(mt, "multipart/") {
			mr := multipart.NewReader(body, params["boundary"])
			for {
				part, err := mr.NextPart()
				if err != nil {
					return false
				}
				if walk(part.Header, part) {
					return true
				}
			}
		}
		if mt == "text/calendar" {
			b, _ := io.ReadAll(body)
			if strings.EqualFold(mail.Header(h).Get("Content-Transfer-Encoding"), "base64") {
				b, err = base64.StdEncoding.DecodeString(strings.Join(strings.Fields(string(b)), ""))
				if err != nil {
					t.Fatal(err)
				}
			}
			contentType, data = ct, b
			return true
		}
		return false
	}
	if !walk(msg.Header, msg.Body) {
		t.Fatalf("no text/calendar part in:\n%s", raw)
	}
	return contentType, data
}

// Planning a session emails both people an invitation that really arrives, with an .ics
// attachment that parses back to the session; the download is the same invitation.
func TestSessionInvitationsArrive(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		p := newPairApp(t, db)
		form := url.Values{"date": {ukDay(9)}, "time": {"09:30"}, "minutes": {"45"}, "mode": {"video"},
			"location": {"https://meet.example.org/alex-ruth"}, "agenda": {"Preparing for the band 7 interview"}}
		status, _, h := post(t, p.alexC, p.app.URL+p.relPath+"/sessions", form)
		if status != http.StatusSeeOther || !strings.HasPrefix(h.Get("Location"), "/mentoring/sessions/") {
			t.Fatalf("plan: %d %s", status, h.Get("Location"))
		}
		id, _ := strconv.ParseInt(strings.TrimPrefix(h.Get("Location"), "/mentoring/sessions/"), 10, 64)
		x, _, err := p.mentoringService.SessionFor(p.ctx, p.alex.ID, id)
		if err != nil {
			t.Fatal(err)
		}
		to := map[string]bool{}
		for i := 0; i < 2; i++ {
			m := p.app.Mail.Wait(t, 20*time.Second)
			to[strings.Join(m.To, ",")] = true
			if !strings.HasPrefix(m.Subject, "Mentoring session: ") {
				t.Fatalf("subject %q", m.Subject)
			}
			ct, data := calendarPart(t, m.Raw)
			if !strings.Contains(ct, "method=REQUEST") {
				t.Fatalf("content type %q", ct)
			}
			cal, err := ics.ParseCalendar(bytes.NewReader(data))
			if err != nil {
				t.Fatal(err)
			}
			ev := cal.Events()[0]
			start, _ := ev.GetStartAt()
			if ev.Id() != x.ICSUID || !start.Equal(x.StartsAt) || ev.GetProperty(ics.ComponentPropertySequence).Value != "0" {
				t.Fatalf("invitation: UID %s start %s", ev.Id(), start)
			}
			if got := ev.GetProperty(ics.ComponentPropertyOrganizer).Value; got != "mailto:"+p.alex.Email {
				t.Fatalf("ORGANIZER %s", got)
			}
		}
		if !to[p.alex.Email] || !to[p.ruth.Email] {
			t.Fatalf("sent to %v", to)
		}

		u := p.app.URL + "/mentoring/sessions/" + strconv.FormatInt(id, 10) + "/invite.ics"
		status, body, hdr := fetch(t, p.ruthC, "GET", u, nil, nil)
		if status != 200 || !strings.HasPrefix(hdr.Get("Content-Type"), "text/calendar") || !strings.Contains(hdr.Get("Content-Disposition"), ".ics") {
			t.Fatalf("download: %d %s %s", status, hdr.Get("Content-Type"), hdr.Get("Content-Disposition"))
		}
		cal, err := ics.ParseCalendar(strings.NewReader(body))
		if err != nil || cal.Events()[0].Id() != x.ICSUID {
			t.Fatalf("download parses: %v", err)
		}
		if status, _ := get(t, p.tomC, u); status != http.StatusNotFound {
			t.Fatalf("a stranger downloads it: %d", status)
		}

		// Cancelling sends each person a CANCEL for the same UID.
		if status, _, _ := post(t, p.ruthC, p.app.URL+"/mentoring/sessions/"+strconv.FormatInt(id, 10)+"/cancel", url.Values{}); status != http.StatusSeeOther {
			t.Fatalf("cancel: %d", status)
		}
		for i := 0; i < 2; i++ {
			m := p.app.Mail.Wait(t, 20*time.Second)
			ct, data := calendarPart(t, m.Raw)
			cal, err := ics.ParseCalendar(bytes.NewReader(data))
			if err != nil || !strings.Contains(ct, "method=CANCEL") || cal.Events()[0].Id() != x.ICSUID {
				t.Fatalf("cancellation: %s %v", ct, err)
			}
		}
	})
}

// The personal feed answers by its secret address only, holds no notes, and a reset kills the
// old address.
func TestCalendarFeedByToken(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		p := newPairApp(t, db)
		x := p.session(t, 2, "FEED-AGENDA")
		_ = p.mentoringService.SaveSharedNotes(p.ctx, p.alex.ID, x.ID, "FEED-SHARED", mentoring.NotesVersion(""))
		feedURL := regexp.MustCompile(`id="feed-url">([^<]+)<`)
		status, body, _ := post(t, p.ruthC, p.app.URL+"/mentoring/calendar", url.Values{})
		m := feedURL.FindStringSubmatch(body)
		if status != http.StatusCreated || m == nil {
			t.Fatalf("make feed: %d", status)
		}
		first := m[1]
		if !strings.HasPrefix(first, p.app.URL+"/calendar/") || !strings.HasSuffix(first, ".ics") {
			t.Fatalf("feed address %q", first)
		}
		anon := p.app.Client()
		status, body, hdr := fetch(t, anon, "GET", first, nil, nil)
		if status != 200 || !strings.HasPrefix(hdr.Get("Content-Type"), "text/calendar") {
			t.Fatalf("feed: %d %s", status, hdr.Get("Content-Type"))
		}
		if hdr.Get("Cache-Control") != "no-store" || hdr.Get("Referrer-Policy") != "no-referrer" {
			t.Fatalf("secret address headers: %q %q", hdr.Get("Cache-Control"), hdr.Get("Referrer-Policy"))
		}
		cal, err := ics.ParseCalendar(strings.NewReader(body))
		if err != nil || len(cal.Events()) != 1 || cal.Events()[0].Id() != x.ICSUID {
			t.Fatalf("feed events: %v", err)
		}
		if strings.Contains(body, "FEED-AGENDA") || strings.Contains(body, "FEED-SHARED") {
			t.Fatal("the feed holds an agenda or notes")
		}
		// The page never shows the address again.
		if _, body := get(t, p.ruthC, p.app.URL+"/mentoring/calendar"); strings.Contains(body, first) {
			t.Fatal("the feed address is shown twice")
		}
		for _, bad := range []string{"/calendar/not-a-token.ics", "/calendar/" + strings.TrimSuffix(strings.TrimPrefix(first, p.app.URL+"/calendar/"), ".ics")} {
			if status, _ := get(t, anon, p.app.URL+bad); status != http.StatusNotFound {
				t.Fatalf("%s: %d", bad, status)
			}
		}
		_, body, _ = post(t, p.ruthC, p.app.URL+"/mentoring/calendar", url.Values{})
		second := feedURL.FindStringSubmatch(body)[1]
		if status, _ := get(t, anon, first); status != http.StatusNotFound {
			t.Fatalf("old address after a reset: %d", status)
		}
		if status, _ := get(t, anon, second); status != 200 {
			t.Fatalf("new address: %d", status)
		}
	})
}

// A coordinator's report counts; it never shows what anyone wrote.
func TestReportShowsNoWrittenText(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		p := newPairApp(t, db)
		const planted = "PLANTED-IN-PRIVATE"
		m := p.mentoringService
		if err := m.SaveAgreement(p.ctx, p.alex.ID, p.rel, mentoring.AgreementInput{Goals: planted + " goals", Frequency: "monthly", Confidentiality: planted + " confidentiality", EndOn: ukDay(100)}); err != nil {
			t.Fatal(err)
		}
		x := p.session(t, -3, planted+" agenda")
		if err := m.MarkHeld(p.ctx, p.ruth.ID, x.ID); err != nil {
			t.Fatal(err)
		}
		_ = m.SaveSharedNotes(p.ctx, p.ruth.ID, x.ID, planted+" shared notes", mentoring.NotesVersion(""))
		_, _ = m.SavePrivateNote(p.ctx, p.alex.ID, x.ID, planted+" Alex's private notes")
		_, _ = m.SavePrivateNote(p.ctx, p.ruth.ID, x.ID, planted+" Ruth's private notes")
		if err := m.EndEarly(p.ctx, p.ruth.ID, p.rel, "workload", planted+" ended note", nil); err != nil {
			t.Fatal(err)
		}
		for _, who := range []int64{p.alex.ID, p.ruth.ID} {
			if err := m.SaveReview(p.ctx, who, p.rel, mentoring.ReviewInput{Helpful: "4", GoalsMet: "partly", WentWell: planted + " went well", DoDifferently: planted + " differently"}); err != nil {
				t.Fatal(err)
			}
		}
		// Ruth also mentors Tomasz, and that relationship completed with a review.
		other := insertRelationship(t, db, p.tom.ID, p.ruth.ID, p.orgID, mentoring.StatusCompleted, "ot-leadership:influence")
		if err := m.SaveReview(p.ctx, p.tom.ID, other, mentoring.ReviewInput{Helpful: "5", GoalsMet: "yes", WentWell: planted}); err != nil {
			t.Fatal(err)
		}

		admin := demoClient(t, p.app, personaEmail["site-admin"])
		for who, c := range map[string]*http.Client{"programme lead": p.priyaC, "site admin": admin} {
			status, body := get(t, c, p.app.URL+"/mentoring/reports?org=north-vale-nhs")
			if status != 200 {
				t.Fatalf("%s: %d", who, status)
			}
			if strings.Contains(body, "PLANTED") {
				t.Fatalf("%s's report shows written text", who)
			}
			text := html.UnescapeString(body)
			for _, want := range []string{"Influence", "Median helpfulness: 4 out of 5", "50% of finished relationships ended early (1 of 2)", "Reasons are shown once at least 3"} {
				if !strings.Contains(text, want) {
					t.Errorf("%s's report lacks %q", who, want)
				}
			}
			// One relationship ended early: its reason would point at that pair.
			if strings.Contains(text, "Workload or time") {
				t.Errorf("%s's report shows the reason one relationship ended early", who)
			}
		}
		for who, c := range map[string]*http.Client{"the mentee": p.alexC, "the mentor": p.ruthC, "someone else": p.tomC} {
			if status, _ := get(t, c, p.app.URL+"/mentoring/reports?org=north-vale-nhs"); status != http.StatusForbidden {
				t.Errorf("%s sees the report: %d", who, status)
			}
		}
		// A lead of another organisation only: Priya leads Eastmoor too, but not Riverside.
		if status, _ := get(t, p.priyaC, p.app.URL+"/mentoring/reports?org=riverside-council"); status != http.StatusForbidden {
			t.Errorf("lead of another organisation: %d", status)
		}
	})
}

// The mentee turns a held session into a CPD draft in one click; a second click opens the same
// entry. Ending twice is refused with a plain message and changes nothing.
func TestSessionToCPDAndEndingTwice(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		p := newPairApp(t, db)
		x := p.session(t, -1, "Delegation")
		sp := p.app.URL + "/mentoring/sessions/" + strconv.FormatInt(x.ID, 10)
		if status, _, _ := post(t, p.alexC, sp+"/held", url.Values{}); status != http.StatusSeeOther {
			t.Fatalf("held: %d", status)
		}
		status, _, h := post(t, p.alexC, sp+"/cpd", url.Values{})
		first := h.Get("Location")
		if status != http.StatusSeeOther || !regexp.MustCompile(`^/portfolio/entries/\d+/edit$`).MatchString(first) {
			t.Fatalf("cpd: %d %s", status, first)
		}
		if status, body := get(t, p.alexC, p.app.URL+first); status != 200 || !strings.Contains(body, "Mentoring session with Ruth Lindqvist") {
			t.Fatalf("the draft entry: %d", status)
		}
		if _, _, h := post(t, p.alexC, sp+"/cpd", url.Values{}); h.Get("Location") != first {
			t.Fatalf("second click went to %s, not %s", h.Get("Location"), first)
		}
		if _, _, h := post(t, p.ruthC, sp+"/cpd", url.Values{}); h.Get("Location") == first {
			t.Fatal("the mentor reached the mentee's CPD entry")
		}

		if status, _, _ := post(t, p.ruthC, p.app.URL+p.relPath+"/complete", url.Values{}); status != http.StatusSeeOther {
			t.Fatalf("complete: %d", status)
		}
		status, _, _ = post(t, p.alexC, p.app.URL+p.relPath+"/end", url.Values{"reason": {"workload"}, "note": {"late"}})
		if status != http.StatusSeeOther {
			t.Fatalf("ending twice: %d", status)
		}
		_, body := get(t, p.alexC, p.app.URL+p.relPath)
		if !strings.Contains(body, "this relationship is not active") || !strings.Contains(body, "Completed") {
			t.Fatal("no plain message after ending twice")
		}
		r, _ := p.mentoringService.Relationship(p.ctx, p.alex.ID, p.rel)
		if r.Status != mentoring.StatusCompleted || r.EndedReason != "" || r.EndedNote != "" || r.EndedBy != p.ruth.ID {
			t.Fatalf("ending twice changed it: %+v", r)
		}
	})
}
