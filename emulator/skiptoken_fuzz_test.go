package emulator

import (
	"bytes"
	"crypto/rand"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/tidwall/gjson"

	"github.com/graph-emulator/graph-emulator/odata"
)

// FuzzSkipToken: the skip token decoder never panics, refuses with Graph's 400, and what
// it accepts encodes back to a token that decodes the same; and a list request given a
// token — the fuzzer's text as it is, or the fuzzer's position and sort values in a
// token issued for that very query — answers without a 500, in Graph's shape.
func FuzzSkipToken(f *testing.F) {
	f.Add(encodeSkipToken("users", position{0, 2}, "h", nil), uint8(1), false, uint64(2), `{}`)
	f.Add(encodeSkipToken("users", position{1, 9}, "h", []byte(`{"displayName":"B"}`)), uint8(2), true, uint64(1), `{"displayName":"B"}`)
	f.Add("AAAA", uint8(0), true, uint64(0), `{"displayName":null}`)
	f.Add("%%", uint8(3), false, uint64(1<<63), `{"displayName":{"x":[1]}}`)
	f.Add(encodeSkipToken("users", position{0, 1}, "h", []byte(`{"displayName":`+strings.Repeat("[", 100)+strings.Repeat("]", 100)+`}`)), uint8(1), true, uint64(1), `[`)
	srv, err := New(WithPageSize(1))
	if err != nil {
		f.Fatal(err)
	}
	for _, u := range []string{`{"id":"a","displayName":"A"}`, `{"id":"b","displayName":"B"}`, `{"id":"c"}`} {
		req := httptest.NewRequest("POST", "/v1.0/users", strings.NewReader(requiredUser(u)))
		req.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		srv.ServeHTTP(w, req)
		if w.Code != http.StatusCreated {
			f.Fatalf("seed: %d %s", w.Code, w.Body)
		}
	}
	f.Fuzz(func(t *testing.T, tok string, sources uint8, ordered bool, seq uint64, keys string) {
		n := int(sources%4) + 1
		pos, k, err := decodeSkipToken(tok, "users", n, "h", ordered)
		if err != nil {
			var ge *odata.Error
			if !errors.As(err, &ge) || ge.Status != http.StatusBadRequest {
				t.Fatalf("%q: error %v", tok, err)
			}
		} else {
			again, k2, err := decodeSkipToken(encodeSkipToken("users", pos, "h", k), "users", n, "h", ordered)
			if err != nil || again != pos || !bytes.Equal(k, k2) {
				t.Fatalf("%q decodes to %v %q, which round-trips to %v %q, %v", tok, pos, k, again, k2, err)
			}
		}
		// Through the server: the text as given, then a token made for the query.
		query := url.Values{}
		if ordered {
			query.Set("$orderby", "displayName desc")
			query.Set("$count", "true")
		}
		opts := map[string][]string{}
		if ordered {
			opts["$orderby"] = query["$orderby"]
		}
		q, err := odata.ParseQuery(srv.cfg.schemas["v1.0"], srv.cfg.schemas["v1.0"].EntityType("microsoft.graph.user"),
			opts, odata.QueryOptions{OptionalDollar: true})
		if err != nil {
			t.Fatal(err)
		}
		var kb []byte
		if ordered {
			kb = []byte(keys)
		}
		made := encodeSkipToken("users", position{int(sources % 2), seq}, queryHash(q), kb)
		for _, token := range []string{tok, made} {
			v := url.Values{}
			for k, x := range query {
				v[k] = x
			}
			v.Set("$skiptoken", token)
			req := httptest.NewRequest("GET", "/v1.0/users?"+v.Encode(), nil)
			req.Header.Set("ConsistencyLevel", "eventual")
			w := httptest.NewRecorder()
			srv.ServeHTTP(w, req)
			body := w.Body.Bytes()
			switch {
			case w.Code == http.StatusOK:
				if !gjson.ValidBytes(body) || !gjson.GetBytes(body, "value").IsArray() {
					t.Fatalf("token %q: %s", token, body)
				}
			case w.Code == http.StatusBadRequest:
				if gjson.GetBytes(body, "error.code").Str == "" || gjson.GetBytes(body, "error.message").Str == "" {
					t.Fatalf("token %q: %s", token, body)
				}
			default:
				t.Fatalf("token %q: %d %s", token, w.Code, body)
			}
		}
	})
}

// requiredUser adds to a user's JSON body the properties Graph requires on create (a
// unique mailNickname and userPrincipalName, accountEnabled, a password, and a
// displayName when the body has none), so that tests about other things can post it.
func requiredUser(body string) string {
	tok := strings.ToLower(rand.Text()[:12])
	extra := `"accountEnabled":true,"mailNickname":"m` + tok + `","userPrincipalName":"u` + tok +
		`@contoso.test","passwordProfile":{"password":"x-Y-z-123!aB"}`
	if !gjson.Get(body, "displayName").Exists() {
		extra += `,"displayName":"d` + tok + `"`
	}
	rest := strings.TrimPrefix(strings.TrimSpace(body), "{")
	if strings.TrimSpace(rest) == "}" {
		return "{" + extra + "}"
	}
	return "{" + extra + "," + rest
}
