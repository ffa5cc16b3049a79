package entities_test

import (
	"fmt"

	"github.com/graph-emulator/graph-emulator/entities"
)

// Graph returns Microsoft Graph's schema, embedded in the binary and decoded once;
// GraphWith decodes a copy to extend, here with an entity set of one's own.
func ExampleGraph() {
	s, err := entities.Graph("v1.0")
	if err != nil {
		fmt.Println(err)
		return
	}
	users := s.EntitySet("users")
	fmt.Println(users.Type().QualifiedName(), users.Type().NavigationProperty("messages").Target().QualifiedName())

	own, err := entities.GraphWith("v1.0", func(s *entities.Schema) error {
		return s.Expose("microsoft.graph.user", "people")
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(own.EntitySet("people") != nil, s.EntitySet("people") != nil)
	// Output:
	// microsoft.graph.user microsoft.graph.message
	// true false
}
