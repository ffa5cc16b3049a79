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
	return addEntry(s, "faults", rule, func(st FaultState) string { return st.ID })
}

// Faults lists the fault rules, in the order they apply, with their hit counts: the
// tenant's, for a Server returned by Tenant.
func (s *Server) Faults() []FaultState {
	s.helper()
	return listEntries[FaultState](s, "faults")
}

// Fault returns the fault rule with id, with its hit counts.
func (s *Server) Fault(id string) FaultState {
	s.helper()
	return getEntry[FaultState](s, "faults", id)
}

// RemoveFault removes the fault rule with id.
func (s *Server) RemoveFault(id string) {
	s.helper()
	s.removeEntry("faults", id)
}

// AddStub adds a stub (POST /_emulator/stubs) and returns it as the server lists it,
// with its id (stub-N unless it names one). It is removed when the test the Server
// belongs to ends, as for AddFault. For a Server returned by Tenant, a stub that names
// no tenant answers that tenant alone. A
// malformed stub fails the test with the server's message, which names the field.
// (For a server made by Start, the stub stays until removed.)
func (s *Server) AddStub(stub Stub) StubState {
	s.helper()
	return addEntry(s, "stubs", stub, func(st StubState) string { return st.ID })
}

// Stubs lists the stubs, in the order they are tried, with their hit counts: the
// tenant's, for a Server returned by Tenant.
func (s *Server) Stubs() []StubState {
	s.helper()
	return listEntries[StubState](s, "stubs")
}

// Stub returns the stub with id, with its hit count.
func (s *Server) Stub(id string) StubState {
	s.helper()
	return getEntry[StubState](s, "stubs", id)
}

// RemoveStub removes the stub with id.
func (s *Server) RemoveStub(id string) {
	s.helper()
	s.removeEntry("stubs", id)
}

// The control API's fault rules and stubs are alike: a collection of entries with ids
// (/_emulator/faults, /_emulator/stubs). These read and write one of them, by name.

// addEntry adds v to the collection coll and returns it as listed; the entry is removed
// when the Server's test ends (see AddFault).
func addEntry[S any](s *Server, coll string, v any, id func(S) string) S {
	s.helper()
	var st S
	if s.add("/_emulator/"+coll, v, &st) {
		s.removeAtCleanup("/_emulator/" + coll + "/" + url.PathEscape(id(st)))
	}
	return st
}

// listEntries lists the collection coll.
func listEntries[S any](s *Server, coll string) []S {
	s.helper()
	var list control.List[S]
	s.get("/_emulator/"+coll, &list)
	return list.Value
}

// getEntry returns the entry with id of the collection coll.
func getEntry[S any](s *Server, coll, id string) S {
	s.helper()
	var st S
	s.get("/_emulator/"+coll+"/"+url.PathEscape(id), &st)
	return st
}

// removeEntry removes the entry with id of the collection coll.
func (s *Server) removeEntry(coll, id string) {
	s.helper()
	s.control(http.MethodDelete, "/_emulator/"+coll+"/"+url.PathEscape(id), "", http.StatusNoContent)
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
