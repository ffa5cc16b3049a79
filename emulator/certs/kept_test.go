package certs

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// readDir returns the files Kept keeps in dir, by name.
func readDir(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	m := map[string][]byte{}
	for _, name := range []string{DirCACert, DirCAKey, DirCert, DirKey} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatalf("kept file: %v", err)
		}
		m[name] = b
	}
	return m
}

func TestKept(t *testing.T) {
	t.Parallel()
	loop := DefaultHosts(nil)
	withExtra := DefaultHosts([]string{"graph.local.test"})
	otherKey := func(t *testing.T) []byte {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		b, err := encodeKey(k)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	write := func(t *testing.T, dir, name string, b []byte) {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name     string
		first    []string // hosts of the first start
		change   func(t *testing.T, dir string)
		later    time.Duration // the second start comes this long after the first
		hosts    []string      // hosts of the second start
		sameCA   bool
		sameLeaf bool
		made     string // part of what the second start says it made
	}{
		{name: "reused while valid", first: loop, later: time.Minute, hosts: loop, sameCA: true, sameLeaf: true},
		{name: "reused for fewer hosts", first: withExtra, later: time.Hour, hosts: loop, sameCA: true, sameLeaf: true},
		{name: "reused until the margin", first: loop, later: Validity - ReuseMargin - time.Second, hosts: loop, sameCA: true, sameLeaf: true},
		{name: "host missing: new leaf from the kept CA", first: loop, later: time.Minute, hosts: withExtra,
			sameCA: true, made: "does not cover graph.local.test"},
		{name: "expiring: everything new", first: loop, later: Validity - ReuseMargin + time.Second, hosts: loop,
			made: "CA expired or expiring"},
		{name: "expired: everything new", first: loop, later: 30 * 24 * time.Hour, hosts: loop, made: "CA expired"},
		{name: "clock before the certificates: everything new", first: loop, later: -2 * time.Hour, hosts: loop,
			made: "CA not valid before"},
		{name: "server certificate corrupt", first: loop, hosts: loop, sameCA: true, made: "server certificate unusable",
			change: func(t *testing.T, dir string) { write(t, dir, DirCert, []byte("not PEM")) }},
		{name: "server key of another certificate", first: loop, hosts: loop, sameCA: true, made: "does not match",
			change: func(t *testing.T, dir string) { write(t, dir, DirKey, otherKey(t)) }},
		{name: "server certificate from another CA", first: loop, hosts: loop, sameCA: true, made: "not signed by the kept CA",
			change: func(t *testing.T, dir string) {
				other, err := Generate(loop, testNow)
				if err != nil {
					t.Fatal(err)
				}
				write(t, dir, DirCert, other.leafPEM)
				write(t, dir, DirKey, other.leafKeyPEM)
			}},
		{name: "server files deleted", first: loop, hosts: loop, sameCA: true, made: "server certificate unusable",
			change: func(t *testing.T, dir string) { os.Remove(filepath.Join(dir, DirCert)) }},
		{name: "CA corrupt", first: loop, hosts: loop, made: "CA unusable",
			change: func(t *testing.T, dir string) {
				write(t, dir, DirCACert, []byte("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"))
			}},
		{name: "CA key of another certificate", first: loop, hosts: loop, made: "does not match",
			change: func(t *testing.T, dir string) { write(t, dir, DirCAKey, otherKey(t)) }},
		{name: "CA that is not a CA", first: loop, hosts: loop, made: "not a CA",
			change: func(t *testing.T, dir string) {
				// A server certificate and its key in the CA's place.
				c := readDir(t, dir)
				write(t, dir, DirCACert, c[DirCert])
				write(t, dir, DirCAKey, c[DirKey])
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := filepath.Join(t.TempDir(), "certs") // made by Kept
			c1, made, err := Kept(dir, tt.first, testNow)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(made, "new CA and server certificate (no CA kept yet)") {
				t.Errorf("first start made %q, want a new CA", made)
			}
			before := readDir(t, dir)
			if !bytes.Equal(before[DirCACert], c1.caPEM) || !bytes.Equal(before[DirCert], c1.leafPEM) {
				t.Errorf("the kept files are not the certificates served")
			}
			if runtime.GOOS != "windows" {
				for name, want := range map[string]os.FileMode{DirCAKey: 0o600, DirKey: 0o600, DirCACert: 0o644, DirCert: 0o644, ".": 0o700} {
					if fi, err := os.Stat(filepath.Join(dir, name)); err != nil || fi.Mode().Perm() != want {
						t.Errorf("%s mode = %v (%v), want %v", name, fi.Mode().Perm(), err, want)
					}
				}
			}
			if tt.change != nil {
				tt.change(t, dir)
			}
			now := testNow.Add(tt.later)
			c2, made, err := Kept(dir, tt.hosts, now)
			if err != nil {
				t.Fatal(err)
			}
			after := readDir(t, dir)
			if tt.sameLeaf != (made == "") {
				t.Errorf("second start made %q, want reuse %v", made, tt.sameLeaf)
			}
			if tt.made != "" && !strings.Contains(made, tt.made) {
				t.Errorf("second start made %q, want it to say %q", made, tt.made)
			}
			if got := bytes.Equal(c2.caPEM, c1.caPEM) && bytes.Equal(after[DirCACert], before[DirCACert]); got != tt.sameCA {
				t.Errorf("CA kept = %v, want %v", got, tt.sameCA)
			}
			if got := bytes.Equal(c2.leafPEM, c1.leafPEM) && bytes.Equal(after[DirCert], before[DirCert]) &&
				bytes.Equal(after[DirKey], before[DirKey]); got != tt.sameLeaf {
				t.Errorf("server certificate kept = %v, want %v", got, tt.sameLeaf)
			}
			if !bytes.Equal(after[DirCACert], c2.caPEM) || !bytes.Equal(after[DirCert], c2.leafPEM) || !bytes.Equal(after[DirKey], c2.leafKeyPEM) {
				t.Errorf("the kept files are not what the second start serves")
			}
			if !tt.sameLeaf {
				checkLeaf(t, c2.leaf, c2.ca, tt.hosts, now)
			}
			if !tt.sameCA {
				checkCA(t, c2.ca, now)
			}
			// Whatever happened, the third start reuses what the second left.
			c3, made, err := Kept(dir, tt.hosts, now.Add(time.Second))
			if err != nil || made != "" || !bytes.Equal(c3.leafPEM, c2.leafPEM) {
				t.Errorf("third start: made %q (%v), want everything reused", made, err)
			}
		})
	}
}

func TestKeptDirErrors(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	_, _, err := Kept(filepath.Join(file, "certs"), DefaultHosts(nil), testNow)
	if err == nil || !strings.Contains(err.Error(), "--tls-dir") || !strings.Contains(err.Error(), file) {
		t.Errorf("Kept under a file: %v, want an error naming --tls-dir and the path", err)
	}
}
