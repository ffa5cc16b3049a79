package emulator

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"

	"github.com/gorilla/mux"

	"github.com/graph-emulator/graph-emulator/emulator/control"
	"github.com/graph-emulator/graph-emulator/odata"
)

// JSON batching: POST /{version}/$batch runs each step of the batch as a request of its
// own through the server's whole handler (the middleware chain and the router), so a
// step is answered exactly as the same request sent alone, with its own request-id.
// Steps run in dependsOn order, independent ones side by side (at most
// batchConcurrency at a time); a step whose dependency did not succeed answers 424.
// Items are answered in the order the steps start, which is the order of the requests
// for steps without dependsOn (Graph answers in any order), and streamed as they finish
// (batch_stream.go).

// batchConcurrency bounds how many steps of one batch run at once.
const batchConcurrency = 4

// inheritedHeaders are the headers of the batch request each step inherits unless it
// sets its own: the caller's credentials, its tenant, and the forwarding headers that
// decide the scheme and host of absolute links.
var inheritedHeaders = []string{"Authorization", "X-Emulator-Tenant", "X-Forwarded-Proto", "X-Forwarded-Host"}

type inBatchKey struct{}

// matchBatch matches /{version}/$batch for a served version ($batch in any case).
func (s *Server) matchBatch(r *http.Request, _ *mux.RouteMatch) bool {
	v, rest, ok := splitVersion(r.URL.EscapedPath())
	return ok && s.cfg.schemas[v] != nil && isBatchSegment(rest)
}

// isBatchSegment reports whether an escaped path segment is $batch, in any case.
func isBatchSegment(seg string) bool {
	if rest, ok := strings.CutPrefix(seg, "%24"); ok {
		return strings.EqualFold(rest, "batch")
	}
	return strings.EqualFold(seg, "$batch")
}

// serveBatch answers POST /{version}/$batch.
func (s *Server) serveBatch(w http.ResponseWriter, r *http.Request) {
	if r.Context().Value(inBatchKey{}) != nil {
		s.writeError(w, r, odata.ErrBatchStep("A batch request cannot contain another batch request ($batch)."))
		return
	}
	if r.Method != http.MethodPost {
		s.writeError(w, r, odata.ErrMethodNotAllowed("POST"))
		return
	}
	version, _, _ := splitVersion(r.URL.EscapedPath())
	rq := &request{r: r}
	defer func() {
		if rq.bodyBuf != nil {
			s.putBuf(rq.bodyBuf)
		}
	}()
	body, err := s.readBody(rq)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	steps, err := odata.DecodeBatch(body)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := newBatchOut(s, w)
	b := &batch{s: s, outer: r, version: version, steps: steps, out: out,
		ctx:     context.WithValue(r.Context(), inBatchKey{}, true),
		results: make([]batchWriter, len(steps))}
	b.run()
	out.end()
}

// batch is one batch being run.
type batch struct {
	s       *Server
	outer   *http.Request
	ctx     context.Context // the outer request's, marked as inside a batch
	version string
	steps   []odata.BatchRequest
	results []batchWriter // one per step
	out     *batchOut     // the answer, written as the steps finish (batch_stream.go)

	// The schedule: steps become ready when the steps they depend on are done.
	mu         sync.Mutex
	cond       sync.Cond
	ready      []int   // steps that may run now
	waiting    []int   // per step, how many of its dependencies are not done
	dependents [][]int // per step, the steps that depend on it
	left       int     // steps not done
	workers    int     // workers started, the caller included
	running    int     // steps being answered
	started    int     // steps started: the next step's ticket
	wg         sync.WaitGroup
}

// run runs every step, each once the steps it depends on are done: workers, the
// calling goroutine first, take ready steps in batch order; another starts, up to
// batchConcurrency, when more steps are ready than workers idle. Few long-lived
// workers rather than a goroutine per step: each step runs the whole handler chain,
// whose stack a new goroutine would grow again.
func (b *batch) run() {
	n := len(b.steps)
	b.cond.L = &b.mu
	b.waiting = make([]int, n)
	b.dependents = make([][]int, n)
	b.left = n
	for i := range b.steps {
		b.results[i].init(b.out, b.steps[i].ID)
		b.waiting[i] = len(b.steps[i].DependsOn)
		for _, j := range b.steps[i].DependsOn {
			b.dependents[j] = append(b.dependents[j], i)
		}
		if b.waiting[i] == 0 {
			b.ready = append(b.ready, i)
		}
	}
	b.mu.Lock()
	b.workers = 1
	b.spawn()
	b.mu.Unlock()
	b.work()
	b.wg.Wait()
}

// spawn starts workers, up to batchConcurrency, for the ready steps the running ones
// will not take at once. b.mu is held.
func (b *batch) spawn() {
	for b.workers < batchConcurrency && len(b.ready) > b.workers-b.running {
		b.workers++
		b.wg.Go(b.work)
	}
}

// work runs ready steps until every step is done.
func (b *batch) work() {
	b.mu.Lock()
	defer b.mu.Unlock()
	for {
		for len(b.ready) == 0 && b.left > 0 {
			b.cond.Wait()
		}
		if b.left == 0 {
			return
		}
		i := b.ready[0]
		b.ready = b.ready[1:]
		b.running++
		// Items are answered in the order their steps start (see batchOut).
		b.results[i].ticket = b.started
		b.started++
		b.mu.Unlock()
		b.runStep(i)
		b.results[i].finish()
		b.mu.Lock()
		b.running--
		b.left--
		for _, d := range b.dependents[i] {
			if b.waiting[d]--; b.waiting[d] == 0 {
				b.ready = append(b.ready, d)
			}
		}
		b.spawn()
		b.cond.Broadcast()
	}
}

// runStep answers step i, whose dependencies are done.
func (b *batch) runStep(i int) {
	st := &b.steps[i]
	w := &b.results[i]
	if st.Err != nil {
		b.refuse(w, st, st.Err)
		return
	}
	for _, j := range st.DependsOn {
		if s := b.results[j].statusCode(); s < 200 || s > 299 {
			b.refuse(w, st, odata.ErrFailedDependency(b.steps[j].ID))
			return
		}
	}
	inner, gerr := b.request(st)
	if gerr != nil {
		b.refuse(w, st, gerr)
		return
	}
	b.serve(w, inner)
}

// serve runs one step's request through the server's handler. The handler recovers
// from its own panics; this catches what escapes it (http.ErrAbortHandler), which must
// not take the process down from a goroutine of ours.
func (b *batch) serve(w *batchWriter, inner *http.Request) {
	defer func() {
		if v := recover(); v != nil {
			if v != http.ErrAbortHandler {
				b.s.cfg.logger.LogAttrs(b.ctx, slog.LevelError, "panic serving a batch step",
					slog.String("method", inner.Method), slog.String("path", inner.URL.RequestURI()),
					slog.Any("panic", v))
			}
			if !w.reset() {
				return // its item is partly written: the answer will be cut short
			}
			b.s.writeError(w, inner, odata.ErrInternal())
		}
	}()
	b.s.handler.ServeHTTP(w, inner)
}

// refuse answers a step that does not run with err, in Graph's envelope.
func (b *batch) refuse(w *batchWriter, st *odata.BatchRequest, err *odata.Error) {
	id := b.s.cfg.newRequestID()
	client := st.Header.Get(hdrClientRequestID)
	if client == "" {
		client = id
	}
	h := w.Header()
	h[hdrRequestID] = []string{id}
	h[hdrClientRequestID] = []string{client}
	h["Odata-Version"] = odataVersion
	b.s.writeError(w, b.outer, err)
}

// request builds the HTTP request of a step: its method, URL under the batch's
// version, headers (with those it inherits) and body, on the outer request's
// connection (scheme, host, remote address).
func (b *batch) request(st *odata.BatchRequest) (*http.Request, *odata.Error) {
	rel := strings.TrimPrefix(st.URL, "/")
	first := rel
	if i := strings.IndexAny(first, "/?#"); i >= 0 {
		first = first[:i]
	}
	for v := range b.s.cfg.schemas {
		if strings.EqualFold(first, v) {
			return nil, odata.ErrBatchStep(fmt.Sprintf("The request URL '%s' names the API version; batch request URLs are relative to /%s/, such as '/users'.", st.URL, b.version))
		}
	}
	target := "/" + b.version + "/" + escapeURL(rel)
	if i := strings.IndexByte(target, '#'); i >= 0 {
		target = target[:i]
	}
	var body *bytes.Reader
	if st.HasBody {
		body = bytes.NewReader(st.Body)
	}
	ctx := b.ctx
	if b.s.journal != nil {
		ctx = control.WithBatchStep(ctx, st.ID) // the journal names the step
	}
	var inner *http.Request
	var err error
	if body != nil {
		inner, err = http.NewRequestWithContext(ctx, st.Method, target, body)
	} else {
		inner, err = http.NewRequestWithContext(ctx, st.Method, target, nil)
	}
	if err != nil {
		return nil, odata.ErrBatchStep(fmt.Sprintf("The request URL '%s' is not a valid URL.", st.URL))
	}
	inner.RequestURI = target
	inner.Host = b.outer.Host
	inner.RemoteAddr = b.outer.RemoteAddr
	inner.TLS = b.outer.TLS
	inner.Proto, inner.ProtoMajor, inner.ProtoMinor = b.outer.Proto, b.outer.ProtoMajor, b.outer.ProtoMinor
	for k, v := range st.Header {
		inner.Header[k] = v
	}
	for _, k := range inheritedHeaders {
		if _, ok := inner.Header[k]; !ok {
			if v := b.outer.Header[k]; len(v) > 0 {
				inner.Header[k] = v
			}
		}
	}
	return inner, nil
}

// escapeURL percent-encodes what may not appear in a request target as it is (spaces,
// quotes, non-ASCII bytes, ...), as a browser or fetch would before sending; what is
// already escaped stays so.
func escapeURL(u string) string {
	const hexDigits = "0123456789ABCDEF"
	var sb strings.Builder
	for i := 0; i < len(u); i++ {
		c := u[i]
		if c > ' ' && c < 0x7f && strings.IndexByte(`"<>\^`+"`{|}", c) < 0 {
			if sb.Len() > 0 {
				sb.WriteByte(c)
			}
			continue
		}
		if sb.Len() == 0 {
			sb.Grow(len(u) + 16)
			sb.WriteString(u[:i])
		}
		sb.WriteByte('%')
		sb.WriteByte(hexDigits[c>>4])
		sb.WriteByte(hexDigits[c&0xf])
	}
	if sb.Len() == 0 {
		return u
	}
	return sb.String()
}

// batchHeaderName spells a header name (canonical in net/http's form) as Graph does.
func batchHeaderName(k string) string {
	switch k {
	case hdrRequestID:
		return "request-id"
	case hdrClientRequestID:
		return "client-request-id"
	case "Odata-Version":
		return "OData-Version"
	case "Etag":
		return "ETag"
	}
	return k
}
