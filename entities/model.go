package entities

import (
	"fmt"
	"sort"
	"strings"
)

// NavigationProperty is a relationship from an entity type to another entity type.
type NavigationProperty struct {
	// Name is the property's name.
	Name string
	// Type is "namespace.type" for a single target or "Collection(namespace.type)".
	Type string
	// ContainsTarget marks containment: the targets live under their parent
	// (/users/{id}/messages) and are deleted with it.
	ContainsTarget bool
	// NotNull marks a single-valued relationship that is never absent.
	NotNull bool
	// Partner names the navigation property of the target that points back, or "".
	Partner string

	target     *StructuredType
	collection bool
}

// Target returns the target entity type. It is valid once the schema is resolved.
func (n *NavigationProperty) Target() *StructuredType { return n.target }

// IsCollection reports whether the relationship is collection-valued.
func (n *NavigationProperty) IsCollection() bool { return n.collection }

// NavigationBinding binds a navigation property path of an entity set or singleton to
// the entity set (or singleton, or containment path) that holds its targets.
type NavigationBinding struct {
	// Path is the navigation property path, possibly through a type cast:
	// "members", "microsoft.graph.agentIdentityBlueprint/sponsors".
	Path string
	// Target is the entity set or singleton name, possibly with a containment path:
	// "directoryObjects", "policies/appManagementPolicies".
	Target string
}

// Singleton is a single entity addressable at /{version}/{Name}, such as /me or /admin.
type Singleton struct {
	Name string
	// Type is the qualified name of the singleton's entity type.
	Type     string
	Bindings []NavigationBinding

	typ *StructuredType
}

// EntityType returns the singleton's entity type.
func (s *Singleton) EntityType() *StructuredType { return s.typ }

// OperationKind tells functions (GET, no side effects) from actions (POST).
type OperationKind uint8

// The kinds of operations.
const (
	Function OperationKind = iota + 1
	Action
)

func (k OperationKind) String() string {
	if k == Function {
		return "Function"
	}
	return "Action"
}

// Parameter is a parameter of an operation.
type Parameter struct {
	Name    string
	Type    string
	NotNull bool
}

// Operation is a function or an action, bound to a type (its first parameter) or not.
type Operation struct {
	Name          string
	Kind          OperationKind
	IsBound       bool
	IsComposable  bool
	EntitySetPath string
	// Parameters lists the parameters in order; for a bound operation the first is the
	// binding parameter.
	Parameters []Parameter
	// ReturnType is the return type as CSDL writes it, or "" for none.
	ReturnType string

	namespace string
	qualified string
}

// QualifiedName returns namespace.name.
func (o *Operation) QualifiedName() string { return o.qualified }

// Namespace returns the namespace the operation is declared in.
func (o *Operation) Namespace() string { return o.namespace }

// BindingType returns the binding parameter's type as written ("Collection(graph.user)"),
// or "" for an unbound operation.
func (o *Operation) BindingType() string {
	if !o.IsBound || len(o.Parameters) == 0 {
		return ""
	}
	return o.Parameters[0].Type
}

// OperationImport exposes an unbound operation at the service root.
type OperationImport struct {
	Name string
	Kind OperationKind
	// Operation is the qualified name of the imported function or action.
	Operation string
	EntitySet string
}

// NavigationProperty returns the named navigation property, declared or inherited, or nil.
func (t *StructuredType) NavigationProperty(name string) *NavigationProperty {
	i, ok := t.navIndex[name]
	if !ok {
		return nil
	}
	return t.allNav[i]
}

// AllNavigationProperties returns every navigation property of the type, inherited
// ones first. The slice must not be modified.
func (t *StructuredType) AllNavigationProperties() []*NavigationProperty { return t.allNav }

// Derived returns the types derived from t, directly or not, sorted by qualified name.
// The slice must not be modified.
func (t *StructuredType) Derived() []*StructuredType { return t.derived }

// resolveNavigation fills allNav and navIndex after resolveType filled the structural part.
func (s *Schema) resolveNavigation(t *StructuredType) error {
	if t.navIndex != nil {
		return nil
	}
	var inherited []*NavigationProperty
	if t.base != nil {
		if err := s.resolveNavigation(t.base); err != nil {
			return err
		}
		inherited = t.base.allNav
	}
	t.allNav = make([]*NavigationProperty, 0, len(inherited)+len(t.NavigationProperties))
	t.allNav = append(t.allNav, inherited...)
	t.navIndex = make(map[string]int, cap(t.allNav))
	for i, n := range inherited {
		t.navIndex[n.Name] = i
	}
	for _, n := range t.NavigationProperties {
		if n.Name == "" || strings.ContainsAny(n.Name, "@./") {
			return fmt.Errorf("schema: type %s: invalid navigation property name %q", t.qualified, n.Name)
		}
		if _, dup := t.navIndex[n.Name]; dup {
			return fmt.Errorf("schema: type %s: navigation property %s declared twice", t.qualified, n.Name)
		}
		if _, clash := t.index[n.Name]; clash {
			return fmt.Errorf("schema: type %s: %s is both a property and a navigation property", t.qualified, n.Name)
		}
		name, coll := n.Type, false
		if inner, ok := strings.CutPrefix(name, "Collection("); ok {
			name, coll = strings.TrimSuffix(inner, ")"), true
		}
		target := s.lookupStructured(name)
		if target == nil || target.Kind != KindEntity {
			return fmt.Errorf("schema: navigation property %s.%s: unknown entity type %q", t.qualified, n.Name, name)
		}
		n.target, n.collection = target, coll
		t.navIndex[n.Name] = len(t.allNav)
		t.allNav = append(t.allNav, n)
	}
	return nil
}

// AddSingleton adds a singleton of the named entity type.
func (s *Schema) AddSingleton(sg *Singleton) error {
	if s.resolved {
		return fmt.Errorf("schema: add singleton %s: schema already resolved", sg.Name)
	}
	if _, dup := s.singletons[sg.Name]; dup {
		return fmt.Errorf("schema: singleton %s declared twice", sg.Name)
	}
	if _, dup := s.sets[sg.Name]; dup {
		return fmt.Errorf("schema: %s is both an entity set and a singleton", sg.Name)
	}
	s.singletons[sg.Name] = sg
	s.singletonOrder = append(s.singletonOrder, sg)
	return nil
}

// AddOperation adds a function or action to the default namespace.
func (s *Schema) AddOperation(op *Operation) error { return s.AddOperationIn(s.namespace, op) }

// AddOperationIn adds a function or action to namespace. Operations may be overloaded:
// several may share a name, told apart by their binding type and parameters.
func (s *Schema) AddOperationIn(namespace string, op *Operation) error {
	if s.resolved {
		return fmt.Errorf("schema: add operation %s: schema already resolved", op.Name)
	}
	if op.Name == "" || (op.Kind != Function && op.Kind != Action) {
		return fmt.Errorf("schema: operation %q: needs a name and a kind", op.Name)
	}
	if op.IsBound && len(op.Parameters) == 0 {
		return fmt.Errorf("schema: bound operation %s has no binding parameter", op.Name)
	}
	op.namespace = namespace
	op.qualified = namespace + "." + op.Name
	s.operations = append(s.operations, op)
	return nil
}

// AddOperationImport exposes an unbound operation at the service root.
func (s *Schema) AddOperationImport(imp OperationImport) error {
	if s.resolved {
		return fmt.Errorf("schema: add operation import %s: schema already resolved", imp.Name)
	}
	s.imports = append(s.imports, imp)
	return nil
}

// resolveContainer links singletons, bindings and bound operations; called by Resolve.
func (s *Schema) resolveContainer() error {
	for _, sg := range s.singletonOrder {
		t := s.lookupStructured(sg.Type)
		if t == nil || t.Kind != KindEntity {
			return fmt.Errorf("schema: singleton %s: unknown entity type %q", sg.Name, sg.Type)
		}
		sg.typ = t
	}
	s.bound = map[*StructuredType][]*Operation{}
	s.boundColl = map[*StructuredType][]*Operation{}
	for _, op := range s.operations {
		if !op.IsBound {
			continue
		}
		name, coll := op.Parameters[0].Type, false
		if inner, ok := strings.CutPrefix(name, "Collection("); ok {
			name, coll = strings.TrimSuffix(inner, ")"), true
		}
		t := s.lookupStructured(name)
		if t == nil {
			// Operations bound to primitive or unknown types are kept but not routed.
			continue
		}
		if coll {
			s.boundColl[t] = append(s.boundColl[t], op)
		} else {
			s.bound[t] = append(s.bound[t], op)
		}
	}
	// Derived type lists, for cast segments and @odata.type checks.
	for _, t := range s.structured {
		for b := t.base; b != nil; b = b.base {
			b.derived = append(b.derived, t)
		}
	}
	for _, t := range s.structured {
		sort.Slice(t.derived, func(i, j int) bool { return t.derived[i].qualified < t.derived[j].qualified })
	}
	return nil
}

// Singleton returns the named singleton, or nil.
func (s *Schema) Singleton(name string) *Singleton { return s.singletons[name] }

// Singletons returns the singletons in declaration order. The slice must not be modified.
func (s *Schema) Singletons() []*Singleton { return s.singletonOrder }

// Operations returns every function and action in declaration order. The slice must not
// be modified.
func (s *Schema) Operations() []*Operation { return s.operations }

// OperationImports returns the operation imports of the container.
func (s *Schema) OperationImports() []OperationImport { return s.imports }

// BoundOperations returns the operations named name (qualified or not) bound to t or to
// a base type of t; collection selects those bound to a collection of t.
func (s *Schema) BoundOperations(t *StructuredType, collection bool, name string) []*Operation {
	var out []*Operation
	byType := s.bound
	if collection {
		byType = s.boundColl
	}
	qualified := name
	if strings.IndexByte(name, '.') >= 0 {
		qualified = s.canonical(name)
	}
	for c := t; c != nil; c = c.base {
		for _, op := range byType[c] {
			if op.Name == name || op.qualified == name || op.qualified == qualified {
				out = append(out, op)
			}
		}
	}
	return out
}

// StructuredTypes returns every entity and complex type sorted by qualified name.
func (s *Schema) StructuredTypes() []*StructuredType {
	out := make([]*StructuredType, 0, len(s.structured))
	for _, t := range s.structured {
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].qualified < out[j].qualified })
	return out
}

// Enums returns every enumeration type sorted by qualified name.
func (s *Schema) Enums() []*EnumType {
	out := make([]*EnumType, 0, len(s.enums))
	for _, e := range s.enums {
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].qualified < out[j].qualified })
	return out
}

// Aliases returns a copy of the alias -> namespace map.
func (s *Schema) Aliases() map[string]string {
	out := make(map[string]string, len(s.aliases))
	for k, v := range s.aliases {
		out[k] = v
	}
	return out
}

// ContainerName returns the entity container's name ("GraphService" by default).
func (s *Schema) ContainerName() string {
	if s.container == "" {
		return "GraphService"
	}
	return s.container
}

// SetContainerName names the entity container.
func (s *Schema) SetContainerName(name string) { s.container = name }

// CanonicalType returns a type name as CSDL writes it with an alias-qualified (or
// '#'-prefixed) name replaced by its namespace-qualified form, inside Collection(...) too:
// with the alias "graph", "Collection(graph.user)" becomes "Collection(microsoft.graph.user)".
// Primitive and unknown names come back unchanged.
func (s *Schema) CanonicalType(typ string) string {
	if inner, ok := strings.CutPrefix(typ, "Collection("); ok {
		if inner, ok = strings.CutSuffix(inner, ")"); ok {
			if c := s.canonical(inner); c != inner {
				return "Collection(" + c + ")"
			}
			return typ
		}
	}
	return s.canonical(typ)
}

// Namespace returns the namespace the enumeration type is declared in.
func (e *EnumType) Namespace() string { return e.namespace }
