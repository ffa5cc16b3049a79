package store

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
)

// Slots returns how many slots (entities and the holes deleted ones left) the order
// of c holds in tenant; -1 when c does not exist.
func Slots(m *Memory, tenant string, c Coll) int {
	t := m.tenant(tenant, false)
	if t == nil {
		return -1
	}
	t.mu.RLock()
	defer t.mu.RUnlock()
	mc := t.colls[c.String()]
	if mc == nil {
		return -1
	}
	return len(mc.order)
}

// Dump prints everything m holds, in a canonical order: for each tenant that was
// written, its sequence number, its collections with their next Seq and records, the
// indexes of contained collections and of references, and its change feed. Two equal
// dumps are two equal states.
func Dump(m *Memory) string {
	m.mu.RLock()
	names := make([]string, 0, len(m.tenants))
	for name := range m.tenants {
		names = append(names, name)
	}
	m.mu.RUnlock()
	sort.Strings(names)
	var b strings.Builder
	for _, name := range names {
		t := m.tenant(name, false)
		t.mu.RLock()
		if t.seq == 0 && len(t.colls) == 0 {
			t.mu.RUnlock()
			continue // a tenant only a failed write touched
		}
		fmt.Fprintf(&b, "tenant %q seq %d\n", name, t.seq)
		for _, enc := range slices.Sorted(maps.Keys(t.colls)) {
			mc := t.colls[enc]
			fmt.Fprintf(&b, "  coll %s next %d live %d\n", enc, mc.nextSeq, mc.live)
			mc.scan(0, func(r *record) bool {
				fmt.Fprintf(&b, "    %q seq %d version %d type %q body %s target %s\n", r.e.ID, r.e.Seq, r.e.Version, r.e.Type, r.e.Body, r.target)
				return true
			})
		}
		for _, idx := range []struct {
			name string
			m    map[string]map[*memColl]struct{}
		}{{"children", t.children}, {"refsTo", t.refsTo}} {
			for _, k := range slices.Sorted(maps.Keys(idx.m)) {
				var cs []string
				for mc := range idx.m[k] {
					cs = append(cs, mc.c.String())
				}
				sort.Strings(cs)
				fmt.Fprintf(&b, "  %s %s: %q\n", idx.name, k, cs)
			}
		}
		f := &t.feed
		floor := f.floor
		if len(f.buf) > 0 {
			floor = f.buf[f.start].Seq - 1
		}
		fmt.Fprintf(&b, "  feed after %d\n", floor)
		for i := range f.buf {
			c := f.buf[(f.start+i)%len(f.buf)]
			fmt.Fprintf(&b, "  change %d %s %s %q %q %q\n", c.Seq, c.Kind, c.Coll, c.ID, c.Type, c.Props)
		}
		t.mu.RUnlock()
	}
	return b.String()
}

// Memory returns the Memory that serves b's reads.
func (b *Bolt) Memory() *Memory { return b.mem }

// CloseFile closes b's data file under it, so that its next flush fails.
func CloseFile(b *Bolt) error { return b.db.Close() }
