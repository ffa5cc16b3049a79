package behavior

import (
	"context"
	"net/http"

	"github.com/graph-emulator/graph-emulator/emulator/store"
	"github.com/graph-emulator/graph-emulator/odata"
)

// Moving and copying a message (message-move.md, message-copy.md):
//
//	POST …/messages/{id}/move {"destinationId": folder id or well-known name} → 201
//	POST …/messages/{id}/copy {"destinationId": …}                             → 201
//
// The answer is the message in the destination folder, under a new id (parentFolderId
// the destination), with its attachments; move removes the original. The destination
// is a folder of the same mailbox; another is Graph's 404.

func registerMoveCopy(b *Behavior) {
	b.bindOp(graphNamespace+".move", messageType, b.moveMessage(true))
	b.bindOp(graphNamespace+".copy", messageType, b.moveMessage(false))
}

func (b *Behavior) moveMessage(move bool) Operation {
	return func(_ context.Context, c *OpCall) (*OpResult, error) {
		if c.Tx == nil || c.Binding.ID == "" {
			return nil, odata.ErrInternal()
		}
		uid, ok := mailboxOwner(c.BindingColl)
		if !ok {
			return nil, errOutlookNotFound()
		}
		dest := c.Args.String("DestinationId")
		fcoll, folder, ok := folderOf(c.Tx, uid, dest)
		if !ok {
			return nil, errOutlookNotFound()
		}
		m := c.Binding
		t := c.Schema.EntityType(m.Type)
		if t == nil {
			return nil, odata.ErrInternal()
		}
		id := c.NewID()
		now := str(graphDateTime(c.Now()))
		pairs := []string{"parentFolderId", str(folder.ID), "webLink", str(messageWebLink(id)),
			"lastModifiedDateTime", now, "changeKey", str("")}
		if !move {
			pairs = append(pairs, "createdDateTime", now)
		}
		body := b.set(t, withID(m.Body, id), pairs...)
		dst := fcoll.Contained(folder.ID, messagesNav)
		e, err := c.Tx.Insert(dst, store.Entity{ID: id, Type: m.Type, Body: body})
		if err != nil {
			return nil, err
		}
		if err := copyUnder(c.Tx, c.Schema, m.Type, c.BindingColl, m.ID, dst, id, c.NewID); err != nil {
			return nil, err
		}
		if move {
			if err := c.Tx.Delete(c.BindingColl, m.ID); err != nil {
				return nil, err
			}
		}
		return &OpResult{Status: http.StatusCreated, Entity: &e, EntitySet: "users('" + urlKey(uid) + "')/messages", EntityColl: dst}, nil
	}
}
