package emulator_test

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/tidwall/gjson"

	"github.com/graph-emulator/graph-emulator/emulator"
	"github.com/graph-emulator/graph-emulator/emulator/emulatortest"
	"github.com/graph-emulator/graph-emulator/emulator/store"
)

// startDataDir starts a server on dir; stop closes its listener, then the server.
func startDataDir(t *testing.T, dir string) (srv *emulatortest.Server, stop func()) {
	t.Helper()
	srv, err := emulatortest.Start(emulator.WithDataDir(dir, 0))
	if err != nil {
		t.Fatal(err)
	}
	stopped := false
	stop = func() {
		if stopped {
			return
		}
		stopped = true
		srv.Close()
		if err := srv.Emulator.Close(); err != nil {
			t.Errorf("Server.Close: %v", err)
		}
	}
	t.Cleanup(stop)
	return srv, stop
}

func etagNumber(t *testing.T, tag string) int {
	t.Helper()
	n, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(tag, `W/"`), `"`))
	if err != nil {
		t.Fatalf("ETag %q: %v", tag, err)
	}
	return n
}

// TestDataDirAcrossRestart: with WithDataDir, a new server on the same directory
// serves what the first one stored, with the same ETags; its ETags go on increasing,
// and a deltaLink the first one issued goes on working.
func TestDataDirAcrossRestart(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	srv, stop := startDataDir(t, dir)
	created := mustStatus(t, srv.Do("POST", seedSetPath, `{"teamsActive":1,"reportPeriod":"keep"}`), 201)
	id, tag := field(created, "id"), created.Header.Get("ETag")
	ada := createUser(t, srv, "ada")
	_, deltaLink, _ := deltaRound(t, srv, "/v1.0/users/delta")
	deltaLink = strings.TrimPrefix(deltaLink, srv.URL)
	if _, err := emulator.New(emulator.WithDataDir(dir, 0)); !errors.Is(err, store.ErrLocked) {
		t.Errorf("a second server on the directory: %v, want store.ErrLocked", err)
	}
	stop()

	srv, _ = startDataDir(t, dir)
	got := mustStatus(t, srv.Do("GET", seedSetPath+"/"+id, ""), 200)
	if got.Header.Get("ETag") != tag || field(got, "reportPeriod") != "keep" {
		t.Errorf("after the restart: ETag %q (was %q), %s", got.Header.Get("ETag"), tag, got.Body)
	}
	mustStatus(t, srv.Do("GET", "/v1.0/users/"+ada, ""), 200)
	patched := mustStatus(t, srv.Do("PATCH", seedSetPath+"/"+id, `{"teamsActive":2}`), 200)
	if etagNumber(t, patched.Header.Get("ETag")) <= etagNumber(t, tag) {
		t.Errorf("ETag after the restart %s, not above %s", patched.Header.Get("ETag"), tag)
	}
	bob := createUser(t, srv, "bob")
	items, _, _ := deltaRound(t, srv, deltaLink)
	if len(items) != 1 || items[0].Get("id").String() != bob {
		t.Errorf("the deltaLink issued before the restart lists %v, want only bob (%s)", items, bob)
	}
	if n := gjson.GetBytes(srv.Do("GET", "/v1.0/users", "").Body, "value.#").Int(); n != 2 {
		t.Errorf("%d users, want 2", n)
	}
}

// TestDataDirDamaged: New refuses a data file that is not one, naming it.
func TestDataDirDamaged(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, store.BoltFileName)
	if err := os.WriteFile(path, []byte("not a data file"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := emulator.New(emulator.WithDataDir(dir, 0))
	if !errors.Is(err, store.ErrDamaged) || !strings.Contains(err.Error(), path) {
		t.Errorf("New = %v, want store.ErrDamaged naming %s", err, path)
	}
}

// TestDataDirWithStartupData: the sample data load on the first start; later starts on
// the same directory keep what was saved (the sample data only checked), changes
// included.
func TestDataDirWithStartupData(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	start := func() *emulatortest.Server {
		srv, err := emulatortest.Start(emulator.WithDataDir(dir, 0), emulator.WithSampleData())
		if err != nil {
			t.Fatal(err)
		}
		return srv
	}
	stop := func(srv *emulatortest.Server) {
		srv.Close()
		if err := srv.Emulator.Close(); err != nil {
			t.Fatal(err)
		}
	}
	count := func(srv *emulatortest.Server) int64 {
		return gjson.GetBytes(srv.Do("GET", "/v1.0/users?$count=true", "", "ConsistencyLevel", "eventual").Body, `@odata\.count`).Int()
	}
	srv := start()
	sample := count(srv)
	if sample == 0 {
		t.Fatal("no sample users")
	}
	createUser(t, srv, "extra")
	stop(srv)
	srv = start()
	defer stop(srv)
	if n := count(srv); n != sample+1 {
		t.Errorf("after a restart: %d users, want the %d sample users and the one created", n, sample)
	}
	mustStatus(t, srv.Do("GET", "/v1.0/me", ""), 200)
}
