package compat_test

import (
	"context"
	"errors"
	"fmt"

	abs "github.com/microsoft/kiota-abstractions-go"
	"github.com/microsoft/kiota-abstractions-go/authentication"
	msgraph "github.com/microsoftgraph/msgraph-sdk-go"
	"github.com/microsoftgraph/msgraph-sdk-go/models/odataerrors"
)

// readmeSnippet is the README's Go example: emulatorURL is the first line the binary
// prints (http://127.0.0.1:PORT). It creates an entity, reads it back and reads an
// unknown id as a typed ODataError.
func readmeSnippet(ctx context.Context, emulatorURL string) error {
	// README: point msgraph-sdk-go at the emulator.
	adapter, err := msgraph.NewGraphRequestAdapter(&authentication.AnonymousAuthenticationProvider{})
	if err != nil {
		return err
	}
	adapter.SetBaseUrl(emulatorURL + "/v1.0")
	client := msgraph.NewGraphServiceClient(adapter)
	// README: end.

	errs := abs.ErrorMappings{"XXX": odataerrors.CreateODataErrorFromDiscriminatorValue}
	post := abs.NewRequestInformationWithMethodAndUrlTemplateAndPathParameters(
		abs.POST, "{+baseurl}/office365ServicesUserCounts", map[string]string{})
	if err := post.SetContentFromParsable(ctx, client.RequestAdapter, "application/json", sample()); err != nil {
		return err
	}
	created, err := client.RequestAdapter.Send(ctx, post, createUserCounts, errs)
	if err != nil {
		return fmt.Errorf("create: %w", err)
	}
	id := created.(*userCounts).id
	if id == nil {
		return errors.New("create: no id")
	}

	get := abs.NewRequestInformationWithMethodAndUrlTemplateAndPathParameters(
		abs.GET, "{+baseurl}/office365ServicesUserCounts/{id}", map[string]string{"id": *id})
	read, err := client.RequestAdapter.Send(ctx, get, createUserCounts, errs)
	if err != nil {
		return fmt.Errorf("get: %w", err)
	}
	if d := sameValues(read.(*userCounts), sample()); d != "" {
		return fmt.Errorf("get: %s", d)
	}

	missing := abs.NewRequestInformationWithMethodAndUrlTemplateAndPathParameters(
		abs.GET, "{+baseurl}/office365ServicesUserCounts/{id}", map[string]string{"id": "no-such-id"})
	_, err = client.RequestAdapter.Send(ctx, missing, createUserCounts, errs)
	var oe *odataerrors.ODataError
	if !errors.As(err, &oe) {
		return fmt.Errorf("get unknown id: error %v, want *odataerrors.ODataError", err)
	}
	if code := oe.GetErrorEscaped().GetCode(); oe.ResponseStatusCode != 404 || code == nil || *code != "Request_ResourceNotFound" {
		return fmt.Errorf("get unknown id: status %d code %v, want 404 Request_ResourceNotFound", oe.ResponseStatusCode, deref(code))
	}
	return nil
}
