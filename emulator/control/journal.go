package control

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// DefaultJournalSize is how many requests a journal keeps by default.
const DefaultJournalSize = 1000

// JournalBodyLimit is how many bytes of a request body an entry keeps (after
// decompression); a longer body is cut there and the entry says so.
const JournalBodyLimit = 16 << 10

// Journal keeps the last requests a server answered, for GET /_emulator/requests: a
// ring of bounded size, the oldest entry dropped for a new one. The control API's own
// requests are not journaled. A Journal is safe for concurrent use; a nil *Journal
// journals nothing.
//
// Recording is kept cheap, as it runs on every request: an entry keeps the request's
// header map and the raw first bytes of its body, and masks and decodes them only when
// it is listed.
type Journal struct {
	size int
	mu   sync.Mutex
	ring []Entry // grows to size, then wraps
	next int     // where the next entry goes once the ring is full
}

// NewJournal returns a journal of the last size requests, or nil (journal off) when
// size is zero or less.
func NewJournal(size int) *Journal {
	if size <= 0 {
		return nil
	}
	return &Journal{size: size}
}

// Size is how many requests the journal keeps (0 for a nil journal).
func (j *Journal) Size() int {
	if j == nil {
		return 0
	}
	return j.size
}

// Len is how many requests the journal holds now.
func (j *Journal) Len() int {
	if j == nil {
		return 0
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	return len(j.ring)
}

// Entry is one journaled request. Its JSON form is what GET /_emulator/requests lists.
type Entry struct {
	// ID is the request-id the server gave the request; ClientRequestID the client's
	// client-request-id (or ID when it sent none).
	ID              string `json:"id"`
	ClientRequestID string `json:"clientRequestId"`
	// Time is when the request arrived.
	Time time.Time `json:"time"`
	// Tenant is the tenant the request addressed.
	Tenant string `json:"tenant"`
	// Method, Path (unescaped) and Query (as sent, escaped) of the request.
	Method string `json:"method"`
	Path   string `json:"path"`
	Query  string `json:"query,omitempty"`
	// Headers are the request's headers, values of one name joined with ", ", with
	// credentials masked (Authorization: "Bearer ***").
	Headers map[string]string `json:"headers"`
	// Body is the request body as text (decompressed), at most JournalBodyLimit bytes,
	// with the values of JSON members that hold secrets (password, secretText,
	// clientSecret, ...) masked; BodyTruncated tells a longer body. Binary bodies are
	// shown as "(N bytes)".
	Body          string `json:"body,omitempty"`
	BodyTruncated bool   `json:"bodyTruncated,omitempty"`
	// Status is the response's status code; Duration how long the answer took, in
	// milliseconds.
	Status   int     `json:"status"`
	Duration float64 `json:"durationMs"`
	// BatchStepID is, for a step of a $batch, the step's id in the batch.
	BatchStepID string `json:"batchStepId,omitempty"`
	// Faults are the ids of the fault rules that acted on the request (delayed,
	// answered, throttled it); Stub the id of the stub that answered it.
	Faults []string `json:"faults,omitempty"`
	Stub   string   `json:"stub,omitempty"`
	// Children are, for a $batch, its steps, in the order they arrived.
	Children []Entry `json:"children,omitempty"`

	// What Headers and Body are made of when the entry is listed (see render).
	header   http.Header
	raw      []byte
	encoding string
}

// render fills Headers and Body from what was recorded, for a listing.
func (e *Entry) render() {
	if e.header != nil {
		e.Headers = make(map[string]string, len(e.header))
		for k, v := range e.header {
			e.Headers[k] = maskHeader(k, strings.Join(v, ", "))
		}
	} else if e.Headers == nil {
		e.Headers = map[string]string{}
	}
	if e.raw != nil {
		e.Body, e.BodyTruncated = showBody(e.raw, e.encoding, e.BodyTruncated)
	}
	e.header, e.raw, e.encoding = nil, nil, "" // a listed entry holds no secret
	if len(e.Children) > 0 {
		e.Children = slices.Clone(e.Children)
		for i := range e.Children {
			e.Children[i].render()
		}
	}
}

// Pending is the entry of a request being answered. Begin starts it, End records it.
type Pending struct {
	j      *Journal
	parent *Pending

	mu sync.Mutex // guards e.Children: the steps of a batch end side by side
	e  Entry
}

type pendingKey struct{}
type stepKey struct{}

// WithPending returns ctx carrying p: requests served within ctx (the steps of a
// $batch) are journaled as p's children.
func WithPending(ctx context.Context, p *Pending) context.Context {
	if p == nil {
		return ctx
	}
	return context.WithValue(ctx, pendingKey{}, p)
}

// WithBatchStep returns ctx naming the $batch step id whose request it serves.
func WithBatchStep(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, stepKey{}, id)
}

// Begin starts the entry of r: its method, path, query and masked headers, and the first
// JournalBodyLimit bytes of its body, which Begin reads ahead and puts back in r.Body so
// that the handler reads the whole body as sent. id, clientID and start come from the
// server's request info. Inside a context made by WithPending the entry becomes a child
// of that one. It returns nil for a nil journal.
func (j *Journal) Begin(r *http.Request, id, clientID string, start time.Time) *Pending {
	if j == nil {
		return nil
	}
	p := &Pending{j: j, e: Entry{ID: id, ClientRequestID: clientID, Time: start,
		Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery}}
	p.parent, _ = r.Context().Value(pendingKey{}).(*Pending)
	p.e.BatchStepID, _ = r.Context().Value(stepKey{}).(string)
	p.e.header = r.Header // not changed after the request is answered
	if r.Body != nil && r.Body != http.NoBody {
		p.e.raw, p.e.BodyTruncated = readAhead(r)
		if v := r.Header["Content-Encoding"]; len(v) > 0 { // canonical: no Get's lookup
			p.e.encoding = v[0]
		}
	}
	return p
}

// Injected records the fault rules that acted on the request and the stub that
// answered it, if any; call it before End.
func (p *Pending) Injected(faults []string, stub string) {
	if p == nil {
		return
	}
	p.e.Faults, p.e.Stub = faults, stub
}

// End records the entry with the response's status and the request's tenant.
func (p *Pending) End(status int, tenant string, end time.Time) {
	if p == nil {
		return
	}
	p.e.Status, p.e.Tenant = status, tenant
	p.e.Duration = float64(end.Sub(p.e.Time).Microseconds()) / 1000
	p.mu.Lock()
	e := p.e
	p.mu.Unlock()
	if len(e.Children) > 1 {
		e.Children = slices.Clone(e.Children)
		sort.SliceStable(e.Children, func(a, b int) bool { return e.Children[a].Time.Before(e.Children[b].Time) })
	}
	if p.parent != nil {
		p.parent.mu.Lock()
		p.parent.e.Children = append(p.parent.e.Children, e)
		p.parent.mu.Unlock()
		return
	}
	p.j.add(e)
}

func (j *Journal) add(e Entry) {
	j.mu.Lock()
	if len(j.ring) < j.size {
		j.ring = append(j.ring, e)
	} else {
		j.ring[j.next] = e
		j.next = (j.next + 1) % j.size
	}
	j.mu.Unlock()
}

// entries returns the journal's entries, oldest ended first. j.mu is held.
func (j *Journal) entries() []Entry {
	all := make([]Entry, 0, len(j.ring))
	all = append(all, j.ring[j.next:]...)
	return append(all, j.ring[:j.next]...)
}

// Filter chooses journal entries. Zero fields choose everything.
type Filter struct {
	// Method matches the request method, case-insensitively.
	Method string
	// PathPrefix matches the start of the (unescaped) path, case-insensitively, as
	// Graph's paths are: "/v1.0/users" matches /v1.0/users and /v1.0/users/{id}.
	PathPrefix string
	// Status matches the status code; StatusClass (1 to 5) its first digit (4 for 4xx).
	Status      int
	StatusClass int
	// Since keeps the requests that arrived at or after it.
	Since time.Time
	// Tenant matches the tenant.
	Tenant string
	// Limit keeps the last Limit entries that match (0: all).
	Limit int
}

// match reports whether e matches f. A batch matches when one of its steps does.
func (f *Filter) match(e *Entry) bool {
	if f.Tenant != "" && e.Tenant != f.Tenant {
		return false
	}
	if !f.Since.IsZero() && e.Time.Before(f.Since) {
		return false
	}
	if f.matchRequest(e) {
		return true
	}
	for i := range e.Children {
		if f.matchRequest(&e.Children[i]) {
			return true
		}
	}
	return false
}

func (f *Filter) matchRequest(e *Entry) bool {
	switch {
	case f.Method != "" && !strings.EqualFold(e.Method, f.Method):
		return false
	case f.PathPrefix != "" && !hasPrefixFold(e.Path, f.PathPrefix):
		return false
	case f.Status != 0 && e.Status != f.Status:
		return false
	case f.StatusClass != 0 && e.Status/100 != f.StatusClass:
		return false
	}
	return true
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// Entries returns the entries that match f, oldest first.
func (j *Journal) Entries(f Filter) []Entry {
	if j == nil {
		return []Entry{}
	}
	j.mu.Lock()
	all := j.entries()
	j.mu.Unlock()
	// Entries are recorded as requests end; list them as they arrived.
	sort.SliceStable(all, func(a, b int) bool { return all[a].Time.Before(all[b].Time) })
	out := all[:0]
	for i := range all {
		if f.match(&all[i]) {
			out = append(out, all[i])
		}
	}
	if f.Limit > 0 && len(out) > f.Limit {
		out = out[len(out)-f.Limit:]
	}
	for i := range out {
		out[i].render()
	}
	return out
}

// Clear removes the entries of tenant, or every entry when tenant is "".
func (j *Journal) Clear(tenant string) {
	if j == nil {
		return
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	var kept []Entry
	if tenant != "" {
		for _, e := range j.entries() {
			if e.Tenant != tenant {
				kept = append(kept, e)
			}
		}
	}
	j.ring, j.next = kept, 0
}

// readAhead reads the first JournalBodyLimit bytes of r's body and puts them back in
// front of the rest; it returns them, and whether the body goes on.
func readAhead(r *http.Request) (raw []byte, truncated bool) {
	body := r.Body
	n := int64(JournalBodyLimit + 1)
	if r.ContentLength >= 0 && r.ContentLength < n {
		n = r.ContentLength + 1 // one more, to see the end
	}
	raw = make([]byte, 0, n)
	var err error
	for int64(len(raw)) < n && err == nil {
		var m int
		m, err = body.Read(raw[len(raw):n])
		raw = raw[:len(raw)+m]
	}
	rb := &replayBody{buf: raw, rest: body, closer: body}
	switch {
	case err == io.EOF:
		rb.rest = nil // the body ended: the handler need not read it again
	case err != nil:
		// The handler meets the same error (a body over the limit, a broken
		// connection) where it would have.
		rb.err = err
	case len(raw) > JournalBodyLimit:
		truncated = true
	}
	r.Body = rb
	if len(raw) > JournalBodyLimit {
		raw = raw[:JournalBodyLimit]
	}
	return raw, truncated
}

// showBody is the journal's text of a body's first bytes: decompressed (gzip), secrets
// masked, or "(N bytes)" for what is not text.
func showBody(raw []byte, encoding string, truncated bool) (string, bool) {
	shown := raw
	switch strings.ToLower(strings.TrimSpace(encoding)) {
	case "gzip", "x-gzip":
		var cut bool
		shown, cut = gunzipPrefix(raw)
		truncated = truncated || cut
	}
	if !utf8.Valid(shown) {
		return "(" + itoa(len(raw)) + " bytes)", truncated
	}
	return string(maskJSON(shown)), truncated
}

// gunzipPrefix decompresses what it can of the start of a gzip stream, at most
// JournalBodyLimit bytes; cut reports a longer, cut or unreadable stream.
func gunzipPrefix(b []byte) (out []byte, cut bool) {
	z, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return b, false // not gzip after all: shown as sent
	}
	out, err = io.ReadAll(io.LimitReader(z, JournalBodyLimit+1))
	if len(out) > JournalBodyLimit {
		return out[:JournalBodyLimit], true
	}
	return out, err != nil
}

// replayBody is a request body whose first bytes were read ahead: buf, then rest (nil
// once the body ended within buf), or err.
type replayBody struct {
	buf    []byte
	rest   io.Reader
	err    error
	closer io.Closer // the original body
}

func (b *replayBody) Read(p []byte) (int, error) {
	if len(b.buf) > 0 {
		n := copy(p, b.buf)
		b.buf = b.buf[n:]
		return n, nil
	}
	switch {
	case b.err != nil:
		return 0, b.err
	case b.rest == nil:
		return 0, io.EOF
	}
	return b.rest.Read(p)
}

func (b *replayBody) Close() error { return b.closer.Close() }
