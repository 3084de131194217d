package leap2a

import (
	"encoding/base64"
	"errors"
	"html"
	"strings"
	"unicode"
	"unicode/utf8"
)

// b64 marks a Pillars value that XML cannot hold as written (control characters, invalid UTF-8)
// or that itself starts with the mark; such values travel base64-encoded so they come back exact.
const b64 = "b64:"

func enc(s string) string {
	if xmlSafe(s) && !strings.HasPrefix(s, b64) {
		return s
	}
	return b64 + base64.StdEncoding.EncodeToString([]byte(s))
}

var errBadValue = errors.New("leap2a: bad encoded value")

func dec(s string) (string, error) {
	if !strings.HasPrefix(s, b64) {
		return s, nil
	}
	b, err := base64.StdEncoding.DecodeString(s[len(b64):])
	if err != nil {
		return "", errBadValue
	}
	return string(b), nil
}

// xmlChar reports whether XML 1.0 allows r in a document.
func xmlChar(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D || (r >= 0x20 && r <= 0xD7FF) || (r >= 0xE000 && r <= 0xFFFD) || (r >= 0x10000 && r <= 0x10FFFF)
}

func xmlSafe(s string) bool {
	for i, r := range s {
		if r == utf8.RuneError {
			if _, size := utf8.DecodeRuneInString(s[i:]); size == 1 {
				return false
			}
		}
		if !xmlChar(r) {
			return false
		}
	}
	return true
}

// escape writes s for XML. Carriage returns are always escaped, or a parser would turn "\r\n"
// into "\n"; in attributes newlines and tabs are escaped too, or they would become spaces.
// Characters XML cannot hold become U+FFFD (exact values go through enc first).
func escape(s string, attr bool) string {
	var b strings.Builder
	for i, r := range s {
		if r == utf8.RuneError {
			if _, size := utf8.DecodeRuneInString(s[i:]); size == 1 {
				b.WriteRune(unicode.ReplacementChar)
				continue
			}
		}
		switch {
		case r == '&':
			b.WriteString("&amp;")
		case r == '<':
			b.WriteString("&lt;")
		case r == '>':
			b.WriteString("&gt;")
		case r == '\r':
			b.WriteString("&#xD;")
		case attr && r == '"':
			b.WriteString("&quot;")
		case attr && r == '\n':
			b.WriteString("&#xA;")
		case attr && r == '\t':
			b.WriteString("&#x9;")
		case !xmlChar(r):
			b.WriteRune(unicode.ReplacementChar)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// paragraphs splits plain text on blank lines; each paragraph's lines stay separate.
func paragraphs(s string) [][]string {
	s = strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
	var out [][]string
	var cur []string
	for _, line := range strings.Split(s, "\n") {
		if strings.TrimSpace(line) == "" {
			if cur != nil {
				out = append(out, cur)
				cur = nil
			}
			continue
		}
		cur = append(cur, strings.TrimSpace(line))
	}
	if cur != nil {
		out = append(out, cur)
	}
	return out
}

// Turning foreign HTML into plain paragraphs.

var blockTags = map[string]bool{
	"p": true, "div": true, "h1": true, "h2": true, "h3": true, "h4": true, "h5": true, "h6": true,
	"li": true, "ul": true, "ol": true, "dl": true, "dt": true, "dd": true, "blockquote": true,
	"pre": true, "table": true, "tr": true, "section": true, "article": true, "header": true,
	"footer": true, "address": true, "figure": true, "figcaption": true, "hr": true, "td": true, "th": true,
}

var skipTags = map[string]bool{"script": true, "style": true, "head": true, "title": true, "template": true}

// textBuilder collects paragraphs, collapsing white space as a browser would.
type textBuilder struct {
	paras []string
	cur   strings.Builder
	space bool
}

func (t *textBuilder) text(s string) {
	for _, r := range s {
		if unicode.IsSpace(r) {
			t.space = true
			continue
		}
		if t.space && t.cur.Len() > 0 {
			last, _ := utf8.DecodeLastRuneInString(t.cur.String())
			if last != '\n' {
				t.cur.WriteByte(' ')
			}
		}
		t.space = false
		t.cur.WriteRune(r)
	}
}

func (t *textBuilder) lineBreak() {
	if t.cur.Len() > 0 {
		t.cur.WriteByte('\n')
	}
	t.space = false
}

func (t *textBuilder) block() {
	if p := strings.TrimSpace(t.cur.String()); p != "" {
		t.paras = append(t.paras, p)
	}
	t.cur.Reset()
	t.space = false
}

func (t *textBuilder) String() string {
	t.block()
	return strings.Join(t.paras, "\n\n")
}

// xhtmlText is the readable text of parsed XHTML content.
func xhtmlText(n *node) string {
	var t textBuilder
	var walk func(*node)
	walk = func(m *node) {
		for _, k := range m.kids {
			if k.name.Local == "" {
				t.text(string(k.text))
				continue
			}
			name := strings.ToLower(k.name.Local)
			switch {
			case skipTags[name]:
			case name == "br":
				t.lineBreak()
			case blockTags[name]:
				t.block()
				if name == "li" {
					t.text("- ")
				}
				walk(k)
				t.block()
			default:
				walk(k)
			}
		}
	}
	walk(n)
	return t.String()
}

// htmlText is the readable text of escaped HTML content (Atom type="html"). It only ever
// produces text: tags are dropped, never interpreted, and entities are decoded by the standard
// library's table, so nothing is fetched or expanded beyond it.
func htmlText(s string) string {
	var t textBuilder
	skip := ""
	for len(s) > 0 {
		i := strings.IndexByte(s, '<')
		if i < 0 {
			if skip == "" {
				t.text(html.UnescapeString(s))
			}
			break
		}
		if skip == "" {
			t.text(html.UnescapeString(s[:i]))
		}
		s = s[i:]
		if strings.HasPrefix(s, "<!--") {
			end := strings.Index(s, "-->")
			if end < 0 {
				break
			}
			s = s[end+3:]
			continue
		}
		end := strings.IndexByte(s, '>')
		if end < 0 {
			break
		}
		tag := s[1:end]
		s = s[end+1:]
		closing := strings.HasPrefix(tag, "/")
		tag = strings.TrimPrefix(tag, "/")
		name := ""
		if f := strings.FieldsFunc(tag, func(r rune) bool { return unicode.IsSpace(r) || r == '/' }); len(f) > 0 {
			name = strings.ToLower(f[0])
		}
		if skip != "" {
			if closing && name == skip {
				skip = ""
			}
			continue
		}
		switch {
		case skipTags[name] && !closing:
			skip = name
		case name == "br":
			t.lineBreak()
		case blockTags[name]:
			t.block()
			if name == "li" && !closing {
				t.text("- ")
			}
		}
	}
	return t.String()
}
