package entities

import (
	"fmt"
	"sort"
	"strings"
)

// Kind tells a structured type's kind.
type Kind uint8

// The kinds of structured types.
const (
	KindEntity Kind = iota + 1
	KindComplex
)

func (k Kind) String() string {
	switch k {
	case KindEntity:
		return "entity"
	case KindComplex:
		return "complex"
	}
	return "unknown"
}

// Property is one structural property of an entity or complex type.
type Property struct {
	// Name is the property's name as it appears in JSON.
	Name string
	// Type is the property's type as CSDL writes it: "Edm.Int64",
	// "microsoft.graph.identitySet", "Collection(Edm.String)".
	Type string
	// NotNull marks a property that may not be null (CSDL Nullable="false").
	NotNull bool
	// ReadOnly marks a property that clients may not set; checked under strict validation.
	ReadOnly bool
	// Required marks a property that a create must carry; checked under strict validation.
	Required bool

	ref TypeRef
}

// Ref returns the property's resolved type. It is valid once the schema is resolved.
func (p *Property) Ref() TypeRef { return p.ref }

// TypeRef is a resolved property type: a primitive, enum or complex type, possibly a collection.
type TypeRef struct {
	Collection bool
	Primitive  Primitive       // set for Edm types
	Enum       *EnumType       // set for enum types
	Structured *StructuredType // set for complex (or entity) types
	name       string          // element type name as written
}

// Name returns the element type's name as written in the schema ("Edm.Int64").
func (r TypeRef) Name() string { return r.name }

// String returns the type as CSDL writes it.
func (r TypeRef) String() string {
	if r.Collection {
		return "Collection(" + r.name + ")"
	}
	return r.name
}

// StructuredType is an entity type or a complex type.
type StructuredType struct {
	// Name is the simple name, e.g. "user".
	Name string
	// Kind is KindEntity or KindComplex.
	Kind Kind
	// BaseType is the qualified name of the base type, or "".
	BaseType string
	// Abstract types cannot be instantiated.
	Abstract bool
	// Open types accept properties they do not declare.
	Open bool
	// Key lists the key property names declared on this type (entity types; inherited when empty).
	Key []string
	// AlternateKeys names the properties that are alternate keys of this type (the
	// single-property keys of an Org.OData.Core.V1.AlternateKeys annotation), in schema
	// order; derived types inherit them.
	AlternateKeys []string
	// Properties lists the properties this type declares, in schema order.
	Properties []*Property
	// NavigationProperties lists the navigation properties this type declares.
	NavigationProperties []*NavigationProperty

	namespace string
	qualified string
	base      *StructuredType
	all       []*Property
	index     map[string]int
	key       *Property
	allNav    []*NavigationProperty
	navIndex  map[string]int
	derived   []*StructuredType
	// foldMembers is the schema's folded member names (see PropertyFold).
	foldMembers map[string][]string
}

// AlternateKey returns the property that the alternate key named name (ignoring
// case) stands for, declared on t or a base type, or nil.
func (t *StructuredType) AlternateKey(name string) *Property {
	for at := t; at != nil; at = at.base {
		for _, k := range at.AlternateKeys {
			if strings.EqualFold(k, name) {
				p, _ := t.Property(k)
				return p
			}
		}
	}
	return nil
}

// QualifiedName returns namespace.name, e.g. "microsoft.graph.user".
func (t *StructuredType) QualifiedName() string { return t.qualified }

// Namespace returns the namespace the type is declared in.
func (t *StructuredType) Namespace() string { return t.namespace }

// Base returns the base type, or nil.
func (t *StructuredType) Base() *StructuredType { return t.base }

// AllProperties returns every property of the type, inherited ones first, in schema order.
// The slice must not be modified.
func (t *StructuredType) AllProperties() []*Property { return t.all }

// Property returns the named property (declared or inherited) and its position in
// AllProperties, or nil and -1.
func (t *StructuredType) Property(name string) (*Property, int) {
	i, ok := t.index[name]
	if !ok {
		return nil, -1
	}
	return t.all[i], i
}

// KeyProperty returns the single key property of an entity type (inherited when not declared).
func (t *StructuredType) KeyProperty() *Property { return t.key }

// IsA reports whether t is other or derives from it.
func (t *StructuredType) IsA(other *StructuredType) bool {
	for c := t; c != nil; c = c.base {
		if c == other {
			return true
		}
	}
	return false
}

// EnumType is an enumeration type.
type EnumType struct {
	Name    string
	Flags   bool
	Members []string
	// Values holds each member's value, Values[i] for Members[i]; nil means 0, 1, 2, ...
	Values []int64

	namespace string
	qualified string
	members   map[string]struct{}
}

// QualifiedName returns namespace.name.
func (e *EnumType) QualifiedName() string { return e.qualified }

// HasMember reports whether name is a member of the enumeration.
func (e *EnumType) HasMember(name string) bool {
	_, ok := e.members[name]
	return ok
}

// MemberFold returns the member whose name equals name ignoring case, in the schema's
// spelling, as Graph matches enumeration values in request bodies ("Low" is low).
func (e *EnumType) MemberFold(name string) (string, bool) {
	if _, ok := e.members[name]; ok {
		return name, true
	}
	for _, m := range e.Members {
		if strings.EqualFold(m, name) {
			return m, true
		}
	}
	return "", false
}

// EntitySet is a collection of entities of one type, addressable at /{version}/{Name}.
type EntitySet struct {
	Name string
	// EntityType is the qualified name of the set's entity type.
	EntityType string
	// Bindings tell which entity set holds the targets of each navigation property.
	Bindings []NavigationBinding

	typ *StructuredType
}

// Type returns the set's entity type.
func (s *EntitySet) Type() *StructuredType { return s.typ }

// Schema is a set of types in one or more namespaces and the entity sets of a service.
// Build one with NewSchema and the Add methods, then call Resolve; a resolved schema is
// immutable and safe for concurrent use.
type Schema struct {
	namespace  string
	aliases    map[string]string // alias -> namespace
	structured map[string]*StructuredType
	enums      map[string]*EnumType
	sets       map[string]*EntitySet
	setOrder   []*EntitySet
	resolved   bool

	singletons     map[string]*Singleton
	singletonOrder []*Singleton
	operations     []*Operation
	imports        []OperationImport
	bound          map[*StructuredType][]*Operation // by binding type
	boundColl      map[*StructuredType][]*Operation // by collection binding type
	container      string
	fold           *foldIndex // built by Resolve, for the *Fold lookups
}

// NewSchema returns an empty schema whose default namespace is namespace
// (types added without a namespace land there).
func NewSchema(namespace string) *Schema {
	return &Schema{
		namespace:  namespace,
		aliases:    map[string]string{},
		structured: map[string]*StructuredType{},
		enums:      map[string]*EnumType{},
		sets:       map[string]*EntitySet{},
		singletons: map[string]*Singleton{},
	}
}

// Namespace returns the schema's default namespace.
func (s *Schema) Namespace() string { return s.namespace }

// AddAlias lets alias stand for namespace in qualified names ("graph" for "microsoft.graph").
func (s *Schema) AddAlias(alias, namespace string) { s.aliases[alias] = namespace }

// AddType adds an entity or complex type to the default namespace.
func (s *Schema) AddType(t *StructuredType) error { return s.AddTypeIn(s.namespace, t) }

// AddTypeIn adds an entity or complex type to namespace.
func (s *Schema) AddTypeIn(namespace string, t *StructuredType) error {
	if s.resolved {
		return fmt.Errorf("schema: add type %s: schema already resolved", t.Name)
	}
	if t.Name == "" {
		return fmt.Errorf("schema: type without a name")
	}
	if t.Kind != KindEntity && t.Kind != KindComplex {
		return fmt.Errorf("schema: type %s: kind must be entity or complex", t.Name)
	}
	t.namespace = namespace
	t.qualified = namespace + "." + t.Name
	if _, dup := s.structured[t.qualified]; dup {
		return fmt.Errorf("schema: type %s declared twice", t.qualified)
	}
	s.structured[t.qualified] = t
	return nil
}

// AddEnum adds an enumeration type to the default namespace.
func (s *Schema) AddEnum(e *EnumType) error { return s.AddEnumIn(s.namespace, e) }

// AddEnumIn adds an enumeration type to namespace.
func (s *Schema) AddEnumIn(namespace string, e *EnumType) error {
	if s.resolved {
		return fmt.Errorf("schema: add enum %s: schema already resolved", e.Name)
	}
	e.namespace = namespace
	e.qualified = namespace + "." + e.Name
	if _, dup := s.enums[e.qualified]; dup {
		return fmt.Errorf("schema: enum %s declared twice", e.qualified)
	}
	e.members = make(map[string]struct{}, len(e.Members))
	for _, m := range e.Members {
		e.members[m] = struct{}{}
	}
	s.enums[e.qualified] = e
	return nil
}

// AddEntitySet adds an entity set of the named entity type.
func (s *Schema) AddEntitySet(name, entityType string) error {
	return s.AddEntitySetWith(&EntitySet{Name: name, EntityType: entityType})
}

// AddEntitySetWith adds an entity set with its navigation bindings.
func (s *Schema) AddEntitySetWith(es *EntitySet) error {
	if s.resolved {
		return fmt.Errorf("schema: add entity set %s: schema already resolved", es.Name)
	}
	if _, dup := s.sets[es.Name]; dup {
		return fmt.Errorf("schema: entity set %s declared twice", es.Name)
	}
	if _, dup := s.singletons[es.Name]; dup {
		return fmt.Errorf("schema: %s is both an entity set and a singleton", es.Name)
	}
	s.sets[es.Name] = es
	s.setOrder = append(s.setOrder, es)
	return nil
}

// Resolve links base types, property types, keys and entity sets, and reports the
// first inconsistency. After Resolve the schema must not be changed.
func (s *Schema) Resolve() error {
	if s.resolved {
		return nil
	}
	names := make([]string, 0, len(s.structured))
	for n := range s.structured {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if err := s.resolveType(s.structured[n], 0); err != nil {
			return err
		}
	}
	for _, n := range names {
		t := s.structured[n]
		for _, p := range t.Properties {
			ref, err := s.resolveRef(p.Type)
			if err != nil {
				return fmt.Errorf("schema: property %s.%s: %w", t.qualified, p.Name, err)
			}
			p.ref = ref
		}
	}
	for _, n := range names {
		if err := s.resolveNavigation(s.structured[n]); err != nil {
			return err
		}
	}
	if err := s.resolveContainer(); err != nil {
		return err
	}
	for _, es := range s.setOrder {
		t := s.lookupStructured(es.EntityType)
		if t == nil || t.Kind != KindEntity {
			return fmt.Errorf("schema: entity set %s: unknown entity type %q", es.Name, es.EntityType)
		}
		if t.key == nil {
			return fmt.Errorf("schema: entity set %s: type %s has no key", es.Name, t.qualified)
		}
		es.typ = t
	}
	s.buildFoldIndex()
	s.resolved = true
	return nil
}

// resolveType fills base, all, index and key, resolving base types first.
func (s *Schema) resolveType(t *StructuredType, depth int) error {
	if t.index != nil {
		return nil
	}
	if depth > 64 {
		return fmt.Errorf("schema: type %s: base type chain too deep or cyclic", t.qualified)
	}
	var inherited []*Property
	if t.BaseType != "" {
		b := s.lookupStructured(t.BaseType)
		if b == nil {
			return fmt.Errorf("schema: type %s: unknown base type %q", t.qualified, t.BaseType)
		}
		if b.Kind != t.Kind {
			return fmt.Errorf("schema: type %s: base type %s is of another kind", t.qualified, b.qualified)
		}
		if err := s.resolveType(b, depth+1); err != nil {
			return err
		}
		t.base = b
		inherited = b.all
		t.key = b.key
	}
	t.all = make([]*Property, 0, len(inherited)+len(t.Properties))
	t.all = append(t.all, inherited...)
	t.index = make(map[string]int, cap(t.all))
	for i, p := range inherited {
		t.index[p.Name] = i
	}
	for _, p := range t.Properties {
		if p.Name == "" || strings.ContainsAny(p.Name, "@.") {
			return fmt.Errorf("schema: type %s: invalid property name %q", t.qualified, p.Name)
		}
		if _, dup := t.index[p.Name]; dup {
			return fmt.Errorf("schema: type %s: property %s declared twice", t.qualified, p.Name)
		}
		t.index[p.Name] = len(t.all)
		t.all = append(t.all, p)
	}
	if len(t.Key) > 1 {
		return fmt.Errorf("schema: type %s: composite keys are not supported", t.qualified)
	}
	if len(t.Key) == 1 {
		i, ok := t.index[t.Key[0]]
		if !ok {
			return fmt.Errorf("schema: type %s: key property %s not declared", t.qualified, t.Key[0])
		}
		t.key = t.all[i]
	}
	return nil
}

func (s *Schema) resolveRef(typ string) (TypeRef, error) {
	var r TypeRef
	if inner, ok := strings.CutPrefix(typ, "Collection("); ok {
		inner, ok = strings.CutSuffix(inner, ")")
		if !ok {
			return r, fmt.Errorf("malformed type %q", typ)
		}
		r.Collection = true
		typ = inner
	}
	r.name = typ
	if p, ok := primitiveByName[typ]; ok {
		r.Primitive = p
		return r, nil
	}
	if t := s.lookupStructured(typ); t != nil {
		r.Structured = t
		return r, nil
	}
	if e := s.lookupEnum(typ); e != nil {
		r.Enum = e
		return r, nil
	}
	return r, fmt.Errorf("unknown type %q", typ)
}

// canonical turns an alias-qualified or '#'-prefixed name into namespace.name.
func (s *Schema) canonical(name string) string {
	name = strings.TrimPrefix(name, "#")
	if i := strings.LastIndexByte(name, '.'); i > 0 {
		if ns, ok := s.aliases[name[:i]]; ok {
			return ns + name[i:]
		}
	}
	return name
}

func (s *Schema) lookupStructured(name string) *StructuredType {
	if t, ok := s.structured[name]; ok {
		return t
	}
	return s.structured[s.canonical(name)]
}

func (s *Schema) lookupEnum(name string) *EnumType {
	if e, ok := s.enums[name]; ok {
		return e
	}
	return s.enums[s.canonical(name)]
}

// EntityType returns the entity type with the given qualified name (namespace or alias
// qualified, with or without a leading '#'), or nil.
func (s *Schema) EntityType(name string) *StructuredType {
	if t := s.lookupStructured(name); t != nil && t.Kind == KindEntity {
		return t
	}
	return nil
}

// ComplexType returns the complex type with the given qualified name, or nil.
func (s *Schema) ComplexType(name string) *StructuredType {
	if t := s.lookupStructured(name); t != nil && t.Kind == KindComplex {
		return t
	}
	return nil
}

// StructuredType returns the entity or complex type with the given qualified name, or nil.
func (s *Schema) StructuredType(name string) *StructuredType { return s.lookupStructured(name) }

// Enum returns the enumeration type with the given qualified name, or nil.
func (s *Schema) Enum(name string) *EnumType { return s.lookupEnum(name) }

// EntitySet returns the named entity set, or nil.
func (s *Schema) EntitySet(name string) *EntitySet { return s.sets[name] }

// EntitySets returns the entity sets in declaration order. The slice must not be modified.
func (s *Schema) EntitySets() []*EntitySet { return s.setOrder }
