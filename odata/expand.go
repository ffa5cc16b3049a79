package odata

import (
	"strings"

	"github.com/graph-emulator/graph-emulator/entities"
)

// ExpandItem is one navigation property of $expand.
type ExpandItem struct {
	// Name is the navigation property's name as the schema spells it.
	Name string
	// Nav is the navigation property; Nav.Target() is the type of the expanded entities.
	Nav *entities.NavigationProperty
	// Ref is true for name/$ref: the related entities' references only.
	Ref bool
	// Query holds the options given in parentheses ($select, $filter, $orderby, $top,
	// $skip, $count, $search, $expand), parsed against the target type. It is never nil;
	// Top and Skip are -1 when absent.
	Query *Query
}

// ParseExpand parses a $expand value against type t:
//
//	members
//	members($select=id,displayName;$top=5;$filter=startswith(displayName,'A'))
//	manager/$ref
//	*
//
// "*" stands for every navigation property of t. Graph expands one relationship per
// request on directory objects; that rule is the caller's: ParseExpand only parses and
// validates. Errors are *Error values (400 BadRequest).
func ParseExpand(schema *entities.Schema, t *entities.StructuredType, text string, opts QueryOptions) ([]ExpandItem, error) {
	return parseExpand(schema, t, text, opts)
}

// maxExpandDepth bounds the nesting of $expand inside $expand.
const maxExpandDepth = 4

func parseExpand(schema *entities.Schema, t *entities.StructuredType, text string, opts QueryOptions) ([]ExpandItem, error) {
	return parseExpandDepth(schema, t, text, opts, 0)
}

func parseExpandDepth(schema *entities.Schema, t *entities.StructuredType, text string, opts QueryOptions, depth int) ([]ExpandItem, error) {
	if depth > maxExpandDepth {
		return nil, errSelectExpand("$expand is nested too deeply in '%s'.", text)
	}
	parts, ok := splitTopLevel(text, ',')
	if !ok {
		return nil, errSelectExpand("Syntax error: unbalanced parentheses or quotes in '%s'.", text)
	}
	var items []ExpandItem
	for _, part := range parts {
		part = strings.TrimSpace(part)
		if part == "" {
			return nil, errSelectExpand("Syntax error: empty item in '%s'.", text)
		}
		head, inner := part, ""
		hasOptions := false
		if i := strings.IndexByte(part, '('); i >= 0 {
			if !strings.HasSuffix(part, ")") {
				return nil, errSelectExpand("Syntax error: ')' expected at the end of '%s'.", part)
			}
			head, inner, hasOptions = strings.TrimSpace(part[:i]), part[i+1:len(part)-1], true
		}
		head, ref := strings.CutSuffix(head, "/$ref")
		if head == "*" {
			if hasOptions {
				return nil, errSelectExpand("Options on '*' in $expand are not supported.")
			}
			for _, nav := range t.AllNavigationProperties() {
				items = append(items, ExpandItem{Name: nav.Name, Nav: nav, Ref: ref, Query: &Query{Top: -1, Skip: -1}})
			}
			continue
		}
		if strings.Contains(head, "/") {
			return nil, errSelectExpand("Expanding the path '%s' is not supported: name a navigation property of '%s'.", head, t.QualifiedName())
		}
		if !validIdentifier(head) {
			return nil, errSelectExpand("Syntax error: '%s' is not a valid navigation property name.", head)
		}
		nav := lookupNavigation(t, head)
		if nav == nil {
			if prop := lookupProperty(t, head); prop != nil {
				return nil, errSelectExpand("Property '%s' on type '%s' is not a navigation property or complex property. Only navigation properties can be expanded.", prop.Name, t.QualifiedName())
			}
			return nil, errSelectExpand("Could not find a property named '%s' on type '%s'.", head, t.QualifiedName())
		}
		item := ExpandItem{Name: nav.Name, Nav: nav, Ref: ref, Query: &Query{Top: -1, Skip: -1}}
		if hasOptions {
			q, err := parseExpandOptions(schema, nav.Target(), inner, opts, depth)
			if err != nil {
				return nil, err
			}
			item.Query = q
		}
		items = append(items, item)
	}
	return items, nil
}

// parseExpandOptions parses "$select=a,b;$top=5" against the expanded type.
func parseExpandOptions(schema *entities.Schema, t *entities.StructuredType, inner string, opts QueryOptions, depth int) (*Query, error) {
	parts, ok := splitTopLevel(inner, ';')
	if !ok {
		return nil, errSelectExpand("Syntax error: unbalanced parentheses or quotes in '%s'.", inner)
	}
	var list []option
	var nested string
	for _, part := range parts {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		name, value, ok := strings.Cut(part, "=")
		if !ok {
			return nil, errSelectExpand("Syntax error: '%s' is not an option of the form $name=value.", part)
		}
		name = strings.TrimSpace(name)
		canon, ok, err := systemOption(name, opts.OptionalDollar)
		if err != nil {
			return nil, err
		}
		switch {
		case !ok:
			return nil, errSelectExpand("The option '%s' is not valid inside $expand.", name)
		case canon == "$format" || canon == "$skiptoken" || canon == "$deltatoken":
			return nil, ErrQueryOption(name)
		case canon == "$expand":
			if nested != "" {
				return nil, errDuplicateOption(name)
			}
			nested = value
			if strings.TrimSpace(nested) == "" {
				return nil, errEmptyOption(name)
			}
			continue
		}
		list = append(list, option{name: name, canon: canon, value: value})
	}
	q, err := parseOptions(schema, t, list, QueryOptions{OptionalDollar: opts.OptionalDollar, MaxTop: opts.MaxTop})
	if err != nil {
		return nil, err
	}
	if nested != "" {
		if q.Expand, err = parseExpandDepth(schema, t, nested, opts, depth+1); err != nil {
			return nil, err
		}
	}
	return q, nil
}

// splitTopLevel splits s at sep outside parentheses, single-quoted literals (where a
// doubled quote stands for one) and double-quoted $search clauses (with backslash escapes). It reports
// false when parentheses or quotes do not balance.
func splitTopLevel(s string, sep byte) ([]string, bool) {
	var parts []string
	depth, start := 0, 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\'':
			j := strings.IndexByte(s[i+1:], '\'')
			if j < 0 {
				return nil, false
			}
			i += j + 1 // a doubled quote reopens the literal on the next turn
		case '"':
			j := i + 1
			for j < len(s) && s[j] != '"' {
				if s[j] == '\\' {
					j++
				}
				j++
			}
			if j >= len(s) {
				return nil, false
			}
			i = j
		case '(':
			depth++
		case ')':
			if depth--; depth < 0 {
				return nil, false
			}
		case sep:
			if depth == 0 {
				parts = append(parts, s[start:i])
				start = i + 1
			}
		}
	}
	if depth != 0 {
		return nil, false
	}
	return append(parts, s[start:]), true
}
