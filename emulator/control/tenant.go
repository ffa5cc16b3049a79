package control

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/graph-emulator/graph-emulator/odata"
)

// TenantHeader is the request header that chooses the tenant whose state a request reads
// and writes. Without it a request belongs to DefaultTenant. (Once tokens are checked,
// the token's tid will choose it too.)
const TenantHeader = "X-Emulator-Tenant"

// DefaultTenant is the tenant of a request that names none. It equals
// store.DefaultTenant.
const DefaultTenant = "default"

// maxTenantLen bounds a tenant name: a GUID (36) or a domain name fits.
const maxTenantLen = 64

// ParseTenant checks a tenant name as a client sends it and returns it in canonical
// form (lower case: names are case-insensitive, as Graph's tenant ids and domains
// are). A name is 1 to 64 ASCII letters, digits, '.', '_' or '-', starting with a
// letter or a digit: a GUID, a domain name such as contoso.onmicrosoft.com, or a word
// such as tenant-b. Anything else is Graph's 400, naming the value.
func ParseTenant(name string) (string, error) { return parseTenant(name, TenantHeader) }

// parseTenant is ParseTenant for a name read from source (a header or a parameter).
func parseTenant(name, source string) (string, error) {
	ok := name != "" && len(name) <= maxTenantLen && isAlnum(name[0])
	for i := 0; ok && i < len(name); i++ {
		c := name[i]
		ok = isAlnum(c) || c == '.' || c == '_' || c == '-'
	}
	if !ok {
		shown := name
		if len(shown) > maxTenantLen+16 {
			shown = shown[:maxTenantLen+16] + "…"
		}
		return "", &odata.Error{Status: http.StatusBadRequest, Code: "BadRequest",
			Message: fmt.Sprintf("The tenant '%s' is not a valid tenant name: use 1 to %d letters, digits, '.', '_' or '-', starting with a letter or a digit.", shown, maxTenantLen),
			Details: []odata.ErrorDetail{{Code: "InvalidTenant", Message: "The tenant name is not valid.", Target: source}}}
	}
	return strings.ToLower(name), nil
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// RequestTenant returns the tenant a request names in its TenantHeader, checked and
// canonical; given is false when it names none (the request then belongs to
// DefaultTenant).
func RequestTenant(r *http.Request) (tenant string, given bool, err error) {
	v, ok := r.Header[TenantHeader]
	if !ok || len(v) == 0 {
		return DefaultTenant, false, nil
	}
	if len(v) > 1 {
		return "", true, &odata.Error{Status: http.StatusBadRequest, Code: "BadRequest",
			Message: "The request names more than one tenant in the " + TenantHeader + " header.",
			Details: []odata.ErrorDetail{{Code: "InvalidTenant", Message: "Send one tenant name.", Target: TenantHeader}}}
	}
	t, err := ParseTenant(strings.TrimSpace(v[0]))
	return t, true, err
}

// controlTenant returns the tenant a control request addresses: the tenant query
// parameter, else the TenantHeader; given is false when it names none.
func controlTenant(r *http.Request) (tenant string, given bool, err error) {
	q := r.URL.Query()
	if vs, ok := q["tenant"]; ok {
		if len(vs) != 1 {
			return "", true, badRequest("Give the tenant query parameter once.", "tenant")
		}
		t, err := parseTenant(vs[0], "tenant")
		return t, true, err
	}
	return RequestTenant(r)
}
