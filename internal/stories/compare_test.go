package stories_test

import (
	"context"
	"testing"

	"github.com/pillars-ot/pillars/internal/assess"
	"github.com/pillars-ot/pillars/internal/framework"
	"github.com/pillars-ot/pillars/internal/stories"
	"github.com/pillars-ot/pillars/internal/testutil"
)

func TestCompareOrdersRisingElementsFirst(t *testing.T) {
	ctx := context.Background()
	db := testutil.SQLite(t)
	cat := framework.NewCatalogue(db)
	f, _, err := cat.Get(ctx, "ot-leadership", "")
	if err != nil {
		t.Fatal(err)
	}
	from := map[string]int{"clinical": 4, "team": 3, "strategic": 2, "influence": 3, "communication": 4}
	to := map[string]int{"clinical": 4, "team": 4, "strategic": 4, "influence": 4, "communication": 3}
	current := map[string]float64{"influence": 2, "team": 4}
	c := stories.Compare(f, 6, 7, from, to, current)
	if len(c.Steps) != len(f.Rateable()) || !c.Rated {
		t.Fatalf("steps: %d of %d", len(c.Steps), len(f.Rateable()))
	}
	// strategic rises 2; influence and team rise 1, influence with the larger gap (2 against 0).
	want := []string{"strategic", "influence", "team"}
	rising := c.Rising(0)
	if len(rising) != 3 {
		t.Fatalf("rising: %d", len(rising))
	}
	for i, k := range want {
		if rising[i].Element.Key != k {
			t.Errorf("rising %d is %s, want %s", i, rising[i].Element.Key, k)
		}
	}
	if g := rising[1].Gap(); g != 2 {
		t.Errorf("influence gap %v", g)
	}
	if g := rising[2].Gap(); g != 0 {
		t.Errorf("team gap %v (rated above the next level's target)", g)
	}
	if len(c.Rising(2)) != 2 {
		t.Error("Rising(2) is not bounded")
	}
	// The rest keep the framework's order: clinical comes before communication.
	var rest []string
	for _, s := range c.Steps[3:] {
		rest = append(rest, s.Element.Key)
	}
	if rest[0] != "clinical" || c.Steps[3].Rise() != 0 {
		t.Errorf("the rest: %v", rest)
	}
	for _, s := range c.Steps[3:] {
		if s.Element.Key == "communication" && s.Rise() != -1 {
			t.Errorf("communication rise %d", s.Rise())
		}
	}
}

// The shipped targets rise somewhere between every pair of neighbouring registered levels, so
// the comparison always has something to show.
func TestShippedTargetsRiseBetweenLevels(t *testing.T) {
	ctx := context.Background()
	db := testutil.SQLite(t)
	cat := framework.NewCatalogue(db)
	as := assess.NewService(db, cat)
	for _, key := range []string{"ot-leadership", "nhs-hlm"} {
		f, _, err := cat.Get(ctx, key, "")
		if err != nil {
			t.Fatal(err)
		}
		all, err := as.AllTargets(ctx, key)
		if err != nil {
			t.Fatal(err)
		}
		for l := 5; l < 9; l++ {
			if len(stories.Compare(f, l, l+1, all[l], all[l+1], nil).Rising(0)) == 0 {
				t.Errorf("%s: nothing rises from level %d to %d", key, l, l+1)
			}
		}
	}
}
