package mentoring_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/pillars-ot/pillars/internal/mentoring"
	"github.com/pillars-ot/pillars/internal/portfolio"
	"github.com/pillars-ot/pillars/internal/store"
	"github.com/pillars-ot/pillars/internal/testutil"
)

// The mentee's goals come from their ask as it is now, so a mentor sees them only while their
// request waits: a mentor who declined, and a former mentor, never see goals written later.
func TestRequestGoalsOnlyWhileWaiting(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		f := newMatchFx(t, db)
		mentee := f.person("Alex Mentee", 6)
		declines := f.mentor("Dee Decliner", 7, nil)
		former := f.mentor("Fay Former", 7, nil)
		withdrawn := f.mentor("Wyn Withdrawn", 7, nil)
		ask := goodAsk()
		ask.Goals = "FIRST-GOALS"
		if _, err := f.svc.SaveAsk(f.ctx, mentee, ask); err != nil {
			t.Fatal(err)
		}
		d1, _ := f.svc.Request(f.ctx, mentee, declines.ID, menteeNeed, "", f.ob)
		d2, _ := f.svc.Request(f.ctx, mentee, former.ID, menteeNeed, "", f.ob)
		d3, _ := f.svc.Request(f.ctx, mentee, withdrawn.ID, menteeNeed, "", f.ob)
		if d, err := f.svc.RequestDetail(f.ctx, declines.ID, d1); err != nil || d.Goals != "FIRST-GOALS" {
			t.Fatalf("a waiting request's mentor: %q %v", d.Goals, err)
		}
		if err := f.svc.Decline(f.ctx, declines.ID, d1, "Not this term.", f.ob); err != nil {
			t.Fatal(err)
		}
		if err := f.svc.Accept(f.ctx, former.ID, d2, "", f.ob); err != nil {
			t.Fatal(err)
		}
		if err := f.svc.Complete(f.ctx, former.ID, d2, f.ob); err != nil {
			t.Fatal(err)
		}
		if err := f.svc.Withdraw(f.ctx, mentee.ID, d3, f.ob); err != nil {
			t.Fatal(err)
		}
		ask.Goals = "LATER-GOALS written after every answer"
		if _, err := f.svc.SaveAsk(f.ctx, mentee, ask); err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			name       string
			viewer, id int64
		}{{"the mentor who declined", declines.ID, d1}, {"the former mentor", former.ID, d2}, {"the mentor of a withdrawn request", withdrawn.ID, d3},
			{"the mentee, on the declined request", mentee.ID, d1}} {
			d, err := f.svc.RequestDetail(f.ctx, c.viewer, c.id)
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			if d.Goals != "" {
				t.Errorf("%s sees the goals %q", c.name, d.Goals)
			}
		}
	})
}

// A verifier decides on the claim they looked at: evidence swapped after the page was opened
// is refused with a plain message and nothing changes, and the link to the evidence they saw
// does not send the new file in its place.
func TestDecisionIsOnTheClaimAsSeen(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		f := newMatchFx(t, db)
		in := goodProfile()
		in.Kind, in.Accreditation, in.EvidenceName, in.Evidence = "coach", "icf", "certificate.pdf", pdfBytes
		coach := f.person("Cara Coach", 8)
		if _, err := f.svc.SaveProfile(f.ctx, coach.ID, in); err != nil {
			t.Fatal(err)
		}
		admin := f.person("Site Admin", 0, "north-trust:site-admin")
		claims, err := f.svc.PendingClaims(f.ctx, admin)
		if err != nil || len(claims) != 1 {
			t.Fatalf("queue: %+v %v", claims, err)
		}
		seen := claims[0].Revision
		if n, err := f.svc.PendingClaimCount(f.ctx, admin); err != nil || n != 1 {
			t.Fatalf("count: %d %v", n, err)
		}
		if _, err := f.svc.PendingClaimCount(f.ctx, coach); !errors.Is(err, mentoring.ErrNotAllowed) {
			t.Fatalf("count for a practitioner: %v", err)
		}

		// The coach swaps the file, under the same name, before the verifier decides.
		swapped := append([]byte("%PDF-1.4\n% a different certificate\n"), pdfBytes[9:]...)
		in.Evidence = swapped
		if p, err := f.svc.SaveProfile(f.ctx, coach.ID, in); err != nil || p.Status != mentoring.AccreditationPending || p.ClaimRevision == seen {
			t.Fatalf("swapped: %+v %v", p, err)
		}
		counts := f.counts()
		refusal(t, f.svc.DecideAt(f.ctx, admin, coach.ID, seen, true, "Looks right.", f.ob), "This claim changed since you opened it: look at it again")
		if after := f.counts(); after != counts {
			t.Fatalf("a stale decision changed data: %s -> %s", counts, after)
		}
		if p := mustProfile(t, f, coach.ID); p.Status != mentoring.AccreditationPending || p.VerifiedAt != nil {
			t.Fatalf("a stale decision was applied: %+v", p)
		}
		var r *mentoring.Refused
		if _, _, _, err := f.svc.ClaimEvidence(f.ctx, admin, coach.ID, seen); !errors.As(err, &r) {
			t.Fatalf("the old link sent a file: %v", err)
		}
		if _, _, _, err := f.svc.ClaimEvidence(f.ctx, coach, coach.ID, seen+1); !errors.Is(err, mentoring.ErrNotFound) {
			t.Fatalf("evidence for a practitioner: %v", err)
		}

		// Looked at again: the new revision, and its file, decide it. A change that is not
		// the claim (capacity) does not send the verifier back.
		claims, _ = f.svc.PendingClaims(f.ctx, admin)
		now := claims[0].Revision
		if _, _, data, err := f.svc.ClaimEvidence(f.ctx, admin, coach.ID, now); err != nil || !bytes.Equal(data, swapped) {
			t.Fatalf("the evidence now: %v", err)
		}
		in.EvidenceName, in.Evidence, in.Capacity = "", nil, "4"
		if _, err := f.svc.SaveProfile(f.ctx, coach.ID, in); err != nil {
			t.Fatal(err)
		}
		if err := f.svc.DecideAt(f.ctx, admin, coach.ID, now, true, "", f.ob); err != nil {
			t.Fatal(err)
		}
		if p := mustProfile(t, f, coach.ID); p.Status != mentoring.AccreditationVerified {
			t.Fatalf("verified: %+v", p)
		}
		// A changed claim (another accreditation, with its evidence) is a new revision too.
		in.Accreditation, in.EvidenceName, in.Evidence = "emcc", "emcc.pdf", pdfBytes
		p, err := f.svc.SaveProfile(f.ctx, coach.ID, in)
		if err != nil || p.ClaimRevision == now || p.Status != mentoring.AccreditationPending {
			t.Fatalf("changed claim: %+v %v", p, err)
		}
		refusal(t, f.svc.DecideAt(f.ctx, admin, coach.ID, now, false, "Expired.", f.ob), "changed since you opened it")
	})
}

// Three requests may wait at once, however many are sent at the same moment: the mentee's row
// is locked before their waiting requests are counted (PostgreSQL; SQLite has one writer).
// Answers sent at the same time take the same locks in the same order, so nothing deadlocks.
func TestWaitingLimitUnderConcurrency(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		f := newMatchFx(t, db)
		mentee := f.person("Alex Mentee", 6)
		var mentors []int64
		for i := range 8 {
			mentors = append(mentors, f.mentor(fmt.Sprintf("Mentor %d", i), 7, nil).ID)
		}
		var wg sync.WaitGroup
		errs := make([]error, len(mentors))
		for i, id := range mentors {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = f.svc.Request(f.ctx, mentee, id, menteeNeed, "", f.ob)
			}()
		}
		wg.Wait()
		sent := 0
		for _, err := range errs {
			var r *mentoring.Refused
			switch {
			case err == nil:
				sent++
			case !errors.As(err, &r) || !strings.Contains(r.Message, "3 requests waiting"):
				t.Errorf("unexpected: %v", err)
			}
		}
		var waiting int
		_ = db.QueryRow(f.ctx, `SELECT COUNT(*) FROM mentoring_relationships WHERE mentee_id = ? AND status = 'requested'`, mentee.ID).Scan(&waiting)
		if sent != 3 || waiting != 3 {
			t.Fatalf("%d sent, %d waiting; want 3", sent, waiting)
		}

		// Mentors accepting while the mentee asks others: mentee before mentor everywhere.
		var ids []int64
		rows, err := db.Query(f.ctx, `SELECT id FROM mentoring_relationships WHERE mentee_id = ? AND status = 'requested'`, mentee.ID)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var id int64
			_ = rows.Scan(&id)
			ids = append(ids, id)
		}
		rows.Close()
		other := f.person("Sam Mentee", 5)
		var calls []func() error
		for _, id := range ids {
			r, _ := f.svc.Relationship(f.ctx, mentee.ID, id)
			calls = append(calls, func() error { return f.svc.Accept(f.ctx, r.MentorID, id, "", f.ob) })
			calls = append(calls, func() error { _, err := f.svc.Request(f.ctx, other, r.MentorID, menteeNeed, "", f.ob); return err })
		}
		for _, id := range mentors {
			calls = append(calls, func() error { _, err := f.svc.Request(f.ctx, mentee, id, menteeNeed, "", f.ob); return err })
		}
		errs = make([]error, len(calls))
		for i, call := range calls {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[i] = call()
			}()
		}
		wg.Wait()
		for _, err := range errs {
			var r *mentoring.Refused
			if err != nil && !errors.As(err, &r) {
				t.Errorf("unexpected: %v", err)
			}
		}
		_ = db.QueryRow(f.ctx, `SELECT COUNT(*) FROM mentoring_relationships WHERE mentee_id = ? AND status = 'requested'`, mentee.ID).Scan(&waiting)
		if waiting > 3 {
			t.Fatalf("%d waiting", waiting)
		}
	})
}

// Accepting checks the pair again: a mentor who has stopped taking mentees, or a pair now in
// one line-management chain, is refused and nothing changes.
func TestAcceptChecksThePairAgain(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		f := newMatchFx(t, db)
		mentor := f.mentor("Ruth Mentor", 7, nil)
		alex := f.person("Alex Mentee", 6)
		sam := f.person("Sam Mentee", 5)
		a, err := f.svc.Request(f.ctx, alex, mentor.ID, menteeNeed, "", f.ob)
		if err != nil {
			t.Fatal(err)
		}
		s, err := f.svc.Request(f.ctx, sam, mentor.ID, menteeNeed, "", f.ob)
		if err != nil {
			t.Fatal(err)
		}
		// Ruth becomes Sam's line manager after Sam asked.
		if err := f.svc.SetLineManager(f.ctx, sam.ID, mentor.Email); err != nil {
			t.Fatal(err)
		}
		counts := f.counts()
		refusal(t, f.svc.Accept(f.ctx, mentor.ID, s, "", f.ob), "same line-management chain")
		if after := f.counts(); after != counts {
			t.Fatalf("a refused accept changed data: %s -> %s", counts, after)
		}
		// Ruth takes a break from new mentees.
		in := goodProfile()
		in.Listed = false
		if _, err := f.svc.SaveProfile(f.ctx, mentor.ID, in); err != nil {
			t.Fatal(err)
		}
		counts = f.counts()
		refusal(t, f.svc.Accept(f.ctx, mentor.ID, a, "", f.ob), "not taking new mentees")
		if after := f.counts(); after != counts {
			t.Fatalf("refused accepts changed data: %s -> %s", counts, after)
		}
		for _, id := range []int64{a, s} {
			if r, _ := f.svc.Relationship(f.ctx, mentor.ID, id); r.Status != mentoring.StatusRequested {
				t.Errorf("request %d is %s", id, r.Status)
			}
		}
		in.Listed = true
		if _, err := f.svc.SaveProfile(f.ctx, mentor.ID, in); err != nil {
			t.Fatal(err)
		}
		if err := f.svc.Accept(f.ctx, mentor.ID, a, "", f.ob); err != nil {
			t.Fatalf("listed again: %v", err)
		}
	})
}

// A programme lead's "Send these requests" keeps to each ask, whatever pairs were posted: a
// mentor over the mentee's budget, or of the wrong kind, is skipped and nothing is stored.
func TestCohortSendKeepsToTheAsk(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		f := newMatchFx(t, db)
		lead := f.person("Priya Lead", 8, "north-trust:programme-lead")
		north, _ := f.orgs.BySlug(f.ctx, "north-trust")
		paid := f.mentor("Pam Paid", 8, func(in *mentoring.ProfileInput) { in.Kind, in.Free, in.Fee = "both", false, "90" })
		coach := f.mentor("Cody Coach", 8, func(in *mentoring.ProfileInput) { in.Kind = "coach" })
		free := f.mentor("Fran Free", 7, nil)
		freeOnly := f.person("Fred Freeonly", 5)
		in := goodAsk()
		in.Budget, in.Want = "free", "either"
		if _, err := f.svc.SaveAsk(f.ctx, freeOnly, in); err != nil {
			t.Fatal(err)
		}
		wantsMentor := f.person("Mo Mentee", 5)
		in = goodAsk()
		in.Budget, in.Want = "any", "mentor"
		if _, err := f.svc.SaveAsk(f.ctx, wantsMentor, in); err != nil {
			t.Fatal(err)
		}
		counts := f.counts()
		res, err := f.svc.SendCohort(f.ctx, lead, north.ID, [][2]int64{{freeOnly.ID, paid.ID}, {wantsMentor.ID, coach.ID}}, f.ob)
		if err != nil {
			t.Fatal(err)
		}
		skipped := strings.Join(res.Skipped, "|")
		if res.Sent != 0 || !strings.Contains(skipped, "Fred Freeonly: the mentor costs more than their budget") ||
			!strings.Contains(skipped, "Mo Mentee: the mentor does not offer what they asked for") {
			t.Fatalf("sent %d, skipped %v", res.Sent, res.Skipped)
		}
		if after := f.counts(); after != counts {
			t.Fatalf("tampered pairs changed data: %s -> %s", counts, after)
		}
		// The pairs the asks allow are sent.
		if res, err = f.svc.SendCohort(f.ctx, lead, north.ID, [][2]int64{{freeOnly.ID, free.ID}, {wantsMentor.ID, paid.ID}}, f.ob); err != nil || res.Sent != 2 {
			t.Fatalf("good pairs: %+v %v", res, err)
		}
	})
}

// A place with a colon is a place; a link is a link only when it says so, and only https.
func TestSessionLocations(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		e := newPairEnv(t, db)
		ctx := context.Background()
		for _, place := range []string{"Room:3B", "Ward:5", "Level:2", "Vale House, Room:4", "Hub: 2nd floor"} {
			in := goodSession(inDays(3))
			in.Location, in.Mode = place, "in-person"
			x, err := e.svc.ScheduleSession(ctx, e.mentee.ID, e.rel, in, nil)
			if err != nil {
				t.Fatalf("%q refused: %v", place, err)
			}
			if x.Location != place || x.Link() != "" {
				t.Errorf("%q stored as %q, link %q", place, x.Location, x.Link())
			}
		}
		for _, link := range []string{"javascript:alert(1)", "JavaScript:alert(1)", "http://meet.example.org/x", "data:text/html,hi",
			"vbscript:x", "file:///etc/passwd", "ftp://files.example.org", "mailto:someone@example.org", "www.example.org/meet"} {
			in := goodSession(inDays(3))
			in.Location = link
			_, err := e.svc.ScheduleSession(ctx, e.mentee.ID, e.rel, in, nil)
			wantField(t, err, "location", "https://")
		}
		in := goodSession(inDays(3))
		in.Location = "HTTPS://Meet.Example.org/pair"
		if x, err := e.svc.ScheduleSession(ctx, e.mentee.ID, e.rel, in, nil); err != nil || x.Link() == "" {
			t.Fatalf("an https link: %v", err)
		}
	})
}

// Sessions keep to the agreement: none is planned or moved after its end date; after the
// relationship ends nothing is cancelled and nobody is emailed; coaching says so in the subject.
func TestSessionsKeepToTheRelationship(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		e := newPairEnv(t, db)
		ctx := context.Background()
		a := goodAgreement()
		a.EndOn = inDays(30)
		if err := e.svc.SaveAgreement(ctx, e.mentee.ID, e.rel, a); err != nil {
			t.Fatal(err)
		}
		_, err := e.svc.ScheduleSession(ctx, e.mentee.ID, e.rel, goodSession(inDays(31)), e.out)
		wantField(t, err, "date", "on or before")
		if len(e.takeSent()) != 0 {
			t.Fatal("a refused session was emailed")
		}
		r, _ := e.svc.Relationship(ctx, e.mentee.ID, e.rel)
		if errs := e.svc.CheckSession(r, goodSession(inDays(31))); errs.For("date") == "" {
			t.Fatal("CheckSession passes a date after the end")
		}
		x, err := e.svc.ScheduleSession(ctx, e.mentee.ID, e.rel, goodSession(inDays(30)), e.out)
		if err != nil {
			t.Fatalf("on the end date: %v", err)
		}
		if sent := e.takeSent(); len(sent) != 2 || !strings.HasPrefix(sent[0].Subject, "Mentoring session: ") {
			t.Fatalf("mentoring invitations: %+v", sent)
		}
		wantField(t, e.svc.RescheduleSession(ctx, e.mentor.ID, x.ID, goodSession(inDays(40)), e.out), "date", "on or before")
		if got, _, _ := e.svc.SessionFor(ctx, e.mentee.ID, x.ID); !got.StartsAt.Equal(x.StartsAt) || got.ICSSequence != 0 || len(e.takeSent()) != 0 {
			t.Fatal("a refused change was saved or emailed")
		}

		// Coaching says so in the subject.
		if _, err := db.Exec(ctx, `UPDATE mentoring_relationships SET kind = 'coaching' WHERE id = ?`, e.rel); err != nil {
			t.Fatal(err)
		}
		past, err := e.svc.ScheduleSession(ctx, e.mentee.ID, e.rel, goodSession(inDays(-1)), e.out)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range e.takeSent() {
			if !strings.HasPrefix(m.Subject, "Coaching session: ") {
				t.Errorf("coaching subject %q", m.Subject)
			}
		}

		// Ended: the future session is cancelled by the end; yesterday's, still planned, cannot
		// be cancelled afterwards, and nobody is emailed.
		if err := e.svc.Complete(ctx, e.mentor.ID, e.rel, e.out); err != nil {
			t.Fatal(err)
		}
		e.takeSent()
		if err := e.svc.CancelSession(ctx, e.mentee.ID, past.ID, e.out); !errors.Is(err, mentoring.ErrRelationshipClosed) {
			t.Fatalf("cancel after the end: %v", err)
		}
		if got, _, _ := e.svc.SessionFor(ctx, e.mentee.ID, past.ID); got.Status != mentoring.SessionPlanned {
			t.Fatalf("cancelled after the end: %s", got.Status)
		}
		if sent := e.takeSent(); len(sent) != 0 {
			t.Fatalf("%d emails after the end", len(sent))
		}
	})
}

// Turning a session into CPD is one transaction: when linking the entry fails, no entry is
// left behind (even if deleting one would fail too), and clicks at the same moment make one
// entry.
func TestSessionToCPDIsOneTransaction(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		e := newPairEnv(t, db)
		ctx := context.Background()
		p := portfolio.NewService(db, e.cat)
		x, err := e.svc.ScheduleSession(ctx, e.mentee.ID, e.rel, goodSession(inDays(-1)), nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := e.svc.MarkHeld(ctx, e.mentee.ID, x.ID); err != nil {
			t.Fatal(err)
		}
		// The link cannot be written, nor an entry deleted (as when the connection drops).
		refuse := []string{
			`CREATE TRIGGER test_no_link BEFORE UPDATE OF cpd_entry_id ON mentoring_sessions BEGIN SELECT RAISE(ABORT, 'link refused'); END`,
			`CREATE TRIGGER test_no_delete BEFORE DELETE ON cpd_entries BEGIN SELECT RAISE(ABORT, 'delete refused'); END`,
		}
		undo := []string{`DROP TRIGGER test_no_link`, `DROP TRIGGER test_no_delete`}
		if db.Dialect == store.Postgres {
			refuse = []string{
				`CREATE FUNCTION test_refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'refused'; END $$`,
				`CREATE TRIGGER test_no_link BEFORE UPDATE OF cpd_entry_id ON mentoring_sessions FOR EACH ROW EXECUTE FUNCTION test_refuse()`,
				`CREATE TRIGGER test_no_delete BEFORE DELETE ON cpd_entries FOR EACH ROW EXECUTE FUNCTION test_refuse()`,
			}
			undo = []string{`DROP TRIGGER test_no_link ON mentoring_sessions`, `DROP TRIGGER test_no_delete ON cpd_entries`}
		}
		for _, q := range refuse {
			if _, err := db.Exec(ctx, q); err != nil {
				t.Fatal(err)
			}
		}
		entries := func() int {
			t.Helper()
			var n int
			if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM cpd_entries WHERE user_id = ?`, e.mentee.ID).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		if _, err := e.svc.SessionToCPD(ctx, e.mentee.ID, x.ID, p); err == nil {
			t.Fatal("no error when the link failed")
		}
		if n := entries(); n != 0 {
			t.Fatalf("%d entries left behind by a failed link", n)
		}
		for _, q := range undo {
			if _, err := db.Exec(ctx, q); err != nil {
				t.Fatal(err)
			}
		}

		var wg sync.WaitGroup
		ids := make([]int64, 4)
		errs := make([]error, 4)
		for i := range ids {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ids[i], errs[i] = e.svc.SessionToCPD(ctx, e.mentee.ID, x.ID, p)
			}()
		}
		wg.Wait()
		for i := range ids {
			if errs[i] != nil || ids[i] != ids[0] || ids[0] == 0 {
				t.Fatalf("click %d: %d %v (first %d)", i, ids[i], errs[i], ids[0])
			}
		}
		if n := entries(); n != 1 {
			t.Fatalf("%d entries from clicks at once", n)
		}
		if got, _, _ := e.svc.SessionFor(ctx, e.mentee.ID, x.ID); got.CPDEntryID != ids[0] {
			t.Fatalf("linked to %d, not %d", got.CPDEntryID, ids[0])
		}
	})
}
