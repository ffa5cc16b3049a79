package emulator_test

import (
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/graph-emulator/graph-emulator/emulator"
)

// TestHostCheck: over a real connection, only the bound address, loopback names and
// allowed names are answered; others get 421 in Graph's shape, without their Host
// echoed, and change nothing.
func TestHostCheck(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		listen  string
		host    string // PORT stands for the listener's port
		allow   []string
		trust   bool
		header  []string
		refused bool
	}{
		{name: "127.0.0.1", listen: "127.0.0.1:0", host: "127.0.0.1:PORT"},
		{name: "another loopback address", listen: "127.0.0.1:0", host: "127.1.2.3:PORT"},
		{name: "localhost", listen: "127.0.0.1:0", host: "localhost:PORT"},
		{name: "localhost without port, trailing dot", listen: "127.0.0.1:0", host: "LOCALHOST."},
		{name: "a name under localhost", listen: "127.0.0.1:0", host: "graph.localhost:PORT"},
		{name: "IPv6 loopback", listen: "[::1]:0", host: "[::1]:PORT"},
		{name: "a rebinding name", listen: "127.0.0.1:0", host: "evil.example:80", refused: true},
		{name: "a rebinding name without port", listen: "127.0.0.1:0", host: "evil.example", refused: true},
		{name: "localhost as a prefix", listen: "127.0.0.1:0", host: "localhost.evil.example", refused: true},
		{name: "a foreign address", listen: "127.0.0.1:0", host: "192.0.2.7:PORT", refused: true},
		{name: "an allowed name", listen: "127.0.0.1:0", host: "graph.test:PORT", allow: []string{"graph.test"}},
		{name: "an allowed name in other case", listen: "127.0.0.1:0", host: "Graph.TEST", allow: []string{"graph.test"}},
		{name: "under an allowed wildcard", listen: "127.0.0.1:0", host: "a.b.corp.test", allow: []string{"*.corp.test"}},
		{name: "the wildcard's own name", listen: "127.0.0.1:0", host: "corp.test", allow: []string{"*.corp.test"}, refused: true},
		{name: "another name than allowed", listen: "127.0.0.1:0", host: "graph.test.evil", allow: []string{"graph.test"}, refused: true},
		{name: "an allowed address", listen: "127.0.0.1:0", host: "192.0.2.7", allow: []string{"192.0.2.7"}},
		{name: "any host", listen: "127.0.0.1:0", host: "evil.example", allow: []string{"*"}},
		{name: "trust proxy: forwarded host on a loopback Host", listen: "127.0.0.1:0", host: "127.0.0.1:PORT", trust: true,
			header: []string{"X-Forwarded-Host", "public.example", "X-Forwarded-Proto", "https"}},
		{name: "trust proxy: a foreign Host still refused", listen: "127.0.0.1:0", host: "evil.example", trust: true,
			header: []string{"X-Forwarded-Host", "127.0.0.1"}, refused: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := startLinksServer(t, false, tt.listen, emulator.WithSchema("v1.0", linksSchema(t)),
				emulator.WithAllowedHosts(tt.allow...), emulator.WithTrustProxy(tt.trust))
			port := srv.url[strings.LastIndexByte(srv.url, ':')+1:]
			base := "http://" + strings.ReplaceAll(tt.host, "PORT", port)
			created := srv.send(t, "POST", base+"/v1.0/widgets", `{"name":"w"}`, tt.header...)
			list := srv.send(t, "GET", base+"/v1.0/widgets", "", tt.header...)
			if !tt.refused {
				if created.status != http.StatusCreated || list.status != http.StatusOK {
					t.Fatalf("POST %d %s, GET %d %s", created.status, created.raw, list.status, list.raw)
				}
				if tt.trust && !strings.HasPrefix(created.header.Get("Location"), "https://public.example/") {
					t.Errorf("Location %q does not follow X-Forwarded-Host", created.header.Get("Location"))
				}
				return
			}
			for _, r := range []*linksResponse{created, list} {
				if r.status != http.StatusMisdirectedRequest {
					t.Fatalf("status %d, want 421: %s", r.status, r.raw)
				}
				errObj, _ := r.body["error"].(map[string]any)
				if errObj["code"] != "MisdirectedRequest" || errObj["message"] == "" || errObj["innerError"] == nil {
					t.Errorf("not Graph's error shape: %s", r.raw)
				}
				if name := strings.Split(tt.host, ":")[0]; strings.Contains(strings.ToLower(r.raw), strings.ToLower(name)) ||
					r.header.Get("Location") != "" {
					t.Errorf("the answer echoes the Host: %v %s", r.header, r.raw)
				}
			}
			// Nothing was created: the same list through 127.0.0.1 is empty.
			if r := srv.send(t, "GET", srv.url+"/v1.0/widgets", ""); r.status != http.StatusOK || len(r.body["value"].([]any)) != 0 {
				t.Errorf("a refused request changed the store: %s", r.raw)
			}
		})
	}
}

// TestHostCheckBoundAddress: a wildcard listener reached on a non-loopback address
// answers that address, and not another one.
func TestHostCheckBoundAddress(t *testing.T) {
	t.Parallel()
	ip := nonLoopbackIPv4(t)
	srv := startLinksServer(t, false, "0.0.0.0:0", emulator.WithSchema("v1.0", linksSchema(t)))
	port := srv.url[strings.LastIndexByte(srv.url, ':')+1:]
	srv.url = "http://" + net.JoinHostPort(ip, port)
	if r := srv.send(t, "GET", srv.url+"/v1.0/widgets", ""); r.status != http.StatusOK {
		t.Errorf("by the address reached: %d %s", r.status, r.raw)
	}
	if r := srv.send(t, "GET", "http://192.0.2.9:"+port+"/v1.0/widgets", ""); r.status != http.StatusMisdirectedRequest {
		t.Errorf("by another address: %d %s", r.status, r.raw)
	}
}

func nonLoopbackIPv4(t *testing.T) string {
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		t.Skip(err)
	}
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok && n.IP.To4() != nil && !n.IP.IsLoopback() {
			return n.IP.String()
		}
	}
	t.Skip("no non-loopback IPv4 address")
	return ""
}

// TestHostCheckInProcess: requests served without a connection (httptest's recorder,
// whose default Host is example.com) are not checked.
func TestHostCheckInProcess(t *testing.T) {
	t.Parallel()
	srv, err := emulator.New(emulator.WithSchema("v1.0", linksSchema(t)))
	if err != nil {
		t.Fatal(err)
	}
	w := httptest.NewRecorder()
	srv.ServeHTTP(w, httptest.NewRequest("GET", "/v1.0/widgets", nil))
	if w.Code != http.StatusOK {
		t.Errorf("in-process request: %d %s", w.Code, w.Body)
	}
}

func TestWithAllowedHostsRefusesBadNames(t *testing.T) {
	t.Parallel()
	for _, h := range []string{"", "a b", "host:80", "http://x.test"} {
		if _, err := emulator.New(emulator.WithAllowedHosts(h)); err == nil {
			t.Errorf("WithAllowedHosts(%q) accepted", h)
		}
	}
}
