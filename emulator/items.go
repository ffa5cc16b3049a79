package emulator

import (
	"net/http"

	"github.com/graph-emulator/graph-emulator/emulator/store"
	"github.com/graph-emulator/graph-emulator/entities"
	"github.com/graph-emulator/graph-emulator/odata"
)

// list answers GET of a collection, one page at a time, with $filter, $search,
// $orderby, $top (the page size), $skip, $count, $select and $expand.
func (s *Server) list(rq *request) (*response, error) {
	return s.read(rq, func(s *Server, rq *request, v store.View, r *resource) (*response, error) {
		if err := checkNavList(r); err != nil {
			return nil, err
		}
		cq, err := s.parseCollectionQuery(rq, r)
		if err != nil {
			return nil, err
		}
		return s.listResponse(rq, v, r, cq, s.page(rq, v, r, cq))
	})
}

// listResponse answers a page of a collection: @odata.context (with $select), then
// @odata.count, @odata.nextLink and the items, in Graph's order. The items are written
// after the store's read, one at a time, as the client reads them (stream.go).
func (s *Server) listResponse(rq *request, v store.View, r *resource, cq *collectionQuery, res pageResult) (*response, error) {
	page := &pageStream{head: odata.CollectionHead{
		Context: odata.ContextURL(rq.base, rq.version, r.context+odata.SelectContext(cq.Select), false),
		Count:   res.total, Counted: cq.count, NextLink: res.nextLink},
		members: res.items, setType: r.declared.QualifiedName(),
		// Graph types items of a derived type; navigation collections type every item,
		// as clients such as msgraph-sdk-go pick the model by it.
		typeAll: r.nav != nil && !r.nav.ContainsTarget,
		tmpl: item{sel: cq.Select, keyName: keyName(r.typ), expand: cq.Expand,
			etag: s.behavior.ETags(rq.schema, r.declared), typ: r.declared},
	}
	if cq.Select == nil {
		page.tmpl.proj = s.behavior.Projection(rq.version, r.declared)
	}
	return &response{status: http.StatusOK, page: page}, nil
}

// item is one entity of a response and how to write it.
type item struct {
	m member
	// typeName, when not empty, is written as @odata.type.
	typeName string
	// sel is $select (nil for all); keyName the key kept besides the selected
	// properties, so that a client can address every item it lists.
	sel     []string
	keyName string
	expand  []odata.ExpandItem
	// depth is the $expand nesting level of the item.
	depth int
	// etag asks for @odata.etag (see behavior.ETags).
	etag bool
	// proj is how the entity is written without $select (nil: as stored).
	proj *odata.Projection
	// typ is the entity's type, when the item's maker knows it (nil: looked up).
	typ *entities.StructuredType
}

// tagged reports whether entities of the type named typeName carry @odata.etag.
func (s *Server) tagged(schema *entities.Schema, typeName string) bool {
	return s.behavior.ETags(schema, schema.EntityType(typeName))
}

// appendItem appends one entity of a response: its properties ($select applied, the key
// kept; else its default property set), its expanded navigation properties, and
// @odata.type when asked for.
func (s *Server) appendItem(rq *request, v store.View, dst []byte, it *item) ([]byte, error) {
	m, typeName, sel, keyName, expand, depth := it.m, it.typeName, it.sel, it.keyName, it.expand, it.depth
	stored := m.e.Body
	if !m.coll.IsZero() {
		m.e = s.reader(rq).Entity(v, m.coll, m.e)
	}
	body := m.e.Body
	project := sel == nil && it.proj != nil
	if sel != nil || len(expand) > 0 {
		scratch := rq.itemBuf // a page's writer lends one for its items (stream.go)
		if scratch == nil || depth > 0 {
			scratch = s.getBuf()
			defer s.putBuf(scratch)
		}
		tmp := (*scratch)[:0]
		switch {
		case sel != nil:
			tmp = odata.ApplySelect(tmp, body, sel, keyName)
		case project:
			tmp = odata.AppendProjected(tmp, body, it.proj)
		default:
			tmp = append(tmp, body...)
		}
		if len(expand) > 0 {
			var err error
			if tmp, err = s.appendExpanded(rq, v, tmp, m, expand, depth); err != nil {
				return nil, err
			}
		}
		*scratch = tmp
		body, project = tmp, false
	}
	t := it.typ
	if t == nil {
		t = rq.schema.EntityType(m.e.Type)
	}
	body = s.present(rq, t, m.e, body, sel)
	if project && m.e.Shape&s.shapeBit(rq.schema) != 0 && sameBytes(body, stored) {
		project = false // the body is its own projection (shape.go)
	}
	proj := it.proj
	if !project {
		proj = nil
	}
	var version uint64 // the tag: FormatETag(version), or the behaviour's
	if it.etag && m.e.Version != 0 {
		if tags := s.behavior.EntityTags(rq.schema, m.e); len(tags) > 0 {
			if proj != nil {
				return odata.AppendEntityProjected(dst, "", typeName, tags[0], body, proj), nil
			}
			return odata.AppendEntityTagged(dst, "", typeName, tags[0], body), nil
		}
		version = m.e.Version
	}
	if typeName == "" && version == 0 && proj == nil {
		return append(dst, body...), nil
	}
	return odata.AppendItemVersioned(dst, typeName, version, body, proj), nil
}

// projection returns how an entity of the type named typeName is written by default
// (see behavior.Projection), or nil for as stored.
func (s *Server) projection(rq *request, typeName string) *odata.Projection {
	return s.behavior.Projection(rq.version, rq.schema.EntityType(typeName))
}
