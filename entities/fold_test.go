package entities_test

import (
	"testing"

	"github.com/graph-emulator/graph-emulator/entities"
)

// newFoldSchema builds a schema whose names come in mixed case, with pairs that differ
// only in case (reachable by exact spelling only).
func newFoldSchema(tb testing.TB) *entities.Schema {
	tb.Helper()
	s := entities.NewSchema("microsoft.graph")
	s.AddAlias("graph", "microsoft.graph")
	dir := entity("directoryObject", "", []string{"id"}, str("id"), str("deletedDateTime"))
	user := entity("user", "graph.directoryObject", nil, str("displayName"), str("mail"), str("Mail"))
	user.NavigationProperties = []*entities.NavigationProperty{
		{Name: "mailFolders", Type: "Collection(graph.mailFolder)", ContainsTarget: true},
		{Name: "memberOf", Type: "Collection(graph.directoryObject)"},
	}
	group := entity("group", "graph.directoryObject", nil, str("displayName"))
	folder := entity("mailFolder", "", []string{"id"}, str("id"))
	addr := complexType("emailAddress", "", str("address"))
	for _, ty := range []*entities.StructuredType{dir, user, group, folder, addr} {
		if err := s.AddType(ty); err != nil {
			tb.Fatal(err)
		}
	}
	for _, es := range [][2]string{{"users", "graph.user"}, {"groups", "graph.group"}, {"things", "graph.group"}, {"Things", "graph.group"}} {
		if err := s.AddEntitySet(es[0], es[1]); err != nil {
			tb.Fatal(err)
		}
	}
	for _, name := range []string{"identityGovernance", "me"} {
		if err := s.AddSingleton(&entities.Singleton{Name: name, Type: "graph.user"}); err != nil {
			tb.Fatal(err)
		}
	}
	ops := []*entities.Operation{
		{Name: "revokeSignInSessions", Kind: entities.Action, IsBound: true, Parameters: []entities.Parameter{{Name: "bindingParameter", Type: "graph.user"}}},
		{Name: "delta", Kind: entities.Function, IsBound: true, Parameters: []entities.Parameter{{Name: "bindingParameter", Type: "Collection(graph.directoryObject)"}}},
		{Name: "ping", Kind: entities.Action, IsBound: true, Parameters: []entities.Parameter{{Name: "bindingParameter", Type: "graph.user"}}},
		{Name: "Ping", Kind: entities.Action, IsBound: true, Parameters: []entities.Parameter{{Name: "bindingParameter", Type: "graph.user"}}},
		{Name: "getStatus", Kind: entities.Function},
	}
	for _, op := range ops {
		if err := s.AddOperation(op); err != nil {
			tb.Fatal(err)
		}
	}
	if err := s.AddOperationImport(entities.OperationImport{Name: "getStatus", Kind: entities.Function, Operation: "microsoft.graph.getStatus"}); err != nil {
		tb.Fatal(err)
	}
	if err := s.Resolve(); err != nil {
		tb.Fatal(err)
	}
	return s
}

func TestFoldLookups(t *testing.T) {
	t.Parallel()
	s := newFoldSchema(t)
	user := s.EntityType("microsoft.graph.user")
	dir := s.EntityType("microsoft.graph.directoryObject")
	name := func(v any) string {
		switch v := v.(type) {
		case *entities.EntitySet:
			if v != nil {
				return v.Name
			}
		case *entities.Singleton:
			if v != nil {
				return v.Name
			}
		case *entities.StructuredType:
			if v != nil {
				return v.QualifiedName()
			}
		case *entities.Property:
			if v != nil {
				return v.Name
			}
		case *entities.NavigationProperty:
			if v != nil {
				return v.Name
			}
		case []*entities.Operation:
			if len(v) > 0 {
				return v[0].QualifiedName()
			}
		}
		return ""
	}
	prop := func(n string) any { p, _ := user.PropertyFold(n); return p }
	tests := []struct {
		name   string
		lookup func(string) any
		in     string
		want   string // "" for no match
	}{
		{"set exact", func(n string) any { return s.EntitySetFold(n) }, "users", "users"},
		{"set upper", func(n string) any { return s.EntitySetFold(n) }, "USERS", "users"},
		{"set mixed", func(n string) any { return s.EntitySetFold(n) }, "Users", "users"},
		{"set unknown", func(n string) any { return s.EntitySetFold(n) }, "usersx", ""},
		{"sets differing in case, exact", func(n string) any { return s.EntitySetFold(n) }, "Things", "Things"},
		{"sets differing in case, exact lower", func(n string) any { return s.EntitySetFold(n) }, "things", "things"},
		{"sets differing in case, folded", func(n string) any { return s.EntitySetFold(n) }, "THINGS", ""},
		{"singleton", func(n string) any { return s.SingletonFold(n) }, "IdentityGovernance", "identityGovernance"},
		{"singleton exact", func(n string) any { return s.SingletonFold(n) }, "me", "me"},
		{"singleton is not a set", func(n string) any { return s.EntitySetFold(n) }, "Me", ""},
		{"type qualified", func(n string) any { return s.EntityTypeFold(n) }, "Microsoft.Graph.Group", "microsoft.graph.group"},
		{"type alias", func(n string) any { return s.EntityTypeFold(n) }, "GRAPH.group", "microsoft.graph.group"},
		{"type with hash", func(n string) any { return s.EntityTypeFold(n) }, "#microsoft.graph.USER", "microsoft.graph.user"},
		{"complex type is not an entity type", func(n string) any { return s.EntityTypeFold(n) }, "microsoft.graph.EmailAddress", ""},
		{"type unqualified", func(n string) any { return s.EntityTypeFold(n) }, "Group", ""},
		{"type unknown alias", func(n string) any { return s.EntityTypeFold(n) }, "g.group", ""},
		{"property", prop, "DisplayName", "displayName"},
		{"inherited property", prop, "DELETEDDATETIME", "deletedDateTime"},
		{"property exact of a case pair", prop, "Mail", "Mail"},
		{"property exact lower of a case pair", prop, "mail", "mail"},
		{"property folded of a case pair", prop, "MAIL", ""},
		{"navigation is not a property", prop, "MailFolders", ""},
		{"navigation", func(n string) any { return user.NavigationFold(n) }, "MailFolders", "mailFolders"},
		{"navigation upper", func(n string) any { return user.NavigationFold(n) }, "MEMBEROF", "memberOf"},
		{"property is not a navigation", func(n string) any { return user.NavigationFold(n) }, "displayname", ""},
		{"bound action", func(n string) any { return s.BoundOperationsFold(user, false, n) }, "RevokeSignInSessions", "microsoft.graph.revokeSignInSessions"},
		{"bound action qualified", func(n string) any { return s.BoundOperationsFold(user, false, n) }, "Microsoft.Graph.RevokeSignInSessions", "microsoft.graph.revokeSignInSessions"},
		{"bound action alias", func(n string) any { return s.BoundOperationsFold(user, false, n) }, "Graph.revokesigninsessions", "microsoft.graph.revokeSignInSessions"},
		{"bound action wrong namespace", func(n string) any { return s.BoundOperationsFold(user, false, n) }, "other.revokeSignInSessions", ""},
		{"bound to a collection of a base type", func(n string) any { return s.BoundOperationsFold(user, true, n) }, "Delta", "microsoft.graph.delta"},
		{"not bound to an entity", func(n string) any { return s.BoundOperationsFold(user, false, n) }, "Delta", ""},
		{"not bound to a base type", func(n string) any { return s.BoundOperationsFold(dir, false, n) }, "revokeSignInSessions", ""},
		{"operations differing in case, exact", func(n string) any { return s.BoundOperationsFold(user, false, n) }, "Ping", "microsoft.graph.Ping"},
		{"operations differing in case, folded", func(n string) any { return s.BoundOperationsFold(user, false, n) }, "PING", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if n := name(tt.lookup(tt.in)); n != tt.want {
				t.Fatalf("lookup(%q) = %q, want %q", tt.in, n, tt.want)
			}
		})
	}
}

func TestOperationImportFold(t *testing.T) {
	t.Parallel()
	s := newFoldSchema(t)
	for _, in := range []string{"getStatus", "GetStatus", "GETSTATUS"} {
		if imp, ok := s.OperationImportFold(in); !ok || imp.Name != "getStatus" {
			t.Errorf("OperationImportFold(%q) = %+v, %v", in, imp, ok)
		}
	}
	if imp, ok := s.OperationImportFold("getStatusX"); ok {
		t.Errorf("OperationImportFold(getStatusX) = %+v", imp)
	}
}

// TestFoldLookupsDoNotAllocate: exact and folded lookups of ASCII names allocate nothing.
func TestFoldLookupsDoNotAllocate(t *testing.T) {
	s := newFoldSchema(t)
	user := s.EntityType("microsoft.graph.user")
	for _, in := range []string{"users", "Users", "nothing.at.all", "ada.lovelace@contoso.com"} {
		allocs := testing.AllocsPerRun(100, func() {
			s.EntitySetFold(in)
			s.SingletonFold(in)
			s.EntityTypeFold(in)
			user.PropertyFold(in)
			user.NavigationFold(in)
			s.BoundOperationsFold(user, true, in)
		})
		if allocs != 0 {
			t.Errorf("lookups of %q: %v allocations, want 0", in, allocs)
		}
	}
}

// TestFoldNonASCII: names outside ASCII fold too.
func TestFoldNonASCII(t *testing.T) {
	t.Parallel()
	s := entities.NewSchema("ns")
	if err := s.AddType(entity("élan", "", []string{"id"}, str("id"), str("Ärger"))); err != nil {
		t.Fatal(err)
	}
	if err := s.AddEntitySet("Élans", "ns.élan"); err != nil {
		t.Fatal(err)
	}
	if err := s.Resolve(); err != nil {
		t.Fatal(err)
	}
	es := s.EntitySetFold("éLANS")
	if es == nil || es.Name != "Élans" {
		t.Fatalf("EntitySetFold = %+v", es)
	}
	if p, _ := es.Type().PropertyFold("äRGER"); p == nil || p.Name != "Ärger" {
		t.Fatalf("PropertyFold = %+v", p)
	}
	if ty := s.EntityTypeFold("NS.ÉLAN"); ty == nil {
		t.Fatal("EntityTypeFold(NS.ÉLAN) = nil")
	}
}
