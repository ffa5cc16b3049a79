package faults

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/graph-emulator/graph-emulator/odata"
)

// Invalid is the 400 that answers a malformed rule or stub: Graph's error shape, the
// message naming the field, and a detail whose target is the field.
func Invalid(field, format string, args ...any) *odata.Error {
	msg := fmt.Sprintf(format, args...)
	if field != "" {
		msg = field + ": " + msg
	}
	return &odata.Error{Status: http.StatusBadRequest, Code: "BadRequest", Message: msg,
		Details: []odata.ErrorDetail{{Code: "InvalidRule", Message: msg, Target: field}}}
}

// errorMessage is an error's message: a Graph error's message alone.
func errorMessage(err error) string {
	var ge *odata.Error
	if errors.As(err, &ge) {
		return ge.Message
	}
	return err.Error()
}

// fieldError is an error in a member of a rule, found while decoding it.
type fieldError struct {
	field string
	msg   string
}

func (e *fieldError) Error() string { return e.field + ": " + e.msg }

// DecodeList decodes JSON that holds one object or an array of them into a list of T,
// refusing unknown members. what names the objects in messages ("fault rule"). A
// malformed document is a 400 naming the member at fault, prefixed with its index
// ("[2].latency.delay") when the document is an array. It is the decoder of fault rules
// and of stubs.
func DecodeList[T any](data []byte, what string) ([]T, error) {
	data = bytes.TrimSpace(data)
	if len(data) == 0 {
		return nil, Invalid("", "The body is empty: send a %s (a JSON object) or an array of them.", what)
	}
	if data[0] != '[' {
		var v T
		if err := decodeStrict(data, &v); err != nil {
			return nil, decodeError(err, "", what, data, reflect.TypeFor[T]())
		}
		return []T{v}, nil
	}
	var raws []json.RawMessage
	if err := json.Unmarshal(data, &raws); err != nil {
		return nil, decodeError(err, "", what, nil, nil)
	}
	out := make([]T, len(raws))
	for i, raw := range raws {
		if err := decodeStrict(raw, &out[i]); err != nil {
			return nil, decodeError(err, fmt.Sprintf("[%d]", i), what, raw, reflect.TypeFor[T]())
		}
	}
	return out, nil
}

// decodeStrict decodes one JSON value into v, refusing unknown members and anything
// after the value.
func decodeStrict(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("unexpected data after the JSON value")
	}
	return nil
}

// decodeError turns a decoding error into a 400 naming the member, under prefix. data
// and t, the document and the type it was decoded into, find where an unknown member
// is.
func decodeError(err error, prefix, what string, data []byte, t reflect.Type) *odata.Error {
	join := func(f string) string {
		if prefix == "" {
			return f
		}
		if f == "" {
			return prefix
		}
		return prefix + "." + f
	}
	var (
		fe  *fieldError
		te  *json.UnmarshalTypeError
		se  *json.SyntaxError
		ge  *odata.Error
		msg = err.Error()
	)
	switch {
	case errors.As(err, &ge):
		return ge
	case errors.As(err, &fe):
		return Invalid(join(fe.field), "%s", fe.msg)
	case errors.As(err, &te):
		// The path names an embedded struct by its Go name: Match.method.
		field := strings.TrimPrefix(strings.ReplaceAll("."+te.Field, ".Match.", "."), ".")
		if t != nil && field != "" {
			// Find it in the document, for the index of an array item that
			// encoding/json leaves out ("responses.status" for "responses[1].status").
			var v any
			if json.Unmarshal(data, &v) == nil {
				if p, want, got := mismatch(v, t, ""); p != "" {
					return Invalid(join(p), "Want %s, not %s.", want, got)
				}
			}
		}
		if field == "" {
			return Invalid(prefix, "A %s is a JSON object, not %s.", what, jsonKind(te.Value))
		}
		return Invalid(join(field), "Want %s, not %s.", goKind(te.Type), jsonKind(te.Value))
	case errors.As(err, &se):
		return Invalid(prefix, "The %s is not valid JSON: %s (at byte %d).", what, strings.TrimPrefix(msg, "json: "), se.Offset)
	case strings.HasPrefix(msg, "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(msg, "json: unknown field "), `"`)
		field := name
		if t != nil {
			var v any
			if json.Unmarshal(data, &v) == nil {
				if p := unknownMember(v, t, ""); p != "" {
					field = p
				}
			}
		}
		if field == name {
			return Invalid(join(field), "A %s has no member '%s'.", what, name)
		}
		return Invalid(join(field), "There is no member '%s' here.", name)
	case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
		return Invalid(prefix, "The %s is not valid JSON: it ends too early.", what)
	}
	return Invalid(prefix, "The %s cannot be read: %s.", what, strings.TrimPrefix(msg, "json: "))
}

// jsonKind names the JSON kind an UnmarshalTypeError saw ("number", "string"...).
func jsonKind(v string) string {
	switch {
	case v == "number" || strings.HasPrefix(v, "number "):
		return "a number"
	case v == "string":
		return "a string"
	case v == "bool":
		return "true or false"
	case v == "array":
		return "an array"
	case v == "object":
		return "an object"
	}
	return v
}

// goKind names the JSON kind a Go type is written as.
func goKind(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	k := t.Kind().String()
	switch {
	case k == "string":
		return "a string"
	case strings.HasPrefix(k, "int"), strings.HasPrefix(k, "uint"):
		return "an integer"
	case strings.HasPrefix(k, "float"):
		return "a number"
	case k == "bool":
		return "true or false"
	case k == "map", k == "struct":
		return "an object"
	case k == "slice":
		return "an array"
	}
	return "another kind of value"
}

// decodeMember decodes a member of a rule that has a JSON form of its own (latency,
// rateLimit) strictly, naming field in its errors.
func decodeMember(b []byte, v any, field string) error {
	err := decodeStrict(b, v)
	if err == nil {
		return nil
	}
	var te *json.UnmarshalTypeError
	msg := err.Error()
	switch {
	case errors.As(err, &te) && te.Field != "":
		return &fieldError{field: field + "." + te.Field, msg: fmt.Sprintf("Want %s, not %s.", goKind(te.Type), jsonKind(te.Value))}
	case errors.As(err, &te):
		return &fieldError{field: field, msg: fmt.Sprintf("Want an object, not %s.", jsonKind(te.Value))}
	case strings.HasPrefix(msg, "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(msg, "json: unknown field "), `"`)
		return &fieldError{field: field + "." + name, msg: fmt.Sprintf("There is no member '%s' in %s.", name, field)}
	}
	return &fieldError{field: field, msg: strings.TrimPrefix(msg, "json: ")}
}

// parseDuration reads a Go duration string ("" is zero).
func parseDuration(s, field string) (time.Duration, error) {
	if s == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, &fieldError{field: field, msg: fmt.Sprintf("'%s' is not a duration such as \"250ms\", \"2s\" or \"1m\".", s)}
	}
	return d, nil
}

var unmarshalerType = reflect.TypeFor[json.Unmarshaler]()

// unknownMember returns the path ("response.code") of the first member of v, a decoded
// JSON document, that t has no field for; "" when there is none.
func unknownMember(v any, t reflect.Type, path string) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if reflect.PointerTo(t).Implements(unmarshalerType) {
		return "" // it names its own members (Latency, RateLimit)
	}
	join := func(k string) string {
		if path == "" {
			return k
		}
		return path + "." + k
	}
	switch x := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		switch t.Kind() {
		case reflect.Struct:
			fields := jsonFields(t, nil)
			for _, k := range keys {
				ft, ok := fields[k]
				if !ok {
					for name, typ := range fields {
						if strings.EqualFold(name, k) {
							ft, ok = typ, true
							break
						}
					}
				}
				if !ok {
					return join(k)
				}
				if p := unknownMember(x[k], ft, join(k)); p != "" {
					return p
				}
			}
		case reflect.Map:
			for _, k := range keys {
				if p := unknownMember(x[k], t.Elem(), join(k)); p != "" {
					return p
				}
			}
		}
	case []any:
		if t.Kind() == reflect.Slice {
			for i, e := range x {
				if p := unknownMember(e, t.Elem(), fmt.Sprintf("%s[%d]", path, i)); p != "" {
					return p
				}
			}
		}
	}
	return ""
}

// jsonFields maps the JSON names of a struct's fields, embedded structs' inlined, to
// their types.
func jsonFields(t reflect.Type, into map[string]reflect.Type) map[string]reflect.Type {
	if into == nil {
		into = map[string]reflect.Type{}
	}
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		if f.Anonymous && name == "" && f.Type.Kind() == reflect.Struct {
			jsonFields(f.Type, into)
			continue
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		into[name] = f.Type
	}
	return into
}

// mismatch returns the path of the first value of v, a decoded JSON document, whose
// JSON kind t cannot hold, with the kind wanted and the kind found; "" when there is
// none. Members t has no field for are skipped (unknownMember finds them).
func mismatch(v any, t reflect.Type, path string) (field, want, got string) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if v == nil || reflect.PointerTo(t).Implements(unmarshalerType) || t.Kind() == reflect.Interface {
		return "", "", ""
	}
	join := func(k string) string {
		if path == "" {
			return k
		}
		return path + "." + k
	}
	wrong := func(got string) (string, string, string) { return path, goKind(t), got }
	switch x := v.(type) {
	case map[string]any:
		keys := slices.Sorted(maps.Keys(x))
		switch t.Kind() {
		case reflect.Struct:
			fields := jsonFields(t, nil)
			for _, k := range keys {
				if ft, ok := fields[k]; ok {
					if p, w, g := mismatch(x[k], ft, join(k)); p != "" {
						return p, w, g
					}
				}
			}
		case reflect.Map:
			for _, k := range keys {
				if p, w, g := mismatch(x[k], t.Elem(), join(k)); p != "" {
					return p, w, g
				}
			}
		default:
			return wrong("an object")
		}
	case []any:
		if t.Kind() != reflect.Slice {
			return wrong("an array")
		}
		for i, e := range x {
			if p, w, g := mismatch(e, t.Elem(), fmt.Sprintf("%s[%d]", path, i)); p != "" {
				return p, w, g
			}
		}
	case string:
		if t.Kind() != reflect.String {
			return wrong("a string")
		}
	case bool:
		if t.Kind() != reflect.Bool {
			return wrong("true or false")
		}
	case float64:
		switch k := t.Kind(); {
		case k == reflect.Float32 || k == reflect.Float64:
		case k >= reflect.Int && k <= reflect.Int64:
			if x != math.Trunc(x) || math.Abs(x) >= 1<<63 || reflect.New(t).Elem().OverflowInt(int64(x)) {
				return wrong("the number " + strconv.FormatFloat(x, 'g', -1, 64))
			}
		case k >= reflect.Uint && k <= reflect.Uintptr:
			if x != math.Trunc(x) || x < 0 || x >= 1<<64 || reflect.New(t).Elem().OverflowUint(uint64(x)) {
				return wrong("the number " + strconv.FormatFloat(x, 'g', -1, 64))
			}
		default:
			return wrong("a number")
		}
	}
	return "", "", ""
}
