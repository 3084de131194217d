package auditpack

import (
	"fmt"
	"strings"
	"time"
)

// FixturePack builds a realistic profile with n activities (oldest first, five types, evidence on
// every third), five selected activities with long Gibbs reflections, and one explained gap. Its
// text uses £, curly quotes and en dashes, as people type them. (It cannot be called
// ExampleFixture: go vet reads any Example* function in a test file as a documentation example.)
func FixturePack(n int) *Pack {
	p := &Pack{
		Owner:       "Siân O’Connor",
		Profession:  "Occupational therapist",
		CycleStart:  "2023-11-01",
		CycleEnd:    "2025-10-31",
		GeneratedAt: time.Date(2025, 8, 4, 9, 30, 0, 0, time.UTC),
		Summary: "I am a Band 7 occupational therapist leading a team of six in a community " +
			"neurorehabilitation service in the north of England. I see adults with acquired brain " +
			"injury, stroke and progressive neurological conditions in their homes, and I supervise " +
			"two Band 5 therapists and a support worker.\n\n" +
			"Since my last renewal I have taken on the service’s “return to work” pathway – a £12,000 " +
			"pilot funded by the integrated care board – and I represent occupational therapy at the " +
			"monthly clinical governance meeting.\n\n" +
			strings.Repeat("My practice includes assessment, goal setting, graded activity and liaison with employers. ", 20),
		Statement: []Section{
			{"Standard 1: I have kept a continuous, up-to-date and accurate record of my CPD activities",
				"I record each activity in Pillars within a week of doing it, with a reflection and evidence [E1]."},
			{"Standard 2: My CPD is a mixture of learning activities relevant to current or future practice",
				"My activities cover work-based learning, professional activity, formal education and self-directed reading.\n\nEach links to my caseload or to my leadership role."},
			{"Standard 3: My CPD has contributed to the quality of my practice and service delivery",
				strings.Repeat("After the vocational rehabilitation course I rewrote our “return to work” assessment (evidence 4). ", 12)},
			{"Standard 4: My CPD has benefitted the service user",
				strings.Repeat("Service users now receive a written work plan within two weeks – it was six. ", 12)},
			{"Standard 5: I have presented a written profile of my own work, supported by evidence",
				"This profile is my own work; the evidence listed in section 6 supports it."},
		},
	}
	types := []string{"Work-based learning", "Professional activity", "Formal / educational", "Self-directed learning", "Other"}
	start := time.Date(2023, 11, 6, 0, 0, 0, 0, time.UTC)
	evidence := 0
	for i := 1; i <= n; i++ {
		day := start.AddDate(0, 0, (i-1)*14)
		a := Activity{
			Number: i,
			Dates:  day.Format("2 January 2006"),
			Title:  fmt.Sprintf("Activity %d – peer review of a colleague’s case notes", i),
			Type:   types[i%len(types)],
			Hours:  float64(i%4) + 0.5,
		}
		switch {
		case i%7 == 0:
			a.Dates = day.Format("2") + " to " + day.AddDate(0, 0, 2).Format("2 January 2006")
			a.Title = fmt.Sprintf("Attended the RCOT annual conference (£%d, funded by the trust) and "+
				"presented a poster on “graded return to work after acquired brain injury” – session %d", 150+i, i)
		case i == n-5:
			a.Title = "Journal club: “Sensory integration in later life” – critical appraisal"
		}
		if i%3 == 0 {
			evidence++
			a.Evidence = []int{evidence}
			p.Evidence = append(p.Evidence, Evidence{
				Number: evidence, Label: fmt.Sprintf("Evidence %d: Certificate – activity %d", evidence, i),
				Filename: fmt.Sprintf("certificate %d.pdf", i), ContentType: "application/pdf",
				Size: int64(50_000 + i*1000), Activity: i,
			})
		}
		p.Activities = append(p.Activities, a)
	}
	for i := 0; i < 5 && i*9+2 <= n; i++ {
		a := &p.Activities[i*9+1]
		a.Model = "Gibbs’ reflective cycle"
		for _, stage := range []string{"Description", "Feelings", "Evaluation", "Analysis", "Conclusion", "Action plan"} {
			a.Reflection = append(a.Reflection, Stage{Title: stage, Text: strings.Repeat(
				"I noticed that the person’s goals – returning to their allotment – mattered more than the “standard” "+
					"outcome measure, so I changed how I set goals with them. ", 6) + "\n\nNext time I will ask first."})
		}
		p.Selected = append(p.Selected, a.Number)
	}
	p.Gaps = []Gap{{From: "1 June 2024", To: "30 September 2024", Months: 4,
		Explanation: "Maternity leave; I kept up with reading but recorded no activities."}}
	return p
}
