package control

import (
	"net/http"

	"github.com/graph-emulator/graph-emulator/emulator/faults"
	"github.com/graph-emulator/graph-emulator/emulator/stubs"
)

// Stubs answers /_emulator/stubs: GET lists the stubs, in the order they are tried,
// with their hit counts ({"value":[...]}); POST adds a stub (a stubs.Stub in JSON; 201
// with it as listed) or an array of stubs (all or none; 201 with {"value":[...]});
// DELETE removes every stub (204). A malformed stub is a 400 naming the field, an id
// in use a 409. With ?tenant= or the X-Emulator-Tenant header, each sees only that
// tenant's stubs, and the stubs added without a tenant get it.
func (a *API) Stubs() http.Handler {
	s := a.stubSet()
	return a.serve(methods{http.MethodGet: s.list, http.MethodPost: s.add, http.MethodDelete: s.clear})
}

// Stub answers /_emulator/stubs/{id}: GET one stub, DELETE it (204); 404 for an id no
// stub has (of the tenant named, if any).
func (a *API) Stub() http.Handler {
	s := a.stubSet()
	return a.serve(methods{http.MethodGet: s.get, http.MethodDelete: s.delete})
}

func (a *API) stubSet() *ruleSet[stubs.Stub, stubs.State] {
	return &ruleSet[stubs.Stub, stubs.State]{a: a, reg: a.cfg.Stubs, what: "stub", path: "stubs",
		match: func(s *stubs.Stub) *faults.Match { return &s.Match }}
}
