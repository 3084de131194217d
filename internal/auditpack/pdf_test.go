package auditpack

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// pdfText renders p and returns its text, page by page, as pdftotext -layout extracts it: the
// same tool an assessor's search or a screen reader depends on seeing real text.
func pdfText(t *testing.T, p *Pack) []string {
	t.Helper()
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		t.Fatal("pdftotext not found: install poppler-utils (apt-get install -y poppler-utils); CI installs it")
	}
	var buf bytes.Buffer
	if err := RenderPDF(&buf, p); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(buf.Bytes(), []byte("%PDF-")) {
		t.Fatalf("output does not start with %%PDF-: %q", buf.Bytes()[:min(20, buf.Len())])
	}
	file := filepath.Join(t.TempDir(), "pack.pdf")
	if err := os.WriteFile(file, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "-layout", "-enc", "UTF-8", file, "-").CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext: %v\n%s", err, out)
	}
	return strings.Split(string(out), "\f")
}

func TestRenderPDF(t *testing.T) {
	p := FixturePack(50)
	pages := pdfText(t, p)
	all := strings.Join(pages, "\n")
	if len(pages) < 4 {
		t.Fatalf("got %d pages, want a multi-page profile", len(pages))
	}
	for _, want := range []string{
		"CPD profile",
		"Siân O’Connor",
		"Occupational therapist",
		"1 November 2023 to 31 October 2025",
		"4 August 2025",
		"1. Summary of practice",
		"Word count: " + thousands(wordCount(p.Summary)) + " of 500 words",
		"2. Statement of how I have met the standards",
		"Standard 3: My CPD has contributed",
		"Gibbs’ reflective cycle",
		"Action plan",
		"3. Dated list of activities",
		"4. Activity types",
		"Yes: at least two activity types are present",
		"5. Gaps of three months or more",
		"Maternity leave",
		"6. Evidence",
		"cpd-evidence-part-1-of-1.zip",
		"E03 - certificate 9.pdf",
		"a £12,000",                              // £ survives
		"the service’s “return to work” pathway", // curly quotes survive
		"Page 1 of " + itoa(len(pages)-1),        // pdftotext ends with a form feed
	} {
		if !strings.Contains(squash(all), squash(want)) {
			t.Errorf("PDF text lacks %q", want)
		}
	}

	// An activity listed past the first page, found on a later page: the table continued. Its
	// title wraps inside its cell, so look for both ends of it on the same page.
	found := -1
	for i, pg := range pages {
		if strings.Contains(pg, "Journal club: “Sensory integration") && strings.Contains(pg, "critical appraisal") {
			found = i
		}
	}
	if found < 1 {
		t.Errorf("journal club activity found on page index %d, want page 2 or later", found)
	}

	// The activity table's header is drawn again on each page the table reaches.
	heads := 0
	for _, pg := range pages {
		if strings.Contains(squash(pg), "No. Dates Activity Type Hours Evidence") {
			heads++
		}
	}
	if heads < 2 {
		t.Errorf("activity table header on %d pages, want it repeated on at least 2", heads)
	}
}

func TestRenderPDFMetadata(t *testing.T) {
	bin, err := exec.LookPath("pdfinfo")
	if err != nil {
		t.Fatal("pdfinfo not found: install poppler-utils (apt-get install -y poppler-utils); CI installs it")
	}
	var buf bytes.Buffer
	if err := RenderPDF(&buf, FixturePack(5)); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "pack.pdf")
	if err := os.WriteFile(file, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "-enc", "UTF-8", file).CombinedOutput()
	if err != nil {
		t.Fatalf("pdfinfo: %v\n%s", err, out)
	}
	for _, want := range []string{"CPD profile – Siân O’Connor", "Author:", "Siân O’Connor", "595.28 x 841.89 pts (A4)"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("pdfinfo lacks %q:\n%s", want, out)
		}
	}
}

// Characters the core font cannot draw become readable stand-ins, never garbage, and a row
// longer than a page is carried over rather than lost.
func TestRenderPDFFallbacksAndLongRows(t *testing.T) {
	p := FixturePack(3)
	p.Owner = "Zoë Dvořák"
	p.Summary = "Outcome ≥ 80% → discharge. Łódź visit ✓ 😀 done\u200b."
	p.Gaps = []Gap{{From: "1 January 2024", To: "1 May 2024", Months: 4,
		Explanation: strings.Repeat("I was seconded to a regional project and recorded nothing. ", 150) + "END-OF-EXPLANATION"}}
	all := squash(strings.Join(pdfText(t, p), "\n"))
	for _, want := range []string{"Zoë Dvorák", "Outcome >= 80% -> discharge. Lódz visit [x] ? done.", "END-OF-EXPLANATION"} {
		if !strings.Contains(all, squash(want)) {
			t.Errorf("PDF text lacks %q", want)
		}
	}
}

func TestToCP1252(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"£5 – “quoted” ’s … €", "£5 – “quoted” ’s … €"},
		{"Dvořák Łódź Ştefan", "Dvorák Lódz Stefan"},
		{"a → b ≤ c − d", "a -> b <= c - d"},
		{"zero\u200bwidth soft\u00adhyphen", "zerowidth softhyphen"},
		{"thin\u2009space", "thin space"},
		{"Ελληνικά 😀", "???????? ?"},
		{"bell\u0007here", "bellhere"}, // control characters are dropped
	} {
		if got := toCP1252(tc.in); got != tc.want {
			t.Errorf("toCP1252(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// squash collapses runs of spaces, which -layout uses to place columns, and joins lines, so
// wrapped text can be found as typed.
func squash(s string) string { return strings.Join(strings.Fields(s), " ") }

func itoa(n int) string { return thousands(n) }
