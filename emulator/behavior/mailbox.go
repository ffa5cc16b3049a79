package behavior

import (
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/tidwall/gjson"

	"github.com/graph-emulator/graph-emulator/emulator/store"
	"github.com/graph-emulator/graph-emulator/entities"
	"github.com/graph-emulator/graph-emulator/odata"
)

// Mailboxes. Every user has one from the moment it exists: the well-known mail folders
// (Inbox, Drafts, Sent Items, Deleted Items, Junk Email, Archive, Outbox, Conversation
// History) and a default calendar, written with the user (or by the first write that
// needs them, for a user stored otherwise).
//
// Where things are kept:
//   - a user's folders in users/{id}/mailFolders (child folders under their parent's
//     childFolders), the messages of a folder under its messages;
//   - a well-known folder's key is made from the user's key and the folder's name
//     (folderID), so that /me/mailFolders/Inbox (any case) finds it without an index;
//   - the default calendar in users/{id}/calendars, its key made the same way, events
//     under its events.
//
// A user's messages (/me/messages) are those of every folder, a new one (POST) a draft
// in Drafts; a user's events (/me/events) those of every calendar, a new one in the
// default calendar; /me/calendar is the default calendar (see the Span rules in
// outlookNav). A folder's totalItemCount, unreadItemCount and childFolderCount are
// counted when it is read.

// wellKnownFolder is one of the folders every mailbox has.
type wellKnownFolder struct {
	name, displayName string
}

// wellKnownFolders are the folders a mailbox starts with, in the order Graph lists
// them (by display name).
func wellKnownFolders() []wellKnownFolder {
	return []wellKnownFolder{
		{"archive", "Archive"},
		{"conversationhistory", "Conversation History"},
		{"deleteditems", "Deleted Items"},
		{"drafts", "Drafts"},
		{"inbox", "Inbox"},
		{"junkemail", "Junk Email"},
		{"outbox", "Outbox"},
		{"sentitems", "Sent Items"},
	}
}

// Well-known folder names the operations use.
const (
	inboxFolder   = "inbox"
	draftsFolder  = "drafts"
	sentFolder    = "sentitems"
	rootFolder    = "msgfolderroot"
	calendarName  = "calendar"
	folderIDStart = "AAMk"
)

// isWellKnownFolder reports whether name (lower case) is a folder every mailbox has.
func isWellKnownFolder(name string) bool {
	for _, f := range wellKnownFolders() {
		if f.name == name {
			return true
		}
	}
	return false
}

// folderID is the key of the well-known folder (or the default calendar) name of the
// user with key uid: the same for every read, so that a name finds it directly.
func folderID(uid, name string) string {
	sum := sha256.Sum256([]byte("mailbox\x00" + uid + "\x00" + name))
	return folderIDStart + base64.RawURLEncoding.EncodeToString(sum[:21])
}

// users is the collection of the users set.
func users() store.Coll { return store.Set(usersSet) }

// mailFolders is the collection of a user's top-level mail folders.
func mailFolders(uid string) store.Coll { return users().Contained(uid, mailFoldersNav) }

// folderMessages is the collection of the messages of a user's well-known folder.
func folderMessages(uid, name string) store.Coll {
	return mailFolders(uid).Contained(folderID(uid, name), messagesNav)
}

// calendars is the collection of a user's calendars.
func calendars(uid string) store.Coll { return users().Contained(uid, calendarsNav) }

// hasMailboxes reports whether the schema has Graph's mailboxes: users with mail
// folders and calendars (a schema of one's own may not).
func hasMailboxes(schema *entities.Schema) bool {
	u := schema.EntityType(userType)
	return u != nil && u.NavigationProperty(mailFoldersNav) != nil && u.NavigationProperty(calendarsNav) != nil &&
		schema.EntityType(mailFolderType) != nil && schema.EntityType(messageType) != nil &&
		schema.EntityType(calendarType) != nil && schema.EntityType(eventType) != nil
}

// mailboxOwner returns the key of the user whose mailbox holds the collection c (a
// folder's messages, a child folder, a calendar's events, an attachment...).
func mailboxOwner(c store.Coll) (string, bool) {
	for !c.IsZero() && !c.IsRoot() {
		parent, key, _, ok := c.Owner()
		if !ok {
			break
		}
		if parent.IsRoot() {
			return key, parent.Equal(users())
		}
		c = parent
	}
	return "", false
}

// mailbox is what a user's mailbox starts with: its well-known folders (in the order
// they are listed) and its default calendar, as they are stored.
func (b *Behavior) mailbox(schema *entities.Schema, v store.View, uid string) (folders []store.Entity, cal store.Entity) {
	ft, ct := schema.EntityType(mailFolderType), schema.EntityType(calendarType)
	root := str(folderID(uid, rootFolder))
	for _, f := range wellKnownFolders() {
		id := folderID(uid, f.name)
		body := b.set(ft, keyBody(id), "childFolderCount", "0", "displayName", str(f.displayName),
			"isHidden", "false", "parentFolderId", root, "totalItemCount", "0", "unreadItemCount", "0")
		folders = append(folders, store.Entity{ID: id, Type: mailFolderType, Body: body})
	}
	name, addr := "", ""
	if u, err := v.Get(users(), uid); err == nil {
		name, addr = userAddress(u.Body)
	}
	owner := "null"
	if addr != "" {
		owner = `{"name":` + str(name) + `,"address":` + str(addr) + `}`
	}
	id := folderID(uid, calendarName)
	body := b.set(ct, keyBody(id), "allowedOnlineMeetingProviders", `["teamsForBusiness"]`, "canEdit", "true",
		"canShare", "true", "canViewPrivateItems", "true", "changeKey", str(""), "color", str("auto"),
		"defaultOnlineMeetingProvider", str("teamsForBusiness"), "hexColor", str(""), "isDefaultCalendar", "true",
		"isRemovable", "false", "isTallyingResponses", "true", "name", str("Calendar"), "owner", owner)
	return folders, store.Entity{ID: id, Type: calendarType, Body: body}
}

// rootFolder is the root of a user's folders (msgfolderroot, "Top of Information
// Store"), the parent of its top-level folders: read only, never listed.
func (b *Behavior) rootFolder(schema *entities.Schema, uid string) store.Entity {
	id := folderID(uid, rootFolder)
	body := b.set(schema.EntityType(mailFolderType), keyBody(id), "childFolderCount", "0",
		"displayName", str("Top of Information Store"), "isHidden", "false", "parentFolderId", str(""),
		"totalItemCount", "0", "unreadItemCount", "0")
	return store.Entity{ID: id, Type: mailFolderType, Body: body}
}

// hasMailbox reports whether the user's mailbox is stored.
func hasMailbox(v store.View, uid string) bool {
	_, err := v.Get(mailFolders(uid), folderID(uid, inboxFolder))
	return err == nil
}

// ensureMailbox stores the user's mailbox (its well-known folders and default
// calendar) if it is not stored yet: a mailbox exists from the moment its user does,
// and is written by the first write that needs it. Until then reads see it as it
// would be stored (virtualMailbox).
func (b *Behavior) ensureMailbox(schema *entities.Schema, tx store.Tx, uid string, newID func() string) error {
	if !hasMailboxes(schema) || hasMailbox(tx, uid) {
		return nil
	}
	if _, err := tx.Get(users(), uid); err != nil {
		return errOutlookNotFound()
	}
	folders, cal := b.mailbox(schema, tx, uid)
	for _, f := range folders {
		if _, err := tx.Insert(mailFolders(uid), f); err != nil && !errors.Is(err, store.ErrExists) {
			return err
		}
	}
	if _, err := tx.Insert(calendars(uid), cal); err != nil && !errors.Is(err, store.ErrExists) {
		return err
	}
	return nil
}

// virtualMailbox returns a user's top-level folders (or its calendars) as a read
// before the mailbox is stored lists them: the well-known folders (the default
// calendar) as they will be stored, then those stored already (loaded from a
// fixture), numbered for paging.
func (b *Behavior) virtualMailbox(schema *entities.Schema, v store.View, uid string, calendarsToo bool) []Related {
	folders, cal := b.mailbox(schema, v, uid)
	coll := mailFolders(uid)
	if calendarsToo {
		folders, coll = []store.Entity{cal}, calendars(uid)
	}
	var out []Related
	for _, f := range folders {
		if _, err := v.Get(coll, f.ID); err != nil {
			out = append(out, Related{Coll: coll, Entity: f})
		}
	}
	v.Scan(coll, 0, func(e store.Entity) bool {
		out = append(out, Related{Coll: coll, Entity: e})
		return true
	})
	for i := range out {
		out[i].Entity.Seq = uint64(i + 1)
	}
	return out
}

// withID returns body with the key id: the key first, the other members as they were.
func withID(body []byte, id string) []byte {
	out := []byte(`{"id":` + str(id))
	gjson.ParseBytes(body).ForEach(func(k, v gjson.Result) bool {
		if k.Str != "id" {
			out = append(out, ',')
			out = append(out, str(k.Str)...)
			out = append(out, ':')
			out = append(out, v.Raw...)
		}
		return true
	})
	return append(out, '}')
}

// keyBody is a body holding its key alone.
func keyBody(id string) []byte { return []byte(`{"id":` + str(id) + `}`) }

// userAddress returns the name and the SMTP address of a user: its mail, else its
// userPrincipalName.
func userAddress(body []byte) (name, addr string) {
	r := gjson.GetManyBytes(body, "displayName", "mail", "userPrincipalName")
	addr = r[1].String()
	if addr == "" {
		addr = r[2].String()
	}
	return r[0].String(), addr
}

// outlookNav is the rule for the navigation properties of Outlook: spanning (a user's
// messages, events and calendar) and computed (calendar views, a series' instances).
func (b *Behavior) outlookNav(schema *entities.Schema, owner *entities.StructuredType, nav *entities.NavigationProperty) (Nav, bool) {
	if !nav.ContainsTarget || !hasMailboxes(schema) {
		return Nav{}, false
	}
	switch nav.Name {
	case messagesNav, eventsNav, calendarNav, mailFoldersNav, calendarsNav:
		if isA(schema, owner, userType) {
			return Nav{Span: true}, true
		}
	case calendarViewNav:
		if isA(schema, owner, userType) || isA(schema, owner, calendarType) || isA(schema, owner, groupType) {
			return Nav{Computed: true, ReadOnly: true}, true
		}
	case instancesNav:
		if isA(schema, owner, eventType) {
			return Nav{Computed: true, ReadOnly: true}, true
		}
	}
	return Nav{}, false
}

// spanOwner returns the key of the user a span starts from, with the mailbox stored
// when the span is followed in a write.
func (b *Behavior) spanOwner(c *SpanCall) (string, bool, error) {
	if !c.OwnerColl.Equal(users()) {
		return "", false, nil
	}
	if c.Tx != nil {
		if err := b.ensureMailbox(c.Schema, c.Tx, c.Owner.ID, c.NewID); err != nil {
			return "", false, err
		}
	}
	return c.Owner.ID, true, nil
}

// messagesSpan: a user's messages are those of every folder (top-level folders in
// creation order, each followed by its child folders), after those stored under the
// user itself (loaded from a fixture); a new one goes to Drafts.
func (b *Behavior) messagesSpan(c *SpanCall) (Span, error) {
	uid, ok, err := b.spanOwner(c)
	if err != nil || !ok {
		return Span{}, err
	}
	sp := Span{Sources: []store.Coll{users().Contained(uid, messagesNav)}}
	walkFolders(c.View, mailFolders(uid), func(coll store.Coll, f store.Entity) {
		sp.Sources = append(sp.Sources, coll.Contained(f.ID, messagesNav))
	})
	if hasMailbox(c.View, uid) {
		sp.Create = folderMessages(uid, draftsFolder)
	}
	return sp, nil
}

// foldersSpan: a user's mail folders, as stored or, in a read before the mailbox is
// stored, its well-known folders.
func (b *Behavior) foldersSpan(c *SpanCall) (Span, error) {
	uid, ok, err := b.spanOwner(c)
	if err != nil || !ok {
		return Span{}, err
	}
	sp := Span{Sources: []store.Coll{mailFolders(uid)}, Create: mailFolders(uid)}
	if !hasMailbox(c.View, uid) {
		sp.Members = b.virtualMailbox(c.Schema, c.View, uid, false)
	}
	return sp, nil
}

// walkFolders calls fn with every folder under coll, depth first, each before its
// child folders.
func walkFolders(v store.View, coll store.Coll, fn func(store.Coll, store.Entity)) {
	var fs []store.Entity
	v.Scan(coll, 0, func(e store.Entity) bool { fs = append(fs, e); return true })
	for _, f := range fs {
		fn(coll, f)
		walkFolders(v, coll.Contained(f.ID, childFoldersNav), fn)
	}
}

// folderByName finds a well-known folder of the mailbox whose top-level folders are
// among the sources, by its name in any case; before the mailbox is stored, by its key
// too.
func (b *Behavior) folderByName(c *NameCall) (store.Entity, store.Coll, bool) {
	name := strings.ToLower(c.Key)
	for _, src := range c.Sources {
		parent, uid, nav, ok := src.Owner()
		if !ok || nav != mailFoldersNav || !parent.Equal(users()) {
			continue
		}
		if isWellKnownFolder(name) {
			if e, err := c.View.Get(src, folderID(uid, name)); err == nil {
				return e, src, true
			}
		}
		if name == rootFolder || c.Key == folderID(uid, rootFolder) {
			if _, err := c.View.Get(users(), uid); err == nil {
				return b.rootFolder(c.Schema, uid), src, true
			}
		}
		if hasMailbox(c.View, uid) {
			continue
		}
		if _, err := c.View.Get(users(), uid); err != nil {
			continue
		}
		for _, f := range b.virtualMailbox(c.Schema, c.View, uid, false) {
			if f.Entity.ID == c.Key || isWellKnownFolder(name) && f.Entity.ID == folderID(uid, name) {
				return f.Entity, src, true
			}
		}
	}
	return store.Entity{}, store.Coll{}, false
}

// folderOf resolves a destination folder given by id or well-known name in the user's
// mailbox: its collection and entity.
func folderOf(v store.View, uid, idOrName string) (store.Coll, store.Entity, bool) {
	if name := strings.ToLower(idOrName); isWellKnownFolder(name) {
		if e, err := v.Get(mailFolders(uid), folderID(uid, name)); err == nil {
			return mailFolders(uid), e, true
		}
		return store.Coll{}, store.Entity{}, false
	}
	var found store.Coll
	var fe store.Entity
	ok := false
	walkFoldersUntil(v, mailFolders(uid), func(coll store.Coll, f store.Entity) bool {
		if f.ID == idOrName {
			found, fe, ok = coll, f, true
		}
		return !ok
	})
	return found, fe, ok
}

// walkFoldersUntil is walkFolders that stops when fn returns false.
func walkFoldersUntil(v store.View, coll store.Coll, fn func(store.Coll, store.Entity) bool) bool {
	var fs []store.Entity
	v.Scan(coll, 0, func(e store.Entity) bool { fs = append(fs, e); return true })
	for _, f := range fs {
		if !fn(coll, f) || !walkFoldersUntil(v, coll.Contained(f.ID, childFoldersNav), fn) {
			return false
		}
	}
	return true
}

// writingFolder completes a new mail folder: its parent folder's id (the root of the
// mailbox for a top-level folder) and zero counts; a name its siblings already have is
// Graph's 409. An update keeps what the server set.
func (b *Behavior) writingFolder(w *EntityWrite, body []byte) ([]byte, error) {
	uid, ok := mailboxOwner(w.Coll)
	if !ok {
		return body, nil
	}
	if w.Old != nil {
		keep := make([]string, 0, 8)
		for _, p := range [...]string{"parentFolderId", "childFolderCount", "totalItemCount", "unreadItemCount"} {
			keep = append(keep, p, rawOr(gjson.GetBytes(w.Old, p), "null"))
		}
		return w.Merge(body, fieldsOf(w.Type, keep...)), nil
	}
	name := gjson.GetBytes(body, "displayName").String()
	if name == "" {
		return nil, &odata.Error{Status: http.StatusBadRequest, Code: "ErrorInvalidRequest",
			Message: "The displayName of a folder can't be empty."}
	}
	taken := false
	w.Tx.Scan(w.Coll, 0, func(e store.Entity) bool {
		taken = strings.EqualFold(gjson.GetBytes(e.Body, "displayName").String(), name)
		return !taken
	})
	if taken {
		return nil, &odata.Error{Status: http.StatusConflict, Code: "ErrorFolderExists",
			Message: "A folder with the specified name already exists."}
	}
	parent := folderID(uid, rootFolder)
	if p, key, nav, ok := w.Coll.Owner(); ok && nav == childFoldersNav && !p.IsRoot() {
		parent = key
	}
	hidden := rawOr(gjson.GetBytes(body, "isHidden"), "false")
	return w.Merge(body, fieldsOf(w.Type, "childFolderCount", "0", "isHidden", hidden, "parentFolderId", str(parent),
		"totalItemCount", "0", "unreadItemCount", "0")), nil
}

// readFolder writes a mail folder's counts as they are: its messages, the unread ones,
// its child folders.
func (b *Behavior) readFolder(t *entities.StructuredType, v store.View, coll store.Coll, e store.Entity) []byte {
	msgs := coll.Contained(e.ID, messagesNav)
	unread := 0
	v.Scan(msgs, 0, func(m store.Entity) bool {
		if gjson.GetBytes(m.Body, "isRead").Type == gjson.False {
			unread++
		}
		return true
	})
	children := v.Len(coll.Contained(e.ID, childFoldersNav))
	if uid, ok := mailboxOwner(coll); ok && e.ID == folderID(uid, rootFolder) {
		children = len(wellKnownFolders())
		if hasMailbox(v, uid) {
			children = v.Len(mailFolders(uid))
		}
	}
	pairs := []string{"childFolderCount", strconv.Itoa(children),
		"totalItemCount", strconv.Itoa(v.Len(msgs)), "unreadItemCount", strconv.Itoa(unread)}
	return setInPlace(e.Body, pairs, func(p []string) []byte { return b.set(t, e.Body, p...) })
}

// fieldsOf turns name, raw pairs into fields in t's schema order.
func fieldsOf(t *entities.StructuredType, pairs ...string) []entities.Field {
	fields := make([]entities.Field, 0, len(pairs)/2)
	for i := 0; i+1 < len(pairs); i += 2 {
		_, idx := t.Property(pairs[i])
		fields = append(fields, entities.Field{Name: pairs[i], Raw: pairs[i+1], Index: idx})
	}
	sortFields(fields)
	return fields
}

// rawOr returns a member's JSON value, or def when it is absent.
func rawOr(v gjson.Result, def string) string {
	if v.Exists() {
		return v.Raw
	}
	return def
}
