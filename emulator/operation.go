package emulator

import (
	"net/http"
	"net/url"

	"github.com/graph-emulator/graph-emulator/emulator/behavior"
	"github.com/graph-emulator/graph-emulator/emulator/store"
	"github.com/graph-emulator/graph-emulator/entities"
	"github.com/graph-emulator/graph-emulator/odata"
)

// opHandler answers an operation the generic engine handles itself.
type opHandler func(s *Server, rq *request) (*response, error)

// engineOperation returns the handler of an operation the generic engine answers
// itself instead of the behaviour registry (delta answers here), or nil. It runs first:
// before the method and the parameters are checked.
func (s *Server) engineOperation(rq *request) opHandler { return nil }

// operation answers a bound or unbound function or action: functions answer GET and
// actions POST (else 405); the parameters are checked against the operation's declared
// types (a function's from the URL, with aliases from the query string; an action's
// from its JSON body), 400 naming the parameter; the entity the operation is bound to
// must exist (else 404); then the behaviour's registry runs it, a function in one
// store read, an action in one store write. An operation the registry does not know
// answers 501.
func (s *Server) operation(rq *request) (*response, error) {
	if h := s.engineOperation(rq); h != nil {
		return h(s, rq)
	}
	last := rq.path.Last()
	if len(last.Operations) == 0 {
		return nil, odata.ErrInternal()
	}
	op := last.Operations[0]
	call := &behavior.OpCall{Schema: rq.schema, Tenant: rq.tenant(), Params: last.Params,
		Version: rq.version, Base: rq.base, Now: s.cfg.now, NewID: s.cfg.newID, Header: rq.r.Header}
	if op.Kind == entities.Function {
		if rq.r.Method != http.MethodGet {
			return nil, odata.ErrMethodNotAllowed(http.MethodGet)
		}
		q, err := odata.SplitQuery(rq.r.URL.RawQuery)
		if err != nil {
			return nil, err
		}
		call.Query = q
		op, call.Args, err = odata.FunctionArgs(rq.schema, last.Operations, last.Params, queryAliases(q))
		if err != nil {
			return nil, err
		}
	} else {
		if rq.r.Method != http.MethodPost {
			return nil, odata.ErrMethodNotAllowed(http.MethodPost)
		}
		q, err := odata.SplitQuery(rq.r.URL.RawQuery)
		if err != nil {
			return nil, err
		}
		call.Query = q
		// The body is read before the store is: no lock is held across I/O. An action
		// may have none; one it has must be JSON.
		if rq.r.ContentLength != 0 && rq.r.Body != nil && rq.r.Body != http.NoBody {
			if call.Body, err = s.readBody(rq); err != nil {
				return nil, err
			}
		}
		if call.Args, err = odata.ActionArgs(rq.schema, op, call.Body, entities.ReadOptions{Strict: s.cfg.strict}); err != nil {
			return nil, err
		}
	}
	call.Operation = op
	call.Name = op.QualifiedName()
	run := s.behavior.Operation(call.Name)
	if !s.behavior.Implements(call.Name) || op.Kind == entities.Function {
		// A function changes nothing: it runs in a read. So does the fallback, once the
		// path is checked (a missing entity is a 404).
		return s.read(rq, func(s *Server, rq *request, v store.View, r *resource) (*response, error) {
			call.View, call.Env = v, s.env(rq)
			bindCall(call, r)
			res, err := run(rq.r.Context(), call)
			return s.opResponse(rq, res, err)
		})
	}
	return s.write(rq, func(s *Server, rq *request, tx store.Tx, r *resource) (*response, error) {
		call.View, call.Tx, call.Env = tx, tx, s.env(rq)
		bindCall(call, r)
		res, err := run(rq.r.Context(), call)
		return s.opResponse(rq, res, err)
	})
}

// bindCall gives a call the entity its operation is bound to, when there is one, and
// where a path-based address led.
func bindCall(call *behavior.OpCall, r *resource) {
	call.Address = r.addr
	if !r.single {
		call.Coll = r.coll
	}
	if r.single && r.found {
		call.BindingColl, call.Binding = r.entityColl, r.entity
		if t := call.Schema.EntityType(r.entity.Type); t != nil {
			call.Set = func(body []byte, name, raw string) []byte {
				_, i := t.Property(name)
				return mergeBody(t, keyName(t), body, []entities.Field{{Name: name, Raw: raw, Index: i}})
			}
		}
	}
}

func (s *Server) opResponse(rq *request, res *behavior.OpResult, err error) (*response, error) {
	if err != nil {
		return nil, err
	}
	if res == nil {
		return nil, odata.ErrInternal()
	}
	if res.Entity != nil {
		t := rq.schema.EntityType(res.Entity.Type)
		if t == nil {
			return nil, odata.ErrInternal()
		}
		r := &resource{context: res.EntitySet, declared: t, typ: t, single: true, found: true, entity: *res.Entity,
			entityColl: res.EntityColl}
		resp := s.entityResponse(rq, r, res.Status, *res.Entity)
		resp.location = res.Location
		return resp, nil
	}
	return &response{status: res.Status, body: res.Body, contentType: res.ContentType, location: res.Location}, nil
}

// queryAliases returns the parameter aliases of a query string: @name=literal.
func queryAliases(q url.Values) odata.ParamAliases {
	return func(name string) (string, bool) {
		v, ok := q["@"+name]
		if !ok || len(v) == 0 {
			return "", false
		}
		return v[0], true
	}
}
