package emulator_test

import (
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tidwall/gjson"

	"github.com/graph-emulator/graph-emulator/emulator"
	"github.com/graph-emulator/graph-emulator/emulator/emulatortest"
	"github.com/graph-emulator/graph-emulator/emulator/store"
)

// Graph's per-type profiles (entities/graph/profiles.json) over HTTP: default property
// sets, write-only, select-only, required, read-only and unique properties, server-set
// values and the status of an update, each with Graph's answer.

// testClock is a clock a test moves.
type testClock struct{ now atomic.Int64 }

func newTestClock() *testClock {
	c := &testClock{}
	c.now.Store(goldenClock.UnixNano())
	return c
}

func (c *testClock) Now() time.Time          { return time.Unix(0, c.now.Load()).UTC() }
func (c *testClock) Advance(d time.Duration) { c.now.Add(int64(d)) }

// newProfileServer serves Graph's schemas with sequential ids and the clock.
func newProfileServer(t *testing.T, clock *testClock, opts ...emulator.Option) *emulatortest.Server {
	t.Helper()
	return emulatortest.New(t, append([]emulator.Option{emulator.WithIDGenerator(sequentialGUIDs()),
		emulator.WithRequestIDs(sequentialRequestIDs()), emulator.WithClock(clock.Now)}, opts...)...)
}

// The user's default property set, as Graph writes it (user.md, user-get.md).
const adaDefault = `"businessPhones":[],"displayName":"Ada Lovelace","givenName":null,"jobTitle":"Analyst","mail":null,` +
	`"mobilePhone":null,"officeLocation":null,"preferredLanguage":null,"surname":null,` +
	`"userPrincipalName":"adalovelace@contoso.test","id":"00000000-0000-4000-8000-000000000001"}`

func TestUserDefaultPropertySet(t *testing.T) {
	t.Parallel()
	srv := newProfileServer(t, newTestClock())
	created := mustStatus(t, srv.Do("POST", "/v1.0/users", userJSON("Ada Lovelace", `"jobTitle":"Analyst"`, `"city":"London"`)), 201)
	head := `{"@odata.context":"` + srv.URL + `/v1.0/$metadata#users/$entity","@odata.type":"#microsoft.graph.user",`
	if got := string(created.Body); got != head+adaDefault {
		t.Errorf("created\n got %s\nwant %s", got, head+adaDefault)
	}
	id := field(created, "id")
	for _, path := range []string{"/v1.0/users/" + id, "/beta/users/" + id, "/v1.0/users/adalovelace@contoso.test", "/v1.0/directoryObjects/" + id} {
		got := mustStatus(t, srv.Do("GET", path, ""), 200)
		if body := string(got.Body); !strings.HasSuffix(body, ","+adaDefault) {
			t.Errorf("GET %s: %s", path, body)
		}
	}
	list := mustStatus(t, srv.Do("GET", "/v1.0/users", ""), 200)
	if got := gjson.GetBytes(list.Body, "value.0").Raw; got != "{"+adaDefault {
		t.Errorf("listed: %s", got)
	}
	// Other properties come with $select: the stored ones, the server's createdDateTime,
	// and the password profile without its password.
	sel := mustStatus(t, srv.Do("GET", "/v1.0/users/"+id+"?$select=city,createdDateTime,passwordProfile,department", ""), 200)
	if field(sel, "city") != "London" || field(sel, "createdDateTime") != "2021-05-18T19:03:10Z" ||
		field(sel, "passwordProfile.password") != "" || !gjson.GetBytes(sel.Body, "passwordProfile.password").Exists() ||
		!gjson.GetBytes(sel.Body, "department").Exists() || field(sel, "department") != "" {
		t.Errorf("$select: %s", sel.Body)
	}
	// The password is in no answer.
	for _, r := range []*emulatortest.Response{created, sel, list,
		srv.Do("GET", "/v1.0/users/"+id+"?$select=passwordProfile", ""),
		srv.Do("GET", "/v1.0/users/"+id+"/passwordProfile", ""),
		srv.Do("GET", "/v1.0/users?$select=passwordProfile", ""),
		srv.Do("PATCH", "/v1.0/users/"+id, `{"passwordProfile":{"password":"An0ther-secret!"}}`, "Prefer", "return=representation")} {
		if strings.Contains(string(r.Body), "x-Y-z-123!aB") || strings.Contains(string(r.Body), "An0ther-secret!") {
			t.Errorf("a password is returned: %s", r.Body)
		}
	}
	// Members of a group are written with their own type's default set.
	g := field(mustStatus(t, srv.Do("POST", "/v1.0/groups", groupJSON("Readers")), 201), "id")
	mustStatus(t, srv.Do("POST", "/v1.0/groups/"+g+"/members/$ref", `{"@odata.id":"https://graph.microsoft.com/v1.0/directoryObjects/`+id+`"}`), 204)
	for _, path := range []string{"/v1.0/groups/" + g + "/members", "/v1.0/groups/" + g + "?$expand=members"} {
		r := mustStatus(t, srv.Do("GET", path, ""), 200)
		item := gjson.GetBytes(r.Body, "value.0").Raw
		if item == "" {
			item = gjson.GetBytes(r.Body, "members.0").Raw
		}
		if item != `{"@odata.type":"#microsoft.graph.user",`+adaDefault {
			t.Errorf("GET %s: member %s", path, item)
		}
	}
}

func TestDefaultPropertySets(t *testing.T) {
	t.Parallel()
	srv := newProfileServer(t, newTestClock())
	// A group: every structural property but the select-only ones, in schema order.
	g := mustStatus(t, srv.Do("POST", "/v1.0/groups", groupJSON("Readers", `"allowExternalSenders":true`)), 201)
	for _, name := range []string{"id", "deletedDateTime", "classification", "createdDateTime", "description", "groupTypes",
		"mail", "proxyAddresses", "securityIdentifier", "visibility", "onPremisesProvisioningErrors"} {
		if !gjson.GetBytes(g.Body, name).Exists() {
			t.Errorf("group lacks %s: %s", name, g.Body)
		}
	}
	if field(g, "groupTypes") != "[]" || field(g, "proxyAddresses") != "[]" || field(g, "description") != "" {
		t.Errorf("unset values: %s", g.Body)
	}
	for _, name := range []string{"allowExternalSenders", "unseenCount", "hideFromOutlookClients"} {
		if gjson.GetBytes(g.Body, name).Exists() {
			t.Errorf("group shows the select-only %s: %s", name, g.Body)
		}
	}
	keys := []string{}
	gjson.GetBytes(g.Body, "@this").ForEach(func(k, _ gjson.Result) bool { keys = append(keys, k.Str); return true })
	if len(keys) < 4 || keys[2] != "id" || keys[3] != "deletedDateTime" {
		t.Errorf("group members in order %v", keys)
	}
	sel := mustStatus(t, srv.Do("GET", "/v1.0/groups/"+field(g, "id")+"?$select=allowExternalSenders,unseenCount", ""), 200)
	if field(sel, "allowExternalSenders") != "true" || field(sel, "unseenCount") != "" || !gjson.GetBytes(sel.Body, "unseenCount").Exists() {
		t.Errorf("$select of select-only properties: %s", sel.Body)
	}
	// A message leaves out internetMessageHeaders and uniqueBody.
	u := field(mustStatus(t, srv.Do("POST", "/v1.0/users", userJSON("Ada")), 201), "id")
	m := mustStatus(t, srv.Do("POST", "/v1.0/users/"+u+"/messages", `{"subject":"Hi","internetMessageHeaders":[{"name":"x-a","value":"1"}]}`), 201)
	if gjson.GetBytes(m.Body, "internetMessageHeaders").Exists() || gjson.GetBytes(m.Body, "uniqueBody").Exists() ||
		field(m, "toRecipients") != "[]" || !gjson.GetBytes(m.Body, "from").Exists() {
		t.Errorf("message: %s", m.Body)
	}
	hdrs := mustStatus(t, srv.Do("GET", "/v1.0/users/"+u+"/messages/"+field(m, "id")+"?$select=internetMessageHeaders", ""), 200)
	if field(hdrs, "internetMessageHeaders.0.name") != "x-a" {
		t.Errorf("$select=internetMessageHeaders: %s", hdrs.Body)
	}
	// The seed's type has no default set of its own: all its properties, unset ones null.
	seed := mustStatus(t, srv.Do("POST", seedSetPath, `{"teamsActive":1}`), 201)
	if !gjson.GetBytes(seed.Body, "exchangeActive").Exists() || field(seed, "exchangeActive") != "" || field(seed, "teamsActive") != "1" {
		t.Errorf("seed entity: %s", seed.Body)
	}
}

func TestUpdateStatusPerType(t *testing.T) {
	t.Parallel()
	srv := newProfileServer(t, newTestClock())
	u := field(mustStatus(t, srv.Do("POST", "/v1.0/users", userJSON("Ada")), 201), "id")
	g := field(mustStatus(t, srv.Do("POST", "/v1.0/groups", groupJSON("G")), 201), "id")
	a := field(mustStatus(t, srv.Do("POST", "/v1.0/applications", `{"displayName":"App"}`), 201), "id")
	sp := field(mustStatus(t, srv.Do("POST", "/v1.0/servicePrincipals", `{"appId":"`+field(srv.Do("GET", "/v1.0/applications/"+a, ""), "appId")+`"}`), 201), "id")
	d := field(mustStatus(t, srv.Do("POST", "/v1.0/devices", `{"accountEnabled":true,"displayName":"D","operatingSystem":"linux","operatingSystemVersion":"1"}`), 201), "id")
	m := field(mustStatus(t, srv.Do("POST", "/v1.0/users/"+u+"/messages", `{"subject":"Hi"}`), 201), "id")
	c := field(mustStatus(t, srv.Do("POST", "/v1.0/users/"+u+"/contacts", `{"givenName":"Pavel"}`), 201), "id")
	seed := field(mustStatus(t, srv.Do("POST", seedSetPath, `{"teamsActive":1}`), 201), "id")
	cases := []struct {
		path, body string
		status     int
	}{
		{"/v1.0/users/" + u, `{"jobTitle":"Lead"}`, 204},
		{"/beta/users/" + u, `{"jobTitle":"Lead"}`, 204},
		{"/v1.0/directoryObjects/" + u, `{"@odata.type":"#microsoft.graph.user","jobTitle":"Lead"}`, 204},
		{"/v1.0/groups/" + g, `{"description":"d"}`, 204},
		{"/v1.0/applications/" + a, `{"notes":"n"}`, 204},
		{"/v1.0/servicePrincipals/" + sp, `{"notes":"n"}`, 204},
		{"/v1.0/devices/" + d, `{"displayName":"D2"}`, 204},
		{"/v1.0/users/" + u + "/messages/" + m, `{"subject":"Re"}`, 200},
		{"/v1.0/users/" + u + "/contacts/" + c, `{"surname":"Bansky"}`, 200},
		{seedSetPath + "/" + seed, `{"teamsActive":2}`, 200},
	}
	for _, tc := range cases {
		r := srv.Do("PATCH", tc.path, tc.body)
		if r.Status != tc.status || tc.status == 204 && len(r.Body) != 0 || tc.status == 200 && field(r, "id") == "" {
			t.Errorf("PATCH %s: %s, want %d", tc.path, r, tc.status)
		}
		if r := srv.Do("PATCH", tc.path, tc.body, "Prefer", "return=representation"); r.Status != 200 || field(r, "id") == "" {
			t.Errorf("PATCH %s with return=representation: %s", tc.path, r)
		}
		if r := srv.Do("PATCH", tc.path, tc.body, "Prefer", "return=minimal"); r.Status != 204 || r.Header.Get("Preference-Applied") != "return=minimal" {
			t.Errorf("PATCH %s with return=minimal: %s", tc.path, r)
		}
	}
	if field(srv.Do("GET", "/v1.0/users/"+u+"?$select=jobTitle", ""), "jobTitle") != "Lead" {
		t.Errorf("the 204 update was not applied")
	}
	// The representation is the default property set.
	rep := mustStatus(t, srv.Do("PATCH", "/v1.0/users/"+u, `{"city":"Paris"}`, "Prefer", "return=representation"), 200)
	if gjson.GetBytes(rep.Body, "city").Exists() || field(rep, "jobTitle") != "Lead" {
		t.Errorf("return=representation: %s", rep.Body)
	}
}

func TestRequiredProperties(t *testing.T) {
	t.Parallel()
	srv := newProfileServer(t, newTestClock())
	cases := []struct {
		path, body, missing string
	}{
		{"/v1.0/users", `{"displayName":"No required"}`, "accountEnabled"},
		{"/v1.0/users", `{"accountEnabled":true,"displayName":"A","mailNickname":"a","userPrincipalName":"a@contoso.test"}`, "passwordProfile"},
		{"/v1.0/users", `{"accountEnabled":true,"displayName":"","mailNickname":"a","userPrincipalName":"a@contoso.test","passwordProfile":{"password":"x"}}`, "displayName"},
		{"/v1.0/users", `{"accountEnabled":true,"displayName":"A","mailNickname":null,"userPrincipalName":"a@contoso.test","passwordProfile":{"password":"x"}}`, "mailNickname"},
		{"/beta/users", `{"accountEnabled":true,"displayName":"A","mailNickname":"a","passwordProfile":{"password":"x"}}`, "userPrincipalName"},
		{"/v1.0/groups", `{"displayName":"G","mailNickname":"g","securityEnabled":true}`, "mailEnabled"},
		{"/v1.0/applications", `{"notes":"no name"}`, "displayName"},
		{"/v1.0/servicePrincipals", `{"displayName":"SP"}`, "appId"},
		{"/v1.0/devices", `{"accountEnabled":true,"displayName":"D","operatingSystem":"linux"}`, "operatingSystemVersion"},
		{"/v1.0/subscriptions", `{"changeType":"created","notificationUrl":"https://x.test/n","resource":"me/messages"}`, "expirationDateTime"},
		// Empty identities waive nothing.
		{"/v1.0/users", `{"displayName":"B2C","identities":[],"passwordProfile":{"password":"x"}}`, "accountEnabled"},
	}
	for _, tc := range cases {
		e := checkGraphError(t, mustStatus(t, srv.Do("POST", tc.path, tc.body), 400))
		if e.Code != "Request_BadRequest" || e.Message != "Property "+tc.missing+" value is required but is empty or missing." {
			t.Errorf("POST %s %s: %+v", tc.path, tc.body, e)
		}
	}
	for _, set := range []string{"users", "groups", "applications", "servicePrincipals", "devices", "subscriptions"} {
		if n := field(mustStatus(t, srv.Do("GET", "/v1.0/"+set, ""), 200), "value.#"); n != "0" {
			t.Errorf("%s holds %s entities after refused creates", set, n)
		}
	}
	// An update may leave them out; it is not a create.
	u := field(mustStatus(t, srv.Do("POST", "/v1.0/users", userJSON("Ada")), 201), "id")
	mustStatus(t, srv.Do("PATCH", "/v1.0/users/"+u, `{"jobTitle":"Lead"}`), 204)
	// The upsert of an application is a create.
	checkGraphError(t, mustStatus(t, srv.Do("PATCH", "/v1.0/applications(uniqueName='nameless')", `{"notes":"n"}`, "Prefer", "create-if-missing"), 400))
}

// TestUniqueProperties runs against a server whose store indexes unique values (its
// own) and one whose store does not (given by WithStore): the same answers.
func TestUniqueProperties(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		opts []emulator.Option
	}{{"indexed", nil}, {"scanned", []emulator.Option{emulator.WithStore(store.NewMemory(0))}}} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			testUniqueProperties(t, newProfileServer(t, newTestClock(), tt.opts...))
		})
	}
}

func testUniqueProperties(t *testing.T, srv *emulatortest.Server) {
	conflict := func(r *emulatortest.Response, prop string) {
		t.Helper()
		e := checkGraphError(t, mustStatus(t, r, 400))
		if e.Code != "Request_BadRequest" || e.Message != "Another object with the same value for property "+prop+" already exists." ||
			len(e.Details) != 1 || e.Details[0]["code"] != "ObjectConflict" || e.Details[0]["target"] != prop {
			t.Errorf("conflict on %s: %+v", prop, e)
		}
	}
	u := field(mustStatus(t, srv.Do("POST", "/v1.0/users", userJSON("Ada")), 201), "id")
	conflict(srv.Do("POST", "/v1.0/users", `{"accountEnabled":true,"displayName":"Other","mailNickname":"o",
		"userPrincipalName":"ADA@contoso.test","passwordProfile":{"password":"x"}}`), "userPrincipalName")
	other := field(mustStatus(t, srv.Do("POST", "/v1.0/users", userJSON("Bob")), 201), "id")
	conflict(srv.Do("PATCH", "/v1.0/users/"+other, `{"userPrincipalName":"ada@CONTOSO.test"}`), "userPrincipalName")
	mustStatus(t, srv.Do("PATCH", "/v1.0/users/"+u, `{"userPrincipalName":"ada@contoso.test"}`), 204) // its own value
	// Found by its principal name, in any case; a freed name is free.
	if got := field(mustStatus(t, srv.Do("GET", "/v1.0/users/ADA@Contoso.test", ""), 200), "id"); got != u {
		t.Errorf("GET by userPrincipalName: %s, want %s", got, u)
	}
	mustStatus(t, srv.Do("PATCH", "/v1.0/users/"+u, `{"userPrincipalName":"ada2@contoso.test"}`), 204)
	mustStatus(t, srv.Do("GET", "/v1.0/users/ada@contoso.test", ""), 404)
	mustStatus(t, srv.Do("PATCH", "/v1.0/users/"+other, `{"userPrincipalName":"ada@contoso.test"}`), 204)
	if got := field(mustStatus(t, srv.Do("GET", "/v1.0/users(userPrincipalName='ADA@contoso.test')", ""), 200), "id"); got != other {
		t.Errorf("GET by the alternate key after the name moved: %s, want %s", got, other)
	}

	// A Microsoft 365 group's mailNickname is unique; security groups may share one.
	unified := `{"displayName":"Team","mailEnabled":true,"mailNickname":"team","securityEnabled":false,"groupTypes":["Unified"]}`
	mustStatus(t, srv.Do("POST", "/v1.0/groups", unified), 201)
	conflict(srv.Do("POST", "/v1.0/groups", strings.Replace(unified, `"team"`, `"TEAM"`, 1)), "mailNickname")
	mustStatus(t, srv.Do("POST", "/v1.0/groups", groupJSON("Sec", `"id":"s1"`)), 201)
	mustStatus(t, srv.Do("POST", "/v1.0/groups", groupJSON("Sec", `"id":"s2"`)), 201)
	// A mail-enabled group's proxy address is its own.
	conflict(srv.Do("POST", "/v1.0/groups", `{"displayName":"List","mailEnabled":true,"mailNickname":"team","securityEnabled":false}`), "proxyAddresses")
	// identifierUris: no URI in two applications.
	mustStatus(t, srv.Do("POST", "/v1.0/applications", `{"displayName":"A","identifierUris":["api://a","api://shared"]}`), 201)
	conflict(srv.Do("POST", "/v1.0/applications", `{"displayName":"B","identifierUris":["api://b","API://Shared"]}`), "identifierUris")
	mustStatus(t, srv.Do("POST", "/v1.0/applications", `{"displayName":"B","identifierUris":["api://b"]}`), 201)

	// Checked inside the write: of concurrent creates with one principal name, one wins.
	var wg sync.WaitGroup
	var created atomic.Int64
	for i := range 12 {
		wg.Go(func() {
			body := strings.Replace(userJSON("Same"), `"mailNickname":"same"`, `"mailNickname":"same`+string(rune('a'+i))+`"`, 1)
			if srv.Do("POST", "/v1.0/users", body).Status == http.StatusCreated {
				created.Add(1)
			}
		})
	}
	wg.Wait()
	if created.Load() != 1 {
		t.Errorf("%d concurrent creates of one userPrincipalName succeeded, want 1", created.Load())
	}
}

func TestServerSetValues(t *testing.T) {
	t.Parallel()
	clock := newTestClock()
	srv := newProfileServer(t, clock)
	const created = "2021-05-18T19:03:10Z"
	// A Microsoft 365 group: mail and proxyAddresses from its nickname and the default
	// domain; timestamps from the clock. A security group: its security identifier.
	g := mustStatus(t, srv.Do("POST", "/v1.0/groups", `{"displayName":"Library Assist","mailEnabled":true,"mailNickname":"library",
		"securityEnabled":false,"groupTypes":["Unified"],"mail":"ignored@x.test"}`), 201)
	if field(g, "mail") != "library@contoso.onmicrosoft.com" || field(g, "proxyAddresses") != `["SMTP:library@contoso.onmicrosoft.com"]` ||
		field(g, "createdDateTime") != created || field(g, "renewedDateTime") != created || field(g, "securityIdentifier") != "" {
		t.Errorf("Microsoft 365 group: %s", g.Body)
	}
	sec := mustStatus(t, srv.Do("POST", "/v1.0/groups", groupJSON("Sec")), 201)
	if field(sec, "id") != "00000000-0000-4000-8000-000000000002" || field(sec, "securityIdentifier") != "S-1-12-1-0-1073741824-128-33554432" ||
		field(sec, "mail") != "" {
		t.Errorf("security group: %s", sec.Body)
	}
	// Updates keep what the server set on create.
	clock.Advance(time.Hour)
	mustStatus(t, srv.Do("PATCH", "/v1.0/groups/"+field(g, "id"), `{"createdDateTime":"2000-01-01T00:00:00Z","description":"d"}`), 204)
	if got := mustStatus(t, srv.Do("GET", "/v1.0/groups/"+field(g, "id"), ""), 200); field(got, "createdDateTime") != created || field(got, "description") != "d" {
		t.Errorf("after PATCH: %s", got.Body)
	}
	// An application: appId from the id generator, createdDateTime, publisherDomain and
	// the documented defaults.
	app := mustStatus(t, srv.Do("POST", "/v1.0/applications", `{"displayName":"Display name","web":{"redirectUris":["https://x.test/cb"]}}`), 201)
	if field(app, "id") != "00000000-0000-4000-8000-000000000003" || field(app, "appId") != "00000000-0000-4000-8000-000000000004" ||
		field(app, "createdDateTime") != "2021-05-18T20:03:10Z" || field(app, "publisherDomain") != "contoso.onmicrosoft.com" ||
		field(app, "signInAudience") != "AzureADandPersonalMicrosoftAccount" || field(app, "api.requestedAccessTokenVersion") != "2" ||
		field(app, "parentalControlSettings.legalAgeGroupRule") != "Allow" || field(app, "web.redirectUris.0") != "https://x.test/cb" ||
		gjson.GetBytes(app.Body, "web.implicitGrantSettings").Exists() || field(app, "identifierUris") != "[]" {
		t.Errorf("application: %s", app.Body)
	}
	// A contact's displayName is made of its names, unless it has one.
	u := field(mustStatus(t, srv.Do("POST", "/v1.0/users", userJSON("Ada")), 201), "id")
	c := mustStatus(t, srv.Do("POST", "/v1.0/users/"+u+"/contacts", `{"givenName":"Pavel","surname":"Bansky","emailAddresses":[{"address":"pavelb@contoso.com"}]}`), 201)
	if field(c, "displayName") != "Pavel Bansky" || field(c, "createdDateTime") != "2021-05-18T20:03:10Z" || field(c, "lastModifiedDateTime") != "2021-05-18T20:03:10Z" {
		t.Errorf("contact: %s", c.Body)
	}
	named := mustStatus(t, srv.Do("POST", "/v1.0/users/"+u+"/contacts", `{"givenName":"Pavel","displayName":"PB"}`), 201)
	if field(named, "displayName") != "PB" {
		t.Errorf("named contact: %s", named.Body)
	}
	clock.Advance(time.Minute)
	p := mustStatus(t, srv.Do("PATCH", "/v1.0/users/"+u+"/contacts/"+field(c, "id"), `{"displayName":"Pav"}`), 200)
	if field(p, "displayName") != "Pav" || field(p, "lastModifiedDateTime") != "2021-05-18T20:04:10Z" || field(p, "createdDateTime") != "2021-05-18T20:03:10Z" {
		t.Errorf("patched contact: %s", p.Body)
	}
	// A draft message.
	m := mustStatus(t, srv.Do("POST", "/v1.0/users/"+u+"/messages", `{"subject":"Annual review","importance":"Low"}`), 201)
	if field(m, "isDraft") != "true" || field(m, "isRead") != "true" || field(m, "importance") != "low" || field(m, "hasAttachments") != "false" ||
		field(m, "receivedDateTime") != "2021-05-18T20:04:10Z" || field(m, "inferenceClassification") != "focused" {
		t.Errorf("message: %s", m.Body)
	}
	// Another default domain.
	other := newProfileServer(t, newTestClock(), emulator.WithDefaultDomain("Fabrikam.onmicrosoft.com"))
	og := mustStatus(t, other.Do("POST", "/v1.0/groups", `{"displayName":"L","mailEnabled":true,"mailNickname":"l","securityEnabled":false,"groupTypes":["Unified"]}`), 201)
	if field(og, "mail") != "l@fabrikam.onmicrosoft.com" {
		t.Errorf("with WithDefaultDomain: %s", og.Body)
	}
	if _, err := emulator.New(emulator.WithDefaultDomain("not a domain")); err == nil {
		t.Errorf("WithDefaultDomain accepted a bad domain")
	}
}

func TestReadOnlyAndWriteOnly(t *testing.T) {
	t.Parallel()
	srv := newProfileServer(t, newTestClock())
	// assignedLicenses is refused (assignLicense sets it), with the state unchanged.
	e := checkGraphError(t, mustStatus(t, srv.Do("POST", "/v1.0/users", userJSON("Ada", `"assignedLicenses":[]`)), 400))
	if e.Code != "Request_BadRequest" || e.Message != "Property 'assignedLicenses' is read-only and cannot be set." {
		t.Errorf("read-only: %+v", e)
	}
	if n := field(srv.Do("GET", "/v1.0/users", ""), "value.#"); n != "0" {
		t.Errorf("%s users after a refused create", n)
	}
	u := field(mustStatus(t, srv.Do("POST", "/v1.0/users", userJSON("Ada")), 201), "id")
	checkGraphError(t, mustStatus(t, srv.Do("PATCH", "/v1.0/users/"+u, `{"jobTitle":"Lead","assignedLicenses":[{"skuId":"00000000-0000-0000-0000-000000000001"}]}`), 400))
	if got := field(srv.Do("GET", "/v1.0/users/"+u, ""), "jobTitle"); got != "" {
		t.Errorf("a refused update changed jobTitle to %q", got)
	}
	// Secrets are not kept: an application's passwordCredentials lose their secretText.
	app := mustStatus(t, srv.Do("POST", "/v1.0/applications", `{"displayName":"A","passwordCredentials":[{"displayName":"ci","secretText":"s3cr3t"}]}`), 201)
	got := mustStatus(t, srv.Do("GET", "/v1.0/applications/"+field(app, "id")+"?$select=passwordCredentials", ""), 200)
	if field(got, "passwordCredentials.0.displayName") != "ci" || !gjson.GetBytes(got.Body, "passwordCredentials.0.secretText").Exists() ||
		strings.Contains(string(app.Body)+string(got.Body), "s3cr3t") {
		t.Errorf("credentials: %s %s", app.Body, got.Body)
	}
}

// TestProfilesOutsideGraph: a schema of one's own, in another namespace, keeps generic
// OData: entities written as stored, no required properties, updates answer 200.
func TestProfilesOutsideGraph(t *testing.T) {
	t.Parallel()
	srv := newDirectory(t)
	created := mustStatus(t, srv.Do("POST", "/v1.0/users", `{"id":"u1","displayName":"Ada"}`), 201)
	if !strings.HasSuffix(string(created.Body), `"id":"u1","displayName":"Ada"}`) {
		t.Errorf("created: %s", created.Body)
	}
	mustStatus(t, srv.Do("PATCH", "/v1.0/users/u1", `{"displayName":"Bo"}`), 200)
}

// TestServicePrincipalFromApplication: a service principal created for an appId of the
// tenant is filled in from that application and the tenant's organization; what the
// client sends is kept; one for an appId the tenant does not hold (Microsoft's, another
// tenant's) is stored as sent.
func TestServicePrincipalFromApplication(t *testing.T) {
	t.Parallel()
	srv := newProfileServer(t, newTestClock())
	srv.Seed(map[string]any{"organization": []any{map[string]any{"id": "2f5c9b1e-6a7d-4e8f-9c0b-1a2d3e4f5a6b", "displayName": "Contoso"}}})
	app := mustStatus(t, srv.Do("POST", "/v1.0/applications", `{"displayName":"Expenses","description":"Expense reports",
		"identifierUris":["api://expenses"],"info":{"marketingUrl":"https://x.test/m"},
		"web":{"redirectUris":["https://x.test/cb"],"homePageUrl":"https://x.test","logoutUrl":"https://x.test/out"},
		"appRoles":[{"id":"1b4f816e-5eaf-48b9-8613-7923830595ad","allowedMemberTypes":["User"],"displayName":"Approver","description":"Approves","value":"Approver","isEnabled":true}],
		"api":{"oauth2PermissionScopes":[{"id":"6e2d5a1c-1f0b-4a4c-9a47-3a8f3c9e8d11","value":"Expenses.Read","type":"User","isEnabled":true}]}}`), 201)
	appID := field(app, "appId")
	sp := mustStatus(t, srv.Do("POST", "/v1.0/servicePrincipals", `{"appId":"`+strings.ToUpper(appID)+`"}`), 201)
	for path, want := range map[string]string{
		"appDisplayName": "Expenses", "appDescription": "Expense reports", "displayName": "Expenses",
		"servicePrincipalNames": `["` + appID + `","api://expenses"]`, "servicePrincipalType": "Application",
		"signInAudience": "AzureADandPersonalMicrosoftAccount", "appRoles.0.value": "Approver",
		"oauth2PermissionScopes.0.value": "Expenses.Read", "info.marketingUrl": "https://x.test/m",
		"homepage": "https://x.test", "logoutUrl": "https://x.test/out", "replyUrls": `["https://x.test/cb"]`,
		"appOwnerOrganizationId": "2f5c9b1e-6a7d-4e8f-9c0b-1a2d3e4f5a6b", "publisherName": "Contoso",
		"accountEnabled": "true",
	} {
		if got := field(sp, path); got != want {
			t.Errorf("service principal %s = %s, want %s", path, got, want)
		}
	}
	// The client's own values win; a second service principal for the app is a conflict.
	mustStatus(t, srv.Do("POST", "/v1.0/servicePrincipals", `{"appId":"`+appID+`"}`), 400)
	mustStatus(t, srv.Do("DELETE", "/v1.0/servicePrincipals/"+field(sp, "id"), ""), 204)
	named := mustStatus(t, srv.Do("POST", "/v1.0/servicePrincipals", `{"appId":"`+appID+`","displayName":"Mine","tags":["t"]}`), 201)
	if field(named, "displayName") != "Mine" || field(named, "appDisplayName") != "Expenses" || field(named, "tags") != `["t"]` {
		t.Errorf("named service principal: %s", named.Body)
	}
	// Microsoft Graph's own appId: not an application of the tenant.
	ms := mustStatus(t, srv.Do("POST", "/v1.0/servicePrincipals", `{"appId":"00000003-0000-0000-c000-000000000000"}`), 201)
	if field(ms, "appDisplayName") != "" || field(ms, "servicePrincipalNames") != "[]" && field(ms, "servicePrincipalNames") != "" {
		t.Errorf("service principal of a foreign app: %s", ms.Body)
	}
}

// TestUserWithIdentities: a user created with identities (a local or social account)
// needs none of a work account's required properties, and gets a userPrincipalName of
// its id at the default domain unless it sends one; it can change it later.
func TestUserWithIdentities(t *testing.T) {
	t.Parallel()
	srv := newProfileServer(t, newTestClock())
	u := mustStatus(t, srv.Do("POST", "/v1.0/users", `{"displayName":"John Smith","identities":[
		{"signInType":"userName","issuer":"contoso.onmicrosoft.com","issuerAssignedId":"johnsmith"},
		{"signInType":"federated","issuer":"facebook.com","issuerAssignedId":"5eecb0cd"}],
		"passwordProfile":{"password":"password-value","forceChangePasswordNextSignIn":false},"passwordPolicies":"DisablePasswordExpiration"}`), 201)
	id := field(u, "id")
	if got := field(u, "userPrincipalName"); got != id+"@contoso.onmicrosoft.com" {
		t.Errorf("userPrincipalName = %q, want the id at the default domain", got)
	}
	social := mustStatus(t, srv.Do("POST", "/beta/users", `{"identities":[{"signInType":"federated","issuer":"facebook.com","issuerAssignedId":"x1"}],
		"userPrincipalName":"social@contoso.onmicrosoft.com"}`), 201)
	if got := field(social, "userPrincipalName"); got != "social@contoso.onmicrosoft.com" {
		t.Errorf("a sent userPrincipalName: %q", got)
	}
	mustStatus(t, srv.Do("PATCH", "/v1.0/users/"+id, `{"userPrincipalName":"john@contoso.onmicrosoft.com"}`), 204)
	if got := field(mustStatus(t, srv.Do("GET", "/v1.0/users/"+id, ""), 200), "userPrincipalName"); got != "john@contoso.onmicrosoft.com" {
		t.Errorf("after PATCH: userPrincipalName %q", got)
	}
	// A work account's user still gets no userPrincipalName of the server's.
	w := mustStatus(t, srv.Do("POST", "/v1.0/users", userJSON("Ada")), 201)
	if strings.HasPrefix(field(w, "userPrincipalName"), field(w, "id")) {
		t.Errorf("a work account's userPrincipalName was made: %s", w.Body)
	}
}

// TestFixtureKeepsServerValues: a fixture is state: a server-set value it gives is kept,
// null included (Graph answers createdDateTime null for groups older than the
// property); one it leaves out is set as on create.
func TestFixtureKeepsServerValues(t *testing.T) {
	t.Parallel()
	srv := newProfileServer(t, newTestClock())
	srv.Seed(map[string]any{"groups": []any{
		map[string]any{"id": "g-null", "displayName": "Old", "createdDateTime": nil},
		map[string]any{"id": "g-given", "displayName": "Given", "createdDateTime": "2019-01-02T03:04:05Z"},
		map[string]any{"id": "g-absent", "displayName": "New"},
	}})
	for id, want := range map[string]string{"g-null": "null", "g-given": `"2019-01-02T03:04:05Z"`, "g-absent": `"2021-05-18T19:03:10Z"`} {
		r := mustStatus(t, srv.Do("GET", "/v1.0/groups/"+id+"?$select=createdDateTime", ""), 200)
		if got := gjson.GetBytes(r.Body, "createdDateTime").Raw; got != want {
			t.Errorf("%s: createdDateTime %s, want %s", id, got, want)
		}
	}
	// A client's null is no value: the server sets it.
	g := mustStatus(t, srv.Do("POST", "/v1.0/groups", groupJSON("Client", `"createdDateTime":null`)), 201)
	if field(g, "createdDateTime") == "" {
		t.Errorf("a client's null createdDateTime kept: %s", g.Body)
	}
}
