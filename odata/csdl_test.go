package odata_test

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/graph-emulator/graph-emulator/entities"
	"github.com/graph-emulator/graph-emulator/odata"
)

// Paths relative to the package directory.
const (
	csdlFixtures  = "../testdata/csdl/"
	graphV1CSDL   = "../../shared/graph-metadata/clean_v10_metadata/cleanMetadata.xml"
	graphBetaCSDL = "../../shared/graph-metadata/clean_beta_metadata/cleanMetadata.xml"
)

// schemaDiff lists the differences between two schemas: namespace, aliases, container
// name, every type with its properties (type, nullability, read-only, required),
// navigation properties and key, enums with their values, entity sets and singletons
// with their bindings, operations with parameters and return types, and imports. Type
// names are compared namespace-qualified. Operations are compared namespace by
// namespace, in order (CSDL groups them by Schema element).
func schemaDiff(a, b *entities.Schema) []string {
	var diffs []string
	diff := func(what string, x, y any) {
		if !reflect.DeepEqual(x, y) {
			diffs = append(diffs, fmt.Sprintf("%s:\n\t%+v\n\t%+v", what, x, y))
		}
	}
	diff("namespace", a.Namespace(), b.Namespace())
	diff("container", a.ContainerName(), b.ContainerName())
	diff("aliases", a.Aliases(), b.Aliases())
	diff("types", typeViews(a), typeViews(b))
	diff("enums", enumViews(a), enumViews(b))
	diff("entity sets", setViews(a), setViews(b))
	diff("singletons", singletonViews(a), singletonViews(b))
	diff("operations", operationViews(a), operationViews(b))
	diff("imports", importViews(a), importViews(b))
	return diffs
}

type propView struct {
	Name, Type                  string
	NotNull, ReadOnly, Required bool
}

type navView struct {
	Name, Type, Partner     string
	ContainsTarget, NotNull bool
}

type typeView struct {
	Qualified, Namespace, Name string
	Kind                       entities.Kind
	BaseType                   string
	Abstract, Open             bool
	Key                        []string
	Properties                 []propView
	Navigation                 []navView
}

func typeViews(s *entities.Schema) []typeView {
	var out []typeView
	for _, t := range s.StructuredTypes() {
		v := typeView{
			Qualified: t.QualifiedName(), Namespace: t.Namespace(), Name: t.Name, Kind: t.Kind,
			BaseType: s.CanonicalType(t.BaseType), Abstract: t.Abstract, Open: t.Open, Key: t.Key,
		}
		for _, p := range t.Properties {
			v.Properties = append(v.Properties, propView{p.Name, s.CanonicalType(p.Type), p.NotNull, p.ReadOnly, p.Required})
		}
		for _, n := range t.NavigationProperties {
			v.Navigation = append(v.Navigation, navView{n.Name, s.CanonicalType(n.Type), n.Partner, n.ContainsTarget, n.NotNull})
		}
		out = append(out, v)
	}
	return out
}

type enumView struct {
	Qualified, Namespace string
	Flags                bool
	Members              []string
	Values               []int64
}

func enumViews(s *entities.Schema) []enumView {
	var out []enumView
	for _, e := range s.Enums() {
		out = append(out, enumView{e.QualifiedName(), e.Namespace(), e.Flags, e.Members, e.Values})
	}
	return out
}

type setView struct {
	Name, Type string
	Bindings   []entities.NavigationBinding
}

func bindingViews(s *entities.Schema, bs []entities.NavigationBinding) []entities.NavigationBinding {
	var out []entities.NavigationBinding
	for _, b := range bs {
		segs := strings.Split(b.Path, "/")
		for i := range segs {
			segs[i] = s.CanonicalType(segs[i])
		}
		out = append(out, entities.NavigationBinding{Path: strings.Join(segs, "/"), Target: b.Target})
	}
	return out
}

func setViews(s *entities.Schema) []setView {
	var out []setView
	for _, es := range s.EntitySets() {
		out = append(out, setView{es.Name, s.CanonicalType(es.EntityType), bindingViews(s, es.Bindings)})
	}
	return out
}

func singletonViews(s *entities.Schema) []setView {
	var out []setView
	for _, sg := range s.Singletons() {
		out = append(out, setView{sg.Name, s.CanonicalType(sg.Type), bindingViews(s, sg.Bindings)})
	}
	return out
}

type operationView struct {
	Qualified     string
	Kind          entities.OperationKind
	IsBound       bool
	IsComposable  bool
	EntitySetPath string
	Parameters    []entities.Parameter
	ReturnType    string
}

// operationViews returns the operations by namespace, in declaration order.
func operationViews(s *entities.Schema) map[string][]operationView {
	out := map[string][]operationView{}
	for _, op := range s.Operations() {
		v := operationView{op.QualifiedName(), op.Kind, op.IsBound, op.IsComposable, op.EntitySetPath, nil, s.CanonicalType(op.ReturnType)}
		for _, p := range op.Parameters {
			v.Parameters = append(v.Parameters, entities.Parameter{Name: p.Name, Type: s.CanonicalType(p.Type), NotNull: p.NotNull})
		}
		out[op.Namespace()] = append(out[op.Namespace()], v)
	}
	return out
}

func importViews(s *entities.Schema) []entities.OperationImport {
	var out []entities.OperationImport
	for _, imp := range s.OperationImports() {
		imp.Operation = s.CanonicalType(imp.Operation)
		out = append(out, imp)
	}
	return out
}

// roundTrip writes s, loads the document and checks that the result equals s and that
// writing it again gives the same bytes. It returns the document.
func roundTrip(t *testing.T, s *entities.Schema) []byte {
	t.Helper()
	var first bytes.Buffer
	if err := odata.WriteCSDL(&first, s); err != nil {
		t.Fatalf("WriteCSDL: %v", err)
	}
	back, err := entities.LoadCSDL(bytes.NewReader(first.Bytes()))
	if err != nil {
		t.Fatalf("LoadCSDL(WriteCSDL(s)): %v", err)
	}
	for _, d := range schemaDiff(s, back) {
		t.Errorf("round trip changed %s", d)
	}
	var second bytes.Buffer
	if err := odata.WriteCSDL(&second, back); err != nil {
		t.Fatalf("second WriteCSDL: %v", err)
	}
	if !bytes.Equal(first.Bytes(), second.Bytes()) {
		t.Errorf("writing the loaded schema gives another document (%d bytes, then %d)", first.Len(), second.Len())
	}
	return first.Bytes()
}

func loadFile(t *testing.T, path string, skipIfAbsent bool) *entities.Schema {
	t.Helper()
	doc, err := os.ReadFile(path)
	if err != nil {
		if skipIfAbsent {
			t.Skipf("Graph's CSDL is not available (%v): put msgraph-metadata's clean files in ../shared/graph-metadata beside the repository to run this", err)
		}
		t.Fatal(err)
	}
	s, err := entities.LoadCSDL(bytes.NewReader(doc))
	if err != nil {
		t.Fatalf("LoadCSDL(%s): %v", path, err)
	}
	return s
}

// codeSchema builds, in code, a schema with what a CSDL document cannot give back
// verbatim: alias-qualified names everywhere, Required properties, a default namespace
// without types, an alias of a namespace without types.
func codeSchema() (*entities.Schema, error) {
	s := entities.NewSchema("root.ns")
	s.AddAlias("o", "other.ns")
	s.AddAlias("z", "zeta.ns")
	s.SetContainerName("Code")
	if err := s.AddEnumIn("other.ns", &entities.EnumType{Name: "mode", Members: []string{"a", "b"}}); err != nil {
		return nil, err
	}
	types := []*entities.StructuredType{
		{Name: "base", Kind: entities.KindEntity, Abstract: true, Key: []string{"id"}, Properties: []*entities.Property{
			{Name: "id", Type: "Edm.String", NotNull: true, ReadOnly: true},
		}},
		{Name: "thing", Kind: entities.KindEntity, BaseType: "o.base", Open: true, Properties: []*entities.Property{
			{Name: "title", Type: "Edm.String", Required: true},
			{Name: "mode", Type: "o.mode", Required: true, ReadOnly: true},
			{Name: "modes", Type: "Collection(o.mode)", NotNull: true},
			{Name: "part", Type: "o.part"},
		}, NavigationProperties: []*entities.NavigationProperty{
			{Name: "kids", Type: "Collection(o.thing)", ContainsTarget: true},
			{Name: "parent", Type: "o.thing", NotNull: true, Partner: "kids"},
		}},
		{Name: "part", Kind: entities.KindComplex, Properties: []*entities.Property{
			{Name: "n", Type: "Edm.Int32", Required: true},
		}},
	}
	for _, ty := range types {
		if err := s.AddTypeIn("other.ns", ty); err != nil {
			return nil, err
		}
	}
	if err := s.AddEntitySetWith(&entities.EntitySet{Name: "things", EntityType: "o.thing",
		Bindings: []entities.NavigationBinding{{Path: "o.thing/parent", Target: "things"}}}); err != nil {
		return nil, err
	}
	if err := s.AddSingleton(&entities.Singleton{Name: "root", Type: "o.thing"}); err != nil {
		return nil, err
	}
	ops := []*entities.Operation{
		{Name: "touch", Kind: entities.Action, IsBound: true, Parameters: []entities.Parameter{{Name: "b", Type: "o.thing", NotNull: true}}},
		{Name: "find", Kind: entities.Function, IsComposable: true, Parameters: []entities.Parameter{{Name: "q", Type: "Edm.String"}},
			ReturnType: "Collection(o.thing)", EntitySetPath: ""},
	}
	for _, op := range ops {
		if err := s.AddOperationIn("other.ns", op); err != nil {
			return nil, err
		}
	}
	if err := s.AddOperationImport(entities.OperationImport{Name: "find", Kind: entities.Function, Operation: "o.find", EntitySet: "things"}); err != nil {
		return nil, err
	}
	return s, s.Resolve()
}

func TestWriteCSDLRoundTrip(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		schema func(t *testing.T) *entities.Schema
	}{
		{"fixture basic.xml", func(t *testing.T) *entities.Schema { return loadFile(t, csdlFixtures+"basic.xml", false) }},
		{"fixture multi.xml", func(t *testing.T) *entities.Schema { return loadFile(t, csdlFixtures+"multi.xml", false) }},
		{"built-in v1.0", func(t *testing.T) *entities.Schema { return builtin(t, "v1.0") }},
		{"built-in beta", func(t *testing.T) *entities.Schema { return builtin(t, "beta") }},
		{"test schema", func(t *testing.T) *entities.Schema { return newTestSchema(t) }},
		{"schema built in code", func(t *testing.T) *entities.Schema {
			s, err := codeSchema()
			if err != nil {
				t.Fatal(err)
			}
			return s
		}},
		{"Graph v1.0", func(t *testing.T) *entities.Schema { return loadFile(t, graphV1CSDL, true) }},
		{"Graph beta", func(t *testing.T) *entities.Schema { return loadFile(t, graphBetaCSDL, true) }},
		{"embedded Graph v1.0", func(t *testing.T) *entities.Schema { return embedded(t, "v1.0") }},
		{"embedded Graph beta", func(t *testing.T) *entities.Schema { return embedded(t, "beta") }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			roundTrip(t, tc.schema(t))
		})
	}
}

// embedded returns Graph's embedded schema of a version (entities.Graph).
func embedded(t *testing.T, version string) *entities.Schema {
	t.Helper()
	s, err := entities.Graph(version)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestEmbeddedGraphIsTheCSDL compares Graph's embedded schemas with Microsoft's CSDL
// files they are generated from, loaded with the built-in additions: the same schema.
func TestEmbeddedGraphIsTheCSDL(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ version, path string }{{"v1.0", graphV1CSDL}, {"beta", graphBetaCSDL}} {
		t.Run(tc.version, func(t *testing.T) {
			t.Parallel()
			doc, err := os.ReadFile(tc.path)
			if err != nil {
				t.Skipf("Graph's CSDL is not available (%v)", err)
			}
			loaded, err := entities.LoadCSDL(bytes.NewReader(doc), entities.AddBuiltins)
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range schemaDiff(loaded, embedded(t, tc.version)) {
				t.Errorf("embedded schema differs from the CSDL in %s", d)
			}
		})
	}
}

func builtin(t *testing.T, version string) *entities.Schema {
	t.Helper()
	s, err := entities.Builtin(version)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestSchemaDiff makes sure the equality helper sees each kind of change.
func TestSchemaDiff(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		change func(s *entities.Schema)
		want   string // the first line of the only difference
	}{
		{"property type", func(s *entities.Schema) { s.StructuredType("o.part").Properties[0].Type = "Edm.Int64" }, "types:"},
		{"nullability", func(s *entities.Schema) { s.StructuredType("o.thing").Properties[2].NotNull = false }, "types:"},
		{"read-only", func(s *entities.Schema) { s.StructuredType("o.base").Properties[0].ReadOnly = false }, "types:"},
		{"required", func(s *entities.Schema) { s.StructuredType("o.thing").Properties[0].Required = false }, "types:"},
		{"key", func(s *entities.Schema) { s.StructuredType("o.base").Key = nil }, "types:"},
		{"navigation", func(s *entities.Schema) { s.StructuredType("o.thing").NavigationProperties[0].ContainsTarget = false }, "types:"},
		{"partner", func(s *entities.Schema) { s.StructuredType("o.thing").NavigationProperties[1].Partner = "" }, "types:"},
		{"base type", func(s *entities.Schema) { s.StructuredType("o.thing").BaseType = "" }, "types:"},
		{"open", func(s *entities.Schema) { s.StructuredType("o.thing").Open = false }, "types:"},
		{"enum values", func(s *entities.Schema) { s.Enum("o.mode").Values = []int64{0, 1} }, "enums:"},
		{"enum flags", func(s *entities.Schema) { s.Enum("o.mode").Flags = true }, "enums:"},
		{"binding", func(s *entities.Schema) { s.EntitySet("things").Bindings[0].Target = "x" }, "entity sets:"},
		{"singleton", func(s *entities.Schema) {
			s.Singleton("root").Bindings = []entities.NavigationBinding{{Path: "kids", Target: "things"}}
		}, "singletons:"},
		{"parameter", func(s *entities.Schema) { s.Operations()[0].Parameters[0].NotNull = false }, "operations:"},
		{"return type", func(s *entities.Schema) { s.Operations()[1].ReturnType = "o.thing" }, "operations:"},
		{"composable", func(s *entities.Schema) { s.Operations()[1].IsComposable = false }, "operations:"},
		{"import", func(s *entities.Schema) { s.OperationImports()[0].EntitySet = "" }, "imports:"},
		{"alias", func(s *entities.Schema) { s.AddAlias("y", "other.ns") }, "aliases:"},
		{"container", func(s *entities.Schema) { s.SetContainerName("Other") }, "container:"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			a, err := codeSchema()
			if err != nil {
				t.Fatal(err)
			}
			b, err := codeSchema()
			if err != nil {
				t.Fatal(err)
			}
			if d := schemaDiff(a, b); len(d) != 0 {
				t.Fatalf("equal schemas differ: %v", d)
			}
			tc.change(b)
			d := schemaDiff(a, b)
			if len(d) != 1 || !strings.HasPrefix(d[0], tc.want) {
				t.Errorf("diff = %q, want one starting %q", d, tc.want)
			}
		})
	}
}

func TestWriteCSDLDocument(t *testing.T) {
	t.Parallel()
	s, err := codeSchema()
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := odata.WriteCSDL(&b, s); err != nil {
		t.Fatal(err)
	}
	doc := b.String()
	tests := []struct {
		name string
		want string
	}{
		{"declaration and root", `<?xml version="1.0" encoding="utf-8"?>` + "\n" + `<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx">` + "\n  <edmx:DataServices>\n"},
		{"default namespace first, holding the container", "    <Schema Namespace=\"root.ns\" xmlns=\"http://docs.oasis-open.org/odata/ns/edm\">\n" +
			"      <EntityContainer Name=\"Code\">\n" +
			"        <EntitySet Name=\"things\" EntityType=\"other.ns.thing\">\n" +
			"          <NavigationPropertyBinding Path=\"other.ns.thing/parent\" Target=\"things\" />\n" +
			"        </EntitySet>\n" +
			"        <Singleton Name=\"root\" Type=\"other.ns.thing\" />\n" +
			"        <FunctionImport Name=\"find\" Function=\"other.ns.find\" EntitySet=\"things\" />\n" +
			"      </EntityContainer>\n    </Schema>\n"},
		{"other namespaces sorted, with aliases", "    <Schema Namespace=\"other.ns\" Alias=\"o\" xmlns=\"http://docs.oasis-open.org/odata/ns/edm\">\n"},
		{"a namespace known only by its alias", "    <Schema Namespace=\"zeta.ns\" Alias=\"z\" xmlns=\"http://docs.oasis-open.org/odata/ns/edm\">\n    </Schema>\n"},
		{"enum without values", "      <EnumType Name=\"mode\">\n        <Member Name=\"a\" />\n        <Member Name=\"b\" />\n      </EnumType>\n"},
		{"key and read-only property", "      <EntityType Name=\"base\" Abstract=\"true\">\n        <Key>\n          <PropertyRef Name=\"id\" />\n        </Key>\n" +
			"        <Property Name=\"id\" Type=\"Edm.String\" Nullable=\"false\">\n" +
			"          <Annotation Term=\"Org.OData.Core.V1.Computed\" Bool=\"true\" />\n        </Property>\n      </EntityType>\n"},
		{"namespace-qualified types, navigation", "      <EntityType Name=\"thing\" BaseType=\"other.ns.base\" OpenType=\"true\">\n" +
			"        <Property Name=\"title\" Type=\"Edm.String\" />\n"},
		{"collection of an enum", `<Property Name="modes" Type="Collection(other.ns.mode)" Nullable="false" />`},
		{"containment", `<NavigationProperty Name="kids" Type="Collection(other.ns.thing)" ContainsTarget="true" />`},
		{"partner", `<NavigationProperty Name="parent" Type="other.ns.thing" Nullable="false" Partner="kids" />`},
		{"required properties", "        <Annotation Term=\"Org.OData.Capabilities.V1.InsertRestrictions\">\n          <Record>\n" +
			"            <PropertyValue Property=\"RequiredProperties\">\n              <Collection>\n" +
			"                <PropertyPath>title</PropertyPath>\n                <PropertyPath>mode</PropertyPath>\n"},
		{"bound action", "      <Action Name=\"touch\" IsBound=\"true\">\n        <Parameter Name=\"b\" Type=\"other.ns.thing\" Nullable=\"false\" />\n      </Action>\n"},
		{"composable function", "      <Function Name=\"find\" IsComposable=\"true\">\n        <Parameter Name=\"q\" Type=\"Edm.String\" />\n" +
			"        <ReturnType Type=\"Collection(other.ns.thing)\" />\n      </Function>\n"},
		{"end", "  </edmx:DataServices>\n</edmx:Edmx>\n"},
	}
	for _, tc := range tests {
		if !strings.Contains(doc, tc.want) {
			t.Errorf("%s: document lacks\n%s", tc.name, tc.want)
		}
	}
	if !strings.HasPrefix(doc, tests[0].want) || !strings.HasSuffix(doc, "</edmx:Edmx>\n") {
		t.Errorf("document does not start and end as it should")
	}
	if strings.Index(doc, `Namespace="other.ns"`) > strings.Index(doc, `Namespace="zeta.ns"`) ||
		strings.Index(doc, `Namespace="root.ns"`) > strings.Index(doc, `Namespace="other.ns"`) {
		t.Errorf("Schema elements out of order")
	}
	var again bytes.Buffer
	if err := odata.WriteCSDL(&again, s); err != nil || again.String() != doc {
		t.Errorf("a second write differs (%v)", err)
	}
}

// TestWriteCSDLEscaping writes names that need escaping and reads them back.
func TestWriteCSDLEscaping(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		member  string // an enum member name
		wantErr bool
	}{
		{"markup characters", `a&b<c>d"e'f`, false},
		{"whitespace", "a\tb\nc\rd", false},
		{"non-ASCII", "größe·名前", false},
		{"control character", "a\x01b", true},
		{"invalid UTF-8", "a\xffb", true},
		{"noncharacter", "a\uFFFEb", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := entities.NewSchema("ns")
			if err := s.AddEnum(&entities.EnumType{Name: "e", Members: []string{tc.member}}); err != nil {
				t.Fatal(err)
			}
			if err := s.Resolve(); err != nil {
				t.Fatal(err)
			}
			var b bytes.Buffer
			err := odata.WriteCSDL(&b, s)
			if tc.wantErr {
				if err == nil || !strings.Contains(err.Error(), "cannot be written in XML") {
					t.Fatalf("err = %v, want one about XML", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			roundTrip(t, s)
		})
	}
}

func TestWriteCSDLNoNamespace(t *testing.T) {
	t.Parallel()
	s := entities.NewSchema("")
	if err := s.Resolve(); err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := odata.WriteCSDL(&b, s); err == nil || b.Len() != 0 {
		t.Errorf("err = %v, %d bytes written; want an error and nothing", err, b.Len())
	}
}

// failingWriter fails after n bytes.
type failingWriter struct{ n int }

var errWrite = errors.New("disk full")

func (w *failingWriter) Write(p []byte) (int, error) {
	if len(p) > w.n {
		n := w.n
		w.n = 0
		return n, errWrite
	}
	w.n -= len(p)
	return len(p), nil
}

func TestWriteCSDLWriterError(t *testing.T) {
	t.Parallel()
	s := loadFile(t, csdlFixtures+"basic.xml", false)
	for _, n := range []int{0, 100, 70000} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			t.Parallel()
			big := s
			if n > 64<<10 {
				// A document larger than the buffer, so that the error comes mid-way.
				var err error
				if big, err = entities.LoadCSDL(strings.NewReader(manyTypes(2000))); err != nil {
					t.Fatal(err)
				}
			}
			if err := odata.WriteCSDL(&failingWriter{n: n}, big); !errors.Is(err, errWrite) {
				t.Errorf("err = %v, want %v", err, errWrite)
			}
		})
	}
}

// manyTypes returns a document of n complex types.
func manyTypes(n int) string {
	var b strings.Builder
	b.WriteString(`<edmx:Edmx xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx"><edmx:DataServices><Schema Namespace="ns">`)
	for i := range n {
		fmt.Fprintf(&b, `<ComplexType Name="t%d"><Property Name="p" Type="Edm.String"/></ComplexType>`, i)
	}
	b.WriteString(`</Schema></edmx:DataServices></edmx:Edmx>`)
	return b.String()
}

// FuzzCSDLRoundTrip: whatever LoadCSDL accepts, WriteCSDL writes (or refuses with an
// error) and LoadCSDL reads back to an equal schema.
func FuzzCSDLRoundTrip(f *testing.F) {
	for _, name := range []string{"basic.xml", "multi.xml"} {
		doc, err := os.ReadFile(csdlFixtures + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(doc)
	}
	f.Add([]byte(`<edmx:Edmx xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx"><edmx:DataServices><Schema Namespace="n" Alias="a">` +
		`<EnumType Name="e"><Member Name="x&amp;y" Value="-3"/></EnumType><ComplexType Name="c" OpenType="1"><Property Name="p" Type="a.e"/></ComplexType>` +
		`</Schema></edmx:DataServices></edmx:Edmx>`))
	f.Fuzz(func(t *testing.T, doc []byte) {
		s, err := entities.LoadCSDL(bytes.NewReader(doc))
		if err != nil {
			return
		}
		var b bytes.Buffer
		if err := odata.WriteCSDL(&b, s); err != nil {
			if !strings.Contains(err.Error(), "cannot be written in XML") {
				t.Fatalf("WriteCSDL: %v", err)
			}
			return
		}
		roundTrip(t, s)
	})
}

// BenchmarkWriteCSDLv1 writes Graph's v1.0 schema as CSDL.
func BenchmarkWriteCSDLv1(b *testing.B) {
	doc, err := os.ReadFile(graphV1CSDL)
	if err != nil {
		b.Skipf("Graph's CSDL is not available (%v)", err)
	}
	s, err := entities.LoadCSDL(bytes.NewReader(doc))
	if err != nil {
		b.Fatal(err)
	}
	var out bytes.Buffer
	if err := odata.WriteCSDL(&out, s); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(out.Len()))
	b.ReportAllocs()
	for b.Loop() {
		out.Reset()
		if err := odata.WriteCSDL(&out, s); err != nil {
			b.Fatal(err)
		}
	}
}
