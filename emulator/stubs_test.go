package emulator_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/tidwall/gjson"

	"github.com/graph-emulator/graph-emulator/emulator"
	"github.com/graph-emulator/graph-emulator/emulator/control"
	"github.com/graph-emulator/graph-emulator/emulator/emulatortest"
	"github.com/graph-emulator/graph-emulator/emulator/faults"
	"github.com/graph-emulator/graph-emulator/emulator/stubs"
)

// Stubs over HTTP: the endpoints, answers and their envelope, sequences, matching by
// query and tenant, falling through, $batch steps, the journal, bad stubs.

const stubsPath = "/_emulator/stubs"

func addStub(t *testing.T, srv *emulatortest.Server, stub string, headers ...string) stubs.State {
	t.Helper()
	resp := mustStatus(t, srv.Do("POST", stubsPath, stub, headers...), http.StatusCreated)
	var st stubs.State
	if err := json.Unmarshal(resp.Body, &st); err != nil {
		t.Fatal(err)
	}
	return st
}

func listStubs(t *testing.T, srv *emulatortest.Server, query string, headers ...string) []stubs.State {
	t.Helper()
	resp := mustStatus(t, srv.Do("GET", stubsPath+query, "", headers...), 200)
	var list control.List[stubs.State]
	if err := json.Unmarshal(resp.Body, &list); err != nil {
		t.Fatal(err)
	}
	return list.Value
}

func TestStubsEndpoints(t *testing.T) {
	t.Parallel()
	srv := emulatortest.New(t)
	st := addStub(t, srv, `{"method":"GET","path":"/v1.0/me/insights/trending",
		"response":{"headers":{"ETag":"W/\"1\""},"body":{"value":[ {"id":"t1"} ]}}}`)
	if st.ID != "stub-1" || st.Response.Status != 200 || compactJSON(string(st.Response.Body)) != `{"value":[{"id":"t1"}]}` || !st.Active {
		t.Errorf("added %+v", st)
	}
	resp := mustStatus(t, srv.Do("GET", "/v1.0/me/insights/trending", "", "client-request-id", "c1"), 200)
	if string(resp.Body) != `{"value":[{"id":"t1"}]}` {
		t.Errorf("body %s", resp.Body)
	}
	for k, want := range map[string]string{"Content-Type": graphJSONType, "ETag": `W/"1"`, "OData-Version": "4.0", "client-request-id": "c1"} {
		if got := resp.Header.Get(k); got != want {
			t.Errorf("%s: %q, want %q", k, got, want)
		}
	}
	if resp.Header.Get("request-id") == "" {
		t.Error("no request-id")
	}
	// Other methods and paths fall through to the emulator.
	if resp := srv.Do("POST", "/v1.0/me/insights/trending", `{}`); resp.Status == 200 {
		t.Errorf("a POST met the GET stub: %s", resp)
	}
	mustStatus(t, srv.Do("GET", "/v1.0/users", ""), 200)

	resp = mustStatus(t, srv.Do("GET", stubsPath+"/stub-1", ""), 200)
	gjsonEq(t, resp.Body, "hits", "1")
	resp = mustStatus(t, srv.Do("POST", stubsPath, `[{"id":"a","response":{"status":204}},{"path":"/x","response":{"status":202}}]`), 201)
	gjsonEq(t, resp.Body, "value.#.id", `["a","stub-2"]`)
	if got := listStubs(t, srv, ""); len(got) != 3 {
		t.Errorf("listed %+v", got)
	}
	wantError(t, srv.Do("POST", stubsPath, `{"id":"a","response":{}}`), 409, "'a'")
	mustStatus(t, srv.Do("DELETE", stubsPath+"/a", ""), 204)
	wantError(t, srv.Do("DELETE", stubsPath+"/a", ""), 404, "'a'")
	mustStatus(t, srv.Do("DELETE", stubsPath, ""), 204)
	if got := listStubs(t, srv, ""); len(got) != 0 {
		t.Errorf("after DELETE: %+v", got)
	}
	wantError(t, srv.Do("PATCH", stubsPath, `{}`), 405)
	wantError(t, srv.Do("GET", stubsPath+"?x=1", ""), 400, "'x'")
}

// A stub answers before the emulator, and what Graph does not have too; 204 without a
// body; non-JSON content types as given.
func TestStubsAnswers(t *testing.T) {
	t.Parallel()
	srv := emulatortest.New(t)
	mustStatus(t, srv.Do("POST", "/v1.0/users", userJSON("Real", `"id":"u1"`)), 201)
	addStub(t, srv, `{"path":"/v1.0/users/u1","method":"GET","response":{"body":{"id":"u1","displayName":"Stubbed"}}}`)
	addStub(t, srv, `{"path":"/v1.0/users/*/sendMail","response":{"status":202}}`)
	addStub(t, srv, `{"path":"/oauth2/v2.0/token","response":{"body":{"access_token":"x","token_type":"Bearer"}}}`)
	addStub(t, srv, `{"path":"/v1.0/security/**","response":{"status":503,"headers":{"Retry-After":"0","Content-Type":"application/json"},"body":{"error":{"code":"serviceNotAvailable","message":"Later."}}}}`)

	if got := field(mustStatus(t, srv.Do("GET", "/v1.0/users/u1", ""), 200), "displayName"); got != "Stubbed" {
		t.Errorf("GET u1: %s", got)
	}
	if got := field(mustStatus(t, srv.Do("GET", "/v1.0/users/u1?$select=id", ""), 200), "displayName"); got != "Stubbed" {
		t.Errorf("GET u1 with a query: %s", got)
	}
	resp := mustStatus(t, srv.Do("POST", "/v1.0/users/u1/sendMail", `{}`), 202)
	if len(resp.Body) != 0 || resp.Header.Get("Content-Type") != "" {
		t.Errorf("202: %q %v", resp.Body, resp.Header)
	}
	mustStatus(t, srv.Do("POST", "/oauth2/v2.0/token", "grant_type=client_credentials", "Content-Type", "application/x-www-form-urlencoded"), 200)
	resp = mustStatus(t, srv.Do("GET", "/v1.0/security/alerts", ""), 503)
	if resp.Header.Get("Retry-After") != "0" || resp.Header.Get("Content-Type") != "application/json" {
		t.Errorf("503 headers %v", resp.Header)
	}
	// PATCH is not stubbed: the emulator answers, and its state is its own.
	if resp := srv.Do("PATCH", "/v1.0/users/u1", `{"displayName":"Patched"}`); resp.Status/100 != 2 {
		t.Fatalf("PATCH: %s", resp)
	}
	mustStatus(t, srv.Do("DELETE", stubsPath, ""), 204)
	if got := field(mustStatus(t, srv.Do("GET", "/v1.0/users/u1", ""), 200), "displayName"); got != "Patched" {
		t.Errorf("after the stubs: %s", got)
	}
}

func TestStubsSequenceAndMatch(t *testing.T) {
	t.Parallel()
	srv := emulatortest.New(t)
	addStub(t, srv, `{"id":"flaky","method":"POST","path":"/v1.0/subscriptions","afterLast":"fallThrough",
		"responses":[{"status":503,"headers":{"Retry-After":"0"}},{"status":201,"body":{"id":"s1"}}]}`)
	mustStatus(t, srv.Do("POST", "/v1.0/subscriptions", `{}`), 503)
	if got := field(mustStatus(t, srv.Do("POST", "/v1.0/subscriptions", `{}`), 201), "id"); got != "s1" {
		t.Errorf("second answer id %q", got)
	}
	if resp := srv.Do("POST", "/v1.0/subscriptions", `{}`); resp.Status == 201 && field(resp, "id") == "s1" {
		t.Errorf("a spent fallThrough stub answered: %s", resp)
	}
	st := listStubs(t, srv, "")[0]
	if st.Hits != 2 || st.Active {
		t.Errorf("listed %+v", st)
	}

	addStub(t, srv, `{"method":"GET","path":"/v1.0/users","query":{"$filter":"startswith(displayName,*)"},"response":{"body":{"value":[]}}}`)
	addStub(t, srv, `{"method":"GET","path":"/v1.0/users","tenant":"tenant-b","response":{"body":{"value":[{"id":"b"}]}}}`)
	addStub(t, srv, `{"path":"/v1.0/groups","response":{"status":200,"body":{"n":1}}}`, tenantHeader, "tenant-c")
	mustStatus(t, srv.Do("POST", "/v1.0/users", userJSON("Adele")), 201)
	if n := gjson.GetBytes(mustStatus(t, srv.Do("GET", "/v1.0/users?$filter=startswith(displayName,'A')", ""), 200).Body, "value.#").Int(); n != 0 {
		t.Errorf("the query stub did not answer: %d users", n)
	}
	if n := gjson.GetBytes(mustStatus(t, srv.Do("GET", "/v1.0/users?$top=1", ""), 200).Body, "value.#").Int(); n != 1 {
		t.Errorf("without the query the emulator answers: %d users", n)
	}
	if got := mustStatus(t, srv.Do("GET", "/v1.0/users", "", tenantHeader, "TENANT-B"), 200); field(got, "value.0.id") != "b" {
		t.Errorf("tenant-b: %s", got.Body)
	}
	if got := mustStatus(t, srv.Do("GET", "/v1.0/groups", "", tenantHeader, "tenant-c"), 200); field(got, "n") != "1" {
		t.Errorf("tenant-c: %s", got.Body)
	}
	if got := mustStatus(t, srv.Do("GET", "/v1.0/groups", ""), 200); field(got, "n") != "" {
		t.Errorf("the default tenant met tenant-c's stub: %s", got.Body)
	}
	if got := listStubs(t, srv, "?tenant=tenant-c"); len(got) != 1 || got[0].Tenant != "tenant-c" {
		t.Errorf("tenant-c lists %+v", got)
	}
}

// A stub answers batch steps as it answers requests; a fault rule acts before the
// stubs; the journal names both.
func TestStubsBatchAndFaults(t *testing.T) {
	t.Parallel()
	srv := emulatortest.New(t)
	addStub(t, srv, `{"id":"trend","method":"GET","path":"/v1.0/me/insights/trending","response":{"headers":{"X-Stub":"1"},"body":{"value":[{"id":"t1"}]}}}`)
	items := sendBatch(t, srv, `{"requests":[{"id":"1","method":"GET","url":"/me/insights/trending"},{"id":"2","method":"GET","url":"/users"}]}`)
	if it := items["1"]; it.Get("status").Int() != 200 || it.Get("body.value.0.id").Str != "t1" ||
		it.Get("headers.X-Stub").Str != "1" || it.Get("headers.request-id").Str == "" {
		t.Errorf("step 1: %s", it.Raw)
	}
	if items["2"].Get("status").Int() != 200 {
		t.Errorf("step 2: %s", items["2"].Raw)
	}
	addFault(t, srv, `{"id":"slow","path":"/v1.0/me/**","latency":{"delay":"1ms"}}`)
	addFault(t, srv, `{"id":"down","path":"/v1.0/me/**","error":{"status":503},"count":1}`)
	wantError(t, srv.Do("GET", "/v1.0/me/insights/trending", ""), 503)
	mustStatus(t, srv.Do("GET", "/v1.0/me/insights/trending", ""), 200)
	var es []control.Entry
	for _, e := range requests(t, srv, "?path=/v1.0/me") {
		if e.Path != "/v1.0/$batch" {
			es = append(es, e)
		}
	}
	if len(es) != 2 || es[0].Status != 503 || es[0].Stub != "" || strings.Join(es[0].Faults, ",") != "slow,down" ||
		es[1].Status != 200 || es[1].Stub != "trend" || strings.Join(es[1].Faults, ",") != "slow" {
		t.Errorf("journal %+v", es)
	}
	batch := requests(t, srv, "?path=/v1.0/$batch")
	if len(batch) != 1 || len(batch[0].Children) != 2 {
		t.Fatalf("batch journal %+v", batch)
	}
	for _, c := range batch[0].Children {
		if (c.BatchStepID == "1") != (c.Stub == "trend") {
			t.Errorf("step %s journaled with stub %q", c.BatchStepID, c.Stub)
		}
	}
}

func TestStubsBadInput(t *testing.T) {
	t.Parallel()
	srv := emulatortest.New(t)
	for _, c := range []struct{ name, body, field string }{
		{"empty", ``, ""},
		{"no response", `{"path":"/v1.0/x"}`, "response"},
		{"both", `{"response":{},"responses":[{}]}`, "responses"},
		{"status", `{"response":{"status":700}}`, "response.status"},
		{"body on 204", `{"response":{"status":204,"body":{"a":1}}}`, "response.body"},
		{"header", `{"response":{"headers":{"Content-Length":"3"}}}`, "response.headers.Content-Length"},
		{"header value kind", `{"response":{"headers":{"X-A":true}}}`, "response.headers.X-A"},
		{"unknown", `{"response":{"satus":200}}`, "response.satus"},
		{"unknown in sequence", `{"responses":[{},{"bdy":{}}]}`, "responses[1].bdy"},
		{"sequence status", `{"responses":[{},{"status":"ok"}]}`, "responses[1].status"},
		{"afterLast", `{"response":{},"afterLast":"again"}`, "afterLast"},
		{"query", `{"query":{"$top":5},"response":{}}`, "query.$top"},
		{"path", `{"path":"/v1.0/**x","response":{}}`, "path"},
	} {
		t.Run(c.name, func(t *testing.T) {
			resp := srv.Do("POST", stubsPath, c.body)
			wantError(t, resp, 400, c.field)
			if c.field != "" && gjson.GetBytes(resp.Body, "error.details.0.target").Str != c.field {
				t.Errorf("target: %s", resp.Body)
			}
		})
	}
	if got := listStubs(t, srv, ""); len(got) != 0 {
		t.Errorf("bad stubs added %+v", got)
	}
	_, err := emulator.New(emulator.WithStubs(stubs.Stub{Match: faults.Match{Path: "x"}, Response: &stubs.Response{}}))
	if err == nil || !strings.Contains(err.Error(), "path") {
		t.Errorf("New with a bad stub: %v", err)
	}
	srv2 := emulatortest.New(t, emulator.WithStubs(stubs.Stub{Match: faults.Match{Path: "/v1.0/me"},
		Response: &stubs.Response{Body: json.RawMessage(`{"id":"me"}`)}}))
	if got := field(mustStatus(t, srv2.Do("GET", "/v1.0/me", ""), 200), "id"); got != "me" {
		t.Errorf("a stub at start: %q", got)
	}
}
