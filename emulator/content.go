package emulator

import (
	"compress/gzip"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/graph-emulator/graph-emulator/emulator/behavior"
	"github.com/graph-emulator/graph-emulator/emulator/store"
	"github.com/graph-emulator/graph-emulator/entities"
	"github.com/graph-emulator/graph-emulator/odata"
)

// Content streams: stream properties the behaviour serves (behavior.IsStream: a drive
// item's content), kept in the store's Content capability (store.Content; a server whose
// store lacks it keeps content in memory of its own).
//
//   - PUT {entity}/{stream} streams the body into the content store under a temporary
//     key, through the behaviour's digest and within the upload limit and the content
//     limit, then hands the write to the behaviour (behavior.PutStream) in one store
//     write; the content moves under its entity's key as that write commits. Nothing is
//     held in memory but the chunk being copied.
//   - GET {entity}/{stream} is the behaviour's answer (Graph's: 302 to a download URL).
//   - GET behavior.DownloadPath{token} serves the bytes, with a single Range honoured
//     (206, or 416 in Graph's shape; several ranges are answered whole, as Graph may).
//   - behavior.UploadPath{token} is an upload session's URL (PUT a fragment, GET its
//     state, DELETE it), behavior.MonitorPath{token} the status of an asynchronous
//     operation: both answered by the behaviour, written here.
//
// Like Graph's pre-authenticated URLs, these three need no Authorization.

// DefaultMaxUploadBytes is the default limit of a simple upload (PUT of a stream):
// Graph's 250 MB.
const DefaultMaxUploadBytes = 250 << 20

// isStream reports whether rq addresses a stream property the behaviour serves.
func (s *Server) isStream(rq *request) bool {
	segs := rq.path.Segments
	if rq.path.Kind != odata.PathProperty || len(segs) < 2 {
		return false
	}
	return s.behavior.IsStream(rq.schema, segs[len(segs)-2].Type, segs[len(segs)-1].Name)
}

// stream answers GET and PUT of a stream property.
func (s *Server) stream(rq *request) (*response, error) {
	switch rq.r.Method {
	case http.MethodGet:
		return s.read(rq, func(s *Server, rq *request, v store.View, r *resource) (*response, error) {
			if err := s.requireEntity(rq, v, r); err != nil {
				return nil, err
			}
			if err := s.checkPreconditions(rq, r); err != nil {
				return nil, err
			}
			res, err := s.behavior.GetStream(s.call(rq, v, entityType(rq.schema, r)), r.entityColl, r.entity)
			return s.opResponse(rq, res, err)
		})
	case http.MethodPut:
		return s.putStream(rq)
	}
	return nil, odata.ErrMethodNotAllowed("GET, PUT")
}

// streamsBody reports whether r's body is a stream the content handlers read
// themselves, with their own limits (see withBodyLimit): an upload session's fragment,
// or a PUT whose last segment names a stream the behaviour serves.
func (s *Server) streamsBody(r *http.Request) bool {
	p := r.URL.EscapedPath()
	if strings.HasPrefix(p, behavior.UploadPath) {
		return true
	}
	if r.Method != http.MethodPut {
		return false
	}
	last := p[strings.LastIndexByte(p, '/')+1:]
	for _, name := range s.behavior.StreamNames() {
		if strings.EqualFold(last, name) {
			return true
		}
	}
	return false
}

// errNoContent answers a content request when the server keeps no content.
func errNoContent() error {
	return &odata.Error{Status: http.StatusNotImplemented, Code: "NotImplemented", Message: "The server keeps no content."}
}

// errBody answers a body that could not be read whole.
func errBody() error {
	return &odata.Error{Status: http.StatusBadRequest, Code: "invalidRequest",
		Message: "The request body could not be read whole: it ended before its Content-Length."}
}

// errTooLarge is what limitedReader answers past its limit.
var errTooLarge = errors.New("emulator: body over the limit")

// limitedReader reads r and fails with errTooLarge past n bytes.
type limitedReader struct {
	r io.Reader
	n int64
}

func (l *limitedReader) Read(p []byte) (int, error) {
	if l.n < 0 {
		return 0, errTooLarge
	}
	if int64(len(p)) > l.n+1 {
		p = p[:l.n+1]
	}
	k, err := l.r.Read(p)
	l.n -= int64(k)
	if l.n < 0 {
		return 0, errTooLarge
	}
	return k, err
}

// putStream answers PUT of a stream property.
func (s *Server) putStream(rq *request) (*response, error) {
	if s.content == nil {
		return nil, errNoContent()
	}
	if _, err := checkQuery(rq); err != nil {
		return nil, err
	}
	// The path first: no body is read for an entity that cannot take it.
	_, err := s.read(rq, func(s *Server, rq *request, v store.View, r *resource) (*response, error) {
		if r.addr != nil && !r.addr.Found {
			return nil, nil
		}
		if err := s.requireEntity(rq, v, r); err != nil {
			return nil, err
		}
		return nil, s.checkPreconditions(rq, r)
	})
	if err != nil {
		return nil, err
	}
	limit := s.cfg.maxUploadBytes
	if rq.r.ContentLength > limit {
		return nil, s.behavior.ErrTooLarge(limit)
	}
	body, release, err := s.decodedBody(rq.r)
	if err != nil {
		return nil, err
	}
	defer release()
	key := "tmp/" + s.cfg.newID()
	digest := s.behavior.NewDigest()
	_, err = s.content.WriteContent(rq.tenant(), key, io.TeeReader(&limitedReader{r: body, n: limit}, digest), s.cfg.maxContentBytes)
	switch {
	case errors.Is(err, errTooLarge):
		return nil, s.behavior.ErrTooLarge(limit)
	case errors.Is(err, store.ErrContentQuota):
		return nil, s.behavior.ErrQuota()
	case err != nil:
		return nil, errBody()
	}
	resp, err := s.write(rq, func(s *Server, rq *request, tx store.Tx, r *resource) (*response, error) {
		if r.addr == nil || r.addr.Found {
			if err := s.requireEntity(rq, tx, r); err != nil {
				return nil, err
			}
			if err := s.checkPreconditions(rq, r); err != nil {
				return nil, err
			}
		}
		res, err := s.behavior.PutStream(&behavior.StreamCall{Call: s.call(rq, tx, entityType(rq.schema, r)), Tx: tx,
			Found: r.found, Coll: r.entityColl, Entity: r.entity, Address: r.addr, Key: key, Digest: digest})
		return s.opResponse(rq, res, err)
	})
	if err != nil {
		_ = s.content.DeleteContent(rq.tenant(), key)
	}
	return resp, err
}

// decodedBody is r's body as sent before its Content-Encoding (gzip, as SDKs compress
// bodies, or none); release gives back what reading it took.
func (s *Server) decodedBody(r *http.Request) (io.Reader, func(), error) {
	switch enc := strings.ToLower(strings.TrimSpace(r.Header.Get("Content-Encoding"))); enc {
	case "", "identity":
		return r.Body, func() {}, nil
	case "gzip", "x-gzip":
		z := s.getGzip()
		var err error
		if z == nil {
			z, err = gzip.NewReader(r.Body)
		} else {
			err = z.Reset(r.Body)
		}
		if err != nil {
			return nil, nil, errBody()
		}
		return z, func() { s.gzips.Put(z) }, nil
	default:
		return nil, nil, odata.ErrUnsupportedEncoding(enc)
	}
}

// copyBufSize is the size of the buffers content is copied through (Server.copyBufs).
const copyBufSize = 256 << 10

func (s *Server) getCopyBuf() *[]byte {
	if b, ok := s.copyBufs.Get().(*[]byte); ok {
		return b
	}
	b := make([]byte, copyBufSize)
	return &b
}

// serveDownload answers a download URL: the content, whole or one range of it.
func (s *Server) serveDownload(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		s.writeError(w, r, odata.ErrMethodNotAllowed("GET, HEAD"))
		return
	}
	if s.content == nil {
		s.writeError(w, r, errNoContent())
		return
	}
	token := strings.TrimPrefix(r.URL.EscapedPath(), behavior.DownloadPath)
	d, err := s.behavior.OpenDownload(token, s.cfg.now(), s.store)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	rd, err := s.content.OpenContent(d.Tenant, d.Key)
	if errors.Is(err, store.ErrNotFound) {
		// A file that never had content (created empty): none to send.
		rd, err = emptyContent{}, nil
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	defer rd.Close()
	size := rd.Size()
	off, n, partial, err := contentRange(r, size, d.ETag)
	if err != nil {
		if errors.Is(err, errUnsatisfiable) {
			err = s.behavior.ErrInvalidRange(size)
		}
		s.writeError(w, r, err)
		return
	}
	h := w.Header()
	ct := d.ContentType
	if ct == "" {
		ct = "application/octet-stream"
	}
	h["Content-Type"] = []string{ct}
	h["Content-Length"] = []string{strconv.FormatInt(n, 10)}
	h["Accept-Ranges"] = []string{"bytes"}
	if d.ETag != "" {
		h["ETag"] = []string{d.ETag}
	}
	if d.Name != "" {
		h["Content-Disposition"] = []string{"attachment; filename*=UTF-8''" + url.PathEscape(d.Name)}
	}
	status := http.StatusOK
	if partial {
		status = http.StatusPartialContent
		h["Content-Range"] = []string{"bytes " + strconv.FormatInt(off, 10) + "-" + strconv.FormatInt(off+n-1, 10) + "/" + strconv.FormatInt(size, 10)}
	}
	w.WriteHeader(status)
	if r.Method == http.MethodHead || n == 0 {
		return
	}
	if wr, ok := rd.(interface {
		WriteRangeTo(w io.Writer, off, n int64) (int64, error)
	}); ok {
		_, _ = wr.WriteRangeTo(w, off, n)
		return
	}
	buf := s.getCopyBuf()
	_, _ = io.CopyBuffer(w, io.NewSectionReader(rd, off, n), *buf)
	s.copyBufs.Put(buf)
}

// emptyContent is the content of a file that has none.
type emptyContent struct{}

func (emptyContent) ReadAt([]byte, int64) (int, error) { return 0, io.EOF }
func (emptyContent) Close() error                      { return nil }
func (emptyContent) Size() int64                       { return 0 }

var errUnsatisfiable = errors.New("emulator: range not satisfiable")

// contentRange reads a request's Range against content of size bytes: the part to
// send and whether it is a part. A Range that is not one well-formed byte range (or
// whose If-Range does not name the content's tag) is ignored, as RFC 9110 allows; one
// that misses the content is errUnsatisfiable.
func contentRange(r *http.Request, size int64, etag string) (off, n int64, partial bool, err error) {
	spec := r.Header.Get("Range")
	if spec == "" || r.Method != http.MethodGet {
		return 0, size, false, nil
	}
	if ir := r.Header.Get("If-Range"); ir != "" && ir != etag {
		return 0, size, false, nil
	}
	spec, ok := strings.CutPrefix(strings.TrimSpace(spec), "bytes=")
	if !ok || strings.Contains(spec, ",") {
		return 0, size, false, nil
	}
	first, last, ok := strings.Cut(strings.TrimSpace(spec), "-")
	if !ok {
		return 0, size, false, nil
	}
	first, last = strings.TrimSpace(first), strings.TrimSpace(last)
	switch {
	case first == "":
		// The last n bytes.
		k, perr := strconv.ParseInt(last, 10, 64)
		if perr != nil || k < 0 {
			return 0, size, false, nil
		}
		if k == 0 || size == 0 {
			return 0, 0, false, errUnsatisfiable
		}
		k = min(k, size)
		return size - k, k, true, nil
	default:
		a, perr := strconv.ParseInt(first, 10, 64)
		if perr != nil || a < 0 {
			return 0, size, false, nil
		}
		b := size - 1
		if last != "" {
			if b, perr = strconv.ParseInt(last, 10, 64); perr != nil || b < a {
				return 0, size, false, nil
			}
		}
		if a >= size {
			return 0, 0, false, errUnsatisfiable
		}
		b = min(b, size-1)
		return a, b - a + 1, true, nil
	}
}

// serveUpload answers an upload session's URL.
func (s *Server) serveUpload(w http.ResponseWriter, r *http.Request) {
	if s.content == nil {
		s.writeError(w, r, errNoContent())
		return
	}
	info := Info(r.Context())
	if info == nil {
		info = &RequestInfo{Tenant: store.DefaultTenant}
	}
	rq := &request{r: r, info: info, base: baseURL(r, s.cfg.trustProxy), buf: s.getBuf()}
	defer s.release(rq)
	env := s.env(rq)
	res, version, err := s.behavior.Upload(&behavior.UploadCall{Token: strings.TrimPrefix(r.URL.EscapedPath(), behavior.UploadPath),
		Method: r.Method, Header: r.Header, Body: r.Body, ContentLength: r.ContentLength, Store: s.store,
		Schema: func(v string) *entities.Schema { return s.cfg.schemas[v] }, Now: s.cfg.now, NewID: s.cfg.newID, Env: env})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	rq.version, rq.schema = version, s.cfg.schemas[version]
	resp, err := s.opResponse(rq, res, nil)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeResponse(w, rq, resp)
}

// serveMonitor answers the monitor URL of an asynchronous operation.
func (s *Server) serveMonitor(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		s.writeError(w, r, odata.ErrMethodNotAllowed("GET"))
		return
	}
	res, err := s.behavior.Monitor(strings.TrimPrefix(r.URL.EscapedPath(), behavior.MonitorPath), baseURL(r, s.cfg.trustProxy))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeBody(w, res.Status, res.Body)
}
