package emulatortest_test

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/graph-emulator/graph-emulator/emulator"
	"github.com/graph-emulator/graph-emulator/emulator/emulatortest"
)

func TestNewTLS(t *testing.T) {
	t.Parallel()
	srv := emulatortest.NewTLS(t, emulator.WithSchema("v1.0", thingsSchema(t)), emulator.WithPageSize(1))
	u, err := url.Parse(srv.URL)
	if err != nil || u.Scheme != "https" || u.Hostname() != "127.0.0.1" || u.Port() == "" {
		t.Fatalf("URL = %q, want https://127.0.0.1:<port>", srv.URL)
	}
	for _, name := range []string{"a", "b"} {
		created := srv.Do("POST", "/v1.0/things", `{"name":"`+name+`"}`)
		if created.Status != http.StatusCreated {
			t.Fatalf("create: %s", created)
		}
		if loc := created.Header.Get("Location"); !strings.HasPrefix(loc, srv.URL+"/v1.0/things(") {
			t.Errorf("Location = %q, want an https URL under %s", loc, srv.URL)
		}
	}
	page := srv.Do("GET", "/v1.0/things", "")
	var body struct {
		Context  string `json:"@odata.context"`
		NextLink string `json:"@odata.nextLink"`
	}
	if err := json.Unmarshal(page.Body, &body); err != nil || page.Status != http.StatusOK {
		t.Fatalf("list: %s (%v)", page, err)
	}
	if body.Context != srv.URL+"/v1.0/$metadata#things" {
		t.Errorf("@odata.context = %q, want it on %s", body.Context, srv.URL)
	}
	if !strings.HasPrefix(body.NextLink, srv.URL+"/v1.0/things?") {
		t.Fatalf("@odata.nextLink = %q, want it on %s", body.NextLink, srv.URL)
	}
	if next := srv.Do("GET", body.NextLink, ""); next.Status != http.StatusOK {
		t.Errorf("following nextLink: %s", next)
	}

	// Client speaks HTTP/2, as Graph's clients do with Graph.
	resp, err := srv.Client.Get(srv.URL + "/v1.0/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.ProtoMajor != 2 || resp.TLS == nil {
		t.Errorf("Client used %s (TLS %v), want HTTP/2 over TLS", resp.Proto, resp.TLS != nil)
	}

	// A client that trusts only the system roots refuses the server.
	_, err = (&http.Client{Transport: &http.Transport{}}).Get(srv.URL + "/v1.0/")
	var unknown x509.UnknownAuthorityError
	if !errors.As(err, &unknown) {
		t.Errorf("GET with the system roots: %v, want x509.UnknownAuthorityError", err)
	}

	// CACertPEM is what another client needs to trust.
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(srv.CACertPEM()) {
		t.Fatalf("CACertPEM is not a PEM certificate:\n%s", srv.CACertPEM())
	}
	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}
	defer tr.CloseIdleConnections()
	resp, err = (&http.Client{Transport: tr}).Get(srv.URL + "/v1.0/")
	if err != nil {
		t.Fatalf("GET with a pool made from CACertPEM: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("GET with a pool made from CACertPEM: %d", resp.StatusCode)
	}
}

func TestNewTLSCurl(t *testing.T) {
	t.Parallel()
	curl, err := exec.LookPath("curl")
	if err != nil {
		t.Skip("curl not installed")
	}
	srv := emulatortest.NewTLS(t)
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, srv.CACertPEM(), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.CommandContext(t.Context(), curl, "-sS", "--fail", "--cacert", ca, srv.URL+"/v1.0/").CombinedOutput()
	if err != nil {
		t.Fatalf("curl --cacert: %v\n%s", err, out)
	}
	if want := `"@odata.context":"` + srv.URL + `/v1.0/$metadata"`; !strings.Contains(string(out), want) {
		t.Errorf("curl output lacks %s:\n%s", want, out)
	}
}

func TestCACertPEMPlainHTTP(t *testing.T) {
	t.Parallel()
	srv := emulatortest.New(t)
	if !strings.HasPrefix(srv.URL, "http://") {
		t.Errorf("New: URL = %q, want http://", srv.URL)
	}
	if got := srv.CACertPEM(); got != nil {
		t.Errorf("CACertPEM of a plain HTTP server = %q, want nil", got)
	}
}

func TestStartTLS(t *testing.T) {
	t.Parallel()
	srv, err := emulatortest.StartTLS()
	if err != nil {
		t.Fatal(err)
	}
	if resp := srv.Do("GET", "/v1.0/", ""); resp.Status != http.StatusOK {
		t.Errorf("service root: %s", resp)
	}
	block, _ := pem.Decode(srv.CACertPEM())
	if block == nil || block.Type != "CERTIFICATE" {
		t.Errorf("CACertPEM has no CERTIFICATE block")
	}
	srv.Close()
	if _, err := srv.Send("GET", "/v1.0/", ""); err == nil {
		t.Errorf("server still answers after Close")
	}
	if _, err := emulatortest.StartTLS(emulator.WithPageSize(1), emulator.WithSchema("v2", nil)); err == nil {
		t.Errorf("StartTLS with a bad option succeeded")
	}
}
