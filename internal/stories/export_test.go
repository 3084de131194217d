package stories

import (
	"context"

	"github.com/pillars-ot/pillars/internal/store"
)

// SetAfterRead makes the service's moderation decisions run fn between reading the story and
// changing it, inside the decision's transaction (nil to stop).
func (s *Service) SetAfterRead(fn func(ctx context.Context, tx *store.Tx) error) { s.afterRead = fn }

// UpdateIn runs the author's change to their story (Update) in the caller's transaction.
func (s *Service) UpdateIn(ctx context.Context, tx *store.Tx, authorID, id int64, in Input) error {
	st, ctype, errs := Check(in, nil)
	if errs.Any() {
		return errs
	}
	st.ID, st.AuthorID, st.Status = id, authorID, StatusPending
	return s.update(ctx, tx, st, nil, ctype, false)
}
