package behavior

import (
	"context"
	"net/http"
	"strings"

	"github.com/tidwall/gjson"

	"github.com/graph-emulator/graph-emulator/emulator/store"
	"github.com/graph-emulator/graph-emulator/odata"
)

// POST /directoryObjects/validateProperties {"entityType":"Group","displayName",
// "mailNickname","onBehalfOfUserId"} and POST /groups/{id}/validateProperties (the same
// without entityType): whether a Microsoft 365 group could take that display name and
// mail nickname. 204 when it could. A request that cannot be validated (entityType
// other than Group, neither displayName nor mailNickname, a mail nickname with
// characters Exchange refuses) is a 400; a failed validation, here a mail nickname
// another group has (compared ignoring case; a group validating its own is no
// conflict), is Graph's 422 with a PropertyConflict detail. The emulator has no naming
// policy: prefixes, suffixes and blocked words always pass.

func registerValidateProperties(b *Behavior) {
	b.operations[graphNamespace+".validateProperties"] = validateProperties
}

// mailNicknameMax is the longest mail nickname Exchange takes.
const mailNicknameMax = 64

func validateProperties(_ context.Context, c *OpCall) (*OpResult, error) {
	groupBound := !c.BindingColl.IsZero()
	if !groupBound {
		et := c.Args.String("entityType")
		if !strings.EqualFold(et, "group") {
			return nil, invalidValue("entityType", "directoryObject", "Group is the only supported entity type.")
		}
	}
	name, nick := c.Args.String("displayName"), c.Args.String("mailNickname")
	if !c.Args.Has("displayName") && !c.Args.Has("mailNickname") {
		return nil, &odata.Error{Status: http.StatusBadRequest, Code: "Request_BadRequest",
			Message: "At least one of the properties displayName or mailNickname must be specified.",
			Details: []odata.ErrorDetail{{Code: "MissingProperty", Message: "displayName or mailNickname is required.", Target: "displayName"}}}
	}
	if c.Args.Has("displayName") && strings.TrimSpace(name) == "" {
		return nil, invalidValue("displayName", "Group", "The display name is empty.")
	}
	if c.Args.Has("mailNickname") {
		if !validMailNickname(nick) {
			return nil, invalidValue("mailNickname", "Group", "The mail nickname is empty, too long or holds characters a mail nickname may not hold.")
		}
		if groupHasNickname(c, nick) {
			msg := "Another object with the same value for property mailNickname already exists."
			return nil, &odata.Error{Status: http.StatusUnprocessableEntity, Code: "Request_UnprocessableEntity",
				Message: "The values provided contain one or more validation errors.",
				Details: []odata.ErrorDetail{{Code: "PropertyConflict", Message: msg, Target: "mailNickname"}}}
		}
	}
	return &OpResult{Status: http.StatusNoContent}, nil
}

// invalidValue is Graph's 400 for a property value it refuses.
func invalidValue(property, resource, reason string) *odata.Error {
	return &odata.Error{Status: http.StatusBadRequest, Code: "Request_BadRequest",
		Message: "Invalid value specified for property '" + property + "' of resource '" + resource + "'.",
		Details: []odata.ErrorDetail{{Code: "InvalidValue", Message: reason, Target: property}}}
}

// validMailNickname reports whether s may be a mail nickname: 1 to 64 ASCII characters,
// none of @ ( ) \ [ ] " ; : < > , or a space (nor a control character), not starting or
// ending with a dot.
func validMailNickname(s string) bool {
	if s == "" || len(s) > mailNicknameMax || s[0] == '.' || s[len(s)-1] == '.' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`@()\[]";:<>,`, c) >= 0 {
			return false
		}
	}
	return true
}

// groupHasNickname reports whether a group other than the one the call is bound to has
// the mail nickname nick.
func groupHasNickname(c *OpCall, nick string) bool {
	found := false
	for _, set := range c.Schema.EntitySets() {
		if set.Type().Name != "group" {
			continue
		}
		coll := store.Set(set.Name)
		c.View.Scan(coll, 0, func(e store.Entity) bool {
			if e.ID == c.Binding.ID && !c.BindingColl.IsZero() {
				return true
			}
			if strings.EqualFold(gjson.GetBytes(e.Body, "mailNickname").String(), nick) {
				found = true
				return false
			}
			return true
		})
		if found {
			return true
		}
	}
	return false
}
