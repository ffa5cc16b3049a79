package emulator_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tidwall/gjson"

	"github.com/graph-emulator/graph-emulator/emulator"
	"github.com/graph-emulator/graph-emulator/emulator/emulatortest"
	"github.com/graph-emulator/graph-emulator/entities"
)

// graphSchema loads Microsoft's published CSDL for a version from the shared folder beside
// the repository, with the built-in additions, or skips the test where it is absent.
func graphSchema(t *testing.T, version string) *entities.Schema {
	t.Helper()
	dir := map[string]string{"v1.0": "clean_v10_metadata", "beta": "clean_beta_metadata"}[version]
	path := filepath.Join("..", "..", "shared", "graph-metadata", dir, "cleanMetadata.xml")
	f, err := os.Open(path)
	if err != nil {
		t.Skipf("Graph's published CSDL is not beside the repository (%v): skipping", err)
	}
	defer f.Close()
	s, err := entities.LoadCSDL(f, entities.AddBuiltins)
	if err != nil {
		t.Fatalf("load %s: %v", path, err)
	}
	return s
}

// TestEveryGraphEntitySet serves Graph's v1.0 schema: every entity set answers GET with a
// JSON collection and, where its type is not abstract and has no required property, POST
// of an empty entity with 201 (else Graph's 400); every singleton answers GET.
func TestEveryGraphEntitySet(t *testing.T) {
	t.Parallel()
	s := graphSchema(t, "v1.0")
	srv := emulatortest.New(t, emulator.WithSchema("v1.0", s), emulator.WithSingletonKey("me", "me-id"))
	mustStatus(t, srv.Do("POST", "/v1.0/users", userJSON("Me", `"id":"me-id"`)), 201)
	// The sets whose type has required properties (entities/graph/profiles.json).
	required := map[string]bool{"users": true, "groups": true, "applications": true, "servicePrincipals": true,
		"devices": true, "subscriptions": true}
	for _, set := range s.EntitySets() {
		path := "/v1.0/" + set.Name
		r := srv.Do("GET", path, "")
		if r.Status != 200 || !gjson.GetBytes(r.Body, "value").IsArray() {
			t.Errorf("GET %s = %s", path, r)
			continue
		}
		want := 201
		if set.Type().Abstract || required[set.Name] {
			want = 400
		}
		r = srv.Do("POST", path, `{}`)
		if r.Status != want {
			t.Errorf("POST %s = %s, want %d", path, r, want)
			continue
		}
		if required[set.Name] && !strings.HasSuffix(field(r, "error.message"), " value is required but is empty or missing.") {
			t.Errorf("POST %s without its required properties: %s", path, r)
		}
		if want == 201 && field(r, `@odata\.type`) != "#"+set.Type().QualifiedName() {
			t.Errorf("POST %s answered type %s", path, field(r, `@odata\.type`))
		}
	}
	for _, sg := range s.Singletons() {
		if r := srv.Do("GET", "/v1.0/"+sg.Name, ""); r.Status != 200 {
			t.Errorf("GET /v1.0/%s = %s", sg.Name, r)
		}
	}
}

// TestGraphSchemaScenarios exercises what Graph's own schema declares: containment,
// complex and enum values, derived types and non-contained navigation.
func TestGraphSchemaScenarios(t *testing.T) {
	t.Parallel()
	s := graphSchema(t, "v1.0")
	srv := emulatortest.New(t, emulator.WithSchema("v1.0", s), emulator.WithStrict(true))
	u := field(mustStatus(t, srv.Do("POST", "/v1.0/users", `{"displayName":"Ada","accountEnabled":true,"mailNickname":"ada",
		"userPrincipalName":"ada@contoso.test","passwordProfile":{"forceChangePasswordNextSignIn":true,"password":"x"},"businessPhones":["1"]}`), 201), "id")
	// Containment: a user's messages, with complex and enum values checked.
	msg := mustStatus(t, srv.Do("POST", "/v1.0/users/"+u+"/messages",
		`{"subject":"hi","importance":"high","body":{"contentType":"html","content":"<b>x</b>"},
		  "toRecipients":[{"emailAddress":{"address":"a@b.c"}}]}`), 201)
	if field(msg, `@odata\.context`) != srv.URL+"/v1.0/$metadata#users('"+u+"')/messages/$entity" {
		t.Errorf("message context %s", field(msg, `@odata\.context`))
	}
	for _, bad := range []string{
		`{"importance":"urgent"}`,                  // not a member of importance
		`{"body":{"contentType":"text","nope":1}}`, // unknown property of itemBody
		`{"toRecipients":{"emailAddress":{}}}`,     // a collection needs an array
		`{"receivedDateTime":"yesterday"}`,         // not an Edm.DateTimeOffset
		`{"@odata.type":"#microsoft.graph.user"}`,  // not a message
	} {
		mustStatus(t, srv.Do("POST", "/v1.0/users/"+u+"/messages", bad), 400)
	}
	// A derived type through @odata.type is stored and answered as such.
	ev := mustStatus(t, srv.Do("POST", "/v1.0/users/"+u+"/messages",
		`{"@odata.type":"#microsoft.graph.eventMessage","meetingMessageType":"meetingRequest"}`), 201)
	if field(ev, `@odata\.type`) != "#microsoft.graph.eventMessage" {
		t.Errorf("derived message: %s", ev.Body)
	}
	// Abstract types are refused.
	mustStatus(t, srv.Do("POST", "/v1.0/users/"+u+"/authentication/methods", `{}`), 400)
	// Group members: non-contained, through $ref, typed by @odata.type.
	g := field(mustStatus(t, srv.Do("POST", "/v1.0/groups", `{"displayName":"G","mailEnabled":false,"securityEnabled":true,"mailNickname":"g"}`), 201), "id")
	mustStatus(t, srv.Do("POST", "/v1.0/groups/"+g+"/members/$ref", `{"@odata.id":"https://graph.microsoft.com/v1.0/directoryObjects/`+u+`"}`), 204)
	m := mustStatus(t, srv.Do("GET", "/v1.0/groups/"+g+"/members", ""), 200)
	if field(m, `value.0.@odata\.type`) != "#microsoft.graph.user" || field(m, "value.0.id") != u {
		t.Errorf("members: %s", m.Body)
	}
	if n := gjson.GetBytes(mustStatus(t, srv.Do("GET", "/v1.0/directoryObjects/microsoft.graph.group", ""), 200).Body, "value.#").Int(); n != 1 {
		t.Errorf("directoryObjects cast to group lists %d", n)
	}
	// Deleting the user deletes its messages.
	mustStatus(t, srv.Do("DELETE", "/v1.0/users/"+u, ""), 204)
	mustStatus(t, srv.Do("GET", "/v1.0/users/"+u+"/messages/"+field(msg, "id"), ""), 404)
}
