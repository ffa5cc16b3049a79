package store

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
