package citation

import (
	"strings"
	"unicode/utf8"
)

// BibTeX values are LaTeX. Reading turns the LaTeX that reference managers write (accents,
// escaped specials, dashes, protective braces, a little formatting and maths) into plain Unicode;
// writing escapes every character LaTeX treats specially, so that reading it back gives the same
// text. Unicode is written as it is: Zotero, Mendeley, biber and modern BibTeX all read UTF-8.

// accents are the accent commands of plain TeX, as Unicode combining marks.
var accents = map[string]rune{
	"'": '\u0301', "`": '\u0300', "^": '\u0302', `"`: '\u0308', "~": '\u0303', "=": '\u0304', ".": '\u0307',
	"u": '\u0306', "v": '\u030C', "H": '\u030B', "c": '\u0327', "k": '\u0328', "r": '\u030A', "d": '\u0323', "b": '\u0331',
}

// bareAccents are what an accent over nothing (\~{}) is commonly used to write.
var bareAccents = map[string]string{"~": "~", "^": "^", "'": "'", "`": "`", `"`: `"`}

// symbols are the control words that stand for text. Any other control word is dropped and what
// follows it kept, so \emph{care} reads as "care".
var symbols = map[string]string{
	"ss": "ß", "o": "ø", "O": "Ø", "ae": "æ", "AE": "Æ", "oe": "œ", "OE": "Œ", "aa": "å", "AA": "Å",
	"l": "ł", "L": "Ł", "i": "ı", "j": "ȷ", "dh": "ð", "DH": "Ð", "th": "þ", "TH": "Þ", "ng": "ŋ", "NG": "Ŋ",
	"textbackslash": `\`, "textbraceleft": "{", "textbraceright": "}", "textasciitilde": "~",
	"textasciicircum": "^", "textunderscore": "_", "textbar": "|", "textless": "<", "textgreater": ">",
	"textendash": "–", "textemdash": "—", "textquoteleft": "‘", "textquoteright": "’",
	"textquotedblleft": "“", "textquotedblright": "”", "textquotedbl": `"`, "textbullet": "•",
	"textellipsis": "…", "ldots": "…", "dots": "…", "textdegree": "°", "textregistered": "®",
	"textcopyright": "©", "copyright": "©", "texttrademark": "™", "textsterling": "£", "pounds": "£",
	"texteuro": "€", "euro": "€", "textsection": "§", "S": "§", "textparagraph": "¶", "P": "¶",
	"textdagger": "†", "dag": "†", "guillemotleft": "«", "guillemotright": "»", "textexclamdown": "¡",
	"textquestiondown": "¿", "textpm": "±", "pm": "±", "texttimes": "×", "times": "×", "textmu": "µ",
	"textperiodcentered": "·", "cdot": "·", "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ",
	"epsilon": "ε", "varepsilon": "ε", "kappa": "κ", "lambda": "λ", "mu": "μ", "pi": "π", "rho": "ρ",
	"sigma": "σ", "tau": "τ", "phi": "φ", "chi": "χ", "psi": "ψ", "omega": "ω", "Delta": "Δ",
	"Sigma": "Σ", "Omega": "Ω", "Phi": "Φ", "leq": "≤", "le": "≤", "geq": "≥", "ge": "≥", "neq": "≠",
	"ne": "≠", "approx": "≈", "infty": "∞", "par": "\n\n", "newblock": " ", "quad": " ", "qquad": " ",
	"space": " ", "LaTeX": "LaTeX", "TeX": "TeX", "BibTeX": "BibTeX",
}

// dropArgument are commands whose argument is not text: \noopsort{a} only steers sorting.
var dropArgument = map[string]bool{"noopsort": true, "hspace": true, "vspace": true, "href": true, "label": true}

// controlSymbols are backslash and one non-letter, other than accents.
var controlSymbols = map[byte]string{
	'&': "&", '%': "%", '$': "$", '#': "#", '_': "_", '{': "{", '}': "}", ' ': " ", '\n': " ", '\t': " ",
	',': " ", ';': " ", ':': " ", '!': "", '-': "", '/': "", '@': "", '\\': " ",
}

// maxNesting bounds how deep the decoder follows groups inside accents. BibTeX values are
// already limited to maxDepth braces; this keeps the decoder safe on its own.
const maxNesting = 64

// decodeLaTeX turns a BibTeX value into plain text; normText finishes it.
func decodeLaTeX(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	d := latex{s: s}
	d.decode(&b, 0, len(s), 0)
	return b.String()
}

// latex decodes one value. Groups are matched once for the whole value, when first needed, so
// that a value full of unclosed groups costs no more than one without.
type latex struct {
	s     string
	match []int32 // for each '{', the index of its '}', or -1
}

// decode writes the text of s[lo:hi].
func (d *latex) decode(b *strings.Builder, lo, hi, depth int) {
	math := false
	for i := lo; i < hi; {
		c := d.s[i]
		switch {
		case c == '{' || c == '}':
			i++
		case c == '\\':
			i = d.command(b, i, hi, depth)
		case c == '~':
			b.WriteByte(' ')
			i++
		case c == '$':
			math = !math
			i++
		case math && (c == '^' || c == '_'):
			i++
		case c == '-':
			n := 1
			for i+n < hi && d.s[i+n] == '-' {
				n++
			}
			for i += n; n >= 3; n -= 3 {
				b.WriteString("—")
			}
			b.WriteString([]string{"", "-", "–"}[n])
		case (c == '`' || c == '\'') && i+1 < hi && d.s[i+1] == c:
			b.WriteString(map[byte]string{'`': "“", '\'': "”"}[c])
			i += 2
		default:
			b.WriteByte(c)
			i++
		}
	}
}

// command writes the control sequence at s[i] (a backslash) with its argument if it takes one,
// and returns where decoding goes on.
func (d *latex) command(b *strings.Builder, i, hi, depth int) int {
	name, n := controlName(d.s[i:hi])
	j := i + n
	switch {
	case name == "":
		return j
	case accents[name] != 0:
		var arg strings.Builder
		j = d.argument(&arg, j, hi, depth)
		b.WriteString(accent(name, accents[name], arg.String()))
		return j
	case dropArgument[name]:
		if end := d.group(j, hi); end > 0 {
			return end
		}
	}
	b.WriteString(symbolText(name))
	return j
}

// symbolText is the text of a control sequence that takes no argument; an unknown control word
// is dropped and an unknown control symbol (\+) stands for its character.
func symbolText(name string) string {
	if t, ok := symbols[name]; ok {
		return t
	}
	if !isLetter(name[0]) {
		if t, ok := controlSymbols[name[0]]; ok && len(name) == 1 {
			return t
		}
		return name
	}
	return ""
}

// argument writes a macro's argument, a group or one character, and returns where it ends.
func (d *latex) argument(b *strings.Builder, i, hi, depth int) int {
	for i < hi && (d.s[i] == ' ' || d.s[i] == '\t') {
		i++
	}
	if i >= hi {
		return i
	}
	if end := d.group(i, hi); end > 0 {
		if depth < maxNesting {
			d.decode(b, i+1, end-1, depth+1)
		}
		return end
	}
	switch d.s[i] {
	case '}':
		return i
	case '\\':
		// A symbol such as \i; an accent on an accent is not followed, to keep this flat.
		name, n := controlName(d.s[i:hi])
		if name != "" && accents[name] == 0 {
			b.WriteString(symbolText(name))
		}
		return i + n
	}
	_, size := utf8.DecodeRuneInString(d.s[i:hi])
	b.WriteString(d.s[i : i+size])
	return i + size
}

// group returns the index after the group that opens at s[i] if it closes before hi, or 0. An
// escaped brace (\{) does not count.
func (d *latex) group(i, hi int) int {
	if i >= hi || d.s[i] != '{' {
		return 0
	}
	if d.match == nil {
		d.match = make([]int32, len(d.s))
		var open []int32
		for k := 0; k < len(d.s); k++ {
			switch d.s[k] {
			case '\\':
				k++
			case '{':
				d.match[k] = -1
				open = append(open, int32(k))
			case '}':
				if len(open) > 0 {
					d.match[open[len(open)-1]] = int32(k)
					open = open[:len(open)-1]
				}
			}
		}
	}
	if j := int(d.match[i]); j >= 0 && j < hi {
		return j + 1
	}
	return 0
}

// controlName reads the name of a control sequence: letters, or one other character. TeX skips
// the spaces after a control word, and so does this (but not a blank line, which is a paragraph).
func controlName(s string) (string, int) {
	if len(s) < 2 {
		return "", len(s)
	}
	if !isLetter(s[1]) {
		_, size := utf8.DecodeRuneInString(s[1:])
		return s[1 : 1+size], 1 + size
	}
	n := 1
	for n < len(s) && isLetter(s[n]) {
		n++
	}
	name := s[1:n]
	for n < len(s) && (s[n] == ' ' || s[n] == '\t') {
		n++
	}
	if n < len(s) && s[n] == '\n' && !strings.HasPrefix(strings.TrimLeft(s[n+1:], " \t"), "\n") {
		n++
		for n < len(s) && (s[n] == ' ' || s[n] == '\t') {
			n++
		}
	}
	return name, n
}

func accent(name string, mark rune, arg string) string {
	if arg == "" {
		return bareAccents[name]
	}
	r, size := utf8.DecodeRuneInString(arg)
	switch r { // an accent over a dotless i or j is how TeX writes í
	case 'ı':
		r = 'i'
	case 'ȷ':
		r = 'j'
	}
	return string(r) + string(mark) + arg[size:]
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// decodeVerbatim reads a URL or DOI, which reference managers write nearly raw: braces go and an
// escaped character loses its backslash, but dashes and tildes stay as they are.
func decodeVerbatim(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '{', '}':
		case '\\':
			name, n := controlName(s[i:])
			switch {
			case name != "" && !isLetter(name[0]):
				b.WriteString(name)
			case name == "textasciitilde" || name == "textunderscore":
				b.WriteString(symbols[name])
			}
			i += n - 1
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// escapeLaTeX writes text so that decodeLaTeX gives it back. Braces in the text are written \{
// and \} when they pair up, and as \textbraceleft{} otherwise, because BibTeX counts every brace,
// escaped or not, to find where a value ends.
func escapeLaTeX(s string) string {
	pairs := bracesPair(s)
	var b strings.Builder
	b.Grow(len(s) + len(s)/8)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '\\':
			b.WriteString(`\textbackslash{}`)
		case '{', '}':
			switch {
			case pairs:
				b.WriteByte('\\')
				b.WriteByte(c)
			case c == '{':
				b.WriteString(`\textbraceleft{}`)
			default:
				b.WriteString(`\textbraceright{}`)
			}
		case '&', '%', '$', '#', '_':
			b.WriteByte('\\')
			b.WriteByte(c)
		case '~':
			b.WriteString(`\textasciitilde{}`)
		case '^':
			b.WriteString(`\textasciicircum{}`)
		case '-', '`', '\'':
			// Two in a row are a ligature in TeX (an en dash, curly quotes): keep them apart.
			b.WriteByte(c)
			if i+1 < len(s) && s[i+1] == c {
				b.WriteString("{}")
			}
		case '@':
			// At the start of a line, @ could be taken for the start of the next entry.
			if i > 0 && s[i-1] == '\n' {
				b.WriteString("{@}")
			} else {
				b.WriteByte(c)
			}
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// bracesPair reports whether every brace in s has its partner, in order.
func bracesPair(s string) bool {
	depth := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '{':
			depth++
		case '}':
			if depth--; depth < 0 {
				return false
			}
		}
	}
	return depth == 0
}
