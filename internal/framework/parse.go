package framework

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Problem is one thing wrong with a framework file, at a line (0 when the whole file is at fault).
type Problem struct {
	Line    int
	Message string
}

// ValidationError lists every problem found in one file, so an author can fix them all at once.
type ValidationError struct {
	File     string
	Problems []Problem
}

func (v *ValidationError) Error() string {
	var b strings.Builder
	for i, p := range v.Problems {
		if i > 0 {
			b.WriteByte('\n')
		}
		if p.Line > 0 {
			fmt.Fprintf(&b, "%s:%d: %s", v.File, p.Line, p.Message)
		} else {
			fmt.Fprintf(&b, "%s: %s", v.File, p.Message)
		}
	}
	return b.String()
}

// Lines returns the problems as "file:line: message" strings, for showing in a list.
func (v *ValidationError) Lines() []string { return strings.Split(v.Error(), "\n") }

const maxDocumentBytes = 2 << 20

var (
	slugRE     = regexp.MustCompile(`^[a-z0-9]+(?:-[a-z0-9]+)*$`)
	yamlLineRE = regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`)
)

// Parse reads and validates a framework file. name is used in error messages. On any problem it
// returns a *ValidationError naming the file, the line and what is wrong.
func Parse(name string, data []byte) (*Framework, error) {
	verr := &ValidationError{File: name}
	if len(bytes.TrimSpace(data)) == 0 {
		verr.Problems = append(verr.Problems, Problem{0, "the file is empty"})
		return nil, verr
	}
	if len(data) > maxDocumentBytes {
		verr.Problems = append(verr.Problems, Problem{0, fmt.Sprintf("the file is %d bytes; a framework file may be at most %d", len(data), maxDocumentBytes)})
		return nil, verr
	}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		verr.Problems = append(verr.Problems, yamlProblems(err)...)
		return nil, verr
	}
	if len(root.Content) == 0 || root.Content[0].Kind != yaml.MappingNode {
		verr.Problems = append(verr.Problems, Problem{1, "expected a mapping with key, version, title, summary and elements"})
		return nil, verr
	}
	var f Framework
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true) // a misspelt field must not silently drop content
	if err := dec.Decode(&f); err != nil && !errors.Is(err, io.EOF) {
		verr.Problems = append(verr.Problems, yamlProblems(err)...)
		return nil, verr
	}
	attachLines(&f, root.Content[0])
	f.index()
	verr.Problems = append(verr.Problems, validate(&f, root.Content[0])...)
	if len(verr.Problems) > 0 {
		sort.SliceStable(verr.Problems, func(i, j int) bool { return verr.Problems[i].Line < verr.Problems[j].Line })
		return nil, verr
	}
	return &f, nil
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

var notFoundRE = regexp.MustCompile(`^field (\S+) not found in type framework\.(\w+)$`)
var cannotRE = regexp.MustCompile(`^cannot unmarshal !!(\w+) ` + "`" + `?([^` + "`" + `]*)` + "`" + `? into (.*)$`)

func friendlyYAML(m string) string {
	if sm := notFoundRE.FindStringSubmatch(m); sm != nil {
		return fmt.Sprintf("unknown field %q in %s (check the spelling; see SCHEMA.md for the fields allowed)", sm[1], strings.ToLower(sm[2]))
	}
	if sm := cannotRE.FindStringSubmatch(m); sm != nil {
		want := sm[3]
		switch {
		case strings.HasSuffix(want, "int"):
			want = "a whole number"
		case strings.HasSuffix(want, "bool"):
			want = "true or false"
		case strings.HasPrefix(want, "[]"):
			want = "a list"
		case want == "string":
			want = "text"
		default:
			want = "a mapping of fields"
		}
		return fmt.Sprintf("expected %s here, found %q", want, sm[2])
	}
	return m
}

// attachLines walks the node tree beside the decoded structs, which are in the same order, and
// records where each element, level and scale point starts.
func attachLines(f *Framework, doc *yaml.Node) {
	if n := mapValue(doc, "elements"); n != nil {
		attachElementLines(f.Elements, n)
	}
	if n := mapValue(doc, "levels"); n != nil && n.Kind == yaml.SequenceNode {
		for i := range f.Levels {
			if i < len(n.Content) {
				f.Levels[i].line = n.Content[i].Line
			}
		}
	}
	for key, s := range map[string]*Scale{"scale": f.Scale, "importance_scale": f.ImportanceScale} {
		n := mapValue(doc, key)
		if s == nil || n == nil {
			continue
		}
		s.line = n.Line
		if pts := mapValue(n, "points"); pts != nil && pts.Kind == yaml.SequenceNode {
			for i := range s.Points {
				if i < len(pts.Content) {
					s.Points[i].line = pts.Content[i].Line
				}
			}
		}
	}
}

func attachElementLines(list []*Element, seq *yaml.Node) {
	if seq.Kind != yaml.SequenceNode {
		return
	}
	for i, e := range list {
		if i >= len(seq.Content) || e == nil {
			continue
		}
		e.Line = seq.Content[i].Line
		if c := mapValue(seq.Content[i], "children"); c != nil {
			attachElementLines(e.Children, c)
		}
	}
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

func lineOf(doc *yaml.Node, key string) int {
	if doc == nil || doc.Kind != yaml.MappingNode {
		return 0
	}
	for i := 0; i+1 < len(doc.Content); i += 2 {
		if doc.Content[i].Value == key {
			return doc.Content[i].Line
		}
	}
	return doc.Line
}

func validate(f *Framework, doc *yaml.Node) []Problem {
	var ps []Problem
	add := func(line int, format string, args ...any) {
		ps = append(ps, Problem{line, fmt.Sprintf(format, args...)})
	}
	required := func(field, value string) {
		if strings.TrimSpace(value) == "" {
			add(lineOf(doc, field), "%q is required", field)
		}
	}
	required("key", f.Key)
	required("version", f.Version)
	required("title", f.Title)
	required("summary", f.Summary)
	if f.Key != "" && !slugRE.MatchString(f.Key) {
		add(lineOf(doc, "key"), "key %q must be lower-case letters, digits and single hyphens, such as ot-leadership", f.Key)
	}
	if len(f.Version) > 40 || strings.ContainsAny(f.Version, "/?#% ") {
		add(lineOf(doc, "version"), "version %q must be a short label without spaces or slashes, such as 2026.1", f.Version)
	}
	for _, s := range []struct {
		field string
		scale *Scale
	}{{"scale", f.Scale}, {"importance_scale", f.ImportanceScale}} {
		if s.scale == nil {
			continue
		}
		if strings.TrimSpace(s.scale.Name) == "" {
			add(s.scale.line, "%s needs a name", s.field)
		}
		if n := len(s.scale.Points); n < 2 || n > 10 {
			add(s.scale.line, "%s must have from 2 to 10 points; it has %d", s.field, n)
		}
		for i, p := range s.scale.Points {
			if strings.TrimSpace(p.Label) == "" {
				add(p.line, "%s point %d needs a label", s.field, p.Value)
			}
			if i > 0 && p.Value <= s.scale.Points[i-1].Value {
				add(p.line, "%s values must increase: %d comes after %d", s.field, p.Value, s.scale.Points[i-1].Value)
			}
		}
	}
	levels := map[int]bool{}
	for i, l := range f.Levels {
		if l.Number != i+1 {
			add(l.line, "levels must be numbered 1, 2, 3... in order; expected %d, found %d", i+1, l.Number)
		}
		if strings.TrimSpace(l.Name) == "" {
			add(l.line, "level %d needs a name", l.Number)
		}
		levels[l.Number] = true
	}
	if len(f.Elements) == 0 {
		add(lineOf(doc, "elements"), "a framework needs at least one element")
	}
	firstLine := map[string]int{}
	for _, e := range f.order {
		where := fmt.Sprintf("element %q", e.Key)
		if e.Key == "" {
			where = fmt.Sprintf("element %q", e.Title)
			add(e.Line, "%s needs a key", where)
		} else if !slugRE.MatchString(e.Key) {
			add(e.Line, "%s: key must be lower-case letters, digits and single hyphens", where)
		} else if first, dup := firstLine[e.Key]; dup {
			add(e.Line, "%s: key is used twice (first at line %d)", where, first)
		} else {
			firstLine[e.Key] = e.Line
		}
		if strings.TrimSpace(e.Title) == "" {
			add(e.Line, "%s needs a title", where)
		}
		if e.Rateable && f.Scale == nil {
			add(e.Line, "%s is rateable but the framework has no scale", where)
		}
		for _, a := range e.Attributes {
			if strings.TrimSpace(a.Label) == "" {
				add(e.Line, "%s has an attribute with no label", where)
			}
		}
		seen := map[int]bool{}
		for _, d := range e.Descriptors {
			if !levels[d.Level] {
				add(e.Line, "%s has a descriptor for level %d, which is not in levels", where, d.Level)
			}
			if seen[d.Level] {
				add(e.Line, "%s has two descriptors for level %d", where, d.Level)
			}
			seen[d.Level] = true
		}
	}
	return ps
}
