package odata

import (
	"strings"
	"unicode"
	"unicode/utf8"
	"unsafe"

	"github.com/tidwall/gjson"

	"github.com/graph-emulator/graph-emulator/entities"
)

// The evaluator. A parsed filter is a tree of nodes; Match walks it over the entity's JSON
// with gjson, reading each property with a path compiled at parse time. Values live on the
// stack: a match allocates nothing unless a string in the entity carries JSON escapes.

type opcode uint8

const (
	opLit        opcode = iota
	opPath              // the value at path, from the root or a lambda variable
	opCount             // the number of elements of the collection at path
	opAnd               // l and r
	opOr                // l or r
	opNot               // not l
	opCmp               // l cmp r
	opIn                // l in list
	opHas               // l has every member in list
	opStartsWith        // startswith(l, r)
	opEndsWith          // endswith(l, r)
	opContains          // contains(l, r)
	opTrim              // trim(l)
	opLength            // length(l)
	opAny               // path/any(var: l), or path/any() when l is nil
	opAll               // path/all(var: l)
	opNavCount          // the number of entities the navigation property prop holds
)

type cmpOp uint8

const (
	cmpEq cmpOp = iota
	cmpNe
	cmpGt
	cmpGe
	cmpLt
	cmpLe
)

// vconv tells how to read a JSON value into a value.
type vconv uint8

const (
	convAny      vconv = iota // by its JSON kind
	convString                // a JSON string
	convNumber                // a JSON number
	convBool                  // true or false
	convTime                  // a string holding an Edm.Date or Edm.DateTimeOffset
	convPresence              // anything but null: a complex value
)

type node struct {
	op   opcode
	cmp  cmpOp
	l, r *node
	// opLit
	lit     value
	litText string
	// opIn, opHas
	list     []value
	listText []string // opIn: the literals as EqualityValues returns them
	// opPath, opCount, opAny, opAll: where the value is. slot is -1 for the entity itself,
	// else the lambda variable's slot; path is a gjson path ("" for the variable itself).
	slot int
	path string
	conv vconv
	prop string // a root path of one segment: the property's name
	// opCmp and opIn over enum values: ordering by member value
	enum *entities.EnumType
	// opAny, opAll: the slot of the lambda variable
	bodySlot int
	// opPath, opCount, opAny, opAll on the entity (slot -1): the slot of the property
	// the path starts with among Filter.roots (-1 for none), and the gjson path within it.
	root int
	rest string
}

// vkind is the kind of a runtime value.
type vkind uint8

const (
	vNull   vkind = iota // null or absent
	vBool                // b
	vInt                 // i
	vFloat               // f
	vString              // s
	vTime                // i seconds and n nanoseconds since 1970-01-01T00:00:00Z
	vOther               // present but not comparable: an object, an array, a malformed value
)

type value struct {
	k vkind
	b bool
	n int32
	i int64
	f float64
	s string
}

func boolValue(b bool) value { return value{k: vBool, b: b} }

func (v value) isTrue() bool { return v.k == vBool && v.b }

type evalCtx struct {
	root gjson.Result
	vars [maxLambdaDepth]gjson.Result
	// indexed reports that the filter's root properties were read in one pass over the
	// entity (see indexedRoots): the first eight in roots, the others in moreRoots.
	indexed   bool
	roots     [8]gjson.Result
	moreRoots []gjson.Result
	// done, when not nil, is closed when the caller no longer wants the answer:
	// lambdas stop iterating and the match answers false.
	done    <-chan struct{}
	stopped bool
	// navCount counts the entities a navigation property holds (opNavCount).
	navCount func(nav string) int
}

// indexedRoots is how many distinct properties a filter reads before Match reads them
// all in one pass over the entity: a property the entity lacks costs a search of the
// whole entity, so a filter naming many of them would cost that many searches.
const indexedRoots = 4

// Match reports whether the entity, a JSON object as stored, satisfies the filter. The
// entity must not be modified during the call; Match keeps no reference to it. Its cost
// is bounded by the size of the entity times a small factor, plus the number of nodes
// (for each element of a collection a lambda reads).
func (f *Filter) Match(entity []byte) bool { return f.match(entity, nil, nil) }

// MatchContext is Match that gives up, answering false, once done is closed; the
// caller tells a cancelled match from a false one by its own channel.
func (f *Filter) MatchContext(done <-chan struct{}, entity []byte) bool {
	return f.match(entity, done, nil)
}

// MatchCounting is MatchContext for a filter that counts navigation properties
// (Uses(FeatureNavCount)): navCount gives the number of entities the entity's
// navigation property nav holds (nil counts none).
func (f *Filter) MatchCounting(done <-chan struct{}, entity []byte, navCount func(nav string) int) bool {
	return f.match(entity, done, navCount)
}

func (f *Filter) match(entity []byte, done <-chan struct{}, navCount func(string) int) bool {
	c := evalCtx{root: rootResult(entity), done: done, navCount: navCount}
	if len(f.roots) >= indexedRoots {
		f.readRoots(&c)
	}
	return f.root.eval(&c).isTrue() && !c.stopped
}

// readRoots reads the values of the filter's root properties from the entity in one
// pass (absent ones stay the zero Result, as gjson.Get answers for them).
func (f *Filter) readRoots(c *evalCtx) {
	c.indexed = true
	if n := len(f.roots) - len(c.roots); n > 0 {
		c.moreRoots = make([]gjson.Result, n)
	}
	left := len(f.roots)
	c.root.ForEach(func(k, v gjson.Result) bool {
		if i, ok := f.rootIndex[k.Str]; ok {
			if r := c.rootAt(i); !r.Exists() {
				*r = v
				left--
			}
		}
		return left > 0
	})
}

// rootAt returns the slot of root property i.
func (c *evalCtx) rootAt(i int) *gjson.Result {
	if i < len(c.roots) {
		return &c.roots[i]
	}
	return &c.moreRoots[i-len(c.roots)]
}

// at returns the value n reads: through the root slots when they were read, else by
// its own path.
func (c *evalCtx) at(n *node) gjson.Result {
	if !c.indexed || n.root < 0 {
		return c.get(n.slot, n.path)
	}
	base := *c.rootAt(n.root)
	if n.rest == "" || !base.Exists() {
		return base
	}
	return base.Get(n.rest)
}

// cancelled reports whether the caller gave up; it reads the channel without waiting.
func (c *evalCtx) cancelled() bool {
	if c.stopped {
		return true
	}
	if c.done == nil {
		return false
	}
	select {
	case <-c.done:
		c.stopped = true
	default:
	}
	return c.stopped
}

// rootResult wraps the entity bytes without copying them.
func rootResult(entity []byte) gjson.Result {
	return gjson.Result{Type: gjson.JSON, Raw: bytesString(entity)}
}

// bytesString views b as a string without copying. The caller must not modify b while the
// string is in use; stored entities are never modified once stored.
func bytesString(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

func (c *evalCtx) get(slot int, path string) gjson.Result {
	base := c.root
	if slot >= 0 {
		base = c.vars[slot]
	}
	if path == "" {
		return base
	}
	return gjson.Get(base.Raw, path)
}

func (n *node) eval(c *evalCtx) value {
	switch n.op {
	case opLit:
		return n.lit
	case opPath:
		return convert(c.at(n), n.conv)
	case opCount:
		r := c.at(n)
		return value{k: vInt, i: r.Int()}
	case opNavCount:
		if c.navCount == nil {
			return value{k: vInt}
		}
		return value{k: vInt, i: int64(c.navCount(n.prop))}
	case opAnd:
		return boolValue(n.l.eval(c).isTrue() && n.r.eval(c).isTrue())
	case opOr:
		return boolValue(n.l.eval(c).isTrue() || n.r.eval(c).isTrue())
	case opNot:
		return boolValue(!n.l.eval(c).isTrue())
	case opCmp:
		return boolValue(n.compare(n.l.eval(c), n.r.eval(c)))
	case opIn:
		v := n.l.eval(c)
		for _, item := range n.list {
			if equalValues(v, item) {
				return boolValue(true)
			}
		}
		return boolValue(false)
	case opHas:
		v := n.l.eval(c)
		if v.k != vString {
			return boolValue(false)
		}
		for _, m := range n.list {
			if !hasMember(v.s, m.s) {
				return boolValue(false)
			}
		}
		return boolValue(true)
	case opStartsWith, opEndsWith, opContains:
		a, b := n.l.eval(c), n.r.eval(c)
		if a.k != vString || b.k != vString {
			return boolValue(false)
		}
		switch n.op {
		case opStartsWith:
			return boolValue(hasPrefixFold(a.s, b.s))
		case opEndsWith:
			return boolValue(hasSuffixFold(a.s, b.s))
		}
		return boolValue(containsFold(a.s, b.s))
	case opTrim:
		v := n.l.eval(c)
		if v.k == vString {
			v.s = strings.TrimSpace(v.s)
		}
		return v
	case opLength:
		v := n.l.eval(c)
		if v.k != vString {
			return value{k: v.k}
		}
		return value{k: vInt, i: int64(utf8.RuneCountInString(v.s))}
	case opAny, opAll:
		return boolValue(n.lambda(c))
	}
	return value{}
}

func (n *node) lambda(c *evalCtx) bool {
	r := c.at(n)
	all := n.op == opAll
	if !r.IsArray() {
		// An absent or null collection is empty.
		return all
	}
	if n.l == nil {
		return r.Get("#").Int() > 0
	}
	result := all
	i := 0
	r.ForEach(func(_, elem gjson.Result) bool {
		if i++; i%256 == 0 && c.cancelled() {
			return false
		}
		c.vars[n.bodySlot] = elem
		ok := n.l.eval(c).isTrue()
		if ok != all {
			// any: found one; all: found a counterexample.
			result = !all
			return false
		}
		return true
	})
	return result
}

// compare applies the node's comparison with OData's null rules: eq/ne treat null as a
// value; the ordering operators are false when an operand is null.
func (n *node) compare(a, b value) bool {
	switch n.cmp {
	case cmpEq:
		return equalValues(a, b)
	case cmpNe:
		return !equalValues(a, b)
	}
	if a.k == vNull || b.k == vNull {
		return false
	}
	if n.enum != nil {
		var ok bool
		if a, ok = enumOrdinal(n.enum, a); !ok {
			return false
		}
		if b, ok = enumOrdinal(n.enum, b); !ok {
			return false
		}
	}
	d, ok := compareValues(a, b)
	if !ok {
		return false
	}
	switch n.cmp {
	case cmpGt:
		return d > 0
	case cmpGe:
		return d >= 0
	case cmpLt:
		return d < 0
	}
	return d <= 0
}

// enumOrdinal turns a member name into its value.
func enumOrdinal(e *entities.EnumType, v value) (value, bool) {
	if v.k != vString {
		return v, false
	}
	for i, m := range e.Members {
		if strings.EqualFold(m, v.s) {
			ord := int64(i)
			if i < len(e.Values) {
				ord = e.Values[i]
			}
			return value{k: vInt, i: ord}, true
		}
	}
	return v, false
}

// hasMember reports whether the flags value s ("a,b") holds member m.
func hasMember(s, m string) bool {
	for s != "" {
		part := s
		if i := strings.IndexByte(s, ','); i >= 0 {
			part, s = s[:i], s[i+1:]
		} else {
			s = ""
		}
		if strings.EqualFold(strings.TrimSpace(part), m) {
			return true
		}
	}
	return false
}

// convert reads a JSON value as a value of the kind conv expects; a value of another kind
// becomes vOther, which compares false with everything.
func convert(r gjson.Result, conv vconv) value {
	switch r.Type {
	case gjson.Null:
		return value{}
	case gjson.String:
		switch conv {
		case convString, convAny:
			return value{k: vString, s: r.Str}
		case convTime:
			if sec, nsec, ok := parseTime(r.Str); ok {
				return value{k: vTime, i: sec, n: nsec}
			}
		}
	case gjson.Number:
		if conv == convNumber || conv == convAny {
			if i, ok := parseInt(r.Raw); ok {
				return value{k: vInt, i: i}
			}
			return value{k: vFloat, f: r.Num}
		}
	case gjson.True, gjson.False:
		if conv == convBool || conv == convAny {
			return value{k: vBool, b: r.Type == gjson.True}
		}
	case gjson.JSON:
		if conv == convPresence || conv == convAny {
			return value{k: vOther}
		}
	}
	return value{k: vOther}
}

// parseInt parses a JSON integer that fits an int64 with some room, without allocating.
func parseInt(s string) (int64, bool) {
	neg := false
	if s != "" && s[0] == '-' {
		neg, s = true, s[1:]
	}
	if s == "" || len(s) > 18 {
		return 0, false
	}
	var n int64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	if neg {
		n = -n
	}
	return n, true
}

// equalValues is eq: null equals only null; strings compare case-insensitively.
func equalValues(a, b value) bool {
	if a.k == vNull || b.k == vNull {
		return a.k == b.k
	}
	if a.k == vString && b.k == vString {
		return strings.EqualFold(a.s, b.s)
	}
	d, ok := compareValues(a, b)
	return ok && d == 0
}

// compareValues orders two non-null values of comparable kinds.
func compareValues(a, b value) (int, bool) {
	switch a.k {
	case vString:
		if b.k == vString {
			return compareFold(a.s, b.s), true
		}
	case vInt, vFloat:
		switch {
		case a.k == vInt && b.k == vInt:
			return cmp3(a.i, b.i), true
		case b.k == vInt || b.k == vFloat:
			x, y := a.float(), b.float()
			switch {
			case x < y:
				return -1, true
			case x > y:
				return 1, true
			case x == y:
				return 0, true
			}
			return 0, false // NaN
		}
	case vBool:
		if b.k == vBool {
			switch {
			case a.b == b.b:
				return 0, true
			case b.b:
				return -1, true
			}
			return 1, true
		}
	case vTime:
		if b.k == vTime {
			if d := cmp3(a.i, b.i); d != 0 {
				return d, true
			}
			return cmp3(int64(a.n), int64(b.n)), true
		}
	}
	return 0, false
}

func (v value) float() float64 {
	if v.k == vInt {
		return float64(v.i)
	}
	return v.f
}

func cmp3(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Case-insensitive string functions. Runes compare by their simple case folding (the same
// equivalence as strings.EqualFold); ordering uses the smallest rune of each folding orbit,
// so that 'a' and 'A' sort together.

func foldRune(r rune) rune {
	if r < utf8.RuneSelf {
		if 'a' <= r && r <= 'z' {
			r -= 'a' - 'A'
		}
		return r
	}
	m := r
	for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
		if f < m {
			m = f
		}
	}
	return m
}

// nextFold decodes the rune at s[i] and returns its fold and the next index.
func nextFold(s string, i int) (rune, int) {
	if c := s[i]; c < utf8.RuneSelf {
		if 'a' <= c && c <= 'z' {
			c -= 'a' - 'A'
		}
		return rune(c), i + 1
	}
	r, size := utf8.DecodeRuneInString(s[i:])
	return foldRune(r), i + size
}

// compareFold orders a and b case-insensitively.
func compareFold(a, b string) int {
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		var ra, rb rune
		ra, i = nextFold(a, i)
		rb, j = nextFold(b, j)
		if ra != rb {
			if ra < rb {
				return -1
			}
			return 1
		}
	}
	switch {
	case i < len(a):
		return 1
	case j < len(b):
		return -1
	}
	return 0
}

// hasPrefixFold reports whether s begins with prefix, case-insensitively.
func hasPrefixFold(s, prefix string) bool {
	i, j := 0, 0
	for j < len(prefix) {
		if i >= len(s) {
			return false
		}
		var rs, rp rune
		rs, i = nextFold(s, i)
		rp, j = nextFold(prefix, j)
		if rs != rp {
			return false
		}
	}
	return true
}

// hasSuffixFold reports whether s ends with suffix, case-insensitively.
func hasSuffixFold(s, suffix string) bool {
	i, j := len(s), len(suffix)
	for j > 0 {
		if i <= 0 {
			return false
		}
		rs, n := utf8.DecodeLastRuneInString(s[:i])
		rp, m := utf8.DecodeLastRuneInString(suffix[:j])
		if foldRune(rs) != foldRune(rp) {
			return false
		}
		i, j = i-n, j-m
	}
	return true
}

// containsFold reports whether sub occurs in s, case-insensitively.
func containsFold(s, sub string) bool {
	if sub == "" {
		return true
	}
	for i := 0; i < len(s); {
		if hasPrefixFold(s[i:], sub) {
			return true
		}
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
	}
	return false
}

// parseTime parses an Edm.Date (YYYY-MM-DD, as midnight UTC) or an Edm.DateTimeOffset
// (YYYY-MM-DDThh:mm[:ss[.fffffff]] followed by Z or ±hh:mm; a missing zone is UTC) into
// seconds and nanoseconds since the Unix epoch, without allocating.
func parseTime(s string) (sec int64, nsec int32, ok bool) {
	if len(s) < 10 || s[4] != '-' || s[7] != '-' {
		return 0, 0, false
	}
	y, ok1 := atoiN(s[0:4])
	m, ok2 := atoiN(s[5:7])
	d, ok3 := atoiN(s[8:10])
	if !ok1 || !ok2 || !ok3 || m < 1 || m > 12 || d < 1 || d > daysIn(y, m) {
		return 0, 0, false
	}
	sec = daysFromCivil(int64(y), int64(m), int64(d)) * 86400
	if len(s) == 10 {
		return sec, 0, true
	}
	if s[10] != 'T' && s[10] != 't' {
		return 0, 0, false
	}
	rest := s[11:]
	if len(rest) < 5 || rest[2] != ':' {
		return 0, 0, false
	}
	hh, ok1 := atoiN(rest[0:2])
	mm, ok2 := atoiN(rest[3:5])
	if !ok1 || !ok2 || hh > 23 || mm > 59 {
		return 0, 0, false
	}
	sec += int64(hh)*3600 + int64(mm)*60
	rest = rest[5:]
	if len(rest) >= 3 && rest[0] == ':' {
		ss, ok := atoiN(rest[1:3])
		if !ok || ss > 59 {
			return 0, 0, false
		}
		sec += int64(ss)
		rest = rest[3:]
		if len(rest) >= 2 && rest[0] == '.' {
			k := 1
			scale := int32(100_000_000)
			for k < len(rest) && isDigit(rest[k]) {
				nsec += int32(rest[k]-'0') * scale
				scale /= 10
				k++
			}
			if k == 1 {
				return 0, 0, false
			}
			rest = rest[k:]
		}
	}
	switch {
	case rest == "" || rest == "Z" || rest == "z":
	case len(rest) == 6 && (rest[0] == '+' || rest[0] == '-' || rest[0] == ' ') && rest[3] == ':':
		oh, ok1 := atoiN(rest[1:3])
		om, ok2 := atoiN(rest[4:6])
		if !ok1 || !ok2 || oh > 23 || om > 59 {
			return 0, 0, false
		}
		off := int64(oh)*3600 + int64(om)*60
		if rest[0] == '-' {
			off = -off
		}
		sec -= off
	default:
		return 0, 0, false
	}
	return sec, nsec, true
}

// atoiN parses a short run of ASCII digits.
func atoiN(s string) (int, bool) {
	n := 0
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return 0, false
		}
		n = n*10 + int(s[i]-'0')
	}
	return n, s != ""
}

func daysIn(y, m int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// daysFromCivil returns the days since 1970-01-01 of a proleptic Gregorian date
// (Howard Hinnant's algorithm).
func daysFromCivil(y, m, d int64) int64 {
	if m <= 2 {
		y--
	}
	era := y / 400
	if y < 0 && y%400 != 0 {
		era--
	}
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}
