package auditpack

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
)

func TestRenderHTML(t *testing.T) {
	p := hostilePack()
	p.Activities[1].Title = `<script>alert(1)</script>`
	p.Statement[0].Text = `<img src=x onerror=alert(2)> and "quotes"`
	var buf bytes.Buffer
	if err := RenderHTML(&buf, p); err != nil {
		t.Fatal(err)
	}
	page := buf.String()

	for _, bad := range []string{"<script", "<img", "http://", "https://", "<link", "@import", "url("} {
		if strings.Contains(page, bad) {
			t.Errorf("page contains %q: no scripts, no injected markup, nothing fetched", bad)
		}
	}
	for _, want := range []string{
		"<!DOCTYPE html>",
		`<html lang="en-GB">`,
		"<title>CPD profile – Alex &#34;AJ&#34; O’Neil &lt;ot@example.org&gt;</title>",
		"&lt;script&gt;alert(1)&lt;/script&gt;",
		"&lt;img src=x onerror=alert(2)&gt;",
		`Budget &lt;review&gt; &amp; &#34;fish &amp; chips&#34; session`,
		"First paragraph, line one.<br>Line two of the first paragraph.</p>",
		"<p>Second paragraph costs £40 &amp; more.</p>",
		`<th scope="col"`,
		`<th scope="row"`,
		"<caption>Activities in this CPD cycle, oldest first</caption>",
		"<h2>6. Evidence</h2>",
		"Word count: ",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if n := strings.Count(page, "<h1"); n != 1 {
		t.Errorf("page has %d h1 elements, want exactly one", n)
	}
	if strings.Count(page, "<table>") != strings.Count(page, "<caption>") {
		t.Error("every table needs a caption")
	}

	// Headings never skip a level on the way down (h2 then h4 would lose screen reader users).
	prev := 0
	for _, m := range regexp.MustCompile(`<h([1-6])>`).FindAllStringSubmatch(page, -1) {
		level := int(m[1][0] - '0')
		if level > prev+1 {
			t.Errorf("heading h%d follows h%d", level, prev)
		}
		prev = level
	}
}
