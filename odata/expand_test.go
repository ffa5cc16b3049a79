package odata_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/graph-emulator/graph-emulator/odata"
)

func TestParseExpand(t *testing.T) {
	t.Parallel()
	schema, person := newQuerySchema(t)
	tests := []struct {
		name  string
		text  string
		opts  odata.QueryOptions
		check func(t *testing.T, items []odata.ExpandItem)
	}{
		{name: "one navigation property", text: "members", check: func(t *testing.T, items []odata.ExpandItem) {
			one(t, items, "members")
			if items[0].Nav != person.NavigationProperty("members") || items[0].Ref {
				t.Errorf("item = %+v", items[0])
			}
			if q := items[0].Query; q == nil || q.Top != -1 || q.Skip != -1 || q.Filter != nil || q.Select != nil {
				t.Errorf("default options = %+v", q)
			}
		}},
		{name: "schema spelling", text: "MANAGER", check: func(t *testing.T, items []odata.ExpandItem) { one(t, items, "manager") }},
		{name: "$ref", text: "manager/$ref", check: func(t *testing.T, items []odata.ExpandItem) {
			one(t, items, "manager")
			if !items[0].Ref {
				t.Error("Ref = false")
			}
		}},
		{name: "nested options", text: "members($select=id,displayName;$top=5;$filter=startswith(displayName,'A');$orderby=age desc;$count=true)", check: func(t *testing.T, items []odata.ExpandItem) {
			one(t, items, "members")
			q := items[0].Query
			if !slices.Equal(q.Select, []string{"id", "displayName"}) || q.Top != 5 || !q.Count || len(q.OrderBy) != 1 || !q.OrderBy[0].Desc {
				t.Errorf("options = %+v", q)
			}
			if q.Filter == nil || !sameIDs(matching(q.Filter), ids("p1 p2")) {
				t.Errorf("nested filter = %v", q.Filter)
			}
		}},
		{name: "separators inside literals", text: "members($filter=displayName eq 'a;b),(c')", check: func(t *testing.T, items []odata.ExpandItem) {
			one(t, items, "members")
			if got := items[0].Query.Filter.String(); got != "displayName eq 'a;b),(c'" {
				t.Errorf("filter = %q", got)
			}
		}},
		{name: "nested $search with quotes", text: `members($search="displayName:a;b")`, check: func(t *testing.T, items []odata.ExpandItem) {
			if s := items[0].Query.Search; s == nil || s.String() != `"displayName:a;b"` {
				t.Errorf("search = %v", s)
			}
		}},
		{name: "nested $expand", text: "members($expand=manager($select=id))", check: func(t *testing.T, items []odata.ExpandItem) {
			inner := items[0].Query.Expand
			if len(inner) != 1 || inner[0].Name != "manager" || !slices.Equal(inner[0].Query.Select, []string{"id"}) {
				t.Errorf("nested expand = %+v", inner)
			}
		}},
		{name: "two items", text: "manager, members($top=1)", check: func(t *testing.T, items []odata.ExpandItem) {
			if len(items) != 2 || items[0].Name != "manager" || items[1].Name != "members" || items[1].Query.Top != 1 {
				t.Errorf("items = %+v", items)
			}
		}},
		{name: "star", text: "*", check: func(t *testing.T, items []odata.ExpandItem) {
			if len(items) != 2 || items[0].Name != "manager" || items[1].Name != "members" {
				t.Errorf("items = %+v", items)
			}
		}},
		{name: "options without $", text: "members(select=id;top=2)", opts: odata.QueryOptions{OptionalDollar: true}, check: func(t *testing.T, items []odata.ExpandItem) {
			if q := items[0].Query; !slices.Equal(q.Select, []string{"id"}) || q.Top != 2 {
				t.Errorf("options = %+v", q)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			items, err := odata.ParseExpand(schema, person, tt.text, tt.opts)
			if err != nil {
				t.Fatalf("ParseExpand(%q): %v", tt.text, err)
			}
			tt.check(t, items)
		})
	}
}

func one(t *testing.T, items []odata.ExpandItem, name string) {
	t.Helper()
	if len(items) != 1 || items[0].Name != name {
		t.Fatalf("items = %+v, want one %s", items, name)
	}
}

func TestParseExpandErrors(t *testing.T) {
	t.Parallel()
	schema, person := newQuerySchema(t)
	deep := "members" + strings.Repeat("($expand=members", 6) + strings.Repeat(")", 6)
	tests := []struct {
		name  string
		text  string
		parts []string
	}{
		{name: "unknown", text: "nope", parts: []string{"Parsing OData Select and Expand failed: Could not find a property named 'nope' on type 'test.ns.person'."}},
		{name: "structural property", text: "displayName", parts: []string{"Property 'displayName' on type 'test.ns.person' is not a navigation property"}},
		{name: "bad nested $top", text: "members($top=x)", parts: []string{"Invalid value 'x' for $top"}},
		{name: "bad nested $select", text: "members($select=nope)", parts: []string{"'nope' on type 'test.ns.person'"}},
		{name: "bad nested $filter", text: "members($filter=foo eq 1)", parts: []string{"Invalid filter clause", "'foo'"}},
		{name: "$levels", text: "members($levels=2)", parts: []string{"'$levels' is not supported"}},
		{name: "$format inside", text: "members($format=json)", parts: []string{"'$format' is not supported"}},
		{name: "option without $", text: "members(top=2)", parts: []string{"'top' is not valid inside $expand"}},
		{name: "duplicate option", text: "members($top=1;$top=2)", parts: []string{"'$top' was specified more than once"}},
		{name: "not an option", text: "members($top)", parts: []string{"not an option of the form"}},
		{name: "unbalanced", text: "members(", parts: []string{"unbalanced"}},
		{name: "unbalanced close", text: "members)x(", parts: []string{"unbalanced"}},
		{name: "options on star", text: "*($select=id)", parts: []string{"Options on '*'"}},
		{name: "path", text: "address/city", parts: []string{"Expanding the path 'address/city' is not supported"}},
		{name: "empty item", text: "manager,,members", parts: []string{"empty item"}},
		{name: "too deep", text: deep, parts: []string{"nested too deeply"}},
		{name: "text after options", text: "members($top=1)x", parts: []string{"')' expected"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			items, err := odata.ParseExpand(schema, person, tt.text, odata.QueryOptions{})
			if err == nil {
				t.Fatalf("ParseExpand(%q) = %+v, want an error", tt.text, items)
			}
			graphError(t, err, tt.parts...)
		})
	}
}
