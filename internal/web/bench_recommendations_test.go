package web_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/pillars-ot/pillars/internal/auth"
	"github.com/pillars-ot/pillars/internal/store"
	"github.com/pillars-ot/pillars/internal/testutil"
)

// BenchmarkRecommendationsPage20000Items2000Mentors is the whole /recommendations page (session,
// the person, courses and resources ranked from 20,000 directory items, mentors ranked from
// 2,000 profiles, the template) for a person choosing two elements. The target: ranking
// for one person over 20,000 items and 2,000 mentors in under 50 ms.
//
//	go test ./internal/web/ -run '^$' -bench RecommendationsPage -count 5
func BenchmarkRecommendationsPage20000Items2000Mentors(b *testing.B) {
	for _, engine := range testutil.Engines() {
		b.Run(engine.Name, func(b *testing.B) {
			ctx := context.Background()
			db := engine.Open(b)
			app := testutil.StartApp(b, db, testutil.AppOptions{})
			if _, err := app.Accounts.CreateUser(ctx, auth.NewUser{Email: "bench@example.org", Name: "Bench Person", Password: "bench password 1", CareerLevel: 6}); err != nil {
				b.Fatal(err)
			}
			rng := rand.New(rand.NewPCG(7, 7))
			elements := []string{"communication", "influence", "team", "strategic", "collaboration", "advocacy", "improvement"}
			if err := db.InTx(ctx, func(tx *store.Tx) error {
				now := store.Now()
				for i := range 20000 {
					var cost any
					free := rng.IntN(3) == 0
					if !free {
						cost = int64(rng.IntN(300000))
					}
					lv := rng.IntN(9) + 1
					title := fmt.Sprintf("Item w%d w%d %d", rng.IntN(5000), rng.IntN(5000), i)
					id, err := tx.Insert(ctx, `INSERT INTO directory_items (kind, grp, provider, title, summary, format, cost_pence, free, levels, status, created_at, updated_at)
						VALUES ('course', ?, ?, ?, 'A bench item.', ?, ?, ?, ?, 'published', ?, ?)`,
						[]string{"courses", "resources", "organisations"}[i%3], fmt.Sprintf("Provider %d", i%40), title,
						[]string{"online", "blended", "in-person", ""}[i%4], cost, free, fmt.Sprintf(",%d,%d,", lv, lv+1), now, now)
					if err != nil {
						return err
					}
					if _, err := tx.Exec(ctx, `INSERT INTO directory_item_elements (item_id, framework_key, element_key) VALUES (?, 'ot-leadership', ?)`, id, elements[i%len(elements)]); err != nil {
						return err
					}
				}
				for i := range 2000 {
					id, err := tx.Insert(ctx, `INSERT INTO users (email, name, password_hash, password_changed_at, career_level, created_at) VALUES (?, ?, 'x', ?, ?, ?)`,
						fmt.Sprintf("mentor%d@bench.test", i), fmt.Sprintf("Mentor %d", i), now, 5+rng.IntN(5), now)
					if err != nil {
						return err
					}
					free, fee := true, any(nil)
					if rng.IntN(4) == 0 {
						free, fee = false, int64(2000+rng.IntN(10000))
					}
					if _, err := tx.Exec(ctx, `INSERT INTO mentor_profiles (user_id, kind, level, background, free, fee_pence, modes, region, capacity, listed, created_at, updated_at)
						VALUES (?, ?, ?, 'Bench mentor', ?, ?, ?, 'London', ?, ?, ?, ?)`, id, []string{"mentor", "coach", "both"}[rng.IntN(3)], 5+rng.IntN(5),
						free, fee, []string{",video,", ",video,phone,", ",in-person,"}[rng.IntN(3)], 1+rng.IntN(3), true, now, now); err != nil {
						return err
					}
					for _, k := range rng.Perm(len(elements))[:1+rng.IntN(3)] {
						if _, err := tx.Exec(ctx, `INSERT INTO mentor_profile_elements (user_id, framework_key, element_key) VALUES (?, 'ot-leadership', ?)`, id, elements[k]); err != nil {
							return err
						}
					}
				}
				return nil
			}); err != nil {
				b.Fatal(err)
			}
			if db.Dialect == store.Postgres {
				if _, err := db.Exec(ctx, `ANALYZE`); err != nil {
					b.Fatal(err)
				}
			}
			cookie := sessionCookie(b, app, "bench@example.org", "bench password 1")
			path := "/recommendations?element=ot-leadership:influence&element=ot-leadership:team&budget=max&max=1000&format=online"
			serve(b, app, path, cookie, `id="mentors"`)
			b.ResetTimer()
			for b.Loop() {
				serve(b, app, path, cookie, "pillars-mentor-recommendations")
			}
		})
	}
}
