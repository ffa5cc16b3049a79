package compat_test

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"testing"

	abs "github.com/microsoft/kiota-abstractions-go"
	"github.com/microsoft/kiota-abstractions-go/authentication"
	"github.com/microsoft/kiota-abstractions-go/serialization"
	msgraph "github.com/microsoftgraph/msgraph-sdk-go"
	msgraphcore "github.com/microsoftgraph/msgraph-sdk-go-core"
	"github.com/microsoftgraph/msgraph-sdk-go/models"
	"github.com/microsoftgraph/msgraph-sdk-go/models/odataerrors"

	"github.com/graph-emulator/graph-emulator/emulator"
)

// listUsers is the README's "Point an SDK at it" example for Go, as written there:
// msgraph-sdk-go's typed request builders against Graph's embedded schema,
// msgraph-sdk-go-core's PageIterator and an ODataError's code.
func listUsers(ctx context.Context, emulatorURL string) error {
	adapter, err := msgraph.NewGraphRequestAdapter(&authentication.AnonymousAuthenticationProvider{})
	if err != nil {
		return err
	}
	adapter.SetBaseUrl(emulatorURL + "/v1.0")
	client := msgraph.NewGraphServiceClient(adapter)

	// Create a user, as against Graph.
	user := models.NewUser()
	name, nick, upn, enabled := "Adele Vance", "adele", "adele@contoso.test", true
	user.SetDisplayName(&name)
	user.SetMailNickname(&nick)
	user.SetUserPrincipalName(&upn)
	user.SetAccountEnabled(&enabled)
	password := models.NewPasswordProfile()
	secret := "x-Y-z-123!aB"
	password.SetPassword(&secret)
	user.SetPasswordProfile(password)
	created, err := client.Users().Post(ctx, user, nil)
	if err != nil {
		return err
	}
	fmt.Println("created", *created.GetId())

	// List every user, page after page, with msgraph-sdk-go-core's PageIterator.
	page, err := client.Users().Get(ctx, nil)
	if err != nil {
		return err
	}
	it, err := msgraphcore.NewPageIterator[models.Userable](page, adapter,
		models.CreateUserCollectionResponseFromDiscriminatorValue)
	if err != nil {
		return err
	}
	err = it.Iterate(ctx, func(u models.Userable) bool {
		fmt.Println(*u.GetDisplayName())
		return true // go on
	})
	if err != nil {
		return err
	}

	// Errors are Graph's: read the status and the code of an ODataError.
	_, err = client.Users().ByUserId("no-such-id").Get(ctx, nil)
	var odataErr *odataerrors.ODataError
	if errors.As(err, &odataErr) {
		code := odataErr.GetErrorEscaped().GetCode()    // *string
		fmt.Println(odataErr.ResponseStatusCode, *code) // 404 Request_ResourceNotFound
		return nil
	}
	return fmt.Errorf("want an ODataError, got %v", err)
}

// TestReadmeGraphSnippet runs listUsers against the default emulator, in-process and the
// binary (with --page-size 2 only), with users already there and pages of 2 so that the
// PageIterator follows nextLinks: every user is listed once.
func TestReadmeGraphSnippet(t *testing.T) {
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
			for _, n := range []string{"Alex Wilber", "Megan Bowen", "Lee Gu", "Nestor Wilke"} {
				if _, err := client.Users().Post(ctx, newUser(n), nil); err != nil {
					t.Fatalf("create %s: %v", n, err)
				}
			}
			if err := listUsers(ctx, root); err != nil {
				t.Fatal(err)
			}
			page, err := client.Users().Get(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			if page.GetOdataNextLink() == nil || len(page.GetValue()) != 2 {
				t.Errorf("first page: %d users, nextLink %v: want 2 and a nextLink", len(page.GetValue()), page.GetOdataNextLink())
			}
			it, err := msgraphcore.NewPageIterator[models.Userable](page, adapter, models.CreateUserCollectionResponseFromDiscriminatorValue)
			if err != nil {
				t.Fatal(err)
			}
			seen := map[string]int{}
			if err := it.Iterate(ctx, func(u models.Userable) bool { seen[*u.GetDisplayName()]++; return true }); err != nil {
				t.Fatal(err)
			}
			if len(seen) != 5 {
				t.Errorf("PageIterator listed %v, want the 5 users once each", seen)
			}
			for n, c := range seen {
				if c != 1 {
					t.Errorf("%s listed %d times", n, c)
				}
			}
			_, err = client.Users().ByUserId("no-such-id").Get(ctx, nil)
			var odataErr *odataerrors.ODataError
			if !errors.As(err, &odataErr) {
				t.Fatalf("unknown user: %v, want an ODataError", err)
			}
			if code := odataErr.GetErrorEscaped().GetCode(); odataErr.ResponseStatusCode != 404 || code == nil || *code != "Request_ResourceNotFound" {
				t.Errorf("unknown user: %d %v, want 404 Request_ResourceNotFound", odataErr.ResponseStatusCode, code)
			}
		})
	}
}

// createCounts is the README's raw request for an entity set without a request builder,
// as written there.
func createCounts(ctx context.Context, client *msgraph.GraphServiceClient,
	body serialization.Parsable, factory serialization.ParsableFactory) (serialization.Parsable, error) {
	errs := abs.ErrorMappings{"XXX": odataerrors.CreateODataErrorFromDiscriminatorValue}
	post := abs.NewRequestInformationWithMethodAndUrlTemplateAndPathParameters(
		abs.POST, "{+baseurl}/office365ServicesUserCounts", map[string]string{})
	if err := post.SetContentFromParsable(ctx, client.RequestAdapter, "application/json", body); err != nil {
		return nil, err
	}
	// a 4XX answer is a typed *odataerrors.ODataError with Graph's code and message
	return client.RequestAdapter.Send(ctx, post, factory, errs)
}

// TestReadmeRawRequest runs createCounts with the seed's values, then with an unknown
// property: the entity comes back, then a typed ODataError.
func TestReadmeRawRequest(t *testing.T) {
	t.Parallel()
	root := startInProcess(t)
	ctx := context.Background()
	adapter, err := msgraph.NewGraphRequestAdapter(&authentication.AnonymousAuthenticationProvider{})
	if err != nil {
		t.Fatal(err)
	}
	adapter.SetBaseUrl(root + "/v1.0")
	client := msgraph.NewGraphServiceClient(adapter)
	created, err := createCounts(ctx, client, sample(), createUserCounts)
	if err != nil {
		t.Fatal(err)
	}
	if d := sameValues(created.(*userCounts), sample()); d != "" {
		t.Errorf("created: %s", d)
	}
	if _, err := createCounts(ctx, client, models.NewUser(), createUserCounts); err == nil {
		t.Errorf("a user's body in the counts' set was accepted")
	} else if oe := (*odataerrors.ODataError)(nil); !errors.As(err, &oe) || oe.ResponseStatusCode != 400 {
		t.Errorf("a user's body in the counts' set: %v, want a 400 ODataError", err)
	}
}
