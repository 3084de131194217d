// Package rollup keeps the heat map's running totals (table heat_totals) in step with the data
// they summarise: members' latest self-assessments and the teams they belong to. Summing 100,000
// ratings on every view is too slow for a national-scale trust on SQLite, so the areas that
// change those facts call Remove before and Add after the change, inside the same transaction.
// It depends only on the store so that auth, org and assess can all call it.
//
// The rule it keeps: a person counts in an organisation once, in their team there (0 for none),
// with every framework's latest submitted assessment.
//
// Leads do not see the running totals directly. A team's figures are published (copied to
// heat_published) only when at least PublishAfter different people in it have changed since the
// last publication, so comparing two published views never isolates one person's change.
package rollup

import (
	"context"
	"fmt"

	"github.com/pillars-ot/pillars/internal/store"
)

// teamOf is the person's team in the organisation, or 0; ok is false when they are not a member.
func teamOf(ctx context.Context, tx *store.Tx, userID, orgID int64) (int64, bool, error) {
	var n int
	var team int64
	err := tx.QueryRow(ctx, `SELECT COUNT(*), COALESCE(MAX(team_id), 0) FROM memberships WHERE user_id = ? AND org_id = ?`, userID, orgID).Scan(&n, &team)
	return team, n > 0, err
}

type rating struct {
	framework string
	version   int64
	pos       int
	value     int
}

// latestRatings reads the person's latest ratings: on one framework, or on all when framework is "".
func latestRatings(ctx context.Context, tx *store.Tx, userID int64, framework string) ([]rating, error) {
	rows, err := tx.Query(ctx, `SELECT a.framework_key, a.framework_version_id, r.element_pos, r.rating FROM assessments a
		JOIN assessment_ratings r ON r.assessment_id = a.id WHERE a.user_id = ? AND a.is_latest = ? AND r.rating IS NOT NULL
		AND (? = '' OR a.framework_key = ?)`, userID, true, framework, framework)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []rating
	for rows.Next() {
		var x rating
		if err := rows.Scan(&x.framework, &x.version, &x.pos, &x.value); err != nil {
			return nil, err
		}
		out = append(out, x)
	}
	return out, rows.Err()
}

// apply adds (sign 1) or removes (sign -1) the person's latest ratings in the organisation.
func apply(ctx context.Context, tx *store.Tx, userID, orgID int64, sign int, framework string) error {
	// Two changes for the same person at once (two submissions, a submission during a team
	// move) must not interleave their Remove and Add. SQLite's single writer already serialises
	// them; on PostgreSQL the person's row is locked until the transaction ends.
	if tx.Dialect() == store.Postgres {
		if _, err := tx.Exec(ctx, `SELECT id FROM users WHERE id = ? FOR UPDATE`, userID); err != nil {
			return err
		}
	}
	team, member, err := teamOf(ctx, tx, userID, orgID)
	if err != nil || !member {
		return err
	}
	ratings, err := latestRatings(ctx, tx, userID, framework)
	if err != nil {
		return err
	}
	frameworks := map[string]bool{}
	for _, r := range ratings {
		frameworks[r.framework] = true
		if _, err := tx.Exec(ctx, `INSERT INTO heat_totals (org_id, team_id, framework_key, version_id, element_pos, total, n) VALUES (?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (org_id, framework_key, team_id, version_id, element_pos)
			DO UPDATE SET total = heat_totals.total + excluded.total, n = heat_totals.n + excluded.n`,
			orgID, team, r.framework, r.version, r.pos, sign*r.value, sign); err != nil {
			return fmt.Errorf("rollup: %w", err)
		}
	}
	for fw := range frameworks {
		// Publish only on Add, the last step of every change: between a Remove and its Add the
		// person is missing from the totals, and that half-way state must never be published.
		if err := changed(ctx, tx, orgID, team, fw, userID, sign > 0); err != nil {
			return err
		}
	}
	return nil
}

// PublishAfter is how many different people in a team must have changed before its figures are
// published again: the same as the smallest cell a heat map shows.
const PublishAfter = 5

// changed notes that the person's contribution to a team changed, and publishes the team's
// figures once enough different people have.
func changed(ctx context.Context, tx *store.Tx, orgID, team int64, framework string, userID int64, mayPublish bool) error {
	// One team's count and publication at a time: on PostgreSQL two people's changes could each
	// count the other's pending row unseen, or publish at the same moment.
	if tx.Dialect() == store.Postgres {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext(?))`, fmt.Sprintf("heat:%d:%d:%s", orgID, team, framework)); err != nil {
			return err
		}
	}
	if _, err := tx.Exec(ctx, `INSERT INTO heat_pending (org_id, team_id, framework_key, user_id) VALUES (?, ?, ?, ?)
		ON CONFLICT (org_id, framework_key, team_id, user_id) DO NOTHING`, orgID, team, framework, userID); err != nil {
		return err
	}
	if !mayPublish {
		return nil
	}
	var pending int
	if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM heat_pending WHERE org_id = ? AND framework_key = ? AND team_id = ?`, orgID, framework, team).Scan(&pending); err != nil {
		return err
	}
	if pending < PublishAfter {
		return nil
	}
	return publish(ctx, tx, orgID, team, framework)
}

// publish copies one team's running totals for a framework to what leads see.
func publish(ctx context.Context, tx *store.Tx, orgID, team int64, framework string) error {
	if _, err := tx.Exec(ctx, `DELETE FROM heat_published WHERE org_id = ? AND framework_key = ? AND team_id = ?`, orgID, framework, team); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `INSERT INTO heat_published (org_id, team_id, framework_key, version_id, element_pos, total, n, published_at)
		SELECT org_id, team_id, framework_key, version_id, element_pos, total, n, ? FROM heat_totals
		WHERE org_id = ? AND framework_key = ? AND team_id = ? AND n > 0`, store.Now(), orgID, framework, team); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, `DELETE FROM heat_pending WHERE org_id = ? AND framework_key = ? AND team_id = ?`, orgID, framework, team)
	return err
}

// Remove takes the person's current contribution out of one organisation's totals, on every
// framework: for changes of membership or team, which move all of it.
func Remove(ctx context.Context, tx *store.Tx, userID, orgID int64) error {
	return apply(ctx, tx, userID, orgID, -1, "")
}

// Add puts the person's current contribution into one organisation's totals, on every framework.
func Add(ctx context.Context, tx *store.Tx, userID, orgID int64) error {
	return apply(ctx, tx, userID, orgID, 1, "")
}

// RemoveFramework and AddFramework move only one framework's contribution: a new assessment on
// one framework changes nothing on the others, and must not count the person as changed there,
// or comparing two views of another framework could isolate someone.
func RemoveFramework(ctx context.Context, tx *store.Tx, userID, orgID int64, framework string) error {
	return apply(ctx, tx, userID, orgID, -1, framework)
}

// AddFramework is RemoveFramework's partner.
func AddFramework(ctx context.Context, tx *store.Tx, userID, orgID int64, framework string) error {
	return apply(ctx, tx, userID, orgID, 1, framework)
}

// Orgs lists the organisations the person belongs to.
func Orgs(ctx context.Context, tx *store.Tx, userID int64) ([]int64, error) {
	rows, err := tx.Query(ctx, `SELECT DISTINCT org_id FROM memberships WHERE user_id = ?`, userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// Rebuild recomputes an organisation's totals from scratch and publishes them: for bulk loads
// and as a repair.
func Rebuild(ctx context.Context, tx *store.Tx, orgID int64) error {
	if _, err := tx.Exec(ctx, `DELETE FROM heat_totals WHERE org_id = ?`, orgID); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, `INSERT INTO heat_totals (org_id, team_id, framework_key, version_id, element_pos, total, n)
		SELECT ?, m.team_id, a.framework_key, a.framework_version_id, r.element_pos, SUM(r.rating), COUNT(r.rating)
		FROM (SELECT user_id, COALESCE(MAX(team_id), 0) AS team_id FROM memberships WHERE org_id = ? GROUP BY user_id) m
		JOIN assessments a ON a.user_id = m.user_id AND a.is_latest = ?
		JOIN assessment_ratings r ON r.assessment_id = a.id
		WHERE r.rating IS NOT NULL
		GROUP BY m.team_id, a.framework_key, a.framework_version_id, r.element_pos`, orgID, orgID, true)
	if err != nil {
		return err
	}
	rows, err := tx.Query(ctx, `SELECT DISTINCT team_id, framework_key FROM heat_totals WHERE org_id = ?`, orgID)
	if err != nil {
		return err
	}
	type teamFramework struct {
		team int64
		fw   string
	}
	var all []teamFramework
	for rows.Next() {
		var x teamFramework
		if err := rows.Scan(&x.team, &x.fw); err != nil {
			rows.Close()
			return err
		}
		all = append(all, x)
	}
	rows.Close()
	for _, x := range all {
		if err := publish(ctx, tx, orgID, x.team, x.fw); err != nil {
			return err
		}
	}
	return nil
}
