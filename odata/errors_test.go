package odata_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/graph-emulator/graph-emulator/entities"
	"github.com/graph-emulator/graph-emulator/odata"
)

// objectKeys returns the member names of the JSON object raw, in order, and fails the test
// when raw is not an object.
func objectKeys(tb testing.TB, raw []byte) []string {
	tb.Helper()
	dec := json.NewDecoder(bytes.NewReader(raw))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		tb.Fatalf("not a JSON object: %s", raw)
	}
	var keys []string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			tb.Fatalf("%v in %s", err, raw)
		}
		keys = append(keys, tok.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			tb.Fatalf("%v in %s", err, raw)
		}
	}
	return keys
}

// member returns the raw value of one member of the JSON object raw.
func member(tb testing.TB, raw []byte, name string) json.RawMessage {
	tb.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		tb.Fatalf("%v in %s", err, raw)
	}
	v, ok := m[name]
	if !ok {
		tb.Fatalf("no member %q in %s", name, raw)
	}
	return v
}

var innerDateRE = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$`)

func TestErrorAppendJSON(t *testing.T) {
	t.Parallel()
	zone := time.FixedZone("UTC+2", 2*3600)
	inner := odata.InnerError{
		Date:            time.Date(2021, 5, 18, 21, 3, 10, 987654321, zone),
		RequestID:       "6c9949b7-49b7-6c99-b749-996cb749996c",
		ClientRequestID: "client \"id\" \u2028 \x01",
	}
	tests := []struct {
		name  string
		err   *odata.Error
		keys  []string
		nDets int
	}{
		{
			name: "without details",
			err:  odata.ErrSegmentNotFound("nope"),
			keys: []string{"code", "message", "innerError"},
		},
		{
			name: "with details",
			err: &odata.Error{Status: 400, Code: "Request_BadRequest", Message: `Invalid value "x" <b>`,
				Details: []odata.ErrorDetail{{Code: "InvalidValue", Message: "m1", Target: "p"}, {Code: "C2", Message: "", Target: ""}}},
			keys:  []string{"code", "message", "details", "innerError"},
			nDets: 2,
		},
		{
			name: "empty code and message",
			err:  &odata.Error{Status: 500},
			keys: []string{"code", "message", "innerError"},
		},
		{
			name: "message with control characters and invalid UTF-8",
			err:  &odata.Error{Status: 400, Code: "BadRequest", Message: "a\nb\tc\\d\xffe\u2029"},
			keys: []string{"code", "message", "innerError"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			prefix := []byte("prefix:")
			out := tt.err.AppendJSON(prefix, inner)
			if !bytes.HasPrefix(out, []byte("prefix:")) {
				t.Fatalf("AppendJSON lost dst: %s", out)
			}
			body := out[len("prefix:"):]
			if !json.Valid(body) {
				t.Fatalf("invalid JSON: %s", body)
			}
			if got := objectKeys(t, body); !reflect.DeepEqual(got, []string{"error"}) {
				t.Fatalf("top-level keys %v", got)
			}
			errObj := member(t, body, "error")
			if got := objectKeys(t, errObj); !reflect.DeepEqual(got, tt.keys) {
				t.Fatalf("error keys %v, want %v", got, tt.keys)
			}
			var decoded struct {
				Error struct {
					Code       string
					Message    string
					Details    []map[string]string
					InnerError map[string]string `json:"innerError"`
				}
			}
			if err := json.Unmarshal(body, &decoded); err != nil {
				t.Fatal(err)
			}
			e := decoded.Error
			if e.Code != tt.err.Code || e.Message != strings.ToValidUTF8(tt.err.Message, "\uFFFD") {
				t.Errorf("code %q message %q, want %q %q", e.Code, e.Message, tt.err.Code, tt.err.Message)
			}
			if len(e.Details) != tt.nDets {
				t.Errorf("%d details, want %d", len(e.Details), tt.nDets)
			}
			for i, d := range e.Details {
				want := map[string]string{"code": tt.err.Details[i].Code, "message": tt.err.Details[i].Message, "target": tt.err.Details[i].Target}
				if !reflect.DeepEqual(d, want) {
					t.Errorf("detail %d = %v, want %v", i, d, want)
				}
			}
			if got := objectKeys(t, member(t, errObj, "innerError")); !reflect.DeepEqual(got, []string{"date", "request-id", "client-request-id"}) {
				t.Errorf("innerError keys %v", got)
			}
			in := e.InnerError
			if in["date"] != "2021-05-18T19:03:10" || !innerDateRE.MatchString(in["date"]) {
				t.Errorf("innerError.date = %q, want the UTC time without zone or fraction", in["date"])
			}
			if in["request-id"] != inner.RequestID || in["client-request-id"] != inner.ClientRequestID {
				t.Errorf("innerError = %v", in)
			}
		})
	}
}

func TestErrorConstructors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		err     *odata.Error
		status  int
		code    string
		message string
	}{
		{"segment not found", odata.ErrSegmentNotFound("x"), 400, "BadRequest", "Resource not found for the segment 'x'."},
		{"entity not found", odata.ErrEntityNotFound("ID"), 404, "Request_ResourceNotFound",
			"Resource 'ID' does not exist or one of its queried reference-property objects are not present."},
		{"unreadable JSON", odata.ErrUnreadableJSON(), 400, "BadRequest",
			"Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format."},
		{"body too large", odata.ErrBodyTooLarge(), 400, "BadRequest", "Maximum request length exceeded."},
		{"method not allowed", odata.ErrMethodNotAllowed("GET, POST"), 405, "Request_BadRequest",
			"Specified HTTP method is not allowed for the request target."},
		{"unsupported media type", odata.ErrUnsupportedMediaType("text/plain"), 415, "RequestBodyRead",
			"A supported MIME type could not be found that matches the content type of the response."},
		{"unsupported encoding", odata.ErrUnsupportedEncoding("br"), 415, "RequestBodyRead",
			"The content encoding 'br' is not supported; send gzip or identity."},
		{"key conflict", odata.ErrKeyConflict("id", "k"), 409, "Request_BadRequest",
			"Another object with the same value for property id already exists."},
		{"key change", odata.ErrKeyChange("id"), 400, "Request_BadRequest", "The key property 'id' cannot be changed."},
		{"invalid version", odata.ErrInvalidVersion("v2.0"), 400, "BadRequest", "Invalid version: v2.0"},
		{"no resource", odata.ErrNoResource("/x"), 404, "NotFound", "No resource was found that matches the request URI '/x'."},
		{"query option", odata.ErrQueryOption("$expand"), 400, "BadRequest", "Query option '$expand' is not supported."},
		{"invalid skip token", odata.ErrInvalidSkipToken(), 400, "BadRequest",
			"Invalid $skiptoken: the token is malformed or was issued for another request."},
		{"internal", odata.ErrInternal(), 500, "InternalServerError", "An internal server error occurred."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := tt.err
			if e.Status != tt.status || e.Code != tt.code || e.Message != tt.message {
				t.Fatalf("= %d %s %q\nwant %d %s %q", e.Status, e.Code, e.Message, tt.status, tt.code, tt.message)
			}
			if want := fmt.Sprintf("%d %s: %s", tt.status, tt.code, tt.message); e.Error() != want {
				t.Errorf("Error() = %q, want %q", e.Error(), want)
			}
			if !json.Valid(e.AppendJSON(nil, odata.InnerError{})) {
				t.Errorf("AppendJSON is not valid JSON")
			}
		})
	}
	if got := odata.ErrMethodNotAllowed("GET, POST").Header.Get("Allow"); got != "GET, POST" {
		t.Errorf("Allow header = %q", got)
	}
	if d := odata.ErrKeyConflict("id", "k").Details; len(d) != 1 || d[0].Code != "ObjectConflict" || d[0].Target != "id" {
		t.Errorf("key conflict details = %+v", d)
	}
	if a, b := odata.ErrInternal(), odata.ErrInternal(); a == b {
		t.Errorf("constructors share one *Error")
	}
}

func TestFromPayloadError(t *testing.T) {
	t.Parallel()
	s := newTestSchema(t)
	widget := s.EntityType("t.widget")
	tests := []struct {
		name     string
		body     string
		opts     entities.ReadOptions
		code     string
		message  string   // exact, when set
		contains []string // substrings of the message
		detail   *odata.ErrorDetail
	}{
		{
			name: "syntax", body: `{"name":`, code: "BadRequest",
			message: "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.",
		},
		{
			name: "not an object", body: `[1]`, code: "BadRequest",
			contains: []string{"Unable to read JSON request payload", "array"},
		},
		{
			name: "unknown property", body: `{"colour":"red"}`, code: "RequestBodyRead",
			message: "The property 'colour' does not exist on type 'test.ns.widget'. Make sure to only use property names that are defined by the type or mark the type as open type.",
		},
		{
			name: "unknown nested property", body: `{"part":{"weight":1}}`, code: "RequestBodyRead",
			message: "The property 'part.weight' does not exist on type 'test.ns.part'. Make sure to only use property names that are defined by the type or mark the type as open type.",
		},
		{
			name: "invalid value of the wrong kind", body: `{"count":"14"}`, code: "Request_BadRequest",
			contains: []string{"Invalid value specified for property 'count' of resource 'widget'.", "Cannot convert the literal '14' to the expected type 'Edm.Int64'."},
			detail:   &odata.ErrorDetail{Code: "InvalidValue", Target: "count"},
		},
		{
			name: "invalid date under strict", body: `{"born":"Date"}`, opts: entities.ReadOptions{Strict: true}, code: "Request_BadRequest",
			contains: []string{"Invalid value specified for property 'born' of resource 'widget'.", "literal 'Date' to the expected type 'Edm.Date'"},
			detail:   &odata.ErrorDetail{Code: "InvalidValue", Target: "born"},
		},
		{
			name: "invalid nested value", body: `{"part":{"size":true}}`, code: "Request_BadRequest",
			contains: []string{"property 'part.size' of resource 'part'.", "'Edm.Int32'"},
			detail:   &odata.ErrorDetail{Code: "InvalidValue", Target: "part.size"},
		},
		{
			name: "type mismatch", body: `{"@odata.type":"#t.gadget"}`, code: "BadRequest",
			contains: []string{"'#t.gadget'", "'test.ns.widget'"},
		},
		{
			name: "duplicate property", body: `{"name":"a","name":"b"}`, code: "RequestBodyRead",
			message: "Multiple property values with the name 'name' were found in the payload.",
		},
		{
			name: "read-only property", body: `{"name":"a","serial":"s"}`, opts: entities.ReadOptions{Strict: true}, code: "Request_BadRequest",
			contains: []string{"'serial'", "read-only"},
			detail:   &odata.ErrorDetail{Code: "ReadOnlyProperty", Target: "serial"},
		},
		{
			name: "missing required property", body: `{"count":1}`, opts: entities.ReadOptions{Strict: true}, code: "Request_BadRequest",
			message: "A value is required for property 'name' of resource 'widget'.",
			detail:  &odata.ErrorDetail{Code: "PropertyRequired", Target: "name"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, perr := s.ReadPayload(widget, []byte(tt.body), tt.opts)
			if perr == nil {
				t.Fatalf("ReadPayload accepted %s", tt.body)
			}
			for _, err := range []error{perr, fmt.Errorf("create: %w", perr)} {
				e, ok := odata.FromPayloadError(err)
				if !ok || e == nil {
					t.Fatalf("FromPayloadError(%v) = %v, %v", err, e, ok)
				}
				if e.Status != http.StatusBadRequest || e.Code != tt.code {
					t.Errorf("status/code = %d %s, want 400 %s", e.Status, e.Code, tt.code)
				}
				if tt.message != "" && e.Message != tt.message {
					t.Errorf("message = %q\nwant      %q", e.Message, tt.message)
				}
				for _, sub := range tt.contains {
					if !strings.Contains(e.Message, sub) {
						t.Errorf("message %q lacks %q", e.Message, sub)
					}
				}
				if tt.detail != nil {
					if len(e.Details) != 1 || e.Details[0].Code != tt.detail.Code || e.Details[0].Target != tt.detail.Target || e.Details[0].Message == "" {
						t.Errorf("details = %+v, want one like %+v", e.Details, *tt.detail)
					}
				}
				if !json.Valid(e.AppendJSON(nil, odata.InnerError{})) {
					t.Errorf("AppendJSON is not valid JSON")
				}
			}
		})
	}
	t.Run("abstract type", func(t *testing.T) {
		t.Parallel()
		_, perr := s.ReadPayload(s.EntityType("t.abstractGadget"), []byte(`{}`), entities.ReadOptions{})
		e, ok := odata.FromPayloadError(perr)
		if !ok || e.Status != 400 || e.Code != "BadRequest" || !strings.Contains(e.Message, "'test.ns.abstractGadget'") {
			t.Fatalf("FromPayloadError(%v) = %+v, %v", perr, e, ok)
		}
	})
	t.Run("other errors", func(t *testing.T) {
		t.Parallel()
		for _, err := range []error{nil, errors.New("disk full"), odata.ErrInternal()} {
			if e, ok := odata.FromPayloadError(err); ok || e != nil {
				t.Errorf("FromPayloadError(%v) = %v, %v; want nil, false", err, e, ok)
			}
		}
	})
}
