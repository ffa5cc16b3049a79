package emulator_test

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"testing"

	"github.com/tidwall/gjson"

	"github.com/graph-emulator/graph-emulator/emulator"
	"github.com/graph-emulator/graph-emulator/emulator/emulatortest"
	"github.com/graph-emulator/graph-emulator/emulator/store"
)

// Defects a review found in the store's one-entity atomicity, each over HTTP.

func storeLen(t *testing.T, srv *emulatortest.Server, c store.Coll) int {
	t.Helper()
	n := 0
	if err := srv.Emulator.Store().Read(store.DefaultTenant, func(v store.View) error { n = v.Len(c); return nil }); err != nil {
		t.Fatal(err)
	}
	return n
}

// B1: concurrent PUTs of a single-valued $ref leave exactly one reference, so one
// DELETE clears it.
func TestDefectSingleValuedRefUnderConcurrentPut(t *testing.T) {
	t.Parallel()
	srv := newDirectory(t)
	mustStatus(t, srv.Do("POST", "/v1.0/users", `{"id":"u"}`), http.StatusCreated)
	const bosses = 12
	for i := range bosses {
		mustStatus(t, srv.Do("POST", "/v1.0/users", fmt.Sprintf(`{"id":"b%d"}`, i)), http.StatusCreated)
	}
	for round := range 10 {
		var wg sync.WaitGroup
		for i := range bosses {
			wg.Add(1)
			go func() {
				defer wg.Done()
				srv.Do("PUT", "/v1.0/users/u/manager/$ref", fmt.Sprintf(`{"@odata.id":"%s/v1.0/users/b%d"}`, srv.URL, i))
			}()
		}
		wg.Wait()
		if n := storeLen(t, srv, store.Set("users").Refs("u", "manager")); n != 1 {
			t.Fatalf("round %d: %d manager references after concurrent PUTs, want 1", round, n)
		}
		mustStatus(t, srv.Do("DELETE", "/v1.0/users/u/manager/$ref", ""), http.StatusNoContent)
		mustStatus(t, srv.Do("GET", "/v1.0/users/u/manager", ""), http.StatusNotFound)
	}
}

// B2/B3: a delete racing inserts under the deleted entity leaves nothing behind: a user
// re-created with the same id has no messages, and every 201 is for a stored message.
func TestDefectDeleteRacingContainedInserts(t *testing.T) {
	t.Parallel()
	srv := newDirectory(t)
	for round := range 30 {
		id := fmt.Sprintf("r%d", round)
		mustStatus(t, srv.Do("POST", "/v1.0/users", `{"id":"`+id+`"}`), http.StatusCreated)
		var wg sync.WaitGroup
		for i := range 6 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if i == 3 {
					srv.Do("DELETE", "/v1.0/users/"+id, "")
					return
				}
				srv.Do("POST", "/v1.0/users/"+id+"/messages", `{"subject":"m"}`)
			}()
		}
		wg.Wait()
		srv.Do("DELETE", "/v1.0/users/"+id, "")
		mustStatus(t, srv.Do("POST", "/v1.0/users", `{"id":"`+id+`"}`), http.StatusCreated)
		if got := ids(mustStatus(t, srv.Do("GET", "/v1.0/users/"+id+"/messages", ""), http.StatusOK)); len(got) != 0 {
			t.Fatalf("round %d: the re-created user inherited messages %v", round, got)
		}
	}
	// A message created under a missing user is refused, not stored.
	mustStatus(t, srv.Do("POST", "/v1.0/users/nobody/messages", `{"subject":"m"}`), http.StatusNotFound)
	if n := storeLen(t, srv, store.Set("users").Contained("nobody", "messages")); n != 0 {
		t.Errorf("%d messages stored under a missing user", n)
	}
}

// B4: reading a singleton or a single-valued containment stores nothing.
func TestDefectReadsNeverWrite(t *testing.T) {
	t.Parallel()
	srv := newDirectory(t)
	mustStatus(t, srv.Do("POST", "/v1.0/users", `{"id":"u"}`), http.StatusCreated)
	org := mustStatus(t, srv.Do("GET", "/v1.0/org", ""), http.StatusOK)
	if field(org, "id") != "org" {
		t.Errorf("GET /org = %s", org.Body)
	}
	mustStatus(t, srv.Do("GET", "/v1.0/users/u/settings", ""), http.StatusOK)
	mustStatus(t, srv.Do("GET", "/v1.0/users/u?$expand=settings", ""), http.StatusOK)
	if n := storeLen(t, srv, store.Singleton("org")); n != 0 {
		t.Errorf("GET /org stored the singleton (%d entities)", n)
	}
	if n := storeLen(t, srv, store.Set("users").Contained("u", "settings")); n != 0 {
		t.Errorf("GET settings stored it (%d entities)", n)
	}
	// The first write stores them.
	mustStatus(t, srv.Do("PATCH", "/v1.0/org", `{"name":"Contoso"}`), http.StatusOK)
	if got := field(mustStatus(t, srv.Do("GET", "/v1.0/org", ""), http.StatusOK), "name"); got != "Contoso" {
		t.Errorf("org name %q after PATCH", got)
	}
	mustStatus(t, srv.Do("PATCH", "/v1.0/users/u/settings", `{"theme":"dark"}`), http.StatusOK)
	if got := field(srv.Do("GET", "/v1.0/users/u/settings", ""), "theme"); got != "dark" {
		t.Errorf("settings theme %q after PATCH", got)
	}
}

// B5: request ids do not consume entity keys: keys from WithIDGenerator are the same
// however many requests came before.
func TestDefectRequestIDsApartFromKeys(t *testing.T) {
	t.Parallel()
	srv := newDirectory(t, emulator.WithIDGenerator(sequentialGUIDs()))
	for range 5 {
		mustStatus(t, srv.Do("GET", "/v1.0/users", ""), http.StatusOK)
	}
	created := mustStatus(t, srv.Do("POST", "/v1.0/users", `{}`), http.StatusCreated)
	if got, want := field(created, "id"), "00000000-0000-4000-8000-000000000001"; got != want {
		t.Errorf("first key %q after 5 requests, want %q", got, want)
	}
	if rid := created.Header.Get("request-id"); rid == field(created, "id") || !guidPattern.MatchString(rid) {
		t.Errorf("request-id %q", rid)
	}
	reqs := newDirectory(t, emulator.WithRequestIDs(sequentialRequestIDs()))
	if got := reqs.Do("GET", "/v1.0/users", "").Header.Get("request-id"); got != "00000000-0000-4000-9000-000000000001" {
		t.Errorf("request-id %q from WithRequestIDs", got)
	}
}

// B6: @odata.bind links on POST and PATCH, collection and single-valued, absolute and
// relative; a missing target is Graph's 400 and nothing is stored.
func TestDefectODataBind(t *testing.T) {
	t.Parallel()
	srv := newDirectory(t)
	for _, id := range []string{"a", "b", "c"} {
		mustStatus(t, srv.Do("POST", "/v1.0/users", `{"id":"`+id+`"}`), http.StatusCreated)
	}
	g := mustStatus(t, srv.Do("POST", "/v1.0/groups", `{"id":"g","displayName":"G",
		"members@odata.bind":["`+srv.URL+`/v1.0/directoryObjects/a","https://graph.microsoft.com/v1.0/users/b"]}`), http.StatusCreated)
	if field(g, "displayName") != "G" || gjson.GetBytes(g.Body, `members@odata\.bind`).Exists() {
		t.Errorf("created group %s", g.Body)
	}
	if got := ids(srv.Do("GET", "/v1.0/groups/g/members", "")); fmt.Sprint(got) != "[a b]" {
		t.Errorf("members after POST with bind: %v", got)
	}
	mustStatus(t, srv.Do("PATCH", "/v1.0/groups/g", `{"members@odata.bind":["users/c"]}`), http.StatusOK)
	if got := ids(srv.Do("GET", "/v1.0/groups/g/members", "")); fmt.Sprint(got) != "[a b c]" {
		t.Errorf("members after PATCH with bind: %v", got)
	}
	mustStatus(t, srv.Do("PATCH", "/v1.0/users/a", `{"manager@odata.bind":"/v1.0/users/b"}`), http.StatusOK)
	mustStatus(t, srv.Do("PATCH", "/v1.0/users/a", `{"manager@odata.bind":"users/c"}`), http.StatusOK)
	if got := field(srv.Do("GET", "/v1.0/users/a/manager", ""), "id"); got != "c" {
		t.Errorf("manager %q after two binds, want c", got)
	}
	cases := []struct{ name, method, path, body string }{
		{"missing target on POST", "POST", "/v1.0/groups", `{"id":"g2","members@odata.bind":["users/a","users/nobody"]}`},
		{"missing target on PATCH", "PATCH", "/v1.0/groups/g", `{"displayName":"X","members@odata.bind":["users/nobody"]}`},
		{"already a member", "PATCH", "/v1.0/groups/g", `{"displayName":"X","members@odata.bind":["users/a"]}`},
		{"not a URL array", "POST", "/v1.0/groups", `{"id":"g3","members@odata.bind":"users/a"}`},
		{"unknown navigation", "POST", "/v1.0/groups", `{"id":"g4","owners@odata.bind":["users/a"]}`},
		{"containment", "PATCH", "/v1.0/users/a", `{"messages@odata.bind":["users/a"]}`},
	}
	for _, tc := range cases {
		r := srv.Do(tc.method, tc.path, tc.body)
		if r.Status != http.StatusBadRequest || field(r, "error.code") == "" || field(r, "error.message") == "" {
			t.Errorf("%s: %s", tc.name, r)
		}
	}
	mustStatus(t, srv.Do("GET", "/v1.0/groups/g2", ""), http.StatusNotFound)
	if got := field(srv.Do("GET", "/v1.0/groups/g", ""), "displayName"); got != "G" {
		t.Errorf("a refused PATCH changed displayName to %q", got)
	}
	if got := ids(srv.Do("GET", "/v1.0/groups/g/members", "")); fmt.Sprint(got) != "[a b c]" {
		t.Errorf("members after refused binds: %v", got)
	}
}

// B7: deleting an entity removes every reference to it; an entity re-created with its
// id is not a member.
func TestDefectNoDanglingReferences(t *testing.T) {
	t.Parallel()
	srv := newDirectory(t)
	mustStatus(t, srv.Do("POST", "/v1.0/users", `{"id":"m"}`), http.StatusCreated)
	mustStatus(t, srv.Do("POST", "/v1.0/users", `{"id":"u"}`), http.StatusCreated)
	mustStatus(t, srv.Do("POST", "/v1.0/groups", `{"id":"g"}`), http.StatusCreated)
	mustStatus(t, srv.Do("POST", "/v1.0/groups/g/members/$ref", `{"@odata.id":"`+srv.URL+`/v1.0/directoryObjects/m"}`), http.StatusNoContent)
	mustStatus(t, srv.Do("PUT", "/v1.0/users/u/manager/$ref", `{"@odata.id":"`+srv.URL+`/v1.0/users/m"}`), http.StatusNoContent)
	mustStatus(t, srv.Do("DELETE", "/v1.0/users/m", ""), http.StatusNoContent)
	mustStatus(t, srv.Do("POST", "/v1.0/users", `{"id":"m"}`), http.StatusCreated)
	if got := ids(srv.Do("GET", "/v1.0/groups/g/members", "")); len(got) != 0 {
		t.Errorf("members %v after the member was deleted and re-created", got)
	}
	mustStatus(t, srv.Do("GET", "/v1.0/users/u/manager", ""), http.StatusNotFound)
}

// B8: keys holding separators never mix two entities' collections: deleting user "a"
// leaves the messages of user "a/b". Keys with control characters (the old name
// separator \x1f among them) are refused, in a body and in a path, and change nothing.
func TestDefectKeysWithSeparators(t *testing.T) {
	t.Parallel()
	srv := newDirectory(t)
	for _, id := range []string{"a", "a/b", "a%2Fb", "a:b|c"} {
		mustStatus(t, srv.Do("POST", "/v1.0/users", `{"id":"`+jsonEscape(id)+`"}`), http.StatusCreated)
		mustStatus(t, srv.Do("POST", "/v1.0/users/"+url.PathEscape(id)+"/messages", `{"subject":"`+jsonEscape(id)+`"}`), http.StatusCreated)
	}
	before := srv.Do("GET", "/v1.0/users", "").Body
	for _, id := range []string{"a\x1fz", "\x00", "a\x7f", "a\nb"} {
		mustStatus(t, srv.Do("POST", "/v1.0/users", `{"id":"`+jsonEscape(id)+`"}`), http.StatusBadRequest)
		for _, path := range []string{"/v1.0/users/" + url.PathEscape(id), "/v1.0/users('" + url.PathEscape(id) + "')"} {
			mustStatus(t, srv.Do("GET", path, ""), http.StatusBadRequest)
			mustStatus(t, srv.Do("POST", path+"/messages", `{"subject":"x"}`), http.StatusBadRequest)
			mustStatus(t, srv.Do("PATCH", path, `{"displayName":"x"}`), http.StatusBadRequest)
		}
	}
	if after := srv.Do("GET", "/v1.0/users", "").Body; !bytes.Equal(before, after) {
		t.Errorf("refused keys changed the users:\n%s\n%s", before, after)
	}
	mustStatus(t, srv.Do("DELETE", "/v1.0/users/a", ""), http.StatusNoContent)
	for _, id := range []string{"a/b", "a%2Fb", "a:b|c"} {
		r := mustStatus(t, srv.Do("GET", "/v1.0/users/"+url.PathEscape(id)+"/messages", ""), http.StatusOK)
		if got := gjson.GetBytes(r.Body, "value.#.subject").Array(); len(got) != 1 || got[0].Str != id {
			t.Errorf("messages of %q: %s", id, r.Body)
		}
	}
}

func jsonEscape(s string) string {
	b := gjson.AppendJSONString(nil, s)
	return string(b[1 : len(b)-1])
}

// B9: an operation bound to a missing entity is a 404; on an existing one it is the
// registry's answer (501 for one the emulator does not implement).
func TestDefectOperationOnMissingEntity(t *testing.T) {
	t.Parallel()
	srv := newDirectory(t)
	r := mustStatus(t, srv.Do("POST", "/v1.0/users/nobody/checkMemberGroups", `{}`), http.StatusNotFound)
	if field(r, "error.code") == "" {
		t.Errorf("no Graph error: %s", r.Body)
	}
	mustStatus(t, srv.Do("POST", "/v1.0/users", `{"id":"u"}`), http.StatusCreated)
	mustStatus(t, srv.Do("POST", "/v1.0/users/u/checkMemberGroups", `{}`), http.StatusNotImplemented)
}
