package citation

import (
	"fmt"
	"io"
	"regexp"
	"strings"
)

// Bounds on what one BibTeX value can become: braces nested deeper than anyone writes them, or
// @string macros that double in size at each step, would otherwise take the stack or the memory.
const (
	maxDepth         = 50
	maxValueBytes    = 1 << 20
	maxExpandedBytes = 4 * MaxFileBytes
)

// ParseBibTeX reads a BibTeX file as exported by Google Scholar, Zotero, Mendeley, JabRef and
// others: @string macros and # concatenation, @comment and @preamble skipped, entry types in any
// case, values in braces, quotes or bare numbers, LaTeX turned into Unicode. It returns every
// reference in normal form with a unique key, or valid.Errors on "file" and no references.
func ParseBibTeX(r io.Reader) ([]Reference, error) {
	text, err := readInput(r, "BibTeX")
	if err != nil {
		return nil, err
	}
	p := &bibParser{s: text, lines: newLines(text), macros: monthMacros()}
	p.parse()
	refs := make([]Reference, 0, len(p.entries))
	for i, e := range p.entries {
		ref, errs := Normalise(e.reference())
		if errs.Any() {
			where := fmt.Sprintf("Record %d (line %d)", i+1, e.line)
			if e.key != "" {
				where = fmt.Sprintf("Record %d (line %d, %s)", i+1, e.line, quote(e.key))
			}
			p.probs.record(where, errs)
		}
		refs = append(refs, ref)
	}
	if err := p.probs.err(); err != nil {
		return nil, err
	}
	if len(refs) == 0 {
		if risStart.MatchString(text) {
			return nil, fileProblem("This looks like a RIS file, not BibTeX. Import it as RIS instead.")
		}
		return nil, fileProblem("There are no references in this file. A BibTeX file has entries that start with @, like @article{smith2020, title = {...}}.")
	}
	assignKeys(refs, true)
	return refs, nil
}

var risStart = regexp.MustCompile(`(?m)^TY  -`)

// knownTypes are entry types, besides those in bibKinds, that must be followed by a brace.
var knownTypes = map[string]bool{"misc": true, "unpublished": true, "manual": true, "string": true, "preamble": true}

type bibEntry struct {
	typ, key string
	line     int
	fields   map[string]string // raw LaTeX, lower-case names, the first of any repeats
}

type bibParser struct {
	s        string
	pos      int
	lines    lines
	macros   map[string]string
	expanded int
	entries  []bibEntry
	probs    problems
}

func monthMacros() map[string]string {
	m := map[string]string{}
	for _, name := range []string{"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"} {
		m[strings.ToLower(name[:3])] = name
	}
	return m
}

// parse reads the whole file. Text outside entries is a comment, as in BibTeX itself. It stops at
// the first fault in the structure, because after a missing brace nothing that follows can be
// trusted to be where it seems.
func (p *bibParser) parse() {
	for !p.probs.full() {
		i := strings.IndexAny(p.s[p.pos:], "@%")
		if i < 0 {
			return
		}
		at := p.pos + i
		p.pos = at + 1
		if p.s[at] == '%' { // a comment to the end of the line, which may hold an @
			if nl := strings.IndexByte(p.s[p.pos:], '\n'); nl >= 0 {
				p.pos += nl
			} else {
				p.pos = len(p.s)
			}
			continue
		}
		if at > 0 && isWordByte(p.s[at-1]) {
			continue // an email address
		}
		typ := strings.ToLower(p.ident())
		if typ == "" {
			continue
		}
		p.skipSpace()
		open := p.pos < len(p.s) && (p.s[p.pos] == '{' || p.s[p.pos] == '(')
		switch {
		case typ == "comment" && !open:
			continue // BibTeX's own meaning: the word is ignored, and what follows is text
		case typ == "comment":
			if !p.skipGroup(at, "the @comment") {
				return
			}
		case !open && (bibKinds[typ] != "" || knownTypes[typ]):
			p.probs.add("Line %d: @%s should be followed by an opening brace, like @%s{smith2020, title = {...}}.", p.lines.at(at), typ, typ)
			return
		case !open:
			continue // text such as "@someone" between entries, which BibTeX ignores too
		case typ == "preamble":
			if !p.skipGroup(at, "the @preamble") {
				return
			}
		case typ == "string":
			if !p.parseString(at) {
				return
			}
		default:
			if !p.parseEntry(typ, at) {
				return
			}
		}
	}
}

func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-'
}

// ident reads a name: an entry type, a field name or a macro.
func (p *bibParser) ident() string {
	start := p.pos
	for p.pos < len(p.s) {
		c := p.s[p.pos]
		if c <= ' ' || strings.IndexByte("\"#%'(),={}@~\\", c) >= 0 {
			break
		}
		p.pos++
	}
	return p.s[start:p.pos]
}

func (p *bibParser) skipSpace() {
	for p.pos < len(p.s) && (p.s[p.pos] == ' ' || p.s[p.pos] == '\t' || p.s[p.pos] == '\n' || p.s[p.pos] == '\f') {
		p.pos++
	}
}

// closer is the character that ends an entry opened with open, and what to call it.
func closer(open byte) (byte, string) {
	if open == '(' {
		return ')', "bracket"
	}
	return '}', "brace"
}

func (p *bibParser) skipGroup(at int, what string) bool {
	end := matchClose(p.s, p.pos)
	if end < 0 {
		_, word := closer(p.s[p.pos])
		p.probs.add("Line %d: %s is missing its closing %s. Check the file was exported completely.", p.lines.at(at), what, word)
		return false
	}
	p.pos = end
	return true
}

// matchClose returns the offset after the group opened at s[i], counting every brace as BibTeX
// does, or -1.
func matchClose(s string, i int) int {
	close, _ := closer(s[i])
	depth := 0
	for j := i + 1; j < len(s); j++ {
		switch c := s[j]; {
		case c == '{':
			depth++
		case c == '}' && depth > 0:
			depth--
		case c == close && depth == 0:
			return j + 1
		}
	}
	return -1
}

// parseString reads @string{name = value, ...} into the macros.
func (p *bibParser) parseString(at int) bool {
	close, word := closer(p.s[p.pos])
	p.pos++
	what := "the @string definition"
	for {
		p.skipSpace()
		switch {
		case p.pos >= len(p.s) || p.s[p.pos] == '@':
			p.probs.add("Line %d: %s is missing its closing %s. Check the file was exported completely.", p.lines.at(at), what, word)
			return false
		case p.s[p.pos] == close:
			p.pos++
			return true
		case p.s[p.pos] == ',':
			p.pos++
			continue
		}
		name := strings.ToLower(p.ident())
		if !p.expect(name, at, what, word) {
			return false
		}
		v, ok := p.value(at, what, name, word)
		if !ok {
			return false
		}
		p.macros[name] = v
	}
}

// expect checks that a field name was read and is followed by "=", and moves past it.
func (p *bibParser) expect(name string, at int, what, word string) bool {
	if name == "" {
		p.probs.add("Line %d: in %s, expected a field such as title = {...} but found %s.", p.lines.at(p.pos), what, quote(p.s[p.pos:min(len(p.s), p.pos+20)]))
		return false
	}
	p.skipSpace()
	switch {
	case p.pos >= len(p.s) || p.s[p.pos] == '@':
		p.probs.add("Line %d: %s is missing its closing %s. Check the file was exported completely.", p.lines.at(at), what, word)
		return false
	case p.s[p.pos] != '=':
		p.probs.add("Line %d: in %s, the field %s should be followed by =.", p.lines.at(p.pos), what, quote(name))
		return false
	}
	p.pos++
	return true
}

// parseEntry reads @type{key, name = value, ...}.
func (p *bibParser) parseEntry(typ string, at int) bool {
	close, word := closer(p.s[p.pos])
	p.pos++
	e := bibEntry{typ: typ, line: p.lines.at(at), fields: map[string]string{}}
	p.skipSpace()
	start := p.pos
	for p.pos < len(p.s) && p.s[p.pos] > ' ' && strings.IndexByte(",={}\"@", p.s[p.pos]) < 0 && p.s[p.pos] != close {
		p.pos++
	}
	e.key = p.s[start:p.pos]
	what := "the @" + typ + " entry"
	if e.key != "" {
		what = "the entry " + quote(e.key)
	}
	p.skipSpace()
	switch {
	case p.pos < len(p.s) && p.s[p.pos] == '=': // no key: that was the first field's name
		p.pos, e.key, what = start, "", "the @"+typ+" entry"
	case p.pos < len(p.s) && (p.s[p.pos] == ',' || p.s[p.pos] == close):
	case p.pos >= len(p.s) || p.s[p.pos] == '@':
		return p.unclosed(at, what, word)
	default:
		p.probs.add("Line %d: in %s, a comma should follow the citation key.", p.lines.at(p.pos), what)
		return false
	}
	for {
		p.skipSpace()
		switch {
		case p.pos >= len(p.s) || p.s[p.pos] == '@':
			return p.unclosed(at, what, word)
		case p.s[p.pos] == close:
			p.pos++
			p.entries = append(p.entries, e)
			if len(p.entries) > MaxRecords {
				p.probs.add("This file has more than %s references. Split it into smaller files and import each one.", thousands(MaxRecords))
				return false
			}
			return true
		case p.s[p.pos] == ',':
			p.pos++
			continue
		}
		name := strings.ToLower(p.ident())
		if !p.expect(name, at, what, word) {
			return false
		}
		v, ok := p.value(at, what, name, word)
		if !ok {
			return false
		}
		if _, seen := e.fields[name]; !seen {
			e.fields[name] = v
		}
		p.skipSpace()
		if p.pos < len(p.s) && p.s[p.pos] != ',' && p.s[p.pos] != close && p.s[p.pos] != '@' {
			p.probs.add("Line %d: in %s, a comma is missing after the field %s.", p.lines.at(p.pos), what, quote(name))
			return false
		}
	}
}

func (p *bibParser) unclosed(at int, what, word string) bool {
	p.probs.add("Line %d: %s is missing its closing %s. Check the file was exported completely.", p.lines.at(at), what, word)
	return false
}

// value reads parts joined by #: {braced}, "quoted", a number or a macro name.
func (p *bibParser) value(at int, what, field, word string) (string, bool) {
	var b strings.Builder
	for {
		p.skipSpace()
		if p.pos >= len(p.s) {
			return "", p.unclosed(at, what, word)
		}
		before := b.Len()
		switch c := p.s[p.pos]; {
		case c == '{' || c == '"':
			part, ok := p.delimited(at, what, field, word)
			if !ok {
				return "", false
			}
			b.WriteString(part)
		case c >= '0' && c <= '9':
			start := p.pos
			for p.pos < len(p.s) && p.s[p.pos] >= '0' && p.s[p.pos] <= '9' {
				p.pos++
			}
			b.WriteString(p.s[start:p.pos])
		default:
			name := p.ident()
			if name == "" {
				p.probs.add("Line %d: in %s, the value of %s should be in braces {...} or quotes \"...\".", p.lines.at(p.pos), what, quote(field))
				return "", false
			}
			if m, ok := p.macros[strings.ToLower(name)]; ok {
				name = m
			}
			b.WriteString(name) // an undefined macro stands for its own name: better than nothing
		}
		if p.expanded += b.Len() - before; b.Len() > maxValueBytes || p.expanded > maxExpandedBytes {
			p.probs.add("Line %d: in %s, the value of %s is longer than 1 MB once its @string macros are filled in.", p.lines.at(p.pos), what, quote(field))
			return "", false
		}
		p.skipSpace()
		if p.pos < len(p.s) && p.s[p.pos] == '#' {
			p.pos++
			continue
		}
		return b.String(), true
	}
}

// entryStart finds a line that starts a new entry inside what should be one value: the usual
// sign that a value or entry above it lost its closing brace.
var entryStart = regexp.MustCompile(`^[ \t]*@[a-zA-Z]+[ \t]*[{(]`)

// delimited reads a {braced} or "quoted" part, braces inside balanced, and returns its inside.
func (p *bibParser) delimited(at int, what, field, word string) (string, bool) {
	quoted := p.s[p.pos] == '"'
	start := p.pos + 1
	depth := 0
	for i := start; i < len(p.s); i++ {
		switch p.s[i] {
		case '{':
			if depth++; depth > maxDepth {
				p.probs.add("Line %d: in %s, the value of %s has braces nested more than %d deep.", p.lines.at(i), what, quote(field), maxDepth)
				return "", false
			}
		case '}':
			if depth == 0 {
				if quoted {
					p.probs.add("Line %d: in %s, the value of %s has a closing brace } with no opening brace before it.", p.lines.at(i), what, quote(field))
					return "", false
				}
				p.pos = i + 1
				return p.s[start:i], true
			}
			depth--
		case '"':
			if quoted && depth == 0 {
				p.pos = i + 1
				return p.s[start:i], true
			}
		case '\n':
			if entryStart.MatchString(p.s[i+1 : min(len(p.s), i+200)]) {
				return "", p.unclosed(at, what, word)
			}
		}
	}
	return "", p.unclosed(at, what, word)
}

// thousands writes n with commas, as people read numbers.
func thousands(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
