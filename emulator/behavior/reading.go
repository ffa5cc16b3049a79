package behavior

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tidwall/gjson"

	"github.com/graph-emulator/graph-emulator/emulator/store"
	"github.com/graph-emulator/graph-emulator/entities"
)

// Reading: what Graph computes when it writes an entity rather than storing it, for
// one request. An Outlook item's changeKey is its version (so that @odata.etag is
// W/"changeKey"); a mail folder's counts are counted; the Prefer headers
// outlook.body-content-type ("text" or "html": a message's or event's body and
// uniqueBody converted, answered with Preference-Applied) and outlook.timezone (an
// event's start and end, stored in UTC, written in that zone) apply.

// Reader writes stored entities as Graph returns them to one request. It is used by
// one request at a time.
type Reader struct {
	b      *Behavior
	schema *entities.Schema
	// bodyType is "text" or "html" when outlook.body-content-type asks for it.
	bodyType string
	// zone is the outlook.timezone asked for (nil: UTC), zoneName its name as asked.
	zone     *time.Location
	zoneName string
	applied  bool
	// last caches the kind of the type read last (most requests read one type); the
	// behaviour keeps every type's (Behavior.kinds).
	lastType string
	lastKind readKind
}

// kindKey names a type of a schema in Behavior.kinds.
type kindKey struct {
	schema *entities.Schema
	name   string
}

type readKind uint8

const (
	readAsStored readKind = iota
	readMessage
	readEvent
	readFolder
	readKeyed // an Outlook entity with a changeKey (calendar, contact...)
)

// Reader returns how entities are written for a request with the headers h.
func (b *Behavior) Reader(schema *entities.Schema, h http.Header) *Reader {
	r := &Reader{}
	b.InitReader(r, schema, h)
	return r
}

// InitReader makes r (a Reader the caller keeps, to spare an allocation per request)
// the Reader of a request with the headers h.
func (b *Behavior) InitReader(r *Reader, schema *entities.Schema, h http.Header) {
	*r = Reader{b: b, schema: schema}
	for _, v := range h["Prefer"] { // the canonical name: no Values' lookup
		for _, part := range strings.Split(v, ",") {
			name, val, ok := strings.Cut(strings.TrimSpace(part), "=")
			if !ok {
				continue
			}
			val = strings.Trim(strings.TrimSpace(val), `"`)
			switch strings.ToLower(strings.TrimSpace(name)) {
			case "outlook.body-content-type":
				if t := strings.ToLower(val); t == "text" || t == "html" {
					r.bodyType = t
				}
			case "outlook.timezone":
				if loc, ok := loadZone(val); ok {
					r.zone, r.zoneName = loc, val
				}
			}
		}
	}
}

// Applied is the Preference-Applied header for what the reader applied, or "".
func (r *Reader) Applied() string {
	if r == nil || !r.applied {
		return ""
	}
	return `outlook.body-content-type="` + r.bodyType + `"`
}

// kind tells how entities of the type named name are written.
func (r *Reader) kind(name string) readKind {
	if name == r.lastType && name != "" {
		return r.lastKind
	}
	key := kindKey{r.schema, name}
	if k, ok := r.b.kinds.Load(key); ok {
		r.lastType, r.lastKind = name, k.(readKind)
		return r.lastKind
	}
	k := readAsStored
	if t := r.schema.EntityType(name); t != nil && hasMailboxes(r.schema) {
		switch {
		case isA(r.schema, t, messageType):
			k = readMessage
		case isA(r.schema, t, eventType):
			k = readEvent
		case isA(r.schema, t, mailFolderType):
			k = readFolder
		case isOutlook(r.schema, t):
			k = readKeyed
		}
	}
	r.b.kinds.Store(key, k)
	r.lastType, r.lastKind = name, k
	return k
}

// Entity returns e, read from coll in v, with the body Graph writes for it.
func (r *Reader) Entity(v store.View, coll store.Coll, e store.Entity) store.Entity {
	k := r.kind(e.Type)
	if k == readAsStored {
		return e
	}
	t := r.schema.EntityType(e.Type)
	body := e.Body
	var pairs []string
	if k != readFolder && e.Version != 0 {
		if ck := gjson.GetBytes(body, "changeKey"); ck.Exists() {
			pairs = append(pairs, "changeKey", str(strconv.FormatUint(e.Version, 10)))
		}
	}
	switch k {
	case readFolder:
		body = r.b.readFolder(t, v, coll, e)
	case readMessage, readEvent:
		if r.bodyType != "" {
			for _, p := range [...]string{"body", "uniqueBody"} {
				if raw, ok := convertBody(gjson.GetBytes(body, p), r.bodyType); ok {
					pairs = append(pairs, p, raw)
					r.applied = true
				}
			}
		}
		if k == readEvent && r.zone != nil {
			for _, p := range [...]string{"start", "end"} {
				if raw, ok := inZone(gjson.GetBytes(body, p), r.zone, r.zoneName); ok {
					pairs = append(pairs, p, raw)
				}
			}
		}
	}
	if len(pairs) > 0 {
		body = setInPlace(body, pairs, func(p []string) []byte { return r.b.set(t, body, p...) })
	}
	e.Body = body
	return e
}

// setInPlace sets top-level members of a stored body that it holds already by
// replacing their values where they are, which is cheaper than a merge; when one is
// missing it calls merge with all of them.
func setInPlace(body []byte, pairs []string, merge func([]string) []byte) []byte {
	type span struct {
		at, n int
		raw   string
	}
	spans := make([]span, 0, len(pairs)/2)
	size := len(body)
	for i := 0; i+1 < len(pairs); i += 2 {
		v := gjson.GetBytes(body, gjson.Escape(pairs[i]))
		if !v.Exists() || v.Index <= 0 {
			return merge(pairs)
		}
		spans = append(spans, span{v.Index, len(v.Raw), pairs[i+1]})
		size += len(pairs[i+1]) - len(v.Raw)
	}
	slices.SortFunc(spans, func(a, b span) int { return a.at - b.at })
	out := make([]byte, 0, size)
	last := 0
	for _, s := range spans {
		if s.at < last {
			return merge(pairs)
		}
		out = append(out, body[last:s.at]...)
		out = append(out, s.raw...)
		last = s.at + s.n
	}
	return append(out, body[last:]...)
}

// convertBody returns an itemBody in the content type asked for; ok is false when it
// is already so (or not an itemBody).
func convertBody(v gjson.Result, want string) (string, bool) {
	if !v.IsObject() {
		return "", false
	}
	have := strings.ToLower(v.Get("contentType").String())
	content := v.Get("content").String()
	switch {
	case want == "text" && have == "html":
		content = htmlToText(content)
	case want == "html" && have != "html":
		content = textToHTML(content)
	default:
		return `{"contentType":` + str(want) + `,"content":` + str(content) + `}`, true
	}
	return `{"contentType":` + str(want) + `,"content":` + str(content) + `}`, true
}

// NeedsView reports whether writing an entity of the type named typeName reads the
// store (a mail folder's counts), so that a writer working outside the store's read
// (a streamed page) must give Entity a view.
func (r *Reader) NeedsView(typeName string) bool { return r.kind(typeName) == readFolder }
