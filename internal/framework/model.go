// Package framework holds capability frameworks as versioned data: the model, the YAML loader and
// its validation, the built-in content, and the tables that store imported versions. A framework
// is content, never Go code: an organisation can import its own or a new version of ours.
package framework

// Framework is one version of a framework, as written in its YAML file.
type Framework struct {
	Key             string     `yaml:"key" json:"key,omitempty"`
	Version         string     `yaml:"version" json:"version,omitempty"`
	Title           string     `yaml:"title" json:"title,omitempty"`
	ShortTitle      string     `yaml:"short_title" json:"short_title,omitempty"`
	Publisher       string     `yaml:"publisher" json:"publisher,omitempty"`
	Source          string     `yaml:"source" json:"source,omitempty"`
	Licence         string     `yaml:"licence" json:"licence,omitempty"`
	Summary         string     `yaml:"summary" json:"summary,omitempty"`
	Description     string     `yaml:"description" json:"description,omitempty"`
	Scale           *Scale     `yaml:"scale" json:"scale,omitempty"`
	ImportanceScale *Scale     `yaml:"importance_scale" json:"importance_scale,omitempty"`
	Levels          []Level    `yaml:"levels" json:"levels,omitempty"`
	Elements        []*Element `yaml:"elements" json:"elements,omitempty"`

	byKey map[string]*Element
	order []*Element // depth-first, document order
}

// Scale is a rating scale: ordered points with labels.
type Scale struct {
	Name   string  `yaml:"name" json:"name,omitempty"`
	Points []Point `yaml:"points" json:"points,omitempty"`
	line   int
}

// Point is one step on a Scale.
type Point struct {
	Value       int    `yaml:"value" json:"value"`
	Label       string `yaml:"label" json:"label,omitempty"`
	Description string `yaml:"description" json:"description,omitempty"`
	line        int
}

// Level is a career level that descriptors refer to.
type Level struct {
	Number      int    `yaml:"number" json:"number"`
	Name        string `yaml:"name" json:"name,omitempty"`
	Description string `yaml:"description" json:"description,omitempty"`
	line        int
}

// Attribute is a labelled piece of text shown with an element (a column of the source table).
type Attribute struct {
	Label string `yaml:"label" json:"label,omitempty"`
	Text  string `yaml:"text" json:"text,omitempty"`
}

// Descriptor says what an element looks like at one career level.
type Descriptor struct {
	Level int    `yaml:"level" json:"level"`
	Text  string `yaml:"text" json:"text,omitempty"`
}

// Element is a node of the framework's tree: a group, a dimension, a skill, a standard...
type Element struct {
	Key         string       `yaml:"key" json:"key,omitempty"`
	Title       string       `yaml:"title" json:"title,omitempty"`
	Kind        string       `yaml:"kind" json:"kind,omitempty"`
	Summary     string       `yaml:"summary" json:"summary,omitempty"`
	Description string       `yaml:"description" json:"description,omitempty"`
	Rateable    bool         `yaml:"rateable" json:"rateable"`
	Columns     []string     `yaml:"columns" json:"columns,omitempty"`
	Attributes  []Attribute  `yaml:"attributes" json:"attributes,omitempty"`
	Descriptors []Descriptor `yaml:"descriptors" json:"descriptors,omitempty"`
	Children    []*Element   `yaml:"children" json:"children,omitempty"`
	Parent      *Element     `yaml:"-" json:"-"`
	Line        int          `yaml:"-" json:"-"`
	Depth       int          `yaml:"-" json:"-"`
}

// DisplayTitle is the short title when there is one.
func (f *Framework) DisplayTitle() string {
	if f.ShortTitle != "" {
		return f.ShortTitle
	}
	return f.Title
}

// Element returns the element with the given key, or nil.
func (f *Framework) Element(key string) *Element { return f.byKey[key] }

// All returns every element, depth-first in document order.
func (f *Framework) All() []*Element { return f.order }

// Rateable returns the elements that can be rated in an assessment, in document order.
func (f *Framework) Rateable() []*Element {
	var out []*Element
	for _, e := range f.order {
		if e.Rateable {
			out = append(out, e)
		}
	}
	return out
}

// Level returns the level with the given number, or nil.
func (f *Framework) Level(n int) *Level {
	for i := range f.Levels {
		if f.Levels[i].Number == n {
			return &f.Levels[i]
		}
	}
	return nil
}

// Descriptor returns the element's text for a level, or "".
func (e *Element) Descriptor(level int) string {
	for _, d := range e.Descriptors {
		if d.Level == level {
			return d.Text
		}
	}
	return ""
}

// Path returns the element's ancestors from the root, not including itself.
func (e *Element) Path() []*Element {
	var out []*Element
	for p := e.Parent; p != nil; p = p.Parent {
		out = append([]*Element{p}, out...)
	}
	return out
}

// index fills the derived lookups after decoding.
func (f *Framework) index() {
	f.byKey = map[string]*Element{}
	f.order = nil
	var walk func(parent *Element, list []*Element, depth int)
	walk = func(parent *Element, list []*Element, depth int) {
		for _, e := range list {
			e.Parent = parent
			e.Depth = depth
			if _, dup := f.byKey[e.Key]; !dup {
				f.byKey[e.Key] = e
			}
			f.order = append(f.order, e)
			walk(e, e.Children, depth+1)
		}
	}
	walk(nil, f.Elements, 0)
}
