package emulator

import (
	"net/url"
	"strings"
)

// nextLink is the request's absolute URL, on the scheme and host the client used, with
// its query options as sent (re-escaped where a URL needs it) and $skiptoken set to token.
func nextLink(rq *request, token string) string {
	var b strings.Builder
	b.WriteString(rq.base)
	b.WriteString(rq.r.URL.EscapedPath())
	b.WriteByte('?')
	raw := rq.r.URL.RawQuery
	for raw != "" {
		var pair string
		pair, raw, _ = strings.Cut(raw, "&")
		if pair == "" {
			continue
		}
		k, v, hasValue := strings.Cut(pair, "=")
		dk, err1 := url.QueryUnescape(k)
		dv, err2 := url.QueryUnescape(v)
		if err1 != nil || err2 != nil || strings.EqualFold(strings.TrimPrefix(dk, "$"), "skiptoken") {
			continue
		}
		appendQueryEscaped(&b, dk, "")
		if hasValue {
			b.WriteByte('=')
			appendQueryEscaped(&b, dv, "=")
		}
		b.WriteByte('&')
	}
	b.WriteString("$skiptoken=")
	b.WriteString(token)
	return b.String()
}

// appendQueryEscaped writes s percent-encoded for a query component, leaving the
// characters OData queries are written with ($ , ' ( ) * : @ / !) and those in keep as
// they are, as Graph does in its links. ';' is escaped: Go's url.ParseQuery refuses it.
func appendQueryEscaped(b *strings.Builder, s, keep string) {
	const hex = "0123456789ABCDEF"
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9',
			strings.IndexByte("-._~$,'()*:@/!", c) >= 0, strings.IndexByte(keep, c) >= 0:
			b.WriteByte(c)
		default:
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
		}
	}
}
