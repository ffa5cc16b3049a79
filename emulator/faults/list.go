package faults

import (
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
)

// Named is an entry of a List (a compiled fault rule, a stub): its id and tenant, and
// how it is listed.
type Named[S any] interface {
	// Names returns the entry's id ("" until List.Add gives one) and tenant ("" for
	// every tenant).
	Names() (id, tenant string)
	SetID(id string)
	State() S
}

// List is the ordered list of entries a registry keeps, each with an id unique in the
// list and a tenant. The zero List is not ready: make one with NewList. It is safe for
// concurrent use.
type List[E Named[S], S any] struct {
	kind     string // what an entry is called in a conflict ("fault rule")
	idPrefix string // what given ids start with ("fault")
	n        atomic.Int64

	mu      sync.Mutex
	entries []E // in the order added
	seq     int // the last number given to an id
}

// NewList returns an empty list of entries called kind, whose ids, when Add gives them,
// are idPrefix-1, idPrefix-2, …
func NewList[E Named[S], S any](kind, idPrefix string) *List[E, S] {
	return &List[E, S]{kind: kind, idPrefix: idPrefix}
}

// Add adds entries after those already there, all or none: an id in use is a 409
// (Conflict). Entries without an id get the next free one; then prepare, when not nil,
// runs on each, under the list's lock. It returns the entries as listed.
func (l *List[E, S]) Add(entries []E, prepare func(E)) ([]S, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	taken := make(map[string]bool, len(l.entries)+len(entries))
	for _, e := range l.entries {
		id, _ := e.Names()
		taken[id] = true
	}
	for _, e := range entries {
		if id, _ := e.Names(); id != "" {
			if taken[id] {
				return nil, Conflict(l.kind, id)
			}
			taken[id] = true
		}
	}
	out := make([]S, len(entries))
	for i, e := range entries {
		for id, _ := e.Names(); id == ""; id, _ = e.Names() {
			l.seq++
			if id := fmt.Sprintf("%s-%d", l.idPrefix, l.seq); !taken[id] {
				e.SetID(id)
				taken[id] = true
			}
		}
		if prepare != nil {
			prepare(e)
		}
		out[i] = e.State()
	}
	l.entries = append(l.entries, entries...)
	l.n.Store(int64(len(l.entries)))
	return out, nil
}

// Len returns how many entries there are.
func (l *List[E, S]) Len() int { return int(l.n.Load()) }

// List returns the entries in the order added: those of tenant, or every entry when
// tenant is "".
func (l *List[E, S]) List(tenant string) []S {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := []S{}
	for _, e := range l.entries {
		if _, t := e.Names(); tenant == "" || t == tenant {
			out = append(out, e.State())
		}
	}
	return out
}

// Get returns the entry with id, if it is of tenant (any tenant when tenant is "").
func (l *List[E, S]) Get(id, tenant string) (S, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if i := l.find(id, tenant); i >= 0 {
		return l.entries[i].State(), true
	}
	var zero S
	return zero, false
}

// Delete removes the entry with id, if it is of tenant (any tenant when tenant is "");
// it reports whether there was one.
func (l *List[E, S]) Delete(id, tenant string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	i := l.find(id, tenant)
	if i < 0 {
		return false
	}
	l.entries = slices.Delete(l.entries, i, i+1)
	l.n.Store(int64(len(l.entries)))
	return true
}

// Clear removes the entries of tenant, or every entry when tenant is "", and returns
// how many it removed.
func (l *List[E, S]) Clear(tenant string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	before := len(l.entries)
	l.entries = slices.DeleteFunc(l.entries, func(e E) bool {
		_, t := e.Names()
		return tenant == "" || t == tenant
	})
	l.n.Store(int64(len(l.entries)))
	return before - len(l.entries)
}

// Each calls fn with the entries in the order added, under the list's lock, until fn
// returns false. fn must not call the list.
func (l *List[E, S]) Each(fn func(E) bool) {
	if l.n.Load() == 0 {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, e := range l.entries {
		if !fn(e) {
			return
		}
	}
}

func (l *List[E, S]) find(id, tenant string) int {
	return slices.IndexFunc(l.entries, func(e E) bool {
		eid, t := e.Names()
		return eid == id && (tenant == "" || t == tenant)
	})
}
