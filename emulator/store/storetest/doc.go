// Package storetest is the conformance suite of the store.Store contract: every
// implementation runs it from its own tests, with -race,
//
//	func TestMemory(t *testing.T) {
//		storetest.Run(t, func(t *testing.T, feedSize int) store.Store {
//			return store.NewMemory(feedSize)
//		})
//	}
//
// It owns one table-driven case for each MUST of the contract (tenants, atomic and
// serialised writes, rollback on an error or a panic, cascading deletes and the
// references they remove, keys, versions, Scan and Refs, the change feed and its
// truncation, reads that never write) and the cases that write from many goroutines
// at once (cascades, reference replacement, reads during writes, lost updates,
// resets).
//
// It imports the store package, the standard library and testing only: nothing of
// OData, HTTP or Graph, and no implementation of a store.
package storetest
