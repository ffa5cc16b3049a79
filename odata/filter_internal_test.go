package odata

import (
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// TestParseTimeAgainstTime compares the allocation-free parser with package time on random
// instants, zones and fractions.
func TestParseTimeAgainstTime(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(7, 7))
	for i := 0; i < 5000; i++ {
		sec := r.Int64N(253402300799) - 62135596800 // 0001-01-01 .. 9999-12-31
		if sec < -62135596800+86400 {
			sec += 86400 // keep zone shifts inside year 1
		}
		nsec := r.IntN(1e9)
		zone := time.FixedZone("", (r.IntN(2*14*60+1)-14*60)*60)
		tm := time.Unix(sec, int64(nsec)).In(zone)
		s := tm.Format("2006-01-02T15:04:05.999999999Z07:00")
		gotSec, gotNsec, ok := parseTime(s)
		if !ok || gotSec != tm.Unix() || int(gotNsec) != tm.Nanosecond() {
			t.Fatalf("parseTime(%q) = %d, %d, %v; want %d, %d", s, gotSec, gotNsec, ok, tm.Unix(), tm.Nanosecond())
		}
		d := tm.Format("2006-01-02")
		want, _ := time.Parse("2006-01-02", d)
		if gotSec, _, ok := parseTime(d); !ok || gotSec != want.Unix() {
			t.Fatalf("parseTime(%q) = %d, %v; want %d", d, gotSec, ok, want.Unix())
		}
	}
}

func TestParseTimeForms(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in string
		ok bool
	}{
		{"2021-01-02", true}, {"2021-01-02T03:04Z", true}, {"2021-01-02T03:04:05Z", true},
		{"2021-01-02t03:04:05.1234567z", true}, {"2021-01-02T03:04:05", true}, {"2021-01-02T03:04:05-08:00", true},
		{"2021-01-02T03:04:05 01:00", true}, {"2024-02-29", true},
		{"2023-02-29", false}, {"2021-13-01", false}, {"2021-00-10", false}, {"2021-01-32", false},
		{"2021-01-02T24:00:00Z", false}, {"2021-01-02T03:60Z", false}, {"2021-01-02T03:04:61Z", false},
		{"2021-01-02T03:04:05.Z", false}, {"2021-01-02T03:04:05+0100", false}, {"2021-01-02X", false},
		{"Date", false}, {"", false}, {"2021-1-02", false}, {"20210102", false}, {"2021-01-02T03", false},
	}
	for _, tt := range tests {
		if _, _, ok := parseTime(tt.in); ok != tt.ok {
			t.Errorf("parseTime(%q) ok = %v, want %v", tt.in, ok, tt.ok)
		}
	}
}

// TestFoldAgainstStrings: the folding helpers agree with strings.EqualFold and with each
// other on random strings over an alphabet of case pairs and special folds.
func TestFoldAgainstStrings(t *testing.T) {
	t.Parallel()
	alphabet := []rune("aAbBkKsS_'\u212a\u017fÉéßẞΣσς李😀")
	r := rand.New(rand.NewPCG(3, 4))
	word := func() string {
		var b strings.Builder
		for n := r.IntN(5); n > 0; n-- {
			b.WriteRune(alphabet[r.IntN(len(alphabet))])
		}
		return b.String()
	}
	for i := 0; i < 20000; i++ {
		a, b := word(), word()
		eq := strings.EqualFold(a, b)
		if got := compareFold(a, b) == 0; got != eq {
			t.Fatalf("compareFold(%q, %q) == 0 is %v, EqualFold %v", a, b, got, eq)
		}
		if d, e := compareFold(a, b), compareFold(b, a); d != -e {
			t.Fatalf("compareFold(%q, %q) = %d but reversed %d", a, b, d, e)
		}
		ab := a + b
		if !hasPrefixFold(ab, strings.ToUpper(a)) && strings.EqualFold(strings.ToUpper(a), a) {
			t.Fatalf("hasPrefixFold(%q, upper %q) = false", ab, a)
		}
		wantPrefix := len(b) <= len(a) && strings.EqualFold(a[:len(b)], b)
		if wantPrefix && !hasPrefixFold(a, b) {
			t.Fatalf("hasPrefixFold(%q, %q) = false", a, b)
		}
		if got := hasSuffixFold(ab, b); !got {
			t.Fatalf("hasSuffixFold(%q, %q) = false", ab, b)
		}
		if got := containsFold(word()+a+word(), a); !got {
			t.Fatalf("containsFold(..%q..) = false", a)
		}
	}
	if hasPrefixFold("ab", "abc") || hasSuffixFold("bc", "abc") || containsFold("ab", "x") {
		t.Error("fold helpers accept longer or absent needles")
	}
}
