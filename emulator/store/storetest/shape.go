package storetest

import (
	"bytes"
	"errors"
	"testing"

	"github.com/graph-emulator/graph-emulator/emulator/store"
)

// shapeCases check the optional Shaping capability, on stores that have it: every
// written entity carries what the shaper says of its body as stored, whatever its
// writer passed, and entities stored before SetShaper get theirs from it.
func shapeCases() []testCase {
	// The shaper marks bodies holding "x" with 1, and every body with 2 (so that a
	// shaped entity is never 0).
	shaper := func(typeName string, b []byte) uint8 {
		var bits uint8 = 2
		if typeName == typ && bytes.Contains(b, []byte(`"x`)) {
			bits |= 1
		}
		return bits
	}
	shapeOf := func(t *testing.T, s store.Store, c store.Coll, id string) uint8 {
		t.Helper()
		var shape uint8
		read(t, s, tenantA, func(v store.View) {
			e, err := v.Get(c, id)
			if err != nil {
				t.Fatalf("Get(%s, %q): %v", c, id, err)
			}
			shape = e.Shape
			v.Scan(c, 0, func(se store.Entity) bool {
				if se.ID == id && se.Shape != shape {
					t.Errorf("Scan gives %q shape %d, Get %d", id, se.Shape, shape)
				}
				return true
			})
		})
		return shape
	}
	return []testCase{
		{name: "shape/written", run: func(t *testing.T, s store.Store) {
			capability[store.Shaping](t, s, "Shaping").SetShaper(shaper)
			write(t, s, tenantA, func(tx store.Tx) {
				e := ent("u1", "x1")
				e.Shape = 0 // ignored
				got, err := tx.Insert(users, e)
				if err != nil {
					t.Fatal(err)
				}
				if got.Shape != 3 {
					t.Errorf("Insert returned shape %d, want 3", got.Shape)
				}
				e = ent("u2", "plain")
				e.Shape = 1 // a writer's shape is not kept
				if _, err := tx.Insert(users, e); err != nil {
					t.Fatal(err)
				}
			})
			if got := shapeOf(t, s, users, "u1"); got != 3 {
				t.Errorf("u1 stored with shape %d, want 3", got)
			}
			if got := shapeOf(t, s, users, "u2"); got != 2 {
				t.Errorf("u2 stored with shape %d, want 2 (the writer's 1 ignored)", got)
			}
			// A replace copying the entity it read (its shape too) gets its new body's.
			write(t, s, tenantA, func(tx store.Tx) {
				e, err := tx.Get(users, "u1")
				if err != nil {
					t.Fatal(err)
				}
				e.Body = body("plain")
				if got, err := tx.Replace(users, e, nil); err != nil || got.Shape != 2 {
					t.Errorf("Replace: shape %d, %v; want 2", got.Shape, err)
				}
			})
			if got := shapeOf(t, s, users, "u1"); got != 2 {
				t.Errorf("u1 replaced: shape %d, want 2", got)
			}
			// A write that fails leaves the shape it found.
			err := s.Write(tenantA, func(tx store.Tx) error {
				replace(t, tx, users, "u1", "x2")
				return errBoom
			})
			if !errors.Is(err, errBoom) {
				t.Fatalf("failed write: %v", err)
			}
			if got := shapeOf(t, s, users, "u1"); got != 2 {
				t.Errorf("u1 after a rolled-back replace: shape %d, want 2", got)
			}
		}},
		{name: "shape/set-later", run: func(t *testing.T, s store.Store) {
			sh := capability[store.Shaping](t, s, "Shaping")
			write(t, s, tenantA, func(tx store.Tx) {
				insert(t, tx, users, "u1", "x1")
				insert(t, tx, groups, "g1", "plain")
			})
			if got := shapeOf(t, s, users, "u1"); got != 0 {
				t.Errorf("before SetShaper: shape %d, want 0", got)
			}
			sh.SetShaper(shaper)
			if got := shapeOf(t, s, users, "u1"); got != 3 {
				t.Errorf("after SetShaper: u1 shape %d, want 3", got)
			}
			if got := shapeOf(t, s, groups, "g1"); got != 2 {
				t.Errorf("after SetShaper: g1 shape %d, want 2", got)
			}
			// A tenant written later has the shaper too.
			write(t, s, tenantB, func(tx store.Tx) { insert(t, tx, users, "u9", "x9") })
			read(t, s, tenantB, func(v store.View) {
				if e, err := v.Get(users, "u9"); err != nil || e.Shape != 3 {
					t.Errorf("another tenant: shape %d, %v; want 3", e.Shape, err)
				}
			})
			sh.SetShaper(nil)
			if got := shapeOf(t, s, users, "u1"); got != 0 {
				t.Errorf("after SetShaper(nil): shape %d, want 0", got)
			}
		}},
	}
}
