package demo

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/go-pdf/fpdf"

	"github.com/pillars-ot/pillars/internal/auth"
	"github.com/pillars-ot/pillars/internal/portfolio"
)

// demoEntry is one fictional CPD entry; daysAgo places it in the current renewal cycle.
type demoEntry struct {
	daysAgo  int
	days     int
	title    string
	kind     string
	hours    string
	model    string
	stages   map[string]string
	tags     []string // framework:element
	evidence string   // a certificate title, made into a real one-page PDF
	draft    bool
}

var demoEntries = []demoEntry{
	{daysAgo: 300, title: "Leading my first discharge-planning huddle", kind: "work-based", hours: "1.5", model: "gibbs",
		stages: map[string]string{
			"description": "I led the ward's morning discharge-planning huddle for the first time while the band 7 was on leave. Eight colleagues from nursing, physiotherapy and social work attended.",
			"feelings":    "I was nervous beforehand and worried that I would not keep to time. Once we started I felt more confident because I knew the patients' occupational goals well.",
			"evaluation":  "We finished in fifteen minutes and agreed plans for every bed. I struggled to stop one long discussion about equipment without sounding dismissive.",
			"analysis":    "Structuring the huddle around each person's goal, not their diagnosis, kept everyone focused. Reading on compassionate leadership helped me see that naming the time pressure openly is respectful, not rude.",
			"conclusion":  "I learnt that I can lead a multidisciplinary meeting, and that a clear structure gives quieter colleagues room to speak.",
			"action-plan": "I will ask to lead the huddle once a week and ask my supervisor to observe one and give feedback.",
		},
		tags: []string{"ot-leadership:communication", "ot-leadership:collaboration", "rcot-pillars:leadership", "hcpc-cpd:standard-3"}},
	{daysAgo: 255, title: "Supervision: learning to delegate to support workers", kind: "work-based", hours: "1", model: "driscoll",
		stages: map[string]string{
			"what":     "In supervision I talked through why I kept doing kitchen assessments myself instead of delegating practice sessions to our support worker.",
			"so-what":  "I realised I was protecting my own confidence rather than using the team's skills. Our support worker is experienced and people were waiting longer because of me.",
			"now-what": "I wrote a short delegation checklist with the support worker, and we now review two people together each week. Waiting times for practice sessions have fallen from nine days to four.",
		},
		tags: []string{"ot-leadership:influence", "rcot-pillars:professional-practice", "hcpc-cpd:standard-4"}},
	{daysAgo: 190, days: 1, title: "Quality improvement in practice: two-day course", kind: "formal-educational", hours: "12", model: "kolb",
		stages: map[string]string{
			"concrete-experience":        "I attended a two-day course on quality improvement, with teaching on the model for improvement, run charts and testing changes in small cycles.",
			"reflective-observation":     "I noticed that our team often changes several things at once and then cannot tell what helped.",
			"abstract-conceptualisation": "Plan, do, study, act cycles make each change small and measurable. A run chart needs at least ten points before it says much about a trend.",
			"active-experimentation":     "I have started a run chart of days from referral to first home visit, and will test one change at a time.",
		},
		tags:     []string{"ot-leadership:improvement", "rcot-pillars:evidence-research-development", "hcpc-cpd:standard-2", "hcpc-cpd:standard-3"},
		evidence: "Quality improvement in practice, a two-day course"},
	{daysAgo: 150, title: "Supporting a student through a difficult placement week", kind: "professional-activity", hours: "3", model: "johns",
		stages: map[string]string{
			"looking-in":  "I felt protective of my student and also anxious that I had missed signs she was struggling.",
			"aesthetics":  "I wanted her to feel safe to say what was wrong, so I found a quiet room and asked open questions.",
			"personal":    "My own first placement was hard, which helped me empathise but also made me want to fix things too quickly.",
			"ethics":      "I balanced her wellbeing with my duty to assess her fairly against the placement outcomes.",
			"empirics":    "The practice educator guidance on supporting learners and our university's wellbeing pathway informed the plan we agreed.",
			"reflexivity": "Next time I will set up a weekly wellbeing check from the start of a placement instead of waiting for a problem.",
		},
		tags: []string{"ot-leadership:emotional-intelligence", "rcot-pillars:facilitation-of-learning", "hcpc-cpd:standard-4"}},
	{daysAgo: 95, title: "Adapting a falls-prevention group when the room changed", kind: "work-based", hours: "1", model: "schon",
		stages: map[string]string{
			"in-action": "Halfway through setting up, we lost our usual room. I noticed the smaller room made the balance circuit unsafe, so I changed to seated strength work and a discussion about home hazards.",
			"on-action": "The group valued the discussion more than I expected. I now plan a seated alternative for every session and have added a home-hazards conversation to the programme.",
		},
		tags: []string{"ot-leadership:clinical-credibility", "rcot-pillars:professional-practice", "hcpc-cpd:standard-3"}},
	{daysAgo: 60, title: "Reading: compassionate leadership in health and care", kind: "self-directed", hours: "2", model: "free",
		stages: map[string]string{
			"reflection": "I read a review of compassionate leadership in health and care and discussed it at our journal club.\n\nThe four behaviours of attending, understanding, empathising and helping gave me words for what good huddles feel like. I have started ending huddles by asking what anyone needs help with today.",
		},
		tags: []string{"ot-leadership:emotional-intelligence", "ot-leadership:strategic-thinking", "hcpc-cpd:standard-2"}},
	{daysAgo: 20, title: "Presenting our discharge audit at the regional OT network", kind: "professional-activity", hours: "2", model: "driscoll",
		stages: map[string]string{
			"what":     "I presented our audit of time from referral to home visit at the regional occupational therapy network meeting.",
			"so-what":  "Two other teams had the same delay and had tried different fixes. Presenting made me explain our run chart clearly, which improved my own understanding.",
			"now-what": "We agreed to share data quarterly with one of the teams, and I will write a short summary for our service lead.",
		},
		tags: []string{"ot-leadership:advocacy", "ot-leadership:influence", "rcot-pillars:leadership", "hcpc-cpd:standard-3"}},
	{daysAgo: 2, title: "Reflection on the ward move", kind: "work-based", model: "gibbs", draft: true,
		stages: map[string]string{"description": "The ward moved floors this week and the team's routines were disrupted."}},
}

// LoadPortfolio gives the demo practitioner a CPD portfolio: reflections in each reflective
// model, a certificate as evidence, a draft, and an HCPC audit pack under way. It does nothing if
// they already have entries.
func LoadPortfolio(ctx context.Context, accounts *auth.Service, portfolios *portfolio.Service) error {
	alex, err := accounts.UserByEmail(ctx, "alex.marlowe@demo.pillars.test")
	if err != nil {
		return fmt.Errorf("demo: load the accounts first: %w", err)
	}
	if res, err := portfolios.Search(ctx, alex.ID, portfolio.Filter{}); err != nil || res.Total > 0 {
		return err
	}
	if drafts, err := portfolios.Drafts(ctx, alex.ID); err != nil || len(drafts) > 0 {
		return err
	}
	today := time.Now()
	start, end := portfolio.DefaultCycle(today)
	// Spread the entries over the part of the current cycle that has passed, so the audit pack
	// always has them whatever the date (daysAgo is on a scale of about 320 days).
	cycleStart, _ := time.Parse(time.DateOnly, start)
	span := max(1, int(today.Sub(cycleStart).Hours()/24))
	var picked []int64
	for _, d := range demoEntries {
		ago := d.daysAgo * span / 320
		in := portfolio.EntryInput{Title: d.title, StartedOn: today.AddDate(0, 0, -ago).Format(time.DateOnly),
			ActivityType: d.kind, Hours: d.hours, Model: d.model, Stages: d.stages}
		if d.days > 0 {
			in.EndedOn = today.AddDate(0, 0, min(0, -ago+d.days)).Format(time.DateOnly)
		}
		for _, t := range d.tags {
			fw, el, _ := strings.Cut(t, ":")
			in.Tags = append(in.Tags, portfolio.Tag{Framework: fw, Element: el})
		}
		e, err := portfolios.Create(ctx, alex.ID, in, d.draft, nil)
		if err != nil {
			return fmt.Errorf("demo: entry %q: %w", d.title, err)
		}
		if d.evidence != "" {
			pdf, err := certificate(d.evidence, alex.Name, in.EndedOn)
			if err != nil {
				return err
			}
			if _, err := portfolios.AddFile(ctx, alex.ID, e.ID, "qi-course-certificate.pdf", pdf); err != nil {
				return fmt.Errorf("demo: evidence: %w", err)
			}
		}
		if !d.draft && len(picked) < 4 && d.model != "free" {
			picked = append(picked, e.ID)
		}
	}
	pack, err := portfolios.OpenPack(ctx, alex.ID, portfolio.DefaultProfession, start, end)
	if err != nil {
		return err
	}
	return portfolios.SavePack(ctx, alex.ID, pack.ID, portfolio.PackInput{
		Summary: "I am a band 6 occupational therapist in a community rehabilitation team in a fictional NHS trust. I work with adults after a stay in hospital, helping them return to the activities that matter to them at home.\n\n" +
			"A typical week includes home visits and assessments, running a falls-prevention group, supervising a support worker and, during placements, educating an occupational therapy student. I also lead our team's work on reducing the time from referral to first home visit.",
		Statement: map[string]string{
			"standard-1": "I keep my CPD record in Pillars as I go, usually within a week of each activity. My record is continuous: the list of activities shows no gap of three months or more.",
			"standard-2": "My CPD mixes work-based learning (activities 1, 2 and 5), formal education (activity 3, evidence 1), professional activity (activities 4 and 7) and self-directed reading (activity 6).",
		},
		Selected: picked,
	})
}

// certificate makes a one-page PDF certificate, so the demo's evidence is a real file.
func certificate(title, name, date string) ([]byte, error) {
	pdf := fpdf.New("L", "mm", "A4", "")
	pdf.SetTitle(title, true)
	pdf.AddPage()
	pdf.SetFont("Helvetica", "B", 26)
	pdf.CellFormat(0, 40, "Certificate of attendance", "", 1, "C", false, 0, "")
	pdf.SetFont("Helvetica", "", 16)
	pdf.CellFormat(0, 12, "This is to certify that", "", 1, "C", false, 0, "")
	pdf.SetFont("Helvetica", "B", 20)
	pdf.CellFormat(0, 14, name, "", 1, "C", false, 0, "")
	pdf.SetFont("Helvetica", "", 16)
	pdf.CellFormat(0, 12, "attended "+title, "", 1, "C", false, 0, "")
	pdf.CellFormat(0, 12, "Completed "+portfolio.DateLabel(date)+" (12 hours). Fictional demo certificate.", "", 1, "C", false, 0, "")
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return nil, fmt.Errorf("demo: certificate: %w", err)
	}
	return buf.Bytes(), nil
}
