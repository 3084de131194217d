package mentoring

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/pillars-ot/pillars/internal/store"
	"github.com/pillars-ot/pillars/internal/valid"
)

// GoalsMet are the answers to "did you meet your goals?".
var GoalsMet = []Labelled{{"yes", "Yes"}, {"partly", "Partly"}, {"no", "No"}}

const maxReviewText = 4000

// Review is one person's look back at a relationship that has ended.
type Review struct {
	RelationshipID int64
	AuthorID       int64
	Helpful        int // 1 (not at all) to 5 (very)
	GoalsMet       string
	WentWell       string
	DoDifferently  string
	CreatedAt      time.Time
}

// GoalsMetLabel says the answer in words.
func (v *Review) GoalsMetLabel() string { return LabelFor(GoalsMet, v.GoalsMet) }

// ReviewInput is a review as typed.
type ReviewInput struct {
	Helpful       string
	GoalsMet      string
	WentWell      string
	DoDifferently string
}

// Reviewable reports whether the relationship has ended, so each person can review it.
func (r *Relationship) Reviewable() bool {
	return r.Status == StatusCompleted || r.Status == StatusEndedEarly
}

// SaveReview stores the viewer's review of a relationship that has ended. Each person writes
// one; a second is refused and the first is kept.
func (s *Service) SaveReview(ctx context.Context, viewerID, relationshipID int64, in ReviewInput) error {
	var errs valid.Errors
	v := Review{RelationshipID: relationshipID, AuthorID: viewerID, GoalsMet: strings.TrimSpace(in.GoalsMet),
		WentWell: cleanText(in.WentWell), DoDifferently: cleanText(in.DoDifferently)}
	if n, err := strconv.Atoi(strings.TrimSpace(in.Helpful)); err != nil || n < 1 || n > 5 {
		errs.Add("helpful", "Choose how helpful it was, from 1 to 5")
	} else {
		v.Helpful = n
	}
	if !inList(GoalsMet, v.GoalsMet) {
		errs.Add("goals_met", "Say whether you met your goals: yes, partly or no")
	}
	if utf8.RuneCountInString(v.WentWell) > maxReviewText {
		errs.Add("went_well", "Write what went well in 4,000 characters or fewer")
	}
	if utf8.RuneCountInString(v.DoDifferently) > maxReviewText {
		errs.Add("do_differently", "Write what you would do differently in 4,000 characters or fewer")
	}
	if errs.Any() {
		return errs
	}
	return s.db.InTx(ctx, func(tx *store.Tx) error {
		r, err := s.relationshipTx(ctx, tx, viewerID, relationshipID)
		if err != nil {
			return err
		}
		if !r.Reviewable() {
			return valid.Errors{{Field: "helpful", Message: "You can review the relationship once it has ended"}}
		}
		var n int
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM mentoring_reviews WHERE relationship_id = ? AND author_id = ?`, relationshipID, viewerID).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return valid.Errors{{Field: "helpful", Message: "You have already reviewed this relationship"}}
		}
		_, err = tx.Exec(ctx, `INSERT INTO mentoring_reviews (relationship_id, author_id, helpful, goals_met, went_well, do_differently, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			relationshipID, viewerID, v.Helpful, v.GoalsMet, v.WentWell, v.DoDifferently, s.now())
		if store.IsUniqueViolation(err) {
			return valid.Errors{{Field: "helpful", Message: "You have already reviewed this relationship"}}
		}
		return err
	})
}

// ReviewPair is what the viewer may see of a relationship's reviews.
type ReviewPair struct {
	Mine   *Review
	Theirs *Review // only once Mine is written
	// TheirsWritten says the other person has written theirs, so the viewer knows it is
	// waiting for them.
	TheirsWritten bool
}

// Reviews returns the viewer's own review and the other person's. The other person's is
// returned only once the viewer has written theirs, so neither answer is shaped by the other.
func (s *Service) Reviews(ctx context.Context, viewerID, relationshipID int64) (*ReviewPair, error) {
	if _, err := s.Relationship(ctx, viewerID, relationshipID); err != nil {
		return nil, err
	}
	rows, err := s.db.Query(ctx, `SELECT author_id, helpful, goals_met, went_well, do_differently, created_at FROM mentoring_reviews WHERE relationship_id = ?`, relationshipID)
	if err != nil {
		return nil, fmt.Errorf("mentoring: reviews of %d: %w", relationshipID, err)
	}
	defer rows.Close()
	out := &ReviewPair{}
	for rows.Next() {
		v := &Review{RelationshipID: relationshipID}
		if err := rows.Scan(&v.AuthorID, &v.Helpful, &v.GoalsMet, &v.WentWell, &v.DoDifferently, &v.CreatedAt); err != nil {
			return nil, err
		}
		v.CreatedAt = v.CreatedAt.UTC()
		if v.AuthorID == viewerID {
			out.Mine = v
		} else {
			out.Theirs = v
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out.TheirsWritten = out.Theirs != nil
	if out.Mine == nil {
		out.Theirs = nil
	}
	return out, nil
}
