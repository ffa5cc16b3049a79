package storetest

import (
	"errors"
	"fmt"
	"testing"

	"github.com/graph-emulator/graph-emulator/emulator/store"
)

// seedDirectory writes, in one write, users u1..u3; messages m1..m3 under u1 with an
// attachment under m2; u2's manager u1; group g with members u1 and u3.
func seedDirectory(t *testing.T, s store.Store, tenant string) {
	t.Helper()
	write(t, s, tenant, func(tx store.Tx) {
		for _, u := range []string{"u1", "u2", "u3"} {
			insert(t, tx, users, u, u)
		}
		for _, m := range []string{"m1", "m2", "m3"} {
			insert(t, tx, messages("u1"), m, m)
		}
		insert(t, tx, attachments("u1", "m2"), "a1", "a1")
		link(t, tx, manager("u2"), users, "u1")
		insert(t, tx, groups, "g", "g")
		link(t, tx, members("g"), users, "u1")
		link(t, tx, members("g"), users, "u3")
	})
}

// directory lists the collections seedDirectory writes to.
var directory = []store.Coll{
	users, messages("u1"), attachments("u1", "m2"), messages("u4"), manager("u1"),
	manager("u2"), manager("u4"), groups, members("g"),
}

func tenantCases() []testCase {
	return []testCase{
		{name: "tenants/disjoint", run: func(t *testing.T, s store.Store) {
			seedDirectory(t, s, tenantA)
			before := dumpOf(t, s, tenantA, directory...)
			read(t, s, tenantB, func(v store.View) {
				absent(t, v, users, "u1")
				absent(t, v, messages("u1"), "m1")
				for _, c := range directory {
					if n := v.Len(c); n != 0 {
						t.Errorf("tenant B: Len(%s) = %d, want 0", c, n)
					}
				}
				if _, err := v.Ref(manager("u2"), "u1"); !errors.Is(err, store.ErrNotFound) {
					t.Errorf("tenant B: Ref(manager u2) = %v, want ErrNotFound", err)
				}
				if seq := v.Seq(); seq != 0 {
					t.Errorf("tenant B: Seq = %d, want 0", seq)
				}
			})
			if cs := changes(t, s, tenantB, 0); len(cs) != 0 {
				t.Errorf("tenant B has changes:\n%s", fmtChanges(cs))
			}
			// The same keys in B are B's own: no ErrExists, no owner or target from A.
			err := s.Write(tenantB, func(tx store.Tx) error {
				if _, err := tx.Insert(messages("u1"), ent("m9", "b")); !errors.Is(err, store.ErrNotFound) {
					return fmt.Errorf("Insert under A's owner in B: %v, want ErrNotFound", err)
				}
				if _, err := tx.Link(manager("u9"), users, "u1"); !errors.Is(err, store.ErrNotFound) {
					return fmt.Errorf("Link to A's entity in B: %v, want ErrNotFound", err)
				}
				if _, err := tx.Insert(users, ent("u1", "b")); err != nil {
					return fmt.Errorf("Insert u1 in B: %v", err)
				}
				if _, err := tx.Insert(messages("u1"), ent("m1", "b")); err != nil {
					return fmt.Errorf("Insert m1 in B: %v", err)
				}
				return tx.Delete(users, "u1")
			})
			if err != nil {
				t.Fatal(err)
			}
			if after := dumpOf(t, s, tenantA, directory...); after != before {
				t.Errorf("tenant A changed by writes to B:\n%s\nwas:\n%s", after, before)
			}
		}},
		{name: "tenants/reset-leaves-others", run: func(t *testing.T, s store.Store) {
			seedDirectory(t, s, tenantA)
			seedDirectory(t, s, tenantB)
			bBefore := dumpOf(t, s, tenantB, directory...)
			seq := seqOf(t, s, tenantA)
			s.Reset(tenantA)
			read(t, s, tenantA, func(v store.View) {
				for _, c := range directory {
					if n := v.Len(c); n != 0 {
						t.Errorf("after Reset: Len(%s) = %d, want 0", c, n)
					}
				}
				absent(t, v, users, "u1")
				if got := v.Seq(); got != seq+1 {
					t.Errorf("after Reset: Seq = %d, want %d", got, seq+1)
				}
			})
			cs := changes(t, s, tenantA, seq)
			if len(cs) != 1 || cs[0].Kind != store.Reset || cs[0].Seq != seq+1 || !cs[0].Coll.IsZero() || cs[0].ID != "" {
				t.Errorf("changes after Reset:\n%s\nwant one Reset with seq %d and no collection", fmtChanges(cs), seq+1)
			}
			if got := dumpOf(t, s, tenantB, directory...); got != bBefore {
				t.Errorf("Reset(A) changed B:\n%s\nwas:\n%s", got, bBefore)
			}
			// Sequence numbers keep counting; an owner re-created after a reset holds nothing.
			write(t, s, tenantA, func(tx store.Tx) {
				if e := insert(t, tx, users, "u1", "again"); e.Version != seq+2 {
					t.Errorf("Version after Reset = %d, want %d", e.Version, seq+2)
				}
				insert(t, tx, users, "u2", "again")
				if n := tx.Len(messages("u1")); n != 0 {
					t.Errorf("re-created u1 holds %d messages", n)
				}
				if n := tx.Len(manager("u2")); n != 0 {
					t.Errorf("re-created u2 holds %d manager references", n)
				}
				if _, err := tx.Link(members("g"), users, "u1"); !errors.Is(err, store.ErrNotFound) {
					t.Errorf("Link under a group removed by Reset: %v, want ErrNotFound", err)
				}
			})
		}},
		{name: "tenants/reset-all", run: func(t *testing.T, s store.Store) {
			seedDirectory(t, s, tenantA)
			seedDirectory(t, s, tenantB)
			seqA, seqB := seqOf(t, s, tenantA), seqOf(t, s, tenantB)
			s.ResetAll()
			for _, tc := range []struct {
				tenant string
				seq    uint64
			}{{tenantA, seqA}, {tenantB, seqB}} {
				read(t, s, tc.tenant, func(v store.View) {
					for _, c := range directory {
						if n := v.Len(c); n != 0 {
							t.Errorf("%s after ResetAll: Len(%s) = %d, want 0", tc.tenant, c, n)
						}
					}
				})
				cs := changes(t, s, tc.tenant, tc.seq)
				if len(cs) != 1 || cs[0].Kind != store.Reset || cs[0].Seq != tc.seq+1 {
					t.Errorf("%s: changes after ResetAll:\n%s\nwant one Reset with seq %d", tc.tenant, fmtChanges(cs), tc.seq+1)
				}
			}
		}},
	}
}

// rollbackOps does, in tx, a bit of everything on the seeded directory plus the
// entities x00..x19 of set "many": inserts, replaces, deletes (a cascade, and enough
// deletes in one collection to leave it mostly holes), links and unlinks, and an
// owner deleted and re-created.
func rollbackOps(t *testing.T, tx store.Tx) {
	many := store.Set("many")
	insert(t, tx, users, "u4", "u4")
	insert(t, tx, messages("u4"), "m1", "m1")
	insert(t, tx, messages("u1"), "m4", "m4")
	replace(t, tx, users, "u2", "changed", "v")
	del(t, tx, messages("u1"), "m1")
	del(t, tx, users, "u3")
	link(t, tx, manager("u4"), users, "u2")
	if n := tx.UnlinkAll(members("g")); n != 1 {
		t.Errorf("UnlinkAll(members) = %d, want 1", n)
	}
	for i := range 17 {
		del(t, tx, many, fmt.Sprintf("x%02d", i+1))
	}
	insert(t, tx, many, "x01", "again")
	del(t, tx, users, "u1")
	insert(t, tx, users, "u1", "again")
	insert(t, tx, messages("u1"), "m1", "again")
	if n := tx.Len(messages("u1")); n != 1 {
		t.Errorf("inside the write: Len(messages u1) = %d, want 1", n)
	}
}

func seedRollback(t *testing.T, s store.Store, tenant string) []store.Coll {
	seedDirectory(t, s, tenant)
	many := store.Set("many")
	write(t, s, tenant, func(tx store.Tx) {
		for i := range 20 {
			insert(t, tx, many, fmt.Sprintf("x%02d", i), "x")
		}
	})
	return append(append([]store.Coll(nil), directory...), many)
}

func writeCases() []testCase {
	return []testCase{
		{name: "write/commits-whole", run: func(t *testing.T, s store.Store) {
			write(t, s, tenantA, func(tx store.Tx) {
				insert(t, tx, users, "u1", "u1")
				insert(t, tx, messages("u1"), "m1", "m1")
				insert(t, tx, users, "u2", "u2")
				link(t, tx, manager("u2"), users, "u1")
				// The write sees its own changes at once.
				get(t, tx, messages("u1"), "m1")
				if _, err := tx.Ref(manager("u2"), "u1"); err != nil {
					t.Errorf("Ref inside the write: %v", err)
				}
				if n := tx.Len(users); n != 2 {
					t.Errorf("Len(users) inside the write = %d, want 2", n)
				}
			})
			read(t, s, tenantA, func(v store.View) {
				wantIDs(t, "users", ids(v, users), "u1", "u2")
				wantIDs(t, "messages", ids(v, messages("u1")), "m1")
				wantIDs(t, "manager", refIDs(v, manager("u2")), "u1")
				if v.Seq() != 4 {
					t.Errorf("Seq = %d, want 4", v.Seq())
				}
			})
		}},
		{name: "write/rollback-on-error", run: func(t *testing.T, s store.Store) {
			colls := seedRollback(t, s, tenantA)
			before := dumpOf(t, s, tenantA, colls...)
			seq := seqOf(t, s, tenantA)
			err := s.Write(tenantA, func(tx store.Tx) error {
				rollbackOps(t, tx)
				return fmt.Errorf("wrapped: %w", errBoom)
			})
			if !errors.Is(err, errBoom) {
				t.Fatalf("Write = %v, want fn's error", err)
			}
			checkRolledBack(t, s, tenantA, seq, before, colls)
		}},
		{name: "write/rollback-on-panic", run: func(t *testing.T, s store.Store) {
			colls := seedRollback(t, s, tenantA)
			before := dumpOf(t, s, tenantA, colls...)
			seq := seqOf(t, s, tenantA)
			func() {
				defer func() {
					if r := recover(); r != errBoom {
						t.Errorf("recovered %v, want the panic of fn", r)
					}
				}()
				_ = s.Write(tenantA, func(tx store.Tx) error {
					rollbackOps(t, tx)
					panic(errBoom)
				})
				t.Errorf("Write returned after fn panicked")
			}()
			checkRolledBack(t, s, tenantA, seq, before, colls)
		}},
		{name: "write/rollback-on-new-tenant", run: func(t *testing.T, s store.Store) {
			err := s.Write(tenantA, func(tx store.Tx) error {
				insert(t, tx, users, "u1", "u1")
				insert(t, tx, messages("u1"), "m1", "m1")
				return errBoom
			})
			if !errors.Is(err, errBoom) {
				t.Fatalf("Write = %v, want fn's error", err)
			}
			checkRolledBack(t, s, tenantA, 0, dumpOf(t, s, tenantB, users, messages("u1")), []store.Coll{users, messages("u1")})
		}},
		{name: "write/failed-operation-keeps-nothing", run: func(t *testing.T, s store.Store) {
			seedDirectory(t, s, tenantA)
			seq := seqOf(t, s, tenantA)
			// Every operation that fails leaves nothing behind, even when fn goes on and commits.
			write(t, s, tenantA, func(tx store.Tx) {
				for _, tc := range []struct {
					name string
					err  error
					want error
				}{
					{"Insert existing", errOf(tx.Insert(users, ent("u1", "dup"))), store.ErrExists},
					{"Insert under missing owner", errOf(tx.Insert(messages("u9"), ent("m1", "x"))), store.ErrNotFound},
					{"Insert under missing owner, deeper", errOf(tx.Insert(attachments("u1", "m9"), ent("a", "x"))), store.ErrNotFound},
					{"Replace missing", errOf(tx.Replace(users, ent("u9", "x"), nil)), store.ErrNotFound},
					{"Replace in missing collection", errOf(tx.Replace(messages("u9"), ent("m1", "x"), nil)), store.ErrNotFound},
					{"Delete missing", tx.Delete(users, "u9"), store.ErrNotFound},
					{"Delete in missing collection", tx.Delete(messages("u9"), "m1"), store.ErrNotFound},
					{"Link existing", errOf(tx.Link(manager("u2"), users, "u1")), store.ErrExists},
					{"Link to missing target", errOf(tx.Link(manager("u1"), users, "u9")), store.ErrNotFound},
					{"Link to missing collection", errOf(tx.Link(manager("u1"), messages("u9"), "m1")), store.ErrNotFound},
					{"Link under missing owner", errOf(tx.Link(manager("u9"), users, "u1")), store.ErrNotFound},
					{"Unlink missing", tx.Unlink(manager("u2"), "u3"), store.ErrNotFound},
					{"Unlink in missing collection", tx.Unlink(manager("u9"), "u1"), store.ErrNotFound},
				} {
					if !errors.Is(tc.err, tc.want) {
						t.Errorf("%s: %v, want %v", tc.name, tc.err, tc.want)
					}
				}
				if n := tx.UnlinkAll(manager("u9")); n != 0 {
					t.Errorf("UnlinkAll under missing owner = %d", n)
				}
				if e, err := tx.Get(users, "u1"); err != nil || string(e.Body) != string(body("u1")) {
					t.Errorf("u1 after a failed Insert = %s, %v", e.Body, err)
				}
			})
			read(t, s, tenantA, func(v store.View) {
				if v.Seq() != seq {
					t.Errorf("Seq = %d after failed operations only, want %d", v.Seq(), seq)
				}
				for _, c := range []store.Coll{messages("u9"), attachments("u1", "m9"), manager("u1"), manager("u9")} {
					if n := v.Len(c); n != 0 {
						t.Errorf("Len(%s) = %d, want 0", c, n)
					}
				}
			})
			if cs := changes(t, s, tenantA, seq); len(cs) != 0 {
				t.Errorf("failed operations left changes:\n%s", fmtChanges(cs))
			}
		}},
	}
}

func errOf[T any](_ T, err error) error { return err }

// checkRolledBack checks that the tenant shows before again, that its Seq is seq and
// its feed holds nothing after seq, and that the tenant takes writes again.
func checkRolledBack(t *testing.T, s store.Store, tenant string, seq uint64, before string, colls []store.Coll) {
	t.Helper()
	if after := dumpOf(t, s, tenant, colls...); after != before {
		t.Errorf("state after the rolled back write:\n%s\nwant:\n%s", after, before)
	}
	if cs := changes(t, s, tenant, seq); len(cs) != 0 {
		t.Errorf("the rolled back write left changes:\n%s", fmtChanges(cs))
	}
	// The tenant is not left locked, and the next change is numbered seq+1.
	var e store.Entity
	write(t, s, tenant, func(tx store.Tx) { e = insert(t, tx, store.Set("next"), "n", "n") })
	if e.Version != seq+1 {
		t.Errorf("next write: Version %d, want %d", e.Version, seq+1)
	}
	wantChanges(t, changes(t, s, tenant, seq), seq+1, change(store.Created, store.Set("next"), "n"))
}

func readCases() []testCase {
	return []testCase{
		{name: "read/never-writes", run: func(t *testing.T, s store.Store) {
			check := func(tenant string, seq uint64) {
				t.Helper()
				for range 3 {
					read(t, s, tenant, func(v store.View) {
						absent(t, v, users, "u1")
						absent(t, v, messages("u1"), "m1")
						absent(t, v, store.Singleton("me"), "")
						if _, err := v.Ref(manager("u1"), "u2"); !errors.Is(err, store.ErrNotFound) {
							t.Errorf("Ref = %v, want ErrNotFound", err)
						}
						for _, c := range []store.Coll{users, messages("u1"), manager("u1"), store.Singleton("me")} {
							if n := v.Len(c); n != 0 {
								t.Errorf("Len(%s) = %d", c, n)
							}
						}
						v.Scan(messages("u1"), 0, func(e store.Entity) bool { t.Errorf("Scan saw %q", e.ID); return true })
						v.Refs(manager("u1"), 0, func(r store.Ref) bool { t.Errorf("Refs saw %q", r.ID); return true })
						if v.Seq() != seq {
							t.Errorf("Seq = %d, want %d", v.Seq(), seq)
						}
					})
				}
				if cs := changes(t, s, tenant, seq); len(cs) != 0 {
					t.Errorf("reads left changes:\n%s", fmtChanges(cs))
				}
			}
			// A tenant never written: empty, and still empty after reads.
			check(tenantA, 0)
			if err := s.Read(tenantA, func(store.View) error { return errBoom }); !errors.Is(err, errBoom) {
				t.Errorf("Read = %v, want fn's error", err)
			}
			if cs := changes(t, s, tenantA, 0); len(cs) != 0 {
				t.Errorf("never-written tenant has changes:\n%s", fmtChanges(cs))
			}
			// A written tenant: reads of missing entities and collections change nothing.
			write(t, s, tenantB, func(tx store.Tx) { insert(t, tx, groups, "g", "g") })
			check(tenantB, 1)
			// A write that only reads records nothing either.
			write(t, s, tenantB, func(tx store.Tx) {
				absent(t, tx, users, "u1")
				tx.Len(messages("u1"))
				tx.Scan(groups, 0, func(store.Entity) bool { return true })
			})
			check(tenantB, 1)
		}},
	}
}

func deleteCases() []testCase {
	return []testCase{
		{name: "delete/cascade-to-any-depth", run: func(t *testing.T, s store.Store) {
			seedDirectory(t, s, tenantA)
			write(t, s, tenantA, func(tx store.Tx) {
				// u1's own references, a reference held by one of its messages, and
				// a reference from elsewhere to one of its messages.
				link(t, tx, manager("u1"), users, "u3")
				link(t, tx, messages("u1").Refs("m2", "mentions"), users, "u2")
				link(t, tx, users.Refs("u2", "pinned"), messages("u1"), "m3")
				insert(t, tx, attachments("u1", "m2"), "a2", "a2")
				insert(t, tx, attachments("u1", "m2").Contained("a2", "parts"), "p1", "p1")
			})
			seq := seqOf(t, s, tenantA)
			write(t, s, tenantA, func(tx store.Tx) { del(t, tx, users, "u1") })
			wantChangeSet(t, changes(t, s, tenantA, seq), seq+1,
				change(store.Deleted, users, "u1"),
				change(store.Deleted, messages("u1"), "m1"),
				change(store.Deleted, messages("u1"), "m2"),
				change(store.Deleted, messages("u1"), "m3"),
				change(store.Deleted, attachments("u1", "m2"), "a1"),
				change(store.Deleted, attachments("u1", "m2"), "a2"),
				change(store.Deleted, attachments("u1", "m2").Contained("a2", "parts"), "p1"),
				change(store.Updated, users, "u2", "manager"),
				change(store.Updated, users, "u2", "pinned"),
				change(store.Updated, groups, "g", "members"),
			)
			// u1 re-created with the same key inherits nothing, at any depth.
			write(t, s, tenantA, func(tx store.Tx) {
				insert(t, tx, users, "u1", "again")
				insert(t, tx, messages("u1"), "m2", "again")
				insert(t, tx, attachments("u1", "m2"), "a9", "again")
			})
			read(t, s, tenantA, func(v store.View) {
				wantIDs(t, "messages of the new u1", ids(v, messages("u1")), "m2")
				wantIDs(t, "attachments of the new m2", ids(v, attachments("u1", "m2")), "a9")
				wantIDs(t, "parts of a2", ids(v, attachments("u1", "m2").Contained("a2", "parts")))
				wantIDs(t, "u1's manager", refIDs(v, manager("u1")))
				wantIDs(t, "mentions of the new m2", refIDs(v, messages("u1").Refs("m2", "mentions")))
				wantIDs(t, "u2's manager", refIDs(v, manager("u2")))
				wantIDs(t, "u2's pins", refIDs(v, users.Refs("u2", "pinned")))
				wantIDs(t, "members", refIDs(v, members("g")), "u3")
			})
		}},
		{name: "delete/references-to-target-everywhere", run: func(t *testing.T, s store.Store) {
			seedDirectory(t, s, tenantA)
			write(t, s, tenantA, func(tx store.Tx) {
				insert(t, tx, groups, "h", "h")
				link(t, tx, members("h"), users, "u3")
				link(t, tx, members("h"), users, "u2")
				link(t, tx, manager("u1"), users, "u3")
				// A reference with the same key into another collection stays.
				insert(t, tx, groups, "u3", "a group keyed like u3")
				link(t, tx, users.Refs("u2", "groups"), groups, "u3")
			})
			seq := seqOf(t, s, tenantA)
			write(t, s, tenantA, func(tx store.Tx) { del(t, tx, users, "u3") })
			wantChangeSet(t, changes(t, s, tenantA, seq), seq+1,
				change(store.Deleted, users, "u3"),
				change(store.Updated, groups, "g", "members"),
				change(store.Updated, groups, "h", "members"),
				change(store.Updated, users, "u1", "manager"),
			)
			write(t, s, tenantA, func(tx store.Tx) { insert(t, tx, users, "u3", "again") })
			read(t, s, tenantA, func(v store.View) {
				wantIDs(t, "g members", refIDs(v, members("g")), "u1")
				wantIDs(t, "h members", refIDs(v, members("h")), "u2")
				wantIDs(t, "u1's manager", refIDs(v, manager("u1")))
				wantIDs(t, "u2's groups", refIDs(v, users.Refs("u2", "groups")), "u3")
				if r, err := v.Ref(users.Refs("u2", "groups"), "u3"); err != nil || !r.Target.Equal(groups) {
					t.Errorf("u2's group u3 = %+v, %v; want a reference into groups", r, err)
				}
			})
		}},
		{name: "delete/and-re-create-in-one-write", run: func(t *testing.T, s store.Store) {
			seedDirectory(t, s, tenantA)
			write(t, s, tenantA, func(tx store.Tx) {
				del(t, tx, users, "u1")
				insert(t, tx, users, "u1", "again")
				if n := tx.Len(messages("u1")); n != 0 {
					t.Errorf("inside the write: re-created u1 holds %d messages", n)
				}
				if _, err := tx.Ref(members("g"), "u1"); !errors.Is(err, store.ErrNotFound) {
					t.Errorf("inside the write: re-created u1 is still a member: %v", err)
				}
			})
			read(t, s, tenantA, func(v store.View) {
				wantIDs(t, "messages", ids(v, messages("u1")))
				wantIDs(t, "attachments", ids(v, attachments("u1", "m2")))
				wantIDs(t, "members", refIDs(v, members("g")), "u3")
				wantIDs(t, "u2's manager", refIDs(v, manager("u2")))
			})
		}},
	}
}

func refCases() []testCase {
	return []testCase{
		{name: "refs/link-unlink", run: func(t *testing.T, s store.Store) {
			write(t, s, tenantA, func(tx store.Tx) {
				for _, u := range []string{"u1", "u2", "u3"} {
					insert(t, tx, users, u, u)
				}
				insert(t, tx, groups, "g", "g")
			})
			seq := seqOf(t, s, tenantA)
			var r1, r2, r3 store.Ref
			write(t, s, tenantA, func(tx store.Tx) {
				r1 = link(t, tx, members("g"), users, "u1")
				r2 = link(t, tx, members("g"), users, "u2")
				r3 = link(t, tx, members("g"), users, "u3")
			})
			if r1.ID != "u1" || !r1.Target.Equal(users) || !(r1.Seq < r2.Seq && r2.Seq < r3.Seq) {
				t.Errorf("Link returned %+v, %+v, %+v", r1, r2, r3)
			}
			read(t, s, tenantA, func(v store.View) {
				if got, err := v.Ref(members("g"), "u2"); err != nil || got.ID != "u2" || got.Seq != r2.Seq || !got.Target.Equal(users) {
					t.Errorf("Ref(u2) = %+v, %v; want %+v", got, err, r2)
				}
				if n := v.Len(members("g")); n != 3 {
					t.Errorf("Len(members) = %d", n)
				}
			})
			write(t, s, tenantA, func(tx store.Tx) {
				if err := tx.Unlink(members("g"), "u1"); err != nil {
					t.Errorf("Unlink: %v", err)
				}
				// Linked again, a reference comes last.
				if r := link(t, tx, members("g"), users, "u1"); r.Seq <= r3.Seq {
					t.Errorf("re-linked u1: Seq %d, want more than %d", r.Seq, r3.Seq)
				}
			})
			read(t, s, tenantA, func(v store.View) {
				wantIDs(t, "members", refIDs(v, members("g")), "u2", "u3", "u1")
				// A reference collection holds no entities, an entity collection no references.
				absent(t, v, members("g"), "u2")
				if _, err := v.Ref(users, "u2"); !errors.Is(err, store.ErrNotFound) {
					t.Errorf("Ref on an entity collection: %v, want ErrNotFound", err)
				}
			})
			write(t, s, tenantA, func(tx store.Tx) {
				if n := tx.UnlinkAll(members("g")); n != 3 {
					t.Errorf("UnlinkAll = %d, want 3", n)
				}
				if n := tx.UnlinkAll(members("g")); n != 0 {
					t.Errorf("UnlinkAll again = %d, want 0", n)
				}
			})
			upd := change(store.Updated, groups, "g", "members")
			wantChanges(t, changes(t, s, tenantA, seq), seq+1, upd, upd, upd, upd, upd, upd, upd, upd)
			read(t, s, tenantA, func(v store.View) {
				wantIDs(t, "members", refIDs(v, members("g")))
				for _, u := range []string{"u1", "u2", "u3"} {
					get(t, v, users, u) // unlinking leaves the targets alone
				}
			})
		}},
		{name: "refs/replace-single-valued", run: func(t *testing.T, s store.Store) {
			seedDirectory(t, s, tenantA)
			write(t, s, tenantA, func(tx store.Tx) {
				if n := tx.UnlinkAll(manager("u2")); n != 1 {
					t.Errorf("UnlinkAll = %d, want 1", n)
				}
				link(t, tx, manager("u2"), users, "u3")
			})
			read(t, s, tenantA, func(v store.View) {
				wantIDs(t, "u2's manager", refIDs(v, manager("u2")), "u3")
			})
		}},
	}
}

func scanCases() []testCase {
	return []testCase{
		{name: "scan/after-and-stop", run: func(t *testing.T, s store.Store) {
			var es []store.Entity
			var rs []store.Ref
			write(t, s, tenantA, func(tx store.Tx) {
				insert(t, tx, groups, "g", "g")
				for i := range 10 {
					es = append(es, insert(t, tx, users, fmt.Sprintf("u%d", i), "u"))
					rs = append(rs, link(t, tx, members("g"), users, fmt.Sprintf("u%d", i)))
				}
				del(t, tx, users, "u5") // and its reference
			})
			all := []string{"u0", "u1", "u2", "u3", "u4", "u6", "u7", "u8", "u9"}
			read(t, s, tenantA, func(v store.View) {
				// at picks the position to scan after: -1 for the start, i for after the
				// i-th entity (or reference), 10 for after everything.
				at := func(i int, seq func(int) uint64) uint64 {
					switch {
					case i < 0:
						return 0
					case i >= 10:
						return seq(9) + 1000
					}
					return seq(i)
				}
				for _, tc := range []struct {
					name  string
					after int
					stop  int // how many fn takes before it answers false; 0 for all
					want  []string
				}{
					{"from the start", -1, 0, all},
					{"after the third", 2, 0, all[3:]},
					{"after a deleted one", 5, 0, all[5:]},
					{"after the one before a deleted one", 4, 0, all[5:]},
					{"after the last", 9, 0, nil},
					{"after everything", 10, 0, nil},
					{"stop after one", -1, 1, all[:1]},
					{"stop after three from the middle", 3, 3, all[4:7]},
				} {
					var got []string
					v.Scan(users, at(tc.after, func(i int) uint64 { return es[i].Seq }), func(e store.Entity) bool {
						got = append(got, e.ID)
						return tc.stop == 0 || len(got) < tc.stop
					})
					wantIDs(t, "Scan "+tc.name, got, tc.want...)
					got = nil
					v.Refs(members("g"), at(tc.after, func(i int) uint64 { return rs[i].Seq }), func(r store.Ref) bool {
						got = append(got, r.ID)
						return tc.stop == 0 || len(got) < tc.stop
					})
					wantIDs(t, "Refs "+tc.name, got, tc.want...)
				}
			})
		}},
		{name: "scan/delete-while-scanning", run: func(t *testing.T, s store.Store) {
			var want []string
			write(t, s, tenantA, func(tx store.Tx) {
				for i := range 20 {
					want = append(want, insert(t, tx, users, fmt.Sprintf("u%02d", i), "u").ID)
				}
			})
			// A write that deletes each entity it scans sees every one of them.
			write(t, s, tenantA, func(tx store.Tx) {
				var seen []string
				tx.Scan(users, 0, func(e store.Entity) bool {
					seen = append(seen, e.ID)
					del(t, tx, users, e.ID)
					return true
				})
				wantIDs(t, "scanned while deleting", seen, want...)
			})
			read(t, s, tenantA, func(v store.View) { wantIDs(t, "users", ids(v, users)) })
			// So does one that unlinks each reference it reads.
			write(t, s, tenantA, func(tx store.Tx) {
				insert(t, tx, groups, "g", "g")
				for _, id := range want {
					insert(t, tx, users, id, "u")
					link(t, tx, members("g"), users, id)
				}
			})
			write(t, s, tenantA, func(tx store.Tx) {
				var seen []string
				tx.Refs(members("g"), 0, func(r store.Ref) bool {
					seen = append(seen, r.ID)
					if err := tx.Unlink(members("g"), r.ID); err != nil {
						t.Errorf("Unlink(%q): %v", r.ID, err)
					}
					return true
				})
				wantIDs(t, "references read while unlinking", seen, want...)
			})
			// Entities inserted during a scan are not scanned: a scan that copies
			// each entity it sees ends.
			write(t, s, tenantA, func(tx store.Tx) {
				var seen []string
				tx.Scan(users, 0, func(e store.Entity) bool {
					seen = append(seen, e.ID)
					insert(t, tx, users, "copy of "+e.ID, "u")
					return len(seen) <= 100
				})
				wantIDs(t, "scanned while inserting", seen, want...)
			})
		}},
	}
}

func versionCases() []testCase {
	return []testCase{
		{name: "versions/and-creation-order", run: func(t *testing.T, s store.Store) {
			seen := map[uint64]string{}
			note := func(e store.Entity) {
				t.Helper()
				if who, ok := seen[e.Version]; ok {
					t.Errorf("Version %d of %q repeats that of %s", e.Version, e.ID, who)
				}
				seen[e.Version] = e.ID
			}
			var a, b, c store.Entity
			write(t, s, tenantA, func(tx store.Tx) {
				a = insert(t, tx, users, "a", "1")
				b = insert(t, tx, users, "b", "1")
				c = insert(t, tx, users, "c", "1")
				if tx.Seq() != c.Version {
					t.Errorf("Seq %d after inserting c, whose Version is %d", tx.Seq(), c.Version)
				}
			})
			note(a)
			note(b)
			note(c)
			if !(a.Seq < b.Seq && b.Seq < c.Seq) {
				t.Errorf("Seq of a, b, c = %d, %d, %d: not in creation order", a.Seq, b.Seq, c.Seq)
			}
			// A stored body is never changed: a reader may keep it.
			var kept store.Entity
			read(t, s, tenantA, func(v store.View) { kept = get(t, v, users, "a") })
			keptBody := string(kept.Body)
			// Every write of an entity gives it a greater version and keeps its Seq.
			for i := range 3 {
				var a2 store.Entity
				write(t, s, tenantA, func(tx store.Tx) { a2 = replace(t, tx, users, "a", fmt.Sprint(i)) })
				if a2.Version <= a.Version || a2.Seq != a.Seq {
					t.Errorf("Replace: Version %d -> %d, Seq %d -> %d", a.Version, a2.Version, a.Seq, a2.Seq)
				}
				read(t, s, tenantA, func(v store.View) {
					if got := get(t, v, users, "a"); got.Version != a2.Version || got.Seq != a2.Seq || string(got.Body) != string(a2.Body) {
						t.Errorf("Get after Replace = %+v, want %+v", got, a2)
					}
				})
				a = a2
				note(a)
			}
			if string(kept.Body) != keptBody {
				t.Errorf("a body read before the replaces changed: %s, was %s", kept.Body, keptBody)
			}
			// Two replaces in one write: each gives a greater version.
			write(t, s, tenantA, func(tx store.Tx) {
				x := replace(t, tx, users, "b", "x")
				y := replace(t, tx, users, "b", "y")
				if !(b.Version < x.Version && x.Version < y.Version) {
					t.Errorf("versions of b in one write: %d, %d, %d", b.Version, x.Version, y.Version)
				}
				note(x)
				b = y
			})
			note(b)
			// Versions are the sequence numbers of the changes that wrote them.
			for _, ch := range changes(t, s, tenantA, 0) {
				if ch.Kind == store.Created || ch.Kind == store.Updated {
					if _, ok := seen[ch.Seq]; !ok {
						t.Errorf("change %d (%s) is no version seen", ch.Seq, fmtChange(ch))
					}
				}
			}
			// A re-created entity sorts after the others, with a version never seen.
			write(t, s, tenantA, func(tx store.Tx) {
				del(t, tx, users, "a")
				a = insert(t, tx, users, "a", "again")
			})
			note(a)
			if a.Seq <= c.Seq {
				t.Errorf("re-created a: Seq %d, not after c's %d", a.Seq, c.Seq)
			}
			read(t, s, tenantA, func(v store.View) { wantIDs(t, "users", ids(v, users), "b", "c", "a") })
			// After a reset, versions still never repeat.
			s.Reset(tenantA)
			write(t, s, tenantA, func(tx store.Tx) { a = insert(t, tx, users, "a", "after reset") })
			note(a)
		}},
	}
}
