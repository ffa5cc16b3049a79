package certs_test

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/graph-emulator/graph-emulator/emulator/certs"
)

// A server certificate for the loopback names and one more, served over HTTPS, and a
// client that trusts the generated CA and nothing else.
func ExampleGenerate() {
	host, err := certs.NormalizeHost("Graph.Local.Test")
	if err != nil {
		panic(err)
	}
	set, err := certs.Generate(certs.DefaultHosts([]string{host}), time.Now())
	if err != nil {
		panic(err)
	}
	fmt.Println(certs.Names(set.Leaf()))

	ts := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "hello over TLS")
	}))
	ts.TLS = &tls.Config{Certificates: []tls.Certificate{set.TLSCertificate()}}
	ts.StartTLS()
	defer ts.Close()

	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(set.CAPEM())
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}}}
	resp, err := client.Get(ts.URL)
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	fmt.Println(resp.Status, string(body))
	// Output:
	// [localhost graph.local.test 127.0.0.1 ::1]
	// 200 OK hello over TLS
}
