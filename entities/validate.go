package entities

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"
	"unsafe"

	"github.com/tidwall/gjson"
)

// ReadOptions control how a payload is read.
type ReadOptions struct {
	// Strict also checks Edm lexical forms (an Edm.Date is YYYY-MM-DD, an Edm.Int32 an
	// integer in range), read-only properties and, unless Partial, required properties.
	Strict bool
	// Partial reads an update (PATCH): required properties may be absent.
	Partial bool
	// State reads stored state rather than a request (an entity of a fixture): with
	// Strict, read-only properties are accepted and required ones may be absent; the
	// lexical forms are still checked.
	State bool
}

// Field is one top-level member of a payload.
type Field struct {
	// Name is the member's name.
	Name string
	// Raw is the member's JSON value as sent, a substring of the payload.
	Raw string
	// Index is the property's position in the type's AllProperties, or -1 for a
	// dynamic property of an open type.
	Index int
}

// Payload is a validated JSON object of a structured type, its members in canonical
// order: declared properties in schema order (the key first), then dynamic properties
// in the order sent. Instance annotations are not kept.
type Payload struct {
	// Type is the payload's type: the one named by @odata.type, else the expected type.
	Type *StructuredType
	// TypeClaimed reports whether the payload carried @odata.type.
	TypeClaimed bool
	Fields      []Field
}

// Field returns the member with the given name, or nil.
func (p *Payload) Field(name string) *Field {
	for i := range p.Fields {
		if p.Fields[i].Name == name {
			return &p.Fields[i]
		}
	}
	return nil
}

// Error kinds returned by ReadPayload, matched with errors.As.

// SyntaxError reports a payload that is not valid JSON.
type SyntaxError struct{}

func (*SyntaxError) Error() string { return "payload is not valid JSON" }

// NotObjectError reports a payload that is valid JSON but not an object.
type NotObjectError struct{ Kind string }

func (e *NotObjectError) Error() string { return "payload is a JSON " + e.Kind + ", not an object" }

// UnknownPropertyError reports a property the type does not declare.
type UnknownPropertyError struct {
	Property string // dotted path for nested members
	Type     string // qualified type name
}

func (e *UnknownPropertyError) Error() string {
	return fmt.Sprintf("property %q does not exist on type %q", e.Property, e.Type)
}

// InvalidValueError reports a value that does not fit its property.
type InvalidValueError struct {
	Property string // dotted path for nested members
	Type     string // qualified name of the type holding the property
	Expected string // the property's type, as CSDL writes it
	Literal  string // the offending value: a string's text, else its JSON; shortened
	Reason   string // what is wrong, e.g. "expected a number"
}

func (e *InvalidValueError) Error() string {
	return fmt.Sprintf("invalid value %s for property %q of type %q: %s", e.Literal, e.Property, e.Type, e.Reason)
}

// TypeMismatchError reports an @odata.type that is neither the expected type nor derived from it.
type TypeMismatchError struct {
	Claimed  string
	Expected string
}

func (e *TypeMismatchError) Error() string {
	return fmt.Sprintf("type %q is not %q nor derived from it", e.Claimed, e.Expected)
}

// AbstractTypeError reports a payload whose type is abstract.
type AbstractTypeError struct{ Type string }

func (e *AbstractTypeError) Error() string {
	return fmt.Sprintf("cannot create an instance of abstract type %q", e.Type)
}

// DuplicatePropertyError reports a property sent twice in one object.
type DuplicatePropertyError struct{ Property string }

func (e *DuplicatePropertyError) Error() string {
	return fmt.Sprintf("property %q appears more than once", e.Property)
}

// ReadOnlyPropertyError reports a read-only property in a payload (strict mode).
type ReadOnlyPropertyError struct{ Property, Type string }

func (e *ReadOnlyPropertyError) Error() string {
	return fmt.Sprintf("property %q of type %q is read-only", e.Property, e.Type)
}

// MissingPropertyError reports an absent required property (strict mode).
type MissingPropertyError struct{ Property, Type string }

func (e *MissingPropertyError) Error() string {
	return fmt.Sprintf("required property %q of type %q is missing", e.Property, e.Type)
}

// ReadPayload validates body as a JSON object of type expected (or of a type derived from
// it that the body names in @odata.type) and returns its members in canonical order.
// The returned fields point into body. Its time is linear in the size of body: the
// members of an open type are told apart by a map once there are more than a few.
func (s *Schema) ReadPayload(expected *StructuredType, body []byte, opts ReadOptions) (*Payload, error) {
	// The depth first: it bounds the recursion of everything that reads the body after.
	if err := CheckDepth(body, MaxDepth); err != nil {
		return nil, err
	}
	// JSON text is UTF-8 (RFC 8259); gjson accepts other bytes inside strings.
	if !gjson.ValidBytes(body) || !utf8.Valid(body) {
		return nil, &SyntaxError{}
	}
	src := string(body)
	root := gjson.Parse(src)
	if !root.IsObject() {
		return nil, &NotObjectError{Kind: JSONKindName(root)}
	}
	typ := expected
	claimed := false
	if t := root.Get(`@odata\.type`); t.Exists() {
		if t.Type != gjson.String {
			return nil, &TypeMismatchError{Claimed: t.Raw, Expected: expected.qualified}
		}
		derived := s.lookupStructured(t.Str)
		if derived == nil || !derived.IsA(expected) {
			return nil, &TypeMismatchError{Claimed: t.Str, Expected: expected.qualified}
		}
		typ, claimed = derived, true
	}
	if typ.Abstract && !opts.Partial {
		return nil, &AbstractTypeError{Type: typ.qualified}
	}
	r := reader{schema: s, opts: opts}
	// A member takes at least 6 bytes ("a":1,), which bounds the fields to expect.
	fields, err := r.object(typ, root, "", min(len(typ.all), len(body)/6+1))
	if err != nil {
		return nil, err
	}
	if len(r.respell) > 0 {
		// Enumeration values sent in another case are kept in the schema's spelling.
		sort.Slice(r.respell, func(i, j int) bool { return r.respell[i].at < r.respell[j].at })
		for i := range fields {
			at := offset(src, fields[i].Raw)
			// The respellings inside this field: those from the first at or after it.
			first := sort.Search(len(r.respell), func(j int) bool { return r.respell[j].at >= at })
			fields[i].Raw = respelled(fields[i].Raw, at, r.respell[first:])
		}
	}
	return &Payload{Type: typ, TypeClaimed: claimed, Fields: fields}, nil
}

type reader struct {
	schema *Schema
	opts   ReadOptions
	// respell lists the enumeration values sent in another case than the schema's:
	// their byte ranges in the body and the schema's spelling.
	respell []respelling
}

// respelling replaces body[at:at+n] (a JSON string) by the JSON string of member.
type respelling struct {
	at, n  int
	member string
}

// object validates obj against t. With collect > 0 it returns the top-level fields in
// canonical order, expecting about collect of them; nested objects are only validated.
func (r *reader) object(t *StructuredType, obj gjson.Result, path string, collect int) ([]Field, error) {
	var (
		err      error
		declared []Field
		dynamic  fieldChunks
		seen     = newBitset(len(t.all))
		// dynamicNames indexes the dynamic members once there are more than a few, so
		// that finding a duplicate costs the same for the 10th and the 100,000th.
		dynamicNames map[string]struct{}
	)
	if collect > 0 {
		declared = make([]Field, 0, collect)
	}
	obj.ForEach(func(k, v gjson.Result) bool {
		name := k.Str
		if strings.IndexByte(name, '@') >= 0 {
			// An instance or property annotation: @odata.type was handled by the caller
			// (or below, for nested values); others are accepted and not stored.
			return true
		}
		p, idx := t.Property(name)
		if p == nil {
			if !t.Open {
				err = &UnknownPropertyError{Property: join(path, name), Type: t.qualified}
				return false
			}
			if isDuplicate(&dynamic, &dynamicNames, name) {
				err = &DuplicatePropertyError{Property: join(path, name)}
				return false
			}
			if collect > 0 {
				dynamic.add(Field{Name: name, Raw: v.Raw, Index: -1})
			} else {
				dynamic.add(Field{Name: name}) // nested: only the name, for duplicates
			}
			return true
		}
		if seen.has(idx) {
			err = &DuplicatePropertyError{Property: join(path, name)}
			return false
		}
		seen.set(idx)
		if r.opts.Strict && !r.opts.State && p.ReadOnly && !(p == t.key && !r.opts.Partial) {
			err = &ReadOnlyPropertyError{Property: join(path, name), Type: t.qualified}
			return false
		}
		if p == t.key && v.Type == gjson.String && !ValidKey(v.Str) {
			err = &InvalidValueError{Property: join(path, name), Type: t.qualified, Expected: p.ref.String(),
				Literal: shorten(v.Str), Reason: "a key may not contain control characters"}
			return false
		}
		if err = r.value(t, p, p.ref, v, join(path, name)); err != nil {
			return false
		}
		if collect > 0 {
			declared = append(declared, Field{Name: name, Raw: v.Raw, Index: idx})
		}
		return true
	})
	if err != nil {
		return nil, err
	}
	if r.opts.Strict && !r.opts.Partial && !r.opts.State {
		for i, p := range t.all {
			if p.Required && !seen.has(i) {
				return nil, &MissingPropertyError{Property: join(path, p.Name), Type: t.qualified}
			}
		}
	}
	if collect == 0 {
		return nil, nil
	}
	sortByIndex(declared)
	return dynamic.appendTo(declared), nil
}

// fieldChunks collects fields in blocks that are never copied as they fill, so that
// collecting a hundred thousand costs one copy, into the result.
type fieldChunks struct {
	full [][]Field
	last []Field
	n    int
}

const fieldChunk = 1024

func (c *fieldChunks) add(f Field) {
	if len(c.last) == cap(c.last) && len(c.last) >= fieldChunk {
		c.full = append(c.full, c.last)
		c.last = make([]Field, 0, fieldChunk)
	}
	c.last = append(c.last, f)
	c.n++
}

// each calls fn with the fields in order until it returns false.
func (c *fieldChunks) each(fn func(Field) bool) {
	for _, chunk := range c.full {
		for _, f := range chunk {
			if !fn(f) {
				return
			}
		}
	}
	for _, f := range c.last {
		if !fn(f) {
			return
		}
	}
}

// appendTo appends the fields to dst, growing it once.
func (c *fieldChunks) appendTo(dst []Field) []Field {
	if c.n == 0 {
		return dst
	}
	dst = slices.Grow(dst, c.n)
	for _, chunk := range c.full {
		dst = append(dst, chunk...)
	}
	return append(dst, c.last...)
}

// value validates one property value.
func (r *reader) value(owner *StructuredType, p *Property, ref TypeRef, v gjson.Result, path string) error {
	bad := func(reason string) error {
		return &InvalidValueError{Property: path, Type: owner.qualified, Expected: ref.String(),
			Literal: shorten(literal(v)), Reason: reason}
	}
	if v.Type == gjson.Null {
		if p.NotNull || p == owner.key {
			return bad("the property is not nullable")
		}
		return nil
	}
	if ref.Collection {
		if !v.IsArray() {
			return bad("expected a JSON array")
		}
		elem := ref
		elem.Collection = false
		var err error
		i := 0
		v.ForEach(func(_, item gjson.Result) bool {
			if item.Type == gjson.Null {
				// Collection elements may be null only where the element type is nullable.
				if p.NotNull {
					err = bad("collection elements may not be null")
				}
			} else {
				err = r.value(owner, p, elem, item, fmt.Sprintf("%s[%d]", path, i))
			}
			i++
			return err == nil
		})
		return err
	}
	switch {
	case ref.Structured != nil:
		if !v.IsObject() {
			return bad("expected a JSON object")
		}
		t := ref.Structured
		if ct := v.Get(`@odata\.type`); ct.Exists() {
			d := r.schema.lookupStructured(ct.Str)
			if ct.Type != gjson.String || d == nil || !d.IsA(t) {
				return &TypeMismatchError{Claimed: ct.String(), Expected: t.qualified}
			}
			t = d
		}
		if t.Abstract {
			return &AbstractTypeError{Type: t.qualified}
		}
		_, err := r.object(t, v, path, 0)
		return err
	case ref.Enum != nil:
		if v.Type != gjson.String {
			return bad("expected a string")
		}
		member, ok := enumMember(ref.Enum, v.Str)
		if !ok {
			return bad("not a member of " + ref.Enum.qualified)
		}
		if member != v.Str {
			r.respell = append(r.respell, respelling{at: v.Index, n: len(v.Raw), member: member})
		}
		return nil
	}
	prim := ref.Primitive
	switch prim.JSONKind() {
	case JSONAny:
		return nil
	case JSONBool:
		if v.Type != gjson.True && v.Type != gjson.False {
			return bad("expected true or false")
		}
	case JSONNumber:
		if v.Type == gjson.String && (prim == EdmSingle || prim == EdmDouble) && prim.validLexical(v.Str) {
			return nil
		}
		if v.Type != gjson.Number {
			return bad("expected a number")
		}
		// Integers are checked in every mode: 1.5, 1e400 or 2^63 in an Edm.Int64 would
		// be stored and echoed as they came, and no client could read them back.
		if _, _, integer := prim.integerRange(); (integer || r.opts.Strict) && !prim.validNumber(v.Raw) {
			if integer {
				return bad("not an integer in the range of " + ref.name)
			}
			return bad("out of range or not of the form " + ref.name + " takes")
		}
	case JSONString:
		if v.Type != gjson.String {
			return bad("expected a string")
		}
		if r.opts.Strict && !prim.validLexical(v.Str) {
			return bad("not of the form " + ref.name + " takes")
		}
	}
	return nil
}

// enumMember returns s in the schema's spelling: a member of e matched ignoring case
// or, for a flags enumeration, a comma-separated list of them.
func enumMember(e *EnumType, s string) (string, bool) {
	if !e.Flags {
		return e.MemberFold(s)
	}
	parts := strings.Split(s, ",")
	changed := false
	for i, part := range parts {
		part = strings.TrimSpace(part)
		m, ok := e.MemberFold(part)
		if !ok {
			return "", false
		}
		changed = changed || m != part
		parts[i] = m
	}
	if !changed {
		return s, true
	}
	return strings.Join(parts, ","), true
}

// offset is the position of sub in s, sub being a substring of s (a gjson Raw of a
// value parsed from s).
func offset(s, sub string) int {
	return int(uintptr(unsafe.Pointer(unsafe.StringData(sub))) - uintptr(unsafe.Pointer(unsafe.StringData(s))))
}

// respelled returns raw, the JSON text at offset at of the body, with the respellings
// that fall inside it applied (rs is in body order).
func respelled(raw string, at int, rs []respelling) string {
	var b []byte
	last := 0
	for _, x := range rs {
		if x.at >= at+len(raw) {
			break // the rest lie after raw
		}
		if x.at < at || x.at+x.n > at+len(raw) {
			continue
		}
		if b == nil {
			b = make([]byte, 0, len(raw)+8)
		}
		b = append(b, raw[last:x.at-at]...)
		// Member names are identifiers: nothing in them needs escaping.
		b = append(append(append(b, '"'), x.member...), '"')
		last = x.at - at + x.n
	}
	if b == nil {
		return raw
	}
	return string(append(b, raw[last:]...))
}

// bitset marks property indexes; types with up to 64 properties need no allocation.
type bitset struct {
	small uint64
	large []uint64
}

func newBitset(n int) bitset {
	if n <= 64 {
		return bitset{}
	}
	return bitset{large: make([]uint64, (n+63)/64)}
}

func (b *bitset) set(i int) {
	if b.large == nil {
		b.small |= 1 << uint(i)
		return
	}
	b.large[i/64] |= 1 << uint(i%64)
}

func (b *bitset) has(i int) bool {
	if b.large == nil {
		return b.small&(1<<uint(i)) != 0
	}
	return b.large[i/64]&(1<<uint(i%64)) != 0
}

// isDuplicate reports whether name is among the dynamic members read so far; past a
// few members it keeps them in *index (built on first use).
func isDuplicate(dynamic *fieldChunks, index *map[string]struct{}, name string) bool {
	const linear = 8
	if dynamic.n < linear {
		dup := false
		dynamic.each(func(d Field) bool { dup = d.Name == name; return !dup })
		return dup
	}
	if *index == nil {
		*index = make(map[string]struct{}, 2*dynamic.n)
		dynamic.each(func(d Field) bool { (*index)[d.Name] = struct{}{}; return true })
	}
	if _, dup := (*index)[name]; dup {
		return true
	}
	(*index)[name] = struct{}{}
	return false
}

func sortByIndex(f []Field) {
	if len(f) > 32 {
		// A payload of many declared properties out of schema order.
		slices.SortStableFunc(f, func(a, b Field) int { return a.Index - b.Index })
		return
	}
	// Insertion sort: payloads are small and usually already in schema order.
	for i := 1; i < len(f); i++ {
		for j := i; j > 0 && f[j].Index < f[j-1].Index; j-- {
			f[j], f[j-1] = f[j-1], f[j]
		}
	}
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

// literal is a value as an error message quotes it: a string's text, else its JSON.
func literal(v gjson.Result) string {
	if v.Type == gjson.String {
		return v.Str
	}
	return v.Raw
}

func shorten(raw string) string {
	const max = 64
	if len(raw) > max {
		cut := max
		for cut > 0 && !utf8.RuneStart(raw[cut]) {
			cut--
		}
		return raw[:cut] + "…"
	}
	return raw
}

// JSONKindName names the JSON kind of r as errors say it: string, number, boolean,
// null, array or value (an object).
func JSONKindName(r gjson.Result) string {
	switch r.Type {
	case gjson.String:
		return "string"
	case gjson.Number:
		return "number"
	case gjson.True, gjson.False:
		return "boolean"
	case gjson.Null:
		return "null"
	}
	if r.IsArray() {
		return "array"
	}
	return "value"
}

// IsPayloadError reports whether err is one of the payload errors ReadPayload returns.
func IsPayloadError(err error) bool {
	var (
		a *SyntaxError
		b *NotObjectError
		c *UnknownPropertyError
		d *InvalidValueError
		e *TypeMismatchError
		f *AbstractTypeError
		g *DuplicatePropertyError
		h *ReadOnlyPropertyError
		i *MissingPropertyError
		j *DepthError
	)
	return errors.As(err, &a) || errors.As(err, &b) || errors.As(err, &c) || errors.As(err, &d) ||
		errors.As(err, &e) || errors.As(err, &f) || errors.As(err, &g) || errors.As(err, &h) || errors.As(err, &i) ||
		errors.As(err, &j)
}
