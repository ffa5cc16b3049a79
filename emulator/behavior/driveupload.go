package behavior

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/tidwall/gjson"

	"github.com/graph-emulator/graph-emulator/emulator/store"
	"github.com/graph-emulator/graph-emulator/entities"
	"github.com/graph-emulator/graph-emulator/odata"
)

// Upload sessions (driveitem-createuploadsession.md). createUploadSession answers an
// uploadUrl on the emulator (UploadPath and a signed token naming the tenant, the drive
// and the session); the session itself is kept in the drive's store (never addressed by
// clients: drives('d')/uploadSessions$), its bytes in the content store under
// "uploads/{id}", appended in order. Each PUT to the uploadUrl carries Content-Range:
// bytes from-to/total; fragments come in order, each but the last a multiple of 320 KiB,
// each at most 60 MiB; 202 with nextExpectedRanges until the last, which commits the file
// (the conflict behaviour the session was made with deciding) and answers 201 or 200
// with the item. GET reports the session's state, DELETE cancels it; a session expires
// a day after it was made, and expired ones are removed when the drive makes another.

// UploadPath is where the emulator serves upload sessions: the path of an uploadUrl,
// before its token.
const UploadPath = "/_emulator/upload/"

const (
	sessionLifetime = 24 * time.Hour
	fragmentUnit    = 320 << 10 // a fragment but the last is a multiple of 320 KiB
	maxFragment     = 60 << 20  // and at most 60 MiB
)

// uploadSession is what a session keeps, as its stored JSON body.
type uploadSession struct {
	Version string `json:"version"`
	// ItemID names the file an upload by id replaces; else BaseID is the item the
	// path's Names start from.
	ItemID   string   `json:"itemId,omitempty"`
	BaseID   string   `json:"baseId,omitempty"`
	Names    []string `json:"names,omitempty"`
	Conflict conflict `json:"conflict"`
	// Size is the file's size (item.fileSize, else the first fragment's total); -1
	// until known.
	Size    int64  `json:"size"`
	Expires string `json:"expires"`
}

func (s *uploadSession) expires() time.Time {
	t, _ := time.Parse(time.RFC3339Nano, s.Expires)
	return t
}

// registerDrives registers the drive operations.
func registerDrives(b *Behavior) {
	b.operations[graphNamespace+".createUploadSession"] = b.createUploadSession
	b.operations[graphNamespace+".copy"] = b.copyItem
	b.operations[graphNamespace+".search"] = b.searchItems
}

// driveOf returns the drive an operation's binding or address is in.
func driveOf(c *OpCall) (string, bool) {
	if c.Address != nil {
		return c.Address.Drive, true
	}
	return isItemsColl(c.BindingColl)
}

// createUploadSession makes an upload session for a new file at a path, or for an
// existing file.
func (b *Behavior) createUploadSession(_ context.Context, c *OpCall) (*OpResult, error) {
	if c.Env == nil || c.Env.Content == nil {
		return nil, errNoContent()
	}
	drive, ok := driveOf(c)
	if !ok || c.Tx == nil {
		return nil, errItemNotFound()
	}
	cb, err := conflictOf(c.Body, "item", c.Env.query(), conflictFail)
	if err != nil {
		return nil, err
	}
	s := uploadSession{Version: c.Version, Conflict: cb, Size: -1}
	if fs := gjson.GetBytes(c.Body, "item.fileSize"); fs.Exists() && fs.Type == gjson.Number {
		if fs.Int() < 0 {
			return nil, errInvalidRequest("item.fileSize cannot be negative.")
		}
		s.Size = fs.Int()
		if b.cfg.MaxContentBytes > 0 && c.Env.Content.ContentUsage(c.Tenant)+s.Size > b.cfg.MaxContentBytes {
			return nil, b.ErrQuota()
		}
	}
	name := gjson.GetBytes(c.Body, "item.name")
	switch a := c.Address; {
	case a == nil:
		it := item{drive: drive, e: c.Binding}
		if it.isFolder() {
			return nil, errInvalidRequest("Content can only be written to a file; '" + it.name() + "' is a folder.")
		}
		s.ItemID = it.id()
	case a.Found:
		it := item{drive: drive, e: a.Entity}
		if it.isFolder() {
			return nil, errNameExists(it.name())
		}
		if cb == conflictFail {
			return nil, errNameExists(it.name())
		}
		s.BaseID, s.Names = it.parentID(), []string{it.name()}
	default:
		at := item{drive: drive, e: a.At}
		if !at.isFolder() {
			return nil, errNameExists(at.name())
		}
		for _, n := range a.Rest {
			if err := checkName(n); err != nil {
				return nil, err
			}
		}
		s.BaseID, s.Names = at.id(), a.Rest
	}
	if name.Exists() && len(s.Names) > 0 && !strings.EqualFold(name.String(), s.Names[len(s.Names)-1]) {
		return nil, errInvalidRequest("The item's name in the request body must be the name at the end of the path.")
	}
	now := c.Now()
	b.sweepSessions(c.Tx, c.Env, c.Tenant, drive, now)
	sum := sha1.Sum([]byte("session\x00" + c.NewID()))
	id := hex.EncodeToString(sum[:])
	s.Expires = now.Add(sessionLifetime).UTC().Format(time.RFC3339Nano)
	raw, err := json.Marshal(s)
	if err != nil {
		return nil, err
	}
	if _, err := c.Tx.Insert(sessionsOf(drive), store.Entity{ID: id, Type: "microsoft.graph.uploadSession", Body: raw}); err != nil {
		return nil, err
	}
	url := c.Env.Base + UploadPath + b.sealToken("upload", c.Tenant, drive, id)
	ctx := odata.MetadataURL(c.Env.Base, c.Version) + "#microsoft.graph.uploadSession"
	body := `{"@odata.context":` + jsonString(ctx) + `,"expirationDateTime":` + jsonString(timestampMillis(s.expires())) +
		`,"nextExpectedRanges":["0-"],"uploadUrl":` + jsonString(url) + `}`
	return &OpResult{Status: http.StatusOK, Body: []byte(body)}, nil
}

func timestampMillis(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// sweepSessions removes a drive's expired upload sessions and their bytes.
func (b *Behavior) sweepSessions(tx store.Tx, env *Env, tenant, drive string, now time.Time) {
	var expired []string
	tx.Scan(sessionsOf(drive), 0, func(e store.Entity) bool {
		var s uploadSession
		if json.Unmarshal(e.Body, &s) == nil && now.After(s.expires()) {
			expired = append(expired, e.ID)
		}
		return true
	})
	for _, id := range expired {
		if tx.Delete(sessionsOf(drive), id) == nil && env != nil && env.Content != nil {
			content, key := env.Content, sessionContentKey(id)
			_ = env.Commit(func() error { return content.DeleteContent(tenant, key) })
		}
	}
}

// UploadCall is a request to an uploadUrl.
type UploadCall struct {
	// Token is the URL's path after UploadPath.
	Token  string
	Method string
	Header http.Header
	Body   io.Reader
	// ContentLength is the request's, -1 when unknown.
	ContentLength int64
	Store         store.Store
	// Schema returns the schema served under a version (nil when none).
	Schema func(version string) *entities.Schema
	Now    func() time.Time
	NewID  func() string
	// Env carries the content store, the base URL and the body writers; its Commit is
	// set by Upload for the writes it makes.
	Env *Env
}

// errSessionNotFound answers an uploadUrl whose session is gone: cancelled, expired,
// completed, or never issued.
func errSessionNotFound() error {
	return &odata.Error{Status: http.StatusNotFound, Code: "itemNotFound", InnerCode: "uploadSessionNotFound",
		Message: "The upload session was not found: it was cancelled, completed or has expired."}
}

func errRange(status int, inner, msg string) error {
	return &odata.Error{Status: status, Code: "invalidRange", InnerCode: inner, Message: msg}
}

// Upload answers a request to an uploadUrl: PUT a fragment, GET the session's state,
// DELETE to cancel. It returns the API version the session was made under, for the
// server to write an item it answers.
func (b *Behavior) Upload(c *UploadCall) (*OpResult, string, error) {
	f, ok := b.openToken("upload", c.Token, 3)
	if !ok {
		return nil, "", errSessionNotFound()
	}
	tenant, drive, id := f[0], f[1], f[2]
	var s uploadSession
	found := false
	err := c.Store.Read(tenant, func(v store.View) error {
		e, err := v.Get(sessionsOf(drive), id)
		if err != nil {
			return nil
		}
		found = json.Unmarshal(e.Body, &s) == nil
		return nil
	})
	if err != nil {
		return nil, "", err
	}
	now := c.Now()
	if found && now.After(s.expires()) {
		b.cancelSession(c, tenant, drive, id)
		found = false
	}
	if !found {
		return nil, "", errSessionNotFound()
	}
	schema := c.Schema(s.Version)
	if schema == nil || c.Env.Content == nil {
		return nil, "", errSessionNotFound()
	}
	switch c.Method {
	case http.MethodGet:
		return b.sessionState(c, tenant, id, &s), s.Version, nil
	case http.MethodDelete:
		if err := b.cancelSession(c, tenant, drive, id); err != nil {
			return nil, "", err
		}
		return &OpResult{Status: http.StatusNoContent}, s.Version, nil
	case http.MethodPut:
		res, err := b.putFragment(c, schema, tenant, drive, id, &s)
		return res, s.Version, err
	}
	return nil, "", odata.ErrMethodNotAllowed("GET, PUT, DELETE")
}

// sessionState is the session's expiry and the ranges it still expects.
func (b *Behavior) sessionState(c *UploadCall, tenant, id string, s *uploadSession) *OpResult {
	got, _ := c.Env.Content.ContentSize(tenant, sessionContentKey(id))
	ranges := `["` + strconv.FormatInt(got, 10) + `-"]`
	if s.Size >= 0 && got >= s.Size {
		ranges = `[]`
	}
	body := `{"expirationDateTime":` + jsonString(timestampMillis(s.expires())) + `,"nextExpectedRanges":` + ranges + `}`
	return &OpResult{Status: http.StatusOK, Body: []byte(body)}
}

// cancelSession removes a session and its bytes.
func (b *Behavior) cancelSession(c *UploadCall, tenant, drive, id string) error {
	err := c.Store.Write(tenant, func(tx store.Tx) error {
		if err := tx.Delete(sessionsOf(drive), id); err != nil {
			return errSessionNotFound()
		}
		return nil
	})
	if err != nil {
		return err
	}
	return c.Env.Content.DeleteContent(tenant, sessionContentKey(id))
}

// contentRange is a parsed Content-Range: bytes from-to/total.
type contentRange struct{ from, to, total int64 }

func parseContentRange(h string) (contentRange, bool) {
	h = strings.TrimSpace(h)
	rest, ok := strings.CutPrefix(h, "bytes ")
	if !ok {
		return contentRange{}, false
	}
	span, total, ok := strings.Cut(strings.TrimSpace(rest), "/")
	from, to, ok2 := strings.Cut(span, "-")
	if !ok || !ok2 {
		return contentRange{}, false
	}
	var r contentRange
	var err1, err2, err3 error
	r.from, err1 = strconv.ParseInt(from, 10, 64)
	r.to, err2 = strconv.ParseInt(to, 10, 64)
	if total == "*" {
		r.total = -1
	} else {
		r.total, err3 = strconv.ParseInt(total, 10, 64)
	}
	if err1 != nil || err2 != nil || err3 != nil || r.from < 0 || r.to < r.from || r.total >= 0 && r.to >= r.total {
		return contentRange{}, false
	}
	return r, true
}

// errLength answers a fragment whose bytes do not match its Content-Range.
func errLength() error {
	return errInvalidRequest("The Content-Range header length does not match the provided number of bytes.")
}

// putFragment appends one fragment and, after the last, commits the file.
func (b *Behavior) putFragment(c *UploadCall, schema *entities.Schema, tenant, drive, id string, s *uploadSession) (*OpResult, error) {
	if enc := strings.TrimSpace(c.Header.Get("Content-Encoding")); enc != "" && !strings.EqualFold(enc, "identity") {
		return nil, errInvalidRequest("A fragment is sent as it is, without a Content-Encoding: its Content-Range counts its bytes.")
	}
	cr, ok := parseContentRange(c.Header.Get("Content-Range"))
	if !ok {
		return nil, errInvalidRequest("The Content-Range header is missing or malformed: expected bytes {from}-{to}/{total}.")
	}
	switch {
	case cr.total < 0 && s.Size < 0:
		return nil, errInvalidRequest("The total size of the file must be given in the Content-Range header.")
	case cr.total < 0:
		cr.total = s.Size
	}
	if cr.to >= cr.total {
		return nil, errRange(http.StatusBadRequest, "fragmentLengthMismatch", "The fragment ends past the end of the file.")
	}
	n := cr.to - cr.from + 1
	if c.ContentLength >= 0 && c.ContentLength != n {
		return nil, errLength()
	}
	if s.Size >= 0 && cr.total != s.Size {
		return nil, errRange(http.StatusBadRequest, "fragmentLengthMismatch",
			"Declared total size for this fragment is different from that of the upload session.")
	}
	if n > maxFragment {
		return nil, &odata.Error{Status: http.StatusRequestEntityTooLarge, Code: "invalidRequest", InnerCode: "maxFragmentLengthExceeded",
			Message: "A fragment can hold at most 60 MiB (62,914,560 bytes)."}
	}
	last := cr.to+1 == cr.total
	if !last && n%fragmentUnit != 0 {
		return nil, errRange(http.StatusBadRequest, "invalidFragmentLength",
			"A fragment but the last must be a multiple of 320 KiB (327,680 bytes); this one has "+strconv.FormatInt(n, 10)+".")
	}
	key := sessionContentKey(id)
	got, err := c.Env.Content.ContentSize(tenant, key)
	if err != nil {
		got = 0
	}
	switch {
	case cr.from < got:
		return nil, errRange(http.StatusRequestedRangeNotSatisfiable, "fragmentOverlap", "Uploaded fragment overlaps with existing data.")
	case cr.from > got:
		return nil, errRange(http.StatusRequestedRangeNotSatisfiable, "fragmentOutOfOrder", "Uploaded fragment is out of order.")
	}
	if s.Size < 0 {
		// The first fragment fixes the total.
		s.Size = cr.total
		if err := b.saveSession(c, tenant, drive, id, s); err != nil {
			return nil, err
		}
	}
	_, err = c.Env.Content.AppendContent(tenant, key, cr.from, &exactReader{r: c.Body, n: n}, b.cfg.MaxContentBytes)
	switch {
	case errors.Is(err, store.ErrContentOffset):
		return nil, errRange(http.StatusRequestedRangeNotSatisfiable, "fragmentOverlap", "Uploaded fragment overlaps with existing data.")
	case errors.Is(err, store.ErrContentQuota):
		return nil, b.ErrQuota()
	case errors.Is(err, errShortBody), errors.Is(err, errLongBody), errors.Is(err, io.ErrUnexpectedEOF):
		return nil, errLength()
	case err != nil:
		return nil, err
	}
	if !last {
		body := `{"expirationDateTime":` + jsonString(timestampMillis(s.expires())) +
			`,"nextExpectedRanges":["` + strconv.FormatInt(cr.to+1, 10) + `-"]}`
		return &OpResult{Status: http.StatusAccepted, Body: []byte(body)}, nil
	}
	return b.commitSession(c, schema, tenant, drive, id)
}

// saveSession stores a session's changed state.
func (b *Behavior) saveSession(c *UploadCall, tenant, drive, id string, s *uploadSession) error {
	raw, err := json.Marshal(s)
	if err != nil {
		return err
	}
	return c.Store.Write(tenant, func(tx store.Tx) error {
		if _, err := tx.Replace(sessionsOf(drive), store.Entity{ID: id, Type: "microsoft.graph.uploadSession", Body: raw}, nil); err != nil {
			return errSessionNotFound()
		}
		return nil
	})
}

// commitSession hashes a complete session's bytes (outside any lock) and commits the
// file in one write.
func (b *Behavior) commitSession(c *UploadCall, schema *entities.Schema, tenant, drive, id string) (*OpResult, error) {
	key := sessionContentKey(id)
	d := newDigest()
	rd, err := c.Env.Content.OpenContent(tenant, key)
	if err != nil {
		return nil, errSessionNotFound()
	}
	buf := make([]byte, 256<<10)
	_, err = io.CopyBuffer(d, io.NewSectionReader(rd, 0, rd.Size()), buf)
	rd.Close()
	if err != nil {
		return nil, err
	}
	var res *OpResult
	err = b.write(c, schema, tenant, func(call *Call, tx store.Tx) error {
		e, err := tx.Get(sessionsOf(drive), id)
		if err != nil {
			return errSessionNotFound()
		}
		var s uploadSession
		if err := json.Unmarshal(e.Body, &s); err != nil {
			return errSessionNotFound()
		}
		ff := &fileFacet{size: d.Size(), hashes: d.Hashes(), key: key}
		var addr *Address
		var existing *item
		if s.ItemID != "" {
			it, ok := b.getItem(tx, drive, s.ItemID)
			if !ok {
				return errItemNotFound()
			}
			existing = &it
		} else {
			base, ok := b.getItem(tx, drive, s.BaseID)
			if !ok {
				return errItemNotFound()
			}
			if addr, err = b.WalkPath(tx, itemsOf(drive), base.e, s.Names); err != nil {
				return err
			}
			if addr.Found {
				it := item{drive: drive, e: addr.Entity}
				existing = &it
			}
		}
		if existing != nil && s.ItemID == "" && s.Conflict == conflictFail {
			return &odata.Error{Status: http.StatusConflict, Code: "nameAlreadyExists",
				Message: "Another file exists with the same name as the uploaded session. You can redirect the upload session to use a new filename by calling PUT with the new metadata and @microsoft.graph.sourceUrl attribute."}
		}
		if res, err = b.commitFile(call, tx, addr, existing, ff, s.Conflict); err != nil {
			return err
		}
		return tx.Delete(sessionsOf(drive), id)
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// write runs fn in one write of the tenant with a Call whose Env commits what fn asks
// for as the write's last step.
func (b *Behavior) write(c *UploadCall, schema *entities.Schema, tenant string, fn func(*Call, store.Tx) error) error {
	return c.Store.Write(tenant, func(tx store.Tx) error {
		var commits []func() error
		env := *c.Env
		env.CollectCommits(&commits)
		call := &Call{Schema: schema, Type: schema.EntityType(driveItemType), Tenant: tenant, View: tx,
			Now: c.Now, NewID: c.NewID, Env: &env}
		if call.Type == nil {
			return errItemNotFound()
		}
		if err := fn(call, tx); err != nil {
			return err
		}
		for _, f := range commits {
			if err := f(); err != nil {
				return err
			}
		}
		return nil
	})
}

var (
	errShortBody = errors.New("behavior: body shorter than its Content-Range")
	errLongBody  = errors.New("behavior: body longer than its Content-Range")
)

// exactReader yields exactly n bytes of r: fewer is errShortBody, more errLongBody.
type exactReader struct {
	r    io.Reader
	n    int64
	done bool
}

func (e *exactReader) Read(p []byte) (int, error) {
	if e.n == 0 {
		if e.done {
			return 0, io.EOF
		}
		e.done = true
		var one [1]byte
		if k, _ := io.ReadFull(e.r, one[:]); k > 0 {
			return 0, errLongBody
		}
		return 0, io.EOF
	}
	if int64(len(p)) > e.n {
		p = p[:e.n]
	}
	k, err := e.r.Read(p)
	e.n -= int64(k)
	if err == io.EOF {
		if e.n > 0 {
			return k, errShortBody
		}
		err = nil
	}
	return k, err
}

// TakesAddress reports whether the operation named name runs on a path-based address
// that names nothing yet (createUploadSession makes the file there); others need the
// entity to exist.
func (b *Behavior) TakesAddress(name string) bool {
	return name == graphNamespace+".createUploadSession"
}
