package odata_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/graph-emulator/graph-emulator/odata"
)

// orChain is n comparisons joined by or: 3 nodes each, 1 per or.
func orChain(n int) string {
	parts := make([]string, n)
	for i := range parts {
		parts[i] = "displayName eq 'n" + strconv.Itoa(i) + "'"
	}
	return strings.Join(parts, " or ")
}

func TestFilterNodeLimit(t *testing.T) {
	t.Parallel()
	schema, person := newQuerySchema(t)
	ins := func(n int) string {
		vals := make([]string, n)
		for i := range vals {
			vals[i] = "'v" + strconv.Itoa(i) + "'"
		}
		return "mail in (" + strings.Join(vals, ",") + ")"
	}
	tests := []struct {
		name   string
		filter string
		ok     bool
	}{
		{"250 comparisons (999 nodes)", orChain(250), true},
		{"251 comparisons (1003 nodes)", orChain(251), false},
		{"4000 comparisons", orChain(4000), false},
		{"in list at the limit", ins(odata.MaxFilterNodes - 2), true},
		{"in list past the limit", ins(odata.MaxFilterNodes), false},
		{"a million tokens", strings.Repeat("(", 1e6), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			start := time.Now()
			f, err := odata.ParseFilter(schema, person, tt.filter)
			if took := time.Since(start); took > 500*time.Millisecond {
				t.Errorf("parse took %v", took)
			}
			if tt.ok {
				if err != nil {
					t.Fatalf("ParseFilter: %v", err)
				}
				f.Match(benchPerson)
				return
			}
			ge, isGraph := err.(*odata.Error)
			if !isGraph || ge.Status != 400 || ge.Code != "BadRequest" ||
				!strings.Contains(ge.Message, "node count limit of '"+strconv.Itoa(odata.MaxFilterNodes)+"'") {
				t.Fatalf("error %v, want the node count error", err)
			}
			if len(ge.Message) > 200 {
				t.Errorf("the message echoes the query: %.100s…", ge.Message)
			}
		})
	}
}

func TestSearchAndOrderByLimits(t *testing.T) {
	t.Parallel()
	schema, person := newQuerySchema(t)
	terms := func(n int) string { return strings.TrimSpace(strings.Repeat(`"displayName:a" OR `, n-1) + `"b"`) }
	if _, err := odata.ParseSearch(person, terms(odata.MaxSearchTerms)); err != nil {
		t.Errorf("%d terms: %v", odata.MaxSearchTerms, err)
	}
	if _, err := odata.ParseSearch(person, terms(odata.MaxSearchTerms+1)); err == nil || !strings.Contains(err.Error(), "node count limit") {
		t.Errorf("%d terms: %v, want the node count error", odata.MaxSearchTerms+1, err)
	}
	keys := func(n int) string { return strings.TrimSuffix(strings.Repeat("displayName,", n), ",") }
	if _, err := odata.ParseOrderBy(schema, person, keys(odata.MaxOrderByItems)); err != nil {
		t.Errorf("%d keys: %v", odata.MaxOrderByItems, err)
	}
	if _, err := odata.ParseOrderBy(schema, person, keys(odata.MaxOrderByItems+1)); err == nil || !strings.Contains(err.Error(), "maximum number of $orderby clauses") {
		t.Errorf("%d keys: %v, want the $orderby count error", odata.MaxOrderByItems+1, err)
	}
}

// TestFilterIndexedRoots: a filter reading many properties reads them in one pass over
// the entity; it answers as the same conditions read one by one.
func TestFilterIndexedRoots(t *testing.T) {
	t.Parallel()
	schema, person := newQuerySchema(t)
	conds := []string{
		"startswith(displayName,'adele')", "mail eq 'adelev@contoso.com'", "age gt 30", "score lt 4",
		"active eq true", "born lt 2000-01-01", "color eq 'red'", "address/city eq 'seattle'",
		"address/postalCode eq 98101", "emails/$count eq 2", "emails/any(e:endswith(e,'.org'))",
		"identities/all(i:i/issuer eq 'contoso.onmicrosoft.com')", "description eq null", "tenantId ne null",
		"big ge 9007199254740993", "perms has 'write'", "createdDateTime ge 2021-01-01T00:00:00Z",
	}
	entities := [][]byte{benchPerson, []byte(`{"id":"x"}`), []byte(`{"id":"y","displayName":"adele","age":40,"address":null,"emails":[],"identities":[]}`)}
	for i := 0; i+4 <= len(conds); i++ {
		group := conds[i : i+4]
		for _, join := range []string{" and ", " or "} {
			all, err := odata.ParseFilter(schema, person, strings.Join(group, join))
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range entities {
				want := join == " and "
				for _, c := range group {
					one, err := odata.ParseFilter(schema, person, c)
					if err != nil {
						t.Fatal(err)
					}
					if join == " and " {
						want = want && one.Match(e)
					} else {
						want = want || one.Match(e)
					}
				}
				if got := all.Match(e); got != want {
					t.Errorf("%s on %.40s: %v, want %v", strings.Join(group, join), e, got, want)
				}
			}
		}
	}
}

// TestFilterMatchContext: a lambda over a long collection stops once the caller gives up.
func TestFilterMatchContext(t *testing.T) {
	t.Parallel()
	schema, person := newQuerySchema(t)
	f, err := odata.ParseFilter(schema, person, "emails/any(e:"+strings.Repeat("e eq 'x' or ", 200)+"e eq 'y')")
	if err != nil {
		t.Fatal(err)
	}
	entity := []byte(`{"id":"1","emails":[` + strings.TrimSuffix(strings.Repeat(`"a",`, 200000), ",") + `]}`)
	done := make(chan struct{})
	close(done)
	start := time.Now()
	if f.MatchContext(done, entity) {
		t.Error("a cancelled match answered true")
	}
	if took := time.Since(start); took > 100*time.Millisecond {
		t.Errorf("a cancelled match took %v", took)
	}
	if !f.MatchContext(nil, []byte(`{"emails":["y"]}`)) {
		t.Error("no match without a channel")
	}
}

// BenchmarkFilterManyAbsent matches a filter naming 8 properties the entity lacks against a
// 4 MB entity: one pass over it, not eight.
func BenchmarkFilterManyAbsent(b *testing.B) {
	schema, person := newQuerySchema(b)
	f, err := odata.ParseFilter(schema, person, "displayName eq 'a' or mail eq 'b' or description eq 'c' or tenantId eq 'd' or color eq 'red' or age eq 1 or score eq 2 or active eq true")
	if err != nil {
		b.Fatal(err)
	}
	entity := []byte(`{"id":"1","pad":"` + strings.Repeat("x", 4<<20) + `"}`)
	b.SetBytes(int64(len(entity)))
	for b.Loop() {
		f.Match(entity)
	}
}
