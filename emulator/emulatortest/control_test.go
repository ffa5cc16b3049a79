package emulatortest_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/tidwall/gjson"

	"github.com/graph-emulator/graph-emulator/emulator"
	"github.com/graph-emulator/graph-emulator/emulator/emulatortest"
)

// Parallel tests on one server, each in a tenant of its own.
func TestTenant(t *testing.T) {
	t.Parallel()
	srv := emulatortest.New(t)
	var mu sync.Mutex
	var names []string
	t.Run("group", func(t *testing.T) {
		for i := range 4 {
			t.Run(fmt.Sprint(i), func(t *testing.T) {
				t.Parallel()
				c := srv.Tenant(t)
				mu.Lock()
				names = append(names, c.TenantName())
				mu.Unlock()
				c.Seed(fmt.Sprintf(`{"users":[{"id":"u1","displayName":"%d"}]}`, i))
				for j := range 5 {
					resp := c.Do("POST", "/v1.0/users", fmt.Sprintf(`{"displayName":"%d","accountEnabled":true,"mailNickname":"u%d","userPrincipalName":"u%d@contoso.test","passwordProfile":{"password":"x-Y-z-123!aB"}}`, i, j, j))
					if resp.Status != 201 {
						t.Fatal(resp)
					}
				}
				got := gjson.GetBytes(c.Do("GET", "/v1.0/users", "").Body, "value.#.displayName").Array()
				if len(got) != 6 {
					t.Errorf("tenant %d sees %d users", i, len(got))
				}
				for _, n := range got {
					if n.Str != fmt.Sprint(i) {
						t.Errorf("tenant %d sees a user of %s", i, n.Str)
					}
				}
				// Its Client carries the tenant too (for an SDK).
				resp, err := c.Client.Get(c.URL + "/v1.0/users/u1")
				if err != nil || resp.StatusCode != 200 {
					t.Errorf("Client: %v %v", err, resp)
				} else {
					resp.Body.Close()
				}
				if es := c.Requests(emulatortest.Filter{Method: "POST"}); len(es) != 5 {
					t.Errorf("tenant %d journal: %d POSTs", i, len(es))
				}
				if !strings.Contains(string(c.Export()), `"id": "u1"`) {
					t.Errorf("export")
				}
				c.Close() // does nothing: the server is shared
			})
		}
	})
	// Every tenant was reset when its test ended; the default tenant saw nothing.
	if got := srv.Do("GET", "/_emulator/health", "").Body; gjson.GetBytes(got, "tenants.#").Int() != 0 {
		t.Errorf("tenants after the tests: %s", got)
	}
	if len(names) != 4 || names[0] == names[1] || !strings.HasPrefix(names[0], "test-") {
		t.Errorf("tenant names %v", names)
	}
	if n := gjson.GetBytes(srv.Do("GET", "/v1.0/users", "").Body, "value.#").Int(); n != 0 {
		t.Errorf("default tenant has %d users", n)
	}
	if es := srv.Requests(emulatortest.Filter{Method: "POST", PathPrefix: "/v1.0/users"}); len(es) != 20 {
		t.Errorf("the whole journal has %d POSTs, want 20", len(es))
	}
	srv.ClearRequests()
	if es := srv.Requests(emulatortest.Filter{}); len(es) != 0 {
		t.Errorf("after ClearRequests: %d", len(es))
	}
}

func TestSeedFileAndReset(t *testing.T) {
	t.Parallel()
	seed := []byte(`{"users":[{"id":"s1","displayName":"Start"}]}`)
	srv := emulatortest.New(t, emulator.WithSeed("start", seed))
	p := filepath.Join(t.TempDir(), "f.json")
	if err := os.WriteFile(p, []byte(`{"groups":[{"id":"g1","members":["s1"]}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	srv.SeedFile(p)
	if resp := srv.Do("GET", "/v1.0/groups/g1/members", ""); !strings.Contains(string(resp.Body), `"s1"`) {
		t.Errorf("members: %s", resp)
	}
	b := srv.Tenant(t)
	b.Seed(`{"users":[{"id":"b1"}]}`)
	b.Reset() // b's tenant alone
	if srv.Do("GET", "/v1.0/groups/g1", "").Status != 200 || b.Do("GET", "/v1.0/users/b1", "").Status != 404 {
		t.Error("a tenant's Reset reset another tenant, or not its own")
	}
	srv.Reset() // every tenant, the default one back to its seed
	if srv.Do("GET", "/v1.0/groups/g1", "").Status != 404 || srv.Do("GET", "/v1.0/users/s1", "").Status != 200 {
		t.Error("Reset did not return to the seed")
	}
}

// fakeTB records a failure instead of stopping the test.
type fakeTB struct {
	testing.TB
	failed string
}

func (f *fakeTB) Helper() {}

func (f *fakeTB) Fatalf(format string, args ...any) { f.failed = fmt.Sprintf(format, args...) }

func (f *fakeTB) Cleanup(func()) {}

func TestSeedFailures(t *testing.T) {
	t.Parallel()
	srv := emulatortest.New(t)
	ft := &fakeTB{TB: t}
	c := srv.Tenant(ft)
	c.Seed(`{"users":[{"id":"u1","manager":"ghost"}]}`)
	if !strings.Contains(ft.failed, "users('u1')/manager") {
		t.Errorf("bad fixture: %q", ft.failed)
	}
	ft.failed = ""
	c.Seed(func() {})
	if !strings.Contains(ft.failed, "Seed") {
		t.Errorf("unencodable fixture: %q", ft.failed)
	}
	ft.failed = ""
	c.SeedFile(filepath.Join(t.TempDir(), "none.json"))
	if !strings.Contains(ft.failed, "none.json") {
		t.Errorf("missing file: %q", ft.failed)
	}
}

// TestCloseReleasesDataDir checks that Close closes the emulator too: a second server
// opens the same data directory and sees what the first one wrote.
func TestCloseReleasesDataDir(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	first := emulatortest.New(t, emulator.WithDataDir(dir, 0))
	created := first.Do("POST", "/v1.0/office365ServicesUserCounts", `{"teamsActive":3}`)
	if created.Status != 201 {
		t.Fatalf("create: %s", created)
	}
	first.Close()
	first.Close() // a second Close does nothing
	second := emulatortest.New(t, emulator.WithDataDir(dir, 0))
	id := gjson.GetBytes(created.Body, "id").String()
	if got := second.Do("GET", "/v1.0/office365ServicesUserCounts/"+id, ""); got.Status != 200 {
		t.Fatalf("after reopening: %s", got)
	}
}
