package e2e

import (
	"context"
	"strings"
	"testing"

	"github.com/pillars-ot/pillars/internal/demo"
)

// TestLeadsAdministratorsAndSupervisorsPages visits, with axe on each, the pages the other
// journeys do not: a programme lead's heat map, the administrator's targets (with a value off
// the scale), the challenges helper, and the demo's own 360 report and shared plan.
func TestLeadsAdministratorsAndSupervisorsPages(t *testing.T) {
	app := startApp(t)
	if err := demo.LoadActivity(context.Background(), app.DB, app.Accounts, app.Assess, app.Plans); err != nil {
		t.Fatal(err)
	}

	t.Run("programme lead's heat map", func(t *testing.T) {
		b := newTab(t, app, true)
		signIn(t, b, "priya.castellano@demo.pillars.test", demo.Password)
		resp := b.visit(t, "heat map", "/organisations/north-vale-nhs/heatmap")
		wantStatus(t, "heat map", resp.Status, 200)
		heads := b.texts(t, "main table thead th")
		wantContains(t, "teams", joined(heads), "Acute and discharge")
		wantContains(t, "teams", joined(heads), "Community rehabilitation")
		wantContains(t, "explanation", b.text(t, "main"), "updated only after at least 5 people")
		// Alex is the only North Vale member with an assessment and no team: one person must
		// never make a column of their own.
		if strings.Contains(joined(heads), "No team recorded") {
			t.Errorf("a team of one person is shown: %v", heads)
		}
		signOut(t, b)
	})

	t.Run("administrator's targets", func(t *testing.T) {
		b := newTab(t, app, true)
		signIn(t, b, "admin@demo.pillars.test", demo.Password)
		resp := b.visit(t, "targets", "/admin/targets/ot-leadership")
		wantStatus(t, "targets", resp.Status, 200)
		b.fill(t, "#t-6-influence", "9")
		resp = b.activate(t, "targets with a value off the scale", "main form button[type=submit]")
		wantStatus(t, "bad target", resp.Status, 422)
		wantContains(t, "error", joined(b.errorSummary(t)), "The level 6 target for Influence must be on the scale, 1 to 5")
		if v := b.value(t, "#t-6-influence"); v != "9" {
			t.Errorf("the typed target was not kept: %q", v)
		}
		signOut(t, b)
	})

	t.Run("practitioner's demo report and challenges", func(t *testing.T) {
		b := newTab(t, app, true)
		signIn(t, b, "alex.marlowe@demo.pillars.test", demo.Password)
		resp := b.visit(t, "feedback list", "/feedback")
		wantStatus(t, "feedback", resp.Status, 200)
		b.activate(t, "demo round", `main a[href^="/feedback/"]`)
		b.activate(t, "demo report", `main a[href$="/report"]`)
		wantContains(t, "report", b.text(t, "main"), "4 people have answered")
		resp = b.visit(t, "challenges", "/plan/challenges?challenge=invisibility&challenge=balance")
		wantStatus(t, "challenges", resp.Status, 200)
		wantContains(t, "strategy", b.text(t, "main"), "Articulate value consistently")
		signOut(t, b)
	})

	t.Run("supervisor reads the shared demo plan", func(t *testing.T) {
		b := newTab(t, app, true)
		signIn(t, b, "ruth.lindqvist@demo.pillars.test", demo.Password)
		resp := b.visit(t, "shared plans", "/plans")
		wantStatus(t, "shared plans", resp.Status, 200)
		b.activate(t, "Alex's plan", `main a[href^="/plans/"]`)
		wantContains(t, "plan", b.text(t, "main"), "discharge-to-assess")
		wantContains(t, "comment", b.text(t, "main"), "A strong goal")
		signOut(t, b)
	})
}

func joined(ss []string) string {
	out := ""
	for _, s := range ss {
		out += s + " | "
	}
	return out
}
