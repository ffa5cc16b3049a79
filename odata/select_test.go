package odata_test

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/graph-emulator/graph-emulator/odata"
)

func TestParseSelect(t *testing.T) {
	t.Parallel()
	schema, person := newQuerySchema(t)
	bag := schema.EntityType("test.ns.bag")
	tests := []struct {
		name   string
		text   string
		onBag  bool
		want   []string
		errors []string
	}{
		{name: "two names", text: "id,displayName", want: []string{"id", "displayName"}},
		{name: "request order kept", text: "displayName, id", want: []string{"displayName", "id"}},
		{name: "schema spelling", text: "DISPLAYNAME,Mail", want: []string{"displayName", "mail"}},
		{name: "duplicates dropped", text: "mail,displayName,mail", want: []string{"mail", "displayName"}},
		{name: "nested path", text: "address/city,id", want: []string{"address/city", "id"}},
		{name: "ancestor wins", text: "address/city,address,address/street", want: []string{"address"}},
		{name: "star", text: "*", want: nil},
		{name: "star with names", text: "id,*", want: nil},
		{name: "empty", text: "", want: nil},
		{name: "navigation property left out", text: "manager,id", want: []string{"id"}},
		{name: "only navigation properties: none selected", text: "manager", want: []string{}},
		{name: "open type: dynamic property", text: "label,shoeSize", onBag: true, want: []string{"label", "shoeSize"}},
		{name: "unknown", text: "id,nope", errors: []string{"Parsing OData Select and Expand failed: Could not find a property named 'nope' on type 'test.ns.person'."}},
		{name: "unknown nested", text: "address/nope", errors: []string{"'nope' on type 'test.ns.address'"}},
		{name: "into a collection", text: "emails/x", errors: []string{"collection 'emails'"}},
		{name: "into a primitive", text: "displayName/x", errors: []string{"'x'", "not structured"}},
		{name: "empty item", text: "id,,mail", errors: []string{"empty item"}},
		{name: "type cast", text: "test.ns.person/id", errors: []string{"Type casts"}},
		{name: "invalid name", text: "display name", errors: []string{"'display name' is not a valid property name"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			typ := person
			if tt.onBag {
				typ = bag
			}
			got, err := odata.ParseSelect(typ, tt.text)
			if tt.errors != nil {
				if err == nil {
					t.Fatalf("ParseSelect(%q) = %v, want an error", tt.text, got)
				}
				graphError(t, err, tt.errors...)
				return
			}
			if err != nil {
				t.Fatalf("ParseSelect(%q): %v", tt.text, err)
			}
			if !slices.Equal(got, tt.want) || (got == nil) != (tt.want == nil) {
				t.Errorf("ParseSelect(%q) = %#v, want %#v", tt.text, got, tt.want)
			}
		})
	}
}

func TestApplySelect(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		entity int // index in people
		sel    []string
		key    string
		want   string
	}{
		{name: "selected key keeps its place", entity: 0, sel: []string{"displayName", "id"}, key: "id", want: `{"displayName":"Adele Vance","id":"p1"}`},
		{name: "key added first", entity: 0, sel: []string{"mail", "displayName"}, key: "id", want: `{"id":"p1","mail":"AdeleV@contoso.com","displayName":"Adele Vance"}`},
		{name: "no key", entity: 0, sel: []string{"displayName"}, key: "", want: `{"displayName":"Adele Vance"}`},
		{name: "null value", entity: 2, sel: []string{"mail"}, key: "id", want: `{"id":"p3","mail":null}`},
		{name: "absent value written as null", entity: 4, sel: []string{"mail", "address"}, key: "id", want: `{"id":"p5","mail":null,"address":null}`},
		{name: "structured values", entity: 1, sel: []string{"identities", "emails", "address"}, key: "", want: `{"identities":[{"signInType":"userName","issuer":"fabrikam.com","issuerAssignedId":"alexw"}],"emails":[],"address":{"city":"Redmond","postalCode":98052}}`},
		{name: "nested paths grouped", entity: 0, sel: []string{"address/city", "id", "address/postalCode"}, key: "id", want: `{"address":{"city":"Seattle","postalCode":98101},"id":"p1"}`},
		{name: "nested member absent", entity: 1, sel: []string{"address/street"}, key: "", want: `{"address":{"street":null}}`},
		{name: "nested parent absent", entity: 2, sel: []string{"address/city"}, key: "", want: `{"address":null}`},
		{name: "nothing selected", entity: 0, sel: nil, key: "id", want: `{"id":"p1"}`},
		{name: "escaped text kept", entity: 2, sel: []string{"displayName"}, key: "", want: `{"displayName":"O'Brien"}`},
		// Past four names the members are read in one pass: the same answer.
		{name: "many names, some absent, nested", entity: 0, key: "id",
			sel:  []string{"mail", "nope", "address/city", "displayName", "emails", "address/postalCode", "other"},
			want: `{"id":"p1","mail":"AdeleV@contoso.com","nope":null,"address":{"city":"Seattle","postalCode":98101},"displayName":"Adele Vance","emails":["adele@contoso.com","a.vance@example.org"],"other":null}`},
		{name: "many names, parent absent", entity: 2, key: "",
			sel:  []string{"address/city", "a", "b", "c", "displayName"},
			want: `{"address":null,"a":null,"b":null,"c":null,"displayName":"O'Brien"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dst := []byte("prefix")
			got := odata.ApplySelect(dst, []byte(people[tt.entity]), tt.sel, tt.key)
			if string(got[:6]) != "prefix" {
				t.Fatalf("dst lost: %s", got)
			}
			if string(got[6:]) != tt.want {
				t.Errorf("ApplySelect = %s\nwant          %s", got[6:], tt.want)
			}
			if !json.Valid(got[6:]) {
				t.Errorf("invalid JSON %s", got[6:])
			}
		})
	}
}

func TestApplySelectEscapes(t *testing.T) {
	t.Parallel()
	entity := []byte(`{"id":"a\"b","we ird":"x\u00e9\n","n":1}`)
	got := odata.ApplySelect(nil, entity, []string{"we ird", "n"}, "id")
	want := `{"id":"a\"b","we ird":"x\u00e9\n","n":1}`
	if string(got) != want {
		t.Errorf("ApplySelect = %s, want %s", got, want)
	}
}

func TestSelectContext(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		sel  []string
		want string
	}{
		{name: "none", sel: nil, want: ""},
		{name: "request order", sel: []string{"displayName", "id"}, want: "(displayName,id)"},
		{name: "nested path", sel: []string{"address/city"}, want: "(address/city)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := odata.SelectContext(tt.sel); got != tt.want {
				t.Errorf("SelectContext(%v) = %q, want %q", tt.sel, got, tt.want)
			}
		})
	}
}

func TestSelectAnnotations(t *testing.T) {
	t.Parallel()
	_, person := newQuerySchema(t)
	sel, err := odata.ParseSelect(person, "displayName,@microsoft.graph.downloadUrl")
	if err != nil || !slices.Equal(sel, []string{"displayName", "@microsoft.graph.downloadUrl"}) {
		t.Fatalf("ParseSelect: %v %v", sel, err)
	}
	got := string(odata.ApplySelect(nil, []byte(`{"id":"1","displayName":"a"}`), sel, "id"))
	if got != `{"id":"1","displayName":"a"}` {
		t.Fatalf("ApplySelect without the annotation: %s", got)
	}
	got = string(odata.ApplySelect(nil, []byte(`{"@microsoft.graph.downloadUrl":"u","id":"1","displayName":"a"}`), sel, "id"))
	if got != `{"id":"1","displayName":"a","@microsoft.graph.downloadUrl":"u"}` {
		t.Fatalf("ApplySelect with the annotation: %s", got)
	}
	for _, bad := range []string{"@", "@x", "@.x", "@a..b", "@a.b c"} {
		if _, err := odata.ParseSelect(person, bad); err == nil {
			t.Errorf("ParseSelect(%q) accepted", bad)
		}
	}
}

// TestApplySelectManyNames: past the names kept on the stack the rest are read in the
// same pass, and a name given twice is written twice, as with few names.
func TestApplySelectManyNames(t *testing.T) {
	t.Parallel()
	sel := []string{"displayName"}
	want := `{"id":"p1","displayName":"Adele Vance"`
	for i := range 40 {
		sel = append(sel, "n"+strconv.Itoa(i))
		want += `,"n` + strconv.Itoa(i) + `":null`
	}
	sel = append(sel, "mail", "address/city", "displayName")
	want += `,"mail":"AdeleV@contoso.com","address":{"city":"Seattle"},"displayName":"Adele Vance"}`
	got := odata.ApplySelect(nil, []byte(people[0]), sel, "id")
	if string(got) != want {
		t.Errorf("ApplySelect = %s\nwant          %s", got, want)
	}
	// The same names in a few selects at a time give the same members.
	few := odata.ApplySelect(nil, []byte(people[0]), []string{"mail", "address/city"}, "")
	if !strings.Contains(string(got), string(few[1:len(few)-1])) {
		t.Errorf("many names: %s; few: %s", got, few)
	}
}
