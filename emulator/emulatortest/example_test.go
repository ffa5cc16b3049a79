package emulatortest_test

import (
	"encoding/json"
	"fmt"

	"github.com/graph-emulator/graph-emulator/emulator/emulatortest"
)

// A test starts a server with New(t, options...); outside a test, Start and Close do
// the same by hand. Do sends one request and reads the whole answer.
func Example() {
	srv, err := emulatortest.Start()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Close()

	resp := srv.Do("GET", "/v1.0/noSuchThing", "", "client-request-id", "example-1")
	fmt.Println(resp.Status, resp.Header.Get("OData-Version"), resp.Header.Get("client-request-id"))

	var body struct {
		Error struct{ Code, Message string }
	}
	if err := json.Unmarshal(resp.Body, &body); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(body.Error.Code, body.Error.Message)
	// Output:
	// 400 4.0 example-1
	// BadRequest Resource not found for the segment 'noSuchThing'.
}
