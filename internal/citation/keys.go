package citation

import (
	"strconv"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// cleanKey keeps the characters every BibTeX tool accepts in a citation key.
func cleanKey(k string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune("-_:./+", r) {
			return r
		}
		return -1
	}, k)
}

// stopWords are skipped when a key takes the first word of the title, as Google Scholar does,
// so that "The role of..." gives smith2020role rather than smith2020the.
var stopWords = map[string]bool{
	"a": true, "an": true, "the": true, "on": true, "in": true, "of": true, "for": true, "and": true,
	"to": true, "with": true, "at": true, "by": true, "from": true, "is": true, "are": true,
	"what": true, "how": true, "why": true, "when": true, "do": true, "does": true,
}

// newKey makes a key in Google Scholar's pattern: family name, year, first word of the title,
// in plain lower-case letters (smith2020occupational).
func newKey(r Reference) string {
	var family string
	if len(r.Authors) > 0 {
		family, _, _ = strings.Cut(r.Authors[0], ",")
	}
	key := asciiWord(family)
	if key == "" {
		key = "anon"
	}
	if r.Year > 0 {
		key += strconv.Itoa(r.Year)
	}
	for _, w := range strings.Fields(r.Title) {
		if w = asciiWord(w); w != "" && !stopWords[w] {
			return key + w
		}
	}
	return key
}

// foldings are letters that have no accent to take off.
var foldings = map[rune]string{'ß': "ss", 'ø': "o", 'ł': "l", 'æ': "ae", 'œ': "oe", 'đ': "d", 'ð': "d", 'þ': "th", 'ı': "i"}

// asciiWord lower-cases s and keeps only ASCII letters and digits, taking accents off first.
func asciiWord(s string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(strings.ToLower(s)) {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			b.WriteRune(r)
		case foldings[r] != "":
			b.WriteString(foldings[r])
		}
	}
	return b.String()
}

// assignKeys makes every key unique, ignoring case as BibTeX does: the first reference keeps a
// key, later ones with the same key get a letter after it (smith2020a). With generate, an empty
// key is made by newKey; without (RIS, where the ID is optional), it stays empty.
func assignKeys(refs []Reference, generate bool) {
	k := keyer{used: make(map[string]bool, len(refs)), tries: map[string]int{}}
	keep := make([]bool, len(refs))
	for i, r := range refs {
		if l := strings.ToLower(r.Key); l != "" && !k.used[l] {
			k.used[l], keep[i] = true, true
		}
	}
	for i := range refs {
		if keep[i] || refs[i].Key == "" && !generate {
			continue
		}
		base := refs[i].Key
		if base == "" {
			base = newKey(refs[i])
		}
		refs[i].Key = k.unused(base)
	}
}

// keyer hands out unused keys. It remembers how many suffixes it has tried for each base, so
// that 20,000 references by one author in a few years do not retry the same keys each time.
type keyer struct {
	used  map[string]bool
	tries map[string]int
}

func (k *keyer) unused(base string) string {
	lower := strings.ToLower(base)
	for {
		n := k.tries[lower]
		k.tries[lower]++
		cand := base
		switch {
		case n == 0:
		case n <= 26:
			cand += string(rune('a' + n - 1))
		default:
			cand += "-" + strconv.Itoa(n-25)
		}
		if l := strings.ToLower(cand); !k.used[l] {
			k.used[l] = true
			return cand
		}
	}
}
