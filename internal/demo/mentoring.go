package demo

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/go-pdf/fpdf"

	"github.com/pillars-ot/pillars/internal/auth"
	"github.com/pillars-ot/pillars/internal/mentoring"
	"github.com/pillars-ot/pillars/internal/store"
)

// demoMentor is a fictional mentor or coach profile.
type demoMentor struct {
	email     string
	profile   mentoring.ProfileInput
	certifier string // "" for no accreditation; else the body named on the certificate
	verified  bool   // checked by the demo administrator
}

var demoMentors = []demoMentor{
	{email: "dev.ramesh@demo.pillars.test", certifier: "International Coaching Federation", verified: true, profile: mentoring.ProfileInput{
		Kind: "both", Level: "8", Accreditation: "icf", Fee: "60", Modes: []string{"video", "phone"}, Region: "West Midlands", Capacity: "4", Listed: true,
		Background: "Consultant occupational therapist in independent practice, and a coach for ten years. I have led services through two mergers and " +
			"now coach new heads of service and clinical leads who want to influence at board level.\n\n" +
			"I am most useful if you are preparing for a more strategic role, or want to make a case for change that others will back.",
		Elements: []string{"ot-leadership:strategic-thinking", "ot-leadership:influence", "ot-leadership:strategic", "ot-leadership:service", "ot-leadership:emotional-intelligence", "rcot-pillars:leadership"}}},
	{email: "ruth.lindqvist@demo.pillars.test", profile: mentoring.ProfileInput{
		Kind: "mentor", Level: "7", Free: true, Modes: []string{"video", "in-person"}, Region: "North West", Capacity: "3", Listed: true,
		Background: "Practice educator and clinical lead in an acute trust. I supervise newly qualified occupational therapists and students, and I enjoy " +
			"helping people find their voice in multidisciplinary teams.",
		Elements: []string{"ot-leadership:communication", "ot-leadership:collaboration", "ot-leadership:team", "rcot-pillars:facilitation-of-learning"}}},
	{email: "grace.whitfield@demo.pillars.test", profile: mentoring.ProfileInput{
		Kind: "mentor", Level: "7", Free: true, Modes: []string{"video"}, Region: "South West", Capacity: "2", Listed: true,
		Background: "Advanced practitioner in hospital discharge for a county council. I moved from the NHS into social care and can help with " +
			"advocacy for the people we serve, improving a service, and making a case across organisations.",
		Elements: []string{"ot-leadership:advocacy", "ot-leadership:service", "ot-leadership:improvement", "ot-leadership:influence"}}},
	// A claim waiting in the verification queue.
	{email: "owen.pritchard@demo.pillars.test", certifier: "International Coaching Federation", profile: mentoring.ProfileInput{
		Kind: "coach", Level: "7", Accreditation: "icf", Fee: "45", Modes: []string{"video"}, Region: "Wales", Capacity: "2", Listed: true,
		Background: "Former service manager, now a coach for allied health professionals stepping into their first leadership role.",
		Elements:   []string{"ot-leadership:emotional-intelligence", "ot-leadership:team", "ot-leadership:professional"}}},
}

// demoAsk is a fictional mentee's ask for a match.
type demoAsk struct {
	email string
	ask   mentoring.AskInput
}

var demoAsks = []demoAsk{
	// Alex's open ask: /mentoring/find shows scored mentors, and the cohort page has them.
	{"alex.marlowe@demo.pillars.test", mentoring.AskInput{Want: "either", Modes: []string{"video"}, Region: "North West", Budget: "max", Max: "80",
		Goals: "I have started leading the discharge huddle and want to influence decisions beyond my team, especially with consultants.",
		Picks: []string{"ot-leadership:influence", "ot-leadership:strategic-thinking", "ot-leadership:advocacy"}}},
	// Ruth wants a coach for her next step: a second open ask in North Vale for the cohort page.
	{"ruth.lindqvist@demo.pillars.test", mentoring.AskInput{Want: "coach", Modes: []string{"video", "phone"}, Budget: "any",
		Goals: "Preparing to apply for a consultant post in the next year.",
		Picks: []string{"ot-leadership:strategic", "ot-leadership:strategic-thinking"}}},
	// Tomasz's ask, matched with Grace below.
	{"tomasz.nowak@demo.pillars.test", mentoring.AskInput{Want: "mentor", Modes: []string{"video"}, Budget: "free",
		Goals: "Leading the ward huddle with confidence, and a case for an occupational therapist at the front door.",
		Picks: []string{"ot-leadership:influence", "ot-leadership:improvement"}}},
}

// LoadMentoring adds the demo's mentoring: mentor and coach profiles (Dev's ICF accreditation
// verified by the administrator, Owen's waiting to be checked), Ruth as Tomasz's line manager,
// open asks for Alex and Ruth, and Tomasz mentored by Grace. It sends no email. What exists is
// left alone, so it is safe on every start; everything here is invented.
func LoadMentoring(ctx context.Context, db *store.DB, accounts *auth.Service, m *mentoring.Service) error {
	person := func(email string) (*auth.User, error) {
		u, err := accounts.UserByEmail(ctx, email)
		if err != nil {
			return nil, fmt.Errorf("demo: mentoring: %s: %w", email, err)
		}
		return u, nil
	}
	admin, err := person("admin@demo.pillars.test")
	if err != nil {
		return err
	}
	for _, dm := range demoMentors {
		u, err := person(dm.email)
		if err != nil {
			return err
		}
		if _, err := m.Profile(ctx, u.ID); err == nil {
			continue
		} else if !errors.Is(err, mentoring.ErrNotFound) {
			return err
		}
		in := dm.profile
		if dm.certifier != "" {
			if in.Evidence, err = accreditation(dm.certifier, u.Name); err != nil {
				return err
			}
			in.EvidenceName = "ICF credential - " + u.Name + ".pdf"
		}
		if _, err := m.SaveProfile(ctx, u.ID, in); err != nil {
			return fmt.Errorf("demo: mentor profile for %s: %w", dm.email, err)
		}
		if dm.verified {
			if err := m.Decide(ctx, admin, u.ID, true, "Checked against the federation's public register.", nil); err != nil {
				return fmt.Errorf("demo: verify %s: %w", dm.email, err)
			}
		}
	}

	tomasz, err := person("tomasz.nowak@demo.pillars.test")
	if err != nil {
		return err
	}
	if email, _, err := m.LineManager(ctx, tomasz.ID); err != nil {
		return err
	} else if email == "" {
		if err := m.SetLineManager(ctx, tomasz.ID, "ruth.lindqvist@demo.pillars.test"); err != nil {
			return fmt.Errorf("demo: line manager: %w", err)
		}
	}

	for _, da := range demoAsks {
		u, err := person(da.email)
		if err != nil {
			return err
		}
		if _, err := m.Ask(ctx, u.ID); err == nil {
			continue
		} else if !errors.Is(err, mentoring.ErrNotFound) {
			return err
		}
		in := da.ask
		if in.LineManager, _, err = m.LineManager(ctx, u.ID); err != nil {
			return err
		}
		if _, err := m.SaveAsk(ctx, u, in); err != nil {
			return fmt.Errorf("demo: ask for %s: %w", da.email, err)
		}
	}

	// Tomasz and Grace: an active mentoring pair, for the relationship pages.
	grace, err := person("grace.whitfield@demo.pillars.test")
	if err != nil {
		return err
	}
	var n int
	if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM mentoring_relationships WHERE mentee_id = ? AND mentor_id = ?`, tomasz.ID, grace.ID).Scan(&n); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	if n > 0 {
		return nil
	}
	a, err := m.Ask(ctx, tomasz.ID)
	if err != nil {
		return err
	}
	id, err := m.Request(ctx, tomasz, grace.ID, a.Need(nil),
		"I am five years qualified and starting to lead our ward huddle. I would value help with influencing beyond my own team.", nil)
	if err != nil {
		return fmt.Errorf("demo: request: %w", err)
	}
	if err := m.Accept(ctx, grace.ID, id, "Happy to. Let's start with a video call and agree how we will work.", nil); err != nil {
		return fmt.Errorf("demo: accept: %w", err)
	}
	return nil
}

// accreditation makes a one-page PDF credential, so the demo's evidence is a real file.
func accreditation(body, name string) ([]byte, error) {
	pdf := fpdf.New("L", "mm", "A4", "")
	pdf.SetTitle("Coaching credential", true)
	pdf.AddPage()
	pdf.SetFont("Helvetica", "B", 26)
	pdf.CellFormat(0, 40, "Coaching credential", "", 1, "C", false, 0, "")
	pdf.SetFont("Helvetica", "", 16)
	pdf.CellFormat(0, 12, body+" confirms that", "", 1, "C", false, 0, "")
	pdf.SetFont("Helvetica", "B", 20)
	pdf.CellFormat(0, 14, name, "", 1, "C", false, 0, "")
	pdf.SetFont("Helvetica", "", 16)
	pdf.CellFormat(0, 12, "holds an accredited coaching credential. Fictional demo document.", "", 1, "C", false, 0, "")
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return nil, fmt.Errorf("demo: credential: %w", err)
	}
	return buf.Bytes(), nil
}
