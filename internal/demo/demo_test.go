package demo_test

import (
	"context"
	"testing"

	"github.com/pillars-ot/pillars/internal/assess"
	"github.com/pillars-ot/pillars/internal/auth"
	"github.com/pillars-ot/pillars/internal/demo"
	"github.com/pillars-ot/pillars/internal/framework"
	"github.com/pillars-ot/pillars/internal/org"
	"github.com/pillars-ot/pillars/internal/plan"
	"github.com/pillars-ot/pillars/internal/portfolio"
	"github.com/pillars-ot/pillars/internal/testutil"
)

func TestDemoWorldIsIdempotentAndShowsSomething(t *testing.T) {
	ctx := context.Background()
	db := testutil.SQLite(t)
	acc, orgs := auth.NewService(db), org.NewService(db)
	cat := framework.NewCatalogue(db)
	as, ps := assess.NewService(db, cat), plan.NewService(db, cat)
	for i := 0; i < 2; i++ {
		if _, err := demo.Load(ctx, acc, orgs); err != nil {
			t.Fatal(err)
		}
		if err := demo.LoadActivity(ctx, db, acc, as, ps); err != nil {
			t.Fatalf("pass %d: %v", i+1, err)
		}
	}
	alex, _ := acc.UserByEmail(ctx, "alex.marlowe@demo.pillars.test")
	hist, _ := as.History(ctx, alex.ID)
	if len(hist) != 1 {
		t.Fatalf("a second load duplicated Alex's assessment: %d", len(hist))
	}
	rounds, _ := as.Rounds(ctx, alex.ID)
	rep, err := as.Report(ctx, alex.ID, rounds[0].ID)
	if err != nil || !rep.OthersShown || len(rep.Comments) == 0 {
		t.Fatalf("the demo 360 report shows nothing: %+v %v", rep, err)
	}
	north, _ := orgs.BySlug(ctx, "north-vale-nhs")
	h, err := as.HeatMap(ctx, north.ID, assess.DefaultFramework)
	if err != nil || len(h.Teams) < 2 || !h.Cell("Acute and discharge", "influence").Shown {
		t.Fatalf("the demo heat map is empty: %+v %v", h, err)
	}
	ruth, _ := acc.UserByEmail(ctx, "ruth.lindqvist@demo.pillars.test")
	if ok, _ := ps.CanView(ctx, ruth, alex.ID); !ok {
		t.Fatal("the demo plan is not shared with the demo supervisor")
	}
}

// TestDemoPortfolio loads the demo portfolio twice: the second load adds nothing, and what is
// there shows every reflective model the demo uses, real evidence and an audit pack under way.
func TestDemoPortfolio(t *testing.T) {
	ctx := context.Background()
	db := testutil.SQLite(t)
	acc := auth.NewService(db)
	p := portfolio.NewService(db, framework.NewCatalogue(db))
	if _, err := demo.Load(ctx, acc, org.NewService(db)); err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		if err := demo.LoadPortfolio(ctx, acc, p); err != nil {
			t.Fatalf("pass %d: %v", i+1, err)
		}
	}
	alex, _ := acc.UserByEmail(ctx, "alex.marlowe@demo.pillars.test")
	res, err := p.Search(ctx, alex.ID, portfolio.Filter{})
	if err != nil || res.Total != 7 {
		t.Fatalf("saved entries: %v, %v; want 7 after two loads", res, err)
	}
	models := map[string]bool{}
	for _, it := range res.Items {
		models[it.Model] = true
	}
	for _, m := range []string{"gibbs", "driscoll", "kolb", "johns", "schon", "free"} {
		if !models[m] {
			t.Errorf("no demo entry uses %s", m)
		}
	}
	packs, _ := p.Packs(ctx, alex.ID)
	if len(packs) != 1 {
		t.Fatalf("packs: %d", len(packs))
	}
	r, err := p.Readiness(ctx, alex.ID, packs[0].ID)
	if err != nil || len(r.Evidence) != 1 || len(r.Pack.Selected) != 4 || len(r.Findings) != 0 {
		t.Fatalf("the demo pack: %+v, %v", r, err)
	}
}
