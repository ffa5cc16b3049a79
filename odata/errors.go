package odata

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/graph-emulator/graph-emulator/entities"
)

// Error is an error as Graph reports it: an HTTP status, a code and a message, written as
// {"error":{"code","message","details"?,"innerError":{...}}}.
type Error struct {
	Status  int
	Code    string
	Message string
	Details []ErrorDetail
	// InnerCode, when not empty, is written as innerError's code: the more detailed
	// code some services give (OneDrive's fragmentOverlap under invalidRange).
	InnerCode string
	// Header holds response headers the error carries (Allow, Retry-After, ...).
	Header http.Header
}

// ErrorDetail is one entry of an error's details array.
type ErrorDetail struct {
	Code    string
	Message string
	Target  string
}

func (e *Error) Error() string { return fmt.Sprintf("%d %s: %s", e.Status, e.Code, e.Message) }

// InnerError is the diagnostic part Graph adds to every error.
type InnerError struct {
	Date            time.Time
	RequestID       string
	ClientRequestID string
}

// innerDateLayout is Graph's innerError.date: UTC, seconds, no zone.
const innerDateLayout = "2006-01-02T15:04:05"

// AppendJSON appends the error's JSON body to dst.
func (e *Error) AppendJSON(dst []byte, inner InnerError) []byte {
	dst = append(dst, `{"error":{"code":`...)
	dst = AppendString(dst, e.Code)
	dst = append(dst, `,"message":`...)
	dst = AppendString(dst, e.Message)
	if len(e.Details) > 0 {
		dst = append(dst, `,"details":[`...)
		for i, d := range e.Details {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = append(dst, `{"code":`...)
			dst = AppendString(dst, d.Code)
			dst = append(dst, `,"message":`...)
			dst = AppendString(dst, d.Message)
			dst = append(dst, `,"target":`...)
			dst = AppendString(dst, d.Target)
			dst = append(dst, '}')
		}
		dst = append(dst, ']')
	}
	dst = append(dst, `,"innerError":{`...)
	if e.InnerCode != "" {
		dst = append(dst, `"code":`...)
		dst = AppendString(dst, e.InnerCode)
		dst = append(dst, ',')
	}
	dst = append(dst, `"date":`...)
	dst = AppendString(dst, inner.Date.UTC().Format(innerDateLayout))
	dst = append(dst, `,"request-id":`...)
	dst = AppendString(dst, inner.RequestID)
	dst = append(dst, `,"client-request-id":`...)
	dst = AppendString(dst, inner.ClientRequestID)
	dst = append(dst, "}}}"...)
	return dst
}

// The Graph errors the emulator answers, one constructor per case.

// ErrSegmentNotFound is Graph's answer to a path segment it cannot resolve.
func ErrSegmentNotFound(segment string) *Error {
	return &Error{Status: http.StatusBadRequest, Code: "BadRequest",
		Message: fmt.Sprintf("Resource not found for the segment '%s'.", segment)}
}

// ErrInvalidVersion answers a path whose first segment is not a served API version.
func ErrInvalidVersion(version string) *Error {
	return &Error{Status: http.StatusBadRequest, Code: "BadRequest",
		Message: fmt.Sprintf("Invalid version: %s", version)}
}

// ErrNoResource answers a URL outside /{version}/ and /_emulator/.
func ErrNoResource(path string) *Error {
	return &Error{Status: http.StatusNotFound, Code: "NotFound",
		Message: fmt.Sprintf("No resource was found that matches the request URI '%s'.", path)}
}

// ErrEntityNotFound is Graph's answer for a key that names no stored entity.
func ErrEntityNotFound(id string) *Error {
	return &Error{Status: http.StatusNotFound, Code: "Request_ResourceNotFound",
		Message: fmt.Sprintf("Resource '%s' does not exist or one of its queried reference-property objects are not present.", id)}
}

// ErrInvalidKey answers a key in a request's path that holds a control character
// (see entities.ValidKey); the key is not echoed.
func ErrInvalidKey() *Error {
	return &Error{Status: http.StatusBadRequest, Code: "BadRequest",
		Message: "The key in the request URI is not valid: keys may not contain control characters (U+0000 to U+001F, U+007F)."}
}

// ErrUnreadableJSON answers a body that is not JSON or lacks a Content-Type.
func ErrUnreadableJSON() *Error {
	return &Error{Status: http.StatusBadRequest, Code: "BadRequest",
		Message: "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format."}
}

// ErrUnsupportedMediaType answers a write whose Content-Type (or Content-Encoding) is not JSON.
func ErrUnsupportedMediaType(contentType string) *Error {
	return &Error{Status: http.StatusUnsupportedMediaType, Code: "RequestBodyRead",
		Message: "A supported MIME type could not be found that matches the content type of the response.",
		Details: []ErrorDetail{{Code: "UnsupportedMediaType", Message: fmt.Sprintf("The content type '%s' is not supported; send application/json.", contentType), Target: "Content-Type"}}}
}

// ErrUnsupportedEncoding answers a body in a Content-Encoding the emulator cannot read.
func ErrUnsupportedEncoding(encoding string) *Error {
	return &Error{Status: http.StatusUnsupportedMediaType, Code: "RequestBodyRead",
		Message: fmt.Sprintf("The content encoding '%s' is not supported; send gzip or identity.", encoding)}
}

// ErrBodyTooLarge is Graph's answer to a request body over the size limit.
func ErrBodyTooLarge() *Error {
	return &Error{Status: http.StatusBadRequest, Code: "BadRequest", Message: "Maximum request length exceeded."}
}

// ErrTooDeep answers a JSON body that nests objects and arrays deeper than max levels
// (entities.MaxDepth).
func ErrTooDeep(max int) *Error {
	return &Error{Status: http.StatusBadRequest, Code: "BadRequest",
		Message: fmt.Sprintf("Unable to read JSON request payload: the maximum nesting depth of %d objects and arrays was exceeded.", max)}
}

// ErrMethodNotAllowed is Graph's answer to a method the resource does not support.
func ErrMethodNotAllowed(allow string) *Error {
	return &Error{Status: http.StatusMethodNotAllowed, Code: "Request_BadRequest",
		Message: "Specified HTTP method is not allowed for the request target.",
		Header:  http.Header{"Allow": {allow}}}
}

// ErrKeyConflict answers a create whose client-supplied key is taken.
func ErrKeyConflict(property, key string) *Error {
	return &Error{Status: http.StatusConflict, Code: "Request_BadRequest",
		Message: fmt.Sprintf("Another object with the same value for property %s already exists.", property),
		Details: []ErrorDetail{{Code: "ObjectConflict", Message: fmt.Sprintf("An entity with key '%s' already exists.", key), Target: property}}}
}

// ErrKeyChange answers an update whose body names another key than its URL.
func ErrKeyChange(property string) *Error {
	return &Error{Status: http.StatusBadRequest, Code: "Request_BadRequest",
		Message: fmt.Sprintf("The key property '%s' cannot be changed.", property),
		Details: []ErrorDetail{{Code: "InvalidValue", Message: "The key in the body differs from the key in the URL.", Target: property}}}
}

// ErrQueryOption answers a query option the emulator does not support on this request.
func ErrQueryOption(option string) *Error {
	return &Error{Status: http.StatusBadRequest, Code: "BadRequest",
		Message: fmt.Sprintf("Query option '%s' is not supported.", option)}
}

// ErrInvalidSkipToken answers a $skiptoken the emulator did not issue for this collection.
func ErrInvalidSkipToken() *Error {
	return &Error{Status: http.StatusBadRequest, Code: "BadRequest",
		Message: "Invalid $skiptoken: the token is malformed or was issued for another request."}
}

// ErrCancelled answers a request given up before its answer was ready: its client went
// away or its time ran out (see the server's timeouts).
func ErrCancelled() *Error {
	return &Error{Status: http.StatusServiceUnavailable, Code: "serviceNotAvailable",
		Message: "The request was cancelled or ran out of time before it could be answered."}
}

// ErrMisdirectedRequest answers a request whose Host header names no host the server
// answers to (a DNS rebinding attempt, or a name the emulator was not told of). The
// Host is not echoed.
func ErrMisdirectedRequest() *Error {
	return &Error{Status: http.StatusMisdirectedRequest, Code: "MisdirectedRequest",
		Message: "The request's Host header does not name this server. Address it by its bound address or a loopback name (localhost, 127.0.0.1, [::1]), or start it with --allowed-host NAME (or --tls-host NAME) for the name your client uses."}
}

// ErrDirectoryQuota answers a create that would take the tenant past its number of
// entities (limit): Microsoft Entra's answer when a tenant's directory object quota is
// reached (403 Directory_QuotaExceeded, as its captures show).
func ErrDirectoryQuota(limit int) *Error {
	return &Error{Status: http.StatusForbidden, Code: "Directory_QuotaExceeded",
		Message: "The directory object quota limit for the Tenant has been exceeded. Please ask your administrator to increase the quota limit or delete objects to reduce the used quota.",
		Details: []ErrorDetail{{Code: "QuotaExceeded", Message: fmt.Sprintf("The tenant holds the most entities the emulator allows (%d).", limit)}}}
}

// ErrStorageQuota answers a write that would take the tenant past the bytes it may
// store: Graph's 507 Insufficient Storage with the code quotaLimitReached, as Graph's
// error documentation lists them. why says which limit.
func ErrStorageQuota(why string) *Error {
	return &Error{Status: http.StatusInsufficientStorage, Code: "quotaLimitReached",
		Message: "The user has reached their quota limit.",
		Details: []ErrorDetail{{Code: "QuotaExceeded", Message: "The write was refused: " + why + "."}}}
}

// ErrInternal answers an unexpected failure; the server logs the cause.
func ErrInternal() *Error {
	return &Error{Status: http.StatusInternalServerError, Code: "InternalServerError",
		Message: "An internal server error occurred."}
}

// FromPayloadError turns an error of entities.ReadPayload into Graph's error, naming the
// property and the expected type. The second result is false for other errors.
func FromPayloadError(err error) (*Error, bool) {
	var (
		syn  *entities.SyntaxError
		nobj *entities.NotObjectError
		unk  *entities.UnknownPropertyError
		inv  *entities.InvalidValueError
		mis  *entities.TypeMismatchError
		abs  *entities.AbstractTypeError
		dup  *entities.DuplicatePropertyError
		ro   *entities.ReadOnlyPropertyError
		req  *entities.MissingPropertyError
		deep *entities.DepthError
	)
	switch {
	case errors.As(err, &syn):
		return ErrUnreadableJSON(), true
	case errors.As(err, &deep):
		return ErrTooDeep(deep.Max), true
	case errors.As(err, &nobj):
		return &Error{Status: http.StatusBadRequest, Code: "BadRequest",
			Message: fmt.Sprintf("Unable to read JSON request payload: the payload is a JSON %s where an object was expected.", nobj.Kind)}, true
	case errors.As(err, &unk):
		return &Error{Status: http.StatusBadRequest, Code: "RequestBodyRead",
			Message: fmt.Sprintf("The property '%s' does not exist on type '%s'. Make sure to only use property names that are defined by the type or mark the type as open type.", unk.Property, unk.Type)}, true
	case errors.As(err, &inv):
		return &Error{Status: http.StatusBadRequest, Code: "Request_BadRequest",
			Message: fmt.Sprintf("Invalid value specified for property '%s' of resource '%s'. Cannot convert the literal '%s' to the expected type '%s'.",
				inv.Property, shortName(inv.Type), inv.Literal, inv.Expected),
			Details: []ErrorDetail{{Code: "InvalidValue", Message: inv.Reason, Target: inv.Property}}}, true
	case errors.As(err, &mis):
		return &Error{Status: http.StatusBadRequest, Code: "BadRequest",
			Message: fmt.Sprintf("A type named '%s' could not be resolved by the model, or is not '%s' nor derived from it. When a model is available, each type name must resolve to a valid type.", mis.Claimed, mis.Expected)}, true
	case errors.As(err, &abs):
		return &Error{Status: http.StatusBadRequest, Code: "BadRequest",
			Message: fmt.Sprintf("Cannot create an instance of the abstract type '%s'.", abs.Type)}, true
	case errors.As(err, &dup):
		return &Error{Status: http.StatusBadRequest, Code: "RequestBodyRead",
			Message: fmt.Sprintf("Multiple property values with the name '%s' were found in the payload.", dup.Property)}, true
	case errors.As(err, &ro):
		return &Error{Status: http.StatusBadRequest, Code: "Request_BadRequest",
			Message: fmt.Sprintf("Property '%s' is read-only and cannot be set.", ro.Property),
			Details: []ErrorDetail{{Code: "ReadOnlyProperty", Message: "The property is read-only.", Target: ro.Property}}}, true
	case errors.As(err, &req):
		return &Error{Status: http.StatusBadRequest, Code: "Request_BadRequest",
			Message: fmt.Sprintf("A value is required for property '%s' of resource '%s'.", req.Property, shortName(req.Type)),
			Details: []ErrorDetail{{Code: "PropertyRequired", Message: "The property is required.", Target: req.Property}}}, true
	}
	return nil, false
}

// shortName returns the last segment of a qualified name.
func shortName(qualified string) string {
	for i := len(qualified) - 1; i >= 0; i-- {
		if qualified[i] == '.' {
			return qualified[i+1:]
		}
	}
	return qualified
}
