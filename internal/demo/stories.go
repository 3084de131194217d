package demo

import (
	"bytes"
	"context"
	_ "embed"
	"fmt"
	"strconv"
	"strings"

	"github.com/go-pdf/fpdf"
	"go.yaml.in/yaml/v3"

	"github.com/pillars-ot/pillars/internal/store"
	"github.com/pillars-ot/pillars/internal/stories"
)

//go:embed stories.yaml
var storiesYAML []byte

// demoStory is one story as stories.yaml writes it.
type demoStory struct {
	Key       string   `yaml:"key"`
	Name      string   `yaml:"name"`
	Role      string   `yaml:"role"`
	Level     int      `yaml:"level"`
	Setting   string   `yaml:"setting"`
	Path      string   `yaml:"path"`
	Barriers  string   `yaml:"barriers"`
	Enablers  string   `yaml:"enablers"`
	FiveYears string   `yaml:"five_years"`
	Advice    string   `yaml:"advice"`
	Timeline  []string `yaml:"timeline"`
}

// Stories returns the fictional career stories, each checked by the same rules as a story
// typed into the form; those with a timeline carry it as a one-page PDF.
func Stories() ([]stories.Keyed, error) {
	var doc struct {
		Stories []demoStory `yaml:"stories"`
	}
	dec := yaml.NewDecoder(bytes.NewReader(storiesYAML))
	dec.KnownFields(true)
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("demo: stories.yaml: %w", err)
	}
	var out []stories.Keyed
	for _, d := range doc.Stories {
		k := stories.Keyed{Key: d.Key, Input: stories.Input{DisplayName: d.Name, Role: d.Role, Level: strconv.Itoa(d.Level),
			Setting: d.Setting, Path: d.Path, Barriers: d.Barriers, Enablers: d.Enablers, FiveYears: d.FiveYears, Advice: d.Advice}}
		if len(d.Timeline) > 0 {
			pdf, err := timeline(d.Name, d.Role, d.Timeline)
			if err != nil {
				return nil, err
			}
			k.Upload = &stories.Upload{Name: strings.ToLower(d.Name) + "-career-timeline.pdf", Data: pdf}
		}
		if _, _, errs := stories.Check(k.Input, k.Upload); errs.Any() {
			return nil, fmt.Errorf("demo: stories.yaml: %s: %w", d.Key, errs)
		}
		out = append(out, k)
	}
	return out, nil
}

// LoadStories publishes the fictional career stories that are not loaded yet (by key), with no
// author account. It returns how many it added.
func LoadStories(ctx context.Context, db *store.DB) (int, error) {
	list, err := Stories()
	if err != nil {
		return 0, err
	}
	return stories.NewService(db).LoadKeyed(ctx, list)
}

// timeline makes a one-page PDF listing the steps of a fictional career, so a demo story's
// attachment is a real file.
func timeline(name, role string, steps []string) ([]byte, error) {
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetTitle("Career timeline: "+name, true)
	pdf.AddPage()
	pdf.SetFont("Helvetica", "B", 20)
	pdf.CellFormat(0, 14, "Career timeline: "+name, "", 1, "L", false, 0, "")
	pdf.SetFont("Helvetica", "", 12)
	pdf.MultiCell(0, 7, role, "", "L", false)
	pdf.Ln(4)
	for i, s := range steps {
		pdf.SetFont("Helvetica", "B", 12)
		pdf.CellFormat(10, 8, strconv.Itoa(i+1)+".", "", 0, "L", false, 0, "")
		pdf.SetFont("Helvetica", "", 12)
		pdf.MultiCell(0, 8, s, "", "L", false)
	}
	pdf.Ln(6)
	pdf.SetFont("Helvetica", "I", 10)
	pdf.MultiCell(0, 6, "A fictional career for the Pillars demo. Any likeness to a real person is coincidental.", "", "L", false)
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return nil, fmt.Errorf("demo: timeline: %w", err)
	}
	return buf.Bytes(), nil
}
