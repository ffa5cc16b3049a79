package emulator

import (
	"net/http"
	"strconv"

	"github.com/graph-emulator/graph-emulator/odata"
)

// $expand: navigation properties written into the entities that own them.
//
// A contained collection lists the owner's contained collection; a non-contained one
// the targets of its references; a single-valued property is the one related entity, or
// null. The options in parentheses ($select, $filter, $search, $orderby, $top, $skip,
// $count, $expand) apply to the related entities. Expanded collections have no
// @odata.nextLink, as in Graph: they hold at most $top entities, else at most
// expandLimitRefs of a non-contained property (Graph expands at most 20 directory
// objects) and expandLimit of a contained one.

const (
	expandLimitRefs = 20
	expandLimit     = 999
)

// validateExpand refuses what cannot be expanded: $ref of a contained navigation
// property (contained entities have no reference of their own, as GET .../$ref says).
func validateExpand(items []odata.ExpandItem) error {
	for _, it := range items {
		if it.Ref && it.Nav.ContainsTarget {
			return &odata.Error{Status: http.StatusBadRequest, Code: "BadRequest",
				Message: "Parsing OData Select and Expand failed: $ref is not supported on the containment navigation property '" + it.Name + "'."}
		}
		if err := validateExpand(it.Query.Expand); err != nil {
			return err
		}
	}
	return nil
}

// navResource is the resource of m's navigation property: its contained collection or
// its references.
func navResource(m member, it *odata.ExpandItem) *resource {
	nav := it.Nav
	owner := m.coll + sep + m.e.ID + sep + nav.Name
	r := &resource{coll: owner, declared: nav.Target(), typ: nav.Target(), nav: nav}
	if !nav.ContainsTarget {
		r.coll, r.refs = owner+sep+"$ref", true
	}
	r.sources = []string{r.coll}
	return r
}

// appendExpanded appends to obj, a JSON object, the expanded navigation properties of m.
func (s *Server) appendExpanded(rq *request, obj []byte, m member, items []odata.ExpandItem, depth int) ([]byte, error) {
	obj = obj[:len(obj)-1] // reopen the object
	first := len(obj) == 1
	var err error
	for i := range items {
		it := &items[i]
		if !first {
			obj = append(obj, ',')
		}
		first = false
		if it.Nav.IsCollection() {
			obj, err = s.appendExpandedCollection(rq, obj, m, it, depth)
		} else {
			obj = odata.AppendString(obj, it.Name)
			obj = append(obj, ':')
			obj, err = s.appendExpandedSingle(rq, obj, m, it, depth)
		}
		if err != nil {
			return nil, err
		}
	}
	return append(obj, '}'), nil
}

// appendExpandedCollection writes "name@odata.count":n (for $count=true) and "name":[...].
func (s *Server) appendExpandedCollection(rq *request, obj []byte, m member, it *odata.ExpandItem, depth int) ([]byte, error) {
	sub := navResource(m, it)
	q := it.Query
	size := expandLimit
	if sub.refs {
		size = expandLimitRefs
	}
	if q.Top >= 0 {
		size = q.Top
	}
	res := s.collect(rq, sub, q, position{}, nil, max(q.Skip, 0), size, q.Count)
	if q.Count {
		obj = odata.AppendString(obj, it.Name+"@odata.count")
		obj = append(obj, ':')
		obj = strconv.AppendInt(obj, int64(res.total), 10)
		obj = append(obj, ',')
	}
	obj = odata.AppendString(obj, it.Name)
	obj = append(obj, ":["...)
	target := sub.declared.QualifiedName()
	keyName := s.selectKey(rq.schema, sub.typ)
	var err error
	for i, cm := range res.items {
		if i > 0 {
			obj = append(obj, ',')
		}
		if it.Ref {
			obj = s.appendRef(rq, obj, cm)
			continue
		}
		typ := ""
		if cm.e.Type != target || sub.refs {
			typ = cm.e.Type
		}
		if obj, err = s.appendItem(rq, obj, cm, typ, q.Select, keyName, q.Expand, depth+1); err != nil {
			return nil, err
		}
	}
	return append(obj, ']'), nil
}

// appendExpandedSingle writes the value of a single-valued navigation property: the
// related entity or null. A single-valued contained entity exists from the start, like
// a singleton (see resolve); it is written as stored, or as its key alone.
func (s *Server) appendExpandedSingle(rq *request, obj []byte, m member, it *odata.ExpandItem, depth int) ([]byte, error) {
	sub := navResource(m, it)
	q := it.Query
	target := sub.declared
	var cm member
	if sub.refs {
		res := s.collect(rq, sub, q, position{}, nil, 0, 1, false)
		if len(res.items) == 0 {
			return append(obj, "null"...), nil
		}
		cm = res.items[0]
	} else {
		e, err := s.store.Get(sub.coll, it.Nav.Name)
		if err != nil {
			keyName := ""
			if key := target.KeyProperty(); key != nil {
				keyName = key.Name
			}
			e = Entity{ID: it.Nav.Name, Type: target.QualifiedName(), Body: renderBody(keyName, it.Nav.Name, nil)}
		}
		if !matches(q, e.Body) {
			return append(obj, "null"...), nil
		}
		cm = member{e: e, coll: sub.coll}
	}
	if it.Ref {
		return s.appendRef(rq, obj, cm), nil
	}
	typ := ""
	if cm.e.Type != target.QualifiedName() || sub.refs {
		typ = cm.e.Type
	}
	return s.appendItem(rq, obj, cm, typ, q.Select, s.selectKey(rq.schema, target), q.Expand, depth+1)
}

// appendRef writes {"@odata.id":url} for an entity of a top-level collection.
func (s *Server) appendRef(rq *request, obj []byte, m member) []byte {
	obj = append(obj, `{"@odata.id":`...)
	obj = odata.AppendString(obj, s.refURL(rq, m.coll, m.e.ID))
	return append(obj, '}')
}
