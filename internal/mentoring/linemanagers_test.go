package mentoring_test

import (
	"strings"
	"testing"

	"github.com/pillars-ot/pillars/internal/mentoring"
	"github.com/pillars-ot/pillars/internal/store"
	"github.com/pillars-ot/pillars/internal/testutil"
)

// TestLineManagementChains: a pair in one chain (one manages the other, directly or further
// up, or they share a manager) is never offered, and a loop cannot be recorded or followed.
func TestLineManagementChains(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		f := newMatchFx(t, db)
		director := f.mentor("Dana Director", 9, nil)
		head := f.mentor("Hal Head", 8, nil)
		peer := f.mentor("Pat Peer", 7, nil)
		outsider := f.mentor("Olu Outsider", 7, nil)
		mentee := f.person("Mina Mentee", 5)
		// mentee -> head -> director; peer -> director.
		for _, link := range [][2]string{{mentee.Email, head.Email}, {head.Email, director.Email}, {peer.Email, director.Email}} {
			u, _ := f.acc.UserByEmail(f.ctx, link[0])
			if err := f.svc.SetLineManager(f.ctx, u.ID, link[1]); err != nil {
				t.Fatal(err)
			}
		}
		if email, name, err := f.svc.LineManager(f.ctx, mentee.ID); err != nil || email != head.Email || name != "Hal Head" {
			t.Fatalf("line manager: %q %q %v", email, name, err)
		}
		need := mentoring.Need{Want: "either", BudgetPence: -1, Gaps: []mentoring.Gap{{Ref: "ot-leadership:influence", Size: 2}}}
		ranked, err := f.svc.RankFor(f.ctx, mentee.ID, need)
		if err != nil {
			t.Fatal(err)
		}
		if len(ranked) != 1 || ranked[0].Mentor.UserID != outsider.ID {
			t.Fatalf("offered %v, want only the mentor outside the chain", names(ranked))
		}
		for _, who := range []int64{head.ID, director.ID, peer.ID} {
			r, _, err := f.svc.ScoreFor(f.ctx, mentee.ID, who, need)
			if err != nil || r.Score.Eligible || r.Score.Reason != "in the same line-management chain" {
				t.Errorf("mentor %d: %+v %v", who, r.Score, err)
			}
			counts := f.counts()
			_, err = f.svc.Request(f.ctx, mentee, who, need, "", f.ob)
			refusal(t, err, "same line-management chain")
			if after := f.counts(); after != counts {
				t.Errorf("a refused request changed the data: %s -> %s", counts, after)
			}
		}

		// The director may not be managed by someone below them: that would be a loop.
		err = f.svc.SetLineManager(f.ctx, director.ID, mentee.Email)
		if msg := fieldProblem(t, err, "line_manager"); !strings.Contains(msg, "managed by you") {
			t.Errorf("loop: %q", msg)
		}
		// A loop written behind the area's back is still followed safely.
		if _, err := db.Exec(f.ctx, `INSERT INTO line_managers (user_id, manager_id, updated_at) VALUES (?, ?, ?)`, director.ID, mentee.ID, store.Now()); err != nil {
			t.Fatal(err)
		}
		if ranked, err = f.svc.RankFor(f.ctx, mentee.ID, need); err != nil || len(ranked) != 1 {
			t.Fatalf("with a loop: %v %v", names(ranked), err)
		}
		// Clearing the manager takes the mentee out of the chain.
		if err := f.svc.SetLineManager(f.ctx, mentee.ID, ""); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec(f.ctx, `DELETE FROM line_managers WHERE user_id = ?`, director.ID); err != nil {
			t.Fatal(err)
		}
		if ranked, _ = f.svc.RankFor(f.ctx, mentee.ID, need); len(ranked) != 4 {
			t.Errorf("without a manager: %v", names(ranked))
		}
	})
}

func names(rs []mentoring.Ranked) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.Mentor.Name)
	}
	return out
}
