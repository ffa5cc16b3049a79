package emulator

import (
	"slices"
	"strings"

	"github.com/graph-emulator/graph-emulator/emulator/behavior"
	"github.com/graph-emulator/graph-emulator/emulator/store"
	"github.com/graph-emulator/graph-emulator/entities"
	"github.com/graph-emulator/graph-emulator/odata"
)

// Navigation properties the behaviour computes (behavior.Nav): a derived property
// (memberOf, transitiveMembers, directReports...) holds no references of its own; its
// members are what the behaviour's walk over other properties' references finds, inside
// the request's store read. They are listed, filtered, cast, counted, paged and
// expanded as any navigation collection, and are read-only.

// applyNavRule gives r, just moved to the navigation property nav of the entity owner
// (stored in ownerColl), the behaviour's rule for it: where a spanning property's
// entities are, a computed property's members.
func (s *Server) applyNavRule(rq *request, v store.View, r *resource, owner store.Entity, ownerColl store.Coll, nav *entities.NavigationProperty) error {
	ot := rq.schema.EntityType(owner.Type)
	r.rule = s.behavior.Nav(rq.schema, ot, nav)
	switch {
	case r.rule.Span:
		return s.applySpan(rq, v, r, owner, ownerColl, nav)
	case r.rule.Computed:
		r.owner, r.ownerColl = owner, ownerColl
		q, err := odata.SplitQuery(rq.r.URL.RawQuery)
		if err != nil {
			return err
		}
		r.computed, err = s.behavior.Members(&behavior.MembersCall{Schema: rq.schema, View: v, Owner: owner,
			OwnerColl: ownerColl, Nav: nav, Query: q})
		return err
	case r.rule.Of == "":
		return nil
	}
	r.owner, r.ownerColl = owner, ownerColl
	// The members come from any collection: the sets of the target type's entities,
	// then one place for those kept elsewhere (contained, as administrative units).
	var sources []store.Coll
	if set := s.schemaCache(rq.schema).targetSet(nav); set != nil {
		sources = s.schemaCache(rq.schema).sources[set]
	}
	r.sources = append(slices.Clip(sources), r.coll)
	return nil
}

// applySpan points r, a spanning navigation property (behavior.Nav.Span), at the
// collections its entities are kept in: a collection lists them all and creates in
// one; a single-valued property addresses the entity it stands for.
func (s *Server) applySpan(rq *request, v store.View, r *resource, owner store.Entity, ownerColl store.Coll, nav *entities.NavigationProperty) error {
	tx, _ := v.(store.Tx)
	sp, err := s.behavior.Span(&behavior.SpanCall{Schema: rq.schema, View: v, Tx: tx, Owner: owner, OwnerColl: ownerColl,
		Nav: nav, NewID: s.cfg.newID})
	if err != nil {
		return err
	}
	if !nav.IsCollection() {
		if sp.Coll.IsZero() {
			return nil
		}
		r.coll, r.sources, r.id = sp.Coll, []store.Coll{sp.Coll}, sp.Key
		r.singleton, r.virtual, r.found, r.keyed = false, false, false, true
		return nil
	}
	if sp.Sources != nil {
		r.sources = sp.Sources
	}
	if !sp.Create.IsZero() {
		r.coll = sp.Create
	}
	if sp.Members != nil {
		// What a read lists in place of what is stored (see behavior.Span).
		r.rule.Computed, r.computed = true, sp.Members
		r.owner, r.ownerColl = owner, ownerColl
	}
	return nil
}

// derivedMembers calls fn with the members of a derived navigation property, in
// position order from after start, until fn returns false.
func (s *Server) derivedMembers(rq *request, v store.View, r *resource, start position, fn func(member) bool) {
	rel := r.computed
	if !r.rule.Computed {
		rel = s.behavior.Related(rq.schema, v, r.rule.Derived, r.ownerColl, r.owner.ID)
	}
	found := make([]member, 0, len(rel))
	elsewhere := len(r.sources) - 1
	for _, x := range rel {
		if r.typ != r.declared && !entityIsA(rq.schema, x.Entity, r.typ) {
			continue
		}
		src := elsewhere
		for i, c := range r.sources[:elsewhere] {
			if c.Equal(x.Coll) {
				src = i
				break
			}
		}
		m := member{e: x.Entity, coll: x.Coll, pos: position{src, x.Entity.Seq}}
		if start.less(m.pos) {
			found = append(found, m)
		}
	}
	visitInOrder(found, fn)
}

// lookupDerived finds the member with key id of a derived navigation property.
func (s *Server) lookupDerived(rq *request, v store.View, r *resource, id string) error {
	var hit, folded member
	ok, okFolded := false, false
	s.derivedMembers(rq, v, r, position{}, func(m member) bool {
		if m.e.ID == id {
			hit, ok = m, true
			return false
		}
		if !okFolded && strings.EqualFold(m.e.ID, id) {
			folded, okFolded = m, true
		}
		return true
	})
	if !ok {
		if !okFolded {
			return odata.ErrEntityNotFound(id)
		}
		hit = folded
	}
	r.entity, r.entityColl = hit.e, hit.coll
	return nil
}

// checkNavWrite refuses a write of the references of a navigation property the
// behaviour says is read-only.
func checkNavWrite(r *resource) error {
	if r.rule.ReadOnly {
		return odata.ErrMethodNotAllowed("GET")
	}
	return nil
}

// checkNavList refuses a GET of a whole collection that the behaviour says needs a
// type cast segment.
func checkNavList(r *resource) error {
	if r.rule.CastRequired && r.typ == r.declared {
		return behavior.ErrCastRequired()
	}
	return nil
}
