package emulator_test

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/tidwall/gjson"

	"github.com/graph-emulator/graph-emulator/emulator"
	"github.com/graph-emulator/graph-emulator/emulator/emulatortest"
)

// Drives and drive items over HTTP, against Graph's own schema: drives made on first
// use, folders, path-based addressing, names and conflicts, renames, moves and deletes.

// driveTest is one user's drive being used by a test.
type driveTest struct {
	t    *testing.T
	srv  *emulatortest.Server
	user string
	// base is the drive's path: /v1.0/users/{id}/drive.
	base string
}

func newDriveTest(t *testing.T, opts ...emulator.Option) *driveTest {
	t.Helper()
	srv := emulatortest.New(t, opts...)
	u := field(mustStatus(t, srv.Do("POST", "/v1.0/users", `{"accountEnabled":true,"displayName":"Ann Drive","mailNickname":"ann",`+
		`"userPrincipalName":"ann@contoso.test","passwordProfile":{"password":"x-Y-z-123!aB"}}`), http.StatusCreated), "id")
	return &driveTest{t: t, srv: srv, user: u, base: "/v1.0/users/" + u + "/drive"}
}

// do sends a request to a path under the drive.
func (d *driveTest) do(method, path, body string, headers ...string) *emulatortest.Response {
	d.t.Helper()
	return d.srv.Do(method, d.base+path, body, headers...)
}

// put uploads content to a path under the drive (PUT …/content).
func (d *driveTest) put(path, content string, headers ...string) *emulatortest.Response {
	d.t.Helper()
	return d.srv.Do("PUT", d.base+path, content, append([]string{"Content-Type", "text/plain"}, headers...)...)
}

// folder creates a folder under the folder at path (POST …/children).
func (d *driveTest) folder(parent, name string) string {
	d.t.Helper()
	return field(mustStatus(d.t, d.do("POST", parent+"/children", `{"name":`+quote(name)+`,"folder":{}}`), http.StatusCreated), "id")
}

// names lists the names of the children of the folder at path.
func (d *driveTest) names(path string) []string {
	d.t.Helper()
	r := mustStatus(d.t, d.do("GET", path+"/children?$select=name", ""), http.StatusOK)
	var out []string
	for _, v := range gjson.GetBytes(r.Body, "value").Array() {
		out = append(out, v.Get("name").String())
	}
	return out
}

func quote(s string) string { return fmt.Sprintf("%q", s) }

// wantDriveError checks a Graph error's status and code.
func wantDriveError(t *testing.T, r *emulatortest.Response, status int, code string) {
	t.Helper()
	if r.Status != status || field(r, "error.code") != code || field(r, "error.innerError.request-id") == "" {
		t.Fatalf("got %s, want %d %s in Graph's error shape", r, status, code)
	}
}

func TestDrivesMadeOnFirstUse(t *testing.T) {
	t.Parallel()
	srv := emulatortest.New(t)
	create := func(set, body string) string {
		return field(mustStatus(t, srv.Do("POST", "/v1.0/"+set, body), http.StatusCreated), "id")
	}
	u := create("users", `{"accountEnabled":true,"displayName":"Ann","mailNickname":"ann","userPrincipalName":"ann@contoso.test","passwordProfile":{"password":"x-Y-z-123!aB"}}`)
	g := create("groups", `{"displayName":"Team","mailEnabled":true,"mailNickname":"team","securityEnabled":false,"groupTypes":["Unified"]}`)

	d := mustStatus(t, srv.Do("GET", "/v1.0/users/"+u+"/drive", ""), http.StatusOK)
	id := field(d, "id")
	if !strings.HasPrefix(id, "b!") || field(d, "driveType") != "business" || field(d, "owner.user.id") != u ||
		field(d, "owner.user.displayName") != "Ann" || field(d, "quota.total") != "1099511627776" || field(d, "quota.used") != "0" {
		t.Fatalf("user drive: %s", d)
	}
	if again := mustStatus(t, srv.Do("GET", "/v1.0/users/"+u+"/drive", ""), http.StatusOK); field(again, "id") != id {
		t.Fatalf("the drive changed: %s", again)
	}
	for _, p := range []string{"/v1.0/drives/" + url.PathEscape(id), "/v1.0/users/" + u + "/drives/" + url.PathEscape(id)} {
		if r := mustStatus(t, srv.Do("GET", p, ""), http.StatusOK); field(r, "id") != id {
			t.Fatalf("GET %s: %s", p, r)
		}
	}
	if ids := valueIDs(mustStatus(t, srv.Do("GET", "/v1.0/users/"+u+"/drives", ""), http.StatusOK)); !slices.Equal(ids, []string{id}) {
		t.Fatalf("drives of the user: %v", ids)
	}
	root := mustStatus(t, srv.Do("GET", "/v1.0/drives/"+url.PathEscape(id)+"/root", ""), http.StatusOK)
	if field(root, "name") != "root" || !gjson.GetBytes(root.Body, "root").IsObject() || field(root, "folder.childCount") != "0" {
		t.Fatalf("root: %s", root)
	}
	if r := mustStatus(t, srv.Do("GET", "/v1.0/drives/"+url.PathEscape(id)+"/items/root", ""), http.StatusOK); field(r, "id") != field(root, "id") {
		t.Fatalf("items/root: %s", r)
	}
	if r := mustStatus(t, srv.Do("GET", "/v1.0/drives/"+url.PathEscape(id)+"/items/"+field(root, "id"), ""), http.StatusOK); field(r, "name") != "root" {
		t.Fatalf("items/{root id}: %s", r)
	}

	// A group's document library, made as its drives are first listed.
	gd := mustStatus(t, srv.Do("GET", "/v1.0/groups/"+g+"/drives", ""), http.StatusOK)
	if n := gjson.GetBytes(gd.Body, "value.#").Int(); n != 1 || gjson.GetBytes(gd.Body, "value.0.driveType").String() != "documentLibrary" {
		t.Fatalf("group drives: %s", gd)
	}
	if r := mustStatus(t, srv.Do("GET", "/v1.0/groups/"+g+"/drive", ""), http.StatusOK); field(r, "id") != gjson.GetBytes(gd.Body, "value.0.id").String() || field(r, "owner.group.id") != g {
		t.Fatalf("group drive: %s", r)
	}

	// The root site and its library.
	site := mustStatus(t, srv.Do("GET", "/v1.0/sites/root", ""), http.StatusOK)
	if !strings.HasPrefix(field(site, "id"), "contoso.sharepoint.com,") || !gjson.GetBytes(site.Body, "root").IsObject() {
		t.Fatalf("root site: %s", site)
	}
	if r := mustStatus(t, srv.Do("GET", "/v1.0/sites/"+url.PathEscape(field(site, "id"))+"/drive", ""), http.StatusOK); field(r, "driveType") != "documentLibrary" {
		t.Fatalf("site drive: %s", r)
	}
	if r := mustStatus(t, srv.Do("GET", "/v1.0/sites/root/drive/root/children", ""), http.StatusOK); gjson.GetBytes(r.Body, "value.#").Int() != 0 {
		t.Fatalf("site drive root children: %s", r)
	}
	if ids := valueIDs(mustStatus(t, srv.Do("GET", "/v1.0/drives", ""), http.StatusOK)); len(ids) != 3 {
		t.Fatalf("drives: %v", ids)
	}

	// Nothing to make for what does not exist.
	wantDriveError(t, srv.Do("GET", "/v1.0/users/00000000-0000-0000-0000-000000000000/drive", ""), http.StatusNotFound, "Request_ResourceNotFound")
	wantDriveError(t, srv.Do("GET", "/v1.0/drives/b!nothing", ""), http.StatusNotFound, "Request_ResourceNotFound")
	wantDriveError(t, srv.Do("DELETE", "/v1.0/drives/"+url.PathEscape(id), ""), http.StatusMethodNotAllowed, "Request_BadRequest")
}

func TestMyDrive(t *testing.T) {
	t.Parallel()
	const me = "6e6f2c3b-8d1f-4d47-9a34-0a8e7f1b2c3d"
	srv := emulatortest.New(t, emulator.WithSingletonKey("me", me))
	wantDriveError(t, srv.Do("GET", "/v1.0/me/drive", ""), http.StatusNotFound, "Request_ResourceNotFound")
	mustStatus(t, srv.Do("POST", "/v1.0/users", `{"id":"`+me+`","accountEnabled":true,"displayName":"Me","mailNickname":"me",`+
		`"userPrincipalName":"me@contoso.test","passwordProfile":{"password":"x-Y-z-123!aB"}}`), http.StatusCreated)
	d := mustStatus(t, srv.Do("GET", "/v1.0/me/drive", ""), http.StatusOK)
	if r := mustStatus(t, srv.Do("GET", "/v1.0/users/"+me+"/drive", ""), http.StatusOK); field(r, "id") != field(d, "id") {
		t.Fatalf("/me/drive %s and /users/{me}/drive %s differ", field(d, "id"), field(r, "id"))
	}
	created := mustStatus(t, srv.Do("PUT", "/v1.0/me/drive/root:/notes.txt:/content", "hi", "Content-Type", "text/plain"), http.StatusCreated)
	// The caller is the signed-in user.
	if field(created, "createdBy.user.id") != me || field(created, "createdBy.user.displayName") != "Me" || field(created, "lastModifiedBy.user.id") != me {
		t.Fatalf("createdBy: %s", created)
	}
}

func TestDriveFoldersAndPaths(t *testing.T) {
	t.Parallel()
	d := newDriveTest(t)
	docs := d.folder("/root", "docs")
	d.folder("/items/"+docs, "2024 reports")
	sub := d.folder("/root:/docs/2024 reports:", "Q1 #1 100%")

	// The same item, by every address.
	for _, p := range []string{
		"/items/" + sub,
		"/root:/docs/2024%20reports/Q1%20%231%20100%25:",
		"/root:/docs/2024%20reports/Q1%20%231%20100%25",
		"/root:/DOCS/2024%20REPORTS/q1%20%231%20100%25:", // names ignore case
		"/items/" + docs + ":/2024%20reports/Q1%20%231%20100%25:",
		"/items/root:/docs/2024%20reports/Q1%20%231%20100%25:",
		"/items/root%3A%2Fdocs%2F2024%20reports%2FQ1%20%231%20100%25%3A", // as SDKs encode a key
	} {
		r := mustStatus(t, d.do("GET", p, ""), http.StatusOK)
		if field(r, "id") != sub || field(r, "name") != "Q1 #1 100%" {
			t.Fatalf("GET %s: %s", p, r)
		}
	}
	r := mustStatus(t, d.do("GET", "/items/"+sub, ""), http.StatusOK)
	driveID := field(mustStatus(t, d.do("GET", "", ""), http.StatusOK), "id")
	if got, want := field(r, "parentReference.path"), "/drives/"+driveID+"/root:/docs/2024 reports"; got != want {
		t.Fatalf("parentReference.path %q, want %q", got, want)
	}
	if !strings.HasSuffix(field(r, "webUrl"), "/Documents/docs/2024%20reports/Q1%20%231%20100%25") {
		t.Fatalf("webUrl %q", field(r, "webUrl"))
	}
	if names := d.names("/root:/docs:"); !slices.Equal(names, []string{"2024 reports"}) {
		t.Fatalf("children of docs: %v", names)
	}
	if c := field(mustStatus(t, d.do("GET", "/items/"+docs, ""), http.StatusOK), "folder.childCount"); c != "1" {
		t.Fatalf("childCount %s", c)
	}

	// Paths that lead nowhere.
	for _, p := range []string{"/root:/nope:", "/root:/docs/nope:/children", "/items/" + docs + ":/x/y:", "/items/nope", "/root:/docs/2024%20reports/Q1%20%231%20100%25/deeper:"} {
		wantDriveError(t, d.do("GET", p, ""), http.StatusNotFound, "itemNotFound")
	}
	mustStatus(t, d.put("/root:/file.txt:/content", "f"), http.StatusCreated)
	wantDriveError(t, d.do("GET", "/root:/file.txt/inside.txt:", ""), http.StatusNotFound, "itemNotFound")
	wantDriveError(t, d.do("POST", "/root:/file.txt:/children", `{"name":"x","folder":{}}`), http.StatusBadRequest, "invalidRequest")
	wantDriveError(t, d.put("/root:/file.txt/inside.txt:/content", "x"), http.StatusConflict, "nameAlreadyExists")
	if names := d.names("/root"); !slices.Equal(names, []string{"docs", "file.txt"}) {
		t.Fatalf("root after refused writes: %v", names)
	}
}

func TestDriveNamesAndConflicts(t *testing.T) {
	t.Parallel()
	d := newDriveTest(t)
	d.folder("/root", "docs")
	mustStatus(t, d.put("/root:/a.txt:/content", "a"), http.StatusCreated)

	for _, name := range []string{"a:b", "a*b", "a?b", `a"b`, "a<b", "a>b", "a|b", `a\b`, " lead", "trail ", "CON", "lpt1", ".lock",
		"desktop.ini", "~$draft.docx", "x_vti_y", strings.Repeat("n", 256), "", "tab\there"} {
		t.Run(name, func(t *testing.T) {
			wantDriveError(t, d.do("POST", "/root/children", `{"name":`+quote(name)+`,"folder":{}}`), http.StatusBadRequest, "invalidRequest")
		})
	}
	wantDriveError(t, d.do("PATCH", "/root:/a.txt:", `{"name":"b:c.txt"}`), http.StatusBadRequest, "invalidRequest")
	wantDriveError(t, d.do("POST", "/root/children", `{"folder":{}}`), http.StatusBadRequest, "invalidRequest")
	wantDriveError(t, d.do("POST", "/root/children", `{"name":"x"}`), http.StatusBadRequest, "invalidRequest")
	wantDriveError(t, d.do("POST", "/root/children", `{"name":"x","folder":{},"@microsoft.graph.conflictBehavior":"sometimes"}`), http.StatusBadRequest, "invalidRequest")

	// fail (the default), rename, replace.
	wantDriveError(t, d.do("POST", "/root/children", `{"name":"DOCS","folder":{}}`), http.StatusConflict, "nameAlreadyExists")
	wantDriveError(t, d.do("POST", "/root/children", `{"name":"docs","folder":{},"@microsoft.graph.conflictBehavior":"fail"}`), http.StatusConflict, "nameAlreadyExists")
	r := mustStatus(t, d.do("POST", "/root/children", `{"name":"docs","folder":{},"@microsoft.graph.conflictBehavior":"rename"}`), http.StatusCreated)
	if field(r, "name") != "docs 1" {
		t.Fatalf("renamed folder: %s", field(r, "name"))
	}
	r = mustStatus(t, d.do("POST", "/root/children?@microsoft.graph.conflictBehavior=rename", `{"name":"docs","folder":{}}`), http.StatusCreated)
	if field(r, "name") != "docs 2" {
		t.Fatalf("renamed folder (query option): %s", field(r, "name"))
	}
	r = mustStatus(t, d.do("POST", "/root/children", `{"name":"a.txt","file":{},"@microsoft.graph.conflictBehavior":"rename"}`), http.StatusCreated)
	if field(r, "name") != "a 1.txt" || field(r, "size") != "0" {
		t.Fatalf("renamed file: %s", r)
	}
	docs := field(d.do("GET", "/root:/docs:", ""), "id")
	mustStatus(t, d.put("/root:/docs/kept.txt:/content", "kept"), http.StatusCreated)
	// A folder replacing a folder keeps it, as Graph does.
	r = mustStatus(t, d.do("POST", "/root/children", `{"name":"docs","folder":{},"@microsoft.graph.conflictBehavior":"replace"}`), http.StatusOK)
	if field(r, "id") != docs || !slices.Equal(d.names("/root:/docs:"), []string{"kept.txt"}) {
		t.Fatalf("replaced folder: %s", r)
	}
	// A folder replacing a file replaces it.
	r = mustStatus(t, d.do("POST", "/root/children", `{"name":"a.txt","folder":{},"@microsoft.graph.conflictBehavior":"replace"}`), http.StatusCreated)
	if !gjson.GetBytes(r.Body, "folder").IsObject() {
		t.Fatalf("replacing folder: %s", r)
	}
	if names := d.names("/root"); !slices.Equal(names, []string{"docs", "docs 1", "docs 2", "a 1.txt", "a.txt"}) {
		t.Fatalf("root: %v", names)
	}
}

func TestDriveRenameAndMove(t *testing.T) {
	t.Parallel()
	d := newDriveTest(t)
	a := d.folder("/root", "a")
	b := d.folder("/root", "b")
	inner := d.folder("/items/"+a, "inner")
	f := field(mustStatus(t, d.put("/root:/a/inner/f.txt:/content", "12345"), http.StatusCreated), "id")
	driveID := field(d.do("GET", "", ""), "id")

	before := mustStatus(t, d.do("GET", "/items/"+f, ""), http.StatusOK)
	// Rename a folder: what is under it follows.
	r := mustStatus(t, d.do("PATCH", "/items/"+a, `{"name":"A renamed"}`), http.StatusOK)
	if field(r, "name") != "A renamed" {
		t.Fatalf("rename: %s", r)
	}
	after := mustStatus(t, d.do("GET", "/items/"+f, ""), http.StatusOK)
	if got := field(after, "parentReference.path"); got != "/drives/"+driveID+"/root:/A renamed/inner" {
		t.Fatalf("path after the rename: %q", got)
	}
	if field(after, "cTag") != field(before, "cTag") {
		t.Fatal("a rename above a file changed its cTag")
	}
	mustStatus(t, d.do("GET", "/root:/A%20renamed/inner/f.txt:", ""), http.StatusOK)

	// Move by id, then by path.
	r = mustStatus(t, d.do("PATCH", "/items/"+inner, `{"parentReference":{"id":"`+b+`"}}`), http.StatusOK)
	if field(r, "parentReference.id") != b {
		t.Fatalf("move: %s", r)
	}
	if sz := field(d.do("GET", "/items/"+b, ""), "size"); sz != "5" {
		t.Fatalf("size of the target folder %s", sz)
	}
	if sz, n := field(d.do("GET", "/items/"+a, ""), "size"), field(d.do("GET", "/items/"+a, ""), "folder.childCount"); sz != "0" || n != "0" {
		t.Fatalf("size %s, childCount %s of the folder left", sz, n)
	}
	mustStatus(t, d.do("PATCH", "/root:/b/inner/f.txt:", `{"parentReference":{"path":"/drive/root:"},"name":"moved.txt"}`), http.StatusOK)
	mustStatus(t, d.do("GET", "/root:/moved.txt:", ""), http.StatusOK)

	// Refused, with nothing changed.
	mustStatus(t, d.put("/root:/b/other.txt:/content", "o"), http.StatusCreated)
	wantDriveError(t, d.do("PATCH", "/root:/moved.txt:", `{"name":"OTHER.txt","parentReference":{"id":"`+b+`"}}`), http.StatusConflict, "nameAlreadyExists")
	wantDriveError(t, d.do("PATCH", "/items/"+b, `{"parentReference":{"id":"`+inner+`"}}`), http.StatusBadRequest, "invalidRequest")
	wantDriveError(t, d.do("PATCH", "/items/"+b, `{"parentReference":{"id":"nope"}}`), http.StatusNotFound, "itemNotFound")
	wantDriveError(t, d.do("PATCH", "/items/"+b, `{"parentReference":{"id":"`+f+`"}}`), http.StatusBadRequest, "invalidRequest")
	wantDriveError(t, d.do("PATCH", "/items/"+b, `{"parentReference":{"driveId":"b!other","id":"`+a+`"}}`), http.StatusBadRequest, "invalidRequest")
	wantDriveError(t, d.do("PATCH", "/root", `{"name":"top"}`), http.StatusForbidden, "notAllowed")
	if names := d.names("/items/" + b); !slices.Equal(names, []string{"inner", "other.txt"}) {
		t.Fatalf("b after refused moves: %v", names)
	}
	mustStatus(t, d.do("GET", "/root:/moved.txt:", ""), http.StatusOK)

	// A conflict resolved by replacing.
	r = mustStatus(t, d.do("PATCH", "/root:/moved.txt:?@microsoft.graph.conflictBehavior=replace", `{"name":"other.txt","parentReference":{"id":"`+b+`"}}`), http.StatusOK)
	if names := d.names("/items/" + b); !slices.Equal(names, []string{"inner", "other.txt"}) || field(r, "id") != f {
		t.Fatalf("b after the replacing move: %v %s", names, r)
	}
	if got := readAll(t, d, "/items/"+f+"/content"); got != "12345" {
		t.Fatalf("content after the move: %q", got)
	}
}

func TestDriveDeleteIsRecursive(t *testing.T) {
	t.Parallel()
	d := newDriveTest(t)
	top := d.folder("/root", "top")
	mustStatus(t, d.put("/root:/top/a/b/deep.txt:/content", "deep content"), http.StatusCreated)
	deep := field(d.do("GET", "/root:/top/a/b/deep.txt:", ""), "id")
	mustStatus(t, d.put("/root:/keep.txt:/content", "keep"), http.StatusCreated)
	if used := field(d.do("GET", "", ""), "quota.used"); used != "16" {
		t.Fatalf("used %s before the delete", used)
	}
	mustStatus(t, d.do("DELETE", "/items/"+top, ""), http.StatusNoContent)
	for _, p := range []string{"/items/" + top, "/items/" + deep, "/root:/top/a:"} {
		wantDriveError(t, d.do("GET", p, ""), http.StatusNotFound, "itemNotFound")
	}
	root := mustStatus(t, d.do("GET", "/root", ""), http.StatusOK)
	if field(root, "folder.childCount") != "1" || field(root, "size") != "4" {
		t.Fatalf("root after the delete: %s", root)
	}
	if used := field(d.do("GET", "", ""), "quota.used"); used != "4" {
		t.Fatalf("used %s after the delete", used)
	}
	if n := d.srv.Emulator.Store().(interface{ ContentUsage(string) int64 }).ContentUsage("default"); n != 4 {
		t.Fatalf("content left: %d bytes", n)
	}
	mustStatus(t, d.do("DELETE", "/root:/keep.txt:", ""), http.StatusNoContent)
	wantDriveError(t, d.do("DELETE", "/root:/keep.txt:", ""), http.StatusNotFound, "itemNotFound")
	// Through the folder's children too.
	gone := field(mustStatus(t, d.put("/root:/gone.txt:/content", "g"), http.StatusCreated), "id")
	mustStatus(t, d.do("DELETE", "/root/children/"+gone, ""), http.StatusNoContent)
	wantDriveError(t, d.do("GET", "/items/"+gone, ""), http.StatusNotFound, "itemNotFound")
	wantDriveError(t, d.do("DELETE", "/items/root", ""), http.StatusForbidden, "notAllowed")
}

func TestDriveChildrenQueries(t *testing.T) {
	t.Parallel()
	d := newDriveTest(t, emulator.WithPageSize(2))
	for _, n := range []string{"c.txt", "a.txt", "e.txt", "b.txt", "d.txt"} {
		mustStatus(t, d.put("/root:/"+n+":/content", n), http.StatusCreated)
	}
	var got []string
	next := d.base + "/root/children?$orderby=name%20desc&$select=name,size"
	for next != "" {
		r := mustStatus(t, d.srv.Do("GET", next, ""), http.StatusOK)
		for _, v := range gjson.GetBytes(r.Body, "value").Array() {
			got = append(got, v.Get("name").String())
		}
		next = field(r, `@odata\.nextLink`)
	}
	if !slices.Equal(got, []string{"e.txt", "d.txt", "c.txt", "b.txt", "a.txt"}) {
		t.Fatalf("pages: %v", got)
	}
	r := mustStatus(t, d.do("GET", "/root/children?$top=3&$orderby=name", ""), http.StatusOK)
	if n := gjson.GetBytes(r.Body, "value.#").Int(); n != 3 || field(r, "value.0.name") != "a.txt" || field(r, `@odata\.nextLink`) == "" {
		t.Fatalf("$top=3: %s", r)
	}
	r = mustStatus(t, d.do("GET", "/root/children?$filter=name%20eq%20'd.txt'", ""), http.StatusOK)
	if n := gjson.GetBytes(r.Body, "value.#").Int(); n != 1 {
		t.Fatalf("$filter: %s", r)
	}
	r = mustStatus(t, d.do("GET", "/root?$expand=children($select=name)", ""), http.StatusOK)
	if n := gjson.GetBytes(r.Body, "children.#").Int(); n != 5 {
		t.Fatalf("$expand=children: %s", r)
	}
	if c := string(mustStatus(t, d.do("GET", "/root/children/$count", ""), http.StatusOK).Body); c != "5" {
		t.Fatalf("$count %s", c)
	}
}

func TestDriveItemTagsAndPreconditions(t *testing.T) {
	t.Parallel()
	d := newDriveTest(t)
	v1 := mustStatus(t, d.put("/root:/t.txt:/content", "one"), http.StatusCreated)
	id := field(v1, "id")
	if e := field(v1, "eTag"); !strings.HasPrefix(e, `"{`) || !strings.HasSuffix(e, `},1"`) || field(v1, `@odata\.etag`) != e || v1.Header.Get("ETag") != e {
		t.Fatalf("eTag %q, @odata.etag %q, ETag %q", e, field(v1, `@odata\.etag`), v1.Header.Get("ETag"))
	}
	// Metadata changes the eTag, not the cTag; content changes both.
	v2 := mustStatus(t, d.do("PATCH", "/items/"+id, `{"description":"about t"}`), http.StatusOK)
	if field(v2, "eTag") == field(v1, "eTag") || field(v2, "cTag") != field(v1, "cTag") || field(v2, "description") != "about t" {
		t.Fatalf("after a metadata change: %s", v2)
	}
	v3 := mustStatus(t, d.put("/items/"+id+"/content", "two"), http.StatusOK)
	if field(v3, "eTag") == field(v2, "eTag") || field(v3, "cTag") == field(v2, "cTag") {
		t.Fatalf("after a content change: %s", v3)
	}
	// If-Match takes the eTag or the cTag.
	wantDriveError(t, d.do("PATCH", "/items/"+id, `{"name":"u.txt"}`, "If-Match", field(v1, "eTag")), http.StatusPreconditionFailed, "resourceModified")
	mustStatus(t, d.do("PATCH", "/items/"+id, `{"description":"x"}`, "If-Match", field(v3, "cTag")), http.StatusOK)
	r := d.do("GET", "/items/"+id, "", "If-None-Match", field(mustStatus(t, d.do("GET", "/items/"+id, ""), http.StatusOK), "eTag"))
	mustStatus(t, r, http.StatusNotModified)
	wantDriveError(t, d.put("/items/"+id+"/content", "three", "If-Match", field(v1, "eTag")), http.StatusPreconditionFailed, "resourceModified")
	if got := readAll(t, d, "/items/"+id+"/content"); got != "two" {
		t.Fatalf("content after a refused upload: %q", got)
	}
}

func TestDriveCopyAndSearch(t *testing.T) {
	t.Parallel()
	d := newDriveTest(t)
	mustStatus(t, d.put("/root:/src/plan.txt:/content", "the plan"), http.StatusCreated)
	mustStatus(t, d.put("/root:/src/sub/notes.md:/content", "notes"), http.StatusCreated)
	dst := d.folder("/root", "dst")
	src := field(d.do("GET", "/root:/src:", ""), "id")

	r := mustStatus(t, d.do("POST", "/items/"+src+"/copy", `{"parentReference":{"id":"`+dst+`"},"name":"src copy"}`), http.StatusAccepted)
	mon := r.Header.Get("Location")
	if !strings.Contains(mon, "/_emulator/monitor/") || len(r.Body) != 0 {
		t.Fatalf("copy: %s %v", r, r.Header)
	}
	st := mustStatus(t, d.srv.Do("GET", mon, ""), http.StatusOK)
	if field(st, "status") != "completed" || field(st, "percentageComplete") != "100" {
		t.Fatalf("monitor: %s", st)
	}
	copied := mustStatus(t, d.srv.Do("GET", field(st, "resourceLocation"), ""), http.StatusOK)
	if field(copied, "id") != field(st, "resourceId") || field(copied, "name") != "src copy" || field(copied, "size") != "13" {
		t.Fatalf("copy: %s", copied)
	}
	if got := readAll(t, d, "/root:/dst/src%20copy/sub/notes.md:/content"); got != "notes" {
		t.Fatalf("copied content %q", got)
	}
	// The copy is the copy's: deleting the source keeps it.
	mustStatus(t, d.do("DELETE", "/items/"+src, ""), http.StatusNoContent)
	if got := readAll(t, d, "/root:/dst/src%20copy/plan.txt:/content"); got != "the plan" {
		t.Fatalf("copied content after the source's delete %q", got)
	}
	plan := field(d.do("GET", "/root:/dst/src%20copy/plan.txt:", ""), "id")
	wantDriveError(t, d.do("POST", "/items/"+plan+"/copy", `{}`), http.StatusConflict, "nameAlreadyExists")
	mustStatus(t, d.do("POST", "/items/"+plan+"/copy?@microsoft.graph.conflictBehavior=rename", `{}`), http.StatusAccepted)
	wantDriveError(t, d.do("POST", "/items/"+dst+"/copy", `{"parentReference":{"path":"/drive/root:/dst/src copy"}}`), http.StatusBadRequest, "invalidRequest")
	wantDriveError(t, d.do("POST", "/root/copy", `{"name":"x"}`), http.StatusBadRequest, "invalidRequest")

	s := mustStatus(t, d.do("GET", "/root/search(q='PLAN')", ""), http.StatusOK)
	var names []string
	for _, v := range gjson.GetBytes(s.Body, "value").Array() {
		names = append(names, v.Get("name").String())
	}
	slices.Sort(names)
	if !slices.Equal(names, []string{"plan 1.txt", "plan.txt"}) {
		t.Fatalf("search: %s", s)
	}
	s = mustStatus(t, d.do("GET", "/search(q='notes')", ""), http.StatusOK)
	if n := gjson.GetBytes(s.Body, "value.#").Int(); n != 1 || gjson.GetBytes(s.Body, "value.0.@microsoft\\.graph\\.downloadUrl").String() == "" {
		t.Fatalf("drive search: %s", s)
	}
}

func TestDriveDelta(t *testing.T) {
	t.Parallel()
	d := newDriveTest(t, emulator.WithPageSize(2))
	mustStatus(t, d.put("/root:/a/one.txt:/content", "1"), http.StatusCreated)
	mustStatus(t, d.put("/root:/two.txt:/content", "2"), http.StatusCreated)
	var seen []string
	link := d.base + "/root/delta"
	deltaLink := ""
	for link != "" {
		r := mustStatus(t, d.srv.Do("GET", link, ""), http.StatusOK)
		for _, v := range gjson.GetBytes(r.Body, "value").Array() {
			seen = append(seen, v.Get("name").String())
		}
		link, deltaLink = field(r, `@odata\.nextLink`), field(r, `@odata\.deltaLink`)
		if link != "" && !strings.Contains(link, "/root/delta?token=") {
			t.Fatalf("nextLink %q", link)
		}
	}
	slices.Sort(seen)
	if !slices.Equal(seen, []string{"a", "one.txt", "root", "two.txt"}) || !strings.Contains(deltaLink, "/root/delta?token=") {
		t.Fatalf("initial round: %v, deltaLink %q", seen, deltaLink)
	}
	one := field(d.do("GET", "/root:/a/one.txt:", ""), "id")
	mustStatus(t, d.do("DELETE", "/items/"+one, ""), http.StatusNoContent)
	mustStatus(t, d.put("/root:/three.txt:/content", "3"), http.StatusCreated)
	r := mustStatus(t, d.srv.Do("GET", deltaLink+"", ""), http.StatusOK)
	var deleted, changed []string
	for link = deltaLink; link != ""; {
		r = mustStatus(t, d.srv.Do("GET", link, ""), http.StatusOK)
		for _, v := range gjson.GetBytes(r.Body, "value").Array() {
			if v.Get("deleted").IsObject() {
				deleted = append(deleted, v.Get("id").String())
			} else {
				changed = append(changed, v.Get("name").String())
			}
		}
		link = field(r, `@odata\.nextLink`)
	}
	slices.Sort(changed)
	if !slices.Equal(deleted, []string{one}) || !slices.Contains(changed, "three.txt") || slices.Contains(changed, "two.txt") {
		t.Fatalf("changes: deleted %v, changed %v", deleted, changed)
	}
	latest := mustStatus(t, d.do("GET", "/root/delta?token=latest", ""), http.StatusOK)
	if gjson.GetBytes(latest.Body, "value.#").Int() != 0 || field(latest, `@odata\.deltaLink`) == "" {
		t.Fatalf("token=latest: %s", latest)
	}
	tok := field(latest, `@odata\.deltaLink`)[strings.Index(field(latest, `@odata\.deltaLink`), "token=")+len("token="):]
	r = mustStatus(t, d.do("GET", "/root/delta(token='"+tok+"')", ""), http.StatusOK)
	if gjson.GetBytes(r.Body, "value.#").Int() != 0 {
		t.Fatalf("delta(token=…) right after latest: %s", r)
	}
	wantDriveError(t, d.do("GET", "/root/delta?token=garbage", ""), http.StatusBadRequest, "BadRequest")
	a := field(d.do("GET", "/root:/a:", ""), "id")
	wantDriveError(t, d.do("GET", "/items/"+a+"/delta", ""), http.StatusBadRequest, "invalidRequest")
}

// idSeq is a key generator for tests that want stable ids.
func idSeq() func() string {
	var n atomic.Int64
	return func() string { return fmt.Sprintf("00000000-0000-4000-8000-%012d", n.Add(1)) }
}

func TestDriveIDsFollowTheKeyGenerator(t *testing.T) {
	t.Parallel()
	ids := func() []string {
		d := newDriveTest(t, emulator.WithIDGenerator(idSeq()))
		var out []string
		out = append(out, field(d.do("GET", "", ""), "id"), field(d.do("GET", "/root", ""), "id"))
		out = append(out, d.folder("/root", "x"), field(d.put("/root:/x/y.txt:/content", "y"), "id"))
		return out
	}
	if a, b := ids(), ids(); !slices.Equal(a, b) {
		t.Fatalf("ids differ between two servers with the same generator: %v %v", a, b)
	}
}

// A drive's items go out with an export and come back with an import (their content
// stays in the store's content: fixtures carry no bytes); a reset removes the content.
func TestDriveFixtures(t *testing.T) {
	t.Parallel()
	d := newDriveTest(t)
	mustStatus(t, d.put("/root:/a/b.txt:/content", "bbb"), http.StatusCreated)
	exported := mustStatus(t, d.srv.Do("GET", "/_emulator/data", ""), http.StatusOK)
	if !strings.Contains(string(exported.Body), `children@odata.bind`) || !strings.Contains(string(exported.Body), `/items('`) {
		t.Fatalf("export: %s", exported.Body)
	}
	mustStatus(t, d.srv.Do("PUT", "/_emulator/data", string(exported.Body)), http.StatusOK)
	if names := d.names("/root:/a:"); !slices.Equal(names, []string{"b.txt"}) {
		t.Fatalf("after the import: %v", names)
	}
	if got := readAll(t, d, "/root:/a/b.txt:/content"); got != "bbb" {
		t.Fatalf("content after the import: %q", got)
	}
	again := mustStatus(t, d.srv.Do("GET", "/_emulator/data", ""), http.StatusOK)
	if string(again.Body) != string(exported.Body) {
		t.Fatalf("the export changed:\n%s\n%s", exported.Body, again.Body)
	}
	mustStatus(t, d.srv.Do("POST", "/_emulator/reset", ""), http.StatusNoContent)
	if n := d.srv.Emulator.Store().(interface{ ContentUsage(string) int64 }).ContentUsage("default"); n != 0 {
		t.Fatalf("content after a reset: %d bytes", n)
	}
}
