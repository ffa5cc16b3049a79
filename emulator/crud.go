package emulator

import (
	"errors"
	"net/http"

	"github.com/tidwall/gjson"

	"github.com/graph-emulator/graph-emulator/emulator/behavior"
	"github.com/graph-emulator/graph-emulator/emulator/store"
	"github.com/graph-emulator/graph-emulator/entities"
	"github.com/graph-emulator/graph-emulator/odata"
)

// Create, read, update and delete of entities, and the service document.

func (s *Server) serviceDocument(rq *request) (*response, error) {
	if _, err := checkQuery(rq); err != nil {
		return nil, err
	}
	*rq.buf = odata.AppendServiceDocument((*rq.buf)[:0], odata.MetadataURL(rq.base, rq.version), rq.schema)
	return &response{status: http.StatusOK, body: *rq.buf}, nil
}

// get answers GET of one entity, with $select and $expand.
func (s *Server) get(rq *request) (*response, error) {
	return s.read(rq, func(v store.View, r *resource) (*response, error) {
		q, err := s.parseEntityQuery(rq, r)
		if err != nil {
			return nil, err
		}
		if err := s.requireEntity(rq, v, r); err != nil {
			return nil, err
		}
		if q.Select == nil && len(q.Expand) == 0 {
			return s.entityResponse(rq, r, http.StatusOK, r.entity), nil
		}
		scratch := s.getBuf()
		defer s.putBuf(scratch)
		body, err := s.appendItem(rq, v, (*scratch)[:0], item{m: member{e: r.entity, coll: r.entityColl},
			sel: q.Select, keyName: keyName(r.typ), expand: q.Expand})
		if err != nil {
			return nil, err
		}
		*scratch = body
		ctx := odata.ContextURL(rq.base, rq.version, entityContext(r)+odata.SelectContext(q.Select), true)
		*rq.buf = odata.AppendEntity((*rq.buf)[:0], ctx, r.entity.Type, body)
		return &response{status: http.StatusOK, body: *rq.buf}, nil
	})
}

// entityResponse writes an entity with its annotations. Entities reached through a
// reference are described by their own entity set.
func (s *Server) entityResponse(rq *request, r *resource, status int, e store.Entity) *response {
	ctx := odata.ContextURL(rq.base, rq.version, entityContext(r), true)
	*rq.buf = odata.AppendEntity((*rq.buf)[:0], ctx, e.Type, e.Body)
	return &response{status: status, body: *rq.buf}
}

// entityContext is the @odata.context resource of r's entity (before "/$entity").
func entityContext(r *resource) string {
	if r.refs && !r.entityColl.IsZero() {
		return r.entityColl.Root()
	}
	return r.context
}

// keyName is the name of t's key property, or "" for a keyless type.
func keyName(t *entities.StructuredType) string {
	if key := t.KeyProperty(); key != nil {
		return key.Name
	}
	return ""
}

// pathTarget tells, from the path alone, the type a write addresses and whether it
// addresses the references of a non-contained navigation property.
func pathTarget(p *odata.Path) (t *entities.StructuredType, refs bool) {
	for i := len(p.Segments) - 1; i >= 0; i-- {
		if seg := &p.Segments[i]; seg.Kind == odata.SegNavigation {
			refs = !seg.Nav.ContainsTarget
			break
		}
	}
	return p.Type, refs
}

// create answers POST to a collection: the body is read and checked first, then the
// entity, its references (@odata.bind) and what Graph sets on create are written in one
// store write.
func (s *Server) create(rq *request) (*response, error) {
	if _, err := checkQuery(rq); err != nil {
		return nil, err
	}
	typ, refs := pathTarget(rq.path)
	if refs {
		return nil, odata.ErrMethodNotAllowed("GET")
	}
	body, err := s.readBody(rq)
	if err != nil {
		return nil, err
	}
	p, err := rq.schema.ReadPayload(typ, body, entities.ReadOptions{Strict: s.cfg.strict})
	if err != nil {
		return nil, payloadError(err)
	}
	binds, err := readBinds(p.Type, body)
	if err != nil {
		return nil, err
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
	return s.write(rq, func(tx store.Tx, r *resource) (*response, error) {
		prof := s.profile(r)
		call := s.call(rq, tx, p.Type)
		if prof != nil && prof.OnCreate != nil {
			var err error
			if stored, err = prof.OnCreate(call, stored); err != nil {
				return nil, err
			}
		}
		if err := checkUnique(tx, r, prof, id, stored); err != nil {
			return nil, err
		}
		e, err := tx.Insert(r.coll, store.Entity{ID: id, Type: p.Type.QualifiedName(), Body: stored})
		if errors.Is(err, store.ErrExists) {
			return nil, odata.ErrKeyConflict(key.Name, id)
		}
		if err != nil {
			return nil, storeError(err, id)
		}
		r.single, r.keyed, r.id, r.entity, r.entityColl, r.found = true, true, id, e, r.coll, true
		if err := s.applyBinds(rq, tx, r, binds); err != nil {
			return nil, err
		}
		resp := s.entityResponse(rq, r, http.StatusCreated, e)
		resp.location = rq.base + "/" + rq.version + "/" + entityPath(r)
		return resp, nil
	})
}

// update serves PATCH (merge) and PUT (replace) of one entity. A kept entity (a
// singleton, the target of a single-valued containment) is stored by its first update.
func (s *Server) update(rq *request, merge bool) (*response, error) {
	if _, err := checkQuery(rq); err != nil {
		return nil, err
	}
	body, err := s.readBody(rq)
	if err != nil {
		return nil, err
	}
	// The stored entity's type (it may derive from the path's) decides how the body is
	// read; the body is checked before the write, which makes sure the type is the same.
	var typ *entities.StructuredType
	if _, err := s.read(rq, func(v store.View, r *resource) (*response, error) {
		if err := s.requireEntity(rq, v, r); err != nil {
			return nil, err
		}
		typ = rq.schema.EntityType(r.entity.Type)
		if typ == nil || !typ.IsA(r.declared) {
			typ = r.declared
		}
		return nil, nil
	}); err != nil {
		return nil, err
	}
	p, err := rq.schema.ReadPayload(typ, body, entities.ReadOptions{Strict: s.cfg.strict, Partial: merge})
	if err != nil {
		return nil, payloadError(err)
	}
	if p.Type != typ {
		return nil, payloadError(&entities.TypeMismatchError{Claimed: p.Type.QualifiedName(), Expected: typ.QualifiedName()})
	}
	binds, err := readBinds(typ, body)
	if err != nil {
		return nil, err
	}
	kn := keyName(typ)
	typeName := typ.QualifiedName()
	var changed []string
	if merge {
		changed = make([]string, 0, len(p.Fields))
		for _, f := range p.Fields {
			changed = append(changed, f.Name)
		}
	}
	return s.write(rq, func(tx store.Tx, r *resource) (*response, error) {
		if err := s.requireEntity(rq, tx, r); err != nil {
			return nil, err
		}
		if kn != "" {
			if f := p.Field(kn); f != nil && gjson.Parse(f.Raw).String() != r.entity.ID {
				return nil, odata.ErrKeyChange(kn)
			}
		}
		if err := materialize(tx, r); err != nil {
			return nil, err
		}
		cur := r.entity
		if cur.Type != typeName {
			return nil, errReplaced()
		}
		next := renderBody(kn, cur.ID, p.Fields)
		if merge {
			next = mergeBody(typ, kn, cur.Body, p.Fields)
		}
		prof := s.profile(r)
		if prof != nil && prof.OnUpdate != nil {
			var err error
			if next, err = prof.OnUpdate(s.call(rq, tx, typ), cur.Body, next); err != nil {
				return nil, err
			}
		}
		if err := checkUnique(tx, r, prof, cur.ID, next); err != nil {
			return nil, err
		}
		e, err := tx.Replace(r.entityColl, store.Entity{ID: cur.ID, Type: cur.Type, Body: next}, changed)
		if err != nil {
			return nil, storeError(err, cur.ID)
		}
		r.entity = e
		if err := s.applyBinds(rq, tx, r, binds); err != nil {
			return nil, err
		}
		switch {
		case prefersMinimal(rq.r.Header):
			return &response{status: http.StatusNoContent, applied: "return=minimal"}, nil
		case prof != nil && prof.UpdateStatus == http.StatusNoContent && !prefersRepresentation(rq.r.Header):
			return &response{status: http.StatusNoContent}, nil
		}
		return s.entityResponse(rq, r, http.StatusOK, e), nil
	})
}

// remove answers DELETE of one entity; the store removes what it contains and every
// reference to it in the same write.
func (s *Server) remove(rq *request) (*response, error) {
	if _, err := checkQuery(rq); err != nil {
		return nil, err
	}
	return s.write(rq, func(tx store.Tx, r *resource) (*response, error) {
		if r.singleton || r.refs {
			// Singletons are not deleted; a navigation target is unlinked through $ref.
			return nil, odata.ErrMethodNotAllowed("GET, PATCH")
		}
		if err := s.requireEntity(rq, tx, r); err != nil {
			return nil, err
		}
		if err := tx.Delete(r.entityColl, r.entity.ID); err != nil {
			return nil, storeError(err, r.entity.ID)
		}
		return &response{status: http.StatusNoContent}, nil
	})
}

// profile returns the behaviour profile of the entity set r's collection belongs to.
func (s *Server) profile(r *resource) *behavior.Profile {
	if r.coll.IsZero() || !r.coll.IsRoot() {
		return nil
	}
	return s.behavior.Profile(r.coll.Root())
}

// call is what a behaviour hook sees of a request.
func (s *Server) call(rq *request, v store.View, t *entities.StructuredType) *behavior.Call {
	return &behavior.Call{Schema: rq.schema, Type: t, Tenant: rq.tenant(), View: v, Now: s.cfg.now, NewID: s.cfg.newID}
}

func payloadError(err error) error {
	if ge, ok := odata.FromPayloadError(err); ok {
		return ge
	}
	return err
}
