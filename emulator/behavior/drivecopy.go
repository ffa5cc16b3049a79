package behavior

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/tidwall/gjson"

	"github.com/graph-emulator/graph-emulator/emulator/store"
	"github.com/graph-emulator/graph-emulator/odata"
)

// Copy and search of drive items. copy (driveitem-copy.md) is asynchronous in Graph: 202
// with a monitor URL whose status reports progress (concepts/long-running-actions-
// overview.md). The emulator copies inside the request's write, so the monitor at
// MonitorPath answers "completed" with the new item's id at once. search(q='…') lists
// the items under a drive or folder whose name holds q, ignoring case.

// MonitorPath is where the emulator serves the status of copies: the path of the
// Location a copy answers with, before its token.
const MonitorPath = "/_emulator/monitor/"

// copyItem copies an item (a folder with everything under it) into the folder
// parentReference names (same drive by default, or driveId's), under name or the
// item's own; the conflict behaviour is the query option's, default fail.
func (b *Behavior) copyItem(_ context.Context, c *OpCall) (*OpResult, error) {
	if c.Address != nil && !c.Address.Found {
		return nil, errItemNotFound()
	}
	drive, ok := driveOf(c)
	if !ok || c.Tx == nil {
		return nil, errItemNotFound()
	}
	src := item{drive: drive, e: c.Binding}
	if c.Address != nil {
		src.e = c.Address.Entity
	}
	if src.isRoot() {
		return nil, errInvalidRequest("The root folder of a drive cannot be copied.")
	}
	call := opCallAsCall(c)
	targetDrive := drive
	pr := gjson.GetBytes(c.Body, "parentReference")
	if d := pr.Get("driveId").String(); d != "" && d != drive {
		if _, ok := b.loadDrive(c.Tx, d); !ok {
			return nil, errItemNotFound()
		}
		targetDrive = d
	}
	var target item
	switch id, path := pr.Get("id").String(), pr.Get("path").String(); {
	case id != "":
		target, ok = b.getItem(c.Tx, targetDrive, id)
	case path != "":
		target, ok = b.itemAtPath(c.Tx, targetDrive, path)
	case targetDrive != drive:
		target, ok = b.rootOf(c.Tx, targetDrive)
	default:
		target, ok = b.getItem(c.Tx, drive, src.parentID())
	}
	if !ok {
		return nil, errItemNotFound()
	}
	if !target.isFolder() {
		return nil, errNotFolder()
	}
	if targetDrive == drive {
		for at, up := target, true; up && !at.isRoot(); at, up = b.getItem(c.Tx, drive, at.parentID()) {
			if at.id() == src.id() {
				return nil, errInvalidRequest("An item cannot be copied into itself or a folder under it.")
			}
		}
	}
	name := src.name()
	if v := gjson.GetBytes(c.Body, "name"); v.Exists() && v.Type != gjson.Null {
		if v.Type != gjson.String {
			return nil, errInvalidRequest("The 'name' parameter must be a string.")
		}
		name = v.Str
	}
	if err := checkName(name); err != nil {
		return nil, err
	}
	cb, err := conflictOf(nil, "", c.Env.query(), conflictFail)
	if err != nil {
		return nil, err
	}
	pl, err := b.place(c.Tx, target, name, "", cb)
	if err != nil {
		return nil, err
	}
	if pl.replaced != nil {
		if pl.replaced.id() == src.id() {
			return nil, errInvalidRequest("An item cannot replace itself.")
		}
		if err := b.deleteTree(call, c.Tx, *pl.replaced); err != nil {
			return nil, err
		}
		target, _ = b.getItem(c.Tx, targetDrive, target.id())
	}
	copied, err := b.copyTree(call, c.Tx, src, target, pl.name)
	if err != nil {
		return nil, err
	}
	loc := c.Env.Base + MonitorPath + b.sealToken("monitor", c.Version, targetDrive, copied.id())
	return &OpResult{Status: http.StatusAccepted, Location: loc}, nil
}

// opCallAsCall is the Call the item helpers take, for an operation's write.
func opCallAsCall(c *OpCall) *Call {
	return &Call{Schema: c.Schema, Type: c.Schema.EntityType(driveItemType), Tenant: c.Tenant, View: c.View,
		Now: c.Now, NewID: c.NewID, Env: c.Env}
}

// copyTree copies src (and what is under it) into folder as name.
func (b *Behavior) copyTree(c *Call, tx store.Tx, src, folder item, name string) (item, error) {
	spec := newItem{name: name, folder: src.isFolder(),
		description: rawOf(src.e.Body, "description")}
	if src.isFile() {
		h := src.get("file.hashes")
		spec.file = &fileFacet{size: src.size(), hashes: Hashes{QuickXor: h.Get("quickXorHash").String(),
			SHA1: h.Get("sha1Hash").String(), SHA256: h.Get("sha256Hash").String()}}
	}
	it, err := b.insertItem(c, tx, folder, spec)
	if err != nil {
		return item{}, err
	}
	if src.isFile() {
		if c.Env.Content == nil {
			return item{}, errNoContent()
		}
		content, tenant, from, to, limit := c.Env.Content, c.Tenant, contentKey(src.drive, src.id()), contentKey(it.drive, it.id()), b.cfg.MaxContentBytes
		err := c.Env.Commit(func() error {
			err := content.CopyContent(tenant, from, to, limit)
			switch {
			case errors.Is(err, store.ErrContentQuota):
				return b.ErrQuota()
			case errors.Is(err, store.ErrNotFound):
				return nil // a file never given content: the copy has none either
			}
			return err
		})
		return it, err
	}
	var kids []item
	b.children(tx, src, func(k item) bool { kids = append(kids, k); return true })
	at := it
	for _, k := range kids {
		if _, err := b.copyTree(c, tx, k, at, k.name()); err != nil {
			return item{}, err
		}
		var ok bool
		if at, ok = b.getItem(tx, at.drive, at.id()); !ok {
			return item{}, errItemNotFound()
		}
	}
	return it, nil
}

// Monitor answers a copy's monitor URL (the path after MonitorPath): the copy is done.
func (b *Behavior) Monitor(token, base string) (*OpResult, error) {
	f, ok := b.openToken("monitor", token, 3)
	if !ok {
		return nil, &odata.Error{Status: http.StatusNotFound, Code: "itemNotFound", Message: "The monitor URL is not valid."}
	}
	version, drive, id := f[0], f[1], f[2]
	loc := base + "/" + version + "/drives/" + url.PathEscape(drive) + "/items/" + url.PathEscape(id)
	body := `{"operation":"ItemCopy","percentageComplete":100.0,"resourceId":` + jsonString(id) +
		`,"resourceLocation":` + jsonString(loc) + `,"status":"completed"}`
	return &OpResult{Status: http.StatusOK, Body: []byte(body)}, nil
}

// searchItems answers search(q='…') on a drive (every item but its root) or a folder
// (what is under it): the items whose name holds q, ignoring case.
func (b *Behavior) searchItems(_ context.Context, c *OpCall) (*OpResult, error) {
	if c.Address != nil && !c.Address.Found {
		return nil, errItemNotFound()
	}
	q := strings.ToLower(c.Args.String("q"))
	var start item
	var ok bool
	if drive, isItem := driveOf(c); isItem {
		start = item{drive: drive, e: c.Binding}
		if c.Address != nil {
			start.e = c.Address.Entity
		}
		ok = true
	} else if c.Binding.Type == driveType {
		start, ok = b.rootOf(c.View, c.Binding.ID)
	}
	if !ok {
		return nil, errItemNotFound()
	}
	p := &Presentation{Schema: c.Schema, Tenant: c.Tenant, Version: c.Version, View: c.View, Now: c.Now()}
	if c.Env != nil {
		p.Base, p.Content = c.Env.Base, c.Env.Content
	}
	ctx := odata.MetadataURL(p.Base, c.Version) + "#Collection(driveItem)"
	w := odata.BeginCollection(nil, odata.CollectionHead{Context: ctx})
	var walk func(folder item)
	walk = func(folder item) {
		b.children(c.View, folder, func(k item) bool {
			if strings.Contains(strings.ToLower(k.name()), q) {
				w.AddValue(b.Present(p, k.e, k.e.Body))
			}
			if k.isFolder() {
				walk(k)
			}
			return true
		})
	}
	if start.isFolder() {
		walk(start)
	}
	return &OpResult{Status: http.StatusOK, Body: w.Finish()}, nil
}
