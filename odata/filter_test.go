package odata_test

import (
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/graph-emulator/graph-emulator/odata"
)

// TestFilterMatch: one row per operator and function, each run over the fixture people and
// asserting exactly which of them match.
func TestFilterMatch(t *testing.T) {
	t.Parallel()
	schema, person := newQuerySchema(t)
	tests := []struct {
		name   string
		filter string
		want   string
	}{
		// eq / ne on strings: case-insensitive, quotes doubled
		{name: "eq string", filter: "displayName eq 'Adele Vance'", want: "p1"},
		{name: "eq string ignores case", filter: "displayName eq 'ADELE vance'", want: "p1"},
		{name: "eq doubled quote", filter: "displayName eq 'O''Brien'", want: "p3"},
		{name: "eq non-ASCII ignores case", filter: "displayName eq 'ÉMILE ZOLA'", want: "p4"},
		{name: "ne string", filter: "displayName ne 'Zed'", want: "p1 p2 p3 p4 p5"},
		{name: "literal on the left", filter: "'zed' eq displayName", want: "p6"},
		{name: "keywords in capitals", filter: "displayName EQ 'zed' OR age EQ 60", want: "p4 p6"},
		{name: "property name in another case", filter: "DisplayName eq 'zed'", want: "p6"},
		// null
		{name: "eq null: null or absent", filter: "mail eq null", want: "p3 p5 p6"},
		{name: "ne null", filter: "mail ne null", want: "p1 p2 p4"},
		{name: "null on the left", filter: "null eq age", want: "p3"},
		{name: "ordering with null is false", filter: "age gt null or age lt null", want: ""},
		{name: "complex eq null", filter: "address eq null", want: "p3 p5 p6"},
		{name: "nested eq null", filter: "address/street eq null", want: "p2 p3 p4 p5 p6"},
		{name: "untyped ne null", filter: "payload ne null", want: "p6"},
		// relational on integers and doubles
		{name: "gt int", filter: "age gt 30", want: "p1 p4 p5"},
		{name: "ge int", filter: "age ge 25", want: "p1 p2 p4 p5 p6"},
		{name: "lt int", filter: "age lt 31", want: "p2 p6"},
		{name: "le int", filter: "age le 31", want: "p1 p2 p6"},
		{name: "int property, decimal literal", filter: "age gt 30.5", want: "p1 p4 p5"},
		{name: "double property, int literal", filter: "score eq 3", want: "p2"},
		{name: "double gt", filter: "score gt 4", want: "p1 p3 p5"},
		{name: "negative literal", filter: "score lt -1", want: "p4"},
		{name: "exponent literal", filter: "score eq 4.5e0", want: "p1 p3"},
		{name: "Int64 beyond float precision", filter: "big eq 9007199254740993", want: "p1"},
		{name: "Int64 ordering exact", filter: "big gt 9007199254740992", want: "p1"},
		// booleans
		{name: "eq true", filter: "active eq true", want: "p1 p3 p4"},
		{name: "bare boolean property", filter: "active", want: "p1 p3 p4"},
		{name: "not boolean property", filter: "not active", want: "p2 p5 p6"},
		{name: "eq false", filter: "active eq false", want: "p2 p5"},
		{name: "literal true", filter: "true", want: "p1 p2 p3 p4 p5 p6"},
		// dates and DateTimeOffsets
		{name: "date gt", filter: "born gt 1990-01-01", want: "p1 p2 p3"},
		{name: "date eq leap day", filter: "born eq 2000-02-29", want: "p3"},
		{name: "date quoted", filter: "born lt '1970-01-01'", want: "p4"},
		{name: "malformed stored date never matches", filter: "born lt 2100-01-01", want: "p1 p2 p3 p4"},
		{name: "DateTimeOffset gt across zones", filter: "createdDateTime gt 2021-01-02T12:15:00Z", want: "p2"},
		{name: "DateTimeOffset with offset literal", filter: "createdDateTime eq 2021-01-02T13:30:00+01:00", want: "p2"},
		{name: "DateTimeOffset with unencoded plus", filter: "createdDateTime eq 2021-01-02T13:30:00 01:00", want: "p2"},
		{name: "DateTimeOffset fractional seconds", filter: "createdDateTime lt 2021-01-01T00:00:00Z", want: "p3"},
		{name: "DateTimeOffset against a date", filter: "createdDateTime ge 2021-01-02", want: "p1 p2"},
		{name: "DateTimeOffset quoted", filter: "createdDateTime le '2021-01-02T12:00:00Z'", want: "p1 p3"},
		// GUIDs
		{name: "guid unquoted ignores case", filter: "tenantId eq 72f988bf-86f1-41af-91ab-2d7cd011db47", want: "p1 p2"},
		{name: "guid quoted", filter: "tenantId eq '72F988BF-86F1-41AF-91AB-2D7CD011DB47'", want: "p1 p2"},
		// enums
		{name: "enum as string", filter: "color eq 'red'", want: "p1 p4"},
		{name: "enum qualified literal", filter: "color eq test.ns.color'green'", want: "p2"},
		{name: "enum alias-qualified literal", filter: "color eq t.color'blue'", want: "p3"},
		{name: "enum ordered by value", filter: "color gt 'red'", want: "p2 p3"},
		{name: "enum in", filter: "color in ('green', 'blue')", want: "p2 p3"},
		{name: "has one flag", filter: "perms has 'write'", want: "p1 p3"},
		{name: "has several flags", filter: "perms has test.ns.perm'read,write'", want: "p1 p3"},
		// complex values
		{name: "nested property", filter: "address/city eq 'Seattle'", want: "p1 p4"},
		{name: "nested int", filter: "address/postalCode gt 98100", want: "p1"},
		{name: "$it", filter: "$it/age eq 25", want: "p2 p6"},
		// in
		{name: "in strings", filter: "displayName in ('zed', 'Alex Wilber')", want: "p2 p6"},
		{name: "in with null", filter: "mail in (null, 'EMILE@contoso.com')", want: "p3 p4 p5 p6"},
		{name: "in ints", filter: "age in (25, 60)", want: "p2 p4 p6"},
		// string functions
		{name: "startswith", filter: "startswith(displayName,'a')", want: "p1 p2"},
		{name: "startsWith spelled as Graph's docs do", filter: "startsWith(displayName, 'AL')", want: "p2"},
		{name: "startswith non-ASCII", filter: "startswith(displayName,'É')", want: "p4"},
		{name: "endswith", filter: "endswith(mail,'@CONTOSO.com')", want: "p1 p2 p4"},
		{name: "contains", filter: "contains(displayName,'BRIEN')", want: "p3"},
		{name: "contains empty", filter: "contains(mail,'')", want: "p1 p2 p4"},
		{name: "function eq true", filter: "startswith(displayName,'a') eq true", want: "p1 p2"},
		{name: "tolower", filter: "tolower(displayName) eq 'zed'", want: "p6"},
		{name: "toupper", filter: "toupper(displayName) eq 'ZED'", want: "p6"},
		{name: "trim", filter: "trim(description) eq 'Retail manager'", want: "p1"},
		{name: "length", filter: "length(displayName) gt 10", want: "p1 p2 p5"},
		{name: "length counts runes", filter: "length(displayName) eq 10", want: "p4"},
		// lambdas
		{name: "any over strings", filter: "emails/any(e:e eq 'adele@contoso.com')", want: "p1"},
		{name: "any with a function", filter: "emails/any(e:startswith(e,'emile'))", want: "p4"},
		{name: "any without a predicate", filter: "emails/any()", want: "p1 p3 p4"},
		{name: "all", filter: "emails/all(e:endswith(e,'.org'))", want: "p2 p3 p5 p6"},
		{name: "any over complex values", filter: "identities/any(i:i/issuer eq 'fabrikam.com')", want: "p2"},
		{name: "any with and inside", filter: "identities/any(i:i/signInType eq 'emailAddress' and i/issuerAssignedId eq 'adele@contoso.com')", want: "p1"},
		{name: "any referring to the entity", filter: "identities/any(i:i/issuer eq 'fabrikam.com' and age eq 25)", want: "p2"},
		{name: "NOT any", filter: "NOT emails/any(e:e eq 'obrien@example.org')", want: "p1 p2 p4 p5 p6"},
		{name: "nested lambdas", filter: "identities/any(i:emails/any(e:e eq i/issuerAssignedId))", want: "p1"},
		// $count
		{name: "$count eq 0", filter: "emails/$count eq 0", want: "p2 p5 p6"},
		{name: "$count ge", filter: "emails/$count ge 2", want: "p1"},
		{name: "$count of complex collection", filter: "identities/$count eq 1", want: "p1 p2"},
		{name: "$count ne 0", filter: "emails/$count ne 0", want: "p1 p3 p4"},
		// logic
		{name: "not with parentheses", filter: "not(startswith(displayName,'a'))", want: "p3 p4 p5 p6"},
		{name: "not binds to the comparison", filter: "not age eq 25", want: "p1 p3 p4 p5"},
		{name: "and binds tighter than or", filter: "age eq 25 or age eq 60 and active eq true", want: "p2 p4 p6"},
		{name: "parentheses", filter: "(age eq 25 or age eq 60) and active eq true", want: "p4"},
		{name: "double negation", filter: "not not (age eq 25)", want: "p2 p6"},
		{name: "whitespace around", filter: "  age  eq  25  ", want: "p2 p6"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f, err := odata.ParseFilter(schema, person, tt.filter)
			if err != nil {
				t.Fatalf("ParseFilter(%q): %v", tt.filter, err)
			}
			if got := matching(f); !sameIDs(got, ids(tt.want)) {
				t.Errorf("%s matches %v, want %v", tt.filter, got, ids(tt.want))
			}
			if f.String() != tt.filter {
				t.Errorf("String() = %q", f.String())
			}
		})
	}
}

// TestFilterErrors: invalid filters are 400 BadRequest with the problem and its position.
func TestFilterErrors(t *testing.T) {
	t.Parallel()
	schema, person := newQuerySchema(t)
	deep := strings.Repeat("(", 100) + "true" + strings.Repeat(")", 100)
	tests := []struct {
		name   string
		filter string
		parts  []string
	}{
		{name: "empty", filter: "", parts: []string{"Expression expected", "position 0"}},
		{name: "unknown property", filter: "foo eq 1", parts: []string{"Invalid filter clause: ", "Could not find a property named 'foo' on type 'test.ns.person'", "position 0 in 'foo eq 1'"}},
		{name: "unknown nested property", filter: "address/town eq 'x'", parts: []string{"'town' on type 'test.ns.address'", "position 8"}},
		{name: "unknown property in a lambda", filter: "identities/any(i:i/nope eq 'x')", parts: []string{"'nope' on type 'test.ns.identity'", "position 19"}},
		{name: "int against string", filter: "age eq 'x'", parts: []string{"incompatible types", "'Edm.Int32' and 'Edm.String'", "'Equal'", "position 4"}},
		{name: "string against int", filter: "displayName gt 5", parts: []string{"'Edm.String' and 'Edm.Int64'", "'GreaterThan'"}},
		{name: "bool against string", filter: "active eq 'true'", parts: []string{"incompatible types"}},
		{name: "date against string property", filter: "displayName eq 2020-01-01", parts: []string{"incompatible types"}},
		{name: "invalid quoted date", filter: "born eq 'yesterday'", parts: []string{"not a valid Edm.Date", "position 8"}},
		{name: "invalid date literal", filter: "born eq 2021-02-30", parts: []string{"not a valid date", "position 8"}},
		{name: "unterminated string", filter: "displayName eq 'abc", parts: []string{"unterminated string literal", "position 15"}},
		{name: "invalid character", filter: "age eq @x", parts: []string{"character '@' is not valid", "position 7"}},
		{name: "missing operand", filter: "age eq", parts: []string{"Expression expected", "position 6"}},
		{name: "trailing token", filter: "age eq 1 2", parts: []string{"unexpected '2'", "position 9"}},
		{name: "missing parenthesis", filter: "(age eq 1", parts: []string{"')' expected", "position 9"}},
		{name: "unknown function", filter: "foo(displayName)", parts: []string{"Unknown function 'foo'", "position 0"}},
		{name: "unsupported function", filter: "concat(displayName,'x') eq 'y'", parts: []string{"'concat' is not supported"}},
		{name: "function arity", filter: "startswith(displayName)", parts: []string{"takes 2 argument(s), found 1"}},
		{name: "function on an int", filter: "startswith(age,'1')", parts: []string{"string arguments", "Edm.Int32", "position 11"}},
		{name: "collection compared", filter: "emails eq 'x'", parts: []string{"'Collection(Edm.String)'"}},
		{name: "property of a collection", filter: "identities/issuer eq 'x'", parts: []string{"not a single value", "position 11"}},
		{name: "any on a single value", filter: "displayName/any(d:d eq 'x')", parts: []string{"applies to collections", "position 12"}},
		{name: "$count on a single value", filter: "age/$count eq 1", parts: []string{"$count applies to collections"}},
		{name: "all without a lambda", filter: "emails/all()", parts: []string{"needs a lambda"}},
		{name: "not a boolean", filter: "displayName", parts: []string{"boolean expression is expected", "Edm.String"}},
		{name: "and on a non-boolean", filter: "age and active", parts: []string{"boolean expression", "Edm.Int32"}},
		{name: "invalid enum member", filter: "color eq 'purple'", parts: []string{"'purple' is not a valid enumeration type constant of 'test.ns.color'", "position 9"}},
		{name: "unknown enum type", filter: "color eq test.ns.shade'red'", parts: []string{"Unknown enumeration type 'test.ns.shade'"}},
		{name: "enum of another type", filter: "color eq test.ns.perm'read'", parts: []string{"incompatible types", "'test.ns.color' and 'test.ns.perm'"}},
		{name: "has on a string", filter: "displayName has 'x'", parts: []string{"has operator applies to enumeration"}},
		{name: "in with a property", filter: "age in (age)", parts: []string{"list of literals"}},
		{name: "in with a mismatched literal", filter: "age in (1, 'x')", parts: []string{"cannot be compared", "position 11"}},
		{name: "arithmetic", filter: "age add 1 eq 2", parts: []string{"arithmetic operator 'add' is not supported", "position 4"}},
		{name: "navigation property", filter: "manager/displayName eq 'x'", parts: []string{"navigation property 'manager'"}},
		{name: "type cast", filter: "test.ns.person/age eq 1", parts: []string{"Type casts"}},
		{name: "too deep", filter: deep, parts: []string{"nested too deeply"}},
		{name: "lambda variable with a dot", filter: "emails/any(e.x:true)", parts: []string{"not a valid lambda variable name"}},
		{name: "malformed number", filter: "age eq 12abc", parts: []string{"malformed number", "position 7"}},
		{name: "untyped compared", filter: "payload eq 1", parts: []string{"incompatible types", "Edm.Untyped"}},
		{name: "complex compared", filter: "address eq 'x'", parts: []string{"incompatible types", "test.ns.address"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f, err := odata.ParseFilter(schema, person, tt.filter)
			if err == nil {
				t.Fatalf("ParseFilter(%q) = %v, want an error", tt.filter, f)
			}
			graphError(t, err, tt.parts...)
		})
	}
}

// TestFilterConcurrentMatch: one parsed filter serves many goroutines (run under -race).
func TestFilterConcurrentMatch(t *testing.T) {
	t.Parallel()
	schema, person := newQuerySchema(t)
	f, err := odata.ParseFilter(schema, person, "identities/any(i:emails/any(e:e eq i/issuerAssignedId)) or age eq 25")
	if err != nil {
		t.Fatal(err)
	}
	want := matching(f)
	var wg sync.WaitGroup
	results := make([][]string, 8)
	for g := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 50; i++ {
				results[g] = matching(f)
			}
		}()
	}
	wg.Wait()
	for g, got := range results {
		if !sameIDs(got, want) || !sameIDs(want, ids("p1 p2 p6")) {
			t.Errorf("goroutine %d matched %v, want %v", g, got, want)
		}
	}
}

func TestFilterEqualityOn(t *testing.T) {
	t.Parallel()
	schema, person := newQuerySchema(t)
	tests := []struct {
		name   string
		filter string
		prop   string
		want   string
		ok     bool
	}{
		{name: "prop eq literal", filter: "id eq 'p1'", prop: "id", want: "p1", ok: true},
		{name: "literal eq prop", filter: "'p1' eq id", prop: "id", want: "p1", ok: true},
		{name: "ANDed, quote doubled", filter: "displayName eq 'x' and id eq 'O''B'", prop: "id", want: "O'B", ok: true},
		{name: "deep AND", filter: "age gt 1 and (active and id eq 'k')", prop: "id", want: "k", ok: true},
		{name: "guid", filter: "tenantId eq 72f988bf-86f1-41af-91ab-2d7cd011db47", prop: "tenantId", want: "72f988bf-86f1-41af-91ab-2d7cd011db47", ok: true},
		{name: "number", filter: "age eq 31", prop: "age", want: "31", ok: true},
		{name: "enum in schema spelling", filter: "color eq 'RED'", prop: "color", want: "red", ok: true},
		{name: "other property", filter: "displayName eq 'x'", prop: "id"},
		{name: "or", filter: "id eq 'a' or id eq 'b'", prop: "id"},
		{name: "not", filter: "not(id eq 'a')", prop: "id"},
		{name: "ne", filter: "id ne 'a'", prop: "id"},
		{name: "null", filter: "id eq null", prop: "id"},
		{name: "nested path", filter: "address/city eq 'x'", prop: "city"},
		{name: "inside a lambda", filter: "identities/any(i:i/issuer eq 'x')", prop: "issuer"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f, err := odata.ParseFilter(schema, person, tt.filter)
			if err != nil {
				t.Fatal(err)
			}
			got, ok := f.EqualityOn(tt.prop)
			if got != tt.want || ok != tt.ok {
				t.Errorf("EqualityOn(%q) of %q = %q, %v; want %q, %v", tt.prop, tt.filter, got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestFilterEqualityValues(t *testing.T) {
	t.Parallel()
	schema, person := newQuerySchema(t)
	tests := []struct {
		name   string
		filter string
		want   []string
	}{
		{name: "in", filter: "id in ('a', 'b''c')", want: []string{"a", "b'c"}},
		{name: "ANDed in", filter: "age gt 3 and id in ('a')", want: []string{"a"}},
		{name: "eq", filter: "id eq 'a'", want: []string{"a"}},
		{name: "in with null", filter: "id in ('a', null)"},
		{name: "in on another property", filter: "displayName in ('a')"},
		{name: "ORed", filter: "id in ('a') or age eq 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f, err := odata.ParseFilter(schema, person, tt.filter)
			if err != nil {
				t.Fatal(err)
			}
			got, ok := f.EqualityValues("id")
			if ok != (tt.want != nil) || !slices.Equal(got, tt.want) {
				t.Errorf("EqualityValues(id) of %q = %q, %v; want %q", tt.filter, got, ok, tt.want)
			}
		})
	}
}

func TestFilterUses(t *testing.T) {
	t.Parallel()
	schema, person := newQuerySchema(t)
	tests := []struct {
		name   string
		filter string
		want   odata.Feature
		absent odata.Feature
	}{
		{name: "eq only", filter: "displayName eq 'x'", absent: odata.FeatureNe | odata.FeatureNot | odata.FeatureEndsWith | odata.FeatureCount},
		{name: "ne", filter: "displayName ne 'x'", want: odata.FeatureNe},
		{name: "not", filter: "not(active)", want: odata.FeatureNot},
		{name: "endswith", filter: "endswith(mail,'x')", want: odata.FeatureEndsWith, absent: odata.FeatureStartsWith},
		{name: "$count", filter: "emails/$count eq 0", want: odata.FeatureCount},
		{name: "lambda", filter: "emails/any(e:e eq 'x')", want: odata.FeatureAny, absent: odata.FeatureAll},
		{name: "null", filter: "mail eq null", want: odata.FeatureNull},
		{name: "relational", filter: "age lt 3", want: odata.FeatureRelational},
		{name: "in", filter: "age in (1)", want: odata.FeatureIn},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f, err := odata.ParseFilter(schema, person, tt.filter)
			if err != nil {
				t.Fatal(err)
			}
			if tt.want != 0 && !f.Uses(tt.want) {
				t.Errorf("Uses(%b) = false", tt.want)
			}
			if tt.absent != 0 && f.Uses(tt.absent) {
				t.Errorf("Uses(%b) = true", tt.absent)
			}
		})
	}
}

// TestFilterNavigationCount: a collection-valued navigation property's $count is the
// number the caller counts for the entity; without a counter it is 0; it is an advanced
// query construct ($count), can be compared and combined like any number, and is
// refused on a single-valued navigation property and in $orderby.
func TestFilterNavigationCount(t *testing.T) {
	t.Parallel()
	schema, person := newQuerySchema(t)
	counts := map[string]int{"members": 2}
	count := func(nav string) int { return counts[nav] }
	entity := []byte(`{"id":"p1","age":30}`)
	for _, tt := range []struct {
		filter string
		want   bool
	}{
		{"members/$count eq 2", true},
		{"members/$count eq 0 or members/$count eq 1", false},
		{"Members/$count gt 1 and age eq 30", true},
		{"not (members/$count ge 3)", true},
	} {
		f, err := odata.ParseFilter(schema, person, tt.filter)
		if err != nil {
			t.Fatalf("%s: %v", tt.filter, err)
		}
		if !f.Uses(odata.FeatureNavCount) || !f.Uses(odata.FeatureCount) {
			t.Errorf("%s: not reported as a navigation $count", tt.filter)
		}
		if got := f.MatchCounting(nil, entity, count); got != tt.want {
			t.Errorf("%s: %v, want %v", tt.filter, got, tt.want)
		}
	}
	f, err := odata.ParseFilter(schema, person, "members/$count eq 0")
	if err != nil {
		t.Fatal(err)
	}
	if !f.Match(entity) {
		t.Error("without a counter a navigation holds nothing")
	}
	for _, bad := range []string{"manager/$count eq 1", "members eq 1", "members/$count"} {
		if _, err := odata.ParseFilter(schema, person, bad); err == nil {
			t.Errorf("%s: accepted", bad)
		}
	}
	if _, err := odata.ParseOrderBy(schema, person, "members/$count"); err == nil {
		t.Error("$orderby members/$count accepted")
	}
}
