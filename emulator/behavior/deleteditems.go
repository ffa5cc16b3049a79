package behavior

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/tidwall/gjson"

	"github.com/graph-emulator/graph-emulator/emulator/store"
	"github.com/graph-emulator/graph-emulator/entities"
	"github.com/graph-emulator/graph-emulator/odata"
)

// Soft delete. Graph keeps deleted users, applications, service principals and
// Microsoft 365 groups for 30 days in /directory/deletedItems, a non-contained
// navigation property of the directory singleton (its type cast segment is required to
// list them: GET /directory/deletedItems/microsoft.graph.user); POST
// /directory/deletedItems/{id}/restore brings one back with its relationships, DELETE
// /directory/deletedItems/{id} purges it. Security and distribution groups are deleted
// at once, as Graph deletes them. The emulator keeps objects until they are restored or
// purged (no 30-day expiry).
//
// Where things are kept, all under the directory singleton (stored in
// store.Singleton("directory") under the key "directory", as the server keeps
// singletons):
//   - the deleted object, with deletedDateTime set, in a contained collection named
//     "deletedItems" (never addressed by clients: the schema's property is not
//     contained), with what it contained (a user's messages...) and the references it
//     held (its manager, a group's members and owners) copied under it;
//   - a reference to it in the singleton's deletedItems references, so that the generic
//     handlers list, count, filter, page and get deleted objects as any navigation;
//   - what restoring needs and the object does not say, in a contained collection named
//     "deletedItems$state" under the same key: the entity set it came from and the
//     references other objects held to it (group memberships, ownerships, the manager
//     references of its direct reports).
//
// Everything happens inside the request's store write: the references to the object are
// read before the store's Delete removes them.

// directoryColls are the store collections of the directory's deleted items.
type directoryColls struct {
	singleton store.Coll // the directory singleton's holder
	items     store.Coll // the deleted objects
	state     store.Coll // what restoring needs
	refs      store.Coll // the deletedItems references clients read
}

func newDirectoryColls() directoryColls {
	sg := store.Singleton(directorySingleton)
	return directoryColls{
		singleton: sg,
		items:     sg.Contained(directorySingleton, deletedItemsNav),
		state:     sg.Contained(directorySingleton, deletedItemsNav+"$state"),
		refs:      sg.Refs(directorySingleton, deletedItemsNav),
	}
}

// deleted reports whether c holds deleted objects: their copied references are not
// relationships of the living.
func (b *Behavior) deleted(c store.Coll) bool { return c.Equal(b.dir.items) }

// DeleteCall is a DELETE of one entity, as the delete hook sees it.
type DeleteCall struct {
	*Call
	Tx store.Tx
	// Coll and Entity are the entity addressed, as stored.
	Coll   store.Coll
	Entity store.Entity
	// Nav is the last navigation property of the path (nil for an entity addressed in
	// its entity set) and Owner the entity it was followed from.
	Nav   *entities.NavigationProperty
	Owner store.Entity
}

// Delete runs Graph's delete where it is not the store's plain delete: directory
// objects that Graph keeps move into /directory/deletedItems, and a DELETE there purges.
// It reports whether it handled the delete; when it did not, the caller deletes.
func (b *Behavior) Delete(c *DeleteCall) (bool, error) {
	if done, err := b.deleteInDrive(c); done {
		return true, err
	}
	if done, err := b.deleteOutlook(c); done || err != nil {
		return done, err
	}
	if !b.hasDeletedItems(c.Schema) {
		return false, nil
	}
	if c.Nav != nil {
		if c.Nav.Name != deletedItemsNav || !c.Coll.Equal(b.dir.items) {
			return false, nil
		}
		return true, b.purge(c.Tx, c.Entity.ID)
	}
	if !c.Coll.IsRoot() || !b.keptWhenDeleted(c.Schema, c.Coll.Root(), c.Entity) {
		return false, nil
	}
	return true, b.softDelete(c)
}

// hasDeletedItems reports whether the schema has Graph's directory singleton with its
// deletedItems (a schema of one's own keeps plain deletes).
func (b *Behavior) hasDeletedItems(schema *entities.Schema) bool {
	sg := schema.Singleton(directorySingleton)
	if sg == nil {
		return false
	}
	t := sg.EntityType()
	return t != nil && t.QualifiedName() == directoryType && t.NavigationProperty(deletedItemsNav) != nil
}

// keptWhenDeleted reports whether Graph keeps an entity of a set in deletedItems.
func (b *Behavior) keptWhenDeleted(schema *entities.Schema, set string, e store.Entity) bool {
	t := schema.EntityType(e.Type)
	if t == nil || !isA(schema, t, directoryObject) {
		return false
	}
	switch set {
	case "users", "applications", "servicePrincipals":
		return true
	case "groups":
		// Microsoft 365 groups only: security and distribution groups are deleted
		// permanently.
		for _, gt := range gjson.GetBytes(e.Body, "groupTypes").Array() {
			if strings.EqualFold(gt.String(), "Unified") {
				return true
			}
		}
	}
	return false
}

// deletedState is what restoring needs, kept beside a deleted object.
type deletedState struct {
	// Set is the entity set the object came from.
	Set string `json:"set"`
	// Holders are the reference collections that held a reference to it.
	Holders []collPath `json:"holders,omitempty"`
}

// softDelete moves c's entity into the deleted items, in c's write.
func (b *Behavior) softDelete(c *DeleteCall) error {
	tx, e, d := c.Tx, c.Entity, b.dir
	st := deletedState{Set: c.Coll.Root()}
	var holders []store.Coll
	w := walker{b: b, schema: c.Schema, v: tx}
	w.holders(c.Coll, e.ID, func(h store.Coll) { holders = append(holders, h) })
	for _, h := range holders {
		if p, ok := b.holderPath(tx, h); ok {
			st.Holders = append(st.Holders, p)
		}
	}
	// Sorted, so that restoring links them in a stable order.
	slices.SortFunc(st.Holders, func(a, b collPath) int { return strings.Compare(a.key(), b.key()) })
	if err := b.ensureDirectory(c.Schema, tx); err != nil {
		return err
	}
	// An object deleted before with the same id (created again with an id of the
	// client's choosing) is purged: deletedItems holds one object per id.
	if _, err := tx.Get(d.items, e.ID); err == nil {
		if err := b.purge(tx, e.ID); err != nil {
			return err
		}
	}
	now := c.Now().UTC().Format(time.RFC3339)
	body := e.Body
	if _, i := c.Type.Property(deletedDateTimeProp); i >= 0 {
		body = c.Set(body, deletedDateTimeProp, string(odata.AppendString(nil, now)))
	}
	if _, err := tx.Insert(d.items, store.Entity{ID: e.ID, Type: e.Type, Body: body}); err != nil {
		return err
	}
	if err := copyTree(tx, c.Schema, e.Type, c.Coll, d.items, e.ID); err != nil {
		return err
	}
	raw, err := json.Marshal(st)
	if err != nil {
		return err
	}
	if _, err := tx.Insert(d.state, store.Entity{ID: e.ID, Type: e.Type, Body: raw}); err != nil {
		return err
	}
	if _, err := tx.Link(d.refs, d.items, e.ID); err != nil {
		return err
	}
	return tx.Delete(c.Coll, e.ID)
}

// ensureDirectory stores the directory singleton if it was never written: the deleted
// items are kept under it.
func (b *Behavior) ensureDirectory(schema *entities.Schema, tx store.Tx) error {
	if _, err := tx.Get(b.dir.singleton, directorySingleton); err == nil {
		return nil
	}
	keyName := "id"
	if t := schema.EntityType(directoryType); t != nil && t.KeyProperty() != nil {
		keyName = t.KeyProperty().Name
	}
	body := append(odata.AppendString(append(odata.AppendString([]byte{'{'}, keyName), ':'), directorySingleton), '}')
	_, err := tx.Insert(b.dir.singleton, store.Entity{ID: directorySingleton, Type: directoryType, Body: body})
	return err
}

// purge removes a deleted object for good, with what was kept for restoring it.
func (b *Behavior) purge(tx store.Tx, id string) error {
	if err := tx.Delete(b.dir.items, id); err != nil {
		return err
	}
	if err := tx.Delete(b.dir.state, id); err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	return nil
}

// copyTree copies what the entity with key id (of the type named typeName) contains
// under from, to any depth, to the same places under to, and links there the
// references it holds. The entity itself is already in to.
func copyTree(tx store.Tx, schema *entities.Schema, typeName string, from, to store.Coll, id string) error {
	t := schema.EntityType(typeName)
	if t == nil {
		return nil
	}
	for _, nav := range t.AllNavigationProperties() {
		if nav.ContainsTarget {
			src := from.Contained(id, nav.Name)
			if tx.Len(src) == 0 {
				continue
			}
			var es []store.Entity
			tx.Scan(src, 0, func(e store.Entity) bool { es = append(es, e); return true })
			dst := to.Contained(id, nav.Name)
			for _, e := range es {
				if _, err := tx.Insert(dst, store.Entity{ID: e.ID, Type: e.Type, Body: e.Body}); err != nil {
					return err
				}
				if err := copyTree(tx, schema, e.Type, src, dst, e.ID); err != nil {
					return err
				}
			}
			continue
		}
		src := from.Refs(id, nav.Name)
		if tx.Len(src) == 0 {
			continue
		}
		var refs []store.Ref
		tx.Refs(src, 0, func(r store.Ref) bool { refs = append(refs, r); return true })
		dst := to.Refs(id, nav.Name)
		for _, r := range refs {
			if _, err := tx.Link(dst, r.Target, r.ID); err != nil && !errors.Is(err, store.ErrNotFound) && !errors.Is(err, store.ErrExists) {
				return err
			}
		}
	}
	return nil
}

// collPath names a reference collection in a form that outlives the store's Coll
// values: its root (an entity set, or a singleton's holder), then each step down (the
// key of an entity and a navigation property; the last step is the references).
type collPath struct {
	Set       string     `json:"set,omitempty"`
	Singleton string     `json:"singleton,omitempty"`
	Steps     []pathStep `json:"steps"`
}

type pathStep struct {
	Key string `json:"key"`
	Nav string `json:"nav"`
}

func (p collPath) key() string {
	var sb strings.Builder
	sb.WriteString(p.Set + "\x00" + p.Singleton)
	for _, s := range p.Steps {
		sb.WriteString("\x00" + s.Key + "\x00" + s.Nav)
	}
	return sb.String()
}

// holderPath is the path of a reference collection h holding a reference to an object
// being deleted, to be linked again on restore; ok is false for references not to be
// restored: the deletedItems references, and those of deleted objects that are not
// kept (a deleted object's own references are copied with it). A reference held by a
// deleted object is named by that object's entity set, where restoring it puts it.
func (b *Behavior) holderPath(v store.View, h store.Coll) (collPath, bool) {
	if h.Equal(b.dir.refs) {
		return collPath{}, false
	}
	var steps []pathStep
	c := h
	for {
		parent, key, nav, ok := c.Owner()
		if !ok {
			break
		}
		steps = append(steps, pathStep{Key: key, Nav: nav})
		if b.deleted(parent) {
			st, ok := b.stateOf(v, key)
			if !ok {
				return collPath{}, false
			}
			slices.Reverse(steps)
			return collPath{Set: st.Set, Steps: steps}, true
		}
		c = parent
	}
	slices.Reverse(steps)
	switch {
	case c.Equal(store.Set(c.Root())):
		return collPath{Set: c.Root(), Steps: steps}, true
	case c.Equal(store.Singleton(c.Root())):
		return collPath{Singleton: c.Root(), Steps: steps}, true
	}
	return collPath{}, false
}

// coll returns the reference collection p names.
func (p collPath) coll() (store.Coll, bool) {
	if len(p.Steps) == 0 {
		return store.Coll{}, false
	}
	var c store.Coll
	switch {
	case p.Set != "":
		c = store.Set(p.Set)
	case p.Singleton != "":
		c = store.Singleton(p.Singleton)
	default:
		return store.Coll{}, false
	}
	last := len(p.Steps) - 1
	for _, s := range p.Steps[:last] {
		c = c.Contained(s.Key, s.Nav)
	}
	return c.Refs(p.Steps[last].Key, p.Steps[last].Nav), true
}

// stateOf reads what was kept for restoring the deleted object with key id.
func (b *Behavior) stateOf(v store.View, id string) (deletedState, bool) {
	var st deletedState
	e, err := v.Get(b.dir.state, id)
	if err != nil || json.Unmarshal(e.Body, &st) != nil || st.Set == "" {
		return deletedState{}, false
	}
	return st, true
}

func registerDeletedItems(b *Behavior) { b.operations[graphNamespace+".restore"] = b.restore }

// POST /directory/deletedItems/{id}/restore (microsoft.graph.restore bound to a
// directoryObject): the object goes back to its entity set with deletedDateTime null,
// with what it contained, the references it held (a user's manager, a group's members
// and owners) and the references others held to it (its group memberships and
// ownerships, its direct reports' manager), where those others still exist. The answer
// is 200 with the object. A unique value another object took meanwhile (a
// userPrincipalName), or an object created with its id, refuses the restore with
// Graph's conflict error.
func (b *Behavior) restore(ctx context.Context, c *OpCall) (*OpResult, error) {
	bt := bindingType(c)
	if bt == nil || bt.QualifiedName() != directoryObject {
		// Graph's other restore actions (drive items, Cloud PCs...) are not emulated.
		return notImplemented(ctx, c)
	}
	if c.Tx == nil {
		return nil, odata.ErrInternal()
	}
	e := c.Binding
	if !c.BindingColl.Equal(b.dir.items) {
		// Only deleted objects are restored.
		return nil, odata.ErrEntityNotFound(e.ID)
	}
	st, ok := b.stateOf(c.Tx, e.ID)
	if !ok {
		return nil, odata.ErrEntityNotFound(e.ID)
	}
	tx := c.Tx
	set := store.Set(st.Set)
	body := e.Body
	if v := gjson.GetBytes(body, deletedDateTimeProp); v.Exists() && v.Index > 0 {
		body = slices.Concat(body[:v.Index], []byte("null"), body[v.Index+len(v.Raw):])
	}
	if err := b.checkRestoreUnique(c.Schema, tx, c.Version, st.Set, e.ID, e.Type, body); err != nil {
		return nil, err
	}
	restored, err := tx.Insert(set, store.Entity{ID: e.ID, Type: e.Type, Body: body})
	if errors.Is(err, store.ErrExists) {
		return nil, errRestoreConflict("id")
	}
	if err != nil {
		return nil, err
	}
	if err := copyTree(tx, c.Schema, e.Type, b.dir.items, set, e.ID); err != nil {
		return nil, err
	}
	for _, p := range st.Holders {
		if err := b.relink(tx, p, set, e.ID); err != nil {
			return nil, err
		}
	}
	if err := b.purge(tx, e.ID); err != nil {
		return nil, err
	}
	return &OpResult{Status: http.StatusOK, Entity: &restored, EntitySet: "directoryObjects"}, nil
}

// relink links again a reference an object being restored had from the collection p,
// when p's owner still exists: in its entity set, or still among the deleted objects
// (restored later, it brings the reference back with it).
func (b *Behavior) relink(tx store.Tx, p collPath, target store.Coll, id string) error {
	h, ok := p.coll()
	if !ok {
		return nil
	}
	_, err := tx.Link(h, target, id)
	if errors.Is(err, store.ErrNotFound) && p.Set != "" && len(p.Steps) == 1 {
		if st, ok := b.stateOf(tx, p.Steps[0].Key); ok && st.Set == p.Set {
			_, err = tx.Link(b.dir.items.Refs(p.Steps[0].Key, p.Steps[0].Nav), target, id)
		}
	}
	if err != nil && !errors.Is(err, store.ErrNotFound) && !errors.Is(err, store.ErrExists) {
		return err
	}
	return nil
}

// errRestoreConflict is Graph's answer to a restore that another object's value of the
// property name stands in the way of.
func errRestoreConflict(name string) error {
	return &odata.Error{Status: http.StatusBadRequest, Code: "Request_BadRequest",
		Message: "A conflicting object with one or more of the specified property values is present in the directory.",
		Details: []odata.ErrorDetail{{Code: "ObjectConflict", Target: name}}}
}

// checkRestoreUnique refuses to restore an object whose unique values (its profile's
// unique properties, its type's alternate keys) another object of the set took
// meanwhile.
func (b *Behavior) checkRestoreUnique(schema *entities.Schema, v store.View, version, set, id, typeName string, body []byte) error {
	t := schema.EntityType(typeName)
	var rules []Unique
	if p := b.Profile(version, set, t); p != nil {
		for _, name := range p.UniqueKeys {
			rules = append(rules, Unique{Property: name})
		}
		rules = append(rules, p.Unique...)
	}
	for at := t; at != nil; at = at.Base() {
		for _, name := range at.AlternateKeys {
			rules = append(rules, Unique{Property: name})
		}
	}
	coll := store.Set(set)
	for _, u := range rules {
		if u.When != nil && !u.When(body) {
			continue
		}
		path := gjson.Escape(u.Property)
		mine := StringValues(gjson.GetBytes(body, path))
		if len(mine) == 0 {
			continue
		}
		taken := false
		v.Scan(coll, 0, func(e store.Entity) bool {
			if e.ID == id || u.When != nil && !u.When(e.Body) {
				return true
			}
			for _, other := range StringValues(gjson.GetBytes(e.Body, path)) {
				for _, s := range mine {
					if strings.EqualFold(s, other) {
						taken = true
						return false
					}
				}
			}
			return true
		})
		if taken {
			return errRestoreConflict(u.Property)
		}
	}
	return nil
}

// StringValues returns the non-empty strings a value holds: itself, or the items of a
// collection (the values a unique property's rule compares).
func StringValues(val gjson.Result) []string {
	switch {
	case val.Type == gjson.String && val.Str != "":
		return []string{val.Str}
	case val.IsArray():
		var out []string
		val.ForEach(func(_, x gjson.Result) bool {
			if x.Type == gjson.String && x.Str != "" {
				out = append(out, x.Str)
			}
			return true
		})
		return out
	}
	return nil
}
