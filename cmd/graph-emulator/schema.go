package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/graph-emulator/graph-emulator/emulator"
	"github.com/graph-emulator/graph-emulator/entities"
)

// Named schema sources: Graph's schema embedded in the binary (the default) and the
// minimal built-in one.
const (
	sourceGraph   = "graph"
	sourceMinimal = "minimal"
)

// schemaValue collects --schema VERSION=SOURCE pairs, comma-separated. SOURCE is graph
// (Graph's embedded schema, the default), minimal (the small built-in schema), a CSDL
// file or an http(s) URL such as Graph's https://graph.microsoft.com/v1.0/$metadata. A
// bare graph or minimal names the source of both versions.
type schemaValue string

func (v *schemaValue) String() string { return string(*v) }

func (v *schemaValue) Set(s string) error {
	pairs := v.pairs()
	for part := range strings.SplitSeq(s, ",") {
		part = strings.TrimSpace(part)
		if part == sourceGraph || part == sourceMinimal {
			for _, version := range entities.Versions() {
				pairs[version] = part
			}
			continue
		}
		version, src, ok := strings.Cut(part, "=")
		if !ok || src == "" {
			return fmt.Errorf("%q: want VERSION=SOURCE (SOURCE: graph, minimal, a CSDL file or URL), graph or minimal", part)
		}
		if !entities.IsVersion(version) {
			return fmt.Errorf("%q: unknown version %q (want v1.0 or beta)", part, version)
		}
		pairs[version] = src
	}
	var out []string
	for _, version := range entities.Versions() {
		if src, ok := pairs[version]; ok {
			out = append(out, version+"="+src)
		}
	}
	*v = schemaValue(strings.Join(out, ","))
	return nil
}

// pairs returns version -> source.
func (v *schemaValue) pairs() map[string]string {
	m := map[string]string{}
	if *v == "" {
		return m
	}
	for part := range strings.SplitSeq(string(*v), ",") {
		version, src, _ := strings.Cut(part, "=")
		m[version] = src
	}
	return m
}

// exposeValue collects --expose TYPE[=SET] entries, comma-separated.
type exposeValue string

func (v *exposeValue) String() string { return string(*v) }

func (v *exposeValue) Set(s string) error {
	list := v.list()
	for part := range strings.SplitSeq(s, ",") {
		part = strings.TrimSpace(part)
		typ, set, _ := strings.Cut(part, "=")
		if !strings.Contains(typ, ".") || strings.ContainsAny(typ, " /") || strings.ContainsAny(set, " /.") {
			return fmt.Errorf("%q: want a qualified entity type, e.g. microsoft.graph.x or microsoft.graph.x=xs", part)
		}
		list = append(list, part)
	}
	*v = exposeValue(strings.Join(list, ","))
	return nil
}

func (v *exposeValue) list() []string {
	if *v == "" {
		return nil
	}
	return strings.Split(string(*v), ",")
}

// schemaOptions loads the schemas the options name and returns the emulator options
// that serve them. A version without --schema gets Graph's embedded schema; --expose
// applies to every schema.
func schemaOptions(ctx context.Context, o *options, logger *slog.Logger) ([]emulator.Option, error) {
	exposes := o.expose.list()
	sources := o.schema.pairs()
	versions := entities.Versions()
	type loaded struct {
		schema  *entities.Schema
		exposed map[string]bool
		err     error
	}
	results := make([]loaded, len(versions))
	// The versions load in parallel, with the collector relaxed while they do: a
	// Graph CSDL allocates tens of megabytes of short-lived tokens.
	defer debug.SetGCPercent(debug.SetGCPercent(400))
	var wg sync.WaitGroup
	for i, version := range versions {
		src, given := sources[version]
		if !given {
			src = sourceGraph
		}
		wg.Go(func() {
			start := time.Now()
			res := loaded{exposed: map[string]bool{}}
			res.schema, res.err = loadSchema(ctx, version, src, exposes, res.exposed,
				fetcher{logger: logger, maxBytes: o.limits.schemaMaxBytes, timeout: o.limits.schemaTimeout})
			if res.err == nil && given {
				logger.Info("schema loaded", "version", version, "source", src,
					"entitySets", len(res.schema.EntitySets()), "singletons", len(res.schema.Singletons()),
					"duration", time.Since(start).Round(100*time.Microsecond).String())
			}
			results[i] = res
		})
	}
	wg.Wait()
	exposed := map[string]bool{}
	var opts []emulator.Option
	for i, version := range versions {
		res := results[i]
		if res.err != nil {
			return nil, res.err
		}
		for e := range res.exposed {
			exposed[e] = true
		}
		opts = append(opts, emulator.WithSchema(version, res.schema))
	}
	for _, e := range exposes {
		if !exposed[e] {
			typ, _, _ := strings.Cut(e, "=")
			return nil, fmt.Errorf("--expose %s: no schema has the entity type %s", e, typ)
		}
	}
	return opts, nil
}

// loadSchema reads one version's schema from src (graph, minimal, a file or a URL),
// merges the built-in additions and exposes those of the given types the schema has,
// marking them in exposed. Graph's embedded schema without --expose is the one shared
// copy (entities.Graph); with --expose it is a copy of its own.
func loadSchema(ctx context.Context, version, src string, exposes []string, exposed map[string]bool, fetch fetcher) (*entities.Schema, error) {
	extend := func(s *entities.Schema) error {
		if err := entities.AddBuiltins(s); err != nil {
			return err
		}
		for _, e := range exposes {
			typ, set, _ := strings.Cut(e, "=")
			if s.StructuredType(typ) == nil {
				continue // a type of the other version
			}
			if err := s.Expose(typ, set); err != nil {
				return fmt.Errorf("--expose %s: %w", e, err)
			}
			exposed[e] = true
		}
		return nil
	}
	switch src {
	case sourceGraph:
		if len(exposes) == 0 {
			return entities.Graph(version)
		}
		return entities.GraphWith(version, extend)
	case sourceMinimal:
		return entities.BuiltinWith(version, extend)
	}
	r, err := fetch.open(ctx, version, src)
	if err != nil {
		return nil, fmt.Errorf("--schema %s=%s: %w", version, src, err)
	}
	defer r.Close()
	s, err := entities.LoadCSDL(r, extend)
	if err != nil {
		if ferr := r.err(); ferr != nil {
			err = ferr // the fetch's own failure: a timeout, a body over the cap
		}
		return nil, fmt.Errorf("--schema %s=%s: %w", version, src, err)
	}
	return s, nil
}

// fetcher reads a schema source: a file, or an http(s) URL fetched within a time and
// size budget, with a log line when the fetch starts and every few seconds while it
// goes on.
type fetcher struct {
	logger   *slog.Logger
	maxBytes int64
	timeout  time.Duration
}

// fetchProgressEvery is how often a fetch in progress is logged.
const fetchProgressEvery = 5 * time.Second

// open opens a CSDL file, or fetches an http(s) URL. Errors of a fetch name the URL
// (the caller adds the flag).
func (f fetcher) open(ctx context.Context, version, src string) (*source, error) {
	if !strings.HasPrefix(src, "http://") && !strings.HasPrefix(src, "https://") {
		file, err := os.Open(src)
		if err != nil {
			return nil, err
		}
		return &source{Reader: file, close: file.Close}, nil
	}
	f.logger.Info("fetching schema", "version", version, "url", src, "timeout", f.timeout.String(), "maxBytes", f.maxBytes)
	ctx, cancel := context.WithTimeout(ctx, f.timeout)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, src, nil)
	if err != nil {
		cancel()
		return nil, err
	}
	req.Header.Set("Accept", "application/xml")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		cancel()
		return nil, f.describe(ctx, src, 0, err)
	}
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		cancel()
		return nil, fmt.Errorf("GET %s: %s", src, resp.Status)
	}
	if resp.ContentLength > f.maxBytes {
		resp.Body.Close()
		cancel()
		return nil, fmt.Errorf("GET %s: the answer has %d bytes, more than --schema-max-bytes (%d)", src, resp.ContentLength, f.maxBytes)
	}
	opened := &source{close: func() error { err := resp.Body.Close(); cancel(); return err }}
	opened.Reader = &fetchReader{f: f, ctx: ctx, src: src, version: version, body: resp.Body, start: time.Now(),
		last: time.Now(), fail: func(err error) { opened.failed = err }}
	return opened, nil
}

// describe words a fetch error: a deadline is named as the timeout.
func (f fetcher) describe(ctx context.Context, src string, n int64, err error) error {
	if ctx.Err() == context.DeadlineExceeded {
		return fmt.Errorf("GET %s: no complete answer within --schema-timeout (%s); %d bytes read", src, f.timeout, n)
	}
	return fmt.Errorf("GET %s: %w", src, err)
}

// source is an open schema source.
type source struct {
	io.Reader
	close  func() error
	failed error // the fetch's own failure, if any
}

func (s *source) Close() error { return s.close() }

func (s *source) err() error { return s.failed }

// fetchReader reads a fetched body: it fails past the size cap, names the URL in its
// errors and logs its progress.
type fetchReader struct {
	f       fetcher
	ctx     context.Context
	src     string
	version string
	body    io.Reader
	n       int64
	start   time.Time
	last    time.Time
	fail    func(error)
}

func (r *fetchReader) Read(p []byte) (int, error) {
	if r.n > r.f.maxBytes {
		return 0, r.failed(fmt.Errorf("GET %s: the answer is larger than --schema-max-bytes (%d)", r.src, r.f.maxBytes))
	}
	if int64(len(p)) > r.f.maxBytes-r.n+1 {
		p = p[:r.f.maxBytes-r.n+1]
	}
	n, err := r.body.Read(p)
	r.n += int64(n)
	if now := time.Now(); now.Sub(r.last) >= fetchProgressEvery {
		r.last = now
		r.f.logger.Info("fetching schema", "version", r.version, "url", r.src, "bytes", r.n,
			"elapsed", now.Sub(r.start).Round(time.Second).String())
	}
	if r.n > r.f.maxBytes {
		return n, r.failed(fmt.Errorf("GET %s: the answer is larger than --schema-max-bytes (%d)", r.src, r.f.maxBytes))
	}
	if err != nil && err != io.EOF {
		return n, r.failed(r.f.describe(r.ctx, r.src, r.n, err))
	}
	return n, err
}

func (r *fetchReader) failed(err error) error {
	r.fail(err)
	return err
}
