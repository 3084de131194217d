package leap2a

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"testing"

	"github.com/pillars-ot/pillars/internal/portfolio"
	"github.com/pillars-ot/pillars/internal/valid"
)

// zf is one file to put in a test zip.
type zf struct {
	name string
	data []byte
	// declared, when set, is the size written in the zip's headers whatever the data: a lie.
	declared uint64
	mode     fs.FileMode
}

func mkzip(t testing.TB, files ...zf) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range files {
		if f.declared != 0 {
			var c bytes.Buffer
			fw, _ := flate.NewWriter(&c, flate.BestSpeed)
			fw.Write(f.data)
			fw.Close()
			w, err := zw.CreateRaw(&zip.FileHeader{Name: f.name, Method: zip.Deflate, CompressedSize64: uint64(c.Len()), UncompressedSize64: f.declared})
			if err != nil {
				t.Fatal(err)
			}
			w.Write(c.Bytes())
			continue
		}
		h := &zip.FileHeader{Name: f.name, Method: zip.Deflate}
		if f.mode != 0 {
			h.SetMode(f.mode)
		}
		w, err := zw.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(f.data)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// feedWith is a minimal LEAP2A feed around one entry's inner XML.
func feedWith(entry string) []byte {
	return []byte(`<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:leap2="http://terms.leapspecs.org/">
  <id>urn:test</id>
  <title>Test</title>
  <updated>2025-01-01T00:00:00Z</updated>
  <author><name>Test</name></author>
  <entry>
    <title>A blog post</title>
    <id>urn:test:1</id>
    <updated>2025-01-01T00:00:00Z</updated>
    ` + entry + `
    <rdf:type rdf:resource="leap2:entry"/>
  </entry>
</feed>`)
}

func withSrc(src string) []byte {
	return feedWith(`<content type="text">See the file.</content><link rel="enclosure" href="` + src + `"/>`)
}

func TestHostileInputs(t *testing.T) {
	pdf := fixturePDF(t)
	laughs := `<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<feed xmlns="http://www.w3.org/2005/Atom"><title>&lol9;</title></feed>`
	xxe := `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>
<feed xmlns="http://www.w3.org/2005/Atom"><title>&e;</title></feed>`
	doctypeRefused := "This LEAP2A file contains a document type declaration (<!DOCTYPE> or <!ENTITY>, line "
	deep := "<feed xmlns=\"http://www.w3.org/2005/Atom\"><entry>" + strings.Repeat("<div>", 99) + strings.Repeat("</div>", 99) + "</entry></feed>"
	zeros := make([]byte, 16<<20)
	small := limits{archiveBytes: 4 << 10, fileBytes: 1 << 10, xmlBytes: 2 << 10, zipEntries: 5, depth: 100, elements: 1000}
	fewFiles := defaultLimits
	fewFiles.zipEntries = 5
	fewElements := defaultLimits
	fewElements.elements = 1000

	tests := []struct {
		name  string
		input []byte
		lim   *limits
		want  string
	}{
		{"billion laughs", []byte(laughs), nil, doctypeRefused + "12)"},
		{"billion laughs in a zip", mkzip(t, zf{name: "leap2a.xml", data: []byte(laughs)}), nil, doctypeRefused},
		{"external entity (XXE)", []byte(xxe), nil, doctypeRefused + "2). Pillars refuses these, because they can be used to read files from the server or to exhaust its memory. Export it again from the system it came from."},
		{"external entity in a zip", mkzip(t, zf{name: "leap2a.xml", data: []byte(xxe)}), nil, doctypeRefused},
		{"entity declaration without a doctype", []byte(`<?xml version="1.0"?><!ENTITY e "x"><feed xmlns="http://www.w3.org/2005/Atom"/>`), nil, doctypeRefused},
		{"zip entry name climbing out", mkzip(t, zf{name: "leap2a.xml", data: feedWith("")}, zf{name: "../../evil.sh", data: []byte("x")}), nil,
			"This LEAP2A file contains a file stored outside its folder (../../evil.sh), which Pillars refuses. Export it again from the system it came from."},
		{"zip entry name climbing out of files/", mkzip(t, zf{name: "leap2a.xml", data: feedWith("")}, zf{name: "files/../../evil.sh", data: []byte("x")}), nil, "stored outside its folder (files/../../evil.sh)"},
		{"absolute zip entry name", mkzip(t, zf{name: "leap2a.xml", data: feedWith("")}, zf{name: "/etc/cron.d/evil", data: []byte("x")}), nil, "stored outside its folder (/etc/cron.d/evil)"},
		{"backslash zip entry name", mkzip(t, zf{name: "leap2a.xml", data: feedWith("")}, zf{name: `files\..\..\evil.sh`, data: []byte("x")}), nil, `stored outside its folder (files\..\..\evil.sh)`},
		{"drive letter zip entry name", mkzip(t, zf{name: "leap2a.xml", data: feedWith("")}, zf{name: "C:/Windows/evil.dll", data: []byte("x")}), nil, "stored outside its folder (C:/Windows/evil.dll)"},
		{"symbolic link in the zip", mkzip(t, zf{name: "leap2a.xml", data: feedWith("")}, zf{name: "files/passwd.pdf", data: []byte("/etc/passwd"), mode: fs.ModeSymlink | 0o777}), nil,
			"This LEAP2A file contains a link (files/passwd.pdf) where a file should be"},
		{"content src climbing out", mkzip(t, zf{name: "leap2a.xml", data: feedWith(`<content type="application/pdf" src="../../etc/passwd"/>`)}), nil,
			"This LEAP2A file refers to a file outside its folder (../../etc/passwd). Export it again from the system it came from."},
		{"content src climbing out beside a Pillars record", mkzip(t, zf{name: "leap2a.xml", data: feedWith(`<content src="../../etc/passwd"/><pillars:entry xmlns:pillars="https://pillars.example/leap2a/1/"/>`)}), nil,
			"refers to a file outside its folder (../../etc/passwd)."},
		{"content src absolute", mkzip(t, zf{name: "leap2a.xml", data: feedWith(`<content src="/etc/passwd"/>`)}), nil, "refers to a file outside its folder (/etc/passwd)."},
		{"enclosure climbing out of files/", mkzip(t, zf{name: "leap2a.xml", data: withSrc("files/../../x")}), nil, "refers to a file outside its folder (files/../../x)."},
		{"enclosure percent-encoded climb", mkzip(t, zf{name: "leap2a.xml", data: withSrc("files/%2e%2e/%2E%2E/etc/passwd")}), nil, "refers to a file outside its folder (files/%2e%2e/%2E%2E/etc/passwd)."},
		{"enclosure with a file URL", mkzip(t, zf{name: "leap2a.xml", data: withSrc("file:///etc/passwd")}), nil, "refers to a file outside its folder (file:///etc/passwd)."},
		{"enclosure with a Windows path", mkzip(t, zf{name: "leap2a.xml", data: withSrc(`C:\Windows\win.ini`)}), nil, `refers to a file outside its folder (C:\Windows\win.ini).`},
		{"content src to a missing file", mkzip(t, zf{name: "leap2a.xml", data: feedWith(`<content src="files/notes.pdf"/>`)}), nil,
			"This LEAP2A file refers to a file that is not in it (files/notes.pdf). Export it again from the system it came from, including your files, and choose the .zip file."},
		{"Pillars path climbing out", mkzip(t, zf{name: "leap2a.xml", data: feedWith(`<pillars:entry xmlns:pillars="https://pillars.example/leap2a/1/"><pillars:evidence><pillars:file pillars:path="../secret.pdf"/></pillars:evidence></pillars:entry>`)}), nil,
			"refers to a file outside its folder (../secret.pdf)."},
		{"zip bomb: header says 1 KB, unpacks to 16 MB", mkzip(t, zf{name: "leap2a.xml", data: withSrc("files/bomb.pdf")}, zf{name: "files/bomb.pdf", data: zeros, declared: 1 << 10}), nil,
			"This LEAP2A file is not safe to open: files/bomb.pdf unpacks to more than the size recorded for it. Export it again from the system it came from."},
		{"zip bomb in leap2a.xml itself", mkzip(t, zf{name: "leap2a.xml", data: append(feedWith(""), zeros...), declared: 2 << 10}), nil, "not safe to open: leap2a.xml unpacks to more than the size recorded for it."},
		{"file larger than the limit", mkzip(t, zf{name: "leap2a.xml", data: withSrc("files/big.pdf")}, zf{name: "files/big.pdf", data: zeros}), nil,
			"files/big.pdf in this LEAP2A file is " + portfolio.SizeLabel(16<<20) + ", and each file must be " + portfolio.SizeLabel(portfolio.MaxFileBytes) + " or smaller. Remove it from your portfolio or save a smaller copy, then export again."},
		{"file larger than a shrunken limit", mkzip(t, zf{name: "leap2a.xml", data: withSrc("files/a.pdf")}, zf{name: "files/a.pdf", data: make([]byte, 2<<10)}), &small,
			"files/a.pdf in this LEAP2A file is " + portfolio.SizeLabel(2<<10) + ", and each file must be " + portfolio.SizeLabel(1<<10) + " or smaller."},
		{"everything together too large", mkzip(t, zf{name: "leap2a.xml", data: feedWith("")}, zf{name: "files/1.pdf", data: make([]byte, 1000)}, zf{name: "files/2.pdf", data: make([]byte, 1000)},
			zf{name: "files/3.pdf", data: make([]byte, 1000)}, zf{name: "files/4.pdf", data: make([]byte, 1000)}), &small,
			"This LEAP2A file unpacks to more than " + portfolio.SizeLabel(4<<10) + ", more than Pillars can import at once. Export a smaller part of your portfolio and import it in pieces."},
		{"too many files in the zip", mkzip(t, zf{name: "leap2a.xml", data: feedWith("")}, zf{name: "1"}, zf{name: "2"}, zf{name: "3"}, zf{name: "4"}, zf{name: "5"}), &small,
			"This LEAP2A file holds more than 5 files, more than Pillars can import at once."},
		{"zip directory longer than allowed", manyEntries(t, 3000), &fewFiles, "This LEAP2A file holds more than 5 files"},
		{"leap2a.xml larger than its limit", mkzip(t, zf{name: "leap2a.xml", data: append(feedWith(""), make([]byte, 3<<10)...)}), &small,
			"The leap2a.xml in this file is larger than " + portfolio.SizeLabel(2<<10) + ", more than Pillars can read at once."},
		{"bare XML larger than its limit", bytes.Repeat([]byte("<"), 3<<10), &small, "The leap2a.xml in this file is larger than " + portfolio.SizeLabel(2<<10)},
		{"nesting too deep", []byte(deep), nil, "This LEAP2A file nests its XML more than 100 levels deep (line 1), which Pillars refuses."},
		{"too many elements", []byte("<feed xmlns=\"http://www.w3.org/2005/Atom\">" + strings.Repeat("<entry/>", 1001) + "</feed>"), &fewElements,
			"This LEAP2A file has more than 1000 XML elements"},
		{"unclosed tag", []byte("<?xml version=\"1.0\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\n  <entry>\n    <title>Unfinished\n  </entry>\n</feed>\n"), nil,
			"This LEAP2A file is damaged: its XML is broken at line 5 (<title> is closed by </entry>). Export it again from the system it came from."},
		{"cut short", []byte("<?xml version=\"1.0\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\n  <entry>\n"), nil,
			"its XML is broken at line 4 (the file ends before all its elements are closed)"},
		{"undeclared entity", []byte("<feed xmlns=\"http://www.w3.org/2005/Atom\">\n<title>&nbsp;</title></feed>"), nil, "its XML is broken at line 2 (&nbsp; is not a character reference XML allows)"},
		{"not UTF-8", []byte("<?xml version=\"1.0\" encoding=\"EBCDIC-US\"?><feed/>"), nil, `This LEAP2A file is written in the "EBCDIC-US" character encoding, and Pillars reads only UTF-8.`},
		{"not a feed", []byte("<html><body>Hello</body></html>"), nil, "This XML file is not a LEAP2A export: it should be an Atom <feed>, but it starts with <html>."},
		{"not a zip and not XML", []byte("%PDF-1.4 this is a PDF"), nil,
			"This is not a LEAP2A file: it is neither a zip file nor XML. Export your portfolio as LEAP2A (a .zip file) from the system it came from and choose that file."},
		{"empty file", nil, nil, "The file is empty. Choose the .zip file your ePortfolio made when you exported your portfolio as LEAP2A."},
		{"only white space", []byte("  \n "), nil, "This is not a LEAP2A file: it is neither a zip file nor XML."},
		{"damaged zip", append([]byte("PK\x03\x04"), bytes.Repeat([]byte{0xAB}, 200)...), nil, "This zip file is damaged and cannot be opened. Download or export it again."},
		{"zip without leap2a.xml", mkzip(t, zf{name: "files/a.pdf", data: pdf}), nil,
			"This zip file has no leap2a.xml in it, so it is not a LEAP2A export."},
		{"two files with one name", mkzip(t, zf{name: "leap2a.xml", data: feedWith("")}, zf{name: "files/a.pdf", data: pdf}, zf{name: "files/A.pdf", data: pdf}), nil,
			"This LEAP2A file has two files called files/A.pdf"},
		{"from a newer Pillars", feedWithArchive("2"), nil, "This portfolio was exported by a newer version of Pillars: ask your administrator to upgrade"},
		{"Pillars minutes not a number", feedWith(`<pillars:entry xmlns:pillars="https://pillars.example/leap2a/1/"><pillars:minutes>lots</pillars:minutes></pillars:entry>`), nil,
			"This LEAP2A file has Pillars details that cannot be read (minutes should be a whole number, not \"lots\", line 11). Export it again from Pillars."},
		{"control character in a zip entry name", mkzip(t, zf{name: "leap2a.xml", data: feedWith("")}, zf{name: "files/a\x1b[31m.pdf", data: pdf}), nil,
			`This LEAP2A file contains a file whose name has control characters in it ("files/a\x1b[31m.pdf")`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lim := defaultLimits
			if tt.lim != nil {
				lim = *tt.lim
			}
			a, notes, err := readWith(bytes.NewReader(tt.input), int64(len(tt.input)), lim)
			var ve valid.Errors
			if !errors.As(err, &ve) {
				t.Fatalf("got %v (%T), archive %v, notes %q; want valid.Errors", err, err, a, notes)
			}
			if len(ve) != 1 || ve[0].Field != "file" {
				t.Fatalf("got %#v, want one problem on the field file", ve)
			}
			if !strings.Contains(ve[0].Message, tt.want) {
				t.Fatalf("message\n got: %s\nwant: %s", ve[0].Message, tt.want)
			}
			if strings.Contains(ve[0].Message, "xml:") || strings.Contains(ve[0].Message, "zip:") {
				t.Errorf("message shows a Go error: %s", ve[0].Message)
			}
		})
	}
}

func feedWithArchive(version string) []byte {
	return []byte(fmt.Sprintf(`<feed xmlns="http://www.w3.org/2005/Atom" xmlns:pillars="https://pillars.example/leap2a/1/">
<pillars:archive><pillars:format>pillars-portfolio</pillars:format><pillars:version>%s</pillars:version></pillars:archive>
</feed>`, version))
}

// A file the feed never mentions is still held to the limits and the path rules, but otherwise
// ignored; one it does mention and an unrelated zip entry with a harmless name are fine.
func TestUnreferencedFilesAreOnlyChecked(t *testing.T) {
	in := mkzip(t, zf{name: "leap2a.xml", data: feedWith(`<content type="text">Hello</content>`)}, zf{name: "files/", data: nil}, zf{name: "files/extra.bin", data: []byte("x")})
	a, notes, err := readBytes(in)
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Entries) != 1 || a.Entries[0].Stages["reflection"] != "Hello" || len(notes) != 1 {
		t.Errorf("read %+v, notes %q", a.Entries, notes)
	}
}

// manyEntries is a zip of n empty files.
func manyEntries(t testing.TB, n int) []byte {
	files := []zf{{name: "leap2a.xml", data: feedWith("")}}
	for i := range n {
		files = append(files, zf{name: fmt.Sprintf("files/%d.txt", i)})
	}
	return mkzip(t, files...)
}

// zip.NewReader reads the whole directory whatever count it declares; dirReader stops it once
// the directory is longer than the allowed number of files could need.
func TestZipDirectoryIsBoundedWhileRead(t *testing.T) {
	in := manyEntries(t, 3000)
	dr := &dirReader{r: bytes.NewReader(in), left: 128<<10 + 5*1024, on: true}
	if _, err := zip.NewReader(dr, int64(len(in))); err == nil || !dr.tripped {
		t.Fatalf("NewReader read a %d-byte directory of 3000 files within the budget for 5 (err %v)", len(in), err)
	}
	dr = &dirReader{r: bytes.NewReader(in), left: 128<<10 + 3001*1024, on: true}
	if zr, err := zip.NewReader(dr, int64(len(in))); err != nil || dr.tripped || len(zr.File) != 3001 {
		t.Fatalf("the budget for 3001 files refused them: %v", err)
	}
}
