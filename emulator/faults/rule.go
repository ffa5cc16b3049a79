package faults

import (
	"maps"
	"math/rand/v2"
	"net/http"
	"time"

	"github.com/graph-emulator/graph-emulator/odata"
)

// Rule is a fault rule: which requests it matches, what it does to them (one kind or
// two: Error, Latency, RateLimit; Latency goes with either of the others), and when
// (Probability, Count). Its JSON form is what POST /_emulator/faults takes and --fault
// gives:
//
//	{"id":"throttle-users", "method":"GET", "path":"/v1.0/users/**", "tenant":"tenant-b",
//	 "error":{"status":429, "retryAfter":0}, "probability":0.5, "seed":42, "count":2}
type Rule struct {
	// ID names the rule, 1 to 64 letters, digits, '.', '_' or '-'; the server gives
	// one (fault-1, fault-2, ...) when it is empty.
	ID string `json:"id,omitempty"`
	Match
	// Error answers with an HTTP error in Graph's shape.
	Error *Error `json:"error,omitempty"`
	// Latency delays the request.
	Latency *Latency `json:"latency,omitempty"`
	// RateLimit lets a number of requests through in a window and throttles the rest.
	RateLimit *RateLimit `json:"rateLimit,omitempty"`
	// Probability is the chance, above 0 and at most 1, that the rule applies to a
	// matching request; 0 (omitted) means always.
	Probability float64 `json:"probability,omitempty"`
	// Seed seeds the rule's random source (Probability, a Latency range), so that a
	// run is reproducible; 0 (omitted) lets the server choose one, which it lists.
	Seed int64 `json:"seed,omitempty"`
	// Count makes the rule act on the next Count requests it applies to, then stop
	// (it stays listed, with Active false); 0 (omitted) means no end.
	Count int `json:"count,omitempty"`
}

// State is a rule as GET /_emulator/faults lists it: the rule with its defaults filled
// in (id, seed, the error's code and message), and what it did.
type State struct {
	Rule
	// Matched counts the requests the rule matched; Hits those it acted on (delayed,
	// answered, throttled).
	Matched int64 `json:"matched"`
	Hits    int64 `json:"hits"`
	// Remaining is, for a rule with a Count, how many more requests it will act on.
	Remaining *int `json:"remaining,omitempty"`
	// Active is false once a Count is spent.
	Active bool `json:"active"`
}

// kind is what a rule does to a request it applies to; each kind is a file of its
// own (status.go, latency.go, ratelimit.go). apply is called under the registry's
// lock, with the time the request arrived and the rule's random source; it reports
// what to do and whether it acted (a rate limit under its limit does not).
type kind interface {
	apply(now time.Time, rng *rand.Rand) (effect, bool)
}

// effect is what a kind does to a request: wait, and answer instead of the emulator.
type effect struct {
	delay  time.Duration
	answer *odata.Error
}

// rule is a compiled Rule with its counters. Its fields other than spec and m are
// guarded by the registry's lock.
type rule struct {
	spec   Rule
	m      Matcher
	prob   probability
	count  counter
	kinds  []kind // latency first, then the status or the rate limit
	random bool   // draws random numbers: needs a seed
	rng    *rand.Rand

	matched, hits int64
}

// maxIDLen bounds a rule's id.
const maxIDLen = 64

// compile checks a rule and compiles it; errors name the field under prefix ("" or
// "[2]."). It fills in the rule's defaults but not its id or seed.
func compile(spec Rule, prefix string, parseTenant func(string) (string, error)) (*rule, error) {
	if err := CheckID(spec.ID, prefix+"id"); err != nil {
		return nil, err
	}
	spec = spec.clone()
	r := &rule{}
	var err error
	if r.m, err = CompileMatch(&spec.Match, prefix, parseTenant); err != nil {
		return nil, err
	}
	if spec.Error == nil && spec.Latency == nil && spec.RateLimit == nil {
		return nil, Invalid(prefix+"error", "A fault rule needs what it does: error (a status), latency or rateLimit.")
	}
	if spec.Error != nil && spec.RateLimit != nil {
		return nil, Invalid(prefix+"rateLimit", "A rule answers with an error or limits the rate, not both: make two rules.")
	}
	if spec.Latency != nil {
		l := *spec.Latency
		k, err := compileLatency(&l, prefix)
		if err != nil {
			return nil, err
		}
		spec.Latency = &l
		r.kinds = append(r.kinds, k)
		r.random = k.random()
	}
	if spec.RateLimit != nil {
		rl := *spec.RateLimit
		k, err := compileRateLimit(&rl, prefix)
		if err != nil {
			return nil, err
		}
		spec.RateLimit = &rl
		r.kinds = append(r.kinds, k)
	}
	if spec.Error != nil {
		e := *spec.Error
		k, err := compileError(&e, prefix)
		if err != nil {
			return nil, err
		}
		spec.Error = &e
		r.kinds = append(r.kinds, k)
	}
	if r.prob, err = compileProbability(spec.Probability, prefix); err != nil {
		return nil, err
	}
	r.random = r.random || r.prob.random()
	if r.count, err = compileCount(spec.Count, prefix); err != nil {
		return nil, err
	}
	if !r.random {
		spec.Seed = 0 // nothing to seed: not listed
	}
	r.spec = spec
	return r, nil
}

// CheckID checks an id given by the client ("" is allowed: the server names the rule).
func CheckID(id, field string) error {
	if id == "" {
		return nil
	}
	ok := len(id) <= maxIDLen
	for i := 0; ok && i < len(id); i++ {
		c := id[i]
		ok = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-'
	}
	if !ok {
		return Invalid(field, "The id '%s' is not 1 to %d letters, digits, '.', '_' or '-'.", id, maxIDLen)
	}
	return nil
}

// seed gives the rule its random source, from its seed.
func (r *rule) seed() {
	s := uint64(r.spec.Seed)
	r.rng = rand.New(rand.NewPCG(s, s^0x9e3779b97f4a7c15))
}

// applyTo runs the rule on a matching request: the gates, then each kind; it returns
// what to do and whether the rule acted.
func (r *rule) applyTo(now time.Time) (effect, bool) {
	r.matched++
	if !r.count.open() || !r.prob.pass(r.rng) {
		return effect{}, false
	}
	var out effect
	acted := false
	for _, k := range r.kinds {
		e, ok := k.apply(now, r.rng)
		if !ok {
			continue
		}
		acted = true
		out.delay += e.delay
		if e.answer != nil {
			out.answer = e.answer
			break
		}
	}
	if acted {
		r.hits++
		r.count.use()
	}
	return out, acted
}

// state is the rule as listed.
// Names, SetID and State make a rule an entry of a List.
func (r *rule) Names() (id, tenant string) { return r.spec.ID, r.spec.Tenant }
func (r *rule) SetID(id string)            { r.spec.ID = id }
func (r *rule) State() State               { return r.state() }

func (r *rule) state() State {
	s := State{Rule: r.spec.clone(), Matched: r.matched, Hits: r.hits, Active: r.count.open()}
	if r.count.limited {
		n := r.count.remaining
		s.Remaining = &n
	}
	return s
}

// clone copies the rule deeply, so that a listed rule shares nothing with the
// registry's.
func (r Rule) clone() Rule {
	r.Query = maps.Clone(r.Query)
	if r.Error != nil {
		e := *r.Error
		e.Headers = maps.Clone(e.Headers)
		if e.RetryAfter != nil {
			e.RetryAfter = RetryAfter(*e.RetryAfter)
		}
		r.Error = &e
	}
	if r.Latency != nil {
		l := *r.Latency
		r.Latency = &l
	}
	if r.RateLimit != nil {
		rl := *r.RateLimit
		r.RateLimit = &rl
	}
	return r
}

// Conflict answers an id already in use (409).
func Conflict(what, id string) *odata.Error {
	msg := "id: A " + what + " with id '" + id + "' exists already: delete it first, or give another id."
	return &odata.Error{Status: http.StatusConflict, Code: "Conflict", Message: msg,
		Details: []odata.ErrorDetail{{Code: "Conflict", Message: msg, Target: "id"}}}
}

// NotFound answers an id no rule or stub has (404).
func NotFound(what, id string) *odata.Error {
	return &odata.Error{Status: http.StatusNotFound, Code: "ResourceNotFound",
		Message: "No " + what + " has the id '" + id + "'."}
}
