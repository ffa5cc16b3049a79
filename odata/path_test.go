package odata_test

import (
	"errors"
	"net/http"
	"testing"

	"github.com/graph-emulator/graph-emulator/odata"
)

func TestParsePath(t *testing.T) {
	t.Parallel()
	s := newTestSchema(t)
	tests := []struct {
		name    string
		escaped string
		kind    odata.PathKind
		set     string
		key     string
		errSeg  string // when set, ParsePath must fail naming this segment
	}{
		{name: "service root", escaped: "", kind: odata.PathServiceRoot},
		{name: "service root with slash", escaped: "/", kind: odata.PathServiceRoot},
		{name: "entity set", escaped: "widgets", kind: odata.PathCollection, set: "widgets"},
		{name: "entity set with trailing slash", escaped: "widgets/", kind: odata.PathCollection, set: "widgets"},
		{name: "second entity set", escaped: "gadgets", kind: odata.PathCollection, set: "gadgets"},
		{name: "key as segment", escaped: "widgets/abc", kind: odata.PathEntity, set: "widgets", key: "abc"},
		{name: "key as segment with trailing slash", escaped: "widgets/abc/", kind: odata.PathEntity, set: "widgets", key: "abc"},
		{name: "guid key as segment", escaped: "widgets/6c9949b7-49b7-6c99-b749-996cb749996c", kind: odata.PathEntity, set: "widgets", key: "6c9949b7-49b7-6c99-b749-996cb749996c"},
		{name: "quoted key", escaped: "widgets('abc')", kind: odata.PathEntity, set: "widgets", key: "abc"},
		{name: "quoted key with trailing slash", escaped: "widgets('abc')/", kind: odata.PathEntity, set: "widgets", key: "abc"},
		{name: "bare key in parentheses", escaped: "widgets(abc)", kind: odata.PathEntity, set: "widgets", key: "abc"},
		{name: "bare numeric key", escaped: "widgets(42)", kind: odata.PathEntity, set: "widgets", key: "42"},
		{name: "doubled quote", escaped: "widgets('O''Brien')", kind: odata.PathEntity, set: "widgets", key: "O'Brien"},
		{name: "only a doubled quote", escaped: "widgets('''')", kind: odata.PathEntity, set: "widgets", key: "'"},
		{name: "doubled quotes encoded", escaped: "widgets('O%27%27Brien')", kind: odata.PathEntity, set: "widgets", key: "O'Brien"},
		{name: "quotes encoded", escaped: "widgets(%27abc%27)", kind: odata.PathEntity, set: "widgets", key: "abc"},
		{name: "parentheses encoded", escaped: "widgets%28%27abc%27%29", kind: odata.PathEntity, set: "widgets", key: "abc"},
		{name: "encoded slash in a segment key", escaped: "widgets/a%2Fb", kind: odata.PathEntity, set: "widgets", key: "a/b"},
		{name: "encoded slash in a quoted key", escaped: "widgets('a%2Fb')", kind: odata.PathEntity, set: "widgets", key: "a/b"},
		{name: "encoded slash, lower case", escaped: "widgets/a%2fb", kind: odata.PathEntity, set: "widgets", key: "a/b"},
		{name: "encoded space and percent", escaped: "widgets/a%20b%25c", kind: odata.PathEntity, set: "widgets", key: "a b%c"},
		{name: "plus stays a plus", escaped: "widgets/a+b", kind: odata.PathEntity, set: "widgets", key: "a+b"},
		{name: "unicode key", escaped: "widgets('%C3%A9t%C3%A9')", kind: odata.PathEntity, set: "widgets", key: "été"},
		{name: "parentheses inside a quoted key", escaped: "widgets('a)(b')", kind: odata.PathEntity, set: "widgets", key: "a)(b"},
		{name: "quote inside a segment key", escaped: "widgets/O'Brien", kind: odata.PathEntity, set: "widgets", key: "O'Brien"},

		{name: "unknown set", escaped: "users", errSeg: "users"},
		{name: "unknown set with key", escaped: "users('1')", errSeg: "users"},
		{name: "unknown set, key segment", escaped: "users/1", errSeg: "users"},
		{name: "set names are case-sensitive", escaped: "Widgets", errSeg: "Widgets"},
		{name: "type name is not a set", escaped: "test.ns.widget", errSeg: "test.ns.widget"},
		{name: "extra segment after segment key", escaped: "widgets/abc/extra", errSeg: "extra"},
		{name: "extra segment after quoted key", escaped: "widgets('abc')/extra", errSeg: "extra"},
		{name: "extra encoded segment", escaped: "widgets('abc')/a%20b", errSeg: "a b"},
		{name: "two extra segments", escaped: "widgets/abc/x/y", errSeg: "x"},
		{name: "key segment after quoted key", escaped: "widgets('abc')/def", errSeg: "def"},
		{name: "empty key segment", escaped: "widgets//x", errSeg: ""},
		{name: "empty first segment", escaped: "//", errSeg: ""},
		{name: "empty quoted key", escaped: "widgets('')", errSeg: "widgets('')"},
		{name: "empty parentheses", escaped: "widgets()", errSeg: "widgets()"},
		{name: "unclosed parenthesis", escaped: "widgets('abc'", errSeg: "widgets('abc'"},
		{name: "unclosed quote", escaped: "widgets('abc)", errSeg: "widgets('abc)"},
		{name: "lone quote", escaped: "widgets(')", errSeg: "widgets(')"},
		{name: "undoubled quote inside", escaped: "widgets('a'b')", errSeg: "widgets('a'b')"},
		{name: "text after the parenthesis", escaped: "widgets('abc')x", errSeg: "widgets('abc')x"},
		{name: "two key predicates", escaped: "widgets('a')('b')", errSeg: "widgets('a')('b')"},
		{name: "nested parentheses", escaped: "widgets((abc))", errSeg: "widgets((abc))"},
		{name: "named key", escaped: "widgets(id='abc')", errSeg: "widgets(id='abc')"},
		{name: "composite key", escaped: "widgets(a,b)", errSeg: "widgets(a,b)"},
		{name: "no set name", escaped: "('abc')", errSeg: "('abc')"},
		{name: "unencoded slash in a quoted key", escaped: "widgets('a/b')", errSeg: "widgets('a"},
		{name: "bad escape in set", escaped: "wid%zzgets", errSeg: "wid%zzgets"},
		{name: "bad escape in key", escaped: "widgets/a%2", errSeg: "a%2"},
		{name: "bad escape in extra segment", escaped: "widgets/a/%zz", errSeg: "%zz"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p, err := odata.ParsePath(s, tt.escaped)
			if tt.errSeg != "" || tt.kind == 0 {
				if err == nil {
					t.Fatalf("ParsePath(%q) = %+v, want an error for segment %q", tt.escaped, p, tt.errSeg)
				}
				var oe *odata.Error
				if !errors.As(err, &oe) {
					t.Fatalf("error %T, want *odata.Error", err)
				}
				want := "Resource not found for the segment '" + tt.errSeg + "'."
				if oe.Status != http.StatusBadRequest || oe.Code != "BadRequest" || oe.Message != want {
					t.Fatalf("error = %d %s %q\nwant    400 BadRequest %q", oe.Status, oe.Code, oe.Message, want)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParsePath(%q): %v", tt.escaped, err)
			}
			if p.Kind != tt.kind || p.Key != tt.key {
				t.Fatalf("ParsePath(%q) = kind %d key %q, want kind %d key %q", tt.escaped, p.Kind, p.Key, tt.kind, tt.key)
			}
			switch {
			case tt.set == "" && p.Set != nil:
				t.Fatalf("service root with set %v", p.Set.Name)
			case tt.set != "" && (p.Set == nil || p.Set.Name != tt.set || p.Set != s.EntitySet(tt.set)):
				t.Fatalf("set = %+v, want %s", p.Set, tt.set)
			}
		})
	}
}
