package emulator

import (
	"errors"
	"sort"
	"strings"
	"sync"
)

// Sentinel errors of a Store.
var (
	// ErrNotFound: no entity with that key in that collection.
	ErrNotFound = errors.New("store: entity not found")
	// ErrExists: an entity with that key is already in that collection.
	ErrExists = errors.New("store: entity already exists")
)

// Entity is a stored entity: its key, its type and its JSON object.
type Entity struct {
	// ID is the entity's key.
	ID string
	// Type is the qualified name of the entity's type (the set's type or one derived from it).
	Type string
	// Body is the entity's JSON object in canonical member order, without annotations.
	// A stored Body is never mutated: callers may keep and write it without copying.
	Body []byte
	// Version counts the entity's writes, starting at 1; it yields the entity's ETag.
	Version uint64
	// Seq orders the entities of a collection by creation; it never decreases and is
	// never reused within a collection.
	Seq uint64
}

// Store keeps entities by collection and key. A collection is an entity set or a
// containment path; keys are compared exactly. Implementations are safe for concurrent
// use, and an update is atomic: no concurrent write is lost.
type Store interface {
	// Insert adds e (e.Version and e.Seq are assigned) or fails with ErrExists.
	Insert(collection string, e Entity) (Entity, error)
	// Get returns the entity or ErrNotFound.
	Get(collection, id string) (Entity, error)
	// Update replaces the entity with what fn returns, atomically with respect to every
	// other write of that entity. fn sees the current entity and may be called once;
	// an error from fn is returned as is and nothing changes. ErrNotFound when absent.
	Update(collection, id string, fn func(cur Entity) (Entity, error)) (Entity, error)
	// Delete removes the entity or fails with ErrNotFound.
	Delete(collection, id string) error
	// Scan calls fn with the entities of collection whose Seq is greater than after, in
	// creation order, until fn returns false. fn must not call the store.
	Scan(collection string, after uint64, fn func(Entity) bool)
	// Len returns the number of entities in the collection.
	Len(collection string) int
	// DropPrefix removes every collection whose name starts with prefix (the
	// collections contained in a deleted entity).
	DropPrefix(prefix string)
	// Reset removes every entity.
	Reset()
}

var _ Store = (*MemoryStore)(nil)

// MemoryStore is the in-memory Store: a map of collections, each with its own lock.
type MemoryStore struct {
	mu    sync.RWMutex
	colls map[string]*memCollection
}

// NewMemoryStore returns an empty in-memory store.
func NewMemoryStore() *MemoryStore {
	return &MemoryStore{colls: map[string]*memCollection{}}
}

type memCollection struct {
	mu      sync.RWMutex
	byID    map[string]*memRecord
	order   []memSlot // by Seq; a deleted record leaves a hole (rec nil) until compaction
	live    int
	nextSeq uint64
}

// memSlot keeps its Seq when its record is deleted, so order stays searchable by Seq.
type memSlot struct {
	seq uint64
	rec *memRecord
}

type memRecord struct {
	e   Entity
	pos int // index in order
}

func (s *MemoryStore) collection(name string, create bool) *memCollection {
	s.mu.RLock()
	c := s.colls[name]
	s.mu.RUnlock()
	if c != nil || !create {
		return c
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if c = s.colls[name]; c == nil {
		c = &memCollection{byID: map[string]*memRecord{}}
		s.colls[name] = c
	}
	return c
}

// Insert implements Store.
func (s *MemoryStore) Insert(collection string, e Entity) (Entity, error) {
	c := s.collection(collection, true)
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, taken := c.byID[e.ID]; taken {
		return Entity{}, ErrExists
	}
	c.nextSeq++
	e.Seq, e.Version = c.nextSeq, 1
	rec := &memRecord{e: e, pos: len(c.order)}
	c.byID[e.ID] = rec
	c.order = append(c.order, memSlot{seq: e.Seq, rec: rec})
	c.live++
	return e, nil
}

// Get implements Store.
func (s *MemoryStore) Get(collection, id string) (Entity, error) {
	c := s.collection(collection, false)
	if c == nil {
		return Entity{}, ErrNotFound
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	rec, ok := c.byID[id]
	if !ok {
		return Entity{}, ErrNotFound
	}
	return rec.e, nil
}

// Update implements Store.
func (s *MemoryStore) Update(collection, id string, fn func(Entity) (Entity, error)) (Entity, error) {
	c := s.collection(collection, false)
	if c == nil {
		return Entity{}, ErrNotFound
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	rec, ok := c.byID[id]
	if !ok {
		return Entity{}, ErrNotFound
	}
	next, err := fn(rec.e)
	if err != nil {
		return Entity{}, err
	}
	next.ID, next.Seq, next.Version = rec.e.ID, rec.e.Seq, rec.e.Version+1
	rec.e = next
	return next, nil
}

// Delete implements Store.
func (s *MemoryStore) Delete(collection, id string) error {
	c := s.collection(collection, false)
	if c == nil {
		return ErrNotFound
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	rec, ok := c.byID[id]
	if !ok {
		return ErrNotFound
	}
	delete(c.byID, id)
	c.order[rec.pos].rec = nil
	c.live--
	if c.live < len(c.order)/2 {
		c.compact()
	}
	return nil
}

// compact drops the holes deleted records left in order.
func (c *memCollection) compact() {
	n := 0
	for _, sl := range c.order {
		if sl.rec != nil {
			sl.rec.pos = n
			c.order[n] = sl
			n++
		}
	}
	clear(c.order[n:])
	c.order = c.order[:n]
}

// Scan implements Store.
func (s *MemoryStore) Scan(collection string, after uint64, fn func(Entity) bool) {
	c := s.collection(collection, false)
	if c == nil {
		return
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	start := sort.Search(len(c.order), func(i int) bool { return c.order[i].seq > after })
	for _, sl := range c.order[start:] {
		if sl.rec != nil && !fn(sl.rec.e) {
			return
		}
	}
}

// Len implements Store.
func (s *MemoryStore) Len(collection string) int {
	c := s.collection(collection, false)
	if c == nil {
		return 0
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.live
}

// DropPrefix implements Store.
func (s *MemoryStore) DropPrefix(prefix string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for name := range s.colls {
		if strings.HasPrefix(name, prefix) {
			delete(s.colls, name)
		}
	}
}

// Reset implements Store.
func (s *MemoryStore) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.colls = map[string]*memCollection{}
}
