package odata

import (
	"bufio"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/graph-emulator/graph-emulator/entities"
)

// CSDLContentType is the media type of the CSDL XML document served at /$metadata.
const CSDLContentType = "application/xml"

// WriteCSDL writes the schema as an OData CSDL 4.0 XML document (EDMX), as Graph serves
// at /$metadata: one Schema element per namespace (the schema's default namespace first,
// holding the entity container; the others sorted), each with its alias. Type names are
// written namespace-qualified. ReadOnly properties carry Org.OData.Core.V1.Computed;
// Required ones are listed in an Org.OData.Capabilities.V1.InsertRestrictions annotation
// of their type. entities.LoadCSDL reads the document back to an equal schema.
//
// The output is deterministic: types and enums sorted by name, entity sets, singletons,
// operations and imports in the schema's order. A namespace has at most one alias in CSDL:
// of several aliases of one namespace only the first in sort order is written.
func WriteCSDL(w io.Writer, s *entities.Schema) error {
	if s.Namespace() == "" {
		return fmt.Errorf("odata: csdl: the schema has no namespace")
	}
	cw := &csdlWriter{w: bufio.NewWriterSize(w, 64<<10), s: s}
	cw.document()
	if cw.err != nil {
		return cw.err
	}
	return cw.w.Flush()
}

// csdlWriter writes one document; the first error sticks.
type csdlWriter struct {
	w   *bufio.Writer
	s   *entities.Schema
	err error
}

// csdlNamespace gathers what one Schema element holds.
type csdlNamespace struct {
	alias      string
	structured []*entities.StructuredType
	enums      []*entities.EnumType
	operations []*entities.Operation
}

func (cw *csdlWriter) document() {
	s := cw.s
	byNS := map[string]*csdlNamespace{}
	get := func(ns string) *csdlNamespace {
		n := byNS[ns]
		if n == nil {
			n = &csdlNamespace{}
			byNS[ns] = n
		}
		return n
	}
	get(s.Namespace())
	aliases := s.Aliases()
	names := make([]string, 0, len(aliases))
	for a := range aliases {
		names = append(names, a)
	}
	sort.Strings(names)
	for _, a := range names {
		if n := get(aliases[a]); n.alias == "" {
			n.alias = a
		}
	}
	for _, e := range s.Enums() {
		n := get(e.Namespace())
		n.enums = append(n.enums, e)
	}
	for _, t := range s.StructuredTypes() {
		n := get(t.Namespace())
		n.structured = append(n.structured, t)
	}
	for _, op := range s.Operations() {
		n := get(op.Namespace())
		n.operations = append(n.operations, op)
	}
	order := make([]string, 0, len(byNS))
	for ns := range byNS {
		if ns != s.Namespace() {
			order = append(order, ns)
		}
	}
	sort.Strings(order)
	order = append([]string{s.Namespace()}, order...)

	cw.raw(`<?xml version="1.0" encoding="utf-8"?>` + "\n")
	cw.raw(`<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx">` + "\n")
	cw.raw("  <edmx:DataServices>\n")
	for i, ns := range order {
		n := byNS[ns]
		cw.raw(`    <Schema Namespace="`)
		cw.attr(ns)
		if n.alias != "" {
			cw.raw(`" Alias="`)
			cw.attr(n.alias)
		}
		cw.raw(`" xmlns="http://docs.oasis-open.org/odata/ns/edm">` + "\n")
		for _, e := range n.enums {
			cw.enum(e)
		}
		for _, t := range n.structured {
			if t.Kind == entities.KindComplex {
				cw.structured(t)
			}
		}
		for _, t := range n.structured {
			if t.Kind == entities.KindEntity {
				cw.structured(t)
			}
		}
		for _, op := range n.operations {
			cw.operation(op)
		}
		if i == 0 {
			cw.container()
		}
		cw.raw("    </Schema>\n")
	}
	cw.raw("  </edmx:DataServices>\n")
	cw.raw("</edmx:Edmx>\n")
}

func (cw *csdlWriter) raw(s string) {
	if cw.err == nil {
		_, cw.err = cw.w.WriteString(s)
	}
}

// attr writes s escaped for a double-quoted attribute value. Text that XML cannot carry
// (invalid UTF-8, control characters) is an error rather than a silently changed name.
func (cw *csdlWriter) attr(s string) {
	if cw.err != nil {
		return
	}
	start := 0
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		var esc string
		switch {
		case r == '&':
			esc = "&amp;"
		case r == '<':
			esc = "&lt;"
		case r == '>':
			esc = "&gt;"
		case r == '"':
			esc = "&quot;"
		case r == '\t':
			esc = "&#x9;"
		case r == '\n':
			esc = "&#xA;"
		case r == '\r':
			esc = "&#xD;"
		case r == utf8.RuneError && size == 1, !xmlChar(r):
			cw.err = fmt.Errorf("odata: csdl: %q cannot be written in XML", s)
			return
		}
		if esc != "" {
			cw.raw(s[start:i])
			cw.raw(esc)
			start = i + size
		}
		i += size
	}
	cw.raw(s[start:])
}

// xmlChar reports whether r is a character XML 1.0 allows.
func xmlChar(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D ||
		r >= 0x20 && r <= 0xD7FF ||
		r >= 0xE000 && r <= 0xFFFD ||
		r >= 0x10000 && r <= 0x10FFFF
}

// typ writes a type name namespace-qualified.
func (cw *csdlWriter) typ(t string) { cw.attr(cw.s.CanonicalType(t)) }

func (cw *csdlWriter) enum(e *entities.EnumType) {
	cw.raw(`      <EnumType Name="`)
	cw.attr(e.Name)
	if e.Flags {
		cw.raw(`" IsFlags="true`)
	}
	cw.raw(`">` + "\n")
	for i, m := range e.Members {
		cw.raw(`        <Member Name="`)
		cw.attr(m)
		if i < len(e.Values) {
			cw.raw(`" Value="`)
			cw.raw(strconv.FormatInt(e.Values[i], 10))
		}
		cw.raw(`" />` + "\n")
	}
	cw.raw("      </EnumType>\n")
}

func (cw *csdlWriter) structured(t *entities.StructuredType) {
	elem := "EntityType"
	if t.Kind == entities.KindComplex {
		elem = "ComplexType"
	}
	cw.raw("      <" + elem + ` Name="`)
	cw.attr(t.Name)
	if t.BaseType != "" {
		cw.raw(`" BaseType="`)
		cw.typ(t.BaseType)
	}
	if t.Abstract {
		cw.raw(`" Abstract="true`)
	}
	if t.Open {
		cw.raw(`" OpenType="true`)
	}
	var required []string
	for _, p := range t.Properties {
		if p.Required {
			required = append(required, p.Name)
		}
	}
	if len(t.Key) == 0 && len(t.Properties) == 0 && len(t.NavigationProperties) == 0 && len(required) == 0 {
		cw.raw(`" />` + "\n")
		return
	}
	cw.raw(`">` + "\n")
	if len(t.Key) > 0 {
		cw.raw("        <Key>\n")
		for _, k := range t.Key {
			cw.raw(`          <PropertyRef Name="`)
			cw.attr(k)
			cw.raw(`" />` + "\n")
		}
		cw.raw("        </Key>\n")
	}
	for _, p := range t.Properties {
		cw.raw(`        <Property Name="`)
		cw.attr(p.Name)
		cw.raw(`" Type="`)
		cw.typ(p.Type)
		if p.NotNull {
			cw.raw(`" Nullable="false`)
		}
		if !p.ReadOnly {
			cw.raw(`" />` + "\n")
			continue
		}
		cw.raw(`">` + "\n")
		cw.raw(`          <Annotation Term="Org.OData.Core.V1.Computed" Bool="true" />` + "\n")
		cw.raw("        </Property>\n")
	}
	for _, n := range t.NavigationProperties {
		cw.raw(`        <NavigationProperty Name="`)
		cw.attr(n.Name)
		cw.raw(`" Type="`)
		cw.typ(n.Type)
		if n.NotNull {
			cw.raw(`" Nullable="false`)
		}
		if n.Partner != "" {
			cw.raw(`" Partner="`)
			cw.attr(n.Partner)
		}
		if n.ContainsTarget {
			cw.raw(`" ContainsTarget="true`)
		}
		cw.raw(`" />` + "\n")
	}
	if len(required) > 0 {
		cw.raw(`        <Annotation Term="Org.OData.Capabilities.V1.InsertRestrictions">` + "\n")
		cw.raw("          <Record>\n")
		cw.raw(`            <PropertyValue Property="RequiredProperties">` + "\n")
		cw.raw("              <Collection>\n")
		for _, name := range required {
			cw.raw("                <PropertyPath>")
			cw.attr(name)
			cw.raw("</PropertyPath>\n")
		}
		cw.raw("              </Collection>\n")
		cw.raw("            </PropertyValue>\n")
		cw.raw("          </Record>\n")
		cw.raw("        </Annotation>\n")
	}
	cw.raw("      </" + elem + ">\n")
}

func (cw *csdlWriter) operation(op *entities.Operation) {
	elem := "Action"
	if op.Kind == entities.Function {
		elem = "Function"
	}
	cw.raw("      <" + elem + ` Name="`)
	cw.attr(op.Name)
	if op.IsBound {
		cw.raw(`" IsBound="true`)
	}
	if op.IsComposable {
		cw.raw(`" IsComposable="true`)
	}
	if op.EntitySetPath != "" {
		cw.raw(`" EntitySetPath="`)
		cw.attr(op.EntitySetPath)
	}
	if len(op.Parameters) == 0 && op.ReturnType == "" {
		cw.raw(`" />` + "\n")
		return
	}
	cw.raw(`">` + "\n")
	for _, p := range op.Parameters {
		cw.raw(`        <Parameter Name="`)
		cw.attr(p.Name)
		cw.raw(`" Type="`)
		cw.typ(p.Type)
		if p.NotNull {
			cw.raw(`" Nullable="false`)
		}
		cw.raw(`" />` + "\n")
	}
	if op.ReturnType != "" {
		cw.raw(`        <ReturnType Type="`)
		cw.typ(op.ReturnType)
		cw.raw(`" />` + "\n")
	}
	cw.raw("      </" + elem + ">\n")
}

func (cw *csdlWriter) container() {
	s := cw.s
	cw.raw(`      <EntityContainer Name="`)
	cw.attr(s.ContainerName())
	cw.raw(`">` + "\n")
	for _, es := range s.EntitySets() {
		cw.raw(`        <EntitySet Name="`)
		cw.attr(es.Name)
		cw.raw(`" EntityType="`)
		cw.typ(es.EntityType)
		cw.bindings(es.Bindings, "EntitySet")
	}
	for _, sg := range s.Singletons() {
		cw.raw(`        <Singleton Name="`)
		cw.attr(sg.Name)
		cw.raw(`" Type="`)
		cw.typ(sg.Type)
		cw.bindings(sg.Bindings, "Singleton")
	}
	for _, imp := range s.OperationImports() {
		elem, attr := "ActionImport", "Action"
		if imp.Kind == entities.Function {
			elem, attr = "FunctionImport", "Function"
		}
		cw.raw("        <" + elem + ` Name="`)
		cw.attr(imp.Name)
		cw.raw(`" ` + attr + `="`)
		cw.typ(imp.Operation)
		if imp.EntitySet != "" {
			cw.raw(`" EntitySet="`)
			cw.attr(imp.EntitySet)
		}
		cw.raw(`" />` + "\n")
	}
	cw.raw("      </EntityContainer>\n")
}

// bindings ends the start tag of an entity set or singleton and writes its bindings.
func (cw *csdlWriter) bindings(bs []entities.NavigationBinding, elem string) {
	if len(bs) == 0 {
		cw.raw(`" />` + "\n")
		return
	}
	cw.raw(`">` + "\n")
	for _, b := range bs {
		cw.raw(`          <NavigationPropertyBinding Path="`)
		cw.bindingPath(b.Path)
		cw.raw(`" Target="`)
		cw.attr(b.Target)
		cw.raw(`" />` + "\n")
	}
	cw.raw("        </" + elem + ">\n")
}

// bindingPath writes a binding path with its type-cast segments namespace-qualified.
func (cw *csdlWriter) bindingPath(path string) {
	for i, seg := range strings.Split(path, "/") {
		if i > 0 {
			cw.raw("/")
		}
		if strings.Contains(seg, ".") {
			cw.typ(seg)
		} else {
			cw.attr(seg)
		}
	}
}
