package store_test

import (
	"testing"

	"github.com/graph-emulator/graph-emulator/emulator/store"
	"github.com/graph-emulator/graph-emulator/emulator/store/storetest"
)

func TestMemoryContent(t *testing.T) {
	storetest.RunContent(t, func(t *testing.T) (store.Content, func(string)) {
		return store.NewMemoryContent(), nil
	})
}

// The Memory store's capability resets with the store's tenants.
func TestMemoryStoreContent(t *testing.T) {
	storetest.RunContent(t, func(t *testing.T) (store.Content, func(string)) {
		m := store.NewMemory(0)
		return m, m.Reset
	})
}
