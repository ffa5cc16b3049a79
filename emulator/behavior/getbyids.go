package behavior

import (
	"context"
	"net/http"
	"strings"

	"github.com/graph-emulator/graph-emulator/emulator/store"
	"github.com/graph-emulator/graph-emulator/entities"
	"github.com/graph-emulator/graph-emulator/odata"
)

// POST /directoryObjects/getByIds {"ids":[...],"types":[...]}: the directory objects
// with those ids, found in every entity set of a type derived from directoryObject
// (users, groups, applications, servicePrincipals, devices, ...), each with its
// @odata.type, in the order of ids; ids that name nothing are skipped. types, matched
// ignoring case and with or without the namespace, keeps only objects of those types
// (or types derived from them).

// getByIdsLimit is how many ids one call takes.
const getByIdsLimit = 1000

func registerGetByIds(b *Behavior) { b.operations[graphNamespace+".getByIds"] = getByIds }

func getByIds(_ context.Context, c *OpCall) (*OpResult, error) {
	base := bindingType(c)
	if base == nil {
		return nil, odata.ErrInternal()
	}
	ids := c.Args.Strings("ids")
	if len(ids) > getByIdsLimit {
		return nil, &odata.Error{Status: http.StatusBadRequest, Code: "Request_BadRequest",
			Message: "The request exceeds the maximum of 1000 ids.",
			Details: []odata.ErrorDetail{{Code: "InvalidValue", Message: "Too many ids.", Target: "ids"}}}
	}
	var want []*entities.StructuredType
	for _, name := range c.Args.Strings("types") {
		t := typeByName(c.Schema, base, name)
		if t == nil || !t.IsA(base) {
			return nil, &odata.Error{Status: http.StatusBadRequest, Code: "Request_BadRequest",
				Message: "Invalid value specified for property 'types' of resource '" + base.Name + "'.",
				Details: []odata.ErrorDetail{{Code: "InvalidValue", Message: "'" + name + "' is not a directory object type.", Target: "types"}}}
		}
		want = append(want, t)
	}
	var sets []store.Coll
	for _, set := range c.Schema.EntitySets() {
		if set.Type().IsA(base) {
			sets = append(sets, store.Set(set.Name))
		}
	}
	w := odata.BeginCollection(nil, odata.CollectionHead{Context: odata.ContextURL(c.Base, c.Version, "directoryObjects", false)})
	seen := make(map[string]bool, len(ids))
	for _, id := range ids {
		if seen[id] {
			continue
		}
		seen[id] = true
		for _, coll := range sets {
			e, err := c.View.Get(coll, id)
			if err != nil {
				continue
			}
			if len(want) > 0 && !ofTypes(c.Schema, e.Type, want) {
				break
			}
			w.Add(e.Type, e.Body)
			break
		}
	}
	return &OpResult{Status: http.StatusOK, Body: w.Finish()}, nil
}

// bindingType returns the entity type an operation is bound to (the element type of a
// collection binding), or nil.
func bindingType(c *OpCall) *entities.StructuredType {
	if c.Operation == nil {
		return nil
	}
	name := c.Operation.BindingType()
	if inner, ok := strings.CutPrefix(name, "Collection("); ok {
		name = strings.TrimSuffix(inner, ")")
	}
	return c.Schema.EntityType(name)
}

// typeByName finds a type named as clients name it in getByIds: "user", "User",
// "microsoft.graph.user" or "#microsoft.graph.user", in base's namespace when unqualified.
func typeByName(s *entities.Schema, base *entities.StructuredType, name string) *entities.StructuredType {
	name = strings.TrimPrefix(strings.TrimSpace(name), "#")
	if name == "" {
		return nil
	}
	if !strings.Contains(name, ".") {
		name = base.Namespace() + "." + name
	}
	if t := s.EntityType(name); t != nil {
		return t
	}
	return s.EntityTypeFold(name)
}

func ofTypes(s *entities.Schema, typeName string, want []*entities.StructuredType) bool {
	t := s.EntityType(typeName)
	if t == nil {
		return false
	}
	for _, w := range want {
		if t.IsA(w) {
			return true
		}
	}
	return false
}
