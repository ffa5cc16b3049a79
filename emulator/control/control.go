package control

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/graph-emulator/graph-emulator/emulator/faults"
	"github.com/graph-emulator/graph-emulator/emulator/stubs"
	"github.com/graph-emulator/graph-emulator/odata"
)

// Prefix is the path under which the control API is served. Nothing under it is
// reachable through /v1.0 or /beta, and requests to it pass the journal, the
// authentication and the faults by.
const Prefix = "/_emulator/"

// IsPath reports whether an (unescaped) URL path belongs to the control API.
func IsPath(path string) bool {
	return strings.HasPrefix(path, Prefix) || path == strings.TrimSuffix(Prefix, "/")
}

// Backend is what the control API needs of the emulator it controls.
type Backend interface {
	// Versions lists the versions served ("v1.0", "beta").
	Versions() []string
	// Tenants lists the tenants that hold state, sorted.
	Tenants() []string
	// ResetState returns the tenant to its state at start: empty, or what the start-up
	// fixtures (--seed, --sample-data, --me) put in it. An empty tenant means every
	// tenant.
	ResetState(tenant string) error
	// Export writes the tenant's whole state as a fixture, read with the schema of
	// version ("" for the default one).
	Export(tenant, version string) ([]byte, error)
	// Import loads a fixture into the tenant in one write: in place of its state
	// (replace), or added to it. A bad fixture changes nothing and is answered with an
	// *odata.Error (400) naming the problem.
	Import(tenant string, fixture []byte, replace bool) (ImportResult, error)
	// Outbox writes the mail of the tenant sent outside it, as {"value":[…]}: all of it,
	// or what was sent to the address to when it is not empty.
	Outbox(tenant, to string) ([]byte, error)
	// ClearOutbox empties it and reports how many messages it held.
	ClearOutbox(tenant string) (int, error)
}

// ImportResult tells what an import stored.
type ImportResult struct {
	Tenant string `json:"tenant"`
	// Entities and References count what the fixture held.
	Entities   int `json:"entities"`
	References int `json:"references"`
}

// Config is what New needs.
type Config struct {
	Backend Backend
	// Journal is the server's request journal; nil when journaling is off.
	Journal *Journal
	// WriteError writes an error in Graph's shape (the server's one error writer).
	WriteError func(w http.ResponseWriter, r *http.Request, err error)
	// Now reads the clock; Start is when the server started.
	Now   func() time.Time
	Start time.Time
	// Logger logs what the API changes.
	Logger *slog.Logger
	// MaxBodyBytes bounds a request body after decompression (the server's limit).
	MaxBodyBytes int64
	// Faults and Stubs are the server's fault rules and stubs.
	Faults *faults.Registry
	Stubs  *stubs.Registry
}

// API answers the control requests under Prefix. Each exported method returns the
// http.Handler of one path, for the server's route table; the handlers check the method
// themselves, so that a wrong one gets Graph's 405 with the Allow header.
//
// Every handler goes through one adapter (serve): an endpoint returns a value, written as
// JSON, or an error, written by Config.WriteError in Graph's shape. A new endpoint
// is a file of its own with methods of this kind and a line in the server's route
// table.
type API struct {
	cfg Config
}

// New returns the control API of a server.
func New(cfg Config) *API {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = 4 << 20
	}
	if cfg.Faults == nil {
		cfg.Faults = faults.New(faults.Config{Now: cfg.Now, ParseTenant: ParseTenant})
	}
	if cfg.Stubs == nil {
		cfg.Stubs = stubs.New(stubs.Config{ParseTenant: ParseTenant})
	}
	return &API{cfg: cfg}
}

// Journal returns the journal the API lists.
func (a *API) Journal() *Journal { return a.cfg.Journal }

// endpoint answers one control request.
type endpoint func(r *http.Request) (reply, error)

// reply is what an endpoint answers: a value written as JSON, or raw JSON bytes; no
// body for 204.
type reply struct {
	status int
	value  any
	raw    []byte
}

// methods maps HTTP methods to the endpoints of one path.
type methods map[string]endpoint

// serve is the control API's adapter: it picks the endpoint by method and writes its
// reply or its error. Nothing else in the package writes a response.
func (a *API) serve(ms methods) http.Handler {
	allow := make([]string, 0, len(ms))
	for m := range ms {
		allow = append(allow, m)
	}
	slices.Sort(allow)
	allowed := strings.Join(allow, ", ")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ep := ms[r.Method]
		if ep == nil {
			a.cfg.WriteError(w, r, odata.ErrMethodNotAllowed(allowed))
			return
		}
		rep, err := ep(r)
		if err != nil {
			a.cfg.WriteError(w, r, err)
			return
		}
		body := rep.raw
		if body == nil && rep.value != nil {
			var buf bytes.Buffer
			enc := json.NewEncoder(&buf)
			enc.SetEscapeHTML(false)
			enc.SetIndent("", "  ")
			if err := enc.Encode(rep.value); err != nil {
				a.cfg.WriteError(w, r, err)
				return
			}
			body = buf.Bytes()
		}
		if body == nil {
			w.WriteHeader(rep.status)
			return
		}
		h := w.Header()
		h.Set("Content-Type", "application/json; charset=utf-8")
		h.Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(rep.status)
		_, _ = w.Write(body)
	})
}

func ok(v any) (reply, error) { return reply{status: http.StatusOK, value: v}, nil }

func noContent() (reply, error) { return reply{status: http.StatusNoContent}, nil }

// readBody reads a control request's JSON body, within the server's body limit (the
// middleware caps the reader): its Content-Type is not checked, so that curl's
// --data-binary works as it is; gzip is read.
func (a *API) readBody(r *http.Request) ([]byte, error) {
	if r.Body == nil {
		return nil, nil
	}
	var src io.Reader = r.Body
	switch enc := strings.ToLower(strings.TrimSpace(r.Header.Get("Content-Encoding"))); enc {
	case "", "identity":
	case "gzip", "x-gzip":
		z, err := gzip.NewReader(r.Body)
		if err != nil {
			return nil, odata.ErrUnreadableJSON()
		}
		defer z.Close()
		src = z
	default:
		return nil, odata.ErrUnsupportedEncoding(enc)
	}
	b, err := io.ReadAll(io.LimitReader(src, a.cfg.MaxBodyBytes+1))
	if err == nil && int64(len(b)) > a.cfg.MaxBodyBytes {
		return nil, odata.ErrBodyTooLarge()
	}
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, odata.ErrBodyTooLarge()
		}
		return nil, badRequest("The request body could not be read: "+err.Error(), "body")
	}
	return b, nil
}

// badRequest is Graph's 400 with a detail naming what is wrong.
func badRequest(msg, target string) *odata.Error {
	return &odata.Error{Status: http.StatusBadRequest, Code: "BadRequest", Message: msg,
		Details: []odata.ErrorDetail{{Code: "InvalidRequest", Message: msg, Target: target}}}
}

// checkQuery refuses query parameters an endpoint does not know, so that a typo is not
// silently ignored.
func checkQuery(r *http.Request, known ...string) error {
	for k := range r.URL.Query() {
		if slices.Contains(known, k) {
			continue
		}
		if len(known) == 0 {
			return badRequest("Unknown query parameter '"+k+"'; this endpoint takes none.", k)
		}
		return badRequest("Unknown query parameter '"+k+"'; this endpoint takes: "+strings.Join(known, ", ")+".", k)
	}
	return nil
}

func itoa(n int) string { return strconv.Itoa(n) }
