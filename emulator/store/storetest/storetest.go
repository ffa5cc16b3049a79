package storetest

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/graph-emulator/graph-emulator/emulator/store"
)

// NewStore returns a new, empty store whose change feed keeps the last feedSize
// changes of each tenant (feedSize is at least 1). A store that holds resources
// releases them with t.Cleanup.
type NewStore func(t *testing.T, feedSize int) store.Store

// Run checks every MUST of the store.Store contract against stores made by newStore,
// one subtest per case, each on a store of its own and in parallel with the others.
func Run(t *testing.T, newStore NewStore) {
	t.Helper()
	for _, c := range cases() {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			feed := c.feed
			if feed == 0 {
				feed = defaultFeed
			}
			c.run(t, newStore(t, feed))
		})
	}
}

// defaultFeed is the feed size of the cases that do not choose one: larger than any
// of them writes changes.
const defaultFeed = 1 << 16

type testCase struct {
	name string
	// feed is the change feed size the store is made with; zero means defaultFeed.
	feed int
	run  func(t *testing.T, s store.Store)
}

func cases() []testCase {
	var all []testCase
	for _, group := range [][]testCase{
		tenantCases(),
		writeCases(),
		readCases(),
		deleteCases(),
		refCases(),
		keyCases(),
		versionCases(),
		scanCases(),
		changeCases(),
		raceCases(),
		reverseCases(),
		shapeCases(),
		indexCases(),
	} {
		all = append(all, group...)
	}
	return all
}

// The collections the cases use. They name the roles of a directory (users with
// messages and attachments, a single-valued manager, groups with members) so that
// failures read well; the store knows nothing of them.
var (
	users  = store.Set("users")
	groups = store.Set("groups")
)

func messages(user string) store.Coll { return users.Contained(user, "messages") }

func attachments(user, msg string) store.Coll {
	return messages(user).Contained(msg, "attachments")
}

func manager(user string) store.Coll  { return users.Refs(user, "manager") }
func members(group string) store.Coll { return groups.Refs(group, "members") }

const (
	tenantA = "tenant-a"
	tenantB = "tenant-b"
	typ     = "test.item"
)

var errBoom = errors.New("storetest: boom")

func ent(id, v string) store.Entity {
	return store.Entity{ID: id, Type: typ, Body: body(v)}
}

func body(v string) []byte { return []byte(`{"v":` + strconv.Quote(v) + `}`) }

// write runs fn as one write of tenant and fails the test on an error.
func write(t *testing.T, s store.Store, tenant string, fn func(tx store.Tx)) {
	t.Helper()
	if err := s.Write(tenant, func(tx store.Tx) error { fn(tx); return nil }); err != nil {
		t.Fatalf("Write(%q): %v", tenant, err)
	}
}

// read runs fn with a view of tenant.
func read(t *testing.T, s store.Store, tenant string, fn func(v store.View)) {
	t.Helper()
	if err := s.Read(tenant, func(v store.View) error { fn(v); return nil }); err != nil {
		t.Fatalf("Read(%q): %v", tenant, err)
	}
}

// The helpers below run in the test's goroutine only: they stop the test on an error.

func insert(t *testing.T, tx store.Tx, c store.Coll, id, v string) store.Entity {
	t.Helper()
	e, err := tx.Insert(c, ent(id, v))
	if err != nil {
		t.Fatalf("Insert(%s, %q): %v", c, id, err)
	}
	return e
}

func replace(t *testing.T, tx store.Tx, c store.Coll, id, v string, changed ...string) store.Entity {
	t.Helper()
	e, err := tx.Replace(c, ent(id, v), changed)
	if err != nil {
		t.Fatalf("Replace(%s, %q): %v", c, id, err)
	}
	return e
}

func del(t *testing.T, tx store.Tx, c store.Coll, id string) {
	t.Helper()
	if err := tx.Delete(c, id); err != nil {
		t.Fatalf("Delete(%s, %q): %v", c, id, err)
	}
}

func link(t *testing.T, tx store.Tx, c, target store.Coll, id string) store.Ref {
	t.Helper()
	r, err := tx.Link(c, target, id)
	if err != nil {
		t.Fatalf("Link(%s, %s, %q): %v", c, target, id, err)
	}
	return r
}

func get(t *testing.T, v store.View, c store.Coll, id string) store.Entity {
	t.Helper()
	e, err := v.Get(c, id)
	if err != nil {
		t.Fatalf("Get(%s, %q): %v", c, id, err)
	}
	return e
}

func absent(t *testing.T, v store.View, c store.Coll, id string) {
	t.Helper()
	if e, err := v.Get(c, id); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Get(%s, %q) = %+v, %v; want ErrNotFound", c, id, e, err)
	}
}

// ids returns the keys of c's entities in Scan order.
func ids(v store.View, c store.Coll) []string {
	var out []string
	v.Scan(c, 0, func(e store.Entity) bool { out = append(out, e.ID); return true })
	return out
}

// refIDs returns the keys of c's references in Refs order.
func refIDs(v store.View, c store.Coll) []string {
	var out []string
	v.Refs(c, 0, func(r store.Ref) bool { out = append(out, r.ID); return true })
	return out
}

func wantIDs(t *testing.T, what string, got []string, want ...string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("%s = %q, want %q", what, got, want)
	}
}

// changes returns the tenant's changes after seq.
func changes(t *testing.T, s store.Store, tenant string, after uint64) []store.Change {
	t.Helper()
	var out []store.Change
	if err := s.Changes(tenant, after, func(c store.Change) bool { out = append(out, c); return true }); err != nil {
		t.Fatalf("Changes(%q, %d): %v", tenant, after, err)
	}
	return out
}

func seqOf(t *testing.T, s store.Store, tenant string) uint64 {
	t.Helper()
	var seq uint64
	read(t, s, tenant, func(v store.View) { seq = v.Seq() })
	return seq
}

// fmtChange prints a change without its Seq, for comparisons.
func fmtChange(c store.Change) string {
	return fmt.Sprintf("%s %s %q %q %q", c.Kind, c.Coll, c.ID, c.Type, c.Props)
}

func change(kind store.ChangeKind, c store.Coll, id string, props ...string) string {
	return fmtChange(store.Change{Kind: kind, Coll: c, ID: id, Type: typ, Props: props})
}

// wantChanges checks that got holds the changes want, in order, numbered one by one
// from first.
func wantChanges(t *testing.T, got []store.Change, first uint64, want ...string) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("got %d changes, want %d:\n%s\nwant:\n%s", len(got), len(want), fmtChanges(got), strings.Join(want, "\n"))
		return
	}
	for i, c := range got {
		if c.Seq != first+uint64(i) {
			t.Errorf("change %d: Seq %d, want %d", i, c.Seq, first+uint64(i))
		}
		if f := fmtChange(c); f != want[i] {
			t.Errorf("change %d (seq %d) = %s, want %s", i, c.Seq, f, want[i])
		}
	}
}

// wantChangeSet is wantChanges for a write whose changes may come in any order (a
// cascade): the same changes, numbered one by one from first.
func wantChangeSet(t *testing.T, got []store.Change, first uint64, want ...string) {
	t.Helper()
	var fs []string
	for i, c := range got {
		if c.Seq != first+uint64(i) {
			t.Errorf("change %d: Seq %d, want %d", i, c.Seq, first+uint64(i))
		}
		fs = append(fs, fmtChange(c))
	}
	slices.Sort(fs)
	want = slices.Clone(want)
	slices.Sort(want)
	if !slices.Equal(fs, want) {
		t.Errorf("changes (in any order):\n%s\nwant:\n%s", strings.Join(fs, "\n"), strings.Join(want, "\n"))
	}
}

func fmtChanges(cs []store.Change) string {
	var b strings.Builder
	for _, c := range cs {
		fmt.Fprintf(&b, "%d %s\n", c.Seq, fmtChange(c))
	}
	return b.String()
}

// dump prints everything a view shows of the given collections, in order, with
// versions and sequence numbers: two equal dumps are two equal states.
func dump(v store.View, colls ...store.Coll) string {
	var b strings.Builder
	fmt.Fprintf(&b, "seq %d\n", v.Seq())
	for _, c := range colls {
		fmt.Fprintf(&b, "%s: len %d\n", c, v.Len(c))
		if c.IsRefs() {
			v.Refs(c, 0, func(r store.Ref) bool {
				fmt.Fprintf(&b, "  ref %q -> %s seq %d\n", r.ID, r.Target, r.Seq)
				return true
			})
			continue
		}
		v.Scan(c, 0, func(e store.Entity) bool {
			fmt.Fprintf(&b, "  %q %s %s version %d seq %d\n", e.ID, e.Type, e.Body, e.Version, e.Seq)
			return true
		})
	}
	return b.String()
}

func dumpOf(t *testing.T, s store.Store, tenant string, colls ...store.Coll) string {
	t.Helper()
	var d string
	read(t, s, tenant, func(v store.View) { d = dump(v, colls...) })
	return d
}

// capability returns s as a T, the optional capability named name, or skips the test
// when the store lacks it.
func capability[T any](t *testing.T, s store.Store, name string) T {
	t.Helper()
	c, ok := s.(T)
	if !ok {
		t.Skipf("the store does not implement store.%s", name)
	}
	return c
}
