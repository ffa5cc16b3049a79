package odata

import (
	"errors"
	"fmt"
	"net/http"
)

// The Graph errors of query options. Graph answers a malformed or invalid option with 400
// BadRequest; the messages follow those of the OData library behind Graph where they are
// known ("Could not find a property named 'x' on type 'T'", "A binary operator with
// incompatible types was detected", "Parsing OData Select and Expand failed: ..."), and add
// the position of the problem where Graph's are silent about it.

func badRequest(format string, args ...any) *Error {
	return &Error{Status: http.StatusBadRequest, Code: "BadRequest", Message: fmt.Sprintf(format, args...)}
}

// clauseError formats a parse error of an expression option:
// "Invalid filter clause: <problem> at position N in '<expression>'."
func clauseError(prefix, text string, err error) *Error {
	var se *syntaxError
	if errors.As(err, &se) {
		return badRequest("%s: %s at position %d in '%s'.", prefix, se.msg, se.pos, text)
	}
	return badRequest("%s: %s.", prefix, err.Error())
}

// ErrNodeCount answers a $filter or $search with more than limit nodes, in the words
// of the OData validator behind Graph. The query is not echoed: it may be long.
func ErrNodeCount(limit int) *Error {
	return badRequest("The query specified in the URI is not valid. The node count limit of '%d' has been exceeded.", limit)
}

// ErrOrderByCount answers an $orderby of more than limit items, in the words of the
// OData validator behind Graph.
func ErrOrderByCount(limit int) *Error {
	return badRequest("The number of clauses in $orderby query option exceeded the maximum number allowed. The maximum number of $orderby clauses allowed is %d.", limit)
}

func errFilterClause(text string, err error) *Error {
	return clauseError("Invalid filter clause", text, err)
}

func errOrderByClause(text string, err error) *Error {
	return clauseError("Invalid $orderby clause", text, err)
}

func errSearchClause(text string, err error) *Error {
	return clauseError("Invalid $search clause", text, err)
}

// errSelectExpand is the OData library's wording for $select and $expand problems, which
// Graph passes on.
func errSelectExpand(format string, args ...any) *Error {
	return badRequest("Parsing OData Select and Expand failed: "+format, args...)
}

func errDuplicateOption(name string) *Error {
	return badRequest("Query option '%s' was specified more than once, but it must be specified at most once.", name)
}

func errTopValue(raw string, maxTop int) *Error {
	return badRequest("Invalid page size specified: '%s'. Must be between 0 and %d inclusive.", raw, maxTop)
}

func errNonNegative(option, raw string) *Error {
	return badRequest("Invalid value '%s' for %s query option found. The %s query option requires a non-negative integer value.", raw, option, option)
}

func errCountValue(raw string) *Error {
	return badRequest("'%s' is not a valid count option.", raw)
}

func errFormatValue(raw string) *Error {
	return badRequest("The $format value '%s' is not supported; only json is.", raw)
}

func errEmptyOption(name string) *Error {
	return badRequest("The query option '%s' has an empty value.", name)
}
