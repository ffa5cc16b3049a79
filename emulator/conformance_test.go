package emulator_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/tidwall/gjson"

	"github.com/graph-emulator/graph-emulator/emulator"
	"github.com/graph-emulator/graph-emulator/emulator/emulatortest"
)

// The conformance corpus: Microsoft's documented examples replayed against the
// emulator with Graph's embedded schema. See testdata/conformance/README.md for the
// format; expected-failures.txt lists the examples known to fail, one reason each.
const conformanceDir = "../testdata/conformance"

// conformanceMe is the id of the signed-in user /me stands for in every example.
const conformanceMe = "48d31887-5fad-4d73-a9f5-3c356e68a038"

type corpusFile struct {
	Resource string          `json:"resource"`
	Sources  []string        `json:"sources"`
	Examples []corpusExample `json:"examples"`
}

type corpusExample struct {
	Name    string            `json:"name"`
	Source  string            `json:"source"`
	Setup   []corpusStep      `json:"setup,omitempty"`
	Request corpusRequest     `json:"request"`
	Status  int               `json:"status"`
	Headers map[string]string `json:"headers,omitempty"`
	Body    json.RawMessage   `json:"body,omitempty"`
	Match   string            `json:"match,omitempty"` // "subset" (default) or "exact"
}

type corpusStep struct {
	Seed    json.RawMessage   `json:"seed,omitempty"`
	Request *corpusRequest    `json:"request,omitempty"`
	Status  int               `json:"status,omitempty"`
	Capture map[string]string `json:"capture,omitempty"` // variable -> gjson path in the response body
}

type corpusRequest struct {
	Method  string            `json:"method"`
	Path    string            `json:"path"`
	Headers map[string]string `json:"headers,omitempty"`
	Body    json.RawMessage   `json:"body,omitempty"`
}

// TestConformance replays every example of the corpus, each against a server of its
// own, and compares the answers with Graph's documented ones under the masking rules.
// An example that fails must be listed in expected-failures.txt, and a listed one must
// fail. With -update it rewrites expected-failures.txt (kept reasons for examples that
// still fail, the first mismatch for new ones) and results.md (the pass rate).
func TestConformance(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(conformanceDir, "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no corpus in %s: %v", conformanceDir, err)
	}
	expected, err := readCorpusFailures(filepath.Join(conformanceDir, "expected-failures.txt"))
	if err != nil {
		t.Fatal(err)
	}
	type tally struct{ pass, total int }
	byResource := map[string]*tally{}
	failures := map[string]string{} // key -> first mismatch
	seen := map[string]bool{}
	var order []string
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		var cf corpusFile
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&cf); err != nil {
			t.Fatalf("%s: %v", filepath.Base(file), err)
		}
		if cf.Resource == "" {
			t.Fatalf("%s: no resource", filepath.Base(file))
		}
		tl := byResource[cf.Resource]
		if tl == nil {
			tl = &tally{}
			byResource[cf.Resource] = tl
			order = append(order, cf.Resource)
		}
		for _, ex := range cf.Examples {
			key := cf.Resource + "/" + ex.Name
			if seen[key] {
				t.Errorf("%s: duplicate example name", key)
				continue
			}
			seen[key] = true
			var problems []string
			ran := false
			t.Run(key, func(t *testing.T) {
				ran = true
				problems = runCorpusExample(t, ex)
				reason, listed := expected[key]
				switch {
				case len(problems) == 0 && listed:
					t.Errorf("passes now but expected-failures.txt lists it (%s): remove the line", reason)
				case len(problems) > 0 && !listed:
					t.Errorf("fails (not in expected-failures.txt):\n  %s", strings.Join(problems, "\n  "))
				case len(problems) > 0:
					t.Logf("expected failure (%s):\n  %s", reason, strings.Join(problems, "\n  "))
				}
			})
			if !ran { // not chosen by -run
				continue
			}
			tl.total++
			if len(problems) == 0 {
				tl.pass++
			} else {
				failures[key] = problems[0]
			}
		}
	}
	for key := range expected {
		if !seen[key] {
			t.Errorf("expected-failures.txt lists %s, which is not in the corpus", key)
		}
	}
	sort.Strings(order)
	var summary strings.Builder
	summary.WriteString("| resource | examples | pass | pass rate |\n|---|---:|---:|---:|\n")
	var pass, total int
	for _, r := range order {
		tl := byResource[r]
		if tl.total == 0 {
			continue
		}
		pass += tl.pass
		total += tl.total
		fmt.Fprintf(&summary, "| %s | %d | %d | %.0f%% |\n", r, tl.total, tl.pass, 100*float64(tl.pass)/float64(tl.total))
	}
	fmt.Fprintf(&summary, "| **all** | %d | %d | %.0f%% |\n", total, pass, 100*float64(pass)/float64(total))
	t.Logf("conformance corpus: pass rate by resource\n%s", summary.String())
	if *updateGolden && total == len(seen) {
		writeConformanceResults(t, summary.String(), expected, failures)
	}
}

// readCorpusFailures reads "resource/name: reason" lines; # starts a comment.
func readCorpusFailures(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	out := map[string]string{}
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		key, reason, ok := strings.Cut(line, ": ")
		if !ok || strings.TrimSpace(reason) == "" {
			return nil, fmt.Errorf("%s:%d: want \"resource/name: reason\"", path, n)
		}
		if _, dup := out[key]; dup {
			return nil, fmt.Errorf("%s:%d: %s listed twice", path, n, key)
		}
		out[key] = strings.TrimSpace(reason)
	}
	return out, sc.Err()
}

const expectedFailuresHeader = `# Examples of the conformance corpus known to fail, one line each: resource/name: reason.
# The reason says whose the failure is: emulator (a gap to close), doc (the documented sample
# contradicts itself or the schema), corpus (the state a read needs cannot be seeded from the
# documented response). TestConformance fails when an example not listed here fails, or a
# listed one passes. ` + "`go test ./emulator -run TestConformance -update`" + ` rewrites this file:
# reasons are kept for examples that still fail; a new failure gets its first mismatch.
`

// writeConformanceResults rewrites expected-failures.txt and results.md (-update).
func writeConformanceResults(t *testing.T, summary string, expected, failures map[string]string) {
	var b strings.Builder
	b.WriteString(expectedFailuresHeader)
	keys := make([]string, 0, len(failures))
	for k := range failures {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		reason, ok := expected[k]
		if !ok {
			reason = "TODO: " + strings.ReplaceAll(failures[k], "\n", " ")
			if len(reason) > 200 {
				reason = reason[:200] + "…"
			}
		}
		fmt.Fprintf(&b, "%s: %s\n", k, reason)
	}
	if err := os.WriteFile(filepath.Join(conformanceDir, "expected-failures.txt"), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	res := "# Conformance corpus: pass rate by resource\n\nWritten by `go test ./emulator -run TestConformance -update`.\n\n" + summary
	if err := os.WriteFile(filepath.Join(conformanceDir, "results.md"), []byte(res), 0o644); err != nil {
		t.Fatal(err)
	}
}

var corpusVar = regexp.MustCompile(`\$\{([A-Za-z0-9_]+)\}`)

// corpusSubstitute replaces ${name} with the variable's value; an unknown one is left as is
// and reported.
func corpusSubstitute(s string, vars map[string]string, problems *[]string) string {
	return corpusVar.ReplaceAllStringFunc(s, func(m string) string {
		name := m[2 : len(m)-1]
		v, ok := vars[name]
		if !ok {
			*problems = append(*problems, "unknown variable "+m)
			return m
		}
		return v
	})
}

func sendCorpusRequest(srv *emulatortest.Server, r corpusRequest, vars map[string]string, problems *[]string) *emulatortest.Response {
	var headers []string
	names := make([]string, 0, len(r.Headers))
	for k := range r.Headers {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		headers = append(headers, k, corpusSubstitute(r.Headers[k], vars, problems))
	}
	body := ""
	if len(r.Body) > 0 {
		body = corpusSubstitute(string(r.Body), vars, problems)
	}
	resp, err := srv.Send(r.Method, corpusSubstitute(r.Path, vars, problems), body, headers...)
	if err != nil {
		*problems = append(*problems, err.Error())
		return nil
	}
	return resp
}

// runCorpusExample replays one example on a server of its own and returns what differs.
func runCorpusExample(t *testing.T, ex corpusExample) []string {
	vars := map[string]string{"me": conformanceMe}
	var problems []string
	// An example that names /me gets a signed-in user; its leading seeds load at start,
	// so that one of them may hold that user.
	var opts []emulator.Option
	setup := ex.Setup
	if corpusUsesMe(ex) {
		for len(setup) > 0 && len(setup[0].Seed) > 0 {
			opts = append(opts, emulator.WithSeed(fmt.Sprintf("seed%d", len(opts)+1), []byte(corpusSubstitute(string(setup[0].Seed), vars, &problems))))
			setup = setup[1:]
		}
		opts = append(opts, emulator.WithSignedInUser(conformanceMe))
	}
	srv, err := emulatortest.Start(opts...)
	if err != nil {
		return append(problems, "setup: "+err.Error())
	}
	t.Cleanup(srv.Close)
	for i, st := range setup {
		if len(st.Seed) > 0 {
			seed := corpusSubstitute(string(st.Seed), vars, &problems)
			r, err := srv.Send(http.MethodPost, "/_emulator/data", seed)
			if err != nil || r.Status != http.StatusOK {
				return append(problems, fmt.Sprintf("setup %d: seed refused: %v", i+1, corpusRespText(r, err)))
			}
			continue
		}
		if st.Request == nil {
			return append(problems, fmt.Sprintf("setup %d: neither seed nor request", i+1))
		}
		r := sendCorpusRequest(srv, *st.Request, vars, &problems)
		if r == nil {
			return problems
		}
		want := st.Status
		if want == 0 {
			want = r.Status
			if want >= 300 {
				want = 200
			}
		}
		if r.Status != want {
			return append(problems, fmt.Sprintf("setup %d: %s %s = %s, want %d", i+1, st.Request.Method, st.Request.Path, corpusTruncate(r.String()), want))
		}
		for name, path := range st.Capture {
			v := gjson.GetBytes(r.Body, path)
			if !v.Exists() {
				return append(problems, fmt.Sprintf("setup %d: capture %s: no %s in %s", i+1, name, path, corpusTruncate(string(r.Body))))
			}
			vars[name] = v.String()
		}
	}
	if len(problems) > 0 {
		return problems
	}
	r := sendCorpusRequest(srv, ex.Request, vars, &problems)
	if r == nil {
		return problems
	}
	if r.Status != ex.Status {
		problems = append(problems, fmt.Sprintf("status %d, want %d: %s", r.Status, ex.Status, corpusTruncate(string(r.Body))))
		return problems
	}
	hnames := make([]string, 0, len(ex.Headers))
	for k := range ex.Headers {
		hnames = append(hnames, k)
	}
	sort.Strings(hnames)
	for _, k := range hnames {
		want := corpusSubstitute(ex.Headers[k], vars, &problems)
		got, ok := r.Header[http.CanonicalHeaderKey(k)]
		if !ok {
			problems = append(problems, "header "+k+": missing")
			continue
		}
		if !corpusMaskedString(want, got[0], srv.URL) {
			problems = append(problems, fmt.Sprintf("header %s: %q, want %q", k, got[0], want))
		}
	}
	if ex.Status == http.StatusNoContent && len(r.Body) > 0 {
		problems = append(problems, "204 with a body: "+corpusTruncate(string(r.Body)))
	}
	if len(ex.Body) == 0 {
		return problems
	}
	var want, got any
	if err := json.Unmarshal([]byte(corpusSubstitute(string(ex.Body), vars, &problems)), &want); err != nil {
		return append(problems, "expected body: "+err.Error())
	}
	if err := json.Unmarshal(r.Body, &got); err != nil {
		return append(problems, fmt.Sprintf("response body is not JSON: %v: %s", err, corpusTruncate(string(r.Body))))
	}
	corpusCompare("$", want, got, ex.Match == "exact", srv.URL, &problems)
	return problems
}

// corpusUsesMe reports whether an example addresses the signed-in user.
func corpusUsesMe(ex corpusExample) bool {
	b, _ := json.Marshal(ex)
	return bytes.Contains(b, []byte("${me}")) || bytes.Contains(b, []byte(`"/v1.0/me`))
}

func corpusRespText(r *emulatortest.Response, err error) string {
	if err != nil {
		return err.Error()
	}
	return corpusTruncate(r.String())
}

func corpusTruncate(s string) string {
	if len(s) > 300 {
		return s[:300] + "…"
	}
	return s
}

// The masks an expected string may hold, alone or inside a longer string.
var corpusMasks = map[string]string{
	"{{base}}":     "", // replaced by the server's URL before matching
	"{{id}}":       `[^/'"?]+`,
	"{{guid}}":     `[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}`,
	"{{datetime}}": `\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?`,
	"{{etag}}":     `.+`,
	"{{string}}":   `(?s:.*)`,
}

var corpusMask = regexp.MustCompile(`\{\{[a-z]+\}\}`)

// corpusMaskedString reports whether got matches want, whose masks stand for generated values.
func corpusMaskedString(want, got, base string) bool {
	want = strings.ReplaceAll(want, "{{base}}", base)
	if !strings.Contains(want, "{{") {
		return want == got
	}
	var pat strings.Builder
	pat.WriteString("^")
	last := 0
	for _, loc := range corpusMask.FindAllStringIndex(want, -1) {
		re, ok := corpusMasks[want[loc[0]:loc[1]]]
		if !ok {
			continue
		}
		pat.WriteString(regexp.QuoteMeta(want[last:loc[0]]))
		pat.WriteString(re)
		last = loc[1]
	}
	pat.WriteString(regexp.QuoteMeta(want[last:]))
	pat.WriteString("$")
	ok, err := regexp.MatchString(pat.String(), got)
	return err == nil && ok
}

// corpusCompare compares a documented value with the emulator's: every member the
// document shows must be there with an equal value ("{{any}}": any value, null
// included); arrays match element by element; exact also refuses members the document
// does not show.
func corpusCompare(path string, want, got any, exact bool, base string, problems *[]string) {
	if s, ok := want.(string); ok && s == "{{any}}" {
		return
	}
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			*problems = append(*problems, fmt.Sprintf("%s: %s, want an object", path, corpusShort(got)))
			return
		}
		keys := make([]string, 0, len(w))
		for k := range w {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			gv, ok := g[k]
			if !ok {
				if s, isStr := w[k].(string); isStr && s == "{{any}}" {
					*problems = append(*problems, fmt.Sprintf("%s.%s: missing", path, k))
					continue
				}
				*problems = append(*problems, fmt.Sprintf("%s.%s: missing (want %s)", path, k, corpusShort(w[k])))
				continue
			}
			corpusCompare(path+"."+k, w[k], gv, exact, base, problems)
		}
		if exact {
			var extra []string
			for k := range g {
				if _, ok := w[k]; !ok {
					extra = append(extra, k)
				}
			}
			slices.Sort(extra)
			if len(extra) > 0 {
				*problems = append(*problems, fmt.Sprintf("%s: members the document does not show: %s", path, strings.Join(extra, ", ")))
			}
		}
	case []any:
		g, ok := got.([]any)
		if !ok {
			*problems = append(*problems, fmt.Sprintf("%s: %s, want an array", path, corpusShort(got)))
			return
		}
		if len(g) != len(w) {
			*problems = append(*problems, fmt.Sprintf("%s: %d elements, want %d", path, len(g), len(w)))
			return
		}
		for i := range w {
			corpusCompare(fmt.Sprintf("%s[%d]", path, i), w[i], g[i], exact, base, problems)
		}
	case string:
		g, ok := got.(string)
		if !ok || !corpusMaskedString(w, g, base) {
			*problems = append(*problems, fmt.Sprintf("%s: %s, want %s", path, corpusShort(got), corpusShort(want)))
		}
	case float64:
		g, ok := got.(float64)
		if !ok || math.Abs(g-w) > 1e-9*math.Max(1, math.Abs(w)) {
			*problems = append(*problems, fmt.Sprintf("%s: %s, want %s", path, corpusShort(got), corpusShort(want)))
		}
	default: // bool, null
		if want != got {
			*problems = append(*problems, fmt.Sprintf("%s: %s, want %s", path, corpusShort(got), corpusShort(want)))
		}
	}
}

func corpusShort(v any) string {
	b, _ := json.Marshal(v)
	s := string(b)
	if len(s) > 120 {
		s = s[:120] + "…"
	}
	return s
}

// TestConformanceMasks checks the corpus's matching rules themselves.
func TestConformanceMasks(t *testing.T) {
	const base = "http://127.0.0.1:8080"
	for _, c := range []struct {
		want, got string
		ok        bool
	}{
		{"{{base}}/v1.0/$metadata#users/$entity", base + "/v1.0/$metadata#users/$entity", true},
		{"{{base}}/v1.0/$metadata#users('{{id}}')/messages/$entity", base + "/v1.0/$metadata#users('u1')/messages/$entity", true},
		{"{{base}}/v1.0/x('{{guid}}')", base + "/v1.0/x('9b1c4c4e-0000-4000-8000-000000000001')", true},
		{"{{base}}/v1.0/x('{{guid}}')", base + "/v1.0/x('not-a-guid')", false},
		{"{{datetime}}", "2026-12-01T17:00:00.1234567Z", true},
		{"{{datetime}}", "2026-12-01", false},
		{"{{id}}", "", false},
		{"a.b", "axb", false}, // literal parts are not patterns
		{"{{string}}", "", true},
	} {
		if got := corpusMaskedString(c.want, c.got, base); got != c.ok {
			t.Errorf("corpusMaskedString(%q, %q) = %v, want %v", c.want, c.got, got, c.ok)
		}
	}
	decode := func(s string) any {
		var v any
		if err := json.Unmarshal([]byte(s), &v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, c := range []struct {
		want, got string
		exact     bool
		problems  int
	}{
		{`{"a":1,"b":{"c":[1,2]}}`, `{"a":1,"b":{"c":[1,2]},"d":true}`, false, 0},
		{`{"a":1}`, `{"a":1,"d":true}`, true, 1},
		{`{"a":"{{any}}"}`, `{"a":null}`, false, 0},
		{`{"a":"{{any}}"}`, `{}`, false, 1},
		{`{"a":null}`, `{}`, false, 1},
		{`{"a":[1,2]}`, `{"a":[2,1]}`, false, 2},
		{`{"a":[]}`, `{"a":[1]}`, false, 1},
		{`{"a":"low"}`, `{"a":"Low"}`, false, 1},
	} {
		var problems []string
		corpusCompare("$", decode(c.want), decode(c.got), c.exact, base, &problems)
		if len(problems) != c.problems {
			t.Errorf("corpusCompare(%s, %s, exact=%v) = %q, want %d problems", c.want, c.got, c.exact, problems, c.problems)
		}
	}
}
