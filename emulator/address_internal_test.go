package emulator

import (
	"slices"
	"testing"
)

func TestSplitAddress(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		in             string
		prefix, suffix string
		names          []string
		ok             bool
	}{
		{"me/drive/root:/a/b.txt:/content", "me/drive/root", "content", []string{"a", "b.txt"}, true},
		{"me/drive/root:/a/b.txt:", "me/drive/root", "", []string{"a", "b.txt"}, true},
		{"me/drive/root:/a/b.txt", "me/drive/root", "", []string{"a", "b.txt"}, true},
		{"me/drive/root:", "me/drive/root", "", nil, true},
		{"me/drive/root:/:", "me/drive/root", "", nil, true},
		{"drives/d/items/01AB:/x%20y/%23z%25.txt:/children", "drives/d/items/01AB", "children", []string{"x y", "#z%.txt"}, true},
		{"drives/d/items/root%3A%2Fa%2Fb.txt%3A/createUploadSession", "drives/d/items/root", "createUploadSession", []string{"a", "b.txt"}, true},
		{"drives/d/items/root%3A%2Fa%3A%2Fcontent", "drives/d/items/root", "content", []string{"a"}, true},
		{"me/drive/root:/a:/search(q='x:y')", "me/drive/root", "search(q='x:y')", []string{"a"}, true},
		{"me/drive/root/search(q='a:b')", "", "", nil, false},
		{"me/drive/root:/a:b", "", "", nil, false},
		{":/a", "", "", nil, false},
		{"users/a%ZZ:/x", "", "", nil, false},
		{"users", "", "", nil, false},
	} {
		prefix, names, suffix, ok := splitAddress(c.in)
		if ok != c.ok || ok && (prefix != c.prefix || suffix != c.suffix || !slices.Equal(names, c.names)) {
			t.Errorf("splitAddress(%q) = %q %q %q %v, want %q %q %q %v", c.in, prefix, names, suffix, ok, c.prefix, c.names, c.suffix, c.ok)
		}
	}
}

func FuzzSplitAddress(f *testing.F) {
	for _, s := range []string{"me/drive/root:/a/b.txt:/content", "drives/d/items/root%3A%2Fa%3A", "x:", "a/b:/c:/d:/e", "%3A%3A%3A"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		prefix, _, _, ok := splitAddress(s)
		if ok && prefix == "" {
			t.Fatalf("splitAddress(%q): an address without a prefix", s)
		}
	})
}
