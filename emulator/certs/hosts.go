package certs

import (
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"
)

// NormalizeHost checks one host name or IP address and returns it in the form a
// certificate holds: an IP address (IPv6 with or without brackets) or a DNS name, lower
// case, that may start with the wildcard label "*.".
func NormalizeHost(s string) (string, error) {
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

// DefaultHosts returns the names and addresses a generated server certificate covers:
// the loopback ones (localhost, 127.0.0.1 and ::1, always), then extra, without
// duplicates. extra must be normalised (NormalizeHost).
func DefaultHosts(extra []string) []string {
	hosts := []string{"localhost", "127.0.0.1", "::1"}
	for _, h := range extra {
		if !slices.Contains(hosts, h) {
			hosts = append(hosts, h)
		}
	}
	return hosts
}

// Names lists the DNS names and then the IP addresses a certificate covers, for logs.
func Names(c *x509.Certificate) []string {
	names := append([]string(nil), c.DNSNames...)
	for _, ip := range c.IPAddresses {
		names = append(names, ip.String())
	}
	return names
}
