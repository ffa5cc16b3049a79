package store

// ContentPending returns how many changes to the tenant's content index wait to be
// queued (for the write of the tenant in progress to take them).
func ContentPending(b *Bolt, tenant string) int {
	ct := b.content.tenant(tenant, false)
	if ct == nil {
		return 0
	}
	ct.mu.Lock()
	defer ct.mu.Unlock()
	return len(ct.pending.ops)
}
