package emulator

import (
	"encoding/base64"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"

	"github.com/tidwall/gjson"

	"github.com/graph-emulator/graph-emulator/odata"
)

// The answer of a $batch is written as its steps finish, so that the server holds a
// bounded amount of it whatever the steps answer (pages of 999 large entities, say):
//
//   - Each step gets a ticket when it starts; items are written in ticket order.
//   - A step writes into a buffer of its own until the buffer holds batchStepBuffer
//     bytes. A step that finishes under that is written whole when its turn comes (at
//     once, or by the step before it when that one finishes).
//   - A step that goes past it waits for its turn, then writes its item's start and
//     its buffer out and streams the rest of its body straight to the client.
//
// A step only waits for steps that started before it, and those never wait for it: the
// earliest unfinished step always goes on. The answer itself is buffered up to
// streamChunk bytes: a small batch goes out whole, with its length.

// batchStepBuffer is how much of a step's answer is kept before it streams.
const batchStepBuffer = 256 << 10

// batchOut is the answer of one batch being written.
type batchOut struct {
	s *Server
	w http.ResponseWriter

	mu     sync.Mutex
	turn   sync.Cond
	next   int                  // the ticket whose item is written next
	items  int                  // items begun, for their commas
	parked map[int]*batchWriter // finished steps waiting for their turn
	// buf holds the answer until it passes streamChunk; then the status is sent and
	// what comes is written through.
	buf       []byte
	streaming bool
	failed    bool // a write to the client failed: the rest is dropped
	aborted   bool // an item could not be finished: the answer is cut short
}

func newBatchOut(s *Server, w http.ResponseWriter) *batchOut {
	o := &batchOut{s: s, w: w, parked: map[int]*batchWriter{}}
	o.turn.L = &o.mu
	o.buf = append(*s.getBuf(), odata.BatchResponseStart...)
	return o
}

// write sends p on (o.mu held).
func (o *batchOut) write(p []byte) {
	if o.failed {
		return
	}
	if !o.streaming {
		if len(o.buf)+len(p) <= streamChunk {
			o.buf = append(o.buf, p...)
			return
		}
		o.w.Header()["Content-Type"] = jsonContentType
		o.w.WriteHeader(http.StatusOK)
		o.streaming = true
		if _, err := o.w.Write(o.buf); err != nil {
			o.failed = true
			return
		}
		o.buf = o.buf[:0]
	}
	if _, err := o.w.Write(p); err != nil {
		o.failed = true
	}
}

// end closes the answer once every step has finished.
func (o *batchOut) end() {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.aborted {
		panic(http.ErrAbortHandler)
	}
	if !o.streaming {
		o.buf = append(o.buf, odata.BatchResponseEnd...)
		o.s.writeBody(o.w, http.StatusOK, o.buf)
	} else {
		o.write([]byte(odata.BatchResponseEnd))
	}
	bp := o.buf[:0]
	o.s.putBuf(&bp)
}

// begin writes the start of w's item, and what it buffered, once its turn has come.
func (o *batchOut) begin(w *batchWriter) {
	for o.next != w.ticket {
		o.turn.Wait()
	}
	if o.items++; o.items > 1 {
		o.write([]byte{','})
	}
	it := w.item()
	w.json = it.JSON
	hasBody := it.Body != nil
	o.write(odata.AppendBatchItemStart(nil, it, hasBody))
	w.begun, w.hasBody = true, hasBody
	if !hasBody {
		return
	}
	if !w.json {
		o.write([]byte{'"'})
		w.b64 = base64.NewEncoder(base64.StdEncoding, outWriter{o})
	}
	w.send(*w.body)
	*w.body = (*w.body)[:0]
}

// finishItem closes w's item and hands the turn on, writing the parked items whose turn
// comes (o.mu held).
func (o *batchOut) finishItem(w *batchWriter) {
	if w.hasBody {
		if w.b64 != nil {
			_ = w.b64.Close()
			o.write([]byte{'"'})
		}
	}
	o.write([]byte{'}'})
	w.release(o.s)
	o.next++
	if p, ok := o.parked[o.next]; ok {
		delete(o.parked, o.next)
		o.begin(p)
		o.finishItem(p) // hands the turn on in its turn
		return
	}
	o.turn.Broadcast()
}

// outWriter writes to the answer (o.mu held by its caller).
type outWriter struct{ o *batchOut }

func (w outWriter) Write(p []byte) (int, error) {
	w.o.write(p)
	return len(p), nil
}

// batchWriter is the http.ResponseWriter of one step.
type batchWriter struct {
	out    *batchOut
	id     string // the step's id
	ticket int    // its place among the items (see batchOut)
	header http.Header
	status int
	wrote  bool
	body   *[]byte // pooled: what is not written out yet

	begun    bool // the item's start is written: the body goes straight out
	hasBody  bool
	bodyless bool // a 204, whose body is dropped
	json     bool
	b64      io.WriteCloser // the body's encoder when it is not JSON
}

func (w *batchWriter) init(out *batchOut, id string) {
	w.out, w.id = out, id
	w.header = http.Header{}
	w.body = out.s.getBuf()
}

// reset drops what was written, to write an error instead; false when the item's
// start is already out and it cannot be.
func (w *batchWriter) reset() bool {
	w.out.mu.Lock()
	defer w.out.mu.Unlock()
	if w.begun {
		w.out.aborted = true
		return false
	}
	clear(w.header)
	w.status, w.wrote = 0, false
	*w.body = (*w.body)[:0]
	return true
}

func (w *batchWriter) Header() http.Header { return w.header }

func (w *batchWriter) WriteHeader(code int) {
	if w.wrote {
		return
	}
	w.status, w.wrote = code, true
	w.bodyless = code == http.StatusNoContent
}

func (w *batchWriter) Write(p []byte) (int, error) {
	if !w.wrote {
		w.WriteHeader(http.StatusOK)
	}
	if w.bodyless {
		return len(p), nil
	}
	if !w.begun {
		*w.body = append(*w.body, p...)
		if len(*w.body) <= batchStepBuffer {
			return len(p), nil
		}
		w.out.mu.Lock()
		w.out.begin(w) // waits for the turn
		w.out.mu.Unlock()
		return len(p), nil
	}
	w.out.mu.Lock()
	w.send(p)
	w.out.mu.Unlock()
	return len(p), nil
}

// send writes body bytes of a begun item (o.mu held).
func (w *batchWriter) send(p []byte) {
	if w.b64 != nil {
		_, _ = w.b64.Write(p)
		return
	}
	w.out.write(p)
}

// finish is called when the step is done: its item is closed, written whole, or
// parked until its turn.
func (w *batchWriter) finish() {
	o := w.out
	o.mu.Lock()
	defer o.mu.Unlock()
	switch {
	case w.begun:
		o.finishItem(w)
	case o.next == w.ticket:
		o.begin(w)
		o.finishItem(w)
	default:
		o.parked[w.ticket] = w
	}
}

// statusCode is the status written, 200 when none was.
func (w *batchWriter) statusCode() int {
	if !w.wrote {
		return http.StatusOK
	}
	return w.status
}

// release returns the writer's buffer.
func (w *batchWriter) release(s *Server) {
	if w.body != nil {
		s.putBuf(w.body)
		w.body = nil
	}
}

// item is the step's answer as a batch response item: a JSON body as it is, another
// body base64-encoded, none for a 204; headers one value each, with Graph's spelling
// of their names, sorted, Content-Length left out. A body still buffered whole is
// checked to be JSON; one that streams is taken at its Content-Type's word.
func (w *batchWriter) item() odata.BatchResponse {
	status := w.statusCode()
	it := odata.BatchResponse{ID: w.id, Status: status}
	names := make([]string, 0, len(w.header))
	for k := range w.header {
		if k != "Content-Length" && len(w.header[k]) > 0 {
			names = append(names, k)
		}
	}
	slices.Sort(names)
	it.Header = make([]odata.BatchHeader, len(names))
	for i, k := range names {
		it.Header[i] = odata.BatchHeader{Name: batchHeaderName(k), Value: strings.Join(w.header[k], ", ")}
	}
	if body := *w.body; status != http.StatusNoContent && len(body) > 0 {
		it.Body = body
		it.JSON = isJSONMediaType(w.header.Get("Content-Type"))
		if it.JSON && len(body) <= batchStepBuffer {
			it.JSON = gjson.ValidBytes(body)
		}
	}
	return it
}
