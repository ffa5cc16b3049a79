package emulator

import (
	"context"
	"log/slog"
	"net/http"
	"runtime/debug"
	"time"

	"github.com/graph-emulator/graph-emulator/emulator/control"
	"github.com/graph-emulator/graph-emulator/emulator/store"
	"github.com/graph-emulator/graph-emulator/odata"
)

// RequestInfo is what the middleware learns of a request, carried in its context.
type RequestInfo struct {
	// ID is the request-id the server gave the request.
	ID string
	// ClientID is the client's client-request-id, or ID when it sent none.
	ClientID string
	// Tenant is the tenant whose state the request reads and writes.
	Tenant string
	// Principal is the caller, once authentication is emulated ("" for anonymous).
	Principal string
	// Start is when the request arrived.
	Start time.Time
	// Faults are the ids of the fault rules that acted on the request, Stub the id of
	// the stub that answered it (inject.go), for the journal.
	Faults []string
	Stub   string
}

type infoKey struct{}

// infoContext carries a request's RequestInfo: one allocation for both the context and
// the value, where context.WithValue and a RequestInfo would take two.
type infoContext struct {
	context.Context
	info RequestInfo
}

func (c *infoContext) Value(key any) any {
	if key == (infoKey{}) {
		return &c.info
	}
	return c.Context.Value(key)
}

// Info returns the RequestInfo of a request's context, or nil outside the server.
func Info(ctx context.Context) *RequestInfo {
	ri, _ := ctx.Value(infoKey{}).(*RequestInfo)
	return ri
}

// middleware wraps a handler.
type middleware func(http.Handler) http.Handler

// chain returns the server's middleware, outermost first: request ids, recovery, Host
// check (host.go), body limit, journal, tenant, auth, faults. They wrap the router from
// outside, because gorilla/mux runs Use middleware only on a match and every answer, a
// 404 included, needs request ids and a Graph error body.
func (s *Server) chain() []middleware {
	return []middleware{
		s.withRequestIDs,
		s.withRecovery,
		s.withHostCheck,
		s.withBodyLimit,
		s.withJournal,
		s.withTenant,
		s.withAuth,
		s.withFaults,
	}
}

func wrap(h http.Handler, chain []middleware) http.Handler {
	for i := len(chain) - 1; i >= 0; i-- {
		h = chain[i](h)
	}
	return h
}

// The envelope's header names, in net/http's canonical form: HTTP header names are
// case-insensitive, and canonical keys let Go callers that serve the handler in-process
// (httptest.ResponseRecorder, middleware) read them with Header.Get.
const (
	hdrRequestID       = "Request-Id"
	hdrClientRequestID = "Client-Request-Id"
	hdrPrefer          = "Prefer"
	hdrContentType     = "Content-Type"
	hdrContentEncoding = "Content-Encoding"
	hdrConsistency     = "Consistencylevel" // ConsistencyLevel, as Go's server spells it
	hdrIfMatch         = "If-Match"
	hdrIfNoneMatch     = "If-None-Match"
)

var odataVersion = []string{"4.0"}

// withRequestIDs gives every response Graph's envelope headers: a new request-id, the
// client's client-request-id (or the request-id), OData-Version; and puts the request's
// RequestInfo in its context. It also logs requests.
func (s *Server) withRequestIDs(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := &infoContext{Context: r.Context(), info: RequestInfo{ID: s.cfg.newRequestID(),
			ClientID: headerValue(r.Header, hdrClientRequestID), Tenant: store.DefaultTenant, Start: s.cfg.now()}}
		ri := &ctx.info
		if ri.ClientID == "" {
			ri.ClientID = ri.ID
		}
		h := w.Header()
		ids := []string{ri.ID, ri.ClientID} // one allocation for both header values
		h[hdrRequestID] = ids[0:1:1]
		h[hdrClientRequestID] = ids[1:2:2]
		h["Odata-Version"] = odataVersion // canonical form of OData-Version
		r = r.WithContext(ctx)
		if !s.cfg.logger.Enabled(r.Context(), slog.LevelDebug) {
			next.ServeHTTP(w, r)
			return
		}
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(sw, r)
		s.cfg.logger.LogAttrs(r.Context(), slog.LevelDebug, "request",
			slog.String("method", r.Method), slog.String("path", r.URL.RequestURI()),
			slog.Int("status", sw.status), slog.Duration("duration", time.Since(ri.Start)),
			slog.String("request_id", ri.ID))
	})
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// withRecovery turns a panic into Graph's 500 and keeps the server alive.
func (s *Server) withRecovery(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			v := recover()
			if v == nil {
				return
			}
			if v == http.ErrAbortHandler {
				panic(v)
			}
			s.cfg.logger.LogAttrs(r.Context(), slog.LevelError, "panic serving request",
				slog.String("method", r.Method), slog.String("path", r.URL.RequestURI()),
				slog.Any("panic", v), slog.String("stack", string(debug.Stack())))
			s.writeError(w, r, odata.ErrInternal())
		}()
		next.ServeHTTP(w, r)
	})
}

// withBodyLimit refuses bodies over the limit before they are read, where the length is
// known, and caps the reader otherwise; streamed content is limited where it is read.
func (s *Server) withBodyLimit(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.streamsBody(r) {
			next.ServeHTTP(w, r) // content streams have limits of their own (content.go)
			return
		}
		if r.ContentLength > s.cfg.maxBodyBytes {
			s.writeError(w, r, odata.ErrBodyTooLarge())
			return
		}
		if r.Body != nil && r.Body != http.NoBody {
			r.Body = http.MaxBytesReader(w, r.Body, s.cfg.maxBodyBytes)
		}
		next.ServeHTTP(w, r)
	})
}

// withJournal records each request in the journal (GET /_emulator/requests): when it
// arrived, method, path, query, headers (credentials masked), the first bytes of the
// body, then its tenant, status and duration. A $batch's steps, served through the whole
// chain again, are recorded as children of the batch's entry. The control API's own
// requests are not recorded.
func (s *Server) withJournal(next http.Handler) http.Handler {
	if s.journal == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ri := Info(r.Context())
		if ri == nil || isControl(r) {
			next.ServeHTTP(w, r)
			return
		}
		p := s.journal.Begin(r, ri.ID, ri.ClientID, ri.Start)
		if s.matchBatch(r, nil) {
			r = r.WithContext(control.WithPending(r.Context(), p))
		}
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		defer func() {
			if v := recover(); v != nil {
				// Recovery, outside, answers 500 (or lets an aborted request go).
				p.End(http.StatusInternalServerError, ri.Tenant, s.cfg.now())
				panic(v)
			}
		}()
		next.ServeHTTP(sw, r)
		p.Injected(ri.Faults, ri.Stub)
		p.End(sw.status, ri.Tenant, s.cfg.now())
	})
}

// withTenant chooses the request's tenant: the one the X-Emulator-Tenant header names
// (checked: a bad name is Graph's 400), else the default tenant. (Once tokens are
// checked, the token's tid will name it too.)
func (s *Server) withTenant(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, ok := r.Header[control.TenantHeader]; !ok {
			next.ServeHTTP(w, r)
			return
		}
		tenant, _, err := control.RequestTenant(r)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		if ri := Info(r.Context()); ri != nil {
			ri.Tenant = tenant
		}
		next.ServeHTTP(w, r)
	})
}

// withAuth will check tokens and name the principal; today every caller is anonymous.
// The control API is outside authentication: it must pass control requests on as they
// are (isControl).
func (s *Server) withAuth(next http.Handler) http.Handler { return next }

// headerValue returns the first value of the header named key, which must be in
// canonical form (http.CanonicalHeaderKey): http.Header.Get without canonicalizing the
// name on every request. Servers and http.Header.Set store names in that form.
func headerValue(h http.Header, key string) string {
	if v := h[key]; len(v) > 0 {
		return v[0]
	}
	return ""
}
