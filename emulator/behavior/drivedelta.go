package behavior

import (
	"strings"

	"github.com/graph-emulator/graph-emulator/emulator/store"
	"github.com/graph-emulator/graph-emulator/entities"
	"github.com/graph-emulator/graph-emulator/odata"
)

// A drive's delta (driveitem-delta.md): GET /drives/{id}/root/delta is bound to the
// root item, not to a collection, and takes its state in a token parameter
// (delta(token='…'), ?token=…, ?token=latest); it tracks every item of the drive, the
// root included. The generic engine pages the drive's items and the change feed as for
// any delta (emulator/delta.go); this file says which function is one, what it tracks,
// and how a deleted item is written: with the deleted facet, not @removed.

// IsEntityDelta reports whether op is a delta function bound to one drive item.
func (b *Behavior) IsEntityDelta(op *entities.Operation) bool {
	if op == nil || op.Kind != entities.Function || !op.IsBound || op.Name != deltaName ||
		!strings.HasPrefix(op.ReturnType, "Collection(") {
		return false
	}
	bt := op.BindingType()
	return !strings.HasPrefix(bt, "Collection(") && strings.HasSuffix(bt, ".driveItem")
}

// DeltaScope returns the collection a delta bound to the drive item e (kept in coll)
// tracks: its drive's items, for the root. Graph's OneDrive for Business and SharePoint
// track a drive from its root only.
func (b *Behavior) DeltaScope(coll store.Coll, e store.Entity) (store.Coll, error) {
	drive, ok := isItemsColl(coll)
	if !ok {
		return store.Coll{}, errItemNotFound()
	}
	if it := (item{drive: drive, e: e}); !it.isRoot() {
		return store.Coll{}, errInvalidRequest("Delta is only supported on the root of a drive: GET /drives/{drive-id}/root/delta.")
	}
	return itemsOf(drive), nil
}

// RemovedEntry is how a delta page writes an entity of type t deleted since the
// client's token, or nil for OData's {"id":…,"@removed":{"reason":…}}: a drive item
// comes with the deleted facet.
func (b *Behavior) RemovedEntry(schema *entities.Schema, t *entities.StructuredType, keyName, id string) []byte {
	if t == nil || !b.Manages(schema, t) {
		return nil
	}
	out := append([]byte{'{'}, odata.AppendString(nil, keyName)...)
	out = append(out, ':')
	out = odata.AppendString(out, id)
	return append(out, `,"deleted":{"state":"deleted"}}`...)
}

// DeltaTokenParam is the name of the parameter an entity-bound delta takes its state in.
const DeltaTokenParam = "token"
