package odata

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/tidwall/gjson"

	"github.com/graph-emulator/graph-emulator/entities"
)

// Search is a parsed $search, as Graph's directory objects accept it:
//
//	$search="displayName:OneVideo" OR "mail:onevideo"
//	$search="description:One" AND ("displayName:Video" OR "displayName:Drive")
//
// Each clause is a double-quoted "property:text" (a backslash escapes '"' and '\' inside);
// clauses combine with AND, OR and NOT (upper case, outside the quotes), with parentheses,
// and with juxtaposition meaning AND. A clause without "property:" searches the type's
// string properties.
//
// Matching follows Graph's documentation of $search on directory objects: on displayName
// and description the text and the value are split into tokens (at spaces, symbols, between
// letters and digits, and where a lower-case letter is followed by an upper-case one), and
// every token of the text must begin a token of the value, in any order and case; a word
// written with symbols ("hello.world") also matches the value's word with its symbols
// removed ("hello-world"). On any other property a clause matches values that start with
// the text, case-insensitively (Graph's "startsWith behavior"); on a collection of strings,
// any element.
type Search struct {
	text string
	root *searchNode
	// props names the properties the terms read; a match reads their values in one
	// pass over the entity (a term without a property reads every string property, and
	// looking each up by itself would search the entity once for every absent one).
	props     []string
	propIndex map[string]int
	// match, when set, is a service's own matcher (see NewSearch).
	match func(entity []byte) bool
}

// NewSearch is a $search a service parses with its own grammar (Outlook's KQL on
// messages): text as the client wrote it, match its test of an entity as stored.
func NewSearch(text string, match func(entity []byte) bool) *Search {
	return &Search{text: text, match: match}
}

// MaxSearchTerms is how many terms a $search may hold (a term's property, or a term
// alone, counts as a node of the OData validator's count): past it the query is refused
// with ErrNodeCount.
const MaxSearchTerms = 100

type searchOp uint8

const (
	searchTerm searchOp = iota
	searchAnd
	searchOr
	searchNot
)

type searchNode struct {
	op   searchOp
	l, r *searchNode
	// a term: the properties it searches and its text
	props  []searchProp
	text   string
	chunks []searchChunk
}

type searchProp struct {
	slot      int  // index in Search.props
	tokenized bool // displayName, description
	coll      bool // a collection of strings
}

// searchChunk is one space-separated word of a term: its tokens and its letters and digits
// joined.
type searchChunk struct {
	subs     []string
	combined string
}

// String returns the search as the client wrote it.
func (s *Search) String() string { return s.text }

// ParseSearch parses a $search value against type t, with no property tokenized (see
// ParseSearchWith).
func ParseSearch(t *entities.StructuredType, text string) (*Search, error) {
	return ParseSearchWith(t, text, nil)
}

// ParseSearchWith parses a $search value against type t. tokenized tells the properties
// whose words are matched at their start (the service's rule; nil for none); the others
// match at the start of their value. Unquoted terms, unknown properties and unbalanced
// parentheses are 400 errors.
func ParseSearchWith(t *entities.StructuredType, text string, tokenized func(name string) bool) (*Search, error) {
	toks, err := lexSearch(text)
	if err != nil {
		return nil, errSearchClause(text, err)
	}
	if tokenized == nil {
		tokenized = func(string) bool { return false }
	}
	terms := 0
	for _, tok := range toks {
		if tok.kind == sPhrase {
			terms++
		}
	}
	if terms > MaxSearchTerms {
		return nil, ErrNodeCount(MaxSearchTerms)
	}
	p := &searchParser{t: t, toks: toks, tokenized: tokenized, propIndex: map[string]int{}}
	if p.peek().kind == sEOF {
		return nil, errSearchClause(text, errAt(0, "A search clause is expected"))
	}
	root, err := p.parseOr()
	if err == nil && p.peek().kind != sEOF {
		err = errAt(p.peek().pos, "Syntax error: unexpected %s", p.peek().describe())
	}
	if err != nil {
		return nil, errSearchClause(text, err)
	}
	return &Search{text: text, root: root, props: p.props, propIndex: p.propIndex}, nil
}

type sKind uint8

const (
	sEOF sKind = iota
	sPhrase
	sAnd
	sOr
	sNot
	sLParen
	sRParen
)

type sToken struct {
	kind sKind
	pos  int
	text string
}

func (t sToken) describe() string {
	switch t.kind {
	case sEOF:
		return "end of input"
	case sPhrase:
		return `"` + t.text + `"`
	}
	return "'" + t.text + "'"
}

func lexSearch(src string) ([]sToken, error) {
	var toks []sToken
	i := 0
	for {
		for i < len(src) && isSpace(src[i]) {
			i++
		}
		if i >= len(src) {
			return append(toks, sToken{kind: sEOF, pos: i}), nil
		}
		switch src[i] {
		case '(':
			toks = append(toks, sToken{kind: sLParen, pos: i, text: "("})
			i++
			continue
		case ')':
			toks = append(toks, sToken{kind: sRParen, pos: i, text: ")"})
			i++
			continue
		case '"':
			start := i
			var b strings.Builder
			i++
			closed := false
			for i < len(src) {
				c := src[i]
				if c == '\\' && i+1 < len(src) {
					b.WriteByte(src[i+1])
					i += 2
					continue
				}
				if c == '"' {
					closed = true
					i++
					break
				}
				b.WriteByte(c)
				i++
			}
			if !closed {
				return nil, errAt(start, "Syntax error: unterminated quoted clause")
			}
			toks = append(toks, sToken{kind: sPhrase, pos: start, text: b.String()})
			continue
		}
		start := i
		for i < len(src) && !isSpace(src[i]) && src[i] != '(' && src[i] != ')' && src[i] != '"' {
			i++
		}
		word := src[start:i]
		switch word {
		case "AND":
			toks = append(toks, sToken{kind: sAnd, pos: start, text: word})
		case "OR":
			toks = append(toks, sToken{kind: sOr, pos: start, text: word})
		case "NOT":
			toks = append(toks, sToken{kind: sNot, pos: start, text: word})
		default:
			switch strings.ToUpper(word) {
			case "AND", "OR", "NOT":
				return nil, errAt(start, "Syntax error: the operator '%s' must be written in upper case", word)
			}
			return nil, errAt(start, `Syntax error: the search term '%s' must be enclosed in double quotes, as in "displayName:%s"`, word, word)
		}
	}
}

type searchParser struct {
	t         *entities.StructuredType
	toks      []sToken
	p         int
	depth     int
	tokenized func(name string) bool
	// props and propIndex: the properties the terms read (see Search).
	props     []string
	propIndex map[string]int
}

// slot returns the index of property name among those the terms read, adding it.
func (p *searchParser) slot(name string) int {
	if i, ok := p.propIndex[name]; ok {
		return i
	}
	p.propIndex[name] = len(p.props)
	p.props = append(p.props, name)
	return len(p.props) - 1
}

func (p *searchParser) peek() sToken { return p.toks[p.p] }

func (p *searchParser) next() sToken {
	t := p.toks[p.p]
	if t.kind != sEOF {
		p.p++
	}
	return t
}

func (p *searchParser) parseOr() (*searchNode, error) {
	l, err := p.parseAnd()
	if err != nil {
		return nil, err
	}
	for p.peek().kind == sOr {
		p.next()
		r, err := p.parseAnd()
		if err != nil {
			return nil, err
		}
		l = &searchNode{op: searchOr, l: l, r: r}
	}
	return l, nil
}

func (p *searchParser) parseAnd() (*searchNode, error) {
	l, err := p.parseUnary()
	if err != nil {
		return nil, err
	}
	for {
		switch p.peek().kind {
		case sAnd:
			p.next()
		case sPhrase, sLParen, sNot:
			// Juxtaposition is AND.
		default:
			return l, nil
		}
		r, err := p.parseUnary()
		if err != nil {
			return nil, err
		}
		l = &searchNode{op: searchAnd, l: l, r: r}
	}
}

func (p *searchParser) parseUnary() (*searchNode, error) {
	tok := p.next()
	switch tok.kind {
	case sNot:
		if p.depth++; p.depth > maxNesting {
			return nil, errAt(tok.pos, "The search is nested too deeply")
		}
		x, err := p.parseUnary()
		p.depth--
		if err != nil {
			return nil, err
		}
		return &searchNode{op: searchNot, l: x}, nil
	case sLParen:
		if p.depth++; p.depth > maxNesting {
			return nil, errAt(tok.pos, "The search is nested too deeply")
		}
		x, err := p.parseOr()
		p.depth--
		if err != nil {
			return nil, err
		}
		if c := p.next(); c.kind != sRParen {
			return nil, errAt(c.pos, "Syntax error: ')' expected instead of %s", c.describe())
		}
		return x, nil
	case sPhrase:
		return p.term(tok)
	}
	return nil, errAt(tok.pos, "Syntax error: a quoted search clause expected instead of %s", tok.describe())
}

// term builds a clause from a quoted phrase.
func (p *searchParser) term(tok sToken) (*searchNode, error) {
	n := &searchNode{op: searchTerm}
	text := tok.text
	if name, rest, ok := strings.Cut(text, ":"); ok && validIdentifier(name) {
		prop := lookupProperty(p.t, name)
		if prop == nil {
			return nil, errAt(tok.pos, "Could not find a property named '%s' on type '%s'", name, p.t.QualifiedName())
		}
		ref := prop.Ref()
		if ref.Structured != nil {
			return nil, errAt(tok.pos, "The property '%s' of type '%s' cannot be searched", prop.Name, ref.String())
		}
		n.props = []searchProp{{slot: p.slot(prop.Name), tokenized: p.tokenized(prop.Name), coll: ref.Collection}}
		text = rest
	} else {
		for _, prop := range p.t.AllProperties() {
			if ref := prop.Ref(); ref.Primitive == entities.EdmString && !ref.Collection {
				n.props = append(n.props, searchProp{slot: p.slot(prop.Name), tokenized: p.tokenized(prop.Name)})
			}
		}
	}
	text = strings.TrimSpace(text)
	if text == "" {
		return nil, errAt(tok.pos, "The search clause \"%s\" has no text to search for", tok.text)
	}
	n.text = text
	for _, word := range strings.Fields(text) {
		var c searchChunk
		for i := 0; ; {
			s, e := nextSearchToken(word, i)
			if s < 0 {
				break
			}
			c.subs = append(c.subs, word[s:e])
			i = e
		}
		if len(c.subs) == 0 {
			continue // symbols only
		}
		c.combined = strings.Join(c.subs, "")
		n.chunks = append(n.chunks, c)
	}
	return n, nil
}

// Match reports whether the entity, a JSON object as stored, satisfies the search. It
// reads the entity once, then each term reads the values it needs.
func (s *Search) Match(entity []byte) bool {
	if s.match != nil {
		return s.match(entity)
	}
	var buf [16]gjson.Result
	values := buf[:0]
	if len(s.props) > len(buf) {
		values = make([]gjson.Result, 0, len(s.props))
	}
	values = values[:len(s.props)]
	left := len(s.props)
	rootResult(entity).ForEach(func(k, v gjson.Result) bool {
		if i, ok := s.propIndex[k.Str]; ok && !values[i].Exists() {
			values[i] = v
			left--
		}
		return left > 0
	})
	return s.root.match(values)
}

func (n *searchNode) match(values []gjson.Result) bool {
	switch n.op {
	case searchAnd:
		return n.l.match(values) && n.r.match(values)
	case searchOr:
		return n.l.match(values) || n.r.match(values)
	case searchNot:
		return !n.l.match(values)
	}
	for _, prop := range n.props {
		r := values[prop.slot]
		if prop.coll {
			found := false
			r.ForEach(func(_, elem gjson.Result) bool {
				found = n.matchValue(elem, prop.tokenized)
				return !found
			})
			if found {
				return true
			}
			continue
		}
		if n.matchValue(r, prop.tokenized) {
			return true
		}
	}
	return false
}

func (n *searchNode) matchValue(r gjson.Result, tokenized bool) bool {
	switch r.Type {
	case gjson.String:
		if tokenized && len(n.chunks) > 0 {
			return n.matchTokens(r.Str)
		}
		return hasPrefixFold(r.Str, n.text)
	case gjson.Number, gjson.True, gjson.False:
		return hasPrefixFold(r.Raw, n.text)
	}
	return false
}

// matchTokens reports whether every word of the term matches the value: each of its tokens
// begins a token of the value, or its letters and digits begin a word of the value with
// its symbols removed.
func (n *searchNode) matchTokens(v string) bool {
	for _, c := range n.chunks {
		if !allTokensMatch(v, c.subs) && !wordMatches(v, c.combined) {
			return false
		}
	}
	return true
}

func allTokensMatch(v string, subs []string) bool {
	for _, q := range subs {
		found := false
		for i := 0; !found; {
			s, e := nextSearchToken(v, i)
			if s < 0 {
				break
			}
			found = hasPrefixFold(v[s:e], q)
			i = e
		}
		if !found {
			return false
		}
	}
	return true
}

// wordMatches reports whether some space-separated word of v, read without its symbols,
// begins with combined.
func wordMatches(v, combined string) bool {
	for i := 0; i < len(v); {
		for i < len(v) && isSpace(v[i]) {
			i++
		}
		j := i
		for j < len(v) && !isSpace(v[j]) {
			j++
		}
		if i < j && alnumPrefixFold(v[i:j], combined) {
			return true
		}
		i = j
	}
	return false
}

// alnumPrefixFold reports whether the letters and digits of word begin with prefix.
func alnumPrefixFold(word, prefix string) bool {
	i, j := 0, 0
	for j < len(prefix) {
		for i < len(word) {
			r, size := utf8.DecodeRuneInString(word[i:])
			if unicode.IsLetter(r) || unicode.IsDigit(r) {
				break
			}
			i += size
		}
		if i >= len(word) {
			return false
		}
		var rw, rp rune
		rw, i = nextFold(word, i)
		rp, j = nextFold(prefix, j)
		if rw != rp {
			return false
		}
	}
	return true
}

// nextSearchToken returns the bounds of the next token of s at or after i, or -1: a run of
// digits, or a run of letters that ends before a lower-case letter followed by an upper-case
// one. Spaces and symbols separate tokens.
func nextSearchToken(s string, i int) (int, int) {
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			break
		}
		i += size
	}
	if i >= len(s) {
		return -1, -1
	}
	start := i
	r, size := utf8.DecodeRuneInString(s[i:])
	digits := unicode.IsDigit(r)
	lower := unicode.IsLower(r)
	i += size
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		if digits {
			if !unicode.IsDigit(r) {
				break
			}
		} else {
			if !unicode.IsLetter(r) || (lower && unicode.IsUpper(r)) {
				break
			}
			lower = unicode.IsLower(r)
		}
		i += size
	}
	return start, i
}
