package emulator_test

// A $batch of 20 requests against the same 20 requests sent one by one, over loopback
// HTTP from one client and through ServeHTTP; one op is all 20 requests either way:
//
//	go test -run '^$' -bench 'Batch' -benchmem ./emulator/

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/tidwall/gjson"

	"github.com/graph-emulator/graph-emulator/emulator"
)

// batchBenchSteps is how many requests one batch holds: Graph's maximum.
const batchBenchSteps = 20

// batchBenchWork is one benchmark's 20 requests: GETs of stored entities, or PATCHes
// that change them.
type batchBenchWork struct {
	name   string
	method string
	body   string
	status int
}

var batchBenchWorks = []batchBenchWork{
	{name: "get", method: http.MethodGet, status: http.StatusOK},
	{name: "patch", method: http.MethodPatch, body: patchBodyA, status: http.StatusOK},
}

// batchBody is the $batch body of work over ids.
func (wk batchBenchWork) batchBody(ids []string) string {
	var sb strings.Builder
	sb.WriteString(`{"requests":[`)
	for i, id := range ids {
		if i > 0 {
			sb.WriteByte(',')
		}
		fmt.Fprintf(&sb, `{"id":"%d","method":"%s","url":"/%s/%s"`, i, wk.method, seedSet, id)
		if wk.body != "" {
			fmt.Fprintf(&sb, `,"headers":{"Content-Type":"application/json"},"body":%s`, wk.body)
		}
		sb.WriteByte('}')
	}
	sb.WriteString(`]}`)
	return sb.String()
}

// checkBatchAnswer checks that every item of a batch answer has the status wanted.
func checkBatchAnswer(tb testing.TB, body []byte, status int) {
	items := gjson.GetBytes(body, "responses").Array()
	if len(items) != batchBenchSteps {
		tb.Fatalf("%d items: %s", len(items), body)
	}
	for _, it := range items {
		if it.Get("status").Int() != int64(status) {
			tb.Fatalf("item %s", it.Raw)
		}
	}
}

func newBatchBenchServer(b *testing.B) (http.Handler, []string) {
	em, err := emulator.New()
	if err != nil {
		b.Fatal(err)
	}
	return em, seedEntities(b, em, batchBenchSteps)
}

func BenchmarkBatchHTTP(b *testing.B) {
	for _, wk := range batchBenchWorks {
		b.Run(wk.name, func(b *testing.B) {
			h, ids := newBatchBenchServer(b)
			srv := httptest.NewServer(h)
			defer srv.Close()
			tr := &http.Transport{MaxIdleConnsPerHost: 4, DisableCompression: true}
			defer tr.CloseIdleConnections()
			client := &http.Client{Transport: tr}
			send := func(method, path, body string) (int, []byte) {
				var rd io.Reader
				if body != "" {
					rd = strings.NewReader(body)
				}
				req, err := http.NewRequest(method, srv.URL+path, rd)
				if err != nil {
					b.Fatal(err)
				}
				if body != "" {
					req.Header.Set("Content-Type", "application/json")
				}
				resp, err := client.Do(req)
				if err != nil {
					b.Fatal(err)
				}
				defer resp.Body.Close()
				got, err := io.ReadAll(resp.Body)
				if err != nil {
					b.Fatal(err)
				}
				return resp.StatusCode, got
			}
			b.Run("mode=batch", func(b *testing.B) {
				body := wk.batchBody(ids)
				status, got := send(http.MethodPost, "/v1.0/$batch", body)
				if status != http.StatusOK {
					b.Fatalf("%d %s", status, got)
				}
				checkBatchAnswer(b, got, wk.status)
				b.ReportAllocs()
				for b.Loop() {
					if status, got := send(http.MethodPost, "/v1.0/$batch", body); status != http.StatusOK {
						b.Fatalf("%d %s", status, got)
					}
				}
			})
			b.Run("mode=single", func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					for _, id := range ids {
						if status, got := send(wk.method, collectionPath+"/"+id, wk.body); status != wk.status {
							b.Fatalf("%d %s", status, got)
						}
					}
				}
			})
		})
	}
}

func BenchmarkBatchServeHTTP(b *testing.B) {
	for _, wk := range batchBenchWorks {
		b.Run(wk.name, func(b *testing.B) {
			h, ids := newBatchBenchServer(b)
			serve := func(method, path, body string) *benchWriter {
				var req *http.Request
				if body != "" {
					req = httptest.NewRequest(method, path, strings.NewReader(body))
					req.Header.Set("Content-Type", "application/json")
				} else {
					req = httptest.NewRequest(method, path, nil)
				}
				w := newBenchWriter()
				h.ServeHTTP(w, req)
				return w
			}
			b.Run("mode=batch", func(b *testing.B) {
				body := wk.batchBody(ids)
				w := serve(http.MethodPost, "/v1.0/$batch", body)
				if w.status != http.StatusOK {
					b.Fatalf("%d %s", w.status, w.body)
				}
				checkBatchAnswer(b, w.body, wk.status)
				b.ReportAllocs()
				for b.Loop() {
					if w := serve(http.MethodPost, "/v1.0/$batch", body); w.status != http.StatusOK {
						b.Fatalf("%d %s", w.status, w.body)
					}
				}
			})
			b.Run("mode=single", func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					for _, id := range ids {
						if w := serve(wk.method, collectionPath+"/"+id, wk.body); w.status != wk.status {
							b.Fatalf("%d %s", w.status, w.body)
						}
					}
				}
			})
		})
	}
}
