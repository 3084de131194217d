package assess

import (
	"fmt"

	"github.com/pillars-ot/pillars/internal/mail"
)

// InvitationMessage is the email that asks a rater for feedback (or reminds them).
func InvitationMessage(inv Invitation, baseURL string) mail.Message {
	link := baseURL + "/rate/" + inv.Token
	subject := fmt.Sprintf("%s has asked for your feedback", inv.Subject)
	opening := fmt.Sprintf("%s is using Pillars to develop their leadership and has asked you for 360 feedback.", inv.Subject)
	if inv.Reminder {
		subject = "Reminder: " + subject
		opening = fmt.Sprintf("This is a reminder: %s asked you for 360 feedback and the request closes soon.", inv.Subject)
	}
	return mail.Message{
		To:      inv.Rater.Email,
		Subject: subject,
		Text: fmt.Sprintf("Hello %s,\n\n%s It takes about 10 minutes and you do not need an account.\n\n"+
			"Give your feedback here by %s:\n\n%s\n\n"+
			"Your ratings are combined with others' and shown only when at least %d people have answered; comments are shown without names.%s\n\n"+
			"The link is personal to you and works once. If you were not expecting this email, you can ignore it.\n\nPillars\n",
			inv.Rater.Name, opening, inv.Deadline.UTC().Format("Monday 2 January 2006"), link, MinGroup, lineManagerNote(inv.Rater.Relationship)),
	}
}

func lineManagerNote(r Relationship) string {
	if r == LineManager {
		return " As their line manager, your name is shown with the request, but your ratings are still combined with others'."
	}
	return ""
}
