package leap2a

import (
	"archive/zip"
	"bytes"
	"image/png"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/pillars-ot/pillars/internal/portfolio"
)

// maharaZip zips testdata/mahara-export as Mahara does: leap2a.xml and files/ at the root.
func maharaZip(t testing.TB) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	root := "testdata/mahara-export"
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		w, err := zw.Create(filepath.ToSlash(rel))
		if err != nil {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		_, err = w.Write(b)
		return err
	})
	if err == nil {
		err = zw.Close()
	}
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestFixtureFilesAreReal(t *testing.T) {
	if _, err := png.Decode(bytes.NewReader(fixturePNG(t))); err != nil {
		t.Errorf("the PNG does not decode: %v", err)
	}
	pdf := fixturePDF(t)
	if !bytes.HasPrefix(pdf, []byte("%PDF-1.4\n")) || !bytes.HasSuffix(pdf, []byte("%%EOF\n")) {
		t.Error("the PDF is not a complete PDF file")
	}
	for name, b := range map[string][]byte{"a.pdf": pdf, "a.png": fixturePNG(t)} {
		if _, errs := portfolio.CheckFile(name, b); errs.Any() {
			t.Errorf("Pillars would refuse %s: %v", name, errs)
		}
	}
}

func TestReadMaharaExport(t *testing.T) {
	utc := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v.UTC()
	}
	want := &portfolio.Archive{
		Format: "pillars-portfolio", Version: portfolio.ArchiveVersion, ExportedAt: utc("2025-02-19T14:40:00Z"),
		Owner: portfolio.ArchiveOwner{Name: "Priya Shah", Email: "priya.shah@example.ac.uk"},
		Entries: []portfolio.ArchivedEntry{
			{
				Key: "entry-1", Status: "saved", Title: "Moving and handling refresher", StartedOn: "2025-01-14", EndedOn: "2025-01-14",
				ActivityType: "self-directed", Model: "free",
				Stages: map[string]string{"reflection": "Today I refreshed my moving & handling skills with the Trust’s trainer.\n\n" +
					"I practised slide-sheet transfers and a hoist transfer <with two staff>.\n\n" +
					"- Check the sling size\n\n- Explain each step\n\n" +
					"Next: teach the café volunteers\nsafe seating."},
				CreatedAt: utc("2025-01-14T21:30:00Z"), UpdatedAt: utc("2025-01-15T18:45:00Z"),
				Evidence: []portfolio.ArchivedFile{{Filename: "Moving and handling certificate.pdf", ContentType: "application/pdf", Data: fixturePDF(t)}},
			},
			{
				Key: "entry-2", Status: "draft", Title: "Reflection on a difficult discharge", StartedOn: "2025-02-03", EndedOn: "2025-02-03",
				ActivityType: "self-directed", Model: "free",
				Stages: map[string]string{"reflection": "The discharge was delayed because the equipment had not arrived.\n\n" +
					"I will check deliveries two days ahead & record it on the whiteboard."},
				CreatedAt: utc("2025-02-03T17:00:00Z"), UpdatedAt: utc("2025-02-03T17:20:00Z"),
				Evidence: []portfolio.ArchivedFile{{Filename: "Ward whiteboard.png", ContentType: "image/png", Data: fixturePNG(t)}},
			},
			{
				Key: "entry-3", Status: "saved", Title: "Postgraduate certificate in dementia care", StartedOn: "2024-09-01", EndedOn: "2024-12-13",
				ActivityType: "formal-educational", Model: "free",
				Stages:    map[string]string{"reflection": "Module on person-centred care and environmental adaptation."},
				UpdatedAt: utc("2025-01-02T11:00:00Z"),
			},
		},
	}
	wantNotes := []string{
		"Found 3 activities and blog posts from Mahara. Each is kept as a free-text reflection with 0 hours: check its activity type and add the hours it took.",
		"Skipped 4 items that are not activities or blog posts (for example pages, profile details or plans).",
	}

	xmlDoc, err := os.ReadFile("testdata/mahara-export/leap2a.xml")
	if err != nil {
		t.Fatal(err)
	}
	fromDir := func(name string) ([]byte, error) {
		b, err := os.ReadFile(filepath.Join("testdata/mahara-export", filepath.FromSlash(name)))
		if os.IsNotExist(err) {
			return nil, ErrNoFile
		}
		return b, err
	}
	tests := []struct {
		name string
		read func() (*portfolio.Archive, []string, error)
	}{
		{"zip", func() (*portfolio.Archive, []string, error) { return readBytes(maharaZip(t)) }},
		{"leap2a.xml with its folder", func() (*portfolio.Archive, []string, error) { return ReadXML(bytes.NewReader(xmlDoc), fromDir) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, notes, err := tt.read()
			if err != nil {
				t.Fatalf("Read: %v", err)
			}
			for i := range want.Entries {
				if i < len(got.Entries) && !reflect.DeepEqual(got.Entries[i], want.Entries[i]) {
					t.Errorf("entry %d\n got: %#v\nwant: %#v", i+1, got.Entries[i], want.Entries[i])
				}
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("archive differs\n got: %#v\nwant: %#v", got, want)
			}
			if !reflect.DeepEqual(notes, wantNotes) {
				t.Errorf("notes\n got: %q\nwant: %q", notes, wantNotes)
			}
			// What Read returns is what Restore accepts as evidence.
			for _, e := range got.Entries {
				for _, f := range e.Evidence {
					if _, errs := portfolio.CheckFile(f.Filename, f.Data); errs.Any() {
						t.Errorf("%s: %v", f.Filename, errs)
					}
				}
			}
		})
	}
}

// A bare leap2a.xml that refers to files, chosen without its zip, says what to do.
func TestReadMaharaXMLWithoutFiles(t *testing.T) {
	xmlDoc, err := os.ReadFile("testdata/mahara-export/leap2a.xml")
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = readBytes(xmlDoc)
	wantProblem(t, err, "This LEAP2A file refers to a file that is not in it (files/0-Moving and handling certificate.pdf). Export it again from the system it came from, including your files, and choose the .zip file.")
}

// Other exporters zip the folder rather than its contents, write the older (2009) namespaces,
// put the file in <content src> and percent-encode its name.
func TestReadVariants(t *testing.T) {
	pdf := fixturePDF(t)
	feed2009 := `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
  xmlns:leap="http://wiki.cetis.ac.uk/2009-03/LEAP2A_predicates#" xmlns:leaptype="http://wiki.cetis.ac.uk/2009-03/LEAP2A_types#"
  xmlns:categories="http://wiki.cetis.ac.uk/2009-03/LEAP2A_categories/">
  <id>urn:x</id><title>Export</title><updated>2010-05-01T10:00:00+01:00</updated>
  <author><name>Jo Bloggs</name></author>
  <entry><title>Team meeting</title><id>urn:x:1</id><updated>2010-04-30T16:00:00+01:00</updated>
    <content type="text">Agreed the new referral form.</content>
    <rdf:type rdf:resource="leaptype:meeting"/>
    <leap:date leap:point="start">2010-04-30T14:00:00+01:00</leap:date>
    <link rel="leap:has_evidence" href="urn:x:2"/>
  </entry>
  <entry><title>Minutes</title><id>urn:x:2</id><updated>2010-04-30T16:00:00+01:00</updated>
    <summary>The minutes</summary>
    <content type="application/pdf" src="files/the%20minutes.pdf"/>
    <rdf:type rdf:resource="[leaptype:resource]"/>
  </entry>
  <entry><title>Lecture</title><id>urn:x:3</id><updated>2010-04-20T16:00:00+01:00</updated>
    <content type="text">A talk</content>
    <rdf:type rdf:resource="http://wiki.cetis.ac.uk/2009-03/LEAP2A_types#activity"/>
    <link rel="enclosure" href="https://example.org/slides.pdf"/>
  </entry>
</feed>`
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, data := range map[string][]byte{"export-2010/leap2a.xml": []byte(feed2009), "export-2010/files/the minutes.pdf": pdf} {
		w, _ := zw.Create(name)
		w.Write(data)
	}
	zw.Close()
	got, notes, err := readBytes(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Entries) != 2 {
		t.Fatalf("got %d entries", len(got.Entries))
	}
	m := got.Entries[0]
	if m.Title != "Team meeting" || m.StartedOn != "2010-04-30" || m.ActivityType != "work-based" || m.Stages["reflection"] != "Agreed the new referral form." {
		t.Errorf("meeting read as %+v", m)
	}
	if len(m.Evidence) != 1 || m.Evidence[0].Filename != "the minutes.pdf" || !bytes.Equal(m.Evidence[0].Data, pdf) {
		t.Errorf("meeting evidence %+v", m.Evidence)
	}
	if got.Owner.Name != "Jo Bloggs" || got.Entries[1].StartedOn != "2010-04-20" {
		t.Errorf("read %+v", got)
	}
	if !contains(notes, "Left out 1 link to the web: only files inside the export are imported.") {
		t.Errorf("notes %q", notes)
	}
}

func wantProblem(t *testing.T, err error, want string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want %q", want)
	}
	var errs interface{ Error() string } = err
	ve, ok := errs.(interface{ For(string) string })
	if !ok {
		t.Fatalf("error %T (%v) is not valid.Errors", err, err)
	}
	if got := ve.For("file"); !strings.Contains(got, want) {
		t.Fatalf("message\n got: %s\nwant: %s", got, want)
	}
}

func TestReadEncodings(t *testing.T) {
	tests := []struct {
		name  string
		input []byte
		title string
		text  string
		start string
	}{
		{"UTF-8 with a byte order mark", append([]byte("\xef\xbb\xbf"), feedWith(`<content>Café</content>`)...), "A blog post", "Café", "2025-01-01"},
		{"ISO-8859-1", []byte("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\"><entry><title>Caf\xe9</title><id>x</id><content>na\xefve</content><published>2024-03-04T23:30:00-05:00</published></entry></feed>"), "Café", "naïve", "2024-03-04"},
		{"undeclared leap2 prefix", []byte(`<feed xmlns="http://www.w3.org/2005/Atom"><entry><title>T</title><leap2:date leap2:point="start">2024-05-06</leap2:date></entry></feed>`), "T", "", "2024-05-06"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, _, err := readBytes(tt.input)
			if err != nil {
				t.Fatal(err)
			}
			if len(a.Entries) != 1 || a.Entries[0].Title != tt.title || a.Entries[0].Stages["reflection"] != tt.text || a.Entries[0].StartedOn != tt.start {
				t.Fatalf("read %+v", a.Entries)
			}
		})
	}
}
