package emulator_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/tidwall/gjson"

	"github.com/graph-emulator/graph-emulator/emulator"
	"github.com/graph-emulator/graph-emulator/emulator/emulatortest"
)

// Memberships computed while they change, and what a walk over a large nested group
// tree costs.

// TestTransitiveMemberOfWhileMembershipsChange reads transitiveMemberOf and
// checkMemberGroups while other requests add and remove the links of a chain of nested
// groups: every answer is a state some sequence of the writes produced (a membership is
// listed only with every link above it; no group twice), never an error.
func TestTransitiveMemberOfWhileMembershipsChange(t *testing.T) {
	t.Parallel()
	f := newDirFixture(t)
	ada := f.user("Ada")
	const depth = 6
	chain := make([]string, depth)
	for i := range chain {
		chain[i] = f.group(fmt.Sprintf("Level %d", i), false)
	}
	f.link("groups", chain[0], "members", ada)
	for i := 1; i < depth; i++ {
		f.link("groups", chain[i], "members", chain[i-1])
	}
	srv := f.srv
	const rounds = 40
	var wg sync.WaitGroup
	errs := make(chan string, 64)
	report := func(format string, args ...any) {
		select {
		case errs <- fmt.Sprintf(format, args...):
		default:
		}
	}
	// Writers cut and mend each link of the chain.
	for i := 1; i < depth; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range rounds {
				r, err := srv.Send("DELETE", "/v1.0/groups/"+chain[i]+"/members/"+chain[i-1]+"/$ref", "")
				if err != nil || r.Status != http.StatusNoContent {
					report("unlink level %d: %v %v", i, err, r)
					return
				}
				r, err = srv.Send("POST", "/v1.0/groups/"+chain[i]+"/members/$ref",
					`{"@odata.id":"https://graph.microsoft.com/v1.0/groups/`+chain[i-1]+`"}`)
				if err != nil || r.Status != http.StatusNoContent {
					report("link level %d: %v %v", i, err, r)
					return
				}
			}
		}()
	}
	// Readers: the answer is always a prefix of the chain.
	checkPrefix := func(got []string) bool {
		if len(got) == 0 || len(got) > depth {
			return false
		}
		want := slices.Clone(chain[:len(got)])
		return sameSet(got, want)
	}
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range rounds {
				r, err := srv.Send("GET", "/v1.0/users/"+ada+"/transitiveMemberOf?$select=id", "")
				if err != nil || r.Status != http.StatusOK {
					report("transitiveMemberOf: %v %v", err, r)
					return
				}
				if got := valueIDs(r); !checkPrefix(got) {
					report("transitiveMemberOf answered %q, not a prefix of the chain", got)
				}
				r, err = srv.Send("POST", "/v1.0/users/"+ada+"/checkMemberGroups", `{"groupIds":["`+strings.Join(chain, `","`)+`"]}`)
				if err != nil || r.Status != http.StatusOK {
					report("checkMemberGroups: %v %v", err, r)
					return
				}
				if got := valueIDs(r); !checkPrefix(got) {
					report("checkMemberGroups answered %q, not a prefix of the chain", got)
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	f.wantIDs("/v1.0/users/"+ada+"/transitiveMemberOf", chain...)
}

// groupTree builds, through h, a user and n security groups in a binary tree (group i
// a member of group (i-1)/2), the user a member of every leaf, and returns the user's id
// and the root group's id.
func groupTree(tb testing.TB, h http.Handler, n int) (user, root string) {
	tb.Helper()
	send := func(method, path, body string, want int) string {
		req := httptest.NewRequest(method, path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != want {
			tb.Fatalf("%s %s: %d %s", method, path, rec.Code, rec.Body)
		}
		return gjson.GetBytes(rec.Body.Bytes(), "id").String()
	}
	user = send("POST", "/v1.0/users", `{"accountEnabled":true,"displayName":"Ada","mailNickname":"ada","userPrincipalName":"ada@contoso.test","passwordProfile":{"password":"x-Y-z-123!aB"}}`, http.StatusCreated)
	groups := make([]string, n)
	for i := range groups {
		groups[i] = send("POST", "/v1.0/groups", fmt.Sprintf(`{"displayName":"G%d","mailEnabled":false,"mailNickname":"g%d","securityEnabled":true}`, i, i), http.StatusCreated)
		if i > 0 {
			send("POST", "/v1.0/groups/"+groups[(i-1)/2]+"/members/$ref", `{"@odata.id":"https://graph.microsoft.com/v1.0/groups/`+groups[i]+`"}`, http.StatusNoContent)
		}
	}
	for i := n / 2; i < n; i++ {
		send("POST", "/v1.0/groups/"+groups[i]+"/members/$ref", `{"@odata.id":"https://graph.microsoft.com/v1.0/users/`+user+`"}`, http.StatusNoContent)
	}
	return user, groups[0]
}

// BenchmarkTransitiveMemberOf lists the first page (999, Graph's largest) of the 1,000
// groups of a nested tree a user belongs to through its 500 leaves: each page walks the
// whole tree. BenchmarkTransitiveMembers lists the first page of the tree's 999 groups
// and the user from its root.
func BenchmarkTransitiveMemberOf(b *testing.B) {
	benchTree(b, func(user, _ string) string { return "/v1.0/users/" + user + "/transitiveMemberOf?$top=999&$select=id" })
}

func BenchmarkTransitiveMembers(b *testing.B) {
	benchTree(b, func(_, root string) string { return "/v1.0/groups/" + root + "/transitiveMembers?$top=999&$select=id" })
}

func benchTree(b *testing.B, path func(user, root string) string) {
	const want = 999
	srv, err := emulator.New()
	if err != nil {
		b.Fatal(err)
	}
	user, root := groupTree(b, srv, 1000)
	target := path(user, root)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		req := httptest.NewRequest("GET", target, nil)
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("%d %s", rec.Code, rec.Body)
		}
		if n := gjson.GetBytes(rec.Body.Bytes(), "value.#").Int(); n != want || !gjson.GetBytes(rec.Body.Bytes(), `@odata\.nextLink`).Exists() {
			b.Fatalf("%d items, want %d and a next page", n, want)
		}
	}
}

// The tree's answers are right, not only fast.
func TestGroupTree(t *testing.T) {
	t.Parallel()
	srv := emulatortest.New(t)
	user, root := groupTree(t, srv.Emulator, 63)
	r := mustStatus(t, srv.Do("GET", "/v1.0/users/"+user+"/transitiveMemberOf?$top=999&$select=id", ""), http.StatusOK)
	if n := len(valueIDs(r)); n != 63 {
		t.Errorf("transitiveMemberOf lists %d groups, want 63", n)
	}
	r = mustStatus(t, srv.Do("POST", "/v1.0/users/"+user+"/checkMemberGroups", `{"groupIds":["`+root+`"]}`), http.StatusOK)
	if got := valueIDs(r); !slices.Equal(got, []string{root}) {
		t.Errorf("checkMemberGroups(root) = %q", got)
	}
}
