package entities_test

import (
	"errors"
	"fmt"
	"reflect"
	"testing"

	"github.com/graph-emulator/graph-emulator/entities"
)

// testNS is the namespace of the small schema the payload tests read against; "t" is its alias.
const testNS = "test.ns"

// newTestSchema builds a small resolved schema that exercises every Edm kind, enums (plain
// and flags), complex types with a derived and an abstract one, an abstract entity base,
// a derived entity, an open entity, and read-only, required and not-null properties.
func newTestSchema(tb testing.TB) *entities.Schema {
	tb.Helper()
	s, err := buildTestSchema()
	if err != nil {
		tb.Fatalf("test schema: %v", err)
	}
	return s
}

func buildTestSchema() (*entities.Schema, error) {
	s := entities.NewSchema(testNS)
	s.AddAlias("t", testNS)
	enums := []*entities.EnumType{
		{Name: "color", Members: []string{"red", "green", "blue"}},
		{Name: "perms", Flags: true, Members: []string{"read", "write", "admin"}},
	}
	for _, e := range enums {
		if err := s.AddEnum(e); err != nil {
			return nil, err
		}
	}
	types := []*entities.StructuredType{
		{Name: "address", Kind: entities.KindComplex, Properties: []*entities.Property{
			{Name: "street", Type: "Edm.String"},
			{Name: "city", Type: "Edm.String", NotNull: true},
		}},
		{Name: "geoAddress", Kind: entities.KindComplex, BaseType: "t.address", Properties: []*entities.Property{
			{Name: "lat", Type: "Edm.Double"},
		}},
		{Name: "shape", Kind: entities.KindComplex, Abstract: true, Properties: []*entities.Property{
			{Name: "label", Type: "Edm.String"},
		}},
		{Name: "circle", Kind: entities.KindComplex, BaseType: "test.ns.shape", Properties: []*entities.Property{
			{Name: "radius", Type: "Edm.Double"},
		}},
		{Name: "base", Kind: entities.KindEntity, Abstract: true, Key: []string{"id"}, Properties: []*entities.Property{
			{Name: "id", Type: "Edm.String", NotNull: true},
		}},
		{Name: "item", Kind: entities.KindEntity, BaseType: "t.base", Properties: []*entities.Property{
			{Name: "s", Type: "Edm.String"},
			{Name: "b", Type: "Edm.Boolean"},
			{Name: "by", Type: "Edm.Byte"},
			{Name: "sb", Type: "Edm.SByte"},
			{Name: "i16", Type: "Edm.Int16"},
			{Name: "i32", Type: "Edm.Int32"},
			{Name: "i64", Type: "Edm.Int64"},
			{Name: "f", Type: "Edm.Single"},
			{Name: "d", Type: "Edm.Double"},
			{Name: "dec", Type: "Edm.Decimal"},
			{Name: "date", Type: "Edm.Date"},
			{Name: "dto", Type: "Edm.DateTimeOffset"},
			{Name: "tod", Type: "Edm.TimeOfDay"},
			{Name: "dur", Type: "Edm.Duration"},
			{Name: "g", Type: "Edm.Guid"},
			{Name: "bin", Type: "Edm.Binary"},
			{Name: "u", Type: "Edm.Untyped"},
			{Name: "color", Type: "t.color"},
			{Name: "perms", Type: "test.ns.perms"},
			{Name: "addr", Type: "t.address"},
			{Name: "addrs", Type: "Collection(t.address)"},
			{Name: "tags", Type: "Collection(Edm.String)"},
			{Name: "nums", Type: "Collection(Edm.Int32)"},
			{Name: "colors", Type: "Collection(t.color)"},
			{Name: "strictTags", Type: "Collection(Edm.String)", NotNull: true},
			{Name: "nn", Type: "Edm.String", NotNull: true},
			{Name: "shape", Type: "t.shape"},
		}},
		{Name: "special", Kind: entities.KindEntity, BaseType: "t.item", Properties: []*entities.Property{
			{Name: "extra", Type: "Edm.String"},
		}},
		{Name: "other", Kind: entities.KindEntity, BaseType: "t.base", Properties: []*entities.Property{
			{Name: "o", Type: "Edm.String"},
		}},
		{Name: "openThing", Kind: entities.KindEntity, BaseType: "t.base", Open: true, Properties: []*entities.Property{
			{Name: "name", Type: "Edm.String"},
		}},
		{Name: "form", Kind: entities.KindEntity, Key: []string{"id"}, Properties: []*entities.Property{
			{Name: "id", Type: "Edm.String", NotNull: true, ReadOnly: true},
			{Name: "title", Type: "Edm.String", Required: true},
			{Name: "secret", Type: "Edm.String", ReadOnly: true},
			{Name: "addr", Type: "t.address"},
		}},
	}
	wide := &entities.StructuredType{Name: "wide", Kind: entities.KindEntity, BaseType: "t.base"}
	for i := range 70 {
		wide.Properties = append(wide.Properties, &entities.Property{Name: fmt.Sprintf("p%d", i), Type: "Edm.Int32"})
	}
	types = append(types, wide)
	for _, t := range types {
		if err := s.AddType(t); err != nil {
			return nil, err
		}
	}
	for _, es := range [][2]string{{"items", "t.item"}, {"things", "test.ns.openThing"}, {"forms", "t.form"}} {
		if err := s.AddEntitySet(es[0], es[1]); err != nil {
			return nil, err
		}
	}
	if err := s.Resolve(); err != nil {
		return nil, err
	}
	return s, nil
}

// mustType returns the named structured type of s or stops the test.
func mustType(tb testing.TB, s *entities.Schema, name string) *entities.StructuredType {
	tb.Helper()
	t := s.StructuredType(name)
	if t == nil {
		tb.Fatalf("type %s not found", name)
	}
	return t
}

// checkErr asserts that err holds an error of want's dynamic type whose fields equal want's.
// An InvalidValueError's Reason is compared only when want sets it (it must be non-empty).
func checkErr(t *testing.T, err, want error) {
	t.Helper()
	if want == nil {
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
		return
	}
	if err == nil {
		t.Fatalf("no error, want %T %+v", want, want)
	}
	target := reflect.New(reflect.TypeOf(want))
	if !errors.As(err, target.Interface()) {
		t.Fatalf("error %T (%v), want %T", err, err, want)
	}
	got := target.Elem().Interface()
	if inv, ok := got.(*entities.InvalidValueError); ok {
		if inv.Reason == "" {
			t.Errorf("InvalidValueError without a reason: %+v", inv)
		}
		if w := want.(*entities.InvalidValueError); w.Reason == "" {
			c := *inv
			c.Reason = ""
			got = &c
		}
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("error = %#v\nwant    %#v", got, want)
	}
	if err.Error() == "" {
		t.Errorf("empty error text")
	}
	if !entities.IsPayloadError(err) {
		t.Errorf("IsPayloadError(%v) = false", err)
	}
}

// fieldNames returns the names of a payload's fields in order.
func fieldNames(p *entities.Payload) []string {
	names := make([]string, len(p.Fields))
	for i, f := range p.Fields {
		names[i] = f.Name
	}
	return names
}
