package emulatortest_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/graph-emulator/graph-emulator/emulator/emulatortest"
	"github.com/graph-emulator/graph-emulator/emulator/faults"
)

// AddFault makes Graph misbehave on purpose: here the next two GETs of /v1.0/users
// are throttled, as Graph throttles, with Retry-After: 0 so that a client's retries
// are quick; the third goes through. In a test (New(t)) the rule is removed when the
// test ends.
func ExampleServer_AddFault() {
	srv, err := emulatortest.Start()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Close()

	rule := srv.AddFault(emulatortest.Fault{
		Match: faults.Match{Method: "GET", Path: "/v1.0/users"},
		Error: &faults.Error{Status: 429, RetryAfter: faults.RetryAfter(0)},
		Count: 2,
	})
	for range 3 {
		resp := srv.Do("GET", "/v1.0/users", "")
		var body struct{ Error struct{ Code string } }
		_ = json.Unmarshal(resp.Body, &body)
		fmt.Println(strings.TrimSpace(fmt.Sprint(resp.Status, " ", resp.Header.Get("Retry-After"), " ", body.Error.Code)))
	}
	got := srv.Fault(rule.ID)
	fmt.Println(got.ID, "matched", got.Matched, "hits", got.Hits, "active", got.Active)
	// Output:
	// 429 0 TooManyRequests
	// 429 0 TooManyRequests
	// 200
	// fault-1 matched 3 hits 2 active false
}

// Other kinds: latency (fixed, or a range), a rate limit, a seeded probability.
func ExampleServer_AddFault_kinds() {
	srv, err := emulatortest.Start()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Close()

	srv.AddFault(emulatortest.Fault{Match: faults.Match{Path: "/v1.0/groups/**"},
		Latency: &faults.Latency{Min: 10 * time.Millisecond, Max: 20 * time.Millisecond}})
	srv.AddFault(emulatortest.Fault{Match: faults.Match{Path: "/v1.0/applications"},
		RateLimit: &faults.RateLimit{Requests: 1, Window: time.Minute}})
	srv.AddFault(emulatortest.Fault{Match: faults.Match{Path: "/v1.0/devices"},
		Error: &faults.Error{Status: 503}, Probability: 0.5, Seed: 42})

	start := time.Now()
	fmt.Println(srv.Do("GET", "/v1.0/groups", "").Status, time.Since(start) >= 10*time.Millisecond)
	fmt.Println(srv.Do("GET", "/v1.0/applications", "").Status)
	resp := srv.Do("GET", "/v1.0/applications", "")
	fmt.Println(resp.Status, resp.Header.Get("Retry-After"))
	for _, f := range srv.Faults() {
		fmt.Println(f.ID, f.Hits)
	}
	// Output:
	// 200 true
	// 200
	// 429 60
	// fault-1 1
	// fault-2 1
	// fault-3 0
}

// AddStub scripts an answer for a call the emulator does not emulate, or overrides
// one: the stub answers first, with the envelope's headers like any answer; other
// calls go on to the emulator.
func ExampleServer_AddStub() {
	srv, err := emulatortest.Start()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Close()

	srv.AddStub(emulatortest.Stub{
		Match:    faults.Match{Method: "GET", Path: "/v1.0/me/insights/trending"},
		Response: &emulatortest.StubResponse{Body: json.RawMessage(`{"value":[{"id":"t1"}]}`)},
	})
	// A sequence: a 503 first, then the answer, which repeats.
	srv.AddStub(emulatortest.Stub{
		Match: faults.Match{Method: "POST", Path: "/v1.0/subscriptions"},
		Responses: []emulatortest.StubResponse{
			{Status: 503, Headers: map[string]string{"Retry-After": "0"}},
			{Status: 201, Body: json.RawMessage(`{"id":"sub-1"}`)},
		},
	})

	resp := srv.Do("GET", "/v1.0/me/insights/trending", "")
	fmt.Println(resp.Status, string(resp.Body), resp.Header.Get("request-id") != "")
	for range 3 {
		resp := srv.Do("POST", "/v1.0/subscriptions", `{}`)
		fmt.Println(strings.TrimSpace(fmt.Sprint(resp.Status, " ", string(resp.Body))))
	}
	for _, s := range srv.Stubs() {
		fmt.Println(s.ID, s.Hits)
	}
	// Output:
	// 200 {"value":[{"id":"t1"}]} true
	// 503
	// 201 {"id":"sub-1"}
	// 201 {"id":"sub-1"}
	// stub-1 1
	// stub-2 3
}
