package odata

import (
	"bytes"
	"strconv"

	"github.com/graph-emulator/graph-emulator/entities"
)

// The response bodies besides single entities (AppendEntity) and errors (Error.AppendJSON):
// the service document, references, property values, $count, and collections of
// entities, references or values. Each appends to dst and returns the extended slice;
// strings are escaped as JSON strings, raw values are written as they are.

// MetadataURL returns {base}/{version}/$metadata, the @odata.context of the service
// document. base is scheme://host of the request.
func MetadataURL(base, version string) string { return base + "/" + version + "/$metadata" }

// AppendServiceDocument appends the service document: its @odata.context, then in
// "value" one {"name","kind","url"} for each entity set and then each singleton of
// schema, in declaration order:
//
//	{"@odata.context":"http://h/v1.0/$metadata","value":[{"name":"users","kind":"EntitySet","url":"users"},{"name":"me","kind":"Singleton","url":"me"}]}
func AppendServiceDocument(dst []byte, context string, schema *entities.Schema) []byte {
	w := BeginCollection(dst, CollectionHead{Context: context})
	for _, es := range schema.EntitySets() {
		w.buf = w.next()
		w.buf = appendServiceItem(w.buf, es.Name, "EntitySet")
	}
	for _, sg := range schema.Singletons() {
		w.buf = w.next()
		w.buf = appendServiceItem(w.buf, sg.Name, "Singleton")
	}
	return w.Finish()
}

func appendServiceItem(dst []byte, name, kind string) []byte {
	dst = append(dst, `{"name":`...)
	dst = AppendString(dst, name)
	dst = append(dst, `,"kind":`...)
	dst = AppendString(dst, kind)
	dst = append(dst, `,"url":`...)
	dst = AppendString(dst, name)
	return append(dst, '}')
}

// AppendRef appends a reference to one entity, the body of GET …/{navigation}/$ref:
//
//	{"@odata.context":"http://h/v1.0/$metadata#$ref","@odata.id":"http://h/v1.0/users/1"}
//
// With an empty context it appends {"@odata.id":id} alone, as an item of a reference
// collection or of $expand=…/$ref writes it.
func AppendRef(dst []byte, context, id string) []byte {
	dst = append(dst, '{')
	if context != "" {
		dst = append(dst, `"@odata.context":`...)
		dst = AppendString(dst, context)
		dst = append(dst, ',')
	}
	dst = append(dst, `"@odata.id":`...)
	dst = AppendString(dst, id)
	return append(dst, '}')
}

// AppendProperty appends the body of GET of a structural property: its @odata.context
// and its value, raw JSON written as it is (it must be valid JSON, as stored):
//
//	{"@odata.context":"http://h/v1.0/$metadata#users('1')/displayName","value":"Ada"}
func AppendProperty(dst []byte, context string, raw []byte) []byte {
	dst = append(dst, `{"@odata.context":`...)
	dst = AppendString(dst, context)
	dst = append(dst, `,"value":`...)
	if len(raw) == 0 {
		dst = append(dst, "null"...)
	} else {
		dst = append(dst, raw...)
	}
	return append(dst, '}')
}

// AppendCount appends the body of /$count, a bare decimal number (sent as text/plain).
func AppendCount(dst []byte, n int) []byte { return strconv.AppendInt(dst, int64(n), 10) }

// CollectionHead holds the annotations of a collection body, written in Graph's order
// before "value": @odata.context, @odata.count, @odata.nextLink.
type CollectionHead struct {
	// Context is the absolute @odata.context ("…/$metadata#users",
	// "…/$metadata#Collection($ref)").
	Context string
	// Count is written as @odata.count when Counted is set (on the first page of a
	// request with $count=true).
	Count   int
	Counted bool
	// NextLink is the absolute @odata.nextLink; "" writes none (the last page).
	NextLink string
	// DeltaLink is the absolute @odata.deltaLink of a delta query's last page; ""
	// writes none.
	DeltaLink string
}

// BeginCollection starts a collection body in dst: the head's annotations and the
// opening of "value". Add the items with the Add methods (commas come by themselves),
// then call Finish. The writer is a value: it allocates nothing of its own.
//
//	w := odata.BeginCollection(buf[:0], odata.CollectionHead{Context: ctx, Count: 2, Counted: true, NextLink: next})
//	w.AddRef("http://h/v1.0/users/1")
//	w.AddRef("http://h/v1.0/users/2")
//	body := w.Finish()
//
// writes
//
//	{"@odata.context":"…#Collection($ref)","@odata.count":2,"@odata.nextLink":"…","value":[{"@odata.id":"http://h/v1.0/users/1"},{"@odata.id":"http://h/v1.0/users/2"}]}
func BeginCollection(dst []byte, head CollectionHead) CollectionWriter {
	b := append(dst, `{"@odata.context":`...)
	b = AppendString(b, head.Context)
	if head.Counted {
		b = append(b, `,"@odata.count":`...)
		b = strconv.AppendInt(b, int64(head.Count), 10)
	}
	if head.NextLink != "" {
		b = append(b, `,"@odata.nextLink":`...)
		b = AppendString(b, head.NextLink)
	}
	if head.DeltaLink != "" {
		b = append(b, `,"@odata.deltaLink":`...)
		b = AppendString(b, head.DeltaLink)
	}
	b = append(b, `,"value":[`...)
	return CollectionWriter{buf: b}
}

// next returns the buffer with the separator before a new item.
func (w *CollectionWriter) next() []byte {
	w.items++
	if w.items > 1 {
		return append(w.buf, ',')
	}
	return w.buf
}

// AddRef appends a reference item, {"@odata.id":id}.
func (w *CollectionWriter) AddRef(id string) {
	w.buf = AppendRef(w.next(), "", id)
}

// AddValue appends an item that is a JSON value written as it is (it must be valid
// JSON): a string, number or object of a collection of primitive or complex values.
func (w *CollectionWriter) AddValue(raw []byte) {
	w.buf = append(w.next(), raw...)
}

// AddString appends an item that is a string, escaped.
func (w *CollectionWriter) AddString(s string) {
	w.buf = AppendString(w.next(), s)
}

// AddFunc appends an item that fn writes: fn appends exactly one JSON value to dst and
// returns the extended slice. An error from fn is returned and the body is abandoned.
func (w *CollectionWriter) AddFunc(fn func(dst []byte) ([]byte, error)) error {
	b, err := fn(w.next())
	if err != nil {
		return err
	}
	w.buf = b
	return nil
}

// AddRemoved appends the item of a delta response for an entity removed from the
// collection: its @odata.type (when typeName is not empty), its key and the @removed
// annotation with its reason:
//
//	{"@odata.type":"#microsoft.graph.message","id":"1","@removed":{"reason":"deleted"}}
func (w *CollectionWriter) AddRemoved(typeName, keyName, id, reason string) {
	b := append(w.next(), '{')
	if typeName != "" {
		b = append(b, `"@odata.type":"#`...)
		b = append(b, typeName...)
		b = append(b, `",`...)
	}
	b = AppendString(b, keyName)
	b = append(b, ':')
	b = AppendString(b, id)
	b = append(b, `,"@removed":{"reason":`...)
	b = AppendString(b, reason)
	w.buf = append(b, "}}"...)
}

// Len returns the number of items added so far.
func (w *CollectionWriter) Len() int { return w.items }

// ObjectWriter adds members to a JSON object already written, such as an entity's body
// that gains its expanded navigation properties. ReopenObject starts one; each member
// comes with the comma it needs; Close puts the closing brace back.
//
//	w := odata.ReopenObject(body) // {"id":"1"}
//	c := w.BeginCollection("members", odata.ExpandedHead{Count: 1, Counted: true})
//	c.AddRef("http://h/v1.0/users/2")
//	w.EndCollection(c)
//	w.AddRaw("manager", nil)
//	body = w.Close()
//
// writes
//
//	{"id":"1","members@odata.count":1,"members":[{"@odata.id":"http://h/v1.0/users/2"}],"manager":null}
type ObjectWriter struct {
	buf     []byte
	members int
}

// ReopenObject continues obj, which must be a JSON object (trailing whitespace allowed):
// its closing brace is taken off until Close.
func ReopenObject(obj []byte) ObjectWriter {
	b := bytes.TrimRight(obj, " \t\r\n")
	b = b[:len(b)-1] // '}'
	w := ObjectWriter{buf: b}
	if inner := bytes.TrimRight(b, " \t\r\n"); len(inner) > 0 && inner[len(inner)-1] != '{' {
		w.members = 1
	}
	return w
}

// name appends the separator and "name":.
func (w *ObjectWriter) name(name string) []byte {
	b := w.buf
	if w.members > 0 {
		b = append(b, ',')
	}
	w.members++
	b = AppendString(b, name)
	return append(b, ':')
}

// AddRaw adds the member name with a JSON value written as it is; nil or empty is null.
func (w *ObjectWriter) AddRaw(name string, raw []byte) {
	b := w.name(name)
	if len(raw) == 0 {
		w.buf = append(b, "null"...)
		return
	}
	w.buf = append(b, raw...)
}

// AddFunc adds the member name with the value fn appends (exactly one JSON value). An
// error from fn is returned and the object is abandoned.
func (w *ObjectWriter) AddFunc(name string, fn func(dst []byte) ([]byte, error)) error {
	b, err := fn(w.name(name))
	if err != nil {
		return err
	}
	w.buf = b
	return nil
}

// ExpandedHead holds the annotation of an expanded collection: name@odata.count, written
// when Counted is set ($count=true inside $expand).
type ExpandedHead struct {
	Count   int
	Counted bool
}

// BeginCollection starts an expanded collection member: "name@odata.count":n when
// counted, then "name":[. Add its items to the returned writer as to a collection body,
// then hand it to EndCollection; add nothing to w in between.
func (w *ObjectWriter) BeginCollection(name string, head ExpandedHead) CollectionWriter {
	if head.Counted {
		b := w.buf
		if w.members > 0 {
			b = append(b, ',')
		}
		w.members++
		b = AppendString(b, name)
		b = b[:len(b)-1] // reopen the string to append the annotation's suffix
		b = append(b, `@odata.count":`...)
		w.buf = strconv.AppendInt(b, int64(head.Count), 10)
	}
	return CollectionWriter{buf: append(w.name(name), '[')}
}

// EndCollection closes the expanded collection c that BeginCollection started.
func (w *ObjectWriter) EndCollection(c CollectionWriter) { w.buf = append(c.buf, ']') }

// Close puts the object's closing brace back and returns it.
func (w *ObjectWriter) Close() []byte { return append(w.buf, '}') }
