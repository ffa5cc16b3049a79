package emulator

import (
	"encoding/base64"
	"encoding/binary"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/graph-emulator/graph-emulator/emulator/behavior"
	"github.com/graph-emulator/graph-emulator/emulator/store"
	"github.com/graph-emulator/graph-emulator/odata"
)

// Delta queries: GET {collection}/delta, for every collection whose type has Graph's
// bound delta function (behavior.IsDelta), answered from the store in one read.
//
// A round starts without a token: the pages list the collection's current state in
// creation order (@odata.nextLink with a $skiptoken), the last one ends with an
// @odata.deltaLink whose $deltatoken is the sequence number of the change feed at that
// read. A request with that token lists what changed since, from the feed: created and
// updated entities, and deleted ones as {"id":…,"@removed":{"reason":…}}; many changes
// page with $skiptoken too, and the last page has a new @odata.deltaLink.
//
// Nothing is skipped or repeated while others write. The state and the feed position of
// a page come from the same read. A page of the initial walk reached by a $skiptoken
// also lists what changed, since the previous page's read, among the entities the walk
// has passed (behind its cursor: entities of an earlier source collection, updates,
// deletions); the entities ahead of the cursor are listed as they are when the walk
// reaches them. A page of changes covers a fixed window of the feed, (from, to]; the
// next round starts at to.
//
// Tokens are opaque: base64url of a versioned binary record bound to the tenant, the
// version, the collection (and the type after a cast) and carrying the query options
// of the round's first request, which later requests do not repeat.

// isDelta reports whether rq calls Graph's delta function on a collection.
func (s *Server) isDelta(rq *request) bool {
	last := rq.path.Last()
	return len(last.Operations) > 0 && (s.behavior.IsDelta(last.Operations[0]) || s.behavior.IsEntityDelta(last.Operations[0]))
}

// A delta bound to one entity (behavior.IsEntityDelta: a drive's root/delta) tracks the
// collection the behaviour names for it (behavior.DeltaScope) and takes its state in a
// function parameter (delta(token='…'), or ?token=…); its links carry ?token=.

// entityDeltaToken returns the state token an entity-bound delta was given, "" for
// none.
func entityDeltaToken(rq *request, values map[string][]string) string {
	if p, ok := rq.path.Last().Params[behavior.DeltaTokenParam]; ok {
		return strings.Trim(p, "'")
	}
	for k, v := range values {
		if strings.EqualFold(k, behavior.DeltaTokenParam) && len(v) > 0 {
			return v[0]
		}
	}
	return ""
}

// deltaLinkBase is the URL a delta page's links start from: the request's, without the
// function call's parameters.
func deltaLinkBase(rq *request, entity bool) string {
	p := rq.r.URL.EscapedPath()
	if entity {
		if i := strings.LastIndexByte(p, '/'); i >= 0 {
			if j := strings.IndexByte(p[i:], '('); j >= 0 {
				p = p[:i+j]
			}
		}
	}
	return rq.base + p
}

// Kinds of delta tokens.
const (
	tokWalk    = 'w' // $skiptoken of the initial walk: seq of the previous read, cursor
	tokChanges = 'c' // $skiptoken of a page of changes: window (seq, to], after
	tokDelta   = 'd' // $deltatoken: changes after seq
)

// deltaToken is what a delta $skiptoken or $deltatoken holds.
type deltaToken struct {
	kind                  byte
	tenant, version, coll string
	// seq: tokWalk, the previous page's read; tokChanges, the window's start;
	// tokDelta, the changes seen.
	seq uint64
	// to and after: tokChanges, the window's end and the last change listed.
	to, after uint64
	// pos: tokWalk, the walk's cursor.
	pos position
	// query: the raw query options of the round's first request.
	query string
}

const deltaTokenMagic = "gd1"

func (t *deltaToken) encode() string {
	b := make([]byte, 0, 64+len(t.tenant)+len(t.coll)+len(t.query))
	b = append(b, deltaTokenMagic...)
	b = append(b, t.kind)
	for _, s := range [...]string{t.tenant, t.version, t.coll, t.query} {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	for _, n := range [...]uint64{t.seq, t.to, t.after, uint64(t.pos.src), t.pos.seq} {
		b = binary.AppendUvarint(b, n)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

var errBadDeltaToken = errors.New("emulator: malformed delta token")

// decodeDeltaToken reads a token made by encode; anything else is errBadDeltaToken.
func decodeDeltaToken(tok string) (*deltaToken, error) {
	raw, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil || len(raw) < len(deltaTokenMagic)+1 || string(raw[:len(deltaTokenMagic)]) != deltaTokenMagic {
		return nil, errBadDeltaToken
	}
	t := &deltaToken{kind: raw[len(deltaTokenMagic)]}
	switch t.kind {
	case tokWalk, tokChanges, tokDelta:
	default:
		return nil, errBadDeltaToken
	}
	b := raw[len(deltaTokenMagic)+1:]
	for _, dst := range [...]*string{&t.tenant, &t.version, &t.coll, &t.query} {
		n, k := binary.Uvarint(b)
		if k <= 0 || n > uint64(len(b)-k) {
			return nil, errBadDeltaToken
		}
		*dst = string(b[k : k+int(n)])
		b = b[k+int(n):]
	}
	var src uint64
	for _, dst := range [...]*uint64{&t.seq, &t.to, &t.after, &src, &t.pos.seq} {
		n, k := binary.Uvarint(b)
		if k <= 0 {
			return nil, errBadDeltaToken
		}
		*dst = n
		b = b[k:]
	}
	if len(b) != 0 || src > 1<<16 || t.kind == tokChanges && (t.after < t.seq || t.after > t.to) {
		return nil, errBadDeltaToken
	}
	t.pos.src = int(src)
	return t, nil
}

// deltaCall is one delta request, parsed.
type deltaCall struct {
	q *odata.Query
	// query is the raw query options the round carries in its tokens.
	query string
	// tok is the token sent (nil for a round's first request); latest marks
	// $deltatoken=latest; option names the token's query option.
	tok    *deltaToken
	latest bool
	option string
	// size is the page size; changedOnly writes updated entities as their changed
	// properties (behavior.DeltaChangedOnly).
	size        int
	changedOnly bool
	// applied is the Preference-Applied header: the odata.maxpagesize honoured.
	applied string
	// entity marks a delta bound to an entity (see entityDeltaToken).
	entity bool
}

// delta answers GET of a collection's delta function.
func (s *Server) delta(rq *request) (*response, error) {
	if rq.r.Method != http.MethodGet {
		return nil, odata.ErrMethodNotAllowed("GET")
	}
	dc, err := s.parseDelta(rq)
	if err != nil {
		return nil, err
	}
	return s.read(rq, func(s *Server, rq *request, v store.View, r *resource) (*response, error) {
		if dc.entity {
			if err := s.requireEntity(rq, v, r); err != nil {
				return nil, err
			}
			coll, err := s.behavior.DeltaScope(r.entityColl, r.entity)
			if err != nil {
				return nil, err
			}
			t := entityType(rq.schema, r)
			r = &resource{coll: coll, sources: []store.Coll{coll}, declared: t, typ: t,
				context: "Collection(" + t.Name + ")"}
		}
		return s.deltaPage(rq, v, r, dc)
	})
}

// parseDelta reads the request's token and query options: those of the request that
// starts a round, or those its token carries.
func (s *Server) parseDelta(rq *request) (*deltaCall, error) {
	t := rq.path.Type
	raw := rq.r.URL.RawQuery
	values, err := odata.SplitQuery(raw)
	if err != nil {
		return nil, err
	}
	q, err := odata.ParseQuery(rq.schema, t, values, odata.QueryOptions{OptionalDollar: true,
		SearchTokenized: s.behavior.SearchTokenized})
	if err != nil {
		return nil, err
	}
	dc := &deltaCall{q: q, size: s.cfg.pageSize, entity: s.behavior.IsEntityDelta(rq.path.Last().Operations[0])}
	if tok := entityDeltaToken(rq, values); dc.entity && tok != "" {
		if q.SkipToken != "" || q.DeltaToken != "" {
			return nil, s.behavior.ErrDeltaTokenWithOptions(behavior.DeltaTokenParam)
		}
		switch t, err := decodeDeltaToken(tok); {
		case strings.EqualFold(tok, "latest"), err == nil && t.kind == tokDelta:
			q.DeltaToken = tok
		default:
			q.SkipToken = tok
		}
	}
	switch {
	case q.SkipToken != "" && q.DeltaToken != "":
		return nil, s.behavior.ErrDeltaTokenWithOptions("$skiptoken")
	case q.SkipToken != "":
		dc.option = "$skiptoken"
	case strings.EqualFold(q.DeltaToken, "latest"):
		dc.latest = true
	case q.DeltaToken != "":
		dc.option = "$deltatoken"
	}
	if dc.option != "" {
		// Later requests of a round carry no options of their own.
		for k := range values {
			name := strings.ToLower(strings.TrimPrefix(k, "$"))
			switch name {
			case "skiptoken", "deltatoken", "format":
			case "filter", "select", "orderby", "top", "skip", "count", "search", "expand":
				return nil, s.behavior.ErrDeltaTokenWithOptions(k)
			}
		}
		value := q.SkipToken + q.DeltaToken
		if dc.tok, err = decodeDeltaToken(value); err != nil {
			return nil, s.behavior.ErrDeltaToken(dc.option)
		}
		if (dc.option == "$deltatoken") != (dc.tok.kind == tokDelta) {
			return nil, s.behavior.ErrDeltaToken(dc.option)
		}
		dc.query = dc.tok.query
		if values, err = odata.SplitQuery(dc.query); err != nil {
			return nil, s.behavior.ErrDeltaToken(dc.option)
		}
		if dc.q, err = odata.ParseQuery(rq.schema, t, values, odata.QueryOptions{OptionalDollar: true,
			SearchTokenized: s.behavior.SearchTokenized}); err != nil {
			return nil, s.behavior.ErrDeltaToken(dc.option)
		}
	} else {
		dc.query = withoutTokens(raw, dc.entity)
	}
	if err := s.behavior.DeltaRules(behavior.DeltaQuery{Schema: rq.schema, Type: t, Query: dc.q, KeyName: keyName(t)}); err != nil {
		return nil, err
	}
	if dc.q.Top > 0 {
		dc.size = dc.q.Top
	}
	if n := maxPageSize(rq.r.Header); n > 0 {
		dc.size = min(dc.size, n)
		dc.applied = "odata.maxpagesize=" + strconv.Itoa(n)
	}
	dc.changedOnly = s.behavior.DeltaChangedOnly(rq.schema, t, prefersMinimal(rq.r.Header))
	return dc, nil
}

// withoutTokens returns a raw query string without its $skiptoken and $deltatoken (and
// token, for a delta bound to an entity).
func withoutTokens(raw string, entity bool) string {
	var b strings.Builder
	for raw != "" {
		var pair string
		pair, raw, _ = strings.Cut(raw, "&")
		k, _, _ := strings.Cut(pair, "=")
		switch strings.ToLower(strings.TrimPrefix(k, "$")) {
		case "", "skiptoken", "deltatoken", "%24skiptoken", "%24deltatoken":
			continue
		case behavior.DeltaTokenParam:
			if entity {
				continue
			}
		}
		if b.Len() > 0 {
			b.WriteByte('&')
		}
		b.WriteString(pair)
	}
	return b.String()
}

// maxPageSize reads Prefer: odata.maxpagesize=n (0 when absent).
func maxPageSize(h http.Header) int {
	for _, v := range h[hdrPrefer] {
		for _, part := range strings.Split(v, ",") {
			name, val, ok := strings.Cut(strings.TrimSpace(part), "=")
			if ok && strings.EqualFold(strings.TrimSpace(name), "odata.maxpagesize") {
				if n, err := strconv.Atoi(strings.TrimSpace(val)); err == nil && n > 0 {
					return n
				}
			}
		}
	}
	return 0
}

// deltaCollKey names the tracked collection in tokens: the store collection and the
// type after casts.
func deltaCollKey(r *resource) string {
	return tokenName(r.coll) + "\x1e" + r.typ.QualifiedName()
}

// deltaPage answers one delta request inside one store read.
func (s *Server) deltaPage(rq *request, v store.View, r *resource, dc *deltaCall) (*response, error) {
	if r.refs {
		return nil, &odata.Error{Status: http.StatusNotImplemented, Code: "NotImplemented",
			Message: "The emulator does not track changes of a non-contained navigation property."}
	}
	if r.rule.Computed && !r.rule.Span {
		return nil, &odata.Error{Status: http.StatusNotImplemented, Code: "NotImplemented",
			Message: "The emulator does not track changes of a computed collection ('" + r.nav.Name + "')."}
	}
	fv, ok := v.(store.FeedView)
	if !ok {
		return nil, &odata.Error{Status: http.StatusNotImplemented, Code: "NotImplemented",
			Message: "The store does not read its change feed with its state: delta queries need it."}
	}
	tok := &deltaToken{tenant: rq.tenant(), version: rq.version, coll: deltaCollKey(r), query: dc.query}
	if dc.tok != nil && (dc.tok.tenant != tok.tenant || dc.tok.version != tok.version || dc.tok.coll != tok.coll ||
		dc.tok.kind == tokWalk && dc.tok.pos.src >= len(r.sources)) {
		return nil, s.behavior.ErrDeltaToken(dc.option)
	}
	pg := &deltaWriter{s: s, rq: rq, v: v, r: r, dc: dc, now: fv.Seq()}
	var err error
	switch {
	case dc.latest:
		// Only a deltaLink: tracking starts now.
	case dc.tok == nil:
		pg.walk(position{})
	case dc.tok.kind == tokWalk:
		if err = pg.catchUp(fv, dc.tok.seq, dc.tok.pos); err == nil {
			pg.walk(dc.tok.pos)
		}
	case dc.tok.kind == tokDelta:
		err = pg.changes(fv, dc.tok.seq, pg.now, 0)
	default:
		if dc.tok.to > pg.now {
			return nil, s.behavior.ErrDeltaToken(dc.option)
		}
		err = pg.changes(fv, dc.tok.seq, dc.tok.to, dc.tok.after)
	}
	if err != nil {
		if errors.Is(err, store.ErrTruncated) {
			restart := rq.base + rq.r.URL.EscapedPath()
			if dc.query != "" {
				restart += "?" + dc.query
			}
			return nil, s.behavior.ErrSyncStateNotFound(restart)
		}
		return nil, err
	}
	head := odata.CollectionHead{Context: odata.ContextURL(rq.base, rq.version, deltaContext(r), false)}
	link := deltaLinkBase(rq, dc.entity)
	skip, delta := "?$skiptoken=", "?$deltatoken="
	if dc.entity {
		skip, delta = "?"+behavior.DeltaTokenParam+"=", "?"+behavior.DeltaTokenParam+"="
	}
	switch {
	case pg.next != nil:
		pg.next.tenant, pg.next.version, pg.next.coll, pg.next.query = tok.tenant, tok.version, tok.coll, tok.query
		head.NextLink = link + skip + pg.next.encode()
	default:
		tok.kind, tok.seq = tokDelta, pg.deltaSeq()
		head.DeltaLink = link + delta + tok.encode()
	}
	w := odata.BeginCollection((*rq.buf)[:0], head)
	for _, it := range pg.items {
		if it.removed != "" {
			if raw := s.behavior.RemovedEntry(rq.schema, rq.schema.EntityType(it.m.e.Type), it.keyName, it.m.e.ID); raw != nil {
				w.AddValue(raw) // as the behaviour writes it (a drive item's deleted facet)
				continue
			}
			w.AddRemoved(it.typeName, it.keyName, it.m.e.ID, it.removed)
			continue
		}
		if err := w.AddFunc(func(dst []byte) ([]byte, error) { return s.appendItem(rq, v, dst, &it.item) }); err != nil {
			return nil, err
		}
	}
	*rq.buf = w.Finish()
	return &response{status: http.StatusOK, body: *rq.buf, applied: dc.applied}, nil
}

// deltaContext is the @odata.context resource of a delta response, as Graph's docs show
// it: the entity set's name for a set (user-delta.md: "$metadata#users"; no $select),
// Collection(type) for a navigation property (delta-query-messages.md:
// "$metadata#Collection(message)").
func deltaContext(r *resource) string {
	if r.nav == nil {
		return r.context
	}
	return "Collection(" + r.typ.Name + ")"
}

// deltaItem is one item of a delta page: an entity to write, or a removed one.
type deltaItem struct {
	item
	// removed is the @removed reason of a removed entity ("" for others).
	removed string
}

// deltaWriter collects one delta page.
type deltaWriter struct {
	s   *Server
	rq  *request
	v   store.View
	r   *resource
	dc  *deltaCall
	now uint64 // the feed's position at this read

	items []deltaItem
	// next is the $skiptoken of the next page (kind and position only), or nil.
	next *deltaToken
	// windowEnd is the end of the window of a page of changes (windowed is set).
	windowEnd uint64
	windowed  bool
}

// deltaSeq is the feed position the deltaLink of a last page starts from.
func (p *deltaWriter) deltaSeq() uint64 {
	if p.windowed {
		return p.windowEnd
	}
	return p.now
}

// typeName is the @odata.type written on an entity of type typ, as listResponse does.
func (p *deltaWriter) typeName(typ string) string {
	if typ != p.r.declared.QualifiedName() || p.r.nav != nil && !p.r.nav.ContainsTarget {
		return typ
	}
	return ""
}

// addEntity adds an entity with the selected properties (sel nil: all).
func (p *deltaWriter) addEntity(m member, sel []string) {
	p.items = append(p.items, deltaItem{item: item{m: m, typeName: p.typeName(m.e.Type), sel: sel, keyName: keyName(p.r.typ)}})
}

// addRemoved adds a removed entity of type typ.
func (p *deltaWriter) addRemoved(id, typ string) {
	t := p.rq.schema.EntityType(typ)
	if t == nil {
		t = p.r.typ
	}
	p.items = append(p.items, deltaItem{
		item:    item{m: member{e: store.Entity{ID: id, Type: typ}}, typeName: p.typeName(typ), keyName: keyName(p.r.typ)},
		removed: p.s.behavior.RemovedReason(p.rq.schema, t)})
}

// walk adds a page of the collection's current state after start.
func (p *deltaWriter) walk(start position) {
	res := p.s.collect(p.rq, p.v, p.r, pageSpec{q: p.dc.q, start: start, size: p.dc.size})
	for _, m := range res.items {
		p.addEntity(m, p.dc.q.Select)
	}
	if res.more && len(res.items) > 0 {
		p.next = &deltaToken{kind: tokWalk, seq: p.now, pos: res.items[len(res.items)-1].pos}
	}
}

// catchUp adds what changed after the feed position since, among the entities at or
// before the walk's cursor: those the walk has passed.
func (p *deltaWriter) catchUp(fv store.FeedView, since uint64, cursor position) error {
	aggs, err := p.aggregate(fv, since, p.now)
	if err != nil {
		return err
	}
	for _, a := range aggs {
		if a.deleted {
			if !a.created && p.removedMatches(a.id, a.typ) {
				p.addRemoved(a.id, a.typ)
			}
			continue
		}
		e, err := p.v.Get(p.r.sources[a.src], a.id)
		if err != nil || cursor.less(position{a.src, e.Seq}) {
			continue // gone since, or ahead of the cursor: the walk lists it
		}
		if m := (member{e: e, coll: p.r.sources[a.src], pos: position{a.src, e.Seq}}); p.matches(e) {
			p.addEntity(m, p.dc.q.Select)
		}
	}
	return nil
}

// changes adds a page of the changes in the feed window (from, to], after the change
// after, and sets the next page's token when more remain.
func (p *deltaWriter) changes(fv store.FeedView, from, to, after uint64) error {
	aggs, err := p.aggregate(fv, from, to)
	if err != nil {
		return err
	}
	p.windowEnd, p.windowed = to, true
	i := firstAfter(aggs, after)
	n := 0
	for ; i < len(aggs) && n < p.dc.size; i++ {
		if p.addChange(aggs[i]) {
			n++
		}
	}
	if i < len(aggs) {
		p.next = &deltaToken{kind: tokChanges, seq: from, to: to, after: aggs[i-1].last}
	}
	return nil
}

// firstAfter returns the index of the first aggregate whose last change comes after
// the change after (aggregates are in the order of their last change).
func firstAfter(aggs []*deltaAgg, after uint64) int {
	i, _ := slices.BinarySearchFunc(aggs, after, func(a *deltaAgg, t uint64) int {
		if a.last <= t {
			return -1
		}
		return 1
	})
	return i
}

// addChange adds the item for an entity that changed in the window, and reports
// whether it added one.
func (p *deltaWriter) addChange(a *deltaAgg) bool {
	if a.deleted {
		if a.created || !p.removedMatches(a.id, a.typ) {
			return false // created and deleted since the token: the client never saw it
		}
		p.addRemoved(a.id, a.typ)
		return true
	}
	coll := p.r.sources[a.src]
	e, err := p.v.Get(coll, a.id)
	if err != nil || !p.matches(e) {
		return false // deleted after the window: the next round says so
	}
	m := member{e: e, coll: coll, pos: position{a.src, e.Seq}}
	sel := p.dc.q.Select
	if a.created || a.allProps {
		p.addEntity(m, sel)
		return true
	}
	// An update: its changed structural properties, among the selected ones.
	t := p.rq.schema.EntityType(e.Type)
	var changed []string
	for _, name := range a.props {
		if t != nil {
			if prop, _ := t.Property(name); prop == nil {
				continue
			}
		}
		if sel == nil || slices.Contains(sel, name) {
			changed = append(changed, name)
		}
	}
	if len(changed) == 0 {
		return false // only properties not tracked by this round changed
	}
	if p.dc.changedOnly {
		sel = changed
	}
	p.addEntity(m, sel)
	return true
}

// matches reports whether an entity belongs in the round: of the collection's type
// (after a cast) and matching its $filter.
func (p *deltaWriter) matches(e store.Entity) bool {
	if p.r.typ != p.r.declared && !entityIsA(p.rq.schema, e, p.r.typ) {
		return false
	}
	return p.dc.q.Filter == nil || p.dc.q.Filter.Match(e.Body)
}

// removedMatches reports whether a removed entity of type typ belongs in the round: of
// the collection's type (after a cast), and named by a filter on the key (other
// filters cannot be read on an entity that is gone).
func (p *deltaWriter) removedMatches(id, typ string) bool {
	if p.r.typ != p.r.declared {
		if t := p.rq.schema.EntityType(typ); t == nil || !t.IsA(p.r.typ) {
			return false
		}
	}
	f := p.dc.q.Filter
	if f == nil {
		return true
	}
	ids, ok := f.EqualityValues(keyName(p.r.typ))
	if !ok {
		return true
	}
	for _, x := range ids {
		if strings.EqualFold(x, id) {
			return true
		}
	}
	return false
}

// deltaAgg is what the changes of a window did to one entity of the collection.
type deltaAgg struct {
	src int
	id  string
	// typ is the entity's type after its last change (before it, for a deletion).
	typ string
	// created: its first change in the window created it (it did not exist before);
	// deleted: its last change deleted it.
	created, deleted bool
	// props are the properties its updates changed; allProps when some update did not
	// say.
	props    []string
	allProps bool
	// last is the Seq of its last change in the window.
	last uint64
}

type deltaKey struct {
	src int
	id  string
}

// aggregate reads the feed window (from, to] and returns what it did to each entity of
// the collection, in the order of their last change. A Reset in the window, or a
// window the feed no longer holds, is store.ErrTruncated: the client must start over.
func (p *deltaWriter) aggregate(fv store.FeedView, from, to uint64) ([]*deltaAgg, error) {
	if from > p.now {
		// A feed position this tenant never reached: not a token issued for its state.
		return nil, p.s.behavior.ErrDeltaToken(p.dc.option)
	}
	byKey := map[deltaKey]*deltaAgg{}
	var list []*deltaAgg
	var slab []deltaAgg // aggregates allocated a block at a time
	reset := false
	sources := p.r.sources
	err := fv.Changes(from, func(c store.Change) bool {
		if c.Seq > to {
			return false
		}
		if c.Kind == store.Reset {
			reset = true
			return false
		}
		src := -1
		for i := range sources {
			if sources[i].Equal(c.Coll) {
				src = i
				break
			}
		}
		if src < 0 {
			return true
		}
		k := deltaKey{src, c.ID}
		a := byKey[k]
		if a == nil {
			if len(slab) == cap(slab) {
				slab = make([]deltaAgg, 0, 256)
			}
			slab = append(slab, deltaAgg{src: src, id: c.ID, created: c.Kind == store.Created})
			a = &slab[len(slab)-1]
			byKey[k] = a
			list = append(list, a)
		}
		a.typ, a.last = c.Type, c.Seq
		switch c.Kind {
		case store.Deleted:
			a.deleted = true
		case store.Created:
			a.deleted, a.allProps = false, true
		case store.Updated:
			a.deleted = false
			if c.Props == nil {
				a.allProps = true
			}
			for _, name := range c.Props {
				if len(a.props) >= maxChangedNames {
					a.allProps = true // too many to list: the entity goes whole
					break
				}
				if !slices.Contains(a.props, name) {
					a.props = append(a.props, name)
				}
			}
		}
		return true
	})
	if err != nil {
		return nil, err
	}
	if reset {
		return nil, store.ErrTruncated
	}
	slices.SortFunc(list, func(a, b *deltaAgg) int {
		switch {
		case a.last < b.last:
			return -1
		case a.last > b.last:
			return 1
		}
		return 0
	})
	return list, nil
}
