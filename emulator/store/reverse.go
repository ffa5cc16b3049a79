package store

// ReverseRefs is an optional capability of a View (and so of a Tx): finding the
// references to an entity without scanning every reference collection. Callers discover
// it by a type assertion on the View they were given; a store without it is read by
// scanning the reference collections instead.
type ReverseRefs interface {
	// RefsTo calls fn with each reference collection that holds a reference to the
	// entity with key id in c, until fn returns false. The order is unspecified. In a
	// Tx, fn may read but must not change the references to that entity.
	RefsTo(c Coll, id string, fn func(holder Coll) bool)
}

var (
	_ ReverseRefs = view{}
	_ ReverseRefs = (*memTx)(nil)
	_ ReverseRefs = emptyView{}
)

// RefsTo implements ReverseRefs from the index the memory store keeps for cascading
// deletes.
func (v view) RefsTo(c Coll, id string, fn func(holder Coll) bool) {
	if c.p == nil {
		return
	}
	for mc := range v.t.refsTo[entityKey(c, id)] {
		if r, ok := mc.byID[id]; !ok || !r.target.Equal(c) {
			continue
		}
		if !fn(mc.c) {
			return
		}
	}
}

// RefsTo implements ReverseRefs: a tenant never written holds no references.
func (emptyView) RefsTo(Coll, string, func(Coll) bool) {}
