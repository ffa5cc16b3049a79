package emulatortest

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/graph-emulator/graph-emulator/emulator/control"
)

// The control client: the server's control API (/_emulator) from a test, for the
// tenant the Server is bound to (the default one, or one of Tenant's).

// Filter chooses the requests Requests lists; its zero value chooses every one. See
// control.Filter.
type Filter = control.Filter

// Entry is one journaled request. See control.Entry.
type Entry = control.Entry

// TenantHeader is the request header that names a request's tenant.
const TenantHeader = control.TenantHeader

// Tenant returns a client of the same server bound to a new tenant of its own, with a
// random name: Do, Send and Client send every request with the X-Emulator-Tenant
// header naming it, and Reset, Seed, Requests, ClearRequests and Export address it
// alone. Tests that share one server see none of each other's data. The tenant is
// reset when t ends. The returned Server is not to be closed: the server it shares
// stops with the one New returned.
func (s *Server) Tenant(t testing.TB) *Server {
	t.Helper()
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatalf("emulatortest: tenant name: %v", err)
	}
	c := *s
	c.tb = t
	c.tenant = "test-" + hex.EncodeToString(b[:])
	c.Client = &http.Client{Transport: &tenantTransport{base: s.transport, tenant: c.tenant}}
	c.shared = true
	t.Cleanup(func() {
		_, _ = c.Send(http.MethodPost, "/_emulator/reset", "")
	})
	return &c
}

// TenantName returns the tenant the Server is bound to: "" for the default tenant
// (requests carry no X-Emulator-Tenant header), else the name Tenant chose.
func (s *Server) TenantName() string { return s.tenant }

// tenantTransport adds the tenant header to every request.
type tenantTransport struct {
	base   http.RoundTripper
	tenant string
}

func (t *tenantTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Header.Get(TenantHeader) == "" {
		r = r.Clone(r.Context())
		r.Header.Set(TenantHeader, t.tenant)
	}
	return t.base.RoundTrip(r)
}

// Reset returns the server's state to its start: every tenant's, or, for a Server
// returned by Tenant, that tenant's alone. Any failure fails the test (panics for a
// server made by Start), as do Seed, Requests, ClearRequests and Export.
func (s *Server) Reset() {
	s.helper()
	s.control(http.MethodPost, "/_emulator/reset", "", http.StatusNoContent)
}

// Seed adds a fixture to the tenant's state (POST /_emulator/data): JSON as a []byte,
// string or json.RawMessage, or any other value, encoded with encoding/json (a
// map[string]any, a struct). See the README's fixture format. A bad fixture fails the
// test with the server's message, which names the problem; nothing of it is kept.
func (s *Server) Seed(fixture any) {
	s.helper()
	var body string
	switch f := fixture.(type) {
	case []byte:
		body = string(f)
	case string:
		body = f
	case json.RawMessage:
		body = string(f)
	default:
		b, err := json.Marshal(f)
		if err != nil {
			s.fail("emulatortest: Seed: %v", err)
			return
		}
		body = string(b)
	}
	s.control(http.MethodPost, "/_emulator/data", body, http.StatusOK)
}

// SeedFile adds the fixture in the file named path to the tenant's state, as Seed.
func (s *Server) SeedFile(path string) {
	s.helper()
	b, err := os.ReadFile(path)
	if err != nil {
		s.fail("emulatortest: SeedFile: %v", err)
		return
	}
	s.Seed(b)
}

// Export returns the tenant's whole state as a fixture (GET /_emulator/data).
func (s *Server) Export() []byte {
	s.helper()
	return s.control(http.MethodGet, "/_emulator/data", "", http.StatusOK)
}

// Requests returns the requests the server journaled that f chooses, oldest first: the
// tenant's, for a Server returned by Tenant. A $batch is one entry whose Children are
// its steps.
func (s *Server) Requests(f Filter) []Entry {
	s.helper()
	q := url.Values{}
	set := func(k, v string) {
		if v != "" {
			q.Set(k, v)
		}
	}
	set("method", f.Method)
	set("path", f.PathPrefix)
	if f.Status != 0 {
		set("status", strconv.Itoa(f.Status))
	} else if f.StatusClass != 0 {
		set("status", strconv.Itoa(f.StatusClass)+"xx")
	}
	if !f.Since.IsZero() {
		set("since", f.Since.Format(time.RFC3339Nano))
	}
	if f.Limit > 0 {
		set("limit", strconv.Itoa(f.Limit))
	}
	set("tenant", f.Tenant)
	path := "/_emulator/requests"
	if len(q) > 0 {
		path += "?" + q.Encode()
	}
	body := s.control(http.MethodGet, path, "", http.StatusOK)
	if body == nil {
		return nil
	}
	var list control.RequestList
	if err := json.Unmarshal(body, &list); err != nil {
		s.fail("emulatortest: Requests: %v", err)
	}
	return list.Value
}

// ClearRequests empties the journal: of the tenant alone, for a Server returned by
// Tenant.
func (s *Server) ClearRequests() {
	s.helper()
	s.control(http.MethodDelete, "/_emulator/requests", "", http.StatusNoContent)
}

// control sends a control request and returns the body of an answer with status want;
// any other answer fails the test.
func (s *Server) control(method, path, body string, want int) []byte {
	s.helper()
	resp, err := s.Send(method, path, body)
	if err != nil {
		s.fail("emulatortest: %v", err)
		return nil
	}
	if resp.Status != want {
		s.fail("emulatortest: %s %s: %s", method, path, resp)
		return nil
	}
	return resp.Body
}

func (s *Server) helper() {
	if s.tb != nil {
		s.tb.Helper()
	}
}

// fail fails the test, or panics for a server made by Start.
func (s *Server) fail(format string, args ...any) {
	if s.tb == nil {
		panic(fmt.Sprintf(format, args...))
	}
	s.tb.Helper()
	s.tb.Fatalf(format, args...)
}
