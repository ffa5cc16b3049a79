package store_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/graph-emulator/graph-emulator/emulator/store"
	"github.com/graph-emulator/graph-emulator/emulator/store/storetest"
)

// openBolt opens a Bolt in dir and closes it when the test ends.
func openBolt(t testing.TB, dir string, o store.BoltOptions) *store.Bolt {
	t.Helper()
	b, err := store.OpenBolt(dir, o)
	if err != nil {
		t.Fatalf("OpenBolt: %v", err)
	}
	t.Cleanup(func() {
		if err := b.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return b
}

func TestBolt(t *testing.T) {
	storetest.Run(t, func(t *testing.T, feedSize int) store.Store {
		return openBolt(t, t.TempDir(), store.BoltOptions{FeedSize: feedSize})
	})
}

func TestBoltSyncWindow(t *testing.T) {
	storetest.Run(t, func(t *testing.T, feedSize int) store.Store {
		return openBolt(t, t.TempDir(), store.BoltOptions{FeedSize: feedSize, SyncWindow: 5 * time.Millisecond})
	})
}

// workload writes the same random transactions to several stores: entities at three
// depths, single- and multi-valued references, cascading deletes, writes that fail or
// panic half-way, resets, several tenants (the empty name among them) and awkward keys.
type workload struct {
	rnd *rand.Rand
}

var (
	wUsers  = store.Set("users")
	wGroups = store.Set("groups")
)

// key picks one of a few keys, now and then an awkward one.
func (w *workload) key(prefix string, n int) string {
	switch w.rnd.IntN(40) {
	case 0:
		return ""
	case 1:
		return prefix + "/'%2F\x00é"
	case 2:
		return prefix + strings.Repeat("k", 40000) // longer than a bbolt key may be
	}
	return prefix + strconv.Itoa(w.rnd.IntN(n))
}

func (w *workload) body() []byte {
	return []byte(`{"v":` + strconv.Itoa(w.rnd.IntN(1000)) + `}`)
}

var errWorkload = errors.New("workload: give up")

// step returns one random write: the tenant, and the transaction's function (nil for
// a reset; reset all when the tenant is "*").
func (w *workload) step() (string, func(store.Tx) error) {
	tenant := []string{store.DefaultTenant, store.DefaultTenant, "t2", ""}[w.rnd.IntN(4)]
	if w.rnd.IntN(150) == 0 {
		if w.rnd.IntN(3) == 0 {
			return "*", nil
		}
		return tenant, nil
	}
	type op func(tx store.Tx)
	var ops []op
	for range 1 + w.rnd.IntN(4) {
		u, u2, m, a, g := w.key("u", 6), w.key("u", 6), w.key("m", 4), w.key("a", 2), w.key("g", 3)
		body, nav := w.body(), []string{"messages", "events"}[w.rnd.IntN(2)]
		var o op
		switch w.rnd.IntN(13) {
		case 0, 1:
			o = func(tx store.Tx) { tx.Insert(wUsers, store.Entity{ID: u, Type: "t.user", Body: body}) }
		case 2:
			o = func(tx store.Tx) { tx.Replace(wUsers, store.Entity{ID: u, Type: "t.user2", Body: body}, []string{"v"}) }
		case 3:
			o = func(tx store.Tx) { tx.Delete(wUsers, u) }
		case 4, 5:
			o = func(tx store.Tx) {
				tx.Insert(wUsers.Contained(u, nav), store.Entity{ID: m, Type: "t.message", Body: body})
			}
		case 6:
			o = func(tx store.Tx) {
				tx.Insert(wUsers.Contained(u, nav).Contained(m, "attachments"), store.Entity{ID: a, Type: "t.attachment", Body: body})
			}
		case 7:
			o = func(tx store.Tx) { tx.Delete(wUsers.Contained(u, nav), m) }
		case 8:
			o = func(tx store.Tx) {
				mgr := wUsers.Refs(u, "manager")
				tx.UnlinkAll(mgr)
				tx.Link(mgr, wUsers, u2)
			}
		case 9:
			o = func(tx store.Tx) { tx.Insert(wGroups, store.Entity{ID: g, Type: "t.group", Body: body}) }
		case 10:
			o = func(tx store.Tx) {
				tx.Link(wGroups.Refs(g, "members"), wUsers, u)
				tx.Link(wGroups.Refs(g, "members"), wUsers.Contained(u2, nav), m)
			}
		case 11:
			one := w.rnd.IntN(2) == 0
			o = func(tx store.Tx) {
				if one {
					tx.Unlink(wGroups.Refs(g, "members"), u)
				} else {
					tx.UnlinkAll(wGroups.Refs(g, "members"))
				}
			}
		case 12:
			o = func(tx store.Tx) { tx.Delete(wGroups, g) }
		}
		ops = append(ops, o)
	}
	end := w.rnd.IntN(20)
	return tenant, func(tx store.Tx) error {
		for _, o := range ops {
			o(tx)
		}
		switch end {
		case 0:
			return errWorkload
		case 1:
			panic(errWorkload)
		}
		return nil
	}
}

// apply runs one step on s; a panic of the step's own is recovered.
func apply(s store.Store, tenant string, fn func(store.Tx) error) (err error) {
	switch {
	case tenant == "*":
		s.ResetAll()
		return nil
	case fn == nil:
		s.Reset(tenant)
		return nil
	}
	defer func() {
		if p := recover(); p != nil {
			if p != errWorkload {
				panic(p)
			}
			err = errWorkload
		}
	}()
	return s.Write(tenant, fn)
}

// TestBoltReopen runs a random workload on a Memory and a Bolt side by side, closing
// and reopening the Bolt now and then: its state in memory, and after each reopen,
// is the Memory's, indexes and change feed included.
func TestBoltReopen(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		o    store.BoltOptions
	}{
		{"always", store.BoltOptions{}},
		{"window", store.BoltOptions{SyncWindow: 2 * time.Millisecond}},
		{"small feed", store.BoltOptions{FeedSize: 7}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			mem := store.NewMemory(tt.o.FeedSize)
			b, err := store.OpenBolt(dir, tt.o)
			if err != nil {
				t.Fatal(err)
			}
			defer func() { b.Close() }()
			w := &workload{rnd: rand.New(rand.NewPCG(1, 2))}
			const steps, reopenEvery = 1500, 250
			for i := 1; i <= steps; i++ {
				tenant, fn := w.step()
				errM, errB := apply(mem, tenant, fn), apply(b, tenant, fn)
				if (errM == nil) != (errB == nil) {
					t.Fatalf("step %d: Memory %v, Bolt %v", i, errM, errB)
				}
				if i%reopenEvery != 0 {
					continue
				}
				// A small feed's window cuts cascades at different places: its
				// changes are compared only between the Bolt and its reopening.
				withFeed := tt.o.FeedSize == 0
				if want, got := anyCascadeOrder(store.Dump(mem), withFeed), anyCascadeOrder(store.Dump(b.Memory()), withFeed); got != want {
					t.Fatalf("step %d: the Bolt's memory differs from the Memory:\n%s", i, diff(want, got))
				}
				want := store.Dump(b.Memory())
				if err := b.Close(); err != nil {
					t.Fatal(err)
				}
				if n := longestFeed(t, dir); tt.o.FeedSize > 0 && n > tt.o.FeedSize {
					t.Fatalf("step %d: a feed of %d changes in the file, want at most %d", i, n, tt.o.FeedSize)
				}
				if b, err = store.OpenBolt(dir, tt.o); err != nil {
					t.Fatalf("step %d: reopen: %v", i, err)
				}
				if got := store.Dump(b.Memory()); got != want {
					t.Fatalf("step %d: after reopening, the Bolt differs from the Memory:\n%s", i, diff(want, got))
				}
			}
		})
	}
}

// longestFeed returns the length of the longest change feed in dir's data file.
func longestFeed(t *testing.T, dir string) int {
	t.Helper()
	per := map[string]int{}
	for _, l := range strings.Split(rawFile(t, dir), "\n") {
		// tenants/<tenant>/66/<seq> = ...: 66 is the feed bucket, "f".
		if parts := strings.Split(l, "/"); len(parts) == 4 && parts[0] == "tenants" && parts[2] == "66" {
			per[parts[1]]++
		}
	}
	n := 0
	for _, c := range per {
		n = max(n, c)
	}
	return n
}

// anyCascadeOrder rewrites a dump's change feed so that two stores compare equal
// whatever order their cascades ran in (a Memory's follows map order): the changes of
// each tenant without their numbers, sorted; none without withFeed.
func anyCascadeOrder(dump string, withFeed bool) string {
	lines := strings.Split(dump, "\n")
	var out, feed []string
	flush := func() {
		slices.Sort(feed)
		out, feed = append(out, feed...), nil
	}
	for _, l := range lines {
		if rest, ok := strings.CutPrefix(l, "  change "); ok {
			_, rest, _ = strings.Cut(rest, " ")
			if withFeed {
				feed = append(feed, rest)
			}
			continue
		}
		flush()
		out = append(out, l)
	}
	flush()
	return strings.Join(out, "\n")
}

// diff shows the first lines where two dumps differ.
func diff(want, got string) string {
	wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := range max(len(wl), len(gl)) {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			lo := max(0, i-3)
			return fmt.Sprintf("line %d:\nwant: %.300q\ngot:  %.300q\ncontext:\n%s", i+1, w, g, strings.Join(wl[lo:min(i+1, len(wl))], "\n"))
		}
	}
	return "(equal)"
}

// TestBoltShapeAfterReopen: shapes are not saved; the entities read from the file get
// theirs from the shaper set after opening, and a write after it is shaped at once.
func TestBoltShapeAfterReopen(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	users := store.Set("users")
	shaper := func(_ string, body []byte) uint8 { return uint8(len(body)) }
	b, err := store.OpenBolt(dir, store.BoltOptions{})
	if err != nil {
		t.Fatal(err)
	}
	b.SetShaper(shaper)
	if err := b.Write("t", func(tx store.Tx) error {
		_, err := tx.Insert(users, store.Entity{ID: "u1", Type: "x.user", Body: []byte(`{"id":"u1"}`)})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	b = openBolt(t, dir, store.BoltOptions{})
	get := func() store.Entity {
		var e store.Entity
		if err := b.Read("t", func(v store.View) error { e, err = v.Get(users, "u1"); return err }); err != nil {
			t.Fatal(err)
		}
		return e
	}
	if e := get(); e.Shape != 0 {
		t.Fatalf("reopened without a shaper: shape %d, want 0", e.Shape)
	}
	b.SetShaper(shaper)
	if e := get(); e.Shape != uint8(len(e.Body)) {
		t.Fatalf("reopened, then SetShaper: shape %d, want %d", e.Shape, len(e.Body))
	}
}
