package directory

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

var (
	slugRE     = regexp.MustCompile(`^[a-z0-9]+(?:-[a-z0-9]+)*$`)
	refRE      = regexp.MustCompile(`^[a-z0-9]+(?:-[a-z0-9]+)*:[a-z0-9]+(?:-[a-z0-9]+)*$`)
	doiRE      = regexp.MustCompile(`^10\.\d{4,9}/\S+$`)
	yamlLineRE = regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`)
)

// Levels is the number of RCOT career levels an item can suit.
const Levels = 9

// LinkProblem says what is wrong with a link, or "" when it is empty or a usable web address.
// Only http and https are accepted, so a link can never run script or open a local file.
func LinkProblem(link string) string {
	if link == "" {
		return ""
	}
	low := strings.ToLower(link)
	if !strings.HasPrefix(low, "https://") && !strings.HasPrefix(low, "http://") {
		return "the link must start with https:// or http://"
	}
	u, err := url.Parse(link)
	if err != nil || u.Host == "" || strings.ContainsAny(link, " \t\r\n") {
		return fmt.Sprintf("the link %q is not a complete web address", link)
	}
	return ""
}

// checker collects problems for one file; keys are unique across the whole file, so an item, a
// resource and an organisation can share one namespace when stored and searched.
type checker struct {
	ps   []Problem
	keys map[string]int
}

func (k *checker) add(line int, format string, args ...any) {
	k.ps = append(k.ps, Problem{line, fmt.Sprintf(format, args...)})
}

func validate(c *Catalogue, top *yaml.Node) []Problem {
	k := &checker{keys: map[string]int{}}
	if len(c.Items)+len(c.Resources)+len(c.Organisations) == 0 {
		k.add(1, "the catalogue has no items, resources or organisations")
	}
	for i, it := range c.Items {
		if it == nil {
			k.add(entryLine(top, "items", i), "this entry is empty")
			continue
		}
		k.item(it)
	}
	for i, r := range c.Resources {
		if r == nil {
			k.add(entryLine(top, "resources", i), "this entry is empty")
			continue
		}
		k.resource(r)
	}
	for i, o := range c.Organisations {
		if o == nil {
			k.add(entryLine(top, "organisations", i), "this entry is empty")
			continue
		}
		k.organisation(o)
	}
	return k.ps
}

func (k *checker) key(n *yaml.Node, key string) {
	line := fieldLine(n, "key")
	switch {
	case strings.TrimSpace(key) == "":
		k.add(line, `"key" is required`)
	case !slugRE.MatchString(key):
		k.add(line, "key %q must be lower-case letters, digits and single hyphens, such as nhsla-mary-seacole", key)
	default:
		if first, dup := k.keys[key]; dup {
			k.add(line, "key %q is used twice (first at line %d)", key, first)
		} else {
			k.keys[key] = line
		}
	}
}

// whole reports a number with a fraction: the YAML library would silently drop the fraction
// (9.99 pence would become 9).
func (k *checker) whole(n *yaml.Node, field, hint string) { k.wholeNode(mapValue(n, field), hint) }

func (k *checker) wholeNode(v *yaml.Node, hint string) {
	if v != nil && v.Kind == yaml.ScalarNode && v.ShortTag() == "!!float" {
		k.add(v.Line, "expected a whole number here, found %q%s", v.Value, hint)
	}
}

func (k *checker) required(n *yaml.Node, field, value string) {
	if strings.TrimSpace(value) == "" {
		k.add(fieldLine(n, field), "%q is required", field)
	}
}

func (k *checker) link(n *yaml.Node, link string) {
	if p := LinkProblem(link); p != "" {
		k.add(fieldLine(n, "url"), "%s", p)
	}
}

func (k *checker) elements(n *yaml.Node, refs []string) {
	lines := seqLines(n, "elements")
	seen := map[string]bool{}
	for i, ref := range refs {
		line := fieldLine(n, "elements")
		if i < len(lines) {
			line = lines[i]
		}
		if _, _, ok := SplitRef(ref); !ok {
			k.add(line, "element %q must be written framework:element, such as ot-leadership:influence", ref)
		} else if seen[ref] {
			k.add(line, "element %s is listed twice", ref)
		}
		seen[ref] = true
	}
}

func (k *checker) item(it *Item) {
	n := it.node
	k.key(n, it.Key)
	switch it.Kind {
	case KindProgramme, KindCourse, KindPostgraduate:
	case "":
		k.add(fieldLine(n, "kind"), `"kind" is required: programme, course or postgraduate`)
	default:
		k.add(fieldLine(n, "kind"), "kind %q is not known: use programme, course or postgraduate", it.Kind)
	}
	k.required(n, "provider", it.Provider)
	k.required(n, "title", it.Title)
	switch it.Format {
	case "", FormatOnline, FormatBlended, FormatInPerson:
	default:
		k.add(fieldLine(n, "format"), "format %q is not known: use online, blended or in-person, or leave it empty when unknown", it.Format)
	}
	k.whole(n, "hours", "")
	if it.Hours < 0 {
		k.add(fieldLine(n, "hours"), "hours cannot be negative")
	}
	k.cost(it)
	if ls := mapValue(n, "levels"); ls != nil && ls.Kind == yaml.SequenceNode {
		for _, l := range ls.Content {
			k.wholeNode(l, "")
		}
	}
	lines := seqLines(n, "levels")
	seen := map[int]bool{}
	for i, l := range it.Levels {
		line := fieldLine(n, "levels")
		if i < len(lines) {
			line = lines[i]
		}
		if l < 1 || l > Levels {
			k.add(line, "level %d is not a career level: levels run from 1 to %d", l, Levels)
		} else if seen[l] {
			k.add(line, "level %d is listed twice", l)
		}
		seen[l] = true
	}
	k.link(n, it.URL)
	k.elements(n, it.Elements)
}

// cost checks that exactly one of cost_pence, free: true and cost: unknown is given.
func (k *checker) cost(it *Item) {
	n := it.node
	if it.Cost != "" && it.Cost != CostUnknown {
		k.add(fieldLine(n, "cost"), `cost may only be "unknown"; give a price in pence as cost_pence`)
	}
	k.whole(n, "cost_pence", " (give the price in pence: 99900 for £999)")
	if it.CostPence != nil {
		switch {
		case *it.CostPence < 0:
			k.add(fieldLine(n, "cost_pence"), "cost cannot be negative")
		case *it.CostPence == 0:
			k.add(fieldLine(n, "cost_pence"), "a cost of 0 means free: write free: true instead")
		}
	}
	given := 0
	for _, set := range []bool{it.CostPence != nil, it.Free, it.Cost != ""} {
		if set {
			given++
		}
	}
	switch {
	case given == 0:
		k.add(n.Line, "give a price as cost_pence, or free: true, or cost: unknown")
	case given > 1 && it.Free:
		k.add(fieldLine(n, "free"), "an item cannot be both free and have a cost: keep only one")
	case given > 1:
		k.add(fieldLine(n, "cost"), "cost: unknown cannot be given with cost_pence: keep only one")
	}
}

func (k *checker) resource(r *Resource) {
	n := r.node
	k.key(n, r.Key)
	switch r.Kind {
	case ResourceArticle, ResourceBook, ResourceReport, ResourceWeb:
	case "":
		k.add(fieldLine(n, "kind"), `"kind" is required: article, book, report or web`)
	default:
		k.add(fieldLine(n, "kind"), "kind %q is not known: use article, book, report or web", r.Kind)
	}
	k.required(n, "title", r.Title)
	if r.Kind == ResourceArticle && strings.TrimSpace(r.Journal) == "" {
		k.add(fieldLine(n, "journal"), "an article needs its journal")
	}
	for _, a := range r.Authors {
		if strings.TrimSpace(a) == "" {
			k.add(fieldLine(n, "authors"), "an author is blank")
		}
	}
	k.whole(n, "year", "")
	if r.Year != 0 && (r.Year < 1800 || r.Year > 2200) {
		k.add(fieldLine(n, "year"), "year %d is not a year of publication (use 0 when unknown)", r.Year)
	}
	if r.DOI != "" && !doiRE.MatchString(r.DOI) {
		k.add(fieldLine(n, "doi"), "DOI %q must look like 10.1234/abc, without https://doi.org/", r.DOI)
	}
	k.link(n, r.URL)
	k.elements(n, r.Elements)
}

func (k *checker) organisation(o *Organisation) {
	n := o.node
	k.key(n, o.Key)
	switch o.Kind {
	case OrgRegister, OrgMentoring, OrgCoaching, OrgFunder, OrgNetwork, OrgProfessionalBody:
	case "":
		k.add(fieldLine(n, "kind"), `"kind" is required: register, mentoring, coaching, funder, network or professional-body`)
	default:
		k.add(fieldLine(n, "kind"), "kind %q is not known: use register, mentoring, coaching, funder, network or professional-body", o.Kind)
	}
	k.required(n, "name", o.Name)
	k.link(n, o.URL)
	k.elements(n, o.Elements)
}

// yamlProblems turns the YAML library's messages ("yaml: line 3: ...", or a TypeError's list)
// into problems with line numbers and friendlier words.
func yamlProblems(err error) []Problem {
	var msgs []string
	var te *yaml.TypeError
	if errors.As(err, &te) {
		msgs = te.Errors
	} else {
		msgs = []string{err.Error()}
	}
	var out []Problem
	for _, m := range msgs {
		p := Problem{Message: m}
		if sm := yamlLineRE.FindStringSubmatch(strings.TrimPrefix(m, "yaml: ")); sm != nil {
			p.Line, _ = strconv.Atoi(sm[1])
			p.Message = sm[2]
		}
		p.Message = friendlyYAML(p.Message)
		out = append(out, p)
	}
	return out
}

var (
	notFoundRE = regexp.MustCompile(`^field (\S+) not found in type directory\.(\w+)$`)
	cannotRE   = regexp.MustCompile(`^cannot unmarshal !!(\w+) ` + "`" + `?([^` + "`" + `]*)` + "`" + `? into (.*)$`)
)

var typeWords = map[string]string{
	"Catalogue":    "the catalogue (use items, resources and organisations)",
	"Item":         "a programme or course",
	"Resource":     "a resource",
	"Organisation": "an organisation",
}

func friendlyYAML(m string) string {
	if sm := notFoundRE.FindStringSubmatch(m); sm != nil {
		return fmt.Sprintf("unknown field %q in %s (check the spelling; see SCHEMA.md for the fields allowed)", sm[1], typeWords[sm[2]])
	}
	if sm := cannotRE.FindStringSubmatch(m); sm != nil {
		want := sm[3]
		switch {
		case strings.HasSuffix(want, "int"), strings.HasSuffix(want, "int64"):
			want = "a whole number"
		case strings.HasSuffix(want, "bool"):
			want = "true or false"
		case strings.HasPrefix(want, "[]"):
			want = "a list"
		case want == "string", strings.HasPrefix(want, "directory."):
			want = "text"
		default:
			want = "a mapping of fields"
		}
		return fmt.Sprintf("expected %s here, found %q", want, sm[2])
	}
	return m
}

func mapValue(m *yaml.Node, key string) *yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

// fieldLine is the line of a field in an entry, or the entry's first line when it is absent.
func fieldLine(m *yaml.Node, key string) int {
	if m == nil {
		return 0
	}
	if m.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(m.Content); i += 2 {
			if m.Content[i].Value == key {
				return m.Content[i].Line
			}
		}
	}
	return m.Line
}

// seqLines is the line of each entry of a list field.
func seqLines(m *yaml.Node, key string) []int {
	n := mapValue(m, key)
	if n == nil || n.Kind != yaml.SequenceNode {
		return nil
	}
	out := make([]int, len(n.Content))
	for i, c := range n.Content {
		out[i] = c.Line
	}
	return out
}

func entryLine(top *yaml.Node, list string, i int) int {
	if n := mapValue(top, list); n != nil && n.Kind == yaml.SequenceNode && i < len(n.Content) {
		return n.Content[i].Line
	}
	return fieldLine(top, list)
}
