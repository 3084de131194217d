package assess

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/pillars-ot/pillars/internal/auth"
	"github.com/pillars-ot/pillars/internal/framework"
)

// ErrNoLevel means the person has not recorded a career level, so there is nothing to compare.
var ErrNoLevel = errors.New("record your career level first")

// GapRow is one element: where the person stands and what their level and the next expect.
type GapRow struct {
	Element    *framework.Element
	Current    float64
	HasCurrent bool
	Target     int
	NextTarget int
	Gap        float64 // Target - Current; positive means room to grow
	NextGap    float64
}

// Gaps compares the person's latest ratings with the targets of their level and the next.
type Gaps struct {
	Framework   *framework.Framework
	Level       int
	NextLevel   int // 0 at the top level
	Source      string
	SourceDate  time.Time
	SourceRound int64 // the 360 round used, when one was
	Rows        []GapRow
}

// Largest returns the row with the largest gap at the person's own level, or nil.
func (g *Gaps) Largest() *GapRow {
	for i := range g.Rows {
		if g.Rows[i].HasCurrent && g.Rows[i].Gap > 0 {
			return &g.Rows[i]
		}
	}
	return nil
}

// Gaps ranks the person's gaps on a framework: largest first at their own level, then at the
// next. It uses others' view from the newest 360 round with enough answers, or else the latest
// self-assessment.
func (s *Service) Gaps(ctx context.Context, u *auth.User, frameworkKey string) (*Gaps, error) {
	if u.CareerLevel == 0 {
		return nil, ErrNoLevel
	}
	latest, err := s.Latest(ctx, u.ID, frameworkKey)
	if err != nil {
		return nil, err
	}
	f, err := s.Framework(ctx, latest)
	if err != nil {
		return nil, err
	}
	g := &Gaps{Framework: f, Level: u.CareerLevel}
	if u.CareerLevel < Levels {
		g.NextLevel = u.CareerLevel + 1
	}
	current := map[string]float64{}
	for k, r := range latest.Ratings {
		if r.Rating > 0 {
			current[k] = float64(r.Rating)
		}
	}
	g.Source, g.SourceDate = "your self-assessment", *latest.SubmittedAt

	// A 360 round on this framework, newest first, with enough answers to show others' view.
	rounds, err := s.Rounds(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	for _, r := range rounds {
		a, err := s.Get(ctx, u.ID, r.AssessmentID)
		if err != nil || a.FrameworkKey != frameworkKey {
			continue
		}
		rep, err := s.Report(ctx, u.ID, r.ID)
		if err != nil {
			return nil, err
		}
		if !rep.OthersShown {
			continue
		}
		for _, row := range rep.Rows {
			if row.Others.Shown {
				current[row.Element.Key] = row.Others.Mean
			}
		}
		g.Source, g.SourceDate, g.SourceRound = fmt.Sprintf("360 feedback from %d people (%s)", rep.Answered, r.Title), r.CreatedAt, r.ID
		break
	}

	own, err := s.Targets(ctx, frameworkKey, g.Level)
	if err != nil {
		return nil, err
	}
	next := map[string]int{}
	if g.NextLevel > 0 {
		if next, err = s.Targets(ctx, frameworkKey, g.NextLevel); err != nil {
			return nil, err
		}
	}
	for _, e := range f.Rateable() {
		row := GapRow{Element: e, Target: own[e.Key], NextTarget: next[e.Key]}
		row.Current, row.HasCurrent = current[e.Key]
		if row.HasCurrent {
			if row.Target > 0 {
				row.Gap = float64(row.Target) - row.Current
			}
			if row.NextTarget > 0 {
				row.NextGap = float64(row.NextTarget) - row.Current
			}
		}
		g.Rows = append(g.Rows, row)
	}
	sort.SliceStable(g.Rows, func(i, j int) bool {
		a, b := g.Rows[i], g.Rows[j]
		if a.HasCurrent != b.HasCurrent {
			return a.HasCurrent
		}
		if a.Gap != b.Gap {
			return a.Gap > b.Gap
		}
		return a.NextGap > b.NextGap
	})
	return g, nil
}
