package emulator

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/tidwall/gjson"

	"github.com/graph-emulator/graph-emulator/odata"
)

// ref answers the $ref of a non-contained navigation property: list, add (POST), set
// (PUT, single-valued) and remove (DELETE) references.
func (s *Server) ref(rq *request, r *resource) (*response, error) {
	m := rq.r.Method
	if m == http.MethodGet && r.single {
		if _, err := checkQuery(rq); err != nil {
			return nil, err
		}
	}
	switch {
	case !r.single && m == http.MethodGet:
		return s.listRefs(rq, r)
	case !r.single && m == http.MethodPost, r.single && r.id == "" && m == http.MethodPut:
		return s.addRef(rq, r, m == http.MethodPut)
	case r.single && r.id == "" && m == http.MethodGet:
		if err := s.requireEntity(rq, r); err != nil {
			return nil, err
		}
		b := append((*rq.buf)[:0], `{"@odata.context":`...)
		b = odata.AppendString(b, rq.base+"/"+rq.version+"/$metadata#$ref")
		b = append(b, `,"@odata.id":`...)
		b = odata.AppendString(b, s.refURL(rq, r.entityColl, r.entity.ID))
		b = append(b, '}')
		*rq.buf = b
		return &response{status: http.StatusOK, body: b}, nil
	case r.single && m == http.MethodDelete:
		if err := s.requireEntity(rq, r); err != nil {
			return nil, err
		}
		if err := s.store.Delete(r.coll, r.entity.ID); err != nil {
			return nil, storeError(err, r.entity.ID)
		}
		return &response{status: http.StatusNoContent}, nil
	}
	if r.single && r.id == "" {
		return nil, odata.ErrMethodNotAllowed("GET, PUT, DELETE")
	}
	if r.single {
		return nil, odata.ErrMethodNotAllowed("DELETE")
	}
	return nil, odata.ErrMethodNotAllowed("GET, POST")
}

// refURL is the absolute @odata.id of an entity of a top-level collection.
func (s *Server) refURL(rq *request, coll, id string) string {
	return rq.base + "/" + rq.version + "/" + rootOf(coll) + "/" + url.PathEscape(id)
}

// listRefs lists the references of a navigation collection: the query options of a
// collection apply to the targets, except $select and $expand.
func (s *Server) listRefs(rq *request, r *resource) (*response, error) {
	cq, err := s.parseCollectionQuery(rq, r)
	if err != nil {
		return nil, err
	}
	if cq.Select != nil {
		return nil, odata.ErrQueryOption("$select")
	}
	if len(cq.Expand) > 0 {
		return nil, odata.ErrQueryOption("$expand")
	}
	res, total, link := s.page(rq, r, cq)
	b := append((*rq.buf)[:0], `{"@odata.context":`...)
	b = odata.AppendString(b, rq.base+"/"+rq.version+"/$metadata#Collection($ref)")
	if cq.count {
		b = append(b, `,"@odata.count":`...)
		b = strconv.AppendInt(b, int64(total), 10)
	}
	if link != "" {
		b = append(b, `,"@odata.nextLink":`...)
		b = odata.AppendString(b, link)
	}
	b = append(b, `,"value":[`...)
	// The page holds the targets, with their collections.
	for i, m := range res.items {
		if i > 0 {
			b = append(b, ',')
		}
		b = s.appendRef(rq, b, m)
	}
	b = append(b, "]}"...)
	*rq.buf = b
	return &response{status: http.StatusOK, body: b}, nil
}

// addRef links the entity named by the body's @odata.id. A single-valued navigation
// property (replace) holds at most one reference.
func (s *Server) addRef(rq *request, r *resource, replace bool) (*response, error) {
	body, err := s.readBody(rq)
	if err != nil {
		return nil, err
	}
	if !gjson.ValidBytes(body) {
		return nil, odata.ErrUnreadableJSON()
	}
	id := gjson.GetBytes(body, `@odata\.id`)
	if id.Type != gjson.String || id.Str == "" {
		return nil, &odata.Error{Status: http.StatusBadRequest, Code: "BadRequest",
			Message: "The request body must be a JSON object with an '@odata.id' that names the entity to link."}
	}
	coll, target, err := s.resolveURL(rq, id.Str)
	if err != nil {
		return nil, err
	}
	if !s.entityIsA(rq.schema, target, r.declared) {
		return nil, &odata.Error{Status: http.StatusBadRequest, Code: "Request_BadRequest",
			Message: "Invalid object identifier '" + id.Str + "': the entity is not a " + r.declared.QualifiedName() + "."}
	}
	if replace {
		var old []string
		s.store.Scan(r.coll, 0, func(e Entity) bool { old = append(old, e.ID); return true })
		for _, k := range old {
			_ = s.store.Delete(r.coll, k)
		}
	}
	if _, err := s.store.Insert(r.coll, Entity{ID: target.ID, Type: coll}); errors.Is(err, ErrExists) {
		return nil, &odata.Error{Status: http.StatusBadRequest, Code: "Request_BadRequest",
			Message: "One or more added object references already exist for the following modified properties: '" + r.nav.Name + "'."}
	} else if err != nil {
		return nil, err
	}
	return &response{status: http.StatusNoContent}, nil
}

// resolveURL finds the entity an @odata.id names: an absolute URL (of this emulator or of
// Graph itself) or a path relative to the version root.
func (s *Server) resolveURL(rq *request, raw string) (string, Entity, error) {
	bad := &odata.Error{Status: http.StatusBadRequest, Code: "Request_BadRequest",
		Message: "Invalid object identifier '" + raw + "'."}
	u, err := url.Parse(raw)
	if err != nil {
		return "", Entity{}, bad
	}
	p := strings.TrimPrefix(u.EscapedPath(), "/")
	if v, rest, ok := strings.Cut(p, "/"); ok && s.cfg.schemas[v] != nil {
		p = rest
	}
	path, err := odata.ParsePath(rq.schema, p)
	if err != nil || path.Kind != odata.PathEntity {
		return "", Entity{}, bad
	}
	sub := *rq
	sub.path = path
	r, err := s.resolve(&sub)
	if err != nil {
		return "", Entity{}, err
	}
	if err := s.requireEntity(&sub, r); err != nil {
		return "", Entity{}, err
	}
	return r.entityColl, r.entity, nil
}

// count answers /$count: the number of entities matching $filter and $search, as
// text/plain. Graph answers it on directory objects only with ConsistencyLevel:
// eventual; the emulator asks for it under --strict (see advancedRules).
func (s *Server) count(rq *request, r *resource) (*response, error) {
	q, err := s.parseQuery(rq, r.typ, false)
	if err != nil {
		return nil, err
	}
	for _, o := range []struct {
		name string
		set  bool
	}{
		{"$select", q.Select != nil}, {"$expand", len(q.Expand) > 0}, {"$orderby", len(q.OrderBy) > 0},
		{"$top", q.Top >= 0}, {"$skip", q.Skip >= 0}, {"$count", q.Count}, {"$skiptoken", q.SkipToken != ""},
		{"$deltatoken", q.DeltaToken != ""},
	} {
		if o.set {
			return nil, odata.ErrQueryOption(o.name)
		}
	}
	if _, err := s.advancedRules(rq, r, q, true); err != nil {
		return nil, err
	}
	n := s.countMatches(rq, r, q)
	*rq.buf = strconv.AppendInt((*rq.buf)[:0], int64(n), 10)
	return &response{status: http.StatusOK, body: *rq.buf, contentType: "text/plain;charset=utf-8"}, nil
}

// property answers GET of a structural property ({"value":...}) or of its raw $value.
func (s *Server) property(rq *request, r *resource) (*response, error) {
	if _, err := checkQuery(rq); err != nil {
		return nil, err
	}
	if err := s.requireEntity(rq, r); err != nil {
		return nil, err
	}
	segs := rq.path.Segments
	raw := rq.path.Kind == odata.PathPropertyValue
	prop := segs[len(segs)-1]
	if raw {
		prop = segs[len(segs)-2]
	}
	v := gjson.GetBytes(r.entity.Body, escapePath(prop.Name))
	if !v.Exists() || v.Type == gjson.Null {
		return &response{status: http.StatusNoContent}, nil
	}
	if raw {
		*rq.buf = append((*rq.buf)[:0], v.String()...)
		return &response{status: http.StatusOK, body: *rq.buf, contentType: "text/plain;charset=utf-8"}, nil
	}
	b := append((*rq.buf)[:0], `{"@odata.context":`...)
	b = odata.AppendString(b, rq.base+"/"+rq.version+"/$metadata#"+entityPath(r)+"/"+prop.Name)
	b = append(b, `,"value":`...)
	b = append(b, v.Raw...)
	b = append(b, '}')
	*rq.buf = b
	return &response{status: http.StatusOK, body: b}, nil
}

// escapePath escapes a member name for a gjson path.
func escapePath(name string) string {
	if !strings.ContainsAny(name, ".*?|#@\\") {
		return name
	}
	var b strings.Builder
	for i := 0; i < len(name); i++ {
		switch name[i] {
		case '.', '*', '?', '|', '#', '@', '\\':
			b.WriteByte('\\')
		}
		b.WriteByte(name[i])
	}
	return b.String()
}

// operation answers a bound or unbound function or action: the emulator routes them
// from the schema but does not know what they do.
func (s *Server) operation(rq *request) error {
	last := rq.path.Last()
	name := last.Name
	if len(last.Operations) > 0 {
		name = last.Operations[0].QualifiedName()
	}
	return &odata.Error{Status: http.StatusNotImplemented, Code: "NotImplemented",
		Message: "The emulator does not implement the operation '" + name + "'."}
}
