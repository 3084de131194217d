package web_test

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/pillars-ot/pillars/internal/auth"
	"github.com/pillars-ot/pillars/internal/mentoring"
	"github.com/pillars-ot/pillars/internal/store"
	"github.com/pillars-ot/pillars/internal/testutil"
)

// Bad input to mentoring part 1 over HTTP: each gets a plain message on the page, keeps what
// was typed, and leaves every count as it was. Both databases.

// matchCounts is the row count of every table a mentoring-match form can change.
func matchCounts(t *testing.T, app *testutil.App) string {
	t.Helper()
	var b strings.Builder
	for _, tbl := range []string{"mentor_profiles", "mentor_profile_elements", "line_managers", "mentoring_asks", "mentoring_ask_elements",
		"mentoring_relationships", "mentoring_relationship_elements"} {
		fmt.Fprintf(&b, "%s=%d ", tbl, countRows(t, app, tbl))
	}
	var active int
	if err := app.DB.QueryRow(context.Background(), `SELECT COUNT(*) FROM mentoring_relationships WHERE status = 'active'`).Scan(&active); err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(&b, "active=%d", active)
	return b.String()
}

// has reports whether the page shows text, however the template escaped it.
func shows(body, text string) bool { return strings.Contains(html.UnescapeString(body), text) }

func matchUser(t *testing.T, app *testutil.App, email string) *auth.User {
	t.Helper()
	u, err := app.Accounts.UserByEmail(context.Background(), email)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestMentorProfileFormKeepsWhatWasTyped(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		app := testutil.StartApp(t, db, testutil.AppOptions{Demo: true})
		c := demoClient(t, app, "dev.ramesh@demo.pillars.test")
		form := url.Values{"kind": {"coach"}, "level": {"8"}, "background": {"Coach for <ten> years & counting"}, "elements": {"ot-leadership:influence"},
			"accreditation": {"icf"}, "charge": {"paid"}, "fee": {"55"}, "modes": {"video", "phone"}, "region": {"London"}, "capacity": {"3"},
			"listed": {"yes"}, "line_manager": {"nobody@example.org"}}

		// A coach claiming accreditation with no evidence.
		before := matchCounts(t, app)
		status, body, _ := multipartPost(t, c, app.URL+"/mentoring/profile", form, nil)
		if status != http.StatusUnprocessableEntity {
			t.Fatalf("status %d", status)
		}
		for _, want := range []string{"There is a problem", "Upload evidence of your ICF accreditation", "No one with a Pillars account has that email address",
			"Coach for <ten> years & counting", `value="55"`, `value="nobody@example.org"`} {
			if !shows(body, want) {
				t.Errorf("the page does not show %q", want)
			}
		}
		for _, checked := range []string{`id="kind-coach" name="kind" type="radio" value="coach" checked`, `id="modes-phone" name="modes" type="checkbox" value="phone" checked`,
			`id="charge-paid" name="charge" type="radio" value="paid" checked`, `<option value="icf" selected>`, `<option selected>London</option>`} {
			if !strings.Contains(body, checked) {
				t.Errorf("the form lost %s", checked)
			}
		}
		if after := matchCounts(t, app); after != before {
			t.Errorf("a refused profile changed the data: %s -> %s", before, after)
		}

		// A negative fee, and evidence that is not a PDF or an image: the file must be chosen
		// again, and the page says so when only other fields were wrong.
		form.Set("line_manager", "")
		form.Set("fee", "-10")
		status, body, _ = multipartPost(t, c, app.URL+"/mentoring/profile", form, map[string][]byte{"cert.pdf": []byte("%PDF-1.4\n%%EOF\n")})
		if status != http.StatusUnprocessableEntity || !shows(body, "The fee cannot be negative") || !shows(body, "choose it again") {
			t.Errorf("negative fee: %d", status)
		}
		status, body, _ = multipartPost(t, c, app.URL+"/mentoring/profile", form, map[string][]byte{"cert.txt": []byte("hello")})
		if status != http.StatusUnprocessableEntity || !shows(body, `"cert.txt" is not a PDF or an image`) {
			t.Errorf("a text file as evidence: %d", status)
		}
		if after := matchCounts(t, app); after != before {
			t.Errorf("refused profiles changed the data: %s -> %s", before, after)
		}

		// With evidence it is saved, waiting for a verifier; the coach may download their file,
		// a practitioner may not, and the public page does not name it.
		form.Set("fee", "55")
		status, _, hdr := multipartPost(t, c, app.URL+"/mentoring/profile", form, map[string][]byte{"my icf.pdf": []byte("%PDF-1.4\n%%EOF\n")})
		if status != http.StatusSeeOther || hdr.Get("Location") != "/mentoring" {
			t.Fatalf("saving with evidence: %d %s", status, hdr.Get("Location"))
		}
		dev := matchUser(t, app, "dev.ramesh@demo.pillars.test")
		if p, err := app.Mentoring.Profile(context.Background(), dev.ID); err != nil || p.Status != mentoring.AccreditationPending || p.FeePence != 5500 {
			t.Fatalf("saved %+v %v", p, err)
		}
		status, _, hdr = fetch(t, c, "GET", app.URL+"/mentoring/profile/evidence", nil, nil)
		if status != 200 || hdr.Get("Content-Security-Policy") != "default-src 'none'; sandbox" || !strings.HasPrefix(hdr.Get("Content-Disposition"), "attachment") {
			t.Errorf("own evidence: %d %v", status, hdr)
		}
		alex := demoClient(t, app, alexEmail)
		if status, _ := get(t, alex, app.URL+"/mentoring/verification/"+strconv.FormatInt(dev.ID, 10)+"/evidence"); status != http.StatusForbidden {
			t.Errorf("a practitioner downloaded the evidence: %d", status)
		}
		status, body = get(t, alex, app.URL+"/mentoring/mentors/"+strconv.FormatInt(dev.ID, 10))
		if status != 200 || strings.Contains(body, "my icf.pdf") || shows(body, "Accredited (ICF)") || !shows(body, "None verified") {
			t.Errorf("the public page: %d, shows the evidence or an unverified claim", status)
		}
	})
}

func TestFindFormKeepsWhatWasTyped(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		app := testutil.StartApp(t, db, testutil.AppOptions{Demo: true})
		c := demoClient(t, app, "sam.okafor@demo.pillars.test") // no assessment, so picks elements
		before := matchCounts(t, app)
		form := url.Values{"want": {"coach"}, "modes": {"phone"}, "region": {"Wales"}, "budget": {"max"}, "max": {"-30"},
			"goals": {"Leading my first team <meeting>"}, "element": {"ot-leadership:advocacy", "", ""}}
		status, body, _ := post(t, c, app.URL+"/mentoring/find", form)
		if status != http.StatusUnprocessableEntity {
			t.Fatalf("status %d", status)
		}
		for _, want := range []string{"The amount cannot be negative", "Leading my first team <meeting>", `value="-30"`} {
			if !shows(body, want) {
				t.Errorf("the page does not show %q", want)
			}
		}
		for _, kept := range []string{`id="want-coach" name="want" type="radio" value="coach" checked`, `id="modes-phone" name="modes" type="checkbox" value="phone" checked`,
			`<option value="ot-leadership:advocacy" selected>`, `<option selected>Wales</option>`, `id="budget-max" name="budget" type="radio" value="max" checked`} {
			if !strings.Contains(body, kept) {
				t.Errorf("the form lost %s", kept)
			}
		}
		form.Set("max", "40")
		form["element"] = []string{"", "", ""}
		if status, body, _ = post(t, c, app.URL+"/mentoring/find", form); status != http.StatusUnprocessableEntity || !shows(body, "Choose at least one element") {
			t.Errorf("no element: %d", status)
		}
		if after := matchCounts(t, app); after != before {
			t.Errorf("refused asks changed the data: %s -> %s", before, after)
		}
		form["element"] = []string{"ot-leadership:advocacy"}
		if status, _, hdr := post(t, c, app.URL+"/mentoring/find", form); status != http.StatusSeeOther || hdr.Get("Location") != "/mentoring/find#results" {
			t.Errorf("a good ask: %d", status)
		}
	})
}

// TestRequestAndAnswerRefusalsOverHTTP: a mentee requesting a mentor at full capacity, and a
// mentor accepting twice, each see a clear message, keep what they typed, and change nothing.
func TestRequestAndAnswerRefusalsOverHTTP(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		app := testutil.StartApp(t, db, testutil.AppOptions{Demo: true})
		ctx := context.Background()
		ruth := matchUser(t, app, "ruth.lindqvist@demo.pillars.test")
		tomasz := matchUser(t, app, "tomasz.nowak@demo.pillars.test")
		if _, err := app.Mentoring.SaveProfile(ctx, ruth.ID, mentoring.ProfileInput{Kind: "mentor", Level: "7", Background: "Ward lead.", Free: true,
			Modes: []string{"video"}, Capacity: "1", Listed: true, Elements: []string{"ot-leadership:communication"}}); err != nil {
			t.Fatal(err)
		}
		need := mentoring.Need{Want: "either", BudgetPence: -1}
		first, err := app.Mentoring.Request(ctx, tomasz, ruth.ID, need, "", nil)
		if err != nil {
			t.Fatal(err)
		}
		ruthC := demoClient(t, app, "ruth.lindqvist@demo.pillars.test")
		path := "/mentoring/requests/" + strconv.FormatInt(first, 10)
		if status, _, hdr := post(t, ruthC, app.URL+path+"/accept", url.Values{"reply": {"Welcome aboard"}}); status != http.StatusSeeOther ||
			hdr.Get("Location") != "/mentoring/relationships/"+strconv.FormatInt(first, 10) {
			t.Fatalf("accept: %d %s", status, hdr.Get("Location"))
		}

		// A mentor accepting twice.
		before := matchCounts(t, app)
		status, body, _ := post(t, ruthC, app.URL+path+"/accept", url.Values{"reply": {"Welcome again"}})
		if status != http.StatusConflict || !shows(body, "You have already accepted this request. Nothing has changed") || !shows(body, "There is a problem") {
			t.Errorf("accepting twice: %d", status)
		}
		// Once accepted, the request's page is the relationship's.
		if status, _, hdr := fetch(t, ruthC, "GET", app.URL+path, nil, nil); status != http.StatusSeeOther || !strings.HasPrefix(hdr.Get("Location"), "/mentoring/relationships/") {
			t.Errorf("the accepted request's page: %d %s", status, hdr.Get("Location"))
		}

		// A mentee requesting a mentor at full capacity (Ruth's one place is Tomasz's).
		alex := demoClient(t, app, alexEmail)
		status, body, _ = post(t, alex, app.URL+"/mentoring/mentors/"+strconv.FormatInt(ruth.ID, 10)+"/request", url.Values{"message": {"Could you mentor me?"}})
		if status != http.StatusConflict || !shows(body, "Ruth Lindqvist has no places left at the moment") || !shows(body, "Could you mentor me?") {
			t.Errorf("requesting a full mentor: %d", status)
		}
		// Requesting yourself.
		status, body, _ = post(t, ruthC, app.URL+"/mentoring/mentors/"+strconv.FormatInt(ruth.ID, 10)+"/request", url.Values{"message": {"Me?"}})
		if status != http.StatusConflict || !shows(body, "You cannot ask yourself") {
			t.Errorf("requesting yourself: %d", status)
		}
		if after := matchCounts(t, app); after != before {
			t.Errorf("refusals changed the data: %s -> %s", before, after)
		}

		// Declining needs a message; it is kept with the problem.
		if _, err := app.Mentoring.SaveProfile(ctx, ruth.ID, mentoring.ProfileInput{Kind: "mentor", Level: "7", Background: "Ward lead.", Free: true,
			Modes: []string{"video"}, Capacity: "3", Listed: true, Elements: []string{"ot-leadership:communication"}}); err != nil {
			t.Fatal(err)
		}
		second, err := app.Mentoring.Request(ctx, matchUser(t, app, alexEmail), ruth.ID, need, "", nil)
		if err != nil {
			t.Fatal(err)
		}
		path = "/mentoring/requests/" + strconv.FormatInt(second, 10)
		before = matchCounts(t, app)
		status, body, _ = post(t, ruthC, app.URL+path+"/decline", url.Values{"reply": {"   "}})
		if status != http.StatusUnprocessableEntity || !shows(body, "Write a short message saying why") {
			t.Errorf("decline with no message: %d", status)
		}
		status, body, _ = post(t, ruthC, app.URL+path+"/accept", url.Values{"reply": {strings.Repeat("long ", 500)}})
		if status != http.StatusUnprocessableEntity || !shows(body, "2,000 characters or fewer") || !strings.Contains(body, "long long long") {
			t.Errorf("a long acceptance: %d", status)
		}
		if after := matchCounts(t, app); after != before {
			t.Errorf("refused answers changed the data: %s -> %s", before, after)
		}
		// Anyone but the pair finds nothing there.
		priya := demoClient(t, app, "priya.castellano@demo.pillars.test")
		if status, _ := get(t, priya, app.URL+path); status != http.StatusNotFound {
			t.Errorf("a stranger read the request: %d", status)
		}
		if status, _, _ := post(t, alex, app.URL+path+"/accept", url.Values{}); status != http.StatusNotFound {
			t.Errorf("the mentee accepted their own request: %d", status)
		}
	})
}
