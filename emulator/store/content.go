package store

import (
	"errors"
	"io"
)

// Content is an optional capability of a Store: byte streams kept beside the entities
// (the file of a drive item), per tenant, each named by a key the caller chooses. The
// entities say which content exists; the store only keeps the bytes. Callers discover
// the capability with a type assertion (st.(store.Content)).
//
// The contract every implementation MUST keep (storetest.RunContent checks it):
//   - Tenants are disjoint, as for entities; Reset(tenant) and ResetAll remove the
//     content of the tenants they reset.
//   - Content is streamed: no method holds a whole stream in memory beyond what the
//     implementation keeps anyway (an in-memory store keeps the bytes, once).
//   - A write is all or nothing: until WriteContent or AppendContent returns, readers see
//     the content as it was; if the reader fails, or the limit is reached, nothing of it
//     is kept.
//   - A ContentReader sees the content as it was when it was opened, whatever is written,
//     renamed or deleted afterwards, until it is closed.
//   - Usage counts every byte stored for the tenant, including content being written.
//   - Methods are safe for concurrent use and take no lock of the entity store: they may
//     be called inside or outside a Read or Write.
//
// A persistent implementation keeps the bytes beside its entities and must survive a
// restart with them, so that a crash never leaves a partial stream under a key, nor
// an entity without the content it was written with (Bolt: files under its data
// directory, each written under a new name and named by an index saved in the same
// transactions as the entities, see bolt_content.go).
type Content interface {
	// WriteContent stores what r yields under key, replacing what key held, and returns
	// the number of bytes written. With limit > 0 it fails with ErrContentQuota (and
	// keeps nothing) as soon as the tenant's usage would exceed limit bytes.
	WriteContent(tenant, key string, r io.Reader, limit int64) (int64, error)
	// AppendContent appends what r yields to the content under key, which must hold
	// exactly offset bytes (a missing key holds none): otherwise it fails with
	// ErrContentOffset and reads nothing. It returns the number of bytes appended;
	// limit is as for WriteContent. Of two concurrent appends at one offset, at most one
	// succeeds.
	AppendContent(tenant, key string, offset int64, r io.Reader, limit int64) (int64, error)
	// OpenContent opens the content under key for reading, or answers ErrNotFound.
	OpenContent(tenant, key string) (ContentReader, error)
	// ContentSize returns the size of the content under key, or ErrNotFound.
	ContentSize(tenant, key string) (int64, error)
	// RenameContent moves the content under from to the key to, replacing what to held;
	// ErrNotFound when from holds nothing.
	RenameContent(tenant, from, to string) error
	// CopyContent stores a copy of the content under from under the key to, replacing
	// what to held; ErrNotFound when from holds nothing. With limit > 0 it fails with
	// ErrContentQuota as WriteContent does.
	CopyContent(tenant, from, to string, limit int64) error
	// DeleteContent removes the content under key; a missing key is not an error.
	DeleteContent(tenant, key string) error
	// ContentUsage returns the number of bytes the tenant's content takes.
	ContentUsage(tenant string) int64
	// ResetContent removes the tenant's content (as a reset, or an import that replaces
	// the tenant's entities, removes what named it). Writes in progress end as they
	// would, and their bytes are then counted again.
	ResetContent(tenant string)
}

// ContentReader reads one stored stream. It is safe for concurrent ReadAt calls.
type ContentReader interface {
	io.ReaderAt
	io.Closer
	// Size returns the length of the stream.
	Size() int64
}

// Errors of a Content store, matched with errors.Is.
var (
	// ErrContentQuota: the write would take the tenant's content beyond the limit.
	ErrContentQuota = errors.New("store: content quota exceeded")
	// ErrContentOffset: an append at an offset that is not the content's size.
	ErrContentOffset = errors.New("store: content offset mismatch")
)
