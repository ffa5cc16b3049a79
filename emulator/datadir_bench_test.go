package emulator_test

// Write throughput with the data directory (WithDataDir) beside the memory store:
// creates of the seed entity through ServeHTTP, one after the other and from many
// goroutines at once (where writes share a sync), with --data-sync always and with a
// 100 ms flush window:
//
//	go test -run '^$' -bench BenchmarkCreateDataDir -benchtime 2s ./emulator/
//
// Sub-benchmarks are named store=... so that `benchstat -col /store` compares them.

import (
	"net/http"
	"testing"
	"time"

	"github.com/graph-emulator/graph-emulator/emulator"
)

// dataDirWriters multiplies GOMAXPROCS into the number of goroutines of the parallel
// benchmarks: writers waiting for a sync leave the processors idle.
const dataDirWriters = 8

func BenchmarkCreateDataDir(b *testing.B) {
	create := operations()[0]
	for _, st := range []struct {
		name string
		opts func(b *testing.B) []emulator.Option
	}{
		{"memory", func(*testing.B) []emulator.Option { return nil }},
		{"bolt-always", func(b *testing.B) []emulator.Option {
			return []emulator.Option{emulator.WithDataDir(b.TempDir(), 0)}
		}},
		{"bolt-100ms", func(b *testing.B) []emulator.Option {
			return []emulator.Option{emulator.WithDataDir(b.TempDir(), 100*time.Millisecond)}
		}},
	} {
		newServer := func(b *testing.B) *emulator.Server {
			srv, err := emulator.New(st.opts(b)...)
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() {
				if err := srv.Close(); err != nil {
					b.Error(err)
				}
			})
			return srv
		}
		b.Run("store="+st.name+"/serial", func(b *testing.B) {
			p := newInProcess(newServer(b), create, nil)
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				p.serve(create, i)
				if p.w.status != http.StatusCreated {
					b.Fatalf("status %d: %s", p.w.status, p.w.body)
				}
				i++
			}
		})
		b.Run("store="+st.name+"/parallel", func(b *testing.B) {
			srv := newServer(b)
			b.ReportAllocs()
			b.SetParallelism(dataDirWriters)
			b.RunParallel(func(pb *testing.PB) {
				p := newInProcess(srv, create, nil)
				for i := 0; pb.Next(); i++ {
					p.serve(create, i)
					if p.w.status != http.StatusCreated {
						b.Errorf("status %d: %s", p.w.status, p.w.body)
						return
					}
				}
			})
		})
	}
}
