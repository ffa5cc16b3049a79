package emulator

import (
	"net/url"
	"strings"

	"github.com/graph-emulator/graph-emulator/emulator/behavior"
	"github.com/graph-emulator/graph-emulator/emulator/store"
	"github.com/graph-emulator/graph-emulator/entities"
	"github.com/graph-emulator/graph-emulator/odata"
)

// Path-based addressing and things made on first use: two ways a path reaches entities
// that no key names yet.
//
// A path-based address switches, after an entity whose type the behaviour says takes
// one (behavior.PathAddressable), from OData segments to names: …/root:/a/b.txt:/content
// is the entity b.txt found by name under a under root, then its content. The names run
// from the colon after a segment to the next colon (or the path's end), each segment
// percent-decoded; the colons may be percent-encoded as well, as SDKs encode them in a
// key (…/items/root%3A%2Fa%2Fb.txt%3A/content). parse reads the OData path without the
// names (…/root/content) and remembers after which segment they come; resolve asks the
// behaviour to walk them (behavior.WalkPath). A name that does not exist leaves the
// resource without an entity: reads answer the behaviour's 404, and the writes that
// create by path (a simple upload, an upload session) see where the walk stopped.
//
// Some entities exist as soon as a path needs them, as Graph makes them on first use (a
// user's drive): the behaviour says so (NeedsProvision, WellKnownKey) and makes them
// (Provide). Inside a write, resolve makes them on the way; a read returns errProvision,
// and read makes them in a write of their own before it reads again.

// pathAddress is the path-based address a request's path holds.
type pathAddress struct {
	// at is the index of the segment the names are relative to.
	at    int
	names []string
}

// mayHoldAddress reports whether an escaped path may hold a path-based address: it has
// a colon, literal or percent-encoded.
func mayHoldAddress(escaped string) bool {
	return strings.IndexByte(escaped, ':') >= 0 || strings.Contains(escaped, "%3A") || strings.Contains(escaped, "%3a")
}

// parseAddress parses an escaped path with a path-based address. It returns a nil
// address and error when the path holds none (or its prefix does not take one): the
// caller keeps its own parse.
func (s *Server) parseAddress(schema *entities.Schema, rest string) (*odata.Path, *pathAddress, error) {
	prefix, names, suffix, ok := splitAddress(rest)
	if !ok {
		return nil, nil, nil
	}
	pp, err := odata.ParsePath(schema, prefix)
	if err != nil || pp.Kind != odata.PathEntity || !s.behavior.PathAddressable(schema, pp.Type) {
		return nil, nil, nil
	}
	full := prefix
	if suffix != "" {
		full += "/" + suffix
	}
	fp, err := odata.ParsePath(schema, full)
	if err != nil {
		return nil, nil, err
	}
	return fp, &pathAddress{at: len(pp.Segments) - 1, names: names}, nil
}

// splitAddress splits an escaped path at its path-based address: the escaped OData
// prefix before the first colon, the decoded names up to the next colon, and the escaped
// rest after it ("" when the names run to the end).
func splitAddress(rest string) (prefix string, names []string, suffix string, ok bool) {
	segs := strings.Split(rest, "/")
	for i, es := range segs {
		ds, err := url.PathUnescape(es)
		if err != nil {
			return "", nil, "", false
		}
		c := addressColon(ds)
		if c < 0 {
			continue
		}
		head := ds[:c]
		if head == "" {
			return "", nil, "", false
		}
		prefix = strings.Join(append(segs[:i:i], url.PathEscape(head)), "/")
		piece := ds[c+1:]
		for j := i; ; {
			if k := strings.IndexByte(piece, ':'); k >= 0 {
				names = appendNames(names, piece[:k])
				after := piece[k+1:]
				var tail []string
				if after != "" {
					if after[0] != '/' {
						return "", nil, "", false
					}
					for _, p := range strings.Split(after[1:], "/") {
						tail = append(tail, url.PathEscape(p))
					}
				}
				tail = append(tail, segs[j+1:]...)
				return prefix, names, strings.Trim(strings.Join(tail, "/"), "/"), true
			}
			names = appendNames(names, piece)
			j++
			if j == len(segs) {
				return prefix, names, "", true
			}
			if piece, err = url.PathUnescape(segs[j]); err != nil {
				return "", nil, "", false
			}
		}
	}
	return "", nil, "", false
}

// addressColon returns the index of the colon that starts a path-based address in a
// decoded segment, or -1: the first colon outside parentheses and quotes (a function's
// parameters may hold colons).
func addressColon(s string) int {
	depth, quoted := 0, false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\'':
			quoted = !quoted
		case quoted:
		case c == '(':
			depth++
		case c == ')':
			depth--
		case c == ':' && depth == 0:
			return i
		}
	}
	return -1
}

// appendNames appends the non-empty names of a '/'-separated piece.
func appendNames(names []string, piece string) []string {
	for _, n := range strings.Split(piece, "/") {
		if n != "" {
			names = append(names, n)
		}
	}
	return names
}

// walkAddress follows the request's names from the entity r addresses.
func (s *Server) walkAddress(rq *request, v store.View, r *resource) error {
	if err := s.requireEntity(rq, v, r); err != nil {
		return err
	}
	a, err := s.behavior.WalkPath(v, r.entityColl, r.entity, rq.addr.names)
	if err != nil {
		return err
	}
	// The entity named is addressed in its own collection (its context stays the
	// path's: users('…')/drive/root, users('…')/drive/root/children).
	r.addr, r.refs, r.keyed, r.single = a, false, false, true
	r.nav, r.rule = nil, behavior.Nav{}
	if a.Found {
		r.coll, r.entityColl, r.entity, r.id, r.found = a.Coll, a.Coll, a.Entity, a.Entity.ID, true
		r.sources = []store.Coll{a.Coll}
		return nil
	}
	r.entity, r.id, r.found = store.Entity{}, "", false
	return nil
}

// errProvision is what a read meets where the behaviour makes something on first use.
type errProvision struct{ p behavior.Provision }

func (e *errProvision) Error() string {
	return "emulator: " + e.p.Nav + e.p.Key + " is made on first use"
}

// maxProvisions bounds the writes one read makes before it reads (a path may meet a
// site, then its drive, then the drive's root).
const maxProvisions = 4

// provide makes p in a write of its own.
func (s *Server) provide(rq *request, p behavior.Provision) error {
	return s.store.Write(rq.tenant(), func(tx store.Tx) error {
		var commits []func() error
		call := s.call(rq, tx, nil)
		env := *call.Env // the request's own collects its write's commits
		env.CollectCommits(&commits)
		call.Env = &env
		if err := s.behavior.Provide(call, tx, p); err != nil {
			return err
		}
		for _, fn := range commits {
			if err := fn(); err != nil {
				return err
			}
		}
		return nil
	})
}

// provision makes p on the way when v is a write, and otherwise asks the read to make it.
func (s *Server) provision(rq *request, v store.View, p behavior.Provision) error {
	tx, ok := v.(store.Tx)
	if !ok {
		return &errProvision{p: p}
	}
	return s.behavior.Provide(s.call(rq, tx, nil), tx, p)
}
