package citation

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// BibTeX writes a list of names as one value: names separated by "and", each either
// "von Last, Jr, First", "von Last, First" or "First von Last", with braces protecting anything
// that must not be split ({World Health Organization}). These functions turn that into the
// normal form "Family, Given, Suffix" and back.

// bibNames reads a BibTeX author list. "and others" is BibTeX's "et al." and is left out.
func bibNames(raw string) []string {
	var names []string
	var words []string
	flush := func() {
		if len(words) > 0 && !(len(words) == 1 && words[0] == "others") {
			if n := bibName(strings.Join(words, " ")); n != "" {
				names = append(names, n)
			}
		}
		words = nil
	}
	for _, w := range fieldsOutsideBraces(raw, false) {
		if strings.EqualFold(w, "and") {
			flush()
			continue
		}
		words = append(words, w)
	}
	flush()
	return names
}

// bibName reads one BibTeX name into normal form.
func bibName(raw string) string {
	parts := splitOutsideBraces(raw, ',')
	switch len(parts) {
	case 1:
		words := fieldsOutsideBraces(parts[0], true)
		if len(words) < 2 {
			return canonName([]string{plain(parts[0])})
		}
		// The family name is the last word, and any "von" words before it: those starting
		// in lower case, such as "van" in Ludwig van Beethoven.
		last := len(words) - 1
		start := last
		for i := 0; i < last; i++ {
			if lowerWord(words[i]) {
				start = i
				break
			}
		}
		return canonName([]string{plain(strings.Join(words[start:], " ")), plain(strings.Join(words[:start], " "))})
	case 2:
		return canonName([]string{plain(parts[0]), plain(parts[1])})
	default: // von Last, Jr, First
		return canonName([]string{plain(parts[0]), plain(parts[len(parts)-1]), plain(strings.Join(parts[1:len(parts)-1], ","))})
	}
}

func plain(raw string) string { return normText(decodeLaTeX(raw), false) }

// lowerWord reports whether a name word starts with a lower-case letter, looking inside an
// accent command ({\'e}) but not inside a protecting brace ({Van}), as BibTeX does.
func lowerWord(w string) bool {
	if strings.HasPrefix(w, "{") && !strings.HasPrefix(w, `{\`) {
		return false
	}
	r, _ := utf8.DecodeRuneInString(normText(decodeLaTeX(w), false))
	return unicode.IsLower(r)
}

// fieldsOutsideBraces splits s at white space (and, within a name, ties ~) outside braces.
func fieldsOutsideBraces(s string, ties bool) []string {
	var out []string
	depth, start := 0, -1
	for i := 0; i < len(s); i++ {
		c := s[i]
		if depth == 0 && (c == ' ' || c == '\t' || c == '\n' || ties && c == '~') {
			if start >= 0 {
				out = append(out, s[start:i])
				start = -1
			}
			continue
		}
		if start < 0 {
			start = i
		}
		switch {
		case c == '\\':
			i++
		case c == '{':
			depth++
		case c == '}' && depth > 0:
			depth--
		}
	}
	if start >= 0 {
		out = append(out, s[start:])
	}
	return out
}

// splitOutsideBraces splits s at each sep outside braces.
func splitOutsideBraces(s string, sep byte) []string {
	var out []string
	depth, start := 0, 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\':
			i++
		case c == '{':
			depth++
		case c == '}' && depth > 0:
			depth--
		case c == sep && depth == 0:
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

// bibWriteName writes a name in normal form as BibTeX: "Family, Given" as it is,
// "Family, Given, Suffix" as "Family, Suffix, Given", and a single name in braces so that it is
// never split into given and family names.
func bibWriteName(name string) string {
	p := strings.Split(name, ",")
	for i := range p {
		p[i] = strings.TrimSpace(p[i])
	}
	switch len(p) {
	case 1:
		return "{" + escapeLaTeX(p[0]) + "}"
	case 2:
		return protectName(p[0]) + ", " + protectName(p[1])
	default:
		return protectName(p[0]) + ", " + protectName(strings.Join(p[2:], ", ")) + ", " + protectName(p[1])
	}
}

// protectName braces a part of a name that BibTeX would otherwise split: one with a comma, or
// with the word "and" in it.
func protectName(s string) string {
	e := escapeLaTeX(s)
	if strings.Contains(s, ",") {
		return "{" + e + "}"
	}
	for _, w := range strings.Fields(s) {
		if strings.EqualFold(w, "and") {
			return "{" + e + "}"
		}
	}
	return e
}
