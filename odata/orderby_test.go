package odata_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/tidwall/gjson"

	"github.com/graph-emulator/graph-emulator/odata"
)

// sortedIDs sorts a copy of the fixture people and returns their ids in order.
func sortedIDs(o odata.OrderBy) []string {
	items := make([][]byte, len(people))
	for i, p := range people {
		items[i] = []byte(p)
	}
	o.Sort(items)
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = gjson.GetBytes(it, "id").Str
	}
	return out
}

func TestOrderBy(t *testing.T) {
	t.Parallel()
	schema, person := newQuerySchema(t)
	tests := []struct {
		name    string
		orderby string
		paths   []string
		want    string
	}{
		// Strings ignore case: "Adele" < "Alex" < "émile"(É folds after Z in code points) ...
		{name: "string asc", orderby: "displayName", paths: []string{"displayName"}, want: "p1 p2 p5 p3 p6 p4"},
		{name: "string desc", orderby: "displayName desc", paths: []string{"displayName"}, want: "p4 p6 p3 p5 p2 p1"},
		{name: "explicit asc", orderby: "displayName asc", paths: []string{"displayName"}, want: "p1 p2 p5 p3 p6 p4"},
		// Nulls first ascending (p3 null), equal keys keep their order (p2 before p6).
		{name: "int with null and ties", orderby: "age", paths: []string{"age"}, want: "p3 p2 p6 p1 p5 p4"},
		{name: "int desc: nulls last", orderby: "age desc", paths: []string{"age"}, want: "p4 p5 p1 p2 p6 p3"},
		{name: "two keys", orderby: "age desc,displayName desc", paths: []string{"age", "displayName"}, want: "p4 p5 p1 p6 p2 p3"},
		{name: "double", orderby: "score", paths: []string{"score"}, want: "p6 p4 p2 p1 p3 p5"},
		{name: "Int64 exact", orderby: "big desc", paths: []string{"big"}, want: "p1 p2 p3 p4 p5 p6"},
		{name: "boolean", orderby: "active,id desc", paths: []string{"active", "id"}, want: "p6 p5 p2 p4 p3 p1"},
		// p6's "Date" is malformed: ordered with the nulls.
		{name: "date", orderby: "born", paths: []string{"born"}, want: "p5 p6 p4 p1 p2 p3"},
		// 13:30+01:00 is 12:30Z: after p1's 12:00Z.
		{name: "DateTimeOffset across zones", orderby: "createdDateTime desc", paths: []string{"createdDateTime"}, want: "p2 p1 p3 p4 p5 p6"},
		{name: "enum by member value", orderby: "color", paths: []string{"color"}, want: "p5 p6 p1 p4 p2 p3"},
		{name: "nested path", orderby: "address/city,id", paths: []string{"address/city", "id"}, want: "p3 p5 p6 p2 p1 p4"},
		{name: "collection count", orderby: "emails/$count desc,id", paths: []string{"emails/$count", "id"}, want: "p1 p3 p4 p2 p5 p6"},
		{name: "case-insensitive name", orderby: "DISPLAYNAME", paths: []string{"displayName"}, want: "p1 p2 p5 p3 p6 p4"},
		{name: "spaces", orderby: " age  desc , id ", paths: []string{"age", "id"}, want: "p4 p5 p1 p2 p6 p3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			o, err := odata.ParseOrderBy(schema, person, tt.orderby)
			if err != nil {
				t.Fatalf("ParseOrderBy(%q): %v", tt.orderby, err)
			}
			var paths []string
			for _, it := range o {
				paths = append(paths, it.Path)
			}
			if !slices.Equal(paths, tt.paths) {
				t.Errorf("paths = %v, want %v", paths, tt.paths)
			}
			if got := sortedIDs(o); !slices.Equal(got, ids(tt.want)) {
				t.Errorf("%s sorts %v, want %v", tt.orderby, got, ids(tt.want))
			}
		})
	}
}

// TestOrderByCompare: Compare agrees with Sort and is antisymmetric over the fixtures.
func TestOrderByCompare(t *testing.T) {
	t.Parallel()
	schema, person := newQuerySchema(t)
	for _, text := range []string{"displayName", "age desc,displayName", "born", "color desc", "createdDateTime"} {
		o, err := odata.ParseOrderBy(schema, person, text)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range people {
			for _, b := range people {
				ab, ba := o.Compare([]byte(a), []byte(b)), o.Compare([]byte(b), []byte(a))
				if sign(ab) != -sign(ba) {
					t.Errorf("%s: Compare not antisymmetric: %d and %d for %.20s / %.20s", text, ab, ba, a, b)
				}
			}
		}
		got := sortedIDs(o)
		for i := 1; i < len(got); i++ {
			a, b := people[idIndex(got[i-1])], people[idIndex(got[i])]
			if o.Compare([]byte(a), []byte(b)) > 0 {
				t.Errorf("%s: Sort put %s before %s but Compare disagrees", text, got[i-1], got[i])
			}
		}
		if d := o.Compare([]byte(people[0]), []byte(people[0])); d != 0 {
			t.Errorf("%s: Compare(x, x) = %d", text, d)
		}
	}
}

func sign(d int) int {
	switch {
	case d < 0:
		return -1
	case d > 0:
		return 1
	}
	return 0
}

func idIndex(id string) int { return int(id[1] - '1') }

func TestSortByKeepsOrderOfTies(t *testing.T) {
	t.Parallel()
	schema, person := newQuerySchema(t)
	o, err := odata.ParseOrderBy(schema, person, "active")
	if err != nil {
		t.Fatal(err)
	}
	type item struct {
		seq  int
		body []byte
	}
	var items []item
	for i := 0; i < 50; i++ {
		items = append(items, item{seq: i, body: []byte(`{"active":` + []string{"true", "false"}[i%2] + `}`)})
	}
	odata.SortBy(o, items, func(it item) []byte { return it.body })
	for i := 1; i < len(items); i++ {
		a, b := items[i-1], items[i]
		if strings.Contains(string(a.body), "true") && strings.Contains(string(b.body), "false") {
			t.Fatalf("true sorted before false at %d", i)
		}
		if string(a.body) == string(b.body) && a.seq > b.seq {
			t.Fatalf("ties reordered: %d before %d", a.seq, b.seq)
		}
	}
	var empty odata.OrderBy
	before := slices.Clone(items)
	empty.Sort(nil)
	odata.SortBy(empty, items, func(it item) []byte { return it.body })
	for i := range items {
		if items[i].seq != before[i].seq {
			t.Fatal("an empty OrderBy reordered items")
		}
	}
}

func TestOrderByErrors(t *testing.T) {
	t.Parallel()
	schema, person := newQuerySchema(t)
	tests := []struct {
		name    string
		orderby string
		parts   []string
	}{
		{name: "unknown property", orderby: "nope", parts: []string{"Invalid $orderby clause: ", "Could not find a property named 'nope' on type 'test.ns.person'", "position 0"}},
		{name: "unknown second key", orderby: "age, nope desc", parts: []string{"'nope'", "position 5"}},
		{name: "collection", orderby: "emails", parts: []string{"single value of primitive type", "Collection(Edm.String)"}},
		{name: "complex", orderby: "address", parts: []string{"single value of primitive type", "test.ns.address"}},
		{name: "untyped", orderby: "payload", parts: []string{"Edm.Untyped"}},
		{name: "function", orderby: "tolower(displayName)", parts: []string{"is a function"}},
		{name: "bad direction", orderby: "age up", parts: []string{"',' expected", "position 4"}},
		{name: "trailing comma", orderby: "age,", parts: []string{"property path expected", "position 4"}},
		{name: "lambda", orderby: "emails/any(e:e eq 'x')", parts: []string{"single value of primitive type"}},
		{name: "navigation", orderby: "manager", parts: []string{"navigation property 'manager'"}},
		{name: "literal", orderby: "'x'", parts: []string{"property path expected"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := odata.ParseOrderBy(schema, person, tt.orderby)
			if err == nil {
				t.Fatalf("ParseOrderBy(%q) succeeded", tt.orderby)
			}
			graphError(t, err, tt.parts...)
		})
	}
}
