package odata

import (
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/graph-emulator/graph-emulator/entities"
)

// Query holds the parsed system query options of a request, validated against the type
// of the addressed collection (or entity).
type Query struct {
	// Filter is $filter, or nil.
	Filter *Filter
	// Search is $search, or nil.
	Search *Search
	// OrderBy is $orderby, or nil.
	OrderBy OrderBy
	// Select is $select: property paths in the request's order, spelled as the schema
	// spells them; nil when absent or "*" (all properties), empty but not nil when only
	// navigation properties were named. See ParseSelect, ApplySelect and SelectContext.
	Select []string
	// Expand is $expand, or nil.
	Expand []ExpandItem
	// Top and Skip are $top and $skip, -1 when absent.
	Top, Skip int
	// Count is $count=true.
	Count bool
	// Format is "json" when $format was given (the only format served), else "".
	Format string
	// SkipToken and DeltaToken are $skiptoken and $deltatoken as sent, "" when absent.
	SkipToken, DeltaToken string
}

// QueryOptions tells ParseQuery what the request may use.
type QueryOptions struct {
	// OptionalDollar accepts the system query options without their '$' prefix (filter,
	// select, top, ...), as Graph does on beta and for many APIs on v1.0. Either way,
	// other names without '$' are custom query options and are ignored, and giving an
	// option both with and without '$' is a 400.
	OptionalDollar bool
	// MaxTop is the largest $top accepted; 0 means 999, Graph's maximum for most lists.
	MaxTop int
	// Single marks a request for one entity: only $select, $expand and $format apply
	// there, and the other system query options are rejected as unsupported.
	Single bool
	// SearchTokenized tells the properties $search matches word by word (see
	// ParseSearchWith); nil means none.
	SearchTokenized func(name string) bool
	// ParseSearch, when not nil, parses $search on types it knows with the service's
	// own grammar (Outlook's KQL on messages): ok false leaves the option to
	// ParseSearchWith.
	ParseSearch func(schema *entities.Schema, t *entities.StructuredType, text string) (s *Search, ok bool, err error)
}

func (o QueryOptions) maxTop() int {
	if o.MaxTop <= 0 {
		return 999
	}
	return o.MaxTop
}

// The system query options the emulator knows, by name without '$'.
var systemOptions = map[string]bool{
	"filter": true, "select": true, "orderby": true, "top": true, "skip": true, "count": true,
	"search": true, "expand": true, "format": true, "skiptoken": true, "deltatoken": true,
}

// option is one system query option: its name as sent, its canonical name ("$filter")
// and its value.
type option struct {
	name, canon, value string
}

// ParseQuery parses and validates the query options of a request on a collection (or,
// with opts.Single, an entity) of type t. Option names are case-insensitive, as OData 4.01
// allows. An unknown '$' option, a repeated option, or an invalid value is an *Error
// (400 BadRequest) naming the option and the problem.
func ParseQuery(schema *entities.Schema, t *entities.StructuredType, q url.Values, opts QueryOptions) (*Query, error) {
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var list []option
	for _, k := range keys {
		canon, ok, err := systemOption(k, opts.OptionalDollar)
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		if len(q[k]) > 1 {
			return nil, errDuplicateOption(k)
		}
		list = append(list, option{name: k, canon: canon, value: q[k][0]})
	}
	return parseOptions(schema, t, list, opts)
}

// SplitQuery splits a raw query string into its parameters. Unlike url.ParseQuery, it
// splits at '&' only: a ';' belongs to the value, as in $expand=members($select=id;$top=5),
// which Graph's clients send unencoded. '+' stands for a space and %XX escapes are decoded;
// a malformed escape is a 400.
func SplitQuery(raw string) (url.Values, error) {
	v := url.Values{}
	for raw != "" {
		var pair string
		pair, raw, _ = strings.Cut(raw, "&")
		if pair == "" {
			continue
		}
		key, value, _ := strings.Cut(pair, "=")
		k, err := url.QueryUnescape(key)
		if err != nil {
			return nil, badRequest("The query string is malformed: %s.", err.Error())
		}
		val, err := url.QueryUnescape(value)
		if err != nil {
			return nil, badRequest("The query string is malformed: %s.", err.Error())
		}
		v[k] = append(v[k], val)
	}
	return v, nil
}

// systemOption classifies a query parameter name: a system query option (canonical name,
// true), a custom option (false), or an unknown '$' option (an error).
func systemOption(name string, optionalDollar bool) (string, bool, error) {
	bare, dollar := strings.CutPrefix(name, "$")
	bare = strings.ToLower(bare)
	switch {
	case systemOptions[bare] && (dollar || optionalDollar):
		return "$" + bare, true, nil
	case dollar:
		return "", false, ErrQueryOption(name)
	}
	return "", false, nil
}

// parseOptions validates a list of system query options against t.
func parseOptions(schema *entities.Schema, t *entities.StructuredType, list []option, opts QueryOptions) (*Query, error) {
	byName := make(map[string]option, len(list))
	for _, o := range list {
		if _, dup := byName[o.canon]; dup {
			return nil, errDuplicateOption(o.canon)
		}
		if opts.Single {
			switch o.canon {
			case "$select", "$expand", "$format":
			default:
				return nil, ErrQueryOption(o.name)
			}
		}
		byName[o.canon] = o
	}
	qr := &Query{Top: -1, Skip: -1}
	var err error
	if o, ok := byName["$filter"]; ok {
		if strings.TrimSpace(o.value) == "" {
			return nil, errEmptyOption(o.name)
		}
		if qr.Filter, err = ParseFilter(schema, t, o.value); err != nil {
			return nil, err
		}
	}
	if o, ok := byName["$search"]; ok {
		handled := false
		if opts.ParseSearch != nil {
			if qr.Search, handled, err = opts.ParseSearch(schema, t, o.value); err != nil {
				return nil, err
			}
		}
		if !handled {
			if qr.Search, err = ParseSearchWith(t, o.value, opts.SearchTokenized); err != nil {
				return nil, err
			}
		}
	}
	if o, ok := byName["$orderby"]; ok {
		if strings.TrimSpace(o.value) == "" {
			return nil, errEmptyOption(o.name)
		}
		if qr.OrderBy, err = ParseOrderBy(schema, t, o.value); err != nil {
			return nil, err
		}
	}
	if o, ok := byName["$select"]; ok {
		if qr.Select, err = ParseSelect(t, o.value); err != nil {
			return nil, err
		}
	}
	if o, ok := byName["$expand"]; ok {
		if strings.TrimSpace(o.value) == "" {
			return nil, errEmptyOption(o.name)
		}
		if qr.Expand, err = parseExpand(schema, t, o.value, opts); err != nil {
			return nil, err
		}
	}
	if o, ok := byName["$top"]; ok {
		n, ok := nonNegative(o.value)
		if !ok {
			return nil, errNonNegative("$top", o.value)
		}
		if n > opts.maxTop() {
			return nil, errTopValue(o.value, opts.maxTop())
		}
		qr.Top = n
	}
	if o, ok := byName["$skip"]; ok {
		n, ok := nonNegative(o.value)
		if !ok {
			return nil, errNonNegative("$skip", o.value)
		}
		qr.Skip = n
	}
	if o, ok := byName["$count"]; ok {
		switch strings.ToLower(strings.TrimSpace(o.value)) {
		case "true":
			qr.Count = true
		case "false":
		default:
			return nil, errCountValue(o.value)
		}
	}
	if o, ok := byName["$format"]; ok {
		v := strings.ToLower(strings.TrimSpace(o.value))
		if v != "json" && v != "application/json" && !strings.HasPrefix(v, "application/json;") {
			return nil, errFormatValue(o.value)
		}
		qr.Format = "json"
	}
	if o, ok := byName["$skiptoken"]; ok {
		if o.value == "" {
			return nil, errEmptyOption(o.name)
		}
		qr.SkipToken = o.value
	}
	if o, ok := byName["$deltatoken"]; ok {
		if o.value == "" {
			return nil, errEmptyOption(o.name)
		}
		qr.DeltaToken = o.value
	}
	return qr, nil
}

// nonNegative parses a non-negative decimal integer (no sign, no spaces); values past
// 999,999,999 are capped there.
func nonNegative(s string) (int, bool) {
	if s == "" {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return 0, false
		}
	}
	if len(s) > 9 {
		return 999_999_999, true
	}
	n, err := strconv.Atoi(s)
	return n, err == nil
}
