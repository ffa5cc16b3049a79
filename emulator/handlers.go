package emulator

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/tidwall/gjson"

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
	rq := &request{r: r, version: version, schema: schema, path: path, base: baseURL(r), buf: s.getBuf()}
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
	s.writeBody(w, resp.status, resp.body)
}

func (s *Server) dispatch(rq *request) (*response, error) {
	m := rq.r.Method
	switch rq.path.Kind {
	case odata.PathServiceRoot:
		if m == http.MethodGet {
			return s.serviceDocument(rq)
		}
		return nil, odata.ErrMethodNotAllowed("GET")
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
	}
	return nil, odata.ErrInternal()
}

// checkQuery refuses query options this request cannot honour, so that a test never
// silently gets unfiltered data. allowed lists the options that may appear.
func checkQuery(rq *request, allowed ...string) (url.Values, error) {
	if rq.r.URL.RawQuery == "" {
		return nil, nil
	}
	q, err := url.ParseQuery(rq.r.URL.RawQuery)
	if err != nil {
		return nil, &odata.Error{Status: http.StatusBadRequest, Code: "BadRequest",
			Message: "The query string is malformed: " + err.Error()}
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

func (s *Server) serviceDocument(rq *request) (*response, error) {
	if _, err := checkQuery(rq); err != nil {
		return nil, err
	}
	b := append((*rq.buf)[:0], `{"@odata.context":`...)
	b = odata.AppendString(b, rq.base+"/"+rq.version+"/$metadata")
	b = append(b, `,"value":[`...)
	for i, es := range rq.schema.EntitySets() {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"name":`...)
		b = odata.AppendString(b, es.Name)
		b = append(b, `,"kind":"EntitySet","url":`...)
		b = odata.AppendString(b, es.Name)
		b = append(b, '}')
	}
	b = append(b, "]}"...)
	*rq.buf = b
	return &response{status: http.StatusOK, body: b}, nil
}

func (s *Server) get(rq *request) (*response, error) {
	if _, err := checkQuery(rq); err != nil {
		return nil, err
	}
	set := rq.path.Set
	e, err := s.store.Get(set.Name, rq.path.Key)
	if err != nil {
		return nil, storeError(err, rq.path.Key)
	}
	return s.entityResponse(rq, http.StatusOK, e), nil
}

func (s *Server) entityResponse(rq *request, status int, e Entity) *response {
	ctx := odata.ContextURL(rq.base, rq.version, rq.path.Set.Name, true)
	*rq.buf = odata.AppendEntity((*rq.buf)[:0], ctx, e.Type, e.Body)
	return &response{status: status, body: *rq.buf}
}

func (s *Server) list(rq *request) (*response, error) {
	q, err := checkQuery(rq, "$skiptoken")
	if err != nil {
		return nil, err
	}
	set := rq.path.Set
	var after uint64
	if tok := q.Get("$skiptoken"); tok != "" {
		if after, err = decodeSkipToken(tok, set.Name); err != nil {
			return nil, err
		}
	}
	page := make([]Entity, 0, min(s.cfg.pageSize+1, 128))
	s.store.Scan(set.Name, after, func(e Entity) bool {
		page = append(page, e)
		return len(page) <= s.cfg.pageSize
	})
	next := ""
	if len(page) > s.cfg.pageSize {
		page = page[:s.cfg.pageSize]
		next = nextLink(rq, q, encodeSkipToken(set.Name, page[len(page)-1].Seq))
	}
	w := odata.NewCollectionWriter(*rq.buf, odata.ContextURL(rq.base, rq.version, set.Name, false), next)
	setType := set.Type().QualifiedName()
	for _, e := range page {
		typ := ""
		if e.Type != setType {
			typ = e.Type
		}
		w.Add(typ, e.Body)
	}
	*rq.buf = w.Finish()
	return &response{status: http.StatusOK, body: *rq.buf}, nil
}

// nextLink is the request's absolute URL with $skiptoken replaced by token.
func nextLink(rq *request, q url.Values, token string) string {
	q2 := make(url.Values, len(q)+1)
	for k, v := range q {
		if k != "$skiptoken" {
			q2[k] = v
		}
	}
	q2.Set("$skiptoken", token)
	return rq.base + rq.r.URL.EscapedPath() + "?" + q2.Encode()
}

// Skip tokens are opaque to clients: base64url of "collection\x00seq".
func encodeSkipToken(collection string, seq uint64) string {
	return base64.RawURLEncoding.EncodeToString([]byte(collection + "\x00" + strconv.FormatUint(seq, 10)))
}

func decodeSkipToken(tok, collection string) (uint64, error) {
	raw, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil {
		return 0, odata.ErrInvalidSkipToken()
	}
	coll, seq, ok := strings.Cut(string(raw), "\x00")
	if !ok || coll != collection {
		return 0, odata.ErrInvalidSkipToken()
	}
	n, err := strconv.ParseUint(seq, 10, 64)
	if err != nil {
		return 0, odata.ErrInvalidSkipToken()
	}
	return n, nil
}

func (s *Server) create(rq *request) (*response, error) {
	if _, err := checkQuery(rq); err != nil {
		return nil, err
	}
	body, err := s.readBody(rq)
	if err != nil {
		return nil, err
	}
	set := rq.path.Set
	p, err := rq.schema.ReadPayload(set.Type(), body, entities.ReadOptions{Strict: s.cfg.strict})
	if err != nil {
		return nil, payloadError(err)
	}
	key := p.Type.KeyProperty()
	id := ""
	if f := p.Field(key.Name); f != nil {
		if id = gjson.Parse(f.Raw).String(); id == "" {
			return nil, payloadError(&entities.InvalidValueError{Property: key.Name, Type: p.Type.QualifiedName(),
				Expected: key.Ref().String(), Literal: f.Raw, Reason: "a key may not be empty"})
		}
	} else {
		id = s.cfg.newID()
	}
	stored := renderBody(key.Name, id, p.Fields)
	e, err := s.store.Insert(set.Name, Entity{ID: id, Type: p.Type.QualifiedName(), Body: stored})
	if errors.Is(err, ErrExists) {
		return nil, odata.ErrKeyConflict(key.Name, id)
	}
	if err != nil {
		return nil, err
	}
	resp := s.entityResponse(rq, http.StatusCreated, e)
	resp.location = entityURL(rq, id)
	return resp, nil
}

// entityURL is the canonical absolute URL of an entity of the request's set.
func entityURL(rq *request, id string) string {
	return rq.base + "/" + rq.version + "/" + rq.path.Set.Name + "('" +
		url.PathEscape(strings.ReplaceAll(id, "'", "''")) + "')"
}

// update serves PATCH (merge) and PUT (replace).
func (s *Server) update(rq *request, merge bool) (*response, error) {
	if _, err := checkQuery(rq); err != nil {
		return nil, err
	}
	body, err := s.readBody(rq)
	if err != nil {
		return nil, err
	}
	set, id := rq.path.Set, rq.path.Key
	cur, err := s.store.Get(set.Name, id)
	if err != nil {
		return nil, storeError(err, id)
	}
	typ := rq.schema.EntityType(cur.Type)
	if typ == nil || !typ.IsA(set.Type()) {
		typ = set.Type()
	}
	p, err := rq.schema.ReadPayload(typ, body, entities.ReadOptions{Strict: s.cfg.strict, Partial: merge})
	if err != nil {
		return nil, payloadError(err)
	}
	if p.Type != typ {
		return nil, payloadError(&entities.TypeMismatchError{Claimed: p.Type.QualifiedName(), Expected: typ.QualifiedName()})
	}
	key := typ.KeyProperty()
	if f := p.Field(key.Name); f != nil && gjson.Parse(f.Raw).String() != id {
		return nil, odata.ErrKeyChange(key.Name)
	}
	typeName := typ.QualifiedName()
	e, err := s.store.Update(set.Name, id, func(cur Entity) (Entity, error) {
		if cur.Type != typeName {
			return Entity{}, errTypeChanged
		}
		fields := p.Fields
		if merge {
			fields = mergeFields(typ, cur.Body, p.Fields)
		}
		return Entity{Type: cur.Type, Body: renderBody(key.Name, id, fields)}, nil
	})
	if errors.Is(err, errTypeChanged) {
		return nil, &odata.Error{Status: http.StatusConflict, Code: "Request_BadRequest",
			Message: "The entity was replaced while it was being updated; retry the request."}
	}
	if err != nil {
		return nil, storeError(err, id)
	}
	if prefersMinimal(rq.r.Header) {
		return &response{status: http.StatusNoContent, applied: "return=minimal"}, nil
	}
	return s.entityResponse(rq, http.StatusOK, e), nil
}

var errTypeChanged = errors.New("entity type changed")

func (s *Server) remove(rq *request) (*response, error) {
	if _, err := checkQuery(rq); err != nil {
		return nil, err
	}
	if err := s.store.Delete(rq.path.Set.Name, rq.path.Key); err != nil {
		return nil, storeError(err, rq.path.Key)
	}
	return &response{status: http.StatusNoContent}, nil
}

func storeError(err error, id string) error {
	if errors.Is(err, ErrNotFound) {
		return odata.ErrEntityNotFound(id)
	}
	return err
}

func payloadError(err error) error {
	if ge, ok := odata.FromPayloadError(err); ok {
		return ge
	}
	return err
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

// baseURL is scheme://host of the request as the client addressed it.
func baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

func itoa(n int) string { return strconv.Itoa(n) }
