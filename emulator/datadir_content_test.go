package emulator_test

import (
	"crypto/sha256"
	"net/http"
	"os"
	"path/filepath"
	"testing"
)

// contentFileCount counts the files under the data directory's content directory.
func contentFileCount(t *testing.T, dir string) int {
	t.Helper()
	n := 0
	err := filepath.WalkDir(filepath.Join(dir, "content"), func(_ string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			n++
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestDataDirContent: with WithDataDir, files uploaded (simply, by an upload session,
// replaced, copied) are downloaded after a restart with the same bytes, hashes and
// quota; deleted and replaced content leaves no file behind, and a reset removes the
// tenant's files.
func TestDataDirContent(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	srv, stop := startDataDir(t, dir)
	u := createUser(t, srv, "ada")
	d := &driveTest{t: t, srv: srv, user: u, base: "/v1.0/users/" + u + "/drive"}

	files := map[string][]byte{
		"/root:/docs/one.bin:":   random(1<<20 + 17),
		"/root:/docs/three.txt:": []byte("the second version"),
	}
	mustStatus(t, d.put("/root:/docs/one.bin:/content", string(files["/root:/docs/one.bin:"])), http.StatusCreated)
	mustStatus(t, d.put("/root:/docs/three.txt:/content", "the first version, longer"), http.StatusCreated)
	mustStatus(t, d.put("/root:/docs/three.txt:/content", "the second version"), http.StatusOK)
	const unit = 320 << 10
	two := random(2*unit + 1000)
	files["/root:/docs/two.bin:"] = two
	url := d.session("/root:/docs/two.bin:", `{}`)
	mustStatus(t, fragment(srv, url, two, 0, 2*unit-1, len(two)), http.StatusAccepted)
	mustStatus(t, fragment(srv, url, two, 2*unit, len(two)-1, len(two)), http.StatusCreated)
	mustStatus(t, d.put("/root:/gone.txt:/content", "deleted before the restart"), http.StatusCreated)
	mustStatus(t, d.do("DELETE", "/root:/gone.txt:", ""), http.StatusNoContent)
	docs := field(d.do("GET", "/root:/docs:", ""), "id")
	r := mustStatus(t, d.do("POST", "/items/"+docs+"/copy", `{"parentReference":{"path":"/drive/root:"},"name":"docs copy"}`), http.StatusAccepted)
	if st := mustStatus(t, srv.Do("GET", r.Header.Get("Location"), ""), http.StatusOK); field(st, "status") != "completed" {
		t.Fatalf("copy: %s", st)
	}
	for _, name := range []string{"one.bin", "two.bin", "three.txt"} {
		files["/root:/docs copy/"+name+":"] = files["/root:/docs/"+name+":"]
	}
	used := field(mustStatus(t, d.do("GET", "", ""), http.StatusOK), "quota.used")
	// A copy shares its source's file; the replaced and deleted content is gone.
	if n := contentFileCount(t, dir); n != 3 {
		t.Fatalf("%d content files, want 3", n)
	}
	stop()

	srv, stop = startDataDir(t, dir)
	d.srv = srv
	for path, want := range files {
		item := mustStatus(t, d.do("GET", path, ""), http.StatusOK)
		got := mustStatus(t, d.do("GET", path+"/content", ""), http.StatusOK).Body
		sum, wantSum := sha256.Sum256(got), sha256.Sum256(want)
		if sum != wantSum || field(item, "file.hashes.sha256Hash") != upperHex(wantSum[:]) {
			t.Errorf("%s after the restart: %d bytes, sha256 %X; item %s", path, len(got), sum, item)
		}
	}
	loc := field(d.do("GET", "/root:/docs/one.bin:", ""), "@microsoft\\.graph\\.downloadUrl")
	part := srv.Do("GET", loc, "", "Range", "bytes=1000-1999")
	if part.Status != http.StatusPartialContent || string(part.Body) != string(files["/root:/docs/one.bin:"][1000:2000]) {
		t.Errorf("a range after the restart: %d, %d bytes", part.Status, len(part.Body))
	}
	if got := field(mustStatus(t, d.do("GET", "", ""), http.StatusOK), "quota.used"); got != used {
		t.Errorf("quota.used %s after the restart, want %s", got, used)
	}
	wantDriveError(t, d.do("GET", "/root:/gone.txt:", ""), http.StatusNotFound, "itemNotFound")

	// Deleting a file and its copy removes their file; a reset removes the rest.
	mustStatus(t, d.do("DELETE", "/root:/docs/one.bin:", ""), http.StatusNoContent)
	mustStatus(t, d.do("DELETE", "/root:/docs copy/one.bin:", ""), http.StatusNoContent)
	if n := contentFileCount(t, dir); n != 2 {
		t.Errorf("%d content files after the deletes, want 2", n)
	}
	mustStatus(t, srv.Do("POST", "/_emulator/reset", ""), http.StatusNoContent)
	if n := contentFileCount(t, dir); n != 0 {
		t.Errorf("%d content files after the reset", n)
	}
	stop()
	srv, _ = startDataDir(t, dir)
	if n := srv.Emulator.Store().(interface{ ContentUsage(string) int64 }).ContentUsage("default"); n != 0 {
		t.Errorf("usage %d after the reset and a restart", n)
	}
}
