package store_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/graph-emulator/graph-emulator/emulator/store"
	"github.com/graph-emulator/graph-emulator/emulator/store/storetest"
)

func TestBoltContent(t *testing.T) {
	storetest.RunContent(t, func(t *testing.T) (store.Content, func(string)) {
		return openBolt(t, t.TempDir(), store.BoltOptions{}), nil
	})
}

func TestBoltContentSyncWindow(t *testing.T) {
	storetest.RunContent(t, func(t *testing.T) (store.Content, func(string)) {
		return openBolt(t, t.TempDir(), store.BoltOptions{SyncWindow: 5 * time.Millisecond}), nil
	})
}

// The capability resets with the store's tenants.
func TestBoltStoreContent(t *testing.T) {
	storetest.RunContent(t, func(t *testing.T) (store.Content, func(string)) {
		b := openBolt(t, t.TempDir(), store.BoltOptions{})
		return b, b.Reset
	})
}

func read(t *testing.T, c store.Content, tenant, key string) string {
	t.Helper()
	r, err := c.OpenContent(tenant, key)
	if err != nil {
		t.Fatalf("OpenContent(%q, %q): %v", tenant, key, err)
	}
	defer r.Close()
	b, err := io.ReadAll(io.NewSectionReader(r, 0, r.Size()))
	if err != nil {
		t.Fatalf("read %q: %v", key, err)
	}
	return string(b)
}

func write(t *testing.T, c store.Content, tenant, key, data string) {
	t.Helper()
	if _, err := c.WriteContent(tenant, key, strings.NewReader(data), 0); err != nil {
		t.Fatalf("WriteContent(%q): %v", key, err)
	}
}

func missingContent(t *testing.T, c store.Content, tenant, key string) {
	t.Helper()
	if _, err := c.ContentSize(tenant, key); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("ContentSize(%q, %q): %v, want ErrNotFound", tenant, key, err)
	}
}

// contentFiles lists the files under dir/content, by path relative to it.
func contentFiles(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	root := filepath.Join(dir, "content")
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			rel, _ := filepath.Rel(root, p)
			out = append(out, rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// tenantDir is where a tenant's content files are.
func tenantDir(dir, tenant string) string {
	sum := sha256.Sum256([]byte(tenant))
	return filepath.Join(dir, "content", hex.EncodeToString(sum[:16]))
}

// TestBoltContentAcrossRestart: what was written, appended, renamed, copied and
// deleted reads the same after a restart, with the same usage; in both sync modes.
func TestBoltContentAcrossRestart(t *testing.T) {
	t.Parallel()
	for _, o := range []store.BoltOptions{{}, {SyncWindow: 20 * time.Millisecond}} {
		t.Run(fmt.Sprint("window=", o.SyncWindow), func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			b := openBolt(t, dir, o)
			big := strings.Repeat("0123456789abcdef", 100_000)
			write(t, b, "a", "small", "hello")
			write(t, b, "a", "big", big)
			write(t, b, "a", "gone", "deleted soon")
			write(t, b, "b", "small", "of b")
			write(t, b, "", "k", "of the empty tenant")
			for i, part := range []string{"ab", "cd", big} {
				off, _ := b.ContentSize("a", "session")
				if _, err := b.AppendContent("a", "session", off, strings.NewReader(part), 0); err != nil {
					t.Fatalf("append %d: %v", i, err)
				}
			}
			if err := b.CopyContent("a", "big", "big copy", 0); err != nil {
				t.Fatal(err)
			}
			if err := b.RenameContent("a", "session", "done"); err != nil {
				t.Fatal(err)
			}
			if err := b.DeleteContent("a", "gone"); err != nil {
				t.Fatal(err)
			}
			usage := b.ContentUsage("a")
			b = reopen(t, b, dir, o)
			for key, want := range map[string]string{"small": "hello", "big": big, "big copy": big, "done": "abcd" + big} {
				if got := read(t, b, "a", key); got != want {
					t.Errorf("after restart %q reads %d bytes, want %d", key, len(got), len(want))
				}
			}
			missingContent(t, b, "a", "gone")
			missingContent(t, b, "a", "session")
			if got := read(t, b, "b", "small"); got != "of b" {
				t.Errorf("b reads %q", got)
			}
			if got := read(t, b, "", "k"); got != "of the empty tenant" {
				t.Errorf("the empty tenant reads %q", got)
			}
			if got := b.ContentUsage("a"); got != usage {
				t.Errorf("usage after restart %d, want %d", got, usage)
			}
			// The copy shares its source's file: 4 files (a: small, big, done; b; "").
			if files := contentFiles(t, dir); len(files) != 5 {
				t.Errorf("files after restart: %q, want 5", files)
			}
			// Appending to one of two keys sharing a file leaves the other as it was.
			if _, err := b.AppendContent("a", "big copy", int64(len(big)), strings.NewReader("+"), 0); err != nil {
				t.Fatal(err)
			}
			if got := read(t, b, "a", "big"); got != big {
				t.Errorf("big changed by an append to its copy (%d bytes)", len(got))
			}
			b = reopen(t, b, dir, o)
			if got := read(t, b, "a", "big copy"); got != big+"+" {
				t.Errorf("big copy reads %d bytes after the append and a restart", len(got))
			}
		})
	}
}

// TestBoltContentLeftovers: at open, files the index does not name are removed (a
// write that never got saved, a tenant that is gone), the tail of an interrupted
// append is cut, a key whose file is missing reads as missing, and files that are
// not the store's are left alone.
func TestBoltContentLeftovers(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	b := openBolt(t, dir, store.BoltOptions{})
	write(t, b, "a", "kept", "kept bytes")
	write(t, b, "a", "appended", "0123")
	write(t, b, "a", "lost", "its file goes")
	write(t, b, "b", "k", "of b")
	usage := b.ContentUsage("a")
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	files := contentFiles(t, dir)
	if len(files) != 4 {
		t.Fatalf("files %q", files)
	}
	ta := tenantDir(dir, "a")
	strays := []string{
		filepath.Join(ta, strings.Repeat("ab", 16)),                         // a write in progress at the crash
		filepath.Join(dir, "content", strings.Repeat("cd", 16), "whatever"), // a tenant not in the index
	}
	for _, p := range strays {
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("stray"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	foreign := filepath.Join(dir, "content", "README")
	if err := os.WriteFile(foreign, []byte("mine"), 0o600); err != nil {
		t.Fatal(err)
	}
	// Find the files by content: the appended one gets a tail, the lost one goes.
	for _, f := range files {
		p := filepath.Join(dir, "content", f)
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		switch string(data) {
		case "0123":
			if err := os.WriteFile(p, []byte("0123 and a partial append"), 0o600); err != nil {
				t.Fatal(err)
			}
		case "its file goes":
			if err := os.Remove(p); err != nil {
				t.Fatal(err)
			}
		}
	}
	b = openBolt(t, dir, store.BoltOptions{})
	for _, p := range strays {
		if _, err := os.Stat(p); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s left: %v", p, err)
		}
	}
	if _, err := os.Stat(foreign); err != nil {
		t.Errorf("a file that is not the store's was removed: %v", err)
	}
	if got := read(t, b, "a", "kept"); got != "kept bytes" {
		t.Errorf("kept reads %q", got)
	}
	if got := read(t, b, "a", "appended"); got != "0123" {
		t.Errorf("appended reads %q", got)
	}
	missingContent(t, b, "a", "lost")
	if got, want := b.ContentUsage("a"), usage-int64(len("its file goes")); got != want {
		t.Errorf("usage %d, want %d", got, want)
	}
	// The next append goes on from the saved size.
	if _, err := b.AppendContent("a", "appended", 4, strings.NewReader("45"), 0); err != nil {
		t.Fatal(err)
	}
	b = reopen(t, b, dir, store.BoltOptions{})
	if got := read(t, b, "a", "appended"); got != "012345" {
		t.Errorf("appended reads %q", got)
	}
	missingContent(t, b, "a", "lost") // dropped from the file too
	if got := len(contentFiles(t, dir)); got != 3+1 {
		t.Errorf("%d files, want 3 and the foreign one", got)
	}
}

// TestBoltContentUnsaved: content written while the data file fails is not saved;
// its file is removed at the next open, and what was saved before reads as it was.
func TestBoltContentUnsaved(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	b, err := store.OpenBolt(dir, store.BoltOptions{})
	if err != nil {
		t.Fatal(err)
	}
	write(t, b, "a", "k", "saved")
	if err := store.CloseFile(b); err != nil {
		t.Fatal(err)
	}
	if _, err := b.WriteContent("a", "k", strings.NewReader("never saved"), 0); err == nil {
		t.Fatal("WriteContent with the data file closed: no error")
	}
	if _, err := b.WriteContent("a", "x", strings.NewReader("refused"), 0); err == nil {
		t.Fatal("WriteContent after a failed save: no error")
	}
	if n := len(contentFiles(t, dir)); n != 2 {
		t.Fatalf("%d files, want the saved one and the unsaved one", n)
	}
	_ = b.Close()
	b = openBolt(t, dir, store.BoltOptions{})
	if got := read(t, b, "a", "k"); got != "saved" {
		t.Errorf("k reads %q", got)
	}
	if n := len(contentFiles(t, dir)); n != 1 {
		t.Errorf("%d files after the open, want 1", n)
	}
}

// TestBoltContentReset: a reset removes the tenant's files (once saved) and only its
// own; after a restart the tenant has none, and its usage is zero.
func TestBoltContentReset(t *testing.T) {
	t.Parallel()
	for _, reset := range []string{"ResetContent", "Reset", "ResetAll"} {
		t.Run(reset, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			b := openBolt(t, dir, store.BoltOptions{})
			insertN(t, b, items, 1)
			write(t, b, store.DefaultTenant, "k1", "one")
			write(t, b, store.DefaultTenant, "k2", "two")
			write(t, b, "other", "k", "of other")
			switch reset {
			case "ResetContent":
				b.ResetContent(store.DefaultTenant)
			case "Reset":
				b.Reset(store.DefaultTenant)
			case "ResetAll":
				b.ResetAll()
			}
			if n := len(contentFiles(t, dir)); reset == "ResetAll" && n != 0 || reset != "ResetAll" && n != 1 {
				t.Fatalf("%d files after %s", n, reset)
			}
			b = reopen(t, b, dir, store.BoltOptions{})
			missingContent(t, b, store.DefaultTenant, "k1")
			if got := b.ContentUsage(store.DefaultTenant); got != 0 {
				t.Errorf("usage %d after %s and a restart", got, reset)
			}
			if reset != "ResetAll" {
				if got := read(t, b, "other", "k"); got != "of other" {
					t.Errorf("other reads %q", got)
				}
			}
			write(t, b, store.DefaultTenant, "k1", "again")
			b = reopen(t, b, dir, store.BoltOptions{})
			if got := read(t, b, store.DefaultTenant, "k1"); got != "again" {
				t.Errorf("k1 reads %q", got)
			}
		})
	}
}

// TestBoltContentLimit: usage is computed at open, and the limit holds against it.
func TestBoltContentLimit(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	b := openBolt(t, dir, store.BoltOptions{})
	write(t, b, "a", "k", "12345")
	if err := b.CopyContent("a", "k", "copy", 0); err != nil {
		t.Fatal(err)
	}
	b = reopen(t, b, dir, store.BoltOptions{})
	if got := b.ContentUsage("a"); got != 10 {
		t.Fatalf("usage %d after restart, want 10", got)
	}
	if _, err := b.WriteContent("a", "x", strings.NewReader("1"), 10); !errors.Is(err, store.ErrContentQuota) {
		t.Fatalf("WriteContent past the limit: %v", err)
	}
	if _, err := b.AppendContent("a", "k", 5, strings.NewReader("6"), 10); !errors.Is(err, store.ErrContentQuota) {
		t.Fatalf("AppendContent past the limit: %v", err)
	}
	if n := len(contentFiles(t, dir)); n != 1 {
		t.Fatalf("%d files after refused writes, want 1", n)
	}
	if err := b.DeleteContent("a", "copy"); err != nil {
		t.Fatal(err)
	}
	if _, err := b.WriteContent("a", "x", strings.NewReader("12345"), 10); err != nil {
		t.Fatalf("WriteContent within the limit: %v", err)
	}
	b = reopen(t, b, dir, store.BoltOptions{})
	if got := b.ContentUsage("a"); got != 10 {
		t.Fatalf("usage %d, want 10", got)
	}
}

// TestBoltContentInWrite: content changed inside a Write of its tenant (as the drive
// behaviour moves an upload under its item's key) is saved with the write, without
// waiting on it; changed inside a write that fails, it stands, as in memory. Writes
// and content changes from other goroutines meanwhile neither deadlock nor race.
func TestBoltContentInWrite(t *testing.T) {
	t.Parallel()
	for _, o := range []store.BoltOptions{{}, {SyncWindow: 5 * time.Millisecond}} {
		t.Run(fmt.Sprint("window=", o.SyncWindow), func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			b := openBolt(t, dir, o)
			var wg sync.WaitGroup
			const n = 40
			for g := range 4 {
				wg.Go(func() {
					for i := range n {
						id := fmt.Sprintf("g%d-%d", g, i)
						write(t, b, store.DefaultTenant, "tmp/"+id, "content of "+id)
						err := b.Write(store.DefaultTenant, func(tx store.Tx) error {
							if _, err := tx.Insert(items, item(id)); err != nil {
								return err
							}
							if err := b.RenameContent(store.DefaultTenant, "tmp/"+id, "items/"+id); err != nil {
								return err
							}
							// Left for this write to save.
							if n := store.ContentPending(b, store.DefaultTenant); n < 2 {
								t.Errorf("%d content changes pending in the write, want the rename's 2", n)
							}
							if i%5 == 4 {
								return errors.New("fails after the rename")
							}
							return nil
						})
						if (err != nil) != (i%5 == 4) {
							t.Errorf("write %s: %v", id, err)
						}
						// Appends from outside any write, meanwhile.
						off, _ := b.ContentSize(store.DefaultTenant, fmt.Sprint("log", g))
						if _, err := b.AppendContent(store.DefaultTenant, fmt.Sprint("log", g), off, strings.NewReader(id+";"), 0); err != nil {
							t.Errorf("append: %v", err)
						}
					}
				})
			}
			wg.Wait()
			if n := store.ContentPending(b, store.DefaultTenant); n != 0 {
				t.Errorf("%d content changes left pending", n)
			}
			b = reopen(t, b, dir, o)
			for g := range 4 {
				var log strings.Builder
				for i := range n {
					id := fmt.Sprintf("g%d-%d", g, i)
					log.WriteString(id + ";")
					if got := read(t, b, store.DefaultTenant, "items/"+id); got != "content of "+id {
						t.Errorf("%s reads %q", id, got)
					}
					missingContent(t, b, store.DefaultTenant, "tmp/"+id)
					err := b.Read(store.DefaultTenant, func(v store.View) error { _, err := v.Get(items, id); return err })
					if (err == nil) != (i%5 != 4) {
						t.Errorf("entity %s: %v", id, err)
					}
				}
				if got := read(t, b, store.DefaultTenant, fmt.Sprint("log", g)); got != log.String() {
					t.Errorf("log %d reads %q", g, got)
				}
			}
		})
	}
}

// TestBoltContentReaderAcrossDelete: a reader opened before a delete reads the whole
// content after the delete is saved and its file removed.
func TestBoltContentReaderAcrossDelete(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	b := openBolt(t, dir, store.BoltOptions{})
	data := bytes.Repeat([]byte("xyz"), 100_000)
	write(t, b, "a", "k", string(data))
	r, err := b.OpenContent("a", "k")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if err := b.DeleteContent("a", "k"); err != nil {
		t.Fatal(err)
	}
	if n := len(contentFiles(t, dir)); n != 0 {
		t.Fatalf("%d files after the delete", n)
	}
	var out bytes.Buffer
	wr, ok := r.(interface {
		WriteRangeTo(io.Writer, int64, int64) (int64, error)
	})
	if !ok {
		t.Fatal("the reader has no WriteRangeTo")
	}
	if n, err := wr.WriteRangeTo(&out, 3, int64(len(data))-6); err != nil || n != int64(len(data))-6 || !bytes.Equal(out.Bytes(), data[3:len(data)-3]) {
		t.Fatalf("WriteRangeTo = %d, %v", n, err)
	}
}
