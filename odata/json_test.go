package odata_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/graph-emulator/graph-emulator/odata"
)

// wantDecoded is what encoding/json must decode AppendString's output to: the input with
// each byte of an invalid UTF-8 sequence replaced by U+FFFD.
func wantDecoded(s string) string { return string([]rune(s)) }

func TestAppendString(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		want string // exact output, when set
	}{
		{name: "empty", in: "", want: `""`},
		{name: "plain", in: "hello", want: `"hello"`},
		{name: "quotes and backslashes", in: `a"b\c`, want: `"a\"b\\c"`},
		{name: "common control characters", in: "\n\r\t", want: `"\n\r\t"`},
		{name: "other control characters", in: "\x00\x01\x08\x0c\x1f", want: `"\u0000\u0001\u0008\u000c\u001f"`},
		{name: "DEL is not escaped", in: "\x7f", want: "\"\x7f\""},
		{name: "slash and HTML characters", in: "</script>&", want: `"</script>&"`},
		{name: "line and paragraph separators", in: "a\u2028b\u2029c", want: `"a\u2028b\u2029c"`},
		{name: "other multi-byte characters", in: "été 夏 😀 \u2027\u202a", want: "\"été 夏 😀 \u2027\u202a\""},
		{name: "U+FFFD itself", in: "\uFFFD", want: "\"\uFFFD\""},
		{name: "invalid byte", in: "a\xffb", want: `"a\ufffdb"`},
		{name: "truncated sequence", in: "a\xe2\x82", want: `"a\ufffd\ufffd"`},
		{name: "surrogate half encoded in UTF-8", in: "\xed\xa0\x80", want: `"\ufffd\ufffd\ufffd"`},
		{name: "overlong encoding", in: "\xc0\xaf", want: `"\ufffd\ufffd"`},
		{name: "lone continuation byte", in: "\x80x", want: `"\ufffdx"`},
		{name: "mixed", in: "\"\x00\xff\u2028é\\"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			out := odata.AppendString([]byte("x"), tt.in)
			if out[0] != 'x' {
				t.Fatalf("AppendString lost dst")
			}
			out = out[1:]
			if tt.want != "" && string(out) != tt.want {
				t.Errorf("AppendString(%q) = %s, want %s", tt.in, out, tt.want)
			}
			checkJSONString(t, tt.in, out)
		})
	}
}

// checkJSONString asserts that out is a valid JSON string, valid UTF-8 without raw U+2028
// or U+2029, that decodes to in with invalid UTF-8 replaced.
func checkJSONString(tb testing.TB, in string, out []byte) {
	tb.Helper()
	if !json.Valid(out) {
		tb.Fatalf("AppendString(%q) = %q: not valid JSON", in, out)
	}
	if !utf8.Valid(out) {
		tb.Fatalf("AppendString(%q) = %q: not valid UTF-8", in, out)
	}
	if bytes.ContainsRune(out, '\u2028') || bytes.ContainsRune(out, '\u2029') {
		tb.Fatalf("AppendString(%q) = %q: raw line or paragraph separator", in, out)
	}
	var got string
	if err := json.Unmarshal(out, &got); err != nil {
		tb.Fatalf("AppendString(%q) = %q: %v", in, out, err)
	}
	if want := wantDecoded(in); got != want {
		tb.Fatalf("AppendString(%q) decodes to %q, want %q", in, got, want)
	}
}

func TestAppendRaw(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		raw  string
		want string
	}{
		{"empty is null", "", "null"},
		{"number", "12.5e3", "12.5e3"},
		{"string with spaces kept", `"a  b"`, `"a  b"`},
		{"literal", "true", "true"},
		{"compact object", `{"a":1}`, `{"a":1}`},
		{"object with whitespace", "{ \"a\" :\t[ 1 , 2 ],\n\r \"b\" : { } }", `{"a":[1,2],"b":{}}`},
		{"array with whitespace", "[ \"x y\" , null ]", `["x y",null]`},
		{"spaces inside strings kept", `{ "k": "a b\t\"c d\"" }`, `{"k":"a b\t\"c d\""}`},
		{"escaped text kept as sent", `{"k" : "\u00e9\n"}`, `{"k":"\u00e9\n"}`},
		{"empty array with space", "[ ]", "[]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			out := odata.AppendRaw([]byte("pre,"), tt.raw)
			if got, ok := strings.CutPrefix(string(out), "pre,"); !ok || got != tt.want {
				t.Fatalf("AppendRaw(%q) = %q, want %q", tt.raw, out, "pre,"+tt.want)
			}
			if !json.Valid([]byte(tt.want)) {
				t.Fatalf("want is not valid JSON")
			}
		})
	}
}
