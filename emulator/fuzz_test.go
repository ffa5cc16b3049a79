package emulator_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/tidwall/gjson"

	"github.com/graph-emulator/graph-emulator/emulator"
	"github.com/graph-emulator/graph-emulator/emulator/store"
)

// FuzzRequest sends arbitrary requests through the whole server (routing, path and
// query parsing, bodies with @odata.bind, $ref, operations) over a small directory:
// nothing answers 500, every error is Graph's JSON shape, and a refused request leaves
// the store's change sequence where it was.
func FuzzRequest(f *testing.F) {
	seeds := []struct{ method, path, body string }{
		{"POST", "/v1.0/groups", `{"id":"g2","members@odata.bind":["users/a","https://graph.microsoft.com/v1.0/directoryObjects/b"]}`},
		{"PATCH", "/v1.0/users/a", `{"manager@odata.bind":"users/b","displayName":"A"}`},
		{"PATCH", "/v1.0/groups/g", `{"members@odata.bind":["users/nobody"]}`},
		{"POST", "/v1.0/groups/g/members/$ref", `{"@odata.id":"users/b"}`},
		{"PUT", "/v1.0/users/a/manager/$ref", `{"@odata.id":"/v1.0/users/b"}`},
		{"DELETE", "/v1.0/users/a/manager/$ref", ``},
		{"DELETE", "/v1.0/users/b", ``},
		{"POST", "/v1.0/users/a/messages", `{"subject":"x"}`},
		{"POST", "/v1.0/users/a%1Fz/messages", `{"subject":"x"}`},
		{"GET", "/v1.0/groups/g/members?$filter=id%20eq%20'a'&$expand=manager", ``},
		{"POST", "/v1.0/users/nobody/checkMemberGroups", `{}`},
		{"PATCH", "/v1.0/org", `{"name":"n"}`},
		{"GET", "/v1.0/users/a/settings", ``},
	}
	for _, s := range seeds {
		f.Add(s.method, s.path, s.body)
	}
	schema := directorySchema(f)
	f.Fuzz(func(t *testing.T, method, path, body string) {
		if !strings.HasPrefix(path, "/") || strings.ContainsAny(path, " \r\n\t#") || len(method) == 0 || len(method) > 8 ||
			strings.ContainsFunc(method, func(r rune) bool { return r < 'A' || r > 'Z' }) {
			return
		}
		srv, err := emulator.New(emulator.WithSchema("v1.0", schema), emulator.WithSingletonKey("me", "a"))
		if err != nil {
			t.Fatal(err)
		}
		for _, b := range []string{`{"id":"a"}`, `{"id":"b"}`} {
			send(t, srv, "POST", "/v1.0/users", b)
		}
		send(t, srv, "POST", "/v1.0/groups", `{"id":"g"}`)
		send(t, srv, "POST", "/v1.0/groups/g/members/$ref", `{"@odata.id":"users/a"}`)
		before := seq(t, srv)
		req, err := http.NewRequest(method, "http://emulator"+path, strings.NewReader(body))
		if err != nil {
			return
		}
		req.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		srv.ServeHTTP(w, req)
		if w.Code >= 500 && w.Code != http.StatusNotImplemented {
			t.Fatalf("%s %s %q: %d %s", method, path, body, w.Code, w.Body)
		}
		if w.Code >= 400 {
			if !gjson.ValidBytes(w.Body.Bytes()) || gjson.GetBytes(w.Body.Bytes(), "error.code").Str == "" ||
				gjson.GetBytes(w.Body.Bytes(), "error.message").Str == "" {
				t.Fatalf("%s %s: error body %s", method, path, w.Body)
			}
			if after := seq(t, srv); after != before {
				t.Fatalf("%s %s %q refused with %d but changed the store (seq %d -> %d)", method, path, body, w.Code, before, after)
			}
		}
	})
}

func send(t *testing.T, h http.Handler, method, path, body string) {
	t.Helper()
	req := httptest.NewRequest(method, "http://emulator"+path, bytes.NewBufferString(body))
	req.Header.Set("Content-Type", "application/json")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	if w.Code >= 300 {
		t.Fatalf("%s %s: %d %s", method, path, w.Code, w.Body)
	}
}

func seq(t *testing.T, srv *emulator.Server) uint64 {
	var n uint64
	if err := srv.Store().Read(store.DefaultTenant, func(v store.View) error { n = v.Seq(); return nil }); err != nil {
		t.Fatal(err)
	}
	return n
}
