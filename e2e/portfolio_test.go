package e2e

// Browser tests for the CPD portfolio: writing reflections in different reflective models, the
// confidentiality check and its Redact button, evidence files, the HCPC audit pack and its
// export, sharing by link, the form without JavaScript, and a session that ends mid-reflection.
// Everything is done with the keyboard, and every page visited is checked with axe, as
// everywhere in this package.

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/go-pdf/fpdf"

	"github.com/pillars-ot/pillars/internal/auditpack"
	"github.com/pillars-ot/pillars/internal/demo"
	"github.com/pillars-ot/pillars/internal/portfolio"
	"github.com/pillars-ot/pillars/internal/testutil"
)

const practitionerName = "Alex Marlowe"

var (
	entryURL  = regexp.MustCompile(`^/portfolio/entries/(\d+)$`)
	packURL   = regexp.MustCompile(`^/portfolio/audit/(\d+)$`)
	exportURL = regexp.MustCompile(`^/portfolio/audit/(\d+)/exports/(\d+)$`)
	partName  = regexp.MustCompile(`^cpd-evidence-part-1-of-(\d+)\.zip$`)
)

// stageText is what is written in one stage of a reflective model.
type stageText struct {
	Key  string // the model's stage key, as in models.yaml
	Text string
}

// cpdEntry is one reflection written through the form.
type cpdEntry struct {
	Title  string
	Date   string // YYYY-MM-DD
	Type   string // HCPC activity type key
	Hours  string
	Model  string // reflective model key
	Stages []stageText
	Tags   []string // framework:element
}

// daysAgo is a date in the past, in the form the date field holds.
func daysAgo(n int) string {
	return time.Now().AddDate(0, 0, -n).Format(time.DateOnly)
}

// model is a reflective model from models.yaml, failing the test if there is no such model.
func model(t *testing.T, key string) *portfolio.Model {
	t.Helper()
	m := portfolio.ModelByKey(key)
	if m == nil {
		t.Fatalf("no reflective model %q", key)
	}
	return m
}

// stageTitles are the titles of a model's stages, in order.
func stageTitles(m *portfolio.Model) []string {
	var out []string
	for _, st := range m.Stages {
		out = append(out, st.Title)
	}
	return out
}

// typeDate types a date into a date field key by key, in the order this browser shows the day,
// month and year, as a person does.
func typeDate(t *testing.T, b *tab, css, date string) {
	t.Helper()
	d, err := time.Parse(time.DateOnly, date)
	if err != nil {
		t.Fatalf("typeDate %q: %v", date, err)
	}
	order := eval[[]string](t, b, `new Intl.DateTimeFormat().formatToParts(new Date(2001, 10, 22)).map(p => p.type).filter(p => p === 'day' || p === 'month' || p === 'year')`)
	parts := map[string]string{"day": d.Format("02"), "month": d.Format("01"), "year": d.Format("2006")}
	b.focus(t, css)
	for _, p := range order {
		b.press(t, parts[p])
	}
	if got := b.value(t, css); got != date {
		t.Fatalf("typed %s into %s (parts in the order %q), but it holds %q", date, css, order, got)
	}
}

// openDetails opens a details element with the keyboard: focus its summary and press Enter.
func openDetails(t *testing.T, b *tab, css string) {
	t.Helper()
	open := fmt.Sprintf(`document.querySelector(%s).open`, jsString(css))
	if eval[bool](t, b, open) {
		return
	}
	b.focus(t, css+" > summary")
	b.do(t, "open "+css, enter())
	if !eval[bool](t, b, open) {
		t.Fatalf("Enter on the summary of %s did not open it", css)
	}
}

// formStages lists the labels of the stage boxes the entry form shows.
func formStages(t *testing.T, b *tab) []string {
	t.Helper()
	return eval[[]string](t, b, `[...document.querySelectorAll('#entry-form textarea[name^="stage_"]')].map(a => {
		const l = document.querySelector('label[for="' + a.id + '"]'); return l ? l.innerText.trim() : '(no label for ' + a.id + ')' })`)
}

// useModel chooses a reflective model and presses "Use this model", checking the form comes back
// with that model's stages and with everything typed so far kept.
func useModel(t *testing.T, b *tab, key string) {
	t.Helper()
	m := model(t, key)
	before := eval[map[string]string](t, b, `Object.fromEntries(['title', 'started_on', 'hours'].map(id => [id, document.getElementById(id).value]))`)
	typ := checked(t, b, "activity_type")
	choose(t, b, fmt.Sprintf(`input[name="model"][value=%q]`, key))
	resp := b.activate(t, "use "+m.Name, `#entry-form button[name="action"][value="model"]`)
	wantStatus(t, "use this model", resp.Status, 200)
	if got := b.text(t, "#entry-form h3"); got != m.Name {
		t.Errorf("after Use this model, the stages are headed %q, want %q", got, m.Name)
	}
	wantItems(t, "stage boxes for "+m.Name, formStages(t, b), stageTitles(m))
	if got := checked(t, b, "model"); got != key {
		t.Errorf("after Use this model, the model chosen is %q, want %q", got, key)
	}
	for id, v := range before {
		if got := b.value(t, "#"+id); got != v {
			t.Errorf("Use this model lost what was typed in #%s: it holds %q, want %q", id, got, v)
		}
	}
	if got := checked(t, b, "activity_type"); got != typ {
		t.Errorf("Use this model changed the activity type from %q to %q", typ, got)
	}
}

// writeEntry fills in the open entry form with the keyboard, changing the model first when the
// entry is not in the form's current one.
func writeEntry(t *testing.T, b *tab, e cpdEntry) {
	t.Helper()
	b.typeInto(t, "#title", e.Title)
	typeDate(t, b, "#started_on", e.Date)
	choose(t, b, fmt.Sprintf(`input[name="activity_type"][value=%q]`, e.Type))
	b.typeInto(t, "#hours", e.Hours)
	if checked(t, b, "model") != e.Model {
		useModel(t, b, e.Model)
	}
	for _, s := range e.Stages {
		b.typeInto(t, "#stage_"+s.Key, s.Text)
	}
	if len(e.Tags) > 0 {
		openDetails(t, b, "#entry-form details")
		for _, tag := range e.Tags {
			choose(t, b, fmt.Sprintf(`input[name="tags"][value=%q]`, tag))
		}
	}
}

// saveEntry presses "Save entry" and returns the saved entry's id from the page it lands on.
func saveEntry(t *testing.T, b *tab, title string) int64 {
	t.Helper()
	resp := b.activate(t, "saved: "+title, `#entry-form button[name="action"][value="save"]`)
	wantStatus(t, "save "+title, resp.Status, 200)
	m := entryURL.FindStringSubmatch(b.path(t))
	if m == nil {
		t.Fatalf("saving %q went to %s (heading %q, errors %q), want /portfolio/entries/{id}", title, b.path(t), b.text(t, "main h1"), b.errorSummary(t))
	}
	wantContains(t, "flash", flash(t, b), "Your entry has been saved.")
	id, _ := strconv.ParseInt(m[1], 10, 64)
	return id
}

// entryStage is one stage of a reflection as an entry's page shows it.
type entryStage struct {
	Heading string `json:"heading"`
	Text    string `json:"text"`
}

func entryStages(t *testing.T, b *tab) []entryStage {
	t.Helper()
	return eval[[]entryStage](t, b, `[...document.querySelectorAll('main section.pillars-stage')].map(s => {
		const h = s.querySelector('h3');
		return {heading: h ? h.innerText.trim() : '', text: s.innerText.slice(h ? h.innerText.length : 0).trim()};
	})`)
}

// checkEntryPage checks an entry's page shows what was written.
func checkEntryPage(t *testing.T, b *tab, e cpdEntry) {
	t.Helper()
	if h := b.text(t, "main h1"); h != e.Title {
		t.Errorf("entry page heading is %q, want %q", h, e.Title)
	}
	m := model(t, e.Model)
	facts := b.summaryList(t)
	if facts["Reflective model"] != m.Name {
		t.Errorf("entry %q: Reflective model is %q, want %q", e.Title, facts["Reflective model"], m.Name)
	}
	if facts["Hours"] != e.Hours {
		t.Errorf("entry %q: Hours is %q, want %q", e.Title, facts["Hours"], e.Hours)
	}
	if facts["Type of activity"] == "" || facts["Type of activity"] == e.Type {
		t.Errorf("entry %q: Type of activity is %q, want the title of %q", e.Title, facts["Type of activity"], e.Type)
	}
	if got := facts["Tagged with"]; len(e.Tags) > 0 && (got == "" || got == "Nothing yet") {
		t.Errorf("entry %q: Tagged with is %q, want its %d tag(s)", e.Title, got, len(e.Tags))
	}
	var want []entryStage
	for _, s := range e.Stages {
		title := ""
		for _, st := range m.Stages {
			if st.Key == s.Key {
				title = st.Title
			}
		}
		want = append(want, entryStage{Heading: title, Text: s.Text})
	}
	got := entryStages(t, b)
	if !slices.Equal(got, want) {
		t.Errorf("entry %q shows the reflection %q, want %q", e.Title, got, want)
	}
}

// recordEntry writes and saves an entry from the portfolio page's "Record CPD" button.
func recordEntry(t *testing.T, b *tab, e cpdEntry) int64 {
	t.Helper()
	if b.path(t) != "/portfolio" {
		navigateTo(t, b, "portfolio (from the header)", "/portfolio")
	}
	b.activate(t, "record CPD", `main a.nhsuk-button[href="/portfolio/entries/new"]`)
	wantPath(t, b, "/portfolio/entries/new")
	writeEntry(t, b, e)
	id := saveEntry(t, b, e.Title)
	checkEntryPage(t, b, e)
	return id
}

// openEntry goes to an entry's page from the timeline.
func openEntry(t *testing.T, b *tab, id int64) {
	t.Helper()
	navigateTo(t, b, "portfolio", "/portfolio")
	path := fmt.Sprintf("/portfolio/entries/%d", id)
	b.activate(t, "entry from the timeline", `main ol.pillars-timeline a[href="`+path+`"]`)
	wantPath(t, b, path)
}

// waitFor polls a condition in the page until it holds, failing after a generous deadline that
// only guards against a hang.
func waitFor(t *testing.T, b *tab, what, cond string) {
	t.Helper()
	deadline := time.Now().Add(navigationTimeout)
	for !eval[bool](t, b, cond) {
		if time.Now().After(deadline) {
			t.Fatalf("waited %s for %s; the page shows: %q", navigationTimeout, what, b.text(t, "main"))
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// download fetches a path of the app over HTTP with the tab's cookies, as the browser would
// when following a download link, and returns the response with its body.
func download(t *testing.T, b *tab, path string) (*http.Response, []byte) {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, actionTimeout)
	defer cancel()
	res, err := chromedp.Call(ctx, network.GetCookies, network.GetCookiesParams{URLs: []string{b.app.URL}})
	if err != nil {
		t.Fatalf("read the tab's cookies: %v", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, b.app.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range res.Cookies {
		req.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("download %s: %v", path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("download %s: %v", path, err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("download %s: HTTP status %d: %.200s", path, resp.StatusCode, body)
	}
	return resp, body
}

// certificatePDF writes a small real PDF, as a course certificate might be.
func certificatePDF(t *testing.T, path string) []byte {
	t.Helper()
	f := fpdf.New("P", "mm", "A4", "")
	f.AddPage()
	f.SetFont("Helvetica", "B", 18)
	f.Cell(0, 12, "Certificate of attendance")
	f.Ln(14)
	f.SetFont("Helvetica", "", 12)
	f.Cell(0, 8, practitionerName+" attended the sensory integration study day.")
	var buf bytes.Buffer
	if err := f.Output(&buf); err != nil {
		t.Fatalf("make a PDF: %v", err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// pngNamedPDF writes a PNG image under a .pdf name.
func pngNamedPDF(t *testing.T, path string) {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 4, 4))
	for i := range 4 {
		img.Set(i, i, color.RGBA{R: 0, G: 94, B: 184, A: 255})
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// evidenceFiles lists the file names in an entry page's evidence table.
func evidenceFiles(t *testing.T, b *tab) []string {
	t.Helper()
	return b.texts(t, `main table tbody td a[href^="/portfolio/evidence/"]`)
}

// pauseJobs stops the app's job queue, as if it were busy with other work; resumeJobs starts it
// again. Jobs queued meanwhile wait in the database.
func pauseJobs(t *testing.T, app *testutil.App) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), navigationTimeout)
	defer cancel()
	if err := app.Queue.Stop(ctx); err != nil {
		t.Fatalf("stop the job queue: %v", err)
	}
}

func resumeJobs(t *testing.T, app *testutil.App) {
	t.Helper()
	// The app's own clean-up stops the queue at the end of the test.
	if err := app.Queue.Start(context.Background()); err != nil {
		t.Fatalf("start the job queue again: %v", err)
	}
}

// collapse joins runs of white space into one space, so text laid out over lines compares
// with the text written.
func collapse(s string) string { return strings.Join(strings.Fields(s), " ") }

// TestPortfolioJourney follows a practitioner through the CPD portfolio with only the keyboard:
// three reflections in three models, a planted NHS number found and redacted, evidence
// attached, and an HCPC audit pack written, built and downloaded.
func TestPortfolioJourney(t *testing.T) {
	app := startApp(t)
	b := newTab(t, app, true)
	signIn(t, b, practitionerEmail, demo.Password)
	dir := t.TempDir()

	entries := []cpdEntry{
		{Title: "Sensory integration study day", Date: daysAgo(20), Type: "formal-educational", Hours: "6", Model: "gibbs",
			Stages: []stageText{
				{"description", "I went to a regional study day on sensory integration for adults with learning disabilities."},
				{"feelings", "I felt out of my depth in the morning and more confident after the practical sessions."},
				{"evaluation", "The case discussions were the most useful part of the day."},
				{"analysis", "Linking the sensory profile to daily routines made the theory make sense for my caseload."},
				{"conclusion", "I learnt to separate sensory seeking from avoiding when I assess."},
				{"action-plan", "I will use the sensory profile with two people on my caseload and discuss them in supervision."},
			},
			Tags: []string{"hcpc-cpd:standard-3", "ot-leadership:communication"}},
		{Title: "Supervision on caseload prioritisation", Date: daysAgo(12), Type: "work-based", Hours: "1", Model: "driscoll",
			Stages: []stageText{
				{"what", "My supervisor and I reviewed how I rank new referrals on the community team waiting list."},
				{"so-what", "I had been ranking by date of referral rather than by occupational risk."},
				{"now-what", "I will use the team's risk criteria at every allocation meeting and review it in a month."},
			},
			Tags: []string{"hcpc-cpd:standard-4"}},
		{Title: "Running the falls prevention group", Date: daysAgo(5), Type: "professional-activity", Hours: "2", Model: "kolb",
			Stages: []stageText{
				{"concrete-experience", "I ran the six-week falls prevention group on my own for the first time."},
				{"reflective-observation", "Attendance dropped in week three, when the sessions became more about theory."},
				{"abstract-conceptualisation", "Graded, practical activity keeps people engaged better than talks about risk."},
				{"active-experimentation", "I will start each session with a practical task and keep theory to ten minutes."},
			},
			Tags: []string{"rcot-pillars:leadership"}},
	}
	ids := make([]int64, len(entries))

	t.Run("three reflections in three models", func(t *testing.T) {
		navigateTo(t, b, "portfolio (from the header)", "/portfolio")
		if h := b.text(t, "main h1"); h != "Your CPD portfolio" {
			t.Errorf("heading is %q", h)
		}
		if got := b.text(t, "#timeline"); got != "Timeline: 0 entries" {
			t.Errorf("an empty portfolio's timeline says %q, want Timeline: 0 entries", got)
		}

		// Gibbs is the form's first model: six stage boxes without asking.
		b.activate(t, "record CPD", `main a.nhsuk-button[href="/portfolio/entries/new"]`)
		wantPath(t, b, "/portfolio/entries/new")
		if h := b.text(t, "main h1"); h != "Record CPD" {
			t.Errorf("heading is %q, want Record CPD", h)
		}
		if got := checked(t, b, "model"); got != "gibbs" {
			t.Errorf("the model chosen at first is %q, want gibbs", got)
		}
		gibbs := model(t, "gibbs")
		wantItems(t, "Gibbs stage boxes", formStages(t, b), stageTitles(gibbs))
		if len(gibbs.Stages) != 6 {
			t.Errorf("Gibbs' reflective cycle has %d stages, want 6", len(gibbs.Stages))
		}
		writeEntry(t, b, entries[0])
		ids[0] = saveEntry(t, b, entries[0].Title)
		checkEntryPage(t, b, entries[0])

		// Driscoll: the title and date are typed before switching, and must survive the switch.
		navigateTo(t, b, "portfolio", "/portfolio")
		b.activate(t, "record CPD", `main a.nhsuk-button[href="/portfolio/entries/new"]`)
		e := entries[1]
		b.typeInto(t, "#title", e.Title)
		typeDate(t, b, "#started_on", e.Date)
		choose(t, b, fmt.Sprintf(`input[name="activity_type"][value=%q]`, e.Type))
		useModel(t, b, "driscoll")
		wantItems(t, "Driscoll stage boxes", formStages(t, b), []string{"What?", "So what?", "Now what?"})
		if got := b.value(t, "#title"); got != e.Title {
			t.Errorf("after switching model the title holds %q, want %q", got, e.Title)
		}
		writeEntry(t, b, e) // retypes the same values; the model is already Driscoll's
		ids[1] = saveEntry(t, b, e.Title)
		checkEntryPage(t, b, e)
		if got := b.summaryList(t)["Reflective model"]; got != "Driscoll's What? So what? Now what?" {
			t.Errorf("Reflective model is %q", got)
		}
	})
	if t.Failed() {
		t.FailNow()
	}

	t.Run("a planted NHS number is found and redacted", func(t *testing.T) {
		const nhs = "943 476 5919" // passes the modulus 11 check
		e := entries[2]
		planted := e
		planted.Stages = slices.Clone(e.Stages)
		planted.Stages[1].Text = "Attendance dropped in week three; I noted NHS number " + nhs + " beside one name on the register."
		navigateTo(t, b, "portfolio", "/portfolio")
		b.activate(t, "record CPD", `main a.nhsuk-button[href="/portfolio/entries/new"]`)
		writeEntry(t, b, planted)
		field := "#stage_" + planted.Stages[1].Key

		resp := b.activate(t, "NHS number refused", `#entry-form button[name="action"][value="save"]`)
		wantStatus(t, "save with an NHS number", resp.Status, 422)
		if got := b.title(t); !strings.HasPrefix(got, "Error: ") {
			t.Errorf("title is %q, want it to start with Error:", got)
		}
		errs := b.errorSummary(t)
		if len(errs) != 1 || !strings.Contains(errs[0], "This may identify a service user") || !strings.Contains(errs[0], "NHS number") {
			t.Errorf("error summary %q, want one problem saying an NHS number may identify a service user", errs)
		}
		if got := b.value(t, field); got != planted.Stages[1].Text {
			t.Errorf("after the refusal %s holds %q, want what was typed", field, got)
		}
		if got := b.value(t, "#title"); got != e.Title {
			t.Errorf("after the refusal the title holds %q, want %q", got, e.Title)
		}
		if got := b.value(t, "#stage_"+e.Stages[0].Key); got != e.Stages[0].Text {
			t.Errorf("after the refusal the first stage holds %q, want what was typed", got)
		}
		wantContains(t, "finding", b.text(t, "#findings"), nhs)
		redact := fmt.Sprintf(`#findings button[name="redact"][value^=%q]`, strings.TrimPrefix(field, "#")+"@")
		if n := eval[int](t, b, fmt.Sprintf(`document.querySelectorAll(%s).length`, jsString(redact))); n != 1 {
			t.Fatalf("%d Redact buttons for the finding in %s, want 1", n, field)
		}
		wantContains(t, "redact button", b.text(t, redact), "Redact")

		resp = b.activate(t, "number redacted", redact)
		wantStatus(t, "redact", resp.Status, 200)
		got := b.value(t, field)
		if !strings.Contains(got, "[NHS number removed]") || strings.Contains(got, nhs) || strings.Contains(got, "9434765919") {
			t.Errorf("after Redact %s holds %q, want the number replaced by [NHS number removed]", field, got)
		}
		if errs := b.errorSummary(t); errs != nil {
			t.Errorf("after redacting the only finding the page still lists problems: %q", errs)
		}
		if b.text(t, "#findings") != "" {
			t.Errorf("after redacting the only finding the page still shows findings")
		}
		if got := b.value(t, "#title"); got != e.Title {
			t.Errorf("after Redact the title holds %q, want %q", got, e.Title)
		}

		ids[2] = saveEntry(t, b, e.Title)
		planted.Stages[1].Text = got
		checkEntryPage(t, b, planted)
		if strings.Contains(b.text(t, "main"), nhs) {
			t.Errorf("the saved entry still shows the NHS number")
		}
		entries[2] = planted

		navigateTo(t, b, "portfolio timeline", "/portfolio")
		if got := b.text(t, "#timeline"); got != "Timeline: 3 entries" {
			t.Errorf("the timeline says %q, want Timeline: 3 entries", got)
		}
		titles := b.texts(t, "main ol.pillars-timeline h3 a")
		slices.Sort(titles)
		want := []string{entries[0].Title, entries[1].Title, entries[2].Title}
		slices.Sort(want)
		wantItems(t, "timeline entries", titles, want)
		// Autosave made each entry a draft while it was written; saving turned that draft into
		// the entry, so none is left over.
		if drafts := b.texts(t, `main a[href$="/edit"]`); len(drafts) != 0 {
			t.Errorf("after saving every entry, drafts are still listed: %q", drafts)
		}
	})
	if t.Failed() {
		t.FailNow()
	}

	// A fourth activity, with a number that looks like an NHS number but fails its check digit:
	// it is saved without a word.
	fourth := cpdEntry{Title: "Reading on graded activity", Date: daysAgo(2), Type: "self-directed", Hours: "1.5", Model: "schon",
		Stages: []stageText{
			{"in-action", "While reading I tried the grading steps on my own morning routine."},
			{"on-action", "The paper's reference 943 476 5910 was the trial register number; I will share the summary with the team."},
		},
		Tags: []string{"hcpc-cpd:standard-2"}}
	t.Run("a number that is not an NHS number is not flagged", func(t *testing.T) {
		ids = append(ids, recordEntry(t, b, fourth))
		wantContains(t, "entry text", b.text(t, "main"), "943 476 5910")
		entries = append(entries, fourth)
	})
	if t.Failed() {
		t.FailNow()
	}

	certificate := filepath.Join(dir, "certificate.pdf")
	certBytes := certificatePDF(t, certificate)
	t.Run("evidence files", func(t *testing.T) {
		entryPath := fmt.Sprintf("/portfolio/entries/%d", ids[0])
		openEntry(t, b, ids[0])
		wantContains(t, "evidence", b.text(t, "main"), "No evidence attached.")
		input := `main form[action$="/evidence"] input[type="file"]`
		b.do(t, "choose the certificate", chromedp.SetUploadFiles(chromedp.CSS(input), []string{certificate}))
		resp := b.activate(t, "evidence added", `main form[action$="/evidence"] button[type="submit"]`)
		wantStatus(t, "add evidence", resp.Status, 200)
		wantPath(t, b, entryPath)
		wantContains(t, "flash", flash(t, b), "Evidence added.")
		wantItems(t, "evidence files", evidenceFiles(t, b), []string{"certificate.pdf"})
		href := eval[string](t, b, `document.querySelector('main table tbody td a[href^="/portfolio/evidence/"]').getAttribute('href')`)
		if _, body := download(t, b, href); !bytes.Equal(body, certBytes) {
			t.Errorf("downloading the evidence gave %d bytes, not the %d uploaded", len(body), len(certBytes))
		}

		// A PNG named .pdf: the content decides, and nothing is added.
		fake := filepath.Join(dir, "scan.pdf")
		pngNamedPDF(t, fake)
		b.do(t, "choose a PNG named .pdf", chromedp.SetUploadFiles(chromedp.CSS(input), []string{fake}))
		resp = b.activate(t, "PNG named .pdf refused", `main form[action$="/evidence"] button[type="submit"]`)
		wantStatus(t, "add a PNG named .pdf", resp.Status, 422)
		errs := b.errorSummary(t)
		if len(errs) != 1 || !strings.Contains(errs[0], "scan.pdf") || !strings.Contains(errs[0], "its content is a PNG image") {
			t.Errorf("error summary %q, want one problem saying scan.pdf's content is a PNG image", errs)
		}
		wantContains(t, "field error", b.text(t, "#evidence-error"), "its content is a PNG image")
		// The error's link takes keyboard users to the file field, which its label names.
		if !eval[bool](t, b, `document.querySelectorAll('[id="evidence"]').length === 1 && document.getElementById('evidence').matches('input[type=file]') && document.getElementById('evidence').labels.length === 1`) {
			t.Errorf("the entry page's id=evidence is not one labelled file field")
		}
		b.do(t, "follow the error link", chromedp.Focus(chromedp.CSS(`.nhsuk-error-summary__list a[href="#evidence"]`)), enter())
		if !b.focusedMatches(t, `main form[action$="/evidence"] input[type="file"]`) {
			t.Errorf("the error link moved focus to %s, want the file field", b.focused(t))
		}
		wantItems(t, "evidence files after the refusal", evidenceFiles(t, b), []string{"certificate.pdf"})
		b.visit(t, "entry reloaded", entryPath)
		wantItems(t, "evidence files stored", evidenceFiles(t, b), []string{"certificate.pdf"})
	})
	if t.Failed() {
		t.FailNow()
	}

	summary := "I am a band 6 occupational therapist in the North Vale community rehabilitation team. " +
		"I work with adults after stroke, falls and orthopaedic surgery, in their homes and in clinics. " +
		"A typical week includes assessments, graded activity programmes, equipment provision and a falls prevention group."
	statements := []string{
		"I keep a continuous record of my CPD in Pillars, with dated entries and evidence for each activity.",
		"My activities mix formal education, work-based learning, professional activity and self-directed reading (activities 1 to 4).",
		"The study day changed how I assess sensory needs, and supervision changed how I prioritise referrals (activities 1 and 2).",
		"Practical first sessions kept more people in the falls group, so more people finished the programme (activity 3, evidence 1).",
		"This profile, its statement and the evidence in the attached parts are my CPD profile for the HCPC.",
	}
	var packPath string
	t.Run("audit pack", func(t *testing.T) {
		navigateTo(t, b, "portfolio", "/portfolio")
		b.activate(t, "HCPC audit pack", `main a[href="/portfolio/audit"]`)
		wantPath(t, b, "/portfolio/audit")
		start, end := portfolio.DefaultCycle(time.Now())
		for id, want := range map[string]string{"profession": portfolio.DefaultProfession, "cycle_start": start, "cycle_end": end} {
			if got := b.value(t, "#"+id); got != want {
				t.Errorf("the pack form's %s is %q, want %q", id, got, want)
			}
		}
		resp := b.activate(t, "pack opened", `main form[action="/portfolio/audit"] button[type="submit"]`)
		wantStatus(t, "open pack", resp.Status, 200)
		packPath = b.path(t)
		if !packURL.MatchString(packPath) {
			t.Fatalf("opening the pack went to %s, want /portfolio/audit/{id}", packPath)
		}
		wantContains(t, "heading", b.text(t, "main h1"), "HCPC audit pack")

		// The dated list holds the four activities; pick all four.
		picks := eval[[]string](t, b, `[...document.querySelectorAll('main input[name="selected"]')].map(i => i.value)`)
		if len(picks) != 4 {
			t.Fatalf("the pack lists %d activities to pick, want 4", len(picks))
		}
		for _, id := range picks {
			choose(t, b, fmt.Sprintf(`main input[name="selected"][value=%q]`, id))
		}

		// The hard limit: 501 words are refused, and kept in the box.
		tooLong := strings.TrimSpace(strings.Repeat("practice ", 501))
		b.fill(t, "#summary", tooLong)
		wantContains(t, "live word count", b.text(t, "#summary-count"), "501 words: 1 over the limit of 500")
		resp = b.activate(t, "summary too long", `main form[action="`+packPath+`"] button[type="submit"]`)
		wantStatus(t, "501-word summary", resp.Status, 422)
		errs := b.errorSummary(t)
		if len(errs) != 1 || !strings.Contains(errs[0], "501 words") || !strings.Contains(errs[0], "Cut 1") {
			t.Errorf("error summary %q, want one problem saying the summary is 501 words and to cut 1", errs)
		}
		wantContains(t, "field error", b.text(t, "#summary-error"), "501 words")
		if got := b.value(t, "#summary"); got != tooLong {
			t.Errorf("after the refusal the summary box holds %d characters, want the %d typed", len(got), len(tooLong))
		}
		if got := len(eval[[]string](t, b, `[...document.querySelectorAll('main input[name="selected"]:checked')].map(i => i.value)`)); got != 4 {
			t.Errorf("after the refusal %d activities are picked, want the 4 picked before", got)
		}

		b.typeInto(t, "#summary", summary)
		words := portfolio.CountWords(summary)
		if got, want := b.text(t, "#summary-count"), fmt.Sprintf("%d of 500 words", words); got != want {
			t.Errorf("the live word count says %q, want %q", got, want)
		}
		names := eval[[]string](t, b, `[...document.querySelectorAll('main textarea[name^="statement_"]')].map(a => a.id)`)
		if len(names) != 5 {
			t.Fatalf("the pack asks for %d standards (%q), want 5", len(names), names)
		}
		total := 0
		for i, id := range names {
			b.typeInto(t, "#"+id, statements[i])
			total += portfolio.CountWords(statements[i])
		}
		if got, want := b.text(t, "#statement-count"), fmt.Sprintf("%d of 1500 words", total); got != want {
			t.Errorf("the statement's live word count says %q, want %q", got, want)
		}
		// The year before these entries is a gap the HCPC wants explained.
		for _, id := range eval[[]string](t, b, `[...document.querySelectorAll('main textarea[name^="gap_"]')].map(a => a.id)`) {
			b.typeInto(t, "#"+id, "I was on maternity leave.")
		}

		resp = b.activate(t, "pack saved", `main form[action="`+packPath+`"] button[type="submit"]`)
		wantStatus(t, "save pack", resp.Status, 200)
		wantPath(t, b, packPath)
		wantContains(t, "flash", flash(t, b), "Your audit pack has been saved.")
		if got := b.value(t, "#summary"); got != summary {
			t.Errorf("the saved summary is %q, want %q", got, summary)
		}
		checks := eval[map[string]string](t, b, `Object.fromEntries([...document.querySelectorAll('main li.pillars-check')].map(li =>
			[li.querySelector('a').innerText.trim(), li.querySelector('.nhsuk-tag').innerText.trim() + ': ' + li.innerText.split(': ').slice(1).join(': ').trim()]))`)
		t.Logf("readiness: %q", checks)
		want := map[string]string{
			"Activities in the cycle":                    "Done: 4 activities recorded",
			"At least two activity types":                "Done: 4 of 5 types used.",
			"Gaps of three months or more explained":     "Done: ",
			"Summary of practice":                        fmt.Sprintf("Done: %d of 500 words.", words),
			"Statement of how you meet the standards":    fmt.Sprintf("Done: %d of 1500 words; 5 of 5 standards written about.", total),
			"4 to 6 activities picked for the statement": "Done: 4 picked.",
			"Nothing that could identify a service user": "Done: 0 possible identifiers",
		}
		if len(checks) != len(want) {
			t.Errorf("the readiness checklist has %d items (%q), want %d", len(checks), checks, len(want))
		}
		for k, v := range want {
			if !strings.HasPrefix(checks[k], v) {
				t.Errorf("readiness %q: %q, want it to start %q", k, checks[k], v)
			}
		}
		wantContains(t, "evidence list", b.text(t, "main #evidence + ol"), "certificate.pdf")
	})
	if packPath == "" || t.Failed() {
		t.FailNow()
	}

	t.Run("build and download the pack", func(t *testing.T) {
		// The queue is busy: the build waits, and the page must say so and keep checking.
		pauseJobs(t, app)
		resp := b.activate(t, "building the pack", `main form[action$="/exports"] button[type="submit"]`)
		wantStatus(t, "build pack", resp.Status, 200)
		if m := exportURL.FindStringSubmatch(b.path(t)); m == nil || "/portfolio/audit/"+m[1] != packPath {
			t.Fatalf("Build the pack went to %s, want %s/exports/{id}", b.path(t), packPath)
		}
		if h := b.text(t, "main h1"); h != "Building your audit pack" {
			t.Errorf("heading is %q", h)
		}
		if !eval[bool](t, b, `!!document.querySelector('#export-status progress#export-progress')`) {
			t.Errorf("the export page shows no progress bar while the pack waits to be built: %q", b.text(t, "#export-status"))
		}
		wantContains(t, "progress", b.text(t, "#export-status"), "0% done")
		// The files must arrive by htmx polling the page in place, not by a reload.
		eval[bool](t, b, `window.pillarsE2EStayed = true`)
		resumeJobs(t, app)
		waitFor(t, b, "the pack's files", `!!document.querySelector('#export-status table')`)
		if !eval[bool](t, b, `window.pillarsE2EStayed === true`) {
			t.Errorf("the page reloaded to show the files: htmx did not update it in place")
		}
		b.check(t, "pack built")
		wantContains(t, "ready", b.text(t, "#export-status"), "Your pack is ready")
		type file struct {
			Name string `json:"name"`
			Href string `json:"href"`
		}
		files := eval[[]file](t, b, `[...document.querySelectorAll('#export-status table tbody a')].map(a => ({name: a.innerText.trim(), href: a.getAttribute('href')}))`)
		byExt := map[string]file{}
		var parts []file
		for _, f := range files {
			if partName.MatchString(f.Name) || strings.HasPrefix(f.Name, "cpd-evidence-part-") {
				parts = append(parts, f)
				continue
			}
			byExt[filepath.Ext(f.Name)] = f
		}
		for _, ext := range []string{".pdf", ".docx", ".html"} {
			if byExt[ext].Href == "" {
				t.Errorf("the pack's files %q have no %s", files, ext)
			}
		}
		if len(parts) == 0 || !partName.MatchString(parts[0].Name) {
			t.Fatalf("the pack's files %q have no cpd-evidence-part-1-of-N.zip", files)
		}
		if m := partName.FindStringSubmatch(parts[0].Name); m[1] != strconv.Itoa(len(parts)) {
			t.Errorf("the first part is %s, but %d parts are listed", parts[0].Name, len(parts))
		}

		// The PDF, read as text.
		resp2, pdf := download(t, b, byExt[".pdf"].Href)
		if ct := resp2.Header.Get("Content-Type"); ct != "application/pdf" {
			t.Errorf("the PDF is sent as %q", ct)
		}
		pdfPath := filepath.Join(t.TempDir(), "pack.pdf")
		if err := os.WriteFile(pdfPath, pdf, 0o644); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command("pdftotext", "-layout", pdfPath, "-").Output()
		if err != nil {
			t.Fatalf("pdftotext: %v", err)
		}
		text := collapse(string(out))
		for _, want := range []string{practitionerName, "Summary of practice", collapse(summary), entries[0].Title, fourth.Title, "Page 1 of"} {
			if !strings.Contains(text, want) {
				t.Errorf("the PDF's text does not contain %q:\n%s", want, out)
			}
		}

		// The Word document and the web page say the same.
		_, docx := download(t, b, byExt[".docx"].Href)
		if zr, err := zip.NewReader(bytes.NewReader(docx), int64(len(docx))); err != nil {
			t.Errorf("the .docx is not a zip: %v", err)
		} else if f, err := zr.Open("word/document.xml"); err != nil {
			t.Errorf("the .docx has no word/document.xml: %v", err)
		} else {
			xml, _ := io.ReadAll(f)
			f.Close()
			for _, want := range []string{practitionerName, "Summary of practice", entries[0].Title} {
				if !bytes.Contains(xml, []byte(want)) {
					t.Errorf("the .docx does not contain %q", want)
				}
			}
		}
		_, page := download(t, b, byExt[".html"].Href)
		for _, want := range []string{practitionerName, "Summary of practice", summary, entries[0].Title} {
			if !bytes.Contains(page, []byte(want)) {
				t.Errorf("the .html does not contain %q", want)
			}
		}

		// The evidence part holds the certificate as uploaded, within the HCPC's 10 MB.
		_, zipped := download(t, b, parts[0].Href)
		if len(zipped) > 10<<20 || len(zipped) > auditpack.PartLimit {
			t.Errorf("%s is %d bytes, over 10 MB", parts[0].Name, len(zipped))
		}
		zr, err := zip.NewReader(bytes.NewReader(zipped), int64(len(zipped)))
		if err != nil {
			t.Fatalf("%s is not a zip: %v", parts[0].Name, err)
		}
		var names []string
		found := false
		for _, f := range zr.File {
			names = append(names, f.Name)
			if !strings.HasSuffix(f.Name, "certificate.pdf") {
				continue
			}
			rc, err := f.Open()
			if err != nil {
				t.Fatal(err)
			}
			data, err := io.ReadAll(rc)
			rc.Close()
			if err != nil {
				t.Fatal(err)
			}
			found = bytes.Equal(data, certBytes)
			if !found {
				t.Errorf("%s in %s is %d bytes and differs from the %d uploaded", f.Name, parts[0].Name, len(data), len(certBytes))
			}
		}
		if !found {
			t.Errorf("%s holds %q, want the uploaded certificate.pdf", parts[0].Name, names)
		}
	})

	t.Run("hours, export, import and delete", func(t *testing.T) {
		navigateTo(t, b, "portfolio", "/portfolio")
		b.activate(t, "hours", `main a[href="/portfolio/totals"]`)
		wantPath(t, b, "/portfolio/totals")
		all := eval[[]string](t, b, `(() => { const th = [...document.querySelectorAll('main table th[scope=row]')].find(th => th.innerText.trim() === 'All activities');
			return th ? [...th.parentElement.cells].slice(1).map(c => c.innerText.trim()) : [] })()`)
		if !slices.Equal(all, []string{"4", "10.5"}) {
			t.Errorf("the totals for all activities are %q, want 4 entries and 10.5 hours", all)
		}

		// The whole portfolio leaves as JSON and comes back in: what is already there is not
		// added twice.
		navigateTo(t, b, "portfolio", "/portfolio")
		_, exported := download(t, b, eval[string](t, b, `document.querySelector('main a[href="/portfolio/export/json"]').getAttribute('href')`))
		for _, e := range entries {
			if !bytes.Contains(exported, []byte(e.Title)) {
				t.Errorf("the JSON export does not contain %q", e.Title)
			}
		}
		exportFile := filepath.Join(dir, "portfolio.json")
		if err := os.WriteFile(exportFile, exported, 0o644); err != nil {
			t.Fatal(err)
		}
		b.activate(t, "import form", `main a[href="/portfolio/import"]`)
		wantPath(t, b, "/portfolio/import")
		b.do(t, "choose the export", chromedp.SetUploadFiles(chromedp.CSS("#file"), []string{exportFile}))
		resp := b.activate(t, "imported", `main form[action="/portfolio/import"] button[type="submit"]`)
		wantStatus(t, "import", resp.Status, 200)
		if h := b.text(t, "main h1"); h != "Portfolio imported" {
			t.Fatalf("heading is %q (errors %q), want Portfolio imported", h, b.errorSummary(t))
		}
		wantContains(t, "import result", b.text(t, "main [role=status]"), "4 entries were already in your portfolio")
		navigateTo(t, b, "portfolio", "/portfolio")
		if got := b.text(t, "#timeline"); got != "Timeline: 4 entries" {
			t.Errorf("after importing what was already there the timeline says %q, want Timeline: 4 entries", got)
		}

		// Deleting asks first.
		openEntry(t, b, ids[3])
		b.activate(t, "delete?", `main form[action$="/delete"] button[type="submit"]`)
		if h := b.text(t, "main h1"); h != "Delete “"+fourth.Title+"”?" {
			t.Errorf("the confirmation heading is %q", h)
		}
		b.activate(t, "deleted", `main form[action$="/delete"] button[type="submit"]`)
		wantPath(t, b, "/portfolio")
		wantContains(t, "flash", flash(t, b), "The entry and its evidence have been deleted.")
		if got := b.text(t, "#timeline"); got != "Timeline: 3 entries" {
			t.Errorf("after deleting one, the timeline says %q, want Timeline: 3 entries", got)
		}
		resp = b.visit(t, "deleted entry", fmt.Sprintf("/portfolio/entries/%d", ids[3]))
		wantStatus(t, "deleted entry", resp.Status, 404)
	})
}

// TestPortfolioSharing shares an entry by a link, reads it in a signed-out browser, leaves
// feedback there, and sees the view from the owner's side.
func TestPortfolioSharing(t *testing.T) {
	app := startApp(t)
	b := newTab(t, app, true)
	signIn(t, b, practitionerEmail, demo.Password)
	e := cpdEntry{Title: "Team teaching on pressure care", Date: daysAgo(3), Type: "professional-activity", Hours: "1", Model: "free",
		Stages: []stageText{{"reflection", "I taught the team how seating affects pressure care, and made a one-page guide with the tissue viability nurse."}}}
	id := recordEntry(t, b, e)
	entryPath := fmt.Sprintf("/portfolio/entries/%d", id)

	// With a supervisor on Pillars, who finds it under "Shared CPD".
	choose(t, b, "#how")
	b.typeInto(t, "#viewer", supervisorEmail)
	resp := b.activate(t, "shared with a supervisor", `main form[action$="/shares"] button[type="submit"]`)
	wantStatus(t, "share with a person", resp.Status, 200)
	wantPath(t, b, entryPath)
	wantContains(t, "flash", flash(t, b), "Shared.")
	wantContains(t, "sharing table", b.text(t, "main #sharing ~ table"), supervisorName)
	supervisor := newTab(t, app, true)
	supervisor.name = t.Name() + "-supervisor"
	signIn(t, supervisor, supervisorEmail, demo.Password)
	navigateTo(t, supervisor, "shared CPD (from the header)", "/portfolio/shared")
	if got := supervisor.texts(t, "main table tbody td a"); !slices.Equal(got, []string{e.Title}) {
		t.Fatalf("entries shared with the supervisor: %q, want %q", got, e.Title)
	}
	supervisor.activate(t, "shared entry", `main table tbody td a[href^="/portfolio/shared/"]`)
	if h := supervisor.text(t, "main h1"); h != e.Title {
		t.Errorf("the supervisor sees the heading %q, want %q", h, e.Title)
	}
	wantContains(t, "reflection", supervisor.text(t, "main"), e.Stages[0].Text)

	choose(t, b, "#how-link")
	if got := b.value(t, "#days"); got != "14" {
		t.Errorf("the link's days start at %q, want 14", got)
	}
	resp = b.activate(t, "link made", `main form[action$="/shares"] button[type="submit"]`)
	wantStatus(t, "share by link", resp.Status, 200)
	link := b.text(t, "#new-link")
	if !strings.HasPrefix(link, app.URL+"/shared/") {
		t.Fatalf("the new link is %q, want %s/shared/...", link, app.URL)
	}
	wantContains(t, "sharing table", b.text(t, "main #sharing ~ table"), "Anyone with the link")

	// A reader who is not signed in, in a browser of their own.
	reader := newTab(t, app, true)
	reader.name = t.Name() + "-reader"
	resp = reader.open(t, "shared entry", link)
	wantStatus(t, "shared link", resp.Status, 200)
	if h := reader.text(t, "main h1"); h != e.Title {
		t.Errorf("the shared page's heading is %q, want %q", h, e.Title)
	}
	wantContains(t, "caption", reader.text(t, "main .nhsuk-caption-l"), "Shared by "+practitionerName)
	wantContains(t, "reflection", reader.text(t, "main"), e.Stages[0].Text)
	if got := reader.summaryList(t)["Reflective model"]; got != model(t, "free").Name {
		t.Errorf("the shared page's model is %q", got)
	}
	if got := reader.text(t, "header .nhsuk-header__account-link"); got != "Sign in" {
		t.Errorf("the reader's header offers %q, want Sign in: they are not signed in", got)
	}
	// Nothing to change: no edit link, no evidence form, no share form.
	if n := eval[int](t, reader, `document.querySelectorAll('main a[href*="/edit"], main form[action*="/portfolio/entries/"]').length`); n != 0 {
		t.Errorf("the shared page has %d edit links or forms", n)
	}
	const feedback = "Clear and practical. Add how you will check the guide is used."
	reader.typeInto(t, "#author", "Sam Okafor")
	reader.typeInto(t, "#body", feedback)
	resp = reader.activate(t, "feedback left", `main form[action$="/comments"] button[type="submit"]`)
	wantStatus(t, "feedback", resp.Status, 200)
	if got := reader.path(t); !strings.HasPrefix(app.URL+got, link) {
		t.Errorf("after feedback the reader is at %s, want back at the link", got)
	}
	cards := reader.texts(t, "main #feedback ~ .nhsuk-card")
	if len(cards) != 1 || !strings.HasPrefix(cards[0], "Sam Okafor") || !strings.Contains(cards[0], feedback) {
		t.Errorf("the shared page's feedback is %q, want Sam Okafor's", cards)
	}

	// The owner sees the view and the feedback.
	openEntry(t, b, id)
	if cards := b.texts(t, "main #feedback ~ .nhsuk-card"); len(cards) != 1 || !strings.Contains(cards[0], "Sam Okafor") || !strings.Contains(cards[0], feedback) {
		t.Errorf("the owner's entry page shows feedback %q, want Sam Okafor's", cards)
	}
	navigateTo(t, b, "portfolio", "/portfolio")
	b.activate(t, "sharing", `main a[href="/portfolio/sharing"]`)
	wantPath(t, b, "/portfolio/sharing")
	views := eval[[][]string](t, b, `[...document.querySelectorAll('main #views + table tbody tr')].map(tr => [...tr.cells].map(c => c.innerText.trim()))`)
	if len(views) == 0 {
		t.Fatalf("Who has looked lists nobody: %q", b.text(t, "main"))
	}
	seen := map[string]int{}
	for _, v := range views {
		if len(v) != 3 || !strings.Contains(v[2], e.Title) {
			t.Errorf("a view is logged as %q, want a look at %q", v, e.Title)
			continue
		}
		seen[v[1]]++
	}
	if seen["Someone with the link"] == 0 || seen[supervisorName] == 0 || len(seen) != 2 {
		t.Errorf("Who has looked lists %q, want someone with the link and %s", views, supervisorName)
	}
	shares := eval[map[string]string](t, b, `Object.fromEntries([...document.querySelector('main h2 + table').tBodies[0].rows].map(tr => [tr.cells[1].innerText.trim().split(',')[0], tr.cells[2].innerText.trim()]))`)
	if want := strconv.Itoa(seen["Someone with the link"]); shares["Anyone with the link"] != want {
		t.Errorf("What you share shows %q, want the link with %s views, as Who has looked lists", shares, want)
	}
	if want := strconv.Itoa(seen[supervisorName]); shares[supervisorName+" ("+supervisorEmail+")"] != want {
		t.Errorf("What you share shows %q, want %s with %s views, as Who has looked lists", shares, supervisorName, want)
	}

	// Stopping sharing ends the link.
	stop := eval[string](t, b, `(() => { const tr = [...document.querySelector('main h2 + table').tBodies[0].rows].find(tr => tr.cells[1].innerText.startsWith('Anyone with the link'));
		return tr ? tr.querySelector('form').getAttribute('action') : '' })()`)
	if stop == "" {
		t.Fatalf("no Stop sharing button for the link")
	}
	resp = b.activate(t, "sharing stopped", `main form[action="`+stop+`"] button[type="submit"]`)
	wantStatus(t, "stop sharing", resp.Status, 200)
	wantContains(t, "flash", flash(t, b), "Sharing stopped")
	resp = reader.open(t, "link after sharing stopped", link)
	wantStatus(t, "revoked link", resp.Status, 404)
}

// TestPortfolioWithoutJavaScript records an entry, switching model, with page scripts turned
// off: the form's own buttons do everything.
func TestPortfolioWithoutJavaScript(t *testing.T) {
	app := startApp(t)
	b := newTab(t, app, false)
	signIn(t, b, practitionerEmail, demo.Password)
	navigateTo(t, b, "portfolio (from the header)", "/portfolio")
	b.activate(t, "record CPD", `main a.nhsuk-button[href="/portfolio/entries/new"]`)
	wantPath(t, b, "/portfolio/entries/new")
	wantItems(t, "Gibbs stage boxes", formStages(t, b), stageTitles(model(t, "gibbs")))

	e := cpdEntry{Title: "Shadowing the stroke team's OT lead", Date: daysAgo(4), Type: "work-based", Hours: "3", Model: "schon",
		Stages: []stageText{
			{"in-action", "When a home visit ran late I noticed the lead changed the plan with the family rather than for them."},
			{"on-action", "I will ask families what matters most before I suggest changes to the plan."},
		},
		Tags: []string{"ot-leadership:collaboration", "hcpc-cpd:standard-4"}}
	writeEntry(t, b, e) // switches to Schön's model with the "Use this model" button
	if got := b.path(t); got != "/portfolio/entries" {
		t.Errorf("after Use this model the form is at %s, want /portfolio/entries", got)
	}
	id := saveEntry(t, b, e.Title)
	checkEntryPage(t, b, e)

	navigateTo(t, b, "portfolio", "/portfolio")
	if got := b.text(t, "#timeline"); got != "Timeline: 1 entry" {
		t.Errorf("the timeline says %q, want Timeline: 1 entry", got)
	}
	if got := b.texts(t, "main ol.pillars-timeline h3 a"); !slices.Equal(got, []string{e.Title}) {
		t.Errorf("the timeline lists %q", got)
	}
	if n := eval[int](t, b, `document.querySelectorAll('main a[href$="/edit"]').length`); n != 0 {
		t.Errorf("without JavaScript nothing autosaves, yet %d draft(s) are listed", n)
	}
	b.activate(t, "entry from the timeline", fmt.Sprintf(`main ol.pillars-timeline a[href="/portfolio/entries/%d"]`, id))
	checkEntryPage(t, b, e)

	// The audit pack builds without JavaScript too: "check progress" reloads the page.
	navigateTo(t, b, "portfolio", "/portfolio")
	b.activate(t, "HCPC audit pack", `main a[href="/portfolio/audit"]`)
	b.activate(t, "pack opened", `main form[action="/portfolio/audit"] button[type="submit"]`)
	if !packURL.MatchString(b.path(t)) {
		t.Fatalf("opening the pack went to %s", b.path(t))
	}
	if got := b.texts(t, `main table tbody a[href^="/portfolio/entries/"]`); !slices.Equal(got, []string{e.Title}) {
		t.Errorf("the pack's dated list is %q, want the one entry", got)
	}
	pauseJobs(t, app)
	b.activate(t, "building the pack", `main form[action$="/exports"] button[type="submit"]`)
	if !exportURL.MatchString(b.path(t)) {
		t.Fatalf("Build the pack went to %s", b.path(t))
	}
	if !eval[bool](t, b, `!!document.querySelector('#export-status progress#export-progress')`) {
		t.Errorf("the export page shows no progress bar while the pack waits: %q", b.text(t, "#export-status"))
	}
	resumeJobs(t, app)
	deadline := time.Now().Add(navigationTimeout)
	for b.text(t, "#export-status table") == "" {
		if time.Now().After(deadline) {
			t.Fatalf("after %s of checking progress the pack is not built: %q", navigationTimeout, b.text(t, "#export-status"))
		}
		b.activate(t, "check progress", `#export-status a[href^="/portfolio/audit/"]`)
	}
	files := b.texts(t, "#export-status table tbody a")
	if len(files) != 3 || !strings.HasSuffix(files[0], ".pdf") {
		t.Errorf("the pack's files are %q, want the PDF, Word and web page (no evidence, so no parts)", files)
	}
}

// TestPortfolioSessionExpiry writes a reflection, loses the session, presses Save, and finds the
// text kept after signing in again.
func TestPortfolioSessionExpiry(t *testing.T) {
	app := startApp(t)
	b := newTab(t, app, true)
	signIn(t, b, practitionerEmail, demo.Password)
	navigateTo(t, b, "portfolio (from the header)", "/portfolio")
	b.activate(t, "record CPD", `main a.nhsuk-button[href="/portfolio/entries/new"]`)

	e := cpdEntry{Title: "Long reflection written over lunch", Date: daysAgo(1), Type: "self-directed", Hours: "0.5", Model: "gibbs",
		Stages: []stageText{
			{"description", "I read the new RCOT guidance on record keeping and compared it with how I write my notes."},
			{"feelings", "I was worried my notes are too long to be useful to the rest of the team."},
		}}
	writeEntry(t, b, e)
	// Drafts save as you type.
	waitFor(t, b, "the draft to autosave", `document.getElementById('autosave-status').innerText.startsWith('Draft saved at')`)
	if eval[string](t, b, `document.getElementById('draft_id').value`) == "" {
		t.Errorf("the autosaved draft's id did not reach the form")
	}

	// The session ends on the server (it timed out) while the form is open; the browser still
	// has its now-useless cookie, as it would.
	if _, err := app.DB.Exec(context.Background(), `DELETE FROM sessions`); err != nil {
		t.Fatalf("end the session: %v", err)
	}
	// Autosave now says it could not save, and leaves the text where it is.
	e.Stages = append(e.Stages, stageText{"evaluation", "Shorter notes would be quicker to read at handover."})
	b.typeInto(t, "#stage_evaluation", e.Stages[2].Text)
	waitFor(t, b, "autosave to say the session has ended", `document.getElementById('autosave-status').innerText.includes('signed out')`)
	if got := b.value(t, "#stage_evaluation"); got != e.Stages[2].Text {
		t.Errorf("after the failed autosave the stage holds %q", got)
	}

	resp := b.activate(t, "signed out on save", `#entry-form button[name="action"][value="save"]`)
	wantStatus(t, "save without a session", resp.Status, 200)
	wantPath(t, b, "/sign-in?kept=1&next=%2Fportfolio%2Fentries%2Fnew")
	wantContains(t, "notice", b.text(t, "main .nhsuk-inset-text"), "Pillars has kept what you typed")
	if got := b.value(t, `input[name="next"]`); got != "/portfolio/entries/new" {
		t.Errorf("the sign-in form would return to %q, want /portfolio/entries/new", got)
	}

	b.typeInto(t, "#email", practitionerEmail)
	b.typeInto(t, "#password", demo.Password)
	resp = b.navigate(t, "signed in again", enter())
	wantStatus(t, "sign in again", resp.Status, 200)
	wantPath(t, b, "/portfolio/entries/new")
	wantContains(t, "kept notice", b.text(t, "main .nhsuk-inset-text"), "Pillars kept what you typed")
	if got := b.value(t, "#title"); got != e.Title {
		t.Errorf("the kept form's title is %q, want %q", got, e.Title)
	}
	for _, s := range e.Stages {
		if got := b.value(t, "#stage_"+s.Key); got != s.Text {
			t.Errorf("the kept form's %s is %q, want %q", s.Key, got, s.Text)
		}
	}
	if got := b.value(t, "#hours"); got != e.Hours {
		t.Errorf("the kept form's hours are %q, want %q", got, e.Hours)
	}
	if got := checked(t, b, "activity_type"); got != e.Type {
		t.Errorf("the kept form's activity type is %q, want %q", got, e.Type)
	}
	saveEntry(t, b, e.Title)
	checkEntryPage(t, b, e)
	navigateTo(t, b, "portfolio", "/portfolio")
	if got := b.texts(t, "main ol.pillars-timeline h3 a"); !slices.Equal(got, []string{e.Title}) {
		t.Errorf("the timeline lists %q, want the one entry saved", got)
	}
	if drafts := b.texts(t, `main a[href$="/edit"]`); len(drafts) != 0 {
		t.Errorf("drafts are still listed after the kept entry was saved: %q", drafts)
	}

	// The kept form is given back once.
	navigateTo(t, b, "portfolio", "/portfolio")
	b.activate(t, "a fresh form", `main a.nhsuk-button[href="/portfolio/entries/new"]`)
	if got := b.value(t, "#title"); got != "" {
		t.Errorf("a second new form holds the kept title %q", got)
	}
}

// TestAuditPackConfidentiality writes an NHS number into a pack's summary on purpose, confirms
// it, and is asked once more before the pack is built.
func TestAuditPackConfidentiality(t *testing.T) {
	app := startApp(t)
	b := newTab(t, app, true)
	signIn(t, b, practitionerEmail, demo.Password)
	navigateTo(t, b, "portfolio (from the header)", "/portfolio")
	b.activate(t, "HCPC audit pack", `main a[href="/portfolio/audit"]`)
	b.activate(t, "pack opened", `main form[action="/portfolio/audit"] button[type="submit"]`)
	packPath := b.path(t)
	if !packURL.MatchString(packPath) {
		t.Fatalf("opening the pack went to %s", packPath)
	}
	save := `main form[action="` + packPath + `"] button[type="submit"]`
	build := `main form[action$="/exports"] button[type="submit"]`
	confirms := func() []string {
		return eval[[]string](t, b, `[...document.querySelectorAll('[id="checked_confidential"]')].map(c => c.form ? c.form.getAttribute('action') : '(no form)')`)
	}

	summary := "I work in a community team. The worked example in my teaching used the made-up NHS number 943 476 5919."
	b.typeInto(t, "#summary", summary)
	resp := b.activate(t, "summary with an NHS number", save)
	wantStatus(t, "save with an NHS number", resp.Status, 422)
	if errs := b.errorSummary(t); len(errs) != 1 || !strings.Contains(errs[0], "This may identify a service user") {
		t.Errorf("error summary %q, want the NHS number flagged", errs)
	}
	if got := b.value(t, "#summary"); got != summary {
		t.Errorf("after the refusal the summary holds %q, want what was typed", got)
	}
	if got := confirms(); !slices.Equal(got, []string{packPath}) {
		t.Fatalf("I have checked this boxes in forms %q, want one, in the pack's form", got)
	}
	choose(t, b, "#checked_confidential")
	resp = b.activate(t, "saved after checking", save)
	wantStatus(t, "save confirmed", resp.Status, 200)
	wantContains(t, "flash", flash(t, b), "Your audit pack has been saved.")
	if got := collapse(b.text(t, "main #confidentiality + .nhsuk-warning-callout .nhsuk-warning-callout__label")); got != "Important: 1 possible identifier" {
		t.Errorf("the confidentiality warning is headed %q, want 1 possible identifier", got)
	}
	wantContains(t, "confidentiality", b.text(t, "main #confidentiality + .nhsuk-warning-callout"), "943 476 5919")

	// Building asks again, with the box beside the Build button only.
	resp = b.activate(t, "build refused", build)
	wantStatus(t, "build with a finding", resp.Status, 422)
	if errs := b.errorSummary(t); len(errs) != 1 || !strings.Contains(errs[0], "the pack has 1 possible identifier,") {
		t.Errorf("error summary %q, want the pack's 1 possible identifier named", errs)
	}
	exports := packPath + "/exports"
	if got := confirms(); !slices.Equal(got, []string{exports}) {
		t.Fatalf("I have checked this boxes in forms %q, want one, in the form that builds the pack", got)
	}
	choose(t, b, "#checked_confidential")
	resp = b.activate(t, "building after checking", build)
	wantStatus(t, "build confirmed", resp.Status, 200)
	if !exportURL.MatchString(b.path(t)) {
		t.Fatalf("Build the pack went to %s (errors %q)", b.path(t), b.errorSummary(t))
	}
	waitFor(t, b, "the pack's files", `!!document.querySelector('#export-status table')`)
	b.check(t, "pack built")
}
