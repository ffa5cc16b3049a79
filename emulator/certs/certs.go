package certs

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha1"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"math/big"
	"net"
	"time"
)

const (
	// Validity is how long a generated CA or server certificate is valid.
	Validity = 7 * 24 * time.Hour
	// backdate puts NotBefore a little in the past, so that a client whose clock is
	// behind the emulator's still accepts a certificate made a moment ago.
	backdate = time.Hour
)

// A Set is a CA and a server certificate it signed, with their keys and PEM forms.
type Set struct {
	ca         *x509.Certificate
	caKey      *ecdsa.PrivateKey
	caPEM      []byte
	caKeyPEM   []byte
	leaf       *x509.Certificate
	leafPEM    []byte
	leafKey    *ecdsa.PrivateKey
	leafKeyPEM []byte
}

// TLSCertificate returns the server certificate as crypto/tls serves it: the leaf
// alone, as clients verify it against the CA they were given (a root sent along is
// never used).
func (s *Set) TLSCertificate() tls.Certificate {
	return tls.Certificate{
		Certificate: [][]byte{s.leaf.Raw},
		PrivateKey:  s.leafKey,
		Leaf:        s.leaf,
	}
}

// CAPEM returns the CA certificate in PEM, for clients to trust.
func (s *Set) CAPEM() []byte { return s.caPEM }

// Leaf returns the server certificate.
func (s *Set) Leaf() *x509.Certificate { return s.leaf }

// Generate makes a new CA and a server certificate it signs for hosts (normalised
// names and addresses, see DefaultHosts), both with ECDSA P-256 keys and valid from an
// hour before now for Validity.
func Generate(hosts []string, now time.Time) (*Set, error) {
	ca, caKey, err := newCA(now)
	if err != nil {
		return nil, fmt.Errorf("making the CA certificate: %w", err)
	}
	caKeyPEM, err := encodeKey(caKey)
	if err != nil {
		return nil, err
	}
	s := &Set{ca: ca, caKey: caKey, caPEM: CertPEM(ca), caKeyPEM: caKeyPEM}
	if err := s.issue(hosts, now); err != nil {
		return nil, err
	}
	return s, nil
}

// issue completes s with a new server certificate for hosts signed by s's CA.
func (s *Set) issue(hosts []string, now time.Time) error {
	leaf, key, err := newLeaf(s.ca, s.caKey, hosts, now)
	if err != nil {
		return fmt.Errorf("making the server certificate: %w", err)
	}
	keyPEM, err := encodeKey(key)
	if err != nil {
		return err
	}
	s.leaf, s.leafKey, s.leafPEM, s.leafKeyPEM = leaf, key, CertPEM(leaf), keyPEM
	return nil
}

// newSerial returns a random positive 128-bit serial number.
func newSerial() (*big.Int, error) {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 128))
	if err != nil {
		return nil, err
	}
	return n.Add(n, big.NewInt(1)), nil
}

// keyID is the subject key identifier of a public key: a SHA-1 as RFC 5280 4.2.1.2 suggests.
func keyID(pub *ecdsa.PublicKey) ([]byte, error) {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil, err
	}
	sum := sha1.Sum(der) // of the whole SubjectPublicKeyInfo: as unique, and simpler

	return sum[:], nil
}

// newCA makes a CA certificate valid from now-backdate to now+Validity.
func newCA(now time.Time) (*x509.Certificate, *ecdsa.PrivateKey, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	serial, err := newSerial()
	if err != nil {
		return nil, nil, err
	}
	ski, err := keyID(&key.PublicKey)
	if err != nil {
		return nil, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject: pkix.Name{
			Organization: []string{"graph-emulator (testing only)"},
			// Distinct names keep trust stores from confusing the CAs of two runs.
			CommonName: fmt.Sprintf("graph-emulator local CA %s %x", now.UTC().Format("2006-01-02T15:04:05Z"), ski[:4]),
		},
		NotBefore:             now.Add(-backdate),
		NotAfter:              now.Add(Validity),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
		SubjectKeyId:          ski,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, nil, err
	}
	return cert, key, nil
}

// newLeaf makes a server certificate for hosts signed by ca, valid from now-backdate
// to now+Validity or the CA's end, whichever comes first.
func newLeaf(ca *x509.Certificate, caKey crypto.Signer, hosts []string, now time.Time) (*x509.Certificate, *ecdsa.PrivateKey, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	serial, err := newSerial()
	if err != nil {
		return nil, nil, err
	}
	ski, err := keyID(&key.PublicKey)
	if err != nil {
		return nil, nil, err
	}
	notAfter := now.Add(Validity)
	if ca.NotAfter.Before(notAfter) {
		notAfter = ca.NotAfter
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{Organization: []string{"graph-emulator (testing only)"}, CommonName: "graph-emulator"},
		NotBefore:             now.Add(-backdate),
		NotAfter:              notAfter,
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		SubjectKeyId:          ski,
	}
	for _, h := range hosts {
		if ip := net.ParseIP(h); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, h)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		return nil, nil, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, nil, err
	}
	return cert, key, nil
}
