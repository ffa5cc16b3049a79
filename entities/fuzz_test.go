package entities_test

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/graph-emulator/graph-emulator/entities"
)

// fuzzTypes are the expected types FuzzReadPayload reads against, chosen by the typ byte.
var fuzzTypes = [...]string{"t.item", "t.openThing", "t.form", "t.base", "t.wide", "t.special"}

// FuzzReadPayload: ReadPayload never panics; it fails only with a payload error; on success
// every Field.Raw is valid JSON, names are unique, indexes agree with the type, and a
// second read gives the same result.
func FuzzReadPayload(f *testing.F) {
	s := newTestSchema(f)
	for _, seed := range []string{
		`{}`,
		`{"id":"1","s":"x","b":true,"i32":7,"d":"NaN","date":"2021-05-18","tags":["a"],"addr":{"city":"c"}}`,
		`{"@odata.type":"#t.special","extra":"e","@odata.etag":"x"}`,
		`{"addr":{"@odata.type":"#t.geoAddress","lat":1.5,"city":"c"},"shape":{"@odata.type":"t.circle","radius":1}}`,
		`{"zeta":1,"name":"n","alpha":[true],"id":"7"}`,
		`{"s":"a","\u0073":"b"}`,
		`{"title":"t","secret":"s","id":"1"}`,
		`{"p64":1,"p65":2,"p0":3}`,
		`[1,2]`,
		`{"nums":[1,null,"x"],"perms":"read, write"}`,
		` {"color":"RED","colors":["Blue","red"],"perms":"Read, WRITE"}`,
	} {
		for typ := range byte(len(fuzzTypes)) {
			f.Add([]byte(seed), typ, typ%2 == 0, typ%3 == 0)
		}
	}
	f.Fuzz(func(t *testing.T, body []byte, typ byte, strict, partial bool) {
		expected := mustType(t, s, fuzzTypes[int(typ)%len(fuzzTypes)])
		opts := entities.ReadOptions{Strict: strict, Partial: partial}
		p, err := s.ReadPayload(expected, body, opts)
		if err != nil {
			if p != nil {
				t.Fatalf("payload and error: %+v, %v", p, err)
			}
			if !entities.IsPayloadError(err) {
				t.Fatalf("error %T %v is not a payload error", err, err)
			}
			if _, err2 := s.ReadPayload(expected, body, opts); err2 == nil || !reflect.DeepEqual(err, err2) {
				t.Fatalf("second read: %v, first %v", err2, err)
			}
			return
		}
		if !json.Valid(body) {
			t.Fatalf("accepted a body encoding/json rejects: %q", body)
		}
		if p.Type == nil || !p.Type.IsA(expected) {
			t.Fatalf("payload type %v is not a %s", p.Type, expected.QualifiedName())
		}
		seen := map[string]bool{}
		lastIndex := -1
		dynamic := false
		for _, fl := range p.Fields {
			if !json.Valid([]byte(fl.Raw)) {
				t.Fatalf("field %q: Raw %q is not valid JSON", fl.Name, fl.Raw)
			}
			if seen[fl.Name] {
				t.Fatalf("field %q appears twice", fl.Name)
			}
			seen[fl.Name] = true
			switch {
			case fl.Index < 0:
				if !p.Type.Open {
					t.Fatalf("dynamic field %q on a type that is not open", fl.Name)
				}
				if prop, _ := p.Type.Property(fl.Name); prop != nil {
					t.Fatalf("declared property %q read as dynamic", fl.Name)
				}
				dynamic = true
			default:
				if dynamic || fl.Index <= lastIndex {
					t.Fatalf("fields out of canonical order: %v", p.Fields)
				}
				lastIndex = fl.Index
				if all := p.Type.AllProperties(); fl.Index >= len(all) || all[fl.Index].Name != fl.Name {
					t.Fatalf("field %q has index %d", fl.Name, fl.Index)
				}
			}
		}
		p2, err := s.ReadPayload(expected, body, opts)
		if err != nil {
			t.Fatalf("second read failed: %v", err)
		}
		if !reflect.DeepEqual(p, p2) {
			t.Fatalf("second read differs:\n%+v\n%+v", p, p2)
		}
	})
}
