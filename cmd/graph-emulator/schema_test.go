package main

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/graph-emulator/graph-emulator/entities"
)

// fixture is a CSDL file of the repository's testdata.
func fixture(name string) string { return filepath.Join("..", "..", "testdata", "csdl", name) }

func send(t *testing.T, c *http.Client, method, url, body string) (int, string) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestRunWithSchemaFile(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	s := startRun(t, ctx, "--addr=127.0.0.1:0", "--schema=beta="+fixture("basic.xml"),
		"--expose=test.ns.part=parts", "--me=p1")
	c := newClient(t, nil)
	steps := []struct {
		method, path, body string
		want               int
		contains           string
	}{
		// The loaded schema's sets, plus the built-in additions merged into it.
		{"POST", "/beta/people", `{"id":"p1"}`, 201, `"#test.ns.person"`},
		{"GET", "/beta/me", "", 200, `"id":"p1"`},
		{"POST", "/beta/office365ServicesUserCounts", `{"exchangeActive":1}`, 201, `"exchangeActive":1`},
		{"POST", "/beta/parts", `{}`, 201, `#test.ns.part`},
		{"GET", "/beta/$metadata", "", 200, `EntitySet Name="parts"`},
		// --expose applies to every version; v1.0 keeps the built-in schema otherwise.
		{"POST", "/v1.0/office365ServicesUserCounts", `{"exchangeActive":1}`, 201, `"exchangeActive":1`},
		{"GET", "/v1.0/people", "", 400, "Resource not found for the segment 'people'."},
	}
	for _, st := range steps {
		code, body := send(t, c, st.method, s.base+st.path, st.body)
		if code != st.want || !strings.Contains(body, st.contains) {
			t.Errorf("%s %s = %d %s, want %d containing %s", st.method, st.path, code, body, st.want, st.contains)
		}
	}
	if !strings.Contains(s.stderr.String(), "schema loaded") {
		t.Errorf("no log of the loaded schema:\n%s", s.stderr)
	}
	cancel()
	if err := s.wait(t); err != nil {
		t.Fatal(err)
	}
}

func TestRunWithSchemaURL(t *testing.T) {
	t.Parallel()
	doc, err := os.ReadFile(fixture("basic.xml"))
	if err != nil {
		t.Fatal(err)
	}
	meta := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v1.0/$metadata" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/xml")
		_, _ = w.Write(doc)
	}))
	defer meta.Close()
	ctx, cancel := context.WithCancel(t.Context())
	s := startRun(t, ctx, "--addr=127.0.0.1:0", "--schema=v1.0="+meta.URL+"/v1.0/$metadata")
	if code, body := send(t, newClient(t, nil), "GET", s.base+"/v1.0/items", ""); code != 200 || !strings.Contains(body, `"value":[]`) {
		t.Errorf("GET items from a schema fetched by URL = %d %s", code, body)
	}
	cancel()
	if err := s.wait(t); err != nil {
		t.Fatal(err)
	}
	// A URL that does not answer 200 stops the start.
	err = run(t.Context(), []string{"--addr=127.0.0.1:0", "--schema=v1.0=" + meta.URL + "/nothing"}, env(nil), io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "404") {
		t.Errorf("schema URL answering 404: %v", err)
	}
}

func TestRunSchemaErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	broken := filepath.Join(dir, "broken.xml")
	if err := os.WriteFile(broken, []byte("<edmx:Edmx Version=\"4.0\" xmlns:edmx=\"http://docs.oasis-open.org/odata/ns/edmx\">\n<edmx:DataServices>\n<Schema Namespace=\"n\" xmlns=\"http://docs.oasis-open.org/odata/ns/edm\">\n<EntityType>\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{"missing file", []string{"--schema=v1.0=" + filepath.Join(dir, "none.xml")}, []string{"--schema v1.0=", "none.xml"}},
		{"broken file names the line", []string{"--schema=v1.0=" + broken}, []string{"broken.xml", "line 4", "EntityType without Name"}},
		{"unknown exposed type", []string{"--expose=microsoft.graph.nothing"}, []string{"--expose microsoft.graph.nothing"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var stdout strings.Builder
			err := run(t.Context(), append([]string{"--addr=127.0.0.1:0"}, tt.args...), env(nil), &stdout, io.Discard)
			if err == nil {
				t.Fatal("run started")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			if stdout.Len() != 0 {
				t.Errorf("printed %q before failing", stdout.String())
			}
		})
	}
}

// TestRunNamedSchemas starts the binary's run with each named schema source: by default
// (and with --schema graph) every version serves Graph's embedded schema; --schema
// minimal serves only the built-in types; names and files mix per version.
func TestRunNamedSchemas(t *testing.T) {
	t.Parallel()
	type probe struct {
		path string
		want int
	}
	tests := []struct {
		name   string
		args   []string
		probes []probe
	}{
		{"default", nil, []probe{
			{"/v1.0/users", 200}, {"/beta/users", 200}, {"/v1.0/groups", 200},
			{"/v1.0/office365ServicesUserCounts", 200}, {"/beta/office365ServicesUserCounts", 200},
		}},
		{"graph", []string{"--schema=graph"}, []probe{{"/v1.0/users", 200}, {"/beta/users", 200}}},
		{"minimal", []string{"--schema=minimal"}, []probe{
			{"/v1.0/users", 400}, {"/beta/users", 400}, {"/v1.0/office365ServicesUserCounts", 200},
		}},
		{"minimal v1.0, file beta", []string{"--schema=v1.0=minimal,beta=" + fixture("basic.xml")}, []probe{
			{"/v1.0/users", 400}, {"/beta/people", 200}, {"/beta/users", 400},
		}},
		{"graph with --expose", []string{"--schema=v1.0=graph", "--expose=microsoft.graph.office365ServicesUserCounts=userCounts"}, []probe{
			{"/v1.0/users", 200}, {"/v1.0/userCounts", 200}, {"/beta/userCounts", 200},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithCancel(t.Context())
			s := startRun(t, ctx, append([]string{"--addr=127.0.0.1:0"}, tt.args...)...)
			c := newClient(t, nil)
			for _, p := range tt.probes {
				if code, body := send(t, c, "GET", s.base+p.path, ""); code != p.want {
					t.Errorf("GET %s = %d %s, want %d", p.path, code, body, p.want)
				}
			}
			cancel()
			if err := s.wait(t); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestSchemaValueNames(t *testing.T) {
	t.Parallel()
	tests := []struct {
		sets []string
		want string
	}{
		{[]string{"minimal"}, "v1.0=minimal,beta=minimal"},
		{[]string{"graph"}, "v1.0=graph,beta=graph"},
		{[]string{"minimal", "beta=b.xml"}, "v1.0=minimal,beta=b.xml"},
		{[]string{"beta=graph,v1.0=a.xml", "minimal"}, "v1.0=minimal,beta=minimal"},
	}
	for _, tt := range tests {
		var v schemaValue
		for _, s := range tt.sets {
			if err := v.Set(s); err != nil {
				t.Fatalf("Set(%q): %v", s, err)
			}
		}
		if string(v) != tt.want {
			t.Errorf("after %q: %q, want %q", tt.sets, v, tt.want)
		}
	}
	var v schemaValue
	for _, bad := range []string{"Graph", "minimal.xml", "nothing"} {
		if err := v.Set(bad); err == nil {
			t.Errorf("Set(%q) succeeded", bad)
		}
	}
}

// TestRunDefaultServesAllOfGraph starts run with no flags: every entity set of Graph's
// v1.0 and beta schemas answers GET with a JSON collection.
func TestRunDefaultServesAllOfGraph(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	s := startRun(t, ctx, "--addr=127.0.0.1:0")
	c := newClient(t, nil)
	for _, version := range []string{"v1.0", "beta"} {
		schema, err := entities.Graph(version)
		if err != nil {
			t.Fatal(err)
		}
		for _, set := range schema.EntitySets() {
			path := "/" + version + "/" + set.Name
			if code, body := send(t, c, "GET", s.base+path, ""); code != 200 || !strings.Contains(body, `"value":[`) {
				t.Errorf("GET %s = %d %s", path, code, body)
			}
		}
	}
	cancel()
	if err := s.wait(t); err != nil {
		t.Fatal(err)
	}
}
