package control

import (
	"net/http"

	"github.com/graph-emulator/graph-emulator/emulator/faults"
)

// Faults answers /_emulator/faults: GET lists the fault rules, in the order they
// apply, with their hit counts ({"value":[...]}); POST adds a rule (a faults.Rule in
// JSON; 201 with it as listed) or an array of rules (all or none; 201 with
// {"value":[...]}); DELETE removes every rule (204). A malformed rule is a 400 naming
// the field, an id in use a 409. With ?tenant= or the X-Emulator-Tenant header, each
// sees only that tenant's rules, and the rules added without a tenant get it.
func (a *API) Faults() http.Handler {
	s := a.faultSet()
	return a.serve(methods{http.MethodGet: s.list, http.MethodPost: s.add, http.MethodDelete: s.clear})
}

// Fault answers /_emulator/faults/{id}: GET one rule, DELETE it (204); 404 for an id
// no rule has (of the tenant named, if any).
func (a *API) Fault() http.Handler {
	s := a.faultSet()
	return a.serve(methods{http.MethodGet: s.get, http.MethodDelete: s.delete})
}

func (a *API) faultSet() *ruleSet[faults.Rule, faults.State] {
	return &ruleSet[faults.Rule, faults.State]{a: a, reg: a.cfg.Faults, what: "fault rule", path: "faults",
		match: func(r *faults.Rule) *faults.Match { return &r.Match }}
}
