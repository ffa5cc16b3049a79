package behavior

import (
	"context"
	"net/http"
	"strings"

	"github.com/tidwall/gjson"

	"github.com/graph-emulator/graph-emulator/emulator/store"
	"github.com/graph-emulator/graph-emulator/entities"
	"github.com/graph-emulator/graph-emulator/odata"
)

// The actions on events, each 202 Accepted without a body, as Graph answers them:
//
//	accept, tentativelyAccept, decline  {"comment","sendResponse"}: the attendee's copy
//	        gets responseStatus accepted, tentativelyAccepted or declined (with the time);
//	        unless sendResponse is false, the organizer's event (same iCalUId) shows the
//	        attendee's status. The organizer cannot respond (400).
//	cancel  {"comment"}: the organizer only (else Graph's 400); the event leaves the
//	        organizer's calendar, the attendees' copies are cancelled (isCancelled). On
//	        an occurrence, that occurrence is cancelled (cancelledOccurrences).
//	forward {"toRecipients","comment"}: tenant users among the recipients get the event
//	        in their calendar; other recipients' invitations go to the outbox.
//	dismissReminder: isReminderOn false. snoozeReminder: accepted, nothing kept.
//
// Deleting the organizer's event cancels the attendees' copies too; deleting an
// occurrence (its id from a calendar view) cancels that occurrence.

func registerEventActions(b *Behavior) {
	b.bindOp(graphNamespace+".accept", eventType, b.respond("accepted"))
	b.bindOp(graphNamespace+".tentativelyAccept", eventType, b.respond("tentativelyAccepted"))
	b.bindOp(graphNamespace+".decline", eventType, b.respond("declined"))
	b.bindOp(graphNamespace+".cancel", eventType, b.cancelEvent)
	b.bindOp(graphNamespace+".forward", eventType, b.forwardEvent)
	b.bindOp(graphNamespace+".dismissReminder", eventType, b.dismissReminder)
	b.bindOp(graphNamespace+".snoozeReminder", eventType, accepted)
}

// bindOp registers op under a qualified operation name for calls bound to the type
// named bound (or one derived from it); calls bound to another type go to what was
// registered under the name before, else to the fallback (501).
func (b *Behavior) bindOp(name, bound string, op Operation) {
	prev, had := b.operations[name]
	b.operations[name] = func(ctx context.Context, c *OpCall) (*OpResult, error) {
		if bt := bindingType(c); bt != nil && isA(c.Schema, bt, bound) {
			return op(ctx, c)
		}
		if had {
			return prev(ctx, c)
		}
		return notImplemented(ctx, c)
	}
}

func accepted(context.Context, *OpCall) (*OpResult, error) { return acceptedResult() }

// acceptedResult is 202 Accepted without a body.
func acceptedResult() (*OpResult, error) { return &OpResult{Status: http.StatusAccepted}, nil }

// boundEvent is the stored event an action is bound to: the series master of an
// occurrence.
func boundEvent(c *OpCall) (located, error) {
	if c.Tx == nil || c.Binding.ID == "" {
		return located{}, odata.ErrInternal()
	}
	e := c.Binding
	if m := gjson.GetBytes(e.Body, "seriesMasterId").String(); m != "" && gjson.GetBytes(e.Body, "type").String() == "occurrence" {
		master, err := c.Tx.Get(c.BindingColl, m)
		if err != nil {
			return located{}, errOutlookNotFound()
		}
		return located{c.BindingColl, master}, nil
	}
	return located{c.BindingColl, e}, nil
}

// userAddresses are the addresses mail to a user reaches: mail, userPrincipalName,
// proxyAddresses.
func userAddresses(body []byte) []string {
	r := gjson.GetManyBytes(body, "mail", "userPrincipalName", "proxyAddresses")
	var out []string
	for _, v := range r[:2] {
		if v.String() != "" {
			out = append(out, v.String())
		}
	}
	r[2].ForEach(func(_, p gjson.Result) bool {
		s := p.String()
		if i := strings.IndexByte(s, ':'); i >= 0 {
			s = s[i+1:]
		}
		out = append(out, s)
		return true
	})
	return out
}

func hasAddress(addrs []string, a string) bool {
	for _, x := range addrs {
		if strings.EqualFold(x, a) {
			return true
		}
	}
	return false
}

// respond answers accept, tentativelyAccept and decline.
func (b *Behavior) respond(response string) Operation {
	return func(_ context.Context, c *OpCall) (*OpResult, error) {
		ev, err := boundEvent(c)
		if err != nil {
			return nil, err
		}
		if gjson.GetBytes(ev.e.Body, "isOrganizer").Bool() {
			return nil, errEvent("You can't respond to this meeting because you're the meeting organizer.")
		}
		t := c.Schema.EntityType(ev.e.Type)
		status := `{"response":` + str(response) + `,"time":` + str(graphDateTime(c.Now())) + `}`
		if _, err := c.Tx.Replace(ev.coll, store.Entity{ID: ev.e.ID, Type: ev.e.Type,
			Body: b.set(t, ev.e.Body, "responseStatus", status)}, []string{"responseStatus"}); err != nil {
			return nil, err
		}
		if send := c.Args.Get("SendResponse"); send.Exists() && send.Type == gjson.False {
			return acceptedResult()
		}
		uid, ok := mailboxOwner(ev.coll)
		if !ok {
			return acceptedResult()
		}
		me, err := c.Tx.Get(users(), uid)
		if err != nil {
			return acceptedResult()
		}
		org, ok := findRecipient(c.Tx, gjson.GetBytes(ev.e.Body, "organizer.emailAddress.address").String())
		if !ok {
			return acceptedResult()
		}
		oe, ok := findByICalUID(c.Tx, org.ID, gjson.GetBytes(ev.e.Body, "iCalUId").String())
		if !ok {
			return acceptedResult()
		}
		addrs := userAddresses(me.Body)
		list := []byte{'['}
		gjson.GetBytes(oe.e.Body, "attendees").ForEach(func(_, a gjson.Result) bool {
			raw := a.Raw
			if hasAddress(addrs, a.Get("emailAddress.address").String()) {
				raw = string(plainMerge([]byte(raw), []entities.Field{{Name: "status", Raw: status}}))
			}
			if len(list) > 1 {
				list = append(list, ',')
			}
			list = append(list, raw...)
			return true
		})
		list = append(list, ']')
		ot := c.Schema.EntityType(oe.e.Type)
		_, err = c.Tx.Replace(oe.coll, store.Entity{ID: oe.e.ID, Type: oe.e.Type, Body: b.set(ot, oe.e.Body, "attendees", string(list))},
			[]string{"attendees"})
		if err != nil {
			return nil, err
		}
		return acceptedResult()
	}
}

// cancelEvent answers cancel.
func (b *Behavior) cancelEvent(_ context.Context, c *OpCall) (*OpResult, error) {
	ev, err := boundEvent(c)
	if err != nil {
		return nil, err
	}
	if !gjson.GetBytes(ev.e.Body, "isOrganizer").Bool() {
		return nil, errEvent("You need to be an organizer to cancel a meeting.")
	}
	if c.Binding.ID != ev.e.ID {
		if err := b.cancelOccurrence(c.Schema, c.Tx, ev, c.Binding); err != nil {
			return nil, err
		}
		return acceptedResult()
	}
	if err := b.cancelCopies(c.Schema, c.Tx, ev); err != nil {
		return nil, err
	}
	if err := c.Tx.Delete(ev.coll, ev.e.ID); err != nil {
		return nil, err
	}
	return acceptedResult()
}

// cancelCopies cancels the attendees' copies of the organizer's event ev.
func (b *Behavior) cancelCopies(schema *entities.Schema, tx store.Tx, ev located) error {
	iCal := gjson.GetBytes(ev.e.Body, "iCalUId").String()
	uid, _ := mailboxOwner(ev.coll)
	var err error
	gjson.GetBytes(ev.e.Body, "attendees").ForEach(func(_, a gjson.Result) bool {
		u, ok := findRecipient(tx, a.Get("emailAddress.address").String())
		if !ok || u.ID == uid {
			return true
		}
		cp, ok := findByICalUID(tx, u.ID, iCal)
		if !ok {
			return true
		}
		t := schema.EntityType(cp.e.Type)
		_, err = tx.Replace(cp.coll, store.Entity{ID: cp.e.ID, Type: cp.e.Type, Body: b.set(t, cp.e.Body, "isCancelled", "true")},
			[]string{"isCancelled"})
		return err == nil
	})
	return err
}

// cancelOccurrence cancels one occurrence of the series ev, for the organizer and the
// attendees' copies.
func (b *Behavior) cancelOccurrence(schema *entities.Schema, tx store.Tx, ev located, occ store.Entity) error {
	i := strings.LastIndexByte(occ.ID, '_')
	if i < 0 {
		return errOutlookNotFound()
	}
	day, ok := parseCivilCompact(occ.ID[i+1:])
	if !ok {
		return errOutlookNotFound()
	}
	mark := func(l located) error {
		name := cancelledName(l.e.ID, day)
		list := []byte{'['}
		gjson.GetBytes(l.e.Body, "cancelledOccurrences").ForEach(func(_, v gjson.Result) bool {
			if v.String() != name {
				if len(list) > 1 {
					list = append(list, ',')
				}
				list = append(list, v.Raw...)
			}
			return true
		})
		if len(list) > 1 {
			list = append(list, ',')
		}
		list = append(append(list, str(name)...), ']')
		t := schema.EntityType(l.e.Type)
		_, err := tx.Replace(l.coll, store.Entity{ID: l.e.ID, Type: l.e.Type, Body: b.set(t, l.e.Body, "cancelledOccurrences", string(list))},
			[]string{"cancelledOccurrences"})
		return err
	}
	if err := mark(ev); err != nil {
		return err
	}
	if !gjson.GetBytes(ev.e.Body, "isOrganizer").Bool() {
		return nil
	}
	iCal := gjson.GetBytes(ev.e.Body, "iCalUId").String()
	uid, _ := mailboxOwner(ev.coll)
	var err error
	gjson.GetBytes(ev.e.Body, "attendees").ForEach(func(_, a gjson.Result) bool {
		u, ok := findRecipient(tx, a.Get("emailAddress.address").String())
		if !ok || u.ID == uid {
			return true
		}
		if cp, ok := findByICalUID(tx, u.ID, iCal); ok {
			err = mark(cp)
		}
		return err == nil
	})
	return err
}

func parseCivilCompact(s string) (civil, bool) {
	if len(s) != 8 {
		return civil{}, false
	}
	return parseCivil(s[:4] + "-" + s[4:6] + "-" + s[6:])
}

// forwardEvent answers forward: the recipients who are tenant users get the event.
func (b *Behavior) forwardEvent(_ context.Context, c *OpCall) (*OpResult, error) {
	ev, err := boundEvent(c)
	if err != nil {
		return nil, err
	}
	to := c.Args.Get("ToRecipients")
	if len(to.Array()) == 0 {
		return nil, errNoRecipients()
	}
	t := c.Schema.EntityType(ev.e.Type)
	iCal := gjson.GetBytes(ev.e.Body, "iCalUId").String()
	uid, _ := mailboxOwner(ev.coll)
	var external []string
	for _, r := range to.Array() {
		addr := r.Get("emailAddress.address").String()
		if !strings.Contains(addr, "@") {
			return nil, errBadRecipient(addr)
		}
		u, ok := findRecipient(c.Tx, addr)
		if !ok {
			external = append(external, addr)
			continue
		}
		if u.ID == uid {
			continue
		}
		if err := b.ensureMailbox(c.Schema, c.Tx, u.ID, c.NewID); err != nil {
			return nil, err
		}
		if err := b.attendeeCopy(t, c.Tx, u.ID, iCal, ev.e, c.NewID, c.Now); err != nil {
			return nil, err
		}
	}
	if len(external) > 0 {
		sender := ""
		if uid != "" {
			if me, err := c.Tx.Get(users(), uid); err == nil {
				_, sender = userAddress(me.Body)
			}
		}
		msg := b.set(t, ev.e.Body, "bodyPreview", str(c.Args.String("Comment")))
		if err := b.toOutbox(c.Tx, c.NewID(), sender, external, "event", msg, c.Now()); err != nil {
			return nil, err
		}
	}
	return acceptedResult()
}

// dismissReminder turns the event's reminder off.
func (b *Behavior) dismissReminder(_ context.Context, c *OpCall) (*OpResult, error) {
	ev, err := boundEvent(c)
	if err != nil {
		return nil, err
	}
	t := c.Schema.EntityType(ev.e.Type)
	_, err = c.Tx.Replace(ev.coll, store.Entity{ID: ev.e.ID, Type: ev.e.Type, Body: b.set(t, ev.e.Body, "isReminderOn", "false")},
		[]string{"isReminderOn"})
	if err != nil {
		return nil, err
	}
	return acceptedResult()
}

// deleteOutlook runs Graph's delete of Outlook items where it is not the store's plain
// delete: an occurrence is cancelled; the organizer's event cancels its attendees'
// copies as it goes; an attachment leaves its item's hasAttachments right.
func (b *Behavior) deleteOutlook(c *DeleteCall) (bool, error) {
	t := c.Type
	if t == nil || !hasMailboxes(c.Schema) {
		return false, nil
	}
	switch {
	case isA(c.Schema, t, eventType):
		body := c.Entity.Body
		if m := gjson.GetBytes(body, "seriesMasterId").String(); m != "" && gjson.GetBytes(body, "type").String() == "occurrence" {
			master, err := c.Tx.Get(c.Coll, m)
			if err != nil {
				return true, errOutlookNotFound()
			}
			return true, b.cancelOccurrence(c.Schema, c.Tx, located{c.Coll, master}, c.Entity)
		}
		if gjson.GetBytes(body, "isOrganizer").Bool() {
			return false, b.cancelCopies(c.Schema, c.Tx, located{c.Coll, c.Entity})
		}
	case isA(c.Schema, t, mailFolderType):
		if uid, ok := mailboxOwner(c.Coll); ok && c.Coll.Equal(mailFolders(uid)) {
			for _, f := range wellKnownFolders() {
				if c.Entity.ID == folderID(uid, f.name) {
					return true, &odata.Error{Status: http.StatusBadRequest, Code: "ErrorDeleteDistinguishedFolder",
						Message: "Distinguished folders cannot be deleted."}
				}
			}
		}
	case isA(c.Schema, t, attachmentType):
		if err := c.Tx.Delete(c.Coll, c.Entity.ID); err != nil {
			return true, err
		}
		return true, b.syncHasAttachments(c.Schema, c.Tx, c.Coll)
	}
	return false, nil
}
