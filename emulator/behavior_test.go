package emulator_test

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tidwall/gjson"

	"github.com/graph-emulator/graph-emulator/emulator"
	"github.com/graph-emulator/graph-emulator/emulator/behavior"
	"github.com/graph-emulator/graph-emulator/emulator/store"
	"github.com/graph-emulator/graph-emulator/odata"
)

// The behaviour seam: the generic handlers call a set's profile hooks, and operations
// come from the registry, whose fallback is 501.

func TestProfileHooks(t *testing.T) {
	t.Parallel()
	requireName := func(_ *behavior.Call, body []byte) ([]byte, error) {
		if !gjson.GetBytes(body, "displayName").Exists() {
			return nil, &odata.Error{Status: http.StatusBadRequest, Code: "Request_BadRequest", Message: "displayName is required."}
		}
		return body, nil
	}
	var updates atomic.Int64
	srv := newDirectory(t, emulator.WithProfile("users", behavior.Profile{
		UpdateStatus: http.StatusNoContent,
		UniqueKeys:   []string{"displayName"},
		OnCreate:     requireName,
		OnUpdate: func(c *behavior.Call, old, body []byte) ([]byte, error) {
			updates.Add(1)
			if c.Type.QualifiedName() != "d.user" || !gjson.GetBytes(old, "id").Exists() {
				t.Errorf("OnUpdate saw type %s, old %s", c.Type.QualifiedName(), old)
			}
			return body, nil
		},
	}))
	r := mustStatus(t, srv.Do("POST", "/v1.0/users", `{"id":"x"}`), http.StatusBadRequest)
	if field(r, "error.message") != "displayName is required." {
		t.Errorf("OnCreate refusal: %s", r.Body)
	}
	mustStatus(t, srv.Do("GET", "/v1.0/users/x", ""), http.StatusNotFound)
	mustStatus(t, srv.Do("POST", "/v1.0/users", `{"id":"a","displayName":"Ada"}`), http.StatusCreated)
	dup := mustStatus(t, srv.Do("POST", "/v1.0/users", `{"id":"b","displayName":"ADA"}`), http.StatusBadRequest)
	if field(dup, "error.details.0.code") != "ObjectConflict" || field(dup, "error.details.0.target") != "displayName" ||
		!strings.HasPrefix(field(dup, "error.message"), "Another object with the same value for property displayName") {
		t.Errorf("duplicate: %s", dup.Body)
	}
	mustStatus(t, srv.Do("POST", "/v1.0/users", `{"id":"b","displayName":"Bo"}`), http.StatusCreated)
	mustStatus(t, srv.Do("PATCH", "/v1.0/users/b", `{"displayName":"ada"}`), http.StatusBadRequest)
	mustStatus(t, srv.Do("PATCH", "/v1.0/users/b", `{"displayName":"Bob"}`), http.StatusNoContent)
	rep := mustStatus(t, srv.Do("PATCH", "/v1.0/users/b", `{"displayName":"Bobby"}`, "Prefer", "return=representation"), http.StatusOK)
	if field(rep, "displayName") != "Bobby" {
		t.Errorf("return=representation: %s", rep.Body)
	}
	if updates.Load() != 3 {
		t.Errorf("OnUpdate ran %d times, want 3 (the refused update included)", updates.Load())
	}
	// Other sets keep generic OData: a group's PATCH answers 200.
	mustStatus(t, srv.Do("POST", "/v1.0/groups", `{"id":"g"}`), http.StatusCreated)
	mustStatus(t, srv.Do("PATCH", "/v1.0/groups/g", `{"displayName":"G"}`), http.StatusOK)

	// Uniqueness holds under concurrent creates: exactly one wins.
	var wg sync.WaitGroup
	var created atomic.Int64
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if srv.Do("POST", "/v1.0/users", `{"id":"c`+string(rune('a'+i))+`","displayName":"Same"}`).Status == http.StatusCreated {
				created.Add(1)
			}
		}()
	}
	wg.Wait()
	if created.Load() != 1 {
		t.Errorf("%d concurrent creates with one unique value succeeded, want 1", created.Load())
	}
}

func TestOperationRegistry(t *testing.T) {
	t.Parallel()
	srv := newDirectory(t, emulator.WithOperation("d.checkMemberGroups", func(_ context.Context, c *behavior.OpCall) (*behavior.OpResult, error) {
		ids := gjson.GetBytes(c.Body, "groupIds").Raw
		return &behavior.OpResult{Status: http.StatusOK,
			Body: []byte(`{"value":` + ids + `,"for":"` + c.Binding.ID + `"}`)}, nil
	}))
	mustStatus(t, srv.Do("POST", "/v1.0/users", `{"id":"u"}`), http.StatusCreated)
	r := mustStatus(t, srv.Do("POST", "/v1.0/users/u/checkMemberGroups", `{"groupIds":["g1"]}`), http.StatusOK)
	if field(r, "for") != "u" || field(r, "value.0") != "g1" {
		t.Errorf("operation answered %s", r.Body)
	}
	mustStatus(t, srv.Do("POST", "/v1.0/users/nobody/checkMemberGroups", `{"groupIds":[]}`), http.StatusNotFound)
	mustStatus(t, srv.Do("POST", "/v1.0/users/u/checkMemberGroups", `not json`), http.StatusBadRequest)
}

// TestRequestInfo: the middleware puts one RequestInfo in the request's context, seen by
// everything behind it (here an operation): the request-id it answers with, the
// client's client-request-id, the tenant and the time the request arrived.
func TestRequestInfo(t *testing.T) {
	t.Parallel()
	var got emulator.RequestInfo
	srv := newDirectory(t, emulator.WithClock(func() time.Time { return goldenClock }),
		emulator.WithOperation("d.checkMemberGroups", func(ctx context.Context, _ *behavior.OpCall) (*behavior.OpResult, error) {
			if ri := emulator.Info(ctx); ri != nil {
				got = *ri
			}
			return &behavior.OpResult{Status: http.StatusNoContent}, nil
		}))
	mustStatus(t, srv.Do("POST", "/v1.0/users", `{"id":"u"}`), http.StatusCreated)
	r := mustStatus(t, srv.Do("POST", "/v1.0/users/u/checkMemberGroups", `{"groupIds":[]}`, "client-request-id", "mine"), http.StatusNoContent)
	if got.ID == "" || got.ID != r.Header.Get("request-id") || got.ClientID != "mine" ||
		got.Tenant != store.DefaultTenant || !got.Start.Equal(goldenClock) {
		t.Errorf("RequestInfo %+v; response request-id %q", got, r.Header.Get("request-id"))
	}
	if emulator.Info(context.Background()) != nil {
		t.Errorf("Info outside a request is not nil")
	}
}
