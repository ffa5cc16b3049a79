package control

import (
	"bytes"
	"net/http"
	"strings"

	"github.com/graph-emulator/graph-emulator/emulator/faults"
)

// The endpoints of fault rules and stubs (faults.go, stubs.go) work alike: a list
// under a path (GET lists, POST adds, DELETE clears) and its items under path/{id} (GET,
// DELETE), scoped to a tenant when the request names one (?tenant= or the
// X-Emulator-Tenant header). ruleSet is that shape over either registry.

// registry is what the endpoints need of faults.Registry and stubs.Registry: R is what
// a client sends, S what is listed.
type registry[R, S any] interface {
	Add(...R) ([]S, error)
	List(tenant string) []S
	Get(id, tenant string) (S, bool)
	Delete(id, tenant string) bool
	Clear(tenant string) int
}

// ruleSet is the endpoints of one registry.
type ruleSet[R, S any] struct {
	a    *API
	reg  registry[R, S]
	what string // "fault rule", "stub"
	path string // under Prefix: "faults", "stubs"
	// match returns the part of R that matches requests.
	match func(*R) *faults.Match
}

// List is the answer of GET on the list, and of a POST of an array.
type List[S any] struct {
	Value []S `json:"value"`
}

func (s *ruleSet[R, S]) list(r *http.Request) (reply, error) {
	tenant, err := s.tenant(r)
	if err != nil {
		return reply{}, err
	}
	return ok(List[S]{Value: s.reg.List(tenant)})
}

// add adds a rule (a JSON object: 201 with it, as listed) or several (an array, all or
// none: 201 with {"value":[...]}). A request that names a tenant gives it to the rules
// that name none; a rule naming another tenant is refused.
func (s *ruleSet[R, S]) add(r *http.Request) (reply, error) {
	if err := checkQuery(r, "tenant"); err != nil {
		return reply{}, err
	}
	tenant, given, err := controlTenant(r)
	if err != nil {
		return reply{}, err
	}
	body, err := s.a.readBody(r)
	if err != nil {
		return reply{}, err
	}
	items, err := faults.DecodeList[R](body, s.what)
	if err != nil {
		return reply{}, err
	}
	if given {
		for i := range items {
			m := s.match(&items[i])
			if m.Tenant == "" {
				m.Tenant = tenant
			} else if t, err := ParseTenant(m.Tenant); err == nil && t != tenant {
				field := "tenant"
				if len(items) > 1 {
					field = "[" + itoa(i) + "].tenant"
				}
				return reply{}, faults.Invalid(field, "The %s names the tenant '%s', but the request names '%s' (?tenant= or %s).", s.what, m.Tenant, tenant, TenantHeader)
			}
		}
	}
	added, err := s.reg.Add(items...)
	if err != nil {
		return reply{}, err
	}
	s.a.cfg.Logger.Info(s.what+"s added", "count", len(added), "tenant", tenant)
	if bytes.HasPrefix(bytes.TrimSpace(body), []byte("[")) {
		return reply{status: http.StatusCreated, value: List[S]{Value: added}}, nil
	}
	return reply{status: http.StatusCreated, value: added[0]}, nil
}

func (s *ruleSet[R, S]) clear(r *http.Request) (reply, error) {
	tenant, err := s.tenant(r)
	if err != nil {
		return reply{}, err
	}
	if n := s.reg.Clear(tenant); n > 0 {
		s.a.cfg.Logger.Info(s.what+"s deleted", "count", n, "tenant", tenant)
	}
	return noContent()
}

func (s *ruleSet[R, S]) get(r *http.Request) (reply, error) {
	tenant, err := s.tenant(r)
	if err != nil {
		return reply{}, err
	}
	id := s.id(r)
	st, found := s.reg.Get(id, tenant)
	if !found {
		return reply{}, faults.NotFound(s.what, id)
	}
	return ok(st)
}

func (s *ruleSet[R, S]) delete(r *http.Request) (reply, error) {
	tenant, err := s.tenant(r)
	if err != nil {
		return reply{}, err
	}
	id := s.id(r)
	if !s.reg.Delete(id, tenant) {
		return reply{}, faults.NotFound(s.what, id)
	}
	s.a.cfg.Logger.Info(s.what+" deleted", "id", id)
	return noContent()
}

// tenant returns the tenant a request to the endpoints names, "" for none (every
// tenant's rules); it takes no other query parameter.
func (s *ruleSet[R, S]) tenant(r *http.Request) (string, error) {
	if err := checkQuery(r, "tenant"); err != nil {
		return "", err
	}
	tenant, given, err := controlTenant(r)
	if err != nil || !given {
		return "", err
	}
	return tenant, nil
}

// id is the {id} of Prefix+path+"/{id}", unescaped.
func (s *ruleSet[R, S]) id(r *http.Request) string {
	id := strings.TrimPrefix(r.URL.Path, Prefix+s.path+"/")
	return strings.TrimSuffix(id, "/")
}
