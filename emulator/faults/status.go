package faults

import (
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/graph-emulator/graph-emulator/odata"
)

// Error is the status kind: the rule answers with an HTTP error in Graph's shape,
// {"error":{"code","message","innerError":{...}}}, instead of the emulated answer.
type Error struct {
	// Status is the HTTP status, 400 to 599 (429, 500, 503, 504...).
	Status int `json:"status"`
	// Code and Message are the error's; by default Graph's for the status (429:
	// TooManyRequests, "Please retry again later."; see DefaultError).
	Code    string `json:"code,omitempty"`
	Message string `json:"message,omitempty"`
	// RetryAfter is the Retry-After header, in seconds. Omitted, a 429 or a 503 carries
	// Retry-After: 1 (Graph sends one with both) and other statuses none; 0 sends
	// Retry-After: 0, which keeps a client's retries fast. Set it with RetryAfter(n)
	// from Go.
	RetryAfter *int `json:"retryAfter,omitempty"`
	// Headers are more response headers (not request-id, client-request-id or
	// Content-Length, which the server sets).
	Headers map[string]string `json:"headers,omitempty"`
}

// RetryAfter returns a pointer to n, for Error.RetryAfter.
func RetryAfter(seconds int) *int { return &seconds }

// maxRetryAfter bounds Error.RetryAfter: an hour.
const maxRetryAfter = 3600

// DefaultError returns Graph's code and message for an error status, and whether
// Graph sends Retry-After with it.
func DefaultError(status int) (code, message string, retryAfter bool) {
	switch status {
	case http.StatusBadRequest:
		return "BadRequest", "Cannot process the request because it is malformed or incorrect.", false
	case http.StatusUnauthorized:
		return "InvalidAuthenticationToken", "Access token is empty.", false
	case http.StatusForbidden:
		return "Authorization_RequestDenied", "Insufficient privileges to complete the operation.", false
	case http.StatusNotFound:
		return "ResourceNotFound", "The requested resource doesn't exist.", false
	case http.StatusConflict:
		return "Conflict", "The current state conflicts with what the request expects.", false
	case http.StatusTooManyRequests:
		return "TooManyRequests", "Please retry again later.", true
	case http.StatusInternalServerError:
		return "InternalServerError", "An internal server error occurred.", false
	case http.StatusBadGateway:
		return "BadGateway", "The server received an invalid response from the upstream server it needed to access.", false
	case http.StatusServiceUnavailable:
		return "serviceNotAvailable", "The service is temporarily unavailable for maintenance or is overloaded. You may repeat the request after a delay, the length of which may be specified in a Retry-After header.", true
	case http.StatusGatewayTimeout:
		return "GatewayTimeout", "The server, while acting as a proxy, did not receive a timely response from the upstream server it needed to access in attempting to complete the request.", false
	}
	text := http.StatusText(status)
	if text == "" {
		return "UnknownError", "An error was injected.", false
	}
	return strings.ReplaceAll(text, " ", ""), text + ".", false
}

// statusKind is a compiled Error.
type statusKind struct{ err *odata.Error }

// compileError checks e, fills in its defaults and compiles it.
func compileError(e *Error, prefix string) (*statusKind, error) {
	if e.Status < 400 || e.Status > 599 {
		return nil, Invalid(prefix+"error.status", "The status %d is not an error status (400 to 599): a rule answers with an error; a stub answers anything.", e.Status)
	}
	code, msg, retry := DefaultError(e.Status)
	if e.Code == "" {
		e.Code = code
	} else if len(e.Code) > 256 {
		return nil, Invalid(prefix+"error.code", "The code is longer than 256 characters.")
	}
	if e.Message == "" {
		e.Message = msg
	} else if len(e.Message) > 4096 {
		return nil, Invalid(prefix+"error.message", "The message is longer than 4096 characters.")
	}
	if e.RetryAfter == nil && retry {
		e.RetryAfter = RetryAfter(1)
	}
	h, err := CheckHeaders(e.Headers, prefix+"error.headers")
	if err != nil {
		return nil, err
	}
	if e.RetryAfter != nil {
		if n := *e.RetryAfter; n < 0 || n > maxRetryAfter {
			return nil, Invalid(prefix+"error.retryAfter", "Retry-After is %d; want seconds from 0 to %d.", n, maxRetryAfter)
		}
		if h == nil {
			h = http.Header{}
		}
		h.Set("Retry-After", strconv.Itoa(*e.RetryAfter))
	}
	return &statusKind{err: &odata.Error{Status: e.Status, Code: e.Code, Message: e.Message, Header: h}}, nil
}

func (k *statusKind) apply(time.Time, *rand.Rand) (effect, bool) {
	return effect{answer: k.err}, true
}

// CheckHeaders checks response headers given in a rule or a stub, and returns them in
// net/http's canonical form: names must be HTTP tokens, values free of line breaks;
// request-id, client-request-id and Content-Length, which the server sets, are
// refused. field names the member in errors.
func CheckHeaders(hs map[string]string, field string) (http.Header, error) {
	if len(hs) == 0 {
		return nil, nil
	}
	h := make(http.Header, len(hs))
	for k, v := range hs {
		if !isToken(k) || len(k) > 256 {
			return nil, Invalid(field, "'%s' is not a header name.", k)
		}
		switch ck := http.CanonicalHeaderKey(k); ck {
		case "Request-Id", "Client-Request-Id", "Content-Length", "Transfer-Encoding":
			return nil, Invalid(field+"."+k, "The server sets the %s header of every answer.", k)
		}
		if strings.ContainsAny(v, "\r\n\x00") || len(v) > 8192 {
			return nil, Invalid(field+"."+k, "A header value may not hold a line break or be longer than 8192 bytes.")
		}
		h.Set(k, v)
	}
	return h, nil
}
