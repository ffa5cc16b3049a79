package emulator_test

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/tidwall/gjson"

	"github.com/graph-emulator/graph-emulator/emulator"
	"github.com/graph-emulator/graph-emulator/emulator/emulatortest"
)

// bigUsers stores n users of about size bytes each (their displayName, one of the
// properties a user's default property set returns, holds the bulk).
func bigUsers(t testing.TB, srv *emulatortest.Server, n, size int) {
	t.Helper()
	blob := strings.Repeat("b", size)
	for i := range n {
		r := srv.Do("POST", "/v1.0/users", requiredUser(`{"id":"u`+strconv.Itoa(i)+`","displayName":"U`+strconv.Itoa(i)+blob+`"}`))
		if r.Status != http.StatusCreated {
			t.Fatalf("POST: %d %.300s", r.Status, r.Body)
		}
	}
}

// allocatedBy returns the bytes fn allocates in the whole process.
func allocatedBy(fn func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	fn()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// TestStreamedPageMemory: a page of 40 entities of 1 MB is written to the client as it
// reads, the server allocating a few entities' worth, not the page (it built the 40 MB
// body, doubling its buffer as it went, before). Not parallel: it counts every
// allocation of the process.
func TestStreamedPageMemory(t *testing.T) {
	srv := newGraph(t, emulator.WithPageSize(999))
	const n, size = 40, 1 << 20
	bigUsers(t, srv, n, size)
	for _, tt := range []struct{ name, method, path, body string }{
		{"list", "GET", "/v1.0/users?$top=999", ""},
		{"list with $select", "GET", "/v1.0/users?$top=999&$select=id,displayName", ""},
		{"batch of two lists", "POST", "/v1.0/$batch", `{"requests":[{"id":"a","method":"GET","url":"/users?$top=999"},{"id":"b","method":"GET","url":"/users?$select=displayName"}]}`},
	} {
		var got int64
		var status int
		alloc := allocatedBy(func() {
			req, err := http.NewRequest(tt.method, srv.URL+tt.path, strings.NewReader(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", "application/json")
			resp, err := srv.Client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			status = resp.StatusCode
			got, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		})
		if status != http.StatusOK || got < n*size {
			t.Fatalf("%s: %d, %d bytes", tt.name, status, got)
		}
		t.Logf("%s: %d MB written, %.1f MB allocated", tt.name, got>>20, float64(alloc)/(1<<20))
		if alloc > 8*size {
			t.Errorf("%s: %d bytes allocated to write %d: the page was not streamed", tt.name, alloc, got)
		}
	}
}

// TestStreamedBatch: a batch whose steps answer large pages, small entities, no content,
// text and errors, with and without dependencies, is answered in full and in valid JSON,
// each item once, in the order the steps started.
func TestStreamedBatch(t *testing.T) {
	t.Parallel()
	srv := newGraph(t, emulator.WithPageSize(999))
	bigUsers(t, srv, 12, 100<<10) // each list step answers 1.2 MB: past a step's buffer
	body := `{"requests":[
		{"id":"list1","method":"GET","url":"/users"},
		{"id":"small","method":"GET","url":"/users/u1?$select=id"},
		{"id":"count","method":"GET","url":"/users/$count","headers":{"ConsistencyLevel":"eventual"}},
		{"id":"list2","method":"GET","url":"/users?$top=999"},
		{"id":"create","method":"POST","url":"/users","headers":{"Content-Type":"application/json"},"body":{"id":"new","displayName":"N","accountEnabled":true,"mailNickname":"new","userPrincipalName":"new@contoso.test","passwordProfile":{"password":"x-Y-z-123!aB"}}},
		{"id":"after","method":"GET","url":"/users/new","dependsOn":["create"]},
		{"id":"list3","method":"GET","url":"/users","dependsOn":["create"]},
		{"id":"delete","method":"DELETE","url":"/users/u2"},
		{"id":"missing","method":"GET","url":"/users/nobody"},
		{"id":"failed","method":"GET","url":"/users","dependsOn":["missing"]}
	]}`
	r := srv.Do("POST", "/v1.0/$batch", body)
	if r.Status != http.StatusOK || !json.Valid(r.Body) {
		t.Fatalf("%d, valid JSON: %v: %.300s", r.Status, json.Valid(r.Body), r.Body)
	}
	if r.Header.Get("Content-Length") != "" {
		t.Errorf("a large batch answer has a Content-Length: it was not streamed")
	}
	want := map[string]int{"list1": 200, "small": 200, "count": 200, "list2": 200, "create": 201, "after": 200,
		"list3": 200, "delete": 204, "missing": 404, "failed": 424}
	var order []string
	for _, it := range gjson.GetBytes(r.Body, "responses").Array() {
		id := it.Get("id").Str
		order = append(order, id)
		if int(it.Get("status").Int()) != want[id] {
			t.Errorf("%s: status %d, want %d", id, it.Get("status").Int(), want[id])
		}
		delete(want, id)
		switch id {
		case "list1", "list2":
			if n := len(it.Get("body.value").Array()); n != 12 {
				t.Errorf("%s: %d users", id, n)
			}
		case "list3":
			if n := len(it.Get("body.value").Array()); n < 12 {
				t.Errorf("%s: %d users", id, n)
			}
		case "count":
			if b, err := base64.StdEncoding.DecodeString(it.Get("body").Str); err != nil || string(b) != "12" && string(b) != "13" && string(b) != "11" {
				t.Errorf("count body %s (%q %v)", it.Get("body").Raw, b, err)
			}
		case "delete":
			if it.Get("body").Exists() {
				t.Errorf("a 204 item has a body: %s", it.Raw)
			}
		case "missing":
			if it.Get("body.error.code").Str == "" {
				t.Errorf("no Graph error: %s", it.Raw)
			}
		}
	}
	if len(want) > 0 {
		t.Errorf("items missing: %v (got %v)", want, order)
	}
	// Steps without dependencies start in request order: their items come so.
	if got := strings.Join(order[:4], ","); got != "list1,small,count,list2" {
		t.Errorf("order %v", order)
	}
}

// TestSmallAnswersKeepTheirLength: pages and batches that fit in one chunk go out with
// a Content-Length, as before streaming.
func TestSmallAnswersKeepTheirLength(t *testing.T) {
	t.Parallel()
	srv := newGraph(t)
	mustStatus(t, srv.Do("POST", "/v1.0/users", requiredUser(`{"id":"u","displayName":"U"}`)), http.StatusCreated)
	for _, r := range []*emulatortest.Response{
		srv.Do("GET", "/v1.0/users", ""),
		srv.Do("POST", "/v1.0/$batch", `{"requests":[{"id":"1","method":"GET","url":"/users"}]}`),
	} {
		if r.Status != http.StatusOK || r.Header.Get("Content-Length") != strconv.Itoa(len(r.Body)) || !json.Valid(r.Body) {
			t.Errorf("%d Content-Length %q for %d bytes", r.Status, r.Header.Get("Content-Length"), len(r.Body))
		}
	}
}

// TestStreamedPagePreferenceApplied: a page of messages written after the read still
// says which body type it applied, small or streamed.
func TestStreamedPagePreferenceApplied(t *testing.T) {
	t.Parallel()
	srv := newGraph(t, emulator.WithPageSize(999))
	mustStatus(t, srv.Do("POST", "/v1.0/users", requiredUser(`{"id":"u","displayName":"U"}`)), http.StatusCreated)
	for _, n := range []int{1, 40} { // 40 messages of 4 KB: past a chunk
		for range n {
			body := `{"subject":"s","body":{"contentType":"html","content":"<p>` + strings.Repeat("x", 4000) + `</p>"}}`
			mustStatus(t, srv.Do("POST", "/v1.0/users/u/messages", body), http.StatusCreated)
		}
		r := mustStatus(t, srv.Do("GET", "/v1.0/users/u/messages", "", "Prefer", `outlook.body-content-type="text"`), http.StatusOK)
		if got := r.Header.Get("Preference-Applied"); got != `outlook.body-content-type="text"` {
			t.Errorf("%d bytes: Preference-Applied %q", len(r.Body), got)
		}
		if field(r, "value.0.body.contentType") != "text" {
			t.Errorf("body %.200s", r.Body)
		}
	}
}
