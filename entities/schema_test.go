package entities_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/graph-emulator/graph-emulator/entities"
)

func str(name string) *entities.Property { return &entities.Property{Name: name, Type: "Edm.String"} }

func entity(name, base string, key []string, props ...*entities.Property) *entities.StructuredType {
	return &entities.StructuredType{Name: name, Kind: entities.KindEntity, BaseType: base, Key: key, Properties: props}
}

func complexType(name, base string, props ...*entities.Property) *entities.StructuredType {
	return &entities.StructuredType{Name: name, Kind: entities.KindComplex, BaseType: base, Properties: props}
}

func TestResolveErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		types []*entities.StructuredType
		enums []*entities.EnumType
		sets  [][2]string
		want  string // substring of the error
	}{
		{
			name:  "unknown base type",
			types: []*entities.StructuredType{entity("a", "ns.missing", []string{"id"}, str("id"))},
			want:  `unknown base type "ns.missing"`,
		},
		{
			name: "cycle of two",
			types: []*entities.StructuredType{
				entity("a", "ns.b", []string{"id"}, str("id")),
				entity("b", "ns.a", nil, str("x")),
			},
			want: "cyclic",
		},
		{
			name:  "type is its own base",
			types: []*entities.StructuredType{complexType("a", "ns.a", str("x"))},
			want:  "cyclic",
		},
		{
			name:  "duplicate property in one type",
			types: []*entities.StructuredType{entity("a", "", []string{"id"}, str("id"), str("x"), str("x"))},
			want:  "property x declared twice",
		},
		{
			name: "property redeclares an inherited one",
			types: []*entities.StructuredType{
				entity("a", "", []string{"id"}, str("id"), str("x")),
				entity("b", "ns.a", nil, str("x")),
			},
			want: "type ns.b: property x declared twice",
		},
		{
			name:  "missing key property",
			types: []*entities.StructuredType{entity("a", "", []string{"id"}, str("name"))},
			want:  "key property id not declared",
		},
		{
			name:  "composite key",
			types: []*entities.StructuredType{entity("a", "", []string{"id", "name"}, str("id"), str("name"))},
			want:  "composite keys are not supported",
		},
		{
			name:  "entity set of unknown type",
			types: []*entities.StructuredType{entity("a", "", []string{"id"}, str("id"))},
			sets:  [][2]string{{"bs", "ns.b"}},
			want:  `entity set bs: unknown entity type "ns.b"`,
		},
		{
			name:  "entity set of a complex type",
			types: []*entities.StructuredType{complexType("c", "", str("x"))},
			sets:  [][2]string{{"cs", "ns.c"}},
			want:  `entity set cs: unknown entity type "ns.c"`,
		},
		{
			name:  "entity set of a type without key",
			types: []*entities.StructuredType{entity("a", "", nil, str("id"))},
			sets:  [][2]string{{"as", "ns.a"}},
			want:  "entity set as: type ns.a has no key",
		},
		{
			name: "base type of another kind",
			types: []*entities.StructuredType{
				complexType("c", "", str("x")),
				entity("a", "ns.c", []string{"x"}),
			},
			want: "base type ns.c is of another kind",
		},
		{
			name:  "unknown property type",
			types: []*entities.StructuredType{entity("a", "", []string{"id"}, str("id"), &entities.Property{Name: "p", Type: "ns.nope"})},
			want:  `property ns.a.p: unknown type "ns.nope"`,
		},
		{
			name:  "unknown collection element type",
			types: []*entities.StructuredType{entity("a", "", []string{"id"}, str("id"), &entities.Property{Name: "p", Type: "Collection(Edm.Nope)"})},
			want:  `unknown type "Edm.Nope"`,
		},
		{
			name:  "malformed collection type",
			types: []*entities.StructuredType{entity("a", "", []string{"id"}, str("id"), &entities.Property{Name: "p", Type: "Collection(Edm.String"})},
			want:  "malformed type",
		},
		{
			name:  "property name with a dot",
			types: []*entities.StructuredType{entity("a", "", []string{"id"}, str("id"), str("x.y"))},
			want:  `invalid property name "x.y"`,
		},
		{
			name:  "property name with an at sign",
			types: []*entities.StructuredType{entity("a", "", []string{"id"}, str("id"), str("x@odata.type"))},
			want:  `invalid property name "x@odata.type"`,
		},
		{
			name:  "empty property name",
			types: []*entities.StructuredType{entity("a", "", []string{"id"}, str("id"), str(""))},
			want:  `invalid property name ""`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := entities.NewSchema("ns")
			for _, e := range tt.enums {
				if err := s.AddEnum(e); err != nil {
					t.Fatal(err)
				}
			}
			for _, ty := range tt.types {
				if err := s.AddType(ty); err != nil {
					t.Fatal(err)
				}
			}
			for _, es := range tt.sets {
				if err := s.AddEntitySet(es[0], es[1]); err != nil {
					t.Fatal(err)
				}
			}
			err := s.Resolve()
			if err == nil {
				t.Fatalf("Resolve succeeded, want error containing %q", tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Resolve error = %q, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestAddErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		add  func(s *entities.Schema) error
		want string
	}{
		{
			name: "type twice",
			add: func(s *entities.Schema) error {
				if err := s.AddType(entity("a", "", []string{"id"}, str("id"))); err != nil {
					return err
				}
				return s.AddType(complexType("a", ""))
			},
			want: "type ns.a declared twice",
		},
		{
			name: "same name in two namespaces is fine, twice in one is not",
			add: func(s *entities.Schema) error {
				if err := s.AddTypeIn("other", complexType("a", "")); err != nil {
					return err
				}
				if err := s.AddType(complexType("a", "")); err != nil {
					return err
				}
				return s.AddTypeIn("other", complexType("a", ""))
			},
			want: "type other.a declared twice",
		},
		{
			name: "type without a name",
			add:  func(s *entities.Schema) error { return s.AddType(complexType("", "")) },
			want: "without a name",
		},
		{
			name: "type without a kind",
			add:  func(s *entities.Schema) error { return s.AddType(&entities.StructuredType{Name: "a"}) },
			want: "kind must be entity or complex",
		},
		{
			name: "enum twice",
			add: func(s *entities.Schema) error {
				if err := s.AddEnum(&entities.EnumType{Name: "e", Members: []string{"x"}}); err != nil {
					return err
				}
				return s.AddEnum(&entities.EnumType{Name: "e"})
			},
			want: "enum ns.e declared twice",
		},
		{
			name: "entity set twice",
			add: func(s *entities.Schema) error {
				if err := s.AddEntitySet("as", "ns.a"); err != nil {
					return err
				}
				return s.AddEntitySet("as", "ns.b")
			},
			want: "entity set as declared twice",
		},
		{
			name: "type after resolve",
			add: func(s *entities.Schema) error {
				if err := s.Resolve(); err != nil {
					return err
				}
				return s.AddType(complexType("a", ""))
			},
			want: "already resolved",
		},
		{
			name: "enum after resolve",
			add: func(s *entities.Schema) error {
				if err := s.Resolve(); err != nil {
					return err
				}
				return s.AddEnum(&entities.EnumType{Name: "e"})
			},
			want: "already resolved",
		},
		{
			name: "entity set after resolve",
			add: func(s *entities.Schema) error {
				if err := s.Resolve(); err != nil {
					return err
				}
				return s.AddEntitySet("as", "ns.a")
			},
			want: "already resolved",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := tt.add(entities.NewSchema("ns"))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestResolveTwice(t *testing.T) {
	t.Parallel()
	s := newTestSchema(t)
	before := mustType(t, s, "t.item").AllProperties()
	if err := s.Resolve(); err != nil {
		t.Fatalf("second Resolve: %v", err)
	}
	after := mustType(t, s, "t.item").AllProperties()
	if len(before) != len(after) || &before[0] != &after[0] {
		t.Fatalf("second Resolve rebuilt the property list")
	}
}

func TestResolveAcrossNamespaces(t *testing.T) {
	t.Parallel()
	s := entities.NewSchema("main.ns")
	s.AddAlias("o", "other.ns")
	if err := s.AddTypeIn("other.ns", complexType("point", "", &entities.Property{Name: "x", Type: "Edm.Int32"})); err != nil {
		t.Fatal(err)
	}
	if err := s.AddEnumIn("other.ns", &entities.EnumType{Name: "mood", Members: []string{"calm"}}); err != nil {
		t.Fatal(err)
	}
	if err := s.AddTypeIn("other.ns", entity("root", "", []string{"id"}, str("id"))); err != nil {
		t.Fatal(err)
	}
	if err := s.AddType(entity("thing", "o.root", nil,
		&entities.Property{Name: "at", Type: "other.ns.point"},
		&entities.Property{Name: "mood", Type: "o.mood"},
		&entities.Property{Name: "path", Type: "Collection(o.point)"},
	)); err != nil {
		t.Fatal(err)
	}
	if err := s.AddEntitySet("things", "main.ns.thing"); err != nil {
		t.Fatal(err)
	}
	if err := s.Resolve(); err != nil {
		t.Fatal(err)
	}
	thing := s.EntityType("main.ns.thing")
	if thing == nil {
		t.Fatal("thing not found")
	}
	if got := thing.Namespace(); got != "main.ns" {
		t.Errorf("Namespace = %q", got)
	}
	root := s.EntityType("o.root")
	if thing.Base() != root || root.Namespace() != "other.ns" || root.QualifiedName() != "other.ns.root" {
		t.Errorf("base = %v, root = %v", thing.Base(), root)
	}
	at, _ := thing.Property("at")
	if ref := at.Ref(); ref.Structured != s.ComplexType("other.ns.point") || ref.Collection || ref.String() != "other.ns.point" {
		t.Errorf("at.Ref() = %+v", ref)
	}
	mood, _ := thing.Property("mood")
	if ref := mood.Ref(); ref.Enum != s.Enum("other.ns.mood") || ref.Enum == nil || ref.Name() != "o.mood" {
		t.Errorf("mood.Ref() = %+v", ref)
	}
	path, _ := thing.Property("path")
	if ref := path.Ref(); !ref.Collection || ref.Structured == nil || ref.String() != "Collection(o.point)" || ref.Name() != "o.point" {
		t.Errorf("path.Ref() = %+v (%s)", ref, ref)
	}
	if got := s.EntitySet("things").Type(); got != thing {
		t.Errorf("set type = %v", got)
	}
}

func TestInheritance(t *testing.T) {
	t.Parallel()
	s := newTestSchema(t)
	base, item, special, other := mustType(t, s, "t.base"), mustType(t, s, "t.item"), mustType(t, s, "t.special"), mustType(t, s, "t.other")

	t.Run("AllProperties order", func(t *testing.T) {
		t.Parallel()
		all := special.AllProperties()
		want := []string{"id"}
		for _, p := range item.Properties {
			want = append(want, p.Name)
		}
		want = append(want, "extra")
		var got []string
		for _, p := range all {
			got = append(got, p.Name)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("AllProperties = %v\nwant %v", got, want)
		}
		if all[0] != base.Properties[0] {
			t.Errorf("inherited property is not the base's *Property")
		}
		if len(special.Properties) != 1 {
			t.Errorf("Properties (declared) = %d entries, want 1", len(special.Properties))
		}
	})
	t.Run("Property index", func(t *testing.T) {
		t.Parallel()
		for i, p := range special.AllProperties() {
			got, idx := special.Property(p.Name)
			if got != p || idx != i {
				t.Errorf("Property(%q) = %p, %d; want %p, %d", p.Name, got, idx, p, i)
			}
		}
		if p, idx := special.Property("nope"); p != nil || idx != -1 {
			t.Errorf("Property(nope) = %v, %d", p, idx)
		}
		if p, idx := item.Property("extra"); p != nil || idx != -1 {
			t.Errorf("base type sees a derived property: %v, %d", p, idx)
		}
		if _, idx := item.Property("s"); idx != 1 {
			t.Errorf("item index of s = %d, want 1 (after the inherited id)", idx)
		}
	})
	t.Run("IsA", func(t *testing.T) {
		t.Parallel()
		cases := []struct {
			a, b *entities.StructuredType
			want bool
		}{
			{special, special, true},
			{special, item, true},
			{special, base, true},
			{item, special, false},
			{base, item, false},
			{other, item, false},
			{other, base, true},
			{item, nil, false},
		}
		for _, c := range cases {
			if got := c.a.IsA(c.b); got != c.want {
				t.Errorf("%s.IsA(%v) = %v, want %v", c.a.Name, c.b, got, c.want)
			}
		}
	})
	t.Run("KeyProperty inherited", func(t *testing.T) {
		t.Parallel()
		id := base.Properties[0]
		for _, ty := range []*entities.StructuredType{base, item, special, other} {
			if got := ty.KeyProperty(); got != id {
				t.Errorf("%s.KeyProperty() = %v, want base id", ty.Name, got)
			}
		}
		if k := mustType(t, s, "t.address").KeyProperty(); k != nil {
			t.Errorf("complex type has key %v", k)
		}
	})
	t.Run("Base and names", func(t *testing.T) {
		t.Parallel()
		if special.Base() != item || item.Base() != base || base.Base() != nil {
			t.Errorf("base chain broken")
		}
		if special.QualifiedName() != "test.ns.special" || special.Namespace() != testNS {
			t.Errorf("names: %q %q", special.QualifiedName(), special.Namespace())
		}
		if entities.KindEntity.String() != "entity" || entities.KindComplex.String() != "complex" || entities.Kind(0).String() != "unknown" {
			t.Errorf("Kind.String broken")
		}
	})
	t.Run("key declared on a derived type", func(t *testing.T) {
		t.Parallel()
		s := entities.NewSchema("ns")
		for _, ty := range []*entities.StructuredType{
			entity("a", "", nil, str("code")),
			entity("b", "ns.a", []string{"code"}, str("name")),
			entity("c", "ns.b", nil, str("more")),
		} {
			if err := s.AddType(ty); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.Resolve(); err != nil {
			t.Fatal(err)
		}
		a, b, c := s.EntityType("ns.a"), s.EntityType("ns.b"), s.EntityType("ns.c")
		if a.KeyProperty() != nil {
			t.Errorf("a has a key")
		}
		if b.KeyProperty() == nil || b.KeyProperty().Name != "code" || c.KeyProperty() != b.KeyProperty() {
			t.Errorf("b key %v, c key %v", b.KeyProperty(), c.KeyProperty())
		}
	})
}

func TestLookup(t *testing.T) {
	t.Parallel()
	s := newTestSchema(t)
	item := mustType(t, s, "test.ns.item")
	tests := []struct {
		name   string
		lookup func(string) any
		arg    string
		want   any
	}{
		{"entity by qualified name", entityLookup(s), "test.ns.item", item},
		{"entity by alias", entityLookup(s), "t.item", item},
		{"entity by #alias", entityLookup(s), "#t.item", item},
		{"entity by #namespace", entityLookup(s), "#test.ns.item", item},
		{"entity unknown", entityLookup(s), "t.nope", (*entities.StructuredType)(nil)},
		{"entity unknown alias", entityLookup(s), "x.item", (*entities.StructuredType)(nil)},
		{"entity simple name", entityLookup(s), "item", (*entities.StructuredType)(nil)},
		{"entity lookup of a complex type", entityLookup(s), "t.address", (*entities.StructuredType)(nil)},
		{"complex by #alias", complexLookup(s), "#t.address", mustType(t, s, "test.ns.address")},
		{"complex lookup of an entity type", complexLookup(s), "t.item", (*entities.StructuredType)(nil)},
		{"structured finds both", structLookup(s), "#t.item", item},
		{"enum by alias", enumLookup(s), "t.color", s.Enum("test.ns.color")},
		{"enum by #namespace", enumLookup(s), "#test.ns.perms", s.Enum("t.perms")},
		{"enum unknown", enumLookup(s), "t.item", (*entities.EnumType)(nil)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := tt.lookup(tt.arg); got != tt.want {
				t.Fatalf("lookup(%q) = %v, want %v", tt.arg, got, tt.want)
			}
		})
	}
	if e := s.Enum("test.ns.color"); e == nil || e.QualifiedName() != "test.ns.color" || !e.HasMember("red") || e.HasMember("Red") {
		t.Errorf("color enum = %+v", e)
	}
	if es := s.EntitySet("items"); es == nil || es.Type() != item || es.EntityType != "t.item" || es.Name != "items" {
		t.Errorf("EntitySet(items) = %+v", es)
	}
	if s.EntitySet("nope") != nil || s.EntitySet("t.item") != nil {
		t.Errorf("EntitySet finds what is not a set")
	}
	var names []string
	for _, es := range s.EntitySets() {
		names = append(names, es.Name)
	}
	if want := []string{"items", "things", "forms"}; !reflect.DeepEqual(names, want) {
		t.Errorf("EntitySets = %v, want %v (declaration order)", names, want)
	}
	if s.Namespace() != testNS {
		t.Errorf("Namespace = %q", s.Namespace())
	}
}

func entityLookup(s *entities.Schema) func(string) any {
	return func(n string) any { return s.EntityType(n) }
}

func complexLookup(s *entities.Schema) func(string) any {
	return func(n string) any { return s.ComplexType(n) }
}

func structLookup(s *entities.Schema) func(string) any {
	return func(n string) any { return s.StructuredType(n) }
}

func enumLookup(s *entities.Schema) func(string) any {
	return func(n string) any { return s.Enum(n) }
}

func TestPrimitiveJSONKind(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		p    entities.Primitive
		want entities.JSONKind
	}{
		{"string", entities.EdmString, entities.JSONString},
		{"boolean", entities.EdmBoolean, entities.JSONBool},
		{"byte", entities.EdmByte, entities.JSONNumber},
		{"sbyte", entities.EdmSByte, entities.JSONNumber},
		{"int16", entities.EdmInt16, entities.JSONNumber},
		{"int32", entities.EdmInt32, entities.JSONNumber},
		{"int64", entities.EdmInt64, entities.JSONNumber},
		{"single", entities.EdmSingle, entities.JSONNumber},
		{"double", entities.EdmDouble, entities.JSONNumber},
		{"decimal", entities.EdmDecimal, entities.JSONNumber},
		{"date", entities.EdmDate, entities.JSONString},
		{"dateTimeOffset", entities.EdmDateTimeOffset, entities.JSONString},
		{"timeOfDay", entities.EdmTimeOfDay, entities.JSONString},
		{"duration", entities.EdmDuration, entities.JSONString},
		{"guid", entities.EdmGuid, entities.JSONString},
		{"binary", entities.EdmBinary, entities.JSONString},
		{"stream", entities.EdmStream, entities.JSONString},
		{"untyped", entities.EdmUntyped, entities.JSONAny},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := tt.p.JSONKind(); got != tt.want {
				t.Fatalf("JSONKind = %v, want %v", got, tt.want)
			}
		})
	}
}
