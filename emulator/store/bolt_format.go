package store

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"strconv"
	"strings"

	bbolt "go.etcd.io/bbolt"
)

// The data file's layout (format 1). Keys are big-endian integers, so that a cursor
// reads them in order; every value ends with a CRC-32C of its key and the rest of the
// value, so that a damaged byte is found when the file is loaded.
//
//	graph-emulator/            the file's marker bucket
//	  format                   "1"
//	tenants/                   one bucket per tenant, keyed by the tenant's number
//	  <tenant>/
//	    name                   the tenant's name
//	    seq                    the sequence number of its last change
//	    n                      how many collections and records it has
//	    c/ <coll>              a collection: its next Seq, then its name (Coll.String)
//	    r/ <coll><seq>         an entity: 'e', Version, ID, Type, Body
//	                           or a reference: 'r', Version, ID, the target's name
//	    f/ <seq>               a change of the feed: the last FeedSize of them
//
// Collections are numbered per tenant (a name may be longer than a bbolt key may
// be); a collection's number is never given to another while the store is open.
//
// The names below are constants in all but type (bbolt takes []byte): nothing changes
// them.
var (
	bucketMarker  = []byte("graph-emulator")
	bucketTenants = []byte("tenants")
	keyFormat     = []byte("format")
	keyName       = []byte("name")
	keySeq        = []byte("seq")
	keyCounts     = []byte("n")
	bucketColls   = []byte("c")
	bucketRecords = []byte("r")
	bucketFeed    = []byte("f")
)

// fileFormat is the layout above; a file of another format is refused.
const fileFormat = "1"

// castagnoli is the CRC-32C table, read only.
var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// sealed returns v followed by the CRC-32C of key and v; v must have room for it or be
// a fresh slice (it is appended to).
func sealed(key, v []byte) []byte {
	crc := crc32.Update(crc32.Checksum(key, castagnoli), castagnoli, v)
	return binary.BigEndian.AppendUint32(v, crc)
}

// unseal checks the CRC-32C that sealed appended and returns the value without it.
func unseal(key, v []byte) ([]byte, error) {
	if len(v) < 4 {
		return nil, errors.New("value too short")
	}
	body := v[:len(v)-4]
	crc := crc32.Update(crc32.Checksum(key, castagnoli), castagnoli, body)
	if crc != binary.BigEndian.Uint32(v[len(v)-4:]) {
		return nil, errors.New("checksum mismatch")
	}
	return body, nil
}

func u64(n uint64) []byte { return binary.BigEndian.AppendUint64(make([]byte, 0, 8), n) }

func recordKey(coll, seq uint64) []byte {
	k := make([]byte, 16)
	binary.BigEndian.PutUint64(k, coll)
	binary.BigEndian.PutUint64(k[8:], seq)
	return k
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// reader decodes a value; its first error sticks.
type reader struct {
	b   []byte
	err error
}

func (r *reader) fail(what string) {
	if r.err == nil {
		r.err = errors.New("malformed " + what)
	}
}

func (r *reader) uvarint(what string) uint64 {
	if r.err != nil {
		return 0
	}
	n, k := binary.Uvarint(r.b)
	if k <= 0 {
		r.fail(what)
		return 0
	}
	r.b = r.b[k:]
	return n
}

func (r *reader) byte(what string) byte {
	if r.err != nil || len(r.b) == 0 {
		r.fail(what)
		return 0
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c
}

func (r *reader) string(what string) string {
	n := r.uvarint(what)
	if r.err != nil || n > uint64(len(r.b)) {
		r.fail(what)
		return ""
	}
	s := string(r.b[:n])
	r.b = r.b[n:]
	return s
}

// rest returns what remains of the value.
func (r *reader) rest() []byte {
	b := r.b
	r.b = nil
	return b
}

// collValue encodes a collection: its next Seq and its name.
func collValue(key []byte, nextSeq uint64, c Coll) []byte {
	v := binary.AppendUvarint(make([]byte, 0, len(c.p.enc)+16), nextSeq)
	v = append(v, c.p.enc...)
	return sealed(key, v)
}

// recordValue encodes an entity, or a reference (when target is not zero).
func recordValue(key []byte, e *Entity, target Coll) []byte {
	if target.p != nil {
		v := make([]byte, 0, 1+10+len(e.ID)+10+len(target.p.enc)+4)
		v = append(v, 'r')
		v = binary.AppendUvarint(v, e.Version)
		v = appendString(v, e.ID)
		v = append(v, target.p.enc...)
		return sealed(key, v)
	}
	v := make([]byte, 0, 1+10+len(e.ID)+10+len(e.Type)+len(e.Body)+4)
	v = append(v, 'e')
	v = binary.AppendUvarint(v, e.Version)
	v = appendString(v, e.ID)
	v = appendString(v, e.Type)
	v = append(v, e.Body...)
	return sealed(key, v)
}

// changeValue encodes a change of the feed (its Seq is the key).
func changeValue(key []byte, c *Change) []byte {
	var enc string
	if c.Coll.p != nil {
		enc = c.Coll.p.enc
	}
	v := make([]byte, 0, 64+len(enc)+len(c.ID)+len(c.Type))
	v = append(v, byte(c.Kind))
	v = appendString(v, enc)
	v = appendString(v, c.ID)
	v = appendString(v, c.Type)
	if c.Props == nil {
		v = binary.AppendUvarint(v, 0)
	} else {
		v = binary.AppendUvarint(v, uint64(len(c.Props))+1)
		for _, p := range c.Props {
			v = appendString(v, p)
		}
	}
	return sealed(key, v)
}

// counts are how many collections and records a tenant has in the file: a page
// damaged so that it lists fewer keys is found at load.
type counts struct{ colls, records int64 }

func (n counts) value(tkey []byte) []byte {
	v := binary.AppendVarint(make([]byte, 0, 24), n.colls)
	v = binary.AppendVarint(v, n.records)
	return sealed(append(tkey, keyCounts...), v)
}

func readCounts(tkey []byte, tb *bbolt.Bucket) (counts, error) {
	v, err := unseal(append(tkey, keyCounts...), tb.Get(keyCounts))
	if err != nil {
		return counts{}, fmt.Errorf("counts: %w", err)
	}
	colls, k1 := binary.Varint(v)
	records, k2 := binary.Varint(v[max(k1, 0):])
	if k1 <= 0 || k2 <= 0 || k1+k2 != len(v) {
		return counts{}, errors.New("malformed counts")
	}
	return counts{colls, records}, nil
}

// colls parses collection names read from the file, each once.
type colls map[string]Coll

func (cs colls) parse(enc string) (Coll, error) {
	if c, ok := cs[enc]; ok {
		return c, nil
	}
	c, err := parseColl(enc)
	if err != nil {
		return Coll{}, err
	}
	cs[enc] = c
	return c, nil
}

// parseColl reads a collection's name (Coll.String) back into a Coll.
func parseColl(enc string) (Coll, error) {
	bad := fmt.Errorf("malformed collection name %q", enc)
	if enc == "" {
		return Coll{}, bad
	}
	name, rest, ok := lengthPrefixed(enc[1:])
	if !ok {
		return Coll{}, bad
	}
	var c Coll
	switch enc[0] {
	case 's':
		c = Set(name)
	case 'g':
		c = Singleton(name)
	default:
		return Coll{}, bad
	}
	for rest != "" {
		if c.p.refs || !strings.HasPrefix(rest, "/k") {
			return Coll{}, bad
		}
		var key, nav string
		if key, rest, ok = lengthPrefixed(rest[2:]); !ok || len(rest) < 2 || rest[0] != '/' {
			return Coll{}, bad
		}
		kind := rest[1]
		if nav, rest, ok = lengthPrefixed(rest[2:]); !ok {
			return Coll{}, bad
		}
		switch kind {
		case 'c':
			c = c.Contained(key, nav)
		case 'r':
			c = c.Refs(key, nav)
		default:
			return Coll{}, bad
		}
	}
	if c.p.enc != enc {
		return Coll{}, bad
	}
	return c, nil
}

// lengthPrefixed splits "<n>:<n bytes>rest".
func lengthPrefixed(s string) (v, rest string, ok bool) {
	i := strings.IndexByte(s, ':')
	if i <= 0 {
		return "", "", false
	}
	n, err := strconv.Atoi(s[:i])
	if err != nil || n < 0 || n > len(s)-i-1 {
		return "", "", false
	}
	return s[i+1 : i+1+n], s[i+1+n:], true
}

// damaged is the error of a file whose content is not what this package writes.
func damaged(path string, format string, args ...any) error {
	return fmt.Errorf("%w: %s: %s", ErrDamaged, path, fmt.Sprintf(format, args...))
}

// load reads the file's tenants into m. It runs in a read transaction of the file.
func (b *Bolt) load(tx *bbolt.Tx, m *Memory) error {
	tenants := tx.Bucket(bucketTenants)
	if tenants == nil {
		return damaged(b.path, "no tenants bucket")
	}
	cs := colls{}
	return tenants.ForEachBucket(func(k []byte) error {
		if len(k) != 8 {
			return damaged(b.path, "tenant key %x", k)
		}
		pid := binary.BigEndian.Uint64(k)
		name, t, err := b.loadTenant(tenants.Bucket(k), pid, cs)
		if err != nil {
			return err
		}
		if m.tenants[name] != nil {
			return damaged(b.path, "tenant %q twice", name)
		}
		m.tenants[name] = t
		b.lastTenant = max(b.lastTenant, pid)
		return nil
	})
}

func (b *Bolt) loadTenant(tb *bbolt.Bucket, pid uint64, cs colls) (string, *tenant, error) {
	tkey := u64(pid)
	nameV, err := unseal(append(tkey, keyName...), tb.Get(keyName))
	if err != nil {
		return "", nil, damaged(b.path, "tenant %d: name: %v", pid, err)
	}
	name := string(nameV)
	fail := func(format string, args ...any) error {
		return damaged(b.path, "tenant %q: %s", name, fmt.Sprintf(format, args...))
	}
	seqV, err := unseal(append(tkey, keySeq...), tb.Get(keySeq))
	if err != nil || len(seqV) != 8 {
		return "", nil, fail("sequence number: %v", err)
	}
	cb, rb, fb := tb.Bucket(bucketColls), tb.Bucket(bucketRecords), tb.Bucket(bucketFeed)
	if cb == nil || rb == nil || fb == nil {
		return "", nil, fail("a bucket is missing")
	}
	t := newTenant(b.feedSize)
	t.pid = pid
	t.seq = binary.BigEndian.Uint64(seqV)

	// Collections, then their records in order (by collection, then by Seq).
	byPid := map[uint64]*memColl{}
	err = cb.ForEach(func(k, v []byte) error {
		if len(k) != 8 {
			return fail("collection key %x", k)
		}
		body, err := unseal(k, v)
		if err != nil {
			return fail("collection %x: %v", k, err)
		}
		r := reader{b: body}
		next := r.uvarint("collection")
		if r.err != nil {
			return fail("collection %x: %v", k, r.err)
		}
		c, err := cs.parse(string(r.rest()))
		if err != nil {
			return fail("collection %x: %v", k, err)
		}
		if t.colls[c.p.enc] != nil {
			return fail("collection %s twice", c)
		}
		cp := binary.BigEndian.Uint64(k)
		mc := &memColl{c: c, byID: map[string]*record{}, nextSeq: next, pid: cp}
		t.colls[c.p.enc] = mc
		byPid[cp] = mc
		if parent, key, _, ok := c.Owner(); ok {
			addTo(t.children, entityKey(parent, key), mc)
		}
		t.lastColl = max(t.lastColl, cp)
		return nil
	})
	if err != nil {
		return "", nil, err
	}
	err = rb.ForEach(func(k, v []byte) error {
		if len(k) != 16 {
			return fail("record key %x", k)
		}
		mc := byPid[binary.BigEndian.Uint64(k)]
		if mc == nil {
			return fail("record %x of no collection", k)
		}
		seq := binary.BigEndian.Uint64(k[8:])
		body, err := unseal(k, v)
		if err != nil {
			return fail("record %x in %s: %v", k, mc.c, err)
		}
		r := reader{b: body}
		kind := r.byte("record")
		rec := record{e: Entity{Version: r.uvarint("version"), ID: r.string("key"), Seq: seq}}
		switch {
		case r.err != nil:
		case kind == 'e' && !mc.c.p.refs:
			rec.e.Type = r.string("type")
			rec.e.Body = bytes.Clone(r.rest())
		case kind == 'r' && mc.c.p.refs:
			if rec.target, err = cs.parse(string(r.rest())); err != nil {
				return fail("reference %x in %s: %v", k, mc.c, err)
			}
		default:
			r.fail("record kind")
		}
		if r.err != nil {
			return fail("record %x in %s: %v", k, mc.c, r.err)
		}
		if seq == 0 || seq > mc.nextSeq || rec.e.Version == 0 || rec.e.Version > t.seq {
			return fail("record %x in %s: sequence numbers out of range", k, mc.c)
		}
		if mc.byID[rec.e.ID] != nil {
			return fail("key %q twice in %s", rec.e.ID, mc.c)
		}
		p := mc.newRecord(rec)
		p.pos = len(mc.order)
		mc.order = append(mc.order, slot{seq: seq, rec: p})
		mc.byID[rec.e.ID] = p
		mc.live++
		if mc.c.p.refs {
			addTo(t.refsTo, entityKey(rec.target, rec.e.ID), mc)
		}
		return nil
	})
	if err != nil {
		return "", nil, err
	}

	var found counts
	for _, mc := range t.colls {
		found.colls++
		found.records += int64(mc.live)
	}
	if saved, err := readCounts(tkey, tb); err != nil {
		return "", nil, fail("%v", err)
	} else if saved != found {
		return "", nil, fail("%d collections and %d records saved, %d and %d found", saved.colls, saved.records, found.colls, found.records)
	}

	// The feed's last FeedSize changes; those before are gone (ErrTruncated).
	from := uint64(1)
	if t.seq > uint64(b.feedSize) {
		from = t.seq - uint64(b.feedSize) + 1
	}
	// A store that kept fewer changes saved fewer: the feed starts at its first. One
	// that kept more saved more: they are trimmed once loaded (see trimFeeds).
	cur := fb.Cursor()
	if k, _ := cur.First(); len(k) == 8 && binary.BigEndian.Uint64(k) < from {
		b.trims = append(b.trims, feedTrim{tenant: pid, below: from})
	}
	k, v := cur.Seek(u64(from))
	if len(k) == 8 {
		from = binary.BigEndian.Uint64(k)
	}
	want := from
	for ; k != nil; k, v = cur.Next() {
		if len(k) != 8 || binary.BigEndian.Uint64(k) != want {
			return "", nil, fail("change feed: key %x, want change %d", k, want)
		}
		c, err := decodeChange(k, v, cs)
		if err != nil {
			return "", nil, fail("change %d: %v", want, err)
		}
		c.Seq = want
		t.feed.add(c)
		want++
	}
	if want != t.seq+1 {
		return "", nil, fail("change feed ends at %d, the tenant at %d", want-1, t.seq)
	}
	t.feed.floor = from - 1
	return name, t, nil
}

func decodeChange(k, v []byte, cs colls) (Change, error) {
	body, err := unseal(k, v)
	if err != nil {
		return Change{}, err
	}
	r := reader{b: body}
	c := Change{Kind: ChangeKind(r.byte("kind"))}
	enc := r.string("collection")
	c.ID = r.string("key")
	c.Type = r.string("type")
	if n := r.uvarint("properties"); n > 0 {
		if n-1 > uint64(len(r.b)) {
			r.fail("properties")
		} else {
			c.Props = make([]string, 0, n-1)
			for range n - 1 {
				c.Props = append(c.Props, r.string("property"))
			}
		}
	}
	if r.err == nil && len(r.b) != 0 {
		r.fail("change")
	}
	if r.err != nil {
		return Change{}, r.err
	}
	if c.Kind < Created || c.Kind > Reset {
		return Change{}, fmt.Errorf("unknown change kind %d", c.Kind)
	}
	if enc != "" {
		if c.Coll, err = cs.parse(enc); err != nil {
			return Change{}, err
		}
	}
	return c, nil
}

// feedTrim is a tenant whose feed in the file holds changes before below, which a
// store with a larger FeedSize saved.
type feedTrim struct{ tenant, below uint64 }

// trimFeeds deletes the changes that loading found beyond FeedSize, so that each
// write's trim (committer.apply) finds the feed at most FeedSize long.
func (b *Bolt) trimFeeds() error {
	if len(b.trims) == 0 {
		return nil
	}
	err := b.db.Update(func(tx *bbolt.Tx) error {
		for _, tr := range b.trims {
			fb := tx.Bucket(bucketTenants).Bucket(u64(tr.tenant)).Bucket(bucketFeed)
			if err := deleteBelow(fb, tr.below); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: trimming the change feeds of %s: %w", b.path, err)
	}
	b.trims = nil
	return nil
}
