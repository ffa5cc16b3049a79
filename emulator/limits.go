package emulator

import (
	"strconv"

	"github.com/graph-emulator/graph-emulator/emulator/store"
	"github.com/graph-emulator/graph-emulator/odata"
)

// Quotas: how much one tenant may store. A write that would take a tenant past a quota
// is refused with Graph's quota error and changes nothing; a write that takes it no
// further (a smaller update) passes even when the tenant is over a quota already (after
// a restart with lower limits, say), and so does every DELETE. Entities count wherever
// they are: a soft-deleted user in /directory/deletedItems counts until it is purged,
// as Graph counts deleted directory objects. The limits need a store that
// reports its usage (store.UsageTx: the memory store and stores built on it); with
// another store they are not enforced. The content of drive items has its own quota
// (WithMaxContentBytes, enforced by the content store).

// DefaultMaxEntities is the default number of entities one tenant may hold: the
// directory object quota of a Microsoft Entra tenant with a verified domain (300,000).
const DefaultMaxEntities = 300_000

// DefaultMaxStoredBytes is the default number of bytes one tenant's entities may take
// (their keys and JSON bodies): 512 MiB, far beyond what a test stores and well within
// a laptop's memory.
const DefaultMaxStoredBytes = 512 << 20

// WithMaxEntities limits the entities one tenant may hold to n; a create past it is
// refused with Graph's 403 Directory_QuotaExceeded. Zero or less means the default,
// DefaultMaxEntities.
func WithMaxEntities(n int) Option {
	return func(c *config) error {
		if n <= 0 {
			n = DefaultMaxEntities
		}
		c.maxEntities = n
		return nil
	}
}

// WithMaxStoredBytes limits the bytes one tenant's entities may take (keys and JSON
// bodies as stored) to n; a write past it is refused with Graph's 507
// quotaLimitReached. Zero or less means the default, DefaultMaxStoredBytes.
func WithMaxStoredBytes(n int64) Option {
	return func(c *config) error {
		if n <= 0 {
			n = DefaultMaxStoredBytes
		}
		c.maxStoredBytes = n
		return nil
	}
}

// quotaCheck is what a write needs to check the quotas when it ends: the usage before.
type quotaCheck struct {
	tx     store.UsageTx
	before store.Usage
}

// startQuota reads the tenant's usage at the start of a write; ok is false when the
// store cannot report it.
func startQuota(tx store.Tx) (quotaCheck, bool) {
	ut, ok := tx.(store.UsageTx)
	if !ok {
		return quotaCheck{}, false
	}
	return quotaCheck{tx: ut, before: ut.Usage()}, true
}

// check refuses the write when it took the tenant past a quota it grew toward.
func (q quotaCheck) check(cfg *config) error {
	after := q.tx.Usage()
	if after.Entities > cfg.maxEntities && after.Entities > q.before.Entities {
		return odata.ErrDirectoryQuota(cfg.maxEntities)
	}
	if after.Bytes > cfg.maxStoredBytes && after.Bytes > q.before.Bytes {
		return odata.ErrStorageQuota("the tenant's entities would take more than " +
			strconv.FormatInt(cfg.maxStoredBytes, 10) + " bytes (the emulator's stored bytes limit)")
	}
	return nil
}
