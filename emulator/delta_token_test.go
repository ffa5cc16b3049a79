package emulator

import (
	"encoding/base64"
	"testing"
)

func TestDeltaTokenRoundTrip(t *testing.T) {
	for _, tok := range []deltaToken{
		{kind: tokDelta, tenant: "default", version: "v1.0", coll: "users\x1emicrosoft.graph.user", seq: 42},
		{kind: tokWalk, tenant: "t\x00x", version: "beta", coll: "", seq: 1, pos: position{2, 99}, query: "$select=a,b"},
		{kind: tokChanges, tenant: "", version: "v1.0", coll: "c", seq: 3, to: 9, after: 5, query: "$filter=id eq 'a&b'"},
	} {
		got, err := decodeDeltaToken(tok.encode())
		if err != nil || *got != tok {
			t.Errorf("round trip of %+v: %+v, %v", tok, got, err)
		}
	}
	for _, bad := range []string{"", "%%", "Z2Qx", base64.RawURLEncoding.EncodeToString([]byte("gd1x")),
		base64.RawURLEncoding.EncodeToString([]byte("gd1d\x05ab")),
		(&deltaToken{kind: tokChanges, seq: 5, to: 4, after: 5}).encode()} {
		if _, err := decodeDeltaToken(bad); err == nil {
			t.Errorf("decoded %q", bad)
		}
	}
}

// FuzzDeltaToken feeds arbitrary text to the delta token decoder: it never panics, and
// what it accepts encodes back to a token that decodes to the same value.
func FuzzDeltaToken(f *testing.F) {
	f.Add((&deltaToken{kind: tokDelta, tenant: "default", version: "v1.0", coll: "users", seq: 7}).encode())
	f.Add((&deltaToken{kind: tokWalk, tenant: "default", version: "v1.0", coll: "users", pos: position{1, 3}, query: "$select=id"}).encode())
	f.Add((&deltaToken{kind: tokChanges, tenant: "default", version: "beta", coll: "x", seq: 1, to: 3, after: 2}).encode())
	f.Add("latest")
	f.Add("Z2QxZA")
	f.Fuzz(func(t *testing.T, s string) {
		tok, err := decodeDeltaToken(s)
		if err != nil {
			return
		}
		again, err := decodeDeltaToken(tok.encode())
		if err != nil || *again != *tok {
			t.Fatalf("%q decodes to %+v, which round-trips to %+v, %v", s, tok, again, err)
		}
	})
}
