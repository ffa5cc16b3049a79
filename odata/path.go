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
	// PathEntityValue is the raw /$value of an entity: its content, for an entity that
	// has one (a media entity).
	PathEntityValue
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
	// Name is the canonical spelling of the segment's identifier, as the schema declares
	// it, whatever the case the URL used: the set, singleton, navigation property or
	// property name; the namespace-qualified type name of a cast; an operation's name
	// (qualified when the URL qualified it); "$count", "$ref" or "$value". For SegKey it
	// is empty.
	Name string
	// Key is the unescaped key of a SegKey.
	Key string
	// KeyProperty, for a SegKey given as an alternate key (set(appId='…')), is the
	// property the key value is matched against; empty for the entity's key.
	KeyProperty string
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

// first resolves the first segment: an entity set, a singleton or an operation import,
// by its exact name, else ignoring case as Graph does.
func (p *Path) first(schema *entities.Schema, seg string) error {
	part, ok := splitSegment(seg)
	if !ok {
		return ErrSegmentNotFound(seg)
	}
	for _, fold := range [...]bool{false, true} {
		if done, err := p.root(schema, part, fold); done || err != nil {
			return err
		}
	}
	return ErrSegmentNotFound(part.name)
}

// root resolves the first segment by its exact name, or ignoring case when fold is set; it
// reports whether the name was found.
func (p *Path) root(schema *entities.Schema, part segmentText, fold bool) (bool, error) {
	var set *entities.EntitySet
	if fold {
		set = schema.EntitySetFold(part.name)
	} else {
		set = schema.EntitySet(part.name)
	}
	if set != nil {
		p.Set = set
		p.Segments = append(p.Segments, Segment{Kind: SegEntitySet, Name: set.Name, Set: set, Type: set.Type(), Collection: true})
		if part.hasArgs {
			return true, p.key(part.args, part.raw)
		}
		return true, nil
	}
	var sg *entities.Singleton
	if fold {
		sg = schema.SingletonFold(part.name)
	} else {
		sg = schema.Singleton(part.name)
	}
	if sg != nil && !part.hasArgs {
		p.Segments = append(p.Segments, Segment{Kind: SegSingleton, Name: sg.Name, Singleton: sg, Type: sg.EntityType()})
		return true, nil
	}
	imp, ok := operationImport(schema, part.name, fold)
	if !ok {
		return false, nil
	}
	return true, p.operation(part, imp.Name, unboundOperations(schema, imp.Operation))
}

// operationImport finds an operation import by its exact name, or ignoring case.
func operationImport(schema *entities.Schema, name string, fold bool) (entities.OperationImport, bool) {
	if fold {
		return schema.OperationImportFold(name)
	}
	for _, imp := range schema.OperationImports() {
		if imp.Name == name {
			return imp, true
		}
	}
	return entities.OperationImport{}, false
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

// next resolves a segment after the first. Names are matched exactly first, then ignoring
// case; $count, $ref and $value in any case. A segment that names nothing after a
// collection is a key.
func (p *Path) next(schema *entities.Schema, seg string) error {
	prev := p.Last()
	switch prev.Kind {
	case SegCount, SegRef, SegValue, SegOperation:
		return ErrSegmentNotFound(seg)
	case SegProperty:
		if strings.EqualFold(seg, "$value") && prev.Property.Ref().Primitive != entities.NotPrimitive && !prev.Property.Ref().Collection {
			p.Segments = append(p.Segments, Segment{Kind: SegValue, Name: "$value"})
			return nil
		}
		return ErrSegmentNotFound(seg)
	}
	if seg == "" {
		return ErrSegmentNotFound(seg)
	}
	if seg[0] == '$' {
		switch {
		case strings.EqualFold(seg, "$value") && !prev.Collection && (prev.Kind == SegKey || prev.Kind == SegSingleton || prev.Kind == SegNavigation || prev.Kind == SegCast):
			p.Segments = append(p.Segments, Segment{Kind: SegValue, Name: "$value", Type: prev.Type})
			return nil
		case strings.EqualFold(seg, "$count"):
			if !prev.Collection {
				return ErrSegmentNotFound(seg)
			}
			p.Segments = append(p.Segments, Segment{Kind: SegCount, Name: "$count", Type: prev.Type})
			return nil
		case strings.EqualFold(seg, "$ref"):
			if !p.refAllowed() {
				return ErrSegmentNotFound(seg)
			}
			p.Segments = append(p.Segments, Segment{Kind: SegRef, Name: "$ref", Type: prev.Type, Collection: prev.Collection})
			return nil
		}
	}
	part, ok := splitSegment(seg)
	if !ok {
		if prev.Collection {
			return p.keySegment(seg)
		}
		return ErrSegmentNotFound(seg)
	}
	for _, fold := range [...]bool{false, true} {
		if done, err := p.member(schema, part, fold); done || err != nil {
			return err
		}
	}
	if prev.Collection {
		return p.keySegment(seg)
	}
	return ErrSegmentNotFound(part.name)
}

// member resolves a segment after an entity or a collection as a navigation property, a
// structural property, a bound operation or a cast, by its exact name or, when fold is
// set, ignoring case; it reports whether the name was found.
func (p *Path) member(schema *entities.Schema, part segmentText, fold bool) (bool, error) {
	prev := p.Last()
	t, coll := prev.Type, prev.Collection
	if !coll {
		n := t.NavigationProperty(part.name)
		if fold {
			n = t.NavigationFold(part.name)
		}
		if n != nil {
			p.Segments = append(p.Segments, Segment{Kind: SegNavigation, Name: n.Name, Nav: n, Type: n.Target(), Collection: n.IsCollection()})
			if part.hasArgs {
				if !n.IsCollection() {
					return true, ErrSegmentNotFound(part.raw)
				}
				return true, p.key(part.args, part.raw)
			}
			return true, nil
		}
		prop, _ := t.Property(part.name)
		if fold {
			prop, _ = t.PropertyFold(part.name)
		}
		if prop != nil && !part.hasArgs {
			p.Segments = append(p.Segments, Segment{Kind: SegProperty, Name: prop.Name, Property: prop, Type: t})
			return true, nil
		}
	}
	ops := schema.BoundOperations(t, coll, part.name)
	if fold {
		ops = schema.BoundOperationsFold(t, coll, part.name)
	}
	if len(ops) > 0 {
		name := ops[0].Name
		if strings.IndexByte(part.name, '.') >= 0 {
			name = ops[0].QualifiedName()
		}
		return true, p.operation(part, name, ops)
	}
	if strings.IndexByte(part.name, '.') < 0 {
		return false, nil
	}
	d := schema.EntityType(part.name)
	if fold {
		d = schema.EntityTypeFold(part.name)
	}
	if d == nil || !d.IsA(t) {
		return false, nil
	}
	p.Segments = append(p.Segments, Segment{Kind: SegCast, Name: d.QualifiedName(), Type: d, Collection: coll})
	if part.hasArgs {
		if !coll {
			return true, ErrSegmentNotFound(part.raw)
		}
		return true, p.key(part.args, part.raw)
	}
	return true, nil
}

// keySegment appends a key given as a whole segment: /set/{key}.
func (p *Path) keySegment(key string) error {
	if !entities.ValidKey(key) {
		return ErrInvalidKey()
	}
	p.Segments = append(p.Segments, Segment{Kind: SegKey, Key: key, Type: p.Last().Type})
	return nil
}

// key appends a key segment from the text inside parentheses: a key literal, or
// name=literal naming the key property or one of the type's alternate keys
// (applications(appId='…')).
func (p *Path) key(args, seg string) error {
	t := p.Last().Type
	prop := ""
	if name, lit, ok := cutKeyName(args); ok {
		if key := t.KeyProperty(); key == nil || !strings.EqualFold(name, key.Name) {
			ak := t.AlternateKey(name)
			if ak == nil {
				return ErrSegmentNotFound(seg)
			}
			prop = ak.Name
		}
		args = lit
	}
	k, ok := parseKeyLiteral(args)
	if !ok {
		return ErrSegmentNotFound(seg)
	}
	if !entities.ValidKey(k) {
		return ErrInvalidKey()
	}
	p.Segments = append(p.Segments, Segment{Kind: SegKey, Key: k, KeyProperty: prop, Type: t})
	return nil
}

// cutKeyName splits a named key "name=literal" into its name and literal; ok is false
// for a bare key literal.
func cutKeyName(args string) (name, lit string, ok bool) {
	eq := strings.IndexByte(args, '=')
	if eq <= 0 || strings.IndexByte(args[:eq], '\'') >= 0 {
		return "", "", false
	}
	name = args[:eq]
	for i := 0; i < len(name); i++ {
		if c := name[i]; !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || i > 0 && c >= '0' && c <= '9') {
			return "", "", false
		}
	}
	return name, args[eq+1:], true
}

// operation appends an operation segment named name (the canonical spelling); a
// function's parameters come in parentheses.
func (p *Path) operation(part segmentText, name string, ops []*entities.Operation) error {
	s := Segment{Kind: SegOperation, Name: name, Operations: ops}
	if part.hasArgs {
		params, ok := parseParams(part.args)
		if !ok {
			return ErrSegmentNotFound(part.raw)
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
		if p.Segments[len(p.Segments)-2].Kind != SegProperty {
			p.Kind = PathEntityValue
		}
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

// segmentText is a path segment split into its name and the text in its parentheses.
type segmentText struct {
	raw, name, args string
	hasArgs         bool
}

// splitSegment splits "name(args)" into name and args. A segment without parentheses is
// a bare name.
func splitSegment(seg string) (segmentText, bool) {
	open := strings.IndexByte(seg, '(')
	if open < 0 {
		return segmentText{raw: seg, name: seg}, seg != ""
	}
	if open == 0 || !strings.HasSuffix(seg, ")") {
		return segmentText{}, false
	}
	return segmentText{raw: seg, name: seg[:open], args: seg[open+1 : len(seg)-1], hasArgs: true}, true
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

// parseParams reads function parameters "a='x',b=1,c=[1,2]" into name -> literal text,
// as written (quotes kept: ParamLiteral reads the literal against the parameter's type).
// A value ends at the first comma outside quotes ('...' with doubled quotes, or "..."
// inside JSON) and brackets. Empty args is no parameters.
func parseParams(args string) (map[string]string, bool) {
	params := map[string]string{}
	for args != "" {
		name, rest, ok := strings.Cut(args, "=")
		name = strings.TrimSpace(name)
		if !ok || name == "" {
			return nil, false
		}
		end, ok := literalEnd(rest)
		if !ok {
			return nil, false
		}
		val := strings.TrimSpace(rest[:end])
		if _, dup := params[name]; dup || val == "" {
			return nil, false
		}
		params[name] = val
		rest = rest[end:]
		if rest == "" {
			break
		}
		args = rest[1:] // after ','
		if strings.TrimSpace(args) == "" {
			return nil, false
		}
	}
	return params, true
}

// literalEnd returns the length of the literal at the start of s: up to the first comma
// outside quotes and brackets, or the end; false when a quote or bracket is left open.
func literalEnd(s string) (int, bool) {
	depth := 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\'':
			j := i + 1
			for ; j < len(s); j++ {
				if s[j] == '\'' {
					if j+1 < len(s) && s[j+1] == '\'' {
						j++
						continue
					}
					break
				}
			}
			if j >= len(s) {
				return 0, false
			}
			i = j
		case '"':
			j := i + 1
			for ; j < len(s) && s[j] != '"'; j++ {
				if s[j] == '\\' {
					j++
				}
			}
			if j >= len(s) {
				return 0, false
			}
			i = j
		case '[', '{', '(':
			depth++
		case ']', '}', ')':
			depth--
			if depth < 0 {
				return 0, false
			}
		case ',':
			if depth == 0 {
				return i, true
			}
		}
	}
	return len(s), depth == 0
}

func unescape(s string) (string, error) {
	if strings.IndexByte(s, '%') < 0 {
		return s, nil
	}
	return url.PathUnescape(s)
}
