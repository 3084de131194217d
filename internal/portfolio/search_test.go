package portfolio_test

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/pillars-ot/pillars/internal/portfolio"
	"github.com/pillars-ot/pillars/internal/store"
	"github.com/pillars-ot/pillars/internal/testutil"
	"github.com/pillars-ot/pillars/internal/valid"
)

// searchWorld is one person's small portfolio with another person's and a draft beside it.
type searchWorld struct {
	e                                     *env
	owner, other                          int64
	course, supervision, falls, huddle    int64
	otherHuddle, draftHuddle, hoursCourse int64
}

func newSearchWorld(t *testing.T, db *store.DB) *searchWorld {
	t.Helper()
	ctx := context.Background()
	e := newEnv(t, db)
	w := &searchWorld{e: e, owner: e.user(t, "Alex Marlowe").ID, other: e.user(t, "Sam Okafor").ID}
	course := free("Leadership course: influencing skills", "2026-01-15", "formal-educational",
		"The course covered influencing without authority and leading change in a busy team.")
	course.Hours = "6"
	course.Tags = []portfolio.Tag{{Framework: "ot-leadership", Element: "influence"}, {Framework: "hcpc-cpd", Element: "standard-3"}}
	sup := free("Clinical supervision", "2026-02-10", "work-based",
		"In supervision we discussed my caseload and a complex discharge home with a package of care.")
	sup.Tags = []portfolio.Tag{{Framework: "hcpc-cpd", Element: "standard-4"}}
	falls := free("Reading on falls prevention", "2026-03-05", "self-directed",
		"I read the national guideline on falls and assessed the ward's risk screening against it.")
	falls.Hours = "0.5"
	falls.EndedOn = "2026-03-20"
	huddle := gibbs("Leading the stroke ward huddle", "2026-04-20")
	huddle.Tags = []portfolio.Tag{{Framework: "ot-leadership", Element: "influence"}, {Framework: "hcpc-cpd", Element: "standard-4"}}
	w.course = mustCreate(t, e, w.owner, course).ID
	w.supervision = mustCreate(t, e, w.owner, sup).ID
	w.falls = mustCreate(t, e, w.owner, falls).ID
	w.huddle = mustCreate(t, e, w.owner, huddle).ID
	if _, err := e.svc.AddFile(ctx, w.owner, w.huddle, "agenda.pdf", pdfBytes(0)); err != nil {
		t.Fatal(err)
	}
	w.otherHuddle = mustCreate(t, e, w.other, gibbs("Sam's huddle: leadership and falls", "2026-04-21")).ID
	d, err := e.svc.Create(ctx, w.owner, portfolio.EntryInput{Title: "Draft about the huddle and leadership", StartedOn: "2026-04-22",
		Stages: map[string]string{"reflection": "falls supervision guideline"}}, true, nil)
	if err != nil {
		t.Fatal(err)
	}
	w.draftHuddle = d.ID
	return w
}

func ids(res *portfolio.Results) []int64 {
	out := []int64{}
	for _, it := range res.Items {
		out = append(out, it.ID)
	}
	return out
}

func TestSearch(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newSearchWorld(t, db)
		cases := []struct {
			name string
			f    portfolio.Filter
			want []int64 // in order when there are no words, as a set otherwise
		}{
			{"timeline, newest first", portfolio.Filter{}, []int64{w.huddle, w.falls, w.supervision, w.course}},
			{"a word in a title", portfolio.Filter{Query: "huddle"}, []int64{w.huddle}},
			{"a word only in a stage", portfolio.Filter{Query: "bleeps"}, []int64{w.huddle}},
			{"a word only in free text", portfolio.Filter{Query: "caseload"}, []int64{w.supervision}},
			{"capitals do not matter", portfolio.Filter{Query: "CASELOAD"}, []int64{w.supervision}},
			{"prefix", portfolio.Filter{Query: "leader"}, []int64{w.course}},
			{"prefix of a word in a stage", portfolio.Filter{Query: "guide"}, []int64{w.falls}},
			{"every word must match", portfolio.Filter{Query: "falls guideline"}, []int64{w.falls}},
			{"words in title and body", portfolio.Filter{Query: "prevention screening"}, []int64{w.falls}},
			{"words from two entries", portfolio.Filter{Query: "falls huddle"}, []int64{}},
			{"a plural finds the singular", portfolio.Filter{Query: "discharges"}, []int64{w.supervision, w.huddle}},
			// Both engines stem English (SQLite's porter tokenizer, PostgreSQL's 'english'
			// configuration), so another form of a word finds it on both.
			{"stemming: supervised finds supervision", portfolio.Filter{Query: "supervised"}, []int64{w.supervision}},
			{"stemming: supervising", portfolio.Filter{Query: "Supervising"}, []int64{w.supervision}},
			{"stemming: discharged", portfolio.Filter{Query: "discharged"}, []int64{w.supervision, w.huddle}},
			{"stemming: influence finds influencing", portfolio.Filter{Query: "influence"}, []int64{w.course}},
			{"no match", portfolio.Filter{Query: "zebra"}, []int64{}},
			{"only punctuation is the timeline", portfolio.Filter{Query: ` "*:-() `}, []int64{w.huddle, w.falls, w.supervision, w.course}},
			{"by type", portfolio.Filter{Type: "work-based"}, []int64{w.huddle, w.supervision}},
			{"by type, none", portfolio.Filter{Type: "other"}, []int64{}},
			{"by tag", portfolio.Filter{Tag: portfolio.Tag{Framework: "ot-leadership", Element: "influence"}}, []int64{w.huddle, w.course}},
			{"by tag of another framework with the same element key", portfolio.Filter{Tag: portfolio.Tag{Framework: "nhs-hlm", Element: "influence"}}, []int64{}},
			{"by standard", portfolio.Filter{Standard: "standard-4"}, []int64{w.huddle, w.supervision}},
			{"from", portfolio.Filter{From: "2026-03-05"}, []int64{w.huddle, w.falls}},
			{"to", portfolio.Filter{To: "2026-02-10"}, []int64{w.supervision, w.course}},
			{"a period on the start date", portfolio.Filter{From: "2026-02-01", To: "2026-03-31"}, []int64{w.falls, w.supervision}},
			{"words and filters together", portfolio.Filter{Query: "lead", Type: "work-based", Standard: "standard-4", From: "2026-04-01"}, []int64{w.huddle}},
			{"words and a filter that excludes", portfolio.Filter{Query: "huddle", Type: "formal-educational"}, []int64{}},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				res, err := w.e.svc.Search(ctx, w.owner, c.f)
				if err != nil {
					t.Fatal(err)
				}
				got := ids(res)
				if c.f.Query != "" && strings.Trim(c.f.Query, ` "*:-() `) != "" {
					// Relevance order is the engine's business; compare as sets.
					got, c.want = sorted(got), sorted(c.want)
				}
				if !reflect.DeepEqual(got, c.want) || res.Total != len(c.want) {
					t.Errorf("got %v (total %d), want %v", got, res.Total, c.want)
				}
			})
		}
		// What a list line carries.
		res, _ := w.e.svc.Search(ctx, w.owner, portfolio.Filter{Query: "bleeps"})
		it := res.Items[0]
		if it.Title != "Leading the stroke ward huddle" || it.StartedOn != "2026-04-20" || it.EndedOn != "2026-04-20" || it.ActivityType != "work-based" ||
			it.Hours() != "1.5" || it.Model != "gibbs" || it.Evidence != 1 || len(it.Tags) != 2 || it.Tags[1].Title != "OT leadership: Influence" {
			t.Errorf("item: %+v", it)
		}
		if !strings.Contains(it.Snippet, "bleeps") || strings.HasPrefix(it.Snippet, it.Title) {
			t.Errorf("snippet: %q", it.Snippet)
		}
	})
}

func sorted(v []int64) []int64 {
	out := append([]int64{}, v...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

// Whatever is typed, search answers: query syntax of either engine is never passed through.
func TestSearchQuerySyntaxNeverFails(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newSearchWorld(t, db)
		queries := []string{
			`"`, `""`, `"huddle`, `huddle"`, `*`, `huddle*`, `*huddle`, `huddle OR falls`, `OR`, `AND`, `NOT`, `huddle NOT falls`,
			`NEAR(huddle falls)`, `NEAR(`, `-huddle`, `huddle -falls`, `title:huddle`, `:`, `body:`, `huddle & falls`, `!huddle`,
			`huddle | falls`, `(huddle`, `huddle)`, `'`, `huddle's`, `don't`, `\`, `%`, `_`, `huddle:*`, `<->`, `{}`, `^huddle`,
			`the`, `a an the of`, `1`, `2026-04-20`, "huddle\x00falls", "ünïcödé", "日本語", strings.Repeat("x", 200),
			strings.Repeat("huddle ", 28), strings.Repeat("ab ", 60),
		}
		for _, q := range queries {
			res, err := w.e.svc.Search(ctx, w.owner, portfolio.Filter{Query: q})
			if err != nil {
				t.Errorf("Search(%q): %v", q, err)
				continue
			}
			for _, id := range ids(res) {
				if id == w.otherHuddle || id == w.draftHuddle {
					t.Errorf("Search(%q) found another person's entry or a draft", q)
				}
			}
		}
		// Query words are only ever words: these find the huddle entry like "huddle" does, and
		// "title:huddle" or "NEAR(huddle" look for both words, not a column or an operator.
		for _, q := range []string{`"huddle`, `huddle*`, `-huddle`, `huddle)`, `(huddle`, `!huddle`, `huddle:*`, `huddle & | !`} {
			res, err := w.e.svc.Search(ctx, w.owner, portfolio.Filter{Query: q})
			if err != nil || !reflect.DeepEqual(ids(res), []int64{w.huddle}) {
				t.Errorf("Search(%q) = %v, %v; want the huddle entry", q, res, err)
			}
		}
		if _, err := w.e.svc.Search(ctx, w.owner, portfolio.Filter{Query: strings.Repeat("x", 201)}); err == nil {
			t.Error("a 201-character query was accepted")
		}
	})
}

// Search only ever shows the owner's saved entries, however the filter is set.
func TestSearchPrivacy(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newSearchWorld(t, db)
		filters := []portfolio.Filter{{}, {Query: "huddle"}, {Query: "leadership"}, {Query: "falls"}, {Query: "guideline supervision"},
			{Type: "work-based"}, {From: "2026-04-21"}, {Tag: portfolio.Tag{Framework: "hcpc-cpd", Element: "standard-4"}}}
		for _, f := range filters {
			res, err := w.e.svc.Search(ctx, w.owner, f)
			if err != nil {
				t.Fatal(err)
			}
			for _, id := range ids(res) {
				if id == w.otherHuddle || id == w.draftHuddle {
					t.Errorf("%+v: found %d (another person's entry or a draft)", f, id)
				}
			}
			other, err := w.e.svc.Search(ctx, w.other, f)
			if err != nil {
				t.Fatal(err)
			}
			for _, id := range ids(other) {
				if id != w.otherHuddle {
					t.Errorf("%+v: Sam found entry %d", f, id)
				}
			}
		}
	})
}

func TestSearchPaging(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		pat := e.user(t, "Pat Quinn")
		start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		const n = portfolio.PageSize + 5
		for i := range n {
			mustCreate(t, e, pat.ID, free(fmt.Sprintf("Home visit %d", i), start.AddDate(0, 0, i).Format(time.DateOnly), "work-based", "Home visit for equipment."))
		}
		seen := map[int64]bool{}
		for page, want := range map[int]int{1: portfolio.PageSize, 2: 5, 3: 0} {
			for _, q := range []string{"", "visit"} {
				res, err := e.svc.Search(ctx, pat.ID, portfolio.Filter{Query: q, Page: page})
				if err != nil {
					t.Fatal(err)
				}
				if len(res.Items) != want || res.Total != n || res.Pages != 2 || res.Page != page {
					t.Errorf("page %d of %q: %d items, total %d, pages %d", page, q, len(res.Items), res.Total, res.Pages)
				}
				if q == "" {
					for _, it := range res.Items {
						if seen[it.ID] {
							t.Errorf("entry %d on two pages", it.ID)
						}
						seen[it.ID] = true
					}
				}
			}
		}
		if len(seen) != n {
			t.Errorf("pages showed %d entries, want %d", len(seen), n)
		}
		res, _ := e.svc.Search(ctx, pat.ID, portfolio.Filter{Page: -3})
		if res.Page != 1 || len(res.Items) != portfolio.PageSize || res.Items[0].Title != fmt.Sprintf("Home visit %d", n-1) {
			t.Errorf("page below 1: page %d, first %q", res.Page, res.Items[0].Title)
		}
		if empty, _ := e.svc.Search(ctx, e.user(t, "Nobody Yet").ID, portfolio.Filter{}); empty.Total != 0 || empty.Pages != 1 {
			t.Errorf("an empty portfolio: %+v", empty)
		}
	})
}

func TestCheckFilter(t *testing.T) {
	cases := []struct {
		f           portfolio.Filter
		field, want string
	}{
		{portfolio.Filter{From: "2026-02-30"}, "from", "real date"},
		{portfolio.Filter{From: "1/2/2026"}, "from", "real date"},
		{portfolio.Filter{To: "tomorrow"}, "to", "real date"},
		{portfolio.Filter{From: "2026-03-01", To: "2026-02-28"}, "to", "on or after its start"},
		{portfolio.Filter{Query: strings.Repeat("é", 201)}, "q", "200 characters"},
		{portfolio.Filter{From: " 2026-03-01 ", To: "2026-03-01"}, "", ""},
		{portfolio.Filter{Query: strings.Repeat("é", 200)}, "", ""},
	}
	for _, c := range cases {
		errs := portfolio.CheckFilter(&c.f)
		if c.field == "" {
			if errs.Any() {
				t.Errorf("%+v: %v", c.f, errs)
			}
			continue
		}
		if msg := errs.For(c.field); !strings.Contains(msg, c.want) {
			t.Errorf("%+v: %s error %q, want %q", c.f, c.field, msg, c.want)
		}
	}
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		_, err := e.svc.Search(context.Background(), e.user(t, "Alex Marlowe").ID, portfolio.Filter{From: "2026-03-01", To: "2026-01-01"})
		var errs valid.Errors
		if !asErrs(err, &errs) || errs.For("to") == "" {
			t.Errorf("Search with to before from: %v", err)
		}
		if _, err := e.svc.Totals(context.Background(), 1, "nonsense", ""); !asErrs(err, &errs) || errs.For("from") == "" {
			t.Errorf("Totals with a bad date: %v", err)
		}
	})
}

// Text whose lower case is longer in bytes than itself must not break the snippet.
func TestSearchSnippetOddText(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		alex := e.user(t, "Alex Marlowe")
		// U+023A lower-cases to U+2C65, two bytes to three.
		body := strings.Repeat("Ⱥ", 100) + " leadership " + strings.Repeat("word ", 80)
		mustCreate(t, e, alex.ID, free("Odd letters", "2026-03-01", "other", body))
		mustCreate(t, e, alex.ID, free("Short", "2026-03-03", "other", strings.Repeat("Ⱥ", 100)+" leadership")) // used to panic
		mustCreate(t, e, alex.ID, free("Turkish İ", "2026-03-02", "other", strings.Repeat("İ", 100)+" leadership"))
		res, err := e.svc.Search(ctx, alex.ID, portfolio.Filter{Query: "leadership"})
		if err != nil || res.Total != 3 {
			t.Fatalf("%+v %v", res, err)
		}
		for _, it := range res.Items {
			if !strings.Contains(it.Snippet, "leadership") {
				t.Errorf("snippet of %q: %q", it.Title, it.Snippet)
			}
		}
	})
}

func TestTotals(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newSearchWorld(t, db)
		tot, err := w.e.svc.Totals(ctx, w.owner, "", "")
		if err != nil {
			t.Fatal(err)
		}
		type row struct {
			Key     string
			Entries int
			Minutes int
		}
		var byType []row
		for _, r := range tot.ByType {
			byType = append(byType, row{r.Key, r.Entries, r.Minutes})
		}
		// Every HCPC type, in the framework's order, zero rows included.
		want := []row{{"work-based", 2, 150}, {"professional-activity", 0, 0}, {"formal-educational", 1, 360}, {"self-directed", 1, 30}, {"other", 0, 0}}
		if !reflect.DeepEqual(byType, want) {
			t.Errorf("by type: %+v\nwant %+v", byType, want)
		}
		if tot.ByType[1].Label != "Professional activity" || tot.ByType[0].Hours() != "2.5" {
			t.Errorf("labels: %+v", tot.ByType)
		}
		if tot.All.Entries != 4 || tot.All.Minutes != 540 || tot.All.Hours() != "9" {
			t.Errorf("all: %+v", tot.All)
		}
		var byEl []row
		for _, r := range tot.ByElement {
			byEl = append(byEl, row{r.Key, r.Entries, r.Minutes})
		}
		// Most hours first; ties by label.
		wantEl := []row{{"ot-leadership:influence", 2, 450}, {"hcpc-cpd:standard-3", 1, 360}, {"hcpc-cpd:standard-4", 2, 150}}
		if !reflect.DeepEqual(byEl, wantEl) {
			t.Errorf("by element: %+v\nwant %+v", byEl, wantEl)
		}
		if tot.ByElement[0].Label != "OT leadership: Influence" {
			t.Errorf("element label: %q", tot.ByElement[0].Label)
		}

		// A period counts entries by their start date; drafts and other people never count.
		tot, err = w.e.svc.Totals(ctx, w.owner, "2026-02-01", "2026-03-31")
		if err != nil {
			t.Fatal(err)
		}
		byType = nil
		for _, r := range tot.ByType {
			byType = append(byType, row{r.Key, r.Entries, r.Minutes})
		}
		want = []row{{"work-based", 1, 60}, {"professional-activity", 0, 0}, {"formal-educational", 0, 0}, {"self-directed", 1, 30}, {"other", 0, 0}}
		if !reflect.DeepEqual(byType, want) || tot.All.Minutes != 90 || tot.From != "2026-02-01" || tot.To != "2026-03-31" {
			t.Errorf("period by type: %+v all %+v", byType, tot.All)
		}
		byEl = nil
		for _, r := range tot.ByElement {
			byEl = append(byEl, row{r.Key, r.Entries, r.Minutes})
		}
		if !reflect.DeepEqual(byEl, []row{{"hcpc-cpd:standard-4", 1, 60}}) {
			t.Errorf("period by element: %+v", byEl)
		}
		empty, err := w.e.svc.Totals(ctx, w.owner, "2030-01-01", "")
		if err != nil || empty.All.Entries != 0 || len(empty.ByType) != 5 || len(empty.ByElement) != 0 {
			t.Errorf("empty period: %+v %v", empty, err)
		}
	})
}
