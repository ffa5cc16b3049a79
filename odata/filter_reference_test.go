package odata_test

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/graph-emulator/graph-emulator/odata"
)

// The reference evaluator: random filters over random entities, evaluated by Match and by
// a small independent evaluator over Go values, for eq/ne/gt/ge/lt/le/and/or/not on
// integers and (ASCII) strings with nulls and absent members.

// refEntity is an entity as Go values; a missing key is an absent member, nil a null one.
type refEntity map[string]any

// refExpr is a filter as text and as a Go predicate.
type refExpr struct {
	text string
	eval func(refEntity) bool
}

var (
	refIntProps = []string{"age", "big"}
	refStrProps = []string{"displayName", "mail"}
	refStrings  = []string{"", "a", "A", "ab", "aB", "Ab", "b", "B", "ba", "_", "a'b"}
	refOps      = []string{"eq", "ne", "gt", "ge", "lt", "le"}
)

func randomEntity(r *rand.Rand, id int) refEntity {
	e := refEntity{"id": fmt.Sprintf("e%d", id)}
	for _, p := range append(append([]string(nil), refIntProps...), refStrProps...) {
		switch k := r.IntN(10); {
		case k < 2: // absent
		case k < 3:
			e[p] = nil
		default:
			if slices.Contains(refIntProps, p) {
				e[p] = int64(r.IntN(7) - 3)
			} else {
				e[p] = refStrings[r.IntN(len(refStrings))]
			}
		}
	}
	return e
}

// order compares two non-null values of one kind: integers numerically, strings
// case-insensitively (ASCII).
func order(a, b any) int {
	switch x := a.(type) {
	case int64:
		y := b.(int64)
		switch {
		case x < y:
			return -1
		case x > y:
			return 1
		}
		return 0
	}
	return strings.Compare(strings.ToUpper(a.(string)), strings.ToUpper(b.(string)))
}

func applyOp(op string, v, lit any) bool {
	if lit == nil || v == nil {
		switch op {
		case "eq":
			return v == nil && lit == nil
		case "ne":
			return !(v == nil && lit == nil)
		}
		return false
	}
	d := order(v, lit)
	switch op {
	case "eq":
		return d == 0
	case "ne":
		return d != 0
	case "gt":
		return d > 0
	case "ge":
		return d >= 0
	case "lt":
		return d < 0
	}
	return d <= 0
}

func literalText(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case int64:
		return fmt.Sprint(x)
	}
	return "'" + strings.ReplaceAll(v.(string), "'", "''") + "'"
}

func randomComparison(r *rand.Rand) refExpr {
	var prop string
	var lit any
	if r.IntN(2) == 0 {
		prop, lit = refIntProps[r.IntN(len(refIntProps))], int64(r.IntN(7)-3)
	} else {
		prop, lit = refStrProps[r.IntN(len(refStrProps))], refStrings[r.IntN(len(refStrings))]
	}
	op := refOps[r.IntN(len(refOps))]
	if r.IntN(8) == 0 {
		lit = nil
	}
	text := prop + " " + op + " " + literalText(lit)
	flipped := map[string]string{"eq": "eq", "ne": "ne", "gt": "lt", "ge": "le", "lt": "gt", "le": "ge"}
	if r.IntN(4) == 0 {
		// literal first: 'x' lt p is p gt 'x'
		text = literalText(lit) + " " + flipped[op] + " " + prop
	}
	return refExpr{text: text, eval: func(e refEntity) bool { return applyOp(op, e[prop], lit) }}
}

func randomExpr(r *rand.Rand, depth int) refExpr {
	if depth == 0 || r.IntN(3) == 0 {
		return randomComparison(r)
	}
	switch r.IntN(3) {
	case 0:
		x := randomExpr(r, depth-1)
		return refExpr{text: "not (" + x.text + ")", eval: func(e refEntity) bool { return !x.eval(e) }}
	case 1:
		l, rr := randomExpr(r, depth-1), randomExpr(r, depth-1)
		return refExpr{text: "(" + l.text + ") and (" + rr.text + ")", eval: func(e refEntity) bool { return l.eval(e) && rr.eval(e) }}
	}
	l, rr := randomExpr(r, depth-1), randomExpr(r, depth-1)
	return refExpr{text: "(" + l.text + ") or (" + rr.text + ")", eval: func(e refEntity) bool { return l.eval(e) || rr.eval(e) }}
}

func TestFilterAgainstReference(t *testing.T) {
	t.Parallel()
	schema, person := newQuerySchema(t)
	const seed = 20240501
	r := rand.New(rand.NewPCG(seed, 1))
	entities := make([]refEntity, 200)
	stored := make([][]byte, len(entities))
	for i := range entities {
		entities[i] = randomEntity(r, i)
		b, err := json.Marshal(entities[i])
		if err != nil {
			t.Fatal(err)
		}
		stored[i] = b
	}
	matches := 0
	for k := 0; k < 400; k++ {
		x := randomExpr(r, 4)
		f, err := odata.ParseFilter(schema, person, x.text)
		if err != nil {
			t.Fatalf("seed %d: ParseFilter(%q): %v", seed, x.text, err)
		}
		for i, e := range entities {
			want := x.eval(e)
			if got := f.Match(stored[i]); got != want {
				t.Fatalf("seed %d: %s on %s: Match = %v, reference = %v", seed, x.text, stored[i], got, want)
			}
			if want {
				matches++
			}
		}
	}
	// The random filters must exercise both outcomes, or the comparison proves little.
	if total := 400 * len(entities); matches < total/10 || matches > total*9/10 {
		t.Errorf("%d of %d evaluations matched: the generator is lopsided", matches, total)
	}
}
