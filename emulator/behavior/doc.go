// Package behavior is where Graph's own rules live, beyond generic OData: per-set
// profiles (hooks the generic handlers call by fixed names: on create, on update, the
// status of an update, computed values, unique keys), the operation registry keyed by
// qualified name, Graph's advanced-query rules for directory objects, expansion limits,
// and the messages Graph answers with in those cases.
//
// Besides entities/ (the schema and its data), this is the only Go code that may name a
// Graph type, set or operation. It is built as a value by New (no init, no globals) and
// each Server holds its own.
//
// It imports entities, odata and emulator/store; it must not import emulator.
//
// Graph's per-type profiles are data (entities.GraphProfiles, entities/graph/profiles.json):
// profiles.go turns a type's entry, merged along its base types, into a Profile (hooks on
// create and update, unique rules, the update status) and an odata.Projection (the
// default property set), built on first use and cached per version and type.
//
// Where a new behaviour goes: what Graph does with a type's properties (a default set,
// a required, unique, read-only, write-only or server-set property, a default value, the
// update status) is an entry in entities/graph/profiles.json; a way of making a server-set
// value the data cannot express is a case of writeRules.value (profiles.go) named in
// entities.ServerValueKinds; a bound or unbound operation is a file of its own
// registering an Operation in registerOperations (operations.go); a query rule goes in
// query.go; what Graph decides about delta queries (which function is one, their
// options, how updates and removals are written, token errors) is in delta.go. The
// directory's relationships (which navigation properties are computed from which stored
// ones, and the walk over them) are in directory.go, its soft delete and restore in
// deleteditems.go, the membership and credential actions in memberships.go and
// credentials.go. Drives are in drives.go (made on first use, quota), their items in
// driveitems.go (names, conflicts, moves, deletes: the writes the server hands over, see
// Manages), content and download URLs in drivecontent.go (with QuickXorHash in
// quickxor.go), upload sessions in driveupload.go, copy and search in drivecopy.go, a
// drive's delta in drivedelta.go.
//
// Outlook: the hooks the generic handlers call for it (where a navigation property's
// entities live or how they are computed, values set from where an entity is stored,
// values computed on read, names that address entities, its 404) are in hooks.go and
// reading.go; mailboxes and their well-known folders in mailbox.go; messages' server-set
// values in messages.go; sendMail and send in sendmail.go, the outbox in outbox.go,
// replies and forwards in replies.go, move and copy in movecopy.go; attachments in
// attachments.go and their upload sessions in uploads.go; KQL $search in
// messagesearch.go; events and attendees' copies in events.go, their actions in
// eventresponses.go; recurrence in recurrence.go, calendar views and occurrences in
// calendarview.go, free/busy in schedule.go; time zones in timezones.go.
package behavior
