package control

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Requests answers /_emulator/requests: GET lists the journal, oldest first, as
// {"value":[entries]}; DELETE clears it. Both take the tenant from ?tenant= or the
// X-Emulator-Tenant header, and then see only that tenant's requests; without one they
// see every tenant's.
//
// GET filters: method (GET, POST, ...), path (a prefix of the unescaped path, such as
// /v1.0/users), status (201, or a class: 4xx), since (an RFC 3339 time), limit (the last
// N that match). A $batch matches when it or one of its steps does, and is listed whole.
func (a *API) Requests() http.Handler {
	return a.serve(methods{http.MethodGet: a.listRequests, http.MethodDelete: a.clearRequests})
}

// RequestList is the answer of GET /_emulator/requests.
type RequestList struct {
	Value []Entry `json:"value"`
}

func (a *API) listRequests(r *http.Request) (reply, error) {
	f, err := ParseFilter(r)
	if err != nil {
		return reply{}, err
	}
	return ok(RequestList{Value: a.cfg.Journal.Entries(f)})
}

func (a *API) clearRequests(r *http.Request) (reply, error) {
	if err := checkQuery(r, "tenant"); err != nil {
		return reply{}, err
	}
	tenant, given, err := controlTenant(r)
	if err != nil {
		return reply{}, err
	}
	if !given {
		tenant = ""
	}
	a.cfg.Journal.Clear(tenant)
	return noContent()
}

// ParseFilter reads the filters of GET /_emulator/requests from r's query (and the
// tenant from ?tenant= or the X-Emulator-Tenant header).
func ParseFilter(r *http.Request) (Filter, error) {
	var f Filter
	if err := checkQuery(r, "method", "path", "status", "since", "limit", "tenant"); err != nil {
		return f, err
	}
	tenant, given, err := controlTenant(r)
	if err != nil {
		return f, err
	}
	if given {
		f.Tenant = tenant
	}
	q := r.URL.Query()
	f.Method = q.Get("method")
	f.PathPrefix = q.Get("path")
	if s := q.Get("status"); s != "" {
		if len(s) == 3 && s[0] >= '1' && s[0] <= '5' && strings.EqualFold(s[1:], "xx") {
			f.StatusClass = int(s[0] - '0')
		} else if n, err := strconv.Atoi(s); err == nil && n >= 100 && n <= 599 {
			f.Status = n
		} else {
			return f, badRequest("The status filter '"+s+"' is neither a status code (404) nor a class (4xx).", "status")
		}
	}
	if s := q.Get("since"); s != "" {
		// A '+' of a zone offset arrives as a space unless it was escaped.
		t, err := time.Parse(time.RFC3339Nano, strings.ReplaceAll(s, " ", "+"))
		if err != nil {
			return f, badRequest("The since filter '"+s+"' is not an RFC 3339 time such as 2024-05-01T10:00:00Z.", "since")
		}
		f.Since = t
	}
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			return f, badRequest("The limit '"+s+"' is not a positive integer.", "limit")
		}
		f.Limit = n
	}
	return f, nil
}
