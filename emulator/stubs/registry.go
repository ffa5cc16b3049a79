package stubs

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

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
	cfg Config
	n   atomic.Int64 // how many stubs there are: the fast path of Answer

	mu    sync.Mutex
	stubs []*stub // in the order added
	seq   int
}

// New returns an empty registry.
func New(cfg Config) *Registry {
	if cfg.ParseTenant == nil {
		cfg.ParseTenant = func(s string) (string, error) { return strings.ToLower(s), nil }
	}
	return &Registry{cfg: cfg}
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
	g.mu.Lock()
	defer g.mu.Unlock()
	taken := make(map[string]bool, len(g.stubs)+len(compiled))
	for _, s := range g.stubs {
		taken[s.spec.ID] = true
	}
	for _, s := range compiled {
		if id := s.spec.ID; id != "" {
			if taken[id] {
				return nil, faults.Conflict("stub", id)
			}
			taken[id] = true
		}
	}
	out := make([]State, len(compiled))
	for i, s := range compiled {
		for s.spec.ID == "" {
			g.seq++
			if id := fmt.Sprintf("stub-%d", g.seq); !taken[id] {
				s.spec.ID = id
				taken[id] = true
			}
		}
		out[i] = s.state()
	}
	g.stubs = append(g.stubs, compiled...)
	g.n.Store(int64(len(g.stubs)))
	return out, nil
}

// Len returns how many stubs there are.
func (g *Registry) Len() int { return int(g.n.Load()) }

// List returns the stubs in the order added: those of tenant, or every stub when
// tenant is "".
func (g *Registry) List(tenant string) []State {
	g.mu.Lock()
	defer g.mu.Unlock()
	out := []State{}
	for _, s := range g.stubs {
		if tenant == "" || s.spec.Tenant == tenant {
			out = append(out, s.state())
		}
	}
	return out
}

// Get returns the stub with id, if it is of tenant (any tenant when tenant is "").
func (g *Registry) Get(id, tenant string) (State, bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if i := g.find(id, tenant); i >= 0 {
		return g.stubs[i].state(), true
	}
	return State{}, false
}

// Delete removes the stub with id, if it is of tenant (any tenant when tenant is "");
// it reports whether there was one.
func (g *Registry) Delete(id, tenant string) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	i := g.find(id, tenant)
	if i < 0 {
		return false
	}
	g.stubs = slices.Delete(g.stubs, i, i+1)
	g.n.Store(int64(len(g.stubs)))
	return true
}

// Clear removes the stubs of tenant, or every stub when tenant is "", and returns how
// many it removed.
func (g *Registry) Clear(tenant string) int {
	g.mu.Lock()
	defer g.mu.Unlock()
	before := len(g.stubs)
	g.stubs = slices.DeleteFunc(g.stubs, func(s *stub) bool { return tenant == "" || s.spec.Tenant == tenant })
	g.n.Store(int64(len(g.stubs)))
	return before - len(g.stubs)
}

func (g *Registry) find(id, tenant string) int {
	return slices.IndexFunc(g.stubs, func(s *stub) bool {
		return s.spec.ID == id && (tenant == "" || s.spec.Tenant == tenant)
	})
}

// Answer returns the answer of the first stub, in the order added, that matches req
// and still answers, with that stub's id; nil when none does (the request falls
// through). The answer is shared: do not change it.
func (g *Registry) Answer(req *faults.Request) (*Answer, string) {
	if g.n.Load() == 0 {
		return nil, ""
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, s := range g.stubs {
		if !s.m.Match(req) {
			continue
		}
		if a, ok := s.next(); ok {
			return a, s.spec.ID
		}
	}
	return nil, ""
}
