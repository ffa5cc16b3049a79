package behavior

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tidwall/gjson"

	"github.com/graph-emulator/graph-emulator/emulator/store"
	"github.com/graph-emulator/graph-emulator/entities"
	"github.com/graph-emulator/graph-emulator/odata"
)

// Upload sessions for large attachments (attachment-createuploadsession.md,
// outlook-large-attachments.md):
//
//	POST …/messages/{id}/attachments/createAttachmentSession {"AttachmentItem":{"attachmentType":"file","name","size",…}}
//	     → 201 {"uploadUrl","expirationDateTime","nextExpectedRanges":["0-"]}
//	PUT  uploadUrl, Content-Range: bytes {start}-{end}/{size}, the bytes
//	     → 200 {"expirationDateTime","nextExpectedRanges":[…]} while bytes are missing,
//	       201 with Location (the new attachment) and no body once the file is whole
//	GET  uploadUrl → 200 with the session's state; DELETE uploadUrl → 204
//
// The upload URL is on the emulator (AttachmentUploadPath and a token signed with the server's
// key naming the tenant, the version, the item and the session) and needs no
// Authorization, as Graph's pre-authenticated URLs. Ranges may come in any order (the
// SDKs' helpers may send them side by side) and overlap; nextExpectedRanges lists the
// missing ones ("start-end", the last as "start-"). The session and its bytes are kept
// under the item, so they go with it. A file under 3 MB is refused, as Graph does.

// AttachmentUploadPath is where the emulator takes the bytes of upload sessions.
const AttachmentUploadPath = "/_emulator/attachment-uploads/"

// Upload session limits.
const (
	minUploadSize  = 3 * 1024 * 1024
	maxUploadSize  = 150 * 1024 * 1024
	uploadLifetime = 24 * time.Hour
	// sessionsNav and chunksNav name where sessions and their bytes are kept.
	sessionsNav = "attachments$sessions"
	chunksNav   = "chunks"
)

func registerUploads(b *Behavior) {
	b.bindOp(graphNamespace+".createUploadSession", attachmentType, b.createAttachmentSession)
}

// uploadTarget is what an upload URL's token names.
type uploadTarget struct {
	Tenant  string     `json:"t"`
	Version string     `json:"v"`
	Root    string     `json:"r"` // the entity set at the root of the item's collection
	Steps   []pathStep `json:"s"` // down to the item's collection
	Item    string     `json:"i"`
	Session string     `json:"u"`
	// Path is the item's URL path under the version, for the new attachment's Location.
	Path string `json:"p"`
}

func (u uploadTarget) itemColl() store.Coll {
	c := store.Set(u.Root)
	for _, s := range u.Steps {
		c = c.Contained(s.Key, s.Nav)
	}
	return c
}

// sealUpload makes the token of an upload URL.
func (b *Behavior) sealUpload(u uploadTarget) string {
	raw, _ := json.Marshal(u)
	mac := hmac.New(sha256.New, b.reports.key)
	mac.Write([]byte("upload:"))
	mac.Write(raw)
	return base64.RawURLEncoding.EncodeToString(raw) + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// openUpload reads a token made by sealUpload.
func (b *Behavior) openUpload(token string) (uploadTarget, bool) {
	var u uploadTarget
	p, sig, ok := strings.Cut(token, ".")
	if !ok {
		return u, false
	}
	raw, err1 := base64.RawURLEncoding.DecodeString(p)
	got, err2 := base64.RawURLEncoding.DecodeString(sig)
	if err1 != nil || err2 != nil {
		return u, false
	}
	mac := hmac.New(sha256.New, b.reports.key)
	mac.Write([]byte("upload:"))
	mac.Write(raw)
	if !hmac.Equal(got, mac.Sum(nil)) || json.Unmarshal(raw, &u) != nil || u.Root == "" {
		return u, false
	}
	return u, true
}

// errUploadNotFound answers an upload URL that names no session.
func errUploadNotFound() error {
	return &odata.Error{Status: http.StatusNotFound, Code: "ErrorItemNotFound", Message: "The upload session was not found or has expired."}
}

// AttachmentUploadTarget returns the tenant and version of an upload URL's token.
func (b *Behavior) AttachmentUploadTarget(token string) (tenant, version string, err error) {
	u, ok := b.openUpload(token)
	if !ok {
		return "", "", errUploadNotFound()
	}
	return u.Tenant, u.Version, nil
}

// createAttachmentSession answers createAttachmentSession on an item's attachments.
func (b *Behavior) createAttachmentSession(_ context.Context, c *OpCall) (*OpResult, error) {
	if c.Tx == nil || c.Coll.IsZero() {
		return nil, odata.ErrInternal()
	}
	itemColl, itemID, nav, ok := c.Coll.Owner()
	if !ok || nav != attachmentsNav {
		return nil, notImplementedErr(c)
	}
	it := c.Args.Get("AttachmentItem")
	if t := strings.ToLower(it.Get("attachmentType").String()); t != "" && t != "file" {
		return nil, &odata.Error{Status: http.StatusBadRequest, Code: "ErrorInvalidRequest",
			Message: "Your request can't be completed. Only file attachments can be uploaded in a session."}
	}
	size := it.Get("size").Int()
	if it.Get("name").String() == "" {
		return nil, &odata.Error{Status: http.StatusBadRequest, Code: "ErrorInvalidRequest",
			Message: "Your request can't be completed. The attachment needs a name."}
	}
	if size < minUploadSize {
		return nil, &odata.Error{Status: http.StatusBadRequest, Code: "ErrorAttachmentSizeShouldNotBeLessThanMinimumSize",
			Message: "Attachment size must be greater than the minimum size."}
	}
	if size > maxUploadSize {
		return nil, &odata.Error{Status: http.StatusBadRequest, Code: "ErrorAttachmentSizeExceedsMaxSize",
			Message: "The attachment exceeds the maximum size of 150 MB."}
	}
	root, steps, ok := pathOf(itemColl)
	if !ok {
		return nil, notImplementedErr(c)
	}
	id := c.NewID()
	exp := c.Now().Add(uploadLifetime)
	st := uploadState{Name: it.Get("name").String(), Size: size, ContentType: it.Get("contentType").String(),
		IsInline: it.Get("isInline").Bool(), ContentID: it.Get("contentId").String(), Expires: exp}
	raw, _ := json.Marshal(st)
	sessions := itemColl.Contained(itemID, sessionsNav)
	if _, err := c.Tx.Insert(sessions, store.Entity{ID: id, Type: "emulator.uploadSession", Body: raw}); err != nil {
		return nil, storeErr(err)
	}
	path := itemURLPath(root, steps, itemID)
	u := uploadTarget{Tenant: c.Tenant, Version: c.Version, Root: root, Steps: steps, Item: itemID, Session: id, Path: path}
	body := odata.AppendEntity(nil, odata.MetadataURL(c.Base, c.Version)+"#microsoft.graph.uploadSession", "",
		credentialObject([2]string{"expirationDateTime", str(exp.UTC().Format(time.RFC3339Nano))},
			[2]string{"nextExpectedRanges", `["0-"]`},
			[2]string{"uploadUrl", str(c.Base + AttachmentUploadPath + b.sealUpload(u))}))
	return &OpResult{Status: http.StatusCreated, Body: body}, nil
}

func notImplementedErr(c *OpCall) error {
	_, err := notImplemented(context.Background(), c)
	return err
}

func storeErr(err error) error {
	if errors.Is(err, store.ErrNotFound) {
		return errOutlookNotFound()
	}
	return err
}

// pathOf returns the entity set at the root of a contained collection and the steps
// down to it.
func pathOf(c store.Coll) (string, []pathStep, bool) {
	var steps []pathStep
	for !c.IsRoot() {
		parent, key, nav, ok := c.Owner()
		if !ok {
			return "", nil, false
		}
		steps = append(steps, pathStep{Key: key, Nav: nav})
		c = parent
	}
	if !c.Equal(store.Set(c.Root())) {
		return "", nil, false
	}
	slices.Reverse(steps)
	return c.Root(), steps, true
}

// itemURLPath is the URL path of the item (under the version).
func itemURLPath(root string, steps []pathStep, item string) string {
	var sb strings.Builder
	sb.WriteString(root)
	for _, s := range steps {
		sb.WriteString("('" + urlKey(s.Key) + "')/" + s.Nav)
	}
	sb.WriteString("('" + urlKey(item) + "')")
	return sb.String()
}

func urlKey(k string) string {
	return strings.ReplaceAll(strings.ReplaceAll(k, "'", "''"), "/", "%2F")
}

// uploadState is what a session keeps besides its bytes.
type uploadState struct {
	Name        string    `json:"name"`
	Size        int64     `json:"size"`
	ContentType string    `json:"contentType,omitempty"`
	IsInline    bool      `json:"isInline,omitempty"`
	ContentID   string    `json:"contentId,omitempty"`
	Expires     time.Time `json:"expires"`
	// Ranges are the byte ranges received, [start, end] inclusive, sorted and merged.
	Ranges [][2]int64 `json:"ranges,omitempty"`
}

// missing lists the ranges not received, as nextExpectedRanges writes them.
func (s *uploadState) missing() []string {
	var out []string
	next := int64(0)
	for _, r := range s.Ranges {
		if r[0] > next {
			out = append(out, strconv.FormatInt(next, 10)+"-"+strconv.FormatInt(r[0]-1, 10))
		}
		next = max(next, r[1]+1)
	}
	if next < s.Size {
		out = append(out, strconv.FormatInt(next, 10)+"-")
	}
	return out
}

// add records a received range, merging it with those it meets.
func (s *uploadState) add(start, end int64) {
	s.Ranges = append(s.Ranges, [2]int64{start, end})
	slices.SortFunc(s.Ranges, func(a, b [2]int64) int {
		switch {
		case a[0] < b[0]:
			return -1
		case a[0] > b[0]:
			return 1
		}
		return 0
	})
	merged := s.Ranges[:1]
	for _, r := range s.Ranges[1:] {
		last := &merged[len(merged)-1]
		if r[0] <= last[1]+1 {
			last[1] = max(last[1], r[1])
			continue
		}
		merged = append(merged, r)
	}
	s.Ranges = merged
}

// AttachmentUploadCall is one request to an upload URL.
type AttachmentUploadCall struct {
	Method string
	Token  string
	// ContentRange is the request's Content-Range header; Body its bytes.
	ContentRange string
	Body         []byte
	Schema       *entities.Schema
	Tx           store.Tx
	// Base is scheme://host as the client addressed the server.
	Base  string
	Now   func() time.Time
	NewID func() string
}

// Upload answers a request to an upload URL, in its tenant's write.
func (b *Behavior) AttachmentUpload(c *AttachmentUploadCall) (*OpResult, error) {
	u, ok := b.openUpload(c.Token)
	if !ok {
		return nil, errUploadNotFound()
	}
	itemColl := u.itemColl()
	sessions := itemColl.Contained(u.Item, sessionsNav)
	se, err := c.Tx.Get(sessions, u.Session)
	var st uploadState
	if err != nil || json.Unmarshal(se.Body, &st) != nil || c.Now().After(st.Expires) {
		return nil, errUploadNotFound()
	}
	switch c.Method {
	case http.MethodGet:
		return b.uploadStatus(c, u, &st, http.StatusOK), nil
	case http.MethodDelete:
		if err := c.Tx.Delete(sessions, u.Session); err != nil {
			return nil, err
		}
		return &OpResult{Status: http.StatusNoContent}, nil
	case http.MethodPut:
	default:
		return nil, odata.ErrMethodNotAllowed("GET, PUT, DELETE")
	}
	start, end, total, ok := parseAttachmentRange(c.ContentRange)
	switch {
	case !ok:
		return nil, errAttachmentRange("The Content-Range header is missing or malformed; expected 'bytes {start}-{end}/{total}'.")
	case total != st.Size:
		return nil, errAttachmentRange("The Content-Range total " + strconv.FormatInt(total, 10) + " is not the session's size " + strconv.FormatInt(st.Size, 10) + ".")
	case end >= st.Size || start > end:
		return nil, errAttachmentRange("The Content-Range is outside the file.")
	case int64(len(c.Body)) != end-start+1:
		return nil, errAttachmentRange("The body holds " + strconv.Itoa(len(c.Body)) + " bytes where the Content-Range names " + strconv.FormatInt(end-start+1, 10) + ".")
	}
	chunks := sessions.Contained(u.Session, chunksNav)
	key := strconv.FormatInt(start, 10) + "-" + strconv.FormatInt(end, 10)
	chunk := credentialObject([2]string{"id", str(key)}, [2]string{"start", strconv.FormatInt(start, 10)},
		[2]string{"data", str(base64.StdEncoding.EncodeToString(c.Body))})
	if _, err := c.Tx.Insert(chunks, store.Entity{ID: key, Type: "emulator.uploadChunk", Body: chunk}); err != nil && !errors.Is(err, store.ErrExists) {
		return nil, err
	}
	st.add(start, end)
	if len(st.missing()) > 0 {
		raw, _ := json.Marshal(st)
		if _, err := c.Tx.Replace(sessions, store.Entity{ID: se.ID, Type: se.Type, Body: raw}, nil); err != nil {
			return nil, err
		}
		return b.uploadStatus(c, u, &st, http.StatusOK), nil
	}
	return b.finishUpload(c, u, &st, chunks)
}

func errAttachmentRange(msg string) error {
	return &odata.Error{Status: http.StatusBadRequest, Code: "InvalidContentRange", Message: msg}
}

// parseAttachmentRange reads "bytes {start}-{end}/{total}".
func parseAttachmentRange(h string) (start, end, total int64, ok bool) {
	rest, found := strings.CutPrefix(strings.TrimSpace(h), "bytes ")
	if !found {
		return 0, 0, 0, false
	}
	rng, tot, found := strings.Cut(rest, "/")
	if !found {
		return 0, 0, 0, false
	}
	a, z, found := strings.Cut(rng, "-")
	if !found {
		return 0, 0, 0, false
	}
	var err1, err2, err3 error
	start, err1 = strconv.ParseInt(strings.TrimSpace(a), 10, 64)
	end, err2 = strconv.ParseInt(strings.TrimSpace(z), 10, 64)
	total, err3 = strconv.ParseInt(strings.TrimSpace(tot), 10, 64)
	return start, end, total, err1 == nil && err2 == nil && err3 == nil && start >= 0
}

// uploadStatus answers a session's state.
func (b *Behavior) uploadStatus(c *AttachmentUploadCall, u uploadTarget, st *uploadState, status int) *OpResult {
	ranges := []byte{'['}
	for i, r := range st.missing() {
		if i > 0 {
			ranges = append(ranges, ',')
		}
		ranges = append(ranges, str(r)...)
	}
	ranges = append(ranges, ']')
	body := odata.AppendEntity(nil, odata.MetadataURL(c.Base, u.Version)+"#microsoft.graph.uploadSession", "",
		credentialObject([2]string{"expirationDateTime", str(st.Expires.UTC().Format(time.RFC3339Nano))},
			[2]string{"nextExpectedRanges", string(ranges)}))
	return &OpResult{Status: status, Body: body}
}

// finishUpload makes the file attachment of a session whose bytes are all in.
func (b *Behavior) finishUpload(c *AttachmentUploadCall, u uploadTarget, st *uploadState, chunks store.Coll) (*OpResult, error) {
	data := make([]byte, st.Size)
	c.Tx.Scan(chunks, 0, func(e store.Entity) bool {
		r := gjson.GetManyBytes(e.Body, "start", "data")
		if raw, err := base64.StdEncoding.DecodeString(r[1].String()); err == nil {
			copy(data[r[0].Int():], raw)
		}
		return true
	})
	t := c.Schema.EntityType(fileAttachment)
	if t == nil {
		return nil, odata.ErrInternal()
	}
	itemColl := u.itemColl()
	id := c.NewID()
	ct := st.ContentType
	if ct == "" {
		ct = contentTypeOf(st.Name)
	}
	contentID := "null"
	if st.ContentID != "" {
		contentID = str(st.ContentID)
	}
	body := b.set(t, keyBody(id), "contentBytes", str(base64.StdEncoding.EncodeToString(data)), "contentId", contentID,
		"contentType", str(ct), "isInline", boolJSON(st.IsInline), "lastModifiedDateTime", str(graphDateTime(c.Now())),
		"name", str(st.Name), "size", strconv.FormatInt(st.Size, 10))
	atts := itemColl.Contained(u.Item, attachmentsNav)
	if _, err := c.Tx.Insert(atts, store.Entity{ID: id, Type: fileAttachment, Body: body}); err != nil {
		return nil, storeErr(err)
	}
	if err := c.Tx.Delete(itemColl.Contained(u.Item, sessionsNav), u.Session); err != nil {
		return nil, err
	}
	if err := b.syncHasAttachments(c.Schema, c.Tx, atts); err != nil {
		return nil, err
	}
	loc := c.Base + "/" + u.Version + "/" + u.Path + "/attachments('" + urlKey(id) + "')"
	return &OpResult{Status: http.StatusCreated, Location: loc}, nil
}
