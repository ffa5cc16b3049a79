package odata

import (
	"net/url"
	"strings"

	"github.com/graph-emulator/graph-emulator/entities"
)

// PathKind tells what a resource path addresses.
type PathKind uint8

// The kinds of resource paths.
const (
	// PathServiceRoot is /{version}/ itself.
	PathServiceRoot PathKind = iota + 1
	// PathCollection is a collection of entities: an entity set, a collection-valued
	// navigation property, or either of them cast to a derived type.
	PathCollection
	// PathEntity is one entity: by key, a singleton, or a single-valued navigation property.
	PathEntity
	// PathCount is the /$count of a collection.
	PathCount
	// PathRef is the /$ref of a non-contained navigation property (or of one entity in it).
	PathRef
	// PathProperty is a structural property of an entity.
	PathProperty
	// PathPropertyValue is the raw /$value of a primitive property.
	PathPropertyValue
	// PathOperation is a bound or unbound function or action.
	PathOperation
)

// SegmentKind tells what one path segment is.
type SegmentKind uint8

// The kinds of path segments.
const (
	SegEntitySet SegmentKind = iota + 1
	SegSingleton
	SegKey
	SegNavigation
	SegCast
	SegCount
	SegRef
	SegProperty
	SegValue
	SegOperation
)

// Segment is one resolved path segment.
type Segment struct {
	Kind SegmentKind
	// Name is the segment's identifier as written (set, singleton, property, type or
	// operation name); for SegKey it is empty.
	Name string
	// Key is the unescaped key of a SegKey.
	Key string
	// Set, Singleton, Nav, Property and Operations are set for the segment kinds they name.
	Set        *entities.EntitySet
	Singleton  *entities.Singleton
	Nav        *entities.NavigationProperty
	Property   *entities.Property
	Operations []*entities.Operation
	// Params holds the raw parameters of a function call segment: name -> literal text.
	Params map[string]string
	// Type is the entity type of the resource after this segment (nil after $count,
	// a property or an operation).
	Type *entities.StructuredType
	// Collection reports whether the resource after this segment is a collection.
	Collection bool
}

// Path is a resolved resource path.
type Path struct {
	Kind     PathKind
	Segments []Segment
	// Type is the entity type of the resource addressed (for $count, $ref and property
	// paths: the type of the entity or collection they apply to).
	Type *entities.StructuredType
	// Set is the entity set of the first segment, or nil.
	Set *entities.EntitySet
	// Key is the last key of the path, or "".
	Key string

	segs [2]Segment // backs Segments for short paths
}

// Last returns the last segment. The path must not be the service root.
func (p *Path) Last() *Segment { return &p.Segments[len(p.Segments)-1] }

// ParsePath resolves a resource path against schema. escaped is the part of the URL path
// after /{version}/, still percent-encoded, so that an encoded '/' stays inside its
// segment. Both key forms are accepted: set/{key} and set('{key}'). Unknown segments
// are Graph's 400 "Resource not found for the segment".
func ParsePath(schema *entities.Schema, escaped string) (*Path, error) {
	escaped = strings.TrimSuffix(escaped, "/")
	if escaped == "" {
		return &Path{Kind: PathServiceRoot}, nil
	}
	p := &Path{}
	p.Segments = p.segs[:0]
	raw := escaped
	first := true
	for raw != "" || first {
		var rawSeg string
		rawSeg, raw, _ = strings.Cut(raw, "/")
		seg, err := unescape(rawSeg)
		if err != nil {
			return nil, ErrSegmentNotFound(rawSeg)
		}
		if first {
			err = p.first(schema, seg)
			first = false
		} else {
			err = p.next(schema, seg)
		}
		if err != nil {
			return nil, err
		}
	}
	p.finish()
	return p, nil
}

// first resolves the first segment: an entity set, a singleton or an operation import.
func (p *Path) first(schema *entities.Schema, seg string) error {
	name, args, hasArgs, ok := splitParens(seg)
	if !ok {
		return ErrSegmentNotFound(seg)
	}
	if set := schema.EntitySet(name); set != nil {
		p.Set = set
		p.Segments = append(p.Segments, Segment{Kind: SegEntitySet, Name: name, Set: set, Type: set.Type(), Collection: true})
		if hasArgs {
			return p.key(args, seg)
		}
		return nil
	}
	if sg := schema.Singleton(name); sg != nil && !hasArgs {
		p.Segments = append(p.Segments, Segment{Kind: SegSingleton, Name: name, Singleton: sg, Type: sg.EntityType()})
		return nil
	}
	for _, imp := range schema.OperationImports() {
		if imp.Name == name {
			return p.operation(schema, seg, name, args, hasArgs, unboundOperations(schema, imp.Operation))
		}
	}
	return ErrSegmentNotFound(name)
}

func unboundOperations(schema *entities.Schema, qualified string) []*entities.Operation {
	var out []*entities.Operation
	for _, op := range schema.Operations() {
		if !op.IsBound && op.QualifiedName() == qualified {
			out = append(out, op)
		}
	}
	return out
}

// next resolves a segment after the first.
func (p *Path) next(schema *entities.Schema, seg string) error {
	prev := p.Last()
	switch prev.Kind {
	case SegCount, SegRef, SegValue, SegOperation:
		return ErrSegmentNotFound(seg)
	case SegProperty:
		if seg == "$value" && prev.Property.Ref().Primitive != entities.NotPrimitive && !prev.Property.Ref().Collection {
			p.Segments = append(p.Segments, Segment{Kind: SegValue, Name: seg})
			return nil
		}
		return ErrSegmentNotFound(seg)
	}
	if seg == "" {
		return ErrSegmentNotFound(seg)
	}
	switch seg {
	case "$count":
		if !prev.Collection {
			return ErrSegmentNotFound(seg)
		}
		p.Segments = append(p.Segments, Segment{Kind: SegCount, Name: seg, Type: prev.Type})
		return nil
	case "$ref":
		if !p.refAllowed() {
			return ErrSegmentNotFound(seg)
		}
		p.Segments = append(p.Segments, Segment{Kind: SegRef, Name: seg, Type: prev.Type, Collection: prev.Collection})
		return nil
	}
	name, args, hasArgs, ok := splitParens(seg)
	if !ok {
		if prev.Collection {
			return p.keySegment(seg)
		}
		return ErrSegmentNotFound(seg)
	}
	t := prev.Type
	if !prev.Collection {
		if n := t.NavigationProperty(name); n != nil {
			p.Segments = append(p.Segments, Segment{Kind: SegNavigation, Name: name, Nav: n, Type: n.Target(), Collection: n.IsCollection()})
			if hasArgs {
				if !n.IsCollection() {
					return ErrSegmentNotFound(seg)
				}
				return p.key(args, seg)
			}
			return nil
		}
		if prop, _ := t.Property(name); prop != nil && !hasArgs {
			p.Segments = append(p.Segments, Segment{Kind: SegProperty, Name: name, Property: prop, Type: t})
			return nil
		}
	}
	if ops := schema.BoundOperations(t, prev.Collection, name); len(ops) > 0 {
		return p.operation(schema, seg, name, args, hasArgs, ops)
	}
	if strings.IndexByte(name, '.') >= 0 {
		if d := schema.EntityType(name); d != nil && d.IsA(t) {
			p.Segments = append(p.Segments, Segment{Kind: SegCast, Name: name, Type: d, Collection: prev.Collection})
			if hasArgs {
				if !prev.Collection {
					return ErrSegmentNotFound(seg)
				}
				return p.key(args, seg)
			}
			return nil
		}
	}
	if prev.Collection {
		return p.keySegment(seg)
	}
	return ErrSegmentNotFound(name)
}

// keySegment appends a key given as a whole segment: /set/{key}.
func (p *Path) keySegment(key string) error {
	p.Segments = append(p.Segments, Segment{Kind: SegKey, Key: key, Type: p.Last().Type})
	return nil
}

// key appends a key segment from the text inside parentheses.
func (p *Path) key(args, seg string) error {
	k, ok := parseKeyLiteral(args)
	if !ok {
		return ErrSegmentNotFound(seg)
	}
	p.Segments = append(p.Segments, Segment{Kind: SegKey, Key: k, Type: p.Last().Type})
	return nil
}

// operation appends an operation segment; a function's parameters come in parentheses.
func (p *Path) operation(schema *entities.Schema, seg, name, args string, hasArgs bool, ops []*entities.Operation) error {
	s := Segment{Kind: SegOperation, Name: name, Operations: ops}
	if hasArgs {
		params, ok := parseParams(args)
		if !ok {
			return ErrSegmentNotFound(seg)
		}
		s.Params = params
	}
	p.Segments = append(p.Segments, s)
	return nil
}

// refAllowed reports whether $ref may follow: after a non-contained navigation property,
// or after a key or cast into one.
func (p *Path) refAllowed() bool {
	for i := len(p.Segments) - 1; i >= 0; i-- {
		switch s := &p.Segments[i]; s.Kind {
		case SegNavigation:
			return !s.Nav.ContainsTarget
		case SegKey, SegCast:
			continue
		default:
			return false
		}
	}
	return false
}

// finish sets the path's kind, type and last key.
func (p *Path) finish() {
	for i := range p.Segments {
		if p.Segments[i].Kind == SegKey {
			p.Key = p.Segments[i].Key
		}
	}
	last := p.Last()
	p.Type = last.Type
	switch last.Kind {
	case SegCount:
		p.Kind = PathCount
	case SegRef:
		p.Kind = PathRef
	case SegProperty:
		p.Kind = PathProperty
	case SegValue:
		p.Kind = PathPropertyValue
		p.Type = p.Segments[len(p.Segments)-2].Type
	case SegOperation:
		p.Kind = PathOperation
		if len(p.Segments) > 1 {
			p.Type = p.Segments[len(p.Segments)-2].Type
		}
	default:
		if last.Collection {
			p.Kind = PathCollection
		} else {
			p.Kind = PathEntity
		}
	}
}

// splitParens splits "name(args)" into name and args. A segment without parentheses is
// a bare name.
func splitParens(seg string) (name, args string, hasArgs, ok bool) {
	open := strings.IndexByte(seg, '(')
	if open < 0 {
		return seg, "", false, seg != ""
	}
	if open == 0 || !strings.HasSuffix(seg, ")") {
		return "", "", false, false
	}
	return seg[:open], seg[open+1 : len(seg)-1], true, true
}

// parseKeyLiteral reads a key literal: 'text' with doubled quotes, or a bare token.
func parseKeyLiteral(lit string) (string, bool) {
	if strings.HasPrefix(lit, "'") {
		s, rest, ok := readQuoted(lit)
		return s, ok && rest == "" && s != ""
	}
	if lit == "" || strings.ContainsAny(lit, "'(),=") {
		return "", false
	}
	return lit, true
}

// readQuoted reads a 'quoted' literal with doubled quotes from the start of s and
// returns its text and what follows it.
func readQuoted(s string) (text, rest string, ok bool) {
	if !strings.HasPrefix(s, "'") {
		return "", s, false
	}
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		if s[i] != '\'' {
			b.WriteByte(s[i])
			continue
		}
		if i+1 < len(s) && s[i+1] == '\'' {
			b.WriteByte('\'')
			i++
			continue
		}
		return b.String(), s[i+1:], true
	}
	return "", "", false
}

// parseParams reads function parameters "a='x',b=1" into name -> literal text (quoted
// strings unquoted). Empty args is no parameters.
func parseParams(args string) (map[string]string, bool) {
	params := map[string]string{}
	for args != "" {
		name, rest, ok := strings.Cut(args, "=")
		name = strings.TrimSpace(name)
		if !ok || name == "" {
			return nil, false
		}
		rest = strings.TrimLeft(rest, " ")
		var val string
		if strings.HasPrefix(rest, "'") {
			val, rest, ok = readQuoted(rest)
			if !ok {
				return nil, false
			}
		} else {
			i := strings.IndexByte(rest, ',')
			if i < 0 {
				i = len(rest)
			}
			val, rest = strings.TrimSpace(rest[:i]), rest[i:]
		}
		if _, dup := params[name]; dup {
			return nil, false
		}
		params[name] = val
		rest = strings.TrimLeft(rest, " ")
		if rest == "" {
			break
		}
		if rest[0] != ',' {
			return nil, false
		}
		args = rest[1:]
	}
	return params, true
}

func unescape(s string) (string, error) {
	if strings.IndexByte(s, '%') < 0 {
		return s, nil
	}
	return url.PathUnescape(s)
}
