package emulator

import (
	"net/http"
	"strings"

	"github.com/graph-emulator/graph-emulator/emulator/store"
	"github.com/graph-emulator/graph-emulator/entities"
	"github.com/graph-emulator/graph-emulator/odata"
)

// Entity tags and preconditions. Every stored entity has a tag, W/"<version>", from the
// store's change sequence; responses carry it where Graph does (see behavior.ETags).
// If-Match and If-None-Match are honoured on every entity, checked inside the store
// read or write that answers the request, so that of concurrent writes sent with the
// same If-Match exactly one succeeds.

// preconditions are a request's If-Match and If-None-Match headers, parsed.
type preconditions struct {
	match, noneMatch       []string
	matchAny, noneMatchAny bool
	present                bool
}

// readPreconditions parses a request's If-Match and If-None-Match headers; a malformed
// value is a 400.
func readPreconditions(h http.Header) (preconditions, error) {
	var p preconditions
	im, inm := h[hdrIfMatch], h[hdrIfNoneMatch]
	if len(im) == 0 && len(inm) == 0 {
		return p, nil
	}
	var err error
	if len(im) > 0 {
		if p.match, p.matchAny, err = odata.ParseETags(strings.Join(im, ",")); err != nil {
			return p, err
		}
	}
	if len(inm) > 0 {
		if p.noneMatch, p.noneMatchAny, err = odata.ParseETags(strings.Join(inm, ",")); err != nil {
			return p, err
		}
	}
	p.present = p.matchAny || p.noneMatchAny || len(p.match) > 0 || len(p.noneMatch) > 0
	return p, nil
}

// hasMatch reports whether If-Match was sent.
func (p preconditions) hasMatch() bool { return p.matchAny || len(p.match) > 0 }

// hasNoneMatch reports whether If-None-Match was sent.
func (p preconditions) hasNoneMatch() bool { return p.noneMatchAny || len(p.noneMatch) > 0 }

// errNotModified is the 304 a GET answers when If-None-Match matches; the handler
// turns it into a response without a body.
type errNotModified struct{ etag string }

func (e *errNotModified) Error() string { return "not modified" }

// check evaluates the preconditions against the entity a request addresses (RFC 9110,
// section 13.2.2): a failed If-Match is a 412; a matching If-None-Match is a 304 on
// GET and a 412 on anything else. exists is false when there is no entity yet (an
// upsert): If-Match then fails and If-None-Match passes.
func (p preconditions) check(method string, e store.Entity, exists bool, other ...string) error {
	if !p.present {
		return nil
	}
	etag := ""
	if exists {
		etag = odata.FormatETag(e.Version)
	}
	if p.hasMatch() && (!exists || !p.matchAny && !matchAnyTag(p.match, etag, other)) {
		return odata.ErrPreconditionFailed()
	}
	if p.hasNoneMatch() && exists && (p.noneMatchAny || matchAnyTag(p.noneMatch, etag, other)) {
		if method == http.MethodGet || method == http.MethodHead {
			return &errNotModified{etag: etag}
		}
		return odata.ErrPreconditionFailed()
	}
	return nil
}

// matchAnyTag reports whether tags holds etag or one of other (tags an entity also
// answers to, see behavior.EntityTags).
func matchAnyTag(tags []string, etag string, other []string) bool {
	if odata.MatchETag(tags, etag) {
		return true
	}
	for _, o := range other {
		if odata.MatchETag(tags, o) {
			return true
		}
	}
	return false
}

// checkPreconditions evaluates rq's preconditions against the entity r addresses: its
// tag, or one the behaviour says it also answers to (a drive item's eTag and cTag).
func (s *Server) checkPreconditions(rq *request, r *resource) error {
	if !rq.pre.present {
		return nil
	}
	var other []string
	if r.found {
		other = s.behavior.EntityTags(rq.schema, r.entity)
	}
	return rq.pre.check(rq.r.Method, r.entity, r.found, other...)
}

// etagFor is the tag written for an entity of type t: empty where Graph writes none.
func (s *Server) etagFor(schema *entities.Schema, t *entities.StructuredType, e store.Entity) string {
	if e.Version == 0 || !s.behavior.ETags(schema, t) {
		return ""
	}
	if tags := s.behavior.EntityTags(schema, e); len(tags) > 0 {
		return tags[0] // the entity's own (a drive item's eTag)
	}
	return odata.FormatETag(e.Version)
}
