package emulator_test

import (
	"bufio"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/graph-emulator/graph-emulator/emulator"
	"github.com/graph-emulator/graph-emulator/emulator/emulatortest"
	"github.com/graph-emulator/graph-emulator/entities"
)

// Absolute URLs follow the scheme and host of the request that produced them, so that
// one emulator serves http and https clients under whatever name they used, and follow
// X-Forwarded-Proto and X-Forwarded-Host only with WithTrustProxy.

// linksSchema serves one entity set, "widgets", of a type with a name.
func linksSchema(t *testing.T) *entities.Schema {
	t.Helper()
	s := entities.NewSchema("example.test")
	for _, err := range []error{
		s.AddType(&entities.StructuredType{Name: "widget", Kind: entities.KindEntity, Key: []string{"id"},
			Properties: []*entities.Property{{Name: "id", Type: "Edm.String", NotNull: true}, {Name: "name", Type: "Edm.String"}}}),
		s.AddEntitySet("widgets", "example.test.widget"),
		s.Resolve(),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	return s
}

// linksServer is an emulator on a listener of the test's choosing.
type linksServer struct {
	url    string // scheme://addr the server listens on
	client *http.Client
}

// startLinksServer serves emulator.New(opts...) over HTTPS or HTTP on network address
// addr ("127.0.0.1:0" or "[::1]:0"), skipping the test when addr is IPv6 and the
// machine has no IPv6 loopback.
func startLinksServer(t *testing.T, useTLS bool, addr string, opts ...emulator.Option) *linksServer {
	t.Helper()
	em, err := emulator.New(opts...)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		if strings.HasPrefix(addr, "[::1]") {
			t.Skipf("no IPv6 loopback on this machine: %v", err)
		}
		t.Fatal(err)
	}
	ts := httptest.NewUnstartedServer(em)
	ts.Listener.Close()
	ts.Listener = ln
	if useTLS {
		ts.StartTLS()
	} else {
		ts.Start()
	}
	t.Cleanup(ts.Close)
	c := ts.Client()
	return &linksServer{url: ts.URL, client: c}
}

// linksResponse is an answer read in full.
type linksResponse struct {
	status int
	header http.Header
	body   map[string]any
	raw    string
}

// send sends a request to target through the server's own address: the URL's host
// becomes the Host header, so that a link on a host the test machine cannot resolve
// (localhost:PORT on a v6-only name, a proxy's name) can still be followed.
func (s *linksServer) send(t *testing.T, method, target, body string, header ...string) *linksResponse {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatalf("bad URL %q: %v", target, err)
	}
	real, _ := url.Parse(s.url)
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(t.Context(), method, real.Scheme+"://"+real.Host+u.RequestURI(), rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Host = u.Host
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := s.client.Do(req)
	if err != nil {
		t.Fatalf("%s %s (Host %s): %v", method, req.URL, req.Host, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	r := &linksResponse{status: resp.StatusCode, header: resp.Header, raw: string(b)}
	if len(b) > 0 {
		if err := json.Unmarshal(b, &r.body); err != nil {
			t.Fatalf("%s %s: body is not JSON: %v\n%s", method, target, err, b)
		}
	}
	if wantTLS := real.Scheme == "https"; (resp.TLS != nil) != wantTLS {
		t.Fatalf("%s %s: TLS = %v, want %v", method, target, resp.TLS != nil, wantTLS)
	}
	return r
}

func (r *linksResponse) str(key string) string {
	s, _ := r.body[key].(string)
	return s
}

func TestLinksFollowSchemeAndHost(t *testing.T) {
	t.Parallel()
	type test struct {
		name   string
		tls    bool
		listen string   // network address
		host   string   // Host the client uses; "" for the listener's address
		header []string // extra request headers, name then value
		trust  bool     // WithTrustProxy(true)
		allow  []string // WithAllowedHosts: names the client uses besides loopback ones
		want   string   // expected base; PORT stands for the listener's port
	}
	tests := []test{
		{name: "http", listen: "127.0.0.1:0", want: "http://127.0.0.1:PORT"},
		{name: "https", tls: true, listen: "127.0.0.1:0", want: "https://127.0.0.1:PORT"},
		{name: "http by the name localhost", listen: "127.0.0.1:0", host: "localhost:PORT", want: "http://localhost:PORT"},
		{name: "https by the name localhost", tls: true, listen: "127.0.0.1:0", host: "localhost:PORT", want: "https://localhost:PORT"},
		{name: "https by a name of the client's choice", tls: true, listen: "127.0.0.1:0", host: "graph.local.test:PORT",
			allow: []string{"graph.local.test"}, want: "https://graph.local.test:PORT"},
		{name: "http IPv6 literal", listen: "[::1]:0", want: "http://[::1]:PORT"},
		{name: "https IPv6 literal", tls: true, listen: "[::1]:0", want: "https://[::1]:PORT"},
		{name: "forwarded headers ignored by default", tls: true, listen: "127.0.0.1:0",
			header: []string{"X-Forwarded-Proto", "http", "X-Forwarded-Host", "proxy.test:8443"},
			want:   "https://127.0.0.1:PORT"},
		{name: "forwarded headers ignored by default over http", listen: "127.0.0.1:0",
			header: []string{"X-Forwarded-Proto", "https", "X-Forwarded-Host", "proxy.test"},
			want:   "http://127.0.0.1:PORT"},
		// The links name the proxy; following them here reaches the listener under the
		// proxy's name, which must then be allowed (a real proxy sends its own Host).
		{name: "forwarded headers with trust proxy", listen: "127.0.0.1:0", trust: true,
			header: []string{"X-Forwarded-Proto", "https", "X-Forwarded-Host", "proxy.test:8443"},
			allow:  []string{"*.test"}, want: "https://proxy.test:8443"},
		{name: "forwarded https to an http listener, IPv6 proxy", listen: "[::1]:0", trust: true,
			header: []string{"X-Forwarded-Proto", "HTTPS", "X-Forwarded-Host", "[::1]:9443"},
			want:   "https://[::1]:9443"},
		{name: "trust proxy without forwarded headers", tls: true, listen: "127.0.0.1:0", trust: true,
			want: "https://127.0.0.1:PORT"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := startLinksServer(t, tt.tls, tt.listen,
				emulator.WithSchema("v1.0", linksSchema(t)), emulator.WithPageSize(1), emulator.WithTrustProxy(tt.trust),
				emulator.WithAllowedHosts(tt.allow...))
			u, _ := url.Parse(srv.url)
			port := u.Port()
			want := strings.ReplaceAll(tt.want, "PORT", port)
			base := srv.url
			if tt.host != "" {
				base = u.Scheme + "://" + strings.ReplaceAll(tt.host, "PORT", port)
			}

			root := srv.send(t, "GET", base+"/v1.0/", "", tt.header...)
			if got := root.str("@odata.context"); got != want+"/v1.0/$metadata" {
				t.Errorf("service document @odata.context = %q, want %q", got, want+"/v1.0/$metadata")
			}

			var ids []string
			for _, name := range []string{"a", "b"} {
				created := srv.send(t, "POST", base+"/v1.0/widgets", `{"name":"`+name+`"}`, tt.header...)
				if created.status != http.StatusCreated {
					t.Fatalf("POST: %d %s", created.status, created.raw)
				}
				id := created.str("id")
				ids = append(ids, id)
				if loc, wantLoc := created.header.Get("Location"), want+"/v1.0/widgets('"+id+"')"; loc != wantLoc {
					t.Errorf("Location = %q, want %q", loc, wantLoc)
				}
				if got, w := created.str("@odata.context"), want+"/v1.0/$metadata#widgets/$entity"; got != w {
					t.Errorf("POST @odata.context = %q, want %q", got, w)
				}
				// The Location works as given (through the listener).
				if got := srv.send(t, "GET", created.header.Get("Location"), "", tt.header...); got.status != http.StatusOK || got.str("id") != id {
					t.Errorf("GET Location: %d %s", got.status, got.raw)
				}
			}

			page := srv.send(t, "GET", base+"/v1.0/widgets", "", tt.header...)
			if got, w := page.str("@odata.context"), want+"/v1.0/$metadata#widgets"; got != w {
				t.Errorf("list @odata.context = %q, want %q", got, w)
			}
			next := page.str("@odata.nextLink")
			if !strings.HasPrefix(next, want+"/v1.0/widgets?") || !strings.Contains(next, "skiptoken=") {
				t.Fatalf("@odata.nextLink = %q, want %s/v1.0/widgets?...$skiptoken=...", next, want)
			}
			// Follow the link as a client does; the listener answers under any name.
			second := srv.send(t, "GET", next, "", tt.header...)
			if second.status != http.StatusOK {
				t.Fatalf("GET nextLink: %d %s", second.status, second.raw)
			}
			items, _ := second.body["value"].([]any)
			if len(items) != 1 || items[0].(map[string]any)["id"] != ids[1] {
				t.Errorf("second page = %s, want the second widget %s", second.raw, ids[1])
			}
			if _, ok := second.body["@odata.nextLink"]; ok {
				t.Errorf("second page has a nextLink: %s", second.raw)
			}
			if got, w := second.str("@odata.context"), want+"/v1.0/$metadata#widgets"; got != w {
				t.Errorf("second page @odata.context = %q, want %q", got, w)
			}
		})
	}
}

// TestForwardedHeaderValues checks which X-Forwarded-Proto and X-Forwarded-Host values
// WithTrustProxy(true) accepts: only the first element of a list, http or https, and a
// host[:port] that cannot smuggle a path, a query or user information into a link.
func TestForwardedHeaderValues(t *testing.T) {
	t.Parallel()
	srv := emulatortest.New(t, emulator.WithSchema("v1.0", linksSchema(t)), emulator.WithTrustProxy(true))
	own := srv.URL // http://127.0.0.1:PORT
	ownHost := strings.TrimPrefix(own, "http://")
	tests := []struct {
		name  string
		proto string
		host  string
		want  string
	}{
		{name: "both", proto: "https", host: "graph.proxy.test", want: "https://graph.proxy.test"},
		{name: "proto upper case", proto: "HTTPS", want: "https://" + ownHost},
		{name: "proto http on http", proto: "http", want: own},
		{name: "proto list takes the first", proto: "https, http", want: "https://" + ownHost},
		{name: "host list takes the first", host: " a.proxy.test:8443 , b.proxy.test", want: "http://a.proxy.test:8443"},
		{name: "host IPv4 with port", host: "192.0.2.7:8080", want: "http://192.0.2.7:8080"},
		{name: "host IPv6", host: "[2001:db8::1]", want: "http://[2001:db8::1]"},
		{name: "host IPv6 with port", host: "[::1]:8443", want: "http://[::1]:8443"},
		{name: "host with underscore and upper case", host: "My_Proxy.test", want: "http://My_Proxy.test"},
		{name: "proto ftp ignored", proto: "ftp", want: own},
		{name: "proto with path ignored", proto: "https://x", want: own},
		{name: "empty first proto ignored", proto: ", https", want: own},
		{name: "host with path ignored", host: "evil.test/x", want: own},
		{name: "host with query ignored", host: "evil.test?x=1", want: own},
		{name: "host with user info ignored", host: "user@evil.test", want: own},
		{name: "host with space ignored", host: "evil test", want: own},
		{name: "host with bad port ignored", host: "evil.test:80x", want: own},
		{name: "host with long port ignored", host: "evil.test:123456", want: own},
		{name: "host with empty port ignored", host: "evil.test:", want: own},
		{name: "port only ignored", host: ":8080", want: own},
		{name: "IPv6 without brackets ignored", host: "::1", want: own},
		{name: "brackets around IPv4 ignored", host: "[127.0.0.1]", want: own},
		{name: "unclosed bracket ignored", host: "[::1", want: own},
		{name: "junk after bracket ignored", host: "[::1]x", want: own},
		{name: "host with scheme ignored", host: "https://evil.test", want: own},
		{name: "empty first host ignored", host: ", evil.test", want: own},
		{name: "host too long ignored", host: strings.Repeat("a", 301), want: own},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var h []string
			if tt.proto != "" {
				h = append(h, "X-Forwarded-Proto", tt.proto)
			}
			if tt.host != "" {
				h = append(h, "X-Forwarded-Host", tt.host)
			}
			resp := srv.Do("GET", "/v1.0/", "", h...)
			var body struct {
				Context string `json:"@odata.context"`
			}
			if err := json.Unmarshal(resp.Body, &body); err != nil || resp.Status != http.StatusOK {
				t.Fatalf("GET /v1.0/: %s (%v)", resp, err)
			}
			if want := tt.want + "/v1.0/$metadata"; body.Context != want {
				t.Errorf("@odata.context = %q, want %q", body.Context, want)
			}
		})
	}
}

// TestLinksWithoutHostHeader sends an HTTP/1.0 request, which may lack a Host header:
// links then name the address the connection arrived on.
func TestLinksWithoutHostHeader(t *testing.T) {
	t.Parallel()
	for _, useTLS := range []bool{false, true} {
		t.Run(fmt.Sprintf("tls=%v", useTLS), func(t *testing.T) {
			t.Parallel()
			srv := startLinksServer(t, useTLS, "127.0.0.1:0", emulator.WithSchema("v1.0", linksSchema(t)))
			u, _ := url.Parse(srv.url)
			var conn net.Conn
			var err error
			if useTLS {
				conn, err = tls.Dial("tcp", u.Host, srv.client.Transport.(*http.Transport).TLSClientConfig)
			} else {
				conn, err = net.Dial("tcp", u.Host)
			}
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			if _, err := io.WriteString(conn, "GET /v1.0/ HTTP/1.0\r\n\r\n"); err != nil {
				t.Fatal(err)
			}
			resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var body struct {
				Context string `json:"@odata.context"`
			}
			if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || resp.StatusCode != http.StatusOK {
				t.Fatalf("GET /v1.0/ HTTP/1.0: %d (%v)", resp.StatusCode, err)
			}
			if want := srv.url + "/v1.0/$metadata"; body.Context != want {
				t.Errorf("@odata.context = %q, want %q", body.Context, want)
			}
		})
	}
}
