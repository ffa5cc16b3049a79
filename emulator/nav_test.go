package emulator_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/tidwall/gjson"

	"github.com/graph-emulator/graph-emulator/emulator"
	"github.com/graph-emulator/graph-emulator/emulator/emulatortest"
	"github.com/graph-emulator/graph-emulator/entities"
)

// directorySchema is a small directory: users and groups are directoryObjects; users
// contain messages and a single settings entity; groups have members (non-contained);
// users have a manager; "me" is a singleton of the user type, "org" one of its own type.
func directorySchema(t testing.TB) *entities.Schema {
	t.Helper()
	s := entities.NewSchema("d")
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	str := func(n string) *entities.Property { return &entities.Property{Name: n, Type: "Edm.String"} }
	must(s.AddType(&entities.StructuredType{Name: "entity", Kind: entities.KindEntity, Abstract: true,
		Key: []string{"id"}, Properties: []*entities.Property{{Name: "id", Type: "Edm.String", NotNull: true}}}))
	must(s.AddType(&entities.StructuredType{Name: "directoryObject", Kind: entities.KindEntity, BaseType: "d.entity"}))
	must(s.AddType(&entities.StructuredType{Name: "user", Kind: entities.KindEntity, BaseType: "d.directoryObject",
		Properties: []*entities.Property{str("displayName"), {Name: "age", Type: "Edm.Int32"}},
		NavigationProperties: []*entities.NavigationProperty{
			{Name: "messages", Type: "Collection(d.message)", ContainsTarget: true},
			{Name: "settings", Type: "d.settings", ContainsTarget: true},
			{Name: "manager", Type: "d.directoryObject"},
		}}))
	must(s.AddType(&entities.StructuredType{Name: "group", Kind: entities.KindEntity, BaseType: "d.directoryObject",
		Properties:           []*entities.Property{str("displayName")},
		NavigationProperties: []*entities.NavigationProperty{{Name: "members", Type: "Collection(d.directoryObject)"}}}))
	must(s.AddType(&entities.StructuredType{Name: "message", Kind: entities.KindEntity, BaseType: "d.entity",
		Properties:           []*entities.Property{str("subject")},
		NavigationProperties: []*entities.NavigationProperty{{Name: "attachments", Type: "Collection(d.attachment)", ContainsTarget: true}}}))
	must(s.AddType(&entities.StructuredType{Name: "attachment", Kind: entities.KindEntity, BaseType: "d.entity",
		Properties: []*entities.Property{str("name")}}))
	must(s.AddType(&entities.StructuredType{Name: "settings", Kind: entities.KindEntity, BaseType: "d.entity",
		Properties: []*entities.Property{str("theme")}}))
	must(s.AddType(&entities.StructuredType{Name: "organization", Kind: entities.KindEntity, BaseType: "d.entity",
		Properties: []*entities.Property{str("name")}}))
	must(s.AddEntitySet("directoryObjects", "d.directoryObject"))
	must(s.AddEntitySet("users", "d.user"))
	must(s.AddEntitySet("groups", "d.group"))
	must(s.AddSingleton(&entities.Singleton{Name: "me", Type: "d.user"}))
	must(s.AddSingleton(&entities.Singleton{Name: "org", Type: "d.organization"}))
	must(s.AddOperation(&entities.Operation{Name: "checkMemberGroups", Kind: entities.Action, IsBound: true,
		Parameters: []entities.Parameter{{Name: "bindingParameter", Type: "d.directoryObject"},
			{Name: "groupIds", Type: "Collection(Edm.String)"}}}))
	must(s.Resolve())
	return s
}

func newDirectory(t *testing.T, opts ...emulator.Option) *emulatortest.Server {
	t.Helper()
	s := directorySchema(t)
	return emulatortest.New(t, append([]emulator.Option{emulator.WithSchema("v1.0", s)}, opts...)...)
}

func mustStatus(t *testing.T, r *emulatortest.Response, want int) *emulatortest.Response {
	t.Helper()
	if r.Status != want {
		t.Fatalf("status %d, want %d: %s", r.Status, want, r.Body)
	}
	return r
}

func field(r *emulatortest.Response, path string) string {
	return gjson.GetBytes(r.Body, path).String()
}

func TestContainment(t *testing.T) {
	t.Parallel()
	srv := newDirectory(t)
	u := field(mustStatus(t, srv.Do("POST", "/v1.0/users", `{"displayName":"Ada"}`), 201), "id")
	msgs := "/v1.0/users/" + u + "/messages"

	created := mustStatus(t, srv.Do("POST", msgs, `{"subject":"hi"}`), 201)
	m := field(created, "id")
	if got, want := field(created, `@odata\.context`), srv.URL+"/v1.0/$metadata#users('"+u+"')/messages/$entity"; got != want {
		t.Errorf("context %q, want %q", got, want)
	}
	if got, want := created.Header.Get("Location"), srv.URL+"/v1.0/users('"+u+"')/messages('"+m+"')"; got != want {
		t.Errorf("Location %q, want %q", got, want)
	}
	// Both key forms, and the Location itself, address the contained entity.
	mustStatus(t, srv.Do("GET", msgs+"/"+m, ""), 200)
	mustStatus(t, srv.Do("GET", "/v1.0/users('"+u+"')/messages('"+m+"')", ""), 200)
	mustStatus(t, srv.Do("GET", created.Header.Get("Location"), ""), 200)

	list := mustStatus(t, srv.Do("GET", msgs, ""), 200)
	if n := gjson.GetBytes(list.Body, "value.#").Int(); n != 1 {
		t.Fatalf("list has %d messages: %s", n, list.Body)
	}
	if got := field(list, `@odata\.context`); got != srv.URL+"/v1.0/$metadata#users('"+u+"')/messages" {
		t.Errorf("list context %q", got)
	}
	// Nested containment.
	mustStatus(t, srv.Do("POST", msgs+"/"+m+"/attachments", `{"name":"a.txt"}`), 201)
	if got := mustStatus(t, srv.Do("GET", msgs+"/"+m+"/attachments/$count", ""), 200); string(got.Body) != "1" ||
		!strings.HasPrefix(got.Header.Get("Content-Type"), "text/plain") {
		t.Errorf("$count = %q (%s)", got.Body, got.Header.Get("Content-Type"))
	}
	// A message belongs to its user only: another user does not see it.
	other := field(mustStatus(t, srv.Do("POST", "/v1.0/users", `{"displayName":"Bob"}`), 201), "id")
	mustStatus(t, srv.Do("GET", "/v1.0/users/"+other+"/messages/"+m, ""), 404)
	// Messages of a missing user: the user is what is not found.
	r := mustStatus(t, srv.Do("POST", "/v1.0/users/nobody/messages", `{"subject":"x"}`), 404)
	if !strings.Contains(field(r, "error.message"), "'nobody'") {
		t.Errorf("404 names %q", field(r, "error.message"))
	}
	// PATCH the contained entity.
	if got := field(mustStatus(t, srv.Do("PATCH", msgs+"/"+m, `{"subject":"re: hi"}`), 200), "subject"); got != "re: hi" {
		t.Errorf("patched subject %q", got)
	}
	// Deleting the user deletes what it contains; a new user with the same id starts empty.
	mustStatus(t, srv.Do("DELETE", "/v1.0/users/"+u, ""), 204)
	mustStatus(t, srv.Do("GET", msgs+"/"+m, ""), 404)
	mustStatus(t, srv.Do("POST", "/v1.0/users", `{"id":"`+u+`"}`), 201)
	if n := gjson.GetBytes(mustStatus(t, srv.Do("GET", msgs, ""), 200).Body, "value.#").Int(); n != 0 {
		t.Errorf("re-created user has %d messages", n)
	}
}

func TestSingleValuedContainment(t *testing.T) {
	t.Parallel()
	srv := newDirectory(t)
	u := field(mustStatus(t, srv.Do("POST", "/v1.0/users", `{}`), 201), "id")
	p := "/v1.0/users/" + u + "/settings"
	// It exists from the start, like a singleton, and keeps its updates.
	if first := mustStatus(t, srv.Do("GET", p, ""), 200); field(first, "id") != "settings" || field(first, "theme") != "" {
		t.Errorf("settings before any update: %s", first.Body)
	}
	mustStatus(t, srv.Do("PATCH", p, `{"theme":"dark"}`), 200)
	got := mustStatus(t, srv.Do("GET", p, ""), 200)
	if field(got, "theme") != "dark" || field(got, `@odata\.context`) != srv.URL+"/v1.0/$metadata#users('"+u+"')/settings/$entity" {
		t.Errorf("settings: %s", got.Body)
	}
	mustStatus(t, srv.Do("PATCH", p, `{"theme":"light"}`), 200)
	if field(mustStatus(t, srv.Do("GET", p, ""), 200), "theme") != "light" {
		t.Error("second PATCH did not update the one settings entity")
	}
}

func TestNavigationReferences(t *testing.T) {
	t.Parallel()
	srv := newDirectory(t)
	g := field(mustStatus(t, srv.Do("POST", "/v1.0/groups", `{"displayName":"G"}`), 201), "id")
	u := field(mustStatus(t, srv.Do("POST", "/v1.0/users", `{"displayName":"Ada"}`), 201), "id")
	members := "/v1.0/groups/" + g + "/members"

	// Graph's own absolute URL form and a relative one both name the user.
	mustStatus(t, srv.Do("POST", members+"/$ref", `{"@odata.id":"https://graph.microsoft.com/v1.0/directoryObjects/`+u+`"}`), 204)
	dup := mustStatus(t, srv.Do("POST", members+"/$ref", `{"@odata.id":"users/`+u+`"}`), 400)
	if !strings.Contains(field(dup, "error.message"), "'members'") {
		t.Errorf("duplicate reference: %s", dup.Body)
	}
	mustStatus(t, srv.Do("POST", members+"/$ref", `{"@odata.id":"https://graph.microsoft.com/v1.0/directoryObjects/missing"}`), 404)
	mustStatus(t, srv.Do("POST", members+"/$ref", `{"odata.id":"x"}`), 400)

	list := mustStatus(t, srv.Do("GET", members, ""), 200)
	if field(list, "value.0.id") != u || field(list, `value.0.@odata\.type`) != "#d.user" {
		t.Errorf("members must list the user with its @odata.type: %s", list.Body)
	}
	if field(list, `@odata\.context`) != srv.URL+"/v1.0/$metadata#directoryObjects" {
		t.Errorf("members context %q", field(list, `@odata\.context`))
	}
	refs := mustStatus(t, srv.Do("GET", members+"/$ref", ""), 200)
	if got, want := field(refs, `value.0.@odata\.id`), srv.URL+"/v1.0/users/"+u; got != want {
		t.Errorf("$ref lists %q, want %q", got, want)
	}
	// One member through the navigation property; it is described by its own set.
	one := mustStatus(t, srv.Do("GET", members+"/"+u, ""), 200)
	if field(one, `@odata\.context`) != srv.URL+"/v1.0/$metadata#users/$entity" {
		t.Errorf("member context %q", field(one, `@odata\.context`))
	}
	// The cast segment filters by type; directoryObjects sees users and groups.
	if n := gjson.GetBytes(mustStatus(t, srv.Do("GET", members+"/d.group", ""), 200).Body, "value.#").Int(); n != 0 {
		t.Errorf("members cast to group lists %d", n)
	}
	if n := gjson.GetBytes(mustStatus(t, srv.Do("GET", "/v1.0/directoryObjects", ""), 200).Body, "value.#").Int(); n != 2 {
		t.Errorf("directoryObjects lists %d, want the user and the group", n)
	}
	if n := gjson.GetBytes(mustStatus(t, srv.Do("GET", "/v1.0/directoryObjects/d.user", ""), 200).Body, "value.#").Int(); n != 1 {
		t.Errorf("directoryObjects/d.user lists %d", n)
	}
	mustStatus(t, srv.Do("GET", "/v1.0/directoryObjects/"+u, ""), 200)
	// A member is unlinked through $ref, not deleted.
	mustStatus(t, srv.Do("DELETE", members+"/"+u, ""), 405)
	mustStatus(t, srv.Do("DELETE", members+"/"+u+"/$ref", ""), 204)
	mustStatus(t, srv.Do("DELETE", members+"/"+u+"/$ref", ""), 404)
	mustStatus(t, srv.Do("GET", "/v1.0/users/"+u, ""), 200)

	// Single-valued: manager.
	boss := field(mustStatus(t, srv.Do("POST", "/v1.0/users", `{"displayName":"Boss"}`), 201), "id")
	mgr := "/v1.0/users/" + u + "/manager"
	mustStatus(t, srv.Do("GET", mgr, ""), 404)
	mustStatus(t, srv.Do("PUT", mgr+"/$ref", `{"@odata.id":"users/`+boss+`"}`), 204)
	if field(mustStatus(t, srv.Do("GET", mgr, ""), 200), "displayName") != "Boss" {
		t.Error("manager is not the boss")
	}
	if !strings.HasSuffix(field(mustStatus(t, srv.Do("GET", mgr+"/$ref", ""), 200), `@odata\.id`), "/users/"+boss) {
		t.Error("manager $ref does not name the boss")
	}
	mustStatus(t, srv.Do("PUT", mgr+"/$ref", `{"@odata.id":"groups/`+g+`"}`), 204)
	if field(mustStatus(t, srv.Do("GET", mgr, ""), 200), "id") != g {
		t.Error("PUT $ref did not replace the manager")
	}
	mustStatus(t, srv.Do("DELETE", mgr+"/$ref", ""), 204)
	mustStatus(t, srv.Do("GET", mgr, ""), 404)
	// $ref is refused on containment.
	mustStatus(t, srv.Do("GET", "/v1.0/users/"+u+"/messages/$ref", ""), 400)
}

func TestSingletons(t *testing.T) {
	t.Parallel()
	srv := newDirectory(t)
	r := mustStatus(t, srv.Do("GET", "/v1.0/me", ""), 400)
	if !strings.Contains(field(r, "error.message"), "/me request is only valid with delegated authentication flow") {
		t.Errorf("unmapped /me: %s", r.Body)
	}

	me := newDirectory(t, emulator.WithSingletonKey("me", "u1"))
	r = mustStatus(t, me.Do("GET", "/v1.0/me", ""), 404)
	if field(r, "error.code") != "Request_ResourceNotFound" {
		t.Errorf("/me before the user exists: %s", r.Body)
	}
	mustStatus(t, me.Do("POST", "/v1.0/users", `{"id":"u1","displayName":"Me"}`), 201)
	got := mustStatus(t, me.Do("GET", "/v1.0/me", ""), 200)
	if field(got, "displayName") != "Me" || field(got, `@odata\.context`) != me.URL+"/v1.0/$metadata#users/$entity" {
		t.Errorf("/me: %s", got.Body)
	}
	mustStatus(t, me.Do("PATCH", "/v1.0/me", `{"age":3}`), 200)
	if field(mustStatus(t, me.Do("GET", "/v1.0/users/u1", ""), 200), "age") != "3" {
		t.Error("PATCH /me did not update the user")
	}
	toMe := mustStatus(t, me.Do("POST", "/v1.0/me/messages", `{"subject":"to me"}`), 201)
	if got := field(toMe, `@odata\.context`); got != me.URL+"/v1.0/$metadata#users('u1')/messages/$entity" {
		t.Errorf("/me/messages context %q", got)
	}
	if n := gjson.GetBytes(mustStatus(t, me.Do("GET", "/v1.0/users/u1/messages", ""), 200).Body, "value.#").Int(); n != 1 {
		t.Errorf("/me/messages is not the user's: %d", n)
	}

	// A singleton of its own type exists from the start and keeps its updates.
	org := mustStatus(t, srv.Do("GET", "/v1.0/org", ""), 200)
	if field(org, "id") != "org" {
		t.Errorf("org: %s", org.Body)
	}
	mustStatus(t, srv.Do("PATCH", "/v1.0/org", `{"name":"Contoso"}`), 200)
	if field(mustStatus(t, srv.Do("GET", "/v1.0/org", ""), 200), "name") != "Contoso" {
		t.Error("org did not keep its name")
	}
	mustStatus(t, srv.Do("DELETE", "/v1.0/org", ""), 405)
}

func TestPropertiesAndOperations(t *testing.T) {
	t.Parallel()
	srv := newDirectory(t)
	u := field(mustStatus(t, srv.Do("POST", "/v1.0/users", `{"displayName":"Ada","age":36}`), 201), "id")
	p := mustStatus(t, srv.Do("GET", "/v1.0/users/"+u+"/displayName", ""), 200)
	if field(p, "value") != "Ada" || field(p, `@odata\.context`) != srv.URL+"/v1.0/$metadata#users('"+u+"')/displayName" {
		t.Errorf("property: %s", p.Body)
	}
	if v := mustStatus(t, srv.Do("GET", "/v1.0/users/"+u+"/age/$value", ""), 200); string(v.Body) != "36" {
		t.Errorf("$value %q", v.Body)
	}
	// An unset property has no content.
	mustStatus(t, srv.Do("POST", "/v1.0/users", `{"id":"blank"}`), 201)
	mustStatus(t, srv.Do("GET", "/v1.0/users/blank/displayName", ""), 204)
	mustStatus(t, srv.Do("PATCH", "/v1.0/users/"+u+"/displayName", `{"value":"x"}`), http.StatusMethodNotAllowed)

	// Bound operations are routed by name, qualified or not, and answer 501.
	for _, path := range []string{"/v1.0/users/" + u + "/checkMemberGroups", "/v1.0/users/" + u + "/d.checkMemberGroups"} {
		r := mustStatus(t, srv.Do("POST", path, `{}`), http.StatusNotImplemented)
		if !strings.Contains(field(r, "error.message"), "d.checkMemberGroups") {
			t.Errorf("%s: %s", path, r.Body)
		}
	}
	mustStatus(t, srv.Do("GET", "/v1.0/users/"+u+"/nothing", ""), 400)
}
