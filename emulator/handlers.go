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

	"github.com/graph-emulator/graph-emulator/entities"
	"github.com/graph-emulator/graph-emulator/odata"
)

// request is what a handler needs of one HTTP request.
type request struct {
	r       *http.Request
	version string
	schema  *entities.Schema
	path    *odata.Path
	base    string  // scheme://host as the client addressed us
	buf     *[]byte // pooled buffer for the response body
}

// response is what a handler answers; the adapter in serveResource writes it.
type response struct {
	status   int
	body     []byte // JSON; nil for no body
	location string
	applied  string // Preference-Applied
	// contentType overrides the JSON Content-Type (text/plain for $count and $value).
	contentType string
}

// serveResource is the adapter for every /{version}/... request: it resolves the path,
// runs the handler for the method and writes the response or the Graph error.
func (s *Server) serveResource(w http.ResponseWriter, r *http.Request) {
	version, rest, _ := splitVersion(r.URL.EscapedPath())
	schema := s.cfg.schemas[version]
	if schema == nil {
		s.writeError(w, r, odata.ErrInvalidVersion(version))
		return
	}
	path, err := odata.ParsePath(schema, rest)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	rq := &request{r: r, version: version, schema: schema, path: path, base: baseURL(r, s.cfg.trustProxy), buf: s.getBuf()}
	defer s.putBuf(rq.buf)
	resp, err := s.dispatch(rq)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	h := w.Header()
	if resp.location != "" {
		h["Location"] = []string{resp.location}
	}
	if resp.applied != "" {
		h["Preference-Applied"] = []string{resp.applied}
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

func (s *Server) dispatch(rq *request) (*response, error) {
	m := rq.r.Method
	if rq.path.Kind == odata.PathServiceRoot {
		if m == http.MethodGet {
			return s.serviceDocument(rq)
		}
		return nil, odata.ErrMethodNotAllowed("GET")
	}
	if rq.path.Kind == odata.PathOperation {
		return nil, s.operation(rq)
	}
	r, err := s.resolve(rq)
	if err != nil {
		return nil, err
	}
	switch rq.path.Kind {
	case odata.PathCollection:
		switch m {
		case http.MethodGet:
			return s.list(rq, r)
		case http.MethodPost:
			return s.create(rq, r)
		}
		return nil, odata.ErrMethodNotAllowed("GET, POST")
	case odata.PathEntity:
		switch m {
		case http.MethodGet:
			return s.get(rq, r)
		case http.MethodPatch:
			return s.update(rq, r, true)
		case http.MethodPut:
			return s.update(rq, r, false)
		case http.MethodDelete:
			return s.remove(rq, r)
		}
		return nil, odata.ErrMethodNotAllowed("GET, PATCH, PUT, DELETE")
	case odata.PathRef:
		return s.ref(rq, r)
	case odata.PathCount:
		if m != http.MethodGet {
			return nil, odata.ErrMethodNotAllowed("GET")
		}
		return s.count(rq, r)
	case odata.PathProperty, odata.PathPropertyValue:
		if m != http.MethodGet {
			return nil, odata.ErrMethodNotAllowed("GET")
		}
		return s.property(rq, r)
	}
	return nil, odata.ErrInternal()
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
func prefersMinimal(h http.Header) bool {
	for _, v := range h.Values("Prefer") {
		for _, part := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ';' }) {
			if strings.EqualFold(strings.TrimSpace(part), "return=minimal") {
				return true
			}
		}
	}
	return false
}

// readBody reads a JSON request body: Content-Type must be JSON, Content-Encoding gzip or
// identity, and the decoded size within the limit. The bytes are valid until the
// request's buffer is reused.
func (s *Server) readBody(rq *request) ([]byte, error) {
	r := rq.r
	ct := r.Header.Get("Content-Type")
	if ct == "" {
		return nil, odata.ErrUnreadableJSON()
	}
	if !isJSONMediaType(ct) {
		return nil, odata.ErrUnsupportedMediaType(ct)
	}
	var src io.Reader = r.Body
	switch enc := strings.ToLower(strings.TrimSpace(r.Header.Get("Content-Encoding"))); enc {
	case "", "identity":
	case "gzip", "x-gzip":
		z := s.getGzip()
		var err error
		if z == nil {
			z, err = gzip.NewReader(r.Body)
		} else {
			err = z.Reset(r.Body)
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
	buf := bytes.NewBuffer((*rq.buf)[:0])
	n, err := buf.ReadFrom(io.LimitReader(src, s.cfg.maxBodyBytes+1))
	*rq.buf = buf.Bytes()[:0]
	if err != nil {
		if isTooLarge(err) {
			return nil, odata.ErrBodyTooLarge()
		}
		return nil, odata.ErrUnreadableJSON()
	}
	if n > s.cfg.maxBodyBytes {
		return nil, odata.ErrBodyTooLarge()
	}
	return buf.Bytes(), nil
}

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
