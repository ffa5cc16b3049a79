package stubs

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"

	"github.com/graph-emulator/graph-emulator/emulator/faults"
)

// Stub answers the requests it matches with Response, or with Responses in turn. Its
// JSON form is what POST /_emulator/stubs takes:
//
//	{"id":"trending", "method":"GET", "path":"/v1.0/me/insights/trending",
//	 "response":{"status":200, "headers":{"ETag":"W/\"1\""}, "body":{"value":[]}}}
//
//	{"method":"POST", "path":"/v1.0/subscriptions",
//	 "responses":[{"status":503, "headers":{"Retry-After":"0"}}, {"status":201, "body":{"id":"s1"}}],
//	 "afterLast":"repeat"}
type Stub struct {
	// ID names the stub, 1 to 64 letters, digits, '.', '_' or '-'; the server gives
	// one (stub-1, stub-2, ...) when it is empty.
	ID string `json:"id,omitempty"`
	faults.Match
	// Response is the one answer; Responses a sequence answered in turn. Give one of
	// them.
	Response  *Response  `json:"response,omitempty"`
	Responses []Response `json:"responses,omitempty"`
	// AfterLast says what follows the last of Responses: "repeat" (the default: the
	// last answers again), "cycle" (the first comes again), or "fallThrough" (the stub
	// stops answering and the requests go to the emulator, or a later stub).
	AfterLast string `json:"afterLast,omitempty"`
}

// Response is one scripted answer.
type Response struct {
	// Status is the HTTP status, 200 to 599; 0 (omitted) is 200.
	Status int `json:"status,omitempty"`
	// Headers are response headers; Content-Type defaults to Graph's JSON media type
	// when there is a body. request-id, client-request-id and OData-Version are the
	// server's, as on every answer: request-id, client-request-id and Content-Length
	// may not be given.
	Headers map[string]string `json:"headers,omitempty"`
	// Body is the JSON body (any JSON value; omitted or null: no body).
	Body json.RawMessage `json:"body,omitempty"`
}

// The values of Stub.AfterLast.
const (
	Repeat      = "repeat"
	Cycle       = "cycle"
	FallThrough = "fallThrough"
)

// State is a stub as GET /_emulator/stubs lists it: the stub with its id, and what it
// did.
type State struct {
	Stub
	// Hits counts the requests it answered.
	Hits int64 `json:"hits"`
	// Active is false once a fallThrough sequence is spent.
	Active bool `json:"active"`
}

// Answer is what a stub answers a request with.
type Answer struct {
	Status int
	// Header holds the stub's headers (no Content-Type when it gave none).
	Header http.Header
	// Body is the JSON body, nil for none.
	Body []byte
}

// stub is a compiled Stub; hits is guarded by the registry's lock.
type stub struct {
	spec    Stub
	m       faults.Matcher
	answers []Answer
	after   string
	hits    int64
}

// compile checks a stub and compiles it; errors name the field under prefix.
func compile(spec Stub, prefix string, parseTenant func(string) (string, error)) (*stub, error) {
	spec = spec.clone()
	if err := faults.CheckID(spec.ID, prefix+"id"); err != nil {
		return nil, err
	}
	m, err := faults.CompileMatch(&spec.Match, prefix, parseTenant)
	if err != nil {
		return nil, err
	}
	s := &stub{m: m}
	switch {
	case spec.Response == nil && len(spec.Responses) == 0:
		return nil, faults.Invalid(prefix+"response", "A stub needs what it answers: response, or responses in turn.")
	case spec.Response != nil && len(spec.Responses) > 0:
		return nil, faults.Invalid(prefix+"responses", "Give response or responses, not both.")
	case spec.Response != nil:
		a, err := compileResponse(spec.Response, prefix+"response")
		if err != nil {
			return nil, err
		}
		s.answers = []Answer{a}
	default:
		if len(spec.Responses) > 1000 {
			return nil, faults.Invalid(prefix+"responses", "A sequence holds at most 1000 responses.")
		}
		for i := range spec.Responses {
			a, err := compileResponse(&spec.Responses[i], fmt.Sprintf("%sresponses[%d]", prefix, i))
			if err != nil {
				return nil, err
			}
			s.answers = append(s.answers, a)
		}
	}
	switch strings.ToLower(spec.AfterLast) {
	case "", strings.ToLower(Repeat):
		s.after = Repeat
	case strings.ToLower(Cycle):
		s.after = Cycle
	case strings.ToLower(FallThrough):
		s.after = FallThrough
	default:
		return nil, faults.Invalid(prefix+"afterLast", "'%s' is not repeat, cycle or fallThrough.", spec.AfterLast)
	}
	if spec.AfterLast != "" {
		spec.AfterLast = s.after
	}
	s.spec = spec
	return s, nil
}

// compileResponse checks a response, compacts its body, and compiles it.
func compileResponse(r *Response, field string) (Answer, error) {
	if r.Status == 0 {
		r.Status = http.StatusOK
	}
	if r.Status < 200 || r.Status > 599 {
		return Answer{}, faults.Invalid(field+".status", "The status %d is not from 200 to 599.", r.Status)
	}
	h, err := faults.CheckHeaders(r.Headers, field+".headers")
	if err != nil {
		return Answer{}, err
	}
	a := Answer{Status: r.Status, Header: h}
	if body := bytes.TrimSpace(r.Body); len(body) > 0 && !bytes.Equal(body, []byte("null")) {
		var buf bytes.Buffer
		if err := json.Compact(&buf, body); err != nil {
			return Answer{}, faults.Invalid(field+".body", "The body is not valid JSON: %v.", err)
		}
		if r.Status == http.StatusNoContent || r.Status == http.StatusNotModified || r.Status < 200 {
			return Answer{}, faults.Invalid(field+".body", "A %d answer has no body.", r.Status)
		}
		r.Body = buf.Bytes()
		a.Body = r.Body
	} else {
		r.Body = nil
	}
	return a, nil
}

// clone copies the stub deeply.
func (s Stub) clone() Stub {
	s.Query = maps.Clone(s.Query)
	if s.Response != nil {
		r := s.Response.clone()
		s.Response = &r
	}
	if s.Responses != nil {
		rs := make([]Response, len(s.Responses))
		for i := range s.Responses {
			rs[i] = s.Responses[i].clone()
		}
		s.Responses = rs
	}
	return s
}

func (r Response) clone() Response {
	r.Headers = maps.Clone(r.Headers)
	r.Body = slices.Clone(r.Body)
	return r
}

// next returns the answer for the stub's next hit, or false when it falls through.
func (s *stub) next() (*Answer, bool) {
	i := int(s.hits)
	n := len(s.answers)
	if i >= n {
		switch s.after {
		case Repeat:
			i = n - 1
		case Cycle:
			i %= n
		default:
			return nil, false
		}
	}
	s.hits++
	return &s.answers[i], true
}

func (s *stub) active() bool { return s.after != FallThrough || int(s.hits) < len(s.answers) }

// Names, SetID and State make a stub an entry of a faults.List.
func (s *stub) Names() (id, tenant string) { return s.spec.ID, s.spec.Tenant }
func (s *stub) SetID(id string)            { s.spec.ID = id }
func (s *stub) State() State               { return s.state() }

func (s *stub) state() State {
	return State{Stub: s.spec.clone(), Hits: s.hits, Active: s.active()}
}
