package entities

import (
	"strings"
	"unicode/utf8"
)

// Case-insensitive lookups. Graph resolves the names in a URL path without regard to case
// (/Users, /me/MailFolders, /users/{id}/memberOf/Microsoft.Graph.Group): the *Fold methods
// below try the exact spelling first, as fast as the exact lookups, and only then the
// folded one, from indexes built once by Resolve. Names that differ only in case are both
// reachable by their exact spelling; folded, they match nothing.

// foldIndex holds a resolved schema's names by their folded form. A nil value in a map
// marks a folded name that more than one declared name shares.
type foldIndex struct {
	sets       map[string]*EntitySet
	singletons map[string]*Singleton
	types      map[string]*StructuredType // by folded namespace-qualified name
	aliases    map[string]string          // folded alias -> namespace
	// members maps a folded property or navigation property name to the spellings
	// declared in the schema; each type looks them up in its own indexes.
	members map[string][]string
}

// appendFold appends the folded form of name to dst: ASCII letters lowered (without
// allocating when dst has room), other text through strings.ToLower.
func appendFold(dst []byte, name string) []byte {
	start := len(dst)
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c >= utf8.RuneSelf {
			return append(dst[:start], strings.ToLower(name)...)
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		dst = append(dst, c)
	}
	return dst
}

// fold returns the folded form of name, name itself when it is folded already.
func fold(name string) string {
	for i := 0; i < len(name); i++ {
		if c := name[i]; c >= utf8.RuneSelf || 'A' <= c && c <= 'Z' {
			return string(appendFold(make([]byte, 0, len(name)), name))
		}
	}
	return name
}

// addFold adds v under key, or marks key ambiguous when another value holds it.
func addFold[V comparable](m map[string]V, key string, v V) {
	var zero V
	if prev, ok := m[key]; ok && prev != v {
		m[key] = zero
		return
	}
	m[key] = v
}

// buildFoldIndex fills s.fold and each type's member index; called by Resolve.
func (s *Schema) buildFoldIndex() {
	f := &foldIndex{
		sets:       make(map[string]*EntitySet, len(s.setOrder)),
		singletons: make(map[string]*Singleton, len(s.singletonOrder)),
		types:      make(map[string]*StructuredType, len(s.structured)),
		aliases:    make(map[string]string, len(s.aliases)),
		members:    map[string][]string{},
	}
	for _, es := range s.setOrder {
		addFold(f.sets, fold(es.Name), es)
	}
	for _, sg := range s.singletonOrder {
		addFold(f.singletons, fold(sg.Name), sg)
	}
	for alias, ns := range s.aliases {
		addFold(f.aliases, fold(alias), ns)
	}
	member := func(name string) {
		k := fold(name)
		spellings := f.members[k]
		for _, sp := range spellings {
			if sp == name {
				return
			}
		}
		f.members[k] = append(spellings, name)
	}
	for q, t := range s.structured {
		addFold(f.types, fold(q), t)
		for _, p := range t.Properties {
			member(p.Name)
		}
		for _, n := range t.NavigationProperties {
			member(n.Name)
		}
	}
	for _, t := range s.structured {
		t.foldMembers = f.members
	}
	s.fold = f
}

// foldBuf is the size of the stack buffer a folded name is built in.
const foldBuf = 64

// EntitySetFold returns the entity set named name, ignoring case, or nil.
func (s *Schema) EntitySetFold(name string) *EntitySet {
	if es := s.sets[name]; es != nil || s.fold == nil {
		return es
	}
	var buf [foldBuf]byte
	return s.fold.sets[string(appendFold(buf[:0], name))]
}

// SingletonFold returns the singleton named name, ignoring case, or nil.
func (s *Schema) SingletonFold(name string) *Singleton {
	if sg := s.singletons[name]; sg != nil || s.fold == nil {
		return sg
	}
	var buf [foldBuf]byte
	return s.fold.singletons[string(appendFold(buf[:0], name))]
}

// EntityTypeFold is EntityType ignoring case, in the namespace or alias as in the name:
// "Microsoft.Graph.Group" and "Graph.Group" name microsoft.graph.group.
func (s *Schema) EntityTypeFold(name string) *StructuredType {
	if t := s.EntityType(name); t != nil || s.fold == nil {
		return t
	}
	name = strings.TrimPrefix(name, "#")
	var buf [foldBuf]byte
	t := s.fold.types[string(appendFold(buf[:0], name))]
	if t == nil {
		i := strings.LastIndexByte(name, '.')
		if i <= 0 {
			return nil
		}
		ns, ok := s.fold.aliases[string(appendFold(buf[:0], name[:i]))]
		if !ok || ns == "" {
			return nil
		}
		t = s.fold.types[string(appendFold(appendFold(buf[:0], ns), name[i:]))]
	}
	if t == nil || t.Kind != KindEntity {
		return nil
	}
	return t
}

// OperationImportFold returns the operation import named name, ignoring case.
func (s *Schema) OperationImportFold(name string) (OperationImport, bool) {
	for _, imp := range s.imports {
		if imp.Name == name {
			return imp, true
		}
	}
	var found OperationImport
	ok := false
	for _, imp := range s.imports {
		if strings.EqualFold(imp.Name, name) {
			if ok && imp.Name != found.Name {
				return OperationImport{}, false
			}
			found, ok = imp, true
		}
	}
	return found, ok
}

// BoundOperationsFold is BoundOperations ignoring case, in the operation's name and in
// its namespace or alias: "RevokeSignInSessions", "Microsoft.Graph.revokeSignInSessions".
// Operations whose names differ only in case are found only by their exact spelling.
func (s *Schema) BoundOperationsFold(t *StructuredType, collection bool, name string) []*Operation {
	if ops := s.BoundOperations(t, collection, name); len(ops) > 0 {
		return ops
	}
	byType := s.bound
	if collection {
		byType = s.boundColl
	}
	qualifier, simple := "", name
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		qualifier, simple = name[:i], name[i+1:]
	}
	var out []*Operation
	for c := t; c != nil; c = c.base {
		for _, op := range byType[c] {
			if !strings.EqualFold(op.Name, simple) || qualifier != "" && !s.namespaceFold(op.namespace, qualifier) {
				continue
			}
			if len(out) > 0 && out[0].Name != op.Name {
				return nil
			}
			out = append(out, op)
		}
	}
	return out
}

// namespaceFold reports whether qualifier names namespace, or an alias of it, ignoring case.
func (s *Schema) namespaceFold(namespace, qualifier string) bool {
	if strings.EqualFold(namespace, qualifier) {
		return true
	}
	if s.fold == nil {
		return false
	}
	var buf [foldBuf]byte
	ns, ok := s.fold.aliases[string(appendFold(buf[:0], qualifier))]
	return ok && ns == namespace
}

// PropertyFold is Property ignoring case.
func (t *StructuredType) PropertyFold(name string) (*Property, int) {
	if p, i := t.Property(name); p != nil {
		return p, i
	}
	var buf [foldBuf]byte
	var found *Property
	at := -1
	for _, spelling := range t.foldMembers[string(appendFold(buf[:0], name))] {
		if p, i := t.Property(spelling); p != nil {
			if found != nil {
				return nil, -1
			}
			found, at = p, i
		}
	}
	return found, at
}

// NavigationFold is NavigationProperty ignoring case.
func (t *StructuredType) NavigationFold(name string) *NavigationProperty {
	if n := t.NavigationProperty(name); n != nil {
		return n
	}
	var buf [foldBuf]byte
	var found *NavigationProperty
	for _, spelling := range t.foldMembers[string(appendFold(buf[:0], name))] {
		if n := t.NavigationProperty(spelling); n != nil {
			if found != nil {
				return nil
			}
			found = n
		}
	}
	return found
}
