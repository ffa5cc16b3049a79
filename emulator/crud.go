package emulator

import (
	"errors"
	"net/http"
	"slices"

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
	return s.read(rq, func(s *Server, rq *request, v store.View, r *resource) (*response, error) {
		q, err := s.parseEntityQuery(rq, r)
		if err != nil {
			return nil, err
		}
		if err := s.requireEntity(rq, v, r); err != nil {
			return nil, err
		}
		if err := s.checkPreconditions(rq, r); err != nil {
			return nil, err
		}
		if q.Select == nil && len(q.Expand) == 0 {
			return s.entityResponse(rq, r, http.StatusOK, r.entity), nil
		}
		etag := s.etagFor(rq.schema, entityType(rq.schema, r), r.entity)
		scratch := s.getBuf()
		defer s.putBuf(scratch)
		body, err := s.appendItem(rq, v, (*scratch)[:0], &item{m: member{e: r.entity, coll: r.entityColl},
			sel: q.Select, keyName: keyName(r.typ), expand: q.Expand, proj: s.projection(rq, r.entity.Type)})
		if err != nil {
			return nil, err
		}
		*scratch = body
		ctx := odata.ContextURL(rq.base, rq.version, entityContext(r)+odata.SelectContext(q.Select), true)
		*rq.buf = odata.AppendEntityTagged((*rq.buf)[:0], ctx, r.entity.Type, etag, body)
		return &response{status: http.StatusOK, body: *rq.buf, etag: etag}, nil
	})
}

// entityResponse writes an entity with its annotations, as the behaviour reads it for
// the request. Entities reached through a reference are described by their own entity
// set.
func (s *Server) entityResponse(rq *request, r *resource, status int, e store.Entity) *response {
	ctx := odata.ContextURL(rq.base, rq.version, entityContext(r), true)
	stored := e.Body
	if rq.view != nil && !r.entityColl.IsZero() {
		e = s.reader(rq).Entity(rq.view, r.entityColl, e)
	}
	t := rq.schema.EntityType(e.Type)
	etag := s.etagFor(rq.schema, t, e)
	body := s.present(rq, t, e, e.Body, nil)
	if proj := s.behavior.Projection(rq.version, t); proj != nil && (e.Shape&s.shapeBit(rq.schema) == 0 || !sameBytes(body, stored)) {
		// Not known to be its own projection (shape.go).
		*rq.buf = odata.AppendEntityProjected((*rq.buf)[:0], ctx, e.Type, etag, body, proj)
	} else {
		*rq.buf = odata.AppendEntityTagged((*rq.buf)[:0], ctx, e.Type, etag, body)
	}
	return &response{status: status, body: *rq.buf, etag: etag}
}

// entityContext is the @odata.context resource of r's entity (before "/$entity").
func entityContext(r *resource) string {
	if r.refs && !r.entityColl.IsZero() && r.entityColl.IsRoot() {
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
	if s.behavior.Manages(rq.schema, rq.path.Type) {
		return s.createManaged(rq) // managed.go
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
	return s.write(rq, func(s *Server, rq *request, tx store.Tx, r *resource) (*response, error) {
		if err := checkNavWrite(r); err != nil {
			return nil, err
		}
		prof := s.profile(rq, r.coll, typ)
		call := s.call(rq, tx, p.Type)
		var err error
		if prof != nil && prof.OnCreate != nil {
			if stored, err = prof.OnCreate(call, stored); err != nil {
				return nil, err
			}
		}
		w := &behavior.EntityWrite{Call: call, Tx: tx, Coll: r.coll, ID: id}
		if stored, err = s.behavior.Writing(w, stored); err != nil {
			return nil, err
		}
		if err := s.checkUnique(tx, r, p.Type, prof, id, stored); err != nil {
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
		if err := s.behavior.Written(w, e); err != nil {
			return nil, err
		}
		if e, err = tx.Get(r.coll, id); err != nil {
			return nil, storeError(err, id)
		}
		resp := s.entityResponse(rq, r, http.StatusCreated, e)
		resp.location = rq.base + "/" + rq.version + "/" + entityPath(r)
		return resp, nil
	})
}

// update serves PATCH (merge) and PUT (replace) of one entity. A kept entity (a
// singleton, the target of a single-valued containment) is stored by its first update.
//
// The body is read and checked before the write, against the path's type; an entity
// stored with a type derived from it (a user reached through /directoryObjects) is
// checked again against its own type, and the write makes sure that type is the one
// stored.
func (s *Server) update(rq *request, merge bool) (*response, error) {
	if _, err := checkQuery(rq); err != nil {
		return nil, err
	}
	body, err := s.readBody(rq)
	if err != nil {
		return nil, err
	}
	typ := rq.path.Type
	if s.behavior.Manages(rq.schema, typ) {
		return s.updateManaged(rq, body, merge) // managed.go
	}
	u, err := s.readUpdate(rq, typ, body, merge)
	if err != nil {
		// A missing entity is answered before a bad body, and a body is refused only
		// against the stored entity's own type.
		st, serr := s.storedType(rq)
		if serr != nil {
			return nil, serr
		}
		if st == typ {
			return nil, err
		}
		typ = st
		if u, err = s.readUpdate(rq, typ, body, merge); err != nil {
			return nil, err
		}
	}
	resp, err := s.write(rq, func(s *Server, rq *request, tx store.Tx, r *resource) (*response, error) {
		return s.applyUpdate(rq, tx, r, u)
	})
	var other *otherType
	if !errors.As(err, &other) {
		return resp, err
	}
	if u, err = s.readUpdate(rq, other.t, body, merge); err != nil {
		return nil, err
	}
	resp, err = s.write(rq, func(s *Server, rq *request, tx store.Tx, r *resource) (*response, error) {
		return s.applyUpdate(rq, tx, r, u)
	})
	if errors.As(err, &other) {
		return nil, errReplaced()
	}
	return resp, err
}

// pendingUpdate is a checked update body and what the write needs of it.
type pendingUpdate struct {
	typ     *entities.StructuredType
	p       *entities.Payload
	binds   []bind
	merge   bool
	changed []string
}

// readUpdate checks an update body against typ.
func (s *Server) readUpdate(rq *request, typ *entities.StructuredType, body []byte, merge bool) (*pendingUpdate, error) {
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
	u := &pendingUpdate{typ: typ, p: p, binds: binds, merge: merge}
	// The change feed names the properties of a small update; a large one (an open
	// type's thousands of dynamic properties) is recorded as changing all of them.
	if merge && len(p.Fields) <= maxChangedNames {
		u.changed = make([]string, len(p.Fields))
		for i, f := range p.Fields {
			u.changed[i] = f.Name
		}
	}
	return u, nil
}

// maxChangedNames is how many changed property names an update records in the change
// feed at most.
const maxChangedNames = 256

// storedType returns the type of the entity the request addresses, as stored.
func (s *Server) storedType(rq *request) (typ *entities.StructuredType, err error) {
	_, err = s.read(rq, func(s *Server, rq *request, v store.View, r *resource) (*response, error) {
		if err := s.requireEntity(rq, v, r); err != nil {
			return nil, err
		}
		typ = entityType(rq.schema, r)
		return nil, nil
	})
	return typ, err
}

// entityType is the type of r's entity: its stored type, or r's declared type.
func entityType(schema *entities.Schema, r *resource) *entities.StructuredType {
	if t := schema.EntityType(r.entity.Type); t != nil && t.IsA(r.declared) {
		return t
	}
	return r.declared
}

// otherType reports, from inside a write, that the entity is stored with another type
// than the body was checked against.
type otherType struct{ t *entities.StructuredType }

func (e *otherType) Error() string { return "entity stored as " + e.t.QualifiedName() }

// applyUpdate writes a checked update inside tx.
func (s *Server) applyUpdate(rq *request, tx store.Tx, r *resource, u *pendingUpdate) (*response, error) {
	if err := checkNavWrite(r); err != nil {
		return nil, err
	}
	if err := s.requireEntity(rq, tx, r); err != nil {
		if r.altKey != "" && isNotFound(err) && prefers(rq.r.Header, "create-if-missing") {
			return s.upsert(rq, tx, r, u)
		}
		return nil, err
	}
	if err := s.checkPreconditions(rq, r); err != nil {
		return nil, err
	}
	typ := u.typ
	if st := entityType(rq.schema, r); st != typ {
		return nil, &otherType{st}
	}
	kn := keyName(typ)
	if kn != "" {
		if f := u.p.Field(kn); f != nil && gjson.Parse(f.Raw).String() != r.entity.ID {
			return nil, odata.ErrKeyChange(kn)
		}
	}
	if err := materialize(tx, r); err != nil {
		return nil, err
	}
	cur := r.entity
	var next []byte
	if u.merge {
		next = mergeBody(typ, kn, cur.Body, u.p.Fields)
	} else {
		next = renderBody(kn, cur.ID, u.p.Fields)
	}
	prof := s.profile(rq, r.entityColl, typ)
	call := s.call(rq, tx, typ)
	var err error
	if prof != nil && prof.OnUpdate != nil {
		if next, err = prof.OnUpdate(call, cur.Body, next); err != nil {
			return nil, err
		}
	}
	w := &behavior.EntityWrite{Call: call, Tx: tx, Coll: r.entityColl, ID: cur.ID, Old: cur.Body}
	if next, err = s.behavior.Writing(w, next); err != nil {
		return nil, err
	}
	if err := s.checkUnique(tx, r, typ, prof, cur.ID, next); err != nil {
		return nil, err
	}
	e, err := tx.Replace(r.entityColl, store.Entity{ID: cur.ID, Type: cur.Type, Body: next}, u.changed)
	if err != nil {
		return nil, storeError(err, cur.ID)
	}
	r.entity = e
	if err := s.applyBinds(rq, tx, r, u.binds); err != nil {
		return nil, err
	}
	if err := s.behavior.Written(w, e); err != nil {
		return nil, err
	}
	if e, err = tx.Get(r.entityColl, cur.ID); err != nil {
		return nil, storeError(err, cur.ID)
	}
	r.entity = e
	switch {
	case prefersMinimal(rq.r.Header):
		return &response{status: http.StatusNoContent, applied: "return=minimal", etag: s.etagFor(rq.schema, typ, e)}, nil
	case prof != nil && prof.UpdateStatus == http.StatusNoContent && !prefersRepresentation(rq.r.Header):
		return &response{status: http.StatusNoContent, etag: s.etagFor(rq.schema, typ, e)}, nil
	}
	return s.entityResponse(rq, r, http.StatusOK, e), nil
}

// upsert creates the entity a PATCH or PUT addresses by an alternate key when none has
// it and the request says Prefer: create-if-missing, as Graph does for
// applications(uniqueName='…'): the new entity takes the key's value from the URL, a
// new id, and what Graph sets on create; the answer is 201 with the entity.
func (s *Server) upsert(rq *request, tx store.Tx, r *resource, u *pendingUpdate) (*response, error) {
	if err := rq.pre.check(rq.r.Method, store.Entity{}, false); err != nil {
		return nil, err
	}
	typ := u.typ
	if typ.Abstract {
		return nil, payloadError(&entities.TypeMismatchError{Claimed: typ.QualifiedName(), Expected: typ.QualifiedName()})
	}
	kn := keyName(typ)
	id := s.cfg.newID()
	fields := u.p.Fields
	if f := u.p.Field(kn); f != nil {
		if id = gjson.Parse(f.Raw).String(); id == "" {
			return nil, odata.ErrKeyChange(kn)
		}
	}
	if f := u.p.Field(r.altKey); f != nil {
		if gjson.Parse(f.Raw).String() != r.altValue {
			return nil, odata.ErrKeyChange(r.altKey)
		}
	} else {
		// Fields are in schema order (see renderBody): the key's value takes its place.
		_, i := typ.Property(r.altKey)
		alt := entities.Field{Name: r.altKey, Raw: string(odata.AppendString(nil, r.altValue)), Index: i}
		at := len(fields)
		for j, f := range fields {
			if f.Index < 0 || f.Index > i {
				at = j
				break
			}
		}
		fields = slices.Insert(slices.Clone(fields), at, alt)
	}
	stored := renderBody(kn, id, fields)
	prof := s.profile(rq, r.coll, typ)
	call := s.call(rq, tx, typ)
	var err error
	if prof != nil && prof.OnCreate != nil {
		if stored, err = prof.OnCreate(call, stored); err != nil {
			return nil, err
		}
	}
	w := &behavior.EntityWrite{Call: call, Tx: tx, Coll: r.coll, ID: id}
	if stored, err = s.behavior.Writing(w, stored); err != nil {
		return nil, err
	}
	if err := s.checkUnique(tx, r, typ, prof, id, stored); err != nil {
		return nil, err
	}
	e, err := tx.Insert(r.coll, store.Entity{ID: id, Type: typ.QualifiedName(), Body: stored})
	if errors.Is(err, store.ErrExists) {
		return nil, odata.ErrKeyConflict(kn, id)
	}
	if err != nil {
		return nil, storeError(err, id)
	}
	r.id, r.entity, r.entityColl, r.found, r.altKey = id, e, r.coll, true, ""
	if err := s.applyBinds(rq, tx, r, u.binds); err != nil {
		return nil, err
	}
	if err := s.behavior.Written(w, e); err != nil {
		return nil, err
	}
	if e, err = tx.Get(r.coll, id); err != nil {
		return nil, storeError(err, id)
	}
	resp := s.entityResponse(rq, r, http.StatusCreated, e)
	resp.location = rq.base + "/" + rq.version + "/" + entityPath(r)
	resp.applied = "create-if-missing"
	return resp, nil
}

// isNotFound reports whether err is Graph's 404 for a missing entity.
func isNotFound(err error) bool {
	var ge *odata.Error
	return errors.As(err, &ge) && ge.Status == http.StatusNotFound
}

// remove answers DELETE of one entity; the store removes what it contains and every
// reference to it in the same write.
func (s *Server) remove(rq *request) (*response, error) {
	if _, err := checkQuery(rq); err != nil {
		return nil, err
	}
	return s.write(rq, func(s *Server, rq *request, tx store.Tx, r *resource) (*response, error) {
		if r.singleton || r.refs && !r.rule.ReadOnly && !s.behavior.Manages(rq.schema, r.typ) {
			// Singletons are not deleted; a navigation target is unlinked through $ref.
			return nil, odata.ErrMethodNotAllowed("GET, PATCH")
		}
		if err := s.requireEntity(rq, tx, r); err != nil {
			return nil, err
		}
		if err := s.checkPreconditions(rq, r); err != nil {
			return nil, err
		}
		// The behaviour may keep what is deleted (Graph's deleted directory objects),
		// or delete otherwise what it keeps.
		if done, err := s.behavior.Delete(&behavior.DeleteCall{Call: s.call(rq, tx, entityType(rq.schema, r)), Tx: tx,
			Coll: r.entityColl, Entity: r.entity, Nav: r.nav, Owner: r.owner}); done || err != nil {
			if err != nil {
				return nil, err
			}
			return &response{status: http.StatusNoContent}, nil
		}
		if r.refs {
			return nil, odata.ErrMethodNotAllowed("GET")
		}
		if err := tx.Delete(r.entityColl, r.entity.ID); err != nil {
			return nil, storeError(err, r.entity.ID)
		}
		return &response{status: http.StatusNoContent}, nil
	})
}

// profile returns the behaviour profile of a write to the collection coll whose rules
// are those of type t: the collection's type on create, the entity's own on update.
func (s *Server) profile(rq *request, coll store.Coll, t *entities.StructuredType) *behavior.Profile {
	set := ""
	if !coll.IsZero() && coll.IsRoot() {
		set = coll.Root()
	}
	return s.behavior.Profile(rq.version, set, t)
}

// call is what a behaviour hook sees of a request.
func (s *Server) call(rq *request, v store.View, t *entities.StructuredType) *behavior.Call {
	return &behavior.Call{Schema: rq.schema, Type: t, Tenant: rq.tenant(), View: v, Now: s.cfg.now, NewID: s.cfg.newID,
		Merge: func(body []byte, fields []entities.Field) []byte { return mergeBody(t, keyName(t), body, fields) },
		Env:   s.env(rq)}
}

func payloadError(err error) error {
	if ge, ok := odata.FromPayloadError(err); ok {
		return ge
	}
	return err
}
