package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

// limitFlagCases are the flagCases of the limit flags.
func limitFlagCases() map[string]flagCase {
	durations := []string{"0s", "-1s", "soon", "3"}
	return map[string]flagCase{
		"read-timeout": {value: "3s", other: "1m", bad: durations,
			want: func(o *options) { o.limits.readTimeout = 3 * time.Second }},
		"write-timeout": {value: "4s", other: "1m", bad: durations,
			want: func(o *options) { o.limits.writeTimeout = 4 * time.Second }},
		"idle-timeout": {value: "5s", other: "1m", bad: durations,
			want: func(o *options) { o.limits.idleTimeout = 5 * time.Second }},
		"max-connections": {value: "10", other: "20", bad: []string{"0", "-1", "many"},
			want: func(o *options) { o.limits.maxConns = 10 }},
		"max-entities": {value: "1000", other: "2000", bad: []string{"0", "-1", "many"},
			want: func(o *options) { o.limits.maxEntities = 1000 }},
		"max-stored-bytes": {value: "1048576", other: "2048", bad: []string{"0", "-1", "lots"},
			want: func(o *options) { o.limits.maxStoredBytes = 1 << 20 }},
		"allowed-host": {value: "Graph.Test,*,*.corp.test,graph.test", other: "other.test",
			bad:  []string{"bad host", "host.test:443", "https://x.test", "a,,b"},
			want: func(o *options) { o.limits.allowedHosts = "graph.test,*,*.corp.test" }},
		"schema-max-bytes": {value: "1000000", other: "2000", bad: []string{"0", "-5", "big"},
			want: func(o *options) { o.limits.schemaMaxBytes = 1000000 }},
		"schema-timeout": {value: "7s", other: "1m", bad: durations,
			want: func(o *options) { o.limits.schemaTimeout = 7 * time.Second }},
	}
}

func TestLimitDefaults(t *testing.T) {
	t.Parallel()
	l := defaults().limits
	if l.readTimeout != time.Minute || l.writeTimeout != 5*time.Minute || l.idleTimeout != 2*time.Minute ||
		l.maxConns != 1024 || l.maxEntities != 300000 || l.maxStoredBytes != 512<<20 ||
		l.schemaMaxBytes != 128<<20 || l.schemaTimeout != 2*time.Minute || l.allowedHosts != "" {
		t.Errorf("limit defaults: %+v", l)
	}
}

// rawConn opens a TCP connection to a run's listener.
func rawConn(t *testing.T, base string) net.Conn {
	t.Helper()
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	c, err := net.DialTimeout("tcp", u.Host, waitLimit)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// closedWithin reports how long the server took to close c (reading what it sends),
// failing past limit.
func closedWithin(t *testing.T, c net.Conn, limit time.Duration) (time.Duration, string) {
	t.Helper()
	start := time.Now()
	c.SetReadDeadline(start.Add(limit))
	b, err := io.ReadAll(c)
	took := time.Since(start)
	if ne, ok := err.(net.Error); ok && ne.Timeout() {
		t.Fatalf("connection still open after %v (read %q)", took, b)
	}
	return took, string(b)
}

// TestSlowBodyCut: a client that sends its body slowly is disconnected once the read
// timeout has passed, while others are served; an idle connection is closed after the
// idle timeout.
func TestSlowBodyCut(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	s := startRun(t, ctx, "--addr=127.0.0.1:0", "--read-timeout=500ms", "--idle-timeout=700ms")

	slow := rawConn(t, s.base)
	start := time.Now()
	fmt.Fprintf(slow, "POST /v1.0/users HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{")
	stop := make(chan struct{})
	go func() { // a byte every 100 ms: it would take 100 s
		for {
			select {
			case <-stop:
				return
			case <-time.After(100 * time.Millisecond):
				if _, err := slow.Write([]byte(" ")); err != nil {
					return
				}
			}
		}
	}()
	defer close(stop)
	// Meanwhile another client is served.
	c := newClient(t, nil)
	if code, _ := send(t, c, "GET", s.base+"/v1.0/users", ""); code != http.StatusOK {
		t.Errorf("another client: %d", code)
	}
	took, answer := closedWithin(t, slow, 10*time.Second)
	took += time.Since(start) - took
	if took < 400*time.Millisecond || took > 3*time.Second {
		t.Errorf("slow body cut after %v, want about the read timeout (500ms)", took)
	}
	if strings.Contains(answer, " 201 ") {
		t.Errorf("the slow request was answered: %q", answer)
	}

	idle := rawConn(t, s.base)
	fmt.Fprintf(idle, "GET /v1.0/users?$top=1 HTTP/1.1\r\nHost: localhost\r\n\r\n")
	br := bufio.NewReader(idle)
	resp, err := http.ReadResponse(br, nil)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("keep-alive request: %v %v", resp, err)
	}
	io.Copy(io.Discard, resp.Body)
	start = time.Now()
	idle.SetReadDeadline(start.Add(10 * time.Second))
	if _, err := br.ReadByte(); err == nil {
		t.Error("the idle connection sent more")
	} else if ne, ok := err.(net.Error); ok && ne.Timeout() {
		t.Error("the idle connection was kept open")
	}
	if took := time.Since(start); took > 3*time.Second {
		t.Errorf("idle connection closed after %v, want about 700ms", took)
	}
	cancel()
	if err := s.wait(t); err != nil {
		t.Fatal(err)
	}
}

// TestMaxConnections: past --max-connections a new connection waits until one closes.
func TestMaxConnections(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	s := startRun(t, ctx, "--addr=127.0.0.1:0", "--max-connections=2")
	held := []net.Conn{rawConn(t, s.base), rawConn(t, s.base)}
	for _, c := range held { // both accepted and served
		fmt.Fprintf(c, "GET /v1.0/users?$top=1 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("held connection: %v %v", resp, err)
		}
	}
	third := rawConn(t, s.base) // the kernel accepts it; the server does not yet
	fmt.Fprintf(third, "GET /v1.0/users?$top=1 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
	answered := make(chan time.Time, 1)
	go func() {
		if resp, err := http.ReadResponse(bufio.NewReader(third), nil); err == nil && resp.StatusCode == http.StatusOK {
			answered <- time.Now()
		}
		close(answered)
	}()
	select {
	case <-answered:
		t.Fatal("a third connection was served while two were open")
	case <-time.After(300 * time.Millisecond):
	}
	closed := time.Now()
	held[0].Close()
	select {
	case at, ok := <-answered:
		if !ok {
			t.Fatal("the third connection failed")
		}
		t.Logf("served %v after a place was freed", at.Sub(closed))
	case <-time.After(waitLimit):
		t.Fatal("the third connection was not served after one closed")
	}
	cancel()
	if err := s.wait(t); err != nil {
		t.Fatal(err)
	}
}

// TestRunHostCheck: the run answers its address, loopback names and the names given by
// --allowed-host and --tls-host, and refuses others with 421; it warns when it listens
// beyond loopback.
func TestRunHostCheck(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	s := startRun(t, ctx, "--addr=0.0.0.0:0", "--allowed-host=graph.test,*.corp.test")
	waitFor(t, s.stderr.seen("listening beyond loopback"), "the warning of a listener beyond loopback")
	port := s.base[strings.LastIndexByte(s.base, ':')+1:]
	for host, want := range map[string]int{
		"127.0.0.1:" + port: 200, "localhost:" + port: 200, "graph.test": 200, "a.corp.test": 200,
		"evil.example:80": 421, "graph.test.evil.example": 421,
	} {
		c := rawConn(t, "http://127.0.0.1:"+port)
		fmt.Fprintf(c, "GET /v1.0/users?$top=1 HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n", host)
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			t.Fatalf("Host %s: %v", host, err)
		}
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != want {
			t.Errorf("Host %s: %d %s, want %d", host, resp.StatusCode, body, want)
		}
		if want == 421 && (strings.Contains(string(body), "evil") || !strings.Contains(string(body), `"MisdirectedRequest"`)) {
			t.Errorf("Host %s: %s", host, body)
		}
	}
	cancel()
	if err := s.wait(t); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(startRun(t, t.Context(), "--addr=127.0.0.1:0").stderr.String(), "beyond loopback") {
		t.Error("a loopback listener warns")
	}
}

// TestRunSchemaURLLimits: a --schema URL is fetched within its size cap and timeout,
// with a log line; failures name the URL and the limit.
func TestRunSchemaURLLimits(t *testing.T) {
	t.Parallel()
	endless := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`<?xml version="1.0"?><edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx"><edmx:DataServices>`))
		chunk := []byte(strings.Repeat("<!-- padding -->", 4096))
		for r.Context().Err() == nil {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	}))
	t.Cleanup(endless.Close)
	stall := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`<?xml version="1.0"?>`))
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	}))
	t.Cleanup(stall.Close)
	large := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "5000000")
		w.Write([]byte("<"))
	}))
	t.Cleanup(large.Close)
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{"endless answer", []string{"--schema=v1.0=" + endless.URL + "/$metadata", "--schema-max-bytes=1000000"},
			[]string{"--schema v1.0=" + endless.URL, "GET " + endless.URL + "/$metadata", "--schema-max-bytes (1000000)"}},
		{"declared too large", []string{"--schema=beta=" + large.URL, "--schema-max-bytes=1000000"},
			[]string{"--schema beta=" + large.URL, "5000000 bytes", "--schema-max-bytes"}},
		{"stalled answer", []string{"--schema=v1.0=" + stall.URL, "--schema-timeout=300ms"},
			[]string{"--schema v1.0=" + stall.URL, "GET " + stall.URL, "--schema-timeout (300ms)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			logs := &logWatch{}
			start := time.Now()
			err := run(t.Context(), append([]string{"--addr=127.0.0.1:0"}, tt.args...), env(nil), io.Discard, logs)
			if err == nil {
				t.Fatal("run started")
			}
			if took := time.Since(start); took > 10*time.Second {
				t.Errorf("failed after %v", took)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			if !strings.Contains(logs.String(), "fetching schema") {
				t.Errorf("no log of the fetch:\n%s", logs)
			}
		})
	}
}
