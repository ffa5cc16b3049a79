package behavior

import (
	"net/http"
	"slices"
	"strings"

	"github.com/graph-emulator/graph-emulator/emulator/store"
	"github.com/graph-emulator/graph-emulator/entities"
	"github.com/graph-emulator/graph-emulator/odata"
)

// The directory's relationships. Graph stores some navigation properties of directory
// objects (a group's members and owners, a user's manager, a device's registered owners)
// and computes others from them: memberOf is the reverse of members, transitiveMemberOf
// its closure, ownedObjects the reverse of owners, directReports the reverse of manager.
// Here that is data (derivedNav) and one walk over the stored references (Related), which
// the generic handlers use for GET and which the membership operations
// (checkMemberGroups, getMemberObjects, ...) share.

// Nav is Graph's rule for one navigation property beyond generic OData. The zero Nav is
// a property stored and answered as generic OData does.
type Nav struct {
	// Derived, when its Of is set, says the property is computed from the references
	// stored under another one.
	Derived
	// ReadOnly refuses writes of the property's references ($ref, @odata.bind) with
	// Graph's 405.
	ReadOnly bool
	// CastRequired refuses a GET of the whole collection: a type cast segment must
	// name which kind of entities to list (GET /directory/deletedItems/microsoft.graph.user).
	// See ErrCastRequired.
	CastRequired bool
	// Span says the property's entities are kept in other collections of its owner,
	// which Behavior.Span names: a user's messages are those of every mail folder.
	Span bool
	// Computed says the property's members are computed on each read, by
	// Behavior.Members, from stored entities and the request (a calendar view's
	// occurrences); they are read-only.
	Computed bool
}

// Walked reports whether the property's members are found by the behaviour (derived
// from references, or computed) rather than stored under it.
func (n Nav) Walked() bool { return n.Of != "" || n.Computed }

// Derived says how a navigation property is computed from stored references.
type Derived struct {
	// Of names the navigation property whose references are followed ("members").
	Of string
	// Reverse follows them backwards: the property holds the entities whose Of holds a
	// reference to this one (memberOf: the groups whose members name it). Otherwise it
	// holds the entities this one's Of references.
	Reverse bool
	// Transitive follows them to any depth (nested groups); each entity is listed once,
	// cycles included, and the entity itself never.
	Transitive bool
}

// derivedNav is the table of the navigation properties Graph computes on directory
// objects, by name.
func derivedNav(name string) (Derived, bool) {
	switch name {
	case "memberOf":
		return Derived{Of: "members", Reverse: true}, true
	case "transitiveMemberOf":
		return Derived{Of: "members", Reverse: true, Transitive: true}, true
	case "transitiveMembers":
		return Derived{Of: "members", Transitive: true}, true
	case "ownedObjects":
		return Derived{Of: "owners", Reverse: true}, true
	case "directReports":
		return Derived{Of: "manager", Reverse: true}, true
	case "transitiveReports": // beta
		return Derived{Of: "manager", Reverse: true, Transitive: true}, true
	case "ownedDevices":
		return Derived{Of: "registeredOwners", Reverse: true}, true
	case "registeredDevices":
		return Derived{Of: "registeredUsers", Reverse: true}, true
	}
	return Derived{}, false
}

// Directory names used below.
const (
	directoryType        = "microsoft.graph.directory"
	directorySingleton   = "directory"
	deletedItemsNav      = "deletedItems"
	groupType            = "microsoft.graph.group"
	directoryRoleType    = "microsoft.graph.directoryRole"
	adminUnitType        = "microsoft.graph.administrativeUnit"
	deletedDateTimeProp  = "deletedDateTime"
	membersNav           = "members"
	securityEnabledProp  = "securityEnabled"
	roleTemplateIDProp   = "roleTemplateId"
	passwordCredsProp    = "passwordCredentials"
	keyCredsProp         = "keyCredentials"
	checkMemberListLimit = 20
)

// Nav returns Graph's rule for the navigation property nav of an entity of type owner.
// The directory's deletedItems is written by deletes only, and listed by type; it is
// non-contained in v1.0 and contained in the older beta schema, stored in the same
// place either way (see deleteditems.go).
func (b *Behavior) Nav(schema *entities.Schema, owner *entities.StructuredType, nav *entities.NavigationProperty) Nav {
	if nav == nil || owner == nil {
		return Nav{}
	}
	if nav.Name == deletedItemsNav && isA(schema, owner, directoryType) {
		return Nav{ReadOnly: true, CastRequired: true}
	}
	if rule, ok := b.outlookNav(schema, owner, nav); ok {
		return rule
	}
	if nav.ContainsTarget {
		return Nav{}
	}
	if d, ok := derivedNav(nav.Name); ok && isA(schema, owner, directoryObject) {
		return Nav{Derived: d, ReadOnly: true}
	}
	return Nav{}
}

// ErrCastRequired is Graph's answer to a GET of a collection whose Nav says
// CastRequired (GET /directory/deletedItems).
func ErrCastRequired() error {
	return &odata.Error{Status: http.StatusBadRequest, Code: "Request_UnsupportedQuery",
		Message: "Searches against this resource are not supported. Only specific instances can be queried."}
}

// ErrReadOnlyNav is the answer to an @odata.bind of a navigation property Graph
// computes (memberOf@odata.bind): its references are written on the other side.
func ErrReadOnlyNav(name string) error {
	return &odata.Error{Status: http.StatusBadRequest, Code: "Request_BadRequest",
		Message: "The navigation property '" + name + "' is read-only: it is computed from the references of other objects."}
}

// Related is one entity a derived navigation property holds, and the collection
// holding it.
type Related struct {
	Coll   store.Coll
	Entity store.Entity
}

// Related returns the entities the derived navigation property d holds for the entity
// with key id in coll: each once, ordered by collection and creation. It reads v only.
// A view with store.ReverseRefs answers a reverse property from the store's index;
// another is scanned (every entity set's references of d.Of, once per call).
func (b *Behavior) Related(schema *entities.Schema, v store.View, d Derived, coll store.Coll, id string) []Related {
	w := walker{b: b, schema: schema, v: v, d: d}
	type node struct {
		coll store.Coll
		id   string
	}
	seen := map[entityKey]bool{{coll.String(), id}: true}
	queue := []node{{coll, id}}
	var out []Related
	for len(queue) > 0 {
		n := queue[0]
		queue = queue[1:]
		w.neighbours(n.coll, n.id, func(c store.Coll, e store.Entity) {
			k := entityKey{c.String(), e.ID}
			if seen[k] {
				return
			}
			seen[k] = true
			out = append(out, Related{Coll: c, Entity: e})
			if d.Transitive {
				queue = append(queue, node{c, e.ID})
			}
		})
	}
	slices.SortFunc(out, func(a, b Related) int {
		if c := strings.Compare(a.Coll.String(), b.Coll.String()); c != 0 {
			return c
		}
		switch {
		case a.Entity.Seq < b.Entity.Seq:
			return -1
		case a.Entity.Seq > b.Entity.Seq:
			return 1
		}
		return 0
	})
	return out
}

// entityKey names an entity across collections.
type entityKey struct{ coll, id string }

// walker finds the neighbours of entities along one derived property.
type walker struct {
	b      *Behavior
	schema *entities.Schema
	v      store.View
	d      Derived
	// index, for a view without store.ReverseRefs, maps an entity to the reference
	// collections of d.Of that name it (built on first use).
	index map[entityKey][]store.Coll
}

// neighbours calls fn with the entities one step from the entity with key id in coll.
func (w *walker) neighbours(coll store.Coll, id string, fn func(store.Coll, store.Entity)) {
	if !w.d.Reverse {
		w.v.Refs(coll.Refs(id, w.d.Of), 0, func(r store.Ref) bool {
			if e, err := w.v.Get(r.Target, r.ID); err == nil {
				fn(r.Target, e)
			}
			return true
		})
		return
	}
	w.holders(coll, id, func(h store.Coll) {
		parent, key, nav, ok := h.Owner()
		if !ok || nav != w.d.Of || w.b.deleted(parent) {
			return
		}
		if e, err := w.v.Get(parent, key); err == nil {
			fn(parent, e)
		}
	})
}

// holders calls fn with the reference collections that reference the entity: of d.Of
// only, or of any navigation property when d.Of is "".
func (w *walker) holders(coll store.Coll, id string, fn func(store.Coll)) {
	if rr, ok := w.v.(store.ReverseRefs); ok {
		rr.RefsTo(coll, id, func(h store.Coll) bool { fn(h); return true })
		return
	}
	if w.index == nil {
		w.buildIndex()
	}
	for _, h := range w.index[entityKey{coll.String(), id}] {
		fn(h)
	}
}

// buildIndex maps every entity to the reference collections naming it, for a view
// without store.ReverseRefs: the references held by the entities of every entity set
// and by the deleted objects (references held deeper, as by an administrative unit
// contained in the directory, are not found this way).
func (w *walker) buildIndex() {
	w.index = map[entityKey][]store.Coll{}
	colls := []store.Coll{w.b.dir.items}
	for _, set := range w.schema.EntitySets() {
		colls = append(colls, store.Set(set.Name))
	}
	for _, sc := range colls {
		w.v.Scan(sc, 0, func(e store.Entity) bool {
			t := w.schema.EntityType(e.Type)
			if t == nil {
				return true
			}
			for _, nav := range t.AllNavigationProperties() {
				if nav.ContainsTarget || w.d.Of != "" && nav.Name != w.d.Of {
					continue
				}
				h := sc.Refs(e.ID, nav.Name)
				w.v.Refs(h, 0, func(r store.Ref) bool {
					k := entityKey{r.Target.String(), r.ID}
					w.index[k] = append(w.index[k], h)
					return true
				})
			}
			return true
		})
	}
}

// memberships returns what the entity with key id in coll is a member of, directly or
// through nested groups: groups, directory roles and administrative units.
func (b *Behavior) memberships(schema *entities.Schema, v store.View, coll store.Coll, id string) []Related {
	d, _ := derivedNav("transitiveMemberOf")
	return b.Related(schema, v, d, coll, id)
}
