package leap2a

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"regexp"
	"strings"
	"unicode/utf8"
)

// node is an element or, when name.Local is "", a run of text.
type node struct {
	name  xml.Name
	attr  []xml.Attr
	text  []byte // appended to as the parser goes, so long runs of text cost linear time
	kids  []*node
	scope *scope // namespace prefixes in force, for CURIEs in attribute values
	line  int
}

// scope is one level of namespace declarations.
type scope struct {
	parent *scope
	prefix map[string]string
}

func (s *scope) lookup(p string) (string, bool) {
	for ; s != nil; s = s.parent {
		if uri, ok := s.prefix[p]; ok {
			return uri, true
		}
	}
	return "", false
}

// parseFeed reads a LEAP2A feed with the standard library's decoder in strict mode, which never
// expands entities beyond the five predefined ones and never fetches anything. On top of that it
// refuses any directive (<!DOCTYPE, <!ENTITY ...) outright and bounds nesting and element count.
// It streams: each child of the feed is built, handed to visit, and dropped, so memory holds one
// entry at a time. It returns the feed element itself, without children.
func parseFeed(data []byte, lim limits, visit func(*node) error) (*node, error) {
	d := xml.NewDecoder(bytes.NewReader(data))
	d.Strict = true
	badEncoding := ""
	d.CharsetReader = func(label string, in io.Reader) (io.Reader, error) {
		switch strings.ToLower(label) {
		case "us-ascii", "ascii":
			return in, nil
		case "iso-8859-1", "latin1", "latin-1", "iso_8859-1":
			return latin1Reader{in}, nil
		}
		badEncoding = label
		return nil, errors.New("unsupported encoding")
	}
	var (
		stack    []*node
		root     *node
		closed   bool
		elements int
	)
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			if badEncoding != "" {
				return nil, problem("This LEAP2A file is written in the %q character encoding, and Pillars reads only UTF-8. %s", badEncoding, exportAgain)
			}
			return nil, syntaxProblem(err, d)
		}
		line, _ := d.InputPos()
		switch t := tok.(type) {
		case xml.Directive:
			return nil, problem("This LEAP2A file contains a document type declaration (<!DOCTYPE> or <!ENTITY>, line %d). Pillars refuses these, because they can be used to read files from the server or to exhaust its memory. %s", line, exportAgain)
		case xml.StartElement:
			if closed {
				return nil, problem("This LEAP2A file is damaged: there is more XML after the end of the feed (line %d). %s", line, exportAgain)
			}
			elements++
			if elements > lim.elements {
				return nil, problem("This LEAP2A file has more than %d XML elements, more than Pillars can read at once. Export a smaller part of your portfolio and import it in pieces.", lim.elements)
			}
			if len(stack)+1 > lim.depth {
				return nil, problem("This LEAP2A file nests its XML more than %d levels deep (line %d), which Pillars refuses. %s", lim.depth, line, exportAgain)
			}
			var parent *scope
			if len(stack) > 0 {
				parent = stack[len(stack)-1].scope
			}
			n := &node{name: t.Name, attr: t.Attr, scope: parent, line: line}
			for _, a := range t.Attr {
				if a.Name.Space == "xmlns" || (a.Name.Space == "" && a.Name.Local == "xmlns") {
					if n.scope == parent {
						n.scope = &scope{parent: parent, prefix: map[string]string{}}
					}
					p := a.Name.Local
					if a.Name.Space == "" {
						p = ""
					}
					n.scope.prefix[p] = a.Value
				}
			}
			if root == nil {
				if t.Name.Space != nsAtom || t.Name.Local != "feed" {
					return nil, problem("This XML file is not a LEAP2A export: it should be an Atom <feed>, but it starts with <%s>. %s", t.Name.Local, exportAgain)
				}
				root = n
			} else if len(stack) > 1 {
				p := stack[len(stack)-1]
				p.kids = append(p.kids, n)
			}
			stack = append(stack, n)
		case xml.EndElement:
			n := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			switch len(stack) {
			case 0:
				closed = true
			case 1:
				if err := visit(n); err != nil {
					return nil, err
				}
			}
		case xml.CharData:
			if len(stack) > 1 {
				p := stack[len(stack)-1]
				if k := len(p.kids); k > 0 && p.kids[k-1].name.Local == "" {
					p.kids[k-1].text = append(p.kids[k-1].text, t...)
				} else {
					p.kids = append(p.kids, &node{text: append([]byte(nil), t...)})
				}
			}
		}
	}
	if root == nil {
		return nil, problem("This LEAP2A file has no feed in it: the leap2a.xml is empty. %s", exportAgain)
	}
	return root, nil
}

var closedByRE = regexp.MustCompile(`^element <(\S+)> closed by </(\S+)>$`)

// syntaxProblem turns a parser error into a sentence with the line number.
func syntaxProblem(err error, d *xml.Decoder) error {
	line, _ := d.InputPos()
	msg := strings.TrimPrefix(err.Error(), "xml: ")
	var se *xml.SyntaxError
	if errors.As(err, &se) {
		line, msg = se.Line, se.Msg
	}
	detail := "the parser said: " + msg
	switch {
	case msg == "unexpected EOF":
		detail = "the file ends before all its elements are closed"
	case closedByRE.MatchString(msg):
		m := closedByRE.FindStringSubmatch(msg)
		detail = "<" + m[1] + "> is closed by </" + m[2] + ">"
	case strings.HasPrefix(msg, "invalid character entity"):
		detail = strings.TrimPrefix(msg, "invalid character entity ") + " is not a character reference XML allows"
	case msg == "invalid UTF-8":
		detail = "it is not valid UTF-8 text"
	case strings.HasPrefix(msg, "unexpected end element"):
		detail = strings.TrimPrefix(msg, "unexpected end element ") + " closes an element that was never opened"
	}
	return problem("This LEAP2A file is damaged: its XML is broken at line %d (%s). %s", line, detail, exportAgain)
}

// latin1Reader turns ISO-8859-1 bytes into UTF-8.
type latin1Reader struct{ r io.Reader }

func (l latin1Reader) Read(p []byte) (int, error) {
	if len(p) < 2 {
		return 0, io.ErrShortBuffer
	}
	buf := make([]byte, len(p)/2)
	n, err := l.r.Read(buf)
	out := p[:0]
	for _, b := range buf[:n] {
		out = utf8.AppendRune(out, rune(b))
	}
	return len(out), err
}

// Helpers over the tree.

func (n *node) is(space, local string) bool { return n.name.Space == space && n.name.Local == local }

func (n *node) child(space, local string) *node {
	for _, k := range n.kids {
		if k.is(space, local) {
			return k
		}
	}
	return nil
}

func (n *node) children(space, local string) []*node {
	var out []*node
	for _, k := range n.kids {
		if k.is(space, local) {
			out = append(out, k)
		}
	}
	return out
}

// get returns an attribute by namespace and name ("" for an unprefixed one).
func (n *node) get(space, local string) (string, bool) {
	for _, a := range n.attr {
		if a.Name.Space == space && a.Name.Local == local {
			return a.Value, true
		}
	}
	return "", false
}

func (n *node) attrOf(space, local string) string {
	v, _ := n.get(space, local)
	return v
}

// leapAttr finds a LEAP2A attribute whatever version of the namespace declared it.
func (n *node) leapAttr(local string) string {
	for _, a := range n.attr {
		if a.Name.Local == local && isLeapNS(a.Name.Space) {
			return a.Value
		}
	}
	return ""
}

// textContent is all the text inside, as written.
func (n *node) textContent() string {
	if n == nil {
		return ""
	}
	if n.name.Local == "" {
		return string(n.text)
	}
	var b strings.Builder
	var walk func(*node)
	walk = func(m *node) {
		for _, k := range m.kids {
			if k.name.Local == "" {
				b.Write(k.text)
			} else {
				walk(k)
			}
		}
	}
	walk(n)
	return b.String()
}

// isLeapNS accepts the LEAP2A namespaces of 2009-03, 2010-07 and 2016, and the archived copies
// of them some exporters declare.
func isLeapNS(ns string) bool {
	l := strings.ToLower(ns)
	// An undeclared "leap2:" or "leap:" prefix stays as the namespace: accept that slip too.
	return ns == nsLeap2 || ns == "leap2" || ns == "leap" || strings.Contains(l, "terms.leapspecs.org") || strings.Contains(l, "cetis.org.uk/leap2/terms") ||
		strings.Contains(l, "leap2a_predicates") || strings.Contains(l, "leap2a_types")
}

// expand turns a CURIE ("leap2:entry" or "[leap2:entry]") into a full URI using the prefixes in
// force at n; anything else comes back unchanged.
func (n *node) expand(v string) string {
	v = strings.TrimSpace(v)
	if strings.HasPrefix(v, "[") && strings.HasSuffix(v, "]") {
		v = v[1 : len(v)-1]
	}
	if i := strings.IndexByte(v, ':'); i > 0 && !strings.HasPrefix(v[i+1:], "//") {
		if uri, ok := n.scope.lookup(v[:i]); ok {
			return uri + v[i+1:]
		}
	}
	return v
}

// term is the last part of a URI or CURIE: "has_part" for "leap2:has_part" or
// "http://terms.leapspecs.org/has_part". Atom's own relations ("related") pass unchanged.
func term(v string) string {
	v = strings.TrimSpace(v)
	v = strings.TrimSuffix(strings.TrimPrefix(v, "["), "]")
	if i := strings.LastIndexAny(v, "/#:"); i >= 0 {
		return v[i+1:]
	}
	return v
}
