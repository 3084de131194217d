package chart

import (
	"encoding/xml"
	"math"
	"strings"
	"testing"
)

func TestRadarIsWellFormedAccessibleSVG(t *testing.T) {
	out := string(Radar("r1", "Self & others", "A radar chart <of> ratings", []string{"Influence", "Advocacy", "Team"}, 1, 5,
		[]Series{{"You", []float64{3, 4, 5}}, {"Others", []float64{2, math.NaN(), 4}}}))
	if err := xml.Unmarshal([]byte(out), new(struct{})); err != nil {
		t.Fatalf("not well-formed XML: %v\n%s", err, out)
	}
	for _, want := range []string{`role="img"`, `aria-labelledby="r1-title r1-desc"`, `<title id="r1-title">Self &amp; others</title>`, `&lt;of&gt;`, "Influence", "Others"} {
		if !strings.Contains(out, want) {
			t.Errorf("SVG lacks %q", want)
		}
	}
	if strings.Contains(out, "style=") {
		t.Error("inline style attributes would break the content security policy")
	}
	// A missing value is skipped, not drawn at the centre: the second series has 2 points.
	if got := strings.Count(out, `<rect `); got != 2+1 {
		t.Errorf("squares (markers + legend) = %d, want 3", got)
	}
}
