package entities

import (
	"bytes"
	"strconv"
)

// MaxDepth is how deeply a payload may nest objects and arrays, the payload's own
// object being at depth 1. Graph's readers stop at a fixed depth too (OData's message
// reader at 100); 64 is far beyond any payload Graph's schema describes (its deepest
// complex values nest about ten levels) and keeps every reader of a stored entity — the
// validation, the merge, $filter, $select, the writers — on a short stack.
const MaxDepth = 64

// DepthError reports a payload that nests objects and arrays deeper than Max.
type DepthError struct{ Max int }

func (e *DepthError) Error() string {
	return "payload nests objects and arrays deeper than " + strconv.Itoa(e.Max) + " levels"
}

// CheckDepth returns a *DepthError when the JSON text nests objects and arrays deeper
// than max. It reads the text once, skipping strings, and checks nothing else: a text
// that is not JSON passes or fails here as its brackets say.
func CheckDepth(text []byte, max int) error {
	depth := 0
	for i := 0; i < len(text); i++ {
		switch text[i] {
		case '"':
			i = stringEnd(text, i+1)
		case '{', '[':
			if depth++; depth > max {
				return &DepthError{Max: max}
			}
		case '}', ']':
			depth--
		}
	}
	return nil
}

// stringEnd returns the index of the quote that closes the string starting at i (after
// its opening quote), or len(text) when none does.
func stringEnd(text []byte, i int) int {
	for {
		q := bytes.IndexByte(text[i:], '"')
		if q < 0 {
			return len(text)
		}
		q += i
		// The quote is escaped when an odd number of backslashes precede it.
		n := 0
		for j := q - 1; j >= i && text[j] == '\\'; j-- {
			n++
		}
		if n%2 == 0 {
			return q
		}
		i = q + 1
	}
}

// ValidKey reports whether s may be an entity's key: it holds no C0 control character
// (U+0000 to U+001F) and no DEL (U+007F). Such characters have no place in the keys
// Graph issues or accepts, break the key encodings of stores and logs, and cannot be
// written in a URL's path without escaping; keys with them are refused wherever they
// come: in a created entity's body and in a request's path.
func ValidKey(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == 0x7f {
			return false
		}
	}
	return true
}
