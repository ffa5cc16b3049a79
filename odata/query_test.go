package odata_test

import (
	"net/url"
	"slices"
	"testing"

	"github.com/graph-emulator/graph-emulator/odata"
)

func TestParseQuery(t *testing.T) {
	t.Parallel()
	schema, person := newQuerySchema(t)
	tests := []struct {
		name  string
		raw   string
		opts  odata.QueryOptions
		check func(t *testing.T, q *odata.Query)
	}{
		{name: "no options", raw: "", check: func(t *testing.T, q *odata.Query) {
			if q.Filter != nil || q.Search != nil || q.OrderBy != nil || q.Select != nil || q.Expand != nil ||
				q.Top != -1 || q.Skip != -1 || q.Count || q.Format != "" || q.SkipToken != "" || q.DeltaToken != "" {
				t.Errorf("query = %+v", q)
			}
		}},
		{name: "every option", raw: "$filter=age gt 30&$select=id,displayName&$orderby=age desc&$top=5&$skip=10&$count=true" +
			`&$search="displayName:a"&$expand=members&$format=json&$skiptoken=abc&$deltatoken=xyz`, check: func(t *testing.T, q *odata.Query) {
			if q.Filter == nil || !sameIDs(matching(q.Filter), ids("p1 p4 p5")) {
				t.Errorf("filter = %v", q.Filter)
			}
			if !slices.Equal(q.Select, []string{"id", "displayName"}) || len(q.OrderBy) != 1 || q.OrderBy[0].Path != "age" || !q.OrderBy[0].Desc {
				t.Errorf("select %v orderby %+v", q.Select, q.OrderBy)
			}
			if q.Top != 5 || q.Skip != 10 || !q.Count || q.Search == nil || len(q.Expand) != 1 || q.Format != "json" ||
				q.SkipToken != "abc" || q.DeltaToken != "xyz" {
				t.Errorf("query = %+v", q)
			}
		}},
		{name: "names ignore case", raw: "$FILTER=age eq 25&$Top=0&$COUNT=TRUE", check: func(t *testing.T, q *odata.Query) {
			if q.Filter == nil || q.Top != 0 || !q.Count {
				t.Errorf("query = %+v", q)
			}
		}},
		{name: "without $ when allowed", raw: "filter=age eq 25&top=3&select=id&orderby=age&count=true", opts: odata.QueryOptions{OptionalDollar: true}, check: func(t *testing.T, q *odata.Query) {
			if q.Filter == nil || q.Top != 3 || !slices.Equal(q.Select, []string{"id"}) || len(q.OrderBy) != 1 || !q.Count {
				t.Errorf("query = %+v", q)
			}
		}},
		{name: "without $ when not allowed: custom options", raw: "filter=nonsense&top=x", check: func(t *testing.T, q *odata.Query) {
			if q.Filter != nil || q.Top != -1 {
				t.Errorf("query = %+v", q)
			}
		}},
		{name: "custom options ignored", raw: "foo=1&$top=2&api-version=3", opts: odata.QueryOptions{OptionalDollar: true}, check: func(t *testing.T, q *odata.Query) {
			if q.Top != 2 {
				t.Errorf("Top = %d", q.Top)
			}
		}},
		{name: "MaxTop", raw: "$top=50", opts: odata.QueryOptions{MaxTop: 50}, check: func(t *testing.T, q *odata.Query) {
			if q.Top != 50 {
				t.Errorf("Top = %d", q.Top)
			}
		}},
		{name: "default MaxTop is 999", raw: "$top=999", check: func(t *testing.T, q *odata.Query) {
			if q.Top != 999 {
				t.Errorf("Top = %d", q.Top)
			}
		}},
		{name: "$format as media type", raw: "$format=application/json%3Bodata.metadata=minimal", check: func(t *testing.T, q *odata.Query) {
			if q.Format != "json" {
				t.Errorf("Format = %q", q.Format)
			}
		}},
		{name: "$count=false", raw: "$count=false", check: func(t *testing.T, q *odata.Query) {
			if q.Count {
				t.Error("Count = true")
			}
		}},
		{name: "$select=*", raw: "$select=*", check: func(t *testing.T, q *odata.Query) {
			if q.Select != nil {
				t.Errorf("Select = %v", q.Select)
			}
		}},
		{name: "unencoded semicolons in $expand", raw: "$expand=members($select=id;$top=5)", check: func(t *testing.T, q *odata.Query) {
			if len(q.Expand) != 1 || q.Expand[0].Query.Top != 5 || !slices.Equal(q.Expand[0].Query.Select, []string{"id"}) {
				t.Errorf("expand = %+v", q.Expand)
			}
		}},
		{name: "single entity: $select and $expand", raw: "$select=id&$expand=manager&$format=json", opts: odata.QueryOptions{Single: true}, check: func(t *testing.T, q *odata.Query) {
			if !slices.Equal(q.Select, []string{"id"}) || len(q.Expand) != 1 {
				t.Errorf("query = %+v", q)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			v, err := odata.SplitQuery(tt.raw)
			if err != nil {
				t.Fatal(err)
			}
			q, err := odata.ParseQuery(schema, person, v, tt.opts)
			if err != nil {
				t.Fatalf("ParseQuery(%q): %v", tt.raw, err)
			}
			tt.check(t, q)
		})
	}
}

func TestSplitQuery(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		raw  string
		want url.Values
	}{
		{name: "empty", raw: "", want: url.Values{}},
		{name: "plus and escapes", raw: "$filter=a+eq+%27x%26y%27&b", want: url.Values{"$filter": {"a eq 'x&y'"}, "b": {""}}},
		{name: "semicolons stay", raw: "$expand=m($top=1;$skip=2)", want: url.Values{"$expand": {"m($top=1;$skip=2)"}}},
		{name: "repeated", raw: "a=1&&a=2", want: url.Values{"a": {"1", "2"}}},
		{name: "equals in the value", raw: "$filter=x%20eq%20'a=b'", want: url.Values{"$filter": {"x eq 'a=b'"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := odata.SplitQuery(tt.raw)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("SplitQuery(%q) = %v, want %v", tt.raw, got, tt.want)
			}
			for k, v := range tt.want {
				if !slices.Equal(got[k], v) {
					t.Errorf("SplitQuery(%q)[%q] = %q, want %q", tt.raw, k, got[k], v)
				}
			}
		})
	}
	_, err := odata.SplitQuery("$filter=%zz")
	graphError(t, err, "The query string is malformed")
	// Why SplitQuery exists: the standard parser refuses the unencoded ';' that clients
	// send inside $expand options.
	if _, err := url.ParseQuery("$expand=members($select=id;$top=5)"); err == nil {
		t.Error("url.ParseQuery accepted ';': SplitQuery may no longer be needed")
	}
}

func TestParseQueryErrors(t *testing.T) {
	t.Parallel()
	schema, person := newQuerySchema(t)
	tests := []struct {
		name  string
		raw   string
		opts  odata.QueryOptions
		parts []string
	}{
		{name: "unknown $ option", raw: "$foo=1", parts: []string{"Query option '$foo' is not supported."}},
		{name: "unsupported OData option", raw: "$apply=groupby((a))", parts: []string{"'$apply' is not supported"}},
		{name: "repeated", raw: "$top=1&$top=2", parts: []string{"Query option '$top' was specified more than once, but it must be specified at most once."}},
		{name: "with and without $", raw: "$filter=age eq 1&filter=age eq 2", opts: odata.QueryOptions{OptionalDollar: true}, parts: []string{"'$filter' was specified more than once"}},
		{name: "two spellings", raw: "$top=1&$TOP=2", parts: []string{"'$top' was specified more than once"}},
		{name: "$top over the maximum", raw: "$top=1000", parts: []string{"Invalid page size specified: '1000'. Must be between 0 and 999 inclusive."}},
		{name: "$top over MaxTop", raw: "$top=51", opts: odata.QueryOptions{MaxTop: 50}, parts: []string{"between 0 and 50"}},
		{name: "$top huge", raw: "$top=99999999999999999999", parts: []string{"Invalid page size"}},
		{name: "$top negative", raw: "$top=-1", parts: []string{"Invalid value '-1' for $top query option found. The $top query option requires a non-negative integer value."}},
		{name: "$top not a number", raw: "$top=ten", parts: []string{"Invalid value 'ten' for $top"}},
		{name: "$top empty", raw: "$top=", parts: []string{"Invalid value '' for $top"}},
		{name: "$skip negative", raw: "$skip=-5", parts: []string{"Invalid value '-5' for $skip"}},
		{name: "$count invalid", raw: "$count=yes", parts: []string{"'yes' is not a valid count option."}},
		{name: "$format xml", raw: "$format=xml", parts: []string{"$format value 'xml'"}},
		{name: "empty $filter", raw: "$filter=", parts: []string{"'$filter' has an empty value"}},
		{name: "empty $orderby", raw: "$orderby=", parts: []string{"'$orderby' has an empty value"}},
		{name: "empty $skiptoken", raw: "$skiptoken=", parts: []string{"'$skiptoken' has an empty value"}},
		{name: "bad $filter", raw: "$filter=foo eq 1", parts: []string{"Invalid filter clause", "'foo'"}},
		{name: "bad $orderby", raw: "$orderby=foo", parts: []string{"Invalid $orderby clause", "'foo'"}},
		{name: "bad $select", raw: "$select=foo", parts: []string{"Parsing OData Select and Expand failed", "'foo'"}},
		{name: "bad $search", raw: "$search=foo", parts: []string{"Invalid $search clause"}},
		{name: "bad $expand", raw: "$expand=foo", parts: []string{"Parsing OData Select and Expand failed", "'foo'"}},
		{name: "bad option without $", raw: "top=x", opts: odata.QueryOptions{OptionalDollar: true}, parts: []string{"Invalid value 'x' for $top"}},
		{name: "$top on a single entity", raw: "$top=1", opts: odata.QueryOptions{Single: true}, parts: []string{"Query option '$top' is not supported."}},
		{name: "$filter on a single entity", raw: "filter=age eq 1", opts: odata.QueryOptions{Single: true, OptionalDollar: true}, parts: []string{"'filter' is not supported"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			v, err := odata.SplitQuery(tt.raw)
			if err != nil {
				t.Fatal(err)
			}
			q, err := odata.ParseQuery(schema, person, v, tt.opts)
			if err == nil {
				t.Fatalf("ParseQuery(%q) = %+v, want an error", tt.raw, q)
			}
			graphError(t, err, tt.parts...)
		})
	}
}
