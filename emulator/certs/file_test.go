package certs

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

func TestWriteFileAtomic(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	name := filepath.Join(dir, "ca.pem")
	for _, content := range []string{"first", "second, longer than the first"} {
		if err := WriteFileAtomic(name, []byte(content), 0o640); err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(name)
		if err != nil || string(got) != content {
			t.Errorf("after writing %q the file holds %q (%v)", content, got, err)
		}
		if fi, err := os.Stat(name); runtime.GOOS != "windows" && (err != nil || fi.Mode().Perm() != 0o640) {
			t.Errorf("mode = %v (%v), want 0640", fi.Mode().Perm(), err)
		}
	}
	if entries, err := os.ReadDir(dir); err != nil || len(entries) != 1 {
		t.Errorf("directory holds %v (%v), want the file alone: no temporary file left", entries, err)
	}

	missing := filepath.Join(dir, "no-such-dir", "ca.pem")
	if err := WriteFileAtomic(missing, []byte("x"), 0o644); err == nil {
		t.Errorf("WriteFileAtomic into a missing directory succeeded")
	}
	// A rename that fails (over a directory) leaves no temporary file behind.
	if err := os.Mkdir(filepath.Join(dir, "sub"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := WriteFileAtomic(filepath.Join(dir, "sub"), []byte("x"), 0o644); err == nil {
		t.Errorf("WriteFileAtomic over a directory succeeded")
	}
	if entries, err := os.ReadDir(dir); err != nil || len(entries) != 2 {
		t.Errorf("directory holds %v (%v), want the file and sub: no temporary file left", entries, err)
	}
}
