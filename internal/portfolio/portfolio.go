// Package portfolio owns a person's CPD record: reflective entries written in a chosen model,
// HCPC activity types and hours, tags to framework elements, evidence files, full-text search,
// totals, sharing with a named person or by an expiring link (every view logged), and the HCPC
// audit pack assembled from it all.
//
// The record belongs to the person. Every read filters by the owner's id or goes through
// CanViewShared; another person's entry answers ErrNotFound, exactly like one that does not
// exist. Nothing here refers to an organisation, so leaving or moving one never touches it.
package portfolio

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/pillars-ot/pillars/internal/framework"
	"github.com/pillars-ot/pillars/internal/store"
)

// ErrNotFound means no such entry, file, share or pack for this person.
var ErrNotFound = errors.New("portfolio: not found")

// CPDFramework is the built-in framework that holds the HCPC standards and activity types.
const CPDFramework = "hcpc-cpd"

// Model is a reflective model: its stages are the fields of the write-up, in order.
type Model struct {
	Key     string  `yaml:"key" json:"key"`
	Name    string  `yaml:"name" json:"name"`
	Summary string  `yaml:"summary" json:"summary"`
	Stages  []Stage `yaml:"stages" json:"stages"`
}

// Stage is one part of a reflective model.
type Stage struct {
	Key    string `yaml:"key" json:"key"`
	Title  string `yaml:"title" json:"title"`
	Prompt string `yaml:"prompt" json:"prompt"`
}

//go:embed models.yaml
var modelsYAML []byte

// Models are the reflective models, in the order offered. They are data (models.yaml).
var Models, TagSets = mustModels(modelsYAML)

// TagSet names which elements of a framework entries can be tagged with.
type TagSet struct {
	Framework string   `yaml:"framework"`
	Kinds     []string `yaml:"kinds"`
}

func mustModels(b []byte) ([]Model, []TagSet) {
	var doc struct {
		Models  []Model  `yaml:"models"`
		TagSets []TagSet `yaml:"tag_sets"`
	}
	if err := yaml.Unmarshal(b, &doc); err != nil {
		panic("portfolio: models.yaml: " + err.Error())
	}
	seen := map[string]bool{}
	for _, m := range doc.Models {
		if m.Key == "" || seen[m.Key] || len(m.Stages) == 0 {
			panic(fmt.Sprintf("portfolio: models.yaml: model %q needs a unique key and at least one stage", m.Key))
		}
		seen[m.Key] = true
	}
	return doc.Models, doc.TagSets
}

// ModelByKey returns a reflective model, or nil.
func ModelByKey(key string) *Model {
	for i := range Models {
		if Models[i].Key == key {
			return &Models[i]
		}
	}
	return nil
}

// Option is a key and its label, for activity types and standards read from the CPD framework.
type Option struct {
	Key   string
	Title string
	Hint  string
}

// Limits on evidence files. One file must fit into one 10 MB audit-pack part with room to
// spare, and a person's whole store stays a size a database backs up comfortably.
const (
	MaxFileBytes   = 8 << 20
	MaxPersonBytes = 200 << 20
)

// Service is the portfolio area.
type Service struct {
	db         *store.DB
	frameworks *framework.Catalogue
	now        func() time.Time
}

// NewService returns the portfolio area over db.
func NewService(db *store.DB, frameworks *framework.Catalogue) *Service {
	return &Service{db: db, frameworks: frameworks, now: store.Now}
}

// SetClock replaces the clock, for tests and demo data.
func (s *Service) SetClock(now func() time.Time) { s.now = now }

func (s *Service) cpdGroup(ctx context.Context, group string) ([]Option, error) {
	f, _, err := s.frameworks.Get(ctx, CPDFramework, "")
	if err != nil {
		return nil, fmt.Errorf("portfolio: the %s framework is missing: %w", CPDFramework, err)
	}
	g := f.Element(group)
	if g == nil {
		return nil, fmt.Errorf("portfolio: the %s framework has no %q group", CPDFramework, group)
	}
	out := make([]Option, 0, len(g.Children))
	for _, c := range g.Children {
		hint := c.Summary
		for _, a := range c.Attributes {
			if a.Label == "Examples" {
				hint = "For example: " + a.Text
			}
		}
		out = append(out, Option{Key: c.Key, Title: c.Title, Hint: hint})
	}
	return out, nil
}

// ActivityTypes are the HCPC activity types, read from the CPD framework (data, not code).
func (s *Service) ActivityTypes(ctx context.Context) ([]Option, error) {
	return s.cpdGroup(ctx, "activity-types")
}

// Standards are the five HCPC CPD standards, read from the CPD framework.
func (s *Service) Standards(ctx context.Context) ([]Option, error) {
	return s.cpdGroup(ctx, "standards")
}

// Label returns the title of an option key, or the key itself.
func Label(opts []Option, key string) string {
	for _, o := range opts {
		if o.Key == key {
			return o.Title
		}
	}
	return key
}
