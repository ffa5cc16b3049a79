package odata

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/tidwall/gjson"

	"github.com/graph-emulator/graph-emulator/entities"
)

// Args are the parameters of one operation call, checked against the operation's
// declared parameter types and normalized: each value is held as JSON (a function's URL
// literal converted, an action's body member as sent), enumeration members in the
// schema's spelling. The binding parameter is not among them.
type Args struct {
	names  []string
	values []string
}

// Names returns the names of the parameters given, in the operation's declared order.
func (a *Args) Names() []string {
	if a == nil {
		return nil
	}
	return a.names
}

// Raw returns the JSON value of the parameter name ("null" for an explicit null) and
// whether it was given.
func (a *Args) Raw(name string) (string, bool) {
	if a == nil {
		return "", false
	}
	for i, n := range a.names {
		if n == name {
			return a.values[i], true
		}
	}
	return "", false
}

// Has reports whether the parameter name was given a value other than null.
func (a *Args) Has(name string) bool {
	raw, ok := a.Raw(name)
	return ok && raw != "null"
}

// Get returns the parameter's value (a zero gjson.Result when absent).
func (a *Args) Get(name string) gjson.Result {
	raw, _ := a.Raw(name)
	return gjson.Parse(raw)
}

// String returns the text of a string (or enumeration, date, guid...) parameter, or "".
func (a *Args) String(name string) string { return a.Get(name).String() }

// Strings returns the elements of a collection parameter as text (nil when absent).
func (a *Args) Strings(name string) []string {
	v := a.Get(name)
	if !v.IsArray() {
		return nil
	}
	arr := v.Array()
	out := make([]string, 0, len(arr))
	for _, e := range arr {
		out = append(out, e.String())
	}
	return out
}

func (a *Args) add(name, value string) {
	a.names = append(a.names, name)
	a.values = append(a.values, value)
}

// paramError is the error of a parameter that is missing, unknown or of the wrong type:
// 400, its detail's target naming the parameter.
func paramError(param, msg, reason string) *Error {
	return &Error{Status: http.StatusBadRequest, Code: "BadRequest", Message: msg,
		Details: []ErrorDetail{{Code: "InvalidParameter", Message: reason, Target: param}}}
}

// where names where an operation's parameters come from: a function's in the request
// URL, an action's in its payload.
func where(inURL bool) string {
	if inURL {
		return "request URL"
	}
	return "request payload"
}

// ErrParamMissing answers a call without a value for non-nullable parameters; inURL
// tells a function's call from an action's.
func ErrParamMissing(op string, inURL bool, params ...string) *Error {
	return paramError(strings.Join(params, ","), fmt.Sprintf(
		"One or more parameters of the operation '%s' are missing from the %s. The missing parameters are: %s.",
		op, where(inURL), strings.Join(params, ", ")), "The parameter is required.")
}

// ErrParamUnknown answers a parameter the operation does not declare.
func ErrParamUnknown(op, param string, inURL bool) *Error {
	return paramError(param, fmt.Sprintf(
		"The parameter '%s' in the %s is not a valid parameter for the operation '%s'.", param, where(inURL), op),
		"The operation declares no such parameter.")
}

// ErrParamNull answers null for a non-nullable parameter.
func ErrParamNull(op, param string) *Error {
	return paramError(param, fmt.Sprintf(
		"A null value was found for the parameter '%s' of the operation '%s'; the parameter is not nullable.", param, op),
		"The parameter is not nullable.")
}

// ErrParamDuplicate answers a parameter given twice.
func ErrParamDuplicate(op, param string) *Error {
	return paramError(param, fmt.Sprintf(
		"Multiple values were given for the parameter '%s' of the operation '%s'.", param, op),
		"The parameter is given more than once.")
}

// ErrParamValue answers a parameter value that does not fit the parameter's type.
func ErrParamValue(op, param, literal, typ string) *Error {
	return paramError(param, fmt.Sprintf(
		"Invalid value specified for parameter '%s' of operation '%s'. Cannot convert the literal '%s' to the expected type '%s'.",
		param, op, shorten(literal), typ), "The value is not of the parameter's type.")
}

func shorten(s string) string {
	const max = 64
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && s[cut]&0xC0 == 0x80 {
		cut--
	}
	return s[:cut] + "…"
}

// declared returns the operation's parameters after the binding parameter.
func declared(op *entities.Operation) []entities.Parameter {
	if op.IsBound && len(op.Parameters) > 0 {
		return op.Parameters[1:]
	}
	return op.Parameters
}

// findParam returns the declared parameter named name: exactly, else ignoring case.
func findParam(params []entities.Parameter, name string) *entities.Parameter {
	for i := range params {
		if params[i].Name == name {
			return &params[i]
		}
	}
	for i := range params {
		if strings.EqualFold(params[i].Name, name) {
			return &params[i]
		}
	}
	return nil
}

// ParamAliases reads a parameter alias's value: the query string's @name, and whether
// it was given. Nil means no aliases.
type ParamAliases func(name string) (string, bool)

// FunctionArgs checks a function call's parameters, as the URL gives them (name ->
// literal, from Segment.Params; nil when the segment had no parentheses), against the
// overloads ops of one function, and returns the overload they fit and its Args. A
// literal "@x" is a parameter alias whose value aliases gives; an alias without a value
// is null, as OData says. Literals are those of OData's URL syntax: 'text' with doubled
// quotes, numbers, true/false, null, dates, times and GUIDs bare, enumeration members
// quoted (optionally after the type's name), collections and complex values as JSON.
//
// When no overload fits, the error is about the overload that fits best: an unknown
// parameter, a missing non-nullable one, or a value that does not fit its type (400,
// naming the parameter).
func FunctionArgs(schema *entities.Schema, ops []*entities.Operation, params map[string]string, aliases ParamAliases) (*entities.Operation, *Args, error) {
	if len(ops) == 0 {
		return nil, nil, ErrInternal()
	}
	best, bestScore := ops[0], -1
	for _, op := range ops {
		score, fits := overloadScore(op, params)
		if fits {
			best = op
			break
		}
		if score > bestScore {
			best, bestScore = op, score
		}
	}
	args, err := functionArgs(schema, best, params, aliases)
	return best, args, err
}

// overloadScore tells how well params fit op: the number of names it declares minus
// those it does not; fits when every name is declared and every non-nullable parameter
// given.
func overloadScore(op *entities.Operation, params map[string]string) (int, bool) {
	decl := declared(op)
	score, fits := 0, true
	for name := range params {
		if findParam(decl, name) != nil {
			score++
		} else {
			score -= 2
			fits = false
		}
	}
	for _, p := range decl {
		if p.NotNull {
			if _, ok := lookupFold(params, p.Name); !ok {
				fits = false
			}
		}
	}
	return score, fits
}

func lookupFold(params map[string]string, name string) (string, bool) {
	if v, ok := params[name]; ok {
		return v, true
	}
	for k, v := range params {
		if strings.EqualFold(k, name) {
			return v, true
		}
	}
	return "", false
}

func functionArgs(schema *entities.Schema, op *entities.Operation, params map[string]string, aliases ParamAliases) (*Args, error) {
	decl := declared(op)
	for name := range params {
		if findParam(decl, name) == nil {
			return nil, ErrParamUnknown(op.Name, name, true)
		}
	}
	var missing []string
	args := &Args{}
	for _, p := range decl {
		lit, ok := lookupFold(params, p.Name)
		if !ok {
			if p.NotNull {
				missing = append(missing, p.Name)
			}
			continue
		}
		if strings.HasPrefix(lit, "@") {
			var given bool
			if aliases != nil {
				lit, given = aliases(lit[1:])
			}
			if !given {
				lit = "null"
			}
		}
		v, err := ParamLiteral(schema, op.Name, p, lit)
		if err != nil {
			return nil, err
		}
		args.add(p.Name, v)
	}
	if len(missing) > 0 {
		return nil, ErrParamMissing(op.Name, true, missing...)
	}
	return args, nil
}

// ParamLiteral converts the URL literal of a function parameter to JSON and checks it
// against the parameter's type; the error names the parameter (400).
func ParamLiteral(schema *entities.Schema, op string, p entities.Parameter, lit string) (string, error) {
	ref, err := schema.TypeOf(p.Type)
	if err != nil {
		// A parameter of a type the schema does not know takes any JSON-able literal.
		ref = entities.TypeRef{Primitive: entities.EdmUntyped}
	}
	lit = strings.TrimSpace(lit)
	if lit == "null" {
		if p.NotNull {
			return "", ErrParamNull(op, p.Name)
		}
		return "null", nil
	}
	v, ok := literalJSON(ref, lit)
	if !ok {
		return "", ErrParamValue(op, p.Name, lit, p.Type)
	}
	return checkValue(schema, op, p, ref, v, entities.ReadOptions{Strict: true})
}

// checkValue validates one JSON value of a parameter and returns it normalized
// (enumeration members, at any depth, in the schema's spelling).
func checkValue(schema *entities.Schema, op string, p entities.Parameter, ref entities.TypeRef, v string, opts entities.ReadOptions) (string, error) {
	if v == "null" {
		if p.NotNull {
			return "", ErrParamNull(op, p.Name)
		}
		return v, nil
	}
	if ref.Primitive == entities.EdmBoolean && !ref.Collection && !opts.Strict {
		// Graph reads a boolean parameter sent as a string, as its docs send it
		// ("saveToSentItems": "false" in user-sendmail.md).
		switch strings.ToLower(v) {
		case `"true"`:
			v = "true"
		case `"false"`:
			v = "false"
		}
	}
	v, err := schema.ReadValue(entities.ValueCheck{Name: p.Name, Owner: op, Type: ref, NotNull: p.NotNull}, v, opts)
	if err == nil {
		return v, nil
	}
	var inv *entities.InvalidValueError
	if errors.As(err, &inv) {
		return "", ErrParamValue(op, p.Name, inv.Literal, p.Type)
	}
	if ge, ok := FromPayloadError(err); ok {
		ge.Details = append(ge.Details, ErrorDetail{Code: "InvalidParameter", Message: "The parameter's value is not valid.", Target: p.Name})
		return "", ge
	}
	return "", ErrParamValue(op, p.Name, v, p.Type)
}

// literalJSON converts an OData URL literal of type ref to JSON.
func literalJSON(ref entities.TypeRef, lit string) (string, bool) {
	if lit == "" {
		return "", false
	}
	if ref.Collection || ref.Structured != nil {
		if (lit[0] == '[' || lit[0] == '{') && gjson.Valid(lit) {
			return lit, true
		}
		return "", false
	}
	if ref.Enum != nil {
		// 'member' or Namespace.Type'member'.
		if i := strings.IndexByte(lit, '\''); i > 0 {
			prefix := lit[:i]
			if !strings.EqualFold(prefix, ref.Enum.QualifiedName()) && !strings.EqualFold(prefix, ref.Enum.Name) &&
				!strings.HasSuffix(strings.ToLower(prefix), "."+strings.ToLower(ref.Enum.Name)) {
				return "", false
			}
			lit = lit[i:]
		}
		return quotedJSON(lit)
	}
	p := ref.Primitive
	switch p {
	case entities.EdmString:
		return quotedJSON(lit)
	case entities.EdmBoolean:
		switch strings.ToLower(lit) {
		case "true":
			return "true", true
		case "false":
			return "false", true
		}
		return "", false
	case entities.EdmByte, entities.EdmSByte, entities.EdmInt16, entities.EdmInt32, entities.EdmInt64:
		n, err := strconv.ParseInt(strings.TrimPrefix(lit, "+"), 10, 64)
		if err != nil {
			return "", false
		}
		s := strconv.FormatInt(n, 10)
		return s, p.ValidNumber(s)
	case entities.EdmSingle, entities.EdmDouble, entities.EdmDecimal:
		if lit == "INF" || lit == "-INF" || lit == "NaN" {
			if p == entities.EdmDecimal {
				return "", false
			}
			return `"` + lit + `"`, true
		}
		t := strings.TrimPrefix(lit, "+")
		f, err := strconv.ParseFloat(t, 64)
		if err != nil || strings.ContainsAny(t, "xXpP_") || strings.EqualFold(t, "inf") || strings.EqualFold(t, "infinity") || f != f {
			return "", false
		}
		if !gjson.Valid(t) {
			// Forms JSON does not take (".5", "1."): written again.
			t = strconv.FormatFloat(f, 'g', -1, 64)
		}
		return t, true
	case entities.EdmDate, entities.EdmDateTimeOffset, entities.EdmTimeOfDay, entities.EdmGuid:
		if !p.ValidLexical(lit) {
			return "", false
		}
		return string(AppendString(nil, lit)), true
	case entities.EdmDuration:
		lit = trimTypePrefix(lit, "duration")
		s, ok := quotedText(lit)
		if !ok || !p.ValidLexical(s) {
			return "", false
		}
		return string(AppendString(nil, s)), true
	case entities.EdmBinary:
		lit = trimTypePrefix(lit, "binary")
		s, ok := quotedText(lit)
		if !ok || !p.ValidLexical(s) {
			return "", false
		}
		return string(AppendString(nil, s)), true
	case entities.EdmUntyped:
		switch {
		case lit[0] == '\'':
			return quotedJSON(lit)
		case lit == "true" || lit == "false":
			return lit, true
		case (lit[0] == '[' || lit[0] == '{') && gjson.Valid(lit):
			return lit, true
		}
		t := strings.TrimPrefix(lit, "+")
		if _, err := strconv.ParseFloat(t, 64); err == nil && gjson.Valid(t) {
			return t, true
		}
		return "", false
	}
	return "", false
}

// trimTypePrefix removes a type prefix (duration'P1D', binary'...') ignoring case.
func trimTypePrefix(lit, prefix string) string {
	if len(lit) > len(prefix) && strings.EqualFold(lit[:len(prefix)], prefix) && lit[len(prefix)] == '\'' {
		return lit[len(prefix):]
	}
	return lit
}

// quotedText reads a whole 'quoted' literal with doubled quotes.
func quotedText(lit string) (string, bool) {
	s, rest, ok := readQuoted(lit)
	return s, ok && rest == ""
}

// quotedJSON converts a whole 'quoted' literal to a JSON string.
func quotedJSON(lit string) (string, bool) {
	s, ok := quotedText(lit)
	if !ok {
		return "", false
	}
	return string(AppendString(nil, s)), true
}

// ActionArgs checks an action's JSON body against its declared parameters and returns
// its Args. An empty body is no parameters. Members that are annotations (@odata.type,
// ...) are ignored; a member the action does not declare, a missing non-nullable
// parameter or a value that does not fit its type is a 400 naming the parameter. The
// values are validated as entity payloads are (opts.Strict adds Edm lexical forms).
func ActionArgs(schema *entities.Schema, op *entities.Operation, body []byte, opts entities.ReadOptions) (*Args, error) {
	decl := declared(op)
	args := &Args{}
	var root gjson.Result
	if len(strings.TrimSpace(string(body))) > 0 {
		if !gjson.ValidBytes(body) {
			return nil, ErrUnreadableJSON()
		}
		root = gjson.ParseBytes(body)
		if !root.IsObject() {
			ge, _ := FromPayloadError(&entities.NotObjectError{Kind: entities.JSONKindName(root)})
			return nil, ge
		}
	}
	given := map[string]string{}
	var err error
	root.ForEach(func(k, v gjson.Result) bool {
		name := k.String()
		if strings.IndexByte(name, '@') >= 0 {
			return true
		}
		p := findParam(decl, name)
		if p == nil {
			err = ErrParamUnknown(op.Name, name, false)
			return false
		}
		if _, dup := given[p.Name]; dup {
			err = ErrParamDuplicate(op.Name, p.Name)
			return false
		}
		given[p.Name] = v.Raw
		return true
	})
	if err != nil {
		return nil, err
	}
	var missing []string
	for _, p := range decl {
		raw, ok := given[p.Name]
		if !ok {
			if p.NotNull {
				missing = append(missing, p.Name)
			}
			continue
		}
		ref, rerr := schema.TypeOf(p.Type)
		if rerr != nil {
			ref = entities.TypeRef{Primitive: entities.EdmUntyped}
		}
		v, err := checkValue(schema, op.Name, p, ref, raw, opts)
		if err != nil {
			return nil, err
		}
		args.add(p.Name, v)
	}
	if len(missing) > 0 {
		return nil, ErrParamMissing(op.Name, false, missing...)
	}
	return args, nil
}
