package store

import (
	"fmt"
	"slices"
	"sort"
	"sync"
)

// DefaultFeedSize is how many changes a Memory store keeps per tenant by default. The
// feed is live heap the garbage collector marks on every cycle (about 100 bytes per
// change: 1.6 MB per tenant when full), so it is bounded: a reader further behind gets
// ErrTruncated and starts over. 16,384 lets a delta query follow 10,000 changes.
const DefaultFeedSize = 16384

var (
	_ Store     = (*Memory)(nil)
	_ Content   = (*Memory)(nil)
	_ FeedView  = view{}
	_ FeedView  = emptyView{}
	_ UsageTx   = (*memTx)(nil)
	_ Shaping   = (*Memory)(nil)
	_ Indexing  = (*Memory)(nil)
	_ IndexView = view{}
	_ IndexView = emptyView{}
)

// Memory is the in-memory Store. Each tenant has one read-write lock: writes of a tenant
// are serialised, reads run side by side and never wait for more than one write.
type Memory struct {
	feedSize int
	// MemoryContent is the Content capability: streams kept in memory beside the
	// entities, reset with them.
	*MemoryContent

	mu      sync.RWMutex
	tenants map[string]*tenant
	shaper  Shaper  // given to the tenants made from now on
	indexer Indexer // likewise
}

// NewMemory returns an empty in-memory store whose change feed keeps the last feedSize
// changes of each tenant; zero or less means DefaultFeedSize.
func NewMemory(feedSize int) *Memory {
	if feedSize <= 0 {
		feedSize = DefaultFeedSize
	}
	return &Memory{feedSize: feedSize, tenants: map[string]*tenant{}, MemoryContent: NewMemoryContent()}
}

type tenant struct {
	mu    sync.RWMutex
	colls map[string]*memColl
	// children maps an entity (entityKey) to the collections under it.
	children map[string]map[*memColl]struct{}
	// refsTo maps an entity (entityKey) to the reference collections that hold a
	// reference to it.
	refsTo map[string]map[*memColl]struct{}
	seq    uint64
	feed   feed
	// tx is the tenant's one write in progress, reused: writes are serialised.
	tx memTx
	// pid and lastColl are the persistent store's: the tenant's key in its file and
	// the last key it gave one of the tenant's collections (0: none yet).
	pid, lastColl uint64
	// usage is what the tenant holds, once counted (see memTx.Usage); writes keep it
	// up to date from then on.
	usage      Usage
	usageKnown bool
	// shaper gives written entities their Shape (see Shaping); nil for none.
	shaper Shaper
	// indexer gives written entities their index keys (see Indexing); nil for none.
	indexer Indexer
}

// keysOf returns what t's indexer says of e's body.
func (t *tenant) keysOf(e *Entity) []string {
	if t.indexer == nil {
		return nil
	}
	return t.indexer(e.Type, e.Body)
}

// SetIndexer implements Indexing: the entities of every tenant are indexed at once.
func (m *Memory) SetIndexer(fn Indexer) {
	m.configure(func() { m.indexer = fn }, func(t *tenant) {
		t.indexer = fn
		for _, mc := range t.colls {
			mc.index = nil
		}
	}, func(t *tenant, mc *memColl, r *record) {
		r.keys = t.keysOf(&r.e)
		mc.indexAdd(r)
	})
}

// configure changes, under every lock, what the store keeps for new tenants (set),
// each tenant (each) and each entity record (record).
func (m *Memory) configure(set func(), each func(*tenant), record func(*tenant, *memColl, *record)) {
	m.mu.Lock()
	defer m.mu.Unlock()
	set()
	for _, t := range m.tenants {
		t.mu.Lock()
		each(t)
		for _, mc := range t.colls {
			if mc.c.p.refs {
				continue
			}
			for _, r := range mc.byID {
				record(t, mc, r)
			}
		}
		t.mu.Unlock()
	}
}

// indexAdd files r under its keys.
func (mc *memColl) indexAdd(r *record) {
	for _, k := range r.keys {
		if mc.index == nil {
			mc.index = map[string][]*record{}
		}
		mc.index[k] = append(mc.index[k], r)
	}
}

// indexRemove takes r out of the index.
func (mc *memColl) indexRemove(r *record) {
	for _, k := range r.keys {
		rs := mc.index[k]
		if i := slices.Index(rs, r); i >= 0 {
			rs = slices.Delete(rs, i, i+1)
		}
		if len(rs) == 0 {
			delete(mc.index, k)
		} else {
			mc.index[k] = rs
		}
	}
}

// Lookup implements IndexView.
func (v view) Lookup(c Coll, key string, fn func(id string) bool) bool {
	if v.t.indexer == nil {
		return false
	}
	if mc := v.coll(c); mc != nil && !c.p.refs {
		for _, r := range mc.index[key] {
			if !fn(r.e.ID) {
				break
			}
		}
	}
	return true
}

// shape returns what t's shaper says of e's body.
func (t *tenant) shape(e *Entity) uint8 {
	if t.shaper == nil {
		return 0
	}
	return t.shaper(e.Type, e.Body)
}

// SetShaper implements Shaping: the entities of every tenant get their shape at once.
func (m *Memory) SetShaper(fn Shaper) {
	m.configure(func() { m.shaper = fn }, func(t *tenant) { t.shaper = fn },
		func(t *tenant, _ *memColl, r *record) { r.e.Shape = t.shape(&r.e) })
}

type memColl struct {
	c    Coll
	byID map[string]*record
	// nextSeq numbers the collection's records by creation.
	nextSeq uint64
	// slab is where new records are allocated, a block at a time, so that a scan reads
	// records that lie side by side in memory.
	slab  []record
	order []slot // by seq; a deleted record leaves a hole (rec nil) until compaction
	live  int
	// pid is the collection's key in the persistent store's file (0: not saved yet).
	pid uint64
	// index files the live records under their keys (see Indexing).
	index map[string][]*record
}

// slot keeps its seq when its record is deleted, so order stays searchable by seq.
type slot struct {
	seq uint64
	rec *record
}

type record struct {
	e      Entity   // for a reference: ID, Seq and Version only
	target Coll     // for a reference: the target's collection
	pos    int      // index in order
	keys   []string // the Indexer's keys of e, in mc.index while the record is live
}

func newTenant(feedSize int) *tenant {
	return &tenant{
		colls:    map[string]*memColl{},
		children: map[string]map[*memColl]struct{}{},
		refsTo:   map[string]map[*memColl]struct{}{},
		feed:     feed{max: feedSize},
	}
}

func (m *Memory) tenant(name string, create bool) *tenant {
	m.mu.RLock()
	t := m.tenants[name]
	m.mu.RUnlock()
	if t != nil || !create {
		return t
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if t = m.tenants[name]; t == nil {
		t = newTenant(m.feedSize)
		t.shaper, t.indexer = m.shaper, m.indexer
		m.tenants[name] = t
	}
	return t
}

// Read implements Store.
func (m *Memory) Read(tenant string, fn func(View) error) error {
	t := m.tenant(tenant, false)
	if t == nil {
		return fn(emptyView{})
	}
	t.mu.RLock()
	defer t.mu.RUnlock()
	return fn(view{t})
}

// Write implements Store.
func (m *Memory) Write(tenant string, fn func(Tx) error) error {
	return m.write(tenant, fn, nil)
}

// write is Write; commit, when not nil, is called with a write that commits, before its
// changes join the feed and while the tenant's lock is held (the persistent store
// records the write's effects there, in commit order).
func (m *Memory) write(tenant string, fn func(Tx) error, commit func(*tenant, *memTx)) (err error) {
	t := m.tenant(tenant, true)
	t.mu.Lock()
	defer t.mu.Unlock()
	tx := &t.tx
	tx.begin(t)
	done := false
	defer func() {
		if !done {
			tx.rollback() // fn panicked: keep nothing, let the panic go on
		}
	}()
	err = fn(tx)
	done = true
	if err != nil {
		tx.rollback()
		return err
	}
	if commit != nil {
		commit(t, tx)
	}
	for _, c := range tx.changes {
		t.feed.add(c)
	}
	tx.end()
	return nil
}

// Changes implements Store.
func (m *Memory) Changes(tenant string, after uint64, fn func(Change) bool) error {
	t := m.tenant(tenant, false)
	if t == nil {
		return nil
	}
	t.mu.RLock()
	defer t.mu.RUnlock()
	return t.feed.each(after, fn)
}

// Reset implements Store.
func (m *Memory) Reset(tenant string) {
	m.ResetContent(tenant)
	t := m.tenant(tenant, false)
	if t == nil {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.reset()
}

func (t *tenant) reset() {
	t.usage, t.usageKnown = Usage{}, true
	t.colls = map[string]*memColl{}
	t.children = map[string]map[*memColl]struct{}{}
	t.refsTo = map[string]map[*memColl]struct{}{}
	t.seq++
	t.feed.add(Change{Seq: t.seq, Kind: Reset})
}

// ResetAll implements Store.
func (m *Memory) ResetAll() {
	m.ResetAllContent()
	m.mu.RLock()
	ts := make([]*tenant, 0, len(m.tenants))
	for _, t := range m.tenants {
		ts = append(ts, t)
	}
	m.mu.RUnlock()
	for _, t := range ts {
		t.mu.Lock()
		t.reset()
		t.mu.Unlock()
	}
}

// view reads a tenant whose lock the caller holds.
type view struct{ t *tenant }

func (v view) coll(c Coll) *memColl {
	if c.p == nil {
		return nil
	}
	return v.t.colls[c.p.enc]
}

func (v view) Get(c Coll, id string) (Entity, error) {
	mc := v.coll(c)
	if mc == nil || c.p.refs {
		return Entity{}, ErrNotFound
	}
	r, ok := mc.byID[id]
	if !ok {
		return Entity{}, ErrNotFound
	}
	return r.e, nil
}

func (v view) Scan(c Coll, after uint64, fn func(Entity) bool) {
	mc := v.coll(c)
	if mc == nil || c.p.refs {
		return
	}
	mc.scan(after, func(r *record) bool { return fn(r.e) })
}

func (v view) Len(c Coll) int {
	if mc := v.coll(c); mc != nil {
		return mc.live
	}
	return 0
}

func (v view) Ref(c Coll, id string) (Ref, error) {
	mc := v.coll(c)
	if mc == nil || !c.p.refs {
		return Ref{}, ErrNotFound
	}
	r, ok := mc.byID[id]
	if !ok {
		return Ref{}, ErrNotFound
	}
	return Ref{Target: r.target, ID: r.e.ID, Seq: r.e.Seq}, nil
}

func (v view) Refs(c Coll, after uint64, fn func(Ref) bool) {
	mc := v.coll(c)
	if mc == nil || !c.p.refs {
		return
	}
	mc.scan(after, func(r *record) bool { return fn(Ref{Target: r.target, ID: r.e.ID, Seq: r.e.Seq}) })
}

func (v view) Seq() uint64 { return v.t.seq }

// Changes implements FeedView: the feed as of the state the view sees.
func (v view) Changes(after uint64, fn func(Change) bool) error { return v.t.feed.each(after, fn) }

// scan calls fn with mc's records whose seq is greater than after, in order. fn may
// change mc (a Tx's Scan): records removed before they are reached are not seen, nor
// are records added during the scan.
func (mc *memColl) scan(after uint64, fn func(*record) bool) {
	last := mc.nextSeq
	i := sort.Search(len(mc.order), func(i int) bool { return mc.order[i].seq > after })
	for i < len(mc.order) && mc.order[i].seq <= last {
		sl := mc.order[i]
		if sl.rec != nil && !fn(sl.rec) {
			return
		}
		if i < len(mc.order) && mc.order[i].seq == sl.seq {
			i++
			continue
		}
		// fn compacted the order: find the slot after sl again.
		i = sort.Search(len(mc.order), func(i int) bool { return mc.order[i].seq > sl.seq })
	}
}

// emptyView is the view of a tenant that was never written.
type emptyView struct{}

func (emptyView) Get(Coll, string) (Entity, error)     { return Entity{}, ErrNotFound }
func (emptyView) Scan(Coll, uint64, func(Entity) bool) {}
func (emptyView) Len(Coll) int                         { return 0 }
func (emptyView) Ref(Coll, string) (Ref, error)        { return Ref{}, ErrNotFound }
func (emptyView) Refs(Coll, uint64, func(Ref) bool)    {}
func (emptyView) Seq() uint64                          { return 0 }

// Lookup implements IndexView: a tenant never written holds nothing to find.
func (emptyView) Lookup(Coll, string, func(string) bool) bool { return true }

// Changes implements FeedView: a tenant never written has no changes.
func (emptyView) Changes(uint64, func(Change) bool) error { return nil }

// memTx is a write in progress: every change is applied at once and recorded in undo,
// which rollback replays backwards. Each tenant reuses one memTx, with its slices.
type memTx struct {
	view
	startSeq uint64
	undo     []undoEntry
	changes  []Change
}

// undoEntry is what rollback does to take back one step of a write.
type undoEntry struct {
	kind undoKind
	mc   *memColl
	r    *record
	old  Entity // undoReplace: the entity as it was
	// oldKeys: undoReplace: the record's index keys as they were
	oldKeys []string
	key     string // undoEnsure, undoDrop: the owner's entityKey; undoLink, undoUnlink: the target's
}

type undoKind uint8

const (
	undoPut     undoKind = iota + 1 // a record was added to mc
	undoTake                        // a record was removed from mc
	undoReplace                     // r.e was replaced
	undoEnsure                      // mc was created (under owner key)
	undoDrop                        // mc was removed
	undoLink                        // mc was added to refsTo[key]
	undoUnlink                      // mc was removed from refsTo[key]
)

func (tx *memTx) begin(t *tenant) {
	tx.view, tx.startSeq = view{t}, t.seq
}

// end forgets the write, keeping the slices' room for the next one.
func (tx *memTx) end() {
	clear(tx.undo)
	clear(tx.changes)
	tx.undo, tx.changes = tx.undo[:0], tx.changes[:0]
	if cap(tx.undo) > 1024 {
		tx.undo = nil
	}
	if cap(tx.changes) > 1024 {
		tx.changes = nil
	}
}

// Usage implements UsageTx. The first call for a tenant counts its state; writes keep
// the count from then on (a store loaded from elsewhere starts uncounted).
func (tx *memTx) Usage() Usage {
	t := tx.t
	if !t.usageKnown {
		t.usage = Usage{}
		for _, mc := range t.colls {
			mc.scan(0, func(r *record) bool {
				t.usage.add(mc, r.e, 1)
				return true
			})
		}
		t.usageKnown = true
	}
	return t.usage
}

// add counts (sign 1) or discounts (-1) a record of mc in the usage.
func (u *Usage) add(mc *memColl, e Entity, sign int) {
	u.Bytes += int64(sign * len(e.ID))
	if !mc.c.p.refs {
		u.Entities += sign
		u.Bytes += int64(sign * len(e.Body))
	}
}

// count adds a record's change to the tenant's usage, once it is counted.
func (tx *memTx) count(mc *memColl, e Entity, sign int) {
	if tx.t.usageKnown {
		tx.t.usage.add(mc, e, sign)
	}
}

func (tx *memTx) rollback() {
	t := tx.t
	for i := len(tx.undo) - 1; i >= 0; i-- {
		u := &tx.undo[i]
		switch u.kind {
		case undoPut:
			tx.count(u.mc, u.r.e, -1)
			u.mc.remove(u.r)
			u.mc.nextSeq = u.r.e.Seq - 1 // puts are the newest: undone, newest first
		case undoTake:
			u.mc.restore(u.r)
			tx.count(u.mc, u.r.e, 1)
		case undoReplace:
			if t.usageKnown {
				t.usage.Bytes += int64(len(u.old.Body) - len(u.r.e.Body))
			}
			u.mc.indexRemove(u.r)
			u.r.e, u.r.keys = u.old, u.oldKeys
			u.mc.indexAdd(u.r)
		case undoEnsure:
			delete(t.colls, u.mc.c.p.enc)
			if u.key != "" {
				removeFrom(t.children, u.key, u.mc)
			}
		case undoDrop:
			t.colls[u.mc.c.p.enc] = u.mc
			if u.key != "" {
				addTo(t.children, u.key, u.mc)
			}
		case undoLink:
			removeFrom(t.refsTo, u.key, u.mc)
		case undoUnlink:
			addTo(t.refsTo, u.key, u.mc)
		}
	}
	t.seq = tx.startSeq
	tx.end()
}

func (tx *memTx) next() uint64 {
	tx.t.seq++
	return tx.t.seq
}

func (tx *memTx) record(c Change) { tx.changes = append(tx.changes, c) }

// ownerExists reports whether c's owner entity exists (true for a root collection).
func (tx *memTx) ownerExists(c Coll) bool {
	parent, key, _, ok := c.Owner()
	if !ok {
		return true
	}
	_, err := tx.Get(parent, key)
	return err == nil
}

// ensure returns c's collection, creating it (and registering it under its owner).
func (tx *memTx) ensure(c Coll) *memColl {
	if mc := tx.coll(c); mc != nil {
		return mc
	}
	t := tx.t
	mc := &memColl{c: c, byID: map[string]*record{}}
	t.colls[c.p.enc] = mc
	var owner string
	if parent, key, _, ok := c.Owner(); ok {
		owner = entityKey(parent, key)
		addTo(t.children, owner, mc)
	}
	tx.undo = append(tx.undo, undoEntry{kind: undoEnsure, mc: mc, key: owner})
	return mc
}

// drop removes an empty collection.
func (tx *memTx) drop(mc *memColl) {
	t := tx.t
	delete(t.colls, mc.c.p.enc)
	var owner string
	if parent, key, _, ok := mc.c.Owner(); ok {
		owner = entityKey(parent, key)
		removeFrom(t.children, owner, mc)
	}
	tx.undo = append(tx.undo, undoEntry{kind: undoDrop, mc: mc, key: owner})
}

func addTo(m map[string]map[*memColl]struct{}, k string, mc *memColl) {
	s := m[k]
	if s == nil {
		s = map[*memColl]struct{}{}
		m[k] = s
	}
	s[mc] = struct{}{}
}

func removeFrom(m map[string]map[*memColl]struct{}, k string, mc *memColl) {
	if s := m[k]; s != nil {
		delete(s, mc)
		if len(s) == 0 {
			delete(m, k)
		}
	}
}

// put adds a record at the end of mc's order (its seq is the newest).
func (tx *memTx) put(mc *memColl, r *record) {
	r.pos = len(mc.order)
	mc.byID[r.e.ID] = r
	mc.order = append(mc.order, slot{seq: r.e.Seq, rec: r})
	mc.live++
	mc.indexAdd(r)
	tx.count(mc, r.e, 1)
	tx.undo = append(tx.undo, undoEntry{kind: undoPut, mc: mc, r: r})
}

// take removes a record from mc.
func (tx *memTx) take(mc *memColl, r *record) {
	tx.count(mc, r.e, -1)
	mc.remove(r)
	tx.undo = append(tx.undo, undoEntry{kind: undoTake, mc: mc, r: r})
}

func (mc *memColl) remove(r *record) {
	mc.indexRemove(r)
	delete(mc.byID, r.e.ID)
	mc.order[r.pos].rec = nil
	mc.live--
	if mc.live < len(mc.order)/2 {
		mc.compact()
	}
}

// slabSize is how many records newRecord allocates at once.
const slabSize = 64

// newRecord returns a new record holding r, from the collection's slab.
func (mc *memColl) newRecord(r record) *record {
	if len(mc.slab) == 0 {
		mc.slab = make([]record, slabSize)
	}
	p := &mc.slab[0]
	mc.slab = mc.slab[1:]
	*p = r
	return p
}

// restore puts a removed record back at its place in order.
func (mc *memColl) restore(r *record) {
	i := sort.Search(len(mc.order), func(i int) bool { return mc.order[i].seq >= r.e.Seq })
	if i < len(mc.order) && mc.order[i].seq == r.e.Seq {
		mc.order[i].rec = r
	} else {
		mc.order = append(mc.order, slot{})
		copy(mc.order[i+1:], mc.order[i:])
		mc.order[i] = slot{seq: r.e.Seq, rec: r}
		for j := i + 1; j < len(mc.order); j++ {
			if mc.order[j].rec != nil {
				mc.order[j].rec.pos = j
			}
		}
	}
	r.pos = i
	mc.byID[r.e.ID] = r
	mc.live++
	mc.indexAdd(r)
}

// compact drops the holes deleted records left in order.
func (mc *memColl) compact() {
	n := 0
	for _, sl := range mc.order {
		if sl.rec != nil {
			sl.rec.pos = n
			mc.order[n] = sl
			n++
		}
	}
	clear(mc.order[n:])
	mc.order = mc.order[:n]
}

func (tx *memTx) Insert(c Coll, e Entity) (Entity, error) {
	if c.p == nil || c.p.refs {
		return Entity{}, fmt.Errorf("store: Insert into %q: not an entity collection", c)
	}
	if mc := tx.coll(c); mc != nil {
		if _, taken := mc.byID[e.ID]; taken {
			return Entity{}, ErrExists
		}
	}
	if !tx.ownerExists(c) {
		return Entity{}, ErrNotFound
	}
	mc := tx.ensure(c)
	seq := tx.next()
	mc.nextSeq++
	e.Seq, e.Version = mc.nextSeq, seq
	e.Shape = tx.t.shape(&e)
	tx.put(mc, mc.newRecord(record{e: e, keys: tx.t.keysOf(&e)}))
	tx.record(Change{Seq: seq, Kind: Created, Coll: c, ID: e.ID, Type: e.Type})
	return e, nil
}

func (tx *memTx) Replace(c Coll, e Entity, changed []string) (Entity, error) {
	mc := tx.coll(c)
	if mc == nil || c.p.refs {
		return Entity{}, ErrNotFound
	}
	r, ok := mc.byID[e.ID]
	if !ok {
		return Entity{}, ErrNotFound
	}
	old := r.e
	seq := tx.next()
	e.Seq, e.Version = old.Seq, seq
	e.Shape = tx.t.shape(&e)
	if tx.t.usageKnown {
		tx.t.usage.Bytes += int64(len(e.Body) - len(old.Body))
	}
	mc.indexRemove(r)
	oldKeys := r.keys
	r.e, r.keys = e, tx.t.keysOf(&e)
	mc.indexAdd(r)
	tx.undo = append(tx.undo, undoEntry{kind: undoReplace, mc: mc, r: r, old: old, oldKeys: oldKeys})
	tx.record(Change{Seq: seq, Kind: Updated, Coll: c, ID: e.ID, Type: e.Type, Props: changed})
	return e, nil
}

func (tx *memTx) Delete(c Coll, id string) error {
	mc := tx.coll(c)
	if mc == nil || c.p.refs {
		return ErrNotFound
	}
	r, ok := mc.byID[id]
	if !ok {
		return ErrNotFound
	}
	tx.deleteRecord(mc, r)
	return nil
}

// deleteRecord removes an entity with what it contains and the references to it.
func (tx *memTx) deleteRecord(mc *memColl, r *record) {
	t := tx.t
	key := entityKey(mc.c, r.e.ID)
	// What it contains, to any depth; its own references go silently with it.
	for child := range t.children[key] {
		var recs []*record
		child.scan(0, func(cr *record) bool { recs = append(recs, cr); return true })
		for _, cr := range recs {
			if child.c.p.refs {
				tx.unlinkRecord(child, cr, false)
			} else {
				tx.deleteRecord(child, cr)
			}
		}
		tx.drop(child)
	}
	// Every reference to it.
	for rc := range t.refsTo[key] {
		if rr, ok := rc.byID[r.e.ID]; ok && rr.target.Equal(mc.c) {
			tx.unlinkRecord(rc, rr, true)
		}
	}
	tx.take(mc, r)
	tx.record(Change{Seq: tx.next(), Kind: Deleted, Coll: mc.c, ID: r.e.ID, Type: r.e.Type})
}

func (tx *memTx) Link(c Coll, target Coll, id string) (Ref, error) {
	if c.p == nil || !c.p.refs {
		return Ref{}, fmt.Errorf("store: Link in %q: not a reference collection", c)
	}
	if mc := tx.coll(c); mc != nil {
		if _, taken := mc.byID[id]; taken {
			return Ref{}, ErrExists
		}
	}
	if _, err := tx.Get(target, id); err != nil {
		return Ref{}, ErrNotFound
	}
	if !tx.ownerExists(c) {
		return Ref{}, ErrNotFound
	}
	mc := tx.ensure(c)
	seq := tx.next()
	mc.nextSeq++
	r := mc.newRecord(record{e: Entity{ID: id, Seq: mc.nextSeq, Version: seq}, target: target})
	tx.put(mc, r)
	tk := entityKey(target, id)
	addTo(tx.t.refsTo, tk, mc)
	tx.undo = append(tx.undo, undoEntry{kind: undoLink, mc: mc, key: tk})
	tx.ownerChanged(c, seq)
	return Ref{Target: target, ID: id, Seq: r.e.Seq}, nil
}

// ownerChanged records that the references c holds changed, as an update of its owner.
func (tx *memTx) ownerChanged(c Coll, seq uint64) {
	parent, key, nav, _ := c.Owner()
	typ := ""
	if e, err := tx.Get(parent, key); err == nil {
		typ = e.Type
	}
	tx.record(Change{Seq: seq, Kind: Updated, Coll: parent, ID: key, Type: typ, Props: []string{nav}})
}

func (tx *memTx) Unlink(c Coll, id string) error {
	mc := tx.coll(c)
	if mc == nil || !c.p.refs {
		return ErrNotFound
	}
	r, ok := mc.byID[id]
	if !ok {
		return ErrNotFound
	}
	tx.unlinkRecord(mc, r, true)
	return nil
}

func (tx *memTx) UnlinkAll(c Coll) int {
	mc := tx.coll(c)
	if mc == nil || !c.p.refs {
		return 0
	}
	var recs []*record
	mc.scan(0, func(r *record) bool { recs = append(recs, r); return true })
	for _, r := range recs {
		tx.unlinkRecord(mc, r, true)
	}
	return len(recs)
}

// unlinkRecord removes a reference; with notify it records an update of the owner.
func (tx *memTx) unlinkRecord(mc *memColl, r *record, notify bool) {
	tx.take(mc, r)
	tk := entityKey(r.target, r.e.ID)
	removeFrom(tx.t.refsTo, tk, mc)
	tx.undo = append(tx.undo, undoEntry{kind: undoUnlink, mc: mc, key: tk})
	if notify {
		tx.ownerChanged(mc.c, tx.next())
	}
}

// feed is a bounded ring of changes.
type feed struct {
	max   int
	buf   []Change
	start int // index of the oldest change in buf once it is full
	// floor is the Seq of the last change known to be gone before buf's oldest (a
	// store loaded from a file keeps only its last changes); 0 when none is.
	floor uint64
}

func (f *feed) add(c Change) {
	if len(f.buf) < f.max {
		f.buf = append(f.buf, c)
		return
	}
	f.buf[f.start] = c
	f.start = (f.start + 1) % f.max
}

func (f *feed) each(after uint64, fn func(Change) bool) error {
	if after < f.floor {
		return ErrTruncated
	}
	n := len(f.buf)
	if n == 0 {
		return nil
	}
	oldest := f.buf[f.start]
	if len(f.buf) == f.max && oldest.Seq > after+1 {
		return ErrTruncated // the ring has dropped changes after 'after'
	}
	// Find the first change after 'after' by binary search over the ring.
	i := sort.Search(n, func(i int) bool { return f.buf[(f.start+i)%n].Seq > after })
	for ; i < n; i++ {
		if !fn(f.buf[(f.start+i)%n]) {
			return nil
		}
	}
	return nil
}
