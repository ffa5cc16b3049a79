package emulator_test

import (
	"context"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tidwall/gjson"

	"github.com/graph-emulator/graph-emulator/emulator"
	"github.com/graph-emulator/graph-emulator/emulator/control"
	"github.com/graph-emulator/graph-emulator/emulator/emulatortest"
	"github.com/graph-emulator/graph-emulator/emulator/faults"
)

// Fault rules over HTTP: the endpoints, every kind, bad rules, tenants, $batch steps,
// the journal, reproducibility. Stubs are in stubs_test.go.

const faultsPath = "/_emulator/faults"

// addFault posts a rule and returns it as listed.
func addFault(t *testing.T, srv *emulatortest.Server, rule string, headers ...string) faults.State {
	t.Helper()
	resp := mustStatus(t, srv.Do("POST", faultsPath, rule, headers...), http.StatusCreated)
	var st faults.State
	if err := json.Unmarshal(resp.Body, &st); err != nil {
		t.Fatal(err)
	}
	return st
}

// listFaults returns GET /_emulator/faults (with a query).
func listFaults(t *testing.T, srv *emulatortest.Server, query string, headers ...string) []faults.State {
	t.Helper()
	resp := mustStatus(t, srv.Do("GET", faultsPath+query, "", headers...), 200)
	var list control.List[faults.State]
	if err := json.Unmarshal(resp.Body, &list); err != nil {
		t.Fatal(err)
	}
	return list.Value
}

// wantThrottled checks Graph's 429: its body, Retry-After, and the envelope's ids in
// both the headers and innerError.
func wantThrottled(t *testing.T, resp *emulatortest.Response, retryAfter string) {
	t.Helper()
	wantError(t, resp, 429, "Please retry again later.")
	ge := checkGraphError(t, resp)
	if ge.Code != "TooManyRequests" {
		t.Errorf("code %q", ge.Code)
	}
	if got := resp.Header.Get("Retry-After"); got != retryAfter {
		t.Errorf("Retry-After %q, want %q", got, retryAfter)
	}
	if id := resp.Header.Get("request-id"); id == "" || gjson.GetBytes(resp.Body, "error.innerError.request-id").Str != id {
		t.Errorf("request-id %q not in innerError: %s", id, resp.Body)
	}
}

func TestFaultsEndpoints(t *testing.T) {
	t.Parallel()
	srv := emulatortest.New(t)
	if got := listFaults(t, srv, ""); len(got) != 0 {
		t.Fatalf("rules at start: %+v", got)
	}
	st := addFault(t, srv, `{"method":"get","path":"/v1.0/users","error":{"status":503},"count":1}`)
	if st.ID != "fault-1" || st.Method != "GET" || st.Error.Code != "serviceNotAvailable" || st.Error.RetryAfter == nil ||
		*st.Error.RetryAfter != 1 || !st.Active || st.Remaining == nil || *st.Remaining != 1 {
		t.Errorf("added %+v", st)
	}
	resp := srv.Do("GET", "/v1.0/users", "")
	wantError(t, resp, 503)
	if resp.Header.Get("Retry-After") != "1" {
		t.Errorf("Retry-After %q", resp.Header.Get("Retry-After"))
	}
	mustStatus(t, srv.Do("GET", "/v1.0/users", ""), 200) // the count is spent

	resp = mustStatus(t, srv.Do("GET", faultsPath+"/fault-1", ""), 200)
	gjsonEq(t, resp.Body, "matched", "2")
	gjsonEq(t, resp.Body, "hits", "1")
	gjsonEq(t, resp.Body, "remaining", "0")
	gjsonEq(t, resp.Body, "active", "false")

	// An array: all added, answered as a list.
	resp = mustStatus(t, srv.Do("POST", faultsPath, `[{"id":"slow","latency":{"delay":"1ms"}},{"path":"/beta/**","error":{"status":500}}]`), 201)
	gjsonEq(t, resp.Body, "value.#.id", `["slow","fault-2"]`)
	if got := listFaults(t, srv, ""); len(got) != 3 || got[1].ID != "slow" || got[1].Latency.Delay != time.Millisecond {
		t.Errorf("listed %+v", got)
	}
	wantError(t, srv.Do("GET", "/beta/users", ""), 500, "An internal server error occurred.")

	// A taken id: 409, nothing added.
	wantError(t, srv.Do("POST", faultsPath, `[{"error":{"status":500}},{"id":"slow","error":{"status":500}}]`), 409, "slow")
	if n := len(listFaults(t, srv, "")); n != 3 {
		t.Errorf("%d rules after a refused POST", n)
	}

	mustStatus(t, srv.Do("DELETE", faultsPath+"/fault-2", ""), 204)
	wantError(t, srv.Do("DELETE", faultsPath+"/fault-2", ""), 404, "fault-2")
	wantError(t, srv.Do("GET", faultsPath+"/nothing", ""), 404, "nothing")
	mustStatus(t, srv.Do("GET", "/beta/users", ""), 200)
	mustStatus(t, srv.Do("DELETE", faultsPath, ""), 204)
	if n := len(listFaults(t, srv, "/")); n != 0 {
		t.Errorf("%d rules after DELETE", n)
	}

	resp = srv.Do("PUT", faultsPath, `{}`)
	wantError(t, resp, 405)
	if resp.Header.Get("Allow") != "DELETE, GET, POST" {
		t.Errorf("Allow %q", resp.Header.Get("Allow"))
	}
	wantError(t, srv.Do("POST", faultsPath+"/x", `{}`), 405)
	wantError(t, srv.Do("GET", faultsPath+"?verbose=1", ""), 400, "verbose")
	wantError(t, srv.Do("GET", faultsPath+"?tenant=no%20spaces", ""), 400, "not a valid tenant")
}

// Malformed rules: a 400 naming the field, in the message and the detail's target;
// nothing is added.
func TestFaultsBadRules(t *testing.T) {
	t.Parallel()
	srv := emulatortest.New(t)
	cases := []struct{ name, body, field string }{
		{"empty", ``, ""},
		{"not JSON", `{"error":`, ""},
		{"not an object", `"429"`, ""},
		{"unknown member", `{"error":{"status":429},"times":2}`, "times"},
		{"unknown nested member", `{"error":{"status":429,"retry":1}}`, "error.retry"},
		{"wrong kind", `{"error":{"status":"429"}}`, "error.status"},
		{"no kind", `{"method":"GET"}`, "error"},
		{"status", `{"error":{"status":302}}`, "error.status"},
		{"latency", `{"latency":{"delay":"soon"}}`, "latency.delay"},
		{"latency as number", `{"latency":{"delay":200}}`, "latency.delay"},
		{"latency range", `{"latency":{"min":"2s","max":"1s"}}`, "latency.max"},
		{"rate", `{"rateLimit":{"requests":-1,"window":"1s"}}`, "rateLimit.requests"},
		{"rate and error", `{"rateLimit":{"requests":1,"window":"1s"},"error":{"status":429}}`, "rateLimit"},
		{"probability", `{"error":{"status":500},"probability":2}`, "probability"},
		{"count", `{"error":{"status":500},"count":-2}`, "count"},
		{"path", `{"path":"users","error":{"status":500}}`, "path"},
		{"method", `{"method":"GET,POST","error":{"status":500}}`, "method"},
		{"tenant", `{"tenant":"a b","error":{"status":500}}`, "tenant"},
		{"id", `{"id":"a b","error":{"status":500}}`, "id"},
		{"header", `{"error":{"status":500,"headers":{"request-id":"x"}}}`, "error.headers.request-id"},
		{"second of two", `[{"error":{"status":500}},{"error":{"status":500},"count":"2"}]`, "[1].count"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			resp := srv.Do("POST", faultsPath, c.body)
			wantError(t, resp, 400, c.field)
			ge := checkGraphError(t, resp)
			if c.field != "" && (!strings.HasPrefix(ge.Message, c.field+": ") || gjson.GetBytes(resp.Body, "error.details.0.target").Str != c.field) {
				t.Errorf("the field %q is not named: %s", c.field, resp.Body)
			}
		})
	}
	if n := len(listFaults(t, srv, "")); n != 0 {
		t.Errorf("%d rules added by bad requests", n)
	}
	// A tenant in the rule and another in the request.
	wantError(t, srv.Do("POST", faultsPath, `{"tenant":"a","error":{"status":500}}`, tenantHeader, "b"), 400, "tenant")
	wantError(t, srv.Do("POST", faultsPath+"?tenant=x&tenant=y", `{"error":{"status":500}}`), 400, "tenant")
	// Over the body limit.
	big := `{"error":{"status":500,"message":"` + strings.Repeat("x", 5<<20) + `"}}`
	wantError(t, srv.Do("POST", faultsPath, big), 400, "Maximum request length exceeded.")
}

// Every kind over HTTP: status codes with Graph's body, latency, the rate limit on the
// server's clock, probability, count; the control API is never touched.
func TestFaultKinds(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	now := time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
	srv := emulatortest.New(t, emulator.WithClock(clock))

	t.Run("status", func(t *testing.T) {
		for _, c := range []struct {
			rule, code, retryAfter string
			status                 int
		}{
			{`{"path":"/v1.0/groups","error":{"status":429}}`, "TooManyRequests", "1", 429},
			{`{"path":"/v1.0/groups","error":{"status":429,"retryAfter":0}}`, "TooManyRequests", "0", 429},
			{`{"path":"/v1.0/groups","error":{"status":503,"retryAfter":7}}`, "serviceNotAvailable", "7", 503},
			{`{"path":"/v1.0/groups","error":{"status":504}}`, "GatewayTimeout", "", 504},
			{`{"path":"/v1.0/groups","error":{"status":500,"code":"generalException","message":"Boom.","headers":{"x-ms-ags-diagnostic":"{}"}}}`, "generalException", "", 500},
			{`{"path":"/v1.0/groups","error":{"status":401}}`, "InvalidAuthenticationToken", "", 401},
		} {
			st := addFault(t, srv, c.rule)
			resp := srv.Do("GET", "/v1.0/groups", "", "client-request-id", "my-id")
			ge := checkGraphError(t, resp)
			if resp.Status != c.status || ge.Code != c.code || resp.Header.Get("Retry-After") != c.retryAfter {
				t.Errorf("%s: %d %s Retry-After %q", c.rule, resp.Status, resp.Body, resp.Header.Get("Retry-After"))
			}
			if resp.Header.Get("client-request-id") != "my-id" || gjson.GetBytes(resp.Body, "error.innerError.client-request-id").Str != "my-id" {
				t.Errorf("%s: client-request-id not echoed", c.rule)
			}
			if c.code == "generalException" && (ge.Message != "Boom." || resp.Header.Get("x-ms-ags-diagnostic") != "{}") {
				t.Errorf("custom error: %s %v", resp.Body, resp.Header)
			}
			mustStatus(t, srv.Do("DELETE", faultsPath+"/"+st.ID, ""), 204)
		}
		mustStatus(t, srv.Do("GET", "/v1.0/groups", ""), 200)
	})

	t.Run("latency", func(t *testing.T) {
		st := addFault(t, srv, `{"path":"/v1.0/applications","latency":{"delay":"150ms"}}`)
		start := time.Now()
		mustStatus(t, srv.Do("GET", "/v1.0/applications", ""), 200)
		if d := time.Since(start); d < 150*time.Millisecond {
			t.Errorf("answered in %s, want 150ms at least", d)
		}
		start = time.Now()
		mustStatus(t, srv.Do("GET", "/v1.0/groups", ""), 200)
		if d := time.Since(start); d > 140*time.Millisecond {
			t.Logf("an unmatched request took %s", d) // a slow machine, not a failure
		}
		mustStatus(t, srv.Do("DELETE", faultsPath+"/"+st.ID, ""), 204)
		// A range with a slow error: the delay and then the answer.
		st = addFault(t, srv, `{"path":"/v1.0/applications","latency":{"min":"50ms","max":"80ms"},"error":{"status":504}}`)
		start = time.Now()
		wantError(t, srv.Do("GET", "/v1.0/applications", ""), 504)
		if d := time.Since(start); d < 50*time.Millisecond {
			t.Errorf("a slow 504 in %s", d)
		}
		if st.Seed == 0 {
			t.Error("no seed listed for a latency range")
		}
		mustStatus(t, srv.Do("DELETE", faultsPath+"/"+st.ID, ""), 204)
	})

	t.Run("rate limit", func(t *testing.T) {
		st := addFault(t, srv, `{"method":"GET","path":"/v1.0/servicePrincipals/**","rateLimit":{"requests":2,"window":"10s"}}`)
		mustStatus(t, srv.Do("GET", "/v1.0/servicePrincipals", ""), 200)
		advance(4 * time.Second)
		mustStatus(t, srv.Do("GET", "/v1.0/servicePrincipals", ""), 200)
		mustStatus(t, srv.Do("POST", "/v1.0/servicePrincipals", `{"appId":"x"}`), 201) // another method: not limited
		advance(2 * time.Second)
		wantThrottled(t, srv.Do("GET", "/v1.0/servicePrincipals", ""), "4")
		advance(3500 * time.Millisecond)
		wantThrottled(t, srv.Do("GET", "/v1.0/servicePrincipals", ""), "1")
		advance(500 * time.Millisecond)
		mustStatus(t, srv.Do("GET", "/v1.0/servicePrincipals", ""), 200)
		wantThrottled(t, srv.Do("GET", "/v1.0/servicePrincipals", ""), "4")
		got, _ := getFault(t, srv, st.ID)
		if got.Matched != 6 || got.Hits != 3 {
			t.Errorf("matched %d hits %d, want 6 and 3", got.Matched, got.Hits)
		}
		mustStatus(t, srv.Do("DELETE", faultsPath+"/"+st.ID, ""), 204)
	})

	t.Run("count", func(t *testing.T) {
		addFault(t, srv, `{"path":"/v1.0/devices","error":{"status":429,"retryAfter":0},"count":2}`)
		wantThrottled(t, srv.Do("GET", "/v1.0/devices", ""), "0")
		wantThrottled(t, srv.Do("GET", "/v1.0/devices", ""), "0")
		mustStatus(t, srv.Do("GET", "/v1.0/devices", ""), 200)
		mustStatus(t, srv.Do("GET", "/v1.0/devices", ""), 200)
	})

	t.Run("control API passed by", func(t *testing.T) {
		st := addFault(t, srv, `{"path":"/**","error":{"status":500}}`)
		mustStatus(t, srv.Do("GET", "/_emulator/health", ""), 200)
		mustStatus(t, srv.Do("GET", faultsPath, ""), 200)
		wantError(t, srv.Do("GET", "/v1.0/users", ""), 500)
		wantError(t, srv.Do("GET", "/nowhere", ""), 500) // any path but the control API's
		mustStatus(t, srv.Do("DELETE", faultsPath+"/"+st.ID, ""), 204)
	})
}

func getFault(t *testing.T, srv *emulatortest.Server, id string) (faults.State, bool) {
	t.Helper()
	resp := srv.Do("GET", faultsPath+"/"+id, "")
	if resp.Status == 404 {
		return faults.State{}, false
	}
	var st faults.State
	if err := json.Unmarshal(mustStatus(t, resp, 200).Body, &st); err != nil {
		t.Fatal(err)
	}
	return st, true
}

// A seed makes a run reproducible: two servers with the same rule and requests answer
// alike; the seed a server chose is listed and reproduces its run on another.
func TestFaultsSeed(t *testing.T) {
	t.Parallel()
	run := func(rule string) (string, int64) {
		srv := emulatortest.New(t)
		st := addFault(t, srv, rule)
		var sb strings.Builder
		for range 40 {
			switch resp := srv.Do("GET", "/v1.0/users", ""); resp.Status {
			case 503:
				sb.WriteByte('x')
			case 200:
				sb.WriteByte('.')
			default:
				t.Fatalf("answer %s", resp)
			}
		}
		return sb.String(), st.Seed
	}
	a, _ := run(`{"error":{"status":503},"probability":0.5,"seed":1234}`)
	b, _ := run(`{"error":{"status":503},"probability":0.5,"seed":1234}`)
	if a != b {
		t.Errorf("seed 1234 gave two runs:\n%s\n%s", a, b)
	}
	if !strings.Contains(a, "x") || !strings.Contains(a, ".") {
		t.Errorf("p=0.5 over 40 requests: %s", a)
	}
	c, seed := run(`{"error":{"status":503},"probability":0.5}`)
	if seed == 0 {
		t.Fatal("no seed listed")
	}
	if d, _ := run(`{"error":{"status":503},"probability":0.5,"seed":` + strconv.FormatInt(seed, 10) + `}`); c != d {
		t.Errorf("the listed seed %d does not reproduce the run:\n%s\n%s", seed, c, d)
	}
	// WithRandom fixes the seeds the server chooses.
	seeds := func() int64 {
		srv := emulatortest.New(t, emulator.WithRandom(rand.NewPCG(5, 6)))
		return addFault(t, srv, `{"error":{"status":503},"probability":0.5}`).Seed
	}
	if x, y := seeds(), seeds(); x != y {
		t.Errorf("WithRandom: seeds %d and %d", x, y)
	}
}

// Batch steps meet the rules each on its own; the outer batch too.
func TestFaultsBatch(t *testing.T) {
	t.Parallel()
	srv := emulatortest.New(t)
	addFault(t, srv, `{"id":"users","method":"GET","path":"/v1.0/users","error":{"status":429,"retryAfter":0},"count":1}`)
	items := sendBatch(t, srv, `{"requests":[
		{"id":"1","method":"GET","url":"/users"},
		{"id":"2","method":"GET","url":"/groups"},
		{"id":"3","method":"GET","url":"/users","dependsOn":["1"]}]}`)
	if items["1"].Get("status").Int() != 429 || items["1"].Get("headers.Retry-After").Str != "0" ||
		items["1"].Get("body.error.code").Str != "TooManyRequests" || items["1"].Get("headers.request-id").Str == "" {
		t.Errorf("step 1: %s", items["1"].Raw)
	}
	if items["2"].Get("status").Int() != 200 {
		t.Errorf("step 2: %s", items["2"].Raw)
	}
	if items["3"].Get("status").Int() != 424 {
		t.Errorf("step 3 (depends on the throttled one): %s", items["3"].Raw)
	}
	// The journal has the batch with its steps, the injected answer and its rule.
	es := requests(t, srv, "?path=/v1.0/$batch")
	if len(es) != 1 || len(es[0].Children) != 2 {
		t.Fatalf("journal: %+v", es)
	}
	for _, c := range es[0].Children {
		switch c.BatchStepID {
		case "1":
			if c.Status != 429 || len(c.Faults) != 1 || c.Faults[0] != "users" {
				t.Errorf("step 1 journaled as %+v", c)
			}
		case "2":
			if c.Status != 200 || c.Faults != nil {
				t.Errorf("step 2 journaled as %+v", c)
			}
		}
	}
	// A rule on the batch's own path answers the batch.
	addFault(t, srv, `{"method":"POST","path":"/v1.0/$batch","error":{"status":503},"count":1}`)
	wantError(t, srv.Do("POST", "/v1.0/$batch", `{"requests":[{"id":"1","method":"GET","url":"/users"}]}`), 503)
}

// The journal records injected answers with the rules that acted.
func TestFaultsJournal(t *testing.T) {
	t.Parallel()
	srv := emulatortest.New(t)
	addFault(t, srv, `{"id":"slow","path":"/v1.0/users/**","latency":{"delay":"20ms"}}`)
	addFault(t, srv, `{"id":"fail","method":"POST","path":"/v1.0/users","error":{"status":500}}`)
	mustStatus(t, srv.Do("GET", "/v1.0/users", ""), 200)
	wantError(t, srv.Do("POST", "/v1.0/users", `{"displayName":"A"}`), 500)
	es := requests(t, srv, "")
	if len(es) != 2 {
		t.Fatalf("journal: %+v", es)
	}
	if es[0].Status != 200 || strings.Join(es[0].Faults, ",") != "slow" || es[0].Duration < 20 {
		t.Errorf("GET journaled as %+v", es[0])
	}
	if es[1].Status != 500 || strings.Join(es[1].Faults, ",") != "slow,fail" || es[1].Body != `{"displayName":"A"}` {
		t.Errorf("POST journaled as %+v", es[1])
	}
	if got := requests(t, srv, "?status=500"); len(got) != 1 {
		t.Errorf("status filter: %d", len(got))
	}
}

// Rules added for a tenant apply to it alone, and each tenant lists and clears its own.
func TestFaultsTenants(t *testing.T) {
	t.Parallel()
	srv := emulatortest.New(t)
	a := addFault(t, srv, `{"error":{"status":503}}`, tenantHeader, "Tenant-A")
	if a.Tenant != "tenant-a" {
		t.Errorf("tenant %q", a.Tenant)
	}
	addFault(t, srv, `{"tenant":"tenant-b","error":{"status":500}}`)
	addFault(t, srv, `{"path":"/v1.0/groups","error":{"status":504}}`)
	wantError(t, srv.Do("GET", "/v1.0/users", "", tenantHeader, "tenant-a"), 503)
	wantError(t, srv.Do("GET", "/v1.0/users", "", tenantHeader, "tenant-b"), 500)
	mustStatus(t, srv.Do("GET", "/v1.0/users", ""), 200)
	wantError(t, srv.Do("GET", "/v1.0/groups", "", tenantHeader, "tenant-c"), 504)

	if got := listFaults(t, srv, "?tenant=tenant-a"); len(got) != 1 || got[0].ID != a.ID {
		t.Errorf("tenant-a lists %+v", got)
	}
	if got := listFaults(t, srv, "", tenantHeader, "tenant-b"); len(got) != 1 || got[0].Tenant != "tenant-b" {
		t.Errorf("tenant-b lists %+v", got)
	}
	wantError(t, srv.Do("DELETE", faultsPath+"/"+a.ID, "", tenantHeader, "tenant-b"), 404)
	mustStatus(t, srv.Do("DELETE", faultsPath, "", tenantHeader, "tenant-b"), 204)
	if got := listFaults(t, srv, ""); len(got) != 2 {
		t.Errorf("after clearing tenant-b: %+v", got)
	}
	mustStatus(t, srv.Do("GET", "/v1.0/users", "", tenantHeader, "tenant-b"), 200)
}

// A client that gives up ends an injected latency; the journal records 499.
func TestFaultsLatencyCancelled(t *testing.T) {
	t.Parallel()
	srv := emulatortest.New(t)
	addFault(t, srv, `{"path":"/v1.0/users","latency":{"delay":"1m"}}`)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL+"/v1.0/users", nil)
	start := time.Now()
	_, err := srv.Client.Do(req)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err %v", err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		es := requests(t, srv, "?path=/v1.0/users")
		if len(es) == 1 {
			if es[0].Status != 499 || es[0].Duration > 30_000 {
				t.Errorf("journaled %+v", es[0])
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the cancelled request was not journaled within %s", time.Since(start))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Rules given at start (WithFaults) apply at once; a bad one stops New, naming its
// field.
func TestFaultsAtStart(t *testing.T) {
	t.Parallel()
	srv := emulatortest.New(t, emulator.WithFaults(faults.Rule{Match: faults.Match{Path: "/v1.0/me"},
		Error: &faults.Error{Status: 429, RetryAfter: faults.RetryAfter(0)}}))
	wantThrottled(t, srv.Do("GET", "/v1.0/me", ""), "0")
	if got := listFaults(t, srv, ""); len(got) != 1 || got[0].ID != "fault-1" {
		t.Errorf("listed %+v", got)
	}
	_, err := emulator.New(emulator.WithFaults(faults.Rule{Latency: &faults.Latency{Min: 2, Max: 1}}))
	if err == nil || !strings.Contains(err.Error(), "latency.max") {
		t.Errorf("New with a bad rule: %v", err)
	}
}

// Requests from many goroutines, batches among them, while rules come and go (run
// with -race).
func TestFaultsConcurrent(t *testing.T) {
	t.Parallel()
	srv := emulatortest.New(t)
	addFault(t, srv, `{"path":"/v1.0/users","error":{"status":429,"retryAfter":0},"count":30}`)
	var wg sync.WaitGroup
	var mu sync.Mutex
	throttled := 0
	for range 6 {
		wg.Go(func() {
			for range 10 {
				resp, err := srv.Send("GET", "/v1.0/users", "")
				if err != nil {
					t.Error(err)
					return
				}
				if resp.Status == 429 {
					mu.Lock()
					throttled++
					mu.Unlock()
				}
			}
		})
	}
	wg.Go(func() {
		for range 10 {
			resp, err := srv.Send("POST", faultsPath, `{"path":"/v1.0/groups","latency":{"delay":"1ms"}}`)
			if err != nil || resp.Status != 201 {
				t.Errorf("%v %v", resp, err)
				return
			}
			id := gjson.GetBytes(resp.Body, "id").Str
			if _, err := srv.Send("POST", "/v1.0/$batch", `{"requests":[{"id":"1","method":"GET","url":"/groups"}]}`); err != nil {
				t.Error(err)
			}
			if _, err := srv.Send("DELETE", faultsPath+"/"+id, ""); err != nil {
				t.Error(err)
			}
		}
	})
	wg.Wait()
	if throttled != 30 {
		t.Errorf("%d throttled, want the count of 30", throttled)
	}
}
