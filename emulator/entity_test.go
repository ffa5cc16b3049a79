package emulator

import (
	"testing"

	"github.com/tidwall/gjson"

	"github.com/graph-emulator/graph-emulator/entities"
	"github.com/graph-emulator/graph-emulator/odata"
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

// FuzzMergeBody merges arbitrary patches into a stored body: the result is always a valid
// JSON object that holds every patched member with its new value, keeps the key, and
// equals what rendering the merged members in schema order would give.
func FuzzMergeBody(f *testing.F) {
	s := entities.NewSchema("m")
	if err := s.AddType(&entities.StructuredType{Name: "thing", Kind: entities.KindEntity, Open: true, Key: []string{"id"},
		Properties: []*entities.Property{
			{Name: "id", Type: "Edm.String", NotNull: true},
			{Name: "a", Type: "Edm.Int32"}, {Name: "b", Type: "Edm.String"}, {Name: "c", Type: "Collection(Edm.Int32)"},
		}}); err != nil {
		f.Fatal(err)
	}
	if err := s.Resolve(); err != nil {
		f.Fatal(err)
	}
	typ := s.EntityType("m.thing")
	f.Add(`{"a":1,"x":true}`, `{"b":"x","y":[1]}`)
	f.Add(`{}`, `{"c":[1,2],"a":null}`)
	f.Add(`{"b":"é\"","z":{"k":1}}`, `{"z":null,"id":"k"}`)
	f.Fuzz(func(t *testing.T, create, patch string) {
		p0, err := s.ReadPayload(typ, []byte(create), entities.ReadOptions{})
		if err != nil {
			return
		}
		stored := renderBody("id", "k", p0.Fields)
		if !gjson.ValidBytes(stored) {
			t.Fatalf("renderBody gave invalid JSON %s", stored)
		}
		p1, err := s.ReadPayload(typ, []byte(patch), entities.ReadOptions{Partial: true})
		if err != nil {
			return
		}
		merged := mergeBody(typ, "id", stored, p1.Fields)
		if !gjson.ValidBytes(merged) {
			t.Fatalf("mergeBody(%s, %s) gave invalid JSON %s", stored, patch, merged)
		}
		if got := gjson.GetBytes(merged, "id").String(); got != "k" {
			t.Fatalf("key changed to %q in %s", got, merged)
		}
		for _, f := range p1.Fields {
			if f.Name == "id" {
				continue
			}
			got := gjson.GetBytes(merged, escapePath(f.Name))
			want := gjson.Parse(f.Raw)
			if !got.Exists() || compact(got.Raw) != compact(want.Raw) {
				t.Fatalf("member %s = %s, want %s in %s", f.Name, got.Raw, f.Raw, merged)
			}
		}
		// Merging again with the same patch changes nothing.
		if again := mergeBody(typ, "id", merged, p1.Fields); string(again) != string(merged) {
			t.Fatalf("merge is not idempotent: %s then %s", merged, again)
		}
	})
}

func compact(raw string) string { return string(odata.AppendRaw(nil, raw)) }
