package mentoring

import (
	"strconv"
	"strings"
	"time"

	ics "github.com/arran4/golang-ical"
)

// iCalendar (RFC 5545) is written by github.com/arran4/golang-ical, which folds lines at 75
// octets without splitting a UTF-8 character and escapes TEXT values; Pillars only chooses
// the properties. Times are in UTC ("Z"), so no VTIMEZONE is needed and every calendar app
// shows them in its own zone.

// Calendar methods (RFC 5546): an invitation, its cancellation, and a published feed.
const (
	icsRequest = "REQUEST"
	icsCancel  = "CANCEL"
	icsPublish = "PUBLISH"
)

const icsProductID = "-//Pillars//Mentoring sessions//EN"

// icsText makes free text safe for a TEXT value: the library escapes backslashes, commas,
// semicolons and newlines, but a carriage return would end the line early.
func icsText(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
}

// icsName makes a name safe for a CN parameter. The library writes parameter values
// unquoted, so characters that would need quoting are left out; an apostrophe becomes a
// typographic one, which needs none.
func icsName(s string) string {
	s = strings.ReplaceAll(s, "'", "’")
	return strings.Join(strings.Fields(strings.Map(func(r rune) rune {
		switch r {
		case '"', ',', ';', ':', '\\':
			return ' '
		}
		return r
	}, s)), " ")
}

func sessionSummary(r *Relationship) string {
	kind := "Mentoring"
	if r.Kind == "coaching" {
		kind = "Coaching"
	}
	return kind + " session: " + r.MenteeName + " and " + r.MentorName
}

// invitation writes the session as an invitation or cancellation for both people: UID and
// SEQUENCE from the session, ORGANIZER the person who arranged it, both people ATTENDEEs.
func (s *Service) invitation(r *Relationship, x *Session, method, link string) ([]byte, error) {
	cal := ics.NewCalendarFor("Pillars")
	cal.SetProductId(icsProductID)
	cal.SetMethod(ics.Method(method))
	e := cal.AddEvent(x.ICSUID)
	s.fillEvent(e, r, x, link)
	status := ics.ObjectStatusConfirmed
	if method == icsCancel {
		status = ics.ObjectStatusCancelled
	}
	e.SetStatus(status)
	var desc strings.Builder
	if x.Agenda != "" {
		desc.WriteString("Agenda:\n" + x.Agenda + "\n\n")
	}
	if link != "" {
		desc.WriteString("See the session in Pillars: " + link)
	}
	if d := strings.TrimSpace(desc.String()); d != "" {
		e.SetDescription(icsText(d))
	}
	organizerName, organizerEmail := r.MenteeName, r.MenteeEmail
	if x.CreatedBy == r.MentorID {
		organizerName, organizerEmail = r.MentorName, r.MentorEmail
	}
	e.SetOrganizer("mailto:"+organizerEmail, ics.WithCN(icsName(organizerName)))
	for _, p := range []struct{ name, email string }{{r.MenteeName, r.MenteeEmail}, {r.MentorName, r.MentorEmail}} {
		partstat := ics.ParticipationStatusNeedsAction
		if p.email == organizerEmail {
			partstat = ics.ParticipationStatusAccepted
		}
		e.AddAttendee("mailto:"+p.email, ics.WithCN(icsName(p.name)), ics.ParticipationRoleReqParticipant, partstat, ics.WithRSVP(p.email != organizerEmail))
	}
	return []byte(cal.Serialize(ics.WithNewLine("\r\n"))), nil
}

// fillEvent sets what an invitation and a feed share: identity, times, summary and place.
func (s *Service) fillEvent(e *ics.VEvent, r *Relationship, x *Session, link string) {
	e.SetSequence(x.ICSSequence)
	e.SetDtStampTime(s.now())
	e.SetModifiedAt(x.UpdatedAt)
	e.SetStartAt(x.StartsAt)
	e.SetEndAt(x.EndsAt())
	e.SetSummary(icsText(sessionSummary(r)))
	loc := x.ModeLabel()
	if x.Location != "" {
		loc = x.Location
	}
	e.SetLocation(icsText(loc))
	if link != "" {
		e.SetURL(link)
	}
}

// feedItem is one session in a person's calendar feed.
type feedItem struct {
	r *Relationship
	x *Session
}

// feedCalendar writes a person's sessions as a published calendar. It holds times, who and
// where, and a link: never an agenda or notes, because feeds are read by other services.
func (s *Service) feedCalendar(name string, items []feedItem, baseURL string) []byte {
	cal := ics.NewCalendarFor("Pillars")
	cal.SetProductId(icsProductID)
	cal.SetMethod(ics.MethodPublish)
	cal.SetXWRCalName(icsText("Pillars sessions: " + name))
	cal.SetRefreshInterval("PT1H", ics.WithValue("DURATION"))
	cal.SetXPublishedTTL("PT1H")
	for _, it := range items {
		e := cal.AddEvent(it.x.ICSUID)
		link := ""
		if baseURL != "" {
			link = strings.TrimRight(baseURL, "/") + "/mentoring/sessions/" + strconv.FormatInt(it.x.ID, 10)
		}
		s.fillEvent(e, it.r, it.x, link)
		e.SetStatus(ics.ObjectStatusConfirmed)
		if link != "" {
			e.SetDescription(icsText("See the session in Pillars: " + link))
		}
	}
	return []byte(cal.Serialize(ics.WithNewLine("\r\n")))
}

// feedWindow is how far back a feed reaches: a year of past sessions is plenty for a
// calendar, and keeps a long relationship's feed small.
const feedWindow = 365 * 24 * time.Hour
