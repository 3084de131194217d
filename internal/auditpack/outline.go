package auditpack

import (
	"fmt"
	"strconv"
	"strings"
)

// The profile is laid out once, as a list of blocks, and each renderer only draws blocks. That
// keeps the PDF, the DOCX and the HTML saying the same thing in the same order: a wording change
// or a new column is made here, not three times.

type blockKind int

const (
	kindHeading blockKind = iota
	kindPara
	kindFacts
	kindTable
)

// block is one heading, paragraph, list of facts or table. Fields are exported only so that
// html/template can read them.
type block struct {
	Kind  blockKind
	Level int      // headings: 1 is the document title, 2 a numbered section, 3 and 4 below it
	Lines []string // a paragraph's lines, or a heading's text in Lines[0]
	Note  bool     // a paragraph that is a remark about the profile (word counts, totals)
	Facts []fact
	Table *table
}

type fact struct{ Label, Value string }

// table is a data table; Widths are shares of the text width, used by the PDF and the DOCX.
type table struct {
	Caption string
	Head    []string
	Rows    [][]string
	Widths  []float64
	Right   []bool // columns of numbers, aligned right
}

func (b block) IsHeading() bool { return b.Kind == kindHeading }
func (b block) IsPara() bool    { return b.Kind == kindPara }
func (b block) IsFacts() bool   { return b.Kind == kindFacts }
func (b block) IsTable() bool   { return b.Kind == kindTable }

// Text is a heading's text, or a paragraph's lines as one string.
func (b block) Text() string {
	return strings.Join(b.Lines, "\n")
}

// Word limits the HCPC sets for a profile.
const (
	summaryWordLimit   = 500
	statementWordLimit = 1500
)

// docTitle is the document's title, also used as its metadata title.
func docTitle(p *Pack) string {
	if p.Owner == "" {
		return "CPD profile"
	}
	return "CPD profile – " + p.Owner
}

type outline struct{ blocks []block }

func (o *outline) heading(level int, text string) {
	o.blocks = append(o.blocks, block{Kind: kindHeading, Level: level, Lines: []string{cleanText(text)}})
}

func (o *outline) para(text string) {
	for _, lines := range paragraphs(text) {
		o.blocks = append(o.blocks, block{Kind: kindPara, Lines: lines})
	}
}

func (o *outline) note(text string) {
	o.blocks = append(o.blocks, block{Kind: kindPara, Lines: []string{text}, Note: true})
}

func (o *outline) table(t *table) {
	for _, row := range t.Rows {
		for i := range row {
			row[i] = cleanText(row[i])
		}
	}
	o.blocks = append(o.blocks, block{Kind: kindTable, Table: t})
}

// layout builds the profile in the order the HCPC's guidance lists its parts.
func layout(p *Pack) []block {
	o := &outline{blocks: make([]block, 0, 64)}
	o.heading(1, "CPD profile")
	gen := "Not given"
	if !p.GeneratedAt.IsZero() {
		gen = p.GeneratedAt.UTC().Format("2 January 2006")
	}
	o.blocks = append(o.blocks, block{Kind: kindFacts, Facts: []fact{
		{"Name", orNone(p.Owner, "Not given")},
		{"Profession", orNone(p.Profession, "Not given")},
		{"CPD cycle", cycle(p)},
		{"Generated", gen},
	}})

	o.heading(2, "1. Summary of practice")
	words := wordCount(p.Summary)
	o.note(fmt.Sprintf("Word count: %s of %s words%s", thousands(words),
		thousands(summaryWordLimit), over(words, summaryWordLimit)))
	o.para(orNone(p.Summary, "No summary of practice has been written yet."))

	statement(o, p)
	activityList(o, p)
	activityTypes(o, p)
	gaps(o, p)
	evidenceList(o, p)
	return o.blocks
}

func orNone(s, none string) string {
	if s == "" {
		return none
	}
	return s
}

func over(n, limit int) string {
	if n > limit {
		return " (over the limit by " + plural(n-limit, "word", "words") + ")"
	}
	return ""
}

func statement(o *outline, p *Pack) {
	o.heading(2, "2. Statement of how I have met the standards")
	words := 0
	for _, s := range p.Statement {
		words += wordCount(s.Text)
	}
	o.note(fmt.Sprintf("Word count: %s of %s words%s", thousands(words),
		thousands(statementWordLimit), over(words, statementWordLimit)))
	if len(p.Statement) == 0 {
		o.para("No statement has been written yet.")
	}
	for _, s := range p.Statement {
		o.heading(3, orNone(s.Standard, "Standard"))
		o.para(s.Text)
	}
	byNumber := make(map[int]*Activity, len(p.Activities))
	for i := range p.Activities {
		byNumber[p.Activities[i].Number] = &p.Activities[i]
	}
	for _, n := range p.Selected {
		a := byNumber[n]
		if a == nil {
			continue // a selection the portfolio has since removed; nothing to show
		}
		o.heading(3, fmt.Sprintf("Activity %d: %s", a.Number, a.Title))
		o.note(fmt.Sprintf("%s. %s, %s hours. Evidence: %s.", a.Dates, a.Type, hours(a.Hours), evidenceRefs(a.Evidence)))
		if a.Model != "" {
			o.note("Reflective model: " + a.Model)
		}
		for _, st := range a.Reflection {
			o.heading(4, orNone(st.Title, "Reflection"))
			o.para(orNone(st.Text, "Not written."))
		}
	}
}

func activityList(o *outline, p *Pack) {
	o.heading(2, "3. Dated list of activities")
	if len(p.Activities) == 0 {
		o.para("No activities have been recorded in this cycle.")
		return
	}
	t := &table{
		Caption: "Activities in this CPD cycle, oldest first",
		Head:    []string{"No.", "Dates", "Activity", "Type", "Hours", "Evidence"},
		Widths:  []float64{0.07, 0.18, 0.36, 0.17, 0.09, 0.13},
		Right:   []bool{true, false, false, false, true, false},
		Rows:    make([][]string, 0, len(p.Activities)),
	}
	var total float64
	for _, a := range p.Activities {
		total += a.Hours
		t.Rows = append(t.Rows, []string{strconv.Itoa(a.Number), a.Dates, a.Title, a.Type, hours(a.Hours), evidenceRefs(a.Evidence)})
	}
	o.table(t)
	o.note(fmt.Sprintf("In all: %s, %s hours.", plural(len(p.Activities), "activity", "activities"), hours(total)))
}

// typeCounts uses the counts the portfolio worked out, or counts the list itself when none were
// given, so the section is never silently empty.
func typeCounts(p *Pack) []TypeCount {
	if len(p.TypeCounts) > 0 {
		return p.TypeCounts
	}
	var out []TypeCount
	index := map[string]int{}
	for _, a := range p.Activities {
		i, ok := index[a.Type]
		if !ok {
			i = len(out)
			index[a.Type] = i
			out = append(out, TypeCount{Type: a.Type})
		}
		out[i].Activities++
		out[i].Hours += a.Hours
	}
	return out
}

func activityTypes(o *outline, p *Pack) {
	o.heading(2, "4. Activity types")
	counts := typeCounts(p)
	t := &table{
		Caption: "Activities and hours by type",
		Head:    []string{"Type", "Activities", "Hours"},
		Widths:  []float64{0.6, 0.2, 0.2},
		Right:   []bool{false, true, true},
	}
	types := 0
	for _, c := range counts {
		if c.Activities > 0 {
			types++
		}
		t.Rows = append(t.Rows, []string{orNone(c.Type, "Not given"), strconv.Itoa(c.Activities), hours(c.Hours)})
	}
	if len(t.Rows) > 0 {
		o.table(t)
	}
	if types >= 2 {
		o.note(fmt.Sprintf("Yes: at least two activity types are present (%d types; the HCPC asks for at least two).", types))
	} else {
		o.note(fmt.Sprintf("No: fewer than two activity types are present (%d; the HCPC asks for at least two).", types))
	}
}

func gaps(o *outline, p *Pack) {
	o.heading(2, "5. Gaps of three months or more")
	if len(p.Gaps) == 0 {
		o.para("No gaps of three months or more.")
		return
	}
	t := &table{
		Caption: "Gaps of three months or more, with explanations",
		Head:    []string{"From", "To", "Months", "Explanation"},
		Widths:  []float64{0.17, 0.17, 0.1, 0.56},
		Right:   []bool{false, false, true, false},
	}
	for _, g := range p.Gaps {
		t.Rows = append(t.Rows, []string{g.From, g.To, strconv.Itoa(g.Months), orNone(g.Explanation, "Not yet explained.")})
	}
	o.table(t)
}

func evidenceList(o *outline, p *Pack) {
	o.heading(2, "6. Evidence")
	if len(p.Evidence) == 0 {
		o.para("No evidence files are attached.")
		return
	}
	parts, err := SplitEvidence(p.Evidence, p.partLimit())
	partOf := map[int]int{}
	if err != nil {
		// The pack can still be read and fixed; the caller learns the same error when it splits.
		o.note("The evidence cannot be split into emailed parts: " + err.Error())
	} else {
		for _, part := range parts {
			o.note(fmt.Sprintf("%s, in %s (%s).", part.Label, part.Name, byteSize(part.Size)))
			for _, f := range part.Files {
				partOf[f.Evidence.Number] = part.Number
			}
		}
	}
	t := &table{
		Caption: "Evidence files, numbered as referred to in the statement",
		Head:    []string{"No.", "Label", "File", "Size", "Activity", "Part"},
		Widths:  []float64{0.07, 0.34, 0.29, 0.1, 0.1, 0.1},
		Right:   []bool{true, false, false, true, true, true},
	}
	width := numberWidth(p.Evidence)
	for _, e := range p.Evidence {
		part := "None"
		if n, ok := partOf[e.Number]; ok {
			part = strconv.Itoa(n)
		}
		t.Rows = append(t.Rows, []string{"E" + strconv.Itoa(e.Number), e.Label, entryName(e, width),
			byteSize(e.Size), strconv.Itoa(e.Activity), part})
	}
	o.table(t)
}
