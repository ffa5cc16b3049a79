package emulator

import (
	"testing"

	"github.com/graph-emulator/graph-emulator/entities"
)

func TestMergeBody(t *testing.T) {
	t.Parallel()
	s := entities.NewSchema("m")
	if err := s.AddType(&entities.StructuredType{Name: "thing", Kind: entities.KindEntity, Open: true, Key: []string{"id"},
		Properties: []*entities.Property{
			{Name: "id", Type: "Edm.String", NotNull: true},
			{Name: "a", Type: "Edm.Int32"}, {Name: "b", Type: "Edm.Int32"}, {Name: "c", Type: "Edm.Int32"}, {Name: "d", Type: "Edm.Int32"},
		}}); err != nil {
		t.Fatal(err)
	}
	if err := s.Resolve(); err != nil {
		t.Fatal(err)
	}
	typ := s.EntityType("m.thing")
	tests := []struct {
		name, stored, patch, want string
	}{
		{"replace in place", `{"id":"1","a":1,"b":2}`, `{"b":20}`, `{"id":"1","a":1,"b":20}`},
		{"insert in schema order", `{"id":"1","a":1,"d":4}`, `{"c":3,"b":2}`, `{"id":"1","a":1,"b":2,"c":3,"d":4}`},
		{"append after the last declared", `{"id":"1","a":1}`, `{"d":4}`, `{"id":"1","a":1,"d":4}`},
		{"null clears", `{"id":"1","a":1,"b":2}`, `{"a":null}`, `{"id":"1","a":null,"b":2}`},
		{"dynamic replaced in place and appended", `{"id":"1","a":1,"x":1,"y":2}`, `{"z":3,"x":10,"b":2}`, `{"id":"1","a":1,"b":2,"x":10,"y":2,"z":3}`},
		{"declared before dynamic", `{"id":"1","x":1}`, `{"a":1}`, `{"id":"1","a":1,"x":1}`},
		{"same key kept", `{"id":"1","a":1}`, `{"id":"1","a":2}`, `{"id":"1","a":2}`},
		{"nested values compacted", `{"id":"1"}`, `{"x": { "k" : [1, 2] }}`, `{"id":"1","x":{"k":[1,2]}}`},
		{"empty patch", `{"id":"1","a":1}`, `{}`, `{"id":"1","a":1}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p, err := s.ReadPayload(typ, []byte(tt.patch), entities.ReadOptions{Partial: true})
			if err != nil {
				t.Fatal(err)
			}
			if got := string(mergeBody(typ, "id", []byte(tt.stored), p.Fields)); got != tt.want {
				t.Errorf("mergeBody = %s, want %s", got, tt.want)
			}
		})
	}
}
