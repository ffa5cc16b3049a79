package entities

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
)

// The generated update statuses (graph/update-status.json) come from the PATCH examples
// of Microsoft's API reference, as waldekmastykarz/graph-mocks extracts them (MIT):
//
//	go test ./entities -run '^TestUpdateStatusUpToDate$' -graph-mocks=PATH/graph-v1_0-proxy-mocks.json -update-profiles
//
// Without -graph-mocks the test checks only that the committed file parses.

var (
	graphMocks     = flag.String("graph-mocks", "", "graph-mocks' graph-v1_0-proxy-mocks.json, to check or regenerate graph/update-status.json")
	updateProfiles = flag.Bool("update-profiles", false, "rewrite graph/update-status.json from -graph-mocks")
)

// The graph-mocks file the committed data was generated from.
const (
	graphMocksRepo   = "waldekmastykarz/graph-mocks"
	graphMocksCommit = "a54b3789c820a0979ebd06b702e7fca48e992363"
	graphMocksSHA256 = "c56aeeb21883847621806062cfaba188beb3d1d2fcc97aaa42d655807d844679"
)

// mockFile is the part of a graph-mocks file the generator reads.
type mockFile struct {
	Mocks []struct {
		Request struct {
			URL    string `json:"url"`
			Method string `json:"method"`
		} `json:"request"`
		Response struct {
			StatusCode int `json:"statusCode"`
		} `json:"response"`
	} `json:"mocks"`
}

// generatedStatusFile is graph/update-status.json as written.
type generatedStatusFile struct {
	About    string                                `json:"about"`
	Source   map[string]string                     `json:"source"`
	Versions map[string]map[string]GeneratedStatus `json:"versions"`
}

// generateUpdateStatus tallies the 200 and 204 answers of the PATCH examples by the entity
// type each one's URL addresses in schema, and keeps the majority (204 on a tie, Graph's
// usual answer). URLs that do not resolve to one entity of a known type are skipped.
func generateUpdateStatus(mocks *mockFile, schema *Schema) map[string]GeneratedStatus {
	out := map[string]GeneratedStatus{}
	for _, m := range mocks.Mocks {
		status := m.Response.StatusCode
		if m.Request.Method != "PATCH" || status != 200 && status != 204 {
			continue
		}
		path, ok := strings.CutPrefix(m.Request.URL, "https://graph.microsoft.com/v1.0/")
		if !ok {
			continue
		}
		path, _, _ = strings.Cut(path, "?")
		t := addressedType(schema, path)
		if t == nil {
			continue
		}
		st := out[t.QualifiedName()]
		if status == 200 {
			st.OK++
		} else {
			st.None++
		}
		st.Status = 204
		if st.OK > st.None {
			st.Status = 200
		}
		out[t.QualifiedName()] = st
	}
	return out
}

// addressedType returns the entity type of the single entity a resource path addresses
// ("users/*", "me/messages/*", "applications(uniqueName=*)"), or nil when the path
// addresses something else (a collection, a property, an operation) or does not resolve.
func addressedType(schema *Schema, path string) *StructuredType {
	segs := strings.Split(path, "/")
	name, paren, _ := strings.Cut(segs[0], "(")
	var t *StructuredType
	coll := false
	if set := schema.EntitySetFold(name); set != nil {
		t, coll = set.Type(), paren == ""
	} else if sg := schema.SingletonFold(name); sg != nil && paren == "" {
		t = sg.EntityType()
	} else {
		return nil
	}
	for _, seg := range segs[1:] {
		name, paren, _ := strings.Cut(seg, "(")
		if strings.Contains(name, ".") {
			cast := schema.EntityTypeFold(name)
			if cast == nil || !cast.IsA(t) || paren != "" {
				return nil
			}
			t = cast
			continue
		}
		if coll {
			if paren != "" || seg == "" {
				return nil
			}
			coll = false // a key
			continue
		}
		nav := t.NavigationFold(name)
		if nav == nil {
			return nil
		}
		t, coll = nav.Target(), nav.IsCollection()
		if coll && paren != "" {
			coll = false // a key in parentheses
		} else if paren != "" {
			return nil
		}
	}
	if coll {
		return nil
	}
	return t
}

// TestUpdateStatusUpToDate regenerates graph/update-status.json from -graph-mocks (the
// v1.0 examples, applied to the v1.0 schema and to the beta schema's types of the same
// path) and fails when the committed file differs; -update-profiles rewrites it.
func TestUpdateStatusUpToDate(t *testing.T) {
	committed, err := os.ReadFile("graph/update-status.json")
	if err != nil {
		t.Fatal(err)
	}
	var f generatedStatusFile
	if err := json.Unmarshal(committed, &f); err != nil {
		t.Fatalf("graph/update-status.json: %v", err)
	}
	if *graphMocks == "" {
		if *updateProfiles {
			t.Fatal("-update-profiles needs -graph-mocks")
		}
		t.Skip("no -graph-mocks: the generated update statuses are not checked against their source")
	}
	raw, err := os.ReadFile(*graphMocks)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(raw)
	if got := hex.EncodeToString(sum[:]); got != graphMocksSHA256 {
		t.Logf("%s has sha256 %s, not the %s of %s@%s the committed data records", *graphMocks, got, graphMocksSHA256, graphMocksRepo, graphMocksCommit)
	}
	var mocks mockFile
	if err := json.Unmarshal(raw, &mocks); err != nil {
		t.Fatal(err)
	}
	want := generatedStatusFile{
		About: "Generated by TestUpdateStatusUpToDate (profiles_gen_test.go) from the PATCH examples of Microsoft's API reference; do not edit. Per entity type: the status most examples answer (status), and how many answer 200 and 204. Curated statuses in profiles.json win over these.",
		Source: map[string]string{
			"repository": graphMocksRepo,
			"commit":     graphMocksCommit,
			"file":       "graph-v1_0-proxy-mocks.json",
			"sha256":     hex.EncodeToString(sum[:]),
			"license":    "MIT",
			"beta":       "the v1.0 examples' paths resolved against the beta schema",
		},
		Versions: map[string]map[string]GeneratedStatus{},
	}
	for _, v := range Versions() {
		schema, err := Graph(v)
		if err != nil {
			t.Fatal(err)
		}
		want.Versions[v] = generateUpdateStatus(&mocks, schema)
	}
	out, err := marshalGenerated(&want)
	if err != nil {
		t.Fatal(err)
	}
	if *updateProfiles {
		if err := os.WriteFile("graph/update-status.json", out, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote graph/update-status.json: %d v1.0 types, %d beta types", len(want.Versions["v1.0"]), len(want.Versions["beta"]))
		return
	}
	if !bytes.Equal(out, committed) {
		t.Errorf("graph/update-status.json is not what %s gives: run the generator with -update-profiles", *graphMocks)
	}
}

// marshalGenerated writes the generated file with one type per line, sorted, so that
// its diffs read well.
func marshalGenerated(f *generatedStatusFile) ([]byte, error) {
	var b bytes.Buffer
	about, _ := json.Marshal(f.About)
	source, err := json.MarshalIndent(f.Source, "  ", "  ")
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(&b, "{\n  \"about\": %s,\n  \"source\": %s,\n  \"versions\": {\n", about, source)
	versions := Versions()
	for i, v := range versions {
		fmt.Fprintf(&b, "    %q: {\n", v)
		names := make([]string, 0, len(f.Versions[v]))
		for name := range f.Versions[v] {
			names = append(names, name)
		}
		slices.Sort(names)
		for j, name := range names {
			st := f.Versions[v][name]
			sep := ","
			if j == len(names)-1 {
				sep = ""
			}
			fmt.Fprintf(&b, "      %q: {\"status\": %d, \"200\": %d, \"204\": %d}%s\n", name, st.Status, st.OK, st.None, sep)
		}
		sep := ","
		if i == len(versions)-1 {
			sep = ""
		}
		fmt.Fprintf(&b, "    }%s\n", sep)
	}
	b.WriteString("  }\n}\n")
	return b.Bytes(), nil
}
