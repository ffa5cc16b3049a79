package stubs

import (
	"fmt"
	"strings"

	"github.com/graph-emulator/graph-emulator/emulator/faults"
)

// Config is what New needs.
type Config struct {
	// ParseTenant checks a tenant name and returns it in canonical form. Default: the
	// name in lower case.
	ParseTenant func(string) (string, error)
}

// Registry holds a server's stubs. It is a value of its server, built by New; safe for
// concurrent use.
type Registry struct {
	cfg   Config
	stubs *faults.List[*stub, State]
}

// New returns an empty registry.
func New(cfg Config) *Registry {
	if cfg.ParseTenant == nil {
		cfg.ParseTenant = func(s string) (string, error) { return strings.ToLower(s), nil }
	}
	return &Registry{cfg: cfg, stubs: faults.NewList[*stub, State]("stub", "stub")}
}

// Add checks stubs and adds them after those already there, all or none: a malformed
// stub is a 400 naming its field (prefixed with its index when there are several), an
// id in use a 409. It returns the stubs as listed.
func (g *Registry) Add(stubs ...Stub) ([]State, error) {
	compiled := make([]*stub, len(stubs))
	for i, spec := range stubs {
		prefix := ""
		if len(stubs) > 1 {
			prefix = fmt.Sprintf("[%d].", i)
		}
		s, err := compile(spec, prefix, g.cfg.ParseTenant)
		if err != nil {
			return nil, err
		}
		compiled[i] = s
	}
	return g.stubs.Add(compiled, nil)
}

// Len returns how many stubs there are.
func (g *Registry) Len() int { return g.stubs.Len() }

// List returns the stubs in the order added: those of tenant, or every stub when
// tenant is "".
func (g *Registry) List(tenant string) []State { return g.stubs.List(tenant) }

// Get returns the stub with id, if it is of tenant (any tenant when tenant is "").
func (g *Registry) Get(id, tenant string) (State, bool) { return g.stubs.Get(id, tenant) }

// Delete removes the stub with id, if it is of tenant (any tenant when tenant is "");
// it reports whether there was one.
func (g *Registry) Delete(id, tenant string) bool { return g.stubs.Delete(id, tenant) }

// Clear removes the stubs of tenant, or every stub when tenant is "", and returns how
// many it removed.
func (g *Registry) Clear(tenant string) int { return g.stubs.Clear(tenant) }

// Answer returns the answer of the first stub, in the order added, that matches req
// and still answers, with that stub's id; nil when none does (the request falls
// through). The answer is shared: do not change it.
func (g *Registry) Answer(req *faults.Request) (*Answer, string) {
	var answer *Answer
	var id string
	g.stubs.Each(func(s *stub) bool {
		if !s.m.Match(req) {
			return true
		}
		if a, ok := s.next(); ok {
			answer, id = a, s.spec.ID
			return false
		}
		return true
	})
	return answer, id
}
