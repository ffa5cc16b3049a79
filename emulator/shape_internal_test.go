package emulator

import (
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/graph-emulator/graph-emulator/emulator/store"
	"github.com/tidwall/gjson"
)

// TestShapesWriteAsProjected: a server whose store keeps shapes (its own) answers
// exactly as one whose store keeps none (given by WithStore), entity by entity and
// page by page, in both versions; and the shaped store does mark entities, so that the
// answers compared come from both ways of writing an entity.
func TestShapesWriteAsProjected(t *testing.T) {
	t.Parallel()
	newServer := func(opts ...Option) *Server {
		var ids atomic.Int64
		clock := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
		opts = append(opts, WithSampleData(), WithClock(func() time.Time { return clock }),
			WithIDGenerator(func() string { return "00000000-0000-0000-0000-" + strconv.FormatInt(1e11+ids.Add(1), 10) }))
		s, err := New(opts...)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}
	shaped, plain := newServer(), newServer(WithStore(store.NewMemory(0)))
	requestIDs := regexp.MustCompile(`"(client-)?request-id":"[^"]*"`) // an error's
	do := func(s *Server, method, path, body string) (int, string) {
		r := httptest.NewRequest(method, path, strings.NewReader(body))
		if body != "" {
			r.Header.Set("Content-Type", "application/json")
		}
		w := httptest.NewRecorder()
		s.ServeHTTP(w, r)
		return w.Code, w.Body.String()
	}
	both := func(method, path, body string) string {
		t.Helper()
		c1, b1 := do(shaped, method, path, body)
		c2, b2 := do(plain, method, path, body)
		b1, b2 = requestIDs.ReplaceAllString(b1, ""), requestIDs.ReplaceAllString(b2, "")
		if c1 != c2 || b1 != b2 {
			t.Fatalf("%s %s: shaped store answers %d %s\nunshaped store answers %d %s", method, path, c1, b1, c2, b2)
		}
		return b1
	}
	// Counts: every member set, and only some.
	full := `{"reportRefreshDate":"2026-01-01","exchangeActive":1,"exchangeInactive":2,"oneDriveActive":3,"oneDriveInactive":4,` +
		`"sharePointActive":5,"sharePointInactive":6,"skypeForBusinessActive":7,"skypeForBusinessInactive":8,"yammerActive":9,` +
		`"yammerInactive":10,"teamsActive":11,"teamsInactive":12,"office365Active":13,"office365Inactive":14,"reportPeriod":"7"}`
	fullID := gjson.Get(both("POST", "/v1.0/office365ServicesUserCounts", full), "id").Str
	partID := gjson.Get(both("POST", "/beta/office365ServicesUserCounts", `{"teamsActive":1}`), "id").Str
	both("PATCH", "/v1.0/office365ServicesUserCounts/"+partID, `{"yammerActive":2}`)
	both("PATCH", "/v1.0/office365ServicesUserCounts/"+fullID, `{"yammerActive":null}`)
	both("POST", "/v1.0/groups", `{"displayName":"G","mailEnabled":false,"mailNickname":"g","securityEnabled":true}`)

	var shapes, none int
	if err := shaped.store.Read(store.DefaultTenant, func(v store.View) error {
		for _, set := range []string{"office365ServicesUserCounts", "users", "groups", "applications"} {
			v.Scan(store.Set(set), 0, func(e store.Entity) bool {
				if e.Shape != 0 {
					shapes++
				} else {
					none++
				}
				return true
			})
		}
		e, err := v.Get(store.Set("office365ServicesUserCounts"), fullID)
		if err == nil && e.Shape&shaped.shapeBit(shaped.cfg.schemas["v1.0"]) == 0 {
			t.Errorf("a body with every property set: shape %d, without v1.0's bit", e.Shape)
		}
		if e, err = v.Get(store.Set("office365ServicesUserCounts"), partID); err == nil && e.Shape != 0 {
			t.Errorf("a body with some properties set: shape %d, want 0", e.Shape)
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if shapes == 0 || none == 0 {
		t.Fatalf("shaped store: %d entities marked, %d not; want some of each", shapes, none)
	}
	if err := plain.store.Read(store.DefaultTenant, func(v store.View) error {
		v.Scan(store.Set("users"), 0, func(e store.Entity) bool {
			if e.Shape != 0 {
				t.Errorf("a store given by WithStore was shaped: %s has %d", e.ID, e.Shape)
			}
			return true
		})
		return nil
	}); err != nil {
		t.Fatal(err)
	}

	for _, version := range []string{"v1.0", "beta"} {
		for _, set := range []string{"office365ServicesUserCounts", "users", "groups", "applications", "servicePrincipals", "me/messages", "me/events", "me/mailFolders"} {
			page := both("GET", "/"+version+"/"+set, "")
			items := gjson.Get(page, "value").Array()
			if len(items) == 0 {
				t.Fatalf("GET /%s/%s: no items in %s", version, set, page)
			}
			for _, it := range items {
				both("GET", "/"+version+"/"+set+"/"+it.Get("id").Str, "")
			}
			both("GET", "/"+version+"/"+set+"?$top=2", "")
		}
		both("GET", "/"+version+"/users?$expand=manager", "")
		both("GET", "/"+version+"/groups?$expand=members", "")
		both("GET", "/"+version+"/users?$select=id,displayName", "")
	}
}
