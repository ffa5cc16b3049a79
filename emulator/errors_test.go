package emulator_test

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tidwall/gjson"

	"github.com/graph-emulator/graph-emulator/emulator"
	"github.com/graph-emulator/graph-emulator/emulator/emulatortest"
)

// seedSetPath is the entity set the contract gives the seed docs' type.
const seedSetPath = "/v1.0/office365ServicesUserCounts"

// graphJSONType is the Content-Type of every JSON answer.
const graphJSONType = "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8"

// seedBody is the seed docs' request body, read from the golden request.
func seedBody(t *testing.T) string {
	t.Helper()
	return string(readGolden(t, "seed/create.request.http").body)
}

// createSeed creates an entity from the seed body and returns its id.
func createSeed(t *testing.T, srv *emulatortest.Server) string {
	t.Helper()
	resp := srv.Do("POST", seedSetPath, seedBody(t))
	if resp.Status != http.StatusCreated {
		t.Fatalf("create: %s", resp)
	}
	return gjson.GetBytes(resp.Body, "id").String()
}

// graphError is an error body as checkGraphError read it.
type graphError struct {
	Code, Message                    string
	Date, RequestID, ClientRequestID string
	Details                          []map[string]any
}

var innerDatePattern = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$`)

// checkGraphError checks that resp carries exactly Graph's error shape,
// {"error":{"code","message",["details",]"innerError":{"date","request-id","client-request-id"}}},
// with Graph's headers, a date of the form YYYY-MM-DDTHH:MM:SS and ids equal to the
// response headers; it returns the error read.
func checkGraphError(t *testing.T, resp *emulatortest.Response) graphError {
	t.Helper()
	var ge graphError
	if ct := resp.Header.Get("Content-Type"); ct != graphJSONType {
		t.Errorf("error Content-Type %q, want %q", ct, graphJSONType)
	}
	if v := resp.Header.Get("OData-Version"); v != "4.0" {
		t.Errorf("error OData-Version %q, want 4.0", v)
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(resp.Body, &top); err != nil {
		t.Errorf("error body is not a JSON object: %v: %s", err, resp.Body)
		return ge
	}
	if !sameKeys(top, "error") {
		t.Errorf("error body members %q, want exactly [error]: %s", mapKeys(top), resp.Body)
	}
	var e map[string]json.RawMessage
	if err := json.Unmarshal(top["error"], &e); err != nil {
		t.Errorf("error member is not an object: %s", resp.Body)
		return ge
	}
	if !sameKeys(e, "code", "message", "innerError") && !sameKeys(e, "code", "message", "innerError", "details") {
		t.Errorf("error members %q, want code, message, innerError (and details): %s", mapKeys(e), resp.Body)
	}
	stringMember(t, e, "code", &ge.Code)
	stringMember(t, e, "message", &ge.Message)
	if ge.Code == "" || ge.Message == "" {
		t.Errorf("error code %q and message %q must both be set", ge.Code, ge.Message)
	}
	if raw, ok := e["details"]; ok {
		if err := json.Unmarshal(raw, &ge.Details); err != nil {
			t.Errorf("details is not an array of objects: %s", raw)
		}
		for _, d := range ge.Details {
			if c, _ := d["code"].(string); c == "" {
				t.Errorf("detail without a code: %v", d)
			}
		}
	}
	var inner map[string]json.RawMessage
	if err := json.Unmarshal(e["innerError"], &inner); err != nil {
		t.Errorf("innerError is not an object: %s", resp.Body)
		return ge
	}
	if !sameKeys(inner, "date", "request-id", "client-request-id") {
		t.Errorf("innerError members %q, want exactly date, request-id, client-request-id", mapKeys(inner))
	}
	stringMember(t, inner, "date", &ge.Date)
	stringMember(t, inner, "request-id", &ge.RequestID)
	stringMember(t, inner, "client-request-id", &ge.ClientRequestID)
	if !innerDatePattern.MatchString(ge.Date) {
		t.Errorf("innerError.date %q is not YYYY-MM-DDTHH:MM:SS", ge.Date)
	}
	if h := resp.Header.Get("request-id"); ge.RequestID != h || !guidPattern.MatchString(h) {
		t.Errorf("innerError request-id %q, header %q (want equal GUIDs)", ge.RequestID, h)
	}
	if h := resp.Header.Get("client-request-id"); ge.ClientRequestID != h || h == "" {
		t.Errorf("innerError client-request-id %q, header %q (want equal, set)", ge.ClientRequestID, h)
	}
	return ge
}

func sameKeys(m map[string]json.RawMessage, keys ...string) bool {
	got := mapKeys(m)
	slices.Sort(keys)
	return slices.Equal(got, keys)
}

func mapKeys(m map[string]json.RawMessage) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func stringMember(t *testing.T, m map[string]json.RawMessage, name string, dst *string) {
	t.Helper()
	if err := json.Unmarshal(m[name], dst); err != nil {
		t.Errorf("member %q is not a string: %s", name, m[name])
	}
}

func gzipString(t *testing.T, s string) string {
	t.Helper()
	var b bytes.Buffer
	z := gzip.NewWriter(&b)
	if _, err := z.Write([]byte(s)); err != nil {
		t.Fatal(err)
	}
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// padded returns a JSON object of the seed type of exactly n bytes.
func padded(n int) string {
	const head, tail = `{"reportPeriod":"`, `"}`
	return head + strings.Repeat("x", n-len(head)-len(tail)) + tail
}

// storeSnapshot is what GET answers for the entity and for its set, to prove a failed
// request changed nothing.
func storeSnapshot(t *testing.T, srv *emulatortest.Server, id string) string {
	t.Helper()
	one := srv.Do("GET", seedSetPath+"/"+id, "")
	all := srv.Do("GET", seedSetPath, "")
	if one.Status != http.StatusOK || all.Status != http.StatusOK {
		t.Fatalf("snapshot: GET entity %d, GET set %d", one.Status, all.Status)
	}
	return string(one.Body) + "\n" + string(all.Body)
}

// errorDate is the clock of the error tests; innerError.date must show it.
var errorDate = time.Date(2021, 5, 18, 19, 3, 10, 0, time.UTC)

func TestErrors(t *testing.T) {
	t.Parallel()
	const (
		missing     = "00000000-0000-0000-0000-000000000000"
		unreadable  = "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format."
		tooLarge    = "Maximum request length exceeded."
		notAllowed  = "Specified HTTP method is not allowed for the request target."
		unknownProp = "The property 'noSuchProperty' does not exist on type 'microsoft.graph.office365ServicesUserCounts'. Make sure to only use property names that are defined by the type or mark the type as open type."
	)
	small := emulator.WithMaxBodyBytes(256)
	cases := []struct {
		name string
		opts []emulator.Option
		// method and path of the bad request; {{id}} is a stored entity's id.
		method, path string
		// body of the bad request; bodyFn, when set, makes it (for large bodies).
		body    string
		bodyFn  func(t *testing.T) string
		headers []string
		status  int
		code    string
		// message is the exact message; msgParts, parts of it.
		message  string
		msgParts []string
		// allow is the Allow header a 405 must carry.
		allow string
	}{
		// Resource paths.
		{name: "unknown entity set", method: "GET", path: "/v1.0/noSuchSet", status: 400, code: "BadRequest",
			message: "Resource not found for the segment 'noSuchSet'."},
		{name: "unknown entity set on POST", method: "POST", path: "/v1.0/noSuchSet", bodyFn: seedBody, status: 400, code: "BadRequest",
			message: "Resource not found for the segment 'noSuchSet'."},
		{name: "unknown segment after a key", method: "GET", path: seedSetPath + "/{{id}}/extra", status: 400, code: "BadRequest",
			message: "Resource not found for the segment 'extra'."},
		{name: "unknown segment after a parenthesised key", method: "PATCH", path: seedSetPath + "('{{id}}')/extra", body: `{"exchangeActive":1}`,
			status: 400, code: "BadRequest", message: "Resource not found for the segment 'extra'."},
		{name: "malformed key literal", method: "GET", path: seedSetPath + "('unterminated)", status: 400, code: "BadRequest",
			msgParts: []string{"Resource not found for the segment"}},
		{name: "unknown version", method: "GET", path: "/v2.0/office365ServicesUserCounts", status: 400, code: "BadRequest",
			msgParts: []string{"v2.0"}},
		{name: "outside any version", method: "GET", path: "/", status: 404, code: "NotFound"},

		// Keys.
		{name: "unknown id GET", method: "GET", path: seedSetPath + "/" + missing, status: 404, code: "Request_ResourceNotFound",
			message: "Resource '" + missing + "' does not exist or one of its queried reference-property objects are not present."},
		{name: "unknown id PATCH", method: "PATCH", path: seedSetPath + "/" + missing, body: `{"exchangeActive":1}`, status: 404, code: "Request_ResourceNotFound",
			msgParts: []string{"'" + missing + "'"}},
		{name: "unknown id PUT", method: "PUT", path: seedSetPath + "('" + missing + "')", bodyFn: seedBody, status: 404, code: "Request_ResourceNotFound"},
		{name: "unknown id DELETE", method: "DELETE", path: seedSetPath + "/" + missing, status: 404, code: "Request_ResourceNotFound"},
		{name: "client-supplied id taken", method: "POST", path: seedSetPath, body: `{"id":"{{id}}","exchangeActive":1}`, status: 409, code: "Request_BadRequest",
			msgParts: []string{"id"}},
		{name: "key changed by PATCH", method: "PATCH", path: seedSetPath + "/{{id}}", body: `{"id":"other"}`, status: 400, code: "Request_BadRequest",
			msgParts: []string{"'id'"}},
		{name: "empty client-supplied id", method: "POST", path: seedSetPath, body: `{"id":""}`, status: 400, code: "Request_BadRequest",
			msgParts: []string{"'id'"}},

		// Bodies that are not JSON objects.
		{name: "malformed JSON POST", method: "POST", path: seedSetPath, body: `{"exchangeActive":`, status: 400, code: "BadRequest", message: unreadable},
		{name: "malformed JSON PATCH", method: "PATCH", path: seedSetPath + "/{{id}}", body: `{"exchangeActive":1,}`, status: 400, code: "BadRequest", message: unreadable},
		{name: "empty body POST", method: "POST", path: seedSetPath, body: "", headers: []string{"Content-Type", "application/json"},
			status: 400, code: "BadRequest", message: unreadable},
		{name: "array body", method: "POST", path: seedSetPath, body: `[1,2]`, status: 400, code: "BadRequest", msgParts: []string{"array"}},
		{name: "string body", method: "PATCH", path: seedSetPath + "/{{id}}", body: `"x"`, status: 400, code: "BadRequest", msgParts: []string{"string"}},
		{name: "null body", method: "POST", path: seedSetPath, body: `null`, status: 400, code: "BadRequest", msgParts: []string{"null"}},

		// Bodies that do not fit the type.
		{name: "unknown property POST", method: "POST", path: seedSetPath, body: `{"exchangeActive":1,"noSuchProperty":1}`, status: 400,
			code: "RequestBodyRead", message: unknownProp},
		{name: "unknown property PATCH", method: "PATCH", path: seedSetPath + "/{{id}}", body: `{"noSuchProperty":1}`, status: 400,
			code: "RequestBodyRead", message: unknownProp},
		{name: "duplicate property", method: "PATCH", path: seedSetPath + "/{{id}}", body: `{"exchangeActive":1,"exchangeActive":2}`, status: 400,
			code: "RequestBodyRead", msgParts: []string{"'exchangeActive'"}},
		{name: "string for Int64", method: "PATCH", path: seedSetPath + "/{{id}}", body: `{"exchangeActive":"many"}`, status: 400,
			code: "Request_BadRequest", msgParts: []string{"'exchangeActive'", "'Edm.Int64'", "'office365ServicesUserCounts'"}},
		{name: "number for String", method: "POST", path: seedSetPath, body: `{"reportPeriod":7}`, status: 400,
			code: "Request_BadRequest", msgParts: []string{"'reportPeriod'", "'Edm.String'"}},
		{name: "object for Date", method: "POST", path: seedSetPath, body: `{"reportRefreshDate":{}}`, status: 400,
			code: "Request_BadRequest", msgParts: []string{"'reportRefreshDate'", "'Edm.Date'"}},
		{name: "null id", method: "POST", path: seedSetPath, body: `{"id":null}`, status: 400,
			code: "Request_BadRequest", msgParts: []string{"'id'"}},
		{name: "@odata.type of another type", method: "POST", path: seedSetPath, body: `{"@odata.type":"#microsoft.graph.user"}`, status: 400,
			code: "BadRequest", msgParts: []string{"microsoft.graph.user", "microsoft.graph.office365ServicesUserCounts"}},
		{name: "@odata.type of the base type", method: "POST", path: seedSetPath, body: `{"@odata.type":"#microsoft.graph.entity"}`, status: 400,
			code: "BadRequest", msgParts: []string{"microsoft.graph.entity"}},
		{name: "@odata.type not a string", method: "PATCH", path: seedSetPath + "/{{id}}", body: `{"@odata.type":5}`, status: 400, code: "BadRequest"},
		{name: "@odata.type of another type on PATCH", method: "PATCH", path: seedSetPath + "/{{id}}", body: `{"@odata.type":"#microsoft.graph.user","exchangeActive":1}`,
			status: 400, code: "BadRequest", msgParts: []string{"microsoft.graph.user"}},

		// Methods.
		{name: "DELETE on a collection", method: "DELETE", path: seedSetPath, status: 405, code: "Request_BadRequest", message: notAllowed, allow: "GET, POST"},
		{name: "PATCH on a collection", method: "PATCH", path: seedSetPath, body: `{"exchangeActive":1}`, status: 405, code: "Request_BadRequest", message: notAllowed, allow: "GET, POST"},
		{name: "POST on an entity", method: "POST", path: seedSetPath + "/{{id}}", bodyFn: seedBody, status: 405, code: "Request_BadRequest", message: notAllowed,
			allow: "GET, PATCH, PUT, DELETE"},
		{name: "POST on the service root", method: "POST", path: "/v1.0/", body: `{}`, status: 405, code: "Request_BadRequest", message: notAllowed, allow: "GET"},

		// Media types and encodings.
		{name: "text/plain POST", method: "POST", path: seedSetPath, bodyFn: seedBody, headers: []string{"Content-Type", "text/plain"}, status: 415, code: "RequestBodyRead"},
		{name: "application/xml PATCH", method: "PATCH", path: seedSetPath + "/{{id}}", body: `{"exchangeActive":1}`, headers: []string{"Content-Type", "application/xml"},
			status: 415, code: "RequestBodyRead"},
		{name: "no Content-Type POST", method: "POST", path: seedSetPath, bodyFn: seedBody, headers: []string{"Content-Type", ""}, status: 400, code: "BadRequest", message: unreadable},
		{name: "no Content-Type PATCH", method: "PATCH", path: seedSetPath + "/{{id}}", body: `{"exchangeActive":1}`, headers: []string{"Content-Type", ""},
			status: 400, code: "BadRequest", message: unreadable},
		{name: "unsupported Content-Encoding", method: "POST", path: seedSetPath, bodyFn: seedBody, headers: []string{"Content-Encoding", "br"}, status: 415, code: "RequestBodyRead",
			msgParts: []string{"br"}},
		{name: "gzip header on a plain body", method: "POST", path: seedSetPath, bodyFn: seedBody, headers: []string{"Content-Encoding", "gzip"}, status: 400,
			code: "BadRequest", message: unreadable},
		{name: "truncated gzip body", method: "PATCH", path: seedSetPath + "/{{id}}", headers: []string{"Content-Encoding", "gzip"}, status: 400, code: "BadRequest",
			bodyFn: func(t *testing.T) string { z := gzipString(t, `{"exchangeActive":1}`); return z[:len(z)-6] }},

		// Size limits.
		{name: "body over the default 4 MB", method: "POST", path: seedSetPath, status: 400, code: "BadRequest", message: tooLarge,
			bodyFn: func(*testing.T) string { return padded(emulator.DefaultMaxBodyBytes + 1) }},
		{name: "body over the default 4 MB on PATCH", method: "PATCH", path: seedSetPath + "/{{id}}", status: 400, code: "BadRequest", message: tooLarge,
			bodyFn: func(*testing.T) string { return padded(emulator.DefaultMaxBodyBytes + 1) }},
		{name: "gzip body inflating past the default 4 MB", method: "POST", path: seedSetPath, headers: []string{"Content-Encoding", "gzip"},
			status: 400, code: "BadRequest", message: tooLarge,
			bodyFn: func(t *testing.T) string { return gzipString(t, padded(emulator.DefaultMaxBodyBytes+1)) }},
		{name: "seed body over a small limit", opts: []emulator.Option{small}, method: "POST", path: seedSetPath, bodyFn: seedBody,
			status: 400, code: "BadRequest", message: tooLarge},
		{name: "body one byte over a small limit", opts: []emulator.Option{small}, method: "PATCH", path: seedSetPath + "/{{id}}",
			bodyFn: func(*testing.T) string { return padded(257) }, status: 400, code: "BadRequest", message: tooLarge},
		{name: "gzip body inflating past a small limit", opts: []emulator.Option{small}, method: "PATCH", path: seedSetPath + "/{{id}}",
			headers: []string{"Content-Encoding", "gzip"}, status: 400, code: "BadRequest", message: tooLarge,
			bodyFn: func(t *testing.T) string { return gzipString(t, padded(257)) }},

		// Query options.
		{name: "$filter naming an unknown property", method: "GET", path: seedSetPath + "?$filter=nope%20eq%201", status: 400, code: "BadRequest",
			msgParts: []string{"'nope'"}},
		{name: "$filter that does not parse", method: "GET", path: seedSetPath + "?$filter=exchangeActive%20eq", status: 400, code: "BadRequest",
			msgParts: []string{"Invalid filter clause"}},
		{name: "$select of an unknown property on an entity", method: "GET", path: seedSetPath + "/{{id}}?$select=nope", status: 400, code: "BadRequest",
			msgParts: []string{"'nope'"}},
		{name: "$top over the maximum", method: "GET", path: seedSetPath + "?$top=1000", status: 400, code: "BadRequest", msgParts: []string{"1000"}},
		{name: "$orderby of an unknown property", method: "GET", path: seedSetPath + "?$orderby=nope", status: 400, code: "BadRequest", msgParts: []string{"'nope'"}},
		{name: "$expand of an unknown navigation property", method: "GET", path: seedSetPath + "/{{id}}?$expand=x", status: 400, code: "BadRequest", msgParts: []string{"'x'"}},
		{name: "$count that is not a boolean", method: "GET", path: seedSetPath + "?$count=maybe", status: 400, code: "BadRequest", msgParts: []string{"'maybe' is not a valid count option"}},
		{name: "$search on a collection", method: "GET", path: seedSetPath + "?$search=x", status: 400, code: "BadRequest", msgParts: []string{"$search"}},
		{name: "$skiptoken on an entity", method: "GET", path: seedSetPath + "/{{id}}?$skiptoken=abc", status: 400, code: "BadRequest", msgParts: []string{"$skiptoken"}},
		{name: "$select on PATCH", method: "PATCH", path: seedSetPath + "/{{id}}?$select=id", body: `{"exchangeActive":1}`, status: 400, code: "BadRequest",
			msgParts: []string{"$select"}},
		{name: "$format xml", method: "GET", path: seedSetPath + "?$format=xml", status: 400, code: "BadRequest", msgParts: []string{"$format"}},
		{name: "invalid $skiptoken", method: "GET", path: seedSetPath + "?$skiptoken=not-a-token!", status: 400, code: "BadRequest", msgParts: []string{"$skiptoken"}},
		{name: "$skiptoken of another collection", method: "GET",
			path:   seedSetPath + "?$skiptoken=" + base64.RawURLEncoding.EncodeToString([]byte("users\x001")),
			status: 400, code: "BadRequest", msgParts: []string{"$skiptoken"}},

		// Strict validation.
		{name: "strict rejects the seed's Date placeholder", opts: []emulator.Option{emulator.WithStrict(true)}, method: "POST", path: seedSetPath,
			bodyFn: seedBody, status: 400, code: "Request_BadRequest", msgParts: []string{"'reportRefreshDate'", "'Date'", "'Edm.Date'"}},
		{name: "strict rejects the placeholder on PATCH", opts: []emulator.Option{emulator.WithStrict(true)}, method: "PATCH", path: seedSetPath + "/{{id}}",
			body: `{"reportRefreshDate":"Date"}`, status: 400, code: "Request_BadRequest", msgParts: []string{"'reportRefreshDate'"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			opts := append([]emulator.Option{emulator.WithClock(func() time.Time { return errorDate })}, tc.opts...)
			srv := emulatortest.New(t, opts...)
			// A valid entity to aim at (under strict rules when the case is strict).
			id := ""
			if resp := srv.Do("POST", seedSetPath, `{"reportRefreshDate":"2021-05-18","exchangeActive":1,"reportPeriod":"D7"}`); resp.Status == http.StatusCreated {
				id = gjson.GetBytes(resp.Body, "id").String()
			} else {
				t.Fatalf("create: %s", resp)
			}
			before := storeSnapshot(t, srv, id)

			body := tc.body
			if tc.bodyFn != nil {
				body = tc.bodyFn(t)
			}
			body = strings.ReplaceAll(body, "{{id}}", id)
			cid := "cid-" + strings.ReplaceAll(tc.name, " ", "-")
			headers := append([]string{"client-request-id", cid}, tc.headers...)
			resp := srv.Do(tc.method, strings.ReplaceAll(tc.path, "{{id}}", id), body, headers...)

			if resp.Status != tc.status {
				t.Errorf("status %d, want %d: %s", resp.Status, tc.status, resp.Body)
			}
			ge := checkGraphError(t, resp)
			if ge.Code != tc.code {
				t.Errorf("code %q, want %q", ge.Code, tc.code)
			}
			if tc.message != "" && ge.Message != tc.message {
				t.Errorf("message %q, want %q", ge.Message, tc.message)
			}
			for _, part := range tc.msgParts {
				if !strings.Contains(ge.Message, part) {
					t.Errorf("message %q does not contain %q", ge.Message, part)
				}
			}
			if want := errorDate.Format("2006-01-02T15:04:05"); ge.Date != want {
				t.Errorf("innerError.date %q, want the clock's %q", ge.Date, want)
			}
			if got := resp.Header.Get("client-request-id"); got != cid || ge.ClientRequestID != cid {
				t.Errorf("client-request-id header %q, innerError %q, want the client's %q", got, ge.ClientRequestID, cid)
			}
			if tc.allow != "" {
				if got := resp.Header.Get("Allow"); got != tc.allow {
					t.Errorf("Allow %q, want %q", got, tc.allow)
				}
			}
			if after := storeSnapshot(t, srv, id); after != before {
				t.Errorf("store changed by a failed request:\nbefore %s\nafter  %s", before, after)
			}
		})
	}
}

// TestBodyLimitUnknownLength sends bodies without a Content-Length (chunked), which the
// server can only measure while reading.
func TestBodyLimitUnknownLength(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		limit int64 // 0: default
		body  func(t *testing.T) []byte
		gzip  bool
		want  int
	}{
		{name: "default limit, over", body: func(*testing.T) []byte { return []byte(padded(emulator.DefaultMaxBodyBytes + 1)) }, want: 400},
		{name: "default limit, exactly at it", body: func(*testing.T) []byte { return []byte(padded(emulator.DefaultMaxBodyBytes)) }, want: 201},
		{name: "small limit, over", limit: 256, body: func(*testing.T) []byte { return []byte(padded(257)) }, want: 400},
		{name: "small limit, at it", limit: 256, body: func(*testing.T) []byte { return []byte(padded(256)) }, want: 201},
		{name: "small limit, gzip inflating past it", limit: 256, gzip: true,
			body: func(t *testing.T) []byte { return []byte(gzipString(t, padded(257))) }, want: 400},
		{name: "small limit, gzip inflating to it", limit: 256, gzip: true,
			body: func(t *testing.T) []byte { return []byte(gzipString(t, padded(256))) }, want: 201},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := emulatortest.New(t, emulator.WithMaxBodyBytes(tc.limit))
			body := tc.body(t)
			// A reader of unknown length makes net/http send the body chunked.
			req, err := http.NewRequest("POST", srv.URL+seedSetPath, io.MultiReader(bytes.NewReader(body)))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", "application/json")
			if tc.gzip {
				req.Header.Set("Content-Encoding", "gzip")
			}
			resp, err := srv.Client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			data, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err != nil {
				t.Fatal(err)
			}
			if req.ContentLength != -1 && req.ContentLength != 0 {
				t.Fatalf("request had a Content-Length %d; the case needs none", req.ContentLength)
			}
			got := &emulatortest.Response{Status: resp.StatusCode, Header: resp.Header, Body: data}
			if got.Status != tc.want {
				t.Fatalf("status %d, want %d: %.200s", got.Status, tc.want, data)
			}
			n := srv.Do("GET", seedSetPath, "")
			count := int(gjson.GetBytes(n.Body, "value.#").Int())
			if tc.want == 400 {
				if e := checkGraphError(t, got); e.Message != "Maximum request length exceeded." {
					t.Errorf("message %q", e.Message)
				}
				if count != 0 {
					t.Errorf("%d entities stored after a refused body", count)
				}
			} else if count != 1 {
				t.Errorf("%d entities stored, want 1", count)
			}
		})
	}
}

func TestGzipRequestBodies(t *testing.T) {
	t.Parallel()
	srv := emulatortest.New(t)
	gz := []string{"Content-Encoding", "gzip"}
	created := srv.Do("POST", seedSetPath, gzipString(t, seedBody(t)), gz...)
	if created.Status != http.StatusCreated {
		t.Fatalf("gzip POST: %s", created)
	}
	id := gjson.GetBytes(created.Body, "id").String()
	if got := gjson.GetBytes(created.Body, "teamsActive").Int(); got != 11 {
		t.Errorf("created teamsActive %d, want the seed's 11", got)
	}
	patched := srv.Do("PATCH", seedSetPath+"/"+id, gzipString(t, `{"teamsActive":77,"reportPeriod":"D30"}`), gz...)
	if patched.Status != http.StatusOK {
		t.Fatalf("gzip PATCH: %s", patched)
	}
	got := srv.Do("GET", seedSetPath+"/"+id, "")
	for path, want := range map[string]string{"teamsActive": "77", "reportPeriod": "D30", "exchangeActive": "14"} {
		if v := gjson.GetBytes(got.Body, path).String(); v != want {
			t.Errorf("%s = %q after gzip PATCH, want %q", path, v, want)
		}
	}
	// x-gzip and a gzip PUT are read too.
	put := srv.Do("PUT", seedSetPath+"/"+id, gzipString(t, `{"exchangeActive":5}`), "Content-Encoding", "x-gzip")
	if put.Status != http.StatusOK || gjson.GetBytes(put.Body, "exchangeActive").Int() != 5 {
		t.Errorf("x-gzip PUT: %s", put)
	}
}

func TestPreferReturnMinimal(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, prefer string
		minimal      bool
	}{
		{name: "return=minimal", prefer: "return=minimal", minimal: true},
		{name: "among other preferences", prefer: "odata.maxpagesize=5, return=minimal", minimal: true},
		{name: "return=representation", prefer: "return=representation"},
		{name: "none"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := emulatortest.New(t)
			id := createSeed(t, srv)
			var hdr []string
			if tc.prefer != "" {
				hdr = []string{"Prefer", tc.prefer}
			}
			resp := srv.Do("PATCH", seedSetPath+"/"+id, `{"teamsActive":5}`, hdr...)
			if tc.minimal {
				if resp.Status != http.StatusNoContent || len(resp.Body) != 0 {
					t.Errorf("got %s, want 204 without a body", resp)
				}
				if got := resp.Header.Get("Preference-Applied"); got != "return=minimal" {
					t.Errorf("Preference-Applied %q, want return=minimal", got)
				}
			} else {
				if resp.Status != http.StatusOK || gjson.GetBytes(resp.Body, "teamsActive").Int() != 5 {
					t.Errorf("got %s, want 200 with the entity", resp)
				}
				if got := resp.Header.Get("Preference-Applied"); got != "" {
					t.Errorf("Preference-Applied %q, want none", got)
				}
			}
			if v := gjson.GetBytes(srv.Do("GET", seedSetPath+"/"+id, "").Body, "teamsActive").Int(); v != 5 {
				t.Errorf("teamsActive %d after PATCH, want 5", v)
			}
			if resp.Header.Get("request-id") == "" || resp.Header.Get("OData-Version") != "4.0" {
				t.Errorf("envelope headers missing: %v", resp.Header)
			}
		})
	}
}

func TestPutReplaces(t *testing.T) {
	t.Parallel()
	srv := emulatortest.New(t)
	id := createSeed(t, srv)
	put := srv.Do("PUT", seedSetPath+"/"+id, `{"exchangeActive":1,"reportPeriod":"D7"}`)
	if put.Status != http.StatusOK {
		t.Fatalf("PUT: %s", put)
	}
	// What the PUT leaves out is gone: Graph writes every property of the type, the
	// unset ones as null.
	want := `{"@odata.context":"` + srv.URL + `/v1.0/$metadata#office365ServicesUserCounts/$entity",` +
		`"@odata.type":"#microsoft.graph.office365ServicesUserCounts","@odata.etag":"W/\"2\"","id":"` + id + `","reportRefreshDate":null,` +
		`"exchangeActive":1,"exchangeInactive":null,"oneDriveActive":null,"oneDriveInactive":null,"sharePointActive":null,` +
		`"sharePointInactive":null,"skypeForBusinessActive":null,"skypeForBusinessInactive":null,"yammerActive":null,` +
		`"yammerInactive":null,"teamsActive":null,"teamsInactive":null,"office365Active":null,"office365Inactive":null,"reportPeriod":"D7"}`
	for _, resp := range []*emulatortest.Response{put, srv.Do("GET", seedSetPath+"/"+id, "")} {
		if string(resp.Body) != want {
			t.Errorf("after PUT\n got %s\nwant %s", resp.Body, want)
		}
	}
	// The id may be repeated in the body when it is the same.
	if resp := srv.Do("PUT", seedSetPath+"('"+id+"')", `{"id":"`+id+`"}`); resp.Status != http.StatusOK {
		t.Errorf("PUT with the same id: %s", resp)
	}
}

func TestDeleteThenNotFound(t *testing.T) {
	t.Parallel()
	srv := emulatortest.New(t)
	keep := createSeed(t, srv)
	id := createSeed(t, srv)
	if resp := srv.Do("DELETE", seedSetPath+"/"+id, ""); resp.Status != http.StatusNoContent || len(resp.Body) != 0 {
		t.Fatalf("DELETE: %s, want 204 without a body", resp)
	}
	for _, method := range []string{"GET", "DELETE", "PATCH"} {
		resp := srv.Do(method, seedSetPath+"/"+id, map[bool]string{true: `{"exchangeActive":1}`}[method == "PATCH"])
		if resp.Status != http.StatusNotFound {
			t.Errorf("%s after DELETE: %d, want 404", method, resp.Status)
			continue
		}
		if e := checkGraphError(t, resp); e.Code != "Request_ResourceNotFound" {
			t.Errorf("%s after DELETE: code %q", method, e.Code)
		}
	}
	list := srv.Do("GET", seedSetPath, "")
	ids := gjson.GetBytes(list.Body, "value.#.id").String()
	if ids != `["`+keep+`"]` {
		t.Errorf("listed ids %s, want only %q", ids, keep)
	}
}

// TestKeyForms addresses entities as set/{id} and set('{id}'), with keys that need
// escaping: an encoded '/', a quote (doubled inside the literal), a space, parentheses.
func TestKeyForms(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, id string
		// paths address the entity; each must reach it.
		paths []string
		// location is the canonical URL path Location gives.
		location string
	}{
		{name: "GUID", id: "6c9949b7-49b7-6c99-b749-996cb749996c",
			paths:    []string{"/6c9949b7-49b7-6c99-b749-996cb749996c", "('6c9949b7-49b7-6c99-b749-996cb749996c')", "(6c9949b7-49b7-6c99-b749-996cb749996c)"},
			location: "('6c9949b7-49b7-6c99-b749-996cb749996c')"},
		{name: "encoded slash", id: "a/b",
			paths:    []string{"/a%2Fb", "('a%2Fb')", "/a%2fb"},
			location: "('a%2Fb')"},
		{name: "quote", id: "o'brien",
			paths:    []string{"/o'brien", "('o''brien')", "/o%27brien", "('o%27%27brien')"},
			location: "('o%27%27brien')"},
		{name: "quote and slash", id: "it's/here",
			paths:    []string{"/it's%2Fhere", "('it''s%2Fhere')"},
			location: "('it%27%27s%2Fhere')"},
		{name: "space and parentheses", id: "a (b)",
			paths:    []string{"/a%20(b)", "('a%20(b)')"},
			location: "('a%20%28b%29')"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := emulatortest.New(t)
			idJSON, _ := json.Marshal(tc.id)
			created := srv.Do("POST", seedSetPath, `{"id":`+string(idJSON)+`,"exchangeActive":1}`)
			if created.Status != http.StatusCreated {
				t.Fatalf("create: %s", created)
			}
			if got := gjson.GetBytes(created.Body, "id").String(); got != tc.id {
				t.Errorf("created id %q, want %q", got, tc.id)
			}
			loc := created.Header.Get("Location")
			if want := srv.URL + seedSetPath + tc.location; loc != want {
				t.Errorf("Location %q, want %q", loc, want)
			}
			if got := srv.Do("GET", loc, ""); got.Status != http.StatusOK || gjson.GetBytes(got.Body, "id").String() != tc.id {
				t.Errorf("GET Location %s: %s", loc, got)
			}
			for i, p := range tc.paths {
				got := srv.Do("GET", seedSetPath+p, "")
				if got.Status != http.StatusOK || gjson.GetBytes(got.Body, "id").String() != tc.id {
					t.Errorf("GET %s: %s", p, got)
				}
				patched := srv.Do("PATCH", seedSetPath+p, `{"exchangeActive":`+strconv.Itoa(i+10)+`}`)
				if patched.Status != http.StatusOK || gjson.GetBytes(patched.Body, "exchangeActive").Int() != int64(i+10) {
					t.Errorf("PATCH %s: %s", p, patched)
				}
			}
			last := tc.paths[len(tc.paths)-1]
			if got := srv.Do("DELETE", seedSetPath+last, ""); got.Status != http.StatusNoContent {
				t.Errorf("DELETE %s: %s", last, got)
			}
			if got := srv.Do("GET", seedSetPath+tc.paths[0], ""); got.Status != http.StatusNotFound {
				t.Errorf("GET %s after DELETE: %s", tc.paths[0], got)
			}
		})
	}
}

func TestClientRequestID(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, method, path, body string
		status                   int
	}{
		{name: "create", method: "POST", path: seedSetPath, body: `{"exchangeActive":1}`, status: 201},
		{name: "list", method: "GET", path: seedSetPath, status: 200},
		{name: "service root", method: "GET", path: "/v1.0/", status: 200},
		{name: "unknown segment", method: "GET", path: "/v1.0/nope", status: 400},
		{name: "unknown version", method: "GET", path: "/nope", status: 400},
		{name: "outside the API", method: "GET", path: "/", status: 404},
		{name: "bad body", method: "POST", path: seedSetPath, body: `{`, status: 400},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := emulatortest.New(t)
			sent := srv.Do(tc.method, tc.path, tc.body, "client-request-id", "my-id-"+tc.name)
			unsent := srv.Do(tc.method, tc.path, tc.body)
			for _, r := range []*emulatortest.Response{sent, unsent} {
				if r.Status != tc.status {
					t.Errorf("status %d, want %d", r.Status, tc.status)
				}
				if !guidPattern.MatchString(r.Header.Get("request-id")) {
					t.Errorf("request-id %q is not a GUID", r.Header.Get("request-id"))
				}
				if r.Header.Get("OData-Version") != "4.0" {
					t.Errorf("OData-Version %q", r.Header.Get("OData-Version"))
				}
			}
			if got := sent.Header.Get("client-request-id"); got != "my-id-"+tc.name {
				t.Errorf("client-request-id %q, want the client's", got)
			}
			if got, rid := unsent.Header.Get("client-request-id"), unsent.Header.Get("request-id"); got != rid {
				t.Errorf("client-request-id %q without one sent, want the request-id %q", got, rid)
			}
			if sent.Header.Get("request-id") == unsent.Header.Get("request-id") {
				t.Errorf("two requests share request-id %q", sent.Header.Get("request-id"))
			}
			if tc.status >= 400 {
				if e := checkGraphError(t, sent); e.ClientRequestID != "my-id-"+tc.name {
					t.Errorf("innerError client-request-id %q", e.ClientRequestID)
				}
				checkGraphError(t, unsent)
			}
		})
	}
}

// TestStrictSeedDate: the seed docs' "reportRefreshDate": "Date" passes by default and
// is refused, naming the property, under WithStrict(true).
func TestStrictSeedDate(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		strict bool
		body   func(t *testing.T) string
		status int
	}{
		{name: "default accepts the placeholder", body: seedBody, status: 201},
		{name: "strict refuses the placeholder", strict: true, body: seedBody, status: 400},
		{name: "strict accepts a real date", strict: true, status: 201,
			body: func(t *testing.T) string { return strings.Replace(seedBody(t), `"Date"`, `"2021-05-18"`, 1) }},
		{name: "strict refuses a date-time", strict: true, status: 400,
			body: func(t *testing.T) string { return strings.Replace(seedBody(t), `"Date"`, `"2021-05-18T00:00:00Z"`, 1) }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := emulatortest.New(t, emulator.WithStrict(tc.strict))
			resp := srv.Do("POST", seedSetPath, tc.body(t))
			if resp.Status != tc.status {
				t.Fatalf("status %d, want %d: %s", resp.Status, tc.status, resp.Body)
			}
			if tc.status == 400 {
				e := checkGraphError(t, resp)
				if !strings.Contains(e.Message, "reportRefreshDate") {
					t.Errorf("message %q does not name reportRefreshDate", e.Message)
				}
				if len(e.Details) == 0 || e.Details[0]["target"] != "reportRefreshDate" {
					t.Errorf("details %v, want a target reportRefreshDate", e.Details)
				}
			}
		})
	}
}

// TestPaging lists with WithPageSize(2): absolute nextLinks on the test server that
// keep the other query options and lead to the end, stable under deletes.
func TestPaging(t *testing.T) {
	t.Parallel()
	srv := emulatortest.New(t, emulator.WithPageSize(2))
	var ids []string
	for range 5 {
		ids = append(ids, createSeed(t, srv))
	}

	var seen []string
	var links []string
	next := seedSetPath + "?$format=json&custom=kept"
	for pages := 0; next != ""; pages++ {
		if pages > 5 {
			t.Fatalf("more than 5 pages for 5 entities; links %q", links)
		}
		resp := srv.Do("GET", next, "")
		if resp.Status != http.StatusOK {
			t.Fatalf("GET %s: %s", next, resp)
		}
		for _, v := range gjson.GetBytes(resp.Body, "value").Array() {
			seen = append(seen, v.Get("id").String())
		}
		if n := len(gjson.GetBytes(resp.Body, "value").Array()); n > 2 {
			t.Errorf("page of %d items, want at most 2", n)
		}
		if ctx := gjson.GetBytes(resp.Body, `@odata\.context`).String(); ctx != srv.URL+"/v1.0/$metadata#office365ServicesUserCounts" {
			t.Errorf("@odata.context %q", ctx)
		}
		next = gjson.GetBytes(resp.Body, `@odata\.nextLink`).String()
		if next != "" {
			links = append(links, next)
			u, err := url.Parse(next)
			if err != nil || !strings.HasPrefix(next, srv.URL+seedSetPath+"?") {
				t.Fatalf("nextLink %q is not an absolute URL of the set on the test server", next)
			}
			q := u.Query()
			if q.Get("$format") != "json" || q.Get("custom") != "kept" || q.Get("$skiptoken") == "" {
				t.Errorf("nextLink %q lost query options", next)
			}
		}
	}
	if !slices.Equal(seen, ids) {
		t.Errorf("paged ids %q, want the created %q in order", seen, ids)
	}
	if len(links) != 2 {
		t.Errorf("%d nextLinks, want 2: %q", len(links), links)
	}

	// A deletion behind or ahead of a token does not disturb the pages after it.
	if resp := srv.Do("DELETE", seedSetPath+"/"+ids[0], ""); resp.Status != http.StatusNoContent {
		t.Fatal(resp)
	}
	if resp := srv.Do("DELETE", seedSetPath+"/"+ids[2], ""); resp.Status != http.StatusNoContent {
		t.Fatal(resp)
	}
	resp := srv.Do("GET", links[0], "")
	got := gjson.GetBytes(resp.Body, "value.#.id").String()
	if want := `["` + ids[3] + `","` + ids[4] + `"]`; got != want {
		t.Errorf("page after deletes %s, want %s", got, want)
	}
	if n := gjson.GetBytes(resp.Body, `@odata\.nextLink`).String(); n != "" {
		t.Errorf("last page has nextLink %q", n)
	}
}

// TestQueryOptionsAccepted: what the emulator does accept on reads.
func TestQueryOptionsAccepted(t *testing.T) {
	t.Parallel()
	srv := emulatortest.New(t)
	id := createSeed(t, srv)
	for _, p := range []string{
		seedSetPath + "?$format=json",
		seedSetPath + "?$format=application/json",
		seedSetPath + "?custom=1",
		seedSetPath + "/" + id + "?$format=json",
		seedSetPath + "/" + id + "?custom=1",
	} {
		if resp := srv.Do("GET", p, ""); resp.Status != http.StatusOK {
			t.Errorf("GET %s: %s", p, resp)
		}
	}
}
