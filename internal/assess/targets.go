package assess

import (
	"context"
	_ "embed"
	"fmt"
	"sort"

	"go.yaml.in/yaml/v3"

	"github.com/pillars-ot/pillars/internal/framework"
	"github.com/pillars-ot/pillars/internal/store"
	"github.com/pillars-ot/pillars/internal/valid"
)

//go:embed targets.yaml
var defaultTargetsYAML []byte

// Levels is how many career levels targets cover.
const Levels = 9

// DefaultTargets parses the shipped target profiles: framework -> element -> nine targets.
func DefaultTargets() (map[string]map[string][]int, error) {
	var out map[string]map[string][]int
	if err := yaml.Unmarshal(defaultTargetsYAML, &out); err != nil {
		return nil, fmt.Errorf("assess: targets.yaml: %w", err)
	}
	for fw, els := range out {
		for el, row := range els {
			if len(row) != Levels {
				return nil, fmt.Errorf("assess: targets.yaml: %s %s has %d levels, want %d", fw, el, len(row), Levels)
			}
		}
	}
	return out, nil
}

// LoadDefaultTargets stores the shipped targets that are missing. An administrator's edits are
// never overwritten.
func (s *Service) LoadDefaultTargets(ctx context.Context) error {
	defs, err := DefaultTargets()
	if err != nil {
		return err
	}
	now := s.now()
	return s.db.InTx(ctx, func(tx *store.Tx) error {
		for fw, els := range defs {
			for el, row := range els {
				for i, t := range row {
					if _, err := tx.Exec(ctx, `INSERT INTO level_targets (framework_key, level, element_key, target, updated_at) VALUES (?, ?, ?, ?, ?)
						ON CONFLICT (framework_key, level, element_key) DO NOTHING`, fw, i+1, el, t, now); err != nil {
						return fmt.Errorf("assess: load targets: %w", err)
					}
				}
			}
		}
		return nil
	})
}

// Targets returns element -> target for one framework and level.
func (s *Service) Targets(ctx context.Context, frameworkKey string, level int) (map[string]int, error) {
	rows, err := s.db.Query(ctx, `SELECT element_key, target FROM level_targets WHERE framework_key = ? AND level = ?`, frameworkKey, level)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var k string
		var t int
		if err := rows.Scan(&k, &t); err != nil {
			return nil, err
		}
		out[k] = t
	}
	return out, rows.Err()
}

// AllTargets returns level -> element -> target for a framework.
func (s *Service) AllTargets(ctx context.Context, frameworkKey string) (map[int]map[string]int, error) {
	out := map[int]map[string]int{}
	for l := 1; l <= Levels; l++ {
		t, err := s.Targets(ctx, frameworkKey, l)
		if err != nil {
			return nil, err
		}
		out[l] = t
	}
	return out, nil
}

// SetTargets replaces a framework's targets (level -> element -> value), checked against the
// framework's scale. Nothing is saved if any value is off the scale.
func (s *Service) SetTargets(ctx context.Context, f *framework.Framework, targets map[int]map[string]int, actorID int64) error {
	var errs valid.Errors
	ok := map[int]bool{}
	if f.Scale == nil {
		return ErrNotAssessable
	}
	for _, p := range f.Scale.Points {
		ok[p.Value] = true
	}
	for _, e := range f.Rateable() {
		for l := 1; l <= Levels; l++ {
			v, given := targets[l][e.Key]
			if given && !ok[v] {
				errs.Add(TargetField(l, e.Key), fmt.Sprintf("The level %d target for %s must be on the scale, %d to %d", l, e.Title, f.Scale.Points[0].Value, f.Scale.Points[len(f.Scale.Points)-1].Value))
			}
		}
	}
	if errs.Any() {
		return errs
	}
	now := s.now()
	var actor any
	if actorID > 0 {
		actor = actorID
	}
	return s.db.InTx(ctx, func(tx *store.Tx) error {
		levels := make([]int, 0, len(targets))
		for l := range targets {
			levels = append(levels, l)
		}
		sort.Ints(levels)
		for _, l := range levels {
			for el, v := range targets[l] {
				if _, err := tx.Exec(ctx, `INSERT INTO level_targets (framework_key, level, element_key, target, updated_by, updated_at) VALUES (?, ?, ?, ?, ?, ?)
					ON CONFLICT (framework_key, level, element_key) DO UPDATE SET target = excluded.target, updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
					f.Key, l, el, v, actor, now); err != nil {
					return err
				}
			}
		}
		_, err := tx.Exec(ctx, `INSERT INTO audit_events (actor_id, action, subject, at) VALUES (?, 'targets.update', ?, ?)`, actor, f.Key, now)
		return err
	})
}

// TargetField names a target's form field.
func TargetField(level int, element string) string { return fmt.Sprintf("t-%d-%s", level, element) }
