// Package stubs scripts answers for what the emulator does not emulate: a stub matches
// requests as a fault rule does (method, path pattern, query, tenant; see
// faults.Match) and answers them with a status, headers and a JSON body, or with a
// sequence of such responses, before the emulated behaviour runs; a request no stub
// matches falls through to the emulator.
//
// What it owns: the stub format (Stub, its JSON form, the checks that answer a
// malformed stub with a 400 naming the field) and the Registry, a value of each server,
// that picks a stub's answer. What it does not own: the endpoints (/_emulator/stubs,
// in package control) and the middleware that writes the answer with the envelope's
// headers (package emulator). It holds no package-level state.
package stubs
