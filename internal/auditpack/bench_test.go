package auditpack

import (
	"io"
	"runtime"
	"testing"
)

// benchPack is the profile size the HCPC suggests at most: 50 activities, five of them written
// up at length, no evidence (evidence goes into the parts, not the PDF).
func benchPack() *Pack {
	p := FixturePack(50)
	p.Evidence = nil
	for i := range p.Activities {
		p.Activities[i].Evidence = nil
	}
	return p
}

// BenchmarkRenderPDF50 reports time and allocations per PDF, and MB allocated per PDF: an upper
// bound on the heap one render can need at its peak, since a render cannot hold more than it
// allocated.
func BenchmarkRenderPDF50(b *testing.B) {
	benchRender(b, RenderPDF)
}

func BenchmarkRenderDOCX50(b *testing.B) {
	benchRender(b, RenderDOCX)
}

func BenchmarkRenderHTML50(b *testing.B) {
	benchRender(b, RenderHTML)
}

func benchRender(b *testing.B, render func(io.Writer, *Pack) error) {
	p := benchPack()
	b.ReportAllocs()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for b.Loop() {
		if err := render(io.Discard, p); err != nil {
			b.Fatal(err)
		}
	}
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/float64(b.N)/1e6, "MB-alloc/op")
}
