package rollup_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/pillars-ot/pillars/internal/assess"
	"github.com/pillars-ot/pillars/internal/auth"
	"github.com/pillars-ot/pillars/internal/framework"
	"github.com/pillars-ot/pillars/internal/org"
	"github.com/pillars-ot/pillars/internal/rollup"
	"github.com/pillars-ot/pillars/internal/store"
	"github.com/pillars-ot/pillars/internal/testutil"
)

type row struct {
	org, team, version int64
	framework          string
	pos                int
	total, n           int64
}

func totals(ctx context.Context, tx *store.Tx) (map[string]row, error) {
	rows, err := tx.Query(ctx, `SELECT org_id, team_id, framework_key, version_id, element_pos, total, n FROM heat_totals WHERE n <> 0`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]row{}
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.org, &r.team, &r.framework, &r.version, &r.pos, &r.total, &r.n); err != nil {
			return nil, err
		}
		out[fmt.Sprintf("%d/%d/%s/%d/%d", r.org, r.team, r.framework, r.version, r.pos)] = r
	}
	return out, rows.Err()
}

var errRollback = errors.New("rollback")

// TestRunningTotalsMatchARebuild applies a random mix of the changes that affect the heat map
// (submissions, new memberships, team moves) and checks after each that the maintained totals
// equal a rebuild from scratch.
func TestRunningTotalsMatchARebuild(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		cat := framework.NewCatalogue(db)
		acc, orgs, as := auth.NewService(db), org.NewService(db), assess.NewService(db, cat)
		var orgIDs []int64
		for _, slug := range []string{"alpha", "beta"} {
			o, err := orgs.Create(ctx, org.Organisation{Slug: slug, Name: slug, Kind: org.NHSTrust})
			if err != nil {
				t.Fatal(err)
			}
			orgIDs = append(orgIDs, o.ID)
		}
		var users []*auth.User
		for i := 0; i < 6; i++ {
			u, err := acc.CreateUser(ctx, auth.NewUser{Email: fmt.Sprintf("u%d@example.org", i), Name: fmt.Sprintf("U %d", i), Password: "long enough password"})
			if err != nil {
				t.Fatal(err)
			}
			users = append(users, u)
		}
		rng := rand.New(rand.NewPCG(1, 2))
		for step := 0; step < 60; step++ {
			u := users[rng.IntN(len(users))]
			oi := rng.IntN(2)
			slug := []string{"alpha", "beta"}[oi]
			var what string
			switch rng.IntN(4) {
			case 0:
				role := []auth.Role{auth.RolePractitioner, auth.RoleSupervisor, auth.RoleMentor}[rng.IntN(3)]
				what = fmt.Sprintf("grant %s %s", slug, role)
				if err := acc.Grant(ctx, 0, u.ID, slug, role); err != nil {
					t.Fatal(err)
				}
			case 1:
				team := []string{"", "Red", "Blue"}[rng.IntN(3)]
				what = "team " + slug + " " + team
				if err := orgs.SetTeam(ctx, u.ID, orgIDs[oi], team); err != nil && !errors.Is(err, org.ErrNotFound) {
					t.Fatal(err)
				}
			default:
				fw := []string{"ot-leadership", "nhs-hlm"}[rng.IntN(2)]
				what = "submit " + fw
				a, err := as.Start(ctx, u.ID, fw)
				if err != nil {
					t.Fatal(err)
				}
				f, _ := as.Framework(ctx, a)
				ratings := map[string]assess.Rating{}
				for _, e := range f.Rateable() {
					ratings[e.Key] = assess.Rating{Rating: 1 + rng.IntN(len(f.Scale.Points))}
				}
				if err := as.Submit(ctx, u.ID, a.ID, ratings); err != nil {
					t.Fatal(err)
				}
			}
			err := db.InTx(ctx, func(tx *store.Tx) error {
				kept, err := totals(ctx, tx)
				if err != nil {
					return err
				}
				for _, o := range orgIDs {
					if err := rollup.Rebuild(ctx, tx, o); err != nil {
						return err
					}
				}
				rebuilt, err := totals(ctx, tx)
				if err != nil {
					return err
				}
				if !reflect.DeepEqual(kept, rebuilt) {
					t.Fatalf("step %d (%s): running totals differ from a rebuild:\nkept    %v\nrebuilt %v", step, what, kept, rebuilt)
				}
				return errRollback // leave the running totals as they were
			})
			if !errors.Is(err, errRollback) {
				t.Fatal(err)
			}
		}
	})
}

// TestConcurrentChangesForOnePersonKeepTotalsRight: submissions for one person on two frameworks
// at once must not interleave their Remove and Add (on PostgreSQL the person's row is locked).
func TestConcurrentChangesForOnePersonKeepTotalsRight(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		cat := framework.NewCatalogue(db)
		acc, orgs, as := auth.NewService(db), org.NewService(db), assess.NewService(db, cat)
		o, err := orgs.Create(ctx, org.Organisation{Slug: "gamma", Name: "Gamma", Kind: org.NHSTrust})
		if err != nil {
			t.Fatal(err)
		}
		u, err := acc.CreateUser(ctx, auth.NewUser{Email: "busy@example.org", Name: "Busy", Password: "long enough password"})
		if err != nil {
			t.Fatal(err)
		}
		if err := acc.Grant(ctx, 0, u.ID, "gamma", auth.RolePractitioner); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 8)
		for i := 0; i < 8; i++ {
			fw := []string{"ot-leadership", "nhs-hlm"}[i%2]
			go func(v int) {
				a, err := as.Start(ctx, u.ID, fw)
				if err != nil {
					done <- err
					return
				}
				f, _ := as.Framework(ctx, a)
				r := map[string]assess.Rating{}
				for _, e := range f.Rateable() {
					r[e.Key] = assess.Rating{Rating: 1 + v%len(f.Scale.Points)}
				}
				err = as.Submit(ctx, u.ID, a.ID, r)
				if errors.Is(err, assess.ErrAlreadySubmitted) {
					err = nil // two goroutines may share a draft; one of them submits it
				}
				done <- err
			}(i)
		}
		for i := 0; i < 8; i++ {
			if err := <-done; err != nil {
				t.Fatal(err)
			}
		}
		err = db.InTx(ctx, func(tx *store.Tx) error {
			kept, err := totals(ctx, tx)
			if err != nil {
				return err
			}
			if err := rollup.Rebuild(ctx, tx, o.ID); err != nil {
				return err
			}
			rebuilt, err := totals(ctx, tx)
			if err != nil {
				return err
			}
			if !reflect.DeepEqual(kept, rebuilt) {
				t.Fatalf("running totals differ from a rebuild after concurrent submissions:\nkept    %v\nrebuilt %v", kept, rebuilt)
			}
			return errRollback
		})
		if !errors.Is(err, errRollback) {
			t.Fatal(err)
		}
	})
}
