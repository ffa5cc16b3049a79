// Package store keeps the emulator's state: entities as validated JSON bytes, the
// references of navigation properties, and a change feed, per tenant.
//
// It owns the Store contract (see Store: atomic multi-entity writes serialised per
// tenant, cascading deletes, a change feed, typed collection names) and its
// implementations: Memory, in memory (memory.go), with its optional capabilities
// (ReverseRefs: the references to an entity, from the index cascading deletes use);
// and Bolt, a Memory whose committed writes are saved in a go.etcd.io/bbolt file and
// loaded from it at open (bolt.go: the store; bolt_commit.go: group commit;
// bolt_format.go: the file's layout and its loading), with the same capabilities. The
// package storetest holds the conformance suite every implementation passes.
//
// It knows nothing of OData, HTTP or Graph: it imports nothing of this module, and no
// entity type, set or property is named here.
package store
