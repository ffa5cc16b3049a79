package behavior

import (
	"net/http"
	"sync"

	"github.com/graph-emulator/graph-emulator/entities"
	"github.com/graph-emulator/graph-emulator/odata"
)

// Config is what New needs from the server's configuration.
type Config struct {
	// AdvancedQueryTypes names, by qualified type name, the entity types that follow
	// Graph's advanced-query rules (and their derived types). Nil means the default,
	// DefaultAdvancedQueryType; an empty non-nil slice means no type.
	AdvancedQueryTypes []string
	// Strict applies the rules Graph enforces that the emulator relaxes by default.
	Strict bool
	// LenientQueries answers, on the advanced-query types, the queries Graph answers
	// only with ConsistencyLevel: eventual (see QueryRules).
	LenientQueries bool
	// Singletons maps a singleton that stands for an entity of a set to that entity's
	// key (/me to the signed-in user): the caller of a request when no principal is
	// named.
	Singletons map[string]string
	// MaxContentBytes limits the content a tenant's drives keep (0: no limit); a write
	// beyond it answers Graph's 507 quotaLimitReached, and drives report it as their
	// quota's total.
	MaxContentBytes int64
	// DefaultDomain is the tenant's default domain, in the addresses and domains the
	// server sets (a mail-enabled group's mail, an application's publisherDomain). Empty
	// means the one of Graph's profile data, contoso.onmicrosoft.com (the domain of the
	// documentation's examples).
	DefaultDomain string
	// Profiles and Operations add to (or replace) the built-in profiles, by entity set
	// name, and operations, by qualified name.
	Profiles   map[string]*Profile
	Operations map[string]Operation
	// NoProfileData leaves Graph's per-type profile data out (default property sets,
	// required, unique, server-set and write-only properties, update statuses): entities
	// are written as stored, as generic OData. Benchmarks compare with it.
	NoProfileData bool
	// Merge sets members of a stored body in their schema positions (the server's
	// own); nil means members are set without the schema, in place or last.
	Merge MergeFunc
}

// Behavior holds Graph's rules for one server. It is immutable after New and safe for
// concurrent use.
type Behavior struct {
	cfg        Config
	profiles   map[string]*Profile
	operations map[string]Operation
	reports    *reportBook
	// dir names where the directory's deleted items are kept (see deleteditems.go).
	dir directoryColls
	// data holds Graph's per-type profile data by API version; rules caches what is
	// built from it per type (typeKey -> *rules), filled on first use, never changed.
	data  map[string]*entities.Profiles
	rules sync.Map
	// kinds caches how entities of each type are read (kindKey -> readKind; see
	// Reader), found on first use, never changed.
	kinds sync.Map
}

// New returns the behaviour of a server configured by cfg.
func New(cfg Config) *Behavior {
	if cfg.AdvancedQueryTypes == nil {
		cfg.AdvancedQueryTypes = []string{DefaultAdvancedQueryType}
	}
	b := &Behavior{cfg: cfg, profiles: map[string]*Profile{}, operations: map[string]Operation{}, reports: newReportBook(),
		dir: newDirectoryColls(), data: map[string]*entities.Profiles{}}
	if !cfg.NoProfileData {
		registerProfiles(b)
	}
	registerOperations(b)
	for set, p := range cfg.Profiles {
		b.profiles[set] = p
	}
	for name, op := range cfg.Operations {
		b.operations[name] = op
	}
	return b
}

// domain is the tenant's default domain (see Config.DefaultDomain).
func (b *Behavior) domain() string {
	if b.cfg.DefaultDomain != "" {
		return b.cfg.DefaultDomain
	}
	if p := b.data["v1.0"]; p != nil && p.DefaultDomain != "" {
		return p.DefaultDomain
	}
	return DefaultDomain
}

// DefaultDomain is the tenant's default domain when neither the configuration nor the
// profile data names one: the domain of Graph's documentation examples.
const DefaultDomain = "contoso.onmicrosoft.com"

// UnmappedSingleton answers a request to a singleton that stands for an entity of a set
// (Graph's /me) when the server knows no such entity: Graph's answer to a request made
// without a signed-in user.
func (b *Behavior) UnmappedSingleton(name string) error {
	return &odata.Error{Status: http.StatusBadRequest, Code: "BadRequest",
		Message: "/" + name + " request is only valid with delegated authentication flow."}
}

// Expansion limits: Graph expands at most 20 directory objects of a non-contained
// navigation property, without a nextLink; contained collections are capped at $top's
// maximum.
const (
	expandLimitRefs = 20
	expandLimit     = 999
)

// ExpandLimit is how many entities an expanded collection holds at most when $top does
// not say: refs tells a non-contained navigation property.
func (b *Behavior) ExpandLimit(refs bool) int {
	if refs {
		return expandLimitRefs
	}
	return expandLimit
}

// SearchTokenized reports whether Graph tokenizes a property for $search (words match
// at their start) rather than matching its whole value's start.
func (b *Behavior) SearchTokenized(name string) bool {
	return name == "displayName" || name == "description"
}

// isA reports whether t is the type named name (namespace-qualified, as the behaviour's
// constants are) or derives from it: its names are compared, without a lookup.
func isA(_ *entities.Schema, t *entities.StructuredType, name string) bool {
	return isA2(t, name)
}

// isALookedUp is isA for a name given in any form the schema resolves (an alias, a
// leading '#'), such as one from configuration.
func isALookedUp(schema *entities.Schema, t *entities.StructuredType, name string) bool {
	at := schema.EntityType(name)
	return at != nil && t.IsA(at)
}

// directoryObject is the base type of Entra ID's directory objects.
const directoryObject = "microsoft.graph.directoryObject"

// ETags reports whether Graph annotates entities of type t with @odata.etag and an
// ETag header: Outlook, Planner and most other entities carry one; directory objects
// (users, groups, applications, …) do not. Preconditions are honoured on every entity.
func (b *Behavior) ETags(schema *entities.Schema, t *entities.StructuredType) bool {
	return t != nil && !isA(schema, t, directoryObject)
}

// KeyAlias names the property Graph also matches a key against when no entity of type
// t has that key: a user's userPrincipalName (GET /users/{id | userPrincipalName}).
// It returns "" for types addressed by their key alone.
func (b *Behavior) KeyAlias(schema *entities.Schema, t *entities.StructuredType) string {
	if t != nil && isA(schema, t, "microsoft.graph.user") {
		return "userPrincipalName"
	}
	return ""
}
