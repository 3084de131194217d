package web_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/pillars-ot/pillars/internal/assess"
	"github.com/pillars-ot/pillars/internal/auth"
	"github.com/pillars-ot/pillars/internal/demo"
	"github.com/pillars-ot/pillars/internal/mentoring"
	"github.com/pillars-ot/pillars/internal/plan"
	"github.com/pillars-ot/pillars/internal/store"
	"github.com/pillars-ot/pillars/internal/testutil"
)

// newPerson makes a practitioner at level 6 with no assessment and no plan, signed in.
func newPerson(t *testing.T, app *testutil.App, email string) (*auth.User, *http.Client) {
	t.Helper()
	u, err := app.Accounts.CreateUser(context.Background(), auth.NewUser{Email: email, Name: "Test Person", Password: demo.Password, CareerLevel: 6})
	if err != nil {
		t.Fatal(err)
	}
	c := app.Client()
	signIn(t, app, c, email, demo.Password)
	return u, c
}

func actionTitles(t *testing.T, app *testutil.App, userID int64) map[int64][]string {
	t.Helper()
	goals, err := app.Plans.Goals(context.Background(), userID)
	if err != nil {
		t.Fatal(err)
	}
	out := map[int64][]string{}
	for _, g := range goals {
		out[g.ID] = nil
		for _, a := range g.Actions {
			out[g.ID] = append(out[g.ID], a.Title+" ("+a.Pathway+")")
		}
	}
	return out
}

var recommendedTitle = regexp.MustCompile(`<h3 class="nhsuk-card__heading nhsuk-heading-s"><a href="/directory/(\d+)">([^<]+)</a></h3>\s*<p class="nhsuk-body-s pillars-meta[^"]*">([^<]*)</p>`)

func TestRecommendations(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		app := testutil.StartApp(t, db, testutil.AppOptions{})
		pat, c := newPerson(t, app, "pat@example.test")

		t.Run("no assessment and no picks", func(t *testing.T) {
			status, body := get(t, c, app.URL+"/recommendations")
			if status != 200 || !strings.Contains(body, "Choose at least one element above, or submit a self-assessment") {
				t.Fatalf("status %d, no helpful message", status)
			}
			if strings.Contains(body, `action="/recommendations/add"`) {
				t.Error("recommendations without anything to rank by")
			}
		})

		t.Run("free only never shows a paid course", func(t *testing.T) {
			q := url.Values{"budget": {"free"}, "element": {"ot-leadership:influence", "ot-leadership:communication", "ot-leadership:team"}}
			status, body := get(t, c, app.URL+"/recommendations?"+q.Encode())
			found := recommendedTitle.FindAllStringSubmatch(html.UnescapeString(body), -1)
			if status != 200 || len(found) == 0 {
				t.Fatalf("status %d, %d found", status, len(found))
			}
			for _, m := range found {
				if strings.Contains(m[3], "£") {
					t.Errorf("free only, but %q: %q", m[2], m[3])
				}
			}
			// The same picks without a limit do bring priced items: the filter is what hid them.
			q.Set("budget", "max")
			q.Set("max", "100000")
			_, body = get(t, c, app.URL+"/recommendations?"+q.Encode())
			if !strings.Contains(html.UnescapeString(body), "Why:</strong> develops Influence, your first choice") {
				t.Error("no why-phrases for the first choice")
			}
		})

		t.Run("a bad budget keeps the form", func(t *testing.T) {
			status, body := get(t, c, app.URL+"/recommendations?budget=max&max=lots&region=Leeds&element=ot-leadership:team")
			if status != http.StatusUnprocessableEntity || !strings.Contains(body, "Enter the most you would pay in whole pounds") || !strings.Contains(body, `value="Leeds"`) {
				t.Fatalf("status %d", status)
			}
		})

		// Another person's goal for the same element, which must never be touched.
		other, _ := newPerson(t, app, "other@example.test")
		ctx := context.Background()
		theirs, err := app.Plans.CreateGoal(ctx, other.ID, plan.GoalInput{Specific: "Their goal", DueOn: "2099-01-01",
			Elements: []plan.ElementRef{{Framework: "ot-leadership", Element: "communication"}}})
		if err != nil {
			t.Fatal(err)
		}

		t.Run("add to my plan, twice", func(t *testing.T) {
			var jenner string
			if err := db.QueryRow(ctx, `SELECT id FROM directory_items WHERE key = 'nhsla-edward-jenner'`).Scan(&jenner); err != nil {
				t.Fatal(err)
			}
			form := url.Values{"item": {jenner}, "element": {"ot-leadership:communication"}}
			for i := 0; i < 2; i++ {
				status, _, h := post(t, c, app.URL+"/recommendations/add", form)
				if status != http.StatusSeeOther || !strings.HasPrefix(h.Get("Location"), "/plan#goal-") {
					t.Fatalf("click %d: %d %q", i+1, status, h.Get("Location"))
				}
			}
			mine := actionTitles(t, app, pat.ID)
			if len(mine) != 1 {
				t.Fatalf("goals: %v", mine)
			}
			for _, actions := range mine {
				if strings.Join(actions, "|") != "Do Edward Jenner programme (formal-development)" {
					t.Errorf("actions: %q", actions)
				}
			}
			if got := actionTitles(t, app, other.ID); len(got) != 1 || len(got[theirs.ID]) != 0 {
				t.Errorf("the other person's plan changed: %v", got)
			}
			_, body := get(t, c, app.URL+"/plan")
			if !strings.Contains(html.UnescapeString(body), "Do Edward Jenner programme") {
				t.Error("the action is not on the plan page")
			}
		})

		t.Run("an organisation or an element the item does not develop is not found", func(t *testing.T) {
			var org, jenner string
			db.QueryRow(ctx, `SELECT id FROM directory_items WHERE grp = 'organisations' ORDER BY id LIMIT 1`).Scan(&org)
			db.QueryRow(ctx, `SELECT id FROM directory_items WHERE key = 'nhsla-edward-jenner'`).Scan(&jenner)
			for _, form := range []url.Values{
				{"item": {org}, "element": {"ot-leadership:communication"}},
				{"item": {jenner}, "element": {"ot-leadership:strategic"}},
				{"item": {"999999"}, "element": {"ot-leadership:communication"}},
			} {
				if status, _, _ := post(t, c, app.URL+"/recommendations/add", form); status != http.StatusNotFound {
					t.Errorf("%v: %d", form, status)
				}
			}
		})
	})
}

// TestRecommendationsFromGaps: with a submitted self-assessment the gaps are used, and "Add to
// my plan" makes the goal from the gap, as "Make a goal" does.
func TestRecommendationsFromGaps(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		app := testutil.StartApp(t, db, testutil.AppOptions{})
		u, c := newPerson(t, app, "gaps@example.test")
		ctx := context.Background()
		a, err := app.Assess.Start(ctx, u.ID, "ot-leadership")
		if err != nil {
			t.Fatal(err)
		}
		ratings := allRatings(4)
		ratings["communication"] = assess.Rating{Rating: 1}
		if err := app.Assess.Submit(ctx, u.ID, a.ID, ratings); err != nil {
			t.Fatal(err)
		}

		status, body := get(t, c, app.URL+"/recommendations?budget=free&format=online")
		body = html.UnescapeString(body)
		found := recommendedTitle.FindAllStringSubmatch(body, -1)
		if status != 200 || len(found) == 0 || found[0][2] != "Edward Jenner programme" {
			t.Fatalf("status %d, found %v", status, found)
		}
		if !strings.Contains(body, "Why:</strong> develops Communication, your largest gap; suits level 6; free; online") {
			t.Error("why-phrases missing")
		}
		if status, _, _ := post(t, c, app.URL+"/recommendations/add", url.Values{"item": {found[0][1]}, "element": {"ot-leadership:communication"}}); status != http.StatusSeeOther {
			t.Fatalf("add: %d", status)
		}
		goals, _ := app.Plans.Goals(ctx, u.ID)
		if len(goals) != 1 || !strings.HasPrefix(goals[0].Specific, "Raise my rating for Communication from 1") || len(goals[0].Actions) != 1 {
			t.Fatalf("goals: %+v", goals)
		}
	})
}

// TestRecommendationsListMentors checks that mentors join the recommendations: one who helps
// with the chosen element, with a place free and within budget, is listed with why; one who
// charges over a free-only budget, or helps with nothing chosen, is not.
func TestRecommendationsListMentors(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		app := testutil.StartApp(t, db, testutil.AppOptions{Demo: true})
		ctx := context.Background()
		profile := func(email string, in mentoring.ProfileInput) {
			t.Helper()
			u, err := app.Accounts.UserByEmail(ctx, email)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := app.Mentoring.SaveProfile(ctx, u.ID, in); err != nil {
				t.Fatal(err)
			}
		}
		profile("ruth.lindqvist@demo.pillars.test", mentoring.ProfileInput{Kind: "mentor", Level: "7", Background: "Ward lead for ten years.", Free: true, Modes: []string{"video"},
			Capacity: "3", Listed: true, Elements: []string{"ot-leadership:communication", "ot-leadership:influence"}})
		profile("dev.ramesh@demo.pillars.test", mentoring.ProfileInput{Kind: "coach", Level: "8", Background: "Consultant and coach.", Fee: "60", Modes: []string{"video"},
			Capacity: "2", Listed: true, Elements: []string{"ot-leadership:communication"}})
		profile("grace.whitfield@demo.pillars.test", mentoring.ProfileInput{Kind: "mentor", Level: "7", Background: "Discharge lead.", Free: true, Modes: []string{"phone"},
			Capacity: "2", Listed: true, Elements: []string{"ot-leadership:strategic"}})
		_, c := newPerson(t, app, "pat@example.test")

		mentorNames := func(body string) []string {
			start := strings.Index(body, `id="mentors"`)
			if start < 0 {
				t.Fatal("no mentors section")
			}
			var names []string
			for _, m := range regexp.MustCompile(`<a href="/mentoring/mentors/\d+">([^<]+)</a>`).FindAllStringSubmatch(body[start:], -1) {
				names = append(names, html.UnescapeString(m[1]))
			}
			return names
		}
		status, body := get(t, c, app.URL+"/recommendations?element=ot-leadership:communication&budget=free&format=online")
		if status != 200 {
			t.Fatalf("status %d", status)
		}
		if got := mentorNames(body); strings.Join(got, ",") != "Ruth Lindqvist" {
			t.Errorf("free only: mentors %q, want Ruth alone (Dev charges, Grace helps with something else)", got)
		}
		if want := "helps with Communication, your first choice; 1 level ahead of you; offers video; 3 of 3 places free; free"; !strings.Contains(html.UnescapeString(body), want) {
			t.Errorf("why not said as %q", want)
		}
		_, body = get(t, c, app.URL+"/recommendations?element=ot-leadership:communication&budget=any")
		if got := mentorNames(body); strings.Join(got, ",") != "Ruth Lindqvist,Dev Ramesh" && strings.Join(got, ",") != "Dev Ramesh,Ruth Lindqvist" {
			t.Errorf("no limit: mentors %q, want Ruth and Dev", got)
		}

		// One click adds asking them to the plan, by the mentoring or coaching pathway.
		pat, err := app.Accounts.UserByEmail(ctx, "pat@example.test")
		if err != nil {
			t.Fatal(err)
		}
		idOf := func(email string) string {
			u, err := app.Accounts.UserByEmail(ctx, email)
			if err != nil {
				t.Fatal(err)
			}
			return strconv.FormatInt(u.ID, 10)
		}
		for _, c2 := range []struct {
			mentor, element string
			status          int
		}{
			{idOf("ruth.lindqvist@demo.pillars.test"), "ot-leadership:communication", http.StatusSeeOther},
			{idOf("dev.ramesh@demo.pillars.test"), "ot-leadership:communication", http.StatusSeeOther},
			{idOf("dev.ramesh@demo.pillars.test"), "ot-leadership:influence", http.StatusNotFound},       // not what Dev helps with
			{idOf("alex.marlowe@demo.pillars.test"), "ot-leadership:communication", http.StatusNotFound}, // no profile
			{"abc", "ot-leadership:communication", http.StatusNotFound},
		} {
			if status, _, _ := post(t, c, app.URL+"/recommendations/add", url.Values{"mentor": {c2.mentor}, "element": {c2.element}}); status != c2.status {
				t.Errorf("add mentor %s for %s: %d, want %d", c2.mentor, c2.element, status, c2.status)
			}
		}
		var actions []string
		for _, titles := range actionTitles(t, app, pat.ID) {
			actions = append(actions, titles...)
		}
		slices.Sort(actions)
		if want := []string{"Ask Dev Ramesh to coach me (coaching)", "Ask Ruth Lindqvist to mentor me (mentoring)"}; !slices.Equal(actions, want) {
			t.Errorf("plan actions %q, want %q", actions, want)
		}
	})
}
