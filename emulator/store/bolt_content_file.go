package store

import (
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"

	bbolt "go.etcd.io/bbolt"
)

// The content index in the data file (see bolt_content.go for the files):
//
//	content/                   made with the first content saved
//	  <tenant id>/             16 bytes: the first half of the SHA-256 of the name
//	    n                      the tenant's name
//	    k<key>                 a key: its blob's 16 bytes, then its size (uvarint)
//
// Values end with a CRC-32C of their key and value, as the entities' do (for a key, of
// the tenant id and the key).
var (
	bucketContent  = []byte("content")
	keyContentName = []byte("n")
)

func contentEntryKey(key string) []byte { return append([]byte{'k'}, key...) }

func contentValue(tid [16]byte, k []byte, blob [16]byte, size int64) []byte {
	v := append(make([]byte, 0, 32), blob[:]...)
	v = binary.AppendUvarint(v, uint64(size))
	return sealed(append(tid[:], k...), v)
}

// applyContent saves a write's changes to a tenant's index, in the committer's
// transaction.
func applyContent(tx *bbolt.Tx, cw *diskContentWrite) error {
	if len(cw.ops) == 0 {
		return nil
	}
	root, err := tx.CreateBucketIfNotExists(bucketContent)
	if err != nil {
		return err
	}
	ct := cw.tenant
	tb := root.Bucket(ct.id[:])
	for _, op := range cw.ops {
		if op.kind == contentReset {
			if tb != nil {
				if err := root.DeleteBucket(ct.id[:]); err != nil {
					return err
				}
				tb = nil
			}
			continue
		}
		if tb == nil {
			if op.kind == contentDel {
				continue
			}
			if tb, err = root.CreateBucket(ct.id[:]); err != nil {
				return err
			}
			if err := tb.Put(keyContentName, sealed(append(ct.id[:], keyContentName...), []byte(ct.name))); err != nil {
				return err
			}
		}
		k := contentEntryKey(op.key)
		if op.kind == contentDel {
			err = tb.Delete(k)
		} else {
			err = tb.Put(k, contentValue(ct.id, k, op.blob, op.size))
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// syncContent syncs the files and directories the writes' changes name before they
// are saved (with a sync window; without one they were synced before they were
// queued). A file another change of the same writes leaves unnamed is skipped.
func syncContent(writes []*diskWrite, log *slog.Logger) error {
	dead := map[string]bool{}
	for _, w := range writes {
		for _, p := range w.content.unlinks {
			dead[p] = true
		}
	}
	done := map[string]bool{}
	for _, w := range writes {
		for _, p := range w.content.syncs {
			if dead[p] || done[p] {
				continue
			}
			done[p] = true
			f, err := os.OpenFile(p, os.O_RDWR, 0)
			if errors.Is(err, fs.ErrNotExist) {
				log.Error("content file missing before its sync", "path", p)
				continue
			}
			if err == nil {
				err = f.Sync()
				if cerr := f.Close(); err == nil {
					err = cerr
				}
			}
			if err != nil {
				return fmt.Errorf("syncing content: %w", err)
			}
		}
	}
	for _, w := range writes {
		for _, d := range w.content.syncDirs {
			if done[d] {
				continue
			}
			done[d] = true
			if err := syncDir(d); err != nil {
				return fmt.Errorf("syncing content: %w", err)
			}
		}
	}
	return nil
}

// unlinkContent removes the blobs the saved writes left unnamed. One that cannot be
// removed (a reader holds it open, on Windows) is removed at the next open.
func unlinkContent(writes []*diskWrite, log *slog.Logger) {
	for _, w := range writes {
		for _, p := range w.content.unlinks {
			if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
				log.Warn("content file not removed; it will be at the next start", "path", p, "err", err)
			}
		}
	}
}

// openContent loads the content index and brings the content directory in line with
// it: files it does not name are removed, the bytes past what a blob's keys name (an
// append a crash interrupted) are cut, and keys whose file is missing or short (the
// directory was changed by hand) are dropped, with an error logged.
func (b *Bolt) openContent(dc *diskContent) error {
	type loaded struct {
		ct    *diskTenant
		blobs map[[16]byte]*diskBlob
		max   map[*diskBlob]int64 // the largest size a key gives the blob
	}
	byID := map[string]*loaded{} // by directory name
	var files, bytes int64
	err := b.db.View(func(tx *bbolt.Tx) error {
		root := tx.Bucket(bucketContent)
		if root == nil {
			return nil
		}
		return root.ForEachBucket(func(tid []byte) error {
			tb := root.Bucket(tid)
			if len(tid) != 16 {
				return damaged(b.path, "content tenant key %x", tid)
			}
			nameV, err := unseal(append(tid, keyContentName...), tb.Get(keyContentName))
			if err != nil {
				return damaged(b.path, "content tenant %x: name: %v", tid, err)
			}
			name := string(nameV)
			if tenantID(name) != [16]byte(tid) {
				return damaged(b.path, "content tenant %q: key %x", name, tid)
			}
			ct := dc.tenant(name, true)
			l := &loaded{ct: ct, blobs: map[[16]byte]*diskBlob{}, max: map[*diskBlob]int64{}}
			byID[filepath.Base(ct.dir)] = l
			return tb.ForEach(func(k, v []byte) error {
				if k[0] == keyContentName[0] && len(k) == 1 {
					return nil
				}
				if len(k) < 2 || k[0] != 'k' {
					return damaged(b.path, "content tenant %q: key %q", name, k)
				}
				body, err := unseal(append(tid, k...), v)
				var size uint64
				n := 0
				if err == nil {
					if len(body) > 16 {
						size, n = binary.Uvarint(body[16:])
					}
					if n <= 0 || 16+n != len(body) || size > 1<<62 {
						err = errors.New("malformed value")
					}
				}
				if err != nil {
					return damaged(b.path, "content tenant %q: key %q: %v", name, k[1:], err)
				}
				id := [16]byte(body[:16])
				blob := l.blobs[id]
				if blob == nil {
					blob = &diskBlob{id: id, path: filepath.Join(ct.dir, hex.EncodeToString(id[:]))}
					l.blobs[id] = blob
				}
				blob.refs++
				l.max[blob] = max(l.max[blob], int64(size))
				ct.keys[string(k[1:])] = diskEntry{blob: blob, size: int64(size)}
				ct.used += int64(size)
				return nil
			})
		})
	})
	if err != nil {
		return err
	}

	if _, err := os.Stat(dc.dir); errors.Is(err, fs.ErrNotExist) {
		if err := os.Mkdir(dc.dir, 0o755); err != nil {
			return fmt.Errorf("store: content directory: %w", err)
		}
		if err := syncDir(filepath.Dir(dc.dir)); err != nil {
			return fmt.Errorf("store: content directory: %w", err)
		}
	}
	dirs, err := os.ReadDir(dc.dir)
	if err != nil {
		return fmt.Errorf("store: content directory: %w", err)
	}
	var removed int
	seen := map[*diskBlob]bool{}
	for _, d := range dirs {
		if !isContentName(d.Name()) {
			continue // not ours
		}
		path := filepath.Join(dc.dir, d.Name())
		l := byID[d.Name()]
		if l == nil || !d.IsDir() {
			// A tenant the index does not name: its files are all left over.
			if err := os.RemoveAll(path); err != nil {
				return fmt.Errorf("store: removing left-over content: %w", err)
			}
			removed++
			continue
		}
		l.ct.made = true
		entries, err := os.ReadDir(path)
		if err != nil {
			return fmt.Errorf("store: content directory: %w", err)
		}
		for _, fe := range entries {
			if !isContentName(fe.Name()) {
				continue
			}
			p := filepath.Join(path, fe.Name())
			var id [16]byte
			_, _ = hex.Decode(id[:], []byte(fe.Name()))
			blob := l.blobs[id]
			if blob == nil || !fe.Type().IsRegular() {
				if err := os.RemoveAll(p); err != nil {
					return fmt.Errorf("store: removing left-over content: %w", err)
				}
				removed++
				continue
			}
			info, err := fe.Info()
			if err != nil {
				return fmt.Errorf("store: content directory: %w", err)
			}
			want := l.max[blob]
			switch {
			case info.Size() < want:
				continue // short: dropped below, as a missing one
			case info.Size() > want:
				// The tail of an append the crash interrupted.
				if err := os.Truncate(p, want); err != nil {
					return fmt.Errorf("store: cutting content: %w", err)
				}
			}
			seen[blob] = true
			files++
			bytes += want
		}
	}
	// Keys whose file is gone or short.
	type lost struct {
		ct  *diskTenant
		key string
	}
	var drops []lost
	for _, l := range byID {
		for key, e := range l.ct.keys {
			if !seen[e.blob] {
				drops = append(drops, lost{l.ct, key})
			}
		}
	}
	if len(drops) > 0 {
		err := b.db.Update(func(tx *bbolt.Tx) error {
			root := tx.Bucket(bucketContent)
			for _, d := range drops {
				if err := root.Bucket(d.ct.id[:]).Delete(contentEntryKey(d.key)); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("store: dropping lost content from %s: %w", b.path, err)
		}
		for _, d := range drops {
			e := d.ct.keys[d.key]
			d.ct.used -= e.size
			e.blob.refs--
			delete(d.ct.keys, d.key)
			b.log.Error("content file missing or short: its key is dropped, and reads as missing", "tenant", d.ct.name, "key", d.key, "path", e.blob.path)
		}
		// A short file no key names any more.
		for _, l := range byID {
			for _, blob := range l.blobs {
				if blob.refs == 0 {
					_ = os.Remove(blob.path)
				}
			}
		}
	}
	b.log.Info("content loaded", "dir", dc.dir, "files", files, "bytes", bytes, "removed", removed+len(drops))
	return nil
}

// isContentName reports whether name is one this package gives content directories
// and files: 32 lower-case hex digits.
func isContentName(name string) bool {
	if len(name) != 32 {
		return false
	}
	for _, c := range []byte(name) {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}
