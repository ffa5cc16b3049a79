package emulator

import (
	"net/http"
	"slices"
	"strings"

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
func checkUnique(v store.View, r *resource, t *entities.StructuredType, prof *behavior.Profile, id string, body []byte) error {
	if prof != nil {
		for _, name := range prof.UniqueKeys {
			if err := checkUniqueValue(v, r, name, id, body); err != nil {
				return err
			}
		}
	}
	for at := t; at != nil; at = at.Base() {
		for _, name := range at.AlternateKeys {
			if prof != nil && slices.Contains(prof.UniqueKeys, name) {
				continue
			}
			if err := checkUniqueValue(v, r, name, id, body); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkUniqueValue refuses body when another entity of r's collection holds its value
// of the property name.
func checkUniqueValue(v store.View, r *resource, name, id string, body []byte) error {
	val := gjson.GetBytes(body, gjson.Escape(name))
	if val.Type != gjson.String || val.Str == "" {
		return nil
	}
	taken := false
	v.Scan(r.coll, 0, func(e store.Entity) bool {
		if e.ID != id && strings.EqualFold(gjson.GetBytes(e.Body, gjson.Escape(name)).Str, val.Str) {
			taken = true
			return false
		}
		return true
	})
	if taken {
		return &odata.Error{Status: http.StatusBadRequest, Code: "Request_BadRequest",
			Message: "Another object with the same value for property " + name + " already exists.",
			Details: []odata.ErrorDetail{{Code: "ObjectConflict", Target: name}}}
	}
	return nil
}

// findBy returns the first entity of r's sources whose property prop holds value,
// compared case-insensitively (as Graph compares user principal names and app ids).
func findBy(v store.View, r *resource, prop, value string) (store.Entity, store.Coll, bool) {
	var (
		found store.Entity
		coll  store.Coll
		ok    bool
	)
	path := gjson.Escape(prop)
	for _, c := range r.sources {
		v.Scan(c, 0, func(e store.Entity) bool {
			if got := gjson.GetBytes(e.Body, path); got.Type == gjson.String && strings.EqualFold(got.Str, value) {
				found, coll, ok = e, c, true
				return false
			}
			return true
		})
		if ok {
			break
		}
	}
	return found, coll, ok
}
