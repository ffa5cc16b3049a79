package emulator

import (
	"net/http"

	"github.com/graph-emulator/graph-emulator/emulator/behavior"
	"github.com/graph-emulator/graph-emulator/emulator/store"
	"github.com/graph-emulator/graph-emulator/entities"
	"github.com/graph-emulator/graph-emulator/odata"
)

// Entities whose writes the behaviour makes itself (behavior.Manages: drive items,
// whose names, conflicts, moves and recursive deletes are Graph's own). The server
// reads and checks the body against the schema, resolves the path in one store write
// and hands both to the behaviour, which answers as an operation does (an OpResult,
// written as the entity's GET is). Reads of these entities stay generic. The behaviour
// also completes what the server writes of some entities (present): values Graph
// computes on read.

// env is what the behaviour needs of a request besides the store (behavior.Env), made
// once per request and kept in it (no allocation of its own); what it asks to run at
// commit goes to rq.commits, which the request's write runs.
func (s *Server) env(rq *request) *behavior.Env {
	if rq.envReady {
		return &rq.env
	}
	rq.env = behavior.Env{Version: rq.version, Base: rq.base, Principal: rq.info.Principal, Content: s.content,
		Merge: mergeWithKey, Render: renderWithKey}
	rq.env.CollectCommits(&rq.commits)
	if rq.r.URL.RawQuery != "" {
		rq.env.Query, _ = odata.SplitQuery(rq.r.URL.RawQuery)
	}
	rq.envReady = true
	return &rq.env
}

func mergeWithKey(t *entities.StructuredType, body []byte, fields []entities.Field) []byte {
	return mergeBody(t, keyName(t), body, fields)
}

func renderWithKey(t *entities.StructuredType, id string, fields []entities.Field) []byte {
	return renderBody(keyName(t), id, fields)
}

// present completes body (entity e's, of type t, $select sel applied) with what the
// behaviour computes on read.
func (s *Server) present(rq *request, t *entities.StructuredType, e store.Entity, body []byte, sel []string) []byte {
	if !s.behavior.Presents(rq.schema, t) {
		return body
	}
	return s.behavior.Present(&behavior.Presentation{Schema: rq.schema, Tenant: rq.tenant(), Version: rq.version,
		Base: rq.base, Now: s.cfg.now(), View: rq.view, Content: s.content, Select: sel}, e, body)
}

// createManaged answers POST to a collection of managed entities.
func (s *Server) createManaged(rq *request) (*response, error) {
	body, err := s.readBody(rq)
	if err != nil {
		return nil, err
	}
	p, err := rq.schema.ReadPayload(rq.path.Type, body, entities.ReadOptions{Strict: s.cfg.strict})
	if err != nil {
		return nil, payloadError(err)
	}
	return s.write(rq, func(s *Server, rq *request, tx store.Tx, r *resource) (*response, error) {
		if r.single {
			return nil, odata.ErrMethodNotAllowed("GET, PATCH, DELETE")
		}
		res, err := s.behavior.Create(&behavior.WriteCall{Call: s.call(rq, tx, p.Type), Tx: tx, Coll: r.coll,
			Owner: r.owner, OwnerColl: r.ownerColl, Nav: r.nav, Body: body, Fields: p.Fields})
		return s.opResponse(rq, res, err)
	})
}

// updateManaged answers PATCH of a managed entity (PUT replaces nothing: Graph's drive
// items take PATCH).
func (s *Server) updateManaged(rq *request, body []byte, merge bool) (*response, error) {
	if !merge {
		return nil, odata.ErrMethodNotAllowed("GET, PATCH, DELETE")
	}
	p, err := rq.schema.ReadPayload(rq.path.Type, body, entities.ReadOptions{Strict: s.cfg.strict, Partial: true})
	if err != nil {
		return nil, payloadError(err)
	}
	return s.write(rq, func(s *Server, rq *request, tx store.Tx, r *resource) (*response, error) {
		if err := s.requireEntity(rq, tx, r); err != nil {
			return nil, err
		}
		if err := s.checkPreconditions(rq, r); err != nil {
			return nil, err
		}
		res, err := s.behavior.Update(&behavior.WriteCall{Call: s.call(rq, tx, entityType(rq.schema, r)), Tx: tx,
			Coll: r.entityColl, Entity: r.entity, Owner: r.owner, OwnerColl: r.ownerColl, Nav: r.nav,
			Body: body, Fields: p.Fields})
		if err != nil {
			return nil, err
		}
		if prefersMinimal(rq.r.Header) && res.Entity != nil {
			return &response{status: http.StatusNoContent, applied: "return=minimal"}, nil
		}
		return s.opResponse(rq, res, nil)
	})
}
