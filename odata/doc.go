// Package odata is the protocol layer of the emulator: resource paths, query options,
// annotations (@odata.context, @odata.type, @odata.nextLink), the Graph error type and
// its JSON shape, and the JSON writers for entities and collections.
//
// It is free of HTTP serving and of storage: it reads a schema from package entities
// and turns values into bytes.
package odata
