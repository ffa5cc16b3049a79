package entities_test

import (
	"bytes"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/graph-emulator/graph-emulator/entities"
)

// csdlFixtures is the folder of small CSDL documents, relative to the package directory.
const csdlFixtures = "../testdata/csdl/"

// loadFixture loads a CSDL fixture or stops the test.
func loadFixture(tb testing.TB, name string) *entities.Schema {
	tb.Helper()
	f, err := os.Open(csdlFixtures + name)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	s, err := entities.LoadCSDL(f)
	if err != nil {
		tb.Fatalf("LoadCSDL(%s): %v", name, err)
	}
	return s
}

// prop is a comparable view of a Property.
type prop struct {
	Name, Type                  string
	NotNull, ReadOnly, Required bool
}

// nav is a comparable view of a NavigationProperty.
type nav struct {
	Name, Type, Partner     string
	ContainsTarget, NotNull bool
}

// typeView is a comparable view of a StructuredType.
type typeView struct {
	Name           string
	Kind           entities.Kind
	BaseType       string
	Abstract, Open bool
	Key            []string
	Properties     []prop
	Navigation     []nav
}

func viewType(t *entities.StructuredType) typeView {
	v := typeView{Name: t.Name, Kind: t.Kind, BaseType: t.BaseType, Abstract: t.Abstract, Open: t.Open, Key: t.Key}
	for _, p := range t.Properties {
		v.Properties = append(v.Properties, prop{p.Name, p.Type, p.NotNull, p.ReadOnly, p.Required})
	}
	for _, n := range t.NavigationProperties {
		v.Navigation = append(v.Navigation, nav{n.Name, n.Type, n.Partner, n.ContainsTarget, n.NotNull})
	}
	return v
}

// checkType compares the named type of s with want.
func checkType(t *testing.T, s *entities.Schema, name string, want typeView) {
	t.Helper()
	ty := s.StructuredType(name)
	if ty == nil {
		t.Fatalf("type %s not loaded", name)
	}
	if got := viewType(ty); !reflect.DeepEqual(got, want) {
		t.Errorf("type %s:\n got %+v\nwant %+v", name, got, want)
	}
}

func TestLoadCSDLBasic(t *testing.T) {
	t.Parallel()
	s := loadFixture(t, "basic.xml")
	tests := []struct {
		name  string
		check func(t *testing.T)
	}{
		{"namespace, alias and container", func(t *testing.T) {
			if s.Namespace() != "test.ns" || s.ContainerName() != "TestService" {
				t.Errorf("namespace %q, container %q", s.Namespace(), s.ContainerName())
			}
			if got, want := s.Aliases(), map[string]string{"t": "test.ns"}; !reflect.DeepEqual(got, want) {
				t.Errorf("aliases %v, want %v", got, want)
			}
			if s.EntityType("t.item") != s.EntityType("#test.ns.item") || s.EntityType("t.item") == nil {
				t.Errorf("alias lookup of t.item failed")
			}
		}},
		{"every type, nothing else", func(t *testing.T) {
			var names []string
			for _, ty := range s.StructuredTypes() {
				names = append(names, ty.QualifiedName())
			}
			for _, e := range s.Enums() {
				names = append(names, e.QualifiedName())
			}
			want := []string{
				"test.ns.address", "test.ns.circle", "test.ns.employee", "test.ns.entity", "test.ns.geoAddress",
				"test.ns.item", "test.ns.part", "test.ns.person", "test.ns.shape",
				"test.ns.color", "test.ns.level", "test.ns.perms",
			}
			if !reflect.DeepEqual(names, want) {
				t.Errorf("types %v\nwant %v", names, want)
			}
		}},
		{"enum without values", func(t *testing.T) {
			e := s.Enum("t.color")
			if e == nil || e.Flags || e.Values != nil || !reflect.DeepEqual(e.Members, []string{"red", "green", "blue"}) {
				t.Fatalf("color = %+v", e)
			}
			if !e.HasMember("green") || e.HasMember("Green") {
				t.Errorf("HasMember wrong")
			}
		}},
		{"flags enum with values", func(t *testing.T) {
			e := s.Enum("test.ns.perms")
			if e == nil || !e.Flags || !reflect.DeepEqual(e.Members, []string{"none", "read", "write", "admin"}) ||
				!reflect.DeepEqual(e.Values, []int64{0, 1, 2, 4}) {
				t.Fatalf("perms = %+v", e)
			}
		}},
		{"enum with sparse values and an underlying type", func(t *testing.T) {
			e := s.Enum("t.level")
			if e == nil || e.Flags || !reflect.DeepEqual(e.Values, []int64{1, 10, 99}) {
				t.Fatalf("level = %+v", e)
			}
		}},
		{"complex type", func(t *testing.T) {
			checkType(t, s, "t.address", typeView{Name: "address", Kind: entities.KindComplex, Properties: []prop{
				{Name: "street", Type: "Edm.String"},
				{Name: "city", Type: "Edm.String", NotNull: true},
			}})
		}},
		{"open complex type with an alias-qualified base", func(t *testing.T) {
			checkType(t, s, "t.geoAddress", typeView{Name: "geoAddress", Kind: entities.KindComplex,
				BaseType: "test.ns.address", Open: true, Properties: []prop{
					{Name: "lat", Type: "Edm.Double"}, {Name: "lon", Type: "Edm.Double"},
				}})
			all := s.ComplexType("t.geoAddress").AllProperties()
			if len(all) != 4 || all[0].Name != "street" || all[3].Name != "lon" {
				t.Errorf("inherited properties: %d", len(all))
			}
		}},
		{"abstract complex type and derived", func(t *testing.T) {
			checkType(t, s, "t.shape", typeView{Name: "shape", Kind: entities.KindComplex, Abstract: true,
				Properties: []prop{{Name: "label", Type: "Edm.String"}}})
			checkType(t, s, "t.circle", typeView{Name: "circle", Kind: entities.KindComplex, BaseType: "test.ns.shape",
				Properties: []prop{{Name: "radius", Type: "Edm.Double", NotNull: true}}})
		}},
		{"abstract entity type with key and computed property", func(t *testing.T) {
			checkType(t, s, "t.entity", typeView{Name: "entity", Kind: entities.KindEntity, Abstract: true, Key: []string{"id"},
				Properties: []prop{{Name: "id", Type: "Edm.String", NotNull: true, ReadOnly: true}}})
		}},
		{"entity type with every kind of member", func(t *testing.T) {
			checkType(t, s, "t.item", typeView{Name: "item", Kind: entities.KindEntity, BaseType: "test.ns.entity",
				Properties: []prop{
					{Name: "name", Type: "Edm.String", Required: true},
					{Name: "count", Type: "Edm.Int64", NotNull: true},
					{Name: "price", Type: "Edm.Decimal"},
					{Name: "born", Type: "Edm.Date", Required: true},
					{Name: "seen", Type: "Edm.DateTimeOffset", ReadOnly: true},              // Core.Computed, no Bool
					{Name: "serial", Type: "Edm.Guid", ReadOnly: true},                      // Permissions Read
					{Name: "notes", Type: "Edm.String"},                                     // Permissions Read Write
					{Name: "draft", Type: "Edm.Boolean"},                                    // Computed false
					{Name: "stamp", Type: "Edm.Binary"},                                     //
					{Name: "color", Type: "test.ns.color"},                                  // alias canonicalised
					{Name: "perms", Type: "test.ns.perms", NotNull: true},                   //
					{Name: "level", Type: "test.ns.level"},                                  //
					{Name: "address", Type: "test.ns.address"},                              //
					{Name: "addresses", Type: "Collection(test.ns.address)", NotNull: true}, //
					{Name: "tags", Type: "Collection(Edm.String)"},                          //
					{Name: "shape", Type: "test.ns.shape"},                                  //
					{Name: "extra", Type: "Edm.Untyped"},                                    //
					{Name: "rank", Type: "Edm.Int32"},                                       // qualified annotation ignored
				},
				Navigation: []nav{
					{Name: "owner", Type: "test.ns.person", Partner: "items", NotNull: true},
					{Name: "parts", Type: "Collection(test.ns.part)", ContainsTarget: true},
					{Name: "related", Type: "Collection(test.ns.item)"},
				},
			})
			item := s.EntityType("t.item")
			if k := item.KeyProperty(); k == nil || k.Name != "id" {
				t.Errorf("inherited key = %v", k)
			}
			if p, i := item.Property("id"); p == nil || i != 0 {
				t.Errorf("inherited id at %d", i)
			}
			if r := item.NavigationProperty("parts"); r.Target() != s.EntityType("t.part") || !r.IsCollection() {
				t.Errorf("parts resolved to %v", r.Target())
			}
			if r := item.NavigationProperty("owner"); r.Target() != s.EntityType("t.person") || r.IsCollection() {
				t.Errorf("owner resolved to %v", r.Target())
			}
			if p, _ := item.Property("addresses"); !p.Ref().Collection || p.Ref().Structured != s.ComplexType("t.address") {
				t.Errorf("addresses resolved to %+v", p.Ref())
			}
			if p, _ := item.Property("perms"); p.Ref().Enum != s.Enum("t.perms") {
				t.Errorf("perms resolved to %+v", p.Ref())
			}
		}},
		{"open entity type, external annotations, derived type", func(t *testing.T) {
			checkType(t, s, "t.person", typeView{Name: "person", Kind: entities.KindEntity, BaseType: "test.ns.entity", Open: true,
				Properties: []prop{{Name: "displayName", Type: "Edm.String"}, {Name: "mail", Type: "Edm.String", ReadOnly: true}},
				Navigation: []nav{
					{Name: "items", Type: "Collection(test.ns.item)", Partner: "owner"},
					{Name: "manager", Type: "test.ns.person"},
				}})
			checkType(t, s, "t.part", typeView{Name: "part", Kind: entities.KindEntity, BaseType: "test.ns.entity",
				Properties: []prop{{Name: "size", Type: "Edm.Int32", ReadOnly: true}}})
			checkType(t, s, "t.employee", typeView{Name: "employee", Kind: entities.KindEntity, BaseType: "test.ns.person",
				Properties: []prop{{Name: "badge", Type: "Edm.String", Required: true}},
				Navigation: []nav{{Name: "sponsors", Type: "Collection(test.ns.person)"}}})
			if d := s.EntityType("t.person").Derived(); len(d) != 1 || d[0] != s.EntityType("t.employee") {
				t.Errorf("derived of person: %v", d)
			}
		}},
		{"entity sets with bindings", func(t *testing.T) {
			var got []entities.EntitySet
			for _, es := range s.EntitySets() {
				got = append(got, entities.EntitySet{Name: es.Name, EntityType: es.EntityType, Bindings: es.Bindings})
			}
			want := []entities.EntitySet{
				{Name: "items", EntityType: "test.ns.item", Bindings: []entities.NavigationBinding{
					{Path: "owner", Target: "people"}, {Path: "related", Target: "items"},
				}},
				{Name: "people", EntityType: "test.ns.person", Bindings: []entities.NavigationBinding{
					{Path: "items", Target: "items"}, {Path: "test.ns.employee/sponsors", Target: "people"},
				}},
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("sets\n got %+v\nwant %+v", got, want)
			}
			if s.EntitySet("people").Type() != s.EntityType("t.person") {
				t.Errorf("people not resolved")
			}
		}},
		{"singleton with bindings", func(t *testing.T) {
			sgs := s.Singletons()
			if len(sgs) != 1 {
				t.Fatalf("%d singletons", len(sgs))
			}
			me := sgs[0]
			want := []entities.NavigationBinding{{Path: "items", Target: "items"}, {Path: "manager", Target: "people"}}
			if me.Name != "me" || me.Type != "test.ns.person" || !reflect.DeepEqual(me.Bindings, want) ||
				me.EntityType() != s.EntityType("t.person") || s.Singleton("me") != me {
				t.Errorf("me = %+v", me)
			}
		}},
		{"functions and actions", func(t *testing.T) {
			type opView struct {
				Q            string
				Kind         entities.OperationKind
				Bound, Comp  bool
				SetPath, Ret string
				Params       []entities.Parameter
			}
			var got []opView
			for _, op := range s.Operations() {
				got = append(got, opView{op.QualifiedName(), op.Kind, op.IsBound, op.IsComposable, op.EntitySetPath, op.ReturnType, op.Parameters})
			}
			want := []opView{
				{"test.ns.count", entities.Function, true, true, "", "Edm.Int64", []entities.Parameter{
					{Name: "bindingParameter", Type: "Collection(test.ns.item)"}, {Name: "since", Type: "Edm.Date", NotNull: true}}},
				{"test.ns.related", entities.Function, true, false, "bindingParameter/related", "Collection(test.ns.item)", []entities.Parameter{
					{Name: "bindingParameter", Type: "test.ns.item"}, {Name: "top", Type: "Edm.Int32"}}},
				{"test.ns.archive", entities.Action, true, false, "", "", []entities.Parameter{
					{Name: "bindingParameter", Type: "test.ns.item"}, {Name: "reason", Type: "Edm.String"}}},
				{"test.ns.reset", entities.Action, false, false, "", "", nil},
				{"test.ns.now", entities.Function, false, false, "", "Edm.DateTimeOffset", nil},
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("operations\n got %+v\nwant %+v", got, want)
			}
			item := s.EntityType("t.item")
			if ops := s.BoundOperations(item, true, "count"); len(ops) != 1 || ops[0].Name != "count" {
				t.Errorf("count bound to Collection(item): %v", ops)
			}
			if ops := s.BoundOperations(item, false, "t.archive"); len(ops) != 1 {
				t.Errorf("archive bound to item: %v", ops)
			}
		}},
		{"operation imports", func(t *testing.T) {
			want := []entities.OperationImport{
				{Name: "now", Kind: entities.Function, Operation: "test.ns.now"},
				{Name: "reset", Kind: entities.Action, Operation: "test.ns.reset"},
				{Name: "resetItems", Kind: entities.Action, Operation: "test.ns.reset", EntitySet: "items"},
			}
			if got := s.OperationImports(); !reflect.DeepEqual(got, want) {
				t.Errorf("imports\n got %+v\nwant %+v", got, want)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.check(t)
		})
	}
}

func TestLoadCSDLMulti(t *testing.T) {
	t.Parallel()
	s := loadFixture(t, "multi.xml")
	tests := []struct {
		name  string
		check func(t *testing.T)
	}{
		{"first schema is the default namespace", func(t *testing.T) {
			if s.Namespace() != "first.ns" || s.ContainerName() != "Multi" {
				t.Errorf("namespace %q container %q", s.Namespace(), s.ContainerName())
			}
			want := map[string]string{"o": "second.ns", "e": "empty.ns"}
			if got := s.Aliases(); !reflect.DeepEqual(got, want) {
				t.Errorf("aliases %v", got)
			}
		}},
		{"alias used before its schema, type definitions replaced", func(t *testing.T) {
			checkType(t, s, "first.ns.account", typeView{Name: "account", Kind: entities.KindEntity, BaseType: "first.ns.base",
				Properties: []prop{
					{Name: "email", Type: "Edm.String"},
					{Name: "aliases", Type: "Collection(Edm.String)"},
					{Name: "state", Type: "second.ns.state"},
					{Name: "thing", Type: "second.ns.thing"},
				},
				Navigation: []nav{{Name: "widgets", Type: "Collection(second.ns.widget)", ContainsTarget: true}},
			})
		}},
		{"key on a base type of another namespace", func(t *testing.T) {
			w := s.EntityType("o.widget")
			if w == nil || w.Namespace() != "second.ns" || w.KeyProperty() == nil || w.KeyProperty().Name != "code" || len(w.Key) != 0 {
				t.Fatalf("widget = %+v", w)
			}
			if p, _ := w.Property("label"); p == nil || !p.ReadOnly {
				t.Errorf("label not read-only through an alias-targeted Annotations: %+v", p)
			}
			if s.EntityType("o.gadget").Base() != w {
				t.Errorf("gadget base")
			}
		}},
		{"entity types without any key", func(t *testing.T) {
			for _, n := range []string{"first.ns.keyless", "first.ns.stillKeyless"} {
				ty := s.EntityType(n)
				if ty == nil || ty.KeyProperty() != nil {
					t.Errorf("%s = %+v", n, ty)
				}
			}
		}},
		{"open complex type without properties", func(t *testing.T) {
			checkType(t, s, "o.thing", typeView{Name: "thing", Kind: entities.KindComplex, Open: true})
		}},
		{"operations in two namespaces", func(t *testing.T) {
			ops := s.Operations()
			if len(ops) != 2 || ops[0].QualifiedName() != "first.ns.ping" || ops[1].QualifiedName() != "second.ns.find" {
				t.Fatalf("operations %v", ops)
			}
			if ops[0].BindingType() != "second.ns.widget" || ops[0].ReturnType != "second.ns.thing" || !ops[0].Parameters[0].NotNull {
				t.Errorf("ping = %+v", ops[0])
			}
			if ops[1].ReturnType != "Collection(second.ns.widget)" || ops[1].Parameters[1].Type != "Collection(Edm.String)" {
				t.Errorf("find = %+v", ops[1])
			}
			if got := s.BoundOperations(s.EntityType("o.gadget"), false, "first.ns.ping"); len(got) != 1 {
				t.Errorf("ping not bound to the derived gadget: %v", got)
			}
		}},
		{"binding path through a cast", func(t *testing.T) {
			b := s.EntitySet("accounts").Bindings
			if len(b) != 1 || b[0].Path != "widgets/second.ns.gadget/owner" {
				t.Errorf("bindings %+v", b)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.check(t)
		})
	}
}

// csdlHead opens an edmx document and a Schema of namespace "ns"; what follows starts on line 3.
const csdlHead = `<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx"><edmx:DataServices>` + "\n" +
	`<Schema Namespace="ns" xmlns="http://docs.oasis-open.org/odata/ns/edm">` + "\n"

// csdlDoc wraps schema content in an edmx document: the content starts on line 3.
func csdlDoc(content string) string {
	return csdlHead + content + "\n</Schema></edmx:DataServices></edmx:Edmx>\n"
}

func TestLoadCSDLErrors(t *testing.T) {
	t.Parallel()
	const keyed = `<EntityType Name="e"><Key><PropertyRef Name="id"/></Key><Property Name="id" Type="Edm.String"/></EntityType>`
	tests := []struct {
		name string
		doc  string
		want string // the whole error text
	}{
		{"empty input", "", "csdl: no edmx:Edmx element in the document"},
		{"not XML", "hello", "csdl: no edmx:Edmx element in the document"},
		{"BOM only", "\xef\xbb\xbf", "csdl: no edmx:Edmx element in the document"},
		{"wrong root", "<?xml version=\"1.0\"?>\n<Schema Namespace=\"ns\"/>", "csdl: line 2: root element is Schema, want edmx:Edmx"},
		{"Edmx in another namespace", "\n<edmx:Edmx xmlns:edmx=\"urn:other\"/>", `csdl: line 2: root element Edmx is in namespace "urn:other", want http://docs.oasis-open.org/odata/ns/edmx`},
		{"undeclared edmx prefix", "<edmx:Edmx/>", `csdl: line 1: root element Edmx is in namespace "edmx", want http://docs.oasis-open.org/odata/ns/edmx`},
		{"UTF-16 declared", "<?xml version=\"1.0\" encoding=\"utf-16\"?>\n<edmx:Edmx/>",
			`csdl: line 1: xml: encoding "utf-16" declared but Decoder.CharsetReader is nil`},
		{"no Schema", `<edmx:Edmx xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx"><edmx:DataServices/></edmx:Edmx>`,
			"csdl: no Schema element in the document"},
		{"mismatched end tag", csdlDoc(keyed + "\n<EntityType Name=\"a\">\n</ComplexType>"),
			"csdl: line 5: element <EntityType> closed by </ComplexType>"},
		{"truncated", csdlHead + keyed + "\n<EntityType Name=\"a\">\n<Prop", "csdl: line 5: unexpected EOF"},
		{"undefined entity", csdlDoc(`<EntityType Name="a&nope;"/>`), "csdl: line 3: invalid character entity &nope;"},
		{"Schema without Namespace", `<edmx:Edmx xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx"><edmx:DataServices>` +
			"\n\n<Schema/></edmx:DataServices></edmx:Edmx>", "csdl: line 3: Schema without Namespace"},
		{"EntityType without Name", csdlDoc(keyed + "\n<ComplexType Name=\"c\"/>\n\n<EntityType\n  BaseType=\"ns.e\">\n</EntityType>"),
			"csdl: line 6: EntityType without Name"},
		{"Property without Name", csdlDoc("<ComplexType Name=\"c\">\n<Property Type=\"Edm.String\"/></ComplexType>"),
			"csdl: line 4: Property in ns.c without Name"},
		{"Property without Type", csdlDoc("<ComplexType Name=\"c\">\n\n<Property Name=\"p\"/></ComplexType>"),
			"csdl: line 5: Property ns.c/p without Type"},
		{"NavigationProperty without Type", csdlDoc(keyed + "\n<EntityType Name=\"a\" BaseType=\"ns.e\"><NavigationProperty Name=\"n\"/></EntityType>"),
			"csdl: line 4: NavigationProperty ns.a/n without Type"},
		{"Member without Name", csdlDoc("<EnumType Name=\"en\">\n<Member Value=\"1\"/></EnumType>"),
			"csdl: line 4: Member in EnumType ns.en without Name"},
		{"EntitySet without EntityType", csdlDoc(keyed + "\n<EntityContainer Name=\"c\">\n<EntitySet Name=\"es\"/></EntityContainer>"),
			"csdl: line 5: EntitySet es without EntityType"},
		{"Parameter without Type", csdlDoc("<Function Name=\"f\">\n<Parameter Name=\"p\"/></Function>"),
			"csdl: line 4: Parameter ns.f/p without Type"},
		{"unknown base type", csdlDoc(keyed + "\n\n<EntityType Name=\"a\" BaseType=\"ns.missing\"/>"),
			`csdl: line 5: type ns.a: base type: unknown type "ns.missing"`},
		{"unknown property type", csdlDoc("<ComplexType Name=\"c\">\n<Property Name=\"p\" Type=\"Collection(ns.nope)\"/></ComplexType>"),
			`csdl: line 4: property ns.c/p: unknown type "Collection(ns.nope)"`},
		{"unknown primitive", csdlDoc("<ComplexType Name=\"c\">\n<Property Name=\"p\" Type=\"Edm.Text\"/></ComplexType>"),
			`csdl: line 4: property ns.c/p: unknown type "Edm.Text"`},
		{"navigation to a complex type", csdlDoc(keyed + "\n<ComplexType Name=\"c\"/>\n<EntityType Name=\"a\" BaseType=\"ns.e\">\n<NavigationProperty Name=\"n\" Type=\"Collection(ns.c)\"/></EntityType>"),
			"csdl: line 6: navigation property ns.a/n: ns.c is not an entity type"},
		{"entity set of an unknown type", csdlDoc(keyed + "\n<EntityContainer Name=\"c\">\n<EntitySet Name=\"es\" EntityType=\"ns.x\"/></EntityContainer>"),
			`csdl: line 5: entity set es: unknown type "ns.x"`},
		{"singleton of a complex type", csdlDoc("<ComplexType Name=\"c\"/>\n<EntityContainer Name=\"c\">\n<Singleton Name=\"me\" Type=\"ns.c\"/></EntityContainer>"),
			"csdl: line 5: singleton me: ns.c is not an entity type"},
		{"bad boolean", csdlDoc(keyed + "\n<EntityType Name=\"a\" Abstract=\"yes\"/>"),
			`csdl: line 4: EntityType: Abstract="yes" is not a boolean`},
		{"bad enum value", csdlDoc("<EnumType Name=\"en\">\n<Member Name=\"a\" Value=\"one\"/></EnumType>"),
			`csdl: line 4: EnumType ns.en: member a: Value "one" is not an integer`},
		{"type declared twice", csdlDoc("<ComplexType Name=\"c\"/>\n<EntityType Name=\"c\"/>"),
			"csdl: line 4: schema: type ns.c declared twice"},
		{"bound operation without parameters", csdlDoc("<Action Name=\"a\"\n IsBound=\"true\"/>"),
			"csdl: line 3: schema: bound operation a has no binding parameter"},
		{"two containers", csdlDoc("<EntityContainer Name=\"a\"/>\n<EntityContainer Name=\"b\"/>"),
			"csdl: line 4: second EntityContainer"},
		{"alias for two namespaces", `<edmx:Edmx xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx"><edmx:DataServices>` +
			"\n<Schema Namespace=\"a\" Alias=\"x\"/>\n<Schema Namespace=\"b\" Alias=\"x\"/></edmx:DataServices></edmx:Edmx>",
			"csdl: line 3: alias x stands for a and b"},
		{"composite key, from Resolve", csdlDoc(`<EntityType Name="a"><Key><PropertyRef Name="x"/><PropertyRef Name="y"/></Key>` +
			`<Property Name="x" Type="Edm.String"/><Property Name="y" Type="Edm.String"/></EntityType>`),
			"csdl: schema: type ns.a: composite keys are not supported"},
		{"key property not declared, from Resolve", csdlDoc(`<EntityType Name="a"><Key><PropertyRef Name="x"/></Key></EntityType>`),
			"csdl: schema: type ns.a: key property x not declared"},
		{"entity set of a keyless type, from Resolve", csdlDoc("<EntityType Name=\"a\"/>\n<EntityContainer Name=\"c\"><EntitySet Name=\"as\" EntityType=\"ns.a\"/></EntityContainer>"),
			"csdl: schema: entity set as: type ns.a has no key"},
		{"base type cycle, from Resolve", csdlDoc(`<ComplexType Name="a" BaseType="ns.b"/><ComplexType Name="b" BaseType="ns.a"/>`),
			"csdl: schema: type ns.b: base type chain too deep or cyclic"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s, err := entities.LoadCSDL(strings.NewReader(tc.doc))
			if err == nil {
				t.Fatalf("no error, schema %v", s)
			}
			if s != nil {
				t.Errorf("schema and error")
			}
			if err.Error() != tc.want {
				t.Errorf("error\n got %q\nwant %q", err, tc.want)
			}
		})
	}
}

// TestLoadCSDLLenient covers documents that load although they carry what the model
// ignores.
func TestLoadCSDLLenient(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		doc   string
		check func(*entities.Schema) bool
	}{
		{"foreign-namespace elements are skipped", `<edmx:Edmx xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx" xmlns:x="urn:x"><edmx:DataServices>` +
			`<Schema Namespace="ns" xmlns="http://docs.oasis-open.org/odata/ns/edm"><x:EntityType Name=""/><ComplexType Name="c"/></Schema>` +
			`</edmx:DataServices></edmx:Edmx>`,
			func(s *entities.Schema) bool { return s.ComplexType("ns.c") != nil && len(s.StructuredTypes()) == 1 }},
		{"trailing content after the root is not read", csdlDoc(`<ComplexType Name="c"/>`) + "<junk",
			func(s *entities.Schema) bool { return s.ComplexType("ns.c") != nil }},
		{"Computed as an element", csdlDoc(`<ComplexType Name="c"><Property Name="a" Type="Edm.String"><Annotation Term="Org.OData.Core.V1.Computed"><Bool>true</Bool></Annotation></Property>` +
			`<Property Name="b" Type="Edm.String"><Annotation Term="Org.OData.Core.V1.Computed"><Bool>false</Bool></Annotation></Property></ComplexType>`),
			func(s *entities.Schema) bool {
				p := s.ComplexType("ns.c").Properties
				return p[0].ReadOnly && !p[1].ReadOnly
			}},
		{"annotations of unknown targets are ignored", csdlDoc(`<Annotations Target="ns.nope/p"><Annotation Term="Org.OData.Core.V1.Computed"/></Annotations>` +
			`<Annotations Target="ns.f(Edm.String)/p"><Annotation Term="Org.OData.Core.V1.Computed"/></Annotations><ComplexType Name="c"/>`),
			func(s *entities.Schema) bool { return s.ComplexType("ns.c") != nil }},
		{"enum values continue after an explicit one", csdlDoc(`<EnumType Name="e"><Member Name="a"/><Member Name="b" Value="5"/><Member Name="c"/></EnumType>`),
			func(s *entities.Schema) bool { return reflect.DeepEqual(s.Enum("ns.e").Values, []int64{0, 5, 6}) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s, err := entities.LoadCSDL(strings.NewReader(tc.doc))
			if err != nil {
				t.Fatal(err)
			}
			if !tc.check(s) {
				t.Errorf("check failed")
			}
		})
	}
}

// csdlCounts are what the document declares, counted by a scan of the raw text that
// shares no code with the loader.
type csdlCounts struct {
	EntityTypes, Abstract, Open, ComplexTypes, EnumTypes int
	EntitySets, Singletons                               int
	Navigation, Containment, Bindings                    int
	BoundFunctions, BoundActions                         int
}

var (
	scanTag   = regexp.MustCompile(`<(EntityType|ComplexType|EnumType|EntitySet|Singleton|NavigationProperty|NavigationPropertyBinding|Function|Action)[\s/>][^>]*>`)
	scanAbs   = regexp.MustCompile(`\sAbstract="true"`)
	scanOpen  = regexp.MustCompile(`\sOpenType="true"`)
	scanCont  = regexp.MustCompile(`\sContainsTarget="true"`)
	scanBound = regexp.MustCompile(`\sIsBound="true"`)
)

func scanCSDL(doc []byte) csdlCounts {
	var c csdlCounts
	for _, m := range scanTag.FindAllSubmatch(doc, -1) {
		tag := m[0]
		switch string(m[1]) {
		case "EntityType":
			c.EntityTypes++
			if scanAbs.Match(tag) {
				c.Abstract++
			}
			if scanOpen.Match(tag) {
				c.Open++
			}
		case "ComplexType":
			c.ComplexTypes++
		case "EnumType":
			c.EnumTypes++
		case "EntitySet":
			c.EntitySets++
		case "Singleton":
			c.Singletons++
		case "NavigationProperty":
			c.Navigation++
			if scanCont.Match(tag) {
				c.Containment++
			}
		case "NavigationPropertyBinding":
			c.Bindings++
		case "Function":
			if scanBound.Match(tag) {
				c.BoundFunctions++
			}
		case "Action":
			if scanBound.Match(tag) {
				c.BoundActions++
			}
		}
	}
	return c
}

func countSchema(s *entities.Schema) csdlCounts {
	var c csdlCounts
	for _, t := range s.StructuredTypes() {
		if t.Kind == entities.KindEntity {
			c.EntityTypes++
			if t.Abstract {
				c.Abstract++
			}
			if t.Open {
				c.Open++
			}
		} else {
			c.ComplexTypes++
		}
		for _, n := range t.NavigationProperties {
			c.Navigation++
			if n.ContainsTarget {
				c.Containment++
			}
		}
	}
	c.EnumTypes = len(s.Enums())
	c.EntitySets = len(s.EntitySets())
	c.Singletons = len(s.Singletons())
	for _, es := range s.EntitySets() {
		c.Bindings += len(es.Bindings)
	}
	for _, sg := range s.Singletons() {
		c.Bindings += len(sg.Bindings)
	}
	for _, op := range s.Operations() {
		switch {
		case !op.IsBound:
		case op.Kind == entities.Function:
			c.BoundFunctions++
		default:
			c.BoundActions++
		}
	}
	return c
}

func TestLoadCSDLFixtureCounts(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"basic.xml", "multi.xml"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			doc, err := os.ReadFile(csdlFixtures + name)
			if err != nil {
				t.Fatal(err)
			}
			s, err := entities.LoadCSDL(bytes.NewReader(doc))
			if err != nil {
				t.Fatal(err)
			}
			if got, want := countSchema(s), scanCSDL(doc); got != want {
				t.Errorf("loaded %+v\nscanned %+v", got, want)
			}
		})
	}
}

func TestLoadCSDLGraphV1(t *testing.T) {
	t.Parallel()
	doc := readShared(t, graphV1CSDL)
	if !bytes.HasPrefix(doc, []byte("\xef\xbb\xbf")) {
		t.Errorf("the v1.0 document no longer starts with a BOM: the BOM case is not exercised")
	}
	s, err := entities.LoadCSDL(bytes.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	got, scanned := countSchema(s), scanCSDL(doc)
	if got != scanned {
		t.Errorf("loaded %+v\nscanned %+v", got, scanned)
	}
	// The figures of the snapshot in ../shared (GRAPH-FACTS.md).
	want := csdlCounts{
		EntityTypes: 1182, Abstract: 94, Open: 60, ComplexTypes: 1780, EnumTypes: 861,
		EntitySets: 40, Singletons: 30, Navigation: 1432, Containment: 1048, Bindings: 101,
		BoundFunctions: 324, BoundActions: 857,
	}
	if got != want {
		t.Errorf("loaded %+v\n  want %+v", got, want)
	}
	tests := []struct {
		name string
		ok   func() bool
	}{
		{"users is a set of user, a directoryObject", func() bool {
			u := s.EntitySet("users")
			return u != nil && u.Type().QualifiedName() == "microsoft.graph.user" &&
				u.Type().IsA(s.EntityType("graph.directoryObject")) && u.Type().KeyProperty().Name == "id"
		}},
		{"user messages are contained", func() bool {
			n := s.EntityType("microsoft.graph.user").NavigationProperty("messages")
			return n != nil && n.ContainsTarget && n.IsCollection() && n.Target().QualifiedName() == "microsoft.graph.message"
		}},
		{"group members bind to directoryObjects", func() bool {
			for _, b := range s.EntitySet("groups").Bindings {
				if b.Path == "members" {
					return b.Target == "directoryObjects"
				}
			}
			return false
		}},
		{"me is a user singleton", func() bool {
			me := s.Singleton("me")
			return me != nil && me.EntityType() == s.EntityType("microsoft.graph.user")
		}},
		{"security types are namespace-qualified", func() bool {
			t := s.EntityType("microsoft.graph.security.alert")
			return t != nil && t.BaseType == "microsoft.graph.entity"
		}},
		{"the v1.0 document has no office365ServicesUserCounts", func() bool {
			return s.StructuredType("microsoft.graph.office365ServicesUserCounts") == nil
		}},
		{"computed and read-only properties", func() bool {
			p, _ := s.EntityType("microsoft.graph.androidStoreApp").Property("packageId")
			return p != nil && p.ReadOnly
		}},
		{"flags enum", func() bool {
			n := 0
			for _, e := range s.Enums() {
				if e.Flags {
					n++
				}
			}
			return n > 0 && n == bytes.Count(doc, []byte(`IsFlags="true"`))
		}},
	}
	for _, tc := range tests {
		if !tc.ok() {
			t.Errorf("%s: not so", tc.name)
		}
	}
}

func TestLoadCSDLGraphBeta(t *testing.T) {
	t.Parallel()
	doc := readShared(t, graphBetaCSDL)
	s, err := entities.LoadCSDL(bytes.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := countSchema(s), scanCSDL(doc); got != want {
		t.Errorf("loaded %+v\nscanned %+v", got, want)
	}
	o := s.EntityType("microsoft.graph.office365ServicesUserCounts")
	if o == nil {
		t.Fatal("no entity type microsoft.graph.office365ServicesUserCounts")
	}
	if o.BaseType != "microsoft.graph.entity" || o.Base() != s.EntityType("graph.entity") || o.KeyProperty() == nil {
		t.Errorf("office365ServicesUserCounts: base %q, key %v", o.BaseType, o.KeyProperty())
	}
	if p, _ := o.Property("reportRefreshDate"); p == nil || p.Ref().Primitive != entities.EdmDate {
		t.Errorf("reportRefreshDate = %+v", p)
	}
	for _, es := range s.EntitySets() {
		if es.Type() == o {
			t.Errorf("entity set %s of office365ServicesUserCounts: the 2021 beta document has none", es.Name)
		}
	}
}

// FuzzLoadCSDL: LoadCSDL never panics; its errors start "csdl: "; a schema it returns is
// resolved, with namespace-qualified names that resolve to the linked types.
func FuzzLoadCSDL(f *testing.F) {
	for _, name := range []string{"basic.xml", "multi.xml"} {
		doc, err := os.ReadFile(csdlFixtures + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(doc)
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		s, err := entities.LoadCSDL(bytes.NewReader(doc))
		if err != nil {
			if s != nil {
				t.Fatalf("schema and error %v", err)
			}
			if !strings.HasPrefix(err.Error(), "csdl: ") {
				t.Fatalf("error without the csdl prefix: %v", err)
			}
			return
		}
		for _, ty := range s.StructuredTypes() {
			if b := ty.Base(); (b == nil) != (ty.BaseType == "") || b != nil && b.QualifiedName() != ty.BaseType {
				t.Fatalf("type %s: base %q resolved to %v", ty.QualifiedName(), ty.BaseType, b)
			}
			for _, p := range ty.AllProperties() {
				r := p.Ref()
				if r.Primitive == entities.NotPrimitive && r.Enum == nil && r.Structured == nil {
					t.Fatalf("property %s/%s: type %q not resolved", ty.QualifiedName(), p.Name, p.Type)
				}
				if r.String() != p.Type {
					t.Fatalf("property %s/%s: type %q resolved as %q", ty.QualifiedName(), p.Name, p.Type, r.String())
				}
			}
			for _, n := range ty.AllNavigationProperties() {
				if n.Target() == nil || n.Target().Kind != entities.KindEntity {
					t.Fatalf("navigation %s/%s: target %v", ty.QualifiedName(), n.Name, n.Target())
				}
			}
		}
		for _, es := range s.EntitySets() {
			if es.Type() == nil || es.Type().QualifiedName() != es.EntityType || es.Type().KeyProperty() == nil {
				t.Fatalf("entity set %s: type %q resolved to %v", es.Name, es.EntityType, es.Type())
			}
		}
		for _, sg := range s.Singletons() {
			if sg.EntityType() == nil || sg.EntityType().QualifiedName() != sg.Type {
				t.Fatalf("singleton %s: type %q resolved to %v", sg.Name, sg.Type, sg.EntityType())
			}
		}
		again, err := entities.LoadCSDL(bytes.NewReader(doc))
		if err != nil || countSchema(again) != countSchema(s) {
			t.Fatalf("second load differs: %v", err)
		}
	})
}

func TestLoadCSDLAlternateKeys(t *testing.T) {
	t.Parallel()
	altKey := func(props ...string) string {
		var refs strings.Builder
		for _, p := range props {
			refs.WriteString(`<Record Type="Org.OData.Core.V1.PropertyRef"><PropertyValue Property="Alias" String="` + p +
				`"/><PropertyValue Property="Name" PropertyPath="` + p + `"/></Record>`)
		}
		return `<Record Type="Org.OData.Core.V1.AlternateKey"><PropertyValue Property="Key"><Collection>` + refs.String() +
			`</Collection></PropertyValue></Record>`
	}
	doc := csdlDoc(`<EntityType Name="app"><Key><PropertyRef Name="id"/></Key>` +
		`<Property Name="id" Type="Edm.String"/><Property Name="appId" Type="Edm.String"/><Property Name="uniqueName" Type="Edm.String"/>` +
		`<Property Name="a" Type="Edm.String"/><Property Name="b" Type="Edm.String"/>` +
		`<Annotation Term="Org.OData.Core.V1.AlternateKeys"><Collection>` + altKey("appId") + altKey("a", "b") + altKey("uniqueName") +
		`</Collection></Annotation></EntityType>` +
		`<EntityType Name="special" BaseType="ns.app"/>` +
		`<EntityType Name="other"><Key><PropertyRef Name="id"/></Key><Property Name="id" Type="Edm.String"/><Property Name="upn" Type="Edm.String"/></EntityType>` +
		`<Annotations Target="ns.other"><Annotation Term="Org.OData.Core.V1.AlternateKeys"><Collection>` + altKey("upn") +
		`</Collection></Annotation></Annotations>`)
	s, err := entities.LoadCSDL(strings.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	app := s.EntityType("ns.app")
	if got := app.AlternateKeys; !slices.Equal(got, []string{"appId", "uniqueName"}) {
		t.Errorf("app alternate keys %q, want appId and uniqueName (a composite key is left out)", got)
	}
	if p := s.EntityType("ns.special").AlternateKey("APPID"); p == nil || p.Name != "appId" {
		t.Errorf("derived type's alternate key appId: %v", p)
	}
	if p := app.AlternateKey("a"); p != nil {
		t.Errorf("a property of a composite alternate key is an alternate key: %v", p)
	}
	if got := s.EntityType("ns.other").AlternateKeys; !slices.Equal(got, []string{"upn"}) {
		t.Errorf("alternate keys through an Annotations element %q, want upn", got)
	}
}
