// Package entities holds the schema of the entities the emulator serves: entity, complex
// and enum types with their properties and Edm types, inheritance, keys, navigation
// properties (contained or not), entity sets, singletons, and bound and unbound
// operations; the built-in schema (Builtin, AddBuiltins, Expose); the CSDL loader
// (LoadCSDL) that reads Graph's published $metadata; and validation of JSON payloads
// against a type (ReadPayload).
//
// Lookups come in two kinds: exact (EntitySet, Singleton, EntityType, Property,
// NavigationProperty, BoundOperations) and ignoring case (EntitySetFold, SingletonFold,
// EntityTypeFold, PropertyFold, NavigationFold, BoundOperationsFold, OperationImportFold),
// which try the exact spelling first and use indexes Resolve builds once.
//
// It knows nothing of HTTP, OData URLs or storage, and imports no other package of the
// module (not odata, not emulator, not cmd). A resolved Schema is immutable and safe for
// concurrent use; there is no package-level mutable state.
package entities
