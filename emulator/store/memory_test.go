package store_test

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"testing"

	"github.com/graph-emulator/graph-emulator/emulator/store"
	"github.com/graph-emulator/graph-emulator/emulator/store/storetest"
)

func TestMemory(t *testing.T) {
	storetest.Run(t, func(t *testing.T, feedSize int) store.Store { return store.NewMemory(feedSize) })
}

var items = store.Set("items")

func item(id string) store.Entity {
	return store.Entity{ID: id, Type: "test.item", Body: []byte(`{"id":` + strconv.Quote(id) + `}`)}
}

func mustWrite(t testing.TB, m store.Store, fn func(tx store.Tx) error) {
	t.Helper()
	if err := m.Write(store.DefaultTenant, fn); err != nil {
		t.Fatal(err)
	}
}

func insertN(t testing.TB, m store.Store, c store.Coll, n int) {
	t.Helper()
	mustWrite(t, m, func(tx store.Tx) error {
		for i := range n {
			if _, err := tx.Insert(c, item(fmt.Sprintf("%06d", i))); err != nil {
				return err
			}
		}
		return nil
	})
}

// scan returns the keys and Seqs of c's entities after seq, in Scan order.
func scan(t testing.TB, m store.Store, c store.Coll, after uint64) (keys []string, seqs []uint64) {
	t.Helper()
	_ = m.Read(store.DefaultTenant, func(v store.View) error {
		v.Scan(c, after, func(e store.Entity) bool {
			keys = append(keys, e.ID)
			seqs = append(seqs, e.Seq)
			return true
		})
		return nil
	})
	return keys, seqs
}

func TestMemoryFeedWraps(t *testing.T) {
	t.Parallel()
	const size = 3
	m := store.NewMemory(size)
	for i := 1; i <= 20; i++ {
		mustWrite(t, m, func(tx store.Tx) error { _, err := tx.Insert(items, item(strconv.Itoa(i))); return err })
		seq := uint64(i)
		from := seq - min(seq, size)
		var got []uint64
		if err := m.Changes(store.DefaultTenant, from, func(c store.Change) bool { got = append(got, c.Seq); return true }); err != nil {
			t.Fatalf("after %d changes: Changes(%d): %v", i, from, err)
		}
		var want []uint64
		for s := from + 1; s <= seq; s++ {
			want = append(want, s)
		}
		if !slices.Equal(got, want) {
			t.Fatalf("after %d changes: Changes(%d) = %v, want %v", i, from, got, want)
		}
		if from > 0 {
			err := m.Changes(store.DefaultTenant, from-1, func(store.Change) bool { return true })
			if !errors.Is(err, store.ErrTruncated) {
				t.Fatalf("after %d changes: Changes(%d) = %v, want ErrTruncated", i, from-1, err)
			}
		}
	}
}

func TestMemoryCompactionKeepsOrder(t *testing.T) {
	t.Parallel()
	m := store.NewMemory(0)
	const n = 1000
	insertN(t, m, items, n)
	_, seqs := scan(t, m, items, 0)
	// Delete all but every tenth, in several writes and from both ends.
	var want []string
	mustWrite(t, m, func(tx store.Tx) error {
		for i := n - 1; i >= n/2; i-- {
			if i%10 != 0 {
				if err := tx.Delete(items, fmt.Sprintf("%06d", i)); err != nil {
					return err
				}
			}
		}
		return nil
	})
	mustWrite(t, m, func(tx store.Tx) error {
		for i := range n / 2 {
			if i%10 != 0 {
				if err := tx.Delete(items, fmt.Sprintf("%06d", i)); err != nil {
					return err
				}
			}
		}
		return nil
	})
	var wantSeqs []uint64
	for i := 0; i < n; i += 10 {
		want = append(want, fmt.Sprintf("%06d", i))
		wantSeqs = append(wantSeqs, seqs[i])
	}
	keys, gotSeqs := scan(t, m, items, 0)
	if !slices.Equal(keys, want) || !slices.Equal(gotSeqs, wantSeqs) {
		t.Fatalf("after deletes: %v %v, want %v %v", keys, gotSeqs, want, wantSeqs)
	}
	if slots := store.Slots(m, store.DefaultTenant, items); slots > 2*len(want) {
		t.Errorf("%d slots for %d entities: no compaction", slots, len(want))
	}
	// Scan after a seq still starts at the right place.
	keys, _ = scan(t, m, items, seqs[505])
	if !slices.Equal(keys, want[51:]) {
		t.Errorf("Scan after %d = %v, want %v", seqs[505], keys, want[51:])
	}
	// A new entity comes last.
	mustWrite(t, m, func(tx store.Tx) error { _, err := tx.Insert(items, item("000005")); return err })
	keys, _ = scan(t, m, items, 0)
	if keys[len(keys)-1] != "000005" || len(keys) != len(want)+1 {
		t.Errorf("after re-insert: %v", keys)
	}
}

func TestMemoryRollbackRestoresOrder(t *testing.T) {
	t.Parallel()
	m := store.NewMemory(0)
	const n = 200
	insertN(t, m, items, n)
	// Holes before the rolled back write, so that it restores into holes and into
	// compacted places alike.
	mustWrite(t, m, func(tx store.Tx) error {
		for i := 0; i < n; i += 7 {
			if err := tx.Delete(items, fmt.Sprintf("%06d", i)); err != nil {
				return err
			}
		}
		return nil
	})
	keys, seqs := scan(t, m, items, 0)
	boom := errors.New("boom")
	err := m.Write(store.DefaultTenant, func(tx store.Tx) error {
		for i := 3; i < len(keys); i += 2 {
			if err := tx.Delete(items, keys[i]); err != nil {
				return err
			}
		}
		for i := range 10 {
			if _, err := tx.Insert(items, item(fmt.Sprintf("new%d", i))); err != nil {
				return err
			}
		}
		for i := 0; i < len(keys); i += 2 {
			if err := tx.Delete(items, keys[i]); err != nil {
				return err
			}
		}
		if _, err := tx.Insert(items, item(keys[0])); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Write = %v", err)
	}
	gotKeys, gotSeqs := scan(t, m, items, 0)
	if !slices.Equal(gotKeys, keys) || !slices.Equal(gotSeqs, seqs) {
		t.Fatalf("after rollback:\n%v\n%v\nwant\n%v\n%v", gotKeys, gotSeqs, keys, seqs)
	}
	for i := range keys {
		got, _ := scan(t, m, items, seqs[i])
		if !slices.Equal(got, keys[i+1:]) {
			t.Fatalf("after rollback, Scan after %d = %v, want %v", seqs[i], got, keys[i+1:])
		}
	}
}

// A deleted owner's collections go with it: deletes leave no empty collections behind.
func TestMemoryDeleteDropsContained(t *testing.T) {
	t.Parallel()
	m := store.NewMemory(0)
	under := items.Contained("o", "children")
	refs := items.Refs("o", "links")
	mustWrite(t, m, func(tx store.Tx) error {
		if _, err := tx.Insert(items, item("o")); err != nil {
			return err
		}
		if _, err := tx.Insert(under, item("c")); err != nil {
			return err
		}
		_, err := tx.Link(refs, items, "o")
		return err
	})
	mustWrite(t, m, func(tx store.Tx) error { return tx.Delete(items, "o") })
	for _, c := range []store.Coll{under, refs} {
		if n := store.Slots(m, store.DefaultTenant, c); n != -1 {
			t.Errorf("%s is left with %d slots", c, n)
		}
	}
}

func TestMemoryDefaultFeedSize(t *testing.T) {
	t.Parallel()
	m := store.NewMemory(0)
	insertN(t, m, items, 10)
	var n int
	if err := m.Changes(store.DefaultTenant, 0, func(store.Change) bool { n++; return true }); err != nil || n != 10 {
		t.Errorf("Changes = %d, %v; want 10 changes", n, err)
	}
}

var benchBody = []byte(`{"id":"00000000-0000-0000-0000-000000000000","displayName":"Adele Vance","mail":"adele@example.com","jobTitle":"Retail Manager","officeLocation":"18/2111","businessPhones":["+1 425 555 0109"]}`)

func BenchmarkMemoryInsert(b *testing.B) {
	m := store.NewMemory(0)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		id := strconv.Itoa(i)
		if err := m.Write(store.DefaultTenant, func(tx store.Tx) error {
			_, err := tx.Insert(items, store.Entity{ID: id, Type: "test.item", Body: benchBody})
			return err
		}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMemoryGet(b *testing.B) {
	const n = 100_000
	m := store.NewMemory(0)
	insertN(b, m, items, n)
	keys := make([]string, n)
	for i := range keys {
		keys[i] = fmt.Sprintf("%06d", i)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		id := keys[i%n]
		i++
		if err := m.Read(store.DefaultTenant, func(v store.View) error { _, err := v.Get(items, id); return err }); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMemoryScan100k(b *testing.B) {
	const n = 100_000
	m := store.NewMemory(0)
	insertN(b, m, items, n)
	b.ReportAllocs()
	for b.Loop() {
		count := 0
		_ = m.Read(store.DefaultTenant, func(v store.View) error {
			v.Scan(items, 0, func(store.Entity) bool { count++; return true })
			return nil
		})
		if count != n {
			b.Fatalf("scanned %d, want %d", count, n)
		}
	}
}
