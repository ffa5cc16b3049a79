package emulator_test

import (
	"net/http"
	"regexp"
	"strconv"
	"sync"
	"testing"

	"github.com/tidwall/gjson"

	"github.com/graph-emulator/graph-emulator/emulator/emulatortest"
)

var weakTag = regexp.MustCompile(`^W/"[0-9]+"$`)

// TestETagsOnResponses checks where tags appear: the ETag header and @odata.etag of one
// entity (equal, and new after each write), @odata.etag on each listed item, and none
// on directory objects, as Graph writes them.
func TestETagsOnResponses(t *testing.T) {
	t.Parallel()
	srv := emulatortest.New(t)
	created := mustStatus(t, srv.Do("POST", seedSetPath, `{"teamsActive":1}`), 201)
	id := field(created, "id")
	tag := created.Header.Get("ETag")
	if !weakTag.MatchString(tag) || field(created, `@odata\.etag`) != tag {
		t.Fatalf("create: ETag %q, @odata.etag %q", tag, field(created, `@odata\.etag`))
	}
	got := mustStatus(t, srv.Do("GET", seedSetPath+"/"+id, ""), 200)
	if got.Header.Get("ETag") != tag || field(got, `@odata\.etag`) != tag {
		t.Errorf("GET: ETag %q, @odata.etag %q, want %q", got.Header.Get("ETag"), field(got, `@odata\.etag`), tag)
	}
	patched := mustStatus(t, srv.Do("PATCH", seedSetPath+"/"+id, `{"teamsActive":2}`), 200)
	next := patched.Header.Get("ETag")
	if !weakTag.MatchString(next) || next == tag || field(patched, `@odata\.etag`) != next {
		t.Errorf("PATCH: ETag %q (was %q), @odata.etag %q", next, tag, field(patched, `@odata\.etag`))
	}
	minimal := mustStatus(t, srv.Do("PATCH", seedSetPath+"/"+id, `{"teamsActive":3}`, "Prefer", "return=minimal"), 204)
	if h := minimal.Header.Get("ETag"); !weakTag.MatchString(h) || h == next {
		t.Errorf("PATCH return=minimal: ETag %q, want a new tag", h)
	}
	selected := mustStatus(t, srv.Do("GET", seedSetPath+"/"+id+"?$select=teamsActive", ""), 200)
	if field(selected, `@odata\.etag`) != minimal.Header.Get("ETag") {
		t.Errorf("GET with $select: %s, want the tag %s", selected.Body, minimal.Header.Get("ETag"))
	}
	list := mustStatus(t, srv.Do("GET", seedSetPath, ""), 200)
	if v := gjson.GetBytes(list.Body, `value.0.@odata\.etag`).String(); v != minimal.Header.Get("ETag") {
		t.Errorf("listed item's @odata.etag %q, want %q", v, minimal.Header.Get("ETag"))
	}

	// Directory objects carry none.
	user := mustStatus(t, srv.Do("POST", "/v1.0/users", userJSON("Ada")), 201)
	if user.Header.Get("ETag") != "" || gjson.GetBytes(user.Body, `@odata\.etag`).Exists() {
		t.Errorf("a user carries a tag: %v %s", user.Header, user.Body)
	}
	users := mustStatus(t, srv.Do("GET", "/v1.0/users", ""), 200)
	if gjson.GetBytes(users.Body, `value.0.@odata\.etag`).Exists() {
		t.Errorf("a listed user carries a tag: %s", users.Body)
	}
}

// TestPreconditions checks If-Match and If-None-Match on GET, PATCH, PUT, DELETE and
// $ref: a failed precondition is Graph's 412 and changes nothing, a matching
// If-None-Match on GET is a 304 without a body.
func TestPreconditions(t *testing.T) {
	t.Parallel()
	srv := emulatortest.New(t)
	id := field(mustStatus(t, srv.Do("POST", seedSetPath, `{"teamsActive":1}`), 201), "id")
	entity := seedSetPath + "/" + id
	tag := srv.Do("GET", entity, "").Header.Get("ETag")
	const other = `W/"999999"`

	cases := []struct {
		name, method, body string
		headers            []string
		status             int
	}{
		{"GET If-Match other", "GET", "", []string{"If-Match", other}, 412},
		{"GET If-None-Match current", "GET", "", []string{"If-None-Match", tag}, 304},
		{"GET If-None-Match star", "GET", "", []string{"If-None-Match", "*"}, 304},
		{"GET If-None-Match other", "GET", "", []string{"If-None-Match", other}, 200},
		{"GET If-Match current, strong form", "GET", "", []string{"If-Match", tag[2:]}, 200},
		{"GET If-Match list", "GET", "", []string{"If-Match", other + ", " + tag}, 200},
		{"PATCH If-Match other", "PATCH", `{"teamsActive":7}`, []string{"If-Match", other}, 412},
		{"PATCH If-None-Match current", "PATCH", `{"teamsActive":7}`, []string{"If-None-Match", tag}, 412},
		{"PATCH If-None-Match star", "PATCH", `{"teamsActive":7}`, []string{"If-None-Match", "*"}, 412},
		{"PUT If-Match other", "PUT", `{"teamsActive":7}`, []string{"If-Match", other}, 412},
		{"DELETE If-Match other", "DELETE", "", []string{"If-Match", other}, 412},
		{"DELETE If-None-Match star", "DELETE", "", []string{"If-None-Match", "*"}, 412},
		{"malformed If-Match", "PATCH", `{"teamsActive":7}`, []string{"If-Match", "W/nope"}, 400},
		{"star among tags", "GET", "", []string{"If-Match", "*, " + tag}, 400},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp := srv.Do(tc.method, entity, tc.body, tc.headers...)
			if resp.Status != tc.status {
				t.Fatalf("status %d, want %d: %s", resp.Status, tc.status, resp.Body)
			}
			switch tc.status {
			case 304:
				if len(resp.Body) != 0 || resp.Header.Get("ETag") != tag {
					t.Errorf("304 with body %q, ETag %q", resp.Body, resp.Header.Get("ETag"))
				}
			case 412:
				if e := checkGraphError(t, resp); e.Code != "resourceModified" {
					t.Errorf("412 code %q", e.Code)
				}
			case 400:
				checkGraphError(t, resp)
			}
		})
	}
	// Nothing above changed the entity.
	after := mustStatus(t, srv.Do("GET", entity, ""), 200)
	if after.Header.Get("ETag") != tag || field(after, "teamsActive") != "1" {
		t.Fatalf("state changed by refused requests: %s", after)
	}

	// Matching preconditions let writes through.
	p := mustStatus(t, srv.Do("PATCH", entity, `{"teamsActive":2}`, "If-Match", tag), 200)
	mustStatus(t, srv.Do("PATCH", entity, `{"teamsActive":3}`, "If-Match", tag), 412) // stale now
	mustStatus(t, srv.Do("PUT", entity, `{"teamsActive":4}`, "If-Match", "*"), 200)
	mustStatus(t, srv.Do("DELETE", entity, "", "If-Match", p.Header.Get("ETag")), 412)
	mustStatus(t, srv.Do("DELETE", entity, "", "If-Match", srv.Do("GET", entity, "").Header.Get("ETag")), 204)
	mustStatus(t, srv.Do("GET", entity, "", "If-Match", "*"), 404)
}

// TestRefPreconditions checks that a $ref write honours preconditions against the
// entity whose navigation property it changes.
func TestRefPreconditions(t *testing.T) {
	t.Parallel()
	srv := emulatortest.New(t)
	g := field(mustStatus(t, srv.Do("POST", "/v1.0/groups", groupJSON("G")), 201), "id")
	u := field(mustStatus(t, srv.Do("POST", "/v1.0/users", userJSON("U")), 201), "id")
	ref := `{"@odata.id":"` + srv.URL + `/v1.0/directoryObjects/` + u + `"}`
	checkGraphError(t, mustStatus(t, srv.Do("POST", "/v1.0/groups/"+g+"/members/$ref", ref, "If-Match", `W/"999999"`), 412))
	if n := gjson.GetBytes(srv.Do("GET", "/v1.0/groups/"+g+"/members", "").Body, "value.#").Int(); n != 0 {
		t.Fatalf("a refused $ref linked %d members", n)
	}
	mustStatus(t, srv.Do("POST", "/v1.0/groups/"+g+"/members/$ref", ref, "If-Match", "*"), 204)
	mustStatus(t, srv.Do("DELETE", "/v1.0/groups/"+g+"/members/"+u+"/$ref", "", "If-None-Match", "*"), 412)
	mustStatus(t, srv.Do("DELETE", "/v1.0/groups/"+g+"/members/"+u+"/$ref", "", "If-Match", "*"), 204)
}

// TestIfMatchRace sends concurrent PATCHes with the same If-Match: exactly one wins,
// the others get 412.
func TestIfMatchRace(t *testing.T) {
	t.Parallel()
	srv := emulatortest.New(t)
	id := field(mustStatus(t, srv.Do("POST", seedSetPath, `{"teamsActive":0}`), 201), "id")
	tag := srv.Do("GET", seedSetPath+"/"+id, "").Header.Get("ETag")
	const n = 16
	statuses := make([]int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			resp, err := srv.Send("PATCH", seedSetPath+"/"+id, `{"teamsActive":`+strconv.Itoa(i+1)+`}`, "If-Match", tag)
			if err != nil {
				t.Error(err)
				return
			}
			statuses[i] = resp.Status
		})
	}
	wg.Wait()
	won := 0
	for _, st := range statuses {
		switch st {
		case http.StatusOK:
			won++
		case http.StatusPreconditionFailed:
		default:
			t.Errorf("status %d", st)
		}
	}
	if won != 1 {
		t.Errorf("%d PATCHes won, want exactly 1: %v", won, statuses)
	}
}
