package odata_test

import (
	"fmt"
	"testing"

	"github.com/graph-emulator/graph-emulator/odata"
)

// benchPerson is a typical stored entity of the test type, about 700 bytes.
var benchPerson = []byte(`{"id":"5f0a1c2e-8d7b-4c3a-9e1f-0a2b3c4d5e6f","displayName":"Adele Vance","description":"Adele leads the retail team of the Seattle office and runs the quarterly reviews.","mail":"AdeleV@contoso.com","age":31,"score":4.5,"big":9007199254740993,"active":true,"born":"1990-05-17","createdDateTime":"2021-03-02T12:00:00Z","tenantId":"72f988bf-86f1-41af-91ab-2d7cd011db47","color":"red","perms":"read,write","address":{"street":"1 Main St","city":"Seattle","postalCode":98101},"emails":["adele@contoso.com","a.vance@example.org"],"identities":[{"signInType":"emailAddress","issuer":"contoso.onmicrosoft.com","issuerAssignedId":"adele@contoso.com"},{"signInType":"userPrincipalName","issuer":"contoso.onmicrosoft.com","issuerAssignedId":"AdeleV@contoso.com"}]}`)

var benchFilters = []struct{ name, filter string }{
	{name: "typical", filter: "startswith(displayName,'adele') and active eq true and createdDateTime ge 2021-01-01T00:00:00Z"},
	{name: "eq", filter: "mail eq 'adelev@contoso.com'"},
	{name: "lambda", filter: "identities/any(i:i/issuer eq 'contoso.onmicrosoft.com' and i/signInType eq 'userPrincipalName')"},
	{name: "in and count", filter: "color in ('green','red') and emails/$count ge 2 and address/city eq 'seattle'"},
}

// TestFilterMatchAllocates nothing: Match runs once per stored entity on every list request.
func TestFilterMatchAllocations(t *testing.T) {
	schema, person := newQuerySchema(t)
	for _, bf := range benchFilters {
		f, err := odata.ParseFilter(schema, person, bf.filter)
		if err != nil {
			t.Fatal(err)
		}
		if !f.Match(benchPerson) {
			t.Fatalf("%s: the benchmark entity does not match", bf.filter)
		}
		if n := testing.AllocsPerRun(100, func() { f.Match(benchPerson) }); n != 0 {
			t.Errorf("%s: %v allocations per Match, want 0", bf.name, n)
		}
	}
}

func BenchmarkFilterMatch(b *testing.B) {
	schema, person := newQuerySchema(b)
	for _, bf := range benchFilters {
		f, err := odata.ParseFilter(schema, person, bf.filter)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(bf.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(benchPerson)))
			for b.Loop() {
				if !f.Match(benchPerson) {
					b.Fatal("no match")
				}
			}
		})
	}
}

func BenchmarkParseFilter(b *testing.B) {
	schema, person := newQuerySchema(b)
	for _, bf := range benchFilters {
		b.Run(bf.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := odata.ParseFilter(schema, person, bf.filter); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// makePeople generates n stored entities of the test type.
func makePeople(n int) [][]byte {
	first := []string{"Adele", "Alex", "Bianca", "Christie", "Debra", "Emily", "Grady", "Henrietta", "Isaiah", "Joni"}
	out := make([][]byte, n)
	for i := range out {
		name := fmt.Sprintf("%s %05d", first[i%len(first)], i)
		out[i] = fmt.Appendf(nil, `{"id":"%08x-0000-4000-8000-%012x","displayName":%q,"mail":"user%d@contoso.com","age":%d,"score":%d.5,"active":%v,"createdDateTime":"20%02d-0%d-1%dT08:00:00Z","color":"%s","address":{"city":"%s","postalCode":%d},"emails":["user%d@contoso.com"]}`,
			i, i, name, i, 18+i%60, i%100, i%3 != 0, 10+i%15, 1+i%9, i%10, []string{"red", "green", "blue"}[i%3],
			[]string{"Seattle", "Redmond", "Paris"}[i%3], 98000+i%200, i)
	}
	return out
}

// BenchmarkFilterPage100k is a list request's query work over 100,000 stored entities:
// $filter over all of them, $orderby over the matches, then the first page of $top=100
// projected with $select.
func BenchmarkFilterPage100k(b *testing.B) {
	schema, person := newQuerySchema(b)
	all := makePeople(100_000)
	q := map[string][]string{
		"$filter":  {"startswith(displayName,'a') and active eq true and age ge 30"},
		"$orderby": {"createdDateTime desc,displayName"},
		"$select":  {"id,displayName,mail"},
		"$top":     {"100"},
	}
	query, err := odata.ParseQuery(schema, person, q, odata.QueryOptions{})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	var out []byte
	for b.Loop() {
		var hits [][]byte
		for _, e := range all {
			if query.Filter.Match(e) {
				hits = append(hits, e)
			}
		}
		query.OrderBy.Sort(hits)
		out = out[:0]
		for _, e := range hits[:min(query.Top, len(hits))] {
			out = odata.ApplySelect(out, e, query.Select, "id")
		}
	}
	b.ReportMetric(float64(len(out)), "page-bytes")
}

// BenchmarkFilterScan100k is the $filter scan alone over 100,000 entities.
func BenchmarkFilterScan100k(b *testing.B) {
	schema, person := newQuerySchema(b)
	all := makePeople(100_000)
	f, err := odata.ParseFilter(schema, person, "startswith(displayName,'a') and active eq true and age ge 30")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		n = 0
		for _, e := range all {
			if f.Match(e) {
				n++
			}
		}
	}
	b.ReportMetric(float64(n), "matches")
}
