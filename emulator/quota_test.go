package emulator_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/graph-emulator/graph-emulator/emulator"
	"github.com/graph-emulator/graph-emulator/emulator/emulatortest"
	"github.com/graph-emulator/graph-emulator/emulator/store"
)

// checkQuotaError checks Graph's quota errors and that the store did not move.
func checkQuotaError(t *testing.T, srv *emulatortest.Server, r *emulatortest.Response, status int, code string, before uint64) {
	t.Helper()
	if r.Status != status || field(r, "error.code") != code || field(r, "error.message") == "" ||
		field(r, "error.innerError.request-id") == "" {
		t.Fatalf("got %d %.400s, want %d %s", r.Status, r.Body, status, code)
	}
	if after := seq(t, srv.Emulator); after != before {
		t.Fatalf("a refused write changed the store: seq %d -> %d", before, after)
	}
}

func TestEntityQuota(t *testing.T) {
	t.Parallel()
	srv := newDirectory(t, emulator.WithMaxEntities(3))
	mustStatus(t, srv.Do("POST", "/v1.0/users", `{"id":"a"}`), http.StatusCreated)
	mustStatus(t, srv.Do("POST", "/v1.0/users", `{"id":"b"}`), http.StatusCreated)
	mustStatus(t, srv.Do("POST", "/v1.0/users/a/messages", `{"subject":"contained entities count"}`), http.StatusCreated)
	before := seq(t, srv.Emulator)
	for _, w := range []struct{ method, path, body string }{
		{"POST", "/v1.0/users", `{"id":"c"}`},
		{"POST", "/v1.0/users/b/messages", `{"subject":"x"}`},
		{"PATCH", "/v1.0/users/a/settings", `{"theme":"dark"}`}, // stores the kept entity
		{"POST", "/v1.0/$batch", `{"requests":[{"id":"1","method":"POST","url":"/users","headers":{"Content-Type":"application/json"},"body":{"id":"d"}}]}`},
	} {
		r := srv.Do(w.method, w.path, w.body)
		if w.path == "/v1.0/$batch" {
			if r.Status != http.StatusOK || field(r, "responses.0.status") != "403" ||
				field(r, "responses.0.body.error.code") != "Directory_QuotaExceeded" {
				t.Fatalf("batch: %d %s", r.Status, r.Body)
			}
			continue
		}
		checkQuotaError(t, srv, r, http.StatusForbidden, "Directory_QuotaExceeded", before)
	}
	// Updates that add no entity pass; a delete makes room.
	must2xx(t, srv.Do("PATCH", "/v1.0/users/a", `{"displayName":"A"}`))
	mustStatus(t, srv.Do("DELETE", "/v1.0/users/b", ""), http.StatusNoContent)
	mustStatus(t, srv.Do("POST", "/v1.0/users", `{"id":"c"}`), http.StatusCreated)
}

// TestQuotasPerTenant: each tenant has its own quota.
func TestQuotasPerTenant(t *testing.T) {
	t.Parallel()
	srv := newDirectory(t, emulator.WithMaxEntities(1))
	for _, tenant := range []string{"", "alpha", "beta"} {
		h := []string{}
		if tenant != "" {
			h = []string{"X-Emulator-Tenant", tenant}
		}
		mustStatus(t, srv.Do("POST", "/v1.0/users", `{"id":"a"}`, h...), http.StatusCreated)
		r := srv.Do("POST", "/v1.0/users", `{"id":"b"}`, h...)
		if r.Status != http.StatusForbidden || field(r, "error.code") != "Directory_QuotaExceeded" {
			t.Errorf("tenant %q: %d %s", tenant, r.Status, r.Body)
		}
	}
}

func TestStoredBytesQuota(t *testing.T) {
	t.Parallel()
	st := store.NewMemory(0)
	// One server without limits fills the store; another shares it with a limit below
	// what is stored.
	free := newDirectory(t, emulator.WithStore(st))
	big := strings.Repeat("x", 6000)
	for _, id := range []string{"a", "b"} {
		mustStatus(t, free.Do("POST", "/v1.0/users", `{"id":"`+id+`","displayName":"`+big+`"}`), http.StatusCreated)
	}
	srv := newDirectory(t, emulator.WithStore(st), emulator.WithMaxStoredBytes(10000))
	before := seq(t, srv.Emulator)
	for _, w := range []struct{ method, path, body string }{
		{"POST", "/v1.0/users", `{"id":"c"}`},
		{"PATCH", "/v1.0/users/a", `{"displayName":"` + big + `y"}`},
		{"PUT", "/v1.0/users/a", `{"displayName":"` + big + big + `"}`},
		{"POST", "/v1.0/groups/g/members/$ref", `{"@odata.id":"users/a"}`}, // 404 comes first: no group
	} {
		r := srv.Do(w.method, w.path, w.body)
		if strings.Contains(w.path, "$ref") {
			mustStatus(t, r, http.StatusNotFound)
			continue
		}
		checkQuotaError(t, srv, r, http.StatusInsufficientStorage, "quotaLimitReached", before)
	}
	// Over the quota, writes that shrink the tenant pass.
	must2xx(t, srv.Do("PATCH", "/v1.0/users/a", `{"displayName":"small"}`))
	mustStatus(t, srv.Do("DELETE", "/v1.0/users/b", ""), http.StatusNoContent)
	mustStatus(t, srv.Do("POST", "/v1.0/users", `{"id":"c"}`), http.StatusCreated)
}

func TestQuotaDefaults(t *testing.T) {
	t.Parallel()
	if emulator.DefaultMaxEntities != 300000 || emulator.DefaultMaxStoredBytes != 512<<20 {
		t.Errorf("defaults changed: %d %d", emulator.DefaultMaxEntities, emulator.DefaultMaxStoredBytes)
	}
}

// TestQuotaAcrossRestart: a server on a data directory counts what the directory holds
// when it opens, and refuses past the quota what the first server filled; a delete
// makes room (the seed's set: its entities are deleted for good, where a user would go
// to deletedItems and go on counting, as in Graph).
func TestQuotaAcrossRestart(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	open := func() *emulatortest.Server {
		srv, err := emulatortest.Start(emulator.WithDataDir(dir, 0), emulator.WithMaxEntities(2))
		if err != nil {
			t.Fatal(err)
		}
		return srv
	}
	const set = "/v1.0/office365ServicesUserCounts"
	first := open()
	for _, id := range []string{"a", "b"} {
		mustStatus(t, first.Do("POST", set, `{"id":"`+id+`","exchangeActive":1}`), http.StatusCreated)
	}
	first.Close()
	if err := first.Emulator.Close(); err != nil {
		t.Fatal(err)
	}
	second := open()
	defer func() {
		second.Close()
		second.Emulator.Close()
	}()
	if r := second.Do("POST", set, `{"id":"c","exchangeActive":1}`); r.Status != http.StatusForbidden {
		t.Fatalf("past the quota after a restart: %d %s", r.Status, r.Body)
	}
	mustStatus(t, second.Do("DELETE", set+"/a", ""), http.StatusNoContent)
	mustStatus(t, second.Do("POST", set, `{"id":"c","exchangeActive":1}`), http.StatusCreated)
}

// TestQuotaSoftDelete: deleting a user at the quota passes; the user goes on counting
// in deletedItems, as Graph counts deleted directory objects, until it is purged.
func TestQuotaSoftDelete(t *testing.T) {
	t.Parallel()
	srv := newGraph(t, emulator.WithMaxEntities(3))
	for _, id := range []string{"a", "b", "c"} {
		mustStatus(t, srv.Do("POST", "/v1.0/users", requiredUser(`{"id":"`+id+`","displayName":"`+id+`"}`)), http.StatusCreated)
	}
	mustStatus(t, srv.Do("DELETE", "/v1.0/users/a", ""), http.StatusNoContent)
	before := seq(t, srv.Emulator)
	checkQuotaError(t, srv, srv.Do("POST", "/v1.0/users", requiredUser(`{"id":"d","displayName":"d"}`)), http.StatusForbidden, "Directory_QuotaExceeded", before)
	mustStatus(t, srv.Do("DELETE", "/v1.0/directory/deletedItems/a", ""), http.StatusNoContent)
	mustStatus(t, srv.Do("DELETE", "/v1.0/users/b", ""), http.StatusNoContent)
	mustStatus(t, srv.Do("DELETE", "/v1.0/directory/deletedItems/b", ""), http.StatusNoContent)
	mustStatus(t, srv.Do("POST", "/v1.0/users", requiredUser(`{"id":"d","displayName":"d"}`)), http.StatusCreated)
}
