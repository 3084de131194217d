package mentoring_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/pillars-ot/pillars/internal/auth"
	"github.com/pillars-ot/pillars/internal/framework"
	"github.com/pillars-ot/pillars/internal/mentoring"
	"github.com/pillars-ot/pillars/internal/org"
	"github.com/pillars-ot/pillars/internal/store"
	"github.com/pillars-ot/pillars/internal/testutil"
)

// The budgets: ranking 2,000 mentors for one person, loading included, shares 50 ms
// with ranking 20,000 directory items, so it should take well under 20 ms; matching a cohort of
// 500 mentees to 300 mentors, loading included, must take under 2 s.
//
//	go test ./internal/mentoring/ -run '^$' -bench . -count 5
//
// (with PILLARS_TEST_POSTGRES set, each runs on PostgreSQL as well).

var benchElements = []string{"clinical", "professional", "team", "service", "strategic", "communication", "influence",
	"clinical-credibility", "collaboration", "advocacy", "improvement", "emotional-intelligence", "strategic-thinking"}

// seedPeople inserts n people directly (no password hashing) and returns their ids.
func seedPeople(b *testing.B, ctx context.Context, tx *store.Tx, prefix string, n int, rng *rand.Rand) []int64 {
	ids := make([]int64, n)
	now := store.Now()
	for i := range ids {
		id, err := tx.Insert(ctx, `INSERT INTO users (email, name, password_hash, password_changed_at, career_level, created_at) VALUES (?, ?, 'x', ?, ?, ?)`,
			fmt.Sprintf("%s%d@bench.test", prefix, i), fmt.Sprintf("%s %d", prefix, i), now, 3+rng.IntN(5), now)
		if err != nil {
			b.Fatal(err)
		}
		ids[i] = id
	}
	return ids
}

// seedMentors gives each person a listed profile with 1 to 5 elements, a few line managers
// and some active mentees, as a national register might look.
func seedMentors(b *testing.B, ctx context.Context, tx *store.Tx, ids []int64, rng *rand.Rand) {
	now := store.Now()
	modes := []string{",video,", ",video,phone,", ",in-person,", ",phone,in-person,"}
	regions := []string{"North West", "London", "Wales", "South West", ""}
	for i, id := range ids {
		kind := []string{"mentor", "coach", "both"}[rng.IntN(3)]
		free, fee := true, any(nil)
		if rng.IntN(4) == 0 {
			free, fee = false, int64(2000+rng.IntN(10000))
		}
		if _, err := tx.Exec(ctx, `INSERT INTO mentor_profiles (user_id, kind, level, background, free, fee_pence, modes, region, capacity, listed, created_at, updated_at)
			VALUES (?, ?, ?, 'Bench mentor', ?, ?, ?, ?, ?, ?, ?, ?)`,
			id, kind, 5+rng.IntN(5), free, fee, modes[rng.IntN(len(modes))], regions[rng.IntN(len(regions))], 1+rng.IntN(3), true, now, now); err != nil {
			b.Fatal(err)
		}
		for _, k := range rng.Perm(len(benchElements))[:1+rng.IntN(5)] {
			if _, err := tx.Exec(ctx, `INSERT INTO mentor_profile_elements (user_id, framework_key, element_key) VALUES (?, 'ot-leadership', ?)`, id, benchElements[k]); err != nil {
				b.Fatal(err)
			}
		}
		if i > 0 && i%10 == 0 {
			if _, err := tx.Exec(ctx, `INSERT INTO line_managers (user_id, manager_id, updated_at) VALUES (?, ?, ?)`, id, ids[i-1], now); err != nil {
				b.Fatal(err)
			}
		}
	}
	// Some mentors have a mentee already: the first tenth mentor the next tenth.
	for i := 0; i < len(ids)/10; i++ {
		if _, err := tx.Exec(ctx, `INSERT INTO mentoring_relationships (mentee_id, mentor_id, kind, status, requested_at, updated_at) VALUES (?, ?, 'mentoring', 'active', ?, ?)`,
			ids[len(ids)/10+i], ids[i], now, now); err != nil {
			b.Fatal(err)
		}
	}
}

func benchGaps(rng *rand.Rand) []mentoring.Gap {
	var gaps []mentoring.Gap
	for _, k := range rng.Perm(len(benchElements))[:3] {
		gaps = append(gaps, mentoring.Gap{Ref: "ot-leadership:" + benchElements[k], Size: float64(1 + rng.IntN(3))})
	}
	return gaps
}

func BenchmarkRankFor2000Mentors(b *testing.B) {
	for _, e := range testutil.Engines() {
		b.Run(e.Name, func(b *testing.B) {
			ctx := context.Background()
			db := e.Open(b)
			rng := rand.New(rand.NewPCG(1, 2))
			var mentee int64
			if err := db.InTx(ctx, func(tx *store.Tx) error {
				seedMentors(b, ctx, tx, seedPeople(b, ctx, tx, "mentor", 2000, rng), rng)
				mentee = seedPeople(b, ctx, tx, "mentee", 1, rng)[0]
				_, err := tx.Exec(ctx, `INSERT INTO line_managers (user_id, manager_id, updated_at) VALUES (?, (SELECT MIN(user_id) FROM mentor_profiles), ?)`, mentee, store.Now())
				return err
			}); err != nil {
				b.Fatal(err)
			}
			svc := mentoring.NewService(db, framework.NewCatalogue(db))
			need := mentoring.Need{Want: "either", BudgetPence: -1, Modes: []string{"video"}, Region: "London", Gaps: benchGaps(rng)}
			b.ResetTimer()
			for b.Loop() {
				r, err := svc.RankFor(ctx, mentee, need)
				if err != nil || len(r) < 1000 {
					b.Fatalf("%d ranked, %v", len(r), err)
				}
			}
		})
	}
}

func BenchmarkCohort500Mentees300Mentors(b *testing.B) {
	for _, e := range testutil.Engines() {
		b.Run(e.Name, func(b *testing.B) {
			ctx := context.Background()
			db := e.Open(b)
			o, err := org.NewService(db).Create(ctx, org.Organisation{Slug: "bench-trust", Name: "Bench Trust", Kind: org.NHSTrust})
			if err != nil {
				b.Fatal(err)
			}
			rng := rand.New(rand.NewPCG(3, 4))
			if err := db.InTx(ctx, func(tx *store.Tx) error {
				seedMentors(b, ctx, tx, seedPeople(b, ctx, tx, "mentor", 300, rng), rng)
				now := store.Now()
				for _, id := range seedPeople(b, ctx, tx, "mentee", 500, rng) {
					budget := any(nil)
					if rng.IntN(3) == 0 {
						budget = int64(0)
					}
					if _, err := tx.Exec(ctx, `INSERT INTO mentoring_asks (user_id, org_id, want, modes, region, budget_pence, status, created_at, updated_at)
						VALUES (?, ?, ?, ',video,', 'London', ?, 'open', ?, ?)`, id, o.ID, []string{"either", "mentor", "coach"}[rng.IntN(3)], budget, now, now); err != nil {
						return err
					}
					for _, g := range benchGaps(rng) {
						if _, err := tx.Exec(ctx, `INSERT INTO mentoring_ask_elements (user_id, framework_key, element_key, size) VALUES (?, 'ot-leadership', ?, ?)`,
							id, g.Ref[len("ot-leadership:"):], g.Size); err != nil {
							return err
						}
					}
				}
				return nil
			}); err != nil {
				b.Fatal(err)
			}
			svc := mentoring.NewService(db, framework.NewCatalogue(db))
			lead := &auth.User{ID: 1, Memberships: []auth.Membership{{OrgID: o.ID, Role: auth.RoleProgrammeLead}}}
			b.ResetTimer()
			for b.Loop() {
				c, err := svc.ProposeCohort(ctx, lead, o.ID)
				if err != nil || c.Asks != 500 || len(c.Pairs) < 200 {
					b.Fatalf("%+v %v", c, err)
				}
			}
		})
	}
}
