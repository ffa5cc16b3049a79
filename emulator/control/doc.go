// Package control is graph-emulator's control API, served under /_emulator/ beside
// Graph's versions: what a test uses to drive the emulator rather than to call Graph.
//
//	GET    /_emulator/health     status, versions served, uptime, tenants, journal size
//	POST   /_emulator/reset      every tenant (or ?tenant=, or X-Emulator-Tenant) back to its start
//	GET    /_emulator/data       a tenant's whole state as a fixture
//	PUT    /_emulator/data       a fixture in place of a tenant's state (one write; 400 changes nothing)
//	POST   /_emulator/data       a fixture added to a tenant's state
//	GET    /_emulator/requests   the request journal, with filters
//	DELETE /_emulator/requests   clears the journal
//	GET    /_emulator/faults     the fault rules with their hit counts
//	POST   /_emulator/faults     adds a fault rule (or an array of them)
//	DELETE /_emulator/faults     removes every rule (of a tenant, with one named)
//	GET    /_emulator/faults/ID  one rule; DELETE removes it
//	GET    /_emulator/stubs      the stubs with their hit counts; POST, DELETE as for faults
//	GET    /_emulator/stubs/ID   one stub; DELETE removes it
//	GET    /_emulator/mail       the outbox: mail sent to addresses outside the tenant
//	DELETE /_emulator/mail       empties it
//
// What it owns: the API's one adapter (every endpoint returns a value written as JSON
// or an error written in Graph's shape), the tenant header and its names (ParseTenant,
// RequestTenant), the request journal (Journal: a bounded ring per server, credentials
// and secrets masked, $batch steps as children of their batch), the sample tenant
// (SampleData), and the endpoints of fault rules and stubs (faults.go, stubs.go and
// rules.go, over the registries of packages faults and stubs).
//
// What it does not own: the fixture format's reading and writing, which needs the
// schema, the store and the behaviour, and lives in package emulator (fixture.go),
// reached through Backend; the routes (emulator's server.go mounts each handler); the
// middleware, which calls Journal and RequestTenant. It imports no package of the
// emulator above it, and names no Graph type.
//
// A new endpoint is a file of its own: methods of API returning
// a.serve(methods{...}) with endpoints of the same shape, and a line per path in the
// server's route table.
package control
