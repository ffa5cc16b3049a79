package storetest

import (
	"errors"
	"fmt"
	"testing"

	"github.com/graph-emulator/graph-emulator/emulator/store"
)

// oddKeys are keys and names a client may send that look like separators, length
// prefixes or numbers.
var oddKeys = []string{
	"", "a", "b", "a/b", "b/x", "x", "/", "//", "a/k1:b", "k1:", "k1:a", "1", "01", "1:a",
	"\x1f", "a\x1fb", "b\x1fx", "s1:a", "/c1:x", "/r1:x", "\x00", "é", "a b", "%2F",
}

// oddNavs are navigation property names, as odd as the keys.
var oddNavs = []string{"x", "b/x", "", "k1:", "\x1f", "1:x", "c1:x"}

func keyCases() []testCase {
	return []testCase{
		{name: "keys/odd-keys-are-keys", run: func(t *testing.T, s store.Store) {
			write(t, s, tenantA, func(tx store.Tx) {
				for _, k := range oddKeys {
					insert(t, tx, users, k, "user "+k)
				}
			})
			read(t, s, tenantA, func(v store.View) {
				wantIDs(t, "users", ids(v, users), oddKeys...)
				for _, k := range oddKeys {
					if e := get(t, v, users, k); e.ID != k || string(e.Body) != string(body("user "+k)) {
						t.Errorf("Get(%q) = %q %s", k, e.ID, e.Body)
					}
				}
			})
		}},
		{name: "keys/paths-never-collide", run: func(t *testing.T, s store.Store) {
			// Every (owner key, nav) pair names collections of its own: Contained("a/b", "x")
			// is not Contained("a", "b/x"), nor is it Refs("a/b", "x").
			type path struct {
				c    store.Coll
				what string
			}
			var paths []path
			for _, k := range oddKeys {
				for _, n := range oddNavs {
					what := fmt.Sprintf("(%q, %q)", k, n)
					paths = append(paths,
						path{users.Contained(k, n), "contained " + what},
						path{users.Refs(k, n), "refs " + what},
						path{users.Contained(k, n).Contained("e", n), "contained in contained " + what},
					)
				}
			}
			for _, k := range oddKeys {
				paths = append(paths, path{store.Set(k), fmt.Sprintf("set %q", k)}, path{store.Singleton(k), fmt.Sprintf("singleton %q", k)})
			}
			names := map[string]string{}
			for _, p := range paths {
				if !p.c.Equal(p.c) {
					t.Errorf("%s is not Equal to itself", p.what)
				}
				if other, ok := names[p.c.String()]; ok {
					t.Errorf("%s and %s have the same name %q", p.what, other, p.c)
				}
				names[p.c.String()] = p.what
			}
			if !users.Contained("a/b", "x").Equal(store.Set("users").Contained("a/b", "x")) {
				t.Errorf("the same path built twice is not Equal")
			}
			if users.Contained("a/b", "x").Equal(users.Contained("a", "b/x")) {
				t.Errorf("Contained(a/b, x) Equal Contained(a, b/x)")
			}
			// What each collection holds names it.
			write(t, s, tenantA, func(tx store.Tx) {
				for _, k := range oddKeys {
					insert(t, tx, users, k, "user "+k)
				}
				for _, p := range paths {
					if p.c.IsRefs() {
						parent, key, _, _ := p.c.Owner()
						link(t, tx, p.c, parent, key) // a reference to its own owner
						continue
					}
					insert(t, tx, p.c, "e", p.what)
				}
			})
			read(t, s, tenantA, func(v store.View) {
				for _, p := range paths {
					if p.c.IsRoot() {
						continue
					}
					n := v.Len(p.c)
					if p.c.IsRefs() {
						parent, key, _, _ := p.c.Owner()
						r, err := v.Ref(p.c, key)
						if n != 1 || err != nil || !r.Target.Equal(parent) {
							t.Errorf("%s: Len %d, Ref(%q) = %+v, %v", p.what, n, key, r, err)
						}
						continue
					}
					e, err := v.Get(p.c, "e")
					if n != 1 || err != nil || string(e.Body) != string(body(p.what)) {
						t.Errorf("%s: Len %d, Get(e) = %s, %v", p.what, n, e.Body, err)
					}
				}
			})
			// Deleting one owner removes its collections only.
			write(t, s, tenantA, func(tx store.Tx) { del(t, tx, users, "a") })
			read(t, s, tenantA, func(v store.View) {
				for _, p := range paths {
					if p.c.IsRoot() || p.c.IsRefs() {
						continue
					}
					key := topKey(p.c)
					_, err := v.Get(p.c, "e")
					if key == "a" && !errors.Is(err, store.ErrNotFound) {
						t.Errorf("%s survived the deletion of its owner: %v", p.what, err)
					}
					if key != "a" && err != nil {
						t.Errorf("%s went with owner \"a\": %v", p.what, err)
					}
				}
			})
		}},
		{name: "keys/sets-and-singletons-never-collide", run: func(t *testing.T, s store.Store) {
			write(t, s, tenantA, func(tx store.Tx) {
				for _, k := range oddKeys {
					insert(t, tx, store.Set(k), "", "set "+k)
					insert(t, tx, store.Singleton(k), "", "singleton "+k)
				}
			})
			read(t, s, tenantA, func(v store.View) {
				for _, k := range oddKeys {
					for _, c := range []struct {
						coll store.Coll
						want string
					}{{store.Set(k), "set " + k}, {store.Singleton(k), "singleton " + k}} {
						if e := get(t, v, c.coll, ""); string(e.Body) != string(body(c.want)) || v.Len(c.coll) != 1 {
							t.Errorf("%s: Len %d, Get = %s, want %s", c.want, v.Len(c.coll), e.Body, body(c.want))
						}
					}
				}
			})
		}},
	}
}

func changeCases() []testCase {
	return []testCase{
		{name: "changes/order-and-contents", run: func(t *testing.T, s store.Store) {
			write(t, s, tenantA, func(tx store.Tx) {
				insert(t, tx, users, "u1", "u1")
				insert(t, tx, users, "u2", "u2")
			})
			write(t, s, tenantA, func(tx store.Tx) { replace(t, tx, users, "u1", "v2", "displayName", "mail") })
			write(t, s, tenantA, func(tx store.Tx) { link(t, tx, manager("u2"), users, "u1") })
			write(t, s, tenantA, func(tx store.Tx) { replace(t, tx, users, "u2", "v2") })
			write(t, s, tenantA, func(tx store.Tx) { insert(t, tx, messages("u2"), "m1", "m1") })
			want := []string{
				change(store.Created, users, "u1"),
				change(store.Created, users, "u2"),
				change(store.Updated, users, "u1", "displayName", "mail"),
				change(store.Updated, users, "u2", "manager"),
				change(store.Updated, users, "u2"),
				change(store.Created, messages("u2"), "m1"),
			}
			all := changes(t, s, tenantA, 0)
			wantChanges(t, all, 1, want...)
			if len(all) == len(want) && all[4].Props != nil {
				t.Errorf("Replace with changed nil: Props %q, want nil", all[4].Props)
			}
			for after := range uint64(len(want) + 2) {
				from := min(int(after), len(want))
				wantChanges(t, changes(t, s, tenantA, after), after+1, want[from:]...)
			}
			// fn answering false stops the feed.
			var got []store.Change
			err := s.Changes(tenantA, 1, func(c store.Change) bool { got = append(got, c); return len(got) < 2 })
			if err != nil {
				t.Fatal(err)
			}
			wantChanges(t, got, 2, want[1:3]...)
			// A delete records the updates of the owners of references to the deleted
			// entity and the deletion of what it contains.
			write(t, s, tenantA, func(tx store.Tx) { del(t, tx, users, "u2") })
			write(t, s, tenantA, func(tx store.Tx) { del(t, tx, users, "u1") })
			wantChangeSet(t, changes(t, s, tenantA, 6)[:2], 7,
				change(store.Deleted, users, "u2"), change(store.Deleted, messages("u2"), "m1"))
			wantChanges(t, changes(t, s, tenantA, 8), 9, change(store.Deleted, users, "u1"))
		}},
		{name: "changes/updated-owner-on-target-deleted", run: func(t *testing.T, s store.Store) {
			seedDirectory(t, s, tenantA)
			seq := seqOf(t, s, tenantA)
			write(t, s, tenantA, func(tx store.Tx) { del(t, tx, users, "u3") })
			wantChangeSet(t, changes(t, s, tenantA, seq), seq+1,
				change(store.Deleted, users, "u3"),
				change(store.Updated, groups, "g", "members"))
		}},
		{name: "changes/truncated", feed: 4, run: func(t *testing.T, s store.Store) {
			for i := range 10 {
				write(t, s, tenantA, func(tx store.Tx) { insert(t, tx, users, fmt.Sprint(i+1), "u") })
			}
			truncated := func(after uint64) {
				t.Helper()
				err := s.Changes(tenantA, after, func(store.Change) bool { return true })
				if !errors.Is(err, store.ErrTruncated) {
					t.Errorf("Changes(%d) = %v, want ErrTruncated", after, err)
				}
			}
			truncated(0)
			truncated(5)
			wantChanges(t, changes(t, s, tenantA, 6), 7,
				change(store.Created, users, "7"), change(store.Created, users, "8"),
				change(store.Created, users, "9"), change(store.Created, users, "10"))
			wantChanges(t, changes(t, s, tenantA, 9), 10, change(store.Created, users, "10"))
			wantChanges(t, changes(t, s, tenantA, 10), 11)
			// One write of more changes than the feed holds keeps its last ones.
			write(t, s, tenantA, func(tx store.Tx) {
				for i := 11; i <= 16; i++ {
					insert(t, tx, users, fmt.Sprint(i), "u")
				}
			})
			truncated(11)
			wantChanges(t, changes(t, s, tenantA, 12), 13,
				change(store.Created, users, "13"), change(store.Created, users, "14"),
				change(store.Created, users, "15"), change(store.Created, users, "16"))
			if seq := seqOf(t, s, tenantA); seq != 16 {
				t.Errorf("Seq = %d, want 16", seq)
			}
			// Another tenant's feed is its own.
			write(t, s, tenantB, func(tx store.Tx) { insert(t, tx, users, "b", "b") })
			wantChanges(t, changes(t, s, tenantB, 0), 1, change(store.Created, users, "b"))
		}},
		{name: "changes/feed-view", feed: 4, run: func(t *testing.T, s store.Store) {
			// A store whose Read gives a FeedView reads the feed as of the state it
			// sees: the same changes as Store.Changes, up to View.Seq, truncated alike.
			read(t, s, tenantA, func(v store.View) {
				fv, ok := v.(store.FeedView)
				if !ok {
					t.Skip("the store's views do not read the change feed")
				}
				if err := fv.Changes(0, func(store.Change) bool { t.Error("a change before any write"); return true }); err != nil {
					t.Error(err)
				}
			})
			for i := range 6 {
				write(t, s, tenantA, func(tx store.Tx) { insert(t, tx, users, fmt.Sprint(i+1), "u") })
			}
			read(t, s, tenantA, func(v store.View) {
				fv := v.(store.FeedView)
				var got []store.Change
				if err := fv.Changes(3, func(c store.Change) bool { got = append(got, c); return true }); err != nil {
					t.Fatal(err)
				}
				wantChanges(t, got, 4, change(store.Created, users, "4"), change(store.Created, users, "5"), change(store.Created, users, "6"))
				if got[len(got)-1].Seq != v.Seq() {
					t.Errorf("last change %d, View.Seq %d", got[len(got)-1].Seq, v.Seq())
				}
				if err := fv.Changes(1, func(store.Change) bool { return true }); !errors.Is(err, store.ErrTruncated) {
					t.Errorf("Changes(1) = %v, want ErrTruncated", err)
				}
			})
		}},
		{name: "changes/feed-of-one", feed: 1, run: func(t *testing.T, s store.Store) {
			for i := range 3 {
				write(t, s, tenantA, func(tx store.Tx) { insert(t, tx, users, fmt.Sprint(i+1), "u") })
			}
			wantChanges(t, changes(t, s, tenantA, 2), 3, change(store.Created, users, "3"))
			if err := s.Changes(tenantA, 1, func(store.Change) bool { return true }); !errors.Is(err, store.ErrTruncated) {
				t.Errorf("Changes(1) = %v, want ErrTruncated", err)
			}
		}},
	}
}

// topKey returns the key of the entity at the root of c's path of owners.
func topKey(c store.Coll) string {
	for {
		parent, key, _, ok := c.Owner()
		if !ok {
			return ""
		}
		if parent.IsRoot() {
			return key
		}
		c = parent
	}
}
