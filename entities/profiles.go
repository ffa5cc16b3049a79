package entities

import (
	_ "embed" // the profile data
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
)

// Graph's per-type profiles: what Microsoft Graph does with the entities of a type beyond
// what its schema says (the default property set, write-only and server-set values,
// required and unique properties, the status of an update), kept as data in graph/ and
// described in graph/README.md:
//
//   - graph/profiles.json is curated from Microsoft's documentation; every entry names
//     the pages it comes from.
//   - graph/update-status.json is generated from the documented PATCH examples (the
//     MIT-licensed extraction waldekmastykarz/graph-mocks) by TestUpdateStatusUpToDate
//     with -update-profiles; it must not be edited by hand.
//
// GraphProfiles reads both for one version. The behaviour package turns them into hooks;
// this package only parses and checks them.

//go:embed graph/profiles.json
var profilesData []byte

//go:embed graph/update-status.json
var updateStatusData []byte

// Profiles is Graph's per-type behaviour for one API version. It is immutable.
type Profiles struct {
	// Namespaces are the namespaces whose entity types Graph writes with a default
	// property set: their own (TypeProfile.DefaultProperties) or else all structural
	// properties but the stream-valued, select-only and write-only ones. Entities of
	// other namespaces are written as stored.
	Namespaces []string
	// DefaultDomain is the tenant's default domain (mail addresses, publisher domains).
	DefaultDomain string

	types map[string]*TypeProfile
}

// TypeProfile is what Graph does with the entities of one type (and of its derived
// types, unless they say otherwise). Property names are as the schema spells them; a
// path into a complex value, or into each item of a collection of complex values, is
// written with '/' ("passwordProfile/password").
type TypeProfile struct {
	// Type is the qualified type name.
	Type string `json:"-"`
	// Versions restricts the entry to some API versions; empty means all.
	Versions []string `json:"versions,omitempty"`
	// Sources names the documentation each field comes from.
	Sources []string `json:"sources"`
	// DefaultProperties is Graph's default property set, in the order Graph writes it,
	// when it is limited (a user's 11); nil means all structural properties.
	DefaultProperties []string `json:"defaultProperties,omitempty"`
	// SelectOnly lists the properties returned only when $select names them.
	SelectOnly []string `json:"selectOnly,omitempty"`
	// WriteOnly lists the properties (or paths) never returned: they are stored as null.
	WriteOnly []string `json:"writeOnly,omitempty"`
	// Required lists the properties a create must carry (not null, not "").
	Required []string `json:"required,omitempty"`
	// RequiredUnless lists properties that, set on a create (not null, false, "" or
	// []), waive Required: a user created with identities needs none of a work account's.
	RequiredUnless []string `json:"requiredUnless,omitempty"`
	// ReadOnly lists the read-only properties a request body is refused for (unless an
	// update sets the value already stored). Read-only properties not listed, server-set
	// ones among them, are ignored: the server's value wins.
	ReadOnly []string `json:"readOnly,omitempty"`
	// Unique lists the properties no two entities of a collection share.
	Unique []UniqueRule `json:"unique,omitempty"`
	// Server lists the values the server sets on create or update.
	Server []ServerValue `json:"server,omitempty"`
	// Defaults are values a create without them gets, in order.
	Defaults []DefaultValue `json:"defaults,omitempty"`
	// UpdateStatus is the status of a PATCH without Prefer: 200 (with the entity) or 204;
	// 0 means unknown here (the generated data, or a base type's, decides).
	UpdateStatus int `json:"updateStatus,omitempty"`
}

// UniqueRule is a property whose values no two entities of a collection share,
// compared ignoring case; for a collection of strings, no value may appear in two.
type UniqueRule struct {
	Property string `json:"property"`
	// If, when set, limits the rule to entities meeting the condition (see Condition).
	If string `json:"if,omitempty"`
}

// ServerValue is a value the server sets.
type ServerValue struct {
	Property string `json:"property"`
	// On says when: "create", "update" or both. A value set on create only is kept by
	// every update (a client's change to it is ignored).
	On []string `json:"on"`
	// Value names how the value is made (see graph/README.md): "now", "guid",
	// "defaultDomain", "mailAddress", "smtpProxyAddresses", "securityIdentifier",
	// "personName", "principalName".
	Value string `json:"value"`
	// Keep keeps a value the client sent instead of making one.
	Keep bool `json:"keep,omitempty"`
	// Mutable lets updates change a value set on create (else they keep it).
	Mutable bool `json:"mutable,omitempty"`
	// If, when set, sets the value only on entities meeting the condition.
	If string `json:"if,omitempty"`
}

// DefaultValue is a property's value on create when the client sends none.
type DefaultValue struct {
	Property string          `json:"property"`
	Value    json.RawMessage `json:"value"`
}

// Condition is a test on an entity: "p" (the Boolean property p is true, or the
// collection p is not empty) or "p has v" (the string collection p holds v, ignoring
// case).
type Condition struct {
	Property string
	// Has is the value looked for in a collection; "" tests a Boolean.
	Has string
}

// ParseCondition reads a condition as the profiles write it.
func ParseCondition(s string) (Condition, error) {
	prop, has, ok := strings.Cut(strings.TrimSpace(s), " has ")
	prop, has = strings.TrimSpace(prop), strings.TrimSpace(has)
	if prop == "" || strings.ContainsAny(prop, " /") || ok && has == "" {
		return Condition{}, fmt.Errorf("profiles: bad condition %q (want \"property\" or \"property has value\")", s)
	}
	return Condition{Property: prop, Has: has}, nil
}

// Type returns the profile of the type with the qualified name name, or nil. It does
// not look at base types.
func (p *Profiles) Type(name string) *TypeProfile { return p.types[name] }

// TypeNames returns the qualified names of the types with a profile, sorted.
func (p *Profiles) TypeNames() []string {
	out := make([]string, 0, len(p.types))
	for name := range p.types {
		out = append(out, name)
	}
	slices.Sort(out)
	return out
}

// Covers reports whether t's namespace (or a namespace it is nested in) is one of
// p.Namespaces.
func (p *Profiles) Covers(t *StructuredType) bool {
	ns := t.Namespace()
	for _, n := range p.Namespaces {
		if ns == n || strings.HasPrefix(ns, n+".") {
			return true
		}
	}
	return false
}

// profilesFile is graph/profiles.json.
type profilesFile struct {
	Namespaces    []string                `json:"namespaces"`
	DefaultDomain string                  `json:"defaultDomain"`
	Types         map[string]*TypeProfile `json:"types"`
}

// updateStatusFile is graph/update-status.json.
type updateStatusFile struct {
	Versions map[string]map[string]GeneratedStatus `json:"versions"`
}

// GeneratedStatus is the update status of a type as Graph's documented PATCH examples
// show it: the status most of them answer, and how many answer 200 and 204.
type GeneratedStatus struct {
	Status int `json:"status"`
	OK     int `json:"200"`
	None   int `json:"204"`
}

// GraphProfiles returns Graph's per-type profiles of a version ("v1.0" or "beta"),
// read from the embedded data on the first call for the version and shared afterwards.
func GraphProfiles(version string) (*Profiles, error) {
	switch version {
	case "v1.0":
		return profilesV1()
	case "beta":
		return profilesBeta()
	}
	return nil, fmt.Errorf("graph profiles: unknown version %q (want v1.0 or beta)", version)
}

// profilesV1 and profilesBeta hold the one parsed copy of each version's profiles,
// write-once as graphV1 and graphBeta are (see graph.go): set at initialisation, computed
// at most once, immutable afterwards.
var (
	profilesV1   = sync.OnceValues(func() (*Profiles, error) { return parseProfiles("v1.0", profilesData, updateStatusData) })
	profilesBeta = sync.OnceValues(func() (*Profiles, error) { return parseProfiles("beta", profilesData, updateStatusData) })
)

// parseProfiles reads the curated and generated data for one version. A type's
// curated UpdateStatus wins over the generated one.
func parseProfiles(version string, curated, generated []byte) (*Profiles, error) {
	var f profilesFile
	if err := json.Unmarshal(curated, &f); err != nil {
		return nil, fmt.Errorf("graph profiles: %w", err)
	}
	var g updateStatusFile
	if err := json.Unmarshal(generated, &g); err != nil {
		return nil, fmt.Errorf("graph update statuses: %w", err)
	}
	p := &Profiles{Namespaces: f.Namespaces, DefaultDomain: f.DefaultDomain, types: map[string]*TypeProfile{}}
	for name, tp := range f.Types {
		if len(tp.Versions) > 0 && !slices.Contains(tp.Versions, version) {
			continue
		}
		if err := tp.check(); err != nil {
			return nil, fmt.Errorf("graph profiles: %s: %w", name, err)
		}
		cp := *tp
		cp.Type = name
		p.types[name] = &cp
	}
	for name, st := range g.Versions[version] {
		if st.Status != 200 && st.Status != 204 {
			return nil, fmt.Errorf("graph update statuses: %s: status %d", name, st.Status)
		}
		tp := p.types[name]
		if tp == nil {
			tp = &TypeProfile{Type: name, Sources: []string{"update-status.json"}}
			p.types[name] = tp
		}
		if tp.UpdateStatus == 0 {
			tp.UpdateStatus = st.Status
		}
	}
	return p, nil
}

// check refuses malformed entries.
func (tp *TypeProfile) check() error {
	if len(tp.Sources) == 0 {
		return fmt.Errorf("no sources")
	}
	if tp.UpdateStatus != 0 && tp.UpdateStatus != 200 && tp.UpdateStatus != 204 {
		return fmt.Errorf("updateStatus %d (want 200 or 204)", tp.UpdateStatus)
	}
	for _, u := range tp.Unique {
		if u.If != "" {
			if _, err := ParseCondition(u.If); err != nil {
				return err
			}
		}
	}
	for _, sv := range tp.Server {
		if !slices.Contains(ServerValueKinds(), sv.Value) {
			return fmt.Errorf("server value %s: unknown kind %q", sv.Property, sv.Value)
		}
		if len(sv.On) == 0 {
			return fmt.Errorf("server value %s: no \"on\"", sv.Property)
		}
		for _, on := range sv.On {
			if on != "create" && on != "update" {
				return fmt.Errorf("server value %s: on %q (want create or update)", sv.Property, on)
			}
		}
		if sv.If != "" {
			if _, err := ParseCondition(sv.If); err != nil {
				return err
			}
		}
	}
	for _, d := range tp.Defaults {
		if !json.Valid(d.Value) {
			return fmt.Errorf("default %s: not JSON", d.Property)
		}
	}
	return nil
}

// ServerValueKinds lists the ways a server value may be made (ServerValue.Value).
func ServerValueKinds() []string {
	return []string{"now", "guid", "defaultDomain", "mailAddress", "smtpProxyAddresses", "securityIdentifier", "personName", "principalName"}
}
