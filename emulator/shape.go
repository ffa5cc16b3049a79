package emulator

import (
	"github.com/graph-emulator/graph-emulator/emulator/store"
	"github.com/graph-emulator/graph-emulator/entities"
)

// Shapes. Most entities are written without $select as they are stored: a body that
// holds exactly its type's default property set, in order, is its own projection
// (odata.Projection). Finding that out costs a pass over the body's members for every
// entity read; the store finds it out once, as the body is written, and keeps it in
// Entity.Shape, one bit per version served (v1.0 and beta share stored entities, not
// their types' default sets).

// shapeVersion is one version whose projections shapes tell, and its bit.
type shapeVersion struct {
	version string
	schema  *entities.Schema
	bit     uint8
}

// shapeStore gives st the server's shaper, for Graph's versions (others are written
// without the store's help).
func (s *Server) shapeStore(st store.Shaping) {
	for _, v := range s.versions() {
		s.shapes = append(s.shapes, shapeVersion{version: v, schema: s.cfg.schemas[v], bit: 1 << len(s.shapes)})
	}
	st.SetShaper(s.shape)
}

// shape is the server's store.Shaper: the bits of the versions under which body, of
// the type named typeName, is its own default projection.
func (s *Server) shape(typeName string, body []byte) uint8 {
	var bits uint8
	for _, v := range s.shapes {
		if p := s.behavior.Projection(v.version, v.schema.EntityType(typeName)); p != nil && p.Complete(body) {
			bits |= v.bit
		}
	}
	return bits
}

// shapeBit returns the bit of schema's version in Entity.Shape (0: none).
func (s *Server) shapeBit(schema *entities.Schema) uint8 {
	for _, v := range s.shapes {
		if v.schema == schema {
			return v.bit
		}
	}
	return 0
}

// sameBytes reports whether a and b are the same bytes in memory: a body the reading
// behaviour left as stored.
func sameBytes(a, b []byte) bool {
	return len(a) == len(b) && (len(a) == 0 || &a[0] == &b[0])
}
