package emulator_test

import (
	"testing"

	"github.com/graph-emulator/graph-emulator/emulator/emulatortest"
)

// TestEnumsIgnoreCase sends Graph's own doc samples' enum spellings ("Low", "HTML"):
// accepted, stored and returned in the schema's spelling, as Graph answers them.
func TestEnumsIgnoreCase(t *testing.T) {
	t.Parallel()
	srv := emulatortest.New(t)
	u := field(mustStatus(t, srv.Do("POST", "/v1.0/users", userJSON("Ada")), 201), "id")
	msgs := "/v1.0/users/" + u + "/messages"
	m := mustStatus(t, srv.Do("POST", msgs, `{"subject":"Hi","importance":"Low","body":{"contentType":"HTML","content":"<b>x</b>"}}`), 201)
	if field(m, "importance") != "low" || field(m, "body.contentType") != "html" {
		t.Errorf("created: importance %q, body.contentType %q", field(m, "importance"), field(m, "body.contentType"))
	}
	p := mustStatus(t, srv.Do("PATCH", msgs+"/"+field(m, "id"), `{"importance":"HIGH"}`), 200)
	if field(p, "importance") != "high" {
		t.Errorf("patched importance %q", field(p, "importance"))
	}
	got := mustStatus(t, srv.Do("GET", msgs+"?$filter=importance%20eq%20%27high%27", ""), 200)
	if field(got, "value.#") != "1" {
		t.Errorf("filter on the stored spelling: %s", got.Body)
	}
	checkGraphError(t, mustStatus(t, srv.Do("PATCH", msgs+"/"+field(m, "id"), `{"importance":"urgent"}`), 400))
}
