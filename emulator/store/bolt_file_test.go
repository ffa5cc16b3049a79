package store_test

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	bbolt "go.etcd.io/bbolt"

	"github.com/graph-emulator/graph-emulator/emulator/store"
)

// rawFile lists every key and value of the data file in dir, bucket by bucket.
func rawFile(t *testing.T, dir string) string {
	t.Helper()
	db, err := bbolt.Open(filepath.Join(dir, store.BoltFileName), 0o600, &bbolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var b strings.Builder
	var walk func(prefix string, bk *bbolt.Bucket)
	walk = func(prefix string, bk *bbolt.Bucket) {
		_ = bk.ForEach(func(k, v []byte) error {
			if v == nil {
				walk(fmt.Sprintf("%s/%x", prefix, k), bk.Bucket(k))
				return nil
			}
			fmt.Fprintf(&b, "%s/%x = %x\n", prefix, k, v)
			return nil
		})
	}
	err = db.View(func(tx *bbolt.Tx) error {
		return tx.ForEach(func(name []byte, bk *bbolt.Bucket) error {
			walk(string(name), bk)
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func reopen(t *testing.T, b *store.Bolt, dir string, o store.BoltOptions) *store.Bolt {
	t.Helper()
	if err := b.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	return openBolt(t, dir, o)
}

// TestBoltRollbackLeavesNothing: a write that fails or panics, and one that changes
// nothing, leave the file as it was, byte for byte in every key and value.
func TestBoltRollbackLeavesNothing(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	b := openBolt(t, dir, store.BoltOptions{})
	mustWrite(t, b, func(tx store.Tx) error {
		if _, err := tx.Insert(items, item("a")); err != nil {
			return err
		}
		_, err := tx.Insert(items.Contained("a", "children"), item("c"))
		return err
	})
	b.Close()
	before := rawFile(t, dir)
	b = openBolt(t, dir, store.BoltOptions{})
	boom := errors.New("boom")
	err := b.Write(store.DefaultTenant, func(tx store.Tx) error {
		tx.Insert(items, item("b"))
		tx.Replace(items, item("a"), nil)
		tx.Delete(items, "a")
		tx.Insert(store.Set("other"), item("x"))
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("failing write: %v", err)
	}
	func() {
		defer func() { _ = recover() }()
		b.Write(store.DefaultTenant, func(tx store.Tx) error {
			tx.Insert(items, item("p"))
			tx.Delete(items, "a")
			panic(boom)
		})
	}()
	mustWrite(t, b, func(tx store.Tx) error { return nil })
	if err := b.Write("never-written", func(tx store.Tx) error { tx.Insert(items, item("n")); return boom }); !errors.Is(err, boom) {
		t.Fatalf("failing write of a new tenant: %v", err)
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if after := rawFile(t, dir); after != before {
		t.Errorf("the file changed:\nbefore:\n%s\nafter:\n%s", before, after)
	}
}

// TestBoltAcrossRestart: versions (ETags) and Seqs keep increasing after a reopen, and
// the change feed goes on from where it was: a reader that was in step before the
// restart reads on.
func TestBoltAcrossRestart(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	b := openBolt(t, dir, store.BoltOptions{})
	insertN(t, b, items, 3)
	var v1 store.Entity
	mustWrite(t, b, func(tx store.Tx) error {
		var err error
		v1, err = tx.Replace(items, item("000001"), []string{"id"})
		return err
	})
	seq := seqOf(t, b)
	b = reopen(t, b, dir, store.BoltOptions{})
	if got := seqOf(t, b); got != seq {
		t.Fatalf("Seq after reopen = %d, want %d", got, seq)
	}
	var v2, e4 store.Entity
	mustWrite(t, b, func(tx store.Tx) error {
		var err error
		if v2, err = tx.Replace(items, item("000001"), []string{"id"}); err != nil {
			return err
		}
		e4, err = tx.Insert(items, item("new"))
		return err
	})
	if v2.Version <= v1.Version || v2.Seq != v1.Seq {
		t.Errorf("replaced after reopen: version %d seq %d; before: version %d seq %d", v2.Version, v2.Seq, v1.Version, v1.Seq)
	}
	if e4.Seq != 4 || e4.Version <= v2.Version {
		t.Errorf("inserted after reopen: seq %d version %d, want seq 4 and a version above %d", e4.Seq, e4.Version, v2.Version)
	}
	var kinds []string
	err := b.Changes(store.DefaultTenant, 0, func(c store.Change) bool {
		kinds = append(kinds, fmt.Sprintf("%d %s %s", c.Seq, c.Kind, c.ID))
		return true
	})
	want := []string{"1 created 000000", "2 created 000001", "3 created 000002", "4 updated 000001", "5 updated 000001", "6 created new"}
	if err != nil || !slices.Equal(kinds, want) {
		t.Errorf("Changes(0) after reopen = %q, %v; want %q", kinds, err, want)
	}
	// A store that reopens with a smaller feed keeps the last changes only.
	b = reopen(t, b, dir, store.BoltOptions{FeedSize: 2})
	if err := b.Changes(store.DefaultTenant, 3, func(store.Change) bool { return true }); !errors.Is(err, store.ErrTruncated) {
		t.Errorf("Changes(3) with a feed of 2 = %v, want ErrTruncated", err)
	}
	var got []uint64
	if err := b.Changes(store.DefaultTenant, 4, func(c store.Change) bool { got = append(got, c.Seq); return true }); err != nil || !slices.Equal(got, []uint64{5, 6}) {
		t.Errorf("Changes(4) with a feed of 2 = %v, %v; want [5 6]", got, err)
	}
	mustWrite(t, b, func(tx store.Tx) error { _, err := tx.Insert(items, item("later")); return err })
	// ... and trims the file, so that a larger feed later does not invent changes.
	b = reopen(t, b, dir, store.BoltOptions{FeedSize: 100})
	if err := b.Changes(store.DefaultTenant, 4, func(store.Change) bool { return true }); !errors.Is(err, store.ErrTruncated) {
		t.Errorf("Changes(4) after the trim = %v, want ErrTruncated", err)
	}
	got = nil
	if err := b.Changes(store.DefaultTenant, 5, func(c store.Change) bool { got = append(got, c.Seq); return true }); err != nil || !slices.Equal(got, []uint64{6, 7}) {
		t.Errorf("Changes(5) = %v, %v; want [6 7]", got, err)
	}
}

func seqOf(t *testing.T, s store.Store) uint64 {
	t.Helper()
	var seq uint64
	s.Read(store.DefaultTenant, func(v store.View) error { seq = v.Seq(); return nil })
	return seq
}

// TestBoltResetPersisted: Reset and ResetAll are saved, with their Reset change, and
// sequence numbers go on counting after them.
func TestBoltResetPersisted(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	b := openBolt(t, dir, store.BoltOptions{})
	for _, tenant := range []string{"a", "b", "c"} {
		if err := b.Write(tenant, func(tx store.Tx) error { _, err := tx.Insert(items, item(tenant)); return err }); err != nil {
			t.Fatal(err)
		}
	}
	b.Reset("a")
	b = reopen(t, b, dir, store.BoltOptions{})
	lens := func() string {
		var out []string
		for _, tenant := range []string{"a", "b", "c"} {
			b.Read(tenant, func(v store.View) error {
				out = append(out, fmt.Sprintf("%s:%d@%d", tenant, v.Len(items), v.Seq()))
				return nil
			})
		}
		return strings.Join(out, " ")
	}
	if got, want := lens(), "a:0@2 b:1@1 c:1@1"; got != want {
		t.Errorf("after Reset(a) and a reopen: %s, want %s", got, want)
	}
	b.ResetAll()
	b = reopen(t, b, dir, store.BoltOptions{})
	if got, want := lens(), "a:0@3 b:0@2 c:0@2"; got != want {
		t.Errorf("after ResetAll and a reopen: %s, want %s", got, want)
	}
	var last store.Change
	b.Changes("b", 1, func(c store.Change) bool { last = c; return true })
	if last.Kind != store.Reset || last.Seq != 2 {
		t.Errorf("b's last change = %+v, want Reset 2", last)
	}
	mustWrite(t, b, func(tx store.Tx) error { _, err := tx.Insert(items, item("again")); return err })
	if err := b.Write("a", func(tx store.Tx) error { _, err := tx.Insert(items, item("a")); return err }); err != nil {
		t.Fatal(err)
	}
	b = reopen(t, b, dir, store.BoltOptions{})
	b.Read("a", func(v store.View) error {
		if e, err := v.Get(items, "a"); err != nil || e.Version != 4 || e.Seq != 1 {
			t.Errorf("a re-inserted after the resets: %+v, %v; want version 4 seq 1", e, err)
		}
		return nil
	})
}

// TestBoltSyncWindow: with a sync window, writes return before they are saved; Close
// saves them.
func TestBoltSyncWindowClose(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	o := store.BoltOptions{SyncWindow: time.Hour}
	b := openBolt(t, dir, o)
	insertN(t, b, items, 10)
	b = reopen(t, b, dir, o)
	b.Read(store.DefaultTenant, func(v store.View) error {
		if v.Len(items) != 10 {
			t.Errorf("after Close and reopen: %d entities, want 10", v.Len(items))
		}
		return nil
	})
}

// TestBoltLocked: a second store on the same directory is refused while the first is
// open, and opens once it is closed.
func TestBoltLocked(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	b := openBolt(t, dir, store.BoltOptions{})
	start := time.Now()
	_, err := store.OpenBolt(dir, store.BoltOptions{LockTimeout: 50 * time.Millisecond})
	if !errors.Is(err, store.ErrLocked) || !strings.Contains(err.Error(), dir) {
		t.Fatalf("second OpenBolt = %v, want ErrLocked naming the directory", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("refused after %v", d)
	}
	b.Close()
	openBolt(t, dir, store.BoltOptions{})
}

// TestBoltFailStop: once saving fails, the failing write and every later one answer
// an error, and reads go on.
func TestBoltFailStop(t *testing.T) {
	t.Parallel()
	b, err := store.OpenBolt(t.TempDir(), store.BoltOptions{})
	if err != nil {
		t.Fatal(err)
	}
	insertN(t, b, items, 1)
	if err := store.CloseFile(b); err != nil {
		t.Fatal(err)
	}
	err = b.Write(store.DefaultTenant, func(tx store.Tx) error { _, err := tx.Insert(items, item("x")); return err })
	if err == nil {
		t.Fatal("a write after the file failed: no error")
	}
	ran := false
	err2 := b.Write(store.DefaultTenant, func(tx store.Tx) error { ran = true; return nil })
	if err2 == nil || ran {
		t.Errorf("a later write: ran %v, error %v; want refused", ran, err2)
	}
	b.Read(store.DefaultTenant, func(v store.View) error {
		if v.Len(items) != 2 {
			t.Errorf("reads see %d entities, want 2", v.Len(items))
		}
		return nil
	})
	if err := b.Close(); err == nil {
		t.Error("Close of a store that failed: no error")
	}
}

// savedDir returns a directory whose data file holds a few entities of two tenants,
// one of them with body, and the dump of the store that wrote it.
func savedDir(t *testing.T, n int, body string) (string, string) {
	t.Helper()
	dir := t.TempDir()
	b, err := store.OpenBolt(dir, store.BoltOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tenant := range []string{store.DefaultTenant, "other"} {
		err := b.Write(tenant, func(tx store.Tx) error {
			for i := range n {
				e := item(fmt.Sprintf("%s-%04d", tenant, i))
				e.Body = []byte(fmt.Sprintf(`{"id":%q,"v":%q}`, e.ID, body))
				if _, err := tx.Insert(items, e); err != nil {
					return err
				}
				if _, err := tx.Link(items.Refs(e.ID, "next"), items, e.ID); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	d := store.Dump(b.Memory())
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	return dir, d
}

func changeFile(t *testing.T, dir string, fn func([]byte) []byte) {
	t.Helper()
	path := filepath.Join(dir, store.BoltFileName)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, fn(data), 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestBoltDamagedFile: a file that is not a graph-emulator data file, or was damaged,
// is refused at open with ErrDamaged and its name, never with a panic.
func TestBoltDamagedFile(t *testing.T) {
	t.Parallel()
	const marker = "MARKER-OF-A-BODY"
	for _, tt := range []struct {
		name string
		// make prepares dir; files saved by savedDir are then changed by it.
		make func(t *testing.T) string
		want string
	}{
		{name: "text file", want: "invalid database", make: func(t *testing.T) string {
			dir := t.TempDir()
			os.WriteFile(filepath.Join(dir, store.BoltFileName), []byte("hello, world\n"), 0o600)
			return dir
		}},
		{name: "random bytes", make: func(t *testing.T) string {
			dir := t.TempDir()
			data := make([]byte, 64<<10)
			r := rand.New(rand.NewPCG(3, 4))
			for i := range data {
				data[i] = byte(r.Uint32())
			}
			os.WriteFile(filepath.Join(dir, store.BoltFileName), data, 0o600)
			return dir
		}},
		{name: "another program's bbolt file", want: "another program", make: func(t *testing.T) string {
			dir := t.TempDir()
			db, err := bbolt.Open(filepath.Join(dir, store.BoltFileName), 0o600, nil)
			if err != nil {
				t.Fatal(err)
			}
			db.Update(func(tx *bbolt.Tx) error {
				bk, _ := tx.CreateBucket([]byte("settings"))
				return bk.Put([]byte("k"), []byte("v"))
			})
			db.Close()
			return dir
		}},
		{name: "a newer format", want: `format "2"`, make: func(t *testing.T) string {
			dir, _ := savedDir(t, 3, "x")
			db, err := bbolt.Open(filepath.Join(dir, store.BoltFileName), 0o600, nil)
			if err != nil {
				t.Fatal(err)
			}
			db.Update(func(tx *bbolt.Tx) error {
				return tx.Bucket([]byte("graph-emulator")).Put([]byte("format"), []byte("2"))
			})
			db.Close()
			return dir
		}},
		{name: "a byte of a body changed", want: "checksum", make: func(t *testing.T) string {
			dir, _ := savedDir(t, 3, marker)
			changeFile(t, dir, func(data []byte) []byte {
				i := bytes.Index(data, []byte(marker))
				if i < 0 {
					t.Fatal("marker not in the file")
				}
				data[i+3] ^= 0x20
				return data
			})
			return dir
		}},
		{name: "a record removed", want: "saved", make: func(t *testing.T) string {
			dir, _ := savedDir(t, 3, "x")
			db, err := bbolt.Open(filepath.Join(dir, store.BoltFileName), 0o600, nil)
			if err != nil {
				t.Fatal(err)
			}
			db.Update(func(tx *bbolt.Tx) error {
				var r *bbolt.Bucket
				tx.Bucket([]byte("tenants")).ForEachBucket(func(k []byte) error {
					r = tx.Bucket([]byte("tenants")).Bucket(k).Bucket([]byte("r"))
					return nil
				})
				k, _ := r.Cursor().Last()
				return r.Delete(k)
			})
			db.Close()
			return dir
		}},
		{name: "both meta pages zeroed", make: func(t *testing.T) string {
			dir, _ := savedDir(t, 3, "x")
			changeFile(t, dir, func(data []byte) []byte {
				clear(data[:2*4096])
				return data
			})
			return dir
		}},
		{name: "truncated to half", make: func(t *testing.T) string {
			dir, _ := savedDir(t, 300, strings.Repeat("x", 500))
			changeFile(t, dir, func(data []byte) []byte { return data[:len(data)/2] })
			return dir
		}},
		{name: "a page of data zeroed", make: func(t *testing.T) string {
			dir, _ := savedDir(t, 300, strings.Repeat("x", 500))
			changeFile(t, dir, func(data []byte) []byte {
				clear(data[len(data)/2/4096*4096:][:4096])
				return data
			})
			return dir
		}},
		{name: "a directory in the file's place", want: "not a regular file", make: func(t *testing.T) string {
			dir := t.TempDir()
			os.Mkdir(filepath.Join(dir, store.BoltFileName), 0o755)
			return dir
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := tt.make(t)
			b, err := store.OpenBolt(dir, store.BoltOptions{})
			if err == nil {
				b.Close()
				t.Fatal("OpenBolt: no error")
			}
			if !errors.Is(err, store.ErrDamaged) {
				t.Errorf("OpenBolt = %v, want ErrDamaged", err)
			}
			t.Log(err)
			if !strings.Contains(err.Error(), filepath.Join(dir, store.BoltFileName)) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("OpenBolt = %q, want the file's name and %q", err, tt.want)
			}
		})
	}
}

// TestBoltDamagedByteAnywhere changes one byte at a time at offsets all over the data
// file (past its two meta pages, where bbolt falls back on the previous commit): each
// open either answers ErrDamaged or loads exactly what was saved (the byte was in
// unused space), and never panics.
func TestBoltDamagedByteAnywhere(t *testing.T) {
	t.Parallel()
	dir, want := savedDir(t, 40, strings.Repeat("y", 200))
	path := filepath.Join(dir, store.BoltFileName)
	orig, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// Only the pages in use: bbolt's high-water mark, past which the file is unused.
	var used int64
	db, err := bbolt.Open(path, 0o600, &bbolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	db.View(func(tx *bbolt.Tx) error { used = tx.Size(); return nil })
	db.Close()
	offsets := 120
	if testing.Short() {
		offsets = 30
	}
	step := max(1, (int(used)-2*4096)/offsets) | 1 // odd: every position within a page
	var refused, same int
	for off := 2 * 4096; off < int(used); off += step {
		data := bytes.Clone(orig)
		data[off] ^= 0x5a
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		b, err := store.OpenBolt(dir, store.BoltOptions{})
		if err != nil {
			if !errors.Is(err, store.ErrDamaged) {
				t.Errorf("byte %d changed: %v, want ErrDamaged", off, err)
			}
			refused++
			continue
		}
		got := store.Dump(b.Memory())
		b.Close()
		if got != want {
			t.Fatalf("byte %d changed: loaded without an error, and differs:\n%s", off, diff(want, got))
		}
		same++
	}
	t.Logf("a %d-byte file, %d bytes in use, a byte changed at %d offsets: %d opens refused, %d loaded what was saved", len(orig), used, refused+same, refused, same)
}
