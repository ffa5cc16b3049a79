package emulator_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/graph-emulator/graph-emulator/emulator"
)

// TestEnvelopeHeadersInProcess serves the handler without a connection, as a Go test
// embedding it might: the envelope headers must be readable with Header.Get, on a
// success and on an error.
func TestEnvelopeHeadersInProcess(t *testing.T) {
	t.Parallel()
	srv, err := emulator.New()
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name, method, path, body string
		status                   int
	}{
		{"create", http.MethodPost, "/v1.0/office365ServicesUserCounts", `{"exchangeActive":1}`, 201},
		{"unknown segment", http.MethodGet, "/v1.0/nope", "", 400},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			req := httptest.NewRequest(tt.method, tt.path, strings.NewReader(tt.body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("client-request-id", "cid-1")
			rec := httptest.NewRecorder()
			srv.ServeHTTP(rec, req)
			res := rec.Result()
			if res.StatusCode != tt.status {
				t.Fatalf("status %d, want %d", res.StatusCode, tt.status)
			}
			if res.Header.Get("request-id") == "" || res.Header.Get("client-request-id") != "cid-1" || res.Header.Get("OData-Version") != "4.0" {
				t.Errorf("envelope headers not readable in-process: %v", res.Header)
			}
			if tt.status >= 400 && !strings.Contains(rec.Body.String(), `"client-request-id":"cid-1"`) {
				t.Errorf("error body lacks the client-request-id: %s", rec.Body)
			}
		})
	}
}
