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
	if _, err := checkQuery(rq, "$skiptoken"); err != nil && rq.r.Method == http.MethodGet {
		return nil, err
	}
	m := rq.r.Method
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

func (s *Server) listRefs(rq *request, r *resource) (*response, error) {
	q, _ := checkQuery(rq, "$skiptoken")
	src, after := 0, uint64(0)
	if tok := q.Get("$skiptoken"); tok != "" {
		var err error
		if src, after, err = decodeSkipToken(tok, r.coll, len(r.sources)); err != nil {
			return nil, err
		}
	}
	page, next := s.page(rq, r, src, after)
	link := ""
	if next != "" {
		link = nextLink(rq, q, next)
	}
	// The page holds the targets; their collections come from the references.
	w := odata.NewCollectionWriter(*rq.buf, rq.base+"/"+rq.version+"/$metadata#Collection($ref)", link)
	var item []byte
	for _, e := range page {
		coll := s.collectionOf(r, e)
		item = append(item[:0], `{"@odata.id":`...)
		item = odata.AppendString(item, s.refURL(rq, coll, e.ID))
		item = append(item, '}')
		w.Add("", item)
	}
	*rq.buf = w.Finish()
	return &response{status: http.StatusOK, body: *rq.buf}, nil
}

// collectionOf returns the collection of a navigation target through its reference.
func (s *Server) collectionOf(r *resource, target Entity) string {
	if ref, err := s.store.Get(r.coll, target.ID); err == nil {
		return ref.Type
	}
	return r.coll
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

// count answers /$count: the number of entities as text/plain.
func (s *Server) count(rq *request, r *resource) (*response, error) {
	if _, err := checkQuery(rq); err != nil {
		return nil, err
	}
	n := 0
	if !r.refs && r.typ == r.declared {
		for _, c := range r.sources {
			n += s.store.Len(c)
		}
	} else {
		src, after := 0, uint64(0)
		for {
			page, next := s.page(rq, r, src, after)
			n += len(page)
			if next == "" {
				break
			}
			src, after, _ = decodeSkipToken(next, r.coll, len(r.sources))
		}
	}
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
