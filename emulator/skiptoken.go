package emulator

import (
	"encoding/base64"
	"hash/fnv"
	"slices"
	"strconv"
	"strings"

	"github.com/tidwall/gjson"

	"github.com/graph-emulator/graph-emulator/emulator/store"
	"github.com/graph-emulator/graph-emulator/entities"
	"github.com/graph-emulator/graph-emulator/odata"
)

// Skip tokens.

// queryHash identifies the $filter, $search and $orderby a skip token was issued for.
func queryHash(q *odata.Query) string {
	h := fnv.New64a()
	if q.Filter != nil {
		h.Write([]byte(q.Filter.String()))
	}
	h.Write([]byte{0})
	if q.Search != nil {
		h.Write([]byte(q.Search.String()))
	}
	for _, it := range q.OrderBy {
		h.Write([]byte{0})
		h.Write([]byte(it.Path))
		if it.Desc {
			h.Write([]byte(" desc"))
		}
	}
	return strconv.FormatUint(h.Sum64(), 36)
}

// tokenName names a collection in a skip token. Tokens only need to tell whether they
// were issued for the collection they come back to, and the names stay those of the
// tokens issued before collections had typed names: the set's name, or the owner's
// collection, key and navigation property joined by \x1f.
func tokenName(c store.Coll) string {
	parent, key, nav, ok := c.Owner()
	if !ok {
		return c.Root()
	}
	name := tokenName(parent) + "\x1f" + key + "\x1f" + nav
	if c.IsRefs() {
		name += "\x1f$ref"
	}
	return name
}

// Skip tokens are opaque to clients: base64url of
// "collection \x00 source \x00 seq \x00 query hash \x00 sort values" (the sort values a
// JSON object, empty without $orderby).
func encodeSkipToken(collection string, pos position, hash string, keys []byte) string {
	b := make([]byte, 0, len(collection)+len(hash)+len(keys)+32)
	b = append(b, collection...)
	b = append(b, 0)
	b = strconv.AppendInt(b, int64(pos.src), 10)
	b = append(b, 0)
	b = strconv.AppendUint(b, pos.seq, 10)
	b = append(b, 0)
	b = append(b, hash...)
	b = append(b, 0)
	b = append(b, keys...)
	return base64.RawURLEncoding.EncodeToString(b)
}

// decodeSkipToken reads a token issued for collection (with the given number of
// sources) and a query of the given hash; anything else is Graph's 400.
func decodeSkipToken(tok, collection string, sources int, hash string, ordered bool) (position, []byte, error) {
	raw, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil {
		return position{}, nil, odata.ErrInvalidSkipToken()
	}
	parts := strings.SplitN(string(raw), "\x00", 5)
	if len(parts) != 5 || parts[0] != collection || parts[3] != hash {
		return position{}, nil, odata.ErrInvalidSkipToken()
	}
	src, err1 := strconv.Atoi(parts[1])
	seq, err2 := strconv.ParseUint(parts[2], 10, 64)
	if err1 != nil || err2 != nil || src < 0 || src >= sources {
		return position{}, nil, odata.ErrInvalidSkipToken()
	}
	var keys []byte
	if ordered {
		if entities.CheckDepth([]byte(parts[4]), entities.MaxDepth) != nil || !gjson.Valid(parts[4]) || !gjson.Parse(parts[4]).IsObject() {
			return position{}, nil, odata.ErrInvalidSkipToken()
		}
		keys = []byte(parts[4])
	} else if parts[4] != "" {
		return position{}, nil, odata.ErrInvalidSkipToken()
	}
	return position{src, seq}, keys, nil
}

// sortValues returns a JSON object holding what ob reads of body (absent values stay
// absent), so that ob.Compare(sortValues(ob, a), b) == ob.Compare(a, b). A collection's
// $count is kept as an array of that many zeros.
func sortValues(ob odata.OrderBy, body []byte) []byte {
	var root jsonTree
	for _, it := range ob {
		segs := strings.Split(it.Path, "/")
		if segs[len(segs)-1] == "$count" {
			segs = segs[:len(segs)-1]
			r := gjson.GetBytes(body, gjsonPath(segs))
			if !r.IsArray() {
				continue
			}
			n := 0
			r.ForEach(func(_, _ gjson.Result) bool { n++; return true })
			arr := make([]byte, 0, 2*n+2)
			arr = append(arr, '[')
			for i := range n {
				if i > 0 {
					arr = append(arr, ',')
				}
				arr = append(arr, '0')
			}
			root.set(segs, string(append(arr, ']')))
			continue
		}
		if r := gjson.GetBytes(body, gjsonPath(segs)); r.Exists() {
			root.set(segs, r.Raw)
		}
	}
	return root.appendTo(nil)
}

// gjsonPath joins member names into a gjson path.
func gjsonPath(segs []string) string {
	esc := make([]string, len(segs))
	for i, s := range segs {
		esc[i] = gjson.Escape(s)
	}
	return strings.Join(esc, ".")
}

// jsonTree builds a small JSON object from values at member paths.
type jsonTree struct {
	names []string
	raws  []string
	kids  []*jsonTree
}

func (t *jsonTree) set(path []string, raw string) {
	i := slices.Index(t.names, path[0])
	if i < 0 {
		t.names, t.raws, t.kids = append(t.names, path[0]), append(t.raws, ""), append(t.kids, nil)
		i = len(t.names) - 1
	}
	if len(path) == 1 {
		t.raws[i], t.kids[i] = raw, nil
		return
	}
	if t.kids[i] == nil {
		t.kids[i] = &jsonTree{}
	}
	t.kids[i].set(path[1:], raw)
}

func (t *jsonTree) appendTo(dst []byte) []byte {
	dst = append(dst, '{')
	for i, name := range t.names {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = odata.AppendString(dst, name)
		dst = append(dst, ':')
		if t.kids[i] != nil {
			dst = t.kids[i].appendTo(dst)
		} else {
			dst = append(dst, t.raws[i]...)
		}
	}
	return append(dst, '}')
}
