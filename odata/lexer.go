package odata

import (
	"fmt"
	"unicode"
	"unicode/utf8"
)

// The lexer of the expression language shared by $filter and $orderby: the subset of the
// OData ABNF (commonExpr) that Graph accepts. Positions are 0-based byte offsets into the
// option's value, as the OData library behind Graph reports them.

type tokKind uint8

const (
	tEOF       tokKind = iota
	tIdent             // identifier, possibly namespace-qualified (a.b.c), $it, $count
	tString            // '...' with '' for a quote; text holds the unescaped value
	tInt               // integer literal, possibly negative
	tDecimal           // decimal or double literal
	tGUID              // 8-4-4-4-12 hex digits, unquoted
	tDate              // YYYY-MM-DD
	tDateTime          // YYYY-MM-DDThh:mm[:ss[.fff]][Z|±hh:mm]
	tTimeOfDay         // hh:mm[:ss[.fff]]
	tTyped             // prefix'text': an enum member (ns.enum'member'), duration'P1D', ...
	tLParen
	tRParen
	tComma
	tSlash
	tColon
	tStar
)

func (k tokKind) String() string {
	switch k {
	case tEOF:
		return "end of input"
	case tIdent:
		return "identifier"
	case tString:
		return "string literal"
	case tInt, tDecimal:
		return "number"
	case tGUID:
		return "GUID"
	case tDate:
		return "date"
	case tDateTime:
		return "DateTimeOffset"
	case tTimeOfDay:
		return "TimeOfDay"
	case tTyped:
		return "typed literal"
	case tLParen:
		return "'('"
	case tRParen:
		return "')'"
	case tComma:
		return "','"
	case tSlash:
		return "'/'"
	case tColon:
		return "':'"
	case tStar:
		return "'*'"
	}
	return "token"
}

type token struct {
	kind tokKind
	pos  int
	// text is the token's source text, except for tString and tTyped where it is the
	// unescaped content between the quotes.
	text string
	// prefix is the part before the quote of a tTyped literal.
	prefix string
}

// syntaxError is a parse error at a position; the option parsers turn it into a Graph error.
type syntaxError struct {
	pos int
	msg string
}

func (e *syntaxError) Error() string { return fmt.Sprintf("%s at position %d", e.msg, e.pos) }

func errAt(pos int, format string, args ...any) *syntaxError {
	return &syntaxError{pos: pos, msg: fmt.Sprintf(format, args...)}
}

// lex splits src into tokens, ending with a tEOF token.
func lex(src string) ([]token, error) { return lexN(src, -1) }

// errTooManyTokens reports a text of more tokens than lexN was allowed.
var errTooManyTokens = &nodeCountError{}

// lexN is lex that stops with errTooManyTokens past max tokens (max < 0: no limit).
func lexN(src string, max int) ([]token, error) {
	toks := make([]token, 0, 16)
	i := 0
	for {
		for i < len(src) && isSpace(src[i]) {
			i++
		}
		if i >= len(src) {
			toks = append(toks, token{kind: tEOF, pos: i})
			return toks, nil
		}
		if max >= 0 && len(toks) >= max {
			return nil, errTooManyTokens
		}
		tok, next, err := lexOne(src, i)
		if err != nil {
			return nil, err
		}
		toks = append(toks, tok)
		i = next
	}
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isHex(c byte) bool {
	return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

// identStart and identPart classify the runes of identifiers (OData allows Unicode letters).
func identStart(r rune) bool { return r == '_' || r == '$' || unicode.IsLetter(r) }

func identPart(r rune) bool { return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) }

// identPartAt reports whether an identifier character starts at src[i].
func identPartAt(src string, i int) bool {
	if i >= len(src) {
		return false
	}
	r, _ := utf8.DecodeRuneInString(src[i:])
	return identPart(r)
}

func lexOne(src string, i int) (token, int, error) {
	c := src[i]
	switch c {
	case '(':
		return token{kind: tLParen, pos: i, text: "("}, i + 1, nil
	case ')':
		return token{kind: tRParen, pos: i, text: ")"}, i + 1, nil
	case ',':
		return token{kind: tComma, pos: i, text: ","}, i + 1, nil
	case '/':
		return token{kind: tSlash, pos: i, text: "/"}, i + 1, nil
	case ':':
		return token{kind: tColon, pos: i, text: ":"}, i + 1, nil
	case '*':
		return token{kind: tStar, pos: i, text: "*"}, i + 1, nil
	case '\'':
		s, next, err := lexQuoted(src, i)
		if err != nil {
			return token{}, 0, err
		}
		return token{kind: tString, pos: i, text: s}, next, nil
	}
	if n := guidAt(src, i); n > 0 {
		return token{kind: tGUID, pos: i, text: src[i : i+n]}, i + n, nil
	}
	if isDigit(c) || (c == '-' && i+1 < len(src) && isDigit(src[i+1])) {
		return lexNumberLike(src, i)
	}
	r, size := utf8.DecodeRuneInString(src[i:])
	if !identStart(r) {
		if r == utf8.RuneError && size <= 1 {
			return token{}, 0, errAt(i, "Syntax error: invalid UTF-8")
		}
		return token{}, 0, errAt(i, "Syntax error: character '%c' is not valid", r)
	}
	j := i + size
	for {
		for j < len(src) {
			r, size := utf8.DecodeRuneInString(src[j:])
			if !identPart(r) {
				break
			}
			j += size
		}
		// A dot joins the parts of a qualified name: microsoft.graph.color'red'.
		if j+1 < len(src) && src[j] == '.' {
			r, _ := utf8.DecodeRuneInString(src[j+1:])
			if identStart(r) && r != '$' {
				j += 1 + utf8.RuneLen(r)
				continue
			}
		}
		break
	}
	if src[i] == '$' && j == i+1 {
		return token{}, 0, errAt(i, "Syntax error: character '$' is not valid")
	}
	if j < len(src) && src[j] == '\'' {
		s, next, err := lexQuoted(src, j)
		if err != nil {
			return token{}, 0, err
		}
		return token{kind: tTyped, pos: i, prefix: src[i:j], text: s}, next, nil
	}
	return token{kind: tIdent, pos: i, text: src[i:j]}, j, nil
}

// lexQuoted reads the single-quoted literal that starts at src[i] and returns its
// unescaped content and the position after the closing quote.
func lexQuoted(src string, i int) (string, int, error) {
	start := i
	i++
	var buf []byte
	seg := i
	for i < len(src) {
		if src[i] != '\'' {
			i++
			continue
		}
		if i+1 < len(src) && src[i+1] == '\'' {
			buf = append(buf, src[seg:i+1]...)
			i += 2
			seg = i
			continue
		}
		if buf == nil {
			return src[seg:i], i + 1, nil
		}
		buf = append(buf, src[seg:i]...)
		return string(buf), i + 1, nil
	}
	return "", 0, errAt(start, "Syntax error: unterminated string literal")
}

// guidAt returns 36 when an unquoted GUID starts at src[i] and is not followed by an
// identifier character, else 0.
func guidAt(src string, i int) int {
	if len(src)-i < 36 {
		return 0
	}
	for k := 0; k < 36; k++ {
		c := src[i+k]
		switch k {
		case 8, 13, 18, 23:
			if c != '-' {
				return 0
			}
		default:
			if !isHex(c) {
				return 0
			}
		}
	}
	if identPartAt(src, i+36) || (i+36 < len(src) && src[i+36] == '-') {
		return 0
	}
	return 36
}

// digitsAt returns the number of consecutive ASCII digits at src[i:].
func digitsAt(src string, i int) int {
	n := 0
	for i+n < len(src) && isDigit(src[i+n]) {
		n++
	}
	return n
}

// lexNumberLike reads a date, DateTimeOffset, TimeOfDay or number at src[i].
func lexNumberLike(src string, i int) (token, int, error) {
	neg := src[i] == '-'
	j := i
	if neg {
		j++
	}
	d := digitsAt(src, j)
	// Dates: YYYY-MM-DD, possibly followed by a time and a zone.
	if !neg && d == 4 && j+10 <= len(src) && src[j+4] == '-' && digitsAt(src, j+5) == 2 && src[j+7] == '-' && digitsAt(src, j+8) == 2 {
		k := j + 10
		if k < len(src) && (src[k] == 'T' || src[k] == 't') {
			end, ok := timeAt(src, k+1)
			if !ok {
				return token{}, 0, errAt(i, "Syntax error: malformed DateTimeOffset literal")
			}
			k = end
			switch {
			case k < len(src) && (src[k] == 'Z' || src[k] == 'z'):
				k++
			case k+6 <= len(src) && (src[k] == '+' || src[k] == '-' || src[k] == ' ') &&
				digitsAt(src, k+1) == 2 && src[k+3] == ':' && digitsAt(src, k+4) == 2:
				// A '+' that reached us as ' ' (an unencoded '+' in a query string) is taken
				// for the '+' it was.
				k += 6
			}
			if identPartAt(src, k) {
				return token{}, 0, errAt(i, "Syntax error: malformed DateTimeOffset literal")
			}
			return token{kind: tDateTime, pos: i, text: src[i:k]}, k, nil
		}
		if identPartAt(src, k) {
			return token{}, 0, errAt(i, "Syntax error: malformed date literal")
		}
		return token{kind: tDate, pos: i, text: src[i:k]}, k, nil
	}
	if !neg && d == 2 && j+2 < len(src) && src[j+2] == ':' {
		end, ok := timeAt(src, j)
		if !ok || identPartAt(src, end) {
			return token{}, 0, errAt(i, "Syntax error: malformed TimeOfDay literal")
		}
		return token{kind: tTimeOfDay, pos: i, text: src[i:end]}, end, nil
	}
	k := j + d
	kind := tInt
	if k+1 < len(src) && src[k] == '.' && isDigit(src[k+1]) {
		k++
		k += digitsAt(src, k)
		kind = tDecimal
	}
	if k < len(src) && (src[k] == 'e' || src[k] == 'E') {
		e := k + 1
		if e < len(src) && (src[e] == '+' || src[e] == '-') {
			e++
		}
		if n := digitsAt(src, e); n > 0 {
			k = e + n
			kind = tDecimal
		}
	}
	if identPartAt(src, k) {
		return token{}, 0, errAt(i, "Syntax error: malformed number literal")
	}
	return token{kind: kind, pos: i, text: src[i:k]}, k, nil
}

// timeAt matches hh:mm[:ss[.fffffff]] at src[i] and returns its end.
func timeAt(src string, i int) (int, bool) {
	if digitsAt(src, i) != 2 || i+5 > len(src) || src[i+2] != ':' || digitsAt(src, i+3) != 2 {
		return 0, false
	}
	k := i + 5
	if k+3 <= len(src) && src[k] == ':' && digitsAt(src, k+1) == 2 {
		k += 3
		if k+1 < len(src) && src[k] == '.' && isDigit(src[k+1]) {
			k++
			k += digitsAt(src, k)
		}
	}
	return k, true
}
