package behavior_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"testing"

	"github.com/graph-emulator/graph-emulator/emulator/behavior"
	"github.com/graph-emulator/graph-emulator/entities"
	"github.com/graph-emulator/graph-emulator/odata"
)

// schema is a small directory: user derives from directoryObject; note does not.
func schema(t *testing.T) *entities.Schema {
	t.Helper()
	s := entities.NewSchema("microsoft.graph")
	str := func(n string) *entities.Property { return &entities.Property{Name: n, Type: "Edm.String"} }
	for _, typ := range []*entities.StructuredType{
		{Name: "entity", Kind: entities.KindEntity, Abstract: true, Key: []string{"id"}, Properties: []*entities.Property{{Name: "id", Type: "Edm.String", NotNull: true}}},
		{Name: "directoryObject", Kind: entities.KindEntity, BaseType: "microsoft.graph.entity"},
		{Name: "user", Kind: entities.KindEntity, BaseType: "microsoft.graph.directoryObject", Properties: []*entities.Property{str("displayName")}},
		{Name: "note", Kind: entities.KindEntity, BaseType: "microsoft.graph.entity", Properties: []*entities.Property{str("displayName")}},
	} {
		if err := s.AddType(typ); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Resolve(); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestQueryRules(t *testing.T) {
	t.Parallel()
	s := schema(t)
	cases := []struct {
		name         string
		typ, query   string
		lenient, ev  bool
		segment      bool
		types        []string
		count        bool
		status       int
		code, prefix string
	}{
		{name: "search needs eventual", typ: "user", query: `$search="displayName:a"`, status: 400, code: "Request_UnsupportedQuery", prefix: "Request with $search"},
		{name: "search with eventual", typ: "user", query: `$search="displayName:a"`, ev: true},
		{name: "search elsewhere", typ: "note", query: `$search="displayName:a"`},
		{name: "ne lenient", typ: "user", query: `$filter=displayName ne 'a'`, lenient: true},
		{name: "ne by default", typ: "user", query: `$filter=displayName ne 'a'`, status: 400, code: "Request_UnsupportedQuery", prefix: "Unsupported property filter clause operator 'NotEqualsMatch'."},
		{name: "ne with eventual and count", typ: "user", query: `$filter=displayName ne 'a'&$count=true`, ev: true, count: true},
		{name: "count ignored without eventual", typ: "user", query: `$count=true`},
		{name: "count segment", typ: "user", segment: true, status: 400, code: "Request_BadRequest", prefix: "$count is not currently supported."},
		{name: "orderby with filter", typ: "user", query: `$filter=displayName eq 'a'&$orderby=displayName`, status: 400, prefix: "Sorting not supported"},
		{name: "no advanced types", typ: "user", query: `$search="displayName:a"`, types: []string{}},
		{name: "custom advanced type", typ: "note", query: `$search="displayName:a"`, types: []string{"microsoft.graph.note"}, status: 400},
		{name: "count elsewhere", typ: "note", query: `$count=true`, count: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			typ := s.EntityType("microsoft.graph." + tc.typ)
			vals, err := url.ParseQuery(tc.query)
			if err != nil {
				t.Fatal(err)
			}
			q, err := odata.ParseQuery(s, typ, vals, odata.QueryOptions{})
			if err != nil {
				t.Fatal(err)
			}
			b := behavior.New(behavior.Config{LenientQueries: tc.lenient, AdvancedQueryTypes: tc.types})
			count, err := b.QueryRules(behavior.QueryCall{Schema: s, Type: typ, Query: q, Eventual: tc.ev, Segment: tc.segment})
			if tc.status == 0 {
				if err != nil || count != tc.count {
					t.Fatalf("got count %v, %v; want %v, no error", count, err, tc.count)
				}
				return
			}
			var ge *odata.Error
			if !errors.As(err, &ge) || ge.Status != tc.status || tc.code != "" && ge.Code != tc.code || len(ge.Message) < len(tc.prefix) || ge.Message[:len(tc.prefix)] != tc.prefix {
				t.Fatalf("got %v, want %d %s %q...", err, tc.status, tc.code, tc.prefix)
			}
		})
	}
}

func TestRegistry(t *testing.T) {
	t.Parallel()
	called := false
	b := behavior.New(behavior.Config{
		Profiles: map[string]*behavior.Profile{"users": {UpdateStatus: http.StatusNoContent}},
		Operations: map[string]behavior.Operation{"microsoft.graph.x": func(context.Context, *behavior.OpCall) (*behavior.OpResult, error) {
			called = true
			return &behavior.OpResult{Status: http.StatusNoContent}, nil
		}},
	})
	s := schema(t)
	if p := b.Profile("v1.0", "users", s.EntityType("microsoft.graph.note")); p == nil || p.UpdateStatus != http.StatusNoContent {
		t.Errorf("profile %+v", p)
	}
	if b.Profile("v1.0", "notes", s.EntityType("microsoft.graph.note")) != nil {
		t.Errorf("a set and type with no profile has one")
	}
	if !b.Implements("microsoft.graph.x") || b.Implements("microsoft.graph.y") {
		t.Errorf("Implements is wrong")
	}
	if res, err := b.Operation("microsoft.graph.x")(context.Background(), &behavior.OpCall{}); err != nil || res.Status != 204 || !called {
		t.Errorf("registered operation: %v %v", res, err)
	}
	_, err := b.Operation("microsoft.graph.y")(context.Background(), &behavior.OpCall{Name: "microsoft.graph.y"})
	var ge *odata.Error
	if !errors.As(err, &ge) || ge.Status != http.StatusNotImplemented || ge.Message != "The emulator does not implement the operation 'microsoft.graph.y'." {
		t.Errorf("fallback: %v", err)
	}
	if b.ExpandLimit(true) != 20 || b.ExpandLimit(false) != 999 {
		t.Errorf("expand limits %d %d", b.ExpandLimit(true), b.ExpandLimit(false))
	}
	if err := b.UnmappedSingleton("me"); !errors.As(err, &ge) || ge.Message != "/me request is only valid with delegated authentication flow." {
		t.Errorf("unmapped singleton: %v", err)
	}
}
