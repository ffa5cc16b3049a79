package main

import (
	"context"
	"crypto/tls"
	"flag"
	"fmt"
	"log"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/graph-emulator/graph-emulator/emulator"
	"github.com/graph-emulator/graph-emulator/emulator/certs"
)

// limitOptions are the flags that bound what clients may cost: timeouts, connections,
// quotas, the names the server answers to, and the fetch of a --schema URL. Their
// defaults are far beyond what a test suite needs.
type limitOptions struct {
	readTimeout  time.Duration // whole request, body included
	writeTimeout time.Duration // whole response; also the deadline of a request's work
	idleTimeout  time.Duration // keep-alive connection waiting for its next request
	maxConns     int           // connections open at once, over every listener

	maxEntities    int
	maxStoredBytes int64

	allowedHosts allowedHostsValue

	schemaMaxBytes int64
	schemaTimeout  time.Duration
}

// Default limits of the command (the emulator package has its own for quotas).
const (
	defaultReadTimeout    = time.Minute
	defaultWriteTimeout   = 5 * time.Minute
	defaultIdleTimeout    = 2 * time.Minute
	defaultMaxConns       = 1024
	defaultSchemaMaxBytes = 128 << 20
	defaultSchemaTimeout  = 2 * time.Minute
	// readHeaderTimeout bounds the wait for a request's headers (or the read timeout
	// when it is shorter).
	readHeaderTimeout = 10 * time.Second
)

func defaultLimits() limitOptions {
	return limitOptions{
		readTimeout:    defaultReadTimeout,
		writeTimeout:   defaultWriteTimeout,
		idleTimeout:    defaultIdleTimeout,
		maxConns:       defaultMaxConns,
		maxEntities:    emulator.DefaultMaxEntities,
		maxStoredBytes: emulator.DefaultMaxStoredBytes,
		schemaMaxBytes: defaultSchemaMaxBytes,
		schemaTimeout:  defaultSchemaTimeout,
	}
}

// define defines the limit flags on fs.
func (l *limitOptions) define(fs *flag.FlagSet) {
	fs.Var(positiveDuration{&l.readTimeout}, "read-timeout", "longest time a client may take to send a whole request, body included; a slower one is disconnected")
	fs.Var(positiveDuration{&l.writeTimeout}, "write-timeout", "longest time a response may take to be written; a request's work stops when it is over")
	fs.Var(positiveDuration{&l.idleTimeout}, "idle-timeout", "longest time an idle keep-alive connection is kept open")
	fs.Var(positive[int]{&l.maxConns}, "max-connections", "`number` of connections open at once, over every listener; more wait to be accepted")
	fs.Var(positive[int]{&l.maxEntities}, "max-entities", "`number` of entities one tenant may hold; past it creates answer 403 Directory_QuotaExceeded")
	fs.Var(positive[int64]{&l.maxStoredBytes}, "max-stored-bytes", "`bytes` one tenant's entities may take (keys and JSON bodies); past it writes answer 507 quotaLimitReached")
	fs.Var(&l.allowedHosts, "allowed-host", "host `name` (or IP address) clients use to reach the emulator, besides its address and loopback names; *.domain allows the names under it, * any name (turns the DNS rebinding check off); repeat it or separate names with commas; --tls-host names count too")
	fs.Var(positive[int64]{&l.schemaMaxBytes}, "schema-max-bytes", "largest --schema URL answer read, in `bytes`")
	fs.Var(positiveDuration{&l.schemaTimeout}, "schema-timeout", "longest time a --schema URL may take to answer in full")
}

// emulatorOptions are the emulator options the limits give: quotas, and the names the
// server answers to (--allowed-host, --tls-host, and the names of a --tls-cert).
func (l *limitOptions) emulatorOptions(o *options, tlsConf *tls.Config) []emulator.Option {
	hosts := append((*hostsValue)(&o.tlsHosts).list(), l.allowedHosts.list()...)
	if o.tlsCert != "" && tlsConf != nil && len(tlsConf.Certificates) > 0 && tlsConf.Certificates[0].Leaf != nil {
		for _, n := range certs.Names(tlsConf.Certificates[0].Leaf) {
			if _, err := certs.NormalizeHost(n); err == nil {
				hosts = append(hosts, n)
			}
		}
	}
	return []emulator.Option{
		emulator.WithMaxEntities(l.maxEntities),
		emulator.WithMaxStoredBytes(l.maxStoredBytes),
		emulator.WithAllowedHosts(hosts...),
	}
}

// httpServer returns the http.Server of one listener: its timeouts, and a handler that
// gives each request's work the write timeout as deadline (the response could not be
// written after it; a read that is still scanning stops).
func (l *limitOptions) httpServer(h http.Handler, errorLog *log.Logger) *http.Server {
	deadline := l.writeTimeout
	return &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ctx, cancel := context.WithTimeout(r.Context(), deadline)
			defer cancel()
			h.ServeHTTP(w, r.WithContext(ctx))
		}),
		ReadHeaderTimeout: min(readHeaderTimeout, l.readTimeout),
		ReadTimeout:       l.readTimeout,
		WriteTimeout:      l.writeTimeout,
		IdleTimeout:       l.idleTimeout,
		ErrorLog:          errorLog,
	}
}

// connLimiter bounds the connections open at once over the listeners it wraps: Accept
// waits while the bound is reached.
type connLimiter struct{ sem chan struct{} }

func newConnLimiter(n int) *connLimiter { return &connLimiter{sem: make(chan struct{}, n)} }

func (c *connLimiter) wrap(ln net.Listener) net.Listener {
	return &limitListener{Listener: ln, sem: c.sem, done: make(chan struct{})}
}

type limitListener struct {
	net.Listener
	sem       chan struct{}
	done      chan struct{}
	closeOnce sync.Once
}

func (l *limitListener) Accept() (net.Conn, error) {
	select {
	case l.sem <- struct{}{}:
	case <-l.done:
		return nil, net.ErrClosed
	}
	conn, err := l.Listener.Accept()
	if err != nil {
		<-l.sem
		return nil, err
	}
	return &limitConn{Conn: conn, release: func() { <-l.sem }}, nil
}

func (l *limitListener) Close() error {
	err := l.Listener.Close()
	l.closeOnce.Do(func() { close(l.done) })
	return err
}

// limitConn gives its place back when closed (once).
type limitConn struct {
	net.Conn
	once    sync.Once
	release func()
}

func (c *limitConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(c.release)
	return err
}

// warnBeyondLoopback logs a warning when a listener is reachable from other machines.
func warnBeyondLoopback(logger *slog.Logger, addr net.Addr) {
	tcp, ok := addr.(*net.TCPAddr)
	if !ok || tcp.IP.IsLoopback() {
		return
	}
	logger.Warn("listening beyond loopback: other machines can reach the emulator, which checks no credentials; "+
		"clients must name it by its address, a loopback name or an --allowed-host name", "addr", addr.String())
}

// allowedHostsValue collects --allowed-host names, comma-separated: host names or IP
// addresses (normalised as --tls-host's), *.domain, or * for any.
type allowedHostsValue string

func (a *allowedHostsValue) String() string { return string(*a) }

func (a *allowedHostsValue) Set(s string) error {
	names := a.list()
	for part := range strings.SplitSeq(s, ",") {
		n := strings.TrimSpace(part)
		if n != "*" {
			var err error
			if n, err = certs.NormalizeHost(part); err != nil {
				return err
			}
		}
		if !contains(names, n) {
			names = append(names, n)
		}
	}
	*a = allowedHostsValue(strings.Join(names, ","))
	return nil
}

func (a *allowedHostsValue) list() []string {
	if *a == "" {
		return nil
	}
	return strings.Split(string(*a), ",")
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// positiveDuration is a duration flag value greater than zero.
type positiveDuration struct{ p *time.Duration }

func (v positiveDuration) String() string {
	if v.p == nil {
		return "0s"
	}
	return v.p.String()
}

func (v positiveDuration) Set(s string) error {
	d, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("want a duration such as 30s or 2m: %w", err)
	}
	if d <= 0 {
		return fmt.Errorf("must be positive, got %s", d)
	}
	*v.p = d
	return nil
}
