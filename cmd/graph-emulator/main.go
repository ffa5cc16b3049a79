// Command graph-emulator serves a local stand-in for Microsoft Graph.
//
// It prints its base URL as the first line on stdout (and, when it serves HTTP and HTTPS
// on two listeners, the HTTPS one on the second; see listeners) and logs to stderr.
// HTTPS certificates are made at start or read from files (tls.go). Every flag has an
// environment equivalent, GRAPH_EMULATOR_<FLAG> (upper case, '-' as '_'); a flag given on
// the command line wins over its variable.
package main

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"os"
	"os/signal"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/graph-emulator/graph-emulator/emulator"
	"github.com/graph-emulator/graph-emulator/emulator/certs"
	"github.com/graph-emulator/graph-emulator/emulator/control"
	"github.com/graph-emulator/graph-emulator/emulator/store"
	"github.com/graph-emulator/graph-emulator/entities"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return
		}
		fmt.Fprintln(os.Stderr, "graph-emulator:", err)
		os.Exit(2)
	}
}

// options is the parsed command line.
type options struct {
	addr            string
	strict          bool
	lenientQueries  bool
	maxBodyBytes    int64
	maxUploadBytes  int64
	maxContentBytes int64
	pageSize        int
	feedSize        int
	logLevel        slog.Level
	logFormat       string
	shutdownTimeout time.Duration

	tls        bool   // serve HTTPS with a generated certificate
	tlsAddr    string // host:port of the HTTPS listener; "" for none of its own
	tlsHosts   string // extra names for the generated certificate, comma-separated
	tlsDir     string // directory keeping the generated CA and certificate; "" for none
	tlsCA      string // file the generated CA certificate is written to
	tlsCert    string // PEM certificate (chain) to serve instead of a generated one
	tlsKey     string // PEM private key of tlsCert
	trustProxy bool   // honour X-Forwarded-Proto and X-Forwarded-Host

	schema schemaValue // VERSION=SOURCE pairs of CSDL schemas to load
	expose exposeValue // TYPE[=SET] entries given entity sets of their own
	me     string      // id or user principal name of the user /me stands for

	seeds       filesValue // fixture files loaded into the default tenant at start
	sampleData  bool       // load the sample tenant at start
	journalSize int        // requests kept in the journal; 0 turns it off

	dataDir  string        // directory keeping the state across restarts; "" for none
	dataSync time.Duration // 0: each write synced before its response; else the flush window

	faultRules faultsValue // --fault rules, as one JSON array (faults.go)
	faultFiles filesValue  // files of fault rules
	stubFiles  filesValue  // files of stubs

	domain domainValue // the tenant's default domain; "" for the emulator's default

	limits limitOptions // limits.go: timeouts, connections, quotas, allowed hosts
}

// envPrefix prefixes the environment variable of every flag.
const envPrefix = "GRAPH_EMULATOR_"

// envName returns the environment variable that stands for a flag.
func envName(flagName string) string {
	return envPrefix + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// defaults returns the options used when neither a flag nor its variable is given.
func defaults() options {
	return options{
		addr:            "127.0.0.1:8080",
		maxBodyBytes:    emulator.DefaultMaxBodyBytes,
		maxUploadBytes:  emulator.DefaultMaxUploadBytes,
		pageSize:        emulator.DefaultPageSize,
		feedSize:        store.DefaultFeedSize,
		logLevel:        slog.LevelInfo,
		logFormat:       "text",
		shutdownTimeout: 10 * time.Second,
		tlsCA:           defaultCAFile(),
		journalSize:     control.DefaultJournalSize,
		limits:          defaultLimits(),
	}
}

// newFlagSet defines every flag on a new FlagSet that writes into o, whose current
// values are the defaults. Each value checks itself in Set, so that a bad value is
// refused with the flag's or the variable's name wherever it comes from.
func newFlagSet(o *options, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("graph-emulator", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Var((*addrValue)(&o.addr), "addr", "`host:port` to listen on; port 0 picks a free port")
	fs.BoolVar(&o.strict, "strict", o.strict, "also check Edm lexical forms, read-only and required properties in request bodies")
	fs.BoolVar(&o.lenientQueries, "lenient-queries", o.lenientQueries, "answer on directory objects the queries Graph answers only with ConsistencyLevel: eventual and $count=true (ne, not, endswith, $filter with $orderby, /$count); $search still needs the header")
	fs.Var(positive[int64]{&o.maxBodyBytes}, "max-body-bytes", "largest request body accepted, in `bytes`, after decompression")
	fs.Var(positive[int64]{&o.maxUploadBytes}, "max-upload-bytes", "largest simple upload (PUT of a drive item's content) accepted, in `bytes`; larger files go through an upload session")
	fs.Var(nonNegative[int64]{&o.maxContentBytes}, "max-content-bytes", "content (drive items' files) each tenant may keep, in `bytes`; writes beyond it answer 507 quotaLimitReached; 0 means no limit (default 0)")
	fs.Var(positive[int]{&o.pageSize}, "page-size", "`number` of entities in one page of a collection before @odata.nextLink")
	fs.Var(positive[int]{&o.feedSize}, "change-feed-size", "`number` of changes kept per tenant for delta queries; a deltaLink further behind answers 410 syncStateNotFound")
	fs.TextVar(&o.logLevel, "log-level", o.logLevel, "log `level`: debug (logs every request), info, warn or error")
	fs.Var((*logFormatValue)(&o.logFormat), "log-format", "log `format` on stderr: text or json")
	fs.DurationVar(&o.shutdownTimeout, "shutdown-timeout", o.shutdownTimeout, "how long in-flight requests may take to finish on SIGINT or SIGTERM")
	fs.BoolVar(&o.tls, "tls", o.tls, "serve HTTPS with a CA and a server certificate generated at start (see HTTPS above)")
	fs.Var((*optionalAddrValue)(&o.tlsAddr), "tls-addr", "`host:port` of a separate HTTPS listener; with it, plain HTTP listens only if --addr is given")
	fs.Var((*hostsValue)(&o.tlsHosts), "tls-host", "extra `name` or IP address for the generated certificate, besides localhost, 127.0.0.1 and ::1; repeat it or separate names with commas")
	fs.Var((*pathValue)(&o.tlsDir), "tls-dir", "`directory` that keeps the generated CA and certificate and reuses them while valid and covering every host")
	fs.Var((*pathValue)(&o.tlsCA), "tls-ca", "`file` the generated CA certificate (PEM) is written to, for clients to trust")
	fs.Var((*pathValue)(&o.tlsCert), "tls-cert", "PEM `file` with the server certificate (then any intermediates) to serve instead of generating one; needs --tls-key")
	fs.Var((*pathValue)(&o.tlsKey), "tls-key", "PEM `file` with the private key of --tls-cert")
	fs.BoolVar(&o.trustProxy, "trust-proxy", o.trustProxy, "build absolute URLs from X-Forwarded-Proto and X-Forwarded-Host (only behind a proxy you run)")
	fs.Var(&o.schema, "schema", "the schema a version serves, `VERSION=SOURCE`: graph (Graph's schema, embedded), minimal (only the seed's type), a CSDL file, or an http(s) URL such as https://graph.microsoft.com/v1.0/$metadata; a bare graph or minimal sets both versions; repeat it or separate pairs with commas (default: graph)")
	fs.Var(&o.expose, "expose", "give an entity type that Graph documents without a collection URI an entity set of its own: `TYPE[=SET]`, e.g. microsoft.graph.x=xs (the set is named after the type when omitted); repeat it or separate entries with commas")
	fs.StringVar(&o.me, "me", o.me, "`id or UPN` of the signed-in user, whom /me stands for; created in the default tenant when no seed has it (default: none, and /me answers as Graph does without a signed-in user; with --sample-data, Adele Vance)")
	fs.Var(&o.seeds, "seed", "fixture `file` (JSON, see the README) loaded into the default tenant at start, and again by POST /_emulator/reset; repeat it or separate files with commas")
	fs.BoolVar(&o.sampleData, "sample-data", o.sampleData, "load a small sample tenant at start (users with a manager chain, groups, an application, mail and events of the signed-in user, who becomes /me)")
	fs.Var(nonNegative[int]{&o.journalSize}, "journal-size", "`number` of requests the journal keeps for GET /_emulator/requests; 0 turns it off")
	fs.Var((*pathValue)(&o.dataDir), "data-dir", "`directory` keeping every tenant's state across restarts, in its file "+store.BoltFileName+" (default: none, the state lives in memory only)")
	fs.Var((*syncValue)(&o.dataSync), "data-sync", "when a write to --data-dir is durable: always (synced before its response) or a flush `window` such as 100ms (answered at once, synced within the window: a crash loses at most its writes) (default always)")
	fs.Var(&o.faultRules, "fault", "a fault `rule` in JSON, as POST /_emulator/faults takes (an object, or an array of them), applied from the start, such as '{\"path\":\"/v1.0/users\",\"error\":{\"status\":429},\"count\":2}'; repeat it to add several")
	fs.Var(&o.faultFiles, "faults", "`file` of fault rules in JSON (an object or an array), applied from the start after the --fault ones; repeat it or separate files with commas")
	fs.Var(&o.stubFiles, "stubs", "`file` of stubs in JSON (an object or an array), as POST /_emulator/stubs takes, answering from the start; repeat it or separate files with commas")
	fs.Var(&o.domain, "default-domain", "the tenant's default `domain`, in the mail addresses and domains the server sets (a mail-enabled group's mail, an application's publisherDomain) (default: "+emulator.DefaultDomain+")")
	o.limits.define(fs)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: graph-emulator [flags]\n\n"+
			"A local stand-in for Microsoft Graph. Prints its base URL on the first stdout line.\n"+
			"Each flag may also be set with the environment variable %s<FLAG> (upper case, '-' as '_').\n\n"+
			"HTTPS: --tls, --tls-addr, or --tls-cert with --tls-key, turns HTTPS on.\n"+
			"  - without --tls-addr, one listener on --addr serves HTTPS;\n"+
			"  - with --tls-addr, HTTPS listens there, and plain HTTP on --addr only if --addr\n"+
			"    (or %sADDR) is given; the first stdout line is then the HTTP base URL and\n"+
			"    the second the HTTPS one.\n"+
			"  The generated CA certificate is written to --tls-ca and its path logged; a client\n"+
			"  trusts it with SSL_CERT_FILE (Go on Linux), NODE_EXTRA_CA_CERTS (Node),\n"+
			"  REQUESTS_CA_BUNDLE (Python requests) or curl --cacert.\n\nFlags:\n", envPrefix, envPrefix)
		fs.PrintDefaults()
	}
	return fs
}

// parseFlags reads args, then fills every flag not given from its environment variable.
func parseFlags(args []string, getenv func(string) string, stderr io.Writer) (*options, error) {
	o, _, err := parse(args, getenv, stderr)
	return o, err
}

// parse is parseFlags that also returns the names of the flags set, on the command line
// or by their variable.
func parse(args []string, getenv func(string) string, stderr io.Writer) (*options, map[string]bool, error) {
	o := defaults()
	fs := newFlagSet(&o, stderr)
	if err := fs.Parse(args); err != nil {
		return nil, nil, err
	}
	if fs.NArg() > 0 {
		return nil, nil, fmt.Errorf("unexpected argument %q (see --help)", fs.Arg(0))
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	set := maps.Clone(given)
	var err error
	fs.VisitAll(func(f *flag.Flag) {
		if err != nil || given[f.Name] {
			return
		}
		if v := getenv(envName(f.Name)); v != "" {
			if e := f.Value.Set(v); e != nil {
				err = fmt.Errorf("%s=%q: %w", envName(f.Name), v, e)
			}
			set[f.Name] = true
		}
	})
	if err != nil {
		return nil, nil, err
	}
	return &o, set, nil
}

// addrValue is a host:port flag value.
type addrValue string

func (a *addrValue) String() string { return string(*a) }

func (a *addrValue) Set(s string) error {
	if _, _, err := net.SplitHostPort(s); err != nil {
		return fmt.Errorf("want host:port: %w", err)
	}
	*a = addrValue(s)
	return nil
}

// optionalAddrValue is a host:port flag value whose default is "" (no listener).
type optionalAddrValue string

func (a *optionalAddrValue) String() string { return string(*a) }

func (a *optionalAddrValue) Set(s string) error { return (*addrValue)(a).Set(s) }

// pathValue is a file or directory name; it may not be empty.
type pathValue string

func (p *pathValue) String() string { return string(*p) }

func (p *pathValue) Set(s string) error {
	if s == "" {
		return errors.New("want a file name, got an empty string")
	}
	*p = pathValue(s)
	return nil
}

// domainValue is a DNS domain name of two labels or more, kept in lower case.
type domainValue string

func (d *domainValue) String() string { return string(*d) }

func (d *domainValue) Set(s string) error {
	n, err := certs.NormalizeHost(s)
	if err != nil {
		return err
	}
	if net.ParseIP(n) != nil || !strings.Contains(n, ".") {
		return fmt.Errorf("want a domain name such as contoso.onmicrosoft.com, got %q", s)
	}
	*d = domainValue(n)
	return nil
}

// hostsValue collects host names and IP addresses, comma-separated; each Set adds one
// or several (a comma-separated list).
type hostsValue string

func (h *hostsValue) String() string { return string(*h) }

func (h *hostsValue) Set(s string) error {
	names := h.list()
	for part := range strings.SplitSeq(s, ",") {
		n, err := certs.NormalizeHost(part)
		if err != nil {
			return err
		}
		if !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	*h = hostsValue(strings.Join(names, ","))
	return nil
}

// list returns the names, normalised, in the order given.
func (h *hostsValue) list() []string {
	if *h == "" {
		return nil
	}
	return strings.Split(string(*h), ",")
}

// positive is an integer flag value greater than zero, stored in *p.
type positive[T int | int64] struct{ p *T }

func (v positive[T]) String() string {
	if v.p == nil {
		return "0"
	}
	return strconv.FormatInt(int64(*v.p), 10)
}

func (v positive[T]) Set(s string) error {
	n, err := strconv.ParseInt(s, 0, 64)
	if err != nil || int64(T(n)) != n {
		return fmt.Errorf("not an integer in range: %q", s)
	}
	if n <= 0 {
		return fmt.Errorf("must be positive, got %d", n)
	}
	*v.p = T(n)
	return nil
}

// nonNegative is an integer flag value, zero or more, stored in *p.
type nonNegative[T int | int64] struct{ p *T }

func (v nonNegative[T]) String() string {
	if v.p == nil {
		return "0"
	}
	return strconv.FormatInt(int64(*v.p), 10)
}

func (v nonNegative[T]) Set(s string) error {
	n, err := strconv.ParseInt(s, 0, 64)
	if err != nil || int64(T(n)) != n {
		return fmt.Errorf("not an integer in range: %q", s)
	}
	if n < 0 {
		return fmt.Errorf("must be zero or more, got %d", n)
	}
	*v.p = T(n)
	return nil
}

// filesValue collects file names, comma-separated; each Set adds one or several.
type filesValue string

func (f *filesValue) String() string { return string(*f) }

func (f *filesValue) Set(s string) error {
	list := f.list()
	for part := range strings.SplitSeq(s, ",") {
		if part = strings.TrimSpace(part); part == "" {
			return errors.New("want a file name, got an empty one")
		}
		list = append(list, part)
	}
	*f = filesValue(strings.Join(list, ","))
	return nil
}

func (f *filesValue) list() []string {
	if *f == "" {
		return nil
	}
	return strings.Split(string(*f), ",")
}

// syncValue is "always" (zero) or a positive duration.
type syncValue time.Duration

func (v *syncValue) String() string {
	if *v == 0 {
		return "always"
	}
	return time.Duration(*v).String()
}

func (v *syncValue) Set(s string) error {
	if s == "always" {
		*v = 0
		return nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return fmt.Errorf("want always or a positive duration such as 100ms, got %q", s)
	}
	*v = syncValue(d)
	return nil
}

// logFormatValue is text or json.
type logFormatValue string

func (f *logFormatValue) String() string { return string(*f) }

func (f *logFormatValue) Set(s string) error {
	if s != "text" && s != "json" {
		return fmt.Errorf("want text or json, got %q", s)
	}
	*f = logFormatValue(s)
	return nil
}

// stateOptions returns the options of the state the server starts with and of its
// journal: --sample-data, --seed files (read here, so that a missing file is named),
// --me, --journal-size; and the fault rules and stubs (faults.go).
func stateOptions(o *options) ([]emulator.Option, error) {
	opts := []emulator.Option{emulator.WithJournalSize(o.journalSize)}
	if o.sampleData {
		opts = append(opts, emulator.WithSampleData())
	}
	for _, name := range o.seeds.list() {
		b, err := os.ReadFile(name)
		if err != nil {
			return nil, fmt.Errorf("--seed %s: %w", name, err)
		}
		opts = append(opts, emulator.WithSeed(name, b))
	}
	if o.me != "" {
		opts = append(opts, emulator.WithSignedInUser(o.me))
	}
	inject, err := injectOptions(o)
	if err != nil {
		return nil, err
	}
	return append(opts, inject...), nil
}

// listenSpec is one listener to open.
type listenSpec struct {
	addr string
	tls  bool
}

// listeners decides which listeners run, the one printed on the first stdout line
// first, from the options and the names of the flags set (on the command line or by
// their variable). It refuses TLS flags that would have no effect.
//
//   - HTTPS is on with --tls, or with --tls-cert and --tls-key.
//   - Without --tls-addr, one listener on --addr: HTTPS when it is on, else HTTP.
//   - With --tls-addr, HTTPS listens there, and HTTP on --addr only when --addr is set;
//     the HTTP listener comes first.
func listeners(o *options, set map[string]bool) ([]listenSpec, error) {
	if (o.tlsCert == "") != (o.tlsKey == "") {
		return nil, errors.New("--tls-cert and --tls-key go together: give both or neither")
	}
	if set["tls-addr"] && !set["tls"] && o.tlsCert == "" {
		// A listener of its own for HTTPS asks for HTTPS: with a generated certificate.
		o.tls = true
	}
	tlsOn := o.tls || o.tlsCert != ""
	for _, name := range []string{"tls-addr", "tls-host", "tls-dir", "tls-ca"} {
		if !set[name] {
			continue
		}
		if !tlsOn {
			return nil, fmt.Errorf("--%s needs --tls (or --tls-cert and --tls-key)", name)
		}
		if o.tlsCert != "" && name != "tls-addr" {
			return nil, fmt.Errorf("--%s is for generated certificates and has no effect with --tls-cert", name)
		}
	}
	switch {
	case !tlsOn:
		return []listenSpec{{addr: o.addr}}, nil
	case o.tlsAddr == "":
		return []listenSpec{{addr: o.addr, tls: true}}, nil
	case set["addr"]:
		return []listenSpec{{addr: o.addr}, {addr: o.tlsAddr, tls: true}}, nil
	default:
		return []listenSpec{{addr: o.tlsAddr, tls: true}}, nil
	}
}

// run serves until ctx is done, then shuts down gracefully: in-flight requests finish
// on every listener.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) (err error) {
	o, set, err := parse(args, getenv, stderr)
	if err != nil {
		return err
	}
	specs, err := listeners(o, set)
	if err != nil {
		return err
	}
	if set["data-sync"] && o.dataDir == "" {
		return errors.New("--data-sync needs --data-dir")
	}
	hopts := &slog.HandlerOptions{Level: o.logLevel}
	var handler slog.Handler = slog.NewTextHandler(stderr, hopts)
	if o.logFormat == "json" {
		handler = slog.NewJSONHandler(stderr, hopts)
	}
	logger := slog.New(handler)

	schemaOpts, err := schemaOptions(ctx, o, logger)
	if err != nil {
		return err
	}
	stateOpts, err := stateOptions(o)
	if err != nil {
		return err
	}
	if o.dataDir != "" {
		stateOpts = append(stateOpts, emulator.WithDataDir(o.dataDir, o.dataSync))
	}
	if o.domain != "" {
		stateOpts = append(stateOpts, emulator.WithDefaultDomain(string(o.domain)))
	}
	// TLS first: the names of its certificate are among those the server answers to.
	var tlsConf *tls.Config
	if slices.ContainsFunc(specs, func(l listenSpec) bool { return l.tls }) {
		if tlsConf, err = serverTLSConfig(o, time.Now(), logger); err != nil {
			return err
		}
	}
	srv, err := emulator.New(append(append(append(schemaOpts, stateOpts...), o.limits.emulatorOptions(o, tlsConf)...),
		emulator.WithStrict(o.strict),
		emulator.WithLenientQueries(o.lenientQueries),
		emulator.WithMaxBodyBytes(o.maxBodyBytes),
		emulator.WithMaxUploadBytes(o.maxUploadBytes),
		emulator.WithMaxContentBytes(o.maxContentBytes),
		emulator.WithPageSize(o.pageSize),
		emulator.WithChangeFeedSize(o.feedSize),
		emulator.WithLogger(logger),
		emulator.WithTrustProxy(o.trustProxy),
	)...)
	if err != nil {
		return err
	}
	// After the listeners' shutdown: the data directory's file saves what was answered.
	defer func() {
		if cerr := srv.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("closing the data directory: %w", cerr)
		}
	}()

	lns := make([]net.Listener, 0, len(specs))
	closeAll := func() {
		for _, ln := range lns {
			ln.Close()
		}
	}
	bases := make([]string, 0, len(specs))
	for _, l := range specs {
		ln, err := net.Listen("tcp", l.addr)
		if err != nil {
			closeAll()
			return err
		}
		warnBeyondLoopback(logger, ln.Addr())
		lns = append(lns, ln)
		scheme := "http://"
		if l.tls {
			scheme = "https://"
		}
		bases = append(bases, scheme+ln.Addr().String())
	}
	for _, base := range bases {
		attrs := []any{"url", base, "strict", o.strict}
		for _, v := range entities.Versions() {
			attrs = append(attrs, v, base+"/"+v)
		}
		logger.Info("graph-emulator listening", attrs...)
	}
	if _, err := fmt.Fprintln(stdout, strings.Join(bases, "\n")); err != nil {
		closeAll()
		return err
	}

	// One http.Server per listener: a Server that runs Serve and ServeTLS at once may
	// set up HTTP/2 for the plain listener first and then offer h2 over TLS without
	// serving it.
	servers := make([]*http.Server, len(lns))
	errc := make(chan error, len(lns))
	conns := newConnLimiter(o.limits.maxConns) // shared by the listeners
	for i, ln := range lns {
		hs := o.limits.httpServer(srv, slog.NewLogLogger(handler, slog.LevelWarn))
		servers[i] = hs
		ln = conns.wrap(ln)
		if !specs[i].tls {
			go func() { errc <- hs.Serve(ln) }()
			continue
		}
		hs.TLSConfig = tlsConf.Clone()
		go func() { errc <- hs.ServeTLS(ln, "", "") }()
	}
	pending := len(lns)
	var serveErr error // the first listener's failure
	select {
	case serveErr = <-errc:
		// A listener failed on its own: stop the others and report it.
		pending--
	case <-ctx.Done():
		logger.Info("shutting down", "timeout", o.shutdownTimeout.String())
	}
	sctx, cancel := context.WithTimeout(context.Background(), o.shutdownTimeout)
	defer cancel()
	// Shutdown closes the listeners, then waits for in-flight requests: on every server
	// at once, so that one's slow requests do not keep the other's listener open.
	shutdownErrs := make([]error, len(servers))
	var wg sync.WaitGroup
	for i, hs := range servers {
		wg.Go(func() { shutdownErrs[i] = hs.Shutdown(sctx) })
	}
	wg.Wait()
	shutdownErr := errors.Join(shutdownErrs...)
	for ; pending > 0; pending-- {
		if err := <-errc; serveErr == nil && !errors.Is(err, http.ErrServerClosed) {
			serveErr = err
		}
	}
	if serveErr != nil {
		return serveErr
	}
	if shutdownErr != nil {
		return fmt.Errorf("shutdown: %w", shutdownErr)
	}
	logger.Info("stopped")
	return nil
}
