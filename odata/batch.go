package odata

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/tidwall/gjson"
)

// JSON batching as Graph defines it (POST /{version}/$batch): DecodeBatch reads and
// checks a batch request body, AppendBatchResponse writes the answer.
//
//	{"requests":[{"id":"1","method":"POST","url":"/users","headers":{"Content-Type":"application/json"},"body":{...},"dependsOn":[]}]}
//	{"responses":[{"id":"1","status":201,"headers":{"Content-Type":"application/json..."},"body":{...}}]}

// MaxBatchRequests is how many requests a batch may hold, as Graph allows.
const MaxBatchRequests = 20

// BatchRequest is one step of a batch, as DecodeBatch read it.
type BatchRequest struct {
	// ID is the step's id, as the client spelled it (ids compare case-insensitively).
	ID string
	// Method is the HTTP method, upper case.
	Method string
	// URL is the step's URL as sent: relative to the service root ("/users",
	// "users?$top=1").
	URL string
	// Header holds the step's headers, names in canonical form.
	Header http.Header
	// Body is the step's body: a JSON value as sent, or the bytes a base64 string
	// stands for where the step's Content-Type is not JSON. HasBody is false for a step
	// without a body or with "body": null.
	Body    []byte
	HasBody bool
	// DependsOn holds the indexes, in the batch, of the steps this one waits for.
	DependsOn []int
	// Err, when set, refuses this step alone: its answer is this error, and the step
	// never runs.
	Err *Error
}

// ErrBatchFormat answers a batch body that is not {"requests":[...]} with well-formed
// steps; the whole batch is refused.
func ErrBatchFormat(reason string) *Error {
	return &Error{Status: http.StatusBadRequest, Code: "BadRequest",
		Message: "Invalid batch payload format: " + reason}
}

// ErrBatchTooLarge answers a batch of more than MaxBatchRequests requests.
func ErrBatchTooLarge(n int) *Error {
	return &Error{Status: http.StatusBadRequest, Code: "BadRequest",
		Message: fmt.Sprintf("The batch holds %d requests; a batch may hold at most %d.", n, MaxBatchRequests)}
}

// ErrBatchDuplicateID answers a batch whose step ids are not unique (case-insensitively).
func ErrBatchDuplicateID(id string) *Error {
	return &Error{Status: http.StatusBadRequest, Code: "BadRequest",
		Message: fmt.Sprintf("Batch request ids must be unique (case-insensitively): '%s' appears more than once.", id)}
}

// ErrBatchDependency answers a dependsOn that names no step of the batch, or a cycle.
func ErrBatchDependency(reason string) *Error {
	return &Error{Status: http.StatusBadRequest, Code: "BadRequest",
		Message: "Invalid dependsOn in the batch: " + reason}
}

// ErrBatchStep refuses one step of a batch (the item's answer, not the batch's).
func ErrBatchStep(message string) *Error {
	return &Error{Status: http.StatusBadRequest, Code: "BadRequest", Message: message}
}

// ErrFailedDependency answers a step that depends on a step that did not succeed.
func ErrFailedDependency(id string) *Error {
	return &Error{Status: http.StatusFailedDependency, Code: "FailedDependency",
		Message: fmt.Sprintf("The request depends on request '%s', which failed.", id)}
}

// DecodeBatch reads a JSON batch body. An error (an *Error) refuses the whole batch:
// a body that is not a JSON object with a "requests" array of 1 to MaxBatchRequests
// objects, a step without a string id, method or url, ids that are not unique
// case-insensitively, headers that are not an object of scalar values, or a dependsOn
// that names an unknown step or makes a cycle. What refuses one step alone (an
// absolute URL, a body without a Content-Type, a body that is not valid base64, a
// malformed method or header) is left in that step's Err. Body slices point into data.
func DecodeBatch(data []byte) ([]BatchRequest, error) {
	if !gjson.ValidBytes(data) {
		return nil, ErrUnreadableJSON()
	}
	root := gjson.ParseBytes(data)
	if !root.IsObject() {
		return nil, ErrBatchFormat("the body must be a JSON object with a 'requests' array.")
	}
	reqs := root.Get("requests")
	if !reqs.IsArray() {
		return nil, ErrBatchFormat("the body must be a JSON object with a 'requests' array.")
	}
	items := reqs.Array()
	switch {
	case len(items) == 0:
		return nil, ErrBatchFormat("the 'requests' array is empty.")
	case len(items) > MaxBatchRequests:
		return nil, ErrBatchTooLarge(len(items))
	}
	steps := make([]BatchRequest, len(items))
	index := make(map[string]int, len(items)) // lower-case id -> step
	deps := make([][]string, len(items))
	for i, it := range items {
		st := &steps[i]
		var err error
		if deps[i], err = decodeStep(data, it, st); err != nil {
			return nil, err
		}
		key := strings.ToLower(st.ID)
		if _, dup := index[key]; dup {
			return nil, ErrBatchDuplicateID(st.ID)
		}
		index[key] = i
	}
	for i, names := range deps {
		for _, name := range names {
			j, ok := index[strings.ToLower(name)]
			if !ok {
				return nil, ErrBatchDependency(fmt.Sprintf("request '%s' depends on '%s', which is not in the batch.", steps[i].ID, name))
			}
			steps[i].DependsOn = append(steps[i].DependsOn, j)
		}
	}
	if id, ok := batchCycle(steps); ok {
		return nil, ErrBatchDependency(fmt.Sprintf("request '%s' depends on itself through dependsOn.", id))
	}
	return steps, nil
}

// decodeStep reads one request of the batch into st and returns its dependsOn names.
func decodeStep(data []byte, it gjson.Result, st *BatchRequest) ([]string, error) {
	if !it.IsObject() {
		return nil, ErrBatchFormat("each request must be a JSON object.")
	}
	var id, method, url, headers, body, dependsOn gjson.Result
	it.ForEach(func(k, v gjson.Result) bool {
		switch k.String() {
		case "id":
			id = v
		case "method":
			method = v
		case "url":
			url = v
		case "headers":
			headers = v
		case "body":
			body = v
		case "dependsOn":
			dependsOn = v
		}
		return true
	})
	if id.Type != gjson.String || id.Str == "" {
		return nil, ErrBatchFormat("each request needs an 'id', a non-empty string.")
	}
	st.ID = id.Str
	if method.Type != gjson.String {
		return nil, ErrBatchFormat(fmt.Sprintf("request '%s' needs a 'method', a string.", st.ID))
	}
	if url.Type != gjson.String {
		return nil, ErrBatchFormat(fmt.Sprintf("request '%s' needs a 'url', a string.", st.ID))
	}
	st.Method = strings.ToUpper(method.Str)
	st.URL = url.Str
	if err := decodeHeaders(st, headers); err != nil {
		return nil, err
	}
	var names []string
	switch {
	case !dependsOn.Exists() || dependsOn.Type == gjson.Null:
	case dependsOn.IsArray():
		for _, d := range dependsOn.Array() {
			if d.Type != gjson.String {
				return nil, ErrBatchFormat(fmt.Sprintf("the 'dependsOn' of request '%s' must be an array of request ids.", st.ID))
			}
			names = append(names, d.Str)
		}
	default:
		return nil, ErrBatchFormat(fmt.Sprintf("the 'dependsOn' of request '%s' must be an array of request ids.", st.ID))
	}
	switch {
	case st.Err != nil:
	case !isToken(st.Method):
		st.Err = ErrBatchStep(fmt.Sprintf("The method '%s' is not a valid HTTP method.", method.Str))
	case st.URL == "":
		st.Err = ErrBatchStep("The request URL is empty; write it relative to the service root, such as '/users'.")
	case isAbsoluteURL(st.URL):
		st.Err = ErrBatchStep(fmt.Sprintf("The request URL '%s' is absolute; batch request URLs are relative to the service root, such as '/users'.", st.URL))
	}
	if body.Exists() && body.Type != gjson.Null {
		decodeBody(data, body, st)
	}
	return names, nil
}

// decodeHeaders reads a step's headers: an object whose values are strings (numbers and
// booleans are taken as their text).
func decodeHeaders(st *BatchRequest, headers gjson.Result) error {
	if !headers.Exists() || headers.Type == gjson.Null {
		return nil
	}
	if !headers.IsObject() {
		return ErrBatchFormat(fmt.Sprintf("the 'headers' of request '%s' must be a JSON object.", st.ID))
	}
	var err error
	headers.ForEach(func(k, v gjson.Result) bool {
		var value string
		switch v.Type {
		case gjson.String:
			value = v.Str
		case gjson.Number, gjson.True, gjson.False:
			value = v.Raw
		default:
			err = ErrBatchFormat(fmt.Sprintf("the header '%s' of request '%s' must be a string.", k.String(), st.ID))
			return false
		}
		name := k.String()
		if !isToken(name) || !validHeaderValue(value) {
			if st.Err == nil {
				st.Err = ErrBatchStep(fmt.Sprintf("The header '%s' is not a valid HTTP header.", name))
			}
			return true
		}
		if st.Header == nil {
			st.Header = http.Header{}
		}
		st.Header.Add(name, value)
		return true
	})
	return err
}

// decodeBody reads a step's body: a JSON value where the Content-Type is JSON (or a
// non-string value), else a base64 string; a string is base64 too where the step names
// a Content-Encoding (a gzip JSON body, say). A body needs a Content-Type.
func decodeBody(data []byte, body gjson.Result, st *BatchRequest) {
	st.HasBody = true
	ct := st.Header.Get("Content-Type")
	if ct == "" {
		if st.Err == nil {
			st.Err = ErrBatchStep("A request with a body needs a Content-Type header.")
		}
		return
	}
	enc := strings.TrimSpace(st.Header.Get("Content-Encoding"))
	encoded := enc != "" && !strings.EqualFold(enc, "identity")
	if body.Type != gjson.String || isJSONType(ct) && !encoded {
		st.Body = rawBytes(data, body)
		return
	}
	b, ok := decodeBase64(body.Str)
	if !ok {
		if st.Err == nil {
			st.Err = ErrBatchStep(fmt.Sprintf("The body is not valid base64; a body of Content-Type '%s' is sent base64-encoded.", ct))
		}
		return
	}
	st.Body = b
}

// rawBytes returns the bytes of a value within data, without copying when gjson says
// where they are.
func rawBytes(data []byte, v gjson.Result) []byte {
	if v.Index > 0 && v.Index+len(v.Raw) <= len(data) {
		return data[v.Index : v.Index+len(v.Raw) : v.Index+len(v.Raw)]
	}
	return []byte(v.Raw)
}

// decodeBase64 accepts standard and URL-safe base64, padded or not.
func decodeBase64(s string) ([]byte, bool) {
	s = strings.TrimRight(s, "=")
	if strings.ContainsAny(s, "-_") {
		b, err := base64.RawURLEncoding.DecodeString(s)
		return b, err == nil
	}
	b, err := base64.RawStdEncoding.DecodeString(s)
	return b, err == nil
}

// isJSONType reports whether a Content-Type names application/json (any parameters).
func isJSONType(ct string) bool {
	mt, _, _ := strings.Cut(ct, ";")
	return strings.EqualFold(strings.TrimSpace(mt), "application/json")
}

// isAbsoluteURL reports whether u names a scheme or a host ("https://…", "//host/…").
func isAbsoluteURL(u string) bool {
	if strings.HasPrefix(u, "//") {
		return true
	}
	for i := 0; i < len(u); i++ {
		c := u[i]
		switch {
		case c == ':':
			return i > 0
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z':
		case i > 0 && (c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.'):
		default:
			return false
		}
	}
	return false
}

// isToken reports whether s is an HTTP token (a method or a header name).
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`"(),/:;<=>?@[\]{}`, c) >= 0 {
			return false
		}
	}
	return true
}

// validHeaderValue reports whether v may be sent as a header value.
func validHeaderValue(v string) bool {
	for i := 0; i < len(v); i++ {
		if c := v[i]; c < ' ' && c != '\t' || c == 0x7f {
			return false
		}
	}
	return true
}

// batchCycle reports a step on a dependsOn cycle, if there is one.
func batchCycle(steps []BatchRequest) (string, bool) {
	const (
		unseen = iota
		visiting
		done
	)
	state := make([]uint8, len(steps))
	var visit func(i int) bool
	visit = func(i int) bool {
		switch state[i] {
		case visiting:
			return true
		case done:
			return false
		}
		state[i] = visiting
		for _, j := range steps[i].DependsOn {
			if visit(j) {
				return true
			}
		}
		state[i] = done
		return false
	}
	for i := range steps {
		if visit(i) {
			return steps[i].ID, true
		}
	}
	return "", false
}

// BatchResponse is one item of a batch's answer.
type BatchResponse struct {
	ID     string
	Status int
	// Header holds the item's headers, one value each, in the order written.
	Header []BatchHeader
	// Body is the inner response's body; JSON says whether it is JSON (written as it
	// is, it must be valid JSON) or other bytes (written as a base64 string). A nil
	// Body writes no "body".
	Body []byte
	JSON bool
}

// BatchHeader is one header of a batch response item.
type BatchHeader struct{ Name, Value string }

// AppendBatchResponse appends the body of a batch's answer:
//
//	{"responses":[{"id":"1","status":200,"headers":{"Content-Type":"application/json"},"body":{...}}]}
func AppendBatchResponse(dst []byte, items []BatchResponse) []byte {
	dst = append(dst, BatchResponseStart...)
	for i, it := range items {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = AppendBatchItemStart(dst, it, it.Body != nil)
		if it.Body != nil {
			if it.JSON {
				dst = append(dst, it.Body...)
			} else {
				dst = append(dst, '"')
				dst = base64.StdEncoding.AppendEncode(dst, it.Body)
				dst = append(dst, '"')
			}
		}
		dst = append(dst, '}')
	}
	return append(dst, BatchResponseEnd...)
}

// BatchResponseStart and BatchResponseEnd enclose the items of a batch's answer, for a
// writer that streams them (AppendBatchItemStart).
const (
	BatchResponseStart = `{"responses":[`
	BatchResponseEnd   = "]}"
)

// AppendBatchItemStart appends an item of a batch's answer up to its body: its id,
// status and headers, then, when hasBody, the "body" member's name. The caller writes
// the body (JSON as it is, anything else as a base64 string) and closes the item with
// '}'; it.Body is not read.
func AppendBatchItemStart(dst []byte, it BatchResponse, hasBody bool) []byte {
	dst = append(dst, `{"id":`...)
	dst = AppendString(dst, it.ID)
	dst = append(dst, `,"status":`...)
	dst = strconv.AppendInt(dst, int64(it.Status), 10)
	dst = append(dst, `,"headers":{`...)
	for j, h := range it.Header {
		if j > 0 {
			dst = append(dst, ',')
		}
		dst = AppendString(dst, h.Name)
		dst = append(dst, ':')
		dst = AppendString(dst, h.Value)
	}
	dst = append(dst, '}')
	if hasBody {
		dst = append(dst, `,"body":`...)
	}
	return dst
}
