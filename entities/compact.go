package entities

import (
	"encoding/binary"
	"errors"
	"fmt"
	"sort"
)

// The compact form of a schema: what LoadCSDL reads from a CSDL document, written as
// varints and string-table indexes, so that reading it back costs no XML parsing. The
// embedded Graph schemas are kept in this form (graph.go); it is an internal format that
// may change with any commit, always with the generated files regenerated.
//
// Layout (every number an unsigned varint unless said otherwise; a string is an index
// into the string table, 0 being ""):
//
//	magic "graph-emulator/schema", format version
//	string table: count (entry 0, "", not written), byte length of each, then the bytes
//	total properties, total navigation properties (to allocate them at once)
//	namespace, container name
//	aliases: count, then alias, namespace (sorted by alias)
//	enums: count, then namespace, name, flags, member count, members, values present,
//	  values (signed varints) (sorted by qualified name)
//	types: count, then namespace, name, kind, abstract, open, base type, key count, keys,
//	  property count, then name, type, not null, read-only, required;
//	  navigation count, then name, type, partner, contains target, not null
//	  (sorted by qualified name)
//	entity sets, then singletons: count, then name, type, binding count, path, target
//	operations: count, then namespace, name, kind, bound, composable, entity set path,
//	  parameter count, then name, type, not null; return type
//	operation imports: count, then name, kind, operation, entity set
const (
	compactMagic   = "graph-emulator/schema"
	compactVersion = 2
)

// encodeCompact writes the compact form of s. Only what an unresolved schema holds is
// written, so that decodeCompact gives a schema that resolves to an equal one.
func encodeCompact(s *Schema) []byte {
	e := &compactEncoder{index: map[string]uint64{"": 0}}
	// The body first, collecting strings; the string table goes in front of it.
	types := s.StructuredTypes()
	nProps, nNav := 0, 0
	for _, t := range types {
		nProps += len(t.Properties)
		nNav += len(t.NavigationProperties)
	}
	e.num(uint64(nProps))
	e.num(uint64(nNav))
	e.str(s.namespace)
	e.str(s.container)
	aliases := make([]string, 0, len(s.aliases))
	for a := range s.aliases {
		aliases = append(aliases, a)
	}
	sort.Strings(aliases)
	e.num(uint64(len(aliases)))
	for _, a := range aliases {
		e.str(a)
		e.str(s.aliases[a])
	}
	enums := s.Enums()
	e.num(uint64(len(enums)))
	for _, en := range enums {
		e.str(en.namespace)
		e.str(en.Name)
		e.flag(en.Flags)
		e.num(uint64(len(en.Members)))
		for _, m := range en.Members {
			e.str(m)
		}
		e.flag(en.Values != nil)
		for _, v := range en.Values {
			e.body = binary.AppendVarint(e.body, v)
		}
	}
	e.num(uint64(len(types)))
	for _, t := range types {
		e.str(t.namespace)
		e.str(t.Name)
		e.num(uint64(t.Kind))
		e.flag(t.Abstract)
		e.flag(t.Open)
		e.str(t.BaseType)
		e.strs(t.Key)
		e.strs(t.AlternateKeys)
		e.num(uint64(len(t.Properties)))
		for _, p := range t.Properties {
			e.str(p.Name)
			e.str(p.Type)
			e.flag(p.NotNull)
			e.flag(p.ReadOnly)
			e.flag(p.Required)
		}
		e.num(uint64(len(t.NavigationProperties)))
		for _, n := range t.NavigationProperties {
			e.str(n.Name)
			e.str(n.Type)
			e.str(n.Partner)
			e.flag(n.ContainsTarget)
			e.flag(n.NotNull)
		}
	}
	e.num(uint64(len(s.setOrder)))
	for _, es := range s.setOrder {
		e.str(es.Name)
		e.str(es.EntityType)
		e.bindings(es.Bindings)
	}
	e.num(uint64(len(s.singletonOrder)))
	for _, sg := range s.singletonOrder {
		e.str(sg.Name)
		e.str(sg.Type)
		e.bindings(sg.Bindings)
	}
	e.num(uint64(len(s.operations)))
	for _, op := range s.operations {
		e.str(op.namespace)
		e.str(op.Name)
		e.num(uint64(op.Kind))
		e.flag(op.IsBound)
		e.flag(op.IsComposable)
		e.str(op.EntitySetPath)
		e.num(uint64(len(op.Parameters)))
		for _, p := range op.Parameters {
			e.str(p.Name)
			e.str(p.Type)
			e.flag(p.NotNull)
		}
		e.str(op.ReturnType)
	}
	e.num(uint64(len(s.imports)))
	for _, imp := range s.imports {
		e.str(imp.Name)
		e.num(uint64(imp.Kind))
		e.str(imp.Operation)
		e.str(imp.EntitySet)
	}

	out := append([]byte(compactMagic), compactVersion)
	out = binary.AppendUvarint(out, uint64(len(e.strings)))
	for _, str := range e.strings {
		out = binary.AppendUvarint(out, uint64(len(str)))
	}
	for _, str := range e.strings {
		out = append(out, str...)
	}
	return append(out, e.body...)
}

type compactEncoder struct {
	body    []byte
	strings []string          // the table, without entry 0
	index   map[string]uint64 // string -> index
}

func (e *compactEncoder) num(n uint64) { e.body = binary.AppendUvarint(e.body, n) }

func (e *compactEncoder) flag(b bool) {
	if b {
		e.body = append(e.body, 1)
	} else {
		e.body = append(e.body, 0)
	}
}

func (e *compactEncoder) str(s string) {
	i, ok := e.index[s]
	if !ok {
		e.strings = append(e.strings, s)
		i = uint64(len(e.strings))
		e.index[s] = i
	}
	e.num(i)
}

func (e *compactEncoder) strs(list []string) {
	e.num(uint64(len(list)))
	for _, s := range list {
		e.str(s)
	}
}

func (e *compactEncoder) bindings(bs []NavigationBinding) {
	e.num(uint64(len(bs)))
	for _, b := range bs {
		e.str(b.Path)
		e.str(b.Target)
	}
}

// errCompact reports compact data that is truncated or malformed.
var errCompact = errors.New("malformed compact schema")

// decodeCompact reads the compact form into a new, unresolved schema.
func decodeCompact(data []byte) (*Schema, error) {
	d := &compactDecoder{data: data}
	magic := d.bytes(len(compactMagic))
	if string(magic) != compactMagic {
		return nil, fmt.Errorf("compact schema: not a compact schema")
	}
	if v := d.bytes(1); len(v) == 1 && v[0] != compactVersion {
		return nil, fmt.Errorf("compact schema: format version %d, want %d", v[0], compactVersion)
	}
	n := d.count()
	lengths := make([]int, n)
	total := 0
	for i := range lengths {
		lengths[i] = d.count()
		total += lengths[i]
	}
	// One string holds the whole table; the entries are slices of it.
	blob := string(d.bytes(total))
	if d.err != nil {
		return nil, d.err
	}
	d.strings = make([]string, n+1)
	for i, l := range lengths {
		d.strings[i+1], blob = blob[:l], blob[l:]
	}
	props := make([]Property, d.count())
	navs := make([]NavigationProperty, d.count())

	s := NewSchema(d.str())
	s.container = d.str()
	for range d.count() {
		alias := d.str()
		s.aliases[alias] = d.str()
	}
	ne := d.count()
	s.enums = make(map[string]*EnumType, ne)
	enums := make([]EnumType, ne)
	for i := range enums {
		en := &enums[i]
		ns := d.str()
		en.Name = d.str()
		en.Flags = d.flag()
		en.Members = d.strs()
		if d.flag() {
			en.Values = make([]int64, len(en.Members))
			for j := range en.Values {
				en.Values[j] = d.varint()
			}
		}
		if d.err != nil {
			return nil, d.err
		}
		if err := s.AddEnumIn(ns, en); err != nil {
			return nil, err
		}
	}
	nt := d.count()
	s.structured = make(map[string]*StructuredType, nt+8) // room for the built-in additions
	types := make([]StructuredType, nt)
	for i := range types {
		t := &types[i]
		ns := d.str()
		t.Name = d.str()
		t.Kind = Kind(d.num())
		t.Abstract = d.flag()
		t.Open = d.flag()
		t.BaseType = d.str()
		t.Key = d.strs()
		t.AlternateKeys = d.strs()
		np := d.count()
		if np > len(props) {
			return nil, errCompact
		}
		if np > 0 {
			t.Properties = make([]*Property, np)
		}
		for j := range t.Properties {
			p := &props[j]
			p.Name = d.str()
			p.Type = d.str()
			p.NotNull = d.flag()
			p.ReadOnly = d.flag()
			p.Required = d.flag()
			t.Properties[j] = p
		}
		props = props[np:]
		nn := d.count()
		if nn > len(navs) {
			return nil, errCompact
		}
		if nn > 0 {
			t.NavigationProperties = make([]*NavigationProperty, nn)
		}
		for j := range t.NavigationProperties {
			n := &navs[j]
			n.Name = d.str()
			n.Type = d.str()
			n.Partner = d.str()
			n.ContainsTarget = d.flag()
			n.NotNull = d.flag()
			t.NavigationProperties[j] = n
		}
		navs = navs[nn:]
		if d.err != nil {
			return nil, d.err
		}
		if err := s.AddTypeIn(ns, t); err != nil {
			return nil, err
		}
	}
	for range d.count() {
		es := &EntitySet{Name: d.str(), EntityType: d.str(), Bindings: d.bindings()}
		if d.err != nil {
			return nil, d.err
		}
		if err := s.AddEntitySetWith(es); err != nil {
			return nil, err
		}
	}
	for range d.count() {
		sg := &Singleton{Name: d.str(), Type: d.str(), Bindings: d.bindings()}
		if d.err != nil {
			return nil, d.err
		}
		if err := s.AddSingleton(sg); err != nil {
			return nil, err
		}
	}
	nops := d.count()
	ops := make([]Operation, nops)
	s.operations = make([]*Operation, 0, nops)
	for i := range ops {
		op := &ops[i]
		ns := d.str()
		op.Name = d.str()
		op.Kind = OperationKind(d.num())
		op.IsBound = d.flag()
		op.IsComposable = d.flag()
		op.EntitySetPath = d.str()
		if np := d.count(); np > 0 {
			op.Parameters = make([]Parameter, np)
		}
		for j := range op.Parameters {
			op.Parameters[j] = Parameter{Name: d.str(), Type: d.str(), NotNull: d.flag()}
		}
		op.ReturnType = d.str()
		if d.err != nil {
			return nil, d.err
		}
		if err := s.AddOperationIn(ns, op); err != nil {
			return nil, err
		}
	}
	for range d.count() {
		imp := OperationImport{Name: d.str(), Kind: OperationKind(d.num()), Operation: d.str(), EntitySet: d.str()}
		if d.err != nil {
			return nil, d.err
		}
		if err := s.AddOperationImport(imp); err != nil {
			return nil, err
		}
	}
	if d.err == nil && len(d.data) != 0 {
		d.err = errCompact
	}
	if d.err != nil {
		return nil, fmt.Errorf("compact schema: %w", d.err)
	}
	return s, nil
}

// compactDecoder reads the compact form; the first error sticks and later reads return
// zero values.
type compactDecoder struct {
	data    []byte
	strings []string
	err     error
}

func (d *compactDecoder) fail() {
	if d.err == nil {
		d.err = errCompact
	}
	d.data = nil
}

func (d *compactDecoder) num() uint64 {
	v, n := binary.Uvarint(d.data)
	if n <= 0 {
		d.fail()
		return 0
	}
	d.data = d.data[n:]
	return v
}

func (d *compactDecoder) varint() int64 {
	v, n := binary.Varint(d.data)
	if n <= 0 {
		d.fail()
		return 0
	}
	d.data = d.data[n:]
	return v
}

// count reads a number of things that follow, each at least a byte long, so that it
// cannot exceed what is left.
func (d *compactDecoder) count() int {
	v := d.num()
	if v > uint64(len(d.data)) {
		d.fail()
		return 0
	}
	return int(v)
}

func (d *compactDecoder) flag() bool {
	if len(d.data) == 0 || d.data[0] > 1 {
		d.fail()
		return false
	}
	b := d.data[0] == 1
	d.data = d.data[1:]
	return b
}

func (d *compactDecoder) bytes(n int) []byte {
	if n > len(d.data) {
		d.fail()
		return nil
	}
	b := d.data[:n]
	d.data = d.data[n:]
	return b
}

func (d *compactDecoder) str() string {
	i := d.num()
	if i >= uint64(len(d.strings)) {
		d.fail()
		return ""
	}
	return d.strings[i]
}

func (d *compactDecoder) strs() []string {
	n := d.count()
	if n == 0 {
		return nil
	}
	out := make([]string, n)
	for i := range out {
		out[i] = d.str()
	}
	return out
}

func (d *compactDecoder) bindings() []NavigationBinding {
	n := d.count()
	if n == 0 {
		return nil
	}
	out := make([]NavigationBinding, n)
	for i := range out {
		out[i] = NavigationBinding{Path: d.str(), Target: d.str()}
	}
	return out
}
