package odata_test

import (
	"testing"

	"github.com/graph-emulator/graph-emulator/odata"
)

func TestSearchMatch(t *testing.T) {
	t.Parallel()
	_, person := newQuerySchema(t)
	tests := []struct {
		name   string
		search string
		want   string
	}{
		{name: "token", search: `"displayName:adele"`, want: "p1"},
		{name: "token prefix", search: `"displayName:ade"`, want: "p1"},
		{name: "tokens in any order", search: `"displayName:vance ADELE"`, want: "p1"},
		{name: "every token must match", search: `"displayName:Vance Wilber"`, want: ""},
		{name: "token after a symbol", search: `"displayName:brien"`, want: "p3"},
		{name: "symbols split the text too", search: `"displayName:o'brien"`, want: "p3"},
		{name: "word without its symbols", search: `"displayName:obrien"`, want: "p3"},
		{name: "symbol-joined words combine", search: `"displayName:helloworld"`, want: "p5"},
		{name: "second word", search: `"displayName:world"`, want: "p5"},
		{name: "camel case splits", search: `"description:video"`, want: "p4"},
		{name: "camel case word whole", search: `"description:onevideo"`, want: "p4"},
		{name: "text with a symbol", search: `"description:david)"`, want: "p5"},
		{name: "CJK prefix", search: `"description:李"`, want: "p5"},
		{name: "mixed scripts", search: `"description:Li 李"`, want: "p5"},
		{name: "other property: startswith", search: `"mail:alexw@"`, want: "p2"},
		{name: "other property: no token match", search: `"mail:contoso"`, want: ""},
		{name: "collection of strings", search: `"emails:obrien"`, want: "p3"},
		{name: "number", search: `"age:6"`, want: "p4"},
		{name: "OR", search: `"displayName:adele" OR "displayName:zed"`, want: "p1 p6"},
		{name: "AND", search: `"displayName:a" AND "mail:alex"`, want: "p2"},
		{name: "juxtaposition is AND", search: `"displayName:a" "mail:adele"`, want: "p1"},
		{name: "NOT", search: `NOT "displayName:a"`, want: "p3 p4 p5 p6"},
		{name: "parentheses", search: `"description:One" AND ("displayName:Video" OR "displayName:émile")`, want: "p4"},
		{name: "plain term searches string properties", search: `"zed"`, want: "p6"},
		{name: "plain term startswith on other properties", search: `"emile@"`, want: "p4"},
		{name: "backslash escape", search: `"displayName:hello\\world"`, want: "p5"},
		{name: "property name in another case", search: `"DisplayName:zed"`, want: "p6"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, err := odata.ParseSearchWith(person, tt.search, graphTokenized)
			if err != nil {
				t.Fatalf("ParseSearch(%s): %v", tt.search, err)
			}
			var got []string
			for i, p := range people {
				if s.Match([]byte(p)) {
					got = append(got, "p"+string(rune('1'+i)))
				}
			}
			if !sameIDs(got, ids(tt.want)) {
				t.Errorf("%s matches %v, want %v", tt.search, got, ids(tt.want))
			}
			if s.String() != tt.search {
				t.Errorf("String() = %q", s.String())
			}
		})
	}
}

func TestSearchErrors(t *testing.T) {
	t.Parallel()
	_, person := newQuerySchema(t)
	tests := []struct {
		name   string
		search string
		parts  []string
	}{
		{name: "unquoted", search: `displayName:adele`, parts: []string{"Invalid $search clause: ", "must be enclosed in double quotes", "position 0"}},
		{name: "lower-case operator", search: `"displayName:a" and "mail:b"`, parts: []string{"operator 'and' must be written in upper case", "position 16"}},
		{name: "unknown property", search: `"nope:x"`, parts: []string{"Could not find a property named 'nope' on type 'test.ns.person'"}},
		{name: "complex property", search: `"address:x"`, parts: []string{"cannot be searched"}},
		{name: "dangling AND", search: `"displayName:a" AND`, parts: []string{"quoted search clause expected instead of end of input"}},
		{name: "unclosed parenthesis", search: `("displayName:a"`, parts: []string{"')' expected"}},
		{name: "unterminated quote", search: `"displayName:a`, parts: []string{"unterminated", "position 0"}},
		{name: "no text", search: `"displayName:"`, parts: []string{"no text"}},
		{name: "empty", search: ``, parts: []string{"A search clause is expected"}},
		{name: "stray parenthesis", search: `"a")`, parts: []string{"unexpected ')'", "position 3"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := odata.ParseSearch(person, tt.search)
			if err == nil {
				t.Fatalf("ParseSearch(%s) succeeded", tt.search)
			}
			graphError(t, err, tt.parts...)
		})
	}
}

// graphTokenized is Graph's rule (kept in the emulator's behaviour package): displayName
// and description are matched word by word.
func graphTokenized(name string) bool { return name == "displayName" || name == "description" }

// TestSearchTokenizedByService: without the service's rule no property is tokenized, so
// a later word of a value does not match; with it, it does.
func TestSearchTokenizedByService(t *testing.T) {
	t.Parallel()
	_, person := newQuerySchema(t)
	body := []byte(`{"id":"x","displayName":"Hello World","description":"A video"}`)
	plain, err := odata.ParseSearch(person, `"displayName:world"`)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := odata.ParseSearchWith(person, `"displayName:world"`, graphTokenized)
	if err != nil {
		t.Fatal(err)
	}
	if plain.Match(body) || !tok.Match(body) {
		t.Errorf("plain match %v, tokenized match %v; want false, true", plain.Match(body), tok.Match(body))
	}
}
