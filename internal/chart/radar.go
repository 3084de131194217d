// Package chart draws charts as SVG on the server, so they work without JavaScript, in print and
// in PDF. Every chart carries a title and description for screen readers and is always shown
// beside a table of the same figures. Styling uses SVG presentation attributes, not style
// attributes, so the strict content security policy holds; series differ by dash pattern and
// marker shape as well as colour, so they can be told apart without colour.
package chart

import (
	"fmt"
	"html"
	"html/template"
	"math"
	"strings"
)

// Series is one line on a chart. NaN marks a missing value.
type Series struct {
	Name   string
	Values []float64
}

var seriesStyles = []struct {
	colour, dash, marker string
}{
	{"#005eb8", "", "circle"},    // NHS blue, solid, circles
	{"#d5281b", "8 4", "square"}, // red, dashed, squares
	{"#007f3b", "2 4", "diamond"},
	{"#330072", "12 4 2 4", "triangle"},
}

// Radar draws a radar (spider) chart of several series over the same labelled axes, from min at
// the centre to max at the rim, with a ring at each whole step.
func Radar(id, title, desc string, labels []string, min, max float64, series []Series) template.HTML {
	// The drawing is wider than it is tall: labels sit beside the left and right spokes and
	// need room for names like "Emotional intelligence" without being clipped.
	const size, width, cx, cy, radius = 560.0, 800.0, 400.0, 280.0, 190.0
	n := len(labels)
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %g %g" width="100%%" role="img" aria-labelledby="%s-title %s-desc" class="pillars-chart" id="%s">`,
		width, size+20+float64(len(series))*24, id, id, id)
	fmt.Fprintf(&b, `<title id="%s-title">%s</title><desc id="%s-desc">%s</desc>`, id, html.EscapeString(title), id, html.EscapeString(desc))
	if n < 3 || max <= min {
		b.WriteString(`</svg>`)
		return template.HTML(b.String())
	}
	point := func(i int, v float64) (float64, float64) {
		angle := -math.Pi/2 + 2*math.Pi*float64(i)/float64(n)
		r := radius * (v - min) / (max - min)
		return cx + r*math.Cos(angle), cy + r*math.Sin(angle)
	}
	// Rings at each step, with their value.
	for v := min; v <= max+1e-9; v++ {
		var pts []string
		for i := 0; i < n; i++ {
			x, y := point(i, v)
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", x, y))
		}
		fmt.Fprintf(&b, `<polygon points="%s" fill="none" stroke="#aeb7bd" stroke-width="1"/>`, strings.Join(pts, " "))
		_, y := point(0, v)
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-size="12" fill="#4c6272" text-anchor="start">%g</text>`, cx+4, y-2, v)
	}
	// Axes and their labels.
	for i, l := range labels {
		x, y := point(i, max)
		fmt.Fprintf(&b, `<line x1="%g" y1="%g" x2="%.1f" y2="%.1f" stroke="#d8dde0" stroke-width="1"/>`, cx, cy, x, y)
		lx, ly := point(i, max+(max-min)*0.14)
		anchor := "middle"
		switch {
		case lx < cx-10:
			anchor = "end"
		case lx > cx+10:
			anchor = "start"
		}
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-size="14" fill="#212b32" text-anchor="%s" dominant-baseline="middle">%s</text>`, lx, ly, anchor, html.EscapeString(l))
	}
	// Series.
	for si, s := range series {
		st := seriesStyles[si%len(seriesStyles)]
		var pts []string
		for i := 0; i < n && i < len(s.Values); i++ {
			if math.IsNaN(s.Values[i]) {
				continue
			}
			x, y := point(i, s.Values[i])
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", x, y))
		}
		dash := ""
		if st.dash != "" {
			dash = fmt.Sprintf(` stroke-dasharray="%s"`, st.dash)
		}
		if len(pts) >= 2 {
			fmt.Fprintf(&b, `<polygon points="%s" fill="%s" fill-opacity="0.08" stroke="%s" stroke-width="3"%s/>`, strings.Join(pts, " "), st.colour, st.colour, dash)
		}
		for _, p := range pts {
			var x, y float64
			fmt.Sscanf(p, "%f,%f", &x, &y)
			b.WriteString(marker(st.marker, x, y, st.colour))
		}
		// Legend.
		ly := size + float64(si)*24
		fmt.Fprintf(&b, `<line x1="%g" y1="%.1f" x2="%g" y2="%.1f" stroke="%s" stroke-width="3"%s/>`, cx-160, ly, cx-120, ly, st.colour, dash)
		b.WriteString(marker(st.marker, cx-140, ly, st.colour))
		fmt.Fprintf(&b, `<text x="%g" y="%.1f" font-size="14" fill="#212b32" dominant-baseline="middle">%s</text>`, cx-110, ly, html.EscapeString(s.Name))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

func marker(kind string, x, y float64, colour string) string {
	switch kind {
	case "square":
		return fmt.Sprintf(`<rect x="%.1f" y="%.1f" width="9" height="9" fill="%s"/>`, x-4.5, y-4.5, colour)
	case "diamond":
		return fmt.Sprintf(`<polygon points="%.1f,%.1f %.1f,%.1f %.1f,%.1f %.1f,%.1f" fill="%s"/>`, x, y-6, x+6, y, x, y+6, x-6, y, colour)
	case "triangle":
		return fmt.Sprintf(`<polygon points="%.1f,%.1f %.1f,%.1f %.1f,%.1f" fill="%s"/>`, x, y-6, x+6, y+5, x-6, y+5, colour)
	}
	return fmt.Sprintf(`<circle cx="%.1f" cy="%.1f" r="5" fill="%s"/>`, x, y, colour)
}
