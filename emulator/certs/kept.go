package certs

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// ReuseMargin is the least time a kept certificate must still be valid for Kept to
// reuse it; one closer to its end is made anew.
const ReuseMargin = time.Hour

// The files Kept keeps in its directory, all PEM.
const (
	DirCACert = "ca.pem"     // the CA certificate
	DirCAKey  = "ca-key.pem" // the CA's private key (PKCS #8), mode 0600
	DirCert   = "cert.pem"   // the server certificate
	DirKey    = "key.pem"    // the server's private key (PKCS #8), mode 0600
)

// Kept returns the certificates kept in dir when they are still valid for ReuseMargin
// after now and the server certificate covers hosts; otherwise it makes new ones
// (keeping the CA when only the server certificate needs replacing) and writes them to
// dir, which it creates (mode 0700) if needed. made says what was made anew and why,
// "" when everything was reused.
func Kept(dir string, hosts []string, now time.Time) (s *Set, made string, err error) {
	s, leafOK, why := loadKept(dir, hosts, now)
	if leafOK {
		return s, "", nil
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, "", fmt.Errorf("--tls-dir: %w", err)
	}
	if s == nil {
		if s, err = Generate(hosts, now); err != nil {
			return nil, "", err
		}
		made = "new CA and server certificate (" + why + ")"
		if err := WriteFileAtomic(filepath.Join(dir, DirCAKey), s.caKeyPEM, 0o600); err != nil {
			return nil, "", fmt.Errorf("--tls-dir: %w", err)
		}
		if err := WriteFileAtomic(filepath.Join(dir, DirCACert), s.caPEM, 0o644); err != nil {
			return nil, "", fmt.Errorf("--tls-dir: %w", err)
		}
	} else {
		if err := s.issue(hosts, now); err != nil {
			return nil, "", err
		}
		made = "new server certificate from the kept CA (" + why + ")"
	}
	if err := WriteFileAtomic(filepath.Join(dir, DirKey), s.leafKeyPEM, 0o600); err != nil {
		return nil, "", fmt.Errorf("--tls-dir: %w", err)
	}
	if err := WriteFileAtomic(filepath.Join(dir, DirCert), s.leafPEM, 0o644); err != nil {
		return nil, "", fmt.Errorf("--tls-dir: %w", err)
	}
	return s, made, nil
}

// loadKept reads the certificates kept in dir and says why they may not be reused:
// s is nil when the CA must be made anew, leafOK is false when only the server
// certificate must be.
func loadKept(dir string, hosts []string, now time.Time) (s *Set, leafOK bool, why string) {
	ca, caPEM, caKey, caKeyPEM, err := readCertAndKey(filepath.Join(dir, DirCACert), filepath.Join(dir, DirCAKey))
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, false, "no CA kept yet"
		}
		return nil, false, "CA unusable: " + err.Error()
	}
	ecKey, ok := caKey.(*ecdsa.PrivateKey)
	switch {
	case !ok:
		return nil, false, "CA key is not ECDSA"
	case !ca.IsCA || ca.KeyUsage&x509.KeyUsageCertSign == 0:
		return nil, false, "CA certificate is not a CA"
	}
	if why := validFor(ca, now); why != "" {
		return nil, false, "CA " + why
	}
	s = &Set{ca: ca, caKey: ecKey, caPEM: caPEM, caKeyPEM: caKeyPEM}

	leaf, leafPEM, leafKey, leafKeyPEM, err := readCertAndKey(filepath.Join(dir, DirCert), filepath.Join(dir, DirKey))
	if err != nil {
		return s, false, "server certificate unusable: " + err.Error()
	}
	ecLeafKey, ok := leafKey.(*ecdsa.PrivateKey)
	if !ok {
		return s, false, "server key is not ECDSA"
	}
	if why := validFor(leaf, now); why != "" {
		return s, false, "server certificate " + why
	}
	roots := x509.NewCertPool()
	roots.AddCert(ca)
	if _, err := leaf.Verify(x509.VerifyOptions{Roots: roots, CurrentTime: now,
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}); err != nil {
		return s, false, "server certificate not signed by the kept CA: " + err.Error()
	}
	for _, h := range hosts {
		if err := leaf.VerifyHostname(h); err != nil {
			return s, false, "server certificate does not cover " + h
		}
	}
	s.leaf, s.leafPEM, s.leafKey, s.leafKeyPEM = leaf, leafPEM, ecLeafKey, leafKeyPEM
	return s, true, ""
}

// validFor reports why cert is not valid from now until now+ReuseMargin, or "".
func validFor(cert *x509.Certificate, now time.Time) string {
	switch {
	case now.Before(cert.NotBefore):
		return "not valid before " + cert.NotBefore.UTC().Format(time.RFC3339)
	case now.Add(ReuseMargin).After(cert.NotAfter):
		return "expired or expiring at " + cert.NotAfter.UTC().Format(time.RFC3339)
	}
	return ""
}

// readCertAndKey reads a PEM certificate and a PEM private key and checks that they
// belong together. Messages name the file at fault.
func readCertAndKey(certFile, keyFile string) (*x509.Certificate, []byte, crypto.Signer, []byte, error) {
	certPEM, err := os.ReadFile(certFile)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	certs, err := parseCertsPEM(certPEM)
	if err != nil {
		return nil, nil, nil, nil, fmt.Errorf("%s: %w", certFile, err)
	}
	keyPEM, err := os.ReadFile(keyFile)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	key, err := parseKeyPEM(keyPEM)
	if err != nil {
		return nil, nil, nil, nil, fmt.Errorf("%s: %w", keyFile, err)
	}
	if !publicKeyMatches(certs[0], key) {
		return nil, nil, nil, nil, fmt.Errorf("%s: the private key does not match the certificate in %s", keyFile, certFile)
	}
	return certs[0], certPEM, key, keyPEM, nil
}
