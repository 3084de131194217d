package privacy

import (
	"fmt"
	"strings"
	"testing"
)

func TestNHSNumberCheckDigit(t *testing.T) {
	for _, ok := range []string{"9434765919", "4010232137", "4505577104"} {
		if !ValidNHSNumber(ok) {
			t.Errorf("%s is a valid NHS number", ok)
		}
	}
	for _, bad := range []string{"9434765918", "9434765910", "1234567890", "0000000000", "123456789", "4010232138"} {
		if ValidNHSNumber(bad) {
			t.Errorf("%s is not a valid NHS number", bad)
		}
	}
}

type want struct {
	kind Kind
	text string
}

func TestCheckFindsWhatIdentifies(t *testing.T) {
	cases := []struct {
		text string
		want []want
	}{
		{"Reviewed 943 476 5919 on the ward.", []want{{NHSNumber, "943 476 5919"}}},
		{"NHS no 9434765919.", []want{{NHSNumber, "9434765919"}}},
		{"Number 943-476-5919 again", []want{{NHSNumber, "943-476-5919"}}},
		{"Spaced oddly: 94 34 76 59 19.", []want{{NHSNumber, "94 34 76 59 19"}}},
		{"DOB 12/03/1954, lives alone.", []want{{DateOfBirth, "12/03/1954"}}},
		{"Her date of birth: 3 March 1950.", []want{{DateOfBirth, "3 March 1950"}}},
		{"He was born on 1950-03-03 in Leeds.", []want{{DateOfBirth, "1950-03-03"}}},
		{"She was born in 1948 and worked in a mill.", []want{{DateOfBirth, "in 1948"}}},
		{"12/03/1954 (DOB) recorded.", []want{{DateOfBirth, "12/03/1954"}}},
		{"Home visit to LS1 4AP today.", []want{{Postcode, "LS1 4AP"}}},
		{"Near SW1A 1AA.", []want{{Postcode, "SW1A 1AA"}}},
		{"Call 07700 900123 after 5.", []want{{Phone, "07700 900123"}}},
		{"Tel +44 20 7946 0018.", []want{{Phone, "+44 20 7946 0018"}}},
		{"Or 0113 496 0000.", []want{{Phone, "0113 496 0000"}}},
		{"Email jo.bloggs@example.org please", []want{{Email, "jo.bloggs@example.org"}}},
		{"Spoke with Mrs Patel about stairs.", []want{{TitledName, "Mrs Patel"}}},
		{"Dr. Amy Jones referred.", []want{{TitledName, "Dr. Amy Jones"}}},
		{"Hospital number: K123456 noted.", []want{{HospitalNumber, "Hospital number: K123456"}}},
		{"MRN 12345678 on file.", []want{{HospitalNumber, "MRN 12345678"}}},
		{"Band-aid ref A1234567.", []want{{HospitalNumber, "A1234567"}}},
		{"Mr Smith, DOB 01/02/1940, NHS 943 476 5919, LS1 4AP.", []want{{TitledName, "Mr Smith"}, {DateOfBirth, "01/02/1940"}, {NHSNumber, "943 476 5919"}, {Postcode, "LS1 4AP"}}},
	}
	for _, c := range cases {
		got := Check(c.text)
		if len(got) != len(c.want) {
			t.Errorf("%q: got %v, want %v", c.text, got, c.want)
			continue
		}
		for i, w := range c.want {
			if got[i].Kind != w.kind || got[i].Text != w.text || c.text[got[i].Offset:got[i].Offset+got[i].Length] != w.text {
				t.Errorf("%q: finding %d = %+v, want %v %q", c.text, i, got[i], w.kind, w.text)
			}
		}
	}
}

// TestCheckLeavesOrdinaryProseAlone: invalid NHS numbers, dates that are not said to be dates
// of birth, years, times, money and clinical scores must not be flagged.
func TestCheckLeavesOrdinaryProseAlone(t *testing.T) {
	clean := []string{
		"On 12 March 2024 I ran a falls prevention session for 14 staff.",
		"The audit ran from 01/04/2023 to 31/03/2024 and covered 120 referrals.",
		"Reference 943 476 5918 fails its check digit, and so does 1234567890.",
		"We saw 9434765919123 items, which is a longer run of digits.",
		"Born out of frustration, the project started in 2019.",
		"The budget was £10,000 over 2 years; the Barthel score rose from 12 to 17.",
		"I met Dr and Mrs about nothing: no names follow the titles here.",
		"Room B12 on level 3 at 14:30; see section 4.2.1 of the policy.",
		"Reflection using Gibbs: description, feelings, evaluation, analysis.",
		"Version 2026.1 of the framework; 5 dimensions and 8 skills.",
	}
	for _, text := range clean {
		if got := Check(text); len(got) != 0 {
			t.Errorf("%q was flagged: %+v", text, got)
		}
	}
}

func TestRedact(t *testing.T) {
	text := "Mrs Patel (DOB 12/03/1954) lives at LS1 4AP."
	out := Redact(text, Check(text))
	if out != "[Name removed] (DOB [Date of birth removed]) lives at [Postcode removed]." {
		t.Fatalf("redacted: %q", out)
	}
	if len(Check(out)) != 0 {
		t.Fatal("redacted text still has findings")
	}
}

// entry builds a realistic reflective entry of about n words with a few identifiers in it.
func entry(n int) string {
	para := "Today I led the multidisciplinary huddle on the stroke unit and noticed how the occupational perspective changed the discharge plan. " +
		"Using Gibbs, I described what happened, how I felt, what went well and what I would change next time. "
	var b strings.Builder
	for words := 0; words < n; words += len(strings.Fields(para)) {
		b.WriteString(para)
		if words%1000 < 40 {
			fmt.Fprintf(&b, "I spoke with Mrs Okafor on 3 May 2025 about her goals. ")
		}
	}
	b.WriteString("NHS 943 476 5919, DOB 12/03/1954, LS1 4AP.")
	return b.String()
}

// BenchmarkCheck5000Words: target (issue 4) under 5 ms for a 5,000-word entry.
func BenchmarkCheck5000Words(b *testing.B) {
	text := entry(5000)
	if len(Check(text)) < 4 {
		b.Fatal("the benchmark text should contain findings")
	}
	b.SetBytes(int64(len(text)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		Check(text)
	}
}

// FuzzCheck: whatever the text, findings are in order, do not overlap, and point at exactly the
// text they report; and redacting them leaves nothing to find of the same kinds at those places.
func FuzzCheck(f *testing.F) {
	for _, seed := range []string{"", "Mrs Patel DOB 12/03/1954 LS1 4AP 943 476 5919", "@@@", "0 0 0 0 0 0 0 0 0 0 0", "Dr. Á Ö", "born in 19", "MRN: ÄÖ12345"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, text string) {
		got := Check(text)
		last := 0
		for _, g := range got {
			if g.Offset < last || g.Length <= 0 || g.Offset+g.Length > len(text) || text[g.Offset:g.Offset+g.Length] != g.Text {
				t.Fatalf("bad finding %+v in %q", g, text)
			}
			last = g.Offset + g.Length
		}
		_ = Redact(text, got)
	})
}
