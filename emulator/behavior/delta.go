package behavior

import (
	"net/http"
	"strings"

	"github.com/graph-emulator/graph-emulator/entities"
	"github.com/graph-emulator/graph-emulator/odata"
)

// Graph's delta queries: which bound function is one, which query options it takes,
// how an updated or removed entity is written, and the errors for tokens. The generic
// engine (emulator/delta.go) pages the current state and the change feed; this file is
// what Graph decides beyond that.

// deltaName is the name of Graph's change-tracking function: /users/delta, or
// /users/microsoft.graph.delta qualified.
const deltaName = "delta"

// IsDelta reports whether op is Graph's delta function on a collection: a function
// named delta, bound to a collection, that returns a collection. (driveItem's delta,
// bound to one item and taking a token parameter, is not one of these.)
func (b *Behavior) IsDelta(op *entities.Operation) bool {
	return op != nil && op.Kind == entities.Function && op.IsBound && op.Name == deltaName &&
		strings.HasPrefix(op.BindingType(), "Collection(") && strings.HasPrefix(op.ReturnType, "Collection(")
}

// DeltaQuery is a delta request's query options as the rules see them.
type DeltaQuery struct {
	Schema *entities.Schema
	// Type is the tracked collection's entity type (after casts).
	Type  *entities.StructuredType
	Query *odata.Query
	// KeyName is the name of the type's key property.
	KeyName string
}

// DeltaRules checks the query options of the request that starts a round of change
// tracking. On directory objects (the advanced-query types) Graph's overview
// (concepts/delta-query-overview.md, "Optional query parameters") says: "$expand is
// not supported. $top is not supported. $orderby is not supported", and the only
// $filter is on the object id (user-delta.md: "The only supported $filter expression
// is for tracking changes on a specific object: $filter=id+eq+{value}"); $search is
// never supported in delta (delta-query-messages.md). Other types take $select,
// $filter and $top (the page size). The emulator refuses $expand and $orderby on
// every type: Graph takes them on messages only (and $orderby only as
// receivedDateTime desc, "If you don't include an $orderby expression, the return
// order isn't guaranteed"), and delta pages keep creation order.
func (b *Behavior) DeltaRules(c DeltaQuery) error {
	q := c.Query
	switch {
	case q.Search != nil:
		return unsupportedQuery("$search is not supported with delta queries.")
	case len(q.Expand) > 0:
		return unsupportedQuery("$expand is not supported with delta queries.")
	case q.Count:
		return unsupportedQuery("$count is not supported with delta queries.")
	case q.Skip > 0:
		return unsupportedQuery("$skip is not supported with delta queries.")
	case len(q.OrderBy) > 0:
		return unsupportedQuery("$orderby is not supported with delta queries.")
	}
	if !b.Advanced(c.Schema, c.Type) {
		return nil
	}
	switch {
	case q.Top >= 0:
		return unsupportedQuery("$top is not supported with delta queries on directory objects.")
	case q.Filter != nil:
		if !onlyKeyEquality(q.Filter, c.KeyName) {
			return unsupportedQuery("Only $filter=id eq '{value}' (or id in (...)) is supported with delta queries on directory objects.")
		}
	}
	return nil
}

// onlyKeyEquality reports whether a filter compares nothing but the key with eq or in,
// joined with or and and: its text, quoted literals left out, holds no other word.
func onlyKeyEquality(f *odata.Filter, key string) bool {
	s := f.String()
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '\'':
			// A quoted literal, quotes doubled inside.
			for i++; i < len(s); i++ {
				if s[i] == '\'' {
					if i+1 < len(s) && s[i+1] == '\'' {
						i++
						continue
					}
					break
				}
			}
			i++
		case isWordByte(c):
			j := i
			for j < len(s) && isWordByte(s[j]) {
				j++
			}
			switch w := s[i:j]; {
			case w == key, strings.EqualFold(w, "eq"), strings.EqualFold(w, "in"),
				strings.EqualFold(w, "or"), strings.EqualFold(w, "and"):
			default:
				return false
			}
			i = j
		default:
			i++ // spaces, parentheses, commas
		}
	}
	return true
}

func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '/' || c == '-'
}

// DeltaChangedOnly reports whether an entity updated since the client's token is written
// with its key and the properties that changed only. Graph does so for directory
// objects ("Updated instances are represented by their id with at least the
// properties that have been updated", concepts/delta-query-overview.md), and for any
// type when the request prefers return=minimal (user-delta.md, "Alternative: return
// only the changed properties"); other resources (messages, events) come whole.
func (b *Behavior) DeltaChangedOnly(schema *entities.Schema, t *entities.StructuredType, minimal bool) bool {
	return minimal || b.Advanced(schema, t)
}

// RemovedReason is the reason of the @removed annotation on an entity deleted since the
// client's token. Graph says "changed" when the object can be restored from
// directory/deletedItems and "deleted" when it is gone for good
// (concepts/delta-query-overview.md); the emulator keeps no deleted items, so every
// deletion is final.
func (b *Behavior) RemovedReason(*entities.Schema, *entities.StructuredType) string {
	return "deleted"
}

// ErrDeltaToken answers a $skiptoken or $deltatoken the emulator did not issue for this
// collection, tenant and version, or one it cannot read.
func (b *Behavior) ErrDeltaToken(option string) error {
	return &odata.Error{Status: http.StatusBadRequest, Code: "BadRequest",
		Message: "Invalid " + option + ": the token is malformed or was issued for another collection, tenant or version."}
}

// ErrSyncStateNotFound answers a token whose changes the emulator no longer holds (its
// change feed has dropped them, or the tenant was reset). Graph's overview says an
// expired token gets "a 40X-series error with error codes such as syncStateNotFound",
// and that a synchronization reset is "410 (gone) and a Location header containing a
// request URL with an empty $deltaToken (same as the initial query)"
// (concepts/delta-query-overview.md, "Token duration", "Synchronization reset");
// restart is that URL.
func (b *Behavior) ErrSyncStateNotFound(restart string) error {
	e := &odata.Error{Status: http.StatusGone, Code: "syncStateNotFound",
		Message: "The sync state of this delta token is no longer available: restart change tracking with a full synchronization."}
	if restart != "" {
		e.Header = http.Header{"Location": {restart}}
	}
	return e
}

// ErrDeltaTokenWithOptions answers a token sent with query options of its own: the
// options of a round are given once, in its first request, and travel in its tokens
// (concepts/delta-query-overview.md, "State tokens").
func (b *Behavior) ErrDeltaTokenWithOptions(option string) error {
	return &odata.Error{Status: http.StatusBadRequest, Code: "BadRequest",
		Message: "Query option '" + option + "' cannot be combined with a state token: the token carries the options of the initial delta request."}
}
