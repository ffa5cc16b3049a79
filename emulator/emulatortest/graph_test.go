package emulatortest_test

import (
	"bytes"
	"net/http"
	"strings"
	"testing"

	"github.com/tidwall/gjson"

	"github.com/graph-emulator/graph-emulator/emulator/emulatortest"
	"github.com/graph-emulator/graph-emulator/entities"
)

// TestNewServesAllOfGraph starts the helper with no options: every entity set of Graph's
// v1.0 and beta schemas answers GET with an empty JSON collection, and every singleton
// answers GET: with its entity, or, for those that stand for an entity of a set (/me,
// which needs WithSingletonKey), with Graph's 400 for a request without a signed-in user.
func TestNewServesAllOfGraph(t *testing.T) {
	t.Parallel()
	srv := emulatortest.New(t)
	for _, version := range []string{"v1.0", "beta"} {
		t.Run(version, func(t *testing.T) {
			s, err := entities.Graph(version)
			if err != nil {
				t.Fatal(err)
			}
			if n := len(s.EntitySets()); n < 40 {
				t.Fatalf("Graph %s has %d entity sets", version, n)
			}
			for _, set := range s.EntitySets() {
				r := srv.Do("GET", "/"+version+"/"+set.Name, "")
				if r.Status != http.StatusOK || !gjson.GetBytes(r.Body, "value").IsArray() {
					t.Errorf("GET /%s/%s = %s", version, set.Name, r)
				}
			}
			setTypes := map[*entities.StructuredType]bool{}
			for _, set := range s.EntitySets() {
				setTypes[set.Type()] = true
			}
			for _, sg := range s.Singletons() {
				r := srv.Do("GET", "/"+version+"/"+sg.Name, "")
				if setTypes[sg.EntityType()] {
					// /me, /drive: the signed-in user's entity, none without WithSingletonKey.
					if r.Status != http.StatusBadRequest || !strings.Contains(string(r.Body), "delegated authentication") {
						t.Errorf("GET /%s/%s = %s, want Graph's 400 without a signed-in user", version, sg.Name, r)
					}
					continue
				}
				if r.Status != http.StatusOK {
					t.Errorf("GET /%s/%s = %s", version, sg.Name, r)
				}
			}
		})
	}
	// The seed documents' set is merged into both versions.
	for _, version := range []string{"v1.0", "beta"} {
		r := srv.Do("POST", "/"+version+"/office365ServicesUserCounts", `{"exchangeActive":14}`)
		if r.Status != http.StatusCreated {
			t.Errorf("POST /%s/office365ServicesUserCounts = %s", version, r)
		}
	}
}

// TestGraphMetadataRoundTrips reads $metadata of the default server back as CSDL: the
// same entity sets, singletons, types and enums as the embedded schema.
func TestGraphMetadataRoundTrips(t *testing.T) {
	t.Parallel()
	srv := emulatortest.New(t)
	for _, version := range []string{"v1.0", "beta"} {
		r := srv.Do("GET", "/"+version+"/$metadata", "")
		if r.Status != http.StatusOK {
			t.Fatalf("GET /%s/$metadata = %d", version, r.Status)
		}
		back, err := entities.LoadCSDL(bytes.NewReader(r.Body))
		if err != nil {
			t.Fatalf("%s: $metadata does not load: %v", version, err)
		}
		s, err := entities.Graph(version)
		if err != nil {
			t.Fatal(err)
		}
		counts := func(s *entities.Schema) [5]int {
			return [5]int{len(s.EntitySets()), len(s.Singletons()), len(s.StructuredTypes()), len(s.Enums()), len(s.Operations())}
		}
		if got, want := counts(back), counts(s); got != want {
			t.Errorf("%s: $metadata has %v sets, singletons, types, enums, operations; the schema %v", version, got, want)
		}
		if back.EntitySet("office365ServicesUserCounts") == nil {
			t.Errorf("%s: $metadata lacks the seed documents' entity set", version)
		}
	}
}

// TestCreateUser is the README's "Use it from Go tests" example, as written there.
func TestCreateUser(t *testing.T) {
	srv := emulatortest.New(t) // options: emulator.WithPageSize(2), emulator.WithStrict(true), ...
	resp := srv.Do("POST", "/v1.0/users", `{"displayName":"Adele Vance","mailNickname":"adele",
		"userPrincipalName":"adele@contoso.test","accountEnabled":true,"passwordProfile":{"password":"x-Y-z-123!aB"}}`)
	if resp.Status != 201 {
		t.Fatalf("create: %s", resp)
	}
	// or point your Graph client at srv.URL + "/v1.0"
}
