package odata

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// Entity tags (RFC 9110, section 8.8.3) as Graph uses them: weak tags (W/"…") in
// @odata.etag and the ETag header, sent back in If-Match and If-None-Match.

// FormatETag returns the weak entity tag of an entity's version: W/"<version in decimal>".
// Clients treat it as opaque; ETagVersion reads it back.
func FormatETag(version uint64) string {
	b := make([]byte, 0, 24)
	b = append(b, `W/"`...)
	b = strconv.AppendUint(b, version, 10)
	return string(append(b, '"'))
}

// ETagVersion returns the version a tag written by FormatETag carries (the weak
// indicator is optional); ok is false for any other tag.
func ETagVersion(tag string) (version uint64, ok bool) {
	tag = strings.TrimPrefix(tag, "W/")
	if len(tag) < 3 || tag[0] != '"' || tag[len(tag)-1] != '"' {
		return 0, false
	}
	digits := tag[1 : len(tag)-1]
	if len(digits) > 1 && digits[0] == '0' {
		return 0, false // FormatETag writes no leading zeros
	}
	v, err := strconv.ParseUint(digits, 10, 64)
	if err != nil {
		return 0, false
	}
	return v, true
}

// ParseETags parses the value of an If-Match or If-None-Match header: "*" (matchAny is
// true, tags nil), or a comma-separated list of entity tags, each returned as written
// (`W/"1"`, `"abc"`). Empty list elements and whitespace around them are skipped. An
// empty or blank value yields no tags, as when the header is absent. A header sent on
// several lines is passed joined with commas (strings.Join(h.Values(name), ",")).
// A malformed value, or "*" among tags, is an *Error (400 BadRequest).
func ParseETags(header string) (tags []string, matchAny bool, err error) {
	rest := trimOWS(header)
	if rest == "" {
		return nil, false, nil
	}
	if rest == "*" {
		return nil, true, nil
	}
	for rest != "" {
		if rest[0] == ',' {
			rest = trimOWS(rest[1:])
			continue
		}
		n := entityTagLen(rest)
		if n == 0 {
			return nil, false, ErrInvalidETags(header)
		}
		tags = append(tags, rest[:n])
		rest = trimOWS(rest[n:])
		if rest != "" && rest[0] != ',' {
			return nil, false, ErrInvalidETags(header)
		}
	}
	if len(tags) == 0 {
		return nil, false, ErrInvalidETags(header)
	}
	return tags, false, nil
}

// entityTagLen returns the length of the entity-tag at the start of s ([W/]"etagc*"),
// or 0 when s does not start with one.
func entityTagLen(s string) int {
	i := 0
	if strings.HasPrefix(s, "W/") {
		i = 2
	}
	if i >= len(s) || s[i] != '"' {
		return 0
	}
	for j := i + 1; j < len(s); j++ {
		switch c := s[j]; {
		case c == '"':
			return j + 1
		case c == 0x21 || c >= 0x23 && c <= 0x7e || c >= 0x80:
		default:
			return 0
		}
	}
	return 0
}

// trimOWS trims the optional whitespace of HTTP lists (spaces and tabs).
func trimOWS(s string) string { return strings.Trim(s, " \t") }

// MatchETag reports whether etag matches one of tags by weak comparison (RFC 9110,
// section 8.8.3.2): their opaque parts are equal, whether or not either is weak. Graph's
// tags are weak, and it honours them in If-Match too.
func MatchETag(tags []string, etag string) bool {
	opaque := strings.TrimPrefix(etag, "W/")
	for _, t := range tags {
		if strings.TrimPrefix(t, "W/") == opaque {
			return true
		}
	}
	return false
}

// ErrInvalidETags answers an If-Match or If-None-Match value that is not "*" nor a list
// of entity tags.
func ErrInvalidETags(value string) *Error {
	return &Error{Status: http.StatusBadRequest, Code: "BadRequest",
		Message: fmt.Sprintf("The entity tag list '%s' is not valid: send \"*\" or entity tags such as W/\"1\", separated by commas.", value)}
}

// ErrPreconditionFailed is Graph's answer to an If-Match that does not match the
// entity's current tag, or an If-None-Match that does, on a write.
func ErrPreconditionFailed() *Error {
	return &Error{Status: http.StatusPreconditionFailed, Code: "resourceModified",
		Message: "ETag does not match current item's value"}
}
