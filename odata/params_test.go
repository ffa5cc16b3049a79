package odata_test

import (
	"errors"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/tidwall/gjson"

	"github.com/graph-emulator/graph-emulator/entities"
	"github.com/graph-emulator/graph-emulator/odata"
)

// newOpSchema is a schema with functions and actions of every kind of parameter type.
func newOpSchema(tb testing.TB) *entities.Schema {
	tb.Helper()
	s := entities.NewSchema("ops")
	must := func(err error) {
		tb.Helper()
		if err != nil {
			tb.Fatal(err)
		}
	}
	must(s.AddType(&entities.StructuredType{Name: "entity", Kind: entities.KindEntity, Key: []string{"id"},
		Properties: []*entities.Property{{Name: "id", Type: "Edm.String", NotNull: true}}}))
	must(s.AddType(&entities.StructuredType{Name: "range", Kind: entities.KindComplex,
		Properties: []*entities.Property{{Name: "start", Type: "Edm.Int32"}, {Name: "end", Type: "Edm.Int32"}}}))
	must(s.AddEnum(&entities.EnumType{Name: "color", Members: []string{"red", "darkBlue"}}))
	must(s.AddEntitySet("things", "ops.entity"))
	p := func(name, typ string, notNull bool) entities.Parameter {
		return entities.Parameter{Name: name, Type: typ, NotNull: notNull}
	}
	bind := p("bindingParameter", "ops.entity", true)
	must(s.AddOperation(&entities.Operation{Name: "report", Kind: entities.Function, IsBound: true,
		Parameters: []entities.Parameter{bind, p("period", "Edm.String", true)}}))
	must(s.AddOperation(&entities.Operation{Name: "report", Kind: entities.Function, IsBound: true,
		Parameters: []entities.Parameter{bind, p("date", "Edm.Date", true)}}))
	must(s.AddOperation(&entities.Operation{Name: "typed", Kind: entities.Function, IsBound: true,
		Parameters: []entities.Parameter{bind, p("n", "Edm.Int32", false), p("b", "Edm.Boolean", false),
			p("d", "Edm.Double", false), p("g", "Edm.Guid", false), p("c", "ops.color", false),
			p("list", "Collection(Edm.String)", false), p("r", "ops.range", false), p("dur", "Edm.Duration", false),
			p("t", "Edm.DateTimeOffset", false), p("u", "Edm.Untyped", false), p("s", "Edm.String", false),
			p("cs", "Collection(ops.color)", false)}}))
	must(s.AddOperation(&entities.Operation{Name: "getByIds", Kind: entities.Action, IsBound: true,
		Parameters: []entities.Parameter{bind, p("ids", "Collection(Edm.String)", true), p("types", "Collection(Edm.String)", false),
			p("color", "ops.color", false), p("when", "Edm.Date", false)}}))
	must(s.Resolve())
	return s
}

func ops(s *entities.Schema, name string) []*entities.Operation {
	return s.BoundOperations(s.EntityType("ops.entity"), false, name)
}

// parseArgs parses "name(args)" as a path segment and checks its parameters.
func parseArgs(t *testing.T, s *entities.Schema, segment, query string) (*entities.Operation, *odata.Args, error) {
	t.Helper()
	p, err := odata.ParsePath(s, "things/x/"+segment)
	if err != nil {
		return nil, nil, err
	}
	q, _ := url.ParseQuery(query)
	aliases := func(name string) (string, bool) {
		v, ok := q["@"+name]
		if !ok {
			return "", false
		}
		return v[0], true
	}
	last := p.Last()
	return odata.FunctionArgs(s, last.Operations, last.Params, aliases)
}

func TestFunctionArgs(t *testing.T) {
	t.Parallel()
	s := newOpSchema(t)
	cases := []struct {
		name, segment, query string
		want                 map[string]string // parameter -> JSON
		overload             string            // the parameter telling the overload
		target, msg          string            // the error's detail target and message start
	}{
		{name: "string", segment: "report(period='D7')", want: map[string]string{"period": `"D7"`}, overload: "period"},
		{name: "doubled quote", segment: "report(period='O''Brien')", want: map[string]string{"period": `"O'Brien"`}},
		{name: "date overload", segment: "report(date=2024-01-31)", want: map[string]string{"date": `"2024-01-31"`}, overload: "date"},
		{name: "alias", segment: "report(period=@p)", query: "@p='D30'", want: map[string]string{"period": `"D30"`}},
		{name: "alias missing is null", segment: "report(period=@p)", target: "period", msg: "A null value was found for the parameter 'period'"},
		{name: "alias wrong type", segment: "report(period=@p)", query: "@p=7", target: "period", msg: "Invalid value specified for parameter 'period'"},
		{name: "missing", segment: "report()", target: "period", msg: "One or more parameters of the operation 'report' are missing"},
		{name: "no parens", segment: "report", target: "period", msg: "One or more parameters"},
		{name: "unknown", segment: "report(period='D7',extra=1)", target: "extra", msg: "The parameter 'extra' in the request URL is not a valid parameter for the operation 'report'."},
		{name: "unquoted string", segment: "report(period=D7)", target: "period", msg: "Invalid value specified for parameter 'period' of operation 'report'. Cannot convert the literal 'D7' to the expected type 'Edm.String'."},
		{name: "bad date", segment: "report(date=2024-13-01)", target: "date"},
		{name: "quoted date", segment: "report(date='2024-01-31')", target: "date"},
		{name: "null non-nullable", segment: "report(period=null)", target: "period"},
		{name: "case-insensitive name", segment: "report(PERIOD='D7')", want: map[string]string{"period": `"D7"`}},
		{name: "int", segment: "typed(n=42)", want: map[string]string{"n": "42"}},
		{name: "int plus", segment: "typed(n=+7)", want: map[string]string{"n": "7"}},
		{name: "int overflow", segment: "typed(n=2147483648)", target: "n"},
		{name: "int not int", segment: "typed(n=1.5)", target: "n"},
		{name: "bool", segment: "typed(b=TRUE)", want: map[string]string{"b": "true"}},
		{name: "bool bad", segment: "typed(b=yes)", target: "b"},
		{name: "double", segment: "typed(d=-1.5e3)", want: map[string]string{"d": "-1.5e3"}},
		{name: "double INF", segment: "typed(d=INF)", want: map[string]string{"d": `"INF"`}},
		{name: "double dot", segment: "typed(d=.5)", want: map[string]string{"d": "0.5"}},
		{name: "guid", segment: "typed(g=01234567-89ab-cdef-0123-456789abcdef)", want: map[string]string{"g": `"01234567-89ab-cdef-0123-456789abcdef"`}},
		{name: "guid bad", segment: "typed(g=nope)", target: "g"},
		{name: "enum", segment: "typed(c='DARKBLUE')", want: map[string]string{"c": `"darkBlue"`}},
		{name: "enum qualified", segment: "typed(c=ops.color'red')", want: map[string]string{"c": `"red"`}},
		{name: "enum other type", segment: "typed(c=ops.other'red')", target: "c"},
		{name: "enum unknown", segment: "typed(c='green')", target: "c"},
		{name: "enum collection", segment: `typed(cs=["RED","darkblue"])`, want: map[string]string{"cs": `["red","darkBlue"]`}},
		{name: "collection", segment: `typed(list=["a","b,c"])`, want: map[string]string{"list": `["a","b,c"]`}},
		{name: "collection wrong element", segment: `typed(list=[1])`, target: "list"},
		{name: "collection alias", segment: "typed(list=@l)", query: `@l=["x"]`, want: map[string]string{"list": `["x"]`}},
		{name: "complex", segment: `typed(r={"start":1,"end":2})`, want: map[string]string{"r": `{"start":1,"end":2}`}},
		{name: "complex unknown member", segment: `typed(r={"middle":1})`, target: "r"},
		{name: "duration", segment: "typed(dur=duration'P1D')", want: map[string]string{"dur": `"P1D"`}},
		{name: "duration bare quotes", segment: "typed(dur='PT1H')", want: map[string]string{"dur": `"PT1H"`}},
		{name: "datetimeoffset", segment: "typed(t=2024-01-31T10:00:00Z)", want: map[string]string{"t": `"2024-01-31T10:00:00Z"`}},
		{name: "untyped", segment: "typed(u='x',s='y')", want: map[string]string{"u": `"x"`, "s": `"y"`}},
		{name: "nullable null", segment: "typed(s=null)", want: map[string]string{"s": "null"}},
		{name: "nullable omitted", segment: "typed()", want: map[string]string{}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			op, args, err := parseArgs(t, s, tc.segment, tc.query)
			if tc.want == nil {
				var ge *odata.Error
				if !errors.As(err, &ge) || ge.Status != 400 || len(ge.Details) == 0 || ge.Details[0].Target != tc.target ||
					!strings.HasPrefix(ge.Message, tc.msg) {
					t.Fatalf("got %v (%+v), want 400 naming %q, message %q...", err, ge, tc.target, tc.msg)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(args.Names()) != len(tc.want) {
				t.Errorf("args %v, want %v", args.Names(), tc.want)
			}
			for name, want := range tc.want {
				if got, ok := args.Raw(name); !ok || got != want {
					t.Errorf("%s = %s, want %s", name, got, want)
				}
			}
			if tc.overload != "" && op.Parameters[1].Name != tc.overload {
				t.Errorf("overload with %s chosen, want %s", op.Parameters[1].Name, tc.overload)
			}
		})
	}
}

func TestActionArgs(t *testing.T) {
	t.Parallel()
	s := newOpSchema(t)
	op := ops(s, "getByIds")[0]
	cases := []struct {
		name, body  string
		strict      bool
		want        map[string]string
		status      int
		target, msg string
	}{
		{name: "ids", body: `{"ids":["a","b"],"types":["user"]}`, want: map[string]string{"ids": `["a","b"]`, "types": `["user"]`}},
		{name: "annotation ignored", body: `{"@odata.type":"x","ids":[]}`, want: map[string]string{"ids": `[]`}},
		{name: "enum normalized", body: `{"ids":[],"color":"RED"}`, want: map[string]string{"ids": `[]`, "color": `"red"`}},
		{name: "placeholder date relaxed", body: `{"ids":[],"when":"Date"}`, want: map[string]string{"ids": `[]`, "when": `"Date"`}},
		{name: "placeholder date strict", body: `{"ids":[],"when":"Date"}`, strict: true, status: 400, target: "when"},
		{name: "missing", body: `{"types":["user"]}`, status: 400, target: "ids", msg: "One or more parameters of the operation 'getByIds' are missing from the request payload. The missing parameters are: ids."},
		{name: "empty body", body: ``, status: 400, target: "ids"},
		{name: "null ids", body: `{"ids":null}`, status: 400, target: "ids"},
		{name: "unknown", body: `{"ids":[],"idz":[]}`, status: 400, target: "idz", msg: "The parameter 'idz' in the request payload is not a valid parameter for the operation 'getByIds'."},
		{name: "wrong kind", body: `{"ids":"a"}`, status: 400, target: "ids", msg: "Invalid value specified for parameter 'ids'"},
		{name: "wrong element", body: `{"ids":[1]}`, status: 400, target: "ids"},
		{name: "duplicate", body: `{"ids":[],"ids":[]}`, status: 400, target: "ids"},
		{name: "not json", body: `{`, status: 400},
		{name: "not object", body: `[1]`, status: 400},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			args, err := odata.ActionArgs(s, op, []byte(tc.body), entities.ReadOptions{Strict: tc.strict})
			if tc.status != 0 {
				var ge *odata.Error
				if !errors.As(err, &ge) || ge.Status != tc.status || tc.target != "" && (len(ge.Details) == 0 || ge.Details[len(ge.Details)-1].Target != tc.target) ||
					!strings.HasPrefix(ge.Message, tc.msg) {
					t.Fatalf("got %v (%+v), want %d naming %q", err, ge, tc.status, tc.target)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for name, want := range tc.want {
				if got, _ := args.Raw(name); got != want {
					t.Errorf("%s = %s, want %s", name, got, want)
				}
			}
			if len(args.Names()) != len(tc.want) {
				t.Errorf("args %v, want %v", args.Names(), tc.want)
			}
		})
	}
	args, _ := odata.ActionArgs(s, op, []byte(`{"ids":["a","b"]}`), entities.ReadOptions{})
	if got := args.Strings("ids"); len(got) != 2 || got[1] != "b" || args.Has("types") || !args.Has("ids") {
		t.Errorf("accessors: %v", got)
	}
}

// paramTypes are the types FuzzParamLiteral reads literals as.
var paramTypes = []string{"Edm.String", "Edm.Int32", "Edm.Int64", "Edm.Boolean", "Edm.Double", "Edm.Decimal",
	"Edm.Date", "Edm.DateTimeOffset", "Edm.Guid", "Edm.Duration", "Edm.Binary", "Edm.Untyped", "ops.color",
	"Collection(Edm.String)", "Collection(ops.color)", "ops.range", "Edm.TimeOfDay", "Edm.Byte"}

// FuzzParamLiteral: ParamLiteral never panics; what it accepts is JSON that the
// payload validator takes for the parameter's type; what it refuses is a 400 naming the
// parameter; a string quoted with doubled quotes comes back as itself.
func FuzzParamLiteral(f *testing.F) {
	s := newOpSchema(f)
	for _, seed := range []struct {
		typ uint8
		lit string
	}{
		{0, "'D7'"}, {0, "'O''Brien'"}, {0, "D7"}, {1, "42"}, {1, "-2147483649"}, {2, "+9"}, {3, "true"},
		{4, "1e308"}, {4, "NaN"}, {5, "1.50"}, {6, "2024-02-29"}, {7, "2024-01-31T10:00Z"},
		{8, "01234567-89ab-cdef-0123-456789abcdef"}, {9, "duration'P1DT2H'"}, {10, "binary'AAEC'"},
		{11, "[1,{\"a\":null}]"}, {12, "ops.color'Red'"}, {13, `["a",null]`}, {14, `["red","DARKBLUE"]`},
		{15, `{"start":1}`}, {16, "23:59:59.5"}, {17, "256"}, {0, "null"}, {0, "@a"}, {4, ".5"}, {4, "0x1p3"},
	} {
		f.Add(seed.typ, seed.lit)
	}
	f.Fuzz(func(t *testing.T, typ uint8, lit string) {
		p := entities.Parameter{Name: "p", Type: paramTypes[int(typ)%len(paramTypes)]}
		v, err := odata.ParamLiteral(s, "op", p, lit)
		if err != nil {
			var ge *odata.Error
			if !errors.As(err, &ge) || ge.Status != 400 || len(ge.Details) == 0 || ge.Details[len(ge.Details)-1].Target != "p" {
				t.Fatalf("ParamLiteral(%s, %q): %v", p.Type, lit, err)
			}
		} else {
			ref, _ := s.TypeOf(p.Type)
			if !gjson.Valid(v) {
				t.Fatalf("ParamLiteral(%s, %q) = %q: not JSON", p.Type, lit, v)
			}
			if _, err := s.ReadValue(entities.ValueCheck{Name: "p", Owner: "op", Type: ref}, v, entities.ReadOptions{Strict: true}); err != nil {
				t.Fatalf("ParamLiteral(%s, %q) = %q, which the validator refuses: %v", p.Type, lit, v, err)
			}
		}
		if !utf8.ValidString(lit) {
			return
		}
		q := "'" + strings.ReplaceAll(lit, "'", "''") + "'"
		v, err = odata.ParamLiteral(s, "op", entities.Parameter{Name: "p", Type: "Edm.String"}, q)
		if err != nil || gjson.Parse(v).Str != lit {
			t.Fatalf("string %q: got %q, %v", q, v, err)
		}
	})
}
