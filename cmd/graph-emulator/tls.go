package main

import (
	"crypto/tls"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/graph-emulator/graph-emulator/emulator/certs"
)

// HTTPS with certificates made at start.
//
// --tls makes a certificate authority that lives for one run (or for as long as --tls-dir
// keeps it) and a server certificate signed by it, for the loopback names and addresses
// and any --tls-host. Clients trust the CA certificate, written to --tls-ca; its private
// key never leaves memory unless --tls-dir asks to keep it. The certificates themselves
// are made, kept and loaded by emulator/certs.

// caFileName is the default --tls-ca, in os.TempDir().
const caFileName = "graph-emulator-ca.pem"

// defaultCAFile is the default of --tls-ca.
func defaultCAFile() string { return filepath.Join(os.TempDir(), caFileName) }

// serverTLSConfig returns the TLS configuration of the HTTPS listener: the certificate
// of --tls-cert and --tls-key, or a generated one (kept in --tls-dir if given), whose
// CA certificate it writes to --tls-ca. It logs what it serves and where the CA is.
func serverTLSConfig(o *options, now time.Time, logger *slog.Logger) (*tls.Config, error) {
	conf := &tls.Config{MinVersion: tls.VersionTLS12}
	if o.tlsCert != "" {
		cert, err := certs.LoadFiles(o.tlsCert, o.tlsKey, now)
		if err != nil {
			return nil, err
		}
		conf.Certificates = []tls.Certificate{cert}
		logger.Info("TLS certificate loaded", "cert", o.tlsCert, "hosts", certs.Names(cert.Leaf),
			"expires", cert.Leaf.NotAfter.UTC().Format(time.RFC3339))
		return conf, nil
	}
	hosts := certs.DefaultHosts((*hostsValue)(&o.tlsHosts).list())
	var (
		set *certs.Set
		err error
	)
	if o.tlsDir != "" {
		var made string
		if set, made, err = certs.Kept(o.tlsDir, hosts, now); err != nil {
			return nil, err
		}
		if made == "" {
			logger.Info("TLS certificates reused", "dir", o.tlsDir)
		} else {
			logger.Info("TLS certificates made", "dir", o.tlsDir, "what", made)
		}
	} else if set, err = certs.Generate(hosts, now); err != nil {
		return nil, err
	}
	if err := certs.WriteFileAtomic(o.tlsCA, set.CAPEM(), 0o644); err != nil {
		return nil, fmt.Errorf("--tls-ca: writing the CA certificate: %w", err)
	}
	conf.Certificates = []tls.Certificate{set.TLSCertificate()}
	logger.Info("TLS CA certificate written: trust it in clients", "path", o.tlsCA,
		"hosts", certs.Names(set.Leaf()), "expires", set.Leaf().NotAfter.UTC().Format(time.RFC3339))
	return conf, nil
}
