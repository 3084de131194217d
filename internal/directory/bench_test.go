package directory_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/pillars-ot/pillars/internal/directory"
	"github.com/pillars-ot/pillars/internal/store"
	"github.com/pillars-ot/pillars/internal/testutil"
)

var benchWords = strings.Fields(`leadership coaching mentoring influence strategy quality improvement teams change research
	practice supervision resilience compassion service design evidence education workforce wellbeing communication
	finance budget project management innovation community mental health occupational therapy rehabilitation`)

// seed20000 fills a database with 20,000 published items through plain inserts, keeping the
// full-text table in step on SQLite as the package does.
func seed20000(b *testing.B, db *store.DB) {
	ctx := context.Background()
	r := rand.New(rand.NewPCG(5, 5))
	formats := []string{"online", "blended", "in-person", ""}
	groups := []string{"courses", "resources", "organisations"}
	elements := []string{"ot-leadership:influence", "ot-leadership:team", "nhs-hlm:leading-with-care", "ot-leadership:strategic"}
	err := db.InTx(ctx, func(tx *store.Tx) error {
		now := store.Now()
		for i := 0; i < 20000; i++ {
			words := make([]string, 30)
			// Mostly a wide vocabulary, as real text has; the topical words one in five, so a
			// two-word search matches a few hundred items rather than nearly all of them.
			for j := range words {
				if r.IntN(5) == 0 {
					words[j] = benchWords[r.IntN(len(benchWords))]
				} else {
					words[j] = fmt.Sprintf("w%d", r.IntN(5000))
				}
			}
			title := fmt.Sprintf("%s %s %s %d", words[0], words[1], words[2], i)
			summary := strings.Join(words[3:], " ")
			free := r.IntN(3) == 0
			var cost any
			if !free {
				cost = int64(r.IntN(300000))
			}
			lv := r.IntN(9) + 1
			id, err := tx.Insert(ctx, `INSERT INTO directory_items (kind, grp, provider, title, summary, format, cost_pence, free, levels, status, created_at, updated_at)
				VALUES ('course', ?, ?, ?, ?, ?, ?, ?, ?, 'published', ?, ?)`, groups[i%3], fmt.Sprintf("Provider %d", i%40), title, summary,
				formats[i%4], cost, free, fmt.Sprintf(",%d,%d,", lv, lv+1), now, now)
			if err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `INSERT INTO directory_item_elements (item_id, framework_key, element_key) VALUES (?, ?, ?)`, id,
				strings.Split(elements[i%4], ":")[0], strings.Split(elements[i%4], ":")[1]); err != nil {
				return err
			}
			if tx.Dialect() == store.SQLite {
				if _, err := tx.Exec(ctx, `INSERT INTO directory_search (rowid, title, body) VALUES (?, ?, ?)`, id, title, summary); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	if db.Dialect == store.Postgres {
		if _, err := db.Exec(ctx, `ANALYZE`); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDirectorySearch20000 searches 20,000 items: two words, and filters without words.
// The target is under 20 ms a search.
func BenchmarkDirectorySearch20000(b *testing.B) {
	for _, engine := range testutil.Engines() {
		b.Run(engine.Name, func(b *testing.B) {
			db := engine.Open(b)
			seed20000(b, db)
			svc := directory.NewService(db)
			ctx := context.Background()
			for _, c := range []struct {
				name string
				f    directory.Filter
			}{
				{"words", directory.Filter{Query: "coaching resilience"}},
				{"filtered", directory.Filter{Group: "courses", Format: "online", Cost: "free", Level: 6, Element: "ot-leadership:influence"}},
				{"words+filters", directory.Filter{Query: "quality improvement", Cost: "100000", Level: 5}},
			} {
				b.Run(c.name, func(b *testing.B) {
					for b.Loop() {
						r, err := svc.Search(ctx, c.f)
						if err != nil || r.Total == 0 {
							b.Fatalf("%v %+v", err, r)
						}
					}
				})
			}
		})
	}
}
