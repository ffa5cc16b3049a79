package odata_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"

	"github.com/graph-emulator/graph-emulator/entities"
	"github.com/graph-emulator/graph-emulator/odata"
)

func TestAppendServiceDocument(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		schema *entities.Schema
		want   string
	}{
		{"sets", newTestSchema(t),
			`{"@odata.context":"http://h/v1.0/$metadata","value":[` +
				`{"name":"widgets","kind":"EntitySet","url":"widgets"},{"name":"gadgets","kind":"EntitySet","url":"gadgets"}]}`},
		{"sets then singletons", newGraphLikeSchema(t),
			`{"@odata.context":"http://h/v1.0/$metadata","value":[` +
				`{"name":"users","kind":"EntitySet","url":"users"},{"name":"groups","kind":"EntitySet","url":"groups"},` +
				`{"name":"directoryObjects","kind":"EntitySet","url":"directoryObjects"},` +
				`{"name":"me","kind":"Singleton","url":"me"},{"name":"identityGovernance","kind":"Singleton","url":"identityGovernance"}]}`},
		{"empty", emptySchema(t), `{"@odata.context":"http://h/v1.0/$metadata","value":[]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := odata.AppendServiceDocument([]byte("x"), odata.MetadataURL("http://h", "v1.0"), tt.schema)
			if string(got) != "x"+tt.want {
				t.Fatalf("got  %s\nwant x%s", got, tt.want)
			}
		})
	}
}

func emptySchema(tb testing.TB) *entities.Schema {
	tb.Helper()
	s := entities.NewSchema("test.ns")
	if err := s.Resolve(); err != nil {
		tb.Fatal(err)
	}
	return s
}

func TestAppendRefPropertyCount(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		got  []byte
		want string
	}{
		{"ref", odata.AppendRef(nil, odata.ContextURL("http://h", "v1.0", "$ref", false), "http://h/v1.0/users/a%2Fb"),
			`{"@odata.context":"http://h/v1.0/$metadata#$ref","@odata.id":"http://h/v1.0/users/a%2Fb"}`},
		{"ref without context", odata.AppendRef([]byte("["), "", "http://h/v1.0/users/1"), `[{"@odata.id":"http://h/v1.0/users/1"}`},
		{"ref escapes", odata.AppendRef(nil, "", "http://h/v1.0/users/O'Brien\"\\\u2028"),
			`{"@odata.id":"http://h/v1.0/users/O'Brien\"\\\u2028"}`},
		{"string property", odata.AppendProperty(nil, "http://h/v1.0/$metadata#users('1')/displayName", []byte(`"Ada"`)),
			`{"@odata.context":"http://h/v1.0/$metadata#users('1')/displayName","value":"Ada"}`},
		{"collection property", odata.AppendProperty(nil, "c", []byte(`["a","b"]`)), `{"@odata.context":"c","value":["a","b"]}`},
		{"complex property", odata.AppendProperty(nil, "c", []byte(`{"timeZone":"UTC"}`)), `{"@odata.context":"c","value":{"timeZone":"UTC"}}`},
		{"number property", odata.AppendProperty(nil, "c", []byte(`42`)), `{"@odata.context":"c","value":42}`},
		{"absent property", odata.AppendProperty(nil, "c", nil), `{"@odata.context":"c","value":null}`},
		{"count", odata.AppendCount([]byte("n="), 12345), `n=12345`},
		{"zero count", odata.AppendCount(nil, 0), `0`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if string(tt.got) != tt.want {
				t.Fatalf("got  %s\nwant %s", tt.got, tt.want)
			}
		})
	}
}

func TestBeginCollection(t *testing.T) {
	t.Parallel()
	const ctx = "http://h/v1.0/$metadata#users"
	const next = "http://h/v1.0/users?$top=2&$skiptoken=abc"
	tests := []struct {
		name  string
		head  odata.CollectionHead
		items func(w *odata.CollectionWriter)
		want  string
	}{
		{"empty", odata.CollectionHead{Context: ctx}, func(*odata.CollectionWriter) {},
			`{"@odata.context":"http://h/v1.0/$metadata#users","value":[]}`},
		{"count of zero", odata.CollectionHead{Context: ctx, Counted: true}, func(*odata.CollectionWriter) {},
			`{"@odata.context":"http://h/v1.0/$metadata#users","@odata.count":0,"value":[]}`},
		{"count, next link and entities in Graph's order",
			odata.CollectionHead{Context: ctx, Count: 12, Counted: true, NextLink: next},
			func(w *odata.CollectionWriter) {
				w.Add("", []byte(`{"id":"1"}`))
				w.Add("microsoft.graph.user", []byte(`{"id":"2"}`))
				w.Add("microsoft.graph.user", []byte(`{}`))
			},
			`{"@odata.context":"http://h/v1.0/$metadata#users","@odata.count":12,"@odata.nextLink":"http://h/v1.0/users?$top=2&$skiptoken=abc",` +
				`"value":[{"id":"1"},{"@odata.type":"#microsoft.graph.user","id":"2"},{"@odata.type":"#microsoft.graph.user"}]}`},
		{"count not asked for", odata.CollectionHead{Context: ctx, Count: 12, NextLink: next},
			func(w *odata.CollectionWriter) { w.Add("", []byte(`{"id":"1"}`)) },
			`{"@odata.context":"http://h/v1.0/$metadata#users","@odata.nextLink":"http://h/v1.0/users?$top=2&$skiptoken=abc","value":[{"id":"1"}]}`},
		{"references", odata.CollectionHead{Context: "http://h/v1.0/$metadata#Collection($ref)", Count: 2, Counted: true},
			func(w *odata.CollectionWriter) {
				w.AddRef("http://h/v1.0/directoryObjects/1")
				w.AddRef("http://h/v1.0/directoryObjects/2")
			},
			`{"@odata.context":"http://h/v1.0/$metadata#Collection($ref)","@odata.count":2,` +
				`"value":[{"@odata.id":"http://h/v1.0/directoryObjects/1"},{"@odata.id":"http://h/v1.0/directoryObjects/2"}]}`},
		{"values", odata.CollectionHead{Context: "http://h/v1.0/$metadata#Collection(Edm.String)"},
			func(w *odata.CollectionWriter) {
				w.AddString("a\"b")
				w.AddValue([]byte(`42`))
				w.AddValue([]byte(`{"x":null}`))
			},
			`{"@odata.context":"http://h/v1.0/$metadata#Collection(Edm.String)","value":["a\"b",42,{"x":null}]}`},
		{"items written by the caller", odata.CollectionHead{Context: ctx},
			func(w *odata.CollectionWriter) {
				for _, id := range []string{"1", "2"} {
					if err := w.AddFunc(func(dst []byte) ([]byte, error) {
						return append(append(append(dst, `{"id":`...), id...), '}'), nil
					}); err != nil {
						t.Fatal(err)
					}
				}
			},
			`{"@odata.context":"http://h/v1.0/$metadata#users","value":[{"id":1},{"id":2}]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			buf := []byte(`garbage from an earlier response`)
			w := odata.BeginCollection(buf[:0], tt.head)
			tt.items(&w)
			if got := w.Finish(); string(got) != tt.want {
				t.Fatalf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestCollectionWriterAddFuncError(t *testing.T) {
	t.Parallel()
	w := odata.BeginCollection(nil, odata.CollectionHead{Context: "c"})
	w.AddRef("a")
	boom := errors.New("boom")
	if err := w.AddFunc(func(dst []byte) ([]byte, error) { return append(dst, "partial"...), boom }); !errors.Is(err, boom) {
		t.Fatalf("AddFunc error = %v, want %v", err, boom)
	}
	if w.Len() != 2 {
		t.Errorf("Len = %d after two items", w.Len())
	}
}

// TestWritersDoNotAllocate: with room in dst, the writers allocate nothing.
func TestWritersDoNotAllocate(t *testing.T) {
	s := newGraphLikeSchema(t)
	buf := make([]byte, 0, 4096)
	allocs := testing.AllocsPerRun(50, func() {
		w := odata.BeginCollection(buf[:0], odata.CollectionHead{Context: "c", Count: 3, Counted: true, NextLink: "n"})
		w.Add("t", []byte(`{"id":"1"}`))
		w.AddRef("r")
		_ = w.AddFunc(func(dst []byte) ([]byte, error) { return append(dst, "1"...), nil })
		b := w.Finish()
		b = odata.AppendRef(b[:0], "c", "id")
		b = odata.AppendProperty(b[:0], "c", []byte(`"v"`))
		b = odata.AppendServiceDocument(b[:0], "c", s)
		o := odata.ReopenObject(append(b[:0], `{"id":"1"}`...))
		c := o.BeginCollection("m", odata.ExpandedHead{Count: 1, Counted: true})
		c.AddRef("r")
		o.EndCollection(c)
		o.AddRaw("n", nil)
		b = o.Close()
		_ = odata.AppendCount(b[:0], 7)
	})
	if allocs != 0 {
		t.Fatalf("%v allocations, want 0", allocs)
	}
}

// FuzzWriters: whatever strings a request brings (a context or link built from its
// host, an id built from its key), the bodies are valid JSON that decode to those strings
// (invalid UTF-8 replaced), with the annotations in Graph's order.
func FuzzWriters(f *testing.F) {
	for _, seed := range [][3]string{
		{"http://h/v1.0/$metadata#users", "http://h/v1.0/users/1", "http://h/v1.0/users?$skiptoken=x"},
		{"", "", ""},
		{"\"\\/\x00\x1f", "O'Brien\u2028", "a\xffb"},
		{"été 😀", "\xed\xa0\x80", "\xf0\x9f\x98"},
	} {
		f.Add(seed[0], seed[1], seed[2], 3)
	}
	f.Fuzz(func(t *testing.T, context, id, next string, count int) {
		check := func(name string, body []byte, want map[string]any, keys []string) {
			t.Helper()
			if !json.Valid(body) {
				t.Fatalf("%s: not valid JSON: %q", name, body)
			}
			if got := objectKeys(t, body); !equalStrings(got, keys) {
				t.Fatalf("%s: keys %v, want %v", name, got, keys)
			}
			var got map[string]any
			dec := json.NewDecoder(bytes.NewReader(body))
			dec.UseNumber()
			if err := dec.Decode(&got); err != nil {
				t.Fatal(err)
			}
			for k, v := range want {
				if g, _ := json.Marshal(got[k]); string(g) != mustJSON(t, v) {
					t.Fatalf("%s: %s = %s, want %s", name, k, g, mustJSON(t, v))
				}
			}
		}
		ctx, ref, link := wantDecoded(context), wantDecoded(id), wantDecoded(next)
		refWant := map[string]any{"@odata.id": ref}
		if context != "" {
			refWant["@odata.context"] = ctx
		}
		check("AppendRef", odata.AppendRef(nil, context, id), refWant, refKeys(context))
		check("AppendProperty", odata.AppendProperty(nil, context, odata.AppendString(nil, id)),
			map[string]any{"@odata.context": ctx, "value": ref}, []string{"@odata.context", "value"})

		w := odata.BeginCollection(nil, odata.CollectionHead{Context: context, Count: count, Counted: count >= 0, NextLink: next})
		w.AddRef(id)
		w.AddString(next)
		w.Add("", []byte(`{"id":1}`))
		keys := []string{"@odata.context"}
		if count >= 0 {
			keys = append(keys, "@odata.count")
		}
		if next != "" {
			keys = append(keys, "@odata.nextLink")
		}
		keys = append(keys, "value")
		want := map[string]any{"@odata.context": ctx, "value": []any{map[string]any{"@odata.id": ref}, link, map[string]any{"id": 1}}}
		if count >= 0 {
			want["@odata.count"] = count
		}
		if next != "" {
			want["@odata.nextLink"] = link
		}
		check("BeginCollection", w.Finish(), want, keys)

		ow := odata.ReopenObject([]byte(`{"id":1}`))
		c := ow.BeginCollection(id, odata.ExpandedHead{Count: count, Counted: count >= 0})
		c.AddRef(next)
		ow.EndCollection(c)
		ow.AddRaw(context, nil)
		obj := ow.Close()
		keys = []string{"id"}
		if count >= 0 {
			keys = append(keys, ref+"@odata.count")
		}
		keys = append(keys, ref, ctx)
		if !json.Valid(obj) {
			t.Fatalf("ObjectWriter: not valid JSON: %q", obj)
		}
		if got := objectKeys(t, obj); !equalStrings(got, keys) {
			t.Fatalf("ObjectWriter: keys %q, want %q", got, keys)
		}
	})
}

func refKeys(context string) []string {
	if context == "" {
		return []string{"@odata.id"}
	}
	return []string{"@odata.context", "@odata.id"}
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func mustJSON(tb testing.TB, v any) string {
	tb.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}

func TestObjectWriter(t *testing.T) {
	t.Parallel()
	refs := func(w *odata.ObjectWriter, name string, head odata.ExpandedHead, ids ...string) {
		c := w.BeginCollection(name, head)
		for _, id := range ids {
			c.AddRef(id)
		}
		w.EndCollection(c)
	}
	tests := []struct {
		name    string
		obj     string
		members func(w *odata.ObjectWriter) error
		want    string
	}{
		{"nothing added", `{"id":"1"}`, func(*odata.ObjectWriter) error { return nil }, `{"id":"1"}`},
		{"empty object", `{}`, func(w *odata.ObjectWriter) error { w.AddRaw("manager", nil); return nil }, `{"manager":null}`},
		{"empty object with spaces", "{ }\n", func(w *odata.ObjectWriter) error { w.AddRaw("a", []byte(`1`)); return nil }, `{ "a":1}`},
		{"expanded collection with count, then a single value", `{"id":"1"}`, func(w *odata.ObjectWriter) error {
			refs(w, "members", odata.ExpandedHead{Count: 2, Counted: true}, "u/2", "u/3")
			return w.AddFunc("manager", func(dst []byte) ([]byte, error) {
				return odata.AppendEntity(dst, "", "microsoft.graph.user", []byte(`{"id":"9"}`)), nil
			})
		}, `{"id":"1","members@odata.count":2,"members":[{"@odata.id":"u/2"},{"@odata.id":"u/3"}],"manager":{"@odata.type":"#microsoft.graph.user","id":"9"}}`},
		{"expanded collection without count, empty", `{"id":"1"}`, func(w *odata.ObjectWriter) error {
			refs(w, "messages", odata.ExpandedHead{Count: 5})
			return nil
		}, `{"id":"1","messages":[]}`},
		{"count first in an empty object", `{}`, func(w *odata.ObjectWriter) error {
			refs(w, "members", odata.ExpandedHead{Counted: true})
			return nil
		}, `{"members@odata.count":0,"members":[]}`},
		{"entities in an expanded collection", `{"id":"1"}`, func(w *odata.ObjectWriter) error {
			c := w.BeginCollection("messages", odata.ExpandedHead{})
			c.Add("", []byte(`{"id":"m1"}`))
			c.Add("microsoft.graph.eventMessage", []byte(`{"id":"m2"}`))
			w.EndCollection(c)
			return nil
		}, `{"id":"1","messages":[{"id":"m1"},{"@odata.type":"#microsoft.graph.eventMessage","id":"m2"}]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := odata.ReopenObject([]byte(tt.obj))
			if err := tt.members(&w); err != nil {
				t.Fatal(err)
			}
			if got := w.Close(); string(got) != tt.want {
				t.Fatalf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
	w := odata.ReopenObject([]byte(`{}`))
	boom := errors.New("boom")
	if err := w.AddFunc("x", func(dst []byte) ([]byte, error) { return dst, boom }); !errors.Is(err, boom) {
		t.Errorf("AddFunc error = %v", err)
	}
}
