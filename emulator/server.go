package emulator

import (
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/mux"

	"github.com/graph-emulator/graph-emulator/emulator/behavior"
	"github.com/graph-emulator/graph-emulator/emulator/control"
	"github.com/graph-emulator/graph-emulator/emulator/faults"
	"github.com/graph-emulator/graph-emulator/emulator/store"
	"github.com/graph-emulator/graph-emulator/emulator/stubs"
	"github.com/graph-emulator/graph-emulator/entities"
	"github.com/graph-emulator/graph-emulator/odata"
)

// Server emulates Microsoft Graph. It is an http.Handler and never listens by itself:
// serve it with net/http or httptest. Create one with New.
type Server struct {
	cfg      config
	store    store.Store
	behavior *behavior.Behavior
	handler  http.Handler
	// indexes holds what the server derives from each schema it serves.
	indexes map[*entities.Schema]*schemaIndex

	// The control API (controlapi.go): its handlers, the request journal (nil when
	// off), when the server started, and the fixtures a reset of the default tenant
	// loads again.
	control *control.API
	journal *control.Journal
	started time.Time
	startup []fixture
	// The fault rules and stubs a test configures (inject.go).
	faults *faults.Registry
	stubs  *stubs.Registry

	// closer is the store New opened (WithDataDir), which Close closes.
	closer io.Closer

	bufs  sync.Pool // *[]byte: response and request body buffers
	gzips sync.Pool // *gzip.Reader
	// content keeps streams: the store's Content capability, or memory of the server's
	// own (see content.go).
	content  store.Content
	copyBufs sync.Pool // *[]byte: buffers content is copied through
	// queryOpts are the options every query is parsed with (the behaviour's search
	// hooks, bound once).
	queryOpts odata.QueryOptions
	// unique is what the store's index holds (index.go).
	unique uniqueIndex
	// shapes are the versions whose default projections the store's shapes tell
	// (shape.go); empty when the store keeps none.
	shapes []shapeVersion
}

// New returns a Server configured by opts. With no options it serves Microsoft Graph's
// v1.0 and beta schemas, embedded in the binary (entities.Graph), from a new in-memory
// store; the first New in a process decodes them (about 15 ms), later ones share them.
func New(opts ...Option) (*Server, error) {
	cfg := config{
		schemas:        map[string]*entities.Schema{},
		singletons:     map[string]string{},
		maxBodyBytes:   DefaultMaxBodyBytes,
		maxUploadBytes: DefaultMaxUploadBytes,
		pageSize:       DefaultPageSize,
		maxEntities:    DefaultMaxEntities,
		maxStoredBytes: DefaultMaxStoredBytes, // limits.go
		logger:         slog.New(slog.DiscardHandler),
		now:            time.Now,
	}
	for _, o := range opts {
		if err := o(&cfg); err != nil {
			return nil, err
		}
	}
	if err := defaultSchemas(cfg.schemas); err != nil {
		return nil, err
	}
	if cfg.newID == nil {
		cfg.newID = randomUUIDs()
	}
	if cfg.newRequestID == nil {
		cfg.newRequestID = randomUUIDs()
	}
	var closer io.Closer
	made := cfg.store == nil // the store is the server's own
	switch {
	case cfg.store != nil:
	case cfg.dataDir != "":
		b, err := store.OpenBolt(cfg.dataDir, store.BoltOptions{FeedSize: cfg.feedSize, SyncWindow: cfg.dataSync, Logger: cfg.logger})
		if err != nil {
			return nil, fmt.Errorf("emulator: %w", err)
		}
		cfg.store, closer = b, b
	default:
		cfg.store = store.NewMemory(cfg.feedSize)
	}
	s := &Server{
		cfg:    cfg,
		store:  cfg.store,
		closer: closer,
		behavior: behavior.New(behavior.Config{AdvancedQueryTypes: cfg.advancedTypes, Strict: cfg.strict, LenientQueries: cfg.lenientQueries,
			DefaultDomain: cfg.defaultDomain, Profiles: cfg.profiles, NoProfileData: cfg.noProfileData, Operations: cfg.operations, Singletons: cfg.singletons,
			MaxContentBytes: cfg.maxContentBytes,
			Merge: func(t *entities.StructuredType, body []byte, fields []entities.Field) []byte {
				return mergeBody(t, keyName(t), body, fields)
			}}),
		indexes: map[*entities.Schema]*schemaIndex{},
	}
	s.queryOpts = odata.QueryOptions{OptionalDollar: true, SearchTokenized: s.behavior.SearchTokenized, ParseSearch: s.behavior.ParseSearch}
	if c, ok := cfg.store.(store.Content); ok {
		s.content = c
	} else {
		s.content = store.NewMemoryContent()
	}
	for _, schema := range cfg.schemas {
		if s.indexes[schema] == nil {
			s.indexes[schema] = newSchemaIndex(schema)
		}
	}
	// A store given by WithStore may be shared (with servers of other schemas): its
	// shapes are left alone.
	if sh, ok := cfg.store.(store.Shaping); ok && made {
		s.shapeStore(sh)
	}
	if ix, ok := cfg.store.(store.Indexing); ok && made {
		s.indexStore(ix)
	}
	s.bufs.New = func() any { b := make([]byte, 0, 4096); return &b }
	if err := s.initControl(); err != nil {
		s.Close()
		return nil, err
	}
	s.handler = wrap(s.routes(), s.chain())
	return s, nil
}

// defaultSchemas fills in Graph's embedded schema (entities.Graph) for each version
// without one. The first call in a process decodes them, the versions in parallel;
// later calls share the decoded schemas.
func defaultSchemas(schemas map[string]*entities.Schema) error {
	versions := entities.Versions()
	got := make([]*entities.Schema, len(versions))
	errs := make([]error, len(versions))
	var wg sync.WaitGroup
	for i, v := range versions {
		if schemas[v] == nil {
			wg.Go(func() { got[i], errs[i] = entities.Graph(v) })
		}
	}
	wg.Wait()
	for i, v := range versions {
		if errs[i] != nil {
			return fmt.Errorf("emulator: %w", errs[i])
		}
		if got[i] != nil {
			schemas[v] = got[i]
		}
	}
	return nil
}

// Store returns the server's store.
func (s *Server) Store() store.Store { return s.store }

// Close releases what New opened: the data directory's file (WithDataDir), after
// saving the writes it has answered. A store given with WithStore is its owner's to
// close. Serve no request after Close; it may be called more than once.
func (s *Server) Close() error {
	if s.closer == nil {
		return nil
	}
	return s.closer.Close()
}

// Reset returns every tenant to its state at start, as POST /_emulator/reset does:
// empty, or for the default tenant what the start-up fixtures (WithSampleData, WithSeed,
// WithSignedInUser) put in it.
func (s *Server) Reset() {
	if err := s.resetState(""); err != nil {
		s.cfg.logger.Error("reset", "error", err)
	}
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// routes builds the router. Middleware wraps it from outside (see New), because
// gorilla/mux runs Use middleware only on a match and every answer, a 404 included,
// needs request ids and a Graph error body. Routes match on plain string prefixes:
// path templates would run two regular expressions on every request.
func (s *Server) routes() http.Handler {
	r := mux.NewRouter().UseEncodedPath()
	r.SkipClean(true)
	r.MatcherFunc(func(r *http.Request, _ *mux.RouteMatch) bool { return s.matchMetadata(r) }).
		HandlerFunc(s.serveMetadata).Name("metadata")
	r.MatcherFunc(s.matchBatch).HandlerFunc(s.serveBatch).Name("batch")
	r.MatcherFunc(s.matchVersion).HandlerFunc(s.serveResource).Name("resource")
	r.MatcherFunc(matchPrefix(behavior.ReportDownloadPath)).HandlerFunc(s.serveReport).Name("report-download")
	// The control API (emulator/control): outside /{version}, passed by the journal,
	// auth and faults; each handler answers its own methods.
	r.MatcherFunc(matchPath(control.Prefix + "health")).Handler(s.control.Health()).Name("control-health")
	r.MatcherFunc(matchPath(control.Prefix + "reset")).Handler(s.control.Reset()).Name("control-reset")
	r.MatcherFunc(matchPath(control.Prefix + "data")).Handler(s.control.Data()).Name("control-data")
	r.MatcherFunc(matchPath(control.Prefix + "requests")).Handler(s.control.Requests()).Name("control-requests")
	r.MatcherFunc(matchPath(control.Prefix + "faults")).Handler(s.control.Faults()).Name("control-faults")
	r.MatcherFunc(matchPrefix(control.Prefix + "faults/")).Handler(s.control.Fault()).Name("control-fault")
	r.MatcherFunc(matchPath(control.Prefix + "stubs")).Handler(s.control.Stubs()).Name("control-stubs")
	r.MatcherFunc(matchPrefix(control.Prefix + "stubs/")).Handler(s.control.Stub()).Name("control-stub")
	r.MatcherFunc(matchPrefix(behavior.DownloadPath)).HandlerFunc(s.serveDownload).Name("content-download")
	r.MatcherFunc(matchPrefix(behavior.UploadPath)).HandlerFunc(s.serveUpload).Name("upload-session")
	r.MatcherFunc(matchPrefix(behavior.MonitorPath)).HandlerFunc(s.serveMonitor).Name("monitor")
	r.MatcherFunc(matchPrefix(behavior.AttachmentUploadPath)).HandlerFunc(s.serveAttachmentUpload).Name("attachment-upload-session")
	r.MatcherFunc(matchPath(control.Prefix + "mail")).Handler(s.control.Mail()).Name("control-mail")
	r.NotFoundHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if v, _, ok := splitVersion(r.URL.EscapedPath()); ok && v != "" {
			s.writeError(w, r, odata.ErrInvalidVersion(v))
			return
		}
		s.writeError(w, r, odata.ErrNoResource(r.URL.Path))
	})
	r.MethodNotAllowedHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.writeError(w, r, odata.ErrMethodNotAllowed(""))
	})
	return r
}

// matchPath matches one escaped path exactly (a trailing slash allowed).
func matchPath(path string) mux.MatcherFunc {
	return func(r *http.Request, _ *mux.RouteMatch) bool {
		p := r.URL.EscapedPath()
		return p == path || len(p) == len(path)+1 && p[len(path)] == '/' && p[:len(path)] == path
	}
}

// matchVersion matches /{version} and /{version}/... for a served version.
func (s *Server) matchVersion(r *http.Request, _ *mux.RouteMatch) bool {
	v, _, ok := splitVersion(r.URL.EscapedPath())
	return ok && s.cfg.schemas[v] != nil
}

// splitVersion splits an escaped path "/{version}/{rest}" into version and rest.
func splitVersion(escaped string) (version, rest string, ok bool) {
	p, ok := strings.CutPrefix(escaped, "/")
	if !ok {
		return "", "", false
	}
	version, rest, _ = strings.Cut(p, "/")
	return version, rest, true
}

// jsonContentType is how Graph labels JSON bodies.
var jsonContentType = []string{"application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8"}

// writeError writes err as Graph does. An error that is not an *odata.Error is logged and
// answered with a 500.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	var ge *odata.Error
	if !errors.As(err, &ge) {
		s.cfg.logger.LogAttrs(context.Background(), slog.LevelError, "request failed",
			slog.String("method", r.Method), slog.String("path", r.URL.RequestURI()),
			slog.String("error", err.Error()))
		ge = odata.ErrInternal()
	}
	h := w.Header()
	for k, v := range ge.Header {
		h[k] = v
	}
	inner := odata.InnerError{Date: s.cfg.now()}
	if v := h[hdrRequestID]; len(v) > 0 {
		inner.RequestID = v[0]
	}
	if v := h[hdrClientRequestID]; len(v) > 0 {
		inner.ClientRequestID = v[0]
	}
	bp := s.getBuf()
	*bp = ge.AppendJSON((*bp)[:0], inner)
	s.writeBody(w, ge.Status, *bp)
	s.putBuf(bp)
}

// writeBody writes a JSON body with its Content-Type and length.
func (s *Server) writeBody(w http.ResponseWriter, status int, body []byte) {
	h := w.Header()
	h["Content-Type"] = jsonContentType
	h["Content-Length"] = []string{itoa(len(body))}
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

func (s *Server) getBuf() *[]byte { return s.bufs.Get().(*[]byte) }

func (s *Server) putBuf(b *[]byte) {
	if cap(*b) > 1<<20 {
		return // do not keep huge buffers alive
	}
	*b = (*b)[:0]
	s.bufs.Put(b)
}

func (s *Server) getGzip() *gzip.Reader {
	if z, ok := s.gzips.Get().(*gzip.Reader); ok {
		return z
	}
	return nil
}
