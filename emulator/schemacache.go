package emulator

import (
	"sync"

	"github.com/graph-emulator/graph-emulator/emulator/store"
	"github.com/graph-emulator/graph-emulator/entities"
)

// schemaIndex is what the server derives once from a schema it serves: the store
// collections of its entity sets, which sets a GET of a set lists, the set of each
// entity type, and (filled on first use) the set holding each navigation property's
// targets. It is built in New and read without locks afterwards, except navSets.
type schemaIndex struct {
	colls     map[*entities.EntitySet]store.Coll
	sources   map[*entities.EntitySet][]store.Coll
	setOfType map[*entities.StructuredType]*entities.EntitySet
	navSets   sync.Map // *entities.NavigationProperty -> *entities.EntitySet (nil-able)
	// metadata returns the schema's CSDL document, written on first use.
	metadata func() ([]byte, error)
}

func newSchemaIndex(schema *entities.Schema) *schemaIndex {
	x := &schemaIndex{
		colls:     map[*entities.EntitySet]store.Coll{},
		sources:   map[*entities.EntitySet][]store.Coll{},
		setOfType: map[*entities.StructuredType]*entities.EntitySet{},
		metadata:  metadataDoc(schema),
	}
	sets := schema.EntitySets()
	for _, set := range sets {
		x.colls[set] = store.Set(set.Name)
		if _, ok := x.setOfType[set.Type()]; !ok {
			x.setOfType[set.Type()] = set
		}
	}
	// A set of a base type sees the entities of its derived types' sets.
	for _, set := range sets {
		src := []store.Coll{x.colls[set]}
		for _, other := range sets {
			if other != set && other.Type() != set.Type() && other.Type().IsA(set.Type()) {
				src = append(src, x.colls[other])
			}
		}
		x.sources[set] = src
	}
	return x
}

func (x *schemaIndex) setColl(set *entities.EntitySet) store.Coll { return x.colls[set] }

// targetSet returns the entity set that holds a non-contained navigation property's
// targets: one of exactly the target type, else one of a base type; nil if none.
func (x *schemaIndex) targetSet(n *entities.NavigationProperty) *entities.EntitySet {
	if v, ok := x.navSets.Load(n); ok {
		set, _ := v.(*entities.EntitySet)
		return set
	}
	var set *entities.EntitySet
	for t := n.Target(); t != nil && set == nil; t = t.Base() {
		set = x.setOfType[t]
	}
	x.navSets.Store(n, set)
	return set
}

// schemaCache returns the index of a schema the server serves.
func (s *Server) schemaCache(schema *entities.Schema) *schemaIndex { return s.indexes[schema] }
