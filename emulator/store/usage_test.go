package store_test

import (
	"errors"
	"testing"

	"github.com/graph-emulator/graph-emulator/emulator/store"
)

// TestMemoryUsage: the usage a write reports follows inserts, replaces, cascading
// deletes, references, rolled-back writes and resets, whether it was counted before
// the writes or only after them.
func TestMemoryUsage(t *testing.T) {
	t.Parallel()
	for _, early := range []bool{true, false} {
		m := store.NewMemory(0)
		usage := func() (u store.Usage) {
			t.Helper()
			if err := m.Write("t", func(tx store.Tx) error { u = tx.(store.UsageTx).Usage(); return nil }); err != nil {
				t.Fatal(err)
			}
			return u
		}
		if early {
			if u := usage(); u != (store.Usage{}) {
				t.Fatalf("empty tenant: %+v", u)
			}
		}
		users := store.Set("users")
		msgs := users.Contained("u1", "messages")
		write := func(fn func(tx store.Tx) error) error { return m.Write("t", fn) }
		if err := write(func(tx store.Tx) error {
			for _, e := range []store.Entity{{ID: "u1", Body: []byte(`{"id":"u1"}`)}, {ID: "u2", Body: []byte(`{"id":"u2"}`)}} {
				if _, err := tx.Insert(users, e); err != nil {
					return err
				}
			}
			_, err := tx.Insert(msgs, store.Entity{ID: "m1", Body: []byte(`{"id":"m1","s":"hello"}`)})
			return err
		}); err != nil {
			t.Fatal(err)
		}
		want := store.Usage{Entities: 3, Bytes: 2*(2+11) + 2 + 23}
		if u := usage(); u != want {
			t.Fatalf("early=%v after inserts: %+v, want %+v", early, u, want)
		}
		// A failed write changes nothing.
		err := write(func(tx store.Tx) error {
			_, _ = tx.Insert(users, store.Entity{ID: "u3", Body: make([]byte, 1000)})
			_, _ = tx.Replace(users, store.Entity{ID: "u1", Body: make([]byte, 500)}, nil)
			_ = tx.Delete(users, "u2")
			return errors.New("no")
		})
		if err == nil {
			t.Fatal("the write did not fail")
		}
		if u := usage(); u != want {
			t.Fatalf("early=%v after a rolled-back write: %+v, want %+v", early, u, want)
		}
		// Replace, link and a cascading delete.
		if err := write(func(tx store.Tx) error {
			if _, err := tx.Replace(users, store.Entity{ID: "u2", Body: []byte(`{"id":"u2","x":1}`)}, nil); err != nil {
				return err
			}
			_, err := tx.Link(users.Refs("u2", "manager"), users, "u1")
			return err
		}); err != nil {
			t.Fatal(err)
		}
		want = store.Usage{Entities: 3, Bytes: 2 + 11 + 2 + 17 + 2 + 23 + 2}
		if u := usage(); u != want {
			t.Fatalf("early=%v after replace and link: %+v, want %+v", early, u, want)
		}
		if err := write(func(tx store.Tx) error { return tx.Delete(users, "u1") }); err != nil {
			t.Fatal(err)
		}
		want = store.Usage{Entities: 1, Bytes: 2 + 17}
		if u := usage(); u != want {
			t.Fatalf("early=%v after a cascading delete: %+v, want %+v", early, u, want)
		}
		m.Reset("t")
		if u := usage(); u != (store.Usage{}) {
			t.Fatalf("early=%v after reset: %+v", early, u)
		}
	}
}
