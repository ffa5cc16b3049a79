// Package emulatortest starts a graph-emulator server for tests of Graph client code.
//
// New starts an emulator.Server on an httptest server bound to 127.0.0.1 on a free
// port, stops it when the test ends, and returns its base URL, the emulator.Server (for
// its Store, Reset, ...) and a small client: Do sends one request and returns the
// status, headers and body, failing the test on a transport error.
//
//	func TestSomething(t *testing.T) {
//		srv := emulatortest.New(t, emulator.WithPageSize(2))
//		resp := srv.Do("GET", "/v1.0/", "")
//		// or point a Graph SDK at srv.URL + "/v1.0"
//	}
//
// The package knows nothing of the schema: it names no entity type and adds nothing to
// what a real client sends. It owns no global state; servers are independent.
package emulatortest
