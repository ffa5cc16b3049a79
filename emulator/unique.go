package emulator

import (
	"net/http"
	"strings"

	"github.com/tidwall/gjson"

	"github.com/graph-emulator/graph-emulator/emulator/behavior"
	"github.com/graph-emulator/graph-emulator/emulator/store"
	"github.com/graph-emulator/graph-emulator/odata"
)

// checkUnique refuses body (of the entity with key id) when it holds a value of one of
// the profile's unique properties that another entity of r's collection holds already,
// compared case-insensitively. It runs inside the write that stores body, so that two
// concurrent writes cannot both pass.
func checkUnique(v store.View, r *resource, prof *behavior.Profile, id string, body []byte) error {
	if prof == nil || len(prof.UniqueKeys) == 0 {
		return nil
	}
	for _, name := range prof.UniqueKeys {
		val := gjson.GetBytes(body, gjson.Escape(name))
		if val.Type != gjson.String || val.Str == "" {
			continue
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
	}
	return nil
}
