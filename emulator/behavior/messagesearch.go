package behavior

import (
	"net/http"
	"strings"
	"time"
	"unicode"

	"github.com/tidwall/gjson"

	"github.com/graph-emulator/graph-emulator/entities"
	"github.com/graph-emulator/graph-emulator/odata"
)

// $search on messages, as Outlook answers it (concepts/search-query-parameter.md): the
// Keyword Query Language, not the directory's "property:text" clauses.
//
//	$search="pizza"                     from, subject and body
//	$search="from:randiw"               the sender's name or address
//	$search="subject:\"quarterly report\"" a phrase
//	$search="to:adele AND received>=2026-01-01"
//
// Terms are words or double-quoted phrases, alone or restricted to a property: from,
// to, cc, bcc, participants (from, to, cc, bcc), recipients (to, cc, bcc), subject,
// body, importance, hasAttachment(s), kind (email), isRead, received and sent (a date:
// M/D/YYYY or YYYY-MM-DD; with :, =, <, <=, >, >= or a range a..b). They combine with
// AND, OR and NOT (upper case), parentheses, and side by side meaning AND. A word
// matches the start of a word of the text, ignoring case (prefix matching, as
// Exchange's index does); a phrase, consecutive words; an address term, the address
// or the start of it. The whole value may be wrapped in double quotes, as the docs
// write it.

// ParseSearch parses $search on messages (and types derived from message); ok is false
// for other types, which keep the directory's grammar.
func (b *Behavior) ParseSearch(schema *entities.Schema, t *entities.StructuredType, text string) (*odata.Search, bool, error) {
	if t == nil || !isA(schema, t, messageType) {
		return nil, false, nil
	}
	p := &kqlParser{src: unwrapQuotes(strings.TrimSpace(text))}
	p.lex()
	if p.err != "" {
		return nil, true, errKQL(text, p.err)
	}
	if len(p.toks) == 0 {
		return nil, true, errKQL(text, "the search is empty")
	}
	n := p.parseOr()
	if p.err == "" && p.pos < len(p.toks) {
		p.err = "unexpected '" + p.toks[p.pos].text + "'"
	}
	if p.err != "" {
		return nil, true, errKQL(text, p.err)
	}
	return odata.NewSearch(text, func(body []byte) bool { return n.match(body) }), true, nil
}

func errKQL(text, why string) error {
	return &odata.Error{Status: http.StatusBadRequest, Code: "BadRequest",
		Message: "Syntax error in the search query '" + text + "': " + why + "."}
}

// unwrapQuotes removes the double quotes around a whole $search value.
func unwrapQuotes(s string) string {
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		inner := s[1 : len(s)-1]
		// Only when the quotes wrap it all: inner quotes come escaped or in pairs.
		if strings.Count(strings.ReplaceAll(inner, `\"`, ""), `"`)%2 == 0 {
			return strings.ReplaceAll(inner, `\"`, `"`)
		}
	}
	return s
}

type kqlKind uint8

const (
	kqlTerm kqlKind = iota
	kqlAnd
	kqlOr
	kqlNot
	kqlOpen
	kqlClose
)

type kqlToken struct {
	kind kqlKind
	text string
	// a term: its property ("" for none), operator (":", "=", "<", ...), value and
	// whether the value was a quoted phrase.
	prop, op, value string
	phrase          bool
}

type kqlParser struct {
	src  string
	toks []kqlToken
	pos  int
	err  string
}

// lex splits the search into tokens.
func (p *kqlParser) lex() {
	s := p.src
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t':
			i++
		case c == '(':
			p.toks = append(p.toks, kqlToken{kind: kqlOpen, text: "("})
			i++
		case c == ')':
			p.toks = append(p.toks, kqlToken{kind: kqlClose, text: ")"})
			i++
		case c == '"':
			j := strings.IndexByte(s[i+1:], '"')
			if j < 0 {
				p.err = "a quoted phrase is not closed"
				return
			}
			p.toks = append(p.toks, kqlToken{kind: kqlTerm, text: s[i : i+j+2], value: s[i+1 : i+1+j], phrase: true})
			i += j + 2
		default:
			j := i
			for j < len(s) && s[j] != ' ' && s[j] != '\t' && s[j] != '(' && s[j] != ')' {
				if s[j] == '"' {
					// prop:"a phrase"
					k := strings.IndexByte(s[j+1:], '"')
					if k < 0 {
						p.err = "a quoted phrase is not closed"
						return
					}
					j += k + 2
					continue
				}
				j++
			}
			word := s[i:j]
			i = j
			switch word {
			case "AND":
				p.toks = append(p.toks, kqlToken{kind: kqlAnd, text: word})
				continue
			case "OR":
				p.toks = append(p.toks, kqlToken{kind: kqlOr, text: word})
				continue
			case "NOT":
				p.toks = append(p.toks, kqlToken{kind: kqlNot, text: word})
				continue
			}
			p.toks = append(p.toks, termToken(word))
		}
	}
}

// termToken reads a word, possibly prop:value (or prop>=value...).
func termToken(word string) kqlToken {
	t := kqlToken{kind: kqlTerm, text: word, value: word}
	k := strings.IndexAny(word, ":=<>")
	if k <= 0 {
		return t
	}
	prop := strings.ToLower(word[:k])
	if !kqlProperty(prop) {
		return t
	}
	op := word[k : k+1]
	rest := word[k+1:]
	if (op == "<" || op == ">") && strings.HasPrefix(rest, "=") {
		op += "="
		rest = rest[1:]
	}
	t.prop, t.op = prop, op
	if len(rest) >= 2 && rest[0] == '"' && rest[len(rest)-1] == '"' {
		rest, t.phrase = rest[1:len(rest)-1], true
	}
	t.value = rest
	return t
}

// kqlProperty reports whether name is a message property KQL restricts to.
func kqlProperty(name string) bool {
	switch name {
	case "from", "to", "cc", "bcc", "participants", "recipients", "subject", "body", "importance",
		"hasattachment", "hasattachments", "kind", "isread", "received", "sent":
		return true
	}
	return false
}

type kqlNode struct {
	op   kqlKind // kqlTerm, kqlAnd, kqlOr, kqlNot
	l, r *kqlNode
	t    kqlToken
}

func (p *kqlParser) peek() (kqlToken, bool) {
	if p.pos < len(p.toks) {
		return p.toks[p.pos], true
	}
	return kqlToken{}, false
}

func (p *kqlParser) parseOr() *kqlNode {
	n := p.parseAnd()
	for p.err == "" {
		t, ok := p.peek()
		if !ok || t.kind != kqlOr {
			return n
		}
		p.pos++
		n = &kqlNode{op: kqlOr, l: n, r: p.parseAnd()}
	}
	return n
}

func (p *kqlParser) parseAnd() *kqlNode {
	n := p.parseUnary()
	for p.err == "" {
		t, ok := p.peek()
		if !ok || t.kind == kqlOr || t.kind == kqlClose {
			return n
		}
		if t.kind == kqlAnd {
			p.pos++
		}
		n = &kqlNode{op: kqlAnd, l: n, r: p.parseUnary()}
	}
	return n
}

func (p *kqlParser) parseUnary() *kqlNode {
	t, ok := p.peek()
	if !ok {
		p.err = "a search term is expected at the end"
		return nil
	}
	switch t.kind {
	case kqlNot:
		p.pos++
		return &kqlNode{op: kqlNot, l: p.parseUnary()}
	case kqlOpen:
		p.pos++
		n := p.parseOr()
		if t, ok := p.peek(); !ok || t.kind != kqlClose {
			if p.err == "" {
				p.err = "a parenthesis is not closed"
			}
			return n
		}
		p.pos++
		return n
	case kqlTerm:
		p.pos++
		if t.prop == "received" || t.prop == "sent" {
			if _, _, ok := kqlDates(t.value); !ok {
				p.err = "'" + t.value + "' is not a date"
			}
		}
		return &kqlNode{op: kqlTerm, t: t}
	}
	p.err = "unexpected '" + t.text + "'"
	return nil
}

func (n *kqlNode) match(body []byte) bool {
	switch n.op {
	case kqlAnd:
		return n.l.match(body) && n.r.match(body)
	case kqlOr:
		return n.l.match(body) || n.r.match(body)
	case kqlNot:
		return !n.l.match(body)
	}
	return n.t.match(body)
}

// match tests one term against a message.
func (t kqlToken) match(body []byte) bool {
	v := strings.ToLower(t.value)
	switch t.prop {
	case "":
		return matchAddresses(body, v, "from") || matchText(gjson.GetBytes(body, "subject").String(), v) ||
			matchText(messageText(body), v)
	case "subject":
		return matchText(gjson.GetBytes(body, "subject").String(), v)
	case "body":
		return matchText(messageText(body), v)
	case "from":
		return matchAddresses(body, v, "from", "sender")
	case "to":
		return matchAddresses(body, v, "toRecipients")
	case "cc":
		return matchAddresses(body, v, "ccRecipients")
	case "bcc":
		return matchAddresses(body, v, "bccRecipients")
	case "recipients":
		return matchAddresses(body, v, "toRecipients", "ccRecipients", "bccRecipients")
	case "participants":
		return matchAddresses(body, v, "from", "toRecipients", "ccRecipients", "bccRecipients")
	case "importance":
		imp := strings.ToLower(gjson.GetBytes(body, "importance").String())
		return imp == v || v == "medium" && imp == "normal"
	case "hasattachment", "hasattachments":
		return gjson.GetBytes(body, "hasAttachments").Bool() == (v == "true" || v == "yes")
	case "isread":
		return gjson.GetBytes(body, "isRead").Bool() == (v == "true" || v == "yes")
	case "kind":
		return v == "email"
	case "received", "sent":
		name := "receivedDateTime"
		if t.prop == "sent" {
			name = "sentDateTime"
		}
		at, err := time.Parse(time.RFC3339Nano, gjson.GetBytes(body, name).String())
		if err != nil {
			return false
		}
		from, to, _ := kqlDates(t.value)
		switch t.op {
		case ">":
			return !at.Before(to)
		case ">=":
			return !at.Before(from)
		case "<":
			return at.Before(from)
		case "<=":
			return at.Before(to)
		}
		return !at.Before(from) && at.Before(to)
	}
	return false
}

// kqlDates reads a date term: the start of its first day and the end of its last
// ("a..b" spans days a to b).
func kqlDates(s string) (from, to time.Time, ok bool) {
	a, z, rng := strings.Cut(s, "..")
	d1, ok1 := kqlDate(a)
	d2 := d1
	ok2 := true
	if rng {
		d2, ok2 = kqlDate(z)
	}
	if !ok1 || !ok2 {
		return from, to, false
	}
	return d1, d2.AddDate(0, 0, 1), true
}

func kqlDate(s string) (time.Time, bool) {
	for _, layout := range [...]string{"2006-01-02", "1/2/2006", "01/02/2006", time.RFC3339} {
		if t, err := time.Parse(layout, strings.TrimSpace(s)); err == nil {
			y, m, d := t.Date()
			return time.Date(y, m, d, 0, 0, 0, 0, time.UTC), true
		}
	}
	return time.Time{}, false
}

// messageText is a message's body as text.
func messageText(body []byte) string {
	b := gjson.GetBytes(body, "body")
	text := b.Get("content").String()
	if strings.EqualFold(b.Get("contentType").String(), "html") {
		text = htmlToText(text)
	}
	return text
}

// matchText reports whether the words of term (lower case) begin consecutive words of
// text, ignoring case.
func matchText(text, term string) bool {
	words := kqlWords(strings.ToLower(text))
	want := kqlWords(term)
	if len(want) == 0 {
		return false
	}
	for i := 0; i+len(want) <= len(words); i++ {
		ok := true
		for j, w := range want {
			last := j == len(want)-1
			if last && !strings.HasPrefix(words[i+j], w) || !last && words[i+j] != w {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

// kqlWords splits text into words of letters and digits.
func kqlWords(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

// matchAddresses reports whether term matches a recipient among the properties: the
// start of its address, or words of its name.
func matchAddresses(body []byte, term string, props ...string) bool {
	for _, p := range props {
		v := gjson.GetBytes(body, p)
		list := []gjson.Result{v}
		if v.IsArray() {
			list = v.Array()
		}
		for _, r := range list {
			addr := strings.ToLower(r.Get("emailAddress.address").String())
			if addr != "" && strings.HasPrefix(addr, term) {
				return true
			}
			if matchText(r.Get("emailAddress.name").String(), term) {
				return true
			}
		}
	}
	return false
}
