package entities_test

import (
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/graph-emulator/graph-emulator/entities"
)

const (
	qItem    = "test.ns.item"
	qAddress = "test.ns.address"
)

func TestReadPayloadErrors(t *testing.T) {
	t.Parallel()
	s := newTestSchema(t)
	strict := entities.ReadOptions{Strict: true}
	tests := []struct {
		name string
		typ  string
		body string
		opts entities.ReadOptions
		want error
	}{
		// Not JSON, or not an object.
		{name: "empty body", typ: "t.item", body: ``, want: &entities.SyntaxError{}},
		{name: "unterminated object", typ: "t.item", body: `{"s":"x"`, want: &entities.SyntaxError{}},
		{name: "trailing garbage", typ: "t.item", body: `{"s":"x"} x`, want: &entities.SyntaxError{}},
		{name: "invalid UTF-8 in a string", typ: "t.item", body: "{\"s\":\"a\x90b\"}", want: &entities.SyntaxError{}},
		{name: "invalid UTF-8 in a member name", typ: "t.item", body: "{\"\x90\":null}", want: &entities.SyntaxError{}},
		{name: "single quotes", typ: "t.item", body: `{'s':'x'}`, want: &entities.SyntaxError{}},
		{name: "leading zero", typ: "t.item", body: `{"i32":01}`, want: &entities.SyntaxError{}},
		{name: "raw control character in a string", typ: "t.item", body: "{\"s\":\"a\x01\"}", want: &entities.SyntaxError{}},
		{name: "bad escape", typ: "t.item", body: `{"s":"\x"}`, want: &entities.SyntaxError{}},
		{name: "array", typ: "t.item", body: `[{"s":"x"}]`, want: &entities.NotObjectError{Kind: "array"}},
		{name: "string", typ: "t.item", body: `"x"`, want: &entities.NotObjectError{Kind: "string"}},
		{name: "number", typ: "t.item", body: ` 12 `, want: &entities.NotObjectError{Kind: "number"}},
		{name: "boolean", typ: "t.item", body: `true`, want: &entities.NotObjectError{Kind: "boolean"}},
		{name: "null", typ: "t.item", body: `null`, want: &entities.NotObjectError{Kind: "null"}},

		// Unknown properties, with dotted paths for nested members.
		{name: "unknown top-level property", typ: "t.item", body: `{"s":"x","nope":1}`,
			want: &entities.UnknownPropertyError{Property: "nope", Type: qItem}},
		{name: "unknown nested property", typ: "t.item", body: `{"addr":{"city":"c","zip":"1"}}`,
			want: &entities.UnknownPropertyError{Property: "addr.zip", Type: qAddress}},
		{name: "unknown property in a collection element", typ: "t.item", body: `{"addrs":[{"city":"a"},{"city":"b","zip":1}]}`,
			want: &entities.UnknownPropertyError{Property: "addrs[1].zip", Type: qAddress}},
		{name: "derived property without @odata.type", typ: "t.item", body: `{"extra":"x"}`,
			want: &entities.UnknownPropertyError{Property: "extra", Type: qItem}},
		{name: "derived complex property without @odata.type", typ: "t.item", body: `{"addr":{"city":"c","lat":1}}`,
			want: &entities.UnknownPropertyError{Property: "addr.lat", Type: qAddress}},
		{name: "property names are case-sensitive", typ: "t.item", body: `{"S":"x"}`,
			want: &entities.UnknownPropertyError{Property: "S", Type: qItem}},
		{name: "open type takes undeclared properties", typ: "t.openThing", body: `{"x":1,"name":"n"}`, want: nil},

		// Invalid values: one JSON kind mismatch per Edm kind.
		{name: "string gets a number", typ: "t.item", body: `{"s":5}`,
			want: &entities.InvalidValueError{Property: "s", Type: qItem, Expected: "Edm.String", Literal: "5"}},
		{name: "boolean gets a string", typ: "t.item", body: `{"b":"true"}`,
			want: &entities.InvalidValueError{Property: "b", Type: qItem, Expected: "Edm.Boolean", Literal: `true`}},
		{name: "boolean gets a number", typ: "t.item", body: `{"b":1}`,
			want: &entities.InvalidValueError{Property: "b", Type: qItem, Expected: "Edm.Boolean", Literal: `1`}},
		{name: "byte gets a string", typ: "t.item", body: `{"by":"1"}`,
			want: &entities.InvalidValueError{Property: "by", Type: qItem, Expected: "Edm.Byte", Literal: `1`}},
		{name: "sbyte gets a boolean", typ: "t.item", body: `{"sb":true}`,
			want: &entities.InvalidValueError{Property: "sb", Type: qItem, Expected: "Edm.SByte", Literal: `true`}},
		{name: "int16 gets an array", typ: "t.item", body: `{"i16":[1]}`,
			want: &entities.InvalidValueError{Property: "i16", Type: qItem, Expected: "Edm.Int16", Literal: `[1]`}},
		{name: "int32 gets an object", typ: "t.item", body: `{"i32":{}}`,
			want: &entities.InvalidValueError{Property: "i32", Type: qItem, Expected: "Edm.Int32", Literal: `{}`}},
		{name: "int64 gets a string", typ: "t.item", body: `{"i64":"14"}`,
			want: &entities.InvalidValueError{Property: "i64", Type: qItem, Expected: "Edm.Int64", Literal: `14`}},
		{name: "single gets a numeric string", typ: "t.item", body: `{"f":"1.5"}`,
			want: &entities.InvalidValueError{Property: "f", Type: qItem, Expected: "Edm.Single", Literal: `1.5`}},
		{name: "double gets a lower-case nan", typ: "t.item", body: `{"d":"nan"}`,
			want: &entities.InvalidValueError{Property: "d", Type: qItem, Expected: "Edm.Double", Literal: `nan`}},
		{name: "decimal gets a string", typ: "t.item", body: `{"dec":"1.5"}`,
			want: &entities.InvalidValueError{Property: "dec", Type: qItem, Expected: "Edm.Decimal", Literal: `1.5`}},
		{name: "date gets a number", typ: "t.item", body: `{"date":20210518}`,
			want: &entities.InvalidValueError{Property: "date", Type: qItem, Expected: "Edm.Date", Literal: `20210518`}},
		{name: "dateTimeOffset gets a number", typ: "t.item", body: `{"dto":0}`,
			want: &entities.InvalidValueError{Property: "dto", Type: qItem, Expected: "Edm.DateTimeOffset", Literal: `0`}},
		{name: "timeOfDay gets a boolean", typ: "t.item", body: `{"tod":false}`,
			want: &entities.InvalidValueError{Property: "tod", Type: qItem, Expected: "Edm.TimeOfDay", Literal: `false`}},
		{name: "duration gets a number", typ: "t.item", body: `{"dur":60}`,
			want: &entities.InvalidValueError{Property: "dur", Type: qItem, Expected: "Edm.Duration", Literal: `60`}},
		{name: "guid gets an object", typ: "t.item", body: `{"g":{"a":1}}`,
			want: &entities.InvalidValueError{Property: "g", Type: qItem, Expected: "Edm.Guid", Literal: `{"a":1}`}},
		{name: "binary gets an array", typ: "t.item", body: `{"bin":[1,2]}`,
			want: &entities.InvalidValueError{Property: "bin", Type: qItem, Expected: "Edm.Binary", Literal: `[1,2]`}},
		{name: "enum gets a number", typ: "t.item", body: `{"color":1}`,
			want: &entities.InvalidValueError{Property: "color", Type: qItem, Expected: "t.color", Literal: `1`}},
		{name: "complex gets a string", typ: "t.item", body: `{"addr":"Main St"}`,
			want: &entities.InvalidValueError{Property: "addr", Type: qItem, Expected: "t.address", Literal: `Main St`}},
		{name: "complex gets an array", typ: "t.item", body: `{"addr":[]}`,
			want: &entities.InvalidValueError{Property: "addr", Type: qItem, Expected: "t.address", Literal: `[]`}},
		{name: "nested value of the wrong kind", typ: "t.item", body: `{"addr":{"city":7}}`,
			want: &entities.InvalidValueError{Property: "addr.city", Type: qAddress, Expected: "Edm.String", Literal: `7`}},
		{name: "long string literal is shortened", typ: "t.item", body: `{"i64":"` + strings.Repeat("x", 100) + `"}`,
			want: &entities.InvalidValueError{Property: "i64", Type: qItem, Expected: "Edm.Int64", Literal: strings.Repeat("x", 64) + "…"}},
		{name: "long JSON literal is shortened", typ: "t.item", body: `{"i64":[` + strings.Repeat("1,", 40) + `1]}`,
			want: &entities.InvalidValueError{Property: "i64", Type: qItem, Expected: "Edm.Int64", Literal: "[" + strings.Repeat("1,", 31) + "1" + "…"}},
		{name: "string literal is its text", typ: "t.item", body: `{"i32":"a\"b\u00e9"}`,
			want: &entities.InvalidValueError{Property: "i32", Type: qItem, Expected: "Edm.Int32", Literal: `a"bé`}},

		// Collections.
		{name: "collection gets a scalar", typ: "t.item", body: `{"tags":"a"}`,
			want: &entities.InvalidValueError{Property: "tags", Type: qItem, Expected: "Collection(Edm.String)", Literal: `a`}},
		{name: "collection gets an object", typ: "t.item", body: `{"addrs":{"city":"c"}}`,
			want: &entities.InvalidValueError{Property: "addrs", Type: qItem, Expected: "Collection(t.address)", Literal: `{"city":"c"}`}},
		{name: "collection element of the wrong kind", typ: "t.item", body: `{"nums":[1,2,"3"]}`,
			want: &entities.InvalidValueError{Property: "nums[2]", Type: qItem, Expected: "Edm.Int32", Literal: `3`}},
		{name: "collection of complex with a bad element", typ: "t.item", body: `{"addrs":[{"city":"a"},"b"]}`,
			want: &entities.InvalidValueError{Property: "addrs[1]", Type: qItem, Expected: "t.address", Literal: `b`}},
		{name: "nested collection is not an element", typ: "t.item", body: `{"tags":[["a"]]}`,
			want: &entities.InvalidValueError{Property: "tags[0]", Type: qItem, Expected: "Edm.String", Literal: `["a"]`}},
		{name: "collection of enums with a number", typ: "t.item", body: `{"colors":["red",2]}`,
			want: &entities.InvalidValueError{Property: "colors[1]", Type: qItem, Expected: "t.color", Literal: `2`}},
		{name: "strict collection of enums with a non-member", typ: "t.item", body: `{"colors":["red","pink"]}`, opts: strict,
			want: &entities.InvalidValueError{Property: "colors[1]", Type: qItem, Expected: "t.color", Literal: `pink`}},
		{name: "strict collection element out of range", typ: "t.item", body: `{"nums":[2147483648]}`, opts: strict,
			want: &entities.InvalidValueError{Property: "nums[0]", Type: qItem, Expected: "Edm.Int32", Literal: `2147483648`}},

		// Nulls.
		{name: "null for a not-null property", typ: "t.item", body: `{"nn":null}`,
			want: &entities.InvalidValueError{Property: "nn", Type: qItem, Expected: "Edm.String", Literal: `null`}},
		{name: "null key", typ: "t.item", body: `{"id":null}`,
			want: &entities.InvalidValueError{Property: "id", Type: qItem, Expected: "Edm.String", Literal: `null`}},
		{name: "null key in an update", typ: "t.item", body: `{"id":null}`, opts: entities.ReadOptions{Partial: true},
			want: &entities.InvalidValueError{Property: "id", Type: qItem, Expected: "Edm.String", Literal: `null`}},
		{name: "null for a nested not-null property", typ: "t.item", body: `{"addr":{"city":null}}`,
			want: &entities.InvalidValueError{Property: "addr.city", Type: qAddress, Expected: "Edm.String", Literal: `null`}},
		{name: "null element of a not-null collection", typ: "t.item", body: `{"strictTags":["a",null]}`,
			want: &entities.InvalidValueError{Property: "strictTags", Type: qItem, Expected: "Collection(Edm.String)", Literal: `["a",null]`}},
		{name: "null for a not-null collection", typ: "t.item", body: `{"strictTags":null}`,
			want: &entities.InvalidValueError{Property: "strictTags", Type: qItem, Expected: "Collection(Edm.String)", Literal: `null`}},

		// @odata.type claims.
		{name: "claim of an unknown type", typ: "t.item", body: `{"@odata.type":"#microsoft.graph.user"}`,
			want: &entities.TypeMismatchError{Claimed: "#microsoft.graph.user", Expected: qItem}},
		{name: "claim of a sibling type", typ: "t.item", body: `{"@odata.type":"#t.other"}`,
			want: &entities.TypeMismatchError{Claimed: "#t.other", Expected: qItem}},
		{name: "claim of the base type", typ: "t.special", body: `{"@odata.type":"#t.item"}`,
			want: &entities.TypeMismatchError{Claimed: "#t.item", Expected: "test.ns.special"}},
		{name: "claim of a complex type", typ: "t.item", body: `{"@odata.type":"#t.address"}`,
			want: &entities.TypeMismatchError{Claimed: "#t.address", Expected: qItem}},
		{name: "claim that is not a string", typ: "t.item", body: `{"@odata.type":5}`,
			want: &entities.TypeMismatchError{Claimed: "5", Expected: qItem}},
		{name: "claim without namespace", typ: "t.item", body: `{"@odata.type":"item"}`,
			want: &entities.TypeMismatchError{Claimed: "item", Expected: qItem}},
		{name: "nested claim of an unrelated complex type", typ: "t.item", body: `{"addr":{"@odata.type":"#t.circle","radius":1}}`,
			want: &entities.TypeMismatchError{Claimed: "#t.circle", Expected: qAddress}},
		{name: "nested claim of an entity type", typ: "t.item", body: `{"addr":{"@odata.type":"#t.item"}}`,
			want: &entities.TypeMismatchError{Claimed: "#t.item", Expected: qAddress}},
		{name: "nested claim that is not a string", typ: "t.item", body: `{"addr":{"@odata.type":true}}`,
			want: &entities.TypeMismatchError{Claimed: "true", Expected: qAddress}},

		// Abstract types.
		{name: "abstract expected type", typ: "t.base", body: `{"id":"1"}`,
			want: &entities.AbstractTypeError{Type: "test.ns.base"}},
		{name: "abstract claimed type", typ: "t.base", body: `{"@odata.type":"#test.ns.base","id":"1"}`,
			want: &entities.AbstractTypeError{Type: "test.ns.base"}},
		{name: "abstract complex value", typ: "t.item", body: `{"shape":{"label":"x"}}`,
			want: &entities.AbstractTypeError{Type: "test.ns.shape"}},
		{name: "abstract complex value in an update", typ: "t.item", body: `{"shape":{"label":"x"}}`, opts: entities.ReadOptions{Partial: true},
			want: &entities.AbstractTypeError{Type: "test.ns.shape"}},

		// Duplicates.
		{name: "duplicate property", typ: "t.item", body: `{"s":"a","b":true,"s":"b"}`,
			want: &entities.DuplicatePropertyError{Property: "s"}},
		{name: "duplicate through an escape", typ: "t.item", body: `{"s":"a","\u0073":"b"}`,
			want: &entities.DuplicatePropertyError{Property: "s"}},
		{name: "duplicate nested property", typ: "t.item", body: `{"addr":{"city":"a","city":"b"}}`,
			want: &entities.DuplicatePropertyError{Property: "addr.city"}},
		{name: "duplicate dynamic property", typ: "t.openThing", body: `{"x":1,"y":2,"x":3}`,
			want: &entities.DuplicatePropertyError{Property: "x"}},
		{name: "duplicate beyond 64 properties", typ: "t.wide", body: `{"p64":1,"p65":2,"p3":3,"p69":4,"p65":5}`,
			want: &entities.DuplicatePropertyError{Property: "p65"}},

		// Strict: read-only and required properties.
		{name: "read-only property", typ: "t.form", body: `{"title":"t","secret":"s"}`, opts: strict,
			want: &entities.ReadOnlyPropertyError{Property: "secret", Type: "test.ns.form"}},
		{name: "read-only property in an update", typ: "t.form", body: `{"secret":"s"}`, opts: entities.ReadOptions{Strict: true, Partial: true},
			want: &entities.ReadOnlyPropertyError{Property: "secret", Type: "test.ns.form"}},
		{name: "read-only key in an update", typ: "t.form", body: `{"id":"1"}`, opts: entities.ReadOptions{Strict: true, Partial: true},
			want: &entities.ReadOnlyPropertyError{Property: "id", Type: "test.ns.form"}},
		{name: "read-only key on create", typ: "t.form", body: `{"id":"1","title":"t"}`, opts: strict, want: nil},
		{name: "read-only property by default", typ: "t.form", body: `{"title":"t","secret":"s"}`, want: nil},
		{name: "missing required property", typ: "t.form", body: `{"id":"1"}`, opts: strict,
			want: &entities.MissingPropertyError{Property: "title", Type: "test.ns.form"}},
		{name: "missing required property in an update", typ: "t.form", body: `{}`, opts: entities.ReadOptions{Strict: true, Partial: true}, want: nil},
		{name: "missing required property by default", typ: "t.form", body: `{}`, want: nil},
		// State (a fixture): read-only properties allowed, required ones not enforced,
		// lexical forms and kinds still checked.
		{name: "read-only property in state", typ: "t.form", body: `{"title":"t","secret":"s"}`, opts: entities.ReadOptions{Strict: true, State: true}, want: nil},
		{name: "missing required property in state", typ: "t.form", body: `{"id":"1"}`, opts: entities.ReadOptions{Strict: true, State: true}, want: nil},
		{name: "wrong kind in state", typ: "t.form", body: `{"addr":{"city":1}}`, opts: entities.ReadOptions{Strict: true, State: true},
			want: &entities.InvalidValueError{Property: "addr.city", Type: qAddress, Expected: "Edm.String", Literal: "1"}},
		{name: "nested error under strict comes first", typ: "t.form", body: `{"addr":{"city":1}}`, opts: strict,
			want: &entities.InvalidValueError{Property: "addr.city", Type: qAddress, Expected: "Edm.String", Literal: "1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			typ := mustType(t, s, tt.typ)
			p, err := s.ReadPayload(typ, []byte(tt.body), tt.opts)
			checkErr(t, err, tt.want)
			if err != nil && p != nil {
				t.Errorf("payload %+v returned with an error", p)
			}
			if err == nil && p == nil {
				t.Errorf("nil payload without an error")
			}
		})
	}
}

func TestReadPayloadFields(t *testing.T) {
	t.Parallel()
	s := newTestSchema(t)
	tests := []struct {
		name        string
		typ         string
		body        string
		opts        entities.ReadOptions
		wantType    string
		wantClaimed bool
		want        []entities.Field // Index -1 is a dynamic member
	}{
		{
			name: "schema order, key first", typ: "t.item",
			body:     `{"b":true, "s":"x", "id":"k1"}`,
			wantType: qItem,
			want:     []entities.Field{{Name: "id", Raw: `"k1"`, Index: 0}, {Name: "s", Raw: `"x"`, Index: 1}, {Name: "b", Raw: `true`, Index: 2}},
		},
		{
			name: "empty object", typ: "t.item", body: `{}`, wantType: qItem, want: []entities.Field{},
		},
		{
			name: "whitespace around the object", typ: "t.item", body: " \n{ \"s\" : \"x\" }\t", wantType: qItem,
			want: []entities.Field{{Name: "s", Raw: `"x"`, Index: 1}},
		},
		{
			name: "raw values as sent, nested whitespace kept", typ: "t.item",
			body:     `{"addr":{ "city" : "c" },"tags":[ "a" , "b" ],"d":1.0e2,"u":{"any":[1,{"x":null}]}}`,
			wantType: qItem,
			want: []entities.Field{
				{Name: "d", Raw: `1.0e2`, Index: 9},
				{Name: "u", Raw: `{"any":[1,{"x":null}]}`, Index: 17},
				{Name: "addr", Raw: `{ "city" : "c" }`, Index: 20},
				{Name: "tags", Raw: `[ "a" , "b" ]`, Index: 22},
			},
		},
		{
			name: "annotations are not kept", typ: "t.item",
			body:     `{"@odata.context":"x","s@odata.etag":"y","s":"v","@odata.etag":"W/\"1\"","addr":{"@odata.id":"z","city":"c"},"@custom.note":{"a":1}}`,
			wantType: qItem,
			want:     []entities.Field{{Name: "s", Raw: `"v"`, Index: 1}, {Name: "addr", Raw: `{"@odata.id":"z","city":"c"}`, Index: 20}},
		},
		{
			name: "open type: declared in schema order, dynamic last in the order sent", typ: "t.openThing",
			body:     `{"zeta":1,"name":"n","alpha":[true],"id":"7","mid":{"x":"y"}}`,
			wantType: "test.ns.openThing",
			want: []entities.Field{
				{Name: "id", Raw: `"7"`, Index: 0}, {Name: "name", Raw: `"n"`, Index: 1},
				{Name: "zeta", Raw: `1`, Index: -1}, {Name: "alpha", Raw: `[true]`, Index: -1}, {Name: "mid", Raw: `{"x":"y"}`, Index: -1},
			},
		},
		{
			name: "claimed derived type", typ: "t.item",
			body:     `{"extra":"e","@odata.type":"#test.ns.special","s":"x"}`,
			wantType: "test.ns.special", wantClaimed: true,
			want: []entities.Field{{Name: "s", Raw: `"x"`, Index: 1}, {Name: "extra", Raw: `"e"`, Index: 28}},
		},
		{
			name: "claim of the expected type by alias without #", typ: "t.item",
			body: `{"@odata.type":"t.item"}`, wantType: qItem, wantClaimed: true, want: []entities.Field{},
		},
		{
			name: "claim of a concrete type under an abstract base", typ: "t.base",
			body: `{"@odata.type":"#test.ns.other","o":"x","id":"1"}`, wantType: "test.ns.other", wantClaimed: true,
			want: []entities.Field{{Name: "id", Raw: `"1"`, Index: 0}, {Name: "o", Raw: `"x"`, Index: 1}},
		},
		{
			name: "abstract type in an update", typ: "t.base", opts: entities.ReadOptions{Partial: true},
			body: `{"id":"1"}`, wantType: "test.ns.base", want: []entities.Field{{Name: "id", Raw: `"1"`, Index: 0}},
		},
		{
			name: "derived complex types via @odata.type", typ: "t.item",
			body:     `{"addr":{"@odata.type":"#t.geoAddress","lat":1.5,"city":"c"},"addrs":[{"city":"a"},{"@odata.type":"test.ns.geoAddress","city":"b","lat":-2}],"shape":{"@odata.type":"#t.circle","radius":2,"label":"l"}}`,
			wantType: qItem,
			want: []entities.Field{
				{Name: "addr", Raw: `{"@odata.type":"#t.geoAddress","lat":1.5,"city":"c"}`, Index: 20},
				{Name: "addrs", Raw: `[{"city":"a"},{"@odata.type":"test.ns.geoAddress","city":"b","lat":-2}]`, Index: 21},
				{Name: "shape", Raw: `{"@odata.type":"#t.circle","radius":2,"label":"l"}`, Index: 27},
			},
		},
		{
			name: "nulls where nullable", typ: "t.item",
			body:     `{"s":null,"addr":null,"tags":null,"nums":[1,null],"date":null,"color":null,"addrs":[null]}`,
			wantType: qItem,
			want: []entities.Field{
				{Name: "s", Raw: `null`, Index: 1}, {Name: "date", Raw: `null`, Index: 11}, {Name: "color", Raw: `null`, Index: 18},
				{Name: "addr", Raw: `null`, Index: 20}, {Name: "addrs", Raw: `[null]`, Index: 21}, {Name: "tags", Raw: `null`, Index: 22},
				{Name: "nums", Raw: `[1,null]`, Index: 23},
			},
		},
		{
			name: "collections, empty and full", typ: "t.item", opts: entities.ReadOptions{Strict: true},
			body:     `{"strictTags":[],"tags":["a","b"],"nums":[-1,0,2147483647],"colors":["red","blue"]}`,
			wantType: qItem,
			want: []entities.Field{
				{Name: "tags", Raw: `["a","b"]`, Index: 22}, {Name: "nums", Raw: `[-1,0,2147483647]`, Index: 23},
				{Name: "colors", Raw: `["red","blue"]`, Index: 24}, {Name: "strictTags", Raw: `[]`, Index: 25},
			},
		},
		{
			name: "more than 64 properties", typ: "t.wide",
			body:     `{"p69":1,"p0":2,"p64":3,"p63":4}`,
			wantType: "test.ns.wide",
			want: []entities.Field{
				{Name: "p0", Raw: `2`, Index: 1}, {Name: "p63", Raw: `4`, Index: 64}, {Name: "p64", Raw: `3`, Index: 65}, {Name: "p69", Raw: `1`, Index: 70},
			},
		},
		{
			name: "unicode names and values", typ: "t.openThing",
			body:     `{"name":"\u00e9t\u00e9 – 夏","日本":"\ud83d\ude00"}`,
			wantType: "test.ns.openThing",
			want:     []entities.Field{{Name: "name", Raw: `"\u00e9t\u00e9 – 夏"`, Index: 1}, {Name: "日本", Raw: `"\ud83d\ude00"`, Index: -1}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p, err := s.ReadPayload(mustType(t, s, tt.typ), []byte(tt.body), tt.opts)
			if err != nil {
				t.Fatalf("ReadPayload: %v", err)
			}
			if p.Type.QualifiedName() != tt.wantType || p.TypeClaimed != tt.wantClaimed {
				t.Errorf("type %s claimed %v, want %s claimed %v", p.Type.QualifiedName(), p.TypeClaimed, tt.wantType, tt.wantClaimed)
			}
			if len(p.Fields) != len(tt.want) || (len(p.Fields) > 0 && !reflect.DeepEqual(p.Fields, tt.want)) {
				t.Fatalf("fields %v\nwant   %v", p.Fields, tt.want)
			}
			for _, f := range tt.want {
				got := p.Field(f.Name)
				if got == nil || *got != f {
					t.Errorf("Field(%q) = %v, want %v", f.Name, got, f)
				}
				if f.Index >= 0 && p.Type.AllProperties()[f.Index].Name != f.Name {
					t.Errorf("Index %d of %s names %s", f.Index, f.Name, p.Type.AllProperties()[f.Index].Name)
				}
			}
			if p.Field("no-such-member") != nil {
				t.Errorf("Field found a member that was not sent")
			}
		})
	}
}

// TestReadPayloadLexical checks one value of each Edm type under strict validation, and that
// by default only its JSON kind is checked (and, for an enum, that it names a member;
// for an integer type, that it is an integer in range).
func TestReadPayloadLexical(t *testing.T) {
	t.Parallel()
	s := newTestSchema(t)
	item := mustType(t, s, "t.item")
	tests := []struct {
		prop  string
		raw   string
		valid bool // under Strict
		kind  bool // accepted by default: of the right JSON kind (integers: in range)
	}{
		{"date", `"2021-05-18"`, true, true},
		{"date", `"2020-02-29"`, true, true},
		{"date", `"-0044-03-15"`, true, true},
		{"date", `"2021-02-29"`, false, true},
		{"date", `"2021-04-31"`, false, true},
		{"date", `"2021-13-01"`, false, true},
		{"date", `"2021-00-10"`, false, true},
		{"date", `"2021-5-18"`, false, true},
		{"date", `"21-05-18"`, false, true},
		{"date", `"2021-05-18T00:00:00Z"`, false, true},
		{"date", `"2021/05/18"`, false, true},
		{"date", `"Date"`, false, true},
		{"date", `""`, false, true},
		{"date", `"２０２１-05-18"`, false, true},
		{"dto", `"2021-05-18T19:03:10Z"`, true, true},
		{"dto", `"2021-05-18T19:03:10.1234567Z"`, true, true},
		{"dto", `"2021-05-18T19:03:10+02:00"`, true, true},
		{"dto", `"2021-05-18T19:03:10-08:30"`, true, true},
		{"dto", `"2021-05-18T19:03Z"`, true, true},
		{"dto", `"2021-05-18T19:03+02:00"`, true, true},
		{"dto", `"2021-05-18T19:3Z"`, false, true},
		{"dto", `"2021-05-18T19:03:10"`, false, true},
		{"dto", `"2021-05-18"`, false, true},
		{"dto", `"2021-05-18 19:03:10Z"`, false, true},
		{"dto", `"2021-05-18T25:03:10Z"`, false, true},
		{"dto", `"yesterday"`, false, true},
		{"tod", `"13:45"`, true, true},
		{"tod", `"00:00:00"`, true, true},
		{"tod", `"23:59:59.999999999999"`, true, true},
		{"tod", `"24:00"`, false, true},
		{"tod", `"9:00"`, false, true},
		{"tod", `"13:60"`, false, true},
		{"tod", `"13:45:60"`, false, true},
		{"tod", `"13:45:30."`, false, true},
		{"tod", `"13:45Z"`, false, true},
		{"dur", `"P1D"`, true, true},
		{"dur", `"PT1H30M"`, true, true},
		{"dur", `"-P1DT2H3M4.5S"`, true, true},
		{"dur", `"PT0.5S"`, true, true},
		{"dur", `"P"`, false, true},
		{"dur", `"-P"`, false, true},
		{"dur", `"PT"`, false, true},
		{"dur", `"P1DT"`, false, true},
		{"dur", `"P1Y"`, false, true},
		{"dur", `"P1W"`, false, true},
		{"dur", `"PT1.S"`, false, true},
		{"dur", `"1 day"`, false, true},
		{"g", `"6c9949b7-49b7-6c99-b749-996cb749996c"`, true, true},
		{"g", `"6C9949B7-49B7-6C99-B749-996CB749996C"`, true, true},
		{"g", `"{6c9949b7-49b7-6c99-b749-996cb749996c}"`, false, true},
		{"g", `"6c9949b749b76c99b749996cb749996c"`, false, true},
		{"g", `"6c9949b7-49b7-6c99-b749-996cb749996g"`, false, true},
		{"g", `"6c9949b7-49b7-6c99-b749-996cb749996"`, false, true},
		{"bin", `"aGVsbG8="`, true, true},
		{"bin", `"aGVsbG8"`, true, true},
		{"bin", `"-_-_"`, true, true},
		{"bin", `"+/+/"`, true, true},
		{"bin", `""`, true, true},
		{"bin", `"aGVsbG8==="`, false, true},
		{"bin", `"!!!!"`, false, true},
		{"bin", `"a"`, false, true},
		{"by", `0`, true, true},
		{"by", `255`, true, true},
		{"by", `256`, false, false},
		{"by", `-1`, false, false},
		{"sb", `-128`, true, true},
		{"sb", `127`, true, true},
		{"sb", `128`, false, false},
		{"sb", `-129`, false, false},
		{"i16", `-32768`, true, true},
		{"i16", `32767`, true, true},
		{"i16", `32768`, false, false},
		{"i32", `2147483647`, true, true},
		{"i32", `-2147483648`, true, true},
		{"i32", `2147483648`, false, false},
		{"i32", `-2147483649`, false, false},
		{"i32", `1.5`, false, false},
		{"i32", `1e3`, false, false},
		{"i32", `-0`, true, true},
		{"i64", `9223372036854775807`, true, true},
		{"i64", `-9223372036854775808`, true, true},
		{"i64", `9223372036854775808`, false, false},
		{"i64", `14.0`, false, false},
		{"d", `1.5`, true, true},
		{"d", `-1e308`, true, true},
		{"d", `1e400`, false, true},
		{"d", `"INF"`, true, true},
		{"d", `"-INF"`, true, true},
		{"d", `"NaN"`, true, true},
		{"d", `"Infinity"`, false, false},
		{"d", `"inf"`, false, false},
		{"d", `"1.5"`, false, false},
		{"f", `3.25`, true, true},
		{"f", `"INF"`, true, true},
		{"f", `"NaN"`, true, true},
		{"f", `"nan"`, false, false},
		{"dec", `123456.789`, true, true},
		{"dec", `-0.5e-3`, true, true},
		{"color", `"red"`, true, true},
		{"color", `"Red"`, true, true},
		{"perms", `"Read, WRITE"`, true, true},
		{"color", `"purple"`, false, false},
		{"color", `"red,green"`, false, false},
		{"color", `""`, false, false},
		{"perms", `"read"`, true, true},
		{"perms", `"read,write"`, true, true},
		{"perms", `"read, write,admin"`, true, true},
		{"perms", `"read,nope"`, false, false},
		{"perms", `"read,"`, false, false},
		{"perms", `""`, false, false},
		{"s", `""`, true, true},
		{"s", `"\u0000 any \"text\""`, true, true},
		{"b", `false`, true, true},
		{"b", `null`, true, true},
		{"u", `{"x":[1,"y",null]}`, true, true},
		{"u", `"text"`, true, true},
		{"u", `12`, true, true},
	}
	for _, tt := range tests {
		t.Run(tt.prop+"="+tt.raw, func(t *testing.T) {
			t.Parallel()
			body := []byte(`{"` + tt.prop + `":` + tt.raw + `}`)
			p, _ := item.Property(tt.prop)
			lit := tt.raw
			if strings.HasPrefix(lit, `"`) {
				var err error
				if lit, err = strconv.Unquote(lit); err != nil {
					t.Fatal(err)
				}
			}
			want := &entities.InvalidValueError{Property: tt.prop, Type: qItem, Expected: p.Type, Literal: lit}
			for _, strict := range []bool{false, true} {
				ok := tt.kind
				if strict {
					ok = tt.valid
				}
				for _, partial := range []bool{false, true} {
					_, err := s.ReadPayload(item, body, entities.ReadOptions{Strict: strict, Partial: partial})
					if ok {
						checkErr(t, err, nil)
					} else {
						t.Run(fmt.Sprintf("strict=%v,partial=%v", strict, partial), func(t *testing.T) { checkErr(t, err, want) })
					}
				}
			}
		})
	}
}

// TestReadPayloadStable reads the same body twice and from two schemas: results must agree
// and the input must not be modified.
func TestReadPayloadStable(t *testing.T) {
	t.Parallel()
	s1, s2 := newTestSchema(t), newTestSchema(t)
	body := []byte(`{"@odata.type":"#t.special","extra":"e","addr":{"city":"c"},"s":"x","id":"1"}`)
	orig := string(body)
	p1, err := s1.ReadPayload(mustType(t, s1, "t.item"), body, entities.ReadOptions{Strict: true})
	if err != nil {
		t.Fatal(err)
	}
	p2, err := s1.ReadPayload(mustType(t, s1, "t.item"), body, entities.ReadOptions{Strict: true})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(p1, p2) {
		t.Errorf("two reads differ:\n%+v\n%+v", p1, p2)
	}
	p3, err := s2.ReadPayload(mustType(t, s2, "t.item"), body, entities.ReadOptions{Strict: true})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(p1.Fields, p3.Fields) || p3.Type != mustType(t, s2, "t.special") {
		t.Errorf("schemas disagree: %+v vs %+v", p1, p3)
	}
	if want := []string{"id", "s", "addr", "extra"}; !reflect.DeepEqual(fieldNames(p1), want) {
		t.Errorf("field order %v, want %v", fieldNames(p1), want)
	}
	if string(body) != orig {
		t.Errorf("ReadPayload modified its input")
	}
}

// TestInvalidValueLiteralIsValidUTF8: the shortened literal of an InvalidValueError ends up in
// the Graph error message; it must not cut a multi-byte character in two.
func TestInvalidValueLiteralIsValidUTF8(t *testing.T) {
	t.Parallel()
	s := newTestSchema(t)
	type testCase struct {
		name string
		raw  string
	}
	var tests []testCase
	// Every offset of a character of each width against the cut.
	for _, c := range []string{"é", "夏", "😀"} {
		for pad := range 4 {
			tests = append(tests, testCase{
				name: fmt.Sprintf("%d-byte characters after %d ASCII", len(c), pad),
				raw:  `"` + strings.Repeat("a", pad) + strings.Repeat(c, 40) + `"`,
			})
		}
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := s.ReadPayload(mustType(t, s, "t.item"), []byte(`{"i64":`+tt.raw+`}`), entities.ReadOptions{})
			var inv *entities.InvalidValueError
			if !errors.As(err, &inv) {
				t.Fatalf("error %v, want an InvalidValueError", err)
			}
			text := tt.raw[1 : len(tt.raw)-1]
			if !strings.HasPrefix(text, strings.TrimSuffix(inv.Literal, "…")) || len(inv.Literal) >= len(text) {
				t.Errorf("Literal %q is not a shortened prefix of %q", inv.Literal, tt.raw)
			}
			if !utf8.ValidString(inv.Literal) {
				t.Errorf("Literal %q is not valid UTF-8: shortening cut a character", inv.Literal)
			}
		})
	}
}

func TestIsPayloadError(t *testing.T) {
	t.Parallel()
	s := newTestSchema(t)
	_, err := s.ReadPayload(mustType(t, s, "t.item"), []byte(`{"nope":1}`), entities.ReadOptions{})
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"payload error", err, true},
		{"wrapped payload error", fmt.Errorf("create: %w", err), true},
		{"each kind", &entities.MissingPropertyError{}, true},
		{"nil", nil, false},
		{"other error", fmt.Errorf("disk full"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := entities.IsPayloadError(tt.err); got != tt.want {
				t.Fatalf("IsPayloadError(%v) = %v, want %v", tt.err, got, tt.want)
			}
		})
	}
}

// TestReadPayloadEnumsIgnoreCase checks that enumeration values are matched ignoring
// case, as Graph matches them, and kept in the schema's spelling, wherever they are:
// top level, in collections, in complex values, in flags.
func TestReadPayloadEnumsIgnoreCase(t *testing.T) {
	t.Parallel()
	s := newTestSchema(t)
	item := mustType(t, s, "t.item")
	for _, opts := range []entities.ReadOptions{{}, {Strict: true}, {Partial: true}} {
		p, err := s.ReadPayload(item, []byte(`  {"color":"RED","colors":["Blue","red","GREEN"],"perms":"Read, WRITE","s":"RED"}`), opts)
		if err != nil {
			t.Fatalf("%+v: %v", opts, err)
		}
		want := map[string]string{"color": `"red"`, "colors": `["blue","red","green"]`, "perms": `"read,write"`, "s": `"RED"`}
		for name, raw := range want {
			if f := p.Field(name); f == nil || f.Raw != raw {
				t.Errorf("%+v: %s = %v, want %s", opts, name, f, raw)
			}
		}
	}
	// Values in the schema's spelling are kept as sent, spaces included.
	p, err := s.ReadPayload(item, []byte(`{"perms":"read, write"}`), entities.ReadOptions{})
	if err != nil || p.Field("perms").Raw != `"read, write"` {
		t.Errorf("perms: %v %v", p, err)
	}
	if _, err := s.ReadPayload(item, []byte(`{"color":"reed"}`), entities.ReadOptions{}); err == nil {
		t.Error("a non-member passed")
	}
}
