package emulator_test

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/tidwall/gjson"

	"github.com/graph-emulator/graph-emulator/emulator"
	"github.com/graph-emulator/graph-emulator/emulator/emulatortest"
)

// TestDeltaWithConcurrentWriters walks a collection's delta while writers create
// entities: every created id appears exactly once over the initial round and the
// delta rounds that follow. For directoryObjects the walk crosses several source
// collections (users, groups), so entities created behind its cursor come in later
// pages of the same round.
func TestDeltaWithConcurrentWriters(t *testing.T) {
	t.Parallel()
	for _, set := range []string{"users", "directoryObjects"} {
		t.Run(set, func(t *testing.T) {
			t.Parallel()
			srv := emulatortest.New(t, emulator.WithPageSize(7))
			var mu sync.Mutex
			created := map[string]bool{}
			record := func(id string) {
				mu.Lock()
				created[id] = true
				mu.Unlock()
			}
			for i := range 40 {
				record(createEntity(t, srv, set, i, fmt.Sprintf("seed%d", i)))
			}
			stop, wg := stopper(t)
			for w := range 4 {
				wg.Go(func() {
					for i := 0; ; i++ {
						select {
						case <-wg.done:
							return
						default:
						}
						record(createEntity(t, srv, set, i, fmt.Sprintf("w%d-%d", w, i)))
						if i >= 150 {
							return
						}
					}
				})
			}
			seen := map[string]int{}
			count := func(items []gjson.Result) {
				for _, it := range items {
					if !it.Get("@removed").Exists() {
						seen[it.Get("id").String()]++
					}
				}
			}
			items, dl, _ := deltaRound(t, srv, "/v1.0/"+set+"/delta?$select=id")
			count(items)
			for range 3 { // delta rounds while writers still write
				items, dl, _ = deltaRound(t, srv, dl)
				count(items)
			}
			stop()
			items, _, _ = deltaRound(t, srv, dl)
			count(items)
			for id := range created {
				if seen[id] != 1 {
					t.Errorf("%s seen %d times", id, seen[id])
				}
			}
			for id, n := range seen {
				if !created[id] {
					t.Errorf("%s seen %d times, never created", id, n)
				}
			}
		})
	}
}

// createEntity creates a user (set users, or every other one of directoryObjects) or a
// group and returns its id.
func createEntity(t testing.TB, srv *emulatortest.Server, set string, i int, name string) string {
	path, body := "/v1.0/users", userBody(name)
	if set == "directoryObjects" && i%2 == 1 {
		path = "/v1.0/groups"
		body = fmt.Sprintf(`{"displayName":%q,"mailEnabled":false,"mailNickname":%q,"securityEnabled":true}`, name, name)
	}
	r, err := srv.Send("POST", path, body)
	if err != nil || r.Status != 201 {
		t.Errorf("create %s: %v %v", name, r, err)
		return ""
	}
	return gjson.GetBytes(r.Body, "id").String()
}

// TestDeltaMirrorsState keeps a copy of a collection from its delta pages while writers
// create, update and delete: after the writers stop and one more round, the copy is
// the collection, property for property.
func TestDeltaMirrorsState(t *testing.T) {
	t.Parallel()
	srv := emulatortest.New(t, emulator.WithPageSize(5))
	var mu sync.Mutex
	var live []string
	for i := range 30 {
		live = append(live, createUser(t, srv, fmt.Sprintf("seed%d", i)))
	}
	stop, wg := stopper(t)
	for w := range 3 {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(w), 1))
			for i := range 200 {
				select {
				case <-wg.done:
					return
				default:
				}
				mu.Lock()
				n := len(live)
				mu.Unlock()
				switch op := rng.IntN(3); {
				case op == 0 || n < 5:
					id := createEntity(t, srv, "users", 0, fmt.Sprintf("w%d-%d", w, i))
					mu.Lock()
					live = append(live, id)
					mu.Unlock()
				case op == 1:
					mu.Lock()
					id := live[rng.IntN(len(live))]
					mu.Unlock()
					_, _ = srv.Send("PATCH", "/v1.0/users/"+id, fmt.Sprintf(`{"jobTitle":"t%d-%d"}`, w, i))
				default:
					mu.Lock()
					k := rng.IntN(len(live))
					id := live[k]
					live = append(live[:k], live[k+1:]...)
					mu.Unlock()
					_, _ = srv.Send("DELETE", "/v1.0/users/"+id, "")
				}
			}
		})
	}
	mirror := map[string]map[string]string{}
	apply := func(items []gjson.Result) {
		for _, it := range items {
			id := it.Get("id").String()
			if it.Get("@removed").Exists() {
				delete(mirror, id)
				continue
			}
			if mirror[id] == nil {
				mirror[id] = map[string]string{}
			}
			it.ForEach(func(k, v gjson.Result) bool {
				mirror[id][k.String()] = v.String()
				return true
			})
		}
	}
	items, dl, _ := deltaRound(t, srv, "/v1.0/users/delta?$select=displayName,jobTitle")
	apply(items)
	for range 4 {
		items, dl, _ = deltaRound(t, srv, dl)
		apply(items)
	}
	stop()
	items, _, _ = deltaRound(t, srv, dl)
	apply(items)

	want := map[string]map[string]string{}
	list, _, _ := deltaRound(t, srv, "/v1.0/users/delta?$select=displayName,jobTitle")
	for _, it := range list {
		m := map[string]string{}
		it.ForEach(func(k, v gjson.Result) bool { m[k.String()] = v.String(); return true })
		want[it.Get("id").String()] = m
	}
	if len(want) != len(mirror) {
		t.Errorf("mirror holds %d users, the collection %d", len(mirror), len(want))
	}
	for id, w := range want {
		got := mirror[id]
		for k, v := range w {
			if got[k] != v {
				t.Errorf("user %s: %s = %q in the mirror, %q in the collection", id, k, got[k], v)
			}
		}
	}
}

// writers runs goroutines until told to stop.
type writers struct {
	sync.WaitGroup
	done chan struct{}
	once sync.Once
}

// stopper returns writers and the function that stops them and waits for them; it also
// runs when the test ends early, before the server closes.
func stopper(t *testing.T) (func(), *writers) {
	w := &writers{done: make(chan struct{})}
	stop := func() {
		w.once.Do(func() { close(w.done) })
		w.Wait()
	}
	t.Cleanup(stop)
	return stop, w
}
