package odata

import (
	"strings"

	"github.com/tidwall/gjson"

	"github.com/graph-emulator/graph-emulator/entities"
)

// ParseSelect parses a $select value against type t: comma-separated property names,
// possibly paths into single complex properties ("address/city"), or "*" for all.
//
// It returns the selected paths in the client's order, spelled as the schema spells them
// (names match case-insensitively), without duplicates and without a path whose ancestor
// is selected too; nil means all properties ("*", or an empty value). Navigation
// properties are accepted and left out of the result: they carry no stored data (see
// $expand); a $select that names only navigation properties gives an empty, non-nil
// slice. On an open type, names the schema does not declare are taken as dynamic
// properties. An unknown name is a 400 naming it.
func ParseSelect(t *entities.StructuredType, text string) ([]string, error) {
	if strings.TrimSpace(text) == "" {
		return nil, nil
	}
	var out []string
	star := false
	for _, item := range strings.Split(text, ",") {
		item = strings.TrimSpace(item)
		switch {
		case item == "":
			return nil, errSelectExpand("Syntax error: empty item in '%s'.", text)
		case item == "*":
			star = true
			continue
		case strings.HasPrefix(item, "@"):
			// An instance annotation (OData 4.01's annotationInQuery): written when
			// the entity carries it (Graph's $select=id,@microsoft.graph.downloadUrl).
			if !validAnnotation(item[1:]) {
				return nil, errSelectExpand("Syntax error: '%s' is not a valid annotation name in '%s'.", item, text)
			}
			out = append(out, item)
			continue
		}
		path, isNav, err := selectPath(t, item)
		if err != nil {
			return nil, err
		}
		if !isNav {
			out = append(out, path)
		}
	}
	if star {
		return nil, nil
	}
	if len(out) == 0 {
		return []string{}, nil
	}
	return normalizeSelect(out), nil
}

// selectPath resolves one $select item.
func selectPath(t *entities.StructuredType, item string) (string, bool, error) {
	segs := strings.Split(item, "/")
	cur := t
	canon := make([]string, 0, len(segs))
	for i, seg := range segs {
		if !validIdentifier(seg) {
			if strings.Contains(seg, ".") {
				return "", false, errSelectExpand("Type casts ('%s') in $select are not supported.", seg)
			}
			return "", false, errSelectExpand("Syntax error: '%s' is not a valid property name in '%s'.", seg, item)
		}
		if cur == nil {
			return "", false, errSelectExpand("Could not find a property named '%s' on a value that is not structured, in '%s'.", seg, item)
		}
		prop := lookupProperty(cur, seg)
		if prop == nil {
			// Graph selects the properties of derived types on a collection of a base
			// type: members?$select=displayName gives the users' and groups' names.
			for _, d := range cur.Derived() {
				if prop = lookupProperty(d, seg); prop != nil {
					break
				}
			}
		}
		if prop == nil {
			if nav := lookupNavigation(cur, seg); nav != nil && i == len(segs)-1 && i == 0 {
				return nav.Name, true, nil
			}
			if cur.Open {
				canon = append(canon, seg)
				cur = nil
				continue
			}
			return "", false, errSelectExpand("Could not find a property named '%s' on type '%s'.", seg, cur.QualifiedName())
		}
		canon = append(canon, prop.Name)
		ref := prop.Ref()
		cur = nil
		if ref.Structured != nil && !ref.Collection {
			cur = ref.Structured
		} else if i < len(segs)-1 && ref.Collection {
			return "", false, errSelectExpand("Selecting into the collection '%s' is not supported.", prop.Name)
		}
	}
	return strings.Join(canon, "/"), false, nil
}

// validIdentifier reports whether s is an OData simple identifier.
func validIdentifier(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		if i == 0 && !(r == '_' || isLetterRune(r)) {
			return false
		}
		if !identPart(r) {
			return false
		}
	}
	return true
}

func isLetterRune(r rune) bool { return identStart(r) && r != '$' && r != '_' }

// normalizeSelect drops duplicates and paths whose ancestor is selected.
func normalizeSelect(paths []string) []string {
	out := paths[:0:0]
	for i, p := range paths {
		keep := true
		for j, q := range paths {
			if j != i && ((q == p && j < i) || strings.HasPrefix(p, q+"/")) {
				keep = false
				break
			}
		}
		if keep {
			out = append(out, p)
		}
	}
	return out
}

// SelectContext returns the part of @odata.context that $select adds after the entity set:
// "(id,displayName)", or "" when sel is empty. Graph writes the selected properties in the
// order of the request (users?$select=displayName,id gives #users(displayName,id)).
func SelectContext(sel []string) string {
	if len(sel) == 0 {
		return ""
	}
	return "(" + strings.Join(sel, ",") + ")"
}

// ApplySelect appends to dst the JSON object entity reduced to the selected properties,
// in the order of sel (Graph's documented responses follow the order of $select). A
// selected property the entity lacks is written as null, as Graph does. When keyName is
// not empty and not selected, the key is written first; pass "" for Graph's own behavior
// on directory objects, which return only what was selected. A path "a/b" writes a with
// only its selected members. entity must be a JSON object.
func ApplySelect(dst, entity []byte, sel []string, keyName string) []byte {
	obj := bytesString(entity)
	dst = append(dst, '{')
	first := true
	if keyName != "" && !containsString(sel, keyName) {
		if r := gjson.Get(obj, gjson.Escape(keyName)); r.Exists() {
			dst = appendMember(dst, &first, keyName, r.Raw)
		}
	}
	dst = appendSelected(dst, obj, sel, &first)
	return append(dst, '}')
}

// appendSelected writes the members of obj that sel names.
func appendSelected(dst []byte, obj string, sel []string, first *bool) []byte {
	var rd memberReader
	rd.init(obj, sel)
	for i, p := range sel {
		top, _, nested := strings.Cut(p, "/")
		if !nested {
			r := rd.get(p)
			if !r.Exists() && strings.HasPrefix(p, "@") {
				continue // an annotation the entity does not carry is left out, not null
			}
			dst = appendMember(dst, first, p, r.Raw)
			continue
		}
		if emittedBefore(sel[:i], top) {
			continue
		}
		var subs []string
		for _, q := range sel[i:] {
			if rest, ok := strings.CutPrefix(q, top+"/"); ok {
				subs = append(subs, rest)
			}
		}
		r := rd.get(top)
		if !r.IsObject() {
			dst = appendMember(dst, first, top, r.Raw)
			continue
		}
		dst = appendName(dst, first, top)
		dst = append(dst, '{')
		inner := true
		dst = appendSelected(dst, r.Raw, subs, &inner)
		dst = append(dst, '}')
	}
	return dst
}

// selectedInOnePass is how many names a $select takes before their values are read
// in one pass over the entity: a member the entity lacks costs a search of all of it.
const selectedInOnePass = 4

// selectedOnStack is how many names read in one pass are kept without allocating.
const selectedOnStack = 32

// memberReader finds the members of an object: a few by name, or those read in one pass
// over it (kept in names and vals, or want beyond selectedOnStack).
type memberReader struct {
	obj     string
	onePass bool
	n       int
	names   [selectedOnStack]string
	vals    [selectedOnStack]gjson.Result
	want    map[string]gjson.Result
}

// init prepares r to read the members sel names from obj: each by its own search for a
// few, from one pass over obj for more.
func (r *memberReader) init(obj string, sel []string) {
	r.obj = obj
	if len(sel) <= selectedInOnePass {
		return
	}
	r.onePass = true
	for _, p := range sel {
		top, _, _ := strings.Cut(p, "/")
		if r.index(top) >= 0 {
			continue
		}
		if r.n < selectedOnStack {
			r.names[r.n] = top
			r.n++
			continue
		}
		if r.want == nil {
			r.want = make(map[string]gjson.Result, len(sel))
		}
		r.want[top] = gjson.Result{}
	}
	left := r.n + len(r.want)
	gjson.Parse(obj).ForEach(func(k, v gjson.Result) bool {
		if i := r.index(k.Str); i >= 0 {
			if !r.vals[i].Exists() {
				r.vals[i] = v
				left--
			}
		} else if w, ok := r.want[k.Str]; ok && !w.Exists() {
			r.want[k.Str] = v
			left--
		}
		return left > 0
	})
}

// index returns the place of name among the names kept on the stack, or -1.
func (r *memberReader) index(name string) int {
	for i := range r.n {
		if r.names[i] == name {
			return i
		}
	}
	return -1
}

func (r *memberReader) get(name string) gjson.Result {
	if !r.onePass {
		return gjson.Get(r.obj, gjson.Escape(name))
	}
	if i := r.index(name); i >= 0 {
		return r.vals[i]
	}
	return r.want[name]
}

func emittedBefore(sel []string, top string) bool {
	for _, q := range sel {
		if q == top || strings.HasPrefix(q, top+"/") {
			return true
		}
	}
	return false
}

// appendMember writes "name":raw, raw being null when empty (an absent member).
func appendMember(dst []byte, first *bool, name, raw string) []byte {
	dst = appendName(dst, first, name)
	if raw == "" {
		return append(dst, "null"...)
	}
	return AppendRaw(dst, raw)
}

// appendName writes "name": after a comma unless it is the first member.
func appendName(dst []byte, first *bool, name string) []byte {
	if !*first {
		dst = append(dst, ',')
	}
	*first = false
	dst = AppendString(dst, name)
	return append(dst, ':')
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// validAnnotation reports whether name is a qualified term name: namespace.term, each
// part an identifier.
func validAnnotation(name string) bool {
	parts := strings.Split(name, ".")
	if len(parts) < 2 {
		return false
	}
	for _, p := range parts {
		if !validIdentifier(p) {
			return false
		}
	}
	return true
}
