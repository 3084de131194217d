package framework

import (
	"errors"
	"strings"
	"testing"
)

func TestBuiltinFrameworksAreValidAndComplete(t *testing.T) {
	files, err := BuiltinFiles()
	if err != nil {
		t.Fatal(err)
	}
	byKey := map[string]*Framework{}
	for name, doc := range files {
		f, err := Parse(name, doc)
		if err != nil {
			t.Fatalf("built-in %s does not validate:\n%v", name, err)
		}
		byKey[f.Key] = f
	}
	ot := byKey["ot-leadership"]
	if ot == nil {
		t.Fatal("no ot-leadership framework")
	}
	wantChildren := map[string]int{"dimensions": 5, "skills": 8, "clinical-leadership": 6, "mdt-strategies": 6,
		"professional-activities": 6, "service-elements": 6, "organisational-skills": 7, "development-pathways": 7, "challenges": 7, "advocacy-strategies": 7}
	for key, n := range wantChildren {
		e := ot.Element(key)
		if e == nil {
			t.Errorf("ot-leadership has no %q group", key)
			continue
		}
		if len(e.Children) != n {
			t.Errorf("ot-leadership %s has %d children, want %d", key, len(e.Children), n)
		}
	}
	if got := len(ot.Rateable()); got != 13 {
		t.Errorf("ot-leadership has %d rateable elements, want the 5 dimensions and 8 skills", got)
	}
	if inv := ot.Element("invisibility"); inv == nil || !hasAttr(inv, "Articulate value consistently") {
		t.Errorf("the invisibility challenge should carry its navigation strategy")
	}
	for _, key := range []string{"clinical-excellence", "progressive-responsibility", "formal-development", "mentoring", "coaching", "reflection", "professional-engagement"} {
		if ot.Element(key) == nil {
			t.Errorf("development pathway %q missing", key)
		}
	}

	pillars := byKey["rcot-pillars"]
	if pillars == nil || len(pillars.Levels) != 9 {
		t.Fatalf("rcot-pillars must have nine levels")
	}
	var pillarCount int
	for _, e := range pillars.Elements {
		if e.Kind == "pillar" {
			pillarCount++
			if len(e.Descriptors) != 9 {
				t.Errorf("pillar %s has %d level descriptors, want 9", e.Key, len(e.Descriptors))
			}
		}
	}
	if pillarCount != 4 {
		t.Errorf("rcot-pillars has %d pillars, want 4", pillarCount)
	}

	hlm := byKey["nhs-hlm"]
	if hlm == nil || len(hlm.Rateable()) != 9 {
		t.Fatalf("nhs-hlm must have nine rateable dimensions")
	}
	var labels []string
	for _, p := range hlm.Scale.Points {
		labels = append(labels, p.Label)
	}
	if strings.Join(labels, ",") != "Essential,Proficient,Strong,Exemplary" {
		t.Errorf("HLM scale = %v", labels)
	}

	hcpc := byKey["hcpc-cpd"]
	if hcpc == nil || len(hcpc.Element("standards").Children) != 5 || len(hcpc.Element("activity-types").Children) != 5 {
		t.Errorf("hcpc-cpd must have 5 standards and 5 activity types")
	}
}

func hasAttr(e *Element, text string) bool {
	for _, a := range e.Attributes {
		if a.Text == text {
			return true
		}
	}
	return false
}

func TestParseReportsFileLineAndProblem(t *testing.T) {
	cases := []struct {
		name string
		doc  string
		want []string // substrings of the error, each must appear
	}{
		{"empty", "", []string{"bad.yaml: the file is empty"}},
		{"not yaml", "key: [unclosed\n", []string{"bad.yaml:1:"}},
		{"not a mapping", "- a\n- b\n", []string{"bad.yaml:1: expected a mapping"}},
		{"unknown field", "key: x\nversion: \"1\"\ntitle: T\nsummary: S\ntitel: typo\nelements:\n  - key: a\n    title: A\n",
			[]string{"bad.yaml:5: unknown field \"titel\""}},
		{"missing fields", "key: x\nelements:\n  - key: a\n    title: A\n",
			[]string{`"version" is required`, `"title" is required`, `"summary" is required`}},
		{"duplicate key", "key: x\nversion: \"1\"\ntitle: T\nsummary: S\nelements:\n  - key: a\n    title: A\n  - key: a\n    title: B\n",
			[]string{`bad.yaml:8: element "a": key is used twice (first at line 6)`}},
		{"nested element without title", "key: x\nversion: \"1\"\ntitle: T\nsummary: S\nelements:\n  - key: a\n    title: A\n    children:\n      - key: b\n",
			[]string{`bad.yaml:9: element "b" needs a title`}},
		{"rateable without scale", "key: x\nversion: \"1\"\ntitle: T\nsummary: S\nelements:\n  - key: a\n    title: A\n    rateable: true\n",
			[]string{`bad.yaml:6: element "a" is rateable but the framework has no scale`}},
		{"scale not increasing", "key: x\nversion: \"1\"\ntitle: T\nsummary: S\nscale:\n  name: N\n  points:\n    - {value: 2, label: B}\n    - {value: 1, label: A}\nelements:\n  - key: a\n    title: A\n",
			[]string{"bad.yaml:9: scale values must increase"}},
		{"descriptor for missing level", "key: x\nversion: \"1\"\ntitle: T\nsummary: S\nlevels:\n  - {number: 1, name: One}\nelements:\n  - key: a\n    title: A\n    descriptors:\n      - {level: 4, text: hi}\n",
			[]string{`bad.yaml:8: element "a" has a descriptor for level 4`}},
		{"wrong type", "key: x\nversion: \"1\"\ntitle: T\nsummary: S\nelements:\n  - key: a\n    title: A\n    rateable: maybe\n",
			[]string{"bad.yaml:8: expected true or false"}},
		{"bad key", "key: Not A Slug\nversion: \"1\"\ntitle: T\nsummary: S\nelements:\n  - key: a\n    title: A\n",
			[]string{"bad.yaml:1: key \"Not A Slug\" must be lower-case"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f, err := Parse("bad.yaml", []byte(c.doc))
			if err == nil {
				t.Fatalf("Parse accepted a malformed file: %+v", f)
			}
			var verr *ValidationError
			if !errors.As(err, &verr) {
				t.Fatalf("error is %T, want *ValidationError", err)
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error does not mention %q:\n%v", w, err)
				}
			}
		})
	}
}
