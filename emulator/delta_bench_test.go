package emulator_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/tidwall/gjson"

	"github.com/graph-emulator/graph-emulator/emulator"
)

// deltaBenchChanges is how many changes the delta benchmark's token is behind.
const deltaBenchChanges = 10000

// serveInProcess sends one request through ServeHTTP and returns the recorder.
func serveInProcess(h http.Handler, method, target, body string) *httptest.ResponseRecorder {
	var r *http.Request
	if body != "" {
		r = httptest.NewRequest(method, target, strings.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
	} else {
		r = httptest.NewRequest(method, target, nil)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// deltaAfterChanges returns a server holding 1,000 users and a deltaLink taken before
// deltaBenchChanges changes to them: 2,000 users created, 8,000 updates.
func deltaAfterChanges(tb testing.TB) (http.Handler, string) {
	tb.Helper()
	s, err := emulator.New()
	if err != nil {
		tb.Fatal(err)
	}
	var users []string
	create := func(i int) {
		w := serveInProcess(s, "POST", "/v1.0/users", userBody(fmt.Sprintf("u%d", i)))
		if w.Code != 201 {
			tb.Fatalf("create: %d %s", w.Code, w.Body)
		}
		users = append(users, gjson.GetBytes(w.Body.Bytes(), "id").String())
	}
	for i := range 1000 {
		create(i)
	}
	w := serveInProcess(s, "GET", "/v1.0/users/delta?$deltatoken=latest", "")
	dl := gjson.GetBytes(w.Body.Bytes(), `@odata\.deltaLink`).String()
	for i := range deltaBenchChanges {
		if i%5 == 0 {
			create(1000 + i)
			continue
		}
		id := users[i%len(users)]
		w := serveInProcess(s, "PATCH", "/v1.0/users/"+id, fmt.Sprintf(`{"jobTitle":"t%d"}`, i))
		if w.Code != 200 && w.Code != 204 {
			tb.Fatalf("update: %d %s", w.Code, w.Body)
		}
	}
	return s, dl
}

// BenchmarkDeltaAfterChanges is the first page of a deltaLink 10,000 changes behind
// (the changes aggregated per user, one page of 100 written).
func BenchmarkDeltaAfterChanges(b *testing.B) {
	h, dl := deltaAfterChanges(b)
	w := serveInProcess(h, "GET", dl, "")
	if w.Code != 200 || gjson.GetBytes(w.Body.Bytes(), "value.#").Int() != 100 {
		b.Fatalf("delta page: %d %.300s", w.Code, w.Body)
	}
	r := httptest.NewRequest("GET", dl, nil)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != 200 {
			b.Fatalf("status %d", w.Code)
		}
	}
}

// TestDeltaAfterChanges checks, without -bench, that the default change feed holds the
// benchmark's 10,000 changes and that following the deltaLink lists every changed user
// once.
func TestDeltaAfterChanges(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("10,000 writes")
	}
	h, dl := deltaAfterChanges(t)
	seen := map[string]int{}
	for url, pages := dl, 0; url != ""; pages++ {
		w := serveInProcess(h, "GET", url, "")
		if w.Code != 200 || pages > 200 {
			t.Fatalf("page %d: %d %.300s", pages, w.Code, w.Body)
		}
		for _, id := range gjson.GetBytes(w.Body.Bytes(), "value.#.id").Array() {
			seen[id.String()]++
		}
		url = gjson.GetBytes(w.Body.Bytes(), `@odata\.nextLink`).String()
	}
	// 1,000 users updated, 2,000 created.
	if len(seen) != 3000 {
		t.Errorf("%d users changed, want 3000", len(seen))
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("%s listed %d times", id, n)
		}
	}
}
