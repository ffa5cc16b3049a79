package emulator

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/graph-emulator/graph-emulator/emulator/behavior"
	"github.com/graph-emulator/graph-emulator/emulator/store"
	"github.com/graph-emulator/graph-emulator/entities"
	"github.com/graph-emulator/graph-emulator/odata"
)

// resource is where the resource a path addresses lives in the store.
type resource struct {
	// coll is the store collection of the addressed collection, or of the collection
	// the addressed entity belongs to. For a non-contained navigation property it holds
	// references (see refs).
	coll store.Coll
	// sources are the collections a GET of the collection lists: coll, then the
	// collections of entity sets whose type derives from this set's (their entities
	// are also entities of this set, as users are directoryObjects).
	sources []store.Coll
	// declared is the collection's declared entity type; typ the type after casts.
	declared, typ *entities.StructuredType
	// refs marks a non-contained navigation property: coll holds references.
	refs bool
	// context is the @odata.context resource of the collection ("users('a')/messages");
	// canonical the URL path of the collection, for Location headers.
	context, canonical string
	// nav is the last navigation property followed, or nil.
	nav *entities.NavigationProperty

	// single marks a resource that is one entity.
	single bool
	// id is the addressed entity's key ("" for a single-valued navigation property
	// whose target is not known yet).
	id string
	// found reports whether entity holds the addressed entity, stored in entityColl.
	found      bool
	entity     store.Entity
	entityColl store.Coll
	// singleton marks an entity the emulator keeps itself (a singleton, the target of a
	// single-valued containment): it exists from the start. Until its first write it is
	// not stored (virtual), and reads see its key alone.
	singleton, virtual bool
	// keyed marks an entity addressed by a key segment.
	keyed bool
	// altKey, for an entity addressed by an alternate key (applications(appId='…')),
	// is that key's property, and altValue the value the path gave it.
	altKey, altValue string
	// owner is the entity whose navigation property was followed last (zero before
	// any): a $ref request changes it, and its preconditions are checked against it.
	owner store.Entity
	// rule is the behaviour's rule for that navigation property (zero for generic
	// OData); for a derived one (memberOf...), ownerColl holds owner (see derived.go).
	rule      behavior.Nav
	ownerColl store.Coll
	// addr is where the path's path-based address led (see address.go), or nil.
	addr *behavior.Address
	// computed holds the members of a computed navigation property (see derived.go).
	computed []behavior.Related
}

// resolve walks the path's segments through the view, checking that every entity on the
// way exists. The last entity of the path is looked up too, when there is one.
func (s *Server) resolve(rq *request, v store.View) (*resource, error) {
	r := &resource{}
	segs := rq.path.Segments
	for i := range segs {
		seg := &segs[i]
		switch seg.Kind {
		case odata.SegEntitySet:
			sc := s.schemaCache(rq.schema)
			r.coll = sc.setColl(seg.Set)
			r.sources = sc.sources[seg.Set]
			r.declared, r.typ = seg.Type, seg.Type
			r.context, r.canonical = seg.Set.Name, seg.Set.Name
		case odata.SegSingleton:
			if err := s.resolveSingleton(rq, v, r, seg); err != nil {
				return nil, err
			}
		case odata.SegKey:
			r.single, r.keyed, r.id, r.found = true, true, seg.Key, false
			r.altKey, r.altValue = seg.KeyProperty, ""
			if r.altKey != "" {
				r.altValue = seg.Key
			}
			if err := s.lookup(rq, v, r); err != nil {
				if r.altKey != "" && i == len(segs)-1 && isNotFound(err) {
					// The handler decides: an upsert creates it, others answer 404
					// (requireEntity).
					continue
				}
				return nil, s.notFound(rq, r, err)
			}
		case odata.SegNavigation:
			if err := s.requireEntity(rq, v, r); err != nil {
				return nil, err
			}
			if tx, ok := v.(store.Tx); ok {
				// A write under a kept entity never written stores it first.
				if err := materialize(tx, r); err != nil {
					return nil, err
				}
			}
			if err := s.followNav(rq, v, r, seg.Nav); err != nil {
				return nil, err
			}
		case odata.SegCast:
			r.typ = seg.Type
			if r.refs && !r.single {
				// Graph describes a cast navigation collection by the cast type's set
				// (/users/{id}/memberOf/microsoft.graph.group: #groups).
				if set := s.schemaCache(rq.schema).setOfType[seg.Type]; set != nil {
					r.context = set.Name
				}
			}
			if r.single && r.found && !entityIsA(rq.schema, r.entity, r.typ) {
				return nil, odata.ErrEntityNotFound(r.id)
			}
		case odata.SegOperation:
			// A bound operation applies to the entity (or collection) before it: that
			// entity must exist, else the answer is a 404, whatever the operation (but
			// one the behaviour runs on a path-based address that names nothing yet).
			if r.single && (r.addr == nil || len(seg.Operations) == 0 || !s.behavior.TakesAddress(seg.Operations[0].QualifiedName())) {
				if err := s.requireEntity(rq, v, r); err != nil {
					return nil, err
				}
			}
			return r, nil
		}
		if rq.addr != nil && i == rq.addr.at {
			if err := s.walkAddress(rq, v, r); err != nil {
				return nil, err
			}
		}
	}
	if r.single && !r.found && r.id != "" && !r.singleton && r.altKey == "" {
		if err := s.lookup(rq, v, r); err != nil {
			return nil, s.notFound(rq, r, err)
		}
	}
	return r, nil
}

// followNav moves r from its entity to the navigation property nav; what the behaviour
// makes on first use there is made (or asked for, in a read).
func (s *Server) followNav(rq *request, v store.View, r *resource, nav *entities.NavigationProperty) error {
	parent := entityPath(r)
	ownerColl := r.entityColl
	if s.behavior.NeedsProvision(rq.schema, v, ownerColl, r.entity, nav.Name) {
		p := behavior.Provision{OwnerColl: ownerColl, OwnerID: r.entity.ID, Nav: nav.Name}
		if err := s.provision(rq, v, p); err != nil {
			return err
		}
	}
	r.nav, r.owner, r.ownerColl, r.rule, r.addr = nav, r.entity, ownerColl, behavior.Nav{}, nil
	r.declared, r.typ = nav.Target(), nav.Target()
	r.single, r.keyed, r.id, r.found, r.singleton, r.virtual = !nav.IsCollection(), false, "", false, false, false
	r.context, r.canonical = parent+"/"+nav.Name, parent+"/"+nav.Name
	if nav.ContainsTarget {
		r.coll, r.refs = r.entityColl.Contained(r.entity.ID, nav.Name), false
		if r.single {
			// A single-valued containment (a user's settings, authentication)
			// always exists, like a singleton.
			r.id, r.singleton = nav.Name, true
			s.loadKept(v, r)
		}
	} else {
		r.coll, r.refs = r.entityColl.Refs(r.entity.ID, nav.Name), true
		if set := s.schemaCache(rq.schema).targetSet(nav); set != nil {
			r.context = set.Name
		}
	}
	r.sources = []store.Coll{r.coll}
	return s.applyNavRule(rq, v, r, r.owner, ownerColl, nav)
}

// loadKept reads an entity the emulator keeps itself (see resource.singleton), or
// stands in for it with its key alone until it is first written.
func (s *Server) loadKept(v store.View, r *resource) {
	r.entityColl, r.found = r.coll, true
	if e, err := v.Get(r.coll, r.id); err == nil {
		r.entity, r.virtual = e, false
		return
	}
	r.entity, r.virtual = keptEntity(r.declared, r.id), true
}

// keptEntity is the body of a kept entity never written: its key alone.
func keptEntity(t *entities.StructuredType, id string) store.Entity {
	keyName := ""
	if key := t.KeyProperty(); key != nil {
		keyName = key.Name
	}
	return store.Entity{ID: id, Type: t.QualifiedName(), Body: renderBody(keyName, id, nil)}
}

// resolveSingleton addresses a singleton: one the server maps onto an entity of a set
// (the signed-in user's /me), or one it keeps itself.
func (s *Server) resolveSingleton(rq *request, v store.View, r *resource, seg *odata.Segment) error {
	sg := seg.Singleton
	r.single, r.declared, r.typ = true, seg.Type, seg.Type
	r.context, r.canonical = sg.Name, sg.Name
	sc := s.schemaCache(rq.schema)
	if set := sc.setOfType[sg.EntityType()]; set != nil {
		// A singleton of an entity set's type stands for one entity of that set.
		id, ok := s.cfg.singletons[sg.Name]
		if !ok {
			return s.behavior.UnmappedSingleton(sg.Name)
		}
		// Graph describes it as that entity: /me answers #users/$entity and
		// /me/messages #users('id')/messages.
		r.coll, r.sources, r.id, r.keyed = sc.setColl(set), sc.sources[set], id, true
		r.context, r.canonical = set.Name, set.Name
		return s.lookup(rq, v, r)
	}
	r.coll, r.id, r.singleton = store.Singleton(sg.Name), sg.Name, true
	r.sources = []store.Coll{r.coll}
	s.loadKept(v, r)
	return nil
}

// lookup finds the entity r addresses: by key in the collection's sources, through a
// reference, or the one entity of a single-valued navigation property.
func (s *Server) lookup(rq *request, v store.View, r *resource) error {
	var err error
	switch {
	case r.rule.Walked():
		err = s.lookupDerived(rq, v, r, r.id)
	case r.refs:
		key := r.id
		if key == "" { // single-valued: the one reference
			v.Refs(r.coll, 0, func(ref store.Ref) bool { key = ref.ID; return false })
			if key == "" {
				return odata.ErrEntityNotFound(r.nav.Name)
			}
		}
		var ref store.Ref
		if ref, err = v.Ref(r.coll, key); err != nil {
			return storeError(err, key)
		}
		r.entity, err = v.Get(ref.Target, ref.ID)
		r.entityColl = ref.Target
	case r.altKey != "":
		var ok bool
		if r.entity, r.entityColl, ok = s.findBy(v, r, r.altKey, r.altValue); !ok {
			err = store.ErrNotFound
		}
	default:
		err = store.ErrNotFound
		for _, c := range r.sources {
			if r.entity, err = v.Get(c, r.id); err == nil {
				r.entityColl = c
				break
			}
		}
		if err != nil && r.keyed {
			// Graph also resolves some keys by another property: a user by its
			// userPrincipalName where an id is expected.
			if prop := s.behavior.KeyAlias(rq.schema, r.typ); prop != "" {
				var ok bool
				if r.entity, r.entityColl, ok = s.findBy(v, r, prop, r.id); ok {
					err = nil
				}
			}
		}
		if err != nil && r.keyed {
			// And some keys mean an entity of their own (a drive's root item, the root
			// site), which may be made on first use.
			if id, p, ok := s.behavior.WellKnownKey(rq.schema, v, r.coll, r.id); ok {
				if p != nil {
					if perr := s.provision(rq, v, *p); perr != nil {
						return perr
					}
					id, _, _ = s.behavior.WellKnownKey(rq.schema, v, r.coll, r.id)
				}
				if id != "" {
					if r.entity, err = v.Get(r.coll, id); err == nil {
						r.entityColl = r.coll
					}
				}
			}
		}
	}
	if err != nil && r.keyed && !r.refs {
		// ... or by a name (a mail folder's well-known name).
		if e, c, ok := s.behavior.FindByName(&behavior.NameCall{Schema: rq.schema, View: v, Sources: r.sources,
			Type: r.typ, Key: r.id}); ok {
			r.entity, r.entityColl, err = e, c, nil
		}
	}
	if err != nil {
		return s.notFound(rq, r, storeError(err, r.id))
	}
	if !entityIsA(rq.schema, r.entity, r.typ) {
		return s.notFound(rq, r, odata.ErrEntityNotFound(r.id))
	}
	r.id, r.found = r.entity.ID, true
	return nil
}

// notFound is err, or the behaviour's own 404 for r's type when err is the generic one
// (a drive item's itemNotFound).
func (s *Server) notFound(rq *request, r *resource, err error) error {
	if !isNotFound(err) {
		return err
	}
	if nf := s.behavior.ErrNotFound(rq.schema, r.typ); nf != nil {
		return nf
	}
	return err
}

// requireEntity makes sure the entity r addresses exists.
func (s *Server) requireEntity(rq *request, v store.View, r *resource) error {
	if r.found {
		return nil
	}
	if r.addr != nil {
		// A path-based address that names nothing (yet).
		return s.behavior.ErrItemNotFound()
	}
	if !r.single {
		return odata.ErrInternal()
	}
	return s.lookup(rq, v, r)
}

// materialize stores a kept entity that was never written (see resource.singleton), so
// that a write can change it or put something under it.
func materialize(tx store.Tx, r *resource) error {
	if !r.virtual {
		return nil
	}
	e, err := tx.Insert(r.entityColl, r.entity)
	if errors.Is(err, store.ErrExists) {
		e, err = tx.Get(r.entityColl, r.entity.ID)
	}
	if err != nil {
		return err
	}
	r.entity, r.virtual = e, false
	return nil
}

// entityIsA reports whether a stored entity is of type t or derived from it.
func entityIsA(schema *entities.Schema, e store.Entity, t *entities.StructuredType) bool {
	if t == nil || e.Type == t.QualifiedName() {
		return true
	}
	et := schema.EntityType(e.Type)
	return et != nil && et.IsA(t)
}

// entityPath is the canonical URL path of the entity r addresses: set('key'), a
// singleton's name, or a single-valued navigation path.
func entityPath(r *resource) string {
	switch {
	case !r.single || r.id == "" || r.nav != nil && !r.nav.IsCollection():
		return r.canonical
	case r.refs:
		// An entity reached through a reference is addressed in its own collection.
		return r.entityColl.Root() + keyPredicate(r.id)
	case r.keyed:
		return r.canonical + keyPredicate(r.id)
	}
	return r.canonical
}

// keyPredicate is "('key')" with quotes doubled and the key percent-encoded for a path.
func keyPredicate(id string) string {
	return "('" + url.PathEscape(strings.ReplaceAll(id, "'", "''")) + "')"
}

func storeError(err error, id string) error {
	if errors.Is(err, store.ErrNotFound) {
		return odata.ErrEntityNotFound(id)
	}
	return err
}

// errReplaced answers a write whose entity changed type between its read and its write.
func errReplaced() error {
	return &odata.Error{Status: http.StatusConflict, Code: "Request_BadRequest",
		Message: "The entity was replaced while it was being updated; retry the request."}
}
