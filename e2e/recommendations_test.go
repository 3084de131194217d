package e2e

// Browser test for recommendations: the demo practitioner, who has no assessment in a fresh app,
// chooses the element they most want to develop, asks for free online courses, reads why the
// first one is recommended, adds it to their plan with one key press and finds it there. Keyboard
// only; axe checks every page.

import (
	"strings"
	"testing"

	"github.com/pillars-ot/pillars/internal/demo"
)

func TestRecommendationsJourney(t *testing.T) {
	app := startApp(t)
	b := newTab(t, app, true)
	signIn(t, b, practitionerEmail, demo.Password)

	b.activate(t, "directory", `header a.nhsuk-header__navigation-link[href="/directory"]`)
	b.activate(t, "recommendations", `main a[href="/recommendations"]`)
	wantPath(t, b, "/recommendations")
	wantContains(t, "no picks yet", b.text(t, "main"), "Choose at least one element above")

	b.fill(t, "#element-1", "ot-leadership:communication")
	choose(t, b, "#budget-free")
	b.fill(t, "#format", "online")
	resp := b.activate(t, "show recommendations", `main form[action="/recommendations"] button[type="submit"]`)
	wantStatus(t, "show recommendations", resp.Status, 200)
	titles := b.texts(t, "main .pillars-recommendations h3")
	if len(titles) == 0 || titles[0] != "Edward Jenner programme" {
		t.Fatalf("recommended: %q", titles)
	}
	why := b.text(t, "main .pillars-recommendations li:first-child .pillars-why")
	wantContains(t, "why", why, "develops Communication, your first choice; suits level 6; free; online")
	for _, meta := range b.texts(t, "main .pillars-recommendations .pillars-meta") {
		if strings.Contains(meta, "£") {
			t.Errorf("free only, but: %q", meta)
		}
	}

	resp = b.activate(t, "add to my plan", `main .pillars-recommendations li:first-child form[action="/recommendations/add"] button`)
	wantStatus(t, "add to my plan", resp.Status, 200)
	if p := b.path(t); !strings.HasPrefix(p, "/plan") {
		t.Fatalf("at %s after adding", p)
	}
	wantContains(t, "flash", flash(t, b), `Added "Do Edward Jenner programme" to your goal for Communication`)
	wantContains(t, "plan", b.text(t, "main"), "Do Edward Jenner programme")
}
