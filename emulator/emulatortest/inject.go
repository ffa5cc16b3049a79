package emulatortest

import (
	"encoding/json"
	"net/http"
	"net/url"

	"github.com/graph-emulator/graph-emulator/emulator/control"
	"github.com/graph-emulator/graph-emulator/emulator/faults"
	"github.com/graph-emulator/graph-emulator/emulator/stubs"
)

// Fault rules and stubs from a test: typed values mirroring the JSON of
// /_emulator/faults and /_emulator/stubs (see packages faults and stubs, and the
// README's Faults and Stubs sections).

// Fault is a fault rule. See faults.Rule.
type Fault = faults.Rule

// FaultState is a fault rule as the server lists it, with its hit counts.
type FaultState = faults.State

// Stub is a scripted answer. See stubs.Stub.
type Stub = stubs.Stub

// StubResponse is one answer of a Stub.
type StubResponse = stubs.Response

// StubState is a stub as the server lists it, with its hit count.
type StubState = stubs.State

// AddFault adds a fault rule (POST /_emulator/faults) and returns it as the server
// lists it: with its id (fault-N unless it names one), its defaults and, for a
// random rule without a seed, the seed chosen. It is removed when the test the Server
// belongs to ends: the one given to New, or to Tenant; subtests sharing a server use
// Tenant(t) for rules of their own. For a Server returned by Tenant, a rule that names
// no tenant applies to that tenant alone. A malformed rule fails the test with the server's message, which names the
// field. (For a server made by Start, the rule stays until removed.)
func (s *Server) AddFault(rule Fault) FaultState {
	s.helper()
	var st FaultState
	if s.add("/_emulator/faults", rule, &st) {
		s.removeAtCleanup("/_emulator/faults/" + url.PathEscape(st.ID))
	}
	return st
}

// Faults lists the fault rules, in the order they apply, with their hit counts: the
// tenant's, for a Server returned by Tenant.
func (s *Server) Faults() []FaultState {
	s.helper()
	var list control.List[FaultState]
	s.get("/_emulator/faults", &list)
	return list.Value
}

// Fault returns the fault rule with id, with its hit counts.
func (s *Server) Fault(id string) FaultState {
	s.helper()
	var st FaultState
	s.get("/_emulator/faults/"+url.PathEscape(id), &st)
	return st
}

// RemoveFault removes the fault rule with id.
func (s *Server) RemoveFault(id string) {
	s.helper()
	s.control(http.MethodDelete, "/_emulator/faults/"+url.PathEscape(id), "", http.StatusNoContent)
}

// AddStub adds a stub (POST /_emulator/stubs) and returns it as the server lists it,
// with its id (stub-N unless it names one). It is removed when the test the Server
// belongs to ends, as for AddFault. For a Server returned by Tenant, a stub that names
// no tenant answers that tenant alone. A
// malformed stub fails the test with the server's message, which names the field.
// (For a server made by Start, the stub stays until removed.)
func (s *Server) AddStub(stub Stub) StubState {
	s.helper()
	var st StubState
	if s.add("/_emulator/stubs", stub, &st) {
		s.removeAtCleanup("/_emulator/stubs/" + url.PathEscape(st.ID))
	}
	return st
}

// Stubs lists the stubs, in the order they are tried, with their hit counts: the
// tenant's, for a Server returned by Tenant.
func (s *Server) Stubs() []StubState {
	s.helper()
	var list control.List[StubState]
	s.get("/_emulator/stubs", &list)
	return list.Value
}

// Stub returns the stub with id, with its hit count.
func (s *Server) Stub(id string) StubState {
	s.helper()
	var st StubState
	s.get("/_emulator/stubs/"+url.PathEscape(id), &st)
	return st
}

// RemoveStub removes the stub with id.
func (s *Server) RemoveStub(id string) {
	s.helper()
	s.control(http.MethodDelete, "/_emulator/stubs/"+url.PathEscape(id), "", http.StatusNoContent)
}

// add posts v as JSON to path and decodes the answer into out; it reports success.
func (s *Server) add(path string, v, out any) bool {
	s.helper()
	b, err := json.Marshal(v)
	if err != nil {
		s.fail("emulatortest: %v", err)
		return false
	}
	body := s.control(http.MethodPost, path, string(b), http.StatusCreated)
	if body == nil {
		return false
	}
	if err := json.Unmarshal(body, out); err != nil {
		s.fail("emulatortest: %s: %v", path, err)
		return false
	}
	return true
}

// get decodes the answer of GET path into out.
func (s *Server) get(path string, out any) {
	s.helper()
	body := s.control(http.MethodGet, path, "", http.StatusOK)
	if body == nil {
		return
	}
	if err := json.Unmarshal(body, out); err != nil {
		s.fail("emulatortest: %s: %v", path, err)
	}
}

// removeAtCleanup deletes what path names when the test ends (it may be gone by then).
func (s *Server) removeAtCleanup(path string) {
	if s.tb == nil {
		return
	}
	s.tb.Cleanup(func() { _, _ = s.Send(http.MethodDelete, path, "") })
}
