package emulator

import (
	"bufio"
	"crypto/rand"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/graph-emulator/graph-emulator/emulator/behavior"
	"github.com/graph-emulator/graph-emulator/emulator/store"
	"github.com/graph-emulator/graph-emulator/entities"
)

// DefaultMaxBodyBytes is the default limit on a request body: Graph's 4 MB.
const DefaultMaxBodyBytes = 4 << 20

// DefaultPageSize is the default number of entities in one page of a collection, as Graph.
const DefaultPageSize = 100

// Option configures a Server. Each documents its default.
type Option func(*config) error

type config struct {
	schemas        map[string]*entities.Schema
	strict         bool
	lenientQueries bool
	// noProfileData: see behavior.Config.NoProfileData (set by the tests only).
	noProfileData bool
	maxBodyBytes  int64
	// maxUploadBytes limits a simple upload, maxContentBytes a tenant's content (see
	// WithMaxUploadBytes, WithMaxContentBytes).
	maxUploadBytes  int64
	maxContentBytes int64
	pageSize        int
	logger          *slog.Logger
	now             func() time.Time
	newID           func() string
	newRequestID    func() string
	store           store.Store
	feedSize        int  // see WithChangeFeedSize
	trustProxy      bool // see WithTrustProxy
	// allowedHosts and anyHost: the Host names answered besides the bound address and
	// the loopback names (see WithAllowedHosts).
	allowedHosts []string
	anyHost      bool
	// Quotas per tenant (limits.go); the content quota is maxContentBytes.
	maxEntities    int
	maxStoredBytes int64
	singletons     map[string]string
	// profiles and operations add to the behaviour's (see WithProfile, WithOperation).
	profiles   map[string]*behavior.Profile
	operations map[string]behavior.Operation
	// advancedTypes lists the types Graph's advanced-query rules apply to; nil means
	// the default, DefaultAdvancedQueryType (see WithAdvancedQueryTypes).
	advancedTypes []string
	// control configures the control API, the journal and the start-up state
	// (options_control.go).
	control controlConfig

	// dataDir and dataSync: see WithDataDir.
	dataDir  string
	dataSync time.Duration
	// defaultDomain is the tenant's default domain (see WithDefaultDomain).
	defaultDomain string
}

// WithSchema serves version ("v1.0" or "beta") from schema, which must be resolved.
// Default: Graph's embedded schema of that version, with the built-in additions
// (entities.Graph). entities.Builtin gives the minimal schema (microsoft.graph.entity
// and the seed documents' type) for tests that want nothing else.
func WithSchema(version string, schema *entities.Schema) Option {
	return func(c *config) error {
		if !entities.IsVersion(version) {
			return fmt.Errorf("emulator: unknown version %q (want v1.0 or beta)", version)
		}
		if schema == nil {
			return fmt.Errorf("emulator: nil schema for %s", version)
		}
		c.schemas[version] = schema
		return nil
	}
}

// WithStrict also checks Edm lexical forms, read-only and required properties in request
// bodies. Default: false (only property names and JSON kinds are checked).
func WithStrict(strict bool) Option {
	return func(c *config) error { c.strict = strict; return nil }
}

// WithLenientQueries answers on directory objects (see WithAdvancedQueryTypes) the
// queries Graph answers only with ConsistencyLevel: eventual and $count=true: ne, not,
// endswith, $filter with $orderby, the /$count segment. $search still needs the header.
// Default: false (Graph's rules apply).
func WithLenientQueries(lenient bool) Option {
	return func(c *config) error { c.lenientQueries = lenient; return nil }
}

// WithMaxBodyBytes limits request bodies (after decompression) to n bytes; larger ones
// get Graph's 400 "Maximum request length exceeded.". Zero or less means the default,
// DefaultMaxBodyBytes (4 MiB).
func WithMaxBodyBytes(n int64) Option {
	return func(c *config) error {
		if n <= 0 {
			n = DefaultMaxBodyBytes
		}
		c.maxBodyBytes = n
		return nil
	}
}

// WithMaxUploadBytes limits a simple upload (PUT of a drive item's content) to n bytes;
// a larger one answers 413 and asks for an upload session, which has no such limit.
// Zero or less means the default, DefaultMaxUploadBytes (Graph's 250 MB).
func WithMaxUploadBytes(n int64) Option {
	return func(c *config) error {
		if n <= 0 {
			n = DefaultMaxUploadBytes
		}
		c.maxUploadBytes = n
		return nil
	}
}

// WithMaxContentBytes limits the content (drive items' files, uploads in progress
// included) each tenant keeps to n bytes: a write beyond it answers Graph's 507
// quotaLimitReached, and drives report n as their quota's total. Zero or less means no
// limit (drives then report Graph's default quota, 1 TB).
func WithMaxContentBytes(n int64) Option {
	return func(c *config) error {
		c.maxContentBytes = max(n, 0)
		return nil
	}
}

// WithPageSize sets how many entities one page of a collection holds before an
// @odata.nextLink. Zero or less means the default, DefaultPageSize (100).
func WithPageSize(n int) Option {
	return func(c *config) error {
		if n <= 0 {
			n = DefaultPageSize
		}
		c.pageSize = n
		return nil
	}
}

// WithLogger logs through l. Default: nothing is logged.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) error {
		if l == nil {
			return fmt.Errorf("emulator: nil logger")
		}
		c.logger = l
		return nil
	}
}

// WithClock reads the time from now (error dates, Date headers are net/http's own).
// Default: time.Now.
func WithClock(now func() time.Time) Option {
	return func(c *config) error {
		if now == nil {
			return fmt.Errorf("emulator: nil clock")
		}
		c.now = now
		return nil
	}
}

// WithIDGenerator makes new entity keys with gen, which must be safe for concurrent use
// and return unique strings. Request ids come from their own generator (see
// WithRequestIDs), so requests never shift the keys a test expects. Default: random
// (version 4) UUIDs.
func WithIDGenerator(gen func() string) Option {
	return func(c *config) error {
		if gen == nil {
			return fmt.Errorf("emulator: nil id generator")
		}
		c.newID = gen
		return nil
	}
}

// WithRequestIDs makes request ids (the request-id header, innerError's request-id)
// with gen, which must be safe for concurrent use. Default: random (version 4) UUIDs,
// from a generator of their own.
func WithRequestIDs(gen func() string) Option {
	return func(c *config) error {
		if gen == nil {
			return fmt.Errorf("emulator: nil request id generator")
		}
		c.newRequestID = gen
		return nil
	}
}

// WithSingletonKey maps a singleton whose type is an entity set's type onto the entity
// with key id in that set: WithSingletonKey("me", id) makes /me the user id, the
// signed-in user. Default: no mapping, and such a singleton answers Graph's 400 for a
// request without a signed-in user; a mapped one answers 404 until the entity exists.
func WithSingletonKey(singleton, id string) Option {
	return func(c *config) error {
		if singleton == "" || id == "" {
			return fmt.Errorf("emulator: singleton key needs a singleton name and an id")
		}
		c.singletons[singleton] = id
		return nil
	}
}

// WithStore keeps entities in st. Default: a new in-memory store (store.NewMemory). A
// store given here may be shared, so the server does not set its Shaper (store.Shaping)
// nor its Indexer (store.Indexing): entities are then checked against their default
// property set as they are written out, and unique values found by scans, with the same
// answers.
func WithStore(st store.Store) Option {
	return func(c *config) error {
		if st == nil {
			return fmt.Errorf("emulator: nil store")
		}
		c.store = st
		return nil
	}
}

// WithDataDir keeps the state of every tenant in the directory dir (created when
// missing), in a data file that outlives the process, with drive items' content in
// files beside it (store.OpenBolt, which keeps store.Content): New loads it,
// and Server.Close closes it. With sync zero, every write is saved and synced before
// its response; writes at the same time share one sync. With sync greater than zero,
// writes are answered first and saved within sync: a crash loses at most the writes
// of the last sync (and of a save in progress). New fails when the file is damaged,
// is not a graph-emulator data file, or another process has it open. Default: no
// directory, the state lives in memory only; ignored with WithStore.
func WithDataDir(dir string, sync time.Duration) Option {
	return func(c *config) error {
		if dir == "" {
			return fmt.Errorf("emulator: empty data directory name")
		}
		if sync < 0 {
			return fmt.Errorf("emulator: negative data sync window %v", sync)
		}
		c.dataDir, c.dataSync = dir, sync
		return nil
	}
}

// WithChangeFeedSize makes the default in-memory store keep the last n changes of each
// tenant in its change feed (the data directory's too, see WithDataDir): a delta token
// further behind answers Graph's 410 syncStateNotFound, and the client starts over.
// Each change costs about 100 bytes of heap. Zero or less means store.DefaultFeedSize
// (16,384); ignored with WithStore.
func WithChangeFeedSize(n int) Option {
	return func(c *config) error {
		c.feedSize = n
		return nil
	}
}

// DefaultAdvancedQueryType is the type whose entities (and those of derived types) follow
// Graph's advanced-query rules unless WithAdvancedQueryTypes says otherwise.
const DefaultAdvancedQueryType = behavior.DefaultAdvancedQueryType

// WithAdvancedQueryTypes names, by qualified type name, the entity types that follow
// Graph's advanced-query rules for directory objects; each applies to its derived types
// too. On collections of these types $search needs the header ConsistencyLevel:
// eventual, and (unless WithLenientQueries) so do ne, not, endswith, a collection's
// $count in $filter, $filter with $orderby (those with $count=true as well), the /$count
// segment and $count=true (ignored without the header, as Graph does); $select returns only
// the selected properties (others also get their key). Names the schema lacks are
// ignored. Default: DefaultAdvancedQueryType; no names means no type.
func WithAdvancedQueryTypes(names ...string) Option {
	return func(c *config) error {
		c.advancedTypes = append([]string{}, names...)
		return nil
	}
}

// randomUUIDs returns a generator of random UUIDs that reads crypto/rand in blocks,
// so that each id costs no system call. It keeps no state outside the returned func.
func randomUUIDs() func() string {
	var mu sync.Mutex
	r := bufio.NewReaderSize(rand.Reader, 16*128)
	return func() string {
		mu.Lock()
		u, err := uuid.NewRandomFromReader(r)
		mu.Unlock()
		if err != nil {
			return uuid.NewString()
		}
		return u.String()
	}
}

// WithProfile gives the entity set named set the behaviour profile p (hooks on create
// and update, the status of an update, unique properties, computed values), in place of
// the built-in one. Default: the built-in profiles of Graph's sets.
func WithProfile(set string, p behavior.Profile) Option {
	return func(c *config) error {
		if set == "" {
			return fmt.Errorf("emulator: profile needs an entity set name")
		}
		if c.profiles == nil {
			c.profiles = map[string]*behavior.Profile{}
		}
		c.profiles[set] = &p
		return nil
	}
}

// WithOperation answers the bound or unbound operation with qualified name name
// ("microsoft.graph.checkMemberGroups") with op, in place of the built-in one or the
// 501 the emulator answers for an operation it does not implement. Default: the
// built-in operations.
func WithOperation(name string, op behavior.Operation) Option {
	return func(c *config) error {
		if name == "" || op == nil {
			return fmt.Errorf("emulator: operation needs a qualified name and a function")
		}
		if c.operations == nil {
			c.operations = map[string]behavior.Operation{}
		}
		c.operations[name] = op
		return nil
	}
}

// DefaultDomain is the tenant's default domain unless WithDefaultDomain says otherwise:
// the domain of the examples of Graph's documentation.
const DefaultDomain = behavior.DefaultDomain

// WithDefaultDomain names the tenant's default domain, which the values Graph derives
// from it carry: a mail-enabled group's mail (mailNickname@domain) and proxyAddresses,
// an application's publisherDomain. Default: DefaultDomain (contoso.onmicrosoft.com).
func WithDefaultDomain(domain string) Option {
	return func(c *config) error {
		d, err := checkDomain(domain)
		if err != nil {
			return fmt.Errorf("emulator: default domain: %w", err)
		}
		c.defaultDomain = d
		return nil
	}
}

// checkDomain returns a DNS domain name in lower case, or an error when it is not one
// of two labels or more.
func checkDomain(domain string) (string, error) {
	d := strings.ToLower(strings.TrimSuffix(domain, "."))
	labels := strings.Split(d, ".")
	if len(d) == 0 || len(d) > 253 || len(labels) < 2 {
		return "", fmt.Errorf("%q is not a domain name of two labels or more", domain)
	}
	for _, l := range labels {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return "", fmt.Errorf("%q is not a domain name", domain)
		}
		for i := 0; i < len(l); i++ {
			if c := l[i]; !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
				return "", fmt.Errorf("%q is not a domain name", domain)
			}
		}
	}
	return d, nil
}
