package emulator_test

// Benchmarks of query options over 100,000 stored users, through Server.ServeHTTP:
//
//	go test -run '^$' -bench Query -benchtime 20x ./emulator/
//
// The goal (issue "OData queries"): a filtered page of 100k entities in under 50 ms, and
// equality filters on the key answered without a scan (flat as the set grows).

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/tidwall/gjson"

	"github.com/graph-emulator/graph-emulator/emulator"
)

// benchUsers returns a server (queryDirectorySchema) holding n users with random names,
// job titles and hire dates, created through ServeHTTP, and their ids in creation order.
func benchUsers(b *testing.B, n int) (*emulator.Server, []string) {
	b.Helper()
	srv, err := emulator.New(emulator.WithSchema("v1.0", queryDirectorySchema(b)))
	if err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(42, 7))
	syllables := []string{"an", "be", "ca", "do", "el", "fi", "ga", "ho", "is", "ju", "ka", "lo", "mi", "no", "ol", "pe", "ra", "si", "tu", "vi", "wa", "ya", "ze"}
	word := func() string {
		w := syllables[rng.IntN(len(syllables))] + syllables[rng.IntN(len(syllables))] + syllables[rng.IntN(len(syllables))]
		return strings.ToUpper(w[:1]) + w[1:]
	}
	ids := make([]string, n)
	w := newBenchWriter()
	br := &bodyReader{}
	for i := range n {
		body := fmt.Sprintf(`{"id":"%08x-0000-4000-8000-000000000000","accountEnabled":%t,"displayName":"%s %s","jobTitle":"job %d","mail":"u%d@contoso.com","employeeHireDate":"20%02d-01-01T00:00:00Z"}`,
			i, i%3 != 0, word(), word(), rng.IntN(50), i, rng.IntN(25))
		r := httptest.NewRequest("POST", "/v1.0/users", nil)
		r.Header.Set("Content-Type", "application/json")
		br.Reset(body)
		r.Body, r.ContentLength = br, int64(len(body))
		w.status, w.body = 0, w.body[:0]
		srv.ServeHTTP(w, r)
		if w.status != http.StatusCreated {
			b.Fatalf("create: %d %s", w.status, w.body)
		}
		ids[i] = gjson.GetBytes(w.body, "id").String()
	}
	return srv, ids
}

// benchGet serves one GET through ServeHTTP and fails on a status other than 200.
func benchGet(b *testing.B, srv http.Handler, w *benchWriter, target string, header ...string) {
	r := httptest.NewRequest("GET", target, nil)
	for i := 0; i+1 < len(header); i += 2 {
		r.Header.Set(header[i], header[i+1])
	}
	w.status, w.body = 0, w.body[:0]
	clear(w.header)
	srv.ServeHTTP(w, r)
	if w.status != http.StatusOK {
		b.Fatalf("GET %s: %d %s", target, w.status, w.body)
	}
}

// BenchmarkQueryFilteredPage: one page of filtered (and ordered) users out of 100,000.
func BenchmarkQueryFilteredPage(b *testing.B) {
	srv, _ := benchUsers(b, 100_000)
	cases := []struct{ name, query string }{
		{"filter+orderby+top", "$filter=startswith(displayName,'Ca')&$orderby=displayName&$top=100"},
		{"filter+orderby+top+count", "$filter=startswith(displayName,'Ca')&$orderby=displayName%20desc,employeeHireDate&$top=100&$count=true"},
		{"filter+orderby+top+select", "$filter=accountEnabled%20eq%20true%20and%20employeeHireDate%20ge%202010-01-01&$orderby=jobTitle,displayName&$top=100&$select=id,displayName"},
		{"orderby+top", "$orderby=displayName&$top=100"},
		{"filter+top", "$filter=startswith(displayName,'Ca')&$top=100"},
		{"filter+count(no match)", "$filter=displayName%20eq%20'nobody'&$count=true"},
		{"search+top", "$search=%22displayName:cado%22&$top=100"},
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			w := newBenchWriter()
			for b.Loop() {
				benchGet(b, srv, w, "/v1.0/users?"+tc.query, "ConsistencyLevel", "eventual")
			}
		})
	}
}

// BenchmarkQueryPageToEnd: paging a 100,000-entity set to the end by nextLinks (one op
// is the whole walk), unordered and ordered.
func BenchmarkQueryPageToEnd(b *testing.B) {
	srv, _ := benchUsers(b, 100_000)
	for _, tc := range []struct{ name, query string }{
		{"top=999", "$top=999"},
		{"default page", ""},
		{"filtered top=999", "$filter=accountEnabled%20eq%20true&$top=999"},
		{"orderby top=999", "$orderby=displayName&$top=999"},
	} {
		b.Run(tc.name, func(b *testing.B) {
			w := newBenchWriter()
			pages, items := 0, 0
			for b.Loop() {
				pages, items = 0, 0
				for next := "/v1.0/users?" + tc.query; next != ""; pages++ {
					benchGet(b, srv, w, next)
					items += int(gjson.GetBytes(w.body, "value.#").Int())
					next = gjson.GetBytes(w.body, `@odata\.nextLink`).String()
					next = strings.TrimPrefix(next, "http://example.com")
				}
			}
			if want := 100_000; !strings.Contains(tc.query, "filter") && items != want {
				b.Fatalf("paged %d items, want %d", items, want)
			}
			b.ReportMetric(float64(pages), "pages")
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(pages), "ns/page")
		})
	}
}

// BenchmarkQueryKeyEquality: $filter=id eq '...' by key lookup, flat in the set's size,
// beside the same filter behind an "or", which scans.
func BenchmarkQueryKeyEquality(b *testing.B) {
	for _, n := range []int{1_000, 10_000, 100_000} {
		srv, ids := benchUsers(b, n)
		id := ids[n/2]
		for _, tc := range []struct{ name, filter string }{
			{"lookup", "id%20eq%20'" + id + "'"},
			{"scan", "id%20eq%20'" + id + "'%20or%20id%20eq%20null"},
		} {
			b.Run(fmt.Sprintf("%s/n=%d", tc.name, n), func(b *testing.B) {
				w := newBenchWriter()
				for b.Loop() {
					benchGet(b, srv, w, "/v1.0/users?$filter="+tc.filter)
				}
				if got := gjson.GetBytes(w.body, "value.0.id").String(); got != id {
					b.Fatalf("found %q, want %q", got, id)
				}
			})
		}
	}
}
