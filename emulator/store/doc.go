// Package store keeps the emulator's state: entities as validated JSON bytes, the
// references of navigation properties, and a change feed, per tenant.
//
// It owns the Store contract (see Store: atomic multi-entity writes serialised per
// tenant, cascading deletes, a change feed, typed collection names) and the in-memory
// implementation, Memory, with its optional capabilities (ReverseRefs: the references
// to an entity, from the index cascading deletes use). The package storetest holds the conformance suite every
// implementation passes.
//
// It knows nothing of OData, HTTP or Graph: it imports nothing of this module, and no
// entity type, set or property is named here.
package store
