package emulator

import (
	"fmt"
	"net"
	"net/http"
	"strings"

	"github.com/graph-emulator/graph-emulator/emulator/certs"
	"github.com/graph-emulator/graph-emulator/odata"
)

// Host checks against DNS rebinding. A web page the user visits can make its own host
// name resolve to 127.0.0.1 and then send requests to the emulator that the browser
// treats as same-origin: the emulator would answer them, and reflect the page's host
// into Location, @odata.context and @odata.nextLink. Such requests carry the page's
// host name in Host, so the server answers only requests whose Host is one it knows:
//
//   - an IP address of the loopback network (127.0.0.0/8, ::1) or the address the
//     connection arrived on (the bound address, or the interface a wildcard listener
//     was reached on);
//   - localhost or a name under .localhost (which resolve to loopback only);
//   - a name given by WithAllowedHosts (the command's --allowed-host and --tls-host).
//
// Others get 421 Misdirected Request: the request is well formed, but names an
// authority this server does not answer for. The refusal does not echo the Host.
// Requests served in-process, without a connection (httptest.NewRecorder, a batch
// step's own checks aside), are not checked: no browser can send them.

// WithAllowedHosts adds host names the server answers to besides its bound address
// and the loopback names: names a client reaches it by, such as a Docker service name
// or the machine's name on the network. A name may start with "*." to allow the names
// under a domain; "*" alone allows every Host and turns the check off. Names are
// matched without the port and case-insensitively. Default: none (loopback names and
// the bound address only).
func WithAllowedHosts(hosts ...string) Option {
	return func(c *config) error {
		for _, h := range hosts {
			if h == "*" {
				c.anyHost = true
				continue
			}
			n, err := certs.NormalizeHost(h)
			if err != nil {
				return fmt.Errorf("emulator: allowed host: %w", err)
			}
			c.allowedHosts = append(c.allowedHosts, n)
		}
		return nil
	}
}

// withHostCheck refuses requests whose Host names no host the server answers to.
func (s *Server) withHostCheck(next http.Handler) http.Handler {
	if s.cfg.anyHost {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !s.hostAllowed(r) {
			s.writeError(w, r, odata.ErrMisdirectedRequest())
			return
		}
		next.ServeHTTP(w, r)
	})
}

// hostAllowed reports whether the request's Host names this server (see above).
func (s *Server) hostAllowed(r *http.Request) bool {
	local, served := r.Context().Value(http.LocalAddrContextKey).(net.Addr)
	if !served || r.Host == "" {
		return true // in-process, or HTTP/1.0 without a Host
	}
	name := hostName(r.Host)
	if ip := net.ParseIP(name); ip != nil {
		if ip.IsLoopback() {
			return true
		}
		if tcp, ok := local.(*net.TCPAddr); ok && tcp.IP.Equal(ip) {
			return true
		}
		return containsHost(s.cfg.allowedHosts, ip.String())
	}
	if name == "localhost" || strings.HasSuffix(name, ".localhost") {
		return true
	}
	return containsHost(s.cfg.allowedHosts, name)
}

// hostName returns the host of a Host header without its port and brackets, lower
// case, without a trailing dot.
func hostName(host string) string {
	if strings.HasPrefix(host, "[") {
		if end := strings.IndexByte(host, ']'); end > 0 {
			return strings.ToLower(host[1:end])
		}
		return strings.ToLower(host)
	}
	if i := strings.LastIndexByte(host, ':'); i >= 0 && strings.Count(host, ":") == 1 {
		host = host[:i]
	}
	return strings.ToLower(strings.TrimSuffix(host, "."))
}

// containsHost reports whether name is in the list, directly or under a "*." entry.
func containsHost(list []string, name string) bool {
	for _, h := range list {
		if h == name {
			return true
		}
		if suffix, ok := strings.CutPrefix(h, "*"); ok && strings.HasSuffix(name, suffix) && len(name) > len(suffix) {
			return true
		}
	}
	return false
}
