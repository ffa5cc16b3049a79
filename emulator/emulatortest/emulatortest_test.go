package emulatortest_test

import (
	"net/http"
	"testing"

	"github.com/graph-emulator/graph-emulator/emulator"
	"github.com/graph-emulator/graph-emulator/emulator/emulatortest"
	"github.com/graph-emulator/graph-emulator/emulator/store"
	"github.com/graph-emulator/graph-emulator/entities"
)

// thingsSchema serves one entity set, "things", of a type with a name.
func thingsSchema(t *testing.T) *entities.Schema {
	t.Helper()
	s := entities.NewSchema("example.test")
	for _, err := range []error{
		s.AddType(&entities.StructuredType{Name: "thing", Kind: entities.KindEntity, Key: []string{"id"},
			Properties: []*entities.Property{{Name: "id", Type: "Edm.String", NotNull: true}, {Name: "name", Type: "Edm.String"}}}),
		s.AddEntitySet("things", "example.test.thing"),
		s.Resolve(),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	return s
}

func TestDo(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		body    string
		headers []string
		status  int
	}{
		{name: "JSON Content-Type by default", body: `{"name":"a"}`, status: http.StatusCreated},
		{name: "Content-Type given", body: `{"name":"a"}`, headers: []string{"Content-Type", "text/plain"}, status: http.StatusUnsupportedMediaType},
		{name: "Content-Type removed", body: `{"name":"a"}`, headers: []string{"Content-Type", ""}, status: http.StatusBadRequest},
		{name: "no body, no Content-Type", status: http.StatusBadRequest},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := emulatortest.New(t, emulator.WithSchema("v1.0", thingsSchema(t)))
			resp := srv.Do("POST", "/v1.0/things", tc.body, tc.headers...)
			if resp.Status != tc.status {
				t.Errorf("got %s, want status %d", resp, tc.status)
			}
			if resp.Header.Get("request-id") == "" {
				t.Errorf("no request-id header")
			}
		})
	}
}

func TestAbsoluteURLAndHeaders(t *testing.T) {
	t.Parallel()
	srv := emulatortest.New(t, emulator.WithSchema("v1.0", thingsSchema(t)))
	created := srv.Do("POST", "/v1.0/things", `{"id":"x"}`, "client-request-id", "abc")
	if created.Status != http.StatusCreated || created.Header.Get("client-request-id") != "abc" {
		t.Fatalf("create: %s %v", created, created.Header)
	}
	loc := created.Header.Get("Location")
	if got := srv.Do("GET", loc, ""); got.Status != http.StatusOK {
		t.Errorf("GET %s: %s", loc, got)
	}
	n := 0
	_ = srv.Emulator.Store().Read(store.DefaultTenant, func(v store.View) error { n = v.Len(store.Set("things")); return nil })
	if n != 1 {
		t.Errorf("the Emulator field is not the server behind URL")
	}
	if _, err := srv.Send("GET", "/v1.0/things", "", "odd"); err == nil {
		t.Errorf("Send with an odd number of header strings succeeded")
	}
}

func TestCleanupStopsServer(t *testing.T) {
	t.Parallel()
	var srv *emulatortest.Server
	t.Run("inner", func(t *testing.T) {
		srv = emulatortest.New(t)
		if resp := srv.Do("GET", "/v1.0/", ""); resp.Status != http.StatusOK {
			t.Fatalf("service root: %s", resp)
		}
	})
	if _, err := srv.Send("GET", "/v1.0/", ""); err == nil {
		t.Errorf("server still answers after its test ended")
	}
}
