package emulator

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/graph-emulator/graph-emulator/emulator/behavior"
	"github.com/graph-emulator/graph-emulator/emulator/store"
	"github.com/graph-emulator/graph-emulator/entities"
	"github.com/graph-emulator/graph-emulator/odata"
)

// request is what a handler needs of one HTTP request: parse makes it, handle answers it.
type request struct {
	r       *http.Request
	info    *RequestInfo
	version string
	schema  *entities.Schema
	path    *odata.Path
	base    string    // scheme://host as the client addressed us
	buf     *[]byte   // pooled buffer for the response body
	bodyBuf *[]byte   // pooled buffer for the request body (taken by readBody), never the response's
	resp    *response // what the op of a read or write answered
	pre     preconditions
	// addr is the path-based address the path holds (…/root:/a/b.txt:), or nil.
	addr *pathAddress
	// view is the store view (or write) the request's op runs in, while it runs.
	view store.View
	// commits run as the last step of the request's write (behavior.Env.Commit).
	commits []func() error
	// env is what the behaviour sees of the request, made on first use (see env).
	env      behavior.Env
	envReady bool
	// readOnly is set while the request reads (see read): its scans and filters stop
	// when the request is cancelled, and gone records that they did.
	readOnly, gone bool
	// rd writes stored entities as the behaviour reads them for this request (made on
	// first use, when hasRd is set; see reader).
	rd    behavior.Reader
	hasRd bool
	// itemBuf, while a page is written, is the scratch buffer its items are made in
	// (one for the page: a pooled one is dropped once it has grown past 1 MB).
	itemBuf *[]byte
}

// reader returns how the behaviour writes stored entities for this request.
func (s *Server) reader(rq *request) *behavior.Reader {
	if !rq.hasRd {
		s.behavior.InitReader(&rq.rd, rq.schema, rq.r.Header)
		rq.hasRd = true
	}
	return &rq.rd
}

// tenant is the tenant whose state the request reads and writes.
func (rq *request) tenant() string { return rq.info.Tenant }

// response is what a handler answers; the adapter (serveResource) writes it.
type response struct {
	status   int
	body     []byte // JSON; nil for no body
	location string
	etag     string // the ETag header
	applied  string // Preference-Applied
	// contentType overrides the JSON Content-Type (text/plain for $count and $value).
	contentType string
	// page, in place of body, is a collection page written item by item (stream.go).
	page *pageStream
}

// serveResource is the adapter for every /{version}/... request: parse, handle, and
// write the response or the Graph error. Nothing else writes a resource's answer.
func (s *Server) serveResource(w http.ResponseWriter, r *http.Request) {
	rq, err := s.parse(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	defer s.release(rq)
	resp, err := s.handle(rq)
	if err != nil {
		var nm *errNotModified
		if errors.As(err, &nm) {
			w.Header()["ETag"] = []string{nm.etag}
			w.WriteHeader(http.StatusNotModified)
			return
		}
		s.writeError(w, r, err)
		return
	}
	if rq.hasRd && resp.applied == "" {
		// A preference the behaviour applied while writing entities
		// (outlook.body-content-type).
		resp.applied = rq.rd.Applied()
	}
	s.writeResponse(w, rq, resp)
}

// parse resolves a request's version and path against the schema.
func (s *Server) parse(r *http.Request) (*request, error) {
	version, rest, _ := splitVersion(r.URL.EscapedPath())
	schema := s.cfg.schemas[version]
	if schema == nil {
		return nil, odata.ErrInvalidVersion(version)
	}
	path, err := odata.ParsePath(schema, rest)
	var addr *pathAddress
	if mayHoldAddress(rest) {
		if p, a, aerr := s.parseAddress(schema, rest); a != nil || aerr != nil {
			path, addr, err = p, a, aerr
		}
	}
	if err != nil {
		return nil, err
	}
	pre, err := readPreconditions(r.Header)
	if err != nil {
		return nil, err
	}
	info := Info(r.Context())
	if info == nil { // served without the middleware (never through ServeHTTP)
		info = &RequestInfo{Tenant: store.DefaultTenant}
	}
	return &request{r: r, info: info, version: version, schema: schema, path: path, addr: addr,
		base: baseURL(r, s.cfg.trustProxy), buf: s.getBuf(), pre: pre}, nil
}

// release returns a request's buffers once its response is written.
func (s *Server) release(rq *request) {
	s.putBuf(rq.buf)
	if rq.bodyBuf != nil {
		s.putBuf(rq.bodyBuf)
	}
}

// writeResponse writes a handler's answer.
func (s *Server) writeResponse(w http.ResponseWriter, rq *request, resp *response) {
	h := w.Header()
	if resp.location != "" {
		h["Location"] = []string{resp.location}
	}
	if resp.applied != "" {
		h["Preference-Applied"] = []string{resp.applied}
	}
	if resp.etag != "" {
		h["ETag"] = []string{resp.etag}
	}
	if resp.page != nil {
		s.writePage(w, rq, resp.status, resp.page)
		return
	}
	if resp.body == nil {
		w.WriteHeader(resp.status)
		return
	}
	if resp.contentType != "" {
		h["Content-Type"] = []string{resp.contentType}
		h["Content-Length"] = []string{itoa(len(resp.body))}
		w.WriteHeader(resp.status)
		_, _ = w.Write(resp.body)
		return
	}
	s.writeBody(w, resp.status, resp.body)
}

// handle answers a parsed request: the method and the kind of resource choose the
// handler. Reads run in one store read, writes in one store write.
func (s *Server) handle(rq *request) (*response, error) {
	m := rq.r.Method
	switch rq.path.Kind {
	case odata.PathServiceRoot:
		if m == http.MethodGet {
			return s.serviceDocument(rq)
		}
		return nil, odata.ErrMethodNotAllowed("GET")
	case odata.PathOperation:
		if s.isDelta(rq) { // delta.go
			return s.delta(rq)
		}
		return s.operation(rq)
	case odata.PathCollection:
		switch m {
		case http.MethodGet:
			return s.list(rq)
		case http.MethodPost:
			return s.create(rq)
		}
		return nil, odata.ErrMethodNotAllowed("GET, POST")
	case odata.PathEntity:
		switch m {
		case http.MethodGet:
			return s.get(rq)
		case http.MethodPatch:
			return s.update(rq, true)
		case http.MethodPut:
			return s.update(rq, false)
		case http.MethodDelete:
			return s.remove(rq)
		}
		return nil, odata.ErrMethodNotAllowed("GET, PATCH, PUT, DELETE")
	case odata.PathRef:
		return s.ref(rq)
	case odata.PathCount:
		if m != http.MethodGet {
			return nil, odata.ErrMethodNotAllowed("GET")
		}
		return s.count(rq)
	case odata.PathEntityValue:
		if m != http.MethodGet {
			return nil, odata.ErrMethodNotAllowed("GET")
		}
		return s.entityValue(rq)
	case odata.PathProperty, odata.PathPropertyValue:
		if s.isStream(rq) { // content.go
			return s.stream(rq)
		}
		if m != http.MethodGet {
			return nil, odata.ErrMethodNotAllowed("GET")
		}
		return s.property(rq)
	}
	return nil, odata.ErrInternal()
}

// readOp and writeOp answer a request from its resolved resource inside one store read
// or write. They take the server and request as parameters, so that an op that
// captures nothing else costs no allocation.
type (
	readOp  func(s *Server, rq *request, v store.View, r *resource) (*response, error)
	writeOp func(s *Server, rq *request, tx store.Tx, r *resource) (*response, error)
)

// read resolves the request's path in one read of the tenant's state and runs op there.
// A path that meets something the behaviour makes on first use (a user's drive) is
// answered after a write that makes it (see provide).
//
// A read stops when the request's context is done (the client went away, or its
// deadline passed): scans end early and the answer is Graph's 503, which no one may be
// left to read. Writes run to their end: a half-done scan could not decide a write.
func (s *Server) read(rq *request, op readOp) (*response, error) {
	for attempt := 0; ; attempt++ {
		rq.readOnly = true
		err := s.store.Read(rq.tenant(), func(v store.View) error {
			rq.view = v
			defer func() { rq.view = nil }()
			r, err := s.resolve(rq, v)
			if err != nil {
				return err
			}
			rq.resp, err = op(s, rq, v, r)
			return err
		})
		rq.readOnly = false
		if rq.gone || rq.r.Context().Err() != nil {
			rq.resp = nil
			return nil, odata.ErrCancelled()
		}
		if err != nil && attempt < maxProvisions {
			if p, ok := err.(*errProvision); ok {
				if err := s.provide(rq, p.p); err != nil {
					return nil, err
				}
				continue
			}
		}
		return rq.takeResponse(err)
	}
}

// write resolves the request's path in one write of the tenant's state and runs op
// there: all that op does is kept, or nothing when it fails or takes the tenant past a
// quota (limits.go). What op (or the behaviour) asked to run at commit (rq.commits) runs
// last, inside the write, once the quotas are checked.
func (s *Server) write(rq *request, op writeOp) (*response, error) {
	err := s.store.Write(rq.tenant(), func(tx store.Tx) error {
		rq.view, rq.commits = tx, rq.commits[:0]
		defer func() { rq.view, rq.commits = nil, nil }()
		// A DELETE is never refused for a quota: it is how a client makes room (a soft
		// delete keeps the entity, as Graph counts deleted directory objects too).
		quota, limited := startQuota(tx)
		limited = limited && rq.r.Method != http.MethodDelete
		r, err := s.resolve(rq, tx)
		if err != nil {
			return err
		}
		if rq.resp, err = op(s, rq, tx, r); err != nil {
			return err
		}
		if limited {
			if err := quota.check(&s.cfg); err != nil {
				return err
			}
		}
		for _, fn := range rq.commits {
			if err := fn(); err != nil {
				return err
			}
		}
		return nil
	})
	return rq.takeResponse(err)
}

// takeResponse hands over the response an op left in rq (none when err is set).
func (rq *request) takeResponse(err error) (*response, error) {
	resp := rq.resp
	rq.resp = nil
	if err != nil {
		return nil, err
	}
	return resp, nil
}

// checkQuery refuses the system query options of a request that takes none (writes,
// properties, the service document), so that a test never silently gets what it did not
// ask for; $format=json is accepted, and names without '$' are custom options, ignored
// as OData allows. allowed lists further options that may appear. Reads of collections
// and entities parse their options with odata.ParseQuery (see query.go).
func checkQuery(rq *request, allowed ...string) (url.Values, error) {
	if rq.r.URL.RawQuery == "" {
		return nil, nil
	}
	q, err := odata.SplitQuery(rq.r.URL.RawQuery)
	if err != nil {
		return nil, err
	}
	for k, v := range q {
		if !strings.HasPrefix(k, "$") {
			continue // custom query options are ignored, as OData allows
		}
		switch {
		case k == "$format" && len(v) == 1 && (v[0] == "json" || strings.HasPrefix(v[0], "application/json")):
		case contains(allowed, k):
		default:
			return nil, odata.ErrQueryOption(k)
		}
	}
	return q, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// prefersMinimal reports whether the Prefer header asks for return=minimal.
func prefersMinimal(h http.Header) bool { return prefers(h, "return=minimal") }

// prefersRepresentation reports whether the Prefer header asks for return=representation.
func prefersRepresentation(h http.Header) bool { return prefers(h, "return=representation") }

// prefers reports whether a Prefer header holds the preference pref (case-insensitively).
func prefers(h http.Header, pref string) bool {
	for _, v := range h[hdrPrefer] {
		for _, part := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ';' }) {
			if strings.EqualFold(strings.TrimSpace(part), pref) {
				return true
			}
		}
	}
	return false
}

// readBody reads a JSON request body: Content-Type must be JSON, Content-Encoding gzip or
// identity, and the decoded size within the limit. The bytes are valid until the
// request's body buffer is released.
func (s *Server) readBody(rq *request) ([]byte, error) {
	r := rq.r
	ct := headerValue(r.Header, hdrContentType)
	if ct == "" {
		return nil, odata.ErrUnreadableJSON()
	}
	if !isJSONMediaType(ct) {
		return nil, odata.ErrUnsupportedMediaType(ct)
	}
	body := r.Body
	if body == nil { // a request made in-process without a body (a batch step's)
		body = http.NoBody
	}
	var src io.Reader = body
	switch enc := strings.ToLower(strings.TrimSpace(headerValue(r.Header, hdrContentEncoding))); enc {
	case "", "identity":
	case "gzip", "x-gzip":
		z := s.getGzip()
		var err error
		if z == nil {
			z, err = gzip.NewReader(body)
		} else {
			err = z.Reset(body)
		}
		if err != nil {
			if isTooLarge(err) {
				return nil, odata.ErrBodyTooLarge()
			}
			return nil, odata.ErrUnreadableJSON()
		}
		defer s.gzips.Put(z)
		src = z
	default:
		return nil, odata.ErrUnsupportedEncoding(enc)
	}
	if rq.bodyBuf == nil {
		rq.bodyBuf = s.getBuf()
	}
	buf := bytes.NewBuffer((*rq.bodyBuf)[:0])
	if n := r.ContentLength; src == body && n > 0 && n <= s.cfg.maxBodyBytes {
		buf.Grow(int(n) + bytes.MinRead) // one allocation for a large body, not a dozen
	}
	n, err := buf.ReadFrom(io.LimitReader(src, s.cfg.maxBodyBytes+1))
	*rq.bodyBuf = buf.Bytes()[:0]
	if err != nil {
		if isTooLarge(err) {
			return nil, odata.ErrBodyTooLarge()
		}
		return nil, odata.ErrUnreadableJSON()
	}
	if n > s.cfg.maxBodyBytes {
		return nil, odata.ErrBodyTooLarge()
	}
	// Every JSON body has its depth bounded before anything parses it; a $batch body
	// gets room for its envelope, whose steps' bodies sit three levels down.
	if err := entities.CheckDepth(buf.Bytes(), entities.MaxDepth+batchEnvelopeDepth); err != nil {
		return nil, odata.ErrTooDeep(entities.MaxDepth)
	}
	return buf.Bytes(), nil
}

// batchEnvelopeDepth is how deep a $batch body puts its steps' bodies: in the object
// of a step, in the requests array, in the batch's object.
const batchEnvelopeDepth = 3

func isTooLarge(err error) bool {
	var mbe *http.MaxBytesError
	return errors.As(err, &mbe)
}

// isJSONMediaType reports whether a Content-Type names application/json (any parameters).
func isJSONMediaType(ct string) bool {
	mt, _, _ := strings.Cut(ct, ";")
	return strings.EqualFold(strings.TrimSpace(mt), "application/json")
}

// baseURL is scheme://host of the request as the client addressed it: https on a TLS
// connection, and the Host header. With trustProxy, X-Forwarded-Proto and
// X-Forwarded-Host override them (see WithTrustProxy).
func baseURL(r *http.Request, trustProxy bool) string {
	scheme, host := "http", requestHost(r)
	if r.TLS != nil {
		scheme = "https"
	}
	if trustProxy {
		if p, ok := forwardedProto(r); ok {
			scheme = p
		}
		if h, ok := forwardedHost(r); ok {
			host = h
		}
	}
	return scheme + "://" + host
}

func itoa(n int) string { return strconv.Itoa(n) }
