package compat_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	abs "github.com/microsoft/kiota-abstractions-go"
	"github.com/microsoft/kiota-abstractions-go/authentication"
	khttp "github.com/microsoft/kiota-http-go"
	msgraph "github.com/microsoftgraph/msgraph-sdk-go"
	core "github.com/microsoftgraph/msgraph-sdk-go-core"
	"github.com/microsoftgraph/msgraph-sdk-go/models/odataerrors"

	"github.com/graph-emulator/graph-emulator/emulator"
)

// binEnv names a prebuilt graph-emulator binary; without it the tests build one.
const binEnv = "GRAPH_EMULATOR_BIN"

// target is one way of reaching an emulator; start returns a fresh emulator's root URL
// (scheme://host:port, no version) and stops it when the test ends.
type target struct {
	name  string
	start func(t *testing.T) string
}

// targets returns the in-process emulator and the built binary.
func targets(t *testing.T) []target {
	bin := emulatorBinary(t)
	return []target{
		{name: "in-process", start: startInProcess},
		{name: "binary", start: func(t *testing.T) string { return startBinary(t, bin) }},
	}
}

// startInProcess serves emulator.New on an httptest server.
func startInProcess(t *testing.T) string {
	t.Helper()
	srv, err := emulator.New()
	if err != nil {
		t.Fatalf("emulator.New: %v", err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	return ts.URL
}

// emulatorBinary returns the binary named by $GRAPH_EMULATOR_BIN, or builds
// cmd/graph-emulator into a temporary directory.
func emulatorBinary(t *testing.T) string {
	t.Helper()
	if bin := os.Getenv(binEnv); bin != "" {
		return bin
	}
	bin := filepath.Join(t.TempDir(), "graph-emulator")
	cmd := exec.Command("go", "build", "-o", bin, "github.com/graph-emulator/graph-emulator/cmd/graph-emulator")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build cmd/graph-emulator: %v\n%s", err, out)
	}
	return bin
}

// startBinary runs bin on a free port, reads its root URL from the first stdout line
// and stops it with SIGINT when the test ends; it must exit cleanly.
func startBinary(t *testing.T, bin string) string {
	t.Helper()
	return startBinaryArgs(t, bin, "http", "--addr", "127.0.0.1:0")
}

// startBinaryArgs is startBinary with the given arguments; the first stdout line must be
// scheme://127.0.0.1:PORT.
func startBinaryArgs(t *testing.T, bin, scheme string, args ...string) string {
	t.Helper()
	cmd := exec.Command(bin, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", bin, err)
	}
	done := make(chan error, 1)
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("graph-emulator exited with %v\nstderr:\n%s", err, stderr.String())
			}
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			t.Errorf("graph-emulator did not stop on SIGINT\nstderr:\n%s", stderr.String())
		}
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	go func() { done <- cmd.Wait() }()
	if err != nil {
		t.Fatalf("reading the base URL from graph-emulator: %v\nstderr:\n%s", err, stderr.String())
	}
	base := strings.TrimSpace(line)
	if !strings.HasPrefix(base, scheme+"://127.0.0.1:") {
		t.Fatalf("first stdout line = %q, want %s://127.0.0.1:PORT", base, scheme)
	}
	return base
}

// exchange is one HTTP exchange as it went over the wire, after every SDK middleware.
type exchange struct {
	method, path string // path as sent, percent-encoded
	url          string // the whole URL as sent
	reqHeader    http.Header
	status       int
	respHeader   http.Header
}

// wire is an http.RoundTripper that records exchanges; it sits under the SDK's
// middleware pipeline, where the network would be.
type wire struct {
	next http.RoundTripper
	mu   sync.Mutex
	log  []exchange
}

func (w *wire) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := w.next.RoundTrip(r)
	if err != nil {
		return nil, err
	}
	w.mu.Lock()
	w.log = append(w.log, exchange{method: r.Method, path: r.URL.EscapedPath(), url: r.URL.String(), reqHeader: r.Header.Clone(),
		status: resp.StatusCode, respHeader: resp.Header.Clone()})
	w.mu.Unlock()
	return resp, nil
}

func (w *wire) exchanges() []exchange {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]exchange(nil), w.log...)
}

// last returns the last exchange.
func (w *wire) last(t *testing.T) exchange {
	t.Helper()
	x := w.exchanges()
	if len(x) == 0 {
		t.Fatal("no request went over the wire")
	}
	return x[len(x)-1]
}

// client is msgraph-sdk-go's request adapter pointed at an emulator, with the SDK's
// default middleware (telemetry, retry, redirect, compression, ...) over a recording
// transport.
type client struct {
	adapter *msgraph.GraphRequestAdapter
	root    string // scheme://host:port
	wire    *wire
}

// eachTarget runs fn as a parallel subtest per target (in-process, the binary), each
// with a client of its own.
func eachTarget(t *testing.T, fn func(t *testing.T, c *client)) {
	t.Helper()
	for _, tg := range targets(t) {
		t.Run(tg.name, func(t *testing.T) {
			t.Parallel()
			fn(t, newClient(t, tg.start(t)))
		})
	}
}

func newClient(t *testing.T, root string) *client {
	t.Helper()
	return newClientWithTransport(t, root, http.DefaultTransport.(*http.Transport).Clone())
}

// newClientWithTransport is newClient over tr (one that trusts an HTTPS emulator's CA,
// say), which it closes when the test ends.
func newClientWithTransport(t *testing.T, root string, tr *http.Transport) *client {
	t.Helper()
	t.Cleanup(tr.CloseIdleConnections)
	w := &wire{next: tr}
	opts := msgraph.GetDefaultClientOptions()
	httpClient := core.GetDefaultClient(&opts)
	httpClient.Transport = khttp.NewCustomTransportWithParentTransport(w, core.GetDefaultMiddlewaresWithOptions(&opts)...)
	adapter, err := msgraph.NewGraphRequestAdapterWithParseNodeFactoryAndSerializationWriterFactoryAndHttpClient(
		&authentication.AnonymousAuthenticationProvider{}, nil, nil, httpClient)
	if err != nil {
		t.Fatalf("NewGraphRequestAdapter: %v", err)
	}
	adapter.SetBaseUrl(root + "/v1.0")
	// The service client registers the JSON, text, form and multipart (de)serialisers
	// with Kiota; without it the adapter cannot parse a response.
	_ = msgraph.NewGraphServiceClient(adapter)
	c := &client{adapter: adapter, root: root, wire: w}
	t.Cleanup(func() { c.checkWire(t) })
	return c
}

// checkWire asserts what holds for every exchange: the SDK's telemetry headers went out,
// client-request-id came back as sent, request-id and OData-Version are there, every
// body went gzip-compressed and none was refused for it (the compression handler would
// then resend it uncompressed, hiding the refusal).
func (c *client) checkWire(t *testing.T) {
	t.Helper()
	for i, x := range c.wire.exchanges() {
		sent := x.reqHeader.Get("client-request-id")
		if sent == "" {
			t.Errorf("exchange %d %s %s: the SDK sent no client-request-id", i, x.method, x.path)
		}
		if got := x.respHeader.Get("client-request-id"); got != sent {
			t.Errorf("exchange %d %s %s: client-request-id = %q, want the %q sent", i, x.method, x.path, got, sent)
		}
		if x.respHeader.Get("request-id") == "" {
			t.Errorf("exchange %d %s %s: no request-id header", i, x.method, x.path)
		}
		if got := x.respHeader.Get("OData-Version"); got != "4.0" {
			t.Errorf("exchange %d %s %s: OData-Version = %q, want 4.0", i, x.method, x.path, got)
		}
		if got := x.reqHeader.Get("SdkVersion"); !strings.HasPrefix(got, "graph-go/") {
			t.Errorf("exchange %d %s %s: SdkVersion = %q, want the SDK's telemetry header", i, x.method, x.path, got)
		}
		if x.method == http.MethodPost || x.method == http.MethodPatch {
			if got := x.reqHeader.Get("Content-Encoding"); got != "gzip" {
				t.Errorf("exchange %d %s %s: Content-Encoding = %q, want gzip (SDK compression on)", i, x.method, x.path, got)
			}
		}
		if x.status == http.StatusUnsupportedMediaType {
			t.Errorf("exchange %d %s %s: 415: the emulator refused the SDK's gzip body", i, x.method, x.path)
		}
	}
}

// errorMapping maps every 4XX and 5XX to the SDK's ODataError, as generated builders do.
var errorMapping = abs.ErrorMappings{"XXX": odataerrors.CreateODataErrorFromDiscriminatorValue}

const (
	collectionTemplate = "{+baseurl}/office365ServicesUserCounts"
	entityTemplate     = "{+baseurl}/office365ServicesUserCounts/{id}"
)

func (c *client) request(method abs.HttpMethod, template, id string) *abs.RequestInformation {
	params := map[string]string{}
	if id != "" {
		params["id"] = id
	}
	ri := abs.NewRequestInformationWithMethodAndUrlTemplateAndPathParameters(method, template, params)
	ri.Headers.TryAdd("Accept", "application/json")
	return ri
}

func (c *client) sendEntity(ctx context.Context, ri *abs.RequestInformation, body *userCounts) (*userCounts, error) {
	if body != nil {
		if err := ri.SetContentFromParsable(ctx, c.adapter, "application/json", body); err != nil {
			return nil, err
		}
	}
	res, err := c.adapter.Send(ctx, ri, createUserCounts, errorMapping)
	if err != nil {
		return nil, err
	}
	if res == nil {
		return nil, nil
	}
	uc, ok := res.(*userCounts)
	if !ok {
		return nil, errors.New("the adapter returned a value of another type")
	}
	return uc, nil
}

// create POSTs body to the collection.
func (c *client) create(ctx context.Context, body *userCounts) (*userCounts, error) {
	return c.sendEntity(ctx, c.request(abs.POST, collectionTemplate, ""), body)
}

// get GETs one entity.
func (c *client) get(ctx context.Context, id string) (*userCounts, error) {
	return c.sendEntity(ctx, c.request(abs.GET, entityTemplate, id), nil)
}

// patch PATCHes one entity with the fields set in body.
func (c *client) patch(ctx context.Context, id string, body *userCounts) (*userCounts, error) {
	return c.sendEntity(ctx, c.request(abs.PATCH, entityTemplate, id), body)
}

// remove DELETEs one entity.
func (c *client) remove(ctx context.Context, id string) error {
	return c.adapter.SendNoContent(ctx, c.request(abs.DELETE, entityTemplate, id), errorMapping)
}

// list GETs the collection.
func (c *client) list(ctx context.Context) (*userCountsCollection, error) {
	res, err := c.adapter.Send(ctx, c.request(abs.GET, collectionTemplate, ""), createUserCountsCollection, errorMapping)
	if err != nil {
		return nil, err
	}
	col, ok := res.(*userCountsCollection)
	if !ok {
		return nil, errors.New("the adapter returned no collection")
	}
	return col, nil
}
