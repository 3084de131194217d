package stories_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/pillars-ot/pillars/internal/store"
	"github.com/pillars-ot/pillars/internal/stories"
	"github.com/pillars-ot/pillars/internal/testutil"
)

// seedStories publishes n generated stories with a spread of levels, settings and words.
func seedStories(b *testing.B, db *store.DB, n int) {
	r := rand.New(rand.NewPCG(4, 4))
	words := []string{"apprenticeship", "research", "management", "mentor", "coaching", "rural", "doctorate", "frailty", "housing", "children"}
	list := make([]stories.Keyed, n)
	for i := range list {
		in := good()
		in.Level = fmt.Sprint(r.IntN(9) + 1)
		in.Setting = stories.Settings[r.IntN(4)].Key
		in.Role = fmt.Sprintf("Role %d", i)
		in.Path = fmt.Sprintf("%s w%d w%d %s", words[r.IntN(len(words))], r.IntN(5000), r.IntN(5000), in.Path)
		list[i] = stories.Keyed{Key: fmt.Sprintf("bench-%d", i), Input: in}
	}
	if _, err := stories.NewService(db).LoadKeyed(context.Background(), list); err != nil {
		b.Fatal(err)
	}
	if db.Dialect == store.Postgres {
		if _, err := db.Exec(context.Background(), `ANALYZE`); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkStoriesBrowse10000 lists a page of 10,000 published stories: newest first, by level
// and setting, by words, and the comparison's one query for a level's stories.
func BenchmarkStoriesBrowse10000(b *testing.B) {
	for _, engine := range testutil.Engines() {
		b.Run(engine.Name, func(b *testing.B) {
			db := engine.Open(b)
			seedStories(b, db, 10000)
			svc := stories.NewService(db)
			ctx := context.Background()
			for _, c := range []struct {
				name string
				f    stories.Filter
			}{
				{"newest", stories.Filter{}},
				{"level+setting", stories.Filter{Level: 7, Setting: "social-care", Page: 2}},
				{"words", stories.Filter{Query: "rural neurology"}},
			} {
				b.Run(c.name, func(b *testing.B) {
					for b.Loop() {
						if res, err := svc.Search(ctx, c.f); err != nil || res.Total == 0 {
							b.Fatalf("%v %+v", err, res)
						}
					}
				})
			}
			b.Run("at-level", func(b *testing.B) {
				for b.Loop() {
					if list, err := svc.AtLevel(ctx, 7, 4); err != nil || len(list) != 4 {
						b.Fatalf("%v %d", err, len(list))
					}
				}
			})
		})
	}
}
