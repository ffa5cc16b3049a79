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
type Journal struct {
	mu   sync.Mutex
	ring []Entry
	next int // where the next entry goes
	n    int // entries held
}

// NewJournal returns a journal of the last size requests, or nil (journal off) when
// size is zero or less.
func NewJournal(size int) *Journal {
	if size <= 0 {
		return nil
	}
	return &Journal{ring: make([]Entry, size)}
}

// Size is how many requests the journal keeps (0 for a nil journal).
func (j *Journal) Size() int {
	if j == nil {
		return 0
	}
	return len(j.ring)
}

// Len is how many requests the journal holds now.
func (j *Journal) Len() int {
	if j == nil {
		return 0
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.n
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
	// Children are, for a $batch, its steps, in the order they arrived.
	Children []Entry `json:"children,omitempty"`
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
	p.e.Headers = make(map[string]string, len(r.Header))
	for k, v := range r.Header {
		p.e.Headers[k] = maskHeader(k, strings.Join(v, ", "))
	}
	if r.Body != nil && r.Body != http.NoBody {
		p.e.Body, p.e.BodyTruncated = readAhead(r)
	}
	return p
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
	j.ring[j.next] = e
	j.next = (j.next + 1) % len(j.ring)
	if j.n < len(j.ring) {
		j.n++
	}
	j.mu.Unlock()
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
	all := make([]Entry, 0, j.n)
	for i := range j.n {
		all = append(all, j.ring[(j.next-j.n+i+len(j.ring))%len(j.ring)])
	}
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
	return out
}

// Clear removes the entries of tenant, or every entry when tenant is "".
func (j *Journal) Clear(tenant string) {
	if j == nil {
		return
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	if tenant == "" {
		clear(j.ring)
		j.next, j.n = 0, 0
		return
	}
	kept := make([]Entry, 0, j.n)
	for i := range j.n {
		if e := j.ring[(j.next-j.n+i+len(j.ring))%len(j.ring)]; e.Tenant != tenant {
			kept = append(kept, e)
		}
	}
	clear(j.ring)
	j.n = copy(j.ring, kept)
	j.next = j.n % len(j.ring)
}

// readAhead reads the first JournalBodyLimit bytes of r's body and puts them back in
// front of the rest; it returns them as the journal shows them.
func readAhead(r *http.Request) (text string, truncated bool) {
	body := r.Body
	// ReadAll grows its buffer as it reads: a small body costs a small one.
	buf, err := io.ReadAll(io.LimitReader(body, JournalBodyLimit+1))
	var rest io.Reader = eofReader{}
	switch {
	case err != nil:
		// The handler meets the same error (a body over the limit, a broken
		// connection) where it would have.
		rest = errReader{err}
	case len(buf) > JournalBodyLimit:
		truncated = true
		rest = body
	}
	r.Body = &replayBody{Reader: io.MultiReader(bytes.NewReader(buf), rest), closer: body}
	shown := buf
	if truncated {
		shown = buf[:JournalBodyLimit]
	}
	switch strings.ToLower(strings.TrimSpace(r.Header.Get("Content-Encoding"))) {
	case "gzip", "x-gzip":
		var cut bool
		shown, cut = gunzipPrefix(shown)
		truncated = truncated || cut
	}
	if !utf8.Valid(shown) {
		return "(" + itoa(len(buf)) + " bytes)", truncated
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

type replayBody struct {
	io.Reader
	closer io.Closer
}

func (b *replayBody) Close() error { return b.closer.Close() }

type eofReader struct{}

func (eofReader) Read([]byte) (int, error) { return 0, io.EOF }

type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }
