package emulatortest

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/graph-emulator/graph-emulator/emulator"
	"github.com/graph-emulator/graph-emulator/emulator/certs"
)

// Server is an emulator serving on a local httptest server.
type Server struct {
	// URL is the base URL, scheme://127.0.0.1:port (https for NewTLS), without a
	// version or a trailing slash: Graph's v1.0 endpoint is URL + "/v1.0".
	URL string
	// Emulator is the server behind URL.
	Emulator *emulator.Server
	// HTTP is the underlying httptest server.
	HTTP *httptest.Server
	// Client sends requests to URL; it keeps enough idle connections for tests that
	// send from many goroutines. For NewTLS it trusts the server's certificate.
	Client *http.Client

	tb        testing.TB // nil when started with Start
	transport *http.Transport
	// tenant is the tenant a Server returned by Tenant is bound to ("" for the
	// default); shared marks such a Server, which does not own the server.
	tenant string
	shared bool
}

// New starts emulator.New(opts...) on an httptest server and registers t.Cleanup to
// stop it. It fails the test if the options are rejected.
func New(t testing.TB, opts ...emulator.Option) *Server {
	t.Helper()
	s, err := Start(opts...)
	if err != nil {
		t.Fatalf("emulatortest: %v", err)
	}
	s.tb = t
	t.Cleanup(s.Close)
	return s
}

// Start is New without a testing.TB, for examples and TestMain: the caller must Close
// the server, and Do panics on a transport error.
func Start(opts ...emulator.Option) (*Server, error) {
	return start(false, opts)
}

// NewTLS is New over HTTPS: URL is https://127.0.0.1:port, served with HTTP/2 and
// HTTP/1.1 and httptest's certificate (valid for 127.0.0.1, ::1 and example.com),
// and Client trusts that certificate and no other. The emulator's absolute URLs
// (Location, @odata.context, @odata.nextLink) are then https ones, as Graph's are;
// CACertPEM gives the certificate to other processes that must trust it.
func NewTLS(t testing.TB, opts ...emulator.Option) *Server {
	t.Helper()
	s, err := StartTLS(opts...)
	if err != nil {
		t.Fatalf("emulatortest: %v", err)
	}
	s.tb = t
	t.Cleanup(s.Close)
	return s
}

// StartTLS is NewTLS without a testing.TB, as Start is for New.
func StartTLS(opts ...emulator.Option) (*Server, error) {
	return start(true, opts)
}

func start(useTLS bool, opts []emulator.Option) (*Server, error) {
	em, err := emulator.New(opts...)
	if err != nil {
		return nil, err
	}
	ts := httptest.NewUnstartedServer(em)
	var tr *http.Transport
	if useTLS {
		ts.EnableHTTP2 = true
		ts.StartTLS()
		// httptest's client trusts the server's certificate; its transport is closed
		// with the server, so the Server gets a copy of its own.
		tr = ts.Client().Transport.(*http.Transport).Clone()
	} else {
		ts.Start()
		tr = http.DefaultTransport.(*http.Transport).Clone()
	}
	tr.Proxy = nil
	tr.MaxIdleConns = 256
	tr.MaxIdleConnsPerHost = 256
	return &Server{
		URL:       ts.URL,
		Emulator:  em,
		HTTP:      ts,
		Client:    &http.Client{Transport: tr},
		transport: tr,
	}, nil
}

// CACertPEM returns, for a server made by NewTLS or StartTLS, the PEM certificate a
// client must trust to reach it (write it to a file for NODE_EXTRA_CA_CERTS,
// SSL_CERT_FILE or curl --cacert); nil for a plain HTTP server.
func (s *Server) CACertPEM() []byte {
	c := s.HTTP.Certificate()
	if c == nil {
		return nil
	}
	return certs.CertPEM(c)
}

// Close stops the server, closes the client's idle connections and closes the
// emulator (a data directory's file is then unlocked). It may be called more than
// once. On a Server returned by Tenant it does nothing.
func (s *Server) Close() {
	if s.shared {
		return
	}
	s.transport.CloseIdleConnections()
	s.HTTP.Close()
	if err := s.Emulator.Close(); err != nil && s.tb != nil {
		s.tb.Errorf("emulatortest: closing the emulator: %v", err)
	}
}

// Response is an answer read in full.
type Response struct {
	// Status is the HTTP status code.
	Status int
	// Header holds the response headers (names canonicalised by net/http:
	// Graph's request-id is Header.Get("request-id")).
	Header http.Header
	// Body is the whole response body.
	Body []byte
}

// String returns the status and the body, for test failure messages.
func (r *Response) String() string {
	return fmt.Sprintf("%d %s", r.Status, r.Body)
}

// Do sends a request and returns the response; a transport error fails the test (or
// panics for a server made by Start). See Send.
func (s *Server) Do(method, path, body string, headers ...string) *Response {
	if s.tb != nil {
		s.tb.Helper()
	}
	resp, err := s.Send(method, path, body, headers...)
	if err != nil {
		if s.tb == nil {
			panic(err)
		}
		s.tb.Fatalf("emulatortest: %v", err)
	}
	return resp
}

// Send sends a request and returns the response. Unlike Do it reports transport errors
// instead of failing the test, so it may be called from any goroutine.
//
// path is relative to URL ("/v1.0/...") or an absolute URL, such as an
// @odata.nextLink or a Location. A non-empty body goes out with Content-Type
// application/json unless headers name a Content-Type. headers are name, value pairs;
// an empty value removes the header, so ("Content-Type", "") sends a body without a
// Content-Type. Bodies may hold any bytes (a gzip stream, say).
func (s *Server) Send(method, path, body string, headers ...string) (*Response, error) {
	if len(headers)%2 != 0 {
		return nil, fmt.Errorf("emulatortest: headers must be name, value pairs, got %d strings", len(headers))
	}
	target := path
	if !strings.HasPrefix(path, "http://") && !strings.HasPrefix(path, "https://") {
		target = s.URL + path
	}
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, target, rd)
	if err != nil {
		return nil, fmt.Errorf("emulatortest: %s %s: %w", method, path, err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i < len(headers); i += 2 {
		if headers[i+1] == "" {
			req.Header.Del(headers[i])
			continue
		}
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := s.Client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("emulatortest: %s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(resp.Body); err != nil {
		return nil, fmt.Errorf("emulatortest: %s %s: reading body: %w", method, path, err)
	}
	return &Response{Status: resp.StatusCode, Header: resp.Header, Body: buf.Bytes()}, nil
}
