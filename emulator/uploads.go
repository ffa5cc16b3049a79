package emulator

import (
	"compress/gzip"
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/graph-emulator/graph-emulator/emulator/behavior"
	"github.com/graph-emulator/graph-emulator/emulator/store"
	"github.com/graph-emulator/graph-emulator/odata"
)

// serveAttachmentUpload answers an upload session's URL (the uploadUrl of a createUploadSession
// answer): the token after behavior.AttachmentUploadPath names the tenant, the version and the
// session, and the behaviour takes the bytes (PUT with Content-Range), reports the
// session (GET) or drops it (DELETE), in one write of that tenant. Like Graph's
// pre-authenticated upload URLs it needs no Authorization.
func (s *Server) serveAttachmentUpload(w http.ResponseWriter, r *http.Request) {
	token := strings.TrimPrefix(r.URL.EscapedPath(), behavior.AttachmentUploadPath)
	tenant, version, err := s.behavior.AttachmentUploadTarget(token)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	schema := s.cfg.schemas[version]
	if schema == nil {
		s.writeError(w, r, odata.ErrInvalidVersion(version))
		return
	}
	var body []byte
	if r.Method == http.MethodPut {
		if body, err = s.readAttachmentBytes(r); err != nil {
			s.writeError(w, r, err)
			return
		}
	}
	call := &behavior.AttachmentUploadCall{Method: r.Method, Token: token, ContentRange: r.Header.Get("Content-Range"), Body: body,
		Schema: schema, Base: baseURL(r, s.cfg.trustProxy), Now: s.cfg.now, NewID: s.cfg.newID}
	var res *behavior.OpResult
	err = s.store.Write(tenant, func(tx store.Tx) error {
		call.Tx = tx
		var err error
		res, err = s.behavior.AttachmentUpload(call)
		return err
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if res.Location != "" {
		w.Header()["Location"] = []string{res.Location}
	}
	if res.Body == nil {
		w.Header()["Content-Length"] = []string{"0"}
		w.WriteHeader(res.Status)
		return
	}
	s.writeBody(w, res.Status, res.Body)
}

// readAttachmentBytes reads a request's raw body (gzip or identity), within the body limit.
func (s *Server) readAttachmentBytes(r *http.Request) ([]byte, error) {
	if r.Body == nil {
		return nil, nil
	}
	var src io.Reader = r.Body
	switch enc := strings.ToLower(strings.TrimSpace(r.Header.Get("Content-Encoding"))); enc {
	case "", "identity":
	case "gzip", "x-gzip":
		z, err := gzip.NewReader(r.Body)
		if err != nil {
			if isTooLarge(err) {
				return nil, odata.ErrBodyTooLarge()
			}
			return nil, odata.ErrUnreadableJSON()
		}
		defer z.Close()
		src = z
	default:
		return nil, odata.ErrUnsupportedEncoding(enc)
	}
	b, err := io.ReadAll(io.LimitReader(src, s.cfg.maxBodyBytes+1))
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe), err == nil && int64(len(b)) > s.cfg.maxBodyBytes:
		return nil, odata.ErrBodyTooLarge()
	case err != nil:
		return nil, &odata.Error{Status: http.StatusBadRequest, Code: "BadRequest", Message: "The request body could not be read."}
	}
	return b, nil
}
