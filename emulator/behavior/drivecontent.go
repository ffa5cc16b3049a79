package behavior

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"hash"
	"net/http"
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

// Content of drive items. PUT …/content (simple upload) streams the body into the
// content store under a temporary key, hashing it on the way (Digest), then the server
// hands the write to PutStream, which creates or updates the item and moves the content
// under the item's key when the write commits. GET …/content answers 302 to a
// pre-authenticated download URL on the emulator (DownloadPath and a signed token, valid
// an hour), the URL items carry as @microsoft.graph.downloadUrl; the server serves it
// from the content store with Range requests (206, 416).

// DownloadPath is where the emulator serves downloads: the path of a download URL,
// before its token.
const DownloadPath = "/_emulator/content/"

// downloadLifetime is how long a download URL is valid (Graph's are "a few minutes";
// an hour keeps slow tests working).
const downloadLifetime = time.Hour

// Hashes are a file's file.hashes as Graph writes them.
type Hashes struct {
	QuickXor, SHA1, SHA256 string
}

// Digest hashes a stream as it is stored: Graph's quickXorHash, sha1Hash and
// sha256Hash.
type Digest struct {
	qx   quickXorHash
	s1   hash.Hash
	s256 hash.Hash
	n    int64
}

// NewDigest returns a Digest of nothing yet.
func (b *Behavior) NewDigest() *Digest { return newDigest() }

func newDigest() *Digest { return &Digest{s1: sha1.New(), s256: sha256.New()} }

// Write implements io.Writer; it never fails.
func (d *Digest) Write(p []byte) (int, error) {
	d.qx.Write(p)
	d.s1.Write(p)
	d.s256.Write(p)
	d.n += int64(len(p))
	return len(p), nil
}

// Size is the number of bytes written.
func (d *Digest) Size() int64 { return d.n }

// Hashes returns the hashes of what was written.
func (d *Digest) Hashes() Hashes {
	return Hashes{QuickXor: d.qx.base64(),
		SHA1:   strings.ToUpper(hex.EncodeToString(d.s1.Sum(nil))),
		SHA256: strings.ToUpper(hex.EncodeToString(d.s256.Sum(nil)))}
}

func emptyHashes() Hashes { return newDigest().Hashes() }

// mimeTypes maps file extensions to the MIME type Graph gives a file (file.mimeType
// comes from the name, not from the upload's Content-Type).
var mimeTypes = map[string]string{
	"txt": "text/plain", "log": "text/plain", "md": "text/markdown", "csv": "text/csv",
	"htm": "text/html", "html": "text/html", "css": "text/css", "xml": "text/xml",
	"js": "application/javascript", "json": "application/json", "pdf": "application/pdf",
	"zip": "application/x-zip-compressed", "gz": "application/x-gzip",
	"png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "gif": "image/gif",
	"bmp": "image/bmp", "svg": "image/svg+xml", "webp": "image/webp", "tif": "image/tiff", "tiff": "image/tiff",
	"mp3": "audio/mpeg", "wav": "audio/wav", "mp4": "video/mp4", "mov": "video/quicktime",
	"doc": "application/msword", "xls": "application/vnd.ms-excel", "ppt": "application/vnd.ms-powerpoint",
	"docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
	"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	"pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}

// mimeTypeOf is the MIME type of a file named name.
func mimeTypeOf(name string) string {
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		if t, ok := mimeTypes[strings.ToLower(name[i+1:])]; ok {
			return t
		}
	}
	return "application/octet-stream"
}

// IsStream reports whether the property name of type t is a stream the behaviour
// serves: a drive item's content.
func (b *Behavior) IsStream(schema *entities.Schema, t *entities.StructuredType, name string) bool {
	return b.Manages(schema, t) && name == "content"
}

// StreamCall is a write of an entity's stream (PUT …/content): the bytes are already
// stored under Key, and Digest has their hashes.
type StreamCall struct {
	*Call
	Tx store.Tx
	// Entity, kept in Coll, is the entity addressed when Found; Address where a
	// path-based address led (nil for an entity addressed by key).
	Found   bool
	Coll    store.Coll
	Entity  store.Entity
	Address *Address
	Key     string
	Digest  *Digest
}

// PutStream creates or updates the file a simple upload addresses: 201 with a new item
// (the folders on its path made as needed), 200 with an updated one. The conflict
// behaviour (query option, default replace) decides what an existing name does.
func (b *Behavior) PutStream(c *StreamCall) (*OpResult, error) {
	if c.Env.Content == nil {
		return nil, errNoContent()
	}
	cb, err := conflictOf(nil, "", c.Env.query(), conflictReplace)
	if err != nil {
		return nil, err
	}
	ff := &fileFacet{size: c.Digest.Size(), hashes: c.Digest.Hashes(), key: c.Key}
	var existing *item
	if c.Found {
		drive, ok := isItemsColl(c.Coll)
		if !ok {
			return nil, errItemNotFound()
		}
		existing = &item{drive: drive, e: c.Entity}
	}
	return b.commitFile(c.Call, c.Tx, c.Address, existing, ff, cb)
}

// commitFile writes a file's new content: into existing (addressed by id: addr nil),
// or at the place addr names (the conflict behaviour deciding what an existing item of
// that name does; missing folders on the way are made).
func (b *Behavior) commitFile(c *Call, tx store.Tx, addr *Address, existing *item, ff *fileFacet, cb conflict) (*OpResult, error) {
	if existing != nil && (addr == nil || cb == conflictReplace) {
		if existing.isFolder() {
			return nil, errInvalidRequest("Content can only be written to a file; '" + existing.name() + "' is a folder.")
		}
		it, err := b.replaceContent(c, tx, *existing, ff)
		if err != nil {
			return nil, err
		}
		return itemResult(http.StatusOK, it), nil
	}
	if addr == nil {
		return nil, errItemNotFound()
	}
	var folder item
	var name string
	if existing != nil {
		if cb == conflictFail {
			return nil, errNameExists(existing.name())
		}
		parent, ok := b.getItem(tx, existing.drive, existing.parentID())
		if !ok {
			return nil, errItemNotFound()
		}
		folder, name = parent, existing.name()
	} else {
		var err error
		if folder, name, err = b.makePath(c, tx, addr); err != nil {
			return nil, err
		}
	}
	pl, err := b.place(tx, folder, name, "", cb)
	if err != nil {
		return nil, err
	}
	if pl.replaced != nil {
		// A name taken meanwhile (a folder made by another request): replace it.
		if err := b.deleteTree(c, tx, *pl.replaced); err != nil {
			return nil, err
		}
		folder, _ = b.getItem(tx, folder.drive, folder.id())
	}
	it, err := b.insertItem(c, tx, folder, newItem{name: pl.name, file: ff})
	if err != nil {
		return nil, err
	}
	res := itemResult(http.StatusCreated, it)
	return res, nil
}

// makePath makes the folders a pending address still needs and returns the folder the
// last name goes in, and that name (checked).
func (b *Behavior) makePath(c *Call, tx store.Tx, addr *Address) (item, string, error) {
	at := item{drive: addr.Drive, e: addr.At}
	if len(addr.Rest) == 0 {
		return item{}, "", errItemNotFound()
	}
	total := 0
	for _, n := range addr.Names {
		total += len(n) + 1
	}
	if total > maxPathLength {
		return item{}, "", errInvalidRequest("The path is too long: at most " + strconv.Itoa(maxPathLength) + " characters.")
	}
	for _, n := range addr.Rest {
		if err := checkName(n); err != nil {
			return item{}, "", err
		}
	}
	if !at.isFolder() {
		// A file where the path needs a folder [?: Graph's answer not captured].
		return item{}, "", errNameExists(at.name())
	}
	for _, n := range addr.Rest[:len(addr.Rest)-1] {
		next, err := b.insertItem(c, tx, at, newItem{name: n, folder: true})
		if err != nil {
			return item{}, "", err
		}
		at = next
	}
	return at, addr.Rest[len(addr.Rest)-1], nil
}

// replaceContent gives file it the content ff describes.
func (b *Behavior) replaceContent(c *Call, tx store.Tx, it item, ff *fileFacet) (item, error) {
	if ff.key != "" {
		from, to, content, tenant := ff.key, contentKey(it.drive, it.id()), c.Env.Content, c.Tenant
		if err := c.Env.Commit(func() error { return content.RenameContent(tenant, from, to) }); err != nil {
			return item{}, err
		}
	}
	now := jsonString(timestamp(c.Now()))
	fsi := it.get("fileSystemInfo")
	fsiRaw := `{"createdDateTime":` + jsonString(fsi.Get("createdDateTime").String()) + `,"lastModifiedDateTime":` + now + `}`
	f := newFields(itemType(c)).
		set("size", jsonInt(ff.size)).set("file", fileJSON(it.name(), ff.hashes)).
		set("lastModifiedDateTime", now).set("lastModifiedBy", b.caller(c)).set("fileSystemInfo", fsiRaw)
	updated, err := b.replaceItem(c, tx, it, f, true, "size", "file", "lastModifiedDateTime", "lastModifiedBy", "fileSystemInfo")
	if err != nil {
		return item{}, err
	}
	if parent, ok := b.getItem(tx, it.drive, it.parentID()); ok {
		if err := b.adjustAncestors(c, tx, parent, ff.size-it.size(), 0); err != nil {
			return item{}, err
		}
	}
	return updated, nil
}

// GetStream answers GET of a drive item's content: 302 to its download URL.
func (b *Behavior) GetStream(c *Call, coll store.Coll, e store.Entity) (*OpResult, error) {
	drive, ok := isItemsColl(coll)
	if !ok {
		return nil, errItemNotFound()
	}
	it := item{drive: drive, e: e}
	if it.isFolder() {
		return nil, errItemNotFound()
	}
	return &OpResult{Status: http.StatusFound, Location: b.downloadURL(c.Env.Base, c.Tenant, drive, e.ID, c.Now())}, nil
}

// downloadURL is the pre-authenticated URL of a file's content.
func (b *Behavior) downloadURL(base, tenant, drive, id string, now time.Time) string {
	exp := strconv.FormatInt(now.Add(downloadLifetime).Unix(), 10)
	return base + DownloadPath + b.sealToken("download", tenant, drive, id, exp)
}

// sealToken signs fields for the purpose kind: base64url of the fields, a dot, and a
// MAC of kind and that text with the server's key.
func (b *Behavior) sealToken(kind string, fields ...string) string {
	payload := base64.RawURLEncoding.EncodeToString([]byte(strings.Join(fields, "\x00")))
	return payload + "." + base64.RawURLEncoding.EncodeToString(b.tokenMAC(kind, payload))
}

func (b *Behavior) tokenMAC(kind, payload string) []byte {
	m := hmac.New(sha256.New, b.reports.key)
	m.Write([]byte(kind))
	m.Write([]byte{0})
	m.Write([]byte(payload))
	return m.Sum(nil)[:18]
}

// openToken checks a token made by sealToken for kind and returns its n fields.
func (b *Behavior) openToken(kind, token string, n int) ([]string, bool) {
	payload, sig, ok := strings.Cut(token, ".")
	if !ok {
		return nil, false
	}
	got, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil || !hmac.Equal(got, b.tokenMAC(kind, payload)) {
		return nil, false
	}
	raw, err := base64.RawURLEncoding.DecodeString(payload)
	if err != nil {
		return nil, false
	}
	f := strings.Split(string(raw), "\x00")
	if len(f) != n {
		return nil, false
	}
	return f, true
}

// Download is an opened download URL: where the content is and how to label it.
type Download struct {
	Tenant, Key string
	// ContentType and Name are the file's MIME type and name; ETag its eTag.
	ContentType, Name, ETag string
}

// OpenDownload checks the token of a download URL (the path after DownloadPath) and
// finds the file in st. An altered or expired token, or a file deleted since, is a 404.
func (b *Behavior) OpenDownload(token string, now time.Time, st store.Store) (*Download, error) {
	f, ok := b.openToken("download", token, 4)
	if !ok {
		return nil, errDownloadURL()
	}
	exp, err := strconv.ParseInt(f[3], 10, 64)
	if err != nil || now.Unix() > exp {
		return nil, errDownloadURL()
	}
	d := &Download{Tenant: f[0], Key: contentKey(f[1], f[2])}
	err = st.Read(f[0], func(v store.View) error {
		it, ok := b.getItem(v, f[1], f[2])
		if !ok || it.isFolder() {
			return errItemNotFound()
		}
		d.Name = it.name()
		d.ContentType = it.get("file.mimeType").String()
		d.ETag = it.get("eTag").String()
		return nil
	})
	if err != nil {
		return nil, err
	}
	return d, nil
}

func errDownloadURL() error {
	return &odata.Error{Status: http.StatusNotFound, Code: "itemNotFound",
		Message: "The download URL is not valid or has expired."}
}

// ErrInvalidRange is the answer to a Range that does not overlap the content.
func (b *Behavior) ErrInvalidRange(size int64) error {
	return &odata.Error{Status: http.StatusRequestedRangeNotSatisfiable, Code: "invalidRange",
		Message: "The requested range is not satisfiable.",
		Header:  http.Header{"Content-Range": {"bytes */" + strconv.FormatInt(size, 10)}}}
}

// ErrQuota is Graph's answer to a write beyond the content limit.
func (b *Behavior) ErrQuota() error {
	return &odata.Error{Status: http.StatusInsufficientStorage, Code: "quotaLimitReached",
		Message: "Insufficient Space Available"}
}

// ErrTooLarge answers a simple upload beyond its size limit.
func (b *Behavior) ErrTooLarge(limit int64) error {
	return &odata.Error{Status: http.StatusRequestEntityTooLarge, Code: "invalidRequest",
		Message: "The request body is larger than the simple upload limit of " + strconv.FormatInt(limit, 10) +
			" bytes; use an upload session (createUploadSession)."}
}

// Presentation is what Present needs of the response an entity is written in.
type Presentation struct {
	Schema                *entities.Schema
	Tenant, Version, Base string
	Now                   time.Time
	View                  store.View
	Content               store.Content
	// Select is the request's $select (nil for the default properties).
	Select []string
}

// downloadURLAnnotation is the instance annotation of a file's download URL.
const downloadURLAnnotation = "@microsoft.graph.downloadUrl"

// Presents reports whether Present completes entities of type t: Graph's drive items
// and drives (by name: it is asked of every entity a response writes).
func (b *Behavior) Presents(schema *entities.Schema, t *entities.StructuredType) bool {
	if t == nil {
		return false
	}
	name := t.QualifiedName()
	return name == driveItemType || name == driveType
}

// Present completes an entity's body for a response with what Graph computes on read:
// a file's @microsoft.graph.downloadUrl (unless $select leaves it out), a drive's quota.
func (b *Behavior) Present(p *Presentation, e store.Entity, body []byte) []byte {
	switch e.Type {
	case driveType:
		return b.presentDrive(p, e, body)
	case driveItemType:
	default:
		return body
	}
	if p.Select != nil && !slices.Contains(p.Select, downloadURLAnnotation) {
		return body
	}
	if gjson.GetBytes(e.Body, "folder").IsObject() || !gjson.GetBytes(e.Body, "file").IsObject() {
		return body
	}
	drive := gjson.GetBytes(e.Body, "parentReference.driveId").String()
	if drive == "" || len(body) < 2 || body[0] != '{' {
		return body
	}
	u := b.downloadURL(p.Base, p.Tenant, drive, e.ID, p.Now)
	out := make([]byte, 0, len(body)+len(u)+40)
	out = append(out, '{')
	out = odata.AppendString(out, downloadURLAnnotation)
	out = append(out, ':')
	out = odata.AppendString(out, u)
	if strings.TrimSpace(string(body[1:])) != "}" {
		out = append(out, ',')
	}
	return append(out, body[1:]...)
}

// query is the request's query options (nil when none).
func (e *Env) query() url.Values {
	if e == nil {
		return nil
	}
	return e.Query
}

// StreamNames are the names of the stream properties the behaviour serves (see
// IsStream), for the server to tell a streamed body before it parses the path.
func (b *Behavior) StreamNames() []string { return []string{"content"} }
