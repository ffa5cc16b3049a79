package emulator

import (
	"slices"
	"strings"

	"github.com/graph-emulator/graph-emulator/emulator/store"
	"github.com/graph-emulator/graph-emulator/odata"
)

// member is one entity of a listed collection and where it was found.
type member struct {
	e store.Entity
	// coll is the store collection holding e (for a navigation reference, the
	// target's collection).
	coll store.Coll
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

// Finding members.

// members calls fn with the members of r in creation order, from after start, until fn
// returns false. An equality filter on the key (id eq 'x', id in ('x','y')) is answered by
// key lookups instead of a scan; the caller still applies the filter.
func (s *Server) members(rq *request, v store.View, r *resource, f *odata.Filter, start position, fn func(member) bool) {
	if rq.readOnly {
		// A read stops scanning once the client is gone or its time is up (see read).
		visit, n := fn, 0
		fn = func(m member) bool {
			if n++; n%32 == 0 && rq.cancelled() {
				return false
			}
			return visit(m)
		}
	}
	if r.rule.Walked() {
		s.derivedMembers(rq, v, r, start, fn)
		return
	}
	if f != nil {
		if key := r.typ.KeyProperty(); key != nil {
			if ids, ok := f.EqualityValues(key.Name); ok {
				s.lookupMembers(rq, v, r, ids, start, fn)
				return
			}
		}
	}
	s.scanMembers(rq, v, r, start, fn)
}

// scanMembers visits r's sources in creation order from after start: the entities of
// each source, or for a navigation property the targets of its references (a member
// not of r's type, after a cast, is left out).
func (s *Server) scanMembers(rq *request, v store.View, r *resource, start position, fn func(member) bool) {
	for src := start.src; src < len(r.sources); src++ {
		coll := r.sources[src]
		after := uint64(0)
		if src == start.src {
			after = start.seq
		}
		stopped := false
		if r.refs {
			v.Refs(coll, after, func(ref store.Ref) bool {
				m, ok := s.refMember(rq, v, r, ref, src)
				if ok && !fn(m) {
					stopped = true
				}
				return !stopped
			})
		} else {
			v.Scan(coll, after, func(e store.Entity) bool {
				m := member{e: e, coll: coll, pos: position{src, e.Seq}}
				if (r.typ == r.declared || entityIsA(rq.schema, e, r.typ)) && !fn(m) {
					stopped = true
				}
				return !stopped
			})
		}
		if stopped {
			return
		}
	}
}

// refMember reads the target of a reference, as a member of r at the reference's place.
func (s *Server) refMember(rq *request, v store.View, r *resource, ref store.Ref, src int) (member, bool) {
	e, err := v.Get(ref.Target, ref.ID)
	if err != nil || !entityIsA(rq.schema, e, r.typ) {
		return member{}, false
	}
	return member{e: e, coll: ref.Target, pos: position{src, ref.Seq}}, true
}

// lookupMembers finds the members whose key is one of ids. Store keys compare exactly,
// while $filter compares strings case-insensitively: each id is also looked up in lower
// and in upper case (GUIDs, Graph's keys, come in either), so a key stored in mixed case
// is found by an equality filter only when spelled as stored or all in one case.
func (s *Server) lookupMembers(rq *request, v store.View, r *resource, ids []string, start position, fn func(member) bool) {
	var found []member
	seen := make(map[string]bool, len(ids))
	for _, id := range ids {
		for _, k := range [...]string{id, strings.ToLower(id), strings.ToUpper(id)} {
			if seen[k] {
				continue
			}
			seen[k] = true
			for src, coll := range r.sources {
				var m member
				if r.refs {
					ref, err := v.Ref(coll, k)
					if err != nil {
						continue
					}
					var ok bool
					if m, ok = s.refMember(rq, v, r, ref, src); !ok {
						continue
					}
				} else {
					e, err := v.Get(coll, k)
					if err != nil || !(r.typ == r.declared || entityIsA(rq.schema, e, r.typ)) {
						continue
					}
					m = member{e: e, coll: coll, pos: position{src, e.Seq}}
				}
				if start.less(m.pos) {
					found = append(found, m)
				}
			}
		}
	}
	visitInOrder(found, fn)
}

// visitInOrder calls fn with the members found, sorted by position, until fn returns
// false.
func visitInOrder(found []member, fn func(member) bool) {
	slices.SortStableFunc(found, func(a, b member) int {
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

// matches applies $filter and $search to m; in a read, a filter gives up (false) once
// the request is cancelled. A filter on a navigation property's $count counts in v.
func (s *Server) matches(rq *request, v store.View, q *odata.Query, m member) bool {
	if f := q.Filter; f != nil {
		var done <-chan struct{}
		if rq.readOnly {
			done = rq.r.Context().Done()
		}
		if f.Uses(odata.FeatureNavCount) {
			if !f.MatchCounting(done, m.e.Body, func(nav string) int { return s.navCount(rq, v, m, nav) }) {
				return false
			}
		} else if !f.MatchContext(done, m.e.Body) {
			return false
		}
	}
	return q.Search == nil || q.Search.Match(m.e.Body)
}

// navCount counts the entities m's navigation property named nav holds, as a GET of
// its /$count would: references, contained entities, and what the behaviour computes
// (memberOf).
func (s *Server) navCount(rq *request, v store.View, m member, name string) int {
	t := rq.schema.EntityType(m.e.Type)
	if t == nil {
		return 0
	}
	nav := t.NavigationProperty(name)
	if nav == nil {
		return 0
	}
	sub := navResourceOf(m, nav)
	if err := s.applyNavRule(rq, v, sub, m.e, m.coll, nav); err != nil {
		return 0
	}
	return s.countMatches(rq, v, sub, &odata.Query{Top: -1, Skip: -1})
}

// cancelled reports whether a read's request was cancelled: its client went away, or
// its deadline passed.
func (rq *request) cancelled() bool {
	if rq.r.Context().Err() == nil {
		return false
	}
	rq.gone = true
	return true
}

// countMatches counts r's members matching q's $filter and $search.
func (s *Server) countMatches(rq *request, v store.View, r *resource, q *odata.Query) int {
	if q.Filter == nil && q.Search == nil && !r.refs && !r.rule.Walked() && r.typ == r.declared {
		n := 0
		for _, c := range r.sources {
			n += v.Len(c)
		}
		return n
	}
	n := 0
	s.members(rq, v, r, q.Filter, position{}, func(m member) bool {
		if s.matches(rq, v, q, m) {
			n++
		}
		return true
	})
	return n
}
