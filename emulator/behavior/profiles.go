package behavior

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tidwall/gjson"

	"github.com/graph-emulator/graph-emulator/emulator/store"
	"github.com/graph-emulator/graph-emulator/entities"
	"github.com/graph-emulator/graph-emulator/odata"
)

// Profile is what Graph does beyond generic OData for the entities of one collection.
// The generic handlers call its hooks by these fixed names; a nil hook, or a collection
// with no profile, behaves as generic OData. Graph's profiles are built from the
// per-type data under entities/ (entities.GraphProfiles, see profileOf); WithProfile
// sets one of one's own for an entity set.
type Profile struct {
	// UpdateStatus is the status of a PATCH answered without Prefer: 200 (with the
	// entity) or 204 (no content). Zero means 200.
	UpdateStatus int
	// UniqueKeys names properties whose values no two entities of the set share
	// (compared case-insensitively, as Graph compares them); a create or update that
	// would break this is refused with Graph's ObjectConflict error.
	UniqueKeys []string
	// Unique adds rules of the same kind that hold for some entities only, or for the
	// values of a collection of strings (see Unique).
	Unique []Unique
	// OnCreate may complete a new entity's body before it is stored (server-set values)
	// or refuse it (required properties). It runs inside the write transaction.
	OnCreate func(c *Call, body []byte) ([]byte, error)
	// OnUpdate may complete an updated body (old is the stored one) or refuse it. It
	// runs inside the write transaction.
	OnUpdate func(c *Call, old, body []byte) ([]byte, error)
}

// Unique is a property whose values no two entities of a collection share, compared
// ignoring case. For a collection of strings, no string may be held by two entities.
type Unique struct {
	Property string
	// When, if not nil, limits the rule to the entities (JSON objects as stored) it
	// returns true for: a value is taken only when both entities meet it.
	When func(body []byte) bool
}

// Call is what a hook may use: the schema and type, the clock and key generator, and
// the tenant's state (a store.Tx inside writes).
type Call struct {
	Schema *entities.Schema
	Type   *entities.StructuredType
	Tenant string
	View   store.View
	Now    func() time.Time
	NewID  func() string
	// Merge returns body (an entity of Type as stored) with fields (in schema order)
	// set, each in its schema position.
	Merge func(body []byte, fields []entities.Field) []byte
	// Fixture marks an entity loaded from a fixture (PUT /_emulator/data, --seed), not
	// sent by a client: OnCreate should fill in only what the server sets and the
	// fixture left out (keeping the fixture's values, so that an export imports
	// unchanged), and should not refuse what a client must send.
	Fixture bool
	// Env is the rest of the request the drive behaviour needs (see Env).
	Env *Env
}

// Set returns body (an entity of c.Type as stored) with the property name set to the
// JSON value raw, in its schema position.
func (c *Call) Set(body []byte, name, raw string) []byte {
	_, i := c.Type.Property(name)
	return c.Merge(body, []entities.Field{{Name: name, Raw: raw, Index: i}})
}

// Profile returns the profile of writes to a collection of the API version version:
// set is the entity set's name ("" for a contained collection) and t the type whose
// rules apply (the collection's type on create, the entity's own on update). A profile
// given for the set (Config.Profiles) wins; else Graph's, from the data of t and its
// base types. It returns nil when neither says anything.
func (b *Behavior) Profile(version, set string, t *entities.StructuredType) *Profile {
	if p := b.profiles[set]; p != nil && set != "" {
		return p
	}
	if t == nil {
		return nil
	}
	return b.typeRules(version, t).profile
}

// UniqueProperties returns the properties Graph's data makes unique for entities of type
// t under version (UniqueKeys and Unique of its profile, conditional ones too).
func (b *Behavior) UniqueProperties(version string, t *entities.StructuredType) []string {
	if t == nil {
		return nil
	}
	p := b.typeRules(version, t).profile
	if p == nil {
		return nil
	}
	out := slices.Clone(p.UniqueKeys)
	for _, u := range p.Unique {
		if !slices.Contains(out, u.Property) {
			out = append(out, u.Property)
		}
	}
	return out
}

// Projection returns how an entity of type t is written by default (without $select)
// under version: its default property set in Graph's order, unset properties as null or
// []. Nil means as stored (types outside Graph's namespaces).
func (b *Behavior) Projection(version string, t *entities.StructuredType) *odata.Projection {
	if t == nil {
		return nil
	}
	return b.typeRules(version, t).projection
}

// registerProfiles loads Graph's per-type profile data of each version; the profiles
// and projections of a type are built from it on first use (typeRules). Profiles by set
// name, given in Config.Profiles, are added by New.
func registerProfiles(b *Behavior) {
	for _, v := range entities.Versions() {
		p, err := entities.GraphProfiles(v)
		if err != nil {
			// The embedded data is checked by the entities tests; a server without it
			// behaves as generic OData.
			continue
		}
		b.data[v] = p
	}
}

// rules is what the data says of one type under one version.
type rules struct {
	profile    *Profile
	projection *odata.Projection
}

// typeKey identifies a type of a schema served under a version.
type typeKey struct {
	version string
	t       *entities.StructuredType
}

// typeRules returns the rules of type t under version, built on first use and kept
// (the cache is the Behavior's only mutable state; entries never change once stored).
func (b *Behavior) typeRules(version string, t *entities.StructuredType) *rules {
	k := typeKey{version, t}
	if r, ok := b.rules.Load(k); ok {
		return r.(*rules)
	}
	r := b.buildRules(version, t)
	actual, _ := b.rules.LoadOrStore(k, r)
	return actual.(*rules)
}

// merged is a type's profile data merged along its base types, filtered to the
// properties the type has.
type merged struct {
	defaultProps []string
	selectOnly   []string
	writeOnly    []string
	required     []string
	// requiredUnless: properties whose value waives required.
	requiredUnless []string
	readOnly       []string
	unique         []entities.UniqueRule
	server         []entities.ServerValue
	defaults       []entities.DefaultValue
	updateStatus   int
	any            bool
}

// mergeProfiles merges the data of t's base types and t, the nearest one winning:
// lists are joined (a property named again replaces its earlier entry), the default
// property set and the update status are the nearest given.
func mergeProfiles(data *entities.Profiles, t *entities.StructuredType) *merged {
	var chain []*entities.StructuredType
	for c := t; c != nil; c = c.Base() {
		chain = append(chain, c)
	}
	m := &merged{}
	for i := len(chain) - 1; i >= 0; i-- {
		tp := data.Type(chain[i].QualifiedName())
		if tp == nil {
			continue
		}
		m.any = true
		if tp.DefaultProperties != nil {
			m.defaultProps = tp.DefaultProperties
		}
		m.selectOnly = joinNames(m.selectOnly, tp.SelectOnly)
		m.writeOnly = joinNames(m.writeOnly, tp.WriteOnly)
		m.required = joinNames(m.required, tp.Required)
		m.requiredUnless = joinNames(m.requiredUnless, tp.RequiredUnless)
		m.readOnly = joinNames(m.readOnly, tp.ReadOnly)
		for _, u := range tp.Unique {
			m.unique = slices.DeleteFunc(m.unique, func(x entities.UniqueRule) bool { return x.Property == u.Property })
			m.unique = append(m.unique, u)
		}
		for _, sv := range tp.Server {
			m.server = slices.DeleteFunc(m.server, func(x entities.ServerValue) bool { return x.Property == sv.Property })
			m.server = append(m.server, sv)
		}
		for _, d := range tp.Defaults {
			m.defaults = slices.DeleteFunc(m.defaults, func(x entities.DefaultValue) bool { return x.Property == d.Property })
			m.defaults = append(m.defaults, d)
		}
		if tp.UpdateStatus != 0 {
			m.updateStatus = tp.UpdateStatus
		}
	}
	// Only what the type has: a schema of one's own may lack some of Graph's properties.
	has := func(path string) bool {
		top, _, _ := strings.Cut(path, "/")
		p, _ := t.Property(top)
		return p != nil
	}
	m.selectOnly = slices.DeleteFunc(slices.Clone(m.selectOnly), func(s string) bool { return !has(s) })
	m.writeOnly = slices.DeleteFunc(slices.Clone(m.writeOnly), func(s string) bool { return !has(s) })
	m.required = slices.DeleteFunc(slices.Clone(m.required), func(s string) bool { return !has(s) })
	m.readOnly = slices.DeleteFunc(slices.Clone(m.readOnly), func(s string) bool { return !has(s) })
	m.unique = slices.DeleteFunc(m.unique, func(u entities.UniqueRule) bool { return !has(u.Property) })
	m.server = slices.DeleteFunc(m.server, func(sv entities.ServerValue) bool { return !has(sv.Property) })
	m.defaults = slices.DeleteFunc(m.defaults, func(d entities.DefaultValue) bool { return !has(d.Property) })
	return m
}

// joinNames appends to list the names of more it does not hold.
func joinNames(list, more []string) []string {
	for _, n := range more {
		if !slices.Contains(list, n) {
			list = append(slices.Clip(list), n)
		}
	}
	return list
}

// buildRules turns the data of t into its profile and projection.
func (b *Behavior) buildRules(version string, t *entities.StructuredType) *rules {
	data := b.data[version]
	if data == nil {
		return &rules{}
	}
	m := mergeProfiles(data, t)
	r := &rules{}
	if data.Covers(t) || m.any {
		r.projection = projectionOf(t, m)
	}
	if m.any {
		r.profile = b.profileOf(m)
	}
	return r
}

// projectionOf is t's default property set: the data's own list, else every structural
// property but the stream-valued, select-only and write-only ones, in schema order.
func projectionOf(t *entities.StructuredType, m *merged) *odata.Projection {
	if m.defaultProps != nil {
		return odata.NewProjection(t, m.defaultProps, false)
	}
	names := make([]string, 0, len(t.AllProperties()))
	for _, p := range t.AllProperties() {
		if p.Ref().Primitive == entities.EdmStream || slices.Contains(m.selectOnly, p.Name) || slices.Contains(m.writeOnly, p.Name) {
			continue
		}
		names = append(names, p.Name)
	}
	return odata.NewProjection(t, names, true)
}

// profileOf builds the hooks that apply the merged data.
func (b *Behavior) profileOf(m *merged) *Profile {
	p := &Profile{UpdateStatus: m.updateStatus}
	for _, u := range m.unique {
		rule := Unique{Property: u.Property}
		if u.If != "" {
			cond, err := entities.ParseCondition(u.If)
			if err != nil {
				continue // checked when the data is read
			}
			rule.When = func(body []byte) bool { return meets(body, cond) }
		}
		p.Unique = append(p.Unique, rule)
	}
	w := &writeRules{b: b, m: m}
	for _, sv := range m.server {
		cond := entities.Condition{}
		if sv.If != "" {
			cond, _ = entities.ParseCondition(sv.If)
		}
		w.server = append(w.server, serverValue{ServerValue: sv, cond: cond,
			create: slices.Contains(sv.On, "create"), update: slices.Contains(sv.On, "update")})
	}
	if len(m.required)+len(m.readOnly)+len(m.server)+len(m.defaults)+len(m.writeOnly) > 0 {
		p.OnCreate = w.onCreate
		p.OnUpdate = w.onUpdate
	}
	return p
}

// meets reports whether an entity meets a condition of the data.
func meets(body []byte, c entities.Condition) bool {
	v := gjson.GetBytes(body, gjson.Escape(c.Property))
	if c.Has == "" {
		return v.Type == gjson.True || v.IsArray() && isSet(v)
	}
	found := false
	v.ForEach(func(_, x gjson.Result) bool {
		found = x.Type == gjson.String && strings.EqualFold(x.Str, c.Has)
		return !found
	})
	return found
}

// serverValue is a server-set value of the data, ready to use.
type serverValue struct {
	entities.ServerValue
	cond           entities.Condition
	create, update bool
}

// writeRules applies a type's data to the bodies of creates and updates.
type writeRules struct {
	b      *Behavior
	m      *merged
	server []serverValue
}

// onCreate refuses a body with a refused read-only property or without a required
// one, then adds the defaults and the server's values and clears write-only values. A
// fixture's entity (Call.Fixture) is refused nothing and keeps the values it has.
func (w *writeRules) onCreate(c *Call, body []byte) ([]byte, error) {
	// A fixture is state, not a request: nothing is refused, and its values are kept.
	for _, name := range w.m.readOnly {
		if v := member(body, name); v.Exists() && v.Type != gjson.Null && !c.Fixture {
			return nil, errReadOnly(name)
		}
	}
	waived := c.Fixture
	for _, name := range w.m.requiredUnless {
		waived = waived || isSet(member(body, name))
	}
	for _, name := range w.m.required {
		if v := member(body, name); (!v.Exists() || v.Type == gjson.Null || v.Type == gjson.String && v.Str == "") && !waived {
			return nil, errRequired(name)
		}
	}
	set := fieldSet{c: c}
	for _, d := range w.m.defaults {
		if v := member(body, d.Property); !v.Exists() || v.Type == gjson.Null {
			set.add(d.Property, string(d.Value))
		}
	}
	body = set.apply(body)
	now := ""
	for _, sv := range w.server {
		if !sv.create || sv.cond.Property != "" && !meets(body, sv.cond) {
			continue
		}
		// A fixture keeps the values it has, null among them (Graph answers a null
		// createdDateTime for groups older than the property); a client's null is none.
		if v := member(body, sv.Property); c.Fixture && v.Exists() || sv.Keep && v.Exists() && v.Type != gjson.Null {
			continue
		}
		if raw := w.value(c, sv.Value, body, &now); raw != "" {
			body = c.Set(body, sv.Property, raw)
		}
	}
	return w.clearWriteOnly(c, body), nil
}

// onUpdate refuses a change of a refused read-only property, keeps what the server set
// on create (a client's change to it is ignored), sets what the server sets on update
// and clears write-only values.
func (w *writeRules) onUpdate(c *Call, old, body []byte) ([]byte, error) {
	set := fieldSet{c: c}
	for _, name := range w.m.readOnly {
		was, now := member(old, name), member(body, name)
		switch {
		case now.Raw == was.Raw:
		case !now.Exists() || now.Type == gjson.Null:
			if was.Exists() {
				set.add(name, was.Raw) // a replace (PUT) keeps it
			}
		default:
			return nil, errReadOnly(name)
		}
	}
	for _, sv := range w.server {
		if !sv.create || sv.update || sv.Mutable {
			continue
		}
		was, now := member(old, sv.Property), member(body, sv.Property)
		if now.Raw != was.Raw {
			raw := was.Raw
			if !was.Exists() {
				raw = "null"
			}
			set.add(sv.Property, raw)
		}
	}
	body = set.apply(body)
	now := ""
	for _, sv := range w.server {
		if !sv.update || sv.cond.Property != "" && !meets(body, sv.cond) {
			continue
		}
		if raw := w.value(c, sv.Value, body, &now); raw != "" {
			body = c.Set(body, sv.Property, raw)
		}
	}
	return w.clearWriteOnly(c, body), nil
}

// clearWriteOnly stores write-only values as null, so that no read returns them.
func (w *writeRules) clearWriteOnly(c *Call, body []byte) []byte {
	set := fieldSet{c: c}
	for _, path := range w.m.writeOnly {
		top, rest, nested := strings.Cut(path, "/")
		v := member(body, top)
		if !v.Exists() || v.Type == gjson.Null {
			continue
		}
		if !nested {
			set.add(top, "null")
			continue
		}
		if cleared, changed := clearPath(v.Raw, strings.Split(rest, "/")); changed {
			set.add(top, cleared)
		}
	}
	return set.apply(body)
}

// clearPath returns raw (an object, or an array of them) with the member at path set
// to null wherever it holds something else, and whether anything changed.
func clearPath(raw string, path []string) (string, bool) {
	v := gjson.Parse(raw)
	switch {
	case v.IsArray():
		var b []byte
		changed := false
		b = append(b, '[')
		v.ForEach(func(_, item gjson.Result) bool {
			s, ch := clearPath(item.Raw, path)
			changed = changed || ch
			if len(b) > 1 {
				b = append(b, ',')
			}
			b = append(b, s...)
			return true
		})
		return string(append(b, ']')), changed
	case v.IsObject():
		var b []byte
		changed := false
		b = append(b, '{')
		v.ForEach(func(k, m gjson.Result) bool {
			val := m.Raw
			if k.Str == path[0] {
				if len(path) == 1 {
					if m.Type != gjson.Null {
						val, changed = "null", true
					}
				} else if s, ch := clearPath(m.Raw, path[1:]); ch {
					val, changed = s, true
				}
			}
			if len(b) > 1 {
				b = append(b, ',')
			}
			b = odata.AppendString(b, k.Str)
			b = append(b, ':')
			b = append(b, val...)
			return true
		})
		return string(append(b, '}')), changed
	}
	return raw, false
}

// value makes a server-set value (see entities.ServerValue): its JSON text, or "" when
// the entity lacks what it is made of. now holds the time of the write, read from the
// clock once, so that the timestamps one write sets are equal.
func (w *writeRules) value(c *Call, kind string, body []byte, now *string) string {
	switch kind {
	case "now":
		if *now == "" {
			*now = string(odata.AppendString(nil, c.Now().UTC().Format("2006-01-02T15:04:05.9999999Z07:00")))
		}
		return *now
	case "guid":
		return string(odata.AppendString(nil, c.NewID()))
	case "defaultDomain":
		return string(odata.AppendString(nil, w.b.domain()))
	case "mailAddress":
		if nick := member(body, "mailNickname"); nick.Type == gjson.String && nick.Str != "" {
			return string(odata.AppendString(nil, nick.Str+"@"+w.b.domain()))
		}
	case "smtpProxyAddresses":
		if mail := member(body, "mail"); mail.Type == gjson.String && mail.Str != "" {
			return "[" + string(odata.AppendString(nil, "SMTP:"+mail.Str)) + "]"
		}
	case "securityIdentifier":
		if sid := securityIdentifier(member(body, "id").Str); sid != "" {
			return string(odata.AppendString(nil, sid))
		}
	case "principalName":
		if id := member(body, "id"); id.Type == gjson.String && id.Str != "" {
			return string(odata.AppendString(nil, id.Str+"@"+w.b.domain()))
		}
	case "personName":
		var parts []string
		for _, name := range []string{"givenName", "middleName", "surname"} {
			if v := member(body, name); v.Type == gjson.String && strings.TrimSpace(v.Str) != "" {
				parts = append(parts, strings.TrimSpace(v.Str))
			}
		}
		if len(parts) > 0 {
			return string(odata.AppendString(nil, strings.Join(parts, " ")))
		}
	}
	return ""
}

// isSet reports whether v is a value a request sets: not absent, null, false, "" or [].
func isSet(v gjson.Result) bool {
	switch {
	case !v.Exists(), v.Type == gjson.Null, v.Type == gjson.False, v.Type == gjson.String && v.Str == "":
		return false
	case v.IsArray():
		return v.Get("#").Int() > 0
	}
	return true
}

// member returns the top-level member name of a stored body.
func member(body []byte, name string) gjson.Result {
	return gjson.GetBytes(body, gjson.Escape(name))
}

// fieldSet collects values to set in one merge.
type fieldSet struct {
	c      *Call
	fields []entities.Field
}

func (s *fieldSet) add(name, raw string) {
	_, i := s.c.Type.Property(name)
	s.fields = append(s.fields, entities.Field{Name: name, Raw: raw, Index: i})
}

// apply returns body with the collected values set (in schema order, as Merge wants).
func (s *fieldSet) apply(body []byte) []byte {
	if len(s.fields) == 0 {
		return body
	}
	slices.SortStableFunc(s.fields, func(a, b entities.Field) int { return a.Index - b.Index })
	return s.c.Merge(body, s.fields)
}

// errRequired is Graph's answer to a create without a required property.
func errRequired(name string) error {
	return &odata.Error{Status: http.StatusBadRequest, Code: "Request_BadRequest",
		Message: "Property " + name + " value is required but is empty or missing."}
}

// errReadOnly is Graph's answer to a body that sets a read-only property it refuses.
func errReadOnly(name string) error {
	return &odata.Error{Status: http.StatusBadRequest, Code: "Request_BadRequest",
		Message: "Property '" + name + "' is read-only and cannot be set."}
}

// securityIdentifier returns the security identifier Entra ID gives a cloud object with
// the object id id (a GUID): S-1-12-1- and the id's 16 bytes as four little-endian
// 32-bit numbers. It returns "" when id is not a GUID.
func securityIdentifier(id string) string {
	hex := strings.ReplaceAll(id, "-", "")
	if len(hex) != 32 || len(id) != 36 {
		return ""
	}
	var raw [16]byte
	for i := range raw {
		hi, ok1 := unhex(hex[2*i])
		lo, ok2 := unhex(hex[2*i+1])
		if !ok1 || !ok2 {
			return ""
		}
		raw[i] = hi<<4 | lo
	}
	// The GUID's byte order: the first three groups are stored little-endian.
	b := [16]byte{raw[3], raw[2], raw[1], raw[0], raw[5], raw[4], raw[7], raw[6],
		raw[8], raw[9], raw[10], raw[11], raw[12], raw[13], raw[14], raw[15]}
	var sb strings.Builder
	sb.WriteString("S-1-12-1")
	for i := 0; i < 16; i += 4 {
		n := uint32(b[i]) | uint32(b[i+1])<<8 | uint32(b[i+2])<<16 | uint32(b[i+3])<<24
		sb.WriteByte('-')
		sb.WriteString(strconv.FormatUint(uint64(n), 10))
	}
	return sb.String()
}

func unhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}
