package assess_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/pillars-ot/pillars/internal/assess"
	"github.com/pillars-ot/pillars/internal/auth"
	"github.com/pillars-ot/pillars/internal/framework"
	"github.com/pillars-ot/pillars/internal/org"
	"github.com/pillars-ot/pillars/internal/store"
	"github.com/pillars-ot/pillars/internal/testutil"
	"github.com/pillars-ot/pillars/internal/valid"
)

type fixture struct {
	db   *store.DB
	svc  *assess.Service
	acc  *auth.Service
	orgs *org.Service
	n    int
}

func newFixture(t *testing.T, db *store.DB) *fixture {
	t.Helper()
	fx := &fixture{db: db, svc: assess.NewService(db, framework.NewCatalogue(db)), acc: auth.NewService(db), orgs: org.NewService(db)}
	if err := fx.svc.LoadDefaultTargets(context.Background()); err != nil {
		t.Fatal(err)
	}
	return fx
}

func (fx *fixture) person(t *testing.T, level int) *auth.User {
	t.Helper()
	fx.n++
	u, err := fx.acc.CreateUser(context.Background(), auth.NewUser{Email: fmt.Sprintf("p%d@example.org", fx.n), Name: fmt.Sprintf("Person %d", fx.n), Password: "long enough password", CareerLevel: level})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// member makes a person in the organisation "trust" (slug), in a team, who has submitted an OT
// leadership assessment rating everything v.
func (fx *fixture) member(t *testing.T, orgID int64, team string, v int) *auth.User {
	t.Helper()
	ctx := context.Background()
	u := fx.person(t, 5)
	if err := fx.acc.Grant(ctx, 0, u.ID, "trust", auth.RolePractitioner); err != nil {
		t.Fatal(err)
	}
	if err := fx.orgs.SetTeam(ctx, u.ID, orgID, team); err != nil {
		t.Fatal(err)
	}
	fx.submitted(t, u, all(v))
	return u
}

// all rates every OT leadership element with v.
func all(v int) map[string]assess.Rating {
	out := map[string]assess.Rating{}
	for _, k := range []string{"clinical", "professional", "team", "service", "strategic", "communication", "influence", "clinical-credibility", "collaboration", "advocacy", "improvement", "emotional-intelligence", "strategic-thinking"} {
		out[k] = assess.Rating{Rating: v}
	}
	return out
}

func (fx *fixture) submitted(t *testing.T, u *auth.User, ratings map[string]assess.Rating) *assess.Assessment {
	t.Helper()
	ctx := context.Background()
	a, err := fx.svc.Start(ctx, u.ID, assess.DefaultFramework)
	if err != nil {
		t.Fatal(err)
	}
	if err := fx.svc.Submit(ctx, u.ID, a.ID, ratings); err != nil {
		t.Fatal(err)
	}
	a, _ = fx.svc.Get(ctx, u.ID, a.ID)
	return a
}

func TestSelfAssessmentLifecycle(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		fx := newFixture(t, db)
		u := fx.person(t, 6)
		a, err := fx.svc.Start(ctx, u.ID, assess.DefaultFramework)
		if err != nil {
			t.Fatal(err)
		}
		// Coming back resumes the same draft.
		again, _ := fx.svc.Start(ctx, u.ID, assess.DefaultFramework)
		if again.ID != a.ID {
			t.Fatalf("a second start made a new draft: %d then %d", a.ID, again.ID)
		}
		// Drafts save as they go, a few answers at a time.
		if err := fx.svc.SaveDraft(ctx, u.ID, a.ID, map[string]assess.Rating{"influence": {Rating: 2, Importance: 3, Evidence: "Led the huddle"}}); err != nil {
			t.Fatal(err)
		}
		// A rating outside the scale is refused and nothing changes.
		err = fx.svc.SaveDraft(ctx, u.ID, a.ID, map[string]assess.Rating{"influence": {Rating: 9}, "advocacy": {Rating: 3}})
		var errs valid.Errors
		if !errors.As(err, &errs) || !strings.Contains(errs.For("rating-influence"), "must be on the scale, 1 to 5") {
			t.Fatalf("out-of-scale rating: %v", err)
		}
		got, _ := fx.svc.Get(ctx, u.ID, a.ID)
		if got.Ratings["influence"].Rating != 2 || got.Ratings["influence"].Evidence != "Led the huddle" || got.Ratings["advocacy"].Rating != 0 {
			t.Fatalf("a refused save changed the draft: %+v", got.Ratings)
		}
		// An element of another framework, or a group, cannot be rated.
		if err := fx.svc.SaveDraft(ctx, u.ID, a.ID, map[string]assess.Rating{"skills": {Rating: 2}}); err == nil {
			t.Fatal("a group was rated")
		}
		// Submitting needs every element.
		err = fx.svc.Submit(ctx, u.ID, a.ID, nil)
		if !errors.As(err, &errs) || errs.For("rating-strategic") != "Choose a rating for Strategic" {
			t.Fatalf("incomplete submit: %v", err)
		}
		if err := fx.svc.Submit(ctx, u.ID, a.ID, all(3)); err != nil {
			t.Fatal(err)
		}
		// Submitted means fixed.
		if err := fx.svc.SaveDraft(ctx, u.ID, a.ID, map[string]assess.Rating{"influence": {Rating: 5}}); !errors.Is(err, assess.ErrAlreadySubmitted) {
			t.Fatalf("changing a submitted assessment: %v", err)
		}
		// A later assessment never changes an earlier one.
		b := fx.submitted(t, u, all(4))
		first, _ := fx.svc.Get(ctx, u.ID, a.ID)
		if first.Ratings["influence"].Rating != 3 || b.ID == a.ID {
			t.Fatalf("the earlier assessment changed: %+v", first.Ratings["influence"])
		}
		latest, _ := fx.svc.Latest(ctx, u.ID, assess.DefaultFramework)
		if latest.ID != b.ID {
			t.Fatalf("latest = %d, want %d", latest.ID, b.ID)
		}
		hist, _ := fx.svc.History(ctx, u.ID)
		if len(hist) != 2 || hist[0].ID != b.ID {
			t.Fatalf("history not newest first: %+v", hist)
		}
		_, _, changes, err := fx.svc.Compare(ctx, u.ID, a.ID, b.ID)
		if err != nil || len(changes) != 13 || changes[0].Delta != 1 {
			t.Fatalf("compare: %v %+v", err, changes)
		}
		// Another person's assessment does not exist for them.
		other := fx.person(t, 5)
		if _, err := fx.svc.Get(ctx, other.ID, a.ID); !errors.Is(err, assess.ErrNotFound) {
			t.Fatalf("another person read the assessment: %v", err)
		}
		if err := fx.svc.SaveDraft(ctx, other.ID, a.ID, nil); !errors.Is(err, assess.ErrNotFound) {
			t.Fatalf("another person wrote the assessment: %v", err)
		}
		// The framework version is now locked.
		_, vi, _ := framework.NewCatalogue(db).Get(ctx, assess.DefaultFramework, "")
		if !vi.Locked {
			t.Fatal("assessing did not lock the framework version")
		}
	})
}

func TestFrameworkWithoutScaleCannotBeAssessed(t *testing.T) {
	fx := newFixture(t, testutil.SQLite(t))
	if _, err := fx.svc.Start(context.Background(), fx.person(t, 5).ID, "rcot-pillars"); !errors.Is(err, assess.ErrNotAssessable) {
		t.Fatalf("got %v", err)
	}
}

// rate answers a round as n raters of one relationship, each giving every element v.
func rate(t *testing.T, fx *fixture, subject *auth.User, roundID int64, rel assess.Relationship, n, v int, comment string) {
	t.Helper()
	ctx := context.Background()
	for i := 0; i < n; i++ {
		fx.n++
		inv, err := fx.svc.Invite(ctx, subject, roundID, fmt.Sprintf("Rater %d", fx.n), fmt.Sprintf("rater%d@example.org", fx.n), rel, nil)
		if err != nil {
			t.Fatal(err)
		}
		r := map[string]int{}
		for k, x := range all(v) {
			r[k] = x.Rating
		}
		if err := fx.svc.Respond(ctx, inv.Token, assess.Response{Ratings: r, Strength: comment}); err != nil {
			t.Fatal(err)
		}
	}
}

func TestFeedbackAnonymity(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		fx := newFixture(t, db)
		u := fx.person(t, 6)
		self := fx.submitted(t, u, all(3))
		newRound := func() *assess.Round {
			r, err := fx.svc.CreateRound(ctx, u.ID, self.ID, "Spring 360", time.Now().Add(7*24*time.Hour), nil)
			if err != nil {
				t.Fatal(err)
			}
			return r
		}
		closedReport := func(r *assess.Round) *assess.Report {
			if err := fx.svc.Close(ctx, u.ID, r.ID); err != nil {
				t.Fatal(err)
			}
			rep, err := fx.svc.Report(ctx, u.ID, r.ID)
			if err != nil {
				t.Fatal(err)
			}
			return rep
		}

		// Two answers: nothing of theirs is shown, even once closed.
		r1 := newRound()
		rate(t, fx, u, r1.ID, assess.Peer, 2, 5, "")
		if rep := closedReport(r1); rep.OthersShown || rep.Rows[0].Others.Shown || len(rep.Groups) != 0 || len(rep.Comments) != 0 {
			t.Fatalf("two answers must not be shown: %+v", rep.Rows[0])
		}

		// While a round is open the report shows nothing others said, however many answered:
		// a report that changed with each answer would give each rater away.
		r2 := newRound()
		rate(t, fx, u, r2.ID, assess.Peer, 3, 5, "A calm presence")
		rate(t, fx, u, r2.ID, assess.LineManager, 1, 1, "Could delegate more")
		rate(t, fx, u, r2.ID, assess.DirectReport, 1, 2, "")
		open, err := fx.svc.Report(ctx, u.ID, r2.ID)
		if err != nil || !open.Pending || open.OthersShown || len(open.Groups) != 0 || len(open.Comments) != 0 || open.Rows[0].Others.Shown {
			t.Fatalf("an open round's report shows answers: %+v %v", open, err)
		}
		rep := closedReport(r2)
		// Peers (3) are shown; the line manager and the direct report (1 each) fold into a
		// combined group of 2, too small to show.
		if rep.Pending || len(rep.Groups) != 1 || rep.Groups[0].Key != "peer" {
			t.Fatalf("groups: %+v", rep.Groups)
		}
		row := rep.Rows[0]
		if !row.Groups[0].Shown || row.Groups[0].Mean != 5 {
			t.Fatalf("peer mean: %+v", row.Groups[0])
		}
		// "All others" covers only the shown peers: including the line manager's and direct
		// report's ratings would let anyone subtract the peers and recover them. The spread of
		// three ratings is not shown.
		if !row.Others.Shown || row.Others.N != 3 || row.Others.Mean != 5 || row.Max != 0 || row.Withheld != 2 {
			t.Fatalf("all others: %+v min %d max %d withheld %d", row.Others, row.Min, row.Max, row.Withheld)
		}
		if !row.HiddenStrength() || row.BlindSpot() || len(rep.HiddenStrengths()) != 13 || row.Diff != 2 {
			t.Fatalf("self 3 vs others 5 is a hidden strength: diff %v", row.Diff)
		}
		if len(rep.Comments) != 4 {
			t.Fatalf("comments: %+v", rep.Comments)
		}
		for _, c := range rep.Comments {
			if strings.Contains(c.Body, "Rater") {
				t.Fatal("a comment names its rater")
			}
		}
		st, _ := fx.svc.Status(ctx, u.ID, r2.ID)
		if st.LineManager == nil || st.Answered != 5 {
			t.Fatalf("status: %+v", st)
		}

		// Three direct reports make that group shown; combined is then only the line manager.
		r3 := newRound()
		rate(t, fx, u, r3.ID, assess.Peer, 3, 5, "")
		rate(t, fx, u, r3.ID, assess.LineManager, 1, 1, "")
		rate(t, fx, u, r3.ID, assess.DirectReport, 1, 2, "")
		rate(t, fx, u, r3.ID, assess.DirectReport, 2, 1, "")
		rep = closedReport(r3)
		// Peers (5, 5, 5) and direct reports (2, 1, 1) are shown; the lone line manager is not,
		// so others average the six shown ratings: 19/6 = 3.17, with 1 rating withheld; six
		// ratings are enough for the spread.
		if r := rep.Rows[0]; r.Groups[0].Mean != 5 || r.Others.Mean != 3.17 || r.Withheld != 1 || r.Min != 1 || r.Max != 5 {
			t.Fatalf("with more answers: %+v", r)
		}
		keys := []string{}
		for _, g := range rep.Groups {
			keys = append(keys, g.Key)
		}
		if strings.Join(keys, ",") != "peer,direct-report" {
			t.Fatalf("groups with more answers: %v", keys)
		}
		// Another person cannot read the report.
		if _, err := fx.svc.Report(ctx, fx.person(t, 5).ID, r3.ID); !errors.Is(err, assess.ErrNotFound) {
			t.Fatalf("another person's report: %v", err)
		}
	})
}

func TestRaterLinks(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		fx := newFixture(t, db)
		u := fx.person(t, 6)
		self := fx.submitted(t, u, all(3))
		round, _ := fx.svc.CreateRound(ctx, u.ID, self.ID, "", time.Now().Add(3*24*time.Hour), nil)
		// Malformed emails are refused.
		for _, bad := range []string{"", "not-an-email", "a@b", "Name <a@example.org>"} {
			_, err := fx.svc.Invite(ctx, u, round.ID, "Someone", bad, assess.Peer, nil)
			var errs valid.Errors
			if !errors.As(err, &errs) || errs.For("email") == "" {
				t.Errorf("invite %q: %v", bad, err)
			}
		}
		inv, err := fx.svc.Invite(ctx, u, round.ID, "Kim", "kim@example.org", assess.Peer, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := fx.svc.Invite(ctx, u, round.ID, "Kim again", "KIM@example.org", assess.Peer, nil); err == nil {
			t.Fatal("the same rater was invited twice")
		}
		answers := map[string]int{}
		for k := range all(1) {
			answers[k] = 4
		}
		// An altered link is not valid.
		if err := fx.svc.Respond(ctx, inv.Token+"x", assess.Response{Ratings: answers}); !errors.Is(err, assess.ErrLinkInvalid) {
			t.Fatalf("altered link: %v", err)
		}
		// A rating outside the scale is refused, and the link still works afterwards.
		bad := map[string]int{}
		for k, v := range answers {
			bad[k] = v
		}
		bad["influence"] = 7
		if err := fx.svc.Respond(ctx, inv.Token, assess.Response{Ratings: bad}); err == nil {
			t.Fatal("an out-of-scale answer was accepted")
		}
		if err := fx.svc.Respond(ctx, inv.Token, assess.Response{Ratings: answers}); err != nil {
			t.Fatal(err)
		}
		// Used twice.
		if err := fx.svc.Respond(ctx, inv.Token, assess.Response{Ratings: answers}); !errors.Is(err, assess.ErrLinkAnswered) {
			t.Fatalf("second answer: %v", err)
		}
		var n int
		_ = db.QueryRow(ctx, `SELECT COUNT(*) FROM feedback_ratings`).Scan(&n)
		if n != 13 {
			t.Fatalf("%d ratings stored, want 13 (one answer)", n)
		}
		// Reminders give the unanswered a fresh link; the old one keeps working.
		inv2, _ := fx.svc.Invite(ctx, u, round.ID, "Lee", "lee@example.org", assess.MDT, nil)
		rem, err := fx.svc.Reminders(ctx, round.ID, nil)
		if err != nil || len(rem) != 1 || rem[0].Rater.Email != "lee@example.org" || rem[0].Token == inv2.Token {
			t.Fatalf("reminders: %+v %v", rem, err)
		}
		if again, _ := fx.svc.Reminders(ctx, round.ID, nil); len(again) != 0 {
			t.Fatal("a rater was reminded twice")
		}
		if _, err := fx.svc.ByToken(ctx, inv2.Token); err != nil {
			t.Fatalf("the first link stopped working after a reminder: %v", err)
		}
		// Expired: past the deadline the link closes, even before the close job runs.
		if _, err := db.Exec(ctx, `UPDATE feedback_rounds SET deadline = ? WHERE id = ?`, time.Now().Add(-time.Minute).UTC(), round.ID); err != nil {
			t.Fatal(err)
		}
		if err := fx.svc.Respond(ctx, rem[0].Token, assess.Response{Ratings: answers}); !errors.Is(err, assess.ErrLinkExpired) {
			t.Fatalf("expired link: %v", err)
		}
		closed, err := fx.svc.CloseDue(ctx, round.ID)
		if err != nil || !closed {
			t.Fatalf("close due: %v %v", closed, err)
		}
	})
}

func TestRoundNeedsASubmittedAssessmentAndAFutureDeadline(t *testing.T) {
	ctx := context.Background()
	fx := newFixture(t, testutil.SQLite(t))
	u := fx.person(t, 6)
	draft, _ := fx.svc.Start(ctx, u.ID, assess.DefaultFramework)
	_, err := fx.svc.CreateRound(ctx, u.ID, draft.ID, "", time.Now().Add(-time.Hour), nil)
	var errs valid.Errors
	if !errors.As(err, &errs) || errs.For("assessment") == "" || !strings.Contains(errs.For("deadline"), "at least a day from now") {
		t.Fatalf("got %v", err)
	}
}

func TestGapsRankAgainstLevelAndNext(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		fx := newFixture(t, db)
		u := fx.person(t, 6)
		if _, err := fx.svc.Gaps(ctx, &auth.User{ID: u.ID}, assess.DefaultFramework); !errors.Is(err, assess.ErrNoLevel) {
			t.Fatalf("no level: %v", err)
		}
		r := all(3)
		r["influence"] = assess.Rating{Rating: 1}
		r["clinical"] = assess.Rating{Rating: 5}
		fx.submitted(t, u, r)
		g, err := fx.svc.Gaps(ctx, u, assess.DefaultFramework)
		if err != nil {
			t.Fatal(err)
		}
		// Level 6 targets influence at 3: the largest gap (2) is influence.
		if g.Rows[0].Element.Key != "influence" || g.Rows[0].Gap != 2 || g.Rows[0].NextGap != 3 || g.Largest().Element.Key != "influence" {
			t.Fatalf("top gap: %+v", g.Rows[0])
		}
		if last := g.Rows[len(g.Rows)-1]; last.Element.Key != "clinical" || last.Gap != -1 {
			t.Fatalf("last: %+v", last)
		}
		if g.Level != 6 || g.NextLevel != 7 || g.Source != "your self-assessment" {
			t.Fatalf("gaps header: %+v", g)
		}
	})
}

func TestHeatMapHidesSmallCells(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		fx := newFixture(t, db)
		o, err := fx.orgs.Create(ctx, org.Organisation{Slug: "trust", Name: "Trust", Kind: org.NHSTrust})
		if err != nil {
			t.Fatal(err)
		}
		add := func(team string, n, v int) {
			for i := 0; i < n; i++ {
				fx.member(t, o.ID, team, v)
			}
		}
		add("Community", 5, 4)
		add("Acute", 4, 2)
		h, err := fx.svc.HeatMap(ctx, o.ID, assess.DefaultFramework)
		if err != nil {
			t.Fatal(err)
		}
		if c := h.Cell("Community", "influence"); !c.Shown || c.Mean != 4 || c.N != 5 {
			t.Fatalf("community cell: %+v", c)
		}
		if c := h.Cell("Acute", "influence"); c.Shown || c.Mean != 0 {
			t.Fatalf("a cell of 4 people is shown: %+v", c)
		}
	})
}

// TestNoRaterCanBeIsolatedBySubtraction checks every element of every report built from a mix
// of groups: any figure shown must be a mean of at least MinGroup ratings, and "all others" must
// be exactly the union of the shown cells, so no difference of shown figures isolates anyone.
func TestNoRaterCanBeIsolatedBySubtraction(t *testing.T) {
	ctx := context.Background()
	fx := newFixture(t, testutil.SQLite(t))
	u := fx.person(t, 6)
	self := fx.submitted(t, u, all(3))
	round, _ := fx.svc.CreateRound(ctx, u.ID, self.ID, "", time.Now().Add(72*time.Hour), nil)
	rate(t, fx, u, round.ID, assess.Peer, 3, 2, "")
	rate(t, fx, u, round.ID, assess.LineManager, 1, 5, "")
	rate(t, fx, u, round.ID, assess.DirectReport, 1, 4, "")
	rate(t, fx, u, round.ID, assess.MDT, 4, 3, "")
	if err := fx.svc.Close(ctx, u.ID, round.ID); err != nil {
		t.Fatal(err)
	}
	rep, err := fx.svc.Report(ctx, u.ID, round.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, row := range rep.Rows {
		shownN := 0
		for _, g := range row.Groups {
			if g.Shown {
				shownN += g.N
				if g.N < assess.MinGroup {
					t.Fatalf("%s: a cell of %d is shown", row.Element.Key, g.N)
				}
			}
		}
		if row.Others.Shown && row.Others.N != shownN {
			t.Fatalf("%s: others covers %d ratings but the shown cells hold %d: the difference (%d) could be isolated",
				row.Element.Key, row.Others.N, shownN, row.Others.N-shownN)
		}
		if row.Others.Shown && row.Others.Mean != 2.57 { // peers 2,2,2 and MDT 3,3,3,3
			t.Fatalf("%s: others %v", row.Element.Key, row.Others.Mean)
		}
		if row.Withheld != 2 {
			t.Fatalf("%s: withheld %d, want the line manager and the direct report", row.Element.Key, row.Withheld)
		}
	}
}

func TestBlindSpotsAndHiddenStrengths(t *testing.T) {
	ctx := context.Background()
	fx := newFixture(t, testutil.SQLite(t))
	u := fx.person(t, 6)
	r := all(3)
	r["influence"] = assess.Rating{Rating: 5} // others will say 3: blind spot
	r["advocacy"] = assess.Rating{Rating: 1}  // others will say 3: hidden strength
	self := fx.submitted(t, u, r)
	round, _ := fx.svc.CreateRound(ctx, u.ID, self.ID, "", time.Now().Add(72*time.Hour), nil)
	rate(t, fx, u, round.ID, assess.Peer, 3, 3, "")
	if err := fx.svc.Close(ctx, u.ID, round.ID); err != nil {
		t.Fatal(err)
	}
	rep, err := fx.svc.Report(ctx, u.ID, round.ID)
	if err != nil {
		t.Fatal(err)
	}
	bs, hs := rep.BlindSpots(), rep.HiddenStrengths()
	if len(bs) != 1 || bs[0].Element.Key != "influence" || bs[0].Diff != -2 {
		t.Fatalf("blind spots: %+v", bs)
	}
	if len(hs) != 1 || hs[0].Element.Key != "advocacy" || hs[0].Diff != 2 {
		t.Fatalf("hidden strengths: %+v", hs)
	}
}

// TestInvitationIsUndoneWhenItsEmailCannotBeQueued: the invitation and its email happen together
// or not at all, so a failure leaves nothing half done and the same person can be invited again.
func TestInvitationIsUndoneWhenItsEmailCannotBeQueued(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		fx := newFixture(t, db)
		u := fx.person(t, 6)
		self := fx.submitted(t, u, all(3))
		failing := errors.New("queue unavailable")
		_, err := fx.svc.CreateRound(ctx, u.ID, self.ID, "", time.Now().Add(72*time.Hour), func(context.Context, *store.Tx, *assess.Round) error { return failing })
		if !errors.Is(err, failing) {
			t.Fatalf("create round: %v", err)
		}
		if rounds, _ := fx.svc.Rounds(ctx, u.ID); len(rounds) != 0 {
			t.Fatal("a round whose jobs could not be scheduled was kept")
		}
		round, _ := fx.svc.CreateRound(ctx, u.ID, self.ID, "", time.Now().Add(72*time.Hour), nil)
		_, err = fx.svc.Invite(ctx, u, round.ID, "Kim", "kim@example.org", assess.Peer, func(context.Context, *store.Tx, *assess.Invitation) error { return failing })
		if !errors.Is(err, failing) {
			t.Fatalf("invite: %v", err)
		}
		if st, _ := fx.svc.Status(ctx, u.ID, round.ID); st.Invited != 0 {
			t.Fatal("an invitation whose email could not be queued was kept")
		}
		if _, err := fx.svc.Invite(ctx, u, round.ID, "Kim", "kim@example.org", assess.Peer, nil); err != nil {
			t.Fatalf("inviting again after the failure: %v", err)
		}
	})
}

// TestHeatMapPublishesOnlyAfterFivePeopleChange: one colleague resubmitting must not change what
// a lead sees, or comparing the two views would reveal their new ratings.
func TestHeatMapPublishesOnlyAfterFivePeopleChange(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		fx := newFixture(t, db)
		o, _ := fx.orgs.Create(ctx, org.Organisation{Slug: "trust", Name: "Trust", Kind: org.NHSTrust})
		var team []*auth.User
		for i := 0; i < 6; i++ {
			team = append(team, fx.member(t, o.ID, "Ward 7", 2))
		}
		cell := func() assess.Cell {
			h, err := fx.svc.HeatMap(ctx, o.ID, assess.DefaultFramework)
			if err != nil {
				t.Fatal(err)
			}
			return h.Cell("Ward 7", "influence")
		}
		before := cell()
		if !before.Shown || before.Mean != 2 || before.N < 5 {
			t.Fatalf("first publication: %+v", before)
		}
		fx.submitted(t, team[0], all(5)) // one person changes
		if got := cell(); got != before {
			t.Fatalf("one person's change was published: %+v -> %+v", before, got)
		}
		// The sixth member's first submission and team[0]'s change make two people changed since
		// publication; three more make five, and the team is published again: four people at 5,
		// two at 2, (4*5 + 2*2) / 6 = 4.
		for _, u := range team[1:3] {
			fx.submitted(t, u, all(5))
		}
		if got := cell(); got != before {
			t.Fatalf("four people's changes were published: %+v", got)
		}
		fx.submitted(t, team[3], all(5))
		if got := cell(); got.Mean != 4 || got.N != 6 {
			t.Fatalf("five people's changes were not published: %+v", got)
		}
	})
}

// TestHeatMapCountsOnlyWhoChangedOnThatFramework: people submitting on another framework have not
// changed this one's figures and must not count towards republishing it (review finding: one
// person's resubmission could be isolated that way).
func TestHeatMapCountsOnlyWhoChangedOnThatFramework(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		fx := newFixture(t, db)
		o, _ := fx.orgs.Create(ctx, org.Organisation{Slug: "trust", Name: "Trust", Kind: org.NHSTrust})
		var team []*auth.User
		for i := 0; i < 5; i++ {
			team = append(team, fx.member(t, o.ID, "Ward 7", 2))
		}
		cell := func() assess.Cell {
			h, _ := fx.svc.HeatMap(ctx, o.ID, assess.DefaultFramework)
			return h.Cell("Ward 7", "influence")
		}
		before := cell()
		fx.submitted(t, team[0], all(5)) // the person to protect changes the OT framework
		for _, u := range team[1:] {     // everyone else assesses on the HLM only
			a, _ := fx.svc.Start(ctx, u.ID, "nhs-hlm")
			f, _ := fx.svc.Framework(ctx, a)
			r := map[string]assess.Rating{}
			for _, e := range f.Rateable() {
				r[e.Key] = assess.Rating{Rating: 2}
			}
			if err := fx.svc.Submit(ctx, u.ID, a.ID, r); err != nil {
				t.Fatal(err)
			}
			if err := fx.orgs.SetTeam(ctx, u.ID, o.ID, "Ward 7"); err != nil { // the same team again
				t.Fatal(err)
			}
		}
		if got := cell(); got != before {
			t.Fatalf("one person's change on the OT framework was published: %+v -> %+v", before, got)
		}
	})
}
