package emulatortest_test

import (
	"encoding/json"
	"testing"

	"github.com/graph-emulator/graph-emulator/emulator/emulatortest"
	"github.com/graph-emulator/graph-emulator/emulator/faults"
)

// Rules and stubs added in a test are gone when it ends (before the server stops);
// those of a tenant's client apply to that tenant alone.
func TestAddFaultAndStubCleanup(t *testing.T) {
	t.Parallel()
	srv := emulatortest.New(t)
	t.Cleanup(func() { // runs after the removals AddFault and AddStub registered
		if n := len(srv.Faults()) + len(srv.Stubs()); n != 0 {
			t.Errorf("%d rules and stubs left after the test", n)
		}
		if got := srv.Do("GET", "/v1.0/users", "").Status; got != 200 {
			t.Errorf("GET users after the test: %d", got)
		}
	})
	srv.AddFault(emulatortest.Fault{Match: faults.Match{Path: "/v1.0/users"}, Error: &faults.Error{Status: 500}})
	st := srv.AddStub(emulatortest.Stub{Match: faults.Match{Path: "/v1.0/groups"},
		Response: &emulatortest.StubResponse{Body: json.RawMessage(`{"value":[]}`)}})
	srv.AddStub(emulatortest.Stub{Match: faults.Match{Path: "/v1.0/devices"}, Response: &emulatortest.StubResponse{Status: 204}})
	if got := srv.Do("GET", "/v1.0/users", "").Status; got != 500 {
		t.Errorf("GET users: %d", got)
	}
	srv.Do("GET", "/v1.0/groups", "")
	if got := srv.Stub(st.ID); got.Hits != 1 {
		t.Errorf("stub hits %d", got.Hits)
	}
	// Removing one by hand is fine; the cleanup then finds nothing.
	srv.RemoveStub(st.ID)
}

func TestAddFaultTenants(t *testing.T) {
	t.Parallel()
	srv := emulatortest.New(t)
	t.Run("group", func(t *testing.T) {
		for _, status := range []int{500, 503} {
			t.Run("tenant", func(t *testing.T) {
				t.Parallel()
				c := srv.Tenant(t)
				st := c.AddFault(emulatortest.Fault{Error: &faults.Error{Status: status}})
				if st.Tenant != c.TenantName() {
					t.Errorf("rule tenant %q, want %q", st.Tenant, c.TenantName())
				}
				if got := c.Do("GET", "/v1.0/users", "").Status; got != status {
					t.Errorf("tenant request: %d, want %d", got, status)
				}
				if got := srv.Do("GET", "/v1.0/users", "").Status; got != 200 {
					t.Errorf("default tenant: %d", got)
				}
				if n := len(c.Faults()); n != 1 {
					t.Errorf("the tenant lists %d rules", n)
				}
			})
		}
	})
	if n := len(srv.Faults()); n != 0 {
		t.Errorf("%d rules left", n)
	}
}
