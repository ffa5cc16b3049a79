package emulator

import (
	"net"
	"net/http"
	"strings"
)

// WithTrustProxy builds the absolute URLs the server writes (Location, @odata.context,
// @odata.nextLink, ...) from the X-Forwarded-Proto and X-Forwarded-Host headers when a
// request carries them, as a reverse proxy in front of the emulator sends them: the
// client then gets links to the proxy it called. Only the first value of a
// comma-separated header counts (the one nearest the client); a scheme other than http
// or https, or a malformed host, is ignored.
//
// Default: false. The headers are ignored and links use the scheme of the connection
// (https when it is TLS) and the request's Host, which is right for every client that
// reaches the emulator directly. Turn it on only behind a proxy you run: a client could
// otherwise point the emulator's links anywhere.
func WithTrustProxy(trust bool) Option {
	return func(c *config) error { c.trustProxy = trust; return nil }
}

// forwardedProto returns the scheme of X-Forwarded-Proto, lower case, if it is http or
// https.
func forwardedProto(r *http.Request) (string, bool) {
	v := firstForwarded(r.Header.Get("X-Forwarded-Proto"))
	switch strings.ToLower(v) {
	case "http":
		return "http", true
	case "https":
		return "https", true
	}
	return "", false
}

// forwardedHost returns the host[:port] of X-Forwarded-Host if it is well formed.
func forwardedHost(r *http.Request) (string, bool) {
	v := firstForwarded(r.Header.Get("X-Forwarded-Host"))
	if !validHost(v) {
		return "", false
	}
	return v, true
}

// firstForwarded returns the first element of a comma-separated forwarding header.
func firstForwarded(v string) string {
	first, _, _ := strings.Cut(v, ",")
	return strings.TrimSpace(first)
}

// validHost reports whether h is a host name, an IPv4 address or a bracketed IPv6
// address, optionally followed by :port: nothing that could add a path, a query or
// user information to a URL.
func validHost(h string) bool {
	if h == "" || len(h) > 300 {
		return false
	}
	if rest, ok := strings.CutPrefix(h, "["); ok {
		ip, rest, ok := strings.Cut(rest, "]")
		if !ok || !strings.Contains(ip, ":") || net.ParseIP(ip) == nil {
			return false
		}
		if rest == "" {
			return true
		}
		port, ok := strings.CutPrefix(rest, ":")
		return ok && validPort(port)
	}
	host := h
	if i := strings.LastIndexByte(h, ':'); i >= 0 {
		if !validPort(h[i+1:]) {
			return false
		}
		host = h[:i]
	}
	if host == "" {
		return false
	}
	for _, c := range host {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_') {
			return false
		}
	}
	return true
}

// validPort reports whether p is a port number of one to five digits.
func validPort(p string) bool {
	if p == "" || len(p) > 5 {
		return false
	}
	for _, c := range p {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// requestHost is the host[:port] the client addressed: the Host header, or for a
// request without one (HTTP/1.0) the local address the connection arrived on.
func requestHost(r *http.Request) string {
	if r.Host != "" {
		return r.Host
	}
	if a, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr); ok {
		return a.String()
	}
	return "localhost"
}
