package emulator

import (
	"net/http"

	"github.com/graph-emulator/graph-emulator/emulator/store"
	"github.com/graph-emulator/graph-emulator/odata"
)

// OutboxPath is where tests read the mail the emulator would have sent out of the
// tenant (see behavior.Outbox): GET lists it ({"value":[…]}, ?to=address keeps what
// was sent to that address), DELETE empties it (204). The tenant is the request's.
//
// It lives here until the control API (/_emulator, package control) takes it as one of
// its endpoints; what it answers comes from the behaviour either way.
const OutboxPath = "/_emulator/mail"

// serveOutbox answers OutboxPath.
func (s *Server) serveOutbox(w http.ResponseWriter, r *http.Request) {
	tenant := store.DefaultTenant
	if ri := Info(r.Context()); ri != nil {
		tenant = ri.Tenant
	}
	switch r.Method {
	case http.MethodGet:
		var body []byte
		_ = s.store.Read(tenant, func(v store.View) error {
			body = s.behavior.Outbox(v, r.URL.Query().Get("to"))
			return nil
		})
		w.Header()["Content-Type"] = []string{"application/json; charset=utf-8"}
		w.Header()["Content-Length"] = []string{itoa(len(body))}
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(body)
	case http.MethodDelete:
		if err := s.store.Write(tenant, func(tx store.Tx) error {
			_, err := s.behavior.ClearOutbox(tx)
			return err
		}); err != nil {
			s.writeError(w, r, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	default:
		w.Header()["Allow"] = []string{"GET, DELETE"}
		s.writeError(w, r, odata.ErrMethodNotAllowed("GET, DELETE"))
	}
}
