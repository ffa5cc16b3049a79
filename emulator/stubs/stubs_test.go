package stubs

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/graph-emulator/graph-emulator/emulator/faults"
	"github.com/graph-emulator/graph-emulator/odata"
)

func statuses(t *testing.T, g *Registry, n int) string {
	t.Helper()
	var sb strings.Builder
	for range n {
		a, _ := g.Answer(&faults.Request{Method: "GET", Path: "/v1.0/x"})
		if a == nil {
			sb.WriteString("- ")
			continue
		}
		sb.WriteString(string(a.Body) + " ")
	}
	return strings.TrimSpace(sb.String())
}

func seq(after string) Stub {
	return Stub{Match: faults.Match{Path: "/v1.0/x"}, AfterLast: after, Responses: []Response{
		{Body: json.RawMessage(`1`)}, {Body: json.RawMessage(` 2 `)}, {Body: json.RawMessage(`3`)}}}
}

func TestSequences(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ after, want string }{
		{"", "1 2 3 3 3"},
		{"cycle", "1 2 3 1 2"},
		{"FALLTHROUGH", "1 2 3 - -"},
	} {
		g := New(Config{})
		st, err := g.Add(seq(c.after))
		if err != nil {
			t.Fatal(err)
		}
		if got := statuses(t, g, 5); got != c.want {
			t.Errorf("afterLast %q: %s, want %s", c.after, got, c.want)
		}
		got, _ := g.Get(st[0].ID, "")
		if got.Hits != int64(strings.Count(c.want, " ")+1-strings.Count(c.want, "-")) {
			t.Errorf("afterLast %q: hits %d", c.after, got.Hits)
		}
		if got.Active != (c.after != "FALLTHROUGH") {
			t.Errorf("afterLast %q: active %v", c.after, got.Active)
		}
	}
	// A spent stub lets a later one answer.
	g := New(Config{})
	if _, err := g.Add(seq("fallThrough"), Stub{Match: faults.Match{Path: "/**"}, Response: &Response{Body: json.RawMessage(`"x"`)}}); err != nil {
		t.Fatal(err)
	}
	if got := statuses(t, g, 4); got != `1 2 3 "x"` {
		t.Errorf("got %s", got)
	}
}

func TestStubChecks(t *testing.T) {
	t.Parallel()
	cases := []struct{ name, body, field, msg string }{
		{"no response", `{"path":"/v1.0/x"}`, "response", "needs what it answers"},
		{"both", `{"response":{},"responses":[{}]}`, "responses", "not both"},
		{"status", `{"response":{"status":99}}`, "response.status", "200 to 599"},
		{"204 body", `{"response":{"status":204,"body":{}}}`, "response.body", "no body"},
		{"header", `{"response":{"headers":{"Client-Request-Id":"x"}}}`, "response.headers.Client-Request-Id", "server sets"},
		{"sequence", `{"responses":[{},{"status":1000}]}`, "responses[1].status", "200 to 599"},
		{"afterLast", `{"response":{},"afterLast":"loop"}`, "afterLast", "not repeat"},
		{"unknown", `{"response":{"code":200}}`, "response.code", "no member 'code'"},
		{"path", `{"path":"users","response":{}}`, "path", "start with '/'"},
		{"body type", `[{"response":{}},{"response":{"headers":{"a":1}}}]`, "[1].response.headers.a", "Want a string"},
		{"sequence item", `{"responses":[{},{"status":"ok"}]}`, "responses[1].status", "Want an integer, not a string"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			list, err := faults.DecodeList[Stub]([]byte(c.body), "stub")
			if err == nil {
				_, err = New(Config{}).Add(list...)
			}
			var ge *odata.Error
			if !errors.As(err, &ge) || ge.Status != 400 {
				t.Fatalf("error %v, want a 400", err)
			}
			if !strings.HasPrefix(ge.Message, c.field+": ") || !strings.Contains(ge.Message, c.msg) || ge.Details[0].Target != c.field {
				t.Errorf("message %q (target %q), want the field %q and %q", ge.Message, ge.Details[0].Target, c.field, c.msg)
			}
		})
	}
	// A Go value's body must be JSON too.
	_, err := New(Config{}).Add(Stub{Response: &Response{Body: json.RawMessage(`{nope`)}})
	if err == nil || !strings.Contains(err.Error(), "response.body") {
		t.Errorf("a bad body: %v", err)
	}
}
