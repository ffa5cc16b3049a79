package store_test

import (
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
