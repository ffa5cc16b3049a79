package storetest

import (
	"slices"
	"testing"

	"github.com/graph-emulator/graph-emulator/emulator/store"
)

// reverseCases check the optional ReverseRefs capability, on stores that have it.
func reverseCases() []testCase {
	return []testCase{
		{name: "reverse/refs-to", run: func(t *testing.T, s store.Store) {
			seedDirectory(t, s, tenantA)
			holders := func(v store.View, c store.Coll, id string) []string {
				rr, ok := v.(store.ReverseRefs)
				if !ok {
					t.Skip("the store's views do not implement store.ReverseRefs")
				}
				var got []string
				rr.RefsTo(c, id, func(h store.Coll) bool { got = append(got, h.String()); return true })
				slices.Sort(got)
				return got
			}
			want := func(cs ...store.Coll) []string {
				var out []string
				for _, c := range cs {
					out = append(out, c.String())
				}
				slices.Sort(out)
				return out
			}
			read(t, s, tenantA, func(v store.View) {
				if got := holders(v, users, "u1"); !slices.Equal(got, want(manager("u2"), members("g"))) {
					t.Errorf("RefsTo(u1) = %q", got)
				}
				if got := holders(v, users, "u2"); len(got) != 0 {
					t.Errorf("RefsTo(u2) = %q, want none", got)
				}
				// Another collection's entity with the same key is another entity.
				if got := holders(v, groups, "u1"); len(got) != 0 {
					t.Errorf("RefsTo(groups, u1) = %q, want none", got)
				}
			})
			write(t, s, tenantA, func(tx store.Tx) {
				if err := tx.Unlink(members("g"), "u1"); err != nil {
					t.Fatal(err)
				}
				if got := holders(tx, users, "u1"); !slices.Equal(got, want(manager("u2"))) {
					t.Errorf("in the write, after Unlink: RefsTo(u1) = %q", got)
				}
				if err := tx.Delete(users, "u2"); err != nil {
					t.Fatal(err)
				}
				if got := holders(tx, users, "u1"); len(got) != 0 {
					t.Errorf("after deleting u2 (whose manager u1 was): RefsTo(u1) = %q", got)
				}
			})
			read(t, s, tenantB, func(v store.View) {
				if got := holders(v, users, "u1"); len(got) != 0 {
					t.Errorf("another tenant: RefsTo(u1) = %q", got)
				}
			})
		}},
	}
}
