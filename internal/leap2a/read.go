package leap2a

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"path"
	"regexp"
	"strconv"
	"strings"
	"unicode"

	"github.com/pillars-ot/pillars/internal/portfolio"
)

// ErrNoFile is what a ReadXML files function returns for a name it does not have.
var ErrNoFile = errors.New("leap2a: no such file in the export")

// Read reads a LEAP2A export: a zip with leap2a.xml and its files, or a bare leap2a.xml (when
// the first bytes are XML). Besides the archive it returns plain-English notes on what was left
// out or needs checking. Every refusal is a valid.Errors on the field "file".
func Read(r io.ReaderAt, size int64) (*portfolio.Archive, []string, error) {
	return readWith(r, size, defaultLimits)
}

// ReadXML reads a bare leap2a.xml. files returns the content of a file the feed refers to, by
// its path inside the export ("files/report.pdf"), or ErrNoFile; files may be nil when there are
// none. Each file is still held to the size limit.
func ReadXML(r io.Reader, files func(name string) ([]byte, error)) (*portfolio.Archive, []string, error) {
	return readXML(r, &funcSource{files: files, lim: defaultLimits}, defaultLimits)
}

func readWith(r io.ReaderAt, size int64, lim limits) (*portfolio.Archive, []string, error) {
	if size <= 0 {
		return nil, nil, problem("The file is empty. Choose the .zip file your ePortfolio made when you exported your portfolio as LEAP2A.")
	}
	head := make([]byte, min(size, 512))
	if n, err := r.ReadAt(head, 0); n < len(head) {
		return nil, nil, fmt.Errorf("leap2a: read the start of the file: %w", err)
	}
	switch {
	case bytes.HasPrefix(head, []byte("PK\x03\x04")), bytes.HasPrefix(head, []byte("PK\x05\x06")):
		return readZip(r, size, lim)
	case looksLikeXML(head):
		if size > lim.xmlBytes {
			return nil, nil, tooBigXML(lim)
		}
		return readXML(io.NewSectionReader(r, 0, size), &funcSource{lim: lim}, lim)
	}
	return nil, nil, problem("This is not a LEAP2A file: it is neither a zip file nor XML. Export your portfolio as LEAP2A (a .zip file) from the system it came from and choose that file.")
}

func looksLikeXML(b []byte) bool {
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
	b = bytes.TrimLeft(b, " \t\r\n")
	return len(b) > 0 && b[0] == '<'
}

func tooBigXML(lim limits) error {
	return problem("The leap2a.xml in this file is larger than %s, more than Pillars can read at once. Export a smaller part of your portfolio and import it in pieces.", portfolio.SizeLabel(lim.xmlBytes))
}

func readXML(r io.Reader, src source, lim limits) (*portfolio.Archive, []string, error) {
	data, err := io.ReadAll(io.LimitReader(r, lim.xmlBytes+1))
	if err != nil {
		return nil, nil, fmt.Errorf("leap2a: read leap2a.xml: %w", err)
	}
	if int64(len(data)) > lim.xmlBytes {
		return nil, nil, tooBigXML(lim)
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, nil, problem("The leap2a.xml in this file is empty. %s", exportAgain)
	}
	return decode(data, src, lim)
}

// source gives the files a feed refers to, by checked relative path.
type source interface {
	has(name string) bool
	read(name string) ([]byte, error)
}

// funcSource wraps ReadXML's files function (nil: no files at all), asking it once per name.
type funcSource struct {
	files func(string) ([]byte, error)
	lim   limits
	got   map[string][]byte
	total int64
}

// has is true for a file that is there, even one read refuses: read then says why.
func (f *funcSource) has(name string) bool {
	_, err := f.read(name)
	return !errors.Is(err, ErrNoFile)
}

func (f *funcSource) read(name string) ([]byte, error) {
	if b, ok := f.got[name]; ok {
		return b, nil
	}
	if f.files == nil {
		return nil, ErrNoFile
	}
	b, err := f.files(name)
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > f.lim.fileBytes {
		return nil, tooBigFile(name, int64(len(b)), f.lim)
	}
	if f.total += int64(len(b)); f.total > f.lim.archiveBytes {
		return nil, tooBigArchive(f.lim)
	}
	if f.got == nil {
		f.got = map[string][]byte{}
	}
	f.got[name] = b
	return b, nil
}

func tooBigFile(name string, size int64, lim limits) error {
	return problem("%s in this LEAP2A file is %s, and each file must be %s or smaller. Remove it from your portfolio or save a smaller copy, then export again.", shown(name), portfolio.SizeLabel(size), portfolio.SizeLabel(lim.fileBytes))
}

// zipSource reads files from the zip, counting what it actually unpacks: a header can lie
// about a size, so the limits are applied to the bytes read as well as to the sizes declared.
type zipSource struct {
	base     string
	files    map[string]*zip.File
	lim      limits
	unpacked int64
	cache    map[string][]byte
}

func (z *zipSource) has(name string) bool {
	_, ok := z.files[z.base+name]
	return ok
}

func (z *zipSource) read(name string) ([]byte, error) {
	if b, ok := z.cache[name]; ok {
		return b, nil
	}
	f, ok := z.files[z.base+name]
	if !ok {
		return nil, ErrNoFile
	}
	b, err := z.unpack(f, z.lim.fileBytes)
	if err != nil {
		return nil, err
	}
	z.cache[name] = b
	return b, nil
}

func (z *zipSource) unpack(f *zip.File, limit int64) ([]byte, error) {
	rc, err := f.Open()
	if err != nil {
		if errors.Is(err, zip.ErrAlgorithm) {
			return nil, problem("%s in this LEAP2A file is compressed in a way Pillars cannot read. %s", shown(f.Name), exportAgain)
		}
		return nil, damagedZip()
	}
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, limit+1))
	// archive/zip stops with ErrFormat as soon as a file unpacks past the size in its header.
	if int64(len(data)) > limit || errors.Is(err, zip.ErrFormat) {
		return nil, problem("This LEAP2A file is not safe to open: %s unpacks to more than the size recorded for it. %s", shown(f.Name), exportAgain)
	}
	if err != nil || uint64(len(data)) != f.UncompressedSize64 {
		return nil, problem("This LEAP2A file is damaged: %s cannot be unpacked. Download or export it again.", shown(f.Name))
	}
	z.unpacked += int64(len(data))
	if z.unpacked > z.lim.archiveBytes {
		return nil, tooBigArchive(z.lim)
	}
	return data, nil
}

func damagedZip() error {
	return problem("This zip file is damaged and cannot be opened. Download or export it again.")
}

func tooBigArchive(lim limits) error {
	return problem("This LEAP2A file unpacks to more than %s, more than Pillars can import at once. Export a smaller part of your portfolio and import it in pieces.", portfolio.SizeLabel(lim.archiveBytes))
}

func readZip(r io.ReaderAt, size int64, lim limits) (*portfolio.Archive, []string, error) {
	if size > lim.archiveBytes {
		return nil, nil, tooBigArchive(lim)
	}
	tooMany := problem("This LEAP2A file holds more than %d files, more than Pillars can import at once. Export a smaller part of your portfolio and import it in pieces.", lim.zipEntries)
	dr := &dirReader{r: r, left: 128<<10 + int64(lim.zipEntries)*1024, on: true}
	zr, err := zip.NewReader(dr, size)
	dr.on = false
	if dr.tripped {
		return nil, nil, tooMany
	}
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) {
		return nil, nil, damagedZip()
	}
	if len(zr.File) > lim.zipEntries {
		return nil, nil, tooMany
	}
	z := &zipSource{files: map[string]*zip.File{}, lim: lim, cache: map[string][]byte{}}
	lower := map[string]bool{}
	var total uint64
	for _, f := range zr.File {
		name, err := zipName(f.Name)
		if err != nil {
			return nil, nil, err
		}
		if f.Mode()&fs.ModeSymlink != 0 {
			return nil, nil, problem("This LEAP2A file contains a link (%s) where a file should be, which Pillars refuses. %s", shown(f.Name), exportAgain)
		}
		if strings.HasSuffix(f.Name, "/") || f.Mode().IsDir() {
			continue
		}
		if lower[strings.ToLower(name)] {
			return nil, nil, problem("This LEAP2A file has two files called %s, so Pillars cannot tell which one is meant. %s", shown(name), exportAgain)
		}
		lower[strings.ToLower(name)] = true
		limit := uint64(lim.fileBytes)
		if path.Base(name) == feedName {
			limit = uint64(lim.xmlBytes)
		}
		if f.UncompressedSize64 > limit {
			if path.Base(name) == feedName {
				return nil, nil, tooBigXML(lim)
			}
			return nil, nil, tooBigFile(name, int64(min(f.UncompressedSize64, 1<<62)), lim)
		}
		total += f.UncompressedSize64
		if total > uint64(lim.archiveBytes) {
			return nil, nil, tooBigArchive(lim)
		}
		z.files[name] = f
	}
	feed := z.files[feedName]
	if feed == nil {
		// Some people zip the export's folder rather than its contents: accept one folder level.
		var found []string
		for name := range z.files {
			if dir, file := path.Split(name); file == feedName && strings.Count(dir, "/") == 1 {
				found = append(found, name)
			}
		}
		if len(found) != 1 {
			return nil, nil, problem("This zip file has no leap2a.xml in it, so it is not a LEAP2A export. Choose the .zip file your ePortfolio made when you exported your portfolio as LEAP2A.")
		}
		feed = z.files[found[0]]
		z.base = path.Dir(found[0]) + "/"
	}
	data, err := z.unpack(feed, lim.xmlBytes)
	if err != nil {
		return nil, nil, err
	}
	return readXML(bytes.NewReader(data), z, lim)
}

// dirReader bounds what zip.NewReader reads. It reads the zip's directory to its end whatever
// count the directory declares, so millions of tiny entries would be in memory before their
// number could be checked; about 1 KB of directory per allowed file is plenty.
type dirReader struct {
	r       io.ReaderAt
	left    int64
	on      bool
	tripped bool
}

var errDirectoryTooBig = errors.New("leap2a: zip directory too big")

func (d *dirReader) ReadAt(p []byte, off int64) (int, error) {
	if d.on {
		if int64(len(p)) > d.left {
			d.tripped = true
			return 0, errDirectoryTooBig
		}
		d.left -= int64(len(p))
	}
	return d.r.ReadAt(p, off)
}

var driveRE = regexp.MustCompile(`^[A-Za-z]:`)

// zipName checks a name stored in the zip and returns it cleaned.
func zipName(name string) (string, error) {
	outside := problem("This LEAP2A file contains a file stored outside its folder (%s), which Pillars refuses. %s", shown(name), exportAgain)
	if name == "" || strings.HasPrefix(name, "/") || strings.Contains(name, `\`) || driveRE.MatchString(name) {
		return "", outside
	}
	for _, r := range name {
		if unicode.IsControl(r) {
			return "", problem("This LEAP2A file contains a file whose name has control characters in it (%s). %s", shown(name), exportAgain)
		}
	}
	for _, seg := range strings.Split(name, "/") {
		if seg == ".." {
			return "", outside
		}
	}
	clean := path.Clean(name)
	if clean == "." || strings.HasPrefix(clean, "../") {
		return "", outside
	}
	return clean, nil
}

var schemeRE = regexp.MustCompile(`^([A-Za-z][A-Za-z0-9+.-]+):`)

// filePath checks a reference from the feed to a file (a content src, an enclosure href or a
// Pillars path). It returns the path inside the export, or "" with web true for a link to the
// web, which is not a file in the export. A path that could leave the export is refused,
// whether written plainly or percent-encoded.
func filePath(ref string) (p string, web bool, err error) {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return "", false, nil
	}
	if m := schemeRE.FindStringSubmatch(ref); m != nil {
		switch strings.ToLower(m[1]) {
		case "http", "https", "ftp", "mailto", "data":
			return "", true, nil
		case "file":
			return "", false, outsideRef(ref)
		}
		return "", true, nil // an identifier such as portfolio:artefact12, not a file
	}
	candidates := []string{ref}
	if u, err := url.PathUnescape(ref); err == nil && u != ref {
		candidates = append(candidates, u)
	}
	for _, c := range candidates {
		if strings.HasPrefix(c, "/") || strings.Contains(c, `\`) || driveRE.MatchString(c) || strings.ContainsRune(c, 0) {
			return "", false, outsideRef(ref)
		}
		for _, seg := range strings.Split(c, "/") {
			if seg == ".." {
				return "", false, outsideRef(ref)
			}
		}
	}
	clean := path.Clean(ref)
	if clean == "." {
		return "", false, nil
	}
	return clean, false, nil
}

func outsideRef(ref string) error {
	return problem("This LEAP2A file refers to a file outside its folder (%s). %s", shown(ref), exportAgain)
}

func missingRef(ref string) error {
	return problem("This LEAP2A file refers to a file that is not in it (%s). Export it again from the system it came from, including your files, and choose the .zip file.", shown(ref))
}

// shown makes a name from the file safe to print in a message.
func shown(s string) string {
	if r := []rune(s); len(r) > 120 {
		s = string(r[:120]) + "…"
	}
	for _, r := range s {
		if !unicode.IsPrint(r) && r != ' ' {
			return strconv.QuoteToGraphic(s)
		}
	}
	return s
}
