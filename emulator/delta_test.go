package emulator_test

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/tidwall/gjson"

	"github.com/graph-emulator/graph-emulator/emulator"
	"github.com/graph-emulator/graph-emulator/emulator/emulatortest"
	"github.com/graph-emulator/graph-emulator/emulator/store"
)

// userBody is a user Graph accepts.
func userBody(name string) string {
	return fmt.Sprintf(`{"accountEnabled":true,"displayName":%q,"mailNickname":%q,"userPrincipalName":"%s@contoso.test","passwordProfile":{"password":"x-Y-z-123"}}`,
		name, name, name)
}

func createUser(t testing.TB, srv *emulatortest.Server, name string) string {
	t.Helper()
	r := srv.Do("POST", "/v1.0/users", userBody(name))
	if r.Status != 201 {
		t.Fatalf("create user: %s", r)
	}
	return gjson.GetBytes(r.Body, "id").String()
}

// deltaRound follows @odata.nextLink from url to the page with @odata.deltaLink and
// returns the items of every page, and that deltaLink.
func deltaRound(t testing.TB, srv *emulatortest.Server, url string, headers ...string) (items []gjson.Result, deltaLink string, pages int) {
	t.Helper()
	for pages = 1; pages < 10000; pages++ {
		r := srv.Do("GET", url, "", headers...)
		if r.Status != 200 {
			t.Fatalf("GET %s: %s", url, r)
		}
		items = append(items, gjson.GetBytes(r.Body, "value").Array()...)
		next := gjson.GetBytes(r.Body, `@odata\.nextLink`).String()
		dl := gjson.GetBytes(r.Body, `@odata\.deltaLink`).String()
		switch {
		case next != "" && dl != "":
			t.Fatalf("page has both links: %s", r.Body)
		case dl != "":
			return items, dl, pages
		case next == "":
			t.Fatalf("page has neither link: %s", r.Body)
		}
		url = next
	}
	t.Fatal("no deltaLink after 10000 pages")
	return nil, "", 0
}

// patchOK sends a PATCH that must succeed (200 or 204, as the set's profile says).
func patchOK(t testing.TB, srv *emulatortest.Server, path, body string) {
	t.Helper()
	if r := srv.Do("PATCH", path, body); r.Status != 200 && r.Status != 204 {
		t.Fatalf("PATCH %s: %s", path, r)
	}
}

func idCounts(items []gjson.Result) map[string]int {
	m := map[string]int{}
	for _, it := range items {
		m[it.Get("id").String()]++
	}
	return m
}

func byID(items []gjson.Result, id string) gjson.Result {
	for _, it := range items {
		if it.Get("id").String() == id {
			return it
		}
	}
	return gjson.Result{}
}

func TestDeltaRound(t *testing.T) {
	t.Parallel()
	srv := emulatortest.New(t, emulator.WithPageSize(2))
	var users []string
	for i := range 5 {
		users = append(users, createUser(t, srv, fmt.Sprintf("u%d", i)))
	}
	first := mustStatus(t, srv.Do("GET", "/v1.0/users/delta", ""), 200)
	if got, want := field(first, `@odata\.context`), srv.URL+"/v1.0/$metadata#users"; got != want {
		t.Errorf("context %q, want %q", got, want)
	}
	next := field(first, `@odata\.nextLink`)
	if !strings.HasPrefix(next, srv.URL+"/v1.0/users/delta?$skiptoken=") {
		t.Errorf("nextLink %q", next)
	}
	items, dl, pages := deltaRound(t, srv, "/v1.0/users/delta")
	if pages != 3 || len(items) != 5 {
		t.Fatalf("initial round: %d pages, %d items", pages, len(items))
	}
	for _, id := range users {
		if idCounts(items)[id] != 1 {
			t.Errorf("user %s listed %d times", id, idCounts(items)[id])
		}
	}
	if !strings.HasPrefix(dl, srv.URL+"/v1.0/users/delta?$deltatoken=") {
		t.Errorf("deltaLink %q", dl)
	}
	if got := byID(items, users[0]).Get("userPrincipalName").String(); got != "u0@contoso.test" {
		t.Errorf("initial item: %s", byID(items, users[0]).Raw)
	}

	// Nothing changed: an empty page and a deltaLink.
	same, dl2, _ := deltaRound(t, srv, dl)
	if len(same) != 0 || dl2 == "" {
		t.Fatalf("no changes: %d items", len(same))
	}

	added := createUser(t, srv, "new")
	patchOK(t, srv, "/v1.0/users/"+users[1], `{"jobTitle":"Boss"}`)
	mustStatus(t, srv.Do("DELETE", "/v1.0/users/"+users[2], ""), 204)
	changed, dl3, pages := deltaRound(t, srv, dl)
	if len(changed) != 3 || pages != 2 {
		t.Fatalf("changes: %d items in %d pages: %v", len(changed), pages, changed)
	}
	if it := byID(changed, added); it.Get("userPrincipalName").String() != "new@contoso.test" {
		t.Errorf("created user: %s", it.Raw)
	}
	// A directory object's update: its key and the changed properties.
	if it := byID(changed, users[1]); it.Raw != `{"id":"`+users[1]+`","jobTitle":"Boss"}` {
		t.Errorf("updated user: %s", it.Raw)
	}
	if it := byID(changed, users[2]); it.Raw != `{"id":"`+users[2]+`","@removed":{"reason":"deleted"}}` {
		t.Errorf("deleted user: %s", it.Raw)
	}
	// The same deltaLink again gives the same changes; the new one none.
	again, _, _ := deltaRound(t, srv, dl)
	if len(again) != 3 {
		t.Errorf("replayed deltaLink: %d items", len(again))
	}
	if after, _, _ := deltaRound(t, srv, dl3); len(after) != 0 {
		t.Errorf("after the last deltaLink: %v", after)
	}
	// The qualified name.
	if items, _, _ := deltaRound(t, srv, "/v1.0/users/microsoft.graph.delta"); len(items) != 5 {
		t.Errorf("qualified delta: %d items", len(items))
	}
}

func TestDeltaCreatedThenDeletedIsNotListed(t *testing.T) {
	t.Parallel()
	srv := emulatortest.New(t)
	_, dl, _ := deltaRound(t, srv, "/v1.0/users/delta")
	id := createUser(t, srv, "brief")
	mustStatus(t, srv.Do("DELETE", "/v1.0/users/"+id, ""), 204)
	if items, _, _ := deltaRound(t, srv, dl); len(items) != 0 {
		t.Errorf("created and deleted since the token: %v", items)
	}
}

func TestDeltaSelect(t *testing.T) {
	t.Parallel()
	srv := emulatortest.New(t, emulator.WithPageSize(1))
	a := createUser(t, srv, "a")
	b := createUser(t, srv, "b")
	r := mustStatus(t, srv.Do("GET", "/v1.0/users/delta?$select=displayName,jobTitle", ""), 200)
	next := field(r, `@odata\.nextLink`)
	if strings.Contains(next, "select") {
		t.Errorf("the nextLink repeats $select: %s", next)
	}
	items, dl, _ := deltaRound(t, srv, "/v1.0/users/delta?$select=displayName,jobTitle")
	for _, it := range items {
		keys := []string{}
		it.ForEach(func(k, _ gjson.Result) bool { keys = append(keys, k.String()); return true })
		if strings.Join(keys, ",") != "id,displayName,jobTitle" && strings.Join(keys, ",") != "displayName,jobTitle,id" {
			t.Errorf("selected item %s", it.Raw)
		}
	}
	// A change to a property not selected is not tracked; one to a selected one is.
	patchOK(t, srv, "/v1.0/users/"+a, `{"officeLocation":"x"}`)
	patchOK(t, srv, "/v1.0/users/"+b, `{"jobTitle":"y","officeLocation":"z"}`)
	changed, _, _ := deltaRound(t, srv, dl)
	if len(changed) != 1 || changed[0].Raw != `{"id":"`+b+`","jobTitle":"y"}` {
		t.Errorf("selected changes: %v", changed)
	}
	// A token's request carries no options of its own.
	r = mustStatus(t, srv.Do("GET", dl+"&$select=surname", ""), 400)
	if field(r, "error.code") != "BadRequest" {
		t.Errorf("token with $select: %s", r)
	}
}

func TestDeltaLatest(t *testing.T) {
	t.Parallel()
	srv := emulatortest.New(t)
	createUser(t, srv, "old")
	for _, q := range []string{"$deltatoken=latest", "$deltaToken=latest", "deltatoken=latest"} {
		r := mustStatus(t, srv.Do("GET", "/v1.0/users/delta?"+q, ""), 200)
		if n := gjson.GetBytes(r.Body, "value.#").Int(); n != 0 || field(r, `@odata\.deltaLink`) == "" || field(r, `@odata\.nextLink`) != "" {
			t.Errorf("%s: %s", q, r.Body)
		}
	}
	r := mustStatus(t, srv.Do("GET", "/v1.0/users/delta?$deltatoken=latest&$select=displayName", ""), 200)
	dl := field(r, `@odata\.deltaLink`)
	id := createUser(t, srv, "fresh")
	items, _, _ := deltaRound(t, srv, dl)
	if len(items) != 1 || items[0].Raw != `{"id":"`+id+`","displayName":"fresh"}` {
		t.Errorf("after latest: %v", items)
	}
}

func TestDeltaTokenErrors(t *testing.T) {
	t.Parallel()
	srv := emulatortest.New(t)
	createUser(t, srv, "x")
	_, dl, _ := deltaRound(t, srv, "/v1.0/users/delta")
	u, err := url.Parse(dl)
	if err != nil {
		t.Fatal(err)
	}
	tok := u.Query().Get("$deltatoken")
	_, groupsDL, _ := deltaRound(t, srv, "/v1.0/groups/delta")
	gtok := strings.SplitN(groupsDL, "$deltatoken=", 2)[1]
	cases := []struct{ name, path string }{
		{"another set", "/v1.0/groups/delta?$deltatoken=" + tok},
		{"another version", "/beta/users/delta?$deltatoken=" + tok},
		{"a cast", "/v1.0/directoryObjects/delta?$deltatoken=" + tok},
		{"groups token on users", "/v1.0/users/delta?$deltatoken=" + gtok},
		{"garbled", "/v1.0/users/delta?$deltatoken=" + tok[:len(tok)-3]},
		{"not base64", "/v1.0/users/delta?$deltatoken=%25%25"},
		{"deltatoken as skiptoken", "/v1.0/users/delta?$skiptoken=" + tok},
		{"list skiptoken", "/v1.0/users/delta?$skiptoken=YWJj"},
		{"both tokens", "/v1.0/users/delta?$skiptoken=" + tok + "&$deltatoken=" + tok},
	}
	for _, c := range cases {
		r := srv.Do("GET", c.path, "")
		if r.Status != 400 || field(r, "error.code") != "BadRequest" || field(r, "error.innerError.request-id") == "" {
			t.Errorf("%s: %s", c.name, r)
		}
	}
	// A delta token is not a list's $skiptoken either.
	mustStatus(t, srv.Do("GET", "/v1.0/users?$skiptoken="+tok, ""), 400)
	mustStatus(t, srv.Do("POST", "/v1.0/users/delta", "{}"), 405)
}

func TestDeltaTruncatedFeed(t *testing.T) {
	t.Parallel()
	srv := emulatortest.New(t, emulator.WithStore(store.NewMemory(4)))
	createUser(t, srv, "a")
	_, dl, _ := deltaRound(t, srv, "/v1.0/users/delta?$select=displayName")
	for i := range 6 {
		createUser(t, srv, fmt.Sprintf("b%d", i))
	}
	r := mustStatus(t, srv.Do("GET", dl, ""), 410)
	if field(r, "error.code") != "syncStateNotFound" {
		t.Errorf("expired token: %s", r)
	}
	if loc := r.Header.Get("Location"); loc != srv.URL+"/v1.0/users/delta?$select=displayName" {
		t.Errorf("Location %q", loc)
	}
	// A reset of the tenant ends every round too.
	_, dl, _ = deltaRound(t, srv, "/v1.0/users/delta")
	srv.Emulator.Reset()
	mustStatus(t, srv.Do("GET", dl, ""), 410)
}

func TestDeltaUnsupportedOptions(t *testing.T) {
	t.Parallel()
	srv := emulatortest.New(t)
	id := createUser(t, srv, "a")
	createUser(t, srv, "b")
	for _, q := range []string{"$top=5", "$orderby=displayName", "$expand=manager", "$filter=displayName eq 'a'",
		"$filter=startswith(id,'a')", "$search=\"displayName:a\"", "$count=true", "$skip=1"} {
		r := srv.Do("GET", "/v1.0/users/delta?"+url.PathEscape(q), "", "ConsistencyLevel", "eventual")
		if r.Status != 400 || !strings.HasPrefix(field(r, "error.code"), "Request_") && field(r, "error.code") != "BadRequest" {
			t.Errorf("%s: %s", q, r)
		}
	}
	// $filter on the id alone is supported, with eq, or and in.
	for _, q := range []string{"$filter=id eq '" + id + "'", "$filter=id eq '" + id + "' or id eq 'nobody'", "$filter=id in ('" + id + "')"} {
		r := mustStatus(t, srv.Do("GET", "/v1.0/users/delta?"+url.PathEscape(q), ""), 200)
		if got := gjson.GetBytes(r.Body, "value.#.id").String(); got != `["`+id+`"]` {
			t.Errorf("%s: %s", q, r.Body)
		}
	}
}

func TestDeltaDirectoryObjects(t *testing.T) {
	t.Parallel()
	srv := emulatortest.New(t)
	u := createUser(t, srv, "a")
	_, dl, _ := deltaRound(t, srv, "/v1.0/directoryObjects/delta")
	g := field(mustStatus(t, srv.Do("POST", "/v1.0/groups", `{"displayName":"G","mailEnabled":false,"mailNickname":"g","securityEnabled":true}`), 201), "id")
	patchOK(t, srv, "/v1.0/users/"+u, `{"displayName":"A"}`)
	items, _, _ := deltaRound(t, srv, dl)
	if len(items) != 2 {
		t.Fatalf("directoryObjects changes: %v", items)
	}
	if it := byID(items, g); it.Get(`@odata\.type`).String() != "#microsoft.graph.group" || it.Get("displayName").String() != "G" {
		t.Errorf("created group: %s", it.Raw)
	}
	if it := byID(items, u); it.Raw != `{"@odata.type":"#microsoft.graph.user","id":"`+u+`","displayName":"A"}` {
		t.Errorf("updated user: %s", it.Raw)
	}
}

func TestDeltaContainment(t *testing.T) {
	t.Parallel()
	srv := emulatortest.New(t, emulator.WithPageSize(2))
	u := createUser(t, srv, "mail")
	f := field(mustStatus(t, srv.Do("POST", "/v1.0/users/"+u+"/mailFolders", `{"displayName":"Projects"}`), 201), "id")
	msgs := "/v1.0/users/" + u + "/mailFolders/" + f + "/messages"
	var ms []string
	for i := range 3 {
		ms = append(ms, field(mustStatus(t, srv.Do("POST", msgs, fmt.Sprintf(`{"subject":"s%d"}`, i)), 201), "id"))
	}
	r := mustStatus(t, srv.Do("GET", msgs+"/delta", ""), 200)
	if got, want := field(r, `@odata\.context`), srv.URL+"/v1.0/$metadata#Collection(message)"; got != want {
		t.Errorf("context %q, want %q", got, want)
	}
	items, dl, _ := deltaRound(t, srv, msgs+"/delta?$select=subject")
	if len(items) != 3 || byID(items, ms[0]).Get("subject").String() != "s0" {
		t.Fatalf("messages: %v", items)
	}
	// Another folder's messages are another collection.
	other := field(mustStatus(t, srv.Do("POST", "/v1.0/users/"+u+"/mailFolders", `{"displayName":"Other"}`), 201), "id")
	mustStatus(t, srv.Do("POST", "/v1.0/users/"+u+"/mailFolders/"+other+"/messages", `{"subject":"elsewhere"}`), 201)
	patchOK(t, srv, msgs+"/"+ms[1], `{"subject":"changed"}`)
	mustStatus(t, srv.Do("DELETE", msgs+"/"+ms[2], ""), 204)
	changed, _, _ := deltaRound(t, srv, dl)
	if len(changed) != 2 {
		t.Fatalf("message changes: %v", changed)
	}
	// Messages are not directory objects: an update comes with the selected properties.
	if it := byID(changed, ms[1]); it.Get("subject").String() != "changed" {
		t.Errorf("updated message: %s", it.Raw)
	}
	if it := byID(changed, ms[2]); it.Get(`@removed.reason`).String() != "deleted" {
		t.Errorf("deleted message: %s", it.Raw)
	}
	// A folder's token does not read another folder.
	tok := strings.SplitN(dl, "$deltatoken=", 2)[1]
	mustStatus(t, srv.Do("GET", "/v1.0/users/"+u+"/mailFolders/"+other+"/messages/delta?$deltatoken="+tok, ""), 400)
	// $orderby is refused on messages too: delta pages keep creation order.
	mustStatus(t, srv.Do("GET", msgs+"/delta?$orderby=subject", ""), 400)
	// Prefer: odata.maxpagesize pages them too, and is said to be applied.
	r = mustStatus(t, srv.Do("GET", msgs+"/delta", "", "Prefer", "odata.maxpagesize=1"), 200)
	if n := gjson.GetBytes(r.Body, "value.#").Int(); n != 1 || r.Header.Get("Preference-Applied") != "odata.maxpagesize=1" {
		t.Errorf("maxpagesize=1: %d items, Preference-Applied %q", n, r.Header.Get("Preference-Applied"))
	}
	// $top pages messages.
	if _, _, pages := deltaRound(t, srv, msgs+"/delta?$top=1"); pages != 2 {
		t.Errorf("$top=1 over 2 messages: %d pages", pages)
	}
}

func TestDeltaPreferMinimal(t *testing.T) {
	t.Parallel()
	srv := emulatortest.New(t)
	u := createUser(t, srv, "mail")
	f := field(mustStatus(t, srv.Do("POST", "/v1.0/users/"+u+"/mailFolders", `{"displayName":"Projects"}`), 201), "id")
	msgs := "/v1.0/users/" + u + "/mailFolders/" + f + "/messages"
	m := field(mustStatus(t, srv.Do("POST", msgs, `{"subject":"s","importance":"low"}`), 201), "id")
	_, dl, _ := deltaRound(t, srv, msgs+"/delta")
	patchOK(t, srv, msgs+"/"+m, `{"subject":"t"}`)
	items, _, _ := deltaRound(t, srv, dl, "Prefer", "return=minimal")
	if len(items) != 1 || items[0].Raw != `{"id":"`+m+`","subject":"t"}` {
		t.Errorf("minimal: %v", items)
	}
	full, _, _ := deltaRound(t, srv, dl)
	if len(full) != 1 || full[0].Get("importance").String() != "low" {
		t.Errorf("default: %v", full)
	}
}

func TestDeltaBodiesAreJSON(t *testing.T) {
	t.Parallel()
	srv := emulatortest.New(t)
	createUser(t, srv, "a")
	for _, p := range []string{"/v1.0/users/delta", "/v1.0/users/delta()", "/v1.0/groups/delta", "/v1.0/applications/delta"} {
		r := mustStatus(t, srv.Do("GET", p, ""), 200)
		if !json.Valid(r.Body) {
			t.Errorf("%s: %s", p, r.Body)
		}
	}
}

func TestDeltaCast(t *testing.T) {
	t.Parallel()
	srv := emulatortest.New(t)
	u := createUser(t, srv, "a")
	g := field(mustStatus(t, srv.Do("POST", "/v1.0/groups", `{"displayName":"G","mailEnabled":false,"mailNickname":"g","securityEnabled":true}`), 201), "id")
	items, dl, _ := deltaRound(t, srv, "/v1.0/directoryObjects/microsoft.graph.user/delta")
	if len(items) != 1 || items[0].Get("id").String() != u {
		t.Fatalf("users among directoryObjects: %v", items)
	}
	mustStatus(t, srv.Do("DELETE", "/v1.0/groups/"+g, ""), 204)
	mustStatus(t, srv.Do("DELETE", "/v1.0/users/"+u, ""), 204)
	changed, _, _ := deltaRound(t, srv, dl)
	if len(changed) != 1 || changed[0].Raw != `{"@odata.type":"#microsoft.graph.user","id":"`+u+`","@removed":{"reason":"deleted"}}` {
		t.Errorf("removed users among directoryObjects: %v", changed)
	}
}

func TestDeltaThroughMe(t *testing.T) {
	t.Parallel()
	srv := emulatortest.New(t, emulator.WithSingletonKey("me", "u1"))
	mustStatus(t, srv.Do("POST", "/v1.0/users", `{"id":"u1","displayName":"Me","accountEnabled":true,"mailNickname":"me","userPrincipalName":"me@contoso.test","passwordProfile":{"password":"x-Y-z-123"}}`), 201)
	f := field(mustStatus(t, srv.Do("POST", "/v1.0/me/mailFolders", `{"displayName":"Projects"}`), 201), "id")
	items, dl, _ := deltaRound(t, srv, "/v1.0/me/mailFolders/"+f+"/messages/delta")
	if len(items) != 0 || !strings.HasPrefix(dl, srv.URL+"/v1.0/me/mailFolders/"+f+"/messages/delta?$deltatoken=") {
		t.Fatalf("empty folder: %v, deltaLink %q", items, dl)
	}
	m := field(mustStatus(t, srv.Do("POST", "/v1.0/users/u1/mailFolders/"+f+"/messages", `{"subject":"hi"}`), 201), "id")
	// The same folder through /users/u1: its token reads there too.
	tok := strings.SplitN(dl, "$deltatoken=", 2)[1]
	changed, _, _ := deltaRound(t, srv, "/v1.0/users/u1/mailFolders/"+f+"/messages/delta?$deltatoken="+tok)
	if len(changed) != 1 || changed[0].Get("id").String() != m {
		t.Errorf("new message: %v", changed)
	}
	// Mail folders themselves have a delta function: the mailbox's well-known folders
	// (stored by the first write) and the one created.
	if folders, _, _ := deltaRound(t, srv, "/v1.0/me/mailFolders/delta"); len(folders) != 9 {
		t.Errorf("mailFolders delta: %v", folders)
	}
}
