package emulator

import (
	"bytes"
	"net/http"
	"sync"

	"github.com/graph-emulator/graph-emulator/entities"
	"github.com/graph-emulator/graph-emulator/odata"
)

// metadataDoc writes a schema's CSDL document once, on its first request; each schema
// has its own, so documents of different schemas are written side by side.
func metadataDoc(schema *entities.Schema) func() ([]byte, error) {
	return sync.OnceValues(func() ([]byte, error) {
		var buf bytes.Buffer
		if err := odata.WriteCSDL(&buf, schema); err != nil {
			return nil, err
		}
		return buf.Bytes(), nil
	})
}

// serveMetadata answers GET /{version}/$metadata with the schema in use as CSDL XML.
func (s *Server) serveMetadata(w http.ResponseWriter, r *http.Request) {
	version, _, _ := splitVersion(r.URL.EscapedPath())
	schema := s.cfg.schemas[version]
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		s.writeError(w, r, odata.ErrMethodNotAllowed("GET"))
		return
	}
	doc, err := s.schemaCache(schema).metadata()
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
