package behavior

import (
	"encoding/base64"
	"encoding/binary"
	"math/rand/v2"
	"testing"
)

// The known answers of rclone's QuickXorHash tests
// (backend/onedrive/quickxorhash/quickxorhash_test.go): input and hash, both base64.
var quickXorVectors = []struct{ in, out string }{
	{"", "AAAAAAAAAAAAAAAAAAAAAAAAAAA="},
	{"Sg==", "SgAAAAAAAAAAAAAAAQAAAAAAAAA="},
	{"tbQ=", "taAFAAAAAAAAAAAAAgAAAAAAAAA="},
	{"0pZP", "0rDEEwAAAAAAAAAAAwAAAAAAAAA="},
	{"jRRDVA==", "jaDAEKgAAAAAAAAABAAAAAAAAAA="},
	{"eAV52qE=", "eChAHrQRCgAAAAAABQAAAAAAAAA="},
	{"luBZlaT6", "lgBHFipBCn0AAAAABgAAAAAAAAA="},
	{"qaApEj66lw==", "qQBFCiTgA11cAgAABwAAAAAAAAA="},
	{"/aNzzCFPS/A=", "/RjFHJgRgicsAR4ACAAAAAAAAAA="},
	{"n6Neh7p6fFgm", "nxiFFw6hCz3wAQsmCQAAAAAAAAA="},
	{"J9iPGCbfZSTNyw==", "J8DGIzBggm+UgQTNUgYAAAAAAAA="},
	{"i+UZyUGJKh+ISbk=", "iyhHBpIRhESo4AOIQ0IuAAAAAAA="},
	{"h490d57Pqz5q2rtT", "h3gEHe7giWeswgdq3MYupgAAAAA="},
	{"vPgoDjOfO6fm71RxLw==", "vMAHChwwg0/s4BTmdQcV4vACAAA="},
	{"XoJ1AsoR4fDYJrDqYs4=", "XhBEHQSgjAiEAx7YPgEs1CEGZwA="},
	{"gQaybEqS/4UlDc8e4IJm", "gDCALNigBEn8oxAlZ8AzPAAOQZg="},
	{"2fuxhBJXtpWFe8dOfdGeHw==", "O9tHLAghgSvYohKFyMMxnNCHaHg="},
}

func TestQuickXorHashKnownAnswers(t *testing.T) {
	for _, v := range quickXorVectors {
		in, err := base64.StdEncoding.DecodeString(v.in)
		if err != nil {
			t.Fatal(err)
		}
		q := newQuickXorHash()
		q.Write(in)
		if got := q.base64(); got != v.out {
			t.Errorf("quickXorHash(%s) = %s, want %s", v.in, got, v.out)
		}
	}
}

// reference is the published description transcribed bit by bit: byte i rotated left
// by i*11 bits into a 160-bit block, the length xored into its last 8 bytes.
func reference(data []byte) []byte {
	var block [20]byte
	for i, b := range data {
		off := i * 11 % 160
		for bit := range 8 {
			if b>>bit&1 == 1 {
				p := (off + bit) % 160
				block[p/8] ^= 1 << (p % 8)
			}
		}
	}
	var n [8]byte
	binary.LittleEndian.PutUint64(n[:], uint64(len(data)))
	for i := range n {
		block[12+i] ^= n[i]
	}
	return block[:]
}

// Any input, written in any pieces, hashes as the description says.
func TestQuickXorHashMatchesDescription(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, size := range []int{0, 1, 2, 7, 159, 160, 161, 319, 320, 321, 1000, 4096, 100_003} {
		data := make([]byte, size)
		for i := range data {
			data[i] = byte(rng.Uint32())
		}
		want := base64.StdEncoding.EncodeToString(reference(data))
		for _, piece := range []int{size + 1, 1, 3, 159, 160, 161, 1000} {
			q := newQuickXorHash()
			for rest := data; len(rest) > 0; {
				n := min(piece, len(rest))
				q.Write(rest[:n])
				rest = rest[n:]
			}
			if got := q.base64(); got != want {
				t.Fatalf("size %d in pieces of %d: %s, want %s", size, piece, got, want)
			}
		}
	}
}

func BenchmarkQuickXorHash(b *testing.B) {
	data := make([]byte, 1<<20)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		q := newQuickXorHash()
		q.Write(data)
		q.Sum(nil)
	}
}
