package emulator

import (
	"bytes"
	"net/http"
	"sync"

	"github.com/graph-emulator/graph-emulator/entities"
	"github.com/graph-emulator/graph-emulator/odata"
)

// metadataCache holds each schema's CSDL document, written on first request.
type metadataCache struct {
	mu   sync.Mutex
	docs map[*entities.Schema][]byte
}

func (c *metadataCache) get(s *entities.Schema) ([]byte, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if doc, ok := c.docs[s]; ok {
		return doc, nil
	}
	var buf bytes.Buffer
	if err := odata.WriteCSDL(&buf, s); err != nil {
		return nil, err
	}
	if c.docs == nil {
		c.docs = map[*entities.Schema][]byte{}
	}
	c.docs[s] = buf.Bytes()
	return c.docs[s], nil
}

// serveMetadata answers GET /{version}/$metadata with the schema in use as CSDL XML.
func (s *Server) serveMetadata(w http.ResponseWriter, r *http.Request) {
	version, _, _ := splitVersion(r.URL.EscapedPath())
	schema := s.cfg.schemas[version]
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		s.writeError(w, r, odata.ErrMethodNotAllowed("GET"))
		return
	}
	doc, err := s.metadata.get(schema)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	h := w.Header()
	h["Content-Type"] = []string{"application/xml"}
	h["Content-Length"] = []string{itoa(len(doc))}
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodGet {
		_, _ = w.Write(doc)
	}
}

// matchMetadata matches /{version}/$metadata for a served version.
func (s *Server) matchMetadata(r *http.Request) bool {
	v, rest, ok := splitVersion(r.URL.EscapedPath())
	return ok && s.cfg.schemas[v] != nil && (rest == "$metadata" || rest == "%24metadata")
}
