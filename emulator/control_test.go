package emulator_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/tidwall/gjson"

	"github.com/graph-emulator/graph-emulator/emulator"
	"github.com/graph-emulator/graph-emulator/emulator/control"
	"github.com/graph-emulator/graph-emulator/emulator/emulatortest"
)

// The control API over HTTP: health, reset, data export and import (the fixture format),
// tenants, the start-up state (seeds, sample data, the signed-in user). The journal's
// tests are in journal_test.go.

const tenantHeader = "X-Emulator-Tenant"

// wantError checks a Graph-shaped error (checkGraphError) with status and a message
// holding each of want.
func wantError(t *testing.T, resp *emulatortest.Response, status int, want ...string) {
	t.Helper()
	if resp.Status != status {
		t.Errorf("status %d, want %d: %s", resp.Status, status, resp.Body)
		return
	}
	ge := checkGraphError(t, resp)
	for _, w := range want {
		if !strings.Contains(ge.Message, w) {
			t.Errorf("message %q does not contain %q", ge.Message, w)
		}
	}
}

// export returns a tenant's state ("" for the default tenant).
func export(t *testing.T, srv *emulatortest.Server, tenant string) string {
	t.Helper()
	var h []string
	if tenant != "" {
		h = []string{tenantHeader, tenant}
	}
	return string(mustStatus(t, srv.Do("GET", "/_emulator/data", "", h...), 200).Body)
}

func TestControlHealth(t *testing.T) {
	t.Parallel()
	srv := emulatortest.New(t)
	resp := mustStatus(t, srv.Do("GET", "/_emulator/health", ""), 200)
	var h control.Health
	if err := json.Unmarshal(resp.Body, &h); err != nil {
		t.Fatal(err)
	}
	if h.Status != "ok" || !slices.Equal(h.Versions, []string{"v1.0", "beta"}) || h.Uptime == "" ||
		h.Started.IsZero() || h.Journal.Size != control.DefaultJournalSize || len(h.Tenants) != 0 {
		t.Errorf("health = %+v", h)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type %q", ct)
	}
	if resp.Header.Get("request-id") == "" {
		t.Error("no request-id on a control answer")
	}
	mustStatus(t, srv.Do("POST", "/v1.0/users", userJSON("a"), tenantHeader, "tenant-b"), 201)
	gjsonEq(t, srv.Do("GET", "/_emulator/health/", "").Body, "tenants", `["tenant-b"]`)

	resp = srv.Do("POST", "/_emulator/health", "")
	wantError(t, resp, 405)
	if resp.Header.Get("Allow") != "GET" {
		t.Errorf("Allow %q", resp.Header.Get("Allow"))
	}
	wantError(t, srv.Do("GET", "/_emulator/health?verbose=1", ""), 400, "verbose")
	wantError(t, srv.Do("GET", "/_emulator/nothing", ""), 400)
}

func gjsonEq(t *testing.T, body []byte, path, want string) {
	t.Helper()
	if got := gjson.GetBytes(body, path+"|@ugly").Raw; got != want {
		t.Errorf("%s = %s, want %s in %s", path, got, want, body)
	}
}

// The control API is not Graph: never reachable through a version, nor from a batch.
func TestControlNotUnderVersions(t *testing.T) {
	t.Parallel()
	srv := emulatortest.New(t)
	for _, p := range []string{"/v1.0/_emulator/health", "/beta/_emulator/data", "/v1.0/_emulator"} {
		wantError(t, srv.Do("GET", p, ""), 400, "Resource not found for the segment")
	}
	items := sendBatch(t, srv, `{"requests":[{"id":"1","method":"GET","url":"/_emulator/health"},
		{"id":"2","method":"POST","url":"/_emulator/reset"}]}`)
	for _, id := range []string{"1", "2"} {
		if st := items[id].Get("status").Int(); st != 400 {
			t.Errorf("batch step %s to the control API: %d %s", id, st, items[id].Raw)
		}
	}
}

// A fixture with every form: sets, ids, nested contained collections, references by
// id (forward too), @odata.bind, @odata.type, paths, a kept singleton.
const fullFixture = `{
  "@version": "v1.0",
  "users": [
    {"id": "u1", "displayName": "Adele Vance", "userPrincipalName": "adele@contoso.test",
     "manager": "u2",
     "messages": [{"id": "m1", "subject": "Hello", "importance": "High"}],
     "mailFolders": [{"id": "f1", "displayName": "Projects",
                      "messages": [{"id": "m2", "subject": "In a folder"}]}]},
    {"id": "u2", "displayName": "Miriam Graham", "userPrincipalName": "miriam@contoso.test"},
    {"@odata.type": "#microsoft.graph.user", "id": "u3", "displayName": "Alex Wilber"}
  ],
  "groups": [
    {"id": "g1", "displayName": "Sales", "mailNickname": "sales", "mailEnabled": false, "securityEnabled": true,
     "members": ["u1", "u2"], "owners@odata.bind": ["https://graph.microsoft.com/v1.0/users/u2"]}
  ],
  "applications": [{"id": "a1", "displayName": "App"}],
  "users/u3/events": [{"id": "e1", "subject": "Sync"}],
  "groups('g1')/members": ["u3"],
  "users/u3/manager": "u1",
  "directory": {"id": "directory"}
}`

func TestControlImportExport(t *testing.T) {
	t.Parallel()
	srv := emulatortest.New(t)
	resp := mustStatus(t, srv.Do("PUT", "/_emulator/data", fullFixture), 200)
	gjsonEq(t, resp.Body, "tenant", `"default"`)
	gjsonEq(t, resp.Body, "entities", "10")
	gjsonEq(t, resp.Body, "references", "6")

	checks := []struct{ path, json, want string }{
		{"/v1.0/users/u1?$select=id,displayName", "displayName", `"Adele Vance"`},
		{"/v1.0/users/u1/manager", "id", `"u2"`},
		{"/v1.0/users/u3/manager", "id", `"u1"`},
		{"/v1.0/users/u1/messages/m1", "importance", `"high"`}, // enums as POST reads them
		{"/v1.0/users/u1/mailFolders/f1/messages", "value.#.id", `["m2"]`},
		{"/v1.0/users/u3/events", "value.#.id", `["e1"]`},
		{"/v1.0/groups/g1/members", "value.#.id", `["u1","u2","u3"]`},
		{"/v1.0/groups/g1/owners", "value.#.id", `["u2"]`},
		{"/v1.0/applications/a1", "appId", ""}, // completed as a POST would be: checked below
	}
	for _, c := range checks {
		body := mustStatus(t, srv.Do("GET", c.path, ""), 200).Body
		if c.want == "" {
			if gjson.GetBytes(body, c.json).Str == "" {
				t.Errorf("%s: no %s: %s", c.path, c.json, body)
			}
			continue
		}
		gjsonEq(t, body, c.json, c.want)
	}

	// Export, import the export into another tenant: the same state, ids and
	// references kept; exporting that gives the same document.
	first := export(t, srv, "")
	for _, want := range []string{`"manager": "u2"`, `"members": [`, `"owners": [`, `"id": "m2"`, `"directory": {`, `"@version": "v1.0"`} {
		if !strings.Contains(first, want) {
			t.Errorf("export lacks %s:\n%s", want, first)
		}
	}
	mustStatus(t, srv.Do("PUT", "/_emulator/data", first, tenantHeader, "copy"), 200)
	if second := export(t, srv, "copy"); second != first {
		t.Errorf("export of the imported export differs:\n%s\nwant\n%s", second, first)
	}
	// PUT replaces: a smaller fixture leaves only itself.
	mustStatus(t, srv.Do("PUT", "/_emulator/data", `{"users":[{"id":"only"}]}`, tenantHeader, "copy"), 200)
	gjsonEq(t, srv.Do("GET", "/v1.0/users", "", tenantHeader, "copy").Body, "value.#.id", `["only"]`)
	wantError(t, srv.Do("GET", "/v1.0/groups/g1", "", tenantHeader, "copy"), 404)
	// POST adds.
	mustStatus(t, srv.Do("POST", "/_emulator/data", `{"users":[{"id":"more","manager":"only"}]}`, tenantHeader, "copy"), 200)
	gjsonEq(t, srv.Do("GET", "/v1.0/users", "", tenantHeader, "copy").Body, "value.#.id", `["only","more"]`)
	wantError(t, srv.Do("POST", "/_emulator/data", `{"users":[{"id":"more"}]}`, tenantHeader, "copy"), 400, "more")
}

// An export keeps the entities of derived types with @odata.type, and references an id
// alone would not find again (the same id in two sets) by URL.
func TestControlExportAmbiguousAndDerived(t *testing.T) {
	t.Parallel()
	srv := emulatortest.New(t)
	mustStatus(t, srv.Do("PUT", "/_emulator/data", `{
		"users": [{"id": "x", "displayName": "user x"}],
		"groups": [{"id": "x", "displayName": "group x"},
		           {"id": "g", "displayName": "g", "members@odata.bind": ["users/x"], "owners": ["x"]}],
		"directoryObjects": [{"@odata.type": "#microsoft.graph.device", "id": "d1"}]}`), 200)
	// An id alone finds the group x (groups come before users in the schema).
	gjsonEq(t, srv.Do("GET", "/v1.0/groups/g/owners?$select=id", "").Body, "value.#.@odata\\.type", `["#microsoft.graph.group"]`)
	gjsonEq(t, srv.Do("GET", "/v1.0/groups/g/members?$select=id", "").Body, "value.#.@odata\\.type", `["#microsoft.graph.user"]`)
	out := export(t, srv, "")
	if !strings.Contains(out, `"@odata.type": "#microsoft.graph.device"`) || !strings.Contains(out, `"members@odata.bind"`) {
		t.Errorf("export:\n%s", out)
	}
	mustStatus(t, srv.Do("PUT", "/_emulator/data", out, tenantHeader, "t2"), 200)
	gjsonEq(t, srv.Do("GET", "/v1.0/groups/g/members?$select=id", "", tenantHeader, "t2").Body, "value.#.@odata\\.type", `["#microsoft.graph.user"]`)
	if again := export(t, srv, "t2"); again != out {
		t.Errorf("re-export differs:\n%s\nwant\n%s", again, out)
	}
}

// Bad fixtures: a 400 naming the problem, and nothing changed.
func TestControlImportBadFixtures(t *testing.T) {
	t.Parallel()
	srv := emulatortest.New(t, emulator.WithMaxBodyBytes(64<<10))
	mustStatus(t, srv.Do("PUT", "/_emulator/data", fullFixture), 200)
	before := export(t, srv, "")
	tests := []struct {
		name, body string
		want       []string
	}{
		{"not JSON", `{"users":[`, []string{"not valid JSON"}},
		{"empty", ``, []string{"empty"}},
		{"an array", `[{"id":"x"}]`, []string{"array", "object of entity sets"}},
		{"unknown set", `{"nope":[]}`, []string{"'nope'", "neither an entity set"}},
		{"set not an array", `{"users":{"id":"x"}}`, []string{"'users' must be an array"}},
		{"entity not an object", `{"users":["x"]}`, []string{"users[0]", "must be a JSON object"}},
		{"unknown property", `{"users":[{"id":"n1","mailFolders":[{"id":"f","nope":1}]}]}`, []string{"users('n1')/mailFolders('f')", "'nope'", "microsoft.graph.mailFolder"}},
		{"wrong kind", `{"users":[{"id":"n1","displayName":5}]}`, []string{"users('n1')", "displayName"}},
		{"bad enum in a contained entity", `{"users":[{"id":"n1","messages":[{"id":"m","importance":"urgent"}]}]}`,
			[]string{"users('n1')/messages('m')", "importance"}},
		{"bad key", `{"users":[{"id":5}]}`, []string{"users[0]", "non-empty string"}},
		{"duplicate id", `{"users":[{"id":"n1"},{"id":"n1"}]}`, []string{"users('n1')", "n1"}},
		{"dangling reference", `{"users":[{"id":"n1","manager":"ghost"}]}`, []string{"users('n1')/manager", "'ghost'"}},
		{"dangling member", `{"users":[{"id":"n2"}],"groups":[{"id":"n1","members":["n2","ghost"]}]}`, []string{"groups('n1')/members", "'ghost'"}},
		{"member not a directory object", `{"users":[{"id":"n2","messages":[{"id":"m1"}]}],"groups":[{"id":"n1","members":["m1"]}]}`, []string{"'m1'", "directoryObject"}},
		{"references not ids", `{"groups":[{"id":"n1","members":[{"id":"u1"}]}]}`, []string{"groups('n1')/members", "array of ids"}},
		{"reference twice", `{"users":[{"id":"n2"}],"groups":[{"id":"n1","members":["n2","n2"]}]}`, []string{"twice"}},
		{"bad bind", `{"groups":[{"id":"n1","members@odata.bind":["users/ghost"]}]}`, []string{"groups('n1')", "ghost"}},
		{"bind to a containment", `{"users":[{"id":"n1","messages@odata.bind":["users/u1"]}]}`, []string{"containment"}},
		{"type not derived", `{"users":[{"@odata.type":"#microsoft.graph.group","id":"n1"}]}`, []string{"users('n1')", "microsoft.graph.group"}},
		{"unique property", `{"applications":[{"id":"n1","appId":"x"},{"id":"n2","appId":"X"}]}`, []string{"applications('n2')", "appId"}},
		{"bad version", `{"@version":"v2.0","users":[]}`, []string{"v2.0", "v1.0, beta"}},
		{"path to nowhere", `{"users/ghost/messages":[{"id":"m"}]}`, []string{"users/ghost/messages", "ghost"}},
		{"path to no collection", `{"users/u1/displayName":[]}`, []string{"users/u1/displayName"}},
		{"singleton of a set", `{"me":{"id":"u1"}}`, []string{"'me'", "users"}},
		{"singleton with another key", `{"directory":{"id":"other"}}`, []string{"directory", "'other'"}},
		{"computed relationship", `{"users":[{"id":"n1","memberOf":["g1"]}]}`, []string{"users('n1')/memberOf", "read-only"}},
		{"computed relationship by path", `{"users":[{"id":"n1"}],"users/n1/memberOf":["g1"]}`, []string{"users/n1/memberOf", "read-only"}},
		{"computed relationship bound", `{"users":[{"id":"n1","memberOf@odata.bind":["groups/g1"]}]}`, []string{"users('n1')", "read-only"}},
		{"deleted items", `{"directory":{"id":"directory","deletedItems":["u1"]}}`, []string{"deletedItems", "read-only"}},
		{"late error", `{"users":[{"id":"n1"},{"id":"n2"},{"id":"n3","manager":"ghost"}]}`, []string{"users('n3')/manager"}},
		{"existing id (PUT replaces, so only with POST)", ``, nil},
		{"oversized", `{"users":[{"id":"big","displayName":"` + strings.Repeat("x", 70<<10) + `"}]}`, []string{"Maximum request length exceeded."}},
	}
	for _, tt := range tests {
		if tt.want == nil {
			continue
		}
		t.Run(tt.name, func(t *testing.T) {
			resp := srv.Do("PUT", "/_emulator/data", tt.body)
			wantError(t, resp, 400, tt.want...)
			if after := export(t, srv, ""); after != before {
				t.Errorf("state changed by a bad fixture:\n%s", after)
			}
		})
	}
	wantError(t, srv.Do("POST", "/_emulator/data", `{"users":[{"id":"new"},{"id":"u1"}]}`), 400, "u1")
	wantError(t, srv.Do("PUT", "/_emulator/data", `{}`, tenantHeader, "bad tenant"), 400, "bad tenant")
	wantError(t, srv.Do("PUT", "/_emulator/data?tenant=a/b", `{}`), 400, "a/b")
	wantError(t, srv.Do("GET", "/_emulator/data?version=v9", ""), 400, "v9")
	wantError(t, srv.Do("PUT", "/_emulator/data?dry=1", `{}`), 400, "dry")
	wantError(t, srv.Do("DELETE", "/_emulator/data", ""), 405)
	if after := export(t, srv, ""); after != before {
		t.Errorf("state changed:\n%s", after)
	}
}

func TestControlReset(t *testing.T) {
	t.Parallel()
	srv := emulatortest.New(t)
	for _, tenant := range []string{"default", "a", "b"} {
		mustStatus(t, srv.Do("POST", "/v1.0/users", userJSON("x"), tenantHeader, tenant), 201)
	}
	count := func(tenant string) int64 {
		return gjson.GetBytes(srv.Do("GET", "/v1.0/users", "", tenantHeader, tenant).Body, "value.#").Int()
	}
	wantError(t, srv.Do("POST", "/_emulator/reset?tenant=", ""), 400)
	wantError(t, srv.Do("POST", "/_emulator/reset", "", tenantHeader, "-x"), 400, "-x")
	wantError(t, srv.Do("GET", "/_emulator/reset", ""), 405)
	mustStatus(t, srv.Do("POST", "/_emulator/reset?tenant=a", ""), 204)
	if count("a") != 0 || count("b") != 1 || count("default") != 1 {
		t.Errorf("reset of a: a %d b %d default %d", count("a"), count("b"), count("default"))
	}
	mustStatus(t, srv.Do("POST", "/_emulator/reset", "", tenantHeader, "B"), 204)
	if count("b") != 0 || count("default") != 1 {
		t.Errorf("reset of b by header: b %d default %d", count("b"), count("default"))
	}
	mustStatus(t, srv.Do("POST", "/v1.0/users", userJSON("x"), tenantHeader, "a"), 201)
	mustStatus(t, srv.Do("POST", "/_emulator/reset", ""), 204)
	if count("a") != 0 || count("default") != 0 {
		t.Errorf("reset of all: a %d default %d", count("a"), count("default"))
	}
}

// Tenants are chosen by header, checked, and isolated: data, export and reset.
func TestTenantsIsolated(t *testing.T) {
	t.Parallel()
	srv := emulatortest.New(t)
	wantError(t, srv.Do("GET", "/v1.0/users", "", tenantHeader, "no spaces"), 400, "no spaces")
	items := sendBatch(t, srv, `{"requests":[{"id":"1","method":"POST","url":"/users","headers":{"Content-Type":"application/json"},"body":{"id":"in-b","displayName":"x","accountEnabled":true,"mailNickname":"x","userPrincipalName":"x@contoso.test","passwordProfile":{"password":"x-Y-z-123!aB"}}}]}`,
		tenantHeader, "Tenant-B")
	if items["1"].Get("status").Int() != 201 {
		t.Fatalf("batch step: %s", items["1"].Raw)
	}
	mustStatus(t, srv.Do("GET", "/v1.0/users/in-b", "", tenantHeader, "tenant-b"), 200)
	wantError(t, srv.Do("GET", "/v1.0/users/in-b", ""), 404)
	wantError(t, srv.Do("GET", "/v1.0/users/in-b", "", tenantHeader, "tenant-c"), 404)
	if out := export(t, srv, ""); strings.Contains(out, "in-b") {
		t.Errorf("default export shows tenant-b's user:\n%s", out)
	}
	if out := export(t, srv, "TENANT-B"); !strings.Contains(out, "in-b") {
		t.Errorf("tenant-b export lacks its user:\n%s", out)
	}
}

// Parallel clients, each in a tenant of its own, see only their own data.
func TestTenantsParallel(t *testing.T) {
	t.Parallel()
	srv := emulatortest.New(t)
	const tenants, users = 8, 20
	var wg sync.WaitGroup
	for i := range tenants {
		tenant := fmt.Sprint("t", i)
		wg.Go(func() {
			for j := range users {
				resp, err := srv.Send("POST", "/v1.0/users", fmt.Sprintf(`{"id":"%s-%d","displayName":"%s","accountEnabled":true,"mailNickname":"%s-%d","userPrincipalName":"%s-%d@contoso.test","passwordProfile":{"password":"x-Y-z-123!aB"}}`, tenant, j, tenant, tenant, j, tenant, j), tenantHeader, tenant)
				if err != nil || resp.Status != 201 {
					t.Error(fmt.Errorf("%s create: %v %v", tenant, err, resp)) // t.Error is safe from any goroutine
					return
				}
				if j%5 == 4 {
					resp, err = srv.Send("POST", "/_emulator/data", fmt.Sprintf(`{"groups":[{"id":"%s-g%d","members":["%s-%d"]}]}`, tenant, j, tenant, j), tenantHeader, tenant)
					if err != nil || resp.Status != 200 {
						t.Error(fmt.Errorf("%s import: %v %v", tenant, err, resp))
						return
					}
				}
				resp, err = srv.Send("GET", "/v1.0/users?$top=999", "", tenantHeader, tenant)
				if err != nil || resp.Status != 200 {
					t.Error(fmt.Errorf("%s list: %v %v", tenant, err, resp))
					return
				}
				names := gjson.GetBytes(resp.Body, "value.#.displayName").Array()
				if len(names) != j+1 {
					t.Error(fmt.Errorf("%s sees %d users after %d creates", tenant, len(names), j+1))
				}
				for _, n := range names {
					if n.Str != tenant {
						t.Error(fmt.Errorf("%s sees a user of %s", tenant, n.Str))
					}
				}
			}
			if _, err := srv.Send("POST", "/_emulator/reset", "", tenantHeader, tenant); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	var h control.Health
	_ = json.Unmarshal(srv.Do("GET", "/_emulator/health", "").Body, &h)
	if len(h.Tenants) != 0 {
		t.Errorf("tenants after every reset: %v", h.Tenants)
	}
}

func TestSeedsAndSignedInUser(t *testing.T) {
	t.Parallel()
	seed := []byte(`{"users":[{"id":"s1","displayName":"Seeded","userPrincipalName":"seeded@contoso.test"}]}`)
	t.Run("seed and --me by UPN", func(t *testing.T) {
		t.Parallel()
		srv := emulatortest.New(t, emulator.WithSeed("a.json", seed), emulator.WithSignedInUser("Seeded@contoso.test"))
		gjsonEq(t, mustStatus(t, srv.Do("GET", "/v1.0/me", ""), 200).Body, "id", `"s1"`)
		// Reset brings the seed back.
		mustStatus(t, srv.Do("DELETE", "/v1.0/users/s1", ""), 204)
		mustStatus(t, srv.Do("POST", "/v1.0/users", userJSON("later")), 201)
		mustStatus(t, srv.Do("POST", "/_emulator/reset", ""), 204)
		gjsonEq(t, srv.Do("GET", "/v1.0/users", "").Body, "value.#.id", `["s1"]`)
	})
	t.Run("--me creates a user by UPN", func(t *testing.T) {
		t.Parallel()
		srv := emulatortest.New(t, emulator.WithSignedInUser("megan@contoso.test"))
		body := mustStatus(t, srv.Do("GET", "/v1.0/me?$select=id,userPrincipalName,displayName,mail,accountEnabled", ""), 200).Body
		gjsonEq(t, body, "userPrincipalName", `"megan@contoso.test"`)
		gjsonEq(t, body, "displayName", `"megan"`)
		id := gjson.GetBytes(body, "id").Str
		mustStatus(t, srv.Do("POST", "/_emulator/reset", ""), 204)
		gjsonEq(t, mustStatus(t, srv.Do("GET", "/v1.0/me", ""), 200).Body, "id", `"`+id+`"`)
	})
	t.Run("--me creates a user by id", func(t *testing.T) {
		t.Parallel()
		srv := emulatortest.New(t, emulator.WithSignedInUser("my-id"))
		body := mustStatus(t, srv.Do("GET", "/v1.0/me", ""), 200).Body
		gjsonEq(t, body, "id", `"my-id"`)
		gjsonEq(t, body, "userPrincipalName", `"me@contoso.test"`)
		gjsonEq(t, srv.Do("GET", "/v1.0/users", "").Body, "value.#", `1`)
	})
	t.Run("bad seed", func(t *testing.T) {
		t.Parallel()
		_, err := emulator.New(emulator.WithSeed("good.json", seed),
			emulator.WithSeed("bad.json", []byte(`{"users":[{"id":"b1","manager":"nobody"}]}`)))
		if err == nil || !strings.Contains(err.Error(), "seed bad.json") || !strings.Contains(err.Error(), "users('b1')/manager") {
			t.Errorf("New with a bad seed: %v", err)
		}
		_, err = emulator.New(emulator.WithSeed("x.json", []byte(`not json`)))
		if err == nil || !strings.Contains(err.Error(), "seed x.json") {
			t.Errorf("New with a seed that is not JSON: %v", err)
		}
	})
	t.Run("example fixture", func(t *testing.T) {
		t.Parallel()
		b, err := os.ReadFile(filepath.Join("..", "testdata", "fixtures", "contoso.json"))
		if err != nil {
			t.Fatal(err)
		}
		srv := emulatortest.New(t, emulator.WithSeed("contoso.json", b), emulator.WithSignedInUser("adele@contoso.test"))
		gjsonEq(t, mustStatus(t, srv.Do("GET", "/v1.0/me/manager?$select=displayName", ""), 200).Body, "displayName", `"Miriam Graham"`)
	})
}

func TestSampleData(t *testing.T) {
	t.Parallel()
	srv := emulatortest.New(t, emulator.WithSampleData())
	checks := []struct{ path, json, want string }{
		{"/v1.0/users?$count=true", "value.#", "5"},
		{"/v1.0/me?$select=displayName", "displayName", `"Adele Vance"`},
		{"/v1.0/me/manager?$select=displayName", "displayName", `"Miriam Graham"`},
		{"/v1.0/users/miriam@contoso.test/manager?$select=displayName", "displayName", `"Megan Bowen"`},
		{"/v1.0/me/messages?$select=subject", "value.#", "3"},
		{"/v1.0/me/events?$select=subject", "value.#", "2"},
		{"/v1.0/groups?$select=displayName", "value.#", "3"},
		{"/v1.0/groups/a1b2c3d4-0001-4e5f-8a9b-0c1d2e3f4a51/members?$select=id", "value.#", "3"},
		{"/v1.0/groups/a1b2c3d4-0001-4e5f-8a9b-0c1d2e3f4a51/owners?$select=displayName", "value.0.displayName", `"Miriam Graham"`},
		{"/v1.0/applications(appId='f1e2d3c4-b5a6-4978-8a9b-c0d1e2f3a4b5')?$select=displayName", "displayName", `"Contoso Expenses"`},
		{"/v1.0/servicePrincipals(appId='f1e2d3c4-b5a6-4978-8a9b-c0d1e2f3a4b5')?$select=displayName", "displayName", `"Contoso Expenses"`},
		{"/v1.0/organization?$select=displayName", "value.0.displayName", `"Contoso"`},
	}
	for _, c := range checks {
		gjsonEq(t, mustStatus(t, srv.Do("GET", c.path, ""), 200).Body, c.json, c.want)
	}
	// --me overrides the sample's signed-in user; the sample's data is still there.
	other := emulatortest.New(t, emulator.WithSampleData(), emulator.WithSignedInUser("alex@contoso.test"))
	gjsonEq(t, mustStatus(t, other.Do("GET", "/v1.0/me?$select=displayName", ""), 200).Body, "displayName", `"Alex Wilber"`)
	gjsonEq(t, other.Do("GET", "/v1.0/users", "").Body, "value.#", "5")
	// The sample is a fixture like any other: its export imports unchanged.
	out := export(t, srv, "")
	mustStatus(t, srv.Do("PUT", "/_emulator/data", out, tenantHeader, "copy"), 200)
	if again := export(t, srv, "copy"); again != out {
		t.Errorf("the sample's export does not round-trip")
	}
}

// Soft-deleted directory objects stay out of an export (the server writes deleted items
// alone), and the rest round-trips.
func TestControlExportAfterSoftDelete(t *testing.T) {
	t.Parallel()
	srv := emulatortest.New(t)
	mustStatus(t, srv.Do("PUT", "/_emulator/data", fullFixture), 200)
	mustStatus(t, srv.Do("DELETE", "/v1.0/users/u3", ""), 204)
	mustStatus(t, srv.Do("GET", "/v1.0/directory/deletedItems/microsoft.graph.user/u3", ""), 200)
	out := export(t, srv, "")
	if strings.Contains(out, `"u3"`) || strings.Contains(out, "deletedItems") {
		t.Errorf("export shows the deleted user:\n%s", out)
	}
	mustStatus(t, srv.Do("PUT", "/_emulator/data", out, tenantHeader, "copy"), 200)
	if again := export(t, srv, "copy"); again != out {
		t.Errorf("re-export differs:\n%s\nwant\n%s", again, out)
	}
	gjsonEq(t, srv.Do("GET", "/v1.0/users/u2/memberOf?$select=id", "", tenantHeader, "copy").Body, "value.#.id", `["g1"]`)
	// A PUT replaces the deleted items too.
	mustStatus(t, srv.Do("PUT", "/_emulator/data", out), 200)
	wantError(t, srv.Do("GET", "/v1.0/directory/deletedItems/microsoft.graph.user/u3", ""), 404)
}
