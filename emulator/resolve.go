package emulator

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/graph-emulator/graph-emulator/entities"
	"github.com/graph-emulator/graph-emulator/odata"
)

// sep joins the parts of a contained collection's store name: parent collection, parent
// key, navigation property. Keys may hold '/', so a control character separates them.
const sep = "\x1f"

// resource is where the resource a path addresses lives in the store.
type resource struct {
	// coll is the store collection of the addressed collection, or of the collection
	// the addressed entity belongs to. For a non-contained navigation property it holds
	// references (see refs).
	coll string
	// sources are the collections a GET of the collection lists: coll, then the
	// collections of entity sets whose type derives from this set's (their entities
	// are also entities of this set, as users are directoryObjects).
	sources []string
	// declared is the collection's declared entity type; typ the type after casts.
	declared, typ *entities.StructuredType
	// refs marks a non-contained navigation property: coll holds references whose
	// Entity.Type is the target's collection and whose ID is the target's key.
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
	entity     Entity
	entityColl string
	// singleton marks a singleton stored by the emulator itself (created on first use).
	singleton bool
	// keyed marks an entity addressed by a key segment.
	keyed bool
}

// resolve walks the path's segments to the store, checking that every entity on the
// way exists. The last entity of the path is looked up too, when there is one.
func (s *Server) resolve(rq *request) (*resource, error) {
	r := &resource{}
	segs := rq.path.Segments
	for i := range segs {
		seg := &segs[i]
		switch seg.Kind {
		case odata.SegEntitySet:
			r.coll = seg.Set.Name
			r.sources = s.sources[seg.Set]
			r.declared, r.typ = seg.Type, seg.Type
			r.context, r.canonical = seg.Set.Name, seg.Set.Name
		case odata.SegSingleton:
			if err := s.resolveSingleton(rq, r, seg); err != nil {
				return nil, err
			}
		case odata.SegKey:
			r.single, r.keyed, r.id, r.found = true, true, seg.Key, false
			if err := s.lookup(rq, r); err != nil {
				return nil, err
			}
		case odata.SegNavigation:
			if err := s.requireEntity(rq, r); err != nil {
				return nil, err
			}
			parent := entityPath(r)
			owner := r.entityColl + sep + r.entity.ID + sep + seg.Nav.Name
			r.nav = seg.Nav
			r.declared, r.typ = seg.Nav.Target(), seg.Nav.Target()
			r.single, r.keyed, r.id, r.found, r.singleton = !seg.Nav.IsCollection(), false, "", false, false
			r.context, r.canonical = parent+"/"+seg.Nav.Name, parent+"/"+seg.Nav.Name
			if seg.Nav.ContainsTarget {
				r.coll, r.refs = owner, false
				if r.single {
					// A single-valued containment (a user's settings, authentication)
					// always exists, like a singleton: it is stored on first use.
					r.id, r.singleton = seg.Nav.Name, true
					if e, err := s.store.Get(r.coll, r.id); err == nil {
						r.entity, r.entityColl, r.found = e, r.coll, true
					}
				}
			} else {
				r.coll, r.refs = owner+sep+"$ref", true
				if set := targetSet(rq.schema, seg.Nav); set != nil {
					r.context = set.Name
				}
			}
			r.sources = []string{r.coll}
		case odata.SegCast:
			r.typ = seg.Type
			if r.single && r.found && !s.entityIsA(rq.schema, r.entity, r.typ) {
				return nil, odata.ErrEntityNotFound(r.id)
			}
		}
	}
	if r.single && !r.found && r.id != "" && !r.singleton {
		if err := s.lookup(rq, r); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// resolveSingleton addresses a singleton: one the server maps onto an entity of a set
// (the signed-in user's /me), or one it stores itself.
func (s *Server) resolveSingleton(rq *request, r *resource, seg *odata.Segment) error {
	sg := seg.Singleton
	r.single, r.declared, r.typ = true, seg.Type, seg.Type
	r.context, r.canonical = sg.Name, sg.Name
	if set := setOfType(rq.schema, sg.EntityType()); set != nil {
		// A singleton of an entity set's type stands for one entity of that set.
		id, ok := s.cfg.singletons[sg.Name]
		if !ok {
			return &odata.Error{Status: http.StatusBadRequest, Code: "BadRequest",
				Message: "/" + sg.Name + " request is only valid with delegated authentication flow."}
		}
		// Graph describes it as that entity: /me answers #users/$entity and
		// /me/messages #users('id')/messages.
		r.coll, r.sources, r.id, r.keyed = set.Name, s.sources[set], id, true
		r.context, r.canonical = set.Name, set.Name
		return s.lookup(rq, r)
	}
	r.coll, r.sources, r.id, r.singleton = sep+"singleton"+sep+sg.Name, nil, sg.Name, true
	r.sources = []string{r.coll}
	if e, err := s.store.Get(r.coll, r.id); err == nil {
		r.entity, r.entityColl, r.found = e, r.coll, true
	}
	return nil
}

// lookup finds the entity r addresses: by key in the collection's sources, through a
// reference, or the one entity of a single-valued navigation property.
func (s *Server) lookup(rq *request, r *resource) error {
	var err error
	switch {
	case r.refs:
		key := r.id
		if key == "" { // single-valued: the one reference
			s.store.Scan(r.coll, 0, func(e Entity) bool { key = e.ID; return false })
			if key == "" {
				return odata.ErrEntityNotFound(r.nav.Name)
			}
		}
		var ref Entity
		if ref, err = s.store.Get(r.coll, key); err != nil {
			return storeError(err, key)
		}
		r.entity, err = s.store.Get(ref.Type, ref.ID)
		r.entityColl = ref.Type
	default:
		err = ErrNotFound
		for _, c := range r.sources {
			if r.entity, err = s.store.Get(c, r.id); err == nil {
				r.entityColl = c
				break
			}
		}
	}
	if err != nil {
		return storeError(err, r.id)
	}
	if !s.entityIsA(rq.schema, r.entity, r.typ) {
		return odata.ErrEntityNotFound(r.id)
	}
	r.id, r.found = r.entity.ID, true
	return nil
}

// requireEntity makes sure the entity r addresses exists (a singleton is created).
func (s *Server) requireEntity(rq *request, r *resource) error {
	if r.found {
		return nil
	}
	if r.singleton {
		e, err := s.materializeSingleton(r)
		if err != nil {
			return err
		}
		r.entity, r.entityColl, r.found = e, r.coll, true
		return nil
	}
	if !r.single {
		return odata.ErrInternal()
	}
	return s.lookup(rq, r)
}

// materializeSingleton stores a singleton the first time it is used: an entity whose
// key is the singleton's name.
func (s *Server) materializeSingleton(r *resource) (Entity, error) {
	keyName := ""
	if key := r.declared.KeyProperty(); key != nil {
		keyName = key.Name
	}
	body := renderBody(keyName, r.id, nil)
	e, err := s.store.Insert(r.coll, Entity{ID: r.id, Type: r.declared.QualifiedName(), Body: body})
	if errors.Is(err, ErrExists) {
		return s.store.Get(r.coll, r.id)
	}
	return e, err
}

// entityIsA reports whether a stored entity is of type t or derived from it.
func (s *Server) entityIsA(schema *entities.Schema, e Entity, t *entities.StructuredType) bool {
	if t == nil || e.Type == t.QualifiedName() {
		return true
	}
	et := schema.EntityType(e.Type)
	return et != nil && et.IsA(t)
}

// setSources lists set's collection and those of the sets whose type derives from its
// type: a set of a base type sees the entities of its derived types' sets.
func setSources(schema *entities.Schema, set *entities.EntitySet) []string {
	out := []string{set.Name}
	for _, other := range schema.EntitySets() {
		if other != set && other.Type() != set.Type() && other.Type().IsA(set.Type()) {
			out = append(out, other.Name)
		}
	}
	return out
}

// setOfType returns the first entity set whose type is exactly t, or nil.
func setOfType(schema *entities.Schema, t *entities.StructuredType) *entities.EntitySet {
	for _, set := range schema.EntitySets() {
		if set.Type() == t {
			return set
		}
	}
	return nil
}

// targetSet returns the entity set that holds a non-contained navigation property's
// targets: one of exactly the target type, else one of a base type.
func targetSet(schema *entities.Schema, n *entities.NavigationProperty) *entities.EntitySet {
	if set := setOfType(schema, n.Target()); set != nil {
		return set
	}
	for b := n.Target().Base(); b != nil; b = b.Base() {
		if set := setOfType(schema, b); set != nil {
			return set
		}
	}
	return nil
}

// entityPath is the canonical URL path of the entity r addresses: set('key'), a
// singleton's name, or a single-valued navigation path.
func entityPath(r *resource) string {
	switch {
	case !r.single || r.id == "" || r.nav != nil && !r.nav.IsCollection():
		return r.canonical
	case r.refs:
		// An entity reached through a reference is addressed in its own collection.
		return rootOf(r.entityColl) + keyPredicate(r.id)
	case r.keyed:
		return r.canonical + keyPredicate(r.id)
	}
	return r.canonical
}

// keyPredicate is "('key')" with quotes doubled and the key percent-encoded for a path.
func keyPredicate(id string) string {
	return "('" + url.PathEscape(strings.ReplaceAll(id, "'", "''")) + "')"
}

// rootOf returns the entity set name of a top-level store collection (contained
// collections are returned whole, which callers avoid).
func rootOf(coll string) string {
	if i := strings.Index(coll, sep); i >= 0 {
		return coll[:i]
	}
	return coll
}
