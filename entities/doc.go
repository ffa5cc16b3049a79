// Package entities holds the schema of the entities the emulator serves: entity, complex
// and enum types with their properties and Edm types, inheritance, keys, and entity sets;
// the built-in schema; and validation of JSON payloads against a type.
//
// It knows nothing of HTTP, OData URLs or storage, and imports no other package of the
// module. A resolved Schema is immutable and safe for concurrent use.
package entities
