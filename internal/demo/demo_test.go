package demo_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/pillars-ot/pillars/internal/assess"
	"github.com/pillars-ot/pillars/internal/auth"
	"github.com/pillars-ot/pillars/internal/demo"
	"github.com/pillars-ot/pillars/internal/framework"
	"github.com/pillars-ot/pillars/internal/mentoring"
	"github.com/pillars-ot/pillars/internal/org"
	"github.com/pillars-ot/pillars/internal/plan"
	"github.com/pillars-ot/pillars/internal/portfolio"
	"github.com/pillars-ot/pillars/internal/store"
	"github.com/pillars-ot/pillars/internal/stories"
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

// TestDemoStories loads the fictional career stories twice: the second load adds nothing, and
// what is there covers levels 5 to 9 and all four settings, with real PDF attachments and none
// of the people named in the source documents.
func TestDemoStories(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		for i, want := range []int{10, 0} {
			n, err := demo.LoadStories(ctx, db)
			if err != nil || n != want {
				t.Fatalf("pass %d: added %d, want %d (%v)", i+1, n, want, err)
			}
		}
		svc := stories.NewService(db)
		res, err := svc.Search(ctx, stories.Filter{})
		if err != nil || res.Total != 10 {
			t.Fatalf("published demo stories: %v %v", res, err)
		}
		levels, settings, files := map[int]bool{}, map[string]bool{}, 0
		for _, s := range res.Stories {
			levels[s.Level], settings[s.Setting] = true, true
			for _, real := range []string{"Anna", "Kaiya", "Kerwin", "Jon", "Laura", "Anita", "Sacha", "Pauline"} {
				if s.DisplayName == real {
					t.Errorf("demo story %q uses a name from seed 004", s.DisplayName)
				}
			}
			if s.Attachment != nil {
				_, data, err := svc.AttachmentData(ctx, nil, s.ID)
				if err != nil || !strings.HasPrefix(string(data), "%PDF-") || !strings.Contains(string(data), "%%EOF") {
					t.Errorf("%s's attachment is not a whole PDF: %v", s.DisplayName, err)
				}
				files++
			}
		}
		for l := 5; l <= 9; l++ {
			if !levels[l] {
				t.Errorf("no demo story at level %d", l)
			}
		}
		for _, s := range stories.Settings {
			if !settings[s.Key] {
				t.Errorf("no demo story from %s", s.Label)
			}
		}
		if files < 1 || files > 3 {
			t.Errorf("%d demo stories have an attachment", files)
		}
	})
}

// TestDemoMentoring loads the mentoring demo twice on both engines: the second load adds
// nothing, and what is there shows scores on /mentoring/find, a claim to verify, a cohort to
// match and an active pair.
func TestDemoMentoring(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		acc := auth.NewService(db)
		m := mentoring.NewService(db, framework.NewCatalogue(db))
		if _, err := demo.Load(ctx, acc, org.NewService(db)); err != nil {
			t.Fatal(err)
		}
		counts := func() string {
			var b strings.Builder
			for _, tbl := range []string{"mentor_profiles", "line_managers", "mentoring_asks", "mentoring_relationships", "audit_events"} {
				var n int
				if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM `+tbl).Scan(&n); err != nil {
					t.Fatal(err)
				}
				fmt.Fprintf(&b, "%s=%d ", tbl, n)
			}
			return b.String()
		}
		var first string
		for i := range 2 {
			if err := demo.LoadMentoring(ctx, db, acc, m); err != nil {
				t.Fatalf("pass %d: %v", i+1, err)
			}
			if i == 0 {
				first = counts()
			} else if again := counts(); again != first {
				t.Fatalf("a second load changed the data: %s -> %s", first, again)
			}
		}
		alex, _ := acc.UserByEmail(ctx, "alex.marlowe@demo.pillars.test")
		ask, err := m.Ask(ctx, alex.ID)
		if err != nil || ask.Status != mentoring.AskOpen {
			t.Fatalf("Alex's ask: %+v %v", ask, err)
		}
		ranked, err := m.RankFor(ctx, alex.ID, ask.Need(nil))
		if err != nil || len(ranked) < 2 {
			t.Fatalf("Alex is offered %d mentors: %v", len(ranked), err)
		}
		dev, _ := acc.UserByEmail(ctx, "dev.ramesh@demo.pillars.test")
		if l, _ := m.Mentor(ctx, dev.ID); l.Accredited() != "Accredited (ICF)" {
			t.Errorf("Dev is listed as %q", l.Accredited())
		}
		admin, _ := acc.UserByEmail(ctx, "admin@demo.pillars.test")
		if claims, _ := m.PendingClaims(ctx, admin); len(claims) != 1 {
			t.Errorf("%d claims waiting, want 1", len(claims))
		}
		north, _ := org.NewService(db).BySlug(ctx, "north-vale-nhs")
		if c, err := m.ProposeCohort(ctx, admin, north.ID); err != nil || c.Asks != 2 || len(c.Pairs) == 0 {
			t.Errorf("the North Vale cohort: %+v %v", c, err)
		}
		tomasz, _ := acc.UserByEmail(ctx, "tomasz.nowak@demo.pillars.test")
		rels, _ := m.Relationships(ctx, tomasz.ID)
		if len(rels) != 1 || rels[0].Status != mentoring.StatusActive || rels[0].MentorName != "Grace Whitfield" {
			t.Errorf("Tomasz's relationships: %+v", rels)
		}
	})
}
