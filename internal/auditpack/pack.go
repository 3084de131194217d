// Package auditpack renders an HCPC CPD audit pack (a CPD profile) into the files a registrant
// sends: a PDF made in pure Go, an editable DOCX and HTML, and the evidence split into labelled
// parts of at most 10 MB each, as the HCPC asks for email submission. It knows nothing about the
// database: package portfolio assembles a Pack from the person's entries and hands it here.
package auditpack

import "time"

// PartLimit is the HCPC's limit on one emailed part, in bytes.
const PartLimit = 10 << 20

// Pack is everything in one CPD profile, already checked and ordered.
type Pack struct {
	Owner       string    // the registrant's name, as they want it shown
	Profession  string    // e.g. "Occupational therapist"
	CycleStart  string    // YYYY-MM-DD
	CycleEnd    string    // YYYY-MM-DD
	GeneratedAt time.Time // when the pack was built (UTC)

	Activities []Activity // every activity in the cycle, oldest first, numbered from 1
	Gaps       []Gap      // every gap of three months or more, with the person's explanation
	TypeCounts []TypeCount

	Summary   string    // summary of practice, at most 500 words, plain text with blank-line paragraphs
	Statement []Section // the statement of how the standards are met, by standard, at most 1,500 words in all
	Selected  []int     // Activity numbers the statement is built around (4-6)

	Evidence []Evidence // numbered from 1, in the order of the activities they belong to

	// EvidencePartLimit is the most one evidence part may hold, in bytes; zero means PartLimit.
	// The evidence list says which part holds each file, so it must be the limit the caller
	// passes to SplitEvidence.
	EvidencePartLimit int64
}

func (p *Pack) partLimit() int64 {
	if p.EvidencePartLimit > 0 {
		return p.EvidencePartLimit
	}
	return PartLimit
}

// Activity is one line of the dated list of activities.
type Activity struct {
	Number   int
	Dates    string // as shown: "3 March 2026" or "3 to 5 March 2026"
	Title    string
	Type     string  // activity type label, e.g. "Work-based learning"
	Hours    float64 // may be fractional, e.g. 1.5
	Tags     []string
	Evidence []int // evidence numbers attached to this activity

	// The reflective write-up, for selected activities: stage titles and text in the model's order.
	Model      string // e.g. "Gibbs' reflective cycle"
	Reflection []Stage
}

// Stage is one part of a reflective write-up.
type Stage struct {
	Title string
	Text  string
}

// Gap is a period of three months or more with no activity.
type Gap struct {
	From, To    string // as shown
	Months      int
	Explanation string // empty when the person has not explained it yet
}

// TypeCount is how many activities (and hours) of one type the cycle holds.
type TypeCount struct {
	Type       string
	Activities int
	Hours      float64
}

// Section is the statement's text for one HCPC standard.
type Section struct {
	Standard string // e.g. "Standard 3: CPD has improved the quality of my practice and service delivery"
	Text     string // plain text; "[E4]" or "(evidence 4)" references are left as typed
}

// Evidence is one numbered evidence file.
type Evidence struct {
	Number      int
	Label       string // e.g. "Evidence 4: Certificate, Leading change course"
	Filename    string // the stored file's name
	ContentType string
	Size        int64
	Activity    int // the activity number it supports
}
