package behavior

import (
	"crypto/sha1"
	"crypto/sha512"
	"encoding/base32"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tidwall/gjson"

	"github.com/graph-emulator/graph-emulator/emulator/store"
	"github.com/graph-emulator/graph-emulator/entities"
	"github.com/graph-emulator/graph-emulator/odata"
)

// Drives. Every user has a personal drive (OneDrive), every group and the root site a
// document library; Graph makes them on first use, and so does the emulator: the first
// request that follows a user's, group's or site's drive or drives (or a drive's root)
// stores the drive, its root folder and the references to them (Provide, called by the
// server in a write of its own when a read meets one; NeedsProvision says when).
//
// Where things are kept (store collections, all per tenant):
//   - drives: the drives set, keyed by drive id ("b!" and 64 characters, derived from
//     the owner, so that a drive keeps its id across resets);
//   - drives('d')/items: every item of drive d, the root folder included, flat;
//   - drives('d')/root: the reference to the root folder;
//   - drives('d')/items('i')/children: the references to folder i's children, in the
//     order they came (a move relinks);
//   - {owner}/drive and {owner}/drives: the references to the owner's drive;
//   - drives('d')/uploadSessions$: upload sessions in progress (see driveupload.go),
//     never addressed by clients;
//   - content (store.Content): a file's bytes under "drives/{d}/{i}", uploads in
//     progress under "uploads/{session}" and "tmp/{id}" until they are committed.
//
// What a drive item is, how names, conflicts, moves and deletes work is in
// driveitems.go; content, download URLs and hashes in drivecontent.go; upload sessions
// in driveupload.go; copy, search and delta in drivecopy.go and drivedelta.go.

// The Graph names the drive behaviour uses.
const (
	driveType      = "microsoft.graph.drive"
	driveItemType  = "microsoft.graph.driveItem"
	siteType       = "microsoft.graph.site"
	userType       = "microsoft.graph.user"
	drivesSet      = "drives"
	sitesSet       = "sites"
	usersSet       = "users"
	driveNav       = "drive"
	drivesNav      = "drives"
	rootNav        = "root"
	itemsNav       = "items"
	childrenNav    = "children"
	sessionsColl   = "uploadSessions$"
	rootKey        = "root"
	meSingleton    = "me"
	sharePointHost = "contoso.sharepoint.com"
	personalHost   = "contoso-my.sharepoint.com"
	// defaultQuota is a drive's quota.total without a content limit: OneDrive for
	// Business's default of 1 TB.
	defaultQuota = int64(1) << 40
)

// Env is what the drive behaviour needs of the request besides the entity store: set
// by the server on every Call and OpCall.
type Env struct {
	// Version and Base are the request's API version and scheme://host, for the URLs
	// the behaviour hands out (download, upload and monitor URLs, webUrl stays Graph's).
	Version, Base string
	// Principal is the caller when authentication names one ("" otherwise: the caller
	// is then the signed-in user /me stands for, or the emulator's application).
	Principal string
	// Query is the request's query options (conflict behaviour, tokens).
	Query url.Values
	// Content keeps the streams (nil when the server has none).
	Content store.Content
	// Merge returns body (an entity of type t) with fields (in schema order) set, each
	// in its schema position; Render makes a new body of type t with key id.
	Merge  func(t *entities.StructuredType, body []byte, fields []entities.Field) []byte
	Render func(t *entities.StructuredType, id string, fields []entities.Field) []byte

	// commits collects what Commit asks for (see CollectCommits).
	commits *[]func() error
}

// CollectCommits makes Commit append to list, which the write runs as its last step.
func (e *Env) CollectCommits(list *[]func() error) { e.commits = list }

// Commit asks for fn to run as the last step of the write the call runs in, after
// everything else it did succeeded: moving content into place. A failing fn fails the
// write. Without a collector (see CollectCommits) fn runs at once.
func (e *Env) Commit(fn func() error) error {
	if e.commits == nil {
		return fn()
	}
	*e.commits = append(*e.commits, fn)
	return nil
}

// fields collects the members of a body in any order and renders them in schema order.
type fields struct {
	t  *entities.StructuredType
	fs []entities.Field
}

func newFields(t *entities.StructuredType) *fields { return &fields{t: t} }

// set sets name to the JSON value raw (a property t lacks is left out: a schema of
// one's own may lack some of Graph's).
func (f *fields) set(name, raw string) *fields {
	_, i := f.t.Property(name)
	if i < 0 {
		return f
	}
	for j := range f.fs {
		if f.fs[j].Name == name {
			f.fs[j].Raw = raw
			return f
		}
	}
	f.fs = append(f.fs, entities.Field{Name: name, Raw: raw, Index: i})
	return f
}

func (f *fields) str(name, s string) *fields { return f.set(name, jsonString(s)) }

func (f *fields) sorted() []entities.Field {
	slices.SortStableFunc(f.fs, func(a, b entities.Field) int { return a.Index - b.Index })
	return f.fs
}

// render makes a new body with key id; merge sets the fields on body.
func (f *fields) render(env *Env, id string) []byte { return env.Render(f.t, id, f.sorted()) }
func (f *fields) merge(env *Env, body []byte) []byte {
	if len(f.fs) == 0 {
		return body
	}
	return env.Merge(f.t, body, f.sorted())
}

func jsonString(s string) string { return string(odata.AppendString(nil, s)) }

func jsonInt(n int64) string { return strconv.FormatInt(n, 10) }

// timestamp is a time as Graph writes drive items' times: UTC, seconds, Z.
func timestamp(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }

// Store collections of drives.
func drivesColl() store.Coll                   { return store.Set(drivesSet) }
func itemsOf(drive string) store.Coll          { return drivesColl().Contained(drive, itemsNav) }
func rootRefOf(drive string) store.Coll        { return drivesColl().Refs(drive, rootNav) }
func childrenOf(drive, item string) store.Coll { return itemsOf(drive).Refs(item, childrenNav) }
func sessionsOf(drive string) store.Coll       { return drivesColl().Contained(drive, sessionsColl) }
func contentKey(drive, item string) string     { return "drives/" + drive + "/" + item }
func sessionContentKey(session string) string  { return "uploads/" + session }
func isItemsColl(c store.Coll) (drive string, ok bool) {
	parent, key, nav, ok := c.Owner()
	if !ok || nav != itemsNav || c.IsRefs() || !parent.IsRoot() || parent.Root() != drivesSet {
		return "", false
	}
	return key, true
}

// driveIDFor is the id of the drive of the owner with key id in coll: "b!" and 64
// base64url characters, as OneDrive for Business drive ids look, derived from the owner.
func driveIDFor(coll store.Coll, id string) string {
	sum := sha512.Sum512([]byte("drive\x00" + coll.String() + "\x00" + id))
	return "b!" + base64.RawURLEncoding.EncodeToString(sum[:48])
}

// newItemID makes a drive item's id as OneDrive for Business writes them ("01" and 32
// base32 characters) and the GUID of its eTag, from one value of the server's key
// generator (so that a test's generator fixes them).
func newItemID(newID func() string) (id, guid string) {
	sum := sha1.Sum([]byte("item\x00" + newID()))
	id = "01" + base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(sum[:])
	return id, guidOf(sum[:16])
}

// guidOf formats 16 bytes as an upper-case GUID.
func guidOf(b []byte) string {
	h := strings.ToUpper(hex.EncodeToString(b))
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// rootSiteID is the id of the tenant's root site: hostname, site collection id, web id.
func rootSiteID() string {
	a := sha1.Sum([]byte("site\x00root"))
	w := sha1.Sum([]byte("web\x00root"))
	return sharePointHost + "," + strings.ToLower(guidOf(a[:16])) + "," + strings.ToLower(guidOf(w[:16]))
}

// ownerKind is what kind of drive an owner has.
type ownerKind int

const (
	noDrive ownerKind = iota
	userDrive
	groupDrive
	siteDrive
)

func (b *Behavior) ownerKind(schema *entities.Schema, typ string) ownerKind {
	t := schema.EntityType(typ)
	switch {
	case t == nil:
		return noDrive
	case isA(schema, t, userType):
		return userDrive
	case isA(schema, t, groupType):
		return groupDrive
	case isA(schema, t, siteType):
		return siteDrive
	}
	return noDrive
}

// Provision names something the behaviour makes on first use: what the navigation
// property Nav of the entity with key OwnerID in OwnerColl leads to, or (Nav empty) the
// entity with key Key of the entity set collection Coll.
type Provision struct {
	OwnerColl    store.Coll
	OwnerID, Nav string
	Coll         store.Coll
	Key          string
}

// NeedsProvision reports whether following the navigation property nav of owner (kept
// in ownerColl) finds nothing yet because Graph makes it on first use: the drive
// (drives) of a user, group or site, a drive's root folder.
func (b *Behavior) NeedsProvision(schema *entities.Schema, v store.View, ownerColl store.Coll, owner store.Entity, nav string) bool {
	switch nav {
	case driveNav, drivesNav:
		if b.ownerKind(schema, owner.Type) == noDrive || ownerColl.IsZero() {
			return false
		}
		return v.Len(ownerColl.Refs(owner.ID, driveNav)) == 0
	case rootNav:
		if owner.Type != driveType {
			return false
		}
		return v.Len(rootRefOf(owner.ID)) == 0
	}
	return false
}

// WellKnownKey resolves a key Graph gives a meaning of its own in a collection: "root"
// among a drive's items (the root folder) and among the sites (the root site). It
// returns the entity's key, or a Provision when that entity is made on first use and
// does not exist yet (ok is false when the key means nothing special).
func (b *Behavior) WellKnownKey(schema *entities.Schema, v store.View, coll store.Coll, key string) (id string, p *Provision, ok bool) {
	if !strings.EqualFold(key, rootKey) {
		return "", nil, false
	}
	if drive, isItems := isItemsColl(coll); isItems {
		v.Refs(rootRefOf(drive), 0, func(r store.Ref) bool { id = r.ID; return false })
		if id == "" {
			return "", &Provision{OwnerColl: drivesColl(), OwnerID: drive, Nav: rootNav}, true
		}
		return id, nil, true
	}
	if coll.IsRoot() && !coll.IsRefs() && coll.Root() == sitesSet && schema.EntityType(siteType) != nil {
		id = rootSiteID()
		if _, err := v.Get(coll, id); err != nil {
			return "", &Provision{Coll: coll, Key: rootKey}, true
		}
		return id, nil, true
	}
	return "", nil, false
}

// Provide makes what p names, in the write tx, if it does not exist yet.
func (b *Behavior) Provide(c *Call, tx store.Tx, p Provision) error {
	if p.Nav == "" {
		if p.Coll.Root() == sitesSet && strings.EqualFold(p.Key, rootKey) {
			return b.provideRootSite(c, tx)
		}
		return nil
	}
	owner, err := tx.Get(p.OwnerColl, p.OwnerID)
	if err != nil {
		return nil // gone meanwhile: the request answers 404 as it would
	}
	if !b.NeedsProvision(c.Schema, tx, p.OwnerColl, owner, p.Nav) {
		return nil
	}
	switch p.Nav {
	case rootNav:
		_, err := b.provideRoot(c, tx, owner)
		return err
	default:
		return b.provideDrive(c, tx, p.OwnerColl, owner)
	}
}

// provideRootSite stores the tenant's root site.
func (b *Behavior) provideRootSite(c *Call, tx store.Tx) error {
	t := c.Schema.EntityType(siteType)
	if t == nil {
		return nil
	}
	id := rootSiteID()
	if _, err := tx.Get(store.Set(sitesSet), id); err == nil {
		return nil
	}
	now := jsonString(timestamp(c.Now()))
	parts := strings.Split(id, ",")
	f := newFields(t).
		set("createdDateTime", now).set("lastModifiedDateTime", now).
		str("name", "").str("displayName", "Communication site").
		str("webUrl", "https://"+sharePointHost).
		set("root", "{}").
		set("siteCollection", `{"hostname":`+jsonString(sharePointHost)+`}`).
		set("sharepointIds", `{"siteId":`+jsonString(parts[1])+`,"siteUrl":`+jsonString("https://"+sharePointHost)+`,"webId":`+jsonString(parts[2])+`}`).
		set("isPersonalSite", "false")
	_, err := tx.Insert(store.Set(sitesSet), store.Entity{ID: id, Type: siteType, Body: f.render(c.Env, id)})
	return err
}

// provideDrive stores owner's drive with its root folder, and links it as the owner's
// drive and one of its drives.
func (b *Behavior) provideDrive(c *Call, tx store.Tx, ownerColl store.Coll, owner store.Entity) error {
	t := c.Schema.EntityType(driveType)
	if t == nil {
		return nil
	}
	id := driveIDFor(ownerColl, owner.ID)
	drive, err := tx.Get(drivesColl(), id)
	if err != nil {
		drive, err = tx.Insert(drivesColl(), store.Entity{ID: id, Type: driveType, Body: b.driveBody(c, t, id, owner)})
		if err != nil {
			return err
		}
	}
	if _, err := b.provideRoot(c, tx, drive); err != nil {
		return err
	}
	ot := c.Schema.EntityType(owner.Type)
	for _, nav := range []string{driveNav, drivesNav} {
		if ot == nil || ot.NavigationProperty(nav) == nil {
			continue
		}
		if _, err := tx.Link(ownerColl.Refs(owner.ID, nav), drivesColl(), id); err != nil && !isExists(err) {
			return err
		}
	}
	return nil
}

// driveBody is a new drive of owner: OneDrive for a user, a document library for a
// group or site.
func (b *Behavior) driveBody(c *Call, t *entities.StructuredType, id string, owner store.Entity) []byte {
	now := jsonString(timestamp(c.Now()))
	name, driveKind, web := "Documents", "documentLibrary", "https://"+sharePointHost+"/Shared%20Documents"
	ownerSet := `{"user":{"displayName":"System Account"}}`
	switch b.ownerKind(c.Schema, owner.Type) {
	case userDrive:
		name, driveKind = "OneDrive", "business"
		upn := gjson.GetBytes(owner.Body, "userPrincipalName").String()
		if upn == "" {
			upn = owner.ID
		}
		web = "https://" + personalHost + "/personal/" + personalSegment(upn) + "/Documents"
		ownerSet = identityJSON("user", owner.ID, gjson.GetBytes(owner.Body, "displayName").String())
	case groupDrive:
		nick := gjson.GetBytes(owner.Body, "mailNickname").String()
		if nick == "" {
			nick = owner.ID
		}
		web = "https://" + sharePointHost + "/sites/" + personalSegment(nick) + "/Shared%20Documents"
		ownerSet = identityJSON("group", owner.ID, gjson.GetBytes(owner.Body, "displayName").String())
	}
	f := newFields(t).
		set("createdDateTime", now).set("lastModifiedDateTime", now).
		str("description", "").str("name", name).str("webUrl", web).
		str("driveType", driveKind).set("owner", ownerSet).
		set("createdBy", `{"user":{"displayName":"System Account"}}`).
		set("quota", `{"deleted":0,"remaining":0,"state":"normal","total":0,"used":0}`)
	return f.render(c.Env, id)
}

// personalSegment is how SharePoint names a personal site or team site after a user
// principal name or a nickname: every character but letters and digits as '_'.
func personalSegment(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			return r
		}
		return '_'
	}, s)
}

// identityJSON is an identitySet naming one identity of kind (user, group,
// application).
func identityJSON(kind, id, displayName string) string {
	var b []byte
	b = append(b, '{')
	b = odata.AppendString(b, kind)
	b = append(b, `:{`...)
	sep := false
	if displayName != "" {
		b = append(b, `"displayName":`...)
		b = odata.AppendString(b, displayName)
		sep = true
	}
	if id != "" {
		if sep {
			b = append(b, ',')
		}
		b = append(b, `"id":`...)
		b = odata.AppendString(b, id)
	}
	return string(append(b, "}}"...))
}

// emulatorApp is the application that acts when no user does (no principal, no /me).
const (
	emulatorAppID   = "00000000-0000-0000-0000-00000000e0e0"
	emulatorAppName = "graph-emulator"
)

// caller is the identitySet of whoever makes the request: the principal, else the user
// /me stands for, else the emulator's application.
func (b *Behavior) caller(c *Call) string {
	id := c.Env.Principal
	if id == "" {
		id = b.cfg.Singletons[meSingleton]
	}
	if id == "" {
		return identityJSON("application", emulatorAppID, emulatorAppName)
	}
	name := ""
	if u, err := c.View.Get(store.Set(usersSet), id); err == nil {
		name = gjson.GetBytes(u.Body, "displayName").String()
	}
	return identityJSON("user", id, name)
}

// drive is a drive as the item behaviour needs it.
type drive struct {
	id, kind, webURL string
}

func (b *Behavior) loadDrive(v store.View, id string) (drive, bool) {
	e, err := v.Get(drivesColl(), id)
	if err != nil {
		return drive{}, false
	}
	return drive{id: id, kind: gjson.GetBytes(e.Body, "driveType").String(), webURL: gjson.GetBytes(e.Body, "webUrl").String()}, true
}

// presentDrive writes a drive's quota as it stands: used is what its files take (its
// root folder's size), total the content limit (or 1 TB), remaining what the tenant has
// left.
func (b *Behavior) presentDrive(p *Presentation, e store.Entity, body []byte) []byte {
	q := gjson.GetBytes(body, "quota")
	if !q.Exists() || p.View == nil {
		return body
	}
	var used int64
	var rootID string
	p.View.Refs(rootRefOf(e.ID), 0, func(r store.Ref) bool { rootID = r.ID; return false })
	if root, err := p.View.Get(itemsOf(e.ID), rootID); err == nil {
		used = gjson.GetBytes(root.Body, "size").Int()
	}
	total, tenantUsed := defaultQuota, used
	if b.cfg.MaxContentBytes > 0 {
		total = b.cfg.MaxContentBytes
	}
	if p.Content != nil {
		tenantUsed = max(p.Content.ContentUsage(p.Tenant), used)
	}
	remaining := max(total-tenantUsed, 0)
	state := "normal"
	switch {
	case remaining == 0:
		state = "exceeded"
	case remaining*100 < total:
		state = "critical"
	case remaining*10 < total:
		state = "nearing"
	}
	raw := `{"deleted":0,"remaining":` + jsonInt(remaining) + `,"state":` + jsonString(state) +
		`,"total":` + jsonInt(total) + `,"used":` + jsonInt(used) + `}`
	return spliceMember(body, q, raw)
}

// spliceMember returns body with the member whose value r is (found in body by gjson)
// replaced by raw.
func spliceMember(body []byte, r gjson.Result, raw string) []byte {
	if r.Index <= 0 {
		return body
	}
	out := make([]byte, 0, len(body)-len(r.Raw)+len(raw))
	out = append(out, body[:r.Index]...)
	out = append(out, raw...)
	return append(out, body[r.Index+len(r.Raw):]...)
}

func isExists(err error) bool { return errors.Is(err, store.ErrExists) }
