package faults

import (
	"context"
	"errors"
	"math/rand/v2"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/graph-emulator/graph-emulator/odata"
)

func TestMatchPath(t *testing.T) {
	t.Parallel()
	cases := []struct {
		pattern, path string
		want          bool
	}{
		{"/v1.0/users", "/v1.0/users", true},
		{"/v1.0/users", "/V1.0/Users/", true},
		{"/v1.0/users", "/v1.0/users/u1", false},
		{"/v1.0/users/*", "/v1.0/users/u1", true},
		{"/v1.0/users/*", "/v1.0/users('u1')", false},
		{"/v1.0/users*", "/v1.0/users('u1')", true},
		{"/v1.0/users/*", "/v1.0/users/u1/manager", false},
		{"/v1.0/users/*", "/v1.0/users", false},
		{"/v1.0/users/**", "/v1.0/users", true},
		{"/v1.0/users/**", "/v1.0/users/u1/manager", true},
		{"/v1.0/users/**", "/v1.0/usersx", false},
		{"/*/me/**", "/beta/me/messages", true},
		{"/*/me/**", "/v1.0/me", true},
		{"/**/messages", "/v1.0/me/mailFolders/inbox/messages", true},
		{"/**/messages", "/v1.0/me/messages/m1", false},
		{"/**", "/", true},
		{"/**", "/v1.0/$batch", true},
		{"/v1.0/users/*/memberOf", "/v1.0/users/u1/memberof", true},
		{"/v1.0/*/*/manager", "/v1.0/users/u1/manager", true},
		{"/v1.0/users/a*b*c", "/v1.0/users/axxbyyc", true},
		{"/v1.0/users/a*b*c", "/v1.0/users/axxbyy", false},
		{"/v1.0/**/x/**/y", "/v1.0/a/x/b/c/y", true},
		{"/v1.0/**/x/**/y", "/v1.0/a/x/b/c/z", false},
		{"/v1.0/groups/*/members/$ref", "/v1.0/groups/g1/members/$ref", true},
		{"/", "/", true},
		{"/", "/v1.0", false},
	}
	for _, c := range cases {
		segs, err := compilePath(c.pattern, "path")
		if err != nil {
			t.Fatalf("%s: %v", c.pattern, err)
		}
		m := Matcher{path: segs}
		if got := m.Match(&Request{Method: "GET", Path: c.path}); got != c.want {
			t.Errorf("%s on %s = %v, want %v", c.pattern, c.path, got, c.want)
		}
	}
}

// A pattern of many stars against a long path takes few steps (no exponential
// backtracking).
func TestMatchPathLinear(t *testing.T) {
	t.Parallel()
	pattern := "/" + strings.Repeat("**/", 40) + "x"
	segs, err := compilePath(pattern, "path")
	if err != nil {
		t.Fatal(err)
	}
	path := "/" + strings.Repeat("a/", 500) + "y"
	m := Matcher{path: segs}
	if m.Match(&Request{Path: path}) {
		t.Error("matched")
	}
	if !glob(strings.Repeat("*a", 50), strings.Repeat("a", 2000)) || glob(strings.Repeat("*a", 50)+"b", strings.Repeat("a", 2000)) {
		t.Error("glob")
	}
}

func TestMatchFields(t *testing.T) {
	t.Parallel()
	m, err := CompileMatch(&Match{Method: "get", Path: "/v1.0/users", Tenant: "Tenant-B",
		Query: map[string]string{"$top": "5", "$filter": "startswith(*"}}, "", func(s string) (string, error) { return strings.ToLower(s), nil })
	if err != nil {
		t.Fatal(err)
	}
	req := func(method, query, tenant string) *Request {
		return &Request{Method: method, Path: "/v1.0/users", RawQuery: query, Tenant: tenant}
	}
	ok := "%24top=5&%24FILTER=StartsWith(displayName,'A')"
	for _, c := range []struct {
		r    *Request
		want bool
	}{
		{req("GET", ok, "tenant-b"), true},
		{req("POST", ok, "tenant-b"), false},
		{req("GET", ok, "default"), false},
		{req("GET", "$top=5", "tenant-b"), false},
		{req("GET", "top=5&$filter=startswith(x)", "tenant-b"), false},
		{req("GET", "$top=6&$filter=startswith(x)", "tenant-b"), false},
	} {
		if got := m.Match(c.r); got != c.want {
			t.Errorf("%+v: %v, want %v", c.r, got, c.want)
		}
	}
}

func TestDecodeErrors(t *testing.T) {
	t.Parallel()
	cases := []struct{ name, body, field, msg string }{
		{"empty", " ", "", "empty"},
		{"not json", `{"method":`, "", "not valid JSON"},
		{"syntax", `{"method" "GET"}`, "", "not valid JSON"},
		{"not an object", `5`, "", "JSON object"},
		{"unknown member", `{"methd":"GET"}`, "methd", "no member"},
		{"type", `{"method":5}`, "method", "Want a string, not a number"},
		{"nested type", `{"error":{"status":"429"}}`, "error.status", "Want an integer, not a string"},
		{"retryAfter type", `{"error":{"status":429,"retryAfter":"1"}}`, "error.retryAfter", "integer"},
		{"latency unknown", `{"latency":{"ms":200}}`, "latency.ms", "no member"},
		{"latency number", `{"latency":{"delay":200}}`, "latency.delay", "Want a string, not a number"},
		{"latency bad duration", `{"latency":{"delay":"fast"}}`, "latency.delay", "not a duration"},
		{"latency not object", `{"latency":"200ms"}`, "latency", "object"},
		{"window", `{"rateLimit":{"requests":2,"window":"soon"}}`, "rateLimit.window", "not a duration"},
		{"array index", `[{"error":{"status":429}},{"methd":1}]`, "[1].methd", "no member"},
		{"trailing", `{"error":{"status":429}} {}`, "", "after"},
		{"fraction", `{"error":{"status":429.5}}`, "error.status", "Want an integer, not the number 429.5"},
		{"array where object", `{"query":["a"]}`, "query", "Want an object, not an array"},
		{"query value", `{"query":{"$top":5}}`, "query.$top", "Want a string, not a number"},
		{"probability string", `[{},{"probability":"0.5"}]`, "[1].probability", "Want a number, not a string"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := DecodeList[Rule]([]byte(c.body), "fault rule")
			checkInvalid(t, err, c.field, c.msg)
		})
	}
}

// checkInvalid checks a 400 naming field, whose message holds msg.
func checkInvalid(t *testing.T, err error, field, msg string) {
	t.Helper()
	var ge *odata.Error
	if !errors.As(err, &ge) {
		t.Fatalf("error %v, want an *odata.Error", err)
	}
	if ge.Status != http.StatusBadRequest || ge.Code != "BadRequest" {
		t.Errorf("%d %s, want 400 BadRequest", ge.Status, ge.Code)
	}
	if !strings.Contains(ge.Message, msg) {
		t.Errorf("message %q does not hold %q", ge.Message, msg)
	}
	if len(ge.Details) != 1 || ge.Details[0].Target != field {
		t.Errorf("details %+v, want the target %q", ge.Details, field)
	}
	if field != "" && !strings.HasPrefix(ge.Message, field+": ") {
		t.Errorf("message %q does not start with the field %q", ge.Message, field)
	}
}

func TestRuleChecks(t *testing.T) {
	t.Parallel()
	cases := []struct{ name, body, field, msg string }{
		{"no kind", `{"path":"/v1.0/users"}`, "error", "needs what it does"},
		{"error and rate", `{"error":{"status":500},"rateLimit":{"requests":1,"window":"1s"}}`, "rateLimit", "not both"},
		{"status 200", `{"error":{"status":200}}`, "error.status", "not an error status"},
		{"status 600", `{"error":{"status":600}}`, "error.status", "not an error status"},
		{"retryAfter negative", `{"error":{"status":429,"retryAfter":-1}}`, "error.retryAfter", "seconds"},
		{"header request-id", `{"error":{"status":500,"headers":{"request-id":"x"}}}`, "error.headers.request-id", "server sets"},
		{"header name", `{"error":{"status":500,"headers":{"a b":"x"}}}`, "error.headers", "not a header name"},
		{"header value", `{"error":{"status":500,"headers":{"X-A":"a\r\nb"}}}`, "error.headers.X-A", "line break"},
		{"method", `{"method":"GET /","error":{"status":500}}`, "method", "not an HTTP method"},
		{"path relative", `{"path":"v1.0/users","error":{"status":500}}`, "path", "does not start with '/'"},
		{"path query", `{"path":"/v1.0/users?$top=1","error":{"status":500}}`, "path", "query"},
		{"path double star", `{"path":"/v1.0/users**","error":{"status":500}}`, "path", "whole segment"},
		{"tenant", `{"tenant":"no spaces","error":{"status":500}}`, "tenant", "not a valid tenant"},
		{"id", `{"id":"a/b","error":{"status":500}}`, "id", "letters, digits"},
		{"latency both", `{"latency":{"delay":"1s","min":"1s","max":"2s"}}`, "latency", "not both"},
		{"latency range", `{"latency":{"min":"2s","max":"1s"}}`, "latency.max", "less than"},
		{"latency zero", `{"latency":{"delay":"0s"}}`, "latency.delay", "Give a delay"},
		{"latency negative", `{"latency":{"delay":"-1s"}}`, "latency", "negative"},
		{"latency long", `{"latency":{"delay":"1h"}}`, "latency", "at most"},
		{"rate requests", `{"rateLimit":{"requests":0,"window":"1s"}}`, "rateLimit.requests", "1 to"},
		{"rate window", `{"rateLimit":{"requests":1}}`, "rateLimit.window", "longer than zero"},
		{"probability", `{"error":{"status":500},"probability":1.5}`, "probability", "at most 1"},
		{"count", `{"error":{"status":500},"count":-1}`, "count", "1 or more"},
		{"second rule", `[{"error":{"status":500}},{"error":{"status":700}}]`, "[1].error.status", "not an error status"},
	}
	parseTenant := func(s string) (string, error) {
		if strings.Contains(s, " ") {
			return "", errors.New("The tenant 'no spaces' is not a valid tenant name.")
		}
		return s, nil
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rules, err := DecodeList[Rule]([]byte(c.body), "fault rule")
			if err != nil {
				t.Fatal(err)
			}
			g := New(Config{ParseTenant: parseTenant})
			_, err = g.Add(rules...)
			checkInvalid(t, err, c.field, c.msg)
			if g.Len() != 0 {
				t.Error("a bad rule list added rules")
			}
		})
	}
}

// fakeClock is a clock a test moves.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// recorder records the delays asked for instead of waiting.
type recorder struct {
	mu     sync.Mutex
	delays []time.Duration
}

func (r *recorder) Sleep(ctx context.Context, d time.Duration) error {
	r.mu.Lock()
	r.delays = append(r.delays, d)
	r.mu.Unlock()
	return ctx.Err()
}

func newTestRegistry(t *testing.T, rules ...Rule) (*Registry, *fakeClock, *recorder) {
	t.Helper()
	clock := &fakeClock{now: time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)}
	rec := &recorder{}
	g := New(Config{Now: clock.Now, Sleep: rec.Sleep, Rand: rand.NewPCG(1, 2)})
	if _, err := g.Add(rules...); err != nil {
		t.Fatal(err)
	}
	return g, clock, rec
}

func apply(t *testing.T, g *Registry, method, path, tenant string) Outcome {
	t.Helper()
	out, err := g.Apply(context.Background(), &Request{Method: method, Path: path, Tenant: tenant})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func status(o Outcome) int {
	if o.Answer == nil {
		return 0
	}
	return o.Answer.Status
}

func TestStatusAndCount(t *testing.T) {
	t.Parallel()
	g, _, _ := newTestRegistry(t, Rule{Match: Match{Method: "GET", Path: "/v1.0/users"},
		Error: &Error{Status: 429}, Count: 2})
	o := apply(t, g, "GET", "/v1.0/users", "default")
	if status(o) != 429 || o.Answer.Code != "TooManyRequests" || o.Answer.Message != "Please retry again later." ||
		o.Answer.Header.Get("Retry-After") != "1" || !slices.Equal(o.Applied, []string{"fault-1"}) {
		t.Errorf("first: %+v %+v", o, o.Answer)
	}
	if status(apply(t, g, "POST", "/v1.0/users", "default")) != 0 {
		t.Error("a POST matched a GET rule")
	}
	if status(apply(t, g, "GET", "/v1.0/users", "default")) != 429 {
		t.Error("second: no 429")
	}
	if o := apply(t, g, "GET", "/v1.0/users", "default"); status(o) != 0 || o.Applied != nil {
		t.Errorf("third: %+v, want the count spent", o)
	}
	st := g.List("")
	if len(st) != 1 || st[0].Matched != 3 || st[0].Hits != 2 || st[0].Remaining == nil || *st[0].Remaining != 0 || st[0].Active {
		t.Errorf("listed %+v", st)
	}
	if st[0].Error.Code != "TooManyRequests" || *st[0].Error.RetryAfter != 1 || st[0].Seed != 0 {
		t.Errorf("defaults not listed: %+v", st[0].Rule)
	}
}

func TestRetryAfterZeroAndCustom(t *testing.T) {
	t.Parallel()
	g, _, _ := newTestRegistry(t,
		Rule{Match: Match{Path: "/a"}, Error: &Error{Status: 503, RetryAfter: RetryAfter(0)}},
		Rule{Match: Match{Path: "/b"}, Error: &Error{Status: 504}},
		Rule{Match: Match{Path: "/c"}, Error: &Error{Status: 500, Code: "generalException", Message: "Boom.",
			Headers: map[string]string{"x-ms-ags-diagnostic": "{}"}}},
	)
	a := apply(t, g, "GET", "/a", "default").Answer
	if a.Status != 503 || a.Code != "serviceNotAvailable" || a.Header.Get("Retry-After") != "0" {
		t.Errorf("503: %+v", a)
	}
	b := apply(t, g, "GET", "/b", "default").Answer
	if b.Status != 504 || b.Code != "GatewayTimeout" || b.Header.Get("Retry-After") != "" {
		t.Errorf("504: %+v", b)
	}
	c := apply(t, g, "GET", "/c", "default").Answer
	if c.Code != "generalException" || c.Message != "Boom." || c.Header.Get("X-Ms-Ags-Diagnostic") != "{}" {
		t.Errorf("500: %+v", c)
	}
}

func TestRateLimit(t *testing.T) {
	t.Parallel()
	g, clock, _ := newTestRegistry(t, Rule{Match: Match{Path: "/v1.0/**"},
		RateLimit: &RateLimit{Requests: 2, Window: 10 * time.Second}})
	for i := range 2 {
		if o := apply(t, g, "GET", "/v1.0/users", ""); o.Answer != nil || o.Applied != nil {
			t.Fatalf("request %d throttled: %+v", i, o)
		}
		clock.Add(3 * time.Second)
	}
	// At 6s: the first went through at 0s; the window frees at 10s: 4s to wait.
	o := apply(t, g, "GET", "/v1.0/users", "")
	if status(o) != 429 || o.Answer.Header.Get("Retry-After") != "4" || o.Answer.Code != "TooManyRequests" {
		t.Fatalf("third: %+v", o.Answer)
	}
	clock.Add(3500 * time.Millisecond) // 9.5s: 0.5s left, rounded up
	if o := apply(t, g, "GET", "/v1.0/users", ""); o.Answer.Header.Get("Retry-After") != "1" {
		t.Fatalf("at 9.5s: %+v", o.Answer)
	}
	clock.Add(500 * time.Millisecond) // 10s: the first left the window
	if o := apply(t, g, "GET", "/v1.0/users", ""); o.Answer != nil {
		t.Fatalf("at 10s: %+v", o.Answer)
	}
	// Now 3s (second) and 10s are in the window: the next frees at 13s.
	if o := apply(t, g, "GET", "/v1.0/users", ""); o.Answer.Header.Get("Retry-After") != "3" {
		t.Fatalf("at 10s again: %+v", o.Answer)
	}
	st := g.List("")[0]
	if st.Matched != 6 || st.Hits != 3 {
		t.Errorf("matched %d hits %d, want 6 and 3", st.Matched, st.Hits)
	}
}

func TestLatency(t *testing.T) {
	t.Parallel()
	g, _, rec := newTestRegistry(t,
		Rule{Match: Match{Path: "/fixed"}, Latency: &Latency{Delay: 200 * time.Millisecond}},
		Rule{Match: Match{Path: "/range"}, Latency: &Latency{Min: 100 * time.Millisecond, Max: 300 * time.Millisecond}, Seed: 7},
		Rule{Match: Match{Path: "/slow-error"}, Latency: &Latency{Delay: time.Second}, Error: &Error{Status: 504}},
	)
	apply(t, g, "GET", "/fixed", "")
	for range 20 {
		apply(t, g, "GET", "/range", "")
	}
	if o := apply(t, g, "GET", "/slow-error", ""); status(o) != 504 {
		t.Errorf("slow error: %+v", o)
	}
	if rec.delays[0] != 200*time.Millisecond || rec.delays[21] != time.Second {
		t.Errorf("delays %v", rec.delays)
	}
	seen := map[time.Duration]bool{}
	for _, d := range rec.delays[1:21] {
		if d < 100*time.Millisecond || d > 300*time.Millisecond {
			t.Errorf("delay %s out of the range", d)
		}
		seen[d] = true
	}
	if len(seen) < 10 {
		t.Errorf("only %d distinct delays in 20", len(seen))
	}

	// The wait ends with the request's context.
	g2 := New(Config{})
	if _, err := g2.Add(Rule{Latency: &Latency{Delay: time.Minute}}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	start := time.Now()
	out, err := g2.Apply(ctx, &Request{Method: "GET", Path: "/"})
	if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 10*time.Second || len(out.Applied) != 1 {
		t.Errorf("cancelled wait: %v after %s, %+v", err, time.Since(start), out)
	}
}

// The same seed and the same requests give the same decisions; the seed chosen for a
// rule without one is listed, and reproduces its run.
func TestProbabilitySeed(t *testing.T) {
	t.Parallel()
	run := func(seed int64) (string, int64) {
		g := New(Config{})
		st, err := g.Add(Rule{Error: &Error{Status: 503}, Probability: 0.3, Seed: seed})
		if err != nil {
			t.Fatal(err)
		}
		var sb strings.Builder
		for range 200 {
			if status(apply(t, g, "GET", "/v1.0/me", "")) == 503 {
				sb.WriteByte('x')
			} else {
				sb.WriteByte('.')
			}
		}
		return sb.String(), st[0].Seed
	}
	a, _ := run(42)
	b, _ := run(42)
	c, _ := run(43)
	if a != b {
		t.Errorf("seed 42 gave two runs:\n%s\n%s", a, b)
	}
	if a == c {
		t.Error("seeds 42 and 43 gave the same run")
	}
	if n := strings.Count(a, "x"); n < 30 || n > 90 {
		t.Errorf("%d failures in 200 at p=0.3", n)
	}
	d, seed := run(0)
	if seed <= 0 || seed >= 1<<53 {
		t.Fatalf("seed %d listed for a rule without one, want one from 1 to 2^53", seed)
	}
	if e, _ := run(seed); d != e {
		t.Error("the listed seed does not reproduce the run")
	}
}

// Rules apply in order: delays add up, the first answer ends the walk.
func TestOrder(t *testing.T) {
	t.Parallel()
	g, _, rec := newTestRegistry(t,
		Rule{ID: "slow", Latency: &Latency{Delay: 100 * time.Millisecond}},
		Rule{ID: "slower", Match: Match{Path: "/v1.0/**"}, Latency: &Latency{Delay: 50 * time.Millisecond}},
		Rule{ID: "fail", Match: Match{Method: "POST"}, Error: &Error{Status: 500}},
		Rule{ID: "never", Error: &Error{Status: 503}, Count: 1},
	)
	o := apply(t, g, "POST", "/v1.0/users", "")
	if status(o) != 500 || !slices.Equal(o.Applied, []string{"slow", "slower", "fail"}) || rec.delays[0] != 150*time.Millisecond {
		t.Errorf("%+v %v", o, rec.delays)
	}
	if st, _ := g.Get("never", ""); st.Matched != 0 {
		t.Errorf("a rule after an answer saw the request: %+v", st)
	}
}

func TestRegistryIDsAndTenants(t *testing.T) {
	t.Parallel()
	g := New(Config{})
	st, err := g.Add(Rule{Error: &Error{Status: 500}}, Rule{ID: "fault-2", Error: &Error{Status: 500}},
		Rule{Match: Match{Tenant: "B"}, Error: &Error{Status: 500}})
	if err != nil {
		t.Fatal(err)
	}
	if st[0].ID != "fault-1" || st[1].ID != "fault-2" || st[2].ID != "fault-3" || st[2].Tenant != "b" {
		t.Errorf("ids %s %s %s, tenant %q", st[0].ID, st[1].ID, st[2].ID, st[2].Tenant)
	}
	_, err = g.Add(Rule{Error: &Error{Status: 500}}, Rule{ID: "fault-1", Error: &Error{Status: 500}})
	var ge *odata.Error
	if !errors.As(err, &ge) || ge.Status != 409 || !strings.Contains(ge.Message, "fault-1") {
		t.Errorf("a taken id: %v", err)
	}
	if g.Len() != 3 {
		t.Errorf("%d rules after a refused Add, want 3", g.Len())
	}
	if len(g.List("b")) != 1 || len(g.List("")) != 3 {
		t.Error("List by tenant")
	}
	if _, ok := g.Get("fault-1", "b"); ok {
		t.Error("Get found another tenant's rule")
	}
	if g.Delete("fault-1", "b") || !g.Delete("fault-1", "") || g.Delete("fault-1", "") {
		t.Error("Delete")
	}
	if n := g.Clear("b"); n != 1 || g.Len() != 1 {
		t.Errorf("Clear(b) removed %d, %d left", n, g.Len())
	}
	if n := g.Clear(""); n != 1 || g.Len() != 0 {
		t.Errorf("Clear() removed %d", n)
	}
	// A listed rule shares nothing with the registry's.
	st, _ = g.Add(Rule{Error: &Error{Status: 429, Headers: map[string]string{"X-A": "1"}}})
	st[0].Error.Headers["X-A"] = "2"
	*st[0].Error.RetryAfter = 9
	if got, _ := g.Get(st[0].ID, ""); got.Error.Headers["X-A"] != "1" {
		t.Error("a listed rule aliases the registry's")
	}
}

// Apply from many goroutines while rules come and go (run with -race).
func TestConcurrent(t *testing.T) {
	t.Parallel()
	g := New(Config{Sleep: func(context.Context, time.Duration) error { return nil }})
	if _, err := g.Add(Rule{Error: &Error{Status: 429}, Count: 100}, Rule{Latency: &Latency{Min: 1, Max: 10}}); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	answered := 0
	for range 8 {
		wg.Go(func() {
			for range 50 {
				out, _ := g.Apply(context.Background(), &Request{Method: "GET", Path: "/v1.0/users"})
				if out.Answer != nil {
					mu.Lock()
					answered++
					mu.Unlock()
				}
			}
		})
	}
	wg.Go(func() {
		for range 50 {
			st, _ := g.Add(Rule{Latency: &Latency{Delay: 1}})
			g.List("")
			g.Delete(st[0].ID, "")
		}
	})
	wg.Wait()
	if answered != 100 {
		t.Errorf("%d answered, want the count of 100", answered)
	}
}

// BenchmarkApply measures the cost the rules add to a request they do not match, and
// to one they delay.
func BenchmarkApply(b *testing.B) {
	g := New(Config{Sleep: func(context.Context, time.Duration) error { return nil }})
	for i := range 10 {
		if _, err := g.Add(Rule{Match: Match{Method: "POST", Path: "/v1.0/groups/*/members/**", Tenant: "t" + string(rune('a'+i))},
			Error: &Error{Status: 429}}); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := g.Add(Rule{Match: Match{Path: "/v1.0/users/**"}, Latency: &Latency{Delay: time.Millisecond}}); err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.Run("miss", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_, _ = g.Apply(ctx, &Request{Method: "GET", Path: "/v1.0/groups/g1/members", Tenant: "default"})
		}
	})
	b.Run("hit", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_, _ = g.Apply(ctx, &Request{Method: "GET", Path: "/v1.0/users/u1/manager", Tenant: "default"})
		}
	})
}
