package odata_test

import (
	"testing"

	"github.com/graph-emulator/graph-emulator/entities"
)

// newTestSchema builds a small resolved schema: entity sets widgets (test.ns.widget, key id)
// and gadgets (test.ns.gadget, key code, an open type).
func newTestSchema(tb testing.TB) *entities.Schema {
	tb.Helper()
	s := entities.NewSchema("test.ns")
	s.AddAlias("t", "test.ns")
	types := []*entities.StructuredType{
		{Name: "part", Kind: entities.KindComplex, Properties: []*entities.Property{
			{Name: "size", Type: "Edm.Int32"},
		}},
		{Name: "widget", Kind: entities.KindEntity, Key: []string{"id"}, AlternateKeys: []string{"serial"}, Properties: []*entities.Property{
			{Name: "id", Type: "Edm.String", NotNull: true},
			{Name: "name", Type: "Edm.String", Required: true},
			{Name: "count", Type: "Edm.Int64"},
			{Name: "born", Type: "Edm.Date"},
			{Name: "serial", Type: "Edm.String", ReadOnly: true},
			{Name: "part", Type: "t.part"},
		}},
		{Name: "abstractGadget", Kind: entities.KindEntity, Abstract: true, Key: []string{"code"}, Properties: []*entities.Property{
			{Name: "code", Type: "Edm.String"},
		}},
		{Name: "gadget", Kind: entities.KindEntity, BaseType: "t.abstractGadget", Open: true},
	}
	for _, ty := range types {
		if err := s.AddType(ty); err != nil {
			tb.Fatal(err)
		}
	}
	for _, es := range [][2]string{{"widgets", "t.widget"}, {"gadgets", "t.gadget"}} {
		if err := s.AddEntitySet(es[0], es[1]); err != nil {
			tb.Fatal(err)
		}
	}
	if err := s.Resolve(); err != nil {
		tb.Fatal(err)
	}
	return s
}
