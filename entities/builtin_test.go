package entities_test

import (
	"bufio"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/graph-emulator/graph-emulator/entities"
)

// seedTable is the property table of the seed docs (create and update
// office365ServicesUserCounts): id inherited from entity, then the declared properties.
var seedTable = []struct{ name, edm string }{
	{"id", "Edm.String"},
	{"reportRefreshDate", "Edm.Date"},
	{"exchangeActive", "Edm.Int64"},
	{"exchangeInactive", "Edm.Int64"},
	{"oneDriveActive", "Edm.Int64"},
	{"oneDriveInactive", "Edm.Int64"},
	{"sharePointActive", "Edm.Int64"},
	{"sharePointInactive", "Edm.Int64"},
	{"skypeForBusinessActive", "Edm.Int64"},
	{"skypeForBusinessInactive", "Edm.Int64"},
	{"yammerActive", "Edm.Int64"},
	{"yammerInactive", "Edm.Int64"},
	{"teamsActive", "Edm.Int64"},
	{"teamsInactive", "Edm.Int64"},
	{"office365Active", "Edm.Int64"},
	{"office365Inactive", "Edm.Int64"},
	{"reportPeriod", "Edm.String"},
}

// seedBody is the request body of the seed docs' examples.
const seedBody = `{
  "@odata.type": "#microsoft.graph.office365ServicesUserCounts",
  "reportRefreshDate": "Date",
  "exchangeActive": 14,
  "exchangeInactive": 0,
  "oneDriveActive": 14,
  "oneDriveInactive": 0,
  "sharePointActive": 0,
  "sharePointInactive": 2,
  "skypeForBusinessActive": 6,
  "skypeForBusinessInactive": 8,
  "yammerActive": 12,
  "yammerInactive": 14,
  "teamsActive": 11,
  "teamsInactive": 13,
  "office365Active": 15,
  "office365Inactive": 1,
  "reportPeriod": "Report Period value"
}`

func TestBuiltin(t *testing.T) {
	t.Parallel()
	for _, version := range []string{"v1.0", "beta"} {
		t.Run(version, func(t *testing.T) {
			t.Parallel()
			s, err := entities.Builtin(version)
			if err != nil {
				t.Fatal(err)
			}
			entity := s.EntityType("microsoft.graph.entity")
			if entity == nil {
				t.Fatal("microsoft.graph.entity missing")
			}
			if k := entity.KeyProperty(); k == nil || k.Name != "id" || k.Ref().Primitive != entities.EdmString {
				t.Errorf("entity key = %+v", k)
			}
			counts := s.EntityType("microsoft.graph.office365ServicesUserCounts")
			if counts == nil {
				t.Fatal("microsoft.graph.office365ServicesUserCounts missing")
			}
			if counts.Base() != entity || !counts.IsA(entity) || counts.Abstract || counts.Open {
				t.Errorf("counts: base %v abstract %v open %v", counts.Base(), counts.Abstract, counts.Open)
			}
			if counts.KeyProperty() != entity.KeyProperty() {
				t.Errorf("counts key is not entity's id")
			}
			all := counts.AllProperties()
			if len(all) != len(seedTable) {
				t.Errorf("counts has %d properties, the seed table %d", len(all), len(seedTable))
			}
			for i, row := range seedTable {
				p, idx := counts.Property(row.name)
				if p == nil {
					t.Errorf("property %s missing", row.name)
					continue
				}
				if idx != i {
					t.Errorf("property %s at %d, want %d (seed table order)", row.name, idx, i)
				}
				if got := p.Ref().String(); got != row.edm || p.Type != row.edm {
					t.Errorf("property %s: type %q (ref %q), want %q", row.name, p.Type, got, row.edm)
				}
			}
			es := s.EntitySet("office365ServicesUserCounts")
			if es == nil || es.Type() != counts {
				t.Fatalf("entity set office365ServicesUserCounts = %+v", es)
			}
			for _, name := range []string{"#microsoft.graph.office365ServicesUserCounts", "graph.office365ServicesUserCounts", "#graph.office365ServicesUserCounts"} {
				if got := s.EntityType(name); got != counts {
					t.Errorf("EntityType(%q) = %v", name, got)
				}
			}
		})
	}
}

func TestBuiltinDistinct(t *testing.T) {
	t.Parallel()
	a, err := entities.Builtin("v1.0")
	if err != nil {
		t.Fatal(err)
	}
	b, err := entities.Builtin("v1.0")
	if err != nil {
		t.Fatal(err)
	}
	c, err := entities.Builtin("beta")
	if err != nil {
		t.Fatal(err)
	}
	if a == b || a == c {
		t.Fatal("Builtin returned the same *Schema twice")
	}
	const name = "microsoft.graph.office365ServicesUserCounts"
	ta, tb, tc := a.EntityType(name), b.EntityType(name), c.EntityType(name)
	if ta == tb || ta == tc {
		t.Error("Builtin schemas share a type")
	}
	pa, _ := ta.Property("exchangeActive")
	pb, _ := tb.Property("exchangeActive")
	if pa == pb {
		t.Error("Builtin schemas share a property")
	}
	if a.EntitySet("office365ServicesUserCounts") == b.EntitySet("office365ServicesUserCounts") {
		t.Error("Builtin schemas share an entity set")
	}
}

func TestBuiltinUnknownVersion(t *testing.T) {
	t.Parallel()
	for _, v := range []string{"", "v2.0", "V1.0", "Beta"} {
		if s, err := entities.Builtin(v); err == nil || s != nil {
			t.Errorf("Builtin(%q) = %v, %v; want an error", v, s, err)
		}
	}
}

func TestBuiltinSeedPayload(t *testing.T) {
	t.Parallel()
	s, err := entities.Builtin("v1.0")
	if err != nil {
		t.Fatal(err)
	}
	typ := s.EntitySet("office365ServicesUserCounts").Type()
	for _, partial := range []bool{false, true} {
		p, err := s.ReadPayload(typ, []byte(seedBody), entities.ReadOptions{Partial: partial})
		if err != nil {
			t.Fatalf("partial=%v: the seed body is rejected by default: %v", partial, err)
		}
		if p.Type != typ || !p.TypeClaimed {
			t.Errorf("payload type %v claimed %v", p.Type, p.TypeClaimed)
		}
		if got := len(p.Fields); got != len(seedTable)-1 {
			t.Errorf("%d fields, want %d", got, len(seedTable)-1)
		}
		for i, f := range p.Fields {
			if f.Name != seedTable[i+1].name || f.Index != i+1 {
				t.Errorf("field %d = %s@%d, want %s@%d", i, f.Name, f.Index, seedTable[i+1].name, i+1)
			}
		}
		_, err = s.ReadPayload(typ, []byte(seedBody), entities.ReadOptions{Strict: true, Partial: partial})
		checkErr(t, err, &entities.InvalidValueError{Property: "reportRefreshDate",
			Type: "microsoft.graph.office365ServicesUserCounts", Expected: "Edm.Date", Literal: "Date"})
	}
	fixed := strings.Replace(seedBody, `"Date"`, `"2021-05-18"`, 1)
	if _, err := s.ReadPayload(typ, []byte(fixed), entities.ReadOptions{Strict: true}); err != nil {
		t.Errorf("strict read of the seed body with a real date: %v", err)
	}
	_, err = s.ReadPayload(s.EntityType("graph.entity"), []byte(`{"id":"x"}`), entities.ReadOptions{})
	checkErr(t, err, &entities.AbstractTypeError{Type: "microsoft.graph.entity"})
}

// TestBuiltinMatchesSeedDocs reads the property tables of the shared seed docs, where
// present, and checks the built-in type against each row.
func TestBuiltinMatchesSeedDocs(t *testing.T) {
	t.Parallel()
	dir := filepath.Join("..", "..", "shared", "seeds")
	files, err := filepath.Glob(filepath.Join(dir, "*.txt"))
	if err != nil || len(files) == 0 {
		t.Skip("seed docs not present beside the checkout")
	}
	s, err := entities.Builtin("beta")
	if err != nil {
		t.Fatal(err)
	}
	typ := s.EntityType("microsoft.graph.office365ServicesUserCounts")
	rows := 0
	for _, file := range files {
		table, err := readSeedTable(file)
		if err != nil {
			t.Fatal(err)
		}
		for name, edm := range table {
			rows++
			p, _ := typ.Property(name)
			if p == nil {
				t.Errorf("%s: property %s missing", filepath.Base(file), name)
				continue
			}
			if p.Type != edm {
				t.Errorf("%s: property %s is %s, the doc says %s", filepath.Base(file), name, p.Type, edm)
			}
		}
	}
	if rows == 0 {
		t.Fatal("no property rows found in the seed docs")
	}
}

// readSeedTable returns the |Property|Type|Description| rows of a seed doc, as Edm types.
func readSeedTable(file string) (map[string]string, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	rows := map[string]string{}
	in := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "|Property|Type|Description|":
			in = true
		case in && strings.HasPrefix(line, "|:"):
		case in && strings.HasPrefix(line, "|"):
			cells := strings.Split(line, "|")
			if len(cells) < 3 {
				return nil, errors.New("short table row: " + line)
			}
			rows[strings.TrimSpace(cells[1])] = "Edm." + strings.TrimSpace(cells[2])
		default:
			in = false
		}
	}
	return rows, sc.Err()
}

func TestAddBuiltinsMergesIntoALoadedSchema(t *testing.T) {
	t.Parallel()
	const seedType = "microsoft.graph.office365ServicesUserCounts"
	t.Run("type and set missing", func(t *testing.T) {
		t.Parallel()
		s := entities.NewSchema("microsoft.graph")
		if err := s.AddType(&entities.StructuredType{Name: "entity", Kind: entities.KindEntity, Abstract: true,
			Key: []string{"id"}, Properties: []*entities.Property{{Name: "id", Type: "Edm.String", NotNull: true}}}); err != nil {
			t.Fatal(err)
		}
		if err := entities.AddBuiltins(s); err != nil {
			t.Fatal(err)
		}
		if err := s.Resolve(); err != nil {
			t.Fatal(err)
		}
		set := s.EntitySet("office365ServicesUserCounts")
		if set == nil || set.Type().QualifiedName() != seedType || len(set.Type().AllProperties()) != 17 {
			t.Fatalf("set %+v", set)
		}
	})
	t.Run("type present keeps its own definition", func(t *testing.T) {
		t.Parallel()
		s := entities.NewSchema("microsoft.graph")
		for _, typ := range []*entities.StructuredType{
			{Name: "entity", Kind: entities.KindEntity, Abstract: true, Key: []string{"id"},
				Properties: []*entities.Property{{Name: "id", Type: "Edm.String", NotNull: true}}},
			{Name: "office365ServicesUserCounts", Kind: entities.KindEntity, BaseType: "microsoft.graph.entity",
				Properties: []*entities.Property{{Name: "onlyThis", Type: "Edm.Int64"}}},
		} {
			if err := s.AddType(typ); err != nil {
				t.Fatal(err)
			}
		}
		if err := entities.AddBuiltins(s); err != nil {
			t.Fatal(err)
		}
		if err := s.Resolve(); err != nil {
			t.Fatal(err)
		}
		typ := s.EntitySet("office365ServicesUserCounts").Type()
		if p, _ := typ.Property("onlyThis"); p == nil || len(typ.AllProperties()) != 2 {
			t.Errorf("the loaded type was replaced: %d properties", len(typ.AllProperties()))
		}
	})
}

func TestExpose(t *testing.T) {
	t.Parallel()
	s := entities.NewSchema("microsoft.graph")
	if err := s.AddType(&entities.StructuredType{Name: "thing", Kind: entities.KindEntity, Key: []string{"id"},
		Properties: []*entities.Property{{Name: "id", Type: "Edm.String", NotNull: true}}}); err != nil {
		t.Fatal(err)
	}
	if err := s.Expose("microsoft.graph.nothing", ""); err == nil {
		t.Error("exposing an unknown type must fail")
	}
	if err := s.Expose("microsoft.graph.thing", "things"); err != nil {
		t.Fatal(err)
	}
	if err := s.Expose("microsoft.graph.thing", ""); err != nil {
		t.Fatal(err)
	}
	if err := s.Expose("microsoft.graph.thing", "things"); err != nil {
		t.Fatalf("exposing again under an existing name must do nothing: %v", err)
	}
	if err := s.Resolve(); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"things", "thing"} {
		if set := s.EntitySet(name); set == nil || set.Type().Name != "thing" {
			t.Errorf("set %s: %+v", name, set)
		}
	}
}
