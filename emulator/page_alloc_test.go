package emulator_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/graph-emulator/graph-emulator/emulator"
)

// TestPageItemsAllocateNothing: writing a page allocates per request, not per item:
// a page of 100 entities allocates about as a page of 10 does (an allocation per item
// would make 90 more; a few more are let pass, as the race detector's pools drop some of
// what they are given), whether the entities are written as stored (bodies that are their own default
// projection), with their unset properties as null, or tagged with @odata.etag.
func TestPageItemsAllocateNothing(t *testing.T) {
	s, err := emulator.New()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	post := func(path, body string) {
		t.Helper()
		w := newBenchWriter()
		r, _ := http.NewRequest("POST", path, strings.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		s.ServeHTTP(w, r)
		if w.status != http.StatusCreated {
			t.Fatalf("POST %s: %d %s", path, w.status, w.body)
		}
	}
	for i := range 100 {
		post("/v1.0/"+seedSet, seedCreateBody)                                           // every property set
		post("/beta/"+seedSet, `{"teamsActive":`+strconv.Itoa(i)+`}`)                    // some
		post("/v1.0/users", requiredUser(`{"displayName":"U`+strconv.Itoa(i)+`"}`))      // some, no @odata.etag
		post("/v1.0/groups", `{"displayName":"G","mailEnabled":false,"mailNickname":"g`+ // server-set values
			strconv.Itoa(i)+`","securityEnabled":true}`)
	}
	allocs := func(path string) float64 {
		w := newBenchWriter()
		r, _ := http.NewRequest("GET", path, nil)
		return testing.AllocsPerRun(20, func() {
			w.status, w.body = 0, w.body[:0]
			clear(w.header)
			rr := *r
			s.ServeHTTP(w, &rr)
			if w.status != http.StatusOK {
				t.Fatalf("GET %s: %d %s", path, w.status, w.body)
			}
		})
	}
	for _, path := range []string{"/v1.0/" + seedSet, "/beta/" + seedSet, "/v1.0/users", "/v1.0/groups",
		"/v1.0/" + seedSet + "?$select=id,teamsActive",
		"/v1.0/" + seedSet + "?$select=id,teamsActive,yammerActive,exchangeActive,oneDriveActive,reportPeriod"} {
		sep := "?"
		if strings.Contains(path, "?") {
			sep = "&"
		}
		small, large := allocs(path+sep+"$top=10"), allocs(path+sep+"$top=100")
		t.Logf("%s: %v allocations for 10 items, %v for 100", path, small, large)
		if large > small+10 {
			t.Errorf("%s: %v allocations for 10 items, %v for 100: items allocate", path, small, large)
		}
	}
}
