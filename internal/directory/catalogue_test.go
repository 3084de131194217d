package directory

import (
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/pillars-ot/pillars/internal/framework"
)

func TestBuiltinCatalogue(t *testing.T) {
	c, err := Parse("catalogue.yaml", builtinYAML)
	if err != nil {
		t.Fatalf("the built-in catalogue does not validate:\n%v", err)
	}
	if Builtin() == nil {
		t.Fatal("Builtin returned nil")
	}
	kinds := map[Kind]int{}
	for _, it := range c.Items {
		kinds[it.Kind]++
		if it.Summary == "" || len(it.Levels) == 0 || len(it.Elements) == 0 {
			t.Errorf("item %s needs a summary, levels and elements", it.Key)
		}
		if it.Format == FormatOnline && it.Location != "Online" {
			t.Errorf("item %s is online, so its location should be Online, not %q", it.Key, it.Location)
		}
	}
	if kinds[KindProgramme] == 0 || kinds[KindCourse] == 0 || kinds[KindPostgraduate] == 0 {
		t.Errorf("want programmes, courses and postgraduate courses, got %v", kinds)
	}
	for _, r := range c.Resources {
		if r.Annotation == "" || len(r.Authors) == 0 || len(r.Elements) == 0 {
			t.Errorf("resource %s needs authors, an annotation and elements", r.Key)
		}
	}
	for _, o := range c.Organisations {
		if o.Description == "" {
			t.Errorf("organisation %s needs a description", o.Key)
		}
	}

	// Every programme and course named in seed 001, by provider and title.
	seed := map[string][]string{
		"NHS Leadership Academy": {"Edward Jenner", "Mary Seacole", "Elizabeth Garrett Anderson"},
		"The King's Fund":        {"Personal impact and influence", "Release your potential", "Building your authority", "Emerging clinical leaders", "Clinical leadership in the independent health care sector"},
		"Hult International Business School (Ashridge Executive Education)": {"Influencing Strategies", "Leading on the Edge"},
		"The Health Foundation":                      {"GenerationQ"},
		"Imperial College Business School":           {"From Idea to Health Business"},
		"Leadership Foundation for Higher Education": {"Aurora"},
		"NHS Education for Scotland":                 {"Scottish Improvement Leader"},
		"York St John University":                    {"Leadership in Health and Social Care"},
		"University of Southampton":                  {"Leadership and Management in Health and Social Care"},
		"University of Northampton":                  {"Leadership for Health and Social Care"},
		"University of Glasgow":                      {"Leadership for Health and Social Care"},
		"University of Cumbria":                      {"Management and Leadership in Health and Social Care"},
		"University College London":                  {"Leadership Skills for the Healthcare Professional"},
	}
	for provider, titles := range seed {
		for _, title := range titles {
			if findItem(c, provider, title) == nil {
				t.Errorf("missing %s from %s", title, provider)
			}
		}
	}
	for _, key := range []string{"nhsla-coaching-register", "cahpr-research-mentoring", "hee-nihr-ica", "ect-leadership-project-grants", "health-foundation"} {
		if c.Organisation(key) == nil {
			t.Errorf("missing organisation or scheme %s", key)
		}
	}
	if r := c.Resource("rcot-career-development-framework"); r == nil || r.Year != 2017 {
		t.Errorf("the RCOT Career Development Framework (2017) should be a resource: %+v", r)
	}
}

func findItem(c *Catalogue, provider, title string) *Item {
	for _, it := range c.Items {
		if it.Provider == provider && strings.Contains(it.Title, title) {
			return it
		}
	}
	return nil
}

// The facts in shared/design/DOMAIN.md section 4.
func TestNHSLeadershipAcademyProgrammes(t *testing.T) {
	c := Builtin()
	get := func(name string) *Item {
		it := findItem(c, "NHS Leadership Academy", name)
		if it == nil {
			t.Fatalf("no NHS Leadership Academy %s programme", name)
		}
		if it.Kind != KindProgramme {
			t.Errorf("%s: kind %q, want programme", name, it.Kind)
		}
		return it
	}
	ej := get("Edward Jenner")
	if !ej.Free || ej.CostPence != nil || ej.Format != FormatOnline || ej.Hours != 40 {
		t.Errorf("Edward Jenner should be free, online and about 40 hours (5 + 35): %+v", ej)
	}
	if ms := get("Mary Seacole"); ms.Length != "6 months" || ms.Format != FormatBlended || ms.Hours != 100 {
		t.Errorf("Mary Seacole should be 6 months, blended, about 100 hours online: %+v", ms)
	}
	if rf := get("Rosalind Franklin"); rf.Length != "9 months" {
		t.Errorf("Rosalind Franklin should be 9 months, got %q", rf.Length)
	}
	if ega := get("Elizabeth Garrett Anderson"); ega.Length != "24 months" || !strings.Contains(ega.Award, "MSc in Healthcare Leadership") {
		t.Errorf("Elizabeth Garrett Anderson should be 24 months with an MSc: %q, %q", ega.Length, ega.Award)
	}
	if nb := get("Nye Bevan"); nb.Length != "12 months" || !nb.Suits(9) {
		t.Errorf("Nye Bevan should be 12 months and suit level 9: %+v", nb)
	}
}

// Every element a built-in entry names exists in the built-in frameworks.
func TestBuiltinElementsExist(t *testing.T) {
	files, err := framework.BuiltinFiles()
	if err != nil {
		t.Fatal(err)
	}
	fws := map[string]*framework.Framework{}
	for name, doc := range files {
		f, err := framework.Parse(name, doc)
		if err != nil {
			t.Fatalf("framework %s: %v", name, err)
		}
		fws[f.Key] = f
	}
	exists := func(fw, el string) bool { return fws[fw] != nil && fws[fw].Element(el) != nil }
	for _, p := range Builtin().CheckElements(exists) {
		t.Error(p)
	}
	// And the check does report a reference that is not there.
	c := mustParse(t, doc("items:", "  - key: a", "    kind: course", "    provider: P", "    title: T", "    free: true",
		"    elements: [ot-leadership:influence, ot-leadership:charisma, nowhere:influence]"))
	got := c.CheckElements(exists)
	want := []string{
		`catalogue.yaml:7: item "a": element ot-leadership:charisma does not exist (check the framework and element keys)`,
		`catalogue.yaml:7: item "a": element nowhere:influence does not exist (check the framework and element keys)`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("CheckElements:\n got %q\nwant %q", got, want)
	}
}

var (
	emailRE = regexp.MustCompile(`[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+`)
	phoneRE = regexp.MustCompile(`(?:\+44|\b0)[\s\d()-]{8,14}\d`)
)

// The catalogue lists organisations, programmes and published authors, never anyone's email
// address or telephone number.
func TestBuiltinHasNoContactDetails(t *testing.T) {
	for _, s := range []string{"write to someone@example.org", "Tel: 07700 900123", "+44 20 7946 0000", "call 01632960001"} {
		if !emailRE.MatchString(s) && !phoneRE.MatchString(s) {
			t.Fatalf("the patterns miss %q", s)
		}
	}
	for i, line := range strings.Split(string(builtinYAML), "\n") {
		if m := emailRE.FindString(line); m != "" {
			t.Errorf("catalogue.yaml:%d: an email address: %s", i+1, m)
		}
		if m := phoneRE.FindString(line); m != "" {
			t.Errorf("catalogue.yaml:%d: what looks like a telephone number: %s", i+1, m)
		}
	}
}

func TestBuiltinLinks(t *testing.T) {
	c := Builtin()
	var links []string
	for _, it := range c.Items {
		links = append(links, it.URL)
	}
	for _, r := range c.Resources {
		links = append(links, r.URL)
	}
	for _, o := range c.Organisations {
		links = append(links, o.URL)
	}
	for _, l := range links {
		if l == "" {
			continue
		}
		if p := LinkProblem(l); p != "" || !strings.HasPrefix(l, "https://") {
			t.Errorf("built-in link %q should be a complete https:// address %s", l, p)
		}
	}
}

func TestLinkProblem(t *testing.T) {
	for link, want := range map[string]string{
		"":                       "",
		"https://example.org/a":  "",
		"http://example.org":     "",
		"HTTPS://EXAMPLE.ORG":    "",
		"javascript:alert(1)":    "the link must start with https:// or http://",
		"ftp://example.org/file": "the link must start with https:// or http://",
		"www.example.org":        "the link must start with https:// or http://",
		"https://":               `the link "https://" is not a complete web address`,
		"https://exa mple.org":   `the link "https://exa mple.org" is not a complete web address`,
	} {
		if got := LinkProblem(link); got != want {
			t.Errorf("LinkProblem(%q) = %q, want %q", link, got, want)
		}
	}
}

func doc(lines ...string) string { return strings.Join(lines, "\n") + "\n" }

func mustParse(t *testing.T, d string) *Catalogue {
	t.Helper()
	c, err := Parse("catalogue.yaml", []byte(d))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// item is a valid item (lines 1-6) followed by extra lines from 7.
func item(extra ...string) string {
	return doc(append([]string{"items:", "  - key: a", "    kind: course", "    provider: P", "    title: T", "    free: true"}, extra...)...)
}

func TestParseProblems(t *testing.T) {
	tests := []struct {
		name string
		doc  string
		want []string
	}{
		{"empty file", "  \n", []string{"catalogue.yaml: the file is empty"}},
		{"not a mapping", "- a\n- b\n", []string{"catalogue.yaml:1: expected a mapping with items, resources and organisations"}},
		{"nothing in it", "items: []\n", []string{"catalogue.yaml:1: the catalogue has no items, resources or organisations"}},
		{"unknown kind", doc("items:", "  - key: a", "    kind: workshop", "    provider: P", "    title: T", "    free: true"),
			[]string{`catalogue.yaml:3: kind "workshop" is not known: use programme, course or postgraduate`}},
		{"missing kind", doc("items:", "  - key: a", "    provider: P", "    title: T", "    free: true"),
			[]string{`catalogue.yaml:2: "kind" is required: programme, course or postgraduate`}},
		{"unknown format", item("    format: hybrid"),
			[]string{`catalogue.yaml:7: format "hybrid" is not known: use online, blended or in-person, or leave it empty when unknown`}},
		{"negative cost", doc("items:", "  - key: a", "    kind: course", "    provider: P", "    title: T", "    cost_pence: -100"),
			[]string{"catalogue.yaml:6: cost cannot be negative"}},
		{"zero cost", doc("items:", "  - key: a", "    kind: course", "    provider: P", "    title: T", "    cost_pence: 0"),
			[]string{"catalogue.yaml:6: a cost of 0 means free: write free: true instead"}},
		{"both free and cost", item("    cost_pence: 99900"),
			[]string{"catalogue.yaml:6: an item cannot be both free and have a cost: keep only one"}},
		{"cost unknown and a price", doc("items:", "  - key: a", "    kind: course", "    provider: P", "    title: T", "    cost_pence: 500", "    cost: unknown"),
			[]string{"catalogue.yaml:7: cost: unknown cannot be given with cost_pence: keep only one"}},
		{"no cost at all", doc("items:", "  - key: a", "    kind: course", "    provider: P", "    title: T"),
			[]string{"catalogue.yaml:2: give a price as cost_pence, or free: true, or cost: unknown"}},
		{"cost in words", doc("items:", "  - key: a", "    kind: course", "    provider: P", "    title: T", "    cost: £999"),
			[]string{`catalogue.yaml:6: cost may only be "unknown"; give a price in pence as cost_pence`}},
		{"cost in pounds", doc("items:", "  - key: a", "    kind: course", "    provider: P", "    title: T", "    cost_pence: 9.99"),
			[]string{`catalogue.yaml:6: expected a whole number here, found "9.99" (give the price in pence: 99900 for £999)`}},
		{"fractions elsewhere", item("    hours: 2.5", "    levels: [5, 6.5]"), []string{
			`catalogue.yaml:7: expected a whole number here, found "2.5"`,
			`catalogue.yaml:8: expected a whole number here, found "6.5"`,
		}},
		{"not a number", item("    hours: lots"), []string{`catalogue.yaml:7: expected a whole number here, found "lots"`}},
		{"negative hours", item("    hours: -3"), []string{"catalogue.yaml:7: hours cannot be negative"}},
		{"levels outside 1-9 in a flow list", item("    levels: [0, 5, 10]"), []string{
			"catalogue.yaml:7: level 0 is not a career level: levels run from 1 to 9",
			"catalogue.yaml:7: level 10 is not a career level: levels run from 1 to 9",
		}},
		{"levels outside 1-9 in a block list", item("    levels:", "      - 5", "      - 12", "      - 5"), []string{
			"catalogue.yaml:9: level 12 is not a career level: levels run from 1 to 9",
			"catalogue.yaml:10: level 5 is listed twice",
		}},
		{"link not http", item(`    url: "javascript:alert(1)"`), []string{"catalogue.yaml:7: the link must start with https:// or http://"}},
		{"link without a scheme", item("    url: www.kingsfund.org.uk"), []string{"catalogue.yaml:7: the link must start with https:// or http://"}},
		{"link incomplete", item(`    url: "https://"`), []string{`catalogue.yaml:7: the link "https://" is not a complete web address`}},
		{"duplicate keys", doc("items:", "  - key: a", "    kind: course", "    provider: P", "    title: T", "    free: true",
			"  - key: a", "    kind: course", "    provider: P", "    title: T2", "    free: true",
			"organisations:", "  - key: a", "    kind: funder", "    name: N"), []string{
			`catalogue.yaml:7: key "a" is used twice (first at line 2)`,
			`catalogue.yaml:13: key "a" is used twice (first at line 2)`,
		}},
		{"bad key", doc("items:", "  - key: Mary Seacole", "    kind: course", "    provider: P", "    title: T", "    free: true"),
			[]string{`catalogue.yaml:2: key "Mary Seacole" must be lower-case letters, digits and single hyphens, such as nhsla-mary-seacole`}},
		{"element references", item("    elements:", "      - influence", "      - OT:Influence", "      - ot-leadership:influence", "      - ot-leadership:influence"), []string{
			`catalogue.yaml:8: element "influence" must be written framework:element, such as ot-leadership:influence`,
			`catalogue.yaml:9: element "OT:Influence" must be written framework:element, such as ot-leadership:influence`,
			"catalogue.yaml:11: element ot-leadership:influence is listed twice",
		}},
		{"missing title and provider", doc("items:", "  - key: a", "    kind: programme", "    free: true"), []string{
			`catalogue.yaml:2: "provider" is required`,
			`catalogue.yaml:2: "title" is required`,
		}},
		{"blank title", doc("items:", "  - key: a", "    kind: programme", "    provider: P", `    title: " "`, "    free: true"),
			[]string{`catalogue.yaml:5: "title" is required`}},
		{"misspelt field", item("    titel: T"),
			[]string{`catalogue.yaml:7: unknown field "titel" in a programme or course (check the spelling; see SCHEMA.md for the fields allowed)`}},
		{"misspelt list", doc("courses: []"),
			[]string{`catalogue.yaml:1: unknown field "courses" in the catalogue (use items, resources and organisations) (check the spelling; see SCHEMA.md for the fields allowed)`}},
		{"empty entry", doc("items:", "  -", "  - key: b", "    kind: course", "    provider: P", "    title: T", "    free: true"),
			[]string{"catalogue.yaml:2: this entry is empty"}},
		{"resource problems", doc("resources:", "  - key: r", "    kind: video", "    title: T", "    year: 99",
			"    doi: https://doi.org/10.1000/xyz", "    url: ftp://example.org"), []string{
			`catalogue.yaml:3: kind "video" is not known: use article, book, report or web`,
			"catalogue.yaml:5: year 99 is not a year of publication (use 0 when unknown)",
			`catalogue.yaml:6: DOI "https://doi.org/10.1000/xyz" must look like 10.1234/abc, without https://doi.org/`,
			"catalogue.yaml:7: the link must start with https:// or http://",
		}},
		{"article without a journal or title", doc("resources:", "  - key: r", "    kind: article", `    authors: ["Smith, Ann", ""]`), []string{
			`catalogue.yaml:2: "title" is required`,
			"catalogue.yaml:2: an article needs its journal",
			"catalogue.yaml:4: an author is blank",
		}},
		{"organisation problems", doc("organisations:", "  - key: o", "    kind: charity", `    url: "mailto:someone"`, "    elements: [funding]"), []string{
			`catalogue.yaml:2: "name" is required`,
			`catalogue.yaml:3: kind "charity" is not known: use register, mentoring, coaching, funder, network or professional-body`,
			"catalogue.yaml:4: the link must start with https:// or http://",
			`catalogue.yaml:5: element "funding" must be written framework:element, such as ot-leadership:influence`,
		}},
		{"every problem at once, in line order", doc("items:", "  - key: a", "    kind: webinar", "    provider: P", "    title: T",
			"    cost_pence: -1", "    levels: [11]", "    url: file:///etc/passwd"), []string{
			`catalogue.yaml:3: kind "webinar" is not known: use programme, course or postgraduate`,
			"catalogue.yaml:6: cost cannot be negative",
			"catalogue.yaml:7: level 11 is not a career level: levels run from 1 to 9",
			"catalogue.yaml:8: the link must start with https:// or http://",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Parse("catalogue.yaml", []byte(tt.doc))
			var verr *ValidationError
			if !errors.As(err, &verr) {
				t.Fatalf("want a *ValidationError, got catalogue %v and error %v", c != nil, err)
			}
			if c != nil {
				t.Error("a catalogue with problems must not be returned")
			}
			got := strings.Join(verr.Lines(), "\n")
			if want := strings.Join(tt.want, "\n"); got != want {
				t.Errorf("problems:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}

func TestParseGood(t *testing.T) {
	c := mustParse(t, doc("items:", "  - key: a", "    kind: course", "    provider: P", "    title: T", "    cost_pence: 99900",
		"    format: in-person", "    levels: [5, 6]", "    url: http://example.org",
		"resources:", "  - key: r", "    kind: article", `    authors: ["Smith, Ann"]`, "    year: 2019", "    title: On leading",
		"    journal: British Journal of Occupational Therapy", "    doi: 10.1177/0308022619000000",
		"organisations:", "  - key: o", "    kind: network", "    name: N"))
	it := c.Item("a")
	if it == nil || *it.CostPence != 99900 || !it.CostKnown() || !it.Suits(6) || it.Suits(7) || it.Line != 2 {
		t.Errorf("item: %+v", it)
	}
	if r := c.Resource("r"); r == nil || r.Year != 2019 || r.Line != 11 {
		t.Errorf("resource: %+v", r)
	}
	if o := c.Organisation("o"); o == nil || o.Kind != OrgNetwork {
		t.Errorf("organisation: %+v", o)
	}
	if c.Item("r") != nil || c.Resource("a") != nil {
		t.Error("lookups must not cross kinds")
	}
	unknown := mustParse(t, item()).Item("a")
	unknown.Free = false
	if unknown.CostKnown() {
		t.Error("an item that is neither free nor priced has no known cost")
	}
}
