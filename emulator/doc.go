// Package emulator is the HTTP side of graph-emulator: New returns a Server, an
// http.Handler that answers Microsoft Graph's URLs from a Store.
//
// A Server never listens by itself; serve it with net/http or put it behind
// httptest.NewServer in a test:
//
//	srv, err := emulator.New()
//	if err != nil { ... }
//	ts := httptest.NewServer(srv)
//	defer ts.Close()
//	// point the Graph client at ts.URL + "/v1.0"
//
// Every response carries Graph's headers (request-id, client-request-id,
// OData-Version) and every error Graph's JSON shape. Two servers share nothing.
package emulator
