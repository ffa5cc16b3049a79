package faults

import (
	"context"
	crand "crypto/rand"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/graph-emulator/graph-emulator/odata"
)

// Config is what New needs. Zero fields take the defaults given.
type Config struct {
	// Now reads the clock (rate-limit windows). Default: time.Now.
	Now func() time.Time
	// Rand gives the seeds of rules that name none. Default: a source seeded from
	// crypto/rand.
	Rand rand.Source
	// Sleep waits d, or until ctx is done (then it returns ctx's error). Default: a
	// timer.
	Sleep func(ctx context.Context, d time.Duration) error
	// ParseTenant checks a tenant name and returns it in canonical form. Default: the
	// name in lower case.
	ParseTenant func(string) (string, error)
}

// Registry holds a server's fault rules. It is a value of its server, built by New;
// safe for concurrent use.
type Registry struct {
	cfg   Config
	rules *List[*rule, State]
	seeds *rand.Rand // guarded by the list's lock (Add's prepare)
}

// New returns an empty registry.
func New(cfg Config) *Registry {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Rand == nil {
		var b [16]byte
		_, _ = crand.Read(b[:])
		cfg.Rand = rand.NewPCG(binary.LittleEndian.Uint64(b[:8]), binary.LittleEndian.Uint64(b[8:]))
	}
	if cfg.Sleep == nil {
		cfg.Sleep = sleep
	}
	if cfg.ParseTenant == nil {
		cfg.ParseTenant = func(s string) (string, error) { return strings.ToLower(s), nil }
	}
	return &Registry{cfg: cfg, rules: NewList[*rule, State]("fault rule", "fault"), seeds: rand.New(cfg.Rand)}
}

// sleep waits d or until ctx is done.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Add checks rules and adds them after the rules already there, all or none: a
// malformed rule is a 400 naming its field (prefixed with its index when there are
// several), an id in use a 409. It returns the rules as listed, ids and seeds given.
func (g *Registry) Add(rules ...Rule) ([]State, error) {
	compiled := make([]*rule, len(rules))
	for i, spec := range rules {
		prefix := ""
		if len(rules) > 1 {
			prefix = fmt.Sprintf("[%d].", i)
		}
		r, err := compile(spec, prefix, g.cfg.ParseTenant)
		if err != nil {
			return nil, err
		}
		compiled[i] = r
	}
	return g.rules.Add(compiled, func(r *rule) {
		for r.random && r.spec.Seed == 0 {
			// 53 bits: a listed seed survives a JSON reader that reads numbers as
			// doubles (JavaScript), so that the run can be replayed from it.
			r.spec.Seed = int64(g.seeds.Uint64() >> 11)
		}
		r.seed()
	})
}

// Len returns how many rules there are.
func (g *Registry) Len() int { return g.rules.Len() }

// List returns the rules in the order added: those of tenant, or every rule when
// tenant is "".
func (g *Registry) List(tenant string) []State { return g.rules.List(tenant) }

// Get returns the rule with id, if it is of tenant (any tenant when tenant is "").
func (g *Registry) Get(id, tenant string) (State, bool) { return g.rules.Get(id, tenant) }

// Delete removes the rule with id, if it is of tenant (any tenant when tenant is "");
// it reports whether there was one.
func (g *Registry) Delete(id, tenant string) bool { return g.rules.Delete(id, tenant) }

// Clear removes the rules of tenant, or every rule when tenant is "", and returns how
// many it removed.
func (g *Registry) Clear(tenant string) int { return g.rules.Clear(tenant) }

// Outcome is what the rules did to a request.
type Outcome struct {
	// Answer, when not nil, is the error to answer with instead of the emulator.
	Answer *odata.Error
	// Applied lists the ids of the rules that acted, in order.
	Applied []string
}

// Apply runs the rules on a request, in the order they were added: each that matches
// and passes its gates (probability, count) acts; their delays add up; the first to
// answer ends the walk (rules after it do not see the request). Then it waits the
// delay: when ctx ends first it returns ctx's error, with the outcome so far. With no
// rule it returns at once.
func (g *Registry) Apply(ctx context.Context, req *Request) (Outcome, error) {
	var out Outcome
	if g.rules.Len() == 0 {
		return out, nil
	}
	now := g.cfg.Now()
	var delay time.Duration
	g.rules.Each(func(r *rule) bool {
		if !r.m.Match(req) {
			return true
		}
		e, acted := r.applyTo(now)
		if !acted {
			return true
		}
		out.Applied = append(out.Applied, r.spec.ID)
		delay += e.delay
		if e.answer != nil {
			out.Answer = e.answer
			return false
		}
		return true
	})
	if delay > 0 {
		if err := g.cfg.Sleep(ctx, delay); err != nil {
			return out, err
		}
	}
	return out, nil
}
