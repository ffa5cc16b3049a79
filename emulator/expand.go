package emulator

import (
	"net/http"

	"github.com/graph-emulator/graph-emulator/emulator/store"
	"github.com/graph-emulator/graph-emulator/entities"
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
func navResource(m member, it *odata.ExpandItem) *resource { return navResourceOf(m, it.Nav) }

// navResourceOf is the resource of m's navigation property nav.
func navResourceOf(m member, nav *entities.NavigationProperty) *resource {
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
	w := odata.ReopenObject(obj)
	for i := range items {
		it := &items[i]
		var err error
		if it.Nav.IsCollection() {
			err = s.appendExpandedCollection(rq, v, &w, m, it, depth)
		} else {
			err = w.AddFunc(it.Name, func(dst []byte) ([]byte, error) { return s.appendExpandedSingle(rq, v, dst, m, it, depth) })
		}
		if err != nil {
			return nil, err
		}
	}
	return w.Close(), nil
}

// appendExpandedCollection adds "name@odata.count":n (for $count=true) and "name":[...].
func (s *Server) appendExpandedCollection(rq *request, v store.View, w *odata.ObjectWriter, m member, it *odata.ExpandItem, depth int) error {
	sub := navResource(m, it)
	if err := s.applyNavRule(rq, v, sub, m.e, m.coll, it.Nav); err != nil {
		return err
	}
	q := it.Query
	size := s.behavior.ExpandLimit(sub.refs)
	if q.Top >= 0 {
		size = q.Top
	}
	res := s.collect(rq, v, sub, pageSpec{q: q, skip: max(q.Skip, 0), size: size, total: q.Count})
	c := w.BeginCollection(it.Name, odata.ExpandedHead{Count: res.total, Counted: q.Count})
	target := sub.declared.QualifiedName()
	kn := keyName(sub.typ)
	for _, cm := range res.items {
		if it.Ref {
			c.AddRef(s.refURL(rq, cm.coll, cm.e.ID))
			continue
		}
		typ := ""
		if cm.e.Type != target || sub.refs {
			typ = cm.e.Type
		}
		ci := item{m: cm, typeName: typ, sel: q.Select, keyName: kn, expand: q.Expand, depth: depth + 1,
			etag: s.tagged(rq.schema, cm.e.Type), proj: s.projection(rq, cm.e.Type)}
		if err := c.AddFunc(func(dst []byte) ([]byte, error) { return s.appendItem(rq, v, dst, &ci) }); err != nil {
			return err
		}
	}
	w.EndCollection(c)
	return nil
}

// appendExpandedSingle appends the value of a single-valued navigation property: the
// related entity or null. A single-valued contained entity exists from the start, like
// a singleton (see resolve); it is written as stored, or as its key alone.
func (s *Server) appendExpandedSingle(rq *request, v store.View, dst []byte, m member, it *odata.ExpandItem, depth int) ([]byte, error) {
	sub := navResource(m, it)
	if err := s.applyNavRule(rq, v, sub, m.e, m.coll, it.Nav); err != nil {
		return nil, err
	}
	q := it.Query
	target := sub.declared
	var cm member
	if sub.refs {
		res := s.collect(rq, v, sub, pageSpec{q: q, size: 1})
		if len(res.items) == 0 {
			return append(dst, "null"...), nil
		}
		cm = res.items[0]
	} else {
		key := it.Nav.Name
		if sub.rule.Span {
			key = sub.id
		}
		e, err := v.Get(sub.coll, key)
		if err != nil && sub.rule.Span {
			return append(dst, "null"...), nil
		}
		if err != nil {
			e = keptEntity(target, it.Nav.Name)
		}
		if !s.matches(rq, v, q, member{e: e, coll: sub.coll}) {
			return append(dst, "null"...), nil
		}
		cm = member{e: e, coll: sub.coll}
	}
	if it.Ref {
		return odata.AppendRef(dst, "", s.refURL(rq, cm.coll, cm.e.ID)), nil
	}
	typ := ""
	if cm.e.Type != target.QualifiedName() || sub.refs {
		typ = cm.e.Type
	}
	return s.appendItem(rq, v, dst, &item{m: cm, typeName: typ, sel: q.Select, keyName: keyName(target), expand: q.Expand, depth: depth + 1,
		etag: s.tagged(rq.schema, cm.e.Type), proj: s.projection(rq, cm.e.Type)})
}
