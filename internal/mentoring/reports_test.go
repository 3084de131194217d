package mentoring_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/pillars-ot/pillars/internal/auth"
	"github.com/pillars-ot/pillars/internal/framework"
	"github.com/pillars-ot/pillars/internal/mentoring"
	"github.com/pillars-ot/pillars/internal/store"
	"github.com/pillars-ot/pillars/internal/testutil"
)

func TestCanReport(t *testing.T) {
	lead := &auth.User{Memberships: []auth.Membership{{OrgID: 7, Role: auth.RoleProgrammeLead}, {OrgID: 8, Role: auth.RolePractitioner}}}
	admin := &auth.User{Memberships: []auth.Membership{{OrgID: 1, Role: auth.RoleSiteAdmin}}}
	for _, c := range []struct {
		u    *auth.User
		org  int64
		want bool
	}{{lead, 7, true}, {lead, 8, false}, {lead, 0, false}, {admin, 7, true}, {nil, 7, false}, {&auth.User{}, 7, false}} {
		if got := mentoring.CanReport(c.u, c.org); got != c.want {
			t.Errorf("CanReport(%+v, %d) = %v", c.u, c.org, got)
		}
	}
}

// midnight is 00:00 UTC on the UK date n days from today.
func midnight(n int) time.Time {
	d, _ := time.Parse(time.DateOnly, inDays(n))
	return d
}

func TestReport(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		e := newPairEnv(t, db)
		ctx := context.Background()
		const planted = "PLANTED-PHRASE"
		held := func(viewer, rel int64, day int) int64 {
			t.Helper()
			x, err := e.svc.ScheduleSession(ctx, viewer, rel, mentoring.SessionInput{Date: inDays(day), Time: "14:30", Minutes: "60", Mode: "phone", Agenda: planted + " agenda"}, nil)
			if err != nil {
				t.Fatal(err)
			}
			if err := e.svc.MarkHeld(ctx, viewer, x.ID); err != nil {
				t.Fatal(err)
			}
			if err := e.svc.SaveSharedNotes(ctx, viewer, x.ID, planted+" shared notes", mentoring.NotesVersion("")); err != nil {
				t.Fatal(err)
			}
			if _, err := e.svc.SavePrivateNote(ctx, viewer, x.ID, planted+" private notes"); err != nil {
				t.Fatal(err)
			}
			return x.ID
		}
		agreement := goodAgreement()
		agreement.Goals = planted + " goals"

		// A: active since 30 days ago, first held session after 10 days, two held, one planned.
		if _, err := db.Exec(ctx, `UPDATE mentoring_relationships SET started_at = ? WHERE id = ?`, midnight(-30), e.rel); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.SaveAgreement(ctx, e.mentee.ID, e.rel, agreement); err != nil {
			t.Fatal(err)
		}
		held(e.mentee.ID, e.rel, -20)
		held(e.mentor.ID, e.rel, -10)
		if _, err := e.svc.ScheduleSession(ctx, e.mentee.ID, e.rel, goodSession(inDays(5)), nil); err != nil {
			t.Fatal(err)
		}
		// B: completed, first held after 5 days, two held, both reviewed.
		b := activeRelationship(t, db, e.stranger.ID, e.mentor.ID, e.orgID, midnight(-60), "ot-leadership:influence")
		held(e.stranger.ID, b, -55)
		held(e.stranger.ID, b, -40)
		if err := e.svc.Complete(ctx, e.mentor.ID, b, nil); err != nil {
			t.Fatal(err)
		}
		for who, score := range map[int64]string{e.stranger.ID: "4", e.mentor.ID: "5"} {
			if err := e.svc.SaveReview(ctx, who, b, mentoring.ReviewInput{Helpful: score, GoalsMet: "yes", WentWell: planted + " went well", DoDifferently: planted + " differently"}); err != nil {
				t.Fatal(err)
			}
		}
		// C and D: ended early, for two different reasons, with notes only the pair sees.
		c := activeRelationship(t, db, e.stranger.ID, e.mentor.ID, e.orgID, midnight(-20))
		if err := e.svc.EndEarly(ctx, e.stranger.ID, c, "workload", planted+" ended note", nil); err != nil {
			t.Fatal(err)
		}
		d := activeRelationship(t, db, e.stranger.ID, e.mentor.ID, e.orgID, midnight(-15))
		if err := e.svc.EndEarly(ctx, e.mentor.ID, d, "not-right-match", planted+" another note", nil); err != nil {
			t.Fatal(err)
		}
		// Another organisation's pair is not counted.
		elsewhere := activeRelationship(t, db, e.mentee.ID, e.stranger.ID, 0, midnight(-10), "ot-leadership:communication")
		held(e.mentee.ID, elsewhere, -3)

		lead := e.lead(t)
		rep, err := e.svc.Report(ctx, lead, e.orgID)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Active != 1 || rep.Completed != 1 || rep.EndedEarly != 2 || rep.Pairs != 4 {
			t.Fatalf("pairs: %+v", rep)
		}
		if rep.SessionsHeld != 4 || rep.HeldPerPair != (mentoring.Spread{N: 4, Median: 1, Min: 0, Max: 2}) {
			t.Fatalf("held per pair: %d %+v", rep.SessionsHeld, rep.HeldPerPair)
		}
		if rep.DaysToFirst != (mentoring.Spread{N: 2, Median: 7.5, Min: 5, Max: 10}) || rep.PairsWaiting != 2 {
			t.Fatalf("days to first: %+v waiting %d", rep.DaysToFirst, rep.PairsWaiting)
		}
		if rep.EndedEarlyRate != 66.7 {
			t.Fatalf("ended-early rate %v", rep.EndedEarlyRate)
		}
		// Two reasons, one relationship each: too few to show even combined, so only the
		// total ended early is shown.
		if rep.Reasons != nil || !rep.ReasonsWithheld {
			t.Fatalf("reasons: %+v withheld %v", rep.Reasons, rep.ReasonsWithheld)
		}
		if len(rep.Coverage) != 2 || rep.Coverage[0].Title != "Influence" || rep.Coverage[0].Pairs != 2 || rep.Coverage[1].Pairs != 1 {
			t.Fatalf("coverage: %+v", rep.Coverage)
		}
		// Two reviews: too few to show without pointing at a person.
		if rep.Reviews != 2 || !rep.ReviewsWithheld || rep.HelpfulMedian != 0 || rep.GoalsMet != nil {
			t.Fatalf("reviews withheld: %+v", rep)
		}
		if err := e.svc.SaveReview(ctx, e.stranger.ID, c, mentoring.ReviewInput{Helpful: "2", GoalsMet: "no", WentWell: planted}); err != nil {
			t.Fatal(err)
		}
		rep, _ = e.svc.Report(ctx, lead, e.orgID)
		if rep.Reviews != 3 || rep.ReviewsWithheld || rep.HelpfulMedian != 4 || rep.GoalsMet[0].Count != 2 || rep.GoalsMet[2].Count != 1 {
			t.Fatalf("reviews: %+v", rep)
		}
		// Nothing anyone wrote is in the report.
		all, _ := json.Marshal(rep)
		if strings.Contains(string(all), planted) {
			t.Fatalf("the report holds written text: %s", all)
		}
		// An organisation with no mentoring has an empty report (for a site administrator).
		admin := &auth.User{Memberships: []auth.Membership{{OrgID: e.orgID, Role: auth.RoleSiteAdmin}}}
		if rep, err := e.svc.Report(ctx, admin, e.orgID+1000); err != nil || rep.Pairs != 0 || rep.EndedEarlyRate != 0 {
			t.Fatalf("empty report: %+v %v", rep, err)
		}
		// The area decides who sees a report: the pair themselves, or a lead elsewhere, get
		// nothing.
		for _, u := range []*auth.User{e.mentee, e.mentor, nil, {Memberships: []auth.Membership{{OrgID: e.orgID + 1000, Role: auth.RoleProgrammeLead}}}} {
			if rep, err := e.svc.Report(ctx, u, e.orgID); !errors.Is(err, mentoring.ErrNotAllowed) || rep != nil {
				t.Fatalf("report for %+v: %v", u, err)
			}
		}
	})
}

// benchOrg fills an organisation with pairs people, each pair with held sessions, three
// focus areas, and a review from every third pair, straight into the tables.
func benchOrg(b *testing.B, db *store.DB, pairs, sessionsPerPair int) int64 {
	b.Helper()
	ctx := context.Background()
	var orgID int64
	err := db.InTx(ctx, func(tx *store.Tx) error {
		now := time.Now().UTC().Truncate(time.Microsecond)
		var err error
		if orgID, err = tx.Insert(ctx, `INSERT INTO organisations (slug, name, kind, region, created_at) VALUES ('bench', 'Bench Trust', 'nhs-trust', 'North West', ?)`, now); err != nil {
			return err
		}
		const people = 60
		ids := make([]int64, people)
		for i := range ids {
			if ids[i], err = tx.Insert(ctx, `INSERT INTO users (email, name, password_hash, password_changed_at, created_at) VALUES (?, ?, 'x', ?, ?)`,
				fmt.Sprintf("bench%d@example.org", i), fmt.Sprintf("Bench Person %d", i), now, now); err != nil {
				return err
			}
		}
		statuses := []string{"active", "active", "completed", "ended_early"}
		reasons := []string{"workload", "changed-role", "not-right-match", "other"}
		elements := []string{"influence", "communication", "collaboration", "advocacy", "improvement", "strategic-thinking"}
		seq := 0
		for p := range pairs {
			mentee, mentor := ids[p%people], ids[(p/people+1+p%people)%people]
			if mentee == mentor {
				mentor = ids[(p+7)%people]
			}
			status := statuses[p%len(statuses)]
			if status == "active" && p >= people*(people-1) {
				status = "completed"
			}
			started := now.AddDate(0, 0, -200+p%50)
			reason := ""
			if status == "ended_early" {
				reason = reasons[p%len(reasons)]
			}
			rel, err := tx.Insert(ctx, `INSERT INTO mentoring_relationships (mentee_id, mentor_id, org_id, kind, status, ended_reason, ended_note, requested_at, started_at, updated_at)
				VALUES (?, ?, ?, 'mentoring', ?, ?, 'a note', ?, ?, ?)`, mentee, mentor, orgID, status, reason, started, started, started)
			if err != nil {
				return fmt.Errorf("pair %d (%d, %d, %s): %w", p, mentee, mentor, status, err)
			}
			for k := range 3 {
				if _, err := tx.Exec(ctx, `INSERT INTO mentoring_relationship_elements (relationship_id, framework_key, element_key) VALUES (?, 'ot-leadership', ?)`, rel, elements[(p+k)%len(elements)]); err != nil {
					return err
				}
			}
			for s := range sessionsPerPair {
				seq++
				at := started.AddDate(0, 0, 5+14*s)
				if _, err := tx.Exec(ctx, `INSERT INTO mentoring_sessions (relationship_id, starts_at, minutes, mode, agenda, shared_notes, status, ics_uid, created_by, created_at, updated_at)
					VALUES (?, ?, 60, 'video', 'agenda', 'notes', 'held', ?, ?, ?, ?)`, rel, at, fmt.Sprintf("bench-%d@pillars", seq), mentee, now, now); err != nil {
					return err
				}
			}
			if status != "active" && p%3 == 0 {
				if _, err := tx.Exec(ctx, `INSERT INTO mentoring_reviews (relationship_id, author_id, helpful, goals_met, went_well, created_at) VALUES (?, ?, ?, 'yes', 'text', ?)`, rel, mentee, 1+p%5, now); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return orgID
}

// BenchmarkReport1000Pairs builds one organisation's report over 1,000 pairs and 10,000 held
// sessions.
func BenchmarkReport1000Pairs(b *testing.B) {
	for _, eng := range testutil.Engines() {
		b.Run(eng.Name, func(b *testing.B) {
			db := eng.Open(b)
			svc := mentoring.NewService(db, framework.NewCatalogue(db))
			orgID := benchOrg(b, db, 1000, 10)
			ctx := context.Background()
			admin := &auth.User{Memberships: []auth.Membership{{OrgID: orgID, Role: auth.RoleSiteAdmin}}}
			rep, err := svc.Report(ctx, admin, orgID)
			if err != nil || rep.Pairs != 1000 || rep.SessionsHeld != 10000 {
				b.Fatalf("not a fair benchmark: %+v %v", rep, err)
			}
			b.ResetTimer()
			for b.Loop() {
				if _, err := svc.Report(ctx, admin, orgID); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// lead is a programme lead of the pair's organisation, who may see its report.
func (e *pairEnv) lead(t *testing.T) *auth.User {
	t.Helper()
	ctx := context.Background()
	u, err := e.acc.CreateUser(ctx, auth.NewUser{Email: "lead@example.org", Name: "Lee Lead", Password: "a long enough password"})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.acc.Grant(ctx, 0, u.ID, "test-trust", auth.RoleProgrammeLead); err != nil {
		t.Fatal(err)
	}
	if u, err = e.acc.UserByID(ctx, u.ID); err != nil {
		t.Fatal(err)
	}
	return u
}

// A report never shows a count of ended-early reasons below 3: smaller ones are combined, and
// when even the combined count is below 3 no reason is shown, only the total ended early.
func TestReportFoldsSmallReasons(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		e := newPairEnv(t, db)
		ctx := context.Background()
		lead := e.lead(t)
		end := func(reason string, n int) {
			t.Helper()
			for range n {
				now := time.Now().UTC().Truncate(time.Microsecond)
				if _, err := db.Exec(ctx, `INSERT INTO mentoring_relationships (mentee_id, mentor_id, org_id, kind, status, ended_reason, ended_note,
					requested_at, started_at, ended_at, updated_at) VALUES (?, ?, ?, 'mentoring', 'ended_early', ?, 'NOTE', ?, ?, ?, ?)`,
					e.stranger.ID, e.mentor.ID, e.orgID, reason, now, now, now, now); err != nil {
					t.Fatal(err)
				}
			}
		}
		check := func(step string, want string, withheld bool) {
			t.Helper()
			rep, err := e.svc.Report(ctx, lead, e.orgID)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, r := range rep.Reasons {
				if r.Count < 3 {
					t.Errorf("%s: %s shown with %d", step, r.Label, r.Count)
				}
				got = append(got, fmt.Sprintf("%s=%d", r.Reason, r.Count))
			}
			if strings.Join(got, " ") != want || rep.ReasonsWithheld != withheld {
				t.Errorf("%s: reasons %q withheld %v, want %q withheld %v", step, strings.Join(got, " "), rep.ReasonsWithheld, want, withheld)
			}
		}
		check("none ended early", "", false)
		end("workload", 2)
		check("two for one reason", "", true)
		end("workload", 1)
		check("three for one reason", "workload=3", false)
		end("changed-role", 1)
		check("one more, for another reason", "", true)
		end("not-right-match", 2)
		check("three for other reasons", "workload=3 "+mentoring.OtherReasons+"=3", false)
		end("not-right-match", 1)
		check("three for a second reason, one left over", "", true)
		end("health-personal", 1)
		end("other", 1)
		check("three left over", "workload=3 not-right-match=3 "+mentoring.OtherReasons+"=3", false)
	})
}
