package leap2a

import (
	"archive/zip"
	"bytes"
	"io"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/pillars-ot/pillars/internal/portfolio"
)

func fixtureFile(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/mahara-export/files/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func fixturePDF(t testing.TB) []byte { return fixtureFile(t, "0-Moving and handling certificate.pdf") }
func fixturePNG(t testing.TB) []byte { return fixtureFile(t, "1-Ward whiteboard.png") }

// fullArchive has every field populated, in every shape the format must carry.
func fullArchive(t testing.TB) *portfolio.Archive {
	at := func(d, h int) time.Time { return time.Date(2025, 2, d, h, 15, 30, 123456789, time.UTC) }
	return &portfolio.Archive{
		Format:     "pillars-portfolio",
		Version:    portfolio.ArchiveVersion,
		ExportedAt: time.Date(2025, 3, 1, 12, 0, 0, 987654321, time.UTC),
		Owner:      portfolio.ArchiveOwner{Name: "Siân O'Connor <OT> & co", Email: "sian.oconnor@example.org"},
		Entries: []portfolio.ArchivedEntry{
			{
				Key: "entry-1", Status: "saved", Title: "A fall on the ward: what I learnt about <risk> & “confidence”",
				StartedOn: "2025-02-03", EndedOn: "2025-02-04", ActivityType: "work-based", Minutes: 90, Model: "gibbs",
				Stages: map[string]string{
					"description": "Mrs A (not her name) slipped while standing from her chair.\n\nI was the OT on the ward; the physio & I responded.",
					"feelings":    "Anxious at first — then calmer. 緊張した",
					"evaluation":  "  Leading spaces and trailing ones  ",
					"analysis":    "Line one\r\nLine two with a carriage return\rand a lone CR\tand a tab",
					"conclusion":  "]]> is not a problem, nor is <![CDATA[ or &amp;",
					"action-plan": "1. Teach sit-to-stand\n2. Audit chairs\n\n\n3. Review in a month",
				},
				Tags: []portfolio.Tag{
					{Framework: "hcpc-cpd", Element: "standard-3"},
					{Framework: "rcot-pillars", Element: "leadership", Title: "Leadership & management"},
				},
				CreatedAt: at(3, 9), UpdatedAt: at(4, 17),
				Evidence: []portfolio.ArchivedFile{
					{Filename: "Falls audit – summary.pdf", ContentType: "application/pdf", Data: fixturePDF(t)},
					{Filename: "whiteboard photo.png", ContentType: "image/png", Data: fixturePNG(t)},
				},
			},
			{
				Key: "entry-2", Status: "draft", Title: "Supervision notes", Model: "driscoll",
				Stages:    map[string]string{"what": "We talked about caseload.", "so-what": "", "now-what": "Ask for a joint visit"},
				CreatedAt: at(10, 8), UpdatedAt: at(10, 8),
			},
			{
				Key: "entry-3", Status: "saved", Title: "Bell\x07 in a title, b64:like a prefix, and \x00 too",
				StartedOn: "2025-02-20", EndedOn: "2025-02-20", ActivityType: "self-directed", Minutes: 45, Model: "free",
				Stages:    map[string]string{"reflection": "Read \"Occupational therapy and dementia\" (2024).\n\nInvalid UTF-8: \xff\xfe here."},
				Tags:      []portfolio.Tag{},
				Evidence:  []portfolio.ArchivedFile{},
				CreatedAt: at(20, 20), UpdatedAt: at(21, 7),
			},
			{
				Key: "b64:odd key/with?chars", Status: "saved", Title: "Odd key", StartedOn: "2025-02-21", EndedOn: "2025-02-21",
				ActivityType: "formal-educational", Minutes: 600, Model: "kolb", Stages: map[string]string{"concrete-experience": "Course day", "unknown-stage": "kept as is"},
			},
		},
		Collections: []portfolio.ArchivedCollection{
			{Title: "Band 7 application", Description: "Leadership examples\nfor the panel", Entries: []string{"entry-1", "b64:odd key/with?chars", "deleted-entry"}},
			{Title: "Empty collection", Entries: []string{}},
			{Title: "No entries at all"},
		},
		Packs: []portfolio.ArchivedPack{{
			Profession: "occupational therapist", CycleStart: "2023-11-01", CycleEnd: "2025-10-31",
			Summary:   "I work in a community team for older adults.\n\nMy caseload is mixed.",
			Statement: map[string]string{"standard-1": "I keep my record in Pillars.", "standard-3": "The falls audit changed our practice.", "standard-5": ""},
			Selected:  []string{"entry-1", "entry-3"},
			GapNotes:  map[string]string{"2024-04": "Maternity leave & return"},
		}},
	}
}

func writeZip(t testing.TB, a *portfolio.Archive) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := Write(&buf, a); err != nil {
		t.Fatalf("Write: %v", err)
	}
	return buf.Bytes()
}

func readBytes(b []byte) (*portfolio.Archive, []string, error) {
	return Read(bytes.NewReader(b), int64(len(b)))
}

func TestRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		a    func(t *testing.T) *portfolio.Archive
	}{
		{"every field", func(t *testing.T) *portfolio.Archive { return fullArchive(t) }},
		{"nothing in it", func(t *testing.T) *portfolio.Archive { return &portfolio.Archive{} }},
		{"empty lists rather than none", func(t *testing.T) *portfolio.Archive {
			return &portfolio.Archive{Format: "pillars-portfolio", Version: 1, Entries: []portfolio.ArchivedEntry{},
				Collections: []portfolio.ArchivedCollection{}, Packs: []portfolio.ArchivedPack{}}
		}},
		{"pack with empty maps and lists", func(t *testing.T) *portfolio.Archive {
			return &portfolio.Archive{Format: "pillars-portfolio", Version: 1,
				Packs: []portfolio.ArchivedPack{{Statement: map[string]string{}, GapNotes: map[string]string{}, Selected: []string{}}}}
		}},
		{"duplicate and empty keys, hostile file names", func(t *testing.T) *portfolio.Archive {
			pdf := fixturePDF(t)
			return &portfolio.Archive{Format: "pillars-portfolio", Version: 1, Entries: []portfolio.ArchivedEntry{
				{Key: "same", Title: "One", Evidence: []portfolio.ArchivedFile{
					{Filename: "../../etc/passwd", Data: pdf}, {Filename: `C:\Users\me\report.pdf`, Data: pdf},
					{Filename: "report.pdf", Data: pdf}, {Filename: "REPORT.pdf", Data: pdf}, {Filename: "", Data: pdf},
					{Filename: "résumé «final».pdf", ContentType: "not a mime type", Data: pdf},
				}},
				{Key: "same", Title: "Two"},
				{Key: "", Title: "Three"},
			}, Collections: []portfolio.ArchivedCollection{{Title: "Refers to a duplicate", Entries: []string{"same", ""}}}}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := tt.a(t)
			got, notes, err := readBytes(writeZip(t, want))
			if err != nil {
				t.Fatalf("Read: %v", err)
			}
			if len(notes) != 0 {
				t.Errorf("notes for a Pillars export: %q", notes)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("round trip differs\n got: %#v\nwant: %#v", got, want)
			}
		})
	}
}

func TestWriteIsStandardLEAP2A(t *testing.T) {
	a := fullArchive(t)
	zr, err := zip.NewReader(bytes.NewReader(writeZip(t, a)), int64(len(writeZip(t, a))))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	var feed string
	for _, f := range zr.File {
		names = append(names, f.Name)
		if f.Name == feedName {
			rc, _ := f.Open()
			b, _ := io.ReadAll(rc)
			rc.Close()
			feed = string(b)
		}
	}
	if want := []string{"leap2a.xml", "files/Falls-audit-summary.pdf", "files/whiteboard-photo.png"}; !reflect.DeepEqual(names, want) {
		t.Errorf("zip holds %q, want %q", names, want)
	}
	for _, want := range []string{
		`<feed xmlns="http://www.w3.org/2005/Atom"`,
		`xmlns:leap2="http://terms.leapspecs.org/"`,
		`<leap2:version>http://www.leapspecs.org/2010-07/2A/</leap2:version>`,
		`<name>Siân O'Connor &lt;OT&gt; &amp; co</name>`,
		`<email>sian.oconnor@example.org</email>`,
		`<id>portfolio:entry/entry-1</id>`,
		`<rdf:type rdf:resource="leap2:activity"/>`,
		`<leap2:date leap2:point="start">2025-02-03</leap2:date>`,
		`<leap2:date leap2:point="end">2025-02-04</leap2:date>`,
		`<content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">`,
		`<h3>Description</h3>`,
		`<h3>Action plan</h3>`,
		`<p>1. Teach sit-to-stand<br/>2. Audit chairs</p>`,
		`<category scheme="https://pillars.example/leap2a/1/activity_type#" term="work-based" label="Work-based learning"/>`,
		`<category scheme="https://pillars.example/leap2a/1/tag#" term="hcpc-cpd/standard-3" label="HCPC CPD standards: Improve practice and service delivery"/>`,
		`<category scheme="categories:readiness#" term="Unready"/>`,
		`<link rel="leap2:supported_by" href="portfolio:evidence/1-1"/>`,
		`<rdf:type rdf:resource="leap2:resource"/>`,
		`<content type="application/pdf" src="files/Falls-audit-summary.pdf"/>`,
		`<link rel="enclosure" href="files/Falls-audit-summary.pdf" length="618" type="application/pdf"/>`,
		`<link rel="leap2:supports" href="portfolio:entry/entry-1"/>`,
		`<category scheme="categories:resource_type#" term="Offline" label="File"/>`,
		`<rdf:type rdf:resource="leap2:selection"/>`,
		`<category scheme="categories:selection_type#" term="Grouping"/>`,
		`<link rel="leap2:has_part" href="portfolio:entry/entry-1" leap2:display_order="1"/>`,
		`<link rel="leap2:is_part_of" href="portfolio:collection/1"/>`,
		`<pillars:stage pillars:key="feelings">Anxious at first — then calmer. 緊張した</pillars:stage>`,
		`<pillars:minutes>90</pillars:minutes>`,
		`<pillars:tag pillars:framework="hcpc-cpd" pillars:element="standard-3"/>`,
		`<pillars:pack>`,
	} {
		if !strings.Contains(feed, want) {
			t.Errorf("leap2a.xml lacks %s", want)
		}
	}
}

// TestOtherSystemsView reads an export as a system that ignores the Pillars extension would:
// the activities, their dates, reflection, type, tags, status and files are all in standard
// LEAP2A.
func TestOtherSystemsView(t *testing.T) {
	a := fullArchive(t)
	var feed string
	zipped := writeZip(t, a)
	zr, _ := zip.NewReader(bytes.NewReader(zipped), int64(len(zipped)))
	files := map[string][]byte{}
	for _, f := range zr.File {
		rc, _ := f.Open()
		b, _ := io.ReadAll(rc)
		rc.Close()
		if f.Name == feedName {
			feed = withoutPillars(string(b))
		} else {
			files[f.Name] = b
		}
	}
	if strings.Contains(feed, "<pillars:entry") {
		t.Fatal("the Pillars records were not removed")
	}
	got, notes, err := ReadXML(strings.NewReader(feed), func(name string) ([]byte, error) {
		if b, ok := files[name]; ok {
			return b, nil
		}
		return nil, ErrNoFile
	})
	if err != nil {
		t.Fatal(err)
	}
	// The four activities, and the pack, which other systems see as a plain entry.
	if len(got.Entries) != len(a.Entries)+1 || got.Entries[4].Title != "CPD audit pack, 2023-11-01 to 2025-10-31" {
		t.Fatalf("got %d entries, want %d and the pack", len(got.Entries), len(a.Entries))
	}
	if pack := got.Entries[4].Stages["reflection"]; !strings.Contains(pack, "Keep a CPD record\n\nI keep my record in Pillars.") {
		t.Errorf("the pack reads as %q", pack)
	}
	first := got.Entries[0]
	if first.Title != a.Entries[0].Title || first.StartedOn != "2025-02-03" || first.EndedOn != "2025-02-04" ||
		first.ActivityType != "work-based" || first.Model != "free" || first.Status != "saved" {
		t.Errorf("first entry read as %+v", first)
	}
	refl := first.Stages["reflection"]
	for _, want := range []string{"Description\n\nMrs A (not her name) slipped", "the physio & I responded", "Action plan\n\n1. Teach sit-to-stand\n2. Audit chairs"} {
		if !strings.Contains(refl, want) {
			t.Errorf("reflection lacks %q:\n%s", want, refl)
		}
	}
	if !reflect.DeepEqual(first.Tags, []portfolio.Tag{{Framework: "hcpc-cpd", Element: "standard-3"}, {Framework: "rcot-pillars", Element: "leadership"}}) {
		t.Errorf("tags %+v", first.Tags)
	}
	if len(first.Evidence) != 2 || first.Evidence[0].Filename != "Falls audit – summary.pdf" || !bytes.Equal(first.Evidence[1].Data, fixturePNG(t)) {
		t.Errorf("evidence %+v", first.Evidence)
	}
	if got.Entries[1].Status != "draft" {
		t.Errorf("the draft read as %q", got.Entries[1].Status)
	}
	if got.Owner.Name != "Siân O'Connor <OT> & co" || got.Owner.Email != "sian.oconnor@example.org" {
		t.Errorf("owner %+v", got.Owner)
	}
	// The three collections (selections) are not activities.
	if want := "Skipped 3 items that are not activities or blog posts (for example pages, profile details or plans)."; !contains(notes, want) {
		t.Errorf("notes %q lack %q", notes, want)
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// withoutPillars drops the Pillars extension elements. Values are escaped, so every '<' starts
// a tag, and everything inside a Pillars element is a Pillars element too.
func withoutPillars(feed string) string {
	var b strings.Builder
	for {
		i := strings.Index(feed, "<pillars:")
		if i < 0 {
			b.WriteString(feed)
			return b.String()
		}
		b.WriteString(feed[:i])
		j, depth := i, 0
		for {
			k := j + strings.IndexByte(feed[j:], '>')
			switch tag := feed[j : k+1]; {
			case strings.HasPrefix(tag, "</"):
				depth--
			case !strings.HasSuffix(tag, "/>"):
				depth++
			}
			j = k + 1
			if depth == 0 {
				break
			}
			j += strings.IndexByte(feed[j:], '<')
		}
		feed = feed[j:]
	}
}
