package faults

import "math/rand/v2"

// probability is the gate of Rule.Probability: a matching request is let into the rule
// with probability p, drawn from the rule's random source, seeded by Rule.Seed, so that
// the same seed and the same sequence of requests give the same decisions.
type probability struct{ p float64 }

func compileProbability(p float64, prefix string) (probability, error) {
	if p == 0 {
		return probability{p: 1}, nil
	}
	if p < 0 || p > 1 || p != p {
		return probability{}, Invalid(prefix+"probability", "Want a probability above 0 and at most 1 (0.25 for one request in four); got %v.", p)
	}
	return probability{p: p}, nil
}

// random reports whether the gate draws random numbers.
func (g probability) random() bool { return g.p < 1 }

// pass draws whether a request goes in.
func (g probability) pass(rng *rand.Rand) bool {
	return g.p >= 1 || rng.Float64() < g.p
}
