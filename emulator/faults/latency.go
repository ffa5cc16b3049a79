package faults

import (
	"encoding/json"
	"math/rand/v2"
	"time"
)

// Latency is the latency kind: the rule delays the request before it is answered
// (emulated, stubbed, or by another rule). The delay is Delay, or a duration drawn
// evenly from Min to Max with the rule's seeded random source. A client that gives up
// ends the wait.
//
// In JSON durations are Go duration strings: {"delay":"200ms"} or
// {"min":"100ms","max":"2s"}.
type Latency struct {
	Delay time.Duration
	Min   time.Duration
	Max   time.Duration
}

// MaxLatency bounds a delay: five minutes.
const MaxLatency = 5 * time.Minute

type latencyJSON struct {
	Delay string `json:"delay,omitempty"`
	Min   string `json:"min,omitempty"`
	Max   string `json:"max,omitempty"`
}

// MarshalJSON writes durations as Go duration strings.
func (l Latency) MarshalJSON() ([]byte, error) {
	var j latencyJSON
	if l.Delay != 0 || l.Min == 0 && l.Max == 0 {
		j.Delay = l.Delay.String()
	}
	if l.Min != 0 || l.Max != 0 {
		j.Min, j.Max = l.Min.String(), l.Max.String()
	}
	return json.Marshal(j)
}

// UnmarshalJSON reads durations written as Go duration strings ("250ms", "1.5s").
func (l *Latency) UnmarshalJSON(b []byte) error {
	var j latencyJSON
	if err := decodeMember(b, &j, "latency"); err != nil {
		return err
	}
	var err error
	if l.Delay, err = parseDuration(j.Delay, "latency.delay"); err != nil {
		return err
	}
	if l.Min, err = parseDuration(j.Min, "latency.min"); err != nil {
		return err
	}
	l.Max, err = parseDuration(j.Max, "latency.max")
	return err
}

// latencyKind is a compiled Latency.
type latencyKind struct{ min, max time.Duration }

func compileLatency(l *Latency, prefix string) (*latencyKind, error) {
	f := prefix + "latency"
	switch {
	case l.Delay != 0 && (l.Min != 0 || l.Max != 0):
		return nil, Invalid(f, "Give a fixed delay, or a range with min and max, not both.")
	case l.Delay < 0 || l.Min < 0 || l.Max < 0:
		return nil, Invalid(f, "A delay cannot be negative.")
	case l.Delay > MaxLatency || l.Max > MaxLatency:
		return nil, Invalid(f, "A delay is at most %s.", MaxLatency)
	case l.Delay != 0:
		return &latencyKind{min: l.Delay, max: l.Delay}, nil
	case l.Max == 0:
		return nil, Invalid(f+".delay", "Give a delay such as \"200ms\", or a range with min and max.")
	case l.Max < l.Min:
		return nil, Invalid(f+".max", "The range's max (%s) is less than its min (%s).", l.Max, l.Min)
	}
	return &latencyKind{min: l.Min, max: l.Max}, nil
}

func (k *latencyKind) random() bool { return k.max > k.min }

func (k *latencyKind) apply(_ time.Time, rng *rand.Rand) (effect, bool) {
	d := k.min
	if k.max > k.min {
		d += time.Duration(rng.Int64N(int64(k.max-k.min) + 1))
	}
	return effect{delay: d}, true
}
