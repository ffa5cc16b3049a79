package odata_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/graph-emulator/graph-emulator/odata"
)

// oddEntities are stored bodies that do not follow the schema, on which evaluation must
// not panic either.
var oddEntities = []string{
	`{}`,
	`{"emails":"x","identities":[1,null,"a",{"issuer":7}],"address":5,"age":"25","born":20200101,"color":7,"perms":["read"],"createdDateTime":"2021-13-45T99:99:99Z"}`,
	`{"displayName":"\u00e9\ud83d\ude00\\\"","age":1e400,"score":"NaN","big":-9223372036854775808,"emails":[[],{}]}`,
	`[]`, `null`, `not json`, ``, `{"age":`,
}

// fuzzEntities returns the fixture people and the odd entities as byte slices.
func fuzzEntities() [][]byte {
	var out [][]byte
	for _, p := range append(append([]string(nil), people...), oddEntities...) {
		out = append(out, []byte(p))
	}
	return out
}

// checkOptionError asserts that err is a 400 BadRequest *odata.Error.
func checkOptionError(t *testing.T, input string, err error) {
	t.Helper()
	var oe *odata.Error
	if !errors.As(err, &oe) || oe.Status != 400 || oe.Code == "" || oe.Message == "" {
		t.Fatalf("%q: error %v (%T), want a 400 *odata.Error", input, err, err)
	}
}

// FuzzParseFilter: ParseFilter never panics and fails only with a Graph 400; a parsed filter
// keeps its text, evaluates on every fixture (odd ones too) without panicking, and gives
// the same answer twice.
func FuzzParseFilter(f *testing.F) {
	schema, person := newQuerySchema(f)
	for _, seed := range []string{
		"displayName eq 'Adele Vance'", "age gt 30 and not active", "startswith(displayName,'a') or endswith(mail,'.com')",
		"emails/any(e:e eq 'x')", "identities/any(i:i/issuer eq 'x' and emails/all(e:contains(e,i/issuer)))",
		"emails/$count eq 0", "color in ('red', t.color'green') and perms has 'write'", "born lt 2000-01-01",
		"createdDateTime ge 2021-01-02T12:00:00.123+01:00", "tenantId eq 72f988bf-86f1-41af-91ab-2d7cd011db47",
		"address/city eq null", "length(trim(tolower(displayName))) ge 3", "(((age eq 1)))", "score eq -1.5e3",
		"displayName eq 'O''Brien'", "mail ne null and $it/age le 99", "NOT emails/any()", "x eq", "'unterminated",
		"age eq 12:30:00", "color eq test.ns.color'red,green'", "big eq 99999999999999999999",
		"members/$count eq 0 or members/$count gt 1", "manager/$count eq 1", "members/$count",
	} {
		f.Add(seed)
	}
	entities := fuzzEntities()
	f.Fuzz(func(t *testing.T, text string) {
		flt, err := odata.ParseFilter(schema, person, text)
		if err != nil {
			checkOptionError(t, text, err)
			// A filter's own error, or the validator's node count limit (a long enough
			// input reaches it before any other check).
			if !strings.HasPrefix(err.Error(), "400 BadRequest: Invalid filter clause: ") &&
				!strings.Contains(err.Error(), "The node count limit of '1000' has been exceeded.") {
				t.Fatalf("%q: error %v", text, err)
			}
			return
		}
		if flt.String() != text {
			t.Fatalf("String() = %q, want %q", flt.String(), text)
		}
		count := func(nav string) int { return len(nav) }
		for _, e := range entities {
			if flt.Match(e) != flt.Match(e) {
				t.Fatalf("%q: Match is not deterministic on %s", text, e)
			}
			if flt.MatchCounting(nil, e, count) != flt.MatchCounting(nil, e, count) {
				t.Fatalf("%q: MatchCounting is not deterministic on %s", text, e)
			}
		}
		flt.EqualityOn("id")
		flt.Uses(odata.FeatureNe | odata.FeatureNot)
	})
}

// FuzzParseOrderBy: ParseOrderBy never panics and fails only with a Graph 400; a parsed
// $orderby compares every pair of fixtures antisymmetrically and sorts them.
func FuzzParseOrderBy(f *testing.F) {
	schema, person := newQuerySchema(f)
	for _, seed := range []string{
		"displayName", "age desc,displayName asc", "address/city", "emails/$count desc", "born,createdDateTime desc",
		"color", "big desc , score", "DISPLAYNAME DESC", "nope", "age,", "emails", "tolower(displayName)",
	} {
		f.Add(seed)
	}
	entities := fuzzEntities()
	f.Fuzz(func(t *testing.T, text string) {
		o, err := odata.ParseOrderBy(schema, person, text)
		if err != nil {
			checkOptionError(t, text, err)
			return
		}
		for _, a := range entities {
			if d := o.Compare(a, a); d != 0 {
				t.Fatalf("%q: Compare(x, x) = %d for %s", text, d, a)
			}
			for _, b := range entities {
				if sign(o.Compare(a, b)) != -sign(o.Compare(b, a)) {
					t.Fatalf("%q: Compare not antisymmetric on %s / %s", text, a, b)
				}
			}
		}
		sorted := append([][]byte(nil), entities...)
		o.Sort(sorted)
		for i := 1; i < len(sorted); i++ {
			if o.Compare(sorted[i-1], sorted[i]) > 0 {
				t.Fatalf("%q: Sort left %s before %s", text, sorted[i-1], sorted[i])
			}
		}
	})
}

// FuzzParseQuery: SplitQuery and ParseQuery never panic and fail only with a Graph 400; a
// parsed query evaluates on the fixtures and projects them into valid JSON.
func FuzzParseQuery(f *testing.F) {
	schema, person := newQuerySchema(f)
	for _, seed := range []string{
		"$filter=startswith(displayName,'A')&$select=id,displayName&$top=5",
		"$orderby=age desc&$skip=2&$count=true&$format=json",
		`$search="displayName:adele" OR "mail:alex"&$select=address/city,emails`,
		"$expand=members($select=id;$top=5;$filter=age gt 3;$expand=manager)&$select=*",
		"filter=age eq 25&top=3&select=id", "$top=1000", "$foo=1", "$filter=x&$filter=y", "$skiptoken=abc&$deltatoken=d",
		"$select=DISPLAYNAME,mail,mail", "%zz", "$expand=*", "$search=NOT (\"zed\")",
	} {
		f.Add(seed)
	}
	entities := fuzzEntities()
	f.Fuzz(func(t *testing.T, raw string) {
		values, err := odata.SplitQuery(raw)
		if err != nil {
			checkOptionError(t, raw, err)
			return
		}
		for _, opts := range []odata.QueryOptions{{}, {OptionalDollar: true, MaxTop: 10}, {Single: true}} {
			q, err := odata.ParseQuery(schema, person, values, opts)
			if err != nil {
				checkOptionError(t, raw, err)
				continue
			}
			for _, e := range entities {
				if q.Filter != nil {
					q.Filter.Match(e)
				}
				if q.Search != nil {
					q.Search.Match(e)
				}
			}
			sorted := append([][]byte(nil), entities...)
			q.OrderBy.Sort(sorted)
			for _, p := range people {
				out := odata.ApplySelect(nil, []byte(p), q.Select, "id")
				if !json.Valid(out) {
					t.Fatalf("%q: ApplySelect wrote invalid JSON %s", raw, out)
				}
			}
			odata.SelectContext(q.Select)
			if opts.Single && (q.Top != -1 || q.Filter != nil || q.OrderBy != nil) {
				t.Fatalf("%q: a single-entity query took collection options: %+v", raw, q)
			}
		}
	})
}
