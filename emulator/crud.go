package emulator

import (
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/tidwall/gjson"

	"github.com/graph-emulator/graph-emulator/entities"
	"github.com/graph-emulator/graph-emulator/odata"
)

func (s *Server) serviceDocument(rq *request) (*response, error) {
	if _, err := checkQuery(rq); err != nil {
		return nil, err
	}
	b := append((*rq.buf)[:0], `{"@odata.context":`...)
	b = odata.AppendString(b, rq.base+"/"+rq.version+"/$metadata")
	b = append(b, `,"value":[`...)
	n := 0
	item := func(name, kind string) {
		if n > 0 {
			b = append(b, ',')
		}
		n++
		b = append(b, `{"name":`...)
		b = odata.AppendString(b, name)
		b = append(b, `,"kind":`...)
		b = odata.AppendString(b, kind)
		b = append(b, `,"url":`...)
		b = odata.AppendString(b, name)
		b = append(b, '}')
	}
	for _, es := range rq.schema.EntitySets() {
		item(es.Name, "EntitySet")
	}
	for _, sg := range rq.schema.Singletons() {
		item(sg.Name, "Singleton")
	}
	b = append(b, "]}"...)
	*rq.buf = b
	return &response{status: http.StatusOK, body: b}, nil
}

// get answers GET of one entity.
func (s *Server) get(rq *request, r *resource) (*response, error) {
	if _, err := checkQuery(rq); err != nil {
		return nil, err
	}
	if err := s.requireEntity(rq, r); err != nil {
		return nil, err
	}
	return s.entityResponse(rq, r, http.StatusOK, r.entity), nil
}

// entityResponse writes an entity with its annotations. Entities reached through a
// reference are described by their own entity set.
func (s *Server) entityResponse(rq *request, r *resource, status int, e Entity) *response {
	ctx := odata.ContextURL(rq.base, rq.version, entityContext(r), true)
	*rq.buf = odata.AppendEntity((*rq.buf)[:0], ctx, e.Type, e.Body)
	return &response{status: status, body: *rq.buf}
}

// entityContext is the @odata.context resource of r's entity (before "/$entity").
func entityContext(r *resource) string {
	if r.refs && r.entityColl != "" {
		return rootOf(r.entityColl)
	}
	return r.context
}

// list answers GET of a collection, one page at a time.
func (s *Server) list(rq *request, r *resource) (*response, error) {
	q, err := checkQuery(rq, "$skiptoken")
	if err != nil {
		return nil, err
	}
	src, after := 0, uint64(0)
	if tok := q.Get("$skiptoken"); tok != "" {
		if src, after, err = decodeSkipToken(tok, r.coll, len(r.sources)); err != nil {
			return nil, err
		}
	}
	page, next := s.page(rq, r, src, after)
	link := ""
	if next != "" {
		link = nextLink(rq, q, next)
	}
	w := odata.NewCollectionWriter(*rq.buf, odata.ContextURL(rq.base, rq.version, r.context, false), link)
	setType := r.declared.QualifiedName()
	for _, e := range page {
		typ := ""
		// Graph types items of a derived type; navigation collections type every item,
		// as clients such as msgraph-sdk-go pick the model by it.
		if e.Type != setType || r.nav != nil && !r.nav.ContainsTarget {
			typ = e.Type
		}
		w.Add(typ, e.Body)
	}
	*rq.buf = w.Finish()
	return &response{status: http.StatusOK, body: *rq.buf}, nil
}

// page collects up to a page of r's entities from source src after seq, and the skip
// token of the next page ("" at the end).
func (s *Server) page(rq *request, r *resource, src int, after uint64) ([]Entity, string) {
	size := s.cfg.pageSize
	page := make([]Entity, 0, min(size+1, 128))
	cast := r.typ != r.declared
	for ; src < len(r.sources); src, after = src+1, 0 {
		var last uint64
		full := false
		var refs []Entity
		s.store.Scan(r.sources[src], after, func(e Entity) bool {
			if len(page)+len(refs) == size {
				full = true
				return false
			}
			last = e.Seq
			if r.refs {
				refs = append(refs, e)
				return true
			}
			if !cast || s.entityIsA(rq.schema, e, r.typ) {
				page = append(page, e)
			}
			return true
		})
		for _, ref := range refs {
			if e, err := s.store.Get(ref.Type, ref.ID); err == nil && s.entityIsA(rq.schema, e, r.typ) {
				page = append(page, e)
			}
		}
		if full {
			return page, encodeSkipToken(r.coll, src, last)
		}
	}
	return page, ""
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

// Skip tokens are opaque to clients: base64url of "collection\x00source\x00seq".
func encodeSkipToken(collection string, src int, seq uint64) string {
	return base64.RawURLEncoding.EncodeToString([]byte(collection + "\x00" + strconv.Itoa(src) + "\x00" + strconv.FormatUint(seq, 10)))
}

func decodeSkipToken(tok, collection string, sources int) (int, uint64, error) {
	raw, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil {
		return 0, 0, odata.ErrInvalidSkipToken()
	}
	parts := strings.Split(string(raw), "\x00")
	if len(parts) != 3 || parts[0] != collection {
		return 0, 0, odata.ErrInvalidSkipToken()
	}
	src, err1 := strconv.Atoi(parts[1])
	seq, err2 := strconv.ParseUint(parts[2], 10, 64)
	if err1 != nil || err2 != nil || src < 0 || src >= sources {
		return 0, 0, odata.ErrInvalidSkipToken()
	}
	return src, seq, nil
}

// create answers POST to a collection.
func (s *Server) create(rq *request, r *resource) (*response, error) {
	if _, err := checkQuery(rq); err != nil {
		return nil, err
	}
	if r.refs {
		return nil, odata.ErrMethodNotAllowed("GET")
	}
	body, err := s.readBody(rq)
	if err != nil {
		return nil, err
	}
	p, err := rq.schema.ReadPayload(r.typ, body, entities.ReadOptions{Strict: s.cfg.strict})
	if err != nil {
		return nil, payloadError(err)
	}
	key := p.Type.KeyProperty()
	id := ""
	if f := p.Field(key.Name); f != nil {
		if id = gjson.Parse(f.Raw).String(); id == "" {
			return nil, payloadError(&entities.InvalidValueError{Property: key.Name, Type: p.Type.QualifiedName(),
				Expected: key.Ref().String(), Literal: "", Reason: "a key may not be empty"})
		}
	} else {
		id = s.cfg.newID()
	}
	stored := renderBody(key.Name, id, p.Fields)
	e, err := s.store.Insert(r.coll, Entity{ID: id, Type: p.Type.QualifiedName(), Body: stored})
	if errors.Is(err, ErrExists) {
		return nil, odata.ErrKeyConflict(key.Name, id)
	}
	if err != nil {
		return nil, err
	}
	r.single, r.keyed, r.id, r.entity, r.entityColl, r.found = true, true, id, e, r.coll, true
	resp := s.entityResponse(rq, r, http.StatusCreated, e)
	resp.location = rq.base + "/" + rq.version + "/" + entityPath(r)
	return resp, nil
}

// update serves PATCH (merge) and PUT (replace) of one entity. A singleton, and the
// target of a single-valued containment, is created by its first update.
func (s *Server) update(rq *request, r *resource, merge bool) (*response, error) {
	if _, err := checkQuery(rq); err != nil {
		return nil, err
	}
	body, err := s.readBody(rq)
	if err != nil {
		return nil, err
	}
	if err := s.requireEntity(rq, r); err != nil {
		return nil, err
	}
	typ := rq.schema.EntityType(r.entity.Type)
	if typ == nil || !typ.IsA(r.declared) {
		typ = r.declared
	}
	p, err := rq.schema.ReadPayload(typ, body, entities.ReadOptions{Strict: s.cfg.strict, Partial: merge})
	if err != nil {
		return nil, payloadError(err)
	}
	if p.Type != typ {
		return nil, payloadError(&entities.TypeMismatchError{Claimed: p.Type.QualifiedName(), Expected: typ.QualifiedName()})
	}
	id := r.entity.ID
	keyName := ""
	if key := typ.KeyProperty(); key != nil {
		keyName = key.Name
		if f := p.Field(key.Name); f != nil && gjson.Parse(f.Raw).String() != id {
			return nil, odata.ErrKeyChange(key.Name)
		}
	}
	typeName := typ.QualifiedName()
	e, err := s.store.Update(r.entityColl, id, func(cur Entity) (Entity, error) {
		if cur.Type != typeName {
			return Entity{}, errTypeChanged
		}
		if merge {
			return Entity{Type: cur.Type, Body: mergeBody(typ, keyName, cur.Body, p.Fields)}, nil
		}
		return Entity{Type: cur.Type, Body: renderBody(keyName, id, p.Fields)}, nil
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
	return s.entityResponse(rq, r, http.StatusOK, e), nil
}

var errTypeChanged = errors.New("entity type changed")

// remove answers DELETE of one entity; what it contains goes with it.
func (s *Server) remove(rq *request, r *resource) (*response, error) {
	if _, err := checkQuery(rq); err != nil {
		return nil, err
	}
	if r.singleton || r.refs {
		// Singletons are not deleted; a navigation target is unlinked through $ref.
		return nil, odata.ErrMethodNotAllowed("GET, PATCH")
	}
	if err := s.requireEntity(rq, r); err != nil {
		return nil, err
	}
	if err := s.store.Delete(r.entityColl, r.entity.ID); err != nil {
		return nil, storeError(err, r.entity.ID)
	}
	s.store.DropPrefix(r.entityColl + sep + r.entity.ID + sep)
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
