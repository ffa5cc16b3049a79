package entities

import (
	"bytes"
	"strings"
	"sync"
	"testing"
)

// TestCompactRoundTrip encodes each embedded schema's decoding again: the bytes must be
// the embedded ones, so that nothing the encoder writes is lost on the way back.
func TestCompactRoundTrip(t *testing.T) {
	t.Parallel()
	for _, version := range []string{"v1.0", "beta"} {
		data, err := graphData(version)
		if err != nil {
			t.Fatal(err)
		}
		raw, err := gunzip(data)
		if err != nil {
			t.Fatal(err)
		}
		s, err := decodeCompact(raw)
		if err != nil {
			t.Fatalf("%s: %v", version, err)
		}
		if err := s.Resolve(); err != nil {
			t.Fatalf("%s: %v", version, err)
		}
		if again := encodeCompact(s); !bytes.Equal(again, raw) {
			t.Errorf("%s: encoding the decoded schema gives %d bytes, not the %d decoded", version, len(again), len(raw))
		}
	}
}

// TestCompactMalformed feeds truncated and altered data to the decoder: an error, never
// a panic.
func TestCompactMalformed(t *testing.T) {
	t.Parallel()
	s, err := Builtin("beta")
	if err != nil {
		t.Fatal(err)
	}
	raw := encodeCompact(s)
	if _, err := decodeCompact(raw); err != nil {
		t.Fatalf("intact data: %v", err)
	}
	for n := range len(raw) {
		if _, err := decodeCompact(raw[:n]); err == nil {
			t.Errorf("data cut to %d of %d bytes decoded", n, len(raw))
		}
	}
	for i := range raw {
		b := bytes.Clone(raw)
		b[i] ^= 0xff
		_, _ = decodeCompact(b) // must not panic
	}
	bad := append([]byte(compactMagic), compactVersion+1)
	if _, err := decodeCompact(bad); err == nil || !strings.Contains(err.Error(), "format version") {
		t.Errorf("another format version: %v", err)
	}
	if _, err := decodeCompact([]byte("<edmx:Edmx/>")); err == nil {
		t.Errorf("XML decoded as a compact schema")
	}
}

// TestGraphShared checks that Graph hands every caller, concurrent ones too, the same
// resolved schema, with Graph's sets and the built-in additions, and that GraphWith
// gives a new one that can be extended.
func TestGraphShared(t *testing.T) {
	t.Parallel()
	for _, version := range []string{"v1.0", "beta"} {
		var wg sync.WaitGroup
		got := make([]*Schema, 8)
		for i := range got {
			wg.Go(func() {
				s, err := Graph(version)
				if err != nil {
					t.Error(err)
				}
				got[i] = s
			})
		}
		wg.Wait()
		for _, s := range got[1:] {
			if s != got[0] {
				t.Fatalf("%s: Graph returned different schemas", version)
			}
		}
		s := got[0]
		if !s.resolved || s.EntitySet("users") == nil || s.EntitySet("office365ServicesUserCounts") == nil || s.Singleton("me") == nil {
			t.Errorf("%s: Graph lacks users, office365ServicesUserCounts or me", version)
		}
		if err := s.AddEntitySet("more", "microsoft.graph.user"); err == nil {
			t.Errorf("%s: the shared schema took a new entity set", version)
		}
		own, err := GraphWith(version, func(s *Schema) error { return s.Expose("microsoft.graph.user", "people") })
		if err != nil {
			t.Fatal(err)
		}
		if own == s || own.EntitySet("people") == nil || s.EntitySet("people") != nil {
			t.Errorf("%s: GraphWith did not give a schema of its own", version)
		}
	}
	if _, err := Graph("v2.0"); err == nil {
		t.Errorf("Graph(v2.0) succeeded")
	}
	if _, err := GraphWith("v2.0", nil); err == nil {
		t.Errorf("GraphWith(v2.0) succeeded")
	}
}

// BenchmarkGraphDecode decodes an embedded schema from scratch (GraphWith): what the
// first Graph call of a process costs.
func BenchmarkGraphDecode(b *testing.B) {
	for _, version := range []string{"v1.0", "beta"} {
		b.Run(version, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := GraphWith(version, nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkGraphDecodeSteps splits the decoding into its steps: decompression, reading
// the compact form, and resolution (with the built-in additions).
func BenchmarkGraphDecodeSteps(b *testing.B) {
	data, _ := graphData("v1.0")
	raw, err := gunzip(data)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("gunzip", func(b *testing.B) {
		b.SetBytes(int64(len(raw)))
		b.ReportAllocs()
		for b.Loop() {
			if _, err := gunzip(data); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("decode", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := decodeCompact(raw); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("resolve", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			b.StopTimer()
			s, err := decodeCompact(raw)
			if err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			if err := AddBuiltins(s); err != nil {
				b.Fatal(err)
			}
			if err := s.Resolve(); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkGraphCached is every Graph call after the first.
func BenchmarkGraphCached(b *testing.B) {
	if _, err := Graph("v1.0"); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Graph("v1.0"); err != nil {
			b.Fatal(err)
		}
	}
}
