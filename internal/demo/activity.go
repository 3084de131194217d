package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/pillars-ot/pillars/internal/assess"
	"github.com/pillars-ot/pillars/internal/auth"
	"github.com/pillars-ot/pillars/internal/org"
	"github.com/pillars-ot/pillars/internal/plan"
	"github.com/pillars-ot/pillars/internal/store"
)

// Teams are North Vale's fictional teams; each has enough people for the heat map to show.
var Teams = map[string][]string{
	"Community rehabilitation": {"Ada Brennan", "Cal Morrow", "Dina Patel-Shaw", "Eli Fairbairn", "Fenna Holt", "Gus Whitmore", "Hana Ostrowski"},
	"Acute and discharge":      {"Ivo Lindgren", "Jas Mehta", "Kit Abernethy", "Lou Carraway", "Mo Sekibo", "Nell Ashdown"},
}

// LoadActivity gives the demo world something to look at: the demo practitioner's
// self-assessment, a 360 round with four fictional raters, a development plan shared with the
// demo supervisor, and two teams of fictional colleagues with assessments for the heat map.
// It does nothing if the practitioner already has an assessment. Tests load only the accounts
// (Load), so they start from empty records.
func LoadActivity(ctx context.Context, db *store.DB, accounts *auth.Service, assessments *assess.Service, plans *plan.Service) error {
	alex, err := accounts.UserByEmail(ctx, "alex.marlowe@demo.pillars.test")
	if err != nil {
		return fmt.Errorf("demo: load the accounts first: %w", err)
	}
	if hist, err := assessments.History(ctx, alex.ID); err != nil || len(hist) > 0 {
		return err
	}
	rng := rand.New(rand.NewPCG(2026, 11)) // fixed seed: the demo looks the same every time
	self := map[string]assess.Rating{
		"clinical": {Rating: 4}, "professional": {Rating: 3}, "team": {Rating: 3}, "service": {Rating: 2}, "strategic": {Rating: 2},
		"communication": {Rating: 4, Evidence: "Explained the falls pathway to the new ward manager"}, "influence": {Rating: 2, Importance: 3},
		"clinical-credibility": {Rating: 4}, "collaboration": {Rating: 4}, "advocacy": {Rating: 3}, "improvement": {Rating: 3},
		"emotional-intelligence": {Rating: 4}, "strategic-thinking": {Rating: 2, Importance: 3},
	}
	a, err := submit(ctx, assessments, alex.ID, self)
	if err != nil {
		return err
	}
	round, err := assessments.CreateRound(ctx, alex.ID, a.ID, "Spring 360", time.Now().AddDate(0, 0, 21), nil)
	if err != nil {
		return err
	}
	raters := []struct {
		name string
		rel  assess.Relationship
		diff int
	}{{"Sol Kerrigan", assess.LineManager, 0}, {"Bea Quartermain", assess.Peer, 1}, {"Rafe Olumide", assess.Peer, 0}, {"Tam Castellane", assess.Peer, 1}}
	comments := []string{"Calm and clear with families under pressure.", "Brings the occupational view to every MDT.", "", "Always makes time for students."}
	for i, r := range raters {
		inv, err := assessments.Invite(ctx, alex, round.ID, r.name, fmt.Sprintf("rater%d@demo.pillars.test", i+1), r.rel, nil)
		if err != nil {
			return err
		}
		ratings := map[string]int{}
		for k, v := range self {
			ratings[k] = clamp(v.Rating+r.diff-rng.IntN(2), 1, 5)
		}
		ratings["influence"] = clamp(3+rng.IntN(2), 1, 5) // others see more influence than Alex does
		if err := assessments.Respond(ctx, inv.Token, assess.Response{Ratings: ratings, Strength: comments[i], Development: "Put yourself forward for the service redesign group."}); err != nil {
			return err
		}
	}
	// Close the round so its report can be read: reports open only once a round has closed.
	if err := assessments.Close(ctx, alex.ID, round.ID); err != nil {
		return err
	}
	today := time.Now()
	goal, err := plans.CreateGoal(ctx, alex.ID, plan.GoalInput{
		Specific:   "Lead the discharge-to-assess redesign working group for one quarter",
		Measurable: "Chair six meetings and present the new pathway to the operational board",
		Achievable: "My manager has agreed protected time on Thursdays",
		Relevant:   "Strategic thinking is my largest gap for level 6",
		DueOn:      today.AddDate(0, 5, 0).Format(time.DateOnly),
		ReviewOn:   today.AddDate(0, 2, 0).Format(time.DateOnly),
		Elements:   []plan.ElementRef{{Framework: "ot-leadership", Element: "strategic-thinking"}, {Framework: "ot-leadership", Element: "influence"}},
	})
	if err != nil {
		return err
	}
	for _, act := range []plan.ActionInput{
		{Title: "Shadow the head of therapies at the operational board", Pathway: "progressive-responsibility", DueOn: today.AddDate(0, 1, 0).Format(time.DateOnly)},
		{Title: "Monthly mentoring with a consultant OT", Pathway: "mentoring"},
		{Title: "Write a reflection after each working group meeting", Pathway: "reflection"},
	} {
		if _, err := plans.AddAction(ctx, alex.ID, goal.ID, act); err != nil {
			return err
		}
	}
	if err := plans.ShareWith(ctx, alex, "ruth.lindqvist@demo.pillars.test", accounts); err != nil {
		return err
	}
	ruth, err := accounts.UserByEmail(ctx, "ruth.lindqvist@demo.pillars.test")
	if err != nil {
		return err
	}
	if err := plans.AddComment(ctx, ruth, alex.ID, goal.ID, "A strong goal. Let's use supervision in two weeks to plan your first meeting."); err != nil {
		return err
	}
	return loadTeams(ctx, org.NewService(db), accounts, assessments, rng)
}

func loadTeams(ctx context.Context, orgs *org.Service, accounts *auth.Service, assessments *assess.Service, rng *rand.Rand) error {
	n := 0
	for team, names := range Teams {
		for _, name := range names {
			n++
			u, err := accounts.CreateUser(ctx, auth.NewUser{Email: fmt.Sprintf("team.member%02d@demo.pillars.test", n), Name: name, Password: Password,
				JobTitle: "Occupational therapist, " + team, CareerLevel: 5 + rng.IntN(3)})
			if err != nil {
				return fmt.Errorf("demo: team member %s: %w", name, err)
			}
			if err := accounts.Grant(ctx, 0, u.ID, "north-vale-nhs", auth.RolePractitioner); err != nil {
				return err
			}
			north, err := orgs.BySlug(ctx, "north-vale-nhs")
			if err != nil {
				return err
			}
			if err := orgs.SetTeam(ctx, u.ID, north.ID, team); err != nil {
				return err
			}
			ratings := map[string]assess.Rating{}
			for _, k := range []string{"clinical", "professional", "team", "service", "strategic", "communication", "influence", "clinical-credibility", "collaboration", "advocacy", "improvement", "emotional-intelligence", "strategic-thinking"} {
				ratings[k] = assess.Rating{Rating: clamp(2+rng.IntN(3), 1, 5)}
			}
			if _, err := submit(ctx, assessments, u.ID, ratings); err != nil {
				return err
			}
		}
	}
	return nil
}

func submit(ctx context.Context, assessments *assess.Service, userID int64, ratings map[string]assess.Rating) (*assess.Assessment, error) {
	a, err := assessments.Start(ctx, userID, assess.DefaultFramework)
	if err != nil {
		return nil, err
	}
	if err := assessments.Submit(ctx, userID, a.ID, ratings); err != nil {
		return nil, fmt.Errorf("demo: submit: %w", err)
	}
	return a, nil
}

func clamp(v, lo, hi int) int { return max(lo, min(hi, v)) }
