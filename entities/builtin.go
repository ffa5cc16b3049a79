package entities

import "fmt"

// GraphNamespace is the namespace of Microsoft Graph's types; its alias is "graph".
const GraphNamespace = "microsoft.graph"

// Builtin returns a new, resolved copy of the built-in schema for a Graph version
// ("v1.0" or "beta"). Each call returns a schema of its own.
//
// The built-in schema holds microsoft.graph.entity and the types of the seed documents,
// with entity sets for the types that Graph documents without a collection URI.
func Builtin(version string) (*Schema, error) { return BuiltinWith(version, nil) }

// BuiltinWith is Builtin with extend called on the schema before it is resolved, to
// add types or entity sets (see Expose); a nil extend adds nothing.
func BuiltinWith(version string, extend func(*Schema) error) (*Schema, error) {
	switch version {
	case "v1.0", "beta":
	default:
		return nil, fmt.Errorf("builtin schema: unknown version %q", version)
	}
	s := NewSchema(GraphNamespace)
	s.AddAlias("graph", GraphNamespace)
	if err := AddBuiltins(s); err != nil {
		return nil, err
	}
	if extend != nil {
		if err := extend(s); err != nil {
			return nil, err
		}
	}
	if err := s.Resolve(); err != nil {
		return nil, err
	}
	return s, nil
}

// AddBuiltins adds the built-in types to an unresolved schema where it lacks them, and
// an entity set for each type Graph documents without a collection URI where the schema
// has no set of that name. A schema loaded from Graph's CSDL gets what the seed documents
// need this way: v1.0 lacks office365ServicesUserCounts, beta has the type but no set.
func AddBuiltins(s *Schema) error {
	for _, t := range builtinTypes() {
		if s.lookupStructured(GraphNamespace+"."+t.Name) != nil {
			continue
		}
		if err := s.AddTypeIn(GraphNamespace, t); err != nil {
			return err
		}
	}
	for _, name := range []string{"office365ServicesUserCounts"} {
		if err := s.Expose(GraphNamespace+"."+name, ""); err != nil {
			return err
		}
	}
	return nil
}

// Expose gives the entity type typeName an entity set of its own, named setName or, when
// setName is empty, after the type. It does nothing when a set of that name exists.
// Call it before Resolve.
func (s *Schema) Expose(typeName, setName string) error {
	t := s.lookupStructured(typeName)
	if t == nil || t.Kind != KindEntity {
		return fmt.Errorf("schema: expose %s: no such entity type", typeName)
	}
	if setName == "" {
		setName = t.Name
	}
	if s.sets[setName] != nil {
		return nil
	}
	return s.AddEntitySet(setName, t.qualified)
}

// builtinTypes returns new copies of the built-in types: microsoft.graph.entity and the
// types of the seed documents.
func builtinTypes() []*StructuredType {
	return []*StructuredType{
		{
			Name:     "entity",
			Kind:     KindEntity,
			Abstract: true,
			Key:      []string{"id"},
			Properties: []*Property{
				{Name: "id", Type: "Edm.String", NotNull: true},
			},
		},
		{
			Name:     "office365ServicesUserCounts",
			Kind:     KindEntity,
			BaseType: "microsoft.graph.entity",
			Properties: []*Property{
				{Name: "reportRefreshDate", Type: "Edm.Date"},
				{Name: "exchangeActive", Type: "Edm.Int64"},
				{Name: "exchangeInactive", Type: "Edm.Int64"},
				{Name: "oneDriveActive", Type: "Edm.Int64"},
				{Name: "oneDriveInactive", Type: "Edm.Int64"},
				{Name: "sharePointActive", Type: "Edm.Int64"},
				{Name: "sharePointInactive", Type: "Edm.Int64"},
				{Name: "skypeForBusinessActive", Type: "Edm.Int64"},
				{Name: "skypeForBusinessInactive", Type: "Edm.Int64"},
				{Name: "yammerActive", Type: "Edm.Int64"},
				{Name: "yammerInactive", Type: "Edm.Int64"},
				{Name: "teamsActive", Type: "Edm.Int64"},
				{Name: "teamsInactive", Type: "Edm.Int64"},
				{Name: "office365Active", Type: "Edm.Int64"},
				{Name: "office365Inactive", Type: "Edm.Int64"},
				{Name: "reportPeriod", Type: "Edm.String"},
			},
		},
	}
}
