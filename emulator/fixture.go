package emulator

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/tidwall/gjson"

	"github.com/graph-emulator/graph-emulator/emulator/behavior"
	"github.com/graph-emulator/graph-emulator/emulator/control"
	"github.com/graph-emulator/graph-emulator/emulator/store"
	"github.com/graph-emulator/graph-emulator/entities"
	"github.com/graph-emulator/graph-emulator/odata"
)

// Fixtures: a tenant's whole state as one JSON document people can write by hand, read
// by PUT and POST /_emulator/data and --seed, written by GET /_emulator/data.
//
//	{
//	  "@version": "v1.0",                       optional: the schema the fixture is read with
//	  "users": [                                an entity set: an array of entities
//	    {"id": "u1", "displayName": "Adele",     properties as in a POST body
//	     "manager": "u2",                        a single-valued reference: an id
//	     "messages": [{"id": "m1", ...}],        a contained collection: nested entities
//	     "mailboxSettings": {...}}               a single-valued containment: one object
//	  ],
//	  "groups": [{"id": "g1", "@odata.type": "#microsoft.graph.group",
//	     "members": ["u1", "u2"],                a collection of references: ids
//	     "owners@odata.bind": ["users/u1"]}],    or URLs, as in a POST body
//	  "users/u1/mailFolders": [...],            a contained collection by its path
//	  "groups('g1')/members": ["u3"]            references by their path
//	}
//
// Every entity is checked as the body of a POST to its collection (property names,
// JSON kinds, enumerations, @odata.type naming the collection's type or a derived one;
// --strict's lexical forms, but read-only properties are allowed and required ones may
// be absent, as the fixture is state, not a request), then completed by the set's
// behaviour as a POST would be (an application's appId, when the fixture leaves it
// out). References are resolved after every entity is stored, so they may point
// forward. Navigation properties the behaviour keeps itself (computed ones such as
// memberOf, the directory's deletedItems) are refused, and left out of an export. Ids
// are kept; an entity without one gets a new id. The whole fixture is one
// store write: the first problem answers 400 naming where it is (set, id, property)
// and nothing is kept.

// fixtureVersionKey names, at the top of a fixture, the schema version it is read with.
const fixtureVersionKey = "@version"

// fixture is one named fixture document.
type fixture struct {
	name string // for errors: "" for a request body, else "seed NAME"
	data []byte
}

// fixtureLoad is one import in progress, inside one store write.
type fixtureLoad struct {
	s   *Server
	tx  store.Tx
	rq  *request // for path resolution and @odata.bind, as a request of the fixture's version
	sc  *schemaIndex
	res control.ImportResult
	// refs are linked once every entity is stored.
	refs []pendingRefs
}

// pendingRefs are the references one navigation property of one entity gets.
type pendingRefs struct {
	where   string // for errors: groups('g1')/members
	owner   store.Coll
	ownerID string
	ownerT  *entities.StructuredType
	nav     *entities.NavigationProperty
	ids     []string // by key
	binds   []bind   // by URL (nav@odata.bind)
}

// errDryRun rolls back an import that only checks its fixtures.
var errDryRun = errors.New("dry run")

// importFixtures loads fixtures into the tenant in one store write: in place of its
// state (replace) or added to it. With dryRun it checks them and keeps nothing.
func (s *Server) importFixtures(tenant string, fixtures []fixture, replace, dryRun bool) (control.ImportResult, error) {
	type parsed struct {
		root   gjson.Result
		schema *entities.Schema
		ver    string
	}
	docs := make([]parsed, len(fixtures))
	for i, f := range fixtures {
		root, schema, ver, err := s.parseFixture(f.data)
		if err != nil {
			return control.ImportResult{}, fixtureNamed(f.name, err)
		}
		docs[i] = parsed{root, schema, ver}
	}
	var res control.ImportResult
	err := s.store.Write(tenant, func(tx store.Tx) error {
		if replace {
			s.clearTenant(tx)
		}
		for i, d := range docs {
			ld := &fixtureLoad{s: s, tx: tx, sc: s.schemaCache(d.schema), rq: s.fixtureRequest(tenant, d.ver, d.schema)}
			if err := ld.load(d.root); err != nil {
				return fixtureNamed(fixtures[i].name, err)
			}
			res.Entities += ld.res.Entities
			res.References += ld.res.References
		}
		if dryRun {
			return errDryRun
		}
		return nil
	})
	if err != nil && !errors.Is(err, errDryRun) {
		return control.ImportResult{}, err
	}
	res.Tenant = tenant
	return res, nil
}

// parseFixture checks that data is a JSON object and reads its version.
func (s *Server) parseFixture(data []byte) (gjson.Result, *entities.Schema, string, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return gjson.Result{}, nil, "", fixtureErr("", "The fixture is empty: send a JSON object such as {\"users\":[{\"id\":\"u1\",\"displayName\":\"Adele Vance\"}]}.")
	}
	if !gjson.ValidBytes(data) || !utf8.Valid(data) {
		return gjson.Result{}, nil, "", fixtureErr("", "The fixture is not valid JSON.")
	}
	root := gjson.ParseBytes(data)
	if !root.IsObject() {
		return gjson.Result{}, nil, "", fixtureErr("", "The fixture is a JSON "+entities.JSONKindName(root)+"; it must be an object of entity sets.")
	}
	ver := s.defaultVersion()
	if v := root.Get(gjson.Escape(fixtureVersionKey)); v.Exists() {
		if v.Type != gjson.String || s.cfg.schemas[v.Str] == nil {
			return gjson.Result{}, nil, "", fixtureErr(fixtureVersionKey, "The fixture's "+fixtureVersionKey+" "+v.Raw+" is not a version served: use one of "+strings.Join(s.versions(), ", ")+".")
		}
		ver = v.Str
	}
	return root, s.cfg.schemas[ver], ver, nil
}

// defaultVersion is the version fixtures are read and written with unless they say:
// v1.0 when it is served.
func (s *Server) defaultVersion() string {
	return s.versions()[0]
}

// versions lists the versions served, in entities.Versions order.
func (s *Server) versions() []string {
	var vs []string
	for _, v := range entities.Versions() {
		if s.cfg.schemas[v] != nil {
			vs = append(vs, v)
		}
	}
	return vs
}

// fixtureRequest is the request a fixture's paths and URLs are resolved as.
func (s *Server) fixtureRequest(tenant, version string, schema *entities.Schema) *request {
	r := &http.Request{Method: http.MethodPut, URL: &url.URL{Path: control.Prefix + "data"}, Header: http.Header{}}
	return &request{r: r, info: &RequestInfo{Tenant: tenant}, version: version, schema: schema}
}

// clearTenant deletes, inside tx, every entity of every entity set and singleton the
// server's schemas name, with what they contain and every reference to them.
func (s *Server) clearTenant(tx store.Tx) {
	for schema := range s.indexes {
		for _, set := range schema.EntitySets() {
			c := store.Set(set.Name)
			var ids []string
			tx.Scan(c, 0, func(e store.Entity) bool { ids = append(ids, e.ID); return true })
			for _, id := range ids {
				_ = tx.Delete(c, id) // gone already when another schema's set has the name
			}
		}
		for _, sg := range schema.Singletons() {
			_ = tx.Delete(store.Singleton(sg.Name), sg.Name)
		}
	}
	// What the behaviour keeps outside the schema's sets: the outbox.
	_, _ = s.behavior.ClearOutbox(tx)
}

// load stores a fixture's entities, then links its references.
func (ld *fixtureLoad) load(root gjson.Result) error {
	var err error
	var paths []gjson.Result // keys that are paths, loaded after the sets
	schema := ld.rq.schema
	root.ForEach(func(k, v gjson.Result) bool {
		name := k.Str
		switch {
		case name == fixtureVersionKey || name == "$schema":
			return true
		case strings.ContainsAny(name, "/("):
			paths = append(paths, k, v)
			return true
		}
		if set := schema.EntitySet(name); set != nil || schema.EntitySetFold(name) != nil {
			if set == nil {
				set = schema.EntitySetFold(name)
			}
			err = ld.loadCollection(v, ld.sc.setColl(set), set.Type(), set.Name, ld.s.behavior.Profile(ld.rq.version, set.Name, set.Type()))
			return err == nil
		}
		sg := schema.Singleton(name)
		if sg == nil {
			sg = schema.SingletonFold(name)
		}
		if sg == nil {
			err = fixtureErr(name, fmt.Sprintf("The fixture names '%s', which is neither an entity set nor a singleton of %s, nor a path to a collection such as users/{id}/messages.", name, ld.rq.version))
			return false
		}
		if set := ld.sc.setOfType[sg.EntityType()]; set != nil {
			err = fixtureErr(name, fmt.Sprintf("'%s' stands for an entity of the set '%s': put it there (and --me, or the signed-in user option, names it).", sg.Name, set.Name))
			return false
		}
		err = ld.loadKept(v, store.Singleton(sg.Name), sg.Name, sg.EntityType(), sg.Name)
		return err == nil
	})
	if err != nil {
		return err
	}
	for i := 0; i < len(paths); i += 2 {
		if err := ld.loadPath(paths[i].Str, paths[i+1]); err != nil {
			return err
		}
	}
	for i := range ld.refs {
		if err := ld.link(&ld.refs[i]); err != nil {
			return err
		}
	}
	return nil
}

// loadCollection stores an array of entities in c.
func (ld *fixtureLoad) loadCollection(v gjson.Result, c store.Coll, declared *entities.StructuredType, where string, prof *behavior.Profile) error {
	if !v.IsArray() {
		return fixtureErr(where, fmt.Sprintf("'%s' must be an array of %s entities, not a JSON %s.", where, declared.QualifiedName(), entities.JSONKindName(v)))
	}
	var err error
	i := 0
	v.ForEach(func(_, item gjson.Result) bool {
		err = ld.loadEntity(item, c, declared, where, i, "", prof)
		i++
		return err == nil
	})
	return err
}

// loadKept stores an entity the emulator keeps under a fixed key (a singleton, a
// single-valued containment), an object or null (nothing).
func (ld *fixtureLoad) loadKept(v gjson.Result, c store.Coll, key string, declared *entities.StructuredType, where string) error {
	if v.Type == gjson.Null {
		return nil
	}
	return ld.loadEntity(v, c, declared, where, -1, key, nil)
}

// loadPath stores the entities or references of a collection addressed by its path
// (users/u1/messages, groups('g1')/members, directory/deletedItems).
func (ld *fixtureLoad) loadPath(key string, v gjson.Result) error {
	p, err := odata.ParsePath(ld.rq.schema, key)
	if err != nil {
		return fixtureWrap(key, err)
	}
	sub := *ld.rq
	sub.path = p
	r, err := ld.s.resolve(&sub, ld.tx)
	if err != nil {
		return fixtureWrap(key, err)
	}
	switch {
	case p.Kind == odata.PathCollection && r.refs:
		return ld.addRefs(v, r.entityColl, r.owner, r.nav, key)
	case p.Kind == odata.PathCollection && !r.refs:
		set := ""
		if r.coll.IsRoot() {
			set = r.coll.Root()
		}
		return ld.loadCollection(v, r.coll, r.typ, key, ld.s.behavior.Profile(ld.rq.version, set, r.typ))
	case p.Kind == odata.PathEntity && r.singleton:
		// A kept entity the path names is replaced by the fixture's.
		if !r.virtual {
			if err := ld.tx.Delete(r.entityColl, r.id); err != nil {
				return fixtureWrap(key, storeError(err, r.id))
			}
		}
		return ld.loadKept(v, r.entityColl, r.id, r.declared, key)
	case p.Kind == odata.PathEntity && r.refs && r.nav != nil && !r.nav.IsCollection():
		return ld.addRefs(v, r.entityColl, r.owner, r.nav, key)
	}
	return fixtureErr(key, fmt.Sprintf("The path '%s' does not name a collection of entities or references (nor a singleton): list entities under their set, or use a path such as users/{id}/messages.", key))
}

// loadEntity stores one entity of a collection with declared type declared, then what
// it contains, and notes its references. index is its place in its array (-1 for a kept
// entity, whose key is kept); prof is its set's profile (nil under another entity).
func (ld *fixtureLoad) loadEntity(obj gjson.Result, c store.Coll, declared *entities.StructuredType, coll string, index int, kept string, prof *behavior.Profile) error {
	where := coll
	if index >= 0 {
		where = coll + "[" + strconv.Itoa(index) + "]"
	}
	if !obj.IsObject() {
		return fixtureErr(where, fmt.Sprintf("'%s' must be a JSON object (an entity of type %s), not a JSON %s.", where, declared.QualifiedName(), entities.JSONKindName(obj)))
	}
	key := declared.KeyProperty()
	if key == nil {
		return fixtureErr(where, fmt.Sprintf("The type %s has no key; its entities cannot be stored.", declared.QualifiedName()))
	}
	id := kept
	if k := obj.Get(gjson.Escape(key.Name)); k.Exists() {
		if k.Type != gjson.String || k.Str == "" {
			return fixtureErr(where+"/"+key.Name, fmt.Sprintf("The key '%s' of %s must be a non-empty string.", key.Name, where))
		}
		if kept != "" && k.Str != kept {
			return fixtureErr(where+"/"+key.Name, fmt.Sprintf("The key of %s is always '%s', not '%s'.", where, kept, k.Str))
		}
		id = k.Str
	}
	if id != "" && index >= 0 {
		where = coll + keyPredicate(id)
	}
	// The entity's own type decides which members are navigation properties.
	typ := declared
	if t := obj.Get(`@odata\.type`); t.Type == gjson.String {
		if et := ld.rq.schema.EntityType(t.Str); et != nil && et.IsA(declared) {
			typ = et
		}
	}
	body, navs := splitNavigation(typ, obj)
	p, err := ld.rq.schema.ReadPayload(declared, body, entities.ReadOptions{Strict: ld.s.cfg.strict, State: true})
	if err != nil {
		return fixtureWrap(where, payloadError(err))
	}
	typ = p.Type
	binds, err := readBinds(typ, []byte(obj.Raw))
	if err != nil {
		return fixtureWrap(where, err)
	}
	if id == "" {
		id = ld.s.cfg.newID()
	}
	stored := renderBody(key.Name, id, p.Fields)
	if prof != nil && prof.OnCreate != nil {
		call := ld.s.call(ld.rq, ld.tx, typ)
		call.Fixture = true
		if stored, err = prof.OnCreate(call, stored); err != nil {
			return fixtureWrap(where, err)
		}
	}
	if err := ld.s.checkUnique(ld.tx, &resource{coll: c, declared: declared}, typ, prof, id, stored); err != nil {
		return fixtureWrap(where, err)
	}
	if _, err := ld.tx.Insert(c, store.Entity{ID: id, Type: typ.QualifiedName(), Body: stored}); err != nil {
		if errors.Is(err, store.ErrExists) {
			return fixtureWrap(where, odata.ErrKeyConflict(key.Name, id))
		}
		return fixtureWrap(where, storeError(err, id))
	}
	ld.res.Entities++
	for _, n := range navs {
		nav, v := n.nav, n.value
		at := where + "/" + nav.Name
		switch {
		case nav.ContainsTarget && nav.IsCollection():
			err = ld.loadCollection(v, c.Contained(id, nav.Name), nav.Target(), at, nil)
		case nav.ContainsTarget:
			err = ld.loadKept(v, c.Contained(id, nav.Name), nav.Name, nav.Target(), at)
		default:
			err = ld.addRefs(v, c, store.Entity{ID: id, Type: typ.QualifiedName()}, nav, at)
		}
		if err != nil {
			return err
		}
	}
	if len(binds) > 0 {
		ld.refs = append(ld.refs, pendingRefs{where: where, owner: c, ownerID: id, ownerT: typ, binds: binds})
	}
	return nil
}

// navMember is a navigation property's member of a fixture entity.
type navMember struct {
	nav   *entities.NavigationProperty
	value gjson.Result
}

// splitNavigation returns obj without its navigation properties (the body a POST would
// send), and those properties.
func splitNavigation(t *entities.StructuredType, obj gjson.Result) ([]byte, []navMember) {
	var navs []navMember
	body := make([]byte, 0, len(obj.Raw))
	body = append(body, '{')
	obj.ForEach(func(k, v gjson.Result) bool {
		if nav := t.NavigationProperty(k.Str); nav != nil {
			navs = append(navs, navMember{nav, v})
			return true
		}
		if len(body) > 1 {
			body = append(body, ',')
		}
		body = append(body, k.Raw...)
		body = append(body, ':')
		body = append(body, v.Raw...)
		return true
	})
	return append(body, '}'), navs
}

// addRefs notes the references of a non-contained navigation property: an id, or null,
// for a single-valued one; an array of ids for a collection.
func (ld *fixtureLoad) addRefs(v gjson.Result, owner store.Coll, ownerEntity store.Entity, nav *entities.NavigationProperty, where string) error {
	ownerT := ld.rq.schema.EntityType(ownerEntity.Type)
	if ld.s.behavior.Nav(ld.rq.schema, ownerT, nav).ReadOnly {
		return fixtureWrap(where, behavior.ErrReadOnlyNav(nav.Name))
	}
	pr := pendingRefs{where: where, owner: owner, ownerID: ownerEntity.ID, ownerT: ownerT, nav: nav}
	switch {
	case nav.IsCollection() && v.IsArray():
		var err error
		v.ForEach(func(_, id gjson.Result) bool {
			if id.Type != gjson.String || id.Str == "" {
				err = fixtureErr(where, fmt.Sprintf("'%s' must be an array of ids (strings) of %s entities; found %s.", where, nav.Target().QualifiedName(), shortRaw(id.Raw)))
				return false
			}
			pr.ids = append(pr.ids, id.Str)
			return true
		})
		if err != nil {
			return err
		}
	case !nav.IsCollection() && v.Type == gjson.String && v.Str != "":
		pr.ids = []string{v.Str}
	case !nav.IsCollection() && v.Type == gjson.Null:
	case nav.IsCollection():
		return fixtureErr(where, fmt.Sprintf("'%s' must be an array of ids (strings) of %s entities, not a JSON %s.", where, nav.Target().QualifiedName(), entities.JSONKindName(v)))
	default:
		return fixtureErr(where, fmt.Sprintf("'%s' must be the id (a string) of a %s entity, not a JSON %s.", where, nav.Target().QualifiedName(), entities.JSONKindName(v)))
	}
	ld.refs = append(ld.refs, pr)
	return nil
}

// link adds noted references: ids are looked up in the collections that hold the
// navigation property's targets (the entity set of its type and those of derived
// types), URLs as @odata.bind resolves them.
func (ld *fixtureLoad) link(pr *pendingRefs) error {
	if len(pr.binds) > 0 {
		r := &resource{entityColl: pr.owner, entity: store.Entity{ID: pr.ownerID, Type: pr.ownerT.QualifiedName()}, declared: pr.ownerT}
		n := 0
		for _, b := range pr.binds {
			n += len(b.urls)
		}
		if err := ld.s.applyBinds(ld.rq, ld.tx, r, pr.binds); err != nil {
			return fixtureWrap(pr.where, err)
		}
		ld.res.References += n
		return nil
	}
	refs := pr.owner.Refs(pr.ownerID, pr.nav.Name)
	if !pr.nav.IsCollection() {
		ld.tx.UnlinkAll(refs)
	}
	for _, id := range pr.ids {
		target, ok := ld.findTarget(pr.nav, id)
		if !ok {
			return fixtureErr(pr.where, fmt.Sprintf("The reference %s names '%s', but no %s has that id in the fixture or the tenant.", pr.where, id, pr.nav.Target().QualifiedName()))
		}
		if _, err := ld.tx.Link(refs, target, id); errors.Is(err, store.ErrExists) {
			return fixtureErr(pr.where, fmt.Sprintf("The reference %s names '%s' twice.", pr.where, id))
		} else if err != nil {
			return fixtureWrap(pr.where, storeError(err, id))
		}
		ld.res.References++
	}
	return nil
}

// findTarget returns the collection holding the target with key id of a navigation
// property: the first of the collections of its target set (then the sets of derived
// types) with an entity of that key and of the target type.
func (ld *fixtureLoad) findTarget(nav *entities.NavigationProperty, id string) (store.Coll, bool) {
	return findTarget(ld.rq.schema, ld.sc, ld.tx, nav, id)
}

func findTarget(schema *entities.Schema, sc *schemaIndex, v store.View, nav *entities.NavigationProperty, id string) (store.Coll, bool) {
	set := sc.targetSet(nav)
	if set == nil {
		return store.Coll{}, false
	}
	for _, c := range sc.sources[set] {
		if e, err := v.Get(c, id); err == nil && entityIsA(schema, e, nav.Target()) {
			return c, true
		}
	}
	return store.Coll{}, false
}

// exportFixture writes the tenant's state as a fixture of version ("" for the
// default): entity sets in schema order, entities in creation order, indented.
func (s *Server) exportFixture(tenant, version string) ([]byte, error) {
	if version == "" {
		version = s.defaultVersion()
	}
	schema := s.cfg.schemas[version]
	if schema == nil {
		return nil, &odata.Error{Status: http.StatusBadRequest, Code: "BadRequest",
			Message: "The version '" + version + "' is not served: use one of " + strings.Join(s.versions(), ", ") + ".",
			Details: []odata.ErrorDetail{{Code: "InvalidRequest", Message: "Unknown version.", Target: "version"}}}
	}
	x := &exporter{behavior: s.behavior, schema: schema, sc: s.schemaCache(schema)}
	err := s.store.Read(tenant, func(v store.View) error {
		x.v = v
		x.b = append(x.b, '{')
		x.member(fixtureVersionKey)
		x.b = odata.AppendString(x.b, version)
		for _, set := range schema.EntitySets() {
			c := x.sc.setColl(set)
			if v.Len(c) == 0 {
				continue
			}
			x.member(set.Name)
			x.collection(c, set.Type())
		}
		for _, sg := range schema.Singletons() {
			if x.sc.setOfType[sg.EntityType()] != nil {
				continue
			}
			c := store.Singleton(sg.Name)
			if e, err := v.Get(c, sg.Name); err == nil {
				x.member(sg.Name)
				x.entity(c, e, sg.EntityType())
			}
		}
		x.b = append(x.b, '}')
		return nil
	})
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	out.Grow(len(x.b) * 2)
	if err := json.Indent(&out, x.b, "", "  "); err != nil {
		return nil, err
	}
	out.WriteByte('\n')
	return out.Bytes(), nil
}

// exporter writes a fixture from one read of a tenant.
type exporter struct {
	behavior *behavior.Behavior
	schema   *entities.Schema
	sc       *schemaIndex
	v        store.View
	b        []byte
}

// member writes an object member's name, after a comma unless it is the first.
func (x *exporter) member(name string) {
	if n := len(x.b); n > 0 && x.b[n-1] != '{' && x.b[n-1] != '[' {
		x.b = append(x.b, ',')
	}
	x.b = odata.AppendString(x.b, name)
	x.b = append(x.b, ':')
}

func (x *exporter) collection(c store.Coll, declared *entities.StructuredType) {
	x.b = append(x.b, '[')
	first := true
	x.v.Scan(c, 0, func(e store.Entity) bool {
		if !first {
			x.b = append(x.b, ',')
		}
		first = false
		x.entity(c, e, declared)
		return true
	})
	x.b = append(x.b, ']')
}

// entity writes e, stored in c: @odata.type when it is not the declared type, its
// properties as stored, then what it contains and its references.
func (x *exporter) entity(c store.Coll, e store.Entity, declared *entities.StructuredType) {
	t := x.schema.EntityType(e.Type)
	if t == nil {
		t = declared
	}
	x.b = append(x.b, '{')
	if e.Type != declared.QualifiedName() {
		x.member("@odata.type")
		x.b = odata.AppendString(x.b, "#"+e.Type)
	}
	if inner := bytes.TrimSpace(e.Body); len(inner) > 2 {
		if len(x.b) > 0 && x.b[len(x.b)-1] != '{' {
			x.b = append(x.b, ',')
		}
		x.b = append(x.b, inner[1:len(inner)-1]...)
	}
	for _, nav := range t.AllNavigationProperties() {
		switch {
		case nav.ContainsTarget && nav.IsCollection():
			cc := c.Contained(e.ID, nav.Name)
			if x.v.Len(cc) > 0 {
				x.member(nav.Name)
				x.collection(cc, nav.Target())
			}
		case nav.ContainsTarget:
			cc := c.Contained(e.ID, nav.Name)
			if ke, err := x.v.Get(cc, nav.Name); err == nil {
				x.member(nav.Name)
				x.entity(cc, ke, nav.Target())
			}
		case x.readOnly(t, nav):
			// Written by the server alone (deletedItems), or computed (memberOf).
		default:
			x.refs(c.Refs(e.ID, nav.Name), nav)
		}
	}
	x.b = append(x.b, '}')
}

// readOnly reports whether the behaviour keeps a navigation property's references
// itself: a fixture may not set them.
func (x *exporter) readOnly(t *entities.StructuredType, nav *entities.NavigationProperty) bool {
	return x.behavior.Nav(x.schema, t, nav).ReadOnly
}

// refs writes a navigation property's references by id, or, for a target an id alone
// would not find again (an id two sets share), by URL in nav@odata.bind.
func (x *exporter) refs(rc store.Coll, nav *entities.NavigationProperty) {
	if x.v.Len(rc) == 0 {
		return
	}
	var ids, urls []string
	x.v.Refs(rc, 0, func(r store.Ref) bool {
		if c, ok := findTarget(x.schema, x.sc, x.v, nav, r.ID); ok && c.Equal(r.Target) {
			ids = append(ids, r.ID)
		} else {
			urls = append(urls, collURL(r.Target)+keyPredicate(r.ID))
		}
		return true
	})
	if len(ids) > 0 {
		x.member(nav.Name)
		if nav.IsCollection() {
			x.strings(ids)
		} else {
			x.b = odata.AppendString(x.b, ids[0])
		}
	}
	if len(urls) > 0 {
		x.member(nav.Name + bindSuffix)
		if nav.IsCollection() {
			x.strings(urls)
		} else {
			x.b = odata.AppendString(x.b, urls[0])
		}
	}
}

// collURL is the URL path of a collection: its set, or the path of the entity that
// contains it and the navigation property (drives('d')/items).
func collURL(c store.Coll) string {
	parent, key, nav, ok := c.Owner()
	if !ok {
		return c.Root()
	}
	return collURL(parent) + keyPredicate(key) + "/" + nav
}

func (x *exporter) strings(list []string) {
	x.b = append(x.b, '[')
	for i, s := range list {
		if i > 0 {
			x.b = append(x.b, ',')
		}
		x.b = odata.AppendString(x.b, s)
	}
	x.b = append(x.b, ']')
}

// fixtureErr is the 400 of a bad fixture: msg says what is wrong at where (a set, an
// entity such as users('u1'), a property such as users('u1')/manager).
func fixtureErr(where, msg string) *odata.Error {
	return &odata.Error{Status: http.StatusBadRequest, Code: "BadRequest", Message: msg,
		Details: []odata.ErrorDetail{{Code: "InvalidFixture", Message: msg, Target: where}}}
}

// fixtureWrap turns the Graph error a POST would get into the 400 of a bad fixture,
// prefixed with where it is; other errors pass.
func fixtureWrap(where string, err error) error {
	var ge *odata.Error
	if !errors.As(err, &ge) {
		return err
	}
	msg := ge.Message
	if where != "" {
		msg = where + ": " + msg
	}
	out := &odata.Error{Status: http.StatusBadRequest, Code: ge.Code, Message: msg,
		Details: []odata.ErrorDetail{{Code: "InvalidFixture", Message: ge.Message, Target: where}}}
	for _, d := range ge.Details {
		if d.Target != "" && where != "" && !strings.HasPrefix(d.Target, where) {
			d.Target = where + "/" + strings.ReplaceAll(d.Target, ".", "/")
		}
		out.Details = append(out.Details, d)
	}
	return out
}

// fixtureNamed prefixes a fixture's error with its name (a seed file's).
func fixtureNamed(name string, err error) error {
	if name == "" {
		return err
	}
	var ge *odata.Error
	if !errors.As(err, &ge) {
		return fmt.Errorf("%s: %w", name, err)
	}
	out := *ge
	out.Message = name + ": " + ge.Message
	return &out
}

func shortRaw(raw string) string {
	if len(raw) > 40 {
		return raw[:40] + "…"
	}
	return raw
}
