package emulatortest_test

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/graph-emulator/graph-emulator/emulator"
	"github.com/graph-emulator/graph-emulator/emulator/emulatortest"
)

// Seed loads a fixture: entities by set, references by id. Reset returns the server to
// its start.
func ExampleServer_Seed() {
	srv, err := emulatortest.Start()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Close()

	srv.Seed(`{"users": [
		{"id": "u1", "displayName": "Megan Bowen"},
		{"id": "u2", "displayName": "Adele Vance", "manager": "u1"}]}`)
	var manager struct{ DisplayName string }
	resp := srv.Do("GET", "/v1.0/users/u2/manager", "")
	_ = json.Unmarshal(resp.Body, &manager)
	fmt.Println(resp.Status, manager.DisplayName)

	srv.Reset()
	fmt.Println(srv.Do("GET", "/v1.0/users/u2", "").Status)
	// Output:
	// 200 Megan Bowen
	// 404
}

// A fixture may also be a Go value, encoded as JSON.
func ExampleServer_Seed_value() {
	srv, err := emulatortest.Start()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Close()

	srv.Seed(map[string]any{
		"groups": []map[string]any{{"id": "g1", "displayName": "Sales"}},
	})
	fmt.Println(srv.Do("GET", "/v1.0/groups/g1", "").Status)
	// Output: 200
}

// Requests lists what the client sent, as the server received it, with credentials
// masked.
func ExampleServer_Requests() {
	srv, err := emulatortest.Start()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Close()

	srv.Do("POST", "/v1.0/users", `{"displayName":"Adele Vance","accountEnabled":true,"mailNickname":"adele",`+
		`"userPrincipalName":"adele@contoso.test","passwordProfile":{"password":"x-Y-z-123!aB"}}`, "Authorization", "Bearer eyJ0eXAi")
	srv.Do("GET", "/v1.0/users", "")
	for _, e := range srv.Requests(emulatortest.Filter{Method: "POST", PathPrefix: "/v1.0/users"}) {
		fmt.Println(e.Method, e.Path, e.Status, e.Headers["Authorization"], e.Body)
	}
	// Output: POST /v1.0/users 201 Bearer *** {"displayName":"Adele Vance","accountEnabled":true,"mailNickname":"adele","userPrincipalName":"adele@contoso.test","passwordProfile":{"password":"***"}}
}

// WithSampleData starts with a small tenant; /me is its signed-in user.
func ExampleServer_sampleData() {
	srv, err := emulatortest.Start(emulator.WithSampleData())
	if err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Close()

	var me struct{ DisplayName, UserPrincipalName string }
	_ = json.Unmarshal(srv.Do("GET", "/v1.0/me", "").Body, &me)
	fmt.Println(me.DisplayName, me.UserPrincipalName)
	// Output: Adele Vance adele@contoso.test
}

// Tenant binds a client to a tenant of its own, so that parallel tests can share one
// server: each sees its own data only, and its tenant is reset when it ends.
func ExampleServer_Tenant() {
	var t *testing.T // the test's
	srv := emulatortest.New(t)
	for _, name := range []string{"a", "b"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c := srv.Tenant(t) // c.Do, c.Send and c.Client send X-Emulator-Tenant
			c.Seed(`{"users":[{"id":"u1","displayName":"` + name + `"}]}`)
			resp := c.Do("GET", "/v1.0/users", "") // this tenant's user alone
			_ = resp
			// c.Requests(emulatortest.Filter{}) lists this tenant's requests alone
		})
	}
}
