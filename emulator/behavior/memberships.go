package behavior

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"github.com/tidwall/gjson"

	"github.com/graph-emulator/graph-emulator/entities"
	"github.com/graph-emulator/graph-emulator/odata"
)

// The membership actions bound to a directory object (a user, group, service principal,
// organizational contact or device, also through /directoryObjects/{id} and /me), all
// transitive over nested groups and answered as {"value":[ids]}:
//
//	checkMemberGroups  {"groupIds":[…]}               the given groups it is a member of
//	checkMemberObjects {"ids":[…]}                    the given groups, directory roles
//	                                                  (by id or roleTemplateId) and
//	                                                  administrative units it is a member of
//	getMemberGroups    {"securityEnabledOnly":bool}   its groups and directory roles
//	getMemberObjects   {"securityEnabledOnly":bool}   its groups, directory roles and
//	                                                  administrative units
//
// securityEnabledOnly true keeps the security-enabled groups only. A check takes at
// most 20 ids, as Graph's does.

func registerMemberships(b *Behavior) {
	b.operations[graphNamespace+".checkMemberGroups"] = b.checkMemberGroups
	b.operations[graphNamespace+".checkMemberObjects"] = b.checkMemberObjects
	b.operations[graphNamespace+".getMemberGroups"] = b.getMemberGroups
	b.operations[graphNamespace+".getMemberObjects"] = b.getMemberObjects
}

// membershipKind says which memberships an action reports.
type membershipKind struct {
	groups, roles, units bool
	// securityOnly keeps the security-enabled groups only (and no roles or units).
	securityOnly bool
}

func (b *Behavior) checkMemberGroups(_ context.Context, c *OpCall) (*OpResult, error) {
	return b.checkMembers(c, "groupIds", membershipKind{groups: true})
}

func (b *Behavior) checkMemberObjects(_ context.Context, c *OpCall) (*OpResult, error) {
	return b.checkMembers(c, "ids", membershipKind{groups: true, roles: true, units: true})
}

func (b *Behavior) getMemberGroups(_ context.Context, c *OpCall) (*OpResult, error) {
	return b.getMembers(c, membershipKind{groups: true, roles: true, securityOnly: c.Args.Get("securityEnabledOnly").Bool()})
}

func (b *Behavior) getMemberObjects(_ context.Context, c *OpCall) (*OpResult, error) {
	return b.getMembers(c, membershipKind{groups: true, roles: true, units: true, securityOnly: c.Args.Get("securityEnabledOnly").Bool()})
}

// getMembers answers the ids of every membership of the kind asked for.
func (b *Behavior) getMembers(c *OpCall, kind membershipKind) (*OpResult, error) {
	if c.Binding.ID == "" {
		return nil, odata.ErrInternal()
	}
	w := odata.BeginCollection(nil, odata.CollectionHead{Context: odata.ContextURL(c.Base, c.Version, "Collection(Edm.String)", false)})
	for _, m := range b.memberships(c.Schema, c.View, c.BindingColl, c.Binding.ID) {
		if kind.accepts(c.Schema, m.Entity.Type, m.Entity.Body) {
			w.AddString(m.Entity.ID)
		}
	}
	return &OpResult{Status: http.StatusOK, Body: w.Finish()}, nil
}

// checkMembers answers the ids of the parameter param that name a membership of the
// kind asked for, in the order given, each once.
func (b *Behavior) checkMembers(c *OpCall, param string, kind membershipKind) (*OpResult, error) {
	if c.Binding.ID == "" {
		return nil, odata.ErrInternal()
	}
	ids := c.Args.Strings(param)
	if len(ids) > checkMemberListLimit {
		return nil, &odata.Error{Status: http.StatusBadRequest, Code: "Request_BadRequest",
			Message: "The request exceeds the maximum of " + strconv.Itoa(checkMemberListLimit) + " " + param + ".",
			Details: []odata.ErrorDetail{{Code: "InvalidValue", Message: "Too many values.", Target: param}}}
	}
	// The memberships, by id (and a directory role by its template's id too), folded.
	member := map[string]bool{}
	for _, m := range b.memberships(c.Schema, c.View, c.BindingColl, c.Binding.ID) {
		if !kind.accepts(c.Schema, m.Entity.Type, m.Entity.Body) {
			continue
		}
		member[strings.ToLower(m.Entity.ID)] = true
		if kind.roles && isTypeNamed(c.Schema, m.Entity.Type, directoryRoleType) {
			if tid := gjson.GetBytes(m.Entity.Body, roleTemplateIDProp).String(); tid != "" {
				member[strings.ToLower(tid)] = true
			}
		}
	}
	w := odata.BeginCollection(nil, odata.CollectionHead{Context: odata.ContextURL(c.Base, c.Version, "Collection(Edm.String)", false)})
	seen := map[string]bool{}
	for _, id := range ids {
		k := strings.ToLower(id)
		if member[k] && !seen[k] {
			seen[k] = true
			w.AddString(id)
		}
	}
	return &OpResult{Status: http.StatusOK, Body: w.Finish()}, nil
}

// accepts reports whether an entity (by type name and body) is a membership of kind k.
func (k membershipKind) accepts(schema *entities.Schema, typeName string, body []byte) bool {
	switch {
	case isTypeNamed(schema, typeName, groupType):
		return k.groups && (!k.securityOnly || gjson.GetBytes(body, securityEnabledProp).Bool())
	case isTypeNamed(schema, typeName, directoryRoleType):
		return k.roles && !k.securityOnly
	case isTypeNamed(schema, typeName, adminUnitType):
		return k.units && !k.securityOnly
	}
	return false
}

// isTypeNamed reports whether the type named typeName is the type named name or derives
// from it.
func isTypeNamed(schema *entities.Schema, typeName, name string) bool {
	t := schema.EntityType(typeName)
	return t != nil && isA(schema, t, name)
}
