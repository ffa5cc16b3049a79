// Package certs makes, keeps and loads the certificates of graph-emulator's HTTPS
// listener; the token service's signing keys will live here too.
//
// Generate makes a certificate authority and a server certificate it signs, for the
// loopback names and addresses (DefaultHosts) and any extra ones (NormalizeHost checks
// them). Kept does the same but keeps the certificates in a directory and reuses them
// while they stay valid and cover every host. LoadFiles reads a certificate chain and
// its key from PEM files instead. A generated CA lives for one run, or for as long as
// a directory keeps it: its private key never leaves memory otherwise, and clients
// trust its certificate (Set.CAPEM).
//
// What it owns: key and certificate generation (certs.go), host names (hosts.go), the
// kept directory (kept.go), PEM files (pem.go, load.go) and atomic file writes
// (file.go). Errors and reasons name the command-line flags the paths come from
// (--tls-cert, --tls-key, --tls-dir), as graph-emulator reports them unchanged.
//
// What it must not do: import anything of this module, or know of HTTP, OData or
// Graph. It only makes the certificates; listening and the TLS configuration are the
// caller's.
package certs
