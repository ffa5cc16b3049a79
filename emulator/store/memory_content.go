package store

import (
	"errors"
	"io"
	"sync"
)

var _ Content = (*MemoryContent)(nil)

// MemoryContent is the in-memory Content store: each stream is a list of immutable
// chunks, so that appending never copies what is stored, readers opened earlier keep
// what they saw, and a copy shares the chunks of its source. Memory embeds one; a
// server whose store lacks the capability makes one of its own.
type MemoryContent struct {
	mu      sync.Mutex
	tenants map[string]*contentTenant
	// scratch holds the buffers a stream is read into before its bytes are copied into
	// chunks of their exact size.
	scratch sync.Pool
}

type contentTenant struct {
	blobs map[string]*blob
	// used counts the bytes of the blobs, of the writes in progress and, for shared
	// chunks, each blob that holds them (a copy counts as much as its source).
	used int64
}

// blob is one stored stream; never changed once stored.
type blob struct {
	chunks [][]byte
	size   int64
}

// chunkSize is the size of a stream's chunks (its last is shorter).
const chunkSize = 1 << 20

// NewMemoryContent returns an empty in-memory Content store.
func NewMemoryContent() *MemoryContent {
	return &MemoryContent{tenants: map[string]*contentTenant{}}
}

func (m *MemoryContent) tenant(name string) *contentTenant {
	t := m.tenants[name]
	if t == nil {
		t = &contentTenant{blobs: map[string]*blob{}}
		m.tenants[name] = t
	}
	return t
}

// reserve adds n bytes to the tenant's usage, unless that would pass limit (> 0).
func (m *MemoryContent) reserve(tenant string, n, limit int64) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	t := m.tenant(tenant)
	if limit > 0 && t.used+n > limit {
		return ErrContentQuota
	}
	t.used += n
	return nil
}

// release gives back n reserved bytes.
func (m *MemoryContent) release(tenant string, n int64) {
	if n == 0 {
		return
	}
	m.mu.Lock()
	m.tenant(tenant).used -= n
	m.mu.Unlock()
}

// readChunks reads r to its end into new chunks, reserving the bytes as it goes. It
// reads into a scratch buffer and copies what came into a chunk of that size, so that
// the stream allocates its own bytes and nothing more.
func (m *MemoryContent) readChunks(tenant string, r io.Reader, limit int64) ([][]byte, int64, error) {
	sp, _ := m.scratch.Get().(*[]byte)
	if sp == nil {
		b := make([]byte, chunkSize)
		sp = &b
	}
	defer m.scratch.Put(sp)
	var chunks [][]byte
	var size int64
	for {
		n, err := io.ReadFull(r, *sp)
		if n > 0 {
			if rerr := m.reserve(tenant, int64(n), limit); rerr != nil {
				m.release(tenant, size)
				return nil, 0, rerr
			}
			size += int64(n)
			chunks = append(chunks, append(make([]byte, 0, n), (*sp)[:n]...))
		}
		switch {
		case err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF):
			return chunks, size, nil
		case err != nil:
			m.release(tenant, size)
			return nil, 0, err
		}
	}
}

// WriteContent implements Content.
func (m *MemoryContent) WriteContent(tenant, key string, r io.Reader, limit int64) (int64, error) {
	chunks, size, err := m.readChunks(tenant, r, limit)
	if err != nil {
		return 0, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	t := m.tenant(tenant)
	if old := t.blobs[key]; old != nil {
		t.used -= old.size
	}
	t.blobs[key] = &blob{chunks: chunks, size: size}
	return size, nil
}

// AppendContent implements Content.
func (m *MemoryContent) AppendContent(tenant, key string, offset int64, r io.Reader, limit int64) (int64, error) {
	if s, err := m.ContentSize(tenant, key); s != offset && (err == nil || offset != 0) {
		return 0, ErrContentOffset
	}
	chunks, size, err := m.readChunks(tenant, r, limit)
	if err != nil {
		return 0, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	t := m.tenant(tenant)
	old := t.blobs[key]
	var cur int64
	if old != nil {
		cur = old.size
	}
	if cur != offset {
		// Another append got there first.
		t.used -= size
		return 0, ErrContentOffset
	}
	nb := &blob{size: cur + size}
	if old != nil {
		nb.chunks = append(nb.chunks, old.chunks...)
	}
	nb.chunks = append(nb.chunks, chunks...)
	t.blobs[key] = nb
	return size, nil
}

// OpenContent implements Content.
func (m *MemoryContent) OpenContent(tenant, key string) (ContentReader, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	t := m.tenants[tenant]
	if t == nil || t.blobs[key] == nil {
		return nil, ErrNotFound
	}
	return &blobReader{b: t.blobs[key]}, nil
}

// ContentSize implements Content.
func (m *MemoryContent) ContentSize(tenant, key string) (int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	t := m.tenants[tenant]
	if t == nil || t.blobs[key] == nil {
		return 0, ErrNotFound
	}
	return t.blobs[key].size, nil
}

// RenameContent implements Content.
func (m *MemoryContent) RenameContent(tenant, from, to string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	t := m.tenants[tenant]
	if t == nil || t.blobs[from] == nil {
		return ErrNotFound
	}
	if from == to {
		return nil
	}
	if old := t.blobs[to]; old != nil {
		t.used -= old.size
	}
	t.blobs[to] = t.blobs[from]
	delete(t.blobs, from)
	return nil
}

// CopyContent implements Content: the copy shares the source's chunks.
func (m *MemoryContent) CopyContent(tenant, from, to string, limit int64) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	t := m.tenants[tenant]
	if t == nil || t.blobs[from] == nil {
		return ErrNotFound
	}
	src := t.blobs[from]
	var old int64
	if b := t.blobs[to]; b != nil {
		old = b.size
	}
	if limit > 0 && t.used-old+src.size > limit {
		return ErrContentQuota
	}
	t.used += src.size - old
	t.blobs[to] = src
	return nil
}

// DeleteContent implements Content.
func (m *MemoryContent) DeleteContent(tenant, key string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	t := m.tenants[tenant]
	if t == nil {
		return nil
	}
	if b := t.blobs[key]; b != nil {
		t.used -= b.size
		delete(t.blobs, key)
	}
	return nil
}

// ContentUsage implements Content.
func (m *MemoryContent) ContentUsage(tenant string) int64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	if t := m.tenants[tenant]; t != nil {
		return t.used
	}
	return 0
}

// ResetContent removes the tenant's content. Writes in progress keep their
// reservations, which they give back when they end.
func (m *MemoryContent) ResetContent(tenant string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if t := m.tenants[tenant]; t != nil {
		for _, b := range t.blobs {
			t.used -= b.size
		}
		t.blobs = map[string]*blob{}
	}
}

// ResetAllContent removes every tenant's content.
func (m *MemoryContent) ResetAllContent() {
	m.mu.Lock()
	names := make([]string, 0, len(m.tenants))
	for name := range m.tenants {
		names = append(names, name)
	}
	m.mu.Unlock()
	for _, name := range names {
		m.ResetContent(name)
	}
}

// blobReader reads one blob.
type blobReader struct{ b *blob }

func (r *blobReader) Size() int64  { return r.b.size }
func (r *blobReader) Close() error { return nil }

// ReadAt implements io.ReaderAt.
func (r *blobReader) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, errors.New("store: negative offset")
	}
	if off >= r.b.size {
		if len(p) == 0 {
			return 0, nil
		}
		return 0, io.EOF
	}
	n := 0
	var pos int64
	for _, c := range r.b.chunks {
		end := pos + int64(len(c))
		if off < end && n < len(p) {
			k := copy(p[n:], c[off-pos:])
			n += k
			off += int64(k)
		}
		pos = end
		if n == len(p) {
			return n, nil
		}
	}
	return n, io.EOF
}

// WriteRangeTo writes n bytes from off to w without copying them through a buffer.
func (r *blobReader) WriteRangeTo(w io.Writer, off, n int64) (int64, error) {
	var written, pos int64
	for _, c := range r.b.chunks {
		end := pos + int64(len(c))
		if n > 0 && off < end {
			part := c[off-pos:]
			if int64(len(part)) > n {
				part = part[:n]
			}
			k, err := w.Write(part)
			written += int64(k)
			if err != nil {
				return written, err
			}
			off += int64(k)
			n -= int64(k)
		}
		pos = end
		if n == 0 {
			break
		}
	}
	return written, nil
}
