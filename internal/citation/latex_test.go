package citation

import "testing"

func TestDecodeLaTeX(t *testing.T) {
	tests := []struct{ in, want string }{
		{`Caf{\'e}`, "Café"},
		{`Caf\'e`, "Café"},
		{`Caf\'{e}`, "Café"},
		{`{\"o}sterreich and \"{u}ber and M\"uller`, "österreich and über and Müller"},
		{"\\c{c} \\c c \\v{s} {\\v S} \\~{n} \\^{o} \\`a \\=a \\.z \\u{g} \\H{o} \\k{a} \\r{a} \\d{s}", "ç ç š Š ñ ô à ā ż ğ ő ą å ṣ"},
		{`Br{\'\i}ain and {\'{\i}}`, "Bríain and í"},
		{`{\ss} {\o} {\O} {\ae} {\AE} {\oe} {\aa} {\l} {\L}`, "ß ø Ø æ Æ œ å ł Ł"},
		{`\ss{}e`, "ße"},
		{`pages 12--19, 1990---2000, a-b`, "pages 12–19, 1990—2000, a-b"},
		{"``quoted'' and 'single' and O'Brien", "“quoted” and 'single' and O'Brien"},
		{`{The {NHS} Long {T}erm Plan}`, "The NHS Long Term Plan"},
		{`50\% \& \$5 \#1 under\_score \{braces\}`, "50% & $5 #1 under_score {braces}"},
		{`\textbackslash{} \textasciitilde{} \textasciicircum{} \textbraceleft{}\textbraceright{}`, `\ ~ ^ {}`},
		{`\emph{care} and \textbf{bold} \textit{it}`, "care and bold it"},
		{`$\alpha$-levels and $p \leq 0.05$ and m$^2$`, "α-levels and p ≤0.05 and m2"}, // TeX drops the space after \leq
		{`A~B`, "A B"},
		{`\noopsort{a}Zebra`, "Zebra"},
		{`\href{https://x.org}{the site}`, "the site"},
		{`\unknown{kept}`, "kept"},
		{`\~{}tilde and \^{}hat`, "~tilde and ^hat"},
		{`trailing \`, "trailing"},
		{`\'`, "'"},
		{`para one\par para two`, "para one\n\npara two"},
	}
	for _, tt := range tests {
		if got := normText(decodeLaTeX(tt.in), true); got != tt.want {
			t.Errorf("decodeLaTeX(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestEscapeLaTeX checks that escaping then decoding gives the text back, and what it writes.
func TestEscapeLaTeX(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Café", "Café"},
		{"50% & $5 #1 a_b", `50\% \& \$5 \#1 a\_b`},
		{"{balanced}", `\{balanced\}`},
		{"} backwards {", `\textbraceright{} backwards \textbraceleft{}`},
		{`back\slash`, `back\textbackslash{}slash`},
		{"~^", `\textasciitilde{}\textasciicircum{}`},
		{"a--b---c", "a-{}-b-{}-{}-c"},
		{"``x'' 'y'", "`{}`x'{}' 'y'"},
		{"one\n\n@two", "one\n\n{@}two"},
		{"a@b", "a@b"},
		{"–—", "–—"},
	}
	for _, tt := range tests {
		got := escapeLaTeX(tt.in)
		if got != tt.want {
			t.Errorf("escapeLaTeX(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if back := normText(decodeLaTeX(got), true); back != tt.in {
			t.Errorf("decodeLaTeX(escapeLaTeX(%q)) = %q", tt.in, back)
		}
	}
}

func TestDecodeVerbatim(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://example.org/a--b~c", "https://example.org/a--b~c"},
		{`https://example.org/a\_b\%20\&c\#d`, "https://example.org/a_b%20&c#d"},
		{`\url{https://example.org/x}`, "https://example.org/x"},
		{`{https://example.org/{X}}`, "https://example.org/X"},
		{`https://example.org/\textasciitilde{}me`, "https://example.org/~me"},
	}
	for _, tt := range tests {
		if got := decodeVerbatim(tt.in); got != tt.want {
			t.Errorf("decodeVerbatim(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestNormText(t *testing.T) {
	tests := []struct {
		in    string
		multi bool
		want  string
	}{
		{"  a \t b\n c  ", false, "a b c"},
		{"a\n\nb", false, "a b"},
		{"a\n  \n\n b \n c", true, "a\n\nb c"},
		{"bell\x07 and\x00 nul", false, "bell and nul"},
		{"e\u0301", false, "é"},
		{"\u00a0no-break\u2003spaces", false, "no-break spaces"},
	}
	for _, tt := range tests {
		if got := normText(tt.in, tt.multi); got != tt.want {
			t.Errorf("normText(%q, %v) = %q, want %q", tt.in, tt.multi, got, tt.want)
		}
	}
}

func TestNormPages(t *testing.T) {
	for in, want := range map[string]string{
		"215--224": "215-224", "215 – 224": "215-224", "215—224": "215-224", "-5": "5", "5-": "5",
		"e12": "e12", "S1-S5, S10": "S1-S5, S10", " 1 - 2 - 3 ": "1-2-3", "": "",
	} {
		if got := normPages(in); got != want {
			t.Errorf("normPages(%q) = %q, want %q", in, got, want)
		}
	}
}
