package portfolio_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/pillars-ot/pillars/internal/portfolio"
	"github.com/pillars-ot/pillars/internal/privacy"
	"github.com/pillars-ot/pillars/internal/store"
	"github.com/pillars-ot/pillars/internal/testutil"
)

// The words a reflection is made of: short common words, the field's own vocabulary, and a
// long tail of rarer words (made up here), so that a domain word such as "falls" is in about a
// third of entries and a pair of them in about a tenth, as in a real portfolio.
var (
	benchCommon = strings.Fields(`the and I to of a in was with for on that my it we this they`)
	benchDomain = strings.Fields(`patient team ward therapy occupational therapist practice session
home visit discharge planning assessment goals family carer equipment falls prevention risk
supervision supervisor student placement feedback reflection learning course training leadership
leading change service improvement audit data evidence guideline research article journal club
presentation meeting huddle handover community hospital stroke rehabilitation mental health
dementia cognition function independence kitchen cooking washing dressing mobility transfers
seating posture splinting hand upper limb wheelchair pressure care housing adaptation social worker
nurse physiotherapist doctor consultant manager colleague multidisciplinary safeguarding consent
capacity confidentiality documentation record notes caseload prioritisation waiting list referral
triage outcome measure standardised observation interview activity analysis grading sensory
fatigue pain anxiety mood motivation engagement routine roles habits participation occupation
environment school work employment vocational volunteering leisure group programme intervention
plan review progress barriers strengths values culture language interpreter communication
listening empathy boundaries resilience wellbeing workload stress time management delegation
teaching mentoring coaching modelling influence negotiation advocacy collaboration quality safety
incident policy procedure standard competence scope professional HCPC RCOT CPD portfolio
development appraisal objectives skills knowledge confidence uncertainty complex decision clinical
reasoning theory model framework person centred holistic evaluation conclusion action feelings
description experience insight next week month year differently better understood noticed
realised discussed agreed explained supported encouraged observed assessed recommended arranged
completed attended delivered presented reviewed updated`)
	benchRare = func() []string {
		syl := strings.Fields("ka lo mi ne ru sa te vi do pa ge bo fu ha ji ke li mo nu pe qui ro su ta ve wi xo ya ze")
		out := make([]string, 0, 5000)
		for i := range 5000 {
			out = append(out, syl[i%len(syl)]+syl[(i/len(syl))%len(syl)]+syl[(i/7)%len(syl)])
		}
		return out
	}()
)

// benchText writes n words of plausible reflective text.
func benchText(r *rand.Rand, n int) string {
	var b strings.Builder
	for i := range n {
		var w string
		switch u := r.Float64(); {
		case u < 0.5:
			w = benchCommon[r.IntN(len(benchCommon))]
		case u < 0.9:
			w = benchDomain[r.IntN(len(benchDomain))]
		default:
			w = benchRare[r.IntN(len(benchRare))]
		}
		switch {
		case i == 0:
			w = strings.ToUpper(w[:1]) + w[1:]
		case i%17 == 0:
			b.WriteString(". ")
			w = strings.ToUpper(w[:1]) + w[1:]
		default:
			b.WriteByte(' ')
		}
		b.WriteString(w)
	}
	b.WriteByte('.')
	return b.String()
}

var benchTags = []portfolio.Tag{
	{Framework: "ot-leadership", Element: "influence"}, {Framework: "ot-leadership", Element: "communication"},
	{Framework: "ot-leadership", Element: "collaboration"}, {Framework: "ot-leadership", Element: "improvement"},
	{Framework: "hcpc-cpd", Element: "standard-1"}, {Framework: "hcpc-cpd", Element: "standard-2"},
	{Framework: "hcpc-cpd", Element: "standard-3"}, {Framework: "hcpc-cpd", Element: "standard-4"},
}

var benchTypes = []string{"work-based", "professional-activity", "formal-educational", "self-directed", "other"}

// benchArchive makes n realistic saved entries of about 300 words each, dated over eight
// years, in a mix of reflective models, with up to three tags each.
func benchArchive(seed uint64, n int) *portfolio.Archive {
	r := rand.New(rand.NewPCG(seed, 2026))
	a := &portfolio.Archive{Format: "pillars-portfolio", Version: portfolio.ArchiveVersion}
	first := time.Date(2018, 11, 1, 0, 0, 0, 0, time.UTC)
	days := int(testNow.Sub(first).Hours()/24) - 1
	for i := range n {
		d := first.AddDate(0, 0, r.IntN(days)).Format(time.DateOnly)
		e := portfolio.ArchivedEntry{Key: fmt.Sprintf("e%d", i), Status: "saved", StartedOn: d, EndedOn: d,
			Title: benchText(r, 4+r.IntN(6)), ActivityType: benchTypes[r.IntN(len(benchTypes))], Minutes: 15 * (1 + r.IntN(24))}
		switch i % 3 {
		case 0:
			e.Model = "gibbs"
			e.Stages = map[string]string{}
			for _, st := range portfolio.ModelByKey("gibbs").Stages {
				e.Stages[st.Key] = benchText(r, 50)
			}
		case 1:
			e.Model = "driscoll"
			e.Stages = map[string]string{"what": benchText(r, 100), "so-what": benchText(r, 100), "now-what": benchText(r, 100)}
		default:
			e.Model = "free"
			e.Stages = map[string]string{"reflection": benchText(r, 300)}
		}
		seen := map[int]bool{}
		for range r.IntN(4) {
			if k := r.IntN(len(benchTags)); !seen[k] {
				seen[k] = true
				e.Tags = append(e.Tags, benchTags[k])
			}
		}
		a.Entries = append(a.Entries, e)
	}
	return a
}

// benchWorld loads one person with 2,000 entries and three others with 500 each.
func benchWorld(b *testing.B, e *env) int64 {
	b.Helper()
	ctx := context.Background()
	var owner int64
	for i, n := range []int{2000, 500, 500, 500} {
		u := e.user(b, fmt.Sprintf("Bench Person%c", 'A'+i))
		res, err := e.svc.Restore(ctx, u.ID, benchArchive(uint64(i+1), n))
		if err != nil {
			b.Fatal(err)
		}
		if res.Entries != n {
			b.Fatalf("loaded %d of %d entries", res.Entries, n)
		}
		if i == 0 {
			owner = u.ID
		}
	}
	// A live PostgreSQL has statistics (autovacuum analyses a table soon after a bulk load);
	// without them the planner guesses one row per person and picks nested loops.
	if e.db.Dialect == store.Postgres {
		if _, err := e.db.Exec(ctx, `ANALYZE`); err != nil {
			b.Fatal(err)
		}
	}
	return owner
}

func benchSearch(b *testing.B, e *env, owner int64, f portfolio.Filter) {
	ctx := context.Background()
	res, err := e.svc.Search(ctx, owner, f)
	if err != nil {
		b.Fatal(err)
	}
	if res.Total == 0 {
		b.Fatalf("%+v finds nothing: not a fair benchmark", f)
	}
	b.ResetTimer()
	for b.Loop() {
		if _, err := e.svc.Search(ctx, owner, f); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(res.Total), "matches")
}

// BenchmarkSearch2000 searches one person's 2,000 entries beside 1,500 of other people's.
// The target is under 20 ms a search.
func BenchmarkSearch2000(b *testing.B) {
	for _, eng := range testutil.Engines() {
		b.Run(eng.Name, func(b *testing.B) {
			e := newEnv(b, eng.Open(b))
			owner := benchWorld(b, e)
			b.Run("two-words", func(b *testing.B) {
				benchSearch(b, e, owner, portfolio.Filter{Query: "discharge planning"})
			})
			b.Run("filtered", func(b *testing.B) {
				benchSearch(b, e, owner, portfolio.Filter{Query: "falls", Type: "work-based", Standard: "standard-3", From: "2021-01-01", To: "2026-10-31"})
			})
		})
	}
}

// BenchmarkTimeline2000 lists the same portfolio newest first, at the first and the fortieth page.
func BenchmarkTimeline2000(b *testing.B) {
	for _, eng := range testutil.Engines() {
		b.Run(eng.Name, func(b *testing.B) {
			e := newEnv(b, eng.Open(b))
			owner := benchWorld(b, e)
			for _, page := range []int{1, 40} {
				b.Run(fmt.Sprintf("page-%d", page), func(b *testing.B) {
					benchSearch(b, e, owner, portfolio.Filter{Page: page})
				})
			}
		})
	}
}

// BenchmarkPrivacyCheck5000Words runs the confidentiality check over one long entry, as a save
// does. The target is under 5 ms.
func BenchmarkPrivacyCheck5000Words(b *testing.B) {
	r := rand.New(rand.NewPCG(5000, 1))
	var parts []string
	for i := range 50 {
		parts = append(parts, benchText(r, 98))
		// A few things a careful reader would stop at, as real text has.
		switch i % 10 {
		case 0:
			parts = append(parts, "We met on 3 March 2026 for 45 minutes.")
		case 3:
			parts = append(parts, "Dr Amara Jones joined the review.")
		case 6:
			parts = append(parts, "Her NHS number 943 476 5919 was on the referral.")
		}
	}
	text := strings.Join(parts, " ")
	if n := portfolio.CountWords(text); n < 5000 || n > 5200 {
		b.Fatalf("%d words", n)
	}
	if len(privacy.Check(text)) == 0 {
		b.Fatal("nothing found: the planted identifiers are not checked")
	}
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		privacy.Check(text)
	}
}
