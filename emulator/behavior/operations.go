package behavior

import (
	"context"
	"net/http"
	"net/url"
	"time"

	"github.com/graph-emulator/graph-emulator/emulator/store"
	"github.com/graph-emulator/graph-emulator/entities"
	"github.com/graph-emulator/graph-emulator/odata"
)

// OpCall is one call of a bound or unbound operation.
type OpCall struct {
	// Name is the operation's qualified name ("microsoft.graph.getByIds").
	Name string
	// Operation is the operation called: for an overloaded function, the overload its
	// parameters fit.
	Operation *entities.Operation
	Schema    *entities.Schema
	Tenant    string
	// Version is the API version of the request ("v1.0"); Base its scheme://host as the
	// client addressed the server, for absolute @odata.context and download URLs.
	Version, Base string
	// Now is the server's clock; NewID its key generator.
	Now   func() time.Time
	NewID func() string
	// Binding is the entity the operation is bound to (its collection and key); zero
	// for an unbound operation or one bound to a collection.
	BindingColl store.Coll
	Binding     store.Entity
	// Coll is the collection an operation bound to a collection is called on (zero
	// otherwise): /me/messages/{id}/attachments for createUploadSession.
	Coll store.Coll
	// Set returns body (the bound entity as stored) with the property name set to the
	// JSON value raw, in its schema position; nil without a bound entity.
	Set func(body []byte, name, raw string) []byte
	// Args are the parameters, checked against their declared types and normalized
	// (see odata.Args): a function's from the URL, an action's from its body.
	Args *odata.Args
	// Params holds a function's parameters as written in the URL (name -> literal, quotes
	// kept); Args is what operations read.
	Params map[string]string
	// Query is the request's query string (system and custom options, aliases).
	Query url.Values
	// Header is the request's header (its Prefer values).
	Header http.Header
	// Body is an action's JSON body (nil for a function, or an action sent none).
	Body []byte
	// View reads the tenant's state: a read for a function, the write for an action.
	View store.View
	// Tx is the write an action runs in (nil for a function).
	Tx store.Tx
	// Env is the rest of the request the drive behaviour needs (see Env).
	Env *Env
	// Address is where a path-based address before the operation led
	// (…/root:/a/b.txt:/createUploadSession): with Address.Found false, there is no
	// Binding and the names after Address.At do not exist yet. Nil otherwise.
	Address *Address
}

// OpResult is what an operation answers: a status and, when Body is not nil, a JSON
// body (or ContentType's bytes). An operation that answers a stored entity sets Entity
// instead of Body, EntitySet the resource its @odata.context names and EntityColl the
// collection holding it: the server writes it as it writes that entity's GET (the
// properties Graph returns, annotations, values computed on read).
type OpResult struct {
	Status      int
	Body        []byte
	ContentType string
	Location    string
	Entity      *store.Entity
	EntitySet   string
	EntityColl  store.Coll
}

// Operation runs one operation.
type Operation func(ctx context.Context, c *OpCall) (*OpResult, error)

// Operation returns the operation registered under a qualified name, or the fallback,
// which answers that the emulator does not implement it.
func (b *Behavior) Operation(name string) Operation {
	if op, ok := b.operations[name]; ok {
		return op
	}
	return notImplemented
}

// Implements reports whether an operation is registered under a qualified name.
func (b *Behavior) Implements(name string) bool {
	_, ok := b.operations[name]
	return ok
}

func notImplemented(_ context.Context, c *OpCall) (*OpResult, error) {
	return nil, &odata.Error{Status: http.StatusNotImplemented, Code: "NotImplemented",
		Message: "The emulator does not implement the operation '" + c.Name + "'."}
}

// graphNamespace is the namespace of Graph's operations.
const graphNamespace = "microsoft.graph"

// registerOperations fills the operation registry: each operation Graph's behaviour
// needs is a file of its own that adds itself here.
func registerOperations(b *Behavior) {
	registerReports(b)
	registerGetByIds(b)
	registerValidateProperties(b)
	registerMemberships(b)
	registerDeletedItems(b)
	registerCredentials(b)
	registerDrives(b)
	registerSendMail(b)
	registerReplies(b)
	registerMoveCopy(b)
	registerUploads(b)
	registerEventActions(b)
	registerSchedule(b)
}
