package compat_test

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	core "github.com/microsoftgraph/msgraph-sdk-go-core"

	"github.com/graph-emulator/graph-emulator/emulator"
	"github.com/graph-emulator/graph-emulator/emulator/emulatortest"
)

// msgraph-sdk-go over HTTPS: a transport that trusts only the emulator's CA under the
// SDK's default middleware, against emulatortest.NewTLS in-process and against the binary
// started with --tls --tls-ca FILE; every CRUD and error scenario of sdk_test.go, and
// msgraph-sdk-go-core's PageIterator across server-driven pages of 2.

// tlsTarget is one way of reaching an emulator over HTTPS; start returns a fresh
// emulator's root URL (https://127.0.0.1:PORT) serving pages of pageSize entities (0:
// the default) and a transport that trusts its certificate authority and no other.
type tlsTarget struct {
	name  string
	start func(t *testing.T, pageSize int) (string, *http.Transport)
}

// tlsTargets returns the in-process HTTPS emulator and the built binary with --tls.
func tlsTargets(t *testing.T) []tlsTarget {
	bin := emulatorBinary(t)
	return []tlsTarget{
		{name: "in-process-https", start: startInProcessTLS},
		{name: "binary-https", start: func(t *testing.T, pageSize int) (string, *http.Transport) {
			return startBinaryTLS(t, bin, pageSize)
		}},
	}
}

// startInProcessTLS serves emulator.New through emulatortest.NewTLS; the client trusts
// the certificate CACertPEM hands out, as another process would.
func startInProcessTLS(t *testing.T, pageSize int) (string, *http.Transport) {
	t.Helper()
	var opts []emulator.Option
	if pageSize > 0 {
		opts = append(opts, emulator.WithPageSize(pageSize))
	}
	srv := emulatortest.NewTLS(t, opts...)
	return srv.URL, trustingTransport(t, srv.CACertPEM())
}

// startBinaryTLS runs the binary with a generated CA written to a temporary --tls-ca
// file, and trusts what it wrote.
func startBinaryTLS(t *testing.T, bin string, pageSize int) (string, *http.Transport) {
	t.Helper()
	ca := filepath.Join(t.TempDir(), "ca.pem")
	args := []string{"--tls", "--tls-ca", ca, "--addr", "127.0.0.1:0"}
	if pageSize > 0 {
		args = append(args, "--page-size", strconv.Itoa(pageSize))
	}
	root := startBinaryArgs(t, bin, "https", args...)
	pemBytes, err := os.ReadFile(ca)
	if err != nil {
		t.Fatalf("reading the --tls-ca file: %v", err)
	}
	return root, trustingTransport(t, pemBytes)
}

// trustingTransport is the README's Go recipe: the default transport with a root pool
// holding only pemBytes.
func trustingTransport(t *testing.T, pemBytes []byte) *http.Transport {
	t.Helper()
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pemBytes) {
		t.Fatalf("no certificate in the CA PEM:\n%s", pemBytes)
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = &tls.Config{RootCAs: pool}
	return tr
}

// wantAllOn asserts that every exchange went to root over HTTPS.
func wantAllOn(t *testing.T, c *client) {
	t.Helper()
	for i, x := range c.wire.exchanges() {
		if !strings.HasPrefix(x.url, c.root+"/") || !strings.HasPrefix(x.url, "https://") {
			t.Errorf("exchange %d %s %s: not on %s", i, x.method, x.url, c.root)
		}
	}
}

// TestSDKOverHTTPS runs every scenario of TestSDK over HTTPS: links, Location and
// @odata.context are then https ones (checkEntity compares them with the root).
func TestSDKOverHTTPS(t *testing.T) {
	t.Parallel()
	for _, tg := range tlsTargets(t) {
		t.Run(tg.name, func(t *testing.T) {
			t.Parallel()
			for _, sc := range scenarios {
				t.Run(sc.name, func(t *testing.T) {
					t.Parallel()
					root, tr := tg.start(t, 0)
					c := newClientWithTransport(t, root, tr)
					sc.run(t, c)
					wantAllOn(t, c)
				})
			}
		})
	}
}

// TestPageIteratorOverHTTPS walks a collection with msgraph-sdk-go-core's PageIterator
// through pages of 2: every entity once, in creation order, one request per page, each
// later page fetched from the @odata.nextLink the emulator gave.
func TestPageIteratorOverHTTPS(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name       string
		create     int
		pauseAfter int // > 0: the callback stops after that many items, then Iterate resumes
	}{
		{name: "Iterate walks every page to the end", create: 5},
		{name: "Iterate paused by its callback resumes where it stopped", create: 5, pauseAfter: 3},
		{name: "a single page has no nextLink and Iterate fetches nothing more", create: 1},
	}
	for _, tg := range tlsTargets(t) {
		t.Run(tg.name, func(t *testing.T) {
			t.Parallel()
			for _, tc := range cases {
				t.Run(tc.name, func(t *testing.T) {
					t.Parallel()
					root, tr := tg.start(t, 2)
					c := newClientWithTransport(t, root, tr)
					var want []string
					for i := range tc.create {
						body := sample()
						body.teamsActive = ptr(int64(100 + i))
						want = append(want, fmt.Sprintf("%s/%d", *mustCreate(t, c, body).id, 100+i))
					}
					first, err := c.list(t.Context())
					if err != nil {
						t.Fatalf("list: %v", err)
					}
					pages := (tc.create + 1) / 2
					if got := len(first.value); got != min(tc.create, 2) {
						t.Fatalf("first page holds %d entities, want %d", got, min(tc.create, 2))
					}
					if pages > 1 {
						prefix := c.root + "/v1.0/office365ServicesUserCounts?"
						if first.nextLink == nil || !strings.HasPrefix(*first.nextLink, prefix) || !strings.Contains(*first.nextLink, "$skiptoken=") {
							t.Fatalf("first page @odata.nextLink = %q, want %s...$skiptoken=...", deref(first.nextLink), prefix)
						}
					} else if first.nextLink != nil {
						t.Fatalf("@odata.nextLink = %q on the only page", *first.nextLink)
					}

					it, err := core.NewPageIterator[*userCounts](first, c.adapter, createUserCountsCollection)
					if err != nil {
						t.Fatalf("NewPageIterator: %v", err)
					}
					var got []string
					collect := func(u *userCounts) bool {
						got = append(got, deref(u.id)+"/"+deref64(u.teamsActive))
						return tc.pauseAfter == 0 || len(got) != tc.pauseAfter
					}
					if err := it.Iterate(t.Context(), collect); err != nil {
						t.Fatalf("Iterate: %v", err)
					}
					if tc.pauseAfter > 0 {
						if len(got) != tc.pauseAfter || it.GetOdataNextLink() == nil {
							t.Fatalf("paused after %d items with nextLink %q, want %d items and a link to the rest",
								len(got), deref(it.GetOdataNextLink()), tc.pauseAfter)
						}
						if err := it.Iterate(t.Context(), collect); err != nil {
							t.Fatalf("Iterate (resumed): %v", err)
						}
					}
					if !slices.Equal(got, want) {
						t.Errorf("iterated (id/teamsActive)\n%q\nwant each entity once in creation order\n%q", got, want)
					}
					if it.GetOdataNextLink() != nil {
						t.Errorf("@odata.nextLink = %q after the last page", *it.GetOdataNextLink())
					}

					var gets []exchange
					for _, x := range c.wire.exchanges() {
						if x.method == http.MethodGet {
							gets = append(gets, x)
						}
					}
					if len(gets) != pages {
						t.Fatalf("%d GETs, want one per page (%d)", len(gets), pages)
					}
					if want := c.root + "/v1.0/office365ServicesUserCounts"; gets[0].url != want {
						t.Errorf("first page from %s, want %s", gets[0].url, want)
					}
					if pages > 1 && gets[1].url != *first.nextLink {
						t.Errorf("second page from %s, want the first page's nextLink %s", gets[1].url, *first.nextLink)
					}
					seen := map[string]bool{}
					for _, x := range gets {
						if seen[x.url] {
							t.Errorf("page %s fetched twice", x.url)
						}
						seen[x.url] = true
					}
					wantAllOn(t, c)
				})
			}
		})
	}
}

func deref64(p *int64) string {
	if p == nil {
		return "<nil>"
	}
	return strconv.FormatInt(*p, 10)
}
