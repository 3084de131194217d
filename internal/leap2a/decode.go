package leap2a

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/pillars-ot/pillars/internal/portfolio"
)

// decoder turns the items of a feed into an archive: Pillars' own records exactly, from the
// Pillars extension; anything else by the mapping in foreign.
type decoder struct {
	src        source
	a          *portfolio.Archive
	pillars    bool
	emptyLists map[string]bool

	feedUpdated, authorName, authorEmail, generator string

	items    []*item // entries without a Pillars record, in feed order
	webLinks int
}

func decode(data []byte, src source, lim limits) (*portfolio.Archive, []string, error) {
	d := &decoder{src: src, a: &portfolio.Archive{}, emptyLists: map[string]bool{}}
	if _, err := parseFeed(data, lim, d.visit); err != nil {
		return nil, nil, err
	}
	notes, err := d.finish()
	if err != nil {
		return nil, nil, err
	}
	return d.a, notes, nil
}

func (d *decoder) visit(n *node) error {
	switch {
	case n.is(nsAtom, "author"):
		d.authorName = oneLine(n.child(nsAtom, "name").textContent())
		d.authorEmail = strings.TrimSpace(n.child(nsAtom, "email").textContent())
	case n.is(nsAtom, "updated"):
		d.feedUpdated = strings.TrimSpace(n.textContent())
	case n.is(nsAtom, "generator"):
		d.generator = oneLine(n.textContent())
	case n.is(nsPillars, "archive"):
		return d.archive(n)
	case n.is(nsAtom, "entry"):
		return d.entry(n)
	}
	return nil
}

// pread reads Pillars values, keeping the first problem.
type pread struct{ err error }

func (p *pread) fail(n *node, what string) {
	if p.err == nil {
		p.err = problem("This LEAP2A file has Pillars details that cannot be read (%s, line %d). Export it again from Pillars.", what, n.line)
	}
}

func (p *pread) text(n *node, s string) string {
	v, err := dec(s)
	if err != nil {
		p.fail(n, "a value is not in the expected form")
	}
	return v
}

func (p *pread) val(n *node, local string) string {
	c := n.child(nsPillars, local)
	if c == nil {
		return ""
	}
	return p.text(c, c.textContent())
}

func (p *pread) attr(n *node, local string) string { return p.text(n, n.attrOf(nsPillars, local)) }

func (p *pread) int(n *node, local string) int {
	s := p.val(n, local)
	if s == "" {
		return 0
	}
	v, err := strconv.Atoi(s)
	if err != nil {
		p.fail(n, fmt.Sprintf("%s should be a whole number, not %q", local, s))
	}
	return v
}

func (p *pread) time(n *node, local string) time.Time {
	s := p.val(n, local)
	if s == "" {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		p.fail(n, fmt.Sprintf("%s should be a date and time, not %q", local, s))
	}
	return t.UTC()
}

func (p *pread) list(n *node, local string) []string {
	c := n.child(nsPillars, local)
	if c == nil {
		return nil
	}
	out := []string{}
	for _, m := range c.children(nsPillars, "member") {
		out = append(out, p.text(m, m.textContent()))
	}
	return out
}

func (p *pread) dict(n *node, local, item string) map[string]string {
	c := n.child(nsPillars, local)
	if c == nil {
		return nil
	}
	out := map[string]string{}
	for _, m := range c.children(nsPillars, item) {
		out[p.attr(m, "key")] = p.text(m, m.textContent())
	}
	return out
}

func (d *decoder) archive(n *node) error {
	var p pread
	d.pillars = true
	d.a.Format = p.val(n, "format")
	d.a.Version = p.int(n, "version")
	d.a.ExportedAt = p.time(n, "exported-at")
	d.a.Owner = portfolio.ArchiveOwner{Name: p.val(n, "owner-name"), Email: p.val(n, "owner-email")}
	for _, e := range n.children(nsPillars, "empty-list") {
		d.emptyLists[p.attr(e, "name")] = true
	}
	if p.err == nil && d.a.Version > portfolio.ArchiveVersion {
		return problem("This portfolio was exported by a newer version of Pillars: ask your administrator to upgrade")
	}
	return p.err
}

// entry reads one atom:entry. Its file references are checked whatever it is; a Pillars record,
// when it has one, is then read exactly and the rest of the entry (the view for other systems)
// is ignored.
func (d *decoder) entry(n *node) error {
	pe, pc, pp := n.child(nsPillars, "entry"), n.child(nsPillars, "collection"), n.child(nsPillars, "pack")
	// A Pillars evidence resource (pillars:file) is a copy of a file in its entry's record.
	own := pe != nil || pc != nil || pp != nil || n.child(nsPillars, "file") != nil
	if err := d.foreign(n, own); err != nil || !own {
		return err
	}
	var p pread
	switch {
	case pe != nil:
		e, err := d.pillarsEntry(pe)
		if err != nil {
			return err
		}
		d.a.Entries = append(d.a.Entries, e)
	case pc != nil:
		d.a.Collections = append(d.a.Collections, portfolio.ArchivedCollection{
			Title: p.val(pc, "title"), Description: p.val(pc, "description"), Entries: p.list(pc, "members"),
		})
	case pp != nil:
		d.a.Packs = append(d.a.Packs, portfolio.ArchivedPack{
			Profession: p.val(pp, "profession"), CycleStart: p.val(pp, "cycle-start"), CycleEnd: p.val(pp, "cycle-end"),
			Summary: p.val(pp, "summary"), Statement: p.dict(pp, "statement", "part"), Selected: p.list(pp, "selected"),
			GapNotes: p.dict(pp, "gap-notes", "part"),
		})
	}
	return p.err
}

func (d *decoder) pillarsEntry(pe *node) (portfolio.ArchivedEntry, error) {
	var p pread
	e := portfolio.ArchivedEntry{
		Key: p.val(pe, "key"), Status: p.val(pe, "status"), Title: p.val(pe, "title"),
		StartedOn: p.val(pe, "started-on"), EndedOn: p.val(pe, "ended-on"), ActivityType: p.val(pe, "activity-type"),
		Minutes: p.int(pe, "minutes"), Model: p.val(pe, "model"), Stages: p.dict(pe, "stages", "stage"),
		CreatedAt: p.time(pe, "created-at"), UpdatedAt: p.time(pe, "updated-at"),
	}
	if tags := pe.child(nsPillars, "tags"); tags != nil {
		e.Tags = []portfolio.Tag{}
		for _, t := range tags.children(nsPillars, "tag") {
			e.Tags = append(e.Tags, portfolio.Tag{Framework: p.attr(t, "framework"), Element: p.attr(t, "element"), Title: p.attr(t, "title")})
		}
	}
	if ev := pe.child(nsPillars, "evidence"); ev != nil {
		e.Evidence = []portfolio.ArchivedFile{}
		for _, f := range ev.children(nsPillars, "file") {
			ref := f.attrOf(nsPillars, "path")
			fp, web, err := filePath(ref)
			if err != nil {
				return e, err
			}
			if web || fp == "" {
				p.fail(f, "an evidence file has no path in the export")
				break
			}
			data, err := d.fetch(fp, ref)
			if err != nil {
				return e, err
			}
			e.Evidence = append(e.Evidence, portfolio.ArchivedFile{Filename: p.attr(f, "filename"), ContentType: p.attr(f, "content-type"), Data: data})
		}
	}
	return e, p.err
}

// resolve finds a checked path in the export, trying it percent-decoded too: some exporters
// write "files/my%20report.pdf" for the file "files/my report.pdf". It returns "" when neither
// is there.
func (d *decoder) resolve(p string) string {
	if d.src.has(p) {
		return p
	}
	if u, err := url.PathUnescape(p); err == nil && u != p && d.src.has(u) {
		return u
	}
	return ""
}

func (d *decoder) fetch(p, ref string) ([]byte, error) {
	found := d.resolve(p)
	if found == "" {
		return nil, missingRef(ref)
	}
	data, err := d.src.read(found)
	if errors.Is(err, ErrNoFile) {
		return nil, missingRef(ref)
	}
	return data, err
}

func (d *decoder) exists(p string) bool { return d.resolve(p) != "" }

func (d *decoder) finish() ([]string, error) {
	if !d.pillars {
		d.a.Format = "pillars-portfolio"
		d.a.Version = portfolio.ArchiveVersion
		d.a.ExportedAt = parseStamp(d.feedUpdated)
		d.a.Owner = portfolio.ArchiveOwner{Name: d.authorName, Email: d.authorEmail}
	}
	notes, err := d.mapForeign()
	if err != nil {
		return nil, err
	}
	if d.a.Entries == nil && d.emptyLists["entries"] {
		d.a.Entries = []portfolio.ArchivedEntry{}
	}
	if d.a.Collections == nil && d.emptyLists["collections"] {
		d.a.Collections = []portfolio.ArchivedCollection{}
	}
	if d.a.Packs == nil && d.emptyLists["packs"] {
		d.a.Packs = []portfolio.ArchivedPack{}
	}
	return notes, nil
}
