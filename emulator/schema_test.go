package emulator_test

import (
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/graph-emulator/graph-emulator/emulator"
	"github.com/graph-emulator/graph-emulator/emulator/emulatortest"
	"github.com/graph-emulator/graph-emulator/entities"
)

// shopSchema is a small schema that has nothing to do with Graph's types: an abstract
// keyed base, an entity type with an enum, a complex-typed property and collections, a
// type derived from it, and an open type; two entity sets. Serving it through
// emulator.WithSchema shows that the server handles any schema, not the seed's type.
func shopSchema(t testing.TB) *entities.Schema {
	t.Helper()
	s := entities.NewSchema("example.shop")
	steps := []error{
		s.AddEnum(&entities.EnumType{Name: "color", Members: []string{"red", "green", "blue"}}),
		s.AddType(&entities.StructuredType{Name: "dimensions", Kind: entities.KindComplex, Properties: []*entities.Property{
			{Name: "width", Type: "Edm.Double"},
			{Name: "height", Type: "Edm.Double"},
			{Name: "unit", Type: "Edm.String"},
		}}),
		s.AddType(&entities.StructuredType{Name: "thing", Kind: entities.KindEntity, Abstract: true, Key: []string{"id"},
			Properties: []*entities.Property{{Name: "id", Type: "Edm.String", NotNull: true}}}),
		s.AddType(&entities.StructuredType{Name: "product", Kind: entities.KindEntity, BaseType: "example.shop.thing", Properties: []*entities.Property{
			{Name: "name", Type: "Edm.String"},
			{Name: "stock", Type: "Edm.Int64"},
			{Name: "tags", Type: "Collection(Edm.String)"},
			{Name: "color", Type: "example.shop.color"},
			{Name: "size", Type: "example.shop.dimensions"},
			{Name: "variants", Type: "Collection(example.shop.dimensions)"},
		}}),
		s.AddType(&entities.StructuredType{Name: "gadget", Kind: entities.KindEntity, BaseType: "example.shop.product", Properties: []*entities.Property{
			{Name: "voltage", Type: "Edm.Int32"},
			{Name: "modes", Type: "Collection(example.shop.color)"},
		}}),
		s.AddType(&entities.StructuredType{Name: "note", Kind: entities.KindEntity, BaseType: "example.shop.thing", Open: true,
			Properties: []*entities.Property{{Name: "text", Type: "Edm.String"}}}),
		s.AddEntitySet("products", "example.shop.product"),
		s.AddEntitySet("notes", "example.shop.note"),
		s.Resolve(),
	}
	for _, err := range steps {
		if err != nil {
			t.Fatalf("test schema: %v", err)
		}
	}
	return s
}

// shopStep is one request of a schema scenario and what must come back.
type shopStep struct {
	method, path, body string
	status             int
	// want is the whole JSON body, {{base}} standing for the server's URL; compared
	// member by member in order. Empty with a 2xx status means no body.
	want string
	// wantCode and wantMsg describe an error: its code and parts of its message.
	wantCode string
	wantMsg  []string
}

// runShopSteps sends the steps in order and checks each answer.
// etagMember matches an @odata.etag member and the comma after it.
var etagMember = regexp.MustCompile(`"@odata\.etag":"W/\\"[0-9]+\\"",`)

func runShopSteps(t *testing.T, srv *emulatortest.Server, steps []shopStep) {
	t.Helper()
	for i, st := range steps {
		resp := srv.Do(st.method, st.path, st.body)
		where := func() string { return st.method + " " + st.path + " (step " + strconv.Itoa(i+1) + ")" }
		if resp.Status != st.status {
			t.Errorf("%s: status %d, want %d; body %s", where(), resp.Status, st.status, resp.Body)
			continue
		}
		if st.wantCode != "" {
			e := checkGraphError(t, resp)
			if e.Code != st.wantCode {
				t.Errorf("%s: error code %q, want %q", where(), e.Code, st.wantCode)
			}
			for _, part := range st.wantMsg {
				if !strings.Contains(e.Message, part) {
					t.Errorf("%s: error message %q does not contain %q", where(), e.Message, part)
				}
			}
			continue
		}
		if st.want == "" {
			if len(resp.Body) != 0 {
				t.Errorf("%s: body %s, want none", where(), resp.Body)
			}
			continue
		}
		want := compactJSON(strings.ReplaceAll(st.want, "{{base}}", srv.URL))
		// Every shop entity carries its tag; the tags' values are etag_test.go's subject.
		tagged := etagMember.FindAllString(string(resp.Body), -1)
		if strings.Contains(st.want, `"id":`) && len(tagged) == 0 {
			t.Errorf("%s: body %s carries no @odata.etag", where(), resp.Body)
		}
		if got := compactJSON(etagMember.ReplaceAllString(string(resp.Body), "")); got != want {
			t.Errorf("%s: body\n got %s\nwant %s", where(), got, want)
		}
	}
}

func TestSchemaServedThroughWithSchema(t *testing.T) {
	t.Parallel()
	const (
		productCtx = `"@odata.context":"{{base}}/v1.0/$metadata#products/$entity"`
		noteCtx    = `"@odata.context":"{{base}}/v1.0/$metadata#notes/$entity"`
		lamp       = `{"id":"p1","name":"Lamp","stock":3,"tags":["home","light"],"color":"red","size":{"width":1.5,"height":2,"unit":"m"},"variants":[{"width":1,"height":1},{"width":2,"height":2}]}`
		lampOut    = `"id":"p1","name":"Lamp","stock":3,"tags":["home","light"],"color":"red","size":{"width":1.5,"height":2,"unit":"m"},"variants":[{"width":1,"height":1},{"width":2,"height":2}]`
	)
	cases := []struct {
		name  string
		opts  []emulator.Option
		steps []shopStep
	}{
		{
			name: "service document lists the schema's sets and nothing else",
			steps: []shopStep{
				{method: "GET", path: "/v1.0/", status: 200,
					want: `{"@odata.context":"{{base}}/v1.0/$metadata","value":[{"name":"products","kind":"EntitySet","url":"products"},{"name":"notes","kind":"EntitySet","url":"notes"}]}`},
				{method: "GET", path: "/v1.0/office365ServicesUserCounts", status: 400,
					wantCode: "BadRequest", wantMsg: []string{"Resource not found for the segment 'office365ServicesUserCounts'."}},
				{method: "GET", path: "/beta/products", status: 400,
					wantCode: "BadRequest", wantMsg: []string{"Resource not found for the segment 'products'."}},
			},
		},
		{
			name: "create, read, merge, replace, delete",
			steps: []shopStep{
				// Members come back in schema order, whatever order they were sent in.
				{method: "POST", path: "/v1.0/products", status: 201,
					body: `{"variants":[{"width":1,"height":1},{"width":2,"height":2}],"color":"red","size":{"width":1.5,"height":2,"unit":"m"},"tags":["home","light"],"stock":3,"name":"Lamp","id":"p1"}`,
					want: `{` + productCtx + `,"@odata.type":"#example.shop.product",` + lampOut + `}`},
				{method: "GET", path: "/v1.0/products/p1", status: 200,
					want: `{` + productCtx + `,"@odata.type":"#example.shop.product",` + lampOut + `}`},
				{method: "PATCH", path: "/v1.0/products('p1')", body: `{"stock":4,"tags":[],"color":null}`, status: 200,
					want: `{` + productCtx + `,"@odata.type":"#example.shop.product","id":"p1","name":"Lamp","stock":4,"tags":[],"color":null,"size":{"width":1.5,"height":2,"unit":"m"},"variants":[{"width":1,"height":1},{"width":2,"height":2}]}`},
				{method: "PUT", path: "/v1.0/products/p1", body: `{"name":"Lamp 2"}`, status: 200,
					want: `{` + productCtx + `,"@odata.type":"#example.shop.product","id":"p1","name":"Lamp 2"}`},
				{method: "GET", path: "/v1.0/products", status: 200,
					want: `{"@odata.context":"{{base}}/v1.0/$metadata#products","value":[{"id":"p1","name":"Lamp 2"}]}`},
				{method: "DELETE", path: "/v1.0/products('p1')", status: 204},
				{method: "GET", path: "/v1.0/products/p1", status: 404, wantCode: "Request_ResourceNotFound", wantMsg: []string{"'p1'"}},
				{method: "GET", path: "/v1.0/products", status: 200,
					want: `{"@odata.context":"{{base}}/v1.0/$metadata#products","value":[]}`},
			},
		},
		{
			name: "derived type stored, returned and annotated in collections",
			steps: []shopStep{
				{method: "POST", path: "/v1.0/products", status: 201,
					body: `{"@odata.type":"#example.shop.gadget","id":"g1","name":"Drill","voltage":18,"modes":["red","blue"]}`,
					want: `{` + productCtx + `,"@odata.type":"#example.shop.gadget","id":"g1","name":"Drill","voltage":18,"modes":["red","blue"]}`},
				{method: "POST", path: "/v1.0/products", body: lamp, status: 201,
					want: `{` + productCtx + `,"@odata.type":"#example.shop.product",` + lampOut + `}`},
				// Without '#', and naming the set's own type explicitly.
				{method: "POST", path: "/v1.0/products", body: `{"@odata.type":"example.shop.gadget","id":"g2","name":"Saw"}`, status: 201,
					want: `{` + productCtx + `,"@odata.type":"#example.shop.gadget","id":"g2","name":"Saw"}`},
				{method: "POST", path: "/v1.0/products", body: `{"@odata.type":"#example.shop.product","id":"p2"}`, status: 201,
					want: `{` + productCtx + `,"@odata.type":"#example.shop.product","id":"p2"}`},
				{method: "GET", path: "/v1.0/products/g1", status: 200,
					want: `{` + productCtx + `,"@odata.type":"#example.shop.gadget","id":"g1","name":"Drill","voltage":18,"modes":["red","blue"]}`},
				// Items of the set's type carry no @odata.type; derived ones do.
				{method: "GET", path: "/v1.0/products", status: 200,
					want: `{"@odata.context":"{{base}}/v1.0/$metadata#products","value":[` +
						`{"@odata.type":"#example.shop.gadget","id":"g1","name":"Drill","voltage":18,"modes":["red","blue"]},` +
						`{` + lampOut + `},` +
						`{"@odata.type":"#example.shop.gadget","id":"g2","name":"Saw"},` +
						`{"id":"p2"}]}`},
				{method: "PATCH", path: "/v1.0/products/g1", body: `{"voltage":20}`, status: 200,
					want: `{` + productCtx + `,"@odata.type":"#example.shop.gadget","id":"g1","name":"Drill","voltage":20,"modes":["red","blue"]}`},
				{method: "PATCH", path: "/v1.0/products/g1", body: `{"@odata.type":"#example.shop.gadget","name":"Drill 2"}`, status: 200,
					want: `{` + productCtx + `,"@odata.type":"#example.shop.gadget","id":"g1","name":"Drill 2","voltage":20,"modes":["red","blue"]}`},
				{method: "PATCH", path: "/v1.0/products/p1", body: `{"voltage":20}`, status: 400,
					wantCode: "RequestBodyRead", wantMsg: []string{"'voltage'", "'example.shop.product'"}},
				{method: "PATCH", path: "/v1.0/products/g1", body: `{"@odata.type":"#example.shop.product","name":"x"}`, status: 400,
					wantCode: "BadRequest", wantMsg: []string{"example.shop.product"}},
				{method: "POST", path: "/v1.0/products", body: `{"@odata.type":"#example.shop.note","id":"x"}`, status: 400,
					wantCode: "BadRequest", wantMsg: []string{"example.shop.note"}},
				{method: "POST", path: "/v1.0/products", body: `{"@odata.type":"#example.shop.thing","id":"x"}`, status: 400,
					wantCode: "BadRequest", wantMsg: []string{"example.shop.thing"}},
				{method: "POST", path: "/v1.0/products", body: `{"@odata.type":"#example.shop.gadget","id":"x","voltage":"high"}`, status: 400,
					wantCode: "Request_BadRequest", wantMsg: []string{"'voltage'", "Edm.Int32"}},
				{method: "GET", path: "/v1.0/products/x", status: 404, wantCode: "Request_ResourceNotFound"},
			},
		},
		{
			name: "open type keeps dynamic properties after declared ones",
			steps: []shopStep{
				{method: "POST", path: "/v1.0/notes", body: `{"mood":"happy","text":"hi","id":"n1","score":3,"extra":{"a":[1,2]}}`, status: 201,
					want: `{` + noteCtx + `,"@odata.type":"#example.shop.note","id":"n1","text":"hi","mood":"happy","score":3,"extra":{"a":[1,2]}}`},
				{method: "PATCH", path: "/v1.0/notes/n1", body: `{"later":true,"score":4}`, status: 200,
					want: `{` + noteCtx + `,"@odata.type":"#example.shop.note","id":"n1","text":"hi","mood":"happy","score":4,"extra":{"a":[1,2]},"later":true}`},
				{method: "PATCH", path: "/v1.0/notes/n1", body: `{"text":5}`, status: 400,
					wantCode: "Request_BadRequest", wantMsg: []string{"'text'", "Edm.String"}},
				{method: "GET", path: "/v1.0/notes", status: 200,
					want: `{"@odata.context":"{{base}}/v1.0/$metadata#notes","value":[{"id":"n1","text":"hi","mood":"happy","score":4,"extra":{"a":[1,2]},"later":true}]}`},
			},
		},
		{
			name: "complex, enum and collection values are checked",
			steps: []shopStep{
				{method: "POST", path: "/v1.0/products", body: `{"id":"x","size":{"depth":1}}`, status: 400,
					wantCode: "RequestBodyRead", wantMsg: []string{"'size.depth'", "'example.shop.dimensions'"}},
				{method: "POST", path: "/v1.0/products", body: `{"id":"x","size":"big"}`, status: 400,
					wantCode: "Request_BadRequest", wantMsg: []string{"'size'", "example.shop.dimensions"}},
				{method: "POST", path: "/v1.0/products", body: `{"id":"x","tags":"a"}`, status: 400,
					wantCode: "Request_BadRequest", wantMsg: []string{"'tags'", "Collection(Edm.String)"}},
				{method: "POST", path: "/v1.0/products", body: `{"id":"x","tags":["a",1]}`, status: 400,
					wantCode: "Request_BadRequest", wantMsg: []string{"'tags[1]'", "Edm.String"}},
				{method: "POST", path: "/v1.0/products", body: `{"id":"x","variants":[{"width":1},{"width":"w"}]}`, status: 400,
					wantCode: "Request_BadRequest", wantMsg: []string{"'variants[1].width'", "Edm.Double"}},
				{method: "POST", path: "/v1.0/products", body: `{"id":"x","color":1}`, status: 400,
					wantCode: "Request_BadRequest", wantMsg: []string{"'color'", "example.shop.color"}},
				{method: "POST", path: "/v1.0/products", body: `{"id":"x","@odata.type":"#example.shop.gadget","modes":["red",2]}`, status: 400,
					wantCode: "Request_BadRequest", wantMsg: []string{"'modes[1]'", "example.shop.color"}},
				{method: "GET", path: "/v1.0/products", status: 200,
					want: `{"@odata.context":"{{base}}/v1.0/$metadata#products","value":[]}`},
				// Enum values must name a member, by default too.
				{method: "POST", path: "/v1.0/products", body: `{"id":"x","color":"purple"}`, status: 400,
					wantCode: "Request_BadRequest", wantMsg: []string{"'color'", "example.shop.color"}},
			},
		},
		{
			name: "strict checks enum members",
			opts: []emulator.Option{emulator.WithStrict(true)},
			steps: []shopStep{
				{method: "POST", path: "/v1.0/products", body: `{"id":"x","color":"purple"}`, status: 400,
					wantCode: "Request_BadRequest", wantMsg: []string{"'color'", "example.shop.color"}},
				{method: "POST", path: "/v1.0/products", body: `{"id":"x","color":"green"}`, status: 201,
					want: `{` + productCtx + `,"@odata.type":"#example.shop.product","id":"x","color":"green"}`},
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			opts := append([]emulator.Option{emulator.WithSchema("v1.0", shopSchema(t))}, tc.opts...)
			srv := emulatortest.New(t, opts...)
			runShopSteps(t, srv, tc.steps)
		})
	}
}

// TestSchemaLocationAndBeta checks that Location follows the schema's set names and that
// each version serves its own schema.
func TestSchemaLocationAndBeta(t *testing.T) {
	t.Parallel()
	srv := emulatortest.New(t, emulator.WithSchema("beta", shopSchema(t)))
	resp := srv.Do("POST", "/beta/notes", `{"id":"n/1","text":"x"}`)
	if resp.Status != http.StatusCreated {
		t.Fatalf("create: %s", resp)
	}
	loc := resp.Header.Get("Location")
	if want := srv.URL + "/beta/notes('n%2F1')"; loc != want {
		t.Errorf("Location %q, want %q", loc, want)
	}
	if got := srv.Do("GET", loc, ""); got.Status != http.StatusOK {
		t.Errorf("GET Location: %s", got)
	}
	// v1.0 still serves the built-in schema, which has no notes.
	if got := srv.Do("GET", "/v1.0/notes", ""); got.Status != http.StatusBadRequest {
		t.Errorf("GET /v1.0/notes: %s, want 400", got)
	}
}
