package behavior

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/tidwall/gjson"

	"github.com/graph-emulator/graph-emulator/emulator/store"
	"github.com/graph-emulator/graph-emulator/entities"
	"github.com/graph-emulator/graph-emulator/odata"
)

// Sending mail.
//
//	POST /users/{id}/sendMail {"message":{…},"saveToSentItems":bool}  → 202
//	POST …/messages/{id}/send (a draft)                                → 202
//
// The message is sent at once, in the request's write: a copy in the sender's Sent
// Items (unless saveToSentItems is false; a sent draft always), not a draft, read, sent
// now; a copy in the Inbox of every recipient (to, cc and bcc, each once) who is a user
// of the tenant, found by mail, userPrincipalName or proxyAddresses, unread, with the
// same internetMessageId and conversationId and without the bcc line; and, when some
// recipients are not users of the tenant, one entry in the tenant's outbox naming them,
// which tests read through GET /_emulator/mail (outbox.go). Attachments (in the
// message's attachments, or the draft's) go with every copy. A message without any
// recipient, or with an address without '@', is Graph's 400 ErrorInvalidRecipients.

func registerSendMail(b *Behavior) {
	b.bindOp(graphNamespace+".sendMail", userType, b.sendMail)
	b.bindOp(graphNamespace+".send", messageType, b.sendDraft)
}

func errNoRecipients() error {
	return &odata.Error{Status: http.StatusBadRequest, Code: "ErrorInvalidRecipients",
		Message: "At least one recipient isn't valid., A message can't be sent because it contains no recipients."}
}

func errBadRecipient(addr string) error {
	return &odata.Error{Status: http.StatusBadRequest, Code: "ErrorInvalidRecipients",
		Message: "At least one recipient isn't valid., Recipient '" + addr + "' is not resolved. All recipients must be resolved before a message can be submitted."}
}

// attachmentSource is an attachment to copy with a message: given in JSON (body, with
// its type), or stored under a message (then coll and the entity, with what it holds).
type attachmentSource struct {
	e    store.Entity
	coll store.Coll // zero for one given in JSON
}

// outgoing is a message being sent.
type outgoing struct {
	schema *entities.Schema
	t      *entities.StructuredType // message
	tx     store.Tx
	uid    string // the sender's user
	body   []byte // the message, without attachments
	atts   []attachmentSource
	save   bool
	now    time.Time
	newID  func() string
}

// sendMail answers sendMail.
func (b *Behavior) sendMail(_ context.Context, c *OpCall) (*OpResult, error) {
	if c.Tx == nil || c.Binding.ID == "" || !hasMailboxes(c.Schema) {
		return nil, odata.ErrInternal()
	}
	msg := c.Args.Get("Message")
	if !msg.IsObject() {
		return nil, odata.ErrParamMissing("sendMail", false, "Message")
	}
	t := c.Schema.EntityType(messageType)
	body, atts, err := b.splitAttachments(c.Schema, t, []byte(msg.Raw), c.NewID, c.Now())
	if err != nil {
		return nil, err
	}
	save := true
	if v := c.Args.Get("SaveToSentItems"); v.Type == gjson.False {
		save = false
	}
	o := &outgoing{schema: c.Schema, t: t, tx: c.Tx, uid: c.Binding.ID, body: body, atts: atts, save: save,
		now: c.Now(), newID: c.NewID}
	if err := b.submit(o); err != nil {
		return nil, err
	}
	return acceptedResult()
}

// sendDraft answers send on a draft: it leaves Drafts and is sent.
func (b *Behavior) sendDraft(_ context.Context, c *OpCall) (*OpResult, error) {
	if c.Tx == nil || c.Binding.ID == "" {
		return nil, odata.ErrInternal()
	}
	uid, _, ok := messageFolder(c.BindingColl)
	if !ok {
		return nil, errOutlookNotFound()
	}
	d := c.Binding
	if !gjson.GetBytes(d.Body, "isDraft").Bool() {
		return nil, &odata.Error{Status: http.StatusBadRequest, Code: "ErrorInvalidRequest",
			Message: "Your request can't be completed. Only a draft message can be sent."}
	}
	o := &outgoing{schema: c.Schema, t: c.Schema.EntityType(d.Type), tx: c.Tx, uid: uid, body: d.Body, save: true,
		now: c.Now(), newID: c.NewID, atts: storedAttachments(c.Tx, c.BindingColl, d.ID)}
	if o.t == nil {
		return nil, odata.ErrInternal()
	}
	if err := b.submit(o); err != nil {
		return nil, err
	}
	if err := c.Tx.Delete(c.BindingColl, d.ID); err != nil {
		return nil, err
	}
	return acceptedResult()
}

// storedAttachments lists the attachments stored under a message.
func storedAttachments(v store.View, coll store.Coll, id string) []attachmentSource {
	ac := coll.Contained(id, attachmentsNav)
	var out []attachmentSource
	v.Scan(ac, 0, func(e store.Entity) bool {
		out = append(out, attachmentSource{e: e, coll: ac})
		return true
	})
	return out
}

// splitAttachments takes a message's attachments out of its JSON: the message as it is
// stored and its attachments, each checked.
func (b *Behavior) splitAttachments(schema *entities.Schema, t *entities.StructuredType, msg []byte, newID func() string, now time.Time) ([]byte, []attachmentSource, error) {
	list := gjson.GetBytes(msg, attachmentsNav)
	body := []byte{'{'}
	gjson.ParseBytes(msg).ForEach(func(k, v gjson.Result) bool {
		if k.Str != attachmentsNav && !strings.HasPrefix(k.Str, "@") && !strings.Contains(k.Str, "@odata.") {
			body = appendMember(body, k.Str, v.Raw)
		}
		return true
	})
	body = append(body, '}')
	var atts []attachmentSource
	for _, a := range list.Array() {
		typ := strings.TrimPrefix(a.Get(`@odata\.type`).String(), "#")
		if typ == "" {
			typ = fileAttachment
		}
		at := schema.EntityType(typ)
		if at == nil || at.Abstract || !isA(schema, at, attachmentType) {
			return nil, nil, &odata.Error{Status: http.StatusBadRequest, Code: "BadRequest",
				Message: "The attachment type '" + typ + "' is not an attachment type."}
		}
		ab := []byte{'{'}
		ab = appendMember(ab, "id", str(newID()))
		a.ForEach(func(k, v gjson.Result) bool {
			if k.Str != "id" && !strings.HasPrefix(k.Str, "@") {
				ab = appendMember(ab, k.Str, v.Raw)
			}
			return true
		})
		ab = append(ab, '}')
		ab, err := b.completeAttachment(at, ab, now, nil)
		if err != nil {
			return nil, nil, err
		}
		atts = append(atts, attachmentSource{e: store.Entity{ID: gjson.GetBytes(ab, "id").String(), Type: at.QualifiedName(), Body: ab}})
	}
	return body, atts, nil
}

// recipientsOf lists a message's recipients' addresses (to, cc, bcc), each once.
func recipientsOf(body []byte) ([]string, error) {
	var out []string
	seen := map[string]bool{}
	for _, p := range [...]string{"toRecipients", "ccRecipients", "bccRecipients"} {
		for _, r := range gjson.GetBytes(body, p).Array() {
			addr := strings.TrimSpace(r.Get("emailAddress.address").String())
			if !strings.Contains(addr, "@") {
				return nil, errBadRecipient(addr)
			}
			if k := strings.ToLower(addr); !seen[k] {
				seen[k] = true
				out = append(out, addr)
			}
		}
	}
	if len(out) == 0 {
		return nil, errNoRecipients()
	}
	return out, nil
}

// submit sends o: Sent Items, the tenant recipients' Inboxes, the outbox.
func (b *Behavior) submit(o *outgoing) error {
	rcpts, err := recipientsOf(o.body)
	if err != nil {
		return err
	}
	if err := b.ensureMailbox(o.schema, o.tx, o.uid, o.newID); err != nil {
		return err
	}
	sender, err := o.tx.Get(users(), o.uid)
	if err != nil {
		return errOutlookNotFound()
	}
	name, addr := userAddress(sender.Body)
	body := b.set(o.t, o.body, "toRecipients", b.namedRecipients(o.tx, gjson.GetBytes(o.body, "toRecipients")),
		"ccRecipients", b.namedRecipients(o.tx, gjson.GetBytes(o.body, "ccRecipients")),
		"bccRecipients", b.namedRecipients(o.tx, gjson.GetBytes(o.body, "bccRecipients")))
	// The ids every copy shares: a reply keeps its conversation.
	conv := gjson.GetBytes(body, "conversationId").String()
	if conv == "" {
		conv = conversationID(o.newID())
	}
	imid := internetMessageID(o.newID(), addr)
	body = b.set(o.t, body, "conversationId", str(conv), "internetMessageId", str(imid))
	hasAtt := hasFileAttachments(o.atts)
	stamp := messageStamp{draft: false, read: true, now: o.now, owner: [2]string{name, addr}, keepIDs: true,
		newID: o.newID, attachment: hasAtt}
	if o.save {
		stamp.folder = folderID(o.uid, sentFolder)
		if err := b.storeMessage(o, folderMessages(o.uid, sentFolder), body, stamp); err != nil {
			return err
		}
	}
	delivered := b.set(o.t, body, "bccRecipients", "[]")
	var external []string
	done := map[string]bool{}
	for _, a := range rcpts {
		u, ok := findRecipient(o.tx, a)
		if !ok {
			external = append(external, a)
			continue
		}
		if done[u.ID] {
			continue
		}
		done[u.ID] = true
		if err := b.ensureMailbox(o.schema, o.tx, u.ID, o.newID); err != nil {
			return err
		}
		in := stamp
		in.folder, in.read, in.sent = folderID(u.ID, inboxFolder), false, o.now
		if err := b.storeMessage(o, folderMessages(u.ID, inboxFolder), delivered, in); err != nil {
			return err
		}
	}
	if len(external) > 0 {
		out := b.stampMessage(o.t, withID(body, o.newID()), stamp)
		if err := b.toOutbox(o.tx, o.newID(), addr, external, "message", out, o.now); err != nil {
			return err
		}
	}
	return nil
}

// storeMessage stores a copy of o's message (body) in coll, stamped, with its
// attachments.
func (b *Behavior) storeMessage(o *outgoing, coll store.Coll, body []byte, st messageStamp) error {
	id := o.newID()
	body = b.stampMessage(o.t, withID(body, id), st)
	if _, err := o.tx.Insert(coll, store.Entity{ID: id, Type: o.t.QualifiedName(), Body: body}); err != nil {
		return err
	}
	return copyAttachments(o.schema, o.tx, o.atts, coll.Contained(id, attachmentsNav), o.newID)
}

// copyAttachments stores attachments under a message (into dst), each with a new id
// and what it holds (an item attachment's item).
func copyAttachments(schema *entities.Schema, tx store.Tx, atts []attachmentSource, dst store.Coll, newID func() string) error {
	for _, a := range atts {
		id := newID()
		body := withID(a.e.Body, id)
		if _, err := tx.Insert(dst, store.Entity{ID: id, Type: a.e.Type, Body: body}); err != nil {
			return err
		}
		if !a.coll.IsZero() {
			if err := copyUnder(tx, schema, a.e.Type, a.coll, a.e.ID, dst, id, newID); err != nil {
				return err
			}
		}
	}
	return nil
}

// copyUnder copies what the entity fromID of from contains (its contained
// collections, to any depth) under the entity toID of to, with new keys.
func copyUnder(tx store.Tx, schema *entities.Schema, typeName string, from store.Coll, fromID string, to store.Coll, toID string, newID func() string) error {
	t := schema.EntityType(typeName)
	if t == nil {
		return nil
	}
	for _, nav := range t.AllNavigationProperties() {
		if !nav.ContainsTarget {
			continue
		}
		src := from.Contained(fromID, nav.Name)
		if tx.Len(src) == 0 {
			continue
		}
		var es []store.Entity
		tx.Scan(src, 0, func(e store.Entity) bool { es = append(es, e); return true })
		dst := to.Contained(toID, nav.Name)
		for _, e := range es {
			id := e.ID
			if nav.IsCollection() {
				id = newID()
			}
			body := withID(e.Body, id)
			if _, err := tx.Insert(dst, store.Entity{ID: id, Type: e.Type, Body: body}); err != nil {
				return err
			}
			if err := copyUnder(tx, schema, e.Type, src, e.ID, dst, id, newID); err != nil {
				return err
			}
		}
	}
	return nil
}

// hasFileAttachments reports whether a message with these attachments has
// attachments as Graph counts them: any that is not inline.
func hasFileAttachments(atts []attachmentSource) bool {
	for _, a := range atts {
		if !gjson.GetBytes(a.e.Body, "isInline").Bool() {
			return true
		}
	}
	return false
}
