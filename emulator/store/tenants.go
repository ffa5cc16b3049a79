package store

import "sort"

// TenantLister is an optional capability of a Store: listing its tenants. The control
// API's health answer and reset of every tenant use it when the store has it.
type TenantLister interface {
	// Tenants returns the names of the tenants that hold at least one entity, sorted.
	Tenants() []string
}

var _ TenantLister = (*Memory)(nil)

// Tenants implements TenantLister.
func (m *Memory) Tenants() []string {
	m.mu.RLock()
	ts := make(map[string]*tenant, len(m.tenants))
	for name, t := range m.tenants {
		ts[name] = t
	}
	m.mu.RUnlock()
	names := make([]string, 0, len(ts))
	for name, t := range ts {
		t.mu.RLock()
		held := false
		for _, mc := range t.colls {
			if mc.live > 0 {
				held = true
				break
			}
		}
		t.mu.RUnlock()
		if held {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	return names
}
