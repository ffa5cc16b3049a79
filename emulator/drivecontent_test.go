package emulator_test

import (
	"bytes"
	"compress/gzip"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tidwall/gjson"

	"github.com/graph-emulator/graph-emulator/emulator"
	"github.com/graph-emulator/graph-emulator/emulator/emulatortest"
)

// File content over HTTP: simple upload, download through the pre-authenticated URL
// with ranges, the upload and content limits, and upload sessions.

// readAll downloads the content at path (following the 302).
func readAll(t *testing.T, d *driveTest, path string) string {
	t.Helper()
	return string(mustStatus(t, d.do("GET", path, ""), http.StatusOK).Body)
}

// noRedirect sends a request without following redirects.
func noRedirect(t *testing.T, srv *emulatortest.Server, method, url string, headers ...string) *http.Response {
	t.Helper()
	c := *srv.Client
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

func upperHex(b []byte) string { return strings.ToUpper(hex.EncodeToString(b)) }

func TestDriveSimpleUpload(t *testing.T) {
	t.Parallel()
	d := newDriveTest(t)
	body := "hello from a test\n"
	r := mustStatus(t, d.put("/root:/docs/hello.txt:/content", body), http.StatusCreated)
	s1, s256 := sha1.Sum([]byte(body)), sha256.Sum256([]byte(body))
	if field(r, "name") != "hello.txt" || field(r, "size") != fmt.Sprint(len(body)) || field(r, "file.mimeType") != "text/plain" ||
		field(r, "file.hashes.sha1Hash") != upperHex(s1[:]) || field(r, "file.hashes.sha256Hash") != upperHex(s256[:]) ||
		field(r, "file.hashes.quickXorHash") == "" || field(r, `@microsoft\.graph\.downloadUrl`) == "" {
		t.Fatalf("upload: %s", r)
	}
	// The folders on the way were made.
	if docs := mustStatus(t, d.do("GET", "/root:/docs:", ""), http.StatusOK); field(docs, "folder.childCount") != "1" || field(docs, "size") != fmt.Sprint(len(body)) {
		t.Fatalf("docs: %s", docs)
	}
	id := field(r, "id")
	// One byte whose QuickXorHash the published test vectors give.
	r = mustStatus(t, d.put("/items/"+id+"/content", "J"), http.StatusOK)
	if field(r, "id") != id || field(r, "size") != "1" || field(r, "file.hashes.quickXorHash") != "SgAAAAAAAAAAAAAAAQAAAAAAAAA=" {
		t.Fatalf("replace by id: %s", r)
	}
	r = mustStatus(t, d.put("/root:/docs/hello.txt:/content", "again"), http.StatusOK)
	if field(r, "id") != id || field(r, "size") != "5" {
		t.Fatalf("replace by path: %s", r)
	}
	r = mustStatus(t, d.put("/root:/docs/hello.txt:/content?@microsoft.graph.conflictBehavior=rename", "other"), http.StatusCreated)
	if field(r, "name") != "hello 1.txt" {
		t.Fatalf("rename: %s", r)
	}
	wantDriveError(t, d.put("/root:/docs/hello.txt:/content?@microsoft.graph.conflictBehavior=fail", "x"), http.StatusConflict, "nameAlreadyExists")
	wantDriveError(t, d.put("/root:/docs:/content", "x"), http.StatusBadRequest, "invalidRequest")
	wantDriveError(t, d.put("/root:/docs/bad%2A.txt:/content", "x"), http.StatusBadRequest, "invalidRequest")
	if r := d.put("/root:/docs/bad%3Aname.txt:/content", "x"); r.Status != http.StatusBadRequest {
		t.Fatalf("a colon in a name: %s", r) // it ends the path: what follows is no resource
	}
	wantDriveError(t, d.put("/items/nope/content", "x"), http.StatusNotFound, "itemNotFound")
	if got := readAll(t, d, "/root:/docs/hello.txt:/content"); got != "again" {
		t.Fatalf("content %q", got)
	}
	// A body sent gzip-compressed (as msgraph-sdk-go sends them) is stored as it was
	// before.
	var zb bytes.Buffer
	zw := gzip.NewWriter(&zb)
	zw.Write([]byte("compressed on the wire"))
	zw.Close()
	r = mustStatus(t, d.put("/root:/z.txt:/content", zb.String(), "Content-Encoding", "gzip"), http.StatusCreated)
	if field(r, "size") != "22" || readAll(t, d, "/root:/z.txt:/content") != "compressed on the wire" {
		t.Fatalf("gzip upload: %s", r)
	}
	wantDriveError(t, d.put("/root:/z.txt:/content", "x", "Content-Encoding", "br"), http.StatusUnsupportedMediaType, "RequestBodyRead")
	mustStatus(t, d.do("DELETE", "/root:/z.txt:", ""), http.StatusNoContent)
	// An empty file.
	r = mustStatus(t, d.put("/root:/empty.bin:/content", ""), http.StatusCreated)
	if field(r, "size") != "0" || field(r, "file.mimeType") != "application/octet-stream" {
		t.Fatalf("empty: %s", r)
	}
	if got := readAll(t, d, "/root:/empty.bin:/content"); got != "" {
		t.Fatalf("empty content %q", got)
	}
	if n := d.srv.Emulator.Store().(interface{ ContentUsage(string) int64 }).ContentUsage("default"); n != 10 {
		t.Fatalf("content kept: %d bytes, want 10 (no temporary leftovers)", n)
	}
}

func TestDriveDownload(t *testing.T) {
	t.Parallel()
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	d := newDriveTest(t, emulator.WithClock(clock))
	content := "0123456789abcdef"
	id := field(mustStatus(t, d.put("/root:/r.txt:/content", content), http.StatusCreated), "id")

	resp := noRedirect(t, d.srv, "GET", d.srv.URL+d.base+"/items/"+id+"/content")
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusFound || !strings.HasPrefix(loc, d.srv.URL+"/_emulator/content/") {
		t.Fatalf("GET content: %d %v", resp.StatusCode, resp.Header)
	}
	if got := field(d.do("GET", "/items/"+id, ""), `@microsoft\.graph\.downloadUrl`); !strings.HasPrefix(got, d.srv.URL+"/_emulator/content/") {
		t.Fatalf("downloadUrl %q", got)
	}
	if got := field(d.do("GET", "/items/"+id+"?$select=id,name", ""), `@microsoft\.graph\.downloadUrl`); got != "" {
		t.Fatalf("downloadUrl despite $select: %q", got)
	}
	// Selected as the docs show it (driveitem-get-content.md), on an item and a list.
	if r := mustStatus(t, d.do("GET", "/items/"+id+"?select=id,@microsoft.graph.downloadUrl", ""), http.StatusOK); !strings.HasPrefix(field(r, `@microsoft\.graph\.downloadUrl`), d.srv.URL) ||
		strings.Contains(string(r.Body), "null") || field(r, "name") != "" {
		t.Fatalf("$select of the downloadUrl: %s", r)
	}
	if r := mustStatus(t, d.do("GET", "/root/children?$select=name,@microsoft.graph.downloadUrl", ""), http.StatusOK); field(r, `value.0.@microsoft\.graph\.downloadUrl`) == "" {
		t.Fatalf("$select of the downloadUrl in a list: %s", r)
	}
	whole := mustStatus(t, d.srv.Do("GET", loc, ""), http.StatusOK)
	if string(whole.Body) != content || whole.Header.Get("Content-Type") != "text/plain" || whole.Header.Get("Accept-Ranges") != "bytes" ||
		!strings.Contains(whole.Header.Get("Content-Disposition"), "r.txt") {
		t.Fatalf("download: %s %v", whole, whole.Header)
	}
	for _, c := range []struct {
		name, rng  string
		status     int
		body, crng string
	}{
		{"first five", "bytes=0-4", 206, "01234", "bytes 0-4/16"},
		{"from ten", "bytes=10-", 206, "abcdef", "bytes 10-15/16"},
		{"last three", "bytes=-3", 206, "def", "bytes 13-15/16"},
		{"past the end is cut", "bytes=14-99", 206, "ef", "bytes 14-15/16"},
		{"more than all", "bytes=-99", 206, content, "bytes 0-15/16"},
		{"reversed is ignored", "bytes=5-2", 200, content, ""},
		{"not bytes is ignored", "items=0-1", 200, content, ""},
		{"several ranges are answered whole", "bytes=0-1,4-5", 200, content, ""},
		{"unsatisfiable", "bytes=16-20", 416, "", "bytes */16"},
		{"empty suffix", "bytes=-0", 416, "", "bytes */16"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := d.srv.Do("GET", loc, "", "Range", c.rng)
			if r.Status != c.status || r.Header.Get("Content-Range") != c.crng {
				t.Fatalf("%s: %s, Content-Range %q", c.rng, r, r.Header.Get("Content-Range"))
			}
			if c.status == 416 {
				wantDriveError(t, r, 416, "invalidRange")
			} else if string(r.Body) != c.body {
				t.Fatalf("%s: body %q", c.rng, r.Body)
			}
		})
	}
	// The redirect keeps the Range (clients follow it with their headers).
	if r := d.do("GET", "/items/"+id+"/content", "", "Range", "bytes=0-4"); r.Status != 206 || string(r.Body) != "01234" {
		t.Fatalf("ranged GET content: %s", r)
	}
	if r := d.srv.Do("HEAD", loc, ""); r.Status != 200 || len(r.Body) != 0 || r.Header.Get("Content-Length") != "16" {
		t.Fatalf("HEAD: %s %v", r, r.Header)
	}
	wantDriveError(t, d.srv.Do("GET", loc+"x", ""), http.StatusNotFound, "itemNotFound")
	wantDriveError(t, d.srv.Do("GET", d.srv.URL+"/_emulator/content/garbage", ""), http.StatusNotFound, "itemNotFound")
	wantDriveError(t, d.do("GET", "/root/content", ""), http.StatusNotFound, "itemNotFound")
	// A URL an hour old has expired.
	mu.Lock()
	now = now.Add(61 * time.Minute)
	mu.Unlock()
	wantDriveError(t, d.srv.Do("GET", loc, ""), http.StatusNotFound, "itemNotFound")
	// A deleted file's URL leads nowhere.
	loc2 := noRedirect(t, d.srv, "GET", d.srv.URL+d.base+"/items/"+id+"/content").Header.Get("Location")
	mustStatus(t, d.do("DELETE", "/items/"+id, ""), http.StatusNoContent)
	wantDriveError(t, d.srv.Do("GET", loc2, ""), http.StatusNotFound, "itemNotFound")
}

func TestDriveContentLimits(t *testing.T) {
	t.Parallel()
	d := newDriveTest(t, emulator.WithMaxUploadBytes(10), emulator.WithMaxContentBytes(25))
	mustStatus(t, d.put("/root:/ten.bin:/content", "0123456789"), http.StatusCreated)
	wantDriveError(t, d.put("/root:/eleven.bin:/content", "0123456789a"), http.StatusRequestEntityTooLarge, "invalidRequest")
	// A body whose length is not announced is cut at the limit too.
	req, _ := http.NewRequest("PUT", d.srv.URL+d.base+"/root:/chunked.bin:/content", io.MultiReader(strings.NewReader("01234567"), strings.NewReader("89abc")))
	req.ContentLength = -1
	resp, err := d.srv.Client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("chunked body over the limit: %d", resp.StatusCode)
	}
	mustStatus(t, d.put("/root:/b.bin:/content", "0123456789"), http.StatusCreated)
	wantDriveError(t, d.put("/root:/c.bin:/content", "0123456789"), http.StatusInsufficientStorage, "quotaLimitReached")
	for _, p := range []string{"/root:/eleven.bin:", "/root:/chunked.bin:", "/root:/c.bin:"} {
		wantDriveError(t, d.do("GET", p, ""), http.StatusNotFound, "itemNotFound")
	}
	q := mustStatus(t, d.do("GET", "", ""), http.StatusOK)
	if field(q, "quota.total") != "25" || field(q, "quota.used") != "20" || field(q, "quota.remaining") != "5" || field(q, "quota.state") != "normal" {
		t.Fatalf("quota: %s", gjson.GetBytes(q.Body, "quota").Raw)
	}
	wantDriveError(t, d.do("POST", "/root:/ten.bin:/copy", `{"name":"copy.bin"}`), http.StatusInsufficientStorage, "quotaLimitReached")
	wantDriveError(t, d.do("GET", "/root:/copy.bin:", ""), http.StatusNotFound, "itemNotFound")
	wantDriveError(t, d.do("POST", "/root:/big.bin:/createUploadSession", `{"item":{"fileSize":100}}`), http.StatusInsufficientStorage, "quotaLimitReached")
}

// session creates an upload session at path and returns its uploadUrl.
func (d *driveTest) session(path, body string) string {
	d.t.Helper()
	r := mustStatus(d.t, d.do("POST", path+"/createUploadSession", body), http.StatusOK)
	u := field(r, "uploadUrl")
	if !strings.HasPrefix(u, d.srv.URL+"/_emulator/upload/") || field(r, "expirationDateTime") == "" || field(r, "nextExpectedRanges.0") != "0-" {
		d.t.Fatalf("createUploadSession: %s", r)
	}
	return u
}

// fragment PUTs data[from:to+1] of a file of total bytes to an upload URL.
func fragment(srv *emulatortest.Server, url string, data []byte, from, to, total int) *emulatortest.Response {
	return srv.Do("PUT", url, string(data[from:to+1]), "Content-Type", "application/octet-stream",
		"Content-Range", fmt.Sprintf("bytes %d-%d/%d", from, to, total))
}

func random(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return b
}

func TestDriveUploadSession(t *testing.T) {
	t.Parallel()
	d := newDriveTest(t)
	const unit = 320 << 10
	data := random(2*unit + 1000)
	n := len(data)
	url := d.session("/root:/big/file.bin:", `{"item":{"@microsoft.graph.conflictBehavior":"fail","name":"file.bin"}}`)

	r := mustStatus(t, fragment(d.srv, url, data, 0, unit-1, n), http.StatusAccepted)
	if field(r, "nextExpectedRanges.0") != fmt.Sprintf("%d-", unit) || field(r, "expirationDateTime") == "" {
		t.Fatalf("first fragment: %s", r)
	}
	// Bad fragments change nothing.
	wantDriveError(t, fragment(d.srv, url, data, 0, unit-1, n), http.StatusRequestedRangeNotSatisfiable, "invalidRange")
	if field(fragment(d.srv, url, data, 0, unit-1, n), "error.innerError.code") != "fragmentOverlap" {
		t.Fatal("overlap without its inner code")
	}
	if r := fragment(d.srv, url, data, 2*unit, n-1, n); r.Status != 416 || field(r, "error.innerError.code") != "fragmentOutOfOrder" {
		t.Fatalf("out of order: %s", r)
	}
	wantDriveError(t, fragment(d.srv, url, data, unit, unit+1000, n), http.StatusBadRequest, "invalidRange") // not a multiple of 320 KiB
	wantDriveError(t, fragment(d.srv, url, append(data, 0), unit, 2*unit-1, n+1), http.StatusBadRequest, "invalidRange")
	wantDriveError(t, d.srv.Do("PUT", url, "abc", "Content-Type", "application/octet-stream"), http.StatusBadRequest, "invalidRequest")
	wantDriveError(t, d.srv.Do("PUT", url, "abc", "Content-Range", "bytes 327680-327689/"+fmt.Sprint(n)), http.StatusBadRequest, "invalidRequest") // length mismatch
	wantDriveError(t, d.srv.Do("PUT", url, "abc", "Content-Range", "bytes 9-3/"+fmt.Sprint(n)), http.StatusBadRequest, "invalidRequest")
	wantDriveError(t, d.srv.Do("PUT", url, "abc", "Content-Range", "bytes 327680-327682/"+fmt.Sprint(n), "Content-Encoding", "gzip"), http.StatusBadRequest, "invalidRequest")
	st := mustStatus(t, d.srv.Do("GET", url, ""), http.StatusOK)
	if field(st, "nextExpectedRanges.0") != fmt.Sprintf("%d-", unit) {
		t.Fatalf("status after refused fragments: %s", st)
	}
	wantDriveError(t, d.do("GET", "/root:/big/file.bin:", ""), http.StatusNotFound, "itemNotFound")

	mustStatus(t, fragment(d.srv, url, data, unit, 2*unit-1, n), http.StatusAccepted)
	done := mustStatus(t, fragment(d.srv, url, data, 2*unit, n-1, n), http.StatusCreated)
	s256 := sha256.Sum256(data)
	if field(done, "name") != "file.bin" || field(done, "size") != fmt.Sprint(n) || field(done, "file.hashes.sha256Hash") != upperHex(s256[:]) ||
		field(done, "parentReference.path") == "" {
		t.Fatalf("last fragment: %s", done)
	}
	if got := readAll(t, d, "/root:/big/file.bin:/content"); got != string(data) {
		t.Fatalf("uploaded content differs (%d bytes)", len(got))
	}
	wantDriveError(t, d.srv.Do("GET", url, ""), http.StatusNotFound, "itemNotFound") // the session is done

	// The conflict behaviour: fail (the default) at once, replace, rename.
	wantDriveError(t, d.do("POST", "/root:/big/file.bin:/createUploadSession", `{}`), http.StatusConflict, "nameAlreadyExists")
	u2 := d.session("/root:/big/file.bin:", `{"item":{"@microsoft.graph.conflictBehavior":"replace"}}`)
	r = mustStatus(t, fragment(d.srv, u2, []byte("small"), 0, 4, 5), http.StatusOK)
	if field(r, "id") != field(done, "id") || field(r, "size") != "5" {
		t.Fatalf("replace: %s", r)
	}
	u3 := d.session("/root:/big/file.bin:", `{"item":{"@microsoft.graph.conflictBehavior":"rename"}}`)
	if r := mustStatus(t, fragment(d.srv, u3, []byte("renamed"), 0, 6, 7), http.StatusCreated); field(r, "name") != "file 1.bin" {
		t.Fatalf("rename: %s", r)
	}
	// By id: the file's content is replaced.
	u4 := d.session("/items/"+field(done, "id"), ``)
	if r := mustStatus(t, fragment(d.srv, u4, []byte("by id"), 0, 4, 5), http.StatusOK); field(r, "id") != field(done, "id") {
		t.Fatalf("by id: %s", r)
	}
	// A name taken while the session ran is a conflict when it ends, and the session
	// stays until it is cancelled.
	u5 := d.session("/root:/late.txt:", ``)
	mustStatus(t, d.put("/root:/late.txt:/content", "first"), http.StatusCreated)
	r = fragment(d.srv, u5, []byte("second"), 0, 5, 6)
	wantDriveError(t, r, http.StatusConflict, "nameAlreadyExists")
	mustStatus(t, d.srv.Do("DELETE", u5, ""), http.StatusNoContent)
	wantDriveError(t, d.srv.Do("GET", u5, ""), http.StatusNotFound, "itemNotFound")
	if got := readAll(t, d, "/root:/late.txt:/content"); got != "first" {
		t.Fatalf("late.txt %q", got)
	}
	wantDriveError(t, d.srv.Do("PUT", url[:len(url)-2]+"xx", "x", "Content-Range", "bytes 0-0/1"), http.StatusNotFound, "itemNotFound")
	wantDriveError(t, d.do("POST", "/root:/big:/createUploadSession", `{}`), http.StatusConflict, "nameAlreadyExists") // a folder
	wantDriveError(t, d.do("POST", "/root:/a%7Cb.txt:/createUploadSession", `{}`), http.StatusBadRequest, "invalidRequest")
	wantDriveError(t, d.do("POST", "/root:/x.txt:/createUploadSession", `{"item":{"name":"y.txt"}}`), http.StatusBadRequest, "invalidRequest")
	if n := d.srv.Emulator.Store().(interface{ ContentUsage(string) int64 }).ContentUsage("default"); n != int64(5+7+5) {
		t.Fatalf("content kept: %d bytes (sessions left behind?)", n)
	}
}

func TestDriveUploadSessionExpires(t *testing.T) {
	t.Parallel()
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	d := newDriveTest(t, emulator.WithClock(clock))
	url := d.session("/root:/x.bin:", ``)
	mustStatus(t, fragment(d.srv, url, bytes.Repeat([]byte{1}, 320<<10), 0, 320<<10-1, 1<<20), http.StatusAccepted)
	mu.Lock()
	now = now.Add(25 * time.Hour)
	mu.Unlock()
	wantDriveError(t, d.srv.Do("GET", url, ""), http.StatusNotFound, "itemNotFound")
	if n := d.srv.Emulator.Store().(interface{ ContentUsage(string) int64 }).ContentUsage("default"); n != 0 {
		t.Fatalf("an expired session kept %d bytes", n)
	}
}

func TestDriveQuotaDuringUploadSession(t *testing.T) {
	t.Parallel()
	d := newDriveTest(t, emulator.WithMaxContentBytes(400<<10))
	data := random(700 << 10)
	url := d.session("/root:/q.bin:", ``)
	mustStatus(t, fragment(d.srv, url, data, 0, 320<<10-1, len(data)), http.StatusAccepted)
	wantDriveError(t, fragment(d.srv, url, data, 320<<10, 640<<10-1, len(data)), http.StatusInsufficientStorage, "quotaLimitReached")
	if r := mustStatus(t, d.srv.Do("GET", url, ""), http.StatusOK); field(r, "nextExpectedRanges.0") != fmt.Sprintf("%d-", 320<<10) {
		t.Fatalf("status after the refused fragment: %s", r)
	}
}

// Concurrent uploads, downloads, renames and sessions on one drive: every answer is
// Graph's (no 500), and the drive ends consistent.
func TestDriveConcurrency(t *testing.T) {
	t.Parallel()
	d := newDriveTest(t)
	d.folder("/root", "c")
	var wg sync.WaitGroup
	var mu sync.Mutex
	var bad []string
	report := func(r *emulatortest.Response) {
		if r.Status >= 500 {
			mu.Lock()
			bad = append(bad, r.String())
			mu.Unlock()
		}
	}
	for i := range 6 {
		wg.Go(func() {
			for j := range 5 {
				name := fmt.Sprintf("/root:/c/f%d.txt:", j)
				r, err := d.srv.Send("PUT", d.base+name+"/content", strings.Repeat("x", i+1), "Content-Type", "text/plain")
				if err != nil {
					t.Error(err)
					return
				}
				report(r)
				r, _ = d.srv.Send("GET", d.base+name+"/content", "")
				report(r)
				r, _ = d.srv.Send("PATCH", d.base+name, `{"description":"d"}`)
				report(r)
				r, _ = d.srv.Send("POST", d.base+name+"/createUploadSession", `{"item":{"@microsoft.graph.conflictBehavior":"replace"}}`)
				report(r)
				if u := field(r, "uploadUrl"); u != "" {
					r, _ = d.srv.Send("PUT", u, "abc", "Content-Range", "bytes 0-2/3")
					report(r)
				}
			}
		})
	}
	wg.Wait()
	if len(bad) > 0 {
		t.Fatalf("server errors: %v", bad)
	}
	c := mustStatus(t, d.do("GET", "/root:/c:", ""), http.StatusOK)
	var sum int64
	for _, v := range gjson.GetBytes(mustStatus(t, d.do("GET", "/root:/c:/children", ""), http.StatusOK).Body, "value").Array() {
		sum += v.Get("size").Int()
	}
	if field(c, "folder.childCount") != "5" || field(c, "size") != fmt.Sprint(sum) {
		t.Fatalf("folder after the storm: %s (children hold %d bytes)", c, sum)
	}
	if n := d.srv.Emulator.Store().(interface{ ContentUsage(string) int64 }).ContentUsage("default"); n != sum {
		t.Fatalf("content kept %d bytes, files hold %d", n, sum)
	}
}
