package emulator

import (
	"net/http"

	"github.com/graph-emulator/graph-emulator/emulator/store"
	"github.com/graph-emulator/graph-emulator/odata"
)

// count answers /$count: the number of entities matching $filter and $search, as
// text/plain. Graph answers it on directory objects only with ConsistencyLevel:
// eventual; the emulator asks for it under --strict (see behavior.QueryRules).
func (s *Server) count(rq *request) (*response, error) {
	return s.read(rq, func(s *Server, rq *request, v store.View, r *resource) (*response, error) {
		if err := checkNavList(r); err != nil {
			return nil, err
		}
		q, err := s.parseQuery(rq, r.typ, false)
		if err != nil {
			return nil, err
		}
		for _, o := range []struct {
			name string
			set  bool
		}{
			{"$select", q.Select != nil}, {"$expand", len(q.Expand) > 0}, {"$orderby", len(q.OrderBy) > 0},
			{"$top", q.Top >= 0}, {"$skip", q.Skip >= 0}, {"$count", q.Count}, {"$skiptoken", q.SkipToken != ""},
			{"$deltatoken", q.DeltaToken != ""},
		} {
			if o.set {
				return nil, odata.ErrQueryOption(o.name)
			}
		}
		if _, err := s.queryRules(rq, r, q, true); err != nil {
			return nil, err
		}
		n := s.countMatches(rq, v, r, q)
		*rq.buf = odata.AppendCount((*rq.buf)[:0], n)
		return &response{status: http.StatusOK, body: *rq.buf, contentType: "text/plain;charset=utf-8"}, nil
	})
}
