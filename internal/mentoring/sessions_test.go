package mentoring_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"

	"github.com/pillars-ot/pillars/internal/auth"
	"github.com/pillars-ot/pillars/internal/demo"
	"github.com/pillars-ot/pillars/internal/framework"
	"github.com/pillars-ot/pillars/internal/mail"
	"github.com/pillars-ot/pillars/internal/mentoring"
	"github.com/pillars-ot/pillars/internal/org"
	"github.com/pillars-ot/pillars/internal/store"
	"github.com/pillars-ot/pillars/internal/testutil"
)

func parseICS(t *testing.T, data []byte) *ics.Calendar {
	t.Helper()
	for i, line := range strings.Split(strings.TrimSuffix(string(data), "\r\n"), "\r\n") {
		if len(line) > 75 {
			t.Fatalf("line %d is %d octets, longer than RFC 5545 allows: %q", i+1, len(line), line)
		}
	}
	cal, err := ics.ParseCalendar(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("parse: %v\n%s", err, data)
	}
	return cal
}

func method(cal *ics.Calendar) string {
	for _, p := range cal.CalendarProperties {
		if p.IANAToken == string(ics.PropertyMethod) {
			return p.Value
		}
	}
	return ""
}

func prop(e *ics.VEvent, p ics.ComponentProperty) string {
	if v := e.GetProperty(p); v != nil {
		return v.Value
	}
	return ""
}

func goodSession(date string) mentoring.SessionInput {
	return mentoring.SessionInput{Date: date, Time: "14:30", Minutes: "60", Mode: "video", Location: "https://meet.example.org/pillars", Agenda: "Delegation, and the huddle"}
}

func TestScheduleValidation(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		e := newPairEnv(t, db)
		ctx := context.Background()
		bad := []struct {
			name, field, says string
			change            func(*mentoring.SessionInput)
		}{
			{"no date", "date", "Enter the date", func(in *mentoring.SessionInput) { in.Date = "" }},
			{"not a date", "date", "real date", func(in *mentoring.SessionInput) { in.Date = "31/02/2027" }},
			{"too old", "date", "last year", func(in *mentoring.SessionInput) { in.Date = inDays(-400) }},
			{"too far", "date", "2 years", func(in *mentoring.SessionInput) { in.Date = inDays(800) }},
			{"no time", "time", "start time", func(in *mentoring.SessionInput) { in.Time = "" }},
			{"bad time", "time", "24-hour", func(in *mentoring.SessionInput) { in.Time = "25:00" }},
			{"words for time", "time", "24-hour", func(in *mentoring.SessionInput) { in.Time = "after lunch" }},
			{"no length", "minutes", "how long", func(in *mentoring.SessionInput) { in.Minutes = "" }},
			{"length words", "minutes", "whole number", func(in *mentoring.SessionInput) { in.Minutes = "an hour" }},
			{"too short", "minutes", "between 5 and 480", func(in *mentoring.SessionInput) { in.Minutes = "4" }},
			{"too long", "minutes", "between 5 and 480", func(in *mentoring.SessionInput) { in.Minutes = "481" }},
			{"no mode", "mode", "Choose", func(in *mentoring.SessionInput) { in.Mode = "" }},
			{"http link", "location", "https://", func(in *mentoring.SessionInput) { in.Location = "http://meet.example.org/x" }},
			{"script link", "location", "https://", func(in *mentoring.SessionInput) { in.Location = "javascript:alert(1)" }},
			{"ftp link", "location", "https://", func(in *mentoring.SessionInput) { in.Location = "ftp://files.example.org" }},
			{"long agenda", "agenda", "4,000", func(in *mentoring.SessionInput) { in.Agenda = strings.Repeat("a", 4001) }},
		}
		for _, b := range bad {
			in := goodSession(inDays(5))
			b.change(&in)
			_, err := e.svc.ScheduleSession(ctx, e.mentee.ID, e.rel, in, e.out)
			wantField(t, err, b.field, b.says)
		}
		if list, _ := e.svc.Sessions(ctx, e.mentee.ID, e.rel); len(list) != 0 || len(e.takeSent()) != 0 {
			t.Fatal("refused sessions were stored or emailed")
		}
		// A place is fine as plain text, and a time may be typed with a dot.
		in := goodSession(inDays(5))
		in.Location, in.Time, in.Mode = "Room 3: OT department, Vale House", "9.05", "in-person"
		x, err := e.svc.ScheduleSession(ctx, e.mentee.ID, e.rel, in, nil)
		if err != nil {
			t.Fatal(err)
		}
		if x.Link() != "" || mentoring.SessionInputOf(x).Time != "09:05" {
			t.Fatalf("place and time: %q %q", x.Link(), mentoring.SessionInputOf(x).Time)
		}
		// Only the pair can plan.
		if _, err := e.svc.ScheduleSession(ctx, e.stranger.ID, e.rel, goodSession(inDays(5)), e.out); !errors.Is(err, mentoring.ErrNotFound) {
			t.Fatalf("stranger scheduling: %v", err)
		}
	})
}

func TestInvitations(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		e := newPairEnv(t, db)
		ctx := context.Background()
		// 1 July is in British Summer Time: 14:30 in the UK is 13:30 UTC.
		year := time.Now().Year() + 1
		date := time.Date(year, 7, 1, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
		in := goodSession(date)
		in.Agenda = "Delegation; the huddle, and what to do when it overruns.\nSecond line: naïve café résumé — " + strings.Repeat("long words ", 20)
		x, err := e.svc.ScheduleSession(ctx, e.mentor.ID, e.rel, in, e.out)
		if err != nil {
			t.Fatal(err)
		}
		if want := time.Date(year, 7, 1, 13, 30, 0, 0, time.UTC); !x.StartsAt.Equal(want) {
			t.Fatalf("stored start %s, want %s", x.StartsAt, want)
		}
		sent := e.takeSent()
		if len(sent) != 2 {
			t.Fatalf("want an invitation to each person, got %d", len(sent))
		}
		to := map[string]bool{}
		for _, m := range sent {
			to[m.To] = true
			if len(m.Attachments) != 1 || m.Attachments[0].ContentType != "text/calendar; charset=utf-8; method=REQUEST" {
				t.Fatalf("attachment: %+v", m.Attachments)
			}
			if !strings.Contains(m.Text, "14:30") || !strings.Contains(m.Text, "https://pillars.test/mentoring/sessions/") {
				t.Fatalf("email text: %s", m.Text)
			}
			cal := parseICS(t, m.Attachments[0].Data)
			if method(cal) != "REQUEST" || len(cal.Events()) != 1 {
				t.Fatalf("method %q, %d events", method(cal), len(cal.Events()))
			}
			ev := cal.Events()[0]
			if ev.Id() != x.ICSUID || prop(ev, ics.ComponentPropertySequence) != "0" {
				t.Fatalf("UID %q SEQUENCE %q", ev.Id(), prop(ev, ics.ComponentPropertySequence))
			}
			if start, _ := ev.GetStartAt(); !start.Equal(x.StartsAt) {
				t.Fatalf("DTSTART %s", start)
			}
			if end, _ := ev.GetEndAt(); !end.Equal(x.StartsAt.Add(time.Hour)) {
				t.Fatalf("DTEND %s", end)
			}
			if prop(ev, ics.ComponentPropertyDtStart) != x.StartsAt.Format("20060102T150405Z") {
				t.Fatalf("DTSTART is not in UTC: %s", prop(ev, ics.ComponentPropertyDtStart))
			}
			if got := prop(ev, ics.ComponentPropertyDescription); !strings.Contains(got, strings.TrimSpace(in.Agenda)) {
				t.Fatalf("DESCRIPTION did not survive folding and escaping:\n%q\n%q", got, in.Agenda)
			}
			if got := prop(ev, ics.ComponentPropertyOrganizer); got != "mailto:mentor@example.org" {
				t.Fatalf("ORGANIZER %q: the person who scheduled it", got)
			}
			var attendees []string
			for _, a := range ev.Attendees() {
				attendees = append(attendees, a.Email())
			}
			if strings.Join(attendees, " ") != "mentee@example.org mentor@example.org" {
				t.Fatalf("ATTENDEE %v", attendees)
			}
			if cn := ev.GetProperty(ics.ComponentPropertyOrganizer).ICalParameters["CN"]; len(cn) != 1 || cn[0] != "Theo Grant" {
				t.Fatalf("organiser CN %v", cn)
			}
			if !strings.Contains(string(m.Attachments[0].Data), "\r\n ") {
				t.Fatal("a long line should have been folded")
			}
		}
		if !to["mentee@example.org"] || !to["mentor@example.org"] {
			t.Fatalf("sent to %v", to)
		}

		// Saving it unchanged sends nothing; a change raises SEQUENCE and re-sends.
		if err := e.svc.RescheduleSession(ctx, e.mentee.ID, x.ID, mentoring.SessionInputOf(x), e.out); err != nil {
			t.Fatal(err)
		}
		if n := len(e.takeSent()); n != 0 {
			t.Fatalf("an unchanged session sent %d emails", n)
		}
		moved := mentoring.SessionInputOf(x)
		moved.Time, moved.Minutes = "15:00", "90"
		if err := e.svc.RescheduleSession(ctx, e.mentee.ID, x.ID, moved, e.out); err != nil {
			t.Fatal(err)
		}
		sent = e.takeSent()
		if len(sent) != 2 {
			t.Fatalf("reschedule sent %d", len(sent))
		}
		ev := parseICS(t, sent[0].Attachments[0].Data).Events()[0]
		if ev.Id() != x.ICSUID || prop(ev, ics.ComponentPropertySequence) != "1" || prop(ev, ics.ComponentPropertyDtStart) != time.Date(year, 7, 1, 14, 0, 0, 0, time.UTC).Format("20060102T150405Z") {
			t.Fatalf("rescheduled: UID %s SEQUENCE %s DTSTART %s", ev.Id(), prop(ev, ics.ComponentPropertySequence), prop(ev, ics.ComponentPropertyDtStart))
		}
		// The organiser stays the person who first arranged it.
		if got := prop(ev, ics.ComponentPropertyOrganizer); got != "mailto:mentor@example.org" {
			t.Fatalf("ORGANIZER changed on reschedule: %s", got)
		}
		// A bad change is refused and leaves it as it was.
		moved.Minutes = "0"
		wantField(t, e.svc.RescheduleSession(ctx, e.mentee.ID, x.ID, moved, e.out), "minutes", "between 5 and 480")
		if got, _, _ := e.svc.SessionFor(ctx, e.mentee.ID, x.ID); got.Minutes != 90 || got.ICSSequence != 1 {
			t.Fatalf("after a refused change: %+v", got)
		}

		// The download is the same invitation.
		data, err := e.svc.SessionInvite(ctx, e.mentee.ID, x.ID, "https://pillars.test")
		if err != nil {
			t.Fatal(err)
		}
		if ev := parseICS(t, data).Events()[0]; prop(ev, ics.ComponentPropertySequence) != "1" {
			t.Fatal("download is not the latest invitation")
		}
		if _, err := e.svc.SessionInvite(ctx, e.stranger.ID, x.ID, ""); !errors.Is(err, mentoring.ErrNotFound) {
			t.Fatalf("stranger download: %v", err)
		}

		// Cancelling sends METHOD:CANCEL with the next SEQUENCE; a second cancel is refused.
		if err := e.svc.CancelSession(ctx, e.stranger.ID, x.ID, e.out); !errors.Is(err, mentoring.ErrNotFound) {
			t.Fatalf("stranger cancel: %v", err)
		}
		if err := e.svc.CancelSession(ctx, e.mentee.ID, x.ID, e.out); err != nil {
			t.Fatal(err)
		}
		sent = e.takeSent()
		if len(sent) != 2 {
			t.Fatalf("cancel sent %d", len(sent))
		}
		cal := parseICS(t, sent[1].Attachments[0].Data)
		ev = cal.Events()[0]
		if method(cal) != "CANCEL" || prop(ev, ics.ComponentPropertySequence) != "2" || prop(ev, ics.ComponentPropertyStatus) != "CANCELLED" || ev.Id() != x.ICSUID {
			t.Fatalf("cancel: %s %s %s", method(cal), prop(ev, ics.ComponentPropertySequence), prop(ev, ics.ComponentPropertyStatus))
		}
		if err := e.svc.CancelSession(ctx, e.mentee.ID, x.ID, e.out); !errors.Is(err, mentoring.ErrSessionClosed) {
			t.Fatalf("cancel twice: %v", err)
		}
		if err := e.svc.RescheduleSession(ctx, e.mentee.ID, x.ID, goodSession(inDays(3)), e.out); !errors.Is(err, mentoring.ErrSessionClosed) {
			t.Fatalf("reschedule a cancelled session: %v", err)
		}
	})
}

// A failure to queue the email rolls the whole change back: no session without its invitation.
func TestScheduleIsAllOrNothing(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		e := newPairEnv(t, db)
		ctx := context.Background()
		failing := &mentoring.Outbox{Send: func(context.Context, *store.Tx, mail.Message) error { return errors.New("queue down") }}
		if _, err := e.svc.ScheduleSession(ctx, e.mentee.ID, e.rel, goodSession(inDays(4)), failing); err == nil {
			t.Fatal("want the queue's error")
		}
		if list, _ := e.svc.Sessions(ctx, e.mentee.ID, e.rel); len(list) != 0 {
			t.Fatal("a session was stored without its invitation")
		}
		x, err := e.svc.ScheduleSession(ctx, e.mentee.ID, e.rel, goodSession(inDays(4)), e.out)
		if err != nil {
			t.Fatal(err)
		}
		if err := e.svc.CancelSession(ctx, e.mentee.ID, x.ID, failing); err == nil {
			t.Fatal("want the queue's error")
		}
		if got, _, _ := e.svc.SessionFor(ctx, e.mentee.ID, x.ID); got.Status != mentoring.SessionPlanned || got.ICSSequence != 0 {
			t.Fatalf("a failed cancel changed the session: %+v", got)
		}
	})
}

func TestMarkHeld(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		e := newPairEnv(t, db)
		ctx := context.Background()
		later, _ := e.svc.ScheduleSession(ctx, e.mentee.ID, e.rel, goodSession(inDays(3)), nil)
		earlier, _ := e.svc.ScheduleSession(ctx, e.mentee.ID, e.rel, goodSession(inDays(-3)), nil)
		wantField(t, e.svc.MarkHeld(ctx, e.mentee.ID, later.ID), "held", "not happened yet")
		if err := e.svc.MarkHeld(ctx, e.stranger.ID, earlier.ID); !errors.Is(err, mentoring.ErrNotFound) {
			t.Fatalf("stranger: %v", err)
		}
		if err := e.svc.MarkHeld(ctx, e.mentor.ID, earlier.ID); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.MarkHeld(ctx, e.mentee.ID, earlier.ID); !errors.Is(err, mentoring.ErrSessionClosed) {
			t.Fatalf("held twice: %v", err)
		}
		list, _ := e.svc.Sessions(ctx, e.mentor.ID, e.rel)
		if len(list) != 2 || list[0].Status != mentoring.SessionHeld || list[1].Status != mentoring.SessionPlanned {
			t.Fatalf("sessions: %+v %+v", list[0], list[1])
		}
		if _, err := e.svc.Sessions(ctx, e.stranger.ID, e.rel); !errors.Is(err, mentoring.ErrNotFound) {
			t.Fatalf("stranger list: %v", err)
		}
	})
}

// The demo's sessions load once, for the pair the mentoring demo makes, and never twice.
func TestDemoSessions(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		acc := auth.NewService(db)
		if _, err := demo.Load(ctx, acc, org.NewService(db)); err != nil {
			t.Fatal(err)
		}
		m := mentoring.NewService(db, framework.NewCatalogue(db))
		// Without the pair there is nothing to add to, and that is not an error.
		if err := demo.LoadMentoringSessions(ctx, db, acc, m); err != nil {
			t.Fatal(err)
		}
		tomasz, _ := acc.UserByEmail(ctx, "tomasz.nowak@demo.pillars.test")
		grace, _ := acc.UserByEmail(ctx, "grace.whitfield@demo.pillars.test")
		rel := activeRelationship(t, db, tomasz.ID, grace.ID, 0, time.Now().AddDate(0, -1, 0), "ot-leadership:influence")
		for i := 0; i < 2; i++ {
			if err := demo.LoadMentoringSessions(ctx, db, acc, m); err != nil {
				t.Fatal(err)
			}
		}
		r, _ := m.Relationship(ctx, tomasz.ID, rel)
		if !r.AgreedByBoth() {
			t.Fatal("the demo agreement is not agreed by both")
		}
		list, _ := m.Sessions(ctx, grace.ID, rel)
		if len(list) != 2 || list[0].Status != mentoring.SessionHeld || list[0].SharedNotes == "" || list[1].Status != mentoring.SessionPlanned {
			t.Fatalf("demo sessions: %d", len(list))
		}
		for _, who := range []int64{tomasz.ID, grace.ID} {
			if n, _ := m.MyPrivateNote(ctx, who, list[0].ID); n == nil || n.Body == "" {
				t.Fatalf("person %d has no private note", who)
			}
		}
	})
}
