package emulator_test

import (
	"encoding/csv"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/graph-emulator/graph-emulator/emulator"
	"github.com/graph-emulator/graph-emulator/emulator/emulatortest"
)

// Functions and actions over HTTP, against Graph's own schemas: parameters checked
// against the schema's types, the method, the registry's fallback, and the operations
// the behaviour implements (getByIds, validateProperties, the usage reports).

// graphErr checks a Graph error: status, code and, when given, the start of the
// message and the target of the last detail.
func graphErr(t *testing.T, r *emulatortest.Response, status int, code, msg, target string) {
	t.Helper()
	if r.Status != status || field(r, "error.code") != code || !strings.HasPrefix(field(r, "error.message"), msg) ||
		field(r, "error.innerError.request-id") == "" {
		t.Fatalf("got %s, want %d %s %q...", r, status, code, msg)
	}
	if target != "" && field(r, "error.details.@reverse.0.target") != target {
		t.Fatalf("got %s, want a detail naming %q", r, target)
	}
}

const servicesReport = "/v1.0/reports/getOffice365ServicesUserCounts"

func TestOperationParameters(t *testing.T) {
	t.Parallel()
	srv := emulatortest.New(t)
	user := field(mustStatus(t, srv.Do("POST", "/v1.0/users", userJSON("Ada")), 201), "id")
	cases := []struct {
		name, method, path, body string
		status                   int
		code, msg, target        string
	}{
		{name: "missing", method: "GET", path: servicesReport + "()", status: 400, code: "BadRequest",
			msg: "One or more parameters of the operation 'getOffice365ServicesUserCounts' are missing", target: "period"},
		{name: "no parentheses", method: "GET", path: servicesReport, status: 400, code: "BadRequest", target: "period"},
		{name: "unknown", method: "GET", path: servicesReport + "(period='D7',colour='red')", status: 400, code: "BadRequest",
			msg: "The parameter 'colour' in the request URL is not a valid parameter for the operation 'getOffice365ServicesUserCounts'.", target: "colour"},
		{name: "wrong literal", method: "GET", path: servicesReport + "(period=7)", status: 400, code: "BadRequest",
			msg: "Invalid value specified for parameter 'period' of operation 'getOffice365ServicesUserCounts'. Cannot convert the literal '7' to the expected type 'Edm.String'.", target: "period"},
		{name: "alias without value", method: "GET", path: servicesReport + "(period=@p)", status: 400, code: "BadRequest", target: "period"},
		{name: "alias of wrong type", method: "GET", path: servicesReport + "(period=@p)?@p=true", status: 400, code: "BadRequest", target: "period"},
		{name: "bad date", method: "GET", path: "/v1.0/reports/getOffice365ActiveUserDetail(date=2021-02-30)", status: 400, code: "BadRequest", target: "date"},
		{name: "function POST", method: "POST", path: servicesReport + "(period='D7')", body: `{}`, status: 405, code: "Request_BadRequest",
			msg: "Specified HTTP method is not allowed for the request target."},
		{name: "action GET", method: "GET", path: "/v1.0/directoryObjects/getByIds", status: 405, code: "Request_BadRequest"},
		{name: "action missing", method: "POST", path: "/v1.0/directoryObjects/getByIds", body: `{"types":["user"]}`, status: 400, code: "BadRequest",
			msg: "One or more parameters of the operation 'getByIds' are missing from the request payload. The missing parameters are: ids.", target: "ids"},
		{name: "action unknown", method: "POST", path: "/v1.0/directoryObjects/getByIds", body: `{"ids":[],"idz":[]}`, status: 400, code: "BadRequest", target: "idz"},
		{name: "action wrong type", method: "POST", path: "/v1.0/directoryObjects/getByIds", body: `{"ids":"a"}`, status: 400, code: "BadRequest",
			msg: "Invalid value specified for parameter 'ids' of operation 'getByIds'.", target: "ids"},
		{name: "action no body", method: "POST", path: "/v1.0/directoryObjects/getByIds", status: 400, code: "BadRequest", target: "ids"},
		{name: "action bad json", method: "POST", path: "/v1.0/directoryObjects/getByIds", body: `{"ids":`, status: 400, code: "BadRequest",
			msg: "Unable to read JSON request payload."},
		{name: "guid parameter", method: "POST", path: "/v1.0/directoryObjects/validateProperties", body: `{"entityType":"Group","mailNickname":"x","onBehalfOfUserId":7}`,
			status: 400, code: "BadRequest", target: "onBehalfOfUserId"},
		{name: "not implemented", method: "POST", path: "/v1.0/users/" + user + "/revokeSignInSessions", status: 501, code: "NotImplemented",
			msg: "The emulator does not implement the operation 'microsoft.graph.revokeSignInSessions'."},
		{name: "not implemented function", method: "GET", path: "/v1.0/reports/getOffice365GroupsActivityCounts(period='D7')", status: 501, code: "NotImplemented",
			msg: "The emulator does not implement the operation 'microsoft.graph.getOffice365GroupsActivityCounts'."},
		{name: "bound to missing entity", method: "POST", path: "/v1.0/users/nobody/checkMemberGroups", body: `{"groupIds":[]}`, status: 404, code: "Request_ResourceNotFound"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			graphErr(t, srv.Do(tc.method, tc.path, tc.body), tc.status, tc.code, tc.msg, tc.target)
		})
	}
}

// TestOperationParameterAlias: a function's parameter may be an alias given in the
// query string.
func TestOperationParameterAlias(t *testing.T) {
	t.Parallel()
	srv := emulatortest.New(t)
	resp, err := noRedirects(srv).Get(srv.URL + servicesReport + "(period=@p)?@p=" + url.QueryEscape("'D30'"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound || !strings.Contains(resp.Header.Get("Location"), "/_emulator/reports/") {
		t.Fatalf("alias: %d %v", resp.StatusCode, resp.Header)
	}
}

func noRedirects(srv *emulatortest.Server) *http.Client {
	c := *srv.Client
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &c
}

func TestReportServicesUserCounts(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	var clock atomic.Int64
	clock.Store(now.Unix())
	srv := emulatortest.New(t, emulator.WithClock(func() time.Time { return time.Unix(clock.Load(), 0).UTC() }))
	for _, body := range []string{
		`{"reportPeriod":"D7","teamsActive":4,"exchangeActive":1,"reportRefreshDate":"2026-11-30"}`,
		`{"reportPeriod":"D7","teamsActive":5,"reportRefreshDate":"2026-11-29"}`,
		`{"reportPeriod":"D30","teamsActive":9,"reportRefreshDate":"2026-11-30"}`,
	} {
		mustStatus(t, srv.Do("POST", "/v1.0/office365ServicesUserCounts", body), http.StatusCreated)
	}
	// The function answers 302 to a download URL on the emulator itself.
	resp, err := noRedirects(srv).Get(srv.URL + servicesReport + "(period='D7')")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusFound || !strings.HasPrefix(loc, srv.URL+"/_emulator/reports/") {
		t.Fatalf("status %d, Location %q", resp.StatusCode, loc)
	}
	// The download needs no Authorization and serves the CSV: the doc's header row,
	// then the rows of the period only, in the order they were stored.
	dl := mustStatus(t, srv.Do("GET", loc, ""), http.StatusOK)
	if ct := dl.Header.Get("Content-Type"); ct != "text/csv" {
		t.Errorf("Content-Type %q", ct)
	}
	rows, err := csv.NewReader(strings.NewReader(string(dl.Body))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	const header = "Report Refresh Date,Exchange Active,Exchange Inactive,OneDrive Active,OneDrive Inactive,SharePoint Active,SharePoint Inactive,Skype For Business Active,Skype For Business Inactive,Yammer Active,Yammer Inactive,Teams Active,Teams Inactive,Office 365 Active,Office 365 Inactive,Report Period"
	if len(rows) != 3 || strings.Join(rows[0], ",") != header {
		t.Fatalf("CSV:\n%s", dl.Body)
	}
	if got := strings.Join(rows[1], ","); got != "2026-11-30,1,,,,,,,,,,4,,,,D7" {
		t.Errorf("row 1: %s", got)
	}
	if rows[2][0] != "2026-11-29" || rows[2][11] != "5" {
		t.Errorf("row 2: %v", rows[2])
	}
	// The URL is signed: an altered one is refused, and so is an expired one.
	graphErr(t, srv.Do("GET", loc+"x", ""), http.StatusNotFound, "NotFound", "", "")
	graphErr(t, srv.Do("GET", srv.URL+"/_emulator/reports/nothing", ""), http.StatusNotFound, "NotFound", "", "")
	graphErr(t, srv.Do("POST", loc, "{}"), http.StatusMethodNotAllowed, "Request_BadRequest", "", "")
	clock.Store(now.Add(6 * time.Minute).Unix())
	graphErr(t, srv.Do("GET", loc, ""), http.StatusNotFound, "NotFound", "", "")
	clock.Store(now.Unix())

	// Following the redirect, as clients do, gives the CSV; D30 has its own row.
	r := mustStatus(t, srv.Do("GET", servicesReport+"(period='D30')", ""), http.StatusOK)
	if lines := strings.Split(strings.TrimSpace(string(r.Body)), "\n"); len(lines) != 2 || !strings.Contains(lines[1], ",9,") {
		t.Errorf("D30:\n%s", r.Body)
	}
	// Quotes may come percent-encoded, as SDKs send them.
	r = mustStatus(t, srv.Do("GET", servicesReport+"(period=%27D30%27)", ""), http.StatusOK)
	if !strings.Contains(string(r.Body), ",9,") {
		t.Errorf("encoded quotes:\n%s", r.Body)
	}
	// A period the reports do not take is a 400.
	graphErr(t, srv.Do("GET", servicesReport+"(period='D8')", ""), http.StatusBadRequest, "BadRequest",
		"Bad request received for report getOffice365ServicesUserCounts(): parameter D8 is not a valid period parameter.", "period")
	// Sibling reports answer their doc's header row.
	r = mustStatus(t, srv.Do("GET", "/v1.0/reports/getOffice365ActiveUserCounts(period='D90')", ""), http.StatusOK)
	if string(r.Body) != "Report Refresh Date,Office 365,Exchange,OneDrive,SharePoint,Skype For Business,Yammer,Teams,Report Date,Report Period\n" {
		t.Errorf("active user counts: %q", r.Body)
	}
	r = mustStatus(t, srv.Do("GET", "/v1.0/reports/getOffice365ActiveUserDetail(date=2026-11-28)", ""), http.StatusOK)
	if !strings.HasPrefix(string(r.Body), "Report Refresh Date,User Principal Name,Display Name,Is Deleted,") {
		t.Errorf("active user detail: %q", r.Body)
	}
	graphErr(t, srv.Do("GET", "/v1.0/reports/getOffice365ActiveUserDetail(date=2026-09-01)", ""), http.StatusBadRequest, "InvalidArgument",
		"Invalid date value specified: 2026-09-01.", "date")
	graphErr(t, srv.Do("GET", "/v1.0/reports/getOffice365ActiveUserDetail(period='D1')", ""), http.StatusBadRequest, "BadRequest", "", "period")
}

// TestReportJSON: in beta, $format=application/json answers the rows as JSON, as the
// beta doc shows; v1.0 keeps the CSV stream.
func TestReportJSON(t *testing.T) {
	t.Parallel()
	srv := emulatortest.New(t)
	mustStatus(t, srv.Do("POST", "/beta/office365ServicesUserCounts", `{"reportPeriod":"D7","teamsActive":4}`), http.StatusCreated)
	mustStatus(t, srv.Do("POST", "/beta/office365ServicesUserCounts", `{"reportPeriod":"D90","teamsActive":5}`), http.StatusCreated)
	r := mustStatus(t, srv.Do("GET", "/beta/reports/getOffice365ServicesUserCounts(period='D7')?$format=application/json", ""), http.StatusOK)
	if field(r, `@odata\.context`) != srv.URL+"/beta/$metadata#Collection(microsoft.graph.office365ServicesUserCounts)" ||
		field(r, "value.#") != "1" || field(r, "value.0.teamsActive") != "4" {
		t.Errorf("beta JSON: %s", r.Body)
	}
	r = mustStatus(t, srv.Do("GET", "/beta/reports/getOffice365ServicesUserCounts(period='D7')?$format=text/csv", ""), http.StatusOK)
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "text/csv") {
		t.Errorf("beta CSV: %s", r)
	}
	r = mustStatus(t, srv.Do("GET", servicesReport+"(period='D7')?$format=application/json", ""), http.StatusOK)
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "text/csv") {
		t.Errorf("v1.0 with $format=application/json: %s", r)
	}
}

func TestGetByIds(t *testing.T) {
	t.Parallel()
	srv := emulatortest.New(t)
	user := field(mustStatus(t, srv.Do("POST", "/v1.0/users", userJSON("Ada")), 201), "id")
	group := field(mustStatus(t, srv.Do("POST", "/v1.0/groups", `{"displayName":"G","mailEnabled":false,"mailNickname":"g","securityEnabled":true}`), 201), "id")
	app := field(mustStatus(t, srv.Do("POST", "/v1.0/applications", `{"displayName":"App"}`), 201), "id")
	ids := `"` + group + `","nobody","` + user + `","` + app + `"`
	r := mustStatus(t, srv.Do("POST", "/v1.0/directoryObjects/getByIds", `{"ids":[`+ids+`]}`), http.StatusOK)
	if field(r, "value.#") != "3" || field(r, "value.0.id") != group || field(r, "value.1.id") != user || field(r, "value.2.id") != app ||
		field(r, `value.0.@odata\.type`) != "#microsoft.graph.group" || field(r, `value.1.@odata\.type`) != "#microsoft.graph.user" ||
		field(r, `value.2.@odata\.type`) != "#microsoft.graph.application" || field(r, "value.1.displayName") != "Ada" ||
		field(r, `@odata\.context`) != srv.URL+"/v1.0/$metadata#directoryObjects" {
		t.Errorf("getByIds: %s", r.Body)
	}
	// types keeps the objects of those types, however they are spelled.
	r = mustStatus(t, srv.Do("POST", "/v1.0/directoryObjects/getByIds", `{"ids":[`+ids+`],"types":["User","microsoft.graph.application"]}`), http.StatusOK)
	if field(r, "value.#") != "2" || field(r, "value.0.id") != user || field(r, "value.1.id") != app {
		t.Errorf("getByIds with types: %s", r.Body)
	}
	r = mustStatus(t, srv.Do("POST", "/v1.0/directoryObjects/getByIds", `{"ids":["nobody"]}`), http.StatusOK)
	if field(r, "value.#") != "0" {
		t.Errorf("unknown ids: %s", r.Body)
	}
	graphErr(t, srv.Do("POST", "/v1.0/directoryObjects/getByIds", `{"ids":[],"types":["message"]}`), 400, "Request_BadRequest", "", "types")
}

func TestValidateProperties(t *testing.T) {
	t.Parallel()
	srv := emulatortest.New(t)
	g := field(mustStatus(t, srv.Do("POST", "/v1.0/groups", `{"displayName":"Sales","mailEnabled":true,"mailNickname":"sales","securityEnabled":false,"groupTypes":["Unified"]}`), 201), "id")
	const path = "/v1.0/directoryObjects/validateProperties"
	mustStatus(t, srv.Do("POST", path, `{"entityType":"Group","displayName":"Myprefix_test_mysuffix","mailNickname":"Myprefix_test_mysuffix","onBehalfOfUserId":"01234567-89ab-cdef-0123-456789abcdef"}`), http.StatusNoContent)
	mustStatus(t, srv.Do("POST", path, `{"entityType":"group","displayName":"Only a name"}`), http.StatusNoContent)
	graphErr(t, srv.Do("POST", path, `{"entityType":"Group","mailNickname":"SALES"}`), http.StatusUnprocessableEntity, "Request_UnprocessableEntity",
		"The values provided contain one or more validation errors.", "mailNickname")
	r := srv.Do("POST", path, `{"entityType":"Group","mailNickname":"sales"}`)
	if field(r, "error.details.0.code") != "PropertyConflict" || field(r, "error.details.0.message") != "Another object with the same value for property mailNickname already exists." {
		t.Errorf("conflict: %s", r.Body)
	}
	graphErr(t, srv.Do("POST", path, `{"entityType":"Group","mailNickname":"bad nick@"}`), 400, "Request_BadRequest",
		"Invalid value specified for property 'mailNickname' of resource 'Group'.", "mailNickname")
	graphErr(t, srv.Do("POST", path, `{"entityType":"User","mailNickname":"x"}`), 400, "Request_BadRequest", "", "entityType")
	graphErr(t, srv.Do("POST", path, `{"entityType":"Group"}`), 400, "Request_BadRequest", "", "")
	// Bound to a group, its own nickname is no conflict; another group's is.
	mustStatus(t, srv.Do("POST", "/v1.0/groups/"+g+"/validateProperties", `{"mailNickname":"Sales"}`), http.StatusNoContent)
	mustStatus(t, srv.Do("POST", "/v1.0/groups", `{"displayName":"Other","mailEnabled":true,"mailNickname":"other","securityEnabled":false}`), 201)
	mustStatus(t, srv.Do("POST", "/v1.0/groups/"+g+"/validateProperties", `{"mailNickname":"other"}`), http.StatusUnprocessableEntity)
	// The group-bound form takes no entityType.
	graphErr(t, srv.Do("POST", "/v1.0/groups/"+g+"/validateProperties", `{"entityType":"Group","mailNickname":"x"}`), 400, "BadRequest", "", "entityType")
}
