package emulator

import (
	"github.com/tidwall/gjson"

	"github.com/graph-emulator/graph-emulator/entities"
	"github.com/graph-emulator/graph-emulator/odata"
)

// renderBody writes an entity's stored JSON object: the key first where the schema puts
// it, then fields in the (canonical) order given. A key field among fields is ignored in
// favour of id. The result is exactly sized and never mutated afterwards.
func renderBody(keyName, id string, fields []entities.Field) []byte {
	n := len(keyName) + len(id) + 8
	for _, f := range fields {
		n += len(f.Name) + len(f.Raw) + 4
	}
	b := make([]byte, 0, n)
	b = append(b, '{')
	b = odata.AppendString(b, keyName)
	b = append(b, ':')
	b = odata.AppendString(b, id)
	for _, f := range fields {
		if f.Name == keyName {
			continue
		}
		b = append(b, ',')
		b = odata.AppendString(b, f.Name)
		b = append(b, ':')
		b = odata.AppendRaw(b, f.Raw)
	}
	b = append(b, '}')
	if cap(b)-len(b) > 16 {
		b = append([]byte(nil), b...)
	}
	return b
}

// mergeFields returns the members of the stored object with patch applied: patched
// members replace stored ones, new declared members take their schema position, new
// dynamic members go last. A null in patch is kept as null (it clears the property).
func mergeFields(t *entities.StructuredType, stored []byte, patch []entities.Field) []entities.Field {
	out := make([]entities.Field, 0, len(patch)+16)
	gjson.Parse(string(stored)).ForEach(func(k, v gjson.Result) bool {
		_, idx := t.Property(k.Str)
		out = append(out, entities.Field{Name: k.Str, Raw: v.Raw, Index: idx})
		return true
	})
	for _, pf := range patch {
		replaced := false
		for i := range out {
			if out[i].Name == pf.Name {
				out[i].Raw = pf.Raw
				replaced = true
				break
			}
		}
		if replaced {
			continue
		}
		if pf.Index < 0 {
			out = append(out, pf)
			continue
		}
		// Insert before the first member with a greater index or a dynamic one.
		pos := len(out)
		for i, f := range out {
			if f.Index < 0 || f.Index > pf.Index {
				pos = i
				break
			}
		}
		out = append(out, entities.Field{})
		copy(out[pos+1:], out[pos:])
		out[pos] = pf
	}
	return out
}
