package behavior

import (
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/tidwall/gjson"

	"github.com/graph-emulator/graph-emulator/emulator/store"
	"github.com/graph-emulator/graph-emulator/entities"
	"github.com/graph-emulator/graph-emulator/odata"
)

// Attachments of messages and events: POST …/attachments with a fileAttachment
// (contentBytes, base64), an itemAttachment (item) or a referenceAttachment, stored as
// given with what Graph sets: size (a file's bytes), lastModifiedDateTime,
// isInline false and contentType application/octet-stream unless given. The item's
// hasAttachments follows (true while it has an attachment that is not inline).
// GET …/attachments/{id}/$value answers a file attachment's bytes with its contentType.
// Files of 3 MB and more go through an upload session (uploads.go).

// writingAttachment completes an attachment the generic handlers store.
func (b *Behavior) writingAttachment(w *EntityWrite, body []byte) ([]byte, error) {
	return b.completeAttachment(w.Type, body, w.Now(), w.Merge)
}

// completeAttachment sets what Graph sets on an attachment of type t; a file's
// contentBytes must be base64.
func (b *Behavior) completeAttachment(t *entities.StructuredType, body []byte, now time.Time, merge func([]byte, []entities.Field) []byte) ([]byte, error) {
	pairs := []string{"lastModifiedDateTime", str(graphDateTime(now))}
	if cb := gjson.GetBytes(body, "contentBytes"); cb.Exists() && cb.Type != gjson.Null {
		data, err := base64.StdEncoding.DecodeString(cb.String())
		if err != nil {
			return nil, &odata.Error{Status: http.StatusBadRequest, Code: "ErrorInvalidProperty",
				Message: "The contentBytes of the attachment is not a valid base64 string."}
		}
		pairs = append(pairs, "size", strconv.Itoa(len(data)))
	} else if _, i := t.Property("size"); i >= 0 && !gjson.GetBytes(body, "size").Exists() {
		pairs = append(pairs, "size", "0")
	}
	if v := gjson.GetBytes(body, "isInline"); !v.Exists() || v.Type == gjson.Null {
		pairs = append(pairs, "isInline", "false")
	}
	if isA2(t, fileAttachment) {
		if v := gjson.GetBytes(body, "contentType"); !v.Exists() || v.Type == gjson.Null || v.String() == "" {
			pairs = append(pairs, "contentType", str(contentTypeOf(gjson.GetBytes(body, "name").String())))
		}
	}
	if merge != nil {
		return merge(body, fieldsOf(t, pairs...)), nil
	}
	return b.set(t, body, pairs...), nil
}

// isA2 reports whether t is the type named name or derives from it, without the
// schema.
func isA2(t *entities.StructuredType, name string) bool {
	for ; t != nil; t = t.Base() {
		if t.QualifiedName() == name {
			return true
		}
	}
	return false
}

// contentTypeOf guesses a file's media type from its name, as Outlook does for the
// common kinds.
func contentTypeOf(name string) string {
	ext := strings.ToLower(name)
	if i := strings.LastIndexByte(ext, '.'); i >= 0 {
		ext = ext[i+1:]
	} else {
		ext = ""
	}
	switch ext {
	case "txt", "log", "md":
		return "text/plain"
	case "htm", "html":
		return "text/html"
	case "csv":
		return "text/csv"
	case "json":
		return "application/json"
	case "pdf":
		return "application/pdf"
	case "png":
		return "image/png"
	case "jpg", "jpeg":
		return "image/jpeg"
	case "gif":
		return "image/gif"
	case "zip":
		return "application/zip"
	case "docx":
		return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
	case "xlsx":
		return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	case "pptx":
		return "application/vnd.openxmlformats-officedocument.presentationml.presentation"
	}
	return "application/octet-stream"
}

// inlineAttachments stores the attachments a message or event was created with (its
// attachments member, as POST /me/messages takes them) under it, and leaves them out of
// its body.
func (b *Behavior) inlineAttachments(w *EntityWrite, e store.Entity) error {
	list := gjson.GetBytes(e.Body, attachmentsNav)
	if !list.Exists() {
		return nil
	}
	body, atts, err := b.splitAttachments(w.Schema, w.Type, e.Body, w.NewID, w.Now())
	if err != nil {
		return err
	}
	if _, err := w.Tx.Replace(w.Coll, store.Entity{ID: e.ID, Type: e.Type, Body: body}, nil); err != nil {
		return err
	}
	dst := w.Coll.Contained(e.ID, attachmentsNav)
	for _, a := range atts {
		if _, err := w.Tx.Insert(dst, a.e); err != nil {
			return err
		}
	}
	return b.syncHasAttachments(w.Schema, w.Tx, dst)
}

// attachmentWritten keeps the owning item's hasAttachments right.
func (b *Behavior) attachmentWritten(w *EntityWrite) error {
	return b.syncHasAttachments(w.Schema, w.Tx, w.Coll)
}

// syncHasAttachments sets hasAttachments on the message or event whose attachments
// are in coll: whether any of them is not inline.
func (b *Behavior) syncHasAttachments(schema *entities.Schema, tx store.Tx, coll store.Coll) error {
	parent, key, nav, ok := coll.Owner()
	if !ok || nav != attachmentsNav {
		return nil
	}
	item, err := tx.Get(parent, key)
	if err != nil {
		return nil
	}
	t := schema.EntityType(item.Type)
	if t == nil {
		return nil
	}
	if _, i := t.Property("hasAttachments"); i < 0 {
		return nil
	}
	has := false
	tx.Scan(coll, 0, func(a store.Entity) bool {
		has = !gjson.GetBytes(a.Body, "isInline").Bool()
		return !has
	})
	if gjson.GetBytes(item.Body, "hasAttachments").Bool() == has && gjson.GetBytes(item.Body, "hasAttachments").Exists() {
		return nil
	}
	_, err = tx.Replace(parent, store.Entity{ID: item.ID, Type: item.Type, Body: b.set(t, item.Body, "hasAttachments", boolJSON(has))},
		[]string{"hasAttachments"})
	return err
}

// Content answers the raw content of an entity (GET …/{id}/$value): a file
// attachment's bytes and media type. ok is false for an entity without content.
func (b *Behavior) Content(schema *entities.Schema, e store.Entity) (data []byte, contentType string, ok bool) {
	t := schema.EntityType(e.Type)
	if t == nil || !isA(schema, t, fileAttachment) {
		return nil, "", false
	}
	r := gjson.GetManyBytes(e.Body, "contentBytes", "contentType")
	data, err := base64.StdEncoding.DecodeString(r[0].String())
	if err != nil {
		return nil, "", false
	}
	contentType = r[1].String()
	if contentType == "" {
		contentType = "application/octet-stream"
	}
	return data, contentType, true
}
