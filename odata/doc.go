// Package odata is the protocol layer of the emulator, free of HTTP serving and of
// storage: it reads a schema from package entities and turns requests' text into values
// and values into bytes.
//
// It owns:
//   - resource paths (ParsePath): entity sets, singletons, keys in both forms,
//     navigation, casts, $count, $ref, $value, bound and unbound operations, resolved
//     ignoring case as Graph does, with each Segment named in the schema's spelling;
//   - operation parameters (FunctionArgs, ActionArgs, ParamLiteral): a function's URL
//     literals and aliases, an action's body, checked against the declared parameter
//     types and normalized to JSON (Args);
//   - query options (ParseQuery): $filter with its evaluator over stored JSON, $orderby,
//     $select, $expand, $search, $top, $skip, $count;
//   - annotations and the JSON writers of every response body: entities (AppendEntity),
//     collections of entities, references or values (BeginCollection, CollectionWriter),
//     references (AppendRef), properties (AppendProperty), expanded members of an
//     entity (ReopenObject, ObjectWriter), $count (AppendCount), the service document
//     (AppendServiceDocument), and the contexts they carry (ContextURL, MetadataURL),
//     so that handlers write no JSON punctuation;
//   - default property sets (Projection, AppendEntityProjected, AppendProjected): an
//     entity written with the properties a type returns without $select, in a given
//     order, unset ones as null or [], without allocating;
//   - the Graph error type, one constructor per error, and its JSON shape (Error);
//   - entity tags: FormatETag, ParseETags for If-Match and If-None-Match, MatchETag;
//   - JSON batching: the batch request decoder with Graph's checks (DecodeBatch) and the
//     batch response writer (AppendBatchResponse);
//   - the CSDL writer behind /$metadata (WriteCSDL).
//
// It imports entities and no other package of the module: not emulator nor anything
// under it, nor cmd. It knows no Graph type by name, keeps no package-level mutable
// state, and does no I/O beyond the writers it is handed.
package odata
