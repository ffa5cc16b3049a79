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
	// PathCollection is an entity set.
	PathCollection
	// PathEntity is one entity of a set, by key.
	PathEntity
)

// Path is a resolved resource path.
type Path struct {
	Kind PathKind
	// Set is the entity set addressed (nil for the service root).
	Set *entities.EntitySet
	// Key is the unescaped key of an entity path.
	Key string
}

// ParsePath resolves a resource path against schema. escaped is the part of the URL path
// after /{version}/, still percent-encoded, so that an encoded '/' stays inside its
// segment. Both key forms are accepted: set/{key} and set('{key}').
func ParsePath(schema *entities.Schema, escaped string) (*Path, error) {
	escaped = strings.TrimSuffix(escaped, "/")
	if escaped == "" {
		return &Path{Kind: PathServiceRoot}, nil
	}
	segs := strings.Split(escaped, "/")
	first, err := unescape(segs[0])
	if err != nil {
		return nil, ErrSegmentNotFound(segs[0])
	}
	name, key, hasKey, ok := splitKey(first)
	if !ok {
		return nil, ErrSegmentNotFound(first)
	}
	set := schema.EntitySet(name)
	if set == nil {
		return nil, ErrSegmentNotFound(name)
	}
	p := &Path{Kind: PathCollection, Set: set}
	if hasKey {
		p.Kind, p.Key = PathEntity, key
	}
	rest := segs[1:]
	if !hasKey && len(rest) > 0 {
		k, err := unescape(rest[0])
		if err != nil || k == "" {
			return nil, ErrSegmentNotFound(rest[0])
		}
		p.Kind, p.Key = PathEntity, k
		rest = rest[1:]
	}
	if len(rest) > 0 {
		seg, err := unescape(rest[0])
		if err != nil {
			seg = rest[0]
		}
		return nil, ErrSegmentNotFound(seg)
	}
	return p, nil
}

// splitKey splits "name('key')" or "name(key)" into name and key. A segment without
// parentheses is a bare name.
func splitKey(seg string) (name, key string, hasKey, ok bool) {
	open := strings.IndexByte(seg, '(')
	if open < 0 {
		return seg, "", false, seg != ""
	}
	if open == 0 || !strings.HasSuffix(seg, ")") {
		return "", "", false, false
	}
	name, lit := seg[:open], seg[open+1:len(seg)-1]
	key, ok = parseKeyLiteral(lit)
	return name, key, true, ok
}

// parseKeyLiteral reads a key literal: 'text' with doubled quotes, or a bare token.
func parseKeyLiteral(lit string) (string, bool) {
	if strings.HasPrefix(lit, "'") {
		if len(lit) < 2 || !strings.HasSuffix(lit, "'") {
			return "", false
		}
		body := lit[1 : len(lit)-1]
		var b strings.Builder
		for i := 0; i < len(body); i++ {
			if body[i] == '\'' {
				if i+1 >= len(body) || body[i+1] != '\'' {
					return "", false
				}
				i++
			}
			b.WriteByte(body[i])
		}
		return b.String(), b.Len() > 0
	}
	if lit == "" || strings.ContainsAny(lit, "'(),=") {
		return "", false
	}
	return lit, true
}

func unescape(s string) (string, error) {
	if strings.IndexByte(s, '%') < 0 {
		return s, nil
	}
	return url.PathUnescape(s)
}
