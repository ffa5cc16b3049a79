// Package store keeps the emulator's state: entities as validated JSON bytes, the
// references of navigation properties, and a change feed, per tenant.
//
// It owns the Store contract (see Store: atomic multi-entity writes serialised per
// tenant, cascading deletes, a change feed, typed collection names) and its
// implementations: Memory, in memory (memory.go), with its optional capabilities
// (ReverseRefs: the references to an entity, from the index cascading deletes use;
// Content: byte streams beside the entities, such as drive items' files, kept by
// MemoryContent, memory_content.go; Shaping: what its user's Shaper says of each body,
// kept as it is written; Indexing: the entities each key of its user's Indexer names,
// found without a scan); and Bolt, a Memory whose committed writes are saved
// in a go.etcd.io/bbolt file and loaded from it at open (bolt.go: the store;
// bolt_commit.go: group commit; bolt_format.go: the file's layout and its loading), with
// the same capabilities, Content kept in files beside the data file (bolt_content.go:
// the files and the order of their changes; bolt_content_file.go: the index in the
// data file, its loading and the clean-up at open). The package storetest holds the
// conformance suites every implementation passes (Run, and RunContent for the Content
// capability).
//
// It knows nothing of OData, HTTP or Graph: it imports nothing of this module, and no
// entity type, set or property is named here.
package store
