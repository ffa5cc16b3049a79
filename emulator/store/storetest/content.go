package storetest

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"sync"
	"testing"
	"testing/iotest"

	"github.com/graph-emulator/graph-emulator/emulator/store"
)

// NewContent returns a new, empty content store. A store that holds resources releases
// them with t.Cleanup. reset, when not nil, resets one tenant (as Store.Reset does for a
// store whose capability it is); nil means the store's ResetContent.
type NewContent func(t *testing.T) (c store.Content, reset func(tenant string))

// RunContent checks every MUST of the store.Content contract against content stores made
// by newContent, one subtest per case, in parallel.
func RunContent(t *testing.T, newContent NewContent) {
	t.Helper()
	for _, c := range contentCases() {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			cs, reset := newContent(t)
			c.run(t, cs, reset)
		})
	}
}

type contentCase struct {
	name string
	run  func(t *testing.T, c store.Content, reset func(string))
}

// readAll reads the content under key whole.
func readAll(t *testing.T, c store.Content, tenant, key string) string {
	t.Helper()
	r, err := c.OpenContent(tenant, key)
	if err != nil {
		t.Fatalf("OpenContent(%q, %q): %v", tenant, key, err)
	}
	defer r.Close()
	b, err := io.ReadAll(io.NewSectionReader(r, 0, r.Size()))
	if err != nil {
		t.Fatalf("read %q: %v", key, err)
	}
	return string(b)
}

func mustWrite(t *testing.T, c store.Content, tenant, key, data string) {
	t.Helper()
	n, err := c.WriteContent(tenant, key, strings.NewReader(data), 0)
	if err != nil || n != int64(len(data)) {
		t.Fatalf("WriteContent(%q) = %d, %v; want %d", key, n, err, len(data))
	}
}

func wantUsage(t *testing.T, c store.Content, tenant string, want int64) {
	t.Helper()
	if got := c.ContentUsage(tenant); got != want {
		t.Fatalf("ContentUsage(%q) = %d, want %d", tenant, got, want)
	}
}

func contentCases() []contentCase {
	big := strings.Repeat("0123456789abcdef", 300_000) // 4.8 MB: several chunks
	return []contentCase{
		{"write and read back", func(t *testing.T, c store.Content, _ func(string)) {
			mustWrite(t, c, "a", "k", "hello")
			mustWrite(t, c, "a", "big", big)
			if got := readAll(t, c, "a", "k"); got != "hello" {
				t.Fatalf("read %q", got)
			}
			if got := readAll(t, c, "a", "big"); got != big {
				t.Fatalf("big content differs (%d bytes read)", len(got))
			}
			if n, err := c.ContentSize("a", "big"); err != nil || n != int64(len(big)) {
				t.Fatalf("ContentSize = %d, %v", n, err)
			}
			wantUsage(t, c, "a", int64(5+len(big)))
		}},
		{"empty content exists", func(t *testing.T, c store.Content, _ func(string)) {
			mustWrite(t, c, "a", "k", "")
			if n, err := c.ContentSize("a", "k"); err != nil || n != 0 {
				t.Fatalf("ContentSize = %d, %v", n, err)
			}
			if got := readAll(t, c, "a", "k"); got != "" {
				t.Fatalf("read %q", got)
			}
		}},
		{"missing keys", func(t *testing.T, c store.Content, _ func(string)) {
			if _, err := c.OpenContent("a", "nope"); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("OpenContent: %v", err)
			}
			if _, err := c.ContentSize("a", "nope"); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("ContentSize: %v", err)
			}
			if err := c.RenameContent("a", "nope", "x"); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("RenameContent: %v", err)
			}
			if err := c.CopyContent("a", "nope", "x", 0); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("CopyContent: %v", err)
			}
			if err := c.DeleteContent("a", "nope"); err != nil {
				t.Fatalf("DeleteContent: %v", err)
			}
		}},
		{"tenants are disjoint", func(t *testing.T, c store.Content, reset func(string)) {
			mustWrite(t, c, "a", "k", "of a")
			mustWrite(t, c, "b", "k", "of tenant b")
			if got := readAll(t, c, "a", "k"); got != "of a" {
				t.Fatalf("a reads %q", got)
			}
			wantUsage(t, c, "a", 4)
			wantUsage(t, c, "b", 11)
			if reset == nil {
				reset = c.ResetContent
			}
			reset("a")
			if _, err := c.OpenContent("a", "k"); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("after reset: %v", err)
			}
			wantUsage(t, c, "a", 0)
			if got := readAll(t, c, "b", "k"); got != "of tenant b" {
				t.Fatalf("b reads %q after a's reset", got)
			}
		}},
		{"replace", func(t *testing.T, c store.Content, _ func(string)) {
			mustWrite(t, c, "a", "k", "first version")
			mustWrite(t, c, "a", "k", "second")
			if got := readAll(t, c, "a", "k"); got != "second" {
				t.Fatalf("read %q", got)
			}
			wantUsage(t, c, "a", 6)
		}},
		{"a failed write keeps nothing", func(t *testing.T, c store.Content, _ func(string)) {
			mustWrite(t, c, "a", "k", "kept")
			boom := errors.New("boom")
			r := io.MultiReader(strings.NewReader(big), iotest.ErrReader(boom))
			if _, err := c.WriteContent("a", "k", r, 0); !errors.Is(err, boom) {
				t.Fatalf("WriteContent: %v, want the reader's error", err)
			}
			if got := readAll(t, c, "a", "k"); got != "kept" {
				t.Fatalf("read %q", got)
			}
			if _, err := c.WriteContent("a", "new", io.MultiReader(strings.NewReader("x"), iotest.ErrReader(boom)), 0); err == nil {
				t.Fatal("WriteContent of a failing reader succeeded")
			}
			if _, err := c.ContentSize("a", "new"); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("failed write left content: %v", err)
			}
			wantUsage(t, c, "a", 4)
		}},
		{"limit", func(t *testing.T, c store.Content, _ func(string)) {
			mustWrite(t, c, "a", "k", "12345")
			if _, err := c.WriteContent("a", "x", strings.NewReader("123456"), 10); !errors.Is(err, store.ErrContentQuota) {
				t.Fatalf("WriteContent over the limit: %v", err)
			}
			if _, err := c.ContentSize("a", "x"); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("refused write left content: %v", err)
			}
			wantUsage(t, c, "a", 5)
			if _, err := c.WriteContent("a", "x", strings.NewReader("12345"), 10); err != nil {
				t.Fatalf("WriteContent up to the limit: %v", err)
			}
			if _, err := c.AppendContent("a", "x", 5, strings.NewReader("6"), 10); !errors.Is(err, store.ErrContentQuota) {
				t.Fatalf("AppendContent over the limit: %v", err)
			}
			if err := c.CopyContent("a", "x", "y", 10); !errors.Is(err, store.ErrContentQuota) {
				t.Fatalf("CopyContent over the limit: %v", err)
			}
			if _, err := c.WriteContent("b", "x", strings.NewReader("123456"), 10); err != nil {
				t.Fatalf("another tenant's write: %v", err)
			}
			wantUsage(t, c, "a", 10)
		}},
		{"append", func(t *testing.T, c store.Content, _ func(string)) {
			if _, err := c.AppendContent("a", "s", 3, strings.NewReader("x"), 0); !errors.Is(err, store.ErrContentOffset) {
				t.Fatalf("append past a missing key's end: %v", err)
			}
			for i, part := range []string{"ab", "", "cde", big} {
				off, _ := c.ContentSize("a", "s")
				if n, err := c.AppendContent("a", "s", off, strings.NewReader(part), 0); err != nil || n != int64(len(part)) {
					t.Fatalf("append %d = %d, %v", i, n, err)
				}
			}
			if got := readAll(t, c, "a", "s"); got != "abcde"+big {
				t.Fatalf("appended content differs (%d bytes)", len(got))
			}
			for _, off := range []int64{0, 4, 6 + int64(len(big))} {
				if _, err := c.AppendContent("a", "s", off, strings.NewReader("z"), 0); !errors.Is(err, store.ErrContentOffset) {
					t.Fatalf("append at %d: %v", off, err)
				}
			}
			boom := errors.New("boom")
			if _, err := c.AppendContent("a", "s", 5+int64(len(big)), io.MultiReader(strings.NewReader("partial"), iotest.ErrReader(boom)), 0); !errors.Is(err, boom) {
				t.Fatalf("failed append: %v", err)
			}
			if n, _ := c.ContentSize("a", "s"); n != 5+int64(len(big)) {
				t.Fatalf("failed append changed the size to %d", n)
			}
			wantUsage(t, c, "a", 5+int64(len(big)))
		}},
		{"concurrent appends at one offset", func(t *testing.T, c store.Content, _ func(string)) {
			mustWrite(t, c, "a", "s", "base")
			var wg sync.WaitGroup
			var mu sync.Mutex
			ok := 0
			for i := range 8 {
				wg.Go(func() {
					part := strings.Repeat(string(rune('a'+i)), 10_000)
					if _, err := c.AppendContent("a", "s", 4, strings.NewReader(part), 0); err == nil {
						mu.Lock()
						ok++
						mu.Unlock()
					} else if !errors.Is(err, store.ErrContentOffset) {
						t.Errorf("append: %v", err)
					}
				})
			}
			wg.Wait()
			if ok != 1 {
				t.Fatalf("%d appends at one offset succeeded, want 1", ok)
			}
			got := readAll(t, c, "a", "s")
			if len(got) != 10_004 || got[:4] != "base" || strings.Count(got[4:], got[4:5]) != 10_000 {
				t.Fatalf("content is not one append whole (%d bytes)", len(got))
			}
			wantUsage(t, c, "a", 10_004)
		}},
		{"rename copy delete", func(t *testing.T, c store.Content, _ func(string)) {
			mustWrite(t, c, "a", "tmp", "payload")
			mustWrite(t, c, "a", "final", "old")
			if err := c.RenameContent("a", "tmp", "final"); err != nil {
				t.Fatal(err)
			}
			if _, err := c.ContentSize("a", "tmp"); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("renamed key still there: %v", err)
			}
			if got := readAll(t, c, "a", "final"); got != "payload" {
				t.Fatalf("read %q", got)
			}
			wantUsage(t, c, "a", 7)
			if err := c.CopyContent("a", "final", "copy", 0); err != nil {
				t.Fatal(err)
			}
			wantUsage(t, c, "a", 14)
			if err := c.DeleteContent("a", "final"); err != nil {
				t.Fatal(err)
			}
			if got := readAll(t, c, "a", "copy"); got != "payload" {
				t.Fatalf("copy reads %q after its source was deleted", got)
			}
			wantUsage(t, c, "a", 7)
		}},
		{"a reader keeps what it opened", func(t *testing.T, c store.Content, _ func(string)) {
			mustWrite(t, c, "a", "k", big)
			r, err := c.OpenContent("a", "k")
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			mustWrite(t, c, "a", "k", "replaced")
			if err := c.DeleteContent("a", "k"); err != nil {
				t.Fatal(err)
			}
			if r.Size() != int64(len(big)) {
				t.Fatalf("Size = %d", r.Size())
			}
			buf := make([]byte, 100)
			if n, err := r.ReadAt(buf, 1_000_000); n != 100 || err != nil || !bytes.Equal(buf, []byte(big[1_000_000:1_000_100])) {
				t.Fatalf("ReadAt = %d, %v", n, err)
			}
			if n, err := r.ReadAt(buf, int64(len(big))-10); n != 10 || err != io.EOF {
				t.Fatalf("ReadAt at the end = %d, %v", n, err)
			}
		}},
	}
}
