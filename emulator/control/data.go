package control

import (
	"net/http"
)

// Reset answers POST /_emulator/reset: every tenant is returned to its state at start,
// or only the one named by ?tenant= or the X-Emulator-Tenant header.
func (a *API) Reset() http.Handler {
	return a.serve(methods{http.MethodPost: a.reset})
}

func (a *API) reset(r *http.Request) (reply, error) {
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
	if err := a.cfg.Backend.ResetState(tenant); err != nil {
		return reply{}, err
	}
	a.cfg.Logger.Info("reset", "tenant", tenantLabel(tenant))
	return noContent()
}

// Data answers /_emulator/data: GET exports a tenant's state as a fixture, PUT imports a
// fixture in place of it, POST adds a fixture to it. The tenant is named by ?tenant= or
// the X-Emulator-Tenant header (the default tenant otherwise).
func (a *API) Data() http.Handler {
	return a.serve(methods{
		http.MethodGet:  a.exportData,
		http.MethodPut:  func(r *http.Request) (reply, error) { return a.importData(r, true) },
		http.MethodPost: func(r *http.Request) (reply, error) { return a.importData(r, false) },
	})
}

func (a *API) exportData(r *http.Request) (reply, error) {
	if err := checkQuery(r, "tenant", "version"); err != nil {
		return reply{}, err
	}
	tenant, _, err := controlTenant(r)
	if err != nil {
		return reply{}, err
	}
	b, err := a.cfg.Backend.Export(tenant, r.URL.Query().Get("version"))
	if err != nil {
		return reply{}, err
	}
	return reply{status: http.StatusOK, raw: b}, nil
}

func (a *API) importData(r *http.Request, replace bool) (reply, error) {
	if err := checkQuery(r, "tenant"); err != nil {
		return reply{}, err
	}
	tenant, _, err := controlTenant(r)
	if err != nil {
		return reply{}, err
	}
	body, err := a.readBody(r)
	if err != nil {
		return reply{}, err
	}
	res, err := a.cfg.Backend.Import(tenant, body, replace)
	if err != nil {
		return reply{}, err
	}
	a.cfg.Logger.Info("fixture imported", "tenant", tenant, "replace", replace,
		"entities", res.Entities, "references", res.References)
	return ok(res)
}

func tenantLabel(t string) string {
	if t == "" {
		return "(all)"
	}
	return t
}
