package store

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
)

// Content of a Bolt: files under the data directory, named by an index kept in the data
// file and written in the same bbolt transactions as the entities.
//
//	DIR/content/<tenant>/<blob>   <tenant>: 32 hex digits of the SHA-256 of the tenant's
//	                              name; <blob>: 32 random hex digits
//
// A blob is one stream of bytes; a key names a blob and a size (the index: key → blob,
// size, in memory and in the data file's content bucket, see bolt_content_file.go).
// WriteContent streams into a new blob and then points the key at it; AppendContent
// writes at the end of the key's blob (or of a copy of it, when another key shares it)
// and then raises the key's size; RenameContent, CopyContent (the copy shares the blob),
// DeleteContent and ResetContent change the index only. A blob no key names any more is
// removed once the change that dropped it is in the data file.
//
// Order and atomicity. Every change to the index is queued to the store's committer, in
// the order it was made, with the entity writes: a change made while a Write of the same
// tenant runs (the drive behaviour moves an upload under its item's key as the last step
// of the write that stores the item) is saved in the bbolt transaction of that write, so
// that the item and its content are in the file together or not at all; a change made
// outside a write is saved on its own. A blob's bytes are synced before the change that
// names it is saved: with SyncWindow 0 before the method returns, with a window by the
// committer before its transaction. So after a crash the index names only whole,
// synced blobs, each entity the file holds finds the content it was written with, and
// the files the index does not name (writes in progress, blobs dropped but not yet
// removed, the tail of an interrupted append) are removed or cut at open.
//
// With SyncWindow 0 a method that changes the index returns once the change is synced,
// except when it was called while a Write of the tenant ran: it is then saved (and
// synced) with that write, which cannot end before the method returns.

// contentDirName is the directory of the content files, in the data directory.
const contentDirName = "content"

// maxContentKey bounds a content key, which is a key of the data file.
const maxContentKey = 4096

// errContentKey answers a key the index cannot hold.
var errContentKey = fmt.Errorf("store: a content key must have 1 to %d bytes", maxContentKey)

// contentCopySize is the size of the buffers content is written through.
const contentCopySize = 256 << 10

// diskContent is a Bolt's Content capability.
type diskContent struct {
	dir    string // DIR/content
	always bool   // SyncWindow 0: sync before returning
	log    *slog.Logger
	c      *committer
	bufs   sync.Pool

	mu      sync.RWMutex
	tenants map[string]*diskTenant
}

// diskTenant is one tenant's content.
type diskTenant struct {
	name string
	id   [16]byte // the first half of the SHA-256 of name
	dir  string

	mu   sync.Mutex
	made bool // dir exists (and its name is synced, or queued to be)
	keys map[string]diskEntry
	// used counts the keys' sizes (a blob two keys share, twice) and the writes in
	// progress.
	used int64
	// inWrite: a Write of the tenant runs; what changes the index meanwhile waits in
	// pending for that write to take it (see Bolt.Write).
	inWrite bool
	pending diskContentWrite
}

// diskEntry is what a key names: a blob and how many of its bytes are the key's.
type diskEntry struct {
	blob *diskBlob
	size int64
}

// diskBlob is one content file.
type diskBlob struct {
	id   [16]byte
	path string
	refs int // the keys naming it
	// busy is closed when the append writing the blob ends (nil: none).
	busy chan struct{}
}

// contentOpKind tells what a change to the index does.
type contentOpKind uint8

const (
	contentPut   contentOpKind = iota + 1 // key names blob, size
	contentDel                            // key names nothing
	contentReset                          // the tenant's keys all go
)

// contentOp is one change to a tenant's index.
type contentOp struct {
	kind contentOpKind
	key  string
	blob [16]byte
	size int64
}

// diskContentWrite is what a diskWrite saves of a tenant's content: the changes to its
// index, the files to sync before (with a sync window) and those to remove after.
type diskContentWrite struct {
	tenant   *diskTenant
	ops      []contentOp
	syncs    []string // files whose bytes the ops name
	syncDirs []string // directories in which files (or directories) were made
	unlinks  []string // blobs the ops leave unnamed
	// unsynced counts the bytes written to syncs since their last sync: they count in
	// the committer's queue, so that a writer waits for the save (rather than let a
	// save grow past maxQueuedBytes of content) with a sync window too.
	unsynced int64
}

func (cw *diskContentWrite) empty() bool {
	return len(cw.ops) == 0 && len(cw.unlinks) == 0 && len(cw.syncDirs) == 0
}

// size is about how many bytes the changes add to the data file, and the bytes of
// content they sync.
func (cw *diskContentWrite) size() int {
	n := int(cw.unsynced)
	for _, op := range cw.ops {
		n += 48 + len(op.key)
	}
	return n
}

func newDiskContent(dir string, always bool, log *slog.Logger) *diskContent {
	return &diskContent{dir: filepath.Join(dir, contentDirName), always: always, log: log, tenants: map[string]*diskTenant{}}
}

// tenantID is the name of a tenant's directory and bucket.
func tenantID(name string) [16]byte {
	sum := sha256.Sum256([]byte(name))
	return [16]byte(sum[:16])
}

// tenant returns a tenant's content, made when create is set (else nil when missing).
func (dc *diskContent) tenant(name string, create bool) *diskTenant {
	dc.mu.RLock()
	ct := dc.tenants[name]
	dc.mu.RUnlock()
	if ct != nil || !create {
		return ct
	}
	dc.mu.Lock()
	defer dc.mu.Unlock()
	if ct = dc.tenants[name]; ct == nil {
		id := tenantID(name)
		ct = &diskTenant{name: name, id: id, dir: filepath.Join(dc.dir, hex.EncodeToString(id[:])), keys: map[string]diskEntry{}}
		dc.tenants[name] = ct
	}
	return ct
}

// all returns every tenant's content.
func (dc *diskContent) all() []*diskTenant {
	dc.mu.RLock()
	defer dc.mu.RUnlock()
	out := make([]*diskTenant, 0, len(dc.tenants))
	for _, ct := range dc.tenants {
		out = append(out, ct)
	}
	return out
}

// stage records a change to ct's index, made under ct.mu.
func (ct *diskTenant) stage(op contentOp) {
	ct.pending.ops = append(ct.pending.ops, op)
}

// drop forgets that a key names b; a blob no key names is removed after the change.
func (ct *diskTenant) drop(b *diskBlob) {
	if b.refs--; b.refs == 0 {
		ct.pending.unlinks = append(ct.pending.unlinks, b.path)
	}
}

// take hands the pending changes over to w (ct.mu held).
func (ct *diskTenant) take(w *diskWrite) {
	if ct.pending.empty() {
		return
	}
	w.content = ct.pending
	w.content.tenant = ct
	w.size += ct.pending.size()
	ct.pending = diskContentWrite{}
}

// publish queues ct's pending changes on their own, unless a write of the tenant runs
// (it takes them); ct.mu held. The ticket is the wait for them.
func (dc *diskContent) publish(ct *diskTenant) ticket {
	if ct.inWrite || ct.pending.empty() {
		return ticket{}
	}
	w := &diskWrite{contentOnly: true}
	ct.take(w)
	return dc.c.add(w)
}

// beginWrite marks a Write of the tenant as running; it holds the tenant's lock.
func (dc *diskContent) beginWrite(ct *diskTenant) {
	ct.mu.Lock()
	ct.inWrite = true
	ct.mu.Unlock()
}

// endWrite ends a write that committed: its entity changes w (nil: none) take the
// content changes made meanwhile, and are queued, all under ct.mu so that the
// committer sees the tenant's changes in the order they were made.
func (dc *diskContent) endWrite(ct *diskTenant, w *diskWrite) ticket {
	ct.mu.Lock()
	defer ct.mu.Unlock()
	ct.inWrite = false
	if !ct.pending.empty() {
		if w == nil {
			w = &diskWrite{contentOnly: true}
		}
		ct.take(w)
	}
	if w == nil {
		return ticket{}
	}
	return dc.c.add(w)
}

// abortWrite ends a write that failed: the content changes made meanwhile stand (as
// they do in memory) and are queued on their own.
func (dc *diskContent) abortWrite(ct *diskTenant) {
	ct.mu.Lock()
	defer ct.mu.Unlock()
	ct.inWrite = false
	dc.publish(ct)
}

// resetLocked removes the tenant's keys (ct.mu held). With none in memory there are
// none once the pending changes are saved: nothing to do.
func (ct *diskTenant) resetLocked() {
	if len(ct.keys) == 0 {
		return
	}
	for _, e := range ct.keys {
		ct.used -= e.size
		ct.drop(e.blob)
	}
	clear(ct.keys)
	ct.stage(contentOp{kind: contentReset})
}

// reserve adds n bytes to the tenant's usage, unless that would pass limit (> 0).
func (ct *diskTenant) reserve(n, limit int64) error {
	ct.mu.Lock()
	defer ct.mu.Unlock()
	if limit > 0 && ct.used+n > limit {
		return ErrContentQuota
	}
	ct.used += n
	return nil
}

func (ct *diskTenant) release(n int64) {
	if n != 0 {
		ct.mu.Lock()
		ct.used -= n
		ct.mu.Unlock()
	}
}

// makeDir makes the tenant's directory the first time a blob goes in it.
func (dc *diskContent) makeDir(ct *diskTenant) error {
	ct.mu.Lock()
	made := ct.made
	ct.mu.Unlock()
	if made {
		return nil
	}
	if err := os.MkdirAll(ct.dir, 0o755); err != nil {
		return fmt.Errorf("store: content directory: %w", err)
	}
	if dc.always {
		if err := syncDir(dc.dir); err != nil {
			return fmt.Errorf("store: content directory: %w", err)
		}
	}
	ct.mu.Lock()
	if !ct.made && !dc.always {
		ct.pending.syncDirs = append(ct.pending.syncDirs, dc.dir)
	}
	ct.made = true
	ct.mu.Unlock()
	return nil
}

// newBlob creates an empty blob file in the tenant's directory.
func (dc *diskContent) newBlob(ct *diskTenant) (*diskBlob, *os.File, error) {
	if err := dc.makeDir(ct); err != nil {
		return nil, nil, err
	}
	b := &diskBlob{}
	for {
		if _, err := rand.Read(b.id[:]); err != nil {
			return nil, nil, err
		}
		b.path = filepath.Join(ct.dir, hex.EncodeToString(b.id[:]))
		f, err := os.OpenFile(b.path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
		if errors.Is(err, os.ErrExist) {
			continue
		}
		if err != nil {
			return nil, nil, fmt.Errorf("store: content file: %w", err)
		}
		return b, f, nil
	}
}

// settle makes a blob's bytes durable before a change names it: synced now (no sync
// window), or by the committer before it saves the change (ct.mu held then, see
// queueSync).
func (dc *diskContent) settle(ct *diskTenant, f *os.File, made bool) error {
	if !dc.always {
		return nil
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("store: syncing content: %w", err)
	}
	if made {
		if err := syncDir(ct.dir); err != nil {
			return fmt.Errorf("store: syncing content: %w", err)
		}
	}
	return nil
}

// queueSync asks the committer to sync a blob (and its directory when it was made),
// n bytes of which were written, before it saves the change naming it; ct.mu held.
func (dc *diskContent) queueSync(ct *diskTenant, b *diskBlob, n int64, made bool) {
	if dc.always {
		return
	}
	ct.pending.unsynced += n
	ct.pending.syncs = append(ct.pending.syncs, b.path)
	if made {
		ct.pending.syncDirs = append(ct.pending.syncDirs, ct.dir)
	}
}

// fill copies r to f, reserving each chunk's bytes first; on an error what it
// reserved is given back.
func (dc *diskContent) fill(ct *diskTenant, f *os.File, r io.Reader, limit int64) (int64, error) {
	bp, _ := dc.bufs.Get().(*[]byte)
	if bp == nil {
		b := make([]byte, contentCopySize)
		bp = &b
	}
	defer dc.bufs.Put(bp)
	buf := *bp
	var n int64
	for {
		k, rerr := io.ReadFull(r, buf)
		if k > 0 {
			if err := ct.reserve(int64(k), limit); err != nil {
				ct.release(n)
				return 0, err
			}
			n += int64(k)
			if _, err := f.Write(buf[:k]); err != nil {
				ct.release(n)
				return 0, fmt.Errorf("store: writing content: %w", err)
			}
		}
		switch {
		case rerr == io.EOF || errors.Is(rerr, io.ErrUnexpectedEOF):
			return n, nil
		case rerr != nil:
			ct.release(n)
			return 0, rerr
		}
	}
}

func checkContentKey(key string) error {
	if key == "" || len(key) > maxContentKey {
		return errContentKey
	}
	return nil
}

var _ Content = (*Bolt)(nil)

// WriteContent implements Content: r goes into a new blob, synced, then the key names it.
func (b *Bolt) WriteContent(tenant, key string, r io.Reader, limit int64) (int64, error) {
	if err := checkContentKey(key); err != nil {
		return 0, err
	}
	if err := b.c.failed(); err != nil {
		return 0, err
	}
	dc := b.content
	ct := dc.tenant(tenant, true)
	blob, f, err := dc.newBlob(ct)
	if err != nil {
		return 0, err
	}
	n, err := dc.fill(ct, f, r, limit)
	if err == nil {
		if err = dc.settle(ct, f, true); err != nil {
			ct.release(n)
		}
	}
	if cerr := f.Close(); cerr != nil && err == nil {
		ct.release(n)
		err = fmt.Errorf("store: writing content: %w", cerr)
	}
	if err != nil {
		_ = os.Remove(blob.path)
		return 0, err
	}
	ct.mu.Lock()
	if old, ok := ct.keys[key]; ok {
		ct.used -= old.size
		ct.drop(old.blob)
	}
	blob.refs = 1
	ct.keys[key] = diskEntry{blob: blob, size: n}
	dc.queueSync(ct, blob, n, true)
	ct.stage(contentOp{kind: contentPut, key: key, blob: blob.id, size: n})
	tk := dc.publish(ct)
	ct.mu.Unlock()
	if err := tk.wait(); err != nil {
		return 0, err
	}
	return n, nil
}

// AppendContent implements Content: the bytes go at the end of the key's blob when no
// other key shares it, else at the end of a copy; a failed append cuts the blob back.
// Appends to one blob run one at a time, the later waiting for the earlier to end.
func (b *Bolt) AppendContent(tenant, key string, offset int64, r io.Reader, limit int64) (int64, error) {
	if err := checkContentKey(key); err != nil {
		return 0, err
	}
	if err := b.c.failed(); err != nil {
		return 0, err
	}
	dc := b.content
	ct := dc.tenant(tenant, true)
	ct.mu.Lock()
	var e diskEntry
	for {
		e = ct.keys[key]
		if e.blob == nil || e.blob.busy == nil {
			break
		}
		busy := e.blob.busy
		ct.mu.Unlock()
		<-busy
		ct.mu.Lock()
	}
	if e.blob == nil && offset != 0 || e.blob != nil && e.size != offset {
		ct.mu.Unlock()
		return 0, ErrContentOffset
	}
	// The blob's file is opened under the lock: a blob a key names is not removed
	// before a change drops it.
	inPlace := e.blob != nil && e.blob.refs == 1
	var f, src *os.File
	var err error
	switch {
	case inPlace:
		f, err = os.OpenFile(e.blob.path, os.O_WRONLY, 0)
	case e.blob != nil:
		src, err = os.Open(e.blob.path) // shared: the append goes to a copy
	}
	if err != nil {
		ct.mu.Unlock()
		return 0, fmt.Errorf("store: appending content: %w", err)
	}
	var done chan struct{}
	if e.blob != nil {
		done = make(chan struct{})
		e.blob.busy = done
	}
	ct.mu.Unlock()
	// unbusy ends the append (ct.mu held).
	unbusy := func() {
		if done != nil {
			e.blob.busy = nil
			close(done)
		}
	}

	blob := e.blob
	if inPlace {
		// The blob holds offset bytes (open cut what an interrupted append left).
		if err = f.Truncate(offset); err == nil {
			_, err = f.Seek(offset, io.SeekStart)
		}
		if err != nil {
			f.Close()
			err = fmt.Errorf("store: appending content: %w", err)
		}
	} else {
		blob, f, err = dc.newBlob(ct)
		if err == nil && src != nil {
			if k, cerr := io.Copy(f, io.LimitReader(src, offset)); cerr != nil || k != offset {
				if cerr == nil {
					cerr = io.ErrUnexpectedEOF
				}
				err = fmt.Errorf("store: copying content: %w", cerr)
				f.Close()
				_ = os.Remove(blob.path)
			}
		}
		if src != nil {
			src.Close()
		}
	}
	if err != nil {
		ct.mu.Lock()
		unbusy()
		ct.mu.Unlock()
		return 0, err
	}
	// undo takes back what the append wrote (ct.mu held or not: the blob is busy,
	// or new).
	undo := func() {
		if inPlace {
			_ = f.Truncate(offset)
			f.Close()
		} else {
			f.Close()
			_ = os.Remove(blob.path)
		}
	}
	n, err := dc.fill(ct, f, r, limit)
	if err == nil {
		if err = dc.settle(ct, f, !inPlace); err != nil {
			ct.release(n)
		}
	}
	if err != nil {
		undo()
		ct.mu.Lock()
		unbusy()
		ct.mu.Unlock()
		return 0, err
	}
	ct.mu.Lock()
	cur := ct.keys[key]
	if cur.blob != e.blob || cur.size != e.size {
		// Written, renamed, deleted or reset meanwhile.
		undo()
		ct.used -= n
		unbusy()
		ct.mu.Unlock()
		return 0, ErrContentOffset
	}
	if cerr := f.Close(); cerr != nil {
		if inPlace {
			// The file is closed: cut it back by name (the blob is still busy).
			_ = os.Truncate(blob.path, offset)
		} else {
			_ = os.Remove(blob.path)
		}
		ct.used -= n
		unbusy()
		ct.mu.Unlock()
		return 0, fmt.Errorf("store: appending content: %w", cerr)
	}
	if !inPlace {
		blob.refs = 1
		if e.blob != nil {
			ct.drop(e.blob)
		}
	}
	ct.keys[key] = diskEntry{blob: blob, size: offset + n}
	if inPlace {
		dc.queueSync(ct, blob, n, false)
	} else {
		dc.queueSync(ct, blob, offset+n, true) // a copy: all of it
	}
	ct.stage(contentOp{kind: contentPut, key: key, blob: blob.id, size: offset + n})
	unbusy()
	tk := dc.publish(ct)
	ct.mu.Unlock()
	if err := tk.wait(); err != nil {
		return 0, err
	}
	return n, nil
}

// OpenContent implements Content: the reader holds the blob's file open, so that it
// reads what it opened whatever happens to the key.
func (b *Bolt) OpenContent(tenant, key string) (ContentReader, error) {
	ct := b.content.tenant(tenant, false)
	if ct == nil {
		return nil, ErrNotFound
	}
	ct.mu.Lock()
	defer ct.mu.Unlock()
	e, ok := ct.keys[key]
	if !ok {
		return nil, ErrNotFound
	}
	// Opened under the lock: a blob a key names is not removed before a change drops it.
	f, err := os.Open(e.blob.path)
	if err != nil {
		return nil, fmt.Errorf("store: opening content: %w", err)
	}
	return &fileReader{f: f, size: e.size}, nil
}

// ContentSize implements Content.
func (b *Bolt) ContentSize(tenant, key string) (int64, error) {
	ct := b.content.tenant(tenant, false)
	if ct == nil {
		return 0, ErrNotFound
	}
	ct.mu.Lock()
	defer ct.mu.Unlock()
	e, ok := ct.keys[key]
	if !ok {
		return 0, ErrNotFound
	}
	return e.size, nil
}

// change runs fn on the tenant's index under its lock, then waits for what fn staged.
func (b *Bolt) change(tenant string, fn func(ct *diskTenant) error) error {
	if err := b.c.failed(); err != nil {
		return err
	}
	ct := b.content.tenant(tenant, true)
	ct.mu.Lock()
	err := fn(ct)
	tk := b.content.publish(ct)
	ct.mu.Unlock()
	if err != nil {
		return err
	}
	return tk.wait()
}

// RenameContent implements Content: the index changes, the file stays.
func (b *Bolt) RenameContent(tenant, from, to string) error {
	if err := checkContentKey(to); err != nil {
		return err
	}
	return b.change(tenant, func(ct *diskTenant) error {
		e, ok := ct.keys[from]
		if !ok {
			return ErrNotFound
		}
		if from == to {
			return nil
		}
		if old, ok := ct.keys[to]; ok {
			ct.used -= old.size
			ct.drop(old.blob)
		}
		ct.keys[to] = e
		delete(ct.keys, from)
		ct.stage(contentOp{kind: contentPut, key: to, blob: e.blob.id, size: e.size})
		ct.stage(contentOp{kind: contentDel, key: from})
		return nil
	})
}

// CopyContent implements Content: the copy names the source's blob.
func (b *Bolt) CopyContent(tenant, from, to string, limit int64) error {
	if err := checkContentKey(to); err != nil {
		return err
	}
	return b.change(tenant, func(ct *diskTenant) error {
		src, ok := ct.keys[from]
		if !ok {
			return ErrNotFound
		}
		old, had := ct.keys[to]
		if limit > 0 && ct.used-old.size+src.size > limit {
			return ErrContentQuota
		}
		if from == to {
			return nil
		}
		src.blob.refs++
		if had {
			ct.drop(old.blob)
		}
		ct.used += src.size - old.size
		ct.keys[to] = src
		ct.stage(contentOp{kind: contentPut, key: to, blob: src.blob.id, size: src.size})
		return nil
	})
}

// DeleteContent implements Content.
func (b *Bolt) DeleteContent(tenant, key string) error {
	if ct := b.content.tenant(tenant, false); ct == nil {
		return nil
	}
	return b.change(tenant, func(ct *diskTenant) error {
		e, ok := ct.keys[key]
		if !ok {
			return nil
		}
		ct.used -= e.size
		ct.drop(e.blob)
		delete(ct.keys, key)
		ct.stage(contentOp{kind: contentDel, key: key})
		return nil
	})
}

// ContentUsage implements Content.
func (b *Bolt) ContentUsage(tenant string) int64 {
	ct := b.content.tenant(tenant, false)
	if ct == nil {
		return 0
	}
	ct.mu.Lock()
	defer ct.mu.Unlock()
	return ct.used
}

// ResetContent implements Content: the tenant's keys go, and their files once that is
// saved. Writes in progress end as they would.
func (b *Bolt) ResetContent(tenant string) {
	if ct := b.content.tenant(tenant, false); ct == nil {
		return
	}
	b.logFailed(b.change(tenant, func(ct *diskTenant) error {
		ct.resetLocked()
		return nil
	}))
}

// fileReader reads one blob, up to the size its key had when it was opened.
type fileReader struct {
	f    *os.File
	size int64
	mu   sync.Mutex // WriteRangeTo moves the file's offset
}

func (r *fileReader) Size() int64  { return r.size }
func (r *fileReader) Close() error { return r.f.Close() }

// ReadAt implements io.ReaderAt.
func (r *fileReader) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, errors.New("store: negative offset")
	}
	if off >= r.size {
		if len(p) == 0 {
			return 0, nil
		}
		return 0, io.EOF
	}
	short := false
	if rest := r.size - off; int64(len(p)) > rest {
		p, short = p[:rest], true
	}
	n, err := r.f.ReadAt(p, off)
	switch {
	case err == io.EOF && n < len(p):
		return n, io.ErrUnexpectedEOF // the file is shorter than its key says
	case err == nil && short, err == io.EOF:
		return n, io.EOF
	}
	return n, err
}

// WriteRangeTo writes n bytes from off to w; from a file to a network connection the
// kernel copies them (sendfile).
func (r *fileReader) WriteRangeTo(w io.Writer, off, n int64) (int64, error) {
	if off < 0 || n < 0 || off+n > r.size {
		return 0, errors.New("store: range outside the content")
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, err := r.f.Seek(off, io.SeekStart); err != nil {
		return 0, err
	}
	k, err := io.Copy(w, io.LimitReader(r.f, n))
	if err == nil && k < n {
		err = io.ErrUnexpectedEOF
	}
	return k, err
}
