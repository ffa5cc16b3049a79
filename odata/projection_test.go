package odata_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/tidwall/gjson"

	"github.com/graph-emulator/graph-emulator/entities"
	"github.com/graph-emulator/graph-emulator/odata"
)

// projectionSchema has a person (id, name, phones, age, address, photo) and an open
// thing (id, label).
func projectionSchema(tb testing.TB) *entities.Schema {
	tb.Helper()
	s := entities.NewSchema("p")
	for _, ty := range []*entities.StructuredType{
		{Name: "address", Kind: entities.KindComplex, Properties: []*entities.Property{{Name: "city", Type: "Edm.String"}}},
		{Name: "person", Kind: entities.KindEntity, Key: []string{"id"}, Properties: []*entities.Property{
			{Name: "id", Type: "Edm.String", NotNull: true},
			{Name: "name", Type: "Edm.String"},
			{Name: "phones", Type: "Collection(Edm.String)"},
			{Name: "age", Type: "Edm.Int32"},
			{Name: "address", Type: "p.address"},
		}},
		{Name: "thing", Kind: entities.KindEntity, Key: []string{"id"}, Open: true, Properties: []*entities.Property{
			{Name: "id", Type: "Edm.String", NotNull: true},
			{Name: "label", Type: "Edm.String"},
		}},
	} {
		if err := s.AddType(ty); err != nil {
			tb.Fatal(err)
		}
	}
	if err := s.Resolve(); err != nil {
		tb.Fatal(err)
	}
	return s
}

func TestProjection(t *testing.T) {
	t.Parallel()
	s := projectionSchema(t)
	person, thing := s.EntityType("p.person"), s.EntityType("p.thing")
	all := odata.NewProjection(person, []string{"id", "name", "phones", "age", "address"}, true)
	noAge := odata.NewProjection(person, []string{"id", "name", "phones", "address"}, true)
	graphOrder := odata.NewProjection(person, []string{"phones", "name", "nope", "id"}, false)
	open := odata.NewProjection(thing, []string{"id", "label"}, true)
	closed := odata.NewProjection(thing, []string{"id", "label"}, false)
	cases := []struct {
		name string
		p    *odata.Projection
		body string
		want string
	}{
		{"complete, as stored", all, `{"id":"1","name":"Ada","phones":["1"],"age":36,"address":{"city":"X"}}`,
			`{"id":"1","name":"Ada","phones":["1"],"age":36,"address":{"city":"X"}}`},
		{"unset as null and []", all, `{"id":"1","age":36}`, `{"id":"1","name":null,"phones":[],"age":36,"address":null}`},
		{"empty entity", all, `{}`, `{"id":null,"name":null,"phones":[],"age":null,"address":null}`},
		{"a property left out", noAge, `{"id":"1","name":"Ada","age":36}`, `{"id":"1","name":"Ada","phones":[],"address":null}`},
		{"stored out of order", noAge, `{"name":"Ada","id":"1","address":{"city":"X"}}`, `{"id":"1","name":"Ada","phones":[],"address":{"city":"X"}}`},
		{"Graph's order", graphOrder, `{"id":"1","name":"Ada","age":36}`, `{"phones":[],"name":"Ada","id":"1"}`},
		{"dynamic kept last", open, `{"id":"1","label":"L","extra":{"a":1}}`, `{"id":"1","label":"L","extra":{"a":1}}`},
		{"dynamic after unset", open, `{"id":"1","extra":true}`, `{"id":"1","label":null,"extra":true}`},
		{"dynamic out of order", open, `{"extra":true,"label":"L","id":"1"}`, `{"id":"1","label":"L","extra":true}`},
		{"dynamic dropped", closed, `{"id":"1","extra":true}`, `{"id":"1","label":null}`},
		{"spaces", all, ` { "id" : "1" , "name":"A}\",{" ,"phones": [ "1" , "]" ] } `, `{"id" : "1" , "name":"A}\",{" ,"phones": [ "1" , "]" ],"age":null,"address":null}`},
		{"an escaped name", graphOrder, `{"id":"1","n\u0061me":"Ada"}`, `{"phones":[],"n\u0061me":"Ada","id":"1"}`},
		{"an escaped name in order", all, `{"id":"1","n\u0061me":"Ada"}`, `{"id":"1","n\u0061me":"Ada","phones":[],"age":null,"address":null}`},
		{"an annotation kept in place", noAge, `{"@a.b":"u","id":"1","name":"Ada"}`, `{"@a.b":"u","id":"1","name":"Ada","phones":[],"address":null}`},
		{"an annotation first out of order", graphOrder, `{"id":"1","@a.b":"u","name":"Ada"}`, `{"@a.b":"u","phones":[],"name":"Ada","id":"1"}`},
		{"nested objects", all, `{"id":"1","address":{"city":"{[\"]}"},"age":2}`, `{"id":"1","name":null,"phones":[],"age":2,"address":{"city":"{[\"]}"}}`},
	}
	for _, tc := range cases {
		if got := string(odata.AppendProjected([]byte("x"), []byte(tc.body), tc.p)); got != "x"+tc.want {
			t.Errorf("%s: AppendProjected\n got %s\nwant x%s", tc.name, got, tc.want)
		}
		want := `{"@odata.context":"c","@odata.type":"#p.t","@odata.etag":"W/\"1\"",` + tc.want[1:]
		if got := string(odata.AppendEntityProjected(nil, "c", "p.t", `W/"1"`, []byte(tc.body), tc.p)); got != want {
			t.Errorf("%s: AppendEntityProjected\n got %s\nwant %s", tc.name, got, want)
		}
	}
	empty := odata.NewProjection(person, nil, false)
	if got := string(odata.AppendEntityProjected(nil, "c", "", "", []byte(`{"id":"1"}`), empty)); got != `{"@odata.context":"c"}` {
		t.Errorf("empty projection: %s", got)
	}
	if got := string(odata.AppendProjected(nil, []byte(`{"id":"1"}`), empty)); got != `{}` {
		t.Errorf("empty projection, no annotations: %s", got)
	}
	if n := len(graphOrder.Names()); n != 3 {
		t.Errorf("names %v: the unknown one is left out", graphOrder.Names())
	}
}

// TestProjectionAllocs: writing an entity with its default set allocates nothing, in
// canonical order or not.
func TestProjectionAllocs(t *testing.T) {
	s := projectionSchema(t)
	person := s.EntityType("p.person")
	inOrder := odata.NewProjection(person, []string{"id", "name", "phones", "age", "address"}, true)
	anyOrder := odata.NewProjection(person, []string{"phones", "name", "id"}, false)
	body := []byte(`{"id":"1","name":"Ada","age":36,"address":{"city":"X"}}`)
	buf := make([]byte, 0, 1024)
	for _, p := range []*odata.Projection{inOrder, anyOrder} {
		if n := testing.AllocsPerRun(100, func() { buf = odata.AppendEntityProjected(buf[:0], "c", "p.person", "", body, p) }); n != 0 {
			t.Errorf("%v: %v allocations per entity", p.Names(), n)
		}
	}
}

func BenchmarkProjection(b *testing.B) {
	s := projectionSchema(b)
	person := odata.NewProjection(s.EntityType("p.person"), []string{"id", "name", "phones", "age", "address"}, true)
	// An entity of the seed documents' shape: a key and 16 numbers, all set.
	counts := entities.NewSchema("c")
	props := []*entities.Property{{Name: "id", Type: "Edm.String", NotNull: true}}
	body := []byte(`{"id":"9b1c2f3e-0000-4000-8000-000000000001"`)
	var names []string
	for i := range 16 {
		name := fmt.Sprintf("someCounterNumber%d", i)
		props = append(props, &entities.Property{Name: name, Type: "Edm.Int64"})
		names = append(names, name)
		body = fmt.Appendf(body, `,%q:%d`, name, i*7)
	}
	body = append(body, '}')
	if err := counts.AddType(&entities.StructuredType{Name: "counts", Kind: entities.KindEntity, Key: []string{"id"}, Properties: props}); err != nil {
		b.Fatal(err)
	}
	if err := counts.Resolve(); err != nil {
		b.Fatal(err)
	}
	complete := odata.NewProjection(counts.EntityType("c.counts"), append([]string{"id"}, names...), true)
	for _, bc := range []struct {
		name string
		p    *odata.Projection
		body []byte
	}{
		{"person", person, []byte(`{"id":"1","name":"Ada","phones":["1","2"],"age":36,"address":{"city":"X"}}`)},
		{"complete-numbers", complete, body},
	} {
		b.Run(bc.name, func(b *testing.B) {
			buf := make([]byte, 0, 1024)
			b.ReportAllocs()
			for b.Loop() {
				buf = odata.AppendEntityProjected(buf[:0], "c", "p.person", "", bc.body, bc.p)
			}
		})
		b.Run(bc.name+"-as-stored", func(b *testing.B) {
			buf := make([]byte, 0, 1024)
			b.ReportAllocs()
			for b.Loop() {
				buf = odata.AppendEntityTagged(buf[:0], "c", "p.person", "", bc.body)
			}
		})
	}
}

// FuzzProjection: for any JSON object, a projection writes a JSON object whose members are
// the projection's properties in its order, then (for an open type) the dynamic ones,
// each with the value the object holds.
func FuzzProjection(f *testing.F) {
	for _, seed := range []string{`{}`, `{"id":"1","name":"A","extra":[1,{"a":"}"}]}`, ` {"age" : 3 , "id":"x"} `,
		`{"n\u0061me":"esc","label":"\"q\""}`, `{"address":{"city":null},"phones":["a","b"]}`} {
		f.Add(seed)
	}
	s := projectionSchema(f)
	thing := s.EntityType("p.thing")
	person := s.EntityType("p.person")
	projections := []*odata.Projection{
		odata.NewProjection(person, []string{"id", "name", "phones", "age", "address"}, true),
		odata.NewProjection(person, []string{"address", "id"}, false),
		odata.NewProjection(thing, []string{"id", "label"}, true),
	}
	f.Fuzz(func(t *testing.T, body string) {
		in := gjson.Parse(body)
		if !gjson.Valid(body) || !in.IsObject() {
			return
		}
		// Stored entities never repeat a member (payloads that do are refused).
		seen := map[string]bool{}
		dup := false
		in.ForEach(func(k, _ gjson.Result) bool { dup = dup || seen[k.Str]; seen[k.Str] = true; return !dup })
		if dup {
			return
		}
		for _, p := range projections {
			out := odata.AppendProjected(nil, []byte(body), p)
			if !gjson.ValidBytes(out) {
				t.Fatalf("%v: %s gives invalid JSON %s", p.Names(), body, out)
			}
			var names []string
			gjson.ParseBytes(out).ForEach(func(k, v gjson.Result) bool {
				if !strings.Contains(k.Str, "@") { // instance annotations are kept where they are
					names = append(names, k.Str)
				}
				if want := in.Get(gjson.Escape(k.Str)); want.Exists() && want.Raw != v.Raw && compact(want.Raw) != compact(v.Raw) {
					t.Fatalf("%v: %s: member %s is %s, want %s", p.Names(), body, k.Str, v.Raw, want.Raw)
				}
				return true
			})
			if len(names) < len(p.Names()) {
				t.Fatalf("%v: %s gives %s", p.Names(), body, out)
			}
			for i, n := range p.Names() {
				if names[i] != n {
					t.Fatalf("%v: %s gives members %v", p.Names(), body, names)
				}
			}
		}
	})
}

func compact(raw string) string { return string(gjson.Parse(raw).Get("@ugly").Raw) }
