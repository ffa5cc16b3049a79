package odata

import (
	"bytes"
	"strings"

	"github.com/tidwall/gjson"

	"github.com/graph-emulator/graph-emulator/entities"
)

// A Projection is how an entity is written when the request does not say ($select):
// the properties of its default set, in order, each unset one as null (or [] for a
// collection), and no other declared property. Whoever knows the type's default set
// (the behaviour) builds it once; writing with it allocates nothing.
type Projection struct {
	t     *entities.StructuredType
	props []projected
	// inOrder: the properties are in schema order (their indexes increase), so an
	// entity stored in canonical order (the key, then schema order, then dynamic
	// properties) is written in one pass.
	inOrder bool
	// dynamic keeps the dynamic properties of an open type (after the others).
	dynamic bool
	// index finds a property's position when the projection is too long for a scan.
	index map[string]int
}

// projected is one property of a projection.
type projected struct {
	name   string
	index  int    // position in the type's AllProperties
	unset  string // what an unset value is written as: null or []
	member string // "name": as a compact stored entity holds it
}

// projectionScanMax is the length up to which a property's position is found by a scan.
const projectionScanMax = 16

// projectionSpansMax is the length up to which an entity stored in another order is
// written without allocating (the places of its members are kept on the stack).
const projectionSpansMax = 128

// NewProjection returns the projection of type t onto the properties names, in that
// order (names t lacks are left out); dynamic keeps an open type's dynamic properties.
func NewProjection(t *entities.StructuredType, names []string, dynamic bool) *Projection {
	p := &Projection{t: t, inOrder: true, dynamic: dynamic}
	last := -1
	for _, name := range names {
		prop, i := t.Property(name)
		if prop == nil {
			continue
		}
		unset := "null"
		if prop.Ref().Collection {
			unset = "[]"
		}
		member := string(append(AppendString(nil, prop.Name), ':'))
		p.props = append(p.props, projected{name: prop.Name, index: i, unset: unset, member: member})
		if i <= last {
			p.inOrder = false
		}
		last = i
	}
	if len(p.props) > projectionScanMax {
		p.index = make(map[string]int, len(p.props))
		for i, pp := range p.props {
			p.index[pp.name] = i
		}
	}
	return p
}

// Names returns the projection's properties in order.
func (p *Projection) Names() []string {
	out := make([]string, len(p.props))
	for i, pp := range p.props {
		out[i] = pp.name
	}
	return out
}

// AppendProjected appends entity, a JSON object as stored, written as p says.
func AppendProjected(dst, entity []byte, p *Projection) []byte {
	dst = append(dst, '{')
	return closeMembers(p.appendMembers(dst, entity))
}

// AppendEntityProjected is AppendEntityTagged with the entity's members written as p
// says.
func AppendEntityProjected(dst []byte, context, typeName, etag string, entity []byte, p *Projection) []byte {
	return closeMembers(p.appendMembers(appendEntityHead(dst, context, typeName, etag, 0), entity))
}

// closeMembers drops the comma after the last member and closes the object.
func closeMembers(dst []byte) []byte {
	if dst[len(dst)-1] == ',' {
		dst = dst[:len(dst)-1]
	}
	return append(dst, '}')
}

// appendMembers appends the projected members of entity, each followed by a comma.
func (p *Projection) appendMembers(dst, entity []byte) []byte {
	if p.inOrder {
		if complete(entity, p.props) {
			return append(append(dst, entity[1:len(entity)-1]...), ',')
		}
		if out, ok := p.appendInOrder(dst, entity); ok {
			return out
		}
	}
	return p.appendAnyOrder(dst, entity)
}

// Complete reports whether entity, a JSON object as stored, is its own projection: it
// holds exactly the projection's properties, in order, written compactly. A writer that
// knows it (a store keeping what it found when the entity was written) writes the
// entity as it is.
func (p *Projection) Complete(entity []byte) bool { return complete(entity, p.props) }

// complete reports whether entity, a JSON object, holds exactly the members props names,
// in that order, written compactly: it is then its own projection. This is the common
// case of an entity with every property set, checked in one tight pass.
func complete(entity []byte, props []projected) bool {
	n := len(entity)
	if len(props) == 0 || n < 2 || entity[0] != '{' || entity[n-1] != '}' {
		return false
	}
	i := 1
	last := len(props) - 1
	for k := range props {
		m := props[k].member
		j := i + len(m)
		if j >= n || string(entity[i:j]) != m {
			return false
		}
		// The value: numbers inline (the most common), the rest by skipValue.
		if c := entity[j]; c >= '0' && c <= '9' || c == '-' {
			for j++; j < n; j++ {
				if c := entity[j]; c == ',' || c == '}' {
					break
				}
			}
		} else {
			var ok bool
			if j, ok = skipValue(entity, j); !ok || j >= n {
				return false
			}
		}
		if entity[j] != ',' {
			return k == last && j == n-1
		}
		i = j + 1
	}
	return false
}

// appendInOrder writes the members in one pass over an entity stored in canonical order.
// It reports false, having written nothing it keeps, when the entity is in another order.
// Consecutive members it keeps are copied at once: an entity stored with exactly the
// projection's properties is copied whole.
func (p *Projection) appendInOrder(dst, entity []byte) ([]byte, bool) {
	start := len(dst)
	next, last := 0, -1
	dynamicSeen := false
	runFrom, runTo := -1, -1 // members kept and not yet copied
	it := members{b: entity}
	for {
		expect := ""
		if next < len(p.props) {
			expect = p.props[next].name
		}
		name, from, to, ok := it.next(expect)
		if !ok {
			break
		}
		idx := -1
		if expect != "" && name == expect {
			idx = p.props[next].index
		} else if strings.IndexByte(name, '@') >= 0 {
			// An instance annotation the server adds (@microsoft.graph.downloadUrl)
			// stays where it is.
			if runFrom < 0 {
				runFrom = from
			}
			runTo = to
			continue
		} else {
			_, idx = p.t.Property(name)
		}
		if idx >= 0 {
			if idx <= last || dynamicSeen {
				return dst[:start], false
			}
			last = idx
			if next < len(p.props) && p.props[next].index == idx { // the common case: the next property
				if runFrom < 0 {
					runFrom = from
				}
				runTo = to
				next++
				continue
			}
		}
		// Something else than the next property: copy the run kept so far, then write
		// the unset properties before this one, then this one if it is projected.
		if runFrom >= 0 {
			dst = append(append(dst, entity[runFrom:runTo]...), ',')
			runFrom = -1
		}
		if idx < 0 {
			// A dynamic property: they come after the declared ones.
			dynamicSeen = true
			for ; next < len(p.props); next++ {
				dst = appendUnset(dst, p.props[next])
			}
			if p.dynamic {
				runFrom, runTo = from, to
			}
			continue
		}
		for ; next < len(p.props) && p.props[next].index < idx; next++ {
			dst = appendUnset(dst, p.props[next])
		}
		if next < len(p.props) && p.props[next].index == idx {
			runFrom, runTo = from, to
			next++
		}
	}
	if it.bad {
		return dst[:start], false
	}
	if runFrom >= 0 {
		dst = append(append(dst, entity[runFrom:runTo]...), ',')
	}
	for ; next < len(p.props); next++ {
		dst = appendUnset(dst, p.props[next])
	}
	return dst, true
}

// span is where a member ("name":value) lies in a stored entity.
type span struct{ from, to int32 }

// appendAnyOrder writes the members of an entity stored in any order: their places are
// found in one pass, then they are written in the projection's order.
func (p *Projection) appendAnyOrder(dst, entity []byte) []byte {
	var local [projectionSpansMax]span
	spans := local[:0]
	if len(p.props) <= len(local) {
		spans = local[:len(p.props)]
	} else {
		spans = make([]span, len(p.props))
	}
	// Dynamic members are copied as met, then moved after the declared ones; instance
	// annotations go before them.
	var dyn, ann []byte
	see := func(name string, from, to int) {
		if i := p.position(name); i >= 0 {
			spans[i] = span{int32(from), int32(to)}
			return
		}
		if strings.IndexByte(name, '@') >= 0 {
			ann = append(append(ann, entity[from:to]...), ',')
			return
		}
		if p.dynamic {
			if prop, _ := p.t.Property(name); prop == nil {
				dyn = append(append(dyn, entity[from:to]...), ',')
			}
		}
	}
	it := members{b: entity}
	for {
		name, from, to, ok := it.next("")
		if !ok {
			break
		}
		see(name, from, to)
	}
	if it.bad {
		// Names with escapes: read them with gjson, which decodes them.
		clear(spans)
		dyn, ann = dyn[:0], ann[:0]
		gjson.Parse(bytesString(entity)).ForEach(func(k, v gjson.Result) bool {
			see(k.Str, k.Index, v.Index+len(v.Raw))
			return true
		})
	}
	dst = append(dst, ann...)
	for i, pp := range p.props {
		if s := spans[i]; s.to > 0 {
			dst = append(append(dst, entity[s.from:s.to]...), ',')
		} else {
			dst = appendUnset(dst, pp)
		}
	}
	return append(dst, dyn...)
}

// members walks the members of a JSON object as the emulator stores it, without decoding
// their values (gjson would parse every number). A name with escapes, or anything it
// does not expect, sets bad: the caller then reads the object with gjson.
type members struct {
	b   []byte
	i   int
	bad bool
}

// next returns the next member's name and where the member ("name":value) lies. When
// the name is expect, it is recognised without a scan.
func (m *members) next(expect string) (name string, from, to int, ok bool) {
	b := m.b
	i := m.i
	if i == 0 {
		i = skipSpace(b, 0)
		if i >= len(b) || b[i] != '{' {
			m.bad = true
			return "", 0, 0, false
		}
		i++
	} else if i < len(b) && b[i] == ',' {
		i++
	} else if i = skipSpace(b, i); i < len(b) && b[i] == ',' {
		i++
	}
	if i < len(b) && b[i] != '"' {
		i = skipSpace(b, i)
	}
	if i >= len(b) || b[i] != '"' {
		if i >= len(b) || b[i] != '}' {
			m.bad = true
		}
		return "", 0, 0, false
	}
	from = i
	j := i + 1 + len(expect)
	if expect != "" && j < len(b) && b[j] == '"' && string(b[i+1:j]) == expect {
		name = expect
	} else {
		k := bytes.IndexByte(b[i+1:], '"')
		if k < 0 {
			m.bad = true
			return "", 0, 0, false
		}
		j = i + 1 + k
		if bytes.IndexByte(b[i+1:j], '\\') >= 0 {
			m.bad = true
			return "", 0, 0, false
		}
		name = bytesString(b[i+1 : j])
	}
	j++
	if j < len(b) && b[j] != ':' {
		j = skipSpace(b, j)
	}
	if j >= len(b) || b[j] != ':' {
		m.bad = true
		return "", 0, 0, false
	}
	j++
	if j < len(b) && (b[j] == ' ' || b[j] == '\n' || b[j] == '\r' || b[j] == '\t') {
		j = skipSpace(b, j)
	}
	end, valid := skipValue(b, j)
	if !valid {
		m.bad = true
		return "", 0, 0, false
	}
	m.i = end
	return name, from, end, true
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// skipValue returns the end of the JSON value starting at b[i].
func skipValue(b []byte, i int) (int, bool) {
	if i >= len(b) {
		return i, false
	}
	switch c := b[i]; {
	case c == '"':
		return skipString(b, i)
	case c == '-' || c >= '0' && c <= '9':
		for i++; i < len(b); i++ {
			if c := b[i]; !(c >= '0' && c <= '9' || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-') {
				break
			}
		}
		return i, true
	case c == 't' || c == 'n':
		return i + 4, i+4 <= len(b)
	case c == 'f':
		return i + 5, i+5 <= len(b)
	case c == '{' || c == '[':
		depth := 0
		for i < len(b) {
			switch b[i] {
			case '"':
				end, ok := skipString(b, i)
				if !ok {
					return i, false
				}
				i = end
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1, true
				}
			}
			i++
		}
	}
	return i, false
}

// skipString returns the end of the JSON string starting at b[i] ('"').
func skipString(b []byte, i int) (int, bool) {
	for i++; ; {
		k := bytes.IndexByte(b[i:], '"')
		if k < 0 {
			return len(b), false
		}
		i += k
		// The quote ends the string unless an odd number of backslashes precede it.
		n := 0
		for j := i - 1; j >= 0 && b[j] == '\\'; j-- {
			n++
		}
		i++
		if n%2 == 0 {
			return i, true
		}
	}
}

// position returns the projection's position of the property name, or -1.
func (p *Projection) position(name string) int {
	if p.index != nil {
		if i, ok := p.index[name]; ok {
			return i
		}
		return -1
	}
	for i := range p.props {
		if p.props[i].name == name {
			return i
		}
	}
	return -1
}

// appendUnset appends "name":null, (or [] for a collection).
func appendUnset(dst []byte, pp projected) []byte {
	dst = AppendString(dst, pp.name)
	dst = append(dst, ':')
	dst = append(dst, pp.unset...)
	return append(dst, ',')
}
