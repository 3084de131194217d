package auditpack

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// randomEvidence makes evidence files of the given sizes with random (incompressible) content,
// the worst case for a size limit and the usual case for PDFs and photos.
func randomEvidence(seed uint64, sizes []int) ([]Evidence, map[int][]byte) {
	rng := rand.New(rand.NewPCG(seed, 7))
	ev := make([]Evidence, len(sizes))
	data := make(map[int][]byte, len(sizes))
	for i, size := range sizes {
		b := make([]byte, size)
		for j := range b {
			b[j] = byte(rng.Uint32())
		}
		n := i + 1
		data[n] = b
		ev[i] = Evidence{Number: n, Label: fmt.Sprintf("Evidence %d: Certificate – “course” %d", n, n),
			Filename: fmt.Sprintf("certificate %d.pdf", n), ContentType: "application/pdf",
			Size: int64(size), Activity: n*2 + 1}
	}
	return ev, data
}

func opener(data map[int][]byte) func(Evidence) (io.ReadCloser, error) {
	return func(e Evidence) (io.ReadCloser, error) {
		b, ok := data[e.Number]
		if !ok {
			return nil, fmt.Errorf("no evidence %d", e.Number)
		}
		return io.NopCloser(bytes.NewReader(b)), nil
	}
}

func TestSplitEvidenceWritesPartsWithinLimit(t *testing.T) {
	const limit = 64 << 10
	rng := rand.New(rand.NewPCG(1, 2))
	var many []int
	for range 40 {
		many = append(many, 1+rng.IntN(30_000))
	}
	for _, tc := range []struct {
		name      string
		sizes     []int
		wantParts int // 0: do not check
	}{
		{"one small file", []int{1000}, 1},
		{"empty file", []int{0, 10}, 1},
		{"two that only fit apart", []int{40_000, 40_000}, 2},
		{"forty random sizes", many, 0},
		{"a dozen near-half files, two-digit part count", []int{
			32_000, 32_000, 32_000, 32_000, 32_000, 32_000, 32_000, 32_000, 32_000, 32_000, 32_000, 32_000,
			32_000, 32_000, 32_000, 32_000, 32_000, 32_000, 32_000, 32_000, 32_000, 32_000}, 11},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ev, data := randomEvidence(uint64(len(tc.sizes)), tc.sizes)
			parts, err := SplitEvidence(ev, limit)
			if err != nil {
				t.Fatal(err)
			}
			if tc.wantParts > 0 && len(parts) != tc.wantParts {
				t.Errorf("got %d parts, want %d", len(parts), tc.wantParts)
			}
			seen := map[int]int{}
			last := 0
			for i, part := range parts {
				if part.Number != i+1 || part.Of != len(parts) {
					t.Errorf("part %d is numbered %d of %d", i+1, part.Number, part.Of)
				}
				wantName := fmt.Sprintf("cpd-evidence-part-%d-of-%d.zip", i+1, len(parts))
				if part.Name != wantName {
					t.Errorf("name %q, want %q", part.Name, wantName)
				}
				wantLabel := fmt.Sprintf("Part %d of %d: evidence %d", i+1, len(parts), part.Files[0].Evidence.Number)
				if !strings.HasPrefix(part.Label, wantLabel) {
					t.Errorf("label %q, want it to start %q", part.Label, wantLabel)
				}
				var buf bytes.Buffer
				if err := WritePart(&buf, part, opener(data)); err != nil {
					t.Fatal(err)
				}
				if int64(buf.Len()) != part.Size || buf.Len() > limit {
					t.Errorf("%s: wrote %d bytes, planned %d, limit %d", part.Name, buf.Len(), part.Size, limit)
				}
				zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
				if err != nil {
					t.Fatalf("%s is not a readable zip: %v", part.Name, err)
				}
				if zr.File[0].Name != contentsName {
					t.Errorf("%s: first entry %q, want %s", part.Name, zr.File[0].Name, contentsName)
				}
				contents := readEntry(t, zr.File[0])
				if !strings.Contains(string(contents), part.Label) {
					t.Errorf("%s: contents.txt lacks its label %q:\n%s", part.Name, part.Label, contents)
				}
				for _, f := range zr.File[1:] {
					var n int
					if _, err := fmt.Sscanf(f.Name, "E%d - ", &n); err != nil {
						t.Fatalf("unexpected entry %q", f.Name)
					}
					if n <= last {
						t.Errorf("evidence %d after %d: not in number order", n, last)
					}
					last = n
					seen[n]++
					if f.Method != zip.Store {
						t.Errorf("%s stored with method %d, want Store", f.Name, f.Method)
					}
					if !bytes.Equal(readEntry(t, f), data[n]) {
						t.Errorf("%s: content differs from evidence %d", f.Name, n)
					}
					if !strings.Contains(string(contents), f.Name) {
						t.Errorf("contents.txt does not list %s", f.Name)
					}
				}
			}
			for _, e := range ev {
				if seen[e.Number] != 1 {
					t.Errorf("evidence %d appears %d times across parts, want once", e.Number, seen[e.Number])
				}
			}
		})
	}
}

func readEntry(t *testing.T, f *zip.File) []byte {
	t.Helper()
	rc, err := f.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc) // also checks the CRC
	if err != nil {
		t.Fatalf("%s: %v", f.Name, err)
	}
	return b
}

// The size arithmetic is exact: a file that fills a part to the byte fits, one byte more is
// refused by name.
func TestSplitEvidenceExactFit(t *testing.T) {
	const limit = 64 << 10
	// contents.txt shows the file's size in words ("64 KB"), so find the exact fit by adjusting
	// a guess until the planned part is exactly the limit.
	room, size := 0, int64(0)
	for range 10 {
		ev, _ := randomEvidence(3, []int{room})
		parts, err := SplitEvidence(ev, limit)
		if err != nil {
			room--
			continue
		}
		if size = parts[0].Size; size == limit {
			break
		}
		room += int(limit - size)
	}
	if size != limit {
		t.Fatalf("found no file size that fills a part exactly; last plan %d bytes", size)
	}

	full, data := randomEvidence(3, []int{room})
	parts, err := SplitEvidence(full, limit)
	if err != nil {
		t.Fatalf("a file of exactly the free room (%d bytes) was refused: %v", room, err)
	}
	var buf bytes.Buffer
	if err := WritePart(&buf, parts[0], opener(data)); err != nil {
		t.Fatal(err)
	}
	if buf.Len() != limit {
		t.Errorf("full part is %d bytes, want exactly %d", buf.Len(), limit)
	}

	over, _ := randomEvidence(3, []int{room + 1})
	_, err = SplitEvidence(over, limit)
	var tooLarge *TooLargeError
	if !errors.As(err, &tooLarge) || tooLarge.Evidence.Number != 1 {
		t.Fatalf("got %v, want a *TooLargeError for evidence 1", err)
	}
	if !strings.Contains(err.Error(), "certificate 1.pdf") {
		t.Errorf("error %q does not name the file", err)
	}
}

func TestSplitEvidenceErrors(t *testing.T) {
	ev, _ := randomEvidence(4, []int{10, 10})
	dup := []Evidence{ev[0], ev[0]}
	for _, tc := range []struct {
		name  string
		ev    []Evidence
		limit int64
		want  string
	}{
		{"zero limit", ev, 0, "must be positive"},
		{"duplicate numbers", dup, 1 << 20, "used twice"},
		{"no number", []Evidence{{Filename: "x.pdf", Size: 1}}, 1 << 20, "no number"},
		{"limit smaller than the headers", ev, 100, "too large"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := SplitEvidence(tc.ev, tc.limit)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want an error containing %q", err, tc.want)
			}
		})
	}
	parts, err := SplitEvidence(nil, PartLimit)
	if err != nil || len(parts) != 0 {
		t.Errorf("no evidence: got %v, %v; want no parts", parts, err)
	}
}

// A file that changed size since planning must not silently produce a bigger archive.
func TestWritePartRefusesChangedFile(t *testing.T) {
	ev, data := randomEvidence(5, []int{100})
	parts, err := SplitEvidence(ev, 64<<10)
	if err != nil {
		t.Fatal(err)
	}
	for _, size := range []int{99, 101} {
		data[1] = make([]byte, size)
		err := WritePart(io.Discard, parts[0], opener(data))
		if err == nil || !strings.Contains(err.Error(), "not the 100 bytes planned") {
			t.Errorf("file of %d bytes: got %v, want a size error", size, err)
		}
	}
}

func TestWritePartDatesEntries(t *testing.T) {
	ev, data := randomEvidence(6, []int{10})
	parts, _ := SplitEvidence(ev, 64<<10)
	parts[0].Modified = time.Date(2025, 8, 4, 9, 30, 0, 0, time.UTC)
	var buf bytes.Buffer
	if err := WritePart(&buf, parts[0], opener(data)); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	if got := zr.File[1].Modified.UTC(); !got.Equal(parts[0].Modified) {
		t.Errorf("entry dated %v, want %v", got, parts[0].Modified)
	}
}

func TestEntryName(t *testing.T) {
	long := strings.Repeat("very long name ", 20) + ".pdf"
	for _, tc := range []struct {
		ev    Evidence
		width int
		want  string
	}{
		{Evidence{Number: 4, Filename: "certificate.pdf"}, 2, "E04 - certificate.pdf"},
		{Evidence{Number: 4, Filename: "certificate.pdf"}, 3, "E004 - certificate.pdf"},
		{Evidence{Number: 1, Filename: "../../etc/passwd"}, 2, "E01 - passwd"},
		{Evidence{Number: 2, Filename: `C:\Users\me\Reflection – Zoë’s notes.docx`}, 2, "E02 - Reflection _ Zoe_s notes.docx"},
		{Evidence{Number: 3, Filename: "a..b...pdf"}, 2, "E03 - a.b.pdf"},
		{Evidence{Number: 5, Filename: `what?<>:"|*.pdf`}, 2, "E05 - what_.pdf"},
		{Evidence{Number: 6, Filename: "..", Label: "Evidence 6: Feedback", ContentType: "image/png"}, 2, "E06 - Evidence 6_ Feedback.png"},
		{Evidence{Number: 7, Filename: "", Label: "", ContentType: "application/pdf"}, 2, "E07 - evidence.pdf"},
		{Evidence{Number: 8, Filename: " .hidden. "}, 2, "E08 - hidden"},
		{Evidence{Number: 9, Filename: "日本語.pdf"}, 2, "E09 - _.pdf"},
	} {
		if got := entryName(tc.ev, tc.width); got != tc.want {
			t.Errorf("entryName(%q) = %q, want %q", tc.ev.Filename, got, tc.want)
		}
	}
	got := entryName(Evidence{Number: 10, Filename: long}, 2)
	if len(got) > len("E10 - ")+maxNameLen || !strings.HasSuffix(got, ".pdf") {
		t.Errorf("long name %q: want at most %d characters after the prefix, ending .pdf", got, maxNameLen)
	}
	for _, r := range got {
		if r >= 0x80 {
			t.Errorf("%q is not ASCII", got)
		}
	}
}
