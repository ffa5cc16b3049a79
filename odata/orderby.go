package odata

import (
	"errors"
	"slices"
	"strings"

	"github.com/tidwall/gjson"

	"github.com/graph-emulator/graph-emulator/entities"
)

// OrderItem is one key of $orderby.
type OrderItem struct {
	// Path is the property path as the schema spells it, segments joined with '/'
	// ("displayName", "address/city", "emails/$count").
	Path string
	// Desc is true for a descending key.
	Desc bool

	path string // gjson path
	conv vconv
	enum *entities.EnumType
}

// OrderBy is a parsed $orderby: keys in order of significance. The zero value orders nothing.
//
// Values order as in $filter: strings case-insensitively, numbers numerically, dates and
// DateTimeOffsets as instants, enum members by value, false before true. Null (or absent, or
// malformed) values come first in ascending order and last in descending order, as OData
// specifies (OData v4 URL conventions, $orderby; issue ODATA-330). Entities whose keys are
// all equal compare 0: Sort keeps them in their original order.
type OrderBy []OrderItem

// ParseOrderBy parses a $orderby value against type t: comma-separated property paths
// (through single complex properties; a collection's /$count) each followed by an
// optional asc or desc.
func ParseOrderBy(schema *entities.Schema, t *entities.StructuredType, text string) (OrderBy, error) {
	o, err := parseOrderBy(schema, t, text)
	if errors.Is(err, errTooManyOrderBy) {
		return nil, ErrOrderByCount(MaxOrderByItems)
	}
	if err != nil {
		return nil, errOrderByClause(text, err)
	}
	return o, nil
}

// MaxOrderByItems is how many items an $orderby may list: each costs a read of every
// entity compared (OData's validator allows 5 by default; the emulator is lenient).
const MaxOrderByItems = 32

var errTooManyOrderBy = errors.New("too many $orderby items")

func parseOrderBy(schema *entities.Schema, t *entities.StructuredType, text string) (OrderBy, error) {
	toks, err := lex(text)
	if err != nil {
		return nil, err
	}
	p := &parser{schema: schema, root: t, toks: toks}
	var o OrderBy
	for {
		tok := p.peek()
		if tok.kind != tIdent {
			return nil, errAt(tok.pos, "Syntax error: a property path expected instead of %s", describe(tok))
		}
		if p.peekAt(1).kind == tLParen {
			return nil, errAt(tok.pos, "Only property paths can be ordered by; '%s' is a function", tok.text)
		}
		x, err := p.parsePath()
		if err != nil {
			return nil, err
		}
		item := OrderItem{path: x.n.path, conv: x.n.conv}
		switch {
		case x.n.op == opNavCount:
			return nil, errAt(tok.pos, "The navigation property '%s' cannot be used in $orderby", x.segs[0])
		case x.n.op == opCount:
			item.conv = convNumber
		case x.n.op != opPath || x.t.coll:
			return nil, errAt(tok.pos, "The $orderby expression must evaluate to a single value of primitive type, found '%s'", x.t.typeName())
		case x.t.cat == catComplex || x.t.cat == catNone:
			return nil, errAt(tok.pos, "The $orderby expression must evaluate to a single value of primitive type, found '%s'", x.t.typeName())
		case x.t.cat == catEnum:
			item.enum = x.t.enum
		}
		item.Path = strings.Join(x.segs, "/")
		if p.keyword("desc") {
			item.Desc = true
			p.next()
		} else if p.keyword("asc") {
			p.next()
		}
		if o = append(o, item); len(o) > MaxOrderByItems {
			return nil, errTooManyOrderBy
		}
		next := p.next()
		switch next.kind {
		case tEOF:
			return o, nil
		case tComma:
			continue
		}
		return nil, errAt(next.pos, "Syntax error: ',' expected instead of %s", describe(next))
	}
}

// key reads the item's value from an entity.
func (it *OrderItem) key(entity []byte) value {
	r := gjson.Get(bytesString(entity), it.path)
	v := convert(r, it.conv)
	if it.conv == convNumber && !r.Exists() && strings.HasSuffix(it.path, "#") {
		v = value{k: vInt} // the $count of an absent collection is 0
	}
	if it.enum != nil {
		if ord, ok := enumOrdinal(it.enum, v); ok {
			return ord
		}
		if v.k != vNull {
			return value{k: vOther}
		}
	}
	return v
}

// Compare orders two entities by the keys: negative when a comes first, positive when b
// does, 0 when all keys are equal.
func (o OrderBy) Compare(a, b []byte) int {
	for i := range o {
		if d := compareKeys(o[i].key(a), o[i].key(b), o[i].Desc); d != 0 {
			return d
		}
	}
	return 0
}

// compareKeys orders two key values, nulls first, then reverses for desc.
func compareKeys(a, b value, desc bool) int {
	d := compareAsc(a, b)
	if desc {
		return -d
	}
	return d
}

func compareAsc(a, b value) int {
	an, bn := a.k == vNull || a.k == vOther, b.k == vNull || b.k == vOther
	switch {
	case an && bn:
		return 0
	case an:
		return -1
	case bn:
		return 1
	}
	if d, ok := compareValues(a, b); ok {
		return d
	}
	// Values of different kinds (a stored value of the wrong kind): order by kind, so
	// that the order stays total.
	return cmp3(int64(a.k), int64(b.k))
}

// Sort sorts entities (JSON objects as stored) by the keys, stably. It reads each
// entity's keys once.
func (o OrderBy) Sort(entities [][]byte) {
	SortBy(o, entities, func(b []byte) []byte { return b })
}

// SortBy sorts items by the keys of the entity body(item) returns, stably: items with equal
// keys keep their order. Each item's keys are read once.
func SortBy[T any](o OrderBy, items []T, body func(T) []byte) {
	if len(o) == 0 || len(items) < 2 {
		return
	}
	k := len(o)
	keys := make([]value, len(items)*k)
	for i, it := range items {
		b := body(it)
		for j := range o {
			keys[i*k+j] = o[j].key(b)
		}
	}
	idx := make([]int, len(items))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(x, y int) int {
		kx, ky := keys[x*k:x*k+k], keys[y*k:y*k+k]
		for j := range o {
			if d := compareKeys(kx[j], ky[j], o[j].Desc); d != 0 {
				return d
			}
		}
		return 0
	})
	sorted := make([]T, len(items))
	for i, j := range idx {
		sorted[i] = items[j]
	}
	copy(items, sorted)
}
