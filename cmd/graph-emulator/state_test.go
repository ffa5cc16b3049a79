package main

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeFile writes content to name in dir and returns its path.
func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// --seed files load in order into the default tenant, --me names (or creates) the
// signed-in user, --sample-data comes first, --journal-size bounds the journal.
func TestRunStartState(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	a := writeFile(t, dir, "a.json", `{"users":[{"id":"s1","displayName":"Seeded","userPrincipalName":"seeded@contoso.test"}]}`)
	b := writeFile(t, dir, "b.json", `{"groups":[{"id":"g1","displayName":"G","members":["s1","87d349ed-44d7-43e1-9a83-5f2406dee5bd"]}]}`)
	ctx, cancel := context.WithCancel(t.Context())
	s := startRun(t, ctx, "--addr=127.0.0.1:0", "--sample-data", "--seed="+a, "--seed", b,
		"--me=seeded@contoso.test", "--journal-size=1")
	c := newClient(t, nil)
	steps := []struct {
		method, path string
		want         int
		contains     string
	}{
		{"GET", "/v1.0/me", 200, `"id":"s1"`},
		{"GET", "/v1.0/groups/g1/members?$select=displayName", 200, `"Adele Vance"`},
		{"GET", "/v1.0/users?$select=id&$top=999", 200, `"e8f6a3d1-5c6b-4b7e-9d2a-1f0c3b4a5d6e"`},
		{"GET", "/_emulator/requests", 200, `"path": "/v1.0/users"`},
		{"GET", "/_emulator/health", 200, `"size": 1`},
	}
	for _, st := range steps {
		code, body := send(t, c, st.method, s.base+st.path, "")
		if code != st.want || !strings.Contains(body, st.contains) {
			t.Errorf("%s %s = %d %s, want %d containing %s", st.method, st.path, code, body, st.want, st.contains)
		}
	}
	if logs := s.stderr.String(); !strings.Contains(logs, "start-up data loaded") {
		t.Errorf("no log of the start-up data:\n%s", logs)
	}
	cancel()
	if err := s.wait(t); err != nil {
		t.Fatal(err)
	}
}

func TestRunSeedErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	bad := writeFile(t, dir, "bad.json", `{"users":[{"id":"u1","manager":"nobody"}]}`)
	notJSON := writeFile(t, dir, "notjson.json", `users: []`)
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{"missing file", []string{"--seed=" + filepath.Join(dir, "none.json")}, []string{"--seed", "none.json"}},
		{"dangling reference", []string{"--seed=" + bad}, []string{"seed " + bad, "users('u1')/manager", "'nobody'"}},
		{"not JSON", []string{"--seed=" + notJSON}, []string{"seed " + notJSON, "not valid JSON"}},
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
