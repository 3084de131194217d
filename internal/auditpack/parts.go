package auditpack

import (
	"archive/zip"
	"cmp"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// The HCPC takes a profile by email in parts of at most 10 MB, so the evidence is planned into
// zip archives whose whole size, headers included, is known before a byte is written. Files are
// stored, not compressed: evidence is mostly PDFs and photos that do not shrink, and storing
// makes every archive's size exact arithmetic rather than a guess that could bounce an email.

// Part is one emailed archive of evidence.
type Part struct {
	Number int        // from 1
	Of     int        // how many parts there are
	Name   string     // the archive's file name, e.g. "cpd-evidence-part-2-of-3.zip"
	Label  string     // e.g. "Part 2 of 3: evidence 5 to 9"
	Files  []PartFile // in evidence number order
	Size   int64      // the exact size in bytes of the archive WritePart writes

	// Modified dates the archive's entries; WritePart uses the time of writing when it is zero.
	// It does not change the archive's size.
	Modified time.Time
}

// PartFile is one evidence file and its name inside the archive.
type PartFile struct {
	Evidence Evidence
	Name     string // e.g. "E04 - certificate.pdf": numbered so it sorts, safe on every system
}

// TooLargeError says that one evidence file cannot fit in a part even on its own, so the person
// must make it smaller (or send it by post) before the profile can be emailed.
type TooLargeError struct {
	Evidence Evidence
	Limit    int64
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("auditpack: evidence %d (%q, %s) is too large to email: a part may hold at most %s",
		e.Evidence.Number, e.Evidence.Filename, byteSize(e.Evidence.Size), byteSize(e.Limit))
}

// Sizes of the zip records archive/zip writes for a stored file with a modification time.
const (
	localHeaderLen    = 30 // plus the name and the extra field
	centralHeaderLen  = 46 // plus the name and the extra field
	dataDescriptorLen = 16 // archive/zip always streams, so each file is followed by one
	extTimeLen        = 9  // the "extended timestamp" extra field added when Modified is set
	endRecordLen      = 22 // end of central directory, no comment

	// Staying below these keeps archive/zip from switching to zip64, which older unzip tools
	// (and some mail scanners) reject.
	maxArchive = 1<<32 - 2
	maxEntries = 1<<16 - 2
)

const contentsName = "contents.txt"

// entryCost is everything one stored file adds to an archive.
func entryCost(name string, size int64) int64 {
	n := int64(len(name))
	return localHeaderLen + n + extTimeLen + size + dataDescriptorLen + centralHeaderLen + n + extTimeLen
}

// SplitEvidence plans the evidence into parts, in evidence number order, each an archive of at
// most limit bytes including every zip header and a contents.txt. A file too large to fit alone
// is a *TooLargeError naming it. No evidence means no parts.
func SplitEvidence(evidence []Evidence, limit int64) ([]Part, error) {
	if limit <= 0 {
		return nil, fmt.Errorf("auditpack: part limit must be positive, not %d", limit)
	}
	limit = min(limit, maxArchive)
	if len(evidence) == 0 {
		return nil, nil
	}
	ev := slices.Clone(evidence)
	slices.SortStableFunc(ev, func(a, b Evidence) int { return cmp.Compare(a.Number, b.Number) })
	for i, e := range ev {
		switch {
		case e.Number <= 0:
			return nil, fmt.Errorf("auditpack: evidence %q has no number", e.Filename)
		case i > 0 && ev[i-1].Number == e.Number:
			return nil, fmt.Errorf("auditpack: evidence number %d is used twice", e.Number)
		case e.Size < 0:
			return nil, fmt.Errorf("auditpack: evidence %d has a negative size", e.Number)
		}
	}
	width := numberWidth(ev)
	// The number of parts is not known until the end, and it appears in contents.txt. Planning
	// with the most parts there could be (one per file) never under-counts its digits, so the
	// final archives can only be the same size or smaller than planned.
	most := len(ev)

	var parts []Part
	var cur []PartFile
	var data int64
	for _, e := range ev {
		f := PartFile{Evidence: e, Name: entryName(e, width)}
		cost := entryCost(f.Name, e.Size)
		if len(cur) > 0 && (len(cur)+2 > maxEntries ||
			fixedCost(len(parts)+1, most, append(cur, f))+data+cost > limit) {
			parts = append(parts, Part{Files: cur})
			cur, data = nil, 0
		}
		if fixedCost(len(parts)+1, most, []PartFile{f})+cost > limit {
			return nil, &TooLargeError{Evidence: e, Limit: limit}
		}
		cur = append(cur, f)
		data += cost
	}
	parts = append(parts, Part{Files: cur})

	for i := range parts {
		p := &parts[i]
		p.Number, p.Of = i+1, len(parts)
		p.Name = fmt.Sprintf("cpd-evidence-part-%d-of-%d.zip", p.Number, p.Of)
		p.Label = partLabel(p.Number, p.Of, p.Files)
		p.Size = fixedCost(p.Number, p.Of, p.Files)
		for _, f := range p.Files {
			p.Size += entryCost(f.Name, f.Evidence.Size)
		}
	}
	return parts, nil
}

// fixedCost is what a part costs besides its evidence: contents.txt and the end record.
func fixedCost(number, of int, files []PartFile) int64 {
	return endRecordLen + entryCost(contentsName, int64(len(contentsText(number, of, files))))
}

func partLabel(number, of int, files []PartFile) string {
	first, last := files[0].Evidence.Number, files[len(files)-1].Evidence.Number
	if first == last {
		return fmt.Sprintf("Part %d of %d: evidence %d", number, of, first)
	}
	return fmt.Sprintf("Part %d of %d: evidence %d to %d", number, of, first, last)
}

// contentsText lists a part's evidence so an assessor who opens one archive on its own knows
// what it holds. Lines end in CRLF for older Windows text viewers.
func contentsText(number, of int, files []PartFile) string {
	var b strings.Builder
	b.WriteString("CPD profile evidence\r\n")
	b.WriteString(partLabel(number, of, files))
	b.WriteString("\r\n\r\n")
	for _, f := range files {
		e := f.Evidence
		fmt.Fprintf(&b, "%s\r\n    %s (%s, supports activity %d)\r\n",
			f.Name, strings.ReplaceAll(cleanText(e.Label), "\n", " "), byteSize(e.Size), e.Activity)
	}
	return b.String()
}

// WritePart writes one planned part as a zip archive. open is called once per file, in order,
// and each file must hold exactly the bytes its Evidence.Size says: a file that changed since
// planning would break the size promise, so it is an error rather than a bigger archive.
func WritePart(w io.Writer, part Part, open func(Evidence) (io.ReadCloser, error)) error {
	if len(part.Files) == 0 {
		return errors.New("auditpack: a part must hold at least one file")
	}
	mod := part.Modified
	if mod.IsZero() {
		mod = time.Now().UTC()
	}
	cw := &countWriter{w: w}
	zw := zip.NewWriter(cw)
	header := func(name string) (io.Writer, error) {
		return zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Store, Modified: mod})
	}
	fw, err := header(contentsName)
	if err == nil {
		_, err = io.WriteString(fw, contentsText(part.Number, part.Of, part.Files))
	}
	if err != nil {
		return fmt.Errorf("auditpack: write %s contents: %w", part.Name, err)
	}
	for _, f := range part.Files {
		if err := writeFile(header, f, open); err != nil {
			return fmt.Errorf("auditpack: write %s: %w", part.Name, err)
		}
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("auditpack: finish %s: %w", part.Name, err)
	}
	if cw.n != part.Size {
		return fmt.Errorf("auditpack: %s is %d bytes, planned %d", part.Name, cw.n, part.Size)
	}
	return nil
}

func writeFile(header func(string) (io.Writer, error), f PartFile, open func(Evidence) (io.ReadCloser, error)) error {
	e := f.Evidence
	rc, err := open(e)
	if err != nil {
		return fmt.Errorf("open evidence %d: %w", e.Number, err)
	}
	defer rc.Close()
	fw, err := header(f.Name)
	if err != nil {
		return fmt.Errorf("evidence %d: %w", e.Number, err)
	}
	// Read one byte more than expected, to notice a file that has grown.
	n, err := io.Copy(fw, io.LimitReader(rc, e.Size+1))
	if err != nil {
		return fmt.Errorf("copy evidence %d: %w", e.Number, err)
	}
	if n != e.Size {
		return fmt.Errorf("evidence %d (%q) is not the %d bytes planned", e.Number, e.Filename, e.Size)
	}
	return rc.Close()
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(b []byte) (int, error) {
	n, err := c.w.Write(b)
	c.n += int64(n)
	return n, err
}

// numberWidth is the digits of the largest evidence number, at least two, so that names sort
// in number order in every file manager ("E02" before "E10").
func numberWidth(ev []Evidence) int {
	most := 0
	for _, e := range ev {
		most = max(most, e.Number)
	}
	return max(2, len(strconv.Itoa(most)))
}

// entryName names a file inside an archive: its evidence number, then its own name made safe.
func entryName(e Evidence, width int) string {
	blank := func(s string) bool { return strings.Trim(s, "._- ") == "" }
	base := safeName(e.Filename)
	if blank(base) {
		if base = safeName(e.Label); blank(base) {
			base = "evidence"
		}
		base += extensionFor(e.ContentType)
	}
	return fmt.Sprintf("E%0*d - %s", width, e.Number, base)
}

// maxNameLen keeps names well inside the path limits of Windows' built-in unzip.
const maxNameLen = 80

// safeName reduces a name typed or uploaded by a person to a plain ASCII base name: no folders,
// no "..", nothing Windows forbids, accents dropped rather than turned into mojibake by an unzip
// tool that assumes another code page.
func safeName(s string) string {
	if i := strings.LastIndexAny(s, `/\`); i >= 0 {
		s = s[i+1:]
	}
	var b strings.Builder
	for _, r := range s {
		if r >= 0x80 {
			if a := stripAccent(r); a != "?" && a[0] < 0x80 {
				r = rune(a[0])
			} else {
				r = '_'
			}
		}
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9',
			strings.ContainsRune(" ._()+,-", r):
		case unicode.IsSpace(r):
			r = ' '
		default:
			r = '_'
		}
		last, _ := lastByte(&b)
		if (r == ' ' || r == '_' || r == '.') && last == byte(r) {
			continue // no runs of separators, and so no ".."
		}
		b.WriteRune(r)
	}
	out := strings.Trim(b.String(), " .")
	if len(out) > maxNameLen {
		ext := ""
		if i := strings.LastIndexByte(out, '.'); i > 0 && len(out)-i <= 10 {
			ext = out[i:]
		}
		out = strings.TrimRight(out[:maxNameLen-len(ext)], " .") + ext
	}
	return out
}

func lastByte(b *strings.Builder) (byte, bool) {
	s := b.String()
	if s == "" {
		return 0, false
	}
	return s[len(s)-1], true
}

// extensionFor gives an extension for the types evidence usually has. A fixed table rather than
// mime.ExtensionsByType, whose answers depend on the machine's own tables.
func extensionFor(contentType string) string {
	ct, _, _ := strings.Cut(contentType, ";")
	switch strings.TrimSpace(strings.ToLower(ct)) {
	case "application/pdf":
		return ".pdf"
	case "image/jpeg":
		return ".jpg"
	case "image/png":
		return ".png"
	case "text/plain":
		return ".txt"
	case "application/vnd.openxmlformats-officedocument.wordprocessingml.document":
		return ".docx"
	}
	return ""
}
