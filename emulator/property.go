package emulator

import (
	"net/http"
	"strings"

	"github.com/tidwall/gjson"

	"github.com/graph-emulator/graph-emulator/emulator/store"
	"github.com/graph-emulator/graph-emulator/odata"
)

// property answers GET of a structural property ({"value":...}) or of its raw $value.
func (s *Server) property(rq *request) (*response, error) {
	if _, err := checkQuery(rq); err != nil {
		return nil, err
	}
	return s.read(rq, func(s *Server, rq *request, v store.View, r *resource) (*response, error) {
		if err := s.requireEntity(rq, v, r); err != nil {
			return nil, err
		}
		segs := rq.path.Segments
		raw := rq.path.Kind == odata.PathPropertyValue
		prop := segs[len(segs)-1]
		if raw {
			prop = segs[len(segs)-2]
		}
		val := gjson.GetBytes(r.entity.Body, escapePath(prop.Name))
		if !val.Exists() || val.Type == gjson.Null {
			return &response{status: http.StatusNoContent}, nil
		}
		if raw {
			*rq.buf = append((*rq.buf)[:0], val.String()...)
			return &response{status: http.StatusOK, body: *rq.buf, contentType: "text/plain;charset=utf-8"}, nil
		}
		*rq.buf = odata.AppendProperty((*rq.buf)[:0], odata.MetadataURL(rq.base, rq.version)+"#"+entityPath(r)+"/"+prop.Name, []byte(val.Raw))
		return &response{status: http.StatusOK, body: *rq.buf}, nil
	})
}

// entityValue answers GET of an entity's raw content (/$value): what the behaviour says
// it holds (a file attachment's bytes, with their media type); an entity without
// content answers as an unknown segment.
func (s *Server) entityValue(rq *request) (*response, error) {
	if _, err := checkQuery(rq); err != nil {
		return nil, err
	}
	return s.read(rq, func(s *Server, rq *request, v store.View, r *resource) (*response, error) {
		if err := s.requireEntity(rq, v, r); err != nil {
			return nil, err
		}
		data, ct, ok := s.behavior.Content(rq.schema, r.entity)
		if !ok {
			return nil, odata.ErrSegmentNotFound("$value")
		}
		*rq.buf = append((*rq.buf)[:0], data...)
		return &response{status: http.StatusOK, body: *rq.buf, contentType: ct}, nil
	})
}

// escapePath escapes a member name for a gjson path.
func escapePath(name string) string {
	if !strings.ContainsAny(name, ".*?|#@\\") {
		return name
	}
	var b strings.Builder
	for i := 0; i < len(name); i++ {
		switch name[i] {
		case '.', '*', '?', '|', '#', '@', '\\':
			b.WriteByte('\\')
		}
		b.WriteByte(name[i])
	}
	return b.String()
}
