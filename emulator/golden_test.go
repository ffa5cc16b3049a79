package emulator_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tidwall/gjson"

	"github.com/graph-emulator/graph-emulator/emulator"
	"github.com/graph-emulator/graph-emulator/emulator/emulatortest"
)

// The golden files live at the repository root; see testdata/golden/README.md.
const goldenDir = "../testdata/golden"

var updateGolden = flag.Bool("update", false, "rewrite the golden responses in testdata/golden (existing files only)")

// guidPattern is a GUID as Graph writes it: lower-case hex in 8-4-4-4-12 groups.
var guidPattern = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// goldenMessage is one golden file: a request or a response in HTTP-like text.
type goldenMessage struct {
	comments []string // leading "#" lines, kept when the file is rewritten
	start    string   // request line or status line
	header   [][2]string
	body     []byte // as written, final newline dropped
}

// readGolden reads and parses a golden file; a missing file fails the test.
func readGolden(t *testing.T, name string) *goldenMessage {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(goldenDir, name))
	if err != nil {
		t.Fatalf("golden file: %v (golden files are never created implicitly)", err)
	}
	m, err := parseGolden(string(data))
	if err != nil {
		t.Fatalf("golden file %s: %v", name, err)
	}
	return m
}

func parseGolden(s string) (*goldenMessage, error) {
	m := &goldenMessage{}
	head, body, ok := strings.Cut(s, "\n\n")
	if !ok {
		return nil, fmt.Errorf("no blank line between headers and body")
	}
	m.body = []byte(strings.TrimSuffix(body, "\n"))
	for _, line := range strings.Split(head, "\n") {
		switch {
		case m.start == "" && strings.HasPrefix(line, "#"):
			m.comments = append(m.comments, line)
		case m.start == "":
			m.start = line
		default:
			name, value, ok := strings.Cut(line, ":")
			if !ok {
				return nil, fmt.Errorf("malformed header line %q", line)
			}
			m.header = append(m.header, [2]string{name, strings.TrimSpace(value)})
		}
	}
	if m.start == "" {
		return nil, fmt.Errorf("no request or status line")
	}
	return m, nil
}

// text renders the message without its comments; the body as indented JSON when it is JSON.
func (m *goldenMessage) text() string {
	var b strings.Builder
	b.WriteString(m.start + "\n")
	for _, h := range m.header {
		b.WriteString(h[0] + ": " + h[1] + "\n")
	}
	b.WriteString("\n")
	b.Write(indentJSON(m.body))
	b.WriteString("\n")
	return b.String()
}

// file renders the message as a golden file, comments included.
func (m *goldenMessage) file() []byte {
	var b strings.Builder
	for _, c := range m.comments {
		b.WriteString(c + "\n")
	}
	b.WriteString(m.text())
	return []byte(b.String())
}

func indentJSON(body []byte) []byte {
	if len(body) == 0 {
		return nil
	}
	var compact, out bytes.Buffer
	if json.Compact(&compact, body) != nil {
		return body
	}
	if json.Indent(&out, compact.Bytes(), "", "  ") != nil {
		return body
	}
	return out.Bytes()
}

// headerPairs returns the request headers of a golden request, {{id}} replaced.
func (m *goldenMessage) headerPairs(id string) []string {
	var out []string
	for _, h := range m.header {
		out = append(out, h[0], strings.ReplaceAll(h[1], "{{id}}", id))
	}
	return out
}

// envelopeHeaders are the headers a rewritten golden response lists when the response
// has them, besides those the file already lists.
var envelopeHeaders = []string{"Content-Type", "Location", "Preference-Applied", "ETag",
	"OData-Version", "client-request-id", "request-id"}

// goldenResponse renders resp in the golden format, generated values replaced by
// placeholders: the headers the golden lists (in its order), then any other envelope
// header present, and the body indented.
func goldenResponse(golden *goldenMessage, resp *emulatortest.Response, placeholders *strings.Replacer) *goldenMessage {
	out := &goldenMessage{comments: golden.comments,
		start: fmt.Sprintf("HTTP/1.1 %d %s", resp.Status, http.StatusText(resp.Status))}
	var listed []string
	for _, h := range golden.header {
		listed = append(listed, http.CanonicalHeaderKey(h[0]))
		if v := resp.Header.Values(h[0]); len(v) > 0 {
			out.header = append(out.header, [2]string{h[0], placeholders.Replace(strings.Join(v, ", "))})
		}
	}
	for _, name := range envelopeHeaders {
		if v := resp.Header.Values(name); len(v) > 0 && !slices.Contains(listed, http.CanonicalHeaderKey(name)) {
			out.header = append(out.header, [2]string{name, placeholders.Replace(strings.Join(v, ", "))})
		}
	}
	out.body = []byte(placeholders.Replace(string(indentJSON(resp.Body))))
	return out
}

// sendGolden sends a golden request with {{id}} replaced.
func sendGolden(t *testing.T, srv *emulatortest.Server, req *goldenMessage, id string) *emulatortest.Response {
	t.Helper()
	method, path, ok := strings.Cut(req.start, " ")
	if !ok {
		t.Fatalf("malformed request line %q", req.start)
	}
	path, _, _ = strings.Cut(path, " ") // drop an HTTP version
	path = strings.ReplaceAll(path, "{{id}}", id)
	return srv.Do(method, path, string(req.body), req.headerPairs(id)...)
}

// sequentialGUIDs returns an id generator of GUIDs that count up from 1.
func sequentialGUIDs() func() string {
	var n atomic.Uint64
	return func() string { return fmt.Sprintf("00000000-0000-4000-8000-%012x", n.Add(1)) }
}

// sequentialRequestIDs returns a request id generator of GUIDs that count up from 1,
// told apart from sequentialGUIDs' by their fourth group.
func sequentialRequestIDs() func() string {
	var n atomic.Uint64
	return func() string { return fmt.Sprintf("00000000-0000-4000-9000-%012x", n.Add(1)) }
}

var goldenClock = time.Date(2021, 5, 18, 19, 3, 10, 0, time.UTC)

// TestGoldenSeedExchanges replays the seed docs' create and update over real HTTP and
// compares the answers with testdata/golden/seed.
func TestGoldenSeedExchanges(t *testing.T) {
	t.Parallel()
	exchanges := []struct {
		name string
		// createFirst: the request's {{id}} names an entity made with seed/create.request.http.
		createFirst bool
		status      int
	}{
		{name: "create", status: http.StatusCreated},
		{name: "update", createFirst: true, status: http.StatusOK},
	}
	modes := []struct {
		name string
		opts []emulator.Option
		// idPrefix and reqPrefix, when set, are what every generated entity key and
		// request id must start with.
		idPrefix, reqPrefix string
		// rewrites: this mode rewrites the golden file under -update (one mode does).
		rewrites bool
	}{
		{name: "random ids", rewrites: true},
		{name: "fixed ids and clock", idPrefix: "00000000-0000-4000-8000-", reqPrefix: "00000000-0000-4000-9000-",
			opts: []emulator.Option{emulator.WithIDGenerator(sequentialGUIDs()), emulator.WithRequestIDs(sequentialRequestIDs()),
				emulator.WithClock(func() time.Time { return goldenClock })}},
	}
	for _, ex := range exchanges {
		for _, mode := range modes {
			t.Run(ex.name+"/"+mode.name, func(t *testing.T) {
				t.Parallel()
				req := readGolden(t, "seed/"+ex.name+".request.http")
				want := readGolden(t, "seed/"+ex.name+".response.http")
				srv := emulatortest.New(t, mode.opts...)

				id := ""
				if ex.createFirst {
					created := sendGolden(t, srv, readGolden(t, "seed/create.request.http"), "")
					if created.Status != http.StatusCreated {
						t.Fatalf("creating the entity to update: %s", created)
					}
					id = gjson.GetBytes(created.Body, "id").String()
				}
				resp := sendGolden(t, srv, req, id)
				if resp.Status != ex.status {
					t.Errorf("status %d, want %d", resp.Status, ex.status)
				}
				bodyID := gjson.GetBytes(resp.Body, "id").String()
				if id == "" {
					id = bodyID
				} else if bodyID != id {
					t.Errorf("body id %q, want the updated entity's %q", bodyID, id)
				}
				reqID := resp.Header.Get("request-id")
				for _, c := range []struct{ what, v, prefix string }{{"entity id", id, mode.idPrefix}, {"request-id", reqID, mode.reqPrefix}} {
					if !guidPattern.MatchString(c.v) {
						t.Errorf("%s %q is not a GUID", c.what, c.v)
					}
					if !strings.HasPrefix(c.v, c.prefix) {
						t.Errorf("%s %q does not come from its generator (want prefix %q)", c.what, c.v, c.prefix)
					}
				}
				if id == reqID {
					t.Errorf("entity id and request-id are both %q", id)
				}
				placeholders := strings.NewReplacer(srv.URL, "{{base}}", id, "{{id}}", reqID, "{{request-id}}")
				got := goldenResponse(want, resp, placeholders)
				if got.text() == want.text() {
					return
				}
				if *updateGolden {
					if !mode.rewrites {
						t.Logf("response differs from seed/%s.response.http; another mode rewrites it", ex.name)
						return
					}
					if err := os.WriteFile(filepath.Join(goldenDir, "seed/"+ex.name+".response.http"), got.file(), 0o644); err != nil {
						t.Fatal(err)
					}
					t.Logf("rewrote seed/%s.response.http", ex.name)
					return
				}
				t.Errorf("response differs from seed/%s.response.http (%s)\n--- got\n%s--- want\n%s",
					ex.name, firstDifference(got.text(), want.text()), got.text(), want.text())
			})
		}
	}
}

// firstDifference names the first line where got and want differ.
func firstDifference(got, want string) string {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := 0; i < len(g) || i < len(w); i++ {
		var gl, wl string
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if gl != wl {
			return fmt.Sprintf("line %d: got %q, want %q", i+1, gl, wl)
		}
	}
	return "no difference"
}

// TestGoldenFilesParse keeps every golden file readable: each request has a request
// line and each response a status line and a JSON body.
func TestGoldenFilesParse(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob(filepath.Join(goldenDir, "*", "*.http"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 4 {
		t.Fatalf("found %d golden files under %s, want the seed exchanges' 4 at least", len(files), goldenDir)
	}
	for _, f := range files {
		rel, _ := filepath.Rel(goldenDir, f)
		m := readGolden(t, rel)
		switch {
		case strings.HasSuffix(f, ".request.http"):
			if !regexp.MustCompile(`^(GET|POST|PATCH|PUT|DELETE) /`).MatchString(m.start) {
				t.Errorf("%s: request line %q", rel, m.start)
			}
		case strings.HasSuffix(f, ".response.http"):
			if !regexp.MustCompile(`^HTTP/1\.1 \d{3} `).MatchString(m.start) {
				t.Errorf("%s: status line %q", rel, m.start)
			}
			if len(m.body) > 0 && !json.Valid(m.body) {
				t.Errorf("%s: body is not JSON", rel)
			}
		default:
			t.Errorf("%s: neither a request nor a response", rel)
		}
	}
}

// seedDocsDir is the shared folder's seed docs, relative to this package (../shared from
// the repository root).
const seedDocsDir = "../../shared/seeds"

// seedDocBlock is one ```http block of a seed doc: start line, headers, body.
type seedDocBlock struct {
	start  string
	header []string
	body   string
}

// readSeedDocBlocks returns the seed docs' example blocks by their doc metadata: a
// request by its "name", a response by the name of the request before it + "/response".
func readSeedDocBlocks(t *testing.T) map[string]seedDocBlock {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(seedDocsDir, "*.txt"))
	if len(files) == 0 {
		t.Skipf("no seed docs in %s", seedDocsDir)
	}
	block := regexp.MustCompile(`(?s)"blockType": "(request|response)"(?:,\s*"name": "([^"]+)")?.*?` + "```" + `\s*http\n(.*?)` + "```")
	out := map[string]seedDocBlock{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		last := ""
		for _, m := range block.FindAllStringSubmatch(string(data), -1) {
			head, body, _ := strings.Cut(m[3], "\n\n")
			lines := strings.Split(head, "\n")
			b := seedDocBlock{start: lines[0], header: lines[1:], body: strings.TrimSuffix(body, "\n")}
			if m[1] == "request" {
				last = m[2]
				out[last] = b
			} else if last != "" {
				out[last+"/response"] = b
			}
		}
	}
	return out
}

// TestGoldenSeedMatchesDocs checks the golden seed exchanges against the seed docs in
// the shared folder: the requests are the docs' own, byte for byte, and the responses
// hold every member of the docs' responses, in the docs' order, with the docs' values
// (the id aside, which is generated).
func TestGoldenSeedMatchesDocs(t *testing.T) {
	t.Parallel()
	docs := readSeedDocBlocks(t)
	cases := []struct {
		name, docName string
	}{
		{name: "create", docName: "create_office365servicesusercounts_from_"},
		{name: "update", docName: "update_office365servicesusercounts"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			docReq, ok := docs[tc.docName]
			if !ok {
				t.Fatalf("seed docs have no request named %q", tc.docName)
			}
			docResp, ok := docs[tc.docName+"/response"]
			if !ok {
				t.Fatalf("seed docs have no response after request %q", tc.docName)
			}
			req := readGolden(t, "seed/"+tc.name+".request.http")
			resp := readGolden(t, "seed/"+tc.name+".response.http")

			if string(req.body) != docReq.body {
				t.Errorf("request body differs from the doc's:\n%s\n--- doc\n%s", req.body, docReq.body)
			}
			if gm, dm := strings.Fields(req.start)[0], strings.Fields(docReq.start)[0]; gm != dm {
				t.Errorf("request method %s, doc's %s", gm, dm)
			}
			if !slices.Contains(docReq.header, "Content-type: application/json") ||
				!slices.ContainsFunc(req.header, func(h [2]string) bool { return h == [2]string{"Content-type", "application/json"} }) {
				t.Errorf("request Content-type: golden %q, doc %q", req.header, docReq.header)
			}
			if gs, ds := strings.Fields(resp.start)[1], strings.Fields(docResp.start)[1]; gs != ds {
				t.Errorf("response status %s, doc's %s", gs, ds)
			}

			var docNames, goldenNames []string
			gjson.Parse(docResp.body).ForEach(func(k, v gjson.Result) bool {
				docNames = append(docNames, k.Str)
				if k.Str == "id" {
					return true
				}
				got := gjson.GetBytes(resp.body, gjson.Escape(k.Str))
				if !got.Exists() {
					t.Errorf("golden response lacks the doc's member %q", k.Str)
				} else if compactJSON(got.Raw) != compactJSON(v.Raw) {
					t.Errorf("member %q: golden %s, doc %s", k.Str, got.Raw, v.Raw)
				}
				return true
			})
			gjson.ParseBytes(resp.body).ForEach(func(k, _ gjson.Result) bool {
				if slices.Contains(docNames, k.Str) {
					goldenNames = append(goldenNames, k.Str)
				}
				return true
			})
			if !slices.Equal(goldenNames, docNames) {
				t.Errorf("member order differs from the doc's:\ngolden %q\ndoc    %q", goldenNames, docNames)
			}
			if id := gjson.GetBytes(resp.body, "id").String(); id != "{{id}}" {
				t.Errorf("golden id %q, want the placeholder {{id}}", id)
			}
		})
	}
}

func compactJSON(raw string) string {
	var b bytes.Buffer
	if json.Compact(&b, []byte(raw)) != nil {
		return raw
	}
	return b.String()
}
