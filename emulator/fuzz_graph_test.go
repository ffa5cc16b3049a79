package emulator_test

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/tidwall/gjson"

	"github.com/graph-emulator/graph-emulator/emulator"
	"github.com/graph-emulator/graph-emulator/emulator/store"
	"github.com/graph-emulator/graph-emulator/entities"
)

// Fuzz targets over the whole HTTP handler with Graph's embedded schemas. Each input
// runs on a fresh server holding a small directory; every answer must keep the
// contract: no 500, every error in Graph's shape, every 2xx JSON body valid JSON,
// every refusal leaving the store as it was, and each input answered within
// fuzzBudget.

// fuzzBudget bounds the time of one input: generous for a loaded machine, far below
// what the quadratic paths this guards against took (seconds to minutes).
const fuzzBudget = slowdown * 3 * time.Second

// fuzzMethods are the methods an input's first byte chooses from.
var fuzzMethods = [...]string{"GET", "POST", "PATCH", "PUT", "DELETE", "HEAD", "OPTIONS", "GET"}

// graphFuzzServer returns a server with Graph's schemas, /me mapped to user "a", and
// a small directory: users a and b (b managed by a), group g with member a, a message
// of a's, an application.
func graphFuzzServer(t *testing.T) *emulator.Server {
	t.Helper()
	srv, err := emulator.New(emulator.WithSingletonKey("me", "a"), emulator.WithPageSize(2))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []struct{ method, path, body string }{
		{"POST", "/v1.0/users", `{"id":"a","displayName":"Ada","mailNickname":"ada","userPrincipalName":"ada@contoso.test","accountEnabled":true,"passwordProfile":{"password":"x-Y-z-123!aB"},"businessPhones":["1"]}`},
		{"POST", "/v1.0/users", `{"id":"b","displayName":"Bob","mailNickname":"bob","userPrincipalName":"bob@contoso.test","accountEnabled":true,"passwordProfile":{"password":"x-Y-z-123!aB"}}`},
		{"PUT", "/v1.0/users/b/manager/$ref", `{"@odata.id":"https://graph.microsoft.com/v1.0/users/a"}`},
		{"POST", "/v1.0/groups", `{"id":"g","displayName":"G","mailEnabled":false,"mailNickname":"g","securityEnabled":true}`},
		{"POST", "/v1.0/groups/g/members/$ref", `{"@odata.id":"https://graph.microsoft.com/v1.0/directoryObjects/a"}`},
		{"POST", "/v1.0/users/a/messages", `{"subject":"hi","importance":"Low"}`},
		{"POST", "/v1.0/applications", `{"id":"app","displayName":"App"}`},
	} {
		w := serve(srv, newJSONRequest(s.method, s.path, s.body))
		if w.Code >= 300 {
			t.Fatalf("seed %s %s: %d %s", s.method, s.path, w.Code, w.Body)
		}
	}
	// The drives Graph makes on first use, made now: a refused request then changes
	// nothing, whatever it addresses (a PUT of /me/drive with a bad body made a's).
	for _, p := range []string{"/v1.0/users/a/drive", "/v1.0/users/b/drive", "/v1.0/groups/g/drive"} {
		if w := serve(srv, newJSONRequest("GET", p, "")); w.Code != http.StatusOK {
			t.Fatalf("seed GET %s: %d %s", p, w.Code, w.Body)
		}
	}
	return srv
}

// checkAnswer checks the contract of one answer; before is the store's sequence before
// the request.
func checkAnswer(t *testing.T, srv *emulator.Server, what string, w *httptest.ResponseRecorder, before uint64, took time.Duration) {
	t.Helper()
	// A read may make what Graph makes on first use (a user's drive) before it fails.
	safe := strings.HasPrefix(what, "GET ") || strings.HasPrefix(what, "HEAD ")
	if took > fuzzBudget {
		t.Fatalf("%s: answered in %v", what, took)
	}
	body := w.Body.Bytes()
	if w.Code >= 500 && w.Code != http.StatusNotImplemented && w.Code != http.StatusServiceUnavailable {
		t.Fatalf("%s: %d %.500s", what, w.Code, body)
	}
	isJSON := strings.HasPrefix(w.Header().Get("Content-Type"), "application/json")
	if w.Code >= 400 {
		if !isJSON || !gjson.ValidBytes(body) || gjson.GetBytes(body, "error.code").Str == "" ||
			gjson.GetBytes(body, "error.message").Str == "" || gjson.GetBytes(body, "error.innerError.request-id").Str == "" {
			t.Fatalf("%s: error %d not in Graph's shape: %.500s", what, w.Code, body)
		}
		if after := seq(t, srv); after != before && !(safe && onlyCreated(t, srv, before)) {
			t.Fatalf("%s: refused with %d but changed the store (seq %d -> %d): %.300s", what, w.Code, before, after, body)
		}
		return
	}
	if w.Code >= 200 && w.Code < 300 && len(body) > 0 && isJSON && !json.Valid(body) {
		t.Fatalf("%s: %d body is not JSON: %.500s", what, w.Code, body)
	}
}

// onlyCreated reports whether every change since before made something: an entity
// created, or references added to navigation properties (what provisioning does);
// nothing deleted, no structural property changed.
func onlyCreated(t *testing.T, srv *emulator.Server, before uint64) bool {
	t.Helper()
	schema, err := entities.Graph("v1.0")
	if err != nil {
		t.Fatal(err)
	}
	ok := true
	if err := srv.Store().Changes(store.DefaultTenant, before, func(c store.Change) bool {
		switch c.Kind {
		case store.Created:
		case store.Updated:
			typ := schema.StructuredType(c.Type)
			ok = typ != nil && c.Props != nil
			for _, p := range c.Props {
				ok = ok && typ.NavigationProperty(p) != nil
			}
		default:
			ok = false
		}
		return ok
	}); err != nil {
		t.Fatal(err)
	}
	return ok
}

// FuzzGraphHTTP sends arbitrary requests through the whole server with Graph's schema.
func FuzzGraphHTTP(f *testing.F) {
	seeds := []struct {
		method byte
		path   string
		body   string
	}{
		{0, "/v1.0/users?$filter=startswith(displayName,'A')&$select=id,displayName&$top=1", ""},
		{0, "/v1.0/users?$search=%22displayName:Ada%22&$count=true&$orderby=displayName", ""},
		{0, "/v1.0/users/a?$expand=memberOf,manager", ""},
		{0, "/v1.0/groups/g/members/microsoft.graph.user?$count=true", ""},
		{0, "/v1.0/users/delta?$select=displayName", ""},
		{0, "/v1.0/me/messages?$filter=importance eq 'low'&$orderby=subject desc", ""},
		{0, "/v1.0/users/$count", ""},
		{0, "/v1.0/users/a/displayName/$value", ""},
		{0, "/beta/users('a')/transitiveMemberOf", ""},
		{0, "/v1.0/users?$skiptoken=AAAA", ""},
		{0, "/v1.0/reports/getOffice365ServicesUserCounts(period='D7')", ""},
		{1, "/v1.0/users", `{"displayName":"C","mailNickname":"c","userPrincipalName":"c@contoso.test","accountEnabled":true,"passwordProfile":{"password":"x-Y-z-123!aB"},"extra":{"deep":[[1]]}}`},
		{1, "/v1.0/users/a/checkMemberGroups", `{"groupIds":["g"]}`},
		{1, "/v1.0/applications/app/addPassword", `{"passwordCredential":{"displayName":"p"}}`},
		{1, "/v1.0/directoryObjects/getByIds", `{"ids":["a","g"],"types":["user"]}`},
		{1, "/v1.0/$batch", `{"requests":[{"id":"1","method":"GET","url":"/users"},{"id":"2","method":"PATCH","url":"/users/a","headers":{"Content-Type":"application/json"},"body":{"jobTitle":"x"},"dependsOn":["1"]}]}`},
		{1, "/v1.0/groups/g/members/$ref", `{"@odata.id":"users/b"}`},
		{1, "/v1.0/office365ServicesUserCounts", `{"exchangeActive":14}`},
		{2, "/v1.0/users/a", `{"jobTitle":"Eng","manager@odata.bind":"users/b"}`},
		{2, "/v1.0/me/messages/x", `{"subject":"s"}`},
		{3, "/v1.0/users/a/manager/$ref", `{"@odata.id":"users/b"}`},
		{4, "/v1.0/users/b", ""},
		{4, "/v1.0/groups/g/members/a/$ref", ""},
		{5, "/v1.0/users", ""},
		{3, "/v1.0/me/drive/root:/notes/a.txt:/content", "hello"},
		{1, "/v1.0/me/drive/root/children", `{"name":"d","folder":{},"@microsoft.graph.conflictBehavior":"rename"}`},
		{0, "/v1.0/me/drive/root/children?$select=id,name,@microsoft.graph.downloadUrl&$top=1", ""},
		{1, "/v1.0/me/drive/root:/big.bin:/createUploadSession", `{"item":{"@microsoft.graph.conflictBehavior":"replace"}}`},
	}
	for _, s := range seeds {
		f.Add(s.method, s.path, s.body)
	}
	f.Fuzz(func(t *testing.T, m byte, path, body string) {
		if !strings.HasPrefix(path, "/") || strings.ContainsAny(path, " \r\n\t#") || len(path) > 8192 {
			return
		}
		method := fuzzMethods[int(m)%len(fuzzMethods)]
		srv := graphFuzzServer(t)
		before := seq(t, srv)
		req, err := http.NewRequest(method, "http://127.0.0.1"+path, strings.NewReader(body))
		if err != nil {
			return
		}
		req.Header.Set("Content-Type", "application/json")
		if m&0x80 != 0 {
			req.Header.Set("ConsistencyLevel", "eventual")
		}
		start := time.Now()
		w := serve(srv, req)
		checkAnswer(t, srv, method+" "+path, w, before, time.Since(start))
	})
}

// FuzzBatchHTTP posts arbitrary batch bodies: each step runs through the whole server,
// and the answer keeps the contract, its items included.
func FuzzBatchHTTP(f *testing.F) {
	for _, s := range []string{
		`{"requests":[{"id":"1","method":"GET","url":"/users?$top=1"},{"id":"2","method":"GET","url":"/users/a","dependsOn":["1"]}]}`,
		`{"requests":[{"id":"1","method":"POST","url":"/users","headers":{"Content-Type":"application/json"},"body":{"id":"n","displayName":"N","mailNickname":"n","userPrincipalName":"n@contoso.test","accountEnabled":true,"passwordProfile":{"password":"x-Y-z-123!aB"}}},{"id":"2","method":"DELETE","url":"/users/n","dependsOn":["1"]}]}`,
		`{"requests":[{"id":"a","method":"GET","url":"/users/$count","headers":{"ConsistencyLevel":"eventual"}},{"id":"b","method":"GET","url":"/v1.0/users"},{"id":"c","method":"GET","url":"/users/nobody"},{"id":"d","method":"GET","url":"/users","dependsOn":["c"]}]}`,
		`{"requests":[{"id":"1","method":"PATCH","url":"/me","headers":{"content-type":"application/json"},"body":{"jobTitle":"x"}},{"id":"2","method":"GET","url":"/me?$select=jobTitle","dependsOn":["1"]}]}`,
		`{"requests":[{"id":"1","method":"GET","url":"/$batch"}]}`,
		`{"requests":[]}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		srv := graphFuzzServer(t)
		before := seq(t, srv)
		start := time.Now()
		w := serve(srv, newJSONRequest("POST", "/v1.0/$batch", body))
		checkAnswer(t, srv, "batch "+body, w, before, time.Since(start))
		if w.Code != http.StatusOK {
			return
		}
		items := gjson.GetBytes(w.Body.Bytes(), "responses").Array()
		if n := len(gjson.Get(body, "requests").Array()); len(items) != n {
			t.Fatalf("%d items for %d requests: %.500s", len(items), n, w.Body)
		}
		for _, it := range items {
			status := it.Get("status").Int()
			if status >= 500 && status != 501 && status != 503 {
				t.Fatalf("item %s: %.500s", it.Get("id").Raw, it.Raw)
			}
			if status >= 400 && (it.Get("body.error.code").Str == "" || it.Get("body.error.message").Str == "") {
				t.Fatalf("item %s: error not in Graph's shape: %.500s", it.Get("id").Raw, it.Raw)
			}
		}
	})
}

// FuzzHeaders sends fixed requests with arbitrary Prefer, Content-Type,
// Content-Encoding, If-Match and If-None-Match headers (and the body, gzipped when the
// encoding asks for it and the flag says so).
func FuzzHeaders(f *testing.F) {
	for _, s := range [][5]string{
		{"return=minimal", "application/json", "", `W/"1"`, ""},
		{"return=representation, odata.maxpagesize=1", "application/json;odata.metadata=minimal;charset=utf-8", "gzip", "*", ""},
		{`outlook.timezone="Pacific Standard Time"`, "Application/JSON", "identity", "", `W/"3", "x"`},
		{"create-if-missing", "text/plain", "br", `"unquoted`, "*"},
		{";;,,=", "application/json; charset=\"utf-8\"", "x-gzip", `W/`, `W/"99999999999999999999"`},
	} {
		for m := range byte(4) {
			f.Add(m, s[0], s[1], s[2], s[3], s[4], m%2 == 0)
		}
	}
	targets := [...]struct{ method, path, body string }{
		{"GET", "/v1.0/me/messages", ""},
		{"PATCH", "/v1.0/me/messages/m", `{"subject":"s2"}`},
		{"POST", "/v1.0/users/a/messages", `{"subject":"new"}`},
		{"DELETE", "/v1.0/users/a/messages/m", ""},
		{"PATCH", "/v1.0/applications(uniqueName='u')", `{"displayName":"U"}`},
		{"PUT", "/v1.0/users/a", `{"displayName":"Ada"}`},
		{"POST", "/v1.0/$batch", `{"requests":[{"id":"1","method":"GET","url":"/users"}]}`},
		{"GET", "/v1.0/users?$top=1", ""},
	}
	f.Fuzz(func(t *testing.T, which byte, prefer, contentType, encoding, ifMatch, ifNoneMatch string, gz bool) {
		for _, h := range []string{prefer, contentType, encoding, ifMatch, ifNoneMatch} {
			if strings.ContainsAny(h, "\r\n\x00") || len(h) > 4096 {
				return
			}
		}
		target := targets[int(which)%len(targets)]
		srv := graphFuzzServer(t)
		// A message with a known key to address.
		if w := serve(srv, newJSONRequest("POST", "/v1.0/users/a/messages", `{"id":"m","subject":"s"}`)); w.Code != http.StatusCreated {
			t.Fatalf("seed message: %d %s", w.Code, w.Body)
		}
		before := seq(t, srv)
		body := []byte(target.body)
		if gz && len(body) > 0 {
			var b bytes.Buffer
			z := gzip.NewWriter(&b)
			z.Write(body)
			z.Close()
			body = b.Bytes()
		}
		req, err := http.NewRequest(target.method, "http://127.0.0.1"+target.path, bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		for name, v := range map[string]string{"Prefer": prefer, "Content-Type": contentType, "Content-Encoding": encoding,
			"If-Match": ifMatch, "If-None-Match": ifNoneMatch} {
			if v != "" {
				req.Header.Set(name, v)
			}
		}
		start := time.Now()
		w := serve(srv, req)
		if w.Code == http.StatusNotModified {
			return
		}
		checkAnswer(t, srv, target.method+" "+target.path, w, before, time.Since(start))
	})
}
