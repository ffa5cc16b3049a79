package emulator_test

import (
	"net/url"
	"testing"

	"github.com/graph-emulator/graph-emulator/emulator/emulatortest"
)

// TestAlternateKeys checks the alternate keys Graph's schema declares:
// applications(appId='…') and (uniqueName='…'), servicePrincipals(appId='…'),
// users(userPrincipalName='…'), and a user addressed by its userPrincipalName where an
// id is expected; then that alternate keys are unique.
func TestAlternateKeys(t *testing.T) {
	t.Parallel()
	srv := emulatortest.New(t)
	app := mustStatus(t, srv.Do("POST", "/v1.0/applications", `{"displayName":"Alt","uniqueName":"alt-app"}`), 201)
	appID, appObj := field(app, "appId"), field(app, "id")
	if !guidPattern.MatchString(appID) || appID == appObj {
		t.Fatalf("appId %q: want a new GUID set by the server", appID)
	}
	sp := field(mustStatus(t, srv.Do("POST", "/v1.0/servicePrincipals", `{"appId":"`+appID+`"}`), 201), "id")
	user := field(mustStatus(t, srv.Do("POST", "/v1.0/users", userJSON("Ada")), 201), "id")

	for _, tc := range []struct{ path, want string }{
		{"/v1.0/applications(appId='" + appID + "')", appObj},
		{"/v1.0/applications(appid='" + appID + "')", appObj},
		{"/v1.0/applications(uniqueName='alt-app')", appObj},
		{"/v1.0/applications(uniqueName='ALT-APP')", appObj},
		{"/beta/applications(appId='" + appID + "')", appObj},
		{"/v1.0/servicePrincipals(appId='" + appID + "')", sp},
		{"/v1.0/users(userPrincipalName='ada@contoso.test')", user},
		{"/v1.0/users/ada@contoso.test", user},
		{"/v1.0/users/ADA@contoso.test", user},
		{"/v1.0/users('ada@contoso.test')", user},
		{"/v1.0/users/" + url.PathEscape("ada@contoso.test") + "/memberOf", ""},
		{"/beta/users/ada@contoso.test", user},
	} {
		r := mustStatus(t, srv.Do("GET", tc.path, ""), 200)
		if tc.want != "" && field(r, "id") != tc.want {
			t.Errorf("GET %s: id %q, want %q", tc.path, field(r, "id"), tc.want)
		}
	}
	// The entity's own context and Location name it by id; an application's update
	// answers 204 unless the client prefers the representation.
	mustStatus(t, srv.Do("PATCH", "/v1.0/applications(appId='"+appID+"')", `{"displayName":"Renamed"}`), 204)
	patched := mustStatus(t, srv.Do("PATCH", "/v1.0/applications(appId='"+appID+"')", `{"displayName":"Renamed"}`, "Prefer", "return=representation"), 200)
	if field(patched, "displayName") != "Renamed" || field(patched, "id") != appObj {
		t.Errorf("PATCH by appId: %s", patched)
	}

	for _, tc := range []struct{ method, path, body string }{
		{"GET", "/v1.0/applications(appId='00000000-0000-0000-0000-000000000000')", ""},
		{"GET", "/v1.0/users/nobody@contoso.test", ""},
		{"PATCH", "/v1.0/applications(uniqueName='nope')", `{"displayName":"x"}`},
		{"DELETE", "/v1.0/servicePrincipals(appId='nope')", ""},
	} {
		checkGraphError(t, mustStatus(t, srv.Do(tc.method, tc.path, tc.body), 404))
	}
	// Not an alternate key, or not a key at all.
	checkGraphError(t, mustStatus(t, srv.Do("GET", "/v1.0/applications(displayName='Alt')", ""), 400))
	checkGraphError(t, mustStatus(t, srv.Do("GET", "/v1.0/groups(appId='"+appID+"')", ""), 400))

	// Alternate keys are unique within the set.
	e := checkGraphError(t, mustStatus(t, srv.Do("POST", "/v1.0/applications", `{"displayName":"B","uniqueName":"Alt-App"}`), 400))
	if len(e.Details) == 0 || e.Details[0]["target"] != "uniqueName" {
		t.Errorf("duplicate uniqueName: %+v", e)
	}
	checkGraphError(t, mustStatus(t, srv.Do("POST", "/v1.0/servicePrincipals", `{"appId":"`+appID+`"}`), 400))

	// Deleting by an alternate key deletes that entity.
	mustStatus(t, srv.Do("DELETE", "/v1.0/servicePrincipals(appId='"+appID+"')", ""), 204)
	mustStatus(t, srv.Do("GET", "/v1.0/servicePrincipals/"+sp, ""), 404)
}

// TestUpsert checks PATCH and PUT with Prefer: create-if-missing on an alternate key:
// a missing entity is created (201, with the key's value), an existing one updated;
// without the preference a missing entity is a 404.
func TestUpsert(t *testing.T) {
	t.Parallel()
	srv := emulatortest.New(t)
	path := "/v1.0/applications(uniqueName='provisioned')"
	checkGraphError(t, mustStatus(t, srv.Do("PATCH", path, `{"displayName":"P"}`), 404))

	created := mustStatus(t, srv.Do("PATCH", path, `{"displayName":"P"}`, "Prefer", "create-if-missing"), 201)
	id := field(created, "id")
	if field(created, "uniqueName") != "provisioned" || field(created, "displayName") != "P" || !guidPattern.MatchString(field(created, "appId")) || !guidPattern.MatchString(id) {
		t.Fatalf("upsert created %s", created.Body)
	}
	if loc := created.Header.Get("Location"); loc != srv.URL+"/v1.0/applications('"+id+"')" {
		t.Errorf("Location %q", loc)
	}
	// The same request again updates it.
	again := mustStatus(t, srv.Do("PATCH", path, `{"displayName":"P2"}`, "Prefer", "create-if-missing", "Prefer", "return=representation"), 200)
	if field(again, "id") != id || field(again, "displayName") != "P2" {
		t.Errorf("second upsert: %s", again.Body)
	}
	list := mustStatus(t, srv.Do("GET", "/v1.0/applications", ""), 200)
	if n := field(list, "value.#"); n != "1" {
		t.Errorf("%s applications after two upserts, want 1", n)
	}
	// PUT upserts too; If-None-Match: * creates only.
	mustStatus(t, srv.Do("PUT", "/v1.0/applications(uniqueName='by-put')", `{"displayName":"Q"}`, "Prefer", "create-if-missing"), 201)
	checkGraphError(t, mustStatus(t, srv.Do("PATCH", path, `{"displayName":"P3"}`, "Prefer", "create-if-missing", "If-None-Match", "*"), 412))
	mustStatus(t, srv.Do("PATCH", "/v1.0/applications(uniqueName='third')", `{"displayName":"T"}`, "Prefer", "create-if-missing", "If-None-Match", "*"), 201)
	checkGraphError(t, mustStatus(t, srv.Do("PATCH", "/v1.0/applications(uniqueName='fourth')", `{"displayName":"T"}`, "Prefer", "create-if-missing", "If-Match", "*"), 412))
	// A body that names another value of the key is refused, and creates nothing.
	checkGraphError(t, mustStatus(t, srv.Do("PATCH", "/v1.0/applications(uniqueName='fifth')", `{"uniqueName":"sixth"}`, "Prefer", "create-if-missing"), 400))
	// Upsert is offered on alternate keys only: by id a missing entity stays a 404.
	checkGraphError(t, mustStatus(t, srv.Do("PATCH", "/v1.0/applications/00000000-0000-0000-0000-000000000001", `{"displayName":"x"}`, "Prefer", "create-if-missing"), 404))
	if n := field(mustStatus(t, srv.Do("GET", "/v1.0/applications", ""), 200), "value.#"); n != "3" {
		t.Errorf("%s applications, want 3", n)
	}
}

// TestApplicationKeepsAppID checks that the server-set appId survives a PATCH that
// names another and a PUT that leaves it out.
func TestApplicationKeepsAppID(t *testing.T) {
	t.Parallel()
	srv := emulatortest.New(t)
	app := mustStatus(t, srv.Do("POST", "/v1.0/applications", `{"displayName":"A","notes":"n"}`), 201)
	id, appID := field(app, "id"), field(app, "appId")
	put := mustStatus(t, srv.Do("PUT", "/v1.0/applications/"+id, `{"displayName":"B"}`, "Prefer", "return=representation"), 200)
	if field(put, "appId") != appID || field(put, "notes") != "" || field(put, "displayName") != "B" {
		t.Errorf("after PUT: %s", put.Body)
	}
	patched := mustStatus(t, srv.Do("PATCH", "/v1.0/applications/"+id, `{"appId":"00000000-0000-0000-0000-000000000001"}`, "Prefer", "return=representation"), 200)
	if field(patched, "appId") != appID {
		t.Errorf("after PATCH of appId: %s", patched.Body)
	}
}
