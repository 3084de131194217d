// Package directory is the catalogue of leadership development: programmes, courses and
// postgraduate courses, published resources (articles, books, reports, web pages), and the
// organisations and schemes behind them (coaching registers, mentoring schemes, funders,
// networks). Each entry names the framework elements it develops, so recommendations can match
// it to a person's gaps.
//
// The built-in catalogue is content, not code: builtin/catalogue.yaml is embedded, validated on
// load with file:line messages, and described in SCHEMA.md.
package directory

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"
)

// Kind is what sort of learning an Item is.
type Kind string

const (
	KindProgramme    Kind = "programme"    // a development programme, often several months long
	KindCourse       Kind = "course"       // a short course or workshop
	KindPostgraduate Kind = "postgraduate" // a university course or module at postgraduate level
)

// Format is how an Item is delivered. An empty Format means the source did not say.
type Format string

const (
	FormatOnline   Format = "online"
	FormatBlended  Format = "blended"
	FormatInPerson Format = "in-person"
)

// CostUnknown is the only value the cost field may take: a price that is not known.
const CostUnknown = "unknown"

// Item is a programme, course or postgraduate course. Exactly one of CostPence, Free and
// Cost == CostUnknown is set.
type Item struct {
	Key         string   `yaml:"key" json:"key"`
	Kind        Kind     `yaml:"kind" json:"kind"`
	Provider    string   `yaml:"provider" json:"provider"`
	Title       string   `yaml:"title" json:"title"`
	Summary     string   `yaml:"summary" json:"summary,omitempty"`
	Format      Format   `yaml:"format" json:"format,omitempty"`
	Length      string   `yaml:"length" json:"length,omitempty"`
	Hours       int      `yaml:"hours" json:"hours"` // study hours; 0 when unknown
	CostPence   *int64   `yaml:"cost_pence" json:"cost_pence,omitempty"`
	Free        bool     `yaml:"free" json:"free"`
	Cost        string   `yaml:"cost" json:"cost,omitempty"`
	CostNote    string   `yaml:"cost_note" json:"cost_note,omitempty"`
	Eligibility string   `yaml:"eligibility" json:"eligibility,omitempty"`
	Levels      []int    `yaml:"levels" json:"levels,omitempty"` // RCOT career levels 1-9 it suits
	Award       string   `yaml:"award" json:"award,omitempty"`
	Location    string   `yaml:"location" json:"location,omitempty"`
	URL         string   `yaml:"url" json:"url,omitempty"`
	Elements    []string `yaml:"elements" json:"elements,omitempty"` // "framework:element"
	Line        int      `yaml:"-" json:"-"`

	node *yaml.Node
}

// CostKnown reports whether the item is free or has a price.
func (it *Item) CostKnown() bool { return it.Free || it.CostPence != nil }

// Suits reports whether the item lists the career level.
func (it *Item) Suits(level int) bool {
	for _, l := range it.Levels {
		if l == level {
			return true
		}
	}
	return false
}

// ResourceKind is what sort of publication a Resource is.
type ResourceKind string

const (
	ResourceArticle ResourceKind = "article"
	ResourceBook    ResourceKind = "book"
	ResourceReport  ResourceKind = "report"
	ResourceWeb     ResourceKind = "web"
)

// Resource is a published item to read, with the fields a citation needs (so it can go out as
// BibTeX or RIS) and an annotation saying why it helps.
type Resource struct {
	Key        string       `yaml:"key" json:"key"`
	Kind       ResourceKind `yaml:"kind" json:"kind"`
	Authors    []string     `yaml:"authors" json:"authors,omitempty"` // "Family, Given", or an organisation
	Year       int          `yaml:"year" json:"year,omitempty"`       // 0 when unknown
	Title      string       `yaml:"title" json:"title"`
	Journal    string       `yaml:"journal" json:"journal,omitempty"`
	Volume     string       `yaml:"volume" json:"volume,omitempty"`
	Issue      string       `yaml:"issue" json:"issue,omitempty"`
	Pages      string       `yaml:"pages" json:"pages,omitempty"`
	Publisher  string       `yaml:"publisher" json:"publisher,omitempty"`
	Access     string       `yaml:"access" json:"access,omitempty"` // e.g. members only, and how to find it
	DOI        string       `yaml:"doi" json:"doi,omitempty"`
	URL        string       `yaml:"url" json:"url,omitempty"`
	Annotation string       `yaml:"annotation" json:"annotation,omitempty"`
	Elements   []string     `yaml:"elements" json:"elements,omitempty"`
	Line       int          `yaml:"-" json:"-"`

	node *yaml.Node
}

// OrgKind is what an Organisation offers.
type OrgKind string

const (
	OrgRegister         OrgKind = "register" // a register of coaches or mentors
	OrgMentoring        OrgKind = "mentoring"
	OrgCoaching         OrgKind = "coaching"
	OrgFunder           OrgKind = "funder"
	OrgNetwork          OrgKind = "network"
	OrgProfessionalBody OrgKind = "professional-body"
)

// Organisation is an organisation or a scheme one runs.
type Organisation struct {
	Key         string   `yaml:"key" json:"key"`
	Kind        OrgKind  `yaml:"kind" json:"kind"`
	Name        string   `yaml:"name" json:"name"`
	RunBy       string   `yaml:"run_by" json:"run_by,omitempty"`
	Description string   `yaml:"description" json:"description,omitempty"`
	URL         string   `yaml:"url" json:"url,omitempty"`
	Elements    []string `yaml:"elements" json:"elements,omitempty"`
	Line        int      `yaml:"-" json:"-"`

	node *yaml.Node
}

// Catalogue is one catalogue file. Treat a parsed catalogue as read-only: Builtin shares one.
type Catalogue struct {
	Items         []*Item         `yaml:"items" json:"items"`
	Resources     []*Resource     `yaml:"resources" json:"resources"`
	Organisations []*Organisation `yaml:"organisations" json:"organisations"`

	name  string
	items map[string]*Item
	res   map[string]*Resource
	orgs  map[string]*Organisation
}

// Item returns the programme or course with the key, or nil.
func (c *Catalogue) Item(key string) *Item { return c.items[key] }

// Resource returns the resource with the key, or nil.
func (c *Catalogue) Resource(key string) *Resource { return c.res[key] }

// Organisation returns the organisation or scheme with the key, or nil.
func (c *Catalogue) Organisation(key string) *Organisation { return c.orgs[key] }

//go:embed builtin/catalogue.yaml
var builtinYAML []byte

var builtin = sync.OnceValue(func() *Catalogue {
	c, err := Parse("catalogue.yaml", builtinYAML)
	if err != nil {
		panic("directory: the built-in catalogue is invalid:\n" + err.Error())
	}
	return c
})

// Builtin returns the embedded catalogue. It panics only if the embedded file is invalid, which
// TestBuiltinCatalogue rules out.
func Builtin() *Catalogue { return builtin() }

// Problem is one thing wrong with a catalogue file, at a line (0 when the whole file is at fault).
type Problem struct {
	Line    int
	Message string
}

// ValidationError lists every problem found in one file, so an author can fix them all at once.
type ValidationError struct {
	File     string
	Problems []Problem
}

func (v *ValidationError) Error() string { return strings.Join(v.Lines(), "\n") }

// Lines returns the problems as "file:line: message" strings, for showing in a list.
func (v *ValidationError) Lines() []string {
	out := make([]string, len(v.Problems))
	for i, p := range v.Problems {
		if p.Line > 0 {
			out[i] = fmt.Sprintf("%s:%d: %s", v.File, p.Line, p.Message)
		} else {
			out[i] = fmt.Sprintf("%s: %s", v.File, p.Message)
		}
	}
	return out
}

const maxDocumentBytes = 4 << 20

// Parse reads and validates a catalogue file; name is used in messages. On any problem it
// returns a *ValidationError listing every problem with its line.
func Parse(name string, doc []byte) (*Catalogue, error) {
	verr := &ValidationError{File: name}
	fail := func(ps ...Problem) (*Catalogue, error) {
		verr.Problems = append(verr.Problems, ps...)
		return nil, verr
	}
	if len(bytes.TrimSpace(doc)) == 0 {
		return fail(Problem{0, "the file is empty"})
	}
	if len(doc) > maxDocumentBytes {
		return fail(Problem{0, fmt.Sprintf("the file is %d bytes; a catalogue file may be at most %d", len(doc), maxDocumentBytes)})
	}
	var root yaml.Node
	if err := yaml.Unmarshal(doc, &root); err != nil {
		return fail(yamlProblems(err)...)
	}
	if len(root.Content) == 0 || root.Content[0].Kind != yaml.MappingNode {
		return fail(Problem{1, "expected a mapping with items, resources and organisations"})
	}
	c := &Catalogue{name: name}
	dec := yaml.NewDecoder(bytes.NewReader(doc))
	dec.KnownFields(true) // a misspelt field must not silently drop content
	if err := dec.Decode(c); err != nil && !errors.Is(err, io.EOF) {
		return fail(yamlProblems(err)...)
	}
	top := root.Content[0]
	attach(c.Items, mapValue(top, "items"), func(it *Item, n *yaml.Node) { it.node, it.Line = n, n.Line })
	attach(c.Resources, mapValue(top, "resources"), func(r *Resource, n *yaml.Node) { r.node, r.Line = n, n.Line })
	attach(c.Organisations, mapValue(top, "organisations"), func(o *Organisation, n *yaml.Node) { o.node, o.Line = n, n.Line })
	if ps := validate(c, top); len(ps) > 0 {
		sort.SliceStable(ps, func(i, j int) bool { return ps[i].Line < ps[j].Line })
		return fail(ps...)
	}
	c.items = map[string]*Item{}
	c.res = map[string]*Resource{}
	c.orgs = map[string]*Organisation{}
	for _, it := range c.Items {
		c.items[it.Key] = it
	}
	for _, r := range c.Resources {
		c.res[r.Key] = r
	}
	for _, o := range c.Organisations {
		c.orgs[o.Key] = o
	}
	return c, nil
}

// attach gives each decoded entry its YAML node; decoding keeps document order, so the i-th
// entry is the i-th node of the sequence.
func attach[T any](list []*T, seq *yaml.Node, set func(*T, *yaml.Node)) {
	if seq == nil || seq.Kind != yaml.SequenceNode {
		return
	}
	for i, e := range list {
		if e != nil && i < len(seq.Content) {
			set(e, seq.Content[i])
		}
	}
}

// CheckElements reports each element reference that exists(framework, element) denies, as
// "file:line: message" strings. The catalogue cannot check this alone: frameworks are data too,
// and an organisation may have imported others.
func (c *Catalogue) CheckElements(exists func(framework, element string) bool) []string {
	var out []string
	check := func(what string, refs []string, node *yaml.Node) {
		lines := seqLines(node, "elements")
		for i, ref := range refs {
			fw, el, ok := SplitRef(ref)
			if ok && exists(fw, el) {
				continue
			}
			line := 0
			if i < len(lines) {
				line = lines[i]
			}
			out = append(out, fmt.Sprintf("%s:%d: %s: element %s does not exist (check the framework and element keys)", c.name, line, what, ref))
		}
	}
	for _, it := range c.Items {
		check(fmt.Sprintf("item %q", it.Key), it.Elements, it.node)
	}
	for _, r := range c.Resources {
		check(fmt.Sprintf("resource %q", r.Key), r.Elements, r.node)
	}
	for _, o := range c.Organisations {
		check(fmt.Sprintf("organisation %q", o.Key), o.Elements, o.node)
	}
	return out
}

// SplitRef splits "framework:element" into its keys; ok is false when ref is not written that way.
func SplitRef(ref string) (framework, element string, ok bool) {
	if !refRE.MatchString(ref) {
		return "", "", false
	}
	framework, element, _ = strings.Cut(ref, ":")
	return framework, element, true
}
