package mentoring_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"sync"
	"testing"

	"github.com/pillars-ot/pillars/internal/mentoring"
	"github.com/pillars-ot/pillars/internal/mentoring/match"
	"github.com/pillars-ot/pillars/internal/store"
	"github.com/pillars-ot/pillars/internal/testutil"
)

var menteeNeed = mentoring.Need{Want: "either", BudgetPence: -1, Modes: []string{"video"},
	Gaps: []mentoring.Gap{{Ref: "ot-leadership:influence", Size: 2}, {Ref: "ot-leadership:team", Size: 1}}}

func TestRequestStoresTheScoreAndEmailsTheMentor(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		f := newMatchFx(t, db)
		mentor := f.mentor("Ruth Mentor", 7, nil)
		mentee := f.person("Alex Mentee", 6)
		if _, err := f.svc.SaveAsk(f.ctx, mentee, goodAsk()); err != nil {
			t.Fatal(err)
		}
		id, err := f.svc.Request(f.ctx, mentee, mentor.ID, menteeNeed, "  I would value your view on influencing.  ", f.ob)
		if err != nil {
			t.Fatal(err)
		}
		d, err := f.svc.RequestDetail(f.ctx, mentor.ID, id)
		if err != nil {
			t.Fatal(err)
		}
		north, _ := f.orgs.BySlug(f.ctx, "north-trust")
		if d.Status != mentoring.StatusRequested || d.Kind != "mentoring" || d.RequestMessage != "I would value your view on influencing." || d.OrgID != north.ID || d.ProposedBy != 0 {
			t.Errorf("stored %+v", d.Relationship)
		}
		var sc match.Score
		// score is REAL: single precision on PostgreSQL, so it matches the parts' total to a few places.
		if err := json.Unmarshal([]byte(d.ScoreParts), &sc); err != nil || math.Abs(sc.Total-d.Score) > 0.001 || len(sc.Parts) != 6 || d.Score == 0 {
			t.Errorf("score kept as seen: %v %+v", err, sc)
		}
		// Only the gaps the mentor helps with are what the pair works on.
		if len(d.Elements) != 1 || d.Elements[0].Ref != "ot-leadership:influence" || d.Elements[0].Title != "Influence" {
			t.Errorf("elements: %+v", d.Elements)
		}
		if d.Goals != "Chairing meetings with consultants." {
			t.Errorf("the mentor does not see the mentee's goals: %q", d.Goals)
		}
		m := f.lastMail()
		if m.To != mentor.Email || !strings.Contains(m.Text, fmt.Sprintf("https://pillars.example/mentoring/requests/%d", id)) || !strings.Contains(m.Text, "influencing") {
			t.Errorf("email to the mentor: %+v", m)
		}
		// Only the pair may see it.
		stranger := f.person("Nosy Parker", 6)
		if _, err := f.svc.RequestDetail(f.ctx, stranger.ID, id); !errors.Is(err, mentoring.ErrNotFound) {
			t.Errorf("a stranger read the request: %v", err)
		}
		if _, err := f.svc.RequestDetail(f.ctx, mentee.ID, id); err != nil {
			t.Errorf("the mentee: %v", err)
		}
		// A coach-only mentor makes it coaching.
		coach := f.mentor("Cody Coach", 8, func(in *mentoring.ProfileInput) { in.Kind = "coach" })
		id2, err := f.svc.Request(f.ctx, mentee, coach.ID, menteeNeed, "", f.ob)
		if err != nil {
			t.Fatal(err)
		}
		if r, _ := f.svc.Relationship(f.ctx, mentee.ID, id2); r.Kind != "coaching" {
			t.Errorf("kind %q", r.Kind)
		}
	})
}

// TestRequestRefusals: each is a clear message and leaves every count as it was.
func TestRequestRefusals(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		f := newMatchFx(t, db)
		mentee := f.person("Alex Mentee", 6)
		full := f.mentor("Full Mentor", 7, func(in *mentoring.ProfileInput) { in.Capacity = "1" })
		someone := f.person("Other Mentee", 5)
		id, err := f.svc.Request(f.ctx, someone, full.ID, menteeNeed, "", f.ob)
		if err != nil {
			t.Fatal(err)
		}
		if err := f.svc.Accept(f.ctx, full.ID, id, "", f.ob); err != nil {
			t.Fatal(err)
		}
		unlisted := f.mentor("Resting Mentor", 7, func(in *mentoring.ProfileInput) { in.Listed = false })
		coachOnly := f.mentor("Coach Only", 7, func(in *mentoring.ProfileInput) { in.Kind = "coach" })
		open := f.mentor("Open Mentor", 7, nil)
		if _, err := f.svc.Request(f.ctx, mentee, open.ID, menteeNeed, "", f.ob); err != nil {
			t.Fatal(err)
		}
		mentorNeed := menteeNeed
		mentorNeed.Want = "mentor"
		tooLong := strings.Repeat("x", 2001)
		cases := []struct {
			name     string
			mentorID int64
			need     mentoring.Need
			message  string
			says     string
		}{
			{"a mentee requesting a mentor at full capacity", full.ID, menteeNeed, "", "Full Mentor has no places left"},
			{"a second live request to the same mentor", open.ID, menteeNeed, "", "already asked Open Mentor"},
			{"requesting yourself", mentee.ID, menteeNeed, "", ""},
			{"an unlisted mentor", unlisted.ID, menteeNeed, "", "not taking new mentees"},
			{"a coach when they want a mentor", coachOnly.ID, mentorNeed, "", "offers coaching, not mentoring"},
		}
		// The mentee has no profile, so asking themselves is "not found"; give them one.
		if _, err := f.svc.SaveProfile(f.ctx, mentee.ID, goodProfile()); err != nil {
			t.Fatal(err)
		}
		cases[2].says = "cannot ask yourself"
		for _, tc := range cases {
			counts := f.counts()
			_, err := f.svc.Request(f.ctx, mentee, tc.mentorID, tc.need, tc.message, f.ob)
			refusal(t, err, tc.says)
			if after := f.counts(); after != counts {
				t.Errorf("%s changed the data: %s -> %s", tc.name, counts, after)
			}
		}
		counts := f.counts()
		if _, err := f.svc.Request(f.ctx, mentee, coachOnly.ID, menteeNeed, tooLong, f.ob); fieldProblem(t, err, "message") == "" {
			t.Error("a long message")
		}
		if _, err := f.svc.Request(f.ctx, mentee, 987654, menteeNeed, "", f.ob); !errors.Is(err, mentoring.ErrNotFound) {
			t.Errorf("no such mentor: %v", err)
		}
		if after := f.counts(); after != counts {
			t.Errorf("refusals changed the data: %s -> %s", counts, after)
		}
		// At most three requests wait at once.
		for i := range 2 {
			m := f.mentor(fmt.Sprintf("Spare %d", i), 7, nil)
			if _, err := f.svc.Request(f.ctx, mentee, m.ID, menteeNeed, "", f.ob); err != nil {
				t.Fatal(err)
			}
		}
		counts = f.counts()
		_, err = f.svc.Request(f.ctx, mentee, coachOnly.ID, menteeNeed, "", f.ob)
		refusal(t, err, "3 requests waiting")
		if after := f.counts(); after != counts {
			t.Errorf("a fourth request changed the data: %s -> %s", counts, after)
		}
	})
}

func TestAcceptDeclineWithdraw(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		f := newMatchFx(t, db)
		mentor := f.mentor("Ruth Mentor", 7, func(in *mentoring.ProfileInput) { in.Capacity = "1" })
		alex := f.person("Alex Mentee", 6)
		sam := f.person("Sam Mentee", 4)
		kim := f.person("Kim Mentee", 5)
		stranger := f.person("Nosy Parker", 6)
		if _, err := f.svc.SaveAsk(f.ctx, alex, goodAsk()); err != nil {
			t.Fatal(err)
		}
		a, _ := f.svc.Request(f.ctx, alex, mentor.ID, menteeNeed, "", f.ob)
		s, _ := f.svc.Request(f.ctx, sam, mentor.ID, menteeNeed, "", f.ob)
		k, _ := f.svc.Request(f.ctx, kim, mentor.ID, menteeNeed, "", f.ob)

		// Only the mentor answers: to the mentee and anyone else the answer does not exist.
		for _, who := range []int64{alex.ID, stranger.ID} {
			if err := f.svc.Accept(f.ctx, who, a, "", f.ob); !errors.Is(err, mentoring.ErrNotFound) {
				t.Errorf("accepted by %d: %v", who, err)
			}
		}
		if err := f.svc.Accept(f.ctx, mentor.ID, a, "Happy to. Let's meet next week.", f.ob); err != nil {
			t.Fatal(err)
		}
		r, _ := f.svc.Relationship(f.ctx, alex.ID, a)
		if r.Status != mentoring.StatusActive || r.StartedAt == nil || r.RespondedAt == nil || r.ResponseMessage != "Happy to. Let's meet next week." {
			t.Fatalf("accepted: %+v", r)
		}
		if ask, _ := f.svc.Ask(f.ctx, alex.ID); ask.Status != mentoring.AskMatched {
			t.Errorf("the ask is %s, want matched", ask.Status)
		}
		if m := f.lastMail(); m.To != alex.Email || !strings.Contains(m.Text, "Let's meet next week") || !strings.Contains(m.Text, fmt.Sprintf("/mentoring/relationships/%d", a)) {
			t.Errorf("email to the mentee: %+v", m)
		}

		// A mentor accepting twice, and accepting when now full: refused, nothing changes.
		counts := f.counts()
		refusal(t, f.svc.Accept(f.ctx, mentor.ID, a, "", f.ob), "already accepted")
		refusal(t, f.svc.Accept(f.ctx, mentor.ID, s, "", f.ob), "no places left")
		if after := f.counts(); after != counts {
			t.Errorf("refused accepts changed the data: %s -> %s", counts, after)
		}
		if again, _ := f.svc.Relationship(f.ctx, alex.ID, a); again.UpdatedAt != r.UpdatedAt || again.ResponseMessage != r.ResponseMessage {
			t.Errorf("accepting twice changed the relationship: %+v", again)
		}
		if rs, _ := f.svc.Relationship(f.ctx, sam.ID, s); rs.Status != mentoring.StatusRequested {
			t.Errorf("a refused accept changed the request: %s", rs.Status)
		}

		// Declining needs a message, which the mentee is sent.
		counts = f.counts()
		if err := f.svc.Decline(f.ctx, mentor.ID, s, "  ", f.ob); fieldProblem(t, err, "reply") == "" {
			t.Error("decline with no message")
		}
		if after := f.counts(); after != counts {
			t.Errorf("a refused decline changed the data: %s -> %s", counts, after)
		}
		if err := f.svc.Decline(f.ctx, mentor.ID, s, "I am full until spring: try Grace.", f.ob); err != nil {
			t.Fatal(err)
		}
		if m := f.lastMail(); m.To != sam.Email || !strings.Contains(m.Text, "try Grace") {
			t.Errorf("decline email: %+v", m)
		}
		refusal(t, f.svc.Decline(f.ctx, mentor.ID, s, "again", f.ob), "already declined")
		refusal(t, f.svc.Accept(f.ctx, mentor.ID, s, "", f.ob), "already declined")

		// Withdrawing: the mentee only, and only while it waits.
		if err := f.svc.Withdraw(f.ctx, mentor.ID, k, f.ob); !errors.Is(err, mentoring.ErrNotFound) {
			t.Errorf("withdrawn by the mentor: %v", err)
		}
		if err := f.svc.Withdraw(f.ctx, kim.ID, k, f.ob); err != nil {
			t.Fatal(err)
		}
		if m := f.lastMail(); m.To != mentor.Email || !strings.Contains(m.Text, "withdrawn") {
			t.Errorf("withdraw email: %+v", m)
		}
		refusal(t, f.svc.Withdraw(f.ctx, kim.ID, k, f.ob), "cannot be withdrawn")
		refusal(t, f.svc.Accept(f.ctx, mentor.ID, k, "", f.ob), "withdrew this request")
		refusal(t, f.svc.Withdraw(f.ctx, alex.ID, a, f.ob), "already been answered")
		// After a withdrawal the pair may ask again.
		if _, err := f.svc.Request(f.ctx, kim, mentor.ID, menteeNeed, "", f.ob); err == nil {
			t.Error("a full mentor took a new request")
		}
	})
}

// TestAcceptRace: two requests accepted at the same moment for a mentor with one place. The
// capacity check and the change are one transaction under the mentor's row lock, so exactly
// one succeeds on either engine.
func TestAcceptRace(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		f := newMatchFx(t, db)
		mentor := f.mentor("Ruth Mentor", 7, func(in *mentoring.ProfileInput) { in.Capacity = "1" })
		var ids []int64
		for i := range 4 {
			u := f.person(fmt.Sprintf("Mentee %d", i), 5)
			id, err := f.svc.Request(f.ctx, u, mentor.ID, menteeNeed, "", f.ob)
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, id)
		}
		var wg sync.WaitGroup
		errs := make([]error, len(ids))
		for i, id := range ids {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[i] = f.svc.Accept(f.ctx, mentor.ID, id, "", f.ob)
			}()
		}
		wg.Wait()
		ok := 0
		for _, err := range errs {
			var r *mentoring.Refused
			switch {
			case err == nil:
				ok++
			case !errors.As(err, &r):
				t.Errorf("unexpected error: %v", err)
			}
		}
		var active int
		_ = db.QueryRow(f.ctx, `SELECT COUNT(*) FROM mentoring_relationships WHERE mentor_id = ? AND status = 'active'`, mentor.ID).Scan(&active)
		if ok != 1 || active != 1 {
			t.Errorf("%d accepted, %d active; want exactly one", ok, active)
		}
	})
}
