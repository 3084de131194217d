package mentoring_test

import (
	"context"
	"strings"
	"testing"

	ics "github.com/arran4/golang-ical"

	"github.com/pillars-ot/pillars/internal/auth"
	"github.com/pillars-ot/pillars/internal/store"
	"github.com/pillars-ot/pillars/internal/testutil"
)

// Names and places with characters that mean something in iCalendar still give a calendar
// that parses back to the same people, times and text.
func TestInvitationAwkwardText(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		e := newPairEnv(t, db)
		ctx := context.Background()
		odd, err := e.acc.CreateUser(ctx, auth.NewUser{Email: "odd@example.org", Name: `Jo "JJ" Smith, Jr.; OT: lead\x`, Password: "a long enough password"})
		if err != nil {
			t.Fatal(err)
		}
		rel := activeRelationship(t, db, odd.ID, e.mentor.ID, 0, midnight(-3))
		in := goodSession(inDays(2))
		in.Mode, in.Location = "in-person", `Room 3; "Vale House", Level 2\East`
		in.Agenda = "Line one\r\nLine two; with, punctuation\\ and a backslash"
		x, err := e.svc.ScheduleSession(ctx, odd.ID, rel, in, e.out)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range e.takeSent() {
			cal := parseICS(t, m.Attachments[0].Data)
			ev := cal.Events()[0]
			if got := prop(ev, ics.ComponentPropertyLocation); got != in.Location {
				t.Fatalf("LOCATION %q", got)
			}
			if got := prop(ev, ics.ComponentPropertyDescription); !strings.Contains(got, "Line one\nLine two; with, punctuation\\ and a backslash") {
				t.Fatalf("DESCRIPTION %q", got)
			}
			if got := prop(ev, ics.ComponentPropertyOrganizer); got != "mailto:odd@example.org" {
				t.Fatalf("ORGANIZER %q", got)
			}
			if len(ev.Attendees()) != 2 {
				t.Fatalf("attendees %d", len(ev.Attendees()))
			}
			if ev.Id() != x.ICSUID {
				t.Fatalf("UID %q", ev.Id())
			}
		}
		if testing.Verbose() {
			data, _ := e.svc.SessionInvite(ctx, odd.ID, x.ID, "https://pillars.test")
			t.Logf("%s", data)
		}
	})
}
