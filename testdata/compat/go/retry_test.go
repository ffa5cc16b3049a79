package compat_test

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	abs "github.com/microsoft/kiota-abstractions-go"
	"github.com/microsoftgraph/msgraph-sdk-go/models/odataerrors"
)

// Injected throttling against msgraph-sdk-go's default middleware: its retry handler
// reads 429s and 503s with Retry-After, waits as told, resends, and succeeds once the
// rule's count runs out; past its retries it returns Graph's error, typed. The rules
// come from POST /_emulator/faults (in-process) and from --fault (the binary).

// The rules: the next two GETs of the collection throttled with Retry-After: 0; the
// next five GETs of the entity u1 throttled (more than the handler retries); the next
// POST answered 503 with Retry-After: 1.
var retryRules = `[
	{"id":"throttle-list","method":"GET","path":"/v1.0/office365ServicesUserCounts","error":{"status":429,"retryAfter":0},"count":2},
	{"id":"throttle-entity","method":"GET","path":"/v1.0/office365ServicesUserCounts/u1","error":{"status":429,"retryAfter":0},"count":5},
	{"id":"unavailable","method":"GET","path":"/v1.0/office365ServicesUserCounts/$count","error":{"status":503,"retryAfter":1},"count":1}
]`

// control sends a request to the emulator's control API and returns its status and body.
func control(t *testing.T, method, url, body string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, b
}

func TestRetryHandlerMeetsInjectedThrottling(t *testing.T) {
	t.Parallel()
	bin := emulatorBinary(t)
	compact := strings.Join(strings.Fields(retryRules), "")
	starts := []target{
		{name: "in-process", start: func(t *testing.T) string {
			root := startInProcess(t)
			if code, body := control(t, "POST", root+"/_emulator/faults", retryRules); code != http.StatusCreated {
				t.Fatalf("POST /_emulator/faults: %d %s", code, body)
			}
			return root
		}},
		{name: "binary --fault", start: func(t *testing.T) string {
			return startBinaryArgs(t, bin, "http", "--addr", "127.0.0.1:0", "--fault", compact)
		}},
	}
	for _, tg := range starts {
		t.Run(tg.name, func(t *testing.T) {
			t.Parallel()
			root := tg.start(t)
			c := newClient(t, root)
			ctx := t.Context()

			// Two 429s with Retry-After: 0, then the answer.
			col, err := c.list(ctx)
			if err != nil {
				t.Fatalf("list through two injected 429s: %v", err)
			}
			if col == nil || col.GetValue() == nil {
				t.Fatal("no collection")
			}
			x := c.wire.exchanges()
			if len(x) != 3 || x[0].status != 429 || x[1].status != 429 || x[2].status != 200 {
				t.Fatalf("exchanges: %+v", x)
			}
			for i, want := range []string{"", "1", "2"} {
				if got := x[i].reqHeader.Get("Retry-Attempt"); got != want {
					t.Errorf("exchange %d: Retry-Attempt %q, want %q", i, got, want)
				}
				if i < 2 && x[i].respHeader.Get("Retry-After") != "0" {
					t.Errorf("exchange %d: Retry-After %q", i, x[i].respHeader.Get("Retry-After"))
				}
			}

			// More 429s than the handler retries (3): Graph's error, typed.
			_, err = c.get(ctx, "u1")
			var oe *odataerrors.ODataError
			if !errors.As(err, &oe) {
				t.Fatalf("get through five 429s: %v, want an ODataError", err)
			}
			if oe.ResponseStatusCode != 429 || oe.GetErrorEscaped() == nil || *oe.GetErrorEscaped().GetCode() != "TooManyRequests" ||
				*oe.GetErrorEscaped().GetMessage() != "Please retry again later." {
				t.Errorf("error %d %v", oe.ResponseStatusCode, oe.GetErrorEscaped())
			}
			if n := len(c.wire.exchanges()); n != 3+4 {
				t.Errorf("%d exchanges, want 3 + 4 (a request and three retries)", n)
			}

			// A 503 with Retry-After: 1: the handler waits a second.
			start := time.Now()
			ri := c.request(abs.GET, collectionTemplate+"/$count", "")
			ri.Headers.TryAdd("ConsistencyLevel", "eventual")
			if _, err := c.adapter.SendPrimitive(ctx, ri, "[]byte", errorMapping); err != nil {
				t.Fatalf("$count through an injected 503: %v", err)
			}
			if d := time.Since(start); d < time.Second {
				t.Errorf("the retry came after %s, want Retry-After's second", d)
			}
			if x := c.wire.last(t); x.status != 200 {
				t.Errorf("last exchange %d", x.status)
			}

			// The emulator counted: hits per rule, and the journal has each answer.
			_, body := control(t, "GET", root+"/_emulator/faults", "")
			var list struct {
				Value []struct {
					ID        string
					Hits      int
					Remaining int
				}
			}
			if err := json.Unmarshal(body, &list); err != nil {
				t.Fatal(err)
			}
			want := map[string][2]int{"throttle-list": {2, 0}, "throttle-entity": {4, 1}, "unavailable": {1, 0}}
			for _, r := range list.Value {
				if w := want[r.ID]; r.Hits != w[0] || r.Remaining != w[1] {
					t.Errorf("rule %s: hits %d remaining %d, want %v", r.ID, r.Hits, r.Remaining, w)
				}
			}
			_, body = control(t, "GET", root+"/_emulator/requests?status=429", "")
			if n := strings.Count(string(body), `"status": 429`); n != 6 {
				t.Errorf("the journal holds %d 429s, want 6", n)
			}
		})
	}
}
