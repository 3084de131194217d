package e2e

// Browser tests for career stories and the level-to-level comparison: a practitioner using only
// the keyboard filters the stories by level and setting, opens one, goes on to compare level 6
// with level 7 and opens a programme that bridges the gap; and the same browsing works with
// JavaScript turned off. axe checks every page.

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp/kb"

	"github.com/pillars-ot/pillars/internal/demo"
	"github.com/pillars-ot/pillars/internal/testutil"
)

func startStoriesApp(t *testing.T) *testutil.App {
	t.Helper()
	app := startApp(t)
	if _, err := demo.LoadStories(context.Background(), app.DB); err != nil {
		t.Fatal(err)
	}
	return app
}

// arrowTo picks an option of a closed select with the arrow keys, as a keyboard user does, and
// checks the select then holds want.
func arrowTo(t *testing.T, b *tab, css string, downs int, want string) {
	t.Helper()
	b.focus(t, css)
	for range downs {
		b.press(t, kb.ArrowDown)
	}
	if got := b.value(t, css); got != want {
		t.Fatalf("after %d presses of the down arrow %s holds %q, want %q", downs, css, got, want)
	}
}

func TestStoriesJourney(t *testing.T) {
	app := startStoriesApp(t)
	b := newTab(t, app, true)
	signIn(t, b, practitionerEmail, demo.Password)

	t.Run("filter stories by level and setting", func(t *testing.T) {
		b.visit(t, "directory", "/directory")
		b.activate(t, "career stories", `main a[href="/stories"]`)
		wantPath(t, b, "/stories")
		wantContains(t, "heading", b.text(t, "#results"), "10 stories")
		// "Any level", then levels 1 to 7; "Any setting", NHS, then social care.
		arrowTo(t, b, "#level", 7, "7")
		arrowTo(t, b, "#setting", 2, "social-care")
		resp := b.activate(t, "filtered", `main form[action="/stories"] button[type="submit"]`)
		wantStatus(t, "filtered", resp.Status, 200)
		wantPath(t, b, "/stories?level=7&setting=social-care")
		found := b.texts(t, "main .pillars-stories h3")
		wantItems(t, "stories at level 7 in social care", found, []string{"Tom: Team manager, occupational therapy and reablement (county council)"})
		wantContains(t, "meta", b.text(t, "main .pillars-stories .pillars-meta"), "Level 7: Advanced practitioner · Social care")
	})

	t.Run("open a story", func(t *testing.T) {
		b.activate(t, "Tom's story", `main .pillars-stories a[href^="/stories/"]`)
		wantContains(t, "heading", b.text(t, "main h1"), "Tom: Team manager")
		wantContains(t, "caption", b.text(t, "main .nhsuk-caption-l"), "Level 7: Advanced practitioner · Social care")
		headings := b.texts(t, "main h2")
		wantItems(t, "questions", headings, []string{"My path so far", "Barriers to progression", "What helped", "Where I see myself in five years"})
		wantContains(t, "what helped", b.text(t, "main"), "Mary Seacole programme")
	})

	t.Run("compare level 6 with level 7", func(t *testing.T) {
		b.activate(t, "comparison", `main a[href="/career?from=6"]`)
		wantPath(t, b, "/career?from=6")
		wantContains(t, "comparison", b.text(t, "#comparison"), "From level 6 (Experienced practitioner) to level 7 (Advanced practitioner)")
		wantContains(t, "development aid", b.text(t, "main .nhsuk-inset-text"), "not a pass or fail test")
		rows := b.texts(t, "main table tbody tr")
		if len(rows) == 0 || !strings.Contains(rows[0], "up 1") {
			t.Fatalf("the elements that rise do not come first: %q", rows)
		}
		stories := strings.Join(b.texts(t, "main h2#stories ~ ul h3"), "|")
		wantContains(t, "stories from level 7", stories, "Tom: Team manager")
		wantContains(t, "stories from level 7", stories, "Nadia: Advanced clinical practitioner")
		programmes := b.texts(t, "main .pillars-directory h3")
		if !strings.Contains(strings.Join(programmes, "|"), "Mary Seacole programme") {
			t.Fatalf("Mary Seacole is not among the bridging programmes %q", programmes)
		}
		b.activate(t, "a bridging programme", `main .pillars-directory a`+maryLink(t, b))
		wantContains(t, "programme", b.text(t, "main h1"), "Mary Seacole programme")
		wantContains(t, "levels", b.summaryList(t)["Career levels"], "6 and 7")
	})

	t.Run("the comparison form by keyboard", func(t *testing.T) {
		b.visit(t, "comparison", "/career")
		if got := b.value(t, "#from"); got != "6" {
			t.Fatalf("the comparison starts at %q, want Alex's level 6", got)
		}
		// "Choose a level", levels 1 to 7: level 7 is seven presses down.
		arrowTo(t, b, "#from", 1, "7")
		resp := b.activate(t, "compare 7 with 8", `main form[action="/career"] button[type="submit"]`)
		wantStatus(t, "compare", resp.Status, 200)
		wantPath(t, b, "/career?framework=ot-leadership&from=7")
		wantContains(t, "comparison", b.text(t, "#comparison"), "From level 7 (Advanced practitioner) to level 8 (Consultant practitioner)")
	})
}

// TestShareAStory: a practitioner writes a story by keyboard, is told what is missing without
// losing what was typed, sends it, and a programme lead publishes it from the queue.
func TestShareAStory(t *testing.T) {
	app := startStoriesApp(t)
	b := newTab(t, app, true)
	signIn(t, b, practitionerEmail, demo.Password)
	b.visit(t, "stories", "/stories")
	b.activate(t, "story form", `main a[href="/stories/new"]`)
	wantPath(t, b, "/stories/new")
	if b.value(t, "#display_name") != "Alex" || b.value(t, "#level") != "6" {
		t.Fatalf("the form does not start from what Pillars knows: %q, level %q", b.value(t, "#display_name"), b.value(t, "#level"))
	}
	b.typeInto(t, "#path", "Rotations in acute care, then community rehabilitation.")
	b.typeInto(t, "#barriers", "Few band 7 posts nearby.")
	resp := b.activate(t, "send with gaps", `main form[action="/stories"] button[type="submit"]`)
	wantStatus(t, "send with gaps", resp.Status, 422)
	wantItems(t, "problems", b.errorSummary(t), []string{"Choose the setting you work in", "Describe what has helped you progress", "Say where you see yourself in five years"})
	if b.value(t, "#path") != "Rotations in acute care, then community rehabilitation." || b.value(t, "#barriers") != "Few band 7 posts nearby." {
		t.Fatal("what was typed was not kept")
	}
	// The summary's first link takes the keyboard to the setting.
	b.focus(t, `.nhsuk-error-summary a[href="#setting"]`)
	b.do(t, "follow the summary link", enter())
	if !b.focusedMatches(t, "#setting") {
		t.Fatalf("the summary link focused %s", b.focused(t))
	}
	b.press(t, " ")
	if !eval[bool](t, b, `document.querySelector('#setting').checked`) {
		t.Fatal("space did not choose NHS")
	}
	b.typeInto(t, "#enablers", "A mentor and a leadership course.")
	b.typeInto(t, "#five_years", "Advanced practitioner in frailty.")
	resp = b.activate(t, "send", `main form[action="/stories"] button[type="submit"]`)
	wantStatus(t, "send", resp.Status, 200)
	wantContains(t, "status", b.text(t, "main .nhsuk-inset-text"), "Waiting for a moderator")
	signOut(t, b)

	signIn(t, b, "priya.castellano@demo.pillars.test", demo.Password)
	b.visit(t, "queue", "/stories/moderation")
	wantContains(t, "queue", b.text(t, "main h2"), "Alex: Specialist occupational therapist")
	resp = b.activate(t, "publish", `main form[action$="/publish"] button[type="submit"]`)
	wantStatus(t, "publish", resp.Status, 200)
	wantContains(t, "queue", b.text(t, "main"), "There are no stories waiting")
	b.visit(t, "level 6 stories", "/stories?level=6&setting=nhs")
	wantItems(t, "published", b.texts(t, "main .pillars-stories h3"), []string{"Alex: Specialist occupational therapist, community rehabilitation"})
}

// maryLink is a CSS selector for the Mary Seacole link on the page, by its address.
func maryLink(t *testing.T, b *tab) string {
	t.Helper()
	href := eval[string](t, b, `(() => { const a = [...document.querySelectorAll('main .pillars-directory a')].find(a => a.innerText.trim() === 'Mary Seacole programme'); return a ? a.getAttribute('href') : '' })()`)
	if href == "" {
		t.Fatal("no link to Mary Seacole")
	}
	return `[href="` + href + `"]`
}

func TestStoriesWithoutJavaScript(t *testing.T) {
	app := startStoriesApp(t)
	b := newTab(t, app, false)
	signIn(t, b, practitionerEmail, demo.Password)
	b.visit(t, "stories", "/stories")
	b.fill(t, "#level", "5")
	b.fill(t, "#setting", "nhs")
	resp := b.activate(t, "filtered without JavaScript", `main form[action="/stories"] button[type="submit"]`)
	wantStatus(t, "filtered", resp.Status, 200)
	wantPath(t, b, "/stories?level=5&setting=nhs")
	wantItems(t, "stories", b.texts(t, "main .pillars-stories h3"), []string{"Callum: Occupational therapist, rotational post (acute and community)"})
	b.activate(t, "Callum's story", `main .pillars-stories a[href^="/stories/"]`)
	wantContains(t, "attachment", b.text(t, "main"), "callum-career-timeline.pdf")
	b.visit(t, "comparison without JavaScript", "/career")
	wantContains(t, "programmes", strings.Join(b.texts(t, "main .pillars-directory h3"), "|"), "Mary Seacole programme")
}
