package certs

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// certFiles writes a certificate and key as PEM files in dir and returns their names.
func certFiles(t *testing.T, dir string, certPEM, keyPEM []byte) (string, string) {
	t.Helper()
	certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, certPEM, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, keyPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	return certFile, keyFile
}

func TestLoadFiles(t *testing.T) {
	t.Parallel()
	now := time.Now().Truncate(time.Second)
	good, err := Generate(DefaultHosts(nil), now)
	if err != nil {
		t.Fatal(err)
	}
	other, err := Generate(DefaultHosts(nil), now)
	if err != nil {
		t.Fatal(err)
	}
	expired, err := Generate(DefaultHosts(nil), now.Add(-30*24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	future, err := Generate(DefaultHosts(nil), now.Add(30*24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	ecDER, err := x509.MarshalECPrivateKey(good.leafKey)
	if err != nil {
		t.Fatal(err)
	}
	sec1 := pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: ecDER})
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	rsaTmpl := &x509.Certificate{SerialNumber: good.leaf.SerialNumber, NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour),
		DNSNames: []string{"localhost"}, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	rsaDER, err := x509.CreateCertificate(rand.Reader, rsaTmpl, good.ca, &rsaKey.PublicKey, good.caKey)
	if err != nil {
		t.Fatal(err)
	}
	rsaCert := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: rsaDER})
	rsaPKCS1 := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(rsaKey)})
	chain := append(slices.Clone(good.leafPEM), good.caPEM...)

	tests := []struct {
		name      string
		cert, key []byte
		noCert    bool // the certificate file does not exist
		noKey     bool
		chainLen  int
		wantErr   []string // "{cert}" and "{key}" stand for the file names
	}{
		{name: "PKCS #8 key", cert: good.leafPEM, key: good.leafKeyPEM, chainLen: 1},
		{name: "SEC 1 key", cert: good.leafPEM, key: sec1, chainLen: 1},
		{name: "RSA PKCS #1 key", cert: rsaCert, key: rsaPKCS1, chainLen: 1},
		{name: "chain with the CA", cert: chain, key: good.leafKeyPEM, chainLen: 2},
		{name: "text around the blocks", cert: append([]byte("subject=CN graph\n"), good.leafPEM...), key: append([]byte("# key\n"), good.leafKeyPEM...), chainLen: 1},
		{name: "certificate file missing", noCert: true, key: good.leafKeyPEM, wantErr: []string{"--tls-cert", "{cert}", "no such file"}},
		{name: "key file missing", cert: good.leafPEM, noKey: true, wantErr: []string{"--tls-key", "{key}", "no such file"}},
		{name: "certificate not PEM", cert: []byte("hello"), key: good.leafKeyPEM, wantErr: []string{"--tls-cert {cert}", "no PEM CERTIFICATE block"}},
		{name: "certificate empty", cert: []byte{}, key: good.leafKeyPEM, wantErr: []string{"--tls-cert {cert}", "no PEM CERTIFICATE block"}},
		{name: "certificate DER garbage", cert: []byte("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"), key: good.leafKeyPEM,
			wantErr: []string{"--tls-cert {cert}", "certificate 1"}},
		{name: "files swapped", cert: good.leafKeyPEM, key: good.leafPEM, wantErr: []string{"--tls-cert {cert}", "PRIVATE KEY", "swapped"}},
		{name: "key file holds a certificate", cert: good.leafPEM, key: good.caPEM, wantErr: []string{"--tls-key {key}", "no private key", "swapped"}},
		{name: "key not PEM", cert: good.leafPEM, key: []byte("secret"), wantErr: []string{"--tls-key {key}", "no PEM private key"}},
		{name: "key DER garbage", cert: good.leafPEM, key: []byte("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"),
			wantErr: []string{"--tls-key {key}", "PRIVATE KEY block"}},
		{name: "key encrypted", cert: good.leafPEM, key: []byte("-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n"),
			wantErr: []string{"--tls-key {key}", "encrypted"}},
		{name: "key of another certificate", cert: good.leafPEM, key: other.leafKeyPEM, wantErr: []string{"--tls-key {key} does not match", "--tls-cert {cert}"}},
		{name: "CA first in the chain", cert: append(slices.Clone(good.caPEM), good.leafPEM...), key: good.leafKeyPEM,
			wantErr: []string{"does not match", "first certificate must be the server's"}},
		{name: "certificate expired", cert: expired.leafPEM, key: expired.leafKeyPEM, wantErr: []string{"--tls-cert {cert}", "expired at"}},
		{name: "certificate not yet valid", cert: future.leafPEM, key: future.leafKeyPEM, wantErr: []string{"--tls-cert {cert}", "not valid before"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			certFile, keyFile := certFiles(t, dir, tt.cert, tt.key)
			if tt.noCert {
				os.Remove(certFile)
			}
			if tt.noKey {
				os.Remove(keyFile)
			}
			got, err := LoadFiles(certFile, keyFile, now)
			if len(tt.wantErr) == 0 {
				if err != nil {
					t.Fatalf("LoadFiles: %v", err)
				}
				if len(got.Certificate) != tt.chainLen || got.Leaf == nil || !bytes.Equal(got.Certificate[0], got.Leaf.Raw) {
					t.Errorf("chain of %d certificates, leaf %v; want %d", len(got.Certificate), got.Leaf != nil, tt.chainLen)
				}
				return
			}
			if err == nil {
				t.Fatalf("LoadFiles succeeded, want an error")
			}
			for _, w := range tt.wantErr {
				w = strings.NewReplacer("{cert}", certFile, "{key}", keyFile).Replace(w)
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}
