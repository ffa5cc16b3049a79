package emulator

import (
	"errors"
	"net/http"
	"net/url"

	"github.com/tidwall/gjson"

	"github.com/graph-emulator/graph-emulator/emulator/store"
	"github.com/graph-emulator/graph-emulator/odata"
)

// $ref: the references of a non-contained navigation property. GET lists them (or
// reads the one of a single-valued property), POST adds one, PUT sets the one of a
// single-valued property, DELETE removes one.

// ref answers a request to a $ref path.
func (s *Server) ref(rq *request) (*response, error) {
	m := rq.r.Method
	if m == http.MethodGet {
		return s.read(rq, func(s *Server, rq *request, v store.View, r *resource) (*response, error) {
			if !r.single {
				return s.listRefs(rq, v, r)
			}
			if _, err := checkQuery(rq); err != nil {
				return nil, err
			}
			if r.id != "" {
				return nil, odata.ErrMethodNotAllowed("DELETE")
			}
			if err := s.requireEntity(rq, v, r); err != nil {
				return nil, err
			}
			*rq.buf = odata.AppendRef((*rq.buf)[:0], odata.MetadataURL(rq.base, rq.version)+"#$ref", s.refURL(rq, r.entityColl, r.entity.ID))
			return &response{status: http.StatusOK, body: *rq.buf}, nil
		})
	}
	var target string
	if m == http.MethodPost || m == http.MethodPut {
		var err error
		if target, err = s.readRefBody(rq); err != nil {
			return nil, err
		}
	}
	return s.write(rq, func(s *Server, rq *request, tx store.Tx, r *resource) (*response, error) {
		if err := checkNavWrite(r); err != nil {
			return nil, err
		}
		if rq.pre.present {
			if err := rq.pre.check(m, r.owner, true); err != nil {
				return nil, err
			}
		}
		switch {
		case !r.single && m == http.MethodPost, r.single && r.id == "" && m == http.MethodPut:
			return s.addRef(rq, tx, r, target, m == http.MethodPut)
		case r.single && m == http.MethodDelete:
			if err := s.requireEntity(rq, tx, r); err != nil {
				return nil, err
			}
			if err := tx.Unlink(r.coll, r.entity.ID); err != nil {
				return nil, storeError(err, r.entity.ID)
			}
			return &response{status: http.StatusNoContent}, nil
		case r.single && r.id == "":
			return nil, odata.ErrMethodNotAllowed("GET, PUT, DELETE")
		case r.single:
			return nil, odata.ErrMethodNotAllowed("DELETE")
		}
		return nil, odata.ErrMethodNotAllowed("GET, POST")
	})
}

// refURL is the absolute @odata.id of an entity of a top-level collection.
func (s *Server) refURL(rq *request, coll store.Coll, id string) string {
	return rq.base + "/" + rq.version + "/" + coll.Root() + "/" + url.PathEscape(id)
}

// listRefs lists the references of a navigation collection: the query options of a
// collection apply to the targets, except $select and $expand.
func (s *Server) listRefs(rq *request, v store.View, r *resource) (*response, error) {
	cq, err := s.parseCollectionQuery(rq, r)
	if err != nil {
		return nil, err
	}
	if cq.Select != nil {
		return nil, odata.ErrQueryOption("$select")
	}
	if len(cq.Expand) > 0 {
		return nil, odata.ErrQueryOption("$expand")
	}
	pg := s.page(rq, v, r, cq)
	w := odata.BeginCollection((*rq.buf)[:0], odata.CollectionHead{Context: odata.MetadataURL(rq.base, rq.version) + "#Collection($ref)",
		Count: pg.total, Counted: cq.count, NextLink: pg.nextLink})
	// The page holds the targets, with their collections.
	for _, m := range pg.items {
		w.AddRef(s.refURL(rq, m.coll, m.e.ID))
	}
	*rq.buf = w.Finish()
	return &response{status: http.StatusOK, body: *rq.buf}, nil
}

// readRefBody reads the @odata.id of a POST or PUT to $ref.
func (s *Server) readRefBody(rq *request) (string, error) {
	body, err := s.readBody(rq)
	if err != nil {
		return "", err
	}
	if !gjson.ValidBytes(body) {
		return "", odata.ErrUnreadableJSON()
	}
	id := gjson.GetBytes(body, `@odata\.id`)
	if id.Type != gjson.String || id.Str == "" {
		return "", &odata.Error{Status: http.StatusBadRequest, Code: "BadRequest",
			Message: "The request body must be a JSON object with an '@odata.id' that names the entity to link."}
	}
	return id.Str, nil
}

// addRef links the entity named by raw (an @odata.id). A single-valued navigation
// property (replace) holds at most one reference: the old one is removed in the same
// write.
func (s *Server) addRef(rq *request, tx store.Tx, r *resource, raw string, replace bool) (*response, error) {
	coll, target, err := s.resolveURL(rq, tx, raw)
	if err != nil {
		return nil, err
	}
	if !entityIsA(rq.schema, target, r.declared) {
		return nil, errNotA(raw, r.declared)
	}
	if replace {
		tx.UnlinkAll(r.coll)
	}
	if _, err := tx.Link(r.coll, coll, target.ID); errors.Is(err, store.ErrExists) {
		return nil, errRefExists(r.nav.Name)
	} else if err != nil {
		return nil, storeError(err, target.ID)
	}
	return &response{status: http.StatusNoContent}, nil
}
