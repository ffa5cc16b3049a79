package odata

import (
	"errors"
	"strconv"
	"strings"

	"github.com/tidwall/gjson"

	"github.com/graph-emulator/graph-emulator/entities"
)

// Filter is a parsed and type-checked $filter expression, ready to be evaluated against
// stored entities. A Filter is immutable and safe for concurrent use.
//
// The language is the subset of OData's that Graph documents: literals (strings with
// doubled quotes, integers, decimals, true/false/null, GUIDs, dates, DateTimeOffsets,
// TimeOfDays, duration'...', enum members as 'member' or ns.enum'member'), property paths
// through complex values (address/city), eq ne gt ge lt le, and or not, parentheses, in,
// has, startswith endswith contains tolower toupper trim length, any/all lambdas over
// collections of primitive and complex values, and a collection's $count. Keywords and
// function names are case-insensitive (Graph's documentation writes NOT and startsWith);
// property names match exactly or else case-insensitively. Navigation properties, type
// casts, arithmetic and other functions are rejected with a 400.
//
// Semantics:
//   - Strings compare case-insensitively (Unicode simple case folding) in eq, ne, gt, ge,
//     lt, le, in, startswith, endswith and contains, as Graph's directory does; tolower and
//     toupper therefore change nothing in a comparison.
//   - x eq null is true when x is absent or null; ne null is its negation; any other
//     comparison with a null operand is false.
//   - Integers and doubles compare numerically; Edm.Date and Edm.DateTimeOffset values (and
//     date/DateTimeOffset literals, quoted or not) compare as instants, a date being its
//     midnight UTC. A stored value that is not of its property's kind compares false.
//   - Enum members compare by name (case-insensitively) for eq/ne/in and by their value
//     for gt/ge/lt/le; has tests a member of a flags value.
type Filter struct {
	text     string
	root     *node
	features Feature
	// roots names the entity's properties the filter reads (their first path
	// segment), rootIndex their slots: when there are several, Match reads them in one
	// pass over the entity instead of one search of the entity per path.
	roots     []string
	rootIndex map[string]int
}

// Feature names a construct a filter uses, for callers that apply Graph's advanced-query
// rules (ne, not, endswith and $count need ConsistencyLevel: eventual on directory objects).
type Feature uint32

// The constructs a Filter reports through Uses.
const (
	FeatureNe         Feature = 1 << iota // the ne operator
	FeatureNot                            // the not operator
	FeatureEndsWith                       // the endswith function
	FeatureStartsWith                     // the startswith function
	FeatureContains                       // the contains function
	FeatureCount                          // a collection's $count
	FeatureAny                            // an any lambda
	FeatureAll                            // an all lambda
	FeatureIn                             // the in operator
	FeatureHas                            // the has operator
	FeatureRelational                     // gt, ge, lt or le
	FeatureNull                           // a comparison with the null literal
	FeatureStringFunc                     // tolower, toupper, trim or length
	FeatureNavCount                       // a navigation property's $count (with FeatureCount)
)

// String returns the filter as the client wrote it.
func (f *Filter) String() string { return f.text }

// Uses reports whether the filter uses any of the constructs in x.
func (f *Filter) Uses(x Feature) bool { return f.features&x != 0 }

// EqualityOn returns the literal of a top-level comparison `prop eq literal` (or
// `literal eq prop`), possibly ANDed with other conditions, so that a caller can look
// candidates up in an index instead of scanning. prop is a property of the filtered type
// as the schema spells it. The literal is returned as written (a string's quotes removed
// and doubled quotes undone; an enum member in its schema spelling). Equality in Match is
// case-insensitive for strings: an index lookup must be case-insensitive too, or the
// caller must fall back to a scan; candidates must still go through Match.
func (f *Filter) EqualityOn(prop string) (value string, ok bool) {
	return equalityOn(f.root, prop)
}

// EqualityValues is EqualityOn extended to `prop in (...)`: it returns the literals a
// matching entity's prop must equal (one of), from a top-level eq or in, possibly ANDed
// with other conditions. A list holding null gives false. The same caveats as for
// EqualityOn apply.
func (f *Filter) EqualityValues(prop string) ([]string, bool) {
	return equalityValues(f.root, prop)
}

func equalityValues(n *node, prop string) ([]string, bool) {
	switch n.op {
	case opAnd:
		if v, ok := equalityValues(n.l, prop); ok {
			return v, true
		}
		return equalityValues(n.r, prop)
	case opIn:
		if !n.l.isRootProp(prop) {
			return nil, false
		}
		for _, v := range n.list {
			if v.k == vNull {
				return nil, false
			}
		}
		return append([]string(nil), n.listText...), true
	case opCmp:
		if v, ok := equalityOn(n, prop); ok {
			return []string{v}, true
		}
	}
	return nil, false
}

func equalityOn(n *node, prop string) (string, bool) {
	switch n.op {
	case opAnd:
		if v, ok := equalityOn(n.l, prop); ok {
			return v, true
		}
		return equalityOn(n.r, prop)
	case opCmp:
		if n.cmp != cmpEq {
			return "", false
		}
		if n.l.isRootProp(prop) && n.r.op == opLit && n.r.lit.k != vNull {
			return n.r.litText, true
		}
		if n.r.isRootProp(prop) && n.l.op == opLit && n.l.lit.k != vNull {
			return n.l.litText, true
		}
	}
	return "", false
}

func (n *node) isRootProp(prop string) bool {
	return n.op == opPath && n.slot < 0 && n.prop == prop
}

// ParseFilter parses a $filter expression against the entity (or complex) type t. Errors
// are *Error values (400 BadRequest) whose message names the problem and its position.
func ParseFilter(schema *entities.Schema, t *entities.StructuredType, text string) (*Filter, error) {
	f, err := parseFilter(schema, t, text)
	var nc *nodeCountError
	if errors.As(err, &nc) {
		return nil, ErrNodeCount(MaxFilterNodes)
	}
	if err != nil {
		return nil, errFilterClause(text, err)
	}
	return f, nil
}

// Limits that keep hostile input from exhausting the stack.
const (
	maxLambdaDepth = 4
	maxNesting     = 64
)

// MaxFilterNodes is how many nodes a $filter may have: operators, functions, property
// paths and literals (each value of an in list counts). OData's validator refuses a
// query past its node count limit (100 by default in Microsoft's OData libraries)
// with the message ErrNodeCount gives; the emulator allows more, as the directory's
// in lists and generated filters may hold a few hundred values, while keeping the
// cost of matching one entity bounded.
const MaxFilterNodes = 1000

func parseFilter(schema *entities.Schema, t *entities.StructuredType, text string) (*Filter, error) {
	// Every node takes a token at least, and few take more than three (an in list
	// takes a comma per value): a longer text is refused before it is parsed.
	toks, err := lexN(text, 4*MaxFilterNodes)
	if err != nil {
		return nil, err
	}
	p := &parser{schema: schema, root: t, toks: toks}
	if p.peek().kind == tEOF {
		return nil, errAt(0, "Expression expected")
	}
	x, err := p.parseOr()
	if err != nil {
		return nil, err
	}
	if tok := p.peek(); tok.kind != tEOF {
		return nil, errAt(tok.pos, "Syntax error: unexpected %s", describe(tok))
	}
	if err := p.requireBool(x); err != nil {
		return nil, err
	}
	if countNodes(x.n) > MaxFilterNodes {
		return nil, &nodeCountError{}
	}
	return &Filter{text: text, root: x.n, features: p.features, roots: p.roots, rootIndex: p.rootIndex}, nil
}

// nodeCountError reports a filter of more than MaxFilterNodes nodes.
type nodeCountError struct{}

func (*nodeCountError) Error() string { return "node count limit exceeded" }

// countNodes counts the nodes of a filter's tree, the values of in and has lists
// included, without recursion (a chain of a thousand or's is a thousand deep).
func countNodes(root *node) int {
	n := 0
	stack := []*node{root}
	for len(stack) > 0 {
		x := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		n += 1 + len(x.list)
		if x.l != nil {
			stack = append(stack, x.l)
		}
		if x.r != nil {
			stack = append(stack, x.r)
		}
	}
	return n
}

// rootSlot returns the slot of the entity's property name among those the filter
// reads, adding it.
func (p *parser) rootSlot(name string) int {
	if i, ok := p.rootIndex[name]; ok {
		return i
	}
	if p.rootIndex == nil {
		p.rootIndex = map[string]int{}
	}
	p.rootIndex[name] = len(p.roots)
	p.roots = append(p.roots, name)
	return len(p.roots) - 1
}

// located sets where n finds its value in the entity: the property segs[0] (a root
// slot), then the gjson path rest within it.
func (p *parser) located(n *node, slot int, segs []string, rest string) *node {
	n.root = -1
	if slot < 0 && len(segs) > 0 {
		n.root, n.rest = p.rootSlot(segs[0]), rest
	}
	return n
}

// joinPath appends suffix to the gjson path of segs.
func joinPath(segs []string, suffix string) string {
	switch path := gjsonPath(segs); {
	case path == "":
		return suffix
	case suffix == "":
		return path
	default:
		return path + "." + suffix
	}
}

// category is the static kind of an expression: what it can be compared with.
type category uint8

const (
	catNone    category = iota // not comparable (Edm.Untyped, Edm.Stream)
	catNull                    // the null literal
	catBool                    // Edm.Boolean, and every predicate
	catNumber                  // the integer and floating-point types
	catString                  // Edm.String, Guid, TimeOfDay, Duration, Binary: compared as strings
	catTime                    // Edm.Date and Edm.DateTimeOffset
	catEnum                    // an enumeration type
	catComplex                 // a single complex or entity value
)

// etype is the static type of an expression.
type etype struct {
	cat  category
	prim entities.Primitive
	enum *entities.EnumType
	st   *entities.StructuredType
	coll bool
}

var boolType = etype{cat: catBool, prim: entities.EdmBoolean}

func refType(r entities.TypeRef) etype {
	t := etype{coll: r.Collection, prim: r.Primitive, enum: r.Enum, st: r.Structured}
	switch {
	case r.Structured != nil:
		t.cat = catComplex
	case r.Enum != nil:
		t.cat = catEnum
	default:
		t.cat = primCategory(r.Primitive)
	}
	return t
}

func primCategory(p entities.Primitive) category {
	switch p {
	case entities.EdmBoolean:
		return catBool
	case entities.EdmByte, entities.EdmSByte, entities.EdmInt16, entities.EdmInt32, entities.EdmInt64,
		entities.EdmSingle, entities.EdmDouble, entities.EdmDecimal:
		return catNumber
	case entities.EdmDate, entities.EdmDateTimeOffset:
		return catTime
	case entities.EdmString, entities.EdmGuid, entities.EdmTimeOfDay, entities.EdmDuration, entities.EdmBinary:
		return catString
	}
	return catNone
}

// typeName returns the Edm name of t for messages.
func (t etype) typeName() string {
	var s string
	switch {
	case t.cat == catNull:
		return "null"
	case t.st != nil:
		s = t.st.QualifiedName()
	case t.enum != nil:
		s = t.enum.QualifiedName()
	default:
		s = primName(t.prim)
	}
	if t.coll {
		return "Collection(" + s + ")"
	}
	return s
}

func primName(p entities.Primitive) string {
	names := [...]string{
		entities.EdmString: "Edm.String", entities.EdmBoolean: "Edm.Boolean", entities.EdmByte: "Edm.Byte",
		entities.EdmSByte: "Edm.SByte", entities.EdmInt16: "Edm.Int16", entities.EdmInt32: "Edm.Int32",
		entities.EdmInt64: "Edm.Int64", entities.EdmSingle: "Edm.Single", entities.EdmDouble: "Edm.Double",
		entities.EdmDecimal: "Edm.Decimal", entities.EdmDate: "Edm.Date", entities.EdmDateTimeOffset: "Edm.DateTimeOffset",
		entities.EdmTimeOfDay: "Edm.TimeOfDay", entities.EdmDuration: "Edm.Duration", entities.EdmGuid: "Edm.Guid",
		entities.EdmBinary: "Edm.Binary", entities.EdmStream: "Edm.Stream", entities.EdmUntyped: "Edm.Untyped",
	}
	if int(p) < len(names) && names[p] != "" {
		return names[p]
	}
	return "Edm.Untyped"
}

// conversion tells how to read a JSON value of a given static type.
func conversionFor(t etype) vconv {
	switch t.cat {
	case catBool:
		return convBool
	case catNumber:
		return convNumber
	case catString, catEnum:
		return convString
	case catTime:
		return convTime
	case catComplex:
		return convPresence
	}
	return convAny
}

type expr struct {
	n    *node
	t    etype
	pos  int
	lit  bool     // a literal: may be coerced to the other operand's type
	tok  token    // the literal's token
	segs []string // a path's property names as the schema spells them
}

type lambdaVar struct {
	name string
	slot int
	t    etype
}

type parser struct {
	schema   *entities.Schema
	root     *entities.StructuredType
	toks     []token
	p        int
	vars     []lambdaVar
	depth    int
	features Feature
	// roots and rootIndex: the entity's properties the filter reads (see Filter).
	roots     []string
	rootIndex map[string]int
}

func (p *parser) peek() token { return p.toks[p.p] }

func (p *parser) peekAt(k int) token {
	if p.p+k < len(p.toks) {
		return p.toks[p.p+k]
	}
	return p.toks[len(p.toks)-1]
}

func (p *parser) next() token {
	t := p.toks[p.p]
	if t.kind != tEOF {
		p.p++
	}
	return t
}

func (p *parser) expect(kind tokKind) (token, error) {
	t := p.peek()
	if t.kind != kind {
		return t, errAt(t.pos, "Syntax error: %s expected instead of %s", kind, describe(t))
	}
	return p.next(), nil
}

// keyword reports whether the next token is the keyword kw (case-insensitively, as Graph's
// documentation writes NOT and startsWith).
func (p *parser) keyword(kw string) bool {
	t := p.peek()
	return t.kind == tIdent && strings.EqualFold(t.text, kw)
}

func describe(t token) string {
	switch t.kind {
	case tEOF:
		return "end of input"
	case tString:
		return "'" + strings.ReplaceAll(t.text, "'", "''") + "'"
	case tTyped:
		return t.prefix + "'" + strings.ReplaceAll(t.text, "'", "''") + "'"
	}
	return "'" + t.text + "'"
}

func (p *parser) enter(pos int) error {
	p.depth++
	if p.depth > maxNesting {
		return errAt(pos, "The expression is nested too deeply")
	}
	return nil
}

func (p *parser) requireBool(x expr) error {
	if x.t.cat != catBool || x.t.coll {
		return errAt(x.pos, "A boolean expression is expected, found a value of type '%s'", x.t.typeName())
	}
	return nil
}

func (p *parser) parseOr() (expr, error) { return p.parseBoolChain("or", opOr, p.parseAnd) }

func (p *parser) parseAnd() (expr, error) { return p.parseBoolChain("and", opAnd, p.parseUnary) }

// parseBoolChain parses operands joined by the boolean keyword word, left-associative:
// a or b or c is (a or b) or c.
func (p *parser) parseBoolChain(word string, op opcode, operand func() (expr, error)) (expr, error) {
	l, err := operand()
	if err != nil {
		return l, err
	}
	for p.keyword(word) {
		p.next()
		r, err := operand()
		if err != nil {
			return r, err
		}
		if err := p.requireBool(l); err != nil {
			return l, err
		}
		if err := p.requireBool(r); err != nil {
			return r, err
		}
		l = expr{n: &node{op: op, l: l.n, r: r.n}, t: boolType, pos: l.pos}
	}
	return l, nil
}

// parseUnary parses not. Its operand is a comparison: `not x eq 'a'` reads as
// not(x eq 'a'), which for booleans is what the strict OData precedence gives too.
func (p *parser) parseUnary() (expr, error) {
	if p.keyword("not") && p.peekAt(1).kind != tSlash {
		tok := p.next()
		if err := p.enter(tok.pos); err != nil {
			return expr{}, err
		}
		x, err := p.parseUnary()
		p.depth--
		if err != nil {
			return x, err
		}
		if err := p.requireBool(x); err != nil {
			return x, err
		}
		p.features |= FeatureNot
		return expr{n: &node{op: opNot, l: x.n}, t: boolType, pos: tok.pos}, nil
	}
	return p.parseComparison()
}

var cmpOps = map[string]cmpOp{"eq": cmpEq, "ne": cmpNe, "gt": cmpGt, "ge": cmpGe, "lt": cmpLt, "le": cmpLe}

func (p *parser) parseComparison() (expr, error) {
	l, err := p.parsePostfix()
	if err != nil {
		return l, err
	}
	for {
		t := p.peek()
		if t.kind != tIdent {
			return l, nil
		}
		op, ok := cmpOps[strings.ToLower(t.text)]
		if !ok {
			switch strings.ToLower(t.text) {
			case "add", "sub", "mul", "div", "divby", "mod":
				return l, errAt(t.pos, "The arithmetic operator '%s' is not supported", t.text)
			}
			return l, nil
		}
		p.next()
		r, err := p.parsePostfix()
		if err != nil {
			return r, err
		}
		if l, err = p.compare(op, l, r, t.pos); err != nil {
			return l, err
		}
	}
}

var opKindNames = [...]string{cmpEq: "Equal", cmpNe: "NotEqual", cmpGt: "GreaterThan", cmpGe: "GreaterThanOrEqual", cmpLt: "LessThan", cmpLe: "LessThanOrEqual"}

func (p *parser) compare(op cmpOp, l, r expr, pos int) (expr, error) {
	incompatible := func() (expr, error) {
		return expr{}, errAt(pos, "A binary operator with incompatible types was detected. Found operand types '%s' and '%s' for operator kind '%s'",
			l.t.typeName(), r.t.typeName(), opKindNames[op])
	}
	if l.t.coll || r.t.coll {
		return incompatible()
	}
	switch op {
	case cmpNe:
		p.features |= FeatureNe
	case cmpGt, cmpGe, cmpLt, cmpLe:
		p.features |= FeatureRelational
	}
	n := &node{op: opCmp, cmp: op, l: l.n, r: r.n}
	if l.t.cat == catNull || r.t.cat == catNull {
		// Any single value, complex and untyped ones included, can be tested for null.
		p.features |= FeatureNull
		return expr{n: n, t: boolType, pos: l.pos}, nil
	}
	var err error
	if r.lit && !l.lit {
		if r, err = p.coerce(r, l.t); err != nil {
			return r, err
		}
	} else if l.lit && !r.lit {
		if l, err = p.coerce(l, r.t); err != nil {
			return l, err
		}
	}
	n.l, n.r = l.n, r.n
	if l.t.cat != r.t.cat {
		return incompatible()
	}
	switch l.t.cat {
	case catNone, catComplex:
		return incompatible()
	case catEnum:
		if l.t.enum != r.t.enum {
			return incompatible()
		}
		n.enum = l.t.enum
	}
	return expr{n: n, t: boolType, pos: l.pos}, nil
}

// coerce converts a literal to the type of the value it is compared with, where Graph
// accepts a literal of another form: a quoted date or DateTimeOffset for a time value, a
// quoted member name for an enum.
func (p *parser) coerce(x expr, to etype) (expr, error) {
	switch to.cat {
	case catTime:
		if x.tok.kind == tString {
			v, prim, ok := parseTimeLiteral(x.tok.text)
			if !ok {
				return x, errAt(x.pos, "The literal '%s' is not a valid %s", x.tok.text, primName(to.prim))
			}
			x.n = litNode(v, x.tok.text)
			x.t = etype{cat: catTime, prim: prim}
		}
	case catEnum:
		switch x.tok.kind {
		case tString:
			member, ok := enumMember(to.enum, x.tok.text)
			if !ok {
				return x, errAt(x.pos, "The string '%s' is not a valid enumeration type constant of '%s'", x.tok.text, to.enum.QualifiedName())
			}
			x.n = litNode(value{k: vString, s: member}, member)
			x.t = etype{cat: catEnum, enum: to.enum}
		}
	}
	return x, nil
}

// enumMember returns e's spelling of the member (or comma-separated members of a flags
// enum) named name, matched case-insensitively.
func enumMember(e *entities.EnumType, name string) (string, bool) {
	if !strings.Contains(name, ",") {
		for _, m := range e.Members {
			if strings.EqualFold(m, name) {
				return m, true
			}
		}
		return "", false
	}
	if !e.Flags {
		return "", false
	}
	parts := strings.Split(name, ",")
	for i, part := range parts {
		m, ok := enumMember(e, strings.TrimSpace(part))
		if !ok {
			return "", false
		}
		parts[i] = m
	}
	return strings.Join(parts, ","), true
}

func litNode(v value, text string) *node { return &node{op: opLit, lit: v, litText: text} }

func (p *parser) parsePostfix() (expr, error) {
	x, err := p.parsePrimary()
	if err != nil {
		return x, err
	}
	for {
		switch {
		case p.keyword("in"):
			if x, err = p.parseIn(x); err != nil {
				return x, err
			}
		case p.keyword("has"):
			if x, err = p.parseHas(x); err != nil {
				return x, err
			}
		default:
			return x, nil
		}
	}
}

func (p *parser) parseIn(x expr) (expr, error) {
	inTok := p.next()
	if x.t.coll || x.t.cat == catComplex || x.t.cat == catNone || x.t.cat == catNull {
		return x, errAt(inTok.pos, "The in operator cannot be applied to a value of type '%s'", x.t.typeName())
	}
	if _, err := p.expect(tLParen); err != nil {
		return x, err
	}
	n := &node{op: opIn, l: x.n, enum: x.t.enum}
	for {
		item, err := p.parsePrimary()
		if err != nil {
			return item, err
		}
		if !item.lit {
			return item, errAt(item.pos, "The in operator takes a list of literals")
		}
		if item.t.cat != catNull {
			if item, err = p.coerce(item, x.t); err != nil {
				return item, err
			}
			if item.t.cat != x.t.cat || (x.t.cat == catEnum && item.t.enum != x.t.enum) {
				return item, errAt(item.pos, "The literal %s of type '%s' cannot be compared with a value of type '%s'",
					describe(item.tok), item.t.typeName(), x.t.typeName())
			}
		}
		n.list = append(n.list, item.n.lit)
		n.listText = append(n.listText, item.n.litText)
		t := p.next()
		if t.kind == tRParen {
			break
		}
		if t.kind != tComma {
			return x, errAt(t.pos, "Syntax error: ',' or ')' expected instead of %s", describe(t))
		}
	}
	p.features |= FeatureIn
	return expr{n: n, t: boolType, pos: x.pos}, nil
}

func (p *parser) parseHas(x expr) (expr, error) {
	hasTok := p.next()
	if x.t.cat != catEnum || x.t.coll {
		return x, errAt(hasTok.pos, "The has operator applies to enumeration values, not to a value of type '%s'", x.t.typeName())
	}
	lit, err := p.parsePrimary()
	if err != nil {
		return lit, err
	}
	if !lit.lit {
		return lit, errAt(lit.pos, "The has operator takes an enumeration literal")
	}
	if lit, err = p.coerce(lit, x.t); err != nil {
		return lit, err
	}
	if lit.t.cat != catEnum || lit.t.enum != x.t.enum {
		return lit, errAt(lit.pos, "The literal %s is not a member of '%s'", describe(lit.tok), x.t.enum.QualifiedName())
	}
	p.features |= FeatureHas
	n := &node{op: opHas, l: x.n, list: splitMembers(lit.n.lit.s)}
	return expr{n: n, t: boolType, pos: x.pos}, nil
}

func splitMembers(s string) []value {
	var out []value
	for _, m := range strings.Split(s, ",") {
		out = append(out, value{k: vString, s: strings.TrimSpace(m)})
	}
	return out
}

var unsupportedFuncs = map[string]bool{
	"concat": true, "indexof": true, "substring": true, "matchespattern": true,
	"year": true, "month": true, "day": true, "hour": true, "minute": true, "second": true,
	"fractionalseconds": true, "totalseconds": true, "date": true, "time": true,
	"totaloffsetminutes": true, "now": true, "mindatetime": true, "maxdatetime": true,
	"round": true, "floor": true, "ceiling": true, "cast": true, "isof": true,
	"geo.distance": true, "geo.intersects": true, "geo.length": true, "hassubset": true, "hassubsequence": true,
}

func (p *parser) parsePrimary() (expr, error) {
	tok := p.peek()
	switch tok.kind {
	case tLParen:
		p.next()
		if err := p.enter(tok.pos); err != nil {
			return expr{}, err
		}
		x, err := p.parseOr()
		p.depth--
		if err != nil {
			return x, err
		}
		if _, err := p.expect(tRParen); err != nil {
			return x, err
		}
		x.pos = tok.pos
		return x, nil
	case tString, tInt, tDecimal, tGUID, tDate, tDateTime, tTimeOfDay, tTyped:
		return p.parseLiteral()
	case tIdent:
		lower := strings.ToLower(tok.text)
		if p.peekAt(1).kind == tLParen {
			switch lower {
			case "startswith", "endswith", "contains", "tolower", "toupper", "trim", "length":
				return p.parseFunction(lower)
			}
			if unsupportedFuncs[lower] {
				return expr{}, errAt(tok.pos, "The function '%s' is not supported", tok.text)
			}
			return expr{}, errAt(tok.pos, "Unknown function '%s'", tok.text)
		}
		if p.peekAt(1).kind != tSlash {
			switch lower {
			case "true", "false", "null":
				return p.parseLiteral()
			}
		}
		return p.parsePath()
	case tEOF:
		return expr{}, errAt(tok.pos, "Expression expected")
	}
	return expr{}, errAt(tok.pos, "Syntax error: unexpected %s", describe(tok))
}

func (p *parser) parseLiteral() (expr, error) {
	tok := p.next()
	x := expr{pos: tok.pos, lit: true, tok: tok}
	var v value
	switch tok.kind {
	case tString:
		v, x.t = value{k: vString, s: tok.text}, etype{cat: catString, prim: entities.EdmString}
	case tInt:
		if i, err := strconv.ParseInt(tok.text, 10, 64); err == nil {
			v = value{k: vInt, i: i}
		} else if f, err := strconv.ParseFloat(tok.text, 64); err == nil {
			v = value{k: vFloat, f: f}
		} else {
			return x, errAt(tok.pos, "The number %s is out of range", tok.text)
		}
		x.t = etype{cat: catNumber, prim: entities.EdmInt64}
	case tDecimal:
		f, err := strconv.ParseFloat(tok.text, 64)
		if err != nil {
			return x, errAt(tok.pos, "The number %s is out of range", tok.text)
		}
		v, x.t = value{k: vFloat, f: f}, etype{cat: catNumber, prim: entities.EdmDouble}
	case tGUID:
		v, x.t = value{k: vString, s: tok.text}, etype{cat: catString, prim: entities.EdmGuid}
	case tDate, tDateTime:
		tv, prim, ok := parseTimeLiteral(tok.text)
		if !ok {
			return x, errAt(tok.pos, "The literal %s is not a valid date or DateTimeOffset", tok.text)
		}
		v, x.t = tv, etype{cat: catTime, prim: prim}
	case tTimeOfDay:
		v, x.t = value{k: vString, s: tok.text}, etype{cat: catString, prim: entities.EdmTimeOfDay}
	case tTyped:
		switch strings.ToLower(tok.prefix) {
		case "duration":
			v, x.t = value{k: vString, s: tok.text}, etype{cat: catString, prim: entities.EdmDuration}
		default:
			e := p.schema.Enum(tok.prefix)
			if e == nil {
				return x, errAt(tok.pos, "Unknown enumeration type '%s'", tok.prefix)
			}
			member, ok := enumMember(e, tok.text)
			if !ok {
				return x, errAt(tok.pos, "The string '%s' is not a valid enumeration type constant of '%s'", tok.text, e.QualifiedName())
			}
			v, x.t = value{k: vString, s: member}, etype{cat: catEnum, enum: e}
			x.n = litNode(v, member)
			return x, nil
		}
	case tIdent:
		switch strings.ToLower(tok.text) {
		case "true":
			v, x.t = value{k: vBool, b: true}, boolType
		case "false":
			v, x.t = value{k: vBool}, boolType
		default:
			v, x.t = value{}, etype{cat: catNull}
		}
	}
	x.n = litNode(v, tok.text)
	return x, nil
}

// parseTimeLiteral parses a date or DateTimeOffset literal.
func parseTimeLiteral(s string) (value, entities.Primitive, bool) {
	sec, nsec, ok := parseTime(s)
	if !ok {
		return value{}, 0, false
	}
	prim := entities.EdmDateTimeOffset
	if len(s) == 10 {
		prim = entities.EdmDate
	}
	return value{k: vTime, i: sec, n: nsec}, prim, true
}

func (p *parser) parseFunction(name string) (expr, error) {
	fn := p.next()
	p.next() // (
	if err := p.enter(fn.pos); err != nil {
		return expr{}, err
	}
	defer func() { p.depth-- }()
	var args []expr
	if p.peek().kind != tRParen {
		for {
			a, err := p.parseOr()
			if err != nil {
				return a, err
			}
			args = append(args, a)
			if p.peek().kind != tComma {
				break
			}
			p.next()
		}
	}
	if _, err := p.expect(tRParen); err != nil {
		return expr{}, err
	}
	want := 1
	switch name {
	case "startswith", "endswith", "contains":
		want = 2
	}
	if len(args) != want {
		return expr{}, errAt(fn.pos, "The function '%s' takes %d argument(s), found %d", fn.text, want, len(args))
	}
	for _, a := range args {
		if a.t.coll || (a.t.cat != catString && a.t.cat != catNull) {
			return a, errAt(a.pos, "The function '%s' takes string arguments, found a value of type '%s'", fn.text, a.t.typeName())
		}
	}
	x := expr{pos: fn.pos}
	switch name {
	case "startswith":
		p.features |= FeatureStartsWith
		x.n, x.t = &node{op: opStartsWith, l: args[0].n, r: args[1].n}, boolType
	case "endswith":
		p.features |= FeatureEndsWith
		x.n, x.t = &node{op: opEndsWith, l: args[0].n, r: args[1].n}, boolType
	case "contains":
		p.features |= FeatureContains
		x.n, x.t = &node{op: opContains, l: args[0].n, r: args[1].n}, boolType
	case "tolower", "toupper":
		p.features |= FeatureStringFunc
		x.n, x.t = args[0].n, etype{cat: catString, prim: entities.EdmString}
	case "trim":
		p.features |= FeatureStringFunc
		x.n, x.t = &node{op: opTrim, l: args[0].n}, etype{cat: catString, prim: entities.EdmString}
	case "length":
		p.features |= FeatureStringFunc
		x.n, x.t = &node{op: opLength, l: args[0].n}, etype{cat: catNumber, prim: entities.EdmInt32}
	}
	return x, nil
}

// lookupProperty finds a structural property by name, exactly or else case-insensitively
// (Graph accepts $filter=Subject eq '...' on messages).
func lookupProperty(t *entities.StructuredType, name string) *entities.Property {
	if prop, _ := t.Property(name); prop != nil {
		return prop
	}
	for _, prop := range t.AllProperties() {
		if strings.EqualFold(prop.Name, name) {
			return prop
		}
	}
	return nil
}

// lookupNavigation finds a navigation property by name, exactly or case-insensitively.
func lookupNavigation(t *entities.StructuredType, name string) *entities.NavigationProperty {
	if nav := t.NavigationProperty(name); nav != nil {
		return nav
	}
	for _, nav := range t.AllNavigationProperties() {
		if strings.EqualFold(nav.Name, name) {
			return nav
		}
	}
	return nil
}

// propertyOf resolves one path segment on a structured type, or explains why it cannot.
func propertyOf(t *entities.StructuredType, tok token) (*entities.Property, error) {
	if strings.Contains(tok.text, ".") {
		return nil, errAt(tok.pos, "Type casts in paths ('%s') are not supported", tok.text)
	}
	if prop := lookupProperty(t, tok.text); prop != nil {
		return prop, nil
	}
	if nav := lookupNavigation(t, tok.text); nav != nil {
		return nil, errAt(tok.pos, "The navigation property '%s' of type '%s' cannot be used in this expression", nav.Name, t.QualifiedName())
	}
	return nil, errAt(tok.pos, "Could not find a property named '%s' on type '%s'", tok.text, t.QualifiedName())
}

func (p *parser) lookupVar(name string) *lambdaVar {
	for i := len(p.vars) - 1; i >= 0; i-- {
		if p.vars[i].name == name {
			return &p.vars[i]
		}
	}
	return nil
}

// parsePath parses a property path from the root or a lambda variable, ending possibly in
// /any(...), /all(...) or /$count.
func (p *parser) parsePath() (expr, error) {
	first := p.next()
	slot := -1
	var segs []string
	var t etype
	if v := p.lookupVar(first.text); v != nil {
		slot, t = v.slot, v.t
	} else if first.text == "$it" {
		t = etype{cat: catComplex, st: p.root}
	} else if nav := lookupNavigation(p.root, first.text); nav != nil && nav.IsCollection() &&
		p.peek().kind == tSlash && p.peekAt(1).kind == tIdent && p.peekAt(1).text == "$count" && lookupProperty(p.root, first.text) == nil {
		// owners/$count: the number of entities the navigation property holds, which
		// the caller counts (MatchCounting).
		p.next()
		p.next()
		p.features |= FeatureCount | FeatureNavCount
		n := &node{op: opNavCount, slot: -1, prop: nav.Name, root: -1}
		return expr{n: n, t: etype{cat: catNumber, prim: entities.EdmInt32}, pos: first.pos, segs: []string{nav.Name, "$count"}}, nil
	} else {
		prop, err := propertyOf(p.root, first)
		if err != nil {
			return expr{}, err
		}
		segs, t = append(segs, prop.Name), refType(prop.Ref())
	}
	for p.peek().kind == tSlash {
		p.next()
		seg := p.peek()
		if seg.kind != tIdent {
			return expr{}, errAt(seg.pos, "Syntax error: a property name expected after '/' instead of %s", describe(seg))
		}
		p.next()
		lower := strings.ToLower(seg.text)
		if (lower == "any" || lower == "all") && p.peek().kind == tLParen {
			if !t.coll {
				return expr{}, errAt(seg.pos, "The %s operator applies to collections, not to a value of type '%s'", lower, t.typeName())
			}
			return p.parseLambda(lower, slot, segs, t, first.pos)
		}
		if seg.text == "$count" {
			if !t.coll {
				return expr{}, errAt(seg.pos, "$count applies to collections, not to a value of type '%s'", t.typeName())
			}
			p.features |= FeatureCount
			path := gjsonPath(segs)
			if path == "" {
				path = "#"
			} else {
				path += ".#"
			}
			n := p.located(&node{op: opCount, slot: slot, path: path}, slot, segs, joinPath(segs[min(1, len(segs)):], "#"))
			return expr{n: n, t: etype{cat: catNumber, prim: entities.EdmInt32}, pos: first.pos, segs: append(segs, "$count")}, nil
		}
		if t.coll {
			return expr{}, errAt(seg.pos, "The parent value for a property access of a property '%s' is not a single value. Property access can only be applied to a single value", seg.text)
		}
		if t.cat != catComplex {
			return expr{}, errAt(seg.pos, "Could not find a property named '%s' on type '%s'", seg.text, t.typeName())
		}
		prop, err := propertyOf(t.st, seg)
		if err != nil {
			return expr{}, err
		}
		segs, t = append(segs, prop.Name), refType(prop.Ref())
	}
	n := p.located(&node{op: opPath, slot: slot, path: gjsonPath(segs), conv: conversionFor(t)}, slot, segs, joinPath(segs[min(1, len(segs)):], ""))
	if slot < 0 && len(segs) == 1 {
		n.prop = segs[0]
	}
	return expr{n: n, t: t, pos: first.pos, segs: segs}, nil
}

func (p *parser) parseLambda(kind string, slot int, segs []string, t etype, pos int) (expr, error) {
	open := p.next() // (
	n := p.located(&node{op: opAny, slot: slot, path: gjsonPath(segs)}, slot, segs, joinPath(segs[min(1, len(segs)):], ""))
	if kind == "all" {
		n.op = opAll
		p.features |= FeatureAll
	} else {
		p.features |= FeatureAny
	}
	if p.peek().kind == tRParen {
		if kind == "all" {
			return expr{}, errAt(open.pos, "The all operator needs a lambda expression")
		}
		p.next()
		return expr{n: n, t: boolType, pos: pos}, nil
	}
	v, err := p.expect(tIdent)
	if err != nil {
		return expr{}, err
	}
	if strings.Contains(v.text, ".") || strings.HasPrefix(v.text, "$") {
		return expr{}, errAt(v.pos, "Syntax error: '%s' is not a valid lambda variable name", v.text)
	}
	if _, err := p.expect(tColon); err != nil {
		return expr{}, err
	}
	if len(p.vars) >= maxLambdaDepth {
		return expr{}, errAt(v.pos, "Lambda expressions are nested too deeply")
	}
	if err := p.enter(open.pos); err != nil {
		return expr{}, err
	}
	elem := t
	elem.coll = false
	n.bodySlot = len(p.vars)
	p.vars = append(p.vars, lambdaVar{name: v.text, slot: n.bodySlot, t: elem})
	body, err := p.parseOr()
	p.vars = p.vars[:len(p.vars)-1]
	p.depth--
	if err != nil {
		return body, err
	}
	if err := p.requireBool(body); err != nil {
		return body, err
	}
	if _, err := p.expect(tRParen); err != nil {
		return expr{}, err
	}
	n.l = body.n
	return expr{n: n, t: boolType, pos: pos}, nil
}

// gjsonPath joins property names into a gjson path, escaping what gjson would read as
// syntax.
func gjsonPath(segs []string) string {
	switch len(segs) {
	case 0:
		return ""
	case 1:
		return gjson.Escape(segs[0])
	}
	parts := make([]string, len(segs))
	for i, s := range segs {
		parts[i] = gjson.Escape(s)
	}
	return strings.Join(parts, ".")
}
