package entities

import (
	"sort"
	"unicode/utf8"

	"github.com/tidwall/gjson"
)

// TypeOf resolves a type as CSDL writes it ("Edm.String", "Collection(graph.user)",
// "microsoft.graph.importance") against the schema, as a property's type is resolved: an
// operation's parameter types are not resolved by Resolve, and this is how callers read
// them. The schema must be resolved.
func (s *Schema) TypeOf(typ string) (TypeRef, error) { return s.resolveRef(typ) }

// ValueCheck names what ReadValue checks a value against: the value's name and its
// owner (an operation's parameter and the operation, in errors), its type, and whether
// null is refused.
type ValueCheck struct {
	Name    string
	Owner   string
	Type    TypeRef
	NotNull bool
}

// ReadValue validates raw, one JSON value, as the value of c.Type, as ReadPayload
// validates a property's value: the same JSON kinds, enum members (matched ignoring
// case), nested objects and collections, and under opts.Strict the Edm lexical forms.
// It returns the value with enumeration members in the schema's spelling. Errors are
// ReadPayload's (InvalidValueError, UnknownPropertyError, ...), naming c.Name and
// c.Owner.
func (s *Schema) ReadValue(c ValueCheck, raw string, opts ReadOptions) (string, error) {
	if !gjson.Valid(raw) || !utf8.ValidString(raw) {
		return "", &SyntaxError{}
	}
	owner := &StructuredType{Name: c.Owner, qualified: c.Owner}
	p := &Property{Name: c.Name, Type: c.Type.String(), NotNull: c.NotNull, ref: c.Type}
	r := reader{schema: s, opts: opts}
	if err := r.value(owner, p, c.Type, gjson.Parse(raw), c.Name); err != nil {
		return "", err
	}
	if len(r.respell) > 0 {
		sort.Slice(r.respell, func(i, j int) bool { return r.respell[i].at < r.respell[j].at })
		raw = respelled(raw, 0, r.respell)
	}
	return raw, nil
}

// ValidLexical reports whether s is a lexical form of the primitive p as a JSON string
// carries it: an Edm.Date is YYYY-MM-DD, an Edm.Guid 8-4-4-4-12 hex digits, and so on.
// Edm.String and the types written as JSON numbers or booleans accept any text.
func (p Primitive) ValidLexical(s string) bool { return p.validLexical(s) }

// ValidNumber reports whether the JSON number text raw fits the numeric primitive p:
// an integer type needs an integral value in its range.
func (p Primitive) ValidNumber(raw string) bool { return p.validNumber(raw) }
