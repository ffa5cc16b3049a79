package control_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/graph-emulator/graph-emulator/emulator/control"
)

var t0 = time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)

func request(t *testing.T, method, target, body string, headers ...string) *http.Request {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	r, err := http.NewRequest(method, "http://127.0.0.1"+target, rd)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		r.Header.Add(headers[i], headers[i+1])
	}
	return r
}

// record journals one request answered with status at t0 + at seconds, in tenant.
func record(t *testing.T, j *control.Journal, r *http.Request, status int, tenant string, at int) {
	t.Helper()
	start := t0.Add(time.Duration(at) * time.Second)
	p := j.Begin(r, fmt.Sprintf("req-%d", at), "client", start)
	p.End(status, tenant, start.Add(1500*time.Microsecond))
}

func TestJournalEntry(t *testing.T) {
	t.Parallel()
	j := control.NewJournal(10)
	body := `{"displayName":"A","passwordProfile":{"password":"hunter2","forceChangePasswordNextSignIn":true},"passwordCredentials":[{"secretText":"s3"}],"keyId":"k"}`
	r := request(t, "POST", "/v1.0/users?$select=id", body, "Authorization", "Bearer secret-token-value",
		"Cookie", "a=b", "X-Api-Key", "k1", "Content-Type", "application/json", "Accept", "a", "Accept", "b")
	p := j.Begin(r, "rid", "cid", t0)
	// The handler still reads the whole body.
	got, err := io.ReadAll(r.Body)
	if err != nil || string(got) != body {
		t.Fatalf("body after Begin = %q, %v", got, err)
	}
	p.End(201, "tenant-b", t0.Add(2*time.Millisecond))
	es := j.Entries(control.Filter{})
	if len(es) != 1 {
		t.Fatalf("entries = %d", len(es))
	}
	e := es[0]
	if e.ID != "rid" || e.ClientRequestID != "cid" || e.Method != "POST" || e.Path != "/v1.0/users" ||
		e.Query != "$select=id" || e.Status != 201 || e.Tenant != "tenant-b" || e.Duration != 2 || !e.Time.Equal(t0) {
		t.Errorf("entry = %+v", e)
	}
	for k, want := range map[string]string{"Authorization": "Bearer ***", "Cookie": "***", "X-Api-Key": "***",
		"Content-Type": "application/json", "Accept": "a, b"} {
		if e.Headers[k] != want {
			t.Errorf("header %s = %q, want %q", k, e.Headers[k], want)
		}
	}
	for _, secret := range []string{"hunter2", "s3", "secret-token-value", "k1"} {
		if strings.Contains(fmt.Sprint(e), secret) {
			t.Errorf("entry shows the secret %q: %+v", secret, e)
		}
	}
	if !strings.Contains(e.Body, `"forceChangePasswordNextSignIn":true`) || !strings.Contains(e.Body, `"keyId":"k"`) ||
		!strings.Contains(e.Body, `"password":"***"`) {
		t.Errorf("body = %s", e.Body)
	}
}

func TestJournalBodies(t *testing.T) {
	t.Parallel()
	gz := func(s string) string {
		var b bytes.Buffer
		z := gzip.NewWriter(&b)
		_, _ = z.Write([]byte(s))
		_ = z.Close()
		return b.String()
	}
	long := `{"s":"` + strings.Repeat("x", control.JournalBodyLimit) + `"}`
	tests := []struct {
		name, body string
		headers    []string
		want       string
		truncated  bool
	}{
		{"json", `{"a":1}`, nil, `{"a":1}`, false},
		{"gzip", gz(`{"a":"zipped"}`), []string{"Content-Encoding", "gzip"}, `{"a":"zipped"}`, false},
		{"long", long, nil, long[:control.JournalBodyLimit], true},
		{"long gzip", gz(long), []string{"Content-Encoding", "gzip"}, long[:control.JournalBodyLimit], true},
		{"binary", "\xff\xfe\x00", nil, "(3 bytes)", false},
		{"not json", `password=x`, nil, `password=x`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			j := control.NewJournal(1)
			r := request(t, "POST", "/v1.0/x", tt.body, tt.headers...)
			p := j.Begin(r, "id", "id", t0)
			got, err := io.ReadAll(r.Body)
			if err != nil || string(got) != tt.body {
				t.Errorf("body read after Begin: %d bytes, %v; want %d", len(got), err, len(tt.body))
			}
			_ = r.Body.Close()
			p.End(200, "default", t0)
			e := j.Entries(control.Filter{})[0]
			if e.Body != tt.want || e.BodyTruncated != tt.truncated {
				t.Errorf("journal body = %.60q (truncated %v), want %.60q (%v)", e.Body, e.BodyTruncated, tt.want, tt.truncated)
			}
		})
	}
}

// A body over the server's limit fails the handler's read as it would have.
func TestJournalKeepsBodyErrors(t *testing.T) {
	t.Parallel()
	j := control.NewJournal(1)
	r := request(t, "POST", "/v1.0/x", strings.Repeat("a", 100))
	r.Body = http.MaxBytesReader(nil, r.Body, 10)
	j.Begin(r, "id", "id", t0)
	_, err := io.ReadAll(r.Body)
	var mbe *http.MaxBytesError
	if err == nil || !asMaxBytes(err, &mbe) {
		t.Errorf("read after Begin: %v, want the MaxBytesError", err)
	}
}

func asMaxBytes(err error, target **http.MaxBytesError) bool {
	e, ok := err.(*http.MaxBytesError)
	if ok {
		*target = e
	}
	return ok
}

func TestJournalRingAndFilters(t *testing.T) {
	t.Parallel()
	j := control.NewJournal(4)
	record(t, j, request(t, "GET", "/v1.0/users", ""), 200, "default", 1)
	record(t, j, request(t, "POST", "/v1.0/users", "{}"), 201, "default", 2)
	record(t, j, request(t, "GET", "/v1.0/groups", ""), 404, "tenant-b", 3)
	record(t, j, request(t, "DELETE", "/v1.0/users/1", ""), 204, "default", 4)
	record(t, j, request(t, "PATCH", "/v1.0/Users/1", "{}"), 400, "tenant-b", 5) // drops the first
	if j.Len() != 4 || j.Size() != 4 {
		t.Fatalf("Len %d Size %d", j.Len(), j.Size())
	}
	ids := func(f control.Filter) string {
		var s []string
		for _, e := range j.Entries(f) {
			s = append(s, e.ID)
		}
		return strings.Join(s, ",")
	}
	tests := []struct {
		name string
		f    control.Filter
		want string
	}{
		{"all, oldest first, bounded", control.Filter{}, "req-2,req-3,req-4,req-5"},
		{"method", control.Filter{Method: "get"}, "req-3"},
		{"path prefix, any case", control.Filter{PathPrefix: "/v1.0/users"}, "req-2,req-4,req-5"},
		{"status", control.Filter{Status: 204}, "req-4"},
		{"status class", control.Filter{StatusClass: 4}, "req-3,req-5"},
		{"since", control.Filter{Since: t0.Add(4 * time.Second)}, "req-4,req-5"},
		{"tenant", control.Filter{Tenant: "tenant-b"}, "req-3,req-5"},
		{"limit keeps the last", control.Filter{Limit: 2}, "req-4,req-5"},
		{"nothing", control.Filter{Method: "PUT"}, ""},
	}
	for _, tt := range tests {
		if got := ids(tt.f); got != tt.want {
			t.Errorf("%s: %s, want %s", tt.name, got, tt.want)
		}
	}
	j.Clear("tenant-b")
	if got := ids(control.Filter{}); got != "req-2,req-4" {
		t.Errorf("after clearing tenant-b: %s", got)
	}
	record(t, j, request(t, "GET", "/v1.0/me", ""), 200, "default", 6)
	if got := ids(control.Filter{}); got != "req-2,req-4,req-6" {
		t.Errorf("after one more: %s", got)
	}
	j.Clear("")
	if got := ids(control.Filter{}); got != "" || j.Len() != 0 {
		t.Errorf("after clearing: %s", got)
	}
}

func TestJournalOff(t *testing.T) {
	t.Parallel()
	var j *control.Journal = control.NewJournal(0)
	if j != nil {
		t.Fatal("NewJournal(0) is not nil")
	}
	r := request(t, "GET", "/v1.0/users", "")
	p := j.Begin(r, "id", "id", t0)
	p.End(200, "default", t0)
	if j.Len() != 0 || j.Size() != 0 || len(j.Entries(control.Filter{})) != 0 {
		t.Error("a nil journal holds something")
	}
	j.Clear("")
}

// Steps of a batch, ending side by side, become children of the batch's entry, in the
// order they arrived; a filter matches a batch by its steps.
func TestJournalBatchChildren(t *testing.T) {
	t.Parallel()
	j := control.NewJournal(10)
	outer := request(t, "POST", "/v1.0/$batch", `{"requests":[]}`)
	parent := j.Begin(outer, "batch", "batch", t0)
	ctx := control.WithPending(context.Background(), parent)
	var wg sync.WaitGroup
	for i := range 5 {
		wg.Go(func() {
			step := request(t, "GET", fmt.Sprintf("/v1.0/users/%d", i), "").WithContext(control.WithBatchStep(ctx, fmt.Sprint(i)))
			p := j.Begin(step, fmt.Sprint("step-", i), "c", t0.Add(time.Duration(i)*time.Millisecond))
			p.End(404, "default", t0.Add(10*time.Millisecond))
		})
	}
	wg.Wait()
	parent.End(200, "default", t0.Add(20*time.Millisecond))
	es := j.Entries(control.Filter{})
	if len(es) != 1 {
		t.Fatalf("entries = %d, want the batch alone", len(es))
	}
	if len(es[0].Children) != 5 {
		t.Fatalf("children = %d", len(es[0].Children))
	}
	for i, c := range es[0].Children {
		if c.ID != fmt.Sprint("step-", i) || c.BatchStepID != fmt.Sprint(i) || c.Status != 404 {
			t.Errorf("child %d = %+v", i, c)
		}
	}
	if n := len(j.Entries(control.Filter{Method: "GET", StatusClass: 4})); n != 1 {
		t.Errorf("filter on the steps: %d entries, want the batch", n)
	}
}
