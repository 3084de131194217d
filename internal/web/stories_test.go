package web_test

import (
	"bytes"
	"context"
	"html"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pillars-ot/pillars/internal/demo"
	"github.com/pillars-ot/pillars/internal/store"
	"github.com/pillars-ot/pillars/internal/stories"
	"github.com/pillars-ot/pillars/internal/testutil"
)

var (
	storyPDF = []byte("%PDF-1.4\n1 0 obj <<>> endobj\n%%EOF\n")
	storyPNG = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
)

func storyForm(role string) url.Values {
	return url.Values{"display_name": {"Alex"}, "role": {role}, "level": {"6"}, "setting": {"nhs"},
		"path": {"Rotations, then community rehabilitation."}, "barriers": {"Few band 7 posts nearby."},
		"enablers": {"A mentor and a leadership course."}, "five_years": {"Advanced practitioner in frailty."}}
}

// storyPost sends a story form as a browser does, with an attachment when name is not "".
func storyPost(t *testing.T, c *http.Client, u string, form url.Values, name string, data []byte) (int, string, http.Header) {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, vs := range form {
		for _, v := range vs {
			_ = mw.WriteField(k, v)
		}
	}
	fw, err := mw.CreateFormFile("attachment", name)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = fw.Write(data)
	mw.Close()
	return fetch(t, c, "POST", u, &body, map[string]string{"Content-Type": mw.FormDataContentType()})
}

// storyID is the id of the newest story with this role.
func storyID(t *testing.T, db *store.DB, role string) string {
	t.Helper()
	var id int64
	if err := db.QueryRow(context.Background(), `SELECT id FROM career_stories WHERE role = ? ORDER BY id DESC LIMIT 1`, role).Scan(&id); err != nil {
		t.Fatalf("story %q: %v", role, err)
	}
	return strconv.FormatInt(id, 10)
}

// TestStoryBadInputOverHTTP: each kind of bad input gets a plain message on its field, keeps
// what was typed and stores nothing.
func TestStoryBadInputOverHTTP(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		app := testutil.StartApp(t, db, testutil.AppOptions{Demo: true})
		c := demoClient(t, app, alexEmail)
		big := append(append([]byte{}, storyPDF...), make([]byte, stories.MaxAttachmentBytes+100<<10)...)
		cases := []struct {
			name   string
			change func(url.Values)
			file   string
			data   []byte
			field  string
			want   string
		}{
			{"missing level", func(f url.Values) { f.Del("level") }, "", nil, "level", "Choose your career level"},
			{"unknown setting", func(f url.Values) { f.Set("setting", "prison") }, "", nil, "setting", "Choose NHS, social care, independent practice or education"},
			{"a PNG named .pdf", nil, "timeline.pdf", storyPNG, "attachment", `"timeline.pdf" is named as a PDF but its content is a PNG image`},
			{"too large", nil, "timeline.pdf", big, "attachment", `"timeline.pdf" is 8.1 MB: the attachment must be 8 MB or smaller`},
			{"an NHS number", func(f url.Values) { f.Set("path", "I first met 943 476 5919 on the ward.") }, "", nil, "path", "This may identify a service user: an NHS number"},
			{"two problems at once", func(f url.Values) { f.Del("level"); f.Set("barriers", "") }, "", nil, "level", "Choose your career level"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				form := storyForm("Kept role " + tc.name)
				if tc.change != nil {
					tc.change(form)
				}
				stored, files := countRows(t, app, "career_stories"), countRows(t, app, "career_story_attachments")
				status, body, _ := storyPost(t, c, app.URL+"/stories", form, tc.file, tc.data)
				if status != http.StatusUnprocessableEntity {
					t.Fatalf("status %d, want 422: %s", status, errorsIn(body))
				}
				text := html.UnescapeString(body)
				if !strings.Contains(body, `href="#`+tc.field+`"`) || !strings.Contains(text, tc.want) {
					t.Errorf("the error summary does not point at %s saying %q: %s", tc.field, tc.want, errorsIn(text))
				}
				for _, k := range []string{"role", "path", "enablers", "five_years"} {
					if v := form.Get(k); v != "" && !strings.Contains(text, v) {
						t.Errorf("what was typed in %s (%q) is not kept", k, v)
					}
				}
				if strings.Contains(body, "goroutine") || strings.Contains(body, ".go:") {
					t.Error("the page shows a stack trace")
				}
				if n, f := countRows(t, app, "career_stories"), countRows(t, app, "career_story_attachments"); n != stored || f != files {
					t.Errorf("stored rows changed: stories %d->%d, files %d->%d", stored, n, files, f)
				}
			})
		}
		t.Run("two problems are both shown, in the form's order", func(t *testing.T) {
			form := storyForm("Both")
			form.Del("level")
			form.Set("barriers", "")
			_, body, _ := storyPost(t, c, app.URL+"/stories", form, "", nil)
			l, b := strings.Index(body, `href="#level"`), strings.Index(body, `href="#barriers"`)
			if l < 0 || b < 0 || l > b {
				t.Fatalf("summary: %s", errorsIn(body))
			}
		})
		t.Run("confirming the finding saves the story", func(t *testing.T) {
			form := storyForm("Confirmed")
			form.Set("path", "I first met 943 476 5919 on the ward.")
			form.Set("checked_confidential", "yes")
			if status, body, _ := storyPost(t, c, app.URL+"/stories", form, "", nil); status != http.StatusSeeOther {
				t.Fatalf("status %d: %s", status, errorsIn(body))
			}
		})
	})
}

// TestStoryModerationOverHTTP follows one story from writing to publishing, a change, a
// decline and its withdrawal, checking who sees it at each step.
func TestStoryModerationOverHTTP(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		app := testutil.StartApp(t, db, testutil.AppOptions{Demo: true})
		alex := demoClient(t, app, alexEmail)
		tomasz := demoClient(t, app, "tomasz.nowak@demo.pillars.test")
		lead := demoClient(t, app, personaEmail["programme-lead"])

		status, _, hdr := storyPost(t, alex, app.URL+"/stories", storyForm("Frailty practitioner"), "my timeline.pdf", storyPDF)
		if status != http.StatusSeeOther {
			t.Fatalf("create: %d", status)
		}
		id := storyID(t, db, "Frailty practitioner")
		if hdr.Get("Location") != "/stories/"+id {
			t.Fatalf("sent to %s", hdr.Get("Location"))
		}
		page := app.URL + "/stories/" + id
		if status, body := get(t, alex, page); status != 200 || !strings.Contains(body, "Waiting for a moderator") {
			t.Fatalf("the author's pending story: %d", status)
		}
		// Another person's unpublished story answers exactly like a missing one.
		heading := func(body string) string {
			_, after, _ := strings.Cut(body, "<h1")
			h, _, _ := strings.Cut(after, "</h1>")
			return h
		}
		for _, path := range []string{"", "/attachment", "/edit"} {
			_, missing := get(t, tomasz, app.URL+"/stories/987654"+path)
			status, body := get(t, tomasz, page+path)
			if status != http.StatusNotFound || heading(body) == "" || heading(body) != heading(missing) {
				t.Errorf("GET %s as another practitioner: %d %q, not the missing story's %q", path, status, heading(body), heading(missing))
			}
		}
		if status, _, _ := post(t, tomasz, page+"/withdraw", url.Values{"confirm": {"yes"}}); status != http.StatusNotFound {
			t.Errorf("another's withdrawal: %d", status)
		}
		if _, body := get(t, tomasz, app.URL+"/stories"); strings.Contains(body, "Frailty practitioner") {
			t.Error("a pending story is listed")
		}
		if status, body, _ := post(t, tomasz, page+"/publish", url.Values{"revision": {"1"}}); status != http.StatusForbidden || !strings.Contains(body, "site administrators and programme leads") {
			t.Errorf("a practitioner publishing: %d", status)
		}

		// The moderator reads it in the queue and publishes it; the author is told.
		if status, body := get(t, lead, app.URL+"/stories/moderation"); status != 200 || !strings.Contains(body, "Frailty practitioner") || !strings.Contains(body, "my timeline.pdf") {
			t.Fatalf("queue: %d", status)
		}
		if status, _, _ := post(t, lead, page+"/publish", url.Values{"revision": {"1"}}); status != http.StatusSeeOther {
			t.Fatalf("publish: %d", status)
		}
		m := app.Mail.Wait(t, 15*time.Second)
		if len(m.To) != 1 || m.To[0] != alexEmail || !strings.Contains(m.Subject, "published") {
			t.Fatalf("publish email: %+v", m)
		}
		if status, body := get(t, tomasz, page); status != 200 || !strings.Contains(body, "Advanced practitioner in frailty.") {
			t.Fatalf("the published story for others: %d", status)
		}
		status, body, h := fetch(t, tomasz, "GET", page+"/attachment", nil, nil)
		if status != 200 || body != string(storyPDF) || h.Get("Content-Type") != "application/pdf" ||
			!strings.HasPrefix(h.Get("Content-Disposition"), "attachment;") || !strings.Contains(h.Get("Content-Security-Policy"), "sandbox") {
			t.Fatalf("download: %d %v", status, h)
		}

		// The author changes it: it goes back to the queue, and a decision on the old revision
		// changes nothing.
		changed := storyForm("Frailty practitioner")
		changed.Set("five_years", "Consultant practitioner.")
		changed.Set("remove_attachment", "yes")
		if status, body, _ := storyPost(t, alex, page, changed, "", nil); status != http.StatusSeeOther {
			t.Fatalf("change: %d %s", status, errorsIn(body))
		}
		if status, _ := get(t, tomasz, page); status != http.StatusNotFound {
			t.Fatalf("a changed story waiting for a moderator is shown: %d", status)
		}
		if status, body, _ := post(t, lead, page+"/decline", url.Values{"revision": {"1"}, "reason": {"Old"}}); status != http.StatusConflict || !strings.Contains(body, "changed this story after you opened the page") {
			t.Fatalf("deciding on an old revision: %d", status)
		}
		if status, body, _ := post(t, lead, page+"/decline", url.Values{"revision": {"2"}, "reason": {"  "}}); status != http.StatusUnprocessableEntity || !strings.Contains(body, "Say why you are declining it") {
			t.Fatalf("decline without a reason: %d", status)
		}
		if status, _, _ := post(t, lead, page+"/decline", url.Values{"revision": {"2"}, "reason": {"Please leave out the ward's name."}}); status != http.StatusSeeOther {
			t.Fatalf("decline: %d", status)
		}
		m = app.Mail.Wait(t, 15*time.Second)
		if m.To[0] != alexEmail || !strings.Contains(m.Body, "Please leave out the ward's name.") {
			t.Fatalf("decline email: %+v", m)
		}
		if _, body := get(t, alex, page); !strings.Contains(html.UnescapeString(body), "Please leave out the ward's name.") {
			t.Error("the author does not see the reason")
		}

		// Withdrawing asks first, then deletes.
		if status, body, _ := post(t, alex, page+"/withdraw", url.Values{}); status != 200 || !strings.Contains(body, "Yes, withdraw and delete it") {
			t.Fatalf("withdraw without confirming: %d", status)
		}
		if n := countRows(t, app, "career_stories"); n != 1 {
			t.Fatalf("asking deleted something: %d stories", n)
		}
		if status, _, _ := post(t, alex, page+"/withdraw", url.Values{"confirm": {"yes"}}); status != http.StatusSeeOther {
			t.Fatalf("withdraw: %d", status)
		}
		if n := countRows(t, app, "career_stories"); n != 0 {
			t.Fatalf("withdrawn story still stored: %d", n)
		}
	})
}

// TestStoryModeratorsOwnStory: a programme lead's own story is not in their queue, they cannot
// publish or decline it, and another moderator can.
func TestStoryModeratorsOwnStory(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		app := testutil.StartApp(t, db, testutil.AppOptions{Demo: true})
		lead := demoClient(t, app, personaEmail["programme-lead"])
		admin := demoClient(t, app, personaEmail["site-admin"])
		if status, body, _ := storyPost(t, lead, app.URL+"/stories", storyForm("Programme lead, placements"), "", nil); status != http.StatusSeeOther {
			t.Fatalf("create: %d %s", status, errorsIn(body))
		}
		id := storyID(t, db, "Programme lead, placements")
		page := app.URL + "/stories/" + id
		status, body := get(t, lead, app.URL+"/stories/moderation")
		text := html.UnescapeString(body)
		if status != 200 || strings.Contains(text, "Programme lead, placements") || strings.Contains(body, `action="/stories/`+id+`/publish"`) ||
			!strings.Contains(text, "There are no stories waiting for you") || !strings.Contains(text, "One of your own stories is waiting too: another moderator will review it") {
			t.Fatalf("the lead's queue: %d\n%s", status, text)
		}
		if _, body := get(t, lead, page); strings.Contains(body, "Publish it or decline it") {
			t.Error("the lead's own story offers them the decision")
		}
		for _, c := range []struct{ path, verb string }{{"/publish", "publish"}, {"/decline", "decline"}} {
			status, body, _ := post(t, lead, page+c.path, url.Values{"revision": {"1"}, "reason": {"Mine"}})
			if text := html.UnescapeString(body); status != http.StatusForbidden || !strings.Contains(text, "You cannot "+c.verb+" your own story: another moderator will review it") {
				t.Errorf("the lead's %s of their own story: %d %s", c.verb, status, errorsIn(text))
			}
		}
		var status2 string
		if err := db.QueryRow(context.Background(), `SELECT status FROM career_stories WHERE id = ?`, id).Scan(&status2); err != nil || status2 != stories.StatusPending {
			t.Fatalf("after the refused decisions: %q %v", status2, err)
		}
		// The administrator finds it in their queue, linked from the story, and publishes it.
		if _, body := get(t, admin, page); !strings.Contains(body, `href="/stories/moderation#story-`+id+`"`) {
			t.Error("the story does not link the administrator to it in the queue")
		}
		if status, body := get(t, admin, app.URL+"/stories/moderation"); status != 200 || !strings.Contains(body, `action="/stories/`+id+`/publish"`) {
			t.Fatalf("the administrator's queue: %d", status)
		}
		if status, _, _ := post(t, admin, page+"/publish", url.Values{"revision": {"1"}}); status != http.StatusSeeOther {
			t.Fatalf("the administrator's publish: %d", status)
		}
		if m := app.Mail.Wait(t, 15*time.Second); m.To[0] != personaEmail["programme-lead"] || !strings.Contains(m.Subject, "published") {
			t.Fatalf("publish email: %+v", m)
		}
	})
}

// TestStoryQueuePages: the moderation queue shows 25 stories a page, oldest first, with links
// between pages, and a decision made on page 2 returns there.
func TestStoryQueuePages(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		app := testutil.StartApp(t, db, testutil.AppOptions{Demo: true})
		svc := stories.NewService(db)
		alex, _ := app.Accounts.UserByEmail(ctx, alexEmail)
		const n = stories.PageSize + 2
		for i := range n {
			in := stories.Input{DisplayName: "Alex", Role: "Queued " + strconv.Itoa(i), Level: "6", Setting: "nhs",
				Path: "Rotations.", Barriers: "Few posts.", Enablers: "A mentor.", FiveYears: "Advanced practice."}
			if _, err := svc.Create(ctx, alex.ID, in, nil); err != nil {
				t.Fatal(err)
			}
		}
		lead := demoClient(t, app, personaEmail["programme-lead"])
		status, body := get(t, lead, app.URL+"/stories/moderation")
		if status != 200 || strings.Count(body, `action="/stories/`) != 2*stories.PageSize || !strings.Contains(body, "Queued 0<") ||
			strings.Contains(body, "Queued 25<") || !strings.Contains(body, "27 waiting, oldest first: this is page 1 of 2") ||
			!strings.Contains(body, `href="/stories/moderation?page=2"`) {
			t.Fatalf("page 1: %d, %d forms", status, strings.Count(body, `action="/stories/`))
		}
		status, body = get(t, lead, app.URL+"/stories/moderation?page=2")
		if status != 200 || strings.Count(body, `action="/stories/`) != 4 || !strings.Contains(body, "Queued 26<") || strings.Contains(body, "Queued 24<") ||
			!strings.Contains(body, `href="/stories/moderation"`) || !strings.Contains(body, `name="page" value="2"`) {
			t.Fatalf("page 2: %d, %d forms", status, strings.Count(body, `action="/stories/`))
		}
		if status, body := get(t, lead, app.URL+"/stories/moderation?page=abc"); status != 200 || !strings.Contains(body, "Queued 0<") {
			t.Fatalf("a page that is not a number: %d", status)
		}
		last := storyID(t, db, "Queued 26")
		if _, body := get(t, lead, app.URL+"/stories/"+last); !strings.Contains(body, `href="/stories/moderation?page=2#story-`+last+`"`) {
			t.Error("the story does not link to its page of the queue")
		}
		status, _, h := post(t, lead, app.URL+"/stories/"+last+"/publish", url.Values{"revision": {"1"}, "page": {"2"}})
		if status != http.StatusSeeOther || h.Get("Location") != "/stories/moderation?page=2" {
			t.Fatalf("publish from page 2: %d %s", status, h.Get("Location"))
		}
	})
}

func TestStoryBrowsing(t *testing.T) {
	app := testutil.StartApp(t, testutil.SQLite(t), testutil.AppOptions{Demo: true})
	if _, err := demo.LoadStories(context.Background(), app.DB); err != nil {
		t.Fatal(err)
	}
	c := demoClient(t, app, alexEmail)
	status, body := get(t, c, app.URL+"/stories?level=7&setting=social-care")
	if status != 200 || !strings.Contains(body, "Tom: Team manager") || strings.Contains(body, "Nadia") || !strings.Contains(body, "1 story found") {
		t.Fatalf("level 7 in social care: %d\n%s", status, body)
	}
	if !strings.Contains(body, "Level 7: Advanced practitioner") {
		t.Error("the level is not shown with its name")
	}
	status, _, h := fetch(t, c, "GET", app.URL+"/stories?level=&setting=nhs&q=", nil, nil)
	if status != http.StatusSeeOther || h.Get("Location") != "/stories?setting=nhs" {
		t.Fatalf("empty fields: %d %s", status, h.Get("Location"))
	}
	if status, body := get(t, c, app.URL+"/stories?level=12"); status != http.StatusUnprocessableEntity || !strings.Contains(body, "Choose a career level from 1 to 9") {
		t.Fatalf("a level off the scale: %d", status)
	}
	if _, body := get(t, c, app.URL+"/stories?q=doctorate"); !strings.Contains(body, "Aisha") || strings.Contains(body, "Callum") {
		t.Error("words search")
	}
}

func TestCareerComparison(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		app := testutil.StartApp(t, db, testutil.AppOptions{Demo: true})
		if _, err := demo.LoadStories(ctx, db); err != nil {
			t.Fatal(err)
		}
		alex := demoClient(t, app, alexEmail)
		status, body := get(t, alex, app.URL+"/career")
		text := html.UnescapeString(body)
		if status != 200 || !strings.Contains(text, "From level 6 (Experienced practitioner) to level 7 (Advanced practitioner)") {
			t.Fatalf("Alex's comparison: %d", status)
		}
		for _, want := range []string{"not a pass or fail test", "Mary Seacole programme", "Nadia: Advanced clinical practitioner", "Tom: Team manager", "Rate yourself on this framework"} {
			if !strings.Contains(text, want) {
				t.Errorf("the comparison does not show %q", want)
			}
		}
		// With a self-assessment, the comparison says where they stand.
		u, _ := app.Accounts.UserByEmail(ctx, alexEmail)
		a, err := app.Assess.Start(ctx, u.ID, "ot-leadership")
		if err != nil {
			t.Fatal(err)
		}
		if err := app.Assess.Submit(ctx, u.ID, a.ID, allRatings(3)); err != nil {
			t.Fatal(err)
		}
		if _, body := get(t, alex, app.URL+"/career?framework=ot-leadership&from=6&to=7"); !strings.Contains(body, "You now") || !strings.Contains(body, "(1 below)") {
			t.Error("the comparison does not show where Alex stands")
		}
		// No level recorded: ask for one, do not fail.
		sam := demoClient(t, app, personaEmail["learner"])
		if status, body := get(t, sam, app.URL+"/career"); status != 200 || !strings.Contains(body, "Pillars does not know your career level yet") || strings.Contains(body, "nhsuk-table") {
			t.Fatalf("no level: %d", status)
		}
		if status, body := get(t, sam, app.URL+"/career?from=8"); status != 200 || !strings.Contains(body, "to level 9") {
			t.Fatalf("a chosen level: %d", status)
		}
		for _, c := range []struct{ q, want string }{
			{"from=9", "Level 9 is the top level"},
			{"from=abc", "Choose your career level from 1 to 8"},
			{"from=6&to=5", "Choose a level above the one you compare from"},
			{"framework=nope", "Choose a framework from the list"},
		} {
			status, body := get(t, sam, app.URL+"/career?"+c.q)
			if status != http.StatusUnprocessableEntity || !strings.Contains(body, c.want) {
				t.Errorf("%s: %d, want 422 saying %q", c.q, status, c.want)
			}
		}
	})
}

// BenchmarkCareerComparison answers GET /career for a practitioner with a self-assessment and
// 2,000 published stories, over the built-in directory and over one of 20,000 items (a third of
// them courses, each developing one OT leadership element and suiting two neighbouring levels):
// the whole request, from the gaps to the rendered page.
func BenchmarkCareerComparison(b *testing.B) {
	for _, engine := range testutil.Engines() {
		for _, items := range []int{0, 20000} {
			name := engine.Name + "/builtin-directory"
			if items > 0 {
				name = engine.Name + "/directory-" + strconv.Itoa(items)
			}
			b.Run(name, func(b *testing.B) { benchCareer(b, engine.Open(b), items) })
		}
	}
}

func benchCareer(b *testing.B, db *store.DB, items int) {
	ctx := context.Background()
	app := testutil.StartApp(b, db, testutil.AppOptions{Demo: true})
	elements := []string{"clinical", "professional", "team", "service", "strategic", "communication", "influence",
		"clinical-credibility", "collaboration", "advocacy", "improvement", "emotional-intelligence", "strategic-thinking"}
	groups := []string{"courses", "resources", "organisations"}
	err := db.InTx(ctx, func(tx *store.Tx) error {
		now := store.Now()
		for i := range items {
			lv := i%8 + 1
			id, err := tx.Insert(ctx, `INSERT INTO directory_items (kind, grp, provider, title, summary, format, free, levels, status, created_at, updated_at)
				VALUES ('course', ?, 'Provider', ?, 'A generated item.', 'online', ?, ?, 'published', ?, ?)`,
				groups[i%3], "Item "+strconv.Itoa(i), i%2 == 0, ","+strconv.Itoa(lv)+","+strconv.Itoa(lv+1)+",", now, now)
			if err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `INSERT INTO directory_item_elements (item_id, framework_key, element_key) VALUES (?, 'ot-leadership', ?)`, id, elements[i%len(elements)]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	list := make([]stories.Keyed, 2000)
	for i := range list {
		in := stories.Input{DisplayName: "Sam", Role: "Role " + strconv.Itoa(i), Level: strconv.Itoa(i%9 + 1), Setting: stories.Settings[i%4].Key,
			Path: "A path.", Barriers: "Some.", Enablers: "Others.", FiveYears: "Further on."}
		list[i] = stories.Keyed{Key: "bench-" + strconv.Itoa(i), Input: in}
	}
	if _, err := stories.NewService(db).LoadKeyed(ctx, list); err != nil {
		b.Fatal(err)
	}
	if db.Dialect == store.Postgres {
		if _, err := db.Exec(ctx, `ANALYZE`); err != nil {
			b.Fatal(err)
		}
	}
	u, _ := app.Accounts.UserByEmail(ctx, alexEmail)
	a, err := app.Assess.Start(ctx, u.ID, "ot-leadership")
	if err != nil {
		b.Fatal(err)
	}
	if err := app.Assess.Submit(ctx, u.ID, a.ID, allRatings(3)); err != nil {
		b.Fatal(err)
	}
	c := app.Client()
	resp, err := c.PostForm(app.URL+"/sign-in", url.Values{"email": {alexEmail}, "password": {demo.Password}})
	if err != nil {
		b.Fatal(err)
	}
	resp.Body.Close()
	for b.Loop() {
		resp, err := c.Get(app.URL + "/career")
		if err != nil {
			b.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !bytes.Contains(body, []byte("Programmes that bridge the gap")) || !bytes.Contains(body, []byte("You now")) {
			b.Fatalf("status %d", resp.StatusCode)
		}
	}
}
