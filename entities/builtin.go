package entities

import "fmt"

// GraphNamespace is the namespace of Microsoft Graph's types; its alias is "graph".
const GraphNamespace = "microsoft.graph"

// Builtin returns a new, resolved copy of the built-in schema for a Graph version
// ("v1.0" or "beta"). Each call returns a schema of its own.
//
// The built-in schema holds microsoft.graph.entity and the types of the seed documents,
// with entity sets for the types that Graph documents without a collection URI.
func Builtin(version string) (*Schema, error) {
	switch version {
	case "v1.0", "beta":
	default:
		return nil, fmt.Errorf("builtin schema: unknown version %q", version)
	}
	s := NewSchema(GraphNamespace)
	s.AddAlias("graph", GraphNamespace)
	types := []*StructuredType{
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
	for _, t := range types {
		if err := s.AddType(t); err != nil {
			return nil, err
		}
	}
	// Graph documents office365ServicesUserCounts without a collection URI: it gets an
	// entity set named after the type.
	if err := s.AddEntitySet("office365ServicesUserCounts", "microsoft.graph.office365ServicesUserCounts"); err != nil {
		return nil, err
	}
	if err := s.Resolve(); err != nil {
		return nil, err
	}
	return s, nil
}
