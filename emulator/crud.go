package emulator

import (
	"errors"
	"net/http"

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

// get answers GET of one entity, with $select and $expand.
func (s *Server) get(rq *request, r *resource) (*response, error) {
	q, err := s.parseEntityQuery(rq, r)
	if err != nil {
		return nil, err
	}
	if err := s.requireEntity(rq, r); err != nil {
		return nil, err
	}
	if q.Select == nil && len(q.Expand) == 0 {
		return s.entityResponse(rq, r, http.StatusOK, r.entity), nil
	}
	scratch := s.getBuf()
	defer s.putBuf(scratch)
	m := member{e: r.entity, coll: r.entityColl}
	body, err := s.appendItem(rq, (*scratch)[:0], m, "", q.Select, s.selectKey(rq.schema, r.typ), q.Expand, 0)
	if err != nil {
		return nil, err
	}
	*scratch = body
	ctx := odata.ContextURL(rq.base, rq.version, entityContext(r)+odata.SelectContext(q.Select), true)
	*rq.buf = odata.AppendEntity((*rq.buf)[:0], ctx, r.entity.Type, body)
	return &response{status: http.StatusOK, body: *rq.buf}, nil
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

// list answers GET of a collection, one page at a time, with $filter, $search,
// $orderby, $top (the page size), $skip, $count, $select and $expand (see query.go).
func (s *Server) list(rq *request, r *resource) (*response, error) {
	cq, err := s.parseCollectionQuery(rq, r)
	if err != nil {
		return nil, err
	}
	res, total, link := s.page(rq, r, cq)
	return s.listResponse(rq, r, cq, res, total, link)
}

// page collects the page cq asks for: its members, the number of all matches (when
// @odata.count is asked for) and the @odata.nextLink ("" on the last page).
func (s *Server) page(rq *request, r *resource, cq *collectionQuery) (pageResult, int, string) {
	// The count of an unfiltered collection is the store's.
	storeCount := cq.count && cq.Filter == nil && cq.Search == nil && !r.refs && r.typ == r.declared
	res := s.collect(rq, r, cq.Query, cq.start, cq.keys, cq.skip, cq.size, cq.count && !storeCount)
	total := res.total
	if storeCount {
		total = 0
		for _, c := range r.sources {
			total += s.store.Len(c)
		}
	}
	link := ""
	if res.more && len(res.items) > 0 {
		last := res.items[len(res.items)-1]
		var keys []byte
		if len(cq.OrderBy) > 0 {
			keys = sortValues(cq.OrderBy, last.e.Body)
		}
		link = nextLink(rq, encodeSkipToken(r.coll, last.pos, queryHash(cq.Query), keys))
	}
	return res, total, link
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
