package main

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha1"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// HTTPS with certificates made at start.
//
// --tls makes a certificate authority that lives for one run (or for as long as --tls-dir
// keeps it) and a server certificate signed by it, for the loopback names and addresses
// and any --tls-host. Clients trust the CA certificate, written to --tls-ca; its private
// key never leaves memory unless --tls-dir asks to keep it.

const (
	// certValidity is how long a generated CA or server certificate is valid.
	certValidity = 7 * 24 * time.Hour
	// certBackdate puts NotBefore a little in the past, so that a client whose clock
	// is behind the emulator's still accepts a certificate made a moment ago.
	certBackdate = time.Hour
	// reuseMargin is the least time a kept certificate must still be valid for --tls-dir
	// to reuse it; one closer to its end is made anew.
	reuseMargin = time.Hour
	// caFileName is the default --tls-ca, in os.TempDir().
	caFileName = "graph-emulator-ca.pem"
)

// The files of --tls-dir.
const (
	dirCACert = "ca.pem"
	dirCAKey  = "ca-key.pem"
	dirCert   = "cert.pem"
	dirKey    = "key.pem"
)

// defaultCAFile is the default of --tls-ca.
func defaultCAFile() string { return filepath.Join(os.TempDir(), caFileName) }

// normalizeHost checks one --tls-host value and returns it in the form a certificate
// holds: an IP address (IPv6 with or without brackets) or a DNS name, lower case, that
// may start with the wildcard label "*.".
func normalizeHost(s string) (string, error) {
	h := strings.TrimSpace(s)
	if h == "" {
		return "", errors.New("empty host name")
	}
	if ip := net.ParseIP(strings.TrimSuffix(strings.TrimPrefix(h, "["), "]")); ip != nil {
		return ip.String(), nil
	}
	h = strings.ToLower(strings.TrimSuffix(h, "."))
	if len(h) > 253 {
		return "", fmt.Errorf("host name %q is longer than 253 characters", s)
	}
	for i, label := range strings.Split(h, ".") {
		if label == "*" && i == 0 && strings.Contains(h, ".") {
			continue
		}
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return "", fmt.Errorf("%q is not a host name or IP address (want a name such as host.test, without scheme or port)", s)
		}
		for _, c := range label {
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				return "", fmt.Errorf("%q is not a host name or IP address (want a name such as host.test, without scheme or port)", s)
			}
		}
	}
	return h, nil
}

// certHosts returns the names and addresses a generated server certificate covers: the
// loopback ones (always), then extra, without duplicates. extra must be normalised.
func certHosts(extra []string) []string {
	hosts := []string{"localhost", "127.0.0.1", "::1"}
	for _, h := range extra {
		if !slices.Contains(hosts, h) {
			hosts = append(hosts, h)
		}
	}
	return hosts
}

// certSet is a CA and a server certificate it signed, with their PEM forms.
type certSet struct {
	ca         *x509.Certificate
	caKey      *ecdsa.PrivateKey
	caPEM      []byte
	caKeyPEM   []byte
	leaf       *x509.Certificate
	leafPEM    []byte
	leafKey    *ecdsa.PrivateKey
	leafKeyPEM []byte
}

// tlsCertificate is the server certificate as crypto/tls serves it: the leaf alone, as
// clients verify it against the CA they were given (a root sent along is never used).
func (c *certSet) tlsCertificate() tls.Certificate {
	return tls.Certificate{
		Certificate: [][]byte{c.leaf.Raw},
		PrivateKey:  c.leafKey,
		Leaf:        c.leaf,
	}
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

// newCA makes a CA certificate valid from now-certBackdate to now+certValidity.
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
		NotBefore:             now.Add(-certBackdate),
		NotAfter:              now.Add(certValidity),
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

// newLeaf makes a server certificate for hosts signed by ca, valid from now-certBackdate
// to now+certValidity or the CA's end, whichever comes first.
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
	notAfter := now.Add(certValidity)
	if ca.NotAfter.Before(notAfter) {
		notAfter = ca.NotAfter
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{Organization: []string{"graph-emulator (testing only)"}, CommonName: "graph-emulator"},
		NotBefore:             now.Add(-certBackdate),
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

func encodeCert(c *x509.Certificate) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})
}

func encodeKey(k *ecdsa.PrivateKey) ([]byte, error) {
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
}

// issue completes c with a new server certificate for hosts signed by c's CA.
func (c *certSet) issue(hosts []string, now time.Time) error {
	leaf, key, err := newLeaf(c.ca, c.caKey, hosts, now)
	if err != nil {
		return fmt.Errorf("making the server certificate: %w", err)
	}
	keyPEM, err := encodeKey(key)
	if err != nil {
		return err
	}
	c.leaf, c.leafKey, c.leafPEM, c.leafKeyPEM = leaf, key, encodeCert(leaf), keyPEM
	return nil
}

// generateCerts makes a new CA and a server certificate for hosts.
func generateCerts(hosts []string, now time.Time) (*certSet, error) {
	ca, caKey, err := newCA(now)
	if err != nil {
		return nil, fmt.Errorf("making the CA certificate: %w", err)
	}
	caKeyPEM, err := encodeKey(caKey)
	if err != nil {
		return nil, err
	}
	c := &certSet{ca: ca, caKey: caKey, caPEM: encodeCert(ca), caKeyPEM: caKeyPEM}
	if err := c.issue(hosts, now); err != nil {
		return nil, err
	}
	return c, nil
}

// validFor reports why cert is not valid from now until now+reuseMargin, or "".
func validFor(cert *x509.Certificate, now time.Time) string {
	switch {
	case now.Before(cert.NotBefore):
		return "not valid before " + cert.NotBefore.UTC().Format(time.RFC3339)
	case now.Add(reuseMargin).After(cert.NotAfter):
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

// loadKept reads the certificates kept in dir and says why they may not be reused:
// ca is nil when the CA must be made anew, leaf is false when only the server
// certificate must be.
func loadKept(dir string, hosts []string, now time.Time) (c *certSet, leafOK bool, why string) {
	ca, caPEM, caKey, caKeyPEM, err := readCertAndKey(filepath.Join(dir, dirCACert), filepath.Join(dir, dirCAKey))
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
	c = &certSet{ca: ca, caKey: ecKey, caPEM: caPEM, caKeyPEM: caKeyPEM}

	leaf, leafPEM, leafKey, leafKeyPEM, err := readCertAndKey(filepath.Join(dir, dirCert), filepath.Join(dir, dirKey))
	if err != nil {
		return c, false, "server certificate unusable: " + err.Error()
	}
	ecLeafKey, ok := leafKey.(*ecdsa.PrivateKey)
	if !ok {
		return c, false, "server key is not ECDSA"
	}
	if why := validFor(leaf, now); why != "" {
		return c, false, "server certificate " + why
	}
	roots := x509.NewCertPool()
	roots.AddCert(ca)
	if _, err := leaf.Verify(x509.VerifyOptions{Roots: roots, CurrentTime: now,
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}); err != nil {
		return c, false, "server certificate not signed by the kept CA: " + err.Error()
	}
	for _, h := range hosts {
		if err := leaf.VerifyHostname(h); err != nil {
			return c, false, "server certificate does not cover " + h
		}
	}
	c.leaf, c.leafPEM, c.leafKey, c.leafKeyPEM = leaf, leafPEM, ecLeafKey, leafKeyPEM
	return c, true, ""
}

// keptCerts returns the certificates kept in dir when they are still valid for
// reuseMargin and cover hosts; otherwise it makes new ones (keeping the CA when only
// the server certificate needs replacing) and writes them to dir. made says what was
// made anew and why, "" when everything was reused.
func keptCerts(dir string, hosts []string, now time.Time) (c *certSet, made string, err error) {
	c, leafOK, why := loadKept(dir, hosts, now)
	if leafOK {
		return c, "", nil
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, "", fmt.Errorf("--tls-dir: %w", err)
	}
	if c == nil {
		if c, err = generateCerts(hosts, now); err != nil {
			return nil, "", err
		}
		made = "new CA and server certificate (" + why + ")"
		if err := writeFileAtomic(filepath.Join(dir, dirCAKey), c.caKeyPEM, 0o600); err != nil {
			return nil, "", fmt.Errorf("--tls-dir: %w", err)
		}
		if err := writeFileAtomic(filepath.Join(dir, dirCACert), c.caPEM, 0o644); err != nil {
			return nil, "", fmt.Errorf("--tls-dir: %w", err)
		}
	} else {
		if err := c.issue(hosts, now); err != nil {
			return nil, "", err
		}
		made = "new server certificate from the kept CA (" + why + ")"
	}
	if err := writeFileAtomic(filepath.Join(dir, dirKey), c.leafKeyPEM, 0o600); err != nil {
		return nil, "", fmt.Errorf("--tls-dir: %w", err)
	}
	if err := writeFileAtomic(filepath.Join(dir, dirCert), c.leafPEM, 0o644); err != nil {
		return nil, "", fmt.Errorf("--tls-dir: %w", err)
	}
	return c, made, nil
}

// writeFileAtomic writes data to name through a temporary file in the same directory
// and a rename, so that a reader sees the old content or the new, never a part.
func writeFileAtomic(name string, data []byte, perm os.FileMode) (err error) {
	f, err := os.CreateTemp(filepath.Dir(name), "."+filepath.Base(name)+".*.tmp")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if err = f.Chmod(perm); err != nil {
		return err
	}
	if _, err = f.Write(data); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), name)
}

// parseCertsPEM returns the certificates of the CERTIFICATE blocks in data, leaf first.
func parseCertsPEM(data []byte) ([]*x509.Certificate, error) {
	var certs []*x509.Certificate
	for rest := data; ; {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		if b.Type != "CERTIFICATE" {
			if strings.Contains(b.Type, "PRIVATE KEY") {
				return nil, fmt.Errorf("holds a %s where a certificate was expected (are --tls-cert and --tls-key swapped?)", b.Type)
			}
			continue
		}
		c, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			return nil, fmt.Errorf("certificate %d: %w", len(certs)+1, err)
		}
		certs = append(certs, c)
	}
	if len(certs) == 0 {
		return nil, errors.New("no PEM CERTIFICATE block found (want a PEM file starting with -----BEGIN CERTIFICATE-----)")
	}
	return certs, nil
}

// parseKeyPEM returns the private key of the first PEM key block in data: PKCS #8,
// SEC 1 (EC PRIVATE KEY) or PKCS #1 (RSA PRIVATE KEY).
func parseKeyPEM(data []byte) (crypto.Signer, error) {
	sawCert := false
	for rest := data; ; {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		var (
			k   any
			err error
		)
		switch b.Type {
		case "PRIVATE KEY":
			k, err = x509.ParsePKCS8PrivateKey(b.Bytes)
		case "EC PRIVATE KEY":
			k, err = x509.ParseECPrivateKey(b.Bytes)
		case "RSA PRIVATE KEY":
			k, err = x509.ParsePKCS1PrivateKey(b.Bytes)
		case "CERTIFICATE":
			sawCert = true
			continue
		case "ENCRYPTED PRIVATE KEY":
			return nil, errors.New("the private key is encrypted; give an unencrypted key")
		default:
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("%s block: %w", b.Type, err)
		}
		s, ok := k.(crypto.Signer)
		if !ok {
			return nil, fmt.Errorf("unsupported private key type %T", k)
		}
		return s, nil
	}
	if sawCert {
		return nil, errors.New("holds a certificate but no private key (are --tls-cert and --tls-key swapped?)")
	}
	return nil, errors.New("no PEM private key block found (want -----BEGIN PRIVATE KEY-----, EC PRIVATE KEY or RSA PRIVATE KEY)")
}

// publicKeyMatches reports whether key is the private half of cert's public key.
func publicKeyMatches(cert *x509.Certificate, key crypto.Signer) bool {
	pub, ok := cert.PublicKey.(interface{ Equal(crypto.PublicKey) bool })
	return ok && pub.Equal(key.Public())
}

// loadCertFiles reads --tls-cert and --tls-key for serving: the chain as given, and
// the key. A file that cannot be read or parsed, a key that does not match, or a
// certificate outside its validity period is an error naming the file.
func loadCertFiles(certFile, keyFile string, now time.Time) (tls.Certificate, error) {
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

// certNames lists the DNS names and IP addresses a certificate covers, for the log.
func certNames(c *x509.Certificate) []string {
	names := append([]string(nil), c.DNSNames...)
	for _, ip := range c.IPAddresses {
		names = append(names, ip.String())
	}
	return names
}

// serverTLSConfig returns the TLS configuration of the HTTPS listener: the certificate
// of --tls-cert and --tls-key, or a generated one (kept in --tls-dir if given), whose
// CA certificate it writes to --tls-ca. It logs what it serves and where the CA is.
func serverTLSConfig(o *options, now time.Time, logger *slog.Logger) (*tls.Config, error) {
	conf := &tls.Config{MinVersion: tls.VersionTLS12}
	if o.tlsCert != "" {
		cert, err := loadCertFiles(o.tlsCert, o.tlsKey, now)
		if err != nil {
			return nil, err
		}
		conf.Certificates = []tls.Certificate{cert}
		logger.Info("TLS certificate loaded", "cert", o.tlsCert, "hosts", certNames(cert.Leaf),
			"expires", cert.Leaf.NotAfter.UTC().Format(time.RFC3339))
		return conf, nil
	}
	hosts := certHosts((*hostsValue)(&o.tlsHosts).list())
	var (
		certs *certSet
		err   error
	)
	if o.tlsDir != "" {
		var made string
		if certs, made, err = keptCerts(o.tlsDir, hosts, now); err != nil {
			return nil, err
		}
		if made == "" {
			logger.Info("TLS certificates reused", "dir", o.tlsDir)
		} else {
			logger.Info("TLS certificates made", "dir", o.tlsDir, "what", made)
		}
	} else if certs, err = generateCerts(hosts, now); err != nil {
		return nil, err
	}
	if err := writeFileAtomic(o.tlsCA, certs.caPEM, 0o644); err != nil {
		return nil, fmt.Errorf("--tls-ca: writing the CA certificate: %w", err)
	}
	conf.Certificates = []tls.Certificate{certs.tlsCertificate()}
	logger.Info("TLS CA certificate written: trust it in clients", "path", o.tlsCA,
		"hosts", certNames(certs.leaf), "expires", certs.leaf.NotAfter.UTC().Format(time.RFC3339))
	return conf, nil
}
