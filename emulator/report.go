package emulator

import (
	"net/http"
	"strings"

	"github.com/gorilla/mux"

	"github.com/graph-emulator/graph-emulator/emulator/behavior"
	"github.com/graph-emulator/graph-emulator/emulator/store"
	"github.com/graph-emulator/graph-emulator/odata"
)

// matchPrefix matches the requests whose escaped path starts with prefix.
func matchPrefix(prefix string) mux.MatcherFunc {
	return func(r *http.Request, _ *mux.RouteMatch) bool { return strings.HasPrefix(r.URL.EscapedPath(), prefix) }
}

// serveReport answers a report download URL (the Location of a report function's
// 302): the token after behavior.ReportDownloadPath names the tenant and the report,
// which is written from one read of the tenant's state. Like Graph's pre-authenticated
// download URLs it needs no Authorization; it answers GET and HEAD.
func (s *Server) serveReport(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		s.writeError(w, r, odata.ErrMethodNotAllowed("GET, HEAD"))
		return
	}
	token := strings.TrimPrefix(r.URL.EscapedPath(), behavior.ReportDownloadPath)
	dl, err := s.behavior.OpenReport(token, s.cfg.now())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var body []byte
	var contentType string
	_ = s.store.Read(dl.Tenant, func(v store.View) error {
		body, contentType = dl.Render(v)
		return nil
	})
	h := w.Header()
	h["Content-Type"] = []string{contentType}
	h["Content-Length"] = []string{itoa(len(body))}
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodGet {
		_, _ = w.Write(body)
	}
}
