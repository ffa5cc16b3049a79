package main

import (
	"context"
	"io"
	"path/filepath"
	"strings"
	"testing"
)

// --fault rules (repeated), then --faults files, apply from the
// start in that order; --stubs files answer.
func TestRunFaultsAndStubs(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	rules := writeFile(t, dir, "faults.json", `[{"id":"slow-groups","path":"/v1.0/groups","latency":{"delay":"1ms"}},
		{"method":"DELETE","error":{"status":503,"retryAfter":0}}]`)
	stubFile := writeFile(t, dir, "stubs.json", `{"id":"trending","path":"/v1.0/me/insights/trending","response":{"body":{"value":[]}}}`)
	ctx, cancel := context.WithCancel(t.Context())
	s := startRun(t, ctx, "--addr=127.0.0.1:0",
		`--fault={"id":"throttle","method":"GET","path":"/v1.0/users","error":{"status":429,"retryAfter":0},"count":1}`,
		"--fault", `[{"path":"/beta/**","error":{"status":500}}]`, "--faults="+rules, "--stubs", stubFile)
	c := newClient(t, nil)
	steps := []struct {
		method, path string
		want         int
		contains     string
	}{
		{"GET", "/v1.0/users", 429, `"TooManyRequests"`},
		{"GET", "/v1.0/users", 200, `"value"`},
		{"GET", "/beta/users", 500, `"InternalServerError"`},
		{"GET", "/v1.0/groups", 200, `"value"`},
		{"DELETE", "/v1.0/users/x", 503, `"serviceNotAvailable"`},
		{"GET", "/v1.0/me/insights/trending", 200, `{"value":[]}`},
		{"GET", "/_emulator/faults", 200, `"id": "throttle"`},
		{"GET", "/_emulator/stubs/trending", 200, `"hits": 1`},
	}
	for _, st := range steps {
		code, body := send(t, c, st.method, s.base+st.path, "")
		if code != st.want || !strings.Contains(body, st.contains) {
			t.Errorf("%s %s = %d %s, want %d containing %s", st.method, st.path, code, body, st.want, st.contains)
		}
	}
	_, body := send(t, c, "GET", s.base+"/_emulator/faults", "")
	ids := []string{`"throttle"`, `"fault-1"`, `"slow-groups"`, `"fault-2"`}
	last := -1
	for _, id := range ids {
		i := strings.Index(body, `"id": `+id)
		if i < last {
			t.Errorf("rule %s missing or out of order in %s", id, body)
		}
		last = i
	}
	if logs := s.stderr.String(); !strings.Contains(logs, "fault rules added") || !strings.Contains(logs, "stubs added") {
		t.Errorf("no log of the rules and stubs:\n%s", logs)
	}
	cancel()
	if err := s.wait(t); err != nil {
		t.Fatal(err)
	}
}

// A bad rule or stub stops the start, naming the flag, the file and the field.
func TestRunFaultErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	badFile := writeFile(t, dir, "bad.json", `[{"error":{"status":429}},{"latency":{"delay":"1s","jitter":"1s"}}]`)
	notJSON := writeFile(t, dir, "notjson.json", `path: /v1.0/users`)
	badStub := writeFile(t, dir, "stub.json", `{"path":"/v1.0/x","response":{"status":204,"body":{}}}`)
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{"bad member", []string{`--fault={"error":{"status":429},"times":2}`}, []string{"-fault", "times", "no member"}},
		{"bad value", []string{`--fault={"error":{"status":200}}`}, []string{"fault rule", "error.status", "not an error status"}},
		{"taken id", []string{`--fault={"id":"a","error":{"status":500}}`, `--fault={"id":"a","error":{"status":503}}`}, []string{"'a'", "exists already"}},
		{"missing file", []string{"--faults=" + filepath.Join(dir, "none.json")}, []string{"--faults", "none.json"}},
		{"file member", []string{"--faults=" + badFile}, []string{"--faults " + badFile, "[1].latency.jitter"}},
		{"file not JSON", []string{"--faults=" + notJSON}, []string{"--faults " + notJSON, "not valid JSON"}},
		{"stub", []string{"--stubs=" + badStub}, []string{"stub", "response.body", "no body"}},
		{"missing stub file", []string{"--stubs=" + filepath.Join(dir, "none.json")}, []string{"--stubs", "none.json"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := run(t.Context(), append([]string{"--addr=127.0.0.1:0"}, tt.args...), env(nil), io.Discard, io.Discard)
			for _, w := range tt.want {
				if err == nil || !strings.Contains(err.Error(), w) {
					t.Errorf("run(%q) = %v, want an error containing %q", tt.args, err, w)
				}
			}
		})
	}
}
