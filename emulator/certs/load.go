package certs

import (
	"crypto/tls"
	"fmt"
	"os"
	"time"
)

// LoadFiles reads a PEM certificate chain (the server's certificate first, then any
// intermediates) and its PEM private key (PKCS #8, SEC 1 or PKCS #1) for serving: the
// chain as given, and the key. A file that cannot be read or parsed, a key that does
// not match, or a certificate outside its validity period at now is an error naming
// the file.
func LoadFiles(certFile, keyFile string, now time.Time) (tls.Certificate, error) {
	certPEM, err := os.ReadFile(certFile)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("--tls-cert: %w", err)
	}
	certs, err := parseCertsPEM(certPEM)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("--tls-cert %s: %w", certFile, err)
	}
	keyPEM, err := os.ReadFile(keyFile)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("--tls-key: %w", err)
	}
	key, err := parseKeyPEM(keyPEM)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("--tls-key %s: %w", keyFile, err)
	}
	leaf := certs[0]
	if !publicKeyMatches(leaf, key) {
		return tls.Certificate{}, fmt.Errorf("--tls-key %s does not match the certificate in --tls-cert %s (the first certificate must be the server's)", keyFile, certFile)
	}
	switch {
	case now.Before(leaf.NotBefore):
		return tls.Certificate{}, fmt.Errorf("--tls-cert %s: certificate not valid before %s", certFile, leaf.NotBefore.UTC().Format(time.RFC3339))
	case now.After(leaf.NotAfter):
		return tls.Certificate{}, fmt.Errorf("--tls-cert %s: certificate expired at %s", certFile, leaf.NotAfter.UTC().Format(time.RFC3339))
	}
	tc := tls.Certificate{PrivateKey: key, Leaf: leaf}
	for _, c := range certs {
		tc.Certificate = append(tc.Certificate, c.Raw)
	}
	return tc, nil
}
