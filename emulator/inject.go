package emulator

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"

	"github.com/graph-emulator/graph-emulator/emulator/control"
	"github.com/graph-emulator/graph-emulator/emulator/faults"
	"github.com/graph-emulator/graph-emulator/emulator/store"
	"github.com/graph-emulator/graph-emulator/emulator/stubs"
	"github.com/graph-emulator/graph-emulator/odata"
)

// Faults and stubs (packages faults and stubs, configured through /_emulator/faults and
// /_emulator/stubs, WithFaults and WithStubs): the middleware that applies them.

// initInject makes the server's registries of fault rules and stubs, with the
// server's clock and random source, and adds those of the options.
func (s *Server) initInject() error {
	c := &s.cfg.control
	s.faults = faults.New(faults.Config{Now: s.cfg.now, Rand: c.random, ParseTenant: control.ParseTenant})
	s.stubs = stubs.New(stubs.Config{ParseTenant: control.ParseTenant})
	if len(c.faults) > 0 {
		if _, err := s.faults.Add(c.faults...); err != nil {
			return fmt.Errorf("emulator: fault rule: %s", errorText(err))
		}
		s.cfg.logger.Info("fault rules added", "count", len(c.faults))
	}
	if len(c.stubs) > 0 {
		if _, err := s.stubs.Add(c.stubs...); err != nil {
			return fmt.Errorf("emulator: stub: %s", errorText(err))
		}
		s.cfg.logger.Info("stubs added", "count", len(c.stubs))
	}
	return nil
}

// statusClientClosed is what the journal records for a request whose client went away
// while an injected latency ran (nginx's 499): nobody reads the answer.
const statusClientClosed = 499

// withFaults applies the fault rules, then the stubs, to every request but the
// control API's, after its tenant and principal are known; $batch steps come through
// the whole chain, each on its own. A rule's error answers in Graph's shape through
// the server's error writer; a stub's answer carries the envelope's headers
// (request-id, client-request-id, OData-Version) like any other; a request neither
// answers goes on to the emulator. The journal, outside, records what was answered and
// which rules and stub acted.
func (s *Server) withFaults(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.faults.Len() == 0 && s.stubs.Len() == 0 || isControl(r) {
			next.ServeHTTP(w, r)
			return
		}
		ri := Info(r.Context())
		req := faults.Request{Method: r.Method, Path: r.URL.Path, RawQuery: r.URL.RawQuery, Tenant: store.DefaultTenant}
		if ri != nil {
			req.Tenant = ri.Tenant
		}
		out, err := s.faults.Apply(r.Context(), &req)
		if ri != nil {
			ri.Faults = out.Applied
		}
		switch {
		case errors.Is(err, context.DeadlineExceeded):
			// A deadline of the server's (not the client's) ended the wait.
			s.writeError(w, r, &odata.Error{Status: http.StatusGatewayTimeout, Code: "GatewayTimeout",
				Message: "The request timed out while an injected latency ran."})
			return
		case err != nil:
			w.WriteHeader(statusClientClosed)
			return
		case out.Answer != nil:
			s.writeError(w, r, out.Answer)
			return
		}
		a, id := s.stubs.Answer(&req)
		if a == nil {
			next.ServeHTTP(w, r)
			return
		}
		if ri != nil {
			ri.Stub = id
		}
		s.writeStub(w, a)
	})
}

// writeStub writes a stub's answer: its headers over the envelope's, Graph's JSON
// media type when it has a body and names none.
func (s *Server) writeStub(w http.ResponseWriter, a *stubs.Answer) {
	h := w.Header()
	for k, v := range a.Header {
		h[k] = slices.Clone(v) // the answer is shared by every request the stub answers
	}
	if len(a.Body) > 0 {
		if _, ok := h["Content-Type"]; !ok {
			h["Content-Type"] = jsonContentType
		}
		h["Content-Length"] = []string{itoa(len(a.Body))}
	}
	w.WriteHeader(a.Status)
	if len(a.Body) > 0 {
		_, _ = w.Write(a.Body)
	}
}
