package certs

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/x509"
	"slices"
	"testing"
	"time"
)

// testNow is a fixed instant with whole seconds, as certificates store them.
var testNow = time.Date(2030, 4, 5, 6, 7, 8, 0, time.UTC)

// checkCA checks that c is a CA certificate of ours valid from now-backdate for
// Validity.
func checkCA(t *testing.T, c *x509.Certificate, now time.Time) {
	t.Helper()
	if !c.IsCA || !c.BasicConstraintsValid || c.MaxPathLen != 0 || !c.MaxPathLenZero {
		t.Errorf("CA: IsCA=%v BasicConstraintsValid=%v MaxPathLen=%d, want a CA that signs only leaves",
			c.IsCA, c.BasicConstraintsValid, c.MaxPathLen)
	}
	if c.KeyUsage&x509.KeyUsageCertSign == 0 {
		t.Errorf("CA key usage %b lacks KeyUsageCertSign", c.KeyUsage)
	}
	if err := c.CheckSignatureFrom(c); err != nil {
		t.Errorf("CA is not self-signed: %v", err)
	}
	if pub, ok := c.PublicKey.(*ecdsa.PublicKey); !ok || pub.Curve != elliptic.P256() {
		t.Errorf("CA key is %T, want ECDSA P-256", c.PublicKey)
	}
	if !c.NotBefore.Equal(now.Add(-backdate)) || !c.NotAfter.Equal(now.Add(Validity)) {
		t.Errorf("CA valid %v to %v, want %v to %v", c.NotBefore, c.NotAfter, now.Add(-backdate), now.Add(Validity))
	}
	if len(c.SubjectKeyId) == 0 {
		t.Errorf("CA has no subject key identifier")
	}
}

// checkLeaf checks that leaf is a server certificate for exactly hosts signed by ca.
func checkLeaf(t *testing.T, leaf, ca *x509.Certificate, hosts []string, now time.Time) {
	t.Helper()
	if leaf.IsCA {
		t.Errorf("server certificate is a CA")
	}
	if leaf.KeyUsage != x509.KeyUsageDigitalSignature || !slices.Equal(leaf.ExtKeyUsage, []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}) {
		t.Errorf("server certificate usage %b %v, want DigitalSignature and ServerAuth", leaf.KeyUsage, leaf.ExtKeyUsage)
	}
	if pub, ok := leaf.PublicKey.(*ecdsa.PublicKey); !ok || pub.Curve != elliptic.P256() {
		t.Errorf("server key is %T, want ECDSA P-256", leaf.PublicKey)
	}
	if got := Names(leaf); !slices.Equal(sortedCopy(got), sortedCopy(hosts)) {
		t.Errorf("server certificate SANs = %q, want %q", got, hosts)
	}
	if !leaf.NotBefore.Equal(now.Add(-backdate)) || leaf.NotAfter.After(ca.NotAfter) || leaf.NotAfter.After(now.Add(Validity)) {
		t.Errorf("server certificate valid %v to %v (CA until %v), want from %v to at most %v",
			leaf.NotBefore, leaf.NotAfter, ca.NotAfter, now.Add(-backdate), now.Add(Validity))
	}
	roots := x509.NewCertPool()
	roots.AddCert(ca)
	for _, h := range hosts {
		if _, err := leaf.Verify(x509.VerifyOptions{Roots: roots, DNSName: h, CurrentTime: now}); err != nil {
			t.Errorf("server certificate does not verify for %s: %v", h, err)
		}
	}
	if _, err := leaf.Verify(x509.VerifyOptions{Roots: roots, DNSName: "example.com", CurrentTime: now}); err == nil {
		t.Errorf("server certificate verifies for example.com, a name it was not made for")
	}
	for _, at := range []time.Time{now.Add(-backdate - time.Minute), leaf.NotAfter.Add(time.Minute)} {
		if _, err := leaf.Verify(x509.VerifyOptions{Roots: roots, DNSName: "localhost", CurrentTime: at}); err == nil {
			t.Errorf("server certificate verifies at %v, outside its validity", at)
		}
	}
}

func sortedCopy(s []string) []string {
	c := slices.Clone(s)
	slices.Sort(c)
	return c
}

func TestGenerate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		extra []string
		want  []string
	}{
		{name: "loopback only", want: []string{"localhost", "127.0.0.1", "::1"}},
		{name: "extra names and addresses", extra: []string{"graph.local.test", "192.0.2.10", "2001:db8::1", "*.apps.test"},
			want: []string{"localhost", "127.0.0.1", "::1", "graph.local.test", "192.0.2.10", "2001:db8::1", "*.apps.test"}},
		{name: "loopback repeated", extra: []string{"localhost", "::1"}, want: []string{"localhost", "127.0.0.1", "::1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			hosts := DefaultHosts(tt.extra)
			if !slices.Equal(hosts, tt.want) {
				t.Fatalf("DefaultHosts(%q) = %q, want %q", tt.extra, hosts, tt.want)
			}
			c, err := Generate(hosts, testNow)
			if err != nil {
				t.Fatal(err)
			}
			checkCA(t, c.ca, testNow)
			checkLeaf(t, c.Leaf(), c.ca, hosts, testNow)
			if tt.extra != nil && slices.Contains(tt.extra, "*.apps.test") {
				if err := c.Leaf().VerifyHostname("web.apps.test"); err != nil {
					t.Errorf("wildcard not honoured: %v", err)
				}
			}
			// The PEM forms are the same certificates and keys.
			if got, err := parseCertsPEM(c.CAPEM()); err != nil || !got[0].Equal(c.ca) {
				t.Errorf("CAPEM does not hold the CA: %v", err)
			}
			if got, err := parseCertsPEM(c.leafPEM); err != nil || !got[0].Equal(c.leaf) {
				t.Errorf("leafPEM does not hold the server certificate: %v", err)
			}
			if k, err := parseKeyPEM(c.leafKeyPEM); err != nil || !publicKeyMatches(c.leaf, k) {
				t.Errorf("leafKeyPEM is not the server key: %v", err)
			}
			if k, err := parseKeyPEM(c.caKeyPEM); err != nil || !publicKeyMatches(c.ca, k) {
				t.Errorf("caKeyPEM is not the CA key: %v", err)
			}
			tc := c.TLSCertificate()
			if len(tc.Certificate) != 1 || !bytes.Equal(tc.Certificate[0], c.leaf.Raw) || tc.Leaf != c.leaf || tc.PrivateKey != c.leafKey {
				t.Errorf("tls.Certificate is not the server certificate alone with its key")
			}
		})
	}
	// Each run makes a CA of its own.
	a, errA := Generate(DefaultHosts(nil), testNow)
	b, errB := Generate(DefaultHosts(nil), testNow)
	if errA != nil || errB != nil {
		t.Fatal(errA, errB)
	}
	if bytes.Equal(a.caPEM, b.caPEM) || a.ca.SerialNumber.Cmp(b.ca.SerialNumber) == 0 || a.ca.Subject.CommonName == b.ca.Subject.CommonName {
		t.Errorf("two generated CAs share a certificate, serial or name")
	}
	if a.ca.Subject.String() == a.leaf.Subject.String() {
		t.Errorf("CA and server certificate have the same subject %q", a.ca.Subject)
	}
}
