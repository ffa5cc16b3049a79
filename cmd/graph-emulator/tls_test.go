package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/graph-emulator/graph-emulator/emulator/certs"
)

func TestListeners(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		args    []string
		env     map[string]string
		want    []listenSpec
		wantErr string
	}{
		{name: "http only", want: []listenSpec{{addr: "127.0.0.1:8080"}}},
		{name: "http on --addr", args: []string{"--addr=127.0.0.1:0"}, want: []listenSpec{{addr: "127.0.0.1:0"}}},
		{name: "--tls alone: https on the --addr default", args: []string{"--tls"},
			want: []listenSpec{{addr: "127.0.0.1:8080", tls: true}}},
		{name: "--tls with --addr: https there", args: []string{"--tls", "--addr=127.0.0.1:0"},
			want: []listenSpec{{addr: "127.0.0.1:0", tls: true}}},
		{name: "--tls-addr without --addr: https only", args: []string{"--tls", "--tls-addr=127.0.0.1:8443"},
			want: []listenSpec{{addr: "127.0.0.1:8443", tls: true}}},
		{name: "--addr and --tls-addr: both, http first", args: []string{"--tls", "--addr=127.0.0.1:8080", "--tls-addr=127.0.0.1:8443"},
			want: []listenSpec{{addr: "127.0.0.1:8080"}, {addr: "127.0.0.1:8443", tls: true}}},
		{name: "addresses from the environment", env: map[string]string{"GRAPH_EMULATOR_TLS": "true",
			"GRAPH_EMULATOR_ADDR": "127.0.0.1:1", "GRAPH_EMULATOR_TLS_ADDR": "127.0.0.1:2"},
			want: []listenSpec{{addr: "127.0.0.1:1"}, {addr: "127.0.0.1:2", tls: true}}},
		{name: "--tls-cert turns https on", args: []string{"--tls-cert=c.pem", "--tls-key=k.pem"},
			want: []listenSpec{{addr: "127.0.0.1:8080", tls: true}}},
		{name: "--tls-cert with --tls and --tls-addr", args: []string{"--tls", "--tls-cert=c.pem", "--tls-key=k.pem", "--tls-addr=[::1]:0"},
			want: []listenSpec{{addr: "[::1]:0", tls: true}}},
		{name: "generated-certificate flags with --tls", args: []string{"--tls", "--tls-host=a.test", "--tls-dir=d", "--tls-ca=ca.pem"},
			want: []listenSpec{{addr: "127.0.0.1:8080", tls: true}}},
		{name: "--tls=false with --tls-addr", args: []string{"--tls=false", "--tls-addr=127.0.0.1:0"}, wantErr: "--tls-addr needs --tls"},
		{name: "--tls-addr alone turns generated https on", args: []string{"--tls-addr=127.0.0.1:8443"},
			want: []listenSpec{{addr: "127.0.0.1:8443", tls: true}}},
		{name: "--addr and --tls-addr without --tls: both", args: []string{"--addr=127.0.0.1:0", "--tls-addr=127.0.0.1:8443"},
			want: []listenSpec{{addr: "127.0.0.1:0"}, {addr: "127.0.0.1:8443", tls: true}}},
		{name: "--tls-host without --tls", args: []string{"--tls-host=a.test"}, wantErr: "--tls-host needs --tls"},
		{name: "--tls-dir from the environment without --tls", env: map[string]string{"GRAPH_EMULATOR_TLS_DIR": "d"}, wantErr: "--tls-dir needs --tls"},
		{name: "--tls-ca without --tls", args: []string{"--tls-ca=x.pem"}, wantErr: "--tls-ca needs --tls"},
		{name: "--tls-cert without --tls-key", args: []string{"--tls-cert=c.pem"}, wantErr: "--tls-cert and --tls-key go together"},
		{name: "--tls-key without --tls-cert", args: []string{"--tls", "--tls-key=k.pem"}, wantErr: "--tls-cert and --tls-key go together"},
		{name: "--tls-host with --tls-cert", args: []string{"--tls-cert=c.pem", "--tls-key=k.pem", "--tls-host=a.test"},
			wantErr: "--tls-host is for generated certificates"},
		{name: "--tls-dir with --tls-cert", args: []string{"--tls-cert=c.pem", "--tls-key=k.pem", "--tls-dir=d"},
			wantErr: "--tls-dir is for generated certificates"},
		{name: "--tls-ca with --tls-cert", args: []string{"--tls-cert=c.pem", "--tls-key=k.pem", "--tls-ca=x.pem"},
			wantErr: "--tls-ca is for generated certificates"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			o, set, err := parse(tt.args, env(tt.env), io.Discard)
			if err != nil {
				t.Fatalf("parse(%q): %v", tt.args, err)
			}
			got, err := listeners(o, set)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("listeners(%q, %v) = %v, %v; want an error containing %q", tt.args, tt.env, got, err, tt.wantErr)
				}
				// run refuses it before printing or listening.
				var stdout bytes.Buffer
				if err := run(t.Context(), tt.args, env(tt.env), &stdout, io.Discard); err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("run(%q) = %v, want an error containing %q", tt.args, err, tt.wantErr)
				}
				if stdout.Len() != 0 {
					t.Errorf("run(%q) printed %q", tt.args, stdout.String())
				}
				return
			}
			if err != nil || !slices.Equal(got, tt.want) {
				t.Errorf("listeners(%q, %v) = %v, %v; want %v", tt.args, tt.env, got, err, tt.want)
			}
		})
	}
}

// tlsRun is a run in progress that printed lines base URLs.
type tlsRun struct {
	bases  []string
	done   <-chan error
	rest   chan []string // stdout lines after the bases, once run has returned
	stderr *logWatch
}

// startTLSRun runs run(ctx, args) and returns once it has printed lines stdout lines.
func startTLSRun(t *testing.T, ctx context.Context, lines int, args ...string) *tlsRun {
	t.Helper()
	pr, pw := io.Pipe()
	r := &tlsRun{stderr: &logWatch{}, rest: make(chan []string, 1)}
	done := make(chan error, 1)
	r.done = done
	go func() {
		err := run(ctx, args, env(nil), pw, r.stderr)
		pw.CloseWithError(err)
		done <- err
	}()
	sc := bufio.NewScanner(pr)
	for range lines {
		if !sc.Scan() {
			t.Fatalf("run printed %d lines of %d: %v\nstderr:\n%s", len(r.bases), lines, sc.Err(), r.stderr)
		}
		r.bases = append(r.bases, sc.Text())
	}
	go func() {
		var rest []string
		for sc.Scan() {
			rest = append(rest, sc.Text())
		}
		r.rest <- rest
	}()
	return r
}

// stop cancels the run and checks that it returns nil.
func (r *tlsRun) stop(t *testing.T, cancel context.CancelFunc) {
	t.Helper()
	cancel()
	select {
	case err := <-r.done:
		if err != nil {
			t.Fatalf("run returned %v, want nil\nstderr:\n%s", err, r.stderr)
		}
	case <-time.After(waitLimit):
		t.Fatalf("run did not return after cancel\nstderr:\n%s", r.stderr)
	}
	if rest := <-r.rest; len(rest) != 0 {
		t.Errorf("stdout lines after the base URLs: %q", rest)
	}
}

// caClient returns a client that trusts only the CA certificates in caFile, as a Go
// program would with an x509.CertPool.
func caClient(t *testing.T, caFile string) *http.Client {
	t.Helper()
	pemBytes, err := os.ReadFile(caFile)
	if err != nil {
		t.Fatalf("reading the CA file: %v", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pemBytes) {
		t.Fatalf("CA file %s holds no PEM certificate:\n%s", caFile, pemBytes)
	}
	return newClient(t, &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}, ForceAttemptHTTP2: true})
}

// peerCert returns the certificate the server at base presents.
func peerCert(t *testing.T, c *http.Client, base string) *x509.Certificate {
	t.Helper()
	resp, err := c.Get(base + "/v1.0/")
	if err != nil {
		t.Fatalf("GET %s/v1.0/: %v", base, err)
	}
	resp.Body.Close()
	if resp.TLS == nil || len(resp.TLS.PeerCertificates) == 0 {
		t.Fatalf("GET %s/v1.0/: not over TLS", base)
	}
	return resp.TLS.PeerCertificates[0]
}

// post creates an entity in set and returns its JSON; its Location must be under set.
func post(t *testing.T, c *http.Client, set string) map[string]any {
	t.Helper()
	resp, err := c.Post(set, "application/json", strings.NewReader(`{}`))
	if err != nil {
		t.Fatalf("POST %s: %v", set, err)
	}
	defer resp.Body.Close()
	var body map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || resp.StatusCode != http.StatusCreated {
		t.Fatalf("POST %s: %d (%v)", set, resp.StatusCode, err)
	}
	if loc := resp.Header.Get("Location"); !strings.HasPrefix(loc, set+"(") && !strings.HasPrefix(loc, set+"/") {
		t.Errorf("POST %s: Location = %q, want it under the set on the same scheme and host", set, loc)
	}
	return body
}

// get returns the status and JSON body of GET u.
func get(t *testing.T, c *http.Client, u string) (int, map[string]any) {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	defer resp.Body.Close()
	var body map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	return resp.StatusCode, body
}

func TestRunTLS(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		addr   string
		extra  []string
		dialAs string // a host name to reach the listener by, besides its address
	}{
		{name: "IPv4", addr: "127.0.0.1:0", dialAs: "localhost"},
		{name: "IPv4 with --tls-host", addr: "127.0.0.1:0", extra: []string{"--tls-host", "graph.local.test", "--tls-host=192.0.2.10"}, dialAs: "graph.local.test"},
		{name: "IPv6", addr: "[::1]:0", dialAs: "localhost"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if strings.HasPrefix(tt.addr, "[::1]") {
				if ln, err := net.Listen("tcp", tt.addr); err != nil {
					t.Skipf("no IPv6 loopback: %v", err)
				} else {
					ln.Close()
				}
			}
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			ca := filepath.Join(t.TempDir(), "ca.pem")
			args := append([]string{"--tls", "--addr", tt.addr, "--tls-ca", ca}, tt.extra...)
			r := startTLSRun(t, ctx, 1, args...)
			base := r.bases[0]
			u, err := url.Parse(base)
			if err != nil || u.Scheme != "https" || u.Port() == "" || u.Port() == "0" ||
				u.Host != strings.Replace(tt.addr, ":0", ":"+u.Port(), 1) {
				t.Fatalf("first stdout line = %q, want https://%s with the port bound", base, tt.addr)
			}
			logs := r.stderr.String()
			for _, want := range []string{"TLS CA certificate written", ca, "graph-emulator listening", base} {
				if !strings.Contains(logs, want) {
					t.Errorf("stderr does not contain %q:\n%s", want, logs)
				}
			}

			// A Go client trusting only the CA file; HTTP/2 as with Graph.
			c := caClient(t, ca)
			set := firstEntitySet(t, c, base)
			created := post(t, c, set)
			if ctx, _ := created["@odata.context"].(string); !strings.HasPrefix(ctx, base+"/v1.0/$metadata#") {
				t.Errorf("@odata.context = %q, want it on %s", ctx, base)
			}
			resp, err := c.Get(base + "/v1.0/")
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.ProtoMajor != 2 {
				t.Errorf("served %s, want HTTP/2 over TLS", resp.Proto)
			}
			leaf := peerCert(t, c, base)
			wantHosts := []string{"localhost", "127.0.0.1", "::1"}
			for i := 0; i+1 < len(tt.extra); i++ {
				if tt.extra[i] == "--tls-host" {
					wantHosts = append(wantHosts, tt.extra[i+1])
				}
			}
			if slices.Contains(tt.extra, "--tls-host=192.0.2.10") {
				wantHosts = append(wantHosts, "192.0.2.10")
			}
			if got := certs.Names(leaf); !slices.Equal(slices.Sorted(slices.Values(got)), slices.Sorted(slices.Values(wantHosts))) {
				t.Errorf("served certificate SANs = %q, want %q", got, wantHosts)
			}
			if d := time.Until(leaf.NotAfter); d > certs.Validity || d < certs.Validity-time.Minute {
				t.Errorf("served certificate expires in %v, want %v", d, certs.Validity)
			}

			// By a host name the certificate covers: links use that name.
			tr := &http.Transport{
				TLSClientConfig: &tls.Config{RootCAs: c.Transport.(*http.Transport).TLSClientConfig.RootCAs},
				DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
					return (&net.Dialer{}).DialContext(ctx, network, u.Host)
				},
			}
			byName := newClient(t, tr)
			named := "https://" + net.JoinHostPort(tt.dialAs, u.Port())
			status, body := get(t, byName, named+"/v1.0/")
			if ctx, _ := body["@odata.context"].(string); status != http.StatusOK || ctx != named+"/v1.0/$metadata" {
				t.Errorf("GET %s/v1.0/: %d @odata.context %q, want it on %s", named, status, ctx, named)
			}

			// curl with --cacert, if there is one.
			if curl, err := exec.LookPath("curl"); err == nil {
				out, err := exec.CommandContext(t.Context(), curl, "-sS", "--fail", "--cacert", ca, base+"/v1.0/").CombinedOutput()
				if err != nil {
					t.Errorf("curl --cacert %s %s/v1.0/: %v\n%s", ca, base, err, out)
				} else if !strings.Contains(string(out), `"@odata.context":"`+base+`/v1.0/$metadata"`) {
					t.Errorf("curl output has no @odata.context on %s:\n%s", base, out)
				}
			} else {
				t.Log("curl not installed: the curl --cacert check is skipped")
			}

			// Without the CA, a client refuses the server.
			_, err = newClient(t, &http.Transport{TLSClientConfig: &tls.Config{RootCAs: x509.NewCertPool()}}).Get(base + "/v1.0/")
			var unknown x509.UnknownAuthorityError
			if !errors.As(err, &unknown) {
				t.Errorf("GET without the CA: %v, want x509.UnknownAuthorityError", err)
			}
			r.stop(t, cancel)
		})
	}
}

func TestRunBothListeners(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	ca := filepath.Join(t.TempDir(), "ca.pem")
	r := startTLSRun(t, ctx, 2, "--tls", "--addr=127.0.0.1:0", "--tls-addr=127.0.0.1:0", "--tls-ca="+ca, "--page-size=1")
	httpBase, httpsBase := r.bases[0], r.bases[1]
	if !strings.HasPrefix(httpBase, "http://127.0.0.1:") || !strings.HasPrefix(httpsBase, "https://127.0.0.1:") || httpBase[7:] == httpsBase[8:] {
		t.Fatalf("stdout lines = %q, want the http URL then the https URL", r.bases)
	}
	plain := newClient(t, nil)
	secure := caClient(t, ca)
	httpSet := firstEntitySet(t, plain, httpBase)
	httpsSet := firstEntitySet(t, secure, httpsBase)

	// POST over http, GET over https: one state.
	a := post(t, plain, httpSet)
	b := post(t, secure, httpsSet)
	for _, id := range []any{a["id"], b["id"]} {
		for _, set := range []struct {
			c   *http.Client
			url string
		}{{plain, httpSet}, {secure, httpsSet}} {
			status, body := get(t, set.c, set.url+"('"+id.(string)+"')")
			if status != http.StatusOK || body["id"] != id {
				t.Errorf("GET %s('%s') = %d %v", set.url, id, status, body)
			}
		}
	}
	// Paging links stay on the scheme of the request.
	for _, set := range []struct {
		c    *http.Client
		url  string
		base string
	}{{plain, httpSet, httpBase}, {secure, httpsSet, httpsBase}} {
		status, page := get(t, set.c, set.url)
		next, _ := page["@odata.nextLink"].(string)
		if status != http.StatusOK || !strings.HasPrefix(next, set.url+"?") {
			t.Fatalf("GET %s: %d, @odata.nextLink %q, want it on %s", set.url, status, next, set.base)
		}
		if status, _ := get(t, set.c, next); status != http.StatusOK {
			t.Errorf("GET %s: %d", next, status)
		}
	}
	logs := r.stderr.String()
	for _, want := range []string{"url=" + httpBase, "url=" + httpsBase} {
		if !strings.Contains(logs, want) {
			t.Errorf("stderr does not log %q:\n%s", want, logs)
		}
	}

	r.stop(t, cancel)
	// Both listeners are closed.
	for _, c := range []struct {
		c    *http.Client
		base string
	}{{plain, httpBase}, {secure, httpsBase}} {
		c.c.Transport.(*http.Transport).CloseIdleConnections()
		if _, err := c.c.Get(c.base + "/v1.0/"); err == nil {
			t.Errorf("GET %s after shutdown succeeded", c.base)
		}
	}
	if !strings.Contains(r.stderr.String(), "stopped") {
		t.Errorf("stderr has no stopped line:\n%s", r.stderr)
	}
}

func TestRunTLSAddrOnly(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	ca := filepath.Join(t.TempDir(), "ca.pem")
	r := startTLSRun(t, ctx, 1, "--tls", "--tls-addr=127.0.0.1:0", "--tls-ca="+ca)
	if !strings.HasPrefix(r.bases[0], "https://127.0.0.1:") {
		t.Fatalf("first stdout line = %q, want https", r.bases[0])
	}
	firstEntitySet(t, caClient(t, ca), r.bases[0])
	if n := strings.Count(r.stderr.String(), "graph-emulator listening"); n != 1 {
		t.Errorf("%d listeners logged, want 1 (no plain HTTP without --addr)", n)
	}
	r.stop(t, cancel)
}

func TestRunTLSDir(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "certs")
	start := func(t *testing.T, extra ...string) (caPEM []byte, leaf *x509.Certificate, logs string) {
		t.Helper()
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		ca := filepath.Join(t.TempDir(), "ca.pem")
		r := startTLSRun(t, ctx, 1, append([]string{"--tls", "--addr=127.0.0.1:0", "--tls-dir=" + dir, "--tls-ca=" + ca}, extra...)...)
		leaf = peerCert(t, caClient(t, ca), r.bases[0])
		r.stop(t, cancel)
		caPEM, err := os.ReadFile(ca)
		if err != nil {
			t.Fatal(err)
		}
		return caPEM, leaf, r.stderr.String()
	}
	ca1, leaf1, logs := start(t)
	if !strings.Contains(logs, "TLS certificates made") {
		t.Errorf("first start does not log that it made certificates:\n%s", logs)
	}
	if kept, err := os.ReadFile(filepath.Join(dir, certs.DirCACert)); err != nil || !bytes.Equal(kept, ca1) {
		t.Errorf("--tls-ca and the CA in --tls-dir differ")
	}
	ca2, leaf2, logs := start(t)
	if !bytes.Equal(ca1, ca2) || !bytes.Equal(leaf1.Raw, leaf2.Raw) {
		t.Errorf("second start with the same --tls-dir serves new certificates")
	}
	if !strings.Contains(logs, "TLS certificates reused") {
		t.Errorf("second start does not log the reuse:\n%s", logs)
	}
	ca3, leaf3, logs := start(t, "--tls-host=graph.local.test")
	if !bytes.Equal(ca1, ca3) || bytes.Equal(leaf1.Raw, leaf3.Raw) {
		t.Errorf("a new --tls-host: CA kept %v, server certificate kept %v; want the CA kept and a new server certificate",
			bytes.Equal(ca1, ca3), bytes.Equal(leaf1.Raw, leaf3.Raw))
	}
	if err := leaf3.VerifyHostname("graph.local.test"); err != nil || !strings.Contains(logs, "does not cover graph.local.test") {
		t.Errorf("new server certificate: %v; logs:\n%s", err, logs)
	}
}

func TestRunTLSCertFiles(t *testing.T) {
	t.Parallel()
	now := time.Now().Truncate(time.Second)
	dir := t.TempDir()
	good, _, err := certs.Kept(dir, certs.DefaultHosts(nil), now)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile, caFile := filepath.Join(dir, certs.DirCert), filepath.Join(dir, certs.DirKey), filepath.Join(dir, certs.DirCACert)

	t.Run("served as given", func(t *testing.T) {
		t.Parallel()
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		r := startTLSRun(t, ctx, 1, "--addr=127.0.0.1:0", "--tls-cert="+certFile, "--tls-key="+keyFile)
		if !strings.HasPrefix(r.bases[0], "https://127.0.0.1:") {
			t.Fatalf("first stdout line = %q, want https", r.bases[0])
		}
		if leaf := peerCert(t, caClient(t, caFile), r.bases[0]); !bytes.Equal(leaf.Raw, good.Leaf().Raw) {
			t.Errorf("served another certificate than --tls-cert")
		}
		if logs := r.stderr.String(); !strings.Contains(logs, "TLS certificate loaded") || strings.Contains(logs, "CA certificate written") {
			t.Errorf("logs:\n%s\nwant the certificate loaded and no CA written", logs)
		}
		r.stop(t, cancel)
	})

	otherDir := t.TempDir()
	if _, _, err := certs.Kept(otherDir, certs.DefaultHosts(nil), now); err != nil {
		t.Fatal(err)
	}
	otherKey := filepath.Join(otherDir, certs.DirKey)
	notPEM := filepath.Join(dir, "not.pem")
	if err := os.WriteFile(notPEM, []byte("hello"), 0o600); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "missing.pem")
	for _, tt := range []struct {
		name      string
		cert, key string
		wantErr   []string
	}{
		{name: "certificate missing", cert: missing, key: keyFile, wantErr: []string{"--tls-cert", missing, "no such file"}},
		{name: "certificate not PEM", cert: notPEM, key: keyFile, wantErr: []string{"--tls-cert " + notPEM, "no PEM CERTIFICATE block"}},
		{name: "key missing", cert: certFile, key: missing, wantErr: []string{"--tls-key", missing, "no such file"}},
		{name: "key not PEM", cert: certFile, key: notPEM, wantErr: []string{"--tls-key " + notPEM, "no PEM private key"}},
		{name: "swapped", cert: keyFile, key: certFile, wantErr: []string{"--tls-cert " + keyFile, "swapped"}},
		{name: "key of another certificate", cert: certFile, key: otherKey, wantErr: []string{"--tls-key " + otherKey + " does not match", certFile}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var stdout bytes.Buffer
			err := run(t.Context(), []string{"--addr=127.0.0.1:0", "--tls-cert=" + tt.cert, "--tls-key=" + tt.key}, env(nil), &stdout, io.Discard)
			if err == nil {
				t.Fatal("run succeeded, want a start-up error")
			}
			for _, w := range tt.wantErr {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
			if stdout.Len() != 0 {
				t.Errorf("stdout = %q, want nothing", stdout.String())
			}
		})
	}
}

func TestRunTLSCAFileErrors(t *testing.T) {
	t.Parallel()
	var stdout bytes.Buffer
	bad := filepath.Join(t.TempDir(), "no-such-dir", "ca.pem")
	err := run(t.Context(), []string{"--tls", "--addr=127.0.0.1:0", "--tls-ca=" + bad}, env(nil), &stdout, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "--tls-ca") || !strings.Contains(err.Error(), "no-such-dir") {
		t.Errorf("run with --tls-ca in a missing directory: %v, want an error naming --tls-ca and the path", err)
	}
	if stdout.Len() != 0 {
		t.Errorf("stdout = %q, want nothing", stdout.String())
	}
}

func TestDefaultCAFile(t *testing.T) {
	t.Parallel()
	if got, want := defaults().tlsCA, filepath.Join(os.TempDir(), "graph-emulator-ca.pem"); got != want {
		t.Errorf("default --tls-ca = %q, want %q", got, want)
	}
	var help bytes.Buffer
	parseFlags([]string{"--help"}, env(nil), &help)
	for _, want := range []string{"(default " + defaultCAFile() + ")", "--tls-addr", "second", "NODE_EXTRA_CA_CERTS", "curl --cacert"} {
		if !strings.Contains(help.String(), want) {
			t.Errorf("--help does not mention %q:\n%s", want, help.String())
		}
	}
}

// TestRunGracefulShutdownBothListeners cancels run while a request is in flight on
// the HTTPS listener: the HTTP listener closes at once, the request completes, and run
// returns nil.
func TestRunGracefulShutdownBothListeners(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	ca := filepath.Join(t.TempDir(), "ca.pem")
	r := startTLSRun(t, ctx, 2, "--tls", "--addr=127.0.0.1:0", "--tls-addr=127.0.0.1:0", "--tls-ca="+ca, "--shutdown-timeout=1m")
	httpBase, httpsBase := r.bases[0], r.bases[1]
	secure := caClient(t, ca)
	secure.Transport.(*http.Transport).ExpectContinueTimeout = waitLimit
	set := firstEntitySet(t, secure, httpsBase)

	req := startInFlight(t, secure, set)

	shuttingDown := r.stderr.seen("shutting down")
	cancel()
	waitFor(t, shuttingDown, `the "shutting down" log`)
	// The HTTP listener closes while the HTTPS request is still in flight.
	closed := false
	for deadline := time.Now().Add(waitLimit); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		conn, err := net.Dial("tcp", strings.TrimPrefix(httpBase, "http://"))
		if err != nil {
			closed = true
			break
		}
		conn.Close()
	}
	if !closed {
		t.Errorf("the HTTP listener stays open during shutdown")
	}
	select {
	case res := <-req.result:
		t.Fatalf("the in-flight request ended before its body was sent: %+v", res)
	default:
	}
	if res := req.finish(t, `{}`); res.err != nil || res.status != http.StatusCreated {
		t.Errorf("in-flight POST over HTTPS: %d %v, want 201", res.status, res.err)
	}
	r.stop(t, func() {})
}
