package plan

import (
	"fmt"

	"github.com/pillars-ot/pillars/internal/mail"
)

// ReviewMessage reminds a person that a goal is due for review.
func ReviewMessage(r Reminder, baseURL string) mail.Message {
	return mail.Message{
		To:      r.Email,
		Subject: "Time to review a goal in your development plan",
		Text: fmt.Sprintf("Hello %s,\n\nYou planned to review this goal on %s:\n\n  %s\n\nIt is due on %s. Review your progress and update your actions here:\n\n%s/plan#goal-%d\n\nPillars\n",
			r.Name, r.Goal.ReviewOn, r.Goal.Specific, r.Goal.DueOn, baseURL, r.Goal.ID),
	}
}
