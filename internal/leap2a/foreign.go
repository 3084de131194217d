package leap2a

import (
	"fmt"
	"net/http"
	"path"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/pillars-ot/pillars/internal/portfolio"
)

// item is an entry from another system, reduced to what the mapping needs.
type item struct {
	id, title, kind, maharaType string
	published, updated          string
	text                        string
	files                       []fileRef
	links                       []link
	cats                        []cat
	start, end                  string
}

type fileRef struct{ ref, path, typ string }
type link struct{ rel, href string }
type cat struct{ scheme, term, label string }

// knownTypes are the LEAP2A item types; the first of them an entry declares is its kind.
var knownTypes = map[string]bool{
	"entry": true, "activity": true, "meeting": true, "resource": true, "publication": true, "selection": true,
	"person": true, "plan": true, "ability": true, "achievement": true, "affiliation": true, "organization": true,
}

// foreign reduces an entry without a Pillars record to an item, checking every file it refers
// to. With checkOnly (an entry that has a Pillars record) it only checks.
func (d *decoder) foreign(n *node, checkOnly bool) error {
	it := &item{
		id:        expandID(n.child(nsAtom, "id")),
		title:     oneLine(textConstruct(n.child(nsAtom, "title"))),
		published: strings.TrimSpace(n.child(nsAtom, "published").textContent()),
		updated:   strings.TrimSpace(n.child(nsAtom, "updated").textContent()),
	}
	var types []string
	for _, k := range n.kids {
		switch {
		case k.is(nsRDF, "type"):
			types = append(types, term(k.expand(k.attrOf(nsRDF, "resource"))))
		case k.name.Local == "artefactplugin" && strings.Contains(strings.ToLower(k.name.Space), "mahara"):
			for _, a := range k.attr {
				if a.Name.Local == "type" {
					it.maharaType = a.Value
				}
			}
		case k.is(nsAtom, "content"):
			if src := k.attrOf("", "src"); src != "" {
				if err := d.addFile(it, src, k.attrOf("", "type")); err != nil {
					return err
				}
			} else {
				it.text = textConstruct(k)
			}
		case k.is(nsAtom, "link"):
			rel := strings.TrimSpace(k.attrOf("", "rel"))
			href := strings.TrimSpace(k.attrOf("", "href"))
			if rel == "enclosure" {
				if err := d.addFile(it, href, k.attrOf("", "type")); err != nil {
					return err
				}
				continue
			}
			if strings.ContainsAny(rel, ":/") {
				rel = term(k.expand(rel))
			}
			it.links = append(it.links, link{rel: rel, href: k.expand(href)})
		case k.is(nsAtom, "category"):
			it.cats = append(it.cats, cat{scheme: k.expand(k.attrOf("", "scheme")), term: strings.TrimSpace(k.attrOf("", "term")), label: k.attrOf("", "label")})
		case k.name.Local == "date" && isLeapNS(k.name.Space):
			// The value is a W3C date; some exporters (Mahara's résumé) write only a label.
			v := strings.TrimSpace(k.textContent())
			if firstDate(v) == "" {
				v = labelDate(k.leapAttr("label"))
			}
			switch k.leapAttr("point") {
			case "start":
				it.start = v
			case "end":
				it.end = v
			}
		}
	}
	if checkOnly {
		return nil
	}
	it.kind = "entry" // LEAP2A: an item of no other type is an entry
	for _, t := range types {
		if knownTypes[t] {
			it.kind = t
			break
		}
	}
	if strings.TrimSpace(it.text) == "" {
		it.text = textConstruct(n.child(nsAtom, "summary"))
	}
	d.items = append(d.items, it)
	return nil
}

func (d *decoder) addFile(it *item, ref, typ string) error {
	p, web, err := filePath(ref)
	if err != nil {
		return err
	}
	if web {
		d.webLinks++
		return nil
	}
	if p == "" {
		return nil
	}
	if !d.exists(p) {
		return missingRef(ref)
	}
	it.files = append(it.files, fileRef{ref: ref, path: p, typ: strings.TrimSpace(typ)})
	return nil
}

// expandID reads an entry's id; a CURIE ("portfolio:artefact12") is expanded, as links to it
// may be written either way.
func expandID(n *node) string {
	if n == nil {
		return ""
	}
	return n.expand(n.textContent())
}

// textConstruct is the readable text of an Atom text construct (title, summary, content).
func textConstruct(n *node) string {
	if n == nil {
		return ""
	}
	switch strings.ToLower(strings.TrimSpace(n.attrOf("", "type"))) {
	case "xhtml":
		return xhtmlText(n)
	case "html":
		return htmlText(n.textContent())
	case "", "text":
		s := strings.ReplaceAll(n.textContent(), "\r\n", "\n")
		return strings.TrimSpace(s)
	}
	return "" // other media types inline (base64 and the like) are not text
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// mapForeign turns other systems' activities and blog posts into free-text entries:
//
//   - LEAP2A activities and meetings, and entries (blog posts; in a Mahara export only its blog
//     posts, as Mahara writes other things as entries too) become entries;
//   - the reflection is the content as plain paragraphs, in the "free" model;
//   - the dates are leap2:date start and end, or else the date it was published;
//   - the activity type is a Pillars category if there is one, or else "work-based" for an
//     activity and "self-directed" for a blog post; the hours are 0, to be filled in;
//   - an entry marked Unready (Mahara's unpublished post) is a draft;
//   - files become evidence when the entry has them itself (content src, enclosure) or is linked
//     either way to a resource that has them.
//
// Everything else (pages, profile details, plans, files on their own) is counted in the notes.
func (d *decoder) mapForeign() ([]string, error) {
	if len(d.items) == 0 && d.webLinks == 0 {
		return nil, nil
	}
	byID := map[string]*item{}
	for _, it := range d.items {
		if _, dup := byID[it.id]; it.id != "" && !dup {
			byID[it.id] = it
		}
	}
	out := map[*item][]*item{}
	in := map[*item][]*item{}
	for _, it := range d.items {
		for _, l := range it.links {
			if t := byID[l.href]; t != nil && t != it {
				out[it] = append(out[it], t)
				in[t] = append(in[t], it)
			}
		}
	}
	taken := map[string]bool{}
	for _, e := range d.a.Entries {
		taken[e.Key] = true
	}
	next := 1
	used := map[*item]bool{}
	imported, skipped, loose := 0, 0, 0
	for _, it := range d.items {
		if !importable(it) {
			continue
		}
		for taken["entry-"+strconv.Itoa(next)] {
			next++
		}
		key := "entry-" + strconv.Itoa(next)
		taken[key] = true
		e, err := d.mapItem(it, key, append(out[it], in[it]...), used)
		if err != nil {
			return nil, err
		}
		d.a.Entries = append(d.a.Entries, e)
		imported++
	}
	for _, it := range d.items {
		switch {
		case importable(it), used[it], it.kind == "selection" && it.hasCategory("selection_type", "Blog"):
		case (it.kind == "resource" || it.kind == "publication") && len(it.files) > 0:
			loose++
		default:
			skipped++
		}
	}
	var notes []string
	from := d.generator
	if from == "" {
		from = "the other system"
	}
	if imported > 0 {
		notes = append(notes, fmt.Sprintf("Found %s from %s. Each is kept as a free-text reflection with 0 hours: check its activity type and add the hours it took.",
			plural(imported, "activity or blog post", "activities and blog posts"), from))
	} else if !d.pillars {
		notes = append(notes, "This LEAP2A file has no activities or blog posts that Pillars can import.")
	}
	if skipped > 0 {
		notes = append(notes, fmt.Sprintf("Skipped %s that %s not activities or blog posts (for example pages, profile details or plans).", plural(skipped, "item", "items"), isAre(skipped)))
	}
	if loose > 0 {
		notes = append(notes, fmt.Sprintf("Left out %s that %s not attached to any activity or blog post.", plural(loose, "file", "files"), isAre(loose)))
	}
	if d.webLinks > 0 {
		notes = append(notes, fmt.Sprintf("Left out %s to the web: only files inside the export are imported.", plural(d.webLinks, "link", "links")))
	}
	return notes, nil
}

func importable(it *item) bool {
	switch it.kind {
	case "activity", "meeting":
		return true
	case "entry":
		return it.maharaType == "" || it.maharaType == "blogpost"
	}
	return false
}

func (it *item) hasCategory(scheme, term string) bool {
	for _, c := range it.cats {
		if schemeName(c.scheme) == scheme && strings.EqualFold(c.term, term) {
			return true
		}
	}
	return false
}

// schemeName is the LEAP2A category scheme's own name: "readiness" for
// "http://wiki.leapspecs.org/2A/categories/readiness#" (or the 2009 namespace's equivalent).
func schemeName(s string) string {
	s = strings.TrimSuffix(strings.TrimSpace(s), "#")
	return s[strings.LastIndexAny(s, "/:#")+1:]
}

func (d *decoder) mapItem(it *item, key string, linked []*item, used map[*item]bool) (portfolio.ArchivedEntry, error) {
	e := portfolio.ArchivedEntry{
		Key: key, Status: "saved", Title: it.title, Model: "free",
		Stages:    map[string]string{"reflection": it.text},
		CreatedAt: parseStamp(it.published), UpdatedAt: parseStamp(it.updated),
	}
	if e.Title == "" {
		e.Title = "Untitled"
	}
	if it.hasCategory("readiness", "Unready") {
		e.Status = "draft"
	}
	e.StartedOn = firstDate(it.start, it.published, it.updated)
	e.EndedOn = firstDate(it.end, e.StartedOn)
	e.ActivityType = "self-directed"
	switch {
	case it.hasCategory("life_area", "Education"):
		e.ActivityType = "formal-educational"
	case it.kind == "activity" || it.kind == "meeting":
		e.ActivityType = "work-based"
	}
	for _, c := range it.cats {
		switch c.scheme {
		case schemeActivityType:
			e.ActivityType = c.term
		case schemeTag:
			if fw, el, ok := strings.Cut(c.term, "/"); ok {
				e.Tags = append(e.Tags, portfolio.Tag{Framework: fw, Element: el})
			}
		}
	}
	seen := map[string]bool{}
	add := func(fr fileRef, title string) error {
		if seen[fr.path] {
			return nil
		}
		seen[fr.path] = true
		data, err := d.fetch(fr.path, fr.ref)
		if err != nil {
			return err
		}
		name := path.Base(d.resolve(fr.path))
		if t := strings.TrimSpace(title); t != "" && path.Ext(t) != "" {
			name = t
		}
		ct := fr.typ
		if !strings.Contains(ct, "/") {
			ct = http.DetectContentType(data)
		}
		e.Evidence = append(e.Evidence, portfolio.ArchivedFile{Filename: name, ContentType: ct, Data: data})
		return nil
	}
	for _, fr := range it.files {
		if err := add(fr, ""); err != nil {
			return e, err
		}
	}
	for _, r := range linked {
		if r.kind != "resource" && r.kind != "publication" {
			continue
		}
		used[r] = true
		for _, fr := range r.files {
			if err := add(fr, r.title); err != nil {
				return e, err
			}
		}
	}
	return e, nil
}

var dateRE = regexp.MustCompile(`^(\d{4})(-\d{2})?(-\d{2})?(?:T|$)`)

// firstDate is the first of the values that holds a W3C date (a year, year and month, or a
// full date, with or without a time), as YYYY-MM-DD. The date is the one written, in the
// writer's own time zone, as the person would name it.
func firstDate(values ...string) string {
	for _, v := range values {
		m := dateRE.FindStringSubmatch(strings.TrimSpace(v))
		if m == nil {
			continue
		}
		s := m[1] + orDefault(m[2], "-01") + orDefault(m[3], "-01")
		if _, err := time.Parse(time.DateOnly, s); err == nil {
			return s
		}
	}
	return ""
}

// labelDate reads a date written for people ("1 September 2024", "13/12/2024", "May 2023"),
// day before month as in the UK, as YYYY-MM-DD, or "".
func labelDate(s string) string {
	s = oneLine(s)
	for _, layout := range []string{"2 January 2006", "2 Jan 2006", "January 2 2006", "January 2, 2006", "02/01/2006", "2/1/2006", "02.01.2006", "January 2006", "Jan 2006", "01/2006", "2006"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.Format(time.DateOnly)
		}
	}
	return firstDate(s)
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func parseStamp(s string) time.Time {
	t, err := time.Parse(time.RFC3339, strings.TrimSpace(s))
	if err != nil {
		return time.Time{}
	}
	return t.UTC()
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

func isAre(n int) string {
	if n == 1 {
		return "is"
	}
	return "are"
}
