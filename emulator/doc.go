// Package emulator is the HTTP side of graph-emulator: New returns a Server, an
// http.Handler that answers Microsoft Graph's URLs from a store.
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
// OData-Version) and every error Graph's JSON shape. Two servers share nothing but
// the immutable parsed schemas.
//
// What it owns: the routes (server.go), the middleware chain and RequestInfo
// (middleware.go), the adapter that parses a request, hands it to a handler and writes
// the result or the error (handlers.go), and the generic handlers, one file per
// concern: entities (crud.go), collections and their pages (items.go, paging.go,
// members.go, skiptoken.go, links.go), $expand (expand.go), $ref (ref.go), @odata.bind
// (bind.go), navigation properties the behaviour computes from stored references
// (derived.go), properties (property.go), /$count (count.go), operations (operation.go:
// method, parameters, binding, then the behaviour's registry), delta queries and their
// tokens (delta.go), report downloads (report.go: the URL a report function redirects
// to), content streams with their download, upload-session and monitor URLs
// (content.go), attachments' upload-session URLs (uploads.go: the behaviour takes the
// bytes), writes of entities the behaviour makes itself and values it computes on read
// (managed.go), path-based addresses and entities made on first use (address.go),
// $metadata (metadata.go), path resolution against the store (resolve.go),
// preconditions and entity tags (precondition.go), and the $batch driver, which runs
// each step through the whole handler again (batch.go). For the control API
// (emulator/control, mounted under /_emulator): the backend it drives and the state a
// server starts with (controlapi.go, options_control.go), and the fixture format's
// import and export, one store write each (fixture.go).
//
// What it does not own: Graph's own rules (emulator/behavior), state (emulator/store),
// the control API's adapter, journal and tenant names (emulator/control),
// the protocol's parsing and JSON writing (odata), the schema (entities). No file of
// this package names a Graph type, set or operation. Packages under emulator/ must not
// import this one.
package emulator
