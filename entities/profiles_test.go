package entities

import (
	"strings"
	"testing"
)

// TestGraphProfilesMatchSchemas checks the profile data against Graph's schemas: every
// type it names exists in the version's schema (the beta schema of 2021 lacks a few),
// every property (or first segment of a path) exists on the type, and the defaults are
// values the type accepts.
func TestGraphProfilesMatchSchemas(t *testing.T) {
	t.Parallel()
	for _, v := range Versions() {
		t.Run(v, func(t *testing.T) {
			p, err := GraphProfiles(v)
			if err != nil {
				t.Fatal(err)
			}
			schema, err := Graph(v)
			if err != nil {
				t.Fatal(err)
			}
			if p.DefaultDomain == "" || len(p.Namespaces) == 0 {
				t.Errorf("profiles of %s: no default domain or namespaces", v)
			}
			missing := 0
			for _, name := range p.TypeNames() {
				tp := p.Type(name)
				typ := schema.EntityType(name)
				if typ == nil {
					missing++
					continue
				}
				if !p.Covers(typ) {
					t.Errorf("%s: outside the profiles' namespaces", name)
				}
				var names []string
				names = append(names, tp.DefaultProperties...)
				names = append(names, tp.SelectOnly...)
				names = append(names, tp.WriteOnly...)
				names = append(names, tp.Required...)
				names = append(names, tp.RequiredUnless...)
				names = append(names, tp.ReadOnly...)
				for _, u := range tp.Unique {
					names = append(names, u.Property)
				}
				for _, sv := range tp.Server {
					names = append(names, sv.Property)
				}
				for _, d := range tp.Defaults {
					names = append(names, d.Property)
				}
				for _, path := range names {
					checkPath(t, typ, path)
				}
				if len(tp.Defaults) > 0 {
					body := "{"
					for i, d := range tp.Defaults {
						if i > 0 {
							body += ","
						}
						body += `"` + d.Property + `":` + string(d.Value)
					}
					if _, err := schema.ReadPayload(typ, []byte(body+"}"), ReadOptions{Strict: true, Partial: true}); err != nil {
						t.Errorf("%s: defaults %s: %v", name, body, err)
					}
				}
			}
			// The curated types are all in v1.0; the generated statuses are of types that exist.
			if v == "v1.0" && missing > 0 {
				t.Errorf("%d profiled types are not in the v1.0 schema", missing)
			}
		})
	}
}

// checkPath fails when path ("a" or "a/b") does not name a property of t.
func checkPath(t *testing.T, typ *StructuredType, path string) {
	t.Helper()
	cur := typ
	for _, seg := range strings.Split(path, "/") {
		if cur == nil {
			t.Errorf("%s: %s goes into a value that is not structured", typ.QualifiedName(), path)
			return
		}
		p, _ := cur.Property(seg)
		if p == nil {
			t.Errorf("%s: no property %s (in %s)", typ.QualifiedName(), seg, path)
			return
		}
		cur = p.Ref().Structured
	}
}

// TestParseProfiles checks the parsing rules: a curated status wins over the generated
// one, entries limited to other versions are left out, and malformed entries refused.
func TestParseProfiles(t *testing.T) {
	t.Parallel()
	generated := []byte(`{"versions":{"v1.0":{"a.user":{"status":200,"200":3,"204":1},"a.message":{"status":200,"200":1,"204":0}}}}`)
	curated := []byte(`{"namespaces":["a"],"defaultDomain":"d.test","types":{
		"a.user":{"sources":["x"],"updateStatus":204},
		"a.betaOnly":{"sources":["x"],"versions":["beta"],"required":["p"]}}}`)
	p, err := parseProfiles("v1.0", curated, generated)
	if err != nil {
		t.Fatal(err)
	}
	if p.Type("a.user").UpdateStatus != 204 || p.Type("a.message").UpdateStatus != 200 || p.Type("a.betaOnly") != nil {
		t.Errorf("parsed %v %v %v", p.Type("a.user"), p.Type("a.message"), p.Type("a.betaOnly"))
	}
	for _, bad := range []string{
		`{"types":{"a.t":{"updateStatus":204}}}`,
		`{"types":{"a.t":{"sources":["x"],"updateStatus":201}}}`,
		`{"types":{"a.t":{"sources":["x"],"server":[{"property":"p","on":["create"],"value":"magic"}]}}}`,
		`{"types":{"a.t":{"sources":["x"],"server":[{"property":"p","value":"now"}]}}}`,
		`{"types":{"a.t":{"sources":["x"],"server":[{"property":"p","on":["delete"],"value":"now"}]}}}`,
		`{"types":{"a.t":{"sources":["x"],"unique":[{"property":"p","if":"a has"}]}}}`,
		`{"types":{"a.t":{"sources":["x"],"defaults":[{"property":"p","value":nope}]}}}`,
	} {
		if _, err := parseProfiles("v1.0", []byte(bad), generated); err == nil {
			t.Errorf("accepted %s", bad)
		}
	}
	for in, want := range map[string]Condition{"mailEnabled": {Property: "mailEnabled"}, "groupTypes has Unified": {Property: "groupTypes", Has: "Unified"}} {
		if got, err := ParseCondition(in); err != nil || got != want {
			t.Errorf("ParseCondition(%q) = %+v, %v", in, got, err)
		}
	}
}
