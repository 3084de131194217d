package mentoring_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/pillars-ot/pillars/internal/auth"
	"github.com/pillars-ot/pillars/internal/mentoring"
	"github.com/pillars-ot/pillars/internal/store"
	"github.com/pillars-ot/pillars/internal/testutil"
)

func TestCohortMatching(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		f := newMatchFx(t, db)
		lead := f.person("Priya Lead", 8, "north-trust:programme-lead")
		otherLead := f.person("Sol Lead", 8, "south-trust:programme-lead")
		admin := f.person("Site Admin", 0, "south-trust:site-admin")
		north, _ := f.orgs.BySlug(f.ctx, "north-trust")
		if !mentoring.CanMatchCohort(lead, north.ID) || !mentoring.CanMatchCohort(admin, north.ID) || mentoring.CanMatchCohort(otherLead, north.ID) {
			t.Fatal("who may match the cohort")
		}
		if _, err := f.svc.ProposeCohort(f.ctx, otherLead, north.ID); !errors.Is(err, mentoring.ErrNotAllowed) {
			t.Fatalf("another organisation's lead: %v", err)
		}

		influence := f.mentor("Ina Influence", 7, func(in *mentoring.ProfileInput) { in.Elements = []string{"ot-leadership:influence"}; in.Capacity = "1" })
		team := f.mentor("Tom Team", 7, func(in *mentoring.ProfileInput) { in.Elements = []string{"ot-leadership:team"}; in.Capacity = "1" })
		paidCoach := f.mentor("Pam Paid", 8, func(in *mentoring.ProfileInput) { in.Kind, in.Free, in.Fee = "coach", false, "90" })

		ask := func(name string, pick string, change func(*mentoring.AskInput)) *auth.User {
			u := f.person(name, 5)
			in := goodAsk()
			in.Picks, in.Budget = []string{pick}, "any"
			if change != nil {
				change(&in)
			}
			if _, err := f.svc.SaveAsk(f.ctx, u, in); err != nil {
				t.Fatal(err)
			}
			return u
		}
		wantsInfluence := ask("Ann Influence", "ot-leadership:influence", nil)
		wantsTeam := ask("Ben Team", "ot-leadership:team", nil)
		// Wants a coach but only for free: the only coach charges, so nobody fits.
		freeCoach := ask("Cat Freecoach", "ot-leadership:team", func(in *mentoring.AskInput) { in.Want, in.Budget = "coach", "free" })
		// Another person wanting influence: Ina has one place, so one of the two goes without,
		// and the coach (no limit on budget) is the best left for them.
		wantsInfluence2 := ask("Dan Influence", "ot-leadership:influence", nil)
		// Someone in another organisation is not in this cohort.
		ask("Eve Elsewhere", "ot-leadership:team", nil)
		south, _ := f.orgs.BySlug(f.ctx, "south-trust")
		if _, err := db.Exec(f.ctx, `UPDATE mentoring_asks SET org_id = ? WHERE user_id = (SELECT id FROM users WHERE name = 'Eve Elsewhere')`, south.ID); err != nil {
			t.Fatal(err)
		}

		c, err := f.svc.ProposeCohort(f.ctx, lead, north.ID)
		if err != nil {
			t.Fatal(err)
		}
		if c.Asks != 4 || c.Mentors != 3 || c.Places != 4 {
			t.Errorf("asks %d, mentors %d, places %d", c.Asks, c.Mentors, c.Places)
		}
		pairs := map[int64]int64{}
		for _, p := range c.Pairs {
			pairs[p.MenteeID] = p.MentorID
			if len(p.Score.Parts) != 6 || p.Score.Total <= 0 || !p.Score.Eligible {
				t.Errorf("pair %s-%s score %+v", p.MenteeName, p.MentorName, p.Score)
			}
		}
		if pairs[wantsTeam.ID] != team.ID {
			t.Errorf("Ben got %d, want Tom", pairs[wantsTeam.ID])
		}
		got1, got2 := pairs[wantsInfluence.ID], pairs[wantsInfluence2.ID]
		if !(got1 == influence.ID && got2 == paidCoach.ID || got2 == influence.ID && got1 == paidCoach.ID) {
			t.Errorf("the two influence mentees got %d and %d", got1, got2)
		}
		if len(c.Unmatched) != 1 || c.Unmatched[0].MenteeID != freeCoach.ID || !strings.Contains(c.Unmatched[0].Why, "No listed mentor offers coaching within their budget (free only)") {
			t.Errorf("unmatched: %+v", c.Unmatched)
		}

		// Sending: Tom stops taking mentees before the lead presses the button, so Ben's pair
		// is skipped and reported; the rest are sent as requests proposed by the lead.
		in := goodProfile()
		in.Elements, in.Capacity, in.Listed = []string{"ot-leadership:team"}, "1", false
		if _, err := f.svc.SaveProfile(f.ctx, team.ID, in); err != nil {
			t.Fatal(err)
		}
		var send [][2]int64
		for _, p := range c.Pairs {
			send = append(send, [2]int64{p.MenteeID, p.MentorID})
		}
		// A pair for someone outside the organisation's open asks is skipped too.
		send = append(send, [2]int64{otherLead.ID, influence.ID})
		if _, err := f.svc.SendCohort(f.ctx, otherLead, north.ID, send, f.ob); !errors.Is(err, mentoring.ErrNotAllowed) {
			t.Fatalf("another lead sent: %v", err)
		}
		mails := f.mails()
		res, err := f.svc.SendCohort(f.ctx, lead, north.ID, send, f.ob)
		if err != nil {
			t.Fatal(err)
		}
		if res.Sent != 2 || len(res.Skipped) != 2 || !strings.Contains(strings.Join(res.Skipped, "|"), "Ben Team: the mentor is not taking new mentees") {
			t.Errorf("sent %d, skipped %v", res.Sent, res.Skipped)
		}
		if f.mails() != mails+2 {
			t.Errorf("%d emails for 2 requests", f.mails()-mails)
		}
		var proposed int
		_ = db.QueryRow(f.ctx, `SELECT COUNT(*) FROM mentoring_relationships WHERE proposed_by = ? AND status = 'requested' AND org_id = ?`, lead.ID, north.ID).Scan(&proposed)
		if proposed != 2 {
			t.Errorf("%d proposed requests stored", proposed)
		}
		// Sending the same again skips every pair: they have live requests now.
		counts := f.counts()
		if res, err = f.svc.SendCohort(f.ctx, lead, north.ID, send, f.ob); err != nil || res.Sent != 0 {
			t.Errorf("sent again: %+v %v", res, err)
		}
		if after := f.counts(); after != counts {
			t.Errorf("sending again changed the data: %s -> %s", counts, after)
		}
		// And a new proposal does not offer those pairs again.
		if c, _ = f.svc.ProposeCohort(f.ctx, lead, north.ID); len(c.Pairs) != 0 {
			for _, p := range c.Pairs {
				if p.MentorID == pairs[p.MenteeID] {
					t.Errorf("proposed again: %s with %s", p.MenteeName, p.MentorName)
				}
			}
		}
	})
}
