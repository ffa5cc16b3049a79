package behavior

import (
	"strings"

	"github.com/tidwall/gjson"

	"github.com/graph-emulator/graph-emulator/emulator/store"
)

// Service principals. A service principal created for an appId is the instance of that
// application in the tenant: Graph fills it in from the application (the servicePrincipal
// resource: appDisplayName and appDescription are "exposed by the associated
// application", servicePrincipalNames "copied over" from its identifierUris, appRoles and
// oauth2PermissionScopes those the application exposes, homepage, logoutUrl, replyUrls
// and info its own) and from the tenant that registered it (appOwnerOrganizationId, the
// tenant id; publisherName, its name). A value the client sends is kept.

const (
	servicePrincipalType = "microsoft.graph.servicePrincipal"
	applicationsSet      = "applications"
	organizationSet      = "organization"
)

// writingServicePrincipal fills in a new service principal from the application whose
// appId it names, when the tenant holds one; a fixture's keeps what it has as it is.
func (b *Behavior) writingServicePrincipal(w *EntityWrite, body []byte) ([]byte, error) {
	if w.Old != nil || w.Fixture {
		return body, nil
	}
	appID := gjson.GetBytes(body, "appId").Str
	if appID == "" {
		return body, nil
	}
	var app []byte
	w.Tx.Scan(store.Set(applicationsSet), 0, func(e store.Entity) bool {
		if strings.EqualFold(gjson.GetBytes(e.Body, "appId").Str, appID) {
			app = e.Body
		}
		return app == nil
	})
	if app == nil {
		return body, nil // an application of another tenant, or Microsoft's
	}
	a := gjson.ParseBytes(app)
	names := []string{str(appID)}
	for _, u := range a.Get("identifierUris").Array() {
		if u.Type == gjson.String && !strings.EqualFold(u.Str, appID) {
			names = append(names, str(u.Str))
		}
	}
	derived := [...][2]string{
		{"appDisplayName", a.Get("displayName").Raw},
		{"appDescription", a.Get("description").Raw},
		{"displayName", a.Get("displayName").Raw},
		{"servicePrincipalNames", "[" + strings.Join(names, ",") + "]"},
		{"servicePrincipalType", str("Application")},
		{"signInAudience", a.Get("signInAudience").Raw},
		{"appRoles", a.Get("appRoles").Raw},
		{"oauth2PermissionScopes", a.Get("api.oauth2PermissionScopes").Raw},
		{"info", a.Get("info").Raw},
		{"homepage", a.Get("web.homePageUrl").Raw},
		{"logoutUrl", a.Get("web.logoutUrl").Raw},
		{"replyUrls", a.Get("web.redirectUris").Raw},
	}
	var pairs []string
	for _, d := range derived {
		pairs = appendUnset(pairs, w, body, d[0], d[1])
	}
	// The tenant that registered the application: this one, as its organization says.
	var org []byte
	w.Tx.Scan(store.Set(organizationSet), 0, func(e store.Entity) bool { org = e.Body; return false })
	if org != nil {
		o := gjson.ParseBytes(org)
		pairs = appendUnset(pairs, w, body, "appOwnerOrganizationId", o.Get("id").Raw)
		pairs = appendUnset(pairs, w, body, "publisherName", o.Get("displayName").Raw)
	}
	return w.Merge(body, fieldsOf(w.Type, pairs...)), nil
}

// appendUnset appends name and raw to pairs when raw is a value, the type has the
// property (or is open: v1.0's schema lacks publisherName, which its documented answers
// show, and beta's has), and body leaves it unset (absent, null or an empty collection).
func appendUnset(pairs []string, w *EntityWrite, body []byte, name, raw string) []string {
	if raw == "" || raw == "null" {
		return pairs
	}
	if p, _ := w.Type.Property(name); p == nil && !w.Type.Open {
		return pairs
	}
	if v := gjson.GetBytes(body, name); v.Exists() && v.Type != gjson.Null && !(v.IsArray() && len(v.Array()) == 0) {
		return pairs
	}
	return append(pairs, name, raw)
}
