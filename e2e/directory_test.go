package e2e

// Browser test for the directory: a practitioner finds a free online course with the filters,
// opens it, suggests a resource (a bad link is explained and what was typed kept), and an
// administrator declines the suggestion with a reason, which is emailed. axe checks every page.

import (
	"strings"
	"testing"
	"time"

	"github.com/pillars-ot/pillars/internal/demo"
)

func TestDirectoryJourney(t *testing.T) {
	app := startApp(t)
	b := newTab(t, app, true)
	signIn(t, b, practitionerEmail, demo.Password)

	t.Run("find a free online course", func(t *testing.T) {
		b.activate(t, "directory", `header a.nhsuk-header__navigation-link[href="/directory"]`)
		wantPath(t, b, "/directory")
		b.fill(t, "#cost", "free")
		b.fill(t, "#format", "online")
		b.fill(t, "#kind", "courses")
		resp := b.activate(t, "search", `main form[action="/directory"] button[type="submit"]`)
		wantStatus(t, "search", resp.Status, 200)
		wantPath(t, b, "/directory?cost=free&format=online&kind=courses")
		found := b.texts(t, "main .pillars-directory h3")
		if !strings.Contains(strings.Join(found, "|"), "Edward Jenner programme") {
			t.Fatalf("Edward Jenner is not among %q", found)
		}
		for _, meta := range b.texts(t, "main .pillars-directory .pillars-meta") {
			if !strings.Contains(meta, "Online") || !strings.Contains(meta, "Free") {
				t.Errorf("a result that is not free and online: %q", meta)
			}
		}
		b.activate(t, "open Edward Jenner", `main .pillars-directory a[href^="/directory/"]`)
		if !strings.Contains(b.text(t, "h1"), "Edward Jenner") {
			// The list is by title; Edward Jenner may not be first: open it by its link text.
			b.visit(t, "back", "/directory?cost=free&format=online&kind=courses&q=jenner")
			b.activate(t, "open Edward Jenner", `main .pillars-directory a[href^="/directory/"]`)
		}
		wantContains(t, "heading", b.text(t, "h1"), "Edward Jenner programme")
		facts := b.summaryList(t)
		if facts["Cost"] != "Free" || facts["Format"] != "Online" {
			t.Errorf("facts: %v", facts)
		}
	})

	t.Run("suggest a resource", func(t *testing.T) {
		b.visit(t, "directory", "/directory")
		b.activate(t, "suggest", `main a[href="/directory/suggest"]`)
		wantPath(t, b, "/directory/suggest")
		b.fill(t, "#kind", "web")
		b.typeInto(t, "#title", "Leading a safety huddle")
		b.typeInto(t, "#url", "www.example.org/huddles")
		b.typeInto(t, "#summary", "Practical steps for a first huddle.")
		resp := b.activate(t, "bad link", `main form button[type="submit"]`)
		wantStatus(t, "bad link", resp.Status, 422)
		wantItems(t, "errors", b.errorSummary(t), []string{"The link must start with https:// or http://"})
		if b.value(t, "#title") != "Leading a safety huddle" || b.value(t, "#summary") != "Practical steps for a first huddle." || b.value(t, "#url") != "www.example.org/huddles" {
			t.Fatal("what was typed was not kept")
		}
		b.typeInto(t, "#url", "https://www.example.org/huddles")
		resp = b.activate(t, "fixed", `main form button[type="submit"]`)
		wantStatus(t, "fixed", resp.Status, 200)
		wantPath(t, b, "/directory")
		wantContains(t, "flash", b.text(t, "main"), "checked by a moderator")
	})
	signOut(t, b)

	t.Run("an administrator declines it", func(t *testing.T) {
		signIn(t, b, adminEmail, demo.Password)
		b.visit(t, "moderation", "/directory/moderation")
		wantContains(t, "queue", b.text(t, "main"), "Leading a safety huddle")
		resp := b.activate(t, "decline without a reason", `main form[action$="/decline"] button[type="submit"]`)
		wantStatus(t, "decline without a reason", resp.Status, 422)
		if errs := b.errorSummary(t); len(errs) != 1 || !strings.Contains(errs[0], "Say why") {
			t.Fatalf("errors: %q", errs)
		}
		b.typeInto(t, `main form[action$="/decline"] textarea`, "We list a fuller guide already.")
		resp = b.activate(t, "decline", `main form[action$="/decline"] button[type="submit"]`)
		wantStatus(t, "decline", resp.Status, 200)
		wantContains(t, "queue", b.text(t, "main"), "There are no suggestions waiting")
		m := app.Mail.Wait(t, 15*time.Second)
		if len(m.To) != 1 || m.To[0] != practitionerEmail || !strings.Contains(m.Body, "We list a fuller guide already.") {
			t.Fatalf("email: %+v", m)
		}
	})
}
