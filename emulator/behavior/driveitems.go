package behavior

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/tidwall/gjson"

	"github.com/graph-emulator/graph-emulator/emulator/store"
	"github.com/graph-emulator/graph-emulator/entities"
	"github.com/graph-emulator/graph-emulator/odata"
)

// Drive items: folders and files of a drive, each kept whole in the drive's flat items
// collection with the references to its children (see drives.go). The server hands the
// writes of drive items to the behaviour (Manages): creating children, renaming and
// moving by PATCH, deleting a folder with everything under it, and the content and upload
// writes of drivecontent.go and driveupload.go. Reads (GET of an item, /children with
// $orderby, $top and paging, $expand=children) are the generic engine's.
//
// What Graph keeps on an item and the emulator maintains on every write:
//   - name, unique among its siblings ignoring case, and Graph's name rules (nameRules);
//   - parentReference (driveType, driveId, id, path "/drives/{d}/root:/a/b") and webUrl,
//     rewritten on every item under a folder that is renamed or moved;
//   - size: a file's length, a folder's the sum of what is under it (so a drive's used
//     quota is its root's size); folder.childCount;
//   - eTag "{GUID},n", changed by every change of the item (a folder's too when what is
//     under it changes), and a file's cTag "c:{GUID},m", changed by its content only;
//   - createdBy, lastModifiedBy (the caller), times, fileSystemInfo.

// ErrDrive errors, as Graph's OneDrive and SharePoint answer (concepts/errors.md of the
// OneDrive API lists the codes).
func errItemNotFound() error {
	return &odata.Error{Status: http.StatusNotFound, Code: "itemNotFound", Message: "The resource could not be found."}
}

func errNameExists(name string) error {
	return &odata.Error{Status: http.StatusConflict, Code: "nameAlreadyExists",
		Message: "The specified item name already exists. Name: " + name}
}

func errInvalidRequest(msg string) error {
	return &odata.Error{Status: http.StatusBadRequest, Code: "invalidRequest", Message: msg}
}

// errNotFolder answers a write that puts an item under a file [?: Graph's wording not
// captured].
func errNotFolder() error { return errInvalidRequest("The parent item is not a folder.") }

// errRootChange answers a rename, move or delete of a drive's root folder [?].
func errRootChange(what string) error {
	return &odata.Error{Status: http.StatusForbidden, Code: "notAllowed", Message: "The root folder of a drive cannot be " + what + "."}
}

// ErrItemNotFound is Graph's 404 for a drive item a path or key does not find.
func (b *Behavior) ErrItemNotFound() error { return errItemNotFound() }

// ErrNotFound is Graph's 404 for an entity of type t that a key does not find, when it
// is not the directory's Request_ResourceNotFound: a drive item's itemNotFound. Nil
// means the generic answer.
func (b *Behavior) ErrNotFound(schema *entities.Schema, t *entities.StructuredType) error {
	if b.Manages(schema, t) {
		return errItemNotFound()
	}
	return outlookNotFound(schema, t)
}

// Manages reports whether the behaviour makes the writes of entities of type t itself
// (drive items): the server then hands creates and updates to Create and Update, and
// stream writes to PutStream.
func (b *Behavior) Manages(schema *entities.Schema, t *entities.StructuredType) bool {
	return t != nil && isA(schema, t, driveItemType)
}

// item is a stored drive item and its drive.
type item struct {
	drive string
	e     store.Entity
}

func (it item) id() string { return it.e.ID }
func (it item) get(path string) gjson.Result {
	return gjson.GetBytes(it.e.Body, path)
}
func (it item) name() string     { return it.get("name").String() }
func (it item) isFolder() bool   { return it.get("folder").IsObject() }
func (it item) isFile() bool     { return !it.isFolder() }
func (it item) isRoot() bool     { return it.get("root").Exists() && it.get("root").Type != gjson.Null }
func (it item) parentID() string { return it.get("parentReference.id").String() }
func (it item) size() int64      { return it.get("size").Int() }

// relPath is the item's path from the root: "" for the root, "/a/b.txt" for others.
func (it item) relPath() string {
	if it.isRoot() {
		return ""
	}
	p := it.get("parentReference.path").String()
	if i := strings.Index(p, "root:"); i >= 0 {
		p = p[i+len("root:"):]
	} else {
		p = ""
	}
	return strings.TrimSuffix(p, "/") + "/" + it.name()
}

func (b *Behavior) getItem(v store.View, drive, id string) (item, bool) {
	e, err := v.Get(itemsOf(drive), id)
	if err != nil {
		return item{}, false
	}
	return item{drive: drive, e: e}, true
}

// rootOf returns a drive's root folder.
func (b *Behavior) rootOf(v store.View, drive string) (item, bool) {
	id := ""
	v.Refs(rootRefOf(drive), 0, func(r store.Ref) bool { id = r.ID; return false })
	if id == "" {
		return item{}, false
	}
	return b.getItem(v, drive, id)
}

// children calls fn with the children of folder, in the order they came, until fn
// returns false.
func (b *Behavior) children(v store.View, folder item, fn func(item) bool) {
	v.Refs(childrenOf(folder.drive, folder.id()), 0, func(r store.Ref) bool {
		e, err := v.Get(r.Target, r.ID)
		if err != nil {
			return true
		}
		return fn(item{drive: folder.drive, e: e})
	})
}

// childNamed finds the child of folder named name, ignoring case as OneDrive does.
func (b *Behavior) childNamed(v store.View, folder item, name string) (item, bool) {
	var hit item
	found := false
	b.children(v, folder, func(c item) bool {
		if strings.EqualFold(c.name(), name) {
			hit, found = c, true
			return false
		}
		return true
	})
	return hit, found
}

// Address is where a path-based address (…/root:/a/b.txt:) led, from the item it is
// relative to: the item it names, or the deepest item that exists on the way and the
// names left after it.
type Address struct {
	Drive string
	// Found reports that every name exists: Coll and Entity hold the item named.
	Found  bool
	Coll   store.Coll
	Entity store.Entity
	// At is the last item that exists on the way (the item itself when Found); Rest
	// the names after it (none when Found). A name found as a file before the last
	// leaves At on that file.
	At   store.Entity
	Rest []string
	// Names are all the names of the path.
	Names []string
}

// PathAddressable reports whether entities of type t take path-based addresses.
func (b *Behavior) PathAddressable(schema *entities.Schema, t *entities.StructuredType) bool {
	return b.Manages(schema, t)
}

// WalkPath follows names (percent-decoded path segments) from the item e, kept in
// coll, down the drive's folders.
func (b *Behavior) WalkPath(v store.View, coll store.Coll, e store.Entity, names []string) (*Address, error) {
	drive, ok := isItemsColl(coll)
	if !ok {
		return nil, errItemNotFound()
	}
	at := item{drive: drive, e: e}
	a := &Address{Drive: drive, Names: names}
	for i, name := range names {
		if !at.isFolder() {
			a.At, a.Rest = at.e, names[i:]
			return a, nil
		}
		next, ok := b.childNamed(v, at, name)
		if !ok {
			a.At, a.Rest = at.e, names[i:]
			return a, nil
		}
		at = next
	}
	a.Found, a.Coll, a.Entity, a.At = true, itemsOf(drive), at.e, at.e
	return a, nil
}

// Name rules (Microsoft's "Restrictions and limitations in OneDrive and SharePoint":
// invalid characters, invalid names, leading and trailing spaces, 400 characters for a
// whole path). Graph answers 400 invalidRequest.
const (
	invalidNameChars = `"*:<>?/\|`
	maxNameLength    = 255
	maxPathLength    = 400
)

var reservedNames = []string{".lock", "CON", "PRN", "AUX", "NUL",
	"COM0", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8", "COM9",
	"LPT0", "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9",
	"desktop.ini"}

// checkName refuses a name Graph refuses.
func checkName(name string) error {
	switch {
	case name == "":
		return errInvalidRequest("The name of an item cannot be empty.")
	case strings.ContainsAny(name, invalidNameChars) || strings.ContainsFunc(name, func(r rune) bool { return r < 0x20 || r == 0x7f }):
		return errInvalidRequest("The provided name cannot contain any illegal characters.")
	case strings.TrimSpace(name) != name:
		return errInvalidRequest("The provided name cannot begin or end with a space.")
	case name == "." || name == "..":
		return errInvalidRequest("The provided name is not allowed: " + name)
	case len(name) > maxNameLength:
		return errInvalidRequest("The provided name is too long: at most " + strconv.Itoa(maxNameLength) + " characters.")
	case strings.HasPrefix(name, "~$") || strings.Contains(strings.ToLower(name), "_vti_"):
		return errInvalidRequest("The provided name is not allowed: " + name)
	}
	for _, r := range reservedNames {
		if strings.EqualFold(name, r) {
			return errInvalidRequest("The provided name is not allowed: " + name)
		}
	}
	return nil
}

// conflict is a @microsoft.graph.conflictBehavior.
type conflict int

const (
	conflictFail conflict = iota
	conflictReplace
	conflictRename
)

const conflictAnnotation = "@microsoft.graph.conflictBehavior"

// conflictOf reads the conflict behaviour of a request: the body's annotation at path
// (in JSON, "" for the top level), else the query option, else def.
func conflictOf(body []byte, path string, q url.Values, def conflict) (conflict, error) {
	key := gjson.Escape(conflictAnnotation)
	if path != "" {
		key = path + "." + key
	}
	raw := ""
	if v := gjson.GetBytes(body, key); v.Exists() {
		if v.Type != gjson.String {
			return 0, errInvalidRequest("The value of " + conflictAnnotation + " must be a string: fail, replace or rename.")
		}
		raw = v.Str
	} else {
		for k, vs := range q {
			if strings.EqualFold(k, conflictAnnotation) && len(vs) > 0 {
				raw = vs[0]
			}
		}
	}
	switch strings.ToLower(strings.TrimSpace(raw)) {
	case "":
		return def, nil
	case "fail":
		return conflictFail, nil
	case "replace":
		return conflictReplace, nil
	case "rename":
		return conflictRename, nil
	}
	return 0, errInvalidRequest("Invalid value for " + conflictAnnotation + ": '" + raw + "'. Expected fail, replace or rename.")
}

// placement is where a new (or moved, or renamed) item goes in a folder.
type placement struct {
	name string
	// replaced is the sibling of that name the item replaces (conflictReplace).
	replaced *item
}

// place decides the name of an item put in folder under name: the name itself when no
// other child (but self) has it, else per the conflict behaviour: fail (409), replace
// (that sibling goes), rename (Graph's "name 1.txt", "name 2.txt"...).
func (b *Behavior) place(v store.View, folder item, name, self string, cb conflict) (placement, error) {
	taken := map[string]item{}
	b.children(v, folder, func(c item) bool {
		if c.id() != self {
			taken[strings.ToLower(c.name())] = c
		}
		return true
	})
	existing, clash := taken[strings.ToLower(name)]
	if !clash {
		return placement{name: name}, nil
	}
	switch cb {
	case conflictReplace:
		return placement{name: name, replaced: &existing}, nil
	case conflictRename:
		stem, ext := name, ""
		if i := strings.LastIndexByte(name, '.'); i > 0 && !existing.isFolder() {
			stem, ext = name[:i], name[i:]
		}
		for n := 1; ; n++ {
			candidate := stem + " " + strconv.Itoa(n) + ext
			if _, used := taken[strings.ToLower(candidate)]; !used {
				return placement{name: candidate}, nil
			}
		}
	}
	return placement{}, errNameExists(name)
}

// tags are an item's eTag and cTag: "{GUID},n" and "c:{GUID},m", quotes included.
type tags struct {
	guid     string
	eTag     int
	cTag     int
	hasCTags bool
}

func tagsOf(it item) tags {
	t := tags{}
	guid, n := splitTag(it.get("eTag").String())
	t.guid, t.eTag = guid, n
	if c := it.get("cTag"); c.Exists() && c.Type == gjson.String {
		_, t.cTag = splitTag(strings.Replace(c.Str, "c:", "", 1))
		t.hasCTags = true
	}
	return t
}

// splitTag reads "\"{GUID},n\"".
func splitTag(s string) (string, int) {
	s = strings.Trim(s, `"`)
	i := strings.LastIndexByte(s, ',')
	if i < 0 {
		return strings.Trim(s, "{}"), 0
	}
	n, _ := strconv.Atoi(s[i+1:])
	return strings.Trim(s[:i], "{}"), n
}

func eTagValue(guid string, n int) string { return `"{` + guid + `},` + strconv.Itoa(n) + `"` }
func cTagValue(guid string, n int) string { return `"c:{` + guid + `},` + strconv.Itoa(n) + `"` }

// EntityTags returns the tags of an entity besides the server's own W/"version": a
// drive item's eTag (which Graph also writes as @odata.etag and the ETag header) and,
// for a file, its cTag; a precondition (If-Match, If-None-Match) may name either
// (driveitem-get-content.md: "the eTag (or cTag)"). Nil for other entities.
func (b *Behavior) EntityTags(schema *entities.Schema, e store.Entity) []string {
	if e.Type != driveItemType { // by name: it is asked of every entity a response tags
		return nil
	}
	var out []string
	for _, name := range []string{"eTag", "cTag"} {
		if v := gjson.GetBytes(e.Body, name); v.Type == gjson.String && v.Str != "" {
			out = append(out, v.Str)
		}
	}
	return out
}

// parentRef is the parentReference of an item in folder (nil for the root).
func (b *Behavior) parentRef(drv drive, folder *item) string {
	var buf []byte
	buf = append(buf, `{"driveType":`...)
	buf = odata.AppendString(buf, drv.kind)
	buf = append(buf, `,"driveId":`...)
	buf = odata.AppendString(buf, drv.id)
	if folder != nil {
		buf = append(buf, `,"id":`...)
		buf = odata.AppendString(buf, folder.id())
		buf = append(buf, `,"name":`...)
		buf = odata.AppendString(buf, folder.name())
		buf = append(buf, `,"path":`...)
		buf = odata.AppendString(buf, "/drives/"+drv.id+"/root:"+folder.relPath())
	}
	return string(append(buf, '}'))
}

// webURL is the webUrl of the item at relPath in drv.
func webURL(drv drive, relPath string) string {
	if relPath == "" {
		return drv.webURL
	}
	var b strings.Builder
	b.WriteString(drv.webURL)
	for _, seg := range strings.Split(strings.TrimPrefix(relPath, "/"), "/") {
		b.WriteByte('/')
		b.WriteString(url.PathEscape(seg))
	}
	return b.String()
}

// fileFacet is what a new file's content says of it.
type fileFacet struct {
	size   int64
	hashes Hashes
	// key is where its content is until the write commits (moved to the item's key).
	key string
}

// newItem is an item to create.
type newItem struct {
	name   string
	folder bool
	file   *fileFacet // nil for a folder, or a file without content
	// description and fileSystemInfo are the client's (raw JSON, "" for none).
	description, fileSystemInfo string
}

// itemType returns the driveItem type of the schema.
func itemType(c *Call) *entities.StructuredType {
	if t := c.Schema.EntityType(driveItemType); t != nil {
		return t
	}
	return c.Type
}

// provideRoot stores a drive's root folder, if it has none, and returns it.
func (b *Behavior) provideRoot(c *Call, tx store.Tx, driveEntity store.Entity) (item, error) {
	if root, ok := b.rootOf(tx, driveEntity.ID); ok {
		return root, nil
	}
	t := c.Schema.EntityType(driveItemType)
	if t == nil {
		return item{}, nil
	}
	drv, _ := b.loadDrive(tx, driveEntity.ID)
	id, guid := newItemID(c.NewID)
	now := jsonString(timestamp(c.Now()))
	f := newFields(t).
		set("createdDateTime", now).set("lastModifiedDateTime", now).
		str("name", "root").str("eTag", eTagValue(guid, 1)).
		set("createdBy", `{"user":{"displayName":"System Account"}}`).
		set("lastModifiedBy", `{"user":{"displayName":"System Account"}}`).
		set("parentReference", b.parentRef(drv, nil)).
		str("webUrl", drv.webURL).set("size", "0").
		set("fileSystemInfo", `{"createdDateTime":`+now+`,"lastModifiedDateTime":`+now+`}`).
		set("folder", `{"childCount":0}`).set("root", "{}")
	e, err := tx.Insert(itemsOf(drv.id), store.Entity{ID: id, Type: driveItemType, Body: f.render(c.Env, id)})
	if err != nil {
		return item{}, err
	}
	if _, err := tx.Link(rootRefOf(drv.id), itemsOf(drv.id), id); err != nil {
		return item{}, err
	}
	return item{drive: drv.id, e: e}, nil
}

// insertItem stores a new item in folder (whose name is already placed) and updates
// the folders above it.
func (b *Behavior) insertItem(c *Call, tx store.Tx, folder item, spec newItem) (item, error) {
	drv, ok := b.loadDrive(tx, folder.drive)
	if !ok {
		return item{}, errItemNotFound()
	}
	t := itemType(c)
	id, guid := newItemID(c.NewID)
	now := jsonString(timestamp(c.Now()))
	who := b.caller(c)
	f := newFields(t).
		set("createdDateTime", now).set("lastModifiedDateTime", now).
		str("name", spec.name).str("eTag", eTagValue(guid, 1)).
		set("createdBy", who).set("lastModifiedBy", who).
		set("parentReference", b.parentRef(drv, &folder)).
		str("webUrl", webURL(drv, folder.relPath()+"/"+spec.name))
	if spec.description != "" {
		f.set("description", spec.description)
	}
	fsi := spec.fileSystemInfo
	if fsi == "" {
		fsi = `{"createdDateTime":` + now + `,"lastModifiedDateTime":` + now + `}`
	}
	f.set("fileSystemInfo", fsi)
	var size int64
	if spec.folder {
		f.set("folder", `{"childCount":0}`).set("size", "0")
	} else {
		ff := spec.file
		if ff == nil {
			ff = &fileFacet{hashes: emptyHashes()}
		}
		size = ff.size
		f.str("cTag", cTagValue(guid, 1)).set("size", jsonInt(ff.size)).
			set("file", fileJSON(spec.name, ff.hashes))
		if ff.key != "" {
			if c.Env.Content == nil {
				return item{}, errNoContent()
			}
			from, to, content, tenant := ff.key, contentKey(drv.id, id), c.Env.Content, c.Tenant
			if err := c.Env.Commit(func() error { return content.RenameContent(tenant, from, to) }); err != nil {
				return item{}, err
			}
		}
	}
	e, err := tx.Insert(itemsOf(drv.id), store.Entity{ID: id, Type: t.QualifiedName(), Body: f.render(c.Env, id)})
	if err != nil {
		return item{}, err
	}
	if _, err := tx.Link(childrenOf(drv.id, folder.id()), itemsOf(drv.id), id); err != nil {
		return item{}, err
	}
	if err := b.adjustAncestors(c, tx, folder, size, 1); err != nil {
		return item{}, err
	}
	return item{drive: drv.id, e: e}, nil
}

// fileJSON is a file facet: the MIME type Graph gives the name's extension, the hashes.
func fileJSON(name string, h Hashes) string {
	return `{"mimeType":` + jsonString(mimeTypeOf(name)) + `,"hashes":{"quickXorHash":` + jsonString(h.QuickXor) +
		`,"sha1Hash":` + jsonString(h.SHA1) + `,"sha256Hash":` + jsonString(h.SHA256) + `}}`
}

// replaceItem writes body as it's item's new body, with a new eTag (and cTag, when its
// content changed), and returns the item as stored.
func (b *Behavior) replaceItem(c *Call, tx store.Tx, it item, f *fields, content bool, changed ...string) (item, error) {
	tg := tagsOf(it)
	f.str("eTag", eTagValue(tg.guid, tg.eTag+1))
	changed = append(changed, "eTag")
	if content && tg.hasCTags {
		f.str("cTag", cTagValue(tg.guid, tg.cTag+1))
		changed = append(changed, "cTag")
	}
	body := f.merge(c.Env, it.e.Body)
	e, err := tx.Replace(itemsOf(it.drive), store.Entity{ID: it.id(), Type: it.e.Type, Body: body}, changed)
	if err != nil {
		return item{}, err
	}
	return item{drive: it.drive, e: e}, nil
}

// adjustAncestors adds size bytes to folder and every folder above it, and children to
// folder's childCount.
func (b *Behavior) adjustAncestors(c *Call, tx store.Tx, folder item, size int64, children int) error {
	t := itemType(c)
	first := true
	for at, ok := folder, true; ok; {
		if size == 0 && !first {
			return nil
		}
		f := newFields(t)
		changed := []string{}
		if size != 0 {
			f.set("size", jsonInt(at.size()+size))
			changed = append(changed, "size")
		}
		if first && children != 0 {
			n := at.get("folder.childCount").Int() + int64(children)
			f.set("folder", `{"childCount":`+jsonInt(n)+`}`)
			changed = append(changed, "folder")
		}
		if len(changed) > 0 {
			if _, err := b.replaceItem(c, tx, at, f, false, changed...); err != nil {
				return err
			}
		}
		first = false
		if at.isRoot() {
			return nil
		}
		at, ok = b.getItem(tx, at.drive, at.parentID())
	}
	return nil
}

// WriteCall is a create or update of an entity the behaviour manages (see Manages).
type WriteCall struct {
	*Call
	Tx store.Tx
	// Coll is the collection the request addresses (a create) or holds the entity.
	Coll store.Coll
	// Entity is the entity addressed (updates); Owner the entity whose navigation
	// property Nav the path followed last, kept in OwnerColl.
	Entity    store.Entity
	Owner     store.Entity
	OwnerColl store.Coll
	Nav       *entities.NavigationProperty
	// Body is the request's JSON body; Fields its properties, checked against the type.
	Body   []byte
	Fields []entities.Field
}

// Create makes a drive item: POST to a folder's children (or to a drive's items, under
// the parentReference given or the root). 201 with the item; a replaced folder answers
// 200 with it, unchanged, as Graph does.
func (b *Behavior) Create(c *WriteCall) (*OpResult, error) {
	var folder item
	var ok bool
	drive, inItems := isItemsColl(c.OwnerColl)
	switch {
	case c.Nav != nil && c.Nav.Name == childrenNav && inItems:
		folder, ok = item{drive: drive, e: c.Owner}, true
	case c.Nav != nil && c.Nav.Name == itemsNav:
		drive = c.Owner.ID
		folder, ok = b.rootOf(c.Tx, drive)
		if id := gjson.GetBytes(c.Body, "parentReference.id").String(); id != "" {
			folder, ok = b.getItem(c.Tx, drive, id)
		}
	}
	if !ok {
		return nil, errItemNotFound()
	}
	if !folder.isFolder() {
		return nil, errNotFolder()
	}
	name := gjson.GetBytes(c.Body, "name")
	if name.Type != gjson.String {
		return nil, errInvalidRequest("The 'name' property is required to create an item.")
	}
	if err := checkName(name.Str); err != nil {
		return nil, err
	}
	isFolder := gjson.GetBytes(c.Body, "folder").IsObject()
	isFile := gjson.GetBytes(c.Body, "file").IsObject()
	if isFolder == isFile {
		return nil, errInvalidRequest("An item to create must have either a 'folder' or a 'file' facet.")
	}
	cb, err := conflictOf(c.Body, "", c.Env.query(), conflictFail)
	if err != nil {
		return nil, err
	}
	pl, err := b.place(c.Tx, folder, name.Str, "", cb)
	if err != nil {
		return nil, err
	}
	if pl.replaced != nil {
		if pl.replaced.isFolder() && isFolder {
			return itemResult(http.StatusOK, *pl.replaced), nil
		}
		if err := b.deleteTree(c.Call, c.Tx, *pl.replaced); err != nil {
			return nil, err
		}
		folder, _ = b.getItem(c.Tx, folder.drive, folder.id())
	}
	spec := newItem{name: pl.name, folder: isFolder,
		description: rawOf(c.Body, "description"), fileSystemInfo: rawOf(c.Body, "fileSystemInfo")}
	it, err := b.insertItem(c.Call, c.Tx, folder, spec)
	if err != nil {
		return nil, err
	}
	res := itemResult(http.StatusCreated, it)
	res.Location = c.Env.Base + "/" + c.Env.Version + "/drives/" + url.PathEscape(it.drive) + "/items/" + url.PathEscape(it.id())
	return res, nil
}

// rawOf is the raw JSON of a body's member, "" when absent or null.
func rawOf(body []byte, name string) string {
	v := gjson.GetBytes(body, gjson.Escape(name))
	if !v.Exists() || v.Type == gjson.Null {
		return ""
	}
	return v.Raw
}

// itemResult answers an item as the server writes a stored entity.
func itemResult(status int, it item) *OpResult {
	e := it.e
	return &OpResult{Status: status, Entity: &e, EntitySet: "drives('" + strings.ReplaceAll(it.drive, "'", "''") + "')/items"}
}

// Update renames, moves or describes a drive item (PATCH): name, parentReference (id
// or path, in the same drive), description, fileSystemInfo; the conflict behaviour
// (default fail) decides what a name taken in the target folder does. Other
// properties are Graph's to set and are left as they are.
func (b *Behavior) Update(c *WriteCall) (*OpResult, error) {
	drive, ok := isItemsColl(c.Coll)
	if !ok {
		return nil, errItemNotFound()
	}
	it := item{drive: drive, e: c.Entity}
	newName := it.name()
	if v := gjson.GetBytes(c.Body, "name"); v.Exists() {
		if v.Type != gjson.String {
			return nil, errInvalidRequest("The 'name' property must be a string.")
		}
		if err := checkName(v.Str); err != nil {
			return nil, err
		}
		newName = v.Str
	}
	pr := gjson.GetBytes(c.Body, "parentReference")
	renamed := newName != it.name()
	if it.isRoot() && (renamed || pr.IsObject()) {
		return nil, errRootChange("renamed or moved")
	}
	parent, hasParent := b.getItem(c.Tx, drive, it.parentID())
	if !hasParent && !it.isRoot() {
		return nil, errItemNotFound()
	}
	target := parent
	if pr.IsObject() {
		var err error
		if target, err = b.moveTarget(c.Tx, it, pr); err != nil {
			return nil, err
		}
	}
	moved := hasParent && target.id() != parent.id()
	cb, err := conflictOf(c.Body, "", c.Env.query(), conflictFail)
	if err != nil {
		return nil, err
	}
	if moved || renamed {
		pl, err := b.place(c.Tx, target, newName, it.id(), cb)
		if err != nil {
			return nil, err
		}
		if pl.replaced != nil {
			if err := b.deleteTree(c.Call, c.Tx, *pl.replaced); err != nil {
				return nil, err
			}
			target, _ = b.getItem(c.Tx, drive, target.id())
			if parent, hasParent = b.getItem(c.Tx, drive, it.parentID()); !hasParent {
				return nil, errItemNotFound()
			}
		}
		newName = pl.name
	}
	t := itemType(c.Call)
	f := newFields(t)
	changed := []string{"lastModifiedDateTime", "lastModifiedBy"}
	f.set("lastModifiedDateTime", jsonString(timestamp(c.Now()))).set("lastModifiedBy", b.caller(c.Call))
	for _, name := range []string{"description", "fileSystemInfo"} {
		if raw := rawOf(c.Body, name); raw != "" {
			f.set(name, raw)
			changed = append(changed, name)
		}
	}
	drv, _ := b.loadDrive(c.Tx, drive)
	if moved || renamed {
		f.str("name", newName).set("parentReference", b.parentRef(drv, &target)).
			str("webUrl", webURL(drv, target.relPath()+"/"+newName))
		changed = append(changed, "name", "parentReference", "webUrl")
	}
	if moved {
		if err := c.Tx.Unlink(childrenOf(drive, parent.id()), it.id()); err != nil {
			return nil, err
		}
		if err := b.adjustAncestors(c.Call, c.Tx, parent, -it.size(), -1); err != nil {
			return nil, err
		}
		if target, ok = b.getItem(c.Tx, drive, target.id()); !ok {
			return nil, errItemNotFound()
		}
		if _, err := c.Tx.Link(childrenOf(drive, target.id()), itemsOf(drive), it.id()); err != nil {
			return nil, err
		}
		if err := b.adjustAncestors(c.Call, c.Tx, target, it.size(), 1); err != nil {
			return nil, err
		}
	}
	if it, ok = b.getItem(c.Tx, drive, it.id()); !ok {
		return nil, errItemNotFound()
	}
	updated, err := b.replaceItem(c.Call, c.Tx, it, f, false, changed...)
	if err != nil {
		return nil, err
	}
	if (moved || renamed) && updated.isFolder() {
		if err := b.repath(c.Call, c.Tx, drv, updated); err != nil {
			return nil, err
		}
	}
	return itemResult(http.StatusOK, updated), nil
}

// moveTarget is the folder a parentReference names: by id, else by path
// ("/drive/root:/a", "/drives/{d}/root:/a"), in the item's drive.
func (b *Behavior) moveTarget(v store.View, it item, pr gjson.Result) (item, error) {
	if d := pr.Get("driveId").String(); d != "" && d != it.drive {
		return item{}, errInvalidRequest("Moving an item to another drive is not supported; copy it instead.")
	}
	var target item
	var ok bool
	switch id, path := pr.Get("id").String(), pr.Get("path").String(); {
	case id != "":
		target, ok = b.getItem(v, it.drive, id)
	case path != "":
		target, ok = b.itemAtPath(v, it.drive, path)
	default:
		target, ok = b.getItem(v, it.drive, it.parentID())
	}
	if !ok {
		return item{}, errItemNotFound()
	}
	if !target.isFolder() {
		return item{}, errNotFolder()
	}
	// Not into itself or anything under it.
	for at, up := target, true; up; {
		if at.id() == it.id() {
			return item{}, errInvalidRequest("An item cannot be moved into itself or a folder under it.")
		}
		if at.isRoot() {
			break
		}
		at, up = b.getItem(v, it.drive, at.parentID())
	}
	return target, nil
}

// itemAtPath finds the item at a parentReference path: "…root:" then "/a/b".
func (b *Behavior) itemAtPath(v store.View, drive, path string) (item, bool) {
	i := strings.Index(path, "root:")
	if i < 0 {
		return item{}, false
	}
	at, ok := b.rootOf(v, drive)
	for _, name := range strings.Split(path[i+len("root:"):], "/") {
		if !ok {
			return item{}, false
		}
		if name == "" {
			continue
		}
		if dec, err := url.PathUnescape(name); err == nil {
			name = dec
		}
		at, ok = b.childNamed(v, at, name)
	}
	return at, ok
}

// repath rewrites the parentReference and webUrl of everything under folder after it
// was renamed or moved.
func (b *Behavior) repath(c *Call, tx store.Tx, drv drive, folder item) error {
	var kids []item
	b.children(tx, folder, func(k item) bool { kids = append(kids, k); return true })
	t := itemType(c)
	for _, k := range kids {
		f := newFields(t).set("parentReference", b.parentRef(drv, &folder)).
			str("webUrl", webURL(drv, folder.relPath()+"/"+k.name()))
		e, err := tx.Replace(itemsOf(k.drive), store.Entity{ID: k.id(), Type: k.e.Type, Body: f.merge(c.Env, k.e.Body)},
			[]string{"parentReference", "webUrl"})
		if err != nil {
			return err
		}
		if k.isFolder() {
			if err := b.repath(c, tx, drv, item{drive: k.drive, e: e}); err != nil {
				return err
			}
		}
	}
	return nil
}

// deleteTree deletes an item and everything under it, and updates the folders above.
// The content of its files goes when the write commits.
func (b *Behavior) deleteTree(c *Call, tx store.Tx, it item) error {
	if it.isRoot() {
		return errRootChange("deleted")
	}
	parent, hasParent := b.getItem(tx, it.drive, it.parentID())
	var all []item
	var walk func(at item)
	walk = func(at item) {
		if at.isFolder() {
			b.children(tx, at, func(k item) bool { walk(k); return true })
		}
		all = append(all, at)
	}
	walk(it)
	for _, x := range all {
		if err := tx.Delete(itemsOf(x.drive), x.id()); err != nil {
			return err
		}
		if x.isFile() && c.Env.Content != nil {
			content, tenant, key := c.Env.Content, c.Tenant, contentKey(x.drive, x.id())
			if err := c.Env.Commit(func() error { return content.DeleteContent(tenant, key) }); err != nil {
				return err
			}
		}
	}
	if hasParent {
		return b.adjustAncestors(c, tx, parent, -it.size(), -1)
	}
	return nil
}

// deleteInDrive answers DELETE of a drive item (everything under a folder goes with
// it) and of a drive (which Graph does not delete); it reports whether it handled the
// delete.
func (b *Behavior) deleteInDrive(c *DeleteCall) (bool, error) {
	switch {
	case c.Type == nil:
		return false, nil
	case b.Manages(c.Schema, c.Type):
		return true, b.deleteItem(c)
	case isA(c.Schema, c.Type, driveType):
		return true, odata.ErrMethodNotAllowed("GET, PATCH")
	}
	return false, nil
}

// deleteItem is DELETE of a drive item.
func (b *Behavior) deleteItem(c *DeleteCall) error {
	drive, ok := isItemsColl(c.Coll)
	if !ok {
		// An item reached through a reference (…/children/{id}, …/root) is kept in its
		// drive's items.
		return errItemNotFound()
	}
	return b.deleteTree(c.Call, c.Tx, item{drive: drive, e: c.Entity})
}

// errNoContent answers a content write on a server without a content store.
func errNoContent() error {
	return &odata.Error{Status: http.StatusNotImplemented, Code: "notSupported",
		Message: "The emulator's store keeps no content."}
}
