package control

import (
	"bytes"
	"net/http"
	"strings"

	"github.com/tidwall/gjson"

	"github.com/graph-emulator/graph-emulator/odata"
)

// Masked is what the journal shows in place of a secret.
const Masked = "***"

// maskHeader returns the value of header name as the journal shows it: credentials are
// masked, keeping an Authorization scheme ("Bearer ***") so that a test can still see
// which kind was sent.
func maskHeader(name, value string) string {
	if !secretHeader(name) {
		return value
	}
	if scheme, _, ok := strings.Cut(strings.TrimSpace(value), " "); ok && scheme != "" &&
		(strings.EqualFold(name, "Authorization") || strings.EqualFold(name, "Proxy-Authorization")) {
		return scheme + " " + Masked
	}
	return Masked
}

// secretHeader reports whether a header may carry a credential.
func secretHeader(name string) bool {
	switch http.CanonicalHeaderKey(name) {
	case "Authorization", "Proxy-Authorization", "Cookie", "Set-Cookie":
		return true
	}
	n := strings.ToLower(name)
	for _, w := range []string{"token", "secret", "password", "api-key", "apikey", "signature"} {
		if strings.Contains(n, w) {
			return true
		}
	}
	return false
}

// secretMember reports whether a JSON member's string value is a secret: a password
// (passwordProfile.password, newPassword), a secret (secretText, clientSecret), a
// token, a client assertion.
func secretMember(name string) bool {
	n := strings.ToLower(name)
	return strings.HasSuffix(n, "password") || strings.Contains(n, "secret") ||
		strings.HasSuffix(n, "token") || strings.HasSuffix(n, "assertion")
}

// maybeSecret reports, cheaply, whether a body may hold a secret member.
func maybeSecret(body []byte) bool {
	lb := bytes.ToLower(body)
	for _, w := range []string{"password", "secret", "token", "assertion"} {
		if bytes.Contains(lb, []byte(w)) {
			return true
		}
	}
	return false
}

// maskJSON returns a JSON body with the string values of secret members (see
// secretMember), at any depth, replaced by Masked. Other bodies are returned as they
// are.
func maskJSON(body []byte) []byte {
	if !maybeSecret(body) || !gjson.ValidBytes(body) {
		return body
	}
	return appendMasked(make([]byte, 0, len(body)), gjson.ParseBytes(body), false)
}

func appendMasked(dst []byte, v gjson.Result, secret bool) []byte {
	switch {
	case v.IsObject():
		dst = append(dst, '{')
		first := true
		v.ForEach(func(k, m gjson.Result) bool {
			if !first {
				dst = append(dst, ',')
			}
			first = false
			dst = odata.AppendString(dst, k.Str)
			dst = append(dst, ':')
			dst = appendMasked(dst, m, secretMember(k.Str))
			return true
		})
		return append(dst, '}')
	case v.IsArray():
		dst = append(dst, '[')
		first := true
		v.ForEach(func(_, m gjson.Result) bool {
			if !first {
				dst = append(dst, ',')
			}
			first = false
			dst = appendMasked(dst, m, secret)
			return true
		})
		return append(dst, ']')
	case secret && v.Type == gjson.String:
		return odata.AppendString(dst, Masked)
	}
	return append(dst, v.Raw...)
}
