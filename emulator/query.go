package emulator

import (
	"encoding/base64"
	"hash/fnv"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/tidwall/gjson"

	"github.com/graph-emulator/graph-emulator/entities"
	"github.com/graph-emulator/graph-emulator/odata"
)

// Query options on collections and entities. odata.ParseQuery checks the options against
// the addressed type; this file finds the matching entities in the store, orders and pages
// them, and applies Graph's advanced-query rules.
//
// Paging is stable while others write. Without $orderby a page lists the members in
// creation order and its $skiptoken holds the position (source collection, Seq) of its
// last item: the next page starts after it, whatever was inserted or deleted meanwhile.
// With $orderby the token also holds the last item's sort values (keyset pagination): the
// next page lists the matches that sort after those values, ties broken by position, so
// no item appears twice and none that existed throughout (with unchanged sort values) is
// skipped.

// member is one entity of a listed collection and where it was found.
type member struct {
	e Entity
	// coll is the store collection holding e (for a navigation reference, the
	// target's collection).
	coll string
	pos  position
}

func memberBody(m member) []byte { return m.e.Body }

// position orders the members of a resource by creation: the index of their source
// collection in resource.sources, then their Seq there (for a navigation reference, the
// reference's Seq). The zero position comes before every member.
type position struct {
	src int
	seq uint64
}

func (p position) less(q position) bool {
	return p.src < q.src || p.src == q.src && p.seq < q.seq
}

// collectionQuery is a parsed query on a collection, with what paging derives from it.
type collectionQuery struct {
	*odata.Query
	// size is the page size: $top, else the server's page size.
	size int
	// skip is $skip on the first page, 0 on the others.
	skip int
	// token is true on a page reached through a $skiptoken: the page starts after
	// start, and, with $orderby, after the sort values keys.
	token bool
	start position
	keys  []byte
	// count asks for @odata.count (Graph ignores $count=true on directory objects
	// without ConsistencyLevel: eventual; see advancedRules).
	count bool
}

// parseCollectionQuery parses the query options of a GET on collection r.
func (s *Server) parseCollectionQuery(rq *request, r *resource) (*collectionQuery, error) {
	q, err := s.parseQuery(rq, r.typ, false)
	if err != nil {
		return nil, err
	}
	if q.DeltaToken != "" {
		return nil, odata.ErrQueryOption("$deltatoken")
	}
	count, err := s.advancedRules(rq, r, q, false)
	if err != nil {
		return nil, err
	}
	if err := validateExpand(q.Expand); err != nil {
		return nil, err
	}
	cq := &collectionQuery{Query: q, size: s.cfg.pageSize, count: count}
	if q.Top >= 0 {
		cq.size = q.Top
	}
	if q.SkipToken != "" {
		cq.token = true
		if cq.start, cq.keys, err = decodeSkipToken(q.SkipToken, r.coll, len(r.sources), queryHash(q), len(q.OrderBy) > 0); err != nil {
			return nil, err
		}
		// A token continues the first page: $skip and $count applied there only.
		cq.count = false
	} else if q.Skip > 0 {
		cq.skip = q.Skip
	}
	return cq, nil
}

// parseQuery parses the request's query options against type t: the raw query is split
// with odata.SplitQuery (url.ParseQuery rejects the ';' of $expand=x($top=1;$select=y)),
// and the '$' may be omitted as Graph allows.
func (s *Server) parseQuery(rq *request, t *entities.StructuredType, single bool) (*odata.Query, error) {
	values, err := odata.SplitQuery(rq.r.URL.RawQuery)
	if err != nil {
		return nil, err
	}
	return odata.ParseQuery(rq.schema, t, values, odata.QueryOptions{OptionalDollar: true, Single: single})
}

// parseEntityQuery parses the query options of a GET of one entity: $select, $expand
// and $format.
func (s *Server) parseEntityQuery(rq *request, r *resource) (*odata.Query, error) {
	q, err := s.parseQuery(rq, r.typ, true)
	if err != nil {
		return nil, err
	}
	if err := validateExpand(q.Expand); err != nil {
		return nil, err
	}
	return q, nil
}

// Graph's advanced-query rules for directory objects.

// isAdvanced reports whether t is one of the advanced-query types (see
// WithAdvancedQueryTypes) or derives from one.
func (s *Server) isAdvanced(schema *entities.Schema, t *entities.StructuredType) bool {
	isA := func(name string) bool {
		at := schema.EntityType(name)
		return at != nil && t.IsA(at)
	}
	if s.cfg.advancedTypes == nil {
		return isA(DefaultAdvancedQueryType)
	}
	for _, name := range s.cfg.advancedTypes {
		if isA(name) {
			return true
		}
	}
	return false
}

// eventual reports whether the request carries ConsistencyLevel: eventual.
func eventual(r *http.Request) bool {
	for _, v := range r.Header.Values("ConsistencyLevel") {
		if strings.EqualFold(strings.TrimSpace(v), "eventual") {
			return true
		}
	}
	return false
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

// advancedRules applies Graph's advanced-query rules to a query on collection r (segment:
// the /$count segment) and reports whether @odata.count is to be written.
//
// On the advanced-query types, $search needs ConsistencyLevel: eventual in every mode,
// as Graph's answer is an error, not different data. Under --strict: the /$count segment
// needs the header; ne, not, endswith, a collection's $count in $filter, and $filter with
// $orderby need the header and $count=true (or the /$count segment); $count=true without
// the header is ignored, as Graph does. Otherwise the emulator answers them all.
func (s *Server) advancedRules(rq *request, r *resource, q *odata.Query, segment bool) (bool, error) {
	if !s.isAdvanced(rq.schema, r.typ) {
		return q.Count, nil
	}
	ev := eventual(rq.r)
	if q.Search != nil && !ev {
		return false, errSearchNeedsEventual()
	}
	if !s.cfg.strict {
		return q.Count, nil
	}
	if segment && !ev {
		return false, errCountSegment()
	}
	if msg := advancedOnly(q); msg != "" && !(ev && (q.Count || segment)) {
		return false, unsupportedQuery(msg)
	}
	return q.Count && ev, nil
}

// selectKey is the key ApplySelect keeps besides the selected properties: the key is
// always kept, so that a client can address every item it lists.
func (s *Server) selectKey(_ *entities.Schema, t *entities.StructuredType) string {
	if key := t.KeyProperty(); key != nil {
		return key.Name
	}
	return ""
}

// Finding members.

// scanChunk is how many entities a scan visits under one read lock of the store: writers
// wait for at most one chunk, not for a whole scan.
const scanChunk = 256

// members calls fn with the members of r in creation order, from after start, until fn
// returns false. An equality filter on the key (id eq 'x', id in ('x','y')) is answered by
// key lookups instead of a scan; the caller still applies the filter.
func (s *Server) members(rq *request, r *resource, f *odata.Filter, start position, fn func(member) bool) {
	if f != nil {
		if key := r.typ.KeyProperty(); key != nil {
			if ids, ok := f.EqualityValues(key.Name); ok {
				s.lookupMembers(rq, r, ids, start, fn)
				return
			}
		}
	}
	s.scanMembers(rq, r, start, fn)
}

// resolveMember completes a member read from r's sources: a reference is replaced by its
// target (read from the store), and a member not of r's type (after a cast) is dropped.
func (s *Server) resolveMember(rq *request, r *resource, m *member) bool {
	if r.refs {
		t, err := s.store.Get(m.e.Type, m.e.ID)
		if err != nil {
			return false
		}
		m.e, m.coll = t, m.e.Type
		return s.entityIsA(rq.schema, m.e, r.typ)
	}
	return r.typ == r.declared || s.entityIsA(rq.schema, m.e, r.typ)
}

// scanMembers visits r's sources in creation order from after start. fn runs inside the
// store's Scan, one chunk at a time, as it does not call the store; references are
// copied out first, as their targets must be read from the store.
func (s *Server) scanMembers(rq *request, r *resource, start position, fn func(member) bool) {
	var refs []Entity
	for src := start.src; src < len(r.sources); src++ {
		coll := r.sources[src]
		after := uint64(0)
		if src == start.src {
			after = start.seq
		}
		for {
			n, stopped := 0, false
			s.store.Scan(coll, after, func(e Entity) bool {
				n++
				after = e.Seq
				if r.refs {
					refs = append(refs, e)
					return n < scanChunk
				}
				m := member{e: e, coll: coll, pos: position{src, e.Seq}}
				if s.resolveMember(rq, r, &m) && !fn(m) {
					stopped = true
					return false
				}
				return n < scanChunk
			})
			for _, e := range refs {
				m := member{e: e, coll: coll, pos: position{src, e.Seq}}
				if s.resolveMember(rq, r, &m) && !fn(m) {
					return
				}
			}
			refs = refs[:0]
			if stopped {
				return
			}
			if n < scanChunk {
				break
			}
		}
	}
}

// lookupMembers finds the members whose key is one of ids. Store keys compare exactly,
// while $filter compares strings case-insensitively: each id is also looked up in lower
// and in upper case (GUIDs, Graph's keys, come in either), so a key stored in mixed case
// is found by an equality filter only when spelled as stored or all in one case.
func (s *Server) lookupMembers(rq *request, r *resource, ids []string, start position, fn func(member) bool) {
	var found []member
	seen := make(map[string]bool, len(ids))
	for _, id := range ids {
		for _, k := range [...]string{id, strings.ToLower(id), strings.ToUpper(id)} {
			if seen[k] {
				continue
			}
			seen[k] = true
			for src, coll := range r.sources {
				e, err := s.store.Get(coll, k)
				if err != nil {
					continue
				}
				m := member{e: e, coll: coll, pos: position{src, e.Seq}}
				if start.less(m.pos) && s.resolveMember(rq, r, &m) {
					found = append(found, m)
				}
			}
		}
	}
	slices.SortFunc(found, func(a, b member) int {
		switch {
		case a.pos.less(b.pos):
			return -1
		case b.pos.less(a.pos):
			return 1
		}
		return 0
	})
	for _, m := range found {
		if !fn(m) {
			return
		}
	}
}

// pageResult is one page of matches.
type pageResult struct {
	items []member
	// more reports a match after the page.
	more bool
	// total counts every match (when asked for).
	total int
}

// matches applies $filter and $search.
func matches(q *odata.Query, body []byte) bool {
	return (q.Filter == nil || q.Filter.Match(body)) && (q.Search == nil || q.Search.Match(body))
}

// collect finds a page of r's members matching q: after start (and, with $orderby, after
// the sort values keys), skip matches skipped, then up to size. With total it counts all
// the matches, which takes a whole scan without $orderby.
func (s *Server) collect(rq *request, r *resource, q *odata.Query, start position, keys []byte, skip, size int, total bool) pageResult {
	var res pageResult
	if len(q.OrderBy) == 0 {
		res.items = make([]member, 0, min(size, 256))
		skipped := 0
		s.members(rq, r, q.Filter, start, func(m member) bool {
			if !matches(q, m.e.Body) {
				return true
			}
			res.total++
			switch {
			case skipped < skip:
				skipped++
			case len(res.items) < size:
				res.items = append(res.items, m)
			default:
				res.more = true
				return total
			}
			return true
		})
		return res
	}
	top := topK{ob: q.OrderBy, limit: skip + size + 1}
	s.members(rq, r, q.Filter, position{}, func(m member) bool {
		if !matches(q, m.e.Body) {
			return true
		}
		if keys != nil {
			if c := q.OrderBy.Compare(keys, m.e.Body); c > 0 || c == 0 && !start.less(m.pos) {
				return true
			}
		}
		res.total++
		top.add(m)
		return true
	})
	items := top.result()
	if len(items) > skip+size {
		res.more = true
		items = items[:skip+size]
	}
	if skip < len(items) {
		res.items = items[skip:]
	}
	return res
}

// topK keeps the first limit members in $orderby order, ties in the order added (which
// is creation order).
type topK struct {
	ob    odata.OrderBy
	limit int
	items []member
	// full: items[:limit] is sorted and holds limit members; a member that does not
	// sort before items[limit-1] cannot make the cut. worst holds the sort values of
	// items[limit-1] (a small object reads faster than the whole entity).
	full  bool
	worst []byte
}

func (t *topK) add(m member) {
	if t.full && t.ob.Compare(t.worst, m.e.Body) <= 0 {
		return
	}
	t.items = append(t.items, m)
	if len(t.items) >= 2*t.limit+64 {
		t.compact()
	}
}

// compact sorts the members stably and keeps the first limit.
func (t *topK) compact() {
	odata.SortBy(t.ob, t.items, memberBody)
	if len(t.items) >= t.limit {
		clear(t.items[t.limit:])
		t.items = t.items[:t.limit]
		t.full = true
		t.worst = sortValues(t.ob, t.items[t.limit-1].e.Body)
	}
}

func (t *topK) result() []member {
	t.compact()
	return t.items
}

// countMatches counts r's members matching q's $filter and $search.
func (s *Server) countMatches(rq *request, r *resource, q *odata.Query) int {
	if q.Filter == nil && q.Search == nil && !r.refs && r.typ == r.declared {
		n := 0
		for _, c := range r.sources {
			n += s.store.Len(c)
		}
		return n
	}
	n := 0
	s.members(rq, r, q.Filter, position{}, func(m member) bool {
		if matches(q, m.e.Body) {
			n++
		}
		return true
	})
	return n
}

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
		if !gjson.Valid(parts[4]) || !gjson.Parse(parts[4]).IsObject() {
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

// nextLink is the request's absolute URL, on the scheme and host the client used, with
// its query options as sent (re-escaped where a URL needs it) and $skiptoken set to token.
func nextLink(rq *request, token string) string {
	var b strings.Builder
	b.WriteString(rq.base)
	b.WriteString(rq.r.URL.EscapedPath())
	b.WriteByte('?')
	raw := rq.r.URL.RawQuery
	for raw != "" {
		var pair string
		pair, raw, _ = strings.Cut(raw, "&")
		if pair == "" {
			continue
		}
		k, v, hasValue := strings.Cut(pair, "=")
		dk, err1 := url.QueryUnescape(k)
		dv, err2 := url.QueryUnescape(v)
		if err1 != nil || err2 != nil || strings.EqualFold(strings.TrimPrefix(dk, "$"), "skiptoken") {
			continue
		}
		appendQueryEscaped(&b, dk, "")
		if hasValue {
			b.WriteByte('=')
			appendQueryEscaped(&b, dv, "=")
		}
		b.WriteByte('&')
	}
	b.WriteString("$skiptoken=")
	b.WriteString(token)
	return b.String()
}

// appendQueryEscaped writes s percent-encoded for a query component, leaving the
// characters OData queries are written with ($ , ' ( ) * : @ / !) and those in keep as
// they are, as Graph does in its links. ';' is escaped: Go's url.ParseQuery refuses it.
func appendQueryEscaped(b *strings.Builder, s, keep string) {
	const hex = "0123456789ABCDEF"
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9',
			strings.IndexByte("-._~$,'()*:@/!", c) >= 0, strings.IndexByte(keep, c) >= 0:
			b.WriteByte(c)
		default:
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
		}
	}
}

// Writing.

// listResponse writes a page of a collection: @odata.context (with $select), then
// @odata.count, @odata.nextLink and the items, in Graph's order.
func (s *Server) listResponse(rq *request, r *resource, cq *collectionQuery, res pageResult, total int, link string) (*response, error) {
	ctx := odata.ContextURL(rq.base, rq.version, r.context+odata.SelectContext(cq.Select), false)
	b := append((*rq.buf)[:0], `{"@odata.context":`...)
	b = odata.AppendString(b, ctx)
	if cq.count {
		b = append(b, `,"@odata.count":`...)
		b = strconv.AppendInt(b, int64(total), 10)
	}
	if link != "" {
		b = append(b, `,"@odata.nextLink":`...)
		b = odata.AppendString(b, link)
	}
	b = append(b, `,"value":[`...)
	setType := r.declared.QualifiedName()
	keyName := s.selectKey(rq.schema, r.typ)
	var err error
	for i, m := range res.items {
		if i > 0 {
			b = append(b, ',')
		}
		typ := ""
		// Graph types items of a derived type; navigation collections type every item,
		// as clients such as msgraph-sdk-go pick the model by it.
		if m.e.Type != setType || r.nav != nil && !r.nav.ContainsTarget {
			typ = m.e.Type
		}
		if b, err = s.appendItem(rq, b, m, typ, cq.Select, keyName, cq.Expand, 0); err != nil {
			return nil, err
		}
	}
	b = append(b, "]}"...)
	*rq.buf = b
	return &response{status: http.StatusOK, body: b}, nil
}

// appendItem appends one entity of a response: its properties ($select applied, the key
// keyName kept), its expanded navigation properties, and @odata.type when typeName is
// not empty.
func (s *Server) appendItem(rq *request, dst []byte, m member, typeName string, sel []string, keyName string, expand []odata.ExpandItem, depth int) ([]byte, error) {
	body := m.e.Body
	if sel != nil || len(expand) > 0 {
		scratch := s.getBuf()
		defer s.putBuf(scratch)
		tmp := (*scratch)[:0]
		if sel != nil {
			tmp = odata.ApplySelect(tmp, body, sel, keyName)
		} else {
			tmp = append(tmp, body...)
		}
		if len(expand) > 0 {
			var err error
			if tmp, err = s.appendExpanded(rq, tmp, m, expand, depth); err != nil {
				return nil, err
			}
		}
		*scratch = tmp
		body = tmp
	}
	if typeName == "" {
		return append(dst, body...), nil
	}
	return odata.AppendEntity(dst, "", typeName, body), nil
}
