package store

import (
	"reflect"
	"testing"
)

func TestSearchTerms(t *testing.T) {
	for _, tc := range []struct {
		typed     string
		words     []string
		fts5, tsq string
	}{
		{"Leadership huddle", []string{"leadership", "huddle"}, `"leadership"* "huddle"*`, "leadership:* & huddle:*"},
		{`"NEAR(a b)" OR title:x -y * ''`, []string{"near", "a", "b", "or", "title", "x", "y"}, `"near"* "a"* "b"* "or"* "title"* "x"* "y"*`, "near:* & a:* & b:* & or:* & title:* & x:* & y:*"},
		{"Ergothérapie 2026", []string{"ergothérapie", "2026"}, `"ergothérapie"* "2026"*`, "ergothérapie:* & 2026:*"},
		{"one two three four five six seven eight nine", []string{"one", "two", "three", "four", "five", "six", "seven", "eight"}, "", ""},
		{"  ; : ", nil, "", ""},
	} {
		got := SearchTerms(tc.typed)
		if !reflect.DeepEqual(got, tc.words) {
			t.Errorf("SearchTerms(%q) = %q, want %q", tc.typed, got, tc.words)
		}
		if tc.fts5 != "" && FTS5Match(got) != tc.fts5 {
			t.Errorf("FTS5Match(%q) = %q, want %q", got, FTS5Match(got), tc.fts5)
		}
		if tc.tsq != "" && TSQuery(got) != tc.tsq {
			t.Errorf("TSQuery(%q) = %q, want %q", got, TSQuery(got), tc.tsq)
		}
	}
}
