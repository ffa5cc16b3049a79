// Package emulatortest starts a graph-emulator server for tests of Graph client code.
//
// New starts an emulator.Server on an httptest server bound to 127.0.0.1 on a free
// port, stops it when the test ends, and returns its base URL, the emulator.Server (for
// its Store, Reset, ...) and a small client: Do sends one request and returns the
// status, headers and body, failing the test on a transport error. With no options the
// server serves all of Graph, v1.0 and beta (the schemas embedded in the binary, decoded
// once per test binary and shared: a server costs well under a millisecond after the
// first); emulator.WithSchema with the schema of entities.Builtin serves the minimal
// schema instead.
//
//	func TestSomething(t *testing.T) {
//		srv := emulatortest.New(t, emulator.WithPageSize(2))
//		resp := srv.Do("GET", "/v1.0/", "")
//		// or point a Graph SDK at srv.URL + "/v1.0"
//	}
//
// NewTLS does the same over HTTPS (HTTP/2 and HTTP/1.1): URL is https://127.0.0.1:port,
// the emulator's absolute links are https ones as Graph's are, Client trusts the
// server's certificate, and CACertPEM returns that certificate for other processes.
// Clients that send tokens only over https (the JavaScript Graph client, Azure
// identity) need it.
//
// The Server is also a client of the emulator's control API (/_emulator): Seed and
// SeedFile add a fixture (entities by set, references by id; see the README), Reset
// returns the server to its start, Requests lists what clients sent (the journal, with
// filters), Export returns the state as a fixture. Tenant(t) returns a client bound to
// a new tenant of its own, so that parallel tests share one server without seeing each
// other's data:
//
//	srv := emulatortest.New(t)
//	t.Run("case", func(t *testing.T) {
//		t.Parallel()
//		c := srv.Tenant(t) // its requests carry X-Emulator-Tenant; reset when t ends
//		c.Seed(`{"users":[{"id":"u1","displayName":"Adele Vance"}]}`)
//		resp := c.Do("GET", "/v1.0/users/u1", "")
//		posts := c.Requests(emulatortest.Filter{Method: "POST"})
//	})
//
// AddFault makes the server misbehave for the requests a rule matches (an error such
// as 429 with Retry-After, latency, a rate limit; with a probability or for a count of
// requests), and AddStub scripts an answer for a call the emulator does not emulate;
// both are removed when the test ends, and Faults and Stubs list them with their hit
// counts:
//
//	srv.AddFault(emulatortest.Fault{Match: faults.Match{Method: "GET", Path: "/v1.0/users"},
//		Error: &faults.Error{Status: 429, RetryAfter: faults.RetryAfter(0)}, Count: 2})
//	srv.AddStub(emulatortest.Stub{Match: faults.Match{Path: "/v1.0/me/insights/trending"},
//		Response: &emulatortest.StubResponse{Body: json.RawMessage(`{"value":[]}`)}})
//
// A control call that fails fails the test.
//
// The package knows nothing of the schema: it names no entity type and adds nothing to
// what a real client sends. It owns no global state; servers are independent.
package emulatortest
