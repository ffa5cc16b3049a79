package behavior

import (
	"encoding/base64"
	"encoding/binary"
	"hash"
)

// quickXorHash is OneDrive's QuickXorHash, as its description in the OneDrive API
// documentation gives it (code-snippets/quickxorhash.md): byte i of the input is xored
// into a 160-bit block at bit (i*11) mod 160, then the input's length, as 8
// little-endian bytes, is xored into the block's last 8 bytes. Graph writes the 20
// bytes in base64 (file.hashes.quickXorHash).
//
// Since 160*11 is a multiple of 160, byte i lands where byte i+160 does: Write folds the
// input into 160 byte-wise accumulators (8 bytes at a time on whole blocks) and Sum
// spreads them over the block once.
type quickXorHash struct {
	acc [quickXorWidth / 8]uint64 // accumulator k holds byte k of acc, little-endian
	n   uint64
}

const (
	quickXorWidth = 160 // bytes per period, and bits per block
	quickXorShift = 11
	quickXorSize  = quickXorWidth / 8 // the hash's size in bytes
)

var _ hash.Hash = (*quickXorHash)(nil)

func newQuickXorHash() *quickXorHash { return &quickXorHash{} }

// Write implements io.Writer; it never fails.
func (q *quickXorHash) Write(p []byte) (int, error) {
	n := len(p)
	k := int(q.n % quickXorWidth)
	// Single bytes up to a period boundary.
	for k != 0 && len(p) > 0 {
		q.acc[k>>3] ^= uint64(p[0]) << ((k & 7) * 8)
		p = p[1:]
		if k++; k == quickXorWidth {
			k = 0
		}
	}
	for len(p) >= quickXorWidth {
		for i := range q.acc {
			q.acc[i] ^= binary.LittleEndian.Uint64(p[i*8:])
		}
		p = p[quickXorWidth:]
	}
	for i, b := range p {
		q.acc[i>>3] ^= uint64(b) << ((i & 7) * 8)
	}
	q.n += uint64(n)
	return n, nil
}

// Sum appends the hash to b.
func (q *quickXorHash) Sum(b []byte) []byte {
	var block [quickXorSize]byte
	for k := range quickXorWidth {
		v := byte(q.acc[k>>3] >> ((k & 7) * 8))
		if v == 0 {
			continue
		}
		bit := k * quickXorShift % quickXorWidth
		i, s := bit/8, bit%8
		block[i] ^= v << s
		if s != 0 {
			block[(i+1)%quickXorSize] ^= v >> (8 - s)
		}
	}
	var length [8]byte
	binary.LittleEndian.PutUint64(length[:], q.n)
	for i, v := range length {
		block[quickXorSize-8+i] ^= v
	}
	return append(b, block[:]...)
}

func (q *quickXorHash) Reset()         { *q = quickXorHash{} }
func (q *quickXorHash) Size() int      { return quickXorSize }
func (q *quickXorHash) BlockSize() int { return quickXorWidth }

// base64 is the hash as Graph writes it.
func (q *quickXorHash) base64() string { return base64.StdEncoding.EncodeToString(q.Sum(nil)) }
