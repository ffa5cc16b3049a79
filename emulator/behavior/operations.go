package behavior

import (
	"context"
	"net/http"

	"github.com/graph-emulator/graph-emulator/emulator/store"
	"github.com/graph-emulator/graph-emulator/entities"
	"github.com/graph-emulator/graph-emulator/odata"
)

// OpCall is one call of a bound or unbound operation.
type OpCall struct {
	// Name is the operation's qualified name ("microsoft.graph.delta").
	Name      string
	Operation *entities.Operation
	Schema    *entities.Schema
	Tenant    string
	// Binding is the entity the operation is bound to (its collection and key); zero
	// for an unbound operation or one bound to a collection.
	BindingColl store.Coll
	Binding     store.Entity
	// Params holds a function's parameters as written in the URL (name -> literal).
	Params map[string]string
	// Body is an action's JSON body (nil for a function).
	Body []byte
	// Tx is the write the call runs in.
	Tx store.Tx
}

// OpResult is what an operation answers: a status and, when Body is not nil, a JSON
// body (or ContentType's bytes).
type OpResult struct {
	Status      int
	Body        []byte
	ContentType string
	Location    string
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

// registerOperations fills the operation registry: each operation Graph's behaviour
// needs is a file of its own that adds itself here.
func registerOperations(b *Behavior) {}
