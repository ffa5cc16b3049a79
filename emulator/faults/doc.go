// Package faults makes the emulator misbehave on purpose, as Graph does at times, so
// that a client's retry and error paths can be tested: rules that match requests by
// method, path pattern, query and tenant ($batch steps included, each on its own) and
// answer with an HTTP error in Graph's shape, add latency, or throttle.
//
// What it owns: the rule format (Rule, its JSON form, the checks that answer a
// malformed rule with a 400 naming the field), the matching (Match, also used by
// stubs), the kinds, one file each (status.go: an error status such as 429 or 503 with
// Retry-After; latency.go: a fixed or random delay; ratelimit.go: N requests per sliding
// window, then 429 with the right Retry-After), the gates (probability.go: a seeded
// chance, count.go: the next N requests), and the Registry, a value of each server
// built with an injected clock, random source and sleep, that applies them.
//
// What it does not own: the HTTP endpoints (/_emulator/faults, in package control), the
// middleware that calls Apply and writes the answer with the server's error writer
// (package emulator), the flags that load rules at start (cmd/graph-emulator). It
// holds no package-level state.
package faults
