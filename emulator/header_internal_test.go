package emulator

import (
	"net/http"
	"testing"
)

// TestHeaderNamesCanonical: the names headerValue and direct lookups use are in the
// form servers and http.Header.Set store them, so that no header is missed.
func TestHeaderNamesCanonical(t *testing.T) {
	t.Parallel()
	for _, name := range []string{hdrRequestID, hdrClientRequestID, hdrPrefer, hdrContentType, hdrContentEncoding,
		hdrConsistency, hdrIfMatch, hdrIfNoneMatch, "Content-Encoding", "Prefer"} {
		if c := http.CanonicalHeaderKey(name); c != name {
			t.Errorf("%q is not canonical (%q)", name, c)
		}
	}
	h := http.Header{}
	h.Set("consistencylevel", "eventual")
	h.Set("content-type", "application/json")
	if got := h[hdrConsistency]; len(got) != 1 || got[0] != "eventual" {
		t.Errorf("ConsistencyLevel set as consistencylevel: %q", got)
	}
	if got := headerValue(h, hdrContentType); got != "application/json" {
		t.Errorf("headerValue(Content-Type) = %q", got)
	}
	if got := headerValue(h, hdrPrefer); got != "" {
		t.Errorf("headerValue of an absent header = %q", got)
	}
}
