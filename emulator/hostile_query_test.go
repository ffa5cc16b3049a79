package emulator_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/graph-emulator/graph-emulator/emulator"
)

// Hostile queries: a $filter past the node limit is refused at once; a read whose
// client goes away (or whose deadline passes) stops working.

func TestFilterNodeLimitOverHTTP(t *testing.T) {
	t.Parallel()
	srv := newGraph(t)
	mustStatus(t, srv.Do("POST", "/v1.0/users", requiredUser(`{"id":"u","displayName":"n7"}`)), http.StatusCreated)
	before := seq(t, srv.Emulator)
	terms := make([]string, 4000)
	for i := range terms {
		terms[i] = "displayName eq 'n" + strconv.Itoa(i) + "'"
	}
	for _, q := range []string{
		"$filter=" + url.QueryEscape(strings.Join(terms, " or ")),
		"$filter=" + url.QueryEscape("displayName eq 'x' or ("+strings.Join(terms[:300], " or ")+")"),
		"$search=" + url.QueryEscape(strings.Repeat(`"displayName:a" OR `, 200)+`"b"`),
		"$orderby=" + strings.Repeat("displayName,", 40) + "id",
	} {
		start := time.Now()
		r := srv.Do("GET", "/v1.0/users?"+q, "", "ConsistencyLevel", "eventual")
		if took := time.Since(start); took > slowdown*time.Second {
			t.Errorf("%.40s: refused in %v", q, took)
		}
		if r.Status != http.StatusBadRequest || field(r, "error.code") != "BadRequest" || len(r.Body) > 1000 {
			t.Errorf("%.40s: %d %.300s", q, r.Status, r.Body)
		}
	}
	// Within the limit, the filter answers.
	r := mustStatus(t, srv.Do("GET", "/v1.0/users?$filter="+url.QueryEscape(strings.Join(terms[:200], " or ")), ""), http.StatusOK)
	if field(r, "value.0.id") != "u" {
		t.Errorf("200 terms: %s", r.Body)
	}
	if after := seq(t, srv.Emulator); after != before {
		t.Errorf("queries changed the store: %d -> %d", before, after)
	}
}

// TestReadStopsWhenCancelled: a list that would take seconds of filtering answers soon
// after its context is cancelled, and a cancelled context gets Graph's 503 at once.
func TestReadStopsWhenCancelled(t *testing.T) {
	if testing.Short() {
		t.Skip("timing")
	}
	srv, err := emulator.New()
	if err != nil {
		t.Fatal(err)
	}
	phones := `"` + strings.TrimSuffix(strings.Repeat(`a","`, 2000), `","`) + `"`
	for i := range 100 {
		w := serve(srv, newJSONRequest("POST", "/v1.0/users", requiredUser(`{"id":"u`+strconv.Itoa(i)+`","businessPhones":[`+phones+`]}`)))
		if w.Code != http.StatusCreated {
			t.Fatalf("%d %.300s", w.Code, w.Body)
		}
	}
	cond := make([]string, 200)
	for i := range cond {
		cond[i] = "p eq 'x" + strconv.Itoa(i) + "'"
	}
	list := "/v1.0/users?$filter=" + url.QueryEscape("businessPhones/any(p:"+strings.Join(cond, " or ")+")")

	// One entity's worth of work, to compare with.
	start := time.Now()
	if w := serve(srv, httpRequest("GET", list+url.QueryEscape(" and id eq 'u1'"))); w.Code != http.StatusOK {
		t.Fatalf("%d %.300s", w.Code, w.Body)
	}
	one := time.Since(start)

	ctx, cancel := context.WithTimeout(context.Background(), 5*one+50*time.Millisecond)
	defer cancel()
	start = time.Now()
	w := serve(srv, httpRequest("GET", list).WithContext(ctx))
	took := time.Since(start)
	if w.Code != http.StatusServiceUnavailable || !strings.Contains(w.Body.String(), `"serviceNotAvailable"`) {
		t.Errorf("cancelled list: %d %.300s", w.Code, w.Body)
	}
	// The whole list costs 100 entities' work; cancelled after about 5, it stops within
	// a few entities of it.
	if took > 15*one+500*time.Millisecond {
		t.Errorf("cancelled after %v, answered after %v (one entity: %v)", 5*one+50*time.Millisecond, took, one)
	}
	gone, stop := context.WithCancel(context.Background())
	stop()
	if w := serve(srv, httpRequest("GET", "/v1.0/users").WithContext(gone)); w.Code != http.StatusServiceUnavailable {
		t.Errorf("a request whose client is gone: %d", w.Code)
	}
}

func httpRequest(method, path string) *http.Request {
	return newJSONRequest(method, path, "")
}
