package emulatortest_test

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/graph-emulator/graph-emulator/emulator/emulatortest"
)

// NewTLS (StartTLS outside a test) serves over HTTPS; Client trusts the server, and
// the links the emulator writes are https ones on the address the client used.
func ExampleStartTLS() {
	srv, err := emulatortest.StartTLS()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Close()

	resp := srv.Do("GET", "/v1.0/", "")
	var doc struct {
		Context string `json:"@odata.context"`
	}
	if err := json.Unmarshal(resp.Body, &doc); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(resp.Status, strings.HasPrefix(srv.URL, "https://"), doc.Context == srv.URL+"/v1.0/$metadata")
	// Output:
	// 200 true true
}
