package emulator

import (
	"net/http"
	"slices"
	"strings"
	"unsafe"

	"github.com/tidwall/gjson"

	"github.com/graph-emulator/graph-emulator/emulator/behavior"
	"github.com/graph-emulator/graph-emulator/emulator/store"
	"github.com/graph-emulator/graph-emulator/entities"
	"github.com/graph-emulator/graph-emulator/odata"
)

// checkUnique refuses body (of the entity with key id, of type t) when it holds a value
// of one of the profile's unique properties, or of one of t's alternate keys, that
// another entity of r's collection holds already, compared case-insensitively. It runs
// inside the write that stores body, so that two concurrent writes cannot both pass.
func (s *Server) checkUnique(v store.View, r *resource, t *entities.StructuredType, prof *behavior.Profile, id string, body []byte) error {
	var rules []behavior.Unique
	if prof != nil {
		for _, name := range prof.UniqueKeys {
			rules = append(rules, behavior.Unique{Property: name})
		}
		rules = append(rules, prof.Unique...)
	}
	for at := t; at != nil; at = at.Base() {
		for _, name := range at.AlternateKeys {
			if !slices.ContainsFunc(rules, func(u behavior.Unique) bool { return u.Property == name }) {
				rules = append(rules, behavior.Unique{Property: name})
			}
		}
	}
	for _, u := range rules {
		// The collection's entities all index the property when its declared type does
		// (derived types inherit the rules).
		indexed := r.declared != nil && s.indexedOn(r.declared, u.Property)
		if err := checkUniqueValue(v, r, u, id, body, indexed); err != nil {
			return err
		}
	}
	return nil
}

// checkUniqueValue refuses body when another entity of r's collection holds its value
// of the rule's property (one of its values, for a collection of strings): found in the
// store's index when indexed says it covers the property, else by a scan.
func checkUniqueValue(v store.View, r *resource, u behavior.Unique, id string, body []byte, indexed bool) error {
	if u.When != nil && !u.When(body) {
		return nil
	}
	path := gjson.Escape(u.Property)
	mine := behavior.StringValues(gjson.GetBytes(body, path))
	if len(mine) == 0 {
		return nil
	}
	taken := false
	visit := func(e store.Entity) bool {
		if e.ID == id || u.When != nil && !u.When(e.Body) {
			return true
		}
		// A stored body is never mutated, so gjson may read it without a copy.
		other := gjson.Get(unsafe.String(unsafe.SliceData(e.Body), len(e.Body)), path)
		switch {
		case other.Type == gjson.String:
			taken = holds(mine, other.Str)
		case other.IsArray():
			other.ForEach(func(_, x gjson.Result) bool {
				taken = x.Type == gjson.String && holds(mine, x.Str)
				return !taken
			})
		}
		return !taken
	}
	scanned := false
	if indexed {
		for _, value := range mine {
			if !lookupUnique(v, r.coll, u.Property, value, visit) {
				scanned = true // no index: scan
				break
			}
			if taken {
				break
			}
		}
	}
	if !indexed || scanned {
		v.Scan(r.coll, 0, visit)
	}
	if taken {
		return &odata.Error{Status: http.StatusBadRequest, Code: "Request_BadRequest",
			Message: "Another object with the same value for property " + u.Property + " already exists.",
			Details: []odata.ErrorDetail{{Code: "ObjectConflict", Target: u.Property}}}
	}
	return nil
}

// holds reports whether values holds s, ignoring case.
func holds(values []string, s string) bool {
	for _, v := range values {
		if strings.EqualFold(v, s) {
			return true
		}
	}
	return false
}

// findBy returns the first entity of r's sources whose property prop holds value,
// compared case-insensitively (as Graph compares user principal names and app ids):
// from the store's index when it covers the property, else by a scan.
func (s *Server) findBy(v store.View, r *resource, prop, value string) (store.Entity, store.Coll, bool) {
	var (
		found store.Entity
		coll  store.Coll
		ok    bool
	)
	path := gjson.Escape(prop)
	indexed := r.declared != nil && s.indexedOn(r.declared, prop)
	for _, c := range r.sources {
		match := func(e store.Entity) bool {
			if got := gjson.GetBytes(e.Body, path); got.Type == gjson.String && strings.EqualFold(got.Str, value) {
				found, coll, ok = e, c, true
				return false
			}
			return true
		}
		// The index holds the matches in no order: the first created wins, as in a scan.
		first := func(e store.Entity) bool {
			if got := gjson.GetBytes(e.Body, path); got.Type == gjson.String && strings.EqualFold(got.Str, value) &&
				(!ok || e.Seq < found.Seq) {
				found, coll, ok = e, c, true
			}
			return true
		}
		if !indexed || !lookupUnique(v, c, prop, value, first) {
			v.Scan(c, 0, match)
		}
		if ok {
			break
		}
	}
	return found, coll, ok
}
