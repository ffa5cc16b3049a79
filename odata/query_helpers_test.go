package odata_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/graph-emulator/graph-emulator/entities"
	"github.com/graph-emulator/graph-emulator/odata"
)

// newQuerySchema builds the schema of the query tests: entity type test.ns.person (key id)
// with properties of every kind the query options deal with, and an open type test.ns.bag.
func newQuerySchema(tb testing.TB) (*entities.Schema, *entities.StructuredType) {
	tb.Helper()
	s := entities.NewSchema("test.ns")
	s.AddAlias("t", "test.ns")
	enums := []*entities.EnumType{
		{Name: "color", Members: []string{"red", "green", "blue"}},
		{Name: "perm", Flags: true, Members: []string{"read", "write", "admin"}, Values: []int64{1, 2, 4}},
	}
	for _, e := range enums {
		if err := s.AddEnum(e); err != nil {
			tb.Fatal(err)
		}
	}
	types := []*entities.StructuredType{
		{Name: "address", Kind: entities.KindComplex, Properties: []*entities.Property{
			{Name: "street", Type: "Edm.String"},
			{Name: "city", Type: "Edm.String"},
			{Name: "postalCode", Type: "Edm.Int32"},
		}},
		{Name: "identity", Kind: entities.KindComplex, Properties: []*entities.Property{
			{Name: "signInType", Type: "Edm.String"},
			{Name: "issuer", Type: "Edm.String"},
			{Name: "issuerAssignedId", Type: "Edm.String"},
		}},
		{Name: "person", Kind: entities.KindEntity, Key: []string{"id"}, Properties: []*entities.Property{
			{Name: "id", Type: "Edm.String", NotNull: true},
			{Name: "displayName", Type: "Edm.String"},
			{Name: "description", Type: "Edm.String"},
			{Name: "mail", Type: "Edm.String"},
			{Name: "age", Type: "Edm.Int32"},
			{Name: "score", Type: "Edm.Double"},
			{Name: "big", Type: "Edm.Int64"},
			{Name: "active", Type: "Edm.Boolean"},
			{Name: "born", Type: "Edm.Date"},
			{Name: "createdDateTime", Type: "Edm.DateTimeOffset"},
			{Name: "tenantId", Type: "Edm.Guid"},
			{Name: "color", Type: "t.color"},
			{Name: "perms", Type: "t.perm"},
			{Name: "address", Type: "t.address"},
			{Name: "emails", Type: "Collection(Edm.String)"},
			{Name: "identities", Type: "Collection(t.identity)"},
			{Name: "payload", Type: "Edm.Untyped"},
		}, NavigationProperties: []*entities.NavigationProperty{
			{Name: "manager", Type: "t.person"},
			{Name: "members", Type: "Collection(t.person)"},
		}},
		{Name: "bag", Kind: entities.KindEntity, Key: []string{"id"}, Open: true, Properties: []*entities.Property{
			{Name: "id", Type: "Edm.String"},
			{Name: "label", Type: "Edm.String"},
		}},
	}
	for _, ty := range types {
		if err := s.AddType(ty); err != nil {
			tb.Fatal(err)
		}
	}
	for _, es := range [][2]string{{"people", "t.person"}, {"bags", "t.bag"}} {
		if err := s.AddEntitySet(es[0], es[1]); err != nil {
			tb.Fatal(err)
		}
	}
	if err := s.Resolve(); err != nil {
		tb.Fatal(err)
	}
	return s, s.EntityType("test.ns.person")
}

// people is the fixture collection, as stored: compact JSON objects in schema order.
// p6 carries malformed values (the seed docs' "Date" placeholder), which compare false.
var people = []string{
	`{"id":"p1","displayName":"Adele Vance","description":"Retail manager","mail":"AdeleV@contoso.com","age":31,"score":4.5,"big":9007199254740993,"active":true,"born":"1990-05-17","createdDateTime":"2021-01-02T12:00:00Z","tenantId":"72f988bf-86f1-41af-91ab-2d7cd011db47","color":"red","perms":"read,write","address":{"street":"1 Main St","city":"Seattle","postalCode":98101},"emails":["adele@contoso.com","a.vance@example.org"],"identities":[{"signInType":"emailAddress","issuer":"contoso.onmicrosoft.com","issuerAssignedId":"adele@contoso.com"}]}`,
	`{"id":"p2","displayName":"Alex Wilber","mail":"AlexW@contoso.com","age":25,"score":3,"big":9007199254740992,"active":false,"born":"1995-12-01","createdDateTime":"2021-01-02T13:30:00+01:00","tenantId":"72F988BF-86F1-41AF-91AB-2D7CD011DB47","color":"green","perms":"read","address":{"city":"Redmond","postalCode":98052},"emails":[],"identities":[{"signInType":"userName","issuer":"fabrikam.com","issuerAssignedId":"alexw"}]}`,
	`{"id":"p3","displayName":"O'Brien","mail":null,"age":null,"score":4.5,"active":true,"born":"2000-02-29","createdDateTime":"2020-12-31T23:59:59.5Z","color":"blue","perms":"admin,read,write","emails":["obrien@example.org"]}`,
	`{"id":"p4","displayName":"émile Zola","description":"OneVideo team","mail":"emile@contoso.com","age":60,"score":-1.25,"active":true,"born":"1960-01-01","color":"Red","address":{"street":null,"city":"seattle"},"emails":["EMILE@CONTOSO.COM"],"identities":[]}`,
	`{"id":"p5","displayName":"hello.world","description":"李四(David Li)","age":40,"score":40,"active":false}`,
	`{"id":"p6","displayName":"Zed","age":25,"born":"Date","createdDateTime":"garbage","emails":null,"payload":{"x":1}}`,
}

// matching returns the ids of the fixture people the filter matches.
func matching(f *odata.Filter) []string {
	var ids []string
	for i, p := range people {
		if f.Match([]byte(p)) {
			ids = append(ids, "p"+string(rune('1'+i)))
		}
	}
	return ids
}

// ids splits "p1 p2" into ids.
func ids(s string) []string { return strings.Fields(s) }

// graphError asserts that err is a 400 BadRequest *odata.Error whose message contains every
// part.
func graphError(t *testing.T, err error, parts ...string) {
	t.Helper()
	var oe *odata.Error
	if !errors.As(err, &oe) {
		t.Fatalf("error = %v (%T), want *odata.Error", err, err)
	}
	if oe.Status != 400 || oe.Code != "BadRequest" {
		t.Fatalf("error = %d %s %q, want 400 BadRequest", oe.Status, oe.Code, oe.Message)
	}
	for _, part := range parts {
		if !strings.Contains(oe.Message, part) {
			t.Errorf("message %q lacks %q", oe.Message, part)
		}
	}
}

func sameIDs(a, b []string) bool { return slices.Equal(a, b) }
