package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/pillars-ot/pillars/internal/mentoring"
	"github.com/pillars-ot/pillars/internal/store"
	"github.com/pillars-ot/pillars/internal/testutil"
)

// mentorFor gives a demo person a free mentor profile, changed by change.
func mentorFor(t *testing.T, app *testutil.App, email string, change func(*mentoring.ProfileInput)) int64 {
	t.Helper()
	u := matchUser(t, app, email)
	in := mentoring.ProfileInput{Kind: "mentor", Level: "7", Background: "A mentor for these tests.", Free: true, Modes: []string{"video"},
		Capacity: "3", Listed: true, Elements: []string{"ot-leadership:influence"}}
	if change != nil {
		change(&in)
	}
	if _, err := app.Mentoring.SaveProfile(context.Background(), u.ID, in); err != nil {
		t.Fatalf("profile for %s: %v", email, err)
	}
	return u.ID
}

// A mentor who declined, and the mentor of a completed relationship posting "Accept" again,
// never see the goals the mentee wrote afterwards.
func TestAnsweredRequestsHideLaterGoals(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		app := testutil.StartApp(t, db, testutil.AppOptions{Demo: true})
		ctx := context.Background()
		ruth := mentorFor(t, app, personaEmail["supervisor"], nil)
		grace := mentorFor(t, app, "grace.whitfield@demo.pillars.test", nil)
		alex := matchUser(t, app, alexEmail)
		ask := mentoring.AskInput{Want: "either", Budget: "any", Goals: "EARLY-GOALS", Picks: []string{"ot-leadership:influence"}}
		if _, err := app.Mentoring.SaveAsk(ctx, alex, ask); err != nil {
			t.Fatal(err)
		}
		need := mentoring.Need{Want: "either", BudgetPence: -1}
		declined, err := app.Mentoring.Request(ctx, alex, ruth, need, "", nil)
		if err != nil {
			t.Fatal(err)
		}
		finished, err := app.Mentoring.Request(ctx, alex, grace, need, "", nil)
		if err != nil {
			t.Fatal(err)
		}
		ruthC := demoClient(t, app, personaEmail["supervisor"])
		if _, body := get(t, ruthC, app.URL+mentoring.RequestPath(declined)); !strings.Contains(body, "EARLY-GOALS") {
			t.Fatal("the mentor of a waiting request does not see the goals")
		}
		if err := app.Mentoring.Decline(ctx, ruth, declined, "Not this term.", nil); err != nil {
			t.Fatal(err)
		}
		if err := app.Mentoring.Accept(ctx, grace, finished, "", nil); err != nil {
			t.Fatal(err)
		}
		if err := app.Mentoring.Complete(ctx, grace, finished, nil); err != nil {
			t.Fatal(err)
		}
		ask.Goals = "LATER-GOALS about a new job"
		if _, err := app.Mentoring.SaveAsk(ctx, alex, ask); err != nil {
			t.Fatal(err)
		}

		status, body := get(t, ruthC, app.URL+mentoring.RequestPath(declined))
		if status != http.StatusOK || strings.Contains(body, "LATER-GOALS") {
			t.Errorf("the mentor who declined: %d, sees later goals: %v", status, strings.Contains(body, "LATER-GOALS"))
		}
		graceC := demoClient(t, app, "grace.whitfield@demo.pillars.test")
		status, body, _ = post(t, graceC, app.URL+mentoring.RequestPath(finished)+"/accept", url.Values{"reply": {"Again?"}})
		if status != http.StatusConflict || !shows(body, "You have already accepted this request") || strings.Contains(body, "LATER-GOALS") {
			t.Errorf("the former mentor accepting again: %d, sees later goals: %v", status, strings.Contains(body, "LATER-GOALS"))
		}
	})
}

var revisionField = regexp.MustCompile(`name="revision" value="(\d+)"`)

// A verifier's decision carries the claim's revision: evidence swapped after the page was
// shown is refused with 409 and a plain message, nothing changes, and the old evidence link
// does not send the new file. The hub counts the claims waiting.
func TestVerificationOfASwappedFile(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		app := testutil.StartApp(t, db, testutil.AppOptions{Demo: true})
		ctx := context.Background()
		in := mentoring.ProfileInput{Kind: "coach", Level: "6", Background: "A coach.", Free: true, Modes: []string{"video"}, Capacity: "2", Listed: true,
			Elements: []string{"ot-leadership:influence"}, Accreditation: "icf", EvidenceName: "icf.pdf", Evidence: []byte("%PDF-1.4\n% first\n%%EOF\n")}
		sam := matchUser(t, app, personaEmail["learner"])
		if _, err := app.Mentoring.SaveProfile(ctx, sam.ID, in); err != nil {
			t.Fatal(err)
		}
		admin := demoClient(t, app, personaEmail["site-admin"])
		if _, body := get(t, admin, app.URL+"/mentoring"); !strings.Contains(body, "(1 waiting)") {
			t.Error("the hub does not count the claim waiting")
		}
		_, page := get(t, admin, app.URL+"/mentoring/verification")
		m := revisionField.FindStringSubmatch(page)
		if m == nil {
			t.Fatal("the form does not carry the claim's revision")
		}
		seen := m[1]
		evidence := app.URL + "/mentoring/verification/" + strconv.FormatInt(sam.ID, 10) + "/evidence?revision=" + seen
		if !strings.Contains(page, `/evidence?revision=`+seen+`"`) {
			t.Fatal("the evidence link does not carry the claim's revision")
		}

		// Sam swaps the file, under the same name, while the page is open.
		in.Evidence = []byte("%PDF-1.4\n% SWAPPED certificate\n%%EOF\n")
		if _, err := app.Mentoring.SaveProfile(ctx, sam.ID, in); err != nil {
			t.Fatal(err)
		}
		before := matchCounts(t, app)
		status, body, _ := post(t, admin, app.URL+"/mentoring/verification/"+strconv.FormatInt(sam.ID, 10),
			url.Values{"decision": {"verify"}, "revision": {seen}, "note": {"Checked."}})
		if status != http.StatusConflict || !shows(body, "This claim changed since you opened it: look at it again") || !shows(body, "Checked.") {
			t.Errorf("deciding a swapped claim: %d", status)
		}
		if status, body := get(t, admin, evidence); status != http.StatusConflict || strings.Contains(body, "SWAPPED") {
			t.Errorf("the old evidence link: %d", status)
		}
		if p, _ := app.Mentoring.Profile(ctx, sam.ID); p.Status != mentoring.AccreditationPending {
			t.Errorf("the swapped claim is %s", p.Status)
		}
		if after := matchCounts(t, app); after != before {
			t.Errorf("a refused decision changed data: %s -> %s", before, after)
		}
		// Looked at again, it can be decided.
		m = revisionField.FindStringSubmatch(body)
		if m == nil || m[1] == seen {
			t.Fatalf("the page shown again does not carry the new revision")
		}
		if status, body := get(t, admin, strings.Replace(evidence, "revision="+seen, "revision="+m[1], 1)); status != 200 || !strings.Contains(body, "SWAPPED") {
			t.Errorf("the new evidence link: %d", status)
		}
		if status, _, _ := post(t, admin, app.URL+"/mentoring/verification/"+strconv.FormatInt(sam.ID, 10),
			url.Values{"decision": {"verify"}, "revision": {m[1]}}); status != http.StatusSeeOther {
			t.Errorf("deciding the claim as it is: %d", status)
		}
		if p, _ := app.Mentoring.Profile(ctx, sam.ID); p.Status != mentoring.AccreditationVerified {
			t.Errorf("the claim is %s", p.Status)
		}
	})
}

// A tampered "Send these requests" cannot pair a mentee with a mentor over their budget or of
// the wrong kind.
func TestCohortTamperedPairs(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		app := testutil.StartApp(t, db, testutil.AppOptions{Demo: true})
		ctx := context.Background()
		dev := mentorFor(t, app, "dev.ramesh@demo.pillars.test", func(in *mentoring.ProfileInput) { in.Kind, in.Free, in.Fee = "both", false, "60" })
		grace := mentorFor(t, app, "grace.whitfield@demo.pillars.test", func(in *mentoring.ProfileInput) { in.Kind = "coach" })
		alex := matchUser(t, app, alexEmail)
		tomasz := matchUser(t, app, "tomasz.nowak@demo.pillars.test")
		if _, err := app.Mentoring.SaveAsk(ctx, alex, mentoring.AskInput{Want: "either", Budget: "free", Picks: []string{"ot-leadership:influence"}}); err != nil {
			t.Fatal(err)
		}
		if _, err := app.Mentoring.SaveAsk(ctx, tomasz, mentoring.AskInput{Want: "mentor", Budget: "any", Picks: []string{"ot-leadership:influence"}}); err != nil {
			t.Fatal(err)
		}
		priya := demoClient(t, app, personaEmail["programme-lead"])
		before := matchCounts(t, app)
		pair := func(mentee, mentor int64) string {
			return strconv.FormatInt(mentee, 10) + ":" + strconv.FormatInt(mentor, 10)
		}
		status, _, hdr := post(t, priya, app.URL+"/mentoring/cohort", url.Values{"org": {"north-vale-nhs"}, "pair": {pair(alex.ID, dev), pair(tomasz.ID, grace)}})
		if status != http.StatusSeeOther {
			t.Fatalf("send: %d", status)
		}
		if after := matchCounts(t, app); after != before {
			t.Errorf("tampered pairs were sent: %s -> %s", before, after)
		}
		_, body := get(t, priya, app.URL+hdr.Get("Location"))
		for _, want := range []string{"0 requests were sent", "Alex Marlowe: the mentor costs more than their budget", "Tomasz Nowak: the mentor does not offer what they asked for"} {
			if !shows(body, want) {
				t.Errorf("the page does not say %q", want)
			}
		}
	})
}

// A session after the agreement's end date is refused on its date field, with what was typed
// kept; after the relationship ends, a session left planned cannot be cancelled.
func TestSessionsKeepToTheAgreement(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		p := newPairApp(t, db)
		if err := p.mentoringService.SaveAgreement(p.ctx, p.alex.ID, p.rel, mentoring.AgreementInput{Goals: "Chair the huddle.", Frequency: "monthly",
			Confidentiality: mentoring.DefaultConfidentiality, EndOn: ukDay(20)}); err != nil {
			t.Fatal(err)
		}
		form := url.Values{"date": {ukDay(25)}, "time": {"10:00"}, "minutes": {"60"}, "mode": {"in-person"}, "location": {"Room:3B"}, "agenda": {"Kept agenda"}}
		status, body, _ := post(t, p.alexC, p.app.URL+p.relPath+"/sessions", form)
		if status != http.StatusUnprocessableEntity || !shows(body, "The date must be on or before") || !strings.Contains(body, ukDay(25)) ||
			!shows(body, "Kept agenda") || !strings.Contains(body, `id="date-error"`) {
			t.Errorf("a session after the end date: %d", status)
		}
		if list, _ := p.mentoringService.Sessions(p.ctx, p.alex.ID, p.rel); len(list) != 0 {
			t.Fatalf("%d sessions stored", len(list))
		}
		form.Set("date", ukDay(20))
		if status, _, _ := post(t, p.alexC, p.app.URL+p.relPath+"/sessions", form); status != http.StatusSeeOther {
			t.Fatalf("a session on the end date, in Room:3B: %d", status)
		}

		x := p.session(t, -1, "")
		if err := p.mentoringService.Complete(p.ctx, p.ruth.ID, p.rel, nil); err != nil {
			t.Fatal(err)
		}
		sp := p.app.URL + "/mentoring/sessions/" + strconv.FormatInt(x.ID, 10)
		if _, body := get(t, p.alexC, sp); strings.Contains(body, sp[len(p.app.URL):]+"/cancel") {
			t.Error("the ended relationship's session offers to cancel it")
		}
		if status, _, _ := post(t, p.alexC, sp+"/cancel", url.Values{}); status != http.StatusSeeOther {
			t.Fatalf("cancel after the end: %d", status)
		}
		if got, _, _ := p.mentoringService.SessionFor(p.ctx, p.alex.ID, x.ID); got.Status != mentoring.SessionPlanned {
			t.Fatalf("cancelled after the end: %s", got.Status)
		}
	})
}
