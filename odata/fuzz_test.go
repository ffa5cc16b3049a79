package odata_test

import (
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/graph-emulator/graph-emulator/entities"
	"github.com/graph-emulator/graph-emulator/odata"
)

// FuzzParsePath: ParsePath never panics and fails only with Graph's segment error; a key
// written as set('k') (quotes doubled, percent-encoded) or as set/k comes back unchanged.
func FuzzParsePath(f *testing.F) {
	s := newTestSchema(f)
	for _, seed := range []string{
		"", "/", "widgets", "widgets/", "widgets/abc", "widgets('abc')", "widgets(abc)",
		"widgets('O''Brien')", "widgets('a%2Fb')", "widgets/a%2Fb", "widgets(%27k%27)",
		"widgets('abc')/extra", "widgets('')", "widgets('a'b')", "nope", "widgets((x))", "%zz",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, in string) {
		checkParse(t, s, in)
		if in == "" {
			return
		}
		quoted := "widgets('" + url.PathEscape(strings.ReplaceAll(in, "'", "''")) + "')"
		p := checkParse(t, s, quoted)
		if p == nil || p.Kind != odata.PathEntity || p.Set != s.EntitySet("widgets") || p.Key != in {
			t.Fatalf("ParsePath(%q) = %+v, want key %q", quoted, p, in)
		}
		segment := "gadgets/" + url.PathEscape(in)
		p = checkParse(t, s, segment)
		if p == nil || p.Kind != odata.PathEntity || p.Set != s.EntitySet("gadgets") || p.Key != in {
			t.Fatalf("ParsePath(%q) = %+v, want key %q", segment, p, in)
		}
	})
}

// checkParse parses in and checks the invariants of the result; it returns the path, or nil
// after a (well-formed) error.
func checkParse(t *testing.T, s *entities.Schema, in string) *odata.Path {
	t.Helper()
	p, err := odata.ParsePath(s, in)
	if err != nil {
		var oe *odata.Error
		if p != nil || !errors.As(err, &oe) {
			t.Fatalf("ParsePath(%q) = %+v, %v", in, p, err)
		}
		if oe.Status != 400 || oe.Code != "BadRequest" ||
			!strings.HasPrefix(oe.Message, "Resource not found for the segment '") || !strings.HasSuffix(oe.Message, "'.") {
			t.Fatalf("ParsePath(%q) error = %d %s %q", in, oe.Status, oe.Code, oe.Message)
		}
		return nil
	}
	switch p.Kind {
	case odata.PathServiceRoot:
		if p.Set != nil || p.Key != "" || strings.Trim(in, "/") != "" {
			t.Fatalf("ParsePath(%q) = root %+v", in, p)
		}
	case odata.PathCollection:
		if p.Set == nil || p.Set != s.EntitySet(p.Set.Name) || p.Key != "" {
			t.Fatalf("ParsePath(%q) = collection %+v", in, p)
		}
	case odata.PathEntity:
		if p.Set == nil || p.Set != s.EntitySet(p.Set.Name) || p.Key == "" {
			t.Fatalf("ParsePath(%q) = entity %+v", in, p)
		}
	default:
		t.Fatalf("ParsePath(%q) = kind %d", in, p.Kind)
	}
	return p
}

// FuzzAppendString: the output is always valid JSON, valid UTF-8, and decodes to the input
// with each byte of invalid UTF-8 replaced by U+FFFD.
func FuzzAppendString(f *testing.F) {
	for _, seed := range []string{"", "plain", "\"\\/", "\x00\x1f\x7f", "\u2028\u2029", "a\xffb", "\xed\xa0\x80", "été 😀", "\xf0\x9f\x98"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, in string) {
		checkJSONString(t, in, odata.AppendString(nil, in))
		out := odata.AppendString([]byte("ab"), in)
		if string(out[:2]) != "ab" {
			t.Fatalf("dst lost")
		}
		checkJSONString(t, in, out[2:])
	})
}
