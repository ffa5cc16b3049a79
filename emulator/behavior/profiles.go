package behavior

import (
	"time"

	"github.com/graph-emulator/graph-emulator/emulator/store"
	"github.com/graph-emulator/graph-emulator/entities"
)

// Profile is what Graph does beyond generic OData for the entities of one entity set.
// The generic handlers call its hooks by these fixed names; a nil hook, or a set with no
// profile, behaves as generic OData. (Values computed on read join it with the
// per-type profiles of Graph's sets.)
type Profile struct {
	// UpdateStatus is the status of a PATCH answered without Prefer: 200 (with the
	// entity) or 204 (no content). Zero means 200.
	UpdateStatus int
	// UniqueKeys names properties whose values no two entities of the set share
	// (compared case-insensitively, as Graph compares them); a create or update that
	// would break this is refused with Graph's ObjectConflict error.
	UniqueKeys []string
	// OnCreate may complete a new entity's body before it is stored (server-set values)
	// or refuse it (required properties). It runs inside the write transaction.
	OnCreate func(c *Call, body []byte) ([]byte, error)
	// OnUpdate may complete an updated body (old is the stored one) or refuse it. It
	// runs inside the write transaction.
	OnUpdate func(c *Call, old, body []byte) ([]byte, error)
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

// Profile returns the profile of the entity set named set, or nil.
func (b *Behavior) Profile(set string) *Profile { return b.profiles[set] }

// registerProfiles fills the per-set profiles. Graph's profiles arrive with the data
// under entities/ that describes them; until then every set behaves as generic OData.
func registerProfiles(b *Behavior) {
	b.profiles["applications"] = applicationProfile()
}
