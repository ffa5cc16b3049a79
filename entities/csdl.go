package entities

import (
	"bufio"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
)

// XML namespaces of CSDL 4.0 documents.
const (
	csdlEdmxNS = "http://docs.oasis-open.org/odata/ns/edmx"
	csdlEdmNS  = "http://docs.oasis-open.org/odata/ns/edm"
)

// Vocabulary namespaces whose terms the loader maps onto the model.
const (
	coreVocabulary         = "Org.OData.Core.V1"
	capabilitiesVocabulary = "Org.OData.Capabilities.V1"
)

// LoadCSDL reads an OData CSDL 4.0 document in its XML form (EDMX, as Graph serves at
// /$metadata) and returns the resolved schema it describes.
//
// It reads the Schema elements (namespaces and aliases), entity and complex types (base
// types, abstract, open, keys, properties, navigation properties), enum types (flags,
// member values), functions and actions, and the entity container (entity sets and
// singletons with their navigation property bindings, function and action imports).
// Alias-qualified type names are rewritten namespace-qualified. A TypeDefinition is
// replaced by its underlying type. Properties annotated Org.OData.Core.V1.Computed or
// with Org.OData.Core.V1.Permissions of Read alone (inline or through an Annotations
// element) are ReadOnly; the RequiredProperties of an Org.OData.Capabilities.V1.InsertRestrictions
// annotation on a type are Required. Other annotations, terms and unknown elements are
// ignored. The first Schema element's namespace is the schema's default namespace.
//
// Errors name the line and the problem: "csdl: line 12: EntityType without Name".
//
// Each extend function is called on the schema read, before it is resolved, to add to
// it (AddBuiltins, Expose).
func LoadCSDL(r io.Reader, extend ...func(*Schema) error) (*Schema, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	if b, err := br.Peek(3); err == nil && bytes.Equal(b, []byte("\xef\xbb\xbf")) {
		_, _ = br.Discard(3)
	}
	l := &csdlLoader{
		d:       xml.NewDecoder(br),
		vocab:   map[string]string{},
		typedef: map[string]string{},
		extend:  extend,
	}
	if err := l.document(); err != nil {
		return nil, err
	}
	return l.finish()
}

// errCSDLEOF reports a document that ends before its root element does.
var errCSDLEOF = errors.New("unexpected end of document")

// csdlLoader holds the state of one LoadCSDL call.
type csdlLoader struct {
	d    *xml.Decoder
	line int // line where the token last returned by next starts
	s    *Schema

	vocab     map[string]string // alias -> vocabulary namespace, from edmx:Include
	typedef   map[string]string // qualified TypeDefinition name -> underlying type
	container bool              // an EntityContainer was read
	notes     []csdlNote        // annotations to apply once every type is known
	refs      []csdlRef         // type references to check, with their lines
	extend    []func(*Schema) error
}

// csdlNote is an annotation that sets a flag on a property: Type/Prop is its target.
type csdlNote struct {
	Type, Prop string
	required   bool // Required; otherwise ReadOnly
	// altKey: Prop is an alternate key of Type (required is then unused).
	altKey bool
}

// csdlRef is a type name the document refers to, checked once the document is read so
// that an error names its line.
type csdlRef struct {
	name   *string // the referenced name, canonicalised in place
	owner  string  // qualified type, entity set or singleton name
	member string  // property name
	line   int32
	kind   refKind
}

type refKind uint8

const (
	refBase      refKind = iota // base type of an entity or complex type
	refProperty                 // type of a structural property
	refNav                      // target of a navigation property
	refSet                      // entity type of an entity set
	refSingleton                // entity type of a singleton
)

// String describes the reference for an error.
func (r *csdlRef) String() string {
	switch r.kind {
	case refBase:
		return "type " + r.owner + ": base type"
	case refProperty:
		return "property " + r.owner + "/" + r.member
	case refNav:
		return "navigation property " + r.owner + "/" + r.member
	case refSet:
		return "entity set " + r.owner
	}
	return "singleton " + r.owner
}

func (l *csdlLoader) ref(line int, kind refKind, name *string, owner, member string) {
	l.refs = append(l.refs, csdlRef{name: name, owner: owner, member: member, line: int32(line), kind: kind})
}

// errorf returns an error at a line of the document.
func (l *csdlLoader) errorf(line int, format string, args ...any) error {
	return fmt.Errorf("csdl: line %d: %s", line, fmt.Sprintf(format, args...))
}

// next returns the next token and records the line it starts on.
func (l *csdlLoader) next() (xml.Token, error) {
	l.line, _ = l.d.InputPos()
	tok, err := l.d.Token()
	if err != nil {
		var se *xml.SyntaxError
		switch {
		case errors.As(err, &se):
			return nil, fmt.Errorf("csdl: line %d: %s", se.Line, se.Msg)
		case err == io.EOF:
			return nil, fmt.Errorf("csdl: line %d: %w", l.line, errCSDLEOF)
		}
		return nil, fmt.Errorf("csdl: line %d: %w", l.line, err)
	}
	return tok, nil
}

// skip consumes the rest of the element whose start was just read.
func (l *csdlLoader) skip() error {
	for depth := 1; depth > 0; {
		tok, err := l.next()
		if err != nil {
			return err
		}
		switch tok.(type) {
		case xml.StartElement:
			depth++
		case xml.EndElement:
			depth--
		}
	}
	return nil
}

// children calls fn for each child element of the element whose start was just read,
// up to its end; fn must consume the child up to its end. Elements of foreign XML
// namespaces are skipped.
func (l *csdlLoader) children(fn func(se xml.StartElement) error) error {
	for {
		tok, err := l.next()
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if sp := t.Name.Space; sp != "" && sp != csdlEdmNS && sp != csdlEdmxNS {
				err = l.skip()
			} else {
				err = fn(t)
			}
			if err != nil {
				return err
			}
		case xml.EndElement:
			return nil
		}
	}
}

// text returns the character data of the element whose start was just read, skipping
// any child elements.
func (l *csdlLoader) text() (string, error) {
	var b []byte
	for depth := 1; ; {
		tok, err := l.next()
		if err != nil {
			return "", err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
		case xml.EndElement:
			if depth--; depth == 0 {
				return strings.TrimSpace(string(b)), nil
			}
		case xml.CharData:
			if depth == 1 {
				b = append(b, t...)
			}
		}
	}
}

// attr returns the value of the attribute named local (in no namespace).
func (l *csdlLoader) attr(se xml.StartElement, local string) string {
	v, _ := l.attrOK(se, local)
	return v
}

// required returns the attribute named local or an error naming the element and,
// joined, the context parts ("in", "ns.t").
func (l *csdlLoader) required(se xml.StartElement, local string, context ...string) (string, error) {
	v := l.attr(se, local)
	if v == "" {
		if len(context) > 0 {
			return "", l.errorf(l.line, "%s %s without %s", se.Name.Local, strings.Join(context, ""), local)
		}
		return "", l.errorf(l.line, "%s without %s", se.Name.Local, local)
	}
	return v, nil
}

// boolAttr returns the boolean attribute named local; absent means def.
func (l *csdlLoader) boolAttr(se xml.StartElement, local string, def bool) (bool, error) {
	for _, a := range se.Attr {
		if a.Name.Local != local || a.Name.Space != "" {
			continue
		}
		switch strings.TrimSpace(a.Value) {
		case "true", "1":
			return true, nil
		case "false", "0":
			return false, nil
		}
		return false, l.errorf(l.line, "%s: %s=%q is not a boolean", se.Name.Local, local, a.Value)
	}
	return def, nil
}

// document reads the edmx:Edmx root element.
func (l *csdlLoader) document() error {
	for {
		tok, err := l.next()
		if err != nil {
			if errors.Is(err, errCSDLEOF) {
				return fmt.Errorf("csdl: no edmx:Edmx element in the document")
			}
			return err
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		if se.Name.Local != "Edmx" {
			return l.errorf(l.line, "root element is %s, want edmx:Edmx", se.Name.Local)
		}
		if se.Name.Space != csdlEdmxNS && se.Name.Space != "" {
			return l.errorf(l.line, "root element Edmx is in namespace %q, want %s", se.Name.Space, csdlEdmxNS)
		}
		err = l.children(func(se xml.StartElement) error {
			switch se.Name.Local {
			case "DataServices":
				return l.children(func(se xml.StartElement) error {
					if se.Name.Local == "Schema" {
						return l.schema(se)
					}
					return l.skip()
				})
			case "Reference":
				return l.children(func(se xml.StartElement) error {
					if se.Name.Local == "Include" {
						if ns, alias := l.attr(se, "Namespace"), l.attr(se, "Alias"); ns != "" && alias != "" {
							l.vocab[alias] = ns
						}
					}
					return l.skip()
				})
			}
			return l.skip()
		})
		if err != nil {
			return err
		}
		if l.s == nil {
			return fmt.Errorf("csdl: no Schema element in the document")
		}
		return nil
	}
}

// schema reads a Schema element.
func (l *csdlLoader) schema(se xml.StartElement) error {
	ns, err := l.required(se, "Namespace")
	if err != nil {
		return err
	}
	if l.s == nil {
		l.s = NewSchema(ns)
	}
	if alias := l.attr(se, "Alias"); alias != "" {
		if prev, ok := l.s.aliases[alias]; ok && prev != ns {
			return l.errorf(l.line, "alias %s stands for %s and %s", alias, prev, ns)
		}
		l.s.AddAlias(alias, ns)
	}
	return l.children(func(se xml.StartElement) error {
		switch se.Name.Local {
		case "EntityType":
			return l.structured(se, ns, KindEntity)
		case "ComplexType":
			return l.structured(se, ns, KindComplex)
		case "EnumType":
			return l.enum(se, ns)
		case "Function":
			return l.operation(se, ns, Function)
		case "Action":
			return l.operation(se, ns, Action)
		case "EntityContainer":
			return l.entityContainer(se)
		case "Annotations":
			return l.annotations(se)
		case "TypeDefinition":
			name, err := l.required(se, "Name")
			if err != nil {
				return err
			}
			u, err := l.required(se, "UnderlyingType", name)
			if err != nil {
				return err
			}
			l.typedef[ns+"."+name] = u
		}
		return l.skip()
	})
}

// structured reads an EntityType or ComplexType element.
func (l *csdlLoader) structured(se xml.StartElement, ns string, kind Kind) error {
	line := l.line
	name, err := l.required(se, "Name")
	if err != nil {
		return err
	}
	t := &StructuredType{Name: name, Kind: kind, BaseType: l.attr(se, "BaseType")}
	if t.Abstract, err = l.boolAttr(se, "Abstract", false); err != nil {
		return err
	}
	if t.Open, err = l.boolAttr(se, "OpenType", false); err != nil {
		return err
	}
	qualified := ns + "." + name
	kindName := se.Name.Local
	if t.BaseType != "" {
		l.ref(line, refBase, &t.BaseType, qualified, "")
	}
	err = l.children(func(se xml.StartElement) error {
		switch se.Name.Local {
		case "Key":
			if len(t.Key) > 0 {
				return l.errorf(l.line, "%s %s: second Key", kindName, qualified)
			}
			return l.children(func(se xml.StartElement) error {
				if se.Name.Local == "PropertyRef" {
					n, err := l.required(se, "Name", "in ", kindName, " ", qualified)
					if err != nil {
						return err
					}
					if alias := l.attr(se, "Alias"); alias != "" {
						return l.errorf(l.line, "%s %s: key property paths with an Alias are not supported", kindName, qualified)
					}
					t.Key = append(t.Key, n)
				}
				return l.skip()
			})
		case "Property":
			p, err := l.property(se, qualified)
			if err != nil {
				return err
			}
			t.Properties = append(t.Properties, p)
			return nil
		case "NavigationProperty":
			n, err := l.navigation(se, qualified)
			if err != nil {
				return err
			}
			t.NavigationProperties = append(t.NavigationProperties, n)
			return nil
		case "Annotation":
			return l.annotation(se, qualified, "")
		}
		return l.skip()
	})
	if err != nil {
		return err
	}
	if err := l.s.AddTypeIn(ns, t); err != nil {
		return l.errorf(line, "%v", err)
	}
	return nil
}

// property reads a Property element of the type named owner.
func (l *csdlLoader) property(se xml.StartElement, owner string) (*Property, error) {
	line := l.line
	name, err := l.required(se, "Name", "in ", owner)
	if err != nil {
		return nil, err
	}
	typ, err := l.required(se, "Type", owner, "/", name)
	if err != nil {
		return nil, err
	}
	nullable, err := l.boolAttr(se, "Nullable", true)
	if err != nil {
		return nil, err
	}
	p := &Property{Name: name, Type: typ, NotNull: !nullable}
	l.ref(line, refProperty, &p.Type, owner, name)
	err = l.children(func(se xml.StartElement) error {
		if se.Name.Local == "Annotation" {
			return l.annotation(se, owner, name)
		}
		return l.skip()
	})
	return p, err
}

// navigation reads a NavigationProperty element of the type named owner.
func (l *csdlLoader) navigation(se xml.StartElement, owner string) (*NavigationProperty, error) {
	line := l.line
	name, err := l.required(se, "Name", "in ", owner)
	if err != nil {
		return nil, err
	}
	typ, err := l.required(se, "Type", owner, "/", name)
	if err != nil {
		return nil, err
	}
	n := &NavigationProperty{Name: name, Type: typ, Partner: l.attr(se, "Partner")}
	nullable, err := l.boolAttr(se, "Nullable", true)
	if err != nil {
		return nil, err
	}
	n.NotNull = !nullable
	if n.ContainsTarget, err = l.boolAttr(se, "ContainsTarget", false); err != nil {
		return nil, err
	}
	l.ref(line, refNav, &n.Type, owner, name)
	return n, l.skip()
}

// enum reads an EnumType element.
func (l *csdlLoader) enum(se xml.StartElement, ns string) error {
	line := l.line
	name, err := l.required(se, "Name")
	if err != nil {
		return err
	}
	e := &EnumType{Name: name}
	if e.Flags, err = l.boolAttr(se, "IsFlags", false); err != nil {
		return err
	}
	var values []int64
	explicit := false
	err = l.children(func(se xml.StartElement) error {
		if se.Name.Local != "Member" {
			return l.skip()
		}
		m, err := l.required(se, "Name", "in EnumType ", ns, ".", name)
		if err != nil {
			return err
		}
		var v int64
		if raw := l.attr(se, "Value"); raw != "" {
			if v, err = strconv.ParseInt(strings.TrimSpace(raw), 10, 64); err != nil {
				return l.errorf(l.line, "EnumType %s.%s: member %s: Value %q is not an integer", ns, name, m, raw)
			}
			explicit = true
		} else if n := len(values); n > 0 {
			v = values[n-1] + 1
		}
		e.Members = append(e.Members, m)
		values = append(values, v)
		return l.skip()
	})
	if err != nil {
		return err
	}
	if explicit {
		e.Values = values
	}
	if err := l.s.AddEnumIn(ns, e); err != nil {
		return l.errorf(line, "%v", err)
	}
	return nil
}

// operation reads a Function or Action element.
func (l *csdlLoader) operation(se xml.StartElement, ns string, kind OperationKind) error {
	line := l.line
	name, err := l.required(se, "Name")
	if err != nil {
		return err
	}
	op := &Operation{Name: name, Kind: kind, EntitySetPath: l.attr(se, "EntitySetPath")}
	if op.IsBound, err = l.boolAttr(se, "IsBound", false); err != nil {
		return err
	}
	if op.IsComposable, err = l.boolAttr(se, "IsComposable", false); err != nil {
		return err
	}
	err = l.children(func(se xml.StartElement) error {
		switch se.Name.Local {
		case "Parameter":
			pn, err := l.required(se, "Name", "in ", kind.String(), " ", ns, ".", name)
			if err != nil {
				return err
			}
			pt, err := l.required(se, "Type", ns, ".", name, "/", pn)
			if err != nil {
				return err
			}
			nullable, err := l.boolAttr(se, "Nullable", true)
			if err != nil {
				return err
			}
			op.Parameters = append(op.Parameters, Parameter{Name: pn, Type: pt, NotNull: !nullable})
		case "ReturnType":
			rt, err := l.required(se, "Type", "of ", ns, ".", name)
			if err != nil {
				return err
			}
			op.ReturnType = rt
		}
		return l.skip()
	})
	if err != nil {
		return err
	}
	if err := l.s.AddOperationIn(ns, op); err != nil {
		return l.errorf(line, "%v", err)
	}
	return nil
}

// entityContainer reads the EntityContainer element.
func (l *csdlLoader) entityContainer(se xml.StartElement) error {
	if l.container {
		return l.errorf(l.line, "second EntityContainer")
	}
	l.container = true
	name, err := l.required(se, "Name")
	if err != nil {
		return err
	}
	l.s.SetContainerName(name)
	return l.children(func(se xml.StartElement) error {
		line := l.line
		switch se.Name.Local {
		case "EntitySet":
			name, typ, bindings, err := l.containerEntity(se, "EntityType")
			if err != nil {
				return err
			}
			es := &EntitySet{Name: name, EntityType: typ, Bindings: bindings}
			if err := l.s.AddEntitySetWith(es); err != nil {
				return l.errorf(line, "%v", err)
			}
			l.ref(line, refSet, &es.EntityType, name, "")
			return nil
		case "Singleton":
			name, typ, bindings, err := l.containerEntity(se, "Type")
			if err != nil {
				return err
			}
			sg := &Singleton{Name: name, Type: typ, Bindings: bindings}
			if err := l.s.AddSingleton(sg); err != nil {
				return l.errorf(line, "%v", err)
			}
			l.ref(line, refSingleton, &sg.Type, name, "")
			return nil
		case "FunctionImport", "ActionImport":
			name, err := l.required(se, "Name")
			if err != nil {
				return err
			}
			imp := OperationImport{Name: name, Kind: Function, EntitySet: l.attr(se, "EntitySet")}
			attr := "Function"
			if se.Name.Local == "ActionImport" {
				imp.Kind, attr = Action, "Action"
			}
			if imp.Operation, err = l.required(se, attr, name); err != nil {
				return err
			}
			if err := l.s.AddOperationImport(imp); err != nil {
				return l.errorf(line, "%v", err)
			}
		}
		return l.skip()
	})
}

// bindings reads the NavigationPropertyBinding children of an entity set or singleton.
func (l *csdlLoader) bindings() ([]NavigationBinding, error) {
	var out []NavigationBinding
	err := l.children(func(se xml.StartElement) error {
		if se.Name.Local == "NavigationPropertyBinding" {
			path, err := l.required(se, "Path")
			if err != nil {
				return err
			}
			target, err := l.required(se, "Target", path)
			if err != nil {
				return err
			}
			out = append(out, NavigationBinding{Path: path, Target: target})
		}
		return l.skip()
	})
	return out, err
}

// annotations reads an Annotations element; only targets "type" and "type/property" matter.
func (l *csdlLoader) annotations(se xml.StartElement) error {
	target := l.attr(se, "Target")
	if l.attr(se, "Qualifier") != "" || target == "" || strings.ContainsAny(target, "()") {
		return l.skip()
	}
	typ, prop, _ := strings.Cut(target, "/")
	if strings.Contains(prop, "/") {
		return l.skip()
	}
	return l.children(func(se xml.StartElement) error {
		if se.Name.Local == "Annotation" {
			return l.annotation(se, typ, prop)
		}
		return l.skip()
	})
}

// term returns an annotation's term with a vocabulary alias replaced by its namespace.
func (l *csdlLoader) term(term string) string {
	if i := strings.LastIndexByte(term, '.'); i > 0 {
		if ns, ok := l.vocab[term[:i]]; ok {
			return ns + term[i:]
		}
	}
	return term
}

// annotation reads an Annotation element whose target is the type typ or, when prop is
// not empty, its property prop.
func (l *csdlLoader) annotation(se xml.StartElement, typ, prop string) error {
	if l.attr(se, "Qualifier") != "" {
		return l.skip()
	}
	switch l.term(l.attr(se, "Term")) {
	case coreVocabulary + ".Computed":
		if prop == "" {
			break
		}
		v, set := l.attrOK(se, "Bool")
		if !set {
			// The value may be an element, <Bool>false</Bool>; a bare tag means true.
			err := l.children(func(se xml.StartElement) error {
				if se.Name.Local != "Bool" {
					return l.skip()
				}
				var err error
				v, err = l.text()
				return err
			})
			if err != nil {
				return err
			}
			l.noteIf(v != "false" && v != "0", typ, prop, false)
			return nil
		}
		computed, err := l.boolAttr(se, "Bool", true)
		if err != nil {
			return err
		}
		l.noteIf(computed, typ, prop, false)
	case coreVocabulary + ".Permissions":
		if prop == "" {
			break
		}
		v, set := l.attrOK(se, "EnumMember")
		if set {
			l.noteIf(readOnlyPermissions(v), typ, prop, false)
			break
		}
		err := l.children(func(se xml.StartElement) error {
			if se.Name.Local != "EnumMember" {
				return l.skip()
			}
			t, err := l.text()
			v += " " + t
			return err
		})
		if err != nil {
			return err
		}
		l.noteIf(readOnlyPermissions(v), typ, prop, false)
		return nil
	case capabilitiesVocabulary + ".InsertRestrictions":
		if prop != "" {
			break
		}
		return l.requiredProperties(typ)
	case coreVocabulary + ".AlternateKeys":
		if prop != "" {
			break
		}
		return l.alternateKeys(typ)
	}
	return l.skip()
}

// attrOK returns the attribute named local and whether it is present.
func (l *csdlLoader) attrOK(se xml.StartElement, local string) (string, bool) {
	for _, a := range se.Attr {
		if a.Name.Local == local && a.Name.Space == "" {
			return a.Value, true
		}
	}
	return "", false
}

func (l *csdlLoader) noteIf(ok bool, typ, prop string, required bool) {
	if ok {
		l.notes = append(l.notes, csdlNote{Type: typ, Prop: prop, required: required})
	}
}

// readOnlyPermissions reports whether an Org.OData.Core.V1.Permissions value
// ("Org.OData.Core.V1.Permission/Read", space separated) grants Read alone.
func readOnlyPermissions(v string) bool {
	read := false
	for _, m := range strings.Fields(v) {
		_, member, _ := strings.Cut(m, "/")
		switch member {
		case "Read":
			read = true
		case "None":
		default:
			return false
		}
	}
	return read
}

// requiredProperties reads the body of an InsertRestrictions annotation on the type typ
// and notes each property path of its RequiredProperties as required.
func (l *csdlLoader) requiredProperties(typ string) error {
	inRequired := 0 // depth of the RequiredProperties PropertyValue, 0 outside
	for depth := 1; depth > 0; {
		tok, err := l.next()
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			switch {
			case t.Name.Local == "PropertyValue" && inRequired == 0 && l.attr(t, "Property") == "RequiredProperties":
				inRequired = depth
			case t.Name.Local == "PropertyPath" && inRequired > 0:
				v, err := l.text()
				if err != nil {
					return err
				}
				depth--
				if v != "" && !strings.Contains(v, "/") {
					l.notes = append(l.notes, csdlNote{Type: typ, Prop: v, required: true})
				}
			}
		case xml.EndElement:
			if depth == inRequired {
				inRequired = 0
			}
			depth--
		}
	}
	return nil
}

// alternateKeys reads the body of an AlternateKeys annotation on the type typ and notes
// each alternate key made of one property (records of AlternateKey whose Key holds one
// PropertyRef); keys of several properties are not addressable by the emulator.
func (l *csdlLoader) alternateKeys(typ string) error {
	var paths []string // the property paths of the AlternateKey record being read
	inKey := 0         // depth of the AlternateKey record, 0 outside
	for depth := 1; depth > 0; {
		tok, err := l.next()
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			switch {
			case t.Name.Local == "Record" && inKey == 0:
				inKey, paths = depth, paths[:0]
			case t.Name.Local == "PropertyValue" && inKey > 0 && l.attr(t, "Property") == "Name":
				if v, ok := l.attrOK(t, "PropertyPath"); ok {
					paths = append(paths, v)
				}
			}
		case xml.EndElement:
			if depth == inKey {
				if len(paths) == 1 && paths[0] != "" && !strings.Contains(paths[0], "/") {
					l.notes = append(l.notes, csdlNote{Type: typ, Prop: paths[0], altKey: true})
				}
				inKey = 0
			}
			depth--
		}
	}
	return nil
}

// finish canonicalises type names, applies annotations, checks references and resolves.
func (l *csdlLoader) finish() (*Schema, error) {
	s := l.s
	canon := make(map[string]string, 1024)
	fix := func(p *string) {
		if *p == "" {
			return
		}
		c, ok := canon[*p]
		if !ok {
			c = l.underlying(s.CanonicalType(*p))
			canon[*p] = c
		}
		*p = c
	}
	for _, t := range s.structured {
		fix(&t.BaseType)
		for _, p := range t.Properties {
			fix(&p.Type)
		}
		for _, n := range t.NavigationProperties {
			fix(&n.Type)
		}
	}
	for _, es := range s.setOrder {
		fix(&es.EntityType)
		fixBindings(es.Bindings, fix)
	}
	for _, sg := range s.singletonOrder {
		fix(&sg.Type)
		fixBindings(sg.Bindings, fix)
	}
	for _, op := range s.operations {
		for i := range op.Parameters {
			fix(&op.Parameters[i].Type)
		}
		fix(&op.ReturnType)
	}
	for i := range s.imports {
		fix(&s.imports[i].Operation)
	}
	for _, n := range l.notes {
		t := s.structured[s.canonical(n.Type)]
		if t == nil {
			continue
		}
		if n.altKey {
			if !slices.Contains(t.AlternateKeys, n.Prop) {
				t.AlternateKeys = append(t.AlternateKeys, n.Prop)
			}
			continue
		}
		for _, p := range t.Properties {
			if p.Name == n.Prop {
				if n.required {
					p.Required = true
				} else {
					p.ReadOnly = true
				}
				break
			}
		}
	}
	for i := range l.refs {
		r := &l.refs[i]
		name := *r.name
		if r.kind == refProperty || r.kind == refNav {
			if inner, ok := strings.CutPrefix(name, "Collection("); ok {
				name = strings.TrimSuffix(inner, ")")
			}
		}
		if r.kind == refProperty {
			if _, ok := primitiveByName[name]; ok {
				continue
			}
			if _, ok := s.enums[name]; ok {
				continue
			}
		}
		t, ok := s.structured[name]
		if !ok {
			return nil, l.errorf(int(r.line), "%s: unknown type %q", r.String(), *r.name)
		}
		if r.kind >= refNav && t.Kind != KindEntity {
			return nil, l.errorf(int(r.line), "%s: %s is not an entity type", r.String(), name)
		}
	}
	for _, f := range l.extend {
		if err := f(s); err != nil {
			return nil, err
		}
	}
	if err := s.Resolve(); err != nil {
		return nil, fmt.Errorf("csdl: %w", err)
	}
	return s, nil
}

// containerEntity reads an EntitySet or Singleton: its Name, its type attribute and its
// navigation property bindings.
func (l *csdlLoader) containerEntity(se xml.StartElement, typeAttr string) (name, typ string, bindings []NavigationBinding, err error) {
	if name, err = l.required(se, "Name"); err != nil {
		return "", "", nil, err
	}
	if typ, err = l.required(se, typeAttr, name); err != nil {
		return "", "", nil, err
	}
	bindings, err = l.bindings()
	return name, typ, bindings, err
}

// underlying replaces a TypeDefinition (possibly in a collection) by its underlying type.
func (l *csdlLoader) underlying(typ string) string {
	if len(l.typedef) == 0 {
		return typ
	}
	inner, coll := strings.CutPrefix(typ, "Collection(")
	inner = strings.TrimSuffix(inner, ")")
	if !coll {
		inner = typ
	}
	u, ok := l.typedef[inner]
	if !ok {
		return typ
	}
	if coll {
		return "Collection(" + u + ")"
	}
	return u
}

// fixBindings canonicalises the type-cast segments of binding paths.
func fixBindings(bs []NavigationBinding, fix func(*string)) {
	for i := range bs {
		if !strings.Contains(bs[i].Path, ".") {
			continue
		}
		segs := strings.Split(bs[i].Path, "/")
		for j := range segs {
			if strings.Contains(segs[j], ".") {
				fix(&segs[j])
			}
		}
		bs[i].Path = strings.Join(segs, "/")
	}
}
