package faults

import (
	"encoding/json"
	"math/rand/v2"
	"net/http"
	"strconv"
	"time"

	"github.com/graph-emulator/graph-emulator/odata"
)

// RateLimit is the rate-limit kind: the rule lets Requests matching requests through
// in any sliding Window, and answers the others as Graph throttles: 429 TooManyRequests,
// "Please retry again later.", with Retry-After the whole seconds until a request would
// be let through again (at least 1). Refused requests do not use the budget. One budget
// per rule: give the rule a tenant to limit one tenant.
//
// In JSON the window is a Go duration string: {"requests":5,"window":"10s"}.
type RateLimit struct {
	Requests int
	Window   time.Duration
}

// Bounds of a rate limit.
const (
	maxRateRequests = 100_000
	maxRateWindow   = 24 * time.Hour
)

type rateLimitJSON struct {
	Requests int    `json:"requests"`
	Window   string `json:"window"`
}

// MarshalJSON writes the window as a Go duration string.
func (l RateLimit) MarshalJSON() ([]byte, error) {
	return json.Marshal(rateLimitJSON{Requests: l.Requests, Window: l.Window.String()})
}

// UnmarshalJSON reads the window written as a Go duration string ("10s", "1m").
func (l *RateLimit) UnmarshalJSON(b []byte) error {
	var j rateLimitJSON
	if err := decodeMember(b, &j, "rateLimit"); err != nil {
		return err
	}
	w, err := parseDuration(j.Window, "rateLimit.window")
	if err != nil {
		return err
	}
	l.Requests, l.Window = j.Requests, w
	return nil
}

// rateKind is a compiled RateLimit: a sliding log of the times of the requests let
// through in the window, a ring of Requests entries.
type rateKind struct {
	limit  int
	window time.Duration
	times  []time.Time // at most limit, oldest at head once full
	head   int
}

func compileRateLimit(l *RateLimit, prefix string) (*rateKind, error) {
	f := prefix + "rateLimit"
	if l.Requests < 1 || l.Requests > maxRateRequests {
		return nil, Invalid(f+".requests", "Want the number of requests let through in a window, 1 to %d; got %d.", maxRateRequests, l.Requests)
	}
	if l.Window <= 0 || l.Window > maxRateWindow {
		return nil, Invalid(f+".window", "Want a window such as \"1s\" or \"1m\", longer than zero and at most %s.", maxRateWindow)
	}
	return &rateKind{limit: l.Requests, window: l.Window}, nil
}

func (k *rateKind) apply(now time.Time, _ *rand.Rand) (effect, bool) {
	if len(k.times) < k.limit {
		k.times = append(k.times, now)
		return effect{}, false
	}
	oldest := k.times[k.head]
	if wait := oldest.Add(k.window).Sub(now); wait > 0 {
		secs := int64((wait + time.Second - 1) / time.Second) // rounded up: at least 1
		return effect{answer: throttled(secs)}, true
	}
	k.times[k.head] = now
	k.head = (k.head + 1) % k.limit
	return effect{}, false
}

// throttled is Graph's 429 with Retry-After.
func throttled(retryAfter int64) *odata.Error {
	code, msg, _ := DefaultError(http.StatusTooManyRequests)
	return &odata.Error{Status: http.StatusTooManyRequests, Code: code, Message: msg,
		Header: http.Header{"Retry-After": {strconv.FormatInt(retryAfter, 10)}}}
}
