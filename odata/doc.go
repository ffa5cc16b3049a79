// Package odata is the protocol layer of the emulator: resource paths (ParsePath), query
// options (ParseQuery: $filter with its evaluator over stored JSON, $orderby, $select,
// $expand, $search, $top, $skip, $count), annotations (@odata.context, @odata.type,
// @odata.nextLink), the Graph error type and its JSON shape, the JSON writers for
// entities and collections, and the CSDL writer behind /$metadata (WriteCSDL).
//
// It is free of HTTP serving and of storage: it reads a schema from package entities
// and turns values into bytes.
package odata
