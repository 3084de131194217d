// Package privacy finds what could identify a service user in text a practitioner writes:
// NHS numbers, dates of birth, postcodes, phone numbers, email addresses, names after a title
// and hospital numbers. HCPC asks that CPD evidence identify no service user; this check runs
// before an entry is saved and again before any export, and each finding can be redacted.
//
// It aims to flag what a careful reader would, and no more: an NHS number must pass its
// modulus-11 check, and a date counts as a date of birth only when the wording says so.
package privacy

import (
	"github.com/pillars-ot/pillars/internal/valid"
	"regexp"
	"sort"
	"strings"
)

// Kind names what a finding looks like.
type Kind string

// The kinds of finding.
const (
	NHSNumber      Kind = "nhs-number"
	DateOfBirth    Kind = "date-of-birth"
	Postcode       Kind = "postcode"
	Phone          Kind = "phone"
	Email          Kind = "email"
	TitledName     Kind = "name"
	HospitalNumber Kind = "hospital-number"
)

var kindLabels = map[Kind]string{
	NHSNumber: "NHS number", DateOfBirth: "Date of birth", Postcode: "Postcode", Phone: "Phone number",
	Email: "Email address", TitledName: "Name", HospitalNumber: "Hospital number",
}

// Label names the kind for people.
func (k Kind) Label() string { return kindLabels[k] }

var kindPhrases = map[Kind]string{
	NHSNumber: "an NHS number", DateOfBirth: "a date of birth", Postcode: "a postcode", Phone: "a phone number",
	Email: "an email address", TitledName: "a name", HospitalNumber: "a hospital number",
}

// Phrase names the kind inside a sentence: "an NHS number".
func (k Kind) Phrase() string { return kindPhrases[k] }

// ProblemPrefix starts every message Problems writes, so a page knows to offer the
// "I have checked this" override.
const ProblemPrefix = "This may identify a service user: "

// Problems checks each field's text and describes what it found in one plain sentence per
// field, in field order. It also returns how many findings there were in all.
func Problems(fields map[string]string) (valid.Errors, int) {
	names := make([]string, 0, len(fields))
	for name := range fields {
		names = append(names, name)
	}
	sort.Strings(names)
	var errs valid.Errors
	total := 0
	for _, name := range names {
		found := Check(fields[name])
		if len(found) == 0 {
			continue
		}
		total += len(found)
		parts := make([]string, len(found))
		for i, f := range found {
			parts[i] = f.Kind.Phrase() + " “" + f.Text + "”"
		}
		errs.Add(name, ProblemPrefix+strings.Join(parts, ", ")+". Remove it, or confirm you have checked it if it identifies no one.")
	}
	return errs, total
}

// Finding is one thing that could identify someone. Offset and Length are in bytes of the
// UTF-8 text.
type Finding struct {
	Kind   Kind   `json:"kind"`
	Offset int    `json:"offset"`
	Length int    `json:"length"`
	Text   string `json:"text"`
}

// Each pattern is anchored (^) and run only on a short window where a cheap scan found that
// kind could start: a keyword, an "@", a title, a capital before a digit, a run of digits.
// Run over the whole text instead, the date patterns alone took 10 ms for 5,000 words.
var (
	emailRE = regexp.MustCompile(`[A-Za-z0-9._%+'-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}`)
	// UK postcodes in capitals: LS1 4AP, SW1A 1AA, M1 1AE, B33 8TH.
	postcodeRE = regexp.MustCompile(`^(?:GIR ?0AA|[A-PR-UWYZ](?:\d[A-HJKPSTUW\d]?|[A-HK-Y]\d[ABEHMNPRV-Y\d]?) ?\d[ABD-HJLNP-UW-Z]{2})\b`)
	// A courtesy title then one or two capitalised words: Mrs Patel, Dr. Amy Jones.
	nameRE = regexp.MustCompile(`^(?:Mr|Mrs|Ms|Miss|Mx|Dr)\.? +[A-Z][a-zA-Z'’-]+(?: +[A-Z][a-zA-Z'’-]+)?`)
	// A hospital number after the words that introduce one.
	hospitalRE = regexp.MustCompile(`^(?i:(?:hospital|unit|patient|case|record)\s*(?:number|no\.?|id|#)\s*[:#-]?\s*|MRN\s*[:#-]?\s*)[A-Za-z]{0,3}\d[A-Za-z\d]{4,11}\b`)
	// Dates: 03/02/1950, 3-2-50, 1950-02-03, 3 February 1950, February 3, 1950, 3rd Feb 1950.
	datePart = `(?:\d{1,2}[/.-]\d{1,2}[/.-](?:\d{4}|\d{2})|\d{4}-\d{2}-\d{2}|\d{1,2}(?:st|nd|rd|th)?\s+(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?,?\s+\d{4}|(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4})`
	// A date counts as a date of birth only when the wording says so, before or just after it.
	dobBeforeRE = regexp.MustCompile(`^(?i:(?:d\.?o\.?b\.?|date\s+of\s+birth|birth\s*date|born(?:\s+on)?)\s*[:(,-]?\s*)(` + datePart + `|(?:in\s+)?(?:19|20)\d{2}\b)`)
	dobAfterRE  = regexp.MustCompile(`(` + datePart + `)\s*\(?\s*$`)
)

var (
	dobKeywords      = []string{"dob", "d.o.b", "date of birth", "birth date", "birthdate", "born"}
	dobAfterKeywords = []string{"dob", "d.o.b", "date of birth"}
	titles           = []string{"Mr", "Mrs", "Ms", "Miss", "Mx", "Dr"}
	hospitalKeywords = []string{"hospital", "unit", "patient", "case", "record", "mrn"}
)

// ValidNHSNumber reports whether ten digits pass the NHS number's modulus-11 check.
func ValidNHSNumber(digits string) bool {
	if len(digits) != 10 || strings.Count(digits, string(digits[0])) == 10 {
		return false
	}
	sum := 0
	for i := 0; i < 9; i++ {
		sum += int(digits[i]-'0') * (10 - i)
	}
	check := 11 - sum%11
	if check == 11 {
		check = 0
	}
	return check != 10 && check == int(digits[9]-'0')
}

func onlyDigits(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// isDigit reports whether the byte at i is an ASCII digit (false outside the string).
func isDigit(s string, i int) bool { return i >= 0 && i < len(s) && s[i] >= '0' && s[i] <= '9' }

func isUpper(s string, i int) bool { return i >= 0 && i < len(s) && s[i] >= 'A' && s[i] <= 'Z' }

func isWordByte(s string, i int) bool {
	if i < 0 || i >= len(s) {
		return false
	}
	c := s[i]
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// asciiLower lower-cases ASCII letters only, so byte offsets stay the same as the original's.
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// indexAll returns where word starts in s, at the start of a word each time.
func indexAll(s, word string) []int {
	var out []int
	for from := 0; ; {
		i := strings.Index(s[from:], word)
		if i < 0 {
			return out
		}
		i += from
		if !isWordByte(s, i-1) {
			out = append(out, i)
		}
		from = i + len(word)
	}
}

func window(s string, start, n int) string { return s[start:min(len(s), start+n)] }

// Check returns every finding in text, in order. Where two overlap, the more specific one wins
// (an NHS number over a phone number, a date of birth over a hospital number).
func Check(text string) []Finding {
	var found []Finding
	add := func(k Kind, start, end int) {
		found = append(found, Finding{Kind: k, Offset: start, Length: end - start, Text: text[start:end]})
	}
	numbers(text, add)
	lower := asciiLower(text)
	for _, kw := range dobKeywords {
		for _, i := range indexAll(lower, kw) {
			if m := dobBeforeRE.FindStringSubmatchIndex(window(text, i, 60)); m != nil {
				add(DateOfBirth, i+m[2], i+m[3])
			}
		}
	}
	for _, kw := range dobAfterKeywords {
		for _, i := range indexAll(lower, kw) {
			from := max(0, i-40)
			if m := dobAfterRE.FindStringSubmatchIndex(text[from:i]); m != nil {
				add(DateOfBirth, from+m[2], from+m[3])
			}
		}
	}
	for at := strings.IndexByte(text, '@'); at >= 0; {
		from := max(0, at-64)
		for _, m := range emailRE.FindAllStringIndex(window(text, from, at-from+256), -1) {
			if from+m[0] <= at && at < from+m[1] && !isWordByte(text, from+m[0]-1) {
				add(Email, from+m[0], from+m[1])
			}
		}
		next := strings.IndexByte(text[at+1:], '@')
		if next < 0 {
			break
		}
		at += 1 + next
	}
	for i := 0; i+1 < len(text); i++ {
		if !isUpper(text, i) || isWordByte(text, i-1) {
			continue
		}
		// A postcode starts with one or two capitals and then a digit.
		if isDigit(text, i+1) || (isUpper(text, i+1) && isDigit(text, i+2)) {
			if m := postcodeRE.FindStringIndex(window(text, i, 9)); m != nil {
				add(Postcode, i, i+m[1])
			}
		}
		// A letter and 6-7 digits standing alone is how many trusts write a hospital number.
		n := 0
		for isDigit(text, i+1+n) {
			n++
		}
		if (n == 6 || n == 7) && !isWordByte(text, i+1+n) {
			add(HospitalNumber, i, i+1+n)
		}
	}
	for _, t := range titles {
		for _, i := range indexAll(text, t) {
			if m := nameRE.FindStringIndex(window(text, i, 80)); m != nil {
				add(TitledName, i, i+m[1])
			}
		}
	}
	for _, kw := range hospitalKeywords {
		for _, i := range indexAll(lower, kw) {
			if m := hospitalRE.FindStringIndex(window(text, i, 60)); m != nil {
				add(HospitalNumber, i, i+m[1])
			}
		}
	}
	return resolve(found)
}

// numbers finds NHS numbers and UK phone numbers by walking runs of digits with single spaces or
// hyphens between them, which is much cheaper than a pattern tried at every position.
func numbers(text string, add func(Kind, int, int)) {
	for i := 0; i < len(text); i++ {
		if !isDigit(text, i) || isDigit(text, i-1) {
			continue
		}
		// Extend the run: digits, each optionally after one separator.
		end, digits := i, 0
		for j := i; j < len(text); {
			if isDigit(text, j) {
				digits++
				end = j + 1
				j++
				continue
			}
			if (text[j] == ' ' || text[j] == '-') && isDigit(text, j+1) {
				j++
				continue
			}
			break
		}
		run := text[i:end]
		ds := onlyDigits(run)
		switch {
		case digits == 10 && ValidNHSNumber(ds):
			add(NHSNumber, i, end)
		case ds[0] == '0' && (digits == 10 || digits == 11):
			start := i
			if i > 0 && text[i-1] == '(' {
				start = i - 1
			}
			add(Phone, start, end)
		case strings.HasPrefix(ds, "44") && (digits == 11 || digits == 12) && i > 0 && text[i-1] == '+':
			add(Phone, i-1, end)
		}
		i = end
	}
}

var priority = map[Kind]int{NHSNumber: 0, DateOfBirth: 1, Email: 2, HospitalNumber: 3, Phone: 4, Postcode: 5, TitledName: 6}

// resolve orders findings and drops any that overlaps a more specific one already kept.
func resolve(found []Finding) []Finding {
	sort.SliceStable(found, func(i, j int) bool {
		if priority[found[i].Kind] != priority[found[j].Kind] {
			return priority[found[i].Kind] < priority[found[j].Kind]
		}
		return found[i].Offset < found[j].Offset
	})
	var kept []Finding
	for _, f := range found {
		overlaps := false
		for _, k := range kept {
			if f.Offset < k.Offset+k.Length && k.Offset < f.Offset+f.Length {
				overlaps = true
				break
			}
		}
		if !overlaps {
			kept = append(kept, f)
		}
	}
	sort.Slice(kept, func(i, j int) bool { return kept[i].Offset < kept[j].Offset })
	return kept
}

// Redact replaces each finding with a placeholder naming its kind, such as "[NHS number removed]".
func Redact(text string, findings []Finding) string {
	var b strings.Builder
	last := 0
	for _, f := range findings {
		if f.Offset < last || f.Offset+f.Length > len(text) {
			continue
		}
		b.WriteString(text[last:f.Offset])
		b.WriteString("[" + f.Kind.Label() + " removed]")
		last = f.Offset + f.Length
	}
	b.WriteString(text[last:])
	return b.String()
}
