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
// written as set('k') (quotes doubled, percent-encoded) or as set/k comes back unchanged,
// unless k names something of the schema ($count, a cast) in some case; against a
// Graph-like schema, every segment's Name is the schema's spelling of what it resolved to.
func FuzzParsePath(f *testing.F) {
	s := newTestSchema(f)
	g := newGraphLikeSchema(f)
	for _, seed := range []string{
		"", "/", "widgets", "widgets/", "widgets/abc", "widgets('abc')", "widgets(abc)",
		"widgets('O''Brien')", "widgets('a%2Fb')", "widgets/a%2Fb", "widgets(%27k%27)",
		"widgets('abc')/extra", "widgets('')", "widgets('a'b')", "nope", "widgets((x))", "%zz",
		"Widgets", "WIDGETS('x')", "$Count", "T.Gadget", "Test.NS.gadget(1)",
		"Users/u1/MailFolders/Inbox/Messages", "users/u1/memberOf/Microsoft.Graph.Group/$Count",
		"Me/graph.RevokeSignInSessions", "users/u1/DisplayName/$VALUE", "GetSchedule(period='D7')",
		"users/u1/Manager/$REF", "directoryObjects/MICROSOFT.GRAPH.USER('x')",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, in string) {
		checkParse(t, s, in)
		checkGraphLikeParse(t, g, in)
		if in == "" {
			return
		}
		quoted := "widgets('" + url.PathEscape(strings.ReplaceAll(in, "'", "''")) + "')"
		if !entities.ValidKey(in) {
			// A key with a control character is refused in parentheses; as a segment it
			// is refused as a key, or first as a malformed segment (a cast's name with
			// arguments, say): never accepted.
			if _, err := odata.ParsePath(s, quoted); !isKeyError(err) {
				t.Fatalf("ParsePath(%q) = %v, want the invalid key error", quoted, err)
			}
			segment := "gadgets/" + url.PathEscape(in)
			if p := checkParse(t, s, segment); p != nil && p.Key == in {
				t.Fatalf("ParsePath(%q) = %+v: a key with a control character accepted", segment, p)
			}
			return
		}
		p := checkParse(t, s, quoted)
		if p == nil || p.Kind != odata.PathEntity || p.Set != s.EntitySet("widgets") || p.Key != in {
			t.Fatalf("ParsePath(%q) = %+v, want key %q", quoted, p, in)
		}
		segment := "gadgets/" + url.PathEscape(in)
		name, _, parens := strings.Cut(in, "(")
		wellFormed := !parens || strings.HasSuffix(in, ")")
		if d := s.EntityTypeFold(name); wellFormed && d != nil && d.IsA(s.EntitySet("gadgets").Type()) ||
			strings.EqualFold(in, "$count") || strings.EqualFold(in, "$ref") {
			// in names a cast, $count or $ref, in any case: not a key.
			if p = checkParse(t, s, segment); p != nil && p.Segments[1].Kind == odata.SegKey {
				t.Fatalf("ParsePath(%q) = %+v: %q read as a key", segment, p, in)
			}
			return
		}
		p = checkParse(t, s, segment)
		if p == nil || p.Kind != odata.PathEntity || p.Set != s.EntitySet("gadgets") || p.Key != in {
			t.Fatalf("ParsePath(%q) = %+v, want key %q", segment, p, in)
		}
	})
}

// checkGraphLikeParse parses in against the Graph-like schema: an error is the segment
// error, and a path's segments carry the schema's names.
func checkGraphLikeParse(t *testing.T, g *entities.Schema, in string) {
	t.Helper()
	p, err := odata.ParsePath(g, in)
	if err != nil {
		var oe *odata.Error
		if p != nil || !errors.As(err, &oe) || oe.Code != "BadRequest" ||
			!strings.HasPrefix(oe.Message, "Resource not found for the segment '") && !isKeyError(err) {
			t.Fatalf("ParsePath(%q) = %+v, %v", in, p, err)
		}
		return
	}
	checkCanonical(t, g, p)
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
		if isKeyError(err) {
			return nil
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
	case odata.PathCount:
		if p.Set == nil || p.Set != s.EntitySet(p.Set.Name) || p.Last().Name != "$count" {
			t.Fatalf("ParsePath(%q) = count %+v", in, p)
		}
	default:
		t.Fatalf("ParsePath(%q) = kind %d", in, p.Kind)
	}
	return p
}

// isKeyError reports whether err is the refusal of a key with a control character.
func isKeyError(err error) bool {
	var oe *odata.Error
	return errors.As(err, &oe) && oe.Status == 400 && oe.Message == odata.ErrInvalidKey().Message
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
