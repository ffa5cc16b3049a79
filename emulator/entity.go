package emulator

import (
	"unsafe"

	"github.com/tidwall/gjson"

	"github.com/graph-emulator/graph-emulator/entities"
	"github.com/graph-emulator/graph-emulator/odata"
)

// renderBody writes an entity's stored JSON object: the key first, then fields in the
// (canonical) order given. A key field among fields is ignored in favour of id; an empty
// keyName (a keyless singleton type) writes no key. The result is exactly sized and never
// mutated afterwards.
func renderBody(keyName, id string, fields []entities.Field) []byte {
	n := len(keyName) + len(id) + 8
	for _, f := range fields {
		if f.Name != keyName {
			n += len(f.Name) + len(f.Raw) + 4
		}
	}
	b := make([]byte, 0, n)
	b = append(b, '{')
	if keyName != "" {
		b = odata.AppendString(b, keyName)
		b = append(b, ':')
		b = odata.AppendString(b, id)
	}
	for _, f := range fields {
		if f.Name == keyName {
			continue
		}
		b = appendMember(b, f.Name, f.Raw)
	}
	b = append(b, '}')
	if cap(b)-len(b) > 16 {
		b = append([]byte(nil), b...)
	}
	return b
}

// mergeBody returns the stored object with patch applied, in one pass over the stored
// bytes: patched members replace stored ones in place, new declared members take their
// schema position, new dynamic members go last. A null in patch is kept as null (it
// clears the property). The key is never changed. stored is canonical (see renderBody).
func mergeBody(t *entities.StructuredType, keyName string, stored []byte, patch []entities.Field) []byte {
	n := len(stored) + 2
	for _, f := range patch {
		n += len(f.Name) + len(f.Raw) + 4
	}
	b := make([]byte, 0, n)
	b = append(b, '{')
	used := make([]bool, len(patch))
	next := 0 // first patch field that may still need inserting (patch is canonical)
	// insertBefore writes the unused declared patch fields that come before index idx.
	insertBefore := func(idx int) {
		for ; next < len(patch) && patch[next].Index >= 0 && (idx < 0 || patch[next].Index < idx); next++ {
			if !used[next] && patch[next].Name != keyName {
				used[next] = true
				b = appendMember(b, patch[next].Name, patch[next].Raw)
			}
		}
	}
	find := patchIndex(patch)
	// A stored body is never mutated, so gjson may read it without a copy.
	gjson.Parse(unsafe.String(unsafe.SliceData(stored), len(stored))).ForEach(func(k, v gjson.Result) bool {
		name := k.Str
		if next < len(patch) {
			_, idx := t.Property(name)
			insertBefore(idx)
		}
		if i := find(name); i >= 0 {
			used[i] = true
			if name != keyName { // the key stays as stored
				b = appendMember(b, name, patch[i].Raw)
				return true
			}
		}
		if len(b) > 1 {
			b = append(b, ',')
		}
		b = append(b, stored[k.Index:v.Index+len(v.Raw)]...)
		return true
	})
	insertBefore(-1)
	for i, f := range patch {
		if !used[i] && f.Name != keyName {
			b = appendMember(b, f.Name, f.Raw)
		}
	}
	return append(b, '}')
}

// patchIndex returns a function that finds a member of patch by name (-1 when absent):
// a scan for a few members, a map for more, so that merging stays linear in the sizes
// of the stored body and the patch.
func patchIndex(patch []entities.Field) func(name string) int {
	if len(patch) <= 8 {
		return func(name string) int {
			for i := range patch {
				if patch[i].Name == name {
					return i
				}
			}
			return -1
		}
	}
	byName := make(map[string]int, len(patch))
	for i := range patch {
		byName[patch[i].Name] = i
	}
	return func(name string) int {
		if i, ok := byName[name]; ok {
			return i
		}
		return -1
	}
}

// appendMember appends "name":value to an object being written after '{'.
func appendMember(b []byte, name, raw string) []byte {
	if len(b) > 1 {
		b = append(b, ',')
	}
	b = odata.AppendString(b, name)
	b = append(b, ':')
	return odata.AppendRaw(b, raw)
}
