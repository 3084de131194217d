package store

import (
	"strings"
	"unicode"
)

// SearchTerms reduces what a person typed into a search box to at most eight lower-case words of
// letters and digits. Whatever was typed, the search engine then sees only quoted words, so no
// query syntax can be injected or fail to parse.
func SearchTerms(q string) []string {
	var out []string
	for _, w := range strings.FieldsFunc(strings.ToLower(q), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		if len(out) == 8 {
			break
		}
		out = append(out, w)
	}
	return out
}

// FTS5Match is SQLite's MATCH argument for words from SearchTerms: every word required, each
// quoted and matched as a prefix ("leader" finds "leadership").
func FTS5Match(words []string) string {
	quoted := make([]string, len(words))
	for i, w := range words {
		quoted[i] = `"` + w + `"*`
	}
	return strings.Join(quoted, " ")
}

// TSQuery is PostgreSQL's to_tsquery argument for the same words, with the same meaning.
func TSQuery(words []string) string {
	parts := make([]string, len(words))
	for i, w := range words {
		parts[i] = w + ":*"
	}
	return strings.Join(parts, " & ")
}
