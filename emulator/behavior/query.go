package behavior

import (
	"net/http"

	"github.com/graph-emulator/graph-emulator/entities"
	"github.com/graph-emulator/graph-emulator/odata"
)

// DefaultAdvancedQueryType is the type whose entities (and those of derived types)
// follow Graph's advanced-query rules by default: Graph's directory objects (users,
// groups, applications, ...).
const DefaultAdvancedQueryType = "microsoft.graph.directoryObject"

// QueryCall is a query on a collection, as the advanced-query rules see it.
type QueryCall struct {
	Schema *entities.Schema
	// Type is the collection's entity type (after casts).
	Type  *entities.StructuredType
	Query *odata.Query
	// Eventual reports the header ConsistencyLevel: eventual.
	Eventual bool
	// Segment marks the /$count segment.
	Segment bool
}

// Advanced reports whether t follows the advanced-query rules.
func (b *Behavior) Advanced(schema *entities.Schema, t *entities.StructuredType) bool {
	for _, name := range b.cfg.AdvancedQueryTypes {
		if isALookedUp(schema, t, name) {
			return true
		}
	}
	return false
}

// QueryRules applies Graph's advanced-query rules to a query on a collection and
// reports whether @odata.count is to be written.
//
// On the advanced-query types, as Graph: $search needs ConsistencyLevel: eventual; the
// /$count segment needs the header; ne, not, endswith, a collection's $count in $filter,
// and $filter with $orderby need the header and $count=true (or the /$count segment);
// $count=true without the header is ignored. With LenientQueries the emulator answers
// all but $search without the header ($search's answer is an error, not other data).
func (b *Behavior) QueryRules(c QueryCall) (count bool, err error) {
	q := c.Query
	if q.Search != nil && len(q.OrderBy) > 0 && c.Type != nil && isA(c.Schema, c.Type, messageType) {
		// Outlook sorts what $search finds itself.
		return false, &odata.Error{Status: http.StatusBadRequest, Code: "BadRequest",
			Message: "The query parameter '$orderBy' is not supported with '$search'."}
	}
	if !b.Advanced(c.Schema, c.Type) {
		return q.Count, nil
	}
	if q.Search != nil && !c.Eventual {
		return false, errSearchNeedsEventual()
	}
	if b.cfg.LenientQueries {
		return q.Count, nil
	}
	if c.Segment && !c.Eventual {
		return false, errCountSegment()
	}
	if msg := advancedOnly(q); msg != "" && !(c.Eventual && (q.Count || c.Segment)) {
		return false, unsupportedQuery(msg)
	}
	return q.Count && c.Eventual, nil
}

func unsupportedQuery(msg string) *odata.Error {
	return &odata.Error{Status: http.StatusBadRequest, Code: "Request_UnsupportedQuery", Message: msg}
}

// errSearchNeedsEventual is Graph's answer to $search on directory objects without
// ConsistencyLevel: eventual.
func errSearchNeedsEventual() *odata.Error {
	return unsupportedQuery("Request with $search query parameter only works through MSGraph with a special request header: 'ConsistencyLevel: eventual'")
}

// errCountSegment is Graph's answer to /$count on directory objects without
// ConsistencyLevel: eventual.
func errCountSegment() *odata.Error {
	return &odata.Error{Status: http.StatusBadRequest, Code: "Request_BadRequest", Message: "$count is not currently supported."}
}

// operatorNeedsAdvanced is Graph's message for a $filter operator that only advanced
// queries support (as Graph words it for endsWith).
func operatorNeedsAdvanced(op string) string {
	return "Operator '" + op + "' is not supported because the required parameters might be missing. " +
		"Try adding $count=true query parameter and ConsistencyLevel:eventual header. " +
		"Refer to https://aka.ms/graph-docs/advanced-queries for more information"
}

// advancedOnly returns Graph's message for the first construct of q that only advanced
// queries support, or "".
func advancedOnly(q *odata.Query) string {
	f := q.Filter
	switch {
	case f == nil:
		return ""
	case f.Uses(odata.FeatureNe):
		return "Unsupported property filter clause operator 'NotEqualsMatch'."
	case f.Uses(odata.FeatureNot):
		return operatorNeedsAdvanced("not")
	case f.Uses(odata.FeatureEndsWith):
		return operatorNeedsAdvanced("endsWith")
	case f.Uses(odata.FeatureCount):
		return operatorNeedsAdvanced("$count")
	case len(q.OrderBy) > 0:
		return "Sorting not supported for current query."
	}
	return ""
}
