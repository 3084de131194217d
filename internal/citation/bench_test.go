package citation

import (
	"bytes"
	"fmt"
	"testing"
)

// benchRefs are n short references: 20,000 need to fit in the 5 MB a file may have, which leaves
// about 250 bytes each, so there are no abstracts.
func benchRefs(n int) []Reference {
	refs := make([]Reference, n)
	for i := range refs {
		refs[i] = Reference{
			Kind: "article", Authors: []string{"Okafor, Chidi", "Brennan, Siobhán"}, Year: 2000 + i%25,
			Title:   fmt.Sprintf("Leading occupational therapy %d", i),
			Journal: "Br J Occup Ther", Volume: "84", Pages: "331-342", DOI: fmt.Sprintf("10.1177/03080226%06d", i),
		}
	}
	return refs
}

func benchFile(b *testing.B, write func(*bytes.Buffer, []Reference) error) []byte {
	var buf bytes.Buffer
	if err := write(&buf, benchRefs(MaxRecords)); err != nil {
		b.Fatal(err)
	}
	if buf.Len() > MaxFileBytes {
		b.Fatalf("%d bytes is over the limit", buf.Len())
	}
	return buf.Bytes()
}

// BenchmarkParseRIS20000 parses a RIS file of 20,000 records, the most a file may hold.
func BenchmarkParseRIS20000(b *testing.B) {
	data := benchFile(b, formats[1].write)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if refs, err := ParseRIS(bytes.NewReader(data)); err != nil || len(refs) != MaxRecords {
			b.Fatalf("%d references, %v", len(refs), err)
		}
	}
}

// BenchmarkParseBibTeX20000 parses the same references as BibTeX.
func BenchmarkParseBibTeX20000(b *testing.B) {
	data := benchFile(b, formats[0].write)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if refs, err := ParseBibTeX(bytes.NewReader(data)); err != nil || len(refs) != MaxRecords {
			b.Fatalf("%d references, %v", len(refs), err)
		}
	}
}

// BenchmarkWrite20000 writes 20,000 references in each format.
func BenchmarkWrite20000(b *testing.B) {
	refs := benchRefs(MaxRecords)
	for _, f := range formats {
		b.Run(f.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				var buf bytes.Buffer
				if err := f.write(&buf, refs); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
