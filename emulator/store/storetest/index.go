package storetest

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/tidwall/gjson"

	"github.com/graph-emulator/graph-emulator/emulator/store"
)

// indexCases check the optional Indexing capability, on stores that have it: Lookup
// finds the entities whose keys the Indexer gave, as each write leaves them: inserts,
// replaces, deletes (cascades too), failed writes, and a transaction's own writes.
func indexCases() []testCase {
	// The indexer keys a body by its "v" value, in upper case.
	indexer := func(_ string, b []byte) []string {
		if v := gjson.GetBytes(b, "v").Str; v != "" {
			return []string{"v:" + strings.ToUpper(v)}
		}
		return nil
	}
	lookup := func(t *testing.T, v store.View, c store.Coll, key string) []string {
		t.Helper()
		iv, ok := v.(store.IndexView)
		if !ok {
			t.Fatalf("an Indexing store's view %T is not an IndexView", v)
		}
		var ids []string
		if !iv.Lookup(c, key, func(id string) bool { ids = append(ids, id); return true }) {
			t.Fatalf("Lookup(%s, %q) reports no index", c, key)
		}
		slices.Sort(ids)
		return ids
	}
	found := func(t *testing.T, s store.Store, tenant string, c store.Coll, key string, want ...string) {
		t.Helper()
		read(t, s, tenant, func(v store.View) {
			if got := lookup(t, v, c, key); !slices.Equal(got, want) && !(len(got) == 0 && len(want) == 0) {
				t.Errorf("Lookup(%s, %q) = %q, want %q", c, key, got, want)
			}
		})
	}
	return []testCase{
		{name: "index/writes", run: func(t *testing.T, s store.Store) {
			capability[store.Indexing](t, s, "Indexing").SetIndexer(indexer)
			write(t, s, tenantA, func(tx store.Tx) {
				insert(t, tx, users, "u1", "x")
				insert(t, tx, users, "u2", "X")
				insert(t, tx, users, "u3", "y")
				if got := lookup(t, tx, users, "v:X"); !slices.Equal(got, []string{"u1", "u2"}) {
					t.Errorf("in the write: Lookup(v:X) = %q", got)
				}
			})
			found(t, s, tenantA, users, "v:X", "u1", "u2")
			found(t, s, tenantA, groups, "v:X")
			found(t, s, tenantB, users, "v:X")
			write(t, s, tenantA, func(tx store.Tx) {
				replace(t, tx, users, "u2", "y")
				del(t, tx, users, "u1")
			})
			found(t, s, tenantA, users, "v:X")
			found(t, s, tenantA, users, "v:Y", "u2", "u3")
			// A failed write leaves the index as it found it.
			err := s.Write(tenantA, func(tx store.Tx) error {
				replace(t, tx, users, "u2", "z")
				del(t, tx, users, "u3")
				insert(t, tx, users, "u4", "y")
				return errBoom
			})
			if !errors.Is(err, errBoom) {
				t.Fatalf("failed write: %v", err)
			}
			found(t, s, tenantA, users, "v:Y", "u2", "u3")
			found(t, s, tenantA, users, "v:Z")
		}},
		{name: "index/cascade", run: func(t *testing.T, s store.Store) {
			capability[store.Indexing](t, s, "Indexing").SetIndexer(indexer)
			events := users.Contained("u1", "events")
			write(t, s, tenantA, func(tx store.Tx) {
				insert(t, tx, users, "u1", "a")
				insert(t, tx, events, "e1", "k")
			})
			found(t, s, tenantA, events, "v:K", "e1")
			write(t, s, tenantA, func(tx store.Tx) { del(t, tx, users, "u1") })
			found(t, s, tenantA, events, "v:K")
			write(t, s, tenantA, func(tx store.Tx) {
				insert(t, tx, users, "u1", "a")
				insert(t, tx, events, "e2", "k")
			})
			found(t, s, tenantA, events, "v:K", "e2")
		}},
		{name: "index/set-later", run: func(t *testing.T, s store.Store) {
			ix := capability[store.Indexing](t, s, "Indexing")
			write(t, s, tenantA, func(tx store.Tx) { insert(t, tx, users, "u1", "x") })
			read(t, s, tenantA, func(v store.View) {
				if iv, ok := v.(store.IndexView); ok && iv.Lookup(users, "v:X", func(string) bool { return true }) {
					t.Error("Lookup without an Indexer reports an index")
				}
			})
			ix.SetIndexer(indexer)
			found(t, s, tenantA, users, "v:X", "u1")
			ix.SetIndexer(nil)
			read(t, s, tenantA, func(v store.View) {
				if v.(store.IndexView).Lookup(users, "v:X", func(string) bool { return true }) {
					t.Error("Lookup after SetIndexer(nil) reports an index")
				}
			})
		}},
	}
}
