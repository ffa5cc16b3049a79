package odata_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/graph-emulator/graph-emulator/odata"
)

func TestContextURL(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, base, version, resource string
		entity                        bool
		want                          string
	}{
		{"collection", "https://graph.example", "v1.0", "widgets", false, "https://graph.example/v1.0/$metadata#widgets"},
		{"entity", "http://127.0.0.1:8080", "beta", "widgets", true, "http://127.0.0.1:8080/beta/$metadata#widgets/$entity"},
		{"select list", "http://h", "v1.0", "widgets(name,id)", false, "http://h/v1.0/$metadata#widgets(name,id)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := odata.ContextURL(tt.base, tt.version, tt.resource, tt.entity); got != tt.want {
				t.Fatalf("ContextURL = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestAppendEntity(t *testing.T) {
	t.Parallel()
	const ctx = "http://h/v1.0/$metadata#widgets/$entity"
	tests := []struct {
		name     string
		context  string
		typeName string
		body     string
		keys     []string
	}{
		{"context and type", ctx, "test.ns.widget", `{"id":"1","name":"n"}`, []string{"@odata.context", "@odata.type", "id", "name"}},
		{"context only", ctx, "", `{"id":"1"}`, []string{"@odata.context", "id"}},
		{"type only", "", "test.ns.widget", `{"id":"1"}`, []string{"@odata.type", "id"}},
		{"neither", "", "", `{"id":"1","part":{"size":2}}`, []string{"id", "part"}},
		{"empty body with annotations", ctx, "test.ns.widget", `{}`, []string{"@odata.context", "@odata.type"}},
		{"empty body with context", ctx, "", `{}`, []string{"@odata.context"}},
		{"empty body alone", "", "", `{}`, nil},
		{"context needing escapes", `http://h/v1.0/$metadata#widgets('a"b')`, "", `{"id":"a\"b"}`, []string{"@odata.context", "id"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			out := odata.AppendEntity([]byte("[1,"), tt.context, tt.typeName, []byte(tt.body))
			body, ok := strings.CutPrefix(string(out), "[1,")
			if !ok {
				t.Fatalf("AppendEntity lost dst: %s", out)
			}
			if !json.Valid([]byte(body)) {
				t.Fatalf("invalid JSON: %s", body)
			}
			if got := objectKeys(t, []byte(body)); !reflect.DeepEqual(got, tt.keys) {
				t.Fatalf("keys %v, want %v", got, tt.keys)
			}
			var m map[string]any
			if err := json.Unmarshal([]byte(body), &m); err != nil {
				t.Fatal(err)
			}
			if tt.context != "" && m["@odata.context"] != tt.context {
				t.Errorf("@odata.context = %v", m["@odata.context"])
			}
			if tt.typeName != "" && m["@odata.type"] != "#"+tt.typeName {
				t.Errorf("@odata.type = %v, want #%s", m["@odata.type"], tt.typeName)
			}
		})
	}
}

func TestCollectionWriter(t *testing.T) {
	t.Parallel()
	const ctx = "http://h/v1.0/$metadata#widgets"
	type item struct{ typeName, body string }
	tests := []struct {
		name     string
		nextLink string
		items    []item
		keys     []string
	}{
		{"empty", "", nil, []string{"@odata.context", "value"}},
		{"one item", "", []item{{"", `{"id":"1"}`}}, []string{"@odata.context", "value"}},
		{"items with a derived type", "", []item{{"", `{"id":"1"}`}, {"test.ns.special", `{"id":"2","x":1}`}, {"", `{}`}, {"test.ns.special", `{}`}},
			[]string{"@odata.context", "value"}},
		{"next link", "http://h/v1.0/widgets?$skiptoken=abc&$top=2", []item{{"", `{"id":"1"}`}, {"", `{"id":"2"}`}},
			[]string{"@odata.context", "@odata.nextLink", "value"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			buf := []byte(`garbage from an earlier response that must not survive`)
			w := odata.NewCollectionWriter(buf, ctx, tt.nextLink)
			for _, it := range tt.items {
				w.Add(it.typeName, []byte(it.body))
			}
			out := w.Finish()
			if !json.Valid(out) {
				t.Fatalf("invalid JSON: %s", out)
			}
			if got := objectKeys(t, out); !reflect.DeepEqual(got, tt.keys) {
				t.Fatalf("keys %v, want %v", got, tt.keys)
			}
			var doc struct {
				Context  string           `json:"@odata.context"`
				NextLink string           `json:"@odata.nextLink"`
				Value    []map[string]any `json:"value"`
			}
			if err := json.Unmarshal(out, &doc); err != nil {
				t.Fatal(err)
			}
			if doc.Context != ctx || doc.NextLink != tt.nextLink {
				t.Errorf("context %q next %q", doc.Context, doc.NextLink)
			}
			if doc.Value == nil || len(doc.Value) != len(tt.items) {
				t.Fatalf("value has %d items, want %d: %s", len(doc.Value), len(tt.items), out)
			}
			var items []json.RawMessage
			if err := json.Unmarshal(member(t, out, "value"), &items); err != nil {
				t.Fatal(err)
			}
			for i, it := range tt.items {
				keys := objectKeys(t, items[i])
				if it.typeName != "" {
					if len(keys) == 0 || keys[0] != "@odata.type" || doc.Value[i]["@odata.type"] != "#"+it.typeName {
						t.Errorf("item %d: keys %v, @odata.type %v", i, keys, doc.Value[i]["@odata.type"])
					}
				} else if _, ok := doc.Value[i]["@odata.type"]; ok {
					t.Errorf("item %d of the set's type carries @odata.type", i)
				}
			}
		})
	}
}

// TestAppendEntityBodyWithWhitespace: AppendEntity takes any JSON object; whitespace after
// the opening brace must not leave a dangling comma.
func TestAppendEntityBodyWithWhitespace(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, body string
	}{
		{"empty object with a space", `{ }`},
		{"empty object with a newline", "{\n}"},
		{"members after a space", `{ "id":"1"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			out := odata.AppendEntity(nil, "http://h/v1.0/$metadata#widgets/$entity", "test.ns.widget", []byte(tt.body))
			if !json.Valid(out) {
				t.Fatalf("AppendEntity(%q) = %s: not valid JSON", tt.body, out)
			}
		})
	}
}

// TestAppendItemVersioned: an item written with its version is the item written with
// FormatETag's tag, as stored and projected; version 0 writes no tag.
func TestAppendItemVersioned(t *testing.T) {
	t.Parallel()
	body := []byte(`{ "id":"1","name":"a"}`)
	for _, tt := range []struct {
		typeName string
		version  uint64
	}{{"", 0}, {"", 7}, {"ns.derived", 0}, {"ns.derived", 18446744073709551615}} {
		etag := ""
		if tt.version != 0 {
			etag = odata.FormatETag(tt.version)
		}
		want := string(odata.AppendEntityTagged(nil, "", tt.typeName, etag, body))
		if got := string(odata.AppendItemVersioned([]byte("x"), tt.typeName, tt.version, body, nil)); got != "x"+want {
			t.Errorf("%+v: got %s, want x%s", tt, got, want)
		}
		var v map[string]any
		if err := json.Unmarshal([]byte(want), &v); err != nil || (etag != "" && v["@odata.etag"] != etag) {
			t.Errorf("%+v: %s: %v, @odata.etag %v", tt, want, err, v["@odata.etag"])
		}
	}
	if got := string(odata.AppendItemVersioned(nil, "", 3, []byte("{}"), nil)); got != `{"@odata.etag":"W/\"3\""}` {
		t.Errorf("empty body: %s", got)
	}
}
