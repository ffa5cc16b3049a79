package emulator

import (
	"net/http"
	"strings"

	"github.com/graph-emulator/graph-emulator/emulator/behavior"
	"github.com/graph-emulator/graph-emulator/emulator/store"
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
	count, err := s.queryRules(rq, r, q, false)
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
		if cq.start, cq.keys, err = decodeSkipToken(q.SkipToken, tokenName(r.coll), len(r.sources), queryHash(q), len(q.OrderBy) > 0); err != nil {
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
	opts := s.queryOpts
	opts.Single = single
	return odata.ParseQuery(rq.schema, t, values, opts)
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

// queryRules applies Graph's rules for the query options on collection r (segment:
// the /$count segment) and reports whether @odata.count is to be written.
func (s *Server) queryRules(rq *request, r *resource, q *odata.Query, segment bool) (bool, error) {
	return s.behavior.QueryRules(behavior.QueryCall{Schema: rq.schema, Type: r.typ, Query: q,
		Eventual: eventual(rq.r), Segment: segment})
}

// eventual reports whether the request carries ConsistencyLevel: eventual.
func eventual(r *http.Request) bool {
	for _, v := range r.Header[hdrConsistency] {
		if strings.EqualFold(strings.TrimSpace(v), "eventual") {
			return true
		}
	}
	return false
}

// pageResult is one page of matches.
type pageResult struct {
	items []member
	// more reports a match after the page.
	more bool
	// total counts every match (when asked for).
	total int
	// nextLink is the page's @odata.nextLink ("" on the last page; set by page).
	nextLink string
}

// pageSpec says which page of matches collect finds.
type pageSpec struct {
	q *odata.Query
	// start and keys: the page starts after position start and, with $orderby, after
	// the sort values keys.
	start position
	keys  []byte
	// skip matches are skipped, then up to size are kept.
	skip, size int
	// total counts all the matches, which takes a whole scan without $orderby.
	total bool
}

// collect finds the page of r's members that spec asks for.
func (s *Server) collect(rq *request, v store.View, r *resource, spec pageSpec) pageResult {
	q, start, keys, skip, size, total := spec.q, spec.start, spec.keys, spec.skip, spec.size, spec.total
	var res pageResult
	if len(q.OrderBy) == 0 {
		res.items = make([]member, 0, min(size, 256))
		skipped := 0
		s.members(rq, v, r, q.Filter, start, func(m member) bool {
			if !s.matches(rq, v, q, m) {
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
	s.members(rq, v, r, q.Filter, position{}, func(m member) bool {
		if !s.matches(rq, v, q, m) {
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

// page collects the page cq asks for: its members, the number of all matches (when
// @odata.count is asked for) and the @odata.nextLink.
func (s *Server) page(rq *request, v store.View, r *resource, cq *collectionQuery) pageResult {
	// The count of an unfiltered collection is the store's.
	storeCount := cq.count && cq.Filter == nil && cq.Search == nil && !r.refs && !r.rule.Walked() && r.typ == r.declared
	res := s.collect(rq, v, r, pageSpec{q: cq.Query, start: cq.start, keys: cq.keys, skip: cq.skip, size: cq.size,
		total: cq.count && !storeCount})
	if storeCount {
		res.total = 0
		for _, c := range r.sources {
			res.total += v.Len(c)
		}
	}
	if res.more && len(res.items) > 0 {
		last := res.items[len(res.items)-1]
		var keys []byte
		if len(cq.OrderBy) > 0 {
			keys = sortValues(cq.OrderBy, last.e.Body)
		}
		res.nextLink = nextLink(rq, encodeSkipToken(tokenName(r.coll), last.pos, queryHash(cq.Query), keys))
	}
	return res
}
