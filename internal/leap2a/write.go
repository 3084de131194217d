package leap2a

import (
	"archive/zip"
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/url"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/pillars-ot/pillars/internal/portfolio"
)

// Write writes the archive as a LEAP2A zip: leap2a.xml at the root and the evidence files under
// files/. Every value of the archive is carried exactly in the Pillars extension, beside the
// standard LEAP2A view other systems read; times are written, and so read back, in UTC.
func Write(w io.Writer, a *portfolio.Archive) error {
	if a == nil {
		return errors.New("leap2a: no archive to write")
	}
	names := zipNames(a)
	zw := zip.NewWriter(w)
	hdr := &zip.FileHeader{Name: feedName, Method: zip.Deflate}
	if !a.ExportedAt.IsZero() {
		hdr.Modified = a.ExportedAt.UTC()
	}
	f, err := zw.CreateHeader(hdr)
	if err != nil {
		return fmt.Errorf("leap2a: write %s: %w", feedName, err)
	}
	bw := bufio.NewWriter(f)
	x := &xw{w: bw}
	writeFeed(x, a, names)
	if x.err == nil {
		x.err = bw.Flush()
	}
	if x.err != nil {
		return fmt.Errorf("leap2a: write %s: %w", feedName, x.err)
	}
	for i, e := range a.Entries {
		for j, ev := range e.Evidence {
			h := &zip.FileHeader{Name: filesDir + names[i][j], Method: zip.Deflate, Modified: hdr.Modified}
			fw, err := zw.CreateHeader(h)
			if err != nil {
				return fmt.Errorf("leap2a: write %s: %w", h.Name, err)
			}
			if _, err := fw.Write(ev.Data); err != nil {
				return fmt.Errorf("leap2a: write %s: %w", h.Name, err)
			}
		}
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("leap2a: finish zip: %w", err)
	}
	return nil
}

// zipNames gives every evidence file a unique, plain name under files/: its base name in
// letters, digits, dots, dashes and underscores only, so it needs no escaping in a URI and no
// reader can take it for a path. The original name travels in the feed.
func zipNames(a *portfolio.Archive) [][]string {
	used := map[string]bool{}
	out := make([][]string, len(a.Entries))
	for i, e := range a.Entries {
		out[i] = make([]string, len(e.Evidence))
		for j, f := range e.Evidence {
			base := safeName(f.Filename)
			ext := path.Ext(base)
			stem := strings.TrimSuffix(base, ext)
			name := base
			for n := 2; used[strings.ToLower(name)]; n++ {
				name = stem + "-" + strconv.Itoa(n) + ext
			}
			used[strings.ToLower(name)] = true
			out[i][j] = name
		}
	}
	return out
}

func safeName(name string) string {
	name = portfolio.CleanFilename(name)
	ext := path.Ext(name)
	stem := plainPart(strings.TrimSuffix(name, ext))
	ext = plainPart(strings.TrimPrefix(ext, "."))
	if len(stem) > 100 {
		stem = strings.Trim(stem[:100], "-._")
	}
	if stem == "" {
		stem = "evidence"
	}
	if ext == "" || len(ext) > 16 {
		return stem
	}
	return stem + "." + ext
}

// plainPart keeps ASCII letters, digits, dots, dashes and underscores; each run of anything
// else becomes one dash.
func plainPart(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range s {
		if r < 0x80 && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-') {
			b.WriteRune(r)
			dash = false
		} else if !dash {
			b.WriteByte('-')
			dash = true
		}
	}
	return strings.Trim(b.String(), "-._")
}

// xw writes XML by hand, so the prefixes are the conventional ones (leap2:, rdf:, pillars:)
// that other LEAP2A readers look for, and keeps the first error.
type xw struct {
	w   *bufio.Writer
	err error
}

func (x *xw) raw(parts ...string) {
	for _, s := range parts {
		if x.err != nil {
			return
		}
		_, x.err = x.w.WriteString(s)
	}
}

func (x *xw) tag(indent int, name string, attrs []string, selfClose bool) {
	x.raw(strings.Repeat("  ", indent), "<", name)
	for i := 0; i+1 < len(attrs); i += 2 {
		x.raw(" ", attrs[i], `="`, escape(attrs[i+1], true), `"`)
	}
	if selfClose {
		x.raw("/>\n")
	} else {
		x.raw(">")
	}
}

// open starts an element whose children follow on their own lines.
func (x *xw) open(indent int, name string, attrs ...string) {
	x.tag(indent, name, attrs, false)
	x.raw("\n")
}

func (x *xw) close(indent int, name string) {
	x.raw(strings.Repeat("  ", indent), "</", name, ">\n")
}

// leaf writes <name attrs>text</name> on one line.
func (x *xw) leaf(indent int, name, text string, attrs ...string) {
	x.tag(indent, name, attrs, false)
	x.raw(escape(text, false), "</", name, ">\n")
}

func (x *xw) empty(indent int, name string, attrs ...string) {
	x.tag(indent, name, attrs, true)
}

// pv writes a Pillars value element, exact through enc.
func (x *xw) pv(indent int, local, value string) {
	x.leaf(indent, "pillars:"+local, enc(value))
}

func stamp(t ...time.Time) string {
	for _, v := range t {
		if !v.IsZero() {
			return v.UTC().Format(time.RFC3339)
		}
	}
	return time.Unix(0, 0).UTC().Format(time.RFC3339)
}

func exact(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// ids names every item of the feed. Entry ids use the entry's key when keys are unique, and its
// position otherwise (keys are never trusted to be well formed).
type ids struct {
	entry []string
	byKey map[string]string
}

func makeIDs(a *portfolio.Archive) ids {
	count := map[string]int{}
	for _, e := range a.Entries {
		count[e.Key]++
	}
	out := ids{entry: make([]string, len(a.Entries)), byKey: map[string]string{}}
	for i, e := range a.Entries {
		if e.Key != "" && count[e.Key] == 1 {
			out.entry[i] = "portfolio:entry/" + url.PathEscape(e.Key)
			out.byKey[e.Key] = out.entry[i]
		} else {
			out.entry[i] = "portfolio:entry-at/" + strconv.Itoa(i+1)
		}
	}
	return out
}

func writeFeed(x *xw, a *portfolio.Archive, names [][]string) {
	sum := sha256.Sum256([]byte(a.Owner.Email + "\x00" + exact(a.ExportedAt)))
	feedID := "urn:pillars-ot:portfolio-export:" + hex.EncodeToString(sum[:12])
	id := makeIDs(a)
	x.raw(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	x.open(0, "feed", "xmlns", nsAtom, "xmlns:rdf", nsRDF, "xmlns:leap2", nsLeap2, "xmlns:categories", nsCategories,
		"xmlns:portfolio", feedID+"/", "xmlns:pillars", nsPillars)
	x.leaf(1, "leap2:version", leapVersion)
	x.leaf(1, "id", feedID)
	owner := strings.TrimSpace(a.Owner.Name)
	if owner == "" {
		owner = "Pillars user"
	}
	x.leaf(1, "title", "CPD portfolio of "+owner)
	x.leaf(1, "updated", stamp(a.ExportedAt))
	x.leaf(1, "generator", "Pillars", "uri", "https://github.com/pillars-ot/pillars", "version", strconv.Itoa(portfolio.ArchiveVersion))
	x.open(1, "author")
	x.leaf(2, "name", owner)
	if a.Owner.Email != "" {
		x.leaf(2, "email", a.Owner.Email)
	}
	x.close(1, "author")

	x.open(1, "pillars:archive")
	x.pv(2, "format", a.Format)
	x.pv(2, "version", strconv.Itoa(a.Version))
	x.pv(2, "exported-at", exact(a.ExportedAt))
	x.pv(2, "owner-name", a.Owner.Name)
	x.pv(2, "owner-email", a.Owner.Email)
	for _, l := range []struct {
		name  string
		empty bool
	}{{"entries", a.Entries != nil && len(a.Entries) == 0}, {"collections", a.Collections != nil && len(a.Collections) == 0}, {"packs", a.Packs != nil && len(a.Packs) == 0}} {
		if l.empty {
			x.empty(2, "pillars:empty-list", "pillars:name", l.name)
		}
	}
	x.close(1, "pillars:archive")

	partOf := map[string][]string{} // entry key -> collection ids
	for k, c := range a.Collections {
		for _, key := range c.Entries {
			partOf[key] = append(partOf[key], "portfolio:collection/"+strconv.Itoa(k+1))
		}
	}
	for i := range a.Entries {
		writeEntry(x, a, i, id, names[i], partOf)
	}
	for k := range a.Collections {
		writeCollection(x, a, k, id)
	}
	for k := range a.Packs {
		writePack(x, a, k, id)
	}
	x.close(0, "feed")
}

func writeEntry(x *xw, a *portfolio.Archive, i int, id ids, names []string, partOf map[string][]string) {
	e := &a.Entries[i]
	title := strings.TrimSpace(e.Title)
	if title == "" {
		title = "Untitled activity"
	}
	x.open(1, "entry")
	x.leaf(2, "title", title)
	x.leaf(2, "id", id.entry[i])
	x.leaf(2, "updated", stamp(e.UpdatedAt, e.CreatedAt, a.ExportedAt))
	x.leaf(2, "published", stamp(e.CreatedAt, e.UpdatedAt, a.ExportedAt))
	x.raw(`    <content type="xhtml"><div xmlns="`, nsXHTML, `">`, "\n")
	writeReflection(x, e)
	x.raw("    </div></content>\n")
	x.empty(2, "rdf:type", "rdf:resource", "leap2:activity")
	for j := range e.Evidence {
		x.empty(2, "link", "rel", "leap2:supported_by", "href", evidenceID(i, j))
	}
	if e.Key != "" && id.byKey[e.Key] != "" {
		for _, c := range partOf[e.Key] {
			x.empty(2, "link", "rel", "leap2:is_part_of", "href", c)
		}
	}
	readiness := "Ready"
	if e.Status == "draft" {
		readiness = "Unready"
	}
	x.empty(2, "category", "scheme", "categories:readiness#", "term", readiness)
	if e.ActivityType != "" {
		x.empty(2, "category", "scheme", schemeActivityType, "term", e.ActivityType, "label", activityLabel(e.ActivityType))
	}
	for _, t := range e.Tags {
		x.empty(2, "category", "scheme", schemeTag, "term", t.Framework+"/"+t.Element, "label", tagLabel(t))
	}
	if e.StartedOn != "" {
		x.leaf(2, "leap2:date", e.StartedOn, "leap2:point", "start")
	}
	if e.EndedOn != "" {
		x.leaf(2, "leap2:date", e.EndedOn, "leap2:point", "end")
	}
	x.open(2, "pillars:entry")
	x.pv(3, "key", e.Key)
	x.pv(3, "status", e.Status)
	x.pv(3, "title", e.Title)
	x.pv(3, "started-on", e.StartedOn)
	x.pv(3, "ended-on", e.EndedOn)
	x.pv(3, "activity-type", e.ActivityType)
	x.pv(3, "minutes", strconv.Itoa(e.Minutes))
	x.pv(3, "model", e.Model)
	if e.Stages != nil {
		x.open(3, "pillars:stages")
		for _, k := range stageOrder(e.Model, e.Stages) {
			x.leaf(4, "pillars:stage", enc(e.Stages[k]), "pillars:key", enc(k))
		}
		x.close(3, "pillars:stages")
	}
	if e.Tags != nil {
		x.open(3, "pillars:tags")
		for _, t := range e.Tags {
			attrs := []string{"pillars:framework", enc(t.Framework), "pillars:element", enc(t.Element)}
			if t.Title != "" {
				attrs = append(attrs, "pillars:title", enc(t.Title))
			}
			x.empty(4, "pillars:tag", attrs...)
		}
		x.close(3, "pillars:tags")
	}
	x.pv(3, "created-at", exact(e.CreatedAt))
	x.pv(3, "updated-at", exact(e.UpdatedAt))
	if e.Evidence != nil {
		x.open(3, "pillars:evidence")
		for j, f := range e.Evidence {
			x.empty(4, "pillars:file", "pillars:filename", enc(f.Filename), "pillars:content-type", enc(f.ContentType), "pillars:path", filesDir+names[j])
		}
		x.close(3, "pillars:evidence")
	}
	x.close(2, "pillars:entry")
	x.close(1, "entry")

	for j, f := range e.Evidence {
		writeResource(x, a, e, i, j, id, filesDir+names[j], f)
	}
}

func evidenceID(i, j int) string { return fmt.Sprintf("portfolio:evidence/%d-%d", i+1, j+1) }

// writeResource writes one evidence file as a LEAP2A resource: its file by <content src> (the
// 2009 form) and by an enclosure link (the 2010 form), so readers of either find it.
func writeResource(x *xw, a *portfolio.Archive, e *portfolio.ArchivedEntry, i, j int, id ids, href string, f portfolio.ArchivedFile) {
	title := strings.TrimSpace(f.Filename)
	if title == "" {
		title = path.Base(href)
	}
	x.open(1, "entry")
	x.leaf(2, "title", title)
	x.leaf(2, "id", evidenceID(i, j))
	x.leaf(2, "updated", stamp(e.UpdatedAt, e.CreatedAt, a.ExportedAt))
	x.leaf(2, "published", stamp(e.CreatedAt, e.UpdatedAt, a.ExportedAt))
	entryTitle := strings.TrimSpace(e.Title)
	if entryTitle == "" {
		entryTitle = "Untitled activity"
	}
	x.leaf(2, "summary", "Evidence for the CPD activity “"+entryTitle+"”")
	mime := f.ContentType
	if !strings.Contains(mime, "/") || strings.ContainsAny(mime, " \t\r\n\"") {
		mime = ""
	}
	if mime != "" {
		x.empty(2, "content", "type", mime, "src", href)
	} else {
		x.empty(2, "content", "src", href)
	}
	x.empty(2, "rdf:type", "rdf:resource", "leap2:resource")
	link := []string{"rel", "enclosure", "href", href, "length", strconv.Itoa(len(f.Data))}
	if mime != "" {
		link = append(link, "type", mime)
	}
	x.empty(2, "link", link...)
	x.empty(2, "link", "rel", "leap2:supports", "href", id.entry[i])
	x.empty(2, "category", "scheme", "categories:resource_type#", "term", "Offline", "label", "File")
	// The exact file is part of its entry's Pillars record; this marks the resource as its copy.
	x.empty(2, "pillars:file")
	x.close(1, "entry")
}

func writeCollection(x *xw, a *portfolio.Archive, k int, id ids) {
	c := &a.Collections[k]
	title := strings.TrimSpace(c.Title)
	if title == "" {
		title = "Untitled collection"
	}
	x.open(1, "entry")
	x.leaf(2, "title", title)
	x.leaf(2, "id", "portfolio:collection/"+strconv.Itoa(k+1))
	x.leaf(2, "updated", stamp(a.ExportedAt))
	x.leaf(2, "content", c.Description)
	x.empty(2, "rdf:type", "rdf:resource", "leap2:selection")
	order := 0
	for _, key := range c.Entries {
		if href := id.byKey[key]; href != "" {
			order++
			x.empty(2, "link", "rel", "leap2:has_part", "href", href, "leap2:display_order", strconv.Itoa(order))
		}
	}
	x.empty(2, "category", "scheme", "categories:selection_type#", "term", "Grouping")
	x.open(2, "pillars:collection")
	x.pv(3, "title", c.Title)
	x.pv(3, "description", c.Description)
	writeList(x, "members", c.Entries)
	x.close(2, "pillars:collection")
	x.close(1, "entry")
}

func writeList(x *xw, name string, keys []string) {
	if keys == nil {
		return
	}
	x.open(3, "pillars:"+name)
	for _, k := range keys {
		x.pv(4, "member", k)
	}
	x.close(3, "pillars:"+name)
}

func writeMap(x *xw, name string, m map[string]string, order []string) {
	if m == nil {
		return
	}
	x.open(3, "pillars:"+name)
	for _, k := range order {
		x.leaf(4, "pillars:part", enc(m[k]), "pillars:key", enc(k))
	}
	x.close(3, "pillars:"+name)
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func writePack(x *xw, a *portfolio.Archive, k int, id ids) {
	p := &a.Packs[k]
	x.open(1, "entry")
	x.leaf(2, "title", fmt.Sprintf("CPD audit pack, %s to %s", p.CycleStart, p.CycleEnd))
	x.leaf(2, "id", "portfolio:pack/"+strconv.Itoa(k+1))
	x.leaf(2, "updated", stamp(a.ExportedAt))
	x.raw(`    <content type="xhtml"><div xmlns="`, nsXHTML, `">`, "\n")
	if p.Profession != "" {
		x.leaf(3, "p", "Profession: "+p.Profession)
	}
	if strings.TrimSpace(p.Summary) != "" {
		x.leaf(3, "h3", "Summary of practice")
		writeParas(x, p.Summary)
	}
	if len(p.Statement) > 0 {
		x.leaf(3, "h3", "Statement of how I have met the standards")
		for _, key := range sortedKeys(p.Statement) {
			if strings.TrimSpace(p.Statement[key]) == "" {
				continue
			}
			x.leaf(3, "h4", standardLabel(key))
			writeParas(x, p.Statement[key])
		}
	}
	if len(p.GapNotes) > 0 {
		x.leaf(3, "h3", "Gaps in my CPD record")
		for _, key := range sortedKeys(p.GapNotes) {
			x.leaf(3, "h4", key)
			writeParas(x, p.GapNotes[key])
		}
	}
	x.raw("    </div></content>\n")
	x.empty(2, "rdf:type", "rdf:resource", "leap2:entry")
	for _, key := range p.Selected {
		if href := id.byKey[key]; href != "" {
			x.empty(2, "link", "rel", "related", "href", href)
		}
	}
	x.open(2, "pillars:pack")
	x.pv(3, "profession", p.Profession)
	x.pv(3, "cycle-start", p.CycleStart)
	x.pv(3, "cycle-end", p.CycleEnd)
	x.pv(3, "summary", p.Summary)
	writeMap(x, "statement", p.Statement, sortedKeys(p.Statement))
	writeList(x, "selected", p.Selected)
	writeMap(x, "gap-notes", p.GapNotes, sortedKeys(p.GapNotes))
	x.close(2, "pillars:pack")
	x.close(1, "entry")
}
