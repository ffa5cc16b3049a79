package emulator_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/graph-emulator/graph-emulator/emulator"
	"github.com/graph-emulator/graph-emulator/emulator/emulatortest"
	"github.com/graph-emulator/graph-emulator/entities"
)

func TestMetadataIsTheSchemaInUse(t *testing.T) {
	t.Parallel()
	dir := directorySchema(t)
	srv := emulatortest.New(t, emulator.WithSchema("beta", dir))
	for _, tt := range []struct {
		version, set string
	}{
		{"v1.0", "office365ServicesUserCounts"},
		{"beta", "users"},
	} {
		r := srv.Do("GET", "/"+tt.version+"/$metadata", "")
		if r.Status != 200 || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/xml") {
			t.Fatalf("%s/$metadata: %d %s", tt.version, r.Status, r.Header.Get("Content-Type"))
		}
		if r.Header.Get("request-id") == "" || r.Header.Get("OData-Version") != "4.0" {
			t.Errorf("%s/$metadata lacks Graph's headers: %v", tt.version, r.Header)
		}
		s, err := entities.LoadCSDL(bytes.NewReader(r.Body))
		if err != nil {
			t.Fatalf("%s/$metadata does not load back: %v", tt.version, err)
		}
		if s.EntitySet(tt.set) == nil {
			t.Errorf("%s/$metadata lacks the entity set %s", tt.version, tt.set)
		}
	}
	// The beta document is the test schema: singletons and navigation come through.
	s, err := entities.LoadCSDL(bytes.NewReader(srv.Do("GET", "/beta/$metadata", "").Body))
	if err != nil {
		t.Fatal(err)
	}
	if s.Singleton("me") == nil || s.EntityType("d.user").NavigationProperty("messages") == nil {
		t.Error("beta $metadata lost the singleton or the navigation property")
	}
	if r := srv.Do("POST", "/v1.0/$metadata", "{}"); r.Status != 405 {
		t.Errorf("POST $metadata: %d", r.Status)
	}
}
