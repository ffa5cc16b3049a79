package compat_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	abs "github.com/microsoft/kiota-abstractions-go"
	azauth "github.com/microsoft/kiota-authentication-azure-go"
	khttp "github.com/microsoft/kiota-http-go"
	msgraphsdk "github.com/microsoftgraph/msgraph-sdk-go"
	msgraphgocore "github.com/microsoftgraph/msgraph-sdk-go-core"
	"github.com/microsoftgraph/msgraph-sdk-go/models/odataerrors"

	"github.com/graph-emulator/graph-emulator/emulator"
)

// The README's "Use HTTPS" lines for Go, run as written: a root pool from the CA file
// under the SDK's default middleware, and the Azure identity provider with the
// emulator's host among its valid hosts, so the token reaches the emulator. The
// emulator is wrapped in a handler that records what each request carried when it
// arrived, so the test sees the server side of the exchange.

// readmeHTTPSClient is the README's Go HTTPS example; caFile stands for its "ca.pem" and
// baseURL for its "https://127.0.0.1:8443/v1.0".
func readmeHTTPSClient(caFile, baseURL string, cred azcore.TokenCredential) (*msgraphsdk.GraphServiceClient, error) {
	// README: trust the CA.
	pemBytes, err := os.ReadFile(caFile)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pemBytes) {
		return nil, errors.New("no certificate in ca.pem")
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = &tls.Config{RootCAs: pool}
	// README: msgraph-sdk-go over that transport.
	opts := msgraphsdk.GetDefaultClientOptions()
	httpClient := &http.Client{Transport: khttp.NewCustomTransportWithParentTransport(tr,
		msgraphgocore.GetDefaultMiddlewaresWithOptions(&opts)...)}
	auth, err := azauth.NewAzureIdentityAuthenticationProviderWithScopesAndValidHosts(cred,
		[]string{"https://graph.microsoft.com/.default"}, []string{"127.0.0.1", "localhost"})
	if err != nil {
		return nil, err
	}
	adapter, err := msgraphsdk.NewGraphRequestAdapterWithParseNodeFactoryAndSerializationWriterFactoryAndHttpClient(
		auth, nil, nil, httpClient)
	if err != nil {
		return nil, err
	}
	adapter.SetBaseUrl(baseURL)
	client := msgraphsdk.NewGraphServiceClient(adapter)
	// README: end.
	return client, nil
}

// fakeCredential is an azcore.TokenCredential that hands out a fixed token and counts
// the calls.
type fakeCredential struct {
	mu     sync.Mutex
	calls  int
	scopes []string
}

const fakeToken = "test-token"

func (c *fakeCredential) GetToken(_ context.Context, o policy.TokenRequestOptions) (azcore.AccessToken, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.calls++
	c.scopes = o.Scopes
	return azcore.AccessToken{Token: fakeToken, ExpiresOn: time.Now().Add(time.Hour)}, nil
}

// arrival is what one request carried when it reached the emulator, and the
// client-request-id the emulator answered with.
type arrival struct {
	method, uri           string
	authorization         string
	clientRequestID       string
	echoedRequestID       string
	echoedClientRequestID string
}

// arrivals is an http.Handler that records each request before the emulator serves it.
type arrivals struct {
	next http.Handler
	mu   sync.Mutex
	log  []arrival
}

func (a *arrivals) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	got := arrival{method: r.Method, uri: r.URL.RequestURI(), authorization: r.Header.Get("Authorization"),
		clientRequestID: r.Header.Get("client-request-id")}
	a.next.ServeHTTP(w, r)
	got.echoedClientRequestID = headerValue(w.Header(), "client-request-id")
	got.echoedRequestID = headerValue(w.Header(), "request-id")
	a.mu.Lock()
	a.log = append(a.log, got)
	a.mu.Unlock()
}

// headerValue returns the first value of the header name in h, whatever the case of its
// key: the emulator sets Graph's lower-case names (request-id) directly in the map,
// where http.Header.Get, which looks up the canonical Request-Id, does not see them.
func headerValue(h http.Header, name string) string {
	for k, vs := range h {
		if strings.EqualFold(k, name) && len(vs) > 0 {
			return vs[0]
		}
	}
	return ""
}

func (a *arrivals) all() []arrival {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]arrival(nil), a.log...)
}

// startRecordedTLS serves emulator.New(opts...) behind an arrivals recorder on an
// httptest TLS server (HTTP/2 and HTTP/1.1) and writes its certificate to a ca.pem file.
func startRecordedTLS(t *testing.T, opts ...emulator.Option) (root, caFile string, rec *arrivals) {
	t.Helper()
	em, err := emulator.New(opts...)
	if err != nil {
		t.Fatalf("emulator.New: %v", err)
	}
	rec = &arrivals{next: em}
	ts := httptest.NewUnstartedServer(rec)
	ts.EnableHTTP2 = true
	ts.StartTLS()
	t.Cleanup(ts.Close)
	caFile = filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ts.Certificate().Raw}), 0o644); err != nil {
		t.Fatal(err)
	}
	return ts.URL, caFile, rec
}

// graphHosts are the hosts msgraph-sdk-go's NewGraphServiceClientWithCredentials sends
// tokens to when given none.
var graphHosts = []string{"graph.microsoft.com", "graph.microsoft.us", "dod-graph.microsoft.us",
	"graph.microsoft.de", "microsoftgraph.chinacloudapi.cn", "canary.graph.microsoft.com"}

// TestReadmeHTTPSSnippet runs the README's HTTPS lines against an emulator with pages of
// 2: create three entities, read one, page through them with the PageIterator, and read
// an unknown id as a typed ODataError. With the emulator's host among the provider's
// valid hosts, every request arrives with the token; with Graph's hosts only (the SDK's
// default), none does, yet everything else works, as the emulator needs no token by default.
func TestReadmeHTTPSSnippet(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name      string
		newClient func(caFile, base string, cred azcore.TokenCredential) (*msgraphsdk.GraphServiceClient, error)
		wantAuth  string
	}{
		{
			name:      "README: 127.0.0.1 among the valid hosts, the token reaches the emulator",
			newClient: readmeHTTPSClient,
			wantAuth:  "Bearer " + fakeToken,
		},
		{
			name: "Graph's hosts only: no token is sent to the emulator",
			newClient: func(caFile, base string, cred azcore.TokenCredential) (*msgraphsdk.GraphServiceClient, error) {
				pemBytes, err := os.ReadFile(caFile)
				if err != nil {
					return nil, err
				}
				pool := x509.NewCertPool()
				pool.AppendCertsFromPEM(pemBytes)
				tr := http.DefaultTransport.(*http.Transport).Clone()
				tr.TLSClientConfig = &tls.Config{RootCAs: pool}
				opts := msgraphsdk.GetDefaultClientOptions()
				httpClient := &http.Client{Transport: khttp.NewCustomTransportWithParentTransport(tr,
					msgraphgocore.GetDefaultMiddlewaresWithOptions(&opts)...)}
				auth, err := azauth.NewAzureIdentityAuthenticationProviderWithScopesAndValidHosts(cred,
					[]string{"https://graph.microsoft.com/.default"}, graphHosts)
				if err != nil {
					return nil, err
				}
				adapter, err := msgraphsdk.NewGraphRequestAdapterWithParseNodeFactoryAndSerializationWriterFactoryAndHttpClient(
					auth, nil, nil, httpClient)
				if err != nil {
					return nil, err
				}
				adapter.SetBaseUrl(base)
				return msgraphsdk.NewGraphServiceClient(adapter), nil
			},
			wantAuth: "",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			root, caFile, rec := startRecordedTLS(t, emulator.WithPageSize(2))
			cred := &fakeCredential{}
			client, err := tc.newClient(caFile, root+"/v1.0", cred)
			if err != nil {
				t.Fatalf("building the client: %v", err)
			}
			ctx := t.Context()
			adapter := client.RequestAdapter
			errs := abs.ErrorMappings{"XXX": odataerrors.CreateODataErrorFromDiscriminatorValue}

			var ids []string
			for range 3 {
				post := abs.NewRequestInformationWithMethodAndUrlTemplateAndPathParameters(
					abs.POST, "{+baseurl}/office365ServicesUserCounts", map[string]string{})
				if err := post.SetContentFromParsable(ctx, adapter, "application/json", sample()); err != nil {
					t.Fatal(err)
				}
				created, err := adapter.Send(ctx, post, createUserCounts, errs)
				if err != nil {
					t.Fatalf("create: %v", err)
				}
				ids = append(ids, deref(created.(*userCounts).id))
			}
			get := abs.NewRequestInformationWithMethodAndUrlTemplateAndPathParameters(
				abs.GET, "{+baseurl}/office365ServicesUserCounts/{id}", map[string]string{"id": ids[0]})
			read, err := adapter.Send(ctx, get, createUserCounts, errs)
			if err != nil {
				t.Fatalf("get: %v", err)
			}
			if d := sameValues(read.(*userCounts), sample()); d != "" {
				t.Errorf("get: %s", d)
			}

			list := abs.NewRequestInformationWithMethodAndUrlTemplateAndPathParameters(
				abs.GET, "{+baseurl}/office365ServicesUserCounts", map[string]string{})
			first, err := adapter.Send(ctx, list, createUserCountsCollection, errs)
			if err != nil {
				t.Fatalf("list: %v", err)
			}
			it, err := msgraphgocore.NewPageIterator[*userCounts](first, adapter, createUserCountsCollection)
			if err != nil {
				t.Fatalf("NewPageIterator: %v", err)
			}
			var paged []string
			if err := it.Iterate(ctx, func(u *userCounts) bool { paged = append(paged, deref(u.id)); return true }); err != nil {
				t.Fatalf("Iterate: %v", err)
			}
			if len(paged) != len(ids) || paged[0] != ids[0] || paged[1] != ids[1] || paged[2] != ids[2] {
				t.Errorf("paged %q, want %q", paged, ids)
			}

			missing := abs.NewRequestInformationWithMethodAndUrlTemplateAndPathParameters(
				abs.GET, "{+baseurl}/office365ServicesUserCounts/{id}", map[string]string{"id": "no-such-id"})
			_, err = adapter.Send(ctx, missing, createUserCounts, errs)
			var oe *odataerrors.ODataError
			if !errors.As(err, &oe) || oe.ResponseStatusCode != http.StatusNotFound {
				t.Errorf("get of an unknown id: %v, want a 404 ODataError", err)
			}

			got := rec.all()
			// 3 POSTs, a GET, 2 pages, a GET of an unknown id.
			if len(got) != 7 {
				t.Fatalf("%d requests reached the emulator, want 7: %+v", len(got), got)
			}
			for i, a := range got {
				if a.authorization != tc.wantAuth {
					t.Errorf("request %d %s %s arrived with Authorization %q, want %q", i, a.method, a.uri, a.authorization, tc.wantAuth)
				}
				if a.clientRequestID == "" || a.echoedClientRequestID != a.clientRequestID {
					t.Errorf("request %d %s %s: client-request-id %q arrived, %q answered", i, a.method, a.uri, a.clientRequestID, a.echoedClientRequestID)
				}
				if a.echoedRequestID == "" || a.echoedRequestID == a.clientRequestID {
					t.Errorf("request %d %s %s: request-id %q", i, a.method, a.uri, a.echoedRequestID)
				}
			}
			cred.mu.Lock()
			defer cred.mu.Unlock()
			if tc.wantAuth != "" && (cred.calls == 0 || len(cred.scopes) != 1 || cred.scopes[0] != "https://graph.microsoft.com/.default") {
				t.Errorf("credential asked %d times for scopes %q, want the README's scope", cred.calls, cred.scopes)
			}
			if tc.wantAuth == "" && cred.calls != 0 {
				t.Errorf("credential asked %d times for a host not among the valid hosts", cred.calls)
			}
		})
	}
}
