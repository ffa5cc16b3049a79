package emulator_test

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/tidwall/gjson"

	"github.com/graph-emulator/graph-emulator/emulator"
	"github.com/graph-emulator/graph-emulator/emulator/emulatortest"
)

const batchPath = "/v1.0/$batch"

// sendBatch posts a batch and checks what every answer to a batch that parses must be:
// 200 with Graph's JSON Content-Type and {"responses":[...]}, one item per request, each
// with a string id, a status in 200..599, headers an object of strings (Content-Type
// spelled so), and a body that is an object, a base64 string for a non-JSON inner
// answer, or absent (always for a 204). It returns the items by id.
func sendBatch(t *testing.T, srv *emulatortest.Server, body string, headers ...string) map[string]gjson.Result {
	t.Helper()
	resp := srv.Do("POST", batchPath, body, headers...)
	if resp.Status != http.StatusOK {
		t.Fatalf("batch: %s", resp)
	}
	if ct := resp.Header.Get("Content-Type"); ct != graphJSONType {
		t.Errorf("batch Content-Type %q", ct)
	}
	root := gjson.ParseBytes(resp.Body)
	if !gjson.ValidBytes(resp.Body) || !root.IsObject() || !root.Get("responses").IsArray() {
		t.Fatalf("batch body is not {\"responses\":[...]}: %s", resp.Body)
	}
	items := map[string]gjson.Result{}
	for _, it := range root.Get("responses").Array() {
		id := it.Get("id")
		if id.Type != gjson.String {
			t.Errorf("item id %s is not a string", id.Raw)
		}
		items[id.Str] = it
		status := it.Get("status")
		if status.Type != gjson.Number || status.Int() < 200 || status.Int() > 599 {
			t.Errorf("item %s: status %s", id.Str, status.Raw)
		}
		h := it.Get("headers")
		if !h.IsObject() {
			t.Errorf("item %s: headers %s is not an object", id.Str, h.Raw)
		}
		h.ForEach(func(k, v gjson.Result) bool {
			if v.Type != gjson.String {
				t.Errorf("item %s: header %s = %s, not a string", id.Str, k.Str, v.Raw)
			}
			if strings.EqualFold(k.Str, "Content-Type") && k.Str != "Content-Type" {
				t.Errorf("item %s: header spelled %q, want Content-Type", id.Str, k.Str)
			}
			return true
		})
		b := it.Get("body")
		switch {
		case status.Int() == http.StatusNoContent && b.Exists():
			t.Errorf("item %s: a 204 with a body: %s", id.Str, b.Raw)
		case b.Exists() && !b.IsObject() && b.Type != gjson.String:
			t.Errorf("item %s: body %s is neither an object nor a base64 string", id.Str, b.Raw)
		case b.Type == gjson.String:
			if _, err := base64.StdEncoding.DecodeString(b.Str); err != nil {
				t.Errorf("item %s: body %q is not base64", id.Str, b.Str)
			}
		}
	}
	if n := len(root.Get("responses").Array()); n != len(gjson.Get(body, "requests").Array()) && gjson.Valid(body) {
		t.Errorf("%d responses for %d requests", n, len(gjson.Get(body, "requests").Array()))
	}
	return items
}

// checkItemError checks that an item is a Graph error with the status and code given.
func checkItemError(t *testing.T, it gjson.Result, status int, code string) {
	t.Helper()
	if it.Get("status").Int() != int64(status) || it.Get("body.error.code").Str != code ||
		it.Get("body.error.message").Str == "" || it.Get("body.error.innerError.request-id").Str == "" ||
		it.Get("body.error.innerError.date").Str == "" {
		t.Errorf("item %s = %s, want a %d %s Graph error", it.Get("id").Str, it.Raw, status, code)
	}
	if it.Get("body.error.innerError.request-id").Str != it.Get("headers.request-id").Str {
		t.Errorf("item %s: innerError request-id differs from the item's request-id header", it.Get("id").Str)
	}
}

func TestBatch(t *testing.T) {
	t.Parallel()
	srv := emulatortest.New(t)
	victim := createSeed(t, srv)
	items := sendBatch(t, srv, `{"requests":[
		{"id":"1","method":"POST","url":"/office365ServicesUserCounts","headers":{"Content-Type":"application/json"},"body":{"teamsActive":3,"reportPeriod":"batch"}},
		{"id":"2","method":"GET","url":"/office365ServicesUserCounts?$filter=reportPeriod%20eq%20%27batch%27","dependsOn":["1"],"body":null},
		{"id":"3","method":"PATCH","url":"/office365ServicesUserCounts/none","headers":{"content-type":"application/json"},"body":{"teamsActive":1}},
		{"id":"4","method":"GET","url":"/office365ServicesUserCounts/none2","dependsOn":["3"]},
		{"id":"5","method":"GET","url":"/office365ServicesUserCounts/none3","dependsOn":["4"]},
		{"id":"6","method":"delete","url":"office365ServicesUserCounts/`+victim+`"},
		{"id":"7","method":"GET","url":"/office365ServicesUserCounts/$count","headers":{"consistencylevel":"eventual"},"dependsOn":["1","6"]},
		{"id":"8","method":"GET","url":"/office365ServicesUserCounts?$filter=reportPeriod eq 'batch'&$select=teamsActive","dependsOn":["2"]}
	]}`)
	if it := items["1"]; it.Get("status").Int() != http.StatusCreated || it.Get("body.teamsActive").Int() != 3 ||
		!strings.HasPrefix(it.Get("headers.Location").Str, srv.URL+"/v1.0/") {
		t.Errorf("POST step: %s", it.Raw)
	}
	if it := items["2"]; it.Get("status").Int() != http.StatusOK || len(it.Get("body.value").Array()) != 1 {
		t.Errorf("GET after the POST it depends on: %s", it.Raw)
	}
	checkItemError(t, items["3"], http.StatusNotFound, "Request_ResourceNotFound")
	checkItemError(t, items["4"], http.StatusFailedDependency, "FailedDependency")
	checkItemError(t, items["5"], http.StatusFailedDependency, "FailedDependency")
	if it := items["6"]; it.Get("status").Int() != http.StatusNoContent {
		t.Errorf("DELETE step (method in lower case, url without '/'): %s", it.Raw)
	}
	if it := items["7"]; it.Get("status").Int() != http.StatusOK || it.Get("body").Str != base64.StdEncoding.EncodeToString([]byte("1")) ||
		!strings.HasPrefix(it.Get("headers.Content-Type").Str, "text/plain") {
		t.Errorf("$count step: %s, want the text/plain body 1 in base64", it.Raw)
	}
	if it := items["8"]; it.Get("status").Int() != http.StatusOK || it.Get("body.value.0.teamsActive").Int() != 3 {
		t.Errorf("step URL with spaces and quotes: %s", it.Raw)
	}
	// The writes are there for later requests, as if sent alone.
	if resp := srv.Do("GET", seedSetPath+"/"+victim, ""); resp.Status != http.StatusNotFound {
		t.Errorf("entity deleted in a batch: %s", resp)
	}
	// Every item has a request-id of its own, distinct from the batch's.
	outer := srv.Do("POST", batchPath, `{"requests":[{"id":"a","method":"GET","url":"/office365ServicesUserCounts"},{"id":"b","method":"GET","url":"/nope"},{"id":"c","method":"GET","url":"/v1.0/x"}]}`)
	seen := map[string]bool{outer.Header.Get("request-id"): true}
	for _, it := range gjson.GetBytes(outer.Body, "responses").Array() {
		id := it.Get("headers.request-id").Str
		if id == "" || seen[id] {
			t.Errorf("item %s: request-id %q is missing or not distinct", it.Get("id").Str, id)
		}
		seen[id] = true
	}
}

func TestBatchConcurrentIndependentSteps(t *testing.T) {
	t.Parallel()
	srv := emulatortest.New(t)
	var steps []string
	for i := range 20 {
		steps = append(steps, fmt.Sprintf(`{"id":"%d","method":"POST","url":"/office365ServicesUserCounts","headers":{"Content-Type":"application/json"},"body":{"teamsActive":%d}}`, i, i))
	}
	items := sendBatch(t, srv, `{"requests":[`+strings.Join(steps, ",")+`]}`)
	ids := map[string]bool{}
	for i := range 20 {
		it := items[fmt.Sprint(i)]
		if it.Get("status").Int() != http.StatusCreated || it.Get("body.teamsActive").Int() != int64(i) {
			t.Errorf("step %d: %s", i, it.Raw)
		}
		ids[it.Get("body.id").Str] = true
	}
	if len(ids) != 20 {
		t.Errorf("%d distinct ids for 20 creates", len(ids))
	}
	list := srv.Do("GET", seedSetPath+"?$top=999", "")
	if n := len(gjson.GetBytes(list.Body, "value").Array()); n != 20 {
		t.Errorf("%d stored after a batch of 20 creates", n)
	}
}

func TestBatchBodies(t *testing.T) {
	t.Parallel()
	srv := emulatortest.New(t)
	gz := base64.StdEncoding.EncodeToString([]byte(gzipString(t, `{"teamsActive":9,"reportPeriod":"gz"}`)))
	batch := `{"requests":[
		{"id":"gzip","method":"POST","url":"/office365ServicesUserCounts","headers":{"content-type":"application/json","content-encoding":"gzip"},"body":"` + gz + `"},
		{"id":"text","method":"POST","url":"/office365ServicesUserCounts","headers":{"Content-Type":"text/plain"},"body":"` + base64.StdEncoding.EncodeToString([]byte("hello")) + `"},
		{"id":"notbase64","method":"POST","url":"/office365ServicesUserCounts","headers":{"Content-Type":"text/plain"},"body":"%%%"},
		{"id":"nocontenttype","method":"POST","url":"/office365ServicesUserCounts","body":{"teamsActive":1}},
		{"id":"nullbody","method":"GET","url":"/office365ServicesUserCounts","body":null}
	]}`
	// The batch body itself gzip-compressed, as msgraph-sdk-go sends it.
	items := sendBatch(t, srv, gzipString(t, batch), "Content-Encoding", "gzip")
	if it := items["gzip"]; it.Get("status").Int() != http.StatusCreated || it.Get("body.reportPeriod").Str != "gz" {
		t.Errorf("base64 gzip JSON body: %s", it.Raw)
	}
	// A text body reaches the handler decoded, which refuses its media type.
	checkItemError(t, items["text"], http.StatusUnsupportedMediaType, "RequestBodyRead")
	if !strings.Contains(items["text"].Get("body.error.details.0.message").Str, "text/plain") {
		t.Errorf("text body: %s", items["text"].Raw)
	}
	checkItemError(t, items["notbase64"], http.StatusBadRequest, "BadRequest")
	checkItemError(t, items["nocontenttype"], http.StatusBadRequest, "BadRequest")
	if it := items["nullbody"]; it.Get("status").Int() != http.StatusOK {
		t.Errorf(`GET with "body": null: %s`, it.Raw)
	}
	list := srv.Do("GET", seedSetPath, "")
	if n := len(gjson.GetBytes(list.Body, "value").Array()); n != 1 {
		t.Errorf("%d stored, want only the gzip step's", n)
	}
}

// TestBatchRefusedSteps: what Graph refuses for one step answers 400 in that item, and
// the other steps run.
func TestBatchRefusedSteps(t *testing.T) {
	t.Parallel()
	srv := emulatortest.New(t)
	items := sendBatch(t, srv, `{"requests":[
		{"id":"nested","method":"POST","url":"/$batch","headers":{"Content-Type":"application/json"},"body":{"requests":[{"id":"x","method":"GET","url":"/office365ServicesUserCounts"}]}},
		{"id":"nestedcase","method":"POST","url":"%24BATCH","headers":{"Content-Type":"application/json"},"body":{"requests":[]}},
		{"id":"version","method":"GET","url":"/v1.0/office365ServicesUserCounts"},
		{"id":"beta","method":"GET","url":"beta/office365ServicesUserCounts"},
		{"id":"absolute","method":"GET","url":"https://graph.microsoft.com/v1.0/office365ServicesUserCounts"},
		{"id":"hostonly","method":"GET","url":"//graph.microsoft.com/office365ServicesUserCounts"},
		{"id":"badmethod","method":"GE T","url":"/office365ServicesUserCounts"},
		{"id":"badheader","method":"GET","url":"/office365ServicesUserCounts","headers":{"bad name":"x"}},
		{"id":"ok","method":"GET","url":"/office365ServicesUserCounts"}
	]}`)
	for _, id := range []string{"nested", "nestedcase", "version", "beta", "absolute", "hostonly", "badmethod", "badheader"} {
		checkItemError(t, items[id], http.StatusBadRequest, "BadRequest")
		if strings.Contains(items[id].Get("body.error.message").Str, "Resource not found for the segment") {
			t.Errorf("%s: %s", id, items[id].Get("body.error.message").Str)
		}
	}
	if it := items["ok"]; it.Get("status").Int() != http.StatusOK {
		t.Errorf("step beside refused ones: %s", it.Raw)
	}
}

// TestBatchRefused: a batch that does not parse is refused whole, with Graph's error,
// and none of its steps runs.
func TestBatchRefused(t *testing.T) {
	t.Parallel()
	post := `{"id":"p","method":"POST","url":"/office365ServicesUserCounts","headers":{"Content-Type":"application/json"},"body":{"teamsActive":1}}`
	get := func(id string, deps ...string) string {
		d := ""
		if len(deps) > 0 {
			d = `,"dependsOn":["` + strings.Join(deps, `","`) + `"]`
		}
		return `{"id":"` + id + `","method":"GET","url":"/office365ServicesUserCounts"` + d + `}`
	}
	var many []string
	for i := range 21 {
		many = append(many, get(fmt.Sprint(i)))
	}
	cases := []struct {
		name, body string
		headers    []string
		status     int
		code       string
	}{
		{"21 requests", `{"requests":[` + strings.Join(many, ",") + `]}`, nil, 400, "BadRequest"},
		{"21 requests and a write", `{"requests":[` + post + "," + strings.Join(many[1:], ",") + `]}`, nil, 400, "BadRequest"},
		{"duplicate ids differing in case", `{"requests":[` + post + "," + get("a") + "," + get("A") + `]}`, nil, 400, "BadRequest"},
		{"unknown dependsOn", `{"requests":[` + post + "," + get("a", "zz") + `]}`, nil, 400, "BadRequest"},
		{"cyclic dependsOn", `{"requests":[` + post + "," + get("a", "b") + "," + get("b", "c") + "," + get("c", "a") + `]}`, nil, 400, "BadRequest"},
		{"self dependsOn", `{"requests":[` + post + "," + get("a", "A") + `]}`, nil, 400, "BadRequest"},
		{"dependsOn not an array", `{"requests":[` + post + `,{"id":"a","method":"GET","url":"/x","dependsOn":"p"}]}`, nil, 400, "BadRequest"},
		{"malformed JSON", `{"requests":[` + post, nil, 400, "BadRequest"},
		{"missing requests array", `{"request":[` + post + `]}`, nil, 400, "BadRequest"},
		{"requests not an array", `{"requests":{}}`, nil, 400, "BadRequest"},
		{"empty requests", `{"requests":[]}`, nil, 400, "BadRequest"},
		{"not an object", `[` + post + `]`, nil, 400, "BadRequest"},
		{"request not an object", `{"requests":[` + post + `,"x"]}`, nil, 400, "BadRequest"},
		{"id missing", `{"requests":[` + post + `,{"method":"GET","url":"/x"}]}`, nil, 400, "BadRequest"},
		{"id a number", `{"requests":[` + post + `,{"id":1,"method":"GET","url":"/x"}]}`, nil, 400, "BadRequest"},
		{"url missing", `{"requests":[` + post + `,{"id":"a","method":"GET"}]}`, nil, 400, "BadRequest"},
		{"method missing", `{"requests":[` + post + `,{"id":"a","url":"/x"}]}`, nil, 400, "BadRequest"},
		{"headers not an object", `{"requests":[` + post + `,{"id":"a","method":"GET","url":"/x","headers":["a"]}]}`, nil, 400, "BadRequest"},
		{"no Content-Type", `{"requests":[` + post + `]}`, []string{"Content-Type", ""}, 400, "BadRequest"},
		{"text Content-Type", `{"requests":[` + post + `]}`, []string{"Content-Type", "text/plain"}, 415, "RequestBodyRead"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			srv := emulatortest.New(t)
			resp := srv.Do("POST", batchPath, c.body, c.headers...)
			if resp.Status != c.status {
				t.Fatalf("status %d, want %d: %s", resp.Status, c.status, resp.Body)
			}
			ge := checkGraphError(t, resp)
			if ge.Code != c.code || strings.Contains(ge.Message, "Resource not found for the segment") {
				t.Errorf("error %s %q", ge.Code, ge.Message)
			}
			if list := srv.Do("GET", seedSetPath, ""); len(gjson.GetBytes(list.Body, "value").Array()) != 0 {
				t.Errorf("a refused batch stored something: %s", list.Body)
			}
		})
	}
}

func TestBatchRoute(t *testing.T) {
	t.Parallel()
	srv := emulatortest.New(t, emulator.WithPageSize(1))
	for range 2 {
		createSeed(t, srv)
	}
	body := `{"requests":[{"id":"1","method":"GET","url":"/office365ServicesUserCounts"}]}`
	for _, path := range []string{"/v1.0/$BATCH", "/v1.0/%24batch", "/beta/$Batch"} {
		resp := srv.Do("POST", path, body)
		if resp.Status != http.StatusOK {
			t.Errorf("POST %s: %s", path, resp)
		}
	}
	// Links in inner bodies use the scheme and host of the batch request.
	items := sendBatch(t, srv, body)
	if next := items["1"].Get("body.@odata\\.nextLink").Str; !strings.HasPrefix(next, srv.URL+"/v1.0/office365ServicesUserCounts?") {
		t.Errorf("inner nextLink %q, want one on %s", next, srv.URL)
	}
	resp := srv.Do("GET", batchPath, "")
	if resp.Status != http.StatusMethodNotAllowed {
		t.Errorf("GET $batch: %s", resp)
	}
	checkGraphError(t, resp)
	if resp := srv.Do("POST", "/v9.9/$batch", body); resp.Status != http.StatusBadRequest {
		t.Errorf("POST $batch of an unknown version: %s", resp)
	}
}

// TestBatchInheritsHeaders: steps inherit the batch request's forwarding headers (with
// Authorization and the tenant header) unless they set their own, so links in their
// answers name the host the client called.
func TestBatchInheritsHeaders(t *testing.T) {
	t.Parallel()
	srv := emulatortest.New(t, emulator.WithTrustProxy(true))
	items := sendBatch(t, srv, `{"requests":[
		{"id":"inherited","method":"POST","url":"/office365ServicesUserCounts","headers":{"Content-Type":"application/json"},"body":{}},
		{"id":"own","method":"POST","url":"/office365ServicesUserCounts","headers":{"Content-Type":"application/json","x-forwarded-host":"step.example"},"body":{}}
	]}`, "X-Forwarded-Proto", "https", "X-Forwarded-Host", "proxy.example")
	if loc := items["inherited"].Get("headers.Location").Str; !strings.HasPrefix(loc, "https://proxy.example/v1.0/") {
		t.Errorf("inherited: Location %q", loc)
	}
	if loc := items["own"].Get("headers.Location").Str; !strings.HasPrefix(loc, "https://step.example/v1.0/") {
		t.Errorf("own: Location %q", loc)
	}
}

// TestBatchFanOut: steps that wait on one common step all see its write, and a
// dependent of several steps waits for all of them.
func TestBatchFanOut(t *testing.T) {
	t.Parallel()
	srv := emulatortest.New(t)
	steps := []string{`{"id":"root","method":"POST","url":"/office365ServicesUserCounts","headers":{"Content-Type":"application/json"},"body":{"id":"fan","teamsActive":1}}`}
	var all []string
	for i := range 18 {
		steps = append(steps, fmt.Sprintf(`{"id":"r%d","method":"PATCH","url":"/office365ServicesUserCounts/fan","headers":{"Content-Type":"application/json"},"body":{"teamsInactive":%d},"dependsOn":["root"]}`, i, i))
		all = append(all, fmt.Sprintf(`"r%d"`, i))
	}
	steps = append(steps, `{"id":"last","method":"GET","url":"/office365ServicesUserCounts/fan","dependsOn":[`+strings.Join(all, ",")+`]}`)
	items := sendBatch(t, srv, `{"requests":[`+strings.Join(steps, ",")+`]}`)
	for i := range 18 {
		if it := items[fmt.Sprintf("r%d", i)]; it.Get("status").Int() != http.StatusOK {
			t.Errorf("r%d: %s", i, it.Raw)
		}
	}
	if it := items["last"]; it.Get("status").Int() != http.StatusOK || it.Get("body.teamsActive").Int() != 1 || !it.Get("body.teamsInactive").Exists() {
		t.Errorf("last: %s", it.Raw)
	}
}
