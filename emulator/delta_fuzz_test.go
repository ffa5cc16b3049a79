package emulator_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/tidwall/gjson"

	"github.com/graph-emulator/graph-emulator/emulator"
	"github.com/graph-emulator/graph-emulator/entities"
)

// deltaSchema is a small directory whose users, directory objects and messages have a
// delta function, as Graph's do.
func deltaSchema(t testing.TB) *entities.Schema {
	t.Helper()
	s := entities.NewSchema("d")
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	str := func(n string) *entities.Property { return &entities.Property{Name: n, Type: "Edm.String"} }
	must(s.AddType(&entities.StructuredType{Name: "entity", Kind: entities.KindEntity, Abstract: true,
		Key: []string{"id"}, Properties: []*entities.Property{{Name: "id", Type: "Edm.String", NotNull: true}}}))
	must(s.AddType(&entities.StructuredType{Name: "directoryObject", Kind: entities.KindEntity, BaseType: "d.entity"}))
	must(s.AddType(&entities.StructuredType{Name: "user", Kind: entities.KindEntity, BaseType: "d.directoryObject",
		Properties:           []*entities.Property{str("displayName"), str("jobTitle")},
		NavigationProperties: []*entities.NavigationProperty{{Name: "messages", Type: "Collection(d.message)", ContainsTarget: true}}}))
	must(s.AddType(&entities.StructuredType{Name: "group", Kind: entities.KindEntity, BaseType: "d.directoryObject",
		Properties:           []*entities.Property{str("displayName")},
		NavigationProperties: []*entities.NavigationProperty{{Name: "members", Type: "Collection(d.directoryObject)"}}}))
	must(s.AddType(&entities.StructuredType{Name: "message", Kind: entities.KindEntity, BaseType: "d.entity",
		Properties: []*entities.Property{str("subject")}}))
	must(s.AddEntitySet("directoryObjects", "d.directoryObject"))
	must(s.AddEntitySet("users", "d.user"))
	must(s.AddEntitySet("groups", "d.group"))
	for _, typ := range []string{"d.directoryObject", "d.user", "d.message"} {
		must(s.AddOperation(&entities.Operation{Name: "delta", Kind: entities.Function, IsBound: true,
			Parameters: []entities.Parameter{{Name: "bindingParameter", Type: "Collection(" + typ + ")"}},
			ReturnType: "Collection(" + typ + ")"}))
	}
	must(s.Resolve())
	return s
}

// FuzzDeltaQuery sends arbitrary query strings, tokens among them, to the delta
// functions of a small directory: nothing answers 500, errors are Graph's JSON shape, a
// 200 is a page with either link, and no delta request changes the store.
func FuzzDeltaQuery(f *testing.F) {
	schema := deltaSchema(f)
	setup := func(t testing.TB) *emulator.Server {
		srv, err := emulator.New(emulator.WithSchema("v1.0", schema), emulator.WithPageSize(2),
			emulator.WithIDGenerator(sequentialGUIDs()))
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range [][2]string{
			{"/v1.0/users", `{"id":"a","displayName":"A"}`}, {"/v1.0/users", `{"id":"b"}`},
			{"/v1.0/groups", `{"id":"g"}`}, {"/v1.0/users/a/messages", `{"id":"m","subject":"s"}`},
			{"/v1.0/users", `{"id":"c"}`},
		} {
			sendTB(t, srv, "POST", p[0], p[1])
		}
		return srv
	}
	// Seeds: real tokens of this state, and options.
	srv := setup(f)
	get := func(path string) string {
		w := httptest.NewRecorder()
		srv.ServeHTTP(w, httptest.NewRequest("GET", "http://emulator"+path, nil))
		return w.Body.String()
	}
	for _, p := range []string{"users/delta", "users/delta?$select=displayName", "directoryObjects/delta", "users/a/messages/delta"} {
		body := get("/v1.0/" + p)
		for _, link := range []string{`@odata\.nextLink`, `@odata\.deltaLink`} {
			if l := gjson.Get(body, link).Str; l != "" {
				_, q, _ := strings.Cut(l, "?")
				f.Add(p[:strings.IndexByte(p+"?", '?')], q)
			}
		}
	}
	sendTB(f, srv, "PATCH", "/v1.0/users/a", `{"jobTitle":"j"}`)
	for _, q := range []string{"", "$deltatoken=latest", "$select=displayName&$filter=id eq 'a'", "$top=1",
		"$filter=id in ('a','b')", "$deltatoken=Z2QxZA", "$skiptoken=Z2QxdwA", "$expand=messages"} {
		f.Add("users/delta", q)
		f.Add("users/a/messages/delta", q)
	}
	f.Fuzz(func(t *testing.T, path, query string) {
		if strings.ContainsAny(path+query, " \r\n\t#") {
			return
		}
		srv := setup(t)
		sendTB(t, srv, "PATCH", "/v1.0/users/a", `{"jobTitle":"j"}`)
		sendTB(t, srv, "DELETE", "/v1.0/users/b", "")
		before := seq(t, srv)
		req, err := http.NewRequest("GET", "http://emulator/v1.0/"+path+"?"+query, nil)
		if err != nil {
			return
		}
		w := httptest.NewRecorder()
		srv.ServeHTTP(w, req)
		body := w.Body.Bytes()
		switch {
		case w.Code >= 500 && w.Code != http.StatusNotImplemented:
			t.Fatalf("%s?%s: %d %s", path, query, w.Code, body)
		case w.Code >= 400:
			if gjson.GetBytes(body, "error.code").Str == "" || gjson.GetBytes(body, "error.message").Str == "" {
				t.Fatalf("%s?%s: error body %s", path, query, body)
			}
		case w.Code == 200 && strings.Contains(strings.ToLower(req.URL.Path[strings.LastIndexByte(req.URL.Path, '/')+1:]), "delta"):
			// A delta function's answer (the fuzzer's path may hold a '?', its query a
			// "delta" that is no segment: those answer something else).
			if !gjson.ValidBytes(body) || !gjson.GetBytes(body, "value").IsArray() {
				t.Fatalf("%s?%s: body %s", path, query, body)
			}
		}
		if after := seq(t, srv); after != before {
			t.Fatalf("GET %s?%s changed the store (seq %d -> %d)", path, query, before, after)
		}
	})
}

// sendTB is send for any testing.TB.
func sendTB(t testing.TB, h http.Handler, method, path, body string) {
	t.Helper()
	req := httptest.NewRequest(method, "http://emulator"+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	if w.Code >= 300 {
		t.Fatalf("%s %s: %d %s", method, path, w.Code, w.Body)
	}
}
