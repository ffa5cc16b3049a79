// Command graph-emulator serves a local stand-in for Microsoft Graph.
//
// It prints its base URL as the first line on stdout and logs to stderr. Every flag has an
// environment equivalent, GRAPH_EMULATOR_<FLAG> (upper case, '-' as '_'); a flag given on
// the command line wins over its variable.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/graph-emulator/graph-emulator/emulator"
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
	maxBodyBytes    int64
	pageSize        int
	logLevel        slog.Level
	logFormat       string
	shutdownTimeout time.Duration
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
		pageSize:        emulator.DefaultPageSize,
		logLevel:        slog.LevelInfo,
		logFormat:       "text",
		shutdownTimeout: 10 * time.Second,
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
	fs.Var(positive[int64]{&o.maxBodyBytes}, "max-body-bytes", "largest request body accepted, in `bytes`, after decompression")
	fs.Var(positive[int]{&o.pageSize}, "page-size", "`number` of entities in one page of a collection before @odata.nextLink")
	fs.TextVar(&o.logLevel, "log-level", o.logLevel, "log `level`: debug (logs every request), info, warn or error")
	fs.Var((*logFormatValue)(&o.logFormat), "log-format", "log `format` on stderr: text or json")
	fs.DurationVar(&o.shutdownTimeout, "shutdown-timeout", o.shutdownTimeout, "how long in-flight requests may take to finish on SIGINT or SIGTERM")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: graph-emulator [flags]\n\n"+
			"A local stand-in for Microsoft Graph. Prints its base URL on the first stdout line.\n"+
			"Each flag may also be set with the environment variable %s<FLAG> (upper case, '-' as '_').\n\nFlags:\n", envPrefix)
		fs.PrintDefaults()
	}
	return fs
}

// parseFlags reads args, then fills every flag not given from its environment variable.
func parseFlags(args []string, getenv func(string) string, stderr io.Writer) (*options, error) {
	o := defaults()
	fs := newFlagSet(&o, stderr)
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q (see --help)", fs.Arg(0))
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	var err error
	fs.VisitAll(func(f *flag.Flag) {
		if err != nil || given[f.Name] {
			return
		}
		if v := getenv(envName(f.Name)); v != "" {
			if e := f.Value.Set(v); e != nil {
				err = fmt.Errorf("%s=%q: %w", envName(f.Name), v, e)
			}
		}
	})
	if err != nil {
		return nil, err
	}
	return &o, nil
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

// run serves until ctx is done, then shuts down gracefully: in-flight requests finish.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	o, err := parseFlags(args, getenv, stderr)
	if err != nil {
		return err
	}
	hopts := &slog.HandlerOptions{Level: o.logLevel}
	var handler slog.Handler = slog.NewTextHandler(stderr, hopts)
	if o.logFormat == "json" {
		handler = slog.NewJSONHandler(stderr, hopts)
	}
	logger := slog.New(handler)

	srv, err := emulator.New(
		emulator.WithStrict(o.strict),
		emulator.WithMaxBodyBytes(o.maxBodyBytes),
		emulator.WithPageSize(o.pageSize),
		emulator.WithLogger(logger),
	)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		return err
	}
	base := "http://" + ln.Addr().String()
	if _, err := fmt.Fprintln(stdout, base); err != nil {
		ln.Close()
		return err
	}
	hs := &http.Server{
		Handler:           srv,
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          slog.NewLogLogger(handler, slog.LevelWarn),
	}
	logger.Info("graph-emulator listening", "url", base, "strict", o.strict,
		"v1.0", base+"/v1.0", "beta", base+"/beta")

	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	logger.Info("shutting down", "timeout", o.shutdownTimeout.String())
	sctx, cancel := context.WithTimeout(context.Background(), o.shutdownTimeout)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	logger.Info("stopped")
	return nil
}
