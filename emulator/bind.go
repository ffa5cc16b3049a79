package emulator

import (
	"bytes"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/tidwall/gjson"

	"github.com/graph-emulator/graph-emulator/emulator/behavior"
	"github.com/graph-emulator/graph-emulator/emulator/store"
	"github.com/graph-emulator/graph-emulator/entities"
	"github.com/graph-emulator/graph-emulator/odata"
)

// @odata.bind: references set in the body of a POST or PATCH
// ("members@odata.bind": ["https://graph.microsoft.com/v1.0/directoryObjects/{id}"],
// "manager@odata.bind": "users/{id}"), written in the same store write as the entity.

// bind is one "nav@odata.bind" member of a request body.
type bind struct {
	nav  *entities.NavigationProperty
	urls []string
}

const bindSuffix = "@odata.bind"

// readBinds reads the @odata.bind members of a body of type t: each must name a
// non-contained navigation property of t, with one URL for a single-valued property
// and an array of URLs for a collection.
func readBinds(t *entities.StructuredType, body []byte) ([]bind, error) {
	if !bytes.Contains(body, []byte(bindSuffix)) {
		return nil, nil
	}
	var binds []bind
	var err error
	gjson.ParseBytes(body).ForEach(func(k, v gjson.Result) bool {
		name, ok := strings.CutSuffix(k.Str, bindSuffix)
		if !ok {
			return true
		}
		nav := t.NavigationProperty(name)
		if nav == nil {
			err = &odata.Error{Status: http.StatusBadRequest, Code: "RequestBodyRead",
				Message: "The property '" + name + "' does not exist on type '" + t.QualifiedName() +
					"'. Make sure to only use property names that are defined by the type or mark the type as open type."}
			return false
		}
		if nav.ContainsTarget {
			err = badBind("The navigation property '" + name + "' is a containment; it cannot be bound with '" + k.Str + "'.")
			return false
		}
		b := bind{nav: nav}
		switch {
		case nav.IsCollection() && v.IsArray():
			v.ForEach(func(_, u gjson.Result) bool {
				if u.Type != gjson.String {
					err = badBind("The value of '" + k.Str + "' must be an array of URLs.")
					return false
				}
				b.urls = append(b.urls, u.Str)
				return true
			})
		case !nav.IsCollection() && v.Type == gjson.String:
			b.urls = []string{v.Str}
		case nav.IsCollection():
			err = badBind("The value of '" + k.Str + "' must be an array of URLs.")
		default:
			err = badBind("The value of '" + k.Str + "' must be a URL.")
		}
		if err != nil {
			return false
		}
		binds = append(binds, b)
		return true
	})
	return binds, err
}

func badBind(msg string) *odata.Error {
	return &odata.Error{Status: http.StatusBadRequest, Code: "BadRequest", Message: msg}
}

// applyBinds links the references of binds from the entity r addresses, inside tx: a
// single-valued property's reference is replaced, a collection's are added.
func (s *Server) applyBinds(rq *request, tx store.Tx, r *resource, binds []bind) error {
	for _, b := range binds {
		if s.behavior.Nav(rq.schema, entityType(rq.schema, r), b.nav).ReadOnly {
			return behavior.ErrReadOnlyNav(b.nav.Name)
		}
		refs := r.entityColl.Refs(r.entity.ID, b.nav.Name)
		if !b.nav.IsCollection() {
			tx.UnlinkAll(refs)
		}
		for _, raw := range b.urls {
			coll, target, err := s.resolveURL(rq, tx, raw)
			if err != nil {
				var ge *odata.Error
				if errors.As(err, &ge) && ge.Status == http.StatusNotFound {
					// Graph answers a bind to a missing object with a 400.
					return &odata.Error{Status: http.StatusBadRequest, Code: "Request_BadRequest", Message: ge.Message}
				}
				return err
			}
			if !entityIsA(rq.schema, target, b.nav.Target()) {
				return errNotA(raw, b.nav.Target())
			}
			if _, err := tx.Link(refs, coll, target.ID); errors.Is(err, store.ErrExists) {
				return errRefExists(b.nav.Name)
			} else if err != nil {
				return storeError(err, target.ID)
			}
		}
	}
	return nil
}

// resolveURL finds the entity an @odata.id or @odata.bind names: an absolute URL (of
// this emulator or of Graph itself) or a path relative to the version root.
func (s *Server) resolveURL(rq *request, v store.View, raw string) (store.Coll, store.Entity, error) {
	bad := &odata.Error{Status: http.StatusBadRequest, Code: "Request_BadRequest",
		Message: "Invalid object identifier '" + raw + "'."}
	u, err := url.Parse(raw)
	if err != nil {
		return store.Coll{}, store.Entity{}, bad
	}
	p := strings.TrimPrefix(u.EscapedPath(), "/")
	if ver, rest, ok := strings.Cut(p, "/"); ok && s.cfg.schemas[ver] != nil {
		p = rest
	}
	path, err := odata.ParsePath(rq.schema, p)
	if err != nil || path.Kind != odata.PathEntity {
		return store.Coll{}, store.Entity{}, bad
	}
	sub := *rq
	sub.path = path
	r, err := s.resolve(&sub, v)
	if err != nil {
		return store.Coll{}, store.Entity{}, err
	}
	if err := s.requireEntity(&sub, v, r); err != nil {
		return store.Coll{}, store.Entity{}, err
	}
	if r.virtual || !r.entityColl.IsRoot() && s.schemaCache(rq.schema).setOfType[entityType(rq.schema, r)] != nil {
		// A contained entity is referenced where it is kept only when its type has no
		// entity set of its own (a drive item, in its drive's items).
		return store.Coll{}, store.Entity{}, bad
	}
	return r.entityColl, r.entity, nil
}

func errNotA(raw string, t *entities.StructuredType) error {
	return &odata.Error{Status: http.StatusBadRequest, Code: "Request_BadRequest",
		Message: "Invalid object identifier '" + raw + "': the entity is not a " + t.QualifiedName() + "."}
}

func errRefExists(nav string) error {
	return &odata.Error{Status: http.StatusBadRequest, Code: "Request_BadRequest",
		Message: "One or more added object references already exist for the following modified properties: '" + nav + "'."}
}
