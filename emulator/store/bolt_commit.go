package store

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"log/slog"
	"sync"
	"time"

	bbolt "go.etcd.io/bbolt"
)

// A queue of more than maxQueued writes, or of more than maxQueuedBytes, makes the
// writer wait for the flush even with a sync window, so that a disk slower than the
// writers bounds the memory the queue holds.
const (
	maxQueued      = 8192
	maxQueuedBytes = 32 << 20
)

// committer saves diskWrites in the file from one goroutine, in the order they were
// added: all the writes queued while the previous flush ran go in one bbolt
// transaction, synced once (group commit).
type committer struct {
	db       *bbolt.DB
	window   time.Duration
	feedSize uint64
	path     string
	log      *slog.Logger

	mu     sync.Mutex
	open   *batch // the writes queued for the next flush
	err    error  // the first failed flush, or ErrClosed: no write is saved after it
	wake   chan struct{}
	stop   chan struct{}
	exited chan struct{}
}

// batch is the writes one flush saves; done is closed once it is saved (or failed).
type batch struct {
	writes []*diskWrite
	size   int
	done   chan struct{}
	err    error
}

// ticket is a writer's wait for its write: nothing to wait for (b nil), the error
// of a store that failed before (err), or its batch.
type ticket struct {
	b     *batch
	err   error
	await bool // wait for the flush (no sync window, or the queue is full)
}

func (tk ticket) wait() error {
	if tk.err != nil || tk.b == nil || !tk.await {
		return tk.err
	}
	<-tk.b.done
	return tk.b.err
}

func newBatch() *batch { return &batch{done: make(chan struct{})} }

func newCommitter(db *bbolt.DB, window time.Duration, feedSize int, path string, log *slog.Logger) *committer {
	c := &committer{
		db: db, window: window, feedSize: uint64(feedSize), path: path, log: log,
		open:   newBatch(),
		wake:   make(chan struct{}, 1),
		stop:   make(chan struct{}),
		exited: make(chan struct{}),
	}
	go c.run()
	return c
}

// failed returns the error that stops the store from saving writes, if any.
func (c *committer) failed() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

// add queues w for the next flush.
func (c *committer) add(w *diskWrite) ticket {
	c.mu.Lock()
	if c.err != nil {
		err := c.err
		c.mu.Unlock()
		return ticket{err: err}
	}
	b := c.open
	b.writes = append(b.writes, w)
	b.size += w.size
	full := len(b.writes) > maxQueued || b.size > maxQueuedBytes
	c.mu.Unlock()
	select {
	case c.wake <- struct{}{}:
	default:
	}
	return ticket{b: b, await: c.window <= 0 || full}
}

// close flushes what is queued and stops the goroutine; later adds answer ErrClosed.
func (c *committer) close() error {
	c.mu.Lock()
	if c.err == nil {
		c.err = ErrClosed
	}
	c.mu.Unlock()
	close(c.stop)
	<-c.exited
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err == ErrClosed {
		return nil
	}
	return c.err
}

func (c *committer) run() {
	defer close(c.exited)
	var last time.Time
	for {
		select {
		case <-c.wake:
		case <-c.stop:
			c.flushOpen()
			return
		}
		if c.window > 0 {
			if d := c.window - time.Since(last); d > 0 {
				t := time.NewTimer(d)
				select {
				case <-t.C:
				case <-c.stop:
					t.Stop()
				}
			}
			last = time.Now()
		}
		c.flushOpen()
	}
}

// flushOpen saves the queued writes.
func (c *committer) flushOpen() {
	c.mu.Lock()
	b := c.open
	c.open = newBatch()
	failed := c.err != nil && c.err != ErrClosed
	c.mu.Unlock()
	if len(b.writes) == 0 {
		close(b.done)
		return
	}
	if failed {
		b.err = c.failed()
	} else if err := c.flush(b.writes); err != nil {
		b.err = fmt.Errorf("store: saving to %s: %w", c.path, err)
		c.log.Error("saving to the data file failed; the store refuses writes from now on", "path", c.path, "err", err)
		c.mu.Lock()
		c.err = b.err
		c.mu.Unlock()
	}
	close(b.done)
}

// flush saves writes in one bbolt transaction, synced before it returns: first the
// content files the writes name (with a sync window), then the transaction, then the
// content files they leave unnamed are removed.
func (c *committer) flush(writes []*diskWrite) error {
	if err := syncContent(writes, c.log); err != nil {
		return err
	}
	err := guard(func() error {
		return c.db.Update(func(tx *bbolt.Tx) error {
			tenants := tx.Bucket(bucketTenants)
			for _, w := range writes {
				if !w.contentOnly {
					if err := c.apply(tenants, w); err != nil {
						return err
					}
				}
				if err := applyContent(tx, &w.content); err != nil {
					return err
				}
			}
			return nil
		})
	})
	if err == nil {
		unlinkContent(writes, c.log)
	}
	return err
}

// apply saves one write in the tenants bucket.
func (c *committer) apply(tenants *bbolt.Bucket, w *diskWrite) error {
	tkey := u64(w.tenant)
	var tb *bbolt.Bucket
	if w.isNew {
		var err error
		if tb, err = tenants.CreateBucket(tkey); err != nil {
			return err
		}
		if err := tb.Put(keyName, sealed(append(tkey, keyName...), []byte(w.name))); err != nil {
			return err
		}
		for _, name := range [][]byte{bucketColls, bucketRecords, bucketFeed} {
			if _, err := tb.CreateBucket(name); err != nil {
				return err
			}
		}
	} else if tb = tenants.Bucket(tkey); tb == nil {
		return fmt.Errorf("tenant %d missing from the file", w.tenant)
	}
	if w.reset {
		for _, name := range [][]byte{bucketColls, bucketRecords} {
			if err := tb.DeleteBucket(name); err != nil {
				return err
			}
			if _, err := tb.CreateBucket(name); err != nil {
				return err
			}
		}
	}
	cb, rb, fb := tb.Bucket(bucketColls), tb.Bucket(bucketRecords), tb.Bucket(bucketFeed)
	for _, pid := range w.drops {
		if err := cb.Delete(u64(pid)); err != nil {
			return err
		}
		if err := deletePrefix(rb, u64(pid)); err != nil {
			return err
		}
	}
	for i := range w.colls {
		dc := &w.colls[i]
		k := u64(dc.pid)
		if err := cb.Put(k, collValue(k, dc.nextSeq, dc.c)); err != nil {
			return err
		}
	}
	for _, d := range w.dels {
		if err := rb.Delete(recordKey(d.coll, d.seq)); err != nil {
			return err
		}
	}
	for i := range w.puts {
		p := &w.puts[i]
		k := recordKey(p.coll, p.seq)
		if err := rb.Put(k, recordValue(k, &p.e, p.target)); err != nil {
			return err
		}
	}
	for i := range w.changes {
		ch := &w.changes[i]
		k := u64(ch.Seq)
		if err := fb.Put(k, changeValue(k, ch)); err != nil {
			return err
		}
	}
	// Keep the last feedSize changes: those the write pushes out of the window go, by
	// key (a cursor from the first key would walk the pages emptied in this flush).
	// Before the write the file held [before-feedSize+1, before]; it keeps
	// [w.seq-feedSize+1, w.seq].
	before := w.seq - uint64(len(w.changes))
	for k := max(1, max(before+1, c.feedSize)-c.feedSize); k+c.feedSize <= w.seq; k++ {
		if err := fb.Delete(u64(k)); err != nil {
			return err
		}
	}
	var n counts
	if !w.isNew && !w.reset {
		var err error
		if n, err = readCounts(tkey, tb); err != nil {
			return err
		}
	}
	n.colls += w.nColls
	n.records += w.nRecords
	if err := tb.Put(keyCounts, n.value(tkey)); err != nil {
		return err
	}
	return tb.Put(keySeq, sealed(append(tkey, keySeq...), u64(w.seq)))
}

// deletePrefix deletes the keys of b that start with prefix.
func deletePrefix(b *bbolt.Bucket, prefix []byte) error {
	var keys [][]byte
	cur := b.Cursor()
	for k, _ := cur.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = cur.Next() {
		keys = append(keys, bytes.Clone(k))
	}
	for _, k := range keys {
		if err := b.Delete(k); err != nil {
			return err
		}
	}
	return nil
}

// deleteBelow deletes the keys of b (8-byte numbers) less than n.
func deleteBelow(b *bbolt.Bucket, n uint64) error {
	var keys [][]byte
	cur := b.Cursor()
	for k, _ := cur.First(); k != nil && len(k) == 8 && binary.BigEndian.Uint64(k) < n; k, _ = cur.Next() {
		keys = append(keys, bytes.Clone(k))
	}
	for _, k := range keys {
		if err := b.Delete(k); err != nil {
			return err
		}
	}
	return nil
}
