package odata

import "strconv"

// ContextURL returns the absolute @odata.context of a resource:
// {base}/{version}/$metadata#{resource}, with "/$entity" appended for a single entity.
// base is scheme://host of the request.
func ContextURL(base, version, resource string, entity bool) string {
	if entity {
		return base + "/" + version + "/$metadata#" + resource + "/$entity"
	}
	return base + "/" + version + "/$metadata#" + resource
}

// AppendEntity appends an entity response body: @odata.context, @odata.type (when
// typeName is not empty, as "#namespace.name"), then the members of body, a JSON object.
func AppendEntity(dst []byte, context, typeName string, body []byte) []byte {
	return AppendEntityTagged(dst, context, typeName, "", body)
}

// AppendEntityTagged is AppendEntity with @odata.etag after @odata.type, when etag is
// not empty.
func AppendEntityTagged(dst []byte, context, typeName, etag string, body []byte) []byte {
	return appendMembers(appendEntityHead(dst, context, typeName, etag, 0), body)
}

// AppendItemVersioned appends an item of a collection: @odata.type when typeName is not
// empty, @odata.etag FormatETag(version) when version is not 0, then the members of
// body, written as p says (nil: as stored). It is AppendEntityTagged or
// AppendEntityProjected without the tag's string.
func AppendItemVersioned(dst []byte, typeName string, version uint64, body []byte, p *Projection) []byte {
	dst = appendEntityHead(dst, "", typeName, "", version)
	if p == nil {
		return appendMembers(dst, body)
	}
	return closeMembers(p.appendMembers(dst, body))
}

// appendEntityHead appends '{' and the annotations of an entity, each followed by a
// comma; the tag is etag, else FormatETag(version) when version is not 0.
func appendEntityHead(dst []byte, context, typeName, etag string, version uint64) []byte {
	dst = append(dst, '{')
	if context != "" {
		dst = append(dst, `"@odata.context":`...)
		dst = AppendString(dst, context)
		dst = append(dst, ',')
	}
	if typeName != "" {
		dst = append(dst, `"@odata.type":"#`...)
		dst = append(dst, typeName...)
		dst = append(dst, `",`...)
	}
	if etag != "" {
		dst = append(dst, `"@odata.etag":`...)
		dst = AppendString(dst, etag)
		dst = append(dst, ',')
	} else if version != 0 {
		dst = append(dst, `"@odata.etag":"W/\"`...)
		dst = strconv.AppendUint(dst, version, 10)
		dst = append(dst, `\"",`...)
	}
	return dst
}

// appendMembers appends the members of the JSON object body and its closing brace,
// assuming dst already holds an opening brace and possibly members followed by a comma.
func appendMembers(dst, body []byte) []byte {
	inner := body[1:] // after '{'
	for len(inner) > 0 && (inner[0] == ' ' || inner[0] == '\t' || inner[0] == '\r' || inner[0] == '\n') {
		inner = inner[1:]
	}
	if len(inner) > 0 && inner[0] == '}' {
		// Empty object: drop the comma written after the last annotation, if any.
		if dst[len(dst)-1] == ',' {
			dst = dst[:len(dst)-1]
		}
		return append(dst, '}')
	}
	return append(dst, inner...)
}

// CollectionWriter writes a collection response: context, optional count and next
// link, and the value array. Start one with BeginCollection (or NewCollectionWriter), add
// items, then call Finish.
type CollectionWriter struct {
	buf   []byte
	items int
}

// NewCollectionWriter starts a collection body in buf (reused from its start).
func NewCollectionWriter(buf []byte, context, nextLink string) *CollectionWriter {
	w := BeginCollection(buf[:0], CollectionHead{Context: context, NextLink: nextLink})
	return &w
}

// Add appends one entity; typeName is written as @odata.type when not empty (Graph writes
// it for items of a type derived from the collection's).
func (w *CollectionWriter) Add(typeName string, body []byte) {
	b := w.next()
	if typeName == "" {
		w.buf = append(b, body...)
		return
	}
	w.buf = AppendEntity(b, "", typeName, body)
}

// Finish closes the body and returns it.
func (w *CollectionWriter) Finish() []byte { return append(w.buf, "]}"...) }

// Pending returns what the writer holds: the body so far, or since the last Drop. A
// caller that streams a collection writes it out, calls Drop and goes on adding items.
func (w *CollectionWriter) Pending() []byte { return w.buf }

// Drop empties the writer's buffer (keeping its room), once Pending was written out; the
// items already added still count, so the next one comes with its comma.
func (w *CollectionWriter) Drop() { w.buf = w.buf[:0] }
