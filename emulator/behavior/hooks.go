package behavior

import (
	"net/http"
	"net/url"
	"slices"

	"github.com/tidwall/gjson"

	"github.com/graph-emulator/graph-emulator/emulator/store"
	"github.com/graph-emulator/graph-emulator/entities"
	"github.com/graph-emulator/graph-emulator/odata"
)

// The hooks the generic handlers call by fixed names beyond a set's Profile, for Graph's
// behaviour that depends on where an entity lives or on what else is stored: a message's
// folder and mailbox owner, a user's mailbox, a mail folder's counts. Each dispatches on
// the entity's type to the file that owns the behaviour (mailbox.go, messages.go,
// events.go, attachments.go, calendarview.go...); a type none of them knows is written,
// read and found as generic OData does.

// MergeFunc returns body (an entity of type t as stored) with fields set, each in its
// schema position; fields are in schema order (entities.Field.Index ascending, dynamic
// members last). The server gives its own to New (Config.Merge).
type MergeFunc func(t *entities.StructuredType, body []byte, fields []entities.Field) []byte

// set returns body (an entity of type t) with the members given as name, raw JSON
// pairs set in their schema positions.
func (b *Behavior) set(t *entities.StructuredType, body []byte, pairs ...string) []byte {
	if len(pairs) < 2 {
		return body
	}
	return b.merge(t, body, fieldsOf(t, pairs...))
}

// sortFields puts fields in schema order: declared ones by index, dynamic ones last.
func sortFields(fields []entities.Field) {
	slices.SortStableFunc(fields, func(a, b entities.Field) int {
		switch {
		case a.Index == b.Index:
			return 0
		case a.Index < 0:
			return 1
		case b.Index < 0:
			return -1
		}
		return a.Index - b.Index
	})
}

// merge applies fields to body with the server's merge, or a plain one without it.
func (b *Behavior) merge(t *entities.StructuredType, body []byte, fields []entities.Field) []byte {
	if b.cfg.Merge != nil {
		return b.cfg.Merge(t, body, fields)
	}
	return plainMerge(body, fields)
}

// EntityWrite is a create or an update of one entity by the generic handlers (POST,
// PATCH, PUT), as the write hooks see it.
type EntityWrite struct {
	*Call
	Tx store.Tx
	// Coll is the collection the entity is stored in, ID its key.
	Coll store.Coll
	ID   string
	// Old is the stored body of an updated entity; nil on create.
	Old []byte
}

// Writing completes or refuses the body of an entity the generic handlers are about to
// store, after its set's Profile hooks: what Graph sets from where the entity lives
// (a new message's folder, sender and ids). It runs inside the write.
func (b *Behavior) Writing(w *EntityWrite, body []byte) ([]byte, error) {
	switch {
	case w.Type == nil:
	case isA(w.Schema, w.Type, messageType):
		return b.writingMessage(w, body)
	case isA(w.Schema, w.Type, mailFolderType):
		return b.writingFolder(w, body)
	case isA(w.Schema, w.Type, eventType):
		return b.writingEvent(w, body)
	case isA(w.Schema, w.Type, attachmentType):
		return b.writingAttachment(w, body)
	case isA(w.Schema, w.Type, calendarType):
		return b.writingCalendar(w, body)
	case isA(w.Schema, w.Type, servicePrincipalType):
		return b.writingServicePrincipal(w, body)
	}
	return body, nil
}

// Written runs after the generic handlers stored an entity, in the same write: it
// writes what Graph writes along with it (a new user's mailbox and calendar, a
// message's hasAttachments when an attachment is added, an event's copies in its
// attendees' calendars).
func (b *Behavior) Written(w *EntityWrite, e store.Entity) error {
	switch {
	case w.Type == nil:
	case isA(w.Schema, w.Type, attachmentType):
		return b.attachmentWritten(w)
	case isA(w.Schema, w.Type, eventType):
		if err := b.inlineAttachments(w, e); err != nil {
			return err
		}
		return b.eventWritten(w, e)
	case isA(w.Schema, w.Type, messageType):
		return b.inlineAttachments(w, e)
	}
	return nil
}

// SpanCall asks where a navigation property whose Nav says Span keeps its entities.
type SpanCall struct {
	Schema *entities.Schema
	View   store.View
	// Tx is the request's write, nil in a read: a write may store what the span needs
	// (a mailbox never written).
	Tx store.Tx
	// Owner is the entity the property was followed from, stored in OwnerColl.
	Owner     store.Entity
	OwnerColl store.Coll
	Nav       *entities.NavigationProperty
	NewID     func() string
}

// Span is where a spanning navigation property's entities are.
type Span struct {
	// Sources are the collections a collection-valued property lists, in order, and
	// Create the one a POST to it stores into (zero: none exists yet).
	Sources []store.Coll
	Create  store.Coll
	// Coll and Key name the entity a single-valued property stands for.
	Coll store.Coll
	Key  string
	// Members, when not nil, are what a read lists in place of the sources: the
	// entities as they would be stored (a mailbox's folders before it is written).
	Members []Related
}

// Span returns where the entities of a spanning navigation property are: a user's
// messages are those of every mail folder (a new one goes to Drafts), a user's events
// those of every calendar (a new one goes to the default calendar), a user's calendar
// is the default one among its calendars.
func (b *Behavior) Span(c *SpanCall) (Span, error) {
	switch c.Nav.Name {
	case messagesNav:
		return b.messagesSpan(c)
	case eventsNav:
		return b.eventsSpan(c)
	case calendarNav:
		return b.calendarSpan(c)
	case mailFoldersNav:
		return b.foldersSpan(c)
	case calendarsNav:
		return b.calendarsSpan(c)
	}
	return Span{}, nil
}

// MembersCall asks for the members of a navigation property whose Nav says Computed.
type MembersCall struct {
	Schema *entities.Schema
	View   store.View
	// Owner is the entity the property was followed from, stored in OwnerColl.
	Owner     store.Entity
	OwnerColl store.Coll
	Nav       *entities.NavigationProperty
	// Query is the request's query string (the window of a calendar view).
	Query url.Values
}

// Members returns the members of a computed navigation property (a calendar view, a
// series' instances), each once, in the order they are listed; their Seq numbers that
// order (1, 2, ...) for paging. A request without what the property needs is refused
// with Graph's error.
func (b *Behavior) Members(c *MembersCall) ([]Related, error) {
	switch c.Nav.Name {
	case calendarViewNav:
		return b.calendarView(c)
	case instancesNav:
		return b.instances(c)
	}
	return nil, nil
}

// NameCall asks for the entity a key names when no entity has it as its key.
type NameCall struct {
	Schema *entities.Schema
	View   store.View
	// Sources are the collections the entity is looked up in; Type their entity type.
	Sources []store.Coll
	Type    *entities.StructuredType
	Key     string
}

// FindByName finds the entity Graph addresses by a name where a key is expected: a
// mail folder by its well-known name (/me/mailFolders/Inbox, any case), an occurrence
// of a recurring event by its id. ok is false when none is.
func (b *Behavior) FindByName(c *NameCall) (e store.Entity, coll store.Coll, ok bool) {
	switch {
	case c.Type == nil:
	case isA(c.Schema, c.Type, mailFolderType):
		return b.folderByName(c)
	case isA(c.Schema, c.Type, eventType):
		return b.occurrenceByID(c)
	case isA(c.Schema, c.Type, calendarType):
		return b.calendarByID(c)
	}
	return store.Entity{}, store.Coll{}, false
}

// outlookNotFound is Graph's answer to a request for a missing entity of type t, or
// nil when t is not Outlook's: its items (messages, events, folders, calendars,
// attachments) answer 404 ResourceNotFound.
func outlookNotFound(schema *entities.Schema, t *entities.StructuredType) error {
	if t != nil && isOutlook(schema, t) {
		return errOutlookNotFound()
	}
	return nil
}

// errOutlookNotFound is Graph's 404 for a missing Outlook item.
func errOutlookNotFound() error {
	return &odata.Error{Status: http.StatusNotFound, Code: "ResourceNotFound", Message: "Resource could not be discovered."}
}

// isOutlook reports whether t is one of Outlook's item types.
func isOutlook(schema *entities.Schema, t *entities.StructuredType) bool {
	for _, name := range [...]string{outlookItemType, mailFolderType, calendarType, calendarGroupType, attachmentType} {
		if isA(schema, t, name) {
			return true
		}
	}
	return false
}

// Outlook's type, set and property names the hooks dispatch on.
const (
	outlookItemType   = "microsoft.graph.outlookItem"
	messageType       = "microsoft.graph.message"
	mailFolderType    = "microsoft.graph.mailFolder"
	eventType         = "microsoft.graph.event"
	calendarType      = "microsoft.graph.calendar"
	calendarGroupType = "microsoft.graph.calendarGroup"
	attachmentType    = "microsoft.graph.attachment"
	fileAttachment    = "microsoft.graph.fileAttachment"
	itemAttachment    = "microsoft.graph.itemAttachment"
	messagesNav       = "messages"
	mailFoldersNav    = "mailFolders"
	childFoldersNav   = "childFolders"
	attachmentsNav    = "attachments"
	eventsNav         = "events"
	calendarNav       = "calendar"
	calendarsNav      = "calendars"
	calendarViewNav   = "calendarView"
	instancesNav      = "instances"
)

// plainMerge sets fields on a JSON object without the schema: a member given replaces
// the stored one in place, a new one goes last. It serves a Behavior built without the
// server's merge (Config.Merge), as in the package's own tests.
func plainMerge(body []byte, fields []entities.Field) []byte {
	out := []byte{'{'}
	used := make([]bool, len(fields))
	gjson.ParseBytes(body).ForEach(func(k, v gjson.Result) bool {
		raw := v.Raw
		for i, f := range fields {
			if f.Name == k.Str {
				raw, used[i] = f.Raw, true
				break
			}
		}
		out = appendMember(out, k.Str, raw)
		return true
	})
	for i, f := range fields {
		if !used[i] {
			out = appendMember(out, f.Name, f.Raw)
		}
	}
	return append(out, '}')
}

// appendMember appends "name":raw to an object being written after its '{'.
func appendMember(b []byte, name, raw string) []byte {
	if len(b) > 1 {
		b = append(b, ',')
	}
	b = odata.AppendString(b, name)
	b = append(b, ':')
	return append(b, raw...)
}
