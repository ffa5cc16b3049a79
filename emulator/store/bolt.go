package store

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"sync"
	"time"

	bbolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
)

// BoltFileName is the name of the data file OpenBolt keeps in its directory.
const BoltFileName = "graph-emulator.db"

// DefaultLockTimeout is how long OpenBolt waits by default for another process to
// release the data file.
const DefaultLockTimeout = time.Second

// Errors of OpenBolt, matched with errors.Is; the error's text names the file.
var (
	// ErrDamaged: the data file is not one this package wrote, or it was damaged
	// after it was written (a checksum or a structure does not match).
	ErrDamaged = errors.New("store: data file damaged or not a graph-emulator data file")
	// ErrLocked: another process (or another Bolt of this one) has the data file open.
	ErrLocked = errors.New("store: data directory in use by another process")
	// ErrClosed: Write on a Bolt after Close.
	ErrClosed = errors.New("store: closed")
)

// BoltOptions configures OpenBolt. The zero value is ready to use.
type BoltOptions struct {
	// FeedSize is how many changes the store keeps per tenant, in memory and in the
	// file (see NewMemory). Zero or less means DefaultFeedSize.
	FeedSize int
	// SyncWindow chooses when a write is durable. Zero (the default): Write returns
	// once the write is in the file and the file is synced; writes that wait at the
	// same time share one sync (group commit). Greater than zero: Write returns once
	// the write is in memory and queued; the queue is written and synced at most
	// SyncWindow after the previous sync began, so a crash loses at most the writes
	// of the last SyncWindow (and of the sync in progress).
	SyncWindow time.Duration
	// LockTimeout is how long OpenBolt waits for another process to release the data
	// file before it answers ErrLocked. Zero or less means DefaultLockTimeout.
	LockTimeout time.Duration
	// Logger logs the opening of the file and a failed write to it. Default: nothing.
	Logger *slog.Logger
}

// Bolt is the persistent Store: a Memory that serves every read, and a bbolt file
// (go.etcd.io/bbolt) every committed write is saved in, in one bbolt transaction per
// flush, before Write returns (see BoltOptions.SyncWindow). OpenBolt loads the file
// into memory, so a Bolt reads as fast as a Memory and holds its data in the heap.
//
// What survives a restart: every tenant's entities and references, with their
// versions and Seqs; the tenant's sequence number (versions, and so ETags, keep
// increasing); the last FeedSize changes of the feed, so a delta token issued before
// the restart goes on working as long as the feed holds its changes; the content of
// the Content capability, in files under dir/content (see bolt_content.go), each
// change to it saved in the order it was made, with the write it was made in.
//
// A read may see a write whose Write has not returned yet (it is waiting for the
// sync); if the process dies in that moment, the write is lost and was never
// acknowledged. When a write to the file fails (a full disk), the store stops
// accepting writes: each later Write answers the error, and the state in memory may
// hold writes the file lacks. Reset and ResetAll, which return nothing, log such an
// error.
type Bolt struct {
	mem      *Memory
	db       *bbolt.DB
	path     string
	feedSize int
	log      *slog.Logger
	c        *committer
	// content keeps streams in files beside the data file (bolt_content.go).
	content *diskContent

	// tenantMu guards lastTenant, the last number given to a tenant in the file.
	tenantMu   sync.Mutex
	lastTenant uint64
	// trims are the feeds load found longer than FeedSize (see trimFeeds).
	trims []feedTrim

	closeOnce sync.Once
	closeErr  error
}

var (
	_ Store     = (*Bolt)(nil)
	_ Shaping   = (*Bolt)(nil)
	_ Indexing  = (*Bolt)(nil)
	_ io.Closer = (*Bolt)(nil)
)

// OpenBolt opens (creating it and dir when missing) the data file dir/BoltFileName and
// loads it. It answers ErrLocked when another process has the file open, and
// ErrDamaged when the file is not one this package wrote or was damaged. Close
// releases the file.
func OpenBolt(dir string, o BoltOptions) (*Bolt, error) {
	if o.FeedSize <= 0 {
		o.FeedSize = DefaultFeedSize
	}
	if o.LockTimeout <= 0 {
		o.LockTimeout = DefaultLockTimeout
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("store: data directory: %w", err)
	}
	path := filepath.Join(dir, BoltFileName)
	if fi, err := os.Stat(path); err == nil && !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%w: %s is not a regular file", ErrDamaged, path)
	}
	start := time.Now()
	b := &Bolt{mem: NewMemory(o.FeedSize), path: path, feedSize: o.FeedSize, log: o.Logger}
	var db *bbolt.DB
	err := guard(func() error {
		var err error
		db, err = bbolt.Open(path, 0o600, &bbolt.Options{
			Timeout:      o.LockTimeout,
			FreelistType: bbolt.FreelistMapType,
		})
		return err
	})
	switch {
	case errors.Is(err, bolterrors.ErrTimeout):
		return nil, fmt.Errorf("%w: %s is locked (waited %v)", ErrLocked, path, o.LockTimeout)
	case errors.Is(err, bolterrors.ErrInvalid), errors.Is(err, bolterrors.ErrChecksum),
		errors.Is(err, bolterrors.ErrVersionMismatch), errors.Is(err, errPanic):
		return nil, fmt.Errorf("%w: %s: %v", ErrDamaged, path, err)
	case err != nil:
		return nil, fmt.Errorf("store: opening %s: %w", path, err)
	}
	b.db = db
	if err := guard(b.init); err != nil {
		db.Close()
		if errors.Is(err, errPanic) {
			err = fmt.Errorf("%w: %s: %v", ErrDamaged, path, err)
		}
		return nil, err
	}
	b.content = newDiskContent(dir, o.SyncWindow <= 0, o.Logger)
	if err := guard(func() error { return b.openContent(b.content) }); err != nil {
		db.Close()
		if errors.Is(err, errPanic) {
			err = fmt.Errorf("%w: %s: %v", ErrDamaged, path, err)
		}
		return nil, err
	}
	b.c = newCommitter(db, o.SyncWindow, o.FeedSize, path, o.Logger)
	b.content.c = b.c
	var entities int
	for _, t := range b.mem.tenants {
		for _, mc := range t.colls {
			if !mc.c.p.refs {
				entities += mc.live
			}
		}
	}
	o.Logger.Info("data file loaded", "path", path, "tenants", len(b.mem.tenants),
		"entities", entities, "sync", syncName(o.SyncWindow), "took", time.Since(start).Round(time.Millisecond).String())
	return b, nil
}

func syncName(window time.Duration) string {
	if window <= 0 {
		return "always"
	}
	return window.String()
}

// errPanic marks a panic guard recovered: bbolt panics on some damaged files.
var errPanic = errors.New("unreadable structure")

// guard runs fn, turning a panic, and a fault on a bad address in the file's mapping,
// into an error.
func guard(fn func() error) (err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("%w: %v", errPanic, p)
		}
	}()
	return fn()
}

// init marks a new file as this package's, or checks an existing file's mark and
// loads it.
func (b *Bolt) init() error {
	fresh := false
	err := b.db.View(func(tx *bbolt.Tx) error {
		if tx.Bucket(bucketMarker) != nil {
			return nil
		}
		empty := true
		_ = tx.ForEach(func([]byte, *bbolt.Bucket) error { empty = false; return nil })
		if !empty {
			return damaged(b.path, "a bbolt file of another program (no %q bucket)", bucketMarker)
		}
		fresh = true
		return nil
	})
	if err != nil {
		return err
	}
	if fresh {
		err := b.db.Update(func(tx *bbolt.Tx) error {
			m, err := tx.CreateBucket(bucketMarker)
			if err != nil {
				return err
			}
			if err := m.Put(keyFormat, []byte(fileFormat)); err != nil {
				return err
			}
			_, err = tx.CreateBucket(bucketTenants)
			return err
		})
		if err != nil {
			return fmt.Errorf("store: initialising %s: %w", b.path, err)
		}
		// The file's name in its directory must be as durable as its content.
		if err := syncDir(filepath.Dir(b.path)); err != nil {
			return fmt.Errorf("store: initialising %s: %w", b.path, err)
		}
	}
	err = b.db.View(func(tx *bbolt.Tx) error {
		if f := string(tx.Bucket(bucketMarker).Get(keyFormat)); f != fileFormat {
			return damaged(b.path, "format %q, this program reads format %q", f, fileFormat)
		}
		if err := b.load(tx, b.mem); err != nil {
			return err
		}
		// bbolt's own check (the free list, pages referenced once, key order) reads
		// only pages the load has read without a fault.
		var first error
		for err := range tx.Check() {
			if first == nil {
				first = damaged(b.path, "%v", err)
			}
		}
		return first
	})
	if err != nil {
		return err
	}
	return b.trimFeeds()
}

// syncDir syncs a directory, so that the names of the files created in it last.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && runtime.GOOS != "windows" {
		return err
	}
	return nil
}

// Path returns the data file's name.
func (b *Bolt) Path() string { return b.path }

// Read implements Store.
func (b *Bolt) Read(tenant string, fn func(View) error) error { return b.mem.Read(tenant, fn) }

// SetShaper implements Shaping: shapes are kept in memory and not saved (the entities
// read from the file get theirs here).
func (b *Bolt) SetShaper(fn Shaper) { b.mem.SetShaper(fn) }

// SetIndexer implements Indexing, in memory as SetShaper.
func (b *Bolt) SetIndexer(fn Indexer) { b.mem.SetIndexer(fn) }

// Changes implements Store.
func (b *Bolt) Changes(tenant string, after uint64, fn func(Change) bool) error {
	return b.mem.Changes(tenant, after, fn)
}

// Write implements Store: the write is saved in the file before Write returns (or
// queued, with a SyncWindow). An error saving it is returned after the write was
// committed in memory; see Bolt. Content changes made while fn runs (by fn, or by
// anyone) are saved in the same bbolt transaction as the write (see bolt_content.go).
func (b *Bolt) Write(name string, fn func(Tx) error) error {
	if err := b.c.failed(); err != nil {
		return err
	}
	var tk ticket
	ct := b.content.tenant(name, true)
	err := b.mem.write(name, func(tx Tx) error {
		b.content.beginWrite(ct)
		ok := false
		defer func() {
			if !ok {
				b.content.abortWrite(ct) // fn failed or panicked
			}
		}()
		err := fn(tx)
		ok = err == nil
		return err
	}, func(t *tenant, tx *memTx) {
		tk = b.content.endWrite(ct, b.capture(name, t, tx))
	})
	if err != nil {
		return err
	}
	return tk.wait()
}

// Reset implements Store: the tenant's entities and content go, in one save.
func (b *Bolt) Reset(tenant string) {
	t := b.mem.tenant(tenant, false)
	if t == nil {
		b.ResetContent(tenant)
		return
	}
	b.logFailed(b.reset(tenant, t).wait())
}

// ResetAll implements Store.
func (b *Bolt) ResetAll() {
	type named struct {
		name string
		t    *tenant
	}
	b.mem.mu.RLock()
	ts := make([]named, 0, len(b.mem.tenants))
	for name, t := range b.mem.tenants {
		ts = append(ts, named{name, t})
	}
	b.mem.mu.RUnlock()
	tks := make([]ticket, 0, len(ts))
	for _, n := range ts {
		tks = append(tks, b.reset(n.name, n.t))
	}
	for _, tk := range tks {
		if err := tk.wait(); err != nil {
			b.logFailed(err)
			return
		}
	}
	// Tenants that hold content only.
	for _, ct := range b.content.all() {
		if b.mem.tenant(ct.name, false) == nil {
			b.ResetContent(ct.name)
		}
	}
}

func (b *Bolt) reset(name string, t *tenant) ticket {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.reset()
	w := &diskWrite{reset: true, seq: t.seq, changes: []Change{{Seq: t.seq, Kind: Reset}}}
	b.own(w, name, t)
	ct := b.content.tenant(name, true)
	ct.mu.Lock()
	ct.resetLocked()
	ct.mu.Unlock()
	// Queued with the content changes, as a write is (no write runs: the lock is held).
	return b.content.endWrite(ct, w)
}

func (b *Bolt) logFailed(err error) {
	if err != nil && !errors.Is(err, ErrClosed) {
		b.log.Error("reset not saved", "path", b.path, "err", err)
	}
}

// Close writes what is queued, syncs it and closes the file. Later writes answer
// ErrClosed; reads go on answering from memory. Close may be called more than once.
func (b *Bolt) Close() error {
	b.closeOnce.Do(func() {
		err := b.c.close()
		if cerr := b.db.Close(); err == nil {
			err = cerr
		}
		b.closeErr = err
	})
	return b.closeErr
}

// diskWrite is what one committed write (or reset) changes in the file, taken while
// the tenant's lock is held; the committer saves it later, in the same order.
type diskWrite struct {
	tenant uint64
	name   string // set when the tenant is new to the file
	isNew  bool
	seq    uint64 // the tenant's sequence number after the write
	reset  bool   // the tenant's collections and records go first
	// drops are the collections removed; colls the collections created or given
	// new Seqs (each with its value, encoded when the committer saves it).
	drops   []uint64
	colls   []diskColl
	dels    []diskKey
	puts    []diskRecord
	changes []Change
	// nColls and nRecords are how many collections and records the write adds to
	// the tenant's (negative: removes); the file keeps the totals, checked at load.
	nColls, nRecords int64
	size             int // about how many bytes the write adds to the file
	// content is what the write changes of the tenant's content (bolt_content.go);
	// contentOnly: nothing else (the fields above are unset).
	content     diskContentWrite
	contentOnly bool
}

type diskColl struct {
	pid     uint64
	nextSeq uint64
	c       Coll
}

type diskKey struct{ coll, seq uint64 }

type diskRecord struct {
	diskKey
	e      Entity
	target Coll // for a reference
}

// own gives the tenant its number in the file, the first time it is saved.
func (b *Bolt) own(w *diskWrite, name string, t *tenant) {
	if t.pid == 0 {
		b.tenantMu.Lock()
		b.lastTenant++
		t.pid = b.lastTenant
		b.tenantMu.Unlock()
		w.name, w.isNew = name, true
	}
	w.tenant = t.pid
}

// capture reads from the write's undo log what it changed: the records put, replaced
// or removed and the collections created or dropped, as they are once it commits.
// It returns nil for a write that changed nothing.
func (b *Bolt) capture(name string, t *tenant, tx *memTx) *diskWrite {
	if len(tx.undo) == 0 && len(tx.changes) == 0 {
		return nil
	}
	w := &diskWrite{seq: t.seq, changes: slices.Clone(tx.changes)}
	b.own(w, name, t)
	live := func(mc *memColl) bool { return t.colls[mc.c.p.enc] == mc }
	var (
		recs []undoEntry // one per record touched
		// created tells the records this write put (true) from those it found.
		created  = map[*record]bool{}
		touched  []*memColl // collections created or added to
		seenColl = map[*memColl]struct{}{}
	)
	addColl := func(mc *memColl) {
		if _, ok := seenColl[mc]; !ok {
			seenColl[mc] = struct{}{}
			touched = append(touched, mc)
		}
	}
	for _, u := range tx.undo {
		switch u.kind {
		case undoPut, undoTake, undoReplace:
			if _, ok := created[u.r]; !ok {
				created[u.r] = u.kind == undoPut
				recs = append(recs, u)
			}
			if u.kind == undoPut {
				addColl(u.mc)
			}
		case undoEnsure:
			addColl(u.mc)
		case undoDrop:
			if u.mc.pid != 0 {
				w.drops = append(w.drops, u.mc.pid)
				w.nColls--
			}
		}
	}
	for _, mc := range touched {
		if !live(mc) {
			continue // created and dropped by this write
		}
		if mc.pid == 0 {
			t.lastColl++
			mc.pid = t.lastColl
			w.nColls++
		}
		w.colls = append(w.colls, diskColl{pid: mc.pid, nextSeq: mc.nextSeq, c: mc.c})
		w.size += 32 + len(mc.c.p.enc)
	}
	for _, u := range recs {
		mc, r := u.mc, u.r
		kept := live(mc) && mc.byID[r.e.ID] == r
		switch {
		case kept && created[r]:
			w.nRecords++
		case !kept && !created[r]:
			w.nRecords--
		}
		if !live(mc) {
			continue // dropped: its records go with it
		}
		k := diskKey{coll: mc.pid, seq: r.e.Seq}
		if !kept {
			w.dels = append(w.dels, k)
			continue
		}
		w.puts = append(w.puts, diskRecord{diskKey: k, e: r.e, target: r.target})
		w.size += 48 + len(r.e.ID) + len(r.e.Type) + len(r.e.Body)
	}
	w.size += 64 * len(w.changes)
	return w
}
