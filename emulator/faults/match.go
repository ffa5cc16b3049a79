package faults

import (
	"net/url"
	"slices"
	"strings"
)

// Match chooses the requests a rule applies to (stubs match the same way). A zero field
// matches anything; the fields given must all match.
type Match struct {
	// Method is an HTTP method (GET, POST, ...), in any case; "" or "*" for any.
	Method string `json:"method,omitempty"`
	// Path is a pattern over the request's unescaped path, compared case-insensitively
	// as Graph's paths are, a trailing slash ignored: '*' stands for any run of
	// characters within one segment (/v1.0/users/* matches /v1.0/users/u1 and
	// /v1.0/users('u1'), not /v1.0/users/u1/manager), "**" as a whole segment for any
	// number of segments, none included (/v1.0/users/** matches /v1.0/users and
	// everything under it; /*/me/** any version). "" matches every path.
	Path string `json:"path,omitempty"`
	// Query names query parameters the request must carry: each value a pattern in
	// which '*' stands for any run of characters ("*" alone: the parameter is there,
	// with any value), compared with the decoded value case-insensitively. Names are
	// compared case-insensitively and as written: "$top" does not match "top".
	Query map[string]string `json:"query,omitempty"`
	// Tenant is the tenant a request belongs to (X-Emulator-Tenant, else "default");
	// "" for any.
	Tenant string `json:"tenant,omitempty"`
}

// Request is what a rule or a stub is matched against.
type Request struct {
	// Method and Path (unescaped) of the request; RawQuery its query as sent.
	Method   string
	Path     string
	RawQuery string
	// Tenant is the request's tenant, canonical (lower case).
	Tenant string

	lowerPath string
	query     url.Values
	parsed    bool
}

// path returns the request path in lower case, computed once.
func (r *Request) path() string {
	if r.lowerPath == "" {
		r.lowerPath = strings.ToLower(r.Path)
	}
	return r.lowerPath
}

// values returns the parsed query, parsed once; a malformed pair is skipped.
func (r *Request) values() url.Values {
	if !r.parsed {
		r.query, _ = url.ParseQuery(r.RawQuery)
		r.parsed = true
	}
	return r.query
}

// Matcher is a compiled Match.
type Matcher struct {
	method string   // upper case; "" for any
	path   []string // lower-case segments, "**" for any number; nil for any path
	query  []queryPattern
	tenant string
}

type queryPattern struct {
	name  string // lower case
	value string // lower-case pattern
}

// maxPatternLen bounds a path or query pattern.
const maxPatternLen = 2048

// CompileMatch checks m and compiles it. parseTenant checks a tenant name and returns
// it in canonical form. Errors name the field, under prefix.
func CompileMatch(m *Match, prefix string, parseTenant func(string) (string, error)) (Matcher, error) {
	var c Matcher
	switch meth := strings.TrimSpace(m.Method); {
	case meth == "" || meth == "*":
		m.Method = ""
	case !isToken(meth) || len(meth) > 32:
		return c, Invalid(prefix+"method", "The method '%s' is not an HTTP method such as GET or POST.", m.Method)
	default:
		m.Method = strings.ToUpper(meth)
		c.method = m.Method
	}
	if m.Path != "" {
		segs, err := compilePath(m.Path, prefix+"path")
		if err != nil {
			return c, err
		}
		c.path = segs
	}
	names := make([]string, 0, len(m.Query))
	for k := range m.Query {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, k := range names {
		v := m.Query[k]
		if k == "" || len(k) > 256 {
			return c, Invalid(prefix+"query", "A query parameter name is empty or longer than 256 characters.")
		}
		if len(v) > maxPatternLen {
			return c, Invalid(prefix+"query."+k, "The pattern of query parameter '%s' is longer than %d characters.", k, maxPatternLen)
		}
		c.query = append(c.query, queryPattern{name: strings.ToLower(k), value: strings.ToLower(v)})
	}
	if m.Tenant != "" {
		t, err := parseTenant(m.Tenant)
		if err != nil {
			return c, Invalid(prefix+"tenant", "%s", errorMessage(err))
		}
		m.Tenant = t
		c.tenant = t
	}
	return c, nil
}

// compilePath checks a path pattern and splits it into lower-case segments.
func compilePath(p, field string) ([]string, error) {
	if len(p) > maxPatternLen {
		return nil, Invalid(field, "The path pattern is longer than %d characters.", maxPatternLen)
	}
	if !strings.HasPrefix(p, "/") {
		return nil, Invalid(field, "The path pattern '%s' does not start with '/': write it as the request's path, such as /v1.0/users/*.", p)
	}
	if strings.ContainsAny(p, "?#") {
		return nil, Invalid(field, "The path pattern '%s' holds '?' or '#': match query parameters with query.", p)
	}
	segs := splitPath(strings.ToLower(p))
	for _, s := range segs {
		if s != "**" && strings.Contains(s, "**") {
			return nil, Invalid(field, "In the path pattern '%s', '**' stands for any number of segments and must be a whole segment (/v1.0/users/**); '*' matches within one.", p)
		}
	}
	return segs, nil
}

// splitPath splits a path into its segments, without the leading slash and a
// trailing one ("/" has no segment).
func splitPath(p string) []string {
	p = strings.TrimPrefix(p, "/")
	p = strings.TrimSuffix(p, "/")
	if p == "" {
		return []string{}
	}
	return strings.Split(p, "/")
}

// Match reports whether r matches.
func (c *Matcher) Match(r *Request) bool {
	if c.method != "" && !strings.EqualFold(c.method, r.Method) {
		return false
	}
	if c.tenant != "" && c.tenant != r.Tenant {
		return false
	}
	if c.path != nil && !matchSegments(c.path, splitPath(r.path())) {
		return false
	}
	if len(c.query) > 0 {
		q := r.values()
		for _, qp := range c.query {
			if !matchQuery(q, qp) {
				return false
			}
		}
	}
	return true
}

// matchQuery reports whether a parameter named as qp (case-insensitively) has a value
// that matches qp's pattern.
func matchQuery(q url.Values, qp queryPattern) bool {
	for k, vs := range q {
		if !strings.EqualFold(k, qp.name) {
			continue
		}
		for _, v := range vs {
			if glob(qp.value, strings.ToLower(v)) {
				return true
			}
		}
	}
	return false
}

// matchSegments matches path segments against pattern segments, "**" standing for any
// number of segments: the classic wildcard walk, backtracking only to the last "**",
// so that it takes at most len(pattern)*len(segs) steps.
func matchSegments(pattern, segs []string) bool {
	p, s := 0, 0
	star, mark := -1, 0
	for s < len(segs) {
		switch {
		case p < len(pattern) && pattern[p] == "**":
			star, mark = p, s
			p++
		case p < len(pattern) && glob(pattern[p], segs[s]):
			p++
			s++
		case star >= 0:
			p = star + 1
			mark++
			s = mark
		default:
			return false
		}
	}
	for p < len(pattern) && pattern[p] == "**" {
		p++
	}
	return p == len(pattern)
}

// glob matches s against a pattern in which '*' stands for any run of characters
// (bytes), with the same walk as matchSegments.
func glob(pattern, s string) bool {
	p, i := 0, 0
	star, mark := -1, 0
	for i < len(s) {
		switch {
		case p < len(pattern) && pattern[p] == '*':
			star, mark = p, i
			p++
		case p < len(pattern) && pattern[p] == s[i]:
			p++
			i++
		case star >= 0:
			p = star + 1
			mark++
			i = mark
		default:
			return false
		}
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}

// isToken reports whether s is an HTTP token (a method or a header name).
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' {
			continue
		}
		if !strings.ContainsRune("!#$%&'*+-.^_`|~", rune(c)) {
			return false
		}
	}
	return true
}
