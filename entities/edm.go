package entities

import (
	"encoding/base64"
	"math"
	"regexp"
	"strconv"
	"time"
)

// Primitive is an Edm primitive type.
type Primitive uint8

// The Edm primitive types Graph uses.
const (
	NotPrimitive Primitive = iota
	EdmString
	EdmBoolean
	EdmByte
	EdmSByte
	EdmInt16
	EdmInt32
	EdmInt64
	EdmSingle
	EdmDouble
	EdmDecimal
	EdmDate
	EdmDateTimeOffset
	EdmTimeOfDay
	EdmDuration
	EdmGuid
	EdmBinary
	EdmStream
	EdmUntyped
)

var primitiveByName = map[string]Primitive{
	"Edm.String":         EdmString,
	"Edm.Boolean":        EdmBoolean,
	"Edm.Byte":           EdmByte,
	"Edm.SByte":          EdmSByte,
	"Edm.Int16":          EdmInt16,
	"Edm.Int32":          EdmInt32,
	"Edm.Int64":          EdmInt64,
	"Edm.Single":         EdmSingle,
	"Edm.Double":         EdmDouble,
	"Edm.Decimal":        EdmDecimal,
	"Edm.Date":           EdmDate,
	"Edm.DateTimeOffset": EdmDateTimeOffset,
	"Edm.TimeOfDay":      EdmTimeOfDay,
	"Edm.Duration":       EdmDuration,
	"Edm.Guid":           EdmGuid,
	"Edm.Binary":         EdmBinary,
	"Edm.Stream":         EdmStream,
	"Edm.Untyped":        EdmUntyped,
}

// JSONKind is the kind of JSON value a primitive takes in a payload
// (with IEEE754Compatible=false, as Graph answers).
type JSONKind uint8

// JSON value kinds.
const (
	JSONAny JSONKind = iota
	JSONString
	JSONNumber
	JSONBool
)

// JSONKind returns the kind of JSON value the primitive is written as.
func (p Primitive) JSONKind() JSONKind {
	switch p {
	case EdmBoolean:
		return JSONBool
	case EdmByte, EdmSByte, EdmInt16, EdmInt32, EdmInt64, EdmSingle, EdmDouble, EdmDecimal:
		return JSONNumber
	case EdmUntyped:
		return JSONAny
	}
	return JSONString
}

// integerRange returns the bounds of an integer primitive and whether it is one.
func (p Primitive) integerRange() (lo, hi int64, ok bool) {
	switch p {
	case EdmByte:
		return 0, math.MaxUint8, true
	case EdmSByte:
		return math.MinInt8, math.MaxInt8, true
	case EdmInt16:
		return math.MinInt16, math.MaxInt16, true
	case EdmInt32:
		return math.MinInt32, math.MaxInt32, true
	case EdmInt64:
		return math.MinInt64, math.MaxInt64, true
	}
	return 0, 0, false
}

var (
	dateRE         = regexp.MustCompile(`^-?\d{4,}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$`)
	timeOfDayRE    = regexp.MustCompile(`^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,12})?)?$`)
	durationRE     = regexp.MustCompile(`^-?P(\d+D)?(T(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$`)
	dtoNoSecondsRE = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(Z|[+-]\d{2}:\d{2})$`)
	guidRE         = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
)

// validLexical reports whether s is a valid lexical form of the string-valued primitive p.
func (p Primitive) validLexical(s string) bool {
	switch p {
	case EdmDate:
		if !dateRE.MatchString(s) {
			return false
		}
		_, err := time.Parse("2006-01-02", s)
		return err == nil || s[0] == '-' || len(s) > 10
	case EdmDateTimeOffset:
		// OData's grammar makes the seconds optional; Go's RFC 3339 parser does not.
		if dtoNoSecondsRE.MatchString(s) {
			s = s[:16] + ":00" + s[16:]
		}
		_, err := time.Parse(time.RFC3339Nano, s)
		return err == nil
	case EdmTimeOfDay:
		return timeOfDayRE.MatchString(s)
	case EdmDuration:
		return durationRE.MatchString(s) && s != "P" && s != "-P" && s[len(s)-1] != 'T'
	case EdmGuid:
		return guidRE.MatchString(s)
	case EdmBinary, EdmStream:
		if _, err := base64.StdEncoding.DecodeString(s); err == nil {
			return true
		}
		_, err := base64.RawURLEncoding.DecodeString(s)
		if err != nil {
			_, err = base64.URLEncoding.DecodeString(s)
		}
		return err == nil
	case EdmSingle, EdmDouble:
		return s == "INF" || s == "-INF" || s == "NaN"
	}
	return true
}

// validNumber reports whether the JSON number text raw fits the numeric primitive p.
// Integer types need an integral value in range; floating types any finite number.
func (p Primitive) validNumber(raw string) bool {
	if lo, hi, ok := p.integerRange(); ok {
		n, err := strconv.ParseInt(raw, 10, 64)
		return err == nil && n >= lo && n <= hi
	}
	_, err := strconv.ParseFloat(raw, 64)
	return err == nil
}
