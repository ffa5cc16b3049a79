package emulator_test

import (
	"context"
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/graph-emulator/graph-emulator/emulator"
	"github.com/graph-emulator/graph-emulator/emulator/behavior"
	"github.com/graph-emulator/graph-emulator/emulator/control"
	"github.com/graph-emulator/graph-emulator/emulator/emulatortest"
)

// requests lists the journal with a query ("" for all).
func requests(t *testing.T, srv *emulatortest.Server, query string, headers ...string) []control.Entry {
	t.Helper()
	resp := mustStatus(t, srv.Do("GET", "/_emulator/requests"+query, "", headers...), 200)
	var list control.RequestList
	if err := json.Unmarshal(resp.Body, &list); err != nil {
		t.Fatalf("%v: %s", err, resp.Body)
	}
	if list.Value == nil {
		t.Fatalf("no value array: %s", resp.Body)
	}
	return list.Value
}

func paths(es []control.Entry) string {
	var s []string
	for _, e := range es {
		s = append(s, e.Method+" "+e.Path)
	}
	return strings.Join(s, "; ")
}

func TestJournal(t *testing.T) {
	t.Parallel()
	srv := emulatortest.New(t)
	start := time.Now().Add(-time.Second)
	resp := mustStatus(t, srv.Do("POST", "/v1.0/users", `{"displayName":"Adele","accountEnabled":true,"mailNickname":"adele","userPrincipalName":"adele@contoso.test","passwordProfile":{"password":"hunter2"}}`,
		"Authorization", "Bearer secret-token-value", "client-request-id", "cr-1"), 201)
	srv.Do("GET", "/v1.0/users?$select=id", "")
	srv.Do("GET", "/v1.0/nothing", "", tenantHeader, "tenant-b")
	srv.Do("GET", "/v1.0/users", "", tenantHeader, "not valid")
	srv.Do("GET", "/_emulator/health", "") // not journaled

	es := requests(t, srv, "")
	if got, want := paths(es), "POST /v1.0/users; GET /v1.0/users; GET /v1.0/nothing; GET /v1.0/users"; got != want {
		t.Fatalf("journal: %s, want %s", got, want)
	}
	e := es[0]
	if e.ID != resp.Header.Get("request-id") || e.ClientRequestID != "cr-1" || e.Status != 201 || e.Tenant != "default" ||
		e.Time.Before(start) || e.Duration < 0 || e.Headers["Authorization"] != "Bearer ***" ||
		!strings.Contains(e.Body, `"password":"***"`) || !strings.Contains(e.Body, `"displayName":"Adele"`) {
		t.Errorf("entry = %+v", e)
	}
	raw := string(srv.Do("GET", "/_emulator/requests", "").Body)
	for _, secret := range []string{"secret-token-value", "hunter2"} {
		if strings.Contains(raw, secret) {
			t.Errorf("the journal shows %q", secret)
		}
	}
	if es[1].Query != "$select=id" || es[2].Tenant != "tenant-b" || es[2].Status != 400 || es[3].Status != 400 {
		t.Errorf("entries = %+v", es[1:])
	}

	since := url.QueryEscape(es[1].Time.Format(time.RFC3339Nano))
	filters := []struct{ query, want string }{
		{"?method=post", "POST /v1.0/users"},
		{"?path=/v1.0/users", "POST /v1.0/users; GET /v1.0/users; GET /v1.0/users"},
		{"?path=/V1.0/NOTH", "GET /v1.0/nothing"},
		{"?status=201", "POST /v1.0/users"},
		{"?status=4xx", "GET /v1.0/nothing; GET /v1.0/users"},
		{"?since=" + since, "GET /v1.0/users; GET /v1.0/nothing; GET /v1.0/users"},
		{"?limit=1", "GET /v1.0/users"},
		{"?tenant=tenant-b", "GET /v1.0/nothing"},
		{"?method=GET&status=200", "GET /v1.0/users"},
	}
	for _, f := range filters {
		if got := paths(requests(t, srv, f.query)); got != f.want {
			t.Errorf("%s: %s, want %s", f.query, got, f.want)
		}
	}
	if got := paths(requests(t, srv, "", tenantHeader, "Tenant-B")); got != "GET /v1.0/nothing" {
		t.Errorf("by header: %s", got)
	}
	for _, bad := range []string{"?status=abc", "?status=6xx", "?status=99", "?since=yesterday", "?limit=0", "?limit=x", "?tenant=a%20b", "?color=red"} {
		wantError(t, srv.Do("GET", "/_emulator/requests"+bad, ""), 400)
	}
	wantError(t, srv.Do("POST", "/_emulator/requests", ""), 405)

	mustStatus(t, srv.Do("DELETE", "/_emulator/requests?tenant=tenant-b", ""), 204)
	if got := paths(requests(t, srv, "")); got != "POST /v1.0/users; GET /v1.0/users; GET /v1.0/users" {
		t.Errorf("after clearing tenant-b: %s", got)
	}
	mustStatus(t, srv.Do("DELETE", "/_emulator/requests", ""), 204)
	if es := requests(t, srv, ""); len(es) != 0 {
		t.Errorf("after clearing: %s", paths(es))
	}
}

// A batch is one entry; its steps, run through the whole handler, are its children.
func TestJournalBatch(t *testing.T) {
	t.Parallel()
	srv := emulatortest.New(t)
	sendBatch(t, srv, `{"requests":[
		{"id":"a","method":"POST","url":"/users","headers":{"Content-Type":"application/json"},"body":{"displayName":"x","accountEnabled":true,"mailNickname":"x","userPrincipalName":"x@contoso.test","passwordProfile":{"password":"p@ss"}}},
		{"id":"b","method":"GET","url":"/users/nope","dependsOn":["a"]},
		{"id":"c","method":"GET","url":"/groups"}]}`, tenantHeader, "t1")
	es := requests(t, srv, "")
	if len(es) != 1 || es[0].Path != "/v1.0/$batch" || es[0].Status != 200 || es[0].Tenant != "t1" {
		t.Fatalf("journal: %+v", es)
	}
	steps := map[string]control.Entry{}
	for _, c := range es[0].Children {
		steps[c.BatchStepID] = c
	}
	if len(steps) != 3 || steps["a"].Status != 201 || steps["a"].Method != "POST" || steps["b"].Status != 404 ||
		steps["b"].Path != "/v1.0/users/nope" || steps["c"].Tenant != "t1" || strings.Contains(steps["a"].Body, "p@ss") {
		t.Errorf("steps: %+v", es[0].Children)
	}
	if got := paths(requests(t, srv, "?status=404")); got != "POST /v1.0/$batch" {
		t.Errorf("a filter matching a step lists its batch: %s", got)
	}
}

func TestJournalSize(t *testing.T) {
	t.Parallel()
	small := emulatortest.New(t, emulator.WithJournalSize(2))
	for _, p := range []string{"/v1.0/users", "/v1.0/groups", "/v1.0/applications"} {
		small.Do("GET", p, "")
	}
	if got := paths(requests(t, small, "")); got != "GET /v1.0/groups; GET /v1.0/applications" {
		t.Errorf("journal of 2: %s", got)
	}
	off := emulatortest.New(t, emulator.WithJournalSize(0))
	off.Do("GET", "/v1.0/users", "")
	if es := requests(t, off, ""); len(es) != 0 {
		t.Errorf("journal off: %s", paths(es))
	}
	gjsonEq(t, off.Do("GET", "/_emulator/health", "").Body, "journal", `{"size":0,"entries":0}`)
	mustStatus(t, off.Do("DELETE", "/_emulator/requests", ""), 204)
}

// A request whose handler panics is journaled with the 500 it gets.
func TestJournalPanic(t *testing.T) {
	t.Parallel()
	srv := emulatortest.New(t, emulator.WithOperation("microsoft.graph.checkMemberGroups",
		func(context.Context, *behavior.OpCall) (*behavior.OpResult, error) { panic("boom") }))
	mustStatus(t, srv.Do("POST", "/v1.0/users", userJSON("a", `"id":"u1"`)), 201)
	wantError(t, srv.Do("POST", "/v1.0/users/u1/checkMemberGroups", `{"groupIds":[]}`), 500)
	if got := requests(t, srv, "?status=500"); len(got) != 1 || got[0].Path != "/v1.0/users/u1/checkMemberGroups" {
		t.Errorf("journal: %+v", got)
	}
}
