package emulator

import (
	"bytes"
	"net/http"

	"github.com/tidwall/gjson"

	"github.com/graph-emulator/graph-emulator/emulator/behavior"
	"github.com/graph-emulator/graph-emulator/emulator/store"
	"github.com/graph-emulator/graph-emulator/entities"
	"github.com/graph-emulator/graph-emulator/odata"
)

// operation answers a bound or unbound function or action: the entity it is bound to
// must exist (else 404), then the behaviour's registry runs it, in one store write;
// an operation the registry does not know answers 501.
func (s *Server) operation(rq *request) (*response, error) {
	last := rq.path.Last()
	name := last.Name
	call := &behavior.OpCall{Name: name, Schema: rq.schema, Tenant: rq.tenant(), Params: last.Params}
	if len(last.Operations) > 0 {
		call.Operation = last.Operations[0]
		call.Name = call.Operation.QualifiedName()
	}
	op := s.behavior.Operation(call.Name)
	if !s.behavior.Implements(call.Name) {
		// Only the path is checked (a missing entity is a 404), then the fallback answers.
		return s.read(rq, func(s *Server, rq *request, _ store.View, _ *resource) (*response, error) {
			_, err := op(rq.r.Context(), call)
			return nil, err
		})
	}
	if call.Operation != nil && call.Operation.Kind == entities.Action {
		// The body is read before the write: no lock is held across I/O. An action
		// may have none; one it has must be JSON.
		if rq.r.ContentLength != 0 && rq.r.Body != nil && rq.r.Body != http.NoBody {
			body, err := s.readBody(rq)
			if err != nil {
				return nil, err
			}
			if len(bytes.TrimSpace(body)) > 0 && !gjson.ValidBytes(body) {
				return nil, odata.ErrUnreadableJSON()
			}
			call.Body = body
		}
	}
	return s.write(rq, func(s *Server, rq *request, tx store.Tx, r *resource) (*response, error) {
		call.Tx = tx
		if r.single && r.found {
			call.BindingColl, call.Binding = r.entityColl, r.entity
		}
		res, err := op(rq.r.Context(), call)
		if err != nil {
			return nil, err
		}
		return &response{status: res.Status, body: res.Body, contentType: res.ContentType, location: res.Location}, nil
	})
}
