package store

import (
	"errors"
	"strconv"
	"strings"
)

// Sentinel errors of a Store. Implementations return them (or errors wrapping them) and
// callers match them with errors.Is.
var (
	// ErrNotFound: no entity (or reference) with that key in that collection, or a
	// contained collection whose owner does not exist.
	ErrNotFound = errors.New("store: entity not found")
	// ErrExists: an entity (or reference) with that key is already in that collection.
	ErrExists = errors.New("store: entity already exists")
	// ErrTruncated: the change feed no longer holds the changes asked for.
	ErrTruncated = errors.New("store: change feed truncated")
)

// DefaultTenant is the tenant of every request until tenants are chosen per request.
const DefaultTenant = "default"

// Entity is a stored entity: its key, its type and its JSON object.
type Entity struct {
	// ID is the entity's key.
	ID string
	// Type is the qualified name of the entity's type.
	Type string
	// Body is the entity's JSON object in canonical member order, without annotations.
	// A stored Body is never mutated: callers may keep and write it without copying,
	// and must not change it.
	Body []byte
	// Version is the sequence number of the change that last wrote the entity; it
	// yields the entity's ETag and never repeats within a tenant.
	Version uint64
	// Seq orders the entities of a collection by creation: it increases within the
	// collection and is never reused while the collection exists (a contained
	// collection exists until its owner is deleted).
	Seq uint64
	// Shape is what the store's Shaper said of Body when the entity was written (see
	// Shaping); 0 when the store has no Shaper. The store sets it on every write: what
	// a writer passes is ignored, so it always describes Body as stored.
	Shape uint8
}

// A Shaper tells the store's user something of a body it writes, in bits of their own
// meaning (the emulator: that a body is exactly the entity's default property set, per
// API version), so that reads need not find it out again. It must depend on typeName
// and body alone, be safe for concurrent use and not call the store.
type Shaper func(typeName string, body []byte) uint8

// Shaping is a Store that keeps Entity.Shape: SetShaper sets the Shaper its writes
// call (nil: none) and gives every entity already stored its shape. It is meant for a
// store's set-up, before requests are served.
type Shaping interface {
	SetShaper(Shaper)
}

// An Indexer names the keys a body is found by, for the store's user (the emulator: the
// values of a type's unique properties, "userPrincipalName\x00adele@contoso.test"). Like
// a Shaper, it must depend on typeName and body alone, be safe for concurrent use and
// not call the store.
type Indexer func(typeName string, body []byte) []string

// Indexing is a Store that keeps, for each entity collection, the entities each key of
// its Indexer names; its views and transactions are IndexViews. SetIndexer sets the
// Indexer (nil: none) and indexes every entity already stored. It is meant for a
// store's set-up, before requests are served.
type Indexing interface {
	SetIndexer(Indexer)
}

// IndexView is a View of an Indexing store. Lookup calls fn with the keys of the
// entities of c whose body the Indexer gave key (as the view sees them: a transaction's
// own writes included), in no particular order, until fn returns false. It reports
// false, calling nothing, when the store keeps no index; the caller then scans.
type IndexView interface {
	View
	Lookup(c Coll, key string, fn func(id string) bool) bool
}

// Ref is one reference of a reference collection: the key of a target entity and the
// collection the target lives in.
type Ref struct {
	// Target is the collection holding the referenced entity.
	Target Coll
	// ID is the referenced entity's key; it is the reference's key in its collection.
	ID string
	// Seq orders the references of a collection as Entity.Seq orders entities.
	Seq uint64
}

// ChangeKind tells what a change did.
type ChangeKind uint8

// The kinds of changes.
const (
	// Created: an entity was inserted.
	Created ChangeKind = iota + 1
	// Updated: an entity was replaced, or the references it holds changed.
	Updated
	// Deleted: an entity was deleted (by itself, or with the entity containing it).
	Deleted
	// Reset: the tenant's state was removed whole.
	Reset
)

func (k ChangeKind) String() string {
	switch k {
	case Created:
		return "created"
	case Updated:
		return "updated"
	case Deleted:
		return "deleted"
	case Reset:
		return "reset"
	}
	return "change(" + strconv.Itoa(int(k)) + ")"
}

// Change is one entry of a tenant's change feed.
type Change struct {
	// Seq is the change's sequence number: increasing by one per change within a tenant.
	Seq  uint64
	Kind ChangeKind
	// Coll and ID name the entity changed (zero for Reset).
	Coll Coll
	ID   string
	// Type is the entity's type after the change (before it, for Deleted).
	Type string
	// Props names the properties an update changed: structural properties as given by
	// the writer, navigation properties whose references changed. Nil when unknown.
	Props []string
}

// View reads one tenant's state. A View is valid only inside the function it was given
// to; its methods take no locks, so that function may call any of them, as often as it
// likes, and must not call the Store.
type View interface {
	// Get returns the entity with key id in c, or ErrNotFound.
	Get(c Coll, id string) (Entity, error)
	// Scan calls fn with the entities of c whose Seq is greater than after, in creation
	// order, until fn returns false. In a Tx, fn may change c: an entity removed before
	// fn reaches it is not seen, nor is one inserted during the scan.
	Scan(c Coll, after uint64, fn func(Entity) bool)
	// Len returns the number of entities (or references) in c.
	Len(c Coll) int
	// Ref returns the reference with key id in the reference collection c, or ErrNotFound.
	Ref(c Coll, id string) (Ref, error)
	// Refs calls fn with the references of c whose Seq is greater than after, in the
	// order they were added, until fn returns false. In a Tx, fn may change c as Scan's
	// may.
	Refs(c Coll, after uint64, fn func(Ref) bool)
	// Seq returns the sequence number of the tenant's last change (0 before any).
	Seq() uint64
}

// FeedView is a View that also reads the tenant's change feed, consistently with the
// state it sees: Changes reports the changes up to and including View.Seq, never one
// the state does not show yet. Delta queries need the state and the feed of one
// moment; a Store whose Read gives a FeedView offers that (the memory store does).
type FeedView interface {
	View
	// Changes calls fn with the changes whose Seq is greater than after, in order,
	// until fn returns false; ErrTruncated when the feed has dropped some of them.
	Changes(after uint64, fn func(Change) bool) error
}

// Tx is a write in progress: a View that also changes the tenant's state. Its changes
// are seen by its own reads at once, and by others only when the write commits.
type Tx interface {
	View
	// Insert adds e to c, assigning e.Seq and e.Version; ErrExists when c holds an
	// entity with that key; ErrNotFound when c is contained in an entity that does not
	// exist.
	Insert(c Coll, e Entity) (Entity, error)
	// Replace stores e in place of the entity of c with key e.ID, keeping its Seq and
	// assigning a new Version; changed names the properties that changed (for the
	// change feed; nil when unknown). ErrNotFound when absent.
	Replace(c Coll, e Entity, changed []string) (Entity, error)
	// Delete removes the entity with key id from c, every collection it contains (and
	// their entities, to any depth) and every reference to it. ErrNotFound when absent.
	Delete(c Coll, id string) error
	// Link adds to the reference collection c a reference to the entity with key id in
	// target. ErrNotFound when that entity or c's owner does not exist; ErrExists when c
	// already holds a reference with that key.
	Link(c Coll, target Coll, id string) (Ref, error)
	// Unlink removes the reference with key id from c, or answers ErrNotFound.
	Unlink(c Coll, id string) error
	// UnlinkAll removes every reference of c and returns how many it removed.
	UnlinkAll(c Coll) int
}

// Usage is how much a tenant's state holds.
type Usage struct {
	// Entities counts the stored entities (references are not entities).
	Entities int
	// Bytes counts the bytes of the entities' keys and bodies and of the references' keys.
	Bytes int64
}

// UsageTx is a Tx that reports its tenant's usage as the write has left it so far, so
// that a caller may refuse a write past a quota before it commits. It is an optional
// capability (the memory store, and stores built on it, offer it); Usage may read the
// whole state the first time it is called for a tenant.
type UsageTx interface {
	Tx
	Usage() Usage
}

// Store keeps the entities and references of any number of tenants.
//
// The contract every implementation MUST keep (storetest checks it):
//   - Tenants are disjoint: nothing written for one tenant is seen by another.
//   - Write runs fn as one transaction: if fn returns an error (or panics), nothing it
//     did is kept and that error is returned; otherwise all of it is committed at once.
//     Writes of one tenant are serialised: fn sees every write committed before it.
//   - A Read sees either all of a write or none of it.
//   - Deleting an entity removes, in the same write, what it contains (to any depth)
//     and every reference to it; a later entity with the same key inherits nothing.
//   - Every committed write appends its changes, in order, to the tenant's change
//     feed; sequence numbers are never reused, and entity versions come from them.
//   - Any key a client may send (any string, empty included) is safe: collections are
//     named by Coll values, never by concatenated strings.
//   - Reads never write.
//   - Reset(tenant) removes the tenant's entities and references and records a Reset
//     change; sequence numbers keep counting.
//
// Optional capabilities (FeedView, ReverseRefs, Content streams, Shaping, Indexing) are
// further interfaces an implementation may satisfy; callers discover them by a type
// assertion.
type Store interface {
	// Read runs fn with a consistent view of the tenant's state and returns its error.
	Read(tenant string, fn func(View) error) error
	// Write runs fn as one transaction of the tenant (see the contract above).
	Write(tenant string, fn func(Tx) error) error
	// Changes calls fn with the tenant's changes whose Seq is greater than after, in
	// order, until fn returns false. It returns ErrTruncated when the feed has dropped
	// some of those changes (it is bounded; see the implementation).
	Changes(tenant string, after uint64, fn func(Change) bool) error
	// Reset removes every entity and reference of the tenant.
	Reset(tenant string)
	// ResetAll removes every tenant's state.
	ResetAll()
}

// Coll names a collection of the store: an entity set, the holder of a singleton, the
// entities a containment navigation property holds under one entity, or the references
// a non-contained navigation property holds under one entity. Build one with Set or
// Singleton and the methods Contained and Refs. The zero Coll names nothing.
type Coll struct{ p *collPath }

type collPath struct {
	// enc is the collection's unique name: names and keys length-prefixed, so that no
	// key can make two collections' names equal.
	enc string
	// root is the name of the entity set (or singleton) at the root of the path.
	root   string
	parent Coll   // the owner entity's collection; zero for a root
	key    string // the owner entity's key
	nav    string // the navigation property
	refs   bool
	// singleton marks a singleton's holder.
	singleton bool
}

// Set names the collection of an entity set.
func Set(name string) Coll {
	return Coll{&collPath{enc: "s" + strconv.Itoa(len(name)) + ":" + name, root: name}}
}

// Singleton names the holder of a singleton the emulator stores itself.
func Singleton(name string) Coll {
	return Coll{&collPath{enc: "g" + strconv.Itoa(len(name)) + ":" + name, root: name, singleton: true}}
}

// Contained names the collection the containment navigation property nav holds under
// the entity of c with key key.
func (c Coll) Contained(key, nav string) Coll { return c.child(key, nav, false) }

// Refs names the references the non-contained navigation property nav holds under the
// entity of c with key key.
func (c Coll) Refs(key, nav string) Coll { return c.child(key, nav, true) }

func (c Coll) child(key, nav string, refs bool) Coll {
	kind := "/c"
	if refs {
		kind = "/r"
	}
	var b strings.Builder
	b.Grow(len(c.p.enc) + len(key) + len(nav) + 16)
	b.WriteString(entityKey(c, key))
	b.WriteString(kind)
	b.WriteString(strconv.Itoa(len(nav)))
	b.WriteByte(':')
	b.WriteString(nav)
	return Coll{&collPath{enc: b.String(), root: c.p.root, parent: c, key: key, nav: nav, refs: refs}}
}

// entityKey names the entity with key key in c uniquely.
func entityKey(c Coll, key string) string {
	return c.p.enc + "/k" + strconv.Itoa(len(key)) + ":" + key
}

// IsZero reports whether c names nothing.
func (c Coll) IsZero() bool { return c.p == nil }

// Root returns the name of the entity set or singleton at the root of c's path.
func (c Coll) Root() string { return c.p.root }

// IsRoot reports whether c is an entity set's collection or a singleton's holder.
func (c Coll) IsRoot() bool { return c.p.parent.p == nil }

// IsRefs reports whether c holds references.
func (c Coll) IsRefs() bool { return c.p.refs }

// Owner returns the collection and key of the entity c is under, and the navigation
// property; ok is false for a root collection.
func (c Coll) Owner() (parent Coll, key, nav string, ok bool) {
	if c.p.parent.p == nil {
		return Coll{}, "", "", false
	}
	return c.p.parent, c.p.key, c.p.nav, true
}

// Equal reports whether c and d name the same collection.
func (c Coll) Equal(d Coll) bool { return c.p == d.p || c.p != nil && d.p != nil && c.p.enc == d.p.enc }

// String returns c's unique name (for logs, tokens and maps; not for parsing).
func (c Coll) String() string {
	if c.p == nil {
		return ""
	}
	return c.p.enc
}
