package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// waitLimit bounds every wait in these tests, so that a hang fails with a message instead
// of the test binary's global timeout. It is never slept on.
const waitLimit = 30 * time.Second

// env returns a getenv that reads only m, so that no test depends on the real environment.
func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

// flagCase describes one flag: a valid value and what it sets, another valid value,
// and values that must be refused.
type flagCase struct {
	value string
	other string
	bad   []string
	want  func(*options)
}

// flagCases covers every flag newFlagSet defines; TestFlagCasesCoverEveryFlag keeps it so.
func flagCases() map[string]flagCase {
	cases := map[string]flagCase{
		"addr": {value: "127.0.0.1:0", other: "0.0.0.0:9", bad: []string{"localhost", "1.2.3.4"},
			want: func(o *options) { o.addr = "127.0.0.1:0" }},
		"strict": {value: "true", other: "false", bad: []string{"maybe"},
			want: func(o *options) { o.strict = true }},
		"lenient-queries": {value: "true", other: "false", bad: []string{"maybe"},
			want: func(o *options) { o.lenientQueries = true }},
		"max-body-bytes": {value: "1024", other: "2048", bad: []string{"0", "-1", "lots", "99999999999999999999"},
			want: func(o *options) { o.maxBodyBytes = 1024 }},
		"max-upload-bytes": {value: "1024", other: "2048", bad: []string{"0", "-1", "lots"},
			want: func(o *options) { o.maxUploadBytes = 1024 }},
		"max-content-bytes": {value: "1048576", other: "0", bad: []string{"-1", "lots", "99999999999999999999"},
			want: func(o *options) { o.maxContentBytes = 1 << 20 }},
		"page-size": {value: "7", other: "9", bad: []string{"0", "-3", "seven", "1.5"},
			want: func(o *options) { o.pageSize = 7 }},
		"change-feed-size": {value: "50000", other: "9", bad: []string{"0", "-3", "many"},
			want: func(o *options) { o.feedSize = 50000 }},
		"log-level": {value: "debug", other: "error", bad: []string{"loud"},
			want: func(o *options) { o.logLevel = slog.LevelDebug }},
		"log-format": {value: "json", other: "text", bad: []string{"xml", "JSON"},
			want: func(o *options) { o.logFormat = "json" }},
		"shutdown-timeout": {value: "3s", other: "1m", bad: []string{"soon", "3"},
			want: func(o *options) { o.shutdownTimeout = 3 * time.Second }},
		"tls": {value: "true", other: "false", bad: []string{"maybe"},
			want: func(o *options) { o.tls = true }},
		"tls-addr": {value: "127.0.0.1:0", other: "127.0.0.1:9", bad: []string{"localhost", "1.2.3.4"},
			want: func(o *options) { o.tlsAddr = "127.0.0.1:0" }},
		"tls-host": {value: "Graph.Test,[2001:db8::1],graph.test", other: "other.test",
			bad:  []string{"bad host", "host.test:443", "https://x.test", "a..test", "-a.test", "a,,b"},
			want: func(o *options) { o.tlsHosts = "graph.test,2001:db8::1" }},
		"tls-dir": {value: "certs", other: "other-certs",
			want: func(o *options) { o.tlsDir = "certs" }},
		"tls-ca": {value: "ca.pem", other: "other-ca.pem",
			want: func(o *options) { o.tlsCA = "ca.pem" }},
		"tls-cert": {value: "cert.pem", other: "other-cert.pem",
			want: func(o *options) { o.tlsCert = "cert.pem" }},
		"tls-key": {value: "key.pem", other: "other-key.pem",
			want: func(o *options) { o.tlsKey = "key.pem" }},
		"trust-proxy": {value: "true", other: "false", bad: []string{"perhaps"},
			want: func(o *options) { o.trustProxy = true }},
		"schema": {value: "beta=b.xml,v1.0=https://graph.test/v1.0/$metadata", other: "v1.0=other.xml",
			bad:  []string{"a.xml", "v2.0=a.xml", "v1.0=", "=a.xml"},
			want: func(o *options) { o.schema = "v1.0=https://graph.test/v1.0/$metadata,beta=b.xml" }},
		"expose": {value: "microsoft.graph.x=xs,microsoft.graph.y", other: "microsoft.graph.z",
			bad:  []string{"x", "microsoft.graph.x=a.b", "microsoft.graph.x=a/b", "a b.c"},
			want: func(o *options) { o.expose = "microsoft.graph.x=xs,microsoft.graph.y" }},
		"me": {value: "u1", other: "u2",
			want: func(o *options) { o.me = "u1" }},
		"seed": {value: "a.json,b.json", other: "c.json", bad: []string{"a.json,", ",b.json"},
			want: func(o *options) { o.seeds = "a.json,b.json" }},
		"sample-data": {value: "true", other: "false", bad: []string{"maybe"},
			want: func(o *options) { o.sampleData = true }},
		"journal-size": {value: "0", other: "10", bad: []string{"-1", "many", "1.5"},
			want: func(o *options) { o.journalSize = 0 }},
		"data-dir": {value: "data", other: "other-data",
			want: func(o *options) { o.dataDir = "data" }},
		"data-sync": {value: "100ms", other: "always", bad: []string{"never", "0", "-1s", "100"},
			want: func(o *options) { o.dataSync = 100 * time.Millisecond }},
		"fault": {value: `{"path":"/v1.0/users", "error":{"status":429}}`, other: `[{"error":{"status":503}}]`,
			bad:  []string{`{`, `{count:2}`, `[1]`, `true`},
			want: func(o *options) { o.faultRules = `[{"path":"/v1.0/users","error":{"status":429}}]` }},
		"faults": {value: "f.json,g.json", other: "h.json", bad: []string{"f.json,"},
			want: func(o *options) { o.faultFiles = "f.json,g.json" }},
		"stubs": {value: "s.json", other: "t.json", bad: []string{",s.json"},
			want: func(o *options) { o.stubFiles = "s.json" }},
		"default-domain": {value: "Fabrikam.onmicrosoft.com", other: "contoso.test", bad: []string{"localhost", "10.0.0.1", "bad domain", "a..test"},
			want: func(o *options) { o.domain = "fabrikam.onmicrosoft.com" }},
	}
	maps.Copy(cases, limitFlagCases()) // limits_test.go
	return cases
}

// flagNames lists the flags newFlagSet defines, in order.
func flagNames(t *testing.T) []string {
	t.Helper()
	o := defaults()
	var names []string
	newFlagSet(&o, io.Discard).VisitAll(func(f *flag.Flag) { names = append(names, f.Name) })
	if len(names) == 0 {
		t.Fatal("newFlagSet defines no flags")
	}
	return names
}

func TestFlagCasesCoverEveryFlag(t *testing.T) {
	t.Parallel()
	cases := flagCases()
	names := flagNames(t)
	for _, name := range names {
		if _, ok := cases[name]; !ok {
			t.Errorf("flag --%s has no entry in flagCases", name)
		}
	}
	if len(cases) != len(names) {
		t.Errorf("flagCases has %d entries, newFlagSet defines %d flags %v", len(cases), len(names), names)
	}
}

func TestParseFlags(t *testing.T) {
	t.Parallel()
	type test struct {
		name string
		args []string
		env  map[string]string
		want func(*options)
	}
	tests := []test{
		{name: "defaults", want: func(*options) {}},
		{name: "empty variables are ignored", env: map[string]string{"GRAPH_EMULATOR_PAGE_SIZE": "", "GRAPH_EMULATOR_ADDR": ""},
			want: func(*options) {}},
		{name: "unrelated variables are ignored", env: map[string]string{"PAGE_SIZE": "3", "GRAPH_EMULATOR_NOPE": "x"},
			want: func(*options) {}},
		{name: "single dash and separate value", args: []string{"-page-size", "5", "-strict"},
			want: func(o *options) { o.pageSize = 5; o.strict = true }},
		{name: "several flags and variables",
			args: []string{"--addr", "127.0.0.1:0", "--log-format=json"},
			env:  map[string]string{"GRAPH_EMULATOR_PAGE_SIZE": "2", "GRAPH_EMULATOR_STRICT": "1"},
			want: func(o *options) { o.addr = "127.0.0.1:0"; o.logFormat = "json"; o.pageSize = 2; o.strict = true }},
		{name: "hex integer", args: []string{"--max-body-bytes=0x100"},
			want: func(o *options) { o.maxBodyBytes = 256 }},
	}
	for _, name := range flagNames(t) {
		c := flagCases()[name]
		tests = append(tests,
			test{name: "flag " + name, args: []string{"--" + name + "=" + c.value}, want: c.want},
			test{name: "env " + envName(name), env: map[string]string{envName(name): c.value}, want: c.want},
			test{name: "flag beats env " + name, args: []string{"--" + name + "=" + c.value},
				env: map[string]string{envName(name): c.other}, want: c.want},
		)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var stderr bytes.Buffer
			got, err := parseFlags(tt.args, env(tt.env), &stderr)
			if err != nil {
				t.Fatalf("parseFlags(%q, %v) error: %v\nstderr: %s", tt.args, tt.env, err, stderr.String())
			}
			want := defaults()
			tt.want(&want)
			if *got != want {
				t.Errorf("parseFlags(%q, %v)\n got %+v\nwant %+v", tt.args, tt.env, *got, want)
			}
			if stderr.Len() != 0 {
				t.Errorf("stderr not empty: %q", stderr.String())
			}
		})
	}
}

func TestDefaults(t *testing.T) {
	t.Parallel()
	o := defaults()
	if o.addr != "127.0.0.1:8080" {
		t.Errorf("default addr = %q, want loopback 127.0.0.1:8080", o.addr)
	}
	if o.strict || o.maxBodyBytes != 4<<20 || o.pageSize != 100 || o.logLevel != slog.LevelInfo ||
		o.logFormat != "text" || o.shutdownTimeout != 10*time.Second {
		t.Errorf("defaults() = %+v", o)
	}
}

func TestParseFlagsErrors(t *testing.T) {
	t.Parallel()
	type test struct {
		name    string
		args    []string
		env     map[string]string
		wantErr []string // substrings of the error
	}
	tests := []test{
		{name: "unexpected argument", args: []string{"serve"}, wantErr: []string{"unexpected argument", `"serve"`}},
		{name: "argument after flags", args: []string{"--strict", "extra"}, wantErr: []string{"unexpected argument", `"extra"`}},
		{name: "unknown flag", args: []string{"--port=8080"}, wantErr: []string{"-port"}},
		{name: "flag without value", args: []string{"--addr"}, wantErr: []string{"-addr"}},
	}
	for _, name := range flagNames(t) {
		for _, bad := range flagCases()[name].bad {
			tests = append(tests,
				test{name: "flag " + name + "=" + bad, args: []string{"--" + name + "=" + bad},
					wantErr: []string{"-" + name, bad}},
				test{name: "env " + envName(name) + "=" + bad, env: map[string]string{envName(name): bad},
					wantErr: []string{envName(name), bad}},
				// The bad variable is not read when the flag is given.
				test{name: "flag hides bad env " + name, args: []string{"--" + name + "=" + flagCases()[name].value},
					env: map[string]string{envName(name): bad}},
			)
		}
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := parseFlags(tt.args, env(tt.env), io.Discard)
			if len(tt.wantErr) == 0 {
				if err != nil {
					t.Fatalf("parseFlags(%q, %v) error: %v", tt.args, tt.env, err)
				}
				return
			}
			if err == nil {
				t.Fatalf("parseFlags(%q, %v) = %+v, want an error", tt.args, tt.env, *got)
			}
			if errors.Is(err, flag.ErrHelp) {
				t.Fatalf("parseFlags(%q, %v) = ErrHelp, want a parse error", tt.args, tt.env)
			}
			for _, s := range tt.wantErr {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not contain %q", err, s)
				}
			}
		})
	}
}

func TestHelp(t *testing.T) {
	t.Parallel()
	for _, arg := range []string{"--help", "-help", "-h"} {
		t.Run(arg, func(t *testing.T) {
			t.Parallel()
			var stderr bytes.Buffer
			_, err := parseFlags([]string{arg}, env(nil), &stderr)
			if !errors.Is(err, flag.ErrHelp) {
				t.Fatalf("parseFlags(%q) error = %v, want flag.ErrHelp", arg, err)
			}
			out := stderr.String()
			for _, want := range []string{"Usage: graph-emulator", envPrefix + "<FLAG>", "first stdout line"} {
				if !strings.Contains(out, want) {
					t.Errorf("help does not mention %q:\n%s", want, out)
				}
			}
			o := defaults()
			newFlagSet(&o, io.Discard).VisitAll(func(f *flag.Flag) {
				if !strings.Contains(out, "\n  -"+f.Name+" ") && !strings.Contains(out, "\n  -"+f.Name+"\n") {
					t.Errorf("help does not list --%s:\n%s", f.Name, out)
				}
				if !strings.Contains(out, f.Usage) && !strings.Contains(out, strings.ReplaceAll(f.Usage, "`", "")) {
					t.Errorf("help does not give the usage of --%s (%q)", f.Name, f.Usage)
				}
				if f.DefValue != "" && f.DefValue != "false" && !strings.Contains(out, "(default "+f.DefValue+")") {
					t.Errorf("help does not give the default of --%s (%q)", f.Name, f.DefValue)
				}
			})
		})
	}
}

// logWatch is a concurrency-safe io.Writer that collects log output and tells waiters
// when a substring has appeared.
type logWatch struct {
	mu    sync.Mutex
	buf   strings.Builder
	waits []logWaiter
}

type logWaiter struct {
	substr string
	ch     chan struct{}
}

func (w *logWatch) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	s := w.buf.String()
	kept := w.waits[:0]
	for _, wt := range w.waits {
		if strings.Contains(s, wt.substr) {
			close(wt.ch)
			continue
		}
		kept = append(kept, wt)
	}
	w.waits = kept
	return len(p), nil
}

// seen returns a channel closed once substr has been written.
func (w *logWatch) seen(substr string) <-chan struct{} {
	w.mu.Lock()
	defer w.mu.Unlock()
	ch := make(chan struct{})
	if strings.Contains(w.buf.String(), substr) {
		close(ch)
		return ch
	}
	w.waits = append(w.waits, logWaiter{substr: substr, ch: ch})
	return ch
}

func (w *logWatch) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

// waitFor fails the test if ch is not closed within waitLimit.
func waitFor(t *testing.T, ch <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(waitLimit):
		t.Fatalf("timed out waiting for %s", what)
	}
}

// started is a run in progress.
type started struct {
	base   string        // the base URL run printed
	done   <-chan error  // run's result
	stderr *logWatch     // run's logs
	rest   chan []string // stdout lines after the first, once run has returned
}

// startRun runs run(ctx, args) in a goroutine and returns once it has printed its base URL.
func startRun(t *testing.T, ctx context.Context, args ...string) *started {
	t.Helper()
	pr, pw := io.Pipe()
	s := &started{stderr: &logWatch{}, rest: make(chan []string, 1)}
	done := make(chan error, 1)
	s.done = done
	go func() {
		err := run(ctx, args, env(nil), pw, s.stderr)
		pw.CloseWithError(err) // nil: the reader sees io.EOF
		done <- err
	}()
	sc := bufio.NewScanner(pr)
	if !sc.Scan() {
		t.Fatalf("run printed no base URL: %v\nstderr:\n%s", sc.Err(), s.stderr)
	}
	s.base = sc.Text()
	go func() {
		var lines []string
		for sc.Scan() {
			lines = append(lines, sc.Text())
		}
		s.rest <- lines
	}()
	return s
}

// wait returns run's result, failing the test if it does not return within waitLimit.
func (s *started) wait(t *testing.T) error {
	t.Helper()
	select {
	case err := <-s.done:
		return err
	case <-time.After(waitLimit):
		t.Fatalf("run did not return after its context was cancelled\nstderr:\n%s", s.stderr)
		return nil
	}
}

// newClient returns a client of its own whose idle connections are closed at cleanup.
func newClient(t *testing.T, tr *http.Transport) *http.Client {
	t.Helper()
	if tr == nil {
		tr = &http.Transport{}
	}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: waitLimit}
}

// serviceDocument is the body of GET /v1.0/.
type serviceDocument struct {
	Context string `json:"@odata.context"`
	Value   []struct {
		Name string `json:"name"`
		Kind string `json:"kind"`
		URL  string `json:"url"`
	} `json:"value"`
}

// firstEntitySet reads the service document at base and returns the URL of its first
// entity set.
func firstEntitySet(t *testing.T, c *http.Client, base string) string {
	t.Helper()
	resp, err := c.Get(base + "/v1.0/")
	if err != nil {
		t.Fatalf("GET /v1.0/: %v", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET /v1.0/: reading body: %v", err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /v1.0/ = %d, want 200\n%s", resp.StatusCode, body)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("GET /v1.0/ Content-Type = %q, want application/json", ct)
	}
	var doc serviceDocument
	if err := json.Unmarshal(body, &doc); err != nil {
		t.Fatalf("GET /v1.0/: %v\n%s", err, body)
	}
	if want := base + "/v1.0/$metadata"; doc.Context != want {
		t.Errorf("@odata.context = %q, want %q", doc.Context, want)
	}
	for _, v := range doc.Value {
		if v.Kind == "EntitySet" && v.URL != "" {
			return base + "/v1.0/" + v.URL
		}
	}
	t.Fatalf("service document lists no entity set:\n%s", body)
	return ""
}

func TestRun(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	s := startRun(t, ctx, "--addr", "127.0.0.1:0")

	u, err := url.Parse(s.base)
	if err != nil || u.Scheme != "http" || u.Hostname() != "127.0.0.1" || u.Port() == "" || u.Port() == "0" || u.Path != "" {
		t.Fatalf("first stdout line = %q, want http://127.0.0.1:<port> (%v)", s.base, err)
	}
	c := newClient(t, nil)
	set := firstEntitySet(t, c, s.base)

	resp, err := c.Post(set, "application/json", strings.NewReader(`{}`))
	if err != nil {
		t.Fatalf("POST %s: %v", set, err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("POST %s = %d, want 201\n%s", set, resp.StatusCode, body)
	}
	if loc := resp.Header.Get("Location"); !strings.HasPrefix(loc, set) {
		t.Errorf("POST %s: Location = %q, want a URL under the set", set, loc)
	}
	var created struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(body, &created); err != nil || created.ID == "" {
		t.Errorf("POST %s: body has no id (%v):\n%s", set, err, body)
	}

	cancel()
	if err := s.wait(t); err != nil {
		t.Fatalf("run returned %v after cancel, want nil\nstderr:\n%s", err, s.stderr)
	}
	if rest := <-s.rest; len(rest) != 0 {
		t.Errorf("stdout has lines after the base URL: %q", rest)
	}
	logs := s.stderr.String()
	for _, want := range []string{"graph-emulator listening", s.base, "shutting down", "stopped"} {
		if !strings.Contains(logs, want) {
			t.Errorf("stderr does not contain %q:\n%s", want, logs)
		}
	}
	if _, err := c.Get(s.base + "/v1.0/"); err == nil {
		t.Errorf("GET after run returned succeeded, want the listener closed")
	}
}

func TestRunJSONLogs(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	s := startRun(t, ctx, "--addr=127.0.0.1:0", "--log-format=json", "--log-level=debug")
	c := newClient(t, nil)
	firstEntitySet(t, c, s.base)
	cancel()
	if err := s.wait(t); err != nil {
		t.Fatalf("run returned %v, want nil", err)
	}
	var msgs []string
	for line := range strings.Lines(s.stderr.String()) {
		var rec struct {
			Level string `json:"level"`
			Msg   string `json:"msg"`
		}
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("stderr line is not JSON: %q (%v)", line, err)
		}
		msgs = append(msgs, rec.Msg)
	}
	if len(msgs) == 0 || msgs[0] != "graph-emulator listening" || msgs[len(msgs)-1] != "stopped" {
		t.Errorf("log messages = %q, want listening first and stopped last", msgs)
	}
	if !strings.Contains(s.stderr.String(), `"level":"DEBUG"`) {
		t.Errorf("--log-level=debug logged no debug record:\n%s", s.stderr)
	}
}

func TestRunErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		args    []string
		wantErr string
	}{
		{name: "bad flag", args: []string{"--page-size=0"}, wantErr: "-page-size"},
		{name: "unexpected argument", args: []string{"now"}, wantErr: "unexpected argument"},
		{name: "address not local", args: []string{"--addr=192.0.2.1:0"}, wantErr: "192.0.2.1"},
		{name: "data sync without a data directory", args: []string{"--data-sync=1s"}, wantErr: "--data-sync needs --data-dir"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var stdout bytes.Buffer
			err := run(t.Context(), tt.args, env(nil), &stdout, io.Discard)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("run(%q) = %v, want an error containing %q", tt.args, err, tt.wantErr)
			}
			if stdout.Len() != 0 {
				t.Errorf("run(%q) printed %q on stdout, want nothing", tt.args, stdout.String())
			}
		})
	}
}

// TestRunGracefulShutdown cancels run's context while a request is in flight: its
// handler is reading a body that the client has not finished sending. The request must
// still complete with its normal status, and run must return nil.
func TestRunGracefulShutdown(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	s := startRun(t, ctx, "--addr", "127.0.0.1:0", "--shutdown-timeout", "1m")
	c := newClient(t, &http.Transport{ExpectContinueTimeout: waitLimit}) // see startInFlight
	set := firstEntitySet(t, c, s.base)

	req := startInFlight(t, c, set)
	if _, err := io.WriteString(req.body, `{`); err != nil {
		t.Fatalf("writing the first part of the body: %v", err)
	}
	shuttingDown := s.stderr.seen("shutting down")
	cancel()
	waitFor(t, shuttingDown, `the "shutting down" log`)
	select {
	case err := <-s.done:
		t.Fatalf("run returned %v while a request was in flight", err)
	case r := <-req.result:
		t.Fatalf("the in-flight request ended before its body was sent: %+v", r)
	default:
	}
	r := req.finish(t, `}`)
	if r.err != nil {
		t.Fatalf("in-flight request failed: %v", r.err)
	}
	if r.status != http.StatusCreated {
		t.Errorf("in-flight POST = %d, want 201\n%s", r.status, r.body)
	}
	if err := s.wait(t); err != nil {
		t.Fatalf("run returned %v, want nil\nstderr:\n%s", err, s.stderr)
	}
	if !strings.Contains(s.stderr.String(), "stopped") {
		t.Errorf(`stderr has no "stopped" line:\n%s`, s.stderr)
	}
}

// inFlight is a POST whose handler is reading a body the client has not finished.
type inFlight struct {
	body   *io.PipeWriter
	result chan inFlightResult
}

type inFlightResult struct {
	status int
	body   string
	err    error
}

// startInFlight POSTs to url with a body sent through a pipe and returns once the handler
// reads it. With Expect: 100-continue the transport sends the body only once the server
// has answered 100 Continue, which net/http does when the handler first reads the body:
// Got100Continue therefore says that the handler is running. c's transport must wait for
// 100 Continue (ExpectContinueTimeout).
func startInFlight(t *testing.T, c *http.Client, url string) *inFlight {
	t.Helper()
	pr, pw := io.Pipe()
	t.Cleanup(func() { pw.Close() })
	handlerReading := make(chan struct{})
	var once sync.Once
	trace := &httptrace.ClientTrace{Got100Continue: func() { once.Do(func() { close(handlerReading) }) }}
	req, err := http.NewRequestWithContext(httptrace.WithClientTrace(t.Context(), trace), http.MethodPost, url, pr)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Expect", "100-continue")
	f := &inFlight{body: pw, result: make(chan inFlightResult, 1)}
	go func() {
		resp, err := c.Do(req)
		if err != nil {
			f.result <- inFlightResult{err: err}
			return
		}
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		f.result <- inFlightResult{status: resp.StatusCode, body: string(b), err: err}
	}()
	waitFor(t, handlerReading, "the handler to read the body (100 Continue)")
	return f
}

// finish sends the rest of the body and returns the answer.
func (f *inFlight) finish(t *testing.T, rest string) inFlightResult {
	t.Helper()
	if _, err := io.WriteString(f.body, rest); err != nil {
		t.Fatalf("writing the rest of the body: %v", err)
	}
	f.body.Close()
	select {
	case r := <-f.result:
		return r
	case <-time.After(waitLimit):
		t.Fatal("the in-flight request did not complete")
		return inFlightResult{}
	}
}

// TestBinary builds the command and runs it as a separate process.
func TestBinary(t *testing.T) {
	t.Parallel()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skipf("go tool not found, cannot build the binary: %v", err)
	}
	bin := filepath.Join(t.TempDir(), "graph-emulator")
	if runtime.GOOS == "windows" {
		bin += ".exe"
	}
	build := exec.CommandContext(t.Context(), goTool, "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	// The child sees no GRAPH_EMULATOR_ variable but those a subtest sets.
	var baseEnv []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, envPrefix) {
			baseEnv = append(baseEnv, kv)
		}
	}
	command := func(t *testing.T, env []string, args ...string) *exec.Cmd {
		ctx, cancel := context.WithTimeout(t.Context(), waitLimit)
		t.Cleanup(cancel)
		cmd := exec.CommandContext(ctx, bin, args...)
		cmd.Env = append(append([]string(nil), baseEnv...), env...)
		return cmd
	}

	t.Run("help exits 0 and lists every flag", func(t *testing.T) {
		t.Parallel()
		cmd := command(t, nil, "--help")
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil {
			t.Fatalf("graph-emulator --help: %v\n%s", err, stderr.String())
		}
		if !strings.Contains(stderr.String(), envPrefix) {
			t.Errorf("--help does not mention %s:\n%s", envPrefix, stderr.String())
		}
		for _, name := range flagNames(t) {
			if !strings.Contains(stderr.String(), "  -"+name) {
				t.Errorf("--help does not list --%s", name)
			}
		}
		if stdout.Len() != 0 {
			t.Errorf("--help wrote to stdout: %q", stdout.String())
		}
	})

	badSeed := filepath.Join(t.TempDir(), "bad-seed.json")
	if err := os.WriteFile(badSeed, []byte(`{"users":[{"id":"u1","nope@odata.bind":[]}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name    string
		args    []string
		env     []string
		wantErr string
	}{
		{name: "bad flag exits 2", args: []string{"--page-size=0"}, wantErr: "-page-size"},
		{name: "bad seed exits 2", args: []string{"--addr=127.0.0.1:0", "--seed", badSeed}, wantErr: "seed " + badSeed + ": users('u1'): The property 'nope'"},
		{name: "missing seed exits 2", env: []string{"GRAPH_EMULATOR_ADDR=127.0.0.1:0", "GRAPH_EMULATOR_SEED=" + badSeed + ".missing"}, wantErr: "--seed " + badSeed + ".missing"},
		{name: "bad variable exits 2", env: []string{"GRAPH_EMULATOR_PAGE_SIZE=0"}, wantErr: "GRAPH_EMULATOR_PAGE_SIZE"},
		{name: "unexpected argument exits 2", args: []string{"serve"}, wantErr: "unexpected argument"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cmd := command(t, tt.env, tt.args...)
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err := cmd.Run()
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.ExitCode() != 2 {
				t.Fatalf("graph-emulator %q: %v, want exit status 2\n%s", tt.args, err, stderr.String())
			}
			if !strings.Contains(stderr.String(), tt.wantErr) {
				t.Errorf("stderr does not contain %q:\n%s", tt.wantErr, stderr.String())
			}
			if stdout.Len() != 0 {
				t.Errorf("stdout = %q, want nothing", stdout.String())
			}
		})
	}

	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		t.Run(sig.String()+" stops it with exit 0", func(t *testing.T) {
			t.Parallel()
			if runtime.GOOS == "windows" {
				t.Skip("no SIGTERM or SIGINT delivery to a child process on Windows")
			}
			// The address comes from the environment here, to cover that path end to end.
			cmd := command(t, []string{"GRAPH_EMULATOR_ADDR=127.0.0.1:0"})
			var stderr logWatch
			cmd.Stderr = &stderr
			stdout, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			sc := bufio.NewScanner(stdout)
			if !sc.Scan() {
				_ = cmd.Process.Kill()
				_ = cmd.Wait()
				t.Fatalf("no base URL on stdout: %v\nstderr:\n%s", sc.Err(), stderr.String())
			}
			base := sc.Text()
			if !strings.HasPrefix(base, "http://127.0.0.1:") {
				t.Errorf("first stdout line = %q, want http://127.0.0.1:<port>", base)
			}
			firstEntitySet(t, newClient(t, nil), base)
			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatalf("signal: %v", err)
			}
			rest, _ := io.ReadAll(stdout)
			if err := cmd.Wait(); err != nil {
				t.Fatalf("graph-emulator after %v: %v, want exit status 0\nstderr:\n%s", sig, err, stderr.String())
			}
			if len(rest) != 0 {
				t.Errorf("stdout after the base URL: %q", rest)
			}
			logs := stderr.String()
			for _, want := range []string{"shutting down", "msg=stopped"} {
				if !strings.Contains(logs, want) {
					t.Errorf("stderr does not contain %q:\n%s", want, logs)
				}
			}
		})
	}
}
