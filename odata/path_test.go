package odata_test

import (
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/graph-emulator/graph-emulator/entities"
	"github.com/graph-emulator/graph-emulator/odata"
)

func TestParsePath(t *testing.T) {
	t.Parallel()
	s := newTestSchema(t)
	tests := []struct {
		name    string
		escaped string
		kind    odata.PathKind
		set     string
		key     string
		errSeg  string // when set, ParsePath must fail naming this segment
	}{
		{name: "service root", escaped: "", kind: odata.PathServiceRoot},
		{name: "service root with slash", escaped: "/", kind: odata.PathServiceRoot},
		{name: "entity set", escaped: "widgets", kind: odata.PathCollection, set: "widgets"},
		{name: "entity set with trailing slash", escaped: "widgets/", kind: odata.PathCollection, set: "widgets"},
		{name: "second entity set", escaped: "gadgets", kind: odata.PathCollection, set: "gadgets"},
		{name: "key as segment", escaped: "widgets/abc", kind: odata.PathEntity, set: "widgets", key: "abc"},
		{name: "key as segment with trailing slash", escaped: "widgets/abc/", kind: odata.PathEntity, set: "widgets", key: "abc"},
		{name: "guid key as segment", escaped: "widgets/6c9949b7-49b7-6c99-b749-996cb749996c", kind: odata.PathEntity, set: "widgets", key: "6c9949b7-49b7-6c99-b749-996cb749996c"},
		{name: "quoted key", escaped: "widgets('abc')", kind: odata.PathEntity, set: "widgets", key: "abc"},
		{name: "quoted key with trailing slash", escaped: "widgets('abc')/", kind: odata.PathEntity, set: "widgets", key: "abc"},
		{name: "bare key in parentheses", escaped: "widgets(abc)", kind: odata.PathEntity, set: "widgets", key: "abc"},
		{name: "bare numeric key", escaped: "widgets(42)", kind: odata.PathEntity, set: "widgets", key: "42"},
		{name: "doubled quote", escaped: "widgets('O''Brien')", kind: odata.PathEntity, set: "widgets", key: "O'Brien"},
		{name: "only a doubled quote", escaped: "widgets('''')", kind: odata.PathEntity, set: "widgets", key: "'"},
		{name: "doubled quotes encoded", escaped: "widgets('O%27%27Brien')", kind: odata.PathEntity, set: "widgets", key: "O'Brien"},
		{name: "quotes encoded", escaped: "widgets(%27abc%27)", kind: odata.PathEntity, set: "widgets", key: "abc"},
		{name: "parentheses encoded", escaped: "widgets%28%27abc%27%29", kind: odata.PathEntity, set: "widgets", key: "abc"},
		{name: "encoded slash in a segment key", escaped: "widgets/a%2Fb", kind: odata.PathEntity, set: "widgets", key: "a/b"},
		{name: "encoded slash in a quoted key", escaped: "widgets('a%2Fb')", kind: odata.PathEntity, set: "widgets", key: "a/b"},
		{name: "encoded slash, lower case", escaped: "widgets/a%2fb", kind: odata.PathEntity, set: "widgets", key: "a/b"},
		{name: "encoded space and percent", escaped: "widgets/a%20b%25c", kind: odata.PathEntity, set: "widgets", key: "a b%c"},
		{name: "plus stays a plus", escaped: "widgets/a+b", kind: odata.PathEntity, set: "widgets", key: "a+b"},
		{name: "unicode key", escaped: "widgets('%C3%A9t%C3%A9')", kind: odata.PathEntity, set: "widgets", key: "été"},
		{name: "parentheses inside a quoted key", escaped: "widgets('a)(b')", kind: odata.PathEntity, set: "widgets", key: "a)(b"},
		{name: "quote inside a segment key", escaped: "widgets/O'Brien", kind: odata.PathEntity, set: "widgets", key: "O'Brien"},

		{name: "unknown set", escaped: "users", errSeg: "users"},
		{name: "unknown set with key", escaped: "users('1')", errSeg: "users"},
		{name: "unknown set, key segment", escaped: "users/1", errSeg: "users"},
		{name: "set names ignore case", escaped: "Widgets", kind: odata.PathCollection, set: "widgets"},
		{name: "set names ignore case, with a key", escaped: "WIDGETS('Abc')", kind: odata.PathEntity, set: "widgets", key: "Abc"},
		{name: "type name is not a set", escaped: "test.ns.widget", errSeg: "test.ns.widget"},
		{name: "extra segment after segment key", escaped: "widgets/abc/extra", errSeg: "extra"},
		{name: "extra segment after quoted key", escaped: "widgets('abc')/extra", errSeg: "extra"},
		{name: "extra encoded segment", escaped: "widgets('abc')/a%20b", errSeg: "a b"},
		{name: "two extra segments", escaped: "widgets/abc/x/y", errSeg: "x"},
		{name: "key segment after quoted key", escaped: "widgets('abc')/def", errSeg: "def"},
		{name: "empty key segment", escaped: "widgets//x", errSeg: ""},
		{name: "empty first segment", escaped: "//", errSeg: ""},
		{name: "empty quoted key", escaped: "widgets('')", errSeg: "widgets('')"},
		{name: "empty parentheses", escaped: "widgets()", errSeg: "widgets()"},
		{name: "unclosed parenthesis", escaped: "widgets('abc'", errSeg: "widgets('abc'"},
		{name: "unclosed quote", escaped: "widgets('abc)", errSeg: "widgets('abc)"},
		{name: "lone quote", escaped: "widgets(')", errSeg: "widgets(')"},
		{name: "undoubled quote inside", escaped: "widgets('a'b')", errSeg: "widgets('a'b')"},
		{name: "text after the parenthesis", escaped: "widgets('abc')x", errSeg: "widgets('abc')x"},
		{name: "two key predicates", escaped: "widgets('a')('b')", errSeg: "widgets('a')('b')"},
		{name: "nested parentheses", escaped: "widgets((abc))", errSeg: "widgets((abc))"},
		{name: "composite key", escaped: "widgets(a,b)", errSeg: "widgets(a,b)"},
		{name: "no set name", escaped: "('abc')", errSeg: "('abc')"},
		{name: "unencoded slash in a quoted key", escaped: "widgets('a/b')", errSeg: "widgets('a"},
		{name: "bad escape in set", escaped: "wid%zzgets", errSeg: "wid%zzgets"},
		{name: "bad escape in key", escaped: "widgets/a%2", errSeg: "a%2"},
		{name: "bad escape in extra segment", escaped: "widgets/a/%zz", errSeg: "%zz"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p, err := odata.ParsePath(s, tt.escaped)
			if tt.errSeg != "" || tt.kind == 0 {
				if err == nil {
					t.Fatalf("ParsePath(%q) = %+v, want an error for segment %q", tt.escaped, p, tt.errSeg)
				}
				var oe *odata.Error
				if !errors.As(err, &oe) {
					t.Fatalf("error %T, want *odata.Error", err)
				}
				want := "Resource not found for the segment '" + tt.errSeg + "'."
				if oe.Status != http.StatusBadRequest || oe.Code != "BadRequest" || oe.Message != want {
					t.Fatalf("error = %d %s %q\nwant    400 BadRequest %q", oe.Status, oe.Code, oe.Message, want)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParsePath(%q): %v", tt.escaped, err)
			}
			if p.Kind != tt.kind || p.Key != tt.key {
				t.Fatalf("ParsePath(%q) = kind %d key %q, want kind %d key %q", tt.escaped, p.Kind, p.Key, tt.kind, tt.key)
			}
			switch {
			case tt.set == "" && p.Set != nil:
				t.Fatalf("service root with set %v", p.Set.Name)
			case tt.set != "" && (p.Set == nil || p.Set.Name != tt.set || p.Set != s.EntitySet(tt.set)):
				t.Fatalf("set = %+v, want %s", p.Set, tt.set)
			}
		})
	}
}

// newGraphLikeSchema builds a small schema in Graph's namespace (alias graph): users and
// groups (directory objects), a user's contained mailFolders and messages, memberOf and
// manager references, singletons me and identityGovernance, bound operations and an
// operation import.
func newGraphLikeSchema(tb testing.TB) *entities.Schema {
	tb.Helper()
	s := entities.NewSchema("microsoft.graph")
	s.AddAlias("graph", "microsoft.graph")
	str := func(name string) *entities.Property { return &entities.Property{Name: name, Type: "Edm.String"} }
	nav := func(name, typ string, contained bool) *entities.NavigationProperty {
		return &entities.NavigationProperty{Name: name, Type: typ, ContainsTarget: contained}
	}
	types := []*entities.StructuredType{
		{Name: "entity", Kind: entities.KindEntity, Abstract: true, Key: []string{"id"}, Properties: []*entities.Property{str("id")}},
		{Name: "directoryObject", Kind: entities.KindEntity, BaseType: "graph.entity", Properties: []*entities.Property{str("deletedDateTime")}},
		{Name: "user", Kind: entities.KindEntity, BaseType: "graph.directoryObject",
			Properties: []*entities.Property{str("displayName"), {Name: "businessPhones", Type: "Collection(Edm.String)"}, {Name: "mailboxSettings", Type: "graph.mailboxSettings"}},
			NavigationProperties: []*entities.NavigationProperty{
				nav("mailFolders", "Collection(graph.mailFolder)", true), nav("memberOf", "Collection(graph.directoryObject)", false),
				nav("manager", "graph.directoryObject", false),
			}},
		{Name: "group", Kind: entities.KindEntity, BaseType: "graph.directoryObject", Properties: []*entities.Property{str("displayName")}},
		{Name: "mailFolder", Kind: entities.KindEntity, BaseType: "graph.entity", Properties: []*entities.Property{str("displayName")},
			NavigationProperties: []*entities.NavigationProperty{nav("messages", "Collection(graph.message)", true)}},
		{Name: "message", Kind: entities.KindEntity, BaseType: "graph.entity", Properties: []*entities.Property{str("subject")}},
		{Name: "identityGovernance", Kind: entities.KindEntity, Properties: []*entities.Property{str("id")}, Key: []string{"id"}},
		{Name: "mailboxSettings", Kind: entities.KindComplex, Properties: []*entities.Property{str("timeZone")}},
	}
	for _, ty := range types {
		if err := s.AddType(ty); err != nil {
			tb.Fatal(err)
		}
	}
	for _, es := range [][2]string{{"users", "graph.user"}, {"groups", "graph.group"}, {"directoryObjects", "graph.directoryObject"}} {
		if err := s.AddEntitySet(es[0], es[1]); err != nil {
			tb.Fatal(err)
		}
	}
	for _, sg := range [][2]string{{"me", "graph.user"}, {"identityGovernance", "graph.identityGovernance"}} {
		if err := s.AddSingleton(&entities.Singleton{Name: sg[0], Type: sg[1]}); err != nil {
			tb.Fatal(err)
		}
	}
	bound := func(name string, kind entities.OperationKind, binding string) *entities.Operation {
		return &entities.Operation{Name: name, Kind: kind, IsBound: true, Parameters: []entities.Parameter{{Name: "bindingParameter", Type: binding}}}
	}
	ops := []*entities.Operation{
		bound("revokeSignInSessions", entities.Action, "graph.user"),
		bound("delta", entities.Function, "Collection(graph.user)"),
		bound("getByIds", entities.Action, "Collection(graph.directoryObject)"),
		{Name: "getSchedule", Kind: entities.Function, Parameters: []entities.Parameter{{Name: "period", Type: "Edm.String"}}},
	}
	for _, op := range ops {
		if err := s.AddOperation(op); err != nil {
			tb.Fatal(err)
		}
	}
	if err := s.AddOperationImport(entities.OperationImport{Name: "getSchedule", Kind: entities.Function, Operation: "microsoft.graph.getSchedule"}); err != nil {
		tb.Fatal(err)
	}
	if err := s.Resolve(); err != nil {
		tb.Fatal(err)
	}
	return s
}

// TestParsePathIgnoresCase: every kind of segment resolves whatever its case, as Graph
// resolves it, to the schema's object; Segment.Name holds the schema's spelling; keys and
// function parameters stay as sent.
func TestParsePathIgnoresCase(t *testing.T) {
	t.Parallel()
	s := newGraphLikeSchema(t)
	// seg is a segment as "kind:Name", or "key:Key" for SegKey.
	tests := []struct {
		name    string
		escaped string
		kind    odata.PathKind
		segs    []string
		errSeg  string
	}{
		{"entity set", "Users", odata.PathCollection, []string{"set:users"}, ""},
		{"entity set upper", "USERS", odata.PathCollection, []string{"set:users"}, ""},
		{"entity set exact", "users", odata.PathCollection, []string{"set:users"}, ""},
		{"key keeps its case", "Users/AbC", odata.PathEntity, []string{"set:users", "key:AbC"}, ""},
		{"quoted key keeps its case", "USERS('AbC')", odata.PathEntity, []string{"set:users", "key:AbC"}, ""},
		{"singleton", "IdentityGovernance", odata.PathEntity, []string{"singleton:identityGovernance"}, ""},
		{"singleton upper", "ME", odata.PathEntity, []string{"singleton:me"}, ""},
		{"contained navigation", "users/u1/MailFolders", odata.PathCollection, []string{"set:users", "key:u1", "nav:mailFolders"}, ""},
		{"navigation chain", "Me/MAILFOLDERS/Inbox/Messages('M1')", odata.PathEntity,
			[]string{"singleton:me", "nav:mailFolders", "key:Inbox", "nav:messages", "key:M1"}, ""},
		{"navigation with a key in parentheses", "me/mailfolders('Inbox')", odata.PathEntity, []string{"singleton:me", "nav:mailFolders", "key:Inbox"}, ""},
		{"single-valued navigation", "users/u1/Manager", odata.PathEntity, []string{"set:users", "key:u1", "nav:manager"}, ""},
		{"cast qualified", "users/u1/memberOf/Microsoft.Graph.Group", odata.PathCollection,
			[]string{"set:users", "key:u1", "nav:memberOf", "cast:microsoft.graph.group"}, ""},
		{"cast by alias", "users/u1/MemberOf/GRAPH.group", odata.PathCollection,
			[]string{"set:users", "key:u1", "nav:memberOf", "cast:microsoft.graph.group"}, ""},
		{"cast with a key", "directoryObjects/Microsoft.Graph.User('U1')", odata.PathEntity,
			[]string{"set:directoryObjects", "cast:microsoft.graph.user", "key:U1"}, ""},
		{"cast exact", "directoryObjects/microsoft.graph.user", odata.PathCollection,
			[]string{"set:directoryObjects", "cast:microsoft.graph.user"}, ""},
		{"cast after a key", "directoryObjects/d1/MICROSOFT.GRAPH.USER", odata.PathEntity,
			[]string{"set:directoryObjects", "key:d1", "cast:microsoft.graph.user"}, ""},
		{"bound action", "users/u1/RevokeSignInSessions", odata.PathOperation,
			[]string{"set:users", "key:u1", "op:revokeSignInSessions"}, ""},
		{"bound action qualified", "users/u1/Microsoft.Graph.RevokeSignInSessions", odata.PathOperation,
			[]string{"set:users", "key:u1", "op:microsoft.graph.revokeSignInSessions"}, ""},
		{"bound action through an alias", "Me/graph.REVOKESIGNINSESSIONS", odata.PathOperation,
			[]string{"singleton:me", "op:microsoft.graph.revokeSignInSessions"}, ""},
		{"bound function with parentheses", "Users/Delta()", odata.PathOperation, []string{"set:users", "op:delta"}, ""},
		{"operation bound to a base type's collection", "users/GetByIds", odata.PathOperation, []string{"set:users", "op:getByIds"}, ""},
		{"operation import", "GetSchedule(Period='D7')", odata.PathOperation, []string{"op:getSchedule"}, ""},
		{"structural property", "users/u1/DisplayName", odata.PathProperty, []string{"set:users", "key:u1", "prop:displayName"}, ""},
		{"inherited property", "users/u1/DELETEDDATETIME", odata.PathProperty, []string{"set:users", "key:u1", "prop:deletedDateTime"}, ""},
		{"complex property", "me/MailboxSettings", odata.PathProperty, []string{"singleton:me", "prop:mailboxSettings"}, ""},
		{"property value", "users/u1/displayname/$VALUE", odata.PathPropertyValue,
			[]string{"set:users", "key:u1", "prop:displayName", "$value:$value"}, ""},
		{"count", "Users/$Count", odata.PathCount, []string{"set:users", "$count:$count"}, ""},
		{"count of a navigation", "users/u1/MemberOf/$COUNT", odata.PathCount, []string{"set:users", "key:u1", "nav:memberOf", "$count:$count"}, ""},
		{"ref list", "users/u1/memberof/$REF", odata.PathRef, []string{"set:users", "key:u1", "nav:memberOf", "$ref:$ref"}, ""},
		{"ref of one", "users/u1/MemberOf/g1/$Ref", odata.PathRef, []string{"set:users", "key:u1", "nav:memberOf", "key:g1", "$ref:$ref"}, ""},
		{"single ref", "users/u1/MANAGER/$ref", odata.PathRef, []string{"set:users", "key:u1", "nav:manager", "$ref:$ref"}, ""},

		{"unknown set keeps its spelling in the error", "Usersx", 0, nil, "Usersx"},
		{"unknown member keeps its spelling", "users/u1/MailFolderz", 0, nil, "MailFolderz"},
		{"navigation is not a set", "MailFolders", 0, nil, "MailFolders"},
		{"no $value of a string collection", "users/u1/BusinessPhones/$value", 0, nil, "$value"},
		{"no $ref of a containment", "users/u1/MailFolders/$Ref", 0, nil, "$Ref"},
		{"no $count of an entity", "users/u1/$Count", 0, nil, "$Count"},
		{"cast to an unrelated type", "users/u1/memberOf/Microsoft.Graph.Message", odata.PathEntity,
			[]string{"set:users", "key:u1", "nav:memberOf", "key:Microsoft.Graph.Message"}, ""},
		{"cast to a complex type", "users/Microsoft.Graph.MailboxSettings", odata.PathEntity,
			[]string{"set:users", "key:Microsoft.Graph.MailboxSettings"}, ""},
		{"operation not bound here", "groups/g1/RevokeSignInSessions", 0, nil, "RevokeSignInSessions"},
		{"operation on the wrong binding", "users/Revokesigninsessions", odata.PathEntity, []string{"set:users", "key:Revokesigninsessions"}, ""},
		{"singleton with a key", "ME('x')", 0, nil, "ME"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p, err := odata.ParsePath(s, tt.escaped)
			if tt.errSeg != "" {
				var oe *odata.Error
				if !errors.As(err, &oe) || oe.Message != "Resource not found for the segment '"+tt.errSeg+"'." {
					t.Fatalf("ParsePath(%q) = %+v, %v; want the error for segment %q", tt.escaped, p, err, tt.errSeg)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParsePath(%q): %v", tt.escaped, err)
			}
			if p.Kind != tt.kind {
				t.Errorf("kind %d, want %d", p.Kind, tt.kind)
			}
			var got []string
			for _, sg := range p.Segments {
				got = append(got, describeSegment(sg))
			}
			if !slices.Equal(got, tt.segs) {
				t.Fatalf("ParsePath(%q) segments\n got %q\nwant %q", tt.escaped, got, tt.segs)
			}
			checkCanonical(t, s, p)
		})
	}
}

func describeSegment(sg odata.Segment) string {
	switch sg.Kind {
	case odata.SegEntitySet:
		return "set:" + sg.Name
	case odata.SegSingleton:
		return "singleton:" + sg.Name
	case odata.SegKey:
		return "key:" + sg.Key
	case odata.SegNavigation:
		return "nav:" + sg.Name
	case odata.SegCast:
		return "cast:" + sg.Name
	case odata.SegCount:
		return "$count:" + sg.Name
	case odata.SegRef:
		return "$ref:" + sg.Name
	case odata.SegProperty:
		return "prop:" + sg.Name
	case odata.SegValue:
		return "$value:" + sg.Name
	case odata.SegOperation:
		return "op:" + sg.Name
	}
	return "?"
}

// checkCanonical checks that each segment's Name is the schema's spelling of the object
// the segment resolved to.
func checkCanonical(t *testing.T, s *entities.Schema, p *odata.Path) {
	t.Helper()
	for i, sg := range p.Segments {
		want := ""
		switch sg.Kind {
		case odata.SegEntitySet:
			want = sg.Set.Name
			if s.EntitySet(sg.Name) != sg.Set {
				t.Errorf("segment %d: set %q is not the schema's", i, sg.Name)
			}
		case odata.SegSingleton:
			want = sg.Singleton.Name
			if s.Singleton(sg.Name) != sg.Singleton {
				t.Errorf("segment %d: singleton %q is not the schema's", i, sg.Name)
			}
		case odata.SegNavigation:
			want = sg.Nav.Name
		case odata.SegProperty:
			want = sg.Property.Name
		case odata.SegCast:
			want = sg.Type.QualifiedName()
			if s.EntityType(sg.Name) != sg.Type {
				t.Errorf("segment %d: type %q is not the schema's", i, sg.Name)
			}
		case odata.SegOperation:
			if len(sg.Operations) == 0 {
				t.Fatalf("segment %d: operation %q without operations", i, sg.Name)
			}
			want = sg.Operations[0].Name
			if strings.Contains(sg.Name, ".") {
				want = sg.Operations[0].QualifiedName()
			}
		case odata.SegCount:
			want = "$count"
		case odata.SegRef:
			want = "$ref"
		case odata.SegValue:
			want = "$value"
		}
		if sg.Name != want {
			t.Errorf("segment %d: Name %q, want %q", i, sg.Name, want)
		}
	}
}

// TestParsePathAllocations: resolving names, exact or folded, allocates nothing beyond the
// Path value and its segments.
func TestParsePathAllocations(t *testing.T) {
	s := newGraphLikeSchema(t)
	for _, tc := range []struct {
		escaped string
		max     float64
	}{
		{"users", 1},
		{"users/u1", 1},
		{"Users/u1", 1},
		{"users/Ada.Lovelace@contoso.com", 1},
		// Five segments outgrow the Path's own array twice.
		{"users/u1/mailFolders/inbox/messages", 3},
		{"Users/u1/MailFolders/Inbox/Messages", 3},
	} {
		allocs := testing.AllocsPerRun(50, func() {
			if _, err := odata.ParsePath(s, tc.escaped); err != nil {
				t.Fatal(err)
			}
		})
		if allocs > tc.max {
			t.Errorf("ParsePath(%q): %v allocations, want at most %v", tc.escaped, allocs, tc.max)
		}
	}
}

// TestParsePathGraphIgnoresCase resolves mixed-case paths against Graph's published v1.0
// schema, as Graph answers them.
func TestParsePathGraphIgnoresCase(t *testing.T) {
	t.Parallel()
	s := loadFile(t, graphV1CSDL, true)
	tests := []struct {
		escaped string
		kind    odata.PathKind
		names   string // the canonical names of the segments that are not keys
	}{
		{"Users", odata.PathCollection, "users"},
		{"users/u1/MailFolders", odata.PathCollection, "users mailFolders"},
		{"Me/MailFolders/Inbox/Messages", odata.PathCollection, "me mailFolders messages"},
		{"IdentityGovernance", odata.PathEntity, "identityGovernance"},
		{"identitygovernance/EntitlementManagement", odata.PathEntity, "identityGovernance entitlementManagement"},
		{"users/u1/memberOf/Microsoft.Graph.Group", odata.PathCollection, "users memberOf microsoft.graph.group"},
		{"Groups/g1/Members/graph.user/$Count", odata.PathCount, "groups members microsoft.graph.user $count"},
		{"users/u1/RevokeSignInSessions", odata.PathOperation, "users revokeSignInSessions"},
		{"Users/Delta()", odata.PathOperation, "users delta"},
		{"users/u1/DisplayName/$Value", odata.PathPropertyValue, "users displayName $value"},
		{"users/u1/Manager/$REF", odata.PathRef, "users manager $ref"},
		{"Applications('a1')/AddPassword", odata.PathOperation, "applications addPassword"},
		{"Directory/DeletedItems/Microsoft.Graph.User", odata.PathCollection, "directory deletedItems microsoft.graph.user"},
	}
	for _, tt := range tests {
		t.Run(tt.escaped, func(t *testing.T) {
			t.Parallel()
			p, err := odata.ParsePath(s, tt.escaped)
			if err != nil {
				t.Fatalf("ParsePath(%q): %v", tt.escaped, err)
			}
			var names []string
			for _, sg := range p.Segments {
				if sg.Kind != odata.SegKey {
					names = append(names, sg.Name)
				}
			}
			if p.Kind != tt.kind || strings.Join(names, " ") != tt.names {
				t.Fatalf("ParsePath(%q) = kind %d, names %q; want kind %d, %q", tt.escaped, p.Kind, names, tt.kind, tt.names)
			}
			checkCanonical(t, s, p)
		})
	}
}

func TestParsePathAlternateKeys(t *testing.T) {
	t.Parallel()
	s := newTestSchema(t)
	tests := []struct {
		name, escaped, key, prop string
		errSeg                   string
	}{
		{name: "alternate key", escaped: "widgets(serial='s-1')", key: "s-1", prop: "serial"},
		{name: "alternate key ignores case", escaped: "widgets(SERIAL='s-1')", key: "s-1", prop: "serial"},
		{name: "alternate key, encoded", escaped: "widgets(serial=%27a%2Fb%27)", key: "a/b", prop: "serial"},
		{name: "the key by name", escaped: "widgets(id='abc')", key: "abc"},
		{name: "then a property", escaped: "widgets(serial='s')/name", key: "s", prop: "serial"},
		{name: "not an alternate key", escaped: "widgets(name='x')", errSeg: "widgets(name='x')"},
		{name: "unknown name", escaped: "widgets(nope='x')", errSeg: "widgets(nope='x')"},
		{name: "two keys", escaped: "widgets(serial='a',id='b')", errSeg: "widgets(serial='a',id='b')"},
		{name: "empty value", escaped: "widgets(serial='')", errSeg: "widgets(serial='')"},
		{name: "no value", escaped: "widgets(serial=)", errSeg: "widgets(serial=)"},
		{name: "not a name", escaped: "widgets(se-rial='x')", errSeg: "widgets(se-rial='x')"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := odata.ParsePath(s, tc.escaped)
			if tc.errSeg != "" {
				var ge *odata.Error
				if !errors.As(err, &ge) || ge.Status != http.StatusBadRequest || !strings.Contains(ge.Message, "'"+tc.errSeg+"'") {
					t.Fatalf("error %v, want a 400 naming %q", err, tc.errSeg)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			seg := p.Segments[1]
			if seg.Kind != odata.SegKey || seg.Key != tc.key || seg.KeyProperty != tc.prop {
				t.Errorf("key segment %+v, want key %q property %q", seg, tc.key, tc.prop)
			}
		})
	}
}
