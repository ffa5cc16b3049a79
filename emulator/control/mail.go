package control

import (
	"net/http"
)

// Mail answers /_emulator/mail, the outbox: the mail the emulator would have sent to
// addresses outside the tenant (sendMail, send, reply, forward, a forwarded event),
// which Graph would deliver and the emulator keeps for tests to read. GET lists it
// ({"value":[…]}, oldest first; ?to=address keeps what was sent to that address);
// DELETE empties it. The tenant is named by ?tenant= or the X-Emulator-Tenant header
// (the default tenant otherwise); a reset empties it too.
func (a *API) Mail() http.Handler {
	return a.serve(methods{
		http.MethodGet:    a.listMail,
		http.MethodDelete: a.clearMail,
	})
}

func (a *API) listMail(r *http.Request) (reply, error) {
	if err := checkQuery(r, "tenant", "to"); err != nil {
		return reply{}, err
	}
	tenant, _, err := controlTenant(r)
	if err != nil {
		return reply{}, err
	}
	b, err := a.cfg.Backend.Outbox(tenant, r.URL.Query().Get("to"))
	if err != nil {
		return reply{}, err
	}
	return reply{status: http.StatusOK, raw: b}, nil
}

func (a *API) clearMail(r *http.Request) (reply, error) {
	if err := checkQuery(r, "tenant"); err != nil {
		return reply{}, err
	}
	tenant, _, err := controlTenant(r)
	if err != nil {
		return reply{}, err
	}
	n, err := a.cfg.Backend.ClearOutbox(tenant)
	if err != nil {
		return reply{}, err
	}
	a.cfg.Logger.Info("outbox cleared", "tenant", tenant, "messages", n)
	return noContent()
}
