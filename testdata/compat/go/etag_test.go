package compat_test

import (
	"net/http"
	"testing"

	abs "github.com/microsoft/kiota-abstractions-go"
	msgraph "github.com/microsoftgraph/msgraph-sdk-go"
	"github.com/microsoftgraph/msgraph-sdk-go/applications"
	"github.com/microsoftgraph/msgraph-sdk-go/applicationswithuniquename"
	"github.com/microsoftgraph/msgraph-sdk-go/models"
)

// TestIfMatch guards updates with If-Match through msgraph-sdk-go: the tag of a read
// lets a PATCH through, the same tag afterwards is a typed 412, and If-None-Match on a
// GET of an unchanged entity is a 304.
func TestIfMatch(t *testing.T) {
	t.Parallel()
	eachTarget(t, func(t *testing.T, c *client) {
		created := mustCreate(t, c, sample())
		if _, err := c.get(t.Context(), *created.id); err != nil {
			t.Fatal(err)
		}
		tag := c.wire.last(t).respHeader.Get("ETag")
		if tag == "" {
			t.Fatal("no ETag on a GET")
		}
		patch := func(teams int64, header, value string) error {
			ri := c.request(abs.PATCH, entityTemplate, *created.id)
			ri.Headers.Add(header, value)
			_, err := c.sendEntity(t.Context(), ri, &userCounts{teamsActive: ptr(teams)})
			return err
		}
		if err := patch(1, "If-Match", tag); err != nil {
			t.Fatalf("PATCH with the current tag: %v", err)
		}
		wantStatus(t, c, http.StatusOK)
		err := patch(2, "If-Match", tag)
		wantODataError(t, c, err, http.StatusPreconditionFailed, "resourceModified", "ETag does not match current item's value")
		read, err := c.get(t.Context(), *created.id)
		if err != nil {
			t.Fatal(err)
		}
		if read.teamsActive == nil || *read.teamsActive != 1 {
			t.Errorf("teamsActive = %v after a refused PATCH, want 1", read.teamsActive)
		}
		now := c.wire.last(t).respHeader.Get("ETag")
		ri := c.request(abs.GET, entityTemplate, *created.id)
		ri.Headers.Add("If-None-Match", now)
		// The SDK answers a 304 with neither a value nor an error.
		if res, err := c.sendEntity(t.Context(), ri, nil); err != nil || res != nil {
			t.Errorf("GET with If-None-Match: %v, %v", res, err)
		}
		wantStatus(t, c, http.StatusNotModified)
	})
}

// TestAlternateKeysAndUpsert uses msgraph-sdk-go's alternate-key request builders:
// ApplicationsWithUniqueName's PATCH with Prefer: create-if-missing creates, then
// ApplicationsWithAppId and UsersWithUserPrincipalName read by alternate key.
func TestAlternateKeysAndUpsert(t *testing.T) {
	t.Parallel()
	eachTarget(t, func(t *testing.T, c *client) {
		gc := msgraph.NewGraphServiceClient(c.adapter)
		ctx := t.Context()

		unique, name := "provisioned-app", "Provisioned"
		app := models.NewApplication()
		app.SetDisplayName(&name)
		h := abs.NewRequestHeaders()
		h.Add("Prefer", "create-if-missing")
		created, err := gc.ApplicationsWithUniqueName(&unique).Patch(ctx, app,
			&applicationswithuniquename.ApplicationsWithUniqueNameRequestBuilderPatchRequestConfiguration{Headers: h})
		if err != nil {
			t.Fatalf("upsert: %v", err)
		}
		wantStatus(t, c, http.StatusCreated)
		if created == nil || created.GetAppId() == nil || deref(created.GetUniqueName()) != unique {
			t.Fatalf("upsert answered %+v", created)
		}
		got, err := gc.ApplicationsWithAppId(created.GetAppId()).Get(ctx, nil)
		if err != nil {
			t.Fatalf("get by appId: %v", err)
		}
		if deref(got.GetId()) != deref(created.GetId()) || deref(got.GetDisplayName()) != name {
			t.Errorf("by appId: id %s name %s", deref(got.GetId()), deref(got.GetDisplayName()))
		}
		list, err := gc.Applications().Get(ctx, &applications.ApplicationsRequestBuilderGetRequestConfiguration{})
		if err != nil || len(list.GetValue()) != 1 {
			t.Fatalf("applications: %v, %v", list, err)
		}

		upn := "grace@contoso.test"
		u, err := gc.Users().Post(ctx, newUser("Grace"), nil)
		if err != nil {
			t.Fatal(err)
		}
		byUPN, err := gc.UsersWithUserPrincipalName(&upn).Get(ctx, nil)
		if err != nil || deref(byUPN.GetId()) != deref(u.GetId()) {
			t.Errorf("UsersWithUserPrincipalName: %v, %v", byUPN, err)
		}
		byKey, err := gc.Users().ByUserId(upn).Get(ctx, nil)
		if err != nil || deref(byKey.GetId()) != deref(u.GetId()) {
			t.Errorf("Users().ByUserId(upn): %v, %v", byKey, err)
		}
	})
}
