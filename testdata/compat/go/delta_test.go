package compat_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"testing"

	"github.com/microsoft/kiota-abstractions-go/authentication"
	msgraph "github.com/microsoftgraph/msgraph-sdk-go"
	"github.com/microsoftgraph/msgraph-sdk-go/models"
	"github.com/microsoftgraph/msgraph-sdk-go/users"

	"github.com/graph-emulator/graph-emulator/emulator"
)

// deltaWalk runs one round of users delta with msgraph-sdk-go: Users().Delta() for the
// first page (or the request builder made WithUrl from a link), then WithUrl of each
// @odata.nextLink until the page with @odata.deltaLink. It returns the users seen, by
// id (removed ones with "@removed"), and the deltaLink.
func deltaWalk(ctx context.Context, client *msgraph.GraphServiceClient, link string) (map[string]models.Userable, string, error) {
	seen := map[string]models.Userable{}
	builder := client.Users().Delta()
	if link != "" {
		builder = builder.WithUrl(link)
	}
	for pages := 0; pages < 100; pages++ {
		page, err := builder.GetAsDeltaGetResponse(ctx, nil)
		if err != nil {
			return nil, "", err
		}
		for _, u := range page.GetValue() {
			seen[*u.GetId()] = u
		}
		if next := page.GetOdataNextLink(); next != nil {
			builder = client.Users().Delta().WithUrl(*next)
			continue
		}
		if dl := page.GetOdataDeltaLink(); dl != nil {
			return seen, *dl, nil
		}
		return nil, "", fmt.Errorf("page %d has neither @odata.nextLink nor @odata.deltaLink", pages)
	}
	return nil, "", fmt.Errorf("no @odata.deltaLink after 100 pages")
}

func newSDKUser(name string) models.Userable {
	u := models.NewUser()
	nick, upn, enabled, password := name, name+"@contoso.test", true, "x-Y-z-123"
	u.SetDisplayName(&name)
	u.SetMailNickname(&nick)
	u.SetUserPrincipalName(&upn)
	u.SetAccountEnabled(&enabled)
	p := models.NewPasswordProfile()
	p.SetPassword(&password)
	u.SetPasswordProfile(p)
	return u
}

// TestDeltaWalk tracks users with msgraph-sdk-go's delta request builders: the initial
// round crosses pages of 2, then the deltaLink reports a created user whole, an updated
// one, and a deleted one with @removed.
func TestDeltaWalk(t *testing.T) {
	t.Parallel()
	bin := emulatorBinary(t)
	starts := []target{
		{name: "in-process", start: func(t *testing.T) string {
			srv, err := emulator.New(emulator.WithPageSize(2))
			if err != nil {
				t.Fatal(err)
			}
			ts := httptest.NewServer(srv)
			t.Cleanup(ts.Close)
			return ts.URL
		}},
		{name: "binary", start: func(t *testing.T) string {
			return startBinaryArgs(t, bin, "http", "--addr", "127.0.0.1:0", "--page-size", "2")
		}},
	}
	for _, tg := range starts {
		t.Run(tg.name, func(t *testing.T) {
			t.Parallel()
			root := tg.start(t)
			ctx := context.Background()
			adapter, err := msgraph.NewGraphRequestAdapter(&authentication.AnonymousAuthenticationProvider{})
			if err != nil {
				t.Fatal(err)
			}
			adapter.SetBaseUrl(root + "/v1.0")
			client := msgraph.NewGraphServiceClient(adapter)
			var ids []string
			for _, n := range []string{"alex", "megan", "lee", "nestor", "adele"} {
				u, err := client.Users().Post(ctx, newSDKUser(n), nil)
				if err != nil {
					t.Fatalf("create %s: %v", n, err)
				}
				ids = append(ids, *u.GetId())
			}
			seen, dl, err := deltaWalk(ctx, client, "")
			if err != nil {
				t.Fatal(err)
			}
			if len(seen) != 5 || dl == "" {
				t.Fatalf("initial round: %d users, deltaLink %q", len(seen), dl)
			}
			if u := seen[ids[0]]; u == nil || *u.GetDisplayName() != "alex" {
				t.Errorf("initial round: user %s is %v", ids[0], u)
			}

			added, err := client.Users().Post(ctx, newSDKUser("lynne"), nil)
			if err != nil {
				t.Fatal(err)
			}
			title := "Manager"
			patch := models.NewUser()
			patch.SetJobTitle(&title)
			if _, err := client.Users().ByUserId(ids[1]).Patch(ctx, patch, nil); err != nil {
				t.Fatal(err)
			}
			if err := client.Users().ByUserId(ids[2]).Delete(ctx, nil); err != nil {
				t.Fatal(err)
			}
			changes, dl2, err := deltaWalk(ctx, client, dl)
			if err != nil {
				t.Fatal(err)
			}
			if len(changes) != 3 || dl2 == "" {
				t.Fatalf("changes: %d users, deltaLink %q", len(changes), dl2)
			}
			if u := changes[*added.GetId()]; u == nil || u.GetUserPrincipalName() == nil || *u.GetUserPrincipalName() != "lynne@contoso.test" {
				t.Errorf("created user: %v", u)
			}
			if u := changes[ids[1]]; u == nil || u.GetJobTitle() == nil || *u.GetJobTitle() != title {
				t.Errorf("updated user: %v", u)
			}
			if u := changes[ids[2]]; u == nil || u.GetAdditionalData()["@removed"] == nil {
				t.Errorf("deleted user without @removed: %v", u)
			}
			// $select through the request configuration.
			page, err := client.Users().Delta().GetAsDeltaGetResponse(ctx, &users.DeltaRequestBuilderGetRequestConfiguration{
				QueryParameters: &users.DeltaRequestBuilderGetQueryParameters{Select: []string{"displayName"}},
			})
			if err != nil {
				t.Fatal(err)
			}
			if len(page.GetValue()) != 2 || page.GetOdataNextLink() == nil {
				t.Errorf("$select round: %d users on the first page", len(page.GetValue()))
			}
			for _, u := range page.GetValue() {
				if u.GetUserPrincipalName() != nil {
					t.Errorf("$select=displayName returned userPrincipalName %s", *u.GetUserPrincipalName())
				}
			}
		})
	}
}
