package emulator

import (
	"strings"
	"testing"
)

// TestIndexKeyFolds: values strings.EqualFold finds equal have one key, others not.
func TestIndexKeyFolds(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		a, b string
		same bool
	}{
		{"Adele@Contoso.test", "adele@contoso.TEST", true},
		{"k", "\u212a", true}, // the Kelvin sign folds to k
		{"straße", "STRAẞE", true},
		{"Σίσυφος", "ΣΊΣΥΦΟΣ", true},
		{"a", "b", false},
		{"ab", "a", false},
		{"\xff", "\xfe", true}, // both read as U+FFFD, as EqualFold reads them
	} {
		if got := indexKey("p", tt.a) == indexKey("p", tt.b); got != tt.same || strings.EqualFold(tt.a, tt.b) != tt.same {
			t.Errorf("%q, %q: same key %v, EqualFold %v; want %v", tt.a, tt.b, got, strings.EqualFold(tt.a, tt.b), tt.same)
		}
	}
	if indexKey("a", "bc") == indexKey("ab", "c") {
		t.Error("the property and the value run together")
	}
}

// FuzzIndexKey: two values have one key exactly when strings.EqualFold finds them equal.
func FuzzIndexKey(f *testing.F) {
	for _, s := range [][2]string{{"Adele", "ADELE"}, {"k", "\u212a"}, {"ß", "ẞ"}, {"\xff", "\xfe"}, {"a", "b"}, {"ǅ", "ǆ"}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		if same := indexKey("p", a) == indexKey("p", b); same != strings.EqualFold(a, b) {
			t.Fatalf("%q, %q: same key %v, EqualFold %v", a, b, same, strings.EqualFold(a, b))
		}
	})
}
