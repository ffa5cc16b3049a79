package store_test

import (
	"runtime"
	"strconv"
	"testing"

	"github.com/graph-emulator/graph-emulator/emulator/store"
)

// feedBytesPerChange measures the heap a full change feed of n updates holds, per change.
func feedBytesPerChange(tb testing.TB, n int) float64 {
	m := store.NewMemory(n)
	c := store.Set("users")
	ids := make([]string, 1000)
	err := m.Write("t", func(tx store.Tx) error {
		for i := range ids {
			ids[i] = "00000000-0000-0000-0000-" + strconv.Itoa(100000000000+i)
			if _, err := tx.Insert(c, store.Entity{ID: ids[i], Type: "microsoft.graph.user", Body: []byte(`{}`)}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for i := range n {
		err := m.Write("t", func(tx store.Tx) error {
			_, err := tx.Replace(c, store.Entity{ID: ids[i%len(ids)], Type: "microsoft.graph.user", Body: []byte(`{}`)}, []string{"jobTitle"})
			return err
		})
		if err != nil {
			tb.Fatal(err)
		}
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(m)
	return float64(after.HeapAlloc-before.HeapAlloc) / float64(n)
}

func TestFeedBytesPerChange(t *testing.T) {
	for _, n := range []int{4096, 16384, 65536} {
		t.Logf("feed of %d updates: %.0f bytes per change", n, feedBytesPerChange(t, n))
	}
}
