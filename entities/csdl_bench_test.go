package entities_test

import (
	"bytes"
	"os"
	"runtime"
	"testing"

	"github.com/graph-emulator/graph-emulator/entities"
)

// graphV1CSDL is Graph's published v1.0 CSDL, relative to the package directory.
const graphV1CSDL = "../../shared/graph-metadata/clean_v10_metadata/cleanMetadata.xml"

// graphBetaCSDL is Graph's published beta CSDL (from 2021), relative to the package directory.
const graphBetaCSDL = "../../shared/graph-metadata/clean_beta_metadata/cleanMetadata.xml"

// readShared returns a file of the shared folder beside the repository, or skips.
func readShared(tb testing.TB, path string) []byte {
	tb.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Skipf("Graph's CSDL is not available (%v): put msgraph-metadata's clean files in ../shared/graph-metadata beside the repository to run this", err)
	}
	return b
}

// BenchmarkLoadCSDLv1 loads Graph's v1.0 CSDL (3.5 MB). Besides time and allocations it
// reports retained-MB, the heap a loaded schema keeps alive after a GC.
func BenchmarkLoadCSDLv1(b *testing.B) {
	doc := readShared(b, graphV1CSDL)
	retained := retainedMB(b, doc)
	b.SetBytes(int64(len(doc)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := entities.LoadCSDL(bytes.NewReader(doc)); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(retained, "retained-MB") // after the loop, which resets extra metrics
}

// retainedMB returns the heap, in MB, that a schema loaded from doc keeps alive (measured
// before the benchmark loop, which keeps its last result alive).
func retainedMB(b *testing.B, doc []byte) float64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	s, err := entities.LoadCSDL(bytes.NewReader(doc))
	if err != nil {
		b.Fatal(err)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(s)
	return float64(int64(after.HeapAlloc)-int64(before.HeapAlloc)) / (1 << 20)
}
