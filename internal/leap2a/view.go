package leap2a

import (
	"strings"
	"sync"

	"github.com/pillars-ot/pillars/internal/framework"
	"github.com/pillars-ot/pillars/internal/portfolio"
)

// The readable view: what other systems show of an entry. Labels come from the built-in
// frameworks (data), never from Go.

// stageOrder lists stage keys in the model's order, then any others alphabetically.
func stageOrder(model string, stages map[string]string) []string {
	var keys []string
	seen := map[string]bool{}
	if m := portfolio.ModelByKey(model); m != nil {
		for _, st := range m.Stages {
			if _, ok := stages[st.Key]; ok {
				keys = append(keys, st.Key)
				seen[st.Key] = true
			}
		}
	}
	for _, k := range sortedKeys(stages) {
		if !seen[k] {
			keys = append(keys, k)
		}
	}
	return keys
}

// writeReflection is the readable view: what, when and how long, then each stage of the model
// as a heading with its paragraphs.
func writeReflection(x *xw, e *portfolio.ArchivedEntry) {
	var facts []string
	if e.ActivityType != "" {
		facts = append(facts, "Activity type: "+activityLabel(e.ActivityType))
	}
	switch {
	case e.StartedOn != "" && e.EndedOn != "" && e.EndedOn != e.StartedOn:
		facts = append(facts, "Dates: "+e.StartedOn+" to "+e.EndedOn)
	case e.StartedOn != "":
		facts = append(facts, "Date: "+e.StartedOn)
	}
	if e.Minutes > 0 {
		h := portfolio.FormatHours(e.Minutes)
		unit := " hours"
		if h == "1" {
			unit = " hour"
		}
		facts = append(facts, "Time: "+h+unit)
	}
	if m := portfolio.ModelByKey(e.Model); m != nil && e.Model != "free" {
		facts = append(facts, "Reflective model: "+m.Name)
	}
	if e.Status == "draft" {
		facts = append(facts, "Status: draft, not yet finished")
	}
	if len(facts) > 0 {
		x.raw("      <p>")
		for k, f := range facts {
			if k > 0 {
				x.raw("<br/>")
			}
			x.raw(escape(f, false))
		}
		x.raw("</p>\n")
	}
	m := portfolio.ModelByKey(e.Model)
	for _, k := range stageOrder(e.Model, e.Stages) {
		if strings.TrimSpace(e.Stages[k]) == "" {
			continue
		}
		heading := k
		if m != nil {
			for _, st := range m.Stages {
				if st.Key == k {
					heading = st.Title
				}
			}
		}
		x.leaf(3, "h3", heading)
		writeParas(x, e.Stages[k])
	}
	if len(e.Tags) > 0 {
		x.leaf(3, "h3", "Linked to")
		x.raw("      <ul>\n")
		for _, t := range e.Tags {
			x.leaf(4, "li", tagLabel(t))
		}
		x.raw("      </ul>\n")
	}
}

func writeParas(x *xw, s string) {
	for _, p := range paragraphs(s) {
		x.raw("      <p>")
		for k, line := range p {
			if k > 0 {
				x.raw("<br/>")
			}
			x.raw(escape(line, false))
		}
		x.raw("</p>\n")
	}
}

// Labels, for the readable view only.
var (
	labelsOnce sync.Once
	builtins   map[string]*framework.Framework
)

func builtinFramework(key string) *framework.Framework {
	labelsOnce.Do(func() {
		builtins = map[string]*framework.Framework{}
		files, err := framework.BuiltinFiles()
		if err != nil {
			return
		}
		for name, b := range files {
			if f, err := framework.Parse(name, b); err == nil {
				builtins[f.Key] = f
			}
		}
	})
	return builtins[key]
}

func elementTitle(fw, key string) string {
	if f := builtinFramework(fw); f != nil {
		if el := f.Element(key); el != nil && el.Title != "" {
			return el.Title
		}
	}
	return ""
}

func activityLabel(key string) string {
	if t := elementTitle(portfolio.CPDFramework, key); t != "" {
		return t
	}
	return key
}

func standardLabel(key string) string {
	if t := elementTitle(portfolio.CPDFramework, key); t != "" {
		return t
	}
	return key
}

func tagLabel(t portfolio.Tag) string {
	title := t.Title
	if title == "" {
		title = elementTitle(t.Framework, t.Element)
	}
	if title == "" {
		title = t.Element
	}
	fw := t.Framework
	if f := builtinFramework(t.Framework); f != nil {
		fw = f.DisplayTitle()
	}
	return fw + ": " + title
}
