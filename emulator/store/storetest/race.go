package storetest

import (
	"bytes"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/graph-emulator/graph-emulator/emulator/store"
)

// The cases below write from many goroutines at once; run them with -race. They stop
// after a fixed number of writes, not after a time, so that a slow machine runs the
// same cases as a fast one.
const (
	goroutines = 8
	rounds     = 60
)

func raceCases() []testCase {
	return []testCase{
		{name: "race/delete-owner-while-inserting-under-it", run: raceCascade},
		{name: "race/replace-single-valued-reference", run: raceReplaceRef},
		{name: "race/reads-during-writes", run: raceReads},
		{name: "race/no-lost-update", run: raceCounters},
		{name: "race/reset-during-writes", run: raceReset},
	}
}

// raceCascade deletes an owner and re-creates it with the same key, over and over,
// while goroutines insert messages (each with an attachment) under it: a re-created
// owner holds nothing, and once the owner is deleted for good nothing it held
// survives, at any depth.
func raceCascade(t *testing.T, s store.Store) {
	const tenant = tenantA
	write(t, s, tenant, func(tx store.Tx) { insert(t, tx, users, "o", "owner") })
	var (
		wg       sync.WaitGroup
		stop     atomic.Bool
		mu       sync.Mutex
		inserted []string
		// count and alive let each round wait for an insert under the owner.
		count, alive atomic.Int64
	)
	alive.Store(goroutines)
	for g := range goroutines {
		wg.Go(func() {
			defer alive.Add(-1)
			for i := 0; i < 10*rounds && !stop.Load(); i++ {
				id := fmt.Sprintf("g%d-%d", g, i)
				err := s.Write(tenant, func(tx store.Tx) error {
					if _, err := tx.Insert(messages("o"), ent(id, id)); err != nil {
						return err
					}
					_, err := tx.Insert(attachments("o", id), ent("a", id))
					return err
				})
				switch {
				case err == nil:
					mu.Lock()
					inserted = append(inserted, id)
					mu.Unlock()
					count.Add(1)
				case !errors.Is(err, store.ErrNotFound):
					t.Errorf("insert under the owner: %v", err)
					return
				}
			}
		})
	}
	for r := range rounds {
		// Delete the owner once it holds a message inserted since it was created.
		for n := count.Load(); count.Load() == n && alive.Load() > 0; {
			runtime.Gosched()
		}
		write(t, s, tenant, func(tx store.Tx) { del(t, tx, users, "o") })
		err := s.Write(tenant, func(tx store.Tx) error {
			if _, err := tx.Insert(users, ent("o", fmt.Sprint("owner ", r))); err != nil {
				return err
			}
			if n := tx.Len(messages("o")); n != 0 {
				return fmt.Errorf("round %d: the re-created owner holds %d messages", r, n)
			}
			return nil
		})
		if err != nil {
			t.Error(err)
			break
		}
	}
	stop.Store(true)
	wg.Wait()
	write(t, s, tenant, func(tx store.Tx) { del(t, tx, users, "o") })
	write(t, s, tenant, func(tx store.Tx) { insert(t, tx, users, "o", "last") })
	read(t, s, tenant, func(v store.View) {
		if n := v.Len(messages("o")); n != 0 {
			t.Errorf("the re-created owner holds %d messages: %q", n, ids(v, messages("o")))
		}
		for _, id := range inserted {
			if n := v.Len(attachments("o", id)); n != 0 {
				t.Errorf("attachments of message %q survive: %d", id, n)
			}
		}
	})
	// Everything created under the owner was deleted with it.
	created, deleted := map[string]int{}, map[string]int{}
	for _, c := range changes(t, s, tenant, 0) {
		if c.Coll.IsZero() || c.Coll.IsRoot() {
			continue
		}
		switch c.Kind {
		case store.Created:
			created[c.Coll.String()+"|"+c.ID]++
		case store.Deleted:
			deleted[c.Coll.String()+"|"+c.ID]++
		}
	}
	if len(created) != 2*len(inserted) {
		t.Errorf("%d entities created under the owner, want %d", len(created), 2*len(inserted))
	}
	for k, n := range created {
		if deleted[k] != n {
			t.Errorf("%q created %d times, deleted %d times", k, n, deleted[k])
		}
	}
	t.Logf("%d messages inserted under %d owners", len(inserted), rounds+2)
}

// raceReplaceRef replaces a single-valued reference from many goroutines, each write
// unlinking all and linking its own target: there is exactly one reference at any time.
func raceReplaceRef(t *testing.T, s store.Store) {
	const tenant = tenantA
	write(t, s, tenant, func(tx store.Tx) {
		insert(t, tx, users, "u", "u")
		for g := range goroutines {
			insert(t, tx, users, fmt.Sprint("t", g), "target")
		}
		link(t, tx, manager("u"), users, "t0")
	})
	var (
		writers sync.WaitGroup
		readers sync.WaitGroup
		done    atomic.Bool
	)
	for g := range goroutines {
		writers.Go(func() {
			target := fmt.Sprint("t", g)
			for range rounds {
				err := s.Write(tenant, func(tx store.Tx) error {
					tx.UnlinkAll(manager("u"))
					_, err := tx.Link(manager("u"), users, target)
					return err
				})
				if err != nil {
					t.Errorf("replace the reference: %v", err)
					return
				}
			}
		})
	}
	readers.Go(func() {
		for !done.Load() {
			_ = s.Read(tenant, func(v store.View) error {
				if refs := refIDs(v, manager("u")); len(refs) != 1 || v.Len(manager("u")) != 1 {
					t.Errorf("a reader sees the references %q (Len %d), want one", refs, v.Len(manager("u")))
					done.Store(true)
				}
				return nil
			})
		}
	})
	writers.Wait()
	done.Store(true)
	readers.Wait()
	read(t, s, tenant, func(v store.View) {
		refs := refIDs(v, manager("u"))
		if len(refs) != 1 {
			t.Fatalf("references after the writes: %q, want one", refs)
		}
		if _, err := v.Get(users, refs[0]); err != nil {
			t.Errorf("the reference's target %q: %v", refs[0], err)
		}
	})
}

// raceReads runs readers while one writer updates two entities together, inserts
// pairs into two collections, and every third write fails after changing one entity:
// a reader sees all of a committed write or none of it, and nothing of a failed one.
// Another reader follows the change feed, which must be gapless.
func raceReads(t *testing.T, s store.Store) {
	const tenant = tenantA
	pairs := store.Set("pairs")
	left, right := store.Set("left"), store.Set("right")
	write(t, s, tenant, func(tx store.Tx) {
		insert(t, tx, pairs, "a", "0")
		insert(t, tx, pairs, "b", "0")
	})
	var (
		readers sync.WaitGroup
		done    atomic.Bool
		reads   atomic.Int64
		writes  atomic.Int64
	)
	// awaitWrite waits for a write after the n-th.
	awaitWrite := func(n int64) int64 {
		for writes.Load() == n && !done.Load() {
			runtime.Gosched()
		}
		return writes.Load()
	}
	for range 2 {
		readers.Go(func() {
			for w := int64(-1); !done.Load(); w = awaitWrite(w) {
				reads.Add(1)
				err := s.Read(tenant, func(v store.View) error {
					a, errA := v.Get(pairs, "a")
					b, errB := v.Get(pairs, "b")
					if errA != nil || errB != nil {
						return fmt.Errorf("get the pair: %v, %v", errA, errB)
					}
					if !bytes.Equal(a.Body, b.Body) || a.Version+1 != b.Version {
						return fmt.Errorf("half a write: a = %s (version %d), b = %s (version %d)", a.Body, a.Version, b.Body, b.Version)
					}
					if nl, nr := v.Len(left), v.Len(right); nl != nr {
						return fmt.Errorf("half a write: %d left, %d right", nl, nr)
					}
					l, r := ids(v, left), ids(v, right)
					if len(l) != len(r) {
						return fmt.Errorf("half a write: scanned %d left, %d right", len(l), len(r))
					}
					return nil
				})
				if err != nil {
					t.Error(err)
					done.Store(true)
				}
			}
		})
	}
	readers.Go(func() {
		for w := int64(-1); !done.Load(); w = awaitWrite(w) {
			var last uint64
			err := s.Changes(tenant, 0, func(c store.Change) bool {
				if c.Seq != last+1 {
					t.Errorf("change feed: seq %d after %d", c.Seq, last)
					done.Store(true)
					return false
				}
				last = c.Seq
				return true
			})
			if err != nil {
				t.Errorf("Changes: %v", err)
				return
			}
		}
	})
	for i := 1; i <= goroutines*rounds; i++ {
		v := fmt.Sprint(i)
		// The reads counted before this write is announced: a reader that sees the
		// announcement counts its read after this, so the wait below always ends.
		before := reads.Load()
		err := s.Write(tenant, func(tx store.Tx) error {
			if _, err := tx.Replace(pairs, ent("a", v), []string{"v"}); err != nil {
				return err
			}
			if i%3 == 0 {
				return errBoom
			}
			if _, err := tx.Replace(pairs, ent("b", v), []string{"v"}); err != nil {
				return err
			}
			if _, err := tx.Insert(left, ent(v, v)); err != nil {
				return err
			}
			_, err := tx.Insert(right, ent(v, v))
			return err
		})
		if err != nil && !(i%3 == 0 && errors.Is(err, errBoom)) {
			t.Errorf("write %d: %v", i, err)
		}
		writes.Add(1)
		// Let a reader in between any two writes.
		for reads.Load() == before && !done.Load() {
			runtime.Gosched()
		}
		if done.Load() {
			break
		}
	}
	done.Store(true)
	readers.Wait()
	t.Logf("%d reads during %d writes", reads.Load(), goroutines*rounds)
}

// raceCounters has writers in two tenants each increment its own counter and its
// tenant's shared counter, reading both in the write: no update is lost, and the
// tenants' sequences count their own writes only.
func raceCounters(t *testing.T, s store.Store) {
	counters := store.Set("counters")
	tenants := []string{tenantA, tenantB}
	for _, tn := range tenants {
		write(t, s, tn, func(tx store.Tx) { insert(t, tx, counters, "shared", "0") })
	}
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			tenant, own := tenants[g%2], fmt.Sprint("c", g)
			if err := s.Write(tenant, func(tx store.Tx) error {
				_, err := tx.Insert(counters, ent(own, "0"))
				return err
			}); err != nil {
				t.Errorf("insert counter: %v", err)
				return
			}
			for range rounds {
				err := s.Write(tenant, func(tx store.Tx) error {
					for _, id := range []string{own, "shared"} {
						e, err := tx.Get(counters, id)
						if err != nil {
							return err
						}
						var n int
						if _, err := fmt.Sscanf(string(e.Body), `{"v":"%d"}`, &n); err != nil {
							return fmt.Errorf("counter %s = %s: %v", id, e.Body, err)
						}
						if _, err := tx.Replace(counters, ent(id, fmt.Sprint(n+1)), []string{"v"}); err != nil {
							return err
						}
					}
					return nil
				})
				if err != nil {
					t.Errorf("increment: %v", err)
					return
				}
			}
		})
	}
	wg.Wait()
	perTenant := goroutines / 2
	for i, tn := range tenants {
		read(t, s, tn, func(v store.View) {
			if e := get(t, v, counters, "shared"); string(e.Body) != string(body(fmt.Sprint(perTenant*rounds))) {
				t.Errorf("%s: shared counter %s, want %d", tn, e.Body, perTenant*rounds)
			}
			for g := i; g < goroutines; g += 2 {
				if e := get(t, v, counters, fmt.Sprint("c", g)); string(e.Body) != string(body(fmt.Sprint(rounds))) {
					t.Errorf("%s: counter c%d %s, want %d", tn, g, e.Body, rounds)
				}
			}
			if want := uint64(1 + perTenant + 2*perTenant*rounds); v.Seq() != want {
				t.Errorf("%s: Seq %d, want %d", tn, v.Seq(), want)
			}
		})
	}
}

// raceReset resets a tenant while writers insert pairs into it and readers read it: a
// reader sees all of a pair or none of it, the feed stays gapless, and the writes of
// another tenant all stay.
func raceReset(t *testing.T, s store.Store) {
	left, right := store.Set("left"), store.Set("right")
	var (
		writers, others sync.WaitGroup
		done            atomic.Bool
	)
	for g := range goroutines {
		tenant := []string{tenantA, tenantB}[g%2]
		writers.Go(func() {
			for i := range rounds {
				id := fmt.Sprintf("g%d-%d", g, i)
				err := s.Write(tenant, func(tx store.Tx) error {
					if _, err := tx.Insert(left, ent(id, id)); err != nil {
						return err
					}
					_, err := tx.Insert(right, ent(id, id))
					return err
				})
				if err != nil {
					t.Errorf("insert a pair: %v", err)
					return
				}
			}
		})
	}
	others.Go(func() {
		for !done.Load() {
			s.Reset(tenantA)
			runtime.Gosched()
		}
	})
	others.Go(func() {
		for !done.Load() {
			_ = s.Read(tenantA, func(v store.View) error {
				if nl, nr := v.Len(left), v.Len(right); nl != nr {
					t.Errorf("half a write: %d left, %d right", nl, nr)
					done.Store(true)
				}
				return nil
			})
			runtime.Gosched()
		}
	})
	writers.Wait()
	done.Store(true)
	others.Wait()
	var last uint64
	for _, c := range changes(t, s, tenantA, 0) {
		if c.Seq != last+1 {
			t.Errorf("change feed: seq %d after %d", c.Seq, last)
		}
		last = c.Seq
	}
	if seq := seqOf(t, s, tenantA); seq != last {
		t.Errorf("Seq %d, last change %d", seq, last)
	}
	read(t, s, tenantB, func(v store.View) {
		if want := goroutines / 2 * rounds; v.Len(left) != want || v.Len(right) != want {
			t.Errorf("tenant B: %d left, %d right, want %d each", v.Len(left), v.Len(right), want)
		}
	})
}
