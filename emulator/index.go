package emulator

import (
	"slices"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/tidwall/gjson"

	"github.com/graph-emulator/graph-emulator/emulator/behavior"
	"github.com/graph-emulator/graph-emulator/emulator/store"
	"github.com/graph-emulator/graph-emulator/entities"
)

// Unique values, indexed. Uniqueness (a user's userPrincipalName, an application's
// appId and identifierUris) is checked inside the write that stores an entity, and
// alternate keys (/users/{upn}, /applications(appId='…')) are looked up on every request
// that names one: against a store that keeps an index (store.Indexing), both find the
// entities holding a value without reading the whole collection. The index holds, for
// each entity, the values of its type's unique properties and alternate keys, folded as
// strings.EqualFold compares them; a property the index does not cover (a rule of a set's
// own profile) is still checked by a scan.

// uniqueIndex is what the server indexes, per type name: the properties (see
// uniqueProps).
type uniqueIndex struct {
	on    bool     // the store indexes what indexKeys says
	props sync.Map // type name -> []string
}

// indexStore gives st the server's indexer.
func (s *Server) indexStore(st store.Indexing) {
	s.unique.on = true
	st.SetIndexer(s.indexKeys)
}

// uniqueProps returns the properties indexed for entities of the type named typeName:
// those Graph's data makes unique, under every version served, and the type's alternate
// keys.
func (s *Server) uniqueProps(typeName string) []string {
	if p, ok := s.unique.props.Load(typeName); ok {
		return p.([]string)
	}
	var props []string
	add := func(names ...string) {
		for _, n := range names {
			if !slices.Contains(props, n) {
				props = append(props, n)
			}
		}
	}
	for _, v := range s.versions() {
		t := s.cfg.schemas[v].EntityType(typeName)
		if t == nil {
			continue
		}
		add(s.behavior.UniqueProperties(v, t)...)
		for at := t; at != nil; at = at.Base() {
			add(at.AlternateKeys...)
		}
	}
	p, _ := s.unique.props.LoadOrStore(typeName, props)
	return p.([]string)
}

// indexKeys is the server's store.Indexer: a key per value of the body's unique
// properties.
func (s *Server) indexKeys(typeName string, body []byte) []string {
	var keys []string
	for _, p := range s.uniqueProps(typeName) {
		for _, v := range behavior.StringValues(gjson.GetBytes(body, gjson.Escape(p))) {
			keys = append(keys, indexKey(p, v))
		}
	}
	return keys
}

// indexedOn reports whether the store's index covers property prop of type t (and so of
// the types derived from it, which inherit its rules).
func (s *Server) indexedOn(t *entities.StructuredType, prop string) bool {
	return s.unique.on && t != nil && slices.Contains(s.uniqueProps(t.QualifiedName()), prop)
}

// indexKey is the key of a property's value: its name and the value folded, so that
// values strings.EqualFold finds equal have the same key.
func indexKey(prop, value string) string {
	b := make([]byte, 0, len(prop)+1+len(value))
	b = append(append(b, prop...), 0)
	for _, r := range value {
		if r < utf8.RuneSelf {
			if 'a' <= r && r <= 'z' {
				r -= 'a' - 'A'
			}
			b = append(b, byte(r))
			continue
		}
		// The smallest rune of its case-folding orbit stands for all of them.
		m := r
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			m = min(m, f)
		}
		b = utf8.AppendRune(b, m)
	}
	return string(b)
}

// lookupUnique calls fn with the entities of c whose property prop holds value (any
// case), from the store's index; it reports false, calling nothing, when the store
// keeps none.
func lookupUnique(v store.View, c store.Coll, prop, value string, fn func(store.Entity) bool) bool {
	iv, ok := v.(store.IndexView)
	if !ok {
		return false
	}
	return iv.Lookup(c, indexKey(prop, value), func(id string) bool {
		e, err := v.Get(c, id)
		if err != nil {
			return true
		}
		return fn(e)
	})
}
