package emulator

import (
	"net/http"
	"strconv"

	"github.com/graph-emulator/graph-emulator/emulator/store"
	"github.com/graph-emulator/graph-emulator/odata"
)

// $expand: navigation properties written into the entities that own them.
//
// A contained collection lists the owner's contained collection; a non-contained one
// the targets of its references; a single-valued property is the one related entity, or
// null. The options in parentheses ($select, $filter, $search, $orderby, $top, $skip,
// $count, $expand) apply to the related entities. Expanded collections have no
// @odata.nextLink, as in Graph: they hold at most $top entities, else at most the
// behaviour's expansion limit (Graph expands at most 20 directory objects).

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
	r := &resource{declared: nav.Target(), typ: nav.Target(), nav: nav}
	if nav.ContainsTarget {
		r.coll = m.coll.Contained(m.e.ID, nav.Name)
	} else {
		r.coll, r.refs = m.coll.Refs(m.e.ID, nav.Name), true
	}
	r.sources = []store.Coll{r.coll}
	return r
}

// appendExpanded appends to obj, a JSON object, the expanded navigation properties of m.
func (s *Server) appendExpanded(rq *request, v store.View, obj []byte, m member, items []odata.ExpandItem, depth int) ([]byte, error) {
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
			obj, err = s.appendExpandedCollection(rq, v, obj, m, it, depth)
		} else {
			obj = odata.AppendString(obj, it.Name)
			obj = append(obj, ':')
			obj, err = s.appendExpandedSingle(rq, v, obj, m, it, depth)
		}
		if err != nil {
			return nil, err
		}
	}
	return append(obj, '}'), nil
}

// appendExpandedCollection writes "name@odata.count":n (for $count=true) and "name":[...].
func (s *Server) appendExpandedCollection(rq *request, v store.View, obj []byte, m member, it *odata.ExpandItem, depth int) ([]byte, error) {
	sub := navResource(m, it)
	q := it.Query
	size := s.behavior.ExpandLimit(sub.refs)
	if q.Top >= 0 {
		size = q.Top
	}
	res := s.collect(rq, v, sub, pageSpec{q: q, skip: max(q.Skip, 0), size: size, total: q.Count})
	if q.Count {
		obj = odata.AppendString(obj, it.Name+"@odata.count")
		obj = append(obj, ':')
		obj = strconv.AppendInt(obj, int64(res.total), 10)
		obj = append(obj, ',')
	}
	obj = odata.AppendString(obj, it.Name)
	obj = append(obj, ":["...)
	target := sub.declared.QualifiedName()
	kn := keyName(sub.typ)
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
		if obj, err = s.appendItem(rq, v, obj, item{m: cm, typeName: typ, sel: q.Select, keyName: kn, expand: q.Expand, depth: depth + 1}); err != nil {
			return nil, err
		}
	}
	return append(obj, ']'), nil
}

// appendExpandedSingle writes the value of a single-valued navigation property: the
// related entity or null. A single-valued contained entity exists from the start, like
// a singleton (see resolve); it is written as stored, or as its key alone.
func (s *Server) appendExpandedSingle(rq *request, v store.View, obj []byte, m member, it *odata.ExpandItem, depth int) ([]byte, error) {
	sub := navResource(m, it)
	q := it.Query
	target := sub.declared
	var cm member
	if sub.refs {
		res := s.collect(rq, v, sub, pageSpec{q: q, size: 1})
		if len(res.items) == 0 {
			return append(obj, "null"...), nil
		}
		cm = res.items[0]
	} else {
		e, err := v.Get(sub.coll, it.Nav.Name)
		if err != nil {
			e = keptEntity(target, it.Nav.Name)
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
	return s.appendItem(rq, v, obj, item{m: cm, typeName: typ, sel: q.Select, keyName: keyName(target), expand: q.Expand, depth: depth + 1})
}
