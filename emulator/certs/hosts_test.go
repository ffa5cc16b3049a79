package certs

import (
	"strings"
	"testing"
)

func TestNormalizeHost(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, want, wantErr string
	}{
		{name: "DNS name lower-cased", in: "Graph.Local.Test", want: "graph.local.test"},
		{name: "single label", in: "devbox", want: "devbox"},
		{name: "trailing dot dropped", in: "graph.test.", want: "graph.test"},
		{name: "wildcard", in: "*.graph.test", want: "*.graph.test"},
		{name: "underscore and digits", in: "my_host-2.test", want: "my_host-2.test"},
		{name: "IPv4", in: "192.0.2.10", want: "192.0.2.10"},
		{name: "IPv6", in: "2001:DB8::1", want: "2001:db8::1"},
		{name: "IPv6 in brackets", in: "[::1]", want: "::1"},
		{name: "spaces trimmed", in: " graph.test ", want: "graph.test"},
		{name: "empty", in: "", wantErr: "empty"},
		{name: "port", in: "graph.test:8443", wantErr: "without scheme or port"},
		{name: "scheme", in: "https://graph.test", wantErr: "not a host name"},
		{name: "inner space", in: "graph test", wantErr: "not a host name"},
		{name: "empty label", in: "graph..test", wantErr: "not a host name"},
		{name: "leading hyphen", in: "-graph.test", wantErr: "not a host name"},
		{name: "wildcard alone", in: "*", wantErr: "not a host name"},
		{name: "wildcard inside", in: "graph.*.test", wantErr: "not a host name"},
		{name: "label too long", in: strings.Repeat("a", 64) + ".test", wantErr: "not a host name"},
		{name: "name too long", in: strings.Repeat("abcdefghi.", 26), wantErr: "longer than 253"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := NormalizeHost(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("NormalizeHost(%q) = %q, %v; want an error containing %q", tt.in, got, err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("NormalizeHost(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
		})
	}
}
