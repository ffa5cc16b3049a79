package store_test

import (
	"slices"
	"testing"

	"github.com/graph-emulator/graph-emulator/emulator/store"
)

func TestMemoryTenants(t *testing.T) {
	t.Parallel()
	m := store.NewMemory(0)
	if got := m.Tenants(); len(got) != 0 {
		t.Fatalf("new store: Tenants() = %v, want none", got)
	}
	for _, tenant := range []string{"b", "a", store.DefaultTenant} {
		if err := m.Write(tenant, func(tx store.Tx) error { _, err := tx.Insert(items, item("1")); return err }); err != nil {
			t.Fatal(err)
		}
	}
	// A tenant only read, or whose write failed, holds nothing.
	_ = m.Read("read-only", func(store.View) error { return nil })
	_ = m.Write("failed", func(tx store.Tx) error {
		_, _ = tx.Insert(items, item("1"))
		return store.ErrNotFound
	})
	if got, want := m.Tenants(), []string{"a", "b", store.DefaultTenant}; !slices.Equal(got, want) {
		t.Errorf("Tenants() = %v, want %v", got, want)
	}
	m.Reset("a")
	if err := m.Write("b", func(tx store.Tx) error { return tx.Delete(items, "1") }); err != nil {
		t.Fatal(err)
	}
	if got, want := m.Tenants(), []string{store.DefaultTenant}; !slices.Equal(got, want) {
		t.Errorf("after a reset and a delete: Tenants() = %v, want %v", got, want)
	}
}
