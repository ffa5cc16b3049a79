package emulator_test

// Benchmarks of the seed exchanges: create, update, get and list of the seed entity
// through Server.ServeHTTP and over loopback HTTP, each beside the same request served
// by reference (reference_test.go), a hand-written net/http + encoding/json mock, so
// that the ratio shows in one run:
//
//	go test -run '^$' -bench . -benchmem ./emulator/
//
// Sub-benchmarks are named impl=emulator and impl=reference, so that
// `benchstat -col /impl` puts them side by side.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/graph-emulator/graph-emulator/emulator"
	"github.com/graph-emulator/graph-emulator/entities"
)

// seedSet is the entity set the seed type gets (DESIGN.md §4).
const seedSet = "office365ServicesUserCounts"

const collectionPath = "/v1.0/" + seedSet

// seedCreateBody is the request body of the seed docs' create example, as the doc shows
// it (TestSeedCreateBodyMatchesSeedDoc keeps the two in step).
const seedCreateBody = `{
  "@odata.type": "#microsoft.graph.office365ServicesUserCounts",
  "reportRefreshDate": "Date",
  "exchangeActive": 14,
  "exchangeInactive": 0,
  "oneDriveActive": 14,
  "oneDriveInactive": 0,
  "sharePointActive": 0,
  "sharePointInactive": 2,
  "skypeForBusinessActive": 6,
  "skypeForBusinessInactive": 8,
  "yammerActive": 12,
  "yammerInactive": 14,
  "teamsActive": 11,
  "teamsInactive": 13,
  "office365Active": 15,
  "office365Inactive": 1,
  "reportPeriod": "Report Period value"
}`

// The update benchmarks alternate between two PATCH bodies, so that every request
// really changes the entity.
const (
	patchBodyA = `{"exchangeActive": 15, "teamsActive": 12}`
	patchBodyB = `{"exchangeActive": 14, "teamsActive": 11}`
)

// listSize is how many entities the list benchmarks' set holds: one default page.
const listSize = 100

// createResetEvery bounds the heap of the ServeHTTP create benchmarks: the store is
// emptied (timer stopped) after this many creates.
const createResetEvery = 10000

// httpParallelism multiplies GOMAXPROCS into the number of HTTP client goroutines.
const httpParallelism = 4

// memoryEntities is how many entities the memory figures store.
const memoryEntities = 20000

// maxBytesPerEntity is the goal for the heap a stored seed entity costs the emulator.
const maxBytesPerEntity = 1024

type implementation struct {
	name string
	// new returns a fresh handler with an empty store and a func that empties it.
	new func(tb testing.TB) (h http.Handler, reset func())
}

func implementations() []implementation {
	return []implementation{
		{name: "emulator", new: func(tb testing.TB) (http.Handler, func()) {
			s, err := emulator.New()
			if err != nil {
				tb.Fatal(err)
			}
			return s, s.Reset
		}},
		// The same server with the minimal schema: what the emulator served by default
		// before Graph's schemas were embedded; beside "emulator" it shows what a large
		// live schema costs (the garbage collector marks it on every cycle).
		{name: "emulator-minimal", new: func(tb testing.TB) (http.Handler, func()) {
			var opts []emulator.Option
			for _, v := range entities.Versions() {
				schema, err := entities.Builtin(v)
				if err != nil {
					tb.Fatal(err)
				}
				opts = append(opts, emulator.WithSchema(v, schema))
			}
			s, err := emulator.New(opts...)
			if err != nil {
				tb.Fatal(err)
			}
			return s, s.Reset
		}},
		// The same server without Graph's per-type profiles (default property sets,
		// server-set values, uniqueness...): beside "emulator" it shows what they cost.
		{name: "emulator-noprofiles", new: func(tb testing.TB) (http.Handler, func()) {
			s, err := emulator.New(emulator.WithoutProfileData())
			if err != nil {
				tb.Fatal(err)
			}
			return s, s.Reset
		}},
		{name: "reference", new: func(tb testing.TB) (http.Handler, func()) {
			ref := newReference(seedSet)
			return ref, ref.Reset
		}},
	}
}

// operation is one kind of request the benchmarks repeat.
type operation struct {
	name   string
	method string
	status int
	// seeded is how many entities are created before the run; their ids are passed on.
	seeded int
	path   func(ids []string, i int) string
	body   func(i int) string // "" for no body
	// check inspects the body of the response to request i == 0.
	check func(ids []string, body []byte) error
}

func operations() []operation {
	entityPath := func(ids []string, i int) string { return collectionPath + "/" + ids[i%len(ids)] }
	return []operation{
		{
			name: "Create", method: http.MethodPost, status: http.StatusCreated,
			path: func([]string, int) string { return collectionPath },
			body: func(int) string { return seedCreateBody },
			check: func(_ []string, body []byte) error {
				return checkMembers(body, map[string]any{"exchangeActive": 14.0, "reportPeriod": "Report Period value"}, "")
			},
		},
		{
			name: "Update", method: http.MethodPatch, status: http.StatusOK, seeded: listSize,
			path: entityPath,
			body: func(i int) string {
				if i%2 == 0 {
					return patchBodyA
				}
				return patchBodyB
			},
			check: func(ids []string, body []byte) error {
				return checkMembers(body, map[string]any{
					"exchangeActive": 15.0, "teamsActive": 12.0, // patched
					"yammerActive": 12.0, "reportPeriod": "Report Period value", // kept
				}, ids[0])
			},
		},
		{
			name: "Get", method: http.MethodGet, status: http.StatusOK, seeded: listSize,
			path: entityPath,
			body: func(int) string { return "" },
			check: func(ids []string, body []byte) error {
				return checkMembers(body, map[string]any{"exchangeActive": 14.0}, ids[0])
			},
		},
		{
			name: "List", method: http.MethodGet, status: http.StatusOK, seeded: listSize,
			path: func([]string, int) string { return collectionPath },
			body: func(int) string { return "" },
			check: func(_ []string, body []byte) error {
				var page struct {
					Value []map[string]any `json:"value"`
				}
				if err := json.Unmarshal(body, &page); err != nil {
					return fmt.Errorf("list body: %v", err)
				}
				if len(page.Value) != listSize {
					return fmt.Errorf("list holds %d entities, want %d", len(page.Value), listSize)
				}
				return nil
			},
		},
	}
}

// checkMembers checks that body is a JSON object with the members of want, and with a
// string id (equal to id unless id is "").
func checkMembers(body []byte, want map[string]any, id string) error {
	var got map[string]any
	if err := json.Unmarshal(body, &got); err != nil {
		return fmt.Errorf("body %q: %v", body, err)
	}
	gotID, _ := got["id"].(string)
	if gotID == "" || (id != "" && gotID != id) {
		return fmt.Errorf("id = %v, want %q (body %s)", got["id"], id, body)
	}
	for k, v := range want {
		if got[k] != v {
			return fmt.Errorf("%s = %v, want %v (body %s)", k, got[k], v, body)
		}
	}
	return nil
}

// benchWriter is a minimal, reusable http.ResponseWriter, so that the benchmarks
// measure the handlers rather than httptest.ResponseRecorder.
type benchWriter struct {
	header http.Header
	status int
	body   []byte
}

func newBenchWriter() *benchWriter { return &benchWriter{header: http.Header{}} }

func (w *benchWriter) Header() http.Header { return w.header }

func (w *benchWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
}

func (w *benchWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	w.body = append(w.body, p...)
	return len(p), nil
}

// bodyReader is a reusable request body.
type bodyReader struct{ strings.Reader }

func (*bodyReader) Close() error { return nil }

// inProcess serves requests to one handler through ServeHTTP, reusing the writer, the
// body reader and one template request per path.
type inProcess struct {
	h     http.Handler
	w     *benchWriter
	br    *bodyReader
	tmpls []*http.Request
}

func newInProcess(h http.Handler, op operation, ids []string) *inProcess {
	n := max(1, len(ids))
	p := &inProcess{h: h, w: newBenchWriter(), br: &bodyReader{}, tmpls: make([]*http.Request, n)}
	for i := range n {
		r := httptest.NewRequest(op.method, op.path(ids, i), nil)
		if op.body(0) != "" {
			r.Header.Set("Content-Type", "application/json")
		}
		p.tmpls[i] = r
	}
	return p
}

// serve serves request i and leaves the response in p.w.
func (p *inProcess) serve(op operation, i int) {
	p.w.status = 0
	p.w.body = p.w.body[:0]
	clear(p.w.header)
	r := *p.tmpls[i%len(p.tmpls)]
	if body := op.body(i); body != "" {
		p.br.Reset(body)
		r.Body = p.br
		r.ContentLength = int64(len(body))
	}
	p.h.ServeHTTP(p.w, &r)
}

// seedEntities creates n seed entities through ServeHTTP and returns their ids.
func seedEntities(tb testing.TB, h http.Handler, n int) []string {
	tb.Helper()
	create := operations()[0]
	p := newInProcess(h, create, nil)
	ids := make([]string, 0, n)
	for i := range n {
		p.serve(create, i)
		if p.w.status != http.StatusCreated {
			tb.Fatalf("seeding: status %d, body %s", p.w.status, p.w.body)
		}
		var e struct{ ID string }
		if err := json.Unmarshal(p.w.body, &e); err != nil || e.ID == "" {
			tb.Fatalf("seeding: no id in %s (%v)", p.w.body, err)
		}
		ids = append(ids, e.ID)
	}
	return ids
}

// TestBenchmarkOperations checks, without -bench, that every benchmarked request gets
// the same answer from the emulator and the reference, so that they do the same work.
func TestBenchmarkOperations(t *testing.T) {
	t.Parallel()
	for _, im := range implementations() {
		for _, op := range operations() {
			t.Run(im.name+"/"+op.name, func(t *testing.T) {
				t.Parallel()
				h, _ := im.new(t)
				ids := seedEntities(t, h, op.seeded)
				p := newInProcess(h, op, ids)
				p.serve(op, 0)
				if p.w.status != op.status {
					t.Fatalf("status %d, want %d; body %s", p.w.status, op.status, p.w.body)
				}
				if err := op.check(ids, p.w.body); err != nil {
					t.Fatal(err)
				}
				if ct := p.w.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
					t.Errorf("Content-Type %q, want application/json", ct)
				}
			})
		}
	}
}

// TestSeedCreateBodyMatchesSeedDoc checks seedCreateBody against the create example of
// the seed docs, where the shared folder is beside the checkout.
func TestSeedCreateBodyMatchesSeedDoc(t *testing.T) {
	t.Parallel()
	docs, err := filepath.Glob(filepath.Join("..", "..", "shared", "seeds", "*.txt"))
	if err != nil || len(docs) == 0 {
		t.Skip("seed docs not found beside the checkout")
	}
	for _, doc := range docs {
		raw, err := os.ReadFile(doc)
		if err != nil {
			t.Fatal(err)
		}
		text := string(raw)
		if !strings.Contains(text, "# Create office365ServicesUserCounts") {
			continue
		}
		_, req, ok := strings.Cut(text, "### Request")
		if !ok {
			t.Fatalf("%s: no request example", doc)
		}
		// The body is the first object after a blank line (the comment before the
		// example holds an object of its own).
		start := strings.Index(req, "\n\n{")
		end := -1
		if start >= 0 {
			end = strings.Index(req[start:], "\n}")
		}
		if end < 0 {
			t.Fatalf("%s: no JSON body in the request example", doc)
		}
		var fromDoc, ours bytes.Buffer
		if err := json.Compact(&fromDoc, []byte(req[start+2:start+end+2])); err != nil {
			t.Fatalf("%s: %v", doc, err)
		}
		if err := json.Compact(&ours, []byte(seedCreateBody)); err != nil {
			t.Fatal(err)
		}
		if fromDoc.String() != ours.String() {
			t.Fatalf("seedCreateBody differs from %s:\n got %s\nwant %s", doc, ours.String(), fromDoc.String())
		}
		return
	}
	t.Fatalf("no create example of office365ServicesUserCounts among %v", docs)
}

func BenchmarkCreate(b *testing.B) { benchServeHTTP(b, operations()[0]) }
func BenchmarkUpdate(b *testing.B) { benchServeHTTP(b, operations()[1]) }
func BenchmarkGet(b *testing.B)    { benchServeHTTP(b, operations()[2]) }
func BenchmarkList(b *testing.B)   { benchServeHTTP(b, operations()[3]) }

func BenchmarkHTTPCreate(b *testing.B) { benchHTTP(b, operations()[0]) }
func BenchmarkHTTPUpdate(b *testing.B) { benchHTTP(b, operations()[1]) }
func BenchmarkHTTPGet(b *testing.B)    { benchHTTP(b, operations()[2]) }
func BenchmarkHTTPList(b *testing.B)   { benchHTTP(b, operations()[3]) }

// benchServeHTTP runs op through ServeHTTP on one goroutine.
func benchServeHTTP(b *testing.B, op operation) {
	for _, im := range implementations() {
		b.Run("impl="+im.name, func(b *testing.B) {
			h, reset := im.new(b)
			ids := seedEntities(b, h, op.seeded)
			p := newInProcess(h, op, ids)
			p.serve(op, 0)
			if p.w.status != op.status {
				b.Fatalf("status %d, want %d; body %s", p.w.status, op.status, p.w.body)
			}
			if err := op.check(ids, p.w.body); err != nil {
				b.Fatal(err)
			}
			resets := op.method == http.MethodPost
			b.ReportAllocs()
			b.ResetTimer()
			for i := 1; i <= b.N; i++ {
				if resets && i%createResetEvery == 0 {
					b.StopTimer()
					reset()
					b.StartTimer()
				}
				p.serve(op, i)
				if p.w.status != op.status {
					b.Fatalf("request %d: status %d, want %d; body %s", i, p.w.status, op.status, p.w.body)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
		})
	}
}

// benchHTTP runs op over loopback HTTP from httpParallelism×GOMAXPROCS clients sharing
// one keep-alive transport.
func benchHTTP(b *testing.B, op operation) {
	for _, im := range implementations() {
		b.Run("impl="+im.name, func(b *testing.B) {
			h, _ := im.new(b)
			ids := seedEntities(b, h, op.seeded)
			srv := httptest.NewServer(h)
			defer srv.Close()
			tr := &http.Transport{
				MaxIdleConns:        1024,
				MaxIdleConnsPerHost: 1024,
				DisableCompression:  true,
			}
			defer tr.CloseIdleConnections()
			client := &http.Client{Transport: tr}

			do := func(i int) (int, []byte, error) {
				var body io.Reader
				payload := op.body(i)
				if payload != "" {
					body = strings.NewReader(payload)
				}
				req, err := http.NewRequest(op.method, srv.URL+op.path(ids, i), body)
				if err != nil {
					return 0, nil, err
				}
				if payload != "" {
					req.Header.Set("Content-Type", "application/json")
				}
				resp, err := client.Do(req)
				if err != nil {
					return 0, nil, err
				}
				defer resp.Body.Close()
				if i == 0 {
					got, err := io.ReadAll(resp.Body)
					return resp.StatusCode, got, err
				}
				_, err = io.Copy(io.Discard, resp.Body)
				return resp.StatusCode, nil, err
			}
			status, got, err := do(0)
			if err != nil {
				b.Fatal(err)
			}
			if status != op.status {
				b.Fatalf("status %d, want %d; body %s", status, op.status, got)
			}
			if err := op.check(ids, got); err != nil {
				b.Fatal(err)
			}

			var next atomic.Int64
			b.ReportAllocs()
			b.SetParallelism(httpParallelism)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					i := int(next.Add(1))
					status, _, err := do(i)
					if err != nil {
						b.Error(err)
						return
					}
					if status != op.status {
						b.Errorf("request %d: status %d, want %d", i, status, op.status)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
		})
	}
}

// storedBytesPerEntity creates n seed entities in h through ServeHTTP and returns the
// growth of the live heap divided by n. Under a benchmark, only the creates are timed.
func storedBytesPerEntity(tb testing.TB, h http.Handler, n int) float64 {
	tb.Helper()
	b, _ := tb.(*testing.B)
	create := operations()[0]
	p := newInProcess(h, create, nil)
	p.serve(create, 0) // the collection exists, the writer's buffer has grown
	if p.w.status != http.StatusCreated {
		tb.Fatalf("status %d; body %s", p.w.status, p.w.body)
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&before)
	if b != nil {
		b.ResetTimer()
	}
	for i := range n {
		p.serve(create, i)
		if p.w.status != http.StatusCreated {
			tb.Fatalf("request %d: status %d; body %s", i, p.w.status, p.w.body)
		}
	}
	if b != nil {
		b.StopTimer()
	}
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(h)
	runtime.KeepAlive(p)
	return float64(int64(after.HeapAlloc)-int64(before.HeapAlloc)) / float64(n)
}

// BenchmarkStoredEntityMemory stores b.N seed entities in a fresh handler and reports
// the live heap they hold as the metric B/entity. (TestStoredEntityMemory logs the
// figures for a fixed count.)
func BenchmarkStoredEntityMemory(b *testing.B) {
	for _, im := range implementations() {
		b.Run("impl="+im.name, func(b *testing.B) {
			h, _ := im.new(b)
			b.ReportAllocs()
			b.ReportMetric(storedBytesPerEntity(b, h, b.N), "B/entity")
		})
	}
}

// TestStoredEntityMemory holds the emulator to its goal: a stored seed entity costs at
// most maxBytesPerEntity bytes of heap (BenchmarkStoredEntityMemory gives the reference's
// figure beside it). It does not run in parallel: it measures the process's heap.
func TestStoredEntityMemory(t *testing.T) {
	h, _ := implementations()[0].new(t)
	got := storedBytesPerEntity(t, h, memoryEntities)
	t.Logf("emulator: %.0f B/entity over %d entities", got, memoryEntities)
	if got > maxBytesPerEntity {
		t.Errorf("a stored seed entity costs the emulator %.0f B of heap, want at most %d", got, maxBytesPerEntity)
	}
	if got <= 0 {
		t.Errorf("a stored seed entity costs the emulator %.0f B of heap: the measurement is broken", got)
	}
}
