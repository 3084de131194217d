// Command seedportfolio gives one person a large CPD portfolio, for the timeline load benchmark:
// the target is a person with 2,000 entries. It writes through package portfolio, the
// same path as the web form, so the search index and tags are exactly what real use makes.
//
//	go run ./bench/seedportfolio --db pillars.db --email alex.marlowe@demo.pillars.test --entries 2000
package main

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"time"

	"github.com/pillars-ot/pillars/internal/auth"
	"github.com/pillars-ot/pillars/internal/framework"
	"github.com/pillars-ot/pillars/internal/portfolio"
	"github.com/pillars-ot/pillars/internal/store"
)

var words = strings.Fields(`supervision huddle discharge planning falls prevention delegation student placement
	reflection leadership team support worker home visit equipment assessment occupational goals service
	improvement run chart audit referral waiting times network presentation journal club reading
	compassionate feedback confidence delegation caseload community rehabilitation stroke ward family
	carers therapy group balance strength kitchen practice safety risk plan review outcome evidence`)

var skills = []string{"communication", "influence", "clinical-credibility", "collaboration", "advocacy", "improvement", "emotional-intelligence", "strategic-thinking"}
var types = []string{"work-based", "professional-activity", "formal-educational", "self-directed", "other"}

func sentence(rng *rand.Rand, n int) string {
	w := make([]string, n)
	for i := range w {
		w[i] = words[rng.IntN(len(words))]
	}
	return strings.ToUpper(w[0][:1]) + strings.Join(w, " ")[1:] + "."
}

func main() {
	dsn := flag.String("db", "pillars.db", "database (SQLite file or postgres:// URL)")
	email := flag.String("email", "alex.marlowe@demo.pillars.test", "whose portfolio to fill")
	n := flag.Int("entries", 2000, "how many entries to add")
	flag.Parse()
	if err := run(*dsn, *email, *n); err != nil {
		fmt.Fprintln(os.Stderr, "seedportfolio:", err)
		os.Exit(1)
	}
}

func run(dsn, email string, n int) error {
	ctx := context.Background()
	db, err := store.Open(ctx, dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	u, err := auth.NewService(db).UserByEmail(ctx, email)
	if err != nil {
		return fmt.Errorf("%s: %w (load the demo first)", email, err)
	}
	p := portfolio.NewService(db, framework.NewCatalogue(db))
	rng := rand.New(rand.NewPCG(2000, 1))
	today := time.Now()
	for i := range n {
		in := portfolio.EntryInput{
			Title:        sentence(rng, 6),
			StartedOn:    today.AddDate(0, 0, -rng.IntN(3650)).Format(time.DateOnly),
			ActivityType: types[rng.IntN(len(types))],
			Hours:        fmt.Sprint(1 + rng.IntN(8)),
			Model:        "driscoll",
			Stages:       map[string]string{"what": sentence(rng, 100), "so-what": sentence(rng, 100), "now-what": sentence(rng, 100)},
			Tags: []portfolio.Tag{{Framework: "ot-leadership", Element: skills[rng.IntN(len(skills))]},
				{Framework: "hcpc-cpd", Element: fmt.Sprintf("standard-%d", 1+rng.IntN(5))}},
		}
		if _, err := p.Create(ctx, u.ID, in, false, nil); err != nil {
			return fmt.Errorf("entry %d: %w", i+1, err)
		}
	}
	res, err := p.Search(ctx, u.ID, portfolio.Filter{})
	if err != nil {
		return err
	}
	fmt.Println(res.Total)
	return nil
}
